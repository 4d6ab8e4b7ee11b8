/* dec_tls.c - the TLS decoder (dec.h): a connection's TLS records go
 * through tls.c; what it decrypts goes on to the protocol as clear text
 * would, and the handshake steps that matter (hellos, certificates,
 * alerts, key updates) and each run of records not decrypted become
 * records of their own (kind REC_TLS, the rec_tls part filled). */
#include <string.h>

#include "anom.h"
#include "ctx.h"
#include "dec.h"
#include "field.h"
#include "mem.h"
#include "sess.h"
#include "tls.h"

struct dtls {
    struct tls_conn *c;
    struct flow *f;
    const struct tcp_out *out;  /* during a call: where plaintext goes */
    uint8_t decrypting;         /* bit per direction: keys were found */
    uint8_t counted;            /* the session's verdict so far (dt_count) */
    uint8_t alpn_n;             /* ENCRYPTED_EXTENSIONS: chosen ALPN */
    uint8_t alpn[64];
};

static struct mem_pool dtls_pool = MEM_POOL(MEM_STREAM, sizeof(struct dtls), 256);

static void dt_plain(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
                     const struct ms_time *ts);
static void dt_event(void *ctx, const struct tls_event *ev);
static void dt_count(struct dtls *t, int decrypted);

static struct tls_out
dt_out(struct dtls *t)
{
    struct tls_out o = { dt_plain, dt_event, t };
    return o;
}

static void *
dt_open(struct flow *f)
{
    struct dtls *t = mem_take(&dtls_pool);

    if (!t)
        return NULL;
    memset(t, 0, sizeof *t);
    t->f = f;
    t->c = tls_conn_new(f->sess->d->cfg.keys);
    if (!t->c) {
        mem_give(&dtls_pool, t);
        return NULL;
    }
    f->sess->d->tls.sessions++;
    return t;
}

static void
dt_data(void *st, struct flow *f, int dir, const uint8_t *p, size_t n,
        uint64_t pkt, const struct ms_time *ts, uint64_t flags,
        const struct tcp_out *out)
{
    struct dtls *t = st;
    struct tls_out o = dt_out(t);

    /* TCP's notes on these bytes go on the next record of dir */
    f->pend[dir] |= flags;
    t->f = f;
    t->out = out;
    tls_conn_data(t->c, dir, p, n, pkt, ts, &o);
    t->out = NULL;
}

static void
dt_gap(void *st, struct flow *f, int dir, const struct tcp_gap *g,
       const struct tcp_out *out)
{
    struct dtls *t = st;
    struct tls_out o = dt_out(t);

    t->f = f;
    t->out = out;
    tls_conn_gap(t->c, dir, g->len, &o);
    t->out = NULL;
}

static void
dt_peer(void *st, struct flow *f, int dir)
{
    struct dtls *t = st;
    struct tls_out o = dt_out(t);
    struct ms_time ts = sess_ts(f);

    /* clear text in dir: the other direction's run of records ends */
    t->f = f;
    tls_conn_data(t->c, dir, NULL, 0, sess_pkt(f), &ts, &o);
}

static void
dt_close(void *st, struct flow *f, const struct tcp_out *out)
{
    struct dtls *t = st;
    struct tls_out o = dt_out(t);

    t->f = f;
    t->out = out;
    tls_conn_close(t->c, &o);
    tls_conn_free(t->c);
    mem_give(&dtls_pool, t);
}

const struct dec_ops dec_tls = { "tls", dt_open, dt_data, dt_gap, dt_peer, dt_close };

/* ---- what comes out ---- */

static void
dt_plain(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
         const struct ms_time *ts)
{
    struct dtls *t = ctx;
    struct sess *s = t->f->sess;

    if (!t->out || !n)
        return;
    s->tls_plain |= (uint8_t)(1u << dir);
    dt_count(t, 1);
    t->out->data(t->out->ctx, dir, p, n, pkt, ts, 0);
}

/* The session's verdict for the counts (struct dis_tls_counts): 1
 * decrypted once application data comes out of it (a key log with only
 * the handshake's secrets opens no login); 2 not decrypted when
 * protected records stay closed for want of a key; 3 failed when a
 * record did not authenticate first. */
static void
dt_count(struct dtls *t, int verdict)
{
    struct dis_tls_counts *c = &t->f->sess->d->tls;

    /* decrypted stays decrypted; a failure says more than a later run
     * of records left unread */
    if (t->counted == 1 || t->counted == verdict || (verdict == 2 && t->counted == 3))
        return;
    if (t->counted == 2)
        c->undecrypted--;
    else if (t->counted == 3)
        c->failed--;
    t->counted = (uint8_t)verdict;
    if (verdict == 1)
        c->decrypted++;
    else if (verdict == 2)
        c->undecrypted++;
    else
        c->failed++;
}

