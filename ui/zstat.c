/* zstat.c - statistics of the records, tshark's -z style: per protocol
 * (-z smtp,stat, -z pop,stat: any row of the protocol table by its
 * name) and per connection (-z sessions). Streaming: each record is
 * counted and dropped; the tables are bounded (zstat.h). */
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "fmt.h"
#include "ob.h"
#include "zstat.h"

/* A counted key: raw bytes (a verb, a code, a user name, an address). */
struct kv {
    uint8_t key[ZS_USER];
    uint8_t klen;
    const char *meaning;    /* classes: what the class means (static) */
    uint64_t n, ok, bad;    /* count; logins: accepted, rejected */
};

struct kvt {
    struct kv *v;
    size_t n, max;
    struct kv other;        /* everything past max */
};

struct lat {
    char verb[16];
    uint64_t n;             /* replies seen */
    uint32_t min, max;      /* microseconds */
    uint32_t k;             /* samples kept */
    uint32_t s[ZS_LAT_SAMPLES];
};

struct pstat {
    int used;
    struct kvt cmds, codes, classes, mechs, users, clients;
    struct lat *lat[ZS_KEYS];
    size_t nlat;
    uint64_t lat_other;     /* replies to commands past ZS_KEYS verbs */
};

struct zstat {
    struct pstat p[PROTO_N];
    struct zsess *s;
    size_t ns, cap;
    uint32_t *slot;         /* flow id -> index + 1 */
    size_t nslot;
    uint64_t untracked;     /* records of connections past ZS_SESS_MAX */
    uint64_t rng;
};

struct zstat *
zstat_new(void)
{
    struct zstat *z = calloc(1, sizeof *z);

    if (z)
        z->rng = 0x9e3779b97f4a7c15ull;
    return z;
}

void
zstat_free(struct zstat *z)
{
    int p;
    size_t i;

    if (!z)
        return;
    for (p = 0; p < PROTO_N; p++) {
        struct pstat *P = &z->p[p];
        free(P->cmds.v);
        free(P->codes.v);
        free(P->classes.v);
        free(P->mechs.v);
        free(P->users.v);
        free(P->clients.v);
        for (i = 0; i < P->nlat; i++)
            free(P->lat[i]);
    }
    free(z->s);
    free(z->slot);
    free(z);
}

/* The entry for key (k bytes), added if there is room; the "(other)"
 * entry when the table is full or memory is short. */
static struct kv *
kv_get(struct kvt *t, const void *key, size_t k, size_t max)
{
    size_t i;

    if (k > ZS_USER)
        k = ZS_USER;
    for (i = 0; i < t->n; i++)
        if (t->v[i].klen == k && !memcmp(t->v[i].key, key, k))
            return &t->v[i];
    if (!t->v) {
        t->v = calloc(max, sizeof *t->v);
        t->max = t->v ? max : 0;
    }
    if (t->n >= t->max)
        return &t->other;
    memcpy(t->v[t->n].key, key, k);
    t->v[t->n].klen = (uint8_t)k;
    return &t->v[t->n++];
}

static struct kv *
kv_str(struct kvt *t, const char *s, size_t max)
{
    return kv_get(t, s, strlen(s), max);
}

static uint64_t
rnd(struct zstat *z)
{
    /* xorshift64: a fixed sequence, so reports are reproducible */
    z->rng ^= z->rng << 13;
    z->rng ^= z->rng >> 7;
    z->rng ^= z->rng << 17;
    return z->rng;
}

static void
lat_add(struct zstat *z, struct pstat *P, const char *verb, uint32_t us)
{
    struct lat *L = NULL;
    size_t i;

    for (i = 0; i < P->nlat; i++)
        if (!strcmp(P->lat[i]->verb, verb)) {
            L = P->lat[i];
            break;
        }
    if (!L) {
        if (P->nlat >= ZS_KEYS || !(L = calloc(1, sizeof *L))) {
            P->lat_other++;
            return;
        }
        snprintf(L->verb, sizeof L->verb, "%s", verb);
        L->min = us;
        P->lat[P->nlat++] = L;
    }
    if (us < L->min)
        L->min = us;
    if (us > L->max)
        L->max = us;
    L->n++;
    if (L->k < ZS_LAT_SAMPLES) {
        L->s[L->k++] = us;
    } else {
        /* Algorithm R: keep the new sample with probability k/n */
        uint64_t j = rnd(z) % L->n;
        if (j < ZS_LAT_SAMPLES)
            L->s[j] = us;
    }
}

