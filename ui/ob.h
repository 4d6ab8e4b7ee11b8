/* ob.h - a big output buffer for the printers: appends without stdio's
 * per-call locking and format parsing, one fwrite per 64 KiB. */
#ifndef MS_OB_H
#define MS_OB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OB_SIZE 65536

struct ob {
    FILE *fp;
    size_t n;
    int err;                /* a write failed (full disk, closed pipe) */
    int escaped;            /* ob_jstr wrote a \x, \u or \U escape */
    char buf[OB_SIZE];
};

extern struct ob ob;

void ob_flush(void);

/* Direct output to fp (flushing what was meant for another stream). */
static inline void
ob_to(FILE *fp)
{
    if (ob.fp != fp) {
        ob_flush();
        ob.fp = fp;
    }
}

static inline char *
ob_room(size_t k)
{
    if (ob.n + k > OB_SIZE)
        ob_flush();
    return ob.buf + ob.n;
}

/* Pointer-style writing: o is where the next byte goes (in ob.buf); room
 * for k more bytes from o, flushing what is before o when they would
 * not fit. Returns where to write. The caller sets ob.n = o - ob.buf
 * when done. */
static inline char *
ob_at(char *o, size_t k)
{
    if ((size_t)(o - ob.buf) + k > OB_SIZE) {
        ob.n = (size_t)(o - ob.buf);
        ob_flush();
        o = ob.buf;
    }
    return o;
}

static inline void
ob_mem(const void *p, size_t k)
{
    while (k > OB_SIZE / 2) {
        /* Large blocks in pieces, still in order. */
        memcpy(ob_room(OB_SIZE / 2), p, OB_SIZE / 2);
        ob.n += OB_SIZE / 2;
        p = (const char *)p + OB_SIZE / 2;
        k -= OB_SIZE / 2;
    }
    memcpy(ob_room(k), p, k);
    ob.n += k;
}

static inline void
ob_str(const char *s)
{
    ob_mem(s, strlen(s));
}

static inline void
ob_ch(char c)
{
    *ob_room(1) = c;
    ob.n++;
}

/* "00".."99": two digits per division. */
extern const char ob_d2[201];

/* Two digits of x < 100 at o. */
static inline void
ob_d2put(char *o, uint32_t x)
{
    memcpy(o, ob_d2 + 2 * x, 2);
}

/* x / 10^4 for x < 10^8, without a division: exact there. */
static inline uint32_t
ob_div1e4(uint32_t x)
{
    return (uint32_t)(((uint64_t)x * 109951163) >> 40);
}

/* x < 10^4 as exactly four digits at o. x / 100 is (x * 5243) >> 19,
 * exact below 43,699. */
static inline void
ob_put_4d(char *o, uint32_t x)
{
    uint32_t a = (x * 5243) >> 19;

    ob_d2put(o, a);
    ob_d2put(o + 2, x - a * 100);
}

/* 1-4 digits of x < 10^4 at o; returns the end. */
static inline char *
ob_put_u4(char *o, uint32_t x)
{
    uint32_t a;

    if (x < 100) {
        if (x < 10) {
            *o = (char)('0' + x);
            return o + 1;
        }
        ob_d2put(o, x);
        return o + 2;
    }
    if (x >= 1000) {
        ob_put_4d(o, x);
        return o + 4;
    }
    a = (x * 5243) >> 19;
    *o = (char)('0' + a);
    ob_d2put(o + 1, x - a * 100);
    return o + 3;
}

/* x < 10^8 as its decimal digits in one word, the first digit in the
 * lowest byte (the first in memory): *len gets how many (1-8). Without
 * a branch: the two halves of four digits in the word's two 32-bit
 * lanes, each split into pairs in 16-bit lanes, each pair into digits
 * in bytes (x / 100 is (x * 10486) >> 20 below 10^4, x / 10 is
 * (x * 103) >> 10 below 100: no lane carries into the next), then the
 * leading zeros shifted out. The bytes past *len are '0's. */
