/* flow.c - flow table: chained hash on the 5-tuple (O(1) lookup), an LRU
 * list for idle expiry and eviction, a free list so steady traffic does
 * not call malloc per connection. */
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include "anom.h"
#include "flow.h"
#include "limits.h"
#include "mem.h"

/* Freed flows kept for reuse; enough for a burst of short connections. */
#define FLOW_FREE_KEEP 1024

struct flow_table {
    struct flow **bucket;
    uint32_t mask;
    uint32_t n, max;
    uint32_t next_id;
    struct flow *head, *tail;       /* LRU */
    struct flow *freelist;
    struct flow *last;              /* last flow found: bursts of one flow */
    uint32_t nfree;
    flow_close_fn close_fn;
    void *ctx;
    /* Random for each table: the tuples of a capture are chosen by
     * whoever sent the packets, and with a hash known in advance a
     * capture of flows that all share one bucket makes every lookup walk
     * a chain of up to LIM_FLOWS. Buckets never decide an order of
     * output, so the output does not depend on it. */
    uint64_t seed;
};

static uint64_t
mix(uint64_t h, uint32_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static uint32_t
hash_key(const struct flow_table *t, const struct flow_key *k)
{
    /* Word at a time (multiply and xor-shift): the byte-wise FNV this
     * replaced was 3% of a run over short connections. */
    uint64_t h = mix(t->seed, k->ports);
    size_t i, alen = k->family == 6 ? 16 : 4;
    uint32_t a, b;

    for (i = 0; i < alen; i += 4) {
        memcpy(&a, k->caddr + i, 4);
        memcpy(&b, k->saddr + i, 4);
        h = mix(h, a);
        h = mix(h, b);
    }
    return (uint32_t)(h ^ (h >> 32));
}

/* Buckets start few and double with the flows: a table sized for the
 * worst case put every lookup of a quiet capture on a cold cache line. */
#define FLOW_BUCKETS_MIN 1024

struct flow_table *
flow_new(uint32_t max_flows, flow_close_fn fn, void *ctx)
{
    struct flow_table *t;
    uint32_t nb = FLOW_BUCKETS_MIN;

    if (!max_flows)
        max_flows = LIM_FLOWS;
    t = mem_calloc(MEM_FLOW, sizeof *t);
    if (!t)
        return NULL;
    t->bucket = mem_calloc(MEM_FLOW, (size_t)nb * sizeof *t->bucket);
    if (!t->bucket) {
        mem_free(MEM_FLOW, t, sizeof *t);
        return NULL;
    }
    t->mask = nb - 1;
    t->max = max_flows;
    if (getrandom(&t->seed, sizeof t->seed, GRND_NONBLOCK) != (ssize_t)sizeof t->seed)
        t->seed = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15ull;   /* ASLR */
    t->seed ^= 0x243f6a8885a308d3ull;
    t->close_fn = fn;
    t->ctx = ctx;
    return t;
}

/* A flow's ports as its key holds them. */
static inline uint32_t
flow_ports(const struct flow *f)
{
    return (uint32_t)f->cport << 16 | f->sport;
}

static int
key_eq(const struct flow *f, const struct flow_key *k)
{
    uint32_t a, b, c, d;

    if (f->family != k->family || flow_ports(f) != k->ports)
        return 0;
    if (k->family == 6)
        return !memcmp(f->caddr, k->caddr, 16) && !memcmp(f->saddr, k->saddr, 16);
    /* IPv4: two words, not two calls */
    memcpy(&a, f->caddr, 4);
    memcpy(&b, k->caddr, 4);
    memcpy(&c, f->saddr, 4);
    memcpy(&d, k->saddr, 4);
    return a == b && c == d;
}

struct flow *
flow_lookup(struct flow_table *t, const struct flow_key *k)
{
    uint32_t h;
    struct flow *f;

    /* Segments of one transfer come in runs; skip the hash for them. */
    if (t->last && flow_ports(t->last) == k->ports
        && key_eq(t->last, k))
        return t->last;
    h = hash_key(t, k);
    for (f = t->bucket[h & t->mask]; f; f = f->hnext)
        if (f->hash == h && key_eq(f, k))
            return t->last = f;
    return NULL;
}

static void
lru_unlink(struct flow_table *t, struct flow *f)
{
    if (f->lprev)
        f->lprev->lnext = f->lnext;
    else
        t->head = f->lnext;
    if (f->lnext)
        f->lnext->lprev = f->lprev;
    else
        t->tail = f->lprev;
    f->lprev = f->lnext = NULL;
}

static void
lru_push(struct flow_table *t, struct flow *f)
{
    f->lprev = NULL;
    f->lnext = t->head;
    if (t->head)
        t->head->lprev = f;
    t->head = f;
    if (!t->tail)
        t->tail = f;
}

void
flow_touch(struct flow_table *t, struct flow *f, const struct ms_time *now)
{
    f->last = *now;
    if (t->head != f) {
        lru_unlink(t, f);
        lru_push(t, f);
    }
}

void
flow_close(struct flow_table *t, struct flow *f, int why)
{
    struct flow **pp;

    if (t->close_fn)
        t->close_fn(t->ctx, f, why);
    if (t->last == f)
        t->last = NULL;
    for (pp = &t->bucket[f->hash & t->mask]; *pp; pp = &(*pp)->hnext)
        if (*pp == f) {
            *pp = f->hnext;
            break;
        }
    lru_unlink(t, f);
    tcp_free(&f->tcp[0]);
    tcp_free(&f->tcp[1]);
    line_free(&f->la[0]);
    line_free(&f->la[1]);
    t->n--;
    if (t->nfree < FLOW_FREE_KEEP) {
        f->hnext = t->freelist;
        t->freelist = f;
        t->nfree++;
    } else {
        mem_free(MEM_FLOW, f, sizeof *f);
    }
}

/* Double the buckets when flows outnumber them (load factor 1). */
static void
grow(struct flow_table *t)
{
    uint32_t nb = (t->mask + 1) * 2;
    struct flow **b, *f;

    if (nb > (1u << 30) || t->n < t->mask + 1)
        return;
    b = mem_calloc(MEM_FLOW, (size_t)nb * sizeof *b);
    if (!b)
        return;         /* memcap: longer chains, still correct */
    for (f = t->head; f; f = f->lnext) {
        f->hnext = b[f->hash & (nb - 1)];
        b[f->hash & (nb - 1)] = f;
    }
    mem_free(MEM_FLOW, t->bucket, ((size_t)t->mask + 1) * sizeof *t->bucket);
    t->bucket = b;
    t->mask = nb - 1;
}

struct flow *
flow_create(struct flow_table *t, const struct flow_key *k,
            const struct ms_time *now)
{
    struct flow *f;
    size_t alen = k->family == 6 ? 16 : 4;

    if (t->n >= t->max && t->tail) {
        anom_hit(ANOM_FLOW_EVICTED);
        flow_close(t, t->tail, FLOW_END_EVICTED);
    }
    if ((f = t->freelist)) {
        t->freelist = f->hnext;
        t->nfree--;
    } else if (!(f = mem_alloc(MEM_FLOW, sizeof *f))) {
        return NULL;
    }
    memset(f, 0, sizeof *f);
    f->family = k->family;
    memcpy(f->caddr, k->caddr, alen);
    memcpy(f->saddr, k->saddr, alen);
    f->cport = (uint16_t)(k->ports >> 16);
    f->sport = (uint16_t)k->ports;
    f->hash = hash_key(t, k);
    f->id = t->next_id++;
    f->last = *now;
    f->hnext = t->bucket[f->hash & t->mask];
    t->bucket[f->hash & t->mask] = f;
    lru_push(t, f);
    t->n++;
    grow(t);
    return f;
}

void
flow_expire(struct flow_table *t, const struct ms_time *now)
{
    while (t->tail && ms_sec_sub(now->sec, t->tail->last.sec) > LIM_FLOW_IDLE)
        flow_close(t, t->tail, FLOW_END_IDLE);
}

void
flow_close_all(struct flow_table *t)
{
    while (t->tail)
        flow_close(t, t->tail, FLOW_END_FINISH);
}

uint32_t
flow_count(const struct flow_table *t)
{
    return t->n;
}

void
flow_destroy(struct flow_table *t)
{
    struct flow *f;

    if (!t)
        return;
    flow_close_all(t);
    while ((f = t->freelist)) {
        t->freelist = f->hnext;
        mem_free(MEM_FLOW, f, sizeof *f);
    }
    mem_free(MEM_FLOW, t->bucket, ((size_t)t->mask + 1) * sizeof *t->bucket);
    mem_free(MEM_FLOW, t, sizeof *t);
}