int
zs_tls_unanswered(const struct zsess *s)
{
    return s->tls != ZS_PLAIN && !s->srv_tls && s->plain_after_tls;
}

int
zs_decrypted(const struct rec *r)
{
    return r->kind != REC_TLS && (r->flags & REC_F_DECRYPTED) != 0;
}

static struct zsess *
sess_of(struct zstat *z, const struct rec *r)
{
    struct zsess *s;

    if (r->flow >= ZS_SESS_MAX)
        return NULL;
    if (r->flow >= z->nslot) {
        size_t nn = z->nslot ? z->nslot : 1024;
        uint32_t *ns;
        while (nn <= r->flow)
            nn *= 2;
        if (!(ns = realloc(z->slot, nn * sizeof *ns)))
            return NULL;
        memset(ns + z->nslot, 0, (nn - z->nslot) * sizeof *ns);
        z->slot = ns;
        z->nslot = nn;
    }
    if (z->slot[r->flow])
        return &z->s[z->slot[r->flow] - 1];
    if (z->ns == z->cap) {
        size_t nc = z->cap ? z->cap * 2 : 64;
        struct zsess *v = realloc(z->s, nc * sizeof *v);
        if (!v)
            return NULL;
        z->s = v;
        z->cap = nc;
    }
    s = &z->s[z->ns];
    memset(s, 0, sizeof *s);
    s->flow = r->flow;
    s->proto = r->proto;
    s->cli = r->dir == DIR_C2S ? r->src : r->dst;
    s->srv = r->dir == DIR_C2S ? r->dst : r->src;
    s->t0 = r->ts_first.sec || r->ts_first.nsec ? r->ts_first : r->ts;
    s->first_pkt = r->pkt_first ? r->pkt_first : r->pkt;
    z->slot[r->flow] = (uint32_t)++z->ns;
    return s;
}

static int
before(const struct ms_time *a, const struct ms_time *b)
{
    return a->sec < b->sec || (a->sec == b->sec && a->nsec < b->nsec);
}

static void
sess_add(struct zstat *z, const struct rec *r)
{
    struct zsess *s = sess_of(z, r);
    const struct proto_ops *P = proto_get(r->proto);

    if (!s) {
        z->untracked++;
        return;
    }
    if (!s->proto && r->proto)
        s->proto = r->proto;
    if (before(&r->ts, &s->t0))
        s->t0 = r->ts;
    if (!s->records || before(&s->t1, &r->ts))
        s->t1 = r->ts;
    if (r->pkt > s->last_pkt)
        s->last_pkt = r->pkt;
    s->records++;
    s->bytes += r->len;
    s->anoms |= r->flags & (ANOM_F(ANOM_N) - 1);
    switch (r->kind) {
    case REC_CMD:
    case REC_AUTH:
        if (r->dir != DIR_C2S)
            break;
        s->cmds++;
        s->cmd_segs += r->nseg;
        if (r->nseg > 1)
            s->typed++;
        if (!s->tls)
            s->cleartext = 1;
        break;
    case REC_REPLY:
        s->replies++;
        if (P && P->is_error(r))
            s->errors++;
        if (s->tls && !(r->flags & REC_F_DECRYPTED))
            s->plain_after_tls = 1;
        break;
    case REC_BODY:
        s->msgs++;
        s->msg_bytes += r->size;
        break;
    case REC_TLS:
        if (!s->tls)
            s->tls = s->cleartext ? ZS_STARTTLS : ZS_IMPLICIT;
        if (r->dir == DIR_S2C)
            s->srv_tls = 1;
        break;
    case REC_CRED:
        s->logins++;
        if (r->cred.result == CRED_ACCEPTED)
            s->login_ok++;
        else if (r->cred.result == CRED_REJECTED)
            s->login_bad++;
        s->user_n = (uint8_t)(r->cred.user.n < ZS_USER ? r->cred.user.n : ZS_USER);
        if (s->user_n)
            memcpy(s->user, r->cred.user.p, s->user_n);
        break;
    }
    if (zs_decrypted(r))
        s->decrypted = 1;
}

