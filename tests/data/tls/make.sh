#!/bin/bash
# Record the TLS fixtures: real openssl s_server / s_client over loopback in a
# private network namespace, captured with tcpdump, secrets from
# s_client -keylogfile. Runs as root (unshare); ~40 s.
#
#   tests/data/tls/make.sh            # every fixture
#   tests/data/tls/make.sh NAME ...   # only some (names in README.md)
#
# For each NAME it writes NAME.pcap, NAME.keys (the key log) and NAME.c2s /
# NAME.s2c: the application data the client sent and the server sent back,
# all connections of the capture in order. s_server -rev answers each line
# with the line reversed, so both directions carry known text. A line "k" or
# "K" alone is not sent: s_client turns it into a TLS 1.3 KeyUpdate (K also
# asks the server to update). Randoms, keys and TCP ports change every run;
# the plaintext does not.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ALL="tls13-aes128gcm tls13-aes256gcm tls13-chacha20 tls13-keyupdate tls13-hrr
 tls13-early tls12-ecdhe-aes128gcm tls12-ecdhe-chacha20 tls12-ecdhe-aes256cbc-etm
 tls12-ecdhe-aes256cbc-mte tls12-rsa-aes128sha tls12-dhe-aes256sha256
 tls12-resume-id tls12-resume-ticket tls12-sessid tls12-reneg tls11-aes256sha
 tls10-aes128sha bad"
PORT=4433

log() { printf '[tls-fixtures] %s\n' "$*" >&2; }

if [ -z "${TLSFIX_IN_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "make.sh: must run as root (unshare --net)" >&2; exit 1; }
    for c in openssl tcpdump python3 ip unshare; do
        command -v $c >/dev/null || { echo "make.sh: needs $c" >&2; exit 1; }
    done
    TLSFIX_IN_NS=1 exec unshare --net bash "$0" "$@"
fi

# ------------------------------------------------------------- inside ----
# The same configuration everywhere: no distribution openssl.cnf (Debian's
# raises the security level, which forbids TLS 1.0/1.1).
export OPENSSL_CONF=/dev/null
ip link set lo up
# Segments of at most 1448 payload bytes, as on a real NIC, so the
# certificate flight spans several segments.
ip link set lo mtu 1500
ip link set dev lo gso_max_size 1500 gso_max_segs 1 2>/dev/null || true

W=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT
cd "$W" || exit 1

# A two-certificate chain: CA -> server, RSA 2048 (RSA key exchange needs
# an RSA certificate).
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
    -subj "/C=XX/O=mailsift test CA/CN=mailsift test root" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
    -subj "/C=XX/O=mailsift/CN=mail.example.test" 2>/dev/null
printf 'subjectAltName=DNS:mail.example.test\n' >ext.cnf
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 3650 -out srv.pem -extfile ext.cnf 2>/dev/null

CAP_PID=""
cap_start() {
    rm -f cap.pcap cap.err
    tcpdump -Z root -U --immediate-mode -i lo -w cap.pcap "tcp port $PORT" 2>cap.err &
    CAP_PID=$!
    for _ in $(seq 1 50); do
        grep -q 'listening on' cap.err 2>/dev/null && { sleep 0.2; return 0; }
        sleep 0.1
    done
    log "tcpdump did not start"; cat cap.err >&2; exit 1
}
cap_stop() {
    sleep 0.5
    kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null
}

SRV_PID=""
srv_start() { # naccept opts...
    local n=$1; shift
    openssl s_server -accept $PORT -cert srv.pem -key srv.key -cert_chain ca.pem \
        -rev -naccept "$n" "$@" >srv.out 2>&1 </dev/null &
    SRV_PID=$!
    for _ in $(seq 1 50); do
        grep -q ACCEPT srv.out 2>/dev/null && return 0
        sleep 0.1
    done
    log "s_server did not start"; cat srv.out >&2; exit 1
}
srv_wait() {
    for _ in $(seq 1 50); do
        kill -0 "$SRV_PID" 2>/dev/null || return 0
        sleep 0.1
    done
    kill "$SRV_PID" 2>/dev/null; wait "$SRV_PID" 2>/dev/null
}

# Feed lines to s_client, one every 0.2 s, then wait for the replies.
feed() {
    sleep 0.3
    for l in "$@"; do
        printf '%s\n' "$l"
        sleep 0.2
    done
    sleep 0.4
}

# Expected plaintext for the lines of one connection, appended.
expect() { # name lines...
    local n=$1; shift
    for l in "$@"; do
        case $l in k|K|R) continue ;; esac
        printf '%s\n' "$l" >>"$n.c2s"
        printf '%s\n' "$l" | rev >>"$n.s2c"
    done
}

