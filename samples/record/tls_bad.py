#!/usr/bin/env python3
"""Derive the negative TLS samples from tls-two-sessions.{pcap,keys} (stdlib).

    tls_bad.py wrong-secret  IN.keys OUT.keys   TLS 1.2 session's master secret changed
    tls_bad.py truncate      IN.keys OUT.keys   cut in the middle of the last line
    tls_bad.py flip          IN.pcap OUT.pcap   one ciphertext byte of one record flipped

tls-two-sessions holds session 1 (TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, key log
line CLIENT_RANDOM) then session 2 (TLS 1.3, five *_SECRET lines); the key log
lists them in that order.  Nothing else is changed: no checksum, length or
sequence number is recomputed.
"""
import struct
import sys


def wrong_secret(src, dst):
    lines = open(src).read().split("\n")
    n = 0
    for i, l in enumerate(lines):
        if l.startswith("CLIENT_RANDOM "):
            label, cr, secret = l.split(" ")
            # flip the lowest bit of the secret's first byte
            b = bytearray.fromhex(secret)
            b[0] ^= 0x01
            lines[i] = " ".join((label, cr, b.hex()))
            print("wrong-secret: CLIENT_RANDOM %s... master secret %s... -> %s..."
                  % (cr[:16], secret[:8], b.hex()[:8]), file=sys.stderr)
            n += 1
            break
    assert n == 1, "no CLIENT_RANDOM line"
    open(dst, "w").write("\n".join(lines))


def truncate(src, dst):
    data = open(src).read()
    body = data.rstrip("\n")
    last = body.rfind("\n") + 1
    # cut the last line (CLIENT_TRAFFIC_SECRET_0 of session 2) in the middle
    # of its secret, no final newline
    cut = last + len(body[last:]) - 48
    print("truncate: last line %r cut after %d of %d characters"
          % (body[last:last + 40], cut - last, len(body) - last), file=sys.stderr)
    open(dst, "w").write(data[:cut])


def records(pcap):
    """Yield (index, record offset of TCP payload in file, payload, src port)."""
    hdr, rest = pcap[:24], pcap[24:]
    magic = struct.unpack("<I", hdr[:4])[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "little-endian pcap expected"
    assert struct.unpack("<I", hdr[20:24])[0] == 1, "Ethernet expected"
    off, i = 24, 0
    while off < len(pcap):
        ts, tu, incl, orig = struct.unpack("<IIII", pcap[off:off + 16])
        p = off + 16
        pkt = pcap[p:p + incl]
        if struct.unpack("!H", pkt[12:14])[0] == 0x0800:
            ip = pkt[14:]
            ihl = (ip[0] & 15) * 4
            if ip[9] == 6:
                tcp = ip[ihl:]
                thl = (tcp[12] >> 4) * 4
                sport, dport = struct.unpack("!HH", tcp[:4])
                pay_off = p + 14 + ihl + thl
                tot = struct.unpack("!H", ip[2:4])[0]
                payload = pcap[pay_off:p + 14 + tot]
                yield i, pay_off, payload, sport, dport
        off = p + incl
        i += 1


def flip(src, dst):
    pcap = bytearray(open(src, "rb").read())
    # client -> server segments that start with a TLS 1.2 application_data
    # record (17 03 03), in file order: session 1's first one is "EHLO x",
    # its second one "AUTH PLAIN ..." -- flip a byte of the second one
    n = 0
    for i, off, pay, sport, dport in records(bytes(pcap)):
        if dport == 587 and pay[:3] == b"\x17\x03\x03":
            n += 1
            if n == 2:
                # record header 5 bytes + explicit nonce 8 bytes: flip the
                # 3rd ciphertext byte
                at = off + 5 + 8 + 2
                print("flip: frame %d (1-based), record length %d, file offset %d: %02x -> %02x"
                      % (i + 1, struct.unpack("!H", pay[3:5])[0], at, pcap[at], pcap[at] ^ 0x20),
                      file=sys.stderr)
                pcap[at] ^= 0x20
                break
    assert n == 2, "record not found"
    open(dst, "wb").write(pcap)


if __name__ == "__main__":
    {"wrong-secret": wrong_secret, "truncate": truncate, "flip": flip}[sys.argv[1]](
        sys.argv[2], sys.argv[3])
