/* keylog.c - TLS secrets from key log files: the NSS key log format
 * (SSLKEYLOGFILE, as written by OpenSSL, NSS, BoringSSL, GnuTLS), openssl
 * s_client session printouts and Wireshark's "RSA Session-ID:" lines, in a
 * bounded hash table; files are re-read incrementally while they grow. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "err.h"
#include "keylog.h"
#include "hex.h"
#include "mem.h"
#include "rd.h"

/* One secret. id is the client random (32 bytes), a session id (1..32) or
 * a ticket hash (32). */
struct kl_ent {
    uint8_t kind, idlen, seclen, pad;
    uint8_t id[32];
    uint8_t sec[TLS_SECRET_MAX];
};

/* Parser state carried from line to line: inside an s_client
 * "SSL-Session:" block, the last "Session-ID:" seen. */
struct kl_parse {
    uint8_t in_session;
    uint8_t sidlen;
    uint8_t sid[32];
};

struct tls_keys {
    struct kl_ent *ent;         /* dense, in arrival order */
    uint32_t n, cap;
    uint32_t *slot;             /* open addressing: entry index + 1, 0 empty */
    uint32_t nslot;             /* power of two, >= 2 * n */
    uint64_t changes;           /* bumped by every insert or replacement */
    struct tls_keys_stats st;
    struct kl_parse ps;

    /* The file of the last tls_keys_load. */
    char *path;
    size_t pathsz;
    uint8_t have_file, loaded, looked;
    uint8_t live;               /* the file may still grow (live capture) */
    dev_t dev;
    ino_t ino;
    off_t off;                  /* parsed for good: through the last newline */
    off_t size;
    struct timespec mtime;
    int64_t last_look;          /* ms, CLOCK_MONOTONIC */
    unsigned refresh_ms;
    /* A last line without newline was parsed tentatively: the counters
     * and parser state from before it, and what its secret changed in the
     * table, all undone before the line is read again (complete or not).
     * in_tail is set while it is parsed. */
    uint8_t tail, in_tail;
    struct tls_keys_stats tail_st;
    struct kl_parse tail_ps;
    uint32_t undo_idx;          /* entry the tail put (index + 1), 0 none */
    uint8_t undo_new;           /* it added that entry (else replaced it) */
    uint8_t undo_len;
    uint8_t undo_sec[TLS_SECRET_MAX];
};

struct kl_label {
    const char *name;
    uint8_t kind;
    uint8_t master;             /* exactly 48 bytes (else 32 or 48) */
};

/* NSS key log labels (Mozilla "NSS Key Log Format"; RFC 9850 draft names
 * the same ones). */
static const struct kl_label labels[] = {
    { "CLIENT_RANDOM", TLS_SEC_MASTER, 1 },
    { "CLIENT_HANDSHAKE_TRAFFIC_SECRET", TLS_SEC_CLIENT_HS, 0 },
    { "SERVER_HANDSHAKE_TRAFFIC_SECRET", TLS_SEC_SERVER_HS, 0 },
    { "CLIENT_TRAFFIC_SECRET_0", TLS_SEC_CLIENT_APP, 0 },
    { "SERVER_TRAFFIC_SECRET_0", TLS_SEC_SERVER_APP, 0 },
    { "CLIENT_EARLY_TRAFFIC_SECRET", TLS_SEC_CLIENT_EARLY, 0 },
    { "EXPORTER_SECRET", TLS_SEC_EXPORTER, 0 },
    { "EARLY_EXPORTER_SECRET", TLS_SEC_EARLY_EXPORTER, 0 },
};

struct tls_keys *
tls_keys_new(void)
{
    struct tls_keys *k = mem_calloc(MEM_STREAM, sizeof *k);

    if (k)
        k->refresh_ms = TLS_KEYS_REFRESH_MS;
    return k;
}

void
tls_keys_free(struct tls_keys *k)
{
    if (!k)
        return;
    if (k->ent) {
        OPENSSL_cleanse(k->ent, (size_t)k->cap * sizeof *k->ent);
        mem_free(MEM_STREAM, k->ent, (size_t)k->cap * sizeof *k->ent);
    }
    mem_free(MEM_STREAM, k->slot, (size_t)k->nslot * sizeof *k->slot);
    mem_free(MEM_STREAM, k->path, k->pathsz);
    mem_free(MEM_STREAM, k, sizeof *k);
}

void
tls_keys_set_refresh_ms(struct tls_keys *k, unsigned ms)
{
    if (k)
        k->refresh_ms = ms;
}

