/* tui_pane.c - the details tree and the bytes pane of the ncurses view
 * (t->pane: which are shown, focus, scrolling), and the escaped-line
 * helpers the other views share. Field names and
 * descriptions follow the registry (field.c); SMTP reply classes follow
 * RFC 5321 4.2.1. */
#include <arpa/inet.h>
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dissect/anom.h"
#include "../dissect/field.h"
#include "../dissect/tls.h"
#include "esc.h"
#include "fmt.h"
#include "tui_priv.h"

/* ---- lines ---- */

void
tui_lines_clear(struct tui_lines *L)
{
    size_t i;

    for (i = 0; i < L->n; i++)
        free(L->v[i].s);
    L->n = 0;
}

void
tui_lines_free(struct tui_lines *L)
{
    tui_lines_clear(L);
    free(L->v);
    L->v = NULL;
    L->cap = 0;
}

static void
lines_take(struct tui_lines *L, int attr, char *s)
{
    if (!s)
        return;
    if (L->n == L->cap) {
        size_t nc = L->cap ? L->cap * 2 : 64;
        struct tui_line *nv = realloc(L->v, nc * sizeof *nv);
        if (!nv) {
            free(s);
            return;
        }
        L->v = nv;
        L->cap = nc;
    }
    L->v[L->n].s = s;
    L->v[L->n].attr = attr;
    L->n++;
}

void
tui_lines_add(struct tui_lines *L, int attr, const char *s)
{
    lines_take(L, attr, strdup(s));
}

void
tui_lines_addf(struct tui_lines *L, int attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tui_lines_add(L, attr, buf);
}

void
tui_lines_esc(struct tui_lines *L, int attr, const char *prefix,
              const uint8_t *p, size_t n)
{
    size_t pl = strlen(prefix), sz = pl + 4 * n + 1;
    char *s = malloc(sz);

    if (!s)
        return;
    memcpy(s, prefix, pl);
    esc_bytes(s + pl, sz - pl, p ? p : (const uint8_t *)"", n, tui_escf());
    lines_take(L, attr, s);
}

/* Each line of s (split at \n) as its own escaped line. */
static void
lines_multi(struct tui_lines *L, int attr, const char *prefix,
            const struct rec_str *s, size_t maxl)
{
    const uint8_t *p = s->p, *end = s->p + s->n, *nl;
    size_t k = 0;

    if (!s->n)
        return;
    while (p < end && k < maxl) {
        nl = memchr(p, '\n', (size_t)(end - p));
        tui_lines_esc(L, attr, prefix, p, nl ? (size_t)(nl - p) : (size_t)(end - p));
        k++;
        if (!nl)
            break;
        p = nl + 1;
    }
    if (p < end && k == maxl)
        tui_lines_addf(L, attr, "%s[... more lines]", prefix);
}

void
tui_draw_lines(struct tui *t, const struct tui_lines *L, int y0, int h,
               size_t top, long hl)
{
    int y;
    size_t i;

    for (y = 0; y < h; y++) {
        i = top + (size_t)y;
        if (i >= L->n) {
            tui_put(y0 + y, 0, COLS, A_NORMAL, "");
            continue;
        }
        tui_put(y0 + y, 0, COLS,
                tui_attr(t, (long)i == hl ? TA_MATCH : L->v[i].attr), L->v[i].s);
    }
}

/* ---- details ---- */

static void
field_value(const struct fld_def *d, const struct fld_val *v, char *buf,
            size_t sz)
{
    struct rec_ep e;
    size_t o;

    switch (d->type) {
    case FT_BOOL:
        snprintf(buf, sz, "%s", v->u ? "True" : "False");
        break;
    case FT_UINT:
        snprintf(buf, sz, "%llu", (unsigned long long)v->u);
        break;
    case FT_STR:
        if (sz < 3) {
            buf[0] = 0;
            break;
        }
        buf[0] = '"';
        esc_bytes(buf + 1, sz - 2, v->s, v->n, ESC_ELLIPSIS | tui_escf());
        o = strlen(buf);
        buf[o] = '"';
        buf[o + 1] = 0;
        break;
    case FT_ADDR:
        memset(&e, 0, sizeof e);
        e.family = v->addr.family;
        memcpy(e.addr, v->addr.a, 16);
        fmt_addr(&e, buf, sz);
        break;
    case FT_TIME:
        snprintf(buf, sz, "%lld.%09u s", (long long)v->t.sec, (unsigned)v->t.nsec);
        break;
    default:
        buf[0] = 0;
        break;
    }
}

