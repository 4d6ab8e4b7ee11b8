/* rows.h - the rows a view shows, without curses: store indices that pass
 * the display filter (tested incrementally, in bounded batches), the
 * packet-view rows derived from them (one per packet of each record, in
 * packet order), the selection, which stays on its record across filter
 * changes and memcap drops, and tail-follow. The ncurses view draws from
 * it; tests/unit/test_rows.c drives it with a store of known records. */
#ifndef MS_ROWS_H
#define MS_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "../dissect/filter.h"
#include "../dissect/record.h"

/* Records tested (or expanded into packet rows) per batch, and the time
 * a batch may take: 100000 records take a few ms with a simple filter;
 * the budget keeps a slow one on a large store from holding keys back. */
#define ROWS_BATCH      100000
#define ROWS_BUDGET_MS  30

/* A row of the packet view: one packet's bytes within one record. */
struct rows_pkt {
    uint64_t pkt;
    size_t rec;             /* store index */
    uint16_t mark;          /* index into rec.marks */
};

/* Callers read these fields; only rows_ functions change them. */
struct rows {
    struct rec_store *st;   /* not owned */
    uint64_t dropped;       /* rec_store_dropped() already accounted for */
    size_t batch;           /* ROWS_BATCH; tests make it small */
    int budget_ms;          /* ROWS_BUDGET_MS; <= 0: no time limit */

    /* Display filter (owned; NULL: everything) and the store indices
     * that pass it, ascending */
    struct flt *flt;
    size_t *vis;
    size_t nvis, vcap;
    size_t fpos;            /* next store index to test */

    /* Packet view rows, derived from vis; sorted by packet number */
    int pktview;
    struct rows_pkt *prow;
    size_t nprow, pcap;
    size_t ppos;            /* next vis index to expand */

    /* Selection in the current list (vis or prow) */
    size_t sel, top;
    int tail;               /* follow new rows */
    size_t sel_rec;         /* store index of the selected row */
    uint16_t sel_mark;
    int have_sel;
};

void rows_init(struct rows *R, struct rec_store *st);
void rows_free(struct rows *R);

/* Rows in the current list: packet rows in the packet view, else records. */
size_t rows_count(const struct rows *R);
/* Store index and mark (-1 in the message view) of row i; -1 if none. */
int rows_at(const struct rows *R, size_t i, size_t *rec, int *mark);

/* One bounded batch of filtering / of packet-row expansion. Each
 * returns 1 if it made progress, 0 when there was nothing to do. */
int rows_filter_batch(struct rows *R);
int rows_pkt_batch(struct rows *R);
/* Has the list caught up with the store? */
int rows_complete(const struct rows *R);

/* The store dropped its oldest records (memcap) and renumbered the rest:
 * shift every index kept here. Returns how many were dropped since the
 * last call, so the caller shifts its own indices by as much. */
size_t rows_adjust_dropped(struct rows *R);

/* Install a compiled filter (NULL: everything); takes ownership, starts
 * filtering again from the first record. */
void rows_set_filter(struct rows *R, struct flt *f);
void rows_set_pktview(struct rows *R, int on);

/* Selection. note: remember the selected row's record; sync: put the
 * selection back on it (or the next row shown) after the list changed;
 * with tail set, on the last row instead. */
void rows_note_sel(struct rows *R);
void rows_sync_sel(struct rows *R);
/* Move by d rows; moving down onto the last row turns tail on when
 * can_tail (live capture, or the file is read). */
void rows_move(struct rows *R, long d, int can_tail);
/* Follow new rows (a live capture starts so) or stay put. */
void rows_set_tail(struct rows *R, int on);
void rows_select_first(struct rows *R);
void rows_select_last(struct rows *R);     /* and follow new rows */
void rows_select(struct rows *R, size_t i);
/* Does the filtered list hold store record rec (as far as tested)? */
int rows_shows(const struct rows *R, size_t rec);
/* Select store record rec's (first) row, finishing the list first. */
void rows_goto_rec(struct rows *R, size_t rec);
/* Keep the selection within the h rows from top. */
void rows_scroll(struct rows *R, int h);

/* The bytes packet m put into r->raw. */
void rows_mark_span(const struct rec *r, int m, size_t *off, size_t *len);
/* The capture time of packet m of r (m < 0: the record's): 0 and *ts
 * if known, else -1. Each mark keeps its packet's time; a record without
 * them (zero) has those of its first and completing packets (rec.ts_first,
 * rec.ts), and nothing in between is guessed. */
int rows_mark_time(const struct rec *r, int m, struct ms_time *ts);

#endif
