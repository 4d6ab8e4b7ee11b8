/* fmt.c - addresses, times and the Info column, shared by the text
 * printer and the ncurses view so both say the same thing. */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "../dissect/telnet.h"
#include "esc.h"
#include "fmt.h"
#include "ob.h"
#include "../dissect/tls.h"

/* "0.".."255.", each in 4 bytes, for dotted quads: an octet is one
 * 4-byte copy and 2 + (>= 10) + (>= 100) bytes. */
#define D1(n) #n "."
#define D10(t) D1(t##0), D1(t##1), D1(t##2), D1(t##3), D1(t##4), D1(t##5), \
    D1(t##6), D1(t##7), D1(t##8), D1(t##9)
static const char dec[256][4] = {
    "0.", "1.", "2.", "3.", "4.", "5.", "6.", "7.", "8.", "9.",
    D10(1), D10(2), D10(3), D10(4), D10(5), D10(6), D10(7), D10(8), D10(9),
    D10(10), D10(11), D10(12), D10(13), D10(14), D10(15), D10(16), D10(17),
    D10(18), D10(19), D10(20), D10(21), D10(22), D10(23), D10(24),
    "250.", "251.", "252.", "253.", "254.", "255.",
};
#undef D10
#undef D1

size_t
fmt_addr(const struct rec_ep *e, char *buf, size_t sz)
{
    /* IPv4 by hand: inet_ntop goes through sprintf, and the JSON printer
     * formats two addresses per record. */
    if (e->family == 4 && sz >= 16) {
        char *o = buf;
        int i;
        for (i = 0; i < 4; i++) {
            uint8_t a = e->addr[i];
            memcpy(o, dec[a], 4);
            o += 2 + (a >= 10) + (a >= 100);
        }
        o[-1] = 0;
        return (size_t)(o - 1 - buf);
    }
    if (!sz)
        return 0;
    if (!inet_ntop(e->family == 6 ? AF_INET6 : AF_INET, e->addr, buf, (socklen_t)sz))
        snprintf(buf, sz, "?");
    return strlen(buf);
}

char *
fmt_put_frac(char *o, uint32_t nsec, int prec)
{
    uint32_t fr, hi;
    int k;

    if (prec != 9) {
        /* microseconds, six digits: pairs without a division (ob.h).
         * A bad nsec (a pcapng block can say anything) keeps its low
         * six digits, as the loop below would. */
        fr = nsec / 1000 % 1000000;
        hi = ob_div1e4(fr);
        ob_d2put(o, hi);
        ob_put_4d(o + 2, fr - hi * 10000);
        return o + 6;
    }
    /* fixed width, two digits at a time */
    fr = nsec;
    o[8] = (char)('0' + fr % 10);
    fr /= 10;
    for (k = 6; k >= 0; k -= 2) {
        memcpy(o + k, ob_d2 + 2 * (fr % 100), 2);
        fr /= 100;
    }
    return o + 9;
}

/* t[0..n) into buf (sz bytes), cut to fit, NUL-terminated. */
static size_t
put_cut(char *buf, size_t sz, const char *t, size_t n)
{
    if (!sz)
        return 0;
    if (n >= sz)
        n = sz - 1;
    memcpy(buf, t, n);
    buf[n] = 0;
    return n;
}

size_t
fmt_endpoint(const struct rec_ep *e, char *buf, size_t sz)
{
    char t[80], *o = t;

    if (e->family == 6)
        *o++ = '[';
    o += fmt_addr(e, o, 64);
    if (e->family == 6)
        *o++ = ']';
    *o++ = ':';
    o = ob_put_u64(o, e->port);
    return put_cut(buf, sz, t, (size_t)(o - t));
}

/* "[-]S.FFFFFF" (or nine fraction digits) by hand: the credentials
 * report and the text table format one time a row, and snprintf was
 * most of a row's cost. */
static void
secfrac(char *buf, size_t sz, int neg, uint64_t s, uint32_t nsec, int prec)
{
    char t[48], *o = t;

    if (neg)
        *o++ = '-';
    o = ob_put_u64(o, s);
    *o++ = '.';
    o = fmt_put_frac(o, nsec, prec);
    put_cut(buf, sz, t, (size_t)(o - t));
}

void
fmt_time(const struct ms_time *t, int mode, const struct ms_time *prev,
         const struct rec_clock *clk, char *buf, size_t sz)
{
    static const struct rec_clock none = { { 0, 0 }, 0, 6 };
    char f[16];
    struct tm tm;
    time_t s = (time_t)t->sec;
    int64_t ds;
    int64_t dn;
    const struct ms_time *base;
    int prec;

    if (!clk)
        clk = &none;
    base = mode == TF_DELTA ? prev : &clk->t0;
    prec = clk->prec;

    switch (mode) {
    case TF_REL:
    case TF_DELTA:
        /* Captures can go back in time (merged files, bad clocks): show
         * a negative offset as tshark does, sign first. */
        ds = ms_sec_sub(t->sec, base->sec);
        dn = (int64_t)t->nsec - base->nsec;
        if (ds < 0 || (ds == 0 && dn < 0)) {
            ds = -ds;
            dn = -dn;
        }
        if (dn < 0) {
            dn += 1000000000;
            ds--;
        }
        secfrac(buf, sz, t->sec < base->sec
                || (t->sec == base->sec && t->nsec < base->nsec),
                (uint64_t)ds, (uint32_t)dn, prec);
        return;
    case TF_EPOCH:
        secfrac(buf, sz, t->sec < 0, t->sec < 0 ? -(uint64_t)t->sec : (uint64_t)t->sec,
                t->nsec, prec);
        return;
    case TF_UTC:
    case TF_UTC_DATE:
        gmtime_r(&s, &tm);
        break;
    default:
        localtime_r(&s, &tm);
        break;
    }
    *fmt_put_frac(f, t->nsec, prec) = 0;
    if (mode == TF_ABS_DATE || mode == TF_UTC_DATE)
        snprintf(buf, sz, "%04d-%02d-%02d %02d:%02d:%02d.%s", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, f);
    else
        snprintf(buf, sz, "%02d:%02d:%02d.%s", tm.tm_hour, tm.tm_min, tm.tm_sec, f);
}

const char *
fmt_proto(const struct rec *r)
{
    /* TLS whose application protocol is not known (--detect, no key) */
    if (r->kind == REC_TLS && !proto_get(r->proto))
        return "TLS";
    return proto_label(r->proto);
}

int
fmt_is_error(const struct rec *r)
{
    const struct proto_ops *P;

    if (r->kind != REC_REPLY)
        return r->kind == REC_CRED && r->cred.result == CRED_REJECTED;
    P = proto_get(r->proto);
    return P && P->is_error(r);
}

/* Append escaped bytes; keeps the buffer terminated. */
static size_t
add_esc(char *buf, size_t sz, size_t o, const uint8_t *p, size_t n, int flags)
{
    if (o >= sz)
        return o;
    esc_bytes(buf + o, sz - o, p, n, flags);
    return o + strlen(buf + o);
}

#define add(buf, sz, o, p, n) add_esc((buf), (sz), (o), (p), (n), escf)

/* Our own text: printable ASCII, escaped only to be sure. */
static size_t
addf(char *buf, size_t sz, size_t o, const char *s)
{
    return add_esc(buf, sz, o, (const uint8_t *)s, strlen(s), 0);
}

/* First line of a multi-line text. */
static size_t
first_line(const struct rec_str *s)
{
    const uint8_t *nl = s->n ? memchr(s->p, '\n', s->n) : NULL;
    return nl ? (size_t)(nl - s->p) : s->n;
}

/* The 2-byte big-endian values of a TLS list field. */
static unsigned
be16_at(const struct rec_str *s, size_t i)
{
    return (unsigned)s->p[2 * i] << 8 | s->p[2 * i + 1];
}

/* A TLS record's Info: the handshake step as s_client and Wireshark name
 * it, or a run of records not decrypted. */
static size_t
tls_info(const struct rec *r, char *buf, size_t sz, size_t o, int escf)
{
    const struct rec_tls *t = &r->tls;
    char tmp[160];
    size_t i, k;

    if (r->flags & ANOM_F(ANOM_TLS_BAD_RECORD)) {
        o = addf(buf, sz, o, "[TLS, bad record: ");
        o = add(buf, sz, o, t->reason.p, t->reason.n);
        return addf(buf, sz, o, "; decryption stops]");
    }
    if (t->alert_level) {
        snprintf(tmp, sizeof tmp, "Alert (%s): %s",
                 tls_alert_level_name(t->alert_level), tls_alert_name(t->alert_desc));
        return addf(buf, sz, o, tmp);
    }
    switch (t->hs_type) {
    case 1:
        o = addf(buf, sz, o, "Client Hello");
        if (t->sni.n) {
            o = addf(buf, sz, o, " (SNI=");
            o = add(buf, sz, o, t->sni.p, t->sni.n);
            o = addf(buf, sz, o, ")");
        }
        /* what it offers: versions (TLS 1.3's list, else the hello's) */
        o = addf(buf, sz, o, " ");
        if (t->versions.n >= 2) {
            for (i = 0; i < t->versions.n / 2; i++) {
                const char *v = tls_version_name((uint16_t)be16_at(&t->versions, i));
                if (!strncmp(v, "Reserved", 8))
                    continue;   /* GREASE */
                o = addf(buf, sz, o, i ? (o && buf[o - 1] == ' ' ? "" : ", ") : "");
                o = addf(buf, sz, o, v);
            }
        } else {
            o = addf(buf, sz, o, tls_version_name(t->legacy_version));
        }
        for (i = k = 0; t->alpn.n && i < t->alpn.n; i += 1 + t->alpn.p[i], k++) {
            size_t n = t->alpn.p[i];
            if (i + 1 + n > t->alpn.n)
                break;
            o = addf(buf, sz, o, k ? "," : ", ALPN ");
            o = add(buf, sz, o, t->alpn.p + i + 1, n);
        }
        snprintf(tmp, sizeof tmp, ", %u suites", (unsigned)(t->suites.n / 2));
        return addf(buf, sz, o, tmp);
    case 2:
        snprintf(tmp, sizeof tmp, "%s: %s, %s%s",
                 !strcmp(r->verb, "HelloRetry") ? "Hello Retry Request" : "Server Hello",
                 tls_version_name(t->version ? t->version : t->legacy_version),
                 tls_suite_name(t->suite), t->resumed ? ", resumed" : "");
        return addf(buf, sz, o, tmp);
    case 11:
        if (!t->ncerts)
            return addf(buf, sz, o, "Certificate: none");  /* a client without one */
        o = addf(buf, sz, o, "Certificate: ");
        o = add(buf, sz, o, t->subject.p, t->subject.n);
        if (t->issuer.n) {
            o = addf(buf, sz, o, " (issuer ");
            o = add(buf, sz, o, t->issuer.p, t->issuer.n);
            o = addf(buf, sz, o, ")");
        }
        if (t->ncerts > 1) {
            snprintf(tmp, sizeof tmp, ", %u certificates", (unsigned)t->ncerts);
            o = addf(buf, sz, o, tmp);
        }
        return o;
    case 24:
        return addf(buf, sz, o, "Key Update");
    default:
        break;
    }
    snprintf(tmp, sizeof tmp, "[TLS, encrypted, %llu bytes", (unsigned long long)r->size);
    o = addf(buf, sz, o, tmp);
    if (t->reason.n) {
        o = addf(buf, sz, o, ", ");
        o = add(buf, sz, o, t->reason.p, t->reason.n);
    }
    return addf(buf, sz, o, "]");
}

size_t
fmt_info(const struct rec *r, char *buf, size_t sz)
{
    return fmt_info_esc(r, buf, sz, 0);
}

size_t
fmt_info_esc(const struct rec *r, char *buf, size_t sz, int escf)
{
    char tmp[128];
    size_t o = 0, fl;

    buf[0] = 0;
    o = addf(buf, sz, o, r->dir == DIR_C2S ? "C: " : "S: ");
    switch (r->kind) {
    case REC_CMD:
    case REC_AUTH:
        o = add(buf, sz, o, r->text.p, r->text.n);
        if (r->dir == DIR_C2S && r->typed.n && (r->flags & ANOM_F(ANOM_TELNET_IAC))
            && tn_describe(r->typed.p, r->typed.n, tmp, sizeof tmp, 0)) {
            /* A telnet client's option requests (RFC 854, 855) before
             * the first key: no text, but the server got the bytes as a
             * line and answers it (an error, as a rule). */
            o = addf(buf, sz, o, r->text.n ? " [telnet negotiation: " : "telnet negotiation: ");
            o = addf(buf, sz, o, tmp);
            o = addf(buf, sz, o, r->text.n ? "]" : " (the server got these bytes as a line)");
        }
        if (r->cred.user.n || (r->flags & REC_F_CRED)) {
            o = addf(buf, sz, o, " [");
            if (r->cred.user.n) {
                o = addf(buf, sz, o, "user: ");
                o = add(buf, sz, o, r->cred.user.p, r->cred.user.n);
            }
            if (r->flags & REC_F_CRED) {
                if (r->cred.user.n)
                    o = addf(buf, sz, o, ", ");
                o = addf(buf, sz, o, secret_kind_name(r->cred.secret_kind));
                o = addf(buf, sz, o, ": ");
                o = add(buf, sz, o, r->cred.secret.p, r->cred.secret.n);
            }
            o = addf(buf, sz, o, "]");
        }
        if (r->typed.n) {
            o = addf(buf, sz, o, " [typed: ");
            o = add(buf, sz, o, r->typed.p, r->typed.n);
            o = addf(buf, sz, o, "]");
        }
        if (r->nseg > 1 && r->dir == DIR_C2S) {
            snprintf(tmp, sizeof tmp, " [%u segments]", (unsigned)r->nseg);
            o = addf(buf, sz, o, tmp);
        }
        break;
    case REC_REPLY:
        fl = first_line(&r->text);
        o = add(buf, sz, o, r->text.p, fl);
        if (r->lines > 1) {
            snprintf(tmp, sizeof tmp, " [+%u lines]", (unsigned)r->lines - 1);
            o = addf(buf, sz, o, tmp);
        }
        break;
    case REC_BODY:
        snprintf(tmp, sizeof tmp, "[%s message, %llu bytes, %u lines]",
                 r->verb, (unsigned long long)r->size, (unsigned)r->lines);
        o = addf(buf, sz, o, tmp);
        if (r->imf[IMF_FROM].n) {
            o = addf(buf, sz, o, " From: ");
            o = add(buf, sz, o, r->imf[IMF_FROM].p, r->imf[IMF_FROM].n);
        }
        if (r->imf[IMF_SUBJECT].n) {
            o = addf(buf, sz, o, " Subject: ");
            o = add(buf, sz, o, r->imf[IMF_SUBJECT].p, r->imf[IMF_SUBJECT].n);
        }
        break;
    case REC_TLS:
        o = tls_info(r, buf, sz, o, escf);
        break;
    case REC_DATA:
        snprintf(tmp, sizeof tmp, "[not mail, %llu bytes] ", (unsigned long long)r->size);
        o = addf(buf, sz, o, tmp);
        o = add(buf, sz, o, r->text.p, r->text.n);
        break;
    case REC_NOTE: {
        /* a gap, or bytes not decoded (IMAP COMPRESS): the verb names it */
        char label[16];
        size_t i;
        for (i = 0; i + 1 < sizeof label && i < sizeof r->verb && r->verb[i]; i++)
            label[i] = (char)(r->verb[i] >= 'A' && r->verb[i] <= 'Z' ? r->verb[i] + 32 : r->verb[i]);
        label[i] = 0;
        snprintf(tmp, sizeof tmp, "[%s: %llu ", label[0] ? label : "gap",
                 (unsigned long long)r->size);
        o = addf(buf, sz, o, tmp);
        o = add(buf, sz, o, r->text.p, r->text.n);
        o = addf(buf, sz, o, "]");
        break;
    }
    case REC_CRED:
        o = addf(buf, sz, o, "[credentials ");
        o = addf(buf, sz, o, r->cred.mech == AUTH_OTHER ? "" : auth_mech_name(r->cred.mech));
        if (r->cred.mech == AUTH_OTHER)
            o = add(buf, sz, o, r->cred.mech_name.p, r->cred.mech_name.n);
        o = addf(buf, sz, o, "] user: ");
        o = add(buf, sz, o, r->cred.user.p, r->cred.user.n);
        if (r->cred.secret.n || (r->flags & REC_F_CRED)) {
            o = addf(buf, sz, o, ", ");
            o = addf(buf, sz, o, secret_kind_name(r->cred.secret_kind));
            o = addf(buf, sz, o, ": ");
            o = add(buf, sz, o, r->cred.secret.p, r->cred.secret.n);
        }
        if (r->cred.secret_typed.n) {
            o = addf(buf, sz, o, " (typed: ");
            o = add(buf, sz, o, r->cred.secret_typed.p, r->cred.secret_typed.n);
            o = addf(buf, sz, o, ")");
        }
        o = addf(buf, sz, o, " -> ");
        o = addf(buf, sz, o, cred_result_name(r->cred.result));
        if (r->cred.reply.n) {
            o = addf(buf, sz, o, " (");
            o = add(buf, sz, o, r->cred.reply.p, r->cred.reply.n);
            o = addf(buf, sz, o, ")");
        }
        break;
    }
    return o;
}
