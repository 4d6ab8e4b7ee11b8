/* auth.h - SASL PLAIN/LOGIN/CRAM-MD5/XOAUTH2/OAUTHBEARER, USER/PASS and
 * APOP, for SMTP and POP3; credential records once the outcome is known. */
#ifndef MS_AUTH_H
#define MS_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "line.h"
#include "record.h"

struct auth_st {
    uint8_t mech;           /* enum auth_mech */
    uint8_t active;         /* an attempt is open */
    uint8_t sasl;           /* inside a SASL exchange (client lines are data) */
    uint8_t nresp;          /* client responses so far */
    uint8_t have_user, have_secret;
    uint64_t flags;
    uint16_t ulen, slen, zlen, clen, tslen, mlen, tlen;
    uint8_t typed[LIM_CRED];    /* the secret's line as typed, if edited */
    uint8_t user[LIM_CRED], secret[LIM_CRED], authzid[LIM_CRED];
    uint8_t chal[LIM_CRED];
    uint8_t apop_ts[LIM_CRED];  /* POP3 banner timestamp <...> */
    uint8_t mech_name[32];
    uint64_t pkt_first, user_pkt, secret_pkt;
    struct ms_time ts_first;
};

/* A client line in command mode, edited as typed: either SASL data of
 * an exchange in progress, emitted here as an auth record (returns 1),
 * or a command returned in r with verb and arg set (returns 0; the
 * protocol completes and emits it). */
int auth_client_line(struct flow *f, const struct line *ln, struct rec *r);
/* Client "AUTH MECH [initial-response]". r is the command record: it
 * gets the decoded user/secret of an initial response. */
void auth_begin(struct flow *f, const uint8_t *mech, size_t mn,
                const uint8_t *ir, size_t irn, const struct line *ln,
                struct rec *r);
/* Server continuation (334 / "+ ") with its base64 text. */
void auth_challenge(struct flow *f, const uint8_t *b64, size_t n);
/* Client line inside the exchange; r is its REC_AUTH record. Returns 1
 * when the client cancelled with "*". */
int auth_response(struct flow *f, const uint8_t *p, size_t n,
                  const struct line *ln, struct rec *r);
/* POP3 USER, PASS, APOP. */
void auth_user(struct flow *f, const uint8_t *p, size_t n, const struct line *ln,
               struct rec *r);
void auth_pass(struct flow *f, const uint8_t *p, size_t n, const struct line *ln,
               struct rec *r);
void auth_apop(struct flow *f, const uint8_t *arg, size_t n,
               const struct line *ln, struct rec *r);
/* POP3 greeting: remember the APOP timestamp. */
void auth_banner(struct flow *f, const uint8_t *p, size_t n);
/* The server's verdict: emit the credential record. reply is the line. */
void auth_verdict(struct flow *f, int result, const uint8_t *reply, size_t rn,
                  const struct line *ln);
/* Bytes of dir were lost: the client's lost abandon the attempt; a lost
 * server line keeps it, flagged, for the next reply's verdict. */
void auth_gap(struct flow *f, int dir);
/* The mechanism of the attempt waiting for its verdict, or AUTH_NONE;
 * whether it has its secret yet. */
int auth_mech_open(const struct flow *f);
int auth_has_secret(const struct flow *f);
/* Gap or flow end while an attempt waits: emit it as unknown. */
void auth_abandon(struct flow *f, uint64_t why_flags);
int auth_in_sasl(const struct flow *f);
/* An AUTH exchange was started and has no verdict yet. */
int auth_sasl_open(const struct flow *f);
int auth_pending(const struct flow *f);
void auth_free(struct flow *f);

/* SASL decoders, exposed for tests and fuzzing. Each returns 0 or a
 * negative err and never reads past n. */
int auth_plain_split(const uint8_t *p, size_t n, struct rec_str *authzid,
                     struct rec_str *user, struct rec_str *pass);
int auth_oauth_split(const uint8_t *p, size_t n, int bearer,
                     struct rec_str *user, struct rec_str *token);
int auth_cram_split(const uint8_t *p, size_t n, struct rec_str *user,
                    struct rec_str *digest);

#endif
