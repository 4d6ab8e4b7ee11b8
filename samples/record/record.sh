#!/bin/bash
# Record the mailsift sample captures from REAL servers and REAL clients.
#
#   samples/record/record.sh [SCENARIO ...]     (default: all, in order)
#
# Scenarios: lab-pop3-telnet smtp-auth-login smtp-pipelining pop3-session
#   pop3-auth smtp-auth-mechs oauth smtp-telnet mixed-ipv6 lab-pcapng sll2-any
#   starttls lab-pop3-telnet-reordered
#   and those of the scenario files sc_*.sh beside this script (each lists
#   its own at its top and appends them to ALL): TLS (sc_tls.sh), IMAP
#   (sc_imap.sh), international mail (sc_intl.sh).
#
# Environment: MS_KEEP=1 keeps the scratch dir (client/server logs);
# MS_OUT=DIR writes the captures to DIR instead of samples/;
# MS_SERVERS=DIR records against servers already running in this namespace
# (started by serve.sh or ms_servers_start DIR) instead of starting its own.
#
# Runs as root.  Installs missing Debian packages (apt-get install -y), then
# re-executes itself inside a private network+mount+UTS namespace (hostname
# mail.example.test, lo up, lo MTU 1500 with GSO limited to 1 segment so big
# transfers are cut into ~1448-byte segments like on a real NIC), starts
# Dovecot + Postfix from servers.sh with temporary config dirs, captures each
# scenario with tcpdump on lo into samples/, stops everything.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "${MS_OUT:-$HERE/..}" && pwd) || exit 1
ALL="lab-pop3-telnet smtp-auth-login smtp-pipelining pop3-session pop3-auth
 smtp-auth-mechs oauth smtp-telnet mixed-ipv6 lab-pcapng sll2-any starttls
 lab-pop3-telnet-reordered"
# scenario files: define sc_NAME functions and add their names to ALL
for f in "$HERE"/sc_*.sh; do [ -e "$f" ] && . "$f"; done

log() { printf '[record %s] %s\n' "$(date +%T)" "$*" >&2; }

if [ -z "${MS_IN_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "record.sh: must run as root" >&2; exit 1; }
    # command -> Debian package
    need="dovecot:dovecot-core /usr/lib/dovecot/pop3:dovecot-pop3d postfix:postfix
          /usr/lib/dovecot/imap:dovecot-imapd
          swaks:swaks /usr/share/perl5/IO/Socket/SSL.pm:libio-socket-ssl-perl
          /usr/share/perl5/IO/Socket/INET6.pm:libio-socket-inet6-perl
          expect:expect telnet:inetutils-telnet tcpdump:tcpdump curl:curl
          tshark:tshark editcap:wireshark-common capinfos:wireshark-common
          python3:python3 openssl:openssl ss:iproute2 ip:iproute2 unshare:util-linux"
    missing=""
    for n in $need; do
        c=${n%%:*}; p=${n#*:}
        if [ "${c#/}" != "$c" ]; then [ -e "$c" ] && continue
        else command -v "$c" >/dev/null 2>&1 && continue; fi
        case " $missing " in *" $p "*) ;; *) missing="$missing $p";; esac
    done
    if [ -n "$missing" ]; then
        log "installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        # postfix: do not let the package configure a system-wide instance
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
        apt-get update -qq && apt-get install -y -qq $missing >&2 || exit 1
    fi
    t0=$(date +%s)
    MS_IN_NS=1 unshare --net --mount --uts bash "$0" "$@"
    rc=$?
    log "done in $(( $(date +%s) - t0 )) s (rc=$rc)"
    exit $rc
fi

# ------------------------------------------------------------------ inside ----
net_setup() {
    ip link set lo up
    ip link set lo mtu 1500
    ip link set dev lo gso_max_size 1500 gso_max_segs 1 2>/dev/null || \
        { command -v ethtool >/dev/null && ethtool -K lo tso off gso off; } || \
        log "warning: could not limit GSO on lo; big transfers may be one segment"
}

