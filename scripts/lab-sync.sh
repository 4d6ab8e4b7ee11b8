#!/bin/sh
# lab-sync.sh BIN LAB - for maintainers, not part of make test (which
# needs nothing outside the repository): when the lab's shared directory
# LAB (with tools/ and samples/) is at hand, run the lab's own truth checker
# on the repository's corpus and say whether tests/data/corpus still holds
# the lab's files byte for byte (a capture the lab added or changed is
# reported, to be copied in with its source and licence). tests/truth/
# check.py checks the same truth files, more strictly, in make test.
set -u
BIN=${1:?usage: lab-sync.sh BIN LAB}
lab=${2:?usage: lab-sync.sh BIN LAB}
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0
# A plain clone has no lab directory: every capture the tests read is in
# tests/data/corpus, so each part missing here is skipped, and said so.
if [ ! -f "$lab/tools/check_truth.py" ]; then
    skip=$((skip + 1)); echo "skip truth-lab/check_truth: no $lab/tools/check_truth.py"
elif out=$(python3 "$lab/tools/check_truth.py" --bin "$BIN" --dir "$top/tests/data/corpus"); then
    pass=$((pass + 1)); echo "ok truth-lab/check_truth: $out"
else
    fail=$((fail + 1)); echo "FAIL truth-lab/check_truth: $out"
fi
if [ ! -d "$lab/samples" ]; then
    skip=$((skip + 1)); echo "skip truth-lab/samples: no $lab/samples to compare tests/data/corpus with"
fi
for f in "$lab"/samples/*; do
    [ -e "$f" ] || continue
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
echo "truth-lab: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
