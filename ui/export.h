/* export.h - message bodies to files (--export-objects imf,DIR). */
#ifndef MS_EXPORT_H
#define MS_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "../dissect/dissect.h"

struct exp_stats {
    uint64_t files, bytes;
    uint64_t cut;           /* stopped at the per-message cap */
    uint64_t skipped;       /* not exported: too many open at once */
    uint64_t failed;        /* create, write or rename failed */
};

/* Create DIR if it is missing (mode 0700) and open it; 0 or -1 with
 * errbuf filled. max_bytes and max_open of 0 take the limits.h values. */
int exp_init(const char *dir, uint64_t max_bytes, unsigned max_open,
             char *errbuf, size_t errsz);
/* The sink to put in dis_cfg.body once exp_init succeeded. */
extern const struct body_sink exp_sink;
/* Print the one-line summary on fp; -1 if any file failed. */
int exp_finish(FILE *fp);

#endif
