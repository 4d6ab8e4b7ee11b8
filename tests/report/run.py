#!/usr/bin/env python3
"""tests/report/run.py BIN - the lab report (-z report, -z report,html)
and the -z statistics as a reader meets them:

- the HTML of every sample parses as XML (xml.etree: every tag closed,
  attributes quoted, entities known) and has the sections and one SVG
  ladder per connection;
- a hostile capture (HTML and Markdown markup, terminal escapes, bidi
  controls, U+FFFE in the server's and client's lines) injects nothing:
  no element or attribute the report did not write, no raw control
  byte, in HTML and Markdown; the markup shows as text;
- every capture in samples/ and samples/hostile/ gives a report that
  parses, with no raw control byte, and every -z exits 0;
- -T json -z ... prints one JSON object per report, each parseable;
- TLS: STARTTLS decrypted with a key log, implicit TLS without one, a
  wrong secret: the report says which and why;
- where Debian's chromium is installed, headless chromium opens the HTML
  and its DOM has the sections and SVG ladders (skipped with a reason
  otherwise).
Last line: "N passed, N failed, N skipped"."""
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "./mailsift")
TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = ["lab-pop3-telnet.pcap", "lab.pcapng", "smtp-auth-login.pcap",
           "smtp-telnet.pcap", "pop3-session.pcap"]
NS = {"h": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/2000/svg"}
# What the report writes, and nothing else may appear.
HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
             "p", "code", "section", "table", "thead", "tbody", "tr", "th", "td",
             "ul", "li", "strong", "pre", "svg", "text", "line", "polygon",
             "rect", "g"}
passed = failed = skipped = 0


def ok(cond, what, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL " + what + (": " + detail if detail else ""))


def skip(what):
    global skipped
    skipped += 1
    print("skip " + what)


def run(*args):
    p = subprocess.run([BIN] + list(args), cwd=TOP, capture_output=True,
                       env=dict(os.environ, TZ="UTC"))
    return p.returncode, p.stdout, p.stderr


def local(tag):
    return tag.split("}", 1)[-1]


# ---- a hostile capture ----

def ip_csum(h):
    s = 0
    for i in range(0, len(h), 2):
        s += (h[i] << 8) | h[i + 1]
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(src, dst, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq, ack, 5 << 4, flags,
                      65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64,
                     6, 0, src[0], dst[0])
    ip = ip[:10] + struct.pack("!H", ip_csum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + ip + tcp


EVIL = [
    ("S", b"220 <script>alert(1)</script> ESMTP \x1b]0;pwned\x07\x1b[31m\r\n"),
    ("C", b"EHLO </td></tr></table><img src=x onerror=alert(2)>\r\n"),
    ("S", b"250 ok \"'& <b>bold</b> \xe2\x80\xae\xef\xbf\xbe ]]> <!-- \r\n"),
    ("C", b"AUTH LOGIN\r\n"),
    ("S", b"334 VXNlcm5hbWU6\r\n"),
    # user "<svg onload=x>|`md`" base64
    ("C", b"PHN2ZyBvbmxvYWQ9eD58YG1kYA==\r\n"),
    ("S", b"334 UGFzc3dvcmQ6\r\n"),
    ("C", b"c2VjcmV0MQ==\r\n"),
    ("S", b"535 5.7.8 [x](javascript:alert(3)) | **bold** `tick`\r\n"),
    ("C", b"mail from <x>\r\n"),
    ("S", b"501 5.5.4 Syntax: MAIL FROM:<address>\r\n"),
    ("C", b"QUIT\r\n"),
    ("S", b"221 bye\r\n"),
]


def write_evil(path):
    cli, srv = (bytes([10, 0, 0, 1]), 40000), (bytes([10, 0, 0, 2]), 25)
    seq = {"C": 1000, "S": 5000}
    pkts = [frame(cli, srv, 999, 0, 0x02), frame(srv, cli, 4999, 1000, 0x12),
            frame(cli, srv, 1000, 5000, 0x10)]
    for who, data in EVIL:
        if who == "C":
            pkts.append(frame(cli, srv, seq["C"], seq["S"], 0x18, data))
        else:
            pkts.append(frame(srv, cli, seq["S"], seq["C"], 0x18, data))
        seq[who] += len(data)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)))
            f.write(p)


