/* pop3.c - POP3 state machine: RFC 1939 commands and multi-line
 * responses, CAPA (RFC 2449), STLS (RFC 2595), AUTH (RFC 5034) via auth.c. */
#include <stdio.h>
#include <string.h>

#include "acc.h"
#include "anom.h"
#include "auth.h"
#include "proto.h"
#include "sess.h"

/* X(ENUM, "VERB", "what it does (RFC)") */
#define POP_CMD_LIST(X) \
    X(UNKNOWN, "", "not a POP3 command") \
    X(USER, "USER", "name the mailbox to log in to (RFC 1939 7)") \
    X(PASS, "PASS", "send the mailbox password, in clear text (RFC 1939 7)") \
    X(APOP, "APOP", "log in with MD5(timestamp + password) instead of a clear password (RFC 1939 7)") \
    X(AUTH, "AUTH", "authenticate with a SASL mechanism; without argument list them (RFC 5034 4)") \
    X(STAT, "STAT", "number of messages and total size of the maildrop (RFC 1939 5)") \
    X(LIST, "LIST", "size of one message, or of every message (RFC 1939 5)") \
    X(UIDL, "UIDL", "unique id of one message, or of every message (RFC 1939 7)") \
    X(RETR, "RETR", "retrieve a whole message (RFC 1939 5)") \
    X(TOP, "TOP", "retrieve the headers and the first N body lines of a message (RFC 1939 7)") \
    X(DELE, "DELE", "mark a message for deletion at QUIT (RFC 1939 5)") \
    X(RSET, "RSET", "unmark all messages marked for deletion (RFC 1939 5)") \
    X(LAST, "LAST", "highest message number accessed (RFC 1460; removed in RFC 1725)") \
    X(NOOP, "NOOP", "do nothing; the server answers +OK (RFC 1939 5)") \
    X(QUIT, "QUIT", "end the session; deletions are applied (RFC 1939 6)") \
    X(CAPA, "CAPA", "list the server's capabilities (RFC 2449 5)") \
    X(STLS, "STLS", "switch the connection to TLS (RFC 2595 4)")

#define POP_CMD_ENUM(e, v, d) POP_CMD_##e,
enum pop_cmd { POP_CMD_LIST(POP_CMD_ENUM) POP_CMD_N };
#undef POP_CMD_ENUM
#define POP_CMD_VERB(e, v, d) v,
static const char *const cmd_verb[] = { POP_CMD_LIST(POP_CMD_VERB) };
#undef POP_CMD_VERB
#define POP_CMD_DESC(e, v, d) d,
static const char *const cmd_desc[] = { POP_CMD_LIST(POP_CMD_DESC) };
#undef POP_CMD_DESC

/* Server states */
enum pop_sstate {
    POP_S_LINE,         /* next line is a status line; initial */
    POP_S_LIST,         /* after a multi-line +OK (LIST, UIDL, CAPA, AUTH) */
    POP_S_BODY,         /* after +OK to RETR/TOP: message text until "." */
};

static const char *
pop3_cmd_desc(const char *verb)
{
    int i;

    for (i = 1; i < POP_CMD_N; i++)
        if (!strcmp(verb, cmd_verb[i]))
            return cmd_desc[i];
    return NULL;
}

static int
cmd_of(const char *verb)
{
    int i;

    for (i = 1; i < POP_CMD_N; i++)
        if (!strcmp(verb, cmd_verb[i]))
            return i;
    return POP_CMD_UNKNOWN;
}

/* Does +OK to this command start a multi-line response? (RFC 1939 3) */
static int
is_multi(const struct pend *pd)
{
    switch (pd->cmd) {
    case POP_CMD_RETR: case POP_CMD_TOP: case POP_CMD_CAPA:
        return 1;
    case POP_CMD_LIST: case POP_CMD_UIDL: case POP_CMD_AUTH:
        return !pd->arg;
    }
    return 0;
}