client() { # name "lines" opts...   (lines: one string, | separated)
    local n=$1 lines=$2 arr; shift 2
    IFS='|' read -r -a arr <<<"$lines"
    feed "${arr[@]}" | openssl s_client -connect 127.0.0.1:$PORT \
        -servername mail.example.test -keylogfile "$n.keys" $CMDS "$@" >>"$n.client" 2>&1
    expect "$n" "${arr[@]}"
}

# Both sides send their own lines: the server's come from a FIFO on its
# stdin (s_server -rev cannot do 0-RTT, and answers late around a
# KeyUpdate). Up to two connections: clines slines sopts copts [clines2
# slines2 copts2]; the server lines of each connection are written while
# its client runs.
duplex() {
    local n=$1 c1=$2 s1=$3 so=$4 co=$5 c2=${6:-} s2=${7:-} co2=${8:-} arr sarr nacc=1
    [ -n "$c2" ] && nacc=2
    rm -f "$n".* sess.pem sin
    mkfifo sin
    cap_start
    # shellcheck disable=SC2086
    openssl s_server -accept $PORT -cert srv.pem -key srv.key -cert_chain ca.pem \
        -naccept $nacc $so <sin >srv.out 2>&1 &
    SRV_PID=$!
    exec 3>sin
    sleep 0.5
    for conn in 1 2; do
        local cl=$c1 sl=$s1 opts=$co
        if [ $conn = 2 ]; then
            [ -n "$c2" ] || break
            cl=$c2 sl=$s2 opts=$co2
        fi
        IFS='|' read -r -a arr <<<"$cl"
        IFS='|' read -r -a sarr <<<"$sl"
        ( sleep 0.45; for l in "${sarr[@]}"; do printf '%s\n' "$l" >&3; sleep 0.25; done ) &
        # shellcheck disable=SC2086
        ( sleep 0.3; for l in "${arr[@]}"; do printf '%s\n' "$l"; sleep 0.25; done; sleep 1.2 ) \
            | openssl s_client -connect 127.0.0.1:$PORT -servername mail.example.test \
                -keylogfile "$n.keys" $opts >>"$n.client" 2>&1
        wait $!
        for l in "${arr[@]}"; do
            case $l in k|K) ;; *) printf '%s\n' "$l" >>"$n.c2s" ;; esac
        done
        for l in "${sarr[@]}"; do
            case $l in k|K) ;; *) printf '%s\n' "$l" >>"$n.s2c" ;; esac
        done
    done
    exec 3>&-
    srv_wait
    cap_stop
}

# Lines starting with Q, R, k or K are s_client commands (quit,
# renegotiate, key update): -nocommands where they must be sent.
CMDS=-nocommands
L1="EHLO client.example|MAIL FROM:<user1@example.test>|RCPT TO:<carol@example.test>|QUIT"
L2="EHLO again.example|NOOP|QUIT"

save() { # name
    local n=$1
    cp cap.pcap "$HERE/$n.pcap"
    cp "$n.keys" "$HERE/$n.keys"
    cp "$n.c2s" "$HERE/$n.c2s"
    cp "$n.s2c" "$HERE/$n.s2c"
    log "$n: $(stat -c %s "$HERE/$n.pcap") bytes, $(grep -c . "$n.keys") key lines"
}

one() { # name server-opts client-opts (space separated words)
    local n=$1 so=$2 co=$3
    rm -f "$n".*
    cap_start
    # shellcheck disable=SC2086
    srv_start 1 $so
    # shellcheck disable=SC2086
    client "$n" "$L1" $co
    srv_wait
    cap_stop
    save "$n"
}

two() { # name server-opts client-opts: a full handshake, then a resumption
    local n=$1 so=$2 co=$3
    rm -f "$n".* sess.pem
    cap_start
    # shellcheck disable=SC2086
    srv_start 2 $so
    # shellcheck disable=SC2086
    client "$n" "$L1" $co -sess_out sess.pem
    # shellcheck disable=SC2086
    client "$n" "$L2" $co -sess_in sess.pem
    srv_wait
    cap_stop
    grep -q '^Reused' "$n.client" || log "$n: WARNING: second connection not resumed"
    save "$n"
}

