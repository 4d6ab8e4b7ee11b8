/* cap.c - libpcap: offline (pcap, pcapng, nanosecond) and live capture,
 * BPF filters, -w dumps, stats and the privilege drop after activation. */
#include <errno.h>
#include <grp.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "../dissect/err.h"
#include "../dissect/limits.h"
#include "cap.h"
#include "link.h"

static int
check_link(struct cap *c, char *errbuf)
{
    c->dlt = pcap_datalink(c->pcap);
    if (!link_supported(c->dlt)) {
        const char *n = pcap_datalink_val_to_name(c->dlt);
        snprintf(errbuf, ERRBUF_LEN, "unsupported link type %d (%s)", c->dlt,
                 n ? n : "unknown");
        return ERR_UNSUP;
    }
    return 0;
}

/* Read buffer for capture files: stdio's default (4-8 KiB) makes one
 * read() per few packets; 1 MiB halves the time of a large file. */
#define CAP_FILE_BUF (1u << 20)

int
cap_open_offline(struct cap *c, const char *file, char *errbuf)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    FILE *fp;

    memset(c, 0, sizeof *c);
    c->name = strcmp(file, "-") ? file : "stdin";
    fp = strcmp(file, "-") ? fopen(file, "rb") : stdin;
    if (!fp) {
        snprintf(errbuf, ERRBUF_LEN, "%s", strerror(errno));
        return ERR_SYS;
    }
    /* glibc ignores the size unless it is given the buffer. One capture
     * is open at a time, so one static buffer will do. */
    {
        static char buf[CAP_FILE_BUF];
        setvbuf(fp, buf, _IOFBF, sizeof buf);
    }
    c->pcap = pcap_fopen_offline_with_tstamp_precision(fp,
                  PCAP_TSTAMP_PRECISION_NANO, eb);
    if (!c->pcap) {
        if (fp != stdin)
            fclose(fp);
        snprintf(errbuf, ERRBUF_LEN, "%s", eb);
        return ERR_SYS;
    }
    return check_link(c, errbuf);
}

int
cap_open_live(struct cap *c, const char *iface, int snaplen, int immediate,
              char *errbuf)
{
    char eb[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p;
    int rc;

    memset(c, 0, sizeof *c);
    c->name = iface;
    c->live = 1;
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
    pcap_set_buffer_size(p, 32 << 20);
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
    c->pcap = p;
    return check_link(c, errbuf);
}

int
cap_set_filter(struct cap *c, const char *bpf, char *errbuf)
{
    struct bpf_program prog;

    if (pcap_compile(c->pcap, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
        snprintf(errbuf, ERRBUF_LEN, "capture filter: %s", pcap_geterr(c->pcap));
        return ERR_BAD;
    }
    if (pcap_setfilter(c->pcap, &prog) < 0) {
        snprintf(errbuf, ERRBUF_LEN, "capture filter: %s", pcap_geterr(c->pcap));
        pcap_freecode(&prog);
        return ERR_SYS;
    }
    pcap_freecode(&prog);
    return 0;
}

int
cap_open_dump(struct cap *c, const char *file, char *errbuf)
{
    c->dump = pcap_dump_open(c->pcap, file);
    if (!c->dump) {
        /* libpcap's message already names the file ("FILE: Permission
         * denied"): say it once. */
        snprintf(errbuf, ERRBUF_LEN, "%s", pcap_geterr(c->pcap));
        return ERR_SYS;
    }
    return 0;
}

int
cap_selectable(struct cap *c, char *errbuf)
{
    char eb[PCAP_ERRBUF_SIZE];

    if (pcap_setnonblock(c->pcap, 1, eb) < 0) {
        snprintf(errbuf, ERRBUF_LEN, "%s", eb);
        return -1;
    }
    return pcap_get_selectable_fd(c->pcap);
}

int
cap_next(struct cap *c, struct cap_pkt *p, char *errbuf)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc = pcap_next_ex(c->pcap, &h, &d);

    if (rc == 1) {
        p->num = ++c->count;
        /* Opened with nanosecond precision: tv_usec holds nanoseconds,
         * unchecked by libpcap, so a damaged file can say 4e9. */
        p->ts.sec = h->ts.tv_sec + h->ts.tv_usec / 1000000000;
        p->ts.nsec = (uint32_t)(h->ts.tv_usec % 1000000000);
        if (h->ts.tv_usec < 0) {
            p->ts.sec -= 1;
            p->ts.nsec += 1000000000;
        }
        p->caplen = h->caplen;
        p->len = h->len;
        p->data = d;
        if (c->dump)
            pcap_dump(c->dump, h, d);
        return CAP_PKT;
    }
    if (rc == 0)
        return CAP_TIMEOUT;
    if (rc == PCAP_ERROR_BREAK)
        return CAP_EOF;
    snprintf(errbuf, ERRBUF_LEN, "%s", pcap_geterr(c->pcap));
    return CAP_ERROR;
}

void
cap_breakloop(struct cap *c)
{
    if (c->pcap)
        pcap_breakloop(c->pcap);
}

int
cap_stats(struct cap *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop)
{
    struct pcap_stat st;

    if (!c->live || pcap_stats(c->pcap, &st) < 0)
        return -1;
    *recv = st.ps_recv;
    *drop = st.ps_drop;
    *ifdrop = st.ps_ifdrop;
    return 0;
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
    if (c->dump) {
        pcap_dump_close(c->dump);
        c->dump = NULL;
    }
    if (c->pcap) {
        pcap_close(c->pcap);
        c->pcap = NULL;
    }
}
