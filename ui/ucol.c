/* ucol.c - terminal columns of UTF-8 text (mbrtowc + wcwidth), for
 * cutting and padding what the view draws to a column width. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700   /* wcwidth */
#endif
#include <string.h>
#include <wchar.h>

#include "ucol.h"

/* The unit at s (n > 0 bytes left): one character, or one byte that is
 * not a drawable character. Returns its length; *cols gets its width,
 * *ok whether it is drawn as itself (else as one '?'). Zero-width
 * characters count as undrawable: combining marks are rare in mail, and
 * bidi and format controls must never reach the terminal. */
static size_t
unit(const char *s, size_t n, int *cols, int *ok)
{
    unsigned char c = (unsigned char)s[0];
    mbstate_t st;
    wchar_t wc;
    size_t k;
    int w;

    *cols = 1;
    if (c < 0x80) {
        *ok = c >= 0x20 && c < 0x7f;
        return 1;
    }
    memset(&st, 0, sizeof st);
    k = mbrtowc(&wc, s, n, &st);
    if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
        *ok = 0;
        return 1;
    }
    w = wcwidth(wc);
    *ok = w > 0;
    if (w > 0)
        *cols = w;
    return k;
}

/* A unit of a table cell: an escape of esc_bytes stays whole. */
static size_t
cell_unit(const char *s, size_t n, int *cols, int *ok)
{
    size_t k;

    if (s[0] == '\\' && n >= 2) {
        k = s[1] == 'x' && n >= 4 ? 4 : 2;
        *cols = (int)k;
        *ok = 1;
        return k;
    }
    return unit(s, n, cols, ok);
}

int
ucol_width(const char *s, size_t n)
{
    size_t i = 0;
    int w = 0, c, ok;

    while (i < n && s[i]) {
        i += unit(s + i, n - i, &c, &ok);
        w += c;
    }
    return w;
}

/* Append units of s to dst while they fit in maxcols and the buffer;
 * cell: keep escapes whole. */
static size_t
copy_units(char *dst, size_t room, size_t *o, const char *s, int maxcols,
           int cell, int *cols)
{
    size_t i = 0, n = strlen(s), k;
    int c, ok;

    *cols = 0;
    while (i < n) {
        k = cell ? cell_unit(s + i, n - i, &c, &ok) : unit(s + i, n - i, &c, &ok);
        if (*cols + c > maxcols || *o + (ok ? k : 1) > room)
            break;
        if (ok) {
            memcpy(dst + *o, s + i, k);
            *o += k;
        } else {
            dst[(*o)++] = '?';
        }
        *cols += c;
        i += k;
    }
    return i;
}

size_t
ucol_clean(char *dst, size_t dstsz, const char *s, int maxcols, int *cols)
{
    size_t o = 0;
    int c = 0;

    if (!dstsz) {
        *cols = 0;
        return 0;
    }
    copy_units(dst, dstsz - 1, &o, s, maxcols, 0, &c);
    dst[o] = 0;
    *cols = c;
    return o;
}

size_t
ucol_cell(char *dst, size_t dstsz, const char *s, int w, int flags)
{
    size_t o = 0, room;
    int c = 0, lim = w;

    if (!dstsz)
        return 0;
    room = dstsz - 1;
    if (w < 0)
        w = 0;
    if (ucol_width(s, strlen(s)) > w && (flags & UCOL_ELLIPSIS) && w >= 3)
        lim = w - 3;
    copy_units(dst, room, &o, s, lim, 1, &c);
    if (lim < w && o + 3 <= room) {
        memcpy(dst + o, "...", 3);
        o += 3;
        c += 3;
    }
    while (c < w && o < room) {
        dst[o++] = ' ';
        c++;
    }
    dst[o] = 0;
    return o;
}
