/* test_filter.c - display filter: lex, parse, check, evaluate, complete,
 * error printing, and random-input robustness.
 *
 * Includes filter.c to reach its static stages, so build it WITHOUT
 * dissect/filter.c:
 *   cc ... -Idissect -Itests/unit tests/unit/test_filter.c dissect/field.c \
 *       dissect/record.c dissect/anom.c (and what record.c needs)
 */
#include "filter.c"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"

/* ---- helpers ---- */

/* Token kinds of text as a string of letters, for compact checks. */
static const char *
lex_kinds(const char *text)
{
    static char buf[256];
    static const char letter[] = {
        [TK_END] = '$', [TK_WORD] = 'w', [TK_STR] = 's', [TK_RAWSTR] = 'r',
        [TK_LPAREN] = '(', [TK_RPAREN] = ')', [TK_LBRACE] = '{',
        [TK_RBRACE] = '}', [TK_COMMA] = ',', [TK_DOTDOT] = ':',
        [TK_EQ] = '=', [TK_NE] = '!', [TK_LT] = '<', [TK_GT] = '>',
        [TK_LE] = 'l', [TK_GE] = 'g', [TK_CONTAINS] = 'c', [TK_MATCHES] = 'm',
        [TK_IN] = 'i', [TK_NOT] = 'N', [TK_AND] = 'A', [TK_OR] = 'O',
        [TK_SLICE] = 'S', [TK_ANY] = 'Q', [TK_ALL] = 'Q', [TK_ALLEQ] = '=',
        [TK_ANYNE] = '!',
    };
    struct flt_tok tok[256];
    struct flt_err err;
    int n, i;

    n = flt_lex(text, (int)strlen(text), tok, &err);
    if (n < 0) {
        snprintf(buf, sizeof buf, "ERR %d %s", err.col, err.msg);
        return buf;
    }
    for (i = 0; i < n && i < 255; i++)
        buf[i] = letter[tok[i].kind];
    buf[i] = 0;
    return buf;
}

/* Parse only (no registry): the tree, or "ERR col msg". */
static const char *
parse_dump(const char *text)
{
    static char buf[512];
    struct flt_err err;
    struct flt *f = flt_build(text, &err, 0);

    if (f == NULL) {
        snprintf(buf, sizeof buf, "ERR %d %s", err.col, err.msg);
        return buf;
    }
    flt_dump(f, buf, sizeof buf);
    flt_free(f);
    return buf;
}

/* Full compile: "ok" or "ERR col msg". */
static const char *
compile_err(const char *text)
{
    static char buf[300];
    struct flt_err err;
    struct flt *f = flt_compile(text, &err);

    if (f != NULL) {
        flt_free(f);
        return "ok";
    }
    snprintf(buf, sizeof buf, "ERR %d %s", err.col, err.msg);
    return buf;
}

/* 1/0 for a match, -1 if the filter does not compile. */
static int
match(const char *text, const struct rec *r)
{
    struct flt_err err;
    struct flt *f = flt_compile(text, &err);
    int m;

    if (f == NULL) {
        fprintf(stderr, "compile \"%s\": %d %s\n", text, err.col, err.msg);
        return -1;
    }
    m = flt_match(f, r);
    flt_free(f);
    return m;
}

static void
set_ep(struct rec_ep *e, int family, const char *addr, uint16_t port)
{
    memset(e, 0, sizeof *e);
    e->family = (uint8_t)family;
    inet_pton(family == 4 ? AF_INET : AF_INET6, addr, e->addr);
    e->port = port;
}

static void
set_str(struct rec_str *s, const char *v)
{
    s->p = (const uint8_t *)v;
    s->n = (uint32_t)strlen(v);
}

/* Client command "AUTH PLAIN dXNlcjE..." on 10.1.2.3:40000 -> 10.9.9.9:25. */
static void
rec_smtp_cmd(struct rec *r)
{
    memset(r, 0, sizeof *r);
    r->pkt = 7;
    r->ts.sec = 1700000000;
    r->ts.nsec = 500000000;
    r->flow = 3;
    set_ep(&r->src, 4, "10.1.2.3", 40000);
    set_ep(&r->dst, 4, "10.9.9.9", 25);
    r->proto = PROTO_SMTP;
    r->kind = REC_CMD;
    r->dir = DIR_C2S;
    memcpy(r->verb, "AUTH", 5);
    set_str(&r->arg, "PLAIN dXNlcjEAdXNlcjEAc2VjcmV0MQ==");
    set_str(&r->text, "AUTH PLAIN dXNlcjEAdXNlcjEAc2VjcmV0MQ==");
}

/* Multi-line EHLO reply, server -> client. */
static void
rec_smtp_reply(struct rec *r)
{
    memset(r, 0, sizeof *r);
    r->pkt = 5;
    r->ts.sec = 1700000000;
    r->ts.nsec = 250000000;
    r->flow = 3;
    set_ep(&r->src, 4, "10.9.9.9", 25);
    set_ep(&r->dst, 4, "10.1.2.3", 40000);
    r->proto = PROTO_SMTP;
    r->kind = REC_REPLY;
    r->dir = DIR_S2C;
    r->code = 250;
    memcpy(r->verb, "250", 4);
    set_str(&r->text, "250-mail.example.test\n250-PIPELINING\n"
        "250-AUTH PLAIN LOGIN\n250 8BITMIME");
}

/* POP3 "USER user1" over IPv6 ::1 port 50000 -> 110 after a gap, edited
 * while typed, with a NUL and a high byte in its credential (raw bytes
 * are compared raw). */
static const char pop_user[] = "us\0er\xe9";

static void
rec_pop_cmd(struct rec *r)
{
    memset(r, 0, sizeof *r);
    r->pkt = 12;
    r->ts.sec = 1700000001;
    r->flow = 4;
    set_ep(&r->src, 6, "::1", 50000);
    set_ep(&r->dst, 6, "2001:db8::25", 110);
    r->proto = PROTO_POP;
    r->kind = REC_CMD;
    r->dir = DIR_C2S;
    r->flags = (ANOM_F(ANOM_GAP)) | (ANOM_F(ANOM_EDITED));
    memcpy(r->verb, "USER", 5);
    set_str(&r->arg, "user1");
    set_str(&r->text, "USER user1");
    r->cred.user.p = (const uint8_t *)pop_user;
    r->cred.user.n = sizeof pop_user - 1;
}