/* Words servers greet with: an APOP timestamp, "ready", "POP3". */
static int
greeting_like(const uint8_t *p, size_t n)
{
    static const char *const words[] = { "ready", "pop3", "pop 3" };
    size_t i, k, w;

    if (memchr(p, '<', n))
        return 1;
    for (w = 0; w < sizeof words / sizeof words[0]; w++) {
        size_t wl = strlen(words[w]);
        for (i = 0; i + wl <= n; i++) {
            for (k = 0; k < wl && (p[i + k] | 0x20) == words[w][k]; k++)
                ;
            if (k == wl)
                return 1;
        }
    }
    return 0;
}

static void
client_line(struct flow *f, const struct line *ln)
{
    const uint8_t *t, *arg;
    size_t an;
    int cmd;
    struct rec r;

    if (auth_client_line(f, ln, &r))
        return;         /* SASL data, already emitted */
    t = r.text.p;
    arg = r.arg.p;
    an = r.arg.n;
    cmd = cmd_of(r.verb);
    switch (cmd) {
    case POP_CMD_USER:
        auth_user(f, arg, an, ln, &r);
        break;
    case POP_CMD_PASS:
        auth_pass(f, arg, an, ln, &r);
        r.secret_off = (uint16_t)(arg - t);
        break;
    case POP_CMD_APOP:
        auth_apop(f, arg, an, ln, &r);
        if (r.cred.user.n < an)
            r.secret_off = (uint16_t)(arg - t + r.cred.user.n + 1);
        break;
    case POP_CMD_AUTH:
        if (an) {
            const uint8_t *m, *ir;
            size_t mn, irn;
            sess_split(arg, an, &m, &mn, &ir, &irn);
            auth_begin(f, m, mn, ir, irn, ln, &r);
            if (r.flags & REC_F_CRED)
                r.secret_off = (uint16_t)(ir - t);
        }
        break;
    }
    sess_emit(f, DIR_C2S, &r);
    sess_push(f, (uint8_t)cmd, an != 0, &r);
}

static void
multi_end(struct flow *f, struct acc *a)
{
    struct sess *s = f->sess;
    struct rec r;

    if (s->sstate == POP_S_BODY) {
        acc_rec(f, DIR_S2C, a, &r, REC_BODY);
        sess_verb(r.verb, sizeof r.verb, (const uint8_t *)(s->multi_cmd == POP_CMD_TOP ? "TOP" : "RETR"), s->multi_cmd == POP_CMD_TOP ? 3 : 4);
        acc_headers(f, a, &r);
    } else {
        const uint8_t *nl;
        size_t first;
        acc_rec(f, DIR_S2C, a, &r, REC_REPLY);
        nl = memchr(a->text, '\n', a->tn);
        first = nl ? (size_t)(nl - a->text) : a->tn;
        memcpy(r.verb, "+OK", 4);
        r.arg.p = a->text + (first > 4 ? 4 : first);
        r.arg.n = (uint32_t)(first > 4 ? first - 4 : 0);
    }
    sess_answers(&r, &s->multi_req);
    acc_body_emit(f, DIR_S2C, a, &r);
    s->sstate = POP_S_LINE;
}

