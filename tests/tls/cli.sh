#!/bin/sh
# tests/tls/cli.sh BIN - the key log options: --tls-keylog, tshark's
# -o tls.keylog_file:, $SSLKEYLOGFILE; an unreadable key log is one line
# naming the file and status 1; bad lines are skipped and counted.
# Prints "N passed, N failed" last.
set -u
BIN=${1:?usage: tests/tls/cli.sh BIN}
cd "$(dirname "$0")/../.." || exit 1
cap=samples/tls13-pop3s-995.pcap
keys=samples/tls13-pop3s-995.keys
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }
# the accepted login inside TLS, as the report shows it
decrypted() { grep -q 'POP/TLS .*user1 .*secret1 .*accepted' "$1"; }

"$BIN" -r $cap --tls-keylog $keys -q -z creds >"$tmp/a" 2>&1
decrypted "$tmp/a" && ok "--tls-keylog decrypts" || no "--tls-keylog decrypts"
"$BIN" -r $cap -o tls.keylog_file:$keys -q -z creds >"$tmp/b" 2>&1
decrypted "$tmp/b" && ok "-o tls.keylog_file: decrypts" || no "-o tls.keylog_file:"
SSLKEYLOGFILE=$keys "$BIN" -r $cap -q -z creds >"$tmp/c" 2>&1
decrypted "$tmp/c" && ok "\$SSLKEYLOGFILE is read" || no "\$SSLKEYLOGFILE"
SSLKEYLOGFILE=/nonexistent "$BIN" -r $cap --tls-keylog $keys -q -z creds >"$tmp/d" 2>&1
decrypted "$tmp/d" && ok "the option wins over \$SSLKEYLOGFILE" || no "option over env"
"$BIN" -r $cap -q -z creds >"$tmp/e" 2>&1
if ! decrypted "$tmp/e" && grep -q '1 TLS session not decrypted: no key; give --tls-keylog' "$tmp/e"; then
    ok "no key: the report says so"
else
    no "no key: the report says so"
fi

"$BIN" -r $cap --tls-keylog "$tmp/missing.log" -q >"$tmp/o" 2>"$tmp/err"
rc=$?
if [ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "$tmp/missing.log" "$tmp/err" \
   && [ ! -s "$tmp/o" ]; then
    ok "missing key log: one line naming it, status 1"
else
    no "missing key log: rc $rc, $(cat "$tmp/err")"
fi
"$BIN" -r $cap --tls-keylog "$tmp" -q >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "$tmp" "$tmp/err" && ok "a directory as key log: status 1" \
    || no "directory key log: rc $rc"
"$BIN" -r $cap -o tls.foo:bar -q >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q 'tls.keylog_file' "$tmp/err" && ok "an unknown -o preference: status 2" \
    || no "unknown -o"

# bad lines among good ones: skipped, counted, the good ones still used
{
    echo "# a comment"
    echo "CLIENT_RANDOM nothex nothex"
    echo "this is not a key log line"
    cat $keys
    printf 'SERVER_TRAFFIC_SECRET_0 00'    # cut, no newline
} >"$tmp/mixed.log"
"$BIN" -r $cap --tls-keylog "$tmp/mixed.log" -q -z creds --stats >"$tmp/m" 2>/dev/null
if decrypted "$tmp/m" && grep -Eq '^# tls key log: .* [1-9][0-9]* bad lines skipped' "$tmp/m"; then
    ok "bad key log lines skipped and counted, good ones used"
else
    no "bad key log lines: $(grep 'tls key log' "$tmp/m")"
fi
# the wrong secrets: a named anomaly, nothing garbled
sed 's/ [0-9a-f]*$/ 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff/' \
    $keys >"$tmp/wrong.log"
"$BIN" -r $cap --tls-keylog "$tmp/wrong.log" -T text --stats >"$tmp/w" 2>/dev/null
if grep -Eq '^# anomaly tls_bad_record +[1-9]' "$tmp/w" && ! grep -q 'C: USER' "$tmp/w"; then
    ok "wrong secrets: tls_bad_record, no plaintext"
else
    no "wrong secrets"
fi
echo "tls-cli: $pass passed, $fail failed"
[ $fail = 0 ]
