/* test_store.c - the view's record store packs records and gives them
 * back field for field; at the memory cap it drops the oldest. */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../dissect/mem.h"
#include "../../dissect/proto.h"
#include "../../dissect/record.h"

#define S(x) ((struct rec_str){ (const uint8_t *)(x), (uint32_t)strlen(x) })

static int
same_str(struct rec_str a, struct rec_str b)
{
    return a.n == b.n && (!a.n || !memcmp(a.p, b.p, a.n));
}

static void
fill(struct rec *r, int i, struct rec_mark *marks)
{
    static char text[64];

    memset(r, 0, sizeof *r);
    snprintf(text, sizeof text, "PASS secret%d", i);
    r->pkt = 1000000000ull + (uint64_t)i * 7;
    r->pkt_first = r->pkt - 14;
    r->ts.sec = 1700000000 + i;
    r->ts.nsec = 123456789;
    r->ts_first.sec = 1700000000 + i - 1;
    r->ts_first.nsec = 5;
    r->flow = (uint32_t)(i % 5);
    r->src.family = r->dst.family = 4;
    r->src.addr[0] = 10;
    r->src.addr[3] = (uint8_t)(i % 5);
    r->dst.addr[0] = 192;
    r->src.port = (uint16_t)(40000 + i % 5);
    r->dst.port = 110;
    r->dir = DIR_C2S;
    r->proto = PROTO_POP;
    r->kind = i % 3 ? REC_CMD : REC_CRED;
    r->flags = REC_F_CRED | ANOM_F(ANOM_EDITED);
    r->code = (uint16_t)i;
    r->nseg = 15;
    r->len = 16;
    r->size = (uint64_t)i << 33;
    r->lines = 3;
    memcpy(r->verb, "PASS", 5);
    r->text = (struct rec_str){ (const uint8_t *)text, (uint32_t)strlen(text) };
    r->arg = S("secret");
    r->typed = S("PASS secrex\bt1");
    r->raw = S("PASS secrex\bt1\r\n");
    r->nmarks = 3;
    marks[0] = (struct rec_mark){ r->pkt_first, 0, { 0, 0 } };
    marks[1] = (struct rec_mark){ r->pkt_first + 2, 1, { 0, 0 } };
    marks[2] = (struct rec_mark){ r->pkt, 15, { 0, 0 } };
    r->marks = marks;
    r->secret_off = 5;
    r->imf[IMF_SUBJECT] = S("Hello");
    r->cred.mech = AUTH_USERPASS;
    r->cred.result = CRED_REJECTED;
    r->cred.secret_kind = SECRET_PASSWORD;
    r->cred.user = S("user1");
    r->cred.secret = S("secret1");
    r->cred.secret_typed = S("secrex\bt1");
    r->cred.reply = S("-ERR [AUTH] Authentication failed.");
    r->cred.user_pkt = r->pkt - 10;
    r->cred.secret_pkt = r->pkt - 2;
}

static int
same(const struct rec *a, const struct rec *b)
{
    int ok = a->pkt == b->pkt && a->pkt_first == b->pkt_first
        && a->ts.sec == b->ts.sec && a->ts.nsec == b->ts.nsec
        && a->ts_first.sec == b->ts_first.sec && a->ts_first.nsec == b->ts_first.nsec
        && a->flow == b->flow && !memcmp(&a->src, &b->src, sizeof a->src)
        && !memcmp(&a->dst, &b->dst, sizeof a->dst) && a->proto == b->proto
        && a->kind == b->kind && a->dir == b->dir && a->flags == b->flags
        && a->code == b->code && a->nseg == b->nseg && a->len == b->len
        && a->size == b->size && a->lines == b->lines && !strcmp(a->verb, b->verb)
        && same_str(a->text, b->text) && same_str(a->arg, b->arg)
        && same_str(a->typed, b->typed) && same_str(a->raw, b->raw)
        && a->nmarks == b->nmarks && a->secret_off == b->secret_off
        && same_str(a->imf[IMF_SUBJECT], b->imf[IMF_SUBJECT])
        && same_str(a->imf[IMF_FROM], b->imf[IMF_FROM])
        && a->cred.mech == b->cred.mech && a->cred.result == b->cred.result
        && a->cred.secret_kind == b->cred.secret_kind
        && same_str(a->cred.user, b->cred.user) && same_str(a->cred.secret, b->cred.secret)
        && same_str(a->cred.secret_typed, b->cred.secret_typed)
        && same_str(a->cred.reply, b->cred.reply)
        && a->cred.user_pkt == b->cred.user_pkt && a->cred.secret_pkt == b->cred.secret_pkt;
    int i;

    for (i = 0; ok && i < a->nmarks; i++)
        ok = a->marks[i].pkt == b->marks[i].pkt && a->marks[i].off == b->marks[i].off;
    return ok;
}

int
main(void)
{
    struct rec_store *s = rec_store_new();
    struct rec r, back;
    struct rec_mark marks[3];
    int i, bad = 0;
    size_t n;

    for (i = 0; i < 1000; i++) {
        fill(&r, i, marks);
        T_INT(rec_store_add(s, &r), 0);
    }
    T_INT(rec_store_count(s), 1000);
    for (i = 0; i < 1000; i++) {
        fill(&r, i, marks);
        if (rec_store_get(s, (size_t)i, &back) < 0 || !same(&r, &back))
            bad++;
    }
    T_INT(bad, 0);
    T_INT(rec_store_get(s, 1000, &back), -1);
    rec_store_free(s);

    /* At the cap the oldest chunk goes; what stays reads back intact. */
    mem_set_cap(3u << 20);
    s = rec_store_new();
    for (i = 0; i < 40000; i++) {
        fill(&r, i, marks);
        rec_store_add(s, &r);
    }
    n = rec_store_count(s);
    T_CHECK(rec_store_dropped(s) > 0);
    T_INT(n + rec_store_dropped(s), 40000);
    bad = 0;
    for (i = 0; i < (int)n; i++) {
        fill(&r, (int)rec_store_dropped(s) + i, marks);
        if (rec_store_get(s, (size_t)i, &back) < 0 || !same(&r, &back))
            bad++;
    }
    T_INT(bad, 0);
    rec_store_free(s);
    return T_DONE();
}
