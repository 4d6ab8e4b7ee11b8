/* fuzz_filter.c - libFuzzer target: display filter compile, dump, error
 * printing, field-name completion at every column, and matching against
 * a few fixed records. The input is the filter text (cut at its first
 * NUL, as a C string would be). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dissect/filter.h"
#include "../dissect/proto.h"
#include "../dissect/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NREC 4

static struct rec recs[NREC];

static void
fail(const char *what, size_t a, size_t b)
{
    fprintf(stderr, "\nfuzz property failed: %s (%zu, %zu)\n", what, a, b);
    abort();
}

static void
set_str(struct rec_str *s, const char *t, size_t n)
{
    s->p = (const uint8_t *)t;
    s->n = (uint32_t)n;
}

static void
ep4(struct rec_ep *e, uint8_t last, uint16_t port)
{
    memset(e, 0, sizeof *e);
    e->family = 4;
    e->addr[0] = 192;
    e->addr[1] = 0;
    e->addr[2] = 2;
    e->addr[3] = last;
    e->port = port;
}

static void
setup(void)
{
    static const char auth[] = "AUTH PLAIN AHVzZXIxAHNlY3JldDE=";
    static const char ehlo[] = "250-mx.example.org\n250-PIPELINING\n250 AUTH PLAIN LOGIN";
    static const char nul[] = "USER a\0b\x1b]0;x\x07";
    struct rec *r;

    r = &recs[0];
    r->pkt = r->pkt_first = 4;
    r->ts.sec = r->ts_first.sec = 1700000000;
    r->flow = 0;
    ep4(&r->src, 1, 40000);
    ep4(&r->dst, 2, 25);
    r->proto = PROTO_SMTP;
    r->kind = REC_CMD;
    r->dir = DIR_C2S;
    r->flags = REC_F_CRED;
    memcpy(r->verb, "AUTH", 5);
    set_str(&r->text, auth, sizeof auth - 1);
    set_str(&r->arg, auth + 5, sizeof auth - 6);
    r->len = (uint32_t)sizeof auth + 1;
    r->nseg = 1;

    r = &recs[1];
    *r = recs[0];
    r->pkt = r->pkt_first = 3;
    r->kind = REC_REPLY;
    r->dir = DIR_S2C;
    r->flags = 0;
    ep4(&r->src, 2, 25);
    ep4(&r->dst, 1, 40000);
    r->code = 250;
    memcpy(r->verb, "250", 4);
    set_str(&r->text, ehlo, sizeof ehlo - 1);
    set_str(&r->arg, ehlo + 4, 14);
    r->lines = 3;

    r = &recs[2];
    *r = recs[0];
    r->pkt = 6;
    r->kind = REC_CRED;
    r->flags = REC_F_CRED | (ANOM_F(ANOM_GAP));
    r->cred.mech = AUTH_PLAIN;
    r->cred.result = CRED_ACCEPTED;
    r->cred.secret_kind = SECRET_PASSWORD;
    set_str(&r->cred.user, "user1", 5);
    set_str(&r->cred.secret, "secret1", 7);
    set_str(&r->cred.reply, "235 ok", 6);
    r->cred.user_pkt = r->cred.secret_pkt = 4;

    r = &recs[3];
    memset(r, 0, sizeof *r);
    r->pkt = r->pkt_first = 9;
    r->ts.sec = 1700000100;
    r->ts.nsec = 123456789;
    r->flow = 7;
    r->src.family = r->dst.family = 6;
    r->src.addr[0] = 0x20;
    r->src.addr[1] = 0x01;
    r->src.addr[15] = 1;
    r->dst.addr[15] = 1;
    r->src.port = 51000;
    r->dst.port = 110;
    r->proto = PROTO_POP;
    r->kind = REC_CMD;
    r->flags = ANOM_F(ANOM_NUL_BYTE);
    memcpy(r->verb, "USER", 5);
    set_str(&r->text, nul, sizeof nul - 1);
    set_str(&r->arg, nul + 5, sizeof nul - 6);
    set_str(&r->imf[IMF_SUBJECT], "hi", 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static char sink[1 << 16];
    char *text, comp[64], dump[256];
    struct flt_err fe;
    struct flt *f;
    size_t len, col, k, want;
    FILE *fp;
    int i;

    if (!ready) {
        setup();
        ready = 1;
    }
    text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = 0;
    len = strlen(text);

    memset(&fe, 0, sizeof fe);
    f = flt_compile(text, &fe);
    if (!f) {
        if (fe.col < 0 || (size_t)fe.col > len)
            fail("error column outside the text", (size_t)fe.col, len);
        if (!memchr(fe.msg, 0, sizeof fe.msg))
            fail("error message not terminated", 0, 0);
        fp = fmemopen(sink, sizeof sink, "w");
        if (!fp)
            abort();
        flt_err_print(fp, text, &fe);
        fclose(fp);
    } else {
        for (i = 0; i < NREC; i++) {
            int m = flt_match(f, &recs[i]);
            if (m != 0 && m != 1)
                fail("flt_match not 0 or 1", (size_t)m, (size_t)i);
        }
        want = flt_dump(f, dump, sizeof dump);
        if (strlen(dump) >= sizeof dump || (want < sizeof dump && strlen(dump) != want))
            fail("flt_dump length", strlen(dump), want);
        want = flt_dump(f, NULL, 0);
        flt_free(f);
    }
    /* NULL matches everything. */
    if (flt_match(NULL, &recs[0]) != 1)
        fail("NULL filter does not match", 0, 0);

    for (col = 0; col <= len; col++) {
        comp[0] = 'X';
        k = flt_complete(text, col, comp, sizeof comp);
        (void)k;
        if (!memchr(comp, 0, sizeof comp))
            fail("flt_complete output not terminated", col, 0);
        /* A tiny buffer still gets a terminator. */
        comp[0] = 'X';
        comp[1] = 'X';
        flt_complete(text, col, comp, 1);
        if (comp[0] != 0 || comp[1] != 'X')
            fail("flt_complete wrote past outsz 1", col, 1);
        flt_complete(text, col, comp, 0);
    }
    free(text);
    return 0;
}
