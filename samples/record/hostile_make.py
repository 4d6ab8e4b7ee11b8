#!/usr/bin/env python3
"""Hand-made captures with malformed IP headers (stdlib only, byte-stable).

No real stack sends these (Linux rewrites tot_len on raw sockets and drops
such IPv6 chains), so they are written here packet by packet, in the style
of tests/bad/bad.py.  Each file is one complete, well-formed mail session
(Ethernet, TCP checksums correct) plus ONE OR TWO bogus packets: a client
segment at exactly the sequence number of the next real client line,
carrying a credential-looking bait line inside a malformed IP packet.  The
real line follows with the same sequence number.  A correct analyzer drops
the bogus packet (and counts it); one that decodes it reports the bait
credential, and then sees the real line as a conflicting retransmission.

usage: hostile_make.py OUTDIR     -> OUTDIR/h-ip-*.pcap (4 files)

  h-ip4-total-gt-wire.pcap   POP3 over IPv4; the bogus packet's IPv4 total
                             length is 300 more than the frame holds (pcap
                             caplen == wire length: not a snaplen cut)
  h-ip6-ext-past-end.pcap    SMTP over IPv6; Hop-by-Hop -> Destination
                             Options whose length (2008 bytes) runs past
                             the packet; bait TCP right after its first 8
  h-ip6-hbh-repeated.pcap    SMTP over IPv6; Hop-by-Hop -> Hop-by-Hop ->
                             TCP (RFC 8200 4.1: HBH only right after the
                             IPv6 header)
  h-ip6-nonext-bytes.pcap    SMTP over IPv6; two bogus packets: Next Header
                             59 (No Next Header) followed by a TCP segment,
                             and Hop-by-Hop -> 59 -> TCP segment (RFC 8200
                             4.7: bytes after 59 are ignored)
"""
import base64
import os
import struct
import sys

T0 = 1700000000
FIN, SYN, PSH, ACK = 1, 2, 8, 16
CMAC, SMAC = b"\x02\x00\x00\x00\x00\x10", b"\x02\x00\x00\x00\x00\x25"
C4, S4 = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 25])
C6 = bytes.fromhex("20010db8000000000000000000000010")
S6 = bytes.fromhex("20010db8000000000000000000000025")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp(src, dst, sport, dport, seq, ack, flags, data, v6):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                    5 << 4, flags, 65535, 0, 0)
    seg = h + data
    if v6:
        ph = src + dst + struct.pack("!IxxxB", len(seg), 6)
    else:
        ph = src + dst + struct.pack("!BBH", 0, 6, len(seg))
    c = csum(ph + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def ip4(src, dst, payload, ident, total=None):
    total = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, 0x4000, 64, 6, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64, src, dst) + payload


def opts_hdr(nh, len8):
    """Hop-by-Hop / Destination Options header claiming (len8+1)*8 bytes;
    only its first 8 bytes are written (PadN filling them)."""
    return bytes([nh, len8, 1, 4, 0, 0, 0, 0])


def eth(frame_from_client, payload, v6):
    src, dst = (CMAC, SMAC) if frame_from_client else (SMAC, CMAC)
    return dst + src + struct.pack("!H", 0x86DD if v6 else 0x0800) + payload


class Session:
    def __init__(self, v6, cport, sport):
        self.v6, self.cport, self.sport = v6, cport, sport
        self.seq = [1000000, 2000000]
        self.pkts = []
        self.ident = 1

    def frame(self, d, flags, data, seq=None, l3=None):
        """d 0 = client -> server, 1 = server -> client"""
        src, dst = ((C6, S6) if d == 0 else (S6, C6)) if self.v6 else ((C4, S4) if d == 0 else (S4, C4))
        sp, dp = (self.cport, self.sport) if d == 0 else (self.sport, self.cport)
        s = self.seq[d] if seq is None else seq
        seg = tcp(src, dst, sp, dp, s, self.seq[1 - d], flags, data, self.v6)
        if l3:
            pkt = l3(src, dst, seg)
        elif self.v6:
            pkt = ip6(src, dst, 6, seg)
        else:
            pkt = ip4(src, dst, seg, self.ident)
        self.ident += 1
        return eth(d == 0, pkt, self.v6), seg

    def add(self, d, flags, data=b""):
        f, _ = self.frame(d, flags, data)
        self.pkts.append(f)
        self.seq[d] += len(data) + (1 if flags & (SYN | FIN) else 0)

    def bogus(self, data, l3):
        """A client segment at the next client sequence number, in a
        malformed IP packet; the sequence number is NOT advanced."""
        f, _ = self.frame(0, PSH | ACK, data, l3=l3)
        self.pkts.append(f)

    def handshake(self):
        self.add(0, SYN)
        self.add(1, SYN | ACK)
        self.add(0, ACK)

    def close(self):
        self.add(0, FIN | ACK)
        self.add(1, FIN | ACK)
        self.add(0, ACK)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            for n, p in enumerate(self.pkts):
                sec, usec = divmod(n * 10000, 1000000)      # 10 ms apart
                f.write(struct.pack("<IIII", T0 + sec, usec, len(p), len(p)) + p)


