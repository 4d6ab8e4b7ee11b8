/* cap.c - libpcap: offline (pcap, pcapng, nanosecond) and live capture,
 * BPF filters, -w dumps, stats and the privilege drop after activation. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "../dissect/err.h"
#include "../dissect/limits.h"
#include "cap.h"
#include "link.h"

/* A source: one capture file, or the interface. Classic pcap files in
 * the machine's byte order are read here, from a large buffer without a
 * copy per packet (libpcap's reader costs ~500 instructions a packet,
 * a quarter of what a short SMTP session's packet costs in all); libpcap
 * still opens them (it checks the header, says the link type and snap
 * length, compiles -f) and reads everything else: pcapng, swapped or
 * old files, stdin. At the first record that is not plain (longer than
 * the snap length, cut short by the end of the file), the file is
 * handed to libpcap from that record on, so what is read, and every
 * error, is libpcap's. */
struct cap_src {
    const char *name;
    pcap_t *pcap;           /* reads (libpcap), or a dead handle (own) */
    FILE *fp;               /* the stream libpcap reads, when we opened it */
    char *fbuf;             /* its stdio buffer */
    int dlt, snap;
    int own;                /* read here */
    int is_stdin;
    int fd;
    int nsec;               /* own: the file's fractions are nanoseconds */
    uint8_t *buf;
    size_t bufsz, lo, hi;   /* unread bytes are buf[lo..hi) */
    uint64_t off;           /* file offset of buf[hi] */
    struct bpf_program prog;
    int have_prog;
    struct cap_pkt head;    /* the next packet (several sources) */
    struct pcap_pkthdr hh;  /* its header, as libpcap gives it (-w) */
    int failed;
    char err[ERRBUF_LEN];
    uint64_t after;         /* frame number reached when it failed */
};

/* Read buffers: stdio's default (4-8 KiB) makes one read() per few
 * packets; 1 MiB halves the time of a large file. With many files open
 * at once (a merge) each gets less, at least 64 KiB. */
#define CAP_FILE_BUF (1u << 20)
#define CAP_FILE_BUF_MIN (64u << 10)
#define CAP_BUF_ALL (16u << 20)
#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du

static size_t
buf_size(const struct cap *c)
{
    size_t b = CAP_BUF_ALL / (size_t)(c->nsrc > 0 ? c->nsrc : 1);

    return b > CAP_FILE_BUF ? CAP_FILE_BUF : b < CAP_FILE_BUF_MIN ? CAP_FILE_BUF_MIN : b;
}

static struct cap_src *
new_src(struct cap *c, const char *name)
{
    struct cap_src *s;

    if (c->nsrc == c->asrc) {
        int na = c->asrc ? c->asrc * 2 : 4;
        struct cap_src *ns = realloc(c->src, (size_t)na * sizeof *ns);
        int *nh = realloc(c->heap, (size_t)na * sizeof *nh);
        if (nh)
            c->heap = nh;
        if (!ns || !nh) {
            if (ns)
                c->src = ns;
            return NULL;
        }
        c->src = ns;
        c->asrc = na;
    }
    s = &c->src[c->nsrc];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->fd = -1;
    return s;
}

static int
check_link(struct cap *c, struct cap_src *s, char *errbuf)
{
    s->dlt = pcap_datalink(s->pcap);
    s->snap = pcap_snapshot(s->pcap);
    if (!link_supported(s->dlt)) {
        const char *n = pcap_datalink_val_to_name(s->dlt);
        snprintf(errbuf, ERRBUF_LEN, "unsupported link type %d (%s)", s->dlt,
                 n ? n : "unknown");
        return ERR_UNSUP;
    }
    if (!c->nsrc) {
        c->dlt = s->dlt;
        c->name = s->name;
    }
    c->nsrc++;
    return 0;
}

static void
src_close(struct cap_src *s)
{
    if (s->pcap)
        pcap_close(s->pcap);     /* closes fp */
    else if (s->fp && s->fp != stdin)
        fclose(s->fp);
    s->pcap = NULL;
    s->fp = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    free(s->fbuf);
    free(s->buf);
    s->fbuf = NULL;
    s->buf = NULL;
    if (s->have_prog)
        pcap_freecode(&s->prog);
    s->have_prog = 0;
}