void
zstat_add(struct zstat *z, const struct rec *r)
{
    struct pstat *P;
    const struct proto_ops *ops = proto_get(r->proto);
    char key[32], a[64];
    struct kv *e;

    sess_add(z, r);
    if (!ops)
        return;
    P = &z->p[r->proto];
    P->used = 1;
    switch (r->kind) {
    case REC_CMD:
        if (r->dir == DIR_C2S)
            kv_str(&P->cmds, r->verb[0] ? r->verb : "(no verb)", ZS_KEYS)->n++;
        break;
    case REC_AUTH:
        if (r->dir == DIR_C2S)
            kv_str(&P->cmds, "(SASL data)", ZS_KEYS)->n++;
        break;
    case REC_REPLY:
        if (r->code)
            snprintf(key, sizeof key, "%u", (unsigned)r->code);
        else
            snprintf(key, sizeof key, "%s", r->verb[0] ? r->verb : "(none)");
        kv_str(&P->codes, key, ZS_KEYS)->n++;
        if (ops->reply_class) {
            const char *m = ops->reply_class(r, key, sizeof key);
            if (m) {
                e = kv_str(&P->classes, key, ZS_KEYS);
                e->meaning = m;
                e->n++;
            }
        }
        if (r->req_pkt && !before(&r->ts, &r->req_ts)) {
            /* not before: ds >= 0; past 4,295 s the microseconds are
             * more than the 32 bits kept (and ds * 10^9 could overflow) */
            int64_t ds = ms_sec_sub(r->ts.sec, r->req_ts.sec);
            int64_t ns = ds > 4295 ? 0 : ds * 1000000000 + ((int64_t)r->ts.nsec - r->req_ts.nsec);
            uint64_t us = ds > 4295 ? UINT32_MAX : (uint64_t)ns / 1000;
            lat_add(z, P, r->req_verb[0] ? r->req_verb : "(no verb)",
                    us > UINT32_MAX ? UINT32_MAX : (uint32_t)us);
        }
        break;
    case REC_CRED: {
        const struct rec_ep *cli = r->dir == DIR_C2S ? &r->src : &r->dst;
        int ok = r->cred.result == CRED_ACCEPTED, bad = r->cred.result == CRED_REJECTED;
        if (r->cred.mech == AUTH_OTHER)
            e = kv_get(&P->mechs, r->cred.mech_name.p, r->cred.mech_name.n, ZS_KEYS);
        else
            e = kv_str(&P->mechs, auth_mech_name(r->cred.mech), ZS_KEYS);
        e->n++, e->ok += ok, e->bad += bad;
        e = kv_get(&P->users, r->cred.user.p, r->cred.user.n, ZS_WHO);
        e->n++, e->ok += ok, e->bad += bad;
        fmt_addr(cli, a, sizeof a);
        e = kv_str(&P->clients, a, ZS_WHO);
        e->n++, e->ok += ok, e->bad += bad;
        break;
    }
    }
}

size_t
zstat_nsessions(const struct zstat *z)
{
    return z->ns;
}

const struct zsess *
zstat_session(const struct zstat *z, size_t i)
{
    return i < z->ns ? &z->s[i] : NULL;
}

const struct zsess *
zstat_find(const struct zstat *z, uint32_t flow)
{
    return flow < z->nslot && z->slot[flow] ? &z->s[z->slot[flow] - 1] : NULL;
}

const char *
zs_tls_name(const struct zsess *s)
{
    if (zs_tls_unanswered(s))
        return "TLS hello, plain reply";
    switch (s->tls) {
    case ZS_STARTTLS:
        return s->decrypted ? "STARTTLS, decrypted" : "STARTTLS, encrypted";
    case ZS_IMPLICIT:
        return s->decrypted ? "implicit TLS, decrypted" : "implicit TLS, encrypted";
    }
    return "plain";
}

void
zs_verdict(const struct zsess *s, char *buf, size_t sz)
{
    if (!s->logins)
        snprintf(buf, sz, "none");
    else if (s->login_ok && s->login_bad)
        snprintf(buf, sz, "accepted after %u failed", (unsigned)s->login_bad);
    else if (s->login_ok)
        snprintf(buf, sz, "accepted");
    else if (s->login_bad)
        snprintf(buf, sz, "rejected");
    else
        snprintf(buf, sz, "unknown");
}

/* ---- printing ---- */

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile q (0..100) of sorted v[0..n). */
static uint32_t
pct(const uint32_t *v, size_t n, unsigned q)
{
    size_t r = (n * q + 99) / 100;
    return n ? v[r ? r - 1 : 0] : 0;
}

