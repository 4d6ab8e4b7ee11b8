# shellcheck shell=bash
# TLS scenarios (sourced by record.sh: uses W, HERE, OUT, cap_start, cap_stop,
# save, log).  Every TLS capture NAME.pcap comes with NAME.keys (NSS key log)
# and, where openssl s_client was the client, NAME.sclient.txt (its
# "SSL-Session:" printouts).

ALL="$ALL
 tls12-smtp-starttls-587 tls12-smtp-starttls-25 tls13-smtp-starttls-aes128gcm
 tls13-smtp-starttls-aes256gcm tls13-smtp-starttls-chacha20 tls12-pop3s-995
 tls13-pop3s-995 tls-pop3-stls tls12-smtp-cbc-etm tls12-smtp-cbc-noetm
 tls13-smtp-keyupdate tls12-smtp-renegotiate tls12-resume-sessid
 tls12-resume-ticket tls-swaks-starttls tls-curl-pop3s tls-two-sessions tls-bad
 smtp-plain-465 smtp-starttls-refused"

save_tls() { # name -- move $W/a.pcap and the key material to $OUT
    save "$W/a.pcap" "$1.pcap"
    cp "$W/$1.keys" "$OUT/$1.keys"
    if [ -s "$W/$1.sclient.txt" ]; then cp "$W/$1.sclient.txt" "$OUT/$1.sclient.txt"
    else rm -f "$OUT/$1.sclient.txt"; fi
}

sc_lab() { # name filter -- an openssl s_client dialogue of tls_lab.py
    local name=$1 filt=$2
    cap_start "$W/a.pcap" "$filt" -i lo || return 1
    python3 "$HERE/tls_lab.py" "$name" "$W" 2>"$W/$name.err"; local rc=$?
    cap_stop
    [ $rc = 0 ] || { log "$name failed"; tail -5 "$W/$name.err" >&2; tail -c 600 "$W/$name.log" >&2; return 1; }
    save_tls "$name"
}
sc_tls12_smtp_starttls_587()       { sc_lab tls12-smtp-starttls-587 "tcp port 587"; }
sc_tls12_smtp_starttls_25()        { sc_lab tls12-smtp-starttls-25 "tcp port 25"; }
sc_tls13_smtp_starttls_aes128gcm() { sc_lab tls13-smtp-starttls-aes128gcm "tcp port 587"; }
sc_tls13_smtp_starttls_aes256gcm() { sc_lab tls13-smtp-starttls-aes256gcm "tcp port 587"; }
sc_tls13_smtp_starttls_chacha20()  { sc_lab tls13-smtp-starttls-chacha20 "tcp port 587"; }
sc_tls12_pop3s_995()               { sc_lab tls12-pop3s-995 "tcp port 995"; }
sc_tls13_pop3s_995()               { sc_lab tls13-pop3s-995 "tcp port 995"; }
sc_tls_pop3_stls()                 { sc_lab tls-pop3-stls "tcp port 110"; }
sc_tls12_smtp_cbc_etm()            { sc_lab tls12-smtp-cbc-etm "tcp port 587"; }
sc_tls12_smtp_cbc_noetm()          { sc_lab tls12-smtp-cbc-noetm "tcp port 587"; }
sc_tls12_resume_sessid()           { sc_lab tls12-resume-sessid "tcp port 587"; }
sc_tls12_resume_ticket()           { sc_lab tls12-resume-ticket "tcp port 587"; }
sc_tls_two_sessions()              { sc_lab tls-two-sessions "tcp port 587"; }

