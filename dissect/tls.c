/* tls.c - one TCP connection's TLS: record layer (RFC 5246 6.2, RFC 8446
 * 5), handshake messages (RFC 5246 7.4, RFC 8446 4) reassembled across
 * records and segments, application data decrypted with secrets from a key
 * log (keylog.h) through tls_crypto.c. Every byte from the wire is read
 * through rd.h; every buffer is bounded (tls.h says by what). */
#include <string.h>

#include "err.h"
#include "keylog.h"
#include "mem.h"
#include "rd.h"
#include "tls.h"
#include "tls_cert.h"
#include "tls_crypto.h"

enum { CT_CCS = 20, CT_ALERT = 21, CT_HS = 22, CT_APP = 23, CT_HEARTBEAT = 24 };
enum {
    HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_NEW_SESSION_TICKET = 4,
    HS_END_OF_EARLY_DATA = 5, HS_ENCRYPTED_EXTENSIONS = 8, HS_CERTIFICATE = 11,
    HS_FINISHED = 20, HS_KEY_UPDATE = 24
};
enum {
    EXT_SERVER_NAME = 0, EXT_ALPN = 16, EXT_ETM = 22, EXT_EMS = 23,
    EXT_SESSION_TICKET = 35, EXT_PRE_SHARED_KEY = 41, EXT_EARLY_DATA = 42,
    EXT_SUPPORTED_VERSIONS = 43
};

/* Record reader: waiting for a header, inside a body, scanning for a
 * plausible header after lost bytes, or given up on the direction. */
enum { RS_HDR, RS_BODY, RS_RESYNC, RS_DEAD };
/* What the body of the current record is for: streamed to the handshake
 * parser, alert bytes, skipped (change_cipher_spec, heartbeat), buffered
 * and opened, or counted as opaque. */
enum { RM_HS, RM_ALERT, RM_SKIP, RM_OPEN, RM_OPAQUE };
/* Decryption of a direction: not tried yet (keys are looked up at the
 * first protected record), on, no key, stopped (bad record, gap). */
enum { DS_OFF, DS_ON, DS_NOKEY, DS_STOP };
/* The key protected records use now. */
enum { KP_NONE, KP_12, KP_HS13, KP_APP13 };
/* Key change due when the current record ends (RFC 8446 5.1: handshake
 * messages do not span key changes). */
enum { PK_NONE, PK_APP, PK_UPDATE };
/* TLS 1.3 early data from the client (RFC 8446 4.2.10): not offered,
 * offered and possibly still coming, over. */
enum { EARLY_NONE, EARLY_MAYBE, EARLY_DONE };

/* A decrypting direction: the keys and one record buffer. Allocated at
 * the first protected record that has keys, never per record. spare is a
 * second buffer for trial decryption of early data, only while 0-RTT data
 * may come and only if its secret is known. */
struct tls_box {
    struct tls_dec cur;
    struct tls_dec early;
    uint8_t *spare;
    uint8_t buf[LIM_TLS_RECORD];
};

/* Handshake message reassembly: header, then the body into buf (grown up
 * to min(length, LIM_TLS_HS)) or skipped when the type is of no interest. */
struct tls_hs {
    uint8_t hdr[4];
    uint8_t hhave;
    uint8_t keep, cut;
    uint32_t len, have;
    uint8_t *buf;
    uint32_t cap;
};

struct tls_dir {
    uint8_t rs, mode;
    uint8_t hdr[5], hhave;
    uint16_t rlen, rhave;
    uint8_t alert[2], ahave;
    uint8_t enc;                /* records are protected from here on */
    uint8_t ds, kp, pending;
    uint8_t trial_hs;           /* TLS 1.3 app key used for handshake records */
    uint8_t said_nokey, said_bad, said_gap, said_limit, said_dec;
    uint8_t burst_early;
    uint32_t ntrial;            /* failed opens tolerated so far */
    uint32_t wait_n;            /* records passed waiting for a secret (live) */
    uint32_t gen;               /* KeyUpdate generation */
    uint32_t resync;            /* bytes scanned in this resynchronisation */
    struct tls_hs hs;
    struct tls_box *box;
    uint64_t records, decrypted, plain_bytes, opaque_records, opaque_bytes, skipped;
    uint64_t burst_records, burst_bytes, burst_pkt;
    struct ms_time burst_ts;
};

struct tls_conn {
    size_t msg_bytes;           /* the handshake message being read, header included */
    struct tls_keys *keys;
    struct tls_dir d[2];
    uint16_t version;           /* negotiated; 0 before the ServerHello */
    uint16_t suite;
    uint8_t cr[32], sr[32];
    uint8_t have_cr, have_sr;
    uint8_t offered13, etm_offered, etm, early, early_locked;
    uint8_t sidlen, csidlen, have_tk, have_ms;
    uint8_t sid[32], csid[32];
    uint8_t tkhash[32];         /* SHA-256 of the ClientHello's ticket */
    uint8_t ms[48];             /* TLS 1.2 master secret, once found */
    const char *ms_src;
    uint64_t early_records;
    /* During a call: the packet, the sink. */
    uint64_t pkt;
    struct ms_time ts;
    const struct tls_out *o;
    int last_dir;
};

/* SHA-256("HelloRetryRequest"), the ServerHello.random of a
 * HelloRetryRequest (RFC 8446 4.1.3). */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,
    0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
    0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c
};

/* ---- helpers ---- */

static int
rd_be24(struct rd *r, uint32_t *v)
{
    uint8_t a = 0;
    uint16_t b = 0;

    if (rd_u8(r, &a) || rd_be16(r, &b))
        return ERR_SHORT;
    *v = (uint32_t)a << 16 | b;
    return 0;
}

/* A vector with a 1-, 2- or 3-byte length prefix, as a sub-reader. */
static int
rd_vec(struct rd *r, int lenbytes, struct rd *sub)
{
    uint8_t l8;
    uint16_t l16;
    uint32_t l24;

    switch (lenbytes) {
    case 1:
        return rd_u8(r, &l8) ? ERR_SHORT : rd_sub(r, sub, l8);
    case 2:
        return rd_be16(r, &l16) ? ERR_SHORT : rd_sub(r, sub, l16);
    default:
        return rd_be24(r, &l24) ? ERR_SHORT : rd_sub(r, sub, l24);
    }
}

static int
is13(const struct tls_conn *c)
{
    return c->version == 0x0304;
}

static void
ev_init(struct tls_conn *c, int dir, enum tls_ev_kind k, struct tls_event *e)
{
    memset(e, 0, sizeof *e);
    e->kind = k;
    e->dir = dir;
    e->pkt = c->pkt;
    e->ts = c->ts;
    e->record = c->d[dir].records;
    e->version = c->version;
    e->suite = c->suite;
    e->suite_name = c->suite ? tls_suite_name(c->suite) : NULL;
    e->bytes = c->msg_bytes;
}

