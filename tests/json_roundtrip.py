#!/usr/bin/env python3
"""json_roundtrip.py BIN [CAPTURE...] - bytes -> JSON -> bytes.

For every capture in samples/ and tests/data/corpus/, or the ones named:
  - `BIN -r F -T json`: every line must parse with json.loads, and the
    whole output with jq (when installed);
  - every string of every record must decode back to bytes by the rule in
    mailsift(1), ESCAPING (a backslash not starting \\\\ \\t \\r \\n \\xNN
    \\uXXXX \\UXXXXXXXX is a failure), and "text_encoding":"escaped" must
    be present exactly when some string used \\x, \\u or \\U;
  - the decoded "text" of each client command, and of each one-line
    server reply, must be the bytes of a line of that TCP stream as
    tshark reassembles it (`tshark -q -z follow,tcp,raw,N`), found in
    order: the wire bytes, not mailsift's own output, are the reference.
    Lines mailsift does not show as sent are not compared: typed (telnet)
    lines, records cut at a limit, after a gap, or in a stream tshark
    does not reassemble the same way (flags below).

Prints per capture how many values were compared, then
'json_roundtrip: N passed, N failed'."""
import concurrent.futures, json, os, re, shutil, subprocess, sys

ESC = re.compile(r'\\(\\|t|r|n|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})')
# A record with one of these flags does not show the line as it was sent.
SKIP_FLAGS = {'telnet_iac', 'edited', 'gap', 'truncated', 'line_too_long',
              'masked', 'limit', 'memcap', 'overlap_conflict', 'midstream'}


class BadEscape(Exception):
    pass


def unescape(s):
    """The escaped text of a JSON value back to the bytes it stands for;
    also returns whether it held a \\x, \\u or \\U escape."""
    out, pos, hidden = bytearray(), 0, False
    for m in ESC.finditer(s):
        lit = s[pos:m.start()]
        if '\\' in lit:
            raise BadEscape(repr(s[:80]))
        out += lit.encode('utf-8')
        g = m.group(1)
        if g == '\\':
            out += b'\\'
        elif g in ('t', 'r', 'n'):
            out += {'t': b'\t', 'r': b'\r', 'n': b'\n'}[g]
        elif g[0] == 'x':
            out.append(int(g[1:], 16))
            hidden = True
        else:
            out += chr(int(g[1:], 16)).encode('utf-8')
            hidden = True
        pos = m.end()
    lit = s[pos:]
    if '\\' in lit:
        raise BadEscape(repr(s[:80]))
    out += lit.encode('utf-8')
    return bytes(out), hidden


def walk(v):
    """Every string in a JSON value."""
    if isinstance(v, str):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)
    elif isinstance(v, dict):
        for x in v.values():
            yield from walk(x)


