/* stream.c - the stream stage (stream.h). For each direction of a
 * connection: TCP's in-order bytes are held until the connection's
 * protocol is known from its bytes (a TLS record, a server greeting, a
 * client command), then go through the byte decoder if one covers the
 * direction, then to the plain side: mid-stream resynchronisation, raw
 * runs the protocol asked for, whole body lines counted in bulk, and
 * lines. The protocol is reached only through its row in the table. */
#include <stddef.h>
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
#include "telnet.h"

/* Enough for the connections that are open at once in a busy capture. */
static struct mem_pool sess_pool = MEM_POOL(MEM_FLOW, sizeof(struct sess), 1024);

static void plain_data(void *ctx, int dir, const uint8_t *p, size_t n,
                       uint64_t pkt, const struct ms_time *ts, uint64_t flags);
static void plain_gap(void *ctx, int dir, const struct tcp_gap *g);

/* ---- detection: bytes held until the protocol is known ---- */

/* What is held: a greeting or a first command is one segment; a person
 * typing before the server spoke is one segment per key. Past either
 * cap the port's protocol is taken (DET_PORT). */
#define DET_BYTES 4096
#define DET_SEGS 64
/* A first line longer than this without a line end is not a greeting
 * or a command. */
#define DET_LINE_MAX 512
/* Bytes of a connection that is not mail shown in its data record. */
#define DET_PREVIEW 64
/* det_dir's verdict beyond enum det (proto.h): a TLS record. */
#define DET_IS_TLS 3

struct det_seg {
    uint64_t pkt, flags;
    struct ms_time ts;
    uint16_t off, len;
    uint8_t dir;
};

struct det {
    uint16_t used, nseg;
    uint8_t first;                  /* not mail: the direction shown */
    uint64_t later;                 /* not mail: bytes not held */
    struct det_seg seg[DET_SEGS];
    uint8_t buf[DET_BYTES];
    uint8_t line[DET_LINE_MAX];     /* scratch: one direction's first bytes */
};

static struct mem_pool det_pool = MEM_POOL(MEM_STREAM, sizeof(struct det), 64);

/* Install a decoder for the directions in dirs, replacing any other. */
static void
dec_install(struct stream_io *io, const struct dec_ops *ops, uint8_t dirs)
{
    struct sess *s = io->f->sess;
    struct tcp_out po = { plain_data, plain_gap, io };

    if (s->dec == ops) {
        s->dec_dirs |= dirs;
        return;
    }
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
    struct sess *s;

    if (f->sess)
        return f->sess;
    s = f->sess = mem_take(&sess_pool);
    if (!s)
        return NULL;
    memset(s, 0, offsetof(struct sess, q));
    s->d = io->d;
    s->midstream = s->greeted = f->resync != 0;
    /* Telnet sends CR NUL for a bare Enter (RFC 854). */
    f->la[DIR_C2S].crnul = 1;
    if (f->forced) {
        /* --port: taken as said, TLS or not */
        s->state = SESS_MAIL;
        s->how = DET_FORCED;
        if (f->tls)
            dec_install(io, &dec_tls, 3);
        else if (io->d->cfg.decoder)
            dec_install(io, io->d->cfg.decoder, 3);
    } else {
        /* Whatever the port: a direction that opens with a TLS record
         * is TLS (a ClientHello on 25 is not SMTP, and a banner on 465
         * need not be TLS). */
        s->tls_check = 3;
    }
    return s;
}

static int
decoded(const struct sess *s, int dir)
{
    return s->dec && (s->dec_dirs >> dir & 1);
}

/* Could the bytes start a TLS record (RFC 8446 5.1: content type 20-24,
 * legacy version 3.x)? Answers from what is there. */
static int
tls_start(const uint8_t *p, size_t n)
{
    if (n < 1 || p[0] < 20 || p[0] > 24)
        return 0;
    if (n < 2)
        return 1;
    if (p[1] != 3)
        return 0;
    return n < 3 || p[2] <= 4;
}

/* The first bytes of dir held, contiguous in d->line; sets *have to the
 * count (<= DET_LINE_MAX). */
