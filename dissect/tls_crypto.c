/* tls_crypto.c - TLS record protection with OpenSSL 3 libcrypto: the TLS
 * 1.0-1.2 PRF (RFC 2246 5, RFC 5246 5) through EVP_KDF "TLS1-PRF", TLS 1.3
 * HKDF-Expand-Label (RFC 8446 7.1) through EVP_KDF "HKDF" in EXPAND_ONLY
 * mode, AEAD records (RFC 5288, RFC 7905, RFC 8446 5.2), CBC records with
 * HMAC through EVP_MAC (RFC 5246 6.2.3.2, RFC 7366). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "err.h"
#include "rd.h"
#include "tls_crypto.h"

#define TAGLEN 16

/* ---- suites ---- */

#define S1   TLS_MD_SHA1
#define S256 TLS_MD_SHA256
#define S384 TLS_MD_SHA384
#define G(id, k, prf) { id, TLS_P_GCM, k, TLS_MD_NONE, prf, 0 }
#define C20(id) { id, TLS_P_CHACHA, 32, TLS_MD_NONE, S256, 0 }
#define CBC(id, k, mac, prf) { id, TLS_P_CBC, k, mac, prf, 0 }
#define T13(id, p, k, prf) { id, p, k, TLS_MD_NONE, prf, 1 }

/* Sorted by id. The PRF hash is SHA-256 except for *_SHA384 suites (RFC
 * 5246 5, RFC 5289 3); TLS 1.0/1.1 use MD5+SHA-1 whatever the suite. */
