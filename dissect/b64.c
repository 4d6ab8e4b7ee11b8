/* b64.c - base64 (RFC 4648 4) as SASL uses it (RFC 4954 4, RFC 5034 4):
 * padding optional since clients send unpadded responses. */
#include "b64.h"

static const char b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of each byte as a base64 digit, 64 for "not one": a table
 * instead of range tests (a branch per class per character). */
#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)
static const uint8_t b64_tab[256] = {
    R16(64), R16(64),
    R4(64), R4(64), 64, 64, 64, 62, 64, 64, 64, 63,             /* '+' '/' */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 64, 64, 64, 64, 64, 64,
    64, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 64, 64, 64, 64, 64,
    64, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 64, 64, 64, 64, 64,
    R16(64), R16(64), R16(64), R16(64), R16(64), R16(64), R16(64), R16(64),
};
#undef R16
#undef R4

static int
b64_val(uint8_t c)
{
    return b64_tab[c] < 64 ? b64_tab[c] : -1;
}

long
b64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t outsz)
{
    uint32_t acc = 0;
    size_t i, o = 0, bits = 0, pad = 0;

    while (n && in[n - 1] == '=' && pad < 2) {
        n--;
        pad++;
    }
    if (n % 4 == 1)
        return -1;
    if (pad && (n + pad) % 4)
        return -1;
    for (i = 0; i < n; i++) {
        int v = b64_val(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o < outsz)
                out[o] = (uint8_t)(acc >> bits);
            o++;
        }
    }
    return (long)(o < outsz ? o : outsz);
}

size_t
b64_encode(const uint8_t *in, size_t n, char *out, size_t outsz)
{
    size_t i, o = 0;

    if (!outsz)
        return 0;
    for (i = 0; i < n && o + 4 < outsz; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = b64_alpha[(v >> 18) & 63];
        out[o++] = b64_alpha[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64_alpha[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64_alpha[v & 63] : '=';
    }
    out[o] = 0;
    return o;
}
