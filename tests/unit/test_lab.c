/* test_lab.c - the lab companion's pieces that a golden file cannot
 * reach: the report's escapers on hostile bytes, the statistics' bounds
 * (tables full, latency past the exact cap) and their percentiles. */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../dissect/proto.h"
#include "../../ui/labrep.h"
#include "../../ui/zstat.h"

static void
test_escapers(void)
{
    char b[512];
    size_t n;

    n = lr_md_code(b, sizeof b, (const uint8_t *)"a|b", 3, 1);
    T_BYTES(b, n, "`a\\|b`");
    n = lr_md_code(b, sizeof b, (const uint8_t *)"a|b", 3, 0);
    T_BYTES(b, n, "`a|b`");
    /* a backtick inside: a longer fence, padded */
    n = lr_md_code(b, sizeof b, (const uint8_t *)"`x``", 4, 0);
    T_BYTES(b, n, "``` `x`` ```");
    /* control bytes escaped before anything else */
    n = lr_md_code(b, sizeof b, (const uint8_t *)"\x1b[2J\r\n", 6, 0);
    T_BYTES(b, n, "`\\x1b[2J\\r\\n`");
    n = lr_md_code(b, sizeof b, (const uint8_t *)"", 0, 0);
    T_BYTES(b, n, "*(empty)*");
    n = lr_html(b, sizeof b, (const uint8_t *)"<a href='x'>&\"</a>", 18);
    T_BYTES(b, n, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    /* bidi override escaped by esc_bytes, U+FFFE (not XML) by the report */
    n = lr_html(b, sizeof b, (const uint8_t *)"\xe2\x80\xae" "x\xef\xbf\xbe" "y\xc3\xa9", 10);
    T_BYTES(b, n, "\\u202ex\\ufffey\xc3\xa9");
    /* a cut never leaves half an entity */
    n = lr_html(b, 12, (const uint8_t *)"<<<<<<", 6);
    T_CHECK(n < 12 && (n % 4) == 0);
}

static struct rec
reply(uint32_t flow, const char *verb, unsigned code, uint32_t lat_us, uint64_t pkt)
{
    struct rec r;

    memset(&r, 0, sizeof r);
    r.kind = REC_REPLY;
    r.dir = DIR_S2C;
    r.flow = flow;
    r.proto = 1;
    r.code = (uint16_t)code;
    snprintf(r.verb, sizeof r.verb, "%u", code);
    snprintf(r.req_verb, sizeof r.req_verb, "%s", verb);
    r.pkt = pkt;
    r.req_pkt = pkt - 1;
    r.req_ts.sec = 100;
    r.ts.sec = 100 + lat_us / 1000000;
    r.ts.nsec = (lat_us % 1000000) * 1000;
    r.src.family = r.dst.family = 4;
    r.src.port = 25;
    r.dst.port = 40000;
    return r;
}

static void
test_stats(void)
{
    struct zstat *z = zstat_new();
    struct rec r;
    char *out = NULL;
    size_t outn = 0, i;
    FILE *m;
    const struct zsess *s;

    /* 100 replies to NOOP at 1..100 ms: exact nearest-rank figures */
    for (i = 1; i <= 100; i++) {
        r = reply(0, "NOOP", 250, (uint32_t)i * 1000, 2 * i + 1);
        zstat_add(z, &r);
    }
    /* 5000 replies to RSET: past the exact cap, sampled */
    for (i = 1; i <= 5000; i++) {
        r = reply(1, "RSET", 250, 7000, 10000 + i);
        zstat_add(z, &r);
    }
    /* 300 distinct users: 256 kept, the rest under "(other)" */
    for (i = 0; i < 300; i++) {
        char u[16];
        memset(&r, 0, sizeof r);
        r.kind = REC_CRED;
        r.flow = 2;
        r.proto = 1;
        r.cred.mech = AUTH_PLAIN;
        r.cred.result = i % 2 ? CRED_REJECTED : CRED_ACCEPTED;
        snprintf(u, sizeof u, "u%zu", i);
        r.cred.user.p = (const uint8_t *)u;
        r.cred.user.n = (uint32_t)strlen(u);
        zstat_add(z, &r);
    }
    /* a real file: the JSON printer writes to the descriptor */
    m = tmpfile();
    T_CHECK(m != NULL);
    if (!m)
        return;
    zstat_print_proto(m, z, 1, 1);
    outn = (size_t)ftell(m);
    out = calloc(1, outn + 1);
    rewind(m);
    T_CHECK(out && fread(out, 1, outn, m) == outn);
    fclose(m);
    if (!out)
        return;
    T_CHECK(strstr(out, "{\"command\":\"NOOP\",\"n\":100,\"min\":1.000,"
                        "\"median\":50.000,\"p95\":95.000,\"max\":100.000,"
                        "\"exact\":true}") != NULL);
    T_CHECK(strstr(out, "{\"command\":\"RSET\",\"n\":5000,\"min\":7.000,"
                        "\"median\":7.000,\"p95\":7.000,\"max\":7.000,"
                        "\"exact\":false}") != NULL);
    T_CHECK(strstr(out, "{\"mech\":\"PLAIN\",\"attempts\":300,\"accepted\":150,"
                        "\"rejected\":150,\"unknown\":0}") != NULL);
    T_CHECK(strstr(out, "{\"user\":\"u255\",") != NULL);
    T_CHECK(strstr(out, "\"u256\"") == NULL);
    free(out);
    T_INT(zstat_nsessions(z), 3);
    s = zstat_find(z, 2);
    T_CHECK(s && s->logins == 300 && s->login_ok == 150);
    T_CHECK(zstat_find(z, 3) == NULL);
    zstat_free(z);
}

int
main(void)
{
    test_escapers();
    test_stats();
    return T_DONE();
}