static void
str_set(struct rec_str *s, const struct tls_str *t)
{
    s->p = t->p;
    s->n = (uint32_t)(t->n > UINT32_MAX ? UINT32_MAX : t->n);
}

static void
cstr_set(struct rec_str *s, const char *c)
{
    if (c) {
        s->p = (const uint8_t *)c;
        s->n = (uint32_t)strlen(c);
    }
}

static void
dt_event(void *ctx, const struct tls_event *ev)
{
    struct dtls *t = ctx;
    struct flow *f = t->f;
    struct sess *s = f->sess;
    struct dis *d = s->d;
    uint8_t lists[2 * LIM_TLS_SUITES + 2 * LIM_TLS_VERSIONS];
    uint8_t alpn[LIM_TLS_ALPN * 256];
    size_t an = 0, i;
    int dir = ev->dir;
    const char *verb = NULL;
    uint64_t fl = 0;
    struct rec r;

    if (ev->version)
        s->tls_version = ev->version;
    if (ev->suite)
        s->tls_suite = ev->suite;
    switch (ev->kind) {
    case TLS_EV_CLIENT_HELLO: verb = "ClientHello"; break;
    case TLS_EV_SERVER_HELLO: verb = ev->flags & TLS_EVF_HRR ? "HelloRetry" : "ServerHello"; break;
    case TLS_EV_CERTIFICATE: verb = "Certificate"; break;
    case TLS_EV_ALERT: verb = "Alert"; break;
    case TLS_EV_KEY_UPDATE: verb = "KeyUpdate"; break;
    case TLS_EV_OPAQUE:
        verb = "TLS";
        /* early data a key did not open, in a direction that is
         * decrypted: counted, not news */
        if (!(t->decrypting >> dir & 1))
            fl = anom_hit(ANOM_TLS);
        dt_count(t, 2);
        break;
    case TLS_EV_BAD_RECORD:
        verb = "TLS";
        fl = anom_hit(ANOM_TLS_BAD_RECORD);
        dt_count(t, 3);
        break;
    case TLS_EV_NO_KEY:
        /* Said on the run of records that follows, when a key log was
         * given; without one, not decrypting is what is expected. */
        if (d->cfg.keys)
            f->pend[dir] |= anom_hit(ANOM_TLS_NO_KEY);
        dt_count(t, 2);
        return;
    case TLS_EV_DECRYPTING:
        t->decrypting |= (uint8_t)(1u << dir);
        return;
    case TLS_EV_ENCRYPTED_EXTENSIONS:
        /* TLS 1.3: the chosen ALPN travels encrypted; nothing to show
         * on its own */
        return;
    case TLS_EV_LIMIT:
        f->pend[dir] |= anom_hit(ANOM_MEMCAP);
        return;
    case TLS_EV_GAP:
    default:
        return;     /* the stream stage showed the gap */
    }
    sess_rec_line(f, dir, NULL, &r, REC_TLS);
    r.pkt = r.pkt_first = ev->pkt;
    r.ts = r.ts_first = ev->ts;
    r.nseg = 1;
    r.len = (uint32_t)(ev->bytes > UINT32_MAX ? UINT32_MAX : ev->bytes);
    r.flags |= fl;
    memcpy(r.verb, verb, strlen(verb) + 1);
    r.tls.version = s->tls_version;
    r.tls.suite = s->tls_suite;
    r.tls.legacy_version = ev->legacy_version;
    r.tls.records = (uint32_t)(ev->records > UINT32_MAX ? UINT32_MAX : ev->records);
    cstr_set(&r.tls.reason, ev->reason);
    if (ev->flags & TLS_EVF_ENCRYPTED)
        r.flags |= REC_F_DECRYPTED;
    switch (ev->kind) {
    case TLS_EV_CLIENT_HELLO:
    case TLS_EV_SERVER_HELLO:
        r.tls.hs_type = ev->kind == TLS_EV_CLIENT_HELLO ? 1 : 2;
        r.tls.resumed = (ev->flags & TLS_EVF_RESUMED) != 0;
        str_set(&r.tls.sni, &ev->sni);
        for (i = 0; i < ev->n_alpn && an + 1 + ev->alpn[i].n <= sizeof alpn; i++) {
            alpn[an++] = (uint8_t)ev->alpn[i].n;
            memcpy(alpn + an, ev->alpn[i].p, ev->alpn[i].n);
            an += ev->alpn[i].n;
        }
        r.tls.alpn.p = alpn;
        r.tls.alpn.n = (uint32_t)an;
        if (ev->kind == TLS_EV_CLIENT_HELLO) {
            size_t ns = ev->n_suites < LIM_TLS_SUITES ? ev->n_suites : LIM_TLS_SUITES;
            for (i = 0; i < ns; i++) {
                lists[2 * i] = (uint8_t)(ev->suites[i] >> 8);
                lists[2 * i + 1] = (uint8_t)ev->suites[i];
            }
            r.tls.suites.p = lists;
            r.tls.suites.n = (uint32_t)(2 * ns);
            for (i = 0; i < ev->n_versions && i < LIM_TLS_VERSIONS; i++) {
                lists[2 * ns + 2 * i] = (uint8_t)(ev->versions[i] >> 8);
                lists[2 * ns + 2 * i + 1] = (uint8_t)ev->versions[i];
            }
            r.tls.versions.p = lists + 2 * ns;
            r.tls.versions.n = (uint32_t)(2 * i);
            /* the hello's choices are not made yet */
            r.tls.version = r.tls.suite = 0;
        }
        break;
    case TLS_EV_CERTIFICATE:
        r.tls.hs_type = 11;
        r.tls.ncerts = (uint8_t)(ev->certs_total > 255 ? 255 : ev->certs_total);
        if (ev->n_certs) {
            str_set(&r.tls.subject, &ev->certs[0].subject);
            str_set(&r.tls.issuer, &ev->certs[0].issuer);
        }
        break;
    case TLS_EV_KEY_UPDATE:
        r.tls.hs_type = 24;
        break;
    case TLS_EV_ALERT:
        r.tls.alert_level = ev->alert_level;
        r.tls.alert_desc = ev->alert_desc;
        break;
    case TLS_EV_OPAQUE:
        r.size = ev->bytes;
        if (ev->flags & TLS_EVF_EARLY_DATA)
            cstr_set(&r.tls.reason, "early data");
        break;
    default:
        break;
    }
    sess_emit(f, dir, &r);
}

