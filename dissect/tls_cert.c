/* tls_cert.c - subject and issuer of an X.509 certificate (RFC 5280 4.1)
 * as RFC 4514 strings, read with a bounded DER walker (X.690 8.1) over
 * rd.h: no ASN.1 library, nothing allocated, every length checked. */
#include <string.h>

#include "err.h"
#include "rd.h"
#include "tls_cert.h"

/* RDNs of one name turned into text; a name has a handful. */
#define MAX_RDN 32

struct out {
    uint8_t *p;
    size_t sz, n;
    int cut;
};

static void
put(struct out *o, const void *p, size_t n)
{
    if (o->n + n > o->sz) {
        n = o->sz - o->n;
        o->cut = 1;
    }
    memcpy(o->p + o->n, p, n);
    o->n += n;
}

static void
putc1(struct out *o, uint8_t c)
{
    put(o, &c, 1);
}

/* One TLV: tag, and a reader over its value. Definite lengths only (DER),
 * at most 4 length bytes; high tag numbers do not occur in names. */
static int
tlv(struct rd *r, uint8_t *tag, struct rd *val)
{
    uint8_t t, l, b;
    size_t len = 0;
    int i;

    if (rd_u8(r, &t) || rd_u8(r, &l))
        return ERR_SHORT;
    if ((t & 0x1f) == 0x1f)
        return ERR_UNSUP;
    if (l < 0x80) {
        len = l;
    } else {
        if ((l & 0x7f) == 0 || (l & 0x7f) > 4)
            return ERR_BAD;
        for (i = 0; i < (l & 0x7f); i++) {
            if (rd_u8(r, &b))
                return ERR_SHORT;
            len = len << 8 | b;
        }
    }
    *tag = t;
    return rd_sub(r, val, len);
}

static int
expect(struct rd *r, uint8_t want, struct rd *val)
{
    uint8_t t;
    int rc = tlv(r, &t, val);

    if (rc < 0)
        return rc;
    return t == want ? 0 : ERR_BAD;
}

struct oid_name {
    uint8_t len;
    uint8_t der[10];
    const char *name;
};

/* RFC 4514 3 short names, and the few others certificates carry. */
static const struct oid_name oids[] = {
    { 3, { 0x55, 0x04, 0x03 }, "CN" },
    { 3, { 0x55, 0x04, 0x06 }, "C" },
    { 3, { 0x55, 0x04, 0x07 }, "L" },
    { 3, { 0x55, 0x04, 0x08 }, "ST" },
    { 3, { 0x55, 0x04, 0x09 }, "STREET" },
    { 3, { 0x55, 0x04, 0x0a }, "O" },
    { 3, { 0x55, 0x04, 0x0b }, "OU" },
    { 3, { 0x55, 0x04, 0x05 }, "serialNumber" },
    { 3, { 0x55, 0x04, 0x04 }, "SN" },
    { 3, { 0x55, 0x04, 0x2a }, "GN" },
    { 3, { 0x55, 0x04, 0x0c }, "title" },
    { 3, { 0x55, 0x04, 0x11 }, "postalCode" },
    { 3, { 0x55, 0x04, 0x61 }, "organizationIdentifier" },
    { 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 }, "emailAddress" },
    { 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 }, "DC" },
    { 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01 }, "UID" },
};

static void
put_dec(struct out *o, uint64_t v)
{
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        putc1(o, (uint8_t)tmp[--n]);
}

/* An attribute type: its short name, or dotted decimal (X.690 8.19). */
static void
put_oid(struct out *o, struct rd *r)
{
    size_t n = rd_left(r), i;
    uint64_t v = 0;
    int first = 1;
    uint8_t b;

    for (i = 0; i < sizeof oids / sizeof oids[0]; i++)
        if (oids[i].len == n && !memcmp(rd_cur(r), oids[i].der, n)) {
            put(o, oids[i].name, strlen(oids[i].name));
            return;
        }
    if (!n) {
        putc1(o, '?');
        return;
    }
    while (rd_u8(r, &b) == 0) {
        if (v >> 56) {
            putc1(o, '?');  /* an arc over 2^63: not a real OID */
            return;
        }
        v = v << 7 | (b & 0x7f);
        if (b & 0x80)
            continue;
        if (first) {
            uint64_t x = v < 80 ? v / 40 : 2;
            put_dec(o, x);
            putc1(o, '.');
            put_dec(o, v - x * 40);
            first = 0;
        } else {
            putc1(o, '.');
            put_dec(o, v);
        }
        v = 0;
    }
}

static void
put_hex(struct out *o, const uint8_t *p, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        putc1(o, (uint8_t)hx[p[i] >> 4]);
        putc1(o, (uint8_t)hx[p[i] & 15]);
    }
}

/* A string value with RFC 4514 2.4 escaping. Other bytes (controls, UTF-8)
 * are left as they are: whoever prints them escapes them (esc.c). */
