/* tunnel.h - tunnels opened to the packet inside: IP in IP, 6in4, GRE,
 * ERSPAN, VXLAN, L2TPv2. */
#ifndef MS_TUNNEL_H
#define MS_TUNNEL_H

#include "ip.h"

/* p is a parsed IP packet (ip_parse). While its payload is a tunnel we
 * decode, parse the packet inside into p, at most LIM_TUNNEL_DEPTH deep:
 * p's addresses and L4 are then the innermost packet's, and the outer
 * headers are forgotten. Returns 0 with p at the innermost IP packet (its
 * L4 protocol may be anything; a packet that is no tunnel is left as it
 * is), or negative when nothing usable is inside: the reason is counted
 * once (tunnel_unsupported for a tunnel not decoded, malformed, truncated,
 * ip_fragment ...). Ordinary UDP costs a port check. */
int tun_decap(struct pkt *p);

#endif
