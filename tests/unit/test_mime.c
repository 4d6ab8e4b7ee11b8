/* test_mime.c - RFC 2047 encoded words: each charset with real text, B
 * and Q, adjacent words, Q underscores, RFC 2231 language suffixes,
 * malformed words left raw and flagged, output bounds. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "t.h"
#include "../../dissect/err.h"
#include "../../dissect/mime.c"   /* its object is left out (Makefile) */

static uint8_t out[1024];
static size_t outn;
static unsigned fl;

/* Decode s; check the output and the flags. */
#define DEC(s, want, wantfl) do { \
    int rc_ = mime_decode_header((const uint8_t *)(s), strlen(s), out, sizeof out, &outn, &fl); \
    T_INT(rc_, 0); \
    T_BYTES(out, outn, want); \
    T_INT(fl, wantfl); \
} while (0)

static void
charsets(void)
{
    /* Ukrainian */
    DEC("=?KOI8-U?B?8NLJ16bULCDT16bU?=", "Привіт, світ", MIME_DECODED);
    DEC("=?KOI8-U?Q?=F0=D2=C9=D7=A6=D4,_=D3=D7=A6=D4?=", "Привіт, світ", MIME_DECODED);
    DEC("=?UTF-8?B?0J/RgNC40LLRltGCLCDRgdCy0ZbRgg==?=", "Привіт, світ", MIME_DECODED);
    DEC("=?utf-8?q?=D0=9F=D1=80=D0=B8=D0=B2=D1=96=D1=82,_=D1=81=D0=B2=D1=96=D1=82?=",
        "Привіт, світ", MIME_DECODED);
    /* Russian */
    DEC("=?KOI8-R?B?8NLJ18XULCDNydI=?=", "Привет, мир", MIME_DECODED);
    DEC("=?WINDOWS-1251?B?z/Do4uXyLCDs6PA=?=", "Привет, мир", MIME_DECODED);
    DEC("=?cp1251?Q?=CF=F0=E8=E2=E5=F2,_=EC=E8=F0?=", "Привет, мир", MIME_DECODED);
    DEC("=?ISO-8859-5?B?v+DY0tXiLCDc2OA=?=", "Привет, мир", MIME_DECODED);
    /* Japanese: a stateful encoding */
    DEC("=?ISO-2022-JP?B?GyRCRnxLXDhsJE4lRiU5JUgbKEI=?=", "日本語のテスト", MIME_DECODED);
    DEC("=?iso-2022-jp?Q?=1B$BF|K\\8l$N%F%9%H=1B(B?=", "日本語のテスト", MIME_DECODED);
    /* German, Polish, the euro sign of Latin-9 */
    DEC("=?ISO-8859-1?Q?Gr=FC=DFe_aus_K=F6ln?=", "Grüße aus Köln", MIME_DECODED);
    DEC("=?ISO-8859-1?B?R3L832UgYXVzIEv2bG4=?=", "Grüße aus Köln", MIME_DECODED);
    DEC("=?ISO-8859-15?Q?=A4_5?=", "€ 5", MIME_DECODED);
    DEC("=?ISO-8859-1?Q?=A4_5?=", "¤ 5", MIME_DECODED);
    DEC("=?ISO-8859-2?Q?Za=BF=F3=B3=E6_g=EA=B6l=B1_ja=BC=F1?=", "Zażółć gęślą jaźń",
        MIME_DECODED);
    /* Chinese */
    DEC("=?GB2312?B?xOO6ww==?=", "你好", MIME_DECODED);
    DEC("=?gb2312?q?=C4=E3=BA=C3?=", "你好", MIME_DECODED);
    /* RFC 2231 language suffix */
    DEC("=?UTF-8*uk?B?0J/RgNC40LLRltGC?=", "Привіт", MIME_DECODED);
    DEC("=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore", MIME_DECODED);
}

