/* cap.h - open offline/live captures, read packets, stats, privileges. */
#ifndef MS_CAP_H
#define MS_CAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../dissect/record.h"

struct cap {
    void *pcap;             /* pcap_t */
    void *dump;             /* pcap_dumper_t for -w */
    int dlt;
    int live;
    const char *name;       /* file or interface, for messages */
    uint64_t count;         /* packets read */
};

struct cap_pkt {
    uint64_t num;
    struct ms_time ts;
    uint32_t caplen, len;
    const uint8_t *data;
};

enum { CAP_PKT = 1, CAP_TIMEOUT = 0, CAP_EOF = -1, CAP_ERROR = -2 };

int cap_open_offline(struct cap *c, const char *file, char *errbuf);
/* immediate: hand each packet over at once (the view); otherwise the
 * kernel fills blocks and hands them over at least every 100 ms, which
 * keeps up with far higher packet rates (the printers). */
int cap_open_live(struct cap *c, const char *iface, int snaplen, int immediate,
                  char *errbuf);
int cap_set_filter(struct cap *c, const char *bpf, char *errbuf);
int cap_open_dump(struct cap *c, const char *file, char *errbuf);
/* Set non-blocking mode and return the fd to poll, or -1. */
int cap_selectable(struct cap *c, char *errbuf);
/* Next packet: CAP_PKT, CAP_TIMEOUT (live, nothing yet), CAP_EOF, or
 * CAP_ERROR with errbuf filled. */
int cap_next(struct cap *c, struct cap_pkt *p, char *errbuf);
/* Safe from a signal handler. */
void cap_breakloop(struct cap *c);
int cap_stats(struct cap *c, uint64_t *recv, uint64_t *drop, uint64_t *ifdrop);
/* Drop root: supplementary groups, gid, uid; verified irreversible. */
int cap_drop_privs(const char *user, char *errbuf);
int cap_list(FILE *fp, char *errbuf);
const char *cap_dlt_name(struct cap *c);
void cap_close(struct cap *c);

#endif
