/* test_tls.c - TLS records, handshake and decryption on real captures
 * (tests/data/tls, made by make.sh with openssl s_server/s_client): the
 * plaintext decrypted equals the plaintext sent, and the same plaintext
 * and events come out whole, in 1-byte chunks and split at every offset.
 * Negative fixtures: wrong, missing and truncated key logs, flipped bytes.
 *
 * TLS_DUMP=DIR writes each fixture's decrypted plaintext to DIR/NAME.c2s
 * and DIR/NAME.s2c (for tests/data/tls/tshark-check.py).
 * TLS_SEEDS=DIR writes fuzz seeds: DIR/tls/NAME (fuzz_tls input format,
 * each fixture's connections with its key log) and DIR/keylog/NAME.
 * TLS_BENCH_MB=N times TLS 1.3 AES-128-GCM decryption of N MB in memory;
 * with TLS_BENCH_PCAP=FILE it writes them as a capture (and FILE.keys) and
 * times reading it through libpcap, link, ip, tcp and tls. */
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "t.h"
/* This module: the Makefile leaves dissect/tls.o out of this test. */
#include "../../dissect/tls.c"
#include "../../capture/link.h"
#include "../../dissect/ip.h"
#include "../../dissect/keylog.h"
#include "../../dissect/tcp.h"

#define DATA "tests/data/tls/"
#define MAXCONN 4
#define PORT 4433

/* ---- transcripts: the in-order bytes of every connection, as tcp.c
 * delivers them, in packet order ---- */

struct chunk {
    int conn, dir;
    size_t off, len;        /* into tr.bytes; len 0 with gap > 0: a hole */
    uint64_t gap;
    uint64_t pkt;
    struct ms_time ts;
};

struct transcript {
    uint8_t *bytes;
    size_t n, cap;
    struct chunk *ch;
    size_t nch, chcap;
    int nconn;
};

static struct transcript *tr_cur;
static int tr_conn;

static void
tr_add(struct transcript *t, int conn, int dir, const uint8_t *p, size_t n,
       uint64_t gap, uint64_t pkt, const struct ms_time *ts)
{
    struct chunk *c;

    if (t->nch == t->chcap) {
        t->chcap = t->chcap ? t->chcap * 2 : 64;
        t->ch = realloc(t->ch, t->chcap * sizeof *t->ch);
    }
    while (t->n + n > t->cap) {
        t->cap = t->cap ? t->cap * 2 : 65536;
        t->bytes = realloc(t->bytes, t->cap);
    }
    if (!t->ch || !t->bytes)
        abort();
    c = &t->ch[t->nch++];
    c->conn = conn;
    c->dir = dir;
    c->off = t->n;
    c->len = n;
    c->gap = gap;
    c->pkt = pkt;
    c->ts = *ts;
    if (n)
        memcpy(t->bytes + t->n, p, n);
    t->n += n;
}

static uint64_t tr_pkt;
static struct ms_time tr_ts;

static void
tr_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
        const struct ms_time *ts, uint64_t flags)
{
    (void)ctx;
    (void)flags;
    if (p && n)
        tr_add(tr_cur, tr_conn, dir, p, n, 0, pkt, ts);
}

static void
tr_gap(void *ctx, int dir, const struct tcp_gap *g)
{
    (void)ctx;
    tr_add(tr_cur, tr_conn, dir, NULL, 0, g->len, tr_pkt, &tr_ts);
}

/* Read a capture of connections to port 4433 through link, ip and tcp. */
static int
tr_load(const char *pcapf, struct transcript *t)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(pcapf, eb);
    struct pcap_pkthdr *h;
    const u_char *data;
    static const struct tcp_out out = { tr_data, tr_gap, NULL };
    uint16_t ports[MAXCONN];
    struct tcp_dir td[MAXCONN][2];
    uint64_t num = 0;
    int dlt, i;

    memset(t, 0, sizeof *t);
    memset(td, 0, sizeof td);
    if (!pc) {
        fprintf(stderr, "%s: %s\n", pcapf, eb);
        return -1;
    }
    dlt = pcap_datalink(pc);
    tr_cur = t;
    while (pcap_next_ex(pc, &h, &data) == 1) {
        const uint8_t *l3;
        size_t n;
        struct pkt p;
        struct tcp_seg s;
        int fam, dir, conn = -1;
        uint16_t cport;

        num++;
        fam = link_l3(dlt, data, h->caplen, &l3, &n);
        if (fam < 0)
            continue;
        memset(&p, 0, sizeof p);
        p.num = num;
        p.ts.sec = h->ts.tv_sec;
        p.ts.nsec = (uint32_t)h->ts.tv_usec * 1000;
        if (ip_parse(&p, fam, l3, n,
                     h->len > h->caplen ? n + (h->len - h->caplen) : n) < 0
            || p.l4proto != 6
            || tcp_parse(p.l4, p.l4len, p.l4wire, &s) < 0)
            continue;
        dir = s.sport == PORT;
        cport = dir ? s.dport : s.sport;
        for (i = 0; i < t->nconn; i++)
            if (ports[i] == cport)
                conn = i;
        if (conn < 0) {
            if (t->nconn == MAXCONN)
                continue;
            conn = t->nconn++;
            ports[conn] = cport;
        }
        tr_conn = conn;
        tr_pkt = num;
        tr_ts = p.ts;
        tcp_input(td[conn], dir, &s, num, &p.ts, 0, &out);
    }
    for (i = 0; i < t->nconn; i++) {
        tr_conn = i;
        tcp_flush(td[i], &out);
        tcp_free(&td[i][0]);
        tcp_free(&td[i][1]);
    }
    pcap_close(pc);
    return 0;
}

static void
tr_free(struct transcript *t)
{
    free(t->bytes);
    free(t->ch);
    memset(t, 0, sizeof *t);
}

/* ---- what a run produces: plaintext per direction (all connections in
 * order) and one line per event ---- */

struct buf {
    char *p;
    size_t n, cap;
};

