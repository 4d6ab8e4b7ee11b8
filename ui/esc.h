/* esc.h - escaping untrusted bytes for terminals, text and JSON. */
#ifndef MS_ESC_H
#define MS_ESC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ESC_ELLIPSIS 1      /* end a cut string with "..." */
#define ESC_UTF8     2      /* valid UTF-8 as characters (see below) */

/* Most characters one unit (a byte or a UTF-8 character) escapes to:
 * "\U000e0001". */
#define ESC_UNIT_MAX 10

/* The escape, one unit at a time:
 *   0x20..0x7e except '\'       itself
 *   '\'                         \\
 *   TAB CR LF                   \t \r \n
 *   other C0, DEL               \xNN
 * and for bytes >= 0x80:
 *   without ESC_UTF8            \xNN for each byte
 *   with ESC_UTF8, a valid UTF-8 character (shortest form, no surrogate,
 *   at most U+10FFFF) is itself, unless esc_cp_escaped() says it is
 *   invisible or reorders text: then \uXXXX (BMP) or \UXXXXXXXX, lower-
 *   case hex; any other byte >= 0x80 (invalid, overlong, truncated at
 *   the end of the string) is \xNN, one byte at a time.
 * Every escape starts with '\' and a '\' in the input is always "\\", so
 * the input can be recovered from the text exactly.
 *
 * Output has no control character, no bidi control, and without
 * ESC_UTF8 is printable ASCII. Always NUL-terminates (dstsz > 0) and
 * returns the length it wanted, like snprintf. A cut never splits a unit;
 * with ESC_ELLIPSIS the longest prefix of whole units that leaves room
 * for "..." is kept and "..." appended. */
size_t esc_bytes(char *dst, size_t dstsz, const uint8_t *src, size_t n, int flags);

/* 1 if code point cp is written as \u/\U even when valid: C0, DEL, C1
 * (U+0080..U+009F), the bidi controls U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069, the separators U+2028, U+2029, and
 * the invisible U+00AD, U+200B, U+2060, U+FEFF, U+FFF9..U+FFFB,
 * U+E0000..U+E007F (tags). */
int esc_cp_escaped(uint32_t cp);

/* Write escaped bytes to fp: esc_fputs as ASCII, esc_fwrite with flags. */
void esc_fputs(FILE *fp, const uint8_t *src, size_t n);
void esc_fwrite(FILE *fp, const uint8_t *src, size_t n, int flags);

/* Terminal columns of n bytes of esc_bytes output (with ESC_UTF8): ASCII
 * one each, other characters wcwidth(), which needs an LC_CTYPE UTF-8
 * locale (setlocale(LC_CTYPE, "") in the TUI); where wcwidth does not
 * know a character it counts one column. */
size_t esc_width(const char *s, size_t n);
/* Bytes of the longest prefix of s (escaped text, n bytes) that fits in
 * cols columns, never splitting a character; *width (if not NULL) gets
 * its columns. Zero-width marks after the last character that fits are
 * kept with it. */
size_t esc_fit(const char *s, size_t n, size_t cols, size_t *width);

/* JSON strings: ob_jstr in ob.h (the ESC_UTF8 escape, then '"' and '\'). */

#endif
