#!/usr/bin/env python3
"""Tunnel encapsulations for mailsift's samples and tests (stdlib only).

The kernel these samples are made on has no gre/ipip/sit/ip6tnl/erspan/
l2tp drivers (only vxlan and veth), so the tunnels here are written byte by
byte around REAL sessions: every inner packet is a frame of a recorded
sample (smtp-auth-login.pcap: Postfix over IPv4; mixed-ipv6.pcap: Postfix
and Dovecot over IPv6), unchanged, with its original timestamp.  Only the
outer headers are made here, as the RFCs and Linux lay them out.  Recorded
tunnels (through user-space tunnel endpoints and the kernel's vxlan) are
the samples/hostile/h-tunnel-*.pcap captures.

usage: tunnels.py [SAMPLES_DIR]     writes SAMPLES_DIR/tunnel-*.pcap
                                    (default: the samples/ beside record/)

As a module (tests/link/run.py, tests/bad/bad.py): read_pcap, write_pcap,
the header builders, and WRAP: name -> function(frame) -> frame.

The samples (byte-stable; same input, same output):

  tunnel-ip6ip6.pcap      mixed-ipv6 in IPv6 (next header 41) behind the
                          Destination Options header Linux's ip6tnl adds
                          (Tunnel Encapsulation Limit 4, RFC 2473 4.1.1)
  tunnel-ip4in6.pcap      smtp-auth-login in IPv6 (next header 4), the same
                          Destination Options header
  tunnel-gre-keyseq.pcap  mixed-ipv6 in GRE over IPv4 with checksum, key
                          and sequence number (RFC 2784, RFC 2890)
  tunnel-gretap-vlan.pcap smtp-auth-login frames, 802.1Q tag 100 added, in
                          GRE transparent Ethernet bridging (0x6558) over
                          IPv6
  tunnel-erspan3.pcap     smtp-auth-login frames in ERSPAN type III (GRE
                          0x22EB, 12-byte header and the 8-byte platform
                          subheader) over IPv4
  tunnel-l2tp-flags.pcap  mixed-ipv6 in L2TPv2 data messages with the L, S
                          and O flags, PPP with address/control and
                          protocol field compression (0x57); among them
                          L2TP control messages (Hello, ZLB) and PPP LCP
                          echoes, which carry no user data
  tunnel-nested.pcap      smtp-auth-login in VXLAN (802.1Q inside) in UDP
                          over IPv6, in GRE over IPv4: three tunnels deep
  tunnel-unsupported.pcap stream 1 of smtp-auth-login (the accepted login)
                          in each tunnel mailsift recognises but does not
                          decode: L2TPv3 over IP (115), VXLAN-GPE (4790),
                          Geneve (6081), PPTP's GRE (version 1), GRE with
                          MPLS (0x8847), PPP with IPX (0x002B) in L2TPv2,
                          and IP in IP nested five deep (one more than
                          LIM_TUNNEL_DEPTH); plus an L2TPv2 Hello and an
                          L2TPv3 control message (session 0), which are
                          not tunnelled data
"""
import os
import struct
import sys

# ---- pcap ----


def read_pcap(path):
    """-> (linktype, [(sec, usec, frame, wirelen)]); little-endian usec pcap."""
    d = open(path, "rb").read()
    magic, = struct.unpack("<I", d[:4])
    assert magic == 0xa1b2c3d4, "expected a little-endian microsecond pcap"
    lt, = struct.unpack("<I", d[20:24])
    pkts, off = [], 24
    while off + 16 <= len(d):
        sec, usec, cap, wire = struct.unpack("<IIII", d[off:off + 16])
        pkts.append((sec, usec, d[off + 16:off + 16 + cap], wire))
        off += 16 + cap
    return lt, pkts


def write_pcap(path, pkts, linktype=1):
    """pkts: (sec, usec, frame, wirelen); wirelen None means len(frame)."""
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, linktype)]
    for sec, usec, data, wire in pkts:
        out.append(struct.pack("<IIII", sec, usec, len(data),
                               len(data) if wire is None else wire) + data)
    with open(path, "wb") as f:
        f.write(b"".join(out))


# ---- headers ----

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(src, dst, proto, payload, ident=0, total=None):
    total = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total & 0xffff, ident & 0xffff, 0x4000,
                    64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ipv6(src, dst, nh, payload, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 0x60000000, plen & 0xffff, nh, 64, src, dst) + payload


