/* field.c - the field registry: one table for the display filter, the
 * JSON printer and --list-fields. Names follow Wireshark's where they
 * overlap (smtp.req.command, pop.response.indicator, ip.addr ...). */
#include <string.h>

#include "dec.h"
#include "field.h"
#include "proto.h"
#include "telnet.h"

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
    struct ms_time t0 = rec_t0(r);
    int64_t s = ms_sec_sub(r->ts.sec, t0.sec);
    int64_t ns = (int64_t)r->ts.nsec - t0.nsec;

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
    if (!(r->flags & (ANOM_F(ANOM_GAP))))
        return 0;
    return v_uint(v, m, r->kind == REC_NOTE ? r->size : 0);
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
IMF_GETTER(g_imf_reply_to, IMF_REPLY_TO)
#define IMF_RAW_GETTER(fn, h) \
    static int fn(const struct rec *r, struct fld_val *v, int m) \
    { return r->kind == REC_BODY && r->imf_raw[h].n ? v_rs(v, m, &r->imf_raw[h]) : 0; }
IMF_RAW_GETTER(g_imf_from_raw, IMF_FROM)
IMF_RAW_GETTER(g_imf_to_raw, IMF_TO)
IMF_RAW_GETTER(g_imf_cc_raw, IMF_CC)
IMF_RAW_GETTER(g_imf_subject_raw, IMF_SUBJECT)
IMF_RAW_GETTER(g_imf_reply_to_raw, IMF_REPLY_TO)
static int g_imf_cut(const struct rec *r, struct fld_val *v, int m) { return r->kind == REC_BODY && r->imf_cut ? v_uint(v, m, r->imf_cut) : 0; }

/* tls, telnet */
static int
g_telnet(const struct rec *r, struct fld_val *v, int m)
{
    (void)v;
    (void)m;
    return r->typed.n || (r->nseg > 1 && r->dir == DIR_C2S && (CMD(r) || r->kind == REC_AUTH));
}
static int
g_tn_neg(const struct rec *r, struct fld_val *v, int m)
{
    const char *names[FLD_MAXV];
    int k, i;

    /* only where the connection speaks telnet: elsewhere 0xff is data */
    if (r->dir != DIR_C2S || !r->typed.n || !(r->flags & ANOM_F(ANOM_TELNET_IAC)))
        return 0;
    k = tn_negotiation(r->typed.p, r->typed.n, names, m < FLD_MAXV ? m : FLD_MAXV);
    for (i = 0; i < k; i++)
        v_cstr(v + i, 1, names[i]);
    return k;
}
static int g_tn_typed(const struct rec *r, struct fld_val *v, int m) { return r->typed.n ? v_rs(v, m, &r->typed) : 0; }
static int
g_tn_edited(const struct rec *r, struct fld_val *v, int m)
{
    /* Present only when editing changed the line, like an expert flag. */
    if (r->dir != DIR_C2S || !(r->flags & (ANOM_F(ANOM_EDITED))))
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

/* data (not mail), detection */
static int g_data(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return r->kind == REC_DATA; }
static int g_data_len(const struct rec *r, struct fld_val *v, int m) { return r->kind == REC_DATA ? v_uint(v, m, r->size) : 0; }
static int g_req_in(const struct rec *r, struct fld_val *v, int m) { return r->req_pkt ? v_uint(v, m, r->req_pkt) : 0; }
static int g_req_verb(const struct rec *r, struct fld_val *v, int m) { return r->req_pkt && r->req_verb[0] ? v_cstr(v, m, r->req_verb) : 0; }
static int
g_req_time(const struct rec *r, struct fld_val *v, int m)
{
    int64_t s = ms_sec_sub(r->ts.sec, r->req_ts.sec);
    int64_t ns = (int64_t)r->ts.nsec - r->req_ts.nsec;

    if (!r->req_pkt || m < 1)
        return 0;
    if (ns < 0) {
        ns += 1000000000;
        s--;
    }
    if (s < 0)
        s = ns = 0;     /* a capture that goes back in time */
    v->type = FT_TIME;
    v->t.sec = s;
    v->t.nsec = (uint32_t)ns;
    return 1;
}
static int g_detect(const struct rec *r, struct fld_val *v, int m) { return r->detect ? v_cstr(v, m, det_how_name(r->detect)) : 0; }

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
        if (r->flags & ANOM_F(a))
            k += v_cstr(v + k, m - k, anom_name(a));
    return k;
}

