/* tui.c - the ncurses view: event loop, message table, filter bar,
 * status line. Dissection runs inside the loop in bounded batches so
 * keys are handled within 100 ms even while a large file loads. Every
 * byte from the network is drawn only after esc_bytes() (via fmt_info
 * or the tui_lines helpers), so no control byte reaches the terminal. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../capture/status.h"
#include "../dissect/field.h"
#include "esc.h"
#include "fmt.h"
#include "tui_priv.h"

/* Work per wake-up: packets read, records filtered, and a time budget,
 * whichever comes first. 2000 packets take a few ms; the budget keeps a
 * slow filter on a large store from holding keys back. */
#define TUI_PKT_BATCH    2000
#define TUI_FLT_BATCH    100000
#define TUI_BUDGET_MS    30
#define TUI_REDRAW_MS    100
#define TUI_MIN_TABLE    8

#define CTRL(c) ((c) & 0x1f)

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- drawing helpers ---- */

int
tui_attr(const struct tui *t, int ta)
{
    if (t->color) {
        switch (ta) {
        case TA_CLIENT: return COLOR_PAIR(1);
        case TA_SERVER: return COLOR_PAIR(2);
        case TA_ERROR: return COLOR_PAIR(3) | A_BOLD;
        case TA_CRED: return COLOR_PAIR(4) | A_BOLD;
        case TA_TITLE: return A_REVERSE | A_BOLD;
        case TA_NOTE: return COLOR_PAIR(5);
        case TA_MATCH: return COLOR_PAIR(6) | A_BOLD;
        case TA_GOOD: return COLOR_PAIR(7);
        case TA_BAD: return COLOR_PAIR(8);
        case TA_STATUS: return A_REVERSE;
        default: return A_NORMAL;
        }
    }
    switch (ta) {
    case TA_CLIENT: return A_BOLD;
    case TA_ERROR: return A_UNDERLINE;
    case TA_CRED: return A_BOLD | A_REVERSE;
    case TA_TITLE: return A_REVERSE | A_BOLD;
    case TA_NOTE: return A_UNDERLINE;
    case TA_MATCH: return A_REVERSE;
    case TA_BAD: return A_REVERSE | A_UNDERLINE;
    case TA_STATUS: return A_REVERSE;
    default: return A_NORMAL;
    }
}

/* Draw our own printable text, cut or padded to w columns. Bytes that are
 * not printable ASCII (only possible in a -Y argument) show as '?'. */
void
tui_put(int y, int x, int w, int attr, const char *s)
{
    char line[1024];
    int i, n;

    if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
        return;
    if (x + w > COLS)
        w = COLS - x;
    if (w > (int)sizeof line - 1)
        w = (int)sizeof line - 1;
    n = (int)strnlen(s, (size_t)w);
    for (i = 0; i < n; i++)
        line[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    for (; i < w; i++)
        line[i] = ' ';
    line[w] = 0;
    attrset(attr);
    mvaddnstr(y, x, line, w);
    attrset(A_NORMAL);
}

int
tui_get(const struct tui *t, size_t i, struct rec *r)
{
    return rec_store_get(t->st, i, r);
}

/* ---- records in ---- */

static void
on_rec(void *ctx, const struct rec *r)
{
    struct tui *t = ctx;
    char a[64];
    int w;

    /* Address columns as wide as the widest address seen (IPv4 on
     * loopback needs 9 columns, not 15): more room for Info at 80. */
    fmt_addr(&r->src, a, sizeof a);
    w = (int)strlen(a);
    fmt_addr(&r->dst, a, sizeof a);
    if ((int)strlen(a) > w)
        w = (int)strlen(a);
    if (w > t->addrw)
        t->addrw = w;
    if (r->clock)
        t->prec = r->clock->prec;
    /* A refusal (memcap with nothing left to drop) loses the record;
     * the store counts what it dropped, the status line shows it. */
    rec_store_add(t->st, r);
}

struct rec_sink
tui_sink(struct tui *t)
{
    struct rec_sink s = { on_rec, t };
    return s;
}

/* Read a bounded batch. Returns 1 if anything happened. */
static int
load_batch(struct tui *t)
{
    unsigned n;

    if (t->eof)
        return 0;
    n = t->src->step(t->src->ctx, TUI_PKT_BATCH, TUI_BUDGET_MS);
    t->src->status(t->src->ctx, &t->ss);
    t->eof = t->ss.state == SRC_READING ? 0 : t->ss.state == SRC_DONE ? 1 : 2;
    return n > 0 || t->eof;
}

/* ---- filtered rows ---- */

static size_t
nrows(const struct tui *t)
{
    return t->pktview ? t->nprow : t->nvis;
}

static int
vis_push(struct tui *t, size_t idx)
{
    if (t->nvis == t->vcap) {
        size_t nc = t->vcap ? t->vcap * 2 : 4096;
        size_t *nv = realloc(t->vis, nc * sizeof *nv);
        if (!nv)
            return -1;
        t->vis = nv;
        t->vcap = nc;
    }
    t->vis[t->nvis++] = idx;
    return 0;
}

static int
filter_batch(struct tui *t)
{
    size_t n = rec_store_count(t->st), k = 0;
    long long t0 = now_ms();
    struct rec r;

    if (t->fpos >= n)
        return 0;
    while (t->fpos < n && k < TUI_FLT_BATCH) {
        if (rec_store_get(t->st, t->fpos, &r) == 0 &&
            (!t->flt || flt_match(t->flt, &r)))
            if (vis_push(t, t->fpos) < 0)
                break;
        t->fpos++;
        if ((++k & 1023) == 0 && now_ms() - t0 > TUI_BUDGET_MS)
            break;
    }
    return 1;
}

static int
prow_cmp(const struct tui_prow *a, const struct tui_prow *b)
{
    if (a->pkt != b->pkt)
        return a->pkt < b->pkt ? -1 : 1;
    if (a->rec != b->rec)
        return a->rec < b->rec ? -1 : 1;
    return a->mark < b->mark ? -1 : a->mark > b->mark;
}

/* Packet rows: one per mark of each shown record, in packet order. New
 * rows are nearly sorted (a record's packets precede its completion), so
 * insertion from the tail is cheap. */
static int
prow_batch(struct tui *t)
{
    struct rec r;
    size_t k = 0;
    uint16_t m;

    if (!t->pktview || t->ppos >= t->nvis)
        return 0;
    while (t->ppos < t->nvis && k < TUI_FLT_BATCH) {
        size_t idx = t->vis[t->ppos++];
        k++;
        if (rec_store_get(t->st, idx, &r) < 0)
            continue;
        for (m = 0; m < r.nmarks; m++) {
            struct tui_prow row, *v;
            size_t j;
            if (t->nprow == t->pcap) {
                size_t nc = t->pcap ? t->pcap * 2 : 4096;
                struct tui_prow *np = realloc(t->prow, nc * sizeof *np);
                if (!np)
                    return 1;
                t->prow = np;
                t->pcap = nc;
            }
            row.pkt = r.marks[m].pkt;
            row.rec = idx;
            row.mark = m;
            v = t->prow;
            j = t->nprow++;
            while (j > 0 && prow_cmp(&v[j - 1], &row) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = row;
        }
    }
    return 1;
}

/* Remember which row is selected, to find it again after a change. */
static void
note_sel(struct tui *t)
{
    size_t n = nrows(t);

    if (!n) {
        return;
    }
    if (t->sel >= n)
        t->sel = n - 1;
    if (t->pktview) {
        t->sel_rec = t->prow[t->sel].rec;
        t->sel_mark = t->prow[t->sel].mark;
    } else {
        t->sel_rec = t->vis[t->sel];
        t->sel_mark = 0;
    }
    t->have_sel = 1;
}

/* Put the selection back on its row (or the next one shown). */
static void
sync_sel(struct tui *t)
{
    size_t n = nrows(t), lo = 0, hi;

    if (!n) {
        t->sel = 0;
        return;
    }
    if (t->tail || !t->have_sel) {
        t->sel = t->tail ? n - 1 : 0;
        return;
    }
    if (!t->pktview) {
        hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->vis[mid] < t->sel_rec)
                lo = mid + 1;
            else
                hi = mid;
        }
        t->sel = lo < n ? lo : n - 1;
        return;
    }
    if (t->sel < n && t->prow[t->sel].rec == t->sel_rec &&
        t->prow[t->sel].mark == t->sel_mark)
        return;
    for (lo = 0; lo < n; lo++)
        if (t->prow[lo].rec == t->sel_rec && t->prow[lo].mark == t->sel_mark)
            break;
    if (lo == n) {
        /* Its record no longer shows: the first row of a later record. */
        for (lo = 0; lo < n; lo++)
            if (t->prow[lo].rec >= t->sel_rec)
                break;
    }
    t->sel = lo < n ? lo : n - 1;
}