static void
key_text(const struct kv *e, char *buf, size_t sz)
{
    esc_bytes(buf, sz, e->key, e->klen, ESC_ELLIPSIS);
}

static void
ms(char *buf, size_t sz, uint32_t us)
{
    snprintf(buf, sz, "%u.%03u", (unsigned)(us / 1000), (unsigned)(us % 1000));
}

static const char rule[] =
    "===================================================================\n";

static void
txt_kvt(FILE *fp, const char *title, const struct kvt *t, int classes)
{
    char k[300];
    size_t i;

    fprintf(fp, "%-44s %8s\n", title, "Count");
    if (!t->n)
        fprintf(fp, "  (none)\n");
    for (i = 0; i < t->n; i++) {
        key_text(&t->v[i], k, sizeof k);
        if (classes) {
            char both[400];
            snprintf(both, sizeof both, "%s %s", k, t->v[i].meaning ? t->v[i].meaning : "");
            fprintf(fp, "  %-42s %8llu\n", both, (unsigned long long)t->v[i].n);
        } else {
            fprintf(fp, "  %-42s %8llu\n", k, (unsigned long long)t->v[i].n);
        }
    }
    if (t->other.n)
        fprintf(fp, "  %-42s %8llu\n", "(other: table full)", (unsigned long long)t->other.n);
}

static void
txt_who(FILE *fp, const char *title, const struct kvt *t)
{
    char k[300];
    size_t i;

    fprintf(fp, "%-34s %8s %8s %8s\n", title, "Attempts", "Failed", "Rate");
    if (!t->n)
        fprintf(fp, "  (none)\n");
    for (i = 0; i < t->n; i++) {
        key_text(&t->v[i], k, sizeof k);
        fprintf(fp, "  %-32s %8llu %8llu %7.1f%%\n", k, (unsigned long long)t->v[i].n,
                (unsigned long long)t->v[i].bad,
                t->v[i].n ? 100.0 * (double)t->v[i].bad / (double)t->v[i].n : 0.0);
    }
    if (t->other.n)
        fprintf(fp, "  %-32s %8llu %8llu\n", "(other: table full)",
                (unsigned long long)t->other.n, (unsigned long long)t->other.bad);
}

/* Per-session figures of one protocol: count, messages, bytes. */
struct persess {
    uint64_t n, msgs, msg_bytes, bytes;
    uint64_t min_msgs, max_msgs, min_bytes, max_bytes;
};

static void
persess(const struct zstat *z, int proto, struct persess *ps)
{
    size_t i;

    memset(ps, 0, sizeof *ps);
    for (i = 0; i < z->ns; i++) {
        const struct zsess *s = &z->s[i];
        if (s->proto != proto)
            continue;
        if (!ps->n || s->msgs < ps->min_msgs)
            ps->min_msgs = s->msgs;
        if (s->msgs > ps->max_msgs)
            ps->max_msgs = s->msgs;
        if (!ps->n || s->bytes < ps->min_bytes)
            ps->min_bytes = s->bytes;
        if (s->bytes > ps->max_bytes)
            ps->max_bytes = s->bytes;
        ps->n++;
        ps->msgs += s->msgs;
        ps->msg_bytes += s->msg_bytes;
        ps->bytes += s->bytes;
    }
}

static void
sorted(const struct lat *L, uint32_t *v)
{
    memcpy(v, L->s, L->k * sizeof *v);
    qsort(v, L->k, sizeof *v, cmp_u32);
}