static void
server_line(struct flow *f, const struct line *ln)
{
    struct sess *s = f->sess;
    struct acc *a = s->acc[DIR_S2C];
    const uint8_t *p = ln->p;
    size_t n = ln->n;
    struct pend pd;
    struct rec r;
    int ok, err, have, first = !s->server_spoke;

    s->server_spoke = 1;
    if (s->sstate != POP_S_LINE && a && a->active) {
        if (s->sstate == POP_S_BODY) {
            if (acc_body_line(a, ln))
                multi_end(f, a);
            return;
        }
        if (n == 1 && p[0] == '.' && ln->eol != EOL_NONE) {
            acc_note(a, ln);
            multi_end(f, a);
            return;
        }
        /* Dot-unstuff (RFC 1939 3). */
        if (n && p[0] == '.')
            acc_add(a, ln, p + 1, n - 1);
        else
            acc_add(a, ln, p, n);
        return;
    }
    ok = n >= 3 && !memcmp(p, "+OK", 3) && (n == 3 || p[3] == ' ');
    err = n >= 4 && !memcmp(p, "-ERR", 4) && (n == 4 || p[4] == ' ');
    sess_rec_line(f, DIR_S2C, ln, &r, REC_REPLY);
    if (!ok && !err && n >= 1 && p[0] == '+' && (n == 1 || p[1] == ' ')
        && sess_peek(f, &pd) && pd.cmd == POP_CMD_AUTH && auth_sasl_open(f)) {
        /* SASL continuation "+ base64" (RFC 5034 4). */
        memcpy(r.verb, "+", 2);
        r.arg.p = p + (n > 2 ? 2 : n);
        r.arg.n = (uint32_t)(n > 2 ? n - 2 : 0);
        auth_challenge(f, r.arg.p, r.arg.n);
        sess_answers(&r, &pd);
        sess_emit(f, DIR_S2C, &r);
        return;
    }
    if (!ok && !err) {
        r.flags |= anom_hit(ANOM_MALFORMED);
        r.arg = r.text;
        sess_emit(f, DIR_S2C, &r);
        return;
    }
    memcpy(r.verb, ok ? "+OK" : "-ERR", ok ? 4 : 5);
    r.arg.p = p + (n > (size_t)(ok ? 4 : 5) ? (ok ? 4 : 5) : n);
    r.arg.n = (uint32_t)(n > (size_t)(ok ? 4 : 5) ? n - (ok ? 4 : 5) : 0);
    if (!s->greeted) {
        /* The greeting comes first and answers no command, even when the
         * client spoke before it (RFC 1939 4). A capture that starts
         * without one (a crafted test) has its first line answer a
         * command: taken so when the command wants a multi-line answer
         * and the line does not read like a greeting. */
        s->greeted = 1;
        if (!sess_peek(f, &pd) || !is_multi(&pd) || greeting_like(p, n)) {
            if (ok)
                auth_banner(f, p, n);
            sess_emit(f, DIR_S2C, &r);
            return;
        }
    }
    have = sess_pop(f, &pd);
    /* (picked up mid-stream, the first reply may answer a command sent
     * before the capture began) */
    if (!have && !(first && s->midstream))
        r.flags |= anom_hit(ANOM_UNMATCHED_REPLY);
    if (have) {
        sess_answers(&r, &pd);
        s->multi_req = pd;      /* a multi-line answer answers it too */
    }
    if (have && ok && is_multi(&pd)) {
        int body = pd.cmd == POP_CMD_RETR || pd.cmd == POP_CMD_TOP;
        if (body) {
            sess_emit(f, DIR_S2C, &r);
            a = acc_open(f, DIR_S2C, 1, NULL);
            if (a) {
                a->pkt_first = a->pkt_last = ln->pkt_last;
                a->ts_first = a->ts_last = ln->ts_last;
                s->sstate = POP_S_BODY;
                s->multi_cmd = pd.cmd;
            }
        } else {
            a = acc_open(f, DIR_S2C, 0, ln);
            if (a) {
                acc_add(a, ln, p, n);
                s->sstate = POP_S_LIST;
                s->multi_cmd = pd.cmd;
            } else {
                sess_emit(f, DIR_S2C, &r);
            }
        }
        return;
    }
    sess_emit(f, DIR_S2C, &r);
    if (!have)
        return;
    switch (pd.cmd) {
    case POP_CMD_USER:
        if (err)
            auth_verdict(f, CRED_REJECTED, p, n, ln);
        break;
    case POP_CMD_PASS: case POP_CMD_APOP: case POP_CMD_AUTH:
        auth_verdict(f, ok ? CRED_ACCEPTED : CRED_REJECTED, p, n, ln);
        break;
    case POP_CMD_STLS:
        if (ok)
            sess_start_tls(f);
        break;
    }
}

static void
pop3_on_line(struct flow *f, int dir, const struct line *ln)
{
    if (dir == DIR_C2S)
        client_line(f, ln);
    else
        server_line(f, ln);
}

