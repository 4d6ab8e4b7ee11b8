#!/bin/bash
# Record the mailsift HOSTILE sample captures (samples/hostile/h-*.pcap): traffic
# that is wrong, odd or adversarial, from real servers and clients where a
# real program can produce it (see samples/README.md, "Hostile captures").
#
#   samples/record/hostile.sh [SCENARIO ...]     (default: all, in order)
#
# Runs as root.  Installs missing Debian packages, re-executes itself in a
# private network+mount+UTS namespace (as record.sh does), starts Dovecot +
# Postfix from servers.sh and then EXTENDS their scratch configuration
# (extra listeners and smtpd variants, two extra mailboxes - nothing in
# servers.sh changes), records each scenario with tcpdump, stops everything.
# Scenarios that need ports 25/110 for something that is not mail, or a
# scripted server, run in a nested namespace of their own.  Tunnels run
# the client in a second namespace joined by a veth pair (the underlay).
#
# They live in samples/hostile/, not samples/, on purpose: the suites that
# glob samples/*.pcap (tshark comparison, export oracle) expect well-formed
# mail traffic, and these captures are built to disagree with tshark.
#
# Scenarios (output samples/hostile/h-<scenario>.pcap unless noted):
#   notmail-tls-bait-25 notmail-http-basic notmail-ssh-110
#   port-smtp-8025 port-pop3-1110 port-tls-8465-1995
#   tls-starttls-454-plain tls-starttls-220-plain-postfix
#   tls-starttls-220-plain-scripted tls-plain-465 tls-stls-refused-pop3
#   smuggle-lf-dot-lf smuggle-cr-dot-crlf smuggle-lf-dot-crlf
#   smuggle-crlf-dot-lf smuggle-lf-dot-lf-barelf-normalize
#   smuggle-lf-dot-lf-barelf-reject smuggle-stuffed-cr-dot
#   bdat-bogus-keyword bdat-scramble bdat-nonnumeric bdat-negative
#   bdat-short-chunk bdat-27-chunks
#   greet-multiline-postscreen greet-early-postscreen
#   greet-early-smtpd-auth pairing-auth-before-banner-scripted
#   pipelining-unadvertised
#   lost-334-username authlogin-swapped   (rewrites of one AUTH LOGIN recording)
#   headers-300-rcpt pop3-ff-bytes snaplen-80
#   ip-malformed                           (hand-made: 4 files h-ip-*.pcap)
#   tunnel-l2tp tunnel-gre tunnel-erspan tunnel-vxlan tunnel-ipip
#   tunnel-6in4 tunnel-gre-unknown tunnel-geneve
#   seeds                                  (h-*.pcap -> fuzz/corpus/pipeline/)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/samples/hostile
ALL="notmail-tls-bait-25 notmail-http-basic notmail-ssh-110
 port-smtp-8025 port-pop3-1110 port-tls-8465-1995
 tls-starttls-454-plain tls-starttls-220-plain-postfix
 tls-starttls-220-plain-scripted tls-plain-465 tls-stls-refused-pop3
 smuggle-lf-dot-lf smuggle-cr-dot-crlf smuggle-lf-dot-crlf smuggle-crlf-dot-lf
 smuggle-lf-dot-lf-barelf-normalize smuggle-lf-dot-lf-barelf-reject
 smuggle-stuffed-cr-dot
 bdat-bogus-keyword bdat-scramble bdat-nonnumeric bdat-negative
 bdat-short-chunk bdat-27-chunks
 greet-multiline-postscreen greet-early-postscreen greet-early-smtpd-auth
 pairing-auth-before-banner-scripted pipelining-unadvertised
 lost-334-username authlogin-swapped
 headers-300-rcpt pop3-ff-bytes snaplen-80 ip-malformed
 tunnel-l2tp tunnel-gre tunnel-erspan tunnel-vxlan tunnel-ipip tunnel-6in4
 tunnel-gre-unknown tunnel-geneve seeds"
PY="python3 $HERE/hostile_clients.py"

log() { printf '[hostile %s] %s\n' "$(date +%T)" "$*" >&2; }