/* ---- fields (Wireshark's names where it has the field) ---- */

#define TLSREC(r) ((r)->kind == REC_TLS)

static int
be16_list(const struct rec_str *s, struct fld_val *v, int m)
{
    int k = 0;
    uint32_t i;

    for (i = 0; i + 1 < s->n && k < m; i += 2)
        k += v_uint(v + k, m - k, (uint64_t)s->p[i] << 8 | s->p[i + 1]);
    return k;
}

static int
g_tls(const struct rec *r, struct fld_val *v, int m)
{
    (void)v;
    (void)m;
    return TLSREC(r) || (r->flags & REC_F_DECRYPTED);
}

static int
g_decrypted(const struct rec *r, struct fld_val *v, int m)
{
    return (r->flags & REC_F_DECRYPTED) ? v_bool(v, m, 1) : 0;
}

static int
g_len(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && !r->tls.hs_type && !r->tls.alert_level ? v_uint(v, m, r->size) : 0;
}

static int
g_records(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.records && !r->tls.hs_type && !r->tls.alert_level
        ? v_uint(v, m, r->tls.records) : 0;
}

static int
g_hs_type(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.hs_type ? v_uint(v, m, r->tls.hs_type) : 0;
}

static int
g_sni(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.sni.n ? v_rs(v, m, &r->tls.sni) : 0;
}

static int
g_hs_version(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && (r->tls.hs_type == 1 || r->tls.hs_type == 2) && r->tls.legacy_version
        ? v_uint(v, m, r->tls.legacy_version) : 0;
}

static int
g_supported(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) ? be16_list(&r->tls.versions, v, m) : 0;
}

static int
g_suite(const struct rec *r, struct fld_val *v, int m)
{
    if (!TLSREC(r))
        return 0;
    if (r->tls.hs_type == 1)
        return be16_list(&r->tls.suites, v, m);
    return r->tls.hs_type == 2 && r->tls.suite ? v_uint(v, m, r->tls.suite) : 0;
}

static int
g_alpn(const struct rec *r, struct fld_val *v, int m)
{
    const struct rec_str *a = &r->tls.alpn;
    uint32_t i;
    int k = 0;

    if (!TLSREC(r))
        return 0;
    for (i = 0; i < a->n && k < m; i += 1u + a->p[i]) {
        if (i + 1u + a->p[i] > a->n)
            break;
        k += v_str(v + k, m - k, a->p + i + 1, a->p[i]);
    }
    return k;
}

static int
g_ncerts(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.hs_type == 11 ? v_uint(v, m, r->tls.ncerts) : 0;
}