static void
pop3_on_gap(struct flow *f, int dir, int cut)
{
    struct sess *s = f->sess;
    struct acc *a = s->acc[dir];
    struct pend pd, keep;
    int kept = 0;

    if (dir == DIR_S2C && a && a->active) {
        a->flags |= ANOM_F(cut ? ANOM_TRUNCATED : ANOM_GAP);
        multi_end(f, a);
    }
    if (cut)
        return;     /* the cut line was handed on: nothing else is lost */
    /* A lost server line while a login waits: its verdict is the next
     * reply (auth_gap); the rest of the queue is gone. */
    while (sess_pop(f, &pd))
        if (dir == DIR_S2C && auth_mech_open(f) != AUTH_NONE
            && (pd.cmd == POP_CMD_PASS || pd.cmd == POP_CMD_APOP || pd.cmd == POP_CMD_AUTH))
            keep = pd, kept = 1;
    if (kept && (keep.cmd != POP_CMD_PASS || auth_has_secret(f)))
        sess_repush(f, &keep);
}

static void
pop3_on_close(struct flow *f)
{
    struct sess *s = f->sess;
    struct acc *a = s->acc[DIR_S2C];

    if (a && a->active && s->sstate != POP_S_LINE) {
        a->flags |= anom_hit(ANOM_UNTERMINATED_MULTILINE);
        multi_end(f, a);
    }
}

/* ---- the protocol's row ---- */

static int
pop3_line_start(int dir, const uint8_t *p, size_t n)
{
    (void)n;
    if (dir == DIR_S2C)
        return p[0] == '+' || p[0] == '-';      /* +OK, -ERR, "+ " */
    return (p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z';    /* a verb */
}

/* A status line (+OK, -ERR; RFC 1939 3) from the server; a command verb
 * from the client. */
static int
pop3_detect(int dir, const uint8_t *p, size_t n, int midstream)
{
    size_t i;
    char verb[16];

    if (dir == DIR_S2C) {
        if ((n >= 3 && !memcmp(p, "+OK", 3) && (n == 3 || p[3] == ' '))
            || (n >= 4 && !memcmp(p, "-ERR", 4) && (n == 4 || p[4] == ' ')))
            return DET_YES;
        return midstream ? DET_MAYBE : DET_NO;
    }
    for (i = 0; i < n && p[i] != ' '; i++)
        ;
    if (i && i < sizeof verb) {
        sess_verb(verb, sizeof verb, p, i);
        if (cmd_of(verb) != POP_CMD_UNKNOWN)
            return DET_YES;
    }
    return midstream ? DET_MAYBE : DET_NO;
}

static int
pop3_reply_explain(const struct rec *r, char *buf, size_t sz)
{
    if (r->kind != REC_REPLY || !r->verb[0])
        return 0;
    snprintf(buf, sz, "Indicator: %.15s%s", r->verb,
             !strcmp(r->verb, "+OK") ? " (success)" :
             !strcmp(r->verb, "-ERR") ? " (error)" :
             !strcmp(r->verb, "+") ? " (SASL continuation)" : "");
    return 1;
}

static int
pop3_is_error(const struct rec *r)
{
    return !strcmp(r->verb, "-ERR");
}

static const char *
pop3_reply_class(const struct rec *r, char *key, size_t ksz)
{
    /* RFC 1939 3: a status indicator, +OK or -ERR; RFC 5034 4: "+" */
    if (ksz)
        key[0] = 0;
    if (r->kind != REC_REPLY)
        return NULL;
    if (!strcmp(r->verb, "+OK")) {
        snprintf(key, ksz, "+OK");
        return "positive: the command succeeded";
    }
    if (!strcmp(r->verb, "-ERR")) {
        snprintf(key, ksz, "-ERR");
        return "negative: the command failed";
    }
    if (!strcmp(r->verb, "+")) {
        snprintf(key, ksz, "+");
        return "SASL continuation: the server waits for the next AUTH line";
    }
    return NULL;
}

/* "[CODE]" right after -ERR (RFC 2449 8, RFC 3206): the code, or NULL. */
static const char *
resp_code(const struct rec *r)
{
    static const struct { const char *code, *why; } codes[] = {
        { "[AUTH]", "authentication failed: the user name or password is wrong "
                    "(RFC 3206 response code [AUTH])" },
        { "[SYS/TEMP]", "a temporary problem on the server, not the "
                        "credentials: try again later (RFC 3206 [SYS/TEMP])" },
        { "[SYS/PERM]", "a permanent problem on the server, not the "
                        "credentials (RFC 3206 [SYS/PERM])" },
        { "[IN-USE]", "the mailbox is locked by another session: close the "
                      "other client (RFC 2449 8.1.2 [IN-USE])" },
        { "[LOGIN-DELAY]", "logged in too soon after the last login "
                           "(RFC 2449 8.1.1 [LOGIN-DELAY])" },
    };
    const uint8_t *p = r->arg.p;
    size_t n = r->arg.n, i, k;

    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        k = strlen(codes[i].code);
        if (n >= k && !memcmp(p, codes[i].code, k))
            return codes[i].why;
    }
    return NULL;
}

