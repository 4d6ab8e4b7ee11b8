#!/usr/bin/env python3
"""bad.py BIN - bad-input test for mailsift (stdlib only).

Generates damaged capture files and damaged packets into a temporary
directory, runs `BIN -r FILE -T json` (and -T text for the packet cases)
on each and checks:
  - the exit status is the one in tests/bad/expected.txt (always 0 or 1;
    >= 128 is a crash and always a failure);
  - for an error exit, stderr is exactly one line naming the file and a
    reason; for status 0, stderr is empty;
  - the output holds no raw byte < 0x20 other than \\n and none >= 0x7f,
    and every JSON line parses;
  - a capture cut in its last record still prints everything decoded
    before the bad record (same stdout as the intact prefix, credential
    record included);
  - packets that must not be decoded (IPv4 fragments, bad IHL, bad TCP
    data offset, over-long IPv6 extension chains) produce no record, and
    terminal escapes, bidi controls and NUL bytes are shown escaped and
    not cut at the NUL;
  - malformed IP (malformed-ip.pcap: lengths beyond what was on the wire,
    extension chains past the packet, Hop-by-Hop not first, bytes after
    No Next Header), each carrying a bait AUTH PLAIN at the sequence
    number of the real one that follows, gives no record of the bait, the
    real credential, and exactly one `malformed` per bogus packet; the
    same for malformed tunnels (malformed-tunnel.pcap: inner lengths
    beyond the outer packet, cut GRE, ERSPAN, L2TP and UDP headers, a
    VXLAN header without its I flag) and for tunnels not decoded
    (tunnel-unsupported.pcap: exactly one `tunnel_unsupported` each; an
    L2TP control message and a PPP LCP frame count nothing).
Prints one line per check and `N passed, N failed` last.
"""
import base64
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "samples", "record"))
import tunnels as T  # noqa: E402  (the tunnel header builders)

passed = 0
failed = 0


def check(ok, name, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s%s" % (name, ": " + why if why else ""))
    return ok


# ---- pcap / pcapng writers ----

def pcap_hdr(linktype=1, snaplen=65535, magic=0xa1b2c3d4):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def pcap_rec(data, ts=1700000000, usec=0, caplen=None, wirelen=None):
    caplen = len(data) if caplen is None else caplen
    wirelen = len(data) if wirelen is None else wirelen
    return struct.pack("<IIII", ts, usec, caplen, wirelen) + data


def ng_block(btype, body, total=None, trail=None):
    pad = (-len(body)) % 4
    n = 12 + len(body) + pad
    total = n if total is None else total
    trail = total if trail is None else trail
    return struct.pack("<II", btype, total) + body + b"\0" * pad + struct.pack("<I", trail)


def ng_shb():
    return ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def ng_idb(linktype=1):
    return ng_block(1, struct.pack("<HHI", linktype, 0, 65535))


def ng_epb(data, ts=0):
    body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, len(data), len(data)) + data
    return ng_block(6, body)


# ---- packets ----

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(payload, etype=0x0800, trailer=b""):
    frame = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + struct.pack("!H", etype) + payload
    if len(frame) < 60:
        frame += trailer[:60 - len(frame)] + b"\0" * (60 - len(frame) - len(trailer[:60 - len(frame)]))
    else:
        frame += trailer
    return frame


def ip4(src, dst, payload, proto=6, ihl=5, total=None, frag=0, options=b""):
    total = 4 * ihl + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total & 0xffff, 1, frag, 64, proto, 0,
                    bytes(src), bytes(dst)) + options
    h = h[:10] + struct.pack("!H", csum(h[:20])) + h[12:]
    return h + payload


def tcp(sport, dport, seq, ack, flags, data=b"", doff=5, opts=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                       doff << 4, flags, 65535, 0, 0) + opts + data


def ip6(src, dst, nh, payload, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 0x60000000, plen & 0xffff, nh, 64, bytes(src), bytes(dst)) + payload


def ext(nh, length8=0):
    """A hop-by-hop / destination options header of (length8+1)*8 bytes,
    filled with one PadN option."""
    n = (length8 + 1) * 8 - 2
    return bytes([nh, length8, 1, n - 2]) + b"\0" * (n - 2)


FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
C4 = [10, 0, 0, 1]
S4 = [10, 0, 0, 2]
C6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
S6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2]


class Flow:
    """One TCP connection; wrap() turns a TCP segment into a frame."""

    def __init__(self, cport, sport, v6=False):
        self.cport, self.sport, self.v6 = cport, sport, v6
        self.seq = [1000, 50000]
        self.out = []

    def l3(self, d, seg):
        if self.v6:
            a, b = (C6, S6) if d == 0 else (S6, C6)
            return eth(ip6(a, b, 6, seg), 0x86dd)
        a, b = (C4, S4) if d == 0 else (S4, C4)
        return eth(ip4(a, b, seg))

    def seg(self, d, flags, data=b""):
        sp, dp = (self.cport, self.sport) if d == 0 else (self.sport, self.cport)
        return tcp(sp, dp, self.seq[d], self.seq[1 - d], flags, data)

    def send(self, d, data, flags=PSH | ACK, raw=None):
        s = self.seg(d, flags, data)
        self.out.append(raw(s) if raw else self.l3(d, s))
        self.seq[d] += len(data) + (1 if flags & (SYN | FIN) else 0)

    def handshake(self):
        self.send(0, b"", SYN)
        self.send(1, b"", SYN | ACK)
        self.send(0, b"", ACK)

    def close(self):
        self.send(0, b"", FIN | ACK)
        self.send(1, b"", FIN | ACK)
        self.send(0, b"", ACK)


