/* line.h - CRLF line assembly shared by SMTP and POP3. */
#ifndef MS_LINE_H
#define MS_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* How a line ended. */
enum line_eol { EOL_NONE, EOL_CRLF, EOL_LF, EOL_CRNUL };

struct line_buf;

struct line_asm {
    struct line_buf *buf;   /* held partial line, allocated on first need */
    uint64_t held;          /* bytes of the current line seen so far */
    uint64_t pkt_first, pkt_last;
    struct ms_time ts_first;
    uint32_t nseg;
    uint64_t flags;         /* carried to the line: gap, truncated ... */
    uint8_t crnul;          /* CR NUL ends lines (client side, telnet) */
    uint8_t last;           /* last byte of the line so far */
    uint8_t over;           /* longer than the buffer: LINE_SPILL or _CUT */
    uint8_t cr_held;        /* spilling: a CR kept back, it may end the line */
};

enum { LINE_FITS, LINE_SPILL, LINE_CUT };

/* A complete line. p/n exclude the line end and are cut at LIM_LINE;
 * raw/rawn include it and are cut at LIM_RAW. Valid until the next call. */
struct line {
    const uint8_t *p;
    size_t n;
    const uint8_t *raw;
    size_t rawn;
    uint64_t wire;          /* bytes on the wire including the line end */
    uint8_t eol;
    uint64_t flags;         /* ANOM_ bits */
    uint64_t pkt_first, pkt_last;
    struct ms_time ts_first, ts_last;
    uint32_t nseg;
    uint16_t nmarks;
    const struct rec_mark *marks;
    uint64_t clen;          /* content bytes on the wire (n unless cut) */
    uint8_t spilled;        /* longer than n, and all of it went to spill() */
};

/* The segment bytes come from. spill, if set, takes the whole content of
 * a line longer than LIM_LINE, in order, as it goes by (first: the call
 * with the line's first bytes), while the line handed out is cut: a body
 * can be exported whole. Set it for every segment of a line or for none. */
struct line_src {
    uint64_t pkt;
    struct ms_time ts;
    uint64_t flags;
    void (*spill)(void *ctx, const uint8_t *p, size_t n, int first);
    void *ctx;
};

/* Consume bytes up to and including one line end. Returns bytes used;
 * *got is 1 when *out holds a line. */
size_t line_next(struct line_asm *la, const uint8_t *p, size_t n,
                 const struct line_src *src, struct line *out, int *got);
/* Bytes were lost: the partial line is dropped, the next line is flagged. */
void line_gap(struct line_asm *la);
/* The rest of the segment was cut by the snap length: hand out the
 * partial line as it is, flagged truncated, its wire length counting the
 * missing bytes. */
int line_cut(struct line_asm *la, uint64_t missing, struct line *out);
/* Flow end: hand out the unterminated partial line, if any. */
int line_flush(struct line_asm *la, struct line *out);
/* Has a partial line? */
int line_pending(const struct line_asm *la);
/* The first bytes of the partial line held (at most its buffer), as
 * received: no line editing. Returns their count, 0 if none. */
size_t line_held(const struct line_asm *la, const uint8_t **p);
void line_free(struct line_asm *la);

#endif