#define J FLD_JSON
#define K(k) (1u << REC_##k)
static const struct fld_def head[] = {
    { "frame.number", FT_UINT, 0, "packet that completed the message", g_frame, 0, 0 },
    { "frame.first", FT_UINT, 0, "first packet that carried part of the message", g_frame_first, 0, 0 },
    { "frame.time", FT_TIME, 0, "capture time of the completing packet (epoch seconds)", g_time, 0, 0 },
    { "frame.time_relative", FT_TIME, 0, "seconds since the first packet", g_time_rel, 0, 0 },
    { "ip", FT_PROTO, 0, "IPv4", g_ip, 0, 0 },
    { "ip.src", FT_ADDR, 0, "IPv4 source", g_ip_src, 0, 0 },
    { "ip.dst", FT_ADDR, 0, "IPv4 destination", g_ip_dst, 0, 0 },
    { "ip.addr", FT_ADDR, 0, "IPv4 source or destination", g_ip_addr, 0, 0 },
    { "ipv6", FT_PROTO, 0, "IPv6", g_ipv6, 0, 0 },
    { "ipv6.src", FT_ADDR, 0, "IPv6 source", g_ip6_src, 0, 0 },
    { "ipv6.dst", FT_ADDR, 0, "IPv6 destination", g_ip6_dst, 0, 0 },
    { "ipv6.addr", FT_ADDR, 0, "IPv6 source or destination", g_ip6_addr, 0, 0 },
    { "tcp", FT_PROTO, 0, "TCP (every record)", g_tcp, 0, 0 },
    { "tcp.srcport", FT_UINT, 0, "TCP source port", g_sport, 0, 0 },
    { "tcp.dstport", FT_UINT, 0, "TCP destination port", g_dport, 0, 0 },
    { "tcp.port", FT_UINT, 0, "TCP source or destination port", g_port, 0, 0 },
    { "tcp.stream", FT_UINT, 0, "mail connection index (counts mail connections only)", g_stream, 0, 0 },
    { "tcp.gap", FT_UINT, 0, "record follows bytes that were never captured (gap notes: bytes lost)", g_gap, 0, 0 },
};

