#!/bin/bash
# tests/live/run.sh BIN - live capture on lo inside a private network
# namespace while real servers (dovecot, postfix) and real clients
# (python poplib/smtplib) talk: rows appear while the session runs, the
# credentials are decoded, privileges are dropped before the first packet
# (checked in /proc/PID/status while capturing), -w (opened before the
# drop, in a root-only directory) writes a pcap that mailsift reads back,
# SIGINT ends cleanly with tcpdump-style counts.
set -u
BIN=$(readlink -f "${1:?usage: run.sh BIN}")
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${2:-}" != inner ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "skip live/all: not root (a network namespace and capture need it)"
        echo "live: 0 passed, 0 failed, 1 skipped"
        exit 0
    fi
    for c in dovecot postconf unshare ip python3; do
        if ! command -v $c >/dev/null; then
            echo "skip live/all: no $c"; echo "live: 0 passed, 0 failed, 1 skipped"; exit 0
        fi
    done
    exec unshare --net --mount -- bash "$0" "$1" inner
fi

pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

ip link set lo up
tmp=$(mktemp -d)
chmod 755 "$tmp"
mkdir -m 1777 "$tmp/out"
trap 'ms_servers_stop "$tmp/srv" >/dev/null 2>&1; [ -n "${KEEP:-}" ] && cp "$tmp/out.json" /tmp/live.json; rm -rf "$tmp"' EXIT
# shellcheck source=../../samples/record/servers.sh
. "$top/samples/record/servers.sh"
if ! ms_servers_start "$tmp/srv" >"$tmp/srv.log" 2>&1; then
    cat "$tmp/srv.log"
    no "servers start"
    echo "live: $pass passed, $fail failed"
    exit 1
fi

# -w into a directory only root may write to (the lab's /root or
# /var/log): the file is opened before the drop to nobody, as tcpdump
# does, so the capture is not lost.
mkdir -m 700 "$tmp/rootonly"
# A -w that cannot be opened fails before capturing, saying the path once.
"$BIN" -i lo -T json -Z nobody -w "$tmp/nodir/x.pcap" >/dev/null 2>"$tmp/werr" </dev/null
rc=$?
[ $rc = 1 ] && [ "$(grep -o "$tmp/nodir/x.pcap" "$tmp/werr" | wc -l)" = 1 ] \
    && grep -q 'No such file or directory' "$tmp/werr" && ! grep -q 'packets captured' "$tmp/werr" \
    && ok "-w failure: exit 1, path said once, nothing captured" \
    || no "-w failure: rc $rc, $(cat "$tmp/werr")"
"$BIN" -i lo -B 4 -T json -Z nobody -w "$tmp/rootonly/live.pcap" --export-objects "imf,$tmp/out/msgs" \
    >"$tmp/out.json" 2>"$tmp/err" &
pid=$!
# Wait for the capture to be up (the privilege drop is our signal).
for _ in $(seq 50); do
    grep -q '^Uid:.*65534' /proc/$pid/status 2>/dev/null && break
    sleep 0.1
done
st=$(cat /proc/$pid/status 2>/dev/null)
echo "$st" | grep -q '^Uid:[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534' \
    && ok "uid dropped to nobody" || no "uid dropped: $(echo "$st" | grep ^Uid)"
echo "$st" | grep -q '^Gid:[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534' \
    && ok "gid dropped" || no "gid dropped: $(echo "$st" | grep ^Gid)"
echo "$st" | grep -qE '^Groups:[[:space:]]*$' && ok "supplementary groups cleared" \
    || no "groups: $(echo "$st" | grep ^Groups)"
echo "$st" | grep -q '^CapEff:[[:space:]]*0000000000000000' && ok "no effective capabilities" \
    || no "capabilities: $(echo "$st" | grep ^CapEff)"

python3 - <<'PY' >"$tmp/client.log" 2>&1
import poplib, smtplib
p = poplib.POP3('127.0.0.1', 110, timeout=10)
p.user('user1'); p.pass_('secret1'); p.stat(); p.list(); p.retr(1); p.quit()
s = smtplib.SMTP('127.0.0.1', 587, timeout=10)
s.ehlo('live.example.test'); s.user, s.password = 'user2', 'pa ss2!'
s.auth('PLAIN', s.auth_plain)
s.sendmail('user2@example.test', ['user1@example.test'], 'Subject: live test\r\n\r\nhello\r\n')
s.quit()
PY
[ $? = 0 ] && ok "clients ran" || { no "clients ran"; cat "$tmp/client.log"; }
# Rows must appear while the capture still runs; wait for the last
# message of the SMTP session, so SIGINT does not cut it off.
found=0
for _ in $(seq 100); do
    grep -q '"kind":"credential".*"user":"user2".*"result":"accepted"' "$tmp/out.json" \
        && grep -q '"kind":"reply".*"text":"221 ' "$tmp/out.json" && { found=1; break; }
    sleep 0.1
