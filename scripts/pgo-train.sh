#!/bin/sh
# pgo-train.sh BIN GEN DIR - the training run of the profile-guided
# build (Makefile, PGO): BIN is mailsift built with -fprofile-generate,
# GEN is bench/gen, DIR a scratch directory. What BIN does here is what
# the optimized build is laid out for, so it is what users run: the
# text table, JSON lines and the credentials report, over the generator's
# many short sessions (with and without logins) and a mixed capture, and
# over every real capture in samples/ (SMTP, POP3, IMAP, TLS with keys,
# telnet typing). Exits non-zero only if BIN or GEN cannot run at all;
# a sample that BIN rejects still trains the error path.
set -eu

bin=$1 gen=$2 dir=$3
mkdir -p "$dir"
"$gen" -M short -n 4000 -s 11 -o "$dir/short.pcap"
"$gen" -M shortauth -n 4000 -s 12 -o "$dir/shortauth.pcap"
"$gen" -M mixed -S 20 -m 20 -s 13 -o "$dir/mixed.pcap"

for f in "$dir/short.pcap" "$dir/shortauth.pcap" "$dir/mixed.pcap"; do
    "$bin" -r "$f" -T json >/dev/null
    "$bin" -r "$f" -T text >/dev/null
    "$bin" -r "$f" -q -z creds >/dev/null
done

for f in samples/*.pcap samples/*.pcapng; do
    [ -f "$f" ] || continue
    k=${f%.*}.keys
    if [ -f "$k" ]; then
        set -- --tls-keylog "$k"
    else
        set --
    fi
    "$bin" -r "$f" "$@" -T json >/dev/null 2>&1 || true
    "$bin" -r "$f" "$@" >/dev/null 2>&1 || true
done
rm -f "$dir/short.pcap" "$dir/shortauth.pcap" "$dir/mixed.pcap"