/* ---- lex ---- */

static void
test_lex(void)
{
    struct flt_tok tok[64];
    struct flt_err err;
    int n;

#define LEX(in, want) do { const char *g_ = lex_kinds(in); \
    T_BYTES(g_, strlen(g_), want); } while (0)
    LEX("", "$");
    LEX("smtp", "w$");
    LEX("smtp.req.command == \"AUTH\"", "w=s$");
    LEX("a eq 1 ne 2 lt 3 gt 4 le 5 ge 6", "w=w!w<w>wlwgw$");
    LEX("a==1!=2<3>4<=5>=6", "w=w!w<w>wlwgw$");
    LEX("not a and b or c", "NwAwOw$");
    LEX("NOT a AND b Or c", "NwAwOw$");
    LEX("!a&&b||c", "NwAwOw$");
    LEX("a contains \"x\" && b matches \"y\" || c ~ \"z\"", "wcsAwmsOwms$");
    LEX("tcp.port in {25 110,587 500..599}", "wi{ww,ww:w}$");
    LEX("t in {1.5..2.25}", "wi{w:w}$");
    LEX("ip.addr == 10.0.0.0/8", "w=w$");
    LEX("ipv6.addr == ::1 or ipv6.addr == fe80::1/64", "w=wOw=w$");
    LEX("a ~ r\"\\d+\\\"x\"", "wmr$");
    LEX("(a)", "(w)$");
    LEX("android", "w$");             /* keyword prefix is still a word */
    LEX("in_x", "w$");
    LEX("x == \"a\\\"b\\\\c\\n\\t\\x41\\101\"", "w=s$");
    /* positions */
    n = flt_lex("  smtp   ==  \"x\" ", 17, tok, &err);
    T_INT(n, 4);
    T_INT(tok[0].pos, 2);
    T_INT(tok[0].len, 4);
    T_INT(tok[1].pos, 9);
    T_INT(tok[1].len, 2);
    T_INT(tok[2].pos, 13);
    T_INT(tok[2].len, 3);
    T_INT(tok[3].kind, TK_END);
    T_INT(tok[3].pos, 17);     /* one past the last token, at most len */
    n = flt_lex("a  ", 3, tok, &err);
    T_INT(tok[1].pos, 2);
    n = flt_lex("a ==", 4, tok, &err);
    T_INT(tok[n - 1].pos, 4);
    /* errors */
    LEX("a == \"abc", "ERR 5 unterminated string");
    LEX("a == \"abc\\\"", "ERR 5 unterminated string");
    LEX("a == r\"abc", "ERR 5 unterminated string");
    LEX("a == \"a\\qb\"", "ERR 7 invalid escape \"\\q\"");
    LEX("a == \"\\x4\"", "ERR 6 \"\\x\" needs two hex digits");
    LEX("a == \"\\777\"", "ERR 6 octal escape out of range");
    LEX("a = 1", "ERR 2 unexpected \"=\" (use \"==\")");
    LEX("a & b", "ERR 2 unexpected \"&\" (use \"&&\" or \"and\")");
    LEX("a | b", "ERR 2 unexpected \"|\" (use \"||\" or \"or\")");
    LEX("a $ b", "ERR 2 unexpected \"$\"");
    LEX("a \xc3\xa9", "ERR 2 unexpected byte 0xc3");
    LEX("a . b", "ERR 2 unexpected \".\"");
#undef LEX
}

/* ---- values ---- */

static void
test_values(void)
{
    uint64_t u = 0;
    struct ms_time t;
    struct flt_val v;

    T_INT(flt_parse_u64("25", 2, &u), 0);
    T_INT(u, 25);
    T_INT(flt_parse_u64("0x19", 4, &u), 0);
    T_INT(u, 25);
    T_INT(flt_parse_u64("0XfF", 4, &u), 0);
    T_INT(u, 255);
    T_INT(flt_parse_u64("18446744073709551615", 20, &u), 0);
    T_CHECK(u == UINT64_MAX);
    T_INT(flt_parse_u64("18446744073709551616", 20, &u), -2);
    T_INT(flt_parse_u64("0x10000000000000000", 19, &u), -2);
    T_INT(flt_parse_u64("0x", 2, &u), -1);
    T_INT(flt_parse_u64("12a", 3, &u), -1);
    T_INT(flt_parse_u64("1.5", 3, &u), -1);
    T_INT(flt_parse_u64("", 0, &u), -1);

    T_INT(flt_parse_time("1.5", 3, &t), 0);
    T_INT(t.sec, 1);
    T_INT(t.nsec, 500000000);
    T_INT(flt_parse_time("0.000000001999", 14, &t), 0);
    T_INT(t.sec, 0);
    T_INT(t.nsec, 1);
    T_INT(flt_parse_time("42", 2, &t), 0);
    T_INT(t.sec, 42);
    T_INT(t.nsec, 0);
    T_INT(flt_parse_time("1.", 2, &t), 0);
    T_INT(flt_parse_time(".", 1, &t), -1);
    T_INT(flt_parse_time("1.2.3", 5, &t), -1);
    T_INT(flt_parse_time("99999999999999999999", 20, &t), -2);

    T_INT(flt_parse_addr("10.0.0.1", 8, &v), 0);
    T_INT(v.family, 4);
    T_INT(v.prefix, 32);
    T_INT(v.cidr, 0);
    T_INT(v.a[0], 10);
    T_INT(v.a[3], 1);
    T_INT(flt_parse_addr("10.0.0.0/8", 10, &v), 0);
    T_INT(v.prefix, 8);
    T_INT(v.cidr, 1);
    T_INT(flt_parse_addr("::1", 3, &v), 0);
    T_INT(v.family, 6);
    T_INT(v.a[15], 1);
    T_INT(flt_parse_addr("2001:db8::/32", 13, &v), 0);
    T_INT(v.prefix, 32);
    T_INT(flt_parse_addr("10.0.0.0/33", 11, &v), -2);
    T_INT(flt_parse_addr("10.0.0.0/", 9, &v), -2);
    T_INT(flt_parse_addr("10.0.0.0/1x", 11, &v), -2);
    T_INT(flt_parse_addr("::/129", 6, &v), -2);
    T_INT(flt_parse_addr("10.0.0", 6, &v), -1);
    T_INT(flt_parse_addr("/8", 2, &v), -1);
    T_INT(flt_parse_addr("smtp", 4, &v), -1);

    /* regex cost guard */
    T_INT(flt_re_too_big("^(MAIL|RCPT) [A-Z]{2,8}"), 0);
    T_INT(flt_re_too_big("a{255}{255}"), 0);
    T_INT(flt_re_too_big("a{1000}{1000}"), 1);
    T_INT(flt_re_too_big("x{32767}{32767}"), 1);
    T_INT(flt_re_too_big("\\{99999}[{99999}]"), 0);
    T_INT(flt_re_too_big("a{9999999999999999999999}"), 1);
}