static int
g_subject(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.hs_type == 11 ? v_rs(v, m, &r->tls.subject) : 0;
}

static int
g_issuer(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.hs_type == 11 ? v_rs(v, m, &r->tls.issuer) : 0;
}

static int
g_alert_level(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.alert_level ? v_uint(v, m, r->tls.alert_level) : 0;
}

static int
g_alert_desc(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.alert_level ? v_uint(v, m, r->tls.alert_desc) : 0;
}

static int
g_version(const struct rec *r, struct fld_val *v, int m)
{
    return (TLSREC(r) || (r->flags & REC_F_DECRYPTED)) && r->tls.version
        ? v_uint(v, m, r->tls.version) : 0;
}

static int
g_cipher(const struct rec *r, struct fld_val *v, int m)
{
    return (TLSREC(r) || (r->flags & REC_F_DECRYPTED)) && r->tls.suite
        ? v_uint(v, m, r->tls.suite) : 0;
}

static int
g_cipher_name(const struct rec *r, struct fld_val *v, int m)
{
    return (TLSREC(r) || (r->flags & REC_F_DECRYPTED)) && r->tls.suite
        ? v_cstr(v, m, tls_suite_name(r->tls.suite)) : 0;
}

static int
g_resumed(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.hs_type == 2 ? v_bool(v, m, r->tls.resumed) : 0;
}

static int
g_reason(const struct rec *r, struct fld_val *v, int m)
{
    return TLSREC(r) && r->tls.reason.n ? v_rs(v, m, &r->tls.reason) : 0;
}

#define J FLD_JSON
#define K (1u << REC_TLS)
static const struct fld_def fields[] = {
    { "tls", FT_PROTO, 0, "TLS: handshake steps, alerts, records not decrypted, and what decrypted records carried", g_tls, 0, 0 },
    { "decrypted", FT_BOOL, J | FLD_IF_TLS, "carried by TLS records decrypted with the key log (--tls-keylog)", g_decrypted, 0, 0 },
    { "tls.len", FT_UINT, J, "bytes of a run of records not decrypted", g_len, K, 0 },
    { "tls.records", FT_UINT, J, "records in a run not decrypted", g_records, K, 0 },
    { "tls.handshake.type", FT_UINT, J, "handshake message: 1 Client Hello, 2 Server Hello, 11 Certificate, 24 Key Update", g_hs_type, K, 0 },
    { "tls.handshake.extensions_server_name", FT_STR, J, "Client Hello: the server name asked for (SNI)", g_sni, K, 0 },
    { "tls.handshake.version", FT_UINT, J, "a hello's legacy version as sent (0x0303 for TLS 1.2 and 1.3)", g_hs_version, K, 0 },
    { "tls.handshake.extensions.supported_version", FT_UINT, J, "Client Hello: versions offered (0x0304 TLS 1.3)", g_supported, K, 0 },
    { "tls.handshake.ciphersuite", FT_UINT, J, "Client Hello: the suites offered; Server Hello: the one chosen", g_suite, K, 0 },
    { "tls.handshake.extensions_alpn_str", FT_STR, J, "hello ALPN protocol names", g_alpn, K, 0 },
    { "tls.handshake.certificates", FT_UINT, J, "Certificate: certificates in the chain", g_ncerts, K, 0 },
    { "tls.cert.subject", FT_STR, J, "Certificate: the server certificate's subject (RFC 4514)", g_subject, K, 0 },
    { "tls.cert.issuer", FT_STR, J, "Certificate: the server certificate's issuer (RFC 4514)", g_issuer, K, 0 },
    { "tls.alert_message.level", FT_UINT, J, "alert level: 1 warning, 2 fatal", g_alert_level, K, 0 },
    { "tls.alert_message.desc", FT_UINT, J, "alert description (0 close_notify, 40 handshake_failure, ...)", g_alert_desc, K, 0 },
    { "tls.version", FT_UINT, J | FLD_IF_TLS, "the session's negotiated version (0x0303 TLS 1.2, 0x0304 TLS 1.3)", g_version, 0, 0 },
    { "tls.cipher", FT_UINT, J | FLD_IF_TLS, "the session's negotiated cipher suite", g_cipher, 0, 0 },
    { "tls.cipher_name", FT_STR, 0, "its IANA name", g_cipher_name, 0, 0 },
    { "tls.resumed", FT_BOOL, J, "Server Hello: a resumed session", g_resumed, K, 0 },
    { "tls.reason", FT_STR, J, "why records were not decrypted or decryption stopped", g_reason, K, 0 },
};
const struct fld_def *const tls_fields = fields;
const size_t tls_nfields = sizeof fields / sizeof fields[0];
#undef J
#undef K
