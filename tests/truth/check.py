#!/usr/bin/env python3
"""check.py [--bin BIN] [-v] [TRUTH.json ...] - mailsift against the truth
files of tests/data/corpus (schema mailcorpus-truth/1, see
tests/data/corpus/SOURCES.md).

For every NAME.truth.json (default: all in tests/data/corpus) it runs
`BIN -r NAME -T json` and compares, per TCP connection:

Generated captures (the truth file has `streams` with `exchanges`):
  flows     mailsift's connections are exactly the truth's streams;
  commands  the client's lines in order, each exactly: the command text
            (the edited line for typed ones), for typed lines also the
            raw bytes and the number of keystroke segments; SASL lines
            after a challenge as auth records; each SMTP message as a body
            record with its wire and message octets and line count;
  replies   the server's replies in order: code or +OK/-ERR/+, the whole
            first line, every line of a multi-line SMTP reply, the data
            lines of a multi-line POP3 reply, and for RETR/TOP the body
            (octets, lines);
  order     each reply comes after its command and before the next one,
            unless the truth says the next one was pipelined;
  pairing   each reply names (request_in) the frame of the command the
            truth pairs it with: a SASL challenge or verdict the AUTH
            command, a retrieved message its RETR/TOP, the reply after a
            message that message; the greeting names none;
  creds     the login attempts in order: mechanism, user, secret (digest
            for CRAM-MD5/APOP when the truth has one), verdict and the
            reply that decided it; no extra credential;
  octets    the records account for every payload byte of each
            direction, as the truth counted them.
Nothing is matched loosely: one missing, extra or different item fails.
Exchanges marked encrypted or not captured are left out.

Public captures (`origin`, `tcp_connections`; no ground truth):
  corpus    the file's SHA-256 and size are the ones recorded at import;
  flows     every connection mailsift reports is one of the capture's TCP
            connections, client and server the right way round, and every
            SMTP/POP3-port connection with payload both ways is reported.
Both kinds: the capture has the number of frames the truth records.

Prints "ok truth/NAME: ..." or "FAIL truth/NAME: ..." per file (with the
first differences), then "truth: commands A/B, replies C/D, credentials
E/F in N files" and "truth: N passed, N failed" (one check per aspect
and connection). Exit status 0 when everything matched.
"""
import argparse
import difflib
import glob
import hashlib
import json
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, '..', '..'))
CORPUS = os.path.join(TOP, 'tests', 'data', 'corpus')
MAIL_PORTS = {'smtp', 'pop3'}


# ---- byte strings: mailsift escapes, the truth writes text ----

HEX = set('0123456789abcdefABCDEF')


def unesc(s):
    """mailsift's escaped text -> bytes (mailsift(1), ESCAPING): \\\\ \\t
    \\r \\n, \\xNN a byte, \\uXXXX and \\UXXXXXXXX a character in UTF-8,
    anything else itself in UTF-8."""
    out = bytearray()
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == '\\' and i + 1 < n:
            d = s[i + 1]
            w = {'x': 2, 'u': 4, 'U': 8}.get(d)
            if w and len(s[i + 2:i + 2 + w]) == w and set(s[i + 2:i + 2 + w]) <= HEX:
                v = int(s[i + 2:i + 2 + w], 16)
                if d == 'x':
                    out.append(v)
                else:
                    out += chr(v).encode('utf-8', 'surrogatepass')
                i += 2 + w
                continue
            m = {'\\': 0x5c, 't': 9, 'r': 13, 'n': 10}.get(d)
            if m is not None:
                out.append(m)
                i += 2
                continue
        out += c.encode('utf-8')
        i += 1
    return bytes(out)


def truth_bytes(s):
    """The truth's text as bytes; it writes bytes that are not UTF-8 as
    \\xNN escapes, so both readings are possible."""
    a = s.encode('utf-8', 'surrogateescape')
    b = unesc(s)
    return (a,) if a == b else (a, b)


def same(got_bytes, truth_str):
    return truth_str is not None and got_bytes in truth_bytes(truth_str)


# ---- the capture itself ----

