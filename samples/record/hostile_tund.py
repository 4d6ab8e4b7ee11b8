#!/usr/bin/env python3
"""User-space tunnel endpoint for the mailsift hostile samples (stdlib only).

The kernel this project records on has no gre/ipip/sit/geneve/erspan/l2tp
drivers (only vxlan and veth: `ip link add ... type gre` answers "Unknown
device type"), so these encapsulations are done here, in user space, the
way a VPN daemon does it: the overlay is a real TUN (IP) or TAP (Ethernet)
device, the TCP session inside is the kernel's own talking to a real
server, and the outer packets are sent by the kernel through raw IP or UDP
sockets on a real underlay interface (a veth pair between two network
namespaces).  Only the encapsulation header is written by this script.

usage: hostile_tund.py MODE DEV LOCAL REMOTE

  MODE    gre          GRE (RFC 2784), protocol 0x0800 / 0x86DD, on a TUN
          gre-unknown  GRE with protocol type 0x88B5 (IEEE local
                       experimental ethertype) carrying IPv4, on a TUN
          ipip         IPv4 in IPv4 (IP protocol 4), on a TUN
          sit          IPv6 in IPv4, 6in4 (IP protocol 41), on a TUN
          l2tp         L2TPv2 data messages (RFC 2661, UDP 1701) carrying
                       PPP (address 0xff, control 0x03, protocol 0x0021/0x0057),
                       on a TUN; no control connection, no LCP/IPCP
          erspan       ERSPAN type II (GRE 0x88BE with sequence numbers,
                       8-byte ERSPAN header, session 100) carrying
                       Ethernet frames, on a TAP
          geneve       Geneve (RFC 8926, UDP 6081, VNI 4242, protocol
                       0x6558) carrying Ethernet frames, on a TAP
  DEV     existing tun/tap device name (ip tuntap add ... mode tun|tap)
  LOCAL   underlay IPv4 address of this end
  REMOTE  underlay IPv4 address of the other end

Runs until killed (SIGTERM).  Writes "ready" on stdout when attached.
"""
import fcntl
import os
import select
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_TAP, IFF_NO_PI = 0x0001, 0x0002, 0x1000

# L2TPv2 tunnel/session ids: each end puts the PEER's ids in what it sends.
# The end with the higher underlay address plays the LNS (server side).
L2TP_IDS = {"lns": (2001, 3001), "lac": (1001, 1002)}
ERSPAN_SESSION = 100
GENEVE_VNI = 4242


def open_dev(name, tap):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    flags = (IFF_TAP if tap else IFF_TUN) | IFF_NO_PI
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), flags))
    return fd


def main():
    mode, dev, local, remote = sys.argv[1:5]
    tap = mode in ("erspan", "geneve")
    fd = open_dev(dev, tap)
    udp_port = {"l2tp": 1701, "geneve": 6081}.get(mode)
    if udp_port:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # both ends send from the well-known port (L2TP does; Geneve would
        # use a flow hash as source port, one fixed port is simpler)
        s.bind((local, udp_port))
    else:
        proto = {"gre": 47, "gre-unknown": 47, "erspan": 47, "ipip": 4, "sit": 41}[mode]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, proto)
    role = "lns" if socket.inet_aton(local) > socket.inet_aton(remote) else "lac"
    peer = "lac" if role == "lns" else "lns"
    seq = [0]

    def encap(pkt):
        if mode == "gre":
            et = 0x86DD if pkt[0] >> 4 == 6 else 0x0800
            return struct.pack("!HH", 0, et) + pkt
        if mode == "gre-unknown":
            return struct.pack("!HH", 0, 0x88B5) + pkt
        if mode in ("ipip", "sit"):
            return pkt
        if mode == "l2tp":
            tid, sid = L2TP_IDS[peer]
            pp = 0x0057 if pkt[0] >> 4 == 6 else 0x0021
            return struct.pack("!HHH", 0x0002, tid, sid) + struct.pack("!BBH", 0xFF, 0x03, pp) + pkt
        if mode == "erspan":
            h = struct.pack("!HHI", 0x1000, 0x88BE, seq[0])
            seq[0] += 1
            # ver 1 (type II), VLAN 0 | COS 0, En 0, T 0, session | reserved 0, index 0
            return h + struct.pack("!HHI", 0x1000, ERSPAN_SESSION, 0) + pkt
        if mode == "geneve":
            return struct.pack("!BBHI", 0, 0, 0x6558, GENEVE_VNI << 8) + pkt
        raise SystemExit("bad mode " + mode)

    def decap(d):
        if mode == "gre" or mode == "gre-unknown":
            return d[4:]
        if mode in ("ipip", "sit"):
            return d
        if mode == "l2tp":
            return d[10:]
        if mode == "erspan":
            return d[16:]
        if mode == "geneve":
            return d[8:]

    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([fd, s], [], [])
        if fd in r:
            pkt = os.read(fd, 65535)
            s.sendto(encap(pkt), (remote, udp_port or 0))
        if s in r:
            d, addr = s.recvfrom(65535)
            if addr[0] != remote:
                continue
            if not udp_port:          # raw IPv4 socket: strip the outer header
                d = d[(d[0] & 15) * 4:]
            inner = decap(d)
            if inner:
                os.write(fd, inner)


if __name__ == "__main__":
    main()
