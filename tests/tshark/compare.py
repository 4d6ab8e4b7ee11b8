#!/usr/bin/env python3
"""compare.py BIN [PCAP...] - mailsift's commands and reply codes against
tshark's smtp/pop/imap fields on the same captures.

For every frame where tshark decodes an SMTP/POP3 request command or a
response code/indicator, mailsift must report a record completed in that
frame with the same command (upper-cased) or code. Frames where the two
tools differ by design are not counted:
  - tshark decodes each keystroke segment of a typed line as a "command";
    mailsift reports the line once, in the frame that completed it;
  - lines inside an AUTH exchange are SASL data for mailsift (kind auth),
    tshark shows the base64 as a command;
  - a multi-line reply is one record in the frame of its last line;
  - Wireshark keeps 4 characters of an SMTP command ("STAR").
IMAP (imap.* fields, tshark 4.0's words as sent): every request tag and
command, response tag and status tshark shows in a frame is a record of
mailsift's completed in that frame; imap.response_to equals the
completion's request_in; imap.request.username and .password equal the
decoded LOGIN arguments where tshark's reading is right (it keeps the
quotes of a quoted user name and drops the first and last characters of
any password: compared only for quoted words without spaces or
escapes). Not counted, by design:
  - typed lines (every keystroke is a "request" to tshark) and SASL
    lines (auth records; tshark takes the base64 for a tag);
  - the frames of a command or response spanning literals (tshark shows
    each line after a literal as a request or response of its own:
    "user1 {7}" with tag "user1") and of a message literal (its lines
    are "requests" in APPEND, the ")" after it a "response", even in a
    later frame);
  - bytes after COMPRESS (tshark does not inflate; garbage lines).
Prints 'tshark: N passed, N failed' and exits 1 on a mismatch."""
import json, os, subprocess, sys

def tshark(pcap):
    out = subprocess.run(['tshark', '-n', '-r', pcap, '-Y', 'smtp || pop', '-T', 'fields',
                          '-E', 'occurrence=a', '-E', 'separator=\t',
                          '-e', 'frame.number', '-e', 'smtp.req.command', '-e', 'smtp.response.code',
                          '-e', 'pop.request.command', '-e', 'pop.response.indicator',
                          '-e', 'smtp.auth.username', '-e', 'smtp.auth.password'],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300).stdout
    rows = []
    for line in out.decode('utf-8', 'replace').splitlines():
        f = line.split('\t')
        f += [''] * (7 - len(f))
        rows.append(f)
    return rows

def mailsift(binp, pcap):
    out = subprocess.run([binp, '-r', pcap, '-T', 'json'], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, timeout=300).stdout
    cmds, codes, auth, typed = {}, {}, set(), set()
    for line in out.decode('utf-8', 'replace').splitlines():
        r = json.loads(line)
        fr = r['frame']
        if r['kind'] == 'command':
            cmds.setdefault(fr, set()).add(r.get('verb', ''))
            if r.get('segments', 1) > 1:
                typed.update(range(r['frames'][0], fr + 1))
                typed.update(r.get('packets', []))
        elif r['kind'] == 'auth':
            auth.add(fr)
            if r.get('segments', 1) > 1:
                typed.update(range(r['frames'][0], fr + 1))
        elif r['kind'] == 'reply':
            f = r.get('fields', {})
            c = f.get('smtp.response.code', f.get('pop.response.indicator'))
            if c is not None:
                codes.setdefault(fr, set()).add(str(c))
            for k in range(r['frames'][0], fr + 1):
                codes.setdefault(('in', k), set()).add(str(c))
        elif r['kind'] == 'body':
            typed.update(range(r['frames'][0], fr + 1))
    return cmds, codes, auth, typed

AGG = '\x1e'

def tshark_imap(pcap):
    out = subprocess.run(['tshark', '-n', '-r', pcap, '-Y', 'imap', '-T', 'fields',
                          '-E', 'occurrence=a', '-E', 'aggregator=' + AGG, '-E', 'separator=\t',
                          '-e', 'frame.number', '-e', 'imap.request_tag', '-e', 'imap.request.command',
                          '-e', 'imap.response_tag', '-e', 'imap.response.status',
                          '-e', 'imap.response_to', '-e', 'imap.request', '-e', 'imap.request.username',
                          '-e', 'imap.request.password'],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300).stdout
    rows = []
    # (not splitlines: it splits at the aggregator, \x1e, too)
    for line in out.decode('utf-8', 'replace').split('\n'):
        if not line:
            continue
        f = line.split('\t')
        f += [''] * (9 - len(f))
        rows.append([int(f[0])] + [[v for v in x.split(AGG) if v] for x in f[1:]])
    return rows

def words(text):
    return text.split('\n')[0].split()

def unquote(w):
    """A quoted word without spaces or escapes, unquoted; None if it is not
    one tshark reads right."""
    if len(w) >= 2 and w[0] == '"' and w[-1] == '"' and '\\' not in w:
        return w[1:-1]
    return None

