/* acc.c - accumulators (acc.h): multi-line replies, listings and
 * message bodies; the header block of a body (RFC 5322 2.2); body octets
 * to the export sink as they stream by. */
#include <string.h>

#include "acc.h"
#include "anom.h"
#include "ctx.h"
#include "mem.h"
#include "mime.h"
#include "sess.h"

/* Enough for the connections that are open at once in a busy capture. */
static struct mem_pool acc_pool = MEM_POOL(MEM_STREAM, sizeof(struct acc), 64);

/* Body octets to the export sink, if this body is being exported. */
static void
exp_put(struct acc *a, const uint8_t *p, size_t n)
{
    if (a->exp && n)
        a->sink->data(a->sink->ctx, a->exp, p, n);
}

/* A body line longer than LIM_LINE, whole, as it streams by (line.h):
 * counted, and exported if the body is. */
void
acc_spill(void *ctx, const uint8_t *p, size_t n, int first)
{
    struct acc *a = ctx;

    if (first && n && p[0] == '.') {
        p++;            /* dot-stuffing, as in acc_body_line */
        n--;
    }
    /* Counted here, not when the line ends: a gap may drop the rest of
     * the line, and the size stays what was exported. */
    a->size += n;
    exp_put(a, p, n);
}

/* The body ends without a record: the sink drops what it wrote. */
static void
exp_drop(struct acc *a)
{
    if (a && a->exp) {
        a->sink->end(a->sink->ctx, a->exp, NULL);
        a->exp = NULL;
    }
}

struct acc *
acc_open(struct flow *f, int dir, int body, const struct line *ln)
{
    struct dis *d = f->sess->d;
    struct acc *a = f->sess->acc[dir];

    if (!a) {
        a = mem_take(&acc_pool);
        if (!a)
            return NULL;
        a->exp = NULL;
        f->sess->acc[dir] = a;
    }
    exp_drop(a);
    a->sink = d->cfg.body;
    if (body && a->sink) {
        struct body_info bi = { f->id, f->proto, (uint8_t)dir,
                                ln ? ln->pkt_first : d->pkt };
        a->exp = a->sink->begin(a->sink->ctx, &bi);
    }
    a->active = 1;
    a->body = (uint8_t)body;
    a->in_hdr = (uint8_t)body;
    a->flags = 0;
    a->pkt_first = a->pkt_last = ln ? ln->pkt_first : d->pkt;
    a->ts_first = a->ts_last = ln ? ln->ts_first : d->ts;
    a->nseg = 0;
    a->wire = a->size = 0;
    a->lines = 0;
    a->tn = a->rn = 0;
    a->strict = 0;
    a->prev_crlf = 1;   /* the command line before the body ended it */
    a->dot_end = 0;
    a->hstate = 0;
    a->hcur = -1;
    a->hnlen = 0;
    a->hseen = 0;
    a->hvn = 0;
    a->hcut = 0;
    a->nmarks = 0;
    a->code = 0;
    a->verb[0] = 0;
    return a;
}

void
acc_note(struct acc *a, const struct line *ln)
{
    uint32_t i;

    a->nseg += ln->pkt_first == a->pkt_last && a->nseg ? ln->nseg - 1 : ln->nseg;
    a->pkt_last = ln->pkt_last;
    a->ts_last = ln->ts_last;
    a->wire += ln->wire;
    a->flags |= ln->flags;
    for (i = 0; i < ln->nmarks && a->nmarks < LIM_MARKS; i++) {
        if (a->nmarks && a->marks[a->nmarks - 1].pkt == ln->marks[i].pkt)
            continue;
        if (a->rn + ln->marks[i].off >= LIM_RAW)
            break;
        a->marks[a->nmarks].pkt = ln->marks[i].pkt;
        a->marks[a->nmarks].off = a->rn + ln->marks[i].off;
        a->marks[a->nmarks].ts = ln->marks[i].ts;
        a->nmarks++;
    }
    if (a->rn < LIM_RAW) {
        size_t k = ln->rawn < LIM_RAW - a->rn ? ln->rawn : LIM_RAW - a->rn;
        memcpy(a->raw + a->rn, ln->raw, k);
        a->rn += (uint32_t)k;
    }
}

