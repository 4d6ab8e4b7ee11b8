/* tui.c - the ncurses view: setup, the record sink, the event loop and
 * the drawing primitives the other tui_ files share (tui_priv.h says
 * which file owns what). Dissection runs inside the loop in bounded
 * batches so keys are handled within 100 ms even while a large file
 * loads. Every byte from the network is drawn only after esc_bytes()
 * (via fmt_info or the tui_lines helpers), so no control byte reaches
 * the terminal. */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../capture/status.h"
#include "esc.h"
#include "tui_priv.h"
#include "ucol.h"

/* Work per wake-up: packets read (filtering has its own batch, rows.h),
 * and a time budget, whichever comes first. 2000 packets take a few ms. */
#define TUI_PKT_BATCH    2000
#define TUI_BUDGET_MS    30
#define TUI_REDRAW_MS    100

/* What esc_bytes may pass through to this terminal (set at start). */
static int escf;

int
tui_escf(void)
{
    return escf;
}

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

/* Draw our own printable text, cut or padded to w columns. Text is
 * measured in columns (ucol.c), so a cut never splits a character;
 * anything not drawable (a control, invalid UTF-8, only possible in a
 * -Y argument today) shows as '?'. */
void
tui_put(int y, int x, int w, int attr, const char *s)
{
    /* 1023 columns of up to 4 bytes, then room to pad them */
    char line[4 * 1024 + 1024];
    size_t n;
    int cols;

    if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
        return;
    if (x + w > COLS)
        w = COLS - x;
    if (w > 1023)
        w = 1023;
    n = ucol_clean(line, sizeof line - 1024, s, w, &cols);
    for (; cols < w; cols++)
        line[n++] = ' ';
    line[n] = 0;
    attrset(attr);
    mvaddnstr(y, x, line, (int)n);
    attrset(A_NORMAL);
}

int
tui_get(const struct tui *t, size_t i, struct rec *r)
{
    return rec_store_get(t->st, i, r);
}

void
tui_msg(struct tui *t, int attr, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(t->msg, sizeof t->msg, fmt, ap);
    va_end(ap);
    t->msg_attr = attr;
}

/* ---- records in ---- */

static void
on_rec(void *ctx, const struct rec *r)
{
    struct tui *t = ctx;

    tui_table_saw(t, r);
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

/* ---- drawing ---- */

static void
draw(struct tui *t)
{
    struct tui_layout L;

    tui_layout(t, &L);
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
        tui_table_draw(t, &L);
        tui_pane_draw(t, &L);
        break;
    }
    tui_status_draw(t);
    tui_bar_draw(t, &L);
    tui_bar_cursor(t);
    refresh();
}

/* Records the store dropped (memcap): every part shifts its indices. */
static void
adjust_dropped(struct tui *t)
{
    size_t d = rows_adjust_dropped(&t->rows);

    if (!d)
        return;
    tui_view_drop(t, d);
    tui_pane_drop(t, d);
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
    rows_free(&t->rows);
    tui_bar_free(t);
    tui_pane_free(t);
    tui_view_free(t);
    rec_store_free(t->st);
}

struct tui *
tui_new(const struct tui_opts *o)
{
    struct tui *t = calloc(1, sizeof *t);

    if (!t)
        return NULL;
    t->o = o;
    t->pfd = -1;
    t->st = rec_store_new();
    if (!t->st) {
        free(t);
        return NULL;
    }
    rows_init(&t->rows, t->st);
    tui_table_init(t);
    tui_pane_init(t);
    tui_view_init(t);
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
    rows_set_tail(&t->rows, t->live);
    tui_bar_init(t, o->filter);

    setlocale(LC_ALL, "");
    /* A UTF-8 terminal shows valid UTF-8 as characters; any other keeps
     * the \x escapes (esc.h). */
    escf = !strcmp(nl_langinfo(CODESET), "UTF-8") ? ESC_UTF8 : 0;
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
        busy |= rows_filter_batch(&t->rows);
        busy |= rows_pkt_batch(&t->rows);
        if (busy) {
            rows_sync_sel(&t->rows);
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
        busy = (!t->live && !t->eof) || !rows_complete(&t->rows);
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
            tui_key(t, ch);
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