mk() {
    case $1 in
    tls13-aes128gcm) one "$1" "" "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256" ;;
    tls13-aes256gcm) one "$1" "" "-tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384" ;;
    tls13-chacha20) one "$1" "" "-tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256" ;;
    tls13-keyupdate)
        # KeyUpdate both ways: "k" updates the sender's keys, "K" also asks
        # the peer to update (OpenSSL logs each new secret as
        # *_TRAFFIC_SECRET_N, which mailsift ignores: it derives them).
        duplex "$1" "EHLO client.example|k|MAIL FROM:<user1@example.test>|K|rcpt to:<carol@example.test>|k|quit" \
            "220 mail.example.test ESMTP|k|250 ok|250 ok|K|221 bye" "" "-tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256"
        save "$1"
        ;;
    tls13-hrr)
        # The client's first key share (P-256) is not one the server takes:
        # HelloRetryRequest, a second ClientHello, then X25519.
        one "$1" "-groups X25519" "-tls1_3 -groups P-256:X25519" ;;
    tls13-early)
        # Resumption with 0-RTT data in the second connection: encrypted with
        # the client early traffic secret, sent before the ServerHello.
        printf 'EARLY DATA\n' >early.txt
        duplex "$1" "EHLO client.example|quit" "220 first" "-early_data" "-tls1_3 -sess_out sess.pem" \
            "EHLO again.example|quit" "220 second" "-tls1_3 -sess_in sess.pem -early_data early.txt"
        grep -q '^Reused' "$1.client" || log "$1: WARNING: not resumed"
        # The early data comes first in the second connection.
        { printf 'EHLO client.example\nquit\n'; cat early.txt
          printf 'EHLO again.example\nquit\n'; } >"$1.c2s"
        save "$1"
        ;;
    tls12-ecdhe-aes128gcm) one "$1" "" "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256" ;;
    tls12-ecdhe-chacha20) one "$1" "" "-tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305" ;;
    tls12-ecdhe-aes256cbc-etm) one "$1" "" "-tls1_2 -cipher ECDHE-RSA-AES256-SHA384" ;;
    tls12-ecdhe-aes256cbc-mte) one "$1" "" "-tls1_2 -cipher ECDHE-RSA-AES256-SHA384 -no_etm" ;;
    tls12-rsa-aes128sha) one "$1" "" "-tls1_2 -cipher AES128-SHA -no_etm" ;;
    tls12-dhe-aes256sha256) one "$1" "" "-tls1_2 -cipher DHE-RSA-AES256-SHA256" ;;
    tls12-resume-id) two "$1" "-no_ticket" "-tls1_2" ;;
    tls12-resume-ticket) two "$1" "" "-tls1_2" ;;
    tls12-sessid)
        # Same as tls12-ecdhe-aes128gcm, but the secrets kept are only the
        # s_client session printout (Session-ID / Master-Key) in NAME.keys,
        # and the Wireshark "RSA Session-ID:.. Master-Key:.." line in
        # NAME.wskeys. -no_ticket: the server assigns a session id.
        one "$1" "-no_ticket" "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256"
        sed -n '/^SSL-Session:/,/^    Extended master secret/p' "$1.client" \
            | grep -v '^    [0-9a-f]\{4\} - ' >"$HERE/$1.keys"
        sid=$(sed -n 's/^    Session-ID: \([0-9A-F]*\)$/\1/p' "$1.client" | head -1)
        mk=$(sed -n 's/^    Master-Key: \([0-9A-F]*\)$/\1/p' "$1.client" | head -1)
        printf 'RSA Session-ID:%s Master-Key:%s\n' "$sid" "$mk" >"$HERE/$1.wskeys"
        ;;
    tls12-reneg)
        # Client-initiated renegotiation ("R" at s_client's stdin): a
        # second handshake inside the first one's encryption, then new
        # keys; s_client logs a CLIENT_RANDOM line for each handshake.
        rm -f "$1".*
        cap_start
        srv_start 1 -client_renegotiation
        CMDS=""
        client "$1" "EHLO client.example|R|MAIL FROM:<user1@example.test>|rcpt to:<carol@example.test>|quit" \
            -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
        CMDS=-nocommands
        srv_wait
        cap_stop
        save "$1"
        ;;
    tls11-aes256sha) one "$1" "-cipher ALL@SECLEVEL=0" "-tls1_1 -cipher AES256-SHA@SECLEVEL=0 -no_etm" ;;
    tls10-aes128sha) one "$1" "-cipher ALL@SECLEVEL=0" "-tls1 -cipher AES128-SHA@SECLEVEL=0 -no_etm" ;;
    bad)
        # Negative inputs derived from tls13-aes128gcm and
        # tls12-ecdhe-aes128gcm (run those first).
        python3 "$HERE/mkbad.py" "$HERE"
        log "bad: $(ls "$HERE"/bad-* | wc -l) files"
        ;;
    *) log "unknown fixture $1"; exit 2 ;;
    esac
}

[ $# -gt 0 ] || set -- $ALL
for n in "$@"; do
    mk "$n"
done
