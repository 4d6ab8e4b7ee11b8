#!/bin/sh
# lab.sh BIN LAB - extras when the lab's shared directory LAB (with tools/
# and samples/) is present: the lab's own truth checker on the repository's
# corpus, and whether tests/data/corpus still holds the lab's files byte for
# byte (a capture the lab added or changed is reported, not copied).
set -u
BIN=${1:?usage: lab.sh BIN LAB}
lab=${2:?usage: lab.sh BIN LAB}
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0
if out=$(python3 "$lab/tools/check_truth.py" --bin "$BIN" --dir "$top/tests/data/corpus"); then
    pass=$((pass + 1)); echo "ok truth-lab/check_truth: $out"
else
    fail=$((fail + 1)); echo "FAIL truth-lab/check_truth: $out"
fi
for f in "$lab"/samples/*; do
    b=$(basename "$f")
    case $b in SOURCES.md) continue ;; esac
    if [ ! -f "$top/tests/data/corpus/$b" ]; then
        echo "note: $b is in $lab/samples but not in tests/data/corpus"
    elif cmp -s "$f" "$top/tests/data/corpus/$b"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL truth-lab/$b: differs from $lab/samples/$b"
    fi
done
echo "truth-lab: $pass passed, $fail failed"
[ $fail = 0 ]
