#!/usr/bin/env python3
"""compare.py BIN [PCAP...] - mailsift's commands and reply codes against
tshark's smtp/pop fields on the same captures.

For every frame where tshark decodes an SMTP/POP3 request command or a
response code/indicator, mailsift must report a record completed in that
frame with the same command (as sent: case kept) or code. Frames where the two
tools differ by design are not counted:
  - tshark decodes each keystroke segment of a typed line as a "command";
    mailsift reports the line once, in the frame that completed it;
  - lines inside an AUTH exchange are SASL data for mailsift (kind auth),
    tshark shows the base64 as a command;
  - a multi-line reply is one record in the frame of its last line;
  - Wireshark keeps 4 characters of an SMTP command ("STAR");
  - tshark opens VXLAN-GPE (UDP 4790) and Geneve (UDP 6081) tunnels;
    mailsift counts them tunnel_unsupported and decodes nothing inside.
A capture with a key log beside it (X.pcap, X.keys) is read by both with
it (--tls-keylog, -o tls.keylog_file:), so what TLS carried is compared
too; so are the logins: every user name and password tshark decodes
(smtp.auth.*, POP3 USER/PASS) must be in one of mailsift's credentials.
tshark's view of a capture is read from NAME.tshark.tsv beside it when
there is one (tests/data/corpus: recorded with tshark 4.0.17, columns in
tests/data/corpus/SOURCES.md), else tshark is run; without tshark those
captures are skipped, one line each. With no PCAP arguments: samples/
and tests/data/corpus/.
Prints 'tshark: N passed, N failed[, N skipped]' and exits 1 on a
mismatch."""
import base64
import glob, json, os, re, shutil, subprocess, sys

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))

# Columns of the recorded NAME.tshark.tsv (tshark -T fields -e ...):
TSV_COLS = ['frame.number', 'ip.src', 'ipv6.src', 'tcp.stream', 'smtp.req.command',
            'smtp.req.parameter', 'smtp.response.code', 'smtp.auth.username',
            'smtp.auth.password', 'pop.request.command', 'pop.request.parameter',
            'pop.response.indicator']
# ... in the order tshark() below asks for them.
WANT = ['frame.number', 'smtp.req.command', 'smtp.response.code', 'pop.request.command',
        'pop.response.indicator', 'smtp.auth.username', 'smtp.auth.password',
        'pop.request.parameter']

def recorded(tsv):
    rows = []
    with open(tsv, 'rb') as f:
        for line in f.read().decode('utf-8', 'replace').splitlines():
            c = line.split('\t')
            if len(c) != len(TSV_COLS):
                raise ValueError('%s: %d columns, want %d' % (tsv, len(c), len(TSV_COLS)))
            # no tunnel ports in the recorded answers
            rows.append([c[TSV_COLS.index(k)] for k in WANT] + [''])
    return rows

def edit(v):
    """a typed line as the server read it: BS and DEL take back a key"""
    out = []
    for ch in v:
        if ch in '\b\x7f':
            if out:
                out.pop()
        else:
            out.append(ch)
    return ''.join(out)

def forms(v):
    """a value as tshark shows it, and what it may stand for: AUTH LOGIN's
    base64 (tshark 4.0 keeps it encoded), a typed line's edits"""
    v = v.encode('latin-1', 'replace').decode('unicode_escape', 'replace') if '\\x' in v else v
    out = {v, edit(v)}
    for w in list(out):
        try:
            out.add(base64.b64decode(w, validate=True).decode('utf-8', 'replace'))
        except Exception:
            pass
    return out

def found(v, pool):
    """v, as tshark shows it, is one of pool. tshark 4.0 shows a POP3
    parameter as ASCII: each byte of a UTF-8 character becomes U+FFFD,
    so there a U+FFFD stands for one byte of 0x80 or more."""
    if forms(v) & pool:
        return True
    if '\ufffd' not in v:
        return False
    pat = re.compile(b''.join(b'[\\x80-\\xff]' if ch == '\ufffd' else re.escape(ch.encode())
                              for ch in v) + b'$')
    return any(pat.match(w.encode()) for w in pool)

def keylog(pcap):
    k = os.path.splitext(pcap)[0] + '.keys'
    return k if os.path.exists(k) else None

