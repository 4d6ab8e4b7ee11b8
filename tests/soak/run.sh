#!/bin/sh
# tests/soak/run.sh BIN [PASSES] - mutation soak: every sample capture in
# samples/ and tests/data/corpus/ corrupted with `editcap -E 0.02` (a new
# seed per pass and file), PASSES times (default 20), each run of
# `BIN -r FILE -T json` under `ulimit -v 1048576` and `timeout 20`.
# A run passes when it exits 0 or 1 and prints no sanitizer report.
# Odd passes skip the first 54 bytes of each packet (-o 54: Ethernet, IPv4
# and TCP headers) so more of the corruption lands in SMTP/POP3 payload.
#
# Works with a sanitizer build (BIN=./mailsift-asan from `make asan`):
# ASan reserves terabytes of address space, so for such a binary the
# address-space limit is left to ASan (malloc_limit_mb) instead of
# ulimit -v, and sanitizer exit codes are moved away from 1.
#
# Failing inputs are kept in a temp dir (printed); SOAK_SEED=N starts the
# seeds elsewhere. Prints one line per failure, "skip soak/..." when
# editcap cannot make a file, and "N passed, N failed, N skipped" last;
# exit 1 if any run failed.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: tests/soak/run.sh BIN [PASSES]" >&2
    exit 2
fi
bin=$1
passes=${2:-20}
case $passes in
''|*[!0-9]*) echo "tests/soak/run.sh: PASSES must be a number" >&2; exit 2 ;;
esac
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
if [ ! -x "$bin" ]; then
    echo "tests/soak/run.sh: $bin: not an executable" >&2
    exit 2
fi
if ! command -v editcap >/dev/null 2>&1; then
    echo "skip soak/all: no editcap (Debian package wireshark-common)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mailsift-soak.XXXXXX") || exit 2
keep=0

asan=0
if grep -q -a -e __asan_init -e __ubsan_handle "$bin" 2>/dev/null; then
    asan=1
    ASAN_OPTIONS="detect_leaks=1:exitcode=86:malloc_limit_mb=1024:${ASAN_OPTIONS:-}"
    UBSAN_OPTIONS="exitcode=87:print_stacktrace=1:${UBSAN_OPTIONS:-}"
    export ASAN_OPTIONS UBSAN_OPTIONS
fi

samples=$tmp/samples.txt
: >"$samples"
for f in "$root"/samples/*.pcap "$root"/samples/*.pcapng \
         "$root"/tests/data/corpus/*.pcap "$root"/tests/data/corpus/*.pcapng; do
    [ -f "$f" ] && echo "$f" >>"$samples"
done
nsamples=$(wc -l <"$samples" | tr -d ' ')
if [ "$nsamples" -eq 0 ]; then
    echo "tests/soak/run.sh: no sample captures found" >&2
    rm -rf "$tmp"
    exit 2
fi

pass=0
fail=0
skip=0
seed=${SOAK_SEED:-1}
p=1
while [ "$p" -le "$passes" ]; do
    off=0
    [ $((p % 2)) -eq 1 ] || off=54
    while IFS= read -r s; do
        seed=$((seed + 1))
        case $s in
        *.pcapng) fmt=pcapng; ext=pcapng ;;
        *) fmt=pcap; ext=pcap ;;
        esac
        in=$tmp/in.$ext
        if ! editcap -F "$fmt" -E 0.02 -o "$off" --seed "$seed" "$s" "$in" \
                </dev/null >/dev/null 2>"$tmp/editcap.err"; then
            echo "skip soak/$(basename "$s")-$seed: editcap failed: $(head -1 "$tmp/editcap.err")"
            skip=$((skip + 1))
            continue
        fi
        if [ $asan -eq 1 ]; then
            timeout 20 "$bin" -r "$in" -T json </dev/null >/dev/null 2>"$tmp/err"
        else
            (ulimit -v 1048576; exec timeout 20 "$bin" -r "$in" -T json) \
                </dev/null >/dev/null 2>"$tmp/err"
        fi
        rc=$?
        why=
        if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
            why="exit $rc"
            [ $rc -eq 124 ] && why="timeout (20 s)"
        fi
        if grep -q -E 'Sanitizer|runtime error:|LeakSanitizer|AddressSanitizer' "$tmp/err"; then
            why="${why:+$why, }sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$tmp/err")"
        fi
        if [ -n "$why" ]; then
            fail=$((fail + 1))
            keep=1
            kept=$tmp/fail-$fail.$ext
            cp "$in" "$kept"
            cp "$tmp/err" "$kept.stderr"
            echo "FAIL pass $p seed $seed -o $off $(basename "$s"): $why"
            echo "     kept $kept (repro: $bin -r $kept -T json)"
        else
            pass=$((pass + 1))
        fi
    done <"$samples"
    p=$((p + 1))
done

if [ $keep -eq 1 ]; then
    echo "failing inputs kept in $tmp"
    rm -f "$tmp/in.pcap" "$tmp/in.pcapng"
else
    rm -rf "$tmp"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
