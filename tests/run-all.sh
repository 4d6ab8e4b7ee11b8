#!/bin/sh
# run-all.sh - every suite of `make test`, one line each, then one summary
# line. What a suite prints:
#   "ok ..."                         a check that passed (kept in the log)
#   "FAIL ..." and anything else     shown when the suite fails
#   "skip SUITE/CASE: REASON"        a check that could not run here, and why
#   "[NAME: ]N passed, N failed"     its counts (unit prints one per program)
# Full output of each suite: build/test-logs/SUITE.log.
# MAILSIFT_CFLAGS: CFLAGS for the unit tests (make test: -Werror, as the
# binary it built), so they link against the objects already there.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BIN=./mailsift
logs=$top/build/test-logs
mkdir -p "$logs"
rm -f "$logs"/*.log
skips=$logs/skips
: >"$skips"
tot_p=0 tot_f=0 bad_suites=""
t0=$(date +%s)

# suite NAME COMMAND... - run one suite, print its line.
suite() {
    name=$1
    shift
    log=$logs/$name.log
    s0=$(date +%s)
    "$@" >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - s0))
    counts=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$log")
    set -- $(echo "$counts" | awk 'match($0, /[0-9]+ passed, [0-9]+ failed/) {
        split(substr($0, RSTART, RLENGTH), n, /[^0-9]+/); p += n[1]; f += n[2] }
        END { print p + 0, f + 0 }')
    p=$1 f=$2
    grep -E '^skip [^ ]+: ' "$log" >>"$skips"
    s=$(grep -cE '^skip [^ ]+: ' "$log")
    why=""
    if [ -z "$counts" ]; then
        why=" (printed no counts, exit $rc)"
        [ "$f" = 0 ] && f=1
    elif [ $rc != 0 ] && [ "$f" = 0 ]; then
        why=" (exit $rc)"
        f=1
    fi
    tot_p=$((tot_p + p))
    tot_f=$((tot_f + f))
    line=$(printf '%-14s %5d passed, %d failed' "$name:" "$p" "$f")
    [ "$s" != 0 ] && line="$line, $s skipped"
    echo "$line$why  [${secs}s]"
    # Skip lines; more than 4 with one reason are said once, counted.
    grep -E '^skip [^ ]+: ' "$log" | awk -v suite="$name" '
        { r = $0; sub(/^skip [^ ]+: /, "", r); n[r]++; l[r, n[r]] = $0; if (n[r] == 1) o[++k] = r }
        END { for (i = 1; i <= k; i++) { r = o[i]
                if (n[r] > 4) printf "    skip %s/(%d cases): %s\n", suite, n[r], r
                else for (j = 1; j <= n[r]; j++) print "    " l[r, j] } }'
    if [ "$f" != 0 ]; then
        bad_suites="$bad_suites $name"
        grep -vE '^ok |^skip [^ ]+: |(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -40 | sed 's/^/    /'
        echo "    (all of it: build/test-logs/$name.log)"
    fi
}

# not_here SUITE REASON - a whole suite that cannot run here.
not_here() {
    echo "skip $1/all: $2" >>"$skips"
    printf '%-14s %5d passed, %d failed, 1 skipped\n' "$1:" 0 0
    echo "    skip $1/all: $2"
}

have() { command -v "$1" >/dev/null 2>&1; }

suite lint scripts/lint.sh
suite man sh -c "scripts/man-sync.sh --check $BIN && echo 'man: 1 passed, 0 failed' ||
    echo 'man: 0 passed, 1 failed'"
suite unit make --no-print-directory -s unit CFLAGS="${MAILSIFT_CFLAGS-}"
suite golden tests/run-golden.sh $BIN
suite filter tests/run-filter.sh $BIN
suite truth python3 tests/truth/check.py --bin $BIN
suite tshark-filters python3 tests/tshark/filters.py $BIN
suite tshark python3 tests/tshark/compare.py $BIN
suite creds python3 tests/creds/hashcat.py $BIN
suite tls-cli tests/tls/cli.sh $BIN
suite escape tests/escape.sh $BIN
suite report python3 tests/report/run.py $BIN
suite json-roundtrip python3 tests/json_roundtrip.py $BIN
suite ek python3 tests/ek/run.py $BIN
suite reorder python3 tests/reorder.py $BIN
suite export python3 tests/export/run.py $BIN
suite link python3 tests/link/run.py $BIN
suite bad tests/bad/run.sh $BIN
suite files tests/files/run.sh $BIN
suite soak tests/soak/run.sh $BIN "${SOAK_PASSES:-10}"
suite tui tests/tui/run.sh $BIN
suite live tests/live/run.sh $BIN
# The same again built with AddressSanitizer and UBSan (leaks on).
if have clang; then
    suite asan make --no-print-directory -s asan
    suite memfail-asan env ASAN_OPTIONS=detect_leaks=1 tests/memfail.sh ./mailsift-asan 30
    suite export-asan env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        python3 tests/export/run.py ./mailsift-asan samples/*.pcap*
    suite files-asan env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/files/run.sh ./mailsift-asan
    suite bad-asan env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/bad/run.sh ./mailsift-asan
else
    for s in asan memfail-asan export-asan files-asan bad-asan; do not_here $s "no clang"; done
fi

nskip=$(wc -l <"$skips" | tr -d ' ')
reasons=""
if [ "$nskip" != 0 ]; then
    # Grouped by reason, the part before any " (details)".
    reasons=$(sed 's/^skip [^ ]*: //; s/ (.*//' "$skips" | sort | uniq -c | sort -rn |
        awk '{n = $1; $1 = ""; sub(/^ /, ""); printf "%s%d %s", (NR > 1 ? ", " : ""), n, $0}')
    reasons=" ($reasons)"
fi
echo
[ -n "$bad_suites" ] && echo "failing suites:$bad_suites"
echo "all: $tot_p passed, $tot_f failed, $nskip skipped$reasons in $(($(date +%s) - t0))s"
[ "$tot_f" = 0 ]
