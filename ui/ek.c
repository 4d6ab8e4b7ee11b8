/* ek.c - -T ek: newline-delimited Elasticsearch/OpenSearch bulk input in
 * the shape of tshark -T ek: an action line naming the index, then the
 * record as {"timestamp":"<epoch ms>","layers":{LAYER:{KEY:VALUE}}}
 * with a layer per protocol of the field registry and keys as tshark
 * forms them (frame.number -> frame_frame_number). Every field that
 * answers for the record is there, typed (numbers, booleans, ip
 * strings, times) so that the index template in contrib/ maps them;
 * strings hold the same escaped text as -T json (esc.h, ESC_UTF8). */
#include <string.h>
#include <time.h>

#include "../dissect/field.h"
#include "../dissect/proto.h"
#include "fmt.h"
#include "ob.h"
#include "out.h"

/* A field's place in the document: its layer and its key, made once. */
struct ek_key {
    const struct fld_def *f;
    char layer[24];
    char key[72];           /* "frame_frame_number": (quoted, the colon) */
    char lopen[32];         /* "frame":{ */
    uint8_t ln, kn;
    uint8_t abs_time;       /* frame.time: a date, the others seconds */
    int lid;                /* the layer, as a number */
};

#define EK_MAXF 160

static struct ek_key keys[EK_MAXF];
static int nkeys = -1;
static int msg_lid;             /* the "msg" layer's number */
/* per protocol and record kind: the fields that can answer */
static uint8_t kf[PROTO_N][REC_KIND_N][EK_MAXF];
static int nkf[PROTO_N][REC_KIND_N];

static void
ek_init(void)
{
    size_t nf, i, j, d;
    const struct fld_def *t = fld_table(&nf);
    int p, k;

    nkeys = 0;
    for (i = 0; i < nf && nkeys < EK_MAXF; i++) {
        struct ek_key *e = &keys[nkeys];
        const char *name = t[i].name, *dot = strchr(name, '.');
        if (t[i].type == FT_PROTO)
            continue;       /* a layer's presence, not a value */
        /* the layer is the name up to its first dot; a name without
         * one (detected_by) is the record's own: msg */
        d = dot ? (size_t)(dot - name) : 3;
        if (d >= sizeof e->layer - 8 || strlen(name) + d + 5 > sizeof e->key)
            continue;
        memcpy(e->layer, dot ? name : "msg", d);
        e->layer[d] = 0;
        e->ln = (uint8_t)d;
        e->key[0] = '"';
        memcpy(e->key + 1, e->layer, d);
        e->key[d + 1] = '_';
        for (j = 0; name[j]; j++)
            e->key[d + 2 + j] = name[j] == '.' ? '_' : name[j];
        memcpy(e->key + d + 2 + j, "\":", 3);
        e->kn = (uint8_t)(d + 4 + j);
        e->lopen[0] = '"';
        memcpy(e->lopen + 1, e->layer, d);
        memcpy(e->lopen + 1 + d, "\":{", 4);
        e->f = &t[i];
        e->abs_time = !strcmp(name, "frame.time");
        e->lid = nkeys && !strcmp(keys[nkeys - 1].layer, e->layer) ? keys[nkeys - 1].lid
            : nkeys ? keys[nkeys - 1].lid + 1 : 1;
        for (j = 0; j < (size_t)nkeys; j++)
            if (!strcmp(keys[j].layer, e->layer))
                e->lid = keys[j].lid;   /* a layer met again: the same */
        if (!strcmp(e->layer, "msg"))
            msg_lid = e->lid;
        nkeys++;
    }
    for (p = 0; p < PROTO_N; p++)
        for (k = 0; k < REC_KIND_N; k++)
            for (i = 0; i < (size_t)nkeys; i++) {
                const struct fld_def *f = keys[i].f;
                if ((f->kinds && !(f->kinds & (1u << k))) || (f->proto && f->proto != p))
                    continue;
                kf[p][k][nkf[p][k]++] = (uint8_t)i;
            }
}

/* The date and time of a second, UTC, made once per second (records
 * come in time order): "YYYY-MM-DD" (the index of the day) and
 * "YYYY-MM-DDTHH:MM:SS." (frame.time, before the nanoseconds). */
static struct {
    int have;
    int64_t sec;
    char iso[40];
    size_t n;
} clk;

static void
clk_set(int64_t sec)
{
    time_t t = (time_t)sec;
    struct tm tm;

    if (clk.have && clk.sec == sec)
        return;
    clk.have = 1;
    clk.sec = sec;
    if (!gmtime_r(&t, &tm) || !(clk.n = strftime(clk.iso, sizeof clk.iso,
                                                 "%Y-%m-%dT%H:%M:%S.", &tm))) {
        memcpy(clk.iso, "1970-01-01T00:00:00.", 21);
        clk.n = 20;
    }
}

/* Nine digits of nanoseconds, two at a time. */
static void
put_ns(uint32_t fr)
{
    char *o = ob_room(9);
    int k;

    o[8] = (char)('0' + fr % 10);
    fr /= 10;
    for (k = 6; k >= 0; k -= 2) {
        memcpy(o + k, ob_d2 + 2 * (fr % 100), 2);
        fr /= 100;
    }
    ob.n += 9;
}

