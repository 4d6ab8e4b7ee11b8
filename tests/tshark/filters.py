#!/usr/bin/env python3
"""filters.py BIN - display-filter conformance with tshark: the same
expression through `tshark -Y` and `mailsift -Y` on the same capture
must select the same frames (mailsift: the frames that complete the
selected records).

Expressions whose semantics align (listed in ALIGNED) are compared on
every sample below; they name message-level fields, and on these
captures each message ends in one frame.

Where mailsift deliberately differs, and why these are not compared:
  - typed sessions (lab-pop3-telnet, smtp-telnet): Wireshark gives every
    keystroke segment its own "command" (pop.request.command == "U"),
    mailsift one record per line;
  - multi-segment replies and bodies: Wireshark marks every segment,
    mailsift the completing one (smtp-pipelining's 40 KB body, RETR of
    large messages);
  - smtp.req.command on AUTH continuation lines: Wireshark shows the
    base64 as a 4-character "command", mailsift an auth record;
  - smtp.auth.username/password: Wireshark 4.0 decodes AUTH LOGIN lines
    only; mailsift also PLAIN (initial response or after 334), the
    initial-response form of LOGIN, and the other mechanisms;
  - string sets: Wireshark 4.0 wants commas ({"MAIL", "RCPT"}), mailsift
    takes them with or without;
  - len() of a number: Wireshark gives its length on the wire (tcp.port
    2), which a record does not keep: mailsift refuses len() on numbers;
  - lower()/upper() fold ASCII letters only;
  - pop.response.indicator is "+" on a SASL continuation line in
    mailsift (the truth files call that status "+"); Wireshark sets no
    indicator there;
  - tcp.stream counts mail connections only in mailsift;
  - cred.*, telnet.*, msg.* exist only in mailsift.
Without tshark each sample is skipped ("skip tshark-filters/NAME: no
tshark"). Prints 'filters: N passed, N failed[, N skipped]'."""
import concurrent.futures, json, os, shutil, subprocess, sys

ALIGNED = [
    'smtp.req.command == "EHLO"',
    'smtp.req.command == "MAIL"',
    'smtp.req.command == "RCPT"',
    'smtp.req.command == "QUIT"',
    'smtp.req.command in {"MAIL", "RCPT"}',
    'smtp.req.parameter contains "example.test"',
    'smtp.response.code == 235',
    'smtp.response.code == 354',
    'smtp.response.code >= 500',
    'smtp.response.code in {500..599}',
    'pop.request.command == "USER"',
    'pop.request.command == "PASS"',
    'pop.request.command == "STAT"',
    'pop.request.parameter == "user1"',
    'pop.response.indicator == "-ERR"',
    'smtp.req.command == "AUTH" || pop.request.command == "AUTH"',
    'tcp.srcport == 110 && pop.response.indicator in {"+OK", "-ERR"}',
    'ip.addr == 127.0.0.1 && smtp.req.command == "DATA"',
    'not pop.response.indicator == "+OK" && pop.response.indicator in {"+OK", "-ERR"}',
    # Wireshark 4 functions, slices, PCRE2, quantifiers, set forms
    'lower(smtp.req.command) == "mail"',
    'upper(pop.request.command) == "USER"',
    'lower(smtp.req.command) contains "ai"',
    'lower(smtp.req.command)[0:2] == "ma"',
    'smtp.req.command == lower(smtp.req.command)',
    'len(smtp.req.command) == 4',
    'len(pop.request.parameter) > 5',
    'smtp.req.command && len(ip.src) == 4',
    'count(smtp.rsp.parameter) > 3',
    'count(smtp.response.code) == 1',
    'pop.request.command in {"USER", "STAT"} && count(ip.addr) == 2',
    'string(smtp.response.code) == "250"',
    'string(smtp.response.code) matches "^2.0$"',
    'smtp.req.command && string(frame.number) matches "[13579]$"',
    'smtp.response.code && string(ip.src) == "127.0.0.1"',
    'smtp.req.command[0:2] == "MA"',
    'smtp.req.command[-2:] == "IL"',
    'smtp.req.command[1] == "A"',
    'smtp.req.command[1] == 41',
    'smtp.req.command[1-3] == "AIL"',
    'smtp.req.command[:2] == 4d:41',
    'smtp.req.command[0:2] == 4d.41',
    'smtp.req.command[0] == 0x4d',
    'smtp.req.command[0] > 4c',
    'smtp.req.command[4:] == ""',
    'smtp.req.command[2:5] == "IL"',
    'smtp.req.command[0:1,2:2] == "MIL"',
    'smtp.req.command[0:2,9] == "MA"',
    'smtp.req.command[0:2]',
    'smtp.req.parameter[0:5] matches "from"',
    'smtp.req.command[0:4] == smtp.req.command',
    'smtp.req.command && ip.src[0] == 7f',
    'smtp.req.command matches "mail"',
    'smtp.req.command matches "(?-i)mail"',
    'smtp.req.command ~ "(?i)^m"',
    'pop.request.command ~ r"^\\w{4}$"',
    'smtp.req.command matches "M(?=A)"',
    'smtp.rsp.parameter ~= "PIPELINING"',
    'smtp.rsp.parameter !== "PIPELINING"',
    'smtp.rsp.parameter === "PIPELINING"',
    'smtp.rsp.parameter != "PIPELINING"',
    'smtp.rsp.parameter all_ne "PIPELINING"',
    'smtp.rsp.parameter any_ne "PIPELINING"',
    'smtp.req.command any_eq "MAIL"',
    'any smtp.rsp.parameter == "PIPELINING"',
    'all smtp.rsp.parameter == "PIPELINING"',
    'all smtp.rsp.parameter contains "E"',
    'all smtp.rsp.parameter matches "e"',
    'any smtp.rsp.parameter != "PIPELINING"',
    'smtp.req.command && all tcp.port > 1024',
    'smtp.req.command && any tcp.port > 1024',
    'any lower(smtp.rsp.parameter) == "pipelining"',
    'all smtp.rsp.parameter[0] == "P"',
    'smtp.response.code in {250, 354}',
    'smtp.response.code in {300..400}',
    'smtp.response.code in {250, 300..400}',
    'pop.request.command == "STAT" && tcp.port in {25, 110, 587}',
    'smtp.req.command in {"MAIL", "A".."N"}',
    'pop.request.command in {"USER", "PASS"}',
    # values as sent: the client typed lower-case verbs
    'smtp.req.command == "mail"',
    'smtp.req.command == "MAIL"',
    'smtp.req.command == "ehlo" || smtp.req.command == "quit"',
    'lower(smtp.req.command) == "ehlo"',
    'upper(smtp.req.command) == "RCPT"',
    'smtp.req.command matches "(?i)^ehlo$"',
    'smtp.req.command matches "(?-i)^EHLO$"',
    'smtp.req.command in {"data", "quit"}',
    'smtp.req.command[0:2] == "ra"',
    'smtp.req.command[0:2] == "rc"',
]

