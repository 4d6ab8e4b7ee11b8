#!/bin/sh
# tests/tui/run.sh - drive the ncurses view inside tmux and check the
# screen text. Usage: tests/tui/run.sh [./mailsift]
# Without tmux: "skip tui/all: no tmux" (exit 0). Last line:
# "N passed, N failed[, N skipped]".
set -u
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-./mailsift}
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac

if ! command -v tmux >/dev/null 2>&1; then
    echo "skip tui/all: no tmux"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi

pass=0
fail=0
skip=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mailsift-tui.XXXXXX")
SOCK="mailsift-tui-$$"
T="tmux -L $SOCK -f /dev/null"

cleanup() {
    $T kill-server >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ok() {
    pass=$((pass + 1))
    echo "ok   $1"
}

nok() {
    fail=$((fail + 1))
    echo "FAIL $1"
    if [ -f "$TMP/screen" ]; then
        echo "---- screen ----"
        sed 's/^/    | /' "$TMP/screen"
        echo "----------------"
    fi
}

# skipped CASE REASON
skipped() {
    skip=$((skip + 1))
    echo "skip tui/$1: $2"
}

# First existing file: samples/ first, then tests/data/corpus/.
pick() {
    for f in "$@"; do
        [ -f "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}

screen() {
    $T capture-pane -p -t ms >"$TMP/screen" 2>/dev/null
    cat "$TMP/screen"
}

# wait_for REGEX [seconds]: poll the screen until grep -E matches.
wait_for() {
    n=0
    lim=$(( ${2:-5} * 10 ))
    while [ $n -lt $lim ]; do
        screen | grep -Eq -- "$1" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}

# wait_gone REGEX: poll until the screen no longer matches.
wait_gone() {
    n=0
    while [ $n -lt 50 ]; do
        screen | grep -Eq -- "$1" || return 0
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}

# reverse_at N TEXT: is the first character of TEXT in line N of the
# screen drawn in reverse video? (the filter bar's selection)
reverse_at() {
    $T capture-pane -e -p -t ms >"$TMP/screen.e" 2>/dev/null
    python3 -c '
import re, sys
line = open(sys.argv[1], encoding="utf-8", errors="replace").read().split("\n")[int(sys.argv[2])]
rev, plain, flags = False, "", []
for m in re.finditer(r"\x1b\[([0-9;]*)m|([^\x1b]+)", line):
    if m.group(2) is None:
        for c in (m.group(1) or "0").split(";"):
            if c in ("", "0", "27"):
                rev = False
            elif c == "7":
                rev = True
    else:
        plain += m.group(2)
        flags += [rev] * len(m.group(2))
i = plain.find(sys.argv[3])
sys.exit(0 if i >= 0 and flags[i] else 1)' "$TMP/screen.e" "$1" "$2"
}

# wait_reverse N TEXT: poll until reverse_at N TEXT holds (the screen
# may show the same text before the key that highlights it is handled).
wait_reverse() {
    n=0
    while [ $n -lt 50 ]; do
        reverse_at "$1" "$2" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}

pane() {
    $T display-message -p -t ms "$1" 2>/dev/null
}

keys() {
    $T send-keys -t ms "$@"
}

text() {
    $T send-keys -t ms -l "$1"
}

# Table rows: lines starting with a frame number, above the details pane.
table_rows() {
    screen | sed '/^ Details/,$d' | grep -Ec '^ *[0-9]+ +[0-9~]'
}

# start FILE [extra args]: run the view in a fresh session, 120x40 unless
# TUI_W / TUI_H say otherwise, with TUI_ENV (e.g. LC_ALL=C.UTF-8) in its
# environment. The pane stays after exit (remain-on-exit) so its status
# can be read.
start() {
    $T kill-session -t ms >/dev/null 2>&1
    f=$1
    shift
    rm -f "$TMP/pid" "$TMP/status"
    # Not exec: the shell records the pid and the exit status. Without job
    # control a background job reads /dev/null, so hand it the tty on fd 3.
    $T new-session -d -s ms -x "${TUI_W:-120}" -y "${TUI_H:-40}" \
        "exec 3<&0; env ${TUI_ENV:-} \"$BIN\" --ui -r \"$f\" $* <&3 3<&- & echo \$! >\"$TMP/pid\"; wait \$!; echo \$? >\"$TMP/status\"; sleep 2"
    $T set-option -t ms remain-on-exit on >/dev/null 2>&1
    n=0
    while [ ! -s "$TMP/pid" ] && [ $n -lt 50 ]; do
        sleep 0.1
        n=$((n + 1))
    done
}

# wait_exit: wait up to 5 s for the view to exit; 0 if it did.
wait_exit() {
    n=0
    while [ ! -s "$TMP/status" ] && [ $n -lt 50 ]; do
        sleep 0.1
        n=$((n + 1))
    done
    [ -s "$TMP/status" ] && ! kill -0 "$(cat "$TMP/pid")" 2>/dev/null
}

$T new-session -d -s keep -x 80 -y 24 "sleep 600" || {
    echo "FAIL tmux server did not start"
    echo "0 passed, 1 failed"
    exit 1
}
$T set-option -g remain-on-exit on >/dev/null 2>&1

SMTP=$(pick samples/lab-smtp-auth.pcap samples/smtp-auth-login.pcap \
    tests/data/corpus/smtp-auth-login.pcap) || SMTP=
TELNET=$(pick samples/lab-pop3-telnet.pcap samples/pop3-telnet-typed.pcap \
    tests/data/corpus/pop3-telnet-typed.pcap) || TELNET=
MIXED=$(pick samples/lab.pcapng samples/mixed-ipv6.pcap) || MIXED=

# Table rows of each protocol (above the details pane).
proto_rows() {
    screen | sed '/^ Details/,$d' | grep -Ec "^ *[0-9]+ .* $1 +[0-9]+ "
}

# ---- SMTP sample: open, filter, details, follow, creds, resize, quit ----
if [ -z "$SMTP" ]; then
    nok "SMTP AUTH sample not found (samples/, tests/data/corpus/)"
else
    echo "# $SMTP"
    start "$SMTP"
    if wait_for 'No\. +Time +Source +Destination +Proto' &&
       wait_for '^ +[0-9]+ .*SMTP .*S: 220'; then
        ok "open: header and rows"
    else
        nok "open: header and rows"
    fi
    all=$(table_rows)

    keys /
    text 'smtp.req.command == "AUTH"'
    if wait_for '^ +[0-9]+ .*C: AUTH' && wait_gone 'S: 220'; then
        n=$(table_rows)
        if [ "$n" -ge 1 ] && [ "$n" -lt "$all" ] &&
           [ "$(screen | sed '/^ Details/,$d' | grep -E '^ *[0-9]+ ' | grep -vc 'AUTH')" -eq 0 ]
        then
            ok "filter: valid expression reduces rows ($all -> $n)"
        else
            nok "filter: valid expression reduces rows ($all -> $n)"
        fi
    else
        nok "filter: valid expression reduces rows"
    fi
    keys Enter

    keys /
    keys C-u
    text 'smtp.foo'
    # "Filter: " is 8 columns; the unknown field starts at column 0.
    if wait_for '^        \^ .*smtp\.foo'; then
        ok "filter: invalid expression shows the error with a caret"
    else
        nok "filter: invalid expression shows the error with a caret"
    fi
    keys C-u
    text 'smtp.req.com'
    keys Tab
    if wait_for '^Filter: smtp\.req\.command'; then
        ok "filter: Tab completes a field name"
    else
        nok "filter: Tab completes a field name"
    fi
    keys C-u
    text 'msg.kind == "credential"'
    keys Enter
    if wait_for 'Verdict: (accepted|rejected|unknown)' &&
       wait_for 'User \(decoded\): ' && wait_for 'Mechanism: '; then
        ok "details: credential row shows mechanism, user, verdict"
    else
        nok "details: credential row shows mechanism, user, verdict"
    fi

    keys /
    keys Up
    if wait_for '^Filter: msg\.kind == "credential"'; then
        keys Up
        if wait_for '^Filter: smtp\.req\.command == "AUTH"'; then
            ok "filter: history with Up"
        else
            nok "filter: history with Up"
        fi
    else
        nok "filter: history with Up"
    fi
    keys C-u
    text 'smtp.req.command == "AUTH"'
    keys Enter
    wait_for '^ +[0-9]+ .*C: AUTH' >/dev/null
    keys F
    if wait_for '^ Follow Stream [0-9]+ \(SMTP\)' && wait_for '^C: AUTH' &&
       wait_for '^S: 2[0-9][0-9] ' && wait_for '\[(user|password): '; then
        ok "follow stream: both sides, AUTH decoded inline"
    else
        nok "follow stream: both sides, AUTH decoded inline"
    fi
    keys /
    text 'EHLO'
    keys Enter
    if wait_for 'Find|EHLO' 2 && ! screen | grep -q 'not found in stream'; then
        ok "follow stream: search"
    else
        nok "follow stream: search"
    fi
    keys q
    wait_for '^ +No\. ' >/dev/null

    keys C
    if wait_for '^ Credentials: [1-9]' && wait_for 'accepted|rejected'; then
        ok "credentials view lists credentials"
    else
        nok "credentials view lists credentials"
    fi
    keys Enter
    if wait_for '^ +No\. ' && wait_for 'filter cleared|credentials ' &&
       wait_for 'Verdict: '; then
        ok "credentials view: Enter jumps to the row"
    else
        nok "credentials view: Enter jumps to the row"
    fi

    keys '?'
    if wait_for 'Filter bar' && wait_for 'Follow stream'; then
        ok "help lists the keys"
    else
        nok "help lists the keys"
    fi
    keys Escape

    keys C-f
    text '235'
    keys Enter
    if wait_for '^Find row|235' 2 && ! screen | grep -q 'not found:'; then
        ok "row search with Ctrl-F"
    else
        nok "row search with Ctrl-F"
    fi

    $T resize-window -t ms -x 80 -y 24 >/dev/null 2>&1
    sleep 0.5
    lines=$(screen | wc -l)
    width=$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
    rows=$(table_rows)
    if [ "$lines" -le 24 ] && [ "$width" -le 80 ] &&
       wait_for '^ +No\. +Time' && wait_for 'q:quit'; then
        if [ "$rows" -ge 8 ] || [ "$rows" -ge "$all" ]; then
            ok "resize to 80x24: header, $rows rows, status line"
        else
            # The table keeps at least 8 rows at 80x24 when it has them.
            n=$(screen | sed -n '3,10p' | grep -Ec '^ *[0-9]+ ')
            if [ "$n" -ge 1 ]; then
                ok "resize to 80x24: header, rows, status line"
            else
                nok "resize to 80x24: $rows rows"
            fi
        fi
    else
        nok "resize to 80x24"
    fi

    keys q
    if wait_exit && [ "$(cat "$TMP/status")" = 0 ] &&
       [ "$(pane '#{alternate_on}')" = 0 ] &&
       [ "$(pane '#{cursor_flag}')" != 0 ]; then
        ok "q quits: process gone, status 0, terminal restored"
    else
        nok "q quits: status=$(cat "$TMP/status" 2>/dev/null) alt=$(pane '#{alternate_on}') cursor=$(pane '#{cursor_flag}')"
    fi

    # -Y starts in the filter bar
    start "$SMTP" "-Y 'smtp.req.command == \"AUTH\"'"
    if wait_for '^Filter: smtp\.req\.command == "AUTH"' &&
       wait_for '^ +[0-9]+ .*C: AUTH' && ! screen | grep -q 'S: 220'; then
        ok "-Y filter starts in the bar"
    else
        nok "-Y filter starts in the bar"
    fi

    # SIGTERM restores the terminal
    pid=$(cat "$TMP/pid" 2>/dev/null)
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null
        if wait_exit && [ "$(pane '#{alternate_on}')" = 0 ]; then
            ok "SIGTERM: exits and restores the terminal"
        else
            nok "SIGTERM: exits and restores the terminal"
        fi
    else
        nok "SIGTERM: no pane pid"
    fi
fi

# ---- telnet POP3: packet view shows keystroke rows ----
if [ -z "$TELNET" ]; then
    nok "telnet POP3 sample not found (samples/, tests/data/corpus/)"
else
    echo "# $TELNET"
    start "$TELNET"
    if wait_for 'C: USER' && wait_for '[0-9]+/[0-9]+ msgs'; then
        keys p
        if wait_for 'C: U *$' && wait_for 'C: S *$' && wait_for 'C: E *$' &&
           wait_for 'packet rows'; then
            ok "packet view: keystroke rows (C: U, C: S, C: E)"
        else
            nok "packet view: keystroke rows (C: U, C: S, C: E)"
        fi
        # Each packet row shows its own time and its one character.
        if wait_for '^ +12 3\.372539 +127\.0\.0\.1 +127\.0\.0\.1 +POP +1 C: U *$' &&
           screen | grep -Eq '^ +14 3\.407734 +127\.0\.0\.1 +127\.0\.0\.1 +POP +1 C: S *$' &&
           screen | grep -Eq '^ +16 3\.473957 +127\.0\.0\.1 .* +1 C: E *$' &&
           screen | grep -Eq '^ +18 3\.517154 +127\.0\.0\.1 .* +1 C: R *$' &&
           [ "$(screen | sed '/^ Details/,$d' | grep -Ec '^ +[0-9]+ +~')" = 0 ]; then
            ok "packet view: each row its own time and its one character"
        else
            nok "packet view: each row its own time and its one character"
        fi
        keys g j j j j j
        if wait_for '^Packet 14: bytes 1\.\.1 of this message \(packet 2 of 11\)' &&
           wait_for '^    Packet time: 2026-11-28 09:14:18\.889519 \(3\.407734 s'; then
            ok "packet view: details give a middle packet its own time"
        else
            nok "packet view: details give a middle packet its own time"
        fi
        keys j j j j j j j j j
        if wait_for '^ +32 3\.922532 .* +2 C: \\r\\n *$' &&
           wait_for '^Packet 32: bytes 10\.\.11 of this message \(packet 11 of 11\)' &&
           wait_for '^    Packet time: 2026-11-28 09:14:19\.404317 \(3\.922532 s'; then
            ok "packet view: the last packet of a message has the message's time"
        else
            nok "packet view: the last packet of a message has the message's time"
        fi
        keys p
        if wait_for 'C: USER [^ ]+ \[' && wait_gone 'packet rows'; then
            ok "packet view toggles back to messages"
        else
            nok "packet view toggles back to messages"
        fi
        keys /
        text 'telnet.typed'
        keys Enter
        wait_for '^Filter: telnet\.typed' >/dev/null
        keys F
        if wait_for '^ Follow Stream' && keys t && wait_for '\[as typed\]' &&
           wait_for 'keystroke segment'; then
            ok "follow stream: as typed toggle"
        else
            nok "follow stream: as typed toggle"
        fi
    else
        nok "open telnet sample"
    fi
    keys Q
fi

# ---- credentials view: typed secret, the server's reply, whole verdicts ----
if [ -z "$TELNET" ]; then
    nok "credentials view widths: telnet POP3 sample not found"
else
    for width in 120 80; do
        TUI_W=$width TUI_H=24 start "$TELNET"
        wait_for '[0-9]+/[0-9]+ msgs' >/dev/null
        keys C
        wait_for '^ Credentials: 4' >/dev/null
        # Four attempts: the verdict whole and in one column on each row;
        # the typed form of the secrets the server got edited.
        if wait_for '^ +66 POP +USER/PA.* wrongpass +rejected ' &&
           screen | grep -Eq '^122 POP .* secret1 \(typed secrex\\x08t1\) +rejected ' &&
           screen | grep -Eq '^192 POP .* secret1 \(typed sec\\x15PASS secret1\) +rejected ' &&
           screen | grep -Eq '^244 POP .* secret1 +accepted ' &&
           [ "$(screen | grep -E '^ *[0-9]+ POP ' |
                awk '{ print index($0, "rejected") + index($0, "accepted") }' |
                sort -u | wc -l)" = 1 ] &&
           [ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')" -le "$width" ]
        then
            ok "credentials view at $width columns: typed secrets, whole verdicts"
        else
            nok "credentials view at $width columns: typed secrets, whole verdicts"
        fi
        if [ "$width" = 120 ]; then
            if screen | grep -Eq '^ +66 .* rejected -ERR \[AUTH\] Authentication failed\. +127\.0\.0\.1:110 *$' &&
               screen | grep -Eq '^244 .* accepted \+OK Logged in\. +127\.0\.0\.1:110 *$'; then
                ok "credentials view at 120 columns: the server's reply and the server"
            else
                nok "credentials view at 120 columns: the server's reply and the server"
            fi
        else
            # The reply is cut first, but starts on every row.
            if [ "$(screen | grep -Ec '^ *[0-9]+ POP .*(rejected -ERR|accepted \+OK)')" = 4 ]; then
                ok "credentials view at 80 columns: the reply gives way, not the verdict"
            else
                nok "credentials view at 80 columns: the reply gives way, not the verdict"
            fi
        fi
        # Under the list, the selected credential whole.
        keys j
        if wait_for '^ Frame 122: POP USER/PASS, user user1, server 127\.0\.0\.1:110 -> rejected' &&
           wait_for '^   Secret: secret1 *$' &&
           wait_for '^   Typed \(raw keystrokes, as the server got them\): secrex\\x08t1 *$' &&
           wait_for '^   Server said: -ERR \[AUTH\] Authentication failed\. *$'; then
            ok "credentials view at $width columns: the selected one whole below"
        else
            nok "credentials view at $width columns: the selected one whole below"
        fi
        keys Q
        wait_exit >/dev/null
    done
fi

# ---- filter bar: / selects the old filter, typing replaces it ----
if [ -z "$MIXED" ]; then
    nok "filter bar selection: samples/lab.pcapng not found"
elif ! command -v python3 >/dev/null 2>&1; then
    skipped filter-bar "no python3"
else
    echo "# $MIXED"
    start "$MIXED"
    wait_for '^ +[0-9]+ .* SMTP ' >/dev/null
    keys /
    text 'pop'
    keys Enter
    wait_gone ' SMTP +[0-9]+ ' >/dev/null
    keys /
    if wait_reverse 0 'pop' && wait_for '^Filter: pop *$'; then
        ok "filter bar: / shows the old filter selected (reverse video)"
    else
        nok "filter bar: / shows the old filter selected (reverse video)"
    fi
    text 'smtp'
    # was: "popsmtp" -> unknown field
    if wait_for '^Filter: smtp *$' && wait_gone ' POP +[0-9]+ ' &&
       ! screen | grep -q 'unknown field' && [ "$(proto_rows SMTP)" -ge 1 ] &&
       ! reverse_at 0 'smtp'; then
        ok "filter bar: typing replaces the selected filter (pop -> smtp)"
    else
        nok "filter bar: typing replaces the selected filter (pop -> smtp)"
    fi
    keys Enter
    keys /
    keys End
    text ' || pop'
    if wait_for '^Filter: smtp \|\| pop *$' && wait_for ' POP +[0-9]+ ' &&
       [ "$(proto_rows SMTP)" -ge 1 ]; then
        ok "filter bar: End keeps the filter and appends"
    else
        nok "filter bar: End keeps the filter and appends"
    fi
    keys Enter
    keys /
    keys Home
    text 'tcp and ('
    keys End
    text ')'
    if wait_for '^Filter: tcp and \(smtp \|\| pop\) *$' &&
       ! screen | grep -q 'unknown field\|expected'; then
        ok "filter bar: Home keeps the filter and inserts at the start"
    else
        nok "filter bar: Home keeps the filter and inserts at the start"
    fi
    keys Enter
    keys /
    keys Left
    text 'X'
    if wait_for '^Filter: tcp and \(smtp \|\| popX\) *$'; then
        ok "filter bar: Left keeps the filter and moves the cursor"
    else
        nok "filter bar: Left keeps the filter and moves the cursor"
    fi
    keys Escape
    if wait_for '^Filter: tcp and \(smtp \|\| pop\) *$'; then
        ok "filter bar: Esc puts the filter back"
    else
        nok "filter bar: Esc puts the filter back"
    fi
    keys /
    keys BSpace
    # An empty bar: every message shows.
    if wait_for '^Filter: *$' && wait_for ' ([0-9]+)/\1 msgs'; then
        ok "filter bar: Backspace clears the selected filter"
    else
        nok "filter bar: Backspace clears the selected filter"
    fi
    keys Escape
    keys /
    # History: the newest entry (the filter itself), then older ones.
    keys Up
    wait_for '^Filter: tcp and \(smtp' >/dev/null
    keys Up
    if wait_for '^Filter: smtp \|\| pop *$'; then
        keys Up
        if wait_for '^Filter: smtp *$'; then
            keys Down
            if wait_for '^Filter: smtp \|\| pop *$'; then
                text ' || tcp'
                if wait_for '^Filter: smtp \|\| pop \|\| tcp *$'; then
                    ok "filter bar: Up/Down walk the history; typing then appends"
                else
                    nok "filter bar: typing after the history appends"
                fi
            else
                nok "filter bar: Down walks the history back"
            fi
        else
            nok "filter bar: Up walks the history"
        fi
    else
        nok "filter bar: Up walks the history"
    fi
    keys Escape
    keys Q
    wait_exit >/dev/null
fi

# ---- wide characters: cut, padded and pointed at by columns ----
# esc_bytes output is ASCII today; a -Y argument is the one way non-ASCII
# text reaches the screen, so it stands in for UTF-8 from the network.
if [ -z "$SMTP" ]; then
    nok "wide characters: SMTP sample not found"
elif ! command -v python3 >/dev/null 2>&1; then
    skipped wide-chars "no python3"
elif ! locale -a 2>/dev/null | grep -Eqi '^c\.utf-?8$'; then
    skipped wide-chars "no C.UTF-8 locale"
else
    # display column of the first match of a literal in line N of the screen
    col_of() {
        python3 -c '
import sys, unicodedata
line = open(sys.argv[1], encoding="utf-8").read().split("\n")[int(sys.argv[2])]
i = line.find(sys.argv[3])
print(-1 if i < 0 else sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
                           for c in line[:i]))' "$TMP/screen" "$1" "$2"
    }
    # widest line of the screen, in columns
    widest() {
        python3 -c '
import sys, unicodedata
print(max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l)
          for l in open(sys.argv[1], encoding="utf-8").read().split("\n")))' "$TMP/screen"
    }
    wide=$(printf '\346\227\245\346\234\254\350\252\236')  # three wide characters
    TUI_ENV=LC_ALL=C.UTF-8 TUI_W=60 TUI_H=12 start "$SMTP" \
        "-Y 'smtp.req.parameter contains \"$wide$wide$wide$wide\"'"
    # 8 + 29 columns of ASCII, then 11 of the 12 wide characters (22
    # columns): the 12th would need columns 60 and 61.
    if wait_for "^Filter: smtp\\.req\\.parameter contains \"$wide$wide$wide$(printf '\346\227\245\346\234\254') *\$" &&
       wait_for 'q:quit *$' && [ "$(widest)" -le 60 ] && [ "$(widest)" -ge 59 ]; then
        ok "wide characters: the bar shows them, cut at a whole character (60 columns)"
    else
        nok "wide characters: the bar shows them, cut at a whole character (60 columns)"
    fi
    keys Q
    wait_exit >/dev/null
    TUI_ENV=LC_ALL=C.UTF-8 start "$SMTP" "-Y 'smtp.req.parameter contains \"$wide\"'"
    wait_for '^Filter: smtp' >/dev/null
    keys /
    keys End
    text ' and smtp.foo'
    # The caret sits under the unknown field: a column, not a byte offset
    # (which would put it 3 columns further right).
    if wait_for 'unknown field "smtp\.foo"' && c1=$(col_of 0 'smtp.foo') &&
       c2=$(col_of 1 '^') && [ "$c1" -ge 40 ] && [ "$c1" = "$c2" ]; then
        ok "wide characters: the error caret points at the column ($c1)"
    else
        nok "wide characters: the error caret points at the column (field ${c1:-?}, caret ${c2:-?})"
    fi
    keys Escape
    keys Q
    wait_exit >/dev/null
fi

# ---- UTF-8 from the network: characters on a UTF-8 terminal, aligned ----
INTL=$(pwd)/samples/intl-rfc2047-smtp.pcap
if [ ! -f "$INTL" ] || ! command -v python3 >/dev/null 2>&1 ||
   ! locale -a 2>/dev/null | grep -Eqi '^c\.utf-?8$'; then
    skipped "UTF-8 rows: needs samples/intl-rfc2047-smtp.pcap, python3 and C.UTF-8"
else
    TUI_ENV=LC_ALL=C.UTF-8 start "$INTL" "-Y imf"
    # Cyrillic and CJK senders on the screen, each row's Info column
    # starting at the same display column, no line wider than the pane.
    if wait_for 'From: Олена Петренко' && wait_for 'From: 山田太郎' &&
       python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
rows = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n")
        if " C: [DATA message" in l]
