/* smtp.c - SMTP state machine: RFC 5321 commands and replies, ESMTP
 * (RFC 1869), PIPELINING (RFC 2920), CHUNKING/BDAT (RFC 3030), STARTTLS
 * (RFC 3207), AUTH (RFC 4954) via auth.c. */
#include <stdio.h>
#include <string.h>

#include "acc.h"
#include "anom.h"
#include "auth.h"
#include "proto.h"
#include "sess.h"

/* X(ENUM, "VERB", "what it does (RFC)") */
#define SMTP_CMD_LIST(X) \
    X(UNKNOWN, "", "not an SMTP command") \
    X(HELO, "HELO", "identify the client (RFC 5321 4.1.1.1)") \
    X(EHLO, "EHLO", "identify the client and ask for ESMTP extensions (RFC 5321 4.1.1.1)") \
    X(MAIL, "MAIL", "start a mail transaction with the reverse path (RFC 5321 4.1.1.2)") \
    X(RCPT, "RCPT", "add one recipient to the transaction (RFC 5321 4.1.1.3)") \
    X(DATA, "DATA", "send the message text, ended by a line with a single dot (RFC 5321 4.1.1.4)") \
    X(BDAT, "BDAT", "send a chunk of the message of the given size (RFC 3030 2)") \
    X(RSET, "RSET", "abort the current mail transaction (RFC 5321 4.1.1.5)") \
    X(VRFY, "VRFY", "ask whether a user or mailbox exists (RFC 5321 4.1.1.6)") \
    X(EXPN, "EXPN", "ask for the members of a mailing list (RFC 5321 4.1.1.7)") \
    X(HELP, "HELP", "ask the server for help text (RFC 5321 4.1.1.8)") \
    X(NOOP, "NOOP", "do nothing; the server answers 250 (RFC 5321 4.1.1.9)") \
    X(QUIT, "QUIT", "end the session; the server answers 221 and closes (RFC 5321 4.1.1.10)") \
    X(AUTH, "AUTH", "authenticate with a SASL mechanism (RFC 4954 4)") \
    X(STARTTLS, "STARTTLS", "switch the connection to TLS (RFC 3207 4)") \
    X(DATA_END, "", "end of message text")

#define SMTP_CMD_ENUM(e, v, d) SMTP_CMD_##e,
enum smtp_cmd { SMTP_CMD_LIST(SMTP_CMD_ENUM) SMTP_CMD_N };
#undef SMTP_CMD_ENUM
#define SMTP_CMD_VERB(e, v, d) v,
static const char *const cmd_verb[] = { SMTP_CMD_LIST(SMTP_CMD_VERB) };
#undef SMTP_CMD_VERB
#define SMTP_CMD_DESC(e, v, d) d,
static const char *const cmd_desc[] = { SMTP_CMD_LIST(SMTP_CMD_DESC) };
#undef SMTP_CMD_DESC

/* Client states */
enum smtp_cstate {
    SMTP_C_CMD,         /* commands; initial */
    SMTP_C_DATA_WAIT,   /* after DATA, before its 354 */
    SMTP_C_BODY,        /* after 354: message text until CRLF.CRLF */
};

/* Server states */
enum smtp_sstate {
    SMTP_S_LINE,        /* next line starts a reply */
    SMTP_S_MULTI,       /* inside a "250-" multi-line reply */
};

static const char *
smtp_cmd_desc(const char *verb)
{
    int i;

    for (i = 1; i < SMTP_CMD_N; i++)
        if (cmd_verb[i][0] && !strcmp(verb, cmd_verb[i]))
            return cmd_desc[i];
    return NULL;
}

static const char *
smtp_code_desc(unsigned code)
{
    /* RFC 5321 4.2.2-4.2.3, RFC 4954 6, RFC 3207 4 */
    switch (code) {
    case 211: return "system status";
    case 214: return "help message";
    case 220: return "service ready";
    case 221: return "service closing transmission channel";
    case 235: return "authentication succeeded";
    case 250: return "requested mail action okay, completed";
    case 251: return "user not local; will forward";
    case 252: return "cannot verify user, but will accept message";
    case 334: return "server challenge (AUTH continues)";
    case 354: return "start mail input; end with <CRLF>.<CRLF>";
    case 421: return "service not available, closing channel";
    case 432: return "password transition needed";
    case 450: return "mailbox unavailable (busy)";
    case 451: return "local error in processing";
    case 452: return "insufficient system storage";
    case 454: return "temporary authentication failure";
    case 455: return "server unable to accommodate parameters";
    case 500: return "syntax error, command unrecognized";
    case 501: return "syntax error in parameters or arguments";
    case 502: return "command not implemented";
    case 503: return "bad sequence of commands";
    case 504: return "command parameter not implemented";
    case 530: return "authentication required";
    case 534: return "authentication mechanism is too weak";
    case 535: return "authentication credentials invalid";
    case 538: return "encryption required for requested mechanism";
    case 550: return "mailbox unavailable";
    case 551: return "user not local";
    case 552: return "exceeded storage allocation";
    case 553: return "mailbox name not allowed";
    case 554: return "transaction failed";
    case 555: return "MAIL/RCPT parameters not recognized";
    }
    switch (code / 100) {
    case 2: return "positive completion";
    case 3: return "positive intermediate";
    case 4: return "transient negative completion";
    case 5: return "permanent negative completion";
    }
    return NULL;
}