/* libpcap reads the file: from its start (at 0: a new source), or the
 * rest of an own one from the record at file offset at. libpcap reads a
 * pcap file's records through the stream, one after the other, with no
 * state but the header's, so the stream is set at that record (reading
 * the records before it again took a third of the run on a long file
 * cut short at its end). */
static int
src_libpcap(struct cap *c, struct cap_src *s, uint64_t at, char *errbuf)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    int stdin_ = s->is_stdin;
    size_t bs = buf_size(c);

    s->fp = stdin_ ? stdin : fopen(s->name, "rb");
    if (!s->fp) {
        snprintf(errbuf, ERRBUF_LEN, "%s", strerror(errno));
        return ERR_SYS;
    }
    /* glibc ignores the size unless it is given the buffer */
    if ((s->fbuf = malloc(bs)))
        setvbuf(s->fp, s->fbuf, _IOFBF, bs);
    s->pcap = pcap_fopen_offline_with_tstamp_precision(s->fp,
                  PCAP_TSTAMP_PRECISION_NANO, eb);
    if (!s->pcap) {
        if (s->fp != stdin)
            fclose(s->fp);
        s->fp = NULL;
        snprintf(errbuf, ERRBUF_LEN, "%s", eb);
        return ERR_SYS;
    }
    if (s->have_prog && pcap_setfilter(s->pcap, &s->prog) < 0) {
        snprintf(errbuf, ERRBUF_LEN, "capture filter: %s", pcap_geterr(s->pcap));
        return ERR_SYS;
    }
    if (at && fseeko(s->fp, (off_t)at, SEEK_SET) != 0) {
        snprintf(errbuf, ERRBUF_LEN, "%s", strerror(errno));
        return ERR_SYS;
    }
    return 0;
}

/* A classic pcap file in this machine's byte order, version 2.4? */
static int
plain_pcap(int fd, int *nsec)
{
    uint8_t h[24];
    uint32_t magic;
    uint16_t maj, min;

    if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h)
        return 0;
    memcpy(&magic, h, 4);
    memcpy(&maj, h + 4, 2);
    memcpy(&min, h + 6, 2);
    if ((magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS) || maj != 2 || min != 4)
        return 0;
    *nsec = magic == PCAP_MAGIC_NS;
    return 1;
}

int
cap_add_file(struct cap *c, const char *file, char *errbuf)
{
    struct cap_src *s = new_src(c, strcmp(file, "-") ? file : "stdin");
    struct stat st;
    int rc;

    if (!s) {
        snprintf(errbuf, ERRBUF_LEN, "out of memory");
        return ERR_NOMEM;
    }
    s->is_stdin = !strcmp(file, "-");
    if (!s->is_stdin) {
        s->fd = open(file, O_RDONLY);
        if (s->fd < 0) {
            snprintf(errbuf, ERRBUF_LEN, "%s", strerror(errno));
            return ERR_SYS;
        }
        if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode)) {
            c->bytes_total += (uint64_t)st.st_size;
            s->own = plain_pcap(s->fd, &s->nsec);
        }
        if (!s->own) {
            close(s->fd);
            s->fd = -1;
        }
    }
    /* libpcap checks the header, and reads what is not plain */
    if ((rc = src_libpcap(c, s, 0, errbuf)) < 0) {
        src_close(s);
        return rc;
    }
    if (s->own) {
        /* a handle without the file, for -f and -w */
        int dlt = pcap_datalink(s->pcap), snap = pcap_snapshot(s->pcap);
        pcap_close(s->pcap);
        s->fp = NULL;
        free(s->fbuf);
        s->fbuf = NULL;
        s->pcap = pcap_open_dead_with_tstamp_precision(dlt, snap,
                      PCAP_TSTAMP_PRECISION_NANO);
        s->off = 24;
        if (!s->pcap || lseek(s->fd, 24, SEEK_SET) != 24) {
            snprintf(errbuf, ERRBUF_LEN, "%s", s->pcap ? strerror(errno) : "out of memory");
            src_close(s);
            return ERR_SYS;
        }
    }
    if ((rc = check_link(c, s, errbuf)) < 0)
        src_close(s);
    return rc;
}