static int
pop3_error_explain(const struct rec *cmd, const struct rec *r, char *buf, size_t sz)
{
    const char *v = cmd ? cmd->verb : "", *why;

    if (r->kind != REC_REPLY || strcmp(r->verb, "-ERR"))
        return 0;
    if (cmd && (cmd->flags & ANOM_F(ANOM_EDITED))
        && (!strcmp(v, "PASS") || !strcmp(v, "USER") || !strcmp(v, "APOP"))) {
        snprintf(buf, sz, "the line was edited with Backspace/Delete/^U while "
                 "typing, but the server does no line editing: it checked the "
                 "keys as typed, not the %s meant%s",
                 !strcmp(v, "USER") ? "user name" : "password",
                 resp_code(r) ? " (RFC 3206 response code [AUTH])" : "");
        return 1;
    }
    if ((why = resp_code(r))) {
        snprintf(buf, sz, "%s", why);
        return 1;
    }
    if (cmd && !cmd->text.n && (cmd->flags & ANOM_F(ANOM_TELNET_IAC))) {
        snprintf(buf, sz, "the telnet client's option negotiation (IAC bytes) "
                 "reached the server as a command line; POP3 is not telnet, "
                 "so it is an unknown command: harmless, type the next command");
        return 1;
    }
    if (cmd && (cmd->flags & ANOM_F(ANOM_EDITED))) {
        snprintf(buf, sz, "the line was edited with Backspace/Delete while "
                 "typing; the server does no line editing and got the editing "
                 "keys as bytes (see the typed line)");
        return 1;
    }
    if (cmd && cmd->verb[0] && !pop3_cmd_desc(cmd->verb)) {
        snprintf(buf, sz, "the server does not know this command: POP3 verbs "
                 "are USER, PASS, STAT, LIST, RETR, DELE, QUIT ... (RFC 1939)");
        return 1;
    }
    if (!strcmp(v, "PASS") || !strcmp(v, "APOP") || !strcmp(v, "AUTH")) {
        snprintf(buf, sz, "the login was refused (RFC 1939 7); the server "
                 "gave no response code saying why");
        return 1;
    }
    if (!strcmp(v, "RETR") || !strcmp(v, "DELE") || !strcmp(v, "TOP")
        || (!strcmp(v, "LIST") && cmd->arg.n)) {
        snprintf(buf, sz, "no such message, or it is marked as deleted "
                 "(RFC 1939 5)");
        return 1;
    }
    return 0;
}

/* Fields, with Wireshark's names (pop.*). */
#define POP(r) ((r)->proto == PROTO_POP)
#define IS(r, k) (POP(r) && (r)->kind == (k))
#define CMDLIKE(r) ((r)->kind == REC_CMD || (r)->kind == REC_AUTH)

static int g_pop(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return POP(r) && r->kind != REC_CRED; }
static int g_req(const struct rec *r, struct fld_val *v, int m) { return POP(r) && r->dir == DIR_C2S && r->kind != REC_CRED ? v_rs(v, m, &r->text) : 0; }
/* The verb as sent (Wireshark shows "mail" when the client typed it);
 * rec.verb is upper-cased for the logic and the Info column. */
