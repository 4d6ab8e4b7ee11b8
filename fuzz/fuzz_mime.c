/* fuzz_mime.c - libFuzzer target: mime_decode_header on any bytes with
 * any output size (an exact-size buffer, so ASan sees a write past it).
 * Properties: the length written is at most outsz; MIME_CUT is set iff
 * the whole result did not fit, and then the output is a prefix of the
 * whole result; without MIME_DECODED the output is the input (cut);
 * decoding is deterministic across calls (the iconv cache).
 * Input: [0..1] outsz (big endian), rest = header bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dissect/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, size_t a, size_t b)
{
    fprintf(stderr, "\nfuzz property failed: %s (%zu, %zu)\n", what, a, b);
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned long runs;
    const uint8_t *in;
    uint8_t *full, *part;
    size_t n, outsz, fullsz, fn, pn;
    unsigned ff, pf;

    if (size < 2)
        return 0;
    outsz = (size_t)data[0] << 8 | data[1];
    in = data + 2;
    n = size - 2;
    /* A decoded byte becomes at most 12 bytes of UTF-8 (TSCII maps one
     * byte to up to four code points) and every decoded byte costs at
     * least one input byte; raw copies are 1:1. */
    fullsz = 16 * n + 64;
    full = malloc(fullsz);
    part = malloc(outsz ? outsz : 1);
    if (!full || !part)
        abort();
    if (mime_decode_header(in, n, full, fullsz, &fn, &ff) != 0)
        fail("mime_decode_header failed", n, fullsz);
    if (ff & MIME_CUT)
        fail("a buffer of 16n + 64 was not enough", fn, fullsz);
    if (fn > fullsz)
        fail("length past the buffer", fn, fullsz);
    if (!(ff & MIME_DECODED) && (fn != n || memcmp(full, in, n)))
        fail("nothing decoded but the output differs from the input", fn, n);
    if ((ff & MIME_BAD_CHARSET) && !(ff & MIME_BAD_WORD))
        fail("bad charset without bad word", ff, 0);

    if (mime_decode_header(in, n, outsz ? part : NULL, outsz, &pn, &pf) != 0)
        fail("mime_decode_header failed (part)", n, outsz);
    if (pn > outsz)
        fail("length past outsz", pn, outsz);
    if (fn <= outsz) {
        if (pn != fn || memcmp(part, full, fn) || pf != ff)
            fail("the same input decoded differently", pn, fn);
    } else {
        if (!(pf & MIME_CUT))
            fail("output cut without MIME_CUT", pn, fn);
        if (memcmp(part, full, pn))
            fail("cut output is not a prefix of the whole", pn, fn);
    }
    free(full);
    free(part);
    /* Now and then start from an empty cache. */
    if (++runs % 4096 == 0)
        mime_cache_clear();
    return 0;
}
