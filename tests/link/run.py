#!/usr/bin/env python3
"""run.py BIN - the same session behind every link layer mailsift reads
gives the same records: samples/mixed-ipv6.pcap (Ethernet, IPv4 and
IPv6) is rewritten with 802.1Q, QinQ, Linux SLL, BSD NULL (both byte
orders), LOOP and raw IP headers, and as a nanosecond pcap; the JSON
output must not change. The same holds for every tunnel mailsift
decodes: mixed-ipv6.pcap and smtp-auth-login.pcap (IPv4) are wrapped in
each encapsulation of samples/record/tunnels.py (IP in IP, GRE with and
without options, gretap with VLAN tags, ERSPAN I/II/III, VXLAN, L2TPv2
with every optional field, three nested tunnels, four IP-in-IP levels)
and must give the bare sample's records, inner addresses included."""
import os, struct, subprocess, sys, tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', 'samples', 'record'))
import tunnels  # noqa: E402

def read_pcap(path):
    d = open(path, 'rb').read()
    magic, = struct.unpack('<I', d[:4])
    assert magic == 0xa1b2c3d4, 'expected a little-endian microsecond pcap'
    pkts, off = [], 24
    while off + 16 <= len(d):
        sec, usec, cap, wire = struct.unpack('<IIII', d[off:off + 16])
        pkts.append((sec, usec, d[off + 16:off + 16 + cap], wire))
        off += 16 + cap
    return pkts

def write_pcap(path, dlt, pkts, nano=False):
    out = [struct.pack('<IHHiIII', 0xa1b23c4d if nano else 0xa1b2c3d4, 2, 4, 0, 0, 262144, dlt)]
    for sec, frac, data, extra in pkts:
        out.append(struct.pack('<IIII', sec, frac, len(data), len(data) + extra) + data)
    open(path, 'wb').write(b''.join(out))

def relink(pkts, make):
    res = []
    for sec, usec, eth, wire in pkts:
        et, l3 = eth[12:14], eth[14:]
        res.append((sec, usec, make(et, l3), wire - len(eth)))
    return res

def v(et, l3):
    return et == b'\x86\xdd'

LINKS = {
    'vlan': (1, lambda et, l3: b'\x00' * 12 + b'\x81\x00\x00\x05' + et + l3),
    'qinq': (1, lambda et, l3: b'\x00' * 12 + b'\x88\xa8\x00\x07\x81\x00\x00\x05' + et + l3),
    'sll': (113, lambda et, l3: struct.pack('>HHH8s', 0, 772, 6, b'\x00' * 8) + et + l3),
    'null-le': (0, lambda et, l3: struct.pack('<I', 30 if v(et, l3) else 2) + l3),
    'null-be': (0, lambda et, l3: struct.pack('>I', 30 if v(et, l3) else 2) + l3),
    'loop': (108, lambda et, l3: struct.pack('>I', 24 if v(et, l3) else 2) + l3),
    'raw': (101, lambda et, l3: l3),
}

def records(binp, path):
    return subprocess.run([binp, '-r', path, '-T', 'json'], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60).stdout

def main():
    binp = sys.argv[1]
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    src = os.path.join(top, 'samples', 'mixed-ipv6.pcap')
    pkts = read_pcap(src)
    want = records(binp, src)
    ok = bad = 0
    with tempfile.TemporaryDirectory() as d:
        for name, (dlt, make) in LINKS.items():
            p = os.path.join(d, name + '.pcap')
            write_pcap(p, dlt, relink(pkts, make))
            got = records(binp, p)
            if got == want and want:
                ok += 1
            else:
                bad += 1
                print('FAIL %s (DLT %d): %d bytes of JSON, want %d' % (name, dlt, len(got), len(want)))
        # Tunnels, around an IPv6 and an IPv4 sample.
        for sample in ('mixed-ipv6.pcap', 'smtp-auth-login.pcap'):
            spath = os.path.join(top, 'samples', sample)
            _, spkts = tunnels.read_pcap(spath)
            swant = records(binp, spath)
            for name, wrap in tunnels.WRAP.items():
                p = os.path.join(d, 'tunnel-%s-%s' % (name, sample))
                tunnels.write_pcap(p, tunnels.wrap_all(spkts, wrap))
                got = records(binp, p)
                if got == swant and swant:
                    ok += 1
                else:
                    bad += 1
                    print('FAIL tunnel %s around %s: %d bytes of JSON, want %d'
                          % (name, sample, len(got), len(swant)))
        # Nanosecond precision: same records, times with nine digits.
        p = os.path.join(d, 'nano.pcap')
        write_pcap(p, 1, [(s, u * 1000 + 1, e, w - len(e)) for s, u, e, w in pkts], nano=True)
        got = records(binp, p).decode()
        if got.count('\n') == want.decode().count('\n') and '"ts":' in got and \
                all(len(l.split('"ts":')[1].split(',')[0].split('.')[1]) == 9 for l in got.splitlines()):
            ok += 1
        else:
            bad += 1
            print('FAIL nanosecond pcap')
    print('link: %d passed, %d failed' % (ok, bad))
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
