/* test_ucol.c - columns of UTF-8 text: ASCII is one column a byte as it
 * always was; in a UTF-8 locale wide characters take two, cuts land on
 * whole characters and whole escapes, and nothing undrawable survives;
 * in the C locale every non-ASCII byte is one '?'. */
#include <locale.h>
#include <string.h>

#include "t.h"
#include "../../ui/ucol.h"

#define W(s) ucol_width((s), strlen(s))

static void
test_ascii(void)
{
    char b[64];
    int c;

    T_INT(W("Filter: pop"), 11);
    T_INT(W(""), 0);
    T_INT(W("a\x1b[31m"), 6);           /* ESC is one '?' column */
    T_INT(ucol_clean(b, sizeof b, "ab\x07" "cd", 10, &c), 5);
    T_CHECK(!strcmp(b, "ab?cd"));
    T_INT(c, 5);
    T_INT(ucol_clean(b, sizeof b, "abcdef", 4, &c), 4);
    T_CHECK(!strcmp(b, "abcd"));
    T_INT(ucol_clean(b, 3, "abcdef", 40, &c), 2);     /* buffer bound */
    T_CHECK(!strcmp(b, "ab"));
    /* Cells: the same bytes "%-*.*s" gave */
    ucol_cell(b, sizeof b, "127.0.0.1", 11, 0);
    T_CHECK(!strcmp(b, "127.0.0.1  "));
    ucol_cell(b, sizeof b, "2001:db8::1:2:3:4", 15, 0);
    T_CHECK(!strcmp(b, "2001:db8::1:2:3"));
    ucol_cell(b, sizeof b, "", 3, 0);
    T_CHECK(!strcmp(b, "   "));
    /* Ellipsis: escapes stay whole */
    ucol_cell(b, sizeof b, "abc\\x08def", 8, UCOL_ELLIPSIS);
    T_CHECK(!strcmp(b, "abc...  "));
    ucol_cell(b, sizeof b, "abcd\\\\ef", 7, UCOL_ELLIPSIS);
    T_CHECK(!strcmp(b, "abcd..."));
    ucol_cell(b, sizeof b, "secret1", 7, UCOL_ELLIPSIS);
    T_CHECK(!strcmp(b, "secret1"));
    ucol_cell(b, sizeof b, "secret12", 2, UCOL_ELLIPSIS);
    T_CHECK(!strcmp(b, "se"));
}

static void
test_utf8(void)
{
    const char *cjk = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";   /* 3 wide */
    char b[64];
    int c;

    T_INT(W("h\xc3\xa9llo"), 5);
    T_INT(W(cjk), 6);
    T_INT(W("\xff" "a"), 2);                    /* invalid byte: '?' */
    T_INT(W("\xe6\x97"), 2);                    /* truncated: two '?' */
    T_INT(W("\xe2\x80\xae" "x"), 2);            /* bidi override: '?' */
    /* a cut at 5 columns keeps two wide characters, never half of one */
    T_INT(ucol_clean(b, sizeof b, cjk, 5, &c), 6);
    T_INT(c, 4);
    T_BYTES(b, 6, "\xe6\x97\xa5\xe6\x9c\xac");
    T_INT(ucol_clean(b, 5, cjk, 40, &c), 3);    /* buffer holds one */
    T_INT(c, 2);
    ucol_clean(b, sizeof b, "a\xe2\x80\xae" "b\xc2\x85", 10, &c);
    T_CHECK(!strcmp(b, "a?b?"));
    /* cells pad by columns */
    ucol_cell(b, sizeof b, cjk, 8, 0);
    T_INT(W(b), 8);
    T_CHECK(!strcmp(b, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e  "));
    ucol_cell(b, sizeof b, cjk, 5, 0);
    T_CHECK(!strcmp(b, "\xe6\x97\xa5\xe6\x9c\xac "));
    ucol_cell(b, sizeof b, cjk, 5, UCOL_ELLIPSIS);
    T_CHECK(!strcmp(b, "\xe6\x97\xa5..."));
    ucol_cell(b, sizeof b, "h\xc3\xa9llo world", 8, UCOL_ELLIPSIS);
    T_CHECK(!strcmp(b, "h\xc3\xa9llo..."));
    T_INT(W(b), 8);
}

static void
test_c_locale(void)
{
    char b[64];
    int c;

    T_INT(W("h\xc3\xa9llo"), 6);
    ucol_clean(b, sizeof b, "h\xc3\xa9llo", 10, &c);
    T_CHECK(!strcmp(b, "h??llo"));
}

int
main(void)
{
    setlocale(LC_ALL, "C");
    test_ascii();
    test_c_locale();
    if (setlocale(LC_ALL, "C.UTF-8")) {
        test_ascii();
        test_utf8();
    } else {
        printf("test_ucol: no C.UTF-8 locale: UTF-8 cases skipped\n");
    }
    return T_DONE();
}
