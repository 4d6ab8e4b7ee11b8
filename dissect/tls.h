/* tls.h - one TCP connection's TLS (RFC 5246, RFC 8446; SSL 3.0 to TLS
 * 1.3): records reassembled across segments, handshake parsed, application
 * data decrypted when keys are known (keylog.h). */
#ifndef MS_TLS_H
#define MS_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct tls_keys;

/* Largest record body read: TLSCiphertext.length <= 2^14 + 2048 (RFC 5246
 * 6.2.3; TLS 1.3 allows less, 2^14 + 256). A longer length is malformed.
 * Each decrypting direction holds one buffer of this size. */
#define LIM_TLS_RECORD      (16384 + 2048)

/* Bytes of one handshake message kept for parsing. A ClientHello is a few
 * hundred bytes (a post-quantum key share adds ~1.2 KB); certificate
 * chains are the big ones, usually 3-6 KB, rarely over 16 KB. Longer
 * messages are parsed from their first 64 KiB and reported cut. */
#define LIM_TLS_HS          (64u << 10)

/* Certificates of a chain reported, and bytes of each subject / issuer
 * string (RFC 4514 form; longer names are cut and flagged). */
#define LIM_TLS_CERTS       16
#define LIM_TLS_NAME        256

/* Items of hello lists carried in an event (the rest is counted). */
#define LIM_TLS_SUITES      64
#define LIM_TLS_ALPN        8
#define LIM_TLS_VERSIONS    16

/* Records a direction may fail to authenticate while it could still be
 * TLS 1.3 early data (0-RTT) or, with only application secrets in the key
 * log, handshake records: then they are skipped, not an error. RFC 8446
 * bounds early data by max_early_data_size; 64 records is 1 MiB. */
#define LIM_TLS_TRIAL       64

/* Bytes of a resynchronisation scan (after a gap or a malformed header)
 * before the direction is given up. */
#define LIM_TLS_RESYNC      (1u << 20)

/* Bytes from the wire, owned by someone else, valid during the callback.
 * Not NUL-terminated; may contain any byte (escape before printing). */
struct tls_str {
    const uint8_t *p;
    size_t n;
};

struct tls_cert_info {
    struct tls_str subject, issuer;   /* "CN=x,O=y,C=z" (RFC 4514 order) */
    uint32_t len;                     /* DER bytes of the certificate */
    uint8_t cut;                      /* a name was longer than LIM_TLS_NAME */
    uint8_t bad;                      /* DER did not parse: names empty */
};

/* X(ENUM, "name"). SERVER_HELLO is also a HelloRetryRequest (TLS_EVF_HRR);
 * ENCRYPTED_EXTENSIONS is TLS 1.3's, decrypted; DECRYPTING: keys found,
 * plaintext follows; NO_KEY: protected records and no key, they stay
 * opaque; BAD_RECORD: authentication failed or malformed, this direction
 * stops decrypting; OPAQUE: a burst of records not decrypted (records,
 * bytes); GAP: bytes lost, decryption stops; LIMIT: a cap or the memcap
 * cut something. */
#define TLS_EV_LIST(X) \
    X(CLIENT_HELLO, "client_hello") \
    X(SERVER_HELLO, "server_hello") \
    X(ENCRYPTED_EXTENSIONS, "encrypted_extensions") \
    X(CERTIFICATE, "certificate") \
    X(ALERT, "alert") \
    X(DECRYPTING, "decrypting") \
    X(NO_KEY, "no_key") \
    X(BAD_RECORD, "bad_record") \
    X(KEY_UPDATE, "key_update") \
    X(OPAQUE, "opaque") \
    X(GAP, "gap") \
    X(LIMIT, "limit")

#define TLS_EV_ENUM(e, n) TLS_EV_##e,
enum tls_ev_kind { TLS_EV_LIST(TLS_EV_ENUM) TLS_EV_N };
#undef TLS_EV_ENUM

/* tls_event.flags */
#define TLS_EVF_HRR        0x0001  /* SERVER_HELLO is a HelloRetryRequest */
#define TLS_EVF_RESUMED    0x0002  /* SERVER_HELLO: resumed (ID, ticket, PSK) */
#define TLS_EVF_ETM        0x0004  /* encrypt_then_mac offered (CH) / agreed */
#define TLS_EVF_EMS        0x0008  /* extended_master_secret offered / agreed */
#define TLS_EVF_TICKET     0x0010  /* CH: session_ticket with a ticket */
#define TLS_EVF_EARLY      0x0020  /* CH: early_data offered; EE: accepted */
#define TLS_EVF_PSK        0x0040  /* CH: pre_shared_key offered */
#define TLS_EVF_CUT        0x0080  /* a list or message was cut by a limit */
#define TLS_EVF_ENCRYPTED  0x0100  /* from a decrypted record */
#define TLS_EVF_REQUESTED  0x0200  /* KEY_UPDATE: update_requested */
#define TLS_EVF_EARLY_DATA 0x0400  /* OPAQUE/DECRYPTING: TLS 1.3 early data */
#define TLS_EVF_MALFORMED  0x0800  /* the message did not parse to its end */