static void
buf_put(struct buf *b, const void *p, size_t n)
{
    while (b->n + n + 1 > b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4096;
        if (!(b->p = realloc(b->p, b->cap)))
            abort();
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void
buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void
buf_str(struct buf *b, const char *tag, const struct tls_str *s)
{
    buf_printf(b, " %s=", tag);
    buf_put(b, s->p ? (const char *)s->p : "", s->n);
}

struct run {
    struct buf plain[2];
    struct buf ev;
    int conn;
    int count[TLS_EV_N];
    int certs;                  /* certificates named in CERTIFICATE events */
    int bad_dir[2], nokey_dir[2];
};

static void
on_plain(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
         const struct ms_time *ts)
{
    struct run *r = ctx;

    (void)pkt;
    (void)ts;
    buf_put(&r->plain[dir], p, n);
}

static void
on_event(void *ctx, const struct tls_event *e)
{
    struct run *r = ctx;
    struct buf *b = &r->ev;
    int i;

    r->count[e->kind]++;
    if (e->kind == TLS_EV_BAD_RECORD)
        r->bad_dir[e->dir]++;
    if (e->kind == TLS_EV_NO_KEY)
        r->nokey_dir[e->dir]++;
    buf_printf(b, "%d %s dir=%d pkt=%llu rec=%llu fl=%x v=%04x s=%04x", r->conn,
               tls_ev_kind_name(e->kind), e->dir, (unsigned long long)e->pkt,
               (unsigned long long)e->record, e->flags, e->version, e->suite);
    if (e->suite_name)
        buf_printf(b, " %s", e->suite_name);
    if (e->reason)
        buf_printf(b, " why=%s", e->reason);
    switch (e->kind) {
    case TLS_EV_CLIENT_HELLO:
        buf_str(b, "sni", &e->sni);
        buf_printf(b, " suites=%u vers=%u alpn=%u", e->n_suites, e->n_versions, e->n_alpn);
        break;
    case TLS_EV_SERVER_HELLO:
        buf_printf(b, " legacy=%04x sid=%zu", e->legacy_version, e->session_id.n);
        break;
    case TLS_EV_CERTIFICATE:
        buf_printf(b, " n=%u total=%u", e->n_certs, e->certs_total);
        for (i = 0; i < e->n_certs; i++) {
            buf_str(b, "s", &e->certs[i].subject);
            buf_str(b, "i", &e->certs[i].issuer);
            if (e->certs[i].subject.n)
                r->certs++;
        }
        break;
    case TLS_EV_ALERT:
        buf_printf(b, " %u/%u %s %s", e->alert_level, e->alert_desc,
                   e->alert_level_name ? e->alert_level_name : "-",
                   e->alert_name ? e->alert_name : "-");
        break;
    case TLS_EV_KEY_UPDATE:
        buf_printf(b, " gen=%u", e->generation);
        break;
    case TLS_EV_OPAQUE:
    case TLS_EV_GAP:
        buf_printf(b, " records=%llu bytes=%llu", (unsigned long long)e->records,
                   (unsigned long long)e->bytes);
        break;
    default:
        break;
    }
    buf_put(b, "\n", 1);
}

static const struct tls_out tout = { on_plain, on_event, NULL };

static void
run_free(struct run *r)
{
    free(r->plain[0].p);
    free(r->plain[1].p);
    free(r->ev.p);
    memset(r, 0, sizeof *r);
}

/* How to cut the transcript: split is a global byte offset at which the
 * chunk holding it is cut in two (0: none); step > 0 feeds every chunk in
 * pieces of step bytes. flip: a byte offset to XOR with 0x01 (or -1). */
struct how {
    size_t split;
    size_t step;
    long flip;
    unsigned seed;              /* random piece sizes when set */
};

static void
feed(struct tls_conn *c, int dir, const uint8_t *p, size_t n, const struct chunk *ch,
     struct run *r)
{
    struct tls_out o = tout;

    o.ctx = r;
    tls_conn_data(c, dir, p, n, ch->pkt, &ch->ts, &o);
}

static void
run_transcript(const struct transcript *t, struct tls_keys *k, const struct how *how,
               struct run *r)
{
    struct tls_conn *conn[MAXCONN];
    uint8_t *bytes = malloc(t->n ? t->n : 1);
    unsigned seed = how->seed;
    size_t i;
    int j;

    if (!bytes)
        abort();
    memcpy(bytes, t->bytes, t->n);
    if (how->flip >= 0 && (size_t)how->flip < t->n)
        bytes[how->flip] ^= 0x01;
    memset(r, 0, sizeof *r);
    for (j = 0; j < t->nconn; j++) {
        conn[j] = tls_conn_new(k);
        if (!conn[j])
            abort();
    }
    for (i = 0; i < t->nch; i++) {
        const struct chunk *ch = &t->ch[i];
        struct tls_conn *c = conn[ch->conn];
        size_t off = 0, n = ch->len;
        r->conn = ch->conn;
        if (ch->gap) {
            struct tls_out o = tout;
            o.ctx = r;
            tls_conn_gap(c, ch->dir, ch->gap, &o);
            continue;
        }
        if (how->split > ch->off && how->split < ch->off + ch->len) {
            size_t a = how->split - ch->off;
            feed(c, ch->dir, bytes + ch->off, a, ch, r);
            feed(c, ch->dir, bytes + ch->off + a, n - a, ch, r);
            continue;
        }
        while (off < n) {
            size_t k2 = n - off;
            if (seed) {
                seed = seed * 1103515245u + 12345u;
                k2 = 1 + (seed >> 16) % 300;
            } else if (how->step) {
                k2 = how->step;
            }
            if (k2 > n - off)
                k2 = n - off;
            feed(c, ch->dir, bytes + ch->off + off, k2, ch, r);
            off += k2;
        }
    }
    for (j = 0; j < t->nconn; j++) {
        struct tls_out o = tout;
        o.ctx = r;
        r->conn = j;
        tls_conn_close(conn[j], &o);
        tls_conn_free(conn[j]);
    }
    free(bytes);
}

static char *
slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long len;

    *n = 0;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc((size_t)len + 1);
    if (!p || fread(p, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(p);
        return NULL;
    }
    p[len] = 0;
    fclose(f);
    *n = (size_t)len;
    return p;
}

static struct tls_keys *
keys_from(const char *file)
{
    struct tls_keys *k = tls_keys_new();
    char path[512], err[256];

    snprintf(path, sizeof path, DATA "%s", file);
    if (!k || tls_keys_load(k, path, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    return k;
}

static int
same(const struct buf *a, const struct buf *b)
{
    return a->n == b->n && (!a->n || !memcmp(a->p, b->p, a->n));
}

/* Does a begin with b's bytes (a plaintext prefix of the good one)? */
static int
prefix(const struct buf *a, const struct buf *good)
{
    return a->n <= good->n && (!a->n || !memcmp(a->p, good->p, a->n));
}

struct fixture {
    const char *name;
    const char *keys;           /* NULL: NAME.keys */
    uint16_t version, suite;
    int certs;                  /* certificates named (2 per full handshake) */
    int decrypting;             /* DECRYPTING events */
    int key_updates;
    int full_split;             /* split at every offset (the rest: a stride) */
};

static const struct fixture fixtures[] = {
    { "tls13-aes128gcm", NULL, 0x0304, 0x1301, 2, 2, 0, 1 },
    { "tls13-aes256gcm", NULL, 0x0304, 0x1302, 2, 2, 0, 1 },
    { "tls13-chacha20", NULL, 0x0304, 0x1303, 2, 2, 0, 1 },
    { "tls13-keyupdate", NULL, 0x0304, 0x1301, 2, 2, 6, 1 },
    { "tls13-hrr", NULL, 0x0304, 0x1302, 2, 2, 0, 1 },
    { "tls13-early", NULL, 0x0304, 0x1302, 2, 5, 0, 1 },
    { "tls12-ecdhe-aes128gcm", NULL, 0x0303, 0xc02f, 2, 2, 0, 1 },
    { "tls12-ecdhe-chacha20", NULL, 0x0303, 0xcca8, 2, 2, 0, 1 },
    { "tls12-ecdhe-aes256cbc-etm", NULL, 0x0303, 0xc028, 2, 2, 0, 1 },
    { "tls12-ecdhe-aes256cbc-mte", NULL, 0x0303, 0xc028, 2, 2, 0, 1 },
    { "tls12-rsa-aes128sha", NULL, 0x0303, 0x002f, 2, 2, 0, 1 },
    { "tls12-dhe-aes256sha256", NULL, 0x0303, 0x006b, 2, 2, 0, 1 },
    { "tls12-resume-id", NULL, 0x0303, 0xc030, 2, 4, 0, 1 },
    { "tls12-resume-ticket", NULL, 0x0303, 0xc030, 2, 4, 0, 1 },
    { "tls12-sessid", NULL, 0x0303, 0xc02f, 2, 2, 0, 1 },
    { "tls12-sessid", "tls12-sessid.wskeys", 0x0303, 0xc02f, 2, 2, 0, 0 },
    { "tls12-reneg", NULL, 0x0303, 0xc02f, 4, 4, 0, 1 },
    { "tls11-aes256sha", NULL, 0x0302, 0x0035, 2, 2, 0, 1 },
    { "tls10-aes128sha", NULL, 0x0301, 0x002f, 2, 2, 0, 1 },
};

static int full_split = 1;

static void
check_fixture(const struct fixture *f)
{
    char path[512], kf[256];
    struct transcript t;
    struct tls_keys *k;
    struct run base, r;
    struct how how = { 0, 0, -1, 0 };
    size_t en[2], i, stride;
    char *exp[2];
    int d, mism = 0, runs = 0;
    clock_t t0 = clock();

    snprintf(path, sizeof path, DATA "%s.pcap", f->name);
    snprintf(kf, sizeof kf, "%s.keys", f->name);
    if (tr_load(path, &t) < 0) {
        T_CHECK(!"fixture loads");
        return;
    }
    k = keys_from(f->keys ? f->keys : kf);
    snprintf(path, sizeof path, DATA "%s.c2s", f->name);
    exp[0] = slurp(path, &en[0]);
    snprintf(path, sizeof path, DATA "%s.s2c", f->name);
    exp[1] = slurp(path, &en[1]);
    T_CHECK(exp[0] && exp[1]);

    run_transcript(&t, k, &how, &base);
    for (d = 0; d < 2; d++) {
        int ok = exp[d] && base.plain[d].n == en[d] && !memcmp(base.plain[d].p, exp[d], en[d]);
        if (!ok)
            fprintf(stderr, "%s dir %d: plaintext differs (%zu bytes, want %zu)\n%s\n",
                    f->name, d, base.plain[d].n, en[d], base.ev.p ? base.ev.p : "");
        T_CHECK(ok);
    }
    T_INT(base.count[TLS_EV_BAD_RECORD], 0);
    T_INT(base.count[TLS_EV_NO_KEY], 0);
    T_INT(base.count[TLS_EV_DECRYPTING], f->decrypting);
    T_INT(base.count[TLS_EV_KEY_UPDATE], f->key_updates);
    T_INT(base.certs, f->certs);
    T_CHECK(strstr(base.ev.p, "CN=mail.example.test,O=mailsift,C=XX") != NULL);
    T_CHECK(strstr(base.ev.p, "sni=mail.example.test") != NULL);
    {
        char want[64];
        snprintf(want, sizeof want, "v=%04x s=%04x", f->version, f->suite);
        T_CHECK(strstr(base.ev.p, want) != NULL);
    }
    if (getenv("TLS_SHOW"))
        fprintf(stderr, "== %s\n%s", f->name, base.ev.p);
    if (getenv("TLS_DUMP")) {
        for (d = 0; d < 2; d++) {
            FILE *o;
            snprintf(path, sizeof path, "%s/%s%s.%s", getenv("TLS_DUMP"), f->name,
                     f->keys ? "-ws" : "", d ? "s2c" : "c2s");
            if ((o = fopen(path, "wb"))) {
                fwrite(base.plain[d].p ? base.plain[d].p : "", 1, base.plain[d].n, o);
                fclose(o);
            }
        }
    }

    /* Any cut gives the same plaintext and the same events. */
    for (i = 1; i <= 3; i++) {
        how.step = i;
        run_transcript(&t, k, &how, &r);
        runs++;
        if (!same(&r.plain[0], &base.plain[0]) || !same(&r.plain[1], &base.plain[1])
            || !same(&r.ev, &base.ev)) {
            if (!mism++)
                fprintf(stderr, "%s: step %zu differs:\n%s---\n%s", f->name, i,
                        r.ev.p, base.ev.p);
        }
        run_free(&r);
    }
    how.step = 0;
    for (i = 1; i <= 20; i++) {
        how.seed = (unsigned)i;
        run_transcript(&t, k, &how, &r);
        runs++;
        if (!same(&r.plain[0], &base.plain[0]) || !same(&r.plain[1], &base.plain[1])
            || !same(&r.ev, &base.ev))
            if (!mism++)
                fprintf(stderr, "%s: random cut %zu differs\n", f->name, i);
        run_free(&r);
    }
    how.seed = 0;
    stride = f->full_split && full_split ? 1 : 97;
    for (i = 1; i < t.n; i += stride) {
        how.split = i;
        run_transcript(&t, k, &how, &r);
        runs++;
        if (!same(&r.plain[0], &base.plain[0]) || !same(&r.plain[1], &base.plain[1])
            || !same(&r.ev, &base.ev))
            if (!mism++)
                fprintf(stderr, "%s: split at %zu differs:\n%s---\n%s", f->name, i,
                        r.ev.p, base.ev.p);
        run_free(&r);
    }
    T_INT(mism, 0);
    fprintf(stderr, "  %-26s %5zu bytes, %d chunks: %d runs, %.1f s\n", f->name, t.n,
            (int)t.nch, runs, (double)(clock() - t0) / CLOCKS_PER_SEC);

    run_free(&base);
    free(exp[0]);
    free(exp[1]);
    tls_keys_free(k);
    tr_free(&t);
}

/* ---- handshake messages fragmented across records ---- */

/* Every plaintext handshake record before its direction's first
 * change_cipher_spec, re-framed into records of at most frag bytes (RFC
 * 5246 6.2.1 allows any fragmentation of handshake messages). Chunks keep
 * their packets: each covers the new bytes of its old ones. */
static void
refragment(const struct transcript *in, size_t frag, struct transcript *out)
{
    size_t pos[MAXCONN][2], i;
    int c, d;

    memset(out, 0, sizeof *out);
    out->nconn = in->nconn;
    for (c = 0; c < in->nconn; c++)
        for (d = 0; d < 2; d++) {
            struct buf old = { 0 }, nw = { 0 };
            size_t *map, r = 0, k;
            int ccs = 0;
            for (i = 0; i < in->nch; i++)
                if (in->ch[i].conn == c && in->ch[i].dir == d)
                    buf_put(&old, in->bytes + in->ch[i].off, in->ch[i].len);
            map = calloc(old.n + 1, sizeof *map);
            if (!map)
                abort();
            while (r < old.n) {
                const uint8_t *h = (const uint8_t *)old.p + r;
                size_t len = r + 5 <= old.n ? (size_t)(h[3] << 8 | h[4]) : 0;
                if (r + 5 > old.n || r + 5 + len > old.n || h[0] != CT_HS || ccs) {
                    /* As it is (to the end if incomplete). */
                    size_t e = r + 5 <= old.n && r + 5 + len <= old.n ? r + 5 + len : old.n;
                    if (r + 5 <= old.n && h[0] == CT_CCS)
                        ccs = 1;
                    for (k = r; k < e; k++)
                        map[k] = nw.n + (k - r);
                    buf_put(&nw, h, e - r);
                    r = e;
                    continue;
                }
                for (k = 0; k < 5; k++)
                    map[r + k] = nw.n;
                for (k = 0; k < len; k += frag) {
                    size_t m = len - k < frag ? len - k : frag, j;
                    uint8_t hdr[5] = { CT_HS, h[1], h[2], (uint8_t)(m >> 8), (uint8_t)m };
                    buf_put(&nw, hdr, 5);
                    for (j = 0; j < m; j++)
                        map[r + 5 + k + j] = nw.n + j;
                    buf_put(&nw, h + 5 + k, m);
                }
                r += 5 + len;
            }
            map[old.n] = nw.n;
            pos[c][d] = 0;
            for (i = 0; i < in->nch; i++) {
                const struct chunk *ch = &in->ch[i];
                size_t a2, b2;
                if (ch->conn != c || ch->dir != d)
                    continue;
                a2 = map[pos[c][d]];
                b2 = map[pos[c][d] + ch->len];
                pos[c][d] += ch->len;
                tr_add(out, c, d, (const uint8_t *)nw.p + a2, b2 - a2, ch->gap, ch->pkt, &ch->ts);
                /* conn holds the original index until the reordering below. */
                out->ch[out->nch - 1].conn = (int)i;
            }
            free(map);
            free(old.p);
            free(nw.p);
        }
    /* Back in the original chunk order. */
    {
        struct chunk *sorted = malloc(in->nch * sizeof *sorted);
        if (!sorted)
            abort();
        for (i = 0; i < out->nch; i++) {
            size_t orig = (size_t)out->ch[i].conn;
            sorted[orig] = out->ch[i];
            sorted[orig].conn = in->ch[orig].conn;
        }
        memcpy(out->ch, sorted, in->nch * sizeof *sorted);
        free(sorted);
    }
}

/* Events without their record numbers (re-framing changes them). */
static void
strip_rec(const struct buf *in, struct buf *out)
{
    const char *p = in->p ? in->p : "", *q;

    memset(out, 0, sizeof *out);
    while ((q = strstr(p, " rec="))) {
        buf_put(out, p, (size_t)(q - p));
        p = q + 5;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    buf_put(out, p, strlen(p));
}

static void
check_fragments(const struct fixture *f)
{
    static const size_t frags[] = { 1, 2, 5, 16, 300 };
    char path[512], kf[256];
    struct transcript t, t2;
    struct tls_keys *k;
    struct run base, r;
    struct how how = { 0, 0, -1, 0 };
    struct buf e1, e2;
    size_t i;
    int bad = 0;

    snprintf(path, sizeof path, DATA "%s.pcap", f->name);
    snprintf(kf, sizeof kf, "%s.keys", f->name);
    if (tr_load(path, &t) < 0)
        return;
    k = keys_from(f->keys ? f->keys : kf);
    run_transcript(&t, k, &how, &base);
    strip_rec(&base.ev, &e1);
    for (i = 0; i < sizeof frags / sizeof frags[0]; i++) {
        refragment(&t, frags[i], &t2);
        T_CHECK(t2.n > t.n || frags[i] == 300);
        how.step = frags[i] == 1 ? 1 : 0;
        run_transcript(&t2, k, &how, &r);
        strip_rec(&r.ev, &e2);
        if (!same(&r.plain[0], &base.plain[0]) || !same(&r.plain[1], &base.plain[1])
            || !same(&e1, &e2)) {
            if (!bad++)
                fprintf(stderr, "%s: handshake in %zu-byte records differs:\n%s---\n%s",
                        f->name, frags[i], e2.p, e1.p);
        }
        free(e2.p);
        run_free(&r);
        tr_free(&t2);
    }
    T_INT(bad, 0);
    free(e1.p);
    run_free(&base);
    tls_keys_free(k);
    tr_free(&t);
}

/* A flipped byte anywhere: never a crash, never plaintext that was not
 * sent (each direction's plaintext is a prefix of the good one). */
static void
check_flips(const char *name, size_t stride)
{
    char path[512], kf[256];
    struct transcript t;
    struct tls_keys *k;
    struct run good, r;
    struct how how = { 0, 0, -1, 0 };
    size_t i;
    int bad = 0, stopped = 0, runs = 0;

    snprintf(path, sizeof path, DATA "%s.pcap", name);
    snprintf(kf, sizeof kf, "%s.keys", name);
    if (tr_load(path, &t) < 0)
        return;
    k = keys_from(kf);
    run_transcript(&t, k, &how, &good);
    for (i = 0; i < t.n; i += stride) {
        how.flip = (long)i;
        run_transcript(&t, k, &how, &r);
        runs++;
        if (!prefix(&r.plain[0], &good.plain[0]) || !prefix(&r.plain[1], &good.plain[1])) {
            if (!bad++)
                fprintf(stderr, "%s: flip at %zu gave other plaintext\n", name, i);
        }
        if (r.plain[0].n < good.plain[0].n || r.plain[1].n < good.plain[1].n)
            stopped++;
        run_free(&r);
    }
    T_INT(bad, 0);
    /* Flips in protected records and hellos stop something (those in a
     * TLS 1.2 certificate or padding of a header change nothing). */
    T_CHECK(stopped > 0);
    fprintf(stderr, "  flips %-20s %d runs, %d lost plaintext\n", name, runs, stopped);
    run_free(&good);
    tls_keys_free(k);
    tr_free(&t);
}

static void
check_negative(void)
{
    struct transcript t;
    struct tls_keys *k;
    struct run r;
    struct how how = { 0, 0, -1, 0 };
    struct tls_keys_stats st;

    /* Wrong key log: right labels and randoms, wrong secrets. */
    T_INT(tr_load(DATA "tls13-aes128gcm.pcap", &t), 0);
    k = keys_from("bad-wrong.keys");
    run_transcript(&t, k, &how, &r);
    T_INT(r.plain[0].n + r.plain[1].n, 0);
    T_INT(r.bad_dir[0], 1);
    T_INT(r.bad_dir[1], 1);
    T_INT(r.count[TLS_EV_CERTIFICATE], 0);
    T_CHECK(strstr(r.ev.p, "why=authentication failed") != NULL);
    run_free(&r);
    tls_keys_free(k);

    /* Missing: a key log of another connection. */
    k = keys_from("bad-missing.keys");
    run_transcript(&t, k, &how, &r);
    T_INT(r.plain[0].n + r.plain[1].n, 0);
    T_INT(r.nokey_dir[0], 1);
    T_INT(r.nokey_dir[1], 1);
    T_INT(r.count[TLS_EV_BAD_RECORD], 0);
    T_CHECK(r.count[TLS_EV_OPAQUE] > 0);
    run_free(&r);
    tls_keys_free(k);

    /* No key log at all: parse only. */
    run_transcript(&t, NULL, &how, &r);
    T_INT(r.plain[0].n + r.plain[1].n, 0);
    T_CHECK(strstr(r.ev.p, "why=no key log") != NULL);
    T_INT(r.count[TLS_EV_CLIENT_HELLO], 1);
    T_INT(r.count[TLS_EV_SERVER_HELLO], 1);
    run_free(&r);

    /* Truncated in the third secret: the server handshake secret is
     * there (certificates seen), the rest is not. */
    k = keys_from("bad-truncated.keys");
    tls_keys_stats(k, &st);
    T_INT(st.secrets, 2);
    T_INT(st.bad_lines, 1);
    run_transcript(&t, k, &how, &r);
    T_INT(r.plain[0].n + r.plain[1].n, 0);
    T_INT(r.certs, 2);
    T_INT(r.nokey_dir[0], 1);
    T_INT(r.nokey_dir[1], 1);
    T_CHECK(strstr(r.ev.p, "why=no application traffic secret") != NULL);
    run_free(&r);
    tls_keys_free(k);
    tr_free(&t);

    /* Flipped GCM tag in the server's first application data record. */
    T_INT(tr_load(DATA "bad-flipped.pcap", &t), 0);
    k = keys_from("tls12-ecdhe-aes128gcm.keys");
    run_transcript(&t, k, &how, &r);
    T_INT(r.bad_dir[1], 1);
    T_INT(r.bad_dir[0], 0);
    T_INT(r.plain[1].n, 0);
    T_BYTES(r.plain[0].p, r.plain[0].n,
            "EHLO client.example\nMAIL FROM:<user1@example.test>\n"
            "RCPT TO:<carol@example.test>\nQUIT\n");
    run_free(&r);
    tls_keys_free(k);
    tr_free(&t);

    /* Flipped byte inside a CBC record (MAC-then-encrypt). */
    T_INT(tr_load(DATA "bad-flipped-cbc.pcap", &t), 0);
    k = keys_from("tls12-ecdhe-aes256cbc-mte.keys");
    run_transcript(&t, k, &how, &r);
    T_INT(r.bad_dir[1], 1);
    T_INT(r.plain[1].n, 0);
    T_INT(r.plain[0].n, 85);
    T_CHECK(strstr(r.ev.p, "why=bad padding") || strstr(r.ev.p, "why=bad record MAC"));
    run_free(&r);
    tls_keys_free(k);
    tr_free(&t);
}

/* Resumption with only the first connection's CLIENT_RANDOM: the master
 * secret is learned for the session id (or ticket) and found again. */
static void
check_learning(void)
{
    static const char *names[] = { "tls12-resume-id", "tls12-resume-ticket" };
    struct transcript t;
    struct run r;
    struct how how = { 0, 0, -1, 0 };
    struct tls_keys_stats st;
    size_t i, n;
    char path[256], *text, *nl;

    for (i = 0; i < 2; i++) {
        struct tls_keys *k = tls_keys_new();
        snprintf(path, sizeof path, DATA "%s.keys", names[i]);
        text = slurp(path, &n);
        T_CHECK(text != NULL);
        if (!text)
            continue;
        /* Keep the comment and the first CLIENT_RANDOM line only. */
        nl = strchr(text, '\n');
        nl = nl ? strchr(nl + 1, '\n') : NULL;
        T_CHECK(nl != NULL);
        tls_keys_parse(k, (const uint8_t *)text, nl ? (size_t)(nl - text + 1) : n);
        tls_keys_stats(k, &st);
        T_INT(st.secrets, 1);
        snprintf(path, sizeof path, DATA "%s.pcap", names[i]);
        T_INT(tr_load(path, &t), 0);
        run_transcript(&t, k, &how, &r);
        T_INT(r.count[TLS_EV_BAD_RECORD], 0);
        T_INT(r.count[TLS_EV_DECRYPTING], 4);
        T_CHECK(strstr(r.ev.p, i ? "why=session ticket" : "why=session id") != NULL);
        tls_keys_stats(k, &st);
        T_CHECK(st.learned >= 1);
        snprintf(path, sizeof path, DATA "%s.c2s", names[i]);
        free(text);
        text = slurp(path, &n);
        T_CHECK(text && r.plain[0].n == n && !memcmp(r.plain[0].p, text, n));
        free(text);
        run_free(&r);
        tr_free(&t);
        tls_keys_free(k);
    }
}

/* A key log without the lines whose label contains drop. */
static struct tls_keys *
keys_without(const char *file, const char *drop)
{
    struct tls_keys *k = tls_keys_new();
    char path[512], *text, *line, *save = NULL;
    size_t n;

    snprintf(path, sizeof path, DATA "%s", file);
    text = slurp(path, &n);
    if (!k || !text)
        abort();
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (!strstr(line, drop))
            tls_keys_parse(k, (const uint8_t *)line, strlen(line));
    free(text);
    return k;
}

/* Secrets missing in part: what can be decrypted still is. */
static void
check_partial_keys(void)
{
    struct transcript t;
    struct tls_keys *k;
    struct run r;
    struct how how = { 0, 0, -1, 0 };
    size_t n;
    char *want;

    /* 0-RTT data without its secret: skipped and counted, the rest of
     * the connection decrypted. */
    T_INT(tr_load(DATA "tls13-early.pcap", &t), 0);
    k = keys_without("tls13-early.keys", "EARLY_TRAFFIC");
    run_transcript(&t, k, &how, &r);
    T_INT(r.count[TLS_EV_BAD_RECORD], 0);
    T_INT(r.count[TLS_EV_NO_KEY], 0);
    T_BYTES(r.plain[0].p, r.plain[0].n,
            "EHLO client.example\nquit\nEHLO again.example\nquit\n");
    T_CHECK(strstr(r.ev.p, "opaque dir=0") != NULL);
    T_CHECK(strstr(r.ev.p, "fl=400") != NULL);     /* TLS_EVF_EARLY_DATA */
    run_free(&r);
    tls_keys_free(k);
    tr_free(&t);

    /* Only the application traffic secrets: the handshake records are
     * skipped (no certificates), the application data decrypted. */
    T_INT(tr_load(DATA "tls13-aes256gcm.pcap", &t), 0);
    k = keys_without("tls13-aes256gcm.keys", "HANDSHAKE");
    run_transcript(&t, k, &how, &r);
    T_INT(r.count[TLS_EV_BAD_RECORD], 0);
    T_INT(r.count[TLS_EV_CERTIFICATE], 0);
    want = slurp(DATA "tls13-aes256gcm.c2s", &n);
    T_CHECK(want && r.plain[0].n == n && !memcmp(r.plain[0].p, want, n));
    free(want);
    want = slurp(DATA "tls13-aes256gcm.s2c", &n);
    T_CHECK(want && r.plain[1].n == n && !memcmp(r.plain[1].p, want, n));
    free(want);
    T_CHECK(strstr(r.ev.p, "why=SERVER_TRAFFIC_SECRET_0") != NULL);
    run_free(&r);
    tls_keys_free(k);

    /* Only the client's secrets: the server side stays opaque. */
    k = keys_without("tls13-aes256gcm.keys", "SERVER_");
    run_transcript(&t, k, &how, &r);
    T_INT(r.nokey_dir[1], 1);
    T_INT(r.nokey_dir[0], 0);
    T_INT(r.plain[1].n, 0);
    T_INT(r.plain[0].n, 85);
    run_free(&r);
    tls_keys_free(k);
    tr_free(&t);
}

/* Live: the client writes SERVER_TRAFFIC_SECRET_0 only after the
 * server's first application records were captured. A live key log makes
 * the direction wait a few records, looking at the file again at each,
 * and decrypt from the first record after the line arrived (its sequence
 * number counted); without live the direction has no key for good. */
static void
live_wait_run(int live, struct run *r)
{
    struct transcript t;
    struct tls_keys *k = tls_keys_new();
    char path[] = "/tmp/mailsift-test-keysXXXXXX", err[256], *text, *line, *save = NULL;
    char *late = NULL;
    size_t n, i;
    int fd, appended = 0;
    FILE *f;
    struct tls_conn *c;
    struct tls_out o = tout;

    T_INT(tr_load(DATA "tls13-aes256gcm.pcap", &t), 0);
    text = slurp(DATA "tls13-aes256gcm.keys", &n);
    fd = mkstemp(path);
    if (!k || !text || fd < 0 || !(f = fdopen(fd, "w")))
        abort();
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strstr(line, "SERVER_TRAFFIC_SECRET_0"))
            late = line;
        else
            fprintf(f, "%s\n", line);
    }
    fclose(f);
    T_CHECK(late != NULL);
    T_INT(tls_keys_load(k, path, err, sizeof err), 0);
    tls_keys_set_live(k, live);
    memset(r, 0, sizeof *r);
    o.ctx = r;
    c = tls_conn_new(k);
    for (i = 0; i < t.nch; i++) {
        const struct chunk *ch = &t.ch[i];
        if (ch->conn != 0 || ch->gap)
            continue;
        tls_conn_data(c, ch->dir, t.bytes + ch->off, ch->len, ch->pkt, &ch->ts, &o);
        /* the client's first line is out: now its key log has the line */
        if (!appended && r->plain[0].n && late) {
            f = fopen(path, "a");
            if (!f)
                abort();
            fprintf(f, "%s\n", late);
            fclose(f);
            appended = 1;
        }
    }
    tls_conn_close(c, &o);
    tls_conn_free(c);
    T_CHECK(appended);
    unlink(path);
    free(text);
    tls_keys_free(k);
    tr_free(&t);
}

static void
check_live_wait(void)
{
    struct run r;
    size_t n;
    char *want = slurp(DATA "tls13-aes256gcm.s2c", &n);

    live_wait_run(1, &r);
    T_INT(r.nokey_dir[1], 0);
    T_INT(r.count[TLS_EV_BAD_RECORD], 0);
    /* what came after the line is the end of the server's plaintext */
    T_CHECK(r.plain[1].n > 0 && want && r.plain[1].n <= n
            && !memcmp(r.plain[1].p, want + (n - r.plain[1].n), r.plain[1].n));
    T_CHECK(strstr(r.ev.p, "opaque dir=1") != NULL);
    run_free(&r);

    live_wait_run(0, &r);
    T_INT(r.nokey_dir[1], 1);
    T_INT(r.plain[1].n, 0);
    run_free(&r);
    free(want);
}

/* A gap inside a protected record keeps the framing; decryption stops. */
static void
check_gap(void)
{
    struct transcript t;
    struct tls_keys *k;
    struct run r;
    struct tls_conn *c;
    struct tls_out o = tout;
    size_t i, skip_at = 0;
    int dir = 1;

    T_INT(tr_load(DATA "tls13-aes128gcm.pcap", &t), 0);
    k = keys_from("tls13-aes128gcm.keys");
    memset(&r, 0, sizeof r);
    o.ctx = &r;
    c = tls_conn_new(k);
    /* Leave out 10 bytes in the middle of the last server chunk with more
     * than 40 bytes. */
    for (i = 0; i < t.nch; i++)
        if (t.ch[i].dir == 1 && t.ch[i].len > 40)
            skip_at = i;
    for (i = 0; i < t.nch; i++) {
        const struct chunk *ch = &t.ch[i];
        if (i == skip_at) {
            tls_conn_data(c, ch->dir, t.bytes + ch->off, 20, ch->pkt, &ch->ts, &o);
            tls_conn_gap(c, ch->dir, 10, &o);
            tls_conn_data(c, ch->dir, t.bytes + ch->off + 30, ch->len - 30, ch->pkt, &ch->ts, &o);
            continue;
        }
        tls_conn_data(c, ch->dir, t.bytes + ch->off, ch->len, ch->pkt, &ch->ts, &o);
    }
    tls_conn_close(c, &o);
    T_INT(r.count[TLS_EV_GAP], 1);
    T_INT(r.count[TLS_EV_BAD_RECORD], 0);
    T_CHECK(strstr(r.ev.p, "why=bytes lost: decryption stops") != NULL);
    {
        struct tls_conn_stats st;
        tls_conn_stats(c, &st);
        /* Framing held: nothing skipped but the hole. */
        T_INT(st.skipped_bytes[dir], 10);
        T_CHECK(st.opaque_records[dir] >= 1);
    }
    tls_conn_free(c);
    run_free(&r);
    tls_keys_free(k);
    tr_free(&t);
}

static void
check_api(void)
{
    static const uint8_t hs[] = { 0x16, 0x03, 0x01, 0x02, 0x00 };
    static const uint8_t app[] = { 0x17, 0x03, 0x03, 0x40, 0x00 };
    static const uint8_t toolong[] = { 0x17, 0x03, 0x03, 0x48, 0x01 };
    static const uint8_t smtp[] = "220 mail.example.test ESMTP";
    struct tls_conn *c;
    struct tls_conn_stats st;
    struct run r;
    struct tls_out o = tout;
    size_t i;

    T_INT(tls_looks_like_record(hs, 5), 1);
    T_INT(tls_looks_like_record(app, 5), 1);
    T_INT(tls_looks_like_record(toolong, 5), 0);
    T_INT(tls_looks_like_record(hs, 1), 1);
    T_INT(tls_looks_like_record(hs, 3), 1);
    T_INT(tls_looks_like_record(hs, 0), 0);
    T_INT(tls_looks_like_record(smtp, sizeof smtp - 1), 0);
    T_INT(tls_looks_like_record(smtp, 1), 0);

    T_CHECK(!strcmp(tls_suite_name(0x1301), "TLS_AES_128_GCM_SHA256"));
    T_CHECK(!strcmp(tls_suite_name(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
    T_CHECK(!strcmp(tls_suite_name(0x0a0a), "Reserved (GREASE)"));
    T_CHECK(!strcmp(tls_suite_name(0xfefe), "Unknown") || tls_suite_name(0xfefe)[0]);
    T_CHECK(!strcmp(tls_alert_name(0), "Close Notify"));
    T_CHECK(!strcmp(tls_alert_name(20), "Bad Record MAC"));
    T_CHECK(!strcmp(tls_alert_name(200), "Unknown"));
    T_CHECK(!strcmp(tls_version_name(0x0303), "TLS 1.2"));
    T_CHECK(!strcmp(tls_version_name(0x0304), "TLS 1.3"));
    T_CHECK(!strcmp(tls_hs_type_name(1), "Client Hello"));
    T_CHECK(!strcmp(tls_hs_type_name(24), "Key Update"));
    T_CHECK(!strcmp(tls_ev_kind_name(TLS_EV_OPAQUE), "opaque"));

    /* Not TLS: one BAD_RECORD, then the bytes are scanned and skipped. */
    memset(&r, 0, sizeof r);
    o.ctx = &r;
    c = tls_conn_new(NULL);
    for (i = 0; i < 100; i++)
        tls_conn_data(c, 0, smtp, sizeof smtp - 1, i, NULL, &o);
    tls_conn_close(c, &o);
    T_INT(r.count[TLS_EV_BAD_RECORD], 1);
    tls_conn_stats(c, &st);
    T_CHECK(st.skipped_bytes[0] == 100 * (sizeof smtp - 1));
    /* Parse only: the connection state is small. */
    T_CHECK(st.mem < 1024);
    tls_conn_free(c);
    run_free(&r);
    T_CHECK(sizeof(struct tls_conn) < 1024);
}

/* Parse-only memory after a whole TLS 1.2 handshake: the handshake buffer
 * is given back once the direction turns opaque. */
static void
check_parse_only_mem(void)
{
    struct transcript t;
    struct tls_conn *c;
    struct tls_conn_stats st;
    struct run r;
    struct tls_out o = tout;
    size_t i;

    T_INT(tr_load(DATA "tls12-ecdhe-aes128gcm.pcap", &t), 0);
    memset(&r, 0, sizeof r);
    o.ctx = &r;
    c = tls_conn_new(NULL);
    for (i = 0; i < t.nch; i++)
        tls_conn_data(c, t.ch[i].dir, t.bytes + t.ch[i].off, t.ch[i].len, t.ch[i].pkt,
                      &t.ch[i].ts, &o);
    tls_conn_stats(c, &st);
    T_CHECK(st.mem <= sizeof(struct tls_conn));
    T_INT(r.certs, 2);
    tls_conn_close(c, &o);
    T_INT(r.count[TLS_EV_NO_KEY], 2);
    tls_conn_free(c);
    run_free(&r);
    tr_free(&t);
}

/* ---- benchmark: TLS 1.3 AES-128-GCM records made here with EVP ---- */

/* HKDF-Expand-Label through OpenSSL's own TLS 1.3 KDF ("TLS13-KDF"), not
 * the code under test: the records are then an independent check. */
static void
tls13_kdf(const uint8_t *secret, size_t n, const char *label, uint8_t *out, size_t outlen)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
    EVP_KDF_CTX *kc = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM p[6], *q = p;

    if (!kc)
        abort();
    *q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, n);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)"tls13 ", 6);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label));
    *q = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(kc, out, outlen, p) <= 0)
        abort();
    EVP_KDF_CTX_free(kc);
    EVP_KDF_free(kdf);
}

