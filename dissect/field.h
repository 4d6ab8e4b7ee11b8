/* field.h - field registry: name, type, getter from a record. Used by the
 * display filter, the JSON printer and --list-fields. */
#ifndef MS_FIELD_H
#define MS_FIELD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "record.h"

enum fld_type {
    FT_PROTO,   /* protocol name as a bare field: present or not */
    FT_BOOL,    /* u is 0 or 1 */
    FT_UINT,    /* u */
    FT_STR,     /* s, n: raw bytes, not escaped, not terminated */
    FT_ADDR,    /* addr: family 4 or 6 */
    FT_TIME,    /* t: absolute or relative time */
};

struct fld_val {
    uint8_t type;
    uint64_t u;
    const uint8_t *s;
    size_t n;
    struct {
        uint8_t family;
        uint8_t a[16];
    } addr;
    struct ms_time t;  /* relative times are non-negative offsets */
};

/* Most values a getter returns (a 200-line LIST reply has 200 lines;
 * the filter looks at the first FLD_MAXV). */
#define FLD_MAXV 64

/* Field flags */
#define FLD_JSON   1    /* appears in the JSON "fields" map */
/* The getter answers only for a record with typed keystrokes (typed.n),
 * or only for a TLS record (REC_TLS) or one carried by decrypted TLS
 * (REC_F_DECRYPTED): the JSON printer skips asking any other record;
 * tests/unit/test_protocols.c checks every answer against it. */
#define FLD_IF_TYPED 2
#define FLD_IF_TLS   4

struct fld_def {
    const char *name;
    uint8_t type;
    uint8_t flags;
    const char *desc;
    /* Fill up to max values; return how many (0: field absent). */
    int (*get)(const struct rec *r, struct fld_val *v, int max);
    /* Record kinds (bit 1 << REC_x) the getter can answer for; 0: any.
     * Lets the JSON printer skip asking; tests/unit/test_protocols.c checks
     * every answer against it. */
    uint8_t kinds;
    /* Set by the registry: the protocol id whose table row gave the
     * field, 0 for fields every record may have. */
    uint8_t proto;
};

/* Getters' helpers: put one value (or one per line of s, skipping skip
 * bytes of each) into v[0..max); return how many. */
static inline int
v_uint(struct fld_val *v, int max, uint64_t u)
{
    if (max < 1)
        return 0;
    v->type = FT_UINT;
    v->u = u;
    return 1;
}

static inline int
v_bool(struct fld_val *v, int max, int b)
{
    if (max < 1)
        return 0;
    v->type = FT_BOOL;
    v->u = b != 0;
    return 1;
}

static inline int
v_str(struct fld_val *v, int max, const uint8_t *p, size_t n)
{
    if (max < 1)
        return 0;
    v->type = FT_STR;
    v->s = p;
    v->n = n;
    return 1;
}

static inline int
v_rs(struct fld_val *v, int max, const struct rec_str *s)
{
    return v_str(v, max, s->p ? s->p : (const uint8_t *)"", s->n);
}

static inline int
v_cstr(struct fld_val *v, int max, const char *s)
{
    return v_str(v, max, (const uint8_t *)s, strlen(s));
}

static inline int
v_addr(struct fld_val *v, int max, const struct rec_ep *e)
{
    if (max < 1)
        return 0;
    v->type = FT_ADDR;
    v->addr.family = e->family;
    memcpy(v->addr.a, e->addr, 16);
    return 1;
}

/* One value per line of s, skipping skip bytes at the start of each. */
static inline int
v_lines(struct fld_val *v, int max, const struct rec_str *s, size_t skip)
{
    const uint8_t *p = s->p, *end = s->p + s->n, *nl;
    int k = 0;

    if (!s->n)
        return 0;
    while (p <= end && k < max) {
        size_t n;
        nl = memchr(p, '\n', (size_t)(end - p));
        n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n >= skip)
            k += v_str(v + k, max - k, p + skip, n - skip);
        else
            k += v_str(v + k, max - k, p + n, 0);
        if (!nl)
            break;
        p = nl + 1;
    }
    return k;
}

const struct fld_def *fld_find(const char *name, size_t n);
const struct fld_def *fld_table(size_t *count);
const char *fld_type_name(int t);

#endif
