#!/usr/bin/env python3
"""mkpcap.py - write a tiny SMTP capture whose server lines carry terminal
escape sequences (OSC title change, CSI colour and clear, BEL), for the
TUI escaping test. Usage: mkpcap.py OUT.pcap"""
import struct
import sys

CLI = (bytes([10, 0, 0, 1]), 40000)
SRV = (bytes([10, 0, 0, 2]), 25)


def ip_csum(h):
    s = 0
    for i in range(0, len(h), 2):
        s += (h[i] << 8) | h[i + 1]
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(src, dst, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq, ack, 5 << 4, flags,
                      65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64,
                     6, 0, src[0], dst[0])
    ip = ip[:10] + struct.pack("!H", ip_csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


def main():
    evil = b"220 \x1b]0;pwned\x07\x1b[31mevil banner\x1b[0m\r\n"
    lines = [
        ("S", evil),
        ("C", b"EHLO x\x1b[2J\r\n"),
        ("S", b"250 ok \x1b[?1049l\x9b31m done\r\n"),
        ("C", b"QUIT\r\n"),
        ("S", b"221 bye\x07\r\n"),
    ]
    seq = {"C": 1000, "S": 5000}
    pkts = [frame(CLI, SRV, 999, 0, 0x02),
            frame(SRV, CLI, 4999, 1000, 0x12),
            frame(CLI, SRV, 1000, 5000, 0x10)]
    for who, data in lines:
        if who == "C":
            pkts.append(frame(CLI, SRV, seq["C"], seq["S"], 0x18, data))
        else:
            pkts.append(frame(SRV, CLI, seq["S"], seq["C"], 0x18, data))
        seq[who] += len(data)
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)))
            f.write(p)


if __name__ == "__main__":
    main()