static int
g_cmd(const struct rec *r, struct fld_val *v, int m)
{
    const uint8_t *sp;

    if (!IS(r, REC_CMD))
        return 0;
    sp = r->text.n ? memchr(r->text.p, ' ', r->text.n) : NULL;
    return v_str(v, m, r->text.p ? r->text.p : (const uint8_t *)"",
                 sp ? (size_t)(sp - r->text.p) : r->text.n);
}
static int g_param(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_CMD) && r->arg.n ? v_rs(v, m, &r->arg) : 0; }
static int g_rsp(const struct rec *r, struct fld_val *v, int m) { return POP(r) && r->dir == DIR_S2C && r->kind != REC_TLS ? v_lines(v, m, &r->text, 0) : 0; }
static int g_ind(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_REPLY) && r->verb[0] ? v_cstr(v, m, r->verb) : 0; }
static int g_desc(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_REPLY) && r->arg.n ? v_rs(v, m, &r->arg) : 0; }
static int
g_data(const struct rec *r, struct fld_val *v, int m)
{
    const uint8_t *nl;
    struct rec_str rest;

    if (IS(r, REC_BODY))
        return v_rs(v, m, &r->text);
    if (!IS(r, REC_REPLY) || r->lines < 2)
        return 0;
    nl = memchr(r->text.p, '\n', r->text.n);
    if (!nl)
        return 0;
    rest.p = nl + 1;
    rest.n = (uint32_t)(r->text.n - (size_t)(nl + 1 - r->text.p));
    return v_lines(v, m, &rest, 0);
}
static int g_user(const struct rec *r, struct fld_val *v, int m) { return POP(r) && CMDLIKE(r) && r->cred.user.n ? v_rs(v, m, &r->cred.user) : 0; }
static int g_pass(const struct rec *r, struct fld_val *v, int m) { return POP(r) && CMDLIKE(r) && (r->flags & REC_F_CRED) ? v_rs(v, m, &r->cred.secret) : 0; }

#define J FLD_JSON
#define K(k) (1u << REC_##k)
static const struct fld_def pop3_fields[] = {
    { "pop", FT_PROTO, 0, "POP3", g_pop, 0, 0 },
    { "pop.request", FT_STR, 0, "POP3 client line", g_req, 0, 0 },
    { "pop.request.command", FT_STR, J, "POP3 command verb as sent", g_cmd, K(CMD), 0 },
    { "pop.request.parameter", FT_STR, J, "POP3 command parameter", g_param, K(CMD), 0 },
    { "pop.response", FT_STR, 0, "POP3 server line (one per line)", g_rsp, 0, 0 },
    { "pop.response.indicator", FT_STR, J, "+OK, -ERR or + (SASL continuation)", g_ind, K(REPLY), 0 },
    { "pop.response.description", FT_STR, J, "text after the indicator", g_desc, K(REPLY), 0 },
    { "pop.response.data", FT_STR, 0, "multi-line response data (one per line; bodies: text)", g_data, 0, 0 },
    { "pop.auth.username", FT_STR, J, "decoded user name (USER, APOP, AUTH)", g_user, K(CMD) | K(AUTH), 0 },
    { "pop.auth.password", FT_STR, J, "password, digest or token (PASS, APOP, AUTH)", g_pass, K(CMD) | K(AUTH), 0 },
};
#undef K
#undef J

const struct proto_ops pop3_proto = {
    .name = "pop",
    .alias = "pop3",
    .label = "POP",
    .title = "Post Office Protocol v3",
    /* RFC 1939 (110); implicit TLS RFC 8314 (995) */
    .ports = { 110 },
    .tls_ports = { 995 },
    .on_line = pop3_on_line,
    .on_gap = pop3_on_gap,
    .on_close = pop3_on_close,
    .line_start = pop3_line_start,
    .detect = pop3_detect,
    .cmd_desc = pop3_cmd_desc,
    .reply_explain = pop3_reply_explain,
    .is_error = pop3_is_error,
    .reply_class = pop3_reply_class,
    .error_explain = pop3_error_explain,
    .fields = pop3_fields,
    .nfields = sizeof pop3_fields / sizeof pop3_fields[0],
};