/* Live capture over the memcap: the store dropped its oldest records and
 * renumbered the rest. Shift every index we keep. */
static void
adjust_dropped(struct tui *t)
{
    uint64_t now = rec_store_dropped(t->st);
    size_t d, i, j;

    if (now == t->dropped)
        return;
    d = (size_t)(now - t->dropped);
    t->dropped = now;
    for (i = j = 0; i < t->nvis; i++)
        if (t->vis[i] >= d)
            t->vis[j++] = t->vis[i] - d;
    t->ppos = t->ppos > t->nvis - j ? t->ppos - (t->nvis - j) : 0;
    t->nvis = j;
    for (i = j = 0; i < t->nprow; i++)
        if (t->prow[i].rec >= d) {
            t->prow[j] = t->prow[i];
            t->prow[j++].rec -= d;
        }
    t->nprow = j;
    for (i = j = 0; i < t->ncr; i++)
        if (t->cr[i] >= d)
            t->cr[j++] = t->cr[i] - d;
    t->ncr = j;
    t->fpos = t->fpos > d ? t->fpos - d : 0;
    t->crscan = t->crscan > d ? t->crscan - d : 0;
    t->fscan = t->fscan > d ? t->fscan - d : 0;
    t->sel_rec = t->sel_rec > d ? t->sel_rec - d : 0;
    t->det_rec = 0;
    if (t->crsel >= t->ncr)
        t->crsel = t->ncr ? t->ncr - 1 : 0;
}

/* Has the current list caught up with the store? Until then the selected
 * row may not be in it yet, and must not be forgotten. */
static int
list_complete(const struct tui *t)
{
    return t->fpos >= rec_store_count(t->st) && (!t->pktview || t->ppos >= t->nvis);
}

static void
restart_filter(struct tui *t)
{
    if (list_complete(t))
        note_sel(t);
    t->nvis = 0;
    t->fpos = 0;
    t->nprow = 0;
    t->ppos = 0;
    t->top = 0;
    t->dirty = 1;
}

static void
set_pktview(struct tui *t, int on)
{
    if (list_complete(t))
        note_sel(t);
    t->pktview = on;
    t->nprow = 0;
    t->ppos = 0;
    t->top = 0;
    prow_batch(t);
    sync_sel(t);
    t->dirty = 1;
}

/* Install a compiled filter (NULL: everything). Takes ownership. */
static void
apply_filter(struct tui *t, struct flt *f, const char *text)
{
    size_t n = strlen(text);

    flt_free(t->flt);
    t->flt = f;
    if (n >= sizeof t->applied)
        n = sizeof t->applied - 1;
    memcpy(t->applied, text, n);
    t->applied[n] = 0;
    restart_filter(t);
}

/* Is text only blanks? flt_compile("") matches everything, but an empty
 * bar should not even cost a flt_match per record. */
static int
blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return !*s;
}

