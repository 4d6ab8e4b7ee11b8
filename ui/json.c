/* json.c - one JSON object per record per line. Strings hold the same
 * escaped text the text printer shows (esc.h, ESC_UTF8), then
 * JSON-escaped; a record in which any string needed a backslash escape
 * says "text_encoding":"escaped", and its strings decode back to the
 * exact bytes (mailsift.1, ESCAPING). Field names come from the field
 * registry. Output goes through ob.h: this is the hot
 * path of "-T json" on a large capture. */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../dissect/field.h"
#include "../dissect/proto.h"
#include "fmt.h"
#include "ob.h"
#include "out.h"

/* Room for the record's head: the numbers and addresses up to "len"
 * (six 20-digit numbers, two 45-character addresses, the keys), and
 * again for what follows up to "text". */
#define JSON_HEAD_MAX 512

/* Every write goes through a local pointer o into ob.buf, each item
 * after ob_at() made room for it: the pointer stays in a register and
 * the room check is one compare (ob_mem and ob_ch load and store ob.n
 * for every piece, a fifth of the writer's work on short records). */

/* ,"key": with the key a literal, and room for a number after it. */
#define JKEY(k) (o = ob_at(o, sizeof(k) + 3 + 24), OB_PUT(o, ",\"" k "\":"))

#define jstr(k, p, n) (JKEY(k), o = ob_jput(o, (p), (n), NULL))
#define jrs(k, s) (JKEY(k), o = ob_jput(o, (s)->p, (s)->n, NULL))
#define jnum(k, v) (JKEY(k), o = ob_put_u64(o, (v)))

/* The record's text when it went out as itself (nothing in it needed an
 * escape): a field value cut from it is then written as it is. Most
 * fields are (smtp.req.parameter, smtp.rsp.parameter ...). */
static struct {
    const uint8_t *p;
    size_t n;
} plain;

/* A string field value: from the plain text, copied; else escaped. */
static char *
jstrval(char *o, const uint8_t *p, size_t n)
{
    if (plain.p && p >= plain.p && n <= plain.n
        && (size_t)(p - plain.p) <= plain.n - n) {
        o = ob_at(o, n + 2);
        *o++ = '"';
        memcpy(o, p, n);
        o[n] = '"';
        return o + n + 1;
    }
    return ob_jput(o, p, n, NULL);
}

static char *
jaddr(char *o, const struct rec_ep *e)
{
    o = ob_at(o, 68);
    *o++ = '"';
    o += fmt_addr(e, o, 64);
    *o++ = '"';
    return o;
}

static char *
jval(char *o, const struct fld_val *v)
{
    struct rec_ep e;

    switch (v->type) {
    case FT_UINT:
        return ob_put_u64(ob_at(o, 24), v->u);
    case FT_BOOL:
        o = ob_at(o, 5);
        if (v->u)
            OB_PUT(o, "true");
        else
            OB_PUT(o, "false");
        return o;
    case FT_ADDR:
        e.family = v->addr.family;
        memcpy(e.addr, v->addr.a, 16);
        return jaddr(o, &e);
    default:
        return jstrval(o, v->s, v->n);
    }
}

/* Kind, protocol and detection names (ours, short: JSON_HEAD_MAX counts
 * 16 for each), kept with their lengths and padded to 16 bytes: copied
 * whole, without a byte loop or a length to find. Index N of each is
 * what an out-of-range value gets. */
struct jname {
    char s[16];
    size_t n;
};
static struct jname kname[REC_KIND_N + 1], pname[PROTO_N + 1], dname[DET_HOW_N + 1];

static void
jname_set(struct jname *j, const char *s)
{
    j->n = strnlen(s, 16);
    memcpy(j->s, s, j->n);
}

static char *
put_name(char *o, const struct jname *t, unsigned i, unsigned n)
{
    const struct jname *j = &t[i < n ? i : n];

    memcpy(o, j->s, 16);
    return o + j->n;
}

