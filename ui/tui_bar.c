/* tui_bar.c - the display filter bar of the ncurses view (editing, field
 * name completion, history, green/red validity as you type, an error
 * line with a caret) and the one-line prompt for row and stream
 * searches. The filter is re-checked with flt_compile on each key. Like
 * termshark's, the bar opens with the current filter selected, so
 * typing replaces it; arrows, Home and End keep it and edit. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dissect/field.h"
#include "tui_priv.h"
#include "ucol.h"

static const char label[] = "Filter: ";
#define LABEL_W ((int)sizeof label - 1)

/* Is text only blanks? flt_compile("") matches everything, but an empty
 * bar should not even cost a flt_match per record. */
static int
blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return !*s;
}

void
tui_bar_apply(struct tui *t, struct flt *f, const char *text)
{
    struct tui_bar *b = &t->bar;

    snprintf(b->applied, sizeof b->applied, "%s", text);
    rows_set_filter(&t->rows, f);
    t->dirty = 1;
}

const char *
tui_bar_applied(const struct tui *t)
{
    return t->bar.applied;
}

static void
bar_check(struct tui *t)
{
    struct tui_bar *b = &t->bar;
    struct flt *f;

    b->fb[b->flen] = 0;
    memset(&b->ferr, 0, sizeof b->ferr);
    if (blank(b->fb)) {
        b->fok = 1;
        if (t->rows.flt || b->applied[0])
            tui_bar_apply(t, NULL, "");
        return;
    }
    f = flt_compile(b->fb, &b->ferr);
    b->fok = f != NULL;
    if (f) {
        if (!strcmp(b->fb, b->applied))
            flt_free(f);
        else
            tui_bar_apply(t, f, b->fb);
    }
}

static void
bar_set(struct tui *t, const char *s)
{
    struct tui_bar *b = &t->bar;
    size_t n = strlen(s);

    if (n >= sizeof b->fb)
        n = sizeof b->fb - 1;
    memcpy(b->fb, s, n);
    b->fb[n] = 0;
    b->flen = b->fcur = n;
    bar_check(t);
}

void
tui_bar_clear(struct tui *t)
{
    tui_bar_apply(t, NULL, "");
    bar_set(t, "");
}

static void
hist_add(struct tui_bar *b, const char *s)
{
    char *c;

    if (blank(s) || (b->nhist && !strcmp(b->hist[b->nhist - 1], s)))
        return;
    c = strdup(s);
    if (!c)
        return;
    if (b->nhist == TUI_HIST) {
        free(b->hist[0]);
        memmove(b->hist, b->hist + 1, (TUI_HIST - 1) * sizeof *b->hist);
        b->nhist--;
    }
    b->hist[b->nhist++] = c;
}

/* The -Y filter: applied from the start and first in the history. */
void
tui_bar_init(struct tui *t, const char *filter)
{
    struct tui_bar *b = &t->bar;
    struct flt_err fe;
    struct flt *f;
    size_t n;

    if (!filter)
        return;
    f = flt_compile(filter, &fe);
    n = strlen(filter);
    if (n >= sizeof b->fb)
        n = sizeof b->fb - 1;
    memcpy(b->fb, filter, n);
    b->flen = b->fcur = n;
    if (f && !blank(filter)) {
        tui_bar_apply(t, f, filter);
        hist_add(b, filter);
    } else {
        flt_free(f);
    }
}

void
tui_bar_free(struct tui *t)
{
    int i;

    for (i = 0; i < t->bar.nhist; i++)
        free(t->bar.hist[i]);
    t->bar.nhist = 0;
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
    struct tui_bar *b = &t->bar;
    char add[128];
    size_t cnt, n, i, start, ntab, o;
    const struct fld_def *tab;

    b->fb[b->flen] = 0;
    cnt = flt_complete(b->fb, b->fcur, add, sizeof add);
    n = strlen(add);
    if (n && b->flen + n < sizeof b->fb) {
        memmove(b->fb + b->fcur + n, b->fb + b->fcur, b->flen - b->fcur);
        memcpy(b->fb + b->fcur, add, n);
        b->flen += n;
        b->fcur += n;
        b->fb[b->flen] = 0;
    }
    if (cnt == 0) {
        snprintf(t->msg, sizeof t->msg, "no field starts with that");
    } else if (cnt > 1) {
        start = b->fcur;
        while (start > 0 && name_char((unsigned char)b->fb[start - 1]))
            start--;
        tab = fld_table(&ntab);
        o = (size_t)snprintf(t->msg, sizeof t->msg, "%zu fields:", cnt);
        for (i = 0; i < ntab && o < sizeof t->msg; i++)
            if (!strncmp(tab[i].name, b->fb + start, b->fcur - start))
                o += (size_t)snprintf(t->msg + o, sizeof t->msg - o, " %s",
                                      tab[i].name);
    }
    t->msg_attr = TA_NORMAL;
    bar_check(t);
}

