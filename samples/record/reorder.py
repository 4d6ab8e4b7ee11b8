#!/usr/bin/env python3
"""Derive lab-pop3-telnet-reordered.pcap from lab-pop3-telnet.pcap (stdlib only).

Rewrites records of a classic pcap (Ethernet/IPv4/TCP, as tcpdump writes on lo):
  * SWAPS: for each index i in SWAP (0-based index among the client->server
    TCP segments carrying payload, i.e. the keystrokes), the record of
    keystroke i and the record of keystroke i+1 change places in the file.
    Each packet keeps its bytes; the two file slots keep their original
    timestamps (the timestamp stays with the slot, not with the packet), so
    the file's timestamps remain MONOTONIC.  Between the two keystrokes
    there is usually the server's pure ACK of the first; it stays where it is.
  * DUPLICATES: for each index in DUP_CLIENT (client payload segments) and
    DUP_SERVER (server->client payload segments), an identical copy of the
    record (same bytes: same seq/ack/IP id/checksums) is inserted right after
    it, with timestamp = original + 1 microsecond (kept monotonic; capped
    below the next record's timestamp).
Prints exactly what it changed.  Deterministic: same input -> same output.
usage: reorder.py IN.pcap OUT.pcap
"""
import struct
import sys

SWAP = [6, 30, 62]          # keystroke pairs (i, i+1) swapped
DUP_CLIENT = [12, 75]       # keystrokes retransmitted once (identical copy)
DUP_SERVER = [5, 7]         # server replies retransmitted once


def read_pcap(path):
    d = open(path, "rb").read()
    magic = d[:4]
    if magic == b"\xd4\xc3\xb2\xa1":
        e, nano = "<", False
    elif magic == b"\xa1\xb2\xc3\xd4":
        e, nano = ">", False
    elif magic == b"\x4d\x3c\xb2\xa1":
        e, nano = "<", True
    elif magic == b"\xa1\xb2\x3c\x4d":
        e, nano = ">", True
    else:
        sys.exit("not a classic pcap")
    linktype = struct.unpack(e + "I", d[20:24])[0]
    if linktype != 1:
        sys.exit("expects LINKTYPE_ETHERNET (tcpdump -i lo)")
    recs, off = [], 24
    while off + 16 <= len(d):
        ts, tf, incl, orig = struct.unpack(e + "IIII", d[off:off + 16])
        recs.append([ts, tf, orig, d[off + 16:off + 16 + incl]])
        off += 16 + incl
    return d[:24], e, nano, recs


def tcp_info(frame):
    """-> (sport, dport, seq, payload) or None"""
    if len(frame) < 14 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6:
        return None
    tot = struct.unpack(">H", ip[2:4])[0]
    tcp = ip[ihl:tot]
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    doff = (tcp[12] >> 4) * 4
    return sport, dport, seq, tcp[doff:]


def main(inp, outp):
    hdr, e, nano, recs = read_pcap(inp)
    unit = 10**9 if nano else 10**6
    client, server = [], []
    for n, r in enumerate(recs):
        t = tcp_info(r[3])
        if t and t[3]:
            (client if t[1] == 110 else server).append(n)

    def show(n):
        t = tcp_info(recs[n][3])
        return f"frame {n + 1} seq={t[2]} payload={t[3]!r}"

    log = []
    order = list(range(len(recs)))   # order[slot] = original record index
    for i in SWAP:
        a, b = client[i], client[i + 1]
        log.append(f"swap keystrokes #{i} and #{i + 1}: {show(a)}  <->  {show(b)}")
        order[a], order[b] = order[b], order[a]
    dups = {client[i]: f"client keystroke #{i}" for i in DUP_CLIENT}
    dups.update({server[i]: f"server segment #{i}" for i in DUP_SERVER})
    out = []
    for slot, src in enumerate(order):
        ts, tf = recs[slot][0], recs[slot][1]      # timestamp stays with the slot
        out.append((ts, tf, recs[src][2], recs[src][3]))
        if src in dups:
            t = ts * unit + tf
            nxt = recs[slot + 1][0] * unit + recs[slot + 1][1] if slot + 1 < len(recs) else t + 2 * unit
            step = unit // 10**6                     # 1 microsecond
            t2 = min(t + step, max(t, nxt - 1))
            out.append((t2 // unit, t2 % unit, recs[src][2], recs[src][3]))
            log.append(f"duplicate {dups[src]}: {show(src)} (copy inserted after it)")
    with open(outp, "wb") as f:
        f.write(hdr)
        for ts, tf, orig, data in out:
            f.write(struct.pack(e + "IIII", ts, tf, len(data), orig) + data)
    print(f"{inp}: {len(recs)} records -> {outp}: {len(out)} records")
    print("\n".join(log))


if __name__ == "__main__":
    main(*sys.argv[1:3])
