#!/bin/sh
# run-golden.sh BIN [--update [NAME]] - run every line of tests/TESTLIST:
#   name  sample  expected.out  options...
# sample is a path in the repo (samples/, tests/data/corpus/); a missing
# sample is a failure. Output is compared byte for byte with
# tests/golden/expected.out; stdout only, TZ=UTC.
set -u
BIN=${1:?usage: run-golden.sh BIN [--update [NAME]]}
shift
update=0 only=""
if [ "${1:-}" = --update ]; then update=1; only=${2:-}; fi
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while read -r name sample expect opts; do
    case "$name" in ''|'#'*) continue ;; esac
    [ -n "$only" ] && [ "$only" != "$name" ] && continue
    file=$top/$sample
    if [ ! -f "$file" ]; then
        echo "FAIL $name: no capture $sample"
        fail=$((fail + 1))
        continue
    fi
    # shellcheck disable=SC2086
    (cd "$top" && TZ=UTC eval "\"$BIN\" -r \"$file\" $opts") >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ge 128 ] || grep -q "runtime error\|Sanitizer" "$tmp/err"; then
        echo "FAIL $name: exit $rc"; sed 's/^/    /' "$tmp/err" | head -20
        fail=$((fail + 1))
        continue
    fi
    if [ $update = 1 ]; then
        cp "$tmp/out" "$top/tests/golden/$expect"
        echo "updated $expect"
        continue
    fi
    if cmp -s "$tmp/out" "$top/tests/golden/$expect"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name: output differs from tests/golden/$expect"
        diff -u "$top/tests/golden/$expect" "$tmp/out" | head -30
        fail=$((fail + 1))
    fi
done < "$top/tests/TESTLIST"
[ $update = 1 ] && exit 0
echo "golden: $pass passed, $fail failed"
[ $fail = 0 ]
