#!/bin/sh
# lint.sh - what HACKING.md says about the code, checked: calls that have
# bitten parsers, non-literal printw formats, the layering of the
# directories, who may exit, where protocol ids may appear, and that the
# binary header parsers read packets only through rd.h.
set -u
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0

# check NAME CMD...: CMD prints offending lines (and the check fails) or
# prints nothing.
check() {
    name=$1
    shift
    out=$("$@" 2>/dev/null)
    if [ -n "$out" ]; then
        echo "FAIL lint: $name"
        echo "$out" | sed 's/^/    /'
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

src=$(ls main.c capture/*.c dissect/*.c ui/*.c fuzz/*.c bench/*.c 2>/dev/null)
# shellcheck disable=SC2086
check "unbounded or unchecked libc calls (sprintf, strcpy, atoi ...)" \
    grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|gets|atoi|atol|sscanf|alloca)[[:space:]]*\(' $src
# shellcheck disable=SC2086
check "printw with a non-literal format" sh -c \
    "grep -nE '\b(mv)?w?printw[[:space:]]*\([^\"]*,?[[:space:]]*[a-z_]+[[:space:]]*\)' $src | grep -v '\"'"
# Layering: packet -> flow -> stream -> protocol -> record -> view.
check "dissect/ includes capture/, ui/, curses or pcap" \
    grep -nE '#include ("\.\./(ui|capture)/|<(n?curses|pcap))' dissect/*.c dissect/*.h
check "capture/ includes ui/ or curses" \
    grep -nE '#include ("\.\./ui/|<n?curses)' capture/*.c capture/*.h
check "ui/ includes capture/ (other than the plain status struct) or pcap" sh -c \
    "grep -nE '#include (\"\.\./capture/|<pcap)' ui/*.c ui/*.h | grep -v '\"\.\./capture/status\.h\"'"
check "ui/ runs the capture or the dissector itself" \
    grep -nE '\b(cap_next|cap_open_[a-z]+|dis_packet|dis_new|pump_[a-z]+)[[:space:]]*\(' ui/*.c
# Nothing under capture/, dissect/ or ui/ exits: main.c decides.
check "exit or abort outside main.c" \
    grep -nE '\b(exit|_exit|abort)[[:space:]]*\(' capture/*.c dissect/*.c ui/*.c
# A protocol is named only in the table and in its own file.
check "protocol ids outside proto.c and the protocol's own file" sh -c \
    "grep -nE '\bPROTO_(SMTP|POP)\b' main.c capture/*.c ui/*.c ui/*.h dissect/*.c | grep -vE '^dissect/(proto|smtp|pop3)\.c:'"
# Binary headers (link, IP, TCP) are read only through rd.h.
check "packet bytes indexed outside rd.h in a header parser" \
    grep -nE '(\b(p|l3|data|pkt)\[|rd_cur\([^)]*\)\[)' capture/link.c dissect/eth.h dissect/ip.c dissect/tunnel.c
# --stats names every anomaly, and the man page explains each one.
check "anomalies missing from the man page" sh -c \
    "sed -n 's/^ *X([A-Z0-9_]*, \"\\([a-z0-9_]*\\)\".*/\\1/p' dissect/anom.h | while read -r a; do grep -q \"^\$a \" mailsift.1 || echo \"\$a\"; done"
echo "lint: $pass passed, $fail failed"
[ "$fail" = 0 ]
