/* ip.h - IPv4/IPv6 header -> addresses, L4 payload. */
#ifndef MS_IP_H
#define MS_IP_H

#include <stddef.h>
#include <stdint.h>

#include "anom.h"
#include "record.h"

/* One captured packet as the dissectors see it. Pointers are into the
 * capture buffer and die with the packet. */
struct pkt {
    uint64_t num;
    struct ms_time ts;
    uint8_t family;
    uint8_t src[16], dst[16];
    uint8_t l4proto;
    const uint8_t *l4;
    size_t l4len;           /* as captured, trimmed to the IP length */
    size_t l4wire;          /* what the IP header says */
    uint64_t flags;         /* ANOM_ bits for the packet */
};

/* Count anomaly a for the packet, once: a tunnel's inner packet cut by the
 * snaplen is the same cut as its outer one. */
static inline void
pkt_anom(struct pkt *p, enum anom a)
{
    if (!(p->flags & ANOM_F(a)))
        p->flags |= anom_hit(a);
}

/* Parse the IP header of family fam (4 or 6): n bytes captured at l3, of
 * wire bytes sent. 0 when p->l4 is set to a whole datagram; negative when
 * the packet is not usable (a fragment, malformed, truncated in its
 * headers; the reason is counted as an anomaly and or-ed into p->flags,
 * which the caller clears once per captured packet). Addresses, family
 * and L4 are overwritten, so a tunnel's inner packet can be parsed into
 * the same struct. */
int ip_parse(struct pkt *p, int fam, const uint8_t *l3, size_t n, size_t wire);

#endif
