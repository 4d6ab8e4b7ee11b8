/* line.c - CRLF line assembly (RFC 5321 2.3.8, RFC 1939 3): lines found
 * sixteen bytes at a time, handed out without copying when they sit in
 * one segment, held in a bounded per-direction buffer otherwise. */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "anom.h"
#include "limits.h"
#include "line.h"
#include "mem.h"

struct line_buf {
    uint32_t cap;           /* bytes of data[] */
    uint32_t len;           /* bytes held (<= LIM_LINE + 2) */
    uint16_t nmarks;
    struct rec_mark marks[LIM_MARKS];
    uint8_t data[];
};

/* Room for the line, its CR LF and nothing more. */
#define LINE_BUF_MAX (LIM_LINE + 2)

static struct rec_mark one_mark;

static int
buf_reserve(struct line_asm *la, size_t want)
{
    struct line_buf *b = la->buf, *nb;
    size_t cap;

    if (b && b->cap >= want)
        return 0;
    cap = b ? b->cap : 64;
    while (cap < want)
        cap *= 2;
    if (cap > LINE_BUF_MAX)
        cap = LINE_BUF_MAX;
    nb = mem_realloc(MEM_STREAM, b, b ? sizeof *b + b->cap : 0,
                     sizeof *nb + cap);
    if (!nb)
        return -1;
    if (!b) {
        nb->len = 0;
        nb->nmarks = 0;
    }
    nb->cap = (uint32_t)cap;
    la->buf = nb;
    return 0;
}

/* Note the packet a run of bytes came from. */
static void
note_src(struct line_asm *la, const struct line_src *src)
{
    struct line_buf *b = la->buf;

    if (la->held == 0) {
        la->pkt_first = src->pkt;
        la->ts_first = src->ts;
        la->nseg = 0;
        la->pkt_last = 0;
        if (b)
            b->nmarks = 0;
    }
    if (src->pkt != la->pkt_last || la->nseg == 0) {
        la->nseg++;
        la->pkt_last = src->pkt;
        if (b && b->nmarks < LIM_MARKS) {
            b->marks[b->nmarks].pkt = src->pkt;
            b->marks[b->nmarks].off = b->len;
            b->marks[b->nmarks].ts = src->ts;
            b->nmarks++;
        }
    }
    la->flags |= src->flags;
}

/* The first '\n' or NUL in p[i..n), or n. Sixteen bytes at a time;
 * the last short block is read as the sixteen bytes that end at p + n,
 * its bytes before i masked off, so nothing past the end is read. */
static size_t
next_lf_nul(const uint8_t *p, size_t i, size_t n)
{
#ifdef __SSE2__
    const __m128i lf = _mm_set1_epi8('\n'), z = _mm_setzero_si128();
    __m128i v;
    unsigned m;

    for (; i + 16 <= n; i += 16) {
        v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, z)));
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
    if (i < n && n >= 16) {
        v = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
        m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, z)));
        m &= ~0u << (16 - (n - i));
        return m ? n - 16 + (size_t)__builtin_ctz(m) : n;
    }
#endif
    for (; i < n; i++)
        if (p[i] == '\n' || !p[i])
            break;
    return i;
}

/* Find the end of a line in p[0..n): index of the byte after it, or 0.
 * The line ends at the first LF, or (la->crnul: telnet sends CR NUL for
 * a bare Enter, RFC 854) at the first CR NUL. One pass looks for both
 * and for NUL bytes in the content: *nul says whether one came before
 * the line end (or before n, without one). */
static size_t
find_eol(const struct line_asm *la, const uint8_t *p, size_t n, uint8_t *eol,
         size_t *content, int *nul)
{
    size_t i = 0, j;

    *nul = 0;
    while ((j = next_lf_nul(p, i, n)) < n) {
        if (p[j] == '\n') {
            *eol = EOL_LF;
            *content = j;
            return j + 1;
        }
        if (la->crnul && j && p[j - 1] == '\r') {
            *eol = EOL_CRNUL;
            *content = j - 1;
            return j + 1;
        }
        *nul = 1;
        i = j + 1;
    }
    return 0;
}

/* nul: whether the content holds a NUL byte, when the caller knows
 * (1 or 0); -1: look. */
