#!/bin/sh
# run-all.sh - every suite of `make test`, then a summary line. Each suite
# prints "N passed, N failed[, N skipped]" last; a suite that cannot run
# here (no ../shared, not root for live capture) says so and is skipped.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
BIN=./mailsift
shared=${MAILSIFT_SHARED:-$top/../shared/samples}
tot_p=0 tot_f=0 tot_s=0 bad_suites=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

suite() {
    name=$1
    shift
    echo "== $name: $*"
    "$@" >"$log" 2>&1
    rc=$?
    grep -v '^ok ' "$log" | tail -40
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    p=$(echo "$line" | sed -n 's/.*[^0-9]\([0-9][0-9]*\) passed.*/\1/p;s/^\([0-9][0-9]*\) passed.*/\1/p' | head -1)
    f=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
    s=$(echo "$line" | sed -n 's/.* \([0-9][0-9]*\) skipped.*/\1/p')
    tot_p=$((tot_p + ${p:-0}))
    tot_f=$((tot_f + ${f:-0}))
    tot_s=$((tot_s + ${s:-0}))
    if [ $rc != 0 ] || [ -z "$line" ]; then
        [ "${f:-0}" = 0 ] && tot_f=$((tot_f + 1))
        bad_suites="$bad_suites $name"
    fi
}

suite lint scripts/lint.sh
suite unit make --no-print-directory -s unit
suite golden tests/run-golden.sh $BIN
suite filter tests/run-filter.sh $BIN
if [ -d "$shared" ]; then
    suite truth sh -c "../shared/tools/check_truth.py --bin $BIN && echo \"1 passed, 0 failed\" || echo \"0 passed, 1 failed\""
fi
suite tshark-filters python3 tests/tshark/filters.py $BIN
suite tshark sh -c "python3 tests/tshark/compare.py $BIN samples/*.pcap* $( [ -d "$shared" ] && echo "$shared/*.pcap*")"
suite creds python3 tests/creds/hashcat.py $BIN
suite escape tests/escape.sh $BIN
suite json-roundtrip python3 tests/json_roundtrip.py $BIN
suite ek python3 tests/ek/run.py $BIN
suite reorder python3 tests/reorder.py $BIN
suite export python3 tests/export/run.py $BIN
suite link python3 tests/link/run.py $BIN
[ -x tests/bad/run.sh ] && suite bad tests/bad/run.sh $BIN
suite files tests/files/run.sh $BIN
[ -x tests/soak/run.sh ] && suite soak tests/soak/run.sh $BIN "${SOAK_PASSES:-10}"
[ -x tests/tui/run.sh ] && suite tui tests/tui/run.sh $BIN
[ -x tests/live/run.sh ] && suite live tests/live/run.sh $BIN
# The same again built with AddressSanitizer and UBSan (leaks on).
suite asan make --no-print-directory -s asan
suite memfail-asan env ASAN_OPTIONS=detect_leaks=1 tests/memfail.sh ./mailsift-asan 30
suite export-asan env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    python3 tests/export/run.py ./mailsift-asan samples/*.pcap*
suite files-asan env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/files/run.sh ./mailsift-asan
if [ -x tests/bad/run.sh ]; then
    suite bad-asan env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/bad/run.sh ./mailsift-asan
fi

echo
[ -n "$bad_suites" ] && echo "failing suites:$bad_suites"
echo "all: $tot_p passed, $tot_f failed, $tot_s skipped"
[ "$tot_f" = 0 ]