int
cap_open_offline(struct cap *c, const char *file, char *errbuf)
{
    memset(c, 0, sizeof *c);
    c->cur = -1;
    return cap_add_file(c, file, errbuf);
}

int
cap_add_pcap(struct cap *c, void *pcap, const char *name, char *errbuf)
{
    struct cap_src *s = new_src(c, name);
    int rc;

    if (!s) {
        pcap_close(pcap);
        snprintf(errbuf, ERRBUF_LEN, "out of memory");
        return ERR_NOMEM;
    }
    s->pcap = pcap;
    if ((rc = check_link(c, s, errbuf)) < 0)
        src_close(s);
    return rc;
}

int
cap_open_live(struct cap *c, const char *iface, int snaplen, int immediate,
              uint64_t bufsize, char *errbuf)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    struct cap_src *s;
    pcap_t *p;
    int rc;

    memset(c, 0, sizeof *c);
    c->cur = -1;
    c->live = 1;
    if (!(s = new_src(c, iface))) {
        snprintf(errbuf, ERRBUF_LEN, "out of memory");
        return ERR_NOMEM;
    }
    p = pcap_create(iface, eb);
    if (!p) {
        snprintf(errbuf, ERRBUF_LEN, "%s", eb);
        return ERR_SYS;
    }
    pcap_set_snaplen(p, snaplen > 0 ? snaplen : LIM_SNAPLEN);
    pcap_set_promisc(p, 1);
    pcap_set_timeout(p, 100);
    /* The view wants every packet at once. The printers take blocks that
     * the kernel hands over when full or after the 100 ms timeout: rows
     * still appear within 0.1 s, and at 100k packets/s on lo immediate
     * mode dropped packets where this (and tcpdump) dropped none. */
    pcap_set_immediate_mode(p, immediate);
    /* -B, as tcpdump's: before activation, in bytes; 32 MiB otherwise */
    pcap_set_buffer_size(p, bufsize ? (int)bufsize : 32 << 20);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    rc = pcap_activate(p);
    if (rc < 0) {
        snprintf(errbuf, ERRBUF_LEN, "%s", rc == PCAP_ERROR_PERM_DENIED
                 ? "permission denied (capturing needs root or CAP_NET_RAW)"
                 : pcap_geterr(p)[0] ? pcap_geterr(p) : pcap_statustostr(rc));
        pcap_close(p);
        return ERR_SYS;
    }
    if (rc > 0)
        fprintf(stderr, "mailsift: %s: %s\n", iface, pcap_statustostr(rc));
    s->pcap = p;
    if ((rc = check_link(c, s, errbuf)) < 0)
        src_close(s);
    return rc;
}