static void
bar_check(struct tui *t)
{
    struct flt *f;

    t->fb[t->flen] = 0;
    memset(&t->ferr, 0, sizeof t->ferr);
    if (blank(t->fb)) {
        t->fok = 1;
        if (t->flt || t->applied[0])
            apply_filter(t, NULL, "");
        return;
    }
    f = flt_compile(t->fb, &t->ferr);
    t->fok = f != NULL;
    if (f) {
        if (!strcmp(t->fb, t->applied))
            flt_free(f);
        else
            apply_filter(t, f, t->fb);
    }
}

static void
bar_set(struct tui *t, const char *s)
{
    size_t n = strlen(s);

    if (n >= sizeof t->fb)
        n = sizeof t->fb - 1;
    memcpy(t->fb, s, n);
    t->fb[n] = 0;
    t->flen = t->fcur = n;
    bar_check(t);
}

static void
hist_add(struct tui *t, const char *s)
{
    char *c;

    if (blank(s) || (t->nhist && !strcmp(t->hist[t->nhist - 1], s)))
        return;
    c = strdup(s);
    if (!c)
        return;
    if (t->nhist == TUI_HIST) {
        free(t->hist[0]);
        memmove(t->hist, t->hist + 1, (TUI_HIST - 1) * sizeof *t->hist);
        t->nhist--;
    }
    t->hist[t->nhist++] = c;
}

static int
name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static void
bar_complete(struct tui *t)
{
    char add[128];
    size_t cnt, n, i, start, ntab, o;
    const struct fld_def *tab;

    t->fb[t->flen] = 0;
    cnt = flt_complete(t->fb, t->fcur, add, sizeof add);
    n = strlen(add);
    if (n && t->flen + n < sizeof t->fb) {
        memmove(t->fb + t->fcur + n, t->fb + t->fcur, t->flen - t->fcur);
        memcpy(t->fb + t->fcur, add, n);
        t->flen += n;
        t->fcur += n;
        t->fb[t->flen] = 0;
    }
    if (cnt == 0) {
        snprintf(t->msg, sizeof t->msg, "no field starts with that");
    } else if (cnt > 1) {
        start = t->fcur;
        while (start > 0 && name_char((unsigned char)t->fb[start - 1]))
            start--;
        tab = fld_table(&ntab);
        o = (size_t)snprintf(t->msg, sizeof t->msg, "%zu fields:", cnt);
        for (i = 0; i < ntab && o < sizeof t->msg; i++)
            if (!strncmp(tab[i].name, t->fb + start, t->fcur - start))
                o += (size_t)snprintf(t->msg + o, sizeof t->msg - o, " %s",
                                      tab[i].name);
    }
    t->msg_attr = TA_NORMAL;
    bar_check(t);
}

/* ---- row text ---- */

static int
rec_attr(const struct rec *r)
{
    if ((r->flags & REC_F_CRED) || r->kind == REC_CRED)
        return TA_CRED;
    if (fmt_is_error(r))
        return TA_ERROR;
    if (r->kind == REC_NOTE || r->kind == REC_DATA)
        return TA_NOTE;
    return r->dir == DIR_C2S ? TA_CLIENT : TA_SERVER;
}

/* The bytes one packet put into r->raw. */
static void
mark_span(const struct rec *r, int m, size_t *off, size_t *len)
{
    size_t a = r->marks[m].off, b = r->raw.n;

    if (m + 1 < r->nmarks && r->marks[m + 1].off < b)
        b = r->marks[m + 1].off;
    if (a > r->raw.n)
        a = r->raw.n;
    if (b < a)
        b = a;
    *off = a;
    *len = b - a;
}

struct cols {
    int no, time, addr, proto, len;
};

static int
time_width(const struct tui *t, int mode)
{
    int f = t->prec == 9 ? 3 : 0;

    switch (mode) {
    case TF_ABS: case TF_UTC: return 15 + f;
    case TF_ABS_DATE: case TF_UTC_DATE: return 26 + f;
    case TF_EPOCH: return 17 + f;
    default: return 11 + f;
    }
}

static void
row_cols(const struct tui *t, struct cols *c)
{
    int narrow = COLS < 100;

    c->no = narrow ? 5 : 6;
    c->time = time_width(t, t->o->time_fmt);
    c->addr = t->addrw < 11 ? 11 : t->addrw;
    if (c->addr > (COLS >= 140 ? 39 : 15))
        c->addr = COLS >= 140 ? 39 : 15;
    c->proto = narrow ? 4 : 5;
    c->len = narrow ? 4 : 6;
    if (narrow && c->time > 11)
        c->time = 11;
}

/* Format list row i into buf; returns its attribute, or -1. */
static int
row_text(const struct tui *t, size_t i, const struct cols *c, char *buf,
         size_t sz)
{
    struct rec r, prev;
    char tm[48], src[64], dst[64], info[1024];
    size_t idx, off = 0, len;
    int m = -1, attr;
    const struct ms_time *ts;

    if (t->pktview) {
        idx = t->prow[i].rec;
        m = t->prow[i].mark;
    } else {
        idx = t->vis[i];
    }
    if (tui_get(t, idx, &r) < 0)
        return -1;
    ts = &r.ts;
    if (m >= 0 && m == 0 && r.nmarks > 1)
        ts = &r.ts_first;
    prev = r;
    if (t->o->time_fmt == TF_DELTA && i > 0) {
        size_t pi = t->pktview ? t->prow[i - 1].rec : t->vis[i - 1];
        if (tui_get(t, pi, &prev) < 0)
            prev = r;
    }
    if (m > 0 && m < r.nmarks - 1)
        snprintf(tm, sizeof tm, "~");
    else
        fmt_time(ts, t->o->time_fmt, &prev.ts, r.clock, tm, sizeof tm);
    fmt_addr(&r.src, src, sizeof src);
    fmt_addr(&r.dst, dst, sizeof dst);
    attr = rec_attr(&r);
    if (m >= 0) {
        mark_span(&r, m, &off, &len);
        snprintf(info, sizeof info, "%s", r.dir == DIR_C2S ? "C: " : "S: ");
        esc_bytes(info + 3, sizeof info - 3, r.raw.p + off, len, ESC_ELLIPSIS);
        snprintf(buf, sz, "%*llu %-*.*s %-*.*s %-*.*s %-*s %*zu %s",
                 c->no, (unsigned long long)r.marks[m].pkt, c->time, c->time, tm,
                 c->addr, c->addr, src, c->addr, c->addr, dst, c->proto,
                 fmt_proto(&r), c->len, len, info);
        if (fmt_is_error(&r) && attr == TA_ERROR)
            return attr;
        return attr;
    }
    fmt_info(&r, info, sizeof info);
    snprintf(buf, sz, "%*llu %-*.*s %-*.*s %-*.*s %-*s %*u %s",
             c->no, (unsigned long long)r.pkt, c->time, c->time, tm,
             c->addr, c->addr, src, c->addr, c->addr, dst, c->proto,
             fmt_proto(&r), c->len, (unsigned)r.len, info);
    return attr;
}