/* The TLS layer: what a handshake step says, or what decrypted records
 * came in. */
static void
tls_layer(struct tui_lines *L, const struct rec *r)
{
    const struct rec_tls *t = &r->tls;
    char info[600];

    tui_lines_addf(L, TA_TITLE, "Transport Layer Security%s",
                   (r->flags & REC_F_DECRYPTED) ? ", decrypted with the key log" : "");
    if (t->version)
        tui_lines_addf(L, TA_NORMAL, "    Version: %s (0x%04x)", tls_version_name(t->version),
                       (unsigned)t->version);
    if (t->suite)
        tui_lines_addf(L, TA_NORMAL, "    Cipher suite: %s (0x%04x)", tls_suite_name(t->suite),
                       (unsigned)t->suite);
    if (r->kind != REC_TLS)
        return;
    fmt_info_esc(r, info, sizeof info, tui_escf());
    tui_lines_addf(L, (r->flags & ANOM_F(ANOM_TLS_BAD_RECORD)) || t->alert_level == 2
                   ? TA_ERROR : TA_NORMAL, "    %s", info + 3);     /* not "C: " */
    if (t->hs_type)
        tui_lines_addf(L, TA_NORMAL, "    Handshake type: %s (%u)", tls_hs_type_name(t->hs_type),
                       (unsigned)t->hs_type);
    if (t->sni.n)
        tui_lines_esc(L, TA_NORMAL, "    Server name (SNI): ", t->sni.p, t->sni.n);
    if (t->subject.n)
        tui_lines_esc(L, TA_NORMAL, "    Subject: ", t->subject.p, t->subject.n);
    if (t->issuer.n)
        tui_lines_esc(L, TA_NORMAL, "    Issuer: ", t->issuer.p, t->issuer.n);
    if (t->alert_level)
        tui_lines_addf(L, TA_NORMAL, "    Alert: level %s (%u), %s (%u)",
                       tls_alert_level_name(t->alert_level), (unsigned)t->alert_level,
                       tls_alert_name(t->alert_desc), (unsigned)t->alert_desc);
    if (!t->hs_type && !t->alert_level)
        tui_lines_addf(L, TA_NORMAL, "    %llu bytes in %u record%s, not decrypted",
                       (unsigned long long)r->size, (unsigned)t->records,
                       t->records == 1 ? "" : "s");
    if (t->reason.n)
        tui_lines_esc(L, TA_NOTE, "    Why: ", t->reason.p, t->reason.n);
}

static void
details_fields(struct tui_lines *L, const struct rec *r)
{
    static struct fld_val v[FLD_MAXV];
    const struct fld_def *tab;
    size_t ntab, i;
    char val[600];
    int k, n;

    tab = fld_table(&ntab);
    tui_lines_add(L, TA_TITLE, "Fields (display filter names)");
    for (i = 0; i < ntab; i++) {
        memset(v, 0, sizeof v);
        n = tab[i].get(r, v, FLD_MAXV);
        if (n <= 0)
            continue;
        if (tab[i].type == FT_PROTO) {
            tui_lines_addf(L, TA_NORMAL, "    %s", tab[i].name);
            continue;
        }
        for (k = 0; k < n && k < 16; k++) {
            field_value(&tab[i], &v[k], val, sizeof val);
            tui_lines_addf(L, TA_NORMAL, "    %s: %s", tab[i].name, val);
        }
        if (n > 16)
            tui_lines_addf(L, TA_NORMAL, "    %s: [%d more values]", tab[i].name,
                           n - 16);
    }
}

