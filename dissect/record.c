/* record.c - record names, emission (masking applied once), and the
 * record store the ncurses view reads. */
#include <stdlib.h>
#include <string.h>

#include "cred.h"
#include "mem.h"
#include "record.h"

#define REC_KIND_NAME(e, n) n,
static const char *const kind_names[] = { REC_KIND_LIST(REC_KIND_NAME) };
#undef REC_KIND_NAME
#define AUTH_MECH_NAME(e, n, k) n,
static const char *const mech_names[] = { AUTH_MECH_LIST(AUTH_MECH_NAME) };
#undef AUTH_MECH_NAME
#define AUTH_MECH_KIND(e, n, k) k,
static const int mech_kinds[] = { AUTH_MECH_LIST(AUTH_MECH_KIND) };
#undef AUTH_MECH_KIND

const char *
rec_kind_name(int k)
{
    return k >= 0 && k < REC_KIND_N ? kind_names[k] : "?";
}

const char *
auth_mech_name(int m)
{
    return m >= 0 && m < AUTH_MECH_N ? mech_names[m] : "?";
}

int
auth_mech_secret_kind(int m)
{
    return m >= 0 && m < AUTH_MECH_N ? mech_kinds[m] : 0;
}

const char *
cred_result_name(int r)
{
    return r == CRED_ACCEPTED ? "accepted" : r == CRED_REJECTED ? "rejected" : "unknown";
}

const char *
secret_kind_name(int k)
{
    return k == SECRET_PASSWORD ? "password" : k == SECRET_TOKEN ? "token"
        : k == SECRET_DIGEST ? "digest" : "";
}

const char *
imf_name(int h)
{
    static const char *const n[IMF_N] = {
        "from", "to", "cc", "subject", "date", "message_id", "reply_to"
    };
    return h >= 0 && h < IMF_N ? n[h] : "?";
}

struct ms_time
rec_t0(const struct rec *r)
{
    static const struct ms_time zero;
    return r->clock && r->clock->set ? r->clock->t0 : zero;
}

int
rec_prec(const struct rec *r)
{
    return r->clock && r->clock->prec ? r->clock->prec : 6;
}

void
rec_emit(const struct rec_sink *s, struct rec *r)
{
    cred_apply(r);
    if (s->emit)
        s->emit(s->ctx, r);
}

/* ---- store ---- */

/* The view keeps every record, so a record is packed: a fixed head of
 * numbers (about 90 bytes), then only the strings it has, each with its
 * length, and its packet marks. Endpoints are kept once per flow. An
 * index of 8 bytes per record points at the packed form. Records never
 * straddle the 1 MiB chunks they are packed into. */
#define STORE_CHUNK (1u << 20)

struct chunk {
    struct chunk *next;
    size_t used;
    uint64_t nrec;
    uint8_t data[];
};

struct flow_eps {
    struct rec_ep client, server;
};

struct rec_store {
    struct chunk *head, *tail;
    uint8_t **idx;
    size_t n, cap;
    struct flow_eps *eps;       /* by flow id */
    size_t neps;
    uint64_t dropped;
    const struct rec_clock *clock;  /* one capture, one clock */
};

/* The packed head; byte order and layout are private to this file. */
struct packed {
    uint64_t pkt, size, flags;
    int64_t sec, sec_first;
    uint64_t have;                  /* bit i: string i is stored */
    uint32_t nsec, nsec_first, flow, nseg, len, lines;
    uint32_t first_d;               /* pkt - pkt_first */
    uint32_t user_d, secret_d;      /* pkt - user_pkt + 1; 0: none */
    uint32_t imf_cut;
    uint32_t req_d;                 /* pkt - req_pkt + 1; 0: none */
    int64_t req_sec;
    uint32_t req_nsec;
    uint32_t tls_records;
    uint16_t code, secret_off, nmarks;
    uint16_t tls_version, tls_suite, tls_legacy;
    uint8_t proto, kind, dir, detect, mech, result, secret_kind, verb_len;
    uint8_t req_verb_len, tls_hs, tls_alert_level, tls_alert_desc, tls_ncerts, tls_resumed;
};

/* The strings of a record, in the order they are packed. */
#define REC_STRS(r) { &(r)->text, &(r)->arg, &(r)->typed, &(r)->raw, \
    &(r)->cred.user, &(r)->cred.secret, &(r)->cred.secret_typed, \
    &(r)->cred.authzid, &(r)->cred.challenge, &(r)->cred.reply, \
    &(r)->cred.mech_name, &(r)->imf[0], &(r)->imf[1], &(r)->imf[2], \
    &(r)->imf[3], &(r)->imf[4], &(r)->imf[5], &(r)->imf[6], \
    &(r)->imf_raw[0], &(r)->imf_raw[1], &(r)->imf_raw[2], &(r)->imf_raw[3], \
    &(r)->imf_raw[4], &(r)->imf_raw[5], &(r)->imf_raw[6], \
    &(r)->tls.sni, &(r)->tls.alpn, &(r)->tls.suites, &(r)->tls.versions, \
    &(r)->tls.subject, &(r)->tls.issuer, &(r)->tls.reason }