def encap_limit(nh, limit=4):
    """The Destination Options header ip6tnl puts before the inner packet:
    Tunnel Encapsulation Limit option (type 4, RFC 2473 4.1.1), PadN."""
    return bytes([nh, 0, 4, 1, limit, 1, 1, 0])


def udp(src, dst, sport, dport, payload, ulen=None):
    """UDP with its checksum (over IPv4 or IPv6 by the address length)."""
    n = 8 + len(payload)
    ulen = n if ulen is None else ulen
    h = struct.pack("!HHHH", sport, dport, ulen, 0)
    if len(src) == 16:
        ph = src + dst + struct.pack("!IxxxB", n, 17)
    else:
        ph = src + dst + struct.pack("!BBH", 0, 17, n)
    c = csum(ph + h + payload) or 0xffff
    return h[:6] + struct.pack("!H", c) + payload


def gre(proto, payload, cks=False, key=None, seq=None, ver=0, flags=0):
    fl = flags | ver | (0x8000 if cks else 0) | (0x2000 if key is not None else 0) \
        | (0x1000 if seq is not None else 0)
    h = struct.pack("!HH", fl, proto)
    opt = b""
    if cks:
        opt += b"\0\0\0\0"
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq)
    if cks:
        c = csum(h + opt + payload)
        opt = struct.pack("!H", c) + opt[2:]
    return h + opt + payload


def erspan2(frame, session=100, index=0, vlan=0):
    """Type II header (version 1): ver|vlan, cos|en|t|session, reserved|index."""
    return struct.pack("!HHI", 0x1000 | vlan, session & 0x3ff, index & 0xfffff) + frame


def erspan3(frame, session=100, ts=0, ft=0, sub=True, hwid=1):
    """Type III header (version 2), with the platform subheader if sub."""
    w2 = (ft & 0x1f) << 10 | (hwid & 0x3f) << 4 | (1 if sub else 0)
    h = struct.pack("!HHIHH", 0x2000, session & 0x3ff, ts & 0xffffffff, 0, w2)
    if sub:
        # Platform ID 3: port index and upper timestamp (Linux's layout).
        h += struct.pack("!II", 3 << 26 | 7, 0)
    return h + frame


def vxlan(frame, vni=4242, flags=0x08):
    return struct.pack("!BxxxI", flags, vni << 8) + frame


def ppp(ip, acfc=False, pfc=False, proto=None):
    if proto is None:
        proto = 0x0057 if ip[0] >> 4 == 6 else 0x0021
    h = b"" if acfc else b"\xff\x03"
    h += bytes([proto]) if pfc and proto < 0x100 else struct.pack("!H", proto)
    return h + ip


def l2tp(payload, tid, sid, length=False, ns=None, nr=None, offset=None,
         ctl=False, ver=2):
    fl = ver | (0x8000 if ctl else 0) | (0x4000 if length else 0) \
        | (0x0800 if ns is not None else 0) | (0x0200 if offset is not None else 0)
    rest = struct.pack("!HH", tid, sid)
    if ns is not None:
        rest += struct.pack("!HH", ns, nr or 0)
    if offset is not None:
        rest += struct.pack("!H", offset) + b"\0" * offset
    n = 2 + (2 if length else 0) + len(rest) + len(payload)
    return struct.pack("!H", fl) + (struct.pack("!H", n) if length else b"") + rest + payload


def eth(payload, etype, src=b"\x02\0\0\0\0\x0a", dst=b"\x02\0\0\0\0\x0b", vlans=()):
    tags = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in vlans)
    return dst + src + tags + struct.pack("!H", etype) + payload


# ---- wrapping a frame of a sample ----

# Tunnel endpoints: A on the client's side, B on the server's.
A4, B4 = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2])
A6 = bytes.fromhex("20010db8ffff00000000000000000001")
B6 = bytes.fromhex("20010db8ffff00000000000000000002")
# A second pair for the middle tunnel of nested ones.
C6 = bytes.fromhex("fd00000000000000000000000000000c")
D6 = bytes.fromhex("fd00000000000000000000000000000d")


def split(frame):
    """An untagged Ethernet frame of a sample -> (ethertype, l3)."""
    return struct.unpack("!H", frame[12:14])[0], frame[14:]


def fam(l3):
    return l3[0] >> 4