static size_t
det_gather(struct det *d, int dir)
{
    size_t o = 0, k;
    int i;

    for (i = 0; i < d->nseg && o < DET_LINE_MAX; i++) {
        if (d->seg[i].dir != dir)
            continue;
        k = d->seg[i].len;
        if (k > DET_LINE_MAX - o)
            k = DET_LINE_MAX - o;
        memcpy(d->line + o, d->buf + d->seg[i].off, k);
        o += k;
    }
    return o;
}

/* One direction's verdict on protocol id (or every protocol when id is
 * PROTO_NONE: *id is set to the one that said yes) from its first n
 * bytes p (n <= DET_LINE_MAX). final: no more bytes will come, a
 * partial line counts. */
static int
det_bytes(const struct flow *f, int dir, const uint8_t *p, size_t n, int *id,
          int final)
{
    uint8_t ed[DET_LINE_MAX];
    const uint8_t *lf;
    size_t ln, en;
    uint64_t fl = 0;
    int midstream = (f->resync >> dir & 1) || (f->pend[dir] & ANOM_F(ANOM_MIDSTREAM));
    int i, v, maybe;

    if (!n)
        return DET_MAYBE;
    if (tls_start(p, n))
        return n >= 3 || final ? DET_IS_TLS : DET_MAYBE;
    while (n) {
        lf = memchr(p, '\n', n);
        if (!lf && n < DET_LINE_MAX && !final)
            return DET_MAYBE;   /* wait for the line's end */
        ln = lf ? (size_t)(lf - p) : n;
        if (ln && p[ln - 1] == '\r')
            ln--;
        /* A person types at telnet: judge the line the server reads. */
        if (dir == DIR_C2S && tn_needs_edit(p, ln, 1)) {
            en = tn_edit(p, ln, ed, sizeof ed, tn_is_negotiation(p, ln), &fl);
        } else {
            memcpy(ed, p, ln);
            en = ln;
        }
        maybe = 0;
        for (i = PROTO_NONE + 1; i < PROTO_N; i++) {
            const struct proto_ops *P = proto_get(i);
            if (!P || (*id && *id != i))
                continue;
            v = en ? P->detect(dir, ed, en, midstream) : DET_MAYBE;
            if (v == DET_YES) {
                *id = i;
                return DET_YES;
            }
            maybe |= v == DET_MAYBE;
        }
        if (!maybe)
            return DET_NO;
        if (!lf)
            return DET_MAYBE;
        n -= (size_t)(lf + 1 - p);
        p = lf + 1;
    }
    return DET_MAYBE;
}

/* det_bytes on what is held of dir. */
static int
det_dir(struct det *d, const struct flow *f, int dir, int *id, int final)
{
    size_t n = det_gather(d, dir);

    return det_bytes(f, dir, d->line, n, id, final);
}

static void det_release(struct stream_io *io);

/* Not mail. A connection on a mail port says so once, at its end, with
 * its first bytes (not_mail); one found by --detect on another port is
 * just not ours: it says nothing and its packets are not reassembled. */
static void
det_other(struct stream_io *io, int first_dir)
{
    struct flow *f = io->f;
    struct sess *s = f->sess;

    s->state = SESS_OTHER;
    if (f->proto == PROTO_NONE || !s->det) {
        f->other = 1;
        return;
    }
    s->det->first = (uint8_t)first_dir;
}

/* Bytes of a connection that is not mail: counted, and the first
 * direction's kept for the preview. */
static void
det_count(struct det *d, int dir, const uint8_t *p, size_t n, uint64_t pkt,
          const struct ms_time *ts)
{
    size_t have = 0, k;
    int i;

    d->later += n;
    if (dir != d->first || d->nseg == DET_SEGS)
        return;
    for (i = 0; i < d->nseg; i++)
        if (d->seg[i].dir == dir)
            have += d->seg[i].len;
    if (have >= DET_PREVIEW)
        return;
    k = DET_PREVIEW - have < n ? DET_PREVIEW - have : n;
    if (k > (size_t)(DET_BYTES - d->used))
        return;
    d->seg[d->nseg].pkt = pkt;
    d->seg[d->nseg].ts = *ts;
    d->seg[d->nseg].flags = 0;
    d->seg[d->nseg].dir = (uint8_t)dir;
    d->seg[d->nseg].off = d->used;
    d->seg[d->nseg].len = (uint16_t)k;
    d->nseg++;
    memcpy(d->buf + d->used, p, k);
    d->used = (uint16_t)(d->used + k);
    d->later -= k;
}