/* The JSON fields of each protocol, record kind and variant (bit 0: the
 * record has typed keystrokes, bit 1: it is TLS or decrypted), found
 * once: a record only asks the getters that can answer for it
 * (fld_def.kinds, FLD_IF_TYPED, FLD_IF_TLS). Each field's key, "name":,
 * is kept rendered and padded to JKEY_MAX bytes, copied whole. */
#define JKEY_MAX 48
struct jkey {
    const struct fld_def *f;
    size_t n;
    char s[JKEY_MAX];
};
static struct jkey *jkeys;          /* one per field of the registry */
static uint16_t jf[PROTO_N][REC_KIND_N][4][FLD_MAXV];
static uint8_t njf[PROTO_N][REC_KIND_N][4];
static int jf_ready;

static void
json_fields_init(void)
{
    size_t nf, i, l;
    const struct fld_def *t = fld_table(&nf);
    int p, k, w;
    uint8_t *n;

    jf_ready = 1;
    for (k = 0; k <= REC_KIND_N; k++)
        jname_set(&kname[k], rec_kind_name(k));
    for (p = 0; p <= PROTO_N; p++)
        jname_set(&pname[p], proto_name(p));
    for (k = 0; k <= DET_HOW_N; k++)
        jname_set(&dname[k], det_how_name(k));
    if (!(jkeys = calloc(nf ? nf : 1, sizeof *jkeys)))
        return;                     /* no "fields" then */
    for (i = 0; i < nf; i++) {
        jkeys[i].f = &t[i];
        l = strlen(t[i].name);
        if (l + 3 > JKEY_MAX)
            continue;               /* n = 0: written from the name */
        jkeys[i].s[0] = '"';
        memcpy(jkeys[i].s + 1, t[i].name, l);
        memcpy(jkeys[i].s + 1 + l, "\":", 2);
        jkeys[i].n = l + 3;
    }
    for (p = 0; p < PROTO_N; p++)
        for (k = 0; k < REC_KIND_N; k++)
            for (w = 0; w < 4; w++) {
                n = &njf[p][k][w];
                for (i = 0; i < nf && *n < FLD_MAXV; i++) {
                    if (!(t[i].flags & FLD_JSON))
                        continue;
                    if (t[i].kinds && !(t[i].kinds & (1u << k)))
                        continue;
                    if (t[i].proto && t[i].proto != p)
                        continue;     /* another protocol's field */
                    if (((t[i].flags & FLD_IF_TYPED) && !(w & 1))
                        || ((t[i].flags & FLD_IF_TLS) && !(w & 2)))
                        continue;
                    jf[p][k][w][(*n)++] = (uint16_t)i;
                }
            }
}

static char *
fields(char *o, const struct rec *r)
{
    struct fld_val v[FLD_MAXV];
    int k, j, i, first = 1, p = r->proto < PROTO_N ? r->proto : 0;
    int kd = r->kind < REC_KIND_N ? r->kind : 0;
    int w = (r->typed.n != 0) | (r->kind == REC_TLS || (r->flags & REC_F_DECRYPTED)) << 1;
    const uint16_t *f = jf[p][kd][w];
    const struct jkey *e;

    const struct jkey *keys = jkeys;
    int nk = keys ? njf[p][kd][w] : 0;

    o = ob_at(o, 16);
    OB_PUT(o, ",\"fields\":{");
    /* keys and nk in locals: the getters are calls, which would make
     * the compiler load them again every time round */
    for (i = 0; i < nk; i++) {
        e = &keys[f[i]];
        k = e->f->get(r, v, FLD_MAXV);
        if (k <= 0)
            continue;
        o = ob_at(o, JKEY_MAX + 1);
        if (!first)
            *o++ = ',';
        first = 0;
        if (e->n) {
            memcpy(o, e->s, JKEY_MAX);
            o += e->n;
        } else {
            o = ob_jput(o, (const uint8_t *)e->f->name, strlen(e->f->name), NULL);
            o = ob_at(o, 1);
            *o++ = ':';
        }
        if (k == 1) {
            o = jval(o, &v[0]);
            continue;
        }
        o = ob_at(o, 1);
        *o++ = '[';
        for (j = 0; j < k; j++) {
            if (j) {
                o = ob_at(o, 1);
                *o++ = ',';
            }
            o = jval(o, &v[j]);
        }
        o = ob_at(o, 1);
        *o++ = ']';
    }
    o = ob_at(o, 1);
    *o++ = '}';
    return o;
}