static const struct tls_suite suite_tab[] = {
    CBC(0x002f, 16, S1, S256),      /* RSA_AES_128_CBC_SHA */
    CBC(0x0032, 16, S1, S256),      /* DHE_DSS_AES_128_CBC_SHA */
    CBC(0x0033, 16, S1, S256),      /* DHE_RSA_AES_128_CBC_SHA */
    CBC(0x0035, 32, S1, S256),      /* RSA_AES_256_CBC_SHA */
    CBC(0x0038, 32, S1, S256),      /* DHE_DSS_AES_256_CBC_SHA */
    CBC(0x0039, 32, S1, S256),      /* DHE_RSA_AES_256_CBC_SHA */
    CBC(0x003c, 16, S256, S256),    /* RSA_AES_128_CBC_SHA256 */
    CBC(0x003d, 32, S256, S256),    /* RSA_AES_256_CBC_SHA256 */
    CBC(0x0040, 16, S256, S256),    /* DHE_DSS_AES_128_CBC_SHA256 */
    CBC(0x0067, 16, S256, S256),    /* DHE_RSA_AES_128_CBC_SHA256 */
    CBC(0x006a, 32, S256, S256),    /* DHE_DSS_AES_256_CBC_SHA256 */
    CBC(0x006b, 32, S256, S256),    /* DHE_RSA_AES_256_CBC_SHA256 */
    CBC(0x008c, 16, S1, S256),      /* PSK_AES_128_CBC_SHA */
    CBC(0x008d, 32, S1, S256),      /* PSK_AES_256_CBC_SHA */
    G(0x009c, 16, S256),            /* RSA_AES_128_GCM_SHA256 */
    G(0x009d, 32, S384),            /* RSA_AES_256_GCM_SHA384 */
    G(0x009e, 16, S256),            /* DHE_RSA_AES_128_GCM_SHA256 */
    G(0x009f, 32, S384),            /* DHE_RSA_AES_256_GCM_SHA384 */
    G(0x00a2, 16, S256),            /* DHE_DSS_AES_128_GCM_SHA256 */
    G(0x00a3, 32, S384),            /* DHE_DSS_AES_256_GCM_SHA384 */
    G(0x00a8, 16, S256),            /* PSK_AES_128_GCM_SHA256 */
    G(0x00a9, 32, S384),            /* PSK_AES_256_GCM_SHA384 */
    CBC(0x00ae, 16, S256, S256),    /* PSK_AES_128_CBC_SHA256 */
    CBC(0x00af, 32, S384, S384),    /* PSK_AES_256_CBC_SHA384 */
    T13(0x1301, TLS_P_GCM, 16, S256), /* TLS_AES_128_GCM_SHA256 */
    T13(0x1302, TLS_P_GCM, 32, S384), /* TLS_AES_256_GCM_SHA384 */
    T13(0x1303, TLS_P_CHACHA, 32, S256), /* TLS_CHACHA20_POLY1305_SHA256 */
    CBC(0xc009, 16, S1, S256),      /* ECDHE_ECDSA_AES_128_CBC_SHA */
    CBC(0xc00a, 32, S1, S256),      /* ECDHE_ECDSA_AES_256_CBC_SHA */
    CBC(0xc013, 16, S1, S256),      /* ECDHE_RSA_AES_128_CBC_SHA */
    CBC(0xc014, 32, S1, S256),      /* ECDHE_RSA_AES_256_CBC_SHA */
    CBC(0xc023, 16, S256, S256),    /* ECDHE_ECDSA_AES_128_CBC_SHA256 */
    CBC(0xc024, 32, S384, S384),    /* ECDHE_ECDSA_AES_256_CBC_SHA384 */
    CBC(0xc027, 16, S256, S256),    /* ECDHE_RSA_AES_128_CBC_SHA256 */
    CBC(0xc028, 32, S384, S384),    /* ECDHE_RSA_AES_256_CBC_SHA384 */
    G(0xc02b, 16, S256),            /* ECDHE_ECDSA_AES_128_GCM_SHA256 */
    G(0xc02c, 32, S384),            /* ECDHE_ECDSA_AES_256_GCM_SHA384 */
    G(0xc02f, 16, S256),            /* ECDHE_RSA_AES_128_GCM_SHA256 */
    G(0xc030, 32, S384),            /* ECDHE_RSA_AES_256_GCM_SHA384 */
    CBC(0xc035, 16, S1, S256),      /* ECDHE_PSK_AES_128_CBC_SHA */
    CBC(0xc036, 32, S1, S256),      /* ECDHE_PSK_AES_256_CBC_SHA */
    CBC(0xc037, 16, S256, S256),    /* ECDHE_PSK_AES_128_CBC_SHA256 */
    CBC(0xc038, 32, S384, S384),    /* ECDHE_PSK_AES_256_CBC_SHA384 */
    C20(0xcca8),                    /* ECDHE_RSA_CHACHA20_POLY1305_SHA256 */
    C20(0xcca9),                    /* ECDHE_ECDSA_CHACHA20_POLY1305_SHA256 */
    C20(0xccaa),                    /* DHE_RSA_CHACHA20_POLY1305_SHA256 */
    C20(0xccab),                    /* PSK_CHACHA20_POLY1305_SHA256 */
    C20(0xccac),                    /* ECDHE_PSK_CHACHA20_POLY1305_SHA256 */
    C20(0xccad),                    /* DHE_PSK_CHACHA20_POLY1305_SHA256 */
    C20(0xccae),                    /* RSA_PSK_CHACHA20_POLY1305_SHA256 */
};