static void
ek_time(const struct ek_key *e, const struct ms_time *t)
{
    if (e->abs_time) {
        /* tshark's frame_frame_time: ISO 8601, nanoseconds, UTC */
        clk_set(t->sec);
        ob_ch('"');
        ob_mem(clk.iso, clk.n);
        put_ns(t->nsec % 1000000000u);
        OB_LIT("Z\"");
        return;
    }
    /* seconds, as -T json's times */
    if (t->sec < 0)
        ob_ch('-');
    ob_u64(t->sec < 0 ? -(uint64_t)t->sec : (uint64_t)t->sec);
    ob_ch('.');
    put_ns(t->nsec % 1000000000u);
}

/* The record's text, when no byte of it needs an escape: string values
 * cut from it (most are) are copied. */
static struct {
    const uint8_t *p;
    size_t n;
} plain;

static int
is_plain(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '"' || p[i] == '\\')
            return 0;
    return 1;
}

/* Addresses as text: a record's fields ask for its two endpoints
 * several times (ip.src, ip.dst, ip.addr twice). */
static struct {
    uint8_t family, a[16];
    uint8_t n;
    char s[48];
} acache[2];
static int anext;

static void
ek_addr(const struct fld_val *v)
{
    struct rec_ep ep;
    int i;

    for (i = 0; i < 2; i++)
        if (acache[i].n && acache[i].family == v->addr.family
            && !memcmp(acache[i].a, v->addr.a, 16))
            break;
    if (i == 2) {
        char a[64];
        size_t n;
        ep.family = v->addr.family;
        memcpy(ep.addr, v->addr.a, 16);
        n = fmt_addr(&ep, a, sizeof a);
        i = anext;
        anext ^= 1;
        acache[i].family = v->addr.family;
        memcpy(acache[i].a, v->addr.a, 16);
        acache[i].n = (uint8_t)(n < sizeof acache[i].s - 2 ? n : sizeof acache[i].s - 2);
        acache[i].s[0] = '"';
        memcpy(acache[i].s + 1, a, acache[i].n);
        acache[i].s[acache[i].n + 1] = '"';
    }
    ob_mem(acache[i].s, (size_t)acache[i].n + 2);
}

static void
ek_val(const struct ek_key *e, const struct fld_val *v)
{
    switch (v->type) {
    case FT_UINT:
        ob_u64(v->u);
        break;
    case FT_BOOL:
        ob_str(v->u ? "true" : "false");
        break;
    case FT_ADDR:
        ek_addr(v);
        break;
    case FT_TIME:
        ek_time(e, &v->t);
        break;
    default:
        if (plain.p && v->s >= plain.p && v->n <= plain.n
            && (size_t)(v->s - plain.p) <= plain.n - v->n) {
            char *o = ob_room(v->n + 2);
            *o++ = '"';
            memcpy(o, v->s, v->n);
            o[v->n] = '"';
            ob.n += v->n + 2;
        } else {
            ob_jstr(v->s, v->n);
        }
    }
}

void
ek_record(FILE *fp, const struct rec *r, const struct out_opts *opt)
{
    struct fld_val v[FLD_MAXV];
    int p = r->proto < PROTO_N ? r->proto : 0;
    int kd = r->kind < REC_KIND_N ? r->kind : 0;
    int open = 0;
    uint64_t ms;
    int i, j, k;

    if (nkeys < 0)
        ek_init();
    ob_to(fp);
    ob.escaped = 0;
    /* the action line: tshark's, without "_type" (Elasticsearch 8 and
     * OpenSearch 2 refuse it) */
    clk_set(r->ts.sec);
    OB_LIT("{\"index\":{\"_index\":\"mailsift-");
    ob_mem(clk.iso, 10);
    OB_LIT("\"}}\n{\"timestamp\":\"");
    /* milliseconds since the epoch, as a string, as tshark writes it */
    ms = r->ts.sec < 0 ? 0 : (uint64_t)r->ts.sec * 1000 + r->ts.nsec / 1000000;
    ob_u64(ms);
    OB_LIT("\",\"layers\":{");
    plain.p = is_plain(r->text.p, r->text.n) ? r->text.p : NULL;
    plain.n = r->text.n;
    for (i = 0; i < nkf[p][kd]; i++) {
        const struct ek_key *e = &keys[kf[p][kd][i]];
        k = e->f->get(r, v, FLD_MAXV);
        if (k <= 0)
            continue;
        if (open != e->lid) {
            if (open)
                OB_LIT("},");
            ob_mem(e->lopen, (size_t)e->ln + 4);
        } else {
            ob_ch(',');
        }
        open = e->lid;
        ob_mem(e->key, e->kn);
        if (k == 1) {
            ek_val(e, &v[0]);
            continue;
        }
        ob_ch('[');
        for (j = 0; j < k; j++) {
            if (j)
                ob_ch(',');
            ek_val(e, &v[j]);
        }
        ob_ch(']');
    }
    /* as -T json's "text_encoding": a string holds \x, \u or \U escapes */
    if (ob.escaped) {
        if (open && open == msg_lid) {
            ob_ch(',');
        } else {
            if (open)
                OB_LIT("},");
            OB_LIT("\"msg\":{");
            open = -1;
        }
        OB_LIT("\"msg_text_encoding\":\"escaped\"");
    }
    if (open)
        ob_ch('}');
    plain.p = NULL;
    OB_LIT("}}\n");
    if (ob.n && opt && opt->flush)
        ob_flush();
}