static void
header_text(const struct tui *t, const struct cols *c, char *buf, size_t sz)
{
    (void)t;
    snprintf(buf, sz, "%*s %-*s %-*s %-*s %-*.*s %*s %s", c->no, "No.",
             c->time, "Time", c->addr, "Source", c->addr,
             c->addr >= 11 ? "Destination" : "Dest", c->proto, c->proto,
             "Protocol", c->len, c->len >= 6 ? "Length" : "Len", "Info");
}

/* ---- layout ---- */

struct layout {
    int msg;            /* row of the message/error line, -1 none */
    int head, ty, th;   /* header, table rows */
    int dy, dh;         /* details: title at dy, dh rows below */
    int by, bh;         /* bytes */
    int body, bodyh;    /* other views */
};

static void
layout(const struct tui *t, struct layout *L)
{
    int y = 1, avail, rest, dtot;
    int panes = t->show_det + t->show_bytes;

    memset(L, 0, sizeof *L);
    L->msg = -1;
    L->dy = L->by = -1;
    if (t->msg[0] || (t->editing && !t->fok)) {
        L->msg = y;
        y++;
    }
    L->body = y;
    L->bodyh = LINES - 1 - y;
    L->head = y++;
    L->ty = y;
    avail = LINES - 1 - y;
    if (avail < 1)
        avail = 1;
    if (!panes || avail < TUI_MIN_TABLE + 3) {
        L->th = avail;
        return;
    }
    L->th = avail * 2 / 5 > TUI_MIN_TABLE ? avail * 2 / 5 : TUI_MIN_TABLE;
    rest = avail - L->th;
    y = L->ty + L->th;
    if (panes == 2 && rest >= 6) {
        dtot = rest * 5 / 8;
        L->dy = y;
        L->dh = dtot - 1;
        L->by = y + dtot;
        L->bh = rest - dtot - 1;
    } else if (t->show_det) {
        L->dy = y;
        L->dh = rest - 1;
    } else {
        L->by = y;
        L->bh = rest - 1;
    }
}

static void
scroll_into_view(struct tui *t, int h)
{
    size_t n = nrows(t);

    if (h < 1)
        h = 1;
    if (t->sel >= n)
        t->sel = n ? n - 1 : 0;
    if (t->sel < t->top)
        t->top = t->sel;
    if (t->sel >= t->top + (size_t)h)
        t->top = t->sel - (size_t)h + 1;
    if (t->top + (size_t)h > n)
        t->top = n > (size_t)h ? n - (size_t)h : 0;
}

/* ---- drawing ---- */

static void
draw_bar(struct tui *t, const struct layout *L)
{
    const char *label = "Filter: ";
    int lw = (int)strlen(label), w = COLS - lw, attr;
    size_t off = 0;
    char text[TUI_FBUF];

    if (t->prompting) {
        label = t->ptarget == V_FOLLOW ? "Find in stream: " : "Find row: ";
        lw = (int)strlen(label);
        tui_put(0, 0, lw, A_BOLD, label);
        t->pb[t->plen] = 0;
        tui_put(0, lw, COLS - lw, A_UNDERLINE, t->pb);
        move(0, lw + (int)t->plen < COLS ? lw + (int)t->plen : COLS - 1);
        return;
    }
    tui_put(0, 0, lw, A_BOLD, label);
    if (t->editing) {
        t->fb[t->flen] = 0;
        if (w > 1 && t->fcur >= (size_t)w)
            off = t->fcur - (size_t)w + 1;
        attr = blank(t->fb) ? (int)A_UNDERLINE : tui_attr(t, t->fok ? TA_GOOD : TA_BAD);
        tui_put(0, lw, w, attr, t->fb + off);
        if (!t->fok && L->msg >= 0) {
            int col = t->ferr.col - (int)off;
            char m[300];
            if (col < 0)
                col = 0;
            if (col >= w)
                col = w - 1;
            tui_put(L->msg, 0, COLS, A_NORMAL, "");
            tui_put(L->msg, lw + col, 1, tui_attr(t, TA_ERROR) | A_BOLD, "^");
            snprintf(m, sizeof m, "%s", t->ferr.msg);
            if (lw + col + 2 + (int)strlen(m) <= COLS)
                tui_put(L->msg, lw + col + 2, COLS - lw - col - 2,
                        tui_attr(t, TA_ERROR), m);
            else
                tui_put(L->msg, 0, lw + col > 0 ? lw + col : 0,
                        tui_attr(t, TA_ERROR), m);
        }
        return;
    }
    if (t->applied[0]) {
        tui_put(0, lw, w, tui_attr(t, TA_GOOD), t->applied);
    } else {
        snprintf(text, sizeof text, "%s", "(none; press / to filter)");
        tui_put(0, lw, w, A_DIM, text);
    }
}