/* ---- parse ---- */

static void
test_parse(void)
{
#define P(in, want) do { const char *g_ = parse_dump(in); \
    T_BYTES(g_, strlen(g_), want); } while (0)
    P("", "(all)");
    P("   ", "(all)");
    P("smtp", "smtp");
    P("smtp.req.command == \"AUTH\"", "(== smtp.req.command \"AUTH\")");
    P("a eq 1", "(== a 1)");
    P("a ne 1", "(!= a 1)");
    P("a ~ \"x\"", "(matches a \"x\")");
    /* not > and > or */
    P("a or b and c", "(or a (and b c))");
    P("a and b or c", "(or (and a b) c)");
    P("a and b or c and d", "(or (and a b) (and c d))");
    P("not a and b", "(and (not a) b)");
    P("not a or not b", "(or (not a) (not b))");
    P("!a && b || c", "(or (and (not a) b) c)");
    P("not not a", "(not (not a))");
    P("a or b or c or d", "(or a b c d)");
    P("a and b and c", "(and a b c)");
    P("(a or b) and c", "(and (or a b) c)");
    P("not (a or b)", "(not (or a b))");
    P("!x == 1", "(not (== x 1))");
    P("((a))", "a");
    P("a in {25 110,587 500..599}", "(in a {25 110 587 500..599})");
    P("a in {\"x\", \"y\"}", "(in a {\"x\" \"y\"})");
    P("a && b and c || d or e", "(or (and a b c) d e)");
    /* errors */
    P("smtp and", "ERR 8 expected a field after \"and\"");
    P("smtp or ", "ERR 8 expected a field after \"or\"");
    P("not", "ERR 3 expected a field after \"not\"");
    P("(", "ERR 1 expected a field after \"(\"");
    P("a ==", "ERR 4 expected a value after \"==\"");
    P("a == ", "ERR 5 expected a value after \"==\"");
    P("a contains", "ERR 10 expected a value after \"contains\"");
    P("a == )", "ERR 5 expected a value after \"==\"");
    P("a == b == c", "ERR 7 unexpected \"==\"");
    P(")", "ERR 0 unexpected \")\"");
    P("a)", "ERR 1 unexpected \")\"");
    P("(a", "ERR 0 unmatched \"(\"");
    P("(a b)", "ERR 3 unexpected \"b\"");
    P("a b", "ERR 2 unexpected \"b\"");
    P("\"x\"", "ERR 0 the left side of a comparison must be a field or function");
    P("== 1", "ERR 0 unexpected \"==\"");
    P("a and or b", "ERR 6 unexpected \"or\"");
    P("a in 25", "ERR 5 expected \"{\" after \"in\"");
    P("a in", "ERR 4 expected \"{\" after \"in\"");
    P("a in {", "ERR 5 unmatched \"{\"");
    P("a in {1 2", "ERR 5 unmatched \"{\"");
    P("a in {}", "ERR 6 empty set");
    P("a in {1..}", "ERR 9 expected a value after \"..\"");
    P("a in {,1}", "ERR 6 unexpected \",\"");
    P("a in {1,,2}", "ERR 8 unexpected \",\"");
    P("a in {(}", "ERR 6 unexpected \"(\"");
#undef P
    {
        /* nesting limit: 64 levels fine, 65 refused */
        char buf[400];
        int i, k = 0;
        for (i = 0; i < FLT_MAX_DEPTH; i++)
            buf[k++] = '(';
        buf[k++] = 'a';
        for (i = 0; i < FLT_MAX_DEPTH; i++)
            buf[k++] = ')';
        buf[k] = 0;
        T_BYTES(parse_dump(buf), strlen(parse_dump(buf)), "a");
        memmove(buf + 1, buf, (size_t)k + 1);
        buf[0] = '!';
        T_BYTES(parse_dump(buf), strlen(parse_dump(buf)),
            "ERR 64 filter nested too deeply");
    }
    {
        /* a long flat chain is one node and does not recurse */
        static char big[60000];
        size_t k = 0;
        struct flt *f;
        struct flt_err err;
        while (k + 10 < sizeof big) {
            memcpy(big + k, "smtp or ", 8);
            k += 8;
        }
        memcpy(big + k, "pop", 4);
        f = flt_build(big, &err, 0);
        T_CHECK(f != NULL);
        if (f != NULL) {
            T_INT(f->node[f->root].op, N_OR);
            flt_free(f);
        }
    }
}

/* ---- check ---- */