/* The data record of a connection on a mail port that was not mail. */
static void
det_report(struct stream_io *io)
{
    struct flow *f = io->f;
    struct det *d = f->sess->det;
    struct rec r;
    size_t n = det_gather(d, d->first);
    uint64_t total = d->later;
    int i;

    sess_rec_line(f, d->first, NULL, &r, REC_DATA);
    for (i = 0; i < d->nseg; i++) {
        total += d->seg[i].len;
        if (d->seg[i].dir != d->first)
            continue;
        if (!r.nseg++) {
            r.pkt_first = d->seg[i].pkt;
            r.ts_first = d->seg[i].ts;
        }
        r.pkt = d->seg[i].pkt;
        r.ts = d->seg[i].ts;
    }
    r.proto = PROTO_NONE;
    r.size = total;
    if (n > DET_PREVIEW)
        n = DET_PREVIEW;
    r.len = (uint32_t)n;
    r.text.p = r.raw.p = d->line;
    r.text.n = r.raw.n = (uint32_t)n;
    r.flags |= anom_hit(ANOM_NOT_MAIL);
    memcpy(r.verb, "DATA", 5);
    sess_emit(f, d->first, &r);
}

/* The verdict is made: the connection is mail, its protocol id set. */
static void
det_mail(struct stream_io *io, int how, const struct dec_ops *dec)
{
    struct sess *s = io->f->sess;

    s->state = SESS_MAIL;
    s->how = (uint8_t)how;
    if (dec)
        dec_install(io, dec, 3);
    else if (io->d->cfg.decoder)
        dec_install(io, io->d->cfg.decoder, 3);
    det_release(io);
}

/* Try to decide; final: decide now with what is held. The rules, in
 * order: the server's greeting says mail; a TLS record says mail on a
 * mail port (each direction that opens with one is TLS, the other may
 * well be clear text: a plaintext banner on 465); any other first server
 * line says not mail; before the server spoke, a client command says
 * mail, and a client line that is no command waits for the server (a
 * real server greets clients that send junk, and answers them). */
static void det_decide(struct stream_io *io, int cv, int sv, int cid, int sid,
                       int first, int final);

static void
det_try(struct stream_io *io, int final)
{
    struct flow *f = io->f;
    struct sess *s = f->sess;
    struct det *d = s->det;
    int cid = f->proto, sid = f->proto, cv, sv, first;

    if (s->state != SESS_DETECT)
        return;
    first = d && d->nseg ? d->seg[0].dir : DIR_S2C;
    cv = d ? det_dir(d, f, DIR_C2S, &cid, final) : DET_MAYBE;
    sv = d ? det_dir(d, f, DIR_S2C, &sid, final) : DET_MAYBE;
    det_decide(io, cv, sv, cid, sid, first, final);
}

/* The first segment, nothing held yet: when it alone says mail, it goes
 * on at once instead of being held, copied and handed back; the same
 * verdict det_hold and det_try would reach (the other direction has
 * nothing, DET_MAYBE). Returns 1 when decided so. */
static int
det_first(struct stream_io *io, int dir, const uint8_t *p, size_t n)
{
    struct flow *f = io->f;
    int id = f->proto, v, cv = DET_MAYBE, sv = DET_MAYBE;

    if (n > DET_BYTES)
        return 0;   /* det_hold would decide when full, as final */
    v = det_bytes(f, dir, p, n < DET_LINE_MAX ? n : DET_LINE_MAX, &id, 0);
    if (v == DET_NO || v == DET_MAYBE)
        return 0;   /* held: not mail keeps its bytes for the record */
    if (dir == DIR_C2S)
        cv = v;
    else
        sv = v;
    det_decide(io, cv, sv, id, id, dir, 0);
    return f->sess->state == SESS_MAIL;
}

