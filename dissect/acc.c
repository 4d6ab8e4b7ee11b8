/* acc.c - accumulators (acc.h): multi-line replies, listings and
 * message bodies; the header block of a body (RFC 5322 2.2); body octets
 * to the export sink as they stream by. */
#include <string.h>

#include "acc.h"
#include "anom.h"
#include "ctx.h"
#include "mem.h"
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
    a->tn = a->rn = a->hn = 0;
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

int
acc_body_line(struct acc *a, const struct line *ln)
{
    const uint8_t *p = ln->p;
    size_t n = ln->n;
    uint64_t clen = ln->clen;

    acc_note(a, ln);
    if (n == 1 && p[0] == '.' && ln->eol != EOL_NONE)
        return 1;
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
        if (!n)
            a->in_hdr = 0;
        append(a->hdr, &a->hn, LIM_HDR_SCAN, p, n);
        append(a->hdr, &a->hn, LIM_HDR_SCAN, (const uint8_t *)"\n", 1);
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
            a->nmarks++;
        }
    }
    a->pkt_last = pkt;
    a->ts_last = *ts;
    a->wire += n;
    a->size += n;
    exp_put(a, p, n);
    append(a->raw, &a->rn, LIM_RAW, p, n);
    append(a->hdr, &a->hn, LIM_HDR_SCAN, p, n);
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

    if (!a->active || !a->body || a->in_hdr || a->tn < LIM_TEXT || a->rn < LIM_RAW)
        return 0;

    while (q < end && (lf = memchr(q, '\n', (size_t)(end - q)))) {
        len = (size_t)(lf + 1 - q);
        if (q[0] == '.') {
            if (len == 2 || (len == 3 && q[1] == '\r'))
                break;              /* "." alone: the normal path ends it */
            a->size--;              /* dot-stuffing */
        }
        if (len < 2 || lf[-1] != '\r')
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


static int
hdr_is(const uint8_t *p, size_t n, const char *name)
{
    size_t k = strlen(name), i;

    if (n < k + 1 || p[k] != ':')
        return 0;
    for (i = 0; i < k; i++)
        if ((p[i] | 0x20) != name[i])
            return 0;
    return 1;
}

void
acc_headers(struct flow *f, struct acc *a, struct rec *r)
{
    uint8_t (*imf_buf)[LIM_ARG] = f->sess->d->imf_buf;
    static const char *const names[IMF_N] = {
        "from", "to", "cc", "subject", "date", "message-id"
    };
    const uint8_t *p = a->hdr, *end = a->hdr + a->hn, *nl;
    int cur = -1, h;
    uint32_t len[IMF_N] = { 0 };

    while (p < end) {
        size_t n;
        nl = memchr(p, '\n', (size_t)(end - p));
        n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n && p[n - 1] == '\r')
            n--;
        if (!n)
            break;                          /* end of the header block */
        if (p[0] == ' ' || p[0] == '\t') {  /* folded (RFC 5322 2.2.3) */
            if (cur >= 0)
                append(imf_buf[cur], &len[cur], LIM_ARG, p, n);
        } else {
            cur = -1;
            for (h = 0; h < IMF_N; h++) {
                size_t k = strlen(names[h]);
                if (hdr_is(p, n, names[h]) && !len[h]) {
                    const uint8_t *v = p + k + 1;
                    size_t vn = n - k - 1;
                    while (vn && (*v == ' ' || *v == '\t')) {
                        v++;
                        vn--;
                    }
                    cur = h;
                    append(imf_buf[h], &len[h], LIM_ARG, v, vn ? vn : 0);
                    if (!vn)
                        len[h] = 0;
                    break;
                }
            }
        }
        p += n + (nl ? (size_t)(nl - p) - n + 1 : 0);
        if (!nl)
            break;
    }
    for (h = 0; h < IMF_N; h++) {
        r->imf[h].p = imf_buf[h];
        r->imf[h].n = len[h];
    }
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
