#!/usr/bin/env python3
"""bench/tls-gen.py - a capture of real TLS 1.3 SMTP (STARTTLS on 587)
sessions and the client's NSS key log, for the TLS decryption benchmark.

    bench/tls-gen.py OUT.pcap KEYS.log SIZE_MB [-n SESSIONS] [-s SEED]

Python 3 standard library only, plus the openssl command for a throwaway
self-signed certificate. Client and server are ssl.SSLContext objects
talking through ssl.MemoryBIO pairs: no sockets, no servers, no root. The
bytes each side writes become TCP segments (<= 1448 bytes of payload,
correct seq/ack, Ethernet + IPv4 + TCP, classic pcap, microsecond stamps);
each side reads everything the other wrote, so both TLS states (session
tickets, close_notify) stay consistent.

Each session, one after the other: SYN/SYN-ACK/ACK, in clear the 220
greeting, EHLO, a multi-line 250 offering STARTTLS, STARTTLS, 220 Ready;
the TLS 1.3 handshake; inside TLS EHLO, AUTH PLAIN userN/secretN (235),
MAIL FROM, RCPT TO, DATA, 354, one large MIME message (a text part with
some dot-stuffed lines, then a base64 attachment; lines <= 78 characters,
CRLF), ".", 250 queued, QUIT, 221; close_notify both ways; FIN both ways.
The SIZE_MB budget is split evenly between the sessions (10 by default).

The seed fixes the clear text (addresses, ports, users, bodies); the TLS
bytes differ from run to run because OpenSSL draws its own randomness, so
the key log only fits the capture written with it.
"""

import argparse
import base64
import os
import random
import ssl
import struct
import subprocess
import sys
import tempfile

MSS = 1448
SERVER_IP = bytes([10, 0, 0, 25])
SERVER_PORT = 587
HOST = "mail.example.test"

WORDS = (
    "the quarterly report attached below covers revenue costs and the "
    "forecast for next year please review the figures before our meeting "
    "on thursday and send any comments to the finance team we expect the "
    "numbers to change slightly once the audit is complete thanks again "
    "for your help with the migration of the mail servers last week the "
    "new cluster is running well and the backlog has been cleared"
).split()


def csum_fold(total):
    """One's complement sum of 16-bit words, from their big-endian value:
    2**16 == 1 (mod 0xffff), so the sum of the words is the number mod
    0xffff (a non-zero multiple of 0xffff sums to 0xffff, not 0)."""
    r = total % 0xFFFF
    if r == 0 and total != 0:
        r = 0xFFFF
    return (~r) & 0xFFFF


def checksum(data):
    if len(data) & 1:
        data += b"\0"
    return csum_fold(int.from_bytes(data, "big"))


class Pcap:
    """Classic pcap writer (microsecond stamps, Ethernet)."""

    def __init__(self, path, t0):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.usec = t0 * 1000000
        self.packets = 0

    def tick(self, us):
        self.usec += us

    def write(self, frame):
        sec, usec = divmod(self.usec, 1000000)
        n = len(frame)
        self.f.write(struct.pack("<IIII", sec, usec, n, n) + frame)
        self.packets += 1
        self.usec += 7

    def close(self):
        self.f.close()


