/* ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200) headers, extension headers walked.
 *
 * Two lengths bound a packet: what was captured (n) and what was on the
 * wire (wire). A length field beyond the captured bytes but within the
 * wire is a snaplen cut: truncated, decoded as far as it goes. A length
 * field beyond the wire is a lie, no host sent those bytes: malformed,
 * and the packet is dropped, since a receiving stack would drop it too. */
#include <string.h>

#include "anom.h"
#include "err.h"
#include "ip.h"
#include "limits.h"
#include "rd.h"

/* A field or header ending at byte end was not there: beyond the end of
 * the packet (lim, what its length fields and the wire allow) it is
 * malformed, else the capture cut it. */
static int
cut(struct pkt *p, size_t end, size_t lim)
{
    if (end > lim) {
        pkt_anom(p, ANOM_MALFORMED);
        return ERR_BAD;
    }
    pkt_anom(p, ANOM_TRUNCATED);
    return ERR_SHORT;
}

static int
ip4(struct pkt *p, struct rd *r, size_t wire)
{
    uint8_t vihl, proto;
    uint16_t total, frag;
    size_t hl, tot;
    const uint8_t *a;

    if (rd_u8(r, &vihl) || rd_skip(r, 1) || rd_be16(r, &total)
        || rd_skip(r, 2) || rd_be16(r, &frag) || rd_skip(r, 1)
        || rd_u8(r, &proto) || rd_skip(r, 2))
        return cut(p, 20, wire);
    hl = (size_t)(vihl & 0x0f) * 4;
    /* TCP segmentation offload: the capturing host saw the packet before
     * the NIC split it and filled in the length, so the field is 0
     * (Wireshark reports the same); the frame's wire length says. */
    tot = total ? total : wire;
    if ((vihl >> 4) != 4 || hl < 20 || tot < hl || tot > wire) {
        pkt_anom(p, ANOM_MALFORMED);
        return ERR_BAD;
    }
    if (rd_take(r, &a, 4))
        return cut(p, 16, wire);
    memcpy(p->src, a, 4);
    if (rd_take(r, &a, 4))
        return cut(p, 20, wire);
    memcpy(p->dst, a, 4);
    if (rd_skip(r, hl - 20))
        return cut(p, hl, tot);
    p->family = 4;
    p->l4proto = proto;
    /* Non-first fragments carry no L4 header; first fragments carry a
     * partial segment. Neither is parsed as TCP (we do not reassemble). */
    if ((frag & 0x1fff) || (frag & 0x2000)) {
        pkt_anom(p, ANOM_IP_FRAGMENT);
        return ERR_UNSUP;
    }
    p->l4wire = tot - hl;
    /* Ethernet pads short frames: trust the IP length, not the frame. */
    p->l4len = rd_left(r) < p->l4wire ? rd_left(r) : p->l4wire;
    p->l4 = rd_cur(r);
    if (p->l4len < p->l4wire)
        pkt_anom(p, ANOM_TRUNCATED);
    return 0;
}

static int
ip6(struct pkt *p, struct rd *r, size_t wire)
{
    uint8_t v, nh, len8;
    uint16_t plen, fo;
    const uint8_t *a;
    size_t end, hl, at;
    int i;

    if (rd_u8(r, &v) || rd_skip(r, 3) || rd_be16(r, &plen) || rd_u8(r, &nh)
        || rd_skip(r, 1))
        return cut(p, 40, wire);
    if ((v >> 4) != 6) {
        pkt_anom(p, ANOM_MALFORMED);
        return ERR_BAD;
    }
    /* Jumbograms (plen 0, RFC 2675) do not occur on mail ports, but TCP
     * segmentation offload leaves plen 0 too: the wire length says. A
     * packet with no payload at all (No Next Header) has plen 0 as well;
     * then the at most 6 bytes after the header are Ethernet padding up
     * to the 60-byte minimum frame. */
    end = plen ? 40 + (size_t)plen : wire > 40 + 6 ? wire : 40;
    if (end > wire || end < 40) {
        pkt_anom(p, ANOM_MALFORMED);
        return ERR_BAD;
    }
    if (rd_take(r, &a, 16))
        return cut(p, 24, end);
    memcpy(p->src, a, 16);
    if (rd_take(r, &a, 16))
        return cut(p, 40, end);
    memcpy(p->dst, a, 16);
    p->family = 6;
    /* Ethernet padding after the payload is not part of it. */
    if (end < r->len)
        r->len = end;
    for (i = 0; i < LIM_IPV6_EXT; i++) {
        at = r->off;
        switch (nh) {
        case 0:
            /* RFC 8200 4.1: Hop-by-Hop Options only right after the IPv6
             * header; a second one, or one later, is a forgery. */
            if (i) {
                pkt_anom(p, ANOM_MALFORMED);
                return ERR_BAD;
            }
            /* fall through */
        case 43: case 60: case 135: case 139: case 140:
            /* routing, destination, mobility, HIP, shim6 */
            if (rd_u8(r, &v) || rd_u8(r, &len8))
                return cut(p, at + 2, end);
            hl = (size_t)len8 * 8 + 8;
            break;
        case 44:
            if (rd_u8(r, &v) || rd_skip(r, 1) || rd_be16(r, &fo))
                return cut(p, at + 4, end);
            /* An atomic fragment (offset 0, no more) is a whole datagram. */
            if (fo & 0xfff9) {
                pkt_anom(p, ANOM_IP_FRAGMENT);
                return ERR_UNSUP;
            }
            hl = 8;
            break;
        case 51:
            /* AH length is in 4-octet units minus 2 (RFC 4302). */
            if (rd_u8(r, &v) || rd_u8(r, &len8))
                return cut(p, at + 2, end);
            hl = ((size_t)len8 + 2) * 4;
            break;
        default:
            hl = 0;
        }
        if (!hl)
            break;
        /* A chain running past the payload length is malformed; past the
         * captured bytes only, truncated. */
        if (rd_skip(r, at + hl - r->off))
            return cut(p, at + hl, end);
        nh = v;
    }
    if (i == LIM_IPV6_EXT) {
        pkt_anom(p, ANOM_LIMIT);
        return ERR_LIMIT;
    }
    /* No Next Header (59): RFC 8200 4.7 has a receiver ignore bytes
     * after it, so anything there is hidden from the host: a segment
     * smuggled past an analyzer that decodes it anyway. */
    if (nh == 59 && r->off < end) {
        pkt_anom(p, ANOM_MALFORMED);
        return ERR_BAD;
    }
    p->l4proto = nh;
    p->l4 = rd_cur(r);
    p->l4len = rd_left(r);
    p->l4wire = end - r->off;
    if (p->l4len < p->l4wire)
        pkt_anom(p, ANOM_TRUNCATED);
    return 0;
}

int
ip_parse(struct pkt *p, int fam, const uint8_t *l3, size_t n, size_t wire)
{
    struct rd r;

    rd_init(&r, l3, n);
    /* The capture never holds more than was sent. */
    if (wire < n)
        wire = n;
    memset(p->src, 0, sizeof p->src);
    memset(p->dst, 0, sizeof p->dst);
    return fam == 4 ? ip4(p, &r, wire) : ip6(p, &r, wire);
}
