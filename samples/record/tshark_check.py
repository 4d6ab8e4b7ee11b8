#!/usr/bin/env python3
"""What tshark (the reference) sees in the samples: the check behind README.

    tshark_check.py [-d DIR] [-s] NAME...      (NAME = capture without .pcap)

For each capture: packets; per TLS handshake (ServerHello) the stream, version,
suite, session ID, extensions that matter (ETM 22, EMS 23, ticket 35) and
whether it resumed; how many TLS application-data records tshark could NOT
decrypt; then every SMTP / POP / IMAP line tshark dissects, in frame order
("C" client, "S" server).  NAME.keys is used as tls.keylog_file when present;
with -s the key log is instead made from NAME.sclient.txt alone: one
"RSA Session-ID:<id> Master-Key:<key>" line per SSL-Session block that has both
(the TLS 1.2 printouts; TLS 1.3 blocks carry a Resumption PSK, no Master-Key).
"""
import json
import os
import subprocess
import sys
import tempfile

SERVER_PORTS = {25, 465, 587, 110, 995, 143, 993}


def tshark(pcap, keys, filt, fields, extra=()):
    """Rows of field values ('|'-joined when a field occurs several times)."""
    cmd = ["tshark", "-r", pcap, "-n"]
    if keys:
        cmd += ["-o", "tls.keylog_file:" + keys]
    cmd += list(extra) + ["-Y", filt, "-T", "json"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True).stdout.decode("utf-8", "replace")
    rows = []
    for pkt in json.loads(out or "[]"):
        lay = pkt["_source"]["layers"]
        rows.append(["|".join(lay.get(f, [])) for f in fields])
    return rows


def show(t):
    """Printable: control characters and undecodable bytes as \\xNN."""
    return "".join(c if (c.isprintable() and c != "\ufffd") else
                   "\\x%02x" % ord(c) if ord(c) < 256 else "\\u%04x" % ord(c)
                   for c in t)


# captures tshark would not dissect as mail without a hint
DECODE_AS = {"smtp-plain-465": ["-d", "tcp.port==465,smtp"]}


def sclient_keys(txt, out):
    sid, lines = None, []
    for l in open(txt):
        w = l.split()
        if w[:1] == ["Session-ID:"]:
            sid = w[1] if len(w) > 1 else None
        elif w[:1] == ["Master-Key:"] and len(w) > 1 and sid:
            lines.append("RSA Session-ID:%s Master-Key:%s\n" % (sid, w[1]))
            sid = None
    with open(out, "w") as f:
        f.writelines(lines)
    return len(lines)


