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

const struct mem_stats *
mem_stats(void)
{
    return &st;
}
