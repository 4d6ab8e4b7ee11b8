#!/usr/bin/env bash
# bench/run.sh - throughput benchmark: mailsift against a bare libpcap
# read loop (the floor), tshark and dsniff on synthetic captures.
#
# Run from the repository root:   bench/run.sh
# Quick run:                      BENCH_SIZES=100M bench/run.sh
#
# Environment:
#   BENCH_DIR     where captures are generated and kept (bench/data)
#   BENCH_SIZES   subset of captures: names or tags, comma/space separated,
#                 e.g. "100M", "500M", "1G", "short", "mixed-500M-100", "all"
#   BENCH_RUNS    timed runs per tool (5); one warmup run precedes them
#   BENCH_TSHARK  0 skips tshark (on the 1M-connection captures it reads
#                 the 100k-connection cut of the same generator and its
#                 time is taken x10)
#   BENCH_TSHARK_RUNS  timed runs of tshark's packet list (3), the
#                 median taken: one run moved by a fifth between runs
#   BENCH_TSHARK_SAME  tshark also doing what mailsift does, once each:
#                 -T json for -T json, -q -z credentials for -z creds.
#                 1 (default): on the 1M-connection captures (their cuts),
#                 all: on every capture, 0: never
#   BENCH_DSNIFF  0 skips dsniff (run only when installed)
#   BENCH_CPU     run every tool pinned to this vCPU (taskset -c), unset:
#                 not pinned
#   MAILSIFT      mailsift binary (./mailsift from the repository root)
#   CC            C compiler (cc)
# See bench/README.md for what the captures and the columns are.
set -euo pipefail

# BENCH_CPU=N: every tool on that one vCPU (bench/pin.sh)
. "$(dirname "${BASH_SOURCE[0]}")/pin.sh"
bench_pin "$0" "$@"

caller_pwd=$PWD
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
cd "$root"

abspath() {     # a path given by the caller, made absolute from their cwd
    case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$caller_pwd/$1" ;;
    esac
}

if [ -n "${BENCH_DIR:-}" ]; then data=$(abspath "$BENCH_DIR"); else data=$root/bench/data; fi
if [ -n "${MAILSIFT:-}" ]; then mailsift=$(abspath "$MAILSIFT"); else mailsift=$root/mailsift; fi
runs=${BENCH_RUNS:-5}
truns=${BENCH_TSHARK_RUNS:-3}
want_tshark=${BENCH_TSHARK:-1}
want_dsniff=${BENCH_DSNIFF:-1}
want_same=${BENCH_TSHARK_SAME:-1}
sizes=${BENCH_SIZES:-all}
cc=${CC:-cc}

for t in hyperfine jq /usr/bin/time; do
    command -v "$t" >/dev/null || { echo "run.sh: $t is needed" >&2; exit 1; }
done

# ---------------------------------------------------------------- build
mkdir -p "$data"
cflags=(-std=c11 -O2 -Wall -Wextra -Wpedantic)
echo "== build"
$cc "${cflags[@]}" -o "$bench/gen" "$bench/gen.c"
# shellcheck disable=SC2046
$cc "${cflags[@]}" -o "$bench/floor" "$bench/floor.c" $(pkg-config --cflags --libs libpcap)

# ------------------------------------------------------------- captures
# name | gen arguments
captures=(
    "mixed-100M-20|-M mixed -S 100 -m 20 -s 1"
    "mixed-500M-20|-M mixed -S 500 -m 20 -s 2"
    "mixed-1G-20|-M mixed -S 1000 -m 20 -s 3"
    "mixed-500M-100|-M mixed -S 500 -m 100 -s 4"
    "short-1M|-M short -n 1000000 -s 5"
    "shortauth-1M|-M shortauth -n 1000000 -s 6"
)
# tshark needs ~11 GiB and 6 minutes for a million connections: it reads
# the first tenth's generator run instead (same mode and seed, -n 100000)
# and its time is multiplied by the factor: name|gen arguments|factor
declare -A cut=(
    [short-1M]="short-100k|-M short -n 100000 -s 5|10"
    [shortauth-1M]="shortauth-100k|-M shortauth -n 100000 -s 6|10"
)

