/* tui_priv.h - state shared by the ncurses view's files. struct tui holds
 * one sub-struct per part; a file changes only its own part and reaches
 * the others through the functions declared here:
 *   tui.c        event loop, setup, record sink, attributes, tui_put
 *   tui_keys.c   key dispatch, the table's keys, going to a record
 *   tui_table.c  t->table: columns, row text, header, layout, status line
 *   tui_bar.c    t->bar: filter bar (editing, completion, history,
 *                validity colour) and the one-line search prompt
 *   tui_pane.c   t->pane: details and bytes panes; escaped-line helpers
 *   tui_view.c   t->follow, t->creds, t->help: the full-screen views
 *   rows.c       t->rows: filtered rows and selection (no curses; rows.h)
 * Not for other modules. */
#ifndef MS_TUI_PRIV_H
#define MS_TUI_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "../capture/status.h"
#include "../dissect/filter.h"
#include "../dissect/record.h"
#include "rows.h"
#include "tui.h"

#if defined(__GNUC__)
#define TUI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TUI_PRINTF(a, b)
#endif

#define TUI_FBUF     512    /* filter text, like a long Wireshark filter */
#define TUI_HIST     64     /* filter history entries */
#define TUI_SBUF     128    /* search text */

#define CTRL(c) ((c) & 0x1f)

/* Semantic attributes; tui_attr() maps them to colours or to
 * bold/reverse/underline on a monochrome terminal. */
enum tui_attr {
    TA_NORMAL, TA_CLIENT, TA_SERVER, TA_ERROR, TA_CRED, TA_TITLE,
    TA_NOTE, TA_MATCH, TA_GOOD, TA_BAD, TA_STATUS, TA_N
};

enum tui_view { V_TABLE, V_FOLLOW, V_CREDS, V_HELP };

/* A screen line we produced: printable ASCII only (escaped already). */
struct tui_line {
    char *s;
    int attr;
};

struct tui_lines {
    struct tui_line *v;
    size_t n, cap;
};

/* Where things go on the screen this frame (tui_layout). */
struct tui_layout {
    int msg;            /* row of the message/error line, -1 none */
    int head, ty, th;   /* header, table rows */
    int dy, dh;         /* details: title at dy, dh rows below */
    int by, bh;         /* bytes */
    int body, bodyh;    /* other views */
};

/* tui_table.c */
struct tui_table {
    int addrw;              /* widest address seen */
    int prec;               /* fraction digits of the capture's times */
    char rsearch[TUI_SBUF]; /* row search text */
};

/* tui_bar.c */
struct tui_bar {
    int editing;
    char fb[TUI_FBUF];
    size_t flen, fcur;
    int fok;
    struct flt_err ferr;
    int selall;             /* the whole text is selected: typing replaces it */
    char before[TUI_FBUF];  /* filter when editing started (Esc) */
    char applied[TUI_FBUF]; /* the filter the rows use */
    char *hist[TUI_HIST];
    int nhist, hpos;

    /* One-line prompt for searches */
    int prompting;
    int ptarget;            /* V_TABLE or V_FOLLOW */
    char pb[TUI_SBUF];
    size_t plen;
};

/* tui_pane.c */
struct tui_pane {
    int show_det, show_bytes;
    int focus;              /* 0 table, 1 details, 2 bytes */
    size_t det_top, bytes_top;
    struct tui_lines det;
    size_t det_rec;         /* store index + 1 the details were built for */
    uint16_t det_mark;
    int det_pkt;
};

/* tui_view.c */
struct tui_follow {
    uint32_t flow;
    int typed;              /* as typed (raw keystrokes) */
    size_t scan;            /* next store index to look at */
    struct tui_lines fl;
    size_t top;
    long match;             /* line of the last match, -1 none */
    char search[TUI_SBUF];
    char title[256];
    int h;                  /* lines shown, as of the last draw */
};

struct tui_creds {
    size_t *v;              /* credential records (store indices) */
    size_t n, cap, scan, sel, top;
    int h;
    int w[8];               /* widest text of each column seen, in columns */
};

struct tui_help {
    struct tui_lines lines;
    size_t top;
    int from;               /* view to return to */
    int h;
};

struct tui {
    const struct tui_opts *o;
    const struct tui_src *src;
    struct src_status ss;   /* the input, as of the last batch */
    struct rec_store *st;
    int color;

    /* Input */
    int live, pfd, eof;     /* eof: 1 done, 2 error (ss.err) */

    struct rows rows;
    struct tui_table table;
    struct tui_bar bar;
    struct tui_pane pane;
    struct tui_follow follow;
    struct tui_creds creds;
    struct tui_help help;

