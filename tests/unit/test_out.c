/* test_out.c - the printers' writers against plain references: numbers
 * against printf, JSON strings against esc_bytes plus JSON's two escapes,
 * addresses against inet_ntop. These writers take shortcuts (digit
 * counting, eight bytes at a time); the references take none. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../ui/esc.h"
#include "../../ui/fmt.h"
#include "../../ui/ob.h"
#include "../../dissect/record.h"

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

/* Differences of capture seconds saturate (a pcapng block can say any
 * 64-bit time), and the result can always be negated. */
static void
seconds(void)
{
    T_CHECK(ms_sec_sub(5, 3) == 2);
    T_CHECK(ms_sec_sub(3, 5) == -2);
    T_CHECK(ms_sec_sub(INT64_MAX, -1) == INT64_MAX);
    T_CHECK(ms_sec_sub(8208983190603844015LL, -5193166122916207080LL) == INT64_MAX);
    T_CHECK(ms_sec_sub(-5193166122916207080LL, 8208983190603844015LL) == -INT64_MAX);
    T_CHECK(ms_sec_sub(INT64_MIN, 0) == -INT64_MAX);
    T_CHECK(ms_sec_sub(0, INT64_MIN) == INT64_MAX);
    T_CHECK(ms_sec_sub(INT64_MIN, INT64_MIN) == 0);
    T_CHECK(ms_sec_sub(-1, INT64_MAX) == -INT64_MAX);   /* INT64_MIN exactly: not negatable */
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
    /* every number below two million, and as many below 10^8 (frame
     * numbers, ports, lengths) */
    for (v = 0; v < 2000000; v++)
        bad += !num_ok(v);
    for (i = 0; i < 2000000; i++)
        bad += !num_ok(next() % 100000000);
    T_INT(bad, 0);
}