int
cap_set_filter(struct cap *c, const char *bpf, char *errbuf)
{
    struct cap_src *s;
    int i;

    for (i = 0; i < c->nsrc; i++) {
        s = &c->src[i];
        if (pcap_compile(s->pcap, &s->prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            snprintf(errbuf, ERRBUF_LEN, "capture filter: %s", pcap_geterr(s->pcap));
            return ERR_BAD;
        }
        s->have_prog = 1;
        /* own sources apply it as they read (pcap_offline_filter) */
        if (!s->own && pcap_setfilter(s->pcap, &s->prog) < 0) {
            snprintf(errbuf, ERRBUF_LEN, "capture filter: %s", pcap_geterr(s->pcap));
            return ERR_SYS;
        }
    }
    return 0;
}

int
cap_open_dump(struct cap *c, const char *file, char *errbuf)
{
    c->dump = pcap_dump_open(c->src[0].pcap, file);
    if (!c->dump) {
        /* libpcap's message already names the file ("FILE: Permission
         * denied"): say it once. */
        snprintf(errbuf, ERRBUF_LEN, "%s", pcap_geterr(c->src[0].pcap));
        return ERR_SYS;
    }
    return 0;
}

int
cap_selectable(struct cap *c, char *errbuf)
{
    char eb[PCAP_ERRBUF_SIZE];

    if (pcap_setnonblock(c->src[0].pcap, 1, eb) < 0) {
        snprintf(errbuf, ERRBUF_LEN, "%s", eb);
        return -1;
    }
    return pcap_get_selectable_fd(c->src[0].pcap);
}

/* The rest of an own source goes to libpcap (see struct cap_src). */
static int
src_fallback(struct cap *c, struct cap_src *s, char *errbuf)
{
    uint64_t at = s->off - (s->hi - s->lo);     /* the record not read */

    pcap_close(s->pcap);
    s->pcap = NULL;
    close(s->fd);
    s->fd = -1;
    free(s->buf);
    s->buf = NULL;
    if (src_libpcap(c, s, at, errbuf) < 0)
        return -1;
    s->own = 0;
    return 0;
}

/* Make n bytes readable at buf[lo]; fewer at the end of the file. The
 * check is inline (twice a packet), the refill out of line. */
static __attribute__((noinline)) size_t
refill(struct cap_src *s, size_t n)
{
    ssize_t r;

    if (n > s->bufsz) {
        /* a record larger than the buffer: room for it */
        uint8_t *nb = malloc(n);
        if (!nb)
            return s->hi - s->lo;
        memcpy(nb, s->buf + s->lo, s->hi - s->lo);
        free(s->buf);
        s->buf = nb;
        s->bufsz = n;
    } else {
        memmove(s->buf, s->buf + s->lo, s->hi - s->lo);
    }
    s->hi -= s->lo;
    s->lo = 0;
    while (s->hi < n) {
        r = read(s->fd, s->buf + s->hi, s->bufsz - s->hi);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        s->hi += (size_t)r;
        s->off += (uint64_t)r;
    }
    return s->hi - s->lo;
}

static inline size_t
fill(struct cap_src *s, size_t n)
{
    return s->hi - s->lo >= n ? s->hi - s->lo : refill(s, n);
}

/* The next record of an own source into s->hh and out->data: 1, 0 at
 * the end, or -1 when libpcap takes over (it reads the record again). */
static int
own_next(struct cap *c, struct cap_src *s, struct cap_pkt *out)
{
    uint8_t *h;
    int32_t sec, frac;
    uint32_t caplen, len;

    if (!s->buf) {
        s->bufsz = buf_size(c);
        if (!(s->buf = malloc(s->bufsz)))
            return -1;
    }
    for (;;) {
        if (fill(s, 16) < 16)
            return s->hi == s->lo ? 0 : -1;
        h = s->buf + s->lo;
        memcpy(&caplen, h + 8, 4);
        if (caplen > (uint32_t)s->snap || fill(s, 16 + (size_t)caplen) < 16 + (size_t)caplen)
            return -1;
        h = s->buf + s->lo;
        memcpy(&sec, h, 4);
        memcpy(&frac, h + 4, 4);
        memcpy(&len, h + 12, 4);
        s->lo += 16 + (size_t)caplen;
        /* as libpcap gives them: signed 32-bit fields, the fraction in
         * nanoseconds (opened with nanosecond precision) */
        s->hh.ts.tv_sec = sec;
        s->hh.ts.tv_usec = s->nsec ? (long)frac : (long)frac * 1000;
        s->hh.caplen = caplen;
        s->hh.len = len;
        if (s->have_prog && !pcap_offline_filter(&s->prog, &s->hh, h + 16))
            continue;
        out->data = h + 16;
        return 1;
    }
}

/* The next packet from libpcap into s->hh and out->data: CAP_PKT,
 * CAP_TIMEOUT, CAP_EOF or CAP_ERROR. Out of line: its locals, whose
 * addresses libpcap gets, would put a stack check on every packet of
 * an own source too. */
static __attribute__((noinline)) int
src_pcap(struct cap_src *s, struct cap_pkt *out)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc = pcap_next_ex(s->pcap, &h, &d);

    if (rc == 0)
        return CAP_TIMEOUT;
    if (rc == PCAP_ERROR_BREAK)
        return CAP_EOF;
    if (rc != 1) {
        snprintf(s->err, ERRBUF_LEN, "%s", pcap_geterr(s->pcap));
        return CAP_ERROR;
    }
    s->hh = *h;
    out->data = d;
    return CAP_PKT;
}

