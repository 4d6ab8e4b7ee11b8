/* ladder.h - a connection as a sequence diagram ("ladder"): client and
 * server lifelines, one arrow per record with its frame, its offset
 * from the connection's first record and its text, the login and its
 * verdict marked across both lines. -z ladder,STREAM prints it, the
 * view shows it (L), the lab report embeds it (text or SVG). */
#ifndef MS_LADDER_H
#define MS_LADDER_H

#include <stddef.h>

#include "../dissect/record.h"

/* Columns of an arrow between the two lifelines. */
#define LADDER_W 40

enum ladder_kind { LD_HEAD, LD_C2S, LD_S2C, LD_LOGIN, LD_NOTE };

/* One line: kind, the record it shows (NULL for the head), its text
 * (escaped already: printable ASCII, or UTF-8 with ESC_UTF8). */
typedef void (*ladder_out)(void *ctx, int kind, const struct rec *r, const char *line);

/* The two head lines, from the connection's first record. */
void ladder_head(const struct rec *first, ladder_out out, void *ctx);
/* The line of record r; t0: the connection's first record's time;
 * escf: esc_bytes flags for the record's bytes (ESC_UTF8 or 0). */
void ladder_rec(const struct rec *r, const struct ms_time *t0, int escf, ladder_out out,
                void *ctx);

/* What a record says on its arrow (escaped with esc_bytes flags escf;
 * without "C: "): the Info text, or for a credential
 * "LOGIN user (MECH): verdict". */
size_t ladder_text(const struct rec *r, char *buf, size_t sz, int escf);
/* Offset of t from t0, "12.345678" (6 digits). */
void ladder_offset(const struct ms_time *t, const struct ms_time *t0, char *buf, size_t sz);

#endif