/* A verb's first eight bytes as one number: verbs come zero-padded in
 * 16 bytes (rec.verb), none of ours is longer than eight, and sess_verb
 * never leaves a 0xff byte, so ~0 matches nothing. */
static uint64_t
verb_key(const char *v)
{
    uint64_t k;

    memcpy(&k, v, sizeof k);
    return k;
}

static int
cmd_of(const char verb[16])
{
    static uint64_t key[SMTP_CMD_N];
    static int ready;
    uint64_t k;
    int i;

    if (!ready) {
        for (i = 0; i < SMTP_CMD_N; i++) {
            char v[16] = { 0 };
            size_t n = strlen(cmd_verb[i]);
            key[i] = ~(uint64_t)0;
            if (i && n && n <= 8) {
                memcpy(v, cmd_verb[i], n);
                key[i] = verb_key(v);
            }
        }
        ready = 1;
    }
    if (verb[8])
        return SMTP_CMD_UNKNOWN;
    k = verb_key(verb);
    for (i = 1; i < SMTP_CMD_N; i++)
        if (key[i] == k)
            return i;
    return SMTP_CMD_UNKNOWN;
}

/* Parse a decimal size with overflow check; a hint, never an allocation. */
static int
parse_u64(const uint8_t *p, size_t n, uint64_t *v)
{
    size_t i;

    *v = 0;
    if (!n || n > 19)
        return -1;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        *v = *v * 10 + (uint64_t)(p[i] - '0');
    }
    return 0;
}

/* A DATA or BDAT body is complete (or cut by a gap or the flow's end). */
static void
body_end(struct flow *f, struct acc *a, const char *verb)
{
    struct rec r;

    f->sess->bdat = 0;
    acc_rec(f, DIR_C2S, a, &r, REC_BODY);
    sess_verb(r.verb, sizeof r.verb, (const uint8_t *)verb, strlen(verb));
    acc_headers(f, a, &r);
    acc_body_emit(f, DIR_C2S, a, &r);
}

/* The body ended at its dot: the reply to come answers the message. */
static void
data_end(struct flow *f, struct acc *a)
{
    struct rec r;

    acc_rec(f, DIR_C2S, a, &r, REC_BODY);
    memcpy(r.verb, "DATA", 5);
    body_end(f, a, "DATA");
    f->sess->cstate = SMTP_C_CMD;
    sess_push(f, SMTP_CMD_DATA_END, 0, &r);
}

/* A DATA body: it ends only at CRLF . CRLF (RFC 5321 4.1.1.4); a dot
 * line framed by a bare LF or CR is text (acc.h's strict framing). */
static struct acc *
body_open(struct flow *f, const struct line *ln)
{
    struct acc *a = acc_open(f, DIR_C2S, 1, ln);

    if (a)
        a->strict = 1;
    return a;
}

/* "BDAT size [LAST]" (RFC 3030 2): the size is digits, and the only
 * keyword is LAST; anything else is a command the server rejects, not
 * a chunk. Returns 0 with *size and *last, or -1. */
static int
bdat_args(const uint8_t *arg, size_t an, uint64_t *size, int *last)
{
    const uint8_t *sz, *kw;
    size_t szn, kwn;

    sess_split(arg, an, &sz, &szn, &kw, &kwn);
    if (parse_u64(sz, szn, size) < 0)
        return -1;
    *last = 0;
    if (!kwn)
        return 0;
    if (kwn == 4 && (kw[0] | 0x20) == 'l' && (kw[1] | 0x20) == 'a'
        && (kw[2] | 0x20) == 's' && (kw[3] | 0x20) == 't') {
        *last = 1;
        return 0;
    }
    return -1;
}

