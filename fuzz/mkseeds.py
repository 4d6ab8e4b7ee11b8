#!/usr/bin/env python3
"""mkseeds.py - regenerate the seed corpora in fuzz/corpus/ (stdlib only,
plus tshark and editcap to read the sample captures).

    python3 fuzz/mkseeds.py [SAMPLES_DIR ...]

Default sample dirs: samples/ and tests/data/corpus/. Seeds are small:
each pipeline seed is a sample cut at a packet boundary below 16 KiB,
each smtp/pop3 seed one TCP stream's payload in the fuzz_lines.h format,
each ip seed (fuzz_ip.c's format) the frames of a tunnel or malformed-IP
sample (samples/tunnel-*, samples/hostile/h-tunnel-*, h-ip*) or of one
bad.py malformed/unsupported set, cut below 16 KiB.

    python3 fuzz/mkseeds.py --ip     only the ip seeds
"""
import hashlib
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
PIPE_MAX = 16 * 1024
LINES_MAX = 8 * 1024

MARK_DIR, MARK_SEG, MARK_FIN = b"\x01", b"\x02", b"\x03"
SMTP_PORTS = {25, 587, 2525}
POP_PORTS = {110}


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def cut_pcap(data, limit):
    """A classic pcap cut after the last whole record below limit."""
    off = 24
    end = 24
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        nxt = off + 16 + incl
        if nxt > len(data) or nxt > limit:
            break
        end = off = nxt
    return data[:end]


def cut_pcapng(path, limit):
    """Cut with editcap, keeping the first N packets that fit."""
    tmp = "/tmp/mkseeds.pcapng"
    n = 64
    while n >= 1:
        subprocess.run(["editcap", "-F", "pcapng", "-r", path, tmp, "1-%d" % n],
                       check=True, capture_output=True)
        with open(tmp, "rb") as f:
            data = f.read()
        if len(data) <= limit:
            return data
        n //= 2
    return data[:limit]


def pipeline(paths):
    for p in paths:
        base = os.path.basename(p)
        with open(p, "rb") as f:
            data = f.read()
        if base.endswith(".pcapng"):
            seed = cut_pcapng(p, PIPE_MAX)
        else:
            seed = cut_pcap(data, PIPE_MAX)
        if len(seed) > 24:
            put("pipeline", base, seed)