/* The next packet of source s into out (all but num): CAP_PKT,
 * CAP_TIMEOUT, CAP_EOF or CAP_ERROR (s->err says why). One source writes
 * straight into the caller's packet: copied from s->head as a whole,
 * just after it was written member by member, the wide loads waited
 * for the narrow stores (3% of a run over short connections). */
static int
src_next(struct cap *c, struct cap_src *s, struct cap_pkt *out)
{
    const struct pcap_pkthdr *h;
    int rc;

    if (s->own) {
        rc = own_next(c, s, out);
        if (rc > 0)
            goto got;
        if (rc == 0)
            return CAP_EOF;
        if (src_fallback(c, s, s->err) < 0)
            return CAP_ERROR;
    }
    rc = src_pcap(s, out);
    if (rc != CAP_PKT)
        return rc;
got:
    h = &s->hh;
    /* Opened with nanosecond precision: tv_usec holds nanoseconds,
     * unchecked by libpcap, so a damaged file can say 4e9; and a pcapng
     * block can say any 64-bit time: the seconds saturate. */
    {
        long q = h->ts.tv_usec / 1000000000, r = h->ts.tv_usec % 1000000000;
        if (r < 0) {
            r += 1000000000;
            q -= 1;
        }
        if (__builtin_add_overflow((int64_t)h->ts.tv_sec, (int64_t)q, &out->ts.sec))
            out->ts.sec = q < 0 ? -INT64_MAX : INT64_MAX;
        out->ts.nsec = (uint32_t)r;
    }
    out->caplen = h->caplen;
    out->len = h->len;
    out->dlt = s->dlt;
    return CAP_PKT;
}

static int
earlier(const struct cap *c, int a, int b)
{
    const struct ms_time *x = &c->src[a].head.ts, *y = &c->src[b].head.ts;

    if (x->sec != y->sec)
        return x->sec < y->sec;
    if (x->nsec != y->nsec)
        return x->nsec < y->nsec;
    return a < b;       /* the same time: the file given first */
}

static void
heap_push(struct cap *c, int i)
{
    int k = c->nheap++, up;

    while (k > 0 && earlier(c, i, c->heap[up = (k - 1) / 2])) {
        c->heap[k] = c->heap[up];
        k = up;
    }
    c->heap[k] = i;
}

static int
heap_pop(struct cap *c)
{
    int top = c->heap[0], last = c->heap[--c->nheap], k = 0, ch;

    while ((ch = 2 * k + 1) < c->nheap) {
        if (ch + 1 < c->nheap && earlier(c, c->heap[ch + 1], c->heap[ch]))
            ch++;
        if (!earlier(c, c->heap[ch], last))
            break;
        c->heap[k] = c->heap[ch];
        k = ch;
    }
    if (c->nheap)
        c->heap[k] = last;
    return top;
}

static void
src_failed(struct cap *c, struct cap_src *s)
{
    s->failed = 1;
    s->after = c->count;
    c->nerr++;
}

/* Source i's next packet into the merge. */
static void
advance(struct cap *c, int i)
{
    int rc = src_next(c, &c->src[i], &c->src[i].head);

    if (rc == CAP_PKT)
        heap_push(c, i);
    else if (rc == CAP_ERROR)
        src_failed(c, &c->src[i]);
}

static int
deliver(struct cap *c, struct cap_src *s, struct cap_pkt *p)
{
    p->num = ++c->count;
    if (c->dump)
        pcap_dump(c->dump, &s->hh, p->data);
    return CAP_PKT;
}

