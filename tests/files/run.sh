#!/bin/sh
# run.sh BIN - several capture files in one run (-r A B ..., -r A -r B):
# what the golden tests (split-* in TESTLIST) cannot see: exit status and
# the one stderr line of a file that cannot be read, a file damaged
# half-way among good ones, stdin among files, -c across files, and the
# merged order against mergecap's (-w).
set -u
BIN=${1:?usage: run.sh BIN}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
S=samples/split
whole=samples/lab-pop3-telnet.pcap
parts="$S/lab-c60-0.pcap $S/lab-c60-1.pcap $S/lab-c60-2.pcap $S/lab-c60-3.pcap $S/lab-c60-4.pcap $S/lab-c60-5.pcap"

check() {   # check NAME CONDITION-EXIT-STATUS
    if [ "$2" = 0 ]; then
        pass=$((pass + 1)); echo "ok   $1"
    else
        fail=$((fail + 1)); echo "FAIL $1"
    fi
}

# shellcheck disable=SC2086
"$BIN" -r $whole -T json > "$tmp/whole.json"

# 1. a file that cannot be opened: one line naming it, the others read,
# exit 1
# shellcheck disable=SC2086
"$BIN" -r $S/lab-c60-0.pcap $S/nonexistent.pcap $S/lab-c60-1.pcap -T json \
    > "$tmp/o1" 2> "$tmp/e1"
rc=$?
check "unreadable file: exit 1" "$([ $rc = 1 ]; echo $?)"
check "unreadable file: one stderr line naming it" \
    "$([ "$(wc -l < "$tmp/e1")" = 1 ] && grep -q "^mailsift: $S/nonexistent.pcap: No such file or directory\$" "$tmp/e1"; echo $?)"
# shellcheck disable=SC2086
"$BIN" -r $S/lab-c60-0.pcap $S/lab-c60-1.pcap -T json > "$tmp/o1b" 2>/dev/null
check "unreadable file: the others' records all there" "$(cmp -s "$tmp/o1" "$tmp/o1b"; echo $?)"

# 2. not a capture file, and every file unreadable
printf 'not a capture file at all, really' > "$tmp/junk.pcap"
"$BIN" -r "$tmp/junk.pcap" $S/nonexistent.pcap -T json > "$tmp/o2" 2> "$tmp/e2"
rc=$?
check "nothing readable: exit 1, no output, a line each" \
    "$([ $rc = 1 ] && [ ! -s "$tmp/o2" ] && [ "$(wc -l < "$tmp/e2")" = 2 ] && grep -q "junk.pcap: unknown file format" "$tmp/e2"; echo $?)"

# 3. a file cut short half-way: its error names it with the frame
# reached, the other files go on to their end, exit 1
head -c 3000 $S/lab-c60-2.pcap > "$tmp/cut.pcap"
"$BIN" -r $S/lab-c60-0.pcap $S/lab-c60-1.pcap "$tmp/cut.pcap" $S/lab-c60-3.pcap \
    -T json > "$tmp/o3" 2> "$tmp/e3"
rc=$?
check "damaged file: exit 1, one line naming it" \
    "$([ $rc = 1 ] && [ "$(wc -l < "$tmp/e3")" = 1 ] && grep -q "cut.pcap: truncated dump file.*(after packet [0-9]*)" "$tmp/e3"; echo $?)"
last=$(tail -n 1 "$tmp/o3" | sed 's/^{"frame":\([0-9]*\).*/\1/')
check "damaged file: the files after it are read to their end" \
    "$([ "${last:-0}" -gt 180 ]; echo $?)"

# 4. stdin is one of the files
# shellcheck disable=SC2086
"$BIN" -r $S/lab-c60-3.pcap $S/lab-c60-1.pcap -r - $S/lab-c60-0.pcap $S/lab-c60-4.pcap \
    $S/lab-c60-5.pcap -T json < $S/lab-c60-2.pcap > "$tmp/o4"
check "stdin among the files: the whole capture's records" "$(cmp -s "$tmp/o4" "$tmp/whole.json"; echo $?)"