def b64(s):
    return base64.b64encode(s).decode()


BANNER = b"220 mx\x00tail \x1b]0;x\x07 \x1b[31mred \x9b1m \xe2\x80\xae rlo\r\n"
EVIL_USER = b"ev\x1b]0;x\x07il\x00user"
EVIL_PASS = b"pa\x00ss\xe2\x80\xae\x9b"
PLAIN_FRAG = b"AUTH PLAIN " + base64.b64encode(b"\0fraguser\0fragpass") + b"\r\n"
PLAIN_MF = b"AUTH PLAIN " + base64.b64encode(b"\0mfuser\0mfpass") + b"\r\n"
PLAIN_IHL = b"AUTH PLAIN " + base64.b64encode(b"\0ihluser\0ihlpass") + b"\r\n"
PLAIN_TRUNC = b"AUTH PLAIN " + base64.b64encode(b"\0truncuser\0truncpass") + b"\r\n"
PLAIN_DOFF = b"AUTH PLAIN " + base64.b64encode(b"\0doffuser\0doffpass") + b"\r\n"


def hidden(cp):
    """Characters written as \\u/\\U although valid (mailsift(1), ESCAPING):
    C1 controls, bidi controls, line separators, invisible ones, tags."""
    return (0x80 <= cp <= 0x9f or 0x202a <= cp <= 0x202e or 0x2066 <= cp <= 0x2069
            or cp in (0x200e, 0x200f, 0x061c, 0x2028, 0x2029, 0x00ad, 0x200b, 0x2060, 0xfeff)
            or 0xfff9 <= cp <= 0xfffb or 0xe0000 <= cp <= 0xe007f)


def esc(b):
    """The escaping of mailsift(1), ESCAPING, to predict the output: one
    unit at a time, a byte or a valid UTF-8 character."""
    out = []
    i = 0
    while i < len(b):
        c = b[i]
        n = 2 if 0xc2 <= c <= 0xdf else 3 if 0xe0 <= c <= 0xef else 4 if 0xf0 <= c <= 0xf4 else 1
        if n > 1:
            try:
                ch = b[i:i + n].decode("utf-8")     # strict: shortest form, no surrogate
            except UnicodeDecodeError:
                ch = None
            if ch is not None and len(ch) == 1:
                cp = ord(ch)
                out.append(("\\u%04x" if cp <= 0xffff else "\\U%08x") % cp if hidden(cp) else ch)
                i += n
                continue
        if c == 0x5c:
            out.append("\\\\")
        elif c in (9, 13, 10):
            out.append({9: "\\t", 13: "\\r", 10: "\\n"}[c])
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
        i += 1
    return "".join(out)


