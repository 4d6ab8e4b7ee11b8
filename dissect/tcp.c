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
    uint32_t len;           /* bytes in data[], or of the lost hole */
    uint32_t wire;          /* bytes on the wire (> len: tail cut) */
    uint32_t ack;           /* the segment's ACK, if has_ack */
    uint8_t has_ack;
    uint8_t lost;           /* a hole called lost: no data */
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
    mem_free(MEM_STREAM, h, sizeof *h + (h->lost ? 0 : h->len));
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
    if (n > k)      /* wrapped: the rest at the ring's start */
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

/* The end of what dir has in order: next, and held bytes contiguous
 * with it (delivered or not). */
static uint32_t
avail_end(const struct tcp_dir *d)
{
    const struct tcp_held *h;
    uint32_t end = d->next;

    for (h = d->held; h && seqdiff(h->seq, end) <= 0; h = h->next)
        if (seqdiff(h->seq + h->len, end) > 0)
            end = h->seq + h->len;
    return end;
}

/* Does ack cover bytes of d that we do not have (not even held)? The
 * FIN takes one sequence number: acknowledging it is not a hole. */
static int
behind(const struct tcp_dir *d, uint32_t ack)
{
    if (!d->have)
        return 0;
    if (d->fin && ack == d->fin_seq + 1)
        ack = d->fin_seq;
    return seqdiff(ack, avail_end(d)) > 0;
}

static void
cut_gap(struct tcp_dir *d, int dir, uint32_t seq, uint32_t len, uint32_t wire,
        uint64_t pkt, const struct ms_time *ts, const struct tcp_out *o)
{
    struct tcp_gap g;

    /* A snaplen-cut segment leaves a hole where its tail was. */
    if (wire <= len || seqdiff(seq + wire, d->next) <= 0)
        return;
    g.len = (uint64_t)seqdiff(seq + wire, d->next);
    g.pkt = pkt;
    g.ts = *ts;
    g.cut = 1;
    o->gap(o->ctx, dir, &g);
    d->next = seq + wire;
    d->hist_n = 0;
}

/* Deliver one held entry (its head is at or below next). */
static void
release(struct tcp_dir *d, int dir, struct tcp_held *h, const struct tcp_out *o)
{
    struct tcp_gap g;

    d->held = h->next;
    d->nheld--;
    if (h->lost) {
        if (seqdiff(h->seq + h->len, d->next) > 0) {
            g.len = (uint64_t)seqdiff(h->seq + h->len, d->next);
            g.pkt = h->pkt;
            g.ts = h->ts;
            g.cut = 0;
            o->gap(o->ctx, dir, &g);
            d->next = h->seq + h->len;
            d->hist_n = 0;  /* the ring no longer ends at next */
        }
    } else {
        d->held_bytes -= h->len;
        deliver(d, dir, h->seq, h->data, h->len, h->pkt, &h->ts, h->flags, o);
        cut_gap(d, dir, h->seq, h->len, h->wire, h->pkt, &h->ts, o);
    }
    held_free(h);
}

/* Call the hole at the end of what dir has lost: the bytes up to the
 * next held segment, or up to what the peer acknowledged. It is shown
 * where the segment after it is (capture order). */
static int
lose_hole(struct tcp_dir *d, uint32_t ack, uint64_t pkt, const struct ms_time *ts)
{
    /* shown where the first ACK past it was, if that is known */
    if (d->past_pkt && d->past_pkt < pkt) {
        pkt = d->past_pkt;
        ts = &d->past_ts;
    }
    struct tcp_held **pp, *h;
    uint32_t start = avail_end(d), end;

    for (pp = &d->held; *pp && seqdiff((*pp)->seq, start) <= 0; pp = &(*pp)->next)
        ;
    end = *pp ? (*pp)->seq : ack;
    if (d->fin && end == d->fin_seq + 1)
        end = d->fin_seq;
    /* Nothing held after it: the peer's ACK says how much was lost,
     * believed up to what a window of segments could hold (a forged ACK
     * must not make us skip what is still to come). */
    if (!*pp && seqdiff(end, start) > (int64_t)LIM_OOO_BYTES)
        return 0;
    if (seqdiff(end, start) <= 0 || !(h = mem_alloc(MEM_STREAM, sizeof *h)))
        return 0;
    memset(h, 0, sizeof *h);
    h->seq = start;
    h->len = (uint32_t)seqdiff(end, start);
    h->lost = 1;
    h->pkt = *pp && (*pp)->pkt < pkt ? (*pp)->pkt : pkt;
    h->ts = *pp && (*pp)->pkt < pkt ? (*pp)->ts : *ts;
    h->next = *pp;
    *pp = h;
    d->nheld++;
    return 1;
}

