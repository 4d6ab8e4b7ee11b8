/* fuzz_sasl.c - libFuzzer target: base64 (RFC 4648) decode and round
 * trip, the SASL splitters (PLAIN RFC 4616, XOAUTH2, OAUTHBEARER RFC 7628,
 * CRAM-MD5 RFC 2195) and telnet line editing.
 * Properties: decode(encode(x)) == x; split fields lie inside the input;
 * tn_edit never writes more than it read or than outsz. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dissect/anom.h"
#include "../dissect/auth.h"
#include "../dissect/b64.h"
#include "../dissect/telnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, size_t a, size_t b)
{
    fprintf(stderr, "\nfuzz property failed: %s (%zu, %zu)\n", what, a, b);
    abort();
}

/* A split field must point inside [p, p+n) (or be empty). */
static void
inside(const char *what, const uint8_t *p, size_t n, const struct rec_str *s)
{
    if (!s->n)
        return;
    if (s->p < p || s->p > p + n || s->n > (size_t)(p + n - s->p))
        fail(what, (size_t)(s->p - p), s->n);
}

static void
splits(const uint8_t *p, size_t n)
{
    struct rec_str z, u, s;
    int bearer;

    if (auth_plain_split(p, n, &z, &u, &s) == 0) {
        inside("plain authzid", p, n, &z);
        inside("plain user", p, n, &u);
        inside("plain pass", p, n, &s);
        if (z.n + u.n + s.n + 2 != n)
            fail("plain split lengths do not add up", z.n + u.n + s.n + 2, n);
    }
    for (bearer = 0; bearer < 2; bearer++) {
        memset(&u, 0, sizeof u);
        memset(&s, 0, sizeof s);
        if (auth_oauth_split(p, n, bearer, &u, &s) == 0) {
            inside("oauth user", p, n, &u);
            inside("oauth token", p, n, &s);
        }
    }
    memset(&u, 0, sizeof u);
    memset(&s, 0, sizeof s);
    if (auth_cram_split(p, n, &u, &s) == 0) {
        inside("cram user", p, n, &u);
        inside("cram digest", p, n, &s);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy, *dec, *out;
    char *enc;
    size_t esz, elen, outsz, k;
    long dn;
    uint64_t fl = 0;

    /* Heap copies of exact size so ASan catches any read past the end. */
    copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    if (size)
        memcpy(copy, data, size);

    /* Decode the raw input, into an exact and a short buffer. */
    dec = malloc(size + 1);
    if (!dec)
        abort();
    dn = b64_decode(copy, size, dec, size + 1);
    if (dn > (long)(size * 3 / 4 + 1))
        fail("b64_decode longer than possible", (size_t)dn, size);
    if (dn >= 0)
        splits(dec, (size_t)dn);
    dn = b64_decode(copy, size, dec, size / 3);
    if (dn > (long)(size / 3))
        fail("b64_decode ignored outsz", (size_t)dn, size / 3);

    /* Round trip. */
    esz = (size + 2) / 3 * 4 + 1;
    enc = malloc(esz);
    if (!enc)
        abort();
    elen = b64_encode(copy, size, enc, esz);
    if (elen != esz - 1 || strlen(enc) != elen)
        fail("b64_encode length", elen, esz - 1);
    dn = b64_decode((const uint8_t *)enc, elen, dec, size + 1);
    if (dn != (long)size || (size && memcmp(dec, copy, size)))
        fail("decode(encode(x)) != x", (size_t)dn, size);
    /* A cut encode still terminates inside its buffer. */
    k = b64_encode(copy, size, enc, esz / 2 + 1);
    if (k >= esz / 2 + 1 || strlen(enc) != k)
        fail("b64_encode cut", k, esz / 2 + 1);
    free(enc);
    free(dec);

    /* The splitters on the raw bytes too. */
    splits(copy, size);

    /* Telnet editing: into a full buffer and a short one (size from the
     * first byte), each of exact size. */
    out = malloc(size ? size : 1);
    if (!out)
        abort();
    k = tn_edit(copy, size, out, size, size & 1, &fl);
    if (k > size)
        fail("tn_edit output longer than input", k, size);
    outsz = size ? data[0] % (size + 1) : 0;
    k = tn_edit(copy, size, out, outsz, size & 1, &fl);
    if (k > outsz || k > size)
        fail("tn_edit output longer than outsz", k, outsz);
    free(out);
    free(copy);
    anom_reset();
    return 0;
}
