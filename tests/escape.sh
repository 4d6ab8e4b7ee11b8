#!/bin/sh
# escape.sh BIN - the output of every sample is safe for a terminal: valid
# UTF-8 with no C0 control but LF, no DEL, no C1 control, no bidi control
# or invisible character (the set esc.h escapes), in the text rows, JSON,
# the masked rows and the credential report (UTF-8 too since -z creds
# pads by display width). One python3 reads all outputs (starting one
# per output cost more than the test).
set -u
BIN=${1:?usage: escape.sh BIN}
top=$(cd "$(dirname "$0")/.." && pwd)
exec python3 - "$BIN" "$top" <<'PY'
import glob, os, re, subprocess, sys

binp, top = sys.argv[1], sys.argv[2]
BAD = ("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b\u200e\u200f"
       "\u2028-\u202e\u2060\u2066-\u2069\ufeff\ufff9-\ufffb\U000e0000-\U000e007f")
bad = re.compile(BAD + "]")


def why_not(b):
    try:
        s = b.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        return "invalid UTF-8 at byte %d" % e.start
    m = bad.search(s)
    return "U+%04X at character %d" % (ord(m.group()), m.start()) if m else None


files = sorted(glob.glob(os.path.join(top, "samples", "*.pcap*"))) + \
    sorted(glob.glob(os.path.join(top, "tests", "data", "corpus", "*.pcap*")))
passed = failed = 0
for f in files:
    for mode in ("-T text", "-T json", "-q -z creds", "-T text --mask"):
        out = subprocess.run([binp, "-r", f] + mode.split(), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).stdout
        why = why_not(out)
        if why:
            failed += 1
            print("FAIL %s %s: %s" % (os.path.basename(f), mode, why))
        else:
            passed += 1
print("escape: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
