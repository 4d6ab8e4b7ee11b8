/* auth.c - SASL for SMTP (RFC 4954) and POP3 (RFC 5034): PLAIN (RFC
 * 4616), LOGIN (draft-murchison-sasl-login), CRAM-MD5 (RFC 2195),
 * XOAUTH2 (Google), OAUTHBEARER (RFC 7628); POP3 USER/PASS and APOP (RFC
 * 1939 7). Base64 is decoded after telnet line editing. */
#include <string.h>

#include "anom.h"
#include "auth.h"
#include "b64.h"
#include "err.h"
#include "mem.h"
#include "rd.h"
#include "sess.h"

static struct mem_pool auth_pool = MEM_POOL(MEM_AUTH, sizeof(struct auth_st), 256);

static struct auth_st *
get(struct flow *f)
{
    if (!f->sess)
        return NULL;
    if (!f->sess->auth && (f->sess->auth = mem_take(&auth_pool)))
        memset(f->sess->auth, 0, sizeof *f->sess->auth);
    return f->sess->auth;
}

static void
put(uint8_t *dst, uint16_t *dn, const uint8_t *p, size_t n)
{
    if (n > LIM_CRED)
        n = LIM_CRED;
    memcpy(dst, p, n);
    *dn = (uint16_t)n;
}

static void
start(struct auth_st *a, int mech, const struct line *ln)
{
    uint8_t ts[LIM_CRED];
    uint16_t tslen = a->tslen;

    memcpy(ts, a->apop_ts, tslen);
    memset(a, 0, sizeof *a);
    memcpy(a->apop_ts, ts, tslen);
    a->tslen = tslen;
    a->mech = (uint8_t)mech;
    a->active = 1;
    a->pkt_first = ln->pkt_first;
    a->ts_first = ln->ts_first;
}

int
auth_plain_split(const uint8_t *p, size_t n, struct rec_str *authzid,
                 struct rec_str *user, struct rec_str *pass)
{
    const uint8_t *nul1, *nul2;

    /* authzid NUL authcid NUL passwd (RFC 4616 2) */
    nul1 = memchr(p, 0, n);
    if (!nul1)
        return ERR_BAD;
    nul2 = memchr(nul1 + 1, 0, n - (size_t)(nul1 + 1 - p));
    if (!nul2)
        return ERR_BAD;
    authzid->p = p;
    authzid->n = (uint32_t)(nul1 - p);
    user->p = nul1 + 1;
    user->n = (uint32_t)(nul2 - nul1 - 1);
    pass->p = nul2 + 1;
    pass->n = (uint32_t)(n - (size_t)(nul2 + 1 - p));
    return 0;
}

/* XOAUTH2: "user=" u ^A "auth=Bearer " t ^A ^A.
 * OAUTHBEARER (RFC 7628 3.1): gs2 header "n,a=user," ^A "auth=Bearer t" ^A ^A. */
int
auth_oauth_split(const uint8_t *p, size_t n, int bearer, struct rec_str *user,
                 struct rec_str *token)
{
    struct rd r;
    const uint8_t *kv, *e;
    size_t kn;
    int found = 0;

    user->p = token->p = p;
    user->n = token->n = 0;
    rd_init(&r, p, n);
    if (bearer) {
        /* gs2-header up to the first ^A: "n,a=user," */
        const uint8_t *sep = memchr(p, 1, n);
        size_t hn = sep ? (size_t)(sep - p) : n;
        const uint8_t *a = NULL;
        size_t i;
        for (i = 0; i + 2 <= hn; i++)
            if ((i == 0 || p[i - 1] == ',') && p[i] == 'a' && p[i + 1] == '=') {
                a = p + i + 2;
                break;
            }
        if (a) {
            e = memchr(a, ',', hn - (size_t)(a - p));
            user->p = a;
            user->n = (uint32_t)(e ? (size_t)(e - a) : hn - (size_t)(a - p));
            found = 1;
        }
        if (!sep)
            return found ? 0 : ERR_BAD;
        rd_skip(&r, hn + 1);
    }
    while (rd_left(&r)) {
        kv = rd_cur(&r);
        e = memchr(kv, 1, rd_left(&r));
        kn = e ? (size_t)(e - kv) : rd_left(&r);
        rd_skip(&r, e ? kn + 1 : kn);
        if (kn > 5 && !memcmp(kv, "user=", 5)) {
            user->p = kv + 5;
            user->n = (uint32_t)(kn - 5);
            found = 1;
        } else if (kn > 5 && !memcmp(kv, "auth=", 5)) {
            token->p = kv + 5;
            token->n = (uint32_t)(kn - 5);
            if (token->n > 7 && !memcmp(token->p, "Bearer ", 7)) {
                token->p += 7;
                token->n -= 7;
            }
            found = 1;
        }
    }
    return found ? 0 : ERR_BAD;
}