/* Compare the overlap of a new segment with held ones; first copy wins,
 * so only the flag changes. */
static uint64_t
conflicts(const struct tcp_held *h, uint32_t seq, const uint8_t *p, size_t n)
{
    uint64_t fl = 0;

    for (; h; h = h->next) {
        int64_t a = seqdiff(h->seq, seq), b = a + h->len;
        int64_t lo = a > 0 ? a : 0, hi = b < (int64_t)n ? b : (int64_t)n;
        if (h->lost)
            continue;
        if (lo < hi && memcmp(p + lo, h->data + (lo - a), (size_t)(hi - lo)))
            fl |= anom_hit(ANOM_OVERLAP_CONFLICT);
    }
    return fl;
}

/* A hole lost with no room to note it: reported at once. */
static void
skip_to(struct tcp_dir *d, int dir, uint32_t seq, uint64_t pkt,
        const struct ms_time *ts, const struct tcp_out *o)
{
    struct tcp_gap g;

    if (seqdiff(seq, d->next) <= 0)
        return;
    g.len = (uint64_t)seqdiff(seq, d->next);
    g.pkt = pkt;
    g.ts = *ts;
    g.cut = 0;
    o->gap(o->ctx, dir, &g);
    d->next = seq;
    d->hist_n = 0;
}

/* Deliver what can be, both directions, in capture order: a head that is
 * in order and does not wait for bytes of the other direction; of two,
 * the one captured first. force (flow end, limits): nothing more will
 * come, so take the heads strictly in capture order, calling lost each
 * hole that stands in the way. */
static void
drain(struct tcp_dir d[2], int force, const struct tcp_out *o)
{
    const struct tcp_held *h;
    int x, best, first;

    for (;;) {
        best = -1;
        first = -1;
        for (x = 0; x < 2; x++) {
            if (!(h = d[x].held))
                continue;
            /* of two captured together, a lost hole goes first: what
             * came after it waited for it */
            if (first < 0 || h->pkt < d[first].held->pkt
                || (h->pkt == d[first].held->pkt && h->lost))
                first = x;
            if (seqdiff(h->seq, d[x].next) > 0
                || (h->has_ack && behind(&d[!x], h->ack)))
                continue;
            if (best < 0 || h->pkt < d[best].held->pkt
                || (h->pkt == d[best].held->pkt && h->lost))
                best = x;
        }
        if (force && first >= 0 && first != best) {
            /* the earliest is held up: by its own hole, or by one of the
             * other direction's */
            h = d[first].held;
            if (seqdiff(h->seq, d[first].next) > 0) {
                if (!lose_hole(&d[first], h->seq, h->pkt, &h->ts))
                    skip_to(&d[first], first, h->seq, h->pkt, &h->ts, o);
            } else if (!lose_hole(&d[!first], h->ack, h->pkt, &h->ts)) {
                release(&d[first], first, d[first].held, o);
            }
            continue;
        }
        if (best < 0)
            return;
        release(&d[best], best, d[best].held, o);
    }
}

/* Hold a segment: out of order, or waiting. Returns 0, or -1 when the
 * limits refuse (the caller gives up waiting). */
static int
hold(struct tcp_dir *d, uint32_t seq, const uint8_t *p, size_t n, size_t wire,
     int has_ack, uint32_t ack, uint64_t pkt, const struct ms_time *ts,
     uint64_t flags)
{
    struct tcp_held **pp, *h = NULL;

    flags |= conflicts(d->held, seq, p, n);
    for (pp = &d->held; *pp && seqdiff((*pp)->seq, seq) <= 0; pp = &(*pp)->next) {
        /* Same start and not longer: a retransmission of a held segment. */
        if ((*pp)->seq == seq && (*pp)->len >= n) {
            anom_hit(ANOM_RETRANSMISSION);
            return 0;
        }
    }
    if (d->nheld < LIM_OOO_SEGS && d->held_bytes + n <= LIM_OOO_BYTES)
        h = mem_alloc(MEM_STREAM, sizeof *h + n);
    if (!h) {
        anom_hit(ANOM_LIMIT);
        return -1;
    }
    if (seqdiff(seq, d->next) > 0)
        flags |= anom_hit(ANOM_OUT_OF_ORDER);
    h->seq = seq;
    h->len = (uint32_t)n;
    h->wire = (uint32_t)(wire > UINT32_MAX ? UINT32_MAX : wire);
    h->has_ack = (uint8_t)has_ack;
    h->ack = ack;
    h->lost = 0;
    h->pkt = pkt;
    h->ts = *ts;
    h->flags = flags;
    memcpy(h->data, p, n);
    h->next = *pp;
    *pp = h;
    d->nheld++;
    d->held_bytes += (uint32_t)n;
    return 0;
}