static void burst_flush(struct tls_conn *c, int dir);
static int early_key(struct tls_conn *c);

static void
emit(struct tls_conn *c, struct tls_event *e)
{
    /* An opaque burst ends before anything else is said about its
     * direction, so events stay in stream order. */
    if (e->kind != TLS_EV_OPAQUE)
        burst_flush(c, e->dir);
    if (c->o && c->o->event)
        c->o->event(c->o->ctx, e);
}

static void
say(struct tls_conn *c, int dir, enum tls_ev_kind k, const char *reason)
{
    struct tls_event e;

    ev_init(c, dir, k, &e);
    e.reason = reason;
    emit(c, &e);
}

static void
burst_flush(struct tls_conn *c, int dir)
{
    struct tls_dir *d = &c->d[dir];
    struct tls_event e;

    if (!d->burst_records)
        return;
    ev_init(c, dir, TLS_EV_OPAQUE, &e);
    e.pkt = d->burst_pkt;
    e.ts = d->burst_ts;
    e.records = d->burst_records;
    e.bytes = d->burst_bytes;
    if (d->burst_early)
        e.flags |= TLS_EVF_EARLY_DATA;
    d->burst_records = d->burst_bytes = 0;
    d->burst_early = 0;
    emit(c, &e);
}

/* A record (header included) not decrypted. Early data and the rest are
 * separate bursts. */
static void
opaque(struct tls_conn *c, int dir, size_t bytes, int early)
{
    struct tls_dir *d = &c->d[dir];

    if (d->burst_records && d->burst_early != early)
        burst_flush(c, dir);
    d->opaque_records++;
    d->opaque_bytes += bytes;
    d->burst_records++;
    d->burst_bytes += bytes;
    d->burst_early = (uint8_t)early;
    d->burst_pkt = c->pkt;
    d->burst_ts = c->ts;
    if (early)
        c->early_records++;
}

static void
box_free(struct tls_dir *d)
{
    if (!d->box)
        return;
    tls_dec_clear(&d->box->cur);
    tls_dec_clear(&d->box->early);
    mem_free(MEM_STREAM, d->box->spare, LIM_TLS_RECORD);
    mem_free(MEM_STREAM, d->box, sizeof *d->box);
    d->box = NULL;
}

static void
hs_reset(struct tls_dir *d)
{
    d->hs.hhave = 0;
    d->hs.have = d->hs.len = 0;
    d->hs.keep = d->hs.cut = 0;
}

static void
hs_release(struct tls_dir *d)
{
    hs_reset(d);
    mem_free(MEM_STREAM, d->hs.buf, d->hs.cap);
    d->hs.buf = NULL;
    d->hs.cap = 0;
}

static void
limit(struct tls_conn *c, int dir, const char *why)
{
    if (!c->d[dir].said_limit) {
        c->d[dir].said_limit = 1;
        say(c, dir, TLS_EV_LIMIT, why);
    }
}

/* No key for this direction: its protected records stay opaque. */
static void
no_key(struct tls_conn *c, int dir, const char *why)
{
    struct tls_dir *d = &c->d[dir];

    d->ds = DS_NOKEY;
    /* The client's box may still open 0-RTT data with its own secret. */
    if (!(dir == 0 && c->early == EARLY_MAYBE && early_key(c)))
        box_free(d);
    /* Nothing more of this direction's handshake can be read. */
    hs_release(d);
    if (!d->said_nokey) {
        d->said_nokey = 1;
        say(c, dir, TLS_EV_NO_KEY, why);
    }
}

/* A record did not authenticate or the stream stopped being TLS: stop
 * decrypting this direction (no garbage plaintext), say so once. */
static void
bad(struct tls_conn *c, int dir, const char *why)
{
    struct tls_dir *d = &c->d[dir];

    if (d->ds == DS_ON || d->ds == DS_OFF)
        d->ds = DS_STOP;
    box_free(d);
    hs_release(d);
    if (!d->said_bad) {
        d->said_bad = 1;
        say(c, dir, TLS_EV_BAD_RECORD, why);
    }
}

/* ---- keys ---- */

static size_t
find_now(struct tls_conn *c, enum tls_secret s, const uint8_t *id, size_t idlen,
         uint8_t *out, int now)
{
    size_t n;

    if (!c->keys)
        return 0;
    n = tls_keys_find(c->keys, s, id, idlen, out, TLS_SECRET_MAX);
    /* Live capture: the client may have written the line a moment ago;
     * a direction waiting for its secret looks at once. */
    if (!n && (now ? tls_keys_refresh_now(c->keys) : tls_keys_refresh(c->keys)) > 0)
        n = tls_keys_find(c->keys, s, id, idlen, out, TLS_SECRET_MAX);
    return n;
}

static size_t
find(struct tls_conn *c, enum tls_secret s, const uint8_t *id, size_t idlen,
     uint8_t *out)
{
    return find_now(c, s, id, idlen, out, 0);
}

/* TLS 1.0-1.2 master secret: by client random (NSS CLIENT_RANDOM), by
 * session id (s_client printout, or learned), by ticket (learned). A
 * master secret found is remembered for the session id, so that a later
 * resumption by id needs no line of its own. */
static int
find_ms(struct tls_conn *c)
{
    uint8_t ms[TLS_SECRET_MAX];
    const char *src = NULL;

    if (c->have_ms)
        return 1;
    if (!c->keys)
        return 0;
    if (c->have_cr && find(c, TLS_SEC_MASTER, c->cr, 32, ms) == 48)
        src = "CLIENT_RANDOM";
    else if (c->sidlen && find(c, TLS_SEC_SESSION, c->sid, c->sidlen, ms) == 48)
        src = "session id";
    else if (c->have_tk && find(c, TLS_SEC_TICKET, c->tkhash, 32, ms) == 48)
        src = "session ticket";
    if (!src)
        return 0;
    memcpy(c->ms, ms, 48);
    c->have_ms = 1;
    c->ms_src = src;
    if (c->sidlen && strcmp(src, "session id"))
        tls_keys_learn(c->keys, TLS_SEC_SESSION, c->sid, c->sidlen, ms, 48);
    return 1;
}

static struct tls_box *
box_get(struct tls_conn *c, int dir)
{
    struct tls_dir *d = &c->d[dir];

    if (!d->box && !(d->box = mem_calloc(MEM_STREAM, sizeof *d->box)))
        limit(c, dir, "memcap: not decrypting");
    return d->box;
}

