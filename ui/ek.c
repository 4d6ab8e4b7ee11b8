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
    char key[72];
    uint8_t ln, kn;
    uint8_t abs_time;       /* frame.time: a date, the others seconds */
};

#define EK_MAXF 160

static struct ek_key keys[EK_MAXF];
static int nkeys = -1;
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
        if (d >= sizeof e->layer || strlen(name) + d + 2 > sizeof e->key)
            continue;
        memcpy(e->layer, dot ? name : "msg", d);
        e->layer[d] = 0;
        e->ln = (uint8_t)d;
        memcpy(e->key, e->layer, d);
        e->key[d] = '_';
        for (j = 0; name[j]; j++)
            e->key[d + 1 + j] = name[j] == '.' ? '_' : name[j];
        e->key[d + 1 + j] = 0;
        e->kn = (uint8_t)(d + 1 + j);
        e->f = &t[i];
        e->abs_time = !strcmp(name, "frame.time");
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

/* YYYY-MM-DD of the record's time, UTC: the index of the day. */
static void
day(char *buf, size_t sz, int64_t sec)
{
    time_t t = (time_t)sec;
    struct tm tm;

    if (!gmtime_r(&t, &tm) || !strftime(buf, sz, "%Y-%m-%d", &tm))
        snprintf(buf, sz, "1970-01-01");
}

static void
ek_time(const struct ek_key *e, const struct ms_time *t)
{
    char buf[64];
    struct tm tm;
    time_t s = (time_t)t->sec;

    if (e->abs_time && gmtime_r(&s, &tm)) {
        /* tshark's frame_frame_time: ISO 8601, nanoseconds, UTC */
        size_t n = strftime(buf, sizeof buf, "\"%Y-%m-%dT%H:%M:%S.", &tm);
        ob_mem(buf, n);
        ob_u64w(t->nsec, 9);
        OB_LIT("Z\"");
        return;
    }
    /* seconds, as -T json's times */
    if (t->sec < 0)
        ob_ch('-');
    ob_u64(t->sec < 0 ? -(uint64_t)t->sec : (uint64_t)t->sec);
    ob_ch('.');
    ob_u64w(t->nsec, 9);
}

static void
ek_val(const struct ek_key *e, const struct fld_val *v)
{
    struct rec_ep ep;
    char a[64];
    size_t n;

    switch (v->type) {
    case FT_UINT:
        ob_u64(v->u);
        break;
    case FT_BOOL:
        ob_str(v->u ? "true" : "false");
        break;
    case FT_ADDR:
        ep.family = v->addr.family;
        memcpy(ep.addr, v->addr.a, 16);
        n = fmt_addr(&ep, a, sizeof a);
        ob_ch('"');
        ob_mem(a, n);
        ob_ch('"');
        break;
    case FT_TIME:
        ek_time(e, &v->t);
        break;
    default:
        ob_jstr(v->s, v->n);
    }
}

void
ek_record(FILE *fp, const struct rec *r, const struct out_opts *opt)
{
    struct fld_val v[FLD_MAXV];
    int p = r->proto < PROTO_N ? r->proto : 0;
    int kd = r->kind < REC_KIND_N ? r->kind : 0;
    const char *open = NULL;
    char d[16];
    uint64_t ms;
    int i, j, k;

    if (nkeys < 0)
        ek_init();
    ob_to(fp);
    ob.escaped = 0;
    /* the action line: tshark's, without "_type" (Elasticsearch 8 and
     * OpenSearch 2 refuse it) */
    day(d, sizeof d, r->ts.sec);
    OB_LIT("{\"index\":{\"_index\":\"mailsift-");
    ob_str(d);
    OB_LIT("\"}}\n{\"timestamp\":\"");
    /* milliseconds since the epoch, as a string, as tshark writes it */
    ms = r->ts.sec < 0 ? 0 : (uint64_t)r->ts.sec * 1000 + r->ts.nsec / 1000000;
    ob_u64(ms);
    OB_LIT("\",\"layers\":{");
    for (i = 0; i < nkf[p][kd]; i++) {
        const struct ek_key *e = &keys[kf[p][kd][i]];
        k = e->f->get(r, v, FLD_MAXV);
        if (k <= 0)
            continue;
        if (open != e->layer && (!open || strcmp(open, e->layer))) {
            if (open)
                OB_LIT("},");
            ob_ch('"');
            ob_mem(e->layer, e->ln);
            OB_LIT("\":{");
        } else {
            ob_ch(',');
        }
        open = e->layer;
        ob_ch('"');
        ob_mem(e->key, e->kn);
        OB_LIT("\":");
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
        if (open && !strcmp(open, "msg")) {
            ob_ch(',');
        } else {
            if (open)
                OB_LIT("},");
            OB_LIT("\"msg\":{");
            open = "msg";
        }
        OB_LIT("\"msg_text_encoding\":\"escaped\"");
    }
    if (open)
        ob_ch('}');
    OB_LIT("}}\n");
    if (ob.n && opt && opt->flush)
        ob_flush();
}
