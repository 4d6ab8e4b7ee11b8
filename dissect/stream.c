/* stream.c - the stream stage (stream.h). For each direction of a
 * connection: TCP's in-order bytes, then the byte decoder if one covers
 * the direction, then the plain side: mid-stream resynchronisation, raw
 * runs the protocol asked for, whole body lines counted in bulk, and
 * lines. The protocol is reached only through its row in the table. */
#include <string.h>

#include "acc.h"
#include "anom.h"
#include "auth.h"
#include "ctx.h"
#include "dec.h"
#include "mem.h"
#include "proto.h"
#include "sess.h"
#include "stream.h"

/* Enough for the connections that are open at once in a busy capture. */
static struct mem_pool sess_pool = MEM_POOL(MEM_FLOW, sizeof(struct sess), 1024);

static void plain_data(void *ctx, int dir, const uint8_t *p, size_t n,
                       uint64_t pkt, const struct ms_time *ts, uint64_t flags);
static void plain_gap(void *ctx, int dir, uint64_t len);

/* Install a decoder for the directions in dirs, replacing any other. */
static void
dec_install(struct stream_io *io, const struct dec_ops *ops, uint8_t dirs)
{
    struct sess *s = io->f->sess;
    struct tcp_out po = { plain_data, plain_gap, io };

    if (s->dec && s->dec_st)
        s->dec->close(s->dec_st, io->f, &po);
    s->dec = ops;
    s->dec_st = ops->open(io->f);
    s->dec_dirs = dirs;
}

static struct sess *
sess_get(struct stream_io *io)
{
    struct flow *f = io->f;

    if (f->sess)
        return f->sess;
    f->sess = mem_take(&sess_pool);
    if (!f->sess)
        return NULL;
    memset(f->sess, 0, sizeof *f->sess);
    f->sess->d = io->d;
    /* Telnet sends CR NUL for a bare Enter (RFC 854). */
    f->la[DIR_C2S].crnul = 1;
    if (f->tls)
        dec_install(io, &dec_opaque, 3);
    else if (io->d->cfg.decoder)
        dec_install(io, io->d->cfg.decoder, 3);
    return f->sess;
}

static int
decoded(const struct sess *s, int dir)
{
    return s->dec && (s->dec_dirs >> dir & 1);
}

void
stream_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
            const struct ms_time *ts, uint64_t flags)
{
    struct stream_io *io = ctx;
    struct flow *f = io->f;
    struct sess *s = sess_get(io);
    struct tcp_out po = { plain_data, plain_gap, io };

    if (!s) {
        f->pend[dir] |= ANOM_F(ANOM_MEMCAP);
        return;
    }
    if (!n) {
        /* A note from TCP about the bytes, e.g. a conflicting resend. */
        f->pend[dir] |= flags;
        return;
    }
    if (!decoded(s, dir)) {
        plain_data(io, dir, p, n, pkt, ts, flags);
    } else if (s->dec_st) {
        s->dec->data(s->dec_st, f, dir, p, n, pkt, ts, flags, &po);
    } else {
        f->pend[dir] |= ANOM_F(ANOM_MEMCAP);  /* the decoder got no memory */
    }
}

/* The protocol saw TLS agreed: what follows in both directions is TLS. */
static void
start_tls(struct stream_io *io)
{
    io->f->sess->want_tls = 0;
    dec_install(io, &dec_opaque, 3);
}

static void
plain_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
           const struct ms_time *ts, uint64_t flags)
{
    struct stream_io *io = ctx;
    struct flow *f = io->f;
    struct sess *s = f->sess;
    const struct proto_ops *P = proto_get(f->proto);
    struct line_src src = { pkt, *ts, flags, NULL, NULL };
    struct line ln;
    size_t k;
    int got;

    if (!P)
        return;
    if (f->resync & (1u << dir)) {
        /* Picked up mid-stream: the first bytes start a line only if the
         * protocol says they may; otherwise skip past the first LF. */
        const uint8_t *lf;
        f->resync &= (uint8_t)~(1u << dir);
        if (!P->line_start(dir, p, n)) {
            lf = memchr(p, '\n', n);
            if (!lf) {
                f->resync |= (uint8_t)(1u << dir);
                return;
            }
            n -= (size_t)(lf + 1 - p);
            p = lf + 1;
        }
    }
    while (n) {
        if (s->want_tls) {
            start_tls(io);
            stream_data(io, dir, p, n, pkt, ts, src.flags);
            return;
        }
        if (s->raw_left[dir] && P->on_raw) {
            k = P->on_raw(f, dir, p, n, pkt, ts);
        } else if (!f->la[dir].held && s->acc[dir]
                   && (k = acc_body_bulk(s->acc[dir], p, n, pkt, ts, src.flags))) {
            src.flags = 0;
        } else {
            struct acc *a = s->acc[dir];
            /* a body counts (and exports) its long lines whole, the
             * same with or without export */
            src.spill = a && a->active && a->body ? acc_spill : NULL;
            src.ctx = a;
            k = line_next(&f->la[dir], p, n, &src, &ln, &got);
            src.flags = 0;
            if (got)
                P->on_line(f, dir, &ln);
        }
        p += k;
        n -= k;
    }
}

static void
plain_gap(void *ctx, int dir, uint64_t len)
{
    struct stream_io *io = ctx;
    const struct proto_ops *P = proto_get(io->f->proto);

    (void)len;
    line_gap(&io->f->la[dir]);
    if (P)
        P->on_gap(io->f, dir);
}

void
stream_gap(void *ctx, int dir, uint64_t len)
{
    struct stream_io *io = ctx;
    struct flow *f = io->f;
    struct tcp_out po = { plain_data, plain_gap, io };
    struct rec r;
    static const char txt[] = "bytes not captured";

    anom_hit(ANOM_GAP);
    if (!sess_get(io)) {
        line_gap(&f->la[dir]);
        return;
    }
    sess_rec_line(f, dir, NULL, &r, REC_NOTE);
    r.size = len;
    r.flags = ANOM_F(ANOM_GAP);
    memcpy(r.verb, "GAP", 4);
    r.text.p = (const uint8_t *)txt;
    r.text.n = sizeof txt - 1;
    sess_emit(f, dir, &r);
    f->pend[dir] |= ANOM_F(ANOM_GAP);
    auth_abandon(f, ANOM_F(ANOM_GAP));
    if (!decoded(f->sess, dir))
        plain_gap(io, dir, len);
    else if (f->sess->dec_st)
        f->sess->dec->gap(f->sess->dec_st, f, dir, len, &po);
}

void
stream_close(struct dis *d, struct flow *f)
{
    struct stream_io io = { d, f };
    struct tcp_out o = { stream_data, stream_gap, &io };
    struct tcp_out po = { plain_data, plain_gap, &io };
    const struct proto_ops *P = proto_get(f->proto);
    struct sess *s;
    struct line ln;
    int dir;

    tcp_flush(&f->tcp[0], 0, &o);
    tcp_flush(&f->tcp[1], 1, &o);
    if (!(s = f->sess))
        return;
    if (s->dec) {
        if (s->dec_st)
            s->dec->close(s->dec_st, f, &po);
        s->dec = NULL;
        s->dec_st = NULL;
    }
    if (P) {
        for (dir = 0; dir < 2; dir++)
            if (line_flush(&f->la[dir], &ln))
                P->on_line(f, dir, &ln);
        P->on_close(f);
    }
    auth_abandon(f, 0);
    auth_free(f);
    acc_free(f);
    mem_give(&sess_pool, s);
    f->sess = NULL;
}
