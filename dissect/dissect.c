/* dissect.c - the glue: packet -> flow -> in-order stream bytes -> lines
 * -> SMTP/POP3 events -> records. Also the record-building helpers that
 * smtp.c and pop3.c share (sess.h). */
#include <string.h>

#include "anom.h"
#include "auth.h"
#include "dissect.h"
#include "flow.h"
#include "ip.h"
#include "limits.h"
#include "mem.h"
#include "sess.h"
#include "tcp.h"
#include "telnet.h"

static struct {
    struct dis_cfg cfg;
    struct rec_sink sink;
    struct flow_table *flows;
    uint64_t pkt;               /* current packet */
    struct ms_time ts;
} D;

static void on_close(void *ctx, struct flow *f, int why);

/* Enough for the connections that are open at once in a busy capture. */
static struct mem_pool acc_pool = MEM_POOL(MEM_STREAM, sizeof(struct acc), 64);
static struct mem_pool sess_pool = MEM_POOL(MEM_FLOW, sizeof(struct sess), 1024);

void
dis_default_ports(struct dis_cfg *c)
{
    memset(c, 0, sizeof *c);
    c->port_map[25] = PROTO_SMTP;
    c->port_map[587] = PROTO_SMTP;
    c->port_map[2525] = PROTO_SMTP;
    c->port_map[465] = PROTO_SMTP | DIS_PORT_TLS;
    c->port_map[110] = PROTO_POP;
    c->port_map[995] = PROTO_POP | DIS_PORT_TLS;
    c->max_flows = LIM_FLOWS;
}

int
dis_init(const struct dis_cfg *c, const struct rec_sink *sink)
{
    D.cfg = *c;
    D.sink = *sink;
    D.flows = flow_new(c->max_flows, on_close, NULL);
    return D.flows ? 0 : -1;
}

uint32_t
dis_flows(void)
{
    return D.flows ? flow_count(D.flows) : 0;
}

/* ---- records ---- */

/* What every record of a flow starts with. */
static void
rec_head(const struct flow *f, int dir, struct rec *r, int kind)
{
    const uint8_t *sa = dir == DIR_C2S ? f->caddr : f->saddr;
    const uint8_t *da = dir == DIR_C2S ? f->saddr : f->caddr;

    memset(r, 0, sizeof *r);
    r->flow = f->id;
    r->proto = f->proto;
    r->kind = (uint8_t)kind;
    r->dir = (uint8_t)dir;
    r->src.family = r->dst.family = f->family;
    memcpy(r->src.addr, sa, 16);
    memcpy(r->dst.addr, da, 16);
    r->src.port = dir == DIR_C2S ? f->cport : f->sport;
    r->dst.port = dir == DIR_C2S ? f->sport : f->cport;
}

void
sess_rec_line(const struct flow *f, int dir, const struct line *ln,
              struct rec *r, int kind)
{
    rec_head(f, dir, r, kind);
    if (!ln) {
        r->pkt = r->pkt_first = D.pkt;
        r->ts = r->ts_first = D.ts;
        return;
    }
    r->pkt = ln->pkt_last;
    r->pkt_first = ln->pkt_first;
    r->ts = ln->ts_last;
    r->ts_first = ln->ts_first;
    r->nseg = ln->nseg;
    r->len = (uint32_t)(ln->wire > UINT32_MAX ? UINT32_MAX : ln->wire);
    r->flags = ln->flags;
    r->text.p = ln->p;
    r->text.n = (uint32_t)ln->n;
    r->raw.p = ln->raw;
    r->raw.n = (uint32_t)ln->rawn;
    r->marks = ln->marks;
    r->nmarks = ln->nmarks;
    r->lines = 1;
}

