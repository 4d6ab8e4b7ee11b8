/* mime.c - RFC 2047 encoded words (with the RFC 2231 language suffix) in
 * header text, decoded to UTF-8 through the C library's iconv: no tables
 * of our own, every charset iconv knows. */
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "b64.h"
#include "err.h"
#include "mime.h"
#include "hex.h"

/* iconv_open loads a gconv module and builds tables: tens of
 * microseconds, against a few for a word. Mail uses a handful of
 * charsets, so a few descriptors (and the names iconv refused) are kept,
 * the least recently used replaced. */
#define MIME_ICONV_CACHE 8

/* Decoded bytes of adjacent words in one charset converted together (a
 * character may be split between words). RFC 2047 words are at most 75
 * characters; a word whose text alone decodes to more is left raw. */
#define MIME_RUN_MAX 4096

static struct mime_cd {
    char name[MIME_CHARSET_MAX + 1];    /* lower-case; "" = free slot */
    iconv_t cd;                         /* (iconv_t)-1: iconv refused it */
    unsigned long used;
} mime_cache[MIME_ICONV_CACHE];
static unsigned long mime_clock;

/* A descriptor converting name (n bytes, checked by mime_word) to UTF-8,
 * or (iconv_t)-1 when iconv does not know it. */
static iconv_t
mime_iconv(const uint8_t *name, size_t n)
{
    char key[MIME_CHARSET_MAX + 1];
    struct mime_cd *c, *victim = &mime_cache[0];
    size_t i;

    for (i = 0; i < n; i++)
        key[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
    key[n] = 0;
    for (i = 0; i < MIME_ICONV_CACHE; i++) {
        c = &mime_cache[i];
        if (c->name[0] && !strcmp(c->name, key)) {
            c->used = ++mime_clock;
            return c->cd;
        }
        if (!c->name[0] || (victim->name[0] && c->used < victim->used))
            victim = c;
    }
    if (victim->name[0] && victim->cd != (iconv_t)-1)
        iconv_close(victim->cd);
    memcpy(victim->name, key, n + 1);
    victim->cd = iconv_open("UTF-8", key);
    victim->used = ++mime_clock;
    return victim->cd;
}

void
mime_cache_clear(void)
{
    size_t i;

    for (i = 0; i < MIME_ICONV_CACHE; i++) {
        if (mime_cache[i].name[0] && mime_cache[i].cd != (iconv_t)-1)
            iconv_close(mime_cache[i].cd);
        mime_cache[i].name[0] = 0;
    }
}

/* One encoded word: input offsets. */
struct mime_word {
    size_t start, end;      /* "=?" .. past "?=" */
    size_t cs, csn;         /* charset, without "*language" */
    size_t tx, txn;         /* encoded text */
    int q;                  /* Q encoding, else B */
};

/* Charset names are RFC 2978 mime-charset tokens; a '/' or anything else
 * iconv_open would read as an option ("UTF-8//IGNORE") is refused. */
static int
mime_cs_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == ':' || c == '+';
}

/* Is there an encoded word at in[i] ("=?" already seen)? 1 with *w
 * filled; 0 when "=?" does not start one (no charset token and '?': the
 * text is literal); -1 when it starts one that is malformed (charset too
 * long, bad encoding letter, unterminated, a space or control inside). */
static int
mime_word(const uint8_t *in, size_t n, size_t i, struct mime_word *w)
{
    size_t j = i + 2, k, star = 0;

    while (j < n && (mime_cs_char(in[j]) || in[j] == '*')) {
        if (in[j] == '*' && !star)
            star = j;
        j++;
    }
    if (j >= n || in[j] != '?' || j == i + 2)
        return 0;
    w->start = i;
    w->cs = i + 2;
    w->csn = (star ? star : j) - w->cs;
    if (w->csn == 0 || w->csn > MIME_CHARSET_MAX)
        return -1;
    if (j + 2 >= n || in[j + 2] != '?')
        return -1;
    switch (in[j + 1]) {
    case 'B': case 'b': w->q = 0; break;
    case 'Q': case 'q': w->q = 1; break;
    default: return -1;
    }
    w->tx = k = j + 3;
    while (k < n && in[k] != '?' && in[k] > 0x20 && in[k] < 0x7f)
        k++;
    if (k + 1 >= n || in[k] != '?' || in[k + 1] != '=')
        return -1;
    w->txn = k - w->tx;
    w->end = k + 2;
    return 1;
}

