/* fmt.h - addresses, times and record summaries shared by every view. */
#ifndef MS_FMT_H
#define MS_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "../dissect/proto.h"
#include "../dissect/record.h"

enum fmt_time { TF_REL, TF_ABS, TF_ABS_DATE, TF_UTC, TF_UTC_DATE, TF_EPOCH, TF_DELTA };

/* Returns the length written (buf is NUL-terminated). */
size_t fmt_addr(const struct rec_ep *e, char *buf, size_t sz);
/* "addr:port", "[addr]:port" for IPv6; as fmt_addr. */
size_t fmt_endpoint(const struct rec_ep *e, char *buf, size_t sz);
/* The fraction of a second in prec (6 or 9) digits at o, unchecked and
 * not NUL-terminated; returns the end. */
char *fmt_put_frac(char *o, uint32_t nsec, int prec);
/* prev: the previous shown record's time, for TF_DELTA; clk: the
 * capture's clock (rec.clock; NULL: origin 0, six digits). */
void fmt_time(const struct ms_time *t, int mode, const struct ms_time *prev,
              const struct rec_clock *clk, char *buf, size_t sz);
/* One-line Info text ("C: USER bob"), escaped, printable ASCII. */
size_t fmt_info(const struct rec *r, char *buf, size_t sz);
/* The Protocol column: the protocol's label, or TLS for encrypted bytes
 * of an unknown protocol. */
const char *fmt_proto(const struct rec *r);
/* The same with esc_bytes flags for the record's bytes: ESC_UTF8 shows
 * valid UTF-8 as characters (the text printer; the TUI once it measures
 * with esc_width). */
size_t fmt_info_esc(const struct rec *r, char *buf, size_t sz, int escf);
/* Is this a reply that reports an error (4xx, 5xx, -ERR)? */
int fmt_is_error(const struct rec *r);

#endif