/* ---- state for the other parts ---- */

int
tui_bar_active(const struct tui *t)
{
    return t->bar.editing || t->bar.prompting;
}

int
tui_bar_wants_msg(const struct tui *t)
{
    return t->bar.editing && !t->bar.fok;
}

/* ---- drawing ---- */

/* First byte of the filter text shown: the cursor stays on screen. */
static size_t
bar_off(const struct tui_bar *b)
{
    int w = COLS - LABEL_W;

    return w > 1 && b->fcur >= (size_t)w ? b->fcur - (size_t)w + 1 : 0;
}

void
tui_bar_draw(struct tui *t, const struct tui_layout *L)
{
    struct tui_bar *b = &t->bar;
    const char *pl;
    int w = COLS - LABEL_W, attr, plw;
    size_t off;

    if (b->prompting) {
        pl = b->ptarget == V_FOLLOW ? "Find in stream: " : "Find row: ";
        plw = (int)strlen(pl);
        tui_put(0, 0, plw, A_BOLD, pl);
        b->pb[b->plen] = 0;
        tui_put(0, plw, COLS - plw, A_UNDERLINE, b->pb);
        return;
    }
    tui_put(0, 0, LABEL_W, A_BOLD, label);
    if (b->editing) {
        b->fb[b->flen] = 0;
        off = bar_off(b);
        attr = blank(b->fb) ? (int)A_UNDERLINE : tui_attr(t, b->fok ? TA_GOOD : TA_BAD);
        tui_put(0, LABEL_W, w, attr, b->fb + off);
        if (b->selall) {
            int sw = ucol_width(b->fb + off, b->flen - off);
            tui_put(0, LABEL_W, sw < w ? sw : w, attr | A_REVERSE, b->fb + off);
        }
        if (!b->fok && L->msg >= 0) {
            /* The error's byte offset, as a column on the screen */
            int col = b->ferr.col > (int)off ?
                      ucol_width(b->fb + off, (size_t)b->ferr.col - off) : 0;
            char m[300];
            if (col < 0)
                col = 0;
            if (col >= w)
                col = w - 1;
            tui_put(L->msg, 0, COLS, A_NORMAL, "");
            tui_put(L->msg, LABEL_W + col, 1, tui_attr(t, TA_ERROR) | A_BOLD, "^");
            snprintf(m, sizeof m, "%s", b->ferr.msg);
            if (LABEL_W + col + 2 + ucol_width(m, strlen(m)) <= COLS)
                tui_put(L->msg, LABEL_W + col + 2, COLS - LABEL_W - col - 2,
                        tui_attr(t, TA_ERROR), m);
            else
                tui_put(L->msg, 0, LABEL_W + col > 0 ? LABEL_W + col : 0,
                        tui_attr(t, TA_ERROR), m);
        }
        return;
    }
    if (b->applied[0])
        tui_put(0, LABEL_W, w, tui_attr(t, TA_GOOD), b->applied);
    else
        tui_put(0, LABEL_W, w, A_DIM, "(none; press / to filter)");
}

void
tui_bar_cursor(const struct tui *t)
{
    const struct tui_bar *b = &t->bar;
    int plw;

    curs_set(tui_bar_active(t) ? 1 : 0);
    if (b->prompting) {
        plw = b->ptarget == V_FOLLOW ? 16 : 10;
        move(0, plw + (int)b->plen < COLS ? plw + (int)b->plen : COLS - 1);
    } else if (b->editing) {
        size_t off = bar_off(b);
        move(0, LABEL_W + ucol_width(b->fb + off, b->fcur - off));
    }
}

/* ---- keys ---- */