void
sess_rec_acc(const struct flow *f, int dir, const struct acc *a, struct rec *r,
             int kind)
{
    rec_head(f, dir, r, kind);
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
sess_emit(struct flow *f, int dir, struct rec *r)
{
    r->flags |= f->pend[dir];
    f->pend[dir] = 0;
    if (r->text.n > LIM_TEXT) {
        r->text.n = LIM_TEXT;
        r->flags |= 1u << ANOM_TRUNCATED;
    }
    rec_emit(&D.sink, r);
}

static uint8_t edit_buf[LIM_LINE];

const uint8_t *
sess_edit(const struct line *ln, size_t *n, uint32_t *flags, int *typed)
{
    uint32_t fl = 0;

    *typed = 0;
    if (!tn_needs_edit(ln->p, ln->n)) {
        *n = ln->n;
        return ln->p;
    }
    *n = tn_edit(ln->p, ln->n, edit_buf, sizeof edit_buf, &fl);
    *flags |= fl;
    *typed = 1;
    return edit_buf;
}

int
sess_client_line(struct flow *f, const struct line *ln, struct rec *r)
{
    const uint8_t *t, *v, *arg;
    size_t n, vn, an;
    uint32_t fl = 0;
    int typed;

    t = sess_edit(ln, &n, &fl, &typed);
    sess_rec_line(f, DIR_C2S, ln, r, auth_in_sasl(f) ? REC_AUTH : REC_CMD);
    r->flags |= fl;
    r->text.p = t;
    r->text.n = (uint32_t)n;
    if (typed)
        r->typed = (struct rec_str){ ln->p, (uint32_t)ln->n };
    if (r->kind == REC_AUTH) {
        auth_response(f, t, n, ln, r);
        sess_emit(f, DIR_C2S, r);
        return 1;
    }
    sess_split(t, n, &v, &vn, &arg, &an);
    sess_verb(r->verb, sizeof r->verb, v, vn);
    r->arg.p = arg;
    r->arg.n = (uint32_t)an;
    return 0;
}

void
sess_verb(char *dst, size_t dstsz, const uint8_t *p, size_t n)
{
    size_t i;

    if (n >= dstsz)
        n = dstsz - 1;
    for (i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c >= 'a' && c <= 'z')
            c = (uint8_t)(c - 32);
        /* The verb is an identifier; keep anything odd out of it. */
        dst[i] = (char)(c > 0x20 && c < 0x7f ? c : '?');
    }
    dst[i] = 0;
}

void
sess_split(const uint8_t *p, size_t n, const uint8_t **verb, size_t *vn,
           const uint8_t **arg, size_t *an)
{
    size_t i = 0, j;

    while (i < n && p[i] != ' ')
        i++;
    *verb = p;
    *vn = i;
    j = i;
    while (j < n && p[j] == ' ')
        j++;
    *arg = p + j;
    *an = n - j;
}

void
sess_push(struct flow *f, uint8_t cmd, uint8_t arg)
{
    struct sess *s = f->sess;

    if (s->qn == LIM_PIPELINE) {
        /* Drop the oldest: its reply will be matched to the next one. */
        f->pend[DIR_S2C] |= anom_hit(ANOM_PIPELINE_OVERFLOW);
        s->qhead = (uint8_t)((s->qhead + 1) % LIM_PIPELINE);
        s->qn--;
    }
    s->q[(s->qhead + s->qn) % LIM_PIPELINE] = (struct pend){ cmd, arg };
    s->qn++;
}

int
sess_peek(struct flow *f, struct pend *p)
{
    struct sess *s = f->sess;

    if (!s->qn)
        return 0;
    *p = s->q[s->qhead];
    return 1;
}

int
sess_pop(struct flow *f, struct pend *p)
{
    struct sess *s = f->sess;

    if (!sess_peek(f, p))
        return 0;
    s->qhead = (uint8_t)((s->qhead + 1) % LIM_PIPELINE);
    s->qn--;
    return 1;
}

/* ---- accumulators ---- */

/* Body octets to the export sink, if this body is being exported. */
static void
exp_put(struct acc *a, const uint8_t *p, size_t n)
{
    if (a->exp && n)
        D.cfg.body->data(D.cfg.body->ctx, a->exp, p, n);
}

/* A body line longer than LIM_LINE, whole, as it streams by (line.h):
 * counted, and exported if the body is. */
static void
body_spill(void *ctx, const uint8_t *p, size_t n, int first)
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
        D.cfg.body->end(D.cfg.body->ctx, a->exp, NULL);
        a->exp = NULL;
    }
}

