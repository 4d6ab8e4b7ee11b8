/* fuzz_esc.c - libFuzzer target: esc_bytes with any dstsz, with and
 * without ESC_ELLIPSIS, and ob_jstr (the JSON printer's strings).
 * Properties: esc_bytes output equals a reference escape written out
 * again from esc.h (printable ASCII, or with ESC_UTF8 UTF-8 without
 * controls), NUL-terminated inside dstsz, a prefix of the full escape
 * cut at a unit boundary (plus "..." when asked), and the return value
 * is the full escape's length; ob_jstr writes a valid JSON string whose
 * value is the ESC_UTF8 text and holds no control byte.
 * Input: [0..1] dstsz (big endian, 0..65535), [2] flags (bit 0
 * ESC_ELLIPSIS, bit 1 ESC_UTF8), rest = bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ui/esc.h"
#include "../ui/ob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, size_t a, size_t b)
{
    fprintf(stderr, "\nfuzz property failed: %s (%zu, %zu)\n", what, a, b);
    abort();
}

/* Code points escaped even when valid UTF-8 (esc.h), written out again. */
static int
ref_forbidden(uint32_t cp)
{
    static const uint32_t r[][2] = {
        { 0x00, 0x1f }, { 0x7f, 0x9f }, { 0xad, 0xad }, { 0x61c, 0x61c },
        { 0x200b, 0x200b }, { 0x200e, 0x200f }, { 0x2028, 0x202e },
        { 0x2060, 0x2060 }, { 0x2066, 0x2069 }, { 0xfeff, 0xfeff },
        { 0xfff9, 0xfffb }, { 0xe0000, 0xe007f },
    };
    size_t i;

    for (i = 0; i < sizeof r / sizeof r[0]; i++)
        if (cp >= r[i][0] && cp <= r[i][1])
            return 1;
    return 0;
}

