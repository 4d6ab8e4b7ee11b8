/* test_protocols.c - SMTP, POP3 and IMAP dissectors fed whole transcripts through
 * the real IP/TCP/line layers: whole, byte by byte, and split at every
 * offset must give the same records. */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../dissect/anom.h"
#include "../../dissect/dissect.h"
#include "../../dissect/field.h"
#include "../../dissect/proto.h"
#include "../../dissect/record.h"

/* A transcript: C: / S: lines, with visible \r\n. dir | LOST: the
 * segment was sent (its bytes are acknowledged) but not captured. */
#define LOST 0x10
struct step {
    int dir;                /* DIR_C2S / DIR_S2C */
    const char *bytes;
};
/* dir | NULS: each \x01 of the step is sent as a NUL. */
#define NULS 0x20

static size_t
step_len(const struct step *s)
{
    return strlen(s->bytes);
}

#define MAXREC 256
static char recs[MAXREC][1024];
static int nrec;

static void
put_str(char *o, size_t sz, const char *tag, const struct rec_str *s)
{
    size_t l = strlen(o);
    snprintf(o + l, sz - l, " %s=%.*s", tag, (int)s->n, (const char *)s->p);
}

/* Getters that answered for a record kind their field does not declare
 * (fld_def.kinds), or for a record without keystrokes or outside TLS
 * when they declare FLD_IF_TYPED or FLD_IF_TLS: the JSON printer would
 * have left them out. */
static int kinds_wrong, kinds_asked;

static void
check_kinds(const struct rec *r)
{
    static struct fld_val v[FLD_MAXV];
    size_t nf, i;
    const struct fld_def *t = fld_table(&nf);

    int typed = r->typed.n != 0, tls = r->kind == REC_TLS || (r->flags & REC_F_DECRYPTED);

    for (i = 0; i < nf; i++) {
        if (!t[i].kinds && !(t[i].flags & (FLD_IF_TYPED | FLD_IF_TLS)))
            continue;
        kinds_asked++;
        if (t[i].get(r, v, FLD_MAXV) <= 0)
            continue;
        if ((t[i].kinds && !(t[i].kinds & (1u << r->kind)))
            || ((t[i].flags & FLD_IF_TYPED) && !typed)
            || ((t[i].flags & FLD_IF_TLS) && !tls)) {
            if (kinds_wrong++ < 5)
                fprintf(stderr, "field %s answered for a %s record%s%s\n", t[i].name,
                        rec_kind_name(r->kind), typed ? "" : " without keystrokes",
                        tls ? "" : " outside TLS");
        }
    }
}

/* Everything that must not depend on segmentation. */
static void
sink(void *ctx, const struct rec *r)
{
    char *o;
    uint64_t fl = r->flags & ~((ANOM_F(ANOM_OUT_OF_ORDER)) | (ANOM_F(ANOM_RETRANSMISSION)));
    int h;

    (void)ctx;
    check_kinds(r);
    if (nrec >= MAXREC)
        return;
    o = recs[nrec++];
    snprintf(o, 1024, "%s %s %s code=%u size=%llu lines=%u fl=%llx", rec_kind_name(r->kind),
             r->dir == DIR_C2S ? "C" : "S", r->verb, (unsigned)r->code,
             (unsigned long long)r->size, (unsigned)r->lines, (unsigned long long)fl);
    put_str(o, 1024, "text", &r->text);
    if (r->arg.n)
        put_str(o, 1024, "arg", &r->arg);
    if (r->cred.user.n)
        put_str(o, 1024, "user", &r->cred.user);
    if (r->cred.secret.n)
        put_str(o, 1024, "secret", &r->cred.secret);
    if (r->cred.challenge.n)
        put_str(o, 1024, "chal", &r->cred.challenge);
    if (r->kind == REC_CRED) {
        size_t l = strlen(o);
        snprintf(o + l, 1024 - l, " result=%s mech=%s", cred_result_name(r->cred.result),
                 auth_mech_name(r->cred.mech));
    }
    for (h = 0; h < IMF_N; h++)
        if (r->imf[h].n)
            put_str(o, 1024, imf_name(h), &r->imf[h]);
}

/* Exported bodies of a run, each followed by "<end SIZE>": the same for
 * every chunking, and as long as each record says. */
static char expbuf[1 << 16];
static size_t expn;
static int exp_short;           /* a body's octets and its size differ */
static uint64_t exp_cur;

static void *
tb_begin(void *ctx, const struct body_info *b)
{
    (void)ctx;
    (void)b;
    exp_cur = 0;
    return &exp_cur;
}

static void
tb_data(void *ctx, void *h, const uint8_t *p, size_t n)
{
    (void)ctx;
    *(uint64_t *)h += n;
    if (n <= sizeof expbuf - expn) {
        memcpy(expbuf + expn, p, n);
        expn += n;
    }
}

static void
tb_end(void *ctx, void *h, const struct rec *r)
{
    (void)ctx;
    if (!r)
        return;
    exp_short |= *(uint64_t *)h != r->size;
    expn += (size_t)snprintf(expbuf + expn, sizeof expbuf - expn, "<end %llu>",
                             (unsigned long long)r->size);
}

static const struct body_sink tbody = { tb_begin, tb_data, tb_end, NULL };

static uint64_t pktno;
static struct dis *D;

static void
packet(int dir, uint16_t cport, uint16_t sport, uint32_t seq, uint32_t ack,
       uint8_t flags, const uint8_t *data, size_t n)
{
    uint8_t p[20 + 20 + 8192];
    struct ms_time ts = { 1700000000 + (int64_t)pktno, 0 };
    size_t tot = 40 + n;

    memset(p, 0, 40);
    p[0] = 0x45;
    p[2] = (uint8_t)(tot >> 8);
    p[3] = (uint8_t)tot;
    p[8] = 64;
    p[9] = 6;
    p[12] = 10; p[15] = dir == DIR_C2S ? 1 : 2;
    p[16] = 10; p[19] = dir == DIR_C2S ? 2 : 1;
    p[20] = (uint8_t)((dir == DIR_C2S ? cport : sport) >> 8);
    p[21] = (uint8_t)(dir == DIR_C2S ? cport : sport);
    p[22] = (uint8_t)((dir == DIR_C2S ? sport : cport) >> 8);
    p[23] = (uint8_t)(dir == DIR_C2S ? sport : cport);
    p[24] = (uint8_t)(seq >> 24); p[25] = (uint8_t)(seq >> 16);
    p[26] = (uint8_t)(seq >> 8); p[27] = (uint8_t)seq;
    p[28] = (uint8_t)(ack >> 24); p[29] = (uint8_t)(ack >> 16);
    p[30] = (uint8_t)(ack >> 8); p[31] = (uint8_t)ack;
    p[32] = 5 << 4;
    p[33] = flags;
    if (n)
        memcpy(p + 40, data, n);
    pktno++;
    dis_packet(D, pktno, &ts, (uint32_t)tot, (uint32_t)tot, 4, p, tot);
}