def streams(path):
    """Per TCP stream: list of (server_side, payload) in capture order."""
    out = subprocess.run(
        ["tshark", "-r", path, "-Y", "tcp.len > 0", "-T", "fields",
         "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.dstport",
         "-e", "tcp.payload"],
        check=True, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 4 or not f[3]:
            continue
        sid, sp, dp = int(f[0]), int(f[1]), int(f[2])
        res.setdefault(sid, []).append((sp, dp, bytes.fromhex(f[3].replace(":", ""))))
    return res


def transcript(segs, port):
    """fuzz_lines.h format: the server speaks first."""
    out = bytearray()
    cur = 1     # server
    first = True
    for sp, dp, data in segs:
        side = 1 if sp == port else 0
        if side != cur:
            out += MARK_DIR
            cur = side
        elif not first:
            out += MARK_SEG
        first = False
        # Marker bytes inside payload would split it; keep them out.
        out += bytes(b if b > 3 else 0x20 for b in data)
        if len(out) >= LINES_MAX:
            break
    return bytes(out[:LINES_MAX])


def lines(paths):
    seen = set()
    for p in paths:
        base = os.path.splitext(os.path.basename(p))[0]
        try:
            st = streams(p)
        except subprocess.CalledProcessError:
            continue
        for sid, segs in sorted(st.items()):
            ports = {segs[0][0], segs[0][1]}
            if ports & SMTP_PORTS:
                target, port = "smtp", min(ports & SMTP_PORTS)
            elif ports & POP_PORTS:
                target, port = "pop3", 110
            else:
                continue
            t = transcript(segs, port)
            h = hashlib.sha1(t).hexdigest()[:8]
            if len(t) < 8 or h in seen:
                continue
            seen.add(h)
            put(target, "%s-s%d" % (base, sid), t)


def hand_written():
    D, S, F = MARK_DIR, MARK_SEG, MARK_FIN
    smtp = {
        "auth-plain-ir": b"220 mx ESMTP\r\n" + D + b"EHLO c\r\n" + D
        + b"250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2\r\n"
        + D + b"AUTH PLAIN AHVzZXIxAHNlY3JldDE=\r\n" + D + b"235 2.7.0 ok\r\n"
        + D + b"QUIT\r\n" + D + b"221 bye\r\n",
        "auth-plain-334": b"220 mx\r\n" + D + b"AUTH PLAIN\r\n" + D + b"334 \r\n"
        + D + b"AHVzZXIxAHNlY3JldDE=\r\n" + D + b"535 5.7.8 no\r\n",
        "auth-login": b"220 mx\r\n" + D + b"AUTH LOGIN\r\n" + D + b"334 VXNlcm5hbWU6\r\n"
        + D + b"dXNlcjE=\r\n" + D + b"334 UGFzc3dvcmQ6\r\n" + D + b"c2VjcmV0MQ==\r\n"
        + D + b"235 ok\r\n",
        "auth-cram": b"220 mx\r\n" + D + b"AUTH CRAM-MD5\r\n" + D
        + b"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n" + D
        + b"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n" + D + b"235 ok\r\n",
        "auth-xoauth2": b"220 mx\r\n" + D
        + b"AUTH XOAUTH2 dXNlcj11c2VyMUBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n"
        + D + b"235 ok\r\n",
        "auth-oauthbearer": b"220 mx\r\n" + D
        + b"AUTH OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2c9PQEB\r\n"
        + D + b"334 eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n" + D + b"AQ==\r\n" + D + b"535 no\r\n",
        "auth-cancel": b"220 mx\r\n" + D + b"AUTH LOGIN\r\n" + D + b"334 VXNlcm5hbWU6\r\n"
        + D + b"*\r\n" + D + b"501 cancelled\r\n",
        "data": b"220 mx\r\n" + D + b"MAIL FROM:<a@b>\r\n" + D + b"250 ok\r\n" + D
        + b"RCPT TO:<c@d>\r\n" + D + b"250 ok\r\n" + D + b"DATA\r\n" + D
        + b"354 go\r\n" + D + b"From: a@b\r\nTo: c@d\r\nSubject: hi\r\n folded\r\n\r\n"
        + S + b"..dot\r\nbody\r\n.\r\n" + D + b"250 queued\r\n",
        "pipelining": b"220 mx\r\n" + D
        + b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nDATA\r\n" + D
        + b"250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n" + D + b"x\r\n.\r\n" + D + b"250 ok\r\n",
        "bdat": b"220 mx\r\n" + D + b"BDAT 5\r\nhelloBDAT 3 LAST\r\nbye" + D
        + b"250 ok\r\n250 ok\r\n",
        "starttls": b"220 mx\r\n" + D + b"STARTTLS\r\n" + D + b"220 go\r\n" + D
        + b"\x16\x03\x01\x00\x05hello" + D + b"\x16\x03\x03\x00\x02hi",
        "escapes": b"220 \x1b]0;pwned\x07 mx \xe2\x80\xae\x9b31m\r\n" + D
        + b"AUTH PLAIN AHVz\x00ZXIxAHNlY3JldDE=\r\n" + D + b"235 \x1b[31mok\x00x\r\n"
        + D + b"HELO \xff\xfe\r\n" + F,
        "bare-lf-long": b"220 mx\n" + D + b"EHLO " + b"a" * 5000 + b"\n" + D
        + b"500 too long\r\n",
        "split": b"2" + S + b"20 mx\r" + S + b"\n" + D + b"AU" + S + b"TH LOGIN dXNl" + S
        + b"cjE=\r\n" + D + b"334 UGFzc3dvcmQ6\r\n" + D + b"c2Vj" + S + b"cmV0MQ==\r" + S
        + b"\n" + D + b"535 no\r\n",
    }
    pop3 = {
        "userpass": b"+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n" + D
        + b"USER user1\r\n" + D + b"+OK\r\n" + D + b"PASS secret1\r\n" + D
        + b"+OK maildrop\r\n" + D + b"STAT\r\n" + D + b"+OK 2 320\r\n" + D
        + b"LIST\r\n" + D + b"+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n" + D
        + b"RETR 1\r\n" + D + b"+OK 120 octets\r\nFrom: a@b\r\nSubject: x\r\n\r\n..hi\r\n.\r\n"
        + D + b"TOP 2 0\r\n" + D + b"+OK\r\nSubject: y\r\n\r\n.\r\n" + D + b"QUIT\r\n"
        + D + b"+OK bye\r\n",
        "apop": b"+OK POP3 <1896.697170952@dbc.mtview.ca.us>\r\n" + D
        + b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n" + D + b"+OK\r\n",
        "auth-plain": b"+OK hi\r\n" + D + b"CAPA\r\n" + D + b"+OK\r\nSASL PLAIN LOGIN\r\nUSER\r\n.\r\n"
        + D + b"AUTH PLAIN\r\n" + D + b"+ \r\n" + D + b"AHVzZXIxAHNlY3JldDE=\r\n" + D
        + b"-ERR [AUTH] no\r\n",
        "auth-login": b"+OK hi\r\n" + D + b"AUTH LOGIN\r\n" + D + b"+ VXNlcm5hbWU6\r\n" + D
        + b"dXNlcjE=\r\n" + D + b"+ UGFzc3dvcmQ6\r\n" + D + b"c2VjcmV0MQ==\r\n" + D + b"+OK\r\n",
        "telnet-typed": b"+OK hi\r\n" + D + S.join(bytes([c]) for c in b"USER usx\x08er1\r\x00")
        + D + b"+OK\r\n" + D
        + S.join(bytes([c]) for c in b"\xff\xfb\x18PASS se\x7fecret1\x15PASS secret1\r\n")
        + D + b"+OK\r\n",
        "iac-sb": b"+OK hi\r\n" + D + b"\xff\xfa\x18\x00xterm\xff\xf0USER a\xff\xffb\r\n"
        + D + b"-ERR \x1b[2J\x9b\r\n",
        "stls": b"+OK hi\r\n" + D + b"STLS\r\n" + D + b"+OK go\r\n" + D + b"\x16\x03\x01junk",
        "unterminated": b"+OK hi\r\n" + D + b"RETR 1\r\n" + D + b"+OK\r\nline\r\n" + F,
    }
    for k, v in smtp.items():
        put("smtp", "hand-" + k, v)
    for k, v in pop3.items():
        put("pop3", "hand-" + k, v)

    def tcp(port, isn_c, isn_s, segs, skip_hs=False):
        hdr = bytes([port | (4 if skip_hs else 0)]) + struct.pack(">II", isn_c, isn_s)
        out = bytearray(hdr)
        for dirb, delta, ackd, data, flags in segs:
            out += bytes([dirb | flags]) + struct.pack(">hbH", delta, ackd, len(data)) + data
        return bytes(out)

    c, s = 0, 1
    put("tcp", "inorder-smtp", tcp(0, 1000, 0xfffffff0, [
        (s, 0, 0, b"220 mx\r\n", 0), (c, 0, 0, b"AUTH PLAIN AHVzZXIxAHNlY3JldDE=\r\n", 0),
        (s, 0, 0, b"235 ok\r\n", 0), (c, 0, 0, b"", 4), (s, 0, 0, b"", 4)]))
    put("tcp", "reorder-pop3", tcp(1, 0xffffff00, 5, [
        (s, 0, 0, b"+OK hi\r\n", 0), (c, 8, 0, b"PASS secret1\r\n", 0),
        (c, -22, 0, b"USER u\r\n", 0), (s, 0, 0, b"+OK\r\n+OK\r\n", 0)]))
    # A held segment overlapped by the in-order one that fills the hole.
    put("tcp", "overlap-held", tcp(1, 0xffffff00, 5, [
        (s, 0, 0, b"+OK hi\r\n", 0), (c, 6, 0, b"PASS secret1\r\n", 0),
        (c, -20, 0, b"USER u\r\n", 0), (s, 0, 0, b"+OK\r\n+OK\r\n", 0)]))
    put("tcp", "overlap-retrans", tcp(0, 7, 9, [
        (s, 0, 0, b"220 mx\r\n", 0), (c, 0, 0, b"EHLO abcdef\r\n", 0),
        (c, -8, 0, b"XXXXXXXX", 0), (c, -13, 0, b"EHLO abcdef\r\n", 0),
        (c, 100, 0, b"gap\r\n", 0), (s, 0, 0, b"250 ok\r\n", 0)]))
    put("tcp", "midstream-wrap", tcp(0, 0xfffffffa, 0xfffffffe, [
        (c, 0, 0, b"RCPT TO:<a@b>\r\n", 0), (s, 0, 0, b"250 ok\r\n", 0),
        (c, 0, 0, b"QUIT\r\n", 8)], skip_hs=True))
    put("tcp", "tls-465", tcp(2, 1, 2, [
        (s, 0, 0, b"\x16\x03\x03\x00\x10" + b"A" * 16, 0), (c, 0, 0, b"\x17\x03\x03", 0)]))

    sasl = {
        "plain": b"AHVzZXIxAHNlY3JldDE=", "plain-raw": b"\x00user1\x00secret1",
        "authz": b"admin\x00user1\x00secret1",
        "xoauth2": b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01",
        "oauthbearer": b"n,a=user@example.com,\x01host=server\x01port=143\x01auth=Bearer vF9dft4qmTc2\x01\x01",
        "cram": b"tim b913a602c7eda7a495b4e6e7334d3890",
        "telnet": b"us\x08\x08user1\r\x00", "iac": b"\xff\xfb\x18\xff\xfa\x18\x00xterm\xff\xf0a\xff\xffb\x15c\r\n",
    }
    for k, v in sasl.items():
        put("sasl", k, v)
    esc = {
        "plain": b"\x00\x40\x00hello world", "cut": b"\x00\x08\x01\x1b]0;x\x07 \\ \t\r\n\xe2\x80\xae",
        "tiny": b"\x00\x03\x01abcdef", "zero": b"\x00\x00\x01\x9b31m",
        "json": b"\x01\x00\x00\"quote\" \\back\\ \x00nul \x7f",
    }
    for k, v in esc.items():
        put("esc", k, v)


def filters():
    path = os.path.join(ROOT, "tests", "filter.tests")
    if not os.path.exists(path):
        return
    n = 0
    with open(path, "rb") as f:
        lines_ = f.read().split(b"\n")
    i = 0
    while i < len(lines_):
        ln = lines_[i]
        if ln.startswith(b"%%FAIL") and i + 1 < len(lines_):
            put("filter", "fail-%03d" % n, lines_[i + 1])
            n += 1
            i += 5
            continue
        if ln and not ln.startswith(b"#"):
            put("filter", "ok-%03d" % n, ln.split(b"\t")[0])
            n += 1
        i += 1


def ip_record(frame, wire, ether=True, v6=False):
    """One packet in fuzz_ip.c's format."""
    extra = wire - len(frame)
    fl = (2 if ether else 0) | (1 if v6 else 0)
    if extra > 3:
        fl |= 4
        extra = min(255, (extra + 7) // 8)
    return struct.pack("!HBB", len(frame), fl, max(0, extra)) + frame


def ip_frames_seed(frames):
    out = b""
    for frame, wire in frames:
        r = ip_record(frame, wire)
        if len(out) + len(r) > PIPE_MAX:
            break
        out += r
    return out


def ip_seeds():
    sys.path.insert(0, os.path.join(ROOT, "samples", "record"))
    sys.path.insert(0, os.path.join(ROOT, "tests", "bad"))
    import tunnels
    import bad
    sdir = os.path.join(ROOT, "samples")
    paths = [os.path.join(sdir, f) for f in sorted(os.listdir(sdir))
             if f.startswith("tunnel-") and f.endswith(".pcap")]
    hdir = os.path.join(sdir, "hostile")
    if os.path.isdir(hdir):
        paths += [os.path.join(hdir, f) for f in sorted(os.listdir(hdir))
                  if (f.startswith("h-tunnel-") or f.startswith("h-ip")) and f.endswith(".pcap")]
    for p in paths:
        lt, pkts = tunnels.read_pcap(p)
        if lt == 1:
            put("ip", os.path.basename(p)[:-5],
                ip_frames_seed([(f, w) for _, _, f, w in pkts]))
    for name, cases in (("bad-malformed-ip", None), ("bad-malformed-tunnel", bad.MALFORMED_TUNNEL),
                        ("bad-tunnel-unsupported", bad.UNSUPPORTED_TUNNEL)):
        blob, _ = bad.malformed_ip(cases, controls=cases is None)
        off, frames = 24, []
        while off + 16 <= len(blob):
            cap, wire = struct.unpack("<II", blob[off + 8:off + 16])
            frames.append((blob[off + 16:off + 16 + cap], wire))
            off += 16 + cap
        put("ip", name, ip_frames_seed(frames))
    # Raw IP (no Ethernet), both families, five tunnels deep.
    _, v4 = tunnels.read_pcap(os.path.join(sdir, "smtp-auth-login.pcap"))
    _, v6 = tunnels.read_pcap(os.path.join(sdir, "mixed-ipv6.pcap"))
    for name, src, w in (("raw-depth5-v4", v4, tunnels.w_depth(5)),
                         ("raw-nested-v6", v6, tunnels.w_nested)):
        out = b""
        for _, _, f, wire in tunnels.wrap_all(src, w)[:12]:
            out += ip_record(f[14:], wire - 14, ether=False, v6=f[12:14] == b"\x86\xdd")
        put("ip", name, out)


def main():
    if sys.argv[1:] == ["--ip"]:
        ip_seeds()
        return
    dirs = sys.argv[1:] or [os.path.join(ROOT, "samples"),
                            os.path.join(ROOT, "tests", "data", "corpus")]
    paths = []
    for d in dirs:
        if os.path.isdir(d):
            paths += sorted(os.path.join(d, f) for f in os.listdir(d)
                            if f.endswith(".pcap") or f.endswith(".pcapng"))
    pipeline(paths)
    lines(paths)
    hand_written()
    filters()
    ip_seeds()


if __name__ == "__main__":
    main()