def bad_packets():
    frames = []

    # A: SMTP with escapes in banner, reply and credentials; Ethernet padding.
    a = Flow(40001, 25)
    a.handshake()
    a.send(1, BANNER)
    a.send(0, b"EHLO a\r\n")
    a.send(1, b"250 ok\r\n")
    a.send(0, b"AUTH LOGIN\r\n")
    a.send(1, b"334 VXNlcm5hbWU6\r\n")
    a.send(0, b64(EVIL_USER).encode() + b"\r\n")
    a.send(1, b"334 UGFzc3dvcmQ6\r\n")
    a.send(0, b64(EVIL_PASS).encode() + b"\r\n")
    a.send(1, b"235 2.7.0 \x1b[31mok\x00more\r\n")
    # Short segments: the frame is padded to 60 bytes with junk.
    a.send(0, b"QU", raw=lambda s: eth(ip4(C4, S4, s), trailer=b"ZZPD"))
    a.send(0, b"IT\r\n", raw=lambda s: eth(ip4(C4, S4, s), trailer=b"ZZ"))
    # A normal-size frame with a trailer (FCS-like junk) after the IP datagram.
    a.send(1, b"221 bye\r\n", raw=lambda s: eth(ip4(S4, C4, s)) + b"PADPADPADPAD")
    a.close()
    frames += a.out

    # B: POP3 with escapes and NUL in PASS and replies.
    b = Flow(40002, 110)
    b.handshake()
    b.send(1, b"+OK \x1b[2J hello\r\n")
    b.send(0, b"USER us\x1b[31mer\r\n")
    b.send(1, b"+OK\r\n")
    b.send(0, b"PASS se\x00cret\xe2\x80\xae\r\n")
    b.send(1, b"-ERR \x9b\x07bad\r\n")
    b.close()
    frames += b.out

    # C: bad IPv4 headers: IHL 3, IHL 15 on a short packet, total length
    # below the header, total length beyond the frame.
    c = Flow(40003, 25)
    seg = c.seg(0, PSH | ACK, PLAIN_IHL)
    frames.append(eth(ip4(C4, S4, seg, ihl=3)))
    frames.append(eth(ip4(C4, S4, seg[:20], ihl=15)[:40]))
    frames.append(eth(ip4(C4, S4, seg, total=10)))
    # Snaplen cut: the IP length says more than the capture holds, and
    # the record's original length says the wire had it. This one is
    # decoded and flagged truncated.
    t = Flow(40009, 25)
    seg = t.seg(0, PSH | ACK, PLAIN_TRUNC)
    frames.append((eth(ip4(C4, S4, seg, total=1400)), 14 + 1400))
    t.seq[0] += 1400 - 40
    seg = t.seg(0, PSH | ACK, b"QUIT\r\n")
    frames.append((eth(ip4(C4, S4, seg, total=0xffff)), 14 + 0xffff))

    # D: a non-first IPv4 fragment whose payload looks like TCP to port 25
    # carrying AUTH PLAIN, after a real handshake; E: a first fragment (MF).
    d = Flow(40004, 25)
    d.handshake()
    d.send(1, b"220 mx\r\n")
    seg = d.seg(0, PSH | ACK, PLAIN_FRAG)
    frames += d.out
    frames.append(eth(ip4(C4, S4, seg, frag=8)))          # offset 64, no MF
    frames.append(eth(ip4(C4, S4, seg, frag=0x2000 | 8)))  # offset 64, MF
    d.seq[0] += len(PLAIN_FRAG)
    d.out = []
    d.send(1, b"235 ok\r\n")
    frames += d.out
    e = Flow(40005, 25)
    e.handshake()
    e.send(1, b"220 mx\r\n")
    seg = e.seg(0, PSH | ACK, PLAIN_MF)
    frames += e.out
    frames.append(eth(ip4(C4, S4, seg, frag=0x2000)))      # first fragment, MF
    e.seq[0] += len(PLAIN_MF)
    e.out = []
    e.send(1, b"235 ok\r\n")
    frames += e.out

    # F: bad TCP data offsets (below 5, beyond the segment).
    f = Flow(40006, 25)
    f.handshake()
    f.send(1, b"220 mx\r\n")
    frames += f.out
    s = tcp(40006, 25, f.seq[0], f.seq[1], PSH | ACK, PLAIN_DOFF, doff=2)
    frames.append(eth(ip4(C4, S4, s)))
    s = tcp(40006, 25, f.seq[0], f.seq[1], PSH | ACK, b"USER doff2\r\n", doff=15)
    frames.append(eth(ip4(C4, S4, s)))
    s = tcp(40006, 25, f.seq[0], f.seq[1], PSH | ACK, b"", doff=0)
    frames.append(eth(ip4(C4, S4, s)))

    # G: IPv6 with a valid two-header chain (positive control).
    g = Flow(40007, 110, v6=True)

    def chain2(seg_, d_):
        a_, b_ = (C6, S6) if d_ == 0 else (S6, C6)
        return eth(ip6(a_, b_, 0, ext(60) + ext(6, 1) + seg_), 0x86dd)

    for d_, fl, data in ((0, SYN, b""), (1, SYN | ACK, b""), (0, ACK, b""),
                         (1, PSH | ACK, b"+OK v6\r\n"), (0, PSH | ACK, b"USER v6user\r\n"),
                         (1, PSH | ACK, b"+OK\r\n")):
        g.send(d_, data, fl, raw=lambda s_, d_=d_: chain2(s_, d_))
    frames += g.out

    # H: IPv6 chain longer than LIM_IPV6_EXT (12 destination options).
    h = Flow(40008, 110, v6=True)
    seg = h.seg(0, PSH | ACK, b"USER longchain\r\n")
    chain = b"".join(ext(60) for _ in range(11)) + ext(6)
    frames.append(eth(ip6(C6, S6, 60, chain + seg), 0x86dd))
    # An extension header whose length runs past the packet.
    seg = h.seg(0, PSH | ACK, b"USER badext\r\n")
    frames.append(eth(ip6(C6, S6, 0, bytes([6, 255]) + b"\0" * 6 + seg), 0x86dd))
    # A payload length shorter than the extension chain.
    frames.append(eth(ip6(C6, S6, 0, ext(6, 3) + seg, plen=8), 0x86dd))
    # A non-atomic fragment header.
    seg = h.seg(0, PSH | ACK, b"USER v6frag\r\n")
    frag = struct.pack("!BBHI", 6, 0, (8 << 3) | 1, 7)
    frames.append(eth(ip6(C6, S6, 44, frag + seg), 0x86dd))
    # Truncated IPv6 header and wrong version nibble.
    frames.append(eth(ip6(C6, S6, 6, seg)[:30], 0x86dd))
    frames.append(eth(b"\x40" + ip6(C6, S6, 6, seg)[1:], 0x86dd))

    return write_frames(frames)


def write_frames(frames):
    """A pcap of frames; a (frame, wirelen) pair is a snaplen-cut one."""
    out = pcap_hdr()
    for i, fr in enumerate(frames):
        fr, wire = fr if isinstance(fr, tuple) else (fr, None)
        out += pcap_rec(fr, usec=i * 1000, wirelen=wire)
    return out


def hbh(nh, length8=0):
    """Hop-by-Hop Options; same layout as ext()."""
    return ext(nh, length8)


# Malformed IP: (name, bait marker, v6, build(src, dst, seg) -> (frame,
# wirelen or None), malformed count). Each bogus packet carries a client
# segment at the sequence number of the real AUTH PLAIN that follows it.
def _lie4(src, dst, seg):
    return eth(ip4(src, dst, seg, total=20 + len(seg) + 300)), None


def _lie4cut(src, dst, seg):
    # Cut by the snaplen too, but the IP length is beyond even the wire.
    fr = eth(ip4(src, dst, seg, total=20 + len(seg) + 300))
    return fr[:54], len(fr) + 100


def _lie6(src, dst, seg):
    return eth(ip6(src, dst, 6, seg, plen=len(seg) + 200), 0x86dd), None


def _extpast(src, dst, seg):
    # Destination Options claiming 2008 bytes; the payload length is what
    # is really there.
    return eth(ip6(src, dst, 0, hbh(60) + bytes([6, 250]) + b"\0" * 6 + seg), 0x86dd), None