sc_tls_swaks_starttls() { # swaks --tls, key log through SSLKeyLogFile.pm
    local n=tls-swaks-starttls
    rm -f "$W/$n.keys" "$W/$n.sclient.txt"
    cap_start "$W/a.pcap" "tcp port 587" -i lo || return 1
    SSLKEYLOGFILE=$W/$n.keys perl -I"$HERE" -MSSLKeyLogFile "$(command -v swaks)" \
        --server 127.0.0.1 --port 587 --ehlo client.example.test --tls \
        --auth LOGIN --auth-user carol@example.test --auth-password 'c4rol#9' \
        --from carol@example.test --to user1@example.test \
        --header 'Subject: swaks STARTTLS' --body 'swaks --tls, key log by SSLKeyLogFile.pm' \
        >"$W/$n.log" 2>&1; local rc=$?
    cap_stop
    [ $rc = 0 ] && [ -s "$W/$n.keys" ] || { log "$n failed ($rc)"; tail -20 "$W/$n.log" >&2; return 1; }
    save_tls $n
}
sc_tls_curl_pop3s() { # curl pop3s:// RETR, SSLKEYLOGFILE honoured by curl
    local n=tls-curl-pop3s
    rm -f "$W/$n.keys" "$W/$n.sclient.txt"
    cap_start "$W/a.pcap" "tcp port 995" -i lo || return 1
    SSLKEYLOGFILE=$W/$n.keys curl -sSk --ssl-reqd 'pop3s://127.0.0.1:995/4' \
        --login-options 'AUTH=PLAIN' -u 'user1:secret1' -o "$W/$n.mail" >"$W/$n.log" 2>&1; local rc=$?
    cap_stop
    [ $rc = 0 ] && [ -s "$W/$n.keys" ] || { log "$n failed ($rc)"; tail -20 "$W/$n.log" >&2; return 1; }
    save_tls $n
}

# --- negative / corner cases ------------------------------------------------
sc_tls_bad() { # derived from tls-two-sessions (recorded first if missing)
    [ -s "$OUT/tls-two-sessions.pcap" ] || sc_tls_two_sessions || return 1
    local s=$OUT/tls-two-sessions
    cp "$s.pcap" "$W/w.pcap" && python3 "$HERE/tls_bad.py" wrong-secret "$s.keys" "$OUT/tls-bad-wrong-secret.keys" || return 1
    save "$W/w.pcap" tls-bad-wrong-secret.pcap
    cp "$s.pcap" "$W/t.pcap" && python3 "$HERE/tls_bad.py" truncate "$s.keys" "$OUT/tls-bad-truncated-keys.keys" || return 1
    save "$W/t.pcap" tls-bad-truncated-keys.pcap
    python3 "$HERE/tls_bad.py" flip "$s.pcap" "$W/f.pcap" && cp "$s.keys" "$OUT/tls-bad-flipped-byte.keys" || return 1
    save "$W/f.pcap" tls-bad-flipped-byte.pcap
    cp "$s.pcap" "$W/n.pcap" && save "$W/n.pcap" tls-bad-no-keys.pcap
}

sc_smtp_plain_465() { # Postfix smtpd WITHOUT wrappermode on 127.0.0.1:465
    cap_start "$W/a.pcap" "tcp port 465" -i lo || return 1
    swaks --server 127.0.0.1 --port 465 --ehlo client.example.test \
        --auth PLAIN --auth-user user1 --auth-password secret1 \
        --from user1@example.test --to carol@example.test \
        --header 'Subject: plain text on 465' --body 'no TLS on port 465' >"$W/p465.log" 2>&1; local rc=$?
    sleep 0.3
    # a client that expects implicit TLS (smtps): its ClientHello meets a banner
    openssl s_client -connect 127.0.0.1:465 </dev/null >>"$W/p465.log" 2>&1
    cap_stop
    [ $rc = 0 ] || { log "smtp-plain-465 failed"; tail -20 "$W/p465.log" >&2; return 1; }
    save "$W/a.pcap" smtp-plain-465.pcap
}
sc_smtp_starttls_refused() { # 127.0.0.2:587: STARTTLS -> 454, swaks goes on in clear
    cap_start "$W/a.pcap" "tcp port 587" -i lo || return 1
    swaks --server 127.0.0.2 --port 587 --ehlo client.example.test --tls-optional \
        --auth LOGIN --auth-user user1 --auth-password secret1 \
        --from user1@example.test --to carol@example.test \
        --header 'Subject: STARTTLS refused' --body 'sent in clear after 454' >"$W/s454.log" 2>&1; local rc=$?
    cap_stop
    grep -q '454 4.7.0' "$W/s454.log" && [ $rc = 0 ] || { log "smtp-starttls-refused failed ($rc)"; tail -20 "$W/s454.log" >&2; return 1; }
    save "$W/a.pcap" smtp-starttls-refused.pcap
}
sc_tls13_smtp_keyupdate()          { sc_lab tls13-smtp-keyupdate "tcp port 587"; }
sc_tls12_smtp_renegotiate()        { sc_lab tls12-smtp-renegotiate "tcp port 587"; }