def from_a(l3):
    """Which way the inner packet goes: the client side has the higher port
    (every sample's client port is above its mail port)."""
    if fam(l3) == 4:
        ihl = (l3[0] & 15) * 4
        sp, dp = struct.unpack("!HH", l3[ihl:ihl + 4])
    else:
        sp, dp = struct.unpack("!HH", l3[40:44])
    return sp > dp


def ends(l3, v6, inner=False):
    a, b = (C6, D6) if inner else ((A6, B6) if v6 else (A4, B4))
    return (a, b) if from_a(l3) else (b, a)


def over4(l3, proto, payload, ident=0):
    s, d = ends(l3, False)
    return eth(ipv4(s, d, proto, payload, ident), 0x0800)


def over6(l3, nh, payload, inner=False):
    s, d = ends(l3, True, inner)
    return ipv6(s, d, nh, payload)


def ipproto(l3):
    return 4 if fam(l3) == 4 else 41


def etype(l3):
    return 0x0800 if fam(l3) == 4 else 0x86dd


class Seq:
    """Per-direction counters (GRE sequence, L2TP Ns/Nr)."""

    def __init__(self):
        self.n = {True: 0, False: 0}

    def next(self, l3):
        d = from_a(l3)
        self.n[d] += 1
        return self.n[d] - 1


def w_ipip4(frame, st):
    _, l3 = split(frame)
    return over4(l3, ipproto(l3), l3)


def w_ipip6(frame, st):
    _, l3 = split(frame)
    return eth(over6(l3, 60, encap_limit(ipproto(l3)) + l3), 0x86dd)


def w_gre4(frame, st):
    _, l3 = split(frame)
    return over4(l3, 47, gre(etype(l3), l3))


def w_gre_keyseq(frame, st):
    _, l3 = split(frame)
    return over4(l3, 47, gre(etype(l3), l3, cks=True, key=0x2a, seq=st.next(l3)))


def w_gre6_keyseq(frame, st):
    _, l3 = split(frame)
    return eth(over6(l3, 47, gre(etype(l3), l3, cks=True, key=7, seq=st.next(l3))), 0x86dd)


def w_gretap_vlan(frame, st):
    et, l3 = split(frame)
    inner = eth(l3, et, frame[6:12], frame[0:6], vlans=((0x8100, 100),))
    return eth(over6(l3, 47, gre(0x6558, inner)), 0x86dd)


def w_erspan1(frame, st):
    _, l3 = split(frame)
    return over4(l3, 47, gre(0x88be, frame))


def w_erspan2(frame, st):
    _, l3 = split(frame)
    return over4(l3, 47, gre(0x88be, erspan2(frame), seq=st.next(l3)))


def w_erspan3(frame, st):
    _, l3 = split(frame)
    return over4(l3, 47, gre(0x22eb, erspan3(frame, ts=st.next(l3) * 1000), seq=st.next(l3)))


def w_erspan3_ip(frame, st):
    _, l3 = split(frame)
    return over4(l3, 47, gre(0x22eb, erspan3(l3, ft=2, sub=False), seq=st.next(l3)))


def w_vxlan4(frame, st):
    _, l3 = split(frame)
    s, d = ends(l3, False)
    return eth(ipv4(s, d, 17, udp(s, d, 49152 + len(l3) % 1000, 4789, vxlan(frame))), 0x0800)


def w_vxlan6_qinq(frame, st):
    et, l3 = split(frame)
    inner = eth(l3, et, frame[6:12], frame[0:6], vlans=((0x88a8, 7), (0x8100, 5)))
    s, d = ends(l3, True)
    return eth(ipv6(s, d, 17, udp(s, d, 50000, 4789, vxlan(inner))), 0x86dd)


def l2tp_ids(l3):
    # Each end puts the peer's tunnel and session ids in what it sends.
    return (2001, 3001) if from_a(l3) else (1001, 1002)


def w_l2tp(frame, st):
    _, l3 = split(frame)
    tid, sid = l2tp_ids(l3)
    s, d = ends(l3, False)
    return eth(ipv4(s, d, 17, udp(s, d, 1701, 1701, l2tp(ppp(l3), tid, sid))), 0x0800)


