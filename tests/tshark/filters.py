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
tshark's answers are recorded in filters.tshark.json (tshark 4.0.17) per
sample (by SHA-256) and expression, as the corpus keeps its .tshark.tsv:
tshark starts slowly and 500 runs cost more CPU than the rest of make
test. An answer not recorded, or for a sample that changed, comes from
tshark; `filters.py BIN --record` runs tshark for all and rewrites the
file, MAILSIFT_TSHARK_LIVE=1 asks tshark for all without writing.
Without tshark, what is not recorded is skipped, one line per sample.
Prints 'filters: N passed, N failed[, N skipped]'."""
import concurrent.futures, hashlib, json, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
RECORDED = os.path.join(HERE, 'filters.tshark.json')

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

def tshark_version():
    p = subprocess.run(['tshark', '--version'], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, timeout=60)
    return p.stdout.decode().splitlines()[0].strip()


def main():
    binp = sys.argv[1]
    record = '--record' in sys.argv[2:]
    live_all = record or os.environ.get('MAILSIFT_TSHARK_LIVE') == '1'
    top = os.path.join(HERE, '..', '..', 'samples')
    have = shutil.which('tshark') is not None
    if record and not have:
        print('filters.py --record: no tshark', file=sys.stderr)
        return 2
    try:
        with open(RECORDED, encoding='utf-8') as f:
            rec = json.load(f)
    except (OSError, ValueError):
        rec = {'samples': {}}
    new = {'tshark': tshark_version() if record else rec.get('tshark'), 'samples': {}}
    ok = bad = skipped = n_rec = n_live = 0
    for s in SAMPLES:
        pcap = os.path.join(top, s)
        if not os.path.exists(pcap):
            bad += 1
            print('FAIL %s: no such capture' % pcap)
            continue
        with open(pcap, 'rb') as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        r = rec['samples'].get(s) or {}
        known = {} if live_all or r.get('sha256') != sha else r.get('frames', {})
        # Expressions where the tools differ by design on this sample
        # (SKIP) are not compared.
        exprs = [e for e in ALIGNED if s not in SKIP.get(e, [])]
        ask = [e for e in exprs if e not in known]
        if ask and not have:
            skipped += 1
            print('skip tshark-filters/%s: no tshark (%d of %d expressions not recorded)'
                  % (s, len(ask), len(exprs)))
            continue
        # tshark starts slowly: run what is not recorded side by side.
        with concurrent.futures.ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as ex:
            got = dict(zip(ask, ex.map(lambda e: tshark(pcap, e), ask)))
        n_rec += len(exprs) - len(ask)
        n_live += len(ask)
        answers = {}
        for e in exprs:
            if e in got:
                t, trc = got[e]
            else:
                t = set(known[e]) if known[e] is not None else set()
                trc = 0 if known[e] is not None else 1
            answers[e] = sorted(t) if trc == 0 else None
        new['samples'][s] = {'sha256': sha, 'frames': answers}
        for e in exprs:
            t, trc = (set(answers[e]), 0) if answers[e] is not None else (set(), 1)
            m, mrc = mailsift(binp, pcap, e)
            if trc == 0 and mrc == 0 and t == m:
                ok += 1
            else:
                bad += 1
                print('FAIL %s  %s%s\n  tshark only:   %s\n  mailsift only: %s' % (
                    s, e, ' (tshark refused it)' if trc else ' (mailsift exit %d)' % mrc if mrc else '',
                    sorted(t - m), sorted(m - t)))
    if record:
        # One line per answer, so a change shows as the lines it changes.
        out = ['{"tshark": %s,' % json.dumps(new['tshark']), ' "samples": {']
        names = sorted(new['samples'])
        for i, n in enumerate(names):
            smp = new['samples'][n]
            out.append('  %s: {"sha256": "%s", "frames": {' % (json.dumps(n), smp['sha256']))
            es = sorted(smp['frames'])
            for j, e in enumerate(es):
                out.append('   %s: %s%s' % (json.dumps(e), json.dumps(smp['frames'][e]),
                                            ',' if j + 1 < len(es) else ''))
            out.append('  }}%s' % (',' if i + 1 < len(names) else ''))
        out.append(' }}')
        with open(RECORDED, 'w', encoding='utf-8') as f:
            f.write('\n'.join(out) + '\n')
        print('recorded %s answers in %s' % (new['tshark'], RECORDED))
    print('tshark answers: %d recorded (%s), %d from tshark now' % (n_rec, rec.get('tshark'), n_live))
    print('filters: %d passed, %d failed%s' % (ok, bad, ', %d skipped' % skipped if skipped else ''))
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
