/* esc.c - the one escaper every byte from the network goes through on
 * its way to a terminal or a file. Output is printable ASCII, so width
 * equals byte count and no escape sequence can reach a terminal. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "esc.h"
#include "ob.h"

static const char hex[] = "0123456789abcdef";

/* Escape one byte into out (up to 4 chars); returns its length. */
static size_t
esc1(uint8_t c, char *out)
{
    if (c >= 0x20 && c < 0x7f && c != '\\') {
        out[0] = (char)c;
        return 1;
    }
    out[0] = '\\';
    switch (c) {
    case '\\': out[1] = '\\'; return 2;
    case '\t': out[1] = 't'; return 2;
    case '\r': out[1] = 'r'; return 2;
    case '\n': out[1] = 'n'; return 2;
    }
    out[1] = 'x';
    out[2] = hex[c >> 4];
    out[3] = hex[c & 15];
    return 4;
}

size_t
esc_bytes(char *dst, size_t dstsz, const uint8_t *src, size_t n, int flags)
{
    size_t i, o = 0, want = 0, k, room;
    char e[4];
    int cut = 0;

    if (!dstsz)
        dst = NULL;
    room = dstsz ? dstsz - 1 : 0;
    for (i = 0; i < n; i++) {
        k = esc1(src[i], e);
        want += k;
        if (!cut && o + k <= room) {
            memcpy(dst + o, e, k);
            o += k;
        } else {
            cut = 1;
        }
    }
    if (cut && (flags & ESC_ELLIPSIS) && room >= 3) {
        /* Back off whole escapes until "..." fits. */
        while (o + 3 > room) {
            size_t j = o;
            /* find the start of the last escape: scan from a safe point */
            size_t s = 0, last = 0;
            while (s < j) {
                last = s;
                if (dst[s] == '\\')
                    s += dst[s + 1] == 'x' ? 4 : 2;
                else
                    s++;
            }
            o = last;
        }
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    if (dst)
        dst[o] = 0;
    return want;
}

void
esc_fputs(FILE *fp, const uint8_t *src, size_t n)
{
    char buf[1024];
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (o + 4 > sizeof buf) {
            fwrite(buf, 1, o, fp);
            o = 0;
        }
        o += esc1(src[i], buf + o);
    }
    fwrite(buf, 1, o, fp);
}

/* Bytes that go into a JSON string as themselves: a table, since
 * json_put looks at every byte of every string. */
#define JP(c) ((c) >= 0x20 && (c) < 0x7f && (c) != '"' && (c) != '\\')
#define JP4(b) JP(b), JP((b) + 1), JP((b) + 2), JP((b) + 3)
#define JP16(b) JP4(b), JP4((b) + 4), JP4((b) + 8), JP4((b) + 12)
#define JP64(b) JP16(b), JP16((b) + 16), JP16((b) + 32), JP16((b) + 48)
static const uint8_t json_plain[256] = { JP64(0), JP64(64), JP64(128), JP64(192) };

/* A byte that needs escaping, escaped for the terminal and then for
 * JSON; returns the end. Out of line: the common case is plain. */
static __attribute__((noinline)) char *
json_esc(char *o, uint8_t c)
{
    char e[4];
    size_t k, j;

    k = esc1(c, e);
    for (j = 0; j < k; j++) {
        if (e[j] == '"' || e[j] == '\\')
            *o++ = '\\';
        *o++ = e[j];
    }
    return o;
}

/* Which of the k (8 or 16) bytes at s need escaping: bit i for s[i]. */
#ifdef __SSE2__
static inline unsigned
json_special(const uint8_t *s, int k)
{
    /* Signed, the bytes above 0x1f are 0x20..0x7f; then DEL, '"', '\\'. */
    __m128i v = k == 16 ? _mm_loadu_si128((const __m128i *)(const void *)s)
                        : _mm_loadl_epi64((const __m128i *)(const void *)s);
    __m128i ok = _mm_cmpgt_epi8(v, _mm_set1_epi8(0x1f));
    __m128i no = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)),
                                           _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
                              _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));

    return ~(unsigned)_mm_movemask_epi8(_mm_andnot_si128(no, ok)) & ((1u << k) - 1);
}
#else
static inline unsigned
json_special(const uint8_t *s, int k)
{
    unsigned m = 0;
    int i;

    for (i = 0; i < k; i++)
        m |= (unsigned)!json_plain[s[i]] << i;
    return m;
}
#endif

/* Escape n bytes at o, which has room for 5 * n; returns the end.
 * Sixteen bytes at a time: all are copied, and o moves past the plain
 * ones up to the first that needs escaping. While the output is still
 * the input (nothing escaped), a short last block is tested as the
 * block that ends the string, rewriting bytes already written with
 * themselves; strings of 8 to 15 bytes are two such blocks of eight. */
static inline char *
json_put(char *o, const uint8_t *s, size_t n)
{
    const uint8_t *end, *s0 = s;
    char *o0 = o;
    unsigned m;
    size_t rem;
    int k;

    if (!n)
        return o;           /* s may be NULL: an empty field */
    end = s + n;
    if (n >= 8 && n < 16 && !json_special(s, 8) && !json_special(end - 8, 8)) {
        memcpy(o, s, 8);
        memcpy(o + n - 8, end - 8, 8);
        return o + n;
    }
    while (end - s >= 16) {
        m = json_special(s, 16);
        memcpy(o, s, 16);
        if (!m) {
            o += 16;
            s += 16;
            continue;
        }
        k = __builtin_ctz(m);
        o = json_esc(o + k, s[k]);
        s += k + 1;
    }
    rem = (size_t)(end - s);
    if (rem && n >= 16 && o - o0 == s - s0 && !json_special(end - 16, 16)) {
        memcpy(o - (16 - rem), end - 16, 16);
        return o + rem;
    }
    for (; s < end; s++)
        o = json_plain[*s] ? (*o = (char)*s, o + 1) : json_esc(o, *s);
    return o;
}

struct ob ob;

const char ob_d2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

void
ob_flush(void)
{
    const char *p = ob.buf;
    size_t n = ob.n;
    ssize_t w;

    ob.n = 0;
    if (!n || !ob.fp)
        return;
    /* Straight to the descriptor: stdio would copy every byte once more.
     * Whatever stdio still holds goes first, to keep the order. */
    fflush(ob.fp);
    while (n) {
        w = write(fileno(ob.fp), p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            ob.err = 1;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Long strings in pieces that each fit an empty buffer. */
static void
ob_json(const uint8_t *src, size_t n)
{
    /* An escaped, JSON-escaped byte takes at most 5 characters. */
    while (n) {
        size_t chunk = n < OB_SIZE / 8 ? n : OB_SIZE / 8;
        ob.n = (size_t)(json_put(ob_room(chunk * 5), src, chunk) - ob.buf);
        src += chunk;
        n -= chunk;
    }
}

void
ob_jstr(const uint8_t *src, size_t n)
{
    char *o;

    if (n > OB_SIZE / 8) {
        ob_ch('"');
        ob_json(src, n);
        ob_ch('"');
        return;
    }
    o = ob_room(n * 5 + 2);
    *o++ = '"';
    o = json_put(o, src, n);
    *o++ = '"';
    ob.n = (size_t)(o - ob.buf);
}