static void
append(uint8_t *buf, uint32_t *len, size_t cap, const uint8_t *p, size_t n)
{
    if (*len >= cap)
        return;
    if (n > cap - *len)
        n = cap - *len;
    memcpy(buf + *len, p, n);
    *len += (uint32_t)n;
}

void
acc_add(struct acc *a, const struct line *ln, const uint8_t *text, size_t n)
{
    acc_note(a, ln);
    a->lines++;
    if (a->tn)
        append(a->text, &a->tn, LIM_TEXT, (const uint8_t *)"\n", 1);
    append(a->text, &a->tn, LIM_TEXT, text, n);
}

/* A CR followed by a dot: where an end-of-data look-alike may be. Dots
 * are rarer than CRs (a base64 body has none), so look for the dot. */
static int
cr_dot(const uint8_t *p, size_t n)
{
    const uint8_t *q = p + 1, *end = p + n;

    while (q < end && (q = memchr(q, '.', (size_t)(end - q)))) {
        if (q[-1] == '\r')
            return 1;
        q++;
    }
    return 0;
}

/* A dot with a line break on each side, counting a bare CR as one, as
 * some servers do: "x CR . CR LF", ". CR x", "x CR . CR y". The line
 * comes without its end, which counts as a break. A dot alone on a line
 * is the caller's. */
static int
dot_alone(const uint8_t *p, size_t n)
{
    const uint8_t *q = p + 1, *end = p + n;

    if (n >= 2 && p[0] == '.' && p[1] == '\r')
        return 1;
    while (q < end && (q = memchr(q, '.', (size_t)(end - q)))) {
        if (q[-1] == '\r' && (q + 1 == end || q[1] == '\r'))
            return 1;
        q++;
    }
    return 0;
}

/* ---- the header block (RFC 5322 2.2), parsed as it streams ---- */

enum { HS_BOL, HS_NAME, HS_VWS, HS_VALUE, HS_SKIP };

/* The headers a record keeps, in enum imf_hdr order. */
static const char *const imf_names[IMF_N] = {
    "from", "to", "cc", "subject", "date", "message-id", "reply-to"
};
static const uint8_t imf_lens[IMF_N] = { 4, 2, 2, 7, 4, 10, 8 };

static int
hdr_lookup(const char *name, size_t n)
{
    size_t i, k;

    for (i = 0; i < IMF_N; i++) {
        if (imf_lens[i] != n)
            continue;
        for (k = 0; k < n && (name[k] | 0x20) == imf_names[i][k]; k++)
            ;
        if (k == n)
            return (int)i;
    }
    return -1;
}

/* A byte of the value being read: kept while there is room. */
static void
hdr_put(struct acc *a, uint8_t c)
{
    if (a->hcur < 0)
        return;
    if (a->hlen[a->hcur] >= LIM_IMF_VALUE || a->hvn >= LIM_HDR_VALUES) {
        a->hcut++;
        return;
    }
    a->hv[a->hvn++] = c;
    a->hlen[a->hcur]++;
}

/* Feed header bytes as they come, cut anywhere (lines of a DATA body,
 * raw BDAT chunks). Values are unfolded: a line that starts with a space
 * or tab continues the previous header, its CR LF dropped. The first of
 * several headers of a name is kept. The empty line ends the block. */
