/* zstat.h - streaming statistics of the records (-z PROTO,stat,
 * -z sessions) and the per-connection summary the lab report and the
 * ladder read. Memory is bounded: every table has a cap (ZS_*), past it
 * entries are counted under "(other)" or "not tracked". */
#ifndef MS_ZSTAT_H
#define MS_ZSTAT_H

#include <stdint.h>
#include <stdio.h>

#include "../dissect/proto.h"
#include "../dissect/record.h"

/* Distinct command verbs, reply codes and classes kept per protocol. */
#define ZS_KEYS 64
/* Distinct users and clients kept per protocol. */
#define ZS_WHO 256
/* Latency samples per command: exact percentiles up to this many, then a
 * uniform reservoir of this size (Algorithm R, fixed seed: the same
 * capture gives the same figures). */
#define ZS_LAT_SAMPLES 1024
/* Connections tracked (by stream number, which counts from 0). */
#define ZS_SESS_MAX (1u << 20)
/* Bytes of a user name kept (longer ones are cut, flagged). */
#define ZS_USER 64

enum zs_tls { ZS_PLAIN, ZS_STARTTLS, ZS_IMPLICIT };

/* One connection, as its records show it. */
struct zsess {
    uint32_t flow;
    uint8_t proto;
    uint8_t tls;            /* enum zs_tls */
    uint8_t decrypted;      /* TLS bytes were decrypted (zs_decrypted) */
    uint8_t cleartext;      /* a client command seen before any TLS:
                             * TLS after it is STARTTLS; a client whose
                             * first bytes are TLS uses implicit TLS,
                             * whatever the server said first */
    uint8_t srv_tls;        /* the server sent TLS (a hello, a run) */
    uint8_t plain_after_tls;/* a clear-text reply after the client's TLS */
    struct rec_ep cli, srv;
    struct ms_time t0, t1;  /* first and last record */
    uint64_t first_pkt, last_pkt;
    uint32_t cmds, replies, errors, msgs, records;
    uint32_t cmd_segs;      /* segments that carried the command lines */
    uint32_t typed;         /* command lines typed in several segments */
    uint32_t logins, login_ok, login_bad;
    uint64_t bytes, msg_bytes;
    uint64_t anoms;         /* ANOM_F bits seen on its records */
    uint8_t user[ZS_USER];  /* the last login's user (raw bytes) */
    uint8_t user_n;
};

struct zstat;

struct zstat *zstat_new(void);
void zstat_free(struct zstat *z);
/* Count one record (every record shown, in capture order). */
void zstat_add(struct zstat *z, const struct rec *r);
/* Connections in order of their first record; NULL if none. */
const struct zsess *zstat_session(const struct zstat *z, size_t i);
size_t zstat_nsessions(const struct zstat *z);
const struct zsess *zstat_find(const struct zstat *z, uint32_t flow);

/* "plain", "STARTTLS", "implicit TLS", with ", decrypted" or
 * ", encrypted" for the TLS ones; "TLS hello, plain reply" when the
 * client began TLS and the server never did (zs_tls_unanswered). */
const char *zs_tls_name(const struct zsess *s);
/* 1 if the client began TLS but the server answered in clear text and
 * never in TLS: TLS is not on at that port (openssl s_client against a
 * plain server), so the server read the Client Hello as a command. */
int zs_tls_unanswered(const struct zsess *s);
/* "accepted", "rejected", "accepted after N failures", "none". */
void zs_verdict(const struct zsess *s, char *buf, size_t sz);
/* 1 if record r is the protocol's own, decrypted from TLS with the key
 * log. A TLS 1.3 handshake message opened with the handshake secrets
 * alone does not count: nothing of the session is readable yet (as the
 * TLS counts of --stats say). */
int zs_decrypted(const struct rec *r);

/* The reports: text tables like tshark's -z, or one JSON object. */
void zstat_print_proto(FILE *fp, struct zstat *z, int proto, int json);
void zstat_print_sessions(FILE *fp, struct zstat *z, int json);

#endif
