/* tcp.c - TCP (RFC 9293) segment parse and per-direction reassembly:
 * bytes delivered strictly in order, first copy wins, holes become gaps. */
#include <string.h>

#include "anom.h"
#include "err.h"
#include "limits.h"
#include "mem.h"
#include "rd.h"
#include "tcp.h"

struct tcp_held {
    struct tcp_held *next;
    uint32_t seq;
    uint32_t len;
    uint64_t pkt;
    struct ms_time ts;
    uint64_t flags;
    uint8_t data[];
};

int
tcp_parse(const uint8_t *p, size_t n, size_t wire, struct tcp_seg *s)
{
    struct rd r;
    uint8_t off, fl;
    size_t hl;

    rd_init(&r, p, n);
    if (rd_be16(&r, &s->sport) || rd_be16(&r, &s->dport)
        || rd_be32(&r, &s->seq) || rd_be32(&r, &s->ack)
        || rd_u8(&r, &off) || rd_u8(&r, &fl) || rd_skip(&r, 6))
        return ERR_SHORT;
    hl = (size_t)(off >> 4) * 4;
    if (hl < 20 || hl > wire)
        return ERR_BAD;
    if (rd_skip(&r, hl - 20))
        return ERR_SHORT;
    s->flags = fl;
    rd_rest(&r, &s->data, &s->len);
    s->wirelen = wire - hl;
    return 0;
}

/* Signed distance a - b in sequence space (RFC 1982 style). */
static int64_t
seqdiff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static void
held_free(struct tcp_held *h)
{
    mem_free(MEM_STREAM, h, sizeof *h + h->len);
}

static struct mem_pool hist_pool = MEM_POOL(MEM_STREAM, TCP_HIST, 512);

/* Remember delivered bytes in the ring (seq % TCP_HIST). */
static void
hist_add(struct tcp_dir *d, uint32_t seq, const uint8_t *p, size_t n)
{
    size_t pos, k;

    if (!d->hist && !(d->hist = mem_take(&hist_pool)))
        return;
    if (n > TCP_HIST) {
        p += n - TCP_HIST;
        seq += (uint32_t)(n - TCP_HIST);
        n = TCP_HIST;
    }
    pos = seq % TCP_HIST;
    k = n < TCP_HIST - pos ? n : TCP_HIST - pos;
    memcpy(d->hist + pos, p, k);
    memcpy(d->hist, p + k, n - k);
    d->hist_n = d->hist_n + n > TCP_HIST ? TCP_HIST : d->hist_n + (uint32_t)n;
}

/* A retransmission of [seq, seq+n): does it differ from what was
 * delivered? Only the part still in the ring can be compared. */
static int
hist_differs(const struct tcp_dir *d, uint32_t seq, const uint8_t *p, size_t n)
{
    uint32_t lo = d->next - d->hist_n, s = seq;
    size_t i;

    if (!d->hist)
        return 0;
    for (i = 0; i < n; i++, s++) {
        if (seqdiff(s, lo) < 0)
            continue;
        if (seqdiff(s, d->next) >= 0)
            break;
        if (d->hist[s % TCP_HIST] != p[i])
            return 1;
    }
    return 0;
}

/* Deliver the part of [seq, seq+n) at or after next; 0 if all old. */
static int
deliver(struct tcp_dir *d, int dir, uint32_t seq, const uint8_t *p, size_t n,
        uint64_t pkt, const struct ms_time *ts, uint64_t flags,
        const struct tcp_out *o)
{
    int64_t off = seqdiff(d->next, seq);

    if (off > 0 && hist_differs(d, seq, p, off < (int64_t)n ? (size_t)off : n)) {
        /* First copy wins; tell the next record the copies disagreed. */
        o->data(o->ctx, dir, NULL, 0, pkt, ts, anom_hit(ANOM_OVERLAP_CONFLICT));
    }
    if (off >= (int64_t)n)
        return 0;
    if (off > 0) {
        anom_hit(ANOM_RETRANSMISSION);
        p += off;
        n -= (size_t)off;
    }
    hist_add(d, d->next, p, n);
    o->data(o->ctx, dir, p, n, pkt, ts, flags);
    d->next += (uint32_t)n;
    d->delivered += n;
    return 1;
}

/* Deliver held segments that are now at or below next. */
static void
drain(struct tcp_dir *d, int dir, const struct tcp_out *o)
{
    struct tcp_held *h;

    while ((h = d->held) && seqdiff(h->seq, d->next) <= 0) {
        d->held = h->next;
        d->nheld--;
        d->held_bytes -= h->len;
        deliver(d, dir, h->seq, h->data, h->len, h->pkt, &h->ts, h->flags, o);
        held_free(h);
    }
}

/* Skip the hole before the first held segment. */
static void
skip_hole(struct tcp_dir *d, int dir, const struct tcp_out *o)
{
    int64_t hole;

    if (!d->held)
        return;
    hole = seqdiff(d->held->seq, d->next);
    if (hole > 0) {
        o->gap(o->ctx, dir, (uint64_t)hole);
        d->next = d->held->seq;
        d->hist_n = 0;      /* the ring no longer ends at next */
    }
    drain(d, dir, o);
}

/* Compare the overlap of a new segment with held ones; first copy wins,
 * so only the flag changes. */