static inline uint64_t
ob_d8(uint32_t x, unsigned *len)
{
    uint64_t hi = ob_div1e4(x), w, q;
    unsigned lead;

    w = hi | (uint64_t)(x - (uint32_t)hi * 10000) << 32;
    q = (w * 10486) >> 20 & 0x0000007f0000007full;
    w = q | (w - q * 100) << 16;
    q = (w * 103) >> 10 & 0x000f000f000f000full;
    w = q | (w - q * 10) << 8;
    lead = w ? (unsigned)__builtin_ctzll(w) / 8 : 7;
    *len = 8 - lead;
    return w >> (8 * lead) | 0x3030303030303030ull;
}

/* The digits of ob_d8 at o, unchecked (8 bytes); returns the end. */
static inline char *
ob_put_w(char *o, uint64_t w, unsigned n)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    memcpy(o, &w, 8);
    return o + n;
}

/* Digits of v written at o; returns the end. Unchecked: the caller
 * reserved room for 20 digits with ob_room() or ob_at() (from 10^4 to
 * 10^8 eight bytes are stored, whatever the length). Below 10^4 pairs
 * from a table; below 10^8 (frame numbers, lengths, ports: nearly all)
 * ob_d8's word, without a division; above, pairs from the end. */
static inline char *
ob_put_u64(char *o, uint64_t v)
{
    static const uint64_t p10[20] = {
        1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
        10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
        100000000000ull, 1000000000000ull, 10000000000000ull,
        100000000000000ull, 1000000000000000ull, 10000000000000000ull,
        100000000000000000ull, 1000000000000000000ull,
        10000000000000000000ull,
    };
    unsigned n;
    uint64_t d;
    uint32_t w;
    char *e, *p;

    if (v < 10000)
        return ob_put_u4(o, (uint32_t)v);
    if (v < 100000000) {
        d = ob_d8((uint32_t)v, &n);
        return ob_put_w(o, d, n);
    }
    /* floor(log10(v)) from the bit length, corrected by one compare. */
    n = (unsigned)(64 - __builtin_clzll(v)) * 1233 >> 12;
    n += v >= p10[n];
    e = p = o + n;
    while (v > 0xffffffffu) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, ob_d2 + 2 * r, 2);
    }
    w = (uint32_t)v;
    while (w >= 100) {
        unsigned r = w % 100;
        w /= 100;
        p -= 2;
        memcpy(p, ob_d2 + 2 * r, 2);
    }
    if (w >= 10) {
        p -= 2;
        memcpy(p, ob_d2 + 2 * w, 2);
    } else {
        *--p = (char)('0' + w);
    }
    return e;
}

/* A literal at o, unchecked (see ob_put_u64). */
#define OB_PUT(o, s) (memcpy((o), "" s, sizeof(s) - 1), (o) += sizeof(s) - 1)

static inline void
ob_u64(uint64_t v)
{
    char *o = ob_room(24);

    ob.n = (size_t)(ob_put_u64(o, v) - ob.buf);
}

/* Zero-padded to width digits. */
static inline void
ob_u64w(uint64_t v, int width)
{
    char t[24];
    size_t i = sizeof t;

    while (v || width > 0) {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
        width--;
        if (i == 0)
            break;
    }
    ob_mem(t + i, sizeof t - i);
}

/* A string literal, its length known at compile time. */
#define OB_LIT(s) ob_mem("" s, sizeof(s) - 1)

/* Untrusted bytes as a JSON string, quotes included (esc.c): the
 * esc_bytes text with ESC_UTF8, then '"' and '\' escaped. Sets
 * ob.escaped when the text holds a \x, \u or \U escape. Returns the
 * characters written: n + 2 when every byte went out as itself. */
size_t ob_jstr(const uint8_t *p, size_t n);

/* The same at o (see ob_at); returns the end. When w is not NULL it
 * gets the characters written. */
char *ob_jput(char *o, const uint8_t *p, size_t n, size_t *w);

#endif
