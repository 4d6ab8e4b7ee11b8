#!/usr/bin/env python3
"""reorder.py BIN - the typed lab session and its reordered copy (adjacent
keystrokes swapped, segments duplicated: samples/README.md) decode to the
same messages and credentials; only frame numbers may differ, and the
copy counts its retransmissions and held segments."""
import json, os, subprocess, sys

def recs(binp, path):
    out = subprocess.run([binp, '-r', path, '-T', 'json'], stdout=subprocess.PIPE, timeout=60).stdout
    keep = ('kind', 'dir', 'verb', 'text', 'typed', 'user', 'secret', 'secret_typed', 'result', 'size')
    return [tuple(r.get(k) for k in keep) for r in map(json.loads, out.decode().splitlines())]

def main():
    binp = sys.argv[1]
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'samples')
    a = recs(binp, os.path.join(top, 'lab-pop3-telnet.pcap'))
    b = recs(binp, os.path.join(top, 'lab-pop3-telnet-reordered.pcap'))
    ok = bad = 0
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else None
        y = b[i] if i < len(b) else None
        if x == y:
            ok += 1
        else:
            bad += 1
            print('FAIL record %d:\n  original  %s\n  reordered %s' % (i, x, y))
    st = subprocess.run([binp, '-r', os.path.join(top, 'lab-pop3-telnet-reordered.pcap'), '-q', '--stats'],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    for name in ('retransmission', 'out_of_order'):
        line = [l for l in st.splitlines() if (' ' + name + ' ') in l]
        if line and int(line[0].split()[-1]) > 0:
            ok += 1
        else:
            bad += 1
            print('FAIL: the reordered copy counts no %s' % name)
    print('reorder: %d passed, %d failed' % (ok, bad))
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
