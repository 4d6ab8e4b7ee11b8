/* tui_priv.h - state shared by the ncurses view's files (tui.c: loop,
 * table, filter bar; tui_pane.c: details and bytes panes; tui_view.c:
 * follow stream, credentials, help). Not for other modules. */
#ifndef MS_TUI_PRIV_H
#define MS_TUI_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "../capture/status.h"
#include "../dissect/filter.h"
#include "../dissect/record.h"
#include "tui.h"

#if defined(__GNUC__)
#define TUI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TUI_PRINTF(a, b)
#endif

#define TUI_FBUF     512    /* filter text, like a long Wireshark filter */
#define TUI_HIST     64     /* filter history entries */
#define TUI_SBUF     128    /* search text */

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

/* A row of the packet view: one packet's bytes within one record. */
struct tui_prow {
    uint64_t pkt;
    size_t rec;             /* store index */
    uint16_t mark;          /* index into rec.marks */
};

struct tui {
    const struct tui_opts *o;
    const struct tui_src *src;
    struct src_status ss;   /* the input, as of the last batch */
    struct rec_store *st;
    uint64_t dropped;       /* rec_store_dropped() already accounted for */
    int color;
    int addrw;              /* widest address seen */
    int prec;               /* fraction digits of the capture's times */

    /* Input */
    int live, pfd, eof;     /* eof: 1 done, 2 error (ss.err) */

    /* Display filter and the rows that pass it (store indices, ascending) */
    struct flt *flt;
    char applied[TUI_FBUF];
    size_t *vis;
    size_t nvis, vcap;
    size_t fpos;            /* next store index to test */

    /* Packet view rows, derived from vis; sorted by packet number */
    int pktview;
    struct tui_prow *prow;
    size_t nprow, pcap;
    size_t ppos;            /* next vis index to expand */

    /* Selection in the current list (vis or prow) */
    size_t sel, top;
    int tail;               /* follow new rows */
    size_t sel_rec;         /* store index of the selected row */
    uint16_t sel_mark;
    int have_sel;

    /* Filter bar */
    int editing;
    char fb[TUI_FBUF];
    size_t flen, fcur;
    int fok;
    struct flt_err ferr;
    char before[TUI_FBUF];  /* filter when editing started (Esc) */
    char *hist[TUI_HIST];
    int nhist, hpos;

    /* One-line prompt for searches */
    int prompting;
    int ptarget;            /* V_TABLE or V_FOLLOW */
    char pb[TUI_SBUF];
    size_t plen;
    char rsearch[TUI_SBUF]; /* row search (table) */

    char msg[256];
    int msg_attr;

    /* Panes */
    int show_det, show_bytes;
    int focus;              /* 0 table, 1 details, 2 bytes */
    size_t det_top, bytes_top;
    struct tui_lines det;
    size_t det_rec;         /* store index + 1 the details were built for */
    uint16_t det_mark;
    int det_pkt;

    /* Views */
    int view;
    int help_from;          /* view to return to from help */
    uint32_t fflow;
    int ftyped;
    size_t fscan;           /* next store index to look at */
    struct tui_lines fl;
    size_t ftop;
    long fmatch;            /* line of the last match, -1 none */
    char fsearch[TUI_SBUF];
    char ftitle[256];

    size_t *cr;             /* credential records (store indices) */
    size_t ncr, crcap, crscan, crsel, crtop;

    struct tui_lines help;
    size_t htop;

    int dirty;
    int quit;
};

/* tui.c */
int tui_attr(const struct tui *t, int ta);
void tui_put(int y, int x, int w, int attr, const char *s);
void tui_goto_rec(struct tui *t, size_t rec);
int tui_get(const struct tui *t, size_t i, struct rec *r);
/* Open the one-line search prompt for V_TABLE or V_FOLLOW. */
void tui_prompt(struct tui *t, int target);

/* tui_pane.c */
void tui_lines_clear(struct tui_lines *L);
void tui_lines_add(struct tui_lines *L, int attr, const char *s);
void tui_lines_addf(struct tui_lines *L, int attr, const char *fmt, ...)
    TUI_PRINTF(3, 4);
/* prefix (ours) followed by untrusted bytes, escaped */
void tui_lines_esc(struct tui_lines *L, int attr, const char *prefix,
                   const uint8_t *p, size_t n);
void tui_details(struct tui *t, const struct rec *r, int mark);
void tui_draw_lines(struct tui *t, const struct tui_lines *L, int y0, int h,
                    size_t top, long hl);
void tui_draw_bytes(struct tui *t, const struct rec *r, int mark, int y0,
                    int h);
size_t tui_bytes_rows(const struct rec *r);

/* tui_view.c */
void tui_follow_open(struct tui *t, uint32_t flow);
void tui_follow_update(struct tui *t);
void tui_follow_draw(struct tui *t, int y0, int h);
int tui_follow_key(struct tui *t, int ch);
void tui_follow_search(struct tui *t, int dir);
void tui_creds_open(struct tui *t);
void tui_creds_update(struct tui *t);
void tui_creds_draw(struct tui *t, int y0, int h);
int tui_creds_key(struct tui *t, int ch, int h);
void tui_help_open(struct tui *t);
void tui_help_draw(struct tui *t, int y0, int h);
int tui_help_key(struct tui *t, int ch, int h);

/* Case-insensitive substring test (ASCII), for the row and follow searches. */
int tui_contains_ci(const char *hay, const char *needle);

#endif
