/* sess.c - the record toolkit shared by the protocols: records from
 * lines, emission, the pipelined-command queue, verbs and telnet line
 * editing. It calls no protocol and no stage above it. */
#include <string.h>

#include "anom.h"
#include "ctx.h"
#include "sess.h"
#include "telnet.h"

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
    r->clock = f->sess->d->clock;
    r->detect = f->sess->how;
}

uint64_t
sess_pkt(const struct flow *f)
{
    return f->sess->d->pkt;
}

struct ms_time
sess_ts(const struct flow *f)
{
    return f->sess->d->ts;
}

void
sess_rec_line(const struct flow *f, int dir, const struct line *ln,
              struct rec *r, int kind)
{
    rec_head(f, dir, r, kind);
    if (!ln) {
        r->pkt = r->pkt_first = f->sess->d->pkt;
        r->ts = r->ts_first = f->sess->d->ts;
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
sess_emit(struct flow *f, int dir, struct rec *r)
{
    r->flags |= f->pend[dir];
    f->pend[dir] = 0;
    if ((f->sess->tls_plain >> r->dir & 1) && r->kind != REC_TLS) {
        /* what TLS records carried: the layer they came in */
        r->flags |= REC_F_DECRYPTED;
        r->tls.version = f->sess->tls_version;
        r->tls.suite = f->sess->tls_suite;
    }
    if (r->text.n > LIM_TEXT) {
        r->text.n = LIM_TEXT;
        r->flags |= ANOM_F(ANOM_TRUNCATED);
    }
    rec_emit(&f->sess->d->sink, r);
}

const uint8_t *
sess_edit(struct flow *f, const struct line *ln, size_t *n, uint64_t *flags,
          int *typed)
{
    uint8_t *buf = f->sess->d->edit_buf;
    uint64_t fl = 0;

    *typed = 0;
    if (!f->sess->telnet && tn_is_negotiation(ln->p, ln->n))
        f->sess->telnet = 1;
    if (!tn_needs_edit(ln->p, ln->n, f->sess->telnet)) {
        *n = ln->n;
        return ln->p;
    }
    *n = tn_edit(ln->p, ln->n, buf, sizeof f->sess->d->edit_buf,
                 f->sess->telnet, &fl);
    *flags |= fl;
    *typed = 1;
    return buf;
}

void
sess_start_tls(struct flow *f)
{
    f->sess->want_tls = 1;
}

void
sess_verb(char *dst, size_t dstsz, const uint8_t *p, size_t n)
{
    size_t i;

    /* Zeroed to the end, a verb compares as whole words (smtp.c
     * cmd_of); the bytes are written over the zeros. The usual 16-byte
     * verb takes one store (a verb built in a local and copied would
     * wait for the byte stores). */
    if (dstsz == 16)
        memset(dst, 0, 16);
    else
        memset(dst, 0, dstsz);
    if (n >= dstsz)
        n = dstsz - 1;
    for (i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c >= 'a' && c <= 'z')
            c = (uint8_t)(c - 32);
        /* The verb is an identifier; keep anything odd out of it. */
        dst[i] = (char)(c > 0x20 && c < 0x7f ? c : '?');
    }
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
sess_push(struct flow *f, uint8_t cmd, uint8_t arg, const struct rec *r)
{
    struct pend p;

    memset(&p, 0, sizeof p);
    p.cmd = cmd;
    p.arg = arg;
    if (r) {
        memcpy(p.verb, r->verb, sizeof p.verb);
        p.pkt = r->pkt;
        p.ts = r->ts;
    } else {
        p.pkt = f->sess->d->pkt;
        p.ts = f->sess->d->ts;
    }
    sess_repush(f, &p);
}

void
sess_answers(struct rec *r, const struct pend *p)
{
    r->req_pkt = p->pkt;
    r->req_ts = p->ts;
    memcpy(r->req_verb, p->verb, sizeof r->req_verb);
}

void
sess_repush(struct flow *f, const struct pend *p)
{
    struct sess *s = f->sess;

    if (s->qn == LIM_PIPELINE) {
        /* Drop the oldest: its reply will be matched to the next one. */
        f->pend[DIR_S2C] |= anom_hit(ANOM_PIPELINE_OVERFLOW);
        s->qhead = (uint8_t)((s->qhead + 1) % LIM_PIPELINE);
        s->qn--;
    }
    s->q[(s->qhead + s->qn) % LIM_PIPELINE] = *p;
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
