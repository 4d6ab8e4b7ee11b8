/* tui_ladder.c - the ladder view of the ncurses view (L on a row): the
 * row's connection as a sequence diagram (ladder.c), scrollable, a line
 * selected; Enter goes back to the selected record's row in the table. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "ladder.h"
#include "tui_priv.h"

struct lctx {
    struct tui *t;
    size_t rec;
};

static void
add_line(void *ctx, int kind, const struct rec *r, const char *line)
{
    struct lctx *c = ctx;
    struct tui_ladder *D = &c->t->ladder;
    int attr;

    (void)r;
    if (D->n == D->cap) {
        size_t nc = D->cap ? D->cap * 2 : 256;
        size_t *v = realloc(D->rec, nc * sizeof *v);
        if (!v)
            return;
        D->rec = v;
        D->cap = nc;
    }
    switch (kind) {
    case LD_HEAD: attr = TA_TITLE; break;
    case LD_C2S: attr = TA_CLIENT; break;
    case LD_S2C: attr = r && fmt_is_error(r) ? TA_ERROR : TA_SERVER; break;
    case LD_LOGIN:
        attr = r && r->cred.result == CRED_ACCEPTED ? TA_GOOD :
               r && r->cred.result == CRED_REJECTED ? TA_BAD : TA_CRED;
        break;
    default: attr = TA_NOTE; break;
    }
    tui_lines_add(&D->ll, attr, line);
    if (D->ll.n > D->n)
        D->rec[D->n++] = kind == LD_HEAD ? (size_t)-1 : c->rec;
}

void
tui_ladder_update(struct tui *t)
{
    struct tui_ladder *D = &t->ladder;
    size_t n = rec_store_count(t->st);
    struct rec r;
    struct lctx c = { t, 0 };

    for (; D->scan < n; D->scan++) {
        if (tui_get(t, D->scan, &r) < 0 || r.flow != D->flow)
            continue;
        c.rec = D->scan;
        if (!D->started) {
            D->started = 1;
            D->t0 = r.ts_first.sec || r.ts_first.nsec ? r.ts_first : r.ts;
            ladder_head(&r, add_line, &c);
        }
        /* ASCII: the view measures columns as bytes */
        ladder_rec(&r, &D->t0, 0, add_line, &c);
    }
}

static void
rebuild(struct tui *t)
{
    struct tui_ladder *D = &t->ladder;

    tui_lines_clear(&D->ll);
    D->n = 0;
    D->scan = 0;
    D->started = 0;
    tui_ladder_update(t);
}

void
tui_ladder_open(struct tui *t, uint32_t flow, size_t rec)
{
    struct tui_ladder *D = &t->ladder;
    size_t i;

    t->view = V_LADDER;
    D->flow = flow;
    rebuild(t);
    /* select the record the ladder was opened from */
    D->sel = D->n > 2 ? 2 : 0;
    for (i = 0; i < D->n; i++)
        if (D->rec[i] == rec) {
            D->sel = i;
            break;
        }
    D->center = 1;         /* the height is known at the next draw */
}

void
tui_ladder_drop(struct tui *t, size_t d)
{
    (void)d;
    if (t->view == V_LADDER) {
        size_t sel = t->ladder.sel;
        rebuild(t);
        t->ladder.sel = sel < t->ladder.n ? sel : (t->ladder.n ? t->ladder.n - 1 : 0);
    } else {
        t->ladder.scan = 0;
        t->ladder.n = 0;
        tui_lines_clear(&t->ladder.ll);
    }
}

void
tui_ladder_free(struct tui *t)
{
    tui_lines_free(&t->ladder.ll);
    free(t->ladder.rec);
    t->ladder.rec = NULL;
    t->ladder.n = t->ladder.cap = 0;
}

void
tui_ladder_draw(struct tui *t, int y0, int h)
{
    struct tui_ladder *D = &t->ladder;
    char title[200];

    D->h = h - 1 > 1 ? h - 1 : 1;
    snprintf(title, sizeof title, " Ladder of stream %u  (%zu records)  "
             "Up/Down:select  Enter:go to the row  q:back", (unsigned)D->flow,
             D->n > 2 ? D->n - 2 : 0);
    tui_put(y0, 0, COLS, tui_attr(t, TA_TITLE), title);
    if (D->sel >= D->n && D->n)
        D->sel = D->n - 1;
    if (D->center) {
        D->center = 0;
        D->top = D->sel > (size_t)D->h / 2 ? D->sel - (size_t)D->h / 2 : 0;
    }
    if (D->sel < D->top)
        D->top = D->sel;
    if (D->sel >= D->top + (size_t)D->h)
        D->top = D->sel - (size_t)D->h + 1;
    tui_draw_lines(t, &D->ll, y0 + 1, D->h, D->top, (long)D->sel);
}

int
tui_ladder_key(struct tui *t, int ch)
{
    struct tui_ladder *D = &t->ladder;
    size_t page = D->h > 1 ? (size_t)D->h - 1 : 1;

    switch (ch) {
    case KEY_UP: case 'k':
        if (D->sel)
            D->sel--;
        return 1;
    case KEY_DOWN: case 'j':
        if (D->sel + 1 < D->n)
            D->sel++;
        return 1;
    case KEY_PPAGE: case CTRL('b'):
        D->sel = D->sel > page ? D->sel - page : 0;
        return 1;
    case KEY_NPAGE: case ' ': case CTRL('d'):
        D->sel = D->sel + page < D->n ? D->sel + page : (D->n ? D->n - 1 : 0);
        return 1;
    case KEY_HOME: case 'g':
        D->sel = 0;
        return 1;
    case KEY_END: case 'G':
        D->sel = D->n ? D->n - 1 : 0;
        return 1;
    case '\n': case '\r': case KEY_ENTER:
        if (D->sel < D->n && D->rec[D->sel] != (size_t)-1)
            tui_goto_rec(t, D->rec[D->sel]);
        else
            tui_msg(t, TA_NORMAL, "select a record's line to go to its row");
        return 1;
    case 'q': case 27: case KEY_LEFT: case 'L':
        t->view = V_TABLE;
        return 1;
    case '?':
        tui_help_open(t);
        return 1;
    }
    return 0;
}