static void
put_le32(FILE *f, uint32_t v)
{
    fputc((int)(v & 0xff), f);
    fputc((int)(v >> 8 & 0xff), f);
    fputc((int)(v >> 16 & 0xff), f);
    fputc((int)(v >> 24), f);
}

/* One Ethernet/IPv4/TCP packet, 10.0.0.1:40000 <-> 10.0.0.2:4433. */
static void
pcap_pkt(FILE *f, int dir, uint32_t seq, uint32_t ack, uint8_t flags,
         const uint8_t *p, size_t n, uint32_t t)
{
    uint8_t h[54];
    size_t ipl = 40 + n;

    memset(h, 0, sizeof h);
    h[12] = 0x08;
    h[14] = 0x45;
    h[16] = (uint8_t)(ipl >> 8);
    h[17] = (uint8_t)ipl;
    h[20] = 0x40;
    h[22] = 64;
    h[23] = 6;
    h[26] = 10;
    h[29] = dir ? 2 : 1;
    h[30] = 10;
    h[33] = dir ? 1 : 2;
    h[34] = dir ? 0x11 : 0x9c;
    h[35] = dir ? 0x51 : 0x40;
    h[36] = dir ? 0x9c : 0x11;
    h[37] = dir ? 0x40 : 0x51;
    h[38] = (uint8_t)(seq >> 24);
    h[39] = (uint8_t)(seq >> 16);
    h[40] = (uint8_t)(seq >> 8);
    h[41] = (uint8_t)seq;
    h[42] = (uint8_t)(ack >> 24);
    h[43] = (uint8_t)(ack >> 16);
    h[44] = (uint8_t)(ack >> 8);
    h[45] = (uint8_t)ack;
    h[46] = 0x50;
    h[47] = flags;
    h[48] = 0xff;
    h[49] = 0xff;
    put_le32(f, 1700000000 + t / 1000000);
    put_le32(f, t % 1000000);
    put_le32(f, (uint32_t)(54 + n));
    put_le32(f, (uint32_t)(54 + n));
    fwrite(h, 1, sizeof h, f);
    if (n)
        fwrite(p, 1, n, f);
}