static void
draw_table(struct tui *t, const struct layout *L)
{
    struct cols c;
    char buf[1400];
    size_t i, n = nrows(t);
    int y, attr;

    row_cols(t, &c);
    header_text(t, &c, buf, sizeof buf);
    tui_put(L->head, 0, COLS, tui_attr(t, TA_TITLE), buf);
    scroll_into_view(t, L->th);
    for (y = 0; y < L->th; y++) {
        i = t->top + (size_t)y;
        if (i >= n) {
            tui_put(L->ty + y, 0, COLS, A_NORMAL, i == 0 && y == 0 && !t->eof &&
                    !t->live ? "  loading..." : "");
            continue;
        }
        attr = row_text(t, i, &c, buf, sizeof buf);
        if (attr < 0)
            buf[0] = 0;
        attr = tui_attr(t, attr < 0 ? TA_NORMAL : attr);
        if (i == t->sel)
            attr = (attr & ~A_UNDERLINE) | A_REVERSE |
                   (t->focus == 0 ? A_BOLD : 0);
        tui_put(L->ty + y, 0, COLS, attr, buf);
    }
}

static void
draw_panes(struct tui *t, const struct layout *L)
{
    struct rec r;
    size_t n = nrows(t), idx;
    int m = -1;
    char title[200];

    if (L->dy < 0 && L->by < 0)
        return;
    if (!n || tui_get(t, idx = t->pktview ? t->prow[t->sel].rec : t->vis[t->sel],
                      &r) < 0) {
        if (L->dy >= 0) {
            tui_put(L->dy, 0, COLS, tui_attr(t, TA_TITLE), " Details");
            tui_lines_clear(&t->det);
            tui_draw_lines(t, &t->det, L->dy + 1, L->dh, 0, -1);
        }
        if (L->by >= 0) {
            tui_put(L->by, 0, COLS, tui_attr(t, TA_TITLE), " Bytes");
            tui_lines_clear(&t->det);
            tui_draw_lines(t, &t->det, L->by + 1, L->bh, 0, -1);
        }
        t->det_rec = 0;
        return;
    }
    if (t->pktview)
        m = t->prow[t->sel].mark;
    if (t->det_rec != idx + 1 || t->det_mark != (uint16_t)m ||
        t->det_pkt != t->pktview) {
        tui_details(t, &r, m);
        t->det_rec = idx + 1;
        t->det_mark = (uint16_t)m;
        t->det_pkt = t->pktview;
        t->det_top = 0;
        t->bytes_top = 0;
    }
    if (L->dy >= 0) {
        if (t->det_top + (size_t)L->dh > t->det.n)
            t->det_top = t->det.n > (size_t)L->dh ? t->det.n - (size_t)L->dh : 0;
        snprintf(title, sizeof title, " Details: frame %llu%s%s",
                 (unsigned long long)r.pkt, t->focus == 1 ? "  [focus]" : "",
                 t->det.n > (size_t)L->dh ? "  (scroll: Tab to focus, arrows)" : "");
        tui_put(L->dy, 0, COLS, tui_attr(t, TA_TITLE), title);
        tui_draw_lines(t, &t->det, L->dy + 1, L->dh, t->det_top, -1);
    }
    if (L->by >= 0) {
        size_t rows = tui_bytes_rows(&r);
        if (t->bytes_top + (size_t)L->bh > rows)
            t->bytes_top = rows > (size_t)L->bh ? rows - (size_t)L->bh : 0;
        size_t o;
        uint16_t k;
        o = (size_t)snprintf(title, sizeof title, " Bytes: %u on the wire, %u kept%s;"
                             " %u packet%s:", (unsigned)r.len, (unsigned)r.raw.n,
                             t->focus == 2 ? " [focus]" : "", (unsigned)r.nmarks,
                             r.nmarks == 1 ? "" : "s");
        /* Packet boundaries: packet number @ offset in the bytes below. */
        for (k = 0; k < r.nmarks && o < sizeof title; k++)
            o += (size_t)snprintf(title + o, sizeof title - o, " %llu@%u",
                                  (unsigned long long)r.marks[k].pkt,
                                  (unsigned)r.marks[k].off);
        tui_put(L->by, 0, COLS, tui_attr(t, TA_TITLE), title);
        tui_draw_bytes(t, &r, m, L->by + 1, L->bh);
    }
}

static void
draw_status(struct tui *t)
{
    char left[1024], right[64];
    size_t o = 0, total = rec_store_count(t->st);
    int rw;

    o += (size_t)snprintf(left + o, sizeof left - o, " %s%s | %llu pkts",
                          t->live ? "live: " : "", t->ss.name ? t->ss.name : "",
                          (unsigned long long)t->ss.packets);
    if (!t->live && !t->eof && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " (loading)");
    if (o < sizeof left) {
        if (t->pktview)
            o += (size_t)snprintf(left + o, sizeof left - o,
                                  " | %zu packet rows, %zu/%zu msgs", t->nprow,
                                  t->nvis, total);
        else
            o += (size_t)snprintf(left + o, sizeof left - o, " | %zu/%zu msgs",
                                  t->nvis, total);
    }
    if (t->fpos < total && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " (filtering %zu%%)",
                              total ? t->fpos * 100 / total : 0);
    if (t->live && t->ss.have_drops && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " | drops %llu",
                              (unsigned long long)t->ss.drops);
    if (rec_store_dropped(t->st) && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " | memcap dropped %llu",
                              (unsigned long long)rec_store_dropped(t->st));
    if (t->eof == 2 && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " | error: %s",
                              t->ss.err ? t->ss.err : "?");
    if (o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " | filter: %s",
                              t->applied[0] ? t->applied : "none");
    snprintf(right, sizeof right, " ?:help q:quit ");
    rw = (int)strlen(right);
    if (COLS - rw > 20) {
        tui_put(LINES - 1, 0, COLS - rw, tui_attr(t, TA_STATUS), left);
        tui_put(LINES - 1, COLS - rw, rw, tui_attr(t, TA_STATUS), right);
    } else {
        tui_put(LINES - 1, 0, COLS, tui_attr(t, TA_STATUS), left);
    }
}

