/* gen.c - synthetic capture generator for the mailsift benchmarks.
 *
 * Writes a classic pcap (LINKTYPE_ETHERNET, microsecond timestamps) of
 * synthetic SMTP / POP3 traffic mixed with other TCP and UDP traffic.
 * Everything comes from one seeded xorshift PRNG, so a given set of
 * options always yields the same bytes. Packets are built straight into
 * a large output buffer that is written in big chunks; sessions live in
 * fixed arrays, and payload comes from pools made once at start, so
 * there is no allocation per packet.
 *
 * Modes:
 *   mixed     hundreds of interleaved sessions: SMTP (25/587, AUTH LOGIN /
 *             AUTH PLAIN, DATA 1-200 KB), POP3 (110, RETR), keystroke POP3,
 *             plus TCP bulk on 443/80/22 and UDP on 53/5000 filling the
 *             share of bytes that is not mail (-m). Stops at -S MB.
 *   short     -n short SMTP connections (EHLO, MAIL, RCPT, small DATA).
 *   shortauth the same, each logging in with AUTH PLAIN after EHLO.
 *   longline  one SMTP session whose client sends a 10 MiB line with no
 *             CRLF (-L bytes to change the length).
 *   halfopen  200,000 SYNs to port 25 never completed (-n to change), then
 *             one real SMTP session with AUTH LOGIN user1 / secret1.
 *   rcpt      one SMTP session with 10,000 pipelined RCPT TO commands and
 *             their replies (-n to change).
 *
 * Build: cc -std=c11 -O2 -Wall -Wextra -Wpedantic -o gen gen.c
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* PRNG: xorshift64* */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static void
rng_seed(uint64_t s)
{
    /* splitmix64 scramble so small seeds differ well */
    uint64_t z = s + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    rng_state = z ? z : 1;
}

static inline uint64_t
rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* uniform in [0, n) (n > 0); the modulo bias is irrelevant here */
static inline uint32_t
rndn(uint32_t n)
{
    return (uint32_t)((rnd() >> 32) % n);
}

/* uniform in [lo, hi] */
static inline uint32_t
rndr(uint32_t lo, uint32_t hi)
{
    return lo + rndn(hi - lo + 1);
}

/* true with probability per/10000 */
static inline int
chance(uint32_t per10k)
{
    return rndn(10000) < per10k;
}

/* log-uniform in [lo, hi] */
static uint32_t
rndlog(uint32_t lo, uint32_t hi)
{
    /* pick an exponent bucket, then uniform inside it; no libm needed */
    uint32_t a = lo, b;
    int steps = 0;
    while (a < hi) {
        a *= 2;
        steps++;
    }
    if (steps == 0)
        return lo;
    int k = (int)rndn((uint32_t)steps);
    a = lo << k;
    b = a * 2;
    if (b > hi)
        b = hi;
    if (a > hi)
        a = hi;
    return rndr(a, b);
}

/* ------------------------------------------------------------------ */
/* output */

#define OUTBUF_SZ   (16u << 20)
#define OUT_MARGIN  (64u << 10)
#define MSS         1448u
#define MAXPKT      (16 + 14 + 40 + 24 + MSS + 64)

static uint8_t *outbuf;
static size_t outpos;
static FILE *outfp;
static uint64_t total_bytes;   /* bytes written to the file, pcap hdrs incl. */
static uint64_t total_pkts;
static uint64_t mail_bytes;
static uint64_t clock_us;      /* capture clock, microseconds since epoch */

/* what the capture holds, printed at the end (-v) to check analyzers */
static struct {
    uint64_t smtp, smtp_login, smtp_plain, smtp_fail, smtp_msgs, smtp_rcpts;
    uint64_t pop3, pop3_keys, pop3_fail, pop3_retr;
    uint64_t other_tcp, udp_flows;
} st;

static void
out_flush(void)
{
    if (outpos && fwrite(outbuf, 1, outpos, outfp) != outpos) {
        fprintf(stderr, "gen: write: %s\n", strerror(errno));
        exit(1);
    }
    outpos = 0;
}

static inline void
out_reserve(size_t n)
{
    if (outpos + n > OUTBUF_SZ)
        out_flush();
}

