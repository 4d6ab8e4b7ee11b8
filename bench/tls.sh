#!/usr/bin/env bash
# bench/tls.sh - TLS decryption benchmark: mailsift with a key log against
# tshark with the same key log, on TLS 1.3 SMTP (STARTTLS on 587).
#
# Run from the repository root:   bench/tls.sh
# Quick run:                      BENCH_TLS_MB=50 BENCH_TSHARK=0 bench/tls.sh
#
# Generates (once, kept) into BENCH_DIR with bench/tls-gen.py:
#   tls13-smtp-<MB>M.pcap + .keys     the timed capture (BENCH_TLS_MB)
#   tls13-smtp-<FLAT>M.pcap + .keys   a smaller one for the memory check
# then times with hyperfine (BENCH_RUNS runs after one warmup):
#   mailsift -r F --tls-keylog K -T json > /dev/null    decrypt, every record
#   mailsift -r F --tls-keylog K -q -z creds            decrypt, report only
#   mailsift -r F -T json > /dev/null                   no keys: handshakes
#   MAILSIFT_OLD -r F -T json > /dev/null               (if set) an older
#                                                       build, no keys
# and, as the comparison, one run of
#   tshark -n -r F -o tls.keylog_file:K -Y smtp > /dev/null
# Peak RSS comes from one more run of each under /usr/bin/time -f %M.
# "Memory flat": the keyed runs' peak RSS on the FLAT capture and on the
# timed one, which is BENCH_TLS_MB / FLAT times larger.
#
# Environment:
#   BENCH_DIR          captures and results (bench/data)
#   BENCH_TLS_MB       size of the timed capture in MB (500)
#   BENCH_TLS_FLAT_MB  size of the smaller capture for the memory check (100);
#                      0 leaves the check out
#   BENCH_RUNS         timed runs per mailsift command (3)
#   BENCH_TSHARK       0 skips tshark (one timed run: minutes, ~1.5 GB RSS)
#   MAILSIFT           mailsift binary (./mailsift)
#   MAILSIFT_OLD       an older mailsift (e.g. one from before TLS support)
#                      timed without keys next to the current one
# SSLKEYLOGFILE is unset: the no-key runs must have no keys.
# See bench/README.md, section TLS.
set -euo pipefail

# BENCH_CPU=N: every tool on that one vCPU (bench/pin.sh)
. "$(dirname "${BASH_SOURCE[0]}")/pin.sh"
bench_pin "$0" "$@"

caller_pwd=$PWD
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
cd "$root"

abspath() {     # a path given by the caller, made absolute from their cwd
    case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$caller_pwd/$1" ;;
    esac
}

if [ -n "${BENCH_DIR:-}" ]; then data=$(abspath "$BENCH_DIR"); else data=$root/bench/data; fi
if [ -n "${MAILSIFT:-}" ]; then mailsift=$(abspath "$MAILSIFT"); else mailsift=$root/mailsift; fi
old=""
if [ -n "${MAILSIFT_OLD:-}" ]; then old=$(abspath "$MAILSIFT_OLD"); fi
mb=${BENCH_TLS_MB:-500}
flat_mb=${BENCH_TLS_FLAT_MB:-100}
runs=${BENCH_RUNS:-3}
want_tshark=${BENCH_TSHARK:-1}
unset SSLKEYLOGFILE

for t in hyperfine jq python3 openssl /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "tls.sh: $t is needed" >&2; exit 1; }
done
if [ ! -x "$mailsift" ]; then
    echo "tls.sh: mailsift is missing ($mailsift): build it or set MAILSIFT=path" >&2
    exit 2
fi
if [ -n "$old" ] && [ ! -x "$old" ]; then
    echo "tls.sh: MAILSIFT_OLD=$old is not an executable" >&2
    exit 2
fi

# ------------------------------------------------------------- captures
mkdir -p "$data"
res=$data/results
mkdir -p "$res"

sizes=("$mb")       # the timed capture, after the smaller one if any
if [ "$flat_mb" != 0 ] && [ "$flat_mb" != "$mb" ]; then sizes=("$flat_mb" "$mb"); fi

echo "== TLS captures in $data"
for s in "${sizes[@]}"; do
    base=$data/tls13-smtp-${s}M
    if [ -s "$base.pcap" ] && [ -s "$base.keys" ]; then
        echo "   tls13-smtp-${s}M.pcap exists, kept"
        continue
    fi
    # the key log only fits the capture written with it: make both, then
    # move them in place, the key log first
    rm -f "$base.pcap" "$base.keys"
    t0=$(date +%s.%N)
    python3 "$bench/tls-gen.py" "$base.pcap.part" "$base.keys.part" "$s" -s "$s"
    mv "$base.keys.part" "$base.keys"
    mv "$base.pcap.part" "$base.pcap"
    t1=$(date +%s.%N)
    printf '   tls13-smtp-%sM.pcap generated in %.1f s (%s bytes)\n' "$s" \
        "$(echo "$t1 - $t0" | bc)" "$(stat -c %s "$base.pcap")"
