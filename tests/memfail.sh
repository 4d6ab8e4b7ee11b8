#!/bin/sh
# memfail.sh BIN [N] - refuse the 1st, 2nd, ... Nth allocation of flow
# and stream memory (MAILSIFT_MEM_FAIL_NTH) while reading the samples:
# every run must end normally (status 0), never crash or report a
# sanitizer error.
set -u
BIN=${1:?usage: memfail.sh BIN [N]}
N=${2:-40}
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
for f in "$top"/samples/*.pcap "$top"/samples/*.pcapng; do
    [ -f "$f" ] || continue
    i=1
    while [ $i -le "$N" ]; do
        MAILSIFT_MEM_FAIL_NTH=$i "$BIN" -r "$f" -T json >/dev/null 2>/tmp/memfail.$$
        rc=$?
        if [ $rc != 0 ] || grep -q "Sanitizer\|runtime error" /tmp/memfail.$$; then
            echo "FAIL $(basename "$f") allocation $i: exit $rc"; head -5 /tmp/memfail.$$
            fail=$((fail + 1))
        else
            pass=$((pass + 1))
        fi
        i=$((i + 1))
    done
done
rm -f /tmp/memfail.$$
echo "memfail: $pass passed, $fail failed"
[ $fail = 0 ]