/* A capture straight through libpcap, link, ip, tcp and tls, as the
 * dissector will run it: no copy of the streams, plaintext counted. */
struct sp_conn {
    struct tls_conn *tls;
    uint64_t plain;
};

static void
sp_plain(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
         const struct ms_time *ts)
{
    struct sp_conn *c = ctx;

    (void)dir;
    (void)p;
    (void)pkt;
    (void)ts;
    c->plain += n;
}

static void
sp_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
        const struct ms_time *ts, uint64_t flags)
{
    struct sp_conn *c = ctx;
    struct tls_out o = { sp_plain, NULL, c };

    (void)flags;
    tls_conn_data(c->tls, dir, p, n, pkt, ts, &o);
}

static void
sp_gap(void *ctx, int dir, const struct tcp_gap *g)
{
    struct sp_conn *c = ctx;
    struct tls_out o = { sp_plain, NULL, c };

    tls_conn_gap(c->tls, dir, g->len, &o);
}

static uint64_t
stream_pcap(const char *pcapf, struct tls_keys *k)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(pcapf, eb);
    struct pcap_pkthdr *h;
    const u_char *data;
    struct sp_conn conn = { tls_conn_new(k), 0 };
    struct tcp_out out = { sp_data, sp_gap, &conn };
    struct tcp_dir td[2];
    uint64_t num = 0;
    int dlt;

    memset(td, 0, sizeof td);
    if (!pc || !conn.tls)
        abort();
    dlt = pcap_datalink(pc);
    while (pcap_next_ex(pc, &h, &data) == 1) {
        const uint8_t *l3;
        size_t n;
        struct pkt p;
        struct tcp_seg s;
        int fam, dir;

        num++;
        if ((fam = link_l3(dlt, data, h->caplen, &l3, &n)) < 0)
            continue;
        p.num = num;
        p.ts.sec = h->ts.tv_sec;
        p.ts.nsec = (uint32_t)h->ts.tv_usec * 1000;
        if (ip_parse(&p, fam, l3, n,
                     h->len > h->caplen ? n + (h->len - h->caplen) : n) < 0
            || p.l4proto != 6
            || tcp_parse(p.l4, p.l4len, p.l4wire, &s) < 0)
            continue;
        dir = s.sport == PORT;
        tcp_input(td, dir, &s, num, &p.ts, 0, &out);
    }
    tcp_flush(td, &out);
    tcp_free(&td[0]);
    tcp_free(&td[1]);
    tls_conn_close(conn.tls, NULL);
    tls_conn_free(conn.tls);
    pcap_close(pc);
    return conn.plain;
}

