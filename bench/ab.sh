#!/usr/bin/env bash
# bench/ab.sh - compare builds in the same minutes: runs them in turn,
# N rounds, and prints each one's minimum and median wall and CPU time.
# Wall time on shared vCPUs moves by a third from minute to minute, so
# two builds are only compared in one call, never against an earlier
# figure. Not part of make bench.
#
#   bench/ab.sh 5 "-r bench/data/short-1M.pcap -T json" ./old ./mailsift
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: bench/ab.sh ROUNDS \"ARGS\" BINARY..." >&2; exit 2; }
rounds=$1 args=$2
shift 2
t=$(mktemp)
trap 'rm -f "$t"' EXIT
declare -A wall cpu
for _ in $(seq "$rounds"); do
    for b in "$@"; do
        # shellcheck disable=SC2086
        /usr/bin/time -o "$t" -f "%e %U %S" "$b" $args >/dev/null 2>&1 || true
        read -r e u s < <(tail -n 1 "$t")
        wall[$b]+="$e "
        cpu[$b]+="$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }') "
    done
done
stats() {   # min and median of a list of numbers
    tr ' ' '\n' | sed '/^$/d' | sort -n |
        awk '{ a[NR] = $1 } END { printf "min %s med %s", a[1], a[int((NR + 1) / 2)] }'
}
for b in "$@"; do
    printf '%s\twall [%s]\tcpu [%s]\n' "$b" "$(echo "${wall[$b]}" | stats)" "$(echo "${cpu[$b]}" | stats)"
done