static void
client_line(struct flow *f, const struct line *ln)
{
    struct sess *s = f->sess;
    struct acc *a = s->acc[DIR_C2S];
    const uint8_t *t, *arg;
    size_t an;
    int cmd;
    struct rec r;

    if (s->cstate == SMTP_C_DATA_WAIT) {
        /* A client sends nothing after DATA until the 354 (RFC 2920 3.1:
         * DATA ends a pipelined group), so a line now means the 354 was
         * not captured (one-sided capture, lost segment): take DATA as
         * accepted. */
        s->cstate = SMTP_C_BODY;
        s->multi_cmd = 1;   /* the 354, if it comes, is already acted on */
        a = body_open(f, ln);
    }
    if (s->cstate == SMTP_C_BODY) {
        if (!a || !a->active)
            a = body_open(f, ln);
        if (!a)
            return;
        if (acc_body_line(a, ln))
            data_end(f, a);
        return;
    }
    if (auth_client_line(f, ln, &r))
        return;         /* SASL data, already emitted */
    t = r.text.p;
    arg = r.arg.p;
    an = r.arg.n;
    cmd = cmd_of(r.verb);
    switch (cmd) {
    case SMTP_CMD_AUTH: {
        const uint8_t *m, *ir;
        size_t mn, irn;
        sess_split(arg, an, &m, &mn, &ir, &irn);
        auth_begin(f, m, mn, ir, irn, ln, &r);
        if (r.flags & REC_F_CRED)
            r.secret_off = (uint16_t)(ir - t);
        break;
    }
    case SMTP_CMD_DATA:
        s->cstate = SMTP_C_DATA_WAIT;
        break;
    case SMTP_CMD_BDAT: {
        uint64_t size;
        int last;
        if (bdat_args(arg, an, &size, &last) < 0) {
            r.flags |= anom_hit(ANOM_MALFORMED);
            break;
        }
        /* The chunks of one message are one body: the first opens it,
         * LAST ends it. */
        if (!s->bdat || !a || !a->active) {
            /* the body begins with its first octet (smtp_on_raw) */
            a = acc_open(f, DIR_C2S, 1, NULL);
            s->bdat = a != NULL;
        }
        s->raw_left[DIR_C2S] = size;
        s->raw_last = (uint8_t)last;
        sess_emit(f, DIR_C2S, &r);
        sess_push(f, (uint8_t)cmd, an != 0, &r);
        if (!size && last && a && a->active)
            body_end(f, a, "BDAT");
        return;
    }
    case SMTP_CMD_MAIL: case SMTP_CMD_RSET: case SMTP_CMD_QUIT:
        /* a BDAT message without its LAST chunk is over */
        if (s->bdat && a && a->active) {
            a->flags |= anom_hit(ANOM_UNTERMINATED_MULTILINE);
            body_end(f, a, "BDAT");
        }
        break;
    }
    sess_emit(f, DIR_C2S, &r);
    sess_push(f, (uint8_t)cmd, an != 0, &r);
}

static size_t
smtp_on_raw(struct flow *f, int dir, const uint8_t *p, size_t n, uint64_t pkt,
            const struct ms_time *ts)
{
    struct sess *s = f->sess;
    struct acc *a = s->acc[DIR_C2S];
    size_t k = n < s->raw_left[DIR_C2S] ? n : (size_t)s->raw_left[DIR_C2S];

    (void)dir;      /* only the client sends raw bytes (BDAT chunks) */

    if (a && a->active) {
        if (!a->nseg) {
            a->pkt_first = pkt;
            a->ts_first = *ts;
        }
        acc_body_bytes(a, p, k, pkt, ts);
    }
    s->raw_left[DIR_C2S] -= k;
    if (!s->raw_left[DIR_C2S] && s->raw_last && a && a->active)
        body_end(f, a, "BDAT");
    return k;
}

