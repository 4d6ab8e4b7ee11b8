#!/usr/bin/env python3
"""mkbad.py DIR - negative TLS fixtures derived from good ones (see README.md).

bad-wrong.keys      tls13-aes128gcm.keys with every secret changed (each
                    hex digit rotated): right labels and randoms, wrong keys
bad-missing.keys    tls13-aes256gcm.keys: a key log without this capture's
                    client random
bad-truncated.keys  tls13-aes128gcm.keys cut in the middle of its third
                    secret line (no newline at the end)
bad-flipped.pcap    tls12-ecdhe-aes128gcm.pcap with the last byte (GCM tag)
                    of the server's first application data record flipped
bad-flipped-cbc.pcap  tls12-ecdhe-aes256cbc-mte.pcap with a byte in the
                    middle of the server's first application data record
                    flipped (bad padding or MAC)
"""
import struct
import sys

d = sys.argv[1]


def rd(name, mode='r'):
    with open(f'{d}/{name}', mode) as f:
        return f.read()


def wr(name, data, mode='w'):
    with open(f'{d}/{name}', mode) as f:
        f.write(data)


rot = str.maketrans('0123456789abcdefABCDEF', '123456789abcdef0BCDEFA')
out = []
for line in rd('tls13-aes128gcm.keys').splitlines(True):
    p = line.split(' ')
    if len(p) == 3 and not line.startswith('#'):
        line = f'{p[0]} {p[1]} {p[2].strip().translate(rot)}\n'
    out.append(line)
wr('bad-wrong.keys', ''.join(out))

wr('bad-missing.keys', rd('tls13-aes256gcm.keys'))

lines = rd('tls13-aes128gcm.keys').splitlines(True)
secret = [i for i, l in enumerate(lines) if not l.startswith('#')]
cut = secret[2]
wr('bad-truncated.keys', ''.join(lines[:cut]) + lines[cut][:len(lines[cut]) // 2])


def packets(buf):
    """(offset of TCP payload, payload, sport) for each EN10MB/IPv4/TCP packet."""
    off = 24
    while off + 16 <= len(buf):
        incl = struct.unpack('<I', buf[off + 8:off + 12])[0]
        pkt = off + 16
        eth = buf[pkt:pkt + incl]
        if len(eth) >= 34 and eth[12:14] == b'\x08\x00':
            ihl = (eth[14] & 15) * 4
            tot = struct.unpack('>H', eth[16:18])[0]
            tcp = 14 + ihl
            thl = (eth[tcp + 12] >> 4) * 4
            sport = struct.unpack('>H', eth[tcp:tcp + 2])[0]
            start = tcp + thl
            end = 14 + tot
            if end > start:
                yield pkt + start, eth[start:end], sport
        off = pkt + incl


def flip(src, dst, where, port=4433):
    """Flip one byte of the server's first application data record."""
    buf = bytearray(rd(src, 'rb'))
    stream, offs = bytearray(), []
    for o, pay, sport in packets(buf):
        if sport == port:
            offs.extend(range(o, o + len(pay)))
            stream += pay
    i = 0
    while i + 5 <= len(stream):
        typ, n = stream[i], struct.unpack('>H', stream[i + 3:i + 5])[0]
        if typ == 23:
            at = i + 5 + (n - 1 if where == 'last' else n // 2)
            buf[offs[at]] ^= 0x01
            wr(dst, bytes(buf), 'wb')
            return
        i += 5 + n
    raise SystemExit(f'{src}: no application data record')


flip('tls12-ecdhe-aes128gcm.pcap', 'bad-flipped.pcap', 'last')
flip('tls12-ecdhe-aes256cbc-mte.pcap', 'bad-flipped-cbc.pcap', 'middle')