/* The benchmark stream as a capture (and its key log next to it), then
 * timed through libpcap, link, ip, tcp and tls as a capture is read. */
static void
bench_pcap(const char *path, const uint8_t *ch, size_t chn, const uint8_t *sh,
           size_t shn, const uint8_t *stream, size_t n, size_t nrec,
           const char *keyline, size_t kn)
{
    char kpath[512], err[256];
    FILE *f = fopen(path, "wb");
    uint32_t cs = 1000, ss = 5000, t = 0;
    size_t i;
    struct tls_keys *k;
    struct timespec a, b;
    double wall, cpu;
    uint64_t got;

    if (!f)
        abort();
    put_le32(f, 0xa1b2c3d4);
    fputc(2, f);
    fputc(0, f);
    fputc(4, f);
    fputc(0, f);
    put_le32(f, 0);
    put_le32(f, 0);
    put_le32(f, 65535);
    put_le32(f, 1);
    pcap_pkt(f, 0, cs, 0, 0x02, NULL, 0, t++);
    pcap_pkt(f, 1, ss, cs + 1, 0x12, NULL, 0, t++);
    cs++;
    ss++;
    pcap_pkt(f, 0, cs, ss, 0x10, NULL, 0, t++);
    pcap_pkt(f, 0, cs, ss, 0x18, ch, chn, t++);
    cs += (uint32_t)chn;
    pcap_pkt(f, 1, ss, cs, 0x18, sh, shn, t++);
    ss += (uint32_t)shn;
    for (i = 0; i < n; i += 1448) {
        size_t m2 = n - i < 1448 ? n - i : 1448;
        pcap_pkt(f, 1, ss, cs, 0x18, stream + i, m2, t++);
        ss += (uint32_t)m2;
    }
    fclose(f);
    snprintf(kpath, sizeof kpath, "%s.keys", path);
    if (!(f = fopen(kpath, "wb")))
        abort();
    fwrite(keyline, 1, kn, f);
    fclose(f);

    for (i = 0; i < 3; i++) {
        clock_t c0 = clock();
        clock_gettime(CLOCK_MONOTONIC, &a);
        k = tls_keys_new();
        if (!k || tls_keys_load(k, kpath, err, sizeof err) < 0)
            abort();
        got = stream_pcap(path, k);
        clock_gettime(CLOCK_MONOTONIC, &b);
        wall = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
        T_INT(got, nrec * 16384);
        fprintf(stderr, "bench: %s: %.1f MB of TLS 1.3 AES-128-GCM in %zu packets, "
                "libpcap+link+ip+tcp+tls: %.3f s CPU (%.0f MB/s), %.3f s wall\n",
                path, (double)n / 1e6, (n + 1447) / 1448 + 5, cpu, (double)n / 1e6 / cpu,
                wall);
        tls_keys_free(k);
    }
}