#define REC_NSTR (18 + 2 * IMF_N)
_Static_assert(IMF_N == 7, "REC_STRS names every imf header");
_Static_assert(REC_NSTR <= 64, "a bit of packed.have per string");

struct rec_store *
rec_store_new(void)
{
    return calloc(1, sizeof(struct rec_store));
}

static void
drop_oldest(struct rec_store *s)
{
    struct chunk *c = s->head;

    if (!c || c == s->tail)
        return;
    s->head = c->next;
    memmove(s->idx, s->idx + c->nrec, (s->n - c->nrec) * sizeof *s->idx);
    s->n -= c->nrec;
    s->dropped += c->nrec;
    mem_free(MEM_STORE, c, sizeof *c + STORE_CHUNK);
}

static uint8_t *
room(struct rec_store *s, size_t need)
{
    struct chunk *c = s->tail;

    if (!c || c->used + need > STORE_CHUNK) {
        c = mem_alloc(MEM_STORE, sizeof *c + STORE_CHUNK);
        if (!c) {
            /* Memcap: the oldest records make room for the newest. */
            drop_oldest(s);
            c = mem_alloc(MEM_STORE, sizeof *c + STORE_CHUNK);
            if (!c)
                return NULL;
        }
        c->next = NULL;
        c->used = 0;
        c->nrec = 0;
        if (s->tail)
            s->tail->next = c;
        else
            s->head = c;
        s->tail = c;
    }
    return c->data + c->used;
}

/* Packets between two of a record's frames; records span a few. */
static uint32_t
delta(uint64_t later, uint64_t earlier)
{
    uint64_t d = later >= earlier ? later - earlier : 0;
    return d > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)d;
}

static int
remember_eps(struct rec_store *s, const struct rec *r)
{
    size_t nn;
    struct flow_eps *ne;

    if (r->flow >= s->neps) {
        nn = s->neps ? s->neps : 256;
        while (nn <= r->flow)
            nn *= 2;
        ne = realloc(s->eps, nn * sizeof *ne);
        if (!ne)
            return -1;
        memset(ne + s->neps, 0, (nn - s->neps) * sizeof *ne);
        s->eps = ne;
        s->neps = nn;
    }
    s->eps[r->flow].client = r->dir == DIR_C2S ? r->src : r->dst;
    s->eps[r->flow].server = r->dir == DIR_C2S ? r->dst : r->src;
    return 0;
}

int
rec_store_add(struct rec_store *s, const struct rec *r)
{
    const struct rec_str *str[REC_NSTR] = REC_STRS(r);
    struct packed h;
    size_t need, vl = strnlen(r->verb, sizeof r->verb - 1);
    size_t rvl = strnlen(r->req_verb, sizeof r->req_verb - 1);
    uint8_t *base, *p;
    uint32_t n32;
    int i;

    memset(&h, 0, sizeof h);
    need = sizeof h + vl + rvl + (size_t)r->nmarks * sizeof(struct rec_mark) + 7;
    for (i = 0; i < REC_NSTR; i++)
        if (str[i]->n) {
            h.have |= (uint64_t)1 << i;
            need += 4 + str[i]->n;
        }
    if (need > STORE_CHUNK)
        return -1;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 1024;
        uint8_t **ni = realloc(s->idx, nc * sizeof *ni);
        if (!ni)
            return -1;
        s->idx = ni;
        s->cap = nc;
    }
    if (remember_eps(s, r) < 0 || !(base = room(s, need)))
        return -1;
    if (r->clock)
        s->clock = r->clock;
    h.pkt = r->pkt;
    h.first_d = delta(r->pkt, r->pkt_first);
    h.size = r->size;
    h.user_d = r->cred.user_pkt ? delta(r->pkt, r->cred.user_pkt) + 1 : 0;
    h.secret_d = r->cred.secret_pkt ? delta(r->pkt, r->cred.secret_pkt) + 1 : 0;
    h.sec = r->ts.sec;
    h.nsec = r->ts.nsec;
    h.sec_first = r->ts_first.sec;
    h.nsec_first = r->ts_first.nsec;
    h.flow = r->flow;
    h.flags = r->flags;
    h.nseg = r->nseg;
    h.len = r->len;
    h.lines = r->lines;
    h.code = r->code;
    h.imf_cut = r->imf_cut;
    h.secret_off = r->secret_off;
    h.nmarks = r->nmarks;
    h.proto = r->proto;
    h.kind = r->kind;
    h.dir = r->dir;
    h.detect = r->detect;
    h.mech = r->cred.mech;
    h.result = r->cred.result;
    h.secret_kind = r->cred.secret_kind;
    h.verb_len = (uint8_t)vl;
    h.req_verb_len = (uint8_t)rvl;
    h.req_d = r->req_pkt ? delta(r->pkt, r->req_pkt) + 1 : 0;
    h.req_sec = r->req_ts.sec;
    h.req_nsec = r->req_ts.nsec;
    h.tls_records = r->tls.records;
    h.tls_version = r->tls.version;
    h.tls_suite = r->tls.suite;
    h.tls_legacy = r->tls.legacy_version;
    h.tls_hs = r->tls.hs_type;
    h.tls_alert_level = r->tls.alert_level;
    h.tls_alert_desc = r->tls.alert_desc;
    h.tls_ncerts = r->tls.ncerts;
    h.tls_resumed = r->tls.resumed;
    p = base;
    /* head, marks (8-aligned: records start aligned and the head is a
     * multiple of 8), verb, strings */
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    if (r->nmarks) {
        memcpy(p, r->marks, (size_t)r->nmarks * sizeof *r->marks);
        p += (size_t)r->nmarks * sizeof *r->marks;
    }
    memcpy(p, r->verb, vl);
    p += vl;
    memcpy(p, r->req_verb, rvl);
    p += rvl;
    for (i = 0; i < REC_NSTR; i++) {
        if (!str[i]->n)
            continue;
        n32 = str[i]->n;
        memcpy(p, &n32, 4);
        memcpy(p + 4, str[i]->p, n32);
        p += 4 + n32;
    }
    s->tail->used += ((size_t)(p - base) + 7) & ~(size_t)7;
    s->tail->nrec++;
    s->idx[s->n++] = base;
    return 0;
}

