#!/bin/sh
# fuzz/run.sh [SECONDS] - build every libFuzzer target into fuzz/build/,
# replay the seed corpus (fuzz/corpus/<target>/, plus the sample captures
# for the pipeline) and the regression corpus (fuzz/regress/<target>/),
# then fuzz each target for SECONDS (default 60). Exit 1 on any crash,
# timeout, out-of-memory or build failure.
#
# Environment:
#   FUZZ_TARGETS   targets to run (default: all below)
#   FUZZ_BUILD     build directory (default: fuzz/build)
#   FUZZ_CC        compiler (default: clang)
# SECONDS=0 builds and replays only. New inputs found while fuzzing go to fuzz/corpus-run/<target>/ (not
# committed); crashes to fuzz/build/artifacts/<target>/.
set -u

secs=${1:-60}
case $secs in
''|*[!0-9]*) echo "usage: fuzz/run.sh [SECONDS]" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
build=${FUZZ_BUILD:-$root/fuzz/build}
cc=${FUZZ_CC:-clang}
targets=${FUZZ_TARGETS:-"pipeline capfiles tcp ip smtp pop3 sasl esc filter mime tls keylog lab imap"}

cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
        -fno-sanitize-recover=all -std=c11 -D_POSIX_C_SOURCE=200809L
        -D_DEFAULT_SOURCE -Wall -Wextra -Wno-unused-function"

# Every module the printers and the dissector need (the Makefile's
# DISSECT list, which knows them all): not main.c (it has main) nor
# ui/tui*.c (curses).
core="$(make -s --no-print-directory print-DISSECT) ui/esc.c ui/fmt.c ui/text.c ui/json.c ui/report.c"

# The TLS library stands alone: the allocator and its counters, libcrypto.
# fuzz_keylog includes keylog.c itself, to walk its table.
tls="dissect/anom.c dissect/mem.c dissect/tls.c dissect/tls_crypto.c
     dissect/tls_cert.c dissect/tls_names.c"

sources() {
    case $1 in
    pipeline|capfiles) echo "$core capture/cap.c capture/link.c capture/pump.c" ;;
    esc) echo "ui/esc.c" ;;
    mime) echo "dissect/mime.c dissect/b64.c" ;;
    filter) echo "$core" ;;
    tls) echo "$tls dissect/keylog.c" ;;
    keylog) echo "dissect/anom.c dissect/mem.c" ;;
    lab) echo "$core ui/zstat.c ui/zrep.c ui/ladder.c ui/labrep.c" ;;
    *) echo "$core" ;;
    esac
}

libs() {
    # the core has the display filter (PCRE2) and TLS (libcrypto)
    crypto=$(pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
    case $1 in
    pipeline|capfiles) echo "$(pkg-config --libs libpcap 2>/dev/null || echo -lpcap)" \
                   "$(pkg-config --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)" "$crypto" ;;
    esc|mime) ;;
    tls|keylog) echo "$crypto" ;;
    *) echo "$(pkg-config --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)" "$crypto" ;;
    esac
}

maxlen() {
    case $1 in
    pipeline|capfiles|tcp|ip|tls) echo 65536 ;;
    keylog) echo 16384 ;;
    smtp|pop3|lab|imap) echo 16384 ;;
    esc) echo 8192 ;;
    mime) echo 4096 ;;
    sasl) echo 4096 ;;
    filter) echo 1024 ;;
    esac
}

# Extra inputs replayed for a target, beyond its corpus and regressions.
samples() {
    case $1 in
    pipeline)
        for f in "$root"/samples/*.pcap "$root"/samples/*.pcapng \
                 "$root"/tests/data/corpus/*.pcap "$root"/tests/data/corpus/*.pcapng; do
            [ -f "$f" ] && echo "$f"
        done
        ;;
    esac
}

fails=0
summary=""
mkdir -p "$build"

add() {
    summary="$summary$(printf '%-9s %s' "$1" "$2")
"
}

for t in $targets; do
    bin=$build/fuzz_$t
    log=$build/fuzz_$t.log
    if [ ! -f "$root/fuzz/fuzz_$t.c" ]; then
        add "$t" "FAIL no fuzz/fuzz_$t.c"
        fails=$((fails + 1))
        continue
    fi
    # shellcheck disable=SC2046,SC2086
    if ! $cc $cflags -o "$bin" "fuzz/fuzz_$t.c" \
              $(sources "$t") $(libs "$t") >"$build/fuzz_$t.build.log" 2>&1; then
        if [ "$t" = filter ]; then
            # The filter is still being written: skip, do not fail.
            add "$t" "SKIP dissect/filter.c does not build (see $build/fuzz_$t.build.log)"
            continue
        fi
        cat "$build/fuzz_$t.build.log" >&2
        add "$t" "FAIL build"
        fails=$((fails + 1))
        continue
    fi

    # Replay every seed and regression input once, whole (no -max_len).
    list=$build/fuzz_$t.replay
    : >"$list"
    for d in "$root/fuzz/corpus/$t" "$root/fuzz/regress/$t"; do
        [ -d "$d" ] && find "$d" -type f ! -name '.*' ! -name '*.md' | sort >>"$list"
    done
    samples "$t" >>"$list"
    nrep=$(wc -l <"$list" | tr -d ' ')
    if [ "$nrep" -gt 0 ]; then
        if ! xargs "$bin" -timeout=10 -rss_limit_mb=2048 <"$list" >"$log.replay" 2>&1; then
            grep -E 'ERROR|^Running:|property failed|#[0-9]+ 0x' "$log.replay" | tail -25 >&2
            add "$t" "FAIL replay: $(grep '^Running:' "$log.replay" | tail -1 | sed 's/^Running: //') (log $log.replay)"
            fails=$((fails + 1))
            continue
        fi
    fi

    if [ "$secs" -eq 0 ]; then
        add "$t" "replayed $nrep inputs, not fuzzed (0 s)"
        continue
    fi

    run=$root/fuzz/corpus-run/$t
    art=$build/artifacts/$t
    mkdir -p "$run" "$art"
    dict=
    [ -f "$root/fuzz/$t.dict" ] && dict="-dict=$root/fuzz/$t.dict"
    dirs=$run
    for d in "$root/fuzz/corpus/$t" "$root/fuzz/regress/$t"; do
        [ -d "$d" ] && dirs="$dirs $d"
    done
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$secs" -max_len="$(maxlen "$t")" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
        $dict $dirs >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
    if [ $rc -ne 0 ]; then
        crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        grep -E 'ERROR:|property failed|#[0-9]+ 0x' "$log" | head -25 >&2
        add "$t" "FAIL exit $rc: ${crash:-see $log} (execs ${execs:-?}, cov ${cov:-?})"
        fails=$((fails + 1))
    else
        add "$t" "ok ${execs:-?} execs in ${secs}s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}, replayed $nrep"
    fi
done

printf '%s' "$summary"
if [ $fails -gt 0 ]; then
    echo "fuzz: $fails target(s) failed"
    exit 1
fi
echo "fuzz: all targets passed"
exit 0
