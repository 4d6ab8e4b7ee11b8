/* test_tls_pipe.c - TLS captures through the whole dissector with their
 * key logs: the records (commands, replies, logins, handshake steps) are
 * the same however TCP cut the bytes: as captured, one byte per segment,
 * every step split at every offset, halves out of order with a resend.
 * The byte runs of each direction come from the capture itself. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../capture/link.h"
#include "../../dissect/dissect.h"
#include "../../dissect/ip.h"
#include "../../dissect/keylog.h"
#include "../../dissect/tcp.h"

#define MAXSTEP 256
#define MAXREC 256
#define STEPMAX 20000

struct step {
    int dir;
    size_t n;
    uint8_t *p;
};

static struct step steps[MAXSTEP];
static int nsteps;
static uint16_t sport;

/* ---- the capture's byte runs, in the order TCP delivered them ---- */

static void
cap_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
         const struct ms_time *ts, uint64_t flags)
{
    struct step *s;

    (void)ctx;
    (void)pkt;
    (void)ts;
    (void)flags;
    if (!n)
        return;
    if (nsteps && steps[nsteps - 1].dir == dir && steps[nsteps - 1].n + n <= STEPMAX) {
        s = &steps[nsteps - 1];
    } else {
        if (nsteps == MAXSTEP)
            abort();
        s = &steps[nsteps++];
        s->dir = dir;
        s->n = 0;
        s->p = malloc(STEPMAX);
    }
    memcpy(s->p + s->n, p, n);
    s->n += n;
}

static void
cap_gap(void *ctx, int dir, const struct tcp_gap *g)
{
    (void)ctx;
    (void)dir;
    (void)g;
    abort();    /* the fixtures are whole */
}

static int
load(const char *path)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline(path, eb);
    struct pcap_pkthdr *h;
    const u_char *data;
    static const struct tcp_out out = { cap_data, cap_gap, NULL };
    struct tcp_dir td[2];
    uint64_t num = 0;
    int dlt, i;

    for (i = 0; i < nsteps; i++)
        free(steps[i].p);
    nsteps = 0;
    sport = 0;
    memset(td, 0, sizeof td);
    if (!pc) {
        fprintf(stderr, "%s: %s\n", path, eb);
        return -1;
    }
    dlt = pcap_datalink(pc);
    while (pcap_next_ex(pc, &h, &data) == 1) {
        const uint8_t *l3;
        size_t n;
        struct pkt p;
        struct tcp_seg s;
        int fam, dir;

        num++;
        if ((fam = link_l3(dlt, data, h->caplen, &l3, &n)) < 0)
            continue;
        memset(&p, 0, sizeof p);
        p.num = num;
        if (ip_parse(&p, fam, l3, n,
                     h->len > h->caplen ? n + (h->len - h->caplen) : n) < 0
            || p.l4proto != 6
            || tcp_parse(p.l4, p.l4len, p.l4wire, &s) < 0)
            continue;
        if (!sport)
            sport = (s.flags & 0x12) == 0x02 ? s.dport : s.sport;   /* the SYN's */
        dir = s.sport == sport;
        tcp_input(td, dir, &s, num, &p.ts, 0, &out);
    }
    tcp_flush(td, &out);
    tcp_free(&td[0]);
    tcp_free(&td[1]);
    pcap_close(pc);
    return nsteps ? 0 : -1;
}

/* ---- the same bytes, cut other ways, through the dissector ---- */

static char recs[MAXREC][512];
static int nrec;

static void
sink(void *ctx, const struct rec *r)
{
    char *o;
    uint64_t fl = r->flags & ~(ANOM_F(ANOM_OUT_OF_ORDER) | ANOM_F(ANOM_RETRANSMISSION));

    (void)ctx;
    if (nrec >= MAXREC)
        return;
    o = recs[nrec++];
    snprintf(o, 512, "%s %d %s size=%llu fl=%llx tls=%u/%u/%u/%u text=%.*s user=%.*s secret=%.*s",
             rec_kind_name(r->kind), r->dir, r->verb, (unsigned long long)r->size,
             (unsigned long long)fl, r->tls.hs_type, r->tls.version, r->tls.suite,
             r->tls.alert_desc, (int)(r->text.n > 200 ? 200 : r->text.n),
             r->text.p ? (const char *)r->text.p : "", (int)r->cred.user.n,
             r->cred.user.p ? (const char *)r->cred.user.p : "", (int)r->cred.secret.n,
             r->cred.secret.p ? (const char *)r->cred.secret.p : "");
}