    /* The message line under the bar; any part may set it. */
    char msg[256];
    int msg_attr;

    int view;
    int dirty;
    int quit;
};

/* tui.c */
/* esc_bytes flags for this terminal: ESC_UTF8 on a UTF-8 locale. */
int tui_escf(void);
int tui_attr(const struct tui *t, int ta);
void tui_put(int y, int x, int w, int attr, const char *s);
int tui_get(const struct tui *t, size_t i, struct rec *r);
void tui_msg(struct tui *t, int attr, const char *fmt, ...) TUI_PRINTF(3, 4);

/* tui_keys.c */
void tui_key(struct tui *t, int ch);
/* Select the row of store record rec (clearing the filter if it hides it). */
void tui_goto_rec(struct tui *t, size_t rec);

/* tui_table.c */
void tui_table_init(struct tui *t);
void tui_table_saw(struct tui *t, const struct rec *r);
void tui_layout(const struct tui *t, struct tui_layout *L);
void tui_table_draw(struct tui *t, const struct tui_layout *L);
void tui_status_draw(struct tui *t);
/* Find the next (dir > 0) or previous row containing the search text;
 * find: set the text, then search forward. */
void tui_table_search(struct tui *t, int dir);
void tui_table_find(struct tui *t, const char *text);

/* tui_bar.c */
void tui_bar_init(struct tui *t, const char *filter);
void tui_bar_free(struct tui *t);
void tui_bar_start(struct tui *t);
void tui_bar_key(struct tui *t, int ch);
/* Install a compiled filter (NULL: everything) for text. Takes f. */
void tui_bar_apply(struct tui *t, struct flt *f, const char *text);
/* Show every record: no filter, an empty bar. */
void tui_bar_clear(struct tui *t);
const char *tui_bar_applied(const struct tui *t);
/* Is the bar (or the prompt) taking keys? Does it need the message line? */
int tui_bar_active(const struct tui *t);
int tui_bar_wants_msg(const struct tui *t);
void tui_bar_draw(struct tui *t, const struct tui_layout *L);
/* Place the terminal cursor in the bar or prompt being edited. */
void tui_bar_cursor(const struct tui *t);
/* Open the one-line search prompt for V_TABLE or V_FOLLOW. */
void tui_prompt(struct tui *t, int target);

/* tui_pane.c */
void tui_lines_clear(struct tui_lines *L);
void tui_lines_free(struct tui_lines *L);
void tui_lines_add(struct tui_lines *L, int attr, const char *s);
void tui_lines_addf(struct tui_lines *L, int attr, const char *fmt, ...)
    TUI_PRINTF(3, 4);
/* prefix (ours) followed by untrusted bytes, escaped */
void tui_lines_esc(struct tui_lines *L, int attr, const char *prefix,
                   const uint8_t *p, size_t n);
void tui_draw_lines(struct tui *t, const struct tui_lines *L, int y0, int h,
                    size_t top, long hl);
void tui_pane_init(struct tui *t);
void tui_pane_free(struct tui *t);
void tui_pane_draw(struct tui *t, const struct tui_layout *L);
/* The store renumbered its records: rebuild the details. */
void tui_pane_drop(struct tui *t, size_t d);
/* Keys for the panes (focus, scrolling); returns 1 if taken. */
int tui_pane_key(struct tui *t, int ch);
/* Which part has the focus: 0 table, 1 details, 2 bytes. */
int tui_pane_focus(const struct tui *t);
int tui_pane_count(const struct tui *t);
int tui_pane_shown(const struct tui *t, int which);

/* tui_view.c */
void tui_view_init(struct tui *t);
void tui_view_free(struct tui *t);
void tui_view_drop(struct tui *t, size_t d);
void tui_follow_open(struct tui *t, uint32_t flow);
void tui_follow_update(struct tui *t);
void tui_follow_draw(struct tui *t, int y0, int h);
int tui_follow_key(struct tui *t, int ch);
void tui_follow_find(struct tui *t, const char *text);
void tui_creds_open(struct tui *t);
void tui_creds_update(struct tui *t);
void tui_creds_draw(struct tui *t, int y0, int h);
int tui_creds_key(struct tui *t, int ch);
void tui_help_open(struct tui *t);
void tui_help_draw(struct tui *t, int y0, int h);
int tui_help_key(struct tui *t, int ch);

/* Case-insensitive substring test (ASCII), for the row and follow searches. */
int tui_contains_ci(const char *hay, const char *needle);

#endif
