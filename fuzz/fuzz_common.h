/* fuzz_common.h - helpers shared by the libFuzzer targets: a record sink
 * that prints every record as text and JSON into a file and checks that
 * the output is UTF-8 with no control or bidi character, and a builder for IPv4/TCP packets in memory. */
#ifndef MS_FUZZ_COMMON_H
#define MS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../dissect/anom.h"
#include "../dissect/dissect.h"
#include "../dissect/mem.h"
#include "../dissect/record.h"
#include "../dissect/tcp.h"
#include "../ui/fmt.h"
#include "../ui/out.h"
/* The printers may write through a buffer (ui/ob.h) that reaches the
 * FILE only on ob_flush(). */
#if defined(__has_include)
#if __has_include("../ui/ob.h")
#include "../ui/ob.h"
#define FZ_HAVE_OB 1
#endif
#endif

/* Most one record may print: 2048 text bytes escaped to 4 chars and
 * JSON-escaped again, plus every field of the registry. */
#define FZ_OUT_SZ (1u << 20)

static char fz_outbuf[FZ_OUT_SZ];
static FILE *fz_out;
static int fz_fd = -1;
static uint64_t fz_nrec;

/* Print bytes around the offending one and abort: libFuzzer saves the
 * input as a crash. */
static void
fz_bad_output(const char *what, const char *buf, size_t len, size_t at)
{
    size_t s = at > 60 ? at - 60 : 0, e = at + 20 < len ? at + 20 : len, i;

    fprintf(stderr, "\nfuzz property failed: %s: byte 0x%02x at offset %zu of %zu\n",
            what, (unsigned)(uint8_t)buf[at], at, len);
    for (i = s; i < e; i++) {
        uint8_t c = (uint8_t)buf[i];
        if (c >= 0x20 && c < 0x7f)
            fputc(c, stderr);
        else
            fprintf(stderr, "<%02x>", c);
    }
    fputc('\n', stderr);
    abort();
}

/* Code points the escaper must never let through (esc.h), written out
 * again: controls, bidi controls, separators, invisible characters. */
static int
fz_cp_forbidden(uint32_t cp)
{
    static const uint32_t r[][2] = {
        { 0x00, 0x1f }, { 0x7f, 0x9f }, { 0xad, 0xad }, { 0x61c, 0x61c },
        { 0x200b, 0x200b }, { 0x200e, 0x200f }, { 0x2028, 0x202e },
        { 0x2060, 0x2060 }, { 0x2066, 0x2069 }, { 0xfeff, 0xfeff },
        { 0xfff9, 0xfffb }, { 0xe0000, 0xe007f },
    };
    size_t i;

    for (i = 0; i < sizeof r / sizeof r[0]; i++)
        if (cp >= r[i][0] && cp <= r[i][1])
            return 1;
    return 0;
}

/* Property: the printers emit valid UTF-8 (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF) with no forbidden character but the
 * newline that ends a record. */
static void
fz_check_printable(const char *what, const char *buf, size_t len)
{
    size_t i = 0, k, j;

    while (i < len) {
        uint8_t c = (uint8_t)buf[i];
        uint32_t cp, min;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n') || c == 0x7f)
                fz_bad_output(what, buf, len, i);
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) { k = 2; cp = c & 0x1fu; min = 0x80; }
        else if ((c & 0xf0) == 0xe0) { k = 3; cp = c & 0x0fu; min = 0x800; }
        else if ((c & 0xf8) == 0xf0) { k = 4; cp = c & 0x07u; min = 0x10000; }
        else { fz_bad_output(what, buf, len, i); return; }
        if (i + k > len)
            fz_bad_output(what, buf, len, i);
        for (j = 1; j < k; j++) {
            if (((uint8_t)buf[i + j] & 0xc0) != 0x80)
                fz_bad_output(what, buf, len, i + j);
            cp = cp << 6 | ((uint8_t)buf[i + j] & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
            fz_cp_forbidden(cp))
            fz_bad_output(what, buf, len, i);
        i += k;
    }
}

