#!/usr/bin/env python3
"""hashcat.py BIN - the CRAM-MD5 and APOP tuples of -z creds,hashcat
round-trip: for captures made with real servers (samples/) and for a
session written here with digests computed here, the printed tuple
verifies with the real password (HMAC-MD5 per RFC 2195, MD5 per RFC
1939 7), i.e. a cracker given the line would find it.
Formats: hashcat -m 16400 "$cram_md5$<b64 challenge>$<b64 user SP digest>",
hashcat -m 20 md5($salt.$pass) "<digest>:<timestamp>"."""
import base64, hashlib, hmac, os, struct, subprocess, sys, tempfile

def pcap(path, flows):
    """flows: list of (sport, [(dir, bytes)]) on 10.0.0.1 -> 10.0.0.2"""
    out = [struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    t = 1700000000
    for n, (port, steps) in enumerate(flows):
        cp = 40000 + n
        seq = [1000, 9000]
        def pkt(d, flags, data=b''):
            nonlocal t
            src, dst = (b'\x0a\x00\x00\x01', b'\x0a\x00\x00\x02') if d == 0 else (b'\x0a\x00\x00\x02', b'\x0a\x00\x00\x01')
            sp, dp = (cp, port) if d == 0 else (port, cp)
            tcp = struct.pack('>HHIIBBHHH', sp, dp, seq[d], seq[1 - d], 0x50, flags, 65535, 0, 0) + data
            ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, src, dst) + tcp
            eth = b'\x00' * 12 + b'\x08\x00' + ip
            t += 1
            out.append(struct.pack('<IIII', t, 0, len(eth), len(eth)) + eth)
            seq[d] = (seq[d] + len(data) + (1 if flags & 3 else 0)) & 0xffffffff
        seq[0] -= 1; pkt(0, 0x02); seq[1] -= 1; pkt(1, 0x12)
        for d, data in steps:
            pkt(d, 0x18, data)
        pkt(0, 0x11); pkt(1, 0x11)
    open(path, 'wb').write(b''.join(out))

def check(binp, path, passwords):
    out = subprocess.run([binp, '-r', path, '-q', '-z', 'creds,hashcat'], stdout=subprocess.PIPE,
                         timeout=60).stdout.decode()
    ok = bad = 0
    for line in out.splitlines():
        if line.startswith('$cram_md5$'):
            _, _, c64, r64 = line.split('$')
            chal = base64.b64decode(c64)
            user, digest = base64.b64decode(r64).decode().rsplit(' ', 1)
            want = hmac.new(passwords[user].encode(), chal, hashlib.md5).hexdigest()
        elif ':' in line:
            digest, ts = line.split(':', 1)
            user = None
            want = None
            for u, pw in passwords.items():
                if hashlib.md5((ts + pw).encode()).hexdigest() == digest:
                    want = digest
        else:
            continue
        if want == digest:
            ok += 1
        else:
            bad += 1
            print('FAIL %s: %s does not verify' % (os.path.basename(path), line))
    return ok, bad, out

def main():
    binp = sys.argv[1]
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    ok = bad = 0
    with tempfile.TemporaryDirectory() as d:
        chal = b'<1896.697170952@postoffice.example.test>'
        digest = hmac.new(b'tanstaaftanstaaf', chal, hashlib.md5).hexdigest()
        ts = '<1896.697170952@dbc.mtview.ca.us>'
        apop = hashlib.md5((ts + 'tanstaaf').encode()).hexdigest()
        chal2 = b'<7.1700000000@imap.example.test>'
        digest2 = hmac.new(b'imap pw', chal2, hashlib.md5).hexdigest()
        p = os.path.join(d, 'made.pcap')
        pcap(p, [
            (25, [(1, b'220 mx ESMTP\r\n'), (0, b'EHLO c\r\n'), (1, b'250 AUTH CRAM-MD5\r\n'),
                  (0, b'AUTH CRAM-MD5\r\n'), (1, b'334 ' + base64.b64encode(chal) + b'\r\n'),
                  (0, base64.b64encode(b'tim ' + digest.encode()) + b'\r\n'),
                  (1, b'235 2.7.0 ok\r\n'), (0, b'QUIT\r\n'), (1, b'221 bye\r\n')]),
            (110, [(1, ('+OK POP3 server ready ' + ts + '\r\n').encode()),
                   (0, ('APOP mrose ' + apop + '\r\n').encode()), (1, b'+OK\r\n'),
                   (0, b'QUIT\r\n'), (1, b'+OK\r\n')]),
            # IMAP AUTHENTICATE CRAM-MD5 (RFC 9051 6.2.2): "+ " challenge,
            # the verdict in the tagged completion
            (143, [(1, b'* OK IMAP4rev1 ready\r\n'), (0, b'a1 AUTHENTICATE CRAM-MD5\r\n'),
                   (1, b'+ ' + base64.b64encode(chal2) + b'\r\n'),
                   (0, base64.b64encode(b'jo ' + digest2.encode()) + b'\r\n'),
                   (1, b'a1 OK done\r\n'), (0, b'a2 LOGOUT\r\n'), (1, b'* BYE\r\na2 OK\r\n')]),
        ])
        o, b, out = check(binp, p, {'tim': 'tanstaaftanstaaf', 'mrose': 'tanstaaf',
                                    'jo': 'imap pw'})
        if o != 3:
            print('FAIL made.pcap: want 3 verified tuples, got %d:\n%s' % (o, out))
            b += 1
        ok += o; bad += b
    accounts = {'user1': 'secret1', 'user2': 'pa ss2!', 'carol@example.test': 'c4rol#9'}
    for name in ('pop3-auth.pcap', 'smtp-auth-mechs.pcap', 'imap-auth.pcap'):
        p = os.path.join(top, 'samples', name)
        if os.path.exists(p):
            o, b, out = check(binp, p, accounts)
            if o == 0:
                print('FAIL %s: no tuple verified:\n%s' % (name, out))
                b += 1
            ok += o; bad += b
    print('creds: %d passed, %d failed' % (ok, bad))
    return 1 if bad else 0

if __name__ == '__main__':
    sys.exit(main())