static void
draw(struct tui *t)
{
    struct layout L;

    layout(t, &L);
    erase();
    if (L.msg >= 0 && t->msg[0])
        tui_put(L.msg, 0, COLS, tui_attr(t, t->msg_attr), t->msg);
    switch (t->view) {
    case V_FOLLOW:
        tui_follow_draw(t, L.body, L.bodyh);
        break;
    case V_CREDS:
        tui_creds_draw(t, L.body, L.bodyh);
        break;
    case V_HELP:
        tui_help_draw(t, L.body, L.bodyh);
        break;
    default:
        draw_table(t, &L);
        draw_panes(t, &L);
        break;
    }
    draw_status(t);
    draw_bar(t, &L);
    curs_set(t->editing || t->prompting ? 1 : 0);
    if (t->editing) {
        size_t off = 0;
        int w = COLS - 8;
        if (w > 1 && t->fcur >= (size_t)w)
            off = t->fcur - (size_t)w + 1;
        move(0, 8 + (int)(t->fcur - off));
    }
    refresh();
}

/* ---- moving around ---- */

static int
table_height(const struct tui *t)
{
    struct layout L;

    layout(t, &L);
    return L.th;
}

static void
move_sel(struct tui *t, long d)
{
    size_t n = nrows(t);

    if (!n)
        return;
    if (d < 0 && (size_t)-d > t->sel)
        t->sel = 0;
    else if (d > 0 && t->sel + (size_t)d >= n)
        t->sel = n - 1;
    else
        t->sel = (size_t)((long)t->sel + d);
    t->tail = t->sel == n - 1 && (t->live || t->eof) && d > 0;
    note_sel(t);
}

/* Select the row of store record rec (clearing the filter if it hides it). */
void
tui_goto_rec(struct tui *t, size_t rec)
{
    size_t i;

    for (i = 0; i < t->nvis && t->vis[i] < rec; i++)
        ;
    if (i == t->nvis || t->vis[i] != rec) {
        if (t->flt || t->applied[0]) {
            apply_filter(t, NULL, "");
            bar_set(t, "");
            snprintf(t->msg, sizeof t->msg, "filter cleared to show the row");
            t->msg_attr = TA_NORMAL;
        }
        while (filter_batch(t))
            ;
    }
    if (t->pktview)
        set_pktview(t, 1);
    t->tail = 0;
    t->sel_rec = rec;
    t->sel_mark = 0;
    t->have_sel = 1;
    if (t->pktview) {
        while (prow_batch(t))
            ;
    }
    sync_sel(t);
    t->view = V_TABLE;
    t->dirty = 1;
}

static int
row_matches(const struct tui *t, size_t i, const char *needle)
{
    struct cols c;
    char buf[1400];

    row_cols(t, &c);
    if (row_text(t, i, &c, buf, sizeof buf) < 0)
        return 0;
    return tui_contains_ci(buf, needle);
}

static void
row_search(struct tui *t, int dir)
{
    size_t n = nrows(t), i, k;

    if (!t->rsearch[0]) {
        snprintf(t->msg, sizeof t->msg, "no search yet: Ctrl-F to search rows");
        return;
    }
    for (k = 1; k <= n; k++) {
        i = dir > 0 ? (t->sel + k) % n : (t->sel + n - k % n) % n;
        if (row_matches(t, i, t->rsearch)) {
            t->sel = i;
            t->tail = 0;
            note_sel(t);
            t->msg[0] = 0;
            return;
        }
    }
    snprintf(t->msg, sizeof t->msg, "not found: %s", t->rsearch);
    t->msg_attr = TA_ERROR;
}

/* ---- keys ---- */

static void
start_editing(struct tui *t)
{
    t->editing = 1;
    t->msg[0] = 0;
    memcpy(t->before, t->applied, sizeof t->before);
    memcpy(t->fb, t->applied, sizeof t->fb);
    t->flen = t->fcur = strlen(t->fb);
    t->hpos = t->nhist;
    t->fok = 1;
}

static void
bar_key(struct tui *t, int ch)
{
    switch (ch) {
    case 27:    /* Esc: back to the filter we had */
        t->editing = 0;
        t->msg[0] = 0;
        bar_set(t, t->before);
        t->editing = 0;
        return;
    case '\n': case '\r': case KEY_ENTER:
        if (!t->fok) {
            snprintf(t->msg, sizeof t->msg, "%s", t->ferr.msg);
            return;
        }
        t->fb[t->flen] = 0;
        hist_add(t, t->fb);
        t->editing = 0;
        t->msg[0] = 0;
        return;
    case KEY_BACKSPACE: case 127: case CTRL('h'):
        if (t->fcur) {
            memmove(t->fb + t->fcur - 1, t->fb + t->fcur, t->flen - t->fcur);
            t->fcur--;
            t->flen--;
        }
        break;
    case KEY_DC: case CTRL('d'):
        if (t->fcur < t->flen) {
            memmove(t->fb + t->fcur, t->fb + t->fcur + 1, t->flen - t->fcur - 1);
            t->flen--;
        }
        break;
    case KEY_LEFT: case CTRL('b'):
        if (t->fcur)
            t->fcur--;
        return;
    case KEY_RIGHT:
        if (t->fcur < t->flen)
            t->fcur++;
        return;
    case KEY_HOME: case CTRL('a'):
        t->fcur = 0;
        return;
    case KEY_END: case CTRL('e'):
        t->fcur = t->flen;
        return;
    case CTRL('u'):
        t->flen = t->fcur = 0;
        break;
    case CTRL('k'):
        t->flen = t->fcur;
        break;
    case KEY_UP:
        if (t->hpos > 0) {
            t->hpos--;
            bar_set(t, t->hist[t->hpos]);
        }
        return;
    case KEY_DOWN:
        if (t->hpos < t->nhist) {
            t->hpos++;
            bar_set(t, t->hpos < t->nhist ? t->hist[t->hpos] : "");
        }
        return;
    case '\t':
        bar_complete(t);
        return;
    default:
        if (ch < 0x20 || ch > 0x7e || t->flen + 1 >= sizeof t->fb)
            return;
        memmove(t->fb + t->fcur + 1, t->fb + t->fcur, t->flen - t->fcur);
        t->fb[t->fcur++] = (char)ch;
        t->flen++;
        break;
    }
    t->msg[0] = 0;
    bar_check(t);
}

