# shellcheck shell=bash
# mailsift sample servers: real Dovecot (POP3/POP3S/STLS, IMAP/IMAPS/STARTTLS)
# + real Postfix (SMTP 25 / submission 587, SASL through Dovecot, STARTTLS),
# bound to 127.0.0.1 and ::1 of the CURRENT network namespace.
#
# Source this file, then:
#   ms_servers_start DIR   # DIR: an empty (or new) scratch directory
#   ...                    # POP3 110, POP3S 995, IMAP 143, IMAPS 993,
#                          # SMTP 25, submission 587 (+ the odd ports below)
#   ms_mail_reset DIR      # optional: put every mailbox back as it was
#   ms_servers_stop DIR
# To run the servers alone (for a live capture) use serve.sh beside this file.
#
# Run it inside a private network namespace (unshare --net, ip link set lo up):
# it binds the well-known ports.  Nothing under /etc is touched: Dovecot runs
# with "dovecot -c DIR/dovecot/dovecot.conf", Postfix with "postfix -c DIR/postfix/etc".
#
# Throwaway accounts (passwd-file, {PLAIN} so CRAM-MD5 and APOP work):
#   user1 / secret1      user2 / 'pa ss2!'      carol@example.test / c4rol#9
#   olena / 'пароль-Ключ1' (UTF-8)
# Mailbox of user1 (maildir, UIDL = maildir file name, pop3_uidl_format=%f):
#   1 short text message, 2 message with lines starting with ".",
#   3 ~20 KB message (multi-segment), 4 short message; IMAP folder "Archive"
#   with one ~100 KB message (POP3 sees only INBOX).
# Mailbox of olena: the RFC 2047 / charset mails of intl_mail.py.
# Every INBOX has a fixed UIDVALIDITY (dovecot-uidlist written here), so IMAP
# replies are the same on every run.
# Postfix accepts mail for user1@, user2@, carol@, olena@, олена@example.test
# (other @example.test recipients: 550 User unknown) and discards it
# (discard:), so mailboxes never change between recordings.
# TLS: no session tickets on the main ports (Postfix tls_ssl_options=NO_TICKET
# with a session cache, Dovecot ssl_options=no_ticket): TLS 1.2 sessions get a
# session ID on the wire, so an s_client "SSL-Session:" printout (Session-ID +
# Master-Key) is enough to decrypt them.
# Odd Postfix listeners for the sample corner cases:
#   127.0.0.1:465  plain-text smtpd (NO wrappermode: not TLS although port 465)
#   127.0.0.2:587  submission whose certificate cannot be loaded: STARTTLS is
#                  advertised but answered "454 4.7.0 TLS not available ..."
#   127.0.0.3:587  submission that issues TLS session tickets (resumption)

_MS_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MS_DOVECOT_UID=${MS_DOVECOT_UID:-65534}
MS_DOVECOT_GID=${MS_DOVECOT_GID:-65534}

_ms_log() { printf 'servers.sh: %s\n' "$*" >&2; }

_ms_msg() { # file from to subject date msgid body...
    local f=$1 from=$2 to=$3 subj=$4 date=$5 id=$6; shift 6
    {
        printf 'Return-Path: <%s>\r\n' "$from"
        printf 'From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n' \
            "$from" "$to" "$subj" "$date" "$id"
        printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n'
        local l
        for l in "$@"; do printf '%s\r\n' "$l"; done
    } > "$f"
}

_ms_uidlist() { # MAILDIR UIDVALIDITY -- fix UIDVALIDITY and UIDs (1..n by name)
    local m=$1 n=0 f
    {
        printf '3 V%s N%s\n' "$2" "$(( $(ls "$m/cur" | wc -l) + 1 ))"
        for f in $(ls "$m/cur" | sort); do
            n=$((n + 1)); printf '%s :%s\n' "$n" "${f%%:*}"
        done
    } > "$m/dovecot-uidlist"
}