static void
test_check(void)
{
#define C(in, want) do { const char *g_ = compile_err(in); \
    T_BYTES(g_, strlen(g_), want); } while (0)
    C("smtp", "ok");
    C("smtp.foo", "ERR 0 unknown field \"smtp.foo\"");
    C("smtp and smtp.foo == 1", "ERR 9 unknown field \"smtp.foo\"");
    C("smtp.foo == 1 and bar", "ERR 0 unknown field \"smtp.foo\"");
    C("25", "ERR 0 unknown field \"25\"");
    C("smtp.response.code contains \"x\"",
        "ERR 19 \"contains\" needs a string field");
    C("tcp.port matches \"2.\"", "ERR 9 \"matches\" needs a string field");
    C("tcp.port ~ \"2.\"", "ERR 9 \"~\" needs a string field");
    C("smtp.req.command == 25",
        "ERR 20 \"smtp.req.command\" is a string field; quote the value");
    C("smtp.req.command == AUTH",
        "ERR 20 \"smtp.req.command\" is a string field; quote the value");
    C("smtp.req.command in {\"AUTH\" HELO}",
        "ERR 28 \"smtp.req.command\" is a string field; quote the value");
    C("tcp.port == \"25\"", "ERR 12 \"tcp.port\" needs a number, not a string");
    C("tcp.port == 2x5", "ERR 12 \"2x5\" is not a number");
    C("tcp.port == 99999999999999999999",
        "ERR 12 number out of range \"99999999999999999999\"");
    C("tcp.port in {25 1..x}", "ERR 19 \"x\" is not a number");
    C("ip.addr == 10.0.0",
        "ERR 11 \"10.0.0\" is not an IPv4/IPv6 address or CIDR");
    C("ip.addr == 10.0.0.0/33",
        "ERR 11 invalid prefix length in \"10.0.0.0/33\"");
    /* a field name on the right is that field (Wireshark) */
    C("ip.addr == smtp", "ERR 8 address and protocol cannot be compared");
    C("ip.addr == nosuch", "ERR 11 \"nosuch\" is not an IPv4/IPv6 address or CIDR");
    C("ip.addr > 10.0.0.0/8", "ERR 8 \">\" cannot compare with a CIDR");
    C("ip.addr in {10.0.0.1..10.0.0.9}",
        "ERR 12 ranges need a number, time or string field");
    C("smtp == 1",
        "ERR 5 \"smtp\" is a protocol; it can only be tested for presence");
    C("smtp contains \"x\"",
        "ERR 5 \"smtp\" is a protocol; it can only be tested for presence");
    C("telnet.edited < 1", "ERR 14 \"<\" cannot order booleans");
    C("telnet.edited == 2",
        "ERR 17 \"2\" is not a boolean (1, 0, true, false)");
    C("frame.time > \"x\"",
        "ERR 13 \"frame.time\" needs a time in seconds, not a string");
    C("frame.time > 1.2.3", "ERR 13 \"1.2.3\" is not a time in seconds");
    C("smtp.req.command matches \"a\\x00b\"",
        "ERR 25 regular expression contains a NUL byte");
    /* PCRE2's reason, the caret where PCRE2 stopped */
    C("smtp.req.command matches \"(ab\"",
        "ERR 29 invalid regular expression: missing closing parenthesis");
    C("smtp.req.command matches \"a\\\\x{zz}\"",
        "ERR 31 invalid regular expression: non-hex character in \\x{} (closing brace missing?)");
    C("smtp.req.command matches \"a{1000}{1000}\"",
        "ERR 25 regular expression too large (repetition counts)");
    C("smtp.req.command matches \"^(MAIL|RCPT)\"", "ok");
    C("smtp.req.command ~ r\"^\\w+$\"", "ok");
    C("tcp.gap", "ok");
    C("tcp.gap > 0", "ok");
    C("telnet.edited == true", "ok");
    C("telnet.edited == \"False\"", "ok");
    C("tcp.port in {25 0x6e 500..599}", "ok");
    C("ip.addr == \"10.0.0.1\"", "ok");
    C("ipv6.addr == 2001:db8::/32", "ok");
    C("frame.time >= 1700000000.25", "ok");
    {
        /* a long unknown name is cut in the message */
        const char *g =
            compile_err("smtp.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        T_BYTES(g, strlen(g),
            "ERR 0 unknown field \"smtp.aaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
    }
#undef C
}

/* ---- evaluate ---- */

