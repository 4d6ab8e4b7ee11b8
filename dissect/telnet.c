/* telnet.c - telnet IAC stripping (RFC 854, 855) and keystroke line
 * editing: what the user meant when they typed into telnet in character
 * mode, where every key, BS and DEL included, travels to the server. */
#include <string.h>

#include "anom.h"
#include "limits.h"
#include "telnet.h"

#define TN_IAC  255
#define TN_DONT 254
#define TN_DO   253
#define TN_WONT 252
#define TN_WILL 251
#define TN_SB   250
#define TN_SE   240

/* The bytes tn_edit acts on: BS, DEL, ^U, NUL (CR NUL), and IAC in a
 * telnet connection ([1]). */
static const uint8_t edit_byte_[2][256] = {
    { [0x00] = 1, [0x08] = 1, [0x15] = 1, [0x7f] = 1 },
    { [0x00] = 1, [0x08] = 1, [0x15] = 1, [0x7f] = 1, [TN_IAC] = 1 },
};

int
tn_is_negotiation(const uint8_t *in, size_t n)
{
    return n >= 2 && in[0] == TN_IAC && in[1] >= TN_SE && in[1] < TN_IAC;
}

int
tn_needs_edit(const uint8_t *in, size_t n, int telnet)
{
    const uint8_t *end = in + n;
    const uint8_t *edit_byte = edit_byte_[telnet != 0];

    /* every client line comes through here: four bytes per test */
    for (; end - in >= 4; in += 4)
        if (edit_byte[in[0]] | edit_byte[in[1]] | edit_byte[in[2]] | edit_byte[in[3]])
            return 1;
    for (; in < end; in++)
        if (edit_byte[*in])
            return 1;
    return 0;
}

size_t
tn_edit(const uint8_t *in, size_t n, uint8_t *out, size_t outsz, int telnet,
        uint64_t *flags)
{
    size_t i = 0, o = 0, sb = 0;
    int iac = 0, edited = 0;

    while (i < n) {
        uint8_t c = in[i++];
        if (c == TN_IAC && telnet) {
            iac = 1;
            if (i >= n)
                break;
            c = in[i++];
            if (c == TN_IAC) {
                /* IAC IAC: a literal 0xff data byte. */
                if (o < outsz)
                    out[o++] = TN_IAC;
                continue;
            }
            if (c >= TN_WILL && c <= TN_DONT) {
                i++;            /* option byte */
                continue;
            }
            if (c == TN_SB) {
                /* Skip to IAC SE; cap the walk so junk cannot stall us. */
                for (sb = 0; i < n && sb < LIM_TN_SB; i++, sb++)
                    if (in[i] == TN_IAC && i + 1 < n && in[i + 1] == TN_SE) {
                        i += 2;
                        break;
                    }
                continue;
            }
            continue;           /* NOP, GA, AYT, ... */
        }
        if (c == 0x08 || c == 0x7f) {
            edited = 1;
            if (o)
                o--;
            continue;
        }
        if (c == 0x15) {        /* ^U: kill the line */
            edited = 1;
            o = 0;
            continue;
        }
        if (c == 0 && o && out[o - 1] == '\r') {
            /* CR NUL is a bare carriage return (RFC 854). */
            continue;
        }
        if (o < outsz)
            out[o++] = c;
    }
    /* CR NUL at the end is the Enter key, not text. */
    while (o && (out[o - 1] == '\r'))
        o--;
    if (iac)
        *flags |= anom_hit(ANOM_TELNET_IAC);
    if (edited)
        *flags |= anom_hit(ANOM_EDITED);
    return o;
}