# UDP ports of tunnels tshark decodes and mailsift does not (by design).
UNSUPPORTED_PORTS = {'4790', '6081'}

def tshark(pcap):
    opt = ['-o', 'tls.keylog_file:' + keylog(pcap)] if keylog(pcap) else []
    out = subprocess.run(['tshark', '-n', '-r', pcap] + opt + ['-Y', 'smtp || pop', '-T', 'fields',
                          '-E', 'occurrence=a', '-E', 'separator=\t',
                          '-e', 'frame.number', '-e', 'smtp.req.command', '-e', 'smtp.response.code',
                          '-e', 'pop.request.command', '-e', 'pop.response.indicator',
                          '-e', 'smtp.auth.username', '-e', 'smtp.auth.password',
                          '-e', 'pop.request.parameter', '-e', 'udp.dstport'],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300).stdout
    rows = []
    for line in out.decode('utf-8', 'replace').splitlines():
        f = line.split('\t')
        f += [''] * (9 - len(f))
        rows.append(f)
    return rows

def mailsift(binp, pcap):
    opt = ['--tls-keylog', keylog(pcap)] if keylog(pcap) else []
    out = subprocess.run([binp, '-r', pcap, '-T', 'json'] + opt, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, timeout=300).stdout
    cmds, codes, auth, typed = {}, {}, set(), set()
    users, secrets = set(), set()
    for line in out.decode('utf-8', 'replace').splitlines():
        r = json.loads(line)
        fr = r['frame']
        if r['kind'] == 'command':
            # the command field as sent (case kept), as tshark shows it
            f = r.get('fields', {})
            cmds.setdefault(fr, set()).add(f.get('smtp.req.command', f.get('pop.request.command', '')))
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
        elif r['kind'] == 'credential':
            users.add(r.get('user', ''))
            secrets.add(r.get('secret', ''))
    return cmds, codes, auth, typed, users, secrets

def main():
    binp = sys.argv[1]
    pcaps = sys.argv[2:] or sorted(glob.glob(os.path.join(TOP, 'samples', '*.pcap*')) +
                                   glob.glob(os.path.join(TOP, 'tests', 'data', 'corpus', '*.pcap*')))
    ok = bad = skipped = 0
    have_tshark = shutil.which('tshark') is not None
    for pcap in pcaps:
        tsv = os.path.splitext(pcap)[0] + '.tshark.tsv'
        if os.path.exists(tsv) and not keylog(pcap):
            rows = recorded(tsv)
        elif have_tshark:
            rows = tshark(pcap)
        else:
            skipped += 1
            print('skip tshark/%s: no tshark' % os.path.basename(pcap))
            continue
        cmds, codes, auth, skip, users, secrets = mailsift(binp, pcap)
        for fr, scmd, scode, pcmd, pind, auser, apass, pparam, uports in rows:
            fr = int(fr)
            # logins: what tshark decodes is in mailsift's credentials
            # (a typed line tshark saw per keystroke is not compared)
            logins = [(u, 'user') for u in filter(None, auser.split(','))] + \
                     [(p, 'secret') for p in filter(None, apass.split(','))]
            if pcmd.upper() in ('USER', 'PASS') and pparam and fr not in skip:
                logins.append((pparam, 'user' if pcmd.upper() == 'USER' else 'secret'))
            if UNSUPPORTED_PORTS & set(uports.split(',')):
                continue
            for v, what in logins:
                if found(v, users if what == 'user' else secrets):
                    ok += 1
                else:
                    bad += 1
                    print('%s frame %d: tshark %s %r not in mailsift\'s credentials' % (os.path.basename(pcap), fr, what, v))
            if fr in skip or fr in auth or auser or apass:
                continue
            for c in filter(None, (scmd + ',' + pcmd).split(',')):
                # Wireshark's SMTP dissector keeps only 4 characters of a
                # command ("STAR" for STARTTLS).
                got = cmds.get(fr, set())
                if c in got or (len(c) == 4 and any(g.startswith(c) for g in got)):
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
    print('tshark: %d passed, %d failed%s' % (ok, bad, ', %d skipped' % skipped if skipped else ''))
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