static enum tls_secret
secret13(int dir, int kp)
{
    if (kp == KP_HS13)
        return dir ? TLS_SEC_SERVER_HS : TLS_SEC_CLIENT_HS;
    return dir ? TLS_SEC_SERVER_APP : TLS_SEC_CLIENT_APP;
}

/* Keys for the protected records of a direction, looked up when the first
 * one arrives. 1 when records can be opened. */
static int
keys_ready(struct tls_conn *c, int dir)
{
    struct tls_dir *d = &c->d[dir];
    const struct tls_suite *s;
    uint8_t sec[TLS_SECRET_MAX];
    size_t n;
    const char *src;
    struct tls_event e;

    if (d->ds == DS_ON)
        return 1;
    if (d->ds != DS_OFF)
        return 0;
    if (!c->keys) {
        no_key(c, dir, "no key log");
        return 0;
    }
    if (!c->have_cr || !c->have_sr) {
        no_key(c, dir, "handshake not seen");
        return 0;
    }
    if (!(s = tls_suite_get(c->suite)) || (s->tls13 != is13(c))) {
        no_key(c, dir, "cipher suite not supported");
        return 0;
    }
    if (is13(c)) {
        n = find_now(c, secret13(dir, d->kp), c->cr, 32, sec, d->wait_n > 0);
        src = dir ? (d->kp == KP_HS13 ? "SERVER_HANDSHAKE_TRAFFIC_SECRET" : "SERVER_TRAFFIC_SECRET_0")
                  : (d->kp == KP_HS13 ? "CLIENT_HANDSHAKE_TRAFFIC_SECRET" : "CLIENT_TRAFFIC_SECRET_0");
        if (!n && d->kp == KP_HS13
            && (n = find(c, secret13(dir, KP_APP13), c->cr, 32, sec))) {
            /* Only the application secret: skip the handshake records it
             * does not open (a few), decrypt from the first it does. */
            d->kp = KP_APP13;
            d->trial_hs = 1;
            d->wait_n = 0;  /* the trial finds its own first record */
            src = dir ? "SERVER_TRAFFIC_SECRET_0" : "CLIENT_TRAFFIC_SECRET_0";
        }
        if (!n) {
            /* Live: the client writes its key log as it goes, and this
             * record may have overtaken the line. Pass a few records
             * opaque (counted, so the sequence number stays right) and
             * look again at each before giving the direction up. */
            if (tls_keys_live(c->keys) && d->wait_n < TLS_KEYS_WAIT_RECORDS) {
                d->wait_n++;
                return 0;
            }
            no_key(c, dir, "no secret for this client random");
            return 0;
        }
        if (!box_get(c, dir))
            return 0;
        if (tls_dec_set13(&d->box->cur, s, sec, n) < 0) {
            memset(sec, 0, sizeof sec);
            no_key(c, dir, "secret does not fit the cipher suite");
            return 0;
        }
        memset(sec, 0, sizeof sec);
        /* the records passed while waiting used sequence numbers */
        d->box->cur.seq = d->wait_n;
        d->wait_n = 0;
    } else {
        if (c->version < 0x0301 || c->version > 0x0303) {
            no_key(c, dir, "protocol version not supported");
            return 0;
        }
        if (!find_ms(c)) {
            no_key(c, dir, "no master secret for this client random or session");
            return 0;
        }
        src = c->ms_src;
        if (!box_get(c, dir))
            return 0;
        if (tls_dec_set12(&d->box->cur, s, c->version, c->etm, c->ms, c->cr, c->sr, dir) < 0) {
            no_key(c, dir, "key derivation failed");
            return 0;
        }
    }
    d->ds = DS_ON;
    ev_init(c, dir, TLS_EV_DECRYPTING, &e);
    e.reason = src;
    emit(c, &e);
    return 1;
}

/* ---- handshake messages ---- */

static void hs_feed(struct tls_conn *c, int dir, const uint8_t *p, size_t n, int enc);

static void
client_hello(struct tls_conn *c, struct rd *r, int cut, int enc)
{
    struct tls_event e;
    struct rd v, exts, x;
    const uint8_t *rnd, *sid;
    uint8_t sl;
    uint16_t s, type;
    int ok = 0;

    ev_init(c, 0, TLS_EV_CLIENT_HELLO, &e);
    if (cut)
        e.flags |= TLS_EVF_CUT;
    if (enc)
        e.flags |= TLS_EVF_ENCRYPTED;
    if (rd_be16(r, &e.legacy_version) || rd_take(r, &rnd, 32)
        || rd_u8(r, &sl) || sl > 32 || rd_take(r, &sid, sl))
        goto done;
    /* A new handshake (renegotiation, or the second hello after a
     * HelloRetryRequest, which keeps its random). */
    memcpy(c->cr, rnd, 32);
    c->have_cr = 1;
    c->have_ms = 0;
    c->csidlen = sl;
    memcpy(c->csid, sid, sl);
    e.session_id.p = sid;
    e.session_id.n = sl;
    if (rd_vec(r, 2, &v))
        goto done;
    while (rd_be16(&v, &s) == 0) {
        if (e.n_suites < LIM_TLS_SUITES)
            e.suites[e.n_suites] = s;
        else
            e.flags |= TLS_EVF_CUT;
        e.n_suites++;
    }
    if (e.n_suites > LIM_TLS_SUITES)
        e.n_suites = LIM_TLS_SUITES;
    if (rd_vec(r, 1, &v))
        goto done;
    ok = 1;
    if (!rd_left(r))
        goto done;
    ok = 0;
    if (rd_vec(r, 2, &exts))
        goto done;
    while (rd_left(&exts)) {
        if (rd_be16(&exts, &type) || rd_vec(&exts, 2, &x))
            goto done;
        switch (type) {
        case EXT_SERVER_NAME: {
            /* ServerNameList: the first host_name (RFC 6066 3). */
            struct rd list, name;
            uint8_t nt;
            if (rd_vec(&x, 2, &list))
                goto done;
            while (rd_u8(&list, &nt) == 0 && rd_vec(&list, 2, &name) == 0)
                if (nt == 0 && !e.sni.p) {
                    rd_rest(&name, &e.sni.p, &e.sni.n);
                    break;
                }
            break;
        }
        case EXT_ALPN: {
            struct rd list, name;
            if (rd_vec(&x, 2, &list))
                goto done;
            while (rd_vec(&list, 1, &name) == 0) {
                if (e.n_alpn < LIM_TLS_ALPN) {
                    rd_rest(&name, &e.alpn[e.n_alpn].p, &e.alpn[e.n_alpn].n);
                    e.n_alpn++;
                } else {
                    e.flags |= TLS_EVF_CUT;
                }
            }
            break;
        }
        case EXT_SUPPORTED_VERSIONS: {
            struct rd list;
            uint16_t ver;
            if (rd_vec(&x, 1, &list))
                goto done;
            while (rd_be16(&list, &ver) == 0) {
                if (ver == 0x0304)
                    c->offered13 = 1;
                if (e.n_versions < LIM_TLS_VERSIONS)
                    e.versions[e.n_versions++] = ver;
                else
                    e.flags |= TLS_EVF_CUT;
            }
            break;
        }
        case EXT_ETM:
            c->etm_offered = 1;
            e.flags |= TLS_EVF_ETM;
            break;
        case EXT_EMS:
            e.flags |= TLS_EVF_EMS;
            break;
        case EXT_SESSION_TICKET: {
            const uint8_t *t;
            size_t tn;
            rd_rest(&x, &t, &tn);
            if (tn && tls_sha256(t, tn, c->tkhash) == 0) {
                c->have_tk = 1;
                e.flags |= TLS_EVF_TICKET;
            }
            break;
        }
        case EXT_PRE_SHARED_KEY:
            e.flags |= TLS_EVF_PSK;
            break;
        case EXT_EARLY_DATA:
            e.flags |= TLS_EVF_EARLY;
            break;
        }
    }
    ok = 1;
done:
    if ((e.flags & TLS_EVF_EARLY) && c->offered13 && !c->have_sr && !c->early)
        c->early = EARLY_MAYBE;
    if (!ok)
        e.flags |= TLS_EVF_MALFORMED;
    emit(c, &e);
}