/* A TLS 1.3 record: header, inner plaintext + content type, AES-128-GCM
 * with the nonce of sequence number seq. Returns its size. */
static size_t
seal13(EVP_CIPHER_CTX *cx, const uint8_t key[16], const uint8_t iv[12], uint64_t seq,
       const uint8_t *inner, size_t n, uint8_t *out)
{
    uint8_t nonce[12];
    size_t len = n + 16;
    int l, j;

    memcpy(nonce, iv, 12);
    for (j = 0; j < 8; j++)
        nonce[4 + j] ^= (uint8_t)(seq >> (56 - 8 * j));
    out[0] = CT_APP;
    out[1] = 3;
    out[2] = 3;
    out[3] = (uint8_t)(len >> 8);
    out[4] = (uint8_t)len;
    EVP_EncryptInit_ex(cx, EVP_aes_128_gcm(), NULL, key, nonce);
    EVP_EncryptUpdate(cx, NULL, &l, out, 5);
    EVP_EncryptUpdate(cx, out + 5, &l, inner, (int)n);
    EVP_EncryptFinal_ex(cx, out + 5 + l, &l);
    EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_AEAD_GET_TAG, 16, out + 5 + n);
    return 5 + len;
}

static size_t
key_line(char *line, size_t sz, const char *label, const uint8_t cr[32], const uint8_t sec[32])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = (size_t)snprintf(line, sz, "%s ", label), i;

    for (i = 0; i < 32; i++) {
        line[n++] = hex[cr[i] >> 4];
        line[n++] = hex[cr[i] & 15];
    }
    line[n++] = ' ';
    for (i = 0; i < 32; i++) {
        line[n++] = hex[sec[i] >> 4];
        line[n++] = hex[sec[i] & 15];
    }
    line[n++] = '\n';
    return n;
}