/* From ,"stream" to "dir" a record says what every record of its flow
 * and direction says: that text is kept per flow and direction (it was
 * a fifth of the writer's work on many short connections). Direct-
 * mapped by flow id; the flow, protocol and endpoints are compared, so
 * a stale slot is only a miss. */
#define HEAD_SLOTS 1024
#define HEAD_MAX 200    /* 2 x 45-char addresses, 3 numbers, keys, names */
#define HEAD_COPY 128   /* IPv4 heads are about 110 */

/* The tags are looked at for every record and kept apart, 8 bytes each
 * (16 KiB): the first record of a new flow finds its slot's tag in
 * cache and only writes the slot, which last served a flow 1,024 flows
 * before (reading it there was a cache miss, a quarter of this
 * printer's time on many short connections). */
struct head_tag {
    uint32_t flow;
    uint8_t proto, dir, have, n;
};
struct head_slot {
    struct rec_ep src, dst;
    char s[HEAD_MAX];
};

static char *
put_head(char *o, const struct rec *r)
{
    static struct head_tag tags[HEAD_SLOTS][2];
    static struct head_slot slots[HEAD_SLOTS][2];
    size_t i = r->flow % HEAD_SLOTS, d = r->dir == DIR_C2S;
    struct head_tag *t = &tags[i][d];
    struct head_slot *c = &slots[i][d];
    char *q;

    if (t->have && t->flow == r->flow && t->proto == r->proto && t->dir == r->dir
        && !memcmp(&c->src, &r->src, sizeof c->src) && !memcmp(&c->dst, &r->dst, sizeof c->dst)) {
        /* whole for the usual IPv4 head; the rest of a longer one */
        memcpy(o, c->s, HEAD_COPY);
        if (t->n > HEAD_COPY)
            memcpy(o + HEAD_COPY, c->s + HEAD_COPY, t->n - HEAD_COPY);
        return o + t->n;
    }
    q = o;
    OB_PUT(q, ",\"stream\":");
    q = ob_put_u64(q, r->flow);
    OB_PUT(q, ",\"src\":\"");
    q += fmt_addr(&r->src, q, 64);
    OB_PUT(q, "\",\"sport\":");
    q = ob_put_u64(q, r->src.port);
    OB_PUT(q, ",\"dst\":\"");
    q += fmt_addr(&r->dst, q, 64);
    OB_PUT(q, "\",\"dport\":");
    q = ob_put_u64(q, r->dst.port);
    OB_PUT(q, ",\"proto\":\"");
    q = put_name(q, pname, r->proto, PROTO_N);
    OB_PUT(q, "\",\"dir\":\"");
    *q++ = r->dir == DIR_C2S ? 'C' : 'S';
    *q++ = '"';
    if ((size_t)(q - o) <= HEAD_MAX) {
        t->have = 1;
        t->flow = r->flow;
        t->proto = r->proto;
        t->dir = r->dir;
        t->n = (uint8_t)(q - o);
        c->src = r->src;
        c->dst = r->dst;
        memcpy(c->s, o, t->n);
    }
    return q;
}

/* A verb: sess_verb kept only 0x21..0x7e, of which '"' and '\\' need
 * an escape, and zero-padded it to 16 bytes. Its length and whether it
 * needs an escape come from one look at the 16 bytes. Room: the
 * caller's (JSON_HEAD_MAX). */