struct tls_event {
    enum tls_ev_kind kind;
    int dir;                    /* 0 client->server, 1 server->client */
    uint64_t pkt;               /* packet that completed the message/record */
    struct ms_time ts;
    uint32_t flags;             /* TLS_EVF_ */
    uint64_t record;            /* records seen in this direction so far */

    /* Hellos: version fields. legacy_version as sent; version is the
     * negotiated one (supported_versions, RFC 8446 4.2.1), 0 before the
     * ServerHello. */
    uint16_t legacy_version;
    uint16_t version;
    /* Negotiated suite and its IANA name (SERVER_HELLO and later
     * events; 0 and NULL before). */
    uint16_t suite;
    const char *suite_name;

    /* CLIENT_HELLO */
    struct tls_str sni;         /* first host_name of server_name */
    uint16_t n_suites;          /* offered, all of them */
    uint16_t suites[LIM_TLS_SUITES];
    uint8_t n_versions;         /* supported_versions offered */
    uint16_t versions[LIM_TLS_VERSIONS];
    /* CLIENT_HELLO: offered; SERVER_HELLO / ENCRYPTED_EXTENSIONS: chosen */
    uint8_t n_alpn;
    struct tls_str alpn[LIM_TLS_ALPN];
    struct tls_str session_id;

    /* CERTIFICATE */
    uint16_t n_certs;           /* entries in certs[] */
    uint16_t certs_total;       /* certificates in the message (as kept) */
    struct tls_cert_info certs[LIM_TLS_CERTS];

    /* ALERT (names NULL in other events) */
    uint8_t alert_level, alert_desc;
    const char *alert_level_name, *alert_name;

    /* KEY_UPDATE: generation now in use (1 after the first update) */
    uint32_t generation;

    /* OPAQUE: this burst; GAP: bytes lost; handshake messages: the
     * message's bytes, its 4-byte header included. DECRYPTING, NO_KEY,
     * BAD_RECORD, LIMIT, GAP: why, in words ("CLIENT_RANDOM",
     * "authentication failed"); NULL otherwise. */
    uint64_t records, bytes;
    const char *reason;
};

/* Callbacks run inside tls_conn_data/gap/close and must not free the
 * connection. */
struct tls_out {
    /* Decrypted application data, in order; pkt/ts = packet that
     * completed the record. */
    void (*plain)(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
                  const struct ms_time *ts);
    void (*event)(void *ctx, const struct tls_event *ev);
    void *ctx;
};

struct tls_conn;

/* k may be NULL: parse only. k must outlive the connection. NULL when the
 * memcap refuses. */
struct tls_conn *tls_conn_new(struct tls_keys *k);
void tls_conn_free(struct tls_conn *c);

/* Bytes of direction dir (0 client->server, 1 server->client), in stream
 * order, as tcp_out delivers them (p may be NULL when n is 0). */
void tls_conn_data(struct tls_conn *c, int dir, const uint8_t *p, size_t n,
                   uint64_t pkt, const struct ms_time *ts,
                   const struct tls_out *o);
/* Bytes lost in direction dir: decryption of that direction stops
 * (reported once); record framing is kept when the hole lies inside one
 * record, otherwise resynchronised on the next plausible header. */
void tls_conn_gap(struct tls_conn *c, int dir, uint64_t len,
                  const struct tls_out *o);
/* Flow end: report what is pending (an OPAQUE burst summary; a record
 * cut short by the end counts in it). */
void tls_conn_close(struct tls_conn *c, const struct tls_out *o);

/* Counters of one connection, for --stats and tests. */
struct tls_conn_stats {
    uint64_t records[2];        /* records seen */
    uint64_t decrypted[2];      /* records decrypted */
    uint64_t plain_bytes[2];    /* application data bytes delivered */
    uint64_t opaque_records[2], opaque_bytes[2];
    uint64_t skipped_bytes[2];  /* resynchronisation and after giving up */
    uint64_t early_records;     /* TLS 1.3 early data records (c->s) */
    uint16_t version, suite;
    uint32_t mem;               /* bytes held now (struct, buffers) */
};
void tls_conn_stats(const struct tls_conn *c, struct tls_conn_stats *s);

/* Do the first bytes look like a TLS record (content type 20..24, version
 * 3.0..3.4, length 1..LIM_TLS_RECORD)? For STARTTLS / implicit-TLS checks;
 * n may be < 5: the answer is from what is there (n == 0: 0). */
int tls_looks_like_record(const uint8_t *p, size_t n);

/* Names as Wireshark shows them ("TLS_AES_128_GCM_SHA256", "Close Notify",
 * "TLS 1.2", "Client Hello"); "Unknown" when the value has none. */
const char *tls_suite_name(uint16_t id);
const char *tls_alert_name(uint8_t d);
const char *tls_alert_level_name(uint8_t l);
const char *tls_version_name(uint16_t v);
const char *tls_hs_type_name(uint8_t t);
const char *tls_ev_kind_name(enum tls_ev_kind k);

/* Free the algorithms fetched from libcrypto (at exit; optional). */
void tls_cleanup(void);

#endif