static void
hdr_feed(struct acc *a, const uint8_t *p, size_t n)
{
    /* first letters of the names we keep: other headers are skipped to
     * their line end at once */
    static const uint8_t wanted[256] = {
        ['f'] = 1, ['F'] = 1, ['t'] = 1, ['T'] = 1, ['c'] = 1, ['C'] = 1,
        ['s'] = 1, ['S'] = 1, ['d'] = 1, ['D'] = 1, ['m'] = 1, ['M'] = 1,
        ['r'] = 1, ['R'] = 1,
    };
    const uint8_t *lf;
    size_t i, k;

    for (i = 0; i < n && a->in_hdr; i++) {
        uint8_t c = p[i];
        switch (a->hstate) {
        case HS_BOL:
            if (c == '\r')
                break;
            if (c == '\n') {
                a->in_hdr = 0;          /* the empty line */
                break;
            }
            if (c == ' ' || c == '\t') {
                hdr_put(a, c);          /* folded: the value goes on */
                a->hstate = HS_VALUE;
                break;
            }
            a->hcur = -1;
            a->hnlen = 0;
            if (!wanted[c]) {
                a->hstate = HS_SKIP;
                goto skip;
            }
            a->hstate = HS_NAME;
            /* fall through */
        case HS_NAME:
            /* the rest of the name at once, without the switch per byte */
            while (c != ':' && c != '\n' && a->hnlen < sizeof a->hname && i + 1 < n) {
                a->hname[a->hnlen++] = (char)c;
                c = p[++i];
            }
            if (c == ':') {
                int h = hdr_lookup(a->hname, a->hnlen);
                if (h >= 0 && !(a->hseen >> h & 1)) {
                    a->hseen |= (uint8_t)(1u << h);
                    a->hcur = (int8_t)h;
                    a->hoff[h] = a->hvn;
                    a->hlen[h] = 0;
                }
                a->hstate = HS_VWS;
            } else if (c == '\n') {
                a->hstate = HS_BOL;     /* no colon: not a header */
            } else if (a->hnlen < sizeof a->hname) {
                a->hname[a->hnlen++] = (char)c;
            } else {
                a->hstate = HS_SKIP;    /* longer than any name we keep */
            }
            break;
        case HS_VWS:
            if (c == ' ' || c == '\t')
                break;
            a->hstate = HS_VALUE;
            /* fall through */
        case HS_VALUE:
            if (a->hcur < 0) {
                a->hstate = HS_SKIP;    /* a header we do not keep goes on */
                goto skip;
            }
            /* the rest of the line at once */
            lf = memchr(p + i, '\n', n - i);
            k = lf ? (size_t)(lf - (p + i)) : n - i;
            if (a->hlen[a->hcur] + k > LIM_IMF_VALUE || a->hvn + k > LIM_HDR_VALUES) {
                size_t j;
                for (j = 0; j < k; j++)
                    hdr_put(a, p[i + j]);
            } else {
                memcpy(a->hv + a->hvn, p + i, k);
                a->hvn += (uint32_t)k;
                a->hlen[a->hcur] += (uint32_t)k;
            }
            i += k;
            if (!lf)
                return;
            /* the CR of CR LF is not part of the value */
            if (a->hlen[a->hcur] && a->hv[a->hvn - 1] == '\r') {
                a->hvn--;
                a->hlen[a->hcur]--;
            }
            a->hstate = HS_BOL;
            break;
        case HS_SKIP:
        skip:
            lf = memchr(p + i, '\n', n - i);
            if (!lf)
                return;
            i = (size_t)(lf - p);
            a->hstate = HS_BOL;
            break;
        }
    }
}

