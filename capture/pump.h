/* pump.h - read packets, hand them to the dissector, which delivers
 * records to its sink: the one loop every view runs through. */
#ifndef MS_PUMP_H
#define MS_PUMP_H

#include <signal.h>
#include <stdint.h>

#include "../dissect/dissect.h"
#include "../dissect/err.h"
#include "cap.h"
#include "status.h"

struct pump {
    struct cap *cap;                    /* opened */
    struct dis *dis;
    uint64_t maxpkts;                   /* -c; 0: no limit */
    volatile sig_atomic_t *stop;        /* set by a signal; may be NULL */
    int state;                          /* SRC_READING, SRC_DONE, SRC_ERROR */
    char err[ERRBUF_LEN];
};

void pump_init(struct pump *p, struct cap *cap, struct dis *dis,
               uint64_t maxpkts, volatile sig_atomic_t *stop);
/* Read up to max packets, or fewer when budget_ms runs out (0: no
 * budget), or a live capture has nothing now. At the end of input (or
 * -c, or stop) every flow is flushed. Returns the packets read. */
unsigned pump_step(struct pump *p, unsigned max, int budget_ms);
/* Until the end of input. Returns SRC_DONE or SRC_ERROR. */
int pump_run(struct pump *p);
void pump_status(const struct pump *p, struct src_status *st);

#endif
