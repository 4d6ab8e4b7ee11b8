/* mem.c - capped accounting allocator: every flow/stream byte is counted
 * against --memcap, and a refusal is a "limit", never a crash. */
#include <stdlib.h>
#include <string.h>

#include "anom.h"
#include "limits.h"
#include "mem.h"

static struct mem_stats st = { .cap = LIM_MEMCAP };
static uint64_t fail_at, nalloc;

void
mem_set_cap(uint64_t bytes)
{
    st.cap = bytes;
}

void
mem_fail_nth(uint64_t n)
{
    fail_at = n;
    nalloc = 0;
}

static int
admit(size_t n)
{
    if (fail_at && ++nalloc == fail_at)
        goto refuse;
    if (st.total + n > st.cap)
        goto refuse;
    return 1;
refuse:
    st.refused++;
    anom_hit(ANOM_MEMCAP);
    return 0;
}

static void
account(enum mem_cat c, size_t n)
{
    st.in_use[c] += n;
    st.total += n;
    if (st.total > st.peak)
        st.peak = st.total;
}

void *
mem_alloc(enum mem_cat c, size_t n)
{
    void *p;

    if (!admit(n) || !(p = malloc(n ? n : 1)))
        return NULL;
    account(c, n);
    return p;
}

void *
mem_calloc(enum mem_cat c, size_t n)
{
    void *p;

    if (!admit(n) || !(p = calloc(1, n ? n : 1)))
        return NULL;
    account(c, n);
    return p;
}

void *
mem_realloc(enum mem_cat c, void *p, size_t old, size_t n)
{
    void *q;

    if (n > old && !admit(n - old))
        return NULL;
    if (!(q = realloc(p, n ? n : 1)))
        return NULL;
    st.in_use[c] -= old;
    st.total -= old;
    account(c, n);
    return q;
}

void
mem_free(enum mem_cat c, void *p, size_t n)
{
    if (!p)
        return;
    free(p);
    st.in_use[c] -= n;
    st.total -= n;
}

void *
mem_take(struct mem_pool *p)
{
    void *x = p->free;

    if (x) {
        memcpy(&p->free, x, sizeof p->free);
        p->n--;
        return x;
    }
    return mem_alloc(p->cat, p->size < sizeof(void *) ? sizeof(void *) : p->size);
}

void
mem_give(struct mem_pool *p, void *x)
{
    if (!x)
        return;
    if (p->n >= p->max) {
        mem_free(p->cat, x, p->size < sizeof(void *) ? sizeof(void *) : p->size);
        return;
    }
    memcpy(x, &p->free, sizeof p->free);
    p->free = x;
    p->n++;
}

const struct mem_stats *
mem_stats(void)
{
    return &st;
}