static void
put_str(struct out *o, const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>'
            || c == ';' || (i == 0 && (c == '#' || c == ' ')) || (i == n - 1 && c == ' '))
            putc1(o, '\\');
        putc1(o, c);
    }
}

/* BMPString (UCS-2, big endian) as UTF-8. */
static void
put_bmp(struct out *o, struct rd *r)
{
    uint16_t u;
    uint8_t b[3];

    while (rd_be16(r, &u) == 0) {
        if (u < 0x80) {
            b[0] = (uint8_t)u;
            put_str(o, b, 1);
        } else if (u < 0x800) {
            b[0] = (uint8_t)(0xc0 | u >> 6);
            b[1] = (uint8_t)(0x80 | (u & 0x3f));
            put(o, b, 2);
        } else {
            b[0] = (uint8_t)(0xe0 | u >> 12);
            b[1] = (uint8_t)(0x80 | ((u >> 6) & 0x3f));
            b[2] = (uint8_t)(0x80 | (u & 0x3f));
            put(o, b, 3);
        }
    }
}

/* AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY } */
static int
put_atv(struct out *o, struct rd *atv)
{
    struct rd oid, val;
    const uint8_t *p;
    size_t before, n;
    uint8_t tag;
    int rc;

    if ((rc = expect(atv, 0x06, &oid)) < 0)
        return rc;
    put_oid(o, &oid);
    putc1(o, '=');
    before = atv->off;
    if ((rc = tlv(atv, &tag, &val)) < 0)
        return rc;
    switch (tag) {
    case 0x0c:  /* UTF8String */
    case 0x13:  /* PrintableString */
    case 0x14:  /* TeletexString */
    case 0x16:  /* IA5String */
    case 0x1a:  /* VisibleString */
        rd_rest(&val, &p, &n);
        put_str(o, p, n);
        break;
    case 0x1e:  /* BMPString */
        put_bmp(o, &val);
        break;
    default: {
        /* RFC 4514 2.4: '#' and the hex of the whole BER encoding. */
        struct rd whole;
        rd_init(&whole, atv->p, atv->off);
        rd_skip(&whole, before);
        rd_rest(&whole, &p, &n);
        putc1(o, '#');
        put_hex(o, p, n);
        break;
    }
    }
    return 0;
}

/* Name ::= SEQUENCE OF RelativeDistinguishedName, printed last RDN first
 * (RFC 4514 2.1), the attributes of one RDN joined by '+'. */
static int
put_name(struct out *o, struct rd *name)
{
    struct rd rdn[MAX_RDN];
    int n = 0, i, rc;

    while (rd_left(name)) {
        struct rd set;
        if ((rc = expect(name, 0x31, &set)) < 0)
            return rc;
        if (n == MAX_RDN) {
            o->cut = 1;
            break;
        }
        rdn[n++] = set;
    }
    for (i = n - 1; i >= 0; i--) {
        int first = 1;
        if (i != n - 1)
            putc1(o, ',');
        while (rd_left(&rdn[i])) {
            struct rd atv;
            if ((rc = expect(&rdn[i], 0x30, &atv)) < 0)
                return rc;
            if (!first)
                putc1(o, '+');
            first = 0;
            if ((rc = put_atv(o, &atv)) < 0)
                return rc;
        }
    }
    return 0;
}

int
tls_cert_names(const uint8_t *der, size_t n, struct tls_cert_names *cn)
{
    struct rd r, cert, tbs, issuer, subject, skip;
    struct out so, io;
    uint8_t tag;
    int rc;

    cn->subject_len = cn->issuer_len = 0;
    cn->cut = 0;
    rd_init(&r, der, n);
    /* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
     * signatureValue }; TBSCertificate ::= SEQUENCE { [0] version
     * OPTIONAL, serialNumber, signature, issuer, validity, subject, ... } */
    if ((rc = expect(&r, 0x30, &cert)) < 0 || (rc = expect(&cert, 0x30, &tbs)) < 0)
        return rc;
    if ((rc = tlv(&tbs, &tag, &skip)) < 0)
        return rc;
    if (tag == 0xa0 && (rc = tlv(&tbs, &tag, &skip)) < 0)
        return rc;
    if (tag != 0x02)
        return ERR_BAD;
    if ((rc = expect(&tbs, 0x30, &skip)) < 0
        || (rc = expect(&tbs, 0x30, &issuer)) < 0
        || (rc = expect(&tbs, 0x30, &skip)) < 0
        || (rc = expect(&tbs, 0x30, &subject)) < 0)
        return rc;
    so.p = cn->subject;
    so.sz = sizeof cn->subject;
    so.n = 0;
    so.cut = 0;
    io.p = cn->issuer;
    io.sz = sizeof cn->issuer;
    io.n = 0;
    io.cut = 0;
    if ((rc = put_name(&so, &subject)) < 0 || (rc = put_name(&io, &issuer)) < 0)
        return rc;
    cn->subject_len = so.n;
    cn->issuer_len = io.n;
    cn->cut = so.cut || io.cut;
    return 0;
}
