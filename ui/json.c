/* json.c - one JSON object per record per line. Strings hold the same
 * escaped text the text printer shows (esc.h, ESC_UTF8), then
 * JSON-escaped; a record in which any string needed a backslash escape
 * says "text_encoding":"escaped", and its strings decode back to the
 * exact bytes (mailsift.1, ESCAPING). Field names come from the field
 * registry. Output goes through ob.h: this is the hot
 * path of "-T json" on a large capture. */
#include <string.h>

#include "../dissect/field.h"
#include "../dissect/proto.h"
#include "fmt.h"
#include "ob.h"
#include "out.h"

/* Room for the record's head: the numbers and addresses up to "len"
 * (six 20-digit numbers, two 45-character addresses, the keys). */
#define JSON_HEAD_MAX 512

/* ,"key": with the key a literal, so its length is known. */
#define JKEY(k) OB_LIT(",\"" k "\":")

#define jstr(k, p, n) (JKEY(k), ob_jstr((p), (n)))
#define jrs(k, s) (JKEY(k), ob_jstr((s)->p, (s)->n))
#define jnum(k, v) (JKEY(k), ob_u64(v))

/* The record's text when it went out as itself (nothing in it needed an
 * escape): a field value cut from it is then written as it is. Most
 * fields are (smtp.req.parameter, smtp.rsp.parameter ...). */
static struct {
    const uint8_t *p;
    size_t n;
} plain;

/* A string field value: from the plain text, copied; else escaped. */
static void
jstrval(const uint8_t *p, size_t n)
{
    if (plain.p && p >= plain.p && n <= plain.n
        && (size_t)(p - plain.p) <= plain.n - n) {
        char *o = ob_room(n + 2);
        *o++ = '"';
        memcpy(o, p, n);
        o[n] = '"';
        ob.n += n + 2;
        return;
    }
    ob_jstr(p, n);
}

static void
jaddr(const struct rec_ep *e)
{
    char a[64];
    size_t n = fmt_addr(e, a, sizeof a);

    ob_ch('"');
    ob_mem(a, n);
    ob_ch('"');
}

static void
jval(const struct fld_val *v)
{
    struct rec_ep e;

    switch (v->type) {
    case FT_UINT:
        ob_u64(v->u);
        break;
    case FT_BOOL:
        ob_str(v->u ? "true" : "false");
        break;
    case FT_ADDR:
        e.family = v->addr.family;
        memcpy(e.addr, v->addr.a, 16);
        jaddr(&e);
        break;
    default:
        jstrval(v->s, v->n);
    }
}

/* The JSON fields of each protocol and record kind, found once: a
 * record only asks the getters that can answer for it. */
static const struct fld_def *jf[PROTO_N][REC_KIND_N][FLD_MAXV];
static uint8_t jfn[PROTO_N][REC_KIND_N][FLD_MAXV];   /* name lengths */
static int njf[PROTO_N][REC_KIND_N] = { { -1 } };

static void
json_fields_init(void)
{
    size_t nf, i;
    const struct fld_def *t = fld_table(&nf);
    int p, k, *n;

    for (p = 0; p < PROTO_N; p++)
        for (k = 0; k < REC_KIND_N; k++) {
            n = &njf[p][k];
            *n = 0;
            for (i = 0; i < nf && *n < FLD_MAXV; i++) {
                const char *name = t[i].name;
                if (!(t[i].flags & FLD_JSON))
                    continue;
                if (t[i].kinds && !(t[i].kinds & (1u << k)))
                    continue;
                if (t[i].proto && t[i].proto != p)
                    continue;     /* another protocol's field */
                jfn[p][k][*n] = (uint8_t)strlen(name);
                jf[p][k][(*n)++] = &t[i];
            }
        }
}