class Conn:
    """One TCP connection: headers, sequence numbers, segmentation."""

    def __init__(self, pcap, rng, cip, cport):
        self.pcap = pcap
        self.ip = {0: cip, 1: SERVER_IP}
        self.port = {0: cport, 1: SERVER_PORT}
        cmac = bytes([0x02, 0, 0, 0, 0, cip[3]])
        smac = bytes([0x02, 0, 0, 0, 0, 0x19])
        self.eth = {0: smac + cmac + b"\x08\x00", 1: cmac + smac + b"\x08\x00"}
        self.seq = {0: rng.getrandbits(32), 1: rng.getrandbits(32)}
        self.ipid = {0: rng.getrandbits(16), 1: rng.getrandbits(16)}
        self.unacked = {0: 0, 1: 0}     # data segments the peer owes an ACK
        self.pending = {0: b"", 1: b""}  # bytes not yet cut into segments
        # start of the TCP pseudo header (source, destination, zero,
        # protocol) as one number, for the checksum
        self.pseudo = {d: int.from_bytes(self.ip[d] + self.ip[1 - d] + b"\0\x06",
                                         "big") for d in (0, 1)}

    def segment(self, d, flags, payload=b"", opts=b""):
        """d: 0 = client to server, 1 = server to client."""
        src, dst = self.ip[d], self.ip[1 - d]
        hl = 20 + len(opts)
        ack = self.seq[1 - d] if flags & 0x10 else 0
        tcp = struct.pack("!HHIIBBHHH", self.port[d], self.port[1 - d],
                          self.seq[d], ack, (hl // 4) << 4, flags, 65535, 0,
                          0) + opts
        seglen = hl + len(payload)
        body = tcp + payload
        if len(body) & 1:
            body += b"\0"
        # pseudo header: src, dst, zero, proto, TCP length
        total = (self.pseudo[d] << 16 | seglen) << (8 * len(body)) \
            | int.from_bytes(body, "big")
        c = csum_fold(total)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + seglen, self.ipid[d],
                         0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        self.ipid[d] = (self.ipid[d] + 1) & 0xFFFF
        self.pcap.write(self.eth[d] + ip + tcp + payload)
        self.seq[d] = (self.seq[d] + len(payload)
                       + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF

    def handshake(self):
        mss = struct.pack("!BBH", 2, 4, 1460)
        self.segment(0, 0x02, opts=mss)          # SYN
        self.pcap.tick(180)
        self.segment(1, 0x12, opts=mss)          # SYN-ACK
        self.pcap.tick(150)
        self.segment(0, 0x10)                    # ACK

    def send(self, d, data, flush=True):
        """Queue bytes from side d; cut full segments, and the rest too
        when flush (the side waits for an answer). The peer ACKs every
        second segment, as a delayed-ACK receiver does."""
        buf = self.pending[d] + data
        off = 0
        n = len(buf)
        while n - off >= MSS or (flush and off < n):
            chunk = buf[off:off + MSS]
            off += len(chunk)
            self.segment(d, 0x18 if (flush and off == n) else 0x10, chunk)
            self.unacked[d] += 1
            if self.unacked[d] >= 2:
                self.pcap.tick(12)
                self.segment(1 - d, 0x10)
                self.unacked[d] = 0
        self.pending[d] = buf[off:]

    def turn(self, d):
        """Side d speaks next: its first segment acknowledges what the
        peer sent, so the peer's count of unacknowledged segments restarts;
        the gap is the peer's think time plus a round trip."""
        self.unacked[1 - d] = 0
        self.pcap.tick(240)

    def close(self):
        self.pcap.tick(200)
        self.segment(0, 0x11)                    # FIN from the client
        self.pcap.tick(150)
        self.segment(1, 0x11)                    # FIN from the server
        self.pcap.tick(120)
        self.segment(0, 0x10)


def make_cert(tmp):
    key = os.path.join(tmp, "key.pem")
    crt = os.path.join(tmp, "crt.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=" + HOST],
                   check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return crt, key


def text_lines(rng, n):
    """Prose lines <= 72 characters; about 1 in 40 starts with '.'."""
    out = []
    for _ in range(n):
        words = []
        length = 0
        target = rng.randint(30, 72)
        while True:
            w = rng.choice(WORDS)
            if length + len(w) + 1 > target:
                break
            words.append(w)
            length += len(w) + 1
        line = " ".join(words)
        if rng.random() < 0.025:
            line = "." + line if rng.random() < 0.7 else ".."
        out.append(line)
    return out


def dot_stuff(lines, stats):
    """RFC 5321 4.5.2: a line starting with '.' gets one more."""
    stuffed = sum(1 for l in lines if l.startswith("."))
    stats["stuffed"] += stuffed
    return "".join(("." + l if l.startswith(".") else l) + "\r\n"
                   for l in lines).encode()


class Session:
    def __init__(self, pcap, rng, cctx, sctx, idx, body_bytes):
        self.pcap = pcap
        self.rng = rng
        self.idx = idx
        self.body_bytes = body_bytes
        cip = bytes([10, 0, 0, 100 + idx % 100])
        self.conn = Conn(pcap, rng, cip, rng.randint(32768, 60999))
        self.cctx, self.sctx = cctx, sctx
        self.stats = {"data": 0, "stuffed": 0}

    # --- clear text ---------------------------------------------------
    def clear(self, d, text):
        self.conn.turn(d)
        self.conn.send(d, text.encode())

    # --- inside TLS ---------------------------------------------------
    def pump(self, d, flush=True):
        """Move what side d's TLS object wrote onto the wire and into the
        peer's incoming BIO; the peer reads it all."""
        out = self.out[d].read()
        if out:
            self.conn.send(d, out, flush)
            self.inc[1 - d].write(out)
        got = b""
        peer = self.tls[1 - d]
        while True:
            try:
                chunk = peer.read(1 << 17)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                break
            except ssl.SSLZeroReturnError:
                break
            if not chunk:
                break
            got += chunk
        return got

    def say(self, d, text):
        self.conn.turn(d)
        data = text.encode() if isinstance(text, str) else text
        self.tls[d].write(data)
        got = self.pump(d)
        if got != data:
            raise RuntimeError("session %d: peer read %r, expected %r"
                               % (self.idx, got[:80], data[:80]))

    def tls_handshake(self):
        done = [False, False]
        d = 0
        for _ in range(10):
            try:
                self.tls[d].do_handshake()
                done[d] = True
            except ssl.SSLWantReadError:
                pass
            out = self.out[d].read()
            if out:
                self.conn.turn(d)
                self.conn.send(d, out)
                self.inc[1 - d].write(out)
            if all(done) and not self.out[0].pending \
                    and not self.out[1].pending:
                return
            d = 1 - d
        raise RuntimeError("session %d: handshake did not finish" % self.idx)

    def message(self, user):
        rng = self.rng
        boundary = "=_mix_%016x" % rng.getrandbits(64)
        hdr = (
            "Received: from client%d.example.test (client%d.example.test "
            "[10.0.0.%d])\r\n\tby %s (Postfix) with ESMTPSA id %08X\r\n"
            "\tfor <archive@example.test>; Thu, 15 Jan 2026 10:%02d:00 +0000\r\n"
            "From: User %d <%s@example.test>\r\n"
            "To: Archive <archive@example.test>\r\n"
            "Subject: Quarterly figures, part %d\r\n"
            "Date: Thu, 15 Jan 2026 10:%02d:00 +0000\r\n"
            "Message-ID: <tls-bench.%d.%08x@example.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"%s\"\r\n"
            "\r\n"
            "This is a multi-part message in MIME format.\r\n"
            "\r\n--%s\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "Content-Transfer-Encoding: 7bit\r\n\r\n"
            % (self.idx, self.idx, 100 + self.idx, HOST, rng.getrandbits(32),
               self.idx % 60, self.idx, user, self.idx, self.idx % 60,
               self.idx, rng.getrandbits(32), boundary, boundary)).encode()
        yield hdr
        yield dot_stuff(text_lines(rng, 300), self.stats)
        yield ("\r\n--%s\r\nContent-Type: application/octet-stream; "
               "name=\"figures-%d.bin\"\r\nContent-Transfer-Encoding: base64\r\n"
               "Content-Disposition: attachment; filename=\"figures-%d.bin\""
               "\r\n\r\n" % (boundary, self.idx, self.idx)).encode()
        left = self.body_bytes - 30000
        # base64 of random bytes, 76 characters a line (+ CRLF = 78)
        per_line = 78
        while left > 0:
            lines = max(1, min(left // per_line, 8192))
            raw = rng.randbytes(57 * lines)
            yield base64.encodebytes(raw).replace(b"\n", b"\r\n")
            left -= lines * per_line
        yield ("\r\n--%s--\r\n" % boundary).encode()
        yield dot_stuff(text_lines(rng, 3), self.stats)

    def run(self):
        conn = self.conn
        rng = self.rng
        user = "user%d" % (self.idx + 1)
        secret = "secret%d" % (self.idx + 1)
        conn.handshake()
        self.clear(1, "220 %s ESMTP Postfix\r\n" % HOST)
        self.clear(0, "EHLO client%d.example.test\r\n" % self.idx)
        self.clear(1, "250-%s\r\n250-PIPELINING\r\n250-SIZE 1073741824\r\n"
                   "250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n"
                   "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
                   "250-DSN\r\n250 SMTPUTF8\r\n" % HOST)
        self.clear(0, "STARTTLS\r\n")
        self.clear(1, "220 2.0.0 Ready to start TLS\r\n")

        self.inc = {0: ssl.MemoryBIO(), 1: ssl.MemoryBIO()}
        self.out = {0: ssl.MemoryBIO(), 1: ssl.MemoryBIO()}
        self.tls = {
            0: self.cctx.wrap_bio(self.inc[0], self.out[0],
                                  server_hostname=HOST),
            1: self.sctx.wrap_bio(self.inc[1], self.out[1], server_side=True),
        }
        self.tls_handshake()
        self.say(0, "EHLO client%d.example.test\r\n" % self.idx)
        self.say(1, "250-%s\r\n250-PIPELINING\r\n250-SIZE 1073741824\r\n"
                 "250-VRFY\r\n250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n"
                 "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
                 "250 SMTPUTF8\r\n" % HOST)
        ir = base64.b64encode(b"\0" + user.encode() + b"\0"
                              + secret.encode()).decode()
        self.say(0, "AUTH PLAIN %s\r\n" % ir)
        self.say(1, "235 2.7.0 Authentication successful\r\n")
        self.say(0, "MAIL FROM:<%s@example.test>\r\n" % user)
        self.say(1, "250 2.1.0 Ok\r\n")
        self.say(0, "RCPT TO:<archive@example.test>\r\n")
        self.say(1, "250 2.1.5 Ok\r\n")
        self.say(0, "DATA\r\n")
        self.say(1, "354 End data with <CR><LF>.<CR><LF>\r\n")

        # the message: written in 16 KB pieces as a buffered client does;
        # each write is one TLS record, the wire cuts them at the MSS
        conn.turn(0)
        c = self.tls[0]
        buf = b""
        sent = 0
        piece = 16384
        for part in self.message(user):
            buf += part
            while len(buf) >= piece:
                c.write(buf[:piece])
                buf = buf[piece:]
                sent += piece
                self.drain_body(flush=False)
        buf += b".\r\n"
        sent += len(buf) - 3
        c.write(buf)
        self.drain_body(flush=True)
        self.stats["data"] = sent

        self.say(1, "250 2.0.0 Ok: queued as %010X\r\n" % rng.getrandbits(40))
        self.say(0, "QUIT\r\n")
        self.say(1, "221 2.0.0 Bye\r\n")

        # close_notify: the client's, then the server's answer
        conn.turn(0)
        try:
            self.tls[0].unwrap()
        except ssl.SSLWantReadError:
            pass
        self.pump(0)
        conn.turn(1)
        try:
            self.tls[1].unwrap()
        except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
            pass
        self.pump(1)
        conn.close()

    def drain_body(self, flush):
        out = self.out[0].read()
        if not out:
            return
        self.conn.send(0, out, flush)
        self.inc[1].write(out)
        s = self.tls[1]
        while True:
            try:
                if not s.read(1 << 17):
                    break
            except ssl.SSLWantReadError:
                break


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("keys")
    ap.add_argument("size_mb", type=float)
    ap.add_argument("-n", "--sessions", type=int, default=10)
    ap.add_argument("-s", "--seed", type=int, default=1)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.sessions < 1 or a.size_mb <= 0:
        ap.error("SIZE_MB and --sessions must be positive")

    rng = random.Random(a.seed)
    # the wire adds ~7.4 % to the message bytes: Ethernet, IP and TCP
    # headers, an ACK every second segment, TLS record overhead
    body_bytes = max(40000, int(a.size_mb * 1e6 / 1.074 / a.sessions))

    if os.path.exists(a.keys):
        os.unlink(a.keys)       # OpenSSL appends to a key log
    with tempfile.TemporaryDirectory(prefix="tls-gen.") as tmp:
        crt, key = make_cert(tmp)
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.minimum_version = ssl.TLSVersion.TLSv1_3
        sctx.maximum_version = ssl.TLSVersion.TLSv1_3
        sctx.load_cert_chain(crt, key)
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.minimum_version = ssl.TLSVersion.TLSv1_3
    cctx.maximum_version = ssl.TLSVersion.TLSv1_3
    cctx.check_hostname = False
    cctx.verify_mode = ssl.CERT_NONE
    cctx.keylog_filename = a.keys

    pcap = Pcap(a.pcap, 1768471200 + a.seed)     # 2026-01-15 10:00 UTC
    total = 0
    for i in range(a.sessions):
        s = Session(pcap, rng, cctx, sctx, i, body_bytes)
        s.run()
        total += s.stats["data"]
        if a.verbose:
            print("session %d: %s:%d, %s %s, AUTH PLAIN user%d/secret%d, "
                  "DATA %d bytes on the wire, %d after un-stuffing "
                  "(%d lines)" % (i, ".".join(map(str, s.conn.ip[0])),
                                s.conn.port[0], s.tls[0].version(),
                                s.tls[0].cipher()[0], i + 1, i + 1,
                                s.stats["data"],
                                s.stats["data"] - s.stats["stuffed"],
                                s.stats["stuffed"]), file=sys.stderr)
        pcap.tick(50000)
    pcap.close()
    if a.verbose:
        print("%d sessions, %d packets, %d message bytes, %d bytes"
              % (a.sessions, pcap.packets, total, os.path.getsize(a.pcap)),
              file=sys.stderr)


if __name__ == "__main__":
    main()