static void
txt_proto(FILE *fp, struct zstat *z, int proto)
{
    struct pstat *P = &z->p[proto];
    const struct proto_ops *ops = proto_get(proto);
    struct persess ps;
    static uint32_t v[ZS_LAT_SAMPLES];
    char a[24], b[24], c[24], d[24], k[300];
    size_t i;

    persess(z, proto, &ps);
    fputs(rule, fp);
    fprintf(fp, "%s statistics (-z %s,stat)\n", ops->label, ops->name);
    fprintf(fp, "Sessions: %llu  Messages: %llu (%llu bytes)  Payload bytes: %llu\n",
            (unsigned long long)ps.n, (unsigned long long)ps.msgs,
            (unsigned long long)ps.msg_bytes, (unsigned long long)ps.bytes);
    fputs("-------------------------------------------------------------------\n", fp);
    txt_kvt(fp, "Commands", &P->cmds, 0);
    fputc('\n', fp);
    txt_kvt(fp, "Replies by class", &P->classes, 1);
    fputc('\n', fp);
    txt_kvt(fp, "Replies by code", &P->codes, 0);
    fputc('\n', fp);
    fprintf(fp, "%-24s %8s %8s %8s %8s\n", "Logins by mechanism", "Attempts",
            "Accepted", "Rejected", "Unknown");
    if (!P->mechs.n)
        fprintf(fp, "  (none)\n");
    for (i = 0; i < P->mechs.n; i++) {
        const struct kv *e = &P->mechs.v[i];
        key_text(e, k, sizeof k);
        fprintf(fp, "  %-22s %8llu %8llu %8llu %8llu\n", k, (unsigned long long)e->n,
                (unsigned long long)e->ok, (unsigned long long)e->bad,
                (unsigned long long)(e->n - e->ok - e->bad));
    }
    fputc('\n', fp);
    txt_who(fp, "Login failures by user", &P->users);
    fputc('\n', fp);
    txt_who(fp, "Login failures by client", &P->clients);
    fputc('\n', fp);
    fprintf(fp, "%-22s %6s %10s %10s %10s %10s\n", "Reply latency (ms)", "N", "Min",
            "Median", "P95", "Max");
    if (!P->nlat)
        fprintf(fp, "  (none)\n");
    for (i = 0; i < P->nlat; i++) {
        const struct lat *L = P->lat[i];
        sorted(L, v);
        ms(a, sizeof a, L->min);
        ms(b, sizeof b, pct(v, L->k, 50));
        ms(c, sizeof c, pct(v, L->k, 95));
        ms(d, sizeof d, L->max);
        esc_bytes(k, sizeof k, (const uint8_t *)L->verb, strlen(L->verb), 0);
        fprintf(fp, "  %-20s %6llu %10s %10s %10s %10s%s\n", k, (unsigned long long)L->n,
                a, b, c, d, L->n > L->k ? " (sampled)" : "");
    }
    if (P->lat_other)
        fprintf(fp, "  (other: table full) %llu\n", (unsigned long long)P->lat_other);
    fputc('\n', fp);
    fprintf(fp, "%-22s %10s %10s %10s\n", "Per session", "Min", "Mean", "Max");
    fprintf(fp, "  %-20s %10llu %10.1f %10llu\n", "messages", (unsigned long long)ps.min_msgs,
            ps.n ? (double)ps.msgs / (double)ps.n : 0.0, (unsigned long long)ps.max_msgs);
    fprintf(fp, "  %-20s %10llu %10.1f %10llu\n", "payload bytes",
            (unsigned long long)ps.min_bytes, ps.n ? (double)ps.bytes / (double)ps.n : 0.0,
            (unsigned long long)ps.max_bytes);
    fputs(rule, fp);
}

/* ---- JSON ---- */


static void
jkv(const struct kv *e)
{
    ob_jstr(e->key, e->klen);
}

static void
jcount_map(const char *name, const struct kvt *t)
{
    size_t i;

    ob_ch('"');
    ob_str(name);
    OB_LIT("\":{");
    for (i = 0; i < t->n; i++) {
        if (i)
            ob_ch(',');
        jkv(&t->v[i]);
        ob_ch(':');
        ob_u64(t->v[i].n);
    }
    if (t->other.n) {
        if (t->n)
            ob_ch(',');
        OB_LIT("\"(other)\":");
        ob_u64(t->other.n);
    }
    ob_ch('}');
}

static void
jwho(const char *name, const char *keyname, const struct kvt *t)
{
    size_t i;
    char r[32];

    OB_LIT(",\"");
    ob_str(name);
    OB_LIT("\":[");
    for (i = 0; i < t->n; i++) {
        const struct kv *e = &t->v[i];
        if (i)
            ob_ch(',');
        OB_LIT("{\"");
        ob_str(keyname);
        OB_LIT("\":");
        jkv(e);
        OB_LIT(",\"attempts\":");
        ob_u64(e->n);
        OB_LIT(",\"failed\":");
        ob_u64(e->bad);
        snprintf(r, sizeof r, "%.3f", e->n ? (double)e->bad / (double)e->n : 0.0);
        OB_LIT(",\"failure_rate\":");
        ob_str(r);
        ob_ch('}');
    }
    ob_ch(']');
}