static uint64_t pktno;
static struct dis *D;

static void
packet(int dir, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data, size_t n)
{
    static uint8_t p[40 + 65535];
    struct ms_time ts = { 1700000000 + (int64_t)pktno, 0 };
    size_t tot = 40 + n;
    uint16_t cport = 40000;

    memset(p, 0, 40);
    p[0] = 0x45;
    p[2] = (uint8_t)(tot >> 8);
    p[3] = (uint8_t)tot;
    p[8] = 64;
    p[9] = 6;
    p[12] = 10; p[15] = dir == 0 ? 1 : 2;
    p[16] = 10; p[19] = dir == 0 ? 2 : 1;
    p[20] = (uint8_t)((dir == 0 ? cport : sport) >> 8);
    p[21] = (uint8_t)(dir == 0 ? cport : sport);
    p[22] = (uint8_t)((dir == 0 ? sport : cport) >> 8);
    p[23] = (uint8_t)(dir == 0 ? sport : cport);
    p[24] = (uint8_t)(seq >> 24); p[25] = (uint8_t)(seq >> 16);
    p[26] = (uint8_t)(seq >> 8); p[27] = (uint8_t)seq;
    p[28] = (uint8_t)(ack >> 24); p[29] = (uint8_t)(ack >> 16);
    p[30] = (uint8_t)(ack >> 8); p[31] = (uint8_t)ack;
    p[32] = 5 << 4;
    p[33] = flags;
    if (n)
        memcpy(p + 40, data, n);
    pktno++;
    dis_packet(D, pktno, &ts, (uint32_t)tot, (uint32_t)tot, 4, p, tot);
}

/* mode 0: one segment per step; 1: a byte per segment; 2: every step
 * cut at k; 3: halves in reverse order, then the whole again. */
static void
run(struct tls_keys *keys, int mode, size_t k)
{
    struct dis_cfg cfg;
    struct rec_sink s = { sink, NULL };
    uint32_t seq[2] = { 1000, 50000 };
    int i;

    dis_default_ports(&cfg);
    cfg.keys = keys;
    nrec = 0;
    pktno = 0;
    D = dis_new(&cfg, &s);
    packet(0, seq[0] - 1, 0, 0x02, NULL, 0);
    packet(1, seq[1] - 1, seq[0], 0x12, NULL, 0);
    for (i = 0; i < nsteps; i++) {
        int d = steps[i].dir;
        const uint8_t *b = steps[i].p;
        size_t n = steps[i].n, off, c;

        if (mode == 0) {
            for (off = 0; off < n; off += 1400)
                packet(d, seq[d] + (uint32_t)off, seq[!d], 0x18, b + off, n - off < 1400 ? n - off : 1400);
        } else if (mode == 1) {
            for (off = 0; off < n; off++)
                packet(d, seq[d] + (uint32_t)off, seq[!d], 0x18, b + off, 1);
        } else if (mode == 2) {
            c = k < n ? k : n;
            for (off = 0; off < c; off += 1400)
                packet(d, seq[d] + (uint32_t)off, seq[!d], 0x18, b + off, c - off < 1400 ? c - off : 1400);
            for (off = c; off < n; off += 1400)
                packet(d, seq[d] + (uint32_t)off, seq[!d], 0x18, b + off, n - off < 1400 ? n - off : 1400);
        } else {
            c = n / 2;
            if (n > c)
                packet(d, seq[d] + (uint32_t)c, seq[!d], 0x18, b + c, n - c);
            if (c)
                packet(d, seq[d], seq[!d], 0x18, b, c);
            packet(d, seq[d], seq[!d], 0x18, b, n);
        }
        seq[d] += (uint32_t)n;
    }
    packet(0, seq[0], seq[1], 0x11, NULL, 0);
    packet(1, seq[1], seq[0] + 1, 0x11, NULL, 0);
    dis_free(D);
}

