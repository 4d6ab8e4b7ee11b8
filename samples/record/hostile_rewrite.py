#!/usr/bin/env python3
"""Derive two hostile captures from a real AUTH LOGIN recording (stdlib only).

The input is what `hostile_clients.py auth-login-base` produces against
Postfix on 587, captured on lo (Ethernet/IPv4/TCP, classic pcap): two
connections, each EHLO, AUTH LOGIN, 334 VXNlcm5hbWU6, username,
334 UGFzc3dvcmQ6, password, 535 (stream 0) / 235 (stream 1), QUIT.

  drop-334-username IN OUT
      Deletes every server segment whose payload is exactly
      "334 VXNlcm5hbWU6\\r\\n" (the "Username:" prompt).  Nothing else
      changes: the client's later ACKs still acknowledge those bytes, so
      the server stream has a 18-byte hole that nothing fills.
  swap-login IN OUT
      Moves records, never changes their bytes (seq/ack/checksums stay).
      Per stream, the four records s1 = 334 Username prompt, c1 = username,
      s2 = 334 Password prompt, c2 = password occupy four file slots in the
      order s1 c1 s2 c2.  Stream 0 gets s1 c2 s2 c1 (the client's two
      segments swapped); stream 1 gets c2 c1 s1 s2 (swapped, and both
      prompts delayed after both client segments).  Each slot keeps its
      timestamp, so the file stays monotonic.  Pure ACKs stay in place.
Prints what it changed.  Deterministic: same input -> same output.
"""
import struct
import sys

USER_PROMPT = b"334 VXNlcm5hbWU6\r\n"
PASS_PROMPT = b"334 UGFzc3dvcmQ6\r\n"


def read_pcap(path):
    d = open(path, "rb").read()
    if d[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        sys.exit("expects a little-endian classic pcap (tcpdump on x86)")
    if struct.unpack("<I", d[20:24])[0] != 1:
        sys.exit("expects LINKTYPE_ETHERNET (tcpdump -i lo)")
    recs, off = [], 24
    while off + 16 <= len(d):
        ts, tf, incl, orig = struct.unpack("<IIII", d[off:off + 16])
        recs.append([ts, tf, orig, d[off + 16:off + 16 + incl]])
        off += 16 + incl
    return d[:24], recs


def tcp_info(frame):
    """-> (sport, dport, seq, payload) or None"""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    tot = struct.unpack(">H", ip[2:4])[0]
    tcp = ip[ihl:tot]
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    return sport, dport, seq, tcp[(tcp[12] >> 4) * 4:]


def show(recs, n):
    t = tcp_info(recs[n][3])
    return "frame %d %d->%d seq=%d %r" % (n + 1, t[0], t[1], t[2], t[3])


def write(path, hdr, recs):
    with open(path, "wb") as f:
        f.write(hdr)
        for ts, tf, orig, data in recs:
            f.write(struct.pack("<IIII", ts, tf, len(data), orig) + data)


def drop_334(inp, outp):
    hdr, recs = read_pcap(inp)
    out = []
    for n, r in enumerate(recs):
        t = tcp_info(r[3])
        if t and t[3] == USER_PROMPT:
            print("dropped " + show(recs, n))
            continue
        out.append(r)
    write(outp, hdr, out)
    print("%s: %d records -> %s: %d records" % (inp, len(recs), outp, len(out)))


def swap_login(inp, outp):
    hdr, recs = read_pcap(inp)
    streams = {}            # client port -> list of (index, side, payload)
    order = []
    for n, r in enumerate(recs):
        t = tcp_info(r[3])
        if not t or not t[3]:
            continue
        cport = t[0] if t[1] == 587 else t[1]
        if cport not in streams:
            streams[cport] = []
            order.append(cport)
        streams[cport].append((n, "c" if t[1] == 587 else "s", t[3]))
    perm = list(range(len(recs)))      # perm[slot] = original record index
    for k, cport in enumerate(order):
        segs = streams[cport]
        i = next(j for j, s in enumerate(segs) if s[1] == "c" and s[2] == b"AUTH LOGIN\r\n")
        s1, c1, s2, c2 = segs[i + 1:i + 5]
        assert s1[1] == "s" and s1[2] == USER_PROMPT and c1[1] == "c"
        assert s2[1] == "s" and s2[2] == PASS_PROMPT and c2[1] == "c", segs[i + 1:i + 5]
        slots = [s1[0], c1[0], s2[0], c2[0]]
        new = [s1[0], c2[0], s2[0], c1[0]] if k == 0 else [c2[0], c1[0], s1[0], s2[0]]
        for slot, src in zip(slots, new):
            perm[slot] = src
        print("stream %d (client port %d): slots %s now hold:" % (k, cport, [x + 1 for x in slots]))
        for src in new:
            print("   " + show(recs, src))
    out = [[recs[slot][0], recs[slot][1], recs[src][2], recs[src][3]]
           for slot, src in enumerate(perm)]
    write(outp, hdr, out)
    print("%s: %d records -> %s: %d records" % (inp, len(recs), outp, len(out)))


if __name__ == "__main__":
    op, inp, outp = sys.argv[1:4]
    {"drop-334-username": drop_334, "swap-login": swap_login}[op](inp, outp)
