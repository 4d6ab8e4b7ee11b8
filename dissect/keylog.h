/* keylog.h - TLS secrets: NSS key log lines (SSLKEYLOGFILE), openssl
 * s_client session printouts ("Session-ID: <hex>" ... "Master-Key: <hex>")
 * and Wireshark's "RSA Session-ID:<hex> Master-Key:<hex>" lines. */
#ifndef MS_KEYLOG_H
#define MS_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

/* Secrets kept, of every kind together. A TLS 1.3 connection logs five
 * lines, TLS 1.2 one; 2^18 holds a busy client's day of connections in
 * 23 MiB (84 bytes a secret plus two 4-byte hash slots: load <= 1/2),
 * charged to the memcap as stream memory. Lines over it are refused and
 * counted (tls_keys_stats.refused). */
#define LIM_TLS_KEYS        (1u << 18)

/* Longest line read. An NSS line is at most ~230 bytes; longer lines are
 * bad and skipped to their newline. */
#define LIM_TLS_KEYLINE     1024

/* Default least time between two looks at the file by tls_keys_refresh
 * (milliseconds); each look is one stat(). */
#define TLS_KEYS_REFRESH_MS 100

/* Records a direction of a live capture passes opaque while it waits for
 * a TLS 1.3 secret the client has not written yet; each one looks at the
 * file again (one stat). Past them the direction has no key. */
#define TLS_KEYS_WAIT_RECORDS 32

/* Longest secret: master secrets and SHA-384 traffic secrets are 48. */
#define TLS_SECRET_MAX      48

/* What a secret is, and what it is looked up by. */
enum tls_secret {
    TLS_SEC_MASTER,         /* CLIENT_RANDOM <cr> <48-byte master secret> */
    TLS_SEC_CLIENT_HS,      /* CLIENT_HANDSHAKE_TRAFFIC_SECRET <cr> <s> */
    TLS_SEC_SERVER_HS,      /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
    TLS_SEC_CLIENT_APP,     /* CLIENT_TRAFFIC_SECRET_0 */
    TLS_SEC_SERVER_APP,     /* SERVER_TRAFFIC_SECRET_0 */
    TLS_SEC_CLIENT_EARLY,   /* CLIENT_EARLY_TRAFFIC_SECRET */
    TLS_SEC_EXPORTER,       /* EXPORTER_SECRET (stored, unused) */
    TLS_SEC_EARLY_EXPORTER, /* EARLY_EXPORTER_SECRET (stored, unused) */
    TLS_SEC_SESSION,        /* master secret by session id */
    TLS_SEC_TICKET,         /* master secret by SHA-256 of a TLS 1.2 ticket */
    TLS_SEC_N
};

struct tls_keys;

struct tls_keys *tls_keys_new(void);
void tls_keys_free(struct tls_keys *k);

/* Read the file; on a later call with the same path read only what was
 * appended since (a live capture re-reads while the client writes it). A
 * file that shrank or was replaced is read again from its start (secrets
 * already known stay). A last line without its newline is used if it
 * parses and read again once it is complete. 0, or -1 with a one-line
 * reason in err (unreadable file). */
int tls_keys_load(struct tls_keys *k, const char *path, char *err,
                  size_t errsz);

/* Re-read the file of the last load if it changed since (one stat, at most
 * once per refresh interval). 1 when new secrets arrived, 0 when nothing
 * changed (or too soon to look), -1 when the file cannot be read now. */
int tls_keys_refresh(struct tls_keys *k);
/* Least time between looks (0: every call looks). */
void tls_keys_set_refresh_ms(struct tls_keys *k, unsigned ms);
/* The same look, now, whatever the interval: for a connection waiting for
 * a secret its client is about to write (a bounded number of times). */
int tls_keys_refresh_now(struct tls_keys *k);
/* A live capture: the file may still grow while records arrive, so a
 * direction whose secret is missing waits a few records for it
 * (TLS_KEYS_WAIT_RECORDS) before it is given up. */
void tls_keys_set_live(struct tls_keys *k, int live);
int tls_keys_live(const struct tls_keys *k);

/* Parse key log text held in memory (tests, fuzzing, a key log pasted in
 * a capture comment): whole lines, the last one may lack its newline. */
void tls_keys_parse(struct tls_keys *k, const uint8_t *p, size_t n);

struct tls_keys_stats {
    uint64_t lines;         /* lines read (blank and comment lines too) */
    uint64_t secrets;       /* secrets held now */
    uint64_t bad_lines;     /* not a key log line, printout or comment */
    uint64_t reloads;       /* reads after the first that found new bytes */
    uint64_t ignored;       /* well-formed lines mailsift has no use for
                             * (RSA, PMS_CLIENT_RANDOM, *_TRAFFIC_SECRET_N,
                             * other lines of an s_client printout) */
    uint64_t refused;       /* secrets not stored: LIM_TLS_KEYS or memcap */
    uint64_t replaced;      /* a later line gave a known key a new secret */
    uint64_t learned;       /* session id / ticket secrets learned from
                             * decrypted connections */
};
void tls_keys_stats(const struct tls_keys *k, struct tls_keys_stats *s);

/* The secret of kind s for id (client random, session id, ticket hash;
 * 1..32 bytes): its length, copied to out (outsz >= TLS_SECRET_MAX), or 0.
 * k may be NULL. */
size_t tls_keys_find(const struct tls_keys *k, enum tls_secret s,
                     const uint8_t *id, size_t idlen, uint8_t *out,
                     size_t outsz);

/* Remember a secret found another way (tls.c learns session id -> master
 * secret and ticket -> master secret from connections it decrypted, as
 * Wireshark does, so a later resumption needs no line of its own). 0, or
 * negative (limit, memcap, bad argument). */
int tls_keys_learn(struct tls_keys *k, enum tls_secret s, const uint8_t *id,
                   size_t idlen, const uint8_t *secret, size_t n);

#endif