/* A UTF-8 character at s: its length, or 0 if not valid (RFC 3629). */
static size_t
ref_utf8(const uint8_t *s, size_t n, uint32_t *cp)
{
    size_t k, j;
    uint32_t v, min;

    if ((s[0] & 0xe0) == 0xc0) { k = 2; v = s[0] & 0x1fu; min = 0x80; }
    else if ((s[0] & 0xf0) == 0xe0) { k = 3; v = s[0] & 0x0fu; min = 0x800; }
    else if ((s[0] & 0xf8) == 0xf0) { k = 4; v = s[0] & 0x07u; min = 0x10000; }
    else return 0;
    if (k > n)
        return 0;
    for (j = 1; j < k; j++) {
        if ((s[j] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[j] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return k;
}

/* The specification, written out again: esc.h. bound[o] is 1 where a
 * unit of the output ends at offset o (and at 0). */
static size_t
ref_escape(const uint8_t *s, size_t n, int utf8, char *out, char *bound)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, o = 0, k;
    uint32_t cp;

    bound[0] = 1;
    for (i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
        } else if (c == '\t' || c == '\r' || c == '\n') {
            out[o++] = '\\';
            out[o++] = c == '\t' ? 't' : c == '\r' ? 'r' : 'n';
        } else if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else if (utf8 && c >= 0x80 && (k = ref_utf8(s + i, n - i, &cp))) {
            if (!ref_forbidden(cp)) {
                memcpy(out + o, s + i, k);
                memset(bound + o + 1, 0, k - 1);
                o += k;
            } else {
                int d = cp > 0xffff ? 8 : 4, j;
                memset(bound + o + 1, 0, (size_t)d + 1);
                out[o++] = '\\';
                out[o++] = cp > 0xffff ? 'U' : 'u';
                for (j = d - 1; j >= 0; j--)
                    out[o++] = hex[cp >> (4 * j) & 15];
            }
            i += k - 1;
        } else {
            memset(bound + o + 1, 0, 3);
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
        if (c == '\\' || c == '\t' || c == '\r' || c == '\n')
            bound[o - 1] = 0;
        bound[o] = 1;
    }
    out[o] = 0;
    return o;
}

/* A small JSON string validator (RFC 8259 7): q[0] and q[n-1] are quotes,
 * inside no raw control byte, no raw '"', escapes well formed. Decodes
 * into out (raw bytes >= 0x80 pass through, and the caller compares them
 * with the reference; \u escapes above 0x7e are rejected, since the
 * writer never needs them). Returns the decoded length or -1. */
static long
json_string(const char *q, size_t n, char *out)
{
    size_t i, o = 0;

    if (n < 2 || q[0] != '"' || q[n - 1] != '"')
        return -1;
    for (i = 1; i < n - 1; i++) {
        uint8_t c = (uint8_t)q[i];
        if (c < 0x20 || c == 0x7f || c == '"')
            return -1;
        if (c != '\\') {
            out[o++] = (char)c;
            continue;
        }
        if (++i >= n - 1)
            return -1;
        switch (q[i]) {
        case '"': case '\\': case '/':
            out[o++] = q[i];
            break;
        case 'b': case 'f': case 'n': case 'r': case 't':
            return -1;  /* legal JSON, but a control byte in the value */
        case 'u': {
            unsigned v = 0;
            int j;
            if (i + 4 >= n - 1)
                return -1;
            for (j = 1; j <= 4; j++) {
                char h = q[i + (size_t)j];
                v <<= 4;
                if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
                else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
                else return -1;
            }
            if (v < 0x20 || v >= 0x7f)
                return -1;
            out[o++] = (char)v;
            i += 4;
            break;
        }
        default:
            return -1;
        }
    }
    return (long)o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *src;
    size_t n, dstsz, want, reflen, len, i, jsz;
    char *ref, *bound, *dst, *jbuf, *dec;
    int flags;
    long jl;

    if (size < 3)
        return 0;
    dstsz = (size_t)data[0] << 8 | data[1];
    flags = (data[2] & 1 ? ESC_ELLIPSIS : 0) | (data[2] & 2 ? ESC_UTF8 : 0);
    n = size - 3;
    src = data + 3;

    ref = malloc(4 * n + 1);
    bound = malloc(4 * n + 2);
    if (!ref || !bound)
        abort();
    reflen = ref_escape(src, n, flags & ESC_UTF8, ref, bound);

    /* Exact-size destination so ASan catches a write past dstsz. */
    dst = malloc(dstsz ? dstsz : 1);
    if (!dst)
        abort();
    want = esc_bytes(dstsz ? dst : NULL, dstsz, src, n, flags);
    if (want != reflen)
        fail("esc_bytes return != full escape length", want, reflen);
    if (dstsz) {
        len = strnlen(dst, dstsz);
        if (len >= dstsz)
            fail("esc_bytes output not NUL-terminated within dstsz", len, dstsz);
        for (i = 0; i < len; i++)
            if ((uint8_t)dst[i] < 0x20 || (uint8_t)dst[i] == 0x7f ||
                (!(flags & ESC_UTF8) && (uint8_t)dst[i] >= 0x7f))
                fail("esc_bytes output byte not printable", i, (uint8_t)dst[i]);
        if (reflen < dstsz) {
            if (len != reflen || memcmp(dst, ref, reflen))
                fail("esc_bytes uncut output differs from the escape", len, reflen);
        } else {
            size_t keep = len;
            if ((flags & ESC_ELLIPSIS) && dstsz - 1 >= 3) {
                if (len < 3 || memcmp(dst + len - 3, "...", 3))
                    fail("esc_bytes cut output lacks the ellipsis", len, dstsz);
                keep = len - 3;
            }
            if (memcmp(dst, ref, keep) || !bound[keep])
                fail("esc_bytes cut output is not a whole-unit prefix", keep, reflen);
            /* It kept as much as fits (the longest whole prefix). */
            if (keep < reflen) {
                size_t next = keep + 1, room = dstsz - 1 - (len - keep);
                while (!bound[next])
                    next++;
                if (next <= room)
                    fail("esc_bytes cut more than needed", keep, room);
            }
        }
    }
    free(dst);
    free(bound);

    /* ob_jstr always escapes with ESC_UTF8. */
    if (!(flags & ESC_UTF8)) {
        char *b2 = malloc(4 * n + 2);
        if (!b2)
            abort();
        reflen = ref_escape(src, n, 1, ref, b2);
        free(b2);
    }

    /* ob_jstr: validate, decode, compare with the escape. No stream, so
     * nothing is written out; the input is short enough (maxlen in
     * run.sh) to stay in the buffer, which tests/unit/test_out.c checks
     * past that size. */
    ob.fp = NULL;
    ob.n = 0;
    ob.escaped = 0;
    if (n > OB_SIZE / 8)
        abort();
    ob_jstr(src, n);
    len = ob.n;
    jsz = 2 * reflen + 3;
    if (len >= jsz)
        fail("ob_jstr longer than twice the escape", len, jsz);
    jbuf = malloc(len + 1);
    dec = malloc(len + 1);
    if (!jbuf || !dec)
        abort();
    memcpy(jbuf, ob.buf, len);
    ob.n = 0;
    jl = json_string(jbuf, len, dec);
    if (jl < 0)
        fail("ob_jstr output is not a valid control-free JSON string", len, 0);
    if ((size_t)jl != reflen || memcmp(dec, ref, reflen))
        fail("ob_jstr value differs from the esc_bytes text", (size_t)jl, reflen);
    /* ob.escaped says whether the text has a \x, \u or \U escape. */
    {
        int has = 0;
        for (i = 0; i + 1 < reflen; i++)
            if (ref[i] == '\\')
                has |= ref[++i] == 'x' || ref[i] == 'u' || ref[i] == 'U';
        if (has != ob.escaped)
            fail("ob.escaped disagrees with the text", (size_t)has, (size_t)ob.escaped);
    }
    free(jbuf);
    free(dec);
    free(ref);
    return 0;
}