struct acc *
acc_open(struct flow *f, int dir, int body, const struct line *ln)
{
    struct acc *a = f->sess->acc[dir];

    if (!a) {
        a = mem_take(&acc_pool);
        if (!a)
            return NULL;
        a->exp = NULL;
        f->sess->acc[dir] = a;
    }
    exp_drop(a);
    if (body && D.cfg.body) {
        struct body_info bi = { f->id, f->proto, (uint8_t)dir,
                                ln ? ln->pkt_first : D.pkt };
        a->exp = D.cfg.body->begin(D.cfg.body->ctx, &bi);
    }
    a->active = 1;
    a->body = (uint8_t)body;
    a->in_hdr = (uint8_t)body;
    a->flags = 0;
    a->pkt_first = a->pkt_last = ln ? ln->pkt_first : D.pkt;
    a->ts_first = a->ts_last = ln ? ln->ts_first : D.ts;
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
static size_t
acc_body_bulk(struct acc *a, const uint8_t *p, size_t n, uint64_t pkt,
              const struct ms_time *ts, uint32_t flags)
{
    const uint8_t *q = p, *end = p + n, *lf;
    size_t len;

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
acc_full(const struct acc *a)
{
    return a->active && a->body && !a->in_hdr && a->tn >= LIM_TEXT && a->rn >= LIM_RAW;
}

static uint8_t imf_buf[IMF_N][LIM_ARG];

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
acc_headers(struct acc *a, struct rec *r)
{
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
        D.cfg.body->end(D.cfg.body->ctx, a->exp, r);
        a->exp = NULL;
    }
    sess_emit(f, dir, r);
    acc_close(a);
}

/* ---- streams ---- */

static struct sess *
sess_get(struct flow *f)
{
    if (!f->sess) {
        f->sess = mem_take(&sess_pool);
        if (f->sess)
            memset(f->sess, 0, sizeof *f->sess);
        if (f->sess && f->tls)
            f->sess->tls = 1;
    }
    return f->sess;
}

static void
burst_emit(struct flow *f, int dir)
{
    struct burst *b = &f->sess->burst[dir];
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
    r.flags = 1u << ANOM_TLS;
    memcpy(r.verb, "TLS", 4);
    anom_hit(ANOM_TLS);
    sess_emit(f, dir, &r);
    memset(b, 0, sizeof *b);
}

static void
burst_add(struct flow *f, int dir, size_t n, uint64_t pkt,
          const struct ms_time *ts)
{
    struct burst *b = &f->sess->burst[dir];

    if (f->sess->burst[!dir].bytes)
        burst_emit(f, !dir);
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
dispatch(struct flow *f, int dir, const struct line *ln)
{
    if (f->proto == PROTO_SMTP)
        smtp_on_line(f, dir, ln);
    else
        pop3_on_line(f, dir, ln);
}

static void
app_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
         const struct ms_time *ts, uint32_t flags)
{
    struct flow *f = ctx;
    struct sess *s = sess_get(f);
    struct line_src src = { pkt, *ts, flags, NULL, NULL };
    struct line ln;
    size_t k;
    int got;

    if (!s) {
        f->pend[dir] |= 1u << ANOM_MEMCAP;
        return;
    }
    if (!n) {
        /* A note from TCP about the bytes, e.g. a conflicting resend. */
        f->pend[dir] |= flags;
        return;
    }
    f->la[dir].crnul = dir == DIR_C2S;
    if (f->resync & (1u << dir)) {
        /* Picked up mid-stream: the first segment starts a line only if
         * it looks like one (a reply code or status for the server, a
         * verb for the client); otherwise skip past the first LF. */
        const uint8_t *lf;
        int starts = dir == DIR_S2C
            ? (p[0] >= '0' && p[0] <= '9') || p[0] == '+' || p[0] == '-'
            : (p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z';
        f->resync &= (uint8_t)~(1u << dir);
        if (!starts) {
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
        if (s->tls) {
            burst_add(f, dir, n, pkt, ts);
            return;
        }
        if (dir == DIR_C2S && s->raw_left) {
            k = smtp_on_raw(f, p, n, pkt, ts);
        } else if (!f->la[dir].held && s->acc[dir] && acc_full(s->acc[dir])
                   && (k = acc_body_bulk(s->acc[dir], p, n, pkt, ts, src.flags))) {
            src.flags = 0;
        } else {
            struct acc *a = s->acc[dir];
            /* a body counts (and exports) its long lines whole, the
             * same with or without export */
            src.spill = a && a->active && a->body ? body_spill : NULL;
            src.ctx = a;
            k = line_next(&f->la[dir], p, n, &src, &ln, &got);
            src.flags = 0;
            if (got)
                dispatch(f, dir, &ln);
        }
        p += k;
        n -= k;
    }
}

static void
app_gap(void *ctx, int dir, uint64_t len)
{
    struct flow *f = ctx;
    struct rec r;
    static const char txt[] = "bytes not captured";

    anom_hit(ANOM_GAP);
    line_gap(&f->la[dir]);
    if (!sess_get(f))
        return;
    sess_rec_line(f, dir, NULL, &r, REC_NOTE);
    r.size = len;
    r.flags = 1u << ANOM_GAP;
    memcpy(r.verb, "GAP", 4);
    r.text.p = (const uint8_t *)txt;
    r.text.n = sizeof txt - 1;
    sess_emit(f, dir, &r);
    f->pend[dir] |= 1u << ANOM_GAP;
    auth_abandon(f, 1u << ANOM_GAP);
    if (f->sess->tls)
        return;
    if (f->proto == PROTO_SMTP)
        smtp_on_gap(f, dir);
    else
        pop3_on_gap(f, dir);
}

static const struct tcp_out tcp_cb_proto = { app_data, app_gap, NULL };

static void
on_close(void *ctx, struct flow *f, int why)
{
    struct tcp_out o = tcp_cb_proto;
    struct line ln;
    int d;

    (void)ctx;
    (void)why;
    o.ctx = f;
    tcp_flush(&f->tcp[0], 0, &o);
    tcp_flush(&f->tcp[1], 1, &o);
    if (!f->sess)
        return;
    for (d = 0; d < 2; d++)
        if (!f->sess->tls && line_flush(&f->la[d], &ln))
            dispatch(f, d, &ln);
    if (f->sess->tls) {
        if (f->sess->burst[0].bytes && f->sess->burst[1].bytes
            && f->sess->burst[1].pkt_first < f->sess->burst[0].pkt_first) {
            burst_emit(f, 1);
        }
        burst_emit(f, 0);
        burst_emit(f, 1);
    } else if (f->proto == PROTO_SMTP) {
        smtp_on_close(f);
    } else {
        pop3_on_close(f);
    }
    auth_abandon(f, 0);
    auth_free(f);
    for (d = 0; d < 2; d++) {
        exp_drop(f->sess->acc[d]);
        mem_give(&acc_pool, f->sess->acc[d]);
    }
    mem_give(&sess_pool, f->sess);
    f->sess = NULL;
}

void
dis_l3(uint64_t num, const struct ms_time *ts, uint32_t caplen,
       uint32_t wirelen, int fam, const uint8_t *l3, size_t n)
{
    struct pkt p;
    struct tcp_seg s;
    struct flow_key k;
    struct flow *f;
    struct tcp_out o = tcp_cb_proto;
    uint8_t ps, pd;
    int dir;

    D.pkt = num;
    D.ts = *ts;
    if (!rec_t0_set) {
        rec_t0 = *ts;
        rec_t0_set = 1;
        /* Nanosecond captures show nine digits, like tshark. */
        rec_ts_prec = ts->nsec % 1000 ? 9 : 6;
    }
    p.num = num;
    p.ts = *ts;
    p.caplen = caplen;
    p.wirelen = wirelen;
    if (ip_parse(&p, fam, l3, n) < 0 || p.l4proto != 6)
        return;
    if (tcp_parse(p.l4, p.l4len, p.l4wire, &s) < 0) {
        if (p.l4len >= 4) {
            uint16_t sp = (uint16_t)(p.l4[0] << 8 | p.l4[1]);
            uint16_t dp = (uint16_t)(p.l4[2] << 8 | p.l4[3]);
            if (D.cfg.port_map[sp] || D.cfg.port_map[dp])
                anom_hit(ANOM_MALFORMED);
        }
        return;
    }
    ps = D.cfg.port_map[s.sport];
    pd = D.cfg.port_map[s.dport];
    if (!ps && !pd)
        return;
    /* The server is the side on the mail port; when both are, the SYN
     * tells, else the lower port. */
    if (pd && (!ps || ((s.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
               || (!(s.flags & TCP_SYN) && s.dport < s.sport)))
        dir = DIR_C2S;
    else
        dir = DIR_S2C;
    k.family = p.family;
    k.caddr = dir == DIR_C2S ? p.src : p.dst;
    k.saddr = dir == DIR_C2S ? p.dst : p.src;
    k.cport = dir == DIR_C2S ? s.sport : s.dport;
    k.sport = dir == DIR_C2S ? s.dport : s.sport;
    flow_expire(D.flows, ts);
    f = flow_lookup(D.flows, &k);
    if (f && dir == DIR_C2S && (s.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN
        && f->tcp[DIR_C2S].have && s.seq + 1 != f->tcp[DIR_C2S].next) {
        /* The 4-tuple is reused by a new connection. */
        flow_close(D.flows, f, FLOW_END_CLOSED);
        f = NULL;
    }
    if (!f) {
        if (!s.len && !(s.flags & TCP_SYN))
            return;
        if (s.flags & TCP_RST)
            return;
        f = flow_create(D.flows, &k, ts);
        if (!f)
            return;
        f->proto = (uint8_t)((dir == DIR_C2S ? pd : ps) & 0x0f);
        f->tls = ((dir == DIR_C2S ? pd : ps) & DIS_PORT_TLS) != 0;
        if (!(s.flags & TCP_SYN)) {
            f->pend[0] = f->pend[1] = anom_hit(ANOM_MIDSTREAM);
            f->resync = 3;
        }
    } else {
        flow_touch(D.flows, f, ts);
    }
    o.ctx = f;
    if (p.flags & (1u << ANOM_TRUNCATED))
        s.wirelen = s.wirelen > s.len ? s.wirelen : s.len;
    if (s.flags & TCP_ACK)
        tcp_acked(&f->tcp[!dir], !dir, s.ack, &o);
    tcp_segment(&f->tcp[dir], dir, &s, num, ts, p.flags, &o);
    if (s.flags & TCP_FIN)
        f->fin |= (uint8_t)(1u << dir);
    if ((s.flags & TCP_RST) || f->fin == 3)
        flow_close(D.flows, f, FLOW_END_CLOSED);
}

void
dis_finish(void)
{
    if (D.flows) {
        flow_destroy(D.flows);
        D.flows = NULL;
    }
}
