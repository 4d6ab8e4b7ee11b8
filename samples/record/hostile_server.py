#!/usr/bin/env python3
"""Scripted SMTP servers for two hostile samples no real server produces
(stdlib only).  One connection, then exit.  Each reply is one sendall().

usage: hostile_server.py MODE ADDR PORT

  auth-before-banner   waits 0.5 s before its banner (the client has
                       already sent AUTH PLAIN by then), sends
                       `220 scripted.example.test ESMTP`, then answers
                       every AUTH PLAIN: 535 unless the password is
                       secret1 (235); QUIT -> 221.  Postfix cannot do this:
                       it answers an AUTH before EHLO with 503.
  starttls-plain       advertises STARTTLS, answers it `220 2.0.0 Ready to
                       start TLS` and then keeps speaking SMTP in clear
                       text (a broken or stripping server): EHLO 250,
                       AUTH PLAIN user1/secret1 235, MAIL/RCPT 250,
                       DATA 354 ... 250, QUIT 221.
Prints "ready" on stdout once listening, the dialogue on stderr.
"""
import base64
import socket
import sys
import time


def log(tag, data):
    print("%s %r" % (tag, data), file=sys.stderr, flush=True)


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    print("ready", flush=True)
    s, _ = ls.accept()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")

    def say(b):
        time.sleep(0.02)
        log("S:", b)
        s.sendall(b)

    if mode == "auth-before-banner":
        time.sleep(0.5)
    say(b"220 scripted.example.test ESMTP\r\n")
    in_data = False
    for line in f:
        log("C:", line)
        if in_data:
            if line == b".\r\n":
                in_data = False
                say(b"250 2.0.0 Ok: queued as SCRIPTED1\r\n")
            continue
        verb = line.split(b" ", 1)[0].strip().upper()
        if verb == b"EHLO":
            say(b"250-scripted.example.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n"
                b"250 AUTH PLAIN LOGIN\r\n")
        elif verb == b"STARTTLS":
            say(b"220 2.0.0 Ready to start TLS\r\n")
        elif verb == b"AUTH":
            resp = line.split()[2] if len(line.split()) > 2 else b""
            pw = base64.b64decode(resp).split(b"\0")[-1] if resp else b""
            if pw == b"secret1":
                say(b"235 2.7.0 Authentication successful\r\n")
            else:
                say(b"535 5.7.8 Error: authentication failed\r\n")
        elif verb == b"MAIL":
            say(b"250 2.1.0 Ok\r\n")
        elif verb == b"RCPT":
            say(b"250 2.1.5 Ok\r\n")
        elif verb == b"DATA":
            in_data = True
            say(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"QUIT":
            say(b"221 2.0.0 Bye\r\n")
            break
        else:
            say(b"502 5.5.2 Error: command not recognized\r\n")
    time.sleep(0.1)
    s.close()


if __name__ == "__main__":
    main()