size_t
rec_store_count(const struct rec_store *s)
{
    return s->n;
}

int
rec_store_get(const struct rec_store *s, size_t i, struct rec *r)
{
    struct rec_str *str[REC_NSTR] = REC_STRS(r);
    const struct flow_eps *e;
    struct packed h;
    const uint8_t *p;
    uint32_t n32;
    int k;

    if (i >= s->n)
        return -1;
    p = s->idx[i];
    memcpy(&h, p, sizeof h);
    p += sizeof h;
    memset(r, 0, sizeof *r);
    r->pkt = h.pkt;
    r->pkt_first = h.pkt - h.first_d;
    r->size = h.size;
    r->cred.user_pkt = h.user_d ? h.pkt - (h.user_d - 1) : 0;
    r->cred.secret_pkt = h.secret_d ? h.pkt - (h.secret_d - 1) : 0;
    r->ts.sec = h.sec;
    r->ts.nsec = h.nsec;
    r->ts_first.sec = h.sec_first;
    r->ts_first.nsec = h.nsec_first;
    r->flow = h.flow;
    r->flags = h.flags;
    r->nseg = h.nseg;
    r->len = h.len;
    r->lines = h.lines;
    r->code = h.code;
    r->imf_cut = h.imf_cut;
    r->secret_off = h.secret_off;
    r->nmarks = h.nmarks;
    r->proto = h.proto;
    r->kind = h.kind;
    r->dir = h.dir;
    r->detect = h.detect;
    r->cred.mech = h.mech;
    r->cred.result = h.result;
    r->cred.secret_kind = h.secret_kind;
    if (h.nmarks) {
        r->marks = (const struct rec_mark *)p;     /* 8-aligned */
        p += (size_t)h.nmarks * sizeof(struct rec_mark);
    }
    memcpy(r->verb, p, h.verb_len);
    p += h.verb_len;
    memcpy(r->req_verb, p, h.req_verb_len);
    p += h.req_verb_len;
    r->req_pkt = h.req_d ? h.pkt - (h.req_d - 1) : 0;
    r->req_ts.sec = h.req_sec;
    r->req_ts.nsec = h.req_nsec;
    r->tls.records = h.tls_records;
    r->tls.version = h.tls_version;
    r->tls.suite = h.tls_suite;
    r->tls.legacy_version = h.tls_legacy;
    r->tls.hs_type = h.tls_hs;
    r->tls.alert_level = h.tls_alert_level;
    r->tls.alert_desc = h.tls_alert_desc;
    r->tls.ncerts = h.tls_ncerts;
    r->tls.resumed = h.tls_resumed;
    for (k = 0; k < REC_NSTR; k++) {
        if (!(h.have & ((uint64_t)1 << k)))
            continue;
        memcpy(&n32, p, 4);
        str[k]->p = p + 4;
        str[k]->n = n32;
        p += 4 + n32;
    }
    r->clock = s->clock;
    e = &s->eps[h.flow];
    r->src = h.dir == DIR_C2S ? e->client : e->server;
    r->dst = h.dir == DIR_C2S ? e->server : e->client;
    return 0;
}

uint64_t
rec_store_dropped(const struct rec_store *s)
{
    return s->dropped;
}

void
rec_store_free(struct rec_store *s)
{
    struct chunk *c, *n;

    if (!s)
        return;
    for (c = s->head; c; c = n) {
        n = c->next;
        mem_free(MEM_STORE, c, sizeof *c + STORE_CHUNK);
    }
    free(s->idx);
    free(s->eps);
    free(s);
}
