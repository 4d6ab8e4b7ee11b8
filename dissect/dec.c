/* dec.c - the identity decoder (dec.h): every byte through unchanged. */
#include <string.h>

#include "dec.h"

/* ---- identity ---- */

static void *
id_open(struct flow *f)
{
    static char st;

    (void)f;
    return &st;
}

static void
id_data(void *st, struct flow *f, int dir, const uint8_t *p, size_t n,
        uint64_t pkt, const struct ms_time *ts, uint64_t flags,
        const struct tcp_out *out)
{
    (void)st;
    (void)f;
    out->data(out->ctx, dir, p, n, pkt, ts, flags);
}

static void
id_gap(void *st, struct flow *f, int dir, const struct tcp_gap *g,
       const struct tcp_out *out)
{
    (void)st;
    (void)f;
    out->gap(out->ctx, dir, g);
}

static void
id_close(void *st, struct flow *f, const struct tcp_out *out)
{
    (void)st;
    (void)f;
    (void)out;
}

const struct dec_ops dec_identity = { "identity", id_open, id_data, id_gap, NULL, id_close };