static int
has(const char *needle)
{
    int i;

    for (i = 0; i < nrec; i++)
        if (strstr(recs[i], needle))
            return 1;
    fprintf(stderr, "no record contains \"%s\"\n", needle);
    return 0;
}

/* Every chunking gives the records of mode 0; returns how many differ. */
static int
every_chunking(const char *name, struct tls_keys *keys)
{
    static char want[MAXREC][512];
    int nwant, i, mode, bad = 0;
    size_t k, maxn = 0, step;

    run(keys, 0, 0);
    nwant = nrec;
    memcpy(want, recs, sizeof want);
    for (i = 0; i < nsteps; i++)
        if (steps[i].n > maxn)
            maxn = steps[i].n;
    /* every offset up to 600 (hellos, lines), then every 7th */
    for (mode = 1; mode <= 3; mode++) {
        for (k = 1; k <= (mode == 2 ? maxn : 1); k += step) {
            step = mode == 2 && k >= 600 ? 7 : 1;
            run(keys, mode, k);
            if (nrec != nwant) {
                fprintf(stderr, "%s: mode %d k %zu: %d records, want %d\n", name, mode, k, nrec, nwant);
                bad++;
                continue;
            }
            for (i = 0; i < nrec; i++)
                if (strcmp(recs[i], want[i])) {
                    fprintf(stderr, "%s: mode %d k %zu record %d:\n  got  %s\n  want %s\n",
                            name, mode, k, i, recs[i], want[i]);
                    bad++;
                    break;
                }
        }
    }
    run(keys, 0, 0);
    if (getenv("T_VERBOSE"))
        fprintf(stderr, "%s: %d steps, longest %zu bytes, %d records each way\n", name, nsteps, maxn, nwant);
    return bad;
}

static struct tls_keys *
keys_of(const char *path)
{
    struct tls_keys *k = tls_keys_new();
    char eb[256];

    if (!k || tls_keys_load(k, path, eb, sizeof eb) < 0) {
        fprintf(stderr, "%s: %s\n", path, eb);
        abort();
    }
    return k;
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name, *want_user, *want_secret, *want_cmd;
    } caps[] = {
        { "tls12-smtp-starttls-587", "user=user1", "secret=secret1", "command 0 MAIL" },
        { "tls13-pop3s-995", "user=user1", "secret=secret1", "command 0 STAT" },
        { "tls12-smtp-cbc-noetm", "user=user1", "secret=secret1", "command 0 RCPT" },
        { "tls13-smtp-starttls-chacha20", "user=user2", "secret=pa ss2!", "command 0 MAIL" },
        { "tls-pop3-stls", "user=user2", "secret=pa ss2!", "command 0 QUIT" },
    };
    const char *dir = argc > 1 ? argv[1] : "samples";
    char path[512];
    size_t i;

    for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        struct tls_keys *k;
        int bad;

        snprintf(path, sizeof path, "%s/%s.pcap", dir, caps[i].name);
        if (load(path) < 0) {
            T_CHECK(!"capture loads");
            continue;
        }
        snprintf(path, sizeof path, "%s/%s.keys", dir, caps[i].name);
        k = keys_of(path);
        bad = every_chunking(caps[i].name, k);
        T_INT(bad, 0);
        /* what the key log opens is there: a command and a login */
        T_CHECK(has(caps[i].want_cmd));
        T_CHECK(has("credential") && has(caps[i].want_user) && has(caps[i].want_secret));
        T_CHECK(has("tls 0 ClientHello") && has("tls 1 ServerHello"));
        tls_keys_free(k);
        /* without keys: the same handshake steps, no command, no login */
        run(NULL, 0, 0);
        T_CHECK(has("tls 0 ClientHello") && has("tls 1 ServerHello"));
        {
            int j, cmd_after_tls = 0, seen_tls = 0;
            for (j = 0; j < nrec; j++) {
                if (!strncmp(recs[j], "tls ", 4))
                    seen_tls = 1;
                else if (seen_tls && (!strncmp(recs[j], "command", 7) || !strncmp(recs[j], "credential", 10)))
                    cmd_after_tls = 1;
            }
            T_CHECK(!cmd_after_tls);
        }
    }
    for (i = 0; i < (size_t)nsteps; i++)
        free(steps[i].p);
    return T_DONE();
}