/* One connection: ClientHello, ServerHello (+ compatibility CCS), the
 * server's EncryptedExtensions and Finished under its handshake secret,
 * then N MB of 16 KiB application data records. */
static void
bench(size_t mb)
{
    uint8_t cr[32], hsec[32], asec[32], key[16], iv[12], *stream, *p;
    char line[512];
    size_t nrec = mb * 1000000 / 16384, i, n = 0, total;
    struct tls_keys *k = tls_keys_new();
    struct tls_conn *c;
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    struct run r;
    struct tls_out o = tout;
    static uint8_t pt[16384 + 1];
    uint8_t hs[4 + 2 + 4 + 32 + 1];
    struct timespec a, b;
    double s, cpu;
    clock_t c0;
    /* ClientHello offering TLS 1.3 and ServerHello choosing it with
     * TLS_AES_128_GCM_SHA256, then change_cipher_spec. */
    uint8_t ch[] = { 22, 3, 1, 0, 54, 1, 0, 0, 50, 3, 3,
        /* random */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 2, 0x13, 0x01, 1, 0, 0, 7, 0, 43, 0, 3, 2, 3, 4 };
    uint8_t sh[] = { 22, 3, 3, 0, 50, 2, 0, 0, 46, 3, 3,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4,
        20, 3, 3, 0, 1, 1 };

    for (i = 0; i < 32; i++) {
        cr[i] = (uint8_t)(i * 7 + 1);
        hsec[i] = (uint8_t)(i * 11 + 3);
        asec[i] = (uint8_t)(i * 13 + 5);
        ch[11 + i] = cr[i];
    }
    n = key_line(line, sizeof line, "SERVER_HANDSHAKE_TRAFFIC_SECRET", cr, hsec);
    n += key_line(line + n, sizeof line - n, "SERVER_TRAFFIC_SECRET_0", cr, asec);
    tls_keys_parse(k, (const uint8_t *)line, n);

    total = 64 + nrec * (16384 + 1 + 16 + 5);
    stream = malloc(total);
    if (!stream || !cx)
        abort();
    /* EncryptedExtensions (empty), Finished (32 bytes), type handshake. */
    memset(hs, 0, sizeof hs);
    hs[0] = 8;
    hs[3] = 2;
    hs[6] = 20;
    hs[9] = 32;
    hs[sizeof hs - 1] = CT_HS;
    tls13_kdf(hsec, 32, "key", key, 16);
    tls13_kdf(hsec, 32, "iv", iv, 12);
    p = stream + seal13(cx, key, iv, 0, hs, sizeof hs, stream);
    tls13_kdf(asec, 32, "key", key, 16);
    tls13_kdf(asec, 32, "iv", iv, 12);
    memset(pt, 'x', 16384);
    pt[16384] = CT_APP;
    for (i = 0; i < nrec; i++)
        p += seal13(cx, key, iv, i, pt, sizeof pt, p);
    total = (size_t)(p - stream);
    EVP_CIPHER_CTX_free(cx);

    if (getenv("TLS_BENCH_PCAP")) {
        bench_pcap(getenv("TLS_BENCH_PCAP"), ch, sizeof ch, sh, sizeof sh, stream,
                   total, nrec, line, n);
        tls_keys_free(k);
        free(stream);
        return;
    }
    memset(&r, 0, sizeof r);
    o.ctx = &r;
    o.plain = NULL;     /* count only */
    c = tls_conn_new(k);
    tls_conn_data(c, 0, ch, sizeof ch, 1, NULL, &o);
    tls_conn_data(c, 1, sh, sizeof sh, 2, NULL, &o);
    clock_gettime(CLOCK_MONOTONIC, &a);
    c0 = clock();
    /* Segments of 1448 bytes, as TCP delivers them off a real NIC. */
    for (i = 0; i < total; i += 1448)
        tls_conn_data(c, 1, stream + i, total - i < 1448 ? total - i : 1448, 3, NULL, &o);
    cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    clock_gettime(CLOCK_MONOTONIC, &b);
    s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    {
        struct tls_conn_stats st;
        tls_conn_stats(c, &st);
        T_INT(st.decrypted[1], nrec + 1);
        T_INT(st.plain_bytes[1], (uint64_t)nrec * 16384);
        fprintf(stderr, "bench: %zu records, %.1f MB of TLS 1.3 AES-128-GCM through "
                "tls_conn_data: %.3f s CPU (%.0f MB/s), %.3f s wall (%.0f MB/s)\n", nrec,
                (double)total / 1e6, cpu, (double)total / 1e6 / cpu, s, (double)total / 1e6 / s);
    }
    tls_conn_free(c);
    tls_keys_free(k);
    run_free(&r);
    free(stream);
}

