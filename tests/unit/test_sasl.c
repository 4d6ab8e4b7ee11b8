/* test_sasl.c - the keystroke line editor and the SASL decoders, each fed
 * its input whole and one byte longer at a time (every prefix), so no
 * decoder reads past what it was given. */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../dissect/anom.h"
#include "../../dissect/auth.h"
#include "../../dissect/b64.h"
#include "../../dissect/telnet.h"

static void
edit(const char *in, size_t n, const char *want, uint64_t want_flags)
{
    uint8_t out[512];
    uint64_t fl = 0;
    size_t k = tn_edit((const uint8_t *)in, n, out, sizeof out, 1, &fl);

    T_BYTES(out, k, want);
    T_INT(fl & ((ANOM_F(ANOM_EDITED)) | (ANOM_F(ANOM_TELNET_IAC))), want_flags);
}

#define EDIT(lit, want, fl) edit(lit, sizeof lit - 1, want, fl)
#define E (ANOM_F(ANOM_EDITED))
#define I (ANOM_F(ANOM_TELNET_IAC))

/* Telnet option names (RFC 854/855, 857, 858, 1091): whole, and cut at
 * every length so no walk reads past the bytes it was given. */
static void
test_negotiation(void)
{
    static const char neg[] = "\xff\xfd\x03\xff\xfd\x01\xff\xfb\x18"
                              "\xff\xfa\x18\x00xterm\xff\xf0\xff\xf1\xff\xfe\xc8";
    const char *names[16];
    char buf[256];
    size_t n, i;
    int k;

    k = tn_negotiation((const uint8_t *)neg, sizeof neg - 1, names, 16);
    T_INT(k, 6);
    if (k == 6) {
        T_BYTES(names[0], strlen(names[0]), "DO SUPPRESS-GO-AHEAD");
        T_BYTES(names[1], strlen(names[1]), "DO ECHO");
        T_BYTES(names[2], strlen(names[2]), "WILL TERMINAL-TYPE");
        T_BYTES(names[3], strlen(names[3]), "SB TERMINAL-TYPE");
        T_BYTES(names[4], strlen(names[4]), "NOP");
        T_BYTES(names[5], strlen(names[5]), "DONT (unknown option)");
    }
    n = tn_describe((const uint8_t *)neg, 6, buf, sizeof buf, 0);
    T_BYTES(buf, n, "DO SUPPRESS-GO-AHEAD, DO ECHO");
    n = tn_describe((const uint8_t *)neg, 6, buf, sizeof buf, 1);
    T_BYTES(buf, n, "DO SUPPRESS-GO-AHEAD (RFC 858), DO ECHO (RFC 857)");
    n = tn_describe((const uint8_t *)neg + 22, 3, buf, sizeof buf, 0);
    T_BYTES(buf, n, "DONT option 200");
    T_INT(tn_describe((const uint8_t *)"USER bob", 8, buf, sizeof buf, 0), 0);
    T_INT(tn_negotiation((const uint8_t *)"\xff\xff", 2, names, 16), 0);
    for (i = 0; i <= sizeof neg - 1; i++) {
        uint8_t *cut = malloc(i ? i : 1);
        memcpy(cut, neg, i);
        tn_negotiation(cut, i, names, 16);
        n = tn_describe(cut, i, buf, 12, 1);
        T_CHECK(n < 12 && strlen(buf) == n);
        free(cut);
    }
}

static void
test_editor(void)
{
    EDIT("PASS secrex\bt1", "PASS secret1", E);
    EDIT("LSI\x7f\x7fIST", "LIST", E);
    EDIT("\b\b\bUSER bob", "USER bob", E);          /* never past the start */
    EDIT("PASS sec\x15PASS secret1", "PASS secret1", E);
    EDIT("\xff\xfd\x03\xff\xfd\x01", "", I);
    EDIT("a\xff\xff" "b", "a\xff" "b", I);              /* IAC IAC is 0xff */
    EDIT("\xff\xfa\x18\x00xterm\xff\xf0USER x", "USER x", I);
    EDIT("USER x\r", "USER x", 0);                    /* CR of CR NUL */
    EDIT("USER x\r\0", "USER x", 0);
    EDIT("\xff", "", I);                              /* cut IAC */
    EDIT("\xff\xfa", "", I);                          /* cut SB */
    EDIT("plain", "plain", 0);
}