static void
fields(const struct rec *r)
{
    struct fld_val v[FLD_MAXV];
    int k, j, i, first = 1, p = r->proto < PROTO_N ? r->proto : 0;
    int kd = r->kind < REC_KIND_N ? r->kind : 0;
    const struct fld_def *const *f = jf[p][kd];
    const uint8_t *fn = jfn[p][kd];

    if (njf[0][0] < 0)
        json_fields_init();
    OB_LIT(",\"fields\":{");
    for (i = 0; i < njf[p][kd]; i++) {
        k = f[i]->get(r, v, FLD_MAXV);
        if (k <= 0)
            continue;
        if (!first)
            ob_ch(',');
        first = 0;
        ob_ch('"');
        ob_mem(f[i]->name, fn[i]);
        OB_LIT("\":");
        if (k == 1) {
            jval(&v[0]);
            continue;
        }
        ob_ch('[');
        for (j = 0; j < k; j++) {
            if (j)
                ob_ch(',');
            jval(&v[j]);
        }
        ob_ch(']');
    }
    ob_ch('}');
}

/* A kind or protocol name (static, short: JSON_HEAD_MAX counts 16). */
static char *
put_name(char *o, const char *name)
{
    size_t n = 0;

    while (n < 16 && name[n]) {
        o[n] = name[n];
        n++;
    }
    return o + n;
}

/* From ,"stream" to "dir" a record says what every record of its flow
 * and direction says: that text is kept per flow and direction (it was
 * a fifth of the writer's work on many short connections). Direct-
 * mapped by flow id; the flow, protocol and endpoints are compared, so
 * a stale slot is only a miss. */
#define HEAD_SLOTS 1024
#define HEAD_MAX 200    /* 2 x 45-char addresses, 3 numbers, keys, names */

struct head_slot {
    uint32_t flow;
    uint8_t proto, dir, have, n;
    struct rec_ep src, dst;
    char s[HEAD_MAX];
};