/* mode 0: one segment per step; 1: byte by byte; 2: every step split
 * at offset k; 3: reversed pairs (out of order) + a retransmission. */
static void
run(const struct step *st, int nst, uint16_t sport, int mode, size_t k)
{
    struct dis_cfg cfg;
    struct rec_sink s = { sink, NULL };
    uint32_t seq[2] = { 1000, 50000 }, isn[2] = { 1000, 50000 };
    int i;

    dis_default_ports(&cfg);
    cfg.port_map[2626] = PROTO_SMTP;
    cfg.body = &tbody;
    expn = 0;
    nrec = 0;
    pktno = 0;
    D = dis_new(&cfg, &s);
    packet(DIR_C2S, 40000, sport, isn[0] - 1, 0, 0x02, NULL, 0);
    packet(DIR_S2C, 40000, sport, isn[1] - 1, isn[0], 0x12, NULL, 0);
    for (i = 0; i < nst; i++) {
        int d = st[i].dir & 1;
        const uint8_t *b = (const uint8_t *)st[i].bytes;
        size_t n = step_len(&st[i]), off;
        static uint8_t nuls[8192];
        if ((st[i].dir & NULS) && n <= sizeof nuls) {
            for (off = 0; off < n; off++)
                nuls[off] = b[off] == 1 ? 0 : b[off];
            b = nuls;
        }
        if (st[i].dir & LOST) {
            seq[d] += (uint32_t)n;  /* sent, never captured */
            continue;
        }
        if (mode == 0) {
            packet(d, 40000, sport, seq[d], seq[!d], 0x18, b, n);
        } else if (mode == 1) {
            for (off = 0; off < n; off++)
                packet(d, 40000, sport, seq[d] + (uint32_t)off, seq[!d], 0x18, b + off, 1);
        } else if (mode == 2) {
            size_t c = k < n ? k : n;
            if (c)
                packet(d, 40000, sport, seq[d], seq[!d], 0x18, b, c);
            if (n > c)
                packet(d, 40000, sport, seq[d] + (uint32_t)c, seq[!d], 0x18, b + c, n - c);
        } else {
            /* second half first, then first half, then a duplicate */
            size_t c = n / 2;
            if (n > c)
                packet(d, 40000, sport, seq[d] + (uint32_t)c, seq[!d] - 0, 0x18, b + c, n - c);
            if (c)
                packet(d, 40000, sport, seq[d], seq[!d] - 0, 0x18, b, c);
            packet(d, 40000, sport, seq[d], seq[!d], 0x18, b, n);
        }
        seq[d] += (uint32_t)n;
    }
    packet(DIR_C2S, 40000, sport, seq[0], seq[1], 0x11, NULL, 0);
    packet(DIR_S2C, 40000, sport, seq[1], seq[0] + 1, 0x11, NULL, 0);
    dis_free(D);
}

static void
same_for_every_chunking(const char *name, const struct step *st, int nst, uint16_t sport)
{
    static char want[MAXREC][1024], wexp[sizeof expbuf];
    int nwant, i, mode, bad = 0;
    size_t k, maxn = 0, wexpn;

    exp_short = 0;
    run(st, nst, sport, 0, 0);
    nwant = nrec;
    memcpy(want, recs, sizeof want);
    memcpy(wexp, expbuf, expn);
    wexpn = expn;
    for (i = 0; i < nst; i++)
        if (step_len(&st[i]) > maxn)
            maxn = step_len(&st[i]);
    for (mode = 1; mode <= 3; mode++) {
        for (k = 1; k <= (mode == 2 ? maxn : 1); k++) {
            run(st, nst, sport, mode, k);
            if (nrec != nwant) {
                fprintf(stderr, "%s: mode %d k %zu: %d records, want %d\n", name, mode, k, nrec, nwant);
                bad++;
                continue;
            }
            for (i = 0; i < nrec; i++)
                if (strcmp(recs[i], want[i])) {
                    fprintf(stderr, "%s: mode %d k %zu record %d:\n  got  %s\n  want %s\n",
                            name, mode, k, i, recs[i], want[i]);
                    bad++;
                    break;
                }
            if (expn != wexpn || memcmp(expbuf, wexp, expn)) {
                fprintf(stderr, "%s: mode %d k %zu: exported bodies differ\n", name, mode, k);
                bad++;
            }
        }
    }
    T_CHECK(bad == 0);
    T_CHECK(!exp_short);
    /* leave the whole-transcript records in recs for the caller */
    run(st, nst, sport, 0, 0);
    if (getenv("T_DUMP") && !strcmp(getenv("T_DUMP"), name))
        for (i = 0; i < nrec; i++)
            fprintf(stderr, "%s: %s\n", name, recs[i]);
}

static int
has_quiet(const char *needle)
{
    int i;

    for (i = 0; i < nrec; i++)
        if (strstr(recs[i], needle))
            return 1;
    return 0;
}

/* How many records start with prefix. */
static int
count(const char *prefix)
{
    int i, c = 0;

    for (i = 0; i < nrec; i++)
        c += !strncmp(recs[i], prefix, strlen(prefix));
    return c;
}

/* A record starting with prefix whose flags have all of the bits. */
static int
has_flag(const char *prefix, unsigned long long bits)
{
    int i;

    for (i = 0; i < nrec; i++) {
        const char *fl;
        if (strncmp(recs[i], prefix, strlen(prefix)) || !(fl = strstr(recs[i], " fl=")))
            continue;
        if ((strtoull(fl + 4, NULL, 16) & bits) == bits)
            return 1;
    }
    fprintf(stderr, "no \"%s\" record has flags %llx\n", prefix, bits);
    return 0;
}

static int
has(const char *needle)
{
    int i;

    for (i = 0; i < nrec; i++)
        if (strstr(recs[i], needle))
            return 1;
    fprintf(stderr, "no record contains \"%s\"\n", needle);
    return 0;
}