static void
fill(struct line *out, const uint8_t *p, size_t held, uint64_t wire, uint8_t eol, int nul)
{
    size_t n = held;

    if (eol == EOL_LF) {
        n -= 1;
        if (n && p[n - 1] == '\r') {
            n--;
            eol = EOL_CRLF;
        }
    } else if (eol == EOL_CRNUL) {
        n -= 2;
    }
    out->p = p;
    out->n = n > LIM_LINE ? LIM_LINE : n;
    out->clen = n;
    out->raw = p;
    out->rawn = held > LIM_RAW ? LIM_RAW : held;
    out->wire = wire;
    out->eol = eol;
    if (eol == EOL_LF)
        out->flags |= anom_hit(ANOM_BARE_LF);
    /* Shown escaped and never cut there, but worth a flag: a NUL in a
     * command or reply is how C servers get fooled. */
    if (nul < 0 || (nul && out->n < n))     /* unknown, or maybe cut off */
        nul = memchr(p, 0, out->n) != NULL;
    if (nul)
        out->flags |= anom_hit(ANOM_NUL_BYTE);
}

/* A line handed out cut although all of its content is at out->p (it
 * fit the buffer with its line end, or filled it exactly): spill it. */
static void
spill_short(const struct line_src *src, struct line *out)
{
    if (out->clen > out->n && src->spill) {
        src->spill(src->ctx, out->p, (size_t)out->clen, 1);
        out->spilled = 1;
    }
}

size_t
line_next(struct line_asm *la, const uint8_t *p, size_t n,
          const struct line_src *src, struct line *out, int *got)
{
    uint8_t eol = EOL_NONE;
    size_t content = 0, used, keep = 0, cc, k;
    struct line_buf *b;
    int crlf = 0, nul;

    *got = 0;
    if (!n)
        return 0;
    used = find_eol(la, p, n, &eol, &content, &nul);
    /* A CR at the end of the held part may pair with NUL or LF here. */
    if (la->held && la->last == '\r' && la->crnul && p[0] == 0) {
        eol = EOL_CRNUL;
        used = 1;
        content = 0;
    }
    if (!la->held && used && used <= LIM_LINE + 2) {
        /* The common case: the whole line is in this segment. */
        /* every member named once: no memset, then stores over it */
        *out = (struct line){
            .flags = la->flags | src->flags,
            .pkt_first = src->pkt, .pkt_last = src->pkt,
            .ts_first = src->ts, .ts_last = src->ts,
            .nseg = 1, .marks = &one_mark, .nmarks = 1,
        };
        la->flags = 0;
        one_mark.pkt = src->pkt;
        one_mark.off = 0;
        one_mark.ts = src->ts;
        fill(out, p, used, used, eol, nul);
        spill_short(src, out);
        *got = 1;
        return used;
    }
    if (!used)
        used = n;
    if (buf_reserve(la, la->held + used > LINE_BUF_MAX ? LINE_BUF_MAX
                    : (size_t)la->held + used) < 0) {
        /* Memcap: we cannot hold the line; drop it like a gap. */
        la->flags |= ANOM_F(ANOM_MEMCAP);
        if (la->buf)
            la->buf->len = 0;
    }
    note_src(la, src);
    b = la->buf;
    if (b) {
        keep = used;
        if (b->len + keep > b->cap)
            keep = b->cap - b->len;
        memcpy(b->data + b->len, p, keep);
        b->len += (uint32_t)keep;
    }
    /* The content this segment adds: not its line end, nor the CR of a
     * CR LF. What the buffer could not keep goes to spill(), after the
     * buffer itself the first time. A CR at the end is kept back until
     * the next segment says whether it ends the line. */
    cc = eol == EOL_NONE ? used : content;
    if (eol == EOL_LF) {
        crlf = (content ? p[content - 1] : la->last) == '\r';
        if (content && crlf)
            cc--;
    }
    if (cc > keep) {
        if (la->over == LINE_FITS) {
            la->over = src->spill && b ? LINE_SPILL : LINE_CUT;
            if (la->over == LINE_SPILL)
                src->spill(src->ctx, b->data, b->len, 1);
        }
        if (la->over == LINE_SPILL && src->spill) {
            if (la->cr_held)
                src->spill(src->ctx, (const uint8_t *)"\r", 1, 0);
            k = cc - keep;
            la->cr_held = eol == EOL_NONE && p[keep + k - 1] == '\r';
            if (k - la->cr_held)
                src->spill(src->ctx, p + keep, k - la->cr_held, 0);
        }
    }
    if (eol == EOL_NONE)
        la->last = p[used - 1];
    la->held += used;
    if (eol == EOL_NONE)
        return used;
    /* Complete: hand it out. A cut line keeps its end-of-line bytes so
     * that fill() sees them. */
    memset(out, 0, sizeof *out);
    out->flags = la->flags;
    if (la->held > LINE_BUF_MAX)
        out->flags |= anom_hit(ANOM_LINE_TOO_LONG);
    out->pkt_first = la->pkt_first;
    out->pkt_last = src->pkt;
    out->ts_first = la->ts_first;
    out->ts_last = src->ts;
    out->nseg = la->nseg;
    if (b) {
        uint64_t clen = la->held - (eol == EOL_CRNUL || crlf ? 2 : 1);
        if (la->held > LINE_BUF_MAX) {
            /* Cut line: all of it is still in the buffer if nothing was
             * spilled or lost; then put its terminator back after the
             * kept bytes. */
            size_t tl = eol == EOL_CRNUL || crlf ? 2 : 1;
            if (la->over == LINE_FITS && src->spill) {
                src->spill(src->ctx, b->data, (size_t)clen, 1);
                la->over = LINE_SPILL;
            }
            b->len = (uint32_t)(LIM_LINE + tl < b->cap ? LIM_LINE + tl : b->cap);
            memcpy(b->data + b->len - tl, eol == EOL_CRNUL ? "\r" : crlf ? "\r\n" : "\n", tl);
            if (eol == EOL_CRNUL)
                b->data[b->len - 1] = 0;
        }
        out->marks = b->marks;
        out->nmarks = b->nmarks;
        fill(out, b->data, b->len, la->held, eol, -1);
        if (la->held > LINE_BUF_MAX) {
            out->clen = clen;
            out->spilled = la->over == LINE_SPILL;
        } else {
            spill_short(src, out);
        }
        b->len = 0;
        b->nmarks = 0;
    } else {
        fill(out, (const uint8_t *)"\n", 1, la->held, EOL_LF, 0);
    }
    la->held = 0;
    la->flags = 0;
    la->over = LINE_FITS;
    la->cr_held = 0;
    *got = 1;
    return used;
}