static void
details_cred(struct tui_lines *L, const struct rec *r)
{
    const struct rec_cred *c = &r->cred;
    int sec = (r->flags & REC_F_CRED) || r->kind == REC_CRED;

    if (!c->mech && !c->user.n && !c->secret.n && r->kind != REC_AUTH &&
        r->kind != REC_CRED)
        return;
    tui_lines_add(L, sec ? TA_CRED : TA_TITLE, "Authentication");
    if (c->mech == AUTH_OTHER && c->mech_name.n)
        tui_lines_esc(L, TA_NORMAL, "    Mechanism: ", c->mech_name.p, c->mech_name.n);
    else if (c->mech)
        tui_lines_addf(L, TA_NORMAL, "    Mechanism: %s", auth_mech_name(c->mech));
    if (r->kind == REC_AUTH)
        tui_lines_esc(L, TA_NORMAL, "    SASL data (base64): ", r->text.p, r->text.n);
    if (c->authzid.n)
        tui_lines_esc(L, TA_NORMAL, "    Authorization identity: ", c->authzid.p,
                      c->authzid.n);
    if (c->user.n)
        tui_lines_esc(L, TA_CRED, "    User (decoded): ", c->user.p, c->user.n);
    if (c->secret.n || (r->flags & REC_F_CRED)) {
        char pre[80];
        snprintf(pre, sizeof pre, "    Secret (%s%s): ",
                 secret_kind_name(c->secret_kind)[0] ?
                 secret_kind_name(c->secret_kind) : "secret",
                 r->flags & REC_F_MASKED ? ", masked" : "");
        tui_lines_esc(L, TA_CRED, pre, c->secret.p, c->secret.n);
    }
    if (c->challenge.n)
        tui_lines_esc(L, TA_NORMAL, "    Challenge: ", c->challenge.p, c->challenge.n);
    if (r->kind == REC_CRED) {
        tui_lines_addf(L, c->result == CRED_REJECTED ? TA_ERROR : TA_NORMAL,
                       "    Verdict: %s", cred_result_name(c->result));
        if (c->reply.n)
            tui_lines_esc(L, TA_NORMAL, "    Server said: ", c->reply.p, c->reply.n);
        if (c->user_pkt)
            tui_lines_addf(L, TA_NORMAL, "    User sent in frame %llu",
                           (unsigned long long)c->user_pkt);
        if (c->secret_pkt)
            tui_lines_addf(L, TA_NORMAL, "    Secret sent in frame %llu",
                           (unsigned long long)c->secret_pkt);
    }
}