def mailsift_imap(binp, pcap):
    out = subprocess.run([binp, '-r', pcap, '-T', 'json'], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, timeout=300).stdout
    cmds, rsps, skip = {}, {}, set()
    for line in out.decode('utf-8', 'replace').splitlines():
        r = json.loads(line)
        if r.get('proto') != 'imap':
            continue
        fr, first = r['frame'], r['frames'][0]
        k, f = r['kind'], r.get('fields', {})
        if k == 'auth' or 'compressed' in r.get('flags', []) or k == 'body':
            skip.update(range(first, fr + 1))
        if k in ('command', 'reply') and r.get('lines', 1) > 1:
            skip.update(range(first, fr + 1))
        if k == 'command' and r.get('segments', 1) > 1:
            skip.update(range(first, fr + 1))
            skip.update(r.get('packets', []))
        if k == 'command':
            cmds.setdefault(fr, []).append(r)
        elif k == 'reply':
            rsps.setdefault(fr, []).append(r)
    return cmds, rsps, skip

IMAP_SKIPPED = [0]

def compare_imap(binp, pcap):
    ok = bad = 0
    name = os.path.basename(pcap)
    cmds, rsps, skip = mailsift_imap(binp, pcap)
    def verdict(good, what):
        nonlocal ok, bad
        if good:
            ok += 1
        else:
            bad += 1
            print('%s %s' % (name, what))
    for fr, rtag, rcmd, stag, sstat, rto, req, user, pw in tshark_imap(pcap):
        if fr in skip:
            IMAP_SKIPPED[0] += sum(len(x) for x in (rtag, rcmd, stag, sstat, rto))
            continue
        mc = cmds.get(fr, [])
        ms = rsps.get(fr, [])
        ctags = [words(r['text'])[0] for r in mc if words(r['text'])]
        ccmds = [r['fields'].get('imap.request.command') for r in mc]
        for t in rtag:
            verdict(t in ctags, 'frame %d: tshark request tag %r, mailsift %s' % (fr, t, ctags))
        for c in rcmd:
            verdict(c in ccmds, 'frame %d: tshark command %r, mailsift %s' % (fr, c, ccmds))
        stags = [r['fields'].get('imap.response_tag') for r in ms]
        sstats = [r['fields'].get('imap.response.status') for r in ms]
        for t in stag:
            if t.startswith(')'):
                continue    # the rest of a FETCH after its message: no record
            verdict(t in stags, 'frame %d: tshark response tag %r, mailsift %s' % (fr, t, stags))
        for c in sstat:
            verdict(c in sstats, 'frame %d: tshark status %r, mailsift %s' % (fr, c, sstats))
        rins = [r.get('request_in') for r in ms if r['verb'] in ('OK', 'NO', 'BAD')]
        for v in rto:
            verdict(int(v) in rins, 'frame %d: tshark response_to %s, mailsift %s' % (fr, v, rins))
        # LOGIN: the words tshark reads right
        logins = [w for w in map(words, req) if len(w) >= 4 and w[1].upper() == 'LOGIN']
        musers = [r['fields'].get('imap.request.username') for r in mc]
        mpws = [r['fields'].get('imap.request.password') for r in mc]
        for w in logins:
            u = unquote(w[2]) if w[2].startswith('"') else (w[2] if '{' not in w[2] else None)
            if u is not None and w[2] in user:
                verdict(u in musers, 'frame %d: tshark user %r, mailsift %s' % (fr, w[2], musers))
            p = unquote(w[3])
            if p is not None and p in pw:
                verdict(p in mpws, 'frame %d: tshark password %r, mailsift %s' % (fr, p, mpws))
    return ok, bad

def main():
    binp = sys.argv[1]
    pcaps = sys.argv[2:]
    ok = bad = 0
    for pcap in pcaps:
        o, b = compare_imap(binp, pcap)
        ok += o
        bad += b
        cmds, codes, auth, skip = mailsift(binp, pcap)
        for fr, scmd, scode, pcmd, pind, auser, apass in tshark(pcap):
            fr = int(fr)
            if fr in skip or fr in auth or auser or apass:
                continue
            for c in filter(None, (scmd + ',' + pcmd).split(',')):
                # Wireshark's SMTP dissector keeps only 4 characters of a
                # command ("STAR" for STARTTLS).
                got = cmds.get(fr, set())
                if c.upper() in got or (len(c) == 4 and any(g.startswith(c.upper()) for g in got)):
                    ok += 1
                else:
                    bad += 1
                    print('%s frame %d: tshark command %r, mailsift %s' % (os.path.basename(pcap), fr, c, sorted(cmds.get(fr, []))))
            for c in filter(None, (scode + ',' + pind).split(',')):
                if c in codes.get(fr, set()) or c in codes.get(('in', fr), set()):
                    ok += 1
                else:
                    bad += 1
                    print('%s frame %d: tshark reply %r, mailsift %s' % (os.path.basename(pcap), fr, c, sorted(codes.get(fr, []))))
    if IMAP_SKIPPED[0]:
        print('imap: %d tshark values in typed, SASL, literal or compressed frames not compared'
              % IMAP_SKIPPED[0])
    print('tshark: %d passed, %d failed' % (ok, bad))
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