int
acc_body_line(struct acc *a, const struct line *ln)
{
    const uint8_t *p = ln->p;
    size_t n = ln->n;
    uint64_t clen = ln->clen;

    acc_note(a, ln);
    a->dot_end = 0;
    if (n == 1 && p[0] == '.' && ln->eol != EOL_NONE) {
        if (!a->strict || (ln->eol == EOL_CRLF && a->prev_crlf))
            return 1;
        /* LF.LF, LF.CRLF, CRLF.LF: what some servers took for the end
         * (CVE-2023-51764); it is text, and what follows is too, unless
         * the server answers before anything follows (smtp.c). */
        a->flags |= anom_hit(ANOM_SMTP_SMUGGLING);
        a->dot_end = 1;
    } else if (a->strict && dot_alone(p, n)) {
        a->flags |= anom_hit(ANOM_SMTP_SMUGGLING);    /* CR . CR LF */
    }
    a->prev_crlf = ln->eol == EOL_CRLF;
    a->lines++;
    /* Dot-stuffing: a leading "." was doubled by the sender (RFC 5321
     * 4.5.2, RFC 1939 3). */
    if (n && p[0] == '.') {
        p++;
        n--;
        clen--;
    }
    /* The size counts a cut line whole (clen), as the server stores it;
     * a spilled line's content was counted as it went by. */
    a->size += (ln->spilled ? 0 : clen) + (ln->eol == EOL_CRLF ? 2 : ln->eol == EOL_NONE ? 0 : 1);
    if (a->exp) {
        if (!ln->spilled)
            exp_put(a, p, n);   /* else body_spill() had all of it */
        if (ln->eol == EOL_CRLF)
            exp_put(a, (const uint8_t *)"\r\n", 2);
        else if (ln->eol != EOL_NONE)
            exp_put(a, (const uint8_t *)"\n", 1);
    }
    if (a->in_hdr) {
        hdr_feed(a, p, n);
        hdr_feed(a, (const uint8_t *)"\n", 1);
    }
    if (a->tn)
        append(a->text, &a->tn, LIM_TEXT, (const uint8_t *)"\n", 1);
    append(a->text, &a->tn, LIM_TEXT, p, n);
    return 0;
}

void
acc_body_bytes(struct acc *a, const uint8_t *p, size_t n, uint64_t pkt,
               const struct ms_time *ts)
{
    size_t i;

    if (a->pkt_last != pkt || !a->nseg) {
        a->nseg++;
        if (a->nmarks < LIM_MARKS && a->rn < LIM_RAW) {
            a->marks[a->nmarks].pkt = pkt;
            a->marks[a->nmarks].off = a->rn;
            a->marks[a->nmarks].ts = *ts;
            a->nmarks++;
        }
    }
    a->pkt_last = pkt;
    a->ts_last = *ts;
    a->wire += n;
    a->size += n;
    exp_put(a, p, n);
    append(a->raw, &a->rn, LIM_RAW, p, n);
    hdr_feed(a, p, n);
    for (i = 0; i < n; i++) {
        if (p[i] == '\n')
            a->lines++;
        if (p[i] != '\r' && a->tn < LIM_TEXT)
            a->text[a->tn++] = p[i];
    }
}

/* Body lines once the record has all it keeps (headers parsed, text and
 * raw bytes full): only sizes, lines and anomalies still change, so whole
 * lines are counted in place instead of going through line_next. Stops
 * before a possible terminator and at a partial line, which take the
 * normal path. Returns the bytes used. */
size_t
acc_body_bulk(struct acc *a, const uint8_t *p, size_t n, uint64_t pkt,
              const struct ms_time *ts, uint64_t flags)
{
    const uint8_t *q = p, *end = p + n, *lf;
    size_t len;
    int look;

    if (!acc_bulk_ready(a))
        return 0;
    /* A bare CR before a dot anywhere here: take the line path, which
     * flags end-of-data look-alikes. One pass, and rare. */
    look = a->strict && cr_dot(p, n);

    while (q < end && (lf = memchr(q, '\n', (size_t)(end - q)))) {
        len = (size_t)(lf + 1 - q);
        if (q[0] == '.') {
            if (len == 2 || (len == 3 && q[1] == '\r'))
                break;              /* "." alone: the normal path ends it */
            if (q[1] == '\r' && a->strict)
                break;              /* ". CR x": the line path judges it */
        }
        if (look && cr_dot(q, len))
            break;                  /* the line path takes it, stuffing and all */
        if (q[0] == '.')
            a->size--;              /* dot-stuffing */
        a->prev_crlf = len >= 2 && lf[-1] == '\r';
        if (!a->prev_crlf)
            a->flags |= anom_hit(ANOM_BARE_LF);
        if (len > LIM_LINE + 2)
            a->flags |= anom_hit(ANOM_LINE_TOO_LONG);
        if (a->exp)
            exp_put(a, q + (q[0] == '.'), len - (q[0] == '.'));
        a->size += len;
        a->wire += len;
        a->lines++;
        q = lf + 1;
    }
    if (q != p) {
        if (a->pkt_last != pkt) {
            a->nseg++;
            a->pkt_last = pkt;
        }
        a->ts_last = *ts;
        a->flags |= flags;
    }
    return (size_t)(q - p);
}


