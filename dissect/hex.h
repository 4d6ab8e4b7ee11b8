/* hex.h - the value of one hexadecimal digit, for the parsers that read
 * hex (key logs, RFC 2047 Q encoding, filter escapes). */
#ifndef MS_HEX_H
#define MS_HEX_H

#include <stdint.h>

/* 0-15, or -1 when c is not a hex digit. */
static inline int
hex_val(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
