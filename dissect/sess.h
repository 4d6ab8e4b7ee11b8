/* sess.h - per-connection protocol state shared by smtp.c, pop3.c and
 * auth.c, and the helpers they use to build records. */
#ifndef MS_SESS_H
#define MS_SESS_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "line.h"
#include "record.h"

/* A record being built from several lines: a multi-line reply, a
 * message body, a POP3 listing. Allocated on first need per direction. */
struct acc {
    uint8_t active;
    uint8_t body;           /* lines are message text (dot-unstuffed) */
    uint8_t in_hdr;         /* body: still in the header block */
    uint32_t flags;
    uint64_t pkt_first, pkt_last;
    struct ms_time ts_first, ts_last;
    uint32_t nseg;
    uint64_t wire;          /* bytes on the wire */
    uint64_t size;          /* body octets after unstuffing */
    uint32_t lines;
    uint32_t tn, rn, hn;
    uint16_t nmarks;
    uint16_t code;
    char verb[16];
    uint8_t text[LIM_TEXT];     /* lines joined by \n */
    uint8_t raw[LIM_RAW];       /* wire bytes */
    struct rec_mark marks[LIM_MARKS];
    uint8_t hdr[LIM_HDR_SCAN];  /* body: header block, unfolded later */
    void *exp;                  /* body being exported (struct body_sink) */
};

struct pend {
    uint8_t cmd;
    uint8_t arg;            /* command had an argument */
};

struct auth_st;

struct burst {
    uint64_t bytes, pkt_first, pkt_last;
    struct ms_time ts_first, ts_last;
    uint32_t nseg;
};

struct sess {
    uint8_t cstate;         /* protocol's client state */
    uint8_t sstate;         /* protocol's server state */
    uint8_t qhead, qn;      /* pending commands, oldest at qhead */
    struct pend q[LIM_PIPELINE];
    uint64_t raw_left;      /* SMTP BDAT chunk bytes still to come */
    uint8_t raw_last;       /* that chunk is BDAT ... LAST */
    uint8_t server_spoke;   /* any server line seen */
    uint8_t tls;            /* encrypted from here on */
    uint8_t multi_cmd;      /* POP3: command whose multi-line data flows;
                             * SMTP: body began before its 354 */
    struct acc *acc[2];
    struct auth_st *auth;
    struct burst burst[2];
};

/* Pending queue */
void sess_push(struct flow *f, uint8_t cmd, uint8_t arg);
int sess_pop(struct flow *f, struct pend *p);   /* 0 if empty */
int sess_peek(struct flow *f, struct pend *p);

/* Records */
void sess_rec_line(const struct flow *f, int dir, const struct line *ln,
                   struct rec *r, int kind);
void sess_rec_acc(const struct flow *f, int dir, const struct acc *a,
                  struct rec *r, int kind);
void sess_emit(struct flow *f, int dir, struct rec *r);

/* The client line as the user meant it (telnet edits applied). Returns
 * a pointer to the line itself or to a scratch copy; sets *typed when
 * the edit changed it. */
const uint8_t *sess_edit(const struct line *ln, size_t *n, uint32_t *flags,
                         int *typed);

/* A client line in command mode: edited as typed, and either emitted as
 * SASL data (returns 1) or returned in r as a command record with verb
 * and arg set (returns 0; the caller emits it). */
int sess_client_line(struct flow *f, const struct line *ln, struct rec *r);

/* Accumulators */
struct acc *acc_open(struct flow *f, int dir, int body, const struct line *ln);
/* Count a line's bytes and packets without adding text. */
void acc_note(struct acc *a, const struct line *ln);
void acc_add(struct acc *a, const struct line *ln, const uint8_t *text, size_t n);
/* Add one body line; returns 1 when it was the "." terminator. */
int acc_body_line(struct acc *a, const struct line *ln);
/* Add raw body bytes (BDAT chunk). */
void acc_body_bytes(struct acc *a, const uint8_t *p, size_t n, uint64_t pkt,
                    const struct ms_time *ts);
/* Fill r->imf from the header block of a body. */
void acc_headers(struct acc *a, struct rec *r);
void acc_close(struct acc *a);
/* Emit a body record built from a (sess_rec_acc), end its export, close a. */
void acc_body_emit(struct flow *f, int dir, struct acc *a, struct rec *r);

/* Upper-case a verb into a NUL-terminated slot. */
void sess_verb(char *dst, size_t dstsz, const uint8_t *p, size_t n);
/* Split "VERB arg": verb and the argument after one or more spaces. */
void sess_split(const uint8_t *p, size_t n, const uint8_t **verb, size_t *vn,
                const uint8_t **arg, size_t *an);

/* Protocol entry points */
void smtp_on_line(struct flow *f, int dir, const struct line *ln);
void smtp_on_gap(struct flow *f, int dir);
void smtp_on_close(struct flow *f);
/* BDAT raw chunk bytes; returns bytes used. */
size_t smtp_on_raw(struct flow *f, const uint8_t *p, size_t n, uint64_t pkt,
                   const struct ms_time *ts);
void pop3_on_line(struct flow *f, int dir, const struct line *ln);
void pop3_on_gap(struct flow *f, int dir);
void pop3_on_close(struct flow *f);

/* Descriptions for the details pane */
const char *smtp_cmd_desc(const char *verb);
const char *pop3_cmd_desc(const char *verb);
const char *smtp_code_desc(unsigned code);

#endif
