#!/usr/bin/env python3
"""Scripted mail clients for the mailsift sample captures (stdlib only).

Every session talks to a REAL server (Dovecot / Postfix) except the `oauth`
scenario, which talks to oauth_server.py.  Each command line is written with a
single sendall() on a TCP_NODELAY socket, so one command = one TCP segment
unless stated otherwise.

usage: clients.py SCENARIO      (pop3-session, pop3-auth, smtp-auth-mechs,
                                 oauth, pop3-simple HOST USER PASS, pop3-tls)
"""
import base64
import hashlib
import hmac
import poplib
import socket
import ssl
import sys
import time

PAUSE = 0.05


def b64(s):
    if isinstance(s, str):
        s = s.encode()
    return base64.b64encode(s).decode()


class Conn:
    """Line-oriented raw client: prints the dialogue to stderr."""

    def __init__(self, host, port, proto):
        self.proto = proto
        self.s = socket.create_connection((host, port), timeout=10)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("server closed")
            self.buf += d
        l, self.buf = self.buf.split(b"\r\n", 1)
        l = l.decode("latin-1")
        print("S: " + l, file=sys.stderr)
        return l

    def reply(self):
        """SMTP: full (multi-line) reply -> (code, last line); POP3: first line."""
        if self.proto == "smtp":
            while True:
                l = self.line()
                if len(l) < 4 or l[3] != "-":
                    return int(l[:3]), l
        return self.line()

    def multiline(self):
        lines = []
        while True:
            l = self.line()
            if l == ".":
                return lines
            lines.append(l)

    def send(self, text):
        time.sleep(PAUSE)
        print("C: " + text, file=sys.stderr)
        self.s.sendall(text.encode("latin-1") + b"\r\n")

    def cmd(self, text):
        self.send(text)
        return self.reply()

    def close(self):
        time.sleep(PAUSE)
        self.s.close()


def cram(user, pw, challenge_b64):
    chal = base64.b64decode(challenge_b64)
    dig = hmac.new(pw.encode(), chal, hashlib.md5).hexdigest()
    return b64(f"{user} {dig}")


# ---------------------------------------------------------------- POP3 -----
def pop3_session():
    """#4: poplib with every command, user1/secret1."""
    p = poplib.POP3("127.0.0.1", 110, timeout=10)
    p.set_debuglevel(1)
    print(p.getwelcome())
    p.user("user1")
    p.pass_("secret1")
    print(p.stat())
    print(p.list())
    print(p.list(1))
    print(p.uidl())
    print(p.uidl(1))
    print(p.top(1, 3))
    print(p.retr(1))
    r = p.retr(3)
    print(r[0], len(r[1]), r[2])
    print(p.dele(1))
    print(p.rset())
    print(p.noop())
    try:
        print(p._shortcmd("LAST"))
    except poplib.error_proto as e:
        print("LAST ->", e)
    print(p.capa())
    print(p.quit())


