# bench/pin.sh - sourced by run.sh and tls.sh: with BENCH_CPU=N the
# script runs again under taskset, every tool it starts on vCPU N. On
# shared vCPUs one of them can run a third slower than the other for
# minutes; pinned, tshark and mailsift at least share the same one.
#   . "$(dirname "${BASH_SOURCE[0]}")/pin.sh"; bench_pin "$0" "$@"
bench_pin() {
    if [ -n "${BENCH_CPU:-}" ] && [ -z "${BENCH_PINNED:-}" ]; then
        command -v taskset >/dev/null || { echo "${1##*/}: BENCH_CPU needs taskset" >&2; exit 1; }
        BENCH_PINNED=1 exec taskset -c "$BENCH_CPU" "$@"
    fi
}