static void
test_match(void)
{
    struct rec cmd, rep, pop, empty;

    rec_smtp_cmd(&cmd);
    rec_smtp_reply(&rep);
    rec_pop_cmd(&pop);
    memset(&empty, 0, sizeof empty);

    T_INT(match("", &cmd), 1);
    T_INT(flt_match(NULL, &cmd), 1);
    /* presence */
    T_INT(match("smtp", &cmd), 1);
    T_INT(match("smtp", &pop), 0);
    T_INT(match("pop", &pop), 1);
    T_INT(match("smtp.req.command", &cmd), 1);
    T_INT(match("smtp.req.command", &rep), 0);
    T_INT(match("smtp.response.code", &rep), 1);
    /* strings: raw bytes, case-sensitive */
    T_INT(match("smtp.req.command == \"AUTH\"", &cmd), 1);
    T_INT(match("smtp.req.command == \"auth\"", &cmd), 0);
    T_INT(match("smtp.req.command == \"AUT\"", &cmd), 0);
    T_INT(match("smtp.req.command == \"AUTHX\"", &cmd), 0);
    T_INT(match("smtp.req.command != \"MAIL\"", &cmd), 1);
    T_INT(match("smtp.req.command != \"AUTH\"", &cmd), 0);
    T_INT(match("smtp.req.command > \"AAAA\"", &cmd), 1);
    T_INT(match("smtp.req.command < \"AUTHA\"", &cmd), 1);
    T_INT(match("smtp.req.command <= \"AUTH\"", &cmd), 1);
    T_INT(match("smtp.req.command >= \"B\"", &cmd), 0);
    T_INT(match("smtp.req.parameter contains \"PLAIN\"", &cmd), 1);
    T_INT(match("smtp.req.parameter contains \"plain\"", &cmd), 0);
    T_INT(match("smtp.req.parameter contains \"\"", &cmd), 1);
    T_INT(match("smtp.req.parameter contains \"==\"", &cmd), 1);
    T_INT(match("smtp.req.parameter matches \"^PLAIN [A-Za-z0-9+/=]+$\"",
        &cmd), 1);
    /* case-insensitive unless "(?-i)" (Wireshark 4) */
    T_INT(match("smtp.req.parameter matches \"^plain\"", &cmd), 1);
    T_INT(match("smtp.req.parameter matches \"(?-i)^plain\"", &cmd), 0);
    T_INT(match("smtp.req.parameter matches \"(?-i)^PLAIN\"", &cmd), 1);
    T_INT(match("smtp.req.parameter matches \"(?i)^plain\"", &cmd), 1);
    T_INT(match("smtp.req.parameter ~ \"(?i)^plain\"", &cmd), 1);
    T_INT(match("smtp.req.parameter ~ r\"==$\"", &cmd), 1);
    T_INT(match("smtp.req.command in {\"HELO\" \"AUTH\"}", &cmd), 1);
    T_INT(match("smtp.req.command in {\"HELO\", \"EHLO\"}", &cmd), 0);
    T_INT(match("smtp.req.command in {\"A\"..\"B\"}", &cmd), 1);
    /* strings with NUL and high bytes */
    T_INT(match("cred.user == \"us\\x00er\\xe9\"", &pop), 1);
    T_INT(match("cred.user == \"us\\0er\\351\"", &pop), 1);
    T_INT(match("cred.user == \"us\"", &pop), 0);
    T_INT(match("cred.user contains \"\\x00e\"", &pop), 1);
    T_INT(match("cred.user contains \"\\xe9\"", &pop), 1);
#ifdef REG_STARTEND
    T_INT(match("cred.user matches \"er.$\"", &pop), 1);
#endif
    /* absent field: every comparison is false, != included */
    T_INT(match("smtp.req.command != \"AUTH\"", &rep), 0);
    T_INT(match("not smtp.req.command == \"AUTH\"", &rep), 1);
    T_INT(match("smtp.auth.password", &cmd), 0);
    /* numbers */
    T_INT(match("smtp.response.code == 250", &rep), 1);
    T_INT(match("smtp.response.code == 0xfa", &rep), 1);
    T_INT(match("smtp.response.code eq 251", &rep), 0);
    T_INT(match("smtp.response.code >= 200 and smtp.response.code lt 300",
        &rep), 1);
    T_INT(match("smtp.response.code in {500..599}", &rep), 0);
    T_INT(match("smtp.response.code in {200..299 500..599}", &rep), 1);
    T_INT(match("smtp.response.code in {250}", &rep), 1);
    T_INT(match("smtp.response.code in {249..249, 251..300}", &rep), 0);
    T_INT(match("frame.number == 7", &cmd), 1);
    T_INT(match("tcp.stream == 3", &cmd), 1);
    /* multi-valued: tcp.port has both ports */
    T_INT(match("tcp.port == 25", &cmd), 1);
    T_INT(match("tcp.port == 40000", &cmd), 1);
    T_INT(match("tcp.port == 110", &cmd), 0);
    /* Wireshark 4: "!=" means all values not equal */
    T_INT(match("tcp.port != 25", &cmd), 0);
    T_INT(match("tcp.port != 110", &cmd), 1);
    T_INT(match("!(tcp.port == 25)", &cmd), 0);
    T_INT(match("tcp.port in {25 110 587}", &cmd), 1);
    T_INT(match("tcp.port in {25 110 587}", &pop), 1);
    T_INT(match("tcp.port > 39999", &cmd), 1);
    T_INT(match("tcp.port < 25", &cmd), 0);
    T_INT(match("tcp.port <= 25", &cmd), 1);
    /* multi-valued strings: one value per reply line */
    T_INT(match("smtp.rsp.parameter == \"PIPELINING\"", &rep), 1);
    T_INT(match("smtp.rsp.parameter == \"8BITMIME\"", &rep), 1);
    T_INT(match("smtp.rsp.parameter == \"STARTTLS\"", &rep), 0);
    T_INT(match("smtp.rsp.parameter != \"STARTTLS\"", &rep), 1);
    T_INT(match("smtp.rsp.parameter != \"PIPELINING\"", &rep), 0);
    T_INT(match("smtp.rsp.parameter matches \"^AUTH .*LOGIN\"", &rep), 1);
    T_INT(match("smtp.rsp.parameter contains \"LOGIN\\n\"", &rep), 0);
    /* addresses */
    T_INT(match("ip.addr == 10.1.2.3", &cmd), 1);
    T_INT(match("ip.addr == 10.9.9.9", &cmd), 1);
    T_INT(match("ip.addr == 10.9.9.8", &cmd), 0);
    T_INT(match("ip.addr == 10.0.0.0/8", &cmd), 1);
    T_INT(match("ip.addr == 10.1.0.0/16", &cmd), 1);
    T_INT(match("ip.addr == 10.1.2.0/31", &cmd), 0);
    T_INT(match("ip.addr == 10.1.2.2/31", &cmd), 1);
    /* 11.0.0.0/7 is 10/7: host bits are ignored */
    T_INT(match("ip.addr == 11.0.0.0/7", &cmd), 1);
    T_INT(match("ip.addr == 0.0.0.0/0", &cmd), 1);
    T_INT(match("ip.addr != 10.0.0.0/8", &cmd), 0);
    T_INT(match("ip.addr != 192.168.0.0/16", &cmd), 1);
    T_INT(match("ip.addr in {192.168.0.0/16 10.9.9.9}", &cmd), 1);
    T_INT(match("ip.addr == \"10.1.2.3\"", &cmd), 1);
    T_INT(match("ip.src == 10.1.2.3", &cmd), 1);
    T_INT(match("ip.src == 10.1.2.3", &rep), 0);
    T_INT(match("ip.addr > 10.5.0.0", &cmd), 1);
    T_INT(match("ip.addr < 10.0.0.0", &cmd), 0);
    T_INT(match("ip.addr", &pop), 0);
    T_INT(match("ip.addr == 10.1.2.3", &pop), 0);
    T_INT(match("ipv6.addr == ::1", &pop), 1);
    T_INT(match("ipv6.addr == 2001:db8::/32", &pop), 1);
    T_INT(match("ipv6.addr == 2001:db9::/32", &pop), 0);
    T_INT(match("ipv6.addr == 2001:db8::25", &pop), 1);
    T_INT(match("ipv6.addr == 10.1.2.3", &pop), 0);    /* family differs */
    /* time: seconds, fractional */
    T_INT(match("frame.time == 1700000000.5", &cmd), 1);
    T_INT(match("frame.time > 1700000000.4", &cmd), 1);
    T_INT(match("frame.time > 1700000000.5", &cmd), 0);
    T_INT(match("frame.time < 1700000000.500000001", &cmd), 1);
    T_INT(match("frame.time in {1700000000..1700000000.75}", &cmd), 1);
    /* booleans */
    T_INT(match("telnet.edited == 1", &pop), 1);
    T_INT(match("telnet.edited == true", &pop), 1);
    /* present only when editing changed the line: absent compares false */
    T_INT(match("telnet.edited == 0", &cmd), 0);
    T_INT(match("!telnet.edited", &cmd), 1);
    T_INT(match("telnet.edited != false", &cmd), 0);
    T_INT(match("telnet.edited in {1}", &cmd), 0);
    T_INT(match("telnet.edited", &rep), 0);     /* replies are not typed */
    T_INT(match("tcp.gap", &pop), 1);
    T_INT(match("tcp.gap", &cmd), 0);
    /* logic and precedence */
    T_INT(match("smtp and tcp.port == 25", &cmd), 1);
    T_INT(match("pop or smtp and tcp.port == 110", &cmd), 0);
    T_INT(match("(pop or smtp) and tcp.port == 25", &cmd), 1);
    T_INT(match("not pop and smtp", &cmd), 1);
    T_INT(match("!(pop || smtp)", &cmd), 0);
    T_INT(match("smtp && !smtp.req.command == \"MAIL\"", &cmd), 1);
    T_INT(match("pop.request.command == \"USER\" && cred.user", &pop), 1);
    /* an empty record matches nothing but presence-free tests */
    T_INT(match("smtp or pop or smtp.req.command", &empty), 0);
    T_INT(match("not smtp", &empty), 1);
}

