#!/usr/bin/env python3
"""Scripted clients for the mailsift HOSTILE sample captures (stdlib only).

Each scenario talks to a real server (Postfix 3.7.11, Dovecot 2.3.19.1,
OpenSSH sshd, openssl s_server, python http.server) unless its docstring
says it talks to hostile_server.py.  Raw sockets send exactly the bytes
given, one sendall() per step on a TCP_NODELAY socket, so one step = one
TCP segment unless it is larger than the MSS.  The dialogue is printed to
stderr ("C:"/"S:" with Python byte reprs) and is the record of truth the
README rows were written from.

usage: hostile_clients.py SCENARIO [ARGS]   (see the table at the end)
"""
import base64
import poplib
import random
import smtplib
import socket
import ssl
import sys
import time

PAUSE = 0.05


def b64(s):
    if isinstance(s, str):
        s = s.encode("latin-1")
    return base64.b64encode(s).decode()


def log(tag, data):
    print("%s %r" % (tag, data), file=sys.stderr, flush=True)


class Raw:
    """A raw TCP client: send() exact bytes, read replies by line rules."""

    def __init__(self, host, port, src=None, early=None, timeout=10):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket.socket(fam, socket.SOCK_STREAM)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s.settimeout(timeout)
        if src:
            self.s.bind((src, 0))
        self.s.connect((host, port))
        self.buf = b""
        if early is not None:          # bytes sent before reading anything
            log("C:", early)
            self.s.sendall(early)

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("server closed")
        self.buf += d

    def line(self):
        while b"\n" not in self.buf:
            self.fill()
        l, self.buf = self.buf.split(b"\n", 1)
        log("S:", l + b"\n")
        return l.rstrip(b"\r")

    def smtp(self):
        """One SMTP reply (all lines of a multi-line one) -> (code, lines)."""
        lines = []
        while True:
            l = self.line()
            lines.append(l)
            if len(l) < 4 or l[3:4] != b"-":
                return int(l[:3]), lines

    def pop(self):
        return self.line()

    def multiline(self):
        out = []
        while True:
            l = self.line()
            if l == b".":
                return out
            out.append(l)

    def send(self, data, pause=PAUSE):
        time.sleep(pause)
        log("C:", data)
        self.s.sendall(data)

    def quiet(self, secs):
        """Read whatever arrives within secs (logged); True if closed."""
        self.s.settimeout(secs)
        try:
            while True:
                d = self.s.recv(65536)
                if not d:
                    log("S:", "<closed>")
                    return True
                log("S:", d)
        except socket.timeout:
            return False
        except ConnectionResetError:
            log("S:", "<reset>")
            return True
        finally:
            self.s.settimeout(10)

    def close(self, pause=PAUSE):
        time.sleep(pause)
        self.s.close()


def smtp_cmd(c, line):
    c.send(line + b"\r\n")
    return c.smtp()


def ehlo(c, name=b"client.example.test"):
    code, _ = smtp_cmd(c, b"EHLO " + name)
    assert code == 250, code


# ------------------------------------------------------ 1. not mail ------
BAIT_LINES = (b"\r\nAUTH PLAIN " + b64("\0bait\0baitpw").encode() + b"\r\n",
              b"\r\nUSER x\r\nPASS y\r\n")


def bait_blob():
    """Random bytes (fixed seed) with the bait lines inside."""
    rnd = random.Random(20231114)
    r = lambda n: bytes(rnd.randrange(256) for _ in range(n))
    return r(300) + BAIT_LINES[0] + r(200) + BAIT_LINES[1] + r(120)