const struct tls_suite *
tls_suite_get(uint16_t id)
{
    size_t lo = 0, hi = sizeof suite_tab / sizeof suite_tab[0];

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (suite_tab[mid].id == id)
            return &suite_tab[mid];
        if (suite_tab[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const char *const md_name[TLS_MD_N] = {
    NULL, "SHA1", "SHA256", "SHA384", "MD5-SHA1"
};

size_t
tls_md_len(int md)
{
    switch (md) {
    case TLS_MD_SHA1: return 20;
    case TLS_MD_SHA256: return 32;
    case TLS_MD_SHA384: return 48;
    case TLS_MD_MD5_SHA1: return 36;
    default: return 0;
    }
}

/* ---- algorithms, fetched once ---- */

enum { CI_AES128_GCM, CI_AES256_GCM, CI_CHACHA, CI_AES128_CBC, CI_AES256_CBC, CI_N };

static const char *const ci_name[CI_N] = {
    "AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CBC", "AES-256-CBC"
};
static EVP_CIPHER *ci_alg[CI_N];
static EVP_MAC *hmac_alg;
static EVP_KDF *prf_alg, *hkdf_alg;
static EVP_MD *sha256_alg;

/* Fetching looks the algorithm up in the provider tables: seconds for a
 * million connections if done per connection, so once per process. */
static EVP_CIPHER *
cipher_for(const struct tls_suite *s)
{
    int i;

    if (s->prot == TLS_P_CHACHA)
        i = CI_CHACHA;
    else if (s->prot == TLS_P_GCM)
        i = s->keylen == 16 ? CI_AES128_GCM : CI_AES256_GCM;
    else
        i = s->keylen == 16 ? CI_AES128_CBC : CI_AES256_CBC;
    if (!ci_alg[i])
        ci_alg[i] = EVP_CIPHER_fetch(NULL, ci_name[i], NULL);
    return ci_alg[i];
}

void
tls_crypto_cleanup(void)
{
    int i;

    for (i = 0; i < CI_N; i++) {
        EVP_CIPHER_free(ci_alg[i]);
        ci_alg[i] = NULL;
    }
    EVP_MAC_free(hmac_alg);
    EVP_KDF_free(prf_alg);
    EVP_KDF_free(hkdf_alg);
    EVP_MD_free(sha256_alg);
    hmac_alg = NULL;
    prf_alg = hkdf_alg = NULL;
    sha256_alg = NULL;
}

int
tls_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    unsigned int len = 0;

    if (!sha256_alg && !(sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL)))
        return ERR_UNSUP;
    if (!EVP_Digest(p, n, out, &len, sha256_alg, NULL) || len != 32)
        return ERR_BAD;
    return 0;
}

/* ---- key derivation ---- */

/* PRF(secret, label, seed1 + seed2) of RFC 5246 5 (hash md), or the TLS
 * 1.0/1.1 MD5/SHA-1 PRF when md is TLS_MD_MD5_SHA1. */
static int
prf(int md, const uint8_t *secret, size_t slen, const char *label,
    const uint8_t *s1, size_t n1, const uint8_t *s2, size_t n2,
    uint8_t *out, size_t outlen)
{
    EVP_KDF_CTX *kc;
    OSSL_PARAM p[6], *q = p;
    int ok;

    if (!prf_alg && !(prf_alg = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL)))
        return ERR_UNSUP;
    if (!(kc = EVP_KDF_CTX_new(prf_alg)))
        return ERR_NOMEM;
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md_name[md], 0);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, slen);
    /* Seeds concatenate: label, then the randoms. */
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)label, strlen(label));
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)s1, n1);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)s2, n2);
    *q = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(kc, out, outlen, p) > 0;
    EVP_KDF_CTX_free(kc);
    return ok ? 0 : ERR_BAD;
}