static void
details(struct tui *t, const struct rec *r, int mark)
{
    struct tui_lines *L = &t->pane.det;
    const struct proto_ops *P = proto_get(r->proto);
    char a[64], b[64], tm[64], rel[64], ex[256];
    const char *desc;
    int i, any = 0;

    tui_lines_clear(L);
    if (mark >= 0 && mark < r->nmarks) {
        size_t off = r->marks[mark].off, end = r->raw.n;
        if (mark + 1 < r->nmarks && r->marks[mark + 1].off < end)
            end = r->marks[mark + 1].off;
        struct ms_time pt;
        tui_lines_addf(L, TA_TITLE, "Packet %llu: bytes %zu..%zu of this message "
                       "(packet %d of %u)", (unsigned long long)r->marks[mark].pkt,
                       off, end > off ? end - 1 : off, mark + 1, (unsigned)r->nmarks);
        if (rows_mark_time(r, mark, &pt) == 0) {
            fmt_time(&pt, TF_ABS_DATE, &pt, r->clock, tm, sizeof tm);
            fmt_time(&pt, TF_REL, &pt, r->clock, rel, sizeof rel);
            tui_lines_addf(L, TA_NORMAL, "    Packet time: %s (%s s after the "
                           "first packet)", tm, rel);
        } else {
            tui_lines_add(L, TA_NORMAL, "    Packet time: not kept (a message "
                          "keeps the times of its first and last packets)");
        }
    }
    fmt_time(&r->ts, TF_ABS_DATE, &r->ts, r->clock, tm, sizeof tm);
    fmt_time(&r->ts, TF_REL, &r->ts, r->clock, rel, sizeof rel);
    if (r->pkt_first && r->pkt_first != r->pkt)
        tui_lines_addf(L, TA_TITLE, "Frames %llu..%llu, %u segment%s, %u bytes on the wire",
                       (unsigned long long)r->pkt_first, (unsigned long long)r->pkt,
                       (unsigned)r->nseg, r->nseg == 1 ? "" : "s", (unsigned)r->len);
    else
        tui_lines_addf(L, TA_TITLE, "Frame %llu, %u segment%s, %u bytes on the wire",
                       (unsigned long long)r->pkt, (unsigned)r->nseg,
                       r->nseg == 1 ? "" : "s", (unsigned)r->len);
    tui_lines_addf(L, TA_NORMAL, "    Arrival time: %s (%s s after the first packet)",
                   tm, rel);
    if (r->pkt_first && r->pkt_first != r->pkt) {
        fmt_time(&r->ts_first, TF_ABS_DATE, &r->ts_first, r->clock, tm, sizeof tm);
        tui_lines_addf(L, TA_NORMAL, "    First packet (%llu) time: %s",
                       (unsigned long long)r->pkt_first, tm);
    }
    fmt_addr(&r->src, a, sizeof a);
    fmt_addr(&r->dst, b, sizeof b);
    tui_lines_addf(L, TA_TITLE, "Internet Protocol Version %d, Src: %s, Dst: %s",
                   r->src.family == 6 ? 6 : 4, a, b);
    tui_lines_addf(L, TA_TITLE, "Transmission Control Protocol, Src Port: %u, "
                   "Dst Port: %u, Stream: %u (%s)", (unsigned)r->src.port,
                   (unsigned)r->dst.port, (unsigned)r->flow,
                   r->dir == DIR_C2S ? "client -> server" : "server -> client");
    if (r->kind == REC_TLS || (r->flags & REC_F_DECRYPTED))
        tls_layer(L, r);
    tui_lines_addf(L, TA_TITLE, "%s, %s", P ? P->title : "Unknown protocol",
                   rec_kind_name(r->kind));
    if (r->verb[0]) {
        char verb[40];
        esc_bytes(verb, sizeof verb, (const uint8_t *)r->verb,
                  strnlen(r->verb, sizeof r->verb), 0);
        desc = NULL;
        if (r->kind == REC_CMD || r->kind == REC_AUTH)
            desc = P ? P->cmd_desc(r->verb) : NULL;
        if (r->kind == REC_CMD)
            tui_lines_addf(L, TA_NORMAL, "    Command: %s%s%s", verb,
                           desc ? " - " : "", desc ? desc : "");
        else if (r->kind != REC_REPLY && r->kind != REC_CRED)
            tui_lines_addf(L, TA_NORMAL, "    Verb: %s", verb);
    }
    if (r->kind == REC_REPLY && P && P->reply_explain(r, ex, sizeof ex))
        tui_lines_addf(L, fmt_is_error(r) ? TA_ERROR : TA_NORMAL, "    %s", ex);
    if (r->arg.n && r->kind != REC_CRED)
        tui_lines_esc(L, r->flags & REC_F_CRED ? TA_CRED : TA_NORMAL,
                      r->kind == REC_REPLY ? "    Reply text: " : "    Parameter: ",
                      r->arg.p, r->arg.n);
    if (r->text.n && r->kind != REC_CRED) {
        if (r->lines > 1 || memchr(r->text.p, '\n', r->text.n)) {
            tui_lines_addf(L, TA_NORMAL, "    Text (%u lines):", (unsigned)r->lines);
            lines_multi(L, (r->flags & REC_F_CRED) ? TA_CRED : TA_NORMAL,
                        "        ", &r->text, 200);
        } else {
            tui_lines_esc(L, (r->flags & REC_F_CRED) ? TA_CRED : TA_NORMAL,
                          "    Text: ", r->text.p, r->text.n);
        }
    }
    if (r->kind == REC_BODY)
        tui_lines_addf(L, TA_NORMAL, "    Size: %llu bytes after dot-unstuffing",
                       (unsigned long long)r->size);
    if (r->kind == REC_NOTE)
        tui_lines_addf(L, TA_NOTE, "    Gap: %llu bytes never captured",
                       (unsigned long long)r->size);
    if (r->kind == REC_DATA)
        tui_lines_addf(L, TA_NOTE, "    Not mail: %llu bytes held before the verdict, "
                       "no commands, credentials or messages taken from it "
                       "(first bytes in the bytes pane)", (unsigned long long)r->size);
    if (r->detect)
        tui_lines_addf(L, TA_NORMAL, "    Protocol chosen by: %s", det_how_name(r->detect));
    if (r->dir == DIR_C2S && (r->typed.n || r->nseg > 1 ||
        (r->flags & ((ANOM_F(ANOM_EDITED)) | (ANOM_F(ANOM_TELNET_IAC)))))) {
        tui_lines_add(L, TA_TITLE, "Typed line (telnet)");
        if (r->typed.n)
            tui_lines_esc(L, TA_NORMAL, "    Raw keystrokes: ", r->typed.p, r->typed.n);
        tui_lines_addf(L, TA_NORMAL, "    Keystroke segments: %u", (unsigned)r->nseg);
        tui_lines_addf(L, TA_NORMAL, "    Edited (BS, DEL, ^U): %s",
                       r->flags & (ANOM_F(ANOM_EDITED)) ? "yes" : "no");
        tui_lines_addf(L, TA_NORMAL, "    Telnet IAC removed: %s",
                       r->flags & (ANOM_F(ANOM_TELNET_IAC)) ? "yes" : "no");
    }
    details_cred(L, r);
    for (i = 0; i < IMF_N; i++) {
        if (!r->imf[i].n)
            continue;
        if (!any++)
            tui_lines_add(L, TA_TITLE, "Internet Message Format headers");
        {
            char pre[40];
            snprintf(pre, sizeof pre, "    %s: ", imf_name(i));
            tui_lines_esc(L, TA_NORMAL, pre, r->imf[i].p, r->imf[i].n);
        }
    }
    any = 0;
    for (i = 0; i < ANOM_N; i++) {
        if (!(r->flags & (1u << i)))
            continue;
        if (!any++)
            tui_lines_add(L, TA_TITLE, "Anomalies");
        tui_lines_addf(L, TA_ERROR, "    %s: %s", anom_name(i), anom_desc(i));
    }
    if (r->flags & (REC_F_CRED | REC_F_MASKED))
        tui_lines_addf(L, TA_CRED, "Flags:%s%s", r->flags & REC_F_CRED ?
                       " carries a secret" : "", r->flags & REC_F_MASKED ?
                       " (masked)" : "");
    details_fields(L, r);
}

