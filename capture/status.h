/* status.h - what a view may show about its input: a plain struct the
 * pump fills (capture/pump.h); views include this and nothing else from
 * capture/. */
#ifndef MS_STATUS_H
#define MS_STATUS_H

#include <stdint.h>

enum { SRC_READING, SRC_DONE, SRC_ERROR };

struct src_status {
    const char *name;       /* file or interface */
    int live;
    int state;              /* SRC_READING, SRC_DONE, SRC_ERROR */
    const char *err;        /* SRC_ERROR: the reason */
    uint64_t packets;       /* read so far */
    /* offline: the files given, and how far reading is */
    int nfiles;
    uint64_t bytes_done;    /* of the files with a size */
    uint64_t bytes_total;   /* 0: unknown (stdin) */
    /* live: pcap_stats, as tcpdump prints them at exit */
    int have_drops;         /* the kernel's counters are known */
    uint64_t drops;         /* dropped by the kernel and the interface */
    uint64_t recv;          /* received by the filter */
    uint64_t kdrop;         /* dropped by the kernel (buffer full, -B) */
    uint64_t ifdrop;        /* dropped by the interface or its driver */
    /* TLS sessions so far: decrypted, not (no key), failed (bad record) */
    uint64_t tls_sessions, tls_decrypted, tls_undecrypted, tls_failed;
};

#endif