static void
words(void)
{
    /* Text around words is kept, with its white space. */
    DEC("Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus Köln", "Re: Grüße aus Köln", MIME_DECODED);
    DEC("plain text, no words", "plain text, no words", 0);
    DEC("", "", 0);
    /* RFC 2047 section 8 examples */
    DEC("(=?ISO-8859-1?Q?a?=)", "(a)", MIME_DECODED);
    DEC("(=?ISO-8859-1?Q?a?= b)", "(a b)", MIME_DECODED);
    DEC("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)", MIME_DECODED);
    DEC("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)", MIME_DECODED);
    DEC("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)", MIME_DECODED);
    DEC("(=?ISO-8859-1?Q?a_b?=)", "(a b)", MIME_DECODED);
    DEC("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)", MIME_DECODED);
    /* A character split between two words of one charset. */
    DEC("=?UTF-8?Q?=D0=9F=D1?= =?UTF-8?Q?=80=D0=B8?=", "При", MIME_DECODED);
    DEC("=?UTF-8?B?0J/R?= =?UTF-8?B?gNC4?=", "При", MIME_DECODED);
    /* Encoding letter in either case, Q hex in either case. */
    DEC("=?utf-8?b?0J8=?==?UTF-8?q?=d0=9f?=", "ПП", MIME_DECODED);
    /* B without padding is accepted, as mail readers do. */
    DEC("=?UTF-8?B?0J/RgA?=", "Пр", MIME_DECODED);
    /* An empty text is a word that decodes to nothing. */
    DEC("a =?UTF-8?Q?" "?= b", "a  b", MIME_DECODED);
}

static void
malformed(void)
{
    /* Unterminated, bad base64, bad Q, unknown charset, invalid bytes:
     * each left raw and flagged. */
    DEC("=?UTF-8?B?0J/RgA", "=?UTF-8?B?0J/RgA", MIME_BAD_WORD);
    DEC("=?UTF-8?B?0J!RgA==?=", "=?UTF-8?B?0J!RgA==?=", MIME_BAD_WORD);
    DEC("=?UTF-8?B?0?=", "=?UTF-8?B?0?=", MIME_BAD_WORD);
    DEC("=?UTF-8?Q?=D0=9?=", "=?UTF-8?Q?=D0=9?=", MIME_BAD_WORD);
    DEC("=?UTF-8?Q?=ZZ?=", "=?UTF-8?Q?=ZZ?=", MIME_BAD_WORD);
    DEC("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=", MIME_BAD_WORD);
    DEC("=?NO-SUCH-CHARSET?Q?abc?=", "=?NO-SUCH-CHARSET?Q?abc?=",
        MIME_BAD_WORD | MIME_BAD_CHARSET);
    DEC("=?UTF-8?Q?=FF=FE?=", "=?UTF-8?Q?=FF=FE?=", MIME_BAD_WORD);
    DEC("=?UTF-8?Q?=C3?=", "=?UTF-8?Q?=C3?=", MIME_BAD_WORD);     /* cut character */
    DEC("=?US-ASCII?Q?=E9?=", "=?US-ASCII?Q?=E9?=", MIME_BAD_WORD);
    /* iconv options are not charsets. */
    DEC("=?UTF-8//IGNORE?Q?a?=", "=?UTF-8//IGNORE?Q?a?=", 0);
    /* A space inside the text ends nothing: not a word. */
    DEC("=?UTF-8?Q?a b?=", "=?UTF-8?Q?a b?=", MIME_BAD_WORD);
    /* A bad word between good ones keeps its white space; the good ones
     * still decode. */
    DEC("=?UTF-8?Q?a?= =?UTF-8?Q?=FF?= =?UTF-8?Q?b?=",
        "a =?UTF-8?Q?=FF?= b", MIME_DECODED | MIME_BAD_WORD);
    DEC("=?UTF-8?Q?a?= =?BOGUS?Q?x?= =?UTF-8?Q?b?=",
        "a =?BOGUS?Q?x?= b", MIME_DECODED | MIME_BAD_WORD | MIME_BAD_CHARSET);
    /* "=?" that starts no word is text. */
    DEC("a =? b ?= c", "a =? b ?= c", 0);
    DEC("=?", "=?", 0);
    DEC("x=?=?UTF-8?Q?a?=", "x=?a", MIME_DECODED);
    /* A charset name longer than any real one. */
    DEC("=?AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?Q?a?=",
        "=?AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?Q?a?=",
        MIME_BAD_WORD);
}

