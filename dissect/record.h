/* record.h - the one record type every view, printer and the filter reads. */
#ifndef MS_RECORD_H
#define MS_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "anom.h"
#include "limits.h"

/* X(ENUM, "json name") */
#define REC_KIND_LIST(X) \
    X(CMD, "command") \
    X(REPLY, "reply") \
    X(BODY, "body") \
    X(AUTH, "auth") \
    X(CRED, "credential") \
    X(TLS, "tls") \
    X(NOTE, "note") \
    X(DATA, "data")

#define REC_KIND_ENUM(e, n) REC_##e,
enum rec_kind { REC_KIND_LIST(REC_KIND_ENUM) REC_KIND_N };
#undef REC_KIND_ENUM

enum dir { DIR_C2S, DIR_S2C };

/* Record flags: bits 0..ANOM_N-1 are anomalies (anom.h); these follow. */
#define REC_F_DECRYPTED ((uint64_t)1 << 61)  /* from TLS records opened with a key log */
#define REC_F_CRED   ((uint64_t)1 << 62)  /* carries a secret (password, token, digest) */
#define REC_F_MASKED ((uint64_t)1 << 63)  /* secrets in it were replaced by **** */

/* Time as captured: seconds and nanoseconds since the epoch. */
struct ms_time {
    int64_t sec;
    uint32_t nsec;
};

/* a - b in seconds, saturated at +-INT64_MAX (so that it can also be
 * negated): the seconds come from the file, and a pcapng block can say
 * any 64-bit time. Every difference of two ms_time seconds goes here. */
static inline int64_t
ms_sec_sub(int64_t a, int64_t b)
{
    int64_t d;

    if (__builtin_sub_overflow(a, b, &d))
        return a < b ? -INT64_MAX : INT64_MAX;
    return d == INT64_MIN ? -INT64_MAX : d;
}

/* The capture's clock: the first packet's time, from which relative
 * times count, and the fraction digits shown: 6 for microsecond
 * captures, 9 for nanosecond ones (like tshark). Set by the dissector at
 * the first packet; every record points at it. */
struct rec_clock {
    struct ms_time t0;
    int set;
    int prec;
};

struct rec_ep {
    uint8_t family;     /* 4 or 6 */
    uint8_t addr[16];   /* IPv4 in the first 4 bytes */
    uint16_t port;
};

/* Bytes owned by someone else, valid while the record is being emitted
 * (printers) or while the store holds it (views). Not NUL-terminated. */
struct rec_str {
    const uint8_t *p;
    uint32_t n;
};

/* Where a packet's bytes begin inside rec.raw. */
struct rec_mark {
    uint64_t pkt;
    uint32_t off;
    struct ms_time ts;      /* capture time of packet pkt */
};

/* X(ENUM, "name", secret kind) */
#define AUTH_MECH_LIST(X) \
    X(NONE, "", 0) \
    X(USERPASS, "USER/PASS", SECRET_PASSWORD) \
    X(APOP, "APOP", SECRET_DIGEST) \
    X(PLAIN, "PLAIN", SECRET_PASSWORD) \
    X(LOGIN, "LOGIN", SECRET_PASSWORD) \
    X(CRAM_MD5, "CRAM-MD5", SECRET_DIGEST) \
    X(XOAUTH2, "XOAUTH2", SECRET_TOKEN) \
    X(OAUTHBEARER, "OAUTHBEARER", SECRET_TOKEN) \
    X(OTHER, "OTHER", 0)

enum secret_kind { SECRET_NONE, SECRET_PASSWORD, SECRET_TOKEN, SECRET_DIGEST };

#define AUTH_MECH_ENUM(e, n, k) AUTH_##e,
enum auth_mech { AUTH_MECH_LIST(AUTH_MECH_ENUM) AUTH_MECH_N };
#undef AUTH_MECH_ENUM

enum cred_result { CRED_UNKNOWN, CRED_ACCEPTED, CRED_REJECTED };

struct rec_cred {
    uint8_t mech;          /* enum auth_mech */
    uint8_t result;        /* enum cred_result (credential records) */
    uint8_t secret_kind;   /* enum secret_kind */
    struct rec_str mech_name; /* as sent, for mechanisms we do not decode */
    struct rec_str user;
    struct rec_str secret;
    struct rec_str secret_typed; /* as the server got it, when line editing changed it */
    struct rec_str authzid;
    struct rec_str challenge;
    struct rec_str reply;  /* server's verdict line */
    uint64_t user_pkt, secret_pkt;
};

enum imf_hdr { IMF_FROM, IMF_TO, IMF_CC, IMF_SUBJECT, IMF_DATE, IMF_MSGID,
               IMF_REPLY_TO, IMF_N };

