/* field.c - the field registry: one table for the display filter, the
 * JSON printer and --list-fields. Names follow Wireshark's where they
 * overlap (smtp.req.command, pop.response.indicator, ip.addr ...). */
#include <string.h>

#include "field.h"

static int
v_uint(struct fld_val *v, int max, uint64_t u)
{
    if (max < 1)
        return 0;
    v->type = FT_UINT;
    v->u = u;
    return 1;
}

static int
v_bool(struct fld_val *v, int max, int b)
{
    if (max < 1)
        return 0;
    v->type = FT_BOOL;
    v->u = b != 0;
    return 1;
}

static int
v_str(struct fld_val *v, int max, const uint8_t *p, size_t n)
{
    if (max < 1)
        return 0;
    v->type = FT_STR;
    v->s = p;
    v->n = n;
    return 1;
}

static int
v_rs(struct fld_val *v, int max, const struct rec_str *s)
{
    return v_str(v, max, s->p ? s->p : (const uint8_t *)"", s->n);
}

static int
v_cstr(struct fld_val *v, int max, const char *s)
{
    return v_str(v, max, (const uint8_t *)s, strlen(s));
}

static int
v_addr(struct fld_val *v, int max, const struct rec_ep *e)
{
    if (max < 1)
        return 0;
    v->type = FT_ADDR;
    v->addr.family = e->family;
    memcpy(v->addr.a, e->addr, 16);
    return 1;
}

/* One value per line of s, skipping skip bytes at the start of each. */
static int
v_lines(struct fld_val *v, int max, const struct rec_str *s, size_t skip)
{
    const uint8_t *p = s->p, *end = s->p + s->n, *nl;
    int k = 0;

    if (!s->n)
        return 0;
    while (p <= end && k < max) {
        size_t n;
        nl = memchr(p, '\n', (size_t)(end - p));
        n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n >= skip)
            k += v_str(v + k, max - k, p + skip, n - skip);
        else
            k += v_str(v + k, max - k, p + n, 0);
        if (!nl)
            break;
        p = nl + 1;
    }
    return k;
}

#define IS(r, pr, k) ((r)->proto == (pr) && (r)->kind == (k))
#define SMTP(r) ((r)->proto == PROTO_SMTP)
#define POP(r) ((r)->proto == PROTO_POP)
#define CMD(r) ((r)->kind == REC_CMD)
#define REPLY(r) ((r)->kind == REC_REPLY)

/* frame, ip, tcp */
static int g_frame(const struct rec *r, struct fld_val *v, int m) { return v_uint(v, m, r->pkt); }
static int g_frame_first(const struct rec *r, struct fld_val *v, int m) { return v_uint(v, m, r->pkt_first); }
static int
g_time(const struct rec *r, struct fld_val *v, int m)
{
    if (m < 1)
        return 0;
    v->type = FT_TIME;
    v->t = r->ts;
    return 1;
}
static int
g_time_rel(const struct rec *r, struct fld_val *v, int m)
{
    int64_t s = r->ts.sec - rec_t0.sec;
    int64_t ns = (int64_t)r->ts.nsec - rec_t0.nsec;

    if (m < 1)
        return 0;
    if (ns < 0) {
        ns += 1000000000;
        s--;
    }
    v->type = FT_TIME;
    v->t.sec = s;
    v->t.nsec = (uint32_t)ns;
    return 1;
}
static int g_ip(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return r->src.family == 4; }
static int g_ipv6(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return r->src.family == 6; }
static int g_ip_src(const struct rec *r, struct fld_val *v, int m) { return r->src.family == 4 ? v_addr(v, m, &r->src) : 0; }
static int g_ip_dst(const struct rec *r, struct fld_val *v, int m) { return r->dst.family == 4 ? v_addr(v, m, &r->dst) : 0; }
static int
g_ip_addr(const struct rec *r, struct fld_val *v, int m)
{
    int k;

    if (r->src.family != 4)
        return 0;
    k = v_addr(v, m, &r->src);
    return k + v_addr(v + k, m - k, &r->dst);
}
static int g_ip6_src(const struct rec *r, struct fld_val *v, int m) { return r->src.family == 6 ? v_addr(v, m, &r->src) : 0; }
static int g_ip6_dst(const struct rec *r, struct fld_val *v, int m) { return r->dst.family == 6 ? v_addr(v, m, &r->dst) : 0; }
static int
g_ip6_addr(const struct rec *r, struct fld_val *v, int m)
{
    int k;

    if (r->src.family != 6)
        return 0;
    k = v_addr(v, m, &r->src);
    return k + v_addr(v + k, m - k, &r->dst);
}
static int g_tcp(const struct rec *r, struct fld_val *v, int m) { (void)r; (void)v; (void)m; return 1; }
static int g_sport(const struct rec *r, struct fld_val *v, int m) { return v_uint(v, m, r->src.port); }
static int g_dport(const struct rec *r, struct fld_val *v, int m) { return v_uint(v, m, r->dst.port); }
static int
g_port(const struct rec *r, struct fld_val *v, int m)
{
    int k = v_uint(v, m, r->src.port);
    return k + v_uint(v + k, m - k, r->dst.port);
}
static int g_stream(const struct rec *r, struct fld_val *v, int m) { return v_uint(v, m, r->flow); }
static int
g_gap(const struct rec *r, struct fld_val *v, int m)
{
    if (!(r->flags & (1u << ANOM_GAP)))
        return 0;
    return v_uint(v, m, r->kind == REC_NOTE ? r->size : 0);
}

