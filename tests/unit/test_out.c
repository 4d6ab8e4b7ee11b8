/* test_out.c - the printers' writers against plain references: numbers
 * against printf, JSON strings against esc_bytes plus JSON's two escapes,
 * addresses against inet_ntop. These writers take shortcuts (digit
 * counting, eight bytes at a time); the references take none. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../ui/esc.h"
#include "../../ui/fmt.h"
#include "../../ui/ob.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int
num_ok(uint64_t v)
{
    char want[32], got[32];
    int n = snprintf(want, sizeof want, "%" PRIu64, v);
    char *e = ob_put_u64(got, v);

    return e - got == n && !memcmp(got, want, (size_t)n);
}

static void
numbers(void)
{
    uint64_t p = 1, v;
    int k, i, bad = 0;

    /* every digit-count boundary, and the 32-bit one */
    for (k = 0; k < 20; k++) {
        bad += !num_ok(p - 1) + !num_ok(p) + !num_ok(p + 1);
        if (k < 19)
            p *= 10;
    }
    bad += !num_ok(0xffffffffull) + !num_ok(0x100000000ull) + !num_ok(UINT64_MAX);
    bad += !num_ok(UINT64_MAX - 1) + !num_ok(10000000000000000000ull);
    /* every bit length */
    for (i = 0; i < 200000; i++) {
        v = next() >> (next() % 64);
        bad += !num_ok(v);
    }
    T_INT(bad, 0);
}

/* The reference: the terminal escape, then '"' and '\' escaped. */
static size_t
ref_json(const uint8_t *s, size_t n, char *out)
{
    size_t need = esc_bytes(NULL, 0, s, n, 0), i, o = 0;
    char *t = malloc(need + 1);

    if (!t)
        abort();
    esc_bytes(t, need + 1, s, n, 0);
    out[o++] = '"';
    for (i = 0; i < need; i++) {
        if (t[i] == '"' || t[i] == '\\')
            out[o++] = '\\';
        out[o++] = t[i];
    }
    out[o++] = '"';
    free(t);
    return o;
}

static void
strings(void)
{
    static const uint8_t special[] = { 0, 1, 9, 10, 13, 0x1b, 0x1f, '"', '\\',
                                       0x7f, 0x80, 0x9b, 0xff, ' ', '~', 'a' };
    uint8_t s[64];
    char want[64 * 6 + 2];
    size_t n, wn, pos, j;
    int bad = 0, i;

    /* one special byte at every position of every length up to 40 */
    for (n = 1; n <= 40; n++)
        for (pos = 0; pos < n; pos++)
            for (j = 0; j < sizeof special; j++) {
                memset(s, 'x', n);
                s[pos] = special[j];
                wn = ref_json(s, n, want);
                ob.fp = NULL;
                ob.n = 0;
                ob_jstr(s, n);
                bad += ob.n != wn || memcmp(ob.buf, want, wn);
            }
    /* random bytes, mostly plain */
    for (i = 0; i < 20000; i++) {
        n = next() % 64;
        for (j = 0; j < n; j++)
            s[j] = next() % 8 ? (uint8_t)(0x20 + next() % 0x5f) : (uint8_t)next();
        wn = ref_json(s, n, want);
        ob.fp = NULL;
        ob.n = 0;
        ob_jstr(s, n);
        bad += ob.n != wn || memcmp(ob.buf, want, wn);
    }
    T_INT(bad, 0);
    /* Longer than a buffer's piece (OB_SIZE / 8): written in pieces
     * through ob_flush to a file, escapes falling on piece edges. */
    {
        static uint8_t big[3 * OB_SIZE];
        static char bwant[5 * sizeof big + 2], bgot[sizeof bwant];
        FILE *fp = tmpfile();
        size_t bn;

        for (j = 0; j < sizeof big; j++)
            big[j] = j % 97 == 0 ? (uint8_t)(next() % 0x20) : (uint8_t)('a' + j % 26);
        wn = ref_json(big, sizeof big, bwant);
        T_CHECK(fp != NULL);
        if (fp) {
            ob.n = 0;
            ob_to(fp);
            ob_jstr(big, sizeof big);
            ob_flush();
            rewind(fp);
            bn = fread(bgot, 1, sizeof bgot, fp);
            T_CHECK(bn == wn && !memcmp(bgot, bwant, wn));
            ob_to(NULL);
            fclose(fp);
        }
    }
    /* an empty value may have no pointer at all */
    ob.n = 0;
    ob_jstr(NULL, 0);
    T_BYTES(ob.buf, ob.n, "\"\"");
    ob.n = 0;
}

static void
addresses(void)
{
    struct rec_ep e;
    char got[64], want[64];
    size_t n;
    int i, bad = 0;

    memset(&e, 0, sizeof e);
    for (i = 0; i < 100000; i++) {
        uint32_t a = (uint32_t)next();
        if (i < 256)
            a = (uint32_t)i * 0x01010101u;
        e.family = 4;
        memcpy(e.addr, &a, 4);
        n = fmt_addr(&e, got, sizeof got);
        inet_ntop(AF_INET, e.addr, want, sizeof want);
        bad += n != strlen(want) || strcmp(got, want);
    }
    e.family = 6;
    memset(e.addr, 0, 16);
    e.addr[15] = 1;
    n = fmt_addr(&e, got, sizeof got);
    T_BYTES(got, n, "::1");
    T_INT(bad, 0);
}

int
main(void)
{
    numbers();
    strings();
    addresses();
    return T_DONE();
}