/* ---- Wireshark 4 functions, slices, quantifiers ---- */

static void
test_ws4(void)
{
    struct rec cmd, rep, pop;

    rec_smtp_cmd(&cmd);
    rec_smtp_reply(&rep);
    rec_pop_cmd(&pop);
#define P(in, want) do { const char *g_ = parse_dump(in); \
    T_BYTES(g_, strlen(g_), want); } while (0)
#define C(in, want) do { const char *g_ = compile_err(in); \
    T_BYTES(g_, strlen(g_), want); } while (0)
    /* lexing the new operators */
    T_BYTES(lex_kinds("a === b !== c ~= d ~ e"), strlen("w=w!w!wmw$"), "w=w!w!wmw$");
    T_BYTES(lex_kinds("a[0:2] == 1"), 5, "wS=w$");
    T_BYTES(lex_kinds("any a all_eq 1"), 5, "Qw=w$");
    /* parse: trees */
    P("any a == 1", "(any == a 1)");
    P("all lower(a)[1:2] ~= \"x\"", "(all !== lower(a)[1:2] \"x\")");
    P("a === b", "(=== a b)");
    P("a[0:2,5,-3:,1-4,:2] == 1", "(== a[0:2,5,-3:,1-4,:2] 1)");
    P("a[2:0] == 1", "ERR 2 range 2:0 isn't valid because length 0 isn't positive");
    P("a[3-1] == 1", "ERR 2 range 3-1 isn't valid because 3 is not less than 1");
    P("a[x] == 1", "ERR 2 \"x\" is not a valid range");
    P("a[0:9999999999] == 1", "ERR 2 \"0:9999999999\" is not a valid range");
    P("a[0", "ERR 1 unmatched \"[\"");
    P("foo(a) == 1", "ERR 0 function \"foo\" does not exist");
    P("LOWER(a) == 1", "ERR 0 function \"LOWER\" does not exist");
    P("lower(a, b) == 1", "ERR 0 function lower takes one argument");
    P("lower(a == 1", "ERR 8 unexpected \"==\"");
    P("any a", "ERR 5 expected a comparison after \"a\"");
    /* check: types */
    C("lower(tcp.port) == \"x\"", "ERR 6 only string fields can be the argument of lower()");
    C("lower(smtp.req.command[0:2]) == \"x\"", "ERR 22 only a field can be the argument of lower()");
    C("lower(smtp.req.command)", "ERR 0 a function has no presence to test; compare its value");
    C("len(tcp.port) == 2", "ERR 4 len() needs a string or address field, not unsigned \"tcp.port\"");
    C("len(smtp.req.command) == \"4\"", "ERR 25 \"smtp.req.command\" needs a number, not a string");
    C("string(smtp.req.command) == \"x\"", "ERR 7 string() cannot convert string \"smtp.req.command\"");
    C("tcp.port[0:1] == 00", "ERR 0 \"tcp.port\" is unsigned and cannot be sliced");
    C("smtp.req.command[0:2] in {\"MA\"}", "ERR 0 only a field may be tested for membership in a set");
    C("smtp.req.command matches smtp.req.parameter", "ERR 25 \"matches\" needs a quoted string on the right");
    C("smtp.req.command[0:2] == zz", "ERR 25 \"zz\" is not a byte string (4d:41) or a quoted string");
    C("smtp.req.command == tcp.port", "ERR 17 string and unsigned cannot be compared");
    C("smtp.req.command[0] == 0x4d", "ok");
    C("smtp.req.command[0:2] == 4d:41", "ok");
    C("count(smtp) == 1", "ok");
    C("smtp.req.command == smtp.req.parameter[0:4]", "ok");
    /* functions */
    T_INT(match("lower(smtp.req.command) == \"auth\"", &cmd), 1);
    T_INT(match("upper(lower(smtp.req.command)) == \"AUTH\"", &cmd), -1);
    T_INT(match("lower(smtp.req.parameter) contains \"plain d\"", &cmd), 1);
    T_INT(match("upper(smtp.req.parameter)[0:5] == \"PLAIN\"", &cmd), 1);
    T_INT(match("len(smtp.req.command) == 4", &cmd), 1);
    T_INT(match("len(smtp.req.command) > 4", &cmd), 0);
    T_INT(match("len(ip.src) == 4", &cmd), 1);
    T_INT(match("len(ipv6.src) == 16", &pop), 1);
    T_INT(match("count(smtp.rsp.parameter) == 4", &rep), 1);
    T_INT(match("count(smtp.rsp.parameter) == 4", &cmd), 0);   /* absent: no value */
    T_INT(match("count(tcp.port) == 2", &cmd), 1);
    T_INT(match("string(smtp.response.code) == \"250\"", &rep), 1);
    T_INT(match("string(tcp.srcport) matches \"^4\"", &cmd), 1);
    T_INT(match("string(ip.src) == \"10.1.2.3\"", &cmd), 1);
    T_INT(match("string(frame.number) == \"7\"", &cmd), 1);
    /* slices */
    T_INT(match("smtp.req.command[0:2] == \"AU\"", &cmd), 1);
    T_INT(match("smtp.req.command[-2:] == \"TH\"", &cmd), 1);
    T_INT(match("smtp.req.command[1] == 55", &cmd), 1);            /* 'U' */
    T_INT(match("smtp.req.command[1-2] == \"UT\"", &cmd), 1);
    T_INT(match("smtp.req.command[:2] == 41:55", &cmd), 1);
    T_INT(match("smtp.req.command[0] == 0x41", &cmd), 1);
    T_INT(match("smtp.req.command[4:] == \"\"", &cmd), 1);
    T_INT(match("smtp.req.command[4:]", &cmd), 0);                 /* empty: absent */
    T_INT(match("smtp.req.command[2:5] == \"TH\"", &cmd), 0);      /* past the end */
    T_INT(match("smtp.req.command[2:5]", &cmd), 0);
    T_INT(match("smtp.req.command[-5:]", &cmd), 0);
    T_INT(match("smtp.req.command[0:1,3] == \"AH\"", &cmd), 1);
    T_INT(match("smtp.req.command[0:1,9] == \"A\"", &cmd), 1);     /* bad range skipped */
    T_INT(match("smtp.req.command[0] > 40", &cmd), 1);
    T_INT(match("smtp.req.command[0] < \"B\"", &cmd), 1);
    T_INT(match("smtp.req.command[0:2] contains 55", &cmd), 1);
    T_INT(match("smtp.req.command[0:4] == smtp.req.command", &cmd), 1);
    T_INT(match("smtp.req.command == smtp.req.parameter[0:4]", &cmd), 0);
    T_INT(match("ip.src[0] == 0a", &cmd), 1);
    T_INT(match("ip.src[1:3] == 01:02:03", &cmd), 1);
    T_INT(match("pop.auth.username[2] == 00", &pop), 1);           /* raw bytes */
    /* PCRE2: search, case-insensitive unless (?-i), bytes */
    T_INT(match("smtp.req.command matches \"ut\"", &cmd), 1);
    T_INT(match("smtp.req.command matches \"(?-i)ut\"", &cmd), 0);
    T_INT(match("smtp.req.command ~ \"A(?=U)\"", &cmd), 1);
    T_INT(match("smtp.req.parameter ~ r\"\\d\"", &cmd), 1);
    T_INT(match("pop.auth.username matches \"er\\xe9$\"", &pop), 1);
    T_INT(match("smtp.req.command[0:2] matches \"^au$\"", &cmd), 1);
    T_INT(match("smtp.req.command matches \"(a|aa)+$\"", &cmd), 0);
    /* quantifiers and the equality family */
    T_INT(match("smtp.rsp.parameter == \"PIPELINING\"", &rep), 1);
    T_INT(match("smtp.rsp.parameter != \"PIPELINING\"", &rep), 0);
    T_INT(match("smtp.rsp.parameter ~= \"PIPELINING\"", &rep), 1);
    T_INT(match("smtp.rsp.parameter !== \"PIPELINING\"", &rep), 1);
    T_INT(match("smtp.rsp.parameter === \"PIPELINING\"", &rep), 0);
    T_INT(match("smtp.rsp.parameter all_ne \"x\"", &rep), 1);
    T_INT(match("smtp.rsp.parameter any_eq \"8BITMIME\"", &rep), 1);
    T_INT(match("any smtp.rsp.parameter != \"PIPELINING\"", &rep), 1);
    T_INT(match("all smtp.rsp.parameter == \"PIPELINING\"", &rep), 0);
    T_INT(match("all smtp.rsp.parameter matches \"^[a-z0-9. ]+$\"", &rep), 1);
    T_INT(match("all tcp.port > 20", &cmd), 1);
    T_INT(match("all tcp.port > 25", &cmd), 0);
    T_INT(match("any tcp.port > 25", &cmd), 1);
    T_INT(match("all smtp.rsp.parameter == \"x\"", &cmd), 0);     /* absent */
    T_INT(match("not all tcp.port > 25", &cmd), 1);
    T_INT(match("any lower(smtp.rsp.parameter) == \"pipelining\"", &rep), 1);
    T_INT(match("all smtp.rsp.parameter[0] == \"P\"", &rep), 0);
    T_INT(match("smtp.rsp.parameter in {\"AUTH PLAIN LOGIN\", \"x\"}", &rep), 1);
    T_INT(match("all smtp.rsp.parameter in {\"a\"..\"z\", \"A\"..\"Z\"}", &rep), 0);
    T_INT(match("all smtp.rsp.parameter in {\"0\"..\"9~\", \"A\"..\"z\"}", &rep), 1);