/* CRAM-MD5 response: user SP 32 hex digits (RFC 2195 2). */
int
auth_cram_split(const uint8_t *p, size_t n, struct rec_str *user,
                struct rec_str *digest)
{
    size_t i = n;

    while (i && p[i - 1] != ' ')
        i--;
    if (!i)
        return ERR_BAD;
    user->p = p;
    user->n = (uint32_t)(i - 1);
    digest->p = p + i;
    digest->n = (uint32_t)(n - i);
    return 0;
}

static int
mech_of(const uint8_t *m, size_t n)
{
    static const struct { const char *s; int m; } t[] = {
        { "PLAIN", AUTH_PLAIN }, { "LOGIN", AUTH_LOGIN },
        { "CRAM-MD5", AUTH_CRAM_MD5 }, { "XOAUTH2", AUTH_XOAUTH2 },
        { "OAUTHBEARER", AUTH_OAUTHBEARER },
    };
    size_t i, j;

    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (strlen(t[i].s) != n)
            continue;
        for (j = 0; j < n; j++)
            if ((m[j] & ~0x20) != (t[i].s[j] & ~0x20) && m[j] != t[i].s[j])
                break;
        if (j == n)
            return t[i].m;
    }
    return AUTH_OTHER;
}

static void
set_user(struct auth_st *a, const uint8_t *p, size_t n, uint64_t pkt,
         struct rec *r)
{
    put(a->user, &a->ulen, p, n);
    a->have_user = 1;
    a->user_pkt = pkt;
    if (r) {
        r->cred.user.p = a->user;
        r->cred.user.n = a->ulen;
        r->cred.mech = a->mech;
    }
}

static void
set_secret(struct auth_st *a, const uint8_t *p, size_t n, uint64_t pkt,
           struct rec *r)
{
    put(a->secret, &a->slen, p, n);
    a->have_secret = 1;
    a->secret_pkt = pkt;
    a->tlen = 0;
    if (r && r->typed.n) {
        /* Keep what the server judged: the raw keystrokes after the verb
         * for commands, the whole line for SASL responses. */
        const uint8_t *t = r->typed.p;
        size_t tn = r->typed.n;
        if (r->kind == REC_CMD) {
            const uint8_t *sp = memchr(t, ' ', tn);
            tn = sp ? tn - (size_t)(sp + 1 - t) : 0;
            t = sp ? sp + 1 : t;
        }
        put(a->typed, &a->tlen, t, tn);
    }
    if (r) {
        r->cred.secret.p = a->secret;
        r->cred.secret.n = a->slen;
        r->cred.mech = a->mech;
        r->cred.secret_kind = (uint8_t)auth_mech_secret_kind(a->mech);
        r->flags |= REC_F_CRED;
    }
}

/* Decode one client SASL message (initial response or a line). */
static void
response(struct auth_st *a, const uint8_t *p, size_t n, const struct line *ln,
         struct rec *r)
{
    uint8_t dec[3 * LIM_CRED];
    long dn;
    struct rec_str z, u, s;