_ms_fill_mail() { # DIR
    local d=$1 u m
    for u in user1/Maildir user2/Maildir carol@example.test/Maildir olena/Maildir \
             user1/Maildir/.Archive; do
        mkdir -p "$d/mail/$u/cur" "$d/mail/$u/new" "$d/mail/$u/tmp"
    done
    : > "$d/mail/user1/Maildir/.Archive/maildirfolder"
    m=$d/mail/user1/Maildir/cur
    _ms_msg "$m/1700000001.M1P1.mail.example.test:2,S" alice@example.test user1@example.test \
        "Lab 1: hello" "Tue, 14 Nov 2023 22:13:21 +0000" "lab1.1@example.test" \
        "Hi user1," "" "this is the first test message." "-- " "alice"
    _ms_msg "$m/1700000002.M2P2.mail.example.test:2,S" bob@example.test user1@example.test \
        "Dots" "Tue, 14 Nov 2023 22:13:22 +0000" "lab1.2@example.test" \
        "The next line starts with a dot:" ".signature follows" "." \
        "and a line that is only two dots:" ".." "end."
    # ~20 KB message: 250 numbered lines of 80 bytes
    {
        printf 'Return-Path: <carol@example.test>\r\n'
        printf 'From: carol@example.test\r\nTo: user1@example.test\r\nSubject: Big one (20 KB)\r\n'
        printf 'Date: Tue, 14 Nov 2023 22:13:23 +0000\r\nMessage-ID: <lab1.3@example.test>\r\n'
        printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n'
        local i
        for i in $(seq 1 250); do
            printf 'line %04d: the quick brown fox jumps over the lazy dog 0123456789abcdef.\r\n' "$i"
        done
    } > "$m/1700000003.M3P3.mail.example.test:2,S"
    _ms_msg "$m/1700000004.M4P4.mail.example.test:2,S" dave@example.test user1@example.test \
        "Short" "Tue, 14 Nov 2023 22:13:24 +0000" "lab1.4@example.test" "ok"
    m=$d/mail/user2/Maildir/cur
    _ms_msg "$m/1700000011.M11P11.mail.example.test:2,S" alice@example.test user2@example.test \
        "For user2" "Tue, 14 Nov 2023 22:14:00 +0000" "u2.1@example.test" "Hello user2."
    m=$d/mail/carol@example.test/Maildir/cur
    _ms_msg "$m/1700000021.M21P21.mail.example.test:2,S" bob@example.test carol@example.test \
        "For carol" "Tue, 14 Nov 2023 22:15:00 +0000" "c.1@example.test" "Hello carol."
    # IMAP folder Archive of user1: one ~100 KB message (1300 lines of 80 bytes)
    m=$d/mail/user1/Maildir/.Archive/cur
    {
        printf 'Return-Path: <carol@example.test>\r\n'
        printf 'From: carol@example.test\r\nTo: user1@example.test\r\nSubject: Archive: big one (100 KB)\r\n'
        printf 'Date: Tue, 14 Nov 2023 22:13:25 +0000\r\nMessage-ID: <lab1.archive.1@example.test>\r\n'
        printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n'
        local i
        for i in $(seq 1 1300); do
            printf 'arch %04d: pack my box with five dozen liquor jugs 0123456789abcdefghijk.\r\n' "$i"
        done
    } > "$m/1700000031.M31P31.mail.example.test:2,S"
    # olena: the international mails (RFC 2047 words in 10 charsets + bad words)
    python3 "$_MS_HERE/intl_mail.py" maildir "$d/mail/olena/Maildir/cur" || return 1
    # fixed UIDVALIDITY per mailbox (IMAP SELECT answers the same every run)
    _ms_uidlist "$d/mail/user1/Maildir" 1700000001
    _ms_uidlist "$d/mail/user1/Maildir/.Archive" 1700000002
    _ms_uidlist "$d/mail/user2/Maildir" 1700000011
    _ms_uidlist "$d/mail/carol@example.test/Maildir" 1700000021
    _ms_uidlist "$d/mail/olena/Maildir" 1700000031
    chown -R "$MS_DOVECOT_UID:$MS_DOVECOT_GID" "$d/mail"
}

_ms_wait_port() { # port [host] -- wait up to ~10 s for a listener
    local i
    for i in $(seq 1 100); do
        if ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; then return 0; fi
        sleep 0.1
    done
    _ms_log "port $1 not listening"; return 1
}