/* det_try's rules on the two directions' verdicts. */
static void
det_decide(struct stream_io *io, int cv, int sv, int cid, int sid, int first,
           int final)
{
    struct flow *f = io->f;

    /* Clear text, even on an implicit-TLS port: a plaintext banner on
     * 465 is read as one (and a client's TLS there is its own). */
    if (sv == DET_YES) {
        f->proto = (uint8_t)sid;
        det_mail(io, DET_GREETING, NULL);
    } else if (cv == DET_IS_TLS || sv == DET_IS_TLS) {
        /* each direction that opens with a record is decoded as TLS
         * (tls_check); on a port that is not mail's (--detect) which
         * protocol it carries is not known without a key */
        det_mail(io, DET_TLS, NULL);
    } else if (sv == DET_NO) {
        det_other(io, first);
        det_release(io);
    } else if (cv == DET_YES) {
        f->proto = (uint8_t)cid;
        det_mail(io, DET_COMMAND, NULL);
    } else if (!final) {
        return;
    } else if (cv == DET_NO || f->proto == PROTO_NONE) {
        det_other(io, first);
        det_release(io);
    } else {
        /* Nothing said no: a mid-stream pickup or a quiet peer. The
         * port's protocol, as before detection. */
        det_mail(io, DET_PORT, f->tls ? &dec_tls : NULL);
    }
}

/* The verdict is in: hand on what was held, in the order it came. */
static void
det_release(struct stream_io *io)
{
    struct sess *s = io->f->sess;
    struct det *d = s->det;
    int i;

    if (!d || (s->state == SESS_OTHER && !io->f->other))
        return;     /* not mail: kept for its record at the end */
    s->det = NULL;
    if (s->state == SESS_MAIL)
        for (i = 0; i < d->nseg && io->f->sess; i++)
            stream_data(io, d->seg[i].dir, d->buf + d->seg[i].off, d->seg[i].len,
                        d->seg[i].pkt, &d->seg[i].ts, d->seg[i].flags);
    mem_give(&det_pool, d);
}

static void
det_hold(struct stream_io *io, int dir, const uint8_t *p, size_t n,
         uint64_t pkt, const struct ms_time *ts, uint64_t flags)
{
    struct sess *s = io->f->sess;
    struct det *d = s->det;
    struct det_seg *g;

    if (!d) {
        d = s->det = mem_take(&det_pool);
        if (!d) {
            /* No room to hold: the port's protocol, and on */
            io->f->pend[dir] |= anom_hit(ANOM_MEMCAP);
            det_try(io, 1);
            if (s->state != SESS_DETECT)
                stream_data(io, dir, p, n, pkt, ts, flags);
            return;
        }
        d->used = d->nseg = 0;
        d->later = 0;
        d->first = 0;
    }
    while (n) {
        size_t k = n < (size_t)(DET_BYTES - d->used) ? n : (size_t)(DET_BYTES - d->used);
        if (!k || d->nseg == DET_SEGS) {
            /* Full: decide with what is held, then the rest goes on. */
            det_try(io, 1);
            if (s->state != SESS_DETECT)
                stream_data(io, dir, p, n, pkt, ts, flags);
            return;
        }
        g = &d->seg[d->nseg++];
        g->pkt = pkt;
        g->ts = *ts;
        g->flags = flags;
        g->dir = (uint8_t)dir;
        g->off = d->used;
        g->len = (uint16_t)k;
        memcpy(d->buf + d->used, p, k);
        d->used = (uint16_t)(d->used + k);
        flags = 0;
        p += k;
        n -= k;
    }
    det_try(io, 0);
}