int
cap_next(struct cap *c, struct cap_pkt *p, char *errbuf)
{
    int i, rc;

    if (c->nsrc == 1) {
        /* one file or the interface: no merge */
        rc = src_next(c, &c->src[0], p);
        if (rc == CAP_PKT)
            return deliver(c, &c->src[0], p);
        if (rc == CAP_ERROR) {
            src_failed(c, &c->src[0]);
            snprintf(errbuf, ERRBUF_LEN, "%s", c->src[0].err);
        }
        return rc;
    }
    /* several files: the earliest head next (a k-way merge); a source is
     * read on only once its packet has been used */
    if (!c->started) {
        c->started = 1;
        for (i = 0; i < c->nsrc; i++)
            advance(c, i);
    } else if (c->cur >= 0) {
        advance(c, c->cur);
    }
    c->cur = -1;
    if (!c->nheap) {
        for (i = 0; i < c->nsrc; i++)
            if (c->src[i].failed) {
                snprintf(errbuf, ERRBUF_LEN, "%.200s: %.300s", c->src[i].name,
                         c->src[i].err);
                return CAP_ERROR;
            }
        return CAP_EOF;
    }
    c->cur = heap_pop(c);
    *p = c->src[c->cur].head;
    return deliver(c, &c->src[c->cur], p);
}

void
cap_breakloop(struct cap *c)
{
    if (c->live && c->nsrc && c->src[0].pcap)
        pcap_breakloop(c->src[0].pcap);
}

int
cap_stats(struct cap *c, struct cap_stats *st)
{
    struct pcap_stat ps;

    if (!c->live || !c->nsrc || pcap_stats(c->src[0].pcap, &ps) < 0)
        return -1;
    st->recv = ps.ps_recv;
    st->drop = ps.ps_drop;
    st->ifdrop = ps.ps_ifdrop;
    return 0;
}

int
cap_error(const struct cap *c, int i, const char **name, const char **err,
          uint64_t *after)
{
    if (i < 0 || i >= c->nsrc || !c->src[i].failed)
        return 0;
    *name = c->src[i].name;
    *err = c->src[i].err;
    *after = c->src[i].after;
    return 1;
}

void
cap_progress(const struct cap *c, const char **name, uint64_t *done)
{
    const struct cap_src *s;
    uint64_t d = 0;
    off_t o;
    int i;

    for (i = 0; i < c->nsrc; i++) {
        s = &c->src[i];
        if (s->own)
            d += s->off - (s->hi - s->lo);
        else if (s->fp && s->fp != stdin && (o = ftello(s->fp)) > 0)
            d += (uint64_t)o;
    }
    *done = d;
    *name = c->nsrc ? c->src[c->cur >= 0 ? c->cur : 0].name : "";
}

int
cap_drop_privs(const char *user, char *errbuf)
{
    struct passwd *pw;

    errno = 0;
    pw = getpwnam(user);
    if (!pw) {
        snprintf(errbuf, ERRBUF_LEN, "-Z %s: no such user", user);
        return ERR_SYS;
    }
    if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
        snprintf(errbuf, ERRBUF_LEN, "dropping privileges to %s: %s", user,
                 strerror(errno));
        return ERR_SYS;
    }
    /* Irreversible: getting root back must fail. */
    if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(errbuf, ERRBUF_LEN, "dropping privileges to %s: root regained", user);
        return ERR_SYS;
    }
    return 0;
}

int
cap_list(FILE *fp, char *errbuf)
{
    pcap_if_t *all, *d;
    char eb[PCAP_ERRBUF_SIZE];
    int i = 0;

    if (pcap_findalldevs(&all, eb) < 0) {
        snprintf(errbuf, ERRBUF_LEN, "%s", eb);
        return ERR_SYS;
    }
    for (d = all; d; d = d->next)
        fprintf(fp, "%d.%s%s%s%s\n", ++i, d->name, d->description ? " (" : "",
                d->description ? d->description : "", d->description ? ")" : "");
    pcap_freealldevs(all);
    return 0;
}

const char *
cap_dlt_name(struct cap *c)
{
    const char *n = pcap_datalink_val_to_name(c->dlt);
    return n ? n : "?";
}

void
cap_close(struct cap *c)
{
    int i;

    if (c->dump) {
        pcap_dump_close(c->dump);
        c->dump = NULL;
    }
    for (i = 0; i < c->nsrc; i++)
        src_close(&c->src[i]);
    free(c->src);
    free(c->heap);
    c->src = NULL;
    c->heap = NULL;
    c->nsrc = c->asrc = c->nheap = 0;
}
