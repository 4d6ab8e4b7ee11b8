/* rd.h - bounded byte reader used by every parser: never reads past len. */
#ifndef MS_RD_H
#define MS_RD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "err.h"

struct rd {
    const uint8_t *p;
    size_t len;
    size_t off;
};

static inline void
rd_init(struct rd *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->off = 0;
}

static inline size_t
rd_left(const struct rd *r)
{
    return r->len - r->off;
}

static inline const uint8_t *
rd_cur(const struct rd *r)
{
    return r->p + r->off;
}

static inline int
rd_skip(struct rd *r, size_t n)
{
    if (n > rd_left(r))
        return ERR_SHORT;
    r->off += n;
    return 0;
}

/* The next byte without taking it. */
static inline int
rd_peek_u8(const struct rd *r, uint8_t *v)
{
    if (rd_left(r) < 1)
        return ERR_SHORT;
    *v = r->p[r->off];
    return 0;
}

static inline int
rd_u8(struct rd *r, uint8_t *v)
{
    if (rd_left(r) < 1)
        return ERR_SHORT;
    *v = r->p[r->off++];
    return 0;
}

static inline int
rd_be16(struct rd *r, uint16_t *v)
{
    if (rd_left(r) < 2)
        return ERR_SHORT;
    *v = (uint16_t)((r->p[r->off] << 8) | r->p[r->off + 1]);
    r->off += 2;
    return 0;
}

static inline int
rd_be32(struct rd *r, uint32_t *v)
{
    if (rd_left(r) < 4)
        return ERR_SHORT;
    *v = ((uint32_t)r->p[r->off] << 24) | ((uint32_t)r->p[r->off + 1] << 16)
        | ((uint32_t)r->p[r->off + 2] << 8) | r->p[r->off + 3];
    r->off += 4;
    return 0;
}

static inline int
rd_le16(struct rd *r, uint16_t *v)
{
    if (rd_left(r) < 2)
        return ERR_SHORT;
    *v = (uint16_t)(r->p[r->off] | (r->p[r->off + 1] << 8));
    r->off += 2;
    return 0;
}

static inline int
rd_le32(struct rd *r, uint32_t *v)
{
    if (rd_left(r) < 4)
        return ERR_SHORT;
    *v = (uint32_t)r->p[r->off] | ((uint32_t)r->p[r->off + 1] << 8)
        | ((uint32_t)r->p[r->off + 2] << 16) | ((uint32_t)r->p[r->off + 3] << 24);
    r->off += 4;
    return 0;
}

/* Copy n bytes out. */
static inline int
rd_bytes(struct rd *r, void *dst, size_t n)
{
    if (n > rd_left(r))
        return ERR_SHORT;
    memcpy(dst, r->p + r->off, n);
    r->off += n;
    return 0;
}

/* Point at the next n bytes without copying. */
static inline int
rd_take(struct rd *r, const uint8_t **p, size_t n)
{
    if (n > rd_left(r))
        return ERR_SHORT;
    *p = r->p + r->off;
    r->off += n;
    return 0;
}

/* Everything left. */
static inline void
rd_rest(struct rd *r, const uint8_t **p, size_t *n)
{
    *p = r->p + r->off;
    *n = rd_left(r);
    r->off = r->len;
}

static inline int
rd_is_sp(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Skip spaces and tabs. */
static inline void
rd_spaces(struct rd *r)
{
    while (r->off < r->len && rd_is_sp(r->p[r->off]))
        r->off++;
}

/* A run of non-space bytes (may be empty). */
static inline void
rd_token(struct rd *r, const uint8_t **p, size_t *n)
{
    size_t s = r->off;
    while (r->off < r->len && !rd_is_sp(r->p[r->off]))
        r->off++;
    *p = r->p + s;
    *n = r->off - s;
}

/* A sub-reader over the next n bytes; the parent skips them. */
static inline int
rd_sub(struct rd *r, struct rd *sub, size_t n)
{
    if (n > rd_left(r))
        return ERR_SHORT;
    rd_init(sub, r->p + r->off, n);
    r->off += n;
    return 0;
}

#endif