/* after the protocols' fields */
static const struct fld_def tail[] = {
    { "imf", FT_PROTO, 0, "a message body (DATA, BDAT, RETR, TOP, IMAP FETCH, APPEND)", g_imf, 0, 0 },
    { "imf.from", FT_STR, J, "From header", g_imf_from, K(BODY), 0 },
    { "imf.to", FT_STR, J, "To header", g_imf_to, K(BODY), 0 },
    { "imf.cc", FT_STR, J, "Cc header", g_imf_cc, K(BODY), 0 },
    { "imf.subject", FT_STR, J, "Subject header", g_imf_subject, K(BODY), 0 },
    { "imf.date", FT_STR, J, "Date header", g_imf_date, K(BODY), 0 },
    { "imf.message_id", FT_STR, J, "Message-ID header", g_imf_msgid, K(BODY), 0 },
    { "imf.reply_to", FT_STR, J, "Reply-To header", g_imf_reply_to, K(BODY), 0 },
    { "imf.from.raw", FT_STR, J, "From header as sent, when encoded words were decoded", g_imf_from_raw, K(BODY), 0 },
    { "imf.to.raw", FT_STR, J, "To header as sent, when encoded words were decoded", g_imf_to_raw, K(BODY), 0 },
    { "imf.cc.raw", FT_STR, J, "Cc header as sent, when encoded words were decoded", g_imf_cc_raw, K(BODY), 0 },
    { "imf.subject.raw", FT_STR, J, "Subject header as sent, when encoded words were decoded", g_imf_subject_raw, K(BODY), 0 },
    { "imf.reply_to.raw", FT_STR, J, "Reply-To header as sent, when encoded words were decoded", g_imf_reply_to_raw, K(BODY), 0 },
    { "imf.truncated", FT_UINT, J, "header value bytes cut (header_truncated)", g_imf_cut, K(BODY), 0 },
    { "telnet", FT_PROTO, 0, "a client line typed in several segments or with telnet commands", g_telnet, 0, 0 },
    { "telnet.typed", FT_STR, J | FLD_IF_TYPED, "raw keystrokes before line editing", g_tn_typed, 0, 0 },
    { "telnet.negotiation", FT_STR, J | FLD_IF_TYPED, "telnet commands the client sent (RFC 854/855): \"DO ECHO\", \"WILL NAWS\"", g_tn_neg, 0, 0 },
    { "telnet.edited", FT_BOOL, 0, "line editing (BS, DEL, ^U) changed the line", g_tn_edited, 0, 0 },
    { "telnet.keystrokes", FT_UINT, 0, "segments that carried the client line", g_tn_keys, 0, 0 },
    { "cred", FT_PROTO, 0, "a credential or a message carrying a secret", g_cred, 0, 0 },
    { "cred.user", FT_STR, 0, "user name of a login attempt", g_cred_user, 0, 0 },
    { "cred.secret", FT_STR, 0, "password, token or digest", g_cred_secret, 0, 0 },
    { "cred.mech", FT_STR, 0, "USER/PASS (also IMAP LOGIN), APOP, PLAIN, LOGIN, CRAM-MD5, XOAUTH2, OAUTHBEARER", g_cred_mech, 0, 0 },
    { "cred.result", FT_STR, 0, "accepted, rejected or unknown", g_cred_result, 0, 0 },
    { "cred.challenge", FT_STR, 0, "CRAM-MD5 challenge or APOP timestamp", g_cred_chal, 0, 0 },
    { "cred.authzid", FT_STR, 0, "PLAIN authorization identity", g_cred_authzid, 0, 0 },
    { "data", FT_PROTO, 0, "the first bytes of a connection on a mail port that is not mail", g_data, 0, 0 },
    { "data.len", FT_UINT, 0, "bytes of it seen before the verdict", g_data_len, 0, 0 },
    { "msg.request_in", FT_UINT, 0, "a reply: the frame of the command it answers", g_req_in, 0, 0 },
    { "msg.request", FT_STR, 0, "a reply: the verb of the command it answers", g_req_verb, 0, 0 },
    { "msg.time", FT_TIME, 0, "a reply: seconds since the command it answers", g_req_time, 0, 0 },
    { "detected_by", FT_STR, 0, "what chose the protocol: greeting, command, tls, port (mid-stream or undecided), forced (--port)", g_detect, 0, 0 },
    { "msg.kind", FT_STR, 0, "command, reply, body, auth, credential, tls, note, data", g_kind, 0, 0 },
    { "msg.dir", FT_STR, 0, "C (client to server) or S", g_dir, 0, 0 },
    { "msg.text", FT_STR, 0, "the message text as shown", g_text, 0, 0 },
    { "msg.len", FT_UINT, 0, "bytes on the wire", g_len, 0, 0 },
    { "msg.flag", FT_STR, 0, "anomaly names set on the record", g_flag, 0, 0 },
};
#undef K
#undef J

/* The registry: head, each protocol's fields (proto.h) in table order,
 * tail; built once, constant after. */
#define FLD_MAX 256
static struct fld_def all[FLD_MAX];
static size_t nall;

static void
add(const struct fld_def *t, size_t n, uint8_t proto)
{
    size_t i;

    for (i = 0; i < n && nall < FLD_MAX; i++) {
        all[nall] = t[i];
        all[nall++].proto = proto;
    }
}

const struct fld_def *
fld_table(size_t *count)
{
    const struct proto_ops *P;
    int id;

    if (!nall) {
        add(head, sizeof head / sizeof head[0], 0);
        for (id = PROTO_NONE + 1; id < PROTO_N; id++)
            if ((P = proto_get(id)))
                add(P->fields, P->nfields, (uint8_t)id);
        add(tail, sizeof tail / sizeof tail[0], 0);
        add(tls_fields, tls_nfields, 0);
    }
    *count = nall;
    return all;
}

const struct fld_def *
fld_find(const char *name, size_t n)
{
    size_t i, k;
    const struct fld_def *t = fld_table(&k);

    for (i = 0; i < k; i++)
        if (strlen(t[i].name) == n && !memcmp(t[i].name, name, n))
            return &t[i];
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