static void
server_hello(struct tls_conn *c, struct rd *r, int cut, int enc)
{
    struct tls_event e;
    struct rd exts, x;
    const uint8_t *rnd, *sid;
    uint8_t sl, comp;
    uint16_t suite, type, sel = 0;
    int ok = 0, hrr, psk = 0, etm = 0, i;

    ev_init(c, 1, TLS_EV_SERVER_HELLO, &e);
    if (cut)
        e.flags |= TLS_EVF_CUT;
    if (enc)
        e.flags |= TLS_EVF_ENCRYPTED;
    if (rd_be16(r, &e.legacy_version) || rd_take(r, &rnd, 32)
        || rd_u8(r, &sl) || sl > 32 || rd_take(r, &sid, sl)
        || rd_be16(r, &suite) || rd_u8(r, &comp)) {
        e.flags |= TLS_EVF_MALFORMED;
        emit(c, &e);
        return;
    }
    (void)comp;
    hrr = !memcmp(rnd, hrr_random, 32);
    e.session_id.p = sid;
    e.session_id.n = sl;
    ok = 1;
    if (rd_left(r)) {
        ok = 0;
        if (rd_vec(r, 2, &exts))
            goto parsed;
        while (rd_left(&exts)) {
            if (rd_be16(&exts, &type) || rd_vec(&exts, 2, &x))
                goto parsed;
            switch (type) {
            case EXT_SUPPORTED_VERSIONS:
                rd_be16(&x, &sel);
                break;
            case EXT_ALPN: {
                struct rd list, name;
                if (rd_vec(&x, 2, &list) == 0 && rd_vec(&list, 1, &name) == 0) {
                    rd_rest(&name, &e.alpn[0].p, &e.alpn[0].n);
                    e.n_alpn = 1;
                }
                break;
            }
            case EXT_ETM:
                etm = 1;
                break;
            case EXT_EMS:
                e.flags |= TLS_EVF_EMS;
                break;
            case EXT_PRE_SHARED_KEY:
                psk = 1;
                break;
            }
        }
        ok = 1;
    }
parsed:
    if (!ok)
        e.flags |= TLS_EVF_MALFORMED;
    c->version = sel ? sel : e.legacy_version;
    c->suite = suite;
    e.version = c->version;
    e.suite = suite;
    e.suite_name = tls_suite_name(suite);
    if (hrr) {
        /* The client answers with a new ClientHello, in the clear. */
        e.flags |= TLS_EVF_HRR;
        emit(c, &e);
        return;
    }
    memcpy(c->sr, rnd, 32);
    c->have_sr = 1;
    c->sidlen = sl;
    memcpy(c->sid, sid, sl);
    c->etm = (uint8_t)(etm && c->etm_offered);
    if (c->etm)
        e.flags |= TLS_EVF_ETM;
    c->have_ms = 0;
    if (is13(c) ? psk : sl && sl == c->csidlen && !memcmp(sid, c->csid, sl))
        e.flags |= TLS_EVF_RESUMED;
    if (is13(c)) {
        /* Everything after the ServerHello is protected, both ways, with
         * the handshake traffic secrets (RFC 8446 2). */
        for (i = 0; i < 2; i++) {
            c->d[i].enc = 1;
            c->d[i].kp = KP_HS13;
            if (c->d[i].ds == DS_ON)
                c->d[i].ds = DS_OFF;
        }
    } else {
        c->early = EARLY_NONE;
    }
    emit(c, &e);
}

static void
encrypted_extensions(struct tls_conn *c, struct rd *r, int cut, int enc)
{
    struct tls_event e;
    struct rd exts, x;
    uint16_t type;

    ev_init(c, 1, TLS_EV_ENCRYPTED_EXTENSIONS, &e);
    if (cut)
        e.flags |= TLS_EVF_CUT;
    if (enc)
        e.flags |= TLS_EVF_ENCRYPTED;
    if (rd_vec(r, 2, &exts)) {
        e.flags |= TLS_EVF_MALFORMED;
    } else {
        while (rd_left(&exts)) {
            if (rd_be16(&exts, &type) || rd_vec(&exts, 2, &x)) {
                e.flags |= TLS_EVF_MALFORMED;
                break;
            }
            if (type == EXT_ALPN) {
                struct rd list, name;
                if (rd_vec(&x, 2, &list) == 0 && rd_vec(&list, 1, &name) == 0) {
                    rd_rest(&name, &e.alpn[0].p, &e.alpn[0].n);
                    e.n_alpn = 1;
                }
            } else if (type == EXT_EARLY_DATA) {
                e.flags |= TLS_EVF_EARLY;
            }
        }
    }
    emit(c, &e);
}