def no_controls(data):
    return [c for c in data if c < 0x20 and c not in (9, 10)]


def check_html(name, data, nstreams):
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        ok(False, name + ": HTML is well-formed XML", str(e))
        return None
    ok(True, name + ": HTML is well-formed XML")
    tags = {local(e.tag) for e in root.iter()}
    ok(tags <= HTML_TAGS, name + ": only the report's own elements",
       str(tags - HTML_TAGS))
    attrs = {a for e in root.iter() for a in e.attrib}
    ok(not [a for a in attrs if a.startswith("on")], name + ": no event handler attribute",
       str(attrs))
    secs = [e.get("id") for e in root.iter("{%s}section" % NS["h"])]
    ok("summary" in secs and "statistics" in secs and "comparison" in secs,
       name + ": summary, statistics and comparison sections", str(secs))
    streams = [s for s in secs if s and s.startswith("stream-")]
    ok(len(streams) == nstreams, name + ": one section per connection",
       "%d, want %d" % (len(streams), nstreams))
    svgs = root.findall(".//s:svg", NS)
    ok(len(svgs) == nstreams and all(s.findall(".//s:line", NS) for s in svgs),
       name + ": an SVG ladder with arrows per connection", str(len(svgs)))
    ok(not no_controls(data), name + ": no raw control byte")
    return root