cols = {w(l[:l.index(" C: [")]) for l in rows}
wide = [l for l in rows if "山田太郎" in l or "Олена" in l]
sys.exit(0 if len(rows) >= 8 and len(cols) == 1 and wide and
         all(w(l) <= 120 for l in rows) else 1)' "$TMP/screen"; then
        ok "UTF-8 rows: Cyrillic and CJK shown as characters, columns aligned"
    else
        nok "UTF-8 rows: Cyrillic and CJK shown as characters, columns aligned"
    fi
    keys Q
    wait_exit >/dev/null
    # An ASCII terminal keeps the escapes.
    TUI_ENV=LC_ALL=C start "$INTL" "-Y imf"
    if wait_for 'From: \\xd0\\x9e' && ! screen | grep -q 'Олена'; then
        ok "UTF-8 rows: a C-locale terminal gets \\x escapes, not characters"
    else
        nok "UTF-8 rows: a C-locale terminal gets \\x escapes, not characters"
    fi
    keys Q
    wait_exit >/dev/null
fi

# ---- TLS: decrypted with the key log; the handshake without one ----
TLSCAP=samples/tls12-smtp-starttls-587.pcap
if [ -f "$TLSCAP" ]; then
    echo "# $TLSCAP"
    start "$TLSCAP" "--tls-keylog samples/tls12-smtp-starttls-587.keys"
    if wait_for 'C: Client Hello TLS 1\.2' && wait_for 'S: Certificate: CN=mail\.example\.test' &&
       wait_for 'C: auth login' && wait_for 'TLS 1 decrypted, 0 not'; then
        ok "tls: handshake rows, decrypted commands, status line counts"
    else
        nok "tls: handshake rows, decrypted commands, status line counts"
    fi
    keys /
    text 'smtp.req.command == "mail" && decrypted'
    keys Enter
    if wait_for 'Transport Layer Security, decrypted with the key log' &&
       wait_for 'Cipher suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'; then
        ok "tls: details show the TLS layer of a decrypted row"
    else
        nok "tls: details show the TLS layer of a decrypted row"
    fi
    keys F
    if wait_for '^ Follow Stream [0-9]+ \(SMTP\)' && wait_for '== C: Client Hello' && wait_for '^C: auth login' &&
       wait_for '^S: 235 '; then
        ok "tls: follow stream shows the decrypted conversation"
    else
        nok "tls: follow stream shows the decrypted conversation"
    fi
    keys q
    keys Q
    wait_exit >/dev/null
    start "$TLSCAP"
    if wait_for 'S: Server Hello: TLS 1\.2, TLS_ECDHE_RSA' && wait_for 'C: \[TLS, encrypted, [0-9]+ bytes\]' &&
       wait_for 'TLS 0 decrypted, 1 not' && ! screen | grep -q 'auth login'; then
        ok "tls: without keys the handshake and encrypted runs, no commands"
    else
        nok "tls: without keys the handshake and encrypted runs, no commands"
    fi
    keys Q
    wait_exit >/dev/null