static void
certificate(struct tls_conn *c, int dir, struct rd *r, int cut, int enc)
{
    struct tls_event e;
    struct tls_cert_names names[LIM_TLS_CERTS];
    struct rd list, ctx, ext;
    const uint8_t *der;
    uint32_t len;

    ev_init(c, dir, TLS_EV_CERTIFICATE, &e);
    if (cut)
        e.flags |= TLS_EVF_CUT;
    if (enc)
        e.flags |= TLS_EVF_ENCRYPTED;
    /* TLS 1.3 (RFC 8446 4.4.2): request context, then entries with
     * extensions. A list cut by LIM_TLS_HS is read as far as it goes. */
    if ((is13(c) && rd_vec(r, 1, &ctx)) || rd_be24(r, &len)) {
        e.flags |= TLS_EVF_MALFORMED;
        emit(c, &e);
        return;
    }
    if (rd_sub(r, &list, len < rd_left(r) ? len : rd_left(r)) || len > rd_left(&list))
        e.flags |= cut ? 0 : TLS_EVF_MALFORMED;
    while (rd_left(&list)) {
        if (rd_be24(&list, &len) || rd_take(&list, &der, len)
            || (is13(c) && rd_vec(&list, 2, &ext))) {
            if (!cut)
                e.flags |= TLS_EVF_MALFORMED;
            break;
        }
        if (e.n_certs < LIM_TLS_CERTS) {
            struct tls_cert_info *ci = &e.certs[e.n_certs];
            struct tls_cert_names *cn = &names[e.n_certs];
            ci->len = len;
            if (tls_cert_names(der, len, cn) < 0)
                ci->bad = 1;
            ci->cut = (uint8_t)cn->cut;
            ci->subject.p = cn->subject;
            ci->subject.n = cn->subject_len;
            ci->issuer.p = cn->issuer;
            ci->issuer.n = cn->issuer_len;
            e.n_certs++;
        } else {
            e.flags |= TLS_EVF_CUT;
        }
        e.certs_total++;
    }
    emit(c, &e);
}

/* TLS 1.2 NewSessionTicket (RFC 5077 3.3): remember ticket -> master
 * secret for a later resumption by ticket. */
static void
new_session_ticket(struct tls_conn *c, struct rd *r)
{
    struct rd t;
    uint32_t life;
    const uint8_t *p;
    size_t n;
    uint8_t h[32];

    if (is13(c) || !c->keys || rd_be32(r, &life) || rd_vec(r, 2, &t))
        return;
    rd_rest(&t, &p, &n);
    if (n && find_ms(c) && tls_sha256(p, n, h) == 0)
        tls_keys_learn(c->keys, TLS_SEC_TICKET, h, 32, c->ms, 48);
}

static void
key_update(struct tls_conn *c, int dir, struct rd *r)
{
    struct tls_event e;
    uint8_t req = 0;

    ev_init(c, dir, TLS_EV_KEY_UPDATE, &e);
    e.flags |= TLS_EVF_ENCRYPTED;
    if (rd_u8(r, &req) || req > 1 || rd_left(r))
        e.flags |= TLS_EVF_MALFORMED;
    if (req == 1)
        e.flags |= TLS_EVF_REQUESTED;
    e.generation = c->d[dir].gen + 1;
    c->d[dir].pending = PK_UPDATE;
    emit(c, &e);
}

/* Which messages are buffered for parsing; the rest are only counted. */
static int
hs_wanted(const struct tls_conn *c, uint8_t type)
{
    switch (type) {
    case HS_CLIENT_HELLO:
    case HS_SERVER_HELLO:
    case HS_ENCRYPTED_EXTENSIONS:
    case HS_CERTIFICATE:
    case HS_KEY_UPDATE:
        return 1;
    case HS_NEW_SESSION_TICKET:
        return c->keys && !is13(c);
    default:
        return 0;
    }
}

static void
hs_msg(struct tls_conn *c, int dir, uint8_t type, const uint8_t *p, size_t n,
       int cut, int enc)
{
    struct rd r;

    rd_init(&r, p, n);
    c->msg_bytes = n + 4;   /* the events below say how big the message was */
    switch (type) {
    case HS_CLIENT_HELLO:
        if (dir == 0)
            client_hello(c, &r, cut, enc);
        break;
    case HS_SERVER_HELLO:
        if (dir == 1)
            server_hello(c, &r, cut, enc);
        break;
    case HS_ENCRYPTED_EXTENSIONS:
        if (dir == 1)
            encrypted_extensions(c, &r, cut, enc);
        break;
    case HS_CERTIFICATE:
        certificate(c, dir, &r, cut, enc);
        break;
    case HS_NEW_SESSION_TICKET:
        if (dir == 1)
            new_session_ticket(c, &r);
        break;
    case HS_END_OF_EARLY_DATA:
        if (dir == 0 && c->early == EARLY_MAYBE)
            c->early = EARLY_DONE;
        break;
    case HS_FINISHED:
        /* TLS 1.3: the application traffic secret follows (RFC 8446 7.1). */
        if (is13(c) && enc)
            c->d[dir].pending = PK_APP;
        break;
    case HS_KEY_UPDATE:
        if (is13(c) && enc)
            key_update(c, dir, &r);
        break;
    }
    c->msg_bytes = 0;
}

/* Keep body bytes of the current message, up to LIM_TLS_HS; the buffer
 * grows as bytes arrive, never to a size the wire merely claims. */
static void
hs_keep(struct tls_conn *c, int dir, const uint8_t *q, size_t k)
{
    struct tls_hs *h = &c->d[dir].hs;
    uint32_t want = h->len < LIM_TLS_HS ? h->len : LIM_TLS_HS;
    size_t put = k;

    if (h->have >= want) {
        h->cut = 1;
        return;
    }
    if (h->have + put > want) {
        put = want - h->have;
        h->cut = 1;
    }
    if (h->have + put > h->cap) {
        uint32_t nc = h->cap ? h->cap : 512;
        uint8_t *nb;
        while (nc < h->have + put)
            nc *= 2;
        if (nc > want)
            nc = want;
        if (!(nb = mem_realloc(MEM_STREAM, h->buf, h->cap, nc))) {
            limit(c, dir, "memcap: handshake message cut");
            h->keep = 0;
            h->cut = 1;
            return;
        }
        h->buf = nb;
        h->cap = nc;
    }
    memcpy(h->buf + h->have, q, put);
}

/* Handshake bytes of direction dir (plaintext records or decrypted ones),
 * in order; messages are reassembled across records. */