def _extpastcut(src, dst, seg):
    # The same, cut by the snaplen: still past the payload length.
    fr = eth(ip6(src, dst, 0, hbh(60) + bytes([6, 250]) + b"\0" * 6 + seg), 0x86dd)
    return fr[:14 + 40 + 12], len(fr)


def _hbh2(src, dst, seg):
    return eth(ip6(src, dst, 0, hbh(0) + hbh(6) + seg), 0x86dd), None


def _hbhlate(src, dst, seg):
    return eth(ip6(src, dst, 60, ext(0) + hbh(6) + seg), 0x86dd), None


def _nonext(src, dst, seg):
    return eth(ip6(src, dst, 59, seg), 0x86dd), None


def _hbhnonext(src, dst, seg):
    return eth(ip6(src, dst, 0, hbh(59) + seg), 0x86dd), None


MALFORMED_IP = [
    ("IPv4 total length beyond the wire", "lie4", False, _lie4),
    ("IPv4 total length beyond the wire, snaplen-cut frame", "lie4cut", False, _lie4cut),
    ("IPv6 payload length beyond the wire", "lie6", True, _lie6),
    ("IPv6 extension chain past the payload length", "extpast", True, _extpast),
    ("IPv6 extension chain past the payload length, snaplen-cut", "extcut", True, _extpastcut),
    ("IPv6 Hop-by-Hop repeated", "hbhtwice", True, _hbh2),
    ("IPv6 Hop-by-Hop after Destination Options", "hbhlate", True, _hbhlate),
    ("IPv6 bytes after No Next Header", "nonext", True, _nonext),
    ("IPv6 Hop-by-Hop, No Next Header, bytes", "hbhnonext", True, _hbhnonext),
]


# Tunnels around a bogus packet; the outer endpoints are T.A4/T.B4,
# T.A6/T.B6. Each returns (frame, None).
def _v4(payload, proto):
    return T.eth(T.ipv4(T.A4, T.B4, proto, payload), 0x0800), None


def _v6(payload, nh):
    return T.eth(T.ipv6(T.A6, T.B6, nh, payload), 0x86dd), None


def _udp4(sport, dport, payload, ulen=None):
    return _v4(T.udp(T.A4, T.B4, sport, dport, payload, ulen), 17)


def _inner4_long(src, dst, seg):
    return _v4(ip4(src, dst, seg, total=20 + len(seg) + 100), 4)


def _inner6_long(src, dst, seg):
    return _v4(ip6(src, dst, 6, seg, plen=len(seg) + 100), 41)


def _gre_cut(src, dst, seg):
    # K and S say 12 bytes of GRE header; the packet holds 6.
    return _v4(struct.pack("!HHH", 0x3000, 0x0800, 0), 47)


def _gre_inner_hbh(src, dst, seg):
    return _v4(T.gre(0x86dd, ip6(src, dst, 0, hbh(0) + hbh(6) + seg)), 47)


def _erspan_cut(src, dst, seg):
    return _v4(T.gre(0x88be, b"\x10\x00\x00\x64", seq=1), 47)


def _vxlan_ulen(src, dst, seg):
    return _udp4(50000, 4789, T.vxlan(eth(ip4(src, dst, seg))), ulen=2000)


def _vxlan_noi(src, dst, seg):
    return _udp4(50000, 4789, T.vxlan(eth(ip4(src, dst, seg)), flags=0))


def _l2tp_len(src, dst, seg):
    m = T.l2tp(T.ppp(ip4(src, dst, seg)), 1, 1, length=True)
    m = m[:2] + struct.pack("!H", len(m) + 50) + m[4:]
    return _udp4(1701, 1701, m)


def _l2tp_off(src, dst, seg):
    m = T.l2tp(T.ppp(ip4(src, dst, seg)), 1, 1, offset=0)
    m = m[:6] + struct.pack("!H", 4000) + m[8:]
    return _udp4(1701, 1701, m)


def _ppp_ctl(src, dst, seg):
    return _udp4(1701, 1701, T.l2tp(b"\xff\x05\x00\x21" + ip4(src, dst, seg), 1, 1))


MALFORMED_TUNNEL = [
    ("IPv4 in IPv4, inner total length beyond the outer packet", "in4long", False, _inner4_long),
    ("6in4, inner payload length beyond the outer packet", "in6long", True, _inner6_long),
    ("GRE header past the packet", "grecut", False, _gre_cut),
    ("Hop-by-Hop repeated inside GRE", "grehbh", True, _gre_inner_hbh),
    ("ERSPAN II header past the packet", "erspancut", False, _erspan_cut),
    ("VXLAN, UDP length beyond the IP payload", "vxulen", False, _vxlan_ulen),
    ("VXLAN without its I flag", "vxnoi", False, _vxlan_noi),
    ("L2TP length beyond the UDP payload", "l2len", False, _l2tp_len),
    ("L2TP offset past the packet", "l2off", False, _l2tp_off),
    ("PPP control byte not 0x03", "pppctl", False, _ppp_ctl),
]


def _l2tpv3(src, dst, seg):
    return _v4(struct.pack("!II", 0x1234, 0) + eth(ip4(src, dst, seg)), 115)


def _gpe(src, dst, seg):
    return _udp4(50001, 4790, struct.pack("!BxxBI", 0x0c, 1, 4242 << 8) + ip4(src, dst, seg))