    a->nresp++;
    if (n == 1 && p[0] == '=') {
        dn = 0;         /* "=" is an empty initial response (RFC 4954 4) */
    } else {
        dn = b64_decode(p, n, dec, sizeof dec);
        if (dn < 0) {
            uint64_t fl = anom_hit(ANOM_BAD_BASE64);
            a->flags |= fl;
            if (r)
                r->flags |= fl;
            return;
        }
    }
    switch (a->mech) {
    case AUTH_PLAIN:
        if (auth_plain_split(dec, (size_t)dn, &z, &u, &s) < 0) {
            uint64_t fl = anom_hit(ANOM_AUTH_PLAIN_MALFORMED);
            a->flags |= fl;
            if (r)
                r->flags |= fl;
            return;
        }
        put(a->authzid, &a->zlen, z.p, z.n);
        set_user(a, u.p, u.n, ln->pkt_last, r);
        set_secret(a, s.p, s.n, ln->pkt_last, r);
        if (r) {
            r->cred.authzid.p = a->authzid;
            r->cred.authzid.n = a->zlen;
        }
        break;
    case AUTH_LOGIN:
        /* User name, then password, in the order the client sent them:
         * the server's prompts may be lost or seen out of order. */
        if (a->have_user)
            set_secret(a, dec, (size_t)dn, ln->pkt_last, r);
        else
            set_user(a, dec, (size_t)dn, ln->pkt_last, r);
        break;
    case AUTH_CRAM_MD5:
        if (auth_cram_split(dec, (size_t)dn, &u, &s) < 0) {
            a->flags |= anom_hit(ANOM_MALFORMED);
            return;
        }
        set_user(a, u.p, u.n, ln->pkt_last, r);
        set_secret(a, s.p, s.n, ln->pkt_last, r);
        break;
    case AUTH_XOAUTH2:
    case AUTH_OAUTHBEARER:
        /* After a failure the server sends an error JSON and the client
         * answers with an empty response; that is not a credential. */
        if (dn == 0 || (dn == 1 && dec[0] == 1))
            return;
        if (auth_oauth_split(dec, (size_t)dn, a->mech == AUTH_OAUTHBEARER, &u, &s) < 0) {
            a->flags |= anom_hit(ANOM_MALFORMED);
            return;
        }
        set_user(a, u.p, u.n, ln->pkt_last, r);
        if (s.n)
            set_secret(a, s.p, s.n, ln->pkt_last, r);
        break;
    default:
        break;
    }
}

void
auth_begin(struct flow *f, const uint8_t *mech, size_t mn, const uint8_t *ir,
           size_t irn, const struct line *ln, struct rec *r)
{
    struct auth_st *a = get(f);

    if (!a)
        return;
    if (a->active)
        auth_abandon(f, 0);
    start(a, mech_of(mech, mn), ln);
    put(a->mech_name, &a->mlen, mech, mn > sizeof a->mech_name ? sizeof a->mech_name : mn);
    /* The client's next line is SASL data when the mechanism wants one
     * more from it: without an initial response, or LOGIN's password
     * after an initial user name. The client answers the server's
     * continuation (334 / "+"), so its line proves one was sent even if
     * the capture lost it. After a complete initial response, pipelined
     * lines are commands. */
    a->sasl = !irn || a->mech == AUTH_LOGIN || a->mech == AUTH_OTHER;
    r->cred.mech = a->mech;
    if (irn)
        response(a, ir, irn, ln, r);
}

void
auth_challenge(struct flow *f, const uint8_t *b64, size_t n)
{
    struct auth_st *a = get(f);
    uint8_t dec[3 * LIM_CRED];
    long dn;


    if (!a || !a->active)
        return;
    a->sasl = 1;
    dn = b64_decode(b64, n, dec, sizeof dec);
    if (dn < 0)
        return;     /* Servers send plain text prompts too; not an error. */
    if (a->mech == AUTH_CRAM_MD5)
        put(a->chal, &a->clen, dec, (size_t)dn);
}