static void
hs_feed(struct tls_conn *c, int dir, const uint8_t *p, size_t n, int enc)
{
    struct tls_hs *h = &c->d[dir].hs;
    struct rd r;
    const uint8_t *q = NULL;
    size_t k;

    rd_init(&r, p, n);
    for (;;) {
        if (h->hhave < 4) {
            if (!rd_left(&r))
                break;
            k = 4 - h->hhave;
            if (k > rd_left(&r))
                k = rd_left(&r);
            rd_bytes(&r, h->hdr + h->hhave, k);
            h->hhave = (uint8_t)(h->hhave + k);
            if (h->hhave < 4)
                break;
            h->len = (uint32_t)h->hdr[1] << 16 | (uint32_t)h->hdr[2] << 8 | h->hdr[3];
            h->have = 0;
            h->cut = 0;
            h->keep = (uint8_t)hs_wanted(c, h->hdr[0]);
        }
        if (h->have < h->len) {
            if (!rd_left(&r))
                break;
            k = h->len - h->have;
            if (k > rd_left(&r))
                k = rd_left(&r);
            rd_take(&r, &q, k);
            if (h->keep)
                hs_keep(c, dir, q, k);
            h->have += (uint32_t)k;
            if (h->have < h->len)
                break;
        }
        /* A whole message. */
        {
            uint8_t type = h->hdr[0];
            uint32_t kept = h->keep ? (h->len < LIM_TLS_HS ? h->len : LIM_TLS_HS) : 0;
            int cut = h->cut;
            if (cut)
                limit(c, dir, "handshake message longer than LIM_TLS_HS, cut");
            h->hhave = 0;
            h->have = h->len = 0;
            hs_msg(c, dir, type, kept ? h->buf : NULL, kept, cut, enc);
        }
    }
}

/* ---- records ---- */

static void
alert(struct tls_conn *c, int dir, const uint8_t *p, size_t n, int enc)
{
    struct tls_event e;
    struct rd r;

    rd_init(&r, p, n);
    ev_init(c, dir, TLS_EV_ALERT, &e);
    if (enc)
        e.flags |= TLS_EVF_ENCRYPTED;
    /* One event per record: the first alert (a record of several is
     * legal and never seen). */
    if (rd_u8(&r, &e.alert_level) || rd_u8(&r, &e.alert_desc)) {
        e.flags |= TLS_EVF_MALFORMED;
    } else {
        e.alert_level_name = tls_alert_level_name(e.alert_level);
        e.alert_name = tls_alert_name(e.alert_desc);
    }
    emit(c, &e);
}

/* Apply a key change the record just finished asked for. */
static void
apply_pending(struct tls_conn *c, int dir)
{
    struct tls_dir *d = &c->d[dir];
    uint8_t sec[TLS_SECRET_MAX];
    size_t n;
    int p = d->pending;

    d->pending = PK_NONE;
    if (p == PK_APP) {
        d->kp = KP_APP13;
        if (d->ds != DS_ON)
            return;
        n = find(c, secret13(dir, KP_APP13), c->cr, 32, sec);
        if (!n && tls_keys_live(c->keys))
            d->ds = DS_OFF;     /* live: keys_ready waits for the line */
        else if (!n || tls_dec_set13(&d->box->cur, d->box->cur.s, sec, n) < 0)
            no_key(c, dir, "no application traffic secret");
        memset(sec, 0, sizeof sec);
        /* The handshake buffer is not needed any more. */
        hs_release(d);
    } else if (p == PK_UPDATE) {
        d->gen++;
        if (d->ds == DS_ON && tls_dec_update13(&d->box->cur) < 0)
            bad(c, dir, "key update failed");
    }
}

static void
deliver(struct tls_conn *c, int dir, uint8_t type, const uint8_t *p, size_t n)
{
    struct tls_dir *d = &c->d[dir];

    switch (type) {
    case CT_APP:
        d->plain_bytes += n;
        if (n && c->o && c->o->plain)
            c->o->plain(c->o->ctx, dir, p, n, c->pkt, &c->ts);
        break;
    case CT_HS:
        hs_feed(c, dir, p, n, 1);
        break;
    case CT_ALERT:
        alert(c, dir, p, n, 1);
        break;
    default:
        break;
    }
}

/* Could 0-RTT data be opened: is its secret known? */
static int
early_key(struct tls_conn *c)
{
    uint8_t sec[TLS_SECRET_MAX];
    size_t n;

    if (c->early_locked)
        return 1;
    if (!c->have_cr || !(n = find(c, TLS_SEC_CLIENT_EARLY, c->cr, 32, sec)))
        return 0;
    memset(sec, 0, sizeof sec);
    return 1;
}

/* TLS 1.3 early data (RFC 8446 4.2.10): protected with the client early
 * traffic secret, under the suite of the PSK, which is only known for sure
 * at the ServerHello. Until then try the suites whose hash fits the
 * secret. 1 when the record opened. */
static int
open_early(struct tls_conn *c, size_t n)
{
    static const uint16_t c32[] = { 0x1301, 0x1303 }, c48[] = { 0x1302 };
    struct tls_dir *d = &c->d[0];
    struct tls_box *b;
    uint8_t sec[TLS_SECRET_MAX], *pt, type;
    const uint16_t *cand;
    size_t sl = 0, nc, i, ptn;
    const char *why;

    if (!c->keys || !c->have_cr || !(b = d->box))
        return 0;
    if (c->early_locked) {
        nc = 1;
        cand = NULL;
    } else {
        if (!(sl = find(c, TLS_SEC_CLIENT_EARLY, c->cr, 32, sec)))
            return 0;
        if (c->have_sr && is13(c)) {
            cand = &c->suite;
            nc = 1;
        } else if (sl == 32) {
            cand = c32;
            nc = 2;
        } else {
            cand = c48;
            nc = 1;
        }
    }
    if (!b->spare && !(b->spare = mem_alloc(MEM_STREAM, LIM_TLS_RECORD))) {
        memset(sec, 0, sizeof sec);
        return 0;
    }
    for (i = 0; i < nc; i++) {
        if (cand) {
            const struct tls_suite *s = tls_suite_get(cand[i]);
            if (!s || tls_dec_set13(&b->early, s, sec, sl) < 0)
                continue;
        }
        memcpy(b->spare, b->buf, n);
        if (tls_dec_open(&b->early, d->hdr, b->spare, n, &pt, &ptn, &type, &why) == 0) {
            memset(sec, 0, sizeof sec);
            if (!c->early_locked) {
                struct tls_event e;
                c->early_locked = 1;
                ev_init(c, 0, TLS_EV_DECRYPTING, &e);
                e.flags |= TLS_EVF_EARLY_DATA;
                e.reason = "CLIENT_EARLY_TRAFFIC_SECRET";
                emit(c, &e);
            }
            d->decrypted++;
            c->early_records++;
            deliver(c, 0, type, pt, ptn);
            return 1;
        }
    }
    memset(sec, 0, sizeof sec);
    return 0;
}

/* The end of early data: drop what only served it. */
static void
early_over(struct tls_conn *c)
{
    struct tls_box *b = c->d[0].box;

    c->early = EARLY_DONE;
    if (b && c->d[0].ds != DS_ON) {
        box_free(&c->d[0]);
    } else if (b) {
        tls_dec_clear(&b->early);
        mem_free(MEM_STREAM, b->spare, LIM_TLS_RECORD);
        b->spare = NULL;
    }
}