def w_l2tp_flags(frame, st):
    _, l3 = split(frame)
    tid, sid = l2tp_ids(l3)
    s, d = ends(l3, False)
    n = st.next(l3)
    msg = l2tp(ppp(l3, acfc=True, pfc=True), tid, sid, length=True, ns=n, nr=n, offset=3)
    # The server side answers from 1701 to the client's own port.
    sp, dp = (40001, 1701) if from_a(l3) else (1701, 40001)
    return eth(ipv4(s, d, 17, udp(s, d, sp, dp, msg)), 0x0800)


def w_nested(frame, st):
    """Inner frame (802.1Q) in VXLAN in UDP over IPv6, in GRE over IPv4."""
    et, l3 = split(frame)
    inner = eth(l3, et, frame[6:12], frame[0:6], vlans=((0x8100, 42),))
    s, d = ends(l3, True, inner=True)
    mid = ipv6(s, d, 17, udp(s, d, 51000, 4789, vxlan(inner, vni=77)))
    return over4(l3, 47, gre(0x86dd, mid, key=1))


def w_depth(levels):
    """IP in IP, levels tunnels deep (IPv4 outer headers)."""
    def w(frame, st):
        _, l3 = split(frame)
        s, d = ends(l3, False)
        p = l3
        for _ in range(levels - 1):
            p = ipv4(s, d, ipproto(p), p)
        return eth(ipv4(s, d, ipproto(p), p), 0x0800)
    return w


# Every wrap keeps the session's records unchanged: tests/link/run.py
# compares their JSON with the bare sample's.
WRAP = {
    "ipip4": w_ipip4,
    "ipip6": w_ipip6,
    "gre4": w_gre4,
    "gre-keyseq": w_gre_keyseq,
    "gre6-keyseq": w_gre6_keyseq,
    "gretap-vlan": w_gretap_vlan,
    "erspan1": w_erspan1,
    "erspan2": w_erspan2,
    "erspan3": w_erspan3,
    "erspan3-ip": w_erspan3_ip,
    "vxlan4": w_vxlan4,
    "vxlan6-qinq": w_vxlan6_qinq,
    "l2tp": w_l2tp,
    "l2tp-flags": w_l2tp_flags,
    "nested": w_nested,
    "depth4": w_depth(4),
}


def wrap_all(pkts, w):
    """Wrap every frame; the bytes cut by a snaplen stay cut."""
    st = Seq()
    out = []
    for sec, usec, frame, wire in pkts:
        new = w(frame, st)
        out.append((sec, usec, new, wire - len(frame) + len(new)))
    return out


# ---- the unsupported ones ----

def u_l2tpv3(frame, st):
    _, l3 = split(frame)
    # Session id, then a default L2-specific sublayer, then Ethernet.
    return over4(l3, 115, struct.pack("!II", 0x1234, 0) + frame)


def u_gpe(frame, st):
    _, l3 = split(frame)
    s, d = ends(l3, False)
    # VXLAN-GPE (I and P flags), next protocol 1 (IPv4).
    h = struct.pack("!BxxBI", 0x0c, 1, 4242 << 8)
    return eth(ipv4(s, d, 17, udp(s, d, 50001, 4790, h + l3)), 0x0800)


def u_geneve(frame, st):
    _, l3 = split(frame)
    s, d = ends(l3, False)
    h = struct.pack("!BBHI", 0, 0, 0x6558, 4242 << 8)
    return eth(ipv4(s, d, 17, udp(s, d, 50002, 6081, h + frame)), 0x0800)


def u_pptp(frame, st):
    _, l3 = split(frame)
    # Enhanced GRE (RFC 2637): version 1, key present (payload length and
    # call id), sequence number; PPP with IPv4 inside.
    p = ppp(l3)
    h = struct.pack("!HHHHI", 0x3001, 0x880b, len(p), 7, st.next(l3))
    return over4(l3, 47, h + p)


def u_mpls(frame, st):
    _, l3 = split(frame)
    # One MPLS label, bottom of stack, then IPv4.
    return over4(l3, 47, gre(0x8847, struct.pack("!I", 100 << 12 | 1 << 8 | 64) + l3))


def u_ipx(frame, st):
    _, l3 = split(frame)
    tid, sid = l2tp_ids(l3)
    s, d = ends(l3, False)
    return eth(ipv4(s, d, 17, udp(s, d, 1701, 1701, l2tp(ppp(l3, proto=0x002b), tid, sid))), 0x0800)