ms_servers_start() {
    local d=${1:?usage: ms_servers_start DIR}
    mkdir -p "$d" && d=$(cd "$d" && pwd) || return 1
    chmod 755 "$d"
    # postfix/dovecot/dovenull/nobody must be able to reach DIR: make every
    # ancestor searchable (mktemp -d makes 0700 directories)
    local a=$d
    while a=$(dirname "$a"); [ "$a" != / ]; do
        if [ "$(( 0$(stat -c %a "$a") & 01 ))" = 0 ]; then
            _ms_log "chmod o+x $a (so the mail daemons can reach $d)"
            chmod o+x "$a"
        fi
    done
    mkdir -p "$d/tls" "$d/dovecot/run" "$d/dovecot/state" "$d/postfix/etc" \
             "$d/postfix/spool" "$d/postfix/data"
    ip link set lo up 2>/dev/null || true

    # --- self-signed certificate -------------------------------------------
    if [ ! -s "$d/tls/cert.pem" ]; then
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
            -subj /CN=mail.example.test -addext subjectAltName=DNS:mail.example.test \
            -keyout "$d/tls/key.pem" -out "$d/tls/cert.pem" >/dev/null 2>&1 || return 1
        chmod 644 "$d/tls/cert.pem"; chmod 600 "$d/tls/key.pem"
    fi

    # --- mail -----------------------------------------------------------------
    _ms_fill_mail "$d" || return 1

    # --- dovecot ----------------------------------------------------------------
    cat > "$d/dovecot/passwd" <<PW
user1:{PLAIN}secret1::::::
user2:{PLAIN}pa ss2!::::::
carol@example.test:{PLAIN}c4rol#9::::::
olena:{PLAIN}пароль-Ключ1::::::
PW
    chmod 644 "$d/dovecot/passwd"
    cat > "$d/dovecot/dovecot.conf" <<CONF
instance_name = mailsift-dovecot
base_dir = $d/dovecot/run
state_dir = $d/dovecot/state
log_path = $d/dovecot/dovecot.log
info_log_path = $d/dovecot/dovecot.log
protocols = pop3 imap
listen = 127.0.0.1, ::1
hostname = mail.example.test
login_greeting = Dovecot ready.
ssl = yes
ssl_cert = <$d/tls/cert.pem
ssl_key = <$d/tls/key.pem
# no TLS 1.2 session tickets: the ServerHello carries a session ID (see top)
ssl_options = no_ticket
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 apop
auth_verbose = yes
auth_failure_delay = 0
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:~/Maildir
pop3_uidl_format = %f
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/dovecot/passwd
}
userdb {
  driver = static
  args = uid=$MS_DOVECOT_UID gid=$MS_DOVECOT_GID home=$d/mail/%u
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 995
    ssl = yes
  }
}
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
# COMPRESS=DEFLATE (RFC 4978)
protocol imap {
  mail_plugins = \$mail_plugins zlib imap_zlib
}
# no auth penalty (up to 15 s delays after failed logins from one IP)
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
CONF
    dovecot -c "$d/dovecot/dovecot.conf" </dev/null >"$d/dovecot/start.log" 2>&1 || {
        cat "$d/dovecot/start.log" >&2; _ms_log "dovecot failed"; return 1; }

    # --- postfix ----------------------------------------------------------------
    local pe=$d/postfix/etc
    chown postfix "$d/postfix/data"
    cat > "$pe/vmailbox" <<VM
user1@example.test ok
user2@example.test ok
carol@example.test ok
olena@example.test ok
олена@example.test ok
VM
    cat > "$pe/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $d/postfix/spool