done
[ $found = 1 ] && ok "rows appear during the capture" || no "rows appear during the capture"
kill -INT $pid
wait $pid
rc=$?
[ $rc = 0 ] && ok "SIGINT ends with status 0" || no "SIGINT status $rc"
has() { # has KEY=VALUE... : a JSON record in out.json with all of them
    python3 -c '
import json, sys
want = dict(a.split("=", 1) for a in sys.argv[2:])
for line in open(sys.argv[1]):
    r = json.loads(line)
    if all(str(r.get(k, r.get("fields", {}).get(k))) == v for k, v in want.items()):
        sys.exit(0)
sys.exit(1)' "$tmp/out.json" "$@"
}
has kind=credential proto=pop mech=USER/PASS user=user1 secret=secret1 result=accepted \
    && ok "POP3 USER/PASS credential" || no "POP3 credential"
has kind=credential proto=smtp mech=PLAIN user=user2 'secret=pa ss2!' result=accepted \
    && ok "SMTP AUTH PLAIN credential" || no "SMTP credential"
has kind=body proto=smtp 'imf.subject=live test' && ok "DATA body decoded" || no "DATA body"
# tcpdump's four lines (pcap_stats), with -B set: captured, received by
# the filter (at least as many), dropped by the kernel and the interface.
cnt() { sed -n "s/^\([0-9][0-9]*\) packets\{0,1\} $1\$/\1/p" "$tmp/err"; }
cap=$(cnt captured) recv=$(cnt 'received by filter')
kd=$(cnt 'dropped by kernel') ifd=$(cnt 'dropped by interface')
[ -n "$cap" ] && [ -n "$recv" ] && [ -n "$kd" ] && [ -n "$ifd" ] && [ "$cap" -gt 0 ] \
    && [ "$recv" -ge "$cap" ] && ok "capture counts on stderr (pcap_stats, -B 4)" \
    || { no "capture counts"; cat "$tmp/err"; }
# The -w file was opened before the drop and holds the same session.
if [ -s "$tmp/rootonly/live.pcap" ]; then
    "$BIN" -r "$tmp/rootonly/live.pcap" -T json >"$tmp/replay.json" 2>/dev/null
    if diff <(grep -c . "$tmp/out.json") <(grep -c . "$tmp/replay.json") >/dev/null; then
        ok "-w capture reads back to the same records"
    else
        no "-w replay: $(wc -l <"$tmp/out.json") live vs $(wc -l <"$tmp/replay.json") replayed"
    fi
    [ "$(stat -c %U "$tmp/rootonly/live.pcap")" = root ] \
        && ok "-w file opened before the drop, in a root-only directory" \
        || no "-w file owner $(stat -c %U "$tmp/rootonly/live.pcap")"
else
    no "-w into a root-only directory wrote nothing: $(cat "$tmp/err")"