CAP_PID=""
cap_start() { # tmpfile filter [tcpdump options...]
    local f=$1 filt=$2; shift 2
    rm -f "$f" "$f.err"
    tcpdump -Z root -U --immediate-mode -B 65536 "$@" -w "$f" "$filt" 2>"$f.err" &
    CAP_PID=$!
    local i
    for i in $(seq 1 50); do
        grep -q 'listening on' "$f.err" 2>/dev/null && { sleep 0.3; return 0; }
        sleep 0.1
    done
    log "tcpdump did not start:"; cat "$f.err" >&2; return 1
}
cap_stop() {
    sleep 1
    [ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null && wait "$CAP_PID" 2>/dev/null
    CAP_PID=""
}
save() { # tmpfile name
    mv -f "$1" "$OUT/$2"
    log "$2: $(capinfos -c -M "$OUT/$2" 2>/dev/null | awk -F': *' '/Number of packets/{print $2}') packets, $(stat -c %s "$OUT/$2") bytes"
}

if [ "${1:-}" = "--oauth-inner" ]; then
    # nested namespace: scripted OAuth server on 110/587, no Dovecot/Postfix
    W=$2
    net_setup
    python3 "$HERE/oauth_server.py" 127.0.0.1 >"$W/oauth-server.log" 2>&1 &
    SP=$!
    for i in $(seq 1 50); do grep -q ready "$W/oauth-server.log" && break; sleep 0.1; done
    cap_start "$W/oauth.pcap" "tcp port 587 or tcp port 110" -i lo
    python3 "$HERE/clients.py" oauth 2>"$W/oauth-client.log"; rc=$?
    cap_stop
    kill "$SP"; wait "$SP" 2>/dev/null
    exit $rc
fi

. "$HERE/servers.sh"
W=$(mktemp -d /tmp/mailsift-rec.XXXXXX)
chmod 755 "$W"
if [ -n "${MS_SERVERS:-}" ]; then
    SRV=$(cd "$MS_SERVERS" && pwd) || exit 1
else
    hostname mail.example.test
    net_setup
    SRV=$W/srv
fi
cleanup() {
    [ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null
    [ -n "${MS_SERVERS:-}" ] || ms_servers_stop "$SRV"
    if [ -n "${MS_KEEP:-}" ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
[ -n "${MS_SERVERS:-}" ] || ms_servers_start "$SRV" || exit 1

MSG_AUTH_LOGIN='From: Carol <carol@example.test>
To: User One <user1@example.test>
Subject: Lab report
Date: Tue, 14 Nov 2023 22:20:00 +0000
Message-ID: <smtp-auth-login.1@example.test>

Hi user1,

the next line starts with a dot (dot-stuffed on the wire):
..hidden dot line
and this one is just a dot-dot: ...
bye'

big_body() { # ~40 KB
    printf 'From: user1@example.test\nTo: user1@example.test, nobody@example.test\n'
    printf 'Subject: pipelining with a 40 KB body\nDate: Tue, 14 Nov 2023 22:30:00 +0000\n'
    printf 'Message-ID: <smtp-pipelining.1@example.test>\n\n'
    local i
    for i in $(seq 1 500); do
        printf 'body line %04d: Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n' "$i"
    done
}

sc_lab_pop3_telnet() {
    cap_start "$W/a.pcap" "tcp port 110" -i lo || return 1
    expect "$HERE/telnet_type.exp" pop3 127.0.0.1 110 >"$W/lab-pop3-telnet.log" 2>&1; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "expect failed"; tail "$W/lab-pop3-telnet.log" >&2; return 1; }
    save "$W/a.pcap" lab-pop3-telnet.pcap
}
sc_smtp_auth_login() {
    printf '%s\n' "$MSG_AUTH_LOGIN" > "$W/msg1.txt"
    cap_start "$W/a.pcap" "tcp port 587" -i lo || return 1
    swaks --server 127.0.0.1 --port 587 --ehlo client.example.test --auth LOGIN \
        --auth-user carol@example.test --auth-password 'c4rol#8' \
        --from carol@example.test --to user1@example.test --data @"$W/msg1.txt" >"$W/s1.log" 2>&1
    sleep 0.3
    swaks --server 127.0.0.1 --port 587 --ehlo client.example.test --auth LOGIN \
        --auth-user carol@example.test --auth-password 'c4rol#9' \
        --from carol@example.test --to user1@example.test --data @"$W/msg1.txt" >>"$W/s1.log" 2>&1
    local rc=$?
    cap_stop; [ $rc = 0 ] || { log "swaks failed"; tail -20 "$W/s1.log" >&2; return 1; }
    save "$W/a.pcap" smtp-auth-login.pcap
}
sc_smtp_pipelining() {
    big_body > "$W/big.txt"
    cap_start "$W/a.pcap" "tcp port 587" -i lo || return 1
    swaks --server 127.0.0.1 --port 587 --ehlo client.example.test --pipeline \
        --auth PLAIN --auth-user user1 --auth-password secret1 \
        --from user1@example.test --to user1@example.test,nobody@example.test \
        --data @"$W/big.txt" >"$W/s2.log" 2>&1
    local rc=$?
    cap_stop; grep -q '250 2.0.0 Ok: queued' "$W/s2.log" || { log "swaks failed ($rc)"; tail -20 "$W/s2.log" >&2; return 1; }
    save "$W/a.pcap" smtp-pipelining.pcap
}
sc_py() { # name filter clients.py-args...
    local name=$1 filt=$2; shift 2
    cap_start "$W/a.pcap" "$filt" -i lo || return 1
    python3 "$HERE/clients.py" "$@" >"$W/$name.log" 2>&1; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "$name client failed"; tail -20 "$W/$name.log" >&2; return 1; }
    save "$W/a.pcap" "$name.pcap"
}
sc_pop3_session()    { sc_py pop3-session "tcp port 110" pop3-session; }
sc_pop3_auth()       { sc_py pop3-auth "tcp port 110" pop3-auth; }
sc_smtp_auth_mechs() { sc_py smtp-auth-mechs "tcp port 587" smtp-auth-mechs; }
sc_oauth() {
    unshare --net bash "$0" --oauth-inner "$W" || { log "oauth failed"; tail -20 "$W/oauth-client.log" >&2; return 1; }
    save "$W/oauth.pcap" oauth.pcap
}
sc_smtp_telnet() {
    cap_start "$W/a.pcap" "tcp port 587" -i lo || return 1
    expect "$HERE/telnet_type.exp" smtp 127.0.0.1 587 >"$W/smtp-telnet.log" 2>&1; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "expect failed"; tail "$W/smtp-telnet.log" >&2; return 1; }
    save "$W/a.pcap" smtp-telnet.pcap
}
sc_mixed_ipv6() {
    cap_start "$W/a.pcap" "tcp port 587 or tcp port 110" -i lo || return 1
    swaks --server ::1 --port 587 --ehlo client.example.test -6 --auth PLAIN \
        --auth-user user2 --auth-password 'pa ss2!' \
        --from user2@example.test --to carol@example.test \
        --header 'Subject: over IPv6' --body 'sent to [::1]:587' >"$W/s6.log" 2>&1; local rc=$?
    sleep 0.3
    python3 "$HERE/clients.py" pop3-simple ::1 carol@example.test 'c4rol#9' 1 >>"$W/s6.log" 2>&1 || rc=1
    cap_stop; [ $rc = 0 ] || { log "mixed-ipv6 failed"; tail -20 "$W/s6.log" >&2; return 1; }
    save "$W/a.pcap" mixed-ipv6.pcap
}
sc_lab_pcapng() {
    cap_start "$W/a.pcap" "tcp port 110 or tcp port 25" -i lo --time-stamp-precision=nano || return 1
    python3 "$HERE/clients.py" pop3-simple 127.0.0.1 user1 secret1 4 >"$W/s10.log" 2>&1; local rc=$?
    sleep 0.3
    swaks --server 127.0.0.1 --port 25 --ehlo client.example.test \
        --from bob@example.test --to user1@example.test \
        --header 'Subject: pcapng sample' --body 'unauthenticated, port 25' >>"$W/s10.log" 2>&1 || rc=1
    cap_stop; [ $rc = 0 ] || { log "lab.pcapng failed"; tail -20 "$W/s10.log" >&2; return 1; }
    editcap -F pcapng "$W/a.pcap" "$W/lab.pcapng" && rm -f "$W/a.pcap"
    save "$W/lab.pcapng" lab.pcapng
}
sc_sll2_any() {
    cap_start "$W/a.pcap" "tcp port 110" -i any -y LINUX_SLL2 || return 1
    python3 "$HERE/clients.py" pop3-simple 127.0.0.1 user2 'pa ss2!' 1 >"$W/s11.log" 2>&1; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "sll2 failed"; tail -20 "$W/s11.log" >&2; return 1; }
    save "$W/a.pcap" sll2-any.pcap
}
sc_starttls() {
    cap_start "$W/a.pcap" "tcp port 587 or tcp port 110 or tcp port 995" -i lo || return 1
    swaks --server 127.0.0.1 --port 587 --ehlo client.example.test --tls \
        --auth PLAIN --auth-user user1 --auth-password secret1 \
        --from user1@example.test --to carol@example.test \
        --header 'Subject: STARTTLS' --body 'inside TLS' >"$W/s12.log" 2>&1; local rc=$?
    sleep 0.3
    python3 "$HERE/clients.py" pop3-tls >>"$W/s12.log" 2>&1 || rc=1
    cap_stop; [ $rc = 0 ] || { log "starttls failed"; tail -20 "$W/s12.log" >&2; return 1; }
    save "$W/a.pcap" starttls.pcap
}
sc_lab_pop3_telnet_reordered() {
    [ -s "$OUT/lab-pop3-telnet.pcap" ] || { log "needs lab-pop3-telnet.pcap"; return 1; }
    python3 "$HERE/reorder.py" "$OUT/lab-pop3-telnet.pcap" "$W/r.pcap" || return 1
    save "$W/r.pcap" lab-pop3-telnet-reordered.pcap
}

# shellcheck disable=SC2086
set -- ${*:-$ALL}
fail=0
for s in "$@"; do
    log "scenario $s"
    "sc_${s//-/_}" || { log "FAILED: $s"; fail=1; }
done
exit $fail