/* ---- bytes ---- */

static size_t
bytes_rows(const struct rec *r)
{
    return (r->raw.n + 15) / 16;
}

static int
is_mark(const struct rec *r, size_t off, uint64_t *pkt)
{
    int m;

    for (m = 0; m < r->nmarks; m++)
        if (r->marks[m].off == off) {
            *pkt = r->marks[m].pkt;
            return 1;
        }
    return 0;
}

/* Hex and ASCII of r->raw, 16 bytes a row. The first byte of each packet
 * is underlined and the row names the packet(s) starting in it; in the
 * packet view the selected packet's bytes are reversed. */
static void
draw_bytes(struct tui *t, const struct rec *r, int mark, int y0, int h)
{
    size_t rows = bytes_rows(r), row, off, i, hs = 0, he = 0;
    char buf[32], note[64];
    uint64_t pkt;
    int y, x, nm;

    if (mark >= 0 && mark < r->nmarks) {
        hs = r->marks[mark].off;
        he = mark + 1 < r->nmarks ? r->marks[mark + 1].off : r->raw.n;
    }
    for (y = 0; y < h; y++) {
        row = t->pane.bytes_top + (size_t)y;
        tui_put(y0 + y, 0, COLS, A_NORMAL, "");
        if (row >= rows) {
            if (row == 0 && y == 0)
                tui_put(y0, 0, COLS, A_NORMAL, r->len ?
                        "  (no bytes kept for this message)" :
                        "  (synthesized from other messages: no bytes of its own)");
            continue;
        }
        off = row * 16;
        snprintf(buf, sizeof buf, "%04zx ", off);
        tui_put(y0 + y, 0, 5, A_DIM, buf);
        note[0] = 0;
        nm = 0;
        for (i = 0; i < 16; i++) {
            int attr = A_NORMAL, c;
            if (off + i >= r->raw.n)
                break;
            c = r->raw.p[off + i];
            if (is_mark(r, off + i, &pkt)) {
                attr |= A_UNDERLINE | A_BOLD;
                if (!nm++)
                    snprintf(note, sizeof note, " pkt %llu", (unsigned long long)pkt);
                else
                    snprintf(note + strlen(note), sizeof note - strlen(note), ",%llu",
                             (unsigned long long)pkt);
            }
            if (off + i >= hs && off + i < he)
                attr |= A_REVERSE;
            x = 6 + (int)i * 3 + (i >= 8);
            snprintf(buf, sizeof buf, "%02x", (unsigned)c);
            if (x + 2 <= COLS)
                tui_put(y0 + y, x, 2, attr, buf);
            buf[0] = c >= 0x20 && c < 0x7f ? (char)c : '.';
            buf[1] = 0;
            x = 6 + 16 * 3 + 2 + (int)i;
            if (x < COLS)
                tui_put(y0 + y, x, 1, attr, buf);
        }
        x = 6 + 16 * 3 + 2 + 16;
        if (note[0] && x < COLS)
            tui_put(y0 + y, x, COLS - x, tui_attr(t, TA_NOTE), note);
    }
}