fi
# The export directory and its files were made by nobody, after the drop:
# the DATA body and the RETR body, each as big as its record says.
if [ -d "$tmp/out/msgs" ]; then
    [ "$(stat -c %U:%a "$tmp/out/msgs")" = nobody:700 ] && ok "export directory made after the drop" \
        || no "export directory $(stat -c %U:%a "$tmp/out/msgs")"
    grep -l '^Subject: live test' "$tmp/out/msgs"/*-smtp-*.eml >/dev/null 2>&1 \
        && ok "DATA body exported" || no "DATA body exported: $(ls "$tmp/out/msgs")"
    n=$(ls "$tmp/out/msgs" | grep -c '^[0-9]*-pop-[0-9]*\.eml$')
    [ "$n" = 1 ] && ok "RETR body exported" || no "RETR bodies exported: $n"
    own=$(stat -c %U "$tmp/out/msgs"/* | sort -u | tr '\n' ' ')
    [ "$own" = "nobody " ] && ok "export files owned by nobody" || no "export file owners: $own"
    grep -q 'exported 2 messages' "$tmp/err" && ok "export summary on stderr" \
        || no "export summary: $(grep exported "$tmp/err")"
else
    no "no export directory"
fi

# The view, live: rows appear while a session runs (issue: the view).
if command -v tmux >/dev/null; then
    sock=mslive$$
    tmux -L $sock new-session -d -x 120 -y 30 "$BIN --ui -i lo -Z nobody"
    sleep 1
    python3 - <<'PY' >"$tmp/client2.log" 2>&1
import poplib
p = poplib.POP3('127.0.0.1', 110, timeout=10)
p.user('carol@example.test'); p.pass_('c4rol#9'); p.stat(); p.quit()
PY
    seen=0
    for _ in $(seq 30); do
        tmux -L $sock capture-pane -p >"$tmp/screen" 2>/dev/null
        grep -q "PASS c4rol#9" "$tmp/screen" && { seen=1; break; }
        sleep 0.2
    done
    [ $seen = 1 ] && ok "view: rows appear during a live session" \
        || { no "view: rows during a live session"; cat "$tmp/screen"; }
    grep -q 'live: lo' "$tmp/screen" && ok "view: status line names the interface" \
        || no "view: status line"
    grep -qE 'recv [0-9]+, dropped [0-9]+ kernel, [0-9]+ if' "$tmp/screen" \
        && ok "view: status line has the kernel's counts (pcap_stats)" \
        || { no "view: status line counts"; tail -n 2 "$tmp/screen"; }
    tmux -L $sock send-keys q
    sleep 0.5
    tmux -L $sock has-session 2>/dev/null && { no "view: q quits"; tmux -L $sock kill-server; } \
        || ok "view: q quits the live view"
else
    skip=1
    echo "skip live/view: no tmux (3 checks of the live view)"
fi
# TLS, live: the key log does not exist when the capture starts; the
# clients write it as they go (Python's ssl keylog_filename, as
# SSLKEYLOGFILE does for curl and swaks), mailsift reads it when a
# session needs a secret, and the logins inside TLS come out decrypted.
keys="$tmp/out/keys.log"
"$BIN" -i lo -T json -Z nobody --tls-keylog "$keys" >"$tmp/tls.json" 2>"$tmp/tls.err" &
pid=$!
for _ in $(seq 50); do
    grep -q '^Uid:.*65534' /proc/$pid/status 2>/dev/null && break
    sleep 0.1
done
grep -q 'not there yet' "$tmp/tls.err" && ok "tls: a key log still to come is accepted" \
    || { no "tls: key log to come"; cat "$tmp/tls.err"; }
KEYS=$keys python3 - <<'PY' >"$tmp/client3.log" 2>&1
import os, poplib, smtplib, ssl
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.keylog_filename = os.environ['KEYS']
p = poplib.POP3_SSL('127.0.0.1', 995, timeout=10, context=ctx)
p.user('user1'); p.pass_('secret1'); p.stat(); p.quit()
s = smtplib.SMTP('127.0.0.1', 587, timeout=10)
s.ehlo('live.example.test'); s.starttls(context=ctx); s.ehlo('live.example.test')
s.user, s.password = 'user2', 'pa ss2!'
s.auth('PLAIN', s.auth_plain); s.quit()
PY
[ $? = 0 ] && ok "tls: clients ran" || { no "tls: clients ran"; cat "$tmp/client3.log"; }
for _ in $(seq 100); do
    grep -q '"kind":"credential".*"user":"user2"' "$tmp/tls.json" && break
    sleep 0.1
done
kill -INT $pid
wait $pid
hasf() { # hasf FILE KEY=VALUE...
    python3 -c '
import json, sys
want = dict(a.split("=", 1) for a in sys.argv[2:])
for line in open(sys.argv[1]):
    r = json.loads(line)
    if all(str(r.get(k, r.get("fields", {}).get(k))) == v for k, v in want.items()):
        sys.exit(0)
sys.exit(1)' "$@"
}
hasf "$tmp/tls.json" kind=credential proto=pop dport=995 user=user1 secret=secret1 result=accepted decrypted=True \
    && ok "tls: POP3S login decrypted live" || { no "tls: POP3S login"; head -c 3000 "$tmp/tls.json"; }
hasf "$tmp/tls.json" kind=credential proto=smtp user=user2 'secret=pa ss2!' result=accepted decrypted=True \
    && ok "tls: SMTP STARTTLS login decrypted live" \
    || { no "tls: SMTP STARTTLS login"; grep '"proto":"smtp"' "$tmp/tls.json" | cut -c1-400 | tail -30; }
hasf "$tmp/tls.json" kind=tls verb=ServerHello proto=pop && ok "tls: handshake shown" || no "tls: handshake"

if [ $skip = 0 ]; then
    echo "live: $pass passed, $fail failed"
else
    echo "live: $pass passed, $fail failed, $skip skipped"
fi
[ $fail = 0 ]