def notmail_tls_bait(host="127.0.0.1", port="25"):
    """A real TLS ClientHello (Python ssl, MemoryBIO) to port 25 where
    `openssl s_server` listens; after the server's first flight, random
    bytes carrying `AUTH PLAIN <\\0bait\\0baitpw>` and `USER x`/`PASS y`
    lines.  The server fails the handshake on the junk and closes."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_hostname="mail.example.test")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    c = Raw(host, int(port))
    c.send(hello)
    time.sleep(0.3)
    c.quiet(0.5)              # ServerHello ... Finished
    c.send(bait_blob())
    c.quiet(1.5)
    c.close()


def notmail_http(host="127.0.0.1"):
    """curl is the client (see hostile.sh); nothing here."""


# -------------------------------------------------- 2. other ports -------
def pop3_simple(host, port, user, pw, retr="1"):
    c = Raw(host, int(port))
    c.pop()
    c.send(b"USER " + user.encode("latin-1") + b"\r\n"); assert c.pop().startswith(b"+OK")
    c.send(b"PASS " + pw.encode("latin-1") + b"\r\n"); assert c.pop().startswith(b"+OK")
    c.send(b"STAT\r\n"); c.pop()
    c.send(b"LIST\r\n")
    if c.pop().startswith(b"+OK"):
        c.multiline()
    if retr:
        c.send(b"RETR " + retr.encode() + b"\r\n")
        if c.pop().startswith(b"+OK"):
            c.multiline()
    c.send(b"QUIT\r\n"); c.pop()
    c.close()


def pop3s_alt(host="127.0.0.1", port="1995"):
    """POP3 over implicit TLS on an unusual port (poplib.POP3_SSL)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    p = poplib.POP3_SSL(host, int(port), context=ctx, timeout=10)
    p.set_debuglevel(1)
    p.user("carol@example.test")
    p.pass_("c4rol#9")
    p.stat()
    p.retr(1)
    p.quit()


# ------------------------------------------------ 3. TLS not checked -----
def starttls_454(host="127.0.0.3", port="25"):
    """Postfix with an unreadable certificate: STARTTLS advertised, answered
    `454 4.7.0 TLS not available due to local problem`; the client goes on
    in clear text: AUTH PLAIN user1/secret1 and a mail."""
    c = Raw(host, int(port))
    c.smtp()
    ehlo(c)
    code, _ = smtp_cmd(c, b"STARTTLS")
    assert code == 454, code
    ehlo(c)
    assert smtp_cmd(c, b"AUTH PLAIN " + b64("\0user1\0secret1").encode())[0] == 235
    assert smtp_cmd(c, b"MAIL FROM:<user1@example.test>")[0] == 250
    assert smtp_cmd(c, b"RCPT TO:<carol@example.test>")[0] == 250
    assert smtp_cmd(c, b"DATA")[0] == 354
    c.send(b"From: user1@example.test\r\nTo: carol@example.test\r\n"
           b"Subject: sent after a refused STARTTLS\r\n\r\nthis went in clear text\r\n.\r\n")
    assert c.smtp()[0] == 250
    smtp_cmd(c, b"QUIT")
    c.close()


def starttls_220_plain(host="127.0.0.1", port="25", expect="scripted"):
    """STARTTLS answered 220, then the client does NOT start TLS: it sends
    EHLO, AUTH PLAIN user1/secret1 and a mail in clear text.
    expect=scripted: hostile_server.py also goes on in clear text.
    expect=postfix: real Postfix waits for a ClientHello, fails the handshake
    on the clear text and closes; the client's lines are never answered."""
    c = Raw(host, int(port))
    c.smtp()
    ehlo(c)
    code, _ = smtp_cmd(c, b"STARTTLS")
    assert code == 220, code
    if expect == "postfix":
        # EHLO and AUTH in one segment (as a pipelining client writes them)
        c.send(b"EHLO client.example.test\r\nAUTH PLAIN "
               + b64("\0user1\0secret1").encode() + b"\r\n")
        c.quiet(2)
        c.close()
        return
    ehlo(c)
    assert smtp_cmd(c, b"AUTH PLAIN " + b64("\0user1\0secret1").encode())[0] == 235
    assert smtp_cmd(c, b"MAIL FROM:<user1@example.test>")[0] == 250
    assert smtp_cmd(c, b"RCPT TO:<carol@example.test>")[0] == 250
    assert smtp_cmd(c, b"DATA")[0] == 354
    c.send(b"Subject: after STARTTLS 220, still clear text\r\n\r\nno TLS here\r\n.\r\n")
    assert c.smtp()[0] == 250
    smtp_cmd(c, b"QUIT")
    c.close()


