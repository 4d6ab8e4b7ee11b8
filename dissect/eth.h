/* eth.h - Ethernet II (IEEE 802.3) with 802.1Q / 802.1ad (QinQ) tags ->
 * L3, for the link layer and for the Ethernet frames tunnels carry (GRE
 * TEB, ERSPAN, VXLAN). Inline: the capture's link layer calls it for
 * every packet. */
#ifndef MS_ETH_H
#define MS_ETH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "limits.h"
#include "rd.h"

/* 4 or 6 for the IPv4 and IPv6 EtherTypes, else ERR_UNSUP. */
static inline int
eth_type_family(uint16_t et)
{
    if (et == 0x0800)
        return 4;
    if (et == 0x86dd)
        return 6;
    return ERR_UNSUP;
}

/* The IP packet in an Ethernet frame of n captured bytes. Returns 4 or 6
 * and sets l3 and l3n (the rest of the frame, trailer included), or
 * ERR_SHORT when the header is cut, ERR_UNSUP for non-IP frames. */
static inline int
eth_l3(const uint8_t *p, size_t n, const uint8_t **l3, size_t *l3n)
{
    struct rd r;
    uint16_t et;
    int i;

    rd_init(&r, p, n);
    if (rd_skip(&r, 12) || rd_be16(&r, &et))
        return ERR_SHORT;
    /* 0x9100 is the pre-802.1ad QinQ outer tag some switches still send. */
    for (i = 0; i < LIM_VLAN_TAGS
         && (et == 0x8100 || et == 0x88a8 || et == 0x9100); i++)
        if (rd_skip(&r, 2) || rd_be16(&r, &et))
            return ERR_SHORT;
    rd_rest(&r, l3, l3n);
    return eth_type_family(et);
}

#endif