#undef P
#undef C
}

/* ---- complete ---- */

static void
test_complete(void)
{
    char out[64];
    size_t n, total;

    fld_table(&total);
    n = flt_complete("smtp.req.c", 10, out, sizeof out);
    T_INT(n, 1);
    T_BYTES(out, strlen(out), "ommand");
    n = flt_complete("smtp.req.", 9, out, sizeof out);
    T_CHECK(n >= 2);
    T_BYTES(out, strlen(out), "");
    n = flt_complete("pop and smtp.re", 15, out, sizeof out);
    T_CHECK(n >= 2);       /* smtp.req.*, smtp.response.code */
    n = flt_complete("ip.a", 4, out, sizeof out);
    T_INT(n, 1);
    T_BYTES(out, strlen(out), "ddr");
    n = flt_complete("smtp.req.c == 1", 10, out, sizeof out);  /* mid-text */
    T_INT(n, 1);
    T_BYTES(out, strlen(out), "ommand");
    n = flt_complete("", 0, out, sizeof out);
    T_INT(n, total);
    n = flt_complete("zzz", 3, out, sizeof out);
    T_INT(n, 0);
    T_BYTES(out, strlen(out), "");
    n = flt_complete("a == \"smtp.re", 13, out, sizeof out); /* in a string */
    T_INT(n, 0);
    n = flt_complete("a == \"x\\\"\" or smtp.req.c", 25, out, sizeof out);
    T_INT(n, 1);
    n = flt_complete("smtp.req.c", 99, out, sizeof out);      /* col clamped */
    T_INT(n, 1);
    n = flt_complete("smtp.req.c", 10, out, 4);               /* small out */
    T_INT(n, 1);
    T_BYTES(out, strlen(out), "omm");
    n = flt_complete("smtp.req.c", 10, NULL, 0);
    T_INT(n, 1);
    n = flt_complete(NULL, 0, out, sizeof out);
    T_INT(n, 0);
}