static char *
put_head(char *o, const struct rec *r)
{
    static struct head_slot slots[HEAD_SLOTS][2];
    struct head_slot *c = &slots[r->flow % HEAD_SLOTS][r->dir == DIR_C2S];
    char *q;

    if (c->have && c->flow == r->flow && c->proto == r->proto && c->dir == r->dir
        && !memcmp(&c->src, &r->src, sizeof c->src) && !memcmp(&c->dst, &r->dst, sizeof c->dst)) {
        memcpy(o, c->s, c->n);
        return o + c->n;
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
    q = put_name(q, proto_name(r->proto));
    OB_PUT(q, "\",\"dir\":\"");
    *q++ = r->dir == DIR_C2S ? 'C' : 'S';
    *q++ = '"';
    if ((size_t)(q - o) <= HEAD_MAX) {
        c->have = 1;
        c->flow = r->flow;
        c->proto = r->proto;
        c->dir = r->dir;
        c->src = r->src;
        c->dst = r->dst;
        c->n = (uint8_t)(q - o);
        memcpy(c->s, o, c->n);
    }
    return q;
}

/* A verb: sess_verb kept only 0x21..0x7e, of which '"' and '\\' need
 * an escape. */
static void
jverb(const char *v)
{
    size_t n = strnlen(v, 16), i;

    for (i = 0; i < n; i++)
        if (v[i] == '"' || v[i] == '\\')
            break;
    if (i < n) {
        jstr("verb", (const uint8_t *)v, n);
        return;
    }
    JKEY("verb");
    ob_ch('"');
    ob_mem(v, n);
    ob_ch('"');
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
    memcpy(o, sec, secn);
    o += secn;
    *o++ = '.';
    return fmt_put_frac(o, t->nsec, prec);
}

void
json_record(FILE *fp, const struct rec *r, const struct out_opts *opt)
{
    int a, first = 1;
    uint64_t bits;
    uint16_t i;
    char *o, *f;
    size_t fn;

    ob_to(fp);
    ob.escaped = 0;
    /* The numbers and addresses up to "len" fit in a bounded space:
     * reserve it once and write without checks (the hot path of -T json
     * on many short connections). */
    o = ob_room(JSON_HEAD_MAX);
    OB_PUT(o, "{\"frame\":");
    f = o;
    o = ob_put_u64(o, r->pkt);
    fn = (size_t)(o - f);
    OB_PUT(o, ",\"frames\":[");
    if (r->pkt_first == r->pkt) {
        memcpy(o, f, fn);
        o += fn;
    } else {
        o = ob_put_u64(o, r->pkt_first);
    }
    *o++ = ',';
    memcpy(o, f, fn);
    o += fn;
    OB_PUT(o, "],\"segments\":");
    o = ob_put_u64(o, r->nseg);
    ob.n = (size_t)(o - ob.buf);
    if (r->nmarks > 1) {
        /* Every packet that carried part of it (keystrokes, segments). */
        OB_LIT(",\"packets\":[");
        for (i = 0; i < r->nmarks; i++) {
            if (i)
                ob_ch(',');
            ob_u64(r->marks[i].pkt);
        }
        ob_ch(']');
    }
    o = ob_room(JSON_HEAD_MAX);
    OB_PUT(o, ",\"ts\":");
    o = put_ts(o, &r->ts, rec_prec(r));
    o = put_head(o, r);
    OB_PUT(o, ",\"kind\":\"");
    o = put_name(o, rec_kind_name(r->kind));
    OB_PUT(o, "\",\"len\":");
    o = ob_put_u64(o, r->len);
    ob.n = (size_t)(o - ob.buf);
    if (r->verb[0])
        jverb(r->verb);
    if (r->code)
        jnum("code", r->code);
    JKEY("text");
    /* n + 2 characters written only if no byte changed */
    plain.p = ob_jstr(r->text.p, r->text.n) == (size_t)r->text.n + 2 ? r->text.p : NULL;
    plain.n = r->text.n;
    if (r->typed.n)
        jrs("typed", &r->typed);
    if (r->kind == REC_BODY || r->kind == REC_TLS || r->kind == REC_NOTE
        || r->kind == REC_DATA)
        jnum("size", r->size);
    if (r->detect) {
        /* a name of ours: no escaping */
        OB_LIT(",\"detected_by\":\"");
        ob_str(det_how_name(r->detect));
        ob_ch('"');
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
            jstr("secret_kind", (const uint8_t *)secret_kind_name(r->cred.secret_kind),
                 strlen(secret_kind_name(r->cred.secret_kind)));
        }
        if (r->cred.secret_typed.n)
            jrs("secret_typed", &r->cred.secret_typed);
        if (r->cred.challenge.n)
            jrs("challenge", &r->cred.challenge);
        if (r->cred.authzid.n)
            jrs("authzid", &r->cred.authzid);
        jstr("result", (const uint8_t *)cred_result_name(r->cred.result),
             strlen(cred_result_name(r->cred.result)));
        jrs("reply", &r->cred.reply);
        jnum("user_frame", r->cred.user_pkt);
        jnum("secret_frame", r->cred.secret_pkt);
        if (r->flags & REC_F_DECRYPTED)
            OB_LIT(",\"decrypted\":true");   /* found inside TLS */
    }
    OB_LIT(",\"flags\":[");
    /* Walk only the set anomaly bits; most records have none. */
    for (bits = r->flags & (ANOM_F(ANOM_N) - 1); bits; bits &= bits - 1) {
        a = __builtin_ctzll(bits);
        if (!first)
            ob_ch(',');
        first = 0;
        ob_ch('"');
        ob_str(anom_name(a));
        ob_ch('"');
    }
    if (r->flags & REC_F_CRED) {
        ob_str(first ? "\"cred\"" : ",\"cred\"");
        first = 0;
    }
    if (r->flags & REC_F_MASKED)
        ob_str(first ? "\"masked\"" : ",\"masked\"");
    ob_ch(']');
    if (r->kind != REC_CRED)
        fields(r);
    plain.p = NULL;
    if (ob.escaped)
        OB_LIT(",\"text_encoding\":\"escaped\"}\n");
    else
        OB_LIT("}\n");
    if (ob.n && opt && opt->flush)
        ob_flush();
}
