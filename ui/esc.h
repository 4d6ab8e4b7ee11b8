/* esc.h - escaping untrusted bytes for terminals, text and JSON. */
#ifndef MS_ESC_H
#define MS_ESC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ESC_ELLIPSIS 1      /* end a cut string with "..." */

/* Printable ASCII only: 0x20..0x7e except '\' as is; '\' -> "\\";
 * TAB CR LF -> \t \r \n; everything else -> \xNN. Always NUL-terminates
 * (dstsz > 0) and returns the length it wanted, like snprintf. A cut
 * never splits an escape. */
size_t esc_bytes(char *dst, size_t dstsz, const uint8_t *src, size_t n, int flags);
/* Write escaped bytes to fp. */
void esc_fputs(FILE *fp, const uint8_t *src, size_t n);
/* JSON strings: ob_jstr in ob.h (the same escape, then '"' and '\'). */

#endif
