/* dissect.h - packets in, records out: IP -> flow -> TCP -> SMTP/POP3. */
#ifndef MS_DISSECT_H
#define MS_DISSECT_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define DIS_PORT_TLS 0x10   /* port_map flag: implicit TLS (465, 995) */

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

struct dis_cfg {
    uint8_t port_map[65536];    /* PROTO_SMTP / PROTO_POP | DIS_PORT_TLS */
    uint32_t max_flows;
    const struct body_sink *body;   /* NULL: bodies are not exported */
};

/* The whole configuration's defaults: the standard mail ports (RFC 5321,
 * 6409, 8314, 1939), LIM_FLOWS, no body export. */
void dis_default_ports(struct dis_cfg *c);
int dis_init(const struct dis_cfg *c, const struct rec_sink *sink);
/* One packet from the IP header on. fam is 4 or 6. */
void dis_l3(uint64_t num, const struct ms_time *ts, uint32_t caplen,
            uint32_t wirelen, int fam, const uint8_t *l3, size_t n);
/* Flush every flow (end of input) and free the state. */
void dis_finish(void);
uint32_t dis_flows(void);

#endif