# 5. -c counts packets across the files, like the whole
# shellcheck disable=SC2086
"$BIN" -r $parts -c 150 -T json > "$tmp/o5"
"$BIN" -r $whole -c 150 -T json > "$tmp/o5b"
check "-c across files" "$(cmp -s "$tmp/o5" "$tmp/o5b"; echo $?)"

# 6. the progress line is for terminals: none when stderr is a file
# shellcheck disable=SC2086
"$BIN" -r $parts -T json > /dev/null 2> "$tmp/e6"
check "no progress line when stderr is not a terminal" "$([ ! -s "$tmp/e6" ]; echo $?)"

# 7. the merged order is mergecap's: -w writes what was read
if command -v mergecap > /dev/null && command -v tshark > /dev/null; then
    for set in "$S/mixed-i1-2.pcap $S/mixed-i1-0.pcap $S/mixed-i1-1.pcap" \
               "$S/lab-c60-4.pcap $S/lab-c60-1.pcap $S/lab-c60-0.pcap $S/lab-c60-2.pcap $S/lab-c60-5.pcap $S/lab-c60-3.pcap"; do
        # shellcheck disable=SC2086
        "$BIN" -r $set -q -w "$tmp/ours.pcap"
        # shellcheck disable=SC2086
        mergecap -F pcap -w "$tmp/theirs.pcap" $set
        for f in ours theirs; do
            tshark -r "$tmp/$f.pcap" -T fields -e frame.number -e frame.time_epoch \
                -e frame.len -e tcp.seq_raw -e tcp.srcport > "$tmp/$f.txt" 2>/dev/null
        done
        check "merged order as mergecap's ($(echo "$set" | wc -w) files)" \
            "$(cmp -s "$tmp/ours.txt" "$tmp/theirs.txt" && [ -s "$tmp/ours.txt" ]; echo $?)"
    done
else
    echo "skip files/merged-order: mergecap or tshark missing"
fi

# 8. on a terminal (script(1) makes one) the progress line shows once a
# run has taken a second, names the file and counts records, and is
# cleared at the end; -q turns it off. The capture comes through a FIFO
# with a pause in the middle, so the run lasts past the second. The
# FIFO's name has an ESC in it: the line shows it escaped, as \x1b.
if command -v script > /dev/null && command -v mkfifo > /dev/null; then
    half=$(($(wc -c < $whole) / 2))
    fifo=$(printf '%s/fifo\033]0;x' "$tmp")
    for q in "" "-q"; do
        rm -f "$fifo" "$tmp/tty"
        mkfifo "$fifo"
        { head -c $half $whole; sleep 1.5; tail -c +$((half + 1)) $whole; } > "$fifo" &
        script -qec "$BIN -r '$fifo' $q -T json > /dev/null" "$tmp/tty" > /dev/null 2>&1
        wait
        # the last progress line drawn, and that it was erased after
        line=$(tr '\r' '\n' < "$tmp/tty" | grep -a "^.\[Kmailsift: $tmp/fifo" | tail -n 1)
        if [ -z "$q" ]; then
            check "progress line on a terminal: file, MB/s, records" \
                "$(echo "$line" | grep -aqE "fifo[\\]x1b\]0;x [0-9]+ MB/s, [1-9][0-9]* records\$"; echo $?)"
            check "progress line on a terminal: no raw control byte from the name" \
                "$(! tr '\r' '\n' < "$tmp/tty" | grep -a "Kmailsift:" | grep -aq "$(printf '\033]')"; echo $?)"
            check "progress line on a terminal: erased at the end" \
                "$(tr '\r' '\n' < "$tmp/tty" | grep -a '^.\[K' | tail -n 1 | grep -aqx '.\[K'; echo $?)"
        else
            check "no progress line with -q" "$([ -z "$line" ]; echo $?)"
        fi
    done
else
    echo "skip files/progress: script or mkfifo missing"
fi

echo "files: $pass passed, $fail failed"
[ $fail = 0 ]