/* The reference: the UTF-8 escape, then '"' and '\' escaped. */
static size_t
ref_json(const uint8_t *s, size_t n, char *out)
{
    size_t need = esc_bytes(NULL, 0, s, n, ESC_UTF8), i, o = 0;
    char *t = malloc(need + 1);

    if (!t)
        abort();
    esc_bytes(t, need + 1, s, n, ESC_UTF8);
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

/* UTF-8 pieces for the writer test: every boundary of the decoder. */
static const char *const utf8_pieces[] = {
    "\xc2\x80", "\xc2\x9f", "\xc2\xa0", "\xdf\xbf",      /* C1, NBSP, 2-byte end */
    "\xe0\xa0\x80", "\xef\xbf\xbf", "\xe2\x80\xae",     /* U+0800, U+FFFF, RLO */
    "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",             /* U+10000, U+10FFFF */
    "\xf4\x90\x80\x80",                                 /* U+110000 */
    "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", /* overlong */
    "\xed\xa0\x80", "\xed\xbf\xbf", "\xed\x9f\xbf",      /* surrogates, U+D7FF */
    "\xe2\x80", "\xf0\x9f\x98", "\xc3", "\x80", "\xbf",   /* truncated, lone */
    "\xf5\x80\x80\x80", "\xfe", "\xff",                     /* never UTF-8 */
    "e\xcc\x81", "\xe6\x97\xa5", "\xf0\x9f\x98\x80",      /* e+acute, CJK, emoji */
    "\xef\xbb\xbf", "\xe2\x80\x8b", "\xe2\x80\x8d",       /* BOM, ZWSP, ZWJ */
    "\xf3\xa0\x80\x81", "\xd8\x9c", "\xc2\xad",          /* tag, ALM, SHY */
};

static void
strings_utf8(void)
{
    uint8_t s[64];
    char want[64 * 6 + 2];
    size_t n, wn, pos, j, k, pl;
    int bad = 0, i;

    /* each piece at every position of lengths up to 40, and twice */
    for (n = 0; n <= 40; n++)
        for (j = 0; j < sizeof utf8_pieces / sizeof utf8_pieces[0]; j++) {
            pl = strlen(utf8_pieces[j]);
            for (pos = 0; pos + pl <= n + pl && pos <= n; pos++) {
                memset(s, 'x', n + pl);
                memcpy(s + pos, utf8_pieces[j], pl);
                for (k = 0; k < 2 && pos + 2 * pl + 1 <= sizeof s; k++) {
                    wn = ref_json(s, n + pl, want);
                    ob.fp = NULL;
                    ob.n = 0;
                    ob_jstr(s, n + pl);
                    bad += ob.n != wn || memcmp(ob.buf, want, wn);
                    memcpy(s + pos + pl + 1, utf8_pieces[j], pl);
                }
            }
        }
    /* random mixes of the pieces and plain bytes */
    for (i = 0; i < 20000; i++) {
        n = 0;
        while (n < 48) {
            if (next() % 3) {
                s[n++] = (uint8_t)(0x20 + next() % 0x5f);
            } else {
                const char *p = utf8_pieces[next() % (sizeof utf8_pieces / sizeof utf8_pieces[0])];
                memcpy(s + n, p, strlen(p));
                n += strlen(p);
            }
        }
        wn = ref_json(s, n, want);
        ob.fp = NULL;
        ob.n = 0;
        ob_jstr(s, n);
        bad += ob.n != wn || memcmp(ob.buf, want, wn);
    }
    T_INT(bad, 0);
}

/* The escape itself, by example: the rule in mailsift.1. */
static void
escape_rule(void)
{
    static const struct {
        const char *in, *utf8, *ascii;
    } t[] = {
        { "a\\b\t\r\n\x1b[31m\x7f", "a\\\\b\\t\\r\\n\\x1b[31m\\x7f",
          "a\\\\b\\t\\r\\n\\x1b[31m\\x7f" },
        { "Gr\xc3\xbc\xc3\x9f" "e", "Gr\xc3\xbc\xc3\x9f" "e", "Gr\\xc3\\xbc\\xc3\\x9fe" },
        { "\xd0\x9f\xd1\x80\xd0\xb8", "\xd0\x9f\xd1\x80\xd0\xb8",
          "\\xd0\\x9f\\xd1\\x80\\xd0\\xb8" },
        { "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac", NULL },
        { "\xc2\x9b" "31m", "\\u009b31m", "\\xc2\\x9b31m" },          /* C1 CSI */
        { "\xc2\x80\xc2\x9f\xc2\xa0", "\\u0080\\u009f\xc2\xa0", NULL },
        { "x\xe2\x80\xaey", "x\\u202ey", NULL },                 /* RLO */
        { "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
          "\\u202a\\u202b\\u202c\\u202d", NULL },
        { "\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
          "\\u2066\\u2067\\u2068\\u2069", NULL },                 /* isolates */
        { "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\u200e\\u200f\\u061c", NULL },
        { "\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029", NULL },
        { "\xef\xbb\xbf\xe2\x80\x8b\xe2\x81\xa0\xc2\xad",
          "\\ufeff\\u200b\\u2060\\u00ad", NULL },
        { "\xe2\x80\x8c\xe2\x80\x8d", "\xe2\x80\x8c\xe2\x80\x8d", NULL }, /* ZWNJ ZWJ */
        { "\xf3\xa0\x81\x81", "\\U000e0041", NULL },            /* tag A */
        { "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", NULL },
        { "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", NULL },     /* U+10FFFF */
        { "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80", NULL }, /* U+110000 */
        { "\xc0\xaf", "\\xc0\\xaf", NULL },                     /* overlong / */
        { "\xe0\x80\xaf", "\\xe0\\x80\\xaf", NULL },
        { "\xed\xa0\x80", "\\xed\\xa0\\x80", NULL },         /* surrogate */
        { "ab\xe2\x80", "ab\\xe2\\x80", NULL },                 /* cut at end */
        { "\xe2\x80x", "\\xe2\\x80x", NULL },
        { "e\xcc\x81", "e\xcc\x81", NULL },                       /* combining */
    };
    char buf[256];
    size_t i, k;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        k = esc_bytes(buf, sizeof buf, (const uint8_t *)t[i].in, strlen(t[i].in), ESC_UTF8);
        T_BYTES(buf, k, t[i].utf8);
        if (t[i].ascii) {
            k = esc_bytes(buf, sizeof buf, (const uint8_t *)t[i].in, strlen(t[i].in), 0);
            T_BYTES(buf, k, t[i].ascii);
        }
    }
    /* A cut keeps whole characters and whole escapes. */
    k = esc_bytes(buf, 4, (const uint8_t *)"ab\xe6\x97\xa5", 5, ESC_UTF8);
    T_INT(k, 5);
    T_BYTES(buf, strlen(buf), "ab");
    esc_bytes(buf, 6, (const uint8_t *)"ab\xe6\x97\xa5", 5, ESC_UTF8);
    T_BYTES(buf, strlen(buf), "ab\xe6\x97\xa5");
    esc_bytes(buf, 8, (const uint8_t *)"\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 9,
              ESC_UTF8 | ESC_ELLIPSIS);
    T_BYTES(buf, strlen(buf), "\xe6\x97\xa5...");
    esc_bytes(buf, 9, (const uint8_t *)"a\xe2\x80\xae" "bc", 6, ESC_UTF8 | ESC_ELLIPSIS);
    T_BYTES(buf, strlen(buf), "a...");
    /* The record flag: only \x, \u, \U set it, not "\\" or a quote. */
    ob.fp = NULL;
    ob.n = 0;
    ob.escaped = 0;
    ob_jstr((const uint8_t *)"say \"hi\" \xc3\xa9", 11);
    T_BYTES(ob.buf, ob.n, "\"say \\\"hi\\\" \xc3\xa9\"");
    T_INT(ob.escaped, 0);
    ob_jstr((const uint8_t *)"a\\b\r\n", 5);
    T_INT(ob.escaped, 0);
    ob_jstr((const uint8_t *)"\x01", 1);
    T_INT(ob.escaped, 1);
    ob.escaped = 0;
    ob_jstr((const uint8_t *)"\xe2\x80\xae", 3);
    T_BYTES(ob.buf + ob.n - 9, 9, "\"\\\\u202e\"");
    T_INT(ob.escaped, 1);
    ob.n = 0;
    ob.escaped = 0;
}