/* A complete reply: match it to its command and move the states. */
static void
reply_done(struct flow *f, struct rec *r, const uint8_t *first, size_t fn,
           const struct line *ln)
{
    struct sess *s = f->sess;
    struct pend pd = {0};
    unsigned code = r->code;
    int have = sess_peek(f, &pd), first_reply = !s->server_spoke;
    const uint8_t *txt = fn > 4 ? first + 4 : first + fn;
    size_t tn = fn > 4 ? fn - 4 : 0;

    s->server_spoke = 1;
    if (!s->greeted) {
        /* The server's greeting comes first and answers no command,
         * even when the client spoke before it (RFC 5321 3.1): 220, or
         * 554/421 for a refusal. A capture that starts without one (a
         * crafted test, a lost segment) has its first reply answer the
         * first command. */
        s->greeted = 1;
        if (!have || code == 220 || code == 421 || code == 554) {
            sess_emit(f, DIR_S2C, r);
            return;
        }
    }
    if (code == 334 && have && pd.cmd == SMTP_CMD_AUTH && auth_sasl_open(f)) {
        /* Server challenge: the AUTH exchange goes on (RFC 4954 4). */
        auth_challenge(f, txt, tn);
        sess_answers(r, &pd);
        sess_emit(f, DIR_S2C, r);
        return;
    }
    /* (picked up mid-stream, the first reply may answer a command sent
     * before the capture began) */
    if (!have && !(first_reply && s->midstream))
        r->flags |= anom_hit(ANOM_UNMATCHED_REPLY);
    if (have)
        sess_answers(r, &pd);
    sess_emit(f, DIR_S2C, r);
    if (!have)
        return;
    sess_pop(f, &pd);
    switch (pd.cmd) {
    case SMTP_CMD_DATA:
        if (code == 354 && s->multi_cmd)
            s->multi_cmd = 0;
        else if (code == 354)
            s->cstate = SMTP_C_BODY;
        else if (s->cstate == SMTP_C_DATA_WAIT)
            s->cstate = SMTP_C_CMD;
        break;
    case SMTP_CMD_AUTH:
        auth_verdict(f, code >= 200 && code < 300 ? CRED_ACCEPTED : CRED_REJECTED,
                     first, fn, ln);
        break;
    case SMTP_CMD_STARTTLS:
        if (code == 220)
            sess_start_tls(f);
        break;
    }
}

/* The first line of a multi-line reply, and its text after the code as
 * the record's argument. */
static size_t
first_line_len(const struct acc *a)
{
    const uint8_t *nl = memchr(a->text, '\n', a->tn);
    return nl ? (size_t)(nl - a->text) : a->tn;
}

static void
reply_text(const struct acc *a, struct rec *r)
{
    size_t first = first_line_len(a);

    r->arg.p = a->text + (a->tn > 4 ? 4 : a->tn);
    r->arg.n = (uint32_t)(first > 4 ? first - 4 : 0);
}

