#!/usr/bin/env python3
"""Tiny SCRIPTED SMTP (587) + POP3 (110) server offering AUTH XOAUTH2 and
OAUTHBEARER (stdlib only).  No real server on this machine offers these
mechanisms, so scenario #7 (oauth.pcap) uses this one.  It accepts exactly
one bearer token, ya29.mailsift-GOOD-token, for any user; every other token
gets the usual error dance:
  SMTP  XOAUTH2/OAUTHBEARER: 334 <base64 JSON error>, client sends an empty
        line (XOAUTH2) or AQ== (OAUTHBEARER), then 535 5.7.8
  POP3  XOAUTH2: + <base64 JSON error>, client sends an empty line, -ERR
usage: oauth_server.py [HOST ...]   (default 127.0.0.1; runs until killed)
"""
import base64
import json
import socketserver
import sys
import threading

GOOD = "ya29.mailsift-GOOD-token"
HOST = "mail.example.test"


def parse(mech, b64):
    try:
        raw = base64.b64decode(b64, validate=True).decode()
    except Exception:
        return None, None
    user = tok = None
    if mech == "OAUTHBEARER":
        gs2, _, rest = raw.partition("\x01")
        for f in gs2.split(","):
            if f.startswith("a="):
                user = f[2:]
        kvs = rest.split("\x01")
    else:
        kvs = raw.split("\x01")
    for kv in kvs:
        if kv.startswith("user="):
            user = kv[5:]
        elif kv.startswith("auth=Bearer "):
            tok = kv[12:]
    return user, tok


def err_json(mech):
    if mech == "OAUTHBEARER":
        j = {"status": "invalid_token", "scope": "https://mail.example.test/",
             "openid-configuration": "https://auth.example.test/.well-known/openid-configuration"}
    else:
        j = {"status": "401", "schemes": "Bearer", "scope": "https://mail.example.test/"}
    return base64.b64encode(json.dumps(j, separators=(",", ":")).encode()).decode()


class Base(socketserver.StreamRequestHandler):
    disable_nagle_algorithm = True

    def out(self, s):
        self.wfile.write(s.encode() + b"\r\n")
        self.wfile.flush()

    def inp(self):
        l = self.rfile.readline()
        if not l:
            raise EOFError
        return l.decode("latin-1").rstrip("\r\n")


class SMTP(Base):
    def handle(self):
        try:
            self.out(f"220 {HOST} ESMTP mailsift scripted OAuth test server")
            while True:
                l = self.inp()
                v = l.split(" ", 1)[0].upper()
                if v in ("EHLO", "HELO"):
                    self.out(f"250-{HOST}\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
                             "250-AUTH XOAUTH2 OAUTHBEARER\r\n250-8BITMIME\r\n250 SMTPUTF8")
                elif v == "AUTH":
                    p = l.split(" ")
                    mech = p[1].upper()
                    ir = p[2] if len(p) > 2 else None
                    if ir is None:
                        self.out("334 ")
                        ir = self.inp()
                    user, tok = parse(mech, ir)
                    if tok == GOOD:
                        self.out("235 2.7.0 Accepted")
                    else:
                        self.out("334 " + err_json(mech))
                        self.inp()  # "" or AQ==
                        self.out("535 5.7.8 Username and Password not accepted (invalid token)")
                elif v in ("MAIL", "RCPT", "RSET", "NOOP"):
                    self.out("250 2.1.0 OK")
                elif v == "DATA":
                    self.out("354 Go ahead")
                    while self.inp() != ".":
                        pass
                    self.out("250 2.0.0 OK queued as OAUTH1")
                elif v == "QUIT":
                    self.out("221 2.0.0 closing connection")
                    return
                else:
                    self.out("502 5.5.1 Unrecognized command")
        except EOFError:
            pass


class POP3(Base):
    def handle(self):
        try:
            self.out("+OK mailsift scripted OAuth POP3 server ready")
            authed = False
            while True:
                l = self.inp()
                v = l.split(" ", 1)[0].upper()
                if v == "CAPA":
                    self.out("+OK\r\nUSER\r\nSASL XOAUTH2 OAUTHBEARER\r\nUIDL\r\n.")
                elif v == "AUTH":
                    p = l.split(" ")
                    mech = p[1].upper()
                    ir = p[2] if len(p) > 2 else None
                    if ir is None:
                        self.out("+ ")
                        ir = self.inp()
                    user, tok = parse(mech, ir)
                    if tok == GOOD:
                        authed = True
                        self.out("+OK Welcome.")
                    else:
                        self.out("+ " + err_json(mech))
                        self.inp()
                        self.out("-ERR [AUTH] Invalid credentials.")
                elif v == "STAT" and authed:
                    self.out("+OK 1 312")
                elif v == "QUIT":
                    self.out("+OK Bye")
                    return
                else:
                    self.out("-ERR Unknown command")
        except EOFError:
            pass


class TS(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    hosts = sys.argv[1:] or ["127.0.0.1"]
    for h in hosts:
        for port, cls in ((587, SMTP), (110, POP3)):
            s = TS((h, port), cls)
            threading.Thread(target=s.serve_forever, daemon=True).start()
    print("oauth_server ready", flush=True)
    threading.Event().wait()