/* "=?": where an RFC 2047 encoded word may begin. */
static int
word_start(const uint8_t *p, size_t n)
{
    const uint8_t *q = p, *end = p + n;

    while (q < end && (q = memchr(q, '=', (size_t)(end - q))) && q + 1 < end) {
        if (q[1] == '?')
            return 1;
        q++;
    }
    return 0;
}

void
acc_headers(struct flow *f, struct acc *a, struct rec *r)
{
    uint8_t *dec = f->sess->d->imf_dec;
    size_t used = 0, outn, cap = sizeof f->sess->d->imf_dec;
    unsigned mf;
    int h;

    for (h = 0; h < IMF_N; h++) {
        int seen = a->hseen >> h & 1;
        const uint8_t *v = seen ? a->hv + a->hoff[h] : a->hv;
        uint32_t n = seen ? a->hlen[h] : 0;
        /* the value, without the white space a fold put before it or
         * left after it */
        while (n && (*v == ' ' || *v == '\t')) {
            v++;
            n--;
        }
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        r->imf[h].p = v;
        r->imf[h].n = n;
        r->imf_raw[h].p = v;
        r->imf_raw[h].n = 0;
        /* encoded words (RFC 2047) are shown decoded, the raw value kept */
        if (!n || !word_start(v, n))
            continue;
        mf = 0;
        mime_decode_header(v, n, dec + used, cap - used, &outn, &mf);
        if (mf & (MIME_BAD_WORD | MIME_BAD_CHARSET))
            r->flags |= anom_hit(ANOM_MIME_BAD_WORD);
        if (!(mf & MIME_DECODED))
            continue;
        r->imf_raw[h].n = n;
        r->imf[h].p = dec + used;
        r->imf[h].n = (uint32_t)outn;
        used += outn;
    }
    r->imf_cut = a->hcut;
    if (a->hcut)
        r->flags |= anom_hit(ANOM_HEADER_TRUNCATED);
}

void
acc_close(struct acc *a)
{
    if (a) {
        exp_drop(a);
        a->active = 0;
    }
}

void
acc_body_emit(struct flow *f, int dir, struct acc *a, struct rec *r)
{
    if (a->exp) {
        /* Before the record goes out: a reader of live output finds the
         * file it names. */
        a->sink->end(a->sink->ctx, a->exp, r);
        a->exp = NULL;
    }
    sess_emit(f, dir, r);
    acc_close(a);
}

void
acc_rec(const struct flow *f, int dir, const struct acc *a, struct rec *r,
             int kind)
{
    sess_rec_line(f, dir, NULL, r, kind);
    r->pkt = a->pkt_last;
    r->pkt_first = a->pkt_first;
    r->ts = a->ts_last;
    r->ts_first = a->ts_first;
    r->nseg = a->nseg;
    r->len = (uint32_t)(a->wire > UINT32_MAX ? UINT32_MAX : a->wire);
    r->size = a->size;
    r->lines = a->lines;
    r->flags = a->flags;
    r->code = a->code;
    memcpy(r->verb, a->verb, sizeof r->verb);
    r->text.p = a->text;
    r->text.n = a->tn;
    r->raw.p = a->raw;
    r->raw.n = a->rn;
    r->marks = a->marks;
    r->nmarks = a->nmarks;
}

void
acc_free(struct flow *f)
{
    int d;

    for (d = 0; d < 2; d++) {
        exp_drop(f->sess->acc[d]);
        mem_give(&acc_pool, f->sess->acc[d]);
        f->sess->acc[d] = NULL;
    }
}