static void
server_line(struct flow *f, const struct line *ln)
{
    struct sess *s = f->sess;
    struct acc *a = s->acc[DIR_S2C];
    const uint8_t *p = ln->p;
    size_t n = ln->n;
    unsigned code = 0;
    int numeric = n >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0'
        && p[1] <= '9' && p[2] >= '0' && p[2] <= '9';
    int more = numeric && n > 3 && p[3] == '-';
    struct rec r;

    if (numeric)
        code = (unsigned)((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
    if (numeric && s->cstate == SMTP_C_BODY && !s->bdat && s->acc[DIR_C2S]
        && s->acc[DIR_C2S]->active && s->acc[DIR_C2S]->dot_end) {
        /* The server answers a body whose last line was a dot framed by
         * a bare LF (openssl s_client sends LF line ends): it took that
         * for the end (still flagged smtp_smuggling), and so do we. */
        data_end(f, s->acc[DIR_C2S]);
    }
    if (s->sstate == SMTP_S_MULTI && a && a->active) {
        acc_add(a, ln, p, n);
        if (!numeric || code != a->code)
            a->flags |= anom_hit(ANOM_MALFORMED);
        if (more)
            return;
        s->sstate = SMTP_S_LINE;
        acc_rec(f, DIR_S2C, a, &r, REC_REPLY);
        reply_text(a, &r);
        acc_close(a);
        reply_done(f, &r, a->text, first_line_len(a), ln);
        return;
    }
    if (more) {
        a = acc_open(f, DIR_S2C, 0, ln);
        if (a) {
            a->code = (uint16_t)code;
            sess_verb(a->verb, sizeof a->verb, p, 3);
            acc_add(a, ln, p, n);
            s->sstate = SMTP_S_MULTI;
            return;
        }
    }
    sess_rec_line(f, DIR_S2C, ln, &r, REC_REPLY);
    if (numeric && (n == 3 || p[3] == ' ' || p[3] == '-')) {
        r.code = (uint16_t)code;
        sess_verb(r.verb, sizeof r.verb, p, 3);
        r.arg.p = p + (n > 4 ? 4 : n);
        r.arg.n = (uint32_t)(n > 4 ? n - 4 : 0);
        reply_done(f, &r, p, n, ln);
    } else {
        /* Not a reply line: show it, flagged, and leave the queue. */
        r.flags |= anom_hit(ANOM_MALFORMED);
        r.arg = r.text;
        sess_emit(f, DIR_S2C, &r);
    }
}

static void
smtp_on_line(struct flow *f, int dir, const struct line *ln)
{
    if (dir == DIR_C2S)
        client_line(f, ln);
    else
        server_line(f, ln);
}

static void
smtp_on_gap(struct flow *f, int dir, int cut)
{
    struct sess *s = f->sess;
    struct acc *a = s->acc[dir];
    struct pend pd;
    uint64_t why = ANOM_F(cut ? ANOM_TRUNCATED : ANOM_GAP);
    struct pend keep;
    int kept = 0;
    struct rec r;

    /* Lines in flight are gone: end partial records and drop the queue,
     * and resynchronise on the next server reply (STYLE 4). */
    if (a && a->active) {
        if (a->body && dir == DIR_C2S) {
            a->flags |= why;
            body_end(f, a, s->bdat ? "BDAT" : "DATA");
        } else if (dir == DIR_S2C && s->sstate == SMTP_S_MULTI) {
            /* a multi-line reply cut short still answers its command */
            a->flags |= why;
            s->sstate = SMTP_S_LINE;
            acc_rec(f, DIR_S2C, a, &r, REC_REPLY);
            reply_text(a, &r);
            acc_close(a);
            reply_done(f, &r, a->text, first_line_len(a), NULL);
        }
        acc_close(a);
    }
    if (dir == DIR_S2C)
        s->sstate = SMTP_S_LINE;
    if (cut)
        return;     /* the cut line was handed on: nothing else is lost */
    while (sess_pop(f, &pd))
        if (pd.cmd == SMTP_CMD_AUTH)
            keep = pd, kept = 1;
    /* A lost server line inside AUTH: the exchange goes on, its verdict
     * is the next reply (auth_gap). */
    if (dir == DIR_S2C && auth_mech_open(f) != AUTH_NONE) {
        if (kept)
            sess_repush(f, &keep);
        else
            sess_push(f, SMTP_CMD_AUTH, 1, NULL);
    }
    if (dir == DIR_C2S) {
        s->raw_left[DIR_C2S] = 0;
        /* Inside a body we cannot tell where it ends; look for commands. */
        if (s->cstate != SMTP_C_BODY)
            s->cstate = SMTP_C_CMD;
    }
}

static void
smtp_on_close(struct flow *f)
{
    struct sess *s = f->sess;
    struct acc *a;
    struct rec r;

    if ((a = s->acc[DIR_C2S]) && a->active && a->body) {
        a->flags |= anom_hit(ANOM_UNTERMINATED_MULTILINE);
        body_end(f, a, s->bdat ? "BDAT" : "DATA");
    }
    if ((a = s->acc[DIR_S2C]) && a->active) {
        a->flags |= anom_hit(ANOM_UNTERMINATED_MULTILINE);
        acc_rec(f, DIR_S2C, a, &r, REC_REPLY);
        sess_emit(f, DIR_S2C, &r);
        acc_close(a);
    }
}

/* ---- the protocol's row ---- */

static int
smtp_line_start(int dir, const uint8_t *p, size_t n)
{
    (void)n;
    if (dir == DIR_S2C)
        return p[0] >= '0' && p[0] <= '9';     /* a reply code */
    return (p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z';    /* a verb */
}

/* A reply line (RFC 5321 4.2: three digits, 2xx-5xx, then SP, "-" or
 * nothing) from the server; a command verb from the client. */
static int
smtp_detect(int dir, const uint8_t *p, size_t n, int midstream)
{
    size_t i;
    char verb[16];

    if (dir == DIR_S2C) {
        if (n >= 3 && p[0] >= '2' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9'
            && p[2] >= '0' && p[2] <= '9' && (n == 3 || p[3] == ' ' || p[3] == '-'))
            return DET_YES;
        return midstream ? DET_MAYBE : DET_NO;
    }
    for (i = 0; i < n && p[i] != ' '; i++)
        ;
    if (i && i < sizeof verb) {
        sess_verb(verb, sizeof verb, p, i);
        if (cmd_of(verb) != SMTP_CMD_UNKNOWN)
            return DET_YES;
    }
    return midstream ? DET_MAYBE : DET_NO;
}

static const char *
code_class(unsigned code)
{
    switch (code / 100) {
    case 1: return "1xx positive preliminary";
    case 2: return "2xx positive completion";
    case 3: return "3xx positive intermediate";
    case 4: return "4xx transient negative completion";
    case 5: return "5xx permanent negative completion";
    default: return "not a valid reply class";
    }
}

static int
smtp_reply_explain(const struct rec *r, char *buf, size_t sz)
{
    const char *desc;

    if (r->kind != REC_REPLY || !r->code)
        return 0;
    desc = smtp_code_desc(r->code);
    snprintf(buf, sz, "Reply code: %u (%s%s%s)", (unsigned)r->code,
             code_class(r->code), desc ? ": " : "", desc ? desc : "");
    return 1;
}

static int
smtp_is_error(const struct rec *r)
{
    return r->code >= 400;
}

static const char *
smtp_reply_class(const struct rec *r, char *key, size_t ksz)
{
    static const char *const meaning[6] = {
        NULL, "positive preliminary", "positive completion",
        "positive intermediate", "transient negative completion",
        "permanent negative completion",
    };
    unsigned c = r->code / 100;

    if (ksz)
        key[0] = 0;
    if (r->kind != REC_REPLY || c < 1 || c > 5)
        return NULL;
    /* RFC 5321 4.2.1: the first digit is the class */
    snprintf(key, ksz, "%uxx", c);
    return meaning[c];
}

/* Does the text s (n bytes) contain word w, ASCII case-insensitively? */
static int
has_ci(const uint8_t *s, size_t n, const char *w)
{
    size_t k = strlen(w), i, j;

    for (i = 0; k && i + k <= n; i++) {
        for (j = 0; j < k; j++) {
            uint8_t a = s[i + j], b = (uint8_t)w[j];
            if (a >= 'a' && a <= 'z')
                a = (uint8_t)(a - 32);
            if (b >= 'a' && b <= 'z')
                b = (uint8_t)(b - 32);
            if (a != b)
                break;
        }
        if (j == k)
            return 1;
    }
    return 0;
}

/* MAIL FROM:<a> / RCPT TO:<a> (RFC 5321 4.1.1.2-3): what a hand-typed
 * parameter most often gets wrong. */
static int
path_explain(const struct rec *cmd, const char *kw, char *buf, size_t sz)
{
    const uint8_t *a = cmd->arg.p;
    size_t n = cmd->arg.n, k = strlen(kw), i = k;

    if (n < k || !has_ci(a, k, kw)) {
        snprintf(buf, sz, "%s wants \"%s:<address>\" right after the verb "
                 "(RFC 5321 4.1.1.%s)", cmd->verb, kw, kw[0] == 'F' ? "2" : "3");
        return 1;
    }
    while (i < n && a[i] == ' ')
        i++;
    if (i >= n || a[i] != ':') {
        snprintf(buf, sz, "the colon after %s is missing: write %s %s:<address> "
                 "(RFC 5321 4.1.1.%s)", kw, cmd->verb, kw, kw[0] == 'F' ? "2" : "3");
        return 1;
    }
    if (i > k) {
        snprintf(buf, sz, "no space is allowed before the colon: write %s %s:<address> "
                 "(RFC 5321 4.1.1.%s)", cmd->verb, kw, kw[0] == 'F' ? "2" : "3");
        return 1;
    }
    for (i++; i < n && a[i] == ' '; i++)
        ;
    if (i >= n || a[i] != '<') {
        snprintf(buf, sz, "the address must be in angle brackets: %s %s:<user@example.test> "
                 "(RFC 5321 4.1.2, Reverse-path / Forward-path)", cmd->verb, kw);
        return 1;
    }
    return 0;
}

static int
smtp_error_explain(const struct rec *cmd, const struct rec *r, char *buf, size_t sz)
{
    const char *v = cmd ? cmd->verb : "";

    if (r->kind != REC_REPLY || r->code < 400)
        return 0;
    if (cmd && !cmd->text.n && (cmd->flags & ANOM_F(ANOM_TELNET_IAC))) {
        snprintf(buf, sz, "the telnet client's option negotiation (IAC bytes) "
                 "reached the server as a command line; SMTP is not telnet, "
                 "so it is refused: harmless, type the next command");
        return 1;
    }
    if (cmd && (cmd->flags & ANOM_F(ANOM_EDITED)) && r->code == 535) {
        snprintf(buf, sz, "the answer was edited with Backspace/Delete while "
                 "typing, but the server does no line editing: it decoded the "
                 "keys as typed, which are not valid base64 (RFC 4954 4)");
        return 1;
    }
    if (cmd && (cmd->flags & ANOM_F(ANOM_EDITED)) && r->code >= 500
        && r->code <= 501) {
        snprintf(buf, sz, "the line was edited with Backspace/Delete while "
                 "typing; the server does no line editing and got the editing "
                 "keys as bytes (see the typed line)");
        return 1;
    }
    if (r->code == 501 && !strcmp(v, "MAIL"))
        return path_explain(cmd, "FROM", buf, sz);
    if (r->code == 501 && !strcmp(v, "RCPT"))
        return path_explain(cmd, "TO", buf, sz);
    if ((r->code == 500 || r->code == 502) && cmd && cmd->verb[0]
        && !smtp_cmd_desc(cmd->verb)) {
        snprintf(buf, sz, "the server does not know this command: SMTP verbs "
                 "are HELO, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT ... "
                 "(RFC 5321 4.1)");
        return 1;
    }
    if (r->code == 503) {
        snprintf(buf, sz, "bad sequence of commands: MAIL comes after EHLO "
                 "(and AUTH where required), RCPT after MAIL, DATA after RCPT "
                 "(RFC 5321 4.1.4)");
        return 1;
    }
    if (r->code == 530) {
        snprintf(buf, sz, "the server wants AUTH (or STARTTLS) before this command "
                 "(RFC 4954 6)");
        return 1;
    }
    if (r->code == 535 && has_ci(r->text.p, r->text.n, "base64")) {
        snprintf(buf, sz, "authentication failed because the answer to 334 was "
                 "not valid base64 (RFC 4954 4: each AUTH LOGIN line is base64)");
        return 1;
    }
    if (r->code == 535) {
        snprintf(buf, sz, "authentication failed: the user name or password is "
                 "wrong (RFC 4954 6)");
        return 1;
    }
    if (r->code == 538 || r->code == 534) {
        snprintf(buf, sz, "the server refuses this mechanism on this connection: "
                 "use STARTTLS first or a stronger mechanism (RFC 4954 6)");
        return 1;
    }
    if (r->code == 454) {
        snprintf(buf, sz, "temporary authentication failure on the server side: "
                 "try again later (RFC 4954 6)");
        return 1;
    }
    if (r->code == 550 && (!strcmp(v, "RCPT") || !strcmp(v, "MAIL"))) {
        snprintf(buf, sz, "the server will not take mail for (or from) this "
                 "address: unknown user, or relaying is not allowed (RFC 5321 4.2.3)");
        return 1;
    }
    if (r->code == 554 && !strcmp(v, "RCPT")) {
        snprintf(buf, sz, "the recipient was refused: relaying denied or a policy "
                 "rejected it (RFC 5321 4.2.3)");
        return 1;
    }
    return 0;
}

/* Fields, with Wireshark's names (smtp.*). */
#define SMTP(r) ((r)->proto == PROTO_SMTP)
#define IS(r, k) (SMTP(r) && (r)->kind == (k))
#define CMDLIKE(r) ((r)->kind == REC_CMD || (r)->kind == REC_AUTH)

static int g_smtp(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return SMTP(r) && r->kind != REC_CRED; }
static int g_req(const struct rec *r, struct fld_val *v, int m) { return SMTP(r) && r->dir == DIR_C2S && r->kind != REC_CRED ? v_bool(v, m, 1) : 0; }
static int g_rsp(const struct rec *r, struct fld_val *v, int m) { return SMTP(r) && r->dir == DIR_S2C ? v_bool(v, m, 1) : 0; }
static int g_cmdline(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_CMD) || IS(r, REC_AUTH) ? v_rs(v, m, &r->text) : 0; }
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
static int g_response(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_REPLY) ? v_lines(v, m, &r->text, 0) : 0; }
static int g_code(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_REPLY) && r->code ? v_uint(v, m, r->code) : 0; }
static int g_rsp_param(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_REPLY) && r->code ? v_lines(v, m, &r->text, 4) : 0; }
static int g_user(const struct rec *r, struct fld_val *v, int m) { return SMTP(r) && CMDLIKE(r) && r->cred.user.n ? v_rs(v, m, &r->cred.user) : 0; }
static int g_pass(const struct rec *r, struct fld_val *v, int m) { return SMTP(r) && CMDLIKE(r) && (r->flags & REC_F_CRED) ? v_rs(v, m, &r->cred.secret) : 0; }
static int g_data(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_BODY) ? v_rs(v, m, &r->text) : 0; }
static int g_data_len(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_BODY) ? v_uint(v, m, r->size) : 0; }