/* ---- fuzz seeds ---- */

static void
seed_put(FILE *f, int ctl, const uint8_t *p, size_t n)
{
    while (n) {
        size_t k = n > 65535 ? 65535 : n;
        fputc(ctl, f);
        fputc((int)(k >> 8), f);
        fputc((int)(k & 0xff), f);
        fwrite(p, 1, k, f);
        p += k;
        n -= k;
    }
}

static void
seed_tls(const char *dir, const char *name, const char *pcapf, const char *keyf, int conn)
{
    char path[512];
    struct transcript t;
    size_t kn = 0, i;
    char *kt = NULL;
    FILE *f;

    snprintf(path, sizeof path, DATA "%s", pcapf);
    if (tr_load(path, &t) < 0)
        return;
    if (keyf) {
        snprintf(path, sizeof path, DATA "%s", keyf);
        kt = slurp(path, &kn);
    }
    snprintf(path, sizeof path, "%s/tls/%s", dir, name);
    if ((f = fopen(path, "wb"))) {
        fputc(kt ? 1 : 0, f);
        if (kt) {
            fputc((int)(kn >> 8), f);
            fputc((int)(kn & 0xff), f);
            fwrite(kt, 1, kn, f);
        }
        /* One connection; each chunk as TCP delivered it. */
        for (i = 0; i < t.nch; i++)
            if (t.ch[i].conn == conn)
                seed_put(f, t.ch[i].gap ? 2 : t.ch[i].dir, t.bytes + t.ch[i].off, t.ch[i].len);
        fclose(f);
    }
    free(kt);
    tr_free(&t);
}

static void
seed_keylog(const char *dir, const char *name, const char *keyf, unsigned cut)
{
    char path[512];
    size_t n;
    char *kt;
    FILE *f;

    snprintf(path, sizeof path, DATA "%s", keyf);
    if (!(kt = slurp(path, &n)))
        return;
    snprintf(path, sizeof path, "%s/keylog/%s", dir, name);
    if ((f = fopen(path, "wb"))) {
        fputc((int)(cut >> 8), f);
        fputc((int)(cut & 0xff), f);
        fwrite(kt, 1, n, f);
        fclose(f);
    }
    free(kt);
}

static void
seeds(const char *dir)
{
    char path[512];
    size_t i;

    snprintf(path, sizeof path, "%s/tls", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/keylog", dir);
    mkdir(path, 0755);
    for (i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        char pcapf[256], keyf[256], name[256];
        const struct fixture *f = &fixtures[i];
        snprintf(pcapf, sizeof pcapf, "%s.pcap", f->name);
        snprintf(keyf, sizeof keyf, "%s.keys", f->name);
        snprintf(name, sizeof name, "%s%s", f->name, f->keys ? "-ws" : "");
        seed_tls(dir, name, pcapf, f->keys ? f->keys : keyf, 0);
        if (!f->keys)
            seed_keylog(dir, name, keyf, (unsigned)(i * 97));
    }
    seed_tls(dir, "tls12-resume-id-2", "tls12-resume-id.pcap", "tls12-resume-id.keys", 1);
    seed_tls(dir, "tls12-resume-ticket-2", "tls12-resume-ticket.pcap", "tls12-resume-ticket.keys", 1);
    seed_tls(dir, "tls13-early-2", "tls13-early.pcap", "tls13-early.keys", 1);
    seed_tls(dir, "parse-only-tls13", "tls13-aes128gcm.pcap", NULL, 0);
    seed_tls(dir, "parse-only-tls12", "tls12-ecdhe-aes128gcm.pcap", NULL, 0);
    seed_tls(dir, "bad-flipped", "bad-flipped.pcap", "tls12-ecdhe-aes128gcm.keys", 0);
    seed_tls(dir, "bad-flipped-cbc", "bad-flipped-cbc.pcap", "tls12-ecdhe-aes256cbc-mte.keys", 0);
    seed_tls(dir, "bad-wrong", "tls13-aes128gcm.pcap", "bad-wrong.keys", 0);
    seed_tls(dir, "bad-truncated", "tls13-aes128gcm.pcap", "bad-truncated.keys", 0);
    seed_keylog(dir, "bad-truncated", "bad-truncated.keys", 300);
    seed_keylog(dir, "sessid-wireshark", "tls12-sessid.wskeys", 50);
}

int
main(void)
{
    size_t i;

    if (getenv("TLS_SEEDS")) {
        seeds(getenv("TLS_SEEDS"));
        return 0;
    }
    if (getenv("TLS_BENCH_MB")) {
        bench((size_t)strtoul(getenv("TLS_BENCH_MB"), NULL, 10));
        return T_DONE();
    }
    if (getenv("TLS_QUICK"))
        full_split = 0;
    check_api();
    for (i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
        check_fixture(&fixtures[i]);
    for (i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++)
        check_fragments(&fixtures[i]);
    check_negative();
    check_learning();
    check_partial_keys();
    check_live_wait();
    check_gap();
    check_parse_only_mem();
    check_flips("tls13-aes128gcm", 1);
    check_flips("tls12-ecdhe-aes256cbc-mte", 3);
    check_flips("tls12-ecdhe-chacha20", 7);
    check_flips("tls10-aes128sha", 7);
    check_flips("tls13-keyupdate", 5);
    tls_cleanup();
    return T_DONE();
}