def pop3_auth():
    """#5: one connection per mechanism against Dovecot."""
    H, P = "127.0.0.1", 110
    # a) APOP user1/secret1
    p = poplib.POP3(H, P, timeout=10)
    p.set_debuglevel(1)
    p.apop("user1", "secret1")
    p.stat()
    p.quit()
    # b) AUTH PLAIN with initial response, user1/secret1
    c = Conn(H, P, "pop3"); c.reply()
    assert c.cmd("AUTH PLAIN " + b64("\0user1\0secret1")).startswith("+OK")
    c.cmd("QUIT"); c.close()
    # c) AUTH PLAIN after empty "+ " prompt, user2/'pa ss2!'
    c = Conn(H, P, "pop3"); c.reply()
    assert c.cmd("AUTH PLAIN").startswith("+")
    assert c.cmd(b64("\0user2\0pa ss2!")).startswith("+OK")
    c.cmd("QUIT"); c.close()
    # d) AUTH LOGIN, carol@example.test/c4rol#9
    c = Conn(H, P, "pop3"); c.reply()
    assert c.cmd("AUTH LOGIN").startswith("+ ")
    assert c.cmd(b64("carol@example.test")).startswith("+ ")
    assert c.cmd(b64("c4rol#9")).startswith("+OK")
    c.cmd("STAT")
    c.cmd("QUIT"); c.close()
    # e) AUTH CRAM-MD5, user1/secret1
    c = Conn(H, P, "pop3"); c.reply()
    r = c.cmd("AUTH CRAM-MD5")
    assert r.startswith("+ ")
    assert c.cmd(cram("user1", "secret1", r[2:])).startswith("+OK")
    c.cmd("QUIT"); c.close()
    # f) failure then success in one connection: AUTH PLAIN user2 with the
    #    wrong password 'pa ss2' (no '!') -> -ERR, then AUTH PLAIN 'pa ss2!' -> +OK
    c = Conn(H, P, "pop3"); c.reply()
    assert c.cmd("AUTH PLAIN " + b64("\0user2\0pa ss2")).startswith("-ERR")
    assert c.cmd("AUTH PLAIN " + b64("\0user2\0pa ss2!")).startswith("+OK")
    c.cmd("QUIT"); c.close()
    # g) USER/PASS failure: user1 / Secret1 (wrong case) -> -ERR, then QUIT
    c = Conn(H, P, "pop3"); c.reply()
    assert c.cmd("USER user1").startswith("+OK")
    assert c.cmd("PASS Secret1").startswith("-ERR")
    c.cmd("QUIT"); c.close()


def pop3_simple(host, user, pw, retr="1"):
    """USER/PASS, STAT, LIST, RETR n, QUIT."""
    c = Conn(host, 110, "pop3"); c.reply()
    assert c.cmd("USER " + user).startswith("+OK")
    assert c.cmd("PASS " + pw).startswith("+OK")
    c.cmd("STAT")
    if c.cmd("LIST").startswith("+OK"):
        c.multiline()
    if retr and c.cmd("RETR " + retr).startswith("+OK"):
        c.multiline()
    c.cmd("QUIT"); c.close()