static inline void
put16le(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void
put32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void
put16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void
put32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void
write_file_header(void)
{
    uint8_t h[24];
    put32le(h, 0xa1b2c3d4u);
    put16le(h + 4, 2);
    put16le(h + 6, 4);
    put32le(h + 8, 0);
    put32le(h + 12, 0);
    put32le(h + 16, 262144);
    put32le(h + 20, 1);          /* LINKTYPE_ETHERNET */
    memcpy(outbuf + outpos, h, 24);
    outpos += 24;
    total_bytes += 24;
}

/* ones' complement sum, big-endian 16-bit words */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
    while (n >= 8) {
        uint64_t w = ((uint64_t)p[0] << 8 | p[1])
            + ((uint64_t)p[2] << 8 | p[3])
            + ((uint64_t)p[4] << 8 | p[5])
            + ((uint64_t)p[6] << 8 | p[7]);
        sum += w;
        p += 8;
        n -= 8;
    }
    while (n >= 2) {
        sum += (uint64_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n)
        sum += (uint64_t)p[0] << 8;
    return sum;
}

static uint16_t
csum_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ------------------------------------------------------------------ */
/* endpoints and packet building */

struct ep {
    int v6;
    uint8_t caddr[16], saddr[16];
    uint8_t cmac[6], smac[6];
    uint16_t cport, sport;
    uint16_t cipid, sipid;
};

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static const uint8_t gw_mac[6] = { 0x00, 0x1b, 0x21, 0x3c, 0x9d, 0xf8 };

static void
ep_init(struct ep *e, int v6, uint16_t sport)
{
    memset(e, 0, sizeof *e);
    e->v6 = v6;
    e->sport = sport;
    e->cport = (uint16_t)rndr(32768, 60999);
    e->cipid = (uint16_t)rnd();
    e->sipid = (uint16_t)rnd();
    if (v6) {
        static const uint8_t pc[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0 };
        static const uint8_t ps[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x0b, 0x00, 0, 0 };
        uint64_t a = rnd(), b = rndn(64) + 1;
        memcpy(e->caddr, pc, 8);
        memcpy(e->saddr, ps, 8);
        for (int i = 0; i < 8; i++)
            e->caddr[8 + i] = (uint8_t)(a >> (8 * i));
        e->saddr[15] = (uint8_t)b;
    } else {
        /* clients in 10/8, servers in 192.0.2.0/24 and 198.51.100.0/24 */
        e->caddr[0] = 10;
        e->caddr[1] = (uint8_t)rndn(256);
        e->caddr[2] = (uint8_t)rndn(256);
        e->caddr[3] = (uint8_t)rndr(1, 254);
        e->saddr[0] = rndn(2) ? 192 : 198;
        e->saddr[1] = e->saddr[0] == 192 ? 0 : 51;
        e->saddr[2] = e->saddr[0] == 192 ? 2 : 100;
        e->saddr[3] = (uint8_t)rndr(1, 64);
    }
    uint64_t m = rnd();
    e->cmac[0] = 0x02;
    for (int i = 1; i < 6; i++)
        e->cmac[i] = (uint8_t)(m >> (8 * i));
    memcpy(e->smac, gw_mac, 6);
}

static inline void
tick(void)
{
    clock_us += 1 + rndn(24);
}

/*
 * Build one packet at outbuf+outpos. dir 0 = client->server.
 * proto 6 (TCP) or 17 (UDP). Payload comes from up to nsrc gather pieces
 * concatenated (already sliced to the segment). Returns its length.
 */
struct piece {
    const uint8_t *p;
    uint32_t n;
};

static size_t
build_pkt(struct ep *e, int dir, int proto, uint8_t flags, uint32_t seq,
    uint32_t ack, const struct piece *pc, int npc, uint32_t plen, int mss_opt)
{
    uint8_t *rec = outbuf + outpos;
    uint8_t *eth = rec + 16;
    uint8_t *ip = eth + 14;
    size_t iphl = e->v6 ? 40 : 20;
    uint8_t *l4 = ip + iphl;
    size_t l4hl = proto == 6 ? (mss_opt ? 24 : 20) : 8;
    uint8_t *pay = l4 + l4hl;
    const uint8_t *src = dir ? e->saddr : e->caddr;
    const uint8_t *dst = dir ? e->caddr : e->saddr;
    uint16_t sp = dir ? e->sport : e->cport;
    uint16_t dp = dir ? e->cport : e->sport;
    size_t l4len = l4hl + plen;
    size_t caplen = 14 + iphl + l4len;

    /* payload first, so the checksum can run over it */
    {
        uint8_t *d = pay;
        for (int i = 0; i < npc; i++) {
            memcpy(d, pc[i].p, pc[i].n);
            d += pc[i].n;
        }
    }

    tick();
    put32le(rec, (uint32_t)(clock_us / 1000000u));
    put32le(rec + 4, (uint32_t)(clock_us % 1000000u));
    put32le(rec + 8, (uint32_t)caplen);
    put32le(rec + 12, (uint32_t)caplen);

    memcpy(eth, dir ? e->cmac : e->smac, 6);
    memcpy(eth + 6, dir ? e->smac : e->cmac, 6);
    put16be(eth + 12, e->v6 ? 0x86dd : 0x0800);

    uint64_t sum;
    if (e->v6) {
        put32be(ip, 0x60000000u);
        put16be(ip + 4, (uint16_t)l4len);
        ip[6] = (uint8_t)proto;
        ip[7] = 64;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
        sum = csum_add(0, src, 16);
        sum = csum_add(sum, dst, 16);
        sum += (uint64_t)l4len;
        sum += (uint64_t)proto;
    } else {
        uint16_t *id = dir ? &e->sipid : &e->cipid;
        ip[0] = 0x45;
        ip[1] = 0;
        put16be(ip + 2, (uint16_t)(20 + l4len));
        put16be(ip + 4, (*id)++);
        put16be(ip + 6, 0x4000);
        ip[8] = dir ? 57 : 64;
        ip[9] = (uint8_t)proto;
        ip[10] = ip[11] = 0;
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        put16be(ip + 10, csum_fold(csum_add(0, ip, 20)));
        sum = csum_add(0, src, 4);
        sum = csum_add(sum, dst, 4);
        sum += (uint64_t)l4len;
        sum += (uint64_t)proto;
    }

    if (proto == 6) {
        put16be(l4, sp);
        put16be(l4 + 2, dp);
        put32be(l4 + 4, seq);
        put32be(l4 + 8, ack);
        l4[12] = (uint8_t)((l4hl / 4) << 4);
        l4[13] = flags;
        put16be(l4 + 14, dir ? 65160 : 64240);
        l4[16] = l4[17] = 0;
        l4[18] = l4[19] = 0;
        if (mss_opt) {
            l4[20] = 2;
            l4[21] = 4;
            put16be(l4 + 22, (uint16_t)(e->v6 ? 1440 : 1460));
        }
        sum = csum_add(sum, l4, l4len);
        put16be(l4 + 16, csum_fold(sum));
    } else {
        put16be(l4, sp);
        put16be(l4 + 2, dp);
        put16be(l4 + 4, (uint16_t)l4len);
        l4[6] = l4[7] = 0;
        sum = csum_add(sum, l4, l4len);
        uint16_t c = csum_fold(sum);
        put16be(l4 + 6, c ? c : 0xffff);
    }
    return 16 + caplen;
}

/* account a packet just built at outpos with length n */
static inline void
commit_pkt(size_t n, int mail)
{
    outpos += n;
    total_bytes += n;
    total_pkts++;
    if (mail)
        mail_bytes += n;
}

/* copy a whole record (already built elsewhere) with a fresh timestamp */
static void
emit_copy(const uint8_t *rec, size_t n, int mail)
{
    out_reserve(n);
    memcpy(outbuf + outpos, rec, n);
    tick();
    put32le(outbuf + outpos, (uint32_t)(clock_us / 1000000u));
    put32le(outbuf + outpos + 4, (uint32_t)(clock_us % 1000000u));
    commit_pkt(n, mail);
}

/* ------------------------------------------------------------------ */
/* payload pools */

#define RND_POOL_SZ   (4u << 20)
#define TXT_POOL_SZ   (8u << 20)
#define MAX_BODY      (200u * 1024)

static uint8_t *rnd_pool;
static uint8_t *txt_pool;
static uint32_t txt_len;
static uint32_t *txt_lines;     /* offsets of line starts */
static uint32_t txt_nlines;

static const char *const words[] = {
    "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was",
    "for", "on", "are", "as", "with", "his", "they", "at", "be", "this",
    "have", "from", "or", "one", "had", "by", "word", "but", "not", "what",
    "all", "were", "we", "when", "your", "can", "said", "there", "use",
    "an", "each", "which", "she", "do", "how", "their", "if", "will", "up",
    "other", "about", "out", "many", "then", "them", "these", "so", "some",
    "her", "would", "make", "like", "him", "into", "time", "has", "look",
    "two", "more", "write", "go", "see", "number", "no", "way", "could",
    "people", "my", "than", "first", "water", "been", "call", "who", "oil",
    "its", "now", "find", "long", "down", "day", "did", "get", "come",
    "made", "may", "part", "meeting", "invoice", "attached", "quarterly",
    "report", "budget", "please", "review", "schedule", "thanks", "regards",
    "project", "deadline", "server", "update", "release", "customer",
    "contract", "shipment", "order", "payment", "account", "password",
    "Monday", "Tuesday", "Friday", "tomorrow", "agenda", "minutes", "draft",
};
#define NWORDS (sizeof words / sizeof words[0])

static const char *const names[] = {
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
    "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil",
    "trent", "victor", "walter", "yolanda", "zoe", "mike", "anna", "lars",
    "sofia", "chen", "priya", "omar", "fatima", "jonas", "mei", "pablo",
};
#define NNAMES (sizeof names / sizeof names[0])

static const char *const domains[] = {
    "example.com", "example.net", "example.org", "corp.example",
    "mail.example.com", "acme.test", "globex.test", "initech.test",
};
#define NDOMAINS (sizeof domains / sizeof domains[0])

static const char *const mons[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char *const wdays[] = {
    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};
static uint64_t start_sec;

static void *
xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "gen: out of memory\n");
        exit(1);
    }
    return p;
}

static void
make_pools(void)
{
    rnd_pool = xmalloc(RND_POOL_SZ);
    for (uint32_t i = 0; i < RND_POOL_SZ; i += 8) {
        uint64_t r = rnd();
        memcpy(rnd_pool + i, &r, 8);
    }

    /* mail body text: CRLF lines of words, wire form (dot-stuffed) */
    txt_pool = xmalloc(TXT_POOL_SZ + 256);
    txt_lines = xmalloc(sizeof(uint32_t) * (TXT_POOL_SZ / 2));
    uint32_t o = 0;
    txt_nlines = 0;
    while (o < TXT_POOL_SZ - 200) {
        txt_lines[txt_nlines++] = o;
        uint32_t r = rndn(1000);
        if (r < 40) {
            /* empty line (paragraph break) */
        } else if (r < 52) {
            /* a line that began with '.', dot-stuffed on the wire */
            txt_pool[o++] = '.';
            txt_pool[o++] = '.';
            if (rndn(4)) {
                uint32_t want = rndr(5, 60), n = 0;
                while (n < want) {
                    const char *w = words[rndn(NWORDS)];
                    size_t wl = strlen(w);
                    memcpy(txt_pool + o, w, wl);
                    o += (uint32_t)wl;
                    n += (uint32_t)wl;
                    txt_pool[o++] = ' ';
                    n++;
                }
                o--;
            }
        } else if (r < 60) {
            /* quoted reply line */
            txt_pool[o++] = '>';
            txt_pool[o++] = ' ';
            uint32_t want = rndr(20, 70), n = 0;
            while (n < want) {
                const char *w = words[rndn(NWORDS)];
                size_t wl = strlen(w);
                memcpy(txt_pool + o, w, wl);
                o += (uint32_t)wl;
                n += (uint32_t)wl;
                txt_pool[o++] = ' ';
                n++;
            }
            o--;
        } else {
            uint32_t want = rndr(30, 74), n = 0;
            while (n < want) {
                const char *w = words[rndn(NWORDS)];
                size_t wl = strlen(w);
                memcpy(txt_pool + o, w, wl);
                o += (uint32_t)wl;
                n += (uint32_t)wl;
                txt_pool[o++] = rndn(12) ? ' ' : (rndn(2) ? ',' : '.');
                n++;
            }
            txt_pool[o - 1] = '.';
        }
        txt_pool[o++] = '\r';
        txt_pool[o++] = '\n';
    }
    txt_len = o;
}

/* a body slice of about n bytes that starts and ends on line boundaries */
static struct piece
body_slice(uint32_t n)
{
    struct piece pc;
    uint32_t maxstart = txt_len - MAX_BODY - 1024;
    uint32_t li;
    do {
        li = rndn(txt_nlines);
    } while (txt_lines[li] > maxstart);
    uint32_t s = txt_lines[li];
    uint32_t e = s + n;
    while (e < txt_len && txt_pool[e - 1] != '\n')
        e++;
    pc.p = txt_pool + s;
    pc.n = e - s;
    return pc;
}

static struct piece
rnd_slice(uint32_t n)
{
    struct piece pc;
    if (n > RND_POOL_SZ)
        n = RND_POOL_SZ;
    pc.p = rnd_pool + rndn(RND_POOL_SZ - n + 1);
    pc.n = n;
    return pc;
}

/* ------------------------------------------------------------------ */
/* base64 */

