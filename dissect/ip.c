/* ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200) headers, extension headers walked. */
#include <string.h>

#include "anom.h"
#include "err.h"
#include "ip.h"
#include "limits.h"
#include "rd.h"

static int
ip4(struct pkt *p, struct rd *r)
{
    uint8_t vihl, proto;
    uint16_t total, frag;
    size_t hl;
    const uint8_t *a;

    if (rd_u8(r, &vihl) || rd_skip(r, 1) || rd_be16(r, &total)
        || rd_skip(r, 2) || rd_be16(r, &frag) || rd_skip(r, 1)
        || rd_u8(r, &proto) || rd_skip(r, 2))
        goto short_hdr;
    hl = (size_t)(vihl & 0x0f) * 4;
    /* TCP segmentation offload: the capturing host saw the packet before
     * the NIC split it and filled in the length, so the field is 0
     * (Wireshark reports the same and uses the captured length). */
    if (total == 0)
        total = (uint16_t)(r->len > 65535 ? 65535 : r->len);
    if ((vihl >> 4) != 4 || hl < 20 || total < hl) {
        p->flags |= anom_hit(ANOM_MALFORMED);
        return ERR_BAD;
    }
    if (rd_take(r, &a, 4))
        goto short_hdr;
    memcpy(p->src, a, 4);
    if (rd_take(r, &a, 4))
        goto short_hdr;
    memcpy(p->dst, a, 4);
    if (rd_skip(r, hl - 20))
        goto short_hdr;
    p->family = 4;
    p->l4proto = proto;
    /* Non-first fragments carry no L4 header; first fragments carry a
     * partial segment. Neither is parsed as TCP (we do not reassemble). */
    if ((frag & 0x1fff) || (frag & 0x2000)) {
        p->flags |= anom_hit(ANOM_IP_FRAGMENT);
        return ERR_UNSUP;
    }
    p->l4wire = total - hl;
    /* Ethernet pads short frames: trust the IP length, not the frame. */
    p->l4len = rd_left(r) < p->l4wire ? rd_left(r) : p->l4wire;
    p->l4 = rd_cur(r);
    if (p->l4len < p->l4wire)
        p->flags |= anom_hit(ANOM_TRUNCATED);
    return 0;
short_hdr:
    p->flags |= anom_hit(ANOM_TRUNCATED);
    return ERR_SHORT;
}

static int
ip6(struct pkt *p, struct rd *r)
{
    uint8_t v, nh, len8;
    uint16_t plen, fo;
    const uint8_t *a;
    size_t base, used;
    int i;

    if (rd_u8(r, &v) || rd_skip(r, 3) || rd_be16(r, &plen) || rd_u8(r, &nh)
        || rd_skip(r, 1))
        goto short_hdr;
    if ((v >> 4) != 6) {
        p->flags |= anom_hit(ANOM_MALFORMED);
        return ERR_BAD;
    }
    if (rd_take(r, &a, 16))
        goto short_hdr;
    memcpy(p->src, a, 16);
    if (rd_take(r, &a, 16))
        goto short_hdr;
    memcpy(p->dst, a, 16);
    p->family = 6;
    base = r->off;
    /* Jumbograms (plen 0) do not occur on mail ports; treat the rest of
     * the capture as the payload. */
    if (plen && plen < rd_left(r))
        r->len = r->off + plen;
    for (i = 0; i < LIM_IPV6_EXT; i++) {
        switch (nh) {
        case 0: case 43: case 60: case 135: case 139: case 140:
            /* hop-by-hop, routing, destination, mobility, HIP, shim6 */
            if (rd_u8(r, &v) || rd_u8(r, &len8)
                || rd_skip(r, (size_t)len8 * 8 + 6))
                goto short_hdr;
            nh = v;
            continue;
        case 44:
            if (rd_u8(r, &v) || rd_skip(r, 1) || rd_be16(r, &fo)
                || rd_skip(r, 4))
                goto short_hdr;
            /* An atomic fragment (offset 0, no more) is a whole datagram. */
            if ((fo & 0xfff9) == 0) {
                nh = v;
                continue;
            }
            p->flags |= anom_hit(ANOM_IP_FRAGMENT);
            return ERR_UNSUP;
        case 51:
            /* AH length is in 4-octet units minus 2 (RFC 4302). */
            if (rd_u8(r, &v) || rd_u8(r, &len8)
                || rd_skip(r, ((size_t)len8 + 2) * 4 - 2))
                goto short_hdr;
            nh = v;
            continue;
        }
        break;
    }
    if (i == LIM_IPV6_EXT) {
        p->flags |= anom_hit(ANOM_LIMIT);
        return ERR_LIMIT;
    }
    p->l4proto = nh;
    p->l4 = rd_cur(r);
    p->l4len = rd_left(r);
    used = r->off - base;
    p->l4wire = !plen ? p->l4len : plen > used ? plen - used : 0;
    if (p->l4len < p->l4wire)
        p->flags |= anom_hit(ANOM_TRUNCATED);
    return 0;
short_hdr:
    p->flags |= anom_hit(ANOM_TRUNCATED);
    return ERR_SHORT;
}

int
ip_parse(struct pkt *p, int fam, const uint8_t *l3, size_t n)
{
    struct rd r;

    rd_init(&r, l3, n);
    p->flags = 0;
    memset(p->src, 0, sizeof p->src);
    memset(p->dst, 0, sizeof p->dst);
    return fam == 4 ? ip4(p, &r) : ip6(p, &r);
}
