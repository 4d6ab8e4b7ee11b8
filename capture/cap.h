/* cap.h - open offline/live captures, read packets, stats, privileges. */
#ifndef MS_CAP_H
#define MS_CAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../dissect/record.h"

struct cap_src;     /* one file or the interface (cap.c) */

struct cap {
    struct cap_src *src;    /* nsrc of them, in the order given */
    int nsrc, asrc;
    int *heap;              /* sources with a packet waiting, earliest first */
    int nheap;
    int cur;                /* source of the packet last returned, or -1 */
    int started;
    void *dump;             /* pcap_dumper_t for -w */
    int dlt;                /* the first source's link type */
    int live;
    const char *name;       /* the first file or the interface, for messages */
    uint64_t count;         /* packets read, all sources: frame numbers */
    uint64_t bytes_total;   /* size of the files that have one (progress) */
    int nerr;               /* sources that failed while being read */
};

struct cap_pkt {
    uint64_t num;
    struct ms_time ts;
    uint32_t caplen, len;
    const uint8_t *data;
    int dlt;                /* of the source it came from */
};

/* The kernel's and the interface's counters (pcap_stats), live only. */
struct cap_stats {
    uint64_t recv;          /* received by the filter */
    uint64_t drop;          /* dropped by the kernel: no room in the buffer */
    uint64_t ifdrop;        /* dropped by the interface or its driver */
};

enum { CAP_PKT = 1, CAP_TIMEOUT = 0, CAP_EOF = -1, CAP_ERROR = -2 };

/* One capture file ("-": stdin). */
int cap_open_offline(struct cap *c, const char *file, char *errbuf);
/* Add one more file to c (c zeroed before the first): packets of all
 * the files come out in time order, as mergecap would merge them, and
 * are numbered across them. On error the file is not added. */
int cap_add_file(struct cap *c, const char *file, char *errbuf);
/* An offline pcap_t opened by the caller (tests, fuzzing); c takes it. */
int cap_add_pcap(struct cap *c, void *pcap, const char *name, char *errbuf);
/* immediate: hand each packet over at once (the view); otherwise the
 * kernel fills blocks and hands them over at least every 100 ms, which
 * keeps up with far higher packet rates (the printers). bufsize: the
 * kernel buffer in bytes (-B), 0 for the default. */
int cap_open_live(struct cap *c, const char *iface, int snaplen, int immediate,
                  uint64_t bufsize, char *errbuf);
int cap_set_filter(struct cap *c, const char *bpf, char *errbuf);
int cap_open_dump(struct cap *c, const char *file, char *errbuf);
/* Set non-blocking mode and return the fd to poll, or -1. */
int cap_selectable(struct cap *c, char *errbuf);
/* Next packet: CAP_PKT, CAP_TIMEOUT (live, nothing yet), CAP_EOF, or
 * CAP_ERROR with errbuf filled. A file that fails while others remain
 * is left out (cap_error says why) and the others go on; CAP_ERROR
 * comes at the end when any did. */
int cap_next(struct cap *c, struct cap_pkt *p, char *errbuf);
/* Safe from a signal handler. */
void cap_breakloop(struct cap *c);
int cap_stats(struct cap *c, struct cap_stats *st);
/* Source i's failure, if it had one: its name, the reason and the frame
 * number reached when it failed. Returns 0 if it did not fail. */
int cap_error(const struct cap *c, int i, const char **name, const char **err,
              uint64_t *after);
/* Reading progress: the file the last packet came from, bytes read of
 * all files (of those with a size). */
void cap_progress(const struct cap *c, const char **name, uint64_t *done);
/* Drop root: supplementary groups, gid, uid; verified irreversible. */
int cap_drop_privs(const char *user, char *errbuf);
int cap_list(FILE *fp, char *errbuf);
const char *cap_dlt_name(struct cap *c);
void cap_close(struct cap *c);

#endif
