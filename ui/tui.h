/* tui.h - the ncurses view. It consumes records (tui_sink) and reads
 * its input through a source the caller wires to the pump; it includes
 * nothing from capture/ but the plain status struct. */
#ifndef MS_TUI_H
#define MS_TUI_H

#include <signal.h>
#include <stdint.h>

#include "../dissect/record.h"

struct src_status;

struct tui_src {
    /* Read and dissect a bounded batch: at most max packets, about
     * budget_ms; records reach tui_sink() meanwhile. Returns the packets
     * read. */
    unsigned (*step)(void *ctx, unsigned max, int budget_ms);
    void (*status)(void *ctx, struct src_status *st);
    int fd;                         /* live: poll it; -1 otherwise */
    void *ctx;
};

struct tui_opts {
    const char *filter;             /* -Y: starts in the filter bar */
    int time_fmt;
    int color;
    volatile sig_atomic_t *stop;    /* set by SIGINT/SIGTERM */
};

struct tui;

/* A view with an empty record store; NULL when out of memory. */
struct tui *tui_new(const struct tui_opts *o);
/* Where the dissector delivers records for the view. */
struct rec_sink tui_sink(struct tui *t);
/* Run the view until the user quits; frees t; returns the exit status
 * (1 when the input failed: the caller prints the source's error). */
int tui_run(struct tui *t, const struct tui_src *src);

#endif
