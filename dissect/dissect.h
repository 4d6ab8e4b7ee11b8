/* dissect.h - packets in, records out: IP -> flow -> TCP -> SMTP/POP3. */
#ifndef MS_DISSECT_H
#define MS_DISSECT_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define DIS_PORT_TLS 0x10   /* port_map flag: implicit TLS (465, 995) */

struct dis_cfg {
    uint8_t port_map[65536];    /* PROTO_SMTP / PROTO_POP | DIS_PORT_TLS */
    uint32_t max_flows;
};

/* The standard mail ports (RFC 5321, 6409, 8314, 1939). */
void dis_default_ports(struct dis_cfg *c);
int dis_init(const struct dis_cfg *c, const struct rec_sink *sink);
/* One packet from the IP header on. fam is 4 or 6. */
void dis_l3(uint64_t num, const struct ms_time *ts, uint32_t caplen,
            uint32_t wirelen, int fam, const uint8_t *l3, size_t n);
/* Flush every flow (end of input) and free the state. */
void dis_finish(void);
uint32_t dis_flows(void);

#endif