def plain(u, p):
    return b"AUTH PLAIN " + base64.b64encode(b"\0" + u + b"\0" + p) + b"\r\n"


def pop3_ip4(path):
    s = Session(False, 40110, 110)
    s.handshake()
    s.add(1, PSH | ACK, b"+OK POP3 server ready\r\n")
    s.add(0, PSH | ACK, b"USER user1\r\n")
    s.add(1, PSH | ACK, b"+OK\r\n")
    s.bogus(b"PASS bait-ip4-total-length\r\n",
            lambda src, dst, seg: ip4(src, dst, seg, 0xbad4, total=20 + len(seg) + 300))
    s.add(0, PSH | ACK, b"PASS secret1\r\n")
    s.add(1, PSH | ACK, b"+OK Logged in.\r\n")
    s.add(0, PSH | ACK, b"QUIT\r\n")
    s.add(1, PSH | ACK, b"+OK Logging out.\r\n")
    s.close()
    s.write(path)


def smtp_ip6(path, bogus_list):
    s = Session(True, 40025, 25)
    s.handshake()
    s.add(1, PSH | ACK, b"220 mx.example.test ESMTP\r\n")
    s.add(0, PSH | ACK, b"EHLO client.example.test\r\n")
    s.add(1, PSH | ACK, b"250-mx.example.test\r\n250 AUTH PLAIN LOGIN\r\n")
    for data, l3 in bogus_list:
        s.bogus(data, l3)
    s.add(0, PSH | ACK, plain(b"user1", b"secret1"))
    s.add(1, PSH | ACK, b"235 2.7.0 Authentication successful\r\n")
    s.add(0, PSH | ACK, b"QUIT\r\n")
    s.add(1, PSH | ACK, b"221 2.0.0 Bye\r\n")
    s.close()
    s.write(path)


def main(out):
    os.makedirs(out, exist_ok=True)
    pop3_ip4(os.path.join(out, "h-ip4-total-gt-wire.pcap"))
    # HBH (8 bytes) -> DestOpts claiming 251*8 = 2008 bytes, only 8 present,
    # then the bait TCP segment; payload length = the bytes really there
    smtp_ip6(os.path.join(out, "h-ip6-ext-past-end.pcap"), [
        (plain(b"bait", b"bait-ext-past-end"),
         lambda src, dst, seg: ip6(src, dst, 0, opts_hdr(60, 0) + opts_hdr(6, 250) + seg))])
    smtp_ip6(os.path.join(out, "h-ip6-hbh-repeated.pcap"), [
        (plain(b"bait", b"bait-hbh-twice"),
         lambda src, dst, seg: ip6(src, dst, 0, opts_hdr(0, 0) + opts_hdr(6, 0) + seg))])
    smtp_ip6(os.path.join(out, "h-ip6-nonext-bytes.pcap"), [
        (plain(b"bait", b"bait-no-next-header"),
         lambda src, dst, seg: ip6(src, dst, 59, seg)),
        (plain(b"bait", b"bait-hbh-no-next"),
         lambda src, dst, seg: ip6(src, dst, 0, opts_hdr(59, 0) + seg))])
    for n in sorted(os.listdir(out)):
        if n.startswith("h-ip"):
            print("wrote " + os.path.join(out, n))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