/* One record: exactly one line of text ending in \n. */
static void
fz_check_one_line(const char *what, const char *buf, size_t len)
{
    const char *nl = memchr(buf, '\n', len);

    if (!len || !nl || (size_t)(nl - buf) != len - 1)
        fz_bad_output(what, buf, len, nl ? (size_t)(nl - buf) : len ? len - 1 : 0);
}

static void
fz_print(const struct rec *r, int json, const struct out_opts *o)
{
    struct stat st;
    ssize_t got;

    /* Empty the file, print one record, read it back. */
    rewind(fz_out);
    if (ftruncate(fz_fd, 0) < 0)
        abort();
    if (json)
        json_record(fz_out, r, o);
    else
        txt_record(fz_out, r, o);
#ifdef FZ_HAVE_OB
    ob_flush();
#endif
    fflush(fz_out);
    if (fstat(fz_fd, &st) < 0 || st.st_size < 0 || (size_t)st.st_size >= FZ_OUT_SZ) {
        fprintf(stderr, "fuzz: output did not fit (%lld)\n", (long long)st.st_size);
        abort();
    }
    got = pread(fz_fd, fz_outbuf, (size_t)st.st_size, 0);
    if (got != (ssize_t)st.st_size)
        abort();
    fz_check_printable(json ? "json_record" : "txt_record", fz_outbuf, (size_t)got);
    fz_check_one_line(json ? "json_record" : "txt_record", fz_outbuf, (size_t)got);
    /* FZ_SHOW=text|json ./fuzz/build/fuzz_x FILE prints the records. */
    if (getenv("FZ_SHOW") && !strcmp(getenv("FZ_SHOW"), json ? "json" : "text"))
        fwrite(fz_outbuf, 1, (size_t)got, stderr);
}

/* A login through the credentials report (-z creds and its hashcat
 * lines): printable UTF-8 whatever the record holds. */
static void
fz_report(const struct rec *r, const struct out_opts *o, int hashcat)
{
    struct report *rp = report_new(o, hashcat);
    struct stat st;
    ssize_t got;

    if (!rp)
        return;
    report_add(rp, r);
    rewind(fz_out);
    if (ftruncate(fz_fd, 0) < 0)
        abort();
    report_print(fz_out, rp, NULL, 0);
    report_free(rp);
    fflush(fz_out);
    if (fstat(fz_fd, &st) < 0 || st.st_size < 0 || (size_t)st.st_size >= FZ_OUT_SZ)
        abort();
    got = pread(fz_fd, fz_outbuf, (size_t)st.st_size, 0);
    if (got != (ssize_t)st.st_size)
        abort();
    fz_check_printable(hashcat ? "report hashcat" : "report", fz_outbuf, (size_t)got);
}

static void
fz_emit(void *ctx, const struct rec *r)
{
    struct out_opts o;

    (void)ctx;
    fz_nrec++;
    memset(&o, 0, sizeof o);
    /* Walk every time format; the text printer keeps the previous time. */
    o.time_fmt = (int)(fz_nrec % 7);
    o.tag_cred = 1;
    fz_print(r, 0, &o);
    fz_print(r, 1, &o);
    if (r->kind == REC_CRED)
        fz_report(r, &o, (int)(fz_nrec & 1));
}

static const struct rec_sink fz_sink = { fz_emit, NULL };

/* The printers may write to the FILE or straight to its descriptor
 * (ui/ob.h), so the output goes to a real file: an anonymous memory file
 * where there is one, else tmpfile(). */
static void
fz_open_out(void)
{
    int fd = -1;

    if (fz_out)
        return;
#ifdef SYS_memfd_create
    fd = (int)syscall(SYS_memfd_create, "fuzz-out", 0);
#endif
    fz_out = fd >= 0 ? fdopen(fd, "w+") : tmpfile();
    if (!fz_out)
        abort();
    fz_fd = fileno(fz_out);
}