data_directory = $d/postfix/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = $d/postfix/maillog
maillog_file_prefixes = $d
myhostname = mail.example.test
mydomain = example.test
myorigin = example.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1, [::1]
inet_protocols = all
mynetworks = 127.0.0.0/8 [::1]/128
smtpd_banner = \$myhostname ESMTP Postfix
biff = no
relayhost =
virtual_mailbox_domains = example.test
virtual_mailbox_maps = texthash:$pe/vmailbox
virtual_transport = discard:
smtpd_sasl_type = dovecot
smtpd_sasl_path = $d/dovecot/run/auth-postfix
smtpd_sasl_auth_enable = yes
smtpd_sasl_security_options = noanonymous
smtpd_sasl_mechanism_filter = plain, login, cram-md5
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_cert_file = $d/tls/cert.pem
smtpd_tls_key_file = $d/tls/key.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = no
# session IDs instead of tickets (see top); the cache lets -no_ticket resume
tls_ssl_options = NO_TICKET
smtpd_tls_session_cache_database = btree:$d/postfix/data/smtpd_scache
smtputf8_enable = yes
smtp_tls_security_level = none
message_size_limit = 10240000
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 100
CONF
    cat > "$pe/master.cf" <<'CONF'
smtp       inet  n       -       n       -       -       smtpd
submission inet  n       -       n       -       -       smtpd
  -o syslog_name=postfix/submission
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
tlsmgr     unix  -       -       n       1000?   1       tlsmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
flush      unix  n       -       n       1000?   0       flush
proxymap   unix  -       -       n       -       -       proxymap
proxywrite unix  -       -       n       -       1       proxymap
smtp       unix  -       -       n       -       -       smtp
relay      unix  -       -       n       -       -       smtp
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
discard    unix  -       -       n       -       -       discard
local      unix  -       n       n       -       -       local
virtual    unix  -       n       n       -       -       virtual
lmtp       unix  -       -       n       -       -       lmtp
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
CONF
    # odd listeners for the corner-case samples (see top of this file)
    cat >> "$pe/master.cf" <<CONF
127.0.0.1:465 inet n     -       n       -       -       smtpd
  -o syslog_name=postfix/plain465
127.0.0.2:587 inet n     -       n       -       -       smtpd
  -o syslog_name=postfix/notls
  -o smtpd_tls_cert_file=$d/tls/missing-cert.pem
  -o smtpd_tls_key_file=$d/tls/missing-key.pem
127.0.0.3:587 inet n     -       n       -       -       smtpd
  -o syslog_name=postfix/tickets
  -o tls_ssl_options=
CONF
    postfix -c "$pe" start </dev/null >"$d/postfix/start.log" 2>&1 || {
        _ms_log "postfix failed:"; cat "$d/postfix/start.log" "$d/postfix/maillog" >&2; return 1; }

    local p
    for p in 110 995 143 993 25 587 465; do _ms_wait_port $p || return 1; done
    [ -S "$d/dovecot/run/auth-postfix" ] || { _ms_log "no dovecot auth socket"; return 1; }
    _ms_log "servers up in $d (dovecot: 110 995 143 993, postfix: 25 587, 127.0.0.1:465 plain, 127.0.0.2:587 no-TLS, 127.0.0.3:587 tickets)"
}

ms_mail_reset() { # DIR -- every mailbox back to its initial state (no client
    # may be logged in): IMAP scenarios that APPEND/EXPUNGE/flag call this so
    # each starts from the same mailboxes, UIDs and UIDVALIDITY
    local d=${1:?usage: ms_mail_reset DIR}
    d=$(cd "$d" && pwd) || return 1
    rm -rf "$d/mail"
    _ms_fill_mail "$d" || return 1
}

ms_servers_stop() {
    local d=${1:?usage: ms_servers_stop DIR}
    d=$(cd "$d" && pwd) || return 1
    if [ -f "$d/postfix/etc/main.cf" ]; then
        postfix -c "$d/postfix/etc" stop >/dev/null 2>&1 || true
    fi
    if [ -f "$d/dovecot/dovecot.conf" ]; then
        dovecot -c "$d/dovecot/dovecot.conf" stop >/dev/null 2>&1 || true
    fi
    # wait until both masters are gone (max ~10 s)
    local i
    for i in $(seq 1 100); do
        if ! [ -e "$d/dovecot/run/master.pid" ] && \
           ! [ -e "$d/postfix/spool/pid/master.pid" ] ; then break; fi
        local alive=0 p
        for p in "$d/dovecot/run/master.pid" "$d/postfix/spool/pid/master.pid"; do
            [ -s "$p" ] && kill -0 "$(tr -d ' ' < "$p")" 2>/dev/null && alive=1
        done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
}