def pop3_tls():
    """#12: POP3 STLS on 110 (user2) and POP3S on 995 (carol)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    p = poplib.POP3("127.0.0.1", 110, timeout=10)
    p.set_debuglevel(1)
    p.stls(context=ctx)   # poplib sends CAPA itself first
    p.user("user2"); p.pass_("pa ss2!")
    p.stat(); p.retr(1); p.quit()
    p = poplib.POP3_SSL("127.0.0.1", 995, context=ctx, timeout=10)
    p.set_debuglevel(1)
    # SASL PLAIN inside TLS
    p._shortcmd("AUTH PLAIN " + b64("\0carol@example.test\0c4rol#9"))
    p.stat(); p.list(); p.quit()


# ---------------------------------------------------------------- SMTP -----
def smtp_auth_mechs():
    """#6: against Postfix submission (587)."""
    H, P = "127.0.0.1", 587

    def start():
        c = Conn(H, P, "smtp"); c.reply()
        assert c.cmd("EHLO client.example.test")[0] == 250
        return c

    # a) AUTH PLAIN initial response, user1/secret1 (+ a mail)
    c = start()
    assert c.cmd("AUTH PLAIN " + b64("\0user1\0secret1"))[0] == 235
    assert c.cmd("MAIL FROM:<user1@example.test>")[0] == 250
    assert c.cmd("RCPT TO:<carol@example.test>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send("From: user1@example.test\r\nTo: carol@example.test\r\nSubject: mechs a\r\n\r\nplain-ir")
    assert c.cmd(".")[0] == 250
    c.cmd("QUIT"); c.close()
    # b) AUTH PLAIN after empty 334, user2/'pa ss2!'
    c = start()
    code, l = c.cmd("AUTH PLAIN")
    assert code == 334
    assert c.cmd(b64("\0user2\0pa ss2!"))[0] == 235
    c.cmd("QUIT"); c.close()
    # c) AUTH LOGIN initial-response form, carol@example.test/c4rol#9
    c = start()
    code, l = c.cmd("AUTH LOGIN " + b64("carol@example.test"))
    assert code == 334 and l[4:] == "UGFzc3dvcmQ6"
    assert c.cmd(b64("c4rol#9"))[0] == 235
    c.cmd("QUIT"); c.close()
    # d) AUTH CRAM-MD5, user1/secret1
    c = start()
    code, l = c.cmd("AUTH CRAM-MD5")
    assert code == 334
    assert c.cmd(cram("user1", "secret1", l[4:]))[0] == 235
    c.cmd("QUIT"); c.close()
    # e) failure then success in one connection: AUTH LOGIN carol with
    #    'c4rol#8' -> 535, then AUTH PLAIN carol/c4rol#9 -> 235
    c = start()
    assert c.cmd("AUTH LOGIN")[0] == 334
    assert c.cmd(b64("carol@example.test"))[0] == 334
    assert c.cmd(b64("c4rol#8"))[0] == 535
    assert c.cmd("AUTH PLAIN " + b64("\0carol@example.test\0c4rol#9"))[0] == 235
    c.cmd("QUIT"); c.close()


# --------------------------------------------------------------- OAuth -----
GOOD = "ya29.mailsift-GOOD-token"
BAD = "ya29.mailsift-EXPIRED-token"


def xoauth2(user, tok):
    return b64(f"user={user}\x01auth=Bearer {tok}\x01\x01")


def oauthbearer(user, tok, port):
    return b64(f"n,a={user},\x01host=mail.example.test\x01port={port}\x01auth=Bearer {tok}\x01\x01")


def oauth():
    """#7: against oauth_server.py (587 SMTP, 110 POP3)."""
    H = "127.0.0.1"

    def smtp():
        c = Conn(H, 587, "smtp"); c.reply()
        assert c.cmd("EHLO client.example.test")[0] == 250
        return c

    # SMTP XOAUTH2 accepted, with a short mail
    c = smtp()
    assert c.cmd("AUTH XOAUTH2 " + xoauth2("carol@example.test", GOOD))[0] == 235
    assert c.cmd("MAIL FROM:<carol@example.test>")[0] == 250
    assert c.cmd("RCPT TO:<user1@example.test>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send("Subject: oauth\r\n\r\nsent with XOAUTH2")
    assert c.cmd(".")[0] == 250
    c.cmd("QUIT"); c.close()
    # SMTP XOAUTH2 rejected: 334 <base64 JSON>, empty line, 535
    c = smtp()
    code, l = c.cmd("AUTH XOAUTH2 " + xoauth2("user1@example.test", BAD))
    assert code == 334
    print("error JSON:", base64.b64decode(l[4:]), file=sys.stderr)
    assert c.cmd("")[0] == 535
    c.cmd("QUIT"); c.close()
    # SMTP OAUTHBEARER accepted
    c = smtp()
    assert c.cmd("AUTH OAUTHBEARER " + oauthbearer("carol@example.test", GOOD, 587))[0] == 235
    c.cmd("QUIT"); c.close()
    # SMTP OAUTHBEARER rejected: 334 <base64 JSON>, client sends AQ== (0x01), 535
    c = smtp()
    code, l = c.cmd("AUTH OAUTHBEARER " + oauthbearer("user1@example.test", BAD, 587))
    assert code == 334
    assert c.cmd("AQ==")[0] == 535
    c.cmd("QUIT"); c.close()
    # POP3 XOAUTH2 accepted
    c = Conn(H, 110, "pop3"); c.reply()
    assert c.cmd("AUTH XOAUTH2 " + xoauth2("carol@example.test", GOOD)).startswith("+OK")
    c.cmd("STAT")
    c.cmd("QUIT"); c.close()
    # POP3 XOAUTH2 rejected: "+ <base64 JSON>", empty line, -ERR
    c = Conn(H, 110, "pop3"); c.reply()
    assert c.cmd("AUTH XOAUTH2 " + xoauth2("user1@example.test", BAD)).startswith("+ ")
    assert c.cmd("").startswith("-ERR")
    c.cmd("QUIT"); c.close()


if __name__ == "__main__":
    a = sys.argv[1:]
    {
        "pop3-session": pop3_session,
        "pop3-auth": pop3_auth,
        "smtp-auth-mechs": smtp_auth_mechs,
        "oauth": oauth,
        "pop3-tls": pop3_tls,
        "pop3-simple": lambda: pop3_simple(*a[1:]),
    }[a[0]]()
