/* tui.h - the ncurses view. main.c is its only caller. */
#ifndef MS_TUI_H
#define MS_TUI_H

#include <signal.h>
#include <stdint.h>

struct cap;
struct dis_cfg;

struct tui_opts {
    struct cap *cap;                /* opened, filter set, privileges dropped */
    const struct dis_cfg *cfg;
    const char *filter;             /* -Y: starts in the filter bar */
    int time_fmt;
    uint64_t maxpkts;
    int color;
    volatile sig_atomic_t *stop;    /* set by SIGINT/SIGTERM */
};

/* Run the view until the user quits; returns the exit status. */
int tui_run(const struct tui_opts *o);

#endif