/* ---- TCP's side ---- */

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
    if (s->state == SESS_DETECT && (s->det || !det_first(io, dir, p, n))) {
        det_hold(io, dir, p, n, pkt, ts, flags);
        return;
    }
    if (s->state == SESS_OTHER) {
        if (s->det)
            det_count(s->det, dir, p, n, pkt, ts);
        return;
    }
    if (s->tls_check >> dir & 1) {
        /* The first bytes, or the first after TLS was agreed: TLS starts
         * only if they are a TLS record (a refused or ignored STARTTLS
         * goes on in clear text). */
        s->tls_check &= (uint8_t)~(1u << dir);
        if (tls_start(p, n))
            dec_install(io, &dec_tls, (uint8_t)(1u << dir));
    }
    if (!decoded(s, dir)) {
        /* clear text in dir: a decoder of the other direction hears it */
        if (s->dec && s->dec_st && s->dec->peer)
            s->dec->peer(s->dec_st, f, dir);
        plain_data(io, dir, p, n, pkt, ts, flags);
    } else if (s->dec_st) {
        s->dec->data(s->dec_st, f, dir, p, n, pkt, ts, flags, &po);
    } else {
        f->pend[dir] |= ANOM_F(ANOM_MEMCAP);  /* the decoder got no memory */
    }
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
            /* The protocol saw TLS agreed: the next bytes of each
             * direction tell whether it began. */
            s->want_tls = 0;
            s->tls_check = 3;
            stream_data(io, dir, p, n, pkt, ts, src.flags);
            return;
        }
        if (s->raw_left[dir] && P->on_raw) {
            k = P->on_raw(f, dir, p, n, pkt, ts);
        } else if (!f->la[dir].held && acc_bulk_ready(s->acc[dir])
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
plain_gap(void *ctx, int dir, const struct tcp_gap *g)
{
    struct stream_io *io = ctx;
    struct flow *f = io->f;
    const struct proto_ops *P = proto_get(f->proto);
    struct line ln;
    uint64_t *raw = &f->sess->raw_left[dir];

    /* Bytes lost inside a raw run the protocol asked for (a BDAT chunk,
     * an IMAP literal) are bytes of it: the run ends where it would have,
     * and the protocol (on_gap) sees whether it still goes on. */
    *raw -= g->len < *raw ? g->len : *raw;
    if (g->cut) {
        /* What was captured of the line is shown; the next segment
         * starts a line only if it looks like one (inside a raw run it
         * is more of the run). */
        if (line_cut(&f->la[dir], g->len, &ln) && P)
            P->on_line(f, dir, &ln);
        if (!*raw)
            f->resync |= (uint8_t)(1u << dir);
    } else {
        line_gap(&f->la[dir]);
    }
    if (P)
        P->on_gap(f, dir, g->cut);
}

void
stream_gap(void *ctx, int dir, const struct tcp_gap *g)
{
    struct stream_io *io = ctx;
    struct flow *f = io->f;
    struct tcp_out po = { plain_data, plain_gap, io };
    struct rec r;
    static const char txt[] = "bytes not captured";

    if (!g->cut)
        anom_hit(ANOM_GAP);
    if (!sess_get(io)) {
        line_gap(&f->la[dir]);
        return;
    }
    if (f->sess->state == SESS_DETECT)
        det_try(io, 1);
    if (f->sess->state == SESS_OTHER)
        return;
    if (!g->cut) {
        sess_rec_line(f, dir, NULL, &r, REC_NOTE);
        r.pkt = r.pkt_first = g->pkt;
        r.ts = r.ts_first = g->ts;
        r.size = g->len;
        r.flags = ANOM_F(ANOM_GAP);
        memcpy(r.verb, "GAP", 4);
        r.text.p = (const uint8_t *)txt;
        r.text.n = sizeof txt - 1;
        sess_emit(f, dir, &r);
        f->pend[dir] |= ANOM_F(ANOM_GAP);
        auth_gap(f, dir);
    }
    if (!decoded(f->sess, dir))
        plain_gap(io, dir, g);
    else if (f->sess->dec_st)
        f->sess->dec->gap(f->sess->dec_st, f, dir, g, &po);
}

void
stream_close(struct dis *d, struct flow *f)
{
    struct stream_io io = { d, f };
    struct tcp_out o = { stream_data, stream_gap, &io };
    struct tcp_out po = { plain_data, plain_gap, &io };
    const struct proto_ops *P;
    struct sess *s;
    struct line ln;
    int dir;

    tcp_flush(f->tcp, &o);
    if (!(s = f->sess))
        return;
    if (s->state == SESS_DETECT)
        det_try(&io, 1);
    if (s->state == SESS_OTHER && s->det)
        det_report(&io);
    if (s->dec) {
        if (s->dec_st)
            s->dec->close(s->dec_st, f, &po);
        s->dec = NULL;
        s->dec_st = NULL;
    }
    P = proto_get(f->proto);
    if (P && s->state == SESS_MAIL) {
        for (dir = 0; dir < 2; dir++)
            if (line_flush(&f->la[dir], &ln))
                P->on_line(f, dir, &ln);
        P->on_close(f);
    }
    auth_abandon(f, 0);
    auth_free(f);
    acc_free(f);
    mem_give(&det_pool, s->det);
    mem_give(&sess_pool, s);
    f->sess = NULL;
}