done

f=$data/tls13-smtp-${mb}M.pcap
k=$data/tls13-smtp-${mb}M.keys
size=$(stat -c %s "$f")
sessions=10

q() { printf '%q' "$1"; }
fq=$(q "$f")
kq=$(q "$k")
mq=$(q "$mailsift")

# ---------------------------------------------------- is it decrypted?
# A benchmark of a decryption that fails would time the wrong thing:
# every session's login must come out accepted from inside TLS, and
# without keys none may.
echo "== check: $(basename "$f")"
ok=$("$mailsift" -r "$f" --tls-keylog "$k" -q -z creds | grep -c 'SMTP/TLS .*accepted' || true)
nokey=$("$mailsift" -r "$f" -q -z creds | grep -c 'accepted' || true)
echo "   with keys: $ok of $sessions logins accepted inside TLS; without: $nokey"
if [ "$ok" != "$sessions" ] || [ "$nokey" != 0 ]; then
    echo "tls.sh: decryption check failed" >&2
    exit 1
fi

# ------------------------------------------------------------- mailsift
names=("mailsift keys -T json" "mailsift keys -q -z creds" "mailsift no keys -T json")
cmds=("$mq -r $fq --tls-keylog $kq -T json > /dev/null"
    "$mq -r $fq --tls-keylog $kq -q -z creds > /dev/null"
    "$mq -r $fq -T json > /dev/null")
if [ -n "$old" ]; then
    names+=("old mailsift no keys -T json")
    cmds+=("$(q "$old") -r $fq -T json > /dev/null")
fi
hf=(hyperfine --style basic --warmup 1 --runs "$runs" -i
    --export-json "$res/tls-${mb}M.json")
for i in "${!names[@]}"; do
    hf+=(-n "${names[$i]}" "${cmds[$i]}")
done
# the machine may be shared: note the load around the timed runs
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== hyperfine: mailsift, $runs runs after 1 warmup"
"${hf[@]}"

# peak RSS: one more run of each under /usr/bin/time
rss_run() {     # rss_run OUTFILE CMD...
    local out=$1
    shift
    local rc=0
    /usr/bin/time -f %M -o "$out" "$@" >/dev/null 2>"$out.stderr" || rc=$?
    echo "$rc" > "$out.rc"
}
rssof() { if [ -s "$1" ]; then tail -n 1 "$1"; else echo ""; fi; }

for s in "${sizes[@]}"; do
    sf=$data/tls13-smtp-${s}M.pcap
    sk=$data/tls13-smtp-${s}M.keys
    rss_run "$res/tls-${s}M.json.rss" "$mailsift" -r "$sf" --tls-keylog "$sk" -T json
    rss_run "$res/tls-${s}M.creds.rss" "$mailsift" -r "$sf" --tls-keylog "$sk" -q -z creds
    rss_run "$res/tls-${s}M.nokey.rss" "$mailsift" -r "$sf" -T json
done
if [ -n "$old" ]; then
    rss_run "$res/tls-${mb}M.old.rss" "$old" -r "$f" -T json
fi

# --------------------------------------------------------------- tshark
have_tshark=0
if [ "$want_tshark" != 0 ] && command -v tshark >/dev/null; then
    have_tshark=1
    echo "== hyperfine: tshark with the same key log, the comparison (1 run)"
    rm -f "$res/tls-${mb}M.tshark.rss"
    hyperfine --style basic --runs 1 -i --export-json "$res/tls-${mb}M.tshark.json" \
        -n tshark "/usr/bin/time -f %M -o $(q "$res/tls-${mb}M.tshark.rss") \
tshark -n -r $fq -o tls.keylog_file:$kq -Y smtp > /dev/null 2>&1"
fi

