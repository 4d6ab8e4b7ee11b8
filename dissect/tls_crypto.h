/* tls_crypto.h - TLS record protection for tls.c: key derivation (RFC 5246
 * 6.3 PRF, RFC 8446 7.1 HKDF-Expand-Label) and record opening (AES-GCM, RFC
 * 5288 / 8446; ChaCha20-Poly1305, RFC 7905 / 8446; AES-CBC with HMAC, RFC
 * 5246 6.2.3.1, and encrypt-then-MAC, RFC 7366). Every primitive is
 * OpenSSL 3 libcrypto's; contexts live as long as their direction. */
#ifndef MS_TLS_CRYPTO_H
#define MS_TLS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* How a suite protects records. */
enum tls_prot { TLS_P_GCM = 1, TLS_P_CHACHA, TLS_P_CBC };
/* Hash functions, for the PRF/HKDF and for HMAC. */
enum tls_md {
    TLS_MD_NONE, TLS_MD_SHA1, TLS_MD_SHA256, TLS_MD_SHA384, TLS_MD_MD5_SHA1,
    TLS_MD_N
};

struct tls_suite {
    uint16_t id;
    uint8_t prot;       /* enum tls_prot */
    uint8_t keylen;     /* 16 or 32 */
    uint8_t mac;        /* CBC: HMAC hash (enum tls_md) */
    uint8_t prf;        /* TLS 1.2 PRF / TLS 1.3 HKDF hash */
    uint8_t tls13;
};

/* A suite this code can decrypt, or NULL. */
const struct tls_suite *tls_suite_get(uint16_t id);
size_t tls_md_len(int md);

struct evp_cipher_ctx_st;
struct evp_mac_ctx_st;

/* One direction's record protection. Zero it before first use; tls_dec_*
 * allocate the OpenSSL contexts once and reuse them for every later key
 * (TLS 1.3 handshake -> application -> each KeyUpdate). */
struct tls_dec {
    struct evp_cipher_ctx_st *cx;
    struct evp_mac_ctx_st *mac;
    const struct tls_suite *s;
    uint64_t seq;               /* next record's sequence number */
    uint16_t version;           /* record version rules: 0x0301.. 0x0304 */
    uint8_t etm;                /* RFC 7366 */
    uint8_t maclen;
    uint8_t ready;              /* keys set */
    uint8_t iv[16];             /* GCM 1.2: 4-byte salt; ChaCha and 1.3: 12
                                 * bytes; TLS 1.0 CBC: the running IV */
    uint8_t secret[48];         /* TLS 1.3: current traffic secret */
    uint8_t secretlen;
};

/* TLS 1.0-1.2: keys of direction dir (0 client write, 1 server write) from
 * the master secret (RFC 5246 6.3). 0 or negative. */
int tls_dec_set12(struct tls_dec *d, const struct tls_suite *s,
                  uint16_t version, int etm, const uint8_t ms[48],
                  const uint8_t cr[32], const uint8_t sr[32], int dir);
/* TLS 1.3: keys from a traffic secret (RFC 8446 7.3); sequence 0. */
int tls_dec_set13(struct tls_dec *d, const struct tls_suite *s,
                  const uint8_t *secret, size_t n);
/* TLS 1.3 KeyUpdate: application_traffic_secret_N+1 (RFC 8446 7.2). */
int tls_dec_update13(struct tls_dec *d);

/* Open one record in place: hdr is its 5-byte header, in/n its fragment
 * (overwritten). 0 with the plaintext at *pt (inside in), *outn bytes, and
 * *type (TLS 1.3: the inner content type), or ERR_BAD (authentication,
 * padding, too short: *why says which). The sequence number advances only
 * on success. */
int tls_dec_open(struct tls_dec *d, const uint8_t hdr[5], uint8_t *in,
                 size_t n, uint8_t **pt, size_t *outn, uint8_t *type,
                 const char **why);

/* Free the contexts and wipe the keys; the struct can be set again. */
void tls_dec_clear(struct tls_dec *d);

/* SHA-256 of p (ticket identities). 0 or negative. */
int tls_sha256(const uint8_t *p, size_t n, uint8_t out[32]);

void tls_crypto_cleanup(void);

#endif