if [ -z "${MS_IN_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "hostile.sh: must run as root" >&2; exit 1; }
    need="dovecot:dovecot-core /usr/lib/dovecot/pop3:dovecot-pop3d postfix:postfix
          swaks:swaks tcpdump:tcpdump tshark:tshark capinfos:wireshark-common
          python3:python3 openssl:openssl ss:iproute2 ip:iproute2 unshare:util-linux
          nsenter:util-linux /usr/sbin/sshd:openssh-server ssh:openssh-client
          ssh-keygen:openssh-client curl:curl"
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
        log "warning: could not limit GSO on lo; big transfers may be one segment"
}

CAP_PID=""
cap_start() { # tmpfile filter [tcpdump options...]
    local f=$1 filt=$2; shift 2
    rm -f "$f" "$f.err"
    tcpdump -Z root -U --immediate-mode -B 65536 "$@" -w "$f" "$filt" 2>"$f.err" &
    CAP_PID=$!
    for _ in $(seq 1 50); do
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
wait_ready() { # logfile -- wait for a "ready" line
    for _ in $(seq 1 50); do grep -q ready "$1" 2>/dev/null && return 0; sleep 0.1; done
    log "server did not start: $(cat "$1")"; return 1
}
wait_port() { # addr:port
    for _ in $(seq 1 100); do
        ss -Hltn "src $1" 2>/dev/null | grep -q . && return 0
        sleep 0.1
    done
    log "nothing listening on $1"; return 1
}

# ---------------------------------------------- nested namespace scenarios ---
# unshare --net bash hostile.sh --nested NAME W : ports 25/110 of a fresh
# namespace for a server that is not Postfix/Dovecot.  Writes W/NAME.pcap.
if [ "${1:-}" = "--nested" ]; then
    N=$2 W=$3
    net_setup
    SP=""
    case $N in
    notmail-tls-bait-25)
        # openssl s_server: a TLS server, not mail, on port 25
        openssl s_server -accept 127.0.0.1:25 -naccept 1 -quiet \
            -cert "$W/srv/tls/cert.pem" -key "$W/srv/tls/key.pem" \
            </dev/null >"$W/$N.server.log" 2>&1 &
        SP=$!
        wait_port 127.0.0.1:25 || exit 1
        cap_start "$W/$N.pcap" "tcp port 25" -i lo || exit 1
        $PY notmail-tls-bait 127.0.0.1 25 2>"$W/$N.client.log"; rc=$?
        ;;
    notmail-http-basic)
        mkdir -p "$W/www"
        # what the web server returns: mail-reply look-alikes, not mail
        printf '220 mail.example.test ESMTP\r\n235 2.7.0 Authentication successful\r\n+OK Logged in.\r\n' \
            > "$W/www/index.html"
        python3 -m http.server 25 --bind 127.0.0.1 --directory "$W/www" >"$W/$N.s25.log" 2>&1 &
        SP=$!
        python3 -m http.server 110 --bind 127.0.0.1 --directory "$W/www" >"$W/$N.s110.log" 2>&1 &
        SP="$SP $!"
        wait_port 127.0.0.1:25 && wait_port 127.0.0.1:110 || exit 1
        cap_start "$W/$N.pcap" "tcp port 25 or tcp port 110" -i lo || exit 1
        curl -sS -u bait:baitpw http://127.0.0.1:25/ >"$W/$N.client.log" 2>&1; rc=$?
        sleep 0.3
        curl -sS -u bait2:bait2pw -A 'USER x' http://127.0.0.1:110/index.html >>"$W/$N.client.log" 2>&1 || rc=1
        ;;
    notmail-ssh-110)
        mkdir -p /run/sshd "$W/ssh"
        ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/host_ed25519" </dev/null
        cat > "$W/ssh/sshd_config" <<CONF