static const struct step smtp1[] = {
    { DIR_S2C, "220 mail.example.test ESMTP\r\n" },
    { DIR_C2S, "EHLO client\r\n" },
    { DIR_S2C, "250-mail.example.test\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 CHUNKING\r\n" },
    { DIR_C2S, "AUTH LOGIN\r\n" },
    { DIR_S2C, "334 VXNlcm5hbWU6\r\n" },
    { DIR_C2S, "dXNlcjE=\r\n" },
    { DIR_S2C, "334 UGFzc3dvcmQ6\r\n" },
    { DIR_C2S, "d3Jvbmc=\r\n" },
    { DIR_S2C, "535 5.7.8 Error: authentication failed\r\n" },
    /* pipelined AUTH PLAIN with MAIL/RCPT/DATA in one segment */
    { DIR_C2S, "AUTH PLAIN AHVzZXIxAHNlY3JldDE=\r\nMAIL FROM:<user1@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n" },
    { DIR_S2C, "235 2.7.0 Authentication successful\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n" },
    { DIR_C2S, "From: User One <user1@example.test>\r\nTo: bob@example.test\r\nSubject: Hi\r\n there\r\n\r\n..leading dot\r\nAUTH LOGIN not a command\r\n.\r\n" },
    { DIR_S2C, "250 2.0.0 Ok: queued as ABC\r\n" },
    { DIR_C2S, "BDAT 12 LAST\r\nSubject: x\r\n" },
    { DIR_S2C, "250 2.0.0 Ok\r\n" },
    { DIR_C2S, "mail from <x>\r\n" },
    { DIR_S2C, "501 5.5.4 Syntax: MAIL FROM:<address>\r\n" },
    { DIR_C2S, "QUIT\r\n" },
    { DIR_S2C, "221 2.0.0 Bye\r\n" },
};

