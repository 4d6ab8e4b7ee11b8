/* telnet.h - IAC stripping and keystroke line editing. */
#ifndef MS_TELNET_H
#define MS_TELNET_H

#include <stddef.h>
#include <stdint.h>

/* Apply what a terminal's line editor would: in a telnet connection
 * (telnet != 0) IAC commands are removed (IAC IAC is a literal 0xff);
 * elsewhere 0xff is data, as a normal client sends it. BS and DEL erase
 * one character, ^U erases the line, a trailing CR NUL or CR is dropped.
 * Writes at most outsz bytes to out and returns the edited length.
 * *flags gets ANOM_TELNET_IAC / ANOM_EDITED bits when they applied. */
size_t tn_edit(const uint8_t *in, size_t n, uint8_t *out, size_t outsz,
               int telnet, uint64_t *flags);

/* Quick test: could tn_edit change this line? */
int tn_needs_edit(const uint8_t *in, size_t n, int telnet);

/* Does a client line begin with a telnet command (IAC WILL/WONT/DO/DONT/
 * SB ...)? Such a line is what a telnet client sends when it negotiates:
 * from then on the connection is telnet. A normal client's 0xff inside
 * a line is data. */
int tn_is_negotiation(const uint8_t *in, size_t n);

#endif