int
auth_response(struct flow *f, const uint8_t *p, size_t n,
              const struct line *ln, struct rec *r)
{
    struct auth_st *a = get(f);

    if (!a)
        return 0;
    r->cred.mech = a->mech;
    if (n == 1 && p[0] == '*') {
        a->sasl = 0;        /* cancelled (RFC 4954 4) */
        return 1;
    }
    response(a, p, n, ln, r);
    if (r->flags & REC_F_CRED)
        r->secret_off = 0;
    /* The client said its part; more only after another continuation
     * (or LOGIN's password after its user name). */
    a->sasl = a->mech == AUTH_LOGIN && !a->have_secret;
    return 0;
}

void
auth_user(struct flow *f, const uint8_t *p, size_t n, const struct line *ln,
          struct rec *r)
{
    struct auth_st *a = get(f);

    if (!a)
        return;
    if (a->active && a->have_secret)
        auth_abandon(f, 0);
    start(a, AUTH_USERPASS, ln);
    set_user(a, p, n, ln->pkt_last, r);
}

void
auth_pass(struct flow *f, const uint8_t *p, size_t n, const struct line *ln,
          struct rec *r)
{
    struct auth_st *a = get(f);

    if (!a)
        return;
    if (!a->active || a->mech != AUTH_USERPASS || a->have_secret)
        start(a, AUTH_USERPASS, ln);
    set_secret(a, p, n, ln->pkt_last, r);
}

void
auth_apop(struct flow *f, const uint8_t *arg, size_t n, const struct line *ln,
          struct rec *r)
{
    struct auth_st *a = get(f);
    size_t i = n;

    if (!a)
        return;
    start(a, AUTH_APOP, ln);
    /* "APOP name digest": the digest is the last word (RFC 1939 7). */
    while (i && arg[i - 1] != ' ')
        i--;
    if (!i) {
        a->flags |= anom_hit(ANOM_MALFORMED);
        set_user(a, arg, n, ln->pkt_last, r);
        return;
    }
    set_user(a, arg, i - 1, ln->pkt_last, r);
    set_secret(a, arg + i, n - i, ln->pkt_last, r);
    put(a->chal, &a->clen, a->apop_ts, a->tslen);
}

void
auth_banner(struct flow *f, const uint8_t *p, size_t n)
{
    struct auth_st *a;
    const uint8_t *lt = memchr(p, '<', n), *gt;

    if (!lt)
        return;
    gt = memchr(lt, '>', n - (size_t)(lt - p));
    if (!gt || !(a = get(f)))
        return;
    put(a->apop_ts, &a->tslen, lt, (size_t)(gt - lt) + 1);
}

static void
emit(struct flow *f, struct auth_st *a, int result, const uint8_t *reply,
     size_t rn, const struct line *ln, uint64_t flags)
{
    struct rec r;

    memset(&r, 0, sizeof r);
    if (ln) {
        sess_rec_line(f, DIR_S2C, ln, &r, REC_CRED);
    } else {
        sess_rec_line(f, DIR_S2C, NULL, &r, REC_CRED);
    }
    /* A credential belongs to the client: show it client -> server. */
    r.dir = DIR_C2S;
    r.src = (struct rec_ep){ .family = f->family, .port = f->cport };
    r.dst = (struct rec_ep){ .family = f->family, .port = f->sport };
    memcpy(r.src.addr, f->caddr, 16);
    memcpy(r.dst.addr, f->saddr, 16);
    r.pkt_first = a->pkt_first;
    r.ts_first = a->ts_first;
    r.raw.n = 0;
    r.len = 0;
    r.lines = 0;
    r.nmarks = 0;
    r.flags = a->flags | flags | (a->have_secret ? REC_F_CRED : 0);
    r.cred.mech = a->mech;
    r.cred.mech_name.p = a->mech_name;
    r.cred.mech_name.n = a->mlen;
    r.cred.result = (uint8_t)result;
    r.cred.secret_kind = (uint8_t)auth_mech_secret_kind(a->mech);
    r.cred.user = (struct rec_str){ a->user, a->ulen };
    r.cred.secret = (struct rec_str){ a->secret, a->slen };
    r.cred.secret_typed = (struct rec_str){ a->typed, a->tlen };
    r.cred.authzid = (struct rec_str){ a->authzid, a->zlen };
    r.cred.challenge = (struct rec_str){ a->chal, a->clen };
    r.cred.reply = (struct rec_str){ reply, (uint32_t)rn };
    r.cred.user_pkt = a->user_pkt;
    r.cred.secret_pkt = a->secret_pkt;
    memcpy(r.verb, "CRED", 5);
    r.text = r.cred.user;
    sess_emit(f, DIR_C2S, &r);
}