/* smtp */
static int g_smtp(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return SMTP(r) && r->kind != REC_CRED; }
static int g_smtp_req(const struct rec *r, struct fld_val *v, int m) { return SMTP(r) && r->dir == DIR_C2S && r->kind != REC_CRED ? v_bool(v, m, 1) : 0; }
static int g_smtp_rsp(const struct rec *r, struct fld_val *v, int m) { return SMTP(r) && r->dir == DIR_S2C ? v_bool(v, m, 1) : 0; }
static int g_smtp_cmdline(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_SMTP, REC_CMD) || IS(r, PROTO_SMTP, REC_AUTH) ? v_rs(v, m, &r->text) : 0; }
static int g_smtp_cmd(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_SMTP, REC_CMD) ? v_cstr(v, m, r->verb) : 0; }
static int g_smtp_param(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_SMTP, REC_CMD) && r->arg.n ? v_rs(v, m, &r->arg) : 0; }
static int g_smtp_response(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_SMTP, REC_REPLY) ? v_lines(v, m, &r->text, 0) : 0; }
static int g_smtp_code(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_SMTP, REC_REPLY) && r->code ? v_uint(v, m, r->code) : 0; }
static int g_smtp_rsp_param(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_SMTP, REC_REPLY) && r->code ? v_lines(v, m, &r->text, 4) : 0; }
static int
g_smtp_user(const struct rec *r, struct fld_val *v, int m)
{
    return SMTP(r) && (CMD(r) || r->kind == REC_AUTH) && r->cred.user.n ? v_rs(v, m, &r->cred.user) : 0;
}
static int
g_smtp_pass(const struct rec *r, struct fld_val *v, int m)
{
    return SMTP(r) && (CMD(r) || r->kind == REC_AUTH) && (r->flags & REC_F_CRED) ? v_rs(v, m, &r->cred.secret) : 0;
}
static int g_smtp_data(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_SMTP, REC_BODY) ? v_rs(v, m, &r->text) : 0; }
static int g_smtp_data_len(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_SMTP, REC_BODY) ? v_uint(v, m, r->size) : 0; }