/* A whole protected record of direction dir is in box->buf. */
static void
open_record(struct tls_conn *c, int dir)
{
    struct tls_dir *d = &c->d[dir];
    uint8_t *pt, type;
    size_t ptn, n = d->rlen;
    const char *why;
    int early = dir == 0 && c->early == EARLY_MAYBE;

    if (early && open_early(c, n)) {
        if (c->early == EARLY_DONE)
            early_over(c);
        return;
    }
    if (d->ds != DS_ON || !d->box) {
        if (early && ++d->ntrial >= LIM_TLS_TRIAL)
            early_over(c);
        opaque(c, dir, n + 5, early);
        return;
    }
    if (tls_dec_open(&d->box->cur, d->hdr, d->box->buf, n, &pt, &ptn, &type, &why) < 0) {
        /* Early data we cannot open, or handshake records when only the
         * application secret is known: skipped, a bounded number. */
        if ((early || d->trial_hs) && d->ntrial < LIM_TLS_TRIAL) {
            d->ntrial++;
            opaque(c, dir, n + 5, early);
            return;
        }
        if (early)
            early_over(c);
        bad(c, dir, why);
        return;
    }
    if (early)
        early_over(c);
    d->trial_hs = 0;
    d->decrypted++;
    deliver(c, dir, type, pt, ptn);
    if (d->pending)
        apply_pending(c, dir);
}

/* change_cipher_spec: TLS 1.0-1.2 protect this direction from the next
 * record on (RFC 5246 7.1); TLS 1.3 ignores it (RFC 8446 D.4). */
static void
ccs(struct tls_conn *c, int dir)
{
    struct tls_dir *d = &c->d[dir];

    if (is13(c) || (!c->version && c->offered13))
        return;
    d->enc = 1;
    d->kp = KP_12;
    if (d->ds == DS_ON)
        d->ds = DS_OFF;  /* renegotiation: new keys at the next record */
    hs_reset(d);
}

static int
plausible(const struct tls_conn *c, const uint8_t h[5], int strict)
{
    uint16_t len = (uint16_t)(h[3] << 8 | h[4]);

    if (h[0] < CT_CCS || h[0] > CT_HEARTBEAT || h[1] != 3 || h[2] > 4 || len > LIM_TLS_RECORD)
        return 0;
    if (!strict)
        return 1;
    /* Resynchronising: also the version this connection uses (TLS 1.3
     * records say 1.2) and a non-empty body. */
    if (!len || h[0] == CT_HEARTBEAT)
        return 0;
    if (c->version >= 0x0300 && c->version <= 0x0303 && (h[1] << 8 | h[2]) != c->version)
        return 0;
    if (is13(c) && (h[1] << 8 | h[2]) != 0x0303)
        return 0;
    return 1;
}

/* A record header was read: decide what to do with its body. */
static void
record_start(struct tls_conn *c, int dir)
{
    struct tls_dir *d = &c->d[dir];
    uint8_t type = d->hdr[0];
    int prot;

    d->rlen = (uint16_t)(d->hdr[3] << 8 | d->hdr[4]);
    d->rhave = 0;
    d->ahave = 0;
    d->records++;
    d->rs = RS_BODY;
    switch (type) {
    case CT_CCS:
    case CT_HEARTBEAT:
        d->mode = RM_SKIP;
        return;
    case CT_ALERT:
        /* TLS 1.3 protects alerts as application_data records: an alert
         * record there is a plaintext one (RFC 8446 6, 5.1). */
        prot = d->enc && !is13(c);
        break;
    case CT_HS:
        prot = d->enc && !is13(c);
        break;
    default:
        prot = d->enc;
        if (!prot) {
            /* 0-RTT data before the ServerHello, opened if its secret is
             * known; or application data in the clear, a protocol
             * violation, counted. */
            d->mode = dir == 0 && c->early == EARLY_MAYBE && early_key(c) && box_get(c, 0)
                ? RM_OPEN : RM_OPAQUE;
            return;
        }
        break;
    }
    if (!prot) {
        d->mode = type == CT_HS ? RM_HS : RM_ALERT;
        return;
    }
    if (keys_ready(c, dir))
        d->mode = RM_OPEN;
    else if (dir == 0 && c->early == EARLY_MAYBE && early_key(c) && box_get(c, 0))
        d->mode = RM_OPEN;  /* maybe early data with its own secret */
    else
        d->mode = RM_OPAQUE;
}

static void
record_end(struct tls_conn *c, int dir)
{
    struct tls_dir *d = &c->d[dir];

    switch (d->mode) {
    case RM_ALERT:
        alert(c, dir, d->alert, d->ahave, 0);
        break;
    case RM_SKIP:
        if (d->hdr[0] == CT_CCS)
            ccs(c, dir);
        break;
    case RM_OPEN:
        open_record(c, dir);
        break;
    case RM_OPAQUE:
        opaque(c, dir, (size_t)d->rlen + 5, dir == 0 && c->early == EARLY_MAYBE);
        break;
    default:
        break;
    }
    d->rs = RS_HDR;
    d->hhave = 0;
}

/* Body bytes of the current record. */
static void
record_body(struct tls_conn *c, int dir, struct rd *r)
{
    struct tls_dir *d = &c->d[dir];
    size_t k = (size_t)d->rlen - d->rhave;
    const uint8_t *p = NULL;

    if (k > rd_left(r))
        k = rd_left(r);
    rd_take(r, &p, k);
    switch (d->mode) {
    case RM_HS:
        hs_feed(c, dir, p, k, 0);
        break;
    case RM_ALERT: {
        struct rd a;
        uint8_t b;
        rd_init(&a, p, k);
        while (d->ahave < 2 && rd_u8(&a, &b) == 0)
            d->alert[d->ahave++] = b;
        break;
    }
    case RM_OPEN:
        if (d->box)
            memcpy(d->box->buf + d->rhave, p, k);
        break;
    default:
        break;
    }
    d->rhave = (uint16_t)(d->rhave + k);
    if (d->rhave == d->rlen)
        record_end(c, dir);
}

/* After lost bytes or a malformed header: slide over the bytes until five
 * of them look like a record header of this connection. */
static void
resync(struct tls_conn *c, int dir, struct rd *r)
{
    struct tls_dir *d = &c->d[dir];
    uint8_t b;

    while (rd_u8(r, &b) == 0) {
        d->skipped++;
        if (++d->resync > LIM_TLS_RESYNC) {
            d->rs = RS_DEAD;
            limit(c, dir, "no record header found: direction given up");
            return;
        }
        if (d->hhave == 5) {
            memmove(d->hdr, d->hdr + 1, 4);
            d->hhave = 4;
        }
        d->hdr[d->hhave++] = b;
        if (d->hhave == 5 && plausible(c, d->hdr, 1)) {
            d->skipped -= 5;
            d->resync = 0;
            record_start(c, dir);
            if (!d->rlen)
                record_end(c, dir);
            return;
        }
    }
}

