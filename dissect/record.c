/* record.c - record names, emission (masking applied once), and the
 * record store the ncurses view reads. */
#include <stdlib.h>
#include <string.h>

#include "cred.h"
#include "mem.h"
#include "record.h"

struct ms_time rec_t0;
int rec_t0_set;
int rec_ts_prec = 6;

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
rec_proto_name(int p)
{
    return p == PROTO_SMTP ? "smtp" : p == PROTO_POP ? "pop" : "?";
}

const char *
rec_proto_label(int p)
{
    return p == PROTO_SMTP ? "SMTP" : p == PROTO_POP ? "POP" : "?";
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
        "from", "to", "cc", "subject", "date", "message_id"
    };
    return h >= 0 && h < IMF_N ? n[h] : "?";
}

void
rec_emit(const struct rec_sink *s, struct rec *r)
{
    cred_apply(r);
    if (s->emit)
        s->emit(s->ctx, r);
}

/* ---- store ---- */

/* Records are packed into 1 MiB chunks: the struct, then its strings and
 * marks. A record never straddles chunks. */
#define STORE_CHUNK (1u << 20)

struct chunk {
    struct chunk *next;
    size_t used;
    uint64_t nrec;
    uint8_t data[];
};

struct rec_store {
    struct chunk *head, *tail;
    struct rec **idx;
    size_t n, cap;
    uint64_t dropped;
};

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

static void
put_str(uint8_t **pp, struct rec_str *str)
{
    if (str->n)
        memcpy(*pp, str->p, str->n);
    str->p = *pp;
    *pp += str->n;
}

int
rec_store_add(struct rec_store *s, const struct rec *r)
{
    size_t need = sizeof(struct rec) + (size_t)r->nmarks * sizeof(struct rec_mark)
        + r->text.n + r->arg.n + r->typed.n + r->raw.n + r->cred.user.n
        + r->cred.secret.n + r->cred.secret_typed.n + r->cred.authzid.n + r->cred.challenge.n
        + r->cred.reply.n + r->cred.mech_name.n + 16;
    struct rec *c;
    uint8_t *p, *base;
    int i;

    if (need > STORE_CHUNK)
        return -1;
    for (i = 0; i < IMF_N; i++)
        need += r->imf[i].n;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 1024;
        struct rec **ni = realloc(s->idx, nc * sizeof *ni);
        if (!ni)
            return -1;
        s->idx = ni;
        s->cap = nc;
    }
    base = room(s, need);
    if (!base)
        return -1;
    /* Keep the struct aligned. */
    c = (struct rec *)base;
    *c = *r;
    p = base + sizeof *c;
    if (r->nmarks) {
        memcpy(p, r->marks, (size_t)r->nmarks * sizeof *r->marks);
        c->marks = (const struct rec_mark *)p;
        p += (size_t)r->nmarks * sizeof *r->marks;
    } else {
        c->marks = NULL;
    }
    put_str(&p, &c->text);
    put_str(&p, &c->arg);
    put_str(&p, &c->typed);
    put_str(&p, &c->raw);
    put_str(&p, &c->cred.user);
    put_str(&p, &c->cred.secret);
    put_str(&p, &c->cred.secret_typed);
    put_str(&p, &c->cred.authzid);
    put_str(&p, &c->cred.challenge);
    put_str(&p, &c->cred.reply);
    put_str(&p, &c->cred.mech_name);
    for (i = 0; i < IMF_N; i++)
        put_str(&p, &c->imf[i]);
    /* Round up so the next struct is aligned. */
    s->tail->used += ((size_t)(p - base) + 15) & ~(size_t)15;
    s->tail->nrec++;
    s->idx[s->n++] = c;
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
    if (i >= s->n)
        return -1;
    *r = *s->idx[i];
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
    free(s);
}