selected() {    # is capture $1 in BENCH_SIZES?
    local name=$1 tok part
    for tok in ${sizes//,/ }; do
        [ "$tok" = all ] && return 0
        [ "$tok" = "$name" ] && return 0
        for part in ${name//-/ }; do
            [ "$tok" = "$part" ] && return 0
        done
    done
    return 1
}

chosen=()
for c in "${captures[@]}"; do
    name=${c%%|*}
    if selected "$name"; then chosen+=("$c"); fi
done
if [ ${#chosen[@]} -eq 0 ]; then
    echo "run.sh: BENCH_SIZES=$sizes selects no capture" >&2
    exit 1
fi

echo "== captures in $data"
gen_list=("${chosen[@]}")
if [ "$want_tshark" != 0 ]; then
    for c in "${chosen[@]}"; do
        name=${c%%|*}
        if [ -n "${cut[$name]:-}" ]; then
            k=${cut[$name]}
            gen_list+=("${k%|*}")
        fi
    done
fi
for c in "${gen_list[@]}"; do
    name=${c%%|*}
    args=${c#*|}
    f=$data/$name.pcap
    if [ -s "$f" ]; then
        echo "   $name.pcap exists, kept"
        continue
    fi
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$bench/gen" $args -o "$f.part"
    mv "$f.part" "$f"
    t1=$(date +%s.%N)
    printf '   %s.pcap generated in %.1f s (%s bytes)\n' "$name" \
        "$(echo "$t1 - $t0" | bc)" "$(stat -c %s "$f")"
done

# ------------------------------------------------------------ the tools
have_mailsift=0
if [ -x "$mailsift" ]; then
    have_mailsift=1
else
    echo "== mailsift is missing ($mailsift): its rows are left out;" \
        "build it or set MAILSIFT=path"
fi
have_dsniff=0
if [ "$want_dsniff" != 0 ] && command -v dsniff >/dev/null; then
    have_dsniff=1
fi
have_tshark=0
if [ "$want_tshark" != 0 ] && command -v tshark >/dev/null; then
    have_tshark=1
fi

res=$data/results
mkdir -p "$res"
rows=$res/rows.tsv
: > "$rows"

q() { printf '%q' "$1"; }

# peak RSS in MiB of one run; also notes a non-zero exit
rss_run() {     # rss_run OUTFILE CMD...
    local out=$1
    shift
    local rc=0
    /usr/bin/time -f %M -o "$out" "$@" >/dev/null 2>"$out.stderr" || rc=$?
    echo "$rc" > "$out.rc"
}

for c in "${chosen[@]}"; do
    name=${c%%|*}
    f=$data/$name.pcap
    fq=$(q "$f")
    size=$(stat -c %s "$f")
    read -r _ pkts _ < <("$bench/floor" "$f")
    echo "== $name: $size bytes, $pkts packets"

    names=(floor)
    cmds=("$(q "$bench/floor") $fq > /dev/null")
    if [ $have_mailsift = 1 ]; then
        names+=("mailsift -T json" "mailsift -q -z creds" "mailsift -q -z creds -Y")
        cmds+=("$(q "$mailsift") -r $fq -T json > /dev/null"
            "$(q "$mailsift") -r $fq -q -z creds > /dev/null"
            "$(q "$mailsift") -r $fq -q -z creds -Y 'smtp || pop' > /dev/null")
    fi
    if [ $have_dsniff = 1 ]; then
        names+=("dsniff")
        cmds+=("dsniff -n -p $fq > /dev/null 2>&1")
    fi
    hf=(hyperfine --style basic --warmup 1 --runs "$runs" -i
        --export-json "$res/$name.json")
    for i in "${!names[@]}"; do
        hf+=(-n "${names[$i]}" "${cmds[$i]}")
    done
    "${hf[@]}"

    # peak RSS: one more run of each under /usr/bin/time
    rss_run "$res/$name.floor.rss" "$bench/floor" "$f"
    if [ $have_mailsift = 1 ]; then
        rss_run "$res/$name.ms-json.rss" "$mailsift" -r "$f" -T json
        rss_run "$res/$name.ms-creds.rss" "$mailsift" -r "$f" -q -z creds
        rss_run "$res/$name.ms-filter.rss" "$mailsift" -r "$f" -q -z creds -Y 'smtp || pop'
    fi
    if [ $have_dsniff = 1 ]; then
        rss_run "$res/$name.dsniff.rss" dsniff -n -p "$f"
    fi

    # tshark: its packet list timed by hyperfine, truns runs without a
    # warmup (one would cost as much as a run, and the capture was just
    # made or read), RSS from the last; on a capture with a cut, the
    # cut, its times multiplied
    tfactor=1
    tf=$f
    tnote="median of $truns runs"
    if [ $have_tshark = 1 ]; then
        if [ -n "${cut[$name]:-}" ]; then
            k=${cut[$name]}
            tfactor=${k##*|}
            tf=$data/${k%%|*}.pcap
            tnote="median of $truns runs on ${k%%|*} (same generator, 1/$tfactor of the connections), times x$tfactor; RSS of the cut"
        fi
        rm -f "$res/$name.tshark.rss"
        hyperfine --style basic --runs "$truns" -i --export-json "$res/$name.tshark.json" \
            -n tshark "/usr/bin/time -f %M -o $(q "$res/$name.tshark.rss") \
tshark -r $(q "$tf") -Y 'smtp || pop' > /dev/null 2>&1"
        # the same task as mailsift's: JSON of the mail packets, and
        # tshark's credentials tap (one run each, on the same file)
        same=0
        case $want_same in
        all) same=1 ;;
        0) ;;
        *) [ -n "${cut[$name]:-}" ] && same=1 ;;
        esac
        rm -f "$res/$name.tshark-same.json"
        if [ $same = 1 ]; then
            hyperfine --style basic --runs 1 -i --export-json "$res/$name.tshark-same.json" \
                -n "tshark -T json" "tshark -r $(q "$tf") -Y 'smtp || pop' -T json > /dev/null 2>&1" \
                -n "tshark -z credentials" "tshark -r $(q "$tf") -q -z credentials > /dev/null 2>&1"
        fi
    fi

    med() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median' "$2"; }
    # CPU seconds: user + system, hyperfine's means over the runs
    cpu() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .user + .system' "$2"; }
    codes() { jq -r --arg n "$1" '.results[] | select(.command == $n) | [.exit_codes[] | select(. != 0)] | length' "$2"; }
    rssof() { if [ -s "$1" ]; then tail -n 1 "$1"; else echo ""; fi; }

    floor_med=$(med floor "$res/$name.json")
    tshark_med=""
    tshark_cpu=""
    tjson_med=""
    tcred_med=""
    if [ $have_tshark = 1 ]; then
        tshark_med=$(echo "$(med tshark "$res/$name.tshark.json") * $tfactor" | bc -l)
        tshark_cpu=$(echo "$(cpu tshark "$res/$name.tshark.json") * $tfactor" | bc -l)
        if [ -s "$res/$name.tshark-same.json" ]; then
            tjson_med=$(echo "$(med "tshark -T json" "$res/$name.tshark-same.json") * $tfactor" | bc -l)
            tcred_med=$(echo "$(med "tshark -z credentials" "$res/$name.tshark-same.json") * $tfactor" | bc -l)
        fi
    fi

    emit() {    # emit TOOL MEDIAN RSSKB NOTE CPU [TSHARK-SAME-TASK-MEDIAN]
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$size" "$pkts" \
            "$1" "$2" "$3" "$floor_med" "$tshark_med" "$4" "$5" "$tshark_cpu" "${6:-}" >> "$rows"
    }
    emit floor "$floor_med" "$(rssof "$res/$name.floor.rss")" "" "$(cpu floor "$res/$name.json")"
    if [ $have_mailsift = 1 ]; then
        for t in "mailsift -T json:ms-json" "mailsift -q -z creds:ms-creds" \
                 "mailsift -q -z creds -Y:ms-filter"; do
            tn=${t%%:*}
            tf=${t#*:}
            note=""
            m=$(med "$tn" "$res/$name.json")
            c=$(cpu "$tn" "$res/$name.json")
            rss=$(rssof "$res/$name.$tf.rss")
            fails=$(codes "$tn" "$res/$name.json")
            rssrc=$(cat "$res/$name.$tf.rss.rc")
            if [ "$fails" != 0 ] || [ "$rssrc" != 0 ]; then
                # a failed run's time means nothing: show no figures
                note="FAILED: exit!=0 in $fails of $runs timed runs, RSS run exit $rssrc"
                m=""
                c=""
                rss=""
            fi
            case $tn in
            *json) tsame=$tjson_med ;;
            *) tsame=$tcred_med ;;
            esac
            emit "$tn" "$m" "$rss" "$note" "$c" "$tsame"
        done
    else
        emit "mailsift" "" "" "missing"
    fi
    if [ $have_dsniff = 1 ]; then
        emit dsniff "$(med dsniff "$res/$name.json")" \
            "$(rssof "$res/$name.dsniff.rss")" "" "$(cpu dsniff "$res/$name.json")"
    fi
    if [ $have_tshark = 1 ]; then
        emit tshark "$tshark_med" "$(rssof "$res/$name.tshark.rss")" "$tnote" "$tshark_cpu"
        if [ -n "$tjson_med" ]; then
            # one run each (tnote is the packet list's)
            sn=${tnote/median of $truns runs/1 run}
            sn=${sn/RSS of the cut/}
            sn=${sn%; }
            emit "tshark -T json" "$tjson_med" "" "$sn" \
                "$(echo "$(cpu "tshark -T json" "$res/$name.tshark-same.json") * $tfactor" | bc -l)"
            emit "tshark -q -z credentials" "$tcred_med" "" "$sn" \
                "$(echo "$(cpu "tshark -z credentials" "$res/$name.tshark-same.json") * $tfactor" | bc -l)"
        fi
    fi
done

# ---------------------------------------------------------------- table
table=$res/summary.md
{
    echo "## mailsift benchmark"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc --all) CPUs," \
        "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')," \
        "hyperfine: $runs runs after 1 warmup (tshark's packet list: median of $truns runs; tshark doing the same task: 1 run)"
    echo
    echo "$(cut -d' ' -f1-3 /proc/loadavg) load average at the end (the machine is shared: CPU seconds are steadier than wall time)"
    echo
    if [ -n "${BENCH_CPU:-}" ]; then
        echo "Every tool pinned to vCPU $BENCH_CPU (BENCH_CPU)."
        echo
    fi
    echo "tshark/mailsift: tshark -Y 'smtp || pop' (its packet list) over mailsift. Same task: tshark -Y 'smtp || pop' -T json over mailsift -T json, and tshark -q -z credentials (its credentials tap, which does not list SMTP AUTH PLAIN logins) over mailsift -z creds"
    echo
    echo "| capture | size MB | packets | tool | median wall s | CPU s | MB/s | packets/s | peak RSS MiB | ratio vs floor | tshark/mailsift wall | tshark/mailsift CPU | same task: tshark/mailsift wall |"
    echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '
    function fmt(x, d) { return x == "" ? "-" : sprintf("%." d "f", x) }
    {
        cap = $1; size = $2; pk = $3; tool = $4; med = $5; rss = $6
        fl = $7; ts = $8; note = $9; cpu = $10; tcpu = $11; tsame = $12
        if (med == "" || med == "null") {
            printf "| %s | %.1f | %d | %s | %s | - | - | - | - | - | - | - | - |\n", cap, size / 1e6, pk, tool, (note != "" ? note : "-")
            next
        }
        mbs = size / 1e6 / med
        pps = pk / med
        r = (fl != "" && fl > 0) ? sprintf("%.2f", med / fl) : "-"
        rt = "-"
        rc = "-"
        if (tool ~ /^mailsift/ && ts != "" && ts != "null")
            rt = sprintf("%.1f", ts / med)
        if (tool ~ /^mailsift/ && tcpu != "" && cpu != "" && cpu > 0)
            rc = sprintf("%.1f", tcpu / cpu)
        rs = (rss == "") ? "-" : sprintf("%.1f", rss / 1024)
        if (note != "")
            tool = tool " (" note ")"
        cs = (cpu == "") ? "-" : sprintf("%.2f", cpu)
        rsame = (tool ~ /^mailsift/ && tsame != "" && tsame != "null") ? sprintf("%.1f", tsame / med) : "-"
        printf "| %s | %.1f | %d | %s | %.3f | %s | %.0f | %.0f | %s | %s | %s | %s | %s |\n", cap, size / 1e6, pk, tool, med, cs, mbs, pps, rs, r, rt, rc, rsame
    }' "$rows"
    if [ $have_mailsift = 0 ]; then
        echo
        echo "mailsift is missing ($mailsift): only the floor and the other tools were run."
    fi
} > "$table"
echo
cat "$table"
echo
echo "(table saved in $table; hyperfine JSON in $res)"
