/* labrep.h - the lab report of a capture (-z report: Markdown;
 * -z report,html: one self-contained HTML file with SVG ladders). */
#ifndef MS_LABREP_H
#define MS_LABREP_H

#include <stdio.h>

#include "../dissect/record.h"
#include "zstat.h"

enum { LR_MD, LR_HTML };

struct labrep;

struct labrep *labrep_new(void);
void labrep_free(struct labrep *L);
void labrep_add(struct labrep *L, const struct rec *r);
/* z: the statistics of the same records (sessions, stat tables);
 * source: the capture's name for the title (escaped here). */
void labrep_print(FILE *fp, struct labrep *L, struct zstat *z, int fmt,
                  const char *source);

/* Escapers, exposed for the unit test: untrusted bytes as a Markdown
 * code span (table: '|' escaped too) and as HTML text. Return the
 * length written (buf always terminated). */
size_t lr_md_code(char *buf, size_t sz, const uint8_t *p, size_t n, int table);
size_t lr_html(char *buf, size_t sz, const uint8_t *p, size_t n);

#endif
