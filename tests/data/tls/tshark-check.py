#!/usr/bin/env python3
"""tshark-check.py [DUMPDIR] - decrypt every fixture with tshark
(-o tls.keylog_file:, -z follow,tls,raw) and compare the application data
of each direction, all TCP streams in order, with NAME.c2s / NAME.s2c (the
text s_client and s_server sent). With DUMPDIR (from
TLS_DUMP=DUMPDIR build/rel/tests/test_tls) also compare with what mailsift
decrypted. Prints one line per fixture; exit 1 on any difference."""
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
dump = sys.argv[1] if len(sys.argv) > 1 else None
PORT = '4433'

# name, key log, mailsift dump suffix
cases = []
for f in sorted(os.listdir(here)):
    if f.endswith('.pcap') and not f.startswith('bad-'):
        n = f[:-5]
        cases.append((n, n + '.keys', ''))
        if os.path.exists(os.path.join(here, n + '.wskeys')):
            cases.append((n, n + '.wskeys', '-ws'))


def tshark(args):
    return subprocess.run(['tshark'] + args, capture_output=True, text=True,
                          check=True).stdout


def follow(pcap, keys):
    streams = sorted({int(s) for s in tshark(['-r', pcap, '-T', 'fields', '-e',
                                              'tcp.stream']).split() if s})
    out = [b'', b'']
    for s in streams:
        text = tshark(['-r', pcap, '-o', 'tls.keylog_file:' + keys, '-q', '-z',
                       'follow,tls,raw,%d' % s])
        # Node 0 is the side whose data is not indented.
        node0_server = False
        for line in text.splitlines():
            if line.startswith('Node 0:'):
                node0_server = line.rsplit(':', 1)[1].strip() == PORT
            elif line and all(c in '0123456789abcdef\t' for c in line):
                indented = line.startswith('\t')
                server = node0_server != indented
                out[1 if server else 0] += bytes.fromhex(line.strip())
    return out


fail = 0
for name, keys, suf in cases:
    want = [open(os.path.join(here, name + e), 'rb').read() for e in ('.c2s', '.s2c')]
    # Wireshark reads no s_client printout (only its "RSA Session-ID:"
    # line): there mailsift is compared with the text sent.
    printout = b'SSL-Session:' in open(os.path.join(here, keys), 'rb').read()
    got = want if printout else follow(os.path.join(here, name + '.pcap'),
                                        os.path.join(here, keys))
    res = []
    for d in (0, 1):
        ok = got[d] == want[d]
        res.append('%s %d bytes %s' % (('c2s', 's2c')[d], len(got[d]),
                                       '(printout: no tshark)' if printout
                                       else 'tshark=sent' if ok else 'tshark!=sent'))
        fail += not ok
        if dump:
            p = os.path.join(dump, name + suf + ('.c2s', '.s2c')[d])
            ms = open(p, 'rb').read() if os.path.exists(p) else None
            same = ms == got[d]
            res[-1] += (', mailsift=sent' if printout else ', mailsift=tshark') if same \
                else ', mailsift differs'
            fail += not same
    print('%-28s %-8s %s' % (name + suf, keys.rsplit('.', 1)[1], '; '.join(res)))
print('tshark-check: %s' % ('all agree' if not fail else '%d differences' % fail))
sys.exit(1 if fail else 0)