void
tls_keys_set_live(struct tls_keys *k, int live)
{
    if (k)
        k->live = live != 0;
}

int
tls_keys_live(const struct tls_keys *k)
{
    return k && k->live && k->path;
}

void
tls_keys_stats(const struct tls_keys *k, struct tls_keys_stats *s)
{
    memset(s, 0, sizeof *s);
    if (!k)
        return;
    *s = k->st;
    s->secrets = k->n;
}

/* ---- table ---- */

/* FNV-1a over kind and id, then a 64-bit finaliser (MurmurHash3 fmix64) so
 * the low bits that pick the slot depend on every byte. Client randoms are
 * random already; session ids need not be. */
static uint64_t
hash(uint8_t kind, const uint8_t *id, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ kind;
    size_t i;

    h *= 0x100000001b3ull;
    for (i = 0; i < n; i++) {
        h ^= id[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static struct kl_ent *
lookup(const struct tls_keys *k, uint8_t kind, const uint8_t *id, size_t n)
{
    uint32_t m, i, v;

    if (!k->nslot)
        return NULL;
    m = k->nslot - 1;
    for (i = (uint32_t)hash(kind, id, n) & m; (v = k->slot[i]); i = (i + 1) & m) {
        struct kl_ent *e = &k->ent[v - 1];
        if (e->kind == kind && e->idlen == n && !memcmp(e->id, id, n))
            return e;
    }
    return NULL;
}

static void
index_put(uint32_t *slot, uint32_t nslot, const struct kl_ent *e, uint32_t v)
{
    uint32_t m = nslot - 1, i;

    for (i = (uint32_t)hash(e->kind, e->id, e->idlen) & m; slot[i]; i = (i + 1) & m)
        ;
    slot[i] = v;
}

/* Make room for one more entry: dense array and index. */
static int
reserve(struct tls_keys *k)
{
    if (k->n >= LIM_TLS_KEYS)
        return ERR_LIMIT;
    if (k->n == k->cap) {
        uint32_t nc = k->cap ? k->cap * 2 : 64;
        struct kl_ent *ne;
        if (nc > LIM_TLS_KEYS)
            nc = LIM_TLS_KEYS;
        ne = mem_realloc(MEM_STREAM, k->ent, (size_t)k->cap * sizeof *ne,
                         (size_t)nc * sizeof *ne);
        if (!ne)
            return ERR_NOMEM;
        k->ent = ne;
        k->cap = nc;
    }
    if ((uint64_t)(k->n + 1) * 2 > k->nslot) {
        uint32_t ns = k->nslot ? k->nslot * 2 : 128, i;
        uint32_t *sl = mem_calloc(MEM_STREAM, (size_t)ns * sizeof *sl);
        if (!sl)
            return ERR_NOMEM;
        for (i = 0; i < k->n; i++)
            index_put(sl, ns, &k->ent[i], i + 1);
        mem_free(MEM_STREAM, k->slot, (size_t)k->nslot * sizeof *k->slot);
        k->slot = sl;
        k->nslot = ns;
    }
    return 0;
}

static int
put(struct tls_keys *k, uint8_t kind, const uint8_t *id, size_t idlen,
    const uint8_t *sec, size_t seclen)
{
    struct kl_ent *e;
    int rc;

    if (!idlen || idlen > sizeof e->id || !seclen || seclen > TLS_SECRET_MAX)
        return ERR_BAD;
    if ((e = lookup(k, kind, id, idlen))) {
        /* A later line wins, as in Wireshark: a client that logs a
         * connection twice logs what it used last. */
        if (e->seclen != seclen || memcmp(e->sec, sec, seclen)) {
            if (k->in_tail) {
                k->undo_idx = (uint32_t)(e - k->ent) + 1;
                k->undo_new = 0;
                k->undo_len = e->seclen;
                memcpy(k->undo_sec, e->sec, e->seclen);
            }
            e->seclen = (uint8_t)seclen;
            memcpy(e->sec, sec, seclen);
            k->st.replaced++;
            k->changes++;
        }
        return 0;
    }
    if ((rc = reserve(k)) < 0) {
        k->st.refused++;
        return rc;
    }
    e = &k->ent[k->n++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->idlen = (uint8_t)idlen;
    e->seclen = (uint8_t)seclen;
    memcpy(e->id, id, idlen);
    memcpy(e->sec, sec, seclen);
    index_put(k->slot, k->nslot, e, k->n);
    k->changes++;
    if (k->in_tail) {
        k->undo_idx = k->n;
        k->undo_new = 1;
    }
    return 0;
}

/* Linear probing deletion (Knuth 6.4 Algorithm R): empty the slot, then
 * move back every later entry of the run whose home is not between. */
static void
index_del(struct tls_keys *k, uint32_t v)
{
    const struct kl_ent *e = &k->ent[v - 1];
    uint32_t m = k->nslot - 1, i, j, h;

    for (i = (uint32_t)hash(e->kind, e->id, e->idlen) & m; k->slot[i] != v; i = (i + 1) & m)
        ;
    k->slot[i] = 0;
    for (j = (i + 1) & m; k->slot[j]; j = (j + 1) & m) {
        const struct kl_ent *f = &k->ent[k->slot[j] - 1];
        h = (uint32_t)hash(f->kind, f->id, f->idlen) & m;
        if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
            continue;
        k->slot[i] = k->slot[j];
        k->slot[j] = 0;
        i = j;
    }
}

/* Take entry v (index + 1) out: the last entry moves into its place. */
static void
remove_ent(struct tls_keys *k, uint32_t v)
{
    uint32_t last = k->n, m = k->nslot - 1, i;

    index_del(k, v);
    if (v != last) {
        const struct kl_ent *l = &k->ent[last - 1];
        for (i = (uint32_t)hash(l->kind, l->id, l->idlen) & m; k->slot[i] != last; i = (i + 1) & m)
            ;
        k->slot[i] = v;
        k->ent[v - 1] = *l;
    }
    OPENSSL_cleanse(&k->ent[last - 1], sizeof k->ent[0]);
    k->n--;
}

/* Undo what the tentative last line did to the table. */
static void
undo_tail(struct tls_keys *k)
{
    if (k->undo_idx && k->undo_idx <= k->n) {
        if (k->undo_new) {
            remove_ent(k, k->undo_idx);
        } else {
            struct kl_ent *e = &k->ent[k->undo_idx - 1];
            e->seclen = k->undo_len;
            memcpy(e->sec, k->undo_sec, k->undo_len);
        }
    }
    k->undo_idx = 0;
    OPENSSL_cleanse(k->undo_sec, sizeof k->undo_sec);
}

size_t
tls_keys_find(const struct tls_keys *k, enum tls_secret s, const uint8_t *id,
              size_t idlen, uint8_t *out, size_t outsz)
{
    const struct kl_ent *e;

    if (!k || !id || !idlen || idlen > 32 || (unsigned)s >= TLS_SEC_N)
        return 0;
    e = lookup(k, (uint8_t)s, id, idlen);
    if (!e || e->seclen > outsz)
        return 0;
    memcpy(out, e->sec, e->seclen);
    return e->seclen;
}

int
tls_keys_learn(struct tls_keys *k, enum tls_secret s, const uint8_t *id,
               size_t idlen, const uint8_t *secret, size_t n)
{
    uint64_t before;
    int rc;

    if (!k || (s != TLS_SEC_SESSION && s != TLS_SEC_TICKET))
        return ERR_BAD;
    before = k->changes;
    rc = put(k, (uint8_t)s, id, idlen, secret, n);
    if (rc == 0 && k->changes != before)
        k->st.learned++;
    return rc;
}

/* ---- lines ---- */

/* Decode a whole token of hex digits into out; its length or -1. */
static int
unhex(const uint8_t *p, size_t n, uint8_t *out, size_t outsz)
{
    size_t i;

    if (n % 2 || n / 2 > outsz)
        return -1;
    for (i = 0; i < n; i += 2) {
        int a = hex_val(p[i]), b = hex_val(p[i + 1]);
        if (a < 0 || b < 0)
            return -1;
        out[i / 2] = (uint8_t)(a << 4 | b);
    }
    return (int)(n / 2);
}

static int
is_hex(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (hex_val(p[i]) < 0)
            return 0;
    return n > 0;
}

static int
tok_is(const uint8_t *p, size_t n, const char *s)
{
    return n == strlen(s) && !memcmp(p, s, n);
}

/* Does the token start with prefix s? Then point past it. */
static int
tok_prefix(const uint8_t **p, size_t *n, const char *s)
{
    size_t l = strlen(s);

    if (*n < l || memcmp(*p, s, l))
        return 0;
    *p += l;
    *n -= l;
    return 1;
}

/* Upper-case letters, digits and '_', starting with a letter: the shape of
 * an NSS label, known or not. */
static int
label_shape(const uint8_t *p, size_t n)
{
    size_t i;

    if (!n || p[0] < 'A' || p[0] > 'Z')
        return 0;
    for (i = 1; i < n; i++)
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
            return 0;
    return 1;
}

/* The next space-separated token; 0 if there is none. */
static int
next_tok(struct rd *r, const uint8_t **p, size_t *n)
{
    rd_spaces(r);
    rd_token(r, p, n);
    return *n > 0;
}

static int
at_end(struct rd *r)
{
    rd_spaces(r);
    return rd_left(r) == 0;
}

/* "<label> <64 hex client random> <hex secret>" */
static int
nss_line(struct tls_keys *k, const struct kl_label *l, struct rd *r)
{
    const uint8_t *t;
    size_t tn;
    uint8_t cr[32], sec[TLS_SECRET_MAX];
    int sl;

    if (!next_tok(r, &t, &tn) || tn != 64 || unhex(t, tn, cr, sizeof cr) != 32)
        return -1;
    if (!next_tok(r, &t, &tn) || (sl = unhex(t, tn, sec, sizeof sec)) < 0 || !at_end(r))
        return -1;
    if (l->master ? sl != 48 : sl != 32 && sl != 48)
        return -1;
    put(k, l->kind, cr, 32, sec, (size_t)sl);
    OPENSSL_cleanse(sec, sizeof sec);
    return 0;
}

/* A value after "Name:": the rest of the token, or the next token. */
static void
field_value(struct rd *r, const uint8_t **p, size_t *n)
{
    if (*n == 0)
        next_tok(r, p, n);
}

static int
session_line(struct tls_keys *k, const uint8_t *sid, size_t sidn,
             const uint8_t *mk, size_t mkn)
{
    uint8_t id[32], ms[48];
    int il;

    if ((il = unhex(sid, sidn, id, sizeof id)) <= 0 || unhex(mk, mkn, ms, sizeof ms) != 48)
        return -1;
    put(k, TLS_SEC_SESSION, id, (size_t)il, ms, 48);
    OPENSSL_cleanse(ms, sizeof ms);
    return 0;
}

/* One line, without its LF. Counts it: blank, comment, secret, ignored or
 * bad. */
static void
parse_line(struct tls_keys *k, const uint8_t *p, size_t n)
{
    struct rd r;
    const uint8_t *t, *v;
    size_t tn, vn, i;
    int indented, bad = 0;

    k->st.lines++;
    if (n && p[n - 1] == '\r')
        n--;
    rd_init(&r, p, n);
    indented = n > 0 && rd_is_sp(p[0]);
    rd_spaces(&r);
    if (!rd_left(&r) || *rd_cur(&r) == '#')
        return;
    if (!indented)
        k->ps.in_session = 0;
    rd_token(&r, &t, &tn);

    for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (tok_is(t, tn, labels[i].name)) {
            if (nss_line(k, &labels[i], &r) < 0)
                k->st.bad_lines++;
            return;
        }

    if (tok_is(t, tn, "RSA")) {
        /* Wireshark: "RSA Session-ID:<hex> Master-Key:<hex>". NSS: "RSA
         * <16 hex: encrypted pre-master prefix> <pre-master>", which needs
         * the RSA key exchange decrypted too: kept out, counted. */
        if (!next_tok(&r, &t, &tn)) {
            bad = 1;
        } else if (tok_prefix(&t, &tn, "Session-ID:")) {
            field_value(&r, &t, &tn);
            v = NULL;
            vn = 0;
            if (next_tok(&r, &v, &vn) && tok_prefix(&v, &vn, "Master-Key:")) {
                field_value(&r, &v, &vn);
                bad = !at_end(&r) || session_line(k, t, tn, v, vn) < 0;
            } else {
                bad = 1;
            }
        } else if (is_hex(t, tn) && next_tok(&r, &v, &vn) && is_hex(v, vn) && at_end(&r)) {
            k->st.ignored++;
        } else {
            bad = 1;
        }
        if (bad)
            k->st.bad_lines++;
        return;
    }

    /* openssl s_client / sess_id -text printout. */
    if (tok_is(t, tn, "SSL-Session:")) {
        k->ps.in_session = 1;
        k->ps.sidlen = 0;
        k->st.ignored++;
        return;
    }
    if (tok_prefix(&t, &tn, "Session-ID:")) {
        int il;
        field_value(&r, &t, &tn);
        il = tn ? unhex(t, tn, k->ps.sid, sizeof k->ps.sid) : 0;
        if (il < 0 || !at_end(&r)) {
            k->ps.sidlen = 0;
            k->st.bad_lines++;
            return;
        }
        k->ps.sidlen = (uint8_t)il;
        k->st.ignored++;
        return;
    }
    if (tok_prefix(&t, &tn, "Master-Key:")) {
        field_value(&r, &t, &tn);
        if (!at_end(&r) || tn != 96 || !is_hex(t, tn)) {
            k->st.bad_lines++;
        } else if (!k->ps.sidlen) {
            /* A ticket-only session prints an empty Session-ID. */
            k->st.ignored++;
        } else {
            uint8_t ms[48];
            unhex(t, tn, ms, sizeof ms);
            put(k, TLS_SEC_SESSION, k->ps.sid, k->ps.sidlen, ms, 48);
            OPENSSL_cleanse(ms, sizeof ms);
        }
        k->ps.sidlen = 0;
        return;
    }
    if (indented && k->ps.in_session) {
        /* Protocol, Cipher, Session-ID-ctx, ticket hex dump, times... */
        k->st.ignored++;
        return;
    }
    /* Other NSS-shaped lines: labels this code has no use for
     * (PMS_CLIENT_RANDOM, OpenSSL's *_TRAFFIC_SECRET_N, ECH_*). */
    if (label_shape(t, tn) && next_tok(&r, &v, &vn) && is_hex(v, vn)
        && next_tok(&r, &v, &vn) && is_hex(v, vn) && at_end(&r)) {
        k->st.ignored++;
        return;
    }
    k->st.bad_lines++;
}

/* Split text into lines. The last piece, without newline, is parsed as a
 * line too when final is set. Returns the bytes through the last LF. */
static size_t
parse_text(struct tls_keys *k, const uint8_t *p, size_t n, int final)
{
    struct rd r;
    const uint8_t *line = NULL, *nl;
    size_t done = 0;

    rd_init(&r, p, n);
    while (rd_left(&r)) {
        size_t len;
        nl = memchr(rd_cur(&r), '\n', rd_left(&r));
        if (!nl) {
            if (final) {
                rd_rest(&r, &line, &len);
                if (len > LIM_TLS_KEYLINE) {
                    k->st.lines++;
                    k->st.bad_lines++;
                } else {
                    parse_line(k, line, len);
                }
            }
            break;
        }
        len = (size_t)(nl - rd_cur(&r));
        rd_take(&r, &line, len);
        rd_skip(&r, 1);
        if (len > LIM_TLS_KEYLINE) {
            k->st.lines++;
            k->st.bad_lines++;
        } else {
            parse_line(k, line, len);
        }
        done = r.off;
    }
    return done;
}

void
tls_keys_parse(struct tls_keys *k, const uint8_t *p, size_t n)
{
    if (!k || (!p && n))
        return;
    parse_text(k, p, n, 1);
}

/* ---- files ---- */

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
set_err(char *err, size_t errsz, const char *path, const char *what, int e)
{
    if (err && errsz)
        snprintf(err, errsz, "%s: %s: %s", path, what, strerror(e));
}

/* Read the file from k->off: whole lines, then the unterminated tail
 * tentatively. A line longer than LIM_TLS_KEYLINE is bad; the rest of it
 * is skipped to its LF. */
static int
read_file(struct tls_keys *k, char *err, size_t errsz)
{
    uint8_t buf[16384];
    uint8_t line[LIM_TLS_KEYLINE];
    size_t ll = 0;
    int over = 0, fd, regular;
    off_t base;
    struct stat st;
    ssize_t got;
    uint64_t lines0;

    fd = open(k->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errsz, k->path, "cannot open key log", errno);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        set_err(err, errsz, k->path, "cannot stat key log", errno);
        close(fd);
        return -1;
    }
    regular = S_ISREG(st.st_mode);
    if (k->tail) {
        /* Undo the tentative last line (its counts, parser state and
         * secret): it is read again below, complete or not. */
        k->st.lines = k->tail_st.lines;
        k->st.bad_lines = k->tail_st.bad_lines;
        k->st.ignored = k->tail_st.ignored;
        k->st.refused = k->tail_st.refused;
        k->st.replaced = k->tail_st.replaced;
        k->ps = k->tail_ps;
        undo_tail(k);
        k->tail = 0;
    }
    if (k->have_file && (!regular || st.st_dev != k->dev || st.st_ino != k->ino
                         || st.st_size < k->off)) {
        /* Replaced or truncated: a new file, read from its start. */
        k->off = 0;
        memset(&k->ps, 0, sizeof k->ps);
    }
    if (regular && k->off && lseek(fd, k->off, SEEK_SET) < 0) {
        set_err(err, errsz, k->path, "cannot seek key log", errno);
        close(fd);
        return -1;
    }
    lines0 = k->st.lines;
    base = k->off;
    for (;;) {
        struct rd r;
        got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            set_err(err, errsz, k->path, "cannot read key log", errno);
            close(fd);
            return -1;
        }
        if (got == 0)
            break;
        rd_init(&r, buf, (size_t)got);
        while (rd_left(&r)) {
            const uint8_t *nl = memchr(rd_cur(&r), '\n', rd_left(&r));
            const uint8_t *piece = NULL;
            size_t len = nl ? (size_t)(nl - rd_cur(&r)) : rd_left(&r);

            rd_take(&r, &piece, len);
            if (!over && ll + len <= sizeof line) {
                memcpy(line + ll, piece, len);
                ll += len;
            } else {
                over = 1;
            }
            if (!nl)
                break;
            rd_skip(&r, 1);
            if (over) {
                k->st.lines++;
                k->st.bad_lines++;
            } else {
                parse_line(k, line, ll);
            }
            ll = 0;
            over = 0;
            k->off = base + (off_t)r.off;
        }
        base += got;
    }
    if (ll || over) {
        k->tail_st = k->st;
        k->tail_ps = k->ps;
        k->tail = 1;
        k->undo_idx = 0;
        if (over) {
            k->st.lines++;
            k->st.bad_lines++;
        } else {
            k->in_tail = 1;
            parse_line(k, line, ll);
            k->in_tail = 0;
        }
    }
    if (k->loaded && (k->st.lines != lines0 || k->tail))
        k->st.reloads++;
    k->loaded = 1;
    k->have_file = 1;
    k->dev = st.st_dev;
    k->ino = st.st_ino;
    k->size = st.st_size;
    k->mtime = st.st_mtim;
    if (!regular)
        k->off = 0;
    close(fd);
    return 0;
}

int
tls_keys_load(struct tls_keys *k, const char *path, char *err, size_t errsz)
{
    size_t n;

    if (err && errsz)
        err[0] = '\0';
    if (!k || !path) {
        if (err && errsz)
            snprintf(err, errsz, "no key log file");
        return -1;
    }
    if (!k->path || strcmp(k->path, path)) {
        char *cp;
        n = strlen(path) + 1;
        if (!(cp = mem_alloc(MEM_STREAM, n))) {
            if (err && errsz)
                snprintf(err, errsz, "%s: out of memory (memcap)", path);
            return -1;
        }
        memcpy(cp, path, n);
        mem_free(MEM_STREAM, k->path, k->pathsz);
        k->path = cp;
        k->pathsz = n;
        k->have_file = 0;
        k->off = 0;
        k->tail = 0;
        k->undo_idx = 0;
        memset(&k->ps, 0, sizeof k->ps);
    }
    k->last_look = now_ms();
    k->looked = 1;
    return read_file(k, err, errsz);
}

static int
refresh(struct tls_keys *k, int now_anyway)
{
    struct stat st;
    int64_t now;
    uint64_t before;

    if (!k || !k->path)
        return 0;
    now = now_ms();
    if (!now_anyway && k->looked && k->refresh_ms
        && now - k->last_look < (int64_t)k->refresh_ms)
        return 0;
    k->last_look = now;
    k->looked = 1;
    if (stat(k->path, &st) < 0)
        return -1;
    /* Only regular files are looked at again: reading a FIFO could block. */
    if (!S_ISREG(st.st_mode))
        return 0;
    if (k->have_file && S_ISREG(st.st_mode) && st.st_dev == k->dev && st.st_ino == k->ino
        && st.st_size == k->size && st.st_mtim.tv_sec == k->mtime.tv_sec
        && st.st_mtim.tv_nsec == k->mtime.tv_nsec)
        return 0;
    before = k->changes;
    if (read_file(k, NULL, 0) < 0)
        return -1;
    return k->changes != before;
}

int
tls_keys_refresh(struct tls_keys *k)
{
    return refresh(k, 0);
}

int
tls_keys_refresh_now(struct tls_keys *k)
{
    return refresh(k, 1);
}