static void
json_proto(FILE *fp, struct zstat *z, int proto)
{
    struct pstat *P = &z->p[proto];
    const struct proto_ops *ops = proto_get(proto);
    struct persess ps;
    static uint32_t v[ZS_LAT_SAMPLES];
    char a[24];
    size_t i;

    persess(z, proto, &ps);
    ob_to(fp);
    OB_LIT("{\"report\":\"");
    ob_str(ops->name);
    OB_LIT(",stat\",\"proto\":\"");
    ob_str(ops->name);
    OB_LIT("\",\"sessions\":");
    ob_u64(ps.n);
    OB_LIT(",\"messages\":");
    ob_u64(ps.msgs);
    OB_LIT(",\"message_bytes\":");
    ob_u64(ps.msg_bytes);
    OB_LIT(",\"bytes\":");
    ob_u64(ps.bytes);
    ob_ch(',');
    jcount_map("commands", &P->cmds);
    ob_ch(',');
    jcount_map("replies_by_code", &P->codes);
    OB_LIT(",\"replies_by_class\":[");
    for (i = 0; i < P->classes.n; i++) {
        if (i)
            ob_ch(',');
        OB_LIT("{\"class\":");
        jkv(&P->classes.v[i]);
        OB_LIT(",\"meaning\":");
        ob_jstr((const uint8_t *)P->classes.v[i].meaning, strlen(P->classes.v[i].meaning));
        OB_LIT(",\"count\":");
        ob_u64(P->classes.v[i].n);
        ob_ch('}');
    }
    OB_LIT("],\"logins\":[");
    for (i = 0; i < P->mechs.n; i++) {
        const struct kv *e = &P->mechs.v[i];
        if (i)
            ob_ch(',');
        OB_LIT("{\"mech\":");
        jkv(e);
        OB_LIT(",\"attempts\":");
        ob_u64(e->n);
        OB_LIT(",\"accepted\":");
        ob_u64(e->ok);
        OB_LIT(",\"rejected\":");
        ob_u64(e->bad);
        OB_LIT(",\"unknown\":");
        ob_u64(e->n - e->ok - e->bad);
        ob_ch('}');
    }
    ob_ch(']');
    jwho("users", "user", &P->users);
    jwho("clients", "client", &P->clients);
    OB_LIT(",\"latency_ms\":[");
    for (i = 0; i < P->nlat; i++) {
        const struct lat *L = P->lat[i];
        if (i)
            ob_ch(',');
        sorted(L, v);
        OB_LIT("{\"command\":");
        ob_jstr((const uint8_t *)L->verb, strlen(L->verb));
        OB_LIT(",\"n\":");
        ob_u64(L->n);
        ms(a, sizeof a, L->min);
        OB_LIT(",\"min\":");
        ob_str(a);
        ms(a, sizeof a, pct(v, L->k, 50));
        OB_LIT(",\"median\":");
        ob_str(a);
        ms(a, sizeof a, pct(v, L->k, 95));
        OB_LIT(",\"p95\":");
        ob_str(a);
        ms(a, sizeof a, L->max);
        OB_LIT(",\"max\":");
        ob_str(a);
        ob_str(L->n > L->k ? ",\"exact\":false}" : ",\"exact\":true}");
    }
    OB_LIT("],\"per_session\":{\"messages\":{\"min\":");
    ob_u64(ps.min_msgs);
    OB_LIT(",\"max\":");
    ob_u64(ps.max_msgs);
    OB_LIT("},\"bytes\":{\"min\":");
    ob_u64(ps.min_bytes);
    OB_LIT(",\"max\":");
    ob_u64(ps.max_bytes);
    OB_LIT("}}}\n");
    ob_flush();
}

void
zstat_print_proto(FILE *fp, struct zstat *z, int proto, int json)
{
    if (!proto_get(proto))
        return;
    if (json)
        json_proto(fp, z, proto);
    else
        txt_proto(fp, z, proto);
}

/* ---- sessions ---- */

static void
anom_list(uint64_t bits, char *buf, size_t sz)
{
    size_t o = 0;
    int a, first = 1;

    buf[0] = 0;
    for (a = 0; a < ANOM_N && o < sz; a++)
        if (bits & ANOM_F(a)) {
            o += (size_t)snprintf(buf + o, sz - o, "%s%s", first ? "" : ",", anom_name(a));
            first = 0;
        }
    if (first)
        snprintf(buf, sz, "-");
}