static void
prompt_key(struct tui *t, int ch)
{
    switch (ch) {
    case 27:
        t->prompting = 0;
        return;
    case '\n': case '\r': case KEY_ENTER:
        t->prompting = 0;
        t->pb[t->plen] = 0;
        if (t->ptarget == V_FOLLOW) {
            memcpy(t->fsearch, t->pb, sizeof t->fsearch);
            tui_follow_search(t, 1);
        } else {
            memcpy(t->rsearch, t->pb, sizeof t->rsearch);
            row_search(t, 1);
        }
        return;
    case KEY_BACKSPACE: case 127: case CTRL('h'):
        if (t->plen)
            t->plen--;
        return;
    case CTRL('u'):
        t->plen = 0;
        return;
    default:
        if (ch >= 0x20 && ch <= 0x7e && t->plen + 1 < sizeof t->pb)
            t->pb[t->plen++] = (char)ch;
        return;
    }
}

void
tui_prompt(struct tui *t, int target)
{
    t->prompting = 1;
    t->ptarget = target;
    t->plen = 0;
    t->msg[0] = 0;
}

static void
table_key(struct tui *t, int ch)
{
    int h = table_height(t);
    size_t n = nrows(t);

    if (n && t->sel >= n)
        t->sel = n - 1;

    if (t->focus == 1 || t->focus == 2) {
        size_t *top = t->focus == 1 ? &t->det_top : &t->bytes_top;
        switch (ch) {
        case KEY_UP: case 'k':
            if (*top) (*top)--;
            return;
        case KEY_DOWN: case 'j':
            (*top)++;
            return;
        case KEY_PPAGE:
            *top = *top > 5 ? *top - 5 : 0;
            return;
        case KEY_NPAGE:
            *top += 5;
            return;
        case KEY_HOME: case 'g':
            *top = 0;
            return;
        }
    }
    switch (ch) {
    case 'q': case 'Q':
        t->quit = 1;
        break;
    case '/': case 'f':
        start_editing(t);
        break;
    case CTRL('f'):
        tui_prompt(t, V_TABLE);
        break;
    case 'n':
        row_search(t, 1);
        break;
    case 'N':
        row_search(t, -1);
        break;
    case KEY_UP: case 'k':
        move_sel(t, -1);
        break;
    case KEY_DOWN: case 'j':
        move_sel(t, 1);
        break;
    case KEY_PPAGE: case CTRL('b'):
        move_sel(t, -(long)(h > 1 ? h - 1 : 1));
        break;
    case KEY_NPAGE: case CTRL('d'): case ' ':
        move_sel(t, h > 1 ? h - 1 : 1);
        break;
    case KEY_HOME: case 'g':
        t->sel = 0;
        t->tail = 0;
        note_sel(t);
        break;
    case KEY_END: case 'G':
        if (n) {
            t->sel = n - 1;
            t->tail = 1;
            note_sel(t);
        }
        break;
    case '\t':
        do
            t->focus = (t->focus + 1) % 3;
        while ((t->focus == 1 && !t->show_det) || (t->focus == 2 && !t->show_bytes));
        break;
    case KEY_BTAB:
        do
            t->focus = (t->focus + 2) % 3;
        while ((t->focus == 1 && !t->show_det) || (t->focus == 2 && !t->show_bytes));
        break;
    case '1':
        t->focus = 0;
        break;
    case '2':
        if (!t->show_det) {
            t->show_det = 1;
            t->focus = 1;
        } else if (t->focus == 1) {
            t->show_det = 0;
            t->focus = 0;
        } else {
            t->focus = 1;
        }
        break;
    case '3':
        if (!t->show_bytes) {
            t->show_bytes = 1;
            t->focus = 2;
        } else if (t->focus == 2) {
            t->show_bytes = 0;
            t->focus = 0;
        } else {
            t->focus = 2;
        }
        break;
    case '\n': case '\r': case KEY_ENTER: case 'F':
        if (n) {
            struct rec r;
            if (tui_get(t, t->pktview ? t->prow[t->sel].rec : t->vis[t->sel], &r) == 0)
                tui_follow_open(t, r.flow);
        }
        break;
    case 'C':
        tui_creds_open(t);
        break;
    case 'p':
        set_pktview(t, !t->pktview);
        snprintf(t->msg, sizeof t->msg, "%s", t->pktview ?
                 "packet view: one row per packet (p: back to messages)" :
                 "message view: one row per message");
        t->msg_attr = TA_NORMAL;
        break;
    case '?': case KEY_F(1):
        tui_help_open(t);
        break;
    case 27:
        t->msg[0] = 0;
        break;
    }
}

static void
handle_key(struct tui *t, int ch)
{
    struct layout L;

    t->dirty = 1;
    if (ch == KEY_RESIZE) {
        clearok(curscr, TRUE);
        return;
    }
    if (ch == CTRL('l')) {
        clearok(curscr, TRUE);
        return;
    }
    if (t->prompting) {
        prompt_key(t, ch);
        return;
    }
    if (t->editing) {
        bar_key(t, ch);
        return;
    }
    if (ch != 'n' && ch != 'N')
        t->msg[0] = 0;
    layout(t, &L);
    switch (t->view) {
    case V_FOLLOW:
        if (!tui_follow_key(t, ch) && (ch == 'Q'))
            t->quit = 1;
        break;
    case V_CREDS:
        if (!tui_creds_key(t, ch, L.bodyh - 2) && ch == 'Q')
            t->quit = 1;
        break;
    case V_HELP:
        if (!tui_help_key(t, ch, L.bodyh - 1) && ch == 'Q')
            t->quit = 1;
        break;
    default:
        table_key(t, ch);
        break;
    }
}

