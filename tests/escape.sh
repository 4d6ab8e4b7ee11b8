#!/bin/sh
# escape.sh BIN - no raw control byte (C0 other than LF, DEL, C1, any byte
# >= 0x80) in the text, JSON and report output of any sample.
set -u
BIN=${1:?usage: escape.sh BIN}
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${MAILSIFT_SHARED:-$top/../shared/samples}
pass=0 fail=0
for f in "$top"/samples/*.pcap* "$shared"/*.pcap*; do
    [ -f "$f" ] || continue
    for mode in "-T text" "-T json" "-q -z creds" "-T text --mask"; do
        # shellcheck disable=SC2086
        if "$BIN" -r "$f" $mode 2>&1 | LC_ALL=C grep -q '[^[:print:]]'; then
            echo "FAIL $(basename "$f") $mode: raw control or 8-bit byte in output"
            fail=$((fail + 1))
        else
            pass=$((pass + 1))
        fi
    done
done
echo "escape: $pass passed, $fail failed"
[ $fail = 0 ]
