#!/bin/sh
# run-filter.sh BIN - tests/filter.tests: count lines "expr<TAB>sample<TAB>n"
# (records printed with -Y expr) and %%FAIL blocks (expression, then the
# exact three error lines; exit status 2).
set -u
BIN=${1:?usage: run-filter.sh BIN}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
python3 - "$top/tests/filter.tests" "$tmp" <<'PY'
import sys, os
src, tmp = sys.argv[1], sys.argv[2]
lines = open(src, encoding='utf-8').read().split('\n')
counts, fails = [], []
i = 0
while i < len(lines):
    l = lines[i]
    if l == '%%FAIL':
        fails.append(lines[i+1:i+5]); i += 5; continue
    if l and not l.startswith('#'):
        counts.append(l)
    i += 1
with open(os.path.join(tmp, 'counts'), 'w') as f:
    f.write('\n'.join(counts) + '\n')
for k, b in enumerate(fails):
    with open(os.path.join(tmp, 'fail%03d.expr' % k), 'w') as f:
        f.write(b[0])
    with open(os.path.join(tmp, 'fail%03d.want' % k), 'w') as f:
        f.write('\n'.join(b[1:4]) + '\n')
PY
tab=$(printf '\t')
while IFS="$tab" read -r expr sample want; do
    [ -z "$expr" ] && continue
    file=$top/$sample
    if [ ! -f "$file" ]; then
        echo "FAIL filter '$expr': no capture $sample"
        fail=$((fail + 1))
        continue
    fi
    got=$("$BIN" -r "$file" -T json -Y "$expr" 2>"$tmp/err" | wc -l)
    if [ "$got" = "$want" ]; then
        pass=$((pass + 1))
    else
        echo "FAIL filter '$expr' on $sample: $got records, want $want"; head -3 "$tmp/err"
        fail=$((fail + 1))
    fi
done < "$tmp/counts"
for e in "$tmp"/fail*.expr; do
    [ -f "$e" ] || continue
    w=${e%.expr}.want
    "$BIN" -r /dev/null -Y "$(cat "$e")" >/dev/null 2>"$tmp/got"
    rc=$?
    if [ $rc = 2 ] && cmp -s "$tmp/got" "$w"; then
        pass=$((pass + 1))
    else
        echo "FAIL filter error for '$(cat "$e")' (exit $rc):"; diff "$w" "$tmp/got" | head -8
        fail=$((fail + 1))
    fi
done
echo "filter: $pass passed, $fail failed"
[ $fail = 0 ]