def plain_465(host="127.0.0.1", port="465"):
    """Port 465 served by a Postfix smtpd NOT in wrapper mode: a plain-text
    SMTP banner; EHLO, AUTH LOGIN carol@example.test/c4rol#9, a mail."""
    c = Raw(host, int(port))
    c.smtp()
    ehlo(c)
    assert smtp_cmd(c, b"AUTH LOGIN")[0] == 334
    assert smtp_cmd(c, b64("carol@example.test").encode())[0] == 334
    assert smtp_cmd(c, b64("c4rol#9").encode())[0] == 235
    assert smtp_cmd(c, b"MAIL FROM:<carol@example.test>")[0] == 250
    assert smtp_cmd(c, b"RCPT TO:<user1@example.test>")[0] == 250
    assert smtp_cmd(c, b"DATA")[0] == 354
    c.send(b"Subject: plain text on 465\r\n\r\nno TLS on the TLS port\r\n.\r\n")
    assert c.smtp()[0] == 250
    smtp_cmd(c, b"QUIT")
    c.close()


def stls_refused(host="127.0.0.2", port="110"):
    """Dovecot with ssl = no for this local address: STLS answered
    `-ERR TLS support isn't enabled.`; USER/PASS follow in clear."""
    c = Raw(host, int(port))
    c.pop()
    c.send(b"CAPA\r\n"); c.pop(); c.multiline()
    c.send(b"STLS\r\n"); assert c.pop().startswith(b"-ERR")
    c.send(b"USER user2\r\n"); assert c.pop().startswith(b"+OK")
    c.send(b"PASS pa ss2!\r\n"); assert c.pop().startswith(b"+OK")
    c.send(b"STAT\r\n"); c.pop()
    c.send(b"QUIT\r\n"); c.pop()
    c.close()


# ------------------------------------------------------ 4. smuggling -----
SMUGGLE_SEP = {"lf-dot-lf": b"\n.\n", "cr-dot-crlf": b"\r.\r\n",
               "lf-dot-crlf": b"\n.\r\n", "crlf-dot-lf": b"\r\n.\n"}


def smuggle(variant, host="127.0.0.1", port="25"):
    """One DATA body whose text holds <sep> MAIL FROM / RCPT TO / DATA and a
    second message, then a real CRLF.CRLF; body+smuggled part in one send."""
    sep = SMUGGLE_SEP[variant]
    c = Raw(host, int(port))
    c.smtp()
    ehlo(c)
    assert smtp_cmd(c, b"MAIL FROM:<carol@example.test>")[0] == 250
    assert smtp_cmd(c, b"RCPT TO:<user1@example.test>")[0] == 250
    assert smtp_cmd(c, b"DATA")[0] == 354
    body = (b"From: carol@example.test\r\nTo: user1@example.test\r\n"
            b"Subject: first message (" + variant.encode() + b")\r\n\r\nfirst body" + sep
            + b"MAIL FROM:<admin@example.test>\r\nRCPT TO:<user2@example.test>\r\nDATA\r\n"
            + b"From: admin@example.test\r\nTo: user2@example.test\r\n"
            + b"Subject: smuggled\r\n\r\nsmuggled body\r\n.\r\n")
    c.send(body)
    if not c.quiet(1.5):      # one 250, or 250 250 250 354 250, or a reject
        try:
            smtp_cmd(c, b"QUIT")
        except (OSError, EOFError) as e:
            log("C:", "<%s>" % e)
    c.close()


