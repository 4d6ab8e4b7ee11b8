/* json.c - one JSON object per record per line. Strings hold the same
 * escaped text the terminal shows, then JSON-escaped. Field names come
 * from the field registry. */
#include <string.h>

#include "../dissect/field.h"
#include "esc.h"
#include "fmt.h"
#include "out.h"

static void
jstr(FILE *fp, const char *key, const uint8_t *p, size_t n)
{
    fprintf(fp, ",\"%s\":\"", key);
    esc_json(fp, p, n);
    fputc('"', fp);
}

static void
jrs(FILE *fp, const char *key, const struct rec_str *s)
{
    jstr(fp, key, s->p, s->n);
}

static void
jval(FILE *fp, const struct fld_val *v)
{
    char a[64];

    switch (v->type) {
    case FT_UINT:
        fprintf(fp, "%llu", (unsigned long long)v->u);
        break;
    case FT_BOOL:
        fputs(v->u ? "true" : "false", fp);
        break;
    case FT_ADDR: {
        struct rec_ep e;
        e.family = v->addr.family;
        memcpy(e.addr, v->addr.a, 16);
        fmt_addr(&e, a, sizeof a);
        fprintf(fp, "\"%s\"", a);
        break;
    }
    default:
        fputc('"', fp);
        esc_json(fp, v->s, v->n);
        fputc('"', fp);
    }
}

static void
fields(FILE *fp, const struct rec *r)
{
    size_t nf, i;
    const struct fld_def *t = fld_table(&nf);
    struct fld_val v[FLD_MAXV];
    int k, j, first = 1;

    fputs(",\"fields\":{", fp);
    for (i = 0; i < nf; i++) {
        if (!(t[i].flags & FLD_JSON))
            continue;
        k = t[i].get(r, v, FLD_MAXV);
        if (k <= 0)
            continue;
        fprintf(fp, "%s\"%s\":", first ? "" : ",", t[i].name);
        first = 0;
        if (k == 1) {
            jval(fp, &v[0]);
            continue;
        }
        fputc('[', fp);
        for (j = 0; j < k; j++) {
            if (j)
                fputc(',', fp);
            jval(fp, &v[j]);
        }
        fputc(']', fp);
    }
    fputc('}', fp);
}

static void
ts(FILE *fp, const char *key, const struct ms_time *t)
{
    if (rec_ts_prec == 9)
        fprintf(fp, ",\"%s\":%lld.%09u", key, (long long)t->sec, (unsigned)t->nsec);
    else
        fprintf(fp, ",\"%s\":%lld.%06u", key, (long long)t->sec, (unsigned)(t->nsec / 1000));
}

void
json_record(FILE *fp, const struct rec *r, const struct out_opts *o)
{
    char src[64], dst[64];
    int a, first = 1;

    (void)o;
    fmt_addr(&r->src, src, sizeof src);
    fmt_addr(&r->dst, dst, sizeof dst);
    fprintf(fp, "{\"frame\":%llu,\"frames\":[%llu,%llu],\"segments\":%u",
            (unsigned long long)r->pkt, (unsigned long long)r->pkt_first,
            (unsigned long long)r->pkt, (unsigned)r->nseg);
    if (r->nmarks > 1) {
        /* Every packet that carried part of it (keystrokes, segments). */
        uint16_t i;
        fputs(",\"packets\":[", fp);
        for (i = 0; i < r->nmarks; i++)
            fprintf(fp, "%s%llu", i ? "," : "", (unsigned long long)r->marks[i].pkt);
        fputc(']', fp);
    }
    ts(fp, "ts", &r->ts);
    fprintf(fp, ",\"stream\":%u,\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u"
            ",\"proto\":\"%s\",\"dir\":\"%s\",\"kind\":\"%s\",\"len\":%u",
            (unsigned)r->flow, src, (unsigned)r->src.port, dst, (unsigned)r->dst.port,
            rec_proto_name(r->proto), r->dir == DIR_C2S ? "C" : "S",
            rec_kind_name(r->kind), (unsigned)r->len);
    if (r->verb[0])
        jstr(fp, "verb", (const uint8_t *)r->verb, strlen(r->verb));
    if (r->code)
        fprintf(fp, ",\"code\":%u", (unsigned)r->code);
    jrs(fp, "text", &r->text);
    if (r->typed.n)
        jrs(fp, "typed", &r->typed);
    if (r->kind == REC_BODY || r->kind == REC_TLS || r->kind == REC_NOTE)
        fprintf(fp, ",\"size\":%llu", (unsigned long long)r->size);
    if (r->kind == REC_BODY || r->lines > 1)
        fprintf(fp, ",\"lines\":%u", (unsigned)r->lines);
    if (r->kind == REC_CRED) {
        const char *mech = r->cred.mech == AUTH_OTHER ? NULL : auth_mech_name(r->cred.mech);
        if (mech)
            jstr(fp, "mech", (const uint8_t *)mech, strlen(mech));
        else
            jrs(fp, "mech", &r->cred.mech_name);
        jrs(fp, "user", &r->cred.user);
        if (r->cred.secret.n || (r->flags & REC_F_CRED)) {
            jrs(fp, "secret", &r->cred.secret);
            fprintf(fp, ",\"secret_kind\":\"%s\"", secret_kind_name(r->cred.secret_kind));
        }
        if (r->cred.secret_typed.n)
            jrs(fp, "secret_typed", &r->cred.secret_typed);
        if (r->cred.challenge.n)
            jrs(fp, "challenge", &r->cred.challenge);
        if (r->cred.authzid.n)
            jrs(fp, "authzid", &r->cred.authzid);
        fprintf(fp, ",\"result\":\"%s\"", cred_result_name(r->cred.result));
        jrs(fp, "reply", &r->cred.reply);
        fprintf(fp, ",\"user_frame\":%llu,\"secret_frame\":%llu",
                (unsigned long long)r->cred.user_pkt,
                (unsigned long long)r->cred.secret_pkt);
    }
    fputs(",\"flags\":[", fp);
    for (a = 0; a < ANOM_N; a++)
        if (r->flags & (1u << a)) {
            fprintf(fp, "%s\"%s\"", first ? "" : ",", anom_name(a));
            first = 0;
        }
    if (r->flags & REC_F_CRED) {
        fprintf(fp, "%s\"cred\"", first ? "" : ",");
        first = 0;
    }
    if (r->flags & REC_F_MASKED)
        fprintf(fp, "%s\"masked\"", first ? "" : ",");
    fputc(']', fp);
    if (r->kind != REC_CRED)
        fields(fp, r);
    fputs("}\n", fp);
}