def check(d, name, from_sclient=False):
    pcap = os.path.join(d, name + ".pcap")
    keys = os.path.join(d, name + ".keys")
    keys = keys if os.path.exists(keys) else None
    if from_sclient:
        keys = os.path.join(tempfile.mkdtemp(), name + ".from-sclient.keys")
        n = sclient_keys(os.path.join(d, name + ".sclient.txt"), keys)
        print("-- key log made from %s.sclient.txt: %d Session-ID/Master-Key line%s"
              % (name, n, "" if n == 1 else "s"))
    n = len(tshark(pcap, None, "frame", ["frame.number"]))
    print("== %s (%d packets%s)" % (name, n, ", keys " + os.path.basename(keys) if keys else ""))
    hs = tshark(pcap, keys, "tls.handshake.type == 2",
                ["frame.number", "tcp.stream", "tls.handshake.extensions.supported_version",
                 "tls.handshake.version", "tls.handshake.ciphersuite",
                 "tls.handshake.session_id", "tls.handshake.extension.type"])
    ch = {r[1]: r[2] for r in tshark(pcap, None, "tls.handshake.type == 1",
                                     ["frame.number", "tcp.stream", "tls.handshake.session_id"])}
    certs = {r[0] for r in tshark(pcap, None, "tls.handshake.type == 11", ["tcp.stream"])}
    for fr, st, sv, v, cs, sid, ext in hs:
        ver = {"0x0304": "TLS 1.3", "0x0303": "TLS 1.2"}.get(sv or v, sv or v)
        exts = set(ext.split("|")) if ext else set()
        flags = [x for x, e in (("ETM", "22"), ("EMS", "23"), ("ticket-ext", "35")) if e in exts]
        resumed = ver == "TLS 1.2" and sid and sid == ch.get(st) and st not in certs
        print("  tls: stream %s frame %s %s suite %s session-id %s %s%s"
              % (st, fr, ver, cs, (sid[:16] + "...") if sid else "(empty)",
                 ",".join(flags) or "-", " RESUMED" if resumed else ""))
    # TLS 1.2 records say content_type 23, TLS 1.3 ones opaque_type 23; a
    # record tshark decrypted shows the mail protocol, a handshake message
    # (TLS 1.3 encrypted handshake, tickets) or an alert
    undec = tshark(pcap, keys, "(tls.record.content_type == 23 || tls.record.opaque_type == 23)"
                   " && !(smtp || pop || imap) && !tls.handshake && !tls.alert_message",
                   ["frame.number"])
    if hs or undec:
        print("  tls: frames with application data tshark did not decrypt: %d%s"
              % (len(undec), (" (" + ",".join(r[0] for r in undec[:12])
                              + (",..." if len(undec) > 12 else "") + ")") if undec else ""))
    extra = DECODE_AS.get(name, [])
    if extra:
        print("  (tshark option %s: port 465 is not SMTP to tshark by default)" % " ".join(extra))
    rows = tshark(pcap, keys, "smtp || pop || imap", extra=extra, fields=
                  ["frame.number", "tcp.stream", "tcp.srcport",
                   "smtp.req.command", "smtp.req.parameter", "smtp.response.code",
                   "smtp.rsp.parameter", "smtp.auth.username", "smtp.auth.password",
                   "smtp.data.fragment", "imf.subject",
                   "pop.request.command", "pop.request.parameter",
                   "pop.response.indicator", "pop.response.description",
                   "imap.line", "_ws.col.Info"])
    pend = []

    def flush():
        if pend:
            (a, b), (st, side), n = pend
            print("  %5s s%s %s: (%d segment%s up to frame %s: no fields of their own)"
                  % (a, st, side, n, "s" if n > 1 else "", b))
            pend[:] = []

    for r in rows:
        r += [""] * (17 - len(r))
        (fr, st, sp, sc, spar, rc, rpar, au, ap, frag, subj,
         pc, ppar, pi, pdesc, iline, info) = r
        side = "S" if int(sp or 0) in SERVER_PORTS else "C"
        parts = []
        if sc:
            parts.append(("%s %s" % (sc, spar)).strip())
        if rc:
            parts.append("%s %s" % (rc.split("|")[-1], rpar.split("|")[0][:60]
                                    + (" ..." if "|" in rpar else "")))
        if au:
            parts.append("auth.username=%s" % au)
        if ap:
            parts.append("auth.password=%s" % ap)
        if subj:
            parts.append("imf Subject: %s" % subj)
        elif frag:
            parts.append("DATA fragment")
        if pc:
            parts.append(("%s %s" % (pc, ppar)).strip())
        if pi:
            parts.append(("%s %s" % (pi, pdesc)).strip()[:90])
        if iline:
            ls = [x.rstrip("\r\n") for x in iline.split("|")]
            parts.append(ls[0][:100] + (" [+%d lines]" % (len(ls) - 1) if len(ls) > 1 else ""))
        if not parts:
            # a segment tshark only shows as part of a reassembled reply
            if pend and pend[1] == (st, side):
                pend[0][1] = fr
                pend[2] += 1
            else:
                flush()
                pend[:] = [[fr, fr], (st, side), 1]
            continue
        flush()
        print("  %5s s%s %s: %s" % (fr, st, side, show(" / ".join(parts))))
    flush()


def main():
    a = sys.argv[1:]
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    if a[:1] == ["-d"]:
        d, a = a[1], a[2:]
    sc = a[:1] == ["-s"]
    if sc:
        a = a[1:]
    for name in a:
        check(d, name[:-5] if name.endswith(".pcap") else name, sc)


if __name__ == "__main__":
    main()