static uint32_t
conflicts(const struct tcp_held *h, uint32_t seq, const uint8_t *p, size_t n)
{
    uint64_t fl = 0;

    for (; h; h = h->next) {
        int64_t a = seqdiff(h->seq, seq), b = a + h->len;
        int64_t lo = a > 0 ? a : 0, hi = b < (int64_t)n ? b : (int64_t)n;
        if (lo < hi && memcmp(p + lo, h->data + (lo - a), (size_t)(hi - lo)))
            fl |= anom_hit(ANOM_OVERLAP_CONFLICT);
    }
    return fl;
}

static void
hold(struct tcp_dir *d, int dir, uint32_t seq, const uint8_t *p, size_t n,
     uint64_t pkt, const struct ms_time *ts, uint64_t flags,
     const struct tcp_out *o)
{
    struct tcp_held **pp, *h = NULL;
    int64_t hole;

    flags |= conflicts(d->held, seq, p, n);
    for (pp = &d->held; *pp && seqdiff((*pp)->seq, seq) <= 0; pp = &(*pp)->next) {
        /* Same start and not longer: a retransmission of a held segment. */
        if ((*pp)->seq == seq && (*pp)->len >= n) {
            anom_hit(ANOM_RETRANSMISSION);
            return;
        }
    }
    if (d->nheld < LIM_OOO_SEGS && d->held_bytes + n <= LIM_OOO_BYTES)
        h = mem_alloc(MEM_STREAM, sizeof *h + n);
    if (!h) {
        /* Out of room: give up on every hole up to this segment. */
        anom_hit(ANOM_LIMIT);
        while (d->held)
            skip_hole(d, dir, o);
        hole = seqdiff(seq, d->next);
        if (hole > 0) {
            o->gap(o->ctx, dir, (uint64_t)hole);
            d->next = seq;
            d->hist_n = 0;
        }
        deliver(d, dir, seq, p, n, pkt, ts, flags, o);
        return;
    }
    anom_hit(ANOM_OUT_OF_ORDER);
    h->seq = seq;
    h->len = (uint32_t)n;
    h->pkt = pkt;
    h->ts = *ts;
    h->flags = flags | (ANOM_F(ANOM_OUT_OF_ORDER));
    memcpy(h->data, p, n);
    h->next = *pp;
    *pp = h;
    d->nheld++;
    d->held_bytes += (uint32_t)n;
}

void
tcp_segment(struct tcp_dir *d, int dir, const struct tcp_seg *s,
            uint64_t pkt, const struct ms_time *ts, uint64_t pflags,
            const struct tcp_out *o)
{
    uint32_t seq = s->seq;

    if (s->flags & TCP_SYN) {
        if (!d->have || d->delivered == 0) {
            d->next = seq + 1;
            d->have = 1;
        }
        seq++;
    }
    if (!s->len)
        return;
    if (!d->have) {
        d->next = seq;
        d->have = 1;
    }
    if (s->len < s->wirelen)
        pflags |= anom_hit(ANOM_TRUNCATED);
    if (seqdiff(seq, d->next) > 0) {
        hold(d, dir, seq, s->data, s->len, pkt, ts, pflags, o);
        return;
    }
    if (d->held) {
        /* The segment that fills a hole overlaps a held one: the held
         * bytes were seen first and win. Deliver up to them, queue the
         * rest behind them (hold() compares the overlap), drain. */
        int64_t before = seqdiff(d->held->seq, seq);
        if (before >= 0 && before < (int64_t)s->len) {
            if (before > 0)
                deliver(d, dir, seq, s->data, (size_t)before, pkt, ts, pflags, o);
            hold(d, dir, seq + (uint32_t)before, s->data + before,
                 s->len - (size_t)before, pkt, ts, pflags, o);
            drain(d, dir, o);
            return;
        }
    }
    if (!deliver(d, dir, seq, s->data, s->len, pkt, ts, pflags, o)) {
        anom_hit(ANOM_RETRANSMISSION);
        return;
    }
    /* A snaplen-cut segment leaves a hole where its tail was. */
    if (s->len < s->wirelen) {
        o->gap(o->ctx, dir, s->wirelen - s->len);
        d->next = seq + (uint32_t)s->wirelen;
        d->hist_n = 0;
    }
    if (d->held)
        drain(d, dir, o);
}

/* ACKs past a hole before we call it lost. One would do on the wire,
 * but captures reorder packets a little (and so do the tests'
 * reordered samples): wait for a few bare ACKs. A segment that carries
 * data and acknowledges past the hole is the peer answering what the
 * hole held: it is lost now, so that what the peer says comes after it
 * (records stay in frame order). */
#define TCP_ACKS_PAST_HOLE 4

void
tcp_acked(struct tcp_dir *d, int dir, uint32_t ack, int with_data,
          const struct tcp_out *o)
{
    if (!d->held || !d->have || seqdiff(ack, d->next) <= 0) {
        d->acked_past = 0;
        return;
    }
    if (++d->acked_past >= TCP_ACKS_PAST_HOLE || with_data) {
        d->acked_past = 0;
        skip_hole(d, dir, o);
    }
}

void
tcp_flush(struct tcp_dir *d, int dir, const struct tcp_out *o)
{
    while (d->held)
        skip_hole(d, dir, o);
}

void
tcp_free(struct tcp_dir *d)
{
    struct tcp_held *h;

    while ((h = d->held)) {
        d->held = h->next;
        held_free(h);
    }
    if (d->hist) {
        mem_give(&hist_pool, d->hist);
        d->hist = NULL;
    }
    d->hist_n = 0;
    d->nheld = 0;
    d->held_bytes = 0;
}
