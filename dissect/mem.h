/* mem.h - capped accounting allocator for flow, stream and store memory. */
#ifndef MS_MEM_H
#define MS_MEM_H

#include <stddef.h>
#include <stdint.h>

enum mem_cat { MEM_FLOW, MEM_STREAM, MEM_AUTH, MEM_STORE, MEM_CAT_N };

struct mem_stats {
    uint64_t in_use[MEM_CAT_N];
    uint64_t total, peak, cap;
    uint64_t refused;
};

void mem_set_cap(uint64_t bytes);
/* Test hook: refuse the Nth allocation from now on (0 = never). */
void mem_fail_nth(uint64_t n);
void *mem_alloc(enum mem_cat c, size_t n);
void *mem_calloc(enum mem_cat c, size_t n);
/* Grow or shrink; on refusal the old block stays valid and NULL is returned. */
void *mem_realloc(enum mem_cat c, void *p, size_t old, size_t n);
void mem_free(enum mem_cat c, void *p, size_t n);
const struct mem_stats *mem_stats(void);

/* A free list of same-size blocks: a million short connections would
 * otherwise malloc and free their session state a million times (and
 * glibc gives the top of the heap back to the kernel each time). Pooled
 * blocks stay counted as in use. */
struct mem_pool {
    enum mem_cat cat;
    size_t size;
    unsigned n, max;
    void *free;
};
#define MEM_POOL(c, sz, mx) { (c), (sz), 0, (mx), NULL }
void *mem_take(struct mem_pool *p);      /* not zeroed */
void mem_give(struct mem_pool *p, void *x);

#endif