void
line_gap(struct line_asm *la)
{
    if (la->buf) {
        la->buf->len = 0;
        la->buf->nmarks = 0;
    }
    la->held = 0;
    la->flags = ANOM_F(ANOM_GAP);
    la->over = LINE_FITS;
    la->cr_held = 0;
}

int
line_pending(const struct line_asm *la)
{
    return la->held != 0;
}

size_t
line_held(const struct line_asm *la, const uint8_t **p)
{
    *p = NULL;
    if (!la->held || !la->buf)
        return 0;
    *p = la->buf->data;
    return la->buf->len;
}

int
line_flush(struct line_asm *la, struct line *out)
{
    struct line_buf *b = la->buf;

    if (!la->held)
        return 0;
    memset(out, 0, sizeof *out);
    out->flags = la->flags;
    out->pkt_first = la->pkt_first;
    out->pkt_last = la->pkt_last;
    out->ts_first = la->ts_first;
    out->ts_last = la->ts_first;
    out->nseg = la->nseg;
    if (b) {
        out->p = out->raw = b->data;
        out->n = b->len > LIM_LINE ? LIM_LINE : b->len;
        out->rawn = b->len > LIM_RAW ? LIM_RAW : b->len;
        out->marks = b->marks;
        out->nmarks = b->nmarks;
        b->len = 0;
    } else {
        out->p = out->raw = (const uint8_t *)"";
    }
    if (la->held > LINE_BUF_MAX)
        out->flags |= anom_hit(ANOM_LINE_TOO_LONG);
    out->wire = la->held;
    out->clen = la->held;
    /* (a CR kept back from spill() is not spilled now: one byte short) */
    out->spilled = la->over == LINE_SPILL;
    out->eol = EOL_NONE;
    la->held = 0;
    la->flags = 0;
    la->over = LINE_FITS;
    la->cr_held = 0;
    return 1;
}

void
line_free(struct line_asm *la)
{
    if (la->buf)
        mem_free(MEM_STREAM, la->buf, sizeof *la->buf + la->buf->cap);
    la->buf = NULL;
    la->held = 0;
}

int
line_cut(struct line_asm *la, uint64_t missing, struct line *out)
{
    if (!line_flush(la, out))
        return 0;
    out->flags |= ANOM_F(ANOM_TRUNCATED);
    out->wire += missing;
    return 1;
}
