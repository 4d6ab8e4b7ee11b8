/* sess.h - a connection's application state and the record toolkit the
 * protocols build records with (sess.c). Below the protocols: sess.c
 * calls none of them. */
#ifndef MS_SESS_H
#define MS_SESS_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "line.h"
#include "record.h"

struct dis;
struct det;
struct acc;
struct auth_st;
struct dec_ops;

struct pend {
    uint8_t cmd;
    uint8_t arg;            /* command had an argument */
    char verb[16];          /* the command record's */
    uint64_t pkt;
    struct ms_time ts;
};

struct sess {
    struct dis *d;          /* the dissector this connection belongs to */
    /* protocol state (smtp.c, pop3.c) */
    uint8_t cstate;         /* protocol's client state */
    uint8_t sstate;         /* protocol's server state */
    uint8_t qhead, qn;      /* pending commands (q, last), oldest at qhead */
    uint64_t raw_left[2];   /* bytes the protocol takes raw (on_raw) */
    uint8_t raw_last;       /* SMTP: that chunk is BDAT ... LAST */
    uint8_t server_spoke;   /* any server line seen */
    uint8_t greeted;        /* the server's greeting was seen (or the
                             * connection was picked up after it) */
    uint8_t midstream;      /* picked up without its SYN */
    uint8_t bdat;           /* SMTP: a message sent in BDAT chunks is open */
    struct pend multi_req;  /* POP3: the command a multi-line answer answers */
    uint8_t multi_cmd;      /* POP3: command whose multi-line data flows;
                             * SMTP: body began before its 354 */
    uint8_t want_tls;       /* the protocol saw TLS agreed (sess_start_tls) */
    uint8_t telnet;         /* the client negotiated telnet options */
    void *proto_st;         /* the protocol's own state (imap.c), freed
                             * by its on_close */
    /* stream stage (stream.c): what the connection is, the bytes held
     * while that is not known, the byte decoder and the directions it
     * covers */
    uint8_t state;          /* SESS_DETECT, SESS_MAIL, SESS_OTHER */
    uint8_t how;            /* enum det_how: what decided it */
    uint8_t tls_check;      /* bit per direction: TLS agreed, is the next
                             * byte a TLS record? */
    uint8_t dec_dirs;
    uint8_t tls_plain;      /* bit per direction: its bytes came decrypted */
    uint16_t tls_version, tls_suite;    /* negotiated, for the records */
    struct det *det;
    const struct dec_ops *dec;
    void *dec_st;
    struct acc *acc[2];     /* acc.c */
    struct auth_st *auth;   /* auth.c */
    /* Last, and not zeroed for a new connection (3 KiB of the 3.2, one
     * memset per connection): an entry is written before it is read. */
    struct pend q[LIM_PIPELINE];
};

enum { SESS_DETECT, SESS_MAIL, SESS_OTHER };

/* Pending queue: commands waiting for their replies. r is the command's
 * record (NULL: the current packet, no verb). */
void sess_push(struct flow *f, uint8_t cmd, uint8_t arg, const struct rec *r);
void sess_repush(struct flow *f, const struct pend *p);
int sess_pop(struct flow *f, struct pend *p);   /* 0 if empty */
int sess_peek(struct flow *f, struct pend *p);
/* A reply r answers the pending command p: say so in r. */
void sess_answers(struct rec *r, const struct pend *p);

/* Records: a record from a line (or, ln NULL, at the current packet),
 * and emission to the dissector's sink. */
void sess_rec_line(const struct flow *f, int dir, const struct line *ln,
                   struct rec *r, int kind);
void sess_emit(struct flow *f, int dir, struct rec *r);
/* The current packet, for state opened without a line. */
uint64_t sess_pkt(const struct flow *f);
struct ms_time sess_ts(const struct flow *f);

/* The client line as the user meant it (telnet edits applied). Returns
 * a pointer to the line itself or to a scratch copy; sets *typed when
 * the edit changed it. */
const uint8_t *sess_edit(struct flow *f, const struct line *ln, size_t *n,
                         uint64_t *flags, int *typed);

/* The server agreed to TLS (STARTTLS 220, STLS +OK): the stream stage
 * decodes the connection's bytes as TLS from the next byte on. */
void sess_start_tls(struct flow *f);

/* Upper-case a verb into a slot, zero-padded to its end. */
void sess_verb(char *dst, size_t dstsz, const uint8_t *p, size_t n);
/* Split "VERB arg": verb and the argument after one or more spaces. */
void sess_split(const uint8_t *p, size_t n, const uint8_t **verb, size_t *vn,
                const uint8_t **arg, size_t *an);

#endif