# ---------------------------------------------------------------- table
rows=$res/tls-rows.tsv
: > "$rows"
row() {     # row NAME JSON RSSFILE
    local r
    r=$(jq -r --arg n "$1" '.results[] | select(.command == $n) |
        [.mean, .stddev // 0, .user + .system,
         ([.exit_codes[] | select(. != 0)] | length)] | @tsv' "$2")
    printf '%s\t%s\t%s\n' "$1" "$r" "$(rssof "$3")" >> "$rows"
}
row "mailsift keys -T json" "$res/tls-${mb}M.json" "$res/tls-${mb}M.json.rss"
row "mailsift keys -q -z creds" "$res/tls-${mb}M.json" "$res/tls-${mb}M.creds.rss"
row "mailsift no keys -T json" "$res/tls-${mb}M.json" "$res/tls-${mb}M.nokey.rss"
if [ -n "$old" ]; then
    row "old mailsift no keys -T json" "$res/tls-${mb}M.json" "$res/tls-${mb}M.old.rss"
fi
if [ $have_tshark = 1 ]; then
    row tshark "$res/tls-${mb}M.tshark.json" "$res/tls-${mb}M.tshark.rss"
fi

table=$res/tls-summary.md
{
    echo "## mailsift TLS benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc --all) CPUs," \
        "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')," \
        "load average (1/5/15 min) at the start: $load0," \
        "at the end: $(cut -d' ' -f1-3 /proc/loadavg)," \
        "hyperfine: $runs runs after 1 warmup (tshark: 1 run)"
    echo
    echo "capture: $(basename "$f"), $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }') MB," \
        "$sessions TLS 1.3 SMTP sessions (STARTTLS, AUTH PLAIN, one large DATA each)"
    echo
    echo "| command | wall mean s | CPU s (user+sys) | peak RSS MiB | MB/s (wall) | MB/s (CPU) | tshark/this wall | tshark/this CPU |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' -v size="$size" -v mb="$mb" -v k="$(basename "$k")" '
    { name[NR] = $1; mean[NR] = $2; sd[NR] = $3; cpu[NR] = $4; fail[NR] = $5; rss[NR] = $6
      if ($1 == "tshark") { tw = $2; tc = $4 } }
    END {
        for (i = 1; i <= NR; i++) {
            n = name[i]
            if (n == "mailsift keys -T json") c = "`mailsift -r F --tls-keylog K -T json`"
            else if (n == "mailsift keys -q -z creds") c = "`mailsift -r F --tls-keylog K -q -z creds`"
            else if (n == "mailsift no keys -T json") c = "`mailsift -r F -T json` (no keys)"
            else if (n == "old mailsift no keys -T json") c = "old `mailsift -r F -T json` (no keys)"
            else c = "`tshark -n -r F -o tls.keylog_file:K -Y smtp` (comparison, 1 run)"
            if (fail[i] != 0) {
                printf "| %s | FAILED: exit != 0 in %d runs | - | - | - | - | - | - |\n", c, fail[i]
                continue
            }
            rw = "-"; rc = "-"
            if (tw != "" && n != "tshark") {
                rw = sprintf("%.0f", tw / mean[i])
                rc = sprintf("%.0f", tc / cpu[i])
            }
            printf "| %s | %.3f ± %.3f | %.3f | %s | %.0f | %.0f | %s | %s |\n", c,
                mean[i], sd[i], cpu[i],
                rss[i] == "" ? "-" : sprintf("%.1f", rss[i] / 1024),
                size / 1e6 / mean[i], size / 1e6 / cpu[i], rw, rc
        }
    }' "$rows"
    if [ $have_tshark = 0 ]; then
        echo
        echo "tshark left out (BENCH_TSHARK=0 or not installed): no ratio."
    fi
    if [ ${#sizes[@]} -gt 1 ]; then
        echo
        echo "Memory flat: peak RSS MiB of one run on each capture"
        echo
        echo "| capture | size MB | keys -T json | keys -q -z creds | no keys -T json |"
        echo "|---|---:|---:|---:|---:|"
        for s in "${sizes[@]}"; do
            sf=$data/tls13-smtp-${s}M.pcap
            printf '| %s | %.1f | %s | %s | %s |\n' "$(basename "$sf")" \
                "$(awk -v s="$(stat -c %s "$sf")" 'BEGIN { print s / 1e6 }')" \
                "$(awk -v r="$(rssof "$res/tls-${s}M.json.rss")" 'BEGIN { printf "%.1f", r / 1024 }')" \
                "$(awk -v r="$(rssof "$res/tls-${s}M.creds.rss")" 'BEGIN { printf "%.1f", r / 1024 }')" \
                "$(awk -v r="$(rssof "$res/tls-${s}M.nokey.rss")" 'BEGIN { printf "%.1f", r / 1024 }')"
        done
    fi
} > "$table"
echo
cat "$table"
echo
echo "(table saved in $table; hyperfine JSON in $res/tls-${mb}M*.json)"

# a failed mailsift run makes the benchmark fail
if awk -F'\t' '$1 != "tshark" && $5 != 0 { bad = 1 } END { exit !bad }' "$rows"; then
    exit 1
fi
for s in "${sizes[@]}"; do
    for t in json creds nokey; do
        if [ "$(cat "$res/tls-${s}M.$t.rss.rc")" != 0 ]; then
            echo "tls.sh: mailsift exited non-zero in the RSS run ($s M, $t)" >&2
            exit 1
        fi
    done
done