/* ---- the panes under the table ---- */

void
tui_pane_init(struct tui *t)
{
    t->pane.show_det = t->pane.show_bytes = 1;
}

void
tui_pane_free(struct tui *t)
{
    tui_lines_free(&t->pane.det);
}

void
tui_pane_drop(struct tui *t, size_t d)
{
    (void)d;
    t->pane.det_rec = 0;
}

int
tui_pane_focus(const struct tui *t)
{
    return t->pane.focus;
}

int
tui_pane_count(const struct tui *t)
{
    return t->pane.show_det + t->pane.show_bytes;
}

int
tui_pane_shown(const struct tui *t, int which)
{
    return which == 1 ? t->pane.show_det : which == 2 ? t->pane.show_bytes : 1;
}

void
tui_pane_draw(struct tui *t, const struct tui_layout *L)
{
    struct tui_pane *P = &t->pane;
    struct rec r;
    size_t idx, o, rows;
    int m = -1;
    uint16_t k;
    char title[200];

    if (L->dy < 0 && L->by < 0)
        return;
    if (rows_at(&t->rows, t->rows.sel, &idx, &m) < 0 || tui_get(t, idx, &r) < 0) {
        if (L->dy >= 0) {
            tui_put(L->dy, 0, COLS, tui_attr(t, TA_TITLE), " Details");
            tui_lines_clear(&P->det);
            tui_draw_lines(t, &P->det, L->dy + 1, L->dh, 0, -1);
        }
        if (L->by >= 0) {
            tui_put(L->by, 0, COLS, tui_attr(t, TA_TITLE), " Bytes");
            tui_lines_clear(&P->det);
            tui_draw_lines(t, &P->det, L->by + 1, L->bh, 0, -1);
        }
        P->det_rec = 0;
        return;
    }
    if (P->det_rec != idx + 1 || P->det_mark != (uint16_t)m ||
        P->det_pkt != t->rows.pktview) {
        details(t, &r, m);
        P->det_rec = idx + 1;
        P->det_mark = (uint16_t)m;
        P->det_pkt = t->rows.pktview;
        P->det_top = 0;
        P->bytes_top = 0;
    }
    if (L->dy >= 0) {
        if (P->det_top + (size_t)L->dh > P->det.n)
            P->det_top = P->det.n > (size_t)L->dh ? P->det.n - (size_t)L->dh : 0;
        snprintf(title, sizeof title, " Details: frame %llu%s%s",
                 (unsigned long long)r.pkt, P->focus == 1 ? "  [focus]" : "",
                 P->det.n > (size_t)L->dh ? "  (scroll: Tab to focus, arrows)" : "");
        tui_put(L->dy, 0, COLS, tui_attr(t, TA_TITLE), title);
        tui_draw_lines(t, &P->det, L->dy + 1, L->dh, P->det_top, -1);
    }
    if (L->by >= 0) {
        rows = bytes_rows(&r);
        if (P->bytes_top + (size_t)L->bh > rows)
            P->bytes_top = rows > (size_t)L->bh ? rows - (size_t)L->bh : 0;
        o = (size_t)snprintf(title, sizeof title, " Bytes: %u on the wire, %u kept%s;"
                             " %u packet%s:", (unsigned)r.len, (unsigned)r.raw.n,
                             P->focus == 2 ? " [focus]" : "", (unsigned)r.nmarks,
                             r.nmarks == 1 ? "" : "s");
        /* Packet boundaries: packet number @ offset in the bytes below. */
        for (k = 0; k < r.nmarks && o < sizeof title; k++)
            o += (size_t)snprintf(title + o, sizeof title - o, " %llu@%u",
                                  (unsigned long long)r.marks[k].pkt,
                                  (unsigned)r.marks[k].off);
        tui_put(L->by, 0, COLS, tui_attr(t, TA_TITLE), title);
        draw_bytes(t, &r, m, L->by + 1, L->bh);
    }
}