void
auth_verdict(struct flow *f, int result, const uint8_t *reply, size_t rn,
             const struct line *ln)
{
    struct auth_st *a = f->sess ? f->sess->auth : NULL;

    if (!a || !a->active)
        return;
    a->sasl = 0;
    if (a->mech == AUTH_USERPASS && !a->have_secret)
        return;     /* the answer to USER; PASS is still to come */
    if (a->have_user || a->have_secret)
        emit(f, a, result, reply, rn, ln, 0);
    a->active = 0;
}

void
auth_gap(struct flow *f, int dir)
{
    struct auth_st *a = f->sess ? f->sess->auth : NULL;

    if (dir == DIR_C2S) {
        /* the client's lines are lost: so is what it sent */
        auth_abandon(f, ANOM_F(ANOM_GAP));
    } else if (a && a->active) {
        /* a server line is lost (a prompt, most likely: the client went
         * on answering); the verdict is the next reply */
        a->flags |= ANOM_F(ANOM_GAP);
    }
}

int
auth_mech_open(const struct flow *f)
{
    const struct auth_st *a = f->sess ? f->sess->auth : NULL;

    return a && a->active ? a->mech : AUTH_NONE;
}

int
auth_has_secret(const struct flow *f)
{
    const struct auth_st *a = f->sess ? f->sess->auth : NULL;

    return a && a->active && a->have_secret;
}

void
auth_abandon(struct flow *f, uint64_t why_flags)
{
    struct auth_st *a = f->sess ? f->sess->auth : NULL;

    if (!a || !a->active)
        return;
    if (a->have_user || a->have_secret)
        emit(f, a, CRED_UNKNOWN, NULL, 0, NULL, why_flags);
    a->active = 0;
    a->sasl = 0;
}

int
auth_sasl_open(const struct flow *f)
{
    return f->sess && f->sess->auth && f->sess->auth->active
        && f->sess->auth->mech != AUTH_USERPASS && f->sess->auth->mech != AUTH_APOP;
}

int
auth_in_sasl(const struct flow *f)
{
    return f->sess && f->sess->auth && f->sess->auth->active && f->sess->auth->sasl;
}

int
auth_pending(const struct flow *f)
{
    return f->sess && f->sess->auth && f->sess->auth->active;
}

void
auth_free(struct flow *f)
{
    if (f->sess && f->sess->auth) {
        mem_give(&auth_pool, f->sess->auth);
        f->sess->auth = NULL;
    }
}

int
auth_client_line(struct flow *f, const struct line *ln, struct rec *r)
{
    const uint8_t *t, *v, *arg;
    size_t n, vn, an;
    uint64_t fl = 0;
    int typed;

    t = sess_edit(f, ln, &n, &fl, &typed);
    sess_rec_line(f, DIR_C2S, ln, r, auth_in_sasl(f) ? REC_AUTH : REC_CMD);
    r->flags |= fl;
    r->text.p = t;
    r->text.n = (uint32_t)n;
    if (typed)
        r->typed = (struct rec_str){ ln->p, (uint32_t)ln->n };
    if (r->kind == REC_AUTH) {
        auth_response(f, t, n, ln, r);
        sess_emit(f, DIR_C2S, r);
        return 1;
    }
    sess_split(t, n, &v, &vn, &arg, &an);
    sess_verb(r->verb, sizeof r->verb, v, vn);
    r->arg.p = arg;
    r->arg.n = (uint32_t)an;
    return 0;
}