static void
duration(const struct zsess *s, char *buf, size_t sz)
{
    int64_t ds = ms_sec_sub(s->t1.sec, s->t0.sec);
    int64_t dn = (int64_t)s->t1.nsec - s->t0.nsec;

    if (dn < 0) {
        dn += 1000000000;
        ds--;
    }
    snprintf(buf, sz, "%lld.%03u", (long long)ds, (unsigned)(dn / 1000000));
}

void
zstat_print_sessions(FILE *fp, struct zstat *z, int json)
{
    char c[80], s[80], u[300], v[64], an[1024], d[40];
    size_t i;

    if (!json) {
        fputs(rule, fp);
        fprintf(fp, "Sessions (-z sessions): %zu\n", z->ns);
        fprintf(fp, "%6s %-21s %-21s %-5s %-23s %-20s %-24s %5s %5s %8s %9s %s\n",
                "Stream", "Client", "Server", "Proto", "TLS", "User", "Login",
                "Cmds", "Msgs", "Bytes", "Duration", "Anomalies");
    } else {
        ob_to(fp);
        OB_LIT("{\"report\":\"sessions\",\"sessions\":[");
    }
    for (i = 0; i < z->ns; i++) {
        const struct zsess *S = &z->s[i];
        fmt_endpoint(&S->cli, c, sizeof c);
        fmt_endpoint(&S->srv, s, sizeof s);
        zs_verdict(S, v, sizeof v);
        anom_list(S->anoms, an, sizeof an);
        duration(S, d, sizeof d);
        if (!json) {
            esc_bytes(u, sizeof u, S->user, S->user_n, ESC_ELLIPSIS);
            fprintf(fp, "%6u %-21s %-21s %-5s %-23s %-20s %-24s %5u %5u %8llu %9s %s\n",
                    (unsigned)S->flow, c, s, proto_label(S->proto), zs_tls_name(S),
                    S->user_n ? u : "-", v, (unsigned)S->cmds, (unsigned)S->msgs,
                    (unsigned long long)S->bytes, d, an);
            continue;
        }
        if (i)
            ob_ch(',');
        OB_LIT("{\"stream\":");
        ob_u64(S->flow);
        OB_LIT(",\"client\":\"");
        ob_str(c);
        OB_LIT("\",\"server\":\"");
        ob_str(s);
        OB_LIT("\",\"proto\":\"");
        ob_str(proto_name(S->proto));
        OB_LIT("\",\"tls\":\"");
        ob_str(S->tls == ZS_STARTTLS ? "starttls" : S->tls == ZS_IMPLICIT ? "implicit" : "plain");
        OB_LIT("\",\"decrypted\":");
        ob_str(S->decrypted ? "true" : "false");
        OB_LIT(",\"tls_unanswered\":");
        ob_str(zs_tls_unanswered(S) ? "true" : "false");
        OB_LIT(",\"user\":");
        if (S->user_n)
            ob_jstr(S->user, S->user_n);
        else
            OB_LIT("null");
        OB_LIT(",\"login\":\"");
        ob_str(v);
        OB_LIT("\",\"logins\":");
        ob_u64(S->logins);
        OB_LIT(",\"commands\":");
        ob_u64(S->cmds);
        OB_LIT(",\"errors\":");
        ob_u64(S->errors);
        OB_LIT(",\"messages\":");
        ob_u64(S->msgs);
        OB_LIT(",\"message_bytes\":");
        ob_u64(S->msg_bytes);
        OB_LIT(",\"bytes\":");
        ob_u64(S->bytes);
        OB_LIT(",\"duration\":");
        ob_str(d);
        OB_LIT(",\"first_frame\":");
        ob_u64(S->first_pkt);
        OB_LIT(",\"last_frame\":");
        ob_u64(S->last_pkt);
        OB_LIT(",\"anomalies\":[");
        if (S->anoms) {
            int a, first = 1;
            for (a = 0; a < ANOM_N; a++)
                if (S->anoms & ANOM_F(a)) {
                    ob_str(first ? "\"" : ",\"");
                    ob_str(anom_name(a));
                    ob_ch('"');
                    first = 0;
                }
        }
        OB_LIT("]}");
    }
    if (json) {
        OB_LIT("],\"untracked_records\":");
        ob_u64(z->untracked);
        OB_LIT("}\n");
        ob_flush();
        return;
    }
    if (z->untracked)
        fprintf(fp, "(%llu records of connections past the first %u not counted)\n",
                (unsigned long long)z->untracked, ZS_SESS_MAX);
    fputs(rule, fp);
}
