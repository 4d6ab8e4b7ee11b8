/* tcp.h - TCP segment parse and per-direction reassembly. */
#ifndef MS_TCP_H
#define MS_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

struct tcp_seg {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    const uint8_t *data;
    size_t len;         /* payload bytes captured */
    size_t wirelen;     /* payload bytes on the wire */
};

/* Parse a TCP header; 0 or negative err (bad data offset, short). */
int tcp_parse(const uint8_t *p, size_t n, size_t wire, struct tcp_seg *s);

struct tcp_held;

/* Bytes of delivered data kept to compare retransmissions against: more
 * than one segment, so a resent segment is checked whole. */
#define TCP_HIST 2048

struct tcp_dir {
    uint32_t next;          /* next sequence number to deliver */
    uint8_t have;           /* next is known */
    uint8_t fin;            /* FIN seen; fin_seq is where it is */
    uint32_t fin_seq;
    uint16_t nheld;
    uint8_t acked_past;     /* peer ACKs seen beyond the current hole */
    uint64_t past_pkt;      /* the first of them: where the hole shows */
    struct ms_time past_ts;
    uint32_t held_bytes;
    struct tcp_held *held;  /* segments not delivered yet, sorted by seq:
                             * out of order, waiting for the bytes they
                             * acknowledge, or a hole called lost */
    uint8_t *hist;          /* last TCP_HIST bytes delivered, by seq % TCP_HIST */
    uint32_t hist_n;
    uint64_t delivered;
};

/* Bytes of a direction that will not be delivered. */
struct tcp_gap {
    uint64_t len;
    uint64_t pkt;           /* the packet the gap is shown at */
    struct ms_time ts;
    uint8_t cut;            /* the tail of a captured segment, cut by
                             * the snap length (the rest of it is there) */
};

/* Where in-order bytes and holes go. Called once per delivered run. */
struct tcp_out {
    void (*data)(void *ctx, int dir, const uint8_t *p, size_t n,
                 uint64_t pkt, const struct ms_time *ts, uint64_t flags);
    void (*gap)(void *ctx, int dir, const struct tcp_gap *g);
    void *ctx;
};

/* Feed one segment of direction dir of the connection d[2] (d[dir] its
 * direction, d[!dir] the other). Bytes are delivered in order per
 * direction; between the two directions, in capture order, except that
 * a segment acknowledging bytes of the other direction not seen yet
 * waits for them (or for their loss to be certain), so what a peer
 * answers comes after what it answered. */
void tcp_input(struct tcp_dir d[2], int dir, const struct tcp_seg *s,
               uint64_t pkt, const struct ms_time *ts, uint64_t pflags,
               const struct tcp_out *o);
/* Flow end: deliver everything held, holes reported as gaps. */
void tcp_flush(struct tcp_dir d[2], const struct tcp_out *o);
void tcp_free(struct tcp_dir *d);

#endif
