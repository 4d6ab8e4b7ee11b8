/* esc.c - the one escaper every byte from the network goes through on
 * its way to a terminal or a file. Output is printable ASCII, or with
 * ESC_UTF8 valid UTF-8 without controls, bidi controls or invisible
 * characters (Trojan Source, CVE-2021-42574), so no escape sequence can
 * reach a terminal and the text reads in the order it was sent. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700     /* wcwidth */
#endif
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "esc.h"
#include "ob.h"

static const char hex[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at s (2..4), with its code point in
 * *cp, or 0: shortest form only, no surrogates, at most U+10FFFF, and
 * the whole sequence inside the n bytes (RFC 3629 section 4). */
static size_t
utf8_seq(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t c = s[0], lo = 0x80, hi = 0xbf;
    size_t k, i;
    uint32_t v;

    if (c < 0xc2 || c > 0xf4)
        return 0;
    if (c < 0xe0) {
        k = 2;
        v = c & 0x1f;
    } else if (c < 0xf0) {
        k = 3;
        v = c & 0x0f;
        if (c == 0xe0)
            lo = 0xa0;          /* overlong below U+0800 */
        else if (c == 0xed)
            hi = 0x9f;          /* surrogates U+D800..U+DFFF */
    } else {
        k = 4;
        v = c & 0x07;
        if (c == 0xf0)
            lo = 0x90;          /* overlong below U+10000 */
        else if (c == 0xf4)
            hi = 0x8f;          /* above U+10FFFF */
    }
    if (n < k || s[1] < lo || s[1] > hi)
        return 0;
    v = v << 6 | (s[1] & 0x3f);
    for (i = 2; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    *cp = v;
    return k;
}

int
esc_cp_escaped(uint32_t cp)
{
    if (cp < 0xa0)
        return cp < 0x20 || cp >= 0x7f;     /* C0, DEL, C1 */
    if (cp < 0x2000)
        return cp == 0xad || cp == 0x61c;   /* soft hyphen, ALM */
    if (cp <= 0x206f)
        return cp == 0x200b || cp == 0x200e || cp == 0x200f ||
               (cp >= 0x2028 && cp <= 0x202e) || cp == 0x2060 ||
               (cp >= 0x2066 && cp <= 0x2069);
    return cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
           (cp >= 0xe0000 && cp <= 0xe007f);
}

/* Escape the unit at s[0..n) (n > 0) into out (up to ESC_UNIT_MAX
 * chars); *used gets the input bytes it took. ASCII and, with ESC_UTF8,
 * a valid UTF-8 character that esc_cp_escaped() lets through are copied;
 * everything else is one escape. */
static size_t
esc_unit(const uint8_t *s, size_t n, int flags, char *out, size_t *used)
{
    uint8_t c = s[0];
    uint32_t cp;
    size_t k;

    *used = 1;
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
    if (c >= 0x80 && (flags & ESC_UTF8) && (k = utf8_seq(s, n, &cp))) {
        *used = k;
        if (!esc_cp_escaped(cp)) {
            memcpy(out, s, k);
            return k;
        }
        if (cp > 0xffff) {
            int i;
            out[1] = 'U';
            for (i = 0; i < 8; i++)
                out[2 + i] = hex[cp >> (28 - 4 * i) & 15];
            return 10;
        }
        out[1] = 'u';
        out[2] = hex[cp >> 12];
        out[3] = hex[cp >> 8 & 15];
        out[4] = hex[cp >> 4 & 15];
        out[5] = hex[cp & 15];
        return 6;
    }
    out[1] = 'x';
    out[2] = hex[c >> 4];
    out[3] = hex[c & 15];
    return 4;
}

size_t
esc_bytes(char *dst, size_t dstsz, const uint8_t *src, size_t n, int flags)
{
    size_t i, o = 0, want = 0, k, used, room, safe = 0;
    char e[ESC_UNIT_MAX];
    int cut = 0;

    if (!dstsz)
        dst = NULL;
    room = dstsz ? dstsz - 1 : 0;
    /* Most text is printable ASCII that fits: copied as it is. */
    if (dst && n <= room) {
        for (i = 0; i < n; i++)
            if (src[i] < 0x20 || src[i] >= 0x7f || src[i] == '\\')
                break;
        if (i == n) {
            if (n)
                memcpy(dst, src, n);
            dst[n] = 0;
            return n;
        }
    }
    for (i = 0; i < n; i += used) {
        k = esc_unit(src + i, n - i, flags, e, &used);
        want += k;
        if (!cut && o + k <= room) {
            memcpy(dst + o, e, k);
            o += k;
            /* The longest whole prefix "..." still fits after. */
            if (o + 3 <= room)
                safe = o;
        } else {
            cut = 1;
        }
    }
    if (cut && (flags & ESC_ELLIPSIS) && room >= 3) {
        o = safe;
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
    esc_fwrite(fp, src, n, 0);
}

void
esc_fwrite(FILE *fp, const uint8_t *src, size_t n, int flags)
{
    char buf[1024];
    size_t i, o = 0, used;

    for (i = 0; i < n; i += used) {
        if (o + ESC_UNIT_MAX > sizeof buf) {
            fwrite(buf, 1, o, fp);
            o = 0;
        }
        o += esc_unit(src + i, n - i, flags, buf + o, &used);
    }
    fwrite(buf, 1, o, fp);
}

/* Columns of escaped text: a character of one byte is one column, one of
 * several bytes (it passed esc_cp_escaped) what wcwidth says, and one
 * column where wcwidth does not know it (no UTF-8 locale: the terminal
 * shows something, and a short guess only cuts the line early). */
static size_t
esc_cols(const char *s, size_t n, size_t i, size_t *used)
{
    uint32_t cp;
    size_t k;
    int w;

    *used = 1;
    if ((uint8_t)s[i] < 0x80)
        return 1;
    k = utf8_seq((const uint8_t *)s + i, n - i, &cp);
    if (!k)
        return 1;
    *used = k;
    w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : (size_t)w;
}

size_t
esc_width(const char *s, size_t n)
{
    size_t i = 0, used, w = 0;

    while (i < n) {
        if ((uint8_t)s[i] < 0x80) {
            /* ASCII, one column each: most text */
            w++;
            i++;
            continue;
        }
        w += esc_cols(s, n, i, &used);
        i += used;
    }
    return w;
}

size_t
esc_fit(const char *s, size_t n, size_t cols, size_t *width)
{
    size_t i, used, w = 0, c;

    for (i = 0; i < n; i += used) {
        c = esc_cols(s, n, i, &used);
        if (w + c > cols)
            break;
        w += c;
    }
    /* Marks of width 0 after the last character belong to it. */
    if (width)
        *width = w;
    return i;
}

/* Bytes that go into a JSON string as themselves: a table, since
 * json_put looks at every byte of every string. */
#define JP(c) ((c) >= 0x20 && (c) < 0x7f && (c) != '"' && (c) != '\\')
#define JP4(b) JP(b), JP((b) + 1), JP((b) + 2), JP((b) + 3)
#define JP16(b) JP4(b), JP4((b) + 4), JP4((b) + 8), JP4((b) + 12)
#define JP64(b) JP16(b), JP16((b) + 16), JP16((b) + 32), JP16((b) + 48)
static const uint8_t json_plain[256] = { JP64(0), JP64(64), JP64(128), JP64(192) };

/* The unit at s that needs escaping (a quote, a control, a backslash, a
 * byte >= 0x80): escaped for the terminal with ESC_UTF8, then for JSON;
 * *used gets the input bytes it took. A valid UTF-8 character goes in
 * as itself. Sets ob.escaped on a \\x, \\u or \\U escape (bytes that are
 * not text, or characters hidden from view), which json.c marks on the
 * record. Out of line: the common case is
 * plain. */
static __attribute__((noinline)) char *
json_esc(char *o, const uint8_t *s, const uint8_t *end, size_t *used)
{
    char e[ESC_UNIT_MAX];
    size_t k, j;

    /* The line breaks of a multi-line reply, and quotes: what esc_unit
     * and the loop below would write, without them. */
    switch (*s) {
    case '\n':
        *used = 1;
        memcpy(o, "\\\\n", 3);
        return o + 3;
    case '\r':
        *used = 1;
        memcpy(o, "\\\\r", 3);
        return o + 3;
    case '"':
        *used = 1;
        memcpy(o, "\\\"", 2);
        return o + 2;
    }
    k = esc_unit(s, (size_t)(end - s), ESC_UTF8, e, used);
    if (e[0] == '\\' && (e[1] == 'x' || e[1] == 'u' || e[1] == 'U'))
        ob.escaped = 1;
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

/* Escape n bytes at o, which has room for 5 * n (no unit grows more:
 * a byte to "\\xNN", three bytes to "\\u202e", four to "\\U000e0001");
 * returns the end.
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
    size_t rem, used;
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
        o = json_esc(o + k, s + k, end, &used);
        s += k + used;
    }
    rem = (size_t)(end - s);
    if (rem && n >= 16 && o - o0 == s - s0 && !json_special(end - 16, 16)) {
        memcpy(o - (16 - rem), end - 16, 16);
        return o + rem;
    }
    while (s < end) {
        if (json_plain[*s]) {
            *o++ = (char)*s++;
            continue;
        }
        o = json_esc(o, s, end, &used);
        s += used;
    }
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
static size_t
ob_json(const uint8_t *src, size_t n)
{
    size_t w = 0;
    char *o, *e;

    /* An escaped, JSON-escaped byte takes at most 5 characters. */
    while (n) {
        size_t chunk = n < OB_SIZE / 8 ? n : OB_SIZE / 8;
        o = ob_room(chunk * 5);
        e = json_put(o, src, chunk);
        w += (size_t)(e - o);
        ob.n = (size_t)(e - ob.buf);
        src += chunk;
        n -= chunk;
    }
    return w;
}

char *
ob_jput(char *o, const uint8_t *src, size_t n, size_t *w)
{
    char *o0;
    size_t k;

    if (n > OB_SIZE / 8) {
        ob.n = (size_t)(o - ob.buf);
        ob_ch('"');
        k = ob_json(src, n) + 2;
        ob_ch('"');
        if (w)
            *w = k;
        return ob.buf + ob.n;
    }
    o = o0 = ob_at(o, n * 5 + 2);
    *o++ = '"';
    o = json_put(o, src, n);
    *o++ = '"';
    if (w)
        *w = (size_t)(o - o0);
    return o;
}

size_t
ob_jstr(const uint8_t *src, size_t n)
{
    size_t w;

    ob.n = (size_t)(ob_jput(ob.buf + ob.n, src, n, &w) - ob.buf);
    return w;
}