else
    skipped "TLS sample missing"
fi

# ---- escape sequences in packets never reach the terminal ----
if command -v python3 >/dev/null 2>&1; then
    python3 tests/tui/mkpcap.py "$TMP/evil.pcap"
    $T kill-session -t ms >/dev/null 2>&1
    $T new-session -d -s ms -x 120 -y 40 "sleep 0.5; exec \"$BIN\" --ui -r \"$TMP/evil.pcap\""
    $T set-option -t ms remain-on-exit on >/dev/null 2>&1
    $T pipe-pane -O -t ms "cat >\"$TMP/raw\""
    if wait_for '220 \\x1b\]0;pwned\\x07\\x1b\[31mevil' 5; then
        keys F
        wait_for '^ Follow' >/dev/null
        keys q p
        wait_for 'packet rows' >/dev/null
        keys p
        sleep 0.3
        keys q
        sleep 0.5
        if [ -s "$TMP/raw" ] &&
           ! LC_ALL=C grep -aq "$(printf '\033]')" "$TMP/raw" &&
           ! LC_ALL=C grep -aq "$(printf '\007')" "$TMP/raw" &&
           ! LC_ALL=C grep -aq "$(printf '\033\\[2J')" "$TMP/raw" &&
           ! LC_ALL=C grep -aq "$(printf '\233')" "$TMP/raw" &&
           ! LC_ALL=C grep -aq "$(printf '\033\\[31mevil')" "$TMP/raw"; then
            ok "escapes: shown as \\x1b, raw bytes never written to the terminal"
        else
            nok "escapes: raw escape bytes reached the terminal"
        fi
    else
        nok "escapes: escaped banner not shown"
    fi
else
    skipped escapes "no python3"
fi

if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