/* ---- error printing ---- */

static void
test_err_print(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp;
    struct flt_err e;
    const char *text = "smtp and smtp.foo";

    fp = open_memstream(&buf, &len);
    T_CHECK(fp != NULL);
    if (fp == NULL)
        return;
    T_CHECK(flt_compile(text, &e) == NULL);
    flt_err_print(fp, text, &e);
    fclose(fp);
    T_BYTES(buf, len, "mailsift: filter: unknown field \"smtp.foo\"\n"
        "  smtp and smtp.foo\n"
        "           ^\n");
    free(buf);

    /* control bytes in the text and message print as '?' */
    buf = NULL;
    fp = open_memstream(&buf, &len);
    if (fp == NULL)
        return;
    text = "a == \"\x1b[2J\tx\"";
    T_CHECK(flt_compile(text, &e) == NULL);
    flt_err_print(fp, text, &e);
    fclose(fp);
    T_BYTES(buf, len, "mailsift: filter: unknown field \"a\"\n"
        "  a == \"?[2J?x\"\n"
        "  ^\n");
    free(buf);

    /* caret past the end is clamped to the end */
    buf = NULL;
    fp = open_memstream(&buf, &len);
    if (fp == NULL)
        return;
    e.col = 99;
    snprintf(e.msg, sizeof e.msg, "m\x7f");
    flt_err_print(fp, "ab", &e);
    fclose(fp);
    T_BYTES(buf, len, "mailsift: filter: m?\n  ab\n    ^\n");
    free(buf);
}

/* ---- robustness ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rng(void)
{
    /* xorshift64*: deterministic, so a failure reproduces */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static const char *const frag[] = {
    "smtp", "pop", "smtp.req.command", "smtp.req.parameter", "tcp.port",
    "ip.addr", "ipv6.addr", "frame.time", "tcp.gap", "smtp.response.code",
    "smtp.rsp.parameter", "cred.user", "frame.number", "nosuch.field",
    "==", "!=", "<", ">", "<=", ">=", "eq", "ne", "contains", "matches", "~",
    "in", "{", "}", "..", ",", "(", ")", "and", "or", "not", "&&", "||", "!",
    "\"AUTH\"", "\"a\\x41\\n\"", "r\"\\d+\"", "\"(?i)^pl\"", "\"[\"", "\"(\"",
    "25", "0x19", "500..599", "10.0.0.0/8", "::1", "2001:db8::/32",
    "1.5", "1700000000.5", "true", "\"", "\\", "=", "&", "|", ".", "/",
    "99999999999999999999999", "\"a{1000}{1000}\"", "\"\\777\"", "\"\\x",
    " ", " ", " ",
};

static void
test_random(void)
{
    static char buf[512];
    struct rec r[3];
    char out[64], dump[256];
    int iter, ok = 0, crashed = 0;

    rec_smtp_cmd(&r[0]);
    rec_smtp_reply(&r[1]);
    rec_pop_cmd(&r[2]);
    for (iter = 0; iter < 100000; iter++) {
        size_t k = 0, len;
        int parts = 1 + (int)(rng() % 12), i;
        struct flt_err err;
        struct flt *f;

        for (i = 0; i < parts; i++) {
            const char *p = frag[rng() % (sizeof frag / sizeof frag[0])];
            size_t pl = strlen(p);
            if (k + pl + 2 >= sizeof buf)
                break;
            memcpy(buf + k, p, pl);
            k += pl;
            if (rng() % 2)
                buf[k++] = ' ';
        }
        buf[k] = 0;
        /* mutate: flip, insert or delete a few bytes (never NUL) */
        if (iter % 3 == 0) {
            int m = 1 + (int)(rng() % 4);
            for (i = 0; i < m && k > 0; i++) {
                size_t at = rng() % k;
                switch (rng() % 3) {
                case 0:
                    buf[at] = (char)(1 + rng() % 255);
                    break;
                case 1:
                    if (k + 1 < sizeof buf) {
                        memmove(buf + at + 1, buf + at, k - at + 1);
                        buf[at] = (char)(1 + rng() % 255);
                        k++;
                    }
                    break;
                default:
                    memmove(buf + at, buf + at + 1, k - at);
                    k--;
                    break;
                }
            }
        }
        len = strlen(buf);
        f = flt_compile(buf, &err);
        if (f != NULL) {
            ok++;
            (void)flt_match(f, &r[iter % 3]);
            (void)flt_match(f, &r[(iter + 1) % 3]);
            flt_dump(f, dump, sizeof dump);
            flt_free(f);
        } else if (err.col < 0 || (size_t)err.col > len ||
            err.msg[0] == 0) {
            crashed++;
            fprintf(stderr, "bad error for \"%s\": %d %s\n", buf, err.col,
                err.msg);
        }
        (void)flt_complete(buf, rng() % (len + 2), out,
            1 + rng() % sizeof out);
    }
    T_INT(crashed, 0);
    T_CHECK(ok > 1000);       /* the generator reaches the evaluator */
    printf("filter fuzz: %d of 100000 random expressions compile, all evaluated;"
        " %d bad error reports\n", ok, crashed);
}

int
main(void)
{
    test_lex();
    test_values();
    test_parse();
    test_check();
    test_match();
    test_ws4();
    test_complete();
    test_err_print();
    test_random();
    return T_DONE();
}