def count_frames(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '<' if magic[0] in (0xd4, 0x4d) else '>'
        off, n = 24, 0
        while off + 16 <= len(data):
            incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
            off += 16 + incl
            n += 1
        return n
    if magic == b'\x0a\x0d\x0d\x0a':
        off, n, e = 0, 0, '<'
        while off + 12 <= len(data):
            btype = struct.unpack(e + 'I', data[off:off + 4])[0]
            if btype == 0x0a0d0d0a:
                e = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
            blen = struct.unpack(e + 'I', data[off + 4:off + 8])[0]
            if btype in (2, 3, 6):          # PB, SPB, EPB
                n += 1
            if blen < 12:
                break
            off += blen
        return n
    return None


def run_mailsift(binp, pcap):
    p = subprocess.run([binp, '-r', pcap, '-T', 'json'], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=300)
    recs = []
    bad = 0
    for line in p.stdout.decode('utf-8', 'replace').splitlines():
        try:
            recs.append(json.loads(line))
        except ValueError:
            bad += 1
    return recs, p.returncode, bad, p.stderr.decode('utf-8', 'replace')


def flow_of(r):
    if r.get('dir') == 'C':
        return (r.get('src'), r.get('sport'), r.get('dst'), r.get('dport'))
    return (r.get('dst'), r.get('dport'), r.get('src'), r.get('sport'))


def key(ends):
    return (ends['client']['ip'], ends['client']['port'], ends['server']['ip'], ends['server']['port'])


# ---- what the truth says happened on one connection ----

def verb_of(cmd):
    return (cmd or '').split(' ', 1)[0].upper()


def expected(stream, proto):
    """(client items, server items, exchange index per item) in order."""
    cli, srv = [], []
    typing = [ln for ln in (stream.get('typing') or {}).get('lines', [])]
    ti = 0
    g = stream.get('greeting')
    if g:
        srv.append(dict(what='reply', ex=-1, code=g.get('code'), status=g.get('status'),
                        first=g.get('first_line'), lines=g.get('lines')))
    for i, e in enumerate(stream.get('exchanges', [])):
        if str(e.get('encrypted')) == 'True':
            continue
        kind = e.get('kind')
        typed = None
        if 'command' in e and typing and kind not in ('message-data',):
            if ti < len(typing):
                typed = typing[ti]
            ti += 1
        captured = str(e.get('captured', 'True')) != 'False' and \
            str(e.get('command_captured', 'True')) != 'False'
        if kind == 'message-data':
            cli.append(dict(what='body', ex=i, len=e.get('wire_octets'),
                            size=e.get('message_octets'), lines=e.get('lines')))
        elif kind == 'auth-data' and captured:
            cli.append(dict(what='auth', ex=i, text=e.get('command')))
        elif 'command' in e and captured:
            it = dict(what='command', ex=i, text=e.get('edited', e['command']))
            if 'raw' in e and 'edited' in e and e['edited'] != e['command']:
                raw = unesc(e['raw'])
                it['typed'] = raw[:-2] if raw.endswith(b'\r\n') else raw
            if typed is not None:
                it['segments'] = len(typed.get('segments', []))
            cli.append(it)
        rep = e.get('reply')
        if rep and str(rep.get('encrypted')) != 'True':
            # A retrieved message is a body record after the +OK line;
            # other multi-line replies carry their data lines.
            body = proto == 'pop3' and verb_of(e.get('command')) in ('RETR', 'TOP') \
                and rep.get('status') == '+OK' and rep.get('multiline')
            srv.append(dict(what='reply', ex=i, code=rep.get('code'), status=rep.get('status'),
                            first=rep.get('first_line'), lines=rep.get('lines'),
                            multi=rep.get('multiline') and not body, data=rep.get('data'),
                            data_lines=rep.get('data_lines')))
            if body:
                srv.append(dict(what='body', ex=i, size=rep.get('data_octets'),
                                lines=rep.get('data_lines')))
    return cli, srv


def got_items(recs):
    cli = [r for r in recs if r.get('dir') == 'C' and r.get('kind') in ('command', 'auth', 'body')]
    srv = [r for r in recs if r.get('dir') == 'S' and r.get('kind') in ('reply', 'body')]
    return cli, srv


def match_client(want, r):
    """'' when r is the item the truth wants, else what differs."""
    kind = {'command': 'command', 'auth': 'auth', 'body': 'body'}[want['what']]
    if r.get('kind') != kind:
        return 'a %s record, want %s' % (r.get('kind'), kind)
    if kind == 'body':
        diffs = ['%s %s, want %s' % (k, r.get(k2), want[k]) for k, k2 in
                 (('len', 'len'), ('size', 'size'), ('lines', 'lines'))
                 if want.get(k) is not None and r.get(k2) != want[k]]
        return '; '.join(diffs)
    text = unesc(r.get('text', ''))
    if not same(text, want['text']):
        return 'text %r, want %r' % (text, want['text'])
    if 'typed' in want and unesc(r.get('typed', '')) != want['typed']:
        return 'typed %r, want %r' % (unesc(r.get('typed', '')), want['typed'])
    if want.get('segments') is not None and r.get('segments') != want['segments']:
        return 'in %s segments, want %s' % (r.get('segments'), want['segments'])
    return ''


def reply_code(r):
    f = r.get('fields') or {}
    v = f.get('smtp.response.code', f.get('pop.response.indicator'))
    return v[0] if isinstance(v, list) and v else v


def match_server(want, r):
    if want['what'] == 'body':
        if r.get('kind') != 'body':
            return 'a %s record, want the retrieved message' % r.get('kind')
        d = ['%s %s, want %s' % (k, r.get(k), want[k]) for k in ('size', 'lines')
             if want.get(k) is not None and r.get(k) != want[k]]
        return '; '.join(d)
    if r.get('kind') != 'reply':
        return 'a %s record, want a reply' % r.get('kind')
    code = reply_code(r)
    wcode = want['code'] if want.get('code') is not None else want.get('status')
    if str(code) != str(wcode):
        return 'reply %s, want %s' % (code, wcode)
    lines = unesc(r.get('text', '')).split(b'\n')
    if want.get('first') is not None and not same(lines[0], want['first']):
        return 'first line %r, want %r' % (lines[0], want['first'])
    if want.get('lines') and (len(lines) != len(want['lines']) or
                              not all(same(a, b) for a, b in zip(lines, want['lines']))):
        return 'lines %r, want %r' % (lines, want['lines'])
    if want.get('multi') and want.get('data_lines') is not None:
        data = lines[1:]
        if len(data) != want['data_lines']:
            return '%d data lines, want %d' % (len(data), want['data_lines'])
        if want.get('data') is not None and len(want['data']) == want['data_lines'] and \
                not all(same(a, b) for a, b in zip(data, want['data'])):
            return 'data %r, want %r' % (data[:8], want['data'][:8])
    return ''


def compare_seq(label, want, got, match):
    """Exact, in order. Returns (matched, problems)."""
    probs = []
    n = min(len(want), len(got))
    for i in range(n):
        why = match(want[i], got[i])
        if why:
            probs.append('%s #%d (truth exchange %d): %s' % (label, i + 1, want[i]['ex'] + 1, why))
            break
    if not probs and len(want) != len(got):
        if len(got) > len(want):
            r = got[len(want)]
            probs.append('%s: %d extra, first: %s %r (frame %s)' % (
                label, len(got) - len(want), r.get('kind'), r.get('text', '')[:60], r.get('frame')))
        else:
            w = want[len(got)]
            probs.append('%s: %d missing, first: %s %r' % (
                label, len(want) - len(got), w['what'], w.get('text', w.get('first'))))
    if probs:
        ok = sum(1 for a, b in zip(want, got) if not match(a, b))
        return ok, probs
    return len(want), []


def check_order(stream, cli_w, srv_w, recs):
    """Each reply after its command, before the next command unless that
    one was pipelined with it. Positions in mailsift's record order."""
    pos = {id(r): k for k, r in enumerate(recs)}
    cli_g, srv_g = got_items(recs)
    cpos = {w['ex']: pos[id(r)] for w, r in zip(cli_w, cli_g)}
    rpos = {}
    for w, r in zip(srv_w, srv_g):
        if w['what'] == 'reply':
            rpos[w['ex']] = pos[id(r)]
    ex = stream.get('exchanges', [])
    probs = []
    for i in sorted(cpos):
        if i in rpos and not cpos[i] < rpos[i]:
            probs.append('order: reply to exchange %d (%r) comes before its command'
                         % (i + 1, ex[i].get('command')))
        j = i + 1
        if j in cpos and i in rpos:
            gi, gj = ex[i].get('pipelined_group'), ex[j].get('pipelined_group')
            pipelined = gi is not None and gi == gj
            if not pipelined and not rpos[i] < cpos[j]:
                probs.append('order: command of exchange %d (%r) comes before the reply to %d'
                             % (j + 1, ex[j].get('command', ex[j].get('kind')), i + 1))
    return probs


def check_pairing(stream, cli_w, srv_w, recs):
    """request_in of each reply and retrieved message against the frame
    of the client record the truth pairs it with."""
    cli_g, srv_g = got_items(recs)
    frame_of = {w['ex']: r.get('frame') for w, r in zip(cli_w, cli_g)}
    ex = stream.get('exchanges', [])
    probs = []
    for w, r in zip(srv_w, srv_g):
        j = w['ex']
        if j < 0:
            if r.get('request_in') is not None:
                probs.append('pairing: the greeting names request %s' % r.get('request_in'))
            continue
        # SASL lines belong to their AUTH command.
        while j > 0 and ex[j].get('kind') == 'auth-data':
            j -= 1
        if j not in frame_of:
            continue            # the command was not captured
        if r.get('request_in') != frame_of[j]:
            probs.append('pairing: %s %r (frame %s) answers frame %s, want %s (%r)' % (
                r.get('kind'), r.get('text', '')[:30], r.get('frame'), r.get('request_in'),
                frame_of[j], ex[j].get('command', ex[j].get('kind'))))
    return probs


def norm_mech(m):
    m = (m or '').upper()
    return m[5:] if m.startswith('AUTH ') else m


def check_creds(t, stream, recs):
    want = [c for c in t.get('credentials', [])
            if c.get('stream') == stream['stream'] and not c.get('encrypted')]
    got = [r for r in recs if r.get('kind') == 'credential']
    digests = {}
    for lg in stream.get('logins', []):
        if lg.get('digest'):
            digests[(norm_mech(lg.get('mechanism')), lg.get('username'))] = lg['digest']
    probs = []
    ok = 0
    for i, c in enumerate(want):
        if i >= len(got):
            probs.append('credential %s/%s (%s): missing' % (c.get('username'), c.get('password'),
                                                            c.get('mechanism')))
            continue
        g = got[i]
        mech = norm_mech(c.get('mechanism'))
        d = []
        if g.get('mech') != mech:
            d.append('mechanism %s, want %s' % (g.get('mech'), mech))
        if g.get('user') != c.get('username'):
            d.append('user %r, want %r' % (g.get('user'), c.get('username')))
        if mech in ('CRAM-MD5', 'APOP'):
            dg = digests.get((mech, c.get('username')))
            if dg is not None and g.get('secret') != dg:
                d.append('digest %r, want %r' % (g.get('secret'), dg))
        elif g.get('secret') != c.get('password'):
            d.append('secret %r, want %r' % (g.get('secret'), c.get('password')))
        verdict = {True: 'accepted', False: 'rejected'}.get(c.get('success'), 'unknown')
        if g.get('result') != verdict:
            d.append('verdict %s, want %s' % (g.get('result'), verdict))
        if c.get('server_reply') is not None and \
                not same(unesc(g.get('reply', '')).split(b'\n')[0], c['server_reply'].split('\n')[0]):
            d.append('decided by %r, want %r' % (g.get('reply'), c['server_reply']))
        if d:
            probs.append('credential #%d %s: %s' % (i + 1, c.get('username'), '; '.join(d)))
        else:
            ok += 1
    for g in got[len(want):]:
        probs.append('credential %s/%s (%s): not in the truth' % (g.get('user'), g.get('secret'),
                                                                 g.get('mech')))
    return ok, len(want), probs


class Tally:
    def __init__(self):
        self.passed = self.failed = 0
        self.n = {'cmd': [0, 0], 'rep': [0, 0], 'cred': [0, 0]}
        self.files = 0

    def check(self, ok, probs, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            probs.append(what)


def check_generated(t, recs, tally, probs):
    by_flow = {}
    for r in recs:
        by_flow.setdefault(flow_of(r), []).append(r)
    streams = {key(s): s for s in t['streams']}
    extra = [f for f in by_flow if f not in streams]
    tally.check(not extra, probs, 'flows: mailsift reports connections the truth does not have: %s'
                % extra)
    for k, s in sorted(streams.items(), key=lambda kv: kv[1]['stream']):
        tag = 'stream %d' % s['stream']
        rs = by_flow.get(k, [])
        proto = s.get('protocol')
        cli_w, srv_w = expected(s, proto)
        cli_g, srv_g = got_items(rs)
        ok1, p1 = compare_seq('command', cli_w, cli_g, match_client)
        ok2, p2 = compare_seq('reply', srv_w, srv_g, match_server)
        tally.n['cmd'][0] += ok1
        tally.n['cmd'][1] += len(cli_w)
        tally.n['rep'][0] += ok2
        tally.n['rep'][1] += len(srv_w)
        tally.check(not p1, probs, '%s: %s' % (tag, '; '.join(p1)))
        tally.check(not p2, probs, '%s: %s' % (tag, '; '.join(p2)))
        if not p1 and not p2:
            p3 = check_order(s, cli_w, srv_w, rs)
            tally.check(not p3, probs, '%s: %s' % (tag, '; '.join(p3)))
            p5 = check_pairing(s, cli_w, srv_w, rs)
            tally.check(not p5, probs, '%s: %s' % (tag, '; '.join(p5[:3])))
        ok4, n4, p4 = check_creds(t, s, rs)
        tally.n['cred'][0] += ok4
        tally.n['cred'][1] += n4
        tally.check(not p4, probs, '%s: %s' % (tag, '; '.join(p4)))
        cp = s.get('captured_payload')
        if cp:
            c = sum(r.get('len', 0) for r in rs if r.get('dir') == 'C')
            v = sum(r.get('len', 0) for r in rs if r.get('dir') == 'S')
            want = (cp.get('client_to_server_octets'), cp.get('server_to_client_octets'))
            tally.check((c, v) == want, probs,
                        '%s: octets: records hold %d client and %d server bytes, the capture %s and %s'
                        % (tag, c, v, want[0], want[1]))


def check_public(t, pcap, recs, tally, probs):
    o = t.get('origin') or {}
    if o.get('sha256'):
        with open(pcap, 'rb') as f:
            data = f.read()
        h = hashlib.sha256(data).hexdigest()
        tally.check(h == o['sha256'] and len(data) == o.get('octets', len(data)), probs,
                    'corpus: SHA-256 %s (%d bytes), imported as %s (%s bytes)'
                    % (h[:16], len(data), o['sha256'][:16], o.get('octets')))
    conns = {key(c): c for c in t.get('tcp_connections', [])}
    flows = {}
    for r in recs:
        flows.setdefault(flow_of(r), []).append(r)
    bad = []
    for f in flows:
        if f in conns:
            continue
        rev = (f[2], f[3], f[0], f[1])
        bad.append('%s:%s -> %s:%s%s' % (f + (' (client and server swapped)' if rev in conns else ' (no such connection)',)))
    tally.check(not bad, probs, 'flows: %s' % '; '.join(bad))
    missing = []
    for k, c in conns.items():
        cp = c.get('captured_payload') or {}
        if c.get('service_by_port') in MAIL_PORTS and cp.get('client_to_server_octets') \
                and cp.get('server_to_client_octets') and k not in flows:
            missing.append('%s:%s -> %s:%s' % k)
    tally.check(not missing, probs, 'flows: mail connections with payload not reported: %s'
                % '; '.join(missing))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--bin', default=os.path.join(TOP, 'mailsift'))
    ap.add_argument('-v', action='store_true', help='print every problem, not the first few')
    ap.add_argument('truth', nargs='*', help='truth files (default: tests/data/corpus/*.truth.json)')
    a = ap.parse_args()
    files = a.truth or sorted(glob.glob(os.path.join(CORPUS, '*.truth.json')))
    tally = Tally()
    for tf in files:
        with open(tf, encoding='utf-8') as f:
            t = json.load(f)
        name = os.path.basename(tf)[:-len('.truth.json')]
        probs = []
        if t.get('schema') != 'mailcorpus-truth/1':
            tally.check(False, probs, 'schema %r, want mailcorpus-truth/1' % t.get('schema'))
            print('FAIL truth/%s: %s' % (name, probs[0]))
            continue
        pcap = os.path.join(os.path.dirname(tf), t.get('file') or name + '.pcap')
        if not os.path.exists(pcap):
            tally.check(False, probs, 'no capture %s' % pcap)
            print('FAIL truth/%s: %s' % (name, probs[0]))
            continue
        tally.files += 1
        frames = (t.get('capture') or {}).get('frames')
        if frames is not None:
            n = count_frames(pcap)
            tally.check(n == frames, probs, 'capture: %s frames, the truth says %d' % (n, frames))
        recs, rc, badjson, err = run_mailsift(a.bin, pcap)
        tally.check(rc == 0 and badjson == 0, probs, 'mailsift: exit %s, %d lines not JSON%s'
                    % (rc, badjson, (': ' + err.strip().splitlines()[0]) if err.strip() else ''))
        generated = bool(t.get('streams')) and 'exchanges' in t['streams'][0]
        if generated:
            check_generated(t, recs, tally, probs)
            what = 'generated, %d connections' % len(t['streams'])
        else:
            check_public(t, pcap, recs, tally, probs)
            what = 'public, %d connections' % len(t.get('tcp_connections', []))
        if probs:
            print('FAIL truth/%s (%s):' % (name, what))
            for p in (probs if a.v else probs[:6]):
                print('    ' + p)
            if len(probs) > 6 and not a.v:
                print('    ... %d more (-v shows all)' % (len(probs) - 6))
        else:
            print('ok truth/%s (%s)' % (name, what))
    n = tally.n
    print('truth: commands %d/%d, replies %d/%d, credentials %d/%d in %d files' % (
        n['cmd'][0], n['cmd'][1], n['rep'][0], n['rep'][1], n['cred'][0], n['cred'][1], tally.files))
    print('truth: %d passed, %d failed' % (tally.passed, tally.failed))
    return 1 if tally.failed or not tally.files else 0


if __name__ == '__main__':
    sys.exit(main())