/* Out of room: nothing waits any more; what is held goes out in capture
 * order, and dir's bytes up to seq are lost. */
static void
give_up(struct tcp_dir d[2], int dir, uint32_t seq, uint64_t pkt,
        const struct ms_time *ts, const struct tcp_out *o)
{
    drain(d, 1, o);
    skip_to(&d[dir], dir, seq, pkt, ts, o);
}

/* ACKs past a hole before we call it lost. One would do on the wire,
 * but captures reorder packets (a rewritten sample moves a prompt three
 * packets late): wait for a few. Waiting costs only latency: what
 * answers the missing bytes waits with them, so records keep their
 * order either way. */
#define TCP_ACKS_PAST_HOLE 8

/* The peer acknowledged up to ack: bytes of d below it that we do not
 * have were sent; after a few such ACKs they were not captured. */
static void
acked(struct tcp_dir *d, uint32_t ack, uint64_t pkt, const struct ms_time *ts)
{
    if (!behind(d, ack)) {
        d->acked_past = 0;
        d->past_pkt = 0;
        return;
    }
    if (!d->acked_past++) {
        d->past_pkt = pkt;
        d->past_ts = *ts;
    }
    if (d->acked_past >= TCP_ACKS_PAST_HOLE) {
        lose_hole(d, ack, pkt, ts);
        d->acked_past = 0;
        d->past_pkt = 0;
    }
}

void
tcp_input(struct tcp_dir d[2], int dir, const struct tcp_seg *s,
          uint64_t pkt, const struct ms_time *ts, uint64_t pflags,
          const struct tcp_out *o)
{
    struct tcp_dir *a = &d[dir];
    uint32_t seq = s->seq;
    int has_ack = (s->flags & TCP_ACK) != 0;

    if (has_ack)
        acked(&d[!dir], s->ack, pkt, ts);
    if (s->flags & TCP_SYN) {
        if (!a->have || a->delivered == 0) {
            a->next = seq + 1;
            a->have = 1;
        }
        seq++;
    }
    if (s->flags & TCP_FIN) {
        a->fin = 1;
        a->fin_seq = seq + (uint32_t)s->wirelen;
    }
    if (s->len) {
        if (!a->have) {
            a->next = seq;
            a->have = 1;
        }
        if (s->len < s->wirelen)
            pflags |= anom_hit(ANOM_TRUNCATED);
        if (seqdiff(seq + (uint32_t)s->len, a->next) <= 0) {
            anom_hit(ANOM_RETRANSMISSION);  /* nothing new */
            deliver(a, dir, seq, s->data, s->len, pkt, ts, pflags, o);
        } else if (!a->held && seqdiff(seq, a->next) <= 0
                   && !(has_ack && behind(&d[!dir], s->ack))) {
            /* in order, nothing held, answers nothing unseen: the common
             * case, straight through */
            deliver(a, dir, seq, s->data, s->len, pkt, ts, pflags, o);
            cut_gap(a, dir, seq, (uint32_t)s->len, (uint32_t)s->wirelen, pkt, ts, o);
        } else {
            const uint8_t *p = s->data;
            size_t n = s->len, w = s->wirelen;
            int64_t before;
            /* A segment that overlaps a held one: the held bytes were
             * seen first and win. Hold what comes before them; the rest
             * compares against them in hold(). */
            if (a->held && (before = seqdiff(a->held->seq, seq)) > 0
                && before < (int64_t)n && !a->held->lost) {
                if (hold(a, seq, p, (size_t)before, (size_t)before, has_ack,
                         s->ack, pkt, ts, pflags) < 0) {
                    give_up(d, dir, seq, pkt, ts, o);
                    deliver(a, dir, seq, p, n, pkt, ts, pflags, o);
                    drain(d, 0, o);
                    return;
                }
                seq += (uint32_t)before;
                p += before;
                n -= (size_t)before;
                w -= (size_t)before;
            }
            if (hold(a, seq, p, n, w, has_ack, s->ack, pkt, ts, pflags) < 0) {
                give_up(d, dir, seq, pkt, ts, o);
                deliver(a, dir, seq, p, n, pkt, ts, pflags, o);
                cut_gap(a, dir, seq, (uint32_t)n, (uint32_t)w, pkt, ts, o);
            }
        }
    }
    if (d[0].held || d[1].held)
        drain(d, 0, o);
}

void
tcp_flush(struct tcp_dir d[2], const struct tcp_out *o)
{
    drain(d, 1, o);
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
