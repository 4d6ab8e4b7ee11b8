/* esc.c - the one escaper every byte from the network goes through on
 * its way to a terminal or a file. Output is printable ASCII, so width
 * equals byte count and no escape sequence can reach a terminal. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "esc.h"
#include "ob.h"

static const char hex[] = "0123456789abcdef";

/* Escape one byte into out (up to 4 chars); returns its length. */
static size_t
esc1(uint8_t c, char *out)
{
    if (c >= 0x20 && c < 0x7f && c != '\\') {
        out[0] = (char)c;
        return 1;
    }
    out[0] = '\\';
    switch (c) {
    case '\\': out[1] = '\\'; return 2;
    case '\t': out[1] = 't'; return 2;
    case '\r': out[1] = 'r'; return 2;
    case '\n': out[1] = 'n'; return 2;
    }
    out[1] = 'x';
    out[2] = hex[c >> 4];
    out[3] = hex[c & 15];
    return 4;
}

size_t
esc_bytes(char *dst, size_t dstsz, const uint8_t *src, size_t n, int flags)
{
    size_t i, o = 0, want = 0, k, room;
    char e[4];
    int cut = 0;

    if (!dstsz)
        dst = NULL;
    room = dstsz ? dstsz - 1 : 0;
    for (i = 0; i < n; i++) {
        k = esc1(src[i], e);
        want += k;
        if (!cut && o + k <= room) {
            memcpy(dst + o, e, k);
            o += k;
        } else {
            cut = 1;
        }
    }
    if (cut && (flags & ESC_ELLIPSIS) && room >= 3) {
        /* Back off whole escapes until "..." fits. */
        while (o + 3 > room) {
            size_t j = o;
            /* find the start of the last escape: scan from a safe point */
            size_t s = 0, last = 0;
            while (s < j) {
                last = s;
                if (dst[s] == '\\')
                    s += dst[s + 1] == 'x' ? 4 : 2;
                else
                    s++;
            }
            o = last;
        }
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    if (dst)
        dst[o] = 0;
    return want;
}

void
esc_fputs(FILE *fp, const uint8_t *src, size_t n)
{
    char buf[1024];
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        if (o + 4 > sizeof buf) {
            fwrite(buf, 1, o, fp);
            o = 0;
        }
        o += esc1(src[i], buf + o);
    }
    fwrite(buf, 1, o, fp);
}

void
esc_json(FILE *fp, const uint8_t *src, size_t n)
{
    char buf[1024], e[4];
    size_t i, o = 0, k, j;

    for (i = 0; i < n; i++) {
        k = esc1(src[i], e);
        if (o + 2 * k > sizeof buf) {
            fwrite(buf, 1, o, fp);
            o = 0;
        }
        for (j = 0; j < k; j++) {
            /* The escaped text is ASCII; JSON needs " and \ escaped. */
            if (e[j] == '"' || e[j] == '\\')
                buf[o++] = '\\';
            buf[o++] = e[j];
        }
    }
    fwrite(buf, 1, o, fp);
}

void
esc_json_cstr(FILE *fp, const char *s)
{
    esc_json(fp, (const uint8_t *)s, strlen(s));
}

struct ob ob;

void
ob_flush(void)
{
    const char *p = ob.buf;
    size_t n = ob.n;
    ssize_t w;

    ob.n = 0;
    if (!n || !ob.fp)
        return;
    /* Straight to the descriptor: stdio would copy every byte once more.
     * Whatever stdio still holds goes first, to keep the order. */
    fflush(ob.fp);
    while (n) {
        w = write(fileno(ob.fp), p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            ob.err = 1;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

/* Bytes that go into a JSON string as themselves: a table, since
 * ob_json looks at every byte of every string. */
#define JP(c) ((c) >= 0x20 && (c) < 0x7f && (c) != '"' && (c) != '\\')
#define JP4(b) JP(b), JP((b) + 1), JP((b) + 2), JP((b) + 3)
#define JP16(b) JP4(b), JP4((b) + 4), JP4((b) + 8), JP4((b) + 12)
#define JP64(b) JP16(b), JP16((b) + 16), JP16((b) + 32), JP16((b) + 48)
static const uint8_t json_plain[256] = { JP64(0), JP64(64), JP64(128), JP64(192) };

void
ob_json(const uint8_t *src, size_t n)
{
    char e[4], *o;
    size_t i, k, j, run;

    /* An escaped, JSON-escaped byte takes at most 5 characters. */
    while (n) {
        size_t chunk = n < OB_SIZE / 8 ? n : OB_SIZE / 8;
        o = ob_room(chunk * 5);
        for (i = 0; i < chunk; ) {
            for (run = i; run < chunk && json_plain[src[run]]; run++)
                ;
            if (run > i) {
                memcpy(o, src + i, run - i);
                o += run - i;
                i = run;
                continue;
            }
            k = esc1(src[i++], e);
            for (j = 0; j < k; j++) {
                if (e[j] == '"' || e[j] == '\\')
                    *o++ = '\\';
                *o++ = e[j];
            }
        }
        ob.n = (size_t)(o - ob.buf);
        src += chunk;
        n -= chunk;
    }
}
