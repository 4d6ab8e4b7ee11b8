/* dissect.h - packets in, records out: IP -> flow -> TCP -> stream ->
 * protocol. One struct dis per capture, passed to every call. */
#ifndef MS_DISSECT_H
#define MS_DISSECT_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define DIS_PORT_TLS 0x10   /* port_map flag: implicit TLS (465, 995) */
#define DIS_PORT_FORCE 0x20 /* port_map flag: --port, taken without a check */

/* Message bodies as they stream by, for export (ui/export.c). begin
 * returns a handle, or NULL to skip the body; data gets its octets as the
 * server stores them (dot-unstuffed, each line end as one LF or as the
 * CR LF sent, so they add up to the record's size); end gets the body's
 * record just before it is emitted, or NULL when the body is dropped
 * without one. */
struct body_info {
    uint32_t flow;
    uint8_t proto, dir;
    uint64_t pkt_first;
};

struct body_sink {
    void *(*begin)(void *ctx, const struct body_info *b);
    void (*data)(void *ctx, void *h, const uint8_t *p, size_t n);
    void (*end)(void *ctx, void *h, const struct rec *r);
    void *ctx;
};

struct dec_ops;

struct dis_cfg {
    uint8_t port_map[65536];    /* protocol id (proto.h) | DIS_PORT_TLS */
    uint32_t max_flows;
    /* --detect: recognise the protocols by their bytes on every TCP port
     * (the mail ports are always checked). */
    int detect;
    const struct body_sink *body;   /* NULL: bodies are not exported */
    /* Where the capture's clock is kept (records point to it, so it must
     * outlive every record kept); NULL: inside the dissector. */
    struct rec_clock *clock;
    /* Tests: a byte decoder on every connection from its first byte
     * (dec_identity proves the seam changes nothing). */
    const struct dec_ops *decoder;
    /* TLS secrets (keylog.h) to decrypt with; NULL: the handshakes are
     * shown, nothing is decrypted. Must outlive the dissector. */
    struct tls_keys *keys;
};

/* TLS sessions so far: seen; decrypted (application data came out);
 * not decrypted (protected records and no key); failed (a record did
 * not authenticate: wrong secrets or damage). */
struct dis_tls_counts {
    uint64_t sessions, decrypted, undecrypted, failed;
};


struct dis;
struct tls_keys;

/* The whole configuration's defaults: each protocol's well-known ports
 * (proto.h), LIM_FLOWS, no body export. */
void dis_default_ports(struct dis_cfg *c);
/* Map "smtp=25", "pop3s=995" (a protocol name or alias, "s" for implicit
 * TLS) into the port map; -1 if it is not that. */
int dis_port_option(struct dis_cfg *c, const char *s);
/* A dissector writing records to sink; NULL on memcap. */
struct dis *dis_new(const struct dis_cfg *c, const struct rec_sink *sink);
/* One packet from the IP header on. fam is 4 or 6. */
void dis_packet(struct dis *d, uint64_t num, const struct ms_time *ts,
                uint32_t caplen, uint32_t wirelen, int fam,
                const uint8_t *l3, size_t n);
/* End of input: every flow is flushed (its records emitted) and closed.
 * The dissector takes no more packets after it. */
void dis_finish(struct dis *d);
/* Finish if not done, and free. */
void dis_free(struct dis *d);
uint32_t dis_flows(const struct dis *d);
void dis_tls_counts(const struct dis *d, struct dis_tls_counts *c);

#endif
