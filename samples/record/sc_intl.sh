# shellcheck shell=bash
# International mail scenarios (sourced by record.sh): SMTPUTF8, RFC 2047
# encoded words in ten charsets, UTF-8 passwords.  Messages: intl_mail.py.

ALL="$ALL
 intl-smtputf8 intl-rfc2047-smtp intl-utf8-auth intl-imap-fetch"

sc_intl_smtputf8() {
    cap_start "$W/a.pcap" "tcp port 25" -i lo || return 1
    python3 "$HERE/intl_mail.py" smtputf8 127.0.0.1 25 >"$W/u8.log" 2>&1; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "intl-smtputf8 failed"; tail -20 "$W/u8.log" >&2; return 1; }
    save "$W/a.pcap" intl-smtputf8.pcap
}
sc_intl_rfc2047_smtp() {
    cap_start "$W/a.pcap" "tcp port 25" -i lo || return 1
    python3 "$HERE/intl_mail.py" smtp 127.0.0.1 25 >"$W/2047.log" 2>&1; local rc=$?
    cap_stop; [ $rc = 0 ] || { log "intl-rfc2047-smtp failed"; tail -20 "$W/2047.log" >&2; return 1; }
    save "$W/a.pcap" intl-rfc2047-smtp.pcap
}
sc_intl_utf8_auth() { sc_py intl-utf8-auth "tcp port 587 or tcp port 110" intl-utf8-auth; }
sc_intl_imap_fetch() { ms_mail_reset "$SRV" && sc_py intl-imap-fetch "tcp port 143" intl-imap-fetch; }