static void
next_focus(struct tui_pane *P, int step)
{
    do
        P->focus = (P->focus + step) % 3;
    while ((P->focus == 1 && !P->show_det) || (P->focus == 2 && !P->show_bytes));
}

/* 2 and 3 open a pane and focus it; pressed again on the focused pane,
 * close it. */
static void
toggle(struct tui_pane *P, int which)
{
    int *shown = which == 1 ? &P->show_det : &P->show_bytes;

    if (!*shown) {
        *shown = 1;
        P->focus = which;
    } else if (P->focus == which) {
        *shown = 0;
        P->focus = 0;
    } else {
        P->focus = which;
    }
}

int
tui_pane_key(struct tui *t, int ch)
{
    struct tui_pane *P = &t->pane;

    if (P->focus == 1 || P->focus == 2) {
        size_t *top = P->focus == 1 ? &P->det_top : &P->bytes_top;
        switch (ch) {
        case KEY_UP: case 'k':
            if (*top) (*top)--;
            return 1;
        case KEY_DOWN: case 'j':
            (*top)++;
            return 1;
        case KEY_PPAGE:
            *top = *top > 5 ? *top - 5 : 0;
            return 1;
        case KEY_NPAGE:
            *top += 5;
            return 1;
        case KEY_HOME: case 'g':
            *top = 0;
            return 1;
        }
    }
    switch (ch) {
    case '\t':
        next_focus(P, 1);
        return 1;
    case KEY_BTAB:
        next_focus(P, 2);
        return 1;
    case '1':
        P->focus = 0;
        return 1;
    case '2':
        toggle(P, 1);
        return 1;
    case '3':
        toggle(P, 2);
        return 1;
    }
    return 0;
}