static size_t
b64(char *out, const uint8_t *in, size_t n)
{
    static const char t[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = t[v >> 18];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = t[(v >> 6) & 63];
        out[o++] = t[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = t[v >> 18];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = t[v >> 18];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = t[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = 0;
    return o;
}

/* ------------------------------------------------------------------ */
/* sessions */

enum kind {
    K_SMTP, K_POP3, K_POP3_KEYS, K_HTTPS, K_HTTP, K_SSH, K_DNS, K_UDP5000,
    K_SHORT, K_LONGLINE, K_RCPT, K_REAL,
};

enum act {
    A_NONE, A_SYN, A_SYNACK, A_ACK3, A_DATA, A_FIN_C, A_FIN_S, A_LASTACK,
    A_FINACK_S, A_UDP, A_DONE,
};

#define SBUF_SZ   8192
#define MAXMSG    4

struct session {
    int used;
    int kind;
    int mail;           /* bytes count as mail */
    struct ep e;
    uint32_t cseq, sseq;        /* next seq each side sends */
    int state;
    int act;
    /* current data message */
    int dir;
    struct piece pc[4];
    int npc;
    int pci;
    uint32_t pcoff;
    uint32_t left;      /* bytes of the message not yet sent */
    uint32_t segmax;    /* MSS, or 1 for keystrokes */
    uint32_t nseg;
    int ack_every;      /* receiver pure-ACKs every n data segments */
    int dirty;          /* unacked segments since the last pure ACK */
    /* reordering: one segment held back until the next one is out */
    uint8_t held[MAXPKT];
    size_t held_len;
    /* per-kind state */
    int auth;           /* 0 none, 1 LOGIN, 2 PLAIN, 3 LOGIN w/ initial */
    int authfail;
    int nrcpt, rcpti;
    int nmsg, msgi;
    int nrounds;
    uint32_t msg_off[MAXMSG], msg_len[MAXMSG];
    uint64_t msg_seed[MAXMSG];
    uint32_t count;
    char user[64], pass[64], from[96], to[3][96];
    char host[64];
    char sbuf[SBUF_SZ];
    char hbuf[2048];
    /* keystroke: line being typed */
    char kbuf[128];
};

static const char crlf_dot[] = ".\r\n";

/* queue a data message from dir, made of up to 4 pieces */
static void
msg_set(struct session *s, int dir, const struct piece *pc, int npc)
{
    s->act = A_DATA;
    s->dir = dir;
    s->npc = npc;
    s->pci = 0;
    s->pcoff = 0;
    s->left = 0;
    s->nseg = 0;
    for (int i = 0; i < npc; i++) {
        s->pc[i] = pc[i];
        s->left += pc[i].n;
    }
}

static void
msg_text(struct session *s, int dir, const char *txt, size_t n)
{
    struct piece pc = { (const uint8_t *)txt, (uint32_t)n };
    msg_set(s, dir, &pc, 1);
}

static void
msg_fmt(struct session *s, int dir, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
msg_fmt(struct session *s, int dir, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->sbuf, SBUF_SZ, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if (n >= (int)SBUF_SZ)
        n = SBUF_SZ - 1;
    msg_text(s, dir, s->sbuf, (size_t)n);
}

static void
rand_user(struct session *s)
{
    const char *n = names[rndn(NNAMES)];
    const char *d = domains[rndn(NDOMAINS)];
    if (rndn(3) == 0)
        snprintf(s->user, sizeof s->user, "%s%u@%s", n, rndn(1000), d);
    else
        snprintf(s->user, sizeof s->user, "%s.%s", n, names[rndn(NNAMES)]);
    static const char al[] =
        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%*";
    int pl = (int)rndr(8, 14);
    for (int i = 0; i < pl; i++)
        s->pass[i] = al[rndn(sizeof al - 1)];
    s->pass[pl] = 0;
    snprintf(s->from, sizeof s->from, "%s@%s", n, d);
    for (int i = 0; i < 3; i++)
        snprintf(s->to[i], sizeof s->to[i], "%s@%s", names[rndn(NNAMES)],
            domains[rndn(NDOMAINS)]);
    snprintf(s->host, sizeof s->host, "ws%03u.%s", rndn(1000), d);
}

/* RFC 5322 header block for a message; deterministic for seed */
static size_t
make_header(char *out, size_t cap, uint64_t seed, const char *from,
    const char *to, uint32_t bodylen)
{
    uint64_t save = rng_state;
    rng_state = seed ? seed : 1;
    /* the Date depends on the seed only, so the header length (used for
     * POP3 octet counts) is the same whenever it is rebuilt */
    time_t t = (time_t)(start_sec - rndn(86400));
    struct tm tm;
    gmtime_r(&t, &tm);
    char subj[160];
    size_t sl = 0;
    int nw = (int)rndr(2, 8);
    for (int i = 0; i < nw && sl < 120; i++) {
        const char *w = words[rndn(NWORDS)];
        sl += (size_t)snprintf(subj + sl, sizeof subj - sl, "%s%s",
            i ? " " : "", w);
    }
    if (rndn(5) == 0)
        sl += (size_t)snprintf(subj + sl, sizeof subj - sl, " (%u)", bodylen);
    int n = snprintf(out, cap,
        "Received: from %s (%s [10.%u.%u.%u])\r\n"
        "\tby mx.%s with ESMTPSA id %08X%04X\r\n"
        "\tfor <%s>; %s, %d %s %d %02d:%02d:%02d +0000\r\n"
        "From: \"%s\" <%s>\r\n"
        "To: <%s>\r\n"
        "Subject: %s\r\n"
        "Date: %s, %d %s %d %02d:%02d:%02d +0000\r\n"
        "Message-ID: <%016llx.%04x@%s>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "X-Mailer: mailsift-gen 1.0\r\n"
        "\r\n",
        domains[rndn(NDOMAINS)], domains[rndn(NDOMAINS)], rndn(256), rndn(256),
        rndn(254) + 1, domains[rndn(NDOMAINS)], (unsigned)rnd(),
        (unsigned)rndn(65536), to,
        wdays[tm.tm_wday], tm.tm_mday,
        mons[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
        names[rndn(NNAMES)], from, to, subj,
        wdays[tm.tm_wday], tm.tm_mday,
        mons[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
        (unsigned long long)rnd(), (unsigned)rndn(65536),
        domains[rndn(NDOMAINS)]);
    rng_state = save;
    if (n < 0)
        n = 0;
    if ((size_t)n >= cap)
        n = (int)cap - 1;
    return (size_t)n;
}

/* ------------------------------------------------------------------ */
/* emitting */

/* pure ACK / control segment */
static void
emit_ctl(struct session *s, int dir, uint8_t flags, int mss_opt)
{
    out_reserve(MAXPKT * 3);
    uint32_t seq = dir ? s->sseq : s->cseq;
    uint32_t ack = (flags & TH_ACK) ? (dir ? s->cseq : s->sseq) : 0;
    size_t n = build_pkt(&s->e, dir, 6, flags, seq, ack, NULL, 0, 0, mss_opt);
    commit_pkt(n, s->mail);
    if (flags & (TH_SYN | TH_FIN)) {
        if (dir)
            s->sseq++;
        else
            s->cseq++;
    }
}

static void
flush_held(struct session *s)
{
    if (s->held_len) {
        emit_copy(s->held, s->held_len, s->mail);
        s->held_len = 0;
    }
}

/* send the next segment of the current data message */
static void
emit_segment(struct session *s)
{
    struct piece sl[4];
    int nsl = 0;
    uint32_t want = s->left < s->segmax ? s->left : s->segmax;
    uint32_t got = 0;

    while (got < want) {
        struct piece *p = &s->pc[s->pci];
        uint32_t avail = p->n - s->pcoff;
        uint32_t take = want - got < avail ? want - got : avail;
        if (take) {
            sl[nsl].p = p->p + s->pcoff;
            sl[nsl].n = take;
            nsl++;
        }
        got += take;
        s->pcoff += take;
        if (s->pcoff == p->n) {
            s->pci++;
            s->pcoff = 0;
        }
    }

    out_reserve(MAXPKT * 4);
    int dir = s->dir;
    uint32_t seq = dir ? s->sseq : s->cseq;
    uint32_t ack = dir ? s->cseq : s->sseq;
    s->left -= want;
    uint8_t fl = TH_ACK | ((s->left == 0 || s->segmax == 1) ? TH_PSH : 0);
    size_t n = build_pkt(&s->e, dir, 6, fl, seq, ack, sl, nsl, want, 0);
    if (dir)
        s->sseq += want;
    else
        s->cseq += want;
    s->nseg++;

    if (s->held_len == 0 && s->left > 0 && s->segmax > 1 && chance(50)) {
        /* hold this one back: it goes out after the next segment */
        memcpy(s->held, outbuf + outpos, n);
        s->held_len = n;
        return;
    }
    size_t at = outpos;
    commit_pkt(n, s->mail);
    flush_held(s);
    if (chance(50))
        emit_copy(outbuf + at, n, s->mail);   /* exact retransmission */
    if (s->held_len == 0 && s->left > 0 && ++s->dirty >= s->ack_every) {
        emit_ctl(s, !dir, TH_ACK, 0);
        s->dirty = 0;
    }
    if (s->left == 0)
        s->dirty = 0;
}

/* ------------------------------------------------------------------ */
/* per-kind scripts: each call sets s->act for the next step */

static int pct_mail = 20;

static void
script_smtp(struct session *s)
{
    char tmp[512];
    uint8_t raw[256];
    size_t n;

    switch (s->state++) {
    case 0:
        msg_fmt(s, 1, "220 mx%u.%s ESMTP Postfix (Debian/GNU)\r\n",
            rndn(9) + 1, domains[rndn(NDOMAINS)]);
        return;
    case 1:
        msg_fmt(s, 0, "EHLO %s\r\n", s->host);
        return;
    case 2:
        msg_fmt(s, 1,
            "250-mx.%s\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n"
            "250-VRFY\r\n250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n"
            "250-AUTH=PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n"
            "250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n",
            domains[rndn(NDOMAINS)]);
        if (s->auth == 0)
            s->state = 20;
        return;
    /* AUTH */
    case 3:
        if (s->auth == 2) {
            n = 0;
            raw[n++] = 0;
            memcpy(raw + n, s->user, strlen(s->user));
            n += strlen(s->user);
            raw[n++] = 0;
            memcpy(raw + n, s->pass, strlen(s->pass));
            n += strlen(s->pass);
            b64(tmp, raw, n);
            msg_fmt(s, 0, "AUTH PLAIN %s\r\n", tmp);
            s->state = 8;
        } else if (s->auth == 3) {
            b64(tmp, (const uint8_t *)s->user, strlen(s->user));
            msg_fmt(s, 0, "AUTH LOGIN %s\r\n", tmp);
            s->state = 6;
        } else {
            msg_fmt(s, 0, "AUTH LOGIN\r\n");
        }
        return;
    case 4:
        msg_fmt(s, 1, "334 VXNlcm5hbWU6\r\n");
        return;
    case 5:
        b64(tmp, (const uint8_t *)s->user, strlen(s->user));
        msg_fmt(s, 0, "%s\r\n", tmp);
        return;
    case 6:
        msg_fmt(s, 1, "334 UGFzc3dvcmQ6\r\n");
        return;
    case 7:
        b64(tmp, (const uint8_t *)s->pass, strlen(s->pass));
        msg_fmt(s, 0, "%s\r\n", tmp);
        return;
    case 8:
        if (s->authfail) {
            msg_fmt(s, 1, "535 5.7.8 Error: authentication failed: "
                "authentication failure\r\n");
            s->state = 40;
        } else {
            msg_fmt(s, 1, "235 2.7.0 Authentication successful\r\n");
            s->state = 20;
        }
        return;
    /* envelope */
    case 20:
        if (rndn(2))
            msg_fmt(s, 0, "MAIL FROM:<%s> SIZE=%u\r\n", s->from,
                s->msg_len[s->msgi] + 900);
        else
            msg_fmt(s, 0, "MAIL FROM:<%s>\r\n", s->from);
        s->rcpti = 0;
        return;
    case 21:
        msg_fmt(s, 1, "250 2.1.0 Ok\r\n");
        return;
    case 22:
        msg_fmt(s, 0, "RCPT TO:<%s>\r\n", s->to[s->rcpti]);
        return;
    case 23:
        if (rndn(40) == 0) {
            msg_fmt(s, 1, "550 5.1.1 <%s>: Recipient address rejected: "
                "User unknown in virtual mailbox table\r\n", s->to[s->rcpti]);
        } else {
            msg_fmt(s, 1, "250 2.1.5 Ok\r\n");
        }
        if (++s->rcpti < s->nrcpt)
            s->state = 22;
        return;
    case 24:
        msg_fmt(s, 0, "DATA\r\n");
        return;
    case 25:
        msg_fmt(s, 1, "354 End data with <CR><LF>.<CR><LF>\r\n");
        return;
    case 26: {
        struct piece pc[3];
        size_t hl = make_header(s->hbuf, sizeof s->hbuf, s->msg_seed[s->msgi],
            s->from, s->to[0], s->msg_len[s->msgi]);
        pc[0].p = (const uint8_t *)s->hbuf;
        pc[0].n = (uint32_t)hl;
        pc[1].p = txt_pool + s->msg_off[s->msgi];
        pc[1].n = s->msg_len[s->msgi];
        pc[2].p = (const uint8_t *)crlf_dot;
        pc[2].n = 3;
        msg_set(s, 0, pc, 3);
        return;
    }
    case 27:
        msg_fmt(s, 1, "250 2.0.0 Ok: queued as %08X%X\r\n",
            (unsigned)rnd(), rndn(16));
        if (++s->msgi < s->nmsg)
            s->state = 20;
        return;
    /* close */
    case 28:
    case 40:
        msg_fmt(s, 0, "QUIT\r\n");
        s->state = 41;
        return;
    case 41:
        msg_fmt(s, 1, "221 2.0.0 Bye\r\n");
        return;
    default:
        s->act = A_FIN_S;
        return;
    }
}

static void
pop3_prepare_msgs(struct session *s)
{
    for (int i = 0; i < s->nmsg; i++) {
        uint32_t bl = rndlog(1024, MAX_BODY);
        struct piece b = body_slice(bl);
        s->msg_off[i] = (uint32_t)(b.p - txt_pool);
        s->msg_len[i] = b.n;
        s->msg_seed[i] = rnd() | 1;
    }
}

static uint32_t
pop3_msg_octets(struct session *s, int i)
{
    char tmp[2048];
    return (uint32_t)make_header(tmp, sizeof tmp, s->msg_seed[i], s->to[1],
        s->user, s->msg_len[i]) + s->msg_len[i];
}

static void
script_pop3(struct session *s)
{
    switch (s->state++) {
    case 0:
        msg_fmt(s, 1, "+OK Dovecot (Debian) ready. <%u.%u@pop.%s>\r\n",
            rndn(90000) + 1000, (unsigned)(clock_us / 1000000u),
            domains[rndn(NDOMAINS)]);
        return;
    case 1:
        msg_fmt(s, 0, "USER %s\r\n", s->user);
        return;
    case 2:
        msg_fmt(s, 1, "+OK\r\n");
        return;
    case 3:
        msg_fmt(s, 0, "PASS %s\r\n", s->pass);
        return;
    case 4:
        if (s->authfail) {
            msg_fmt(s, 1, "-ERR [AUTH] Authentication failed.\r\n");
            s->state = 30;
        } else {
            msg_fmt(s, 1, "+OK Logged in.\r\n");
        }
        return;
    case 5:
        msg_fmt(s, 0, "STAT\r\n");
        return;
    case 6: {
        uint32_t tot = 0;
        for (int i = 0; i < s->nmsg; i++)
            tot += pop3_msg_octets(s, i);
        msg_fmt(s, 1, "+OK %d %u\r\n", s->nmsg, tot);
        if (s->nmsg == 0)
            s->state = 30;
        return;
    }
    case 7:
        msg_fmt(s, 0, "LIST\r\n");
        return;
    case 8: {
        int n = snprintf(s->sbuf, SBUF_SZ, "+OK %d messages:\r\n", s->nmsg);
        for (int i = 0; i < s->nmsg; i++)
            n += snprintf(s->sbuf + n, SBUF_SZ - (size_t)n, "%d %u\r\n",
                i + 1, pop3_msg_octets(s, i));
        n += snprintf(s->sbuf + n, SBUF_SZ - (size_t)n, ".\r\n");
        msg_text(s, 1, s->sbuf, (size_t)n);
        s->msgi = 0;
        return;
    }
    case 9:
        msg_fmt(s, 0, "RETR %d\r\n", s->msgi + 1);
        return;
    case 10: {
        struct piece pc[4];
        int n = snprintf(s->sbuf, SBUF_SZ, "+OK %u octets\r\n",
            pop3_msg_octets(s, s->msgi));
        size_t hl = make_header(s->hbuf, sizeof s->hbuf, s->msg_seed[s->msgi],
            s->to[1], s->user, s->msg_len[s->msgi]);
        pc[0].p = (const uint8_t *)s->sbuf;
        pc[0].n = (uint32_t)n;
        pc[1].p = (const uint8_t *)s->hbuf;
        pc[1].n = (uint32_t)hl;
        pc[2].p = txt_pool + s->msg_off[s->msgi];
        pc[2].n = s->msg_len[s->msgi];
        pc[3].p = (const uint8_t *)crlf_dot;
        pc[3].n = 3;
        msg_set(s, 1, pc, 4);
        return;
    }
    case 11:
        msg_fmt(s, 0, "DELE %d\r\n", s->msgi + 1);
        return;
    case 12:
        msg_fmt(s, 1, "+OK Marked to be deleted.\r\n");
        if (++s->msgi < s->nmsg)
            s->state = 9;
        else
            s->state = 30;
        return;
    case 30:
        msg_fmt(s, 0, "QUIT\r\n");
        return;
    case 31:
        msg_fmt(s, 1, "+OK Logging out.\r\n");
        return;
    default:
        s->act = A_FIN_S;
        return;
    }
}

/* keystroke POP3: the client types each command one byte per segment */
static void
keys_line(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
keys_line(struct session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->kbuf, sizeof s->kbuf, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if (n >= (int)sizeof s->kbuf)
        n = sizeof s->kbuf - 1;
    msg_text(s, 0, s->kbuf, (size_t)n);
    s->segmax = 1;
}

static void
script_pop3_keys(struct session *s)
{
    s->segmax = MSS;
    switch (s->state++) {
    case 0:
        msg_fmt(s, 1, "+OK POP3 mailhost.%s v2003.83 server ready\r\n",
            domains[rndn(NDOMAINS)]);
        return;
    case 1:
        keys_line(s, "USER %s\r\n", s->user);
        return;
    case 2:
        msg_fmt(s, 1, "+OK User name accepted, password please\r\n");
        return;
    case 3:
        keys_line(s, "PASS %s\r\n", s->pass);
        return;
    case 4:
        msg_fmt(s, 1, "+OK Mailbox open, %d messages\r\n", s->nmsg);
        return;
    case 5:
        keys_line(s, "STAT\r\n");
        return;
    case 6:
        msg_fmt(s, 1, "+OK %d %u\r\n", s->nmsg, pop3_msg_octets(s, 0));
        return;
    case 7:
        keys_line(s, "RETR 1\r\n");
        return;
    case 8: {
        struct piece pc[4];
        int n = snprintf(s->sbuf, SBUF_SZ, "+OK %u octets\r\n",
            pop3_msg_octets(s, 0));
        size_t hl = make_header(s->hbuf, sizeof s->hbuf, s->msg_seed[0],
            s->to[1], s->user, s->msg_len[0]);
        pc[0].p = (const uint8_t *)s->sbuf;
        pc[0].n = (uint32_t)n;
        pc[1].p = (const uint8_t *)s->hbuf;
        pc[1].n = (uint32_t)hl;
        pc[2].p = txt_pool + s->msg_off[0];
        pc[2].n = s->msg_len[0];
        pc[3].p = (const uint8_t *)crlf_dot;
        pc[3].n = 3;
        msg_set(s, 1, pc, 4);
        return;
    }
    case 9:
        keys_line(s, "QUIT\r\n");
        return;
    case 10:
        msg_fmt(s, 1, "+OK Sayonara\r\n");
        return;
    default:
        s->act = A_FIN_S;
        return;
    }
}

static void
script_https(struct session *s)
{
    struct piece pc;
    switch (s->state++) {
    case 0:
        pc = rnd_slice(rndr(250, 600));
        msg_set(s, 0, &pc, 1);
        return;
    case 1:
        pc = rnd_slice(rndr(2500, 6000));
        msg_set(s, 1, &pc, 1);
        return;
    case 2:
        pc = rnd_slice(rndr(80, 200));
        msg_set(s, 0, &pc, 1);
        return;
    case 3:
        pc = rnd_slice(rndr(200, 1200));
        msg_set(s, 0, &pc, 1);
        return;
    case 4:
        pc = rnd_slice(rndlog(2000, 2u << 20));
        msg_set(s, 1, &pc, 1);
        if (--s->nrounds > 0)
            s->state = 3;
        return;
    default:
        s->act = rndn(2) ? A_FIN_C : A_FIN_S;
        return;
    }
}

static void
script_http(struct session *s)
{
    static const char *const ext[] = { "iso", "tar.gz", "jpg", "bin", "zip" };
    switch (s->state++) {
    case 0:
        msg_fmt(s, 0, "GET /files/%s-%u.%s HTTP/1.1\r\nHost: www.%s\r\n"
            "User-Agent: Wget/1.21.3\r\nAccept: */*\r\n"
            "Accept-Encoding: identity\r\nConnection: Keep-Alive\r\n\r\n",
            words[rndn(NWORDS)], rndn(100000), ext[rndn(5)],
            domains[rndn(NDOMAINS)]);
        return;
    case 1: {
        struct piece pc[2];
        uint32_t bl = rndlog(2000, 2u << 20);
        int n = snprintf(s->sbuf, SBUF_SZ, "HTTP/1.1 200 OK\r\n"
            "Server: nginx/1.22.1\r\nContent-Type: application/octet-stream\r\n"
            "Content-Length: %u\r\nConnection: keep-alive\r\n\r\n", bl);
        pc[0].p = (const uint8_t *)s->sbuf;
        pc[0].n = (uint32_t)n;
        pc[1] = rnd_slice(bl);
        msg_set(s, 1, pc, 2);
        if (--s->nrounds > 0)
            s->state = 0;
        return;
    }
    default:
        s->act = A_FIN_C;
        return;
    }
}

static void
script_ssh(struct session *s)
{
    struct piece pc;
    switch (s->state++) {
    case 0:
        msg_fmt(s, 1, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
        return;
    case 1:
        msg_fmt(s, 0, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
        return;
    case 2:
        pc = rnd_slice(rndr(1000, 1600));
        msg_set(s, 0, &pc, 1);
        return;
    case 3:
        pc = rnd_slice(rndr(1000, 1200));
        msg_set(s, 1, &pc, 1);
        return;
    case 4:
        pc = rnd_slice(rndr(40, 400));
        msg_set(s, 0, &pc, 1);
        return;
    case 5:
        pc = rnd_slice(rndr(40, 1500));
        msg_set(s, 1, &pc, 1);
        if (--s->nrounds > 0)
            s->state = 4;
        return;
    case 6:
        pc = rnd_slice(rndlog(4000, 2u << 20));
        msg_set(s, rndn(2), &pc, 1);
        return;
    default:
        s->act = A_FIN_C;
        return;
    }
}

/* UDP: DNS query/response pairs or a one-way 5000/udp stream */
static void
emit_udp(struct session *s)
{
    out_reserve(MAXPKT * 2);
    if (s->kind == K_DNS) {
        uint8_t q[512];
        size_t n = 0;
        int dir = s->count & 1;
        uint16_t id = (uint16_t)(s->msg_seed[0] + (s->count >> 1));
        put16be(q, id);
        put16be(q + 2, dir ? 0x8180 : 0x0100);
        put16be(q + 4, 1);
        put16be(q + 6, dir ? 1 : 0);
        put16be(q + 8, 0);
        put16be(q + 10, 0);
        n = 12;
        /* qname: wordN.domain */
        const char *w = words[(s->msg_seed[1] + (s->count >> 1)) % NWORDS];
        const char *d = domains[(s->msg_seed[2] + (s->count >> 1)) % NDOMAINS];
        char name[128];
        snprintf(name, sizeof name, "%s.%s", w, d);
        const char *lab = name;
        while (*lab) {
            const char *dot = strchr(lab, '.');
            size_t l = dot ? (size_t)(dot - lab) : strlen(lab);
            q[n++] = (uint8_t)l;
            memcpy(q + n, lab, l);
            n += l;
            lab += l;
            if (*lab == '.')
                lab++;
        }
        q[n++] = 0;
        put16be(q + n, 1);
        put16be(q + n + 2, 1);
        n += 4;
        if (dir) {
            put16be(q + n, 0xc00c);
            put16be(q + n + 2, 1);
            put16be(q + n + 4, 1);
            put32be(q + n + 6, 300);
            put16be(q + n + 10, 4);
            q[n + 12] = 192;
            q[n + 13] = 0;
            q[n + 14] = 2;
            q[n + 15] = (uint8_t)(s->count * 7);
            n += 16;
        }
        struct piece pc = { q, (uint32_t)n };
        size_t len = build_pkt(&s->e, dir, 17, 0, 0, 0, &pc, 1, (uint32_t)n, 0);
        commit_pkt(len, 0);
    } else {
        /* RTP-like: 12-byte header (v2, PT 96), random payload */
        uint8_t h[12];
        h[0] = 0x80;
        h[1] = 96;
        put16be(h + 2, (uint16_t)(s->msg_seed[0] + s->count));
        put32be(h + 4, (uint32_t)(s->msg_seed[1] + 960u * s->count));
        put32be(h + 8, (uint32_t)s->msg_seed[2]);
        struct piece pc[2] = { { h, 12 }, rnd_slice(rndr(160, 1300)) };
        size_t len = build_pkt(&s->e, 0, 17, 0, 0, 0, pc, 2, 12 + pc[1].n, 0);
        commit_pkt(len, 0);
    }
    if (++s->count >= (uint32_t)s->nrounds)
        s->act = A_DONE;
}

/* shortauth: every short connection logs in (AUTH PLAIN, 235) */
static int short_auth;

/* short SMTP connection: MAIL, RCPT, small DATA, QUIT */
static void
script_short(struct session *s)
{
    uint8_t raw[160];
    char tmp[240];
    size_t n;

    switch (s->state++) {
    case 0:
        msg_fmt(s, 1, "220 mx.example.com ESMTP\r\n");
        return;
    case 1:
        msg_fmt(s, 0, "EHLO %s\r\n", s->host);
        return;
    case 2:
        msg_fmt(s, 1, "250-mx.example.com\r\n250-PIPELINING\r\n"
            "250-SIZE 10240000\r\n250 8BITMIME\r\n");
        if (short_auth)
            s->state = 100;
        return;
    case 100:
        n = 0;
        raw[n++] = 0;
        memcpy(raw + n, s->user, strlen(s->user));
        n += strlen(s->user);
        raw[n++] = 0;
        memcpy(raw + n, s->pass, strlen(s->pass));
        n += strlen(s->pass);
        b64(tmp, raw, n);
        msg_fmt(s, 0, "AUTH PLAIN %s\r\n", tmp);
        return;
    case 101:
        msg_fmt(s, 1, "235 2.7.0 Authentication successful\r\n");
        s->state = 3;
        return;
    case 3:
        msg_fmt(s, 0, "MAIL FROM:<%s>\r\n", s->from);
        return;
    case 4:
        msg_fmt(s, 1, "250 2.1.0 Ok\r\n");
        return;
    case 5:
        msg_fmt(s, 0, "RCPT TO:<%s>\r\n", s->to[0]);
        return;
    case 6:
        msg_fmt(s, 1, "250 2.1.5 Ok\r\n");
        return;
    case 7:
        msg_fmt(s, 0, "DATA\r\n");
        return;
    case 8:
        msg_fmt(s, 1, "354 End data with <CR><LF>.<CR><LF>\r\n");
        return;
    case 9:
        msg_fmt(s, 0, "From: <%s>\r\nTo: <%s>\r\nSubject: %s %s %u\r\n"
            "Date: Sat, 28 Nov 2026 09:%02u:%02u +0000\r\n"
            "Message-ID: <%016llx@example.com>\r\n\r\n"
            "%s %s %s %s.\r\n.\r\n",
            s->from, s->to[0], words[rndn(NWORDS)], words[rndn(NWORDS)],
            s->count, rndn(60), rndn(60), (unsigned long long)rnd(),
            words[rndn(NWORDS)], words[rndn(NWORDS)], words[rndn(NWORDS)],
            words[rndn(NWORDS)]);
        return;
    case 10:
        msg_fmt(s, 1, "250 2.0.0 Ok: queued as %08X\r\n", (unsigned)rnd());
        return;
    case 11:
        msg_fmt(s, 0, "QUIT\r\n");
        return;
    case 12:
        msg_fmt(s, 1, "221 2.0.0 Bye\r\n");
        return;
    default:
        s->act = A_FIN_S;
        return;
    }
}

/* robustness: AUTH LOGIN user1/secret1 session (halfopen's real one) */
static uint32_t long_len = 10u << 20;
static uint32_t n_rcpt = 10000;

/* arm the next (up to 32 KiB) piece of the long line from the 8 KiB
 * letter pattern in sbuf; the client closes once long_len bytes are out */
static void
longline_next(struct session *s)
{
    uint32_t left = long_len - s->count;
    if (left == 0) {
        s->act = A_FIN_C;
        s->state = 100;
        return;
    }
    struct piece pc[4];
    int np = 0;
    while (left && np < 4) {
        uint32_t t = left < SBUF_SZ ? left : SBUF_SZ;
        pc[np].p = (const uint8_t *)s->sbuf;
        pc[np].n = t;
        np++;
        left -= t;
        s->count += t;
    }
    msg_set(s, 0, pc, np);
    s->state = 51;
}

static void
script_real(struct session *s)
{
    char tmp[128];
    switch (s->state++) {
    case 0:
        msg_fmt(s, 1, "220 mx.example.com ESMTP Postfix\r\n");
        return;
    case 1:
        msg_fmt(s, 0, "EHLO client.example.org\r\n");
        return;
    case 2:
        msg_fmt(s, 1, "250-mx.example.com\r\n250-PIPELINING\r\n"
            "250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
        return;
    case 3:
        msg_fmt(s, 0, "AUTH LOGIN\r\n");
        return;
    case 4:
        msg_fmt(s, 1, "334 VXNlcm5hbWU6\r\n");
        return;
    case 5:
        b64(tmp, (const uint8_t *)"user1", 5);
        msg_fmt(s, 0, "%s\r\n", tmp);
        return;
    case 6:
        msg_fmt(s, 1, "334 UGFzc3dvcmQ6\r\n");
        return;
    case 7:
        b64(tmp, (const uint8_t *)"secret1", 7);
        msg_fmt(s, 0, "%s\r\n", tmp);
        return;
    case 8:
        msg_fmt(s, 1, "235 2.7.0 Authentication successful\r\n");
        if (s->kind == K_LONGLINE)
            s->state = 50;
        else if (s->kind == K_RCPT)
            s->state = 60;
        return;
    case 9:
        msg_fmt(s, 0, "MAIL FROM:<user1@example.org>\r\n");
        return;
    case 10:
        msg_fmt(s, 1, "250 2.1.0 Ok\r\n");
        return;
    case 11:
        msg_fmt(s, 0, "RCPT TO:<bob@example.com>\r\n");
        return;
    case 12:
        msg_fmt(s, 1, "250 2.1.5 Ok\r\n");
        return;
    case 13:
        msg_fmt(s, 0, "DATA\r\n");
        return;
    case 14:
        msg_fmt(s, 1, "354 End data with <CR><LF>.<CR><LF>\r\n");
        return;
    case 15:
        msg_fmt(s, 0, "From: <user1@example.org>\r\nTo: <bob@example.com>\r\n"
            "Subject: after the flood\r\nDate: Sat, 28 Nov 2026 09:00:00 +0000\r\n"
            "Message-ID: <real.1@example.org>\r\n\r\n"
            "Still here.\r\n.\r\n");
        return;
    case 16:
        msg_fmt(s, 1, "250 2.0.0 Ok: queued as 4AB1C2D3E4\r\n");
        return;
    case 17:
        msg_fmt(s, 0, "QUIT\r\n");
        return;
    case 18:
        msg_fmt(s, 1, "221 2.0.0 Bye\r\n");
        s->state = 99;
        return;

    /* longline: a line of long_len bytes, no CRLF, then the client closes */
    case 50:
        for (int i = 0; i < SBUF_SZ; i++)
            s->sbuf[i] = (char)('A' + (i % 26));
        s->count = 0;
        longline_next(s);
        return;
    case 51:
        longline_next(s);
        return;

    /* rcpt: MAIL FROM + n_rcpt pipelined RCPT TO, replies pipelined too */
    case 60:
        msg_fmt(s, 0, "MAIL FROM:<user1@example.org>\r\n");
        return;
    case 61:
        msg_fmt(s, 1, "250 2.1.0 Ok\r\n");
        s->count = 0;
        return;
    case 62: {
        /* batch the commands in sbuf-sized messages */
        int n = 0;
        while (s->count < n_rcpt && n < SBUF_SZ - 64) {
            n += snprintf(s->sbuf + n, SBUF_SZ - (size_t)n,
                "RCPT TO:<rcpt%05u@example.com>\r\n", s->count);
            s->count++;
        }
        msg_text(s, 0, s->sbuf, (size_t)n);
        if (s->count < n_rcpt)
            s->state = 62;
        else
            s->count = 0;
        return;
    }
    case 63: {
        int n = 0;
        while (s->count < n_rcpt && n < SBUF_SZ - 64) {
            n += snprintf(s->sbuf + n, SBUF_SZ - (size_t)n,
                "250 2.1.5 Ok\r\n");
            s->count++;
        }
        msg_text(s, 1, s->sbuf, (size_t)n);
        if (s->count < n_rcpt)
            s->state = 63;
        else
            s->state = 13;
        return;
    }
    default:
        s->act = A_FIN_S;
        return;
    }
}

/* ------------------------------------------------------------------ */
/* session lifecycle */

static void
session_plan(struct session *s)
{
    s->segmax = MSS;
    switch (s->kind) {
    case K_SMTP:
        script_smtp(s);
        break;
    case K_POP3:
        script_pop3(s);
        break;
    case K_POP3_KEYS:
        script_pop3_keys(s);
        break;
    case K_HTTPS:
        script_https(s);
        break;
    case K_HTTP:
        script_http(s);
        break;
    case K_SSH:
        script_ssh(s);
        break;
    case K_SHORT:
        script_short(s);
        break;
    case K_LONGLINE:
    case K_RCPT:
    case K_REAL:
        script_real(s);
        break;
    default:
        s->act = A_DONE;
        break;
    }
}

static void
session_start(struct session *s, int kind)
{
    s->used = 1;
    s->kind = kind;
    s->state = 0;
    s->held_len = 0;
    s->dirty = 0;
    s->count = 0;
    s->segmax = MSS;
    s->ack_every = 2;
    s->mail = kind == K_SMTP || kind == K_POP3 || kind == K_POP3_KEYS
        || kind == K_SHORT || kind == K_LONGLINE || kind == K_RCPT
        || kind == K_REAL;
    int v6 = chance(600);
    uint16_t port;
    switch (kind) {
    case K_SMTP:
        port = rndn(3) ? 25 : 587;
        break;
    case K_POP3:
    case K_POP3_KEYS:
        port = 110;
        break;
    case K_HTTPS:
        port = 443;
        break;
    case K_HTTP:
        port = 80;
        break;
    case K_SSH:
        port = 22;
        break;
    case K_DNS:
        port = 53;
        break;
    case K_UDP5000:
        port = 5000;
        break;
    default:
        port = 25;
        v6 = 0;
        break;
    }
    ep_init(&s->e, v6, port);
    s->cseq = (uint32_t)rnd();
    s->sseq = (uint32_t)rnd();
    rand_user(s);

    s->auth = 0;
    s->authfail = 0;
    s->msgi = 0;
    s->nmsg = 0;
    s->nrounds = 1;
    switch (kind) {
    case K_SMTP: {
        uint32_t r = rndn(100);
        s->auth = r < 55 ? 1 : r < 65 ? 3 : r < 85 ? 2 : 0;
        s->authfail = chance(300);
        s->nrcpt = (int)rndr(1, 3);
        s->nmsg = rndn(5) ? 1 : 2;
        pop3_prepare_msgs(s);
        break;
    }
    case K_POP3:
        s->authfail = chance(300);
        s->nmsg = (int)rndn(5);
        pop3_prepare_msgs(s);
        break;
    case K_POP3_KEYS:
        s->ack_every = 1;
        s->nmsg = 1;
        pop3_prepare_msgs(s);
        {
            struct piece b = body_slice(rndr(300, 3000));
            s->msg_off[0] = (uint32_t)(b.p - txt_pool);
            s->msg_len[0] = b.n;
        }
        break;
    case K_HTTPS:
        s->nrounds = (int)rndr(1, 4);
        break;
    case K_HTTP:
        s->nrounds = (int)rndr(1, 3);
        break;
    case K_SSH:
        s->nrounds = (int)rndr(3, 30);
        break;
    case K_DNS:
        s->nrounds = 2 * (int)rndr(1, 20);
        /* fallthrough */
    case K_UDP5000:
        if (kind == K_UDP5000)
            s->nrounds = (int)rndr(100, 2000);
        s->msg_seed[0] = rnd();
        s->msg_seed[1] = rnd();
        s->msg_seed[2] = rnd();
        s->e.cport = (uint16_t)rndr(1024, 65535);
        break;
    default:
        break;
    }
    if (kind == K_DNS || kind == K_UDP5000)
        s->act = A_UDP;
    else
        s->act = A_SYN;
}

/* tally a session that ran to its end */
static void
session_count(const struct session *s)
{
    switch (s->kind) {
    case K_SMTP:
    case K_SHORT:
    case K_LONGLINE:
    case K_RCPT:
    case K_REAL:
        st.smtp++;
        if (s->kind == K_REAL || s->kind == K_LONGLINE || s->kind == K_RCPT
            || s->auth == 1 || s->auth == 3)
            st.smtp_login++;
        else if (s->auth == 2)
            st.smtp_plain++;
        if (s->kind == K_SMTP && s->auth && s->authfail) {
            st.smtp_fail++;
        } else if (s->kind == K_SMTP) {
            st.smtp_msgs += (uint64_t)s->nmsg;
            st.smtp_rcpts += (uint64_t)s->nmsg * (uint64_t)s->nrcpt;
        } else if (s->kind != K_LONGLINE) {
            st.smtp_msgs++;
            st.smtp_rcpts += s->kind == K_RCPT ? n_rcpt : 1;
        }
        break;
    case K_POP3:
        st.pop3++;
        if (s->authfail)
            st.pop3_fail++;
        else
            st.pop3_retr += (uint64_t)s->nmsg;
        break;
    case K_POP3_KEYS:
        st.pop3_keys++;
        st.pop3_retr++;
        break;
    default:
        st.other_tcp++;
        break;
    }
}

/* one step of a session: one packet (plus ACK / held / retransmission);
 * returns 0 when the session is over */
static int
session_step(struct session *s)
{
    switch (s->act) {
    case A_SYN:
        emit_ctl(s, 0, TH_SYN, 1);
        s->act = A_SYNACK;
        return 1;
    case A_SYNACK:
        emit_ctl(s, 1, TH_SYN | TH_ACK, 1);
        s->act = A_ACK3;
        return 1;
    case A_ACK3:
        emit_ctl(s, 0, TH_ACK, 0);
        session_plan(s);
        return 1;
    case A_DATA:
        emit_segment(s);
        if (s->left == 0) {
            flush_held(s);
            session_plan(s);
        }
        return 1;
    case A_FIN_C:
        emit_ctl(s, 0, TH_FIN | TH_ACK, 0);
        s->dir = 0;
        s->act = A_FINACK_S;
        return 1;
    case A_FIN_S:
        emit_ctl(s, 1, TH_FIN | TH_ACK, 0);
        s->dir = 1;
        s->act = A_FINACK_S;
        return 1;
    case A_FINACK_S:
        emit_ctl(s, !s->dir, TH_FIN | TH_ACK, 0);
        s->act = A_LASTACK;
        return 1;
    case A_LASTACK:
        emit_ctl(s, s->dir, TH_ACK, 0);
        s->act = A_DONE;
        session_count(s);
        return 0;
    case A_UDP:
        emit_udp(s);
        if (s->act == A_DONE)
            st.udp_flows++;
        return s->act != A_DONE;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* modes */

static struct session *sess;

static int
pick_mail_kind(void)
{
    uint32_t r = rndn(100);
    if (r < 56)
        return K_SMTP;
    if (r < 94)
        return K_POP3;
    return K_POP3_KEYS;
}

static int
pick_other_kind(void)
{
    uint32_t r = rndn(100);
    if (r < 40)
        return K_HTTPS;
    if (r < 60)
        return K_HTTP;
    if (r < 75)
        return K_SSH;
    if (r < 92)
        return K_DNS;
    return K_UDP5000;
}

/* payload bytes a mail session still has to send (roughly) */
static uint64_t
mail_remaining(const struct session *s)
{
    uint64_t r = s->left + 200;
    int cur_pending = (s->kind == K_SMTP && s->state <= 26)
        || (s->kind == K_POP3 && s->state <= 10)
        || (s->kind == K_POP3_KEYS && s->state <= 8);
    for (int i = s->msgi; i < s->nmsg; i++)
        if (i > s->msgi || cur_pending)
            r += s->msg_len[i] + 700;
    return r;
}

/* end a session at once: finish the handshake if half done, release a
 * held segment, then FIN from the client */
static void
session_close_now(struct session *s)
{
    if (s->act == A_SYN || s->act == A_UDP || s->act == A_DONE)
        return;
    while (s->act == A_SYNACK || s->act == A_ACK3)
        session_step(s);
    flush_held(s);
    if (s->act == A_DATA || s->act == A_NONE)
        s->act = A_FIN_C;
    while (session_step(s))
        ;
}

/*
 * Interleave nmail mail sessions and nother others, stepping whichever
 * group is behind its share of bytes. When what the mail sessions still
 * have to send would take the file to the limit, stop starting sessions
 * and let the mail ones finish; the others are then closed with a FIN.
 */
static void
run_mixed(uint64_t limit, int nmail, int nother)
{
    struct session *mail = sess, *other = sess + nmail;
    int amail = nmail, aother = nother, spawning = 1;
    uint64_t steps = 0;

    for (int i = 0; i < nmail; i++)
        session_start(&mail[i], pick_mail_kind());
    for (int i = 0; i < nother; i++)
        session_start(&other[i], pick_other_kind());

    while (amail > 0) {
        if (spawning && (++steps & 255) == 0) {
            uint64_t rem = 0;
            for (int i = 0; i < amail; i++)
                rem += mail_remaining(&mail[i]);
            rem = rem * 106 / 100 * 100 / (uint64_t)pct_mail;
            if (total_bytes + rem >= limit)
                spawning = 0;
        }
        int use_mail = aother == 0
            || mail_bytes * 100 < (uint64_t)pct_mail * total_bytes;
        if (use_mail) {
            int i = (int)rndn((uint32_t)amail);
            if (!session_step(&mail[i])) {
                if (spawning)
                    session_start(&mail[i], pick_mail_kind());
                else if (i != --amail)
                    memcpy(&mail[i], &mail[amail], sizeof *mail);
            }
        } else {
            int i = (int)rndn((uint32_t)aother);
            if (!session_step(&other[i])) {
                if (spawning)
                    session_start(&other[i], pick_other_kind());
                else if (i != --aother)
                    memcpy(&other[i], &other[aother], sizeof *other);
            }
        }
    }
    for (int i = 0; i < aother; i++)
        session_close_now(&other[i]);
}

static void
run_short(uint64_t n, int conc)
{
    uint64_t started = 0;
    int active = 0;
    for (int i = 0; i < conc && started < n; i++, started++, active++) {
        session_start(&sess[i], K_SHORT);
        sess[i].auth = short_auth ? 2 : 0;
        sess[i].count = (uint32_t)started;
    }
    while (active > 0) {
        int i = (int)rndn((uint32_t)active);
        if (!session_step(&sess[i])) {
            if (started < n) {
                session_start(&sess[i], K_SHORT);
                sess[i].auth = short_auth ? 2 : 0;
                sess[i].count = (uint32_t)started++;
            } else {
                sess[i] = sess[active - 1];
                active--;
            }
        }
    }
}

static void
run_one(int kind)
{
    session_start(&sess[0], kind);
    while (session_step(&sess[0]))
        ;
}

static void
run_halfopen(uint64_t n)
{
    struct session *s = &sess[0];
    for (uint64_t i = 0; i < n; i++) {
        session_start(s, K_REAL);
        /* distinct (address, port): address from i, port from i too */
        s->e.caddr[0] = 10;
        s->e.caddr[1] = (uint8_t)(i >> 16);
        s->e.caddr[2] = (uint8_t)(i >> 8);
        s->e.caddr[3] = (uint8_t)i;
        s->e.cport = (uint16_t)(1024 + (i * 7919u) % 64000u);
        s->e.saddr[0] = 192;
        s->e.saddr[1] = 0;
        s->e.saddr[2] = 2;
        s->e.saddr[3] = 25;
        emit_ctl(s, 0, TH_SYN, 1);
        if (i % 2 == 0)
            emit_ctl(s, 1, TH_SYN | TH_ACK, 1);
    }
    session_start(s, K_REAL);
    s->e.caddr[0] = 172;
    s->e.caddr[1] = 16;
    s->e.caddr[2] = 5;
    s->e.caddr[3] = 7;
    s->e.saddr[0] = 192;
    s->e.saddr[1] = 0;
    s->e.saddr[2] = 2;
    s->e.saddr[3] = 25;
    while (session_step(s))
        ;
}

/* ------------------------------------------------------------------ */

static void
usage(void)
{
    fprintf(stderr,
        "usage: gen [-o FILE] [-s SEED] [-S SIZE_MB] [-m MAIL_PERCENT]\n"
        "           [-M mixed|short|shortauth|longline|halfopen|rcpt] [-n N]\n"
        "           [-L BYTES]\n"
        "           [-c CONCURRENCY] [-v]\n"
        "  -o FILE   output pcap ('-' or absent: stdout)\n"
        "  -s SEED   PRNG seed (default 1)\n"
        "  -S MB     mixed: stop at this many MB (10^6 bytes; default 100)\n"
        "  -m PCT    mixed: share of bytes that is SMTP/POP3, 10..100 (20)\n"
        "  -M MODE   mixed (default), short, shortauth (short, logging in\n"
        "            with AUTH PLAIN), longline, halfopen, rcpt\n"
        "  -n N      short: connections (1000000); halfopen: SYNs (200000);\n"
        "            rcpt: RCPT TO commands (10000)\n"
        "  -L BYTES  longline: line length (10485760)\n"
        "  -c N      concurrent sessions (mixed: 2 per MB, 16..400; short: 64)\n"
        "  -v        print counts of completed sessions, logins, messages\n");
    exit(2);
}

static uint64_t
num_arg(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        usage();
    if (*end == 'k' || *end == 'K')
        v *= 1000;
    else if (*end == 'm' || *end == 'M')
        v *= 1000000;
    else if (*end == 'g' || *end == 'G')
        v *= 1000000000;
    else if (*end)
        usage();
    return v;
}

int
main(int argc, char **argv)
{
    const char *out = NULL;
    const char *mode = "mixed";
    uint64_t seed = 1, size_mb = 100, n = 0, conc = 0;
    int have_n = 0, verbose = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-v") == 0) {
            verbose = 1;
            continue;
        }
        if (a[0] != '-' || a[1] == 0 || a[2] != 0 || i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        switch (a[1]) {
        case 'o':
            out = v;
            break;
        case 's':
            seed = num_arg(v);
            break;
        case 'S':
            size_mb = num_arg(v);
            break;
        case 'm':
            pct_mail = (int)num_arg(v);
            break;
        case 'M':
            mode = v;
            break;
        case 'n':
            n = num_arg(v);
            have_n = 1;
            break;
        case 'L':
            long_len = (uint32_t)num_arg(v);
            break;
        case 'c':
            conc = num_arg(v);
            break;
        default:
            usage();
        }
    }
    if (pct_mail < 10 || pct_mail > 100) {
        fprintf(stderr, "gen: -m must be 10..100\n");
        return 2;
    }

    if (!out || strcmp(out, "-") == 0) {
        outfp = stdout;
    } else {
        outfp = fopen(out, "wb");
        if (!outfp) {
            fprintf(stderr, "gen: %s: %s\n", out, strerror(errno));
            return 1;
        }
    }

    rng_seed(seed);
    outbuf = xmalloc(OUTBUF_SZ);
    /* 2026-11-28 08:00:00 UTC plus a seed-dependent offset */
    start_sec = 1795852800ull + rndn(3600);
    clock_us = start_sec * 1000000ull;
    make_pools();
    write_file_header();

    if (strcmp(mode, "mixed") == 0) {
        if (!conc) {
            /* hundreds of sessions, but few enough that a small file
             * still holds several generations of them */
            conc = size_mb * 2;
            if (conc < 16)
                conc = 16;
            if (conc > 400)
                conc = 400;
        }
        int nother = pct_mail >= 100 ? 0 : (int)(conc / 4);
        int nmail = (int)conc - nother;
        if (nmail < 1)
            nmail = 1;
        sess = calloc((size_t)(nmail + nother), sizeof *sess);
        if (!sess)
            return 1;
        run_mixed(size_mb * 1000000ull, nmail, nother);
    } else if (strcmp(mode, "short") == 0 || strcmp(mode, "shortauth") == 0) {
        short_auth = strcmp(mode, "shortauth") == 0;
        if (!conc)
            conc = 64;
        sess = calloc((size_t)conc, sizeof *sess);
        if (!sess)
            return 1;
        run_short(have_n ? n : 1000000, (int)conc);
    } else if (strcmp(mode, "longline") == 0) {
        sess = calloc(1, sizeof *sess);
        run_one(K_LONGLINE);
    } else if (strcmp(mode, "halfopen") == 0) {
        sess = calloc(1, sizeof *sess);
        run_halfopen(have_n ? n : 200000);
    } else if (strcmp(mode, "rcpt") == 0) {
        if (have_n)
            n_rcpt = (uint32_t)n;
        sess = calloc(1, sizeof *sess);
        run_one(K_RCPT);
    } else {
        usage();
    }

    out_flush();
    if (outfp != stdout) {
        if (fclose(outfp) != 0) {
            fprintf(stderr, "gen: %s: %s\n", out, strerror(errno));
            return 1;
        }
    } else if (fflush(stdout) != 0) {
        return 1;
    }
    fprintf(stderr, "gen: %s: %llu packets, %llu bytes, mail %.1f%%\n", mode,
        (unsigned long long)total_pkts, (unsigned long long)total_bytes,
        total_bytes ? 100.0 * (double)mail_bytes / (double)total_bytes : 0.0);
    if (verbose) {
        fprintf(stderr,
            "gen: completed sessions: smtp %llu (AUTH LOGIN %llu, AUTH PLAIN "
            "%llu, auth failed %llu; messages %llu, RCPT %llu)\n"
            "gen:   pop3 %llu (login failed %llu) + keystroke pop3 %llu; "
            "RETR %llu; other tcp %llu, udp flows %llu\n",
            (unsigned long long)st.smtp, (unsigned long long)st.smtp_login,
            (unsigned long long)st.smtp_plain, (unsigned long long)st.smtp_fail,
            (unsigned long long)st.smtp_msgs, (unsigned long long)st.smtp_rcpts,
            (unsigned long long)st.pop3, (unsigned long long)st.pop3_fail,
            (unsigned long long)st.pop3_keys, (unsigned long long)st.pop3_retr,
            (unsigned long long)st.other_tcp, (unsigned long long)st.udp_flows);
    }
    return 0;
}
