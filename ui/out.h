/* out.h - the printers: text table, JSON lines, credentials report. */
#ifndef MS_OUT_H
#define MS_OUT_H

#include <stdio.h>

#include "../dissect/record.h"

struct out_opts {
    int time_fmt;       /* enum fmt_time */
    int color;          /* use SGR colours */
    int tag_cred;       /* append " [cred]" to rows with secrets */
    int flush;          /* flush after every record (live capture) */
};

void txt_record(FILE *fp, const struct rec *r, const struct out_opts *o);
void json_record(FILE *fp, const struct rec *r, const struct out_opts *o);
/* -T ek: an Elasticsearch bulk action line, then the record (ek.c). */
void ek_record(FILE *fp, const struct rec *r, const struct out_opts *o);

/* Credentials report (-z creds): each attempt's row is written as it
 * comes (in memory, past 2 MiB to a temporary file), no record is kept;
 * report_print prints the count, then the rows (hashcat: its lines). */
struct report;
struct report *report_new(const struct out_opts *o, int hashcat);
void report_add(struct report *rp, const struct rec *r);
/* tls: the sessions' counts, for the note on those not decrypted;
 * keylog: a key log was given. */
struct dis_tls_counts;
void report_print(FILE *fp, struct report *rp, const struct dis_tls_counts *tls, int keylog);
void report_free(struct report *rp);

#endif