static char *
jverb(char *o, const char v[16])
{
    size_t n;
    unsigned esc;
#ifdef __SSE2__
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)v);
    unsigned z = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setzero_si128()));
    unsigned q = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                                          _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));

    n = z ? (size_t)__builtin_ctz(z) : 16;
    esc = q & (unsigned)((1ul << n) - 1);
#else
    size_t i;

    n = strnlen(v, 16);
    for (esc = 0, i = 0; i < n; i++)
        esc |= v[i] == '"' || v[i] == '\\';
#endif
    if (esc) {
        jstr("verb", (const uint8_t *)v, n);
        return o;
    }
    OB_PUT(o, ",\"verb\":\"");
    memcpy(o, v, 16);       /* rec.verb is 16 bytes: copied whole */
    o += n;
    *o++ = '"';
    return o;
}

/* The frame number v: its digits d from ob_d8 when dn says how many. */
static inline char *
put_frame(char *o, uint64_t v, uint64_t d, unsigned dn)
{
    return dn ? ob_put_w(o, d, dn) : ob_put_u64(o, v);
}

/* Seconds and fraction, as "-t e" prints them (a time before 1970 has
 * its sign first). Records come in time order, so the seconds' digits
 * are kept from the last record that had the same second. */
static char *
put_ts(char *o, const struct ms_time *t, int prec)
{
    static int have;
    static int64_t last;
    static char sec[24];
    static size_t secn;

    if (!have || t->sec != last) {
        char *q = sec;
        have = 1;
        last = t->sec;
        if (t->sec < 0)
            *q++ = '-';
        q = ob_put_u64(q, t->sec < 0 ? -(uint64_t)t->sec : (uint64_t)t->sec);
        secn = (size_t)(q - sec);
    }
    memcpy(o, sec, sizeof sec);     /* whole: no length to branch on */
    o += secn;
    *o++ = '.';
    return fmt_put_frac(o, t->nsec, prec);
}