def smuggle_stuffed():
    """One DATA body past what a record keeps (6 KB of lines), then, in the
    same segment, a dot-stuffed line holding a bare CR and a dot: the line
    is checked as a look-alike and its leading dot removed once."""
    c = Raw("127.0.0.1", 25)
    c.smtp()
    ehlo(c)
    assert smtp_cmd(c, b"MAIL FROM:<carol@example.test>")[0] == 250
    assert smtp_cmd(c, b"RCPT TO:<user1@example.test>")[0] == 250
    assert smtp_cmd(c, b"DATA")[0] == 354
    filler = b"".join(b"filler line %03d of a long body, to fill the record first\r\n" % i
                      for i in range(100))
    body = (b"From: carol@example.test\r\nTo: user1@example.test\r\n"
            b"Subject: a stuffed line with a bare CR\r\n\r\n" + filler
            + b"..stuffed\r.after a bare CR\r\n"
            + b"..and a plain stuffed line\r\nlast line\r\n.\r\n")
    c.send(body)
    assert c.smtp()[0] == 250
    smtp_cmd(c, b"QUIT")
    c.close()


# ----------------------------------------------------------- 5. BDAT -----
def bdat_start(host, port):
    c = Raw(host, int(port))
    c.smtp()
    ehlo(c)
    assert smtp_cmd(c, b"MAIL FROM:<carol@example.test>")[0] == 250
    assert smtp_cmd(c, b"RCPT TO:<user1@example.test>")[0] == 250
    return c


def bdat_bad(case, host="127.0.0.1", port="25"):
    """A BDAT command Postfix cannot parse; data sent with it as a pipelining
    client would.  Postfix: 521 and disconnect."""
    data = {
        "bogus-keyword": b"BDAT 5 X\r\nhello",
        "scramble": b"BDAT 1234 SCRAMBLE\r\n" + (b"RCPT TO:<admin@example.test>\r\n"
                                               b"AUTH PLAIN " + b64("\0scramble\0scramblepw").encode()
                                               + b"\r\n" + b"x" * 1234)[:1234],
        "nonnumeric": b"BDAT abc\r\n",
        "negative": b"BDAT -1\r\n",
    }[case]
    c = bdat_start(host, port)
    c.send(data)
    c.quiet(1)
    try:
        c.send(b"QUIT\r\n")
        c.quiet(1)
    except OSError as e:
        log("C:", "<%s>" % e)
    c.close()


def bdat_short(host="127.0.0.1", port="25"):
    """BDAT 100 LAST followed by only 40 octets; the client waits (no reply
    comes), then sends QUIT (which is chunk data, octets 41-46), waits, and
    closes.  Postfix never answers the BDAT."""
    c = bdat_start(host, port)
    chunk = b"Subject: short chunk\r\n\r\njust 40 octets\r\n"
    assert len(chunk) == 40
    c.send(b"BDAT 100 LAST\r\n" + chunk)
    c.quiet(1.5)
    c.send(b"QUIT\r\n")
    c.quiet(1.5)
    c.close()