/* pop */
static int g_pop(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return POP(r) && r->kind != REC_CRED; }
static int g_pop_req(const struct rec *r, struct fld_val *v, int m) { return POP(r) && r->dir == DIR_C2S && r->kind != REC_CRED ? v_rs(v, m, &r->text) : 0; }
static int g_pop_cmd(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_POP, REC_CMD) ? v_cstr(v, m, r->verb) : 0; }
static int g_pop_param(const struct rec *r, struct fld_val *v, int m) { return IS(r, PROTO_POP, REC_CMD) && r->arg.n ? v_rs(v, m, &r->arg) : 0; }
static int g_pop_rsp(const struct rec *r, struct fld_val *v, int m) { return POP(r) && r->dir == DIR_S2C && r->kind != REC_TLS ? v_lines(v, m, &r->text, 0) : 0; }
static int
g_pop_ind(const struct rec *r, struct fld_val *v, int m)
{
    return IS(r, PROTO_POP, REC_REPLY) && r->verb[0] ? v_cstr(v, m, r->verb) : 0;
}
static int
g_pop_desc(const struct rec *r, struct fld_val *v, int m)
{
    return IS(r, PROTO_POP, REC_REPLY) && r->arg.n ? v_rs(v, m, &r->arg) : 0;
}
static int
g_pop_data(const struct rec *r, struct fld_val *v, int m)
{
    const uint8_t *nl;
    struct rec_str rest;

    if (IS(r, PROTO_POP, REC_BODY))
        return v_rs(v, m, &r->text);
    if (!IS(r, PROTO_POP, REC_REPLY) || r->lines < 2)
        return 0;
    nl = memchr(r->text.p, '\n', r->text.n);
    if (!nl)
        return 0;
    rest.p = nl + 1;
    rest.n = (uint32_t)(r->text.n - (size_t)(nl + 1 - r->text.p));
    return v_lines(v, m, &rest, 0);
}
static int
g_pop_user(const struct rec *r, struct fld_val *v, int m)
{
    return POP(r) && (CMD(r) || r->kind == REC_AUTH) && r->cred.user.n ? v_rs(v, m, &r->cred.user) : 0;
}
static int
g_pop_pass(const struct rec *r, struct fld_val *v, int m)
{
    return POP(r) && (CMD(r) || r->kind == REC_AUTH) && (r->flags & REC_F_CRED) ? v_rs(v, m, &r->cred.secret) : 0;
}

/* imf */
static int g_imf(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return r->kind == REC_BODY; }
#define IMF_GETTER(fn, h) \
    static int fn(const struct rec *r, struct fld_val *v, int m) \
    { return r->kind == REC_BODY && r->imf[h].n ? v_rs(v, m, &r->imf[h]) : 0; }
IMF_GETTER(g_imf_from, IMF_FROM)
IMF_GETTER(g_imf_to, IMF_TO)
IMF_GETTER(g_imf_cc, IMF_CC)
IMF_GETTER(g_imf_subject, IMF_SUBJECT)
IMF_GETTER(g_imf_date, IMF_DATE)
IMF_GETTER(g_imf_msgid, IMF_MSGID)

/* tls, telnet */
static int g_tls(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return r->kind == REC_TLS; }
static int g_tls_len(const struct rec *r, struct fld_val *v, int m) { return r->kind == REC_TLS ? v_uint(v, m, r->size) : 0; }
static int
g_telnet(const struct rec *r, struct fld_val *v, int m)
{
    (void)v;
    (void)m;
    return r->typed.n || (r->nseg > 1 && r->dir == DIR_C2S && (CMD(r) || r->kind == REC_AUTH));
}
static int g_tn_typed(const struct rec *r, struct fld_val *v, int m) { return r->typed.n ? v_rs(v, m, &r->typed) : 0; }
static int
g_tn_edited(const struct rec *r, struct fld_val *v, int m)
{
    /* Present only when editing changed the line, like an expert flag. */
    if (r->dir != DIR_C2S || !(r->flags & (1u << ANOM_EDITED)))
        return 0;
    return v_bool(v, m, 1);
}
static int g_tn_keys(const struct rec *r, struct fld_val *v, int m) { return r->dir == DIR_C2S && (CMD(r) || r->kind == REC_AUTH) ? v_uint(v, m, r->nseg) : 0; }

/* cred */
static int g_cred(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return r->kind == REC_CRED || (r->flags & REC_F_CRED); }
static int g_cred_user(const struct rec *r, struct fld_val *v, int m) { return r->cred.user.n ? v_rs(v, m, &r->cred.user) : 0; }
static int g_cred_secret(const struct rec *r, struct fld_val *v, int m) { return (r->flags & REC_F_CRED) ? v_rs(v, m, &r->cred.secret) : 0; }
static int g_cred_mech(const struct rec *r, struct fld_val *v, int m) { return r->cred.mech ? v_cstr(v, m, auth_mech_name(r->cred.mech)) : 0; }
static int g_cred_result(const struct rec *r, struct fld_val *v, int m) { return r->kind == REC_CRED ? v_cstr(v, m, cred_result_name(r->cred.result)) : 0; }
static int g_cred_chal(const struct rec *r, struct fld_val *v, int m) { return r->cred.challenge.n ? v_rs(v, m, &r->cred.challenge) : 0; }
static int g_cred_authzid(const struct rec *r, struct fld_val *v, int m) { return r->cred.authzid.n ? v_rs(v, m, &r->cred.authzid) : 0; }