static void
test_b64(void)
{
    uint8_t out[64];
    char enc[64];
    const char *in = "AHVzZXIxAHNlY3JldDE=";
    size_t i;
    long n;

    n = b64_decode((const uint8_t *)in, strlen(in), out, sizeof out);
    T_INT(n, 14);
    T_CHECK(n == 14 && !memcmp(out, "\0user1\0secret1", 14));
    n = b64_decode((const uint8_t *)"AHVzZXIxAHNlY3JldDE", 19, out, sizeof out);
    T_INT(n, 14);                                       /* unpadded */
    T_INT(b64_decode((const uint8_t *)"dXNl*jE=", 8, out, sizeof out), -1);
    T_INT(b64_decode((const uint8_t *)"A", 1, out, sizeof out), -1);
    T_INT(b64_decode((const uint8_t *)"AB=", 3, out, sizeof out), -1);
    T_INT(b64_decode((const uint8_t *)"", 0, out, sizeof out), 0);
    T_INT(b64_decode((const uint8_t *)in, strlen(in), out, 3), 3);   /* cut, not overrun */
    /* every prefix decodes or fails, never reads past its length */
    for (i = 0; i <= strlen(in); i++) {
        char *copy = malloc(i ? i : 1);
        memcpy(copy, in, i);
        n = b64_decode((const uint8_t *)copy, i, out, sizeof out);
        T_CHECK(n >= -1 && n <= 14);
        free(copy);
    }
    T_INT(b64_encode((const uint8_t *)"\0user1\0secret1", 14, enc, sizeof enc), 20);
    T_CHECK(!strcmp(enc, in));
}

static void
test_plain(void)
{
    struct rec_str z = {0}, u = {0}, p = {0};
    const uint8_t blob[] = "admin\0user1\0secret1";
    size_t i;

    T_INT(auth_plain_split(blob, sizeof blob - 1, &z, &u, &p), 0);
    T_BYTES(z.p, z.n, "admin");
    T_BYTES(u.p, u.n, "user1");
    T_BYTES(p.p, p.n, "secret1");
    /* prefixes: malformed until the second NUL is in */
    for (i = 0; i < sizeof blob - 1; i++) {
        uint8_t *copy = malloc(i ? i : 1);
        memcpy(copy, blob, i);
        T_INT(auth_plain_split(copy, i, &z, &u, &p) == 0, i > 11);
        free(copy);
    }
}

static void
test_oauth(void)
{
    struct rec_str u, t;
    const char x[] = "user=someone@example.test\001auth=Bearer ya29.tok\001\001";
    const char b[] = "n,a=someone@example.test,\001host=mx\001auth=Bearer ya29.tok\001\001";
    size_t i;

    T_INT(auth_oauth_split((const uint8_t *)x, sizeof x - 1, 0, &u, &t), 0);
    T_BYTES(u.p, u.n, "someone@example.test");
    T_BYTES(t.p, t.n, "ya29.tok");
    T_INT(auth_oauth_split((const uint8_t *)b, sizeof b - 1, 1, &u, &t), 0);
    T_BYTES(u.p, u.n, "someone@example.test");
    T_BYTES(t.p, t.n, "ya29.tok");
    T_CHECK(auth_oauth_split((const uint8_t *)"{\"status\":\"401\"}", 16, 0, &u, &t) < 0);
    for (i = 0; i < sizeof b - 1; i++) {
        uint8_t *copy = malloc(i ? i : 1);
        memcpy(copy, b, i);
        auth_oauth_split(copy, i, 1, &u, &t);
        T_CHECK(u.n <= i && t.n <= i);
        free(copy);
    }
}

static void
test_cram(void)
{
    struct rec_str u, d;

    T_INT(auth_cram_split((const uint8_t *)"tim b913a602c7eda7a495b4e6e7334d3890", 36, &u, &d), 0);
    T_BYTES(u.p, u.n, "tim");
    T_BYTES(d.p, d.n, "b913a602c7eda7a495b4e6e7334d3890");
    T_CHECK(auth_cram_split((const uint8_t *)"nospace", 7, &u, &d) < 0);
    T_INT(auth_cram_split((const uint8_t *)"a b c", 5, &u, &d), 0);
    T_BYTES(u.p, u.n, "a b");
}

/* tn_needs_edit says yes exactly when tn_edit could change the line:
 * each byte it acts on, at every position of lines up to 20 bytes. */
static void
test_needs_edit(void)
{
    static const uint8_t act[] = { 0x00, 0x08, 0x15, 0x7f, 0xff };
    static const uint8_t pass[] = { 0x01, 0x07, 0x09, 0x0d, 0x14, 0x16, 0x7e, 0x80, 0xfe, 'A' };
    uint8_t ln[20];
    size_t n, pos, j;
    int bad = 0;

    for (n = 0; n <= sizeof ln; n++) {
        memset(ln, 'x', n);
        bad += tn_needs_edit(ln, n, 1) != 0;
        for (pos = 0; pos < n; pos++) {
            for (j = 0; j < sizeof act; j++) {
                memset(ln, 'x', n);
                ln[pos] = act[j];
                bad += tn_needs_edit(ln, n, 1) != 1;
                /* and nothing past the end is looked at */
                bad += tn_needs_edit(ln, pos, 1) != 0;
            }
            for (j = 0; j < sizeof pass; j++) {
                memset(ln, 'x', n);
                ln[pos] = pass[j];
                bad += tn_needs_edit(ln, n, 1) != 0;
            }
        }
    }
    T_INT(bad, 0);
}

int
main(void)
{
    test_editor();
    test_negotiation();
    test_needs_edit();
    test_b64();
    test_plain();
    test_oauth();
    test_cram();
    return T_DONE();
}