Port 110
ListenAddress 127.0.0.1
HostKey $W/ssh/host_ed25519
PidFile $W/ssh/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
CONF
        /usr/sbin/sshd -D -e -f "$W/ssh/sshd_config" >"$W/$N.server.log" 2>&1 &
        SP=$!
        wait_port 127.0.0.1:110 || exit 1
        cap_start "$W/$N.pcap" "tcp port 110" -i lo || exit 1
        # no key offered, no agent: "Permission denied (publickey)"
        ssh -F /dev/null -p 110 -o BatchMode=yes -o StrictHostKeyChecking=no \
            -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no \
            -o IdentityAgent=none nobody@127.0.0.1 true >"$W/$N.client.log" 2>&1
        grep -q 'Permission denied' "$W/$N.client.log"; rc=$?
        ;;
    tls-starttls-220-plain-scripted|pairing-auth-before-banner-scripted)
        mode=starttls-plain
        [ "$N" = pairing-auth-before-banner-scripted ] && mode=auth-before-banner
        python3 "$HERE/hostile_server.py" $mode 127.0.0.1 25 >"$W/$N.server.log" 2>&1 &
        SP=$!
        wait_ready "$W/$N.server.log" || exit 1
        cap_start "$W/$N.pcap" "tcp port 25" -i lo || exit 1
        if [ $mode = starttls-plain ]; then
            $PY starttls-220-plain 127.0.0.1 25 scripted 2>"$W/$N.client.log"; rc=$?
        else
            $PY pairing-scripted 127.0.0.1 25 2>"$W/$N.client.log"; rc=$?
        fi
        ;;
    *) log "unknown nested scenario $N"; exit 1;;
    esac
    cap_stop
    for p in $SP; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    exit $rc
fi

