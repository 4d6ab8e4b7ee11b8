/* acc.h - accumulators: a record built from several lines (multi-line
 * reply, POP3 listing, message body), message header parsing (IMF), and
 * message bodies streamed to the export sink. */
#ifndef MS_ACC_H
#define MS_ACC_H

#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "flow.h"
#include "line.h"
#include "record.h"

/* Allocated on first need per direction. */
struct acc {
    uint8_t active;
    uint8_t body;           /* lines are message text (dot-unstuffed) */
    uint8_t in_hdr;         /* body: still in the header block */
    uint8_t strict;         /* SMTP DATA: only CRLF . CRLF ends the body;
                             * a dot line framed by a bare LF or CR is
                             * text, flagged smtp_smuggling */
    uint8_t prev_crlf;      /* the previous body line ended with CR LF */
    uint8_t dot_end;        /* the last body line was a dot alone that
                             * strict framing did not take for the end */
    /* the header block, parsed as it streams (acc.c hdr_feed) */
    uint8_t hstate;
    int8_t hcur;            /* header whose value is being read, or -1 */
    uint8_t hnlen;
    uint8_t hseen;          /* bit per enum imf_hdr: value taken */
    char hname[24];         /* a header name being read */
    uint32_t hvn;           /* bytes used in hv */
    uint32_t hoff[IMF_N], hlen[IMF_N];
    uint32_t hcut;          /* value bytes not kept (header_truncated) */
    uint64_t flags;
    uint64_t pkt_first, pkt_last;
    struct ms_time ts_first, ts_last;
    uint32_t nseg;
    uint64_t wire;          /* bytes on the wire */
    uint64_t size;          /* body octets after unstuffing */
    uint32_t lines;
    uint32_t tn, rn;
    uint16_t nmarks;
    uint16_t code;
    char verb[16];
    uint8_t text[LIM_TEXT];     /* lines joined by \n */
    uint8_t raw[LIM_RAW];       /* wire bytes */
    struct rec_mark marks[LIM_MARKS];
    uint8_t hv[LIM_HDR_VALUES]; /* the kept header values, unfolded */
    const struct body_sink *sink;   /* the dissector's, if exporting */
    void *exp;                  /* body being exported */
};

/* Open (or reopen) the accumulator of dir; ln NULL: at the current
 * packet. A body is handed to the export sink as it comes. NULL when
 * memory is refused. */
struct acc *acc_open(struct flow *f, int dir, int body, const struct line *ln);
/* Count a line's bytes and packets without adding text. */
void acc_note(struct acc *a, const struct line *ln);
void acc_add(struct acc *a, const struct line *ln, const uint8_t *text, size_t n);
/* Add one body line; returns 1 when it was the "." terminator. */
int acc_body_line(struct acc *a, const struct line *ln);
/* Add raw body bytes (BDAT chunk). */
void acc_body_bytes(struct acc *a, const uint8_t *p, size_t n, uint64_t pkt,
                    const struct ms_time *ts);
/* Whole body lines once the record keeps nothing more of them (headers
 * parsed, text and raw full): counted in place. Returns bytes used (0:
 * take the line path). acc_bulk_ready says first whether it may, inline,
 * as the line path asks before every line. */
static inline int
acc_bulk_ready(const struct acc *a)
{
    return a && a->active && a->body && !a->in_hdr && a->tn >= LIM_TEXT && a->rn >= LIM_RAW;
}
size_t acc_body_bulk(struct acc *a, const uint8_t *p, size_t n, uint64_t pkt,
                     const struct ms_time *ts, uint64_t flags);
/* A body line longer than LIM_LINE, whole, as it streams by (line.h's
 * spill callback; ctx is the acc). */
void acc_spill(void *ctx, const uint8_t *p, size_t n, int first);
/* Fill r->imf from the header block of a body (and flag what was cut). */
void acc_headers(struct flow *f, struct acc *a, struct rec *r);
/* A record from the accumulator. */
void acc_rec(const struct flow *f, int dir, const struct acc *a, struct rec *r,
             int kind);
void acc_close(struct acc *a);
/* Emit a body record built from a (acc_rec), end its export, close a. */
void acc_body_emit(struct flow *f, int dir, struct acc *a, struct rec *r);
/* Flow end: drop unfinished exports, give the accumulators back. */
void acc_free(struct flow *f);

#endif
