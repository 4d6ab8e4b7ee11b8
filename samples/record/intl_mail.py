#!/usr/bin/env python3
"""International mails for the mailsift samples (stdlib only).

Every message is built with Python's `email` package (email.header.Header /
email.charset.Charset with the charset named), so the RFC 2047 encoded words
are what a real mail library writes.  The same messages are

  * put into olena's maildir by servers.sh   (intl_mail.py maildir DIR)
  * sent through Postfix by record.sh        (intl_mail.py smtp HOST PORT)
  * listed with their decoded truth          (intl_mail.py list)

usage: intl_mail.py maildir DIR | smtp HOST PORT | smtputf8 HOST PORT | list
"""
import email.charset
import email.header
import email.utils
import smtplib
import sys
from email.message import Message

B, Q = email.charset.BASE64, email.charset.QP

# (key, charset, header encoding, body encoding, subject, from name, to name, body)
MAILS = [
    ("koi8-u", "koi8-u", B, B, "Привіт, світ", "Олена Петренко", "Світлана",
     "Привіт, світ!\nЦе лист у кодуванні KOI8-U.\n"),
    ("utf-8-b", "utf-8", B, B, "Привіт, світ — 日本語のテスト — Grüße", "Олена Петренко",
     "Тарас Шевченко", "UTF-8, заголовки в Base64 (B).\n日本語のテスト\n"),
    ("utf-8-q", "utf-8", Q, Q, "Grüße aus Köln — Привіт", "Jürgen Größ", "Olena",
     "UTF-8, headers in quoted-printable (Q).\n"),
    ("koi8-r", "koi8-r", Q, Q, "Привет, мир", "Иван Петров", "Мария",
     "Привет, мир!\nЭто письмо в кодировке KOI8-R.\n"),
    ("windows-1251", "windows-1251", B, B, "Привіт, світ (1251)", "Олена Петренко",
     "Андрій", "Привіт, світ!\nЦе лист у кодуванні Windows-1251.\n"),
    ("iso-8859-1", "iso-8859-1", Q, Q, "Grüße aus Köln", "Jürgen Müller", "Renée Faß",
     "Grüße aus Köln!\nISO-8859-1.\n"),
    ("iso-8859-2", "iso-8859-2", Q, Q, "Zażółć gęślą jaźń", "Łukasz Żółkiewski",
     "Věra Dvořáková", "Zażółć gęślą jaźń.\nISO-8859-2.\n"),
    ("iso-8859-5", "iso-8859-5", B, B, "Привіт, світ (8859-5)", "Олена Петренко",
     "Світлана", "Привіт, світ!\nISO-8859-5.\n"),
    ("iso-8859-15", "iso-8859-15", Q, Q, "Grüße aus Köln, 5 €", "Jürgen Müller", "Chloé",
     "Das kostet 5 €.\nISO-8859-15.\n"),
    ("iso-2022-jp", "iso-2022-jp", B, None, "日本語のテスト", "山田太郎", "鈴木花子",
     "日本語のテストです。\n"),
    ("gb2312", "gb2312", B, B, "你好", "王小明", "李华", "你好，世界！\n"),
]
FROM_ADDR = "olena@example.test"
TO_ADDR = "olena@example.test"
BAD_SUBJECT = "=?UTF-8?B?!!!?= and =?x-unknown?Q?a?= and =?UTF-8?Q?ok_=C3=BC?="


def charset(name, henc, benc):
    c = email.charset.Charset(name)
    c.header_encoding = henc
    c.body_encoding = benc
    if name == "gb2312":
        # Python labels gb2312 with its codec name "eucgb2312_cn"; real mailers
        # (and this sample) say gb2312
        c.output_charset = c.output_codec = "gb2312"
    return c