hostname mail.example.test
net_setup
mkdir -p "$OUT"
# the tunnel listener binds overlay addresses that exist only during a
# tunnel scenario
sysctl -qw net.ipv4.ip_nonlocal_bind=1 net.ipv6.ip_nonlocal_bind=1
. "$HERE/servers.sh"
W=$(mktemp -d /tmp/mailsift-hostile.XXXXXX)
chmod 755 "$W"
cleanup() {
    [ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null
    ms_servers_stop "$W/srv"
    if [ -n "${MS_KEEP:-}" ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

# Extra listeners and server variants, added to servers.sh's scratch config.
servers_extend() {
    local d=$1 pe=$1/postfix/etc
    cat >> "$d/dovecot/dovecot.conf" <<CONF
# --- hostile.sh additions ---
service pop3-login {
  inet_listener pop3alt {
    port = 1110
  }
  inet_listener pop3salt {
    port = 1995
    ssl = yes
  }
  inet_listener pop3nostls {
    address = 127.0.0.2
    port = 110
  }
  inet_listener pop3tun {
    address = 10.9.0.2, 10.9.1.2, fd00:9::2
    port = 110
  }
}
# STLS refused on this address: "-ERR TLS support isn't enabled."
local 127.0.0.2 {
  ssl = no
}
CONF
    # dave: receives the big-header mail; eve: a password with 0xff bytes
    printf 'dave:{PLAIN}d4ve-pw::::::\neve:{PLAIN}p\377\376w0rd\377\377!::::::\n' >> "$d/dovecot/passwd"
    mkdir -p "$d/mail/dave" "$d/mail/eve/Maildir/cur" "$d/mail/eve/Maildir/new" "$d/mail/eve/Maildir/tmp"
    chown -R "$MS_DOVECOT_UID:$MS_DOVECOT_GID" "$d/mail/dave" "$d/mail/eve"
    dovecot -c "$d/dovecot/dovecot.conf" reload || return 1

    # Postfix: dave@ is delivered for real (virtual), the rest still discarded
    echo 'dave@example.test dave/Maildir/' >> "$pe/vmailbox"
    echo 'dave@example.test virtual:' > "$pe/transport"
    postconf -c "$pe" -e "transport_maps = texthash:$pe/transport" \
        "virtual_mailbox_base = $d/mail" "virtual_uid_maps = static:$MS_DOVECOT_UID" \
        "virtual_gid_maps = static:$MS_DOVECOT_GID" || return 1
    cat >> "$pe/master.cf" <<'CONF'
# --- hostile.sh additions ---
8025       inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/alt8025
8465       inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/wrap8465 -o smtpd_tls_wrappermode=yes
465        inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/plain465
127.0.0.3:25 inet n      -       n       -       -       smtpd
  -o syslog_name=postfix/badcert -o smtpd_tls_cert_file=/nonexistent/cert.pem -o smtpd_tls_key_file=/nonexistent/key.pem
127.0.0.4:25 inet n      -       n       -       1       postscreen
  -o syslog_name=postfix/postscreen -o postscreen_access_list= -o postscreen_greet_action=enforce -o postscreen_greet_wait=2s
smtpd      pass  -       -       n       -       -       smtpd
  -o syslog_name=postfix/postscreen
dnsblog    unix  -       -       n       -       0       dnsblog
tlsproxy   unix  -       -       n       -       0       tlsproxy
127.0.0.5:25 inet n      -       n       -       -       smtpd
  -o syslog_name=postfix/nopipelining -o smtpd_discard_ehlo_keywords=pipelining
127.0.0.6:25 inet n      -       n       -       -       smtpd
  -o syslog_name=postfix/strictpipelining -o smtpd_discard_ehlo_keywords=pipelining -o smtpd_forbid_unauth_pipelining=yes
127.0.0.9:25 inet n      -       n       -       -       smtpd
  -o syslog_name=postfix/slowbanner -o smtpd_delay_reject=no -o { smtpd_client_restrictions = sleep 1, permit }
127.0.0.7:25 inet n      -       n       -       -       smtpd
  -o syslog_name=postfix/barelf-normalize -o smtpd_forbid_bare_newline=yes -o smtpd_forbid_bare_newline_exclusions=
127.0.0.8:25 inet n      -       n       -       -       smtpd
  -o syslog_name=postfix/barelf-reject -o smtpd_forbid_bare_newline=reject -o smtpd_forbid_bare_newline_exclusions=
CONF
    postfix -c "$pe" reload >/dev/null 2>&1 || return 1
    local a
    for a in 127.0.0.1:1110 127.0.0.1:1995 127.0.0.2:110 10.9.0.2:110 127.0.0.1:8025 \
             127.0.0.1:8465 127.0.0.1:465 127.0.0.3:25 127.0.0.4:25 127.0.0.5:25 \
             127.0.0.6:25 127.0.0.7:25 127.0.0.8:25 127.0.0.9:25; do
        wait_port $a || return 1
    done
    log "extra listeners up"
}

ms_servers_start "$W/srv" || exit 1
servers_extend "$W/srv" || exit 1

# ---------------------------------------------------------------- helpers ---
sc_client() { # name filter client-args...   (one capture on lo)
    local name=$1 filt=$2; shift 2
    cap_start "$W/a.pcap" "$filt" -i lo || return 1
    $PY "$@" >"$W/$name.client.log" 2>&1; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "$name client failed"; tail -20 "$W/$name.client.log" >&2; return 1; }
    save "$W/a.pcap" "h-$name.pcap"
}
sc_nested() { # name
    unshare --net bash "$0" --nested "$1" "$W" || { log "$1 failed"; tail -20 "$W/$1".*.log >&2; return 1; }
    save "$W/$1.pcap" "h-$1.pcap"
}

# ---------------------------------------------------- 1. not mail -----------
sc_notmail_tls_bait_25() { sc_nested notmail-tls-bait-25; }
sc_notmail_http_basic()  { sc_nested notmail-http-basic; }
sc_notmail_ssh_110()     { sc_nested notmail-ssh-110; }

# ---------------------------------------------------- 2. other ports --------
sc_port_smtp_8025() {
    cap_start "$W/a.pcap" "tcp port 8025" -i lo || return 1
    swaks --server 127.0.0.1 --port 8025 --ehlo client.example.test --auth LOGIN \
        --auth-user user1 --auth-password secret1 \
        --from user1@example.test --to carol@example.test \
        --header 'Subject: SMTP on port 8025' --body 'submitted on an unusual port' \
        >"$W/port-smtp-8025.client.log" 2>&1; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "swaks failed"; tail -20 "$W/port-smtp-8025.client.log" >&2; return 1; }
    save "$W/a.pcap" h-port-smtp-8025.pcap
}
sc_port_pop3_1110() { sc_client port-pop3-1110 "tcp port 1110" pop3-simple 127.0.0.1 1110 user1 secret1 1; }
sc_port_tls_8465_1995() {
    cap_start "$W/a.pcap" "tcp port 8465 or tcp port 1995" -i lo || return 1
    swaks --server 127.0.0.1 --port 8465 --tls-on-connect --ehlo client.example.test \
        --auth PLAIN --auth-user user2 --auth-password 'pa ss2!' \
        --from user2@example.test --to carol@example.test \
        --header 'Subject: implicit TLS on 8465' --body 'inside TLS' \
        >"$W/port-tls.client.log" 2>&1; local rc=$?
    sleep 0.3
    $PY pop3s-alt 127.0.0.1 1995 >>"$W/port-tls.client.log" 2>&1 || rc=1
    cap_stop; [ $rc = 0 ] || { log "port-tls failed"; tail -20 "$W/port-tls.client.log" >&2; return 1; }
    save "$W/a.pcap" h-port-tls-8465-1995.pcap
}

# ------------------------------------------- 3. TLS assumed, not checked ----
sc_tls_starttls_454_plain()         { sc_client tls-starttls-454-plain "tcp port 25" starttls-454 127.0.0.3 25; }
sc_tls_starttls_220_plain_postfix() { sc_client tls-starttls-220-plain-postfix "tcp port 25" starttls-220-plain 127.0.0.1 25 postfix; }
sc_tls_starttls_220_plain_scripted() { sc_nested tls-starttls-220-plain-scripted; }
sc_tls_plain_465()                  { sc_client tls-plain-465 "tcp port 465" plain-465 127.0.0.1 465; }
sc_tls_stls_refused_pop3()          { sc_client tls-stls-refused-pop3 "tcp port 110" stls-refused 127.0.0.2 110; }

# ---------------------------------------------------- 4. smuggling ----------
sc_smuggle_lf_dot_lf()   { sc_client smuggle-lf-dot-lf "tcp port 25" smuggle lf-dot-lf 127.0.0.1 25; }
sc_smuggle_cr_dot_crlf() { sc_client smuggle-cr-dot-crlf "tcp port 25" smuggle cr-dot-crlf 127.0.0.1 25; }
sc_smuggle_lf_dot_crlf() { sc_client smuggle-lf-dot-crlf "tcp port 25" smuggle lf-dot-crlf 127.0.0.1 25; }
sc_smuggle_crlf_dot_lf() { sc_client smuggle-crlf-dot-lf "tcp port 25" smuggle crlf-dot-lf 127.0.0.1 25; }
sc_smuggle_lf_dot_lf_barelf_normalize() {
    sc_client smuggle-lf-dot-lf-barelf-normalize "tcp port 25" smuggle lf-dot-lf 127.0.0.7 25; }
sc_smuggle_lf_dot_lf_barelf_reject() {
    sc_client smuggle-lf-dot-lf-barelf-reject "tcp port 25" smuggle lf-dot-lf 127.0.0.8 25; }
sc_smuggle_stuffed_cr_dot() { sc_client smuggle-stuffed-cr-dot "tcp port 25" smuggle-stuffed; }

# ---------------------------------------------------------- 5. BDAT ---------
sc_bdat_bogus_keyword() { sc_client bdat-bogus-keyword "tcp port 25" bdat-bad bogus-keyword; }
sc_bdat_scramble()      { sc_client bdat-scramble "tcp port 25" bdat-bad scramble; }
sc_bdat_nonnumeric()    { sc_client bdat-nonnumeric "tcp port 25" bdat-bad nonnumeric; }
sc_bdat_negative()      { sc_client bdat-negative "tcp port 25" bdat-bad negative; }
sc_bdat_short_chunk()   { sc_client bdat-short-chunk "tcp port 25" bdat-short; }
sc_bdat_27_chunks()     { sc_client bdat-27-chunks "tcp port 25" bdat-chunks; }

# ---------------------------------------------- 6. greeting and pairing -----
sc_greet_multiline_postscreen() { sc_client greet-multiline-postscreen "tcp port 25" greet-postscreen-quiet 127.0.0.4 25 127.0.0.11; }
sc_greet_early_postscreen()     { sc_client greet-early-postscreen "tcp port 25" greet-postscreen-early 127.0.0.4 25 127.0.0.12; }
sc_greet_early_smtpd_auth()     { sc_client greet-early-smtpd-auth "tcp port 25" greet-smtpd-early-auth 127.0.0.9 25; }
sc_pairing_auth_before_banner_scripted() { sc_nested pairing-auth-before-banner-scripted; }
sc_pipelining_unadvertised() {
    cap_start "$W/a.pcap" "tcp port 25" -i lo || return 1
    $PY pipelining-unadvertised 127.0.0.5 25 2>"$W/pipe.client.log"; local rc=$?
    sleep 0.3
    $PY pipelining-unadvertised 127.0.0.6 25 1 2>>"$W/pipe.client.log" || rc=1
    cap_stop; [ $rc = 0 ] || { log "pipelining failed"; tail -20 "$W/pipe.client.log" >&2; return 1; }
    save "$W/a.pcap" h-pipelining-unadvertised.pcap
}

# ------------------------------------- 7/8. rewrites of AUTH LOGIN sessions -
auth_login_base() {
    [ -s "$W/authlogin-base.pcap" ] && return 0
    cap_start "$W/b.pcap" "tcp port 587" -i lo || return 1
    $PY auth-login-base 127.0.0.1 587 2>"$W/authlogin-base.client.log"; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "auth-login-base failed"; tail -20 "$W/authlogin-base.client.log" >&2; return 1; }
    mv "$W/b.pcap" "$W/authlogin-base.pcap"
}
sc_lost_334_username() {
    auth_login_base || return 1
    python3 "$HERE/hostile_rewrite.py" drop-334-username "$W/authlogin-base.pcap" "$W/r.pcap" || return 1
    save "$W/r.pcap" h-lost-334-username.pcap
}
sc_authlogin_swapped() {
    auth_login_base || return 1
    python3 "$HERE/hostile_rewrite.py" swap-login "$W/authlogin-base.pcap" "$W/r.pcap" || return 1
    save "$W/r.pcap" h-authlogin-swapped.pcap
}

