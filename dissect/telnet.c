/* telnet.c - telnet IAC stripping (RFC 854, 855) and keystroke line
 * editing: what the user meant when they typed into telnet in character
 * mode, where every key, BS and DEL included, travels to the server. */
#include <stdio.h>
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

/* Telnet option codes a client negotiates, with the RFC of each:
 * X(code, "NAME", "RFC"). The names are those of RFC 855's registry
 * (IANA "Telnet Options"). */
#define TN_OPT_LIST(X) \
    X(0, "BINARY", "RFC 856") \
    X(1, "ECHO", "RFC 857") \
    X(3, "SUPPRESS-GO-AHEAD", "RFC 858") \
    X(5, "STATUS", "RFC 859") \
    X(6, "TIMING-MARK", "RFC 860") \
    X(24, "TERMINAL-TYPE", "RFC 1091") \
    X(31, "NAWS", "RFC 1073") \
    X(32, "TERMINAL-SPEED", "RFC 1079") \
    X(33, "TOGGLE-FLOW-CONTROL", "RFC 1372") \
    X(34, "LINEMODE", "RFC 1184") \
    X(35, "X-DISPLAY-LOCATION", "RFC 1096") \
    X(36, "ENVIRON", "RFC 1408") \
    X(37, "AUTHENTICATION", "RFC 2941") \
    X(38, "ENCRYPT", "RFC 2946") \
    X(39, "NEW-ENVIRON", "RFC 1572")

/* "WILL ECHO" and the like as whole strings, so the field getter can
 * hand out static text. Row 0..3: WILL WONT DO DONT, row 4: SB. */
#define TN_OPT_NAME(c, name, rfc) [c] = name,
static const char *const opt_name[256] = { TN_OPT_LIST(TN_OPT_NAME) };
#undef TN_OPT_NAME
#define TN_OPT_RFC(c, name, rfc) [c] = rfc,
static const char *const opt_rfc[256] = { TN_OPT_LIST(TN_OPT_RFC) };
#undef TN_OPT_RFC
#define TNX_W(c, name, rfc) [c] = "WILL " name,
#define TNX_WO(c, name, rfc) [c] = "WONT " name,
#define TNX_D(c, name, rfc) [c] = "DO " name,
#define TNX_DN(c, name, rfc) [c] = "DONT " name,
#define TNX_S(c, name, rfc) [c] = "SB " name,
static const char *const neg_name[5][256] = {
    { TN_OPT_LIST(TNX_W) }, { TN_OPT_LIST(TNX_WO) }, { TN_OPT_LIST(TNX_D) },
    { TN_OPT_LIST(TNX_DN) }, { TN_OPT_LIST(TNX_S) },
};
#undef TNX_W
#undef TNX_WO
#undef TNX_D
#undef TNX_DN
#undef TNX_S
static const char *const neg_unknown[5] = {
    "WILL (unknown option)", "WONT (unknown option)", "DO (unknown option)",
    "DONT (unknown option)", "SB (unknown option)",
};
static const char *const neg_verb[5] = { "WILL", "WONT", "DO", "DONT", "SB" };
/* RFC 854's commands without an option, 241 (NOP) .. 249 (GA) */
static const char *const cmd_name[9] = {
    "NOP", "DM", "BRK", "IP", "AO", "AYT", "EC", "EL", "GA",
};

/* One telnet command at in[i] (in[i] == IAC): its row (0..4 for
 * WILL..SB, 5 for the others), option, and the index after it. */
static size_t
tn_cmd_at(const uint8_t *in, size_t n, size_t i, int *row, int *opt)
{
    uint8_t c;

    *row = -1;
    *opt = -1;
    if (i + 1 >= n)
        return n;
    c = in[i + 1];
    if (c >= TN_WILL && c <= TN_DONT) {
        *row = c - TN_WILL;
        *opt = i + 2 < n ? in[i + 2] : -1;
        return i + 3 < n ? i + 3 : n;
    }
    if (c == TN_SB) {
        size_t k, sb;
        *row = 4;
        *opt = i + 2 < n ? in[i + 2] : -1;
        for (k = i + 2, sb = 0; k < n && sb < LIM_TN_SB; k++, sb++)
            if (in[k] == TN_IAC && k + 1 < n && in[k + 1] == TN_SE)
                return k + 2;
        return k;
    }
    if (c > TN_SE && c < TN_SB) {
        *row = 5;
        *opt = c - TN_SE - 1;
        return i + 2;
    }
    return i + 2;               /* SE alone, IAC IAC: not negotiation */
}

int
tn_negotiation(const uint8_t *in, size_t n, const char **out, int max)
{
    size_t i = 0;
    int k = 0, row, opt;

    while (i < n && k < max) {
        if (in[i] != TN_IAC) {
            i++;
            continue;
        }
        i = tn_cmd_at(in, n, i, &row, &opt);
        if (row < 0 || opt < 0)
            continue;
        if (row == 5)
            out[k++] = cmd_name[opt];
        else
            out[k++] = neg_name[row][opt] ? neg_name[row][opt] : neg_unknown[row];
    }
    return k;
}

size_t
tn_describe(const uint8_t *in, size_t n, char *buf, size_t sz, int rfc)
{
    size_t i = 0, o = 0;
    int k = 0, row, opt;

    if (!sz)
        return 0;
    buf[0] = 0;
    while (i < n && o < sz) {
        if (in[i] != TN_IAC) {
            i++;
            continue;
        }
        i = tn_cmd_at(in, n, i, &row, &opt);
        if (row < 0 || opt < 0)
            continue;
        if (row == 5)
            o += (size_t)snprintf(buf + o, sz - o, "%s%s", k ? ", " : "", cmd_name[opt]);
        else if (opt_name[opt])
            o += (size_t)snprintf(buf + o, sz - o, "%s%s %s%s%s%s", k ? ", " : "",
                                  neg_verb[row], opt_name[opt],
                                  rfc ? " (" : "", rfc ? opt_rfc[opt] : "", rfc ? ")" : "");
        else
            o += (size_t)snprintf(buf + o, sz - o, "%s%s option %d", k ? ", " : "",
                                  neg_verb[row], opt);
        k++;
    }
    if (o >= sz)
        o = sz - 1;
    return k ? o : 0;
}
