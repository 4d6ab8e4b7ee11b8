#!/bin/sh
# escape.sh BIN - the output of every sample is safe for a terminal: valid
# UTF-8 with no C0 control but LF, no DEL, no C1 control, no bidi control
# or invisible character (the set esc.h escapes); the credential report
# stays printable ASCII.
set -u
BIN=${1:?usage: escape.sh BIN}
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
check='
import sys, re
b = sys.stdin.buffer.read()
ascii = sys.argv[1] == "ascii"
try:
    s = b.decode("utf-8", "strict")
except UnicodeDecodeError as e:
    print("invalid UTF-8 at byte %d" % e.start); sys.exit(1)
bad = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b\u200e\u200f"
                 "\u2028-\u202e\u2060\u2066-\u2069\ufeff\ufff9-\ufffb"
                 "\U000e0000-\U000e007f" + ("\x80-\U0010ffff" if ascii else "") + "]")
m = bad.search(s)
if m:
    print("U+%04X at character %d" % (ord(m.group()), m.start())); sys.exit(1)
'
for f in "$top"/samples/*.pcap* "$top"/tests/data/corpus/*.pcap*; do
    [ -f "$f" ] || continue
    for mode in "-T text" "-T json" "-q -z creds" "-T text --mask"; do
        kind=utf8
        [ "$mode" = "-q -z creds" ] && kind=ascii
        # shellcheck disable=SC2086
        if why=$("$BIN" -r "$f" $mode 2>&1 | python3 -c "$check" $kind); then
            pass=$((pass + 1))
        else
            echo "FAIL $(basename "$f") $mode: $why"
            fail=$((fail + 1))
        fi
    done
done
echo "escape: $pass passed, $fail failed"
[ $fail = 0 ]