# ------------------------------------------------------- 9 - 11 -------------
sc_headers_300_rcpt() { sc_client headers-300-rcpt "tcp port 25 or tcp port 110" big-headers 127.0.0.1 25 110; }
sc_pop3_ff_bytes()    { sc_client pop3-ff-bytes "tcp port 110" pop3-ff 127.0.0.1 110; }
sc_snaplen_80() {
    cap_start "$W/a.pcap" "tcp port 110 or tcp port 587" -i lo -s 80 || return 1
    $PY snaplen-sessions 127.0.0.1 2>"$W/snaplen.client.log"; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "snaplen failed"; tail -20 "$W/snaplen.client.log" >&2; return 1; }
    save "$W/a.pcap" h-snaplen-80.pcap
}
sc_ip_malformed() {
    python3 "$HERE/hostile_make.py" "$W" || return 1
    local f
    for f in "$W"/h-ip[46]-*.pcap; do save "$f" "$(basename "$f")" || return 1; done
}

# ------------------------------------------------------- 12. tunnels --------
# Underlay: veth hu0 (this namespace, 198.51.100.2, the server side) <->
# hu1 (client namespace, 198.51.100.1).  Overlay: 10.9.0.1 -> 10.9.0.2
# (TUN), 10.9.1.1 -> 10.9.1.2 (Ethernet: TAP or vxlan), fd00:9::1 ->
# fd00:9::2 (6in4).  Dovecot's pop3tun listener is on the .2 addresses.
tunnel() { # mode capture-filter
    local mode=$1 filt=$2 dst kind=tun cns t1="" t2=""
    unshare --net sleep 600 & cns=$!
    sleep 0.3
    ip link add hu0 type veth peer name hu1 || return 1
    ip link set hu1 netns $cns
    sysctl -qw net.ipv6.conf.hu0.disable_ipv6=1
    ip link set hu0 address 02:00:00:00:00:02
    ip addr add 198.51.100.2/24 dev hu0; ip link set hu0 up
    nsenter -t $cns --net sh -c 'ip link set lo up; sysctl -qw net.ipv6.conf.hu1.disable_ipv6=1
        ip link set hu1 address 02:00:00:00:00:01
        ip addr add 198.51.100.1/24 dev hu1; ip link set hu1 up'
    case $mode in erspan|geneve) kind=tap;; vxlan) kind=vxlan;; esac
    # ov0 on both sides: $1 = this end (1 client, 2 server), $2 = the other
    ov_setup() {
        case $kind in
        vxlan) ip link add ov0 type vxlan id 4242 local 198.51.100.$1 remote 198.51.100.$2 dstport 4789 dev hu$(( $1 == 2 ? 0 : 1 ));;
        *)     ip tuntap add dev ov0 mode $kind;;
        esac
        if [ $mode = sit ]; then
            ip link set ov0 addrgenmode none
            ip addr add fd00:9::$1/64 dev ov0 nodad
        else
            sysctl -qw net.ipv6.conf.ov0.disable_ipv6=1
            if [ $kind = tun ]; then ip addr add 10.9.0.$1 peer 10.9.0.$2 dev ov0
            else ip link set ov0 address 02:00:00:00:09:0$1; ip addr add 10.9.1.$1/24 dev ov0; fi
        fi
        ip link set ov0 mtu 1400 up
    }
    ov_setup 2 1
    nsenter -t $cns --net bash -c "kind=$kind mode=$mode; $(declare -f ov_setup); ov_setup 1 2"
    if [ $kind != vxlan ]; then
        python3 "$HERE/hostile_tund.py" $mode ov0 198.51.100.2 198.51.100.1 >"$W/tund2.log" 2>&1 & t2=$!
        nsenter -t $cns --net python3 "$HERE/hostile_tund.py" $mode ov0 198.51.100.1 198.51.100.2 >"$W/tund1.log" 2>&1 & t1=$!
        wait_ready "$W/tund2.log" && wait_ready "$W/tund1.log" || return 1
    fi
    case $mode in sit) dst=fd00:9::2;; *) [ $kind = tun ] && dst=10.9.0.2 || dst=10.9.1.2;; esac
    sleep 1
    cap_start "$W/a.pcap" "$filt" -i hu0 || return 1
    nsenter -t $cns --net python3 "$HERE/clients.py" pop3-simple $dst user1 secret1 4 >"$W/tunnel-$mode.client.log" 2>&1
    local rc=$?
    cap_stop
    for p in $t1 $t2; do kill $p 2>/dev/null; wait $p 2>/dev/null; done
    kill $cns; wait $cns 2>/dev/null
    ip link del ov0 2>/dev/null; ip link del hu0 2>/dev/null
    [ $rc = 0 ] || { log "tunnel $mode: client failed"; tail "$W/tunnel-$mode.client.log" >&2; return 1; }
}
sc_tunnel_l2tp()        { tunnel l2tp "udp port 1701" && save "$W/a.pcap" h-tunnel-l2tp.pcap; }
sc_tunnel_gre()         { tunnel gre "ip proto 47" && save "$W/a.pcap" h-tunnel-gre.pcap; }
sc_tunnel_erspan()      { tunnel erspan "ip proto 47" && save "$W/a.pcap" h-tunnel-erspan.pcap; }
sc_tunnel_vxlan()       { tunnel vxlan "udp port 4789" && save "$W/a.pcap" h-tunnel-vxlan.pcap; }
sc_tunnel_ipip()        { tunnel ipip "ip proto 4" && save "$W/a.pcap" h-tunnel-ipip.pcap; }
sc_tunnel_6in4()        { tunnel sit "ip proto 41" && save "$W/a.pcap" h-tunnel-6in4.pcap; }
sc_tunnel_gre_unknown() { tunnel gre-unknown "ip proto 47" && save "$W/a.pcap" h-tunnel-gre-unknown.pcap; }
sc_tunnel_geneve()      { tunnel geneve "udp port 6081" && save "$W/a.pcap" h-tunnel-geneve.pcap; }

# ------------------------------------------------------- fuzz seeds ---------
# Each samples/hostile/h-*.pcap, cut below 16 KiB at a record boundary as fuzz/mkseeds.py
# cuts every sample, becomes fuzz/corpus/pipeline/h-*.pcap.
sc_seeds() {
    python3 - "$ROOT" <<'PYEOF'
import glob, os, sys
root = sys.argv[1]
sys.path.insert(0, os.path.join(root, "fuzz"))
import mkseeds
for p in sorted(glob.glob(os.path.join(root, "samples", "hostile", "h-*.pcap"))):
    with open(p, "rb") as f:
        seed = mkseeds.cut_pcap(f.read(), mkseeds.PIPE_MAX)
    if len(seed) > 24:
        mkseeds.put("pipeline", os.path.basename(p), seed)
        print("seed %s: %d bytes" % (os.path.basename(p), len(seed)))
PYEOF
}

# shellcheck disable=SC2086,SC2048
set -- ${*:-$ALL}
fail=0
for s in "$@"; do
    log "scenario $s"
    "sc_${s//-/_}" || { log "FAILED: $s"; fail=1; }
done
exit $fail