/* The bytes a word's text stands for, appended at out (room bytes);
 * returns their count or -1 (bad base64 or Q, or no room). */
static long
mime_payload(const uint8_t *in, const struct mime_word *w, uint8_t *out, size_t room)
{
    const uint8_t *s = in + w->tx;
    size_t i, o = 0;
    long r;

    if (!w->q) {
        /* Every 4 characters are 3 bytes: refuse rather than cut. */
        if (w->txn / 4 * 3 + 3 > room)
            return -1;
        r = b64_decode(s, w->txn, out, room);
        return r;
    }
    for (i = 0; i < w->txn; i++) {
        int hi, lo;
        if (o >= room)
            return -1;
        if (s[i] == '_') {
            out[o++] = ' ';
        } else if (s[i] != '=') {
            out[o++] = s[i];
        } else {
            if (i + 2 >= w->txn)
                return -1;
            hi = hex_val(s[i + 1]);
            lo = hex_val(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            out[o++] = (uint8_t)(hi << 4 | lo);
            i += 2;
        }
    }
    return (long)o;
}

/* Output state. */
struct mime_out {
    uint8_t *p;
    size_t sz, n;
    unsigned flags;
};

/* Copy raw bytes; 0, or -1 once the output is full (MIME_CUT). */
static int
mime_put(struct mime_out *o, const uint8_t *s, size_t k)
{
    size_t room = o->sz - o->n;

    if (k > room) {
        if (room)
            memcpy(o->p + o->n, s, room);
        o->n = o->sz;
        o->flags |= MIME_CUT;
        return -1;
    }
    if (k)
        memcpy(o->p + o->n, s, k);
    o->n += k;
    return 0;
}

/* Convert k decoded bytes in charset cs to UTF-8 at the output: 1 done,
 * 0 not convertible (output unchanged), -1 output full (what fitted
 * kept, whole characters only). */
static int
mime_conv(struct mime_out *o, const uint8_t *in, const struct mime_word *w,
          uint8_t *buf, size_t k)
{
    iconv_t cd = mime_iconv(in + w->cs, w->csn);
    char *ip = (char *)buf, *op, none;
    size_t il = k, ol, r;

    if (cd == (iconv_t)-1) {
        o->flags |= MIME_BAD_CHARSET;
        return 0;
    }
    iconv(cd, NULL, NULL, NULL, NULL);
    /* No output buffer (outsz 0): iconv still says whether anything
     * would have been written. */
    op = o->p ? (char *)o->p + o->n : &none;
    ol = o->sz - o->n;
    r = iconv(cd, &ip, &il, &op, &ol);
    if (r != (size_t)-1)
        r = iconv(cd, NULL, NULL, &op, &ol);    /* end a stateful encoding */
    if (r == (size_t)-1 && errno == E2BIG) {
        /* Cut, but only if the rest converts too: a word with invalid
         * bytes is copied raw whatever the room, so a cut output stays a
         * prefix of the whole. The rest goes to a scratch buffer. */
        char tmp[256], *tp;
        size_t tl;
        do {
            tp = tmp;
            tl = sizeof tmp;
            r = iconv(cd, &ip, &il, &tp, &tl);
        } while (r == (size_t)-1 && errno == E2BIG && tp != tmp);
        if (r == (size_t)-1 && errno != E2BIG)
            return 0;
        if (o->p)
            o->n = (size_t)((uint8_t *)op - o->p);
        o->flags |= MIME_CUT;
        return -1;
    }
    if (r == (size_t)-1)
        return 0;       /* EILSEQ, EINVAL: bytes invalid in the charset */
    if (o->p)
        o->n = (size_t)((uint8_t *)op - o->p);
    return 1;
}

static uint8_t
mime_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static int
mime_same_cs(const uint8_t *in, const struct mime_word *a, const struct mime_word *b)
{
    size_t i;

    if (a->csn != b->csn)
        return 0;
    for (i = 0; i < a->csn; i++)
        if (mime_lower(in[a->cs + i]) != mime_lower(in[b->cs + i]))
            return 0;
    return 1;
}

static int
mime_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Words in one chain: white space only between them. */
#define MIME_CHAIN 64

/* Emit words w[a..b) (one charset) of a chain. The white space before
 * w[a] (if a > 0) is dropped when the word before it and this group both
 * decode (*prev_ok), else copied; ws_done: it was copied already. If the
 * group does not convert as a whole, each word is tried alone; a word
 * that fails is copied raw. 0, or -1 when the output is full. */
static int
mime_group(struct mime_out *o, const uint8_t *in, const struct mime_word *w,
           size_t a, size_t b, int *prev_ok, int ws_done)
{
    uint8_t buf[MIME_RUN_MAX];
    size_t used = 0, j, mark;
    long r;
    int ok = 0;

    if (a && !*prev_ok && !ws_done) {
        if (mime_put(o, in + w[a - 1].end, w[a].start - w[a - 1].end) < 0)
            return -1;
        ws_done = 1;
    }
    for (j = a; j < b; j++) {
        r = mime_payload(in, &w[j], buf + used, sizeof buf - used);
        if (r < 0)
            break;
        used += (size_t)r;
    }
    if (j == b) {
        ok = mime_conv(o, in, &w[a], buf, used);
        if (ok < 0)
            return -1;
    }
    if (ok) {
        o->flags |= MIME_DECODED;
        *prev_ok = 1;
        return 0;
    }
    if (b - a > 1) {
        for (j = a; j < b; j++)
            if (mime_group(o, in, w, j, j + 1, prev_ok, j == a && ws_done) < 0)
                return -1;
        return 0;
    }
    o->flags |= MIME_BAD_WORD;
    if (a && !ws_done && mime_put(o, in + w[a - 1].end, w[a].start - w[a - 1].end) < 0)
        return -1;
    *prev_ok = 0;
    mark = w[a].end - w[a].start;
    return mime_put(o, in + w[a].start, mark);
}

int
mime_decode_header(const uint8_t *in, size_t n, uint8_t *out, size_t outsz,
                   size_t *outn, unsigned *flags)
{
    struct mime_word w[MIME_CHAIN];
    struct mime_out o;
    size_t i = 0, lit = 0, k, a, b, j;
    int r, prev_ok, stop = 0;

    if (outn)
        *outn = 0;
    if (flags)
        *flags = 0;
    if (!out && outsz)
        return ERR_BAD;
    o.p = out;
    o.sz = outsz;
    o.n = 0;
    o.flags = 0;
    if (!in)
        n = 0;
    while (!stop && i + 1 < n) {
        if (in[i] != '=' || in[i + 1] != '?') {
            i++;
            continue;
        }
        r = mime_word(in, n, i, &w[0]);
        if (r <= 0) {
            /* Not a word, or a malformed one: left raw, scanning goes on
             * after the "=?". */
            if (r < 0)
                o.flags |= MIME_BAD_WORD;
            i += 2;
            continue;
        }
        if (mime_put(&o, in + lit, i - lit) < 0)
            break;
        /* The chain: further words with only white space before each. */
        for (k = 1; k < MIME_CHAIN; k++) {
            j = w[k - 1].end;
            while (j < n && mime_ws(in[j]))
                j++;
            if (j + 1 >= n || in[j] != '=' || in[j + 1] != '?' ||
                mime_word(in, n, j, &w[k]) != 1)
                break;
        }
        prev_ok = 0;
        for (a = 0; a < k && !stop; a = b) {
            for (b = a + 1; b < k && mime_same_cs(in, &w[a], &w[b]); b++)
                ;
            stop = mime_group(&o, in, w, a, b, &prev_ok, 0) < 0;
        }
        i = lit = w[k - 1].end;
    }
    if (!stop && !(o.flags & MIME_CUT))
        mime_put(&o, in + lit, n - lit);
    if (outn)
        *outn = o.n;
    if (flags)
        *flags = o.flags;
    return 0;
}