def _geneve(src, dst, seg):
    return _udp4(50002, 6081, struct.pack("!BBHI", 0, 0, 0x6558, 4242 << 8) + eth(ip4(src, dst, seg)))


def _pptp(src, dst, seg):
    p = T.ppp(ip4(src, dst, seg))
    return _v4(struct.pack("!HHHHI", 0x3001, 0x880b, len(p), 7, 1) + p, 47)


def _gre_other(src, dst, seg):
    return _v4(T.gre(0x88b5, ip4(src, dst, seg)), 47)


def _gre_routing(src, dst, seg):
    return _v4(T.gre(0x0800, b"\0\0\0\0" + ip4(src, dst, seg), flags=0x4000), 47)


def _erspan_v3_other(src, dst, seg):
    return _v4(T.gre(0x22eb, T.erspan3(eth(ip4(src, dst, seg)), ft=5, sub=False), seq=1), 47)


def _ppp_ipx(src, dst, seg):
    return _udp4(1701, 1701, T.l2tp(T.ppp(ip4(src, dst, seg), proto=0x002b), 1, 1))


def _l2tpv3_udp(src, dst, seg):
    return _udp4(1701, 1701, struct.pack("!HHI", 0x0003, 0, 0x1234) + eth(ip4(src, dst, seg)))


def _depth5(src, dst, seg):
    p = ip4(src, dst, seg)
    for _ in range(4):
        p = T.ipv4(T.A4, T.B4, 4, p)
    return _v4(p, 4)


UNSUPPORTED_TUNNEL = [
    ("L2TPv3 over IP", "l2tpv3", False, _l2tpv3),
    ("VXLAN-GPE", "gpe", False, _gpe),
    ("Geneve", "geneve", False, _geneve),
    ("PPTP enhanced GRE", "pptp", False, _pptp),
    ("GRE with an unknown protocol type", "greother", False, _gre_other),
    ("GRE with RFC 1701 routing", "grerouting", False, _gre_routing),
    ("ERSPAN III with a reserved frame type", "erspanft", False, _erspan_v3_other),
    ("PPP carrying IPX in L2TPv2", "pppipx", False, _ppp_ipx),
    ("L2TPv3 over UDP", "l2tpv3udp", False, _l2tpv3_udp),
    ("IP in IP five deep", "depth5", False, _depth5),
]


def malformed_ip(cases=None, controls=True):
    """One SMTP session per case: handshake, banner, EHLO; the bogus packet
    with AUTH PLAIN bait<marker>; then the real AUTH PLAIN at the same
    sequence number, 235, QUIT. Returns (pcap bytes, bogus count)."""
    cases = MALFORMED_IP if cases is None else cases
    frames = []
    for i, (_, marker, v6, build) in enumerate(cases):
        f = Flow(41000 + i, 25, v6=v6)
        f.handshake()
        f.send(1, b"220 mx\r\n")
        f.send(0, b"EHLO c\r\n")
        f.send(1, b"250 AUTH PLAIN\r\n")
        frames += f.out
        f.out = []
        a, b_ = (C6, S6) if v6 else (C4, S4)
        bait = b"AUTH PLAIN " + base64.b64encode(b"\0" + marker.encode() + b"\0bait" + marker.encode()) + b"\r\n"
        frames.append(build(a, b_, f.seg(0, PSH | ACK, bait)))
        f.send(0, b"AUTH PLAIN " + base64.b64encode(b"\0real" + marker.encode() + b"\0secret1") + b"\r\n")
        f.send(1, b"235 ok\r\n")
        f.send(0, b"QUIT\r\n")
        f.send(1, b"221 bye\r\n")
        f.close()
        frames += f.out
    if not controls:
        # Tunnel control traffic, counted as nothing: an L2TPv2 Hello and
        # an LCP Echo-Request in an L2TP data message.
        frames.append(_udp4(1701, 1701, struct.pack("!HHHHHHHHHH", 0xc802, 20, 1, 0, 0, 0,
                                                    0x8008, 0, 0, 6))[0])
        frames.append(_udp4(1701, 1701, T.l2tp(T.ppp(struct.pack("!BBHI", 9, 1, 8, 0), proto=0xc021),
                                               1, 1))[0])
        return write_frames(frames), len(cases)
    # Controls, not malformed: No Next Header with nothing after it, and
    # an extension chain cut by the snaplen inside the payload length
    # (truncated).
    f = Flow(41900, 25, v6=True)
    frames.append(eth(ip6(C6, S6, 59, b""), 0x86dd))
    seg = f.seg(0, PSH | ACK, b"AUTH PLAIN x\r\n")
    fr = eth(ip6(C6, S6, 0, hbh(6, 3) + seg), 0x86dd)
    frames.append((fr[:14 + 40 + 16], len(fr)))
    return write_frames(frames), len(MALFORMED_IP)


def find_sample():
    for d in (os.path.join(ROOT, "samples"), os.path.join(ROOT, "tests", "data", "corpus")):
        p = os.path.join(d, "smtp-auth-login.pcap")
        if os.path.exists(p):
            return p
    return None


def record_offsets(data):
    offs = []
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        offs.append((off, incl))
        off += 16 + incl
    return offs


