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
    uint8_t fin;            /* FIN delivered */
    uint16_t nheld;
    uint8_t acked_past;     /* peer ACKs seen beyond the current hole */
    uint32_t held_bytes;
    struct tcp_held *held;  /* out-of-order segments, sorted by seq */
    uint8_t *hist;          /* last TCP_HIST bytes delivered, by seq % TCP_HIST */
    uint32_t hist_n;
    uint64_t delivered;
};

/* Where in-order bytes and holes go. Called once per delivered run. */
struct tcp_out {
    void (*data)(void *ctx, int dir, const uint8_t *p, size_t n,
                 uint64_t pkt, const struct ms_time *ts, uint64_t flags);
    void (*gap)(void *ctx, int dir, uint64_t len);
    void *ctx;
};

/* Feed one segment of direction dir. pkt/ts name the packet. */
void tcp_segment(struct tcp_dir *d, int dir, const struct tcp_seg *s,
                 uint64_t pkt, const struct ms_time *ts, uint64_t pflags,
                 const struct tcp_out *o);
/* The peer acknowledged up to ack (with_data: in a segment carrying
 * data): a hole below it will never fill. */
void tcp_acked(struct tcp_dir *d, int dir, uint32_t ack, int with_data,
               const struct tcp_out *o);
/* Flush held segments (gaps reported) and free them; at flow end. */
void tcp_flush(struct tcp_dir *d, int dir, const struct tcp_out *o);
void tcp_free(struct tcp_dir *d);

#endif
