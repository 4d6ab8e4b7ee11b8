/* eth.h - Ethernet II with 802.1Q/802.1ad tags -> L3, for the link layer
 * and for the Ethernet frames tunnels carry (GRE TEB, ERSPAN, VXLAN). */
#ifndef MS_ETH_H
#define MS_ETH_H

#include <stddef.h>
#include <stdint.h>

/* 4 or 6 for the IPv4 and IPv6 EtherTypes, else ERR_UNSUP. */
int eth_type_family(uint16_t et);
/* The IP packet in an Ethernet frame of n captured bytes. Returns 4 or 6
 * and sets l3 and l3n (the rest of the frame, trailer included), or
 * ERR_SHORT when the header is cut, ERR_UNSUP for non-IP frames. */
int eth_l3(const uint8_t *p, size_t n, const uint8_t **l3, size_t *l3n);

#endif