/* Does s hold the word w (ASCII, any case) as a parameter or a line of
 * an EHLO reply? Candidates are found by w's last byte when that has no
 * case (the '8' of SMTPUTF8): memchr instead of a compare at every byte
 * of every EHLO reply and MAIL parameter (a JSON record asks for each). */
static int
word_at(const struct rec_str *s, const char *w, size_t n, size_t i)
{
    size_t k;

    if (i && s->p[i - 1] != ' ' && s->p[i - 1] != '-' && s->p[i - 1] != '\n')
        return 0;
    for (k = 0; k < n && (s->p[i + k] | 0x20) == (w[k] | 0x20); k++)
        ;
    return k == n && (i + n == s->n || s->p[i + n] == ' ' || s->p[i + n] == '\n'
                      || s->p[i + n] == '=');
}

static int
has_word(const struct rec_str *s, const char *w)
{
    size_t n = strlen(w), i;
    const uint8_t *c;
    uint8_t last;

    if (!s->p || !n || n > s->n)
        return 0;
    last = (uint8_t)w[n - 1];
    if ((last | 0x20) >= 'a' && (last | 0x20) <= 'z') {
        for (i = 0; i + n <= s->n; i++)
            if (word_at(s, w, n, i))
                return 1;
        return 0;
    }
    for (c = memchr(s->p + n - 1, last, s->n - (n - 1)); c;
         c = memchr(c + 1, last, (size_t)(s->p + s->n - (c + 1)))) {
        if (word_at(s, w, n, (size_t)(c - s->p) - (n - 1)))
            return 1;
    }
    return 0;
}

