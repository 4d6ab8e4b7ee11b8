#!/usr/bin/env bash
# bench/robust.sh - resource checks of mailsift on hostile captures.
#
# Run from the repository root:   bench/robust.sh
#
# Generates (once) into BENCH_DIR (bench/data):
#   longline-10M.pcap   one SMTP session (AUTH LOGIN user1/secret1) whose
#                       client then sends a 10 MiB line with no CRLF
#   halfopen-200k.pcap  200,000 SYNs to port 25 never completed (every
#                       other one answered by a SYN-ACK), then one complete
#                       SMTP session with AUTH LOGIN user1 / secret1
#   rcpt-10k.pcap       one SMTP session (AUTH LOGIN user1/secret1) with
#                       10,000 pipelined RCPT TO commands and replies
# and runs `mailsift -r F -T json > out` on each under /usr/bin/time,
# checking wall time and peak RSS against the targets below. For the
# halfopen capture it also checks that the real session's credential is
# reported: a line with "kind":"credential" and "user":"user1". For the
# other two the credential is reported for information only.
#
# Environment: BENCH_DIR, MAILSIFT, CC as for bench/run.sh.
# Exit status: 0 all checks pass, 1 a check failed, 2 mailsift missing.
set -euo pipefail

caller_pwd=$PWD
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
cd "$root"

abspath() {
    case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$caller_pwd/$1" ;;
    esac
}
if [ -n "${BENCH_DIR:-}" ]; then data=$(abspath "$BENCH_DIR"); else data=$root/bench/data; fi
if [ -n "${MAILSIFT:-}" ]; then mailsift=$(abspath "$MAILSIFT"); else mailsift=$root/mailsift; fi
cc=${CC:-cc}

mkdir -p "$data" "$data/results"
$cc -std=c11 -O2 -Wall -Wextra -Wpedantic -o "$bench/gen" "$bench/gen.c"

# name | gen arguments | max RSS MiB | max wall s | credential required
cases=(
    "longline-10M|-M longline -L 10485760 -s 11|48|10|no"
    "halfopen-200k|-M halfopen -n 200000 -s 12|128|30|yes"
    "rcpt-10k|-M rcpt -n 10000 -s 13|64|10|no"
)

for c in "${cases[@]}"; do
    IFS='|' read -r name args _ _ _ <<< "$c"
    f=$data/$name.pcap
    if [ ! -s "$f" ]; then
        # shellcheck disable=SC2086
        "$bench/gen" $args -o "$f.part"
        mv "$f.part" "$f"
    fi
done

if [ ! -x "$mailsift" ]; then
    echo "robust.sh: mailsift is missing ($mailsift); captures are in $data" >&2
    exit 2
fi

fail=0
printf '| capture | size MB | wall s | target s | peak RSS MiB | target MiB | exit | credential user1 | verdict |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---|---|\n'
for c in "${cases[@]}"; do
    IFS='|' read -r name _ maxrss maxwall needcred <<< "$c"
    f=$data/$name.pcap
    out=$data/results/$name.json.out
    tf=$data/results/$name.time
    rc=0
    # a run is cut at 6x its time target so a hang cannot stall the script
    /usr/bin/time -f '%e %M' -o "$tf" \
        timeout $((maxwall * 6)) "$mailsift" -r "$f" -T json > "$out" \
        2> "$data/results/$name.stderr" || rc=$?
    read -r wall rsskb < <(tail -n 1 "$tf")
    rss=$(awk -v k="$rsskb" 'BEGIN { printf "%.1f", k / 1024 }')
    if grep -E '"kind" *: *"credential"' "$out" | grep -qE '"user" *: *"user1"'; then
        cred=found
    else
        cred=absent
    fi
    verdict=PASS
    why=()
    [ "$rc" != 0 ] && why+=("exit $rc")
    awk -v w="$wall" -v m="$maxwall" 'BEGIN { exit !(w > m) }' && why+=("slow")
    awk -v r="$rss" -v m="$maxrss" 'BEGIN { exit !(r > m) }' && why+=("RSS")
    [ "$needcred" = yes ] && [ "$cred" != found ] && why+=("no credential")
    if [ ${#why[@]} -gt 0 ]; then
        verdict="FAIL ($(IFS=,; echo "${why[*]}"))"
        fail=1
    fi
    [ "$needcred" = yes ] || cred="$cred (info)"
    printf '| %s | %.1f | %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
        "$(awk -v s="$(stat -c %s "$f")" 'BEGIN { print s / 1e6 }')" \
        "$wall" "$maxwall" "$rss" "$maxrss" "$rc" "$cred" "$verdict"
done
echo
echo "(outputs in $data/results/*.json.out)"
exit $fail