/* this project's record fields */
static int g_kind(const struct rec *r, struct fld_val *v, int m) { return v_cstr(v, m, rec_kind_name(r->kind)); }
static int g_dir(const struct rec *r, struct fld_val *v, int m) { return v_cstr(v, m, r->dir == DIR_C2S ? "C" : "S"); }
static int g_text(const struct rec *r, struct fld_val *v, int m) { return v_rs(v, m, &r->text); }
static int g_len(const struct rec *r, struct fld_val *v, int m) { return v_uint(v, m, r->len); }
static int
g_flag(const struct rec *r, struct fld_val *v, int m)
{
    int k = 0, a;

    for (a = 0; a < ANOM_N && k < m; a++)
        if (r->flags & (1u << a))
            k += v_cstr(v + k, m - k, anom_name(a));
    return k;
}

#define J FLD_JSON
#define K(k) (1u << REC_##k)
#define KCMD (K(CMD) | K(AUTH))
static const struct fld_def table[] = {
    { "frame.number", FT_UINT, 0, "packet that completed the message", g_frame, 0 },
    { "frame.first", FT_UINT, 0, "first packet that carried part of the message", g_frame_first, 0 },
    { "frame.time", FT_TIME, 0, "capture time of the completing packet (epoch seconds)", g_time, 0 },
    { "frame.time_relative", FT_TIME, 0, "seconds since the first packet", g_time_rel, 0 },
    { "ip", FT_PROTO, 0, "IPv4", g_ip, 0 },
    { "ip.src", FT_ADDR, 0, "IPv4 source", g_ip_src, 0 },
    { "ip.dst", FT_ADDR, 0, "IPv4 destination", g_ip_dst, 0 },
    { "ip.addr", FT_ADDR, 0, "IPv4 source or destination", g_ip_addr, 0 },
    { "ipv6", FT_PROTO, 0, "IPv6", g_ipv6, 0 },
    { "ipv6.src", FT_ADDR, 0, "IPv6 source", g_ip6_src, 0 },
    { "ipv6.dst", FT_ADDR, 0, "IPv6 destination", g_ip6_dst, 0 },
    { "ipv6.addr", FT_ADDR, 0, "IPv6 source or destination", g_ip6_addr, 0 },
    { "tcp", FT_PROTO, 0, "TCP (every record)", g_tcp, 0 },
    { "tcp.srcport", FT_UINT, 0, "TCP source port", g_sport, 0 },
    { "tcp.dstport", FT_UINT, 0, "TCP destination port", g_dport, 0 },
    { "tcp.port", FT_UINT, 0, "TCP source or destination port", g_port, 0 },
    { "tcp.stream", FT_UINT, 0, "mail connection index (counts mail connections only)", g_stream, 0 },
    { "tcp.gap", FT_UINT, 0, "record follows bytes that were never captured (gap notes: bytes lost)", g_gap, 0 },
    { "smtp", FT_PROTO, 0, "SMTP", g_smtp, 0 },
    { "smtp.req", FT_BOOL, 0, "SMTP client message", g_smtp_req, 0 },
    { "smtp.rsp", FT_BOOL, 0, "SMTP server reply", g_smtp_rsp, 0 },
    { "smtp.command_line", FT_STR, 0, "SMTP command line as sent (typed lines: edited)", g_smtp_cmdline, 0 },
    { "smtp.req.command", FT_STR, J, "SMTP command verb, upper-cased", g_smtp_cmd, K(CMD) },
    { "smtp.req.parameter", FT_STR, J, "SMTP command parameter", g_smtp_param, K(CMD) },
    { "smtp.response", FT_STR, 0, "SMTP reply line (one per line)", g_smtp_response, 0 },
    { "smtp.response.code", FT_UINT, J, "SMTP reply code", g_smtp_code, K(REPLY) },
    { "smtp.rsp.parameter", FT_STR, J, "SMTP reply text (one per line)", g_smtp_rsp_param, K(REPLY) },
    { "smtp.auth.username", FT_STR, J, "decoded AUTH user name", g_smtp_user, KCMD },
    { "smtp.auth.password", FT_STR, J, "decoded AUTH password or token", g_smtp_pass, KCMD },
    { "smtp.data.fragment", FT_STR, 0, "message text (first bytes, dot-unstuffed)", g_smtp_data, 0 },
    { "smtp.data.len", FT_UINT, J, "message size in octets after dot-unstuffing", g_smtp_data_len, K(BODY) },
    { "pop", FT_PROTO, 0, "POP3", g_pop, 0 },
    { "pop.request", FT_STR, 0, "POP3 client line", g_pop_req, 0 },
    { "pop.request.command", FT_STR, J, "POP3 command verb, upper-cased", g_pop_cmd, K(CMD) },
    { "pop.request.parameter", FT_STR, J, "POP3 command parameter", g_pop_param, K(CMD) },
    { "pop.response", FT_STR, 0, "POP3 server line (one per line)", g_pop_rsp, 0 },
    { "pop.response.indicator", FT_STR, J, "+OK, -ERR or + (SASL continuation)", g_pop_ind, K(REPLY) },
    { "pop.response.description", FT_STR, J, "text after the indicator", g_pop_desc, K(REPLY) },
    { "pop.response.data", FT_STR, 0, "multi-line response data (one per line; bodies: text)", g_pop_data, 0 },
    { "pop.auth.username", FT_STR, J, "decoded user name (USER, APOP, AUTH)", g_pop_user, KCMD },
    { "pop.auth.password", FT_STR, J, "password, digest or token (PASS, APOP, AUTH)", g_pop_pass, KCMD },
    { "imf", FT_PROTO, 0, "a message body (DATA, BDAT, RETR, TOP)", g_imf, 0 },
    { "imf.from", FT_STR, J, "From header", g_imf_from, K(BODY) },
    { "imf.to", FT_STR, J, "To header", g_imf_to, K(BODY) },
    { "imf.cc", FT_STR, J, "Cc header", g_imf_cc, K(BODY) },
    { "imf.subject", FT_STR, J, "Subject header", g_imf_subject, K(BODY) },
    { "imf.date", FT_STR, J, "Date header", g_imf_date, K(BODY) },
    { "imf.message_id", FT_STR, J, "Message-ID header", g_imf_msgid, K(BODY) },
    { "tls", FT_PROTO, 0, "encrypted bytes (STARTTLS, STLS, ports 465/995)", g_tls, 0 },
    { "tls.len", FT_UINT, J, "encrypted bytes in the burst", g_tls_len, K(TLS) },
    { "telnet", FT_PROTO, 0, "a client line typed in several segments or with telnet commands", g_telnet, 0 },
    { "telnet.typed", FT_STR, J, "raw keystrokes before line editing", g_tn_typed, 0 },
    { "telnet.edited", FT_BOOL, 0, "line editing (BS, DEL, ^U) changed the line", g_tn_edited, 0 },
    { "telnet.keystrokes", FT_UINT, 0, "segments that carried the client line", g_tn_keys, 0 },
    { "cred", FT_PROTO, 0, "a credential or a message carrying a secret", g_cred, 0 },
    { "cred.user", FT_STR, 0, "user name of a login attempt", g_cred_user, 0 },
    { "cred.secret", FT_STR, 0, "password, token or digest", g_cred_secret, 0 },
    { "cred.mech", FT_STR, 0, "USER/PASS, APOP, PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER", g_cred_mech, 0 },
    { "cred.result", FT_STR, 0, "accepted, rejected or unknown", g_cred_result, 0 },
    { "cred.challenge", FT_STR, 0, "CRAM-MD5 challenge or APOP timestamp", g_cred_chal, 0 },
    { "cred.authzid", FT_STR, 0, "PLAIN authorization identity", g_cred_authzid, 0 },
    { "msg.kind", FT_STR, 0, "command, reply, body, auth, credential, tls, note", g_kind, 0 },
    { "msg.dir", FT_STR, 0, "C (client to server) or S", g_dir, 0 },
    { "msg.text", FT_STR, 0, "the message text as shown", g_text, 0 },
    { "msg.len", FT_UINT, 0, "bytes on the wire", g_len, 0 },
    { "msg.flag", FT_STR, 0, "anomaly names set on the record", g_flag, 0 },
};
#undef KCMD
#undef K
#undef J

const struct fld_def *
fld_table(size_t *count)
{
    *count = sizeof table / sizeof table[0];
    return table;
}

const struct fld_def *
fld_find(const char *name, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i].name) == n && !memcmp(table[i].name, name, n))
            return &table[i];
    return NULL;
}

const char *
fld_type_name(int t)
{
    static const char *const n[] = {
        "protocol", "boolean", "unsigned", "string", "address", "time"
    };
    return t >= 0 && t <= FT_TIME ? n[t] : "?";
}
