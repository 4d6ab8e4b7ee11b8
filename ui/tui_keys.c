/* tui_keys.c - keys of the ncurses view: which part gets a key, the
 * message table's keys, and going to a record from another view. */
#include <curses.h>
#include <stdio.h>

#include "tui_priv.h"

static int
table_height(const struct tui *t)
{
    struct tui_layout L;

    tui_layout(t, &L);
    return L.th;
}

void
tui_goto_rec(struct tui *t, size_t rec)
{
    struct rows *R = &t->rows;

    if (!rows_shows(R, rec) && (R->flt || tui_bar_applied(t)[0])) {
        tui_bar_clear(t);
        tui_msg(t, TA_NORMAL, "filter cleared to show the row");
    }
    rows_goto_rec(R, rec);
    t->view = V_TABLE;
    t->dirty = 1;
}

static void
table_key(struct tui *t, int ch)
{
    struct rows *R = &t->rows;
    int h = table_height(t);
    size_t n = rows_count(R), idx;
    int m;

    if (n && R->sel >= n)
        R->sel = n - 1;
    if (tui_pane_key(t, ch))
        return;
    switch (ch) {
    case 'q': case 'Q':
        t->quit = 1;
        break;
    case '/': case 'f':
        tui_bar_start(t);
        break;
    case CTRL('f'):
        tui_prompt(t, V_TABLE);
        break;
    case 'n':
        tui_table_search(t, 1);
        break;
    case 'N':
        tui_table_search(t, -1);
        break;
    case KEY_UP: case 'k':
        rows_move(R, -1, t->live || t->eof);
        break;
    case KEY_DOWN: case 'j':
        rows_move(R, 1, t->live || t->eof);
        break;
    case KEY_PPAGE: case CTRL('b'):
        rows_move(R, -(long)(h > 1 ? h - 1 : 1), t->live || t->eof);
        break;
    case KEY_NPAGE: case CTRL('d'): case ' ':
        rows_move(R, h > 1 ? h - 1 : 1, t->live || t->eof);
        break;
    case KEY_HOME: case 'g':
        rows_select_first(R);
        break;
    case KEY_END: case 'G':
        rows_select_last(R);
        break;
    case '\n': case '\r': case KEY_ENTER: case 'F':
        if (rows_at(R, R->sel, &idx, &m) == 0) {
            struct rec r;
            if (tui_get(t, idx, &r) == 0)
                tui_follow_open(t, r.flow);
        }
        break;
    case 'C':
        tui_creds_open(t);
        break;
    case 'p':
        rows_set_pktview(R, !R->pktview);
        tui_msg(t, TA_NORMAL, "%s", R->pktview ?
                "packet view: one row per packet (p: back to messages)" :
                "message view: one row per message");
        break;
    case '?': case KEY_F(1):
        tui_help_open(t);
        break;
    case 27:
        t->msg[0] = 0;
        break;
    }
}

void
tui_key(struct tui *t, int ch)
{
    t->dirty = 1;
    if (ch == KEY_RESIZE || ch == CTRL('l')) {
        clearok(curscr, TRUE);
        return;
    }
    if (tui_bar_active(t)) {
        tui_bar_key(t, ch);
        return;
    }
    if (ch != 'n' && ch != 'N')
        t->msg[0] = 0;
    switch (t->view) {
    case V_FOLLOW:
        if (!tui_follow_key(t, ch) && (ch == 'Q'))
            t->quit = 1;
        break;
    case V_CREDS:
        if (!tui_creds_key(t, ch) && ch == 'Q')
            t->quit = 1;
        break;
    case V_HELP:
        if (!tui_help_key(t, ch) && ch == 'Q')
            t->quit = 1;
        break;
    default:
        table_key(t, ch);
        break;
    }
}