/* A body sink that counts: the octets handed out for export must add up
 * to the size the body's record reports, whatever the input (long lines
 * included: line.c spills them whole). Handles
 * come from a small table; when it is full a body is not exported, as
 * with the real sink's limit on open files. */
#define FZ_BODIES 64
static uint64_t fz_body_n[FZ_BODIES];
static uint8_t fz_body_used[FZ_BODIES];

static void *
fz_body_begin(void *ctx, const struct body_info *b)
{
    int i;

    (void)ctx;
    (void)b;
    for (i = 0; i < FZ_BODIES; i++)
        if (!fz_body_used[i]) {
            fz_body_used[i] = 1;
            fz_body_n[i] = 0;
            return &fz_body_n[i];
        }
    return NULL;
}

static void
fz_body_data(void *ctx, void *h, const uint8_t *p, size_t n)
{
    volatile uint8_t sink = 0;

    (void)ctx;
    if (n)
        sink ^= p[0] ^ p[n - 1];    /* the bytes must be readable */
    (void)sink;
    *(uint64_t *)h += n;
}

static void
fz_body_end(void *ctx, void *h, const struct rec *r)
{
    uint64_t *n = h;

    (void)ctx;
    /* Equal, except where a line over LIM_LINE could not be spilled whole
     * (the first line of a DATA body) or memory was refused: then less. */
    if (r && (r->flags & ((ANOM_F(ANOM_LINE_TOO_LONG)) | (ANOM_F(ANOM_MEMCAP)))) && *n <= r->size)
        ;
    else if (r && *n != r->size) {
        fprintf(stderr, "fuzz: exported %llu octets, record size %llu\n",
                (unsigned long long)*n, (unsigned long long)r->size);
        abort();
    }
    fz_body_used[n - fz_body_n] = 0;
}

static const struct body_sink fz_body = { fz_body_begin, fz_body_data, fz_body_end, NULL };

/* Global state every input starts from: counters, relative-time origin,
 * a fresh flow table. max_flows is small so eviction is reachable. */
static struct dis *fz_dis;

static void
fz_begin(uint32_t max_flows)
{
    static struct dis_cfg cfg;

    fz_open_out();
    anom_reset();
    fz_nrec = 0;
    dis_default_ports(&cfg);
    cfg.max_flows = max_flows;
    cfg.body = &fz_body;
    if (!(fz_dis = dis_new(&cfg, &fz_sink)))
        abort();
}

/* After dis_finish every flow is gone. Pools (mem_take/mem_give) keep
 * freed blocks counted as in use, bounded by their maxima (a few MiB), so
 * the check is a bound: an accounting leak grows past it over many runs
 * (such a crash input may not reproduce on its own). */
#define FZ_POOL_BOUND (64u << 20)

static void
fz_end(void)
{
    const struct mem_stats *ms;
    uint64_t left;
    int i;

    dis_free(fz_dis);
    fz_dis = NULL;
    for (i = 0; i < FZ_BODIES; i++)
        if (fz_body_used[i]) {
            fprintf(stderr, "fuzz: body %d begun and never ended\n", i);
            abort();
        }
    ms = mem_stats();
    left = ms->in_use[MEM_FLOW] + ms->in_use[MEM_STREAM] + ms->in_use[MEM_AUTH];
    if (left > FZ_POOL_BOUND) {
        fprintf(stderr, "fuzz: %llu bytes still in use after dis_finish: "
                "flow %llu stream %llu auth %llu\n", (unsigned long long)left,
                (unsigned long long)ms->in_use[MEM_FLOW],
                (unsigned long long)ms->in_use[MEM_STREAM],
                (unsigned long long)ms->in_use[MEM_AUTH]);
        abort();
    }
}

