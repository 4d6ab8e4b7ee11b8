#!/usr/bin/env python3
"""Scripted mail clients for the mailsift sample captures (stdlib only).

Every session talks to a REAL server (Dovecot / Postfix) except the `oauth`
scenario, which talks to oauth_server.py.  Each command line is written with a
single sendall() on a TCP_NODELAY socket, so one command = one TCP segment
unless stated otherwise.

usage: clients.py SCENARIO      (pop3-session, pop3-auth, smtp-auth-mechs,
                                 oauth, pop3-simple HOST USER PASS, pop3-tls,
                                 imap-session, imap-auth, imap-pipelining,
                                 imap-idle, imap-big-fetch, imap-compress,
                                 intl-utf8-auth, intl-imap-fetch)
"""
import base64
import hashlib
import hmac
import imaplib
import poplib
import random
import re
import smtplib
import socket
import ssl
import sys
import time
import zlib

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


# ---------------------------------------------------------------- IMAP -----
class Imap(Conn):
    """Raw IMAP client: one sendall per line (or per literal part)."""

    def __init__(self, host="127.0.0.1", port=143):
        super().__init__(host, port, "imap")
        self.z_in = self.z_out = None

    def _recv(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("server closed")
        if self.z_in:
            d = self.z_in.decompress(d)
        return d

    def _raw(self, data):
        if self.z_out:
            data = self.z_out.compress(data) + self.z_out.flush(zlib.Z_SYNC_FLUSH)
        self.s.sendall(data)

    def line(self):
        """One response line; literals {n} are read whole and shown by size."""
        out = b""
        while True:
            while b"\r\n" not in self.buf:
                self.buf += self._recv()
            l, self.buf = self.buf.split(b"\r\n", 1)
            m = re.search(rb"\{(\d+)\}$", l)
            if not m:
                out += l
                break
            n = int(m.group(1))
            while len(self.buf) < n:
                self.buf += self._recv()
            lit, self.buf = self.buf[:n], self.buf[n:]
            out += l + b"\r\n" + lit
            print("S: %s  [literal of %d octets]" % (l.decode("utf-8", "replace"), n),
                  file=sys.stderr)
        t = out.decode("utf-8", "replace")
        if "\r\n" not in t:
            print("S: " + t, file=sys.stderr)
        return t

    def tagged(self, tag):
        """Read up to the tagged reply of `tag`; return it."""
        while True:
            l = self.line()
            if l.startswith(tag + " "):
                return l

    def send(self, text):
        time.sleep(PAUSE)
        print("C: " + text, file=sys.stderr)
        self._raw(text.encode("utf-8") + b"\r\n")

    def cmd(self, tag, text):
        self.send(tag + " " + text)
        return self.tagged(tag)

    def cont(self):
        """Wait for a continuation request '+ ...'."""
        while True:
            l = self.line()
            if l.startswith("+"):
                return l


def imap_open(host="127.0.0.1", port=143):
    c = Imap(host, port)
    assert c.line().startswith("* OK")
    return c


def imap_session():
    """B.1: imaplib against Dovecot 143, user1/secret1.  The mailbox is the
    same afterwards (flag set and cleared, appended message expunged); record.sh
    resets the mailboxes around it anyway."""
    random.seed(20231114)      # imaplib's tag prefix is random: fix it
    M = imaplib.IMAP4("127.0.0.1", 143, timeout=10)
    M.debug = 4
    print(M.login("user1", "secret1"))
    print(M.capability())
    print(M.list())
    print(M.select("INBOX"))
    print(M.search(None, "ALL"))
    print(M.fetch("1", "(BODY[])"))
    print(M.fetch("1:*", "(FLAGS)"))
    print(M.store("1", "+FLAGS", "(\\Flagged)"))
    print(M.store("1", "-FLAGS", "(\\Flagged)"))
    msg = (b"From: user1@example.test\r\nTo: user1@example.test\r\n"
           b"Subject: appended by imaplib\r\nDate: Tue, 14 Nov 2023 23:00:00 +0000\r\n"
           b"Message-ID: <imap-session.1@example.test>\r\n\r\nAPPEND with a literal.\r\n")
    print(M.append("INBOX", None, '"14-Nov-2023 23:00:00 +0000"', msg))
    typ, d = M.search(None, "SUBJECT", '"appended by imaplib"')
    print(typ, d)
    n = d[0].split()[-1].decode()
    print(M.store(n, "+FLAGS", "(\\Deleted)"))
    print(M.expunge())
    print(M.logout())


def imap_auth():
    """B.4: literals, LITERAL+, quoted strings, AUTHENTICATE variants."""
    # 0: LOGIN with synchronizing literals (wait for "+ OK" each time)
    c = imap_open()
    c.send("a1 LOGIN {5}"); c.cont()
    c.send("user1 {7}"); c.cont()
    c.send("secret1")
    assert " OK " in c.tagged("a1")
    c.cmd("a2", "LOGOUT"); c.close()
    # 1: LOGIN with non-synchronizing literals (LITERAL+, no waiting)
    c = imap_open()
    c.send("a1 LOGIN {5+}")
    c.send("user1 {7+}")
    c.send("secret1")
    assert " OK " in c.tagged("a1")
    c.cmd("a2", "LOGOUT"); c.close()
    # 2: quoted strings with a space: wrong password, then the right one
    c = imap_open()
    assert " NO " in c.cmd("a1", 'LOGIN "user2" "pa ss2"')
    assert " OK " in c.cmd("a2", 'LOGIN "user2" "pa ss2!"')
    c.cmd("a3", "LOGOUT"); c.close()
    # 3: AUTHENTICATE PLAIN with SASL-IR (initial response on the command line)
    c = imap_open()
    assert " OK " in c.cmd("a1", "AUTHENTICATE PLAIN " + b64("\0user1\0secret1"))
    c.cmd("a2", "LOGOUT"); c.close()
    # 4: AUTHENTICATE PLAIN without initial response: "+ " then the response
    c = imap_open()
    c.send("a1 AUTHENTICATE PLAIN"); c.cont()
    c.send(b64("\0user2\0pa ss2!"))
    assert " OK " in c.tagged("a1")
    c.cmd("a2", "LOGOUT"); c.close()
    # 5: AUTHENTICATE LOGIN: "+ VXNlcm5hbWU6", "+ UGFzc3dvcmQ6"
    c = imap_open()
    c.send("a1 AUTHENTICATE LOGIN"); c.cont()
    c.send(b64("carol@example.test")); c.cont()
    c.send(b64("c4rol#9"))
    assert " OK " in c.tagged("a1")
    c.cmd("a2", "LOGOUT"); c.close()
    # 6: AUTHENTICATE CRAM-MD5
    c = imap_open()
    c.send("a1 AUTHENTICATE CRAM-MD5")
    ch = c.cont()
    c.send(cram("user1", "secret1", ch[2:]))
    assert " OK " in c.tagged("a1")
    c.cmd("a2", "LOGOUT"); c.close()
    # 7: AUTHENTICATE cancelled with "*", then a wrong AUTHENTICATE PLAIN (IR)
    c = imap_open()
    c.send("a1 AUTHENTICATE PLAIN"); c.cont()
    c.send("*")
    assert " BAD " in c.tagged("a1")
    assert " NO " in c.cmd("a2", "AUTHENTICATE PLAIN " + b64("\0user1\0secret2"))
    c.cmd("a3", "LOGOUT"); c.close()


def imap_pipelining():
    """B.5: several tagged commands in one TCP segment."""
    c = imap_open()
    time.sleep(PAUSE)
    batch = ("a1 LOGIN user1 secret1\r\na2 SELECT INBOX\r\n"
             "a3 FETCH 1:* (FLAGS RFC822.SIZE)\r\n")
    print("C: " + batch.replace("\r\n", "\\r\\n"), file=sys.stderr)
    c.s.sendall(batch.encode())
    c.tagged("a3")
    time.sleep(PAUSE)
    batch = ("a4 UID SEARCH SUBJECT \"Lab\"\r\na5 FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n"
             "a6 NOOP\r\na7 LOGOUT\r\n")
    print("C: " + batch.replace("\r\n", "\\r\\n"), file=sys.stderr)
    c.s.sendall(batch.encode())
    c.tagged("a7")
    c.close()


def imap_idle():
    """B.5: IDLE on user1's INBOX while a second connection APPENDs."""
    a = imap_open()
    a.cmd("a1", "LOGIN user1 secret1")
    a.cmd("a2", "SELECT INBOX")
    a.send("a3 IDLE")
    a.cont()                                   # "+ idling"
    time.sleep(0.5)
    b = imap_open()
    b.cmd("b1", "LOGIN user1 secret1")
    msg = ("From: carol@example.test\r\nTo: user1@example.test\r\n"
           "Subject: arrives during IDLE\r\nDate: Tue, 14 Nov 2023 23:10:00 +0000\r\n"
           "Message-ID: <imap-idle.1@example.test>\r\n\r\nHello while you idle.\r\n")
    b.send("b2 APPEND INBOX (\\Seen) {%d}" % len(msg.encode()))
    b.cont()
    time.sleep(PAUSE)
    print("C: <%d octets>" % len(msg.encode()), file=sys.stderr)
    b._raw(msg.encode() + b"\r\n")
    b.tagged("b2")
    b.cmd("b3", "LOGOUT"); b.close()
    # the idling connection is told about the new message
    while True:
        l = a.line()
        if l.endswith(" EXISTS"):
            break
    time.sleep(0.5)
    a.send("DONE")
    a.tagged("a3")
    a.cmd("a4", "FETCH 5 (FLAGS ENVELOPE)")
    a.cmd("a5", "LOGOUT"); a.close()


def imap_big_fetch():
    """B.5: FETCH of the ~100 KB message in folder Archive."""
    c = imap_open()
    c.cmd("a1", "LOGIN user1 secret1")
    c.cmd("a2", "SELECT Archive")
    c.cmd("a3", "FETCH 1 (RFC822.SIZE BODY[])")
    c.cmd("a4", "LOGOUT"); c.close()


def imap_compress():
    """B.7: COMPRESS DEFLATE (RFC 4978), then everything is raw deflate."""
    c = imap_open()
    c.cmd("a1", "LOGIN user1 secret1")
    assert " OK " in c.cmd("a2", "COMPRESS DEFLATE")
    c.z_in = zlib.decompressobj(-15)
    c.z_out = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    c.cmd("a3", "SELECT INBOX")
    c.cmd("a4", "FETCH 1 (BODY[])")
    c.cmd("a5", "FETCH 1:* (FLAGS RFC822.SIZE)")
    c.cmd("a6", "LOGOUT"); c.close()


# -------------------------------------------------------- international -----
OLENA_PW = "пароль-Ключ1"


def intl_utf8_auth():
    """C.3: UTF-8 password over SMTP AUTH PLAIN (587) and POP3 USER/PASS (110)."""
    c = Conn("127.0.0.1", 587, "smtp"); c.reply()
    c.cmd("EHLO client.example.test")
    # wrong: same password with a lower-case "к"
    code, l = c.cmd("AUTH PLAIN " + b64(("\0olena\0" + "пароль-ключ1").encode()))
    assert code == 535, l
    code, l = c.cmd("AUTH PLAIN " + b64(("\0olena\0" + OLENA_PW).encode()))
    assert code == 235, l
    assert c.cmd("MAIL FROM:<olena@example.test>")[0] == 250
    assert c.cmd("RCPT TO:<user1@example.test>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send("From: olena@example.test\r\nTo: user1@example.test\r\n"
           "Subject: UTF-8 password\r\n\r\nAUTH PLAIN with a UTF-8 password.")
    assert c.cmd(".")[0] == 250
    c.cmd("QUIT"); c.close()
    time.sleep(0.3)
    # POP3: the password goes out as UTF-8 bytes
    c = Conn("127.0.0.1", 110, "pop3"); c.reply()

    def cmd(text):
        time.sleep(PAUSE)
        print("C: " + text, file=sys.stderr)
        c.s.sendall(text.encode("utf-8") + b"\r\n")
        return c.reply()
    assert cmd("USER olena").startswith("+OK")
    assert cmd("PASS " + OLENA_PW).startswith("+OK")
    cmd("STAT")
    if cmd("LIST").startswith("+OK"):
        c.multiline()
    if cmd("RETR 1").startswith("+OK"):
        c.multiline()
    cmd("QUIT"); c.close()


def intl_imap_fetch():
    """C.2: imaplib, AUTHENTICATE PLAIN with olena's UTF-8 password, FETCH the
    international mails (ENVELOPE carries the encoded words as they are)."""
    random.seed(20231115)      # imaplib's tag prefix is random: fix it
    M = imaplib.IMAP4("127.0.0.1", 143, timeout=10)
    M.debug = 4
    print(M.authenticate("PLAIN", lambda _: ("\0olena\0" + OLENA_PW).encode()))
    print(M.select("INBOX", readonly=True))
    print(M.fetch("1:*", "(ENVELOPE)"))
    print(M.fetch("1", "(BODY.PEEK[])"))
    print(M.fetch("12", "(BODY.PEEK[HEADER])"))
    print(M.logout())


if __name__ == "__main__":
    a = sys.argv[1:]
    {
        "pop3-session": pop3_session,
        "pop3-auth": pop3_auth,
        "smtp-auth-mechs": smtp_auth_mechs,
        "oauth": oauth,
        "pop3-tls": pop3_tls,
        "pop3-simple": lambda: pop3_simple(*a[1:]),
        "imap-session": imap_session,
        "imap-auth": imap_auth,
        "imap-pipelining": imap_pipelining,
        "imap-idle": imap_idle,
        "imap-big-fetch": imap_big_fetch,
        "imap-compress": imap_compress,
        "intl-utf8-auth": intl_utf8_auth,
        "intl-imap-fetch": intl_imap_fetch,
    }[a[0]]()