# Expressions not compared on some samples, and why.
SKIP = {
    # Wireshark 4.0 shows STARTTLS as the 4-character command "STAR".
    'smtp.req.command[4:] == ""': ['starttls.pcap'],
    'len(smtp.req.command) == 4': ['starttls.pcap'],
    'smtp.req.command[0:4] == smtp.req.command': ['starttls.pcap'],
}

SAMPLES = ['smtp-auth-login.pcap', 'smtp-auth-mechs.pcap', 'pop3-auth.pcap',
           'mixed-ipv6.pcap', 'sll2-any.pcap', 'lab.pcapng', 'starttls.pcap',
           'hostile/h-headers-300-rcpt.pcap']

def tshark(pcap, expr):
    p = subprocess.run(['tshark', '-n', '-r', pcap, '-Y', expr, '-T', 'fields', '-e', 'frame.number'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return {int(x) for x in p.stdout.split()}, p.returncode

def mailsift(binp, pcap, expr):
    p = subprocess.run([binp, '-r', pcap, '-T', 'json', '-Y', expr], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    return {json.loads(l)['frame'] for l in p.stdout.decode().splitlines()}, p.returncode

def main():
    binp = sys.argv[1]
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'samples')
    ok = bad = skipped = 0
    for s in SAMPLES:
        pcap = os.path.join(top, s)
        if not os.path.exists(pcap):
            bad += 1
            print('FAIL %s: no such capture' % pcap)
            continue
        if not shutil.which('tshark'):
            skipped += 1
            print('skip tshark-filters/%s: no tshark' % s)
            continue
        # Expressions where the tools differ by design on this sample
        # (SKIP) are not compared. tshark starts slowly: run the rest side
        # by side.
        exprs = [e for e in ALIGNED if s not in SKIP.get(e, [])]
        with concurrent.futures.ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as ex:
            ts = list(ex.map(lambda e: tshark(pcap, e), exprs))
        for e, (t, trc) in zip(exprs, ts):
            m, mrc = mailsift(binp, pcap, e)
            if trc == 0 and mrc == 0 and t == m:
                ok += 1
            else:
                bad += 1
                print('FAIL %s  %s\n  tshark only:   %s\n  mailsift only: %s' % (
                    s, e, sorted(t - m), sorted(m - t)))
    print('filters: %d passed, %d failed%s' % (ok, bad, ', %d skipped' % skipped if skipped else ''))
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