/* ---- setup ---- */

static void
colors(struct tui *t)
{
    t->color = t->o->color && has_colors();
    if (!t->color)
        return;
    start_color();
    use_default_colors();
    init_pair(1, COLOR_CYAN, -1);       /* client */
    init_pair(2, -1, -1);               /* server */
    init_pair(3, COLOR_RED, -1);        /* error reply */
    init_pair(4, COLOR_BLACK, COLOR_YELLOW); /* secret */
    init_pair(5, COLOR_MAGENTA, -1);    /* gap note */
    init_pair(6, COLOR_BLACK, COLOR_CYAN);   /* search match */
    init_pair(7, COLOR_BLACK, COLOR_GREEN);  /* valid filter */
    init_pair(8, COLOR_WHITE, COLOR_RED);    /* invalid filter */
}

static void
cleanup(struct tui *t)
{
    int i;

    flt_free(t->flt);
    rec_store_free(t->st);
    free(t->vis);
    free(t->prow);
    free(t->cr);
    tui_lines_clear(&t->det);
    tui_lines_clear(&t->fl);
    tui_lines_clear(&t->help);
    free(t->det.v);
    free(t->fl.v);
    free(t->help.v);
    for (i = 0; i < t->nhist; i++)
        free(t->hist[i]);
}

struct tui *
tui_new(const struct tui_opts *o)
{
    struct tui *t = calloc(1, sizeof *t);

    if (!t)
        return NULL;
    t->o = o;
    t->pfd = -1;
    t->show_det = t->show_bytes = 1;
    t->fmatch = -1;
    t->prec = 6;
    t->st = rec_store_new();
    if (!t->st) {
        free(t);
        return NULL;
    }
    return t;
}

int
tui_run(struct tui *t, const struct tui_src *src)
{
    const struct tui_opts *o = t->o;
    struct pollfd pf[2];
    SCREEN *scr = NULL;
    FILE *tin = NULL;
    long long last = 0, now;
    int ch, npf, tmo, rc = 0, busy;

    t->src = src;
    src->status(src->ctx, &t->ss);
    t->live = t->ss.live;
    t->pfd = src->fd;
    t->tail = t->live;
    if (o->filter) {
        struct flt_err fe;
        struct flt *f = flt_compile(o->filter, &fe);
        size_t n = strlen(o->filter);
        if (n >= sizeof t->fb)
            n = sizeof t->fb - 1;
        memcpy(t->fb, o->filter, n);
        t->flen = t->fcur = n;
        if (f && !blank(o->filter)) {
            apply_filter(t, f, o->filter);
            hist_add(t, o->filter);
        } else {
            flt_free(f);
        }
    }

    setlocale(LC_ALL, "");
    /* The capture may come from stdin (-r -): read keys from the tty. */
    if (!isatty(STDIN_FILENO)) {
        tin = fopen("/dev/tty", "r");
        if (!tin) {
            fprintf(stderr, "mailsift: no terminal for the view\n");
            cleanup(t);
            free(t);
            return 1;
        }
        scr = newterm(NULL, stdout, tin);
    } else {
        scr = newterm(NULL, stdout, stdin);
    }
    if (!scr) {
        fprintf(stderr, "mailsift: cannot start the terminal view (TERM?)\n");
        if (tin)
            fclose(tin);
        cleanup(t);
        free(t);
        return 1;
    }
    set_term(scr);
    set_escdelay(25);
    cbreak();       /* not raw(): Ctrl-C still raises SIGINT */
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    colors(t);

    while (!t->quit && !*o->stop) {
        busy = 0;
        if (!t->live) {
            /* Several batches, as long as keys still get their turn
             * within the redraw interval. */
            long long t0 = now_ms();
            do
                busy |= load_batch(t);
            while (!t->eof && !*o->stop && now_ms() - t0 < TUI_BUDGET_MS);
        }
        adjust_dropped(t);
        busy |= filter_batch(t);
        busy |= prow_batch(t);
        if (busy) {
            sync_sel(t);
            if (t->view == V_FOLLOW)
                tui_follow_update(t);
            else if (t->view == V_CREDS)
                tui_creds_update(t);
            t->dirty = 1;
        }
        now = now_ms();
        if (t->dirty && now - last >= TUI_REDRAW_MS) {
            draw(t);
            last = now;
            t->dirty = 0;
        }
        /* More to do: only peek at the keyboard. Otherwise sleep until a
         * key, a packet, or the next redraw (live: stats once a second). */
        busy = (!t->live && !t->eof) || t->fpos < rec_store_count(t->st) ||
               (t->pktview && t->ppos < t->nvis);
        if (busy)
            tmo = 0;
        else if (t->dirty)
            tmo = (int)(TUI_REDRAW_MS - (now - last) > 0 ? TUI_REDRAW_MS - (now - last) : 0);
        else
            tmo = t->live ? 1000 : -1;
        npf = 0;
        pf[npf].fd = tin ? fileno(tin) : STDIN_FILENO;
        pf[npf].events = POLLIN;
        pf[npf++].revents = 0;
        if (t->live && !t->eof && t->pfd >= 0) {
            pf[npf].fd = t->pfd;
            pf[npf].events = POLLIN;
            pf[npf++].revents = 0;
        }
        rc = poll(pf, (nfds_t)npf, tmo);
        if (rc < 0 && errno != EINTR)
            break;
        if (t->live && rc == 0 && tmo > 0)
            t->dirty = 1;   /* refresh the drop counter */
        rc = 0;
        if (t->live && !t->eof && load_batch(t))
            t->dirty = 1;
        while ((ch = getch()) != ERR) {
            handle_key(t, ch);
            if (t->quit)
                break;
        }
    }
    if (t->eof == 2)
        rc = 1;
    curs_set(1);
    endwin();
    delscreen(scr);
    if (tin)
        fclose(tin);
    cleanup(t);
    free(t);
    return rc;
}
