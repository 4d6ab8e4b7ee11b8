/* zrep.h - the -z outputs of the lab companion, in the order given:
 *   -z PROTO,stat    statistics of one protocol (any row of the table:
 *                    smtp,stat, pop,stat ...)
 *   -z sessions      one row per connection
 *   -z ladder,N      the ladder diagram of stream N
 *   -z report        the lab report, Markdown; -z report,html: HTML
 * Printed after the records; with -T json the statistics, sessions and
 * ladders are one JSON object per line each (the report stays a
 * document). -z creds stays with report.c. */
#ifndef MS_ZREP_H
#define MS_ZREP_H

#include <stdio.h>

#include "../dissect/record.h"
#include "out.h"

struct zrep;

struct zrep *zrep_new(void);
void zrep_free(struct zrep *z);
/* One -z argument: 0 taken, -1 not one of these. */
int zrep_add(struct zrep *z, const char *arg);
void zrep_record(struct zrep *z, const struct rec *r);
/* source: the capture's name (file or interface) for the report. */
void zrep_print(FILE *fp, struct zrep *z, const struct out_opts *o, int json,
                const char *source);

#endif
