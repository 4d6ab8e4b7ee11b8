/* telnet.h - IAC stripping and keystroke line editing. */
#ifndef MS_TELNET_H
#define MS_TELNET_H

#include <stddef.h>
#include <stdint.h>

/* Apply what a terminal's line editor would: telnet IAC commands are
 * removed (IAC IAC is a literal 0xff), BS and DEL erase one character,
 * ^U erases the line, a trailing CR NUL or CR is dropped. Writes at most
 * outsz bytes to out and returns the edited length. *flags gets
 * ANOM_TELNET_IAC / ANOM_EDITED bits when they applied. */
size_t tn_edit(const uint8_t *in, size_t n, uint8_t *out, size_t outsz,
               uint64_t *flags);

/* Quick test: could tn_edit change this line? */
int tn_needs_edit(const uint8_t *in, size_t n);

#endif
