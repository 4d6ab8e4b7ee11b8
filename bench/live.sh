#!/usr/bin/env bash
# bench/live.sh - live capture without drops: a capture is replayed with
# tcpreplay into one end of a veth pair, inside a network namespace this
# script makes (and removes), and mailsift, tcpdump and tshark in turn
# capture on the other end. For each rate: what tcpreplay reached, and
# what each tool says it captured and the kernel dropped.
#
# Run from the repository root, as root:   bench/live.sh
#
# Environment:
#   BENCH_DIR    where the capture is (generated if missing) and results/ go
#   LIVE_FILE    capture to replay (BENCH_DIR/mixed-1G-20.pcap, made with
#                gen -M mixed -S 1000 -m 20 -s 3: ~1 GB, 1.08 M packets)
#   LIVE_RATES   rates, Mbit/s or "top" (tcpreplay --topspeed):
#                "250 500 1000 top"
#   LIVE_TOOLS   "mailsift tcpdump tshark"
#   LIVE_LIMIT   replay only the first N packets (0: all)
#   MAILSIFT     mailsift binary (./mailsift)
#
# The tools run as they are used: mailsift -i msb -T json > /dev/null
# (its default capture filter, TCP on the mail ports, and its default
# 32 MiB buffer), tcpdump -i msb -w /dev/null (no filter, its 2 MiB
# default buffer), tshark -i msb -Y 'smtp || pop' > /dev/null. Traffic
# stays inside the namespace: the veth pair is its only link.
set -euo pipefail

caller_pwd=$PWD
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
cd "$root"
abspath() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$caller_pwd/$1" ;; esac; }
if [ -n "${BENCH_DIR:-}" ]; then data=$(abspath "$BENCH_DIR"); else data=$root/bench/data; fi
if [ -n "${MAILSIFT:-}" ]; then mailsift=$(abspath "$MAILSIFT"); else mailsift=$root/mailsift; fi
file=${LIVE_FILE:-$data/mixed-1G-20.pcap}
rates=${LIVE_RATES:-250 500 1000 top}
tools=${LIVE_TOOLS:-mailsift tcpdump tshark}
limit=${LIVE_LIMIT:-0}

[ "$(id -u)" = 0 ] || { echo "live.sh: needs root (network namespace, capture)" >&2; exit 2; }
for t in tcpreplay ip; do
    command -v $t >/dev/null || { echo "live.sh: $t is needed (apt-get install tcpreplay iproute2)" >&2; exit 2; }
done
mkdir -p "$data/results"
if [ ! -s "$file" ]; then
    cc -std=c11 -O2 -o "$bench/gen" "$bench/gen.c"
    "$bench/gen" -M mixed -S 1000 -m 20 -s 3 -o "$file.part"
    mv "$file.part" "$file"
fi

ns=msbench$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add msa type veth peer name msb
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
# room for the capture's largest frames (1448-byte segments over IPv6)
ip -n "$ns" link set msa mtu 9000
ip -n "$ns" link set msb mtu 9000
ip -n "$ns" link set lo up
ip -n "$ns" link set msa up
ip -n "$ns" link set msb up
ip netns exec "$ns" ethtool -K msa tso off gso off >/dev/null 2>&1 || true
nx() { ip netns exec "$ns" "$@"; }

res=$data/results
rows=$res/live.tsv
: > "$rows"
lim=()
[ "$limit" != 0 ] && lim=(--limit "$limit")

# count LINE_REGEX FILE: the number on the last line that matches
count() { grep -E "$1" "$2" | tail -n 1 | grep -oE '^[0-9]+' || echo 0; }

for rate in $rates; do
    if [ "$rate" = top ]; then speed=(--topspeed); else speed=(--mbps "$rate"); fi
    for tool in $tools; do
        out=$res/live.$tool.$rate
        case $tool in
        mailsift) ip netns exec "$ns" "$mailsift" -i msb -T json > /dev/null 2> "$out.err" & ;;
        tcpdump) ip netns exec "$ns" tcpdump -n -i msb -w /dev/null 2> "$out.err" & ;;
        tshark) ip netns exec "$ns" tshark -n -i msb -Y 'smtp || pop' > /dev/null 2> "$out.err" & ;;
        *) echo "live.sh: unknown tool $tool" >&2; exit 2 ;;
        esac
        pid=$!
        # ready: tcpdump and tshark say so; mailsift is once it is running
        for _ in $(seq 1 60); do
            case $tool in
            tcpdump) grep -qs 'listening on' "$out.err" && break ;;
            tshark) grep -qs 'Capturing on' "$out.err" && break ;;
            *) [ $_ -ge 4 ] && break ;;
            esac
            sleep 0.5
        done
        sleep 1
        nx tcpreplay -i msa "${speed[@]}" "${lim[@]}" "$file" > "$out.replay" 2>&1 || true
        sleep 2
        # SIGTERM: each tool ends its capture and prints its counts on it
        # (SIGINT is ignored by commands started in the background)
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        sent=$(grep -oE 'Actual: [0-9]+ packets' "$out.replay" | grep -oE '[0-9]+' || echo 0)
        mbps=$(grep -oE '[0-9.]+ Mbps' "$out.replay" | head -1 | grep -oE '[0-9.]+' || echo 0)
        pps=$(grep -oE '[0-9.]+ pps' "$out.replay" | head -1 | grep -oE '[0-9.]+' || echo 0)
        case $tool in
        tshark)
            capd=$(count 'packets? captured' "$out.err")
            recv=-
            drop=$(count 'packets? dropped' "$out.err") ;;
        *)
            capd=$(count 'packets? captured' "$out.err")
            recv=$(count 'received by filter' "$out.err")
            drop=$(count 'dropped by kernel' "$out.err")
            ifd=$(count 'dropped by interface' "$out.err")
            drop=$((drop + ifd)) ;;
        esac
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rate" "$tool" "$sent" "$mbps" \
            "$pps" "$capd" "$recv" "$drop" >> "$rows"
        printf '%-5s %-9s sent %s at %s Mbit/s (%s pkt/s): captured %s, received by filter %s, dropped %s\n' \
            "$rate" "$tool" "$sent" "$mbps" "$pps" "$capd" "$recv" "$drop"
    done
done

table=$res/live.md
{
    echo "## live capture: $(basename "$file") replayed into a veth pair"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| rate asked | tool | packets sent | Mbit/s reached | packets/s | captured | received by filter | dropped (kernel + interface) |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1 == "top" ? "topspeed" : $1 " Mbit/s", $2, $3, $4, $5, $6, $7, $8 }' "$rows"
    echo
    echo "Highest rate with no drop:"
    for tool in $tools; do
        best=$(awk -F'\t' -v t="$tool" '$2 == t && $8 == 0 && $4 + 0 > m { m = $4 + 0 } END { print m + 0 }' "$rows")
        echo "- $tool: $best Mbit/s"
    done
} > "$table"
echo
cat "$table"