/* HKDF-Expand-Label(secret, label, "", outlen), RFC 8446 7.1. */
static int
expand_label(int md, const uint8_t *secret, size_t slen, const char *label,
             uint8_t *out, size_t outlen)
{
    EVP_KDF_CTX *kc;
    OSSL_PARAM p[5], *q = p;
    uint8_t info[2 + 1 + 255 + 1];
    size_t ll = strlen(label), n = 0;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY, ok;

    if (6 + ll > 255 || outlen > 0xffff)
        return ERR_BAD;
    /* struct { uint16 length; opaque label<7..255> = "tls13 " + Label;
     * opaque context<0..255>; } HkdfLabel; */
    info[n++] = (uint8_t)(outlen >> 8);
    info[n++] = (uint8_t)outlen;
    info[n++] = (uint8_t)(6 + ll);
    memcpy(info + n, "tls13 ", 6);
    n += 6;
    memcpy(info + n, label, ll);
    n += ll;
    info[n++] = 0;
    if (!hkdf_alg && !(hkdf_alg = EVP_KDF_fetch(NULL, "HKDF", NULL)))
        return ERR_UNSUP;
    if (!(kc = EVP_KDF_CTX_new(hkdf_alg)))
        return ERR_NOMEM;
    *q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    *q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md_name[md], 0);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, slen);
    *q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
    *q = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(kc, out, outlen, p) > 0;
    EVP_KDF_CTX_free(kc);
    OPENSSL_cleanse(info, sizeof info);
    return ok ? 0 : ERR_BAD;
}

/* ---- contexts ---- */

static int
set_cipher(struct tls_dec *d, const struct tls_suite *s, const uint8_t *key)
{
    EVP_CIPHER *ci = cipher_for(s);

    if (!ci)
        return ERR_UNSUP;
    if (!d->cx && !(d->cx = EVP_CIPHER_CTX_new()))
        return ERR_NOMEM;
    /* Cipher first, then the key: the IV comes with each record. */
    if (!EVP_DecryptInit_ex2(d->cx, ci, NULL, NULL, NULL))
        return ERR_BAD;
    if (s->prot != TLS_P_CBC
        && EVP_CIPHER_CTX_ctrl(d->cx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) <= 0)
        return ERR_BAD;
    if (s->prot == TLS_P_CBC)
        EVP_CIPHER_CTX_set_padding(d->cx, 0);
    if (!EVP_DecryptInit_ex2(d->cx, NULL, key, NULL, NULL))
        return ERR_BAD;
    return 0;
}

static int
set_mac(struct tls_dec *d, int md, const uint8_t *key, size_t n)
{
    OSSL_PARAM p[2];

    if (!hmac_alg && !(hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL)))
        return ERR_UNSUP;
    if (!d->mac && !(d->mac = EVP_MAC_CTX_new(hmac_alg)))
        return ERR_NOMEM;
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md_name[md], 0);
    p[1] = OSSL_PARAM_construct_end();
    /* Keyed once; each record re-initialises with no key, which restarts
     * from the keyed state instead of hashing the key again. */
    return EVP_MAC_init(d->mac, key, n, p) ? 0 : ERR_BAD;
}

int
tls_dec_set12(struct tls_dec *d, const struct tls_suite *s, uint16_t version,
              int etm, const uint8_t ms[48], const uint8_t cr[32],
              const uint8_t sr[32], int dir)
{
    uint8_t kb[2 * (48 + 32 + 16)];
    size_t mac = 0, key = s->keylen, iv, need;
    int md, rc;

    if (s->tls13 || version < 0x0301 || version > 0x0303)
        return ERR_UNSUP;
    if (s->prot == TLS_P_CBC) {
        mac = tls_md_len(s->mac);
        /* TLS 1.0 chains the IV across records (RFC 2246 6.2.3.2); from
         * TLS 1.1 each record carries its own (RFC 4346 6.2.3.2). */
        iv = version == 0x0301 ? 16 : 0;
    } else {
        iv = s->prot == TLS_P_GCM ? 4 : 12;
    }
    md = version == 0x0303 ? s->prf : TLS_MD_MD5_SHA1;
    need = 2 * (mac + key + iv);
    /* key_block = PRF(master_secret, "key expansion", server_random +
     * client_random): client MAC, server MAC, client key, server key,
     * client IV, server IV (RFC 5246 6.3). */
    if ((rc = prf(md, ms, 48, "key expansion", sr, 32, cr, 32, kb, need)) < 0)
        goto out;
    d->s = s;
    d->version = version;
    d->etm = s->prot == TLS_P_CBC && etm;
    d->maclen = (uint8_t)mac;
    d->seq = 0;
    d->ready = 0;
    memset(d->iv, 0, sizeof d->iv);
    memcpy(d->iv, kb + 2 * mac + 2 * key + (size_t)dir * iv, iv);
    if ((rc = set_cipher(d, s, kb + 2 * mac + (size_t)dir * key)) < 0)
        goto out;
    if (mac && (rc = set_mac(d, s->mac, kb + (size_t)dir * mac, mac)) < 0)
        goto out;
    d->ready = 1;
out:
    OPENSSL_cleanse(kb, sizeof kb);
    return rc;
}

