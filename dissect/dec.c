/* dec.c - the simple byte decoders (dec.h): identity, and opaque TLS
 * (encrypted bytes counted into one record per run of a direction). */
#include <string.h>

#include "anom.h"
#include "dec.h"
#include "mem.h"
#include "sess.h"

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

/* ---- opaque: encrypted bytes without a key ---- */

struct burst {
    uint64_t bytes, pkt_first, pkt_last;
    struct ms_time ts_first, ts_last;
    uint32_t nseg;
};

static struct mem_pool burst_pool = MEM_POOL(MEM_STREAM, 2 * sizeof(struct burst), 256);

static void *
op_open(struct flow *f)
{
    struct burst *b = mem_take(&burst_pool);

    (void)f;
    if (b)
        memset(b, 0, 2 * sizeof *b);
    return b;
}

static void
burst_emit(struct flow *f, struct burst *bb, int dir)
{
    struct burst *b = &bb[dir];
    struct rec r;

    if (!b->bytes)
        return;
    sess_rec_line(f, dir, NULL, &r, REC_TLS);
    r.pkt = b->pkt_last;
    r.pkt_first = b->pkt_first;
    r.ts = b->ts_last;
    r.ts_first = b->ts_first;
    r.nseg = b->nseg;
    r.size = b->bytes;
    r.len = (uint32_t)(b->bytes > UINT32_MAX ? UINT32_MAX : b->bytes);
    r.flags = ANOM_F(ANOM_TLS);
    memcpy(r.verb, "TLS", 4);
    anom_hit(ANOM_TLS);
    sess_emit(f, dir, &r);
    memset(b, 0, sizeof *b);
}

static void
op_data(void *st, struct flow *f, int dir, const uint8_t *p, size_t n,
        uint64_t pkt, const struct ms_time *ts, uint64_t flags,
        const struct tcp_out *out)
{
    struct burst *bb = st, *b = &bb[dir];

    (void)p;
    (void)flags;
    (void)out;
    /* One record per run: the other direction's run ends here. */
    if (bb[!dir].bytes)
        burst_emit(f, bb, !dir);
    if (!b->bytes) {
        b->pkt_first = pkt;
        b->ts_first = *ts;
    }
    if (b->pkt_last != pkt || !b->nseg)
        b->nseg++;
    b->bytes += n;
    b->pkt_last = pkt;
    b->ts_last = *ts;
}

static void
op_gap(void *st, struct flow *f, int dir, const struct tcp_gap *g,
       const struct tcp_out *out)
{
    (void)st;
    (void)f;
    (void)dir;
    (void)g;
    (void)out;
}

static void
op_peer(void *st, struct flow *f, int dir)
{
    struct burst *bb = st;

    if (bb[!dir].bytes)
        burst_emit(f, bb, !dir);
}

static void
op_close(void *st, struct flow *f, const struct tcp_out *out)
{
    struct burst *bb = st;

    (void)out;
    /* Both runs open: the one that began first goes first. */
    if (bb[0].bytes && bb[1].bytes && bb[1].pkt_first < bb[0].pkt_first)
        burst_emit(f, bb, 1);
    burst_emit(f, bb, 0);
    burst_emit(f, bb, 1);
    mem_give(&burst_pool, bb);
}

const struct dec_ops dec_opaque = { "opaque", op_open, op_data, op_gap, op_peer, op_close };