def make_files(tmp, sample):
    rnd = random.Random(20261128)
    small = eth(ip4(C4, S4, tcp(40000, 25, 1, 1, SYN)))
    files = {}
    files["empty.pcap"] = b""
    files["random.pcap"] = bytes(rnd.getrandbits(8) for _ in range(4096))
    files["bad-magic.pcap"] = struct.pack("<I", 0xdeadbeef) + pcap_hdr()[4:] + pcap_rec(small)
    files["short-header.pcap"] = pcap_hdr()[:13]
    files["caplen-gt-snaplen.pcap"] = pcap_hdr(snaplen=64) + pcap_rec(small + b"\0" * 200)
    files["caplen-4g.pcap"] = pcap_hdr() + pcap_rec(small) + pcap_rec(small, caplen=0xffffffff)
    files["caplen-gt-max.pcap"] = pcap_hdr() + pcap_rec(small, caplen=0x7fffffff)
    # A short SMTP session whose data packets claim original lengths below
    # their captured lengths (20 and 0 bytes).
    s = Flow(40010, 25)
    s.handshake()
    s.send(1, b"220 mx\r\n")
    s.send(0, b"USER lenlt\r\n")
    s.send(1, b"500 what\r\n")
    blob = pcap_hdr()
    for i, fr in enumerate(s.out):
        blob += pcap_rec(fr, usec=i, wirelen=(20 if i % 2 else 0) if i >= 3 else None)
    files["len-lt-caplen.pcap"] = blob
    files["dlt-147.pcap"] = pcap_hdr(linktype=147) + pcap_rec(small)
    files["header-garbage.pcap"] = pcap_hdr() + bytes(rnd.getrandbits(8) for _ in range(3000))
    files["header-only.pcap"] = pcap_hdr()
    files["rec-header-cut.pcap"] = pcap_hdr() + pcap_rec(small) + pcap_rec(small)[:9]
    files["ng-absurd-len.pcapng"] = ng_shb() + ng_idb() + struct.pack("<II", 6, 0xfffffff0) + b"\0" * 64
    files["ng-mismatch-len.pcapng"] = ng_shb() + ng_idb() + ng_block(
        6, struct.pack("<IIIII", 0, 0, 0, len(small), len(small)) + small, trail=0x1234)
    files["ng-tiny-len.pcapng"] = ng_shb() + ng_idb() + struct.pack("<III", 6, 8, 8)
    files["ng-unaligned-len.pcapng"] = ng_shb() + ng_idb() + ng_block(
        6, struct.pack("<IIIII", 0, 0, 0, len(small), len(small)) + small, total=13 + 20 + len(small), trail=0)
    files["ng-shb-absurd.pcapng"] = struct.pack("<III", 0x0A0D0D0A, 0x7ffffff0, 0x1A2B3C4D) + b"\0" * 64
    files["ng-no-idb.pcapng"] = ng_shb() + ng_epb(small)
    files["ng-epb-caplen-big.pcapng"] = ng_shb() + ng_idb() + ng_block(
        6, struct.pack("<IIIII", 0, 0, 0, 0xffff0000, 60) + small)
    files["ng-dlt-147.pcapng"] = ng_shb() + ng_idb(147) + ng_epb(small)
    files["bad-packets.pcap"] = bad_packets()
    files["malformed-ip.pcap"], _ = malformed_ip()
    files["malformed-tunnel.pcap"], _ = malformed_ip(MALFORMED_TUNNEL, controls=False)
    # A snaplen cut inside a tunnel cuts the outer and the inner packet:
    # one truncated packet, counted once (port 80: TCP does not count it
    # again).
    cut = _v4(T.gre(0x0800, ip4(C4, S4, tcp(41999, 80, 1, 1, PSH | ACK, b"x" * 200))), 47)[0]
    files["malformed-tunnel.pcap"] += pcap_rec(cut[:100], usec=999999, wirelen=len(cut))
    files["tunnel-unsupported.pcap"], _ = malformed_ip(UNSUPPORTED_TUNNEL, controls=False)
    if sample:
        with open(sample, "rb") as f:
            data = f.read()
        offs = record_offsets(data)
        last_off, last_len = offs[-1]
        # Cut the last record mid-data; the prefix ends before it.
        files["truncated-last.pcap"] = data[:last_off + 16 + max(1, last_len // 2)]
        files["truncated-last.prefix.pcap"] = data[:last_off]
        # Half-way, a UDP packet longer than the file's snap length: the
        # reader hands the file to libpcap at that record, which goes on
        # from there. The reference holds the same packet within the snap
        # length; neither is mail, so the two must print the same.
        # The snap length is set to the longest of the sample's records.
        snap = max(n for _, n in offs)
        hdr = data[:16] + struct.pack("<I", snap) + data[20:24]
        mid = offs[len(offs) // 2][0]
        junk = _udp4(9, 9, b"\0" * (snap + 100))[0]
        files["longrec-mid.pcap"] = (hdr + data[24:mid] + pcap_rec(junk, usec=1)
                                     + data[mid:])
        files["longrec-mid.ref.pcap"] = (hdr + data[24:mid]
                                         + pcap_rec(junk[:snap], usec=1, wirelen=len(junk))
                                         + data[mid:])
    for name, blob in files.items():
        with open(os.path.join(tmp, name), "wb") as f:
            f.write(blob)
    return files


def run(binp, path, fmt="json"):
    p = subprocess.run([binp, "-r", path, "-T", fmt], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout, p.stderr


def printable(out):
    for i, c in enumerate(out):
        if (c < 0x20 and c != 0x0a) or c >= 0x7f:
            return "raw byte 0x%02x at offset %d" % (c, i)
    return None


def json_lines(out):
    recs = []
    for n, line in enumerate(out.decode("ascii", "replace").splitlines()):
        try:
            recs.append(json.loads(line))
        except ValueError as e:
            return None, "line %d is not JSON: %s" % (n + 1, e)
    return recs, None


def load_expected():
    exp = {}
    with open(os.path.join(HERE, "expected.txt")) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, status, pattern = line.split("\t")[:3]
            exp[name] = (int(status), pattern)
    return exp


def file_cases(binp, tmp, files, exp):
    for name in sorted(exp):
        status, pattern = exp[name]
        if name not in files:
            check(False, name, "not generated (sample missing?)")
            continue
        path = os.path.join(tmp, name)
        rc, out, err = run(binp, path)
        lines = err.decode("ascii", "replace").splitlines()
        if not check(0 <= rc < 128, name + ": no crash", "exit %d, stderr %r" % (rc, err[-300:])):
            continue
        check(rc in (0, 1), name + ": exit status in {0,1}", "exit %d" % rc)
        check(rc == status, name + ": exit %d" % status, "got %d, stderr %r" % (rc, err[:200]))
        if status == 0:
            check(not err, name + ": stderr empty", repr(err[:200]))
        else:
            ok = (len(lines) == 1 and path in lines[0] and re.search(pattern, lines[0])
                  and re.search(re.escape(path) + r".*:\s*\S", lines[0]))
            # The expected refusal, said as one: the message is mailsift's.
            msg = lines[0].replace(tmp + "/", "") if lines else ""
            if ok:
                check(True, 'bad/%s: exit %d "%s" (expected)' % (name, rc, msg))
            else:
                check(False, name + ": one stderr line with file and reason /%s/" % pattern,
                      repr(lines))
        bad = printable(out)
        check(bad is None, name + ": stdout printable", bad or "")
        recs, why = json_lines(out)
        check(recs is not None, name + ": stdout is JSON lines", why or "")


def same_as(binp, tmp, name, ref, what, rc=0):
    """name's output equals ref's as JSON and as text (ref exits 0, name
    with rc); returns the two outputs of name."""
    outs = {}
    for fmt in ("json", "text"):
        rc1, out1, _ = run(binp, os.path.join(tmp, ref), fmt)
        rc2, out2, err2 = run(binp, os.path.join(tmp, name), fmt)
        check(rc1 == 0 and rc2 == rc, "%s (%s): exit 0, and %d for %s" % (ref, fmt, rc, name),
              "got %d and %d: %r" % (rc1, rc2, err2[:200]))
        check(out2 == out1 and len(out1) > 0, "%s (%s): %s" % (name, fmt, what),
              "%d vs %d bytes" % (len(out2), len(out1)))
        outs[fmt] = out2
    return outs


def truncated_case(binp, tmp, files):
    if "truncated-last.pcap" not in files:
        check(False, "truncated-last", "no sample smtp-auth-login.pcap found")
        return
    outs = same_as(binp, tmp, "truncated-last.pcap", "truncated-last.prefix.pcap",
                   "output equals the intact prefix's", rc=1)
    recs, _ = json_lines(outs["json"])
    creds = [r for r in recs or [] if r.get("kind") == "credential"]
    check(len(creds) >= 1 and any(r.get("result") == "accepted" for r in creds),
          "truncated-last: credential record from the sample still printed",
          "%d credential records" % len(creds))
    check(b"[credentials" in outs["text"], "truncated-last (text): credential row printed")


def longrec_case(binp, tmp, files):
    if "longrec-mid.pcap" not in files:
        check(False, "longrec-mid", "no sample smtp-auth-login.pcap found")
        return
    outs = same_as(binp, tmp, "longrec-mid.pcap", "longrec-mid.ref.pcap",
                   "a record past the snap length half-way, then the rest of the file,"
                   " as with the record within it")
    check(b"credential" in outs["json"], "longrec-mid: the credential after it is printed")


def packet_case(binp, tmp):
    path = os.path.join(tmp, "bad-packets.pcap")
    rc, tout, terr = run(binp, path, "text")
    check(rc == 0 and not terr, "bad-packets (text): exit 0, stderr empty", "exit %d %r" % (rc, terr[:200]))
    rc, jout, jerr = run(binp, path, "json")
    check(rc == 0 and not jerr, "bad-packets (json): exit 0, stderr empty", "exit %d %r" % (rc, jerr[:200]))
    for fmt, out in (("text", tout), ("json", jout)):
        bad = printable(out)
        check(bad is None, "bad-packets (%s): no raw control or high byte" % fmt, bad or "")
    recs, why = json_lines(jout)
    check(recs is not None, "bad-packets (json): every line parses", why or "")
    recs = recs or []
    text = tout.decode("ascii", "replace")
    # Values are escaped, and a NUL does not cut them.
    for what, raw in (("banner", BANNER.rstrip(b"\r\n")),
                      ("reply", b"235 2.7.0 \x1b[31mok\x00more"),
                      ("login user", EVIL_USER), ("login password", EVIL_PASS),
                      ("pop3 user", b"us\x1b[31mer"), ("pop3 password", b"se\x00cret\xe2\x80\xae"),
                      ("pop3 reply", b"-ERR \x9b\x07bad"), ("pop3 banner", b"+OK \x1b[2J hello")):
        e = esc(raw)
        check(e in text, "bad-packets (text): %s shown escaped: %s" % (what, e))
        in_json = any(e in v for r in recs for v in json_strings(r))
        check(in_json, "bad-packets (json): %s value is the escaped text" % what)
    creds = [r for r in recs if r.get("kind") == "credential"]
    check(any(r.get("user") == esc(EVIL_USER) and r.get("secret") == esc(EVIL_PASS) for r in creds),
          "bad-packets: LOGIN credential record has escaped user and secret, not cut at NUL",
          repr([(r.get("user"), r.get("secret")) for r in creds]))
    # Nothing from packets that must not be decoded.
    for marker, why in (("fraguser", "non-first IPv4 fragment"), ("fragpass", "non-first IPv4 fragment"),
                        ("mfuser", "first IPv4 fragment (MF)"), ("ihluser", "bad IPv4 IHL/length"),
                        ("doffuser", "TCP data offset < 5"), ("doff2", "TCP data offset > segment"),
                        ("longchain", "IPv6 extension chain over the limit"),
                        ("badext", "IPv6 extension length past the packet"),
                        ("v6frag", "IPv6 non-atomic fragment"),
                        ("ZZ", "Ethernet padding"), ("PADPAD", "Ethernet trailer")):
        found = marker in text or any(marker in v for r in recs for v in json_strings(r))
        check(not found, "bad-packets: no record from %s (%s)" % (why, marker))
    for marker, b in (("fraguser", b"\0fraguser\0fragpass"), ("mfuser", b"\0mfuser\0mfpass"),
                      ("ihluser", b"\0ihluser\0ihlpass"), ("doffuser", b"\0doffuser\0doffpass")):
        enc = b64(b)
        check(enc not in text, "bad-packets: AUTH PLAIN of %s not shown" % marker)
    frag_recs = [r for r in recs if 40004 in (r.get("sport"), r.get("dport"))
                 and r.get("kind") in ("command", "credential", "auth")]
    check(not frag_recs, "bad-packets: fragment flow has no command or credential record",
          repr(frag_recs[:2]))
    trunc = [r for r in recs if "truncuser" in r.get("text", "") + r.get("user", "")
             or "truncuser" in json.dumps(r.get("fields", {}))]
    check(any("truncated" in r.get("flags", []) for r in trunc),
          "bad-packets: IPv4 length beyond the frame: decoded and flagged truncated",
          repr([(r.get("kind"), r.get("flags")) for r in trunc]))
    check("v6user" in text, "bad-packets: IPv6 with a 2-header extension chain decoded (control)")
    check(re.search(r"C: QUIT\b", text) is not None,
          "bad-packets: padded short segments reassembled to QUIT without padding")


def stats(binp, path):
    p = subprocess.run([binp, "-r", path, "-q", "--stats"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    out = {}
    for line in p.stdout.decode("ascii", "replace").splitlines():
        m = re.match(r"# anomaly (\S+)\s+(\d+)$", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return p.returncode, out


def malformed_case(binp, tmp, name, cases, want):
    """No record from any bogus packet, the real credential of every
    session, and exactly the anomaly counts in want."""
    path = os.path.join(tmp, name)
    rc, jout, jerr = run(binp, path, "json")
    check(rc == 0 and not jerr, "%s: exit 0, stderr empty" % name, "exit %d %r" % (rc, jerr[:200]))
    recs, why = json_lines(jout)
    check(recs is not None, "%s: every line parses" % name, why or "")
    recs = recs or []
    creds = [r for r in recs if r.get("kind") == "credential"]
    text = json.dumps(recs)
    for why_, marker in cases:
        bait = b64(b"\0" + marker.encode() + b"\0bait" + marker.encode())
        check(("bait" + marker) not in text and bait not in text,
              "%s: no record from %s (%s)" % (name, why_, marker))
        check(any(r.get("user") == "real" + marker and r.get("secret") == "secret1"
                  and r.get("result") == "accepted" for r in creds),
              "%s: real credential after the %s packet" % (name, marker),
              repr([(r.get("user"), r.get("secret")) for r in creds]))
    conflicts = [r for r in recs if "overlap_conflict" in r.get("flags", [])]
    check(not conflicts, "%s: no overlap conflict (the bogus bytes never reached TCP)" % name,
          repr(conflicts[:2]))
    rc, st = stats(binp, path)
    for k, v in want.items():
        check(st.get(k) == v, "%s: --stats %s %d" % (name, k, v), "got %r" % st.get(k))


def json_strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from json_strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from json_strings(x)


def main():
    if len(sys.argv) != 2:
        print("usage: tests/bad/run.sh BIN", file=sys.stderr)
        return 2
    binp = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="mailsift-bad.")
    try:
        files = make_files(tmp, find_sample())
        exp = load_expected()
        file_cases(binp, tmp, files, exp)
        truncated_case(binp, tmp, files)
        longrec_case(binp, tmp, files)
        packet_case(binp, tmp)
        malformed_case(binp, tmp, "malformed-ip.pcap",
                       [(w, m) for w, m, _, _ in MALFORMED_IP],
                       {"malformed": len(MALFORMED_IP), "truncated": 1,
                        "tunnel_unsupported": 0})
        malformed_case(binp, tmp, "malformed-tunnel.pcap",
                       [(w, m) for w, m, _, _ in MALFORMED_TUNNEL],
                       {"malformed": len(MALFORMED_TUNNEL), "truncated": 1,
                        "tunnel_unsupported": 0})
        malformed_case(binp, tmp, "tunnel-unsupported.pcap",
                       [(w, m) for w, m, _, _ in UNSUPPORTED_TUNNEL],
                       {"malformed": 0, "truncated": 0,
                        "tunnel_unsupported": len(UNSUPPORTED_TUNNEL)})
    finally:
        if os.environ.get("BAD_KEEP"):
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