/* RFC 6531: MAIL FROM:<...> SMTPUTF8, and a server that offers it. */
static int
g_mail_utf8(const struct rec *r, struct fld_val *v, int m)
{
    return IS(r, REC_CMD) && !memcmp(r->verb, "MAIL", 5) && has_word(&r->arg, "SMTPUTF8")
        ? v_bool(v, m, 1) : 0;
}
static int
g_ehlo_utf8(const struct rec *r, struct fld_val *v, int m)
{
    return IS(r, REC_REPLY) && r->code == 250 && r->lines > 1 && has_word(&r->text, "SMTPUTF8")
        ? v_bool(v, m, 1) : 0;
}

#define J FLD_JSON
#define K(k) (1u << REC_##k)
static const struct fld_def smtp_fields[] = {
    { "smtp", FT_PROTO, 0, "SMTP", g_smtp, 0, 0 },
    { "smtp.req", FT_BOOL, 0, "SMTP client message", g_req, 0, 0 },
    { "smtp.rsp", FT_BOOL, 0, "SMTP server reply", g_rsp, 0, 0 },
    { "smtp.command_line", FT_STR, 0, "SMTP command line as sent (typed lines: edited)", g_cmdline, 0, 0 },
    { "smtp.req.command", FT_STR, J, "SMTP command verb as sent", g_cmd, K(CMD), 0 },
    { "smtp.req.parameter", FT_STR, J, "SMTP command parameter", g_param, K(CMD), 0 },
    { "smtp.response", FT_STR, 0, "SMTP reply line (one per line)", g_response, 0, 0 },
    { "smtp.response.code", FT_UINT, J, "SMTP reply code", g_code, K(REPLY), 0 },
    { "smtp.rsp.parameter", FT_STR, J, "SMTP reply text (one per line)", g_rsp_param, K(REPLY), 0 },
    { "smtp.auth.username", FT_STR, J, "decoded AUTH user name", g_user, K(CMD) | K(AUTH), 0 },
    { "smtp.auth.password", FT_STR, J, "decoded AUTH password or token", g_pass, K(CMD) | K(AUTH), 0 },
    { "smtp.mail.smtputf8", FT_BOOL, J, "MAIL with the SMTPUTF8 parameter: UTF-8 addresses (RFC 6531)", g_mail_utf8, K(CMD), 0 },
    { "smtp.ehlo.smtputf8", FT_BOOL, J, "an EHLO reply offering SMTPUTF8 (RFC 6531)", g_ehlo_utf8, K(REPLY), 0 },
    { "smtp.data.fragment", FT_STR, 0, "message text (first bytes, dot-unstuffed)", g_data, 0, 0 },
    { "smtp.data.len", FT_UINT, J, "message size in octets after dot-unstuffing", g_data_len, K(BODY), 0 },
};
#undef K
#undef J

const struct proto_ops smtp_proto = {
    .name = "smtp",
    .label = "SMTP",
    .title = "Simple Mail Transfer Protocol",
    /* RFC 5321 4.5.4 (25), RFC 6409 (587), the common alternative 2525;
     * implicit TLS RFC 8314 (465) */
    .ports = { 25, 587, 2525 },
    .tls_ports = { 465 },
    .on_line = smtp_on_line,
    .on_raw = smtp_on_raw,
    .on_gap = smtp_on_gap,
    .on_close = smtp_on_close,
    .line_start = smtp_line_start,
    .detect = smtp_detect,
    .cmd_desc = smtp_cmd_desc,
    .reply_explain = smtp_reply_explain,
    .is_error = smtp_is_error,
    .reply_class = smtp_reply_class,
    .error_explain = smtp_error_explain,
    .fields = smtp_fields,
    .nfields = sizeof smtp_fields / sizeof smtp_fields[0],
};
