#!/usr/bin/env python3
"""The TLS student lab: `openssl s_client` typed line by line (stdlib only).

s_client runs on a pseudo-terminal in canonical mode, as in a terminal window:
each line is handed to s_client when Enter is pressed, and s_client sends it
as one TLS record (a bare LF at the end unless -crlf is given).  After each
command line the script waits for the server's reply, as a person would.

    tls_lab.py SCENARIO OUTDIR

writes OUTDIR/SCENARIO.keys (s_client -keylogfile, NSS key log format),
OUTDIR/SCENARIO.sclient.txt (every "SSL-Session:" block s_client printed,
in order) and OUTDIR/SCENARIO.log (the whole terminal).

s_client pitfall: unless -quiet, -ign_eof or -nocommands is given, a typed
line whose FIRST character is Q (quit: closes without sending), R
(renegotiate), k or K (TLS 1.3 key update) is a command for s_client and is
not sent.  The lab therefore types every command in lower case (`quit`,
`rcpt to:`, `retr 1`); typed() refuses a line that s_client would eat.
"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

PAUSE = 0.25          # "think time" before each typed line
HOST = "127.0.0.1"

SMTP = r"(?m)^[0-9]{3} [^\r\n]*\r*\n"
POP = r"(?m)^(\+OK|-ERR)[^\r\n]*\r*\n"
POPM = r"(?m)^\.\r*\n"


def IMAP(tag):
    return r"(?m)^%s (OK|NO|BAD)[^\r\n]*\r*\n" % re.escape(tag)


class SClient:
    def __init__(self, args, keylog, log):
        self.args = ["openssl", "s_client"] + args + ["-keylogfile", keylog]
        self.commands = not any(a in args for a in ("-quiet", "-ign_eof", "-nocommands"))
        self.log = log
        m, s = pty.openpty()
        log.write(("$ " + " ".join(self.args) + "\n").encode())
        self.p = subprocess.Popen(self.args, stdin=s, stdout=s, stderr=s,
                                  close_fds=True, start_new_session=True)
        os.close(s)
        self.m = m
        self.out = b""     # everything s_client printed
        self.mark = 0      # search for replies from here

    def _read(self, timeout):
        r, _, _ = select.select([self.m], [], [], timeout)
        if not r:
            return False
        try:
            d = os.read(self.m, 65536)
        except OSError:      # EIO: s_client exited
            d = b""
        if not d:
            raise EOFError
        self.out += d
        self.log.write(d)
        return True

    def wait(self, regex, timeout=15):
        rx = re.compile(regex.encode())
        end = time.time() + timeout
        while True:
            mo = rx.search(self.out, self.mark)
            if mo:
                self.mark = mo.end()
                return mo.group(0).decode("utf-8", "replace")
            if time.time() > end:
                raise TimeoutError("waiting for %r; tail: %r" % (regex, self.out[-300:]))
            try:
                self._read(0.2)
            except EOFError:
                raise EOFError("s_client exited waiting for %r; tail: %r"
                               % (regex, self.out[-300:]))

    def settle(self, quiet=0.6, timeout=10):
        """Read until s_client has printed nothing for `quiet` seconds (the
        handshake summary ends in several writes); `mark` stays put."""
        end = time.time() + timeout
        while time.time() < end:
            try:
                if not self._read(quiet):
                    return
            except EOFError:
                return

    def type(self, line, reply=None, command=False):
        """Type LINE and Enter; wait for REPLY (a regex) if given.  A line
        s_client takes as a command is refused unless command=True."""
        if self.commands and line[:1] in ("Q", "R", "k", "K") and not command:
            raise ValueError("s_client would take %r as a command" % line)
        time.sleep(PAUSE)
        self.mark = len(self.out)
        os.write(self.m, line.encode() + b"\r")     # Enter (ICRNL: CR -> LF)
        if reply:
            return self.wait(reply)
        return None

    def finish(self, timeout=10):
        end = time.time() + timeout
        while self.p.poll() is None and time.time() < end:
            try:
                self._read(0.2)
            except EOFError:
                break
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGTERM)
        rc = self.p.wait()
        try:
            while self._read(0.1):
                pass
        except EOFError:
            pass
        os.close(self.m)
        return rc

    def sessions(self):
        """The SSL-Session blocks (TLS 1.3: with their 'Post-Handshake ...' line)."""
        txt = self.out.decode("utf-8", "replace").replace("\r", "")
        blocks = re.findall(r"(?m)((?:^Post-Handshake New Session Ticket arrived:\n)?"
                            r"^SSL-Session:\n(?:^ [^\n]*\n|^\n)*?)(?=^---$)", txt)
        return [b.rstrip("\n") + "\n" for b in blocks]


# --------------------------------------------------------------- dialogues --
B64 = {  # base64 of what the student pastes
    "user1": "dXNlcjE=", "secret1": "c2VjcmV0MQ==",
    "plain user1": "AHVzZXIxAHNlY3JldDE=",          # \0user1\0secret1
    "plain user2": "AHVzZXIyAHBhIHNzMiE=",          # \0user2\0pa ss2!
    "carol": "Y2Fyb2xAZXhhbXBsZS50ZXN0", "c4rol#9": "YzRyb2wjOQ==",
}


def smtp_mail(c, auth, frm, to, subject):
    c.type("ehlo x", SMTP)
    if auth == "login user1":
        c.type("auth login", SMTP)
        c.type(B64["user1"], SMTP)
        assert c.type(B64["secret1"], SMTP).startswith("235")
    elif auth == "login carol":
        c.type("auth login", SMTP)
        c.type(B64["carol"], SMTP)
        assert c.type(B64["c4rol#9"], SMTP).startswith("235")
    elif auth == "plain user1":
        assert c.type("auth plain " + B64["plain user1"], SMTP).startswith("235")
    elif auth == "plain user2 (334)":
        assert c.type("auth plain", SMTP).startswith("334")
        assert c.type(B64["plain user2"], SMTP).startswith("235")
    assert c.type("mail from:<%s>" % frm, SMTP).startswith("250")
    assert c.type("rcpt to:<%s>" % to, SMTP).startswith("250")
    assert c.type("data", SMTP).startswith("354")
    c.type("Subject: " + subject)
    c.type("")
    c.type("Hello,")
    c.type("typed into openssl s_client.")
    assert c.type(".", SMTP).startswith("250")
    c.type("quit", SMTP)


def pop3_session(c, user, pw, wrong=None):
    if wrong:
        c.type("user " + user, POP)
        assert c.type("pass " + wrong, POP).startswith("-ERR")
    c.type("user " + user, POP)
    assert c.type("pass " + pw, POP).startswith("+OK")
    c.type("stat", POP)
    c.type("list", POP); c.wait(POPM)
    c.type("retr 1", POP); c.wait(POPM)
    c.type("quit", POP)


def imap_session(c, tls13=False):
    c.type("a1 capability", IMAP("a1"))
    assert " OK" in c.type("a2 login user1 secret1", IMAP("a2"))
    c.type("a3 select inbox", IMAP("a3"))
    c.type("a4 fetch 1 body[header]", IMAP("a4"))
    c.type("a5 logout", IMAP("a5"))


def keyupdate(c):
    """TLS 1.3: the s_client command letters k and K typed on purpose (key
    update, key update + ask the peer to update), then QUIT in capitals, which
    s_client takes as its own quit: the server never sees a QUIT command."""
    c.type("ehlo x", SMTP)
    assert c.type("auth plain " + B64["plain user1"], SMTP).startswith("235")
    c.type("k", "KEYUPDATE", command=True)
    assert c.type("mail from:<user1@example.test>", SMTP).startswith("250")
    c.type("K", "KEYUPDATE", command=True)
    assert c.type("rcpt to:<carol@example.test>", SMTP).startswith("250")
    assert c.type("data", SMTP).startswith("354")
    c.type("Subject: TLS 1.3 key update")
    c.type("")
    c.type("Two key updates so far.")
    assert c.type(".", SMTP).startswith("250")
    c.type("QUIT", "DONE", command=True)


def renegotiate(c):
    """TLS 1.2: RCPT TO typed in capitals -- s_client renegotiates instead of
    sending it; Postfix refuses (no_renegotiation alert), s_client gives up."""
    c.type("ehlo x", SMTP)
    c.type("auth login", SMTP)
    c.type(B64["user1"], SMTP)
    assert c.type(B64["secret1"], SMTP).startswith("235")
    assert c.type("mail from:<user1@example.test>", SMTP).startswith("250")
    c.type("RCPT TO:<carol@example.test>", "RENEGOTIATING", command=True)


STARTTLS_SMTP = ["-starttls", "smtp", "-connect"]
LAB12 = ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"]

# name: [(s_client args, dialogue), ...]  (several = several connections)
SCEN = {
    # A.1 the lab's command, as written on the sheet (no -crlf: lines end in LF)
    "tls12-smtp-starttls-587": [
        (STARTTLS_SMTP + [HOST + ":587"] + LAB12,
         lambda c: smtp_mail(c, "login user1", "user1@example.test", "carol@example.test",
                             "TLS lab, port 587"))],
    # A.1 the same on port 25, with -crlf (CR LF line ends)
    "tls12-smtp-starttls-25": [
        (STARTTLS_SMTP + [HOST + ":25", "-crlf"] + LAB12,
         lambda c: smtp_mail(c, "login user1", "user1@example.test", "carol@example.test",
                             "TLS lab, port 25"))],
    # A.2 TLS 1.3, one suite each
    "tls13-smtp-starttls-aes128gcm": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_3",
                          "-ciphersuites", "TLS_AES_128_GCM_SHA256"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "TLS 1.3 AES-128-GCM"))],
    "tls13-smtp-starttls-aes256gcm": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_3",
                          "-ciphersuites", "TLS_AES_256_GCM_SHA384"],
         lambda c: smtp_mail(c, "login carol", "carol@example.test", "user1@example.test",
                             "TLS 1.3 AES-256-GCM"))],
    "tls13-smtp-starttls-chacha20": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_3",
                          "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"],
         lambda c: smtp_mail(c, "plain user2 (334)", "user2@example.test", "user1@example.test",
                             "TLS 1.3 ChaCha20-Poly1305"))],
    # A.3 POP3S
    "tls12-pop3s-995": [
        (["-connect", HOST + ":995", "-crlf", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
         lambda c: (c.wait(POP), pop3_session(c, "user1", "secret1")))],
    "tls13-pop3s-995": [
        (["-connect", HOST + ":995", "-crlf", "-tls1_3"],
         lambda c: (c.wait(POP), pop3_session(c, "user1", "secret1", wrong="wrongpw")))],
    # A.4 POP3 STLS on 110 (TLS 1.3 by default)
    "tls-pop3-stls": [
        (["-starttls", "pop3", "-connect", HOST + ":110", "-crlf"],
         lambda c: pop3_session(c, "user2", "pa ss2!"))],
    # A.5 CBC suite, with and without encrypt-then-MAC (RFC 7366)
    "tls12-smtp-cbc-etm": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "CBC with encrypt-then-MAC"))],
    "tls12-smtp-cbc-noetm": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384",
                          "-no_etm"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "CBC, MAC-then-encrypt"))],
    # the s_client command-letter pitfall, recorded on purpose
    "tls13-smtp-keyupdate": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_3"], keyupdate)],
    "tls12-smtp-renegotiate": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf"] + LAB12, renegotiate)],
    # A.6 resumption, TLS 1.2: session ID (main 587: no tickets, session cache)
    "tls12-resume-sessid": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_2", "-no_ticket", "-sess_out", "@SESS"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "first connection")),
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_2", "-no_ticket", "-sess_in", "@SESS"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "resumed by session ID"))],
    # ... and session ticket (127.0.0.3:587 issues tickets)
    "tls12-resume-ticket": [
        (STARTTLS_SMTP + ["127.0.0.3:587", "-crlf", "-tls1_2", "-sess_out", "@SESS"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "first connection")),
        (STARTTLS_SMTP + ["127.0.0.3:587", "-crlf", "-tls1_2", "-sess_in", "@SESS"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "resumed by ticket"))],
    # A.8 a TLS session recorded WITHOUT any key log (keys go to a scratch file)
    "tls-bad-no-keys": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "nobody has the keys"))],
    # A.8 source for the wrong-secret / truncated / flipped-byte files: a
    # TLS 1.2 session and a TLS 1.3 session in one capture
    "tls-two-sessions": [
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "session one, TLS 1.2")),
        (STARTTLS_SMTP + [HOST + ":587", "-crlf", "-tls1_3"],
         lambda c: smtp_mail(c, "plain user1", "user1@example.test", "carol@example.test",
                             "session two, TLS 1.3"))],
    # B.6 IMAP STARTTLS on 143 and IMAPS on 993 (TLS 1.3)
    "tls-imap-starttls": [
        (["-starttls", "imap", "-connect", HOST + ":143", "-crlf"],
         lambda c: imap_session(c))],
    "tls13-imaps-993": [
        (["-connect", HOST + ":993", "-crlf", "-tls1_3"],
         lambda c: (c.wait(r"(?m)^\* OK[^\r\n]*\r*\n"), imap_session(c)))],
}


def main():
    name, outdir = sys.argv[1], sys.argv[2]
    keys = os.path.join(outdir, name + ".keys")
    sess = os.path.join(outdir, name + ".sess")
    for f in (keys, sess):
        if os.path.exists(f):
            os.remove(f)
    blocks = []
    with open(os.path.join(outdir, name + ".log"), "wb", buffering=0) as log:
        for i, (args, dialogue) in enumerate(SCEN[name]):
            args = [sess if a == "@SESS" else a for a in args]
            if i:
                time.sleep(0.5)
            c = SClient(args, keys, log)
            try:
                c.wait(r"(?m)^(New|Reused), (TLS|SSL)[^\r\n]*\r*\n")
                c.settle()
                dialogue(c)
            finally:
                rc = c.finish()
            print("%s connection %d: s_client exit %d" % (name, i, rc), file=sys.stderr)
            blocks += c.sessions()
    with open(os.path.join(outdir, name + ".sclient.txt"), "w") as f:
        f.write("---\n".join(blocks))
    if os.path.exists(sess):
        os.remove(sess)


if __name__ == "__main__":
    main()