int
tls_dec_set13(struct tls_dec *d, const struct tls_suite *s, const uint8_t *secret,
              size_t n)
{
    uint8_t key[32];
    int rc;

    if (!s->tls13 || n != tls_md_len(s->prf) || n > sizeof d->secret)
        return ERR_BAD;
    d->ready = 0;
    /* [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
     * [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length) */
    if ((rc = expand_label(s->prf, secret, n, "key", key, s->keylen)) < 0
        || (rc = expand_label(s->prf, secret, n, "iv", d->iv, 12)) < 0)
        goto out;
    if ((rc = set_cipher(d, s, key)) < 0)
        goto out;
    if (d->secret != secret)
        memcpy(d->secret, secret, n);
    d->secretlen = (uint8_t)n;
    d->s = s;
    d->version = 0x0304;
    d->etm = 0;
    d->maclen = 0;
    d->seq = 0;
    d->ready = 1;
out:
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int
tls_dec_update13(struct tls_dec *d)
{
    uint8_t next[48];
    int rc;

    if (!d->ready || !d->s || !d->s->tls13)
        return ERR_BAD;
    /* application_traffic_secret_N+1 = HKDF-Expand-Label(
     *     application_traffic_secret_N, "traffic upd", "", Hash.length) */
    if ((rc = expand_label(d->s->prf, d->secret, d->secretlen, "traffic upd",
                           next, d->secretlen)) < 0)
        return rc;
    rc = tls_dec_set13(d, d->s, next, d->secretlen);
    OPENSSL_cleanse(next, sizeof next);
    return rc;
}

void
tls_dec_clear(struct tls_dec *d)
{
    EVP_CIPHER_CTX_free(d->cx);
    EVP_MAC_CTX_free(d->mac);
    OPENSSL_cleanse(d, sizeof *d);
}

/* ---- records ---- */

static void
put64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* The per-record nonce of RFC 7905 2 / RFC 8446 5.3: the 64-bit sequence
 * number, left-padded to 12 bytes, XORed with the IV. */
static void
xor_nonce(const struct tls_dec *d, uint8_t nonce[12])
{
    uint8_t s[8];
    int i;

    put64(s, d->seq);
    memcpy(nonce, d->iv, 12);
    for (i = 0; i < 8; i++)
        nonce[4 + i] ^= s[i];
}

static int
aead_open(struct tls_dec *d, const uint8_t nonce[12], const uint8_t *aad,
          size_t aadn, const uint8_t *ct, size_t n, const uint8_t *tag,
          uint8_t *out)
{
    int l = 0, l2 = 0;

    if (!EVP_DecryptInit_ex2(d->cx, NULL, NULL, nonce, NULL)
        || !EVP_DecryptUpdate(d->cx, NULL, &l, aad, (int)aadn)
        || (n && !EVP_DecryptUpdate(d->cx, out, &l, ct, (int)n))
        || EVP_CIPHER_CTX_ctrl(d->cx, EVP_CTRL_AEAD_SET_TAG, TAGLEN, (void *)tag) <= 0)
        return ERR_BAD;
    if (EVP_DecryptFinal_ex(d->cx, out + l, &l2) <= 0)
        return ERR_BAD;
    return 0;
}

/* seq_num + type + version + length: the TLS 1.2 AEAD additional data and
 * the head of the HMAC input (RFC 5246 6.2.3.1, 6.2.3.3). */
static void
pseudo_header(const struct tls_dec *d, const uint8_t hdr[5], size_t len, uint8_t out[13])
{
    put64(out, d->seq);
    out[8] = hdr[0];
    out[9] = hdr[1];
    out[10] = hdr[2];
    out[11] = (uint8_t)(len >> 8);
    out[12] = (uint8_t)len;
}

static int
hmac_check(struct tls_dec *d, const uint8_t hdr13[13], const uint8_t *p, size_t n,
           const uint8_t *want)
{
    uint8_t got[64];
    size_t gl = 0;

    if (!EVP_MAC_init(d->mac, NULL, 0, NULL)
        || !EVP_MAC_update(d->mac, hdr13, 13)
        || (n && !EVP_MAC_update(d->mac, p, n))
        || !EVP_MAC_final(d->mac, got, &gl, sizeof got)
        || gl != d->maclen)
        return ERR_BAD;
    /* A passive observer is no padding oracle: memcmp will do. */
    return memcmp(got, want, gl) ? ERR_BAD : 0;
}

static int
cbc_decrypt(struct tls_dec *d, const uint8_t *iv, const uint8_t *ct, size_t n,
            uint8_t *out)
{
    int l = 0;

    if (!EVP_DecryptInit_ex2(d->cx, NULL, NULL, iv, NULL)
        || !EVP_DecryptUpdate(d->cx, out, &l, ct, (int)n) || (size_t)l != n)
        return ERR_BAD;
    return 0;
}

/* Padding of RFC 5246 6.2.3.2: padding_length + 1 bytes, all equal to
 * padding_length, at the end of p[0..n). Returns the bytes before it. */
static int
unpad(const uint8_t *p, size_t n, size_t *left)
{
    size_t pad, i;

    if (!n)
        return ERR_BAD;
    pad = p[n - 1];
    if (pad + 1 > n)
        return ERR_BAD;
    for (i = n - pad - 1; i < n - 1; i++)
        if (p[i] != pad)
            return ERR_BAD;
    *left = n - pad - 1;
    return 0;
}

static int
open_cbc(struct tls_dec *d, const uint8_t hdr[5], uint8_t *in, size_t n,
         uint8_t **pt, size_t *outn, const char **why)
{
    uint8_t *out;
    uint8_t h13[13], iv[16], next_iv[16];
    size_t ivl = d->version == 0x0301 ? 0 : 16, mac = d->maclen, ctn, body;
    const uint8_t *ct, *ivp = d->iv, *tag, *last;
    struct rd r, all;

    *why = "record too short for its cipher";
    if (d->etm ? n < ivl + 16 + mac || (n - ivl - mac) % 16
               : n < ivl + 16 || (n - ivl) % 16 || n - ivl < mac + 1)
        return ERR_BAD;
    ctn = n - ivl - (d->etm ? mac : 0);
    rd_init(&r, in, n);
    all = r;
    if ((ivl && rd_take(&r, &ivp, ivl)) || rd_take(&r, &ct, ctn))
        return ERR_BAD;
    if (d->etm) {
        /* RFC 7366 3: MAC(seq || type || version || length || IV ||
         * ciphertext) over the record, then decrypt. */
        const uint8_t *macd;
        if (rd_take(&r, &tag, mac) || rd_take(&all, &macd, n - mac))
            return ERR_BAD;
        pseudo_header(d, hdr, n - mac, h13);
        if (hmac_check(d, h13, macd, n - mac, tag) < 0) {
            *why = "bad record MAC";
            return ERR_BAD;
        }
    }
    /* The last ciphertext block is TLS 1.0's next IV. */
    rd_init(&r, ct, ctn);
    if (rd_skip(&r, ctn - 16) || rd_take(&r, &last, 16))
        return ERR_BAD;
    memcpy(next_iv, last, 16);
    memcpy(iv, ivp, 16);
    /* In place: the plaintext overwrites the ciphertext. */
    out = in + ivl;
    if (cbc_decrypt(d, iv, ct, ctn, out) < 0) {
        *why = "decryption failed";
        return ERR_BAD;
    }
    if (unpad(out, ctn, &body) < 0) {
        *why = "bad padding";
        return ERR_BAD;
    }
    if (!d->etm) {
        /* MAC-then-encrypt: the MAC sits between content and padding. */
        if (body < mac) {
            *why = "bad padding";
            return ERR_BAD;
        }
        body -= mac;
        pseudo_header(d, hdr, body, h13);
        if (hmac_check(d, h13, out, body, out + body) < 0) {
            *why = "bad record MAC";
            return ERR_BAD;
        }
    }
    if (d->version == 0x0301)
        memcpy(d->iv, next_iv, 16);
    *pt = out;
    *outn = body;
    return 0;
}

int
tls_dec_open(struct tls_dec *d, const uint8_t hdr[5], uint8_t *in, size_t n,
             uint8_t **pt, size_t *outn, uint8_t *type, const char **why)
{
    uint8_t *out;
    uint8_t nonce[12], aad[13];
    const uint8_t *ct, *tag, *expl;
    size_t ctn, i;
    struct rd r;

    *why = "no keys";
    if (!d->ready)
        return ERR_BAD;
    *why = "record too short for its cipher";
    rd_init(&r, in, n);
    if (d->s->tls13) {
        /* RFC 8446 5.2: AAD is the record header; the plaintext ends in
         * the real content type, then zero padding. */
        if (n < TAGLEN + 1)
            return ERR_BAD;
        ctn = n - TAGLEN;
        if (rd_take(&r, &ct, ctn) || rd_take(&r, &tag, TAGLEN))
            return ERR_BAD;
        xor_nonce(d, nonce);
        out = in;
        if (aead_open(d, nonce, hdr, 5, ct, ctn, tag, out) < 0) {
            *why = "authentication failed";
            return ERR_BAD;
        }
        for (i = ctn; i > 0 && out[i - 1] == 0; i--)
            ;
        if (!i) {
            *why = "no content type in the plaintext";
            return ERR_BAD;
        }
        *type = out[i - 1];
        *pt = out;
        *outn = i - 1;
        d->seq++;
        return 0;
    }
    *type = hdr[0];
    if (d->s->prot == TLS_P_CBC) {
        if (open_cbc(d, hdr, in, n, pt, outn, why) < 0)
            return ERR_BAD;
        d->seq++;
        return 0;
    }
    if (d->s->prot == TLS_P_GCM) {
        /* RFC 5288 3: nonce = salt (4) || explicit nonce (8, in the
         * record). */
        if (n < 8 + TAGLEN)
            return ERR_BAD;
        ctn = n - 8 - TAGLEN;
        if (rd_take(&r, &expl, 8) || rd_take(&r, &ct, ctn) || rd_take(&r, &tag, TAGLEN))
            return ERR_BAD;
        memcpy(nonce, d->iv, 4);
        memcpy(nonce + 4, expl, 8);
        out = in + 8;
    } else {
        if (n < TAGLEN)
            return ERR_BAD;
        ctn = n - TAGLEN;
        if (rd_take(&r, &ct, ctn) || rd_take(&r, &tag, TAGLEN))
            return ERR_BAD;
        xor_nonce(d, nonce);
        out = in;
    }
    pseudo_header(d, hdr, ctn, aad);
    if (aead_open(d, nonce, aad, 13, ct, ctn, tag, out) < 0) {
        *why = "authentication failed";
        return ERR_BAD;
    }
    *pt = out;
    *outn = ctn;
    d->seq++;
    return 0;
}