static void
bounds(void)
{
    static const char *s = "Re: =?UTF-8?B?0J/RgNC40LLRltGCLCDRgdCy0ZbRgg==?= ok";
    uint8_t small[16];
    size_t k;
    int rc;

    /* Cut inside the decoded text: whole characters only. */
    rc = mime_decode_header((const uint8_t *)s, strlen(s), small, 10, &k, &fl);
    T_INT(rc, 0);
    T_BYTES(small, k, "Re: При");
    T_INT(fl, MIME_CUT);
    /* Cut in literal text. */
    rc = mime_decode_header((const uint8_t *)"abcdef", 6, small, 4, &k, &fl);
    T_BYTES(small, k, "abcd");
    T_INT(fl, MIME_CUT);
    /* Cut in a raw bad word. */
    rc = mime_decode_header((const uint8_t *)"=?X?Q?=ZZ?=", 11, small, 5, &k, &fl);
    T_BYTES(small, k, "=?X?Q");
    T_INT(fl, MIME_BAD_WORD | MIME_CUT);
    /* A word that would be cut, but has invalid bytes after the cut: it
     * is raw whatever the room, so the cut output is a prefix of it. */
    rc = mime_decode_header((const uint8_t *)"=?UTF-8?Q?abc=FF?=", 18, small, 2, &k, &fl);
    T_BYTES(small, k, "=?");
    T_INT(fl, MIME_BAD_WORD | MIME_CUT);
    /* No room at all. */
    rc = mime_decode_header((const uint8_t *)s, strlen(s), small, 0, &k, &fl);
    T_INT(k, 0);
    T_INT(fl, MIME_CUT);
    rc = mime_decode_header((const uint8_t *)"", 0, NULL, 0, &k, &fl);
    T_INT(rc, 0);
    T_INT(k, 0);
    rc = mime_decode_header((const uint8_t *)"a", 1, NULL, 5, &k, &fl);
    T_INT(rc, ERR_BAD);
    /* Every output size: never past it, and a prefix of the whole. */
    {
        static const char *t = "=?ISO-2022-JP?B?GyRCRnxLXDhsJE4lRiU5JUgbKEI=?= "
                               "=?KOI8-U?B?8NLJ16bU?= x =?BAD?Q?a?=";
        uint8_t full[256], part[256];
        size_t fn, pn, sz;
        int bad = 0;

        mime_decode_header((const uint8_t *)t, strlen(t), full, sizeof full, &fn, &fl);
        for (sz = 0; sz <= fn + 1; sz++) {
            memset(part, 0xaa, sizeof part);
            mime_decode_header((const uint8_t *)t, strlen(t), part, sz, &pn, &fl);
            bad += pn > sz || memcmp(part, full, pn) || part[sz] != 0xaa ||
                   (sz < fn && !(fl & MIME_CUT)) || (sz >= fn && pn != fn);
        }
        T_INT(bad, 0);
    }
}

static void
cache(void)
{
    char s[64];
    int i, bad = 0;

    /* More charsets than cache slots, round and round: the descriptors
     * are replaced and each answer stays right. */
    static const char *cs[] = { "UTF-8", "KOI8-U", "KOI8-R", "CP1251", "ISO-8859-1",
                                "ISO-8859-2", "ISO-8859-5", "ISO-8859-15", "GB2312",
                                "ISO-2022-JP", "NOPE-1", "NOPE-2" };
    for (i = 0; i < 300; i++) {
        const char *c = cs[i % 12];
        snprintf(s, sizeof s, "=?%s?Q?ab?=", c);
        mime_decode_header((const uint8_t *)s, strlen(s), out, sizeof out, &outn, &fl);
        if (!strncmp(c, "NOPE", 4))
            bad += !(fl & MIME_BAD_CHARSET) || outn != strlen(s);
        else
            bad += fl != MIME_DECODED || outn != 2 || memcmp(out, "ab", 2);
    }
    T_INT(bad, 0);
    mime_cache_clear();
    DEC("=?KOI8-U?B?8NLJ16bU?=", "Привіт", MIME_DECODED);
    mime_cache_clear();
}

int
main(void)
{
    charsets();
    words();
    malformed();
    bounds();
    cache();
    return T_DONE();
}
