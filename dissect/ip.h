/* ip.h - IPv4/IPv6 header -> addresses, L4 payload. */
#ifndef MS_IP_H
#define MS_IP_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* One captured packet as the dissectors see it. Pointers are into the
 * capture buffer and die with the packet. */
struct pkt {
    uint64_t num;
    struct ms_time ts;
    uint32_t caplen, wirelen;
    uint8_t family;
    uint8_t src[16], dst[16];
    uint8_t l4proto;
    const uint8_t *l4;
    size_t l4len;           /* as captured, trimmed to the IP length */
    size_t l4wire;          /* what the IP header says */
    uint64_t flags;         /* ANOM_ bits for the packet */
};

/* Parse the IP header of family fam (4 or 6). 0 when p->l4 is set to a
 * first fragment or a whole datagram; negative when the packet is not
 * usable (the reason is counted as an anomaly). */
int ip_parse(struct pkt *p, int fam, const uint8_t *l3, size_t n);

#endif