static void
enter_resync(struct tls_dir *d)
{
    d->rs = RS_RESYNC;
    d->hhave = 0;
    d->resync = 0;
    hs_reset(d);
}

void
tls_conn_data(struct tls_conn *c, int dir, const uint8_t *p, size_t n,
              uint64_t pkt, const struct ms_time *ts, const struct tls_out *o)
{
    struct tls_dir *d;
    struct rd r;
    size_t k;

    if (!c || (dir != 0 && dir != 1))
        return;
    c->o = o;
    c->pkt = pkt;
    if (ts)
        c->ts = *ts;
    /* The other side speaks: its opaque burst is over. */
    if (dir != c->last_dir) {
        burst_flush(c, !dir);
        c->last_dir = dir;
    }
    if (!p || !n) {
        c->o = NULL;
        return;
    }
    d = &c->d[dir];
    rd_init(&r, p, n);
    while (rd_left(&r)) {
        switch (d->rs) {
        case RS_HDR:
            k = 5 - d->hhave;
            if (k > rd_left(&r))
                k = rd_left(&r);
            rd_bytes(&r, d->hdr + d->hhave, k);
            d->hhave = (uint8_t)(d->hhave + k);
            if (d->hhave < 5)
                break;
            if (!plausible(c, d->hdr, 0)) {
                bad(c, dir, "malformed record header");
                enter_resync(d);
                /* Scan on from the second byte of the rejected header. */
                memmove(d->hdr, d->hdr + 1, 4);
                d->hhave = 4;
                d->skipped += 5;
                break;
            }
            record_start(c, dir);
            if (!d->rlen)
                record_end(c, dir);
            break;
        case RS_BODY:
            record_body(c, dir, &r);
            break;
        case RS_RESYNC:
            resync(c, dir, &r);
            break;
        default:
            d->skipped += rd_left(&r);
            rd_skip(&r, rd_left(&r));
            break;
        }
    }
    c->o = NULL;
}

void
tls_conn_gap(struct tls_conn *c, int dir, uint64_t len, const struct tls_out *o)
{
    struct tls_dir *d;
    struct tls_event e;

    if (!c || (dir != 0 && dir != 1) || !len)
        return;
    d = &c->d[dir];
    c->o = o;
    burst_flush(c, dir);
    if (!d->said_gap) {
        d->said_gap = 1;
        ev_init(c, dir, TLS_EV_GAP, &e);
        e.bytes = len;
        e.reason = d->enc && (d->ds == DS_ON || d->ds == DS_OFF)
            ? "bytes lost: decryption stops" : "bytes lost";
        emit(c, &e);
    }
    /* Sequence numbers and keys cannot be followed over a hole in
     * protected records; before the first one nothing is lost yet. */
    if (d->enc) {
        if (d->ds == DS_ON || d->ds == DS_OFF)
            d->ds = DS_STOP;
        box_free(d);
    }
    hs_reset(d);
    if (dir == 0 && c->early == EARLY_MAYBE)
        c->early = EARLY_DONE;
    d->skipped += len;
    if (d->rs == RS_BODY && len <= (uint64_t)(d->rlen - d->rhave)) {
        /* The hole lies inside this record: the framing holds. */
        d->rhave = (uint16_t)(d->rhave + len);
        if (d->mode == RM_OPEN)
            d->mode = RM_OPAQUE;
        else if (d->mode != RM_OPAQUE)
            d->mode = RM_SKIP;
        if (d->rhave == d->rlen)
            record_end(c, dir);
    } else if (d->rs != RS_DEAD) {
        enter_resync(d);
    }
    c->o = NULL;
}

void
tls_conn_close(struct tls_conn *c, const struct tls_out *o)
{
    int dir;

    if (!c)
        return;
    c->o = o;
    /* A record the end cut short: its bytes were sent, say so. */
    for (dir = 0; dir < 2; dir++) {
        struct tls_dir *d = &c->d[dir];
        size_t part = d->rs == RS_HDR ? d->hhave
                    : d->rs == RS_BODY ? 5 + (size_t)d->rhave : 0;
        if (part) {
            opaque(c, dir, part, 0);
            d->rs = RS_HDR;
            d->hhave = 0;
        }
    }
    burst_flush(c, 0);
    burst_flush(c, 1);
    c->o = NULL;
}

struct tls_conn *
tls_conn_new(struct tls_keys *k)
{
    struct tls_conn *c = mem_calloc(MEM_STREAM, sizeof *c);

    if (c)
        c->keys = k;
    return c;
}

void
tls_conn_free(struct tls_conn *c)
{
    int i;

    if (!c)
        return;
    for (i = 0; i < 2; i++) {
        box_free(&c->d[i]);
        hs_release(&c->d[i]);
    }
    memset(c->ms, 0, sizeof c->ms);
    mem_free(MEM_STREAM, c, sizeof *c);
}

void
tls_conn_stats(const struct tls_conn *c, struct tls_conn_stats *s)
{
    int i;

    memset(s, 0, sizeof *s);
    if (!c)
        return;
    s->mem = sizeof *c;
    for (i = 0; i < 2; i++) {
        const struct tls_dir *d = &c->d[i];
        s->records[i] = d->records;
        s->decrypted[i] = d->decrypted;
        s->plain_bytes[i] = d->plain_bytes;
        s->opaque_records[i] = d->opaque_records;
        s->opaque_bytes[i] = d->opaque_bytes;
        s->skipped_bytes[i] = d->skipped;
        s->mem += d->hs.cap;
        if (d->box)
            s->mem += sizeof *d->box + (d->box->spare ? LIM_TLS_RECORD : 0);
    }
    s->early_records = c->early_records;
    s->version = c->version;
    s->suite = c->suite;
}

int
tls_looks_like_record(const uint8_t *p, size_t n)
{
    struct rd r;
    uint8_t type, maj, min;
    uint16_t len;

    if (!p || !n)
        return 0;
    rd_init(&r, p, n);
    rd_u8(&r, &type);
    if (type < CT_CCS || type > CT_HEARTBEAT)
        return 0;
    if (rd_u8(&r, &maj))
        return 1;
    if (maj != 3)
        return 0;
    if (rd_u8(&r, &min))
        return 1;
    if (min > 4)
        return 0;
    if (rd_be16(&r, &len))
        return 1;
    return len >= 1 && len <= LIM_TLS_RECORD;
}

void
tls_cleanup(void)
{
    tls_crypto_cleanup();
}
