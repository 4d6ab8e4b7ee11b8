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
  - pop.response.indicator is "+" on a SASL continuation line in
    mailsift (the truth files call that status "+"); Wireshark sets no
    indicator there;
  - tcp.stream counts mail connections only in mailsift;
  - cred.*, telnet.*, msg.* exist only in mailsift.
Prints 'filters: N passed, N failed'."""
import json, os, subprocess, sys

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
]

SAMPLES = ['smtp-auth-login.pcap', 'smtp-auth-mechs.pcap', 'pop3-auth.pcap',
           'mixed-ipv6.pcap', 'sll2-any.pcap', 'lab.pcapng', 'starttls.pcap']

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
    ok = bad = 0
    for s in SAMPLES:
        pcap = os.path.join(top, s)
        if not os.path.exists(pcap):
            continue
        for e in ALIGNED:
            t, trc = tshark(pcap, e)
            m, mrc = mailsift(binp, pcap, e)
            if trc == 0 and mrc == 0 and t == m:
                ok += 1
            else:
                bad += 1
                print('FAIL %s  %s\n  tshark only:   %s\n  mailsift only: %s' % (
                    s, e, sorted(t - m), sorted(m - t)))
    print('filters: %d passed, %d failed' % (ok, bad))
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