def main():
    tmp = tempfile.mkdtemp()
    try:
        htmls = {}
        for s in SAMPLES:
            rc, out, err = run("-r", "samples/" + s, "-q", "-z", "sessions")
            nstreams = out.decode().count("\n") - 4
            rc, out, err = run("-r", "samples/" + s, "-q", "-z", "report,html")
            ok(rc == 0, s + ": -z report,html exits 0", err.decode()[:200])
            root = check_html(s, out, nstreams)
            path = os.path.join(tmp, s + ".html")
            with open(path, "wb") as f:
                f.write(out)
            htmls[s] = (path, nstreams)
            rc, md, err = run("-r", "samples/" + s, "-q", "-z", "report")
            ok(rc == 0 and md.startswith(b"# mailsift lab report\n")
               and b"## Statistics" in md and b"## Comparison of the sessions" in md,
               s + ": Markdown report has its sections")
            ok(not no_controls(md), s + ": Markdown has no raw control byte")
            rc, js, err = run("-r", "samples/" + s, "-q", "-T", "json", "-z", "sessions",
                              "-z", "ladder,0", "-z", "pop,stat", "-z", "smtp,stat")
            objs = [json.loads(l) for l in js.decode().splitlines()]
            ok([o["report"] for o in objs] == ["sessions", "ladder", "pop,stat", "smtp,stat"],
               s + ": -T json: one object per -z, in order")
            ok(len(objs[0]["sessions"]) == nstreams, s + ": JSON sessions match the text rows")

        # TLS: a STARTTLS session decrypted with its key log reads as a
        # clear one (login, commands), and says so; implicit TLS without
        # keys says why nothing is readable; a wrong secret says so.
        keys = ["--tls-keylog", "samples/tls12-smtp-starttls-587.keys"]
        rc, h, err = run("-r", "samples/tls12-smtp-starttls-587.pcap", "-q", "-z",
                         "report,html", *keys)
        root = check_html("tls-starttls", h, 1)
        path = os.path.join(tmp, "tls-starttls.html")
        with open(path, "wb") as f:
            f.write(h)
        htmls["tls12-smtp-starttls-587.pcap (decrypted)"] = (path, 1)
        if root is not None:
            text = " ".join(" ".join(root.itertext()).split())
            ok("Over: STARTTLS: plain text first, then TLS (decrypted with the key log)" in text
               and "LOGIN user1 (LOGIN): accepted" in text and "Client Hello" in text
               and "not readable" not in text,
               "tls-starttls: HTML says STARTTLS, decrypted; the login inside is there")
        rc, md, _ = run("-r", "samples/tls13-pop3s-995.pcap", "-q", "-z", "report")
        md = md.decode()
        ok("Over: implicit TLS from the first byte (encrypted: no key log given" in md
           and "| POP | implicit TLS, encrypted |" in md and "`pass " not in md,
           "tls-pop3s without keys: implicit TLS, encrypted, no command shown")
        rc, md, _ = run("-r", "samples/tls13-pop3s-995.pcap", "-q", "-z", "report",
                        "--tls-keylog", "samples/tls13-pop3s-995.keys")
        md = md.decode()
        ok("Over: implicit TLS from the first byte (decrypted with the key log)" in md
           and "| POP | implicit TLS, decrypted |" in md and "`pass secret1`" in md,
           "tls-pop3s with keys: implicit TLS, decrypted, the PASS lines shown")
        rc, md, _ = run("-r", "samples/tls-bad-wrong-secret.pcap", "-q", "-z", "report",
                        "--tls-keylog", "samples/tls-bad-wrong-secret.keys")
        md = md.decode()
        ok("(not decrypted: a record did not authenticate" in md
           and "(decrypted with the key log)" in md,
           "tls wrong secret: one session not decrypted and why, the other decrypted")

        # TLS to a server speaking clear text there (s_client to a plain
        # port): not called implicit TLS, the 500s explained.
        rc, md, _ = run("-r", "samples/smtp-plain-465.pcap", "-q", "-z", "report")
        md = md.decode()
        ok("| SMTP | TLS hello, plain reply |" in md
           and "the server answered in clear text and never in TLS" in md
           and md.count("**Why:** the server does not speak TLS on this port") == 3,
           "TLS to a plain port: said so, each 500 explained")

        # The lab sample: the telnet negotiation, the typed password and the
        # explained errors are in the report.
        rc, md, _ = run("-r", "samples/lab-pop3-telnet.pcap", "-q", "-z", "report")
        md = md.decode()
        ok("telnet negotiation: DO SUPPRESS-GO-AHEAD (RFC 858), DO ECHO (RFC 857)" in md,
           "lab: telnet options named with their RFCs")
        ok("typed `PASS secrex\u232bt1`, server received `PASS secrex\\x08t1`, meant `PASS secret1`"
           in md, "lab: a typed line shows the erase key and what the server got")
        ok("RFC 3206 response code \\[AUTH\\]" in md, "lab: -ERR [AUTH] explained (RFC 3206)")
        ok("key by key (telnet, character mode)" in md, "lab: comparison tells telnet typing")
        rc, md, _ = run("-r", "samples/lab-pop3-telnet.pcap", "-q", "--mask", "-z", "report")
        ok(b"secret1" not in md and b"wrongpass" not in md and b"****" in md,
           "--mask: no secret in the report")

        # Every capture in samples/ and samples/hostile/ (TLS, IMAP, gaps,
        # smuggling, broken IP): the HTML parses, neither format has a
        # raw control byte, each -z output exits 0.
        allp = sorted(glob.glob(os.path.join(TOP, "samples", "*.pcap*")) +
                      glob.glob(os.path.join(TOP, "samples", "hostile", "*.pcap*")))
        bad = []
        # a capture with its key log beside it: decrypted as well
        runs = [(f, []) for f in allp] + [
            (f, ["--tls-keylog", os.path.splitext(f)[0] + ".keys"]) for f in allp
            if os.path.exists(os.path.splitext(f)[0] + ".keys")]
        for f, extra in runs:
            rc1, h, _ = run("-r", f, "-q", "-z", "report,html", *extra)
            rc2, m, _ = run("-r", f, "-q", "-z", "report", "-z", "sessions",
                            "-z", "smtp,stat", "-z", "pop,stat", "-z", "ladder,0", *extra)
            try:
                ET.fromstring(h)
            except ET.ParseError as e:
                bad.append("%s: %s" % (os.path.basename(f), e))
                continue
            if rc1 or rc2 or no_controls(h) or no_controls(m):
                bad.append("%s: exit %d/%d or a control byte" % (os.path.basename(f), rc1, rc2))
        ok(not bad and len(allp) > 50 and len(runs) > len(allp),
           "%d captures (%d with their key log): every report parses, no control byte, "
           "exit 0" % (len(allp), len(runs) - len(allp)),
           "; ".join(bad[:3]))

        # Hostile bytes.
        evil = os.path.join(tmp, "evil.pcap")
        write_evil(evil)
        rc, out, err = run("-r", evil, "-q", "-z", "report,html")
        root = check_html("hostile", out, 1)
        if root is not None:
            text = "".join(root.itertext())
            ok("<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text,
               "hostile: markup shows as text")
            ok("\\x1b]0;pwned\\x07" in text and "\\u202e" in text and "\\ufffe" in text,
               "hostile: escapes, bidi and U+FFFE shown escaped")
            ok("the colon after FROM is missing" in text,
               "hostile: 501 after 'mail from <x>' explained")
        rc, md, err = run("-r", evil, "-q", "-z", "report")
        ok(not no_controls(md), "hostile: Markdown has no raw control byte")
        mdt = md.decode()
        # every hostile line is inside a code span or a fence: no bare tag
        bare = [l for l in mdt.splitlines()
                if "<script>" in l and not l.startswith(" ") and "`" not in l]
        ok(not bare, "hostile: Markdown keeps markup in code", repr(bare[:2]))
        ok("| `` <svg onload=x>\\|`md` `` |" in mdt,
           "hostile: user in a table cell: a code span, '|' escaped")

        # Chromium, where Debian's package is installed.
        chrome = shutil.which("chromium") or shutil.which("chromium-browser")
        flags = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
        probe = None
        if chrome:
            try:
                probe = subprocess.run([chrome] + flags + ["--dump-dom",
                                       "data:text/html,<p>probe</p>"],
                                       capture_output=True, timeout=120)
            except (OSError, subprocess.TimeoutExpired) as e:
                probe = e
        if not chrome:
            skip("report/chromium: not installed (apt-get install chromium); HTML checked as well-formed XML only")
        elif not isinstance(probe, subprocess.CompletedProcess) or b"probe" not in probe.stdout:
            skip("report/chromium: installed but does not run headless here: %s" %
                 (probe.stderr.decode(errors="replace")[-200:]
                  if isinstance(probe, subprocess.CompletedProcess) else probe))
        else:
            chosen = [k for k in htmls if k in ("lab-pop3-telnet.pcap", "lab.pcapng")
                      or "decrypted" in k]
            for s, (path, nstreams) in [(k, htmls[k]) for k in chosen] + [("hostile", (None, 1))]:
                if path is None:
                    path = os.path.join(tmp, "evil.html")
                    with open(path, "wb") as f:
                        f.write(out)
                p = subprocess.run([chrome] + flags + ["--dump-dom", "file://" + path],
                                   capture_output=True, timeout=120)
                dom = p.stdout.decode(errors="replace")
                ok(p.returncode == 0 and 'id="statistics"' in dom and 'id="comparison"' in dom
                   and dom.count("<svg") == nstreams and dom.count('class="stream"') == nstreams,
                   s + ": chromium DOM has the sections and %d SVG ladder(s)" % nstreams,
                   p.stderr.decode(errors="replace")[-300:])
                if s == "hostile":
                    ok("<script" not in dom and "<img" not in dom and "<b>" not in dom
                       and "&lt;script&gt;alert(1)&lt;/script&gt;" in dom,
                       "hostile: chromium DOM has the markup as text, no element")
    finally:
        shutil.rmtree(tmp)
    print("report: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
