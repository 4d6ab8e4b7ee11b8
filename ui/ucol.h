/* ucol.h - terminal columns of the text the view draws, measured with
 * mbrtowc and wcwidth in the current locale (the view calls
 * setlocale(LC_ALL, "")). esc_bytes output is printable ASCII today, one
 * column a byte, and these give exactly what byte counts gave; once
 * valid UTF-8 is passed through, a cut or a pad still lands on a
 * column, never inside a character. Meant to give way to the column
 * helper that esc.c will provide. No curses here. */
#ifndef MS_UCOL_H
#define MS_UCOL_H

#include <stddef.h>

#define UCOL_ELLIPSIS 1     /* end a cut cell with "..." */

/* Columns s[0..n) takes as drawn: each printable character its wcwidth,
 * anything else (invalid UTF-8, a control, unprintable) one column, the
 * '?' that ucol_clean draws for it. */
int ucol_width(const char *s, size_t n);

/* Copy s into dst as drawable text: at most maxcols columns and
 * dstsz - 1 bytes, whole characters only, each undrawable byte as '?'.
 * Always NUL-terminates (dstsz > 0); returns the bytes written and the
 * columns they take in *cols. */
size_t ucol_clean(char *dst, size_t dstsz, const char *s, int maxcols,
                  int *cols);

/* Copy s into dst as a table cell exactly w columns wide: cut (with
 * "..." under UCOL_ELLIPSIS) or padded with spaces. A cut never splits
 * a character nor an escape of esc_bytes (\xNN, \\, \t, \r, \n).
 * Always NUL-terminates (dstsz > 0); returns the bytes written. */
size_t ucol_cell(char *dst, size_t dstsz, const char *s, int w, int flags);

#endif
