/* field.h - field registry: name, type, getter from a record. Used by the
 * display filter, the JSON printer and --list-fields. */
#ifndef MS_FIELD_H
#define MS_FIELD_H

#include <stddef.h>
#include <stdint.h>

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

struct fld_def {
    const char *name;
    uint8_t type;
    uint8_t flags;
    const char *desc;
    /* Fill up to max values; return how many (0: field absent). */
    int (*get)(const struct rec *r, struct fld_val *v, int max);
    /* Record kinds (bit 1 << REC_x) the getter can answer for; 0: any.
     * Lets the JSON printer skip asking; tests/unit/test_proto.c checks
     * every answer against it. */
    uint8_t kinds;
};

const struct fld_def *fld_find(const char *name, size_t n);
const struct fld_def *fld_table(size_t *count);
const char *fld_type_name(int t);

#endif