def bdat_chunks(host="127.0.0.1", port="25"):
    """A normal message in 27 BDAT chunks (26 x BDAT n, then BDAT m LAST),
    cut mid-line; one chunk holds a lone "." line and one starts with
    "MAIL FROM:" text - both are message data in BDAT (no dot-stuffing, no
    end marker)."""
    msg = (b"From: carol@example.test\r\nTo: user1@example.test\r\n"
           b"Subject: twenty-seven chunks\r\nMessage-ID: <bdat27@example.test>\r\n\r\n"
           + b"".join(b"chunked line %02d of the BDAT message\r\n" % i for i in range(1, 11))
           + b".\r\n"
           + b"MAIL FROM:<admin@example.test> is body text here\r\n"
           + b"..two dots stay two dots\r\n"
           + b"".join(b"chunked line %02d of the BDAT message\r\n" % i for i in range(11, 21))
           + b"end.\r\n")
    # 27 chunk boundaries: fixed cut points so the "." and "MAIL" lines
    # start chunks of their own
    dot = msg.index(b"\r\n.\r\n") + 2
    mail = msg.index(b"MAIL FROM:<admin")
    cuts = sorted(set([dot, mail] + [len(msg) * k // 25 for k in range(1, 25)]))
    chunks = [msg[a:b] for a, b in zip([0] + cuts, cuts + [len(msg)])]
    assert len(chunks) == 27 and b"".join(chunks) == msg
    c = bdat_start(host, port)
    for i, ch in enumerate(chunks):
        last = i == len(chunks) - 1
        c.send(b"BDAT %d%s\r\n" % (len(ch), b" LAST" if last else b"") + ch)
        code, _ = c.smtp()
        assert code == 250, code
    smtp_cmd(c, b"QUIT")
    c.close()


# ------------------------------------------------ 6. greeting, pairing ---
def greet_postscreen_quiet(host="127.0.0.4", port="25", src="127.0.0.11"):
    """postscreen: `220-` teaser, 2 s, then smtpd's `220 `; the client waits
    for the final line, then EHLO, AUTH PLAIN user1/secret1, QUIT."""
    c = Raw(host, int(port), src=src)
    code, lines = c.smtp()
    assert code == 220 and len(lines) == 2, lines
    ehlo(c)
    assert smtp_cmd(c, b"AUTH PLAIN " + b64("\0user1\0secret1").encode())[0] == 235
    smtp_cmd(c, b"QUIT")
    c.close()


def greet_postscreen_early(host="127.0.0.4", port="25", src="127.0.0.12"):
    """The client answers postscreen's `220-` teaser line at once with EHLO,
    without waiting for the last greeting line: postscreen logs PREGREET
    and its built-in SMTP engine takes over (enforce)."""
    c = Raw(host, int(port), src=src)
    c.line()                       # "220-mail.example.test ESMTP Postfix"
    c.send(b"EHLO early.example.test\r\n", pause=0)
    c.quiet(3)
    for l in (b"MAIL FROM:<carol@example.test>", b"RCPT TO:<user1@example.test>",
              b"DATA", b"QUIT"):
        try:
            c.send(l + b"\r\n")
            if c.quiet(1):
                break
        except OSError as e:
            log("C:", "<%s>" % e)
            break
    c.close()


def greet_smtpd_early_auth(host="127.0.0.9", port="25"):
    """Real Postfix smtpd (no postscreen) whose banner comes 1 s late
    (smtpd_client_restrictions = sleep 1 at connect time): EHLO and AUTH
    PLAIN with a wrong password sent before the banner, in one segment;
    then (after the 220, 250 and 535) AUTH PLAIN with the right password
    -> 235, a mail, QUIT."""
    c = Raw(host, int(port), early=b"EHLO early.example.test\r\nAUTH PLAIN "
            + b64("\0user1\0wrong-before-banner").encode() + b"\r\n")
    assert c.smtp()[0] == 220
    assert c.smtp()[0] == 250
    assert c.smtp()[0] == 535
    assert smtp_cmd(c, b"AUTH PLAIN " + b64("\0user1\0secret1").encode())[0] == 235
    assert smtp_cmd(c, b"MAIL FROM:<user1@example.test>")[0] == 250
    assert smtp_cmd(c, b"RCPT TO:<carol@example.test>")[0] == 250
    assert smtp_cmd(c, b"DATA")[0] == 354
    c.send(b"Subject: after an early talker\r\n\r\nhello\r\n.\r\n")
    assert c.smtp()[0] == 250
    smtp_cmd(c, b"QUIT")
    c.close()


def pairing_scripted(host="127.0.0.1", port="25"):
    """Against hostile_server.py auth-before-banner: AUTH PLAIN (wrong
    password) before the banner; the server answers 220 then 535; the client
    retries with the right password -> 235; QUIT."""
    c = Raw(host, int(port), early=b"AUTH PLAIN " + b64("\0user1\0wrong-before-banner").encode() + b"\r\n")
    assert c.smtp()[0] == 220
    assert c.smtp()[0] == 535
    assert smtp_cmd(c, b"AUTH PLAIN " + b64("\0user1\0secret1").encode())[0] == 235
    smtp_cmd(c, b"QUIT")
    c.close()


def pipelining_unadvertised(host="127.0.0.5", port="25", strict=""):
    """EHLO reply without PIPELINING (smtpd_discard_ehlo_keywords), client
    pipelines anyway.  strict="": MAIL+RCPT+RCPT+DATA in one segment,
    Postfix answers them.  strict="1" (smtpd_forbid_unauth_pipelining=yes):
    EHLO+MAIL+RCPT in one segment right after the banner."""
    c = Raw(host, int(port))
    c.smtp()
    if strict:
        c.send(b"EHLO client.example.test\r\nMAIL FROM:<carol@example.test>\r\n"
               b"RCPT TO:<user1@example.test>\r\n")
        c.quiet(1.5)
        c.close()
        return
    ehlo(c)
    c.send(b"MAIL FROM:<carol@example.test>\r\nRCPT TO:<user1@example.test>\r\n"
           b"RCPT TO:<nobody@example.test>\r\nDATA\r\n")
    for want in (250, 250, 550, 354):
        assert c.smtp()[0] == want
    c.send(b"Subject: pipelined without PIPELINING\r\n\r\nhi\r\n.\r\nQUIT\r\n")
    c.smtp(); c.smtp()
    c.close()


# ------------------------------------------- 7/8. AUTH LOGIN base --------
def auth_login_base(host="127.0.0.1", port="587"):
    """Two connections: AUTH LOGIN carol@example.test with c4rol#8 -> 535,
    then with c4rol#9 -> 235.  Input of hostile_rewrite.py."""
    for pw in ("c4rol#8", "c4rol#9"):
        c = Raw(host, int(port))
        c.smtp()
        ehlo(c)
        assert smtp_cmd(c, b"AUTH LOGIN")[0] == 334
        assert smtp_cmd(c, b64("carol@example.test").encode())[0] == 334
        smtp_cmd(c, b64(pw).encode())
        smtp_cmd(c, b"QUIT")
        c.close()
        time.sleep(0.2)


# --------------------------------------------------- 9. header limits ----
def big_headers(host="127.0.0.1", smtp_port="25", pop_port="110"):
    """smtplib sends one mail to dave@example.test whose To: holds 300
    addresses folded over 300 lines (~20 KB of header before Subject) and
    whose Subject is 300+ bytes folded over 3 lines; Postfix delivers it
    to dave's maildir; POP3 USER dave / RETR 1 reads it back."""
    to = ",\r\n ".join('"Recipient Number %03d of the big list" <recipient%03d@example.test>'
                       % (i, i) for i in range(1, 301))
    subj = ("A subject that is much longer than two hundred and fifty-six bytes, "
            "folded\r\n over three lines: it keeps going with words so that any "
            "analyzer that\r\n cuts header values at 256 bytes shows only part of it,"
            " and it goes on for a while longer still, past three hundred bytes;"
            " the real end of the subject is this marker: END-OF-SUBJECT")
    msg = ("From: carol@example.test\r\nTo: " + to + "\r\nSubject: " + subj
           + "\r\nDate: Tue, 14 Nov 2023 23:00:00 +0000\r\n"
           "Message-ID: <big-headers.1@example.test>\r\n\r\n"
           "Body after 20 KB of headers.\r\n")
    hdr_before_subject = msg.index("\r\nSubject:")
    log("info", "header bytes before Subject: %d, Subject line bytes (folded): %d"
        % (hdr_before_subject, len("Subject: " + subj)))
    s = smtplib.SMTP(host, int(smtp_port), local_hostname="client.example.test", timeout=10)
    s.set_debuglevel(1)
    s.sendmail("carol@example.test", ["dave@example.test"], msg.encode())
    s.quit()
    for _ in range(50):            # wait for local delivery
        c = Raw(host, int(pop_port))
        c.pop()
        c.send(b"USER dave\r\n"); c.pop()
        c.send(b"PASS d4ve-pw\r\n"); c.pop()
        c.send(b"STAT\r\n")
        n = c.pop()
        if not n.startswith(b"+OK 0 "):
            break
        c.send(b"QUIT\r\n"); c.pop(); c.close()
        time.sleep(0.2)
    c.send(b"RETR 1\r\n"); c.pop(); c.multiline()
    c.send(b"QUIT\r\n"); c.pop()
    c.close()


# ------------------------------------------------- 10. 0xff is data ------
def pop3_ff(host="127.0.0.1", port="110"):
    """No telnet anywhere: USER user1 / PASS p\\0ss\\xff\\xfe-tail (rejected),
    then USER eve / PASS p\\xff\\xfew0rd\\xff\\xff! (eve's real password,
    accepted), STAT, QUIT."""
    c = Raw(host, int(port))
    c.pop()
    for line in (b"USER user1", b"PASS p\x00ss\xff\xfe-tail", b"USER eve",
                 b"PASS p\xff\xfew0rd\xff\xff!", b"STAT", b"QUIT"):
        c.send(line + b"\r\n")
        c.pop()
    c.close()


# ----------------------------------------------------- 11. snaplen -------
def snaplen_sessions(host="127.0.0.1"):
    """POP3: USER user1 / PASS wrong -> -ERR, USER/PASS right -> +OK, STAT,
    RETR 1, QUIT.  SMTP 587: AUTH PLAIN wrong -> 535, AUTH LOGIN right ->
    235, a mail, QUIT."""
    c = Raw(host, 110)
    c.pop()
    for line, ok in ((b"USER user1", True), (b"PASS wrong-password-here", False),
                     (b"USER user1", True), (b"PASS secret1", True)):
        c.send(line + b"\r\n")
        assert c.pop().startswith(b"+OK") == ok
    c.send(b"STAT\r\n"); c.pop()
    c.send(b"RETR 1\r\n"); c.pop(); c.multiline()
    c.send(b"QUIT\r\n"); c.pop(); c.close()
    time.sleep(0.2)
    c = Raw(host, 587)
    c.smtp()
    ehlo(c)
    assert smtp_cmd(c, b"AUTH PLAIN " + b64("\0user1\0wrong-password-here").encode())[0] == 535
    assert smtp_cmd(c, b"AUTH LOGIN")[0] == 334
    assert smtp_cmd(c, b64("user1").encode())[0] == 334
    assert smtp_cmd(c, b64("secret1").encode())[0] == 235
    assert smtp_cmd(c, b"MAIL FROM:<user1@example.test>")[0] == 250
    assert smtp_cmd(c, b"RCPT TO:<carol@example.test>")[0] == 250
    assert smtp_cmd(c, b"DATA")[0] == 354
    c.send(b"Subject: captured with a small snaplen\r\n\r\nline one of the body\r\n.\r\n")
    assert c.smtp()[0] == 250
    smtp_cmd(c, b"QUIT")
    c.close()


if __name__ == "__main__":
    a = sys.argv[1:]
    {
        "notmail-tls-bait": notmail_tls_bait,
        "pop3-simple": pop3_simple,
        "pop3s-alt": pop3s_alt,
        "starttls-454": starttls_454,
        "starttls-220-plain": starttls_220_plain,
        "plain-465": plain_465,
        "stls-refused": stls_refused,
        "smuggle": smuggle,
        "smuggle-stuffed": smuggle_stuffed,
        "bdat-bad": bdat_bad,
        "bdat-short": bdat_short,
        "bdat-chunks": bdat_chunks,
        "greet-postscreen-quiet": greet_postscreen_quiet,
        "greet-postscreen-early": greet_postscreen_early,
        "greet-smtpd-early-auth": greet_smtpd_early_auth,
        "pairing-scripted": pairing_scripted,
        "pipelining-unadvertised": pipelining_unadvertised,
        "auth-login-base": auth_login_base,
        "big-headers": big_headers,
        "pop3-ff": pop3_ff,
        "snaplen-sessions": snaplen_sessions,
    }[a[0]](*a[1:])