static const struct step pop1[] = {
    { DIR_S2C, "+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n" },
    { DIR_C2S, "USER user1\r\n" },
    { DIR_S2C, "+OK\r\n" },
    { DIR_C2S, "PASS secrex\bt1\r\n" },
    { DIR_S2C, "-ERR [AUTH] Authentication failed.\r\n" },
    { DIR_C2S, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n" },
    { DIR_S2C, "+OK maildrop has 2 messages\r\n" },
    { DIR_C2S, "LIST\r\n" },
    { DIR_S2C, "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n" },
    { DIR_C2S, "RETR 1\r\n" },
    { DIR_S2C, "+OK 120 octets\r\nFrom: a@b\r\nSubject: t\r\n\r\n..dot\r\nbody\r\n.\r\n" },
    { DIR_C2S, "AUTH CRAM-MD5\r\n" },
    { DIR_S2C, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n" },
    { DIR_C2S, "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n" },
    { DIR_S2C, "+OK CRAM authentication successful\r\n" },
    { DIR_C2S, "AUTH PLAIN\r\n" },
    { DIR_S2C, "+ \r\n" },
    { DIR_C2S, "AGJhZA\r\n" },        /* unpadded, missing second NUL */
    { DIR_S2C, "-ERR bad\r\n" },
    { DIR_C2S, "QUIT\r\n" },
    { DIR_S2C, "+OK bye\r\n" },
};

/* 0xff inside a normal client's line is data; after a telnet client
 * negotiated (a line that begins with IAC DO ...), IAC is stripped. */
static const struct step pop_iac[] = {
    { DIR_S2C, "+OK ready\r\n" },
    { DIR_C2S, "USER user1\r\n" },
    { DIR_S2C, "+OK\r\n" },
    { DIR_C2S, "PASS pss\xff\xfe-tail\r\n" },
    { DIR_S2C, "-ERR [AUTH] Authentication failed.\r\n" },
    { DIR_C2S, "\xff\xfd\x03\xff\xfd\x01\r\n" },
    { DIR_S2C, "-ERR Unknown command.\r\n" },
    { DIR_C2S, "USER user1\r\n" },
    { DIR_S2C, "+OK\r\n" },
    { DIR_C2S, "PASS s\xff\xfb\x01" "ecret1\r\n" },
    { DIR_S2C, "+OK Logged in.\r\n" },
};

/* Not mail on mail ports: nothing of it becomes a command or a login. */
static const struct step notmail_tls[] = {
    { DIR_S2C, "220 mail.example.test ESMTP\r\n" },
    /* no NUL: the whole record goes (a ClientHello header, then bait
     * inside the record and after it) */
    { DIR_C2S, "\x16\x03\x01\x01\x30\x01\x01\x01\x2c\x03\x03zz\r\nAUTH PLAIN AGJhaXQAYmFpdHB3\r\nUSER x\r\nPASS y\r\n" },
    { DIR_S2C, "500 5.5.2 Error: bad syntax\r\n" },
};
static const struct step notmail_http[] = {
    { DIR_C2S, "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dXNlcjpwdw==\r\n\r\n" },
    { DIR_S2C, "HTTP/1.1 400 Bad Request\r\n\r\n" },
};
static const struct step notmail_ssh[] = {
    { DIR_S2C, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n" },
    { DIR_C2S, "SSH-2.0-OpenSSH_9.2p1\r\nUSER x\r\nPASS y\r\n" },
};
/* A client that sends junk before the banner, to a real server. */
static const struct step junk_first[] = {
    { DIR_C2S, "\x01\x02junk\r\n" },
    { DIR_S2C, "220 mx ESMTP\r\n500 5.5.1 Command unrecognized\r\n" },
    { DIR_C2S, "QUIT\r\n" },
    { DIR_S2C, "221 bye\r\n" },
};

/* End-of-data look-alikes inside DATA (CVE-2023-51764 class): the body
 * goes on to the real CRLF . CRLF; what looks like a second transaction
 * is text. */
static const struct step smtp_smuggle[] = {
    { DIR_S2C, "220 mx ESMTP\r\n" },
    { DIR_C2S, "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" },
    { DIR_S2C, "250 ok\r\n250 ok\r\n354 go\r\n" },
    { DIR_C2S, "Subject: one\r\n\r\nx\n.\nMAIL FROM:<e@f>\r\n"
               "y\r.\r\nRCPT TO:<g@h>\r\n"
               "z\n.\r\nDATA\r\n"
               "w\r\n.\nQUIT\r\n"
               "end\r\n.\r\n" },
    { DIR_S2C, "250 2.0.0 Ok: queued as A\r\n" },
    { DIR_C2S, "QUIT\r\n" },
    { DIR_S2C, "221 bye\r\n" },
};

/* BDAT: a bogus keyword or size is a rejected command, not a chunk; the
 * chunks of one message are one body. */
static const struct step smtp_bdat[] = {
    { DIR_S2C, "220 mx ESMTP\r\n" },
    { DIR_C2S, "BDAT 5 X\r\n" },
    { DIR_S2C, "501 5.5.4 Syntax: BDAT count [LAST]\r\n" },
    { DIR_C2S, "MAIL FROM:<a@b>\r\n" },
    { DIR_S2C, "250 ok\r\n" },
    { DIR_C2S, "BDAT 1234 SCRAMBLE\r\n" },
    { DIR_S2C, "501 5.5.4 Syntax: BDAT count [LAST]\r\n" },
    { DIR_C2S, "RCPT TO:<c@d>\r\n" },
    { DIR_S2C, "250 ok\r\n" },
    { DIR_C2S, "BDAT 18\r\nSubject: multi-chu" },
    { DIR_S2C, "250 18 octets\r\n" },
    { DIR_C2S, "BDAT 14\r\nnked\r\n\r\nbody\r\n" },
    { DIR_S2C, "250 14 octets\r\n" },
    { DIR_C2S, "bdat 0 last\r\n" },
    { DIR_S2C, "250 2.0.0 Ok: queued\r\n" },
    { DIR_C2S, "QUIT\r\n" },
    { DIR_S2C, "221 bye\r\n" },
};

/* The client speaks before the banner: the greeting answers nothing, so
 * the 535 stays with the AUTH it answers. */
static const struct step smtp_early[] = {
    { DIR_C2S, "AUTH PLAIN AHVzZXIxAHdyb25n\r\n" },
    { DIR_S2C, "220-mx ESMTP\r\n220 hello\r\n" },
    { DIR_S2C, "535 5.7.8 Error: authentication failed\r\n" },
    { DIR_C2S, "AUTH PLAIN AHVzZXIxAHNlY3JldDE=\r\n" },
    { DIR_S2C, "235 2.7.0 ok\r\n" },
};

/* AUTH LOGIN with the server's first 334 lost (its bytes acknowledged):
 * the client's lines are still user then password, the verdict the next
 * reply. */
static const struct step smtp_lost334[] = {
    { DIR_S2C, "220 mx ESMTP\r\n" },
    { DIR_C2S, "AUTH LOGIN\r\n" },
    { DIR_S2C | LOST, "334 VXNlcm5hbWU6\r\n" },
    { DIR_C2S, "dXNlcjE=\r\n" },
    { DIR_S2C, "334 UGFzc3dvcmQ6\r\n" },
    { DIR_C2S, "c2VjcmV0MQ==\r\n" },
    { DIR_S2C, "235 2.7.0 Authentication successful\r\n" },
    { DIR_C2S, "QUIT\r\n" },
    { DIR_S2C, "221 bye\r\n" },
};

/* A body longer than what a record keeps, so whole segments of it are
 * counted in bulk (dissect.c acc_body_bulk); byte by byte it takes the
 * line path. Both must agree. */
static char bigbody[8192];
static struct step smtp_big[] = {
    { DIR_S2C, "220 mx\r\n" },
    { DIR_C2S, "MAIL FROM:<a@b>\r\n" },
    { DIR_S2C, "250 ok\r\n" },
    { DIR_C2S, "RCPT TO:<c@d>\r\n" },
    { DIR_S2C, "250 ok\r\n" },
    { DIR_C2S, "DATA\r\n" },
    { DIR_S2C, "354 go\r\n" },
    { DIR_C2S, bigbody },
    { DIR_S2C, "250 queued\r\n" },
};

static void
make_bigbody(void)
{
    size_t o = 0;
    int i;

    o += (size_t)snprintf(bigbody + o, sizeof bigbody - o, "Subject: big\r\n\r\n");
    for (i = 0; i < 100; i++)
        o += (size_t)snprintf(bigbody + o, sizeof bigbody - o,
                              "line %03d 0123456789012345678901234567890123456789012345678\r\n", i);
    /* stuffed, bare LF, then the end */
    o += (size_t)snprintf(bigbody + o, sizeof bigbody - o, "..stuffed\r\nbare\nmore\r\n.\r\n");
}

/* Body lines longer than LIM_LINE: whole in the export and in the size,
 * dot-unstuffed, with a bare CR inside, and in a POP3 RETR one of 4097
 * bytes ended by LF alone (it fits the buffer with its end, yet is cut).
 * Every chunking runs over the buffer's edge. */
static char longbody[8192], longwant[8192];
static char pop_long[8192];

static const struct step smtp_long[] = {
    { DIR_S2C, "220 mx ESMTP\r\n" },
    { DIR_C2S, "MAIL FROM:<a@b>\r\n" },
    { DIR_S2C, "250 ok\r\n" },
    { DIR_C2S, "DATA\r\n" },
    { DIR_S2C, "354 go\r\n" },
    { DIR_C2S, longbody },
    { DIR_S2C, "250 queued\r\n" },
};

static const struct step pop_longs[] = {
    { DIR_S2C, "+OK ready\r\n" },
    { DIR_C2S, "RETR 1\r\n" },
    { DIR_S2C, pop_long },
};

static void
make_long(void)
{
    size_t o = 0, w = 0;
    int len[2] = { 5000, 4097 }, i;

    o += (size_t)snprintf(longbody + o, sizeof longbody - o, "Subject: long\r\n\r\n");
    w += (size_t)snprintf(longwant + w, sizeof longwant - w, "Subject: long\r\n\r\n");
    for (i = 0; i < 1; i++) {
        /* "." + 5000 bytes with a bare CR in the middle: stuffed */
        longbody[o++] = '.';
        memset(longbody + o, 'a' + i, (size_t)len[i]);
        memset(longwant + w, 'a' + i, (size_t)len[i]);
        longbody[o + 4500] = longwant[w + 4500] = '\r';
        o += (size_t)len[i];
        w += (size_t)len[i];
        memcpy(longbody + o, "\r\n", 2);
        memcpy(longwant + w, "\r\n", 2);
        o += 2;
        w += 2;
    }
    o += (size_t)snprintf(longbody + o, sizeof longbody - o, "end\r\n.\r\n");
    w += (size_t)snprintf(longwant + w, sizeof longwant - w, "end\r\n");
    longbody[o] = longwant[w] = 0;
    /* POP3: lines of 4097 and 4098 bytes, LF-only on the first */
    o = (size_t)snprintf(pop_long, sizeof pop_long, "+OK 8200 octets\r\n");
    memset(pop_long + o, 'x', (size_t)len[1]);
    o += (size_t)len[1];
    pop_long[o++] = '\n';
    snprintf(pop_long + o, sizeof pop_long - o, "short\r\n.\r\n");
}

/* IMAP: tagged commands paired by tag, literals both ways (inline in
 * the record, or a message as a body), LITERAL+, pipelining with
 * completions out of order, IDLE/DONE, AUTHENTICATE cancelled and with
 * SASL-IR, a reused tag. The message literal holds "{3}" CR LF and a
 * tagged-looking line: data, not commands. */
static const struct step imap1[] = {
    { DIR_S2C, "* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR] ready\r\n" },
    { DIR_C2S, "a1 CAPABILITY\r\n" },
    { DIR_S2C, "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR IDLE\r\na1 OK done\r\n" },
    { DIR_C2S, "a2 LOGIN {5}\r\n" },
    { DIR_S2C, "+ OK\r\n" },
    { DIR_C2S, "user1 {9}\r\n" },
    { DIR_S2C, "+ OK\r\n" },
    { DIR_C2S, "se\"c ret1\r\n" },
    { DIR_S2C, "* CAPABILITY IMAP4rev1 IDLE\r\na2 OK Logged in\r\n" },
    { DIR_C2S, "a3 SELECT \"IN\\\"BOX\"\r\na4 FETCH 1 (BODY.PEEK[] FLAGS)\r\na5 UID SEARCH ALL\r\n" },
    { DIR_S2C, "* 2 EXISTS\r\n* FLAGS (\\Seen)\r\na3 OK [READ-WRITE] done\r\n* SEARCH 1 2\r\n"
               "* 1 FETCH (FLAGS (\\Seen) BODY[] {39}\r\nFrom: a@b\r\nSubject: Hi\r\n\r\nbody {3}\r\na5 OK x\r\n)\r\n"
               "a5 OK searched\r\na4 OK fetched\r\n" },
    { DIR_C2S, "a6 APPEND INBOX (\\Seen) {25+}\r\nSubject: up\r\n\r\nuploaded\r\n\r\n" },
    { DIR_S2C, "* 3 EXISTS\r\na6 OK [APPENDUID 1 3] done\r\n" },
    { DIR_C2S, "a7 IDLE\r\n" },
    { DIR_S2C, "+ idling\r\n" },
    { DIR_S2C, "* 4 EXISTS\r\n" },
    { DIR_C2S, "DONE\r\n" },
    { DIR_S2C, "a7 OK idled\r\n" },
    { DIR_C2S, "a8 AUTHENTICATE PLAIN\r\n" },
    { DIR_S2C, "+ \r\n" },
    { DIR_C2S, "*\r\n" },
    { DIR_S2C, "a8 BAD cancelled\r\n" },
    { DIR_C2S, "a9 AUTHENTICATE PLAIN AHVzZXIxAHNlY3JldDI=\r\n" },
    { DIR_S2C, "a9 NO [AUTHENTICATIONFAILED] no\r\n" },
    { DIR_C2S, "t1 NOOP\r\nt1 NOOP\r\n" },
    { DIR_S2C, "t1 OK one\r\nt1 OK two\r\nzz OK nobody asked\r\n" },
    { DIR_C2S, "b1 LOGOUT\r\n" },
    { DIR_S2C, "* BYE bye\r\nb1 OK done\r\n" },
};

/* Literal sizes are hints: {4294967296} refused by the server is never
 * sent (the next line is a command); one that does not fit number64 is
 * no literal; a LITERAL+ one that never ends takes the rest as data. A
 * literal with a NUL, an ENVELOPE string literal in a response, and a
 * LOGIN literal whose bytes come in two segments. */
static const struct step imap_hostile[] = {
    { DIR_S2C, "* OK ready\r\n" },
    { DIR_C2S, "h1 LOGIN {4294967296}\r\n" },
    { DIR_S2C, "h1 BAD Literal too large\r\n" },
    { DIR_C2S, "h2 LOGIN {99999999999999999999}\r\nh3 NOOP\r\n" },
    { DIR_S2C, "h2 BAD no\r\nh3 OK\r\n" },
    { DIR_C2S, "h4 LOGIN {6}\r\n" },
    { DIR_S2C, "+ OK\r\n" },
    { DIR_C2S | NULS, "us\001er1 {2+}\r\npw\r\n" },
    { DIR_S2C, "h4 NO bad\r\n" },
    { DIR_C2S, "h5 LOGIN {5}\r\n" },
    { DIR_S2C, "+ go\r\n" },
    { DIR_C2S, "us" },
    { DIR_C2S, "er1 \"p\\\\w\"\r\n" },
    { DIR_S2C, "h5 OK in\r\n" },
    { DIR_C2S, "h6 FETCH 1 (ENVELOPE)\r\n" },
    { DIR_S2C, "* 1 FETCH (ENVELOPE (\"d\" {7}\r\nab\r\nc d NIL))\r\nh6 OK\r\n" },
    { DIR_C2S, "h7 LOGIN {4294967296+}\r\nabc\r\nh8 NOOP\r\n" },
};

/* OAuth in IMAP (RFC 7628; Google's XOAUTH2): with SASL-IR, without it
 * (after "+ "), and the error dance: "+ <base64 JSON>", the client's
 * dummy response ("AQ==" or an empty line), then the tagged NO. */
static const struct step imap_oauth[] = {
    { DIR_S2C, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER] ready\r\n" },
    { DIR_C2S, "o1 AUTHENTICATE XOAUTH2 dXNlcj1jYXJvbEBleGFtcGxlLnRlc3QBYXV0aD1CZWFyZXIgeWEyOS5HT09EAQE=\r\n" },
    { DIR_S2C, "o1 OK Success\r\n" },
    { DIR_C2S, "o2 AUTHENTICATE OAUTHBEARER\r\n" },
    { DIR_S2C, "+ \r\n" },
    { DIR_C2S, "bixhPXVzZXIxQGV4YW1wbGUudGVzdCwBaG9zdD1pbWFwLmV4YW1wbGUudGVzdAFwb3J0PTE0MwFhdXRoPUJlYXJlciB5YTI5LkVYUElSRUQBAQ==\r\n" },
    { DIR_S2C, "+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n" },
    { DIR_C2S, "AQ==\r\n" },
    { DIR_S2C, "o2 NO [AUTHENTICATIONFAILED] invalid token\r\n" },
    { DIR_C2S, "o3 AUTHENTICATE XOAUTH2 dXNlcj11c2VyMUBleGFtcGxlLnRlc3QBYXV0aD1CZWFyZXIgeWEyOS5PTEQBAQ==\r\n" },
    { DIR_S2C, "+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n" },
    { DIR_C2S, "\r\n" },
    { DIR_S2C, "o3 NO [AUTHENTICATIONFAILED] invalid token\r\n" },
    { DIR_C2S, "o4 LOGOUT\r\n" },
    { DIR_S2C, "* BYE\r\no4 OK\r\n" },
};

/* A message literal with bytes lost in its middle goes on to its end;
 * one whose end was lost ends there. */
static const struct step imap_lost[] = {
    { DIR_S2C, "* OK ready\r\n" },
    { DIR_C2S, "a1 FETCH 1 BODY[]\r\n" },
    { DIR_S2C, "* 1 FETCH (BODY[] {28}\r\nSubject: lost\r\n" },
    { DIR_S2C | LOST, "\r\nbody" },
    { DIR_S2C, " text\r\n)\r\na1 OK done\r\n" },
    { DIR_C2S, "a2 FETCH 2 BODY[]\r\n" },
    { DIR_S2C, "* 2 FETCH (BODY[] {10}\r\nSub" },
    { DIR_S2C | LOST, "ject:xx)\r\na2 OK" },
    { DIR_S2C, " done\r\n" },
    { DIR_C2S, "a3 NOOP\r\n" },
    { DIR_S2C, "a3 OK\r\n" },
};

/* COMPRESS: after the OK each run of bytes is one record; STARTTLS:
 * TLS after the OK. A completion that comes while its command is still
 * being typed (the server rejected a byte) answers it. */
static const struct step imap_compress[] = {
    { DIR_S2C, "* OK ready\r\n" },
    { DIR_C2S, "c1 COMPRESS DEFLATE\r\n" },
    { DIR_S2C, "c1 OK Begin compression\r\n\x78\x9c\x05\x80\x31" },
    { DIR_C2S, "\xca\x48\xcd\xc9\xc9\x07" "a1 NOOP\r\n" },
    { DIR_S2C, "\x01\x02\x03junk\r\n" },
};
static const struct step imap_starttls[] = {
    { DIR_S2C, "* OK ready\r\n" },
    { DIR_C2S, "s0 sel" },
    { DIR_S2C, "s0 BAD typed too slowly\r\n" },
    { DIR_C2S, "ect inbox\r\n" },
    { DIR_C2S, ". STARTTLS\r\n" },
    { DIR_S2C, ". OK Begin TLS negotiation now.\r\n" },
    { DIR_C2S, "\x16\x03\x01\x00\x05hello" },
    { DIR_S2C, "\x16\x03\x03\x00\x02hi" },
};

/* More commands waiting than the tag table holds: the oldest goes. */
static char imap_many[LIM_IMAP_TAGS * 16];
static const struct step imap_overflow[] = {
    { DIR_S2C, "* OK ready\r\n" },
    { DIR_C2S, imap_many },
    { DIR_S2C, "t0 OK first\r\nt128 OK last\r\n" },
};

static void
make_many(void)
{
    size_t o = 0;
    int i;

    for (i = 0; i <= LIM_IMAP_TAGS; i++)
        o += (size_t)snprintf(imap_many + o, sizeof imap_many - o, "t%d NOOP\r\n", i);
}

int
main(void)
{
    make_long();
    same_for_every_chunking("smtp-long", smtp_long, (int)(sizeof smtp_long / sizeof smtp_long[0]), 25);
    /* 17 header bytes, 5000 + CR LF unstuffed, "end" CR LF */
    T_CHECK(expn == strlen(longwant) + strlen("<end 5024>") && !memcmp(expbuf, longwant, strlen(longwant))
            && !memcmp(expbuf + strlen(longwant), "<end 5024>", 10));
    T_CHECK(has("body C DATA code=0 size=5024"));
    same_for_every_chunking("pop-long", pop_longs, (int)(sizeof pop_longs / sizeof pop_longs[0]), 110);
    T_CHECK(has("body S RETR code=0 size=4105"));
    /* 4097 bytes and LF, "short" CR LF */
    T_CHECK(expn == 4105 + strlen("<end 4105>") && expbuf[4096] == 'x' && expbuf[4097] == '\n'
            && !memcmp(expbuf + 4098, "short\r\n<end 4105>", 17));
    make_bigbody();
    same_for_every_chunking("smtp-big", smtp_big, (int)(sizeof smtp_big / sizeof smtp_big[0]), 25);
    /* 14 + 2 header bytes, 100 lines of 60, "..stuffed" unstuffed (10),
     * "bare\n" (5): the size is the message as the server stores it */
    T_CHECK(has("body C DATA code=0 size=6037 lines=105"));

    same_for_every_chunking("smtp", smtp1, (int)(sizeof smtp1 / sizeof smtp1[0]), 25);
    T_CHECK(has("reply S 250 code=250 size=0 lines=4"));
    T_CHECK(has("credential C CRED code=0 size=0 lines=0 fl=4000000000000000 text=user1 user=user1 secret=wrong result=rejected mech=LOGIN"));
    T_CHECK(has("command C AUTH") && has("arg=PLAIN AHVzZXIxAHNlY3JldDE= user=user1 secret=secret1"));
    T_CHECK(has("result=accepted mech=PLAIN"));
    T_CHECK(has("command C MAIL code=0 size=0 lines=1 fl=0 text=MAIL FROM:<user1@example.test>"));
    /* the body is one record; the AUTH line in it is text, not a command */
    T_CHECK(has("body C DATA") && has("subject=Hi there") && has("text=From: User One"));
    T_CHECK(has(".leading dot"));
    {
        int i, found = 0;
        for (i = 0; i < nrec; i++)
            found |= strstr(recs[i], "text=AUTH LOGIN not") != NULL && !strncmp(recs[i], "command", 7);
        T_CHECK(!found);
    }
    T_CHECK(has("body C BDAT code=0 size=12"));
    T_CHECK(has("command C MAIL code=0 size=0 lines=1 fl=0 text=mail from <x>"));
    T_CHECK(has("reply S 501"));

    same_for_every_chunking("pop3", pop1, (int)(sizeof pop1 / sizeof pop1[0]), 110);
    /* the typed password with a backspace decodes to what was meant */
    T_CHECK(has("text=PASS secret1 arg=secret1 secret=secret1"));
    T_CHECK(has("user=user1 secret=secret1 result=rejected mech=USER/PASS"));
    T_CHECK(has("user=mrose secret=c4c9334bac560ecc979e58001b3e22fb chal=<1896.697170952@dbc.mtview.ca.us> result=accepted mech=APOP"));
    T_CHECK(has("reply S +OK code=0 size=0 lines=3"));
    T_CHECK(has("body S RETR code=0 size=") && has(".dot"));
    /* RFC 2195's example: tim / tanstaaftanstaaf */
    T_CHECK(has("user=tim secret=b913a602c7eda7a495b4e6e7334d3890 chal=<1896.697170952@postoffice.reston.mci.net> result=accepted mech=CRAM-MD5"));
    T_CHECK(has("auth C  code=0 size=0 lines=1 fl=400 text=AGJhZA"));
    same_for_every_chunking("pop3-iac", pop_iac, (int)(sizeof pop_iac / sizeof pop_iac[0]), 110);
    T_CHECK(has("user=user1 secret=pss\xff\xfe-tail result=rejected"));
    T_CHECK(has("user=user1 secret=secret1 result=accepted"));

    same_for_every_chunking("notmail-tls", notmail_tls, (int)(sizeof notmail_tls / sizeof notmail_tls[0]), 25);
    T_CHECK(!has_quiet("credential") && !has_quiet("command"));
    T_CHECK(has("tls C TLS"));
    T_CHECK(has("reply S 220"));
    same_for_every_chunking("notmail-http", notmail_http, (int)(sizeof notmail_http / sizeof notmail_http[0]), 110);
    T_INT(nrec, 1);
    T_CHECK(has("data C DATA") && has("fl=2000000"));
    same_for_every_chunking("notmail-ssh", notmail_ssh, (int)(sizeof notmail_ssh / sizeof notmail_ssh[0]), 110);
    T_INT(nrec, 1);
    T_CHECK(has("data S DATA"));
    same_for_every_chunking("junk-first", junk_first, (int)(sizeof junk_first / sizeof junk_first[0]), 25);
    T_CHECK(has("reply S 220") && has("command C QUIT"));

    same_for_every_chunking("smtp-smuggle", smtp_smuggle, (int)(sizeof smtp_smuggle / sizeof smtp_smuggle[0]), 25);
    T_CHECK(has("body C DATA code=0 size=81 lines=14 fl=440000"));
    T_CHECK(!has_quiet("command C MAIL code=0 size=0 lines=1 fl=0 text=MAIL FROM:<e@f>"));
    T_CHECK(!has_quiet("command C RCPT code=0 size=0 lines=1 fl=0 text=RCPT TO:<g@h>"));
    T_CHECK(has("reply S 250 code=250 size=0 lines=1 fl=0 text=250 2.0.0 Ok: queued as A"));

    /* The same look-alikes deep in a body, where lines are counted in
     * bulk (the record's text and raw bytes full): each one still sends
     * the body to the line path and is flagged; the rest is text. */
    {
        static char deep[4][8000];
        static const char *const tails[4] = {
            "y\r.\r\nRCPT TO:<g@h>\r\n", ".\rQUIT\r\n", "x\r.\rMAIL FROM:<e@f>\r\n", "z\n.\r\nDATA\r\n" };
        int t;

        for (t = 0; t < 4; t++) {
            struct step st[] = {
                { DIR_S2C, "220 mx ESMTP\r\n" },
                { DIR_C2S, "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" },
                { DIR_S2C, "250 ok\r\n250 ok\r\n354 go\r\n" },
                { DIR_C2S, deep[t] },
                { DIR_S2C, "250 2.0.0 Ok: queued as A\r\n" },
            };
            size_t o = 0;
            int i;
            char name[32];

            o += (size_t)snprintf(deep[t] + o, sizeof deep[t] - o, "Subject: deep\r\n\r\n");
            for (i = 0; i < 120; i++)    /* past LIM_RAW, under a packet */
                o += (size_t)snprintf(deep[t] + o, sizeof deep[t] - o,
                                      "padding line %03d of a long body, no end here\r\n", i);
            snprintf(deep[t] + o, sizeof deep[t] - o, "%send\r\n.\r\n", tails[t]);
            snprintf(name, sizeof name, "smtp-smuggle-deep-%d", t);
            same_for_every_chunking(name, st, (int)(sizeof st / sizeof st[0]), 25);
            T_CHECK(has_flag("body C DATA", ANOM_F(ANOM_SMTP_SMUGGLING)));
            /* what follows the look-alike is body text, no command */
            T_CHECK(count("command C ") == 3);
            T_CHECK(has("reply S 250 code=250 size=0 lines=1 fl=0 text=250 2.0.0 Ok: queued as A"));
        }
    }

    {
        /* Lines are found sixteen bytes at a time, looking for LF and NUL
         * at once (line.c): a NUL before, inside and after the first
         * block, right before the line end, in the short last block, and
         * CR NUL (a telnet Enter) ending a client line, whole or after a
         * NUL. Byte by byte the line is held and looked at again: the
         * flags must agree. \001 is sent as NUL. */
        static const struct step st[] = {
            { DIR_S2C, "220 mx ESMTP\r\n" },
            { DIR_C2S | NULS, "NOOP \001\r\n" },
            { DIR_S2C | NULS, "250 a\001\r\n" },
            { DIR_C2S | NULS, "NOOP 0123456789\001abcdefghijklmnopqrstuvwxyz\r\n" },
            { DIR_S2C, "250 ok\r\n" },
            { DIR_C2S | NULS, "NOOP 0123456789abcdefghijklmnopqrstuvwxy\001\r\n" },
            { DIR_S2C, "250 ok\r\n" },
            { DIR_C2S | NULS, "NOOP 0123456789abcdefghij\r\001" },
            { DIR_S2C, "250 ok\r\n" },
            { DIR_C2S | NULS, "NOOP 01234567\001\r\001" },
            { DIR_S2C, "250 ok\r\n" },
            { DIR_C2S, "NOOP clean line past sixteen bytes\r\n" },
            { DIR_S2C | NULS, "250 0123456789abcdef\r\001\r\n" },
            { DIR_C2S, "QUIT\r\n" },
            { DIR_S2C, "221 bye\r\n" },
        };
        same_for_every_chunking("smtp-nul", st, (int)(sizeof st / sizeof st[0]), 25);
        T_CHECK(count("command C NOOP") == 6);
        T_CHECK(has("command C NOOP code=0 size=0 lines=1 fl=80000 text=NOOP  arg="));
        T_CHECK(has("reply S 250 code=250 size=0 lines=1 fl=80000 text=250 a arg=a"));
        T_CHECK(has("fl=80000 text=NOOP 0123456789 arg=0123456789"));
        T_CHECK(has("fl=80000 text=NOOP 0123456789abcdefghijklmnopqrstuvwxy arg="));
        /* CR NUL ends the line and is no NUL of its content */
        T_CHECK(has("fl=0 text=NOOP 0123456789abcdefghij arg=0123456789abcdefghij"));
        T_CHECK(has("fl=80000 text=NOOP 01234567 arg=01234567"));
        T_CHECK(has("fl=0 text=NOOP clean line past sixteen bytes arg="));
        /* the server's lines end at LF only: its CR NUL is content */
        T_CHECK(has("fl=80000 text=250 0123456789abcdef\r"));
        T_CHECK(count("command C QUIT") == 1);
    }

    same_for_every_chunking("smtp-bdat", smtp_bdat, (int)(sizeof smtp_bdat / sizeof smtp_bdat[0]), 25);
    T_CHECK(has("command C BDAT code=0 size=0 lines=1 fl=2 text=BDAT 5 X"));
    T_CHECK(has("command C MAIL") && has("command C RCPT"));
    T_CHECK(has("body C BDAT code=0 size=32 lines=3"));
    T_CHECK(has("Subject: multi-chunked"));

    same_for_every_chunking("smtp-early", smtp_early, (int)(sizeof smtp_early / sizeof smtp_early[0]), 25);
    T_CHECK(has("secret=wrong result=rejected"));
    T_CHECK(has("secret=secret1 result=accepted"));
    T_CHECK(!has_quiet("unmatched"));

    same_for_every_chunking("smtp-lost334", smtp_lost334, (int)(sizeof smtp_lost334 / sizeof smtp_lost334[0]), 25);
    T_CHECK(has("user=user1 secret=secret1 result=accepted mech=LOGIN"));

    same_for_every_chunking("imap", imap1, (int)(sizeof imap1 / sizeof imap1[0]), 143);
    /* the literal LOGIN is one record with both literals in place */
    T_CHECK(has("command C LOGIN code=0 size=0 lines=3 fl=4000000000000000 text=a2 LOGIN {5}\nuser1 {9}\nse\"c ret1 arg={5}\nuser1 {9}\nse\"c ret1 user=user1 secret=se\"c ret1"));
    T_CHECK(has("user=user1 secret=se\"c ret1 result=accepted mech=USER/PASS"));
    T_CHECK(has("reply S + code=0 size=0 lines=1 fl=0 text=+ OK arg=OK"));
    T_CHECK(has("command C SELECT code=0 size=0 lines=1 fl=0 text=a3 SELECT \"IN\\\"BOX\""));
    T_CHECK(has("command C UID SEARCH"));
    /* the message literal is a body; "{3}" and "a5 OK x" inside it are data */
    T_CHECK(has("reply S * code=0 size=0 lines=1 fl=0 text=* 1 FETCH (FLAGS (\\Seen) BODY[] {39}"));
    T_CHECK(has("body S FETCH code=0 size=39") && has("from=a@b") && has("subject=Hi"));
    T_CHECK(!has_quiet("text=a5 OK x"));
    T_CHECK(has("reply S OK code=0 size=0 lines=1 fl=0 text=a5 OK searched"));
    T_CHECK(has("body C APPEND code=0 size=25") && has("subject=up"));
    T_CHECK(has("command C DONE"));
    T_CHECK(has("auth C  code=0 size=0 lines=1 fl=0 text=*"));
    T_CHECK(has("reply S BAD code=0 size=0 lines=1 fl=0 text=a8 BAD cancelled"));
    T_CHECK(has("user=user1 secret=secret2 result=rejected mech=PLAIN"));
    T_CHECK(has("command C NOOP code=0 size=0 lines=1 fl=10000000 text=t1 NOOP"));
    T_CHECK(has("reply S OK code=0 size=0 lines=1 fl=100000 text=zz OK nobody asked"));
    T_CHECK(has("reply S * code=0 size=0 lines=1 fl=0 text=* BYE bye"));

    same_for_every_chunking("imap-hostile", imap_hostile, (int)(sizeof imap_hostile / sizeof imap_hostile[0]), 143);
    T_CHECK(has("command C LOGIN code=0 size=0 lines=2 fl=0 text=h1 LOGIN {4294967296}\n"));
    T_CHECK(has("command C NOOP code=0 size=0 lines=1 fl=0 text=h3 NOOP"));
    T_CHECK(has("command C LOGIN code=0 size=0 lines=1 fl=2 text=h2 LOGIN {99999999999999999999}"));
    /* the NUL stays in the user name */
    T_CHECK(has("text=h4 LOGIN {6}\nus"));
    T_CHECK(has("user=user1 secret=p\\w result=accepted"));
    T_CHECK(has("reply S * code=0 size=0 lines=3 fl=0 text=* 1 FETCH (ENVELOPE (\"d\" {7}\nab\r\nc d NIL))"));
    T_CHECK(has("command C LOGIN code=0 size=0 lines=4 fl=100 text=h7 LOGIN {4294967296+}\nabc\r\nh8 NOOP\r\n"));
    T_CHECK(!has_quiet("text=h8 NOOP arg"));

    same_for_every_chunking("imap-oauth", imap_oauth, (int)(sizeof imap_oauth / sizeof imap_oauth[0]), 143);
    T_CHECK(has("user=carol@example.test secret=ya29.GOOD result=accepted mech=XOAUTH2"));
    T_CHECK(has("user=user1@example.test secret=ya29.EXPIRED result=rejected mech=OAUTHBEARER"));
    T_CHECK(has("user=user1@example.test secret=ya29.OLD result=rejected mech=XOAUTH2"));
    T_INT(count("credential "), 3);
    /* the dummy responses are SASL data, not commands */
    T_CHECK(!has_quiet("command C AQ=="));
    T_CHECK(has("command C LOGOUT"));

    same_for_every_chunking("imap-lost", imap_lost, (int)(sizeof imap_lost / sizeof imap_lost[0]), 143);
    T_CHECK(has("body S FETCH code=0 size=22 lines=2 fl=4") && has("subject=lost"));
    T_CHECK(has("reply S OK code=0 size=0 lines=1 fl=0 text=a1 OK done"));
    T_CHECK(has("body S FETCH code=0 size=3 lines=0 fl=4"));
    T_CHECK(has("reply S OK code=0 size=0 lines=1 fl=0 text=a3 OK"));

    same_for_every_chunking("imap-compress", imap_compress, (int)(sizeof imap_compress / sizeof imap_compress[0]), 143);
    T_CHECK(has("note S DEFLATE code=0 size=5") && has("note C DEFLATE code=0 size=15"));
    T_CHECK(has("note S DEFLATE code=0 size=9"));
    T_CHECK(!has_quiet("command C NOOP"));
    same_for_every_chunking("imap-starttls", imap_starttls, (int)(sizeof imap_starttls / sizeof imap_starttls[0]), 143);
    T_CHECK(has("reply S BAD code=0 size=0 lines=1 fl=0 text=s0 BAD typed too slowly"));
    T_CHECK(has("command C SELECT code=0 size=0 lines=1 fl=0 text=s0 select inbox"));
    T_CHECK(has("tls C TLS") && has("tls S TLS"));

    make_many();
    same_for_every_chunking("imap-overflow", imap_overflow, (int)(sizeof imap_overflow / sizeof imap_overflow[0]), 143);
    T_CHECK(has("reply S OK code=0 size=0 lines=1 fl=120000 text=t0 OK first"));
    T_CHECK(has("reply S OK code=0 size=0 lines=1 fl=0 text=t128 OK last"));

    /* every record of every run above, every field that declares kinds */
    T_CHECK(kinds_asked > 1000);
    T_INT(kinds_wrong, 0);
    return T_DONE();
}
