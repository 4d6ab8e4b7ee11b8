/* fuzz_esc.c - libFuzzer target: esc_bytes with any dstsz, with and
 * without ESC_ELLIPSIS, and ob_jstr (the JSON printer's strings).
 * Properties: esc_bytes output is printable ASCII, NUL-terminated inside
 * dstsz, a prefix of the full escape cut at an escape boundary (plus
 * "..." when asked), and the return value is the full escape's length;
 * ob_jstr writes a valid JSON string whose value is the esc_bytes text
 * and holds no control byte.
 * Input: [0..1] dstsz (big endian, 0..65535), [2] flags, rest = bytes. */
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

/* The specification, written out again: STYLE.md section 9. */
static size_t
ref_escape(const uint8_t *s, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, o = 0;

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
        } else {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = 0;
    return o;
}

/* Is k the end of a whole escape in the reference text? */
static int
at_boundary(const char *ref, size_t k)
{
    size_t s = 0;

    while (s < k)
        s += ref[s] != '\\' ? 1 : ref[s + 1] == 'x' ? 4 : 2;
    return s == k;
}

/* A small JSON string validator (RFC 8259 7): q[0] and q[n-1] are quotes,
 * inside no raw control byte, no raw '"', escapes well formed. Decodes
 * into out (ASCII only: \u escapes above 0x7f are rejected, since the
 * escaper never needs them). Returns the decoded length or -1. */
static long
json_string(const char *q, size_t n, char *out)
{
    size_t i, o = 0;

    if (n < 2 || q[0] != '"' || q[n - 1] != '"')
        return -1;
    for (i = 1; i < n - 1; i++) {
        uint8_t c = (uint8_t)q[i];
        if (c < 0x20 || c >= 0x7f || c == '"')
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
    char *ref, *dst, *jbuf, *dec;
    int flags;
    long jl;

    if (size < 3)
        return 0;
    dstsz = (size_t)data[0] << 8 | data[1];
    flags = data[2] & 1 ? ESC_ELLIPSIS : 0;
    n = size - 3;
    src = data + 3;

    ref = malloc(4 * n + 1);
    if (!ref)
        abort();
    reflen = ref_escape(src, n, ref);

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
            if ((uint8_t)dst[i] < 0x20 || (uint8_t)dst[i] >= 0x7f)
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
            if (memcmp(dst, ref, keep) || !at_boundary(ref, keep))
                fail("esc_bytes cut output is not a whole-escape prefix", keep, reflen);
            /* It kept as much as fits (the longest whole prefix). */
            if (keep < reflen) {
                size_t next = keep + (ref[keep] != '\\' ? 1 : ref[keep + 1] == 'x' ? 4 : 2);
                size_t room = dstsz - 1 - (len - keep);
                if (next <= room)
                    fail("esc_bytes cut more than needed", keep, room);
            }
        }
    }
    free(dst);

    /* ob_jstr: validate, decode, compare with the escape. No stream, so
     * nothing is written out; the input is short enough (maxlen in
     * run.sh) to stay in the buffer, which tests/unit/test_out.c checks
     * past that size. */
    ob.fp = NULL;
    ob.n = 0;
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
    free(jbuf);
    free(dec);
    free(ref);
    return 0;
}
