# shellcheck shell=bash
# IMAP scenarios (sourced by record.sh).  Each starts from fresh mailboxes
# (ms_mail_reset): fixed UIDVALIDITY, user1 INBOX 4 messages, UIDNEXT 5; the
# ones that change a mailbox (imap-session, imap-idle) reset it afterwards.

ALL="$ALL
 imap-session imap-auth imap-pipelining imap-idle imap-big-fetch imap-compress
 imap-telnet imap-curl tls-imap-starttls tls13-imaps-993"

sc_imap_py() { # name clients.py-scenario
    local name=$1
    ms_mail_reset "$SRV" || return 1
    cap_start "$W/a.pcap" "tcp port 143" -i lo || return 1
    python3 "$HERE/clients.py" "$2" >"$W/$name.log" 2>&1; local rc=$?
    cap_stop; ms_mail_reset "$SRV"
    [ $rc = 0 ] || { log "$name client failed"; tail -20 "$W/$name.log" >&2; return 1; }
    save "$W/a.pcap" "$name.pcap"
}
sc_imap_session()    { sc_imap_py imap-session imap-session; }
sc_imap_auth()       { sc_imap_py imap-auth imap-auth; }
sc_imap_pipelining() { sc_imap_py imap-pipelining imap-pipelining; }
sc_imap_idle()       { sc_imap_py imap-idle imap-idle; }
sc_imap_big_fetch()  { sc_imap_py imap-big-fetch imap-big-fetch; }
sc_imap_compress()   { sc_imap_py imap-compress imap-compress; }
sc_imap_telnet() {
    ms_mail_reset "$SRV" || return 1
    cap_start "$W/a.pcap" "tcp port 143" -i lo || return 1
    expect "$HERE/telnet_type.exp" imap 127.0.0.1 143 >"$W/imap-telnet.log" 2>&1; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "expect failed"; tail "$W/imap-telnet.log" >&2; return 1; }
    save "$W/a.pcap" imap-telnet.pcap
}
sc_imap_curl() { # curl imap:// (SASL LOGIN) and imaps:// (SASL PLAIN) with a key log
    local n=imap-curl
    ms_mail_reset "$SRV" || return 1
    rm -f "$W/$n.keys" "$W/$n.sclient.txt"
    cap_start "$W/a.pcap" "tcp port 143 or tcp port 993" -i lo || return 1
    curl -sS 'imap://127.0.0.1:143/INBOX;UID=1' --login-options 'AUTH=LOGIN' \
        -u 'user1:secret1' -o "$W/$n.1" >"$W/$n.log" 2>&1; local rc=$?
    sleep 0.3
    SSLKEYLOGFILE=$W/$n.keys curl -sSk 'imaps://127.0.0.1:993/INBOX;UID=1' \
        --login-options 'AUTH=PLAIN' -u 'user2:pa ss2!' -o "$W/$n.2" >>"$W/$n.log" 2>&1 || rc=1
    cap_stop
    [ $rc = 0 ] && [ -s "$W/$n.keys" ] || { log "$n failed"; tail -20 "$W/$n.log" >&2; return 1; }
    save_tls $n
}
sc_tls_imap_starttls() { ms_mail_reset "$SRV" && sc_lab tls-imap-starttls "tcp port 143"; }
sc_tls13_imaps_993()   { ms_mail_reset "$SRV" && sc_lab tls13-imaps-993 "tcp port 993"; }