def streams(pcap):
    """(addr, port, addr, port) -> tshark stream number, both directions."""
    p = subprocess.run(['tshark', '-n', '-r', pcap, '-Y', 'tcp', '-T', 'fields',
                        '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'ipv6.src',
                        '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst',
                        '-e', 'tcp.dstport'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
    m = {}
    for line in p.stdout.decode().splitlines():
        f = line.split('\t')
        if len(f) < 7 or not f[0]:
            continue
        src = (f[1] or f[2]).split(',')[-1]
        dst = (f[4] or f[5]).split(',')[-1]
        m.setdefault((src, f[3].split(',')[0], dst, f[6].split(',')[0]), int(f[0]))
    return m


def follow(pcap, ns):
    """{n: (node 0, [node 0's bytes, the other's])} for the streams ns,
    in one tshark run."""
    args = ['tshark', '-n', '-r', pcap, '-q']
    for n in sorted(ns):
        args += ['-z', 'follow,tcp,raw,%d' % n]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300)
    res = {}
    for block in p.stdout.decode().split('Follow: tcp,raw')[1:]:
        m = re.search(r'Filter: tcp\.stream eq (\d+)', block)
        if not m:
            continue
        node0, data = None, [bytearray(), bytearray()]
        for line in block.splitlines():
            if line.startswith('Node 0: '):
                node0 = line[8:].strip()
                continue
            side = 1 if line.startswith('\t') else 0
            h = line.strip()
            if h and re.fullmatch(r'[0-9a-f]+', h) and len(h) % 2 == 0:
                data[side] += bytes.fromhex(h)
        res[int(m.group(1))] = (node0, data)
    return res


def ep(addr, port):
    return ('[%s]:%s' if ':' in addr else '%s:%s') % (addr, port)


def check(binp, pcap, have_jq):
    """(passed, failed, lines to print) for one capture."""
    out = []
    say = out.append
    ok = bad = 0
    p = subprocess.run([binp, '-r', pcap, '-T', 'json'], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    if p.returncode != 0:
        say('FAIL %s: exit %d' % (pcap, p.returncode))
        return 0, 1, out
    if have_jq:
        j = subprocess.run(['jq', '-c', '.'], input=p.stdout, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        if j.returncode != 0:
            say('FAIL %s: jq: %s' % (pcap, j.stderr.decode()[:200]))
            bad += 1
        else:
            ok += 1
    recs = []
    for i, line in enumerate(p.stdout.decode('utf-8').splitlines()):
        try:
            r = json.loads(line)
        except ValueError as e:
            say('FAIL %s line %d: %s' % (pcap, i + 1, e))
            bad += 1
            continue
        try:
            hidden = False
            for s in walk(r):
                hidden |= unescape(s)[1]
        except BadEscape as e:
            say('FAIL %s frame %s: bad escape in %s' % (pcap, r.get('frame'), e))
            bad += 1
            continue
        if hidden != (r.get('text_encoding') == 'escaped'):
            say('FAIL %s frame %s: text_encoding %r but escapes %s' % (
                pcap, r.get('frame'), r.get('text_encoding'), hidden))
            bad += 1
            continue
        ok += 1
        recs.append(r)
    # Compare line texts with the reassembled stream.
    todo = []
    for r in recs:
        kind = r.get('kind')
        if kind not in ('command', 'reply') or 'text' not in r or r.get('typed'):
            continue
        if SKIP_FLAGS & set(r.get('flags', [])):
            continue
        if kind == 'reply' and r.get('lines', 1) > 1:
            continue
        todo.append(r)
    smap = streams(pcap) if todo else {}
    keyed = [(r, smap.get((r['src'], str(r['sport']), r['dst'], str(r['dport'])))) for r in todo]
    keyed = [(r, n) for r, n in keyed if n is not None]
    wire = follow(pcap, {n for _, n in keyed}) if keyed else {}
    pos = {}
    compared = escaped = 0
    for r, n in keyed:
        kind = r.get('kind')
        if n not in wire:
            say('FAIL %s: tshark did not follow tcp.stream %d' % (os.path.basename(pcap), n))
            bad += 1
            continue
        node0, data = wire[n]
        side = 0 if node0 == ep(r['src'], r['sport']) else 1
        text = unescape(r['text'])[0]
        buf = data[side]
        at = pos.get((n, side), 0)
        # The line as sent, ended by CRLF, a bare LF, or the stream's end
        # (a last line the peer never terminated).
        hit = -1
        for end in (b'\r\n', b'\n', b''):
            k = buf.find(text + end, at)
            if end == b'' and k >= 0 and k + len(text) != len(buf):
                k = -1
            if k >= 0 and (k == 0 or buf[k - 1:k] == b'\n') and (hit < 0 or k < hit):
                hit = k
        if hit < 0:
            say('FAIL %s frame %s: %s text not a line of tcp.stream %d: %r' % (
                os.path.basename(pcap), r['frame'], kind, n, text[:60]))
            bad += 1
            continue
        pos[(n, side)] = hit + len(text)
        compared += 1
        escaped += r.get('text_encoding') == 'escaped'
        ok += 1
    say('ok %s: %d records, %d line texts equal to the wire (%d escaped)' % (
        os.path.basename(pcap), len(recs), compared, escaped))
    return ok, bad, out


def main():
    binp = sys.argv[1]
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    files = sys.argv[2:]
    if not files:
        dirs = [os.path.join(top, 'samples'), os.path.join(top, 'tests', 'data', 'corpus')]
        for d in dirs:
            if os.path.isdir(d):
                files += sorted(os.path.join(d, f) for f in os.listdir(d)
                                if f.endswith(('.pcap', '.pcapng')))
    if not shutil.which('tshark'):
        print('skip json-roundtrip/all: no tshark')
        print('json_roundtrip: 0 passed, 0 failed, 1 skipped')
        return 0
    have_jq = shutil.which('jq') is not None
    ok = bad = 0
    # tshark starts slowly: check the captures side by side.
    with concurrent.futures.ThreadPoolExecutor(max(2, os.cpu_count() or 2)) as ex:
        for a, b, out in ex.map(lambda f: check(binp, f, have_jq), files):
            for line in out:
                print(line)
            ok += a
            bad += b
    print('json_roundtrip: %d passed, %d failed' % (ok, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