UNSUPPORTED = [
    ("l2tpv3-ip", u_l2tpv3),
    ("vxlan-gpe", u_gpe),
    ("geneve", u_geneve),
    ("pptp-gre", u_pptp),
    ("gre-mpls", u_mpls),
    ("l2tp-ipx", u_ipx),
    ("depth5", w_depth(5)),
]


# ---- samples ----

def l2tp_control(t, a_to_b, ns, nr, hello=True):
    """An L2TPv2 control message: a Hello (one Message Type AVP, 6) or a
    ZLB acknowledgement (no AVPs)."""
    tid = 2001 if a_to_b else 1001
    avp = struct.pack("!HHHH", 0x8008, 0, 0, 6) if hello else b""
    msg = struct.pack("!HHHHHH", 0xc802, 12 + len(avp), tid, 0, ns, nr) + avp
    s, d = (A4, B4) if a_to_b else (B4, A4)
    return eth(ipv4(s, d, 17, udp(s, d, 40001 if a_to_b else 1701,
                                  1701 if a_to_b else 40001, msg)), 0x0800)


def lcp_echo(a_to_b, ident):
    tid, sid = (2001, 3001) if a_to_b else (1001, 1002)
    lcp = struct.pack("!BBHI", 9 if a_to_b else 10, ident, 8, 0x12345678)
    msg = l2tp(ppp(lcp, acfc=True, pfc=True, proto=0xc021), tid, sid, length=True, ns=0, nr=0, offset=3)
    s, d = (A4, B4) if a_to_b else (B4, A4)
    return eth(ipv4(s, d, 17, udp(s, d, 40001 if a_to_b else 1701,
                                  1701 if a_to_b else 40001, msg)), 0x0800)


def after(pkt, usec, frame):
    sec, us = pkt[0], pkt[1] + usec
    return (sec + us // 1000000, us % 1000000, frame, None)


def main(out):
    here = os.path.dirname(os.path.abspath(__file__))
    src = os.path.dirname(here)
    _, v6 = read_pcap(os.path.join(src, "mixed-ipv6.pcap"))
    _, v4 = read_pcap(os.path.join(src, "smtp-auth-login.pcap"))
    made = {
        "tunnel-ip6ip6.pcap": wrap_all(v6, w_ipip6),
        "tunnel-ip4in6.pcap": wrap_all(v4, w_ipip6),
        "tunnel-gre-keyseq.pcap": wrap_all(v6, w_gre_keyseq),
        "tunnel-gretap-vlan.pcap": wrap_all(v4, w_gretap_vlan),
        "tunnel-erspan3.pcap": wrap_all(v4, w_erspan3),
        "tunnel-nested.pcap": wrap_all(v4, w_nested),
    }
    # L2TP: a Hello and its ZLB before the session, an LCP echo pair in
    # the middle, all between the recorded packets' times.
    l2 = wrap_all(v6, w_l2tp_flags)
    mid = len(l2) // 2
    l2 = ([after(l2[0], -2000, l2tp_control(0, True, 0, 0)),
           after(l2[0], -1000, l2tp_control(0, False, 0, 1, hello=False))]
          + l2[:mid]
          + [after(l2[mid - 1], 1, lcp_echo(True, 1)), after(l2[mid - 1], 2, lcp_echo(False, 1))]
          + l2[mid:])
    made["tunnel-l2tp-flags.pcap"] = l2
    # Unsupported: stream 1 of smtp-auth-login (client port > the first
    # stream's) in each, one after the other in time.
    sport0 = struct.unpack("!H", v4[0][2][34:36])[0]
    s1 = [p for p in v4 if sport0 not in struct.unpack("!HH", p[2][34:38])]
    un = []
    for i, (_, w) in enumerate(UNSUPPORTED):
        for sec, usec, frame, wire in wrap_all(s1, w):
            un.append((sec + 10 * i, usec, frame, wire))
    t = un[0]
    un.insert(0, after(t, -1000, l2tp_control(0, True, 0, 0)))
    un.insert(1, after(t, -500, eth(ipv4(A4, B4, 115, struct.pack("!IHHIHH", 0, 0xc803, 12, 1, 0, 0)), 0x0800)))
    made["tunnel-unsupported.pcap"] = un
    for name in sorted(made):
        write_pcap(os.path.join(out, name), made[name])
        print("wrote %s (%d packets)" % (os.path.join(out, name), len(made[name])))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