/* Columns of escaped text, in a UTF-8 locale. */
static void
widths(void)
{
    size_t w, k;

    if (!setlocale(LC_CTYPE, "C.UTF-8") && !setlocale(LC_CTYPE, "en_US.UTF-8")) {
        fprintf(stderr, "test_out: no UTF-8 locale, widths skipped\n");
        return;
    }
    T_INT(esc_width("abc", 3), 3);
    T_INT(esc_width("\\u202e", 6), 6);
    T_INT(esc_width("Gr\xc3\xbc\xc3\x9f", 6), 4);          /* Grüß */
    T_INT(esc_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4);    /* 日本: 2 each */
    T_INT(esc_width("e\xcc\x81", 3), 1);                   /* e + combining acute */
    T_INT(esc_width("\xf0\x9f\x98\x80", 4), 2);            /* emoji */
    T_INT(esc_width("\xe6\x97", 2), 2);                    /* not UTF-8: a column a byte */
    k = esc_fit("\xe6\x97\xa5\xe6\x9c\xac", 6, 3, &w);
    T_INT(k, 3);
    T_INT(w, 2);
    k = esc_fit("ae\xcc\x81" "b", 5, 2, &w);                  /* the mark stays with e */
    T_INT(k, 4);
    T_INT(w, 2);
    k = esc_fit("abc", 3, 10, &w);
    T_INT(k, 3);
    T_INT(w, 3);
    setlocale(LC_CTYPE, "C");
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
    seconds();
    strings();
    strings_utf8();
    escape_rule();
    widths();
    addresses();
    return T_DONE();
}