def build():
    """[(key, Message)] in maildir / sending order; bodies use CRLF later."""
    out = []
    for i, (key, cs, henc, benc, subj, fname, tname, body) in enumerate(MAILS, 1):
        c = charset(cs, henc, benc)
        m = Message()
        m["From"] = email.header.Header(fname, c).encode() + " <olena@example.test>"
        m["To"] = email.header.Header(tname, c).encode() + " <olena@example.test>"
        m["Subject"] = email.header.Header(subj, c).encode()
        m["Date"] = "Wed, 15 Nov 2023 10:%02d:00 +0000" % i
        m["Message-ID"] = "<intl.%d.%s@example.test>" % (i, key)
        m["MIME-Version"] = "1.0"
        m.set_payload(body, c)
        out.append((key, m))
    m = Message()
    m["From"] = "=?x-unknown?Q?Nobody?= <olena@example.test>"
    m["To"] = "=?UTF-8?B?!!!?= <olena@example.test>"
    m["Subject"] = BAD_SUBJECT
    m["Date"] = "Wed, 15 Nov 2023 10:%02d:00 +0000" % (len(MAILS) + 1)
    m["Message-ID"] = "<intl.%d.bad-words@example.test>" % (len(MAILS) + 1)
    m["MIME-Version"] = "1.0"
    m["Content-Type"] = "text/plain; charset=us-ascii"
    m.set_payload("Broken encoded words: bad base64, unknown charset, and one good.\n")
    out.append(("bad-words", m))
    return out


def as_bytes(m):
    b = m.as_bytes()
    return b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def maildir(d):
    for i, (key, m) in enumerate(build(), 1):
        fn = "%s/17000002%02d.M%dP%d.mail.example.test:2,S" % (d, i, 100 + i, 100 + i)
        with open(fn, "wb") as f:
            f.write(b"Return-Path: <olena@example.test>\r\n" + as_bytes(m))


def smtp(host, port):
    """One SMTP session on port 25 (no AUTH): every mail to olena@example.test."""
    s = smtplib.SMTP(host, int(port), local_hostname="client.example.test", timeout=10)
    s.set_debuglevel(1)
    s.ehlo()
    for key, m in build():
        s.sendmail(FROM_ADDR, [TO_ADDR], as_bytes(m))
    s.quit()


def smtputf8(host, port):
    """SMTPUTF8: UTF-8 sender, one accepted and one unknown UTF-8 recipient,
    raw UTF-8 Subject (no encoded words)."""
    s = smtplib.SMTP(host, int(port), local_hostname="client.example.test", timeout=10)
    s.set_debuglevel(1)
    s.ehlo()
    assert s.has_extn("smtputf8")
    msg = ("From: Café <café@例え.example>\r\n"
           "To: Олена <олена@example.test>, пользователь@example.test\r\n"
           "Subject: Grüße, Привіт, 日本語のテスト\r\n"
           "Date: Wed, 15 Nov 2023 11:00:00 +0000\r\n"
           "Message-ID: <smtputf8.1@example.test>\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n"
           "\r\n"
           "Raw UTF-8 everywhere: café, Привіт, світ, 日本語.\r\n").encode("utf-8")
    refused = s.sendmail("café@例え.example", ["олена@example.test", "пользователь@example.test"],
                         msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    print("refused:", refused, file=sys.stderr)
    s.quit()


def listing():
    for i, (key, m) in enumerate(build(), 1):
        subj = m["Subject"]
        dec = str(email.header.make_header(email.header.decode_header(subj))) \
            if key != "bad-words" else "(undecodable parts)"
        print("%2d %-12s %s\n   From: %s\n   To: %s\n   -> %s\n   body CTE %s, %d octets"
              % (i, key, subj, m["From"], m["To"], dec,
                 m.get("Content-Transfer-Encoding", "7bit"),
                 len(b"Return-Path: <olena@example.test>\r\n" + as_bytes(m))))


if __name__ == "__main__":
    a = sys.argv[1:]
    {"maildir": lambda: maildir(a[1]), "smtp": lambda: smtp(a[1], a[2]),
     "smtputf8": lambda: smtputf8(a[1], a[2]), "list": listing}[a[0]]()