/* ---- packets ---- */

struct fz_flow {
    uint8_t cli[4], srv[4];
    uint16_t cport, sport;
    uint32_t next[2];       /* next sequence number per direction */
    uint64_t pkt;
    struct ms_time ts;
};

static void
fz_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
fz_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#define FZ_HDR 40
#define FZ_MAXPAY 65495

/* Build IPv4 + TCP around data and feed it to dis_packet. caplen may cut the
 * packet (snaplen) to exercise the truncated path; 0 means whole. The
 * packet lives in a heap block of exactly caplen bytes so ASan sees any
 * read past it. */
static void
fz_send(struct fz_flow *f, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
        const uint8_t *data, size_t n, size_t caplen)
{
    uint8_t *pkt;
    size_t wire;

    if (n > FZ_MAXPAY)
        n = FZ_MAXPAY;
    wire = FZ_HDR + n;
    if (!caplen || caplen > wire)
        caplen = wire;
    pkt = malloc(wire);
    if (!pkt)
        abort();
    memset(pkt, 0, FZ_HDR);
    pkt[0] = 0x45;
    fz_put16(pkt + 2, (uint16_t)wire);
    pkt[8] = 64;
    pkt[9] = 6;
    memcpy(pkt + 12, dir == DIR_C2S ? f->cli : f->srv, 4);
    memcpy(pkt + 16, dir == DIR_C2S ? f->srv : f->cli, 4);
    fz_put16(pkt + 20, dir == DIR_C2S ? f->cport : f->sport);
    fz_put16(pkt + 22, dir == DIR_C2S ? f->sport : f->cport);
    fz_put32(pkt + 24, seq);
    fz_put32(pkt + 28, ack);
    pkt[32] = 5 << 4;
    pkt[33] = flags;
    fz_put16(pkt + 34, 65535);
    if (n)
        memcpy(pkt + FZ_HDR, data, n);
    f->pkt++;
    dis_packet(fz_dis, f->pkt, &f->ts, (uint32_t)caplen, (uint32_t)wire, 4, pkt, caplen);
    free(pkt);
}

static void
fz_flow_init(struct fz_flow *f, uint16_t sport, uint32_t isn_c, uint32_t isn_s)
{
    static const uint8_t cli[4] = { 10, 0, 0, 1 }, srv[4] = { 10, 0, 0, 2 };

    memset(f, 0, sizeof *f);
    memcpy(f->cli, cli, 4);
    memcpy(f->srv, srv, 4);
    f->cport = 40000;
    f->sport = sport;
    f->next[DIR_C2S] = isn_c;
    f->next[DIR_S2C] = isn_s;
    f->ts.sec = 1700000000;
}

/* SYN, SYN-ACK, ACK; next[] then points at the first data byte. */
static void
fz_handshake(struct fz_flow *f)
{
    fz_send(f, DIR_C2S, TCP_SYN, f->next[DIR_C2S], 0, NULL, 0, 0);
    f->next[DIR_C2S]++;
    fz_send(f, DIR_S2C, TCP_SYN | TCP_ACK, f->next[DIR_S2C], f->next[DIR_C2S],
            NULL, 0, 0);
    f->next[DIR_S2C]++;
    fz_send(f, DIR_C2S, TCP_ACK, f->next[DIR_C2S], f->next[DIR_S2C], NULL, 0, 0);
}

/* In-order data in segments of at most mss bytes. */
static void
fz_data(struct fz_flow *f, int dir, const uint8_t *p, size_t n, size_t mss)
{
    while (n) {
        size_t k = n < mss ? n : mss;
        f->ts.nsec = (f->ts.nsec + 1000) % 1000000000u;
        fz_send(f, dir, TCP_ACK | 0x08, f->next[dir], f->next[!dir], p, k, 0);
        f->next[dir] += (uint32_t)k;
        p += k;
        n -= k;
    }
}

#endif