void
tui_bar_start(struct tui *t)
{
    struct tui_bar *b = &t->bar;

    b->editing = 1;
    t->msg[0] = 0;
    memcpy(b->before, b->applied, sizeof b->before);
    memcpy(b->fb, b->applied, sizeof b->fb);
    b->flen = b->fcur = strlen(b->fb);
    b->selall = b->flen > 0;
    b->hpos = b->nhist;
    b->fok = 1;
}

void
tui_bar_key(struct tui *t, int ch)
{
    struct tui_bar *b = &t->bar;
    int sel;

    if (b->prompting) {
        switch (ch) {
        case 27:
            b->prompting = 0;
            return;
        case '\n': case '\r': case KEY_ENTER:
            b->prompting = 0;
            b->pb[b->plen] = 0;
            if (b->ptarget == V_FOLLOW)
                tui_follow_find(t, b->pb);
            else
                tui_table_find(t, b->pb);
            return;
        case KEY_BACKSPACE: case 127: case CTRL('h'):
            if (b->plen)
                b->plen--;
            return;
        case CTRL('u'):
            b->plen = 0;
            return;
        default:
            if (ch >= 0x20 && ch <= 0x7e && b->plen + 1 < sizeof b->pb)
                b->pb[b->plen++] = (char)ch;
            return;
        }
    }
    /* Any key ends the selection; a character or a deletion replaces
     * the selected text, the others (arrows, Home, End, history, Tab)
     * act on it as if it had not been selected. */
    sel = b->selall;
    b->selall = 0;
    switch (ch) {
    case 27:    /* Esc: back to the filter we had */
        b->editing = 0;
        t->msg[0] = 0;
        bar_set(t, b->before);
        b->editing = 0;
        return;
    case '\n': case '\r': case KEY_ENTER:
        if (!b->fok) {
            snprintf(t->msg, sizeof t->msg, "%s", b->ferr.msg);
            return;
        }
        b->fb[b->flen] = 0;
        hist_add(b, b->fb);
        b->editing = 0;
        t->msg[0] = 0;
        return;
    case KEY_BACKSPACE: case 127: case CTRL('h'):
        if (sel) {
            b->flen = b->fcur = 0;
        } else if (b->fcur) {
            memmove(b->fb + b->fcur - 1, b->fb + b->fcur, b->flen - b->fcur);
            b->fcur--;
            b->flen--;
        }
        break;
    case KEY_DC: case CTRL('d'):
        if (sel) {
            b->flen = b->fcur = 0;
        } else if (b->fcur < b->flen) {
            memmove(b->fb + b->fcur, b->fb + b->fcur + 1, b->flen - b->fcur - 1);
            b->flen--;
        }
        break;
    case KEY_LEFT: case CTRL('b'):
        if (b->fcur)
            b->fcur--;
        return;
    case KEY_RIGHT:
        if (b->fcur < b->flen)
            b->fcur++;
        return;
    case KEY_HOME: case CTRL('a'):
        b->fcur = 0;
        return;
    case KEY_END: case CTRL('e'):
        b->fcur = b->flen;
        return;
    case CTRL('u'):
        b->flen = b->fcur = 0;
        break;
    case CTRL('k'):
        b->flen = b->fcur;
        break;
    case KEY_UP:
        if (b->hpos > 0) {
            b->hpos--;
            bar_set(t, b->hist[b->hpos]);
        }
        return;
    case KEY_DOWN:
        if (b->hpos < b->nhist) {
            b->hpos++;
            bar_set(t, b->hpos < b->nhist ? b->hist[b->hpos] : "");
        }
        return;
    case '\t':
        bar_complete(t);
        return;
    default:
        if (ch < 0x20 || ch > 0x7e) {
            b->selall = sel;    /* a key we do not use changes nothing */
            return;
        }
        if (sel)
            b->flen = b->fcur = 0;
        if (b->flen + 1 >= sizeof b->fb)
            return;
        memmove(b->fb + b->fcur + 1, b->fb + b->fcur, b->flen - b->fcur);
        b->fb[b->fcur++] = (char)ch;
        b->flen++;
        break;
    }
    t->msg[0] = 0;
    bar_check(t);
}

void
tui_prompt(struct tui *t, int target)
{
    struct tui_bar *b = &t->bar;

    b->prompting = 1;
    b->ptarget = target;
    b->plen = 0;
    t->msg[0] = 0;
}