/* The TLS layer of a record: a handshake message, an alert or a run of
 * records not decrypted (kind REC_TLS), or what decrypted records came
 * in (REC_F_DECRYPTED). Lists are as on the wire: suites and versions
 * 2 bytes each, big-endian; ALPN names each after a length byte. */
struct rec_tls {
    uint16_t version;        /* negotiated (0x0303 TLS 1.2); 0: not yet */
    uint16_t suite;          /* negotiated cipher suite; 0: not yet */
    uint16_t legacy_version; /* a hello's legacy_version as sent */
    uint8_t hs_type;         /* handshake message type (1, 2, 11, 24); 0 */
    uint8_t alert_level;     /* an alert: 1 warning, 2 fatal; 0: none */
    uint8_t alert_desc;
    uint8_t ncerts;          /* certificates in a Certificate message */
    uint8_t resumed;         /* ServerHello: a resumed session */
    uint32_t records;        /* TLS records this record stands for */
    struct rec_str sni;      /* ClientHello server_name */
    struct rec_str alpn;     /* offered (ClientHello) or chosen */
    struct rec_str suites;   /* ClientHello: offered */
    struct rec_str versions; /* ClientHello: supported_versions offered */
    struct rec_str subject;  /* Certificate: the first (the server's) */
    struct rec_str issuer;
    struct rec_str reason;   /* why not decrypted, what was cut, ... */
};

struct rec {
    uint64_t pkt;            /* packet number that completed it */
    uint64_t pkt_first;      /* first packet that carried part of it */
    struct ms_time ts;       /* of pkt */
    struct ms_time ts_first; /* of pkt_first */
    uint32_t flow;           /* stable id for this run (tcp.stream) */
    struct rec_ep src, dst;
    uint8_t proto, kind, dir;   /* proto: enum proto (proto.h) */
    uint8_t detect;          /* enum det_how (proto.h): what chose proto */
    uint64_t flags;          /* 1u << ANOM_x, REC_F_* */
    uint16_t code;           /* SMTP reply code, 0 if none */
    uint32_t nseg;           /* segments that carried it */
    uint32_t len;            /* bytes on the wire (Length column) */
    uint64_t size;           /* body octets after unstuffing; TLS bytes */
    uint32_t lines;          /* body or multi-line reply lines */
    char verb[16];           /* "MAIL", "+OK", "250"; upper-cased, NUL-terminated */
    /* A reply (or a body a reply carries): the command it answers. */
    uint64_t req_pkt;        /* 0: none */
    struct ms_time req_ts;
    char req_verb[16];
    struct rec_str text;     /* as sent (typed lines: edited); lines joined by \n */
    struct rec_str arg;      /* command parameter or reply text */
    struct rec_str typed;    /* raw keystrokes, when editing or IAC changed them */
    struct rec_str raw;      /* wire bytes, capped at LIM_RAW */
    uint16_t nmarks;
    const struct rec_mark *marks;  /* packet boundaries in raw */
    uint16_t secret_off;     /* text[secret_off..] is secret (REC_F_CRED) */
    struct rec_str imf[IMF_N];      /* RFC 2047 words decoded to UTF-8 */
    struct rec_str imf_raw[IMF_N];  /* as sent, when decoding changed it */
    uint32_t imf_cut;        /* header value bytes not kept */
    struct rec_cred cred;
    struct rec_tls tls;
    const struct rec_clock *clock;  /* NULL: t0 = 0, 6 digits */
};

/* Where records go: printers stream them, the store keeps them. */
struct rec_sink {
    void (*emit)(void *ctx, const struct rec *r);
    void *ctx;
};

const char *rec_kind_name(int k);
const char *auth_mech_name(int m);
int auth_mech_secret_kind(int m);
const char *cred_result_name(int r);
const char *secret_kind_name(int k);
const char *imf_name(int h);

/* The clock's origin and digits, for a record whose clock may be NULL. */
struct ms_time rec_t0(const struct rec *r);
int rec_prec(const struct rec *r);

void rec_emit(const struct rec_sink *s, struct rec *r);

/* Store for views: compact copies in chunks, bounded by the memcap. */
struct rec_store;
struct rec_store *rec_store_new(void);
void rec_store_free(struct rec_store *s);
int rec_store_add(struct rec_store *s, const struct rec *r);
size_t rec_store_count(const struct rec_store *s);
/* Fill *r from stored record i; pointers stay valid while the store lives. */
int rec_store_get(const struct rec_store *s, size_t i, struct rec *r);
uint64_t rec_store_dropped(const struct rec_store *s);

#endif
