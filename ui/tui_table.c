/* tui_table.c - the message (or packet) table of the ncurses view: its
 * columns, the text of each row, the header, where everything goes on
 * the screen, and the status line. Row text comes from fmt_info and
 * esc_bytes, so it is printable ASCII. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "fmt.h"
#include "tui_priv.h"
#include "ucol.h"

#define TUI_MIN_TABLE    8

void
tui_table_init(struct tui *t)
{
    t->table.prec = 6;      /* microseconds until a record says otherwise */
}

/* Address columns as wide as the widest address seen (IPv4 on loopback
 * needs 9 columns, not 15): more room for Info at 80. */
void
tui_table_saw(struct tui *t, const struct rec *r)
{
    char a[64];
    int w;

    fmt_addr(&r->src, a, sizeof a);
    w = (int)strlen(a);
    fmt_addr(&r->dst, a, sizeof a);
    if ((int)strlen(a) > w)
        w = (int)strlen(a);
    if (w > t->table.addrw)
        t->table.addrw = w;
    if (r->clock)
        t->table.prec = r->clock->prec;
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

struct cols {
    int no, time, addr, proto, len;
};

static int
time_width(const struct tui *t, int mode)
{
    int f = t->table.prec == 9 ? 3 : 0;

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
    c->addr = t->table.addrw < 11 ? 11 : t->table.addrw;
    if (c->addr > (COLS >= 140 ? 39 : 15))
        c->addr = COLS >= 140 ? 39 : 15;
    c->proto = narrow ? 4 : 5;
    c->len = narrow ? 4 : 6;
    if (narrow && c->time > 11)
        c->time = 11;
}

/* Append s to buf at o as a cell w columns wide and a blank. Columns,
 * not bytes: once esc_bytes passes UTF-8 through, a cell still lines up
 * and a cut never splits a character. */
static size_t
cell(char *buf, size_t sz, size_t o, const char *s, int w)
{
    if (o + 1 >= sz)
        return o;
    o += ucol_cell(buf + o, sz - o - 1, s, w, 0);
    buf[o++] = ' ';
    buf[o] = 0;
    return o;
}

/* For -t d: the time of the nearest row above i that has one (packet
 * rows in the middle of a record have none); *prev stays if none. */
static void
prev_time(const struct tui *t, size_t i, struct ms_time *prev)
{
    struct rec r;
    size_t idx, k;
    int m;

    for (k = 0; k < 256 && i > 0; k++) {
        i--;
        if (rows_at(&t->rows, i, &idx, &m) == 0 && tui_get(t, idx, &r) == 0 &&
            rows_mark_time(&r, m, prev) == 0)
            return;
    }
}

/* Format list row i into buf; returns its attribute, or -1. */
static int
row_text(const struct tui *t, size_t i, const struct cols *c, char *buf,
         size_t sz)
{
    const struct rows *R = &t->rows;
    struct rec r;
    struct ms_time ts, prev;
    char tm[48], src[64], dst[64], info[1024];
    size_t idx, off = 0, len, o;
    int m, attr;

    if (rows_at(R, i, &idx, &m) < 0 || tui_get(t, idx, &r) < 0)
        return -1;
    /* Each packet its own time; one the record did not keep stays blank
     * rather than borrowing a neighbour's. */
    if (rows_mark_time(&r, m, &ts) < 0) {
        tm[0] = 0;
    } else {
        prev = ts;
        if (t->o->time_fmt == TF_DELTA)
            prev_time(t, i, &prev);
        fmt_time(&ts, t->o->time_fmt, &prev, r.clock, tm, sizeof tm);
    }
    fmt_addr(&r.src, src, sizeof src);
    fmt_addr(&r.dst, dst, sizeof dst);
    attr = rec_attr(&r);
    o = (size_t)snprintf(buf, sz, "%*llu ", c->no, (unsigned long long)
                         (m >= 0 ? r.marks[m].pkt : r.pkt));
    if (o >= sz)
        return attr;
    o = cell(buf, sz, o, tm, c->time);
    o = cell(buf, sz, o, src, c->addr);
    o = cell(buf, sz, o, dst, c->addr);
    if (m >= 0) {
        rows_mark_span(&r, m, &off, &len);
        snprintf(info, sizeof info, "%s", r.dir == DIR_C2S ? "C: " : "S: ");
        esc_bytes(info + 3, sizeof info - 3, r.raw.p + off, len,
                  ESC_ELLIPSIS | tui_escf());
    } else {
        fmt_info_esc(&r, info, sizeof info, tui_escf());
        len = r.len;
    }
    /* Info last: tui_put cuts it at the screen's edge. */
    snprintf(buf + o, sz - o, "%-*s %*zu %s", c->proto, fmt_proto(&r),
             c->len, len, info);
    return attr;
}

static void
header_text(const struct cols *c, char *buf, size_t sz)
{
    snprintf(buf, sz, "%*s %-*s %-*s %-*s %-*.*s %*s %s", c->no, "No.",
             c->time, "Time", c->addr, "Source", c->addr,
             c->addr >= 11 ? "Destination" : "Dest", c->proto, c->proto,
             "Protocol", c->len, c->len >= 6 ? "Length" : "Len", "Info");
}

/* ---- layout ---- */

void
tui_layout(const struct tui *t, struct tui_layout *L)
{
    int y = 1, avail, rest, dtot;
    int panes = tui_pane_count(t);

    memset(L, 0, sizeof *L);
    L->msg = -1;
    L->dy = L->by = -1;
    if (t->msg[0] || tui_bar_wants_msg(t)) {
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
    } else if (tui_pane_shown(t, 1)) {
        L->dy = y;
        L->dh = rest - 1;
    } else {
        L->by = y;
        L->bh = rest - 1;
    }
}

/* ---- drawing ---- */

void
tui_table_draw(struct tui *t, const struct tui_layout *L)
{
    struct rows *R = &t->rows;
    struct cols c;
    char buf[1400];
    size_t i, n = rows_count(R);
    int y, attr;

    row_cols(t, &c);
    header_text(&c, buf, sizeof buf);
    tui_put(L->head, 0, COLS, tui_attr(t, TA_TITLE), buf);
    rows_scroll(R, L->th);
    for (y = 0; y < L->th; y++) {
        i = R->top + (size_t)y;
        if (i >= n) {
            tui_put(L->ty + y, 0, COLS, A_NORMAL, i == 0 && y == 0 && !t->eof &&
                    !t->live ? "  loading..." : "");
            continue;
        }
        attr = row_text(t, i, &c, buf, sizeof buf);
        if (attr < 0)
            buf[0] = 0;
        attr = tui_attr(t, attr < 0 ? TA_NORMAL : attr);
        if (i == R->sel)
            attr = (attr & ~A_UNDERLINE) | A_REVERSE |
                   (tui_pane_focus(t) == 0 ? A_BOLD : 0);
        tui_put(L->ty + y, 0, COLS, attr, buf);
    }
}

void
tui_status_draw(struct tui *t)
{
    const struct rows *R = &t->rows;
    char left[1024], right[64];
    size_t o = 0, total = rec_store_count(t->st);
    const char *applied = tui_bar_applied(t);
    int rw;

    o += (size_t)snprintf(left + o, sizeof left - o, " %s%s | %llu pkts",
                          t->live ? "live: " : "", t->ss.name ? t->ss.name : "",
                          (unsigned long long)t->ss.packets);
    if (!t->live && t->ss.nfiles > 1 && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " (%d files)", t->ss.nfiles);
    if (!t->live && !t->eof && t->ss.bytes_total && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " (loading %llu%%)",
                              (unsigned long long)(t->ss.bytes_done * 100
                                                   / t->ss.bytes_total));
    else if (!t->live && !t->eof && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " (loading)");
    if (o < sizeof left) {
        if (R->pktview)
            o += (size_t)snprintf(left + o, sizeof left - o,
                                  " | %zu packet rows, %zu/%zu msgs", R->nprow,
                                  R->nvis, total);
        else
            o += (size_t)snprintf(left + o, sizeof left - o, " | %zu/%zu msgs",
                                  R->nvis, total);
    }
    if (R->fpos < total && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " (filtering %zu%%)",
                              total ? R->fpos * 100 / total : 0);
    if (t->ss.tls_sessions && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " | TLS %llu decrypted, %llu not%s",
                              (unsigned long long)t->ss.tls_decrypted,
                              (unsigned long long)t->ss.tls_undecrypted,
                              t->ss.tls_failed ? ", some failed" : "");
    if (t->live && t->ss.have_drops && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o,
                              " | recv %llu, dropped %llu kernel, %llu if",
                              (unsigned long long)t->ss.recv,
                              (unsigned long long)t->ss.kdrop,
                              (unsigned long long)t->ss.ifdrop);
    if (rec_store_dropped(t->st) && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " | memcap dropped %llu",
                              (unsigned long long)rec_store_dropped(t->st));
    if (t->eof == 2 && o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " | error: %s",
                              t->ss.err ? t->ss.err : "?");
    if (o < sizeof left)
        o += (size_t)snprintf(left + o, sizeof left - o, " | filter: %s",
                              applied[0] ? applied : "none");
    snprintf(right, sizeof right, " ?:help q:quit ");
    rw = (int)strlen(right);
    if (COLS - rw > 20) {
        tui_put(LINES - 1, 0, COLS - rw, tui_attr(t, TA_STATUS), left);
        tui_put(LINES - 1, COLS - rw, rw, tui_attr(t, TA_STATUS), right);
    } else {
        tui_put(LINES - 1, 0, COLS, tui_attr(t, TA_STATUS), left);
    }
}

/* ---- row search ---- */

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

void
tui_table_search(struct tui *t, int dir)
{
    struct rows *R = &t->rows;
    size_t n = rows_count(R), i, k;

    if (!t->table.rsearch[0]) {
        tui_msg(t, TA_NORMAL, "no search yet: Ctrl-F to search rows");
        return;
    }
    for (k = 1; k <= n; k++) {
        i = dir > 0 ? (R->sel + k) % n : (R->sel + n - k % n) % n;
        if (row_matches(t, i, t->table.rsearch)) {
            rows_select(R, i);
            t->msg[0] = 0;
            return;
        }
    }
    tui_msg(t, TA_ERROR, "not found: %s", t->table.rsearch);
}

void
tui_table_find(struct tui *t, const char *text)
{
    snprintf(t->table.rsearch, sizeof t->table.rsearch, "%s", text);
    tui_table_search(t, 1);
}