void
json_record(FILE *fp, const struct rec *r, const struct out_opts *opt)
{
    int a, first = 1;
    uint64_t bits, fd = 0;
    unsigned fdn = 0;
    uint16_t i;
    char *o;
    size_t fn, w;
    const char *name;

    if (!jf_ready)
        json_fields_init();
    /* The frame number goes out three times (frame, frames): its digits
     * are made once, kept in a register and stored again (a copy of the
     * digits just stored would wait for the stores). */
    if (r->pkt < 100000000)
        fd = ob_d8((uint32_t)r->pkt, &fdn);
    ob_to(fp);
    ob.escaped = 0;
    /* The numbers and addresses up to "len" fit in a bounded space:
     * reserve it once and write without checks (the hot path of -T json
     * on many short connections). */
    o = ob_at(ob.buf + ob.n, JSON_HEAD_MAX);
    OB_PUT(o, "{\"frame\":");
    o = put_frame(o, r->pkt, fd, fdn);
    OB_PUT(o, ",\"frames\":[");
    o = r->pkt_first == r->pkt ? put_frame(o, r->pkt, fd, fdn) : ob_put_u64(o, r->pkt_first);
    *o++ = ',';
    o = put_frame(o, r->pkt, fd, fdn);
    OB_PUT(o, "],\"segments\":");
    o = ob_put_u64(o, r->nseg);
    if (r->nmarks > 1) {
        /* Every packet that carried part of it (keystrokes, segments). */
        o = ob_at(o, 16);
        OB_PUT(o, ",\"packets\":[");
        for (i = 0; i < r->nmarks; i++) {
            o = ob_at(o, 24);
            if (i)
                *o++ = ',';
            o = ob_put_u64(o, r->marks[i].pkt);
        }
        o = ob_at(o, 1);
        *o++ = ']';
    }
    o = ob_at(o, JSON_HEAD_MAX);
    OB_PUT(o, ",\"ts\":");
    o = put_ts(o, &r->ts, rec_prec(r));
    o = put_head(o, r);
    OB_PUT(o, ",\"kind\":\"");
    o = put_name(o, kname, r->kind, REC_KIND_N);
    OB_PUT(o, "\",\"len\":");
    o = ob_put_u64(o, r->len);
    if (r->verb[0])
        o = jverb(o, r->verb);
    if (r->code)
        jnum("code", r->code);
    JKEY("text");
    /* n + 2 characters written only if no byte changed */
    o = ob_jput(o, r->text.p, r->text.n, &w);
    plain.p = w == (size_t)r->text.n + 2 ? r->text.p : NULL;
    plain.n = r->text.n;
    if (r->typed.n)
        jrs("typed", &r->typed);
    if (r->kind == REC_BODY || r->kind == REC_TLS || r->kind == REC_NOTE
        || r->kind == REC_DATA)
        jnum("size", r->size);
    if (r->detect) {
        /* a name of ours: no escaping */
        o = ob_at(o, 40);
        OB_PUT(o, ",\"detected_by\":\"");
        o = put_name(o, dname, r->detect, DET_HOW_N);
        *o++ = '"';
    }
    if (r->kind == REC_BODY || r->lines > 1)
        jnum("lines", r->lines);
    if (r->req_pkt)
        jnum("request_in", r->req_pkt);
    if (r->kind == REC_CRED) {
        const char *mech = r->cred.mech == AUTH_OTHER ? NULL : auth_mech_name(r->cred.mech);
        if (mech)
            jstr("mech", (const uint8_t *)mech, strlen(mech));
        else
            jrs("mech", &r->cred.mech_name);
        jrs("user", &r->cred.user);
        if (r->cred.secret.n || (r->flags & REC_F_CRED)) {
            jrs("secret", &r->cred.secret);
            name = secret_kind_name(r->cred.secret_kind);
            jstr("secret_kind", (const uint8_t *)name, strlen(name));
        }
        if (r->cred.secret_typed.n)
            jrs("secret_typed", &r->cred.secret_typed);
        if (r->cred.challenge.n)
            jrs("challenge", &r->cred.challenge);
        if (r->cred.authzid.n)
            jrs("authzid", &r->cred.authzid);
        name = cred_result_name(r->cred.result);
        jstr("result", (const uint8_t *)name, strlen(name));
        jrs("reply", &r->cred.reply);
        jnum("user_frame", r->cred.user_pkt);
        jnum("secret_frame", r->cred.secret_pkt);
        if (r->flags & REC_F_DECRYPTED) {
            o = ob_at(o, 20);
            OB_PUT(o, ",\"decrypted\":true");   /* found inside TLS */
        }
    }
    o = ob_at(o, 16);
    OB_PUT(o, ",\"flags\":[");
    /* Walk only the set anomaly bits; most records have none. */
    for (bits = r->flags & (ANOM_F(ANOM_N) - 1); bits; bits &= bits - 1) {
        a = __builtin_ctzll(bits);
        name = anom_name(a);
        fn = strlen(name);
        o = ob_at(o, fn + 3);
        if (!first)
            *o++ = ',';
        first = 0;
        *o++ = '"';
        memcpy(o, name, fn);
        o += fn;
        *o++ = '"';
    }
    o = ob_at(o, 20);
    if (r->flags & REC_F_CRED) {
        if (!first)
            *o++ = ',';
        first = 0;
        OB_PUT(o, "\"cred\"");
    }
    if (r->flags & REC_F_MASKED) {
        if (!first)
            *o++ = ',';
        OB_PUT(o, "\"masked\"");
    }
    *o++ = ']';
    if (r->kind != REC_CRED)
        o = fields(o, r);
    plain.p = NULL;
    o = ob_at(o, 32);
    if (ob.escaped)
        OB_PUT(o, ",\"text_encoding\":\"escaped\"}\n");
    else
        OB_PUT(o, "}\n");
    ob.n = (size_t)(o - ob.buf);
    if (ob.n && opt && opt->flush)
        ob_flush();
}
