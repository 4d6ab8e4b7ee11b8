/* tunnel.c - tunnels opened to the packet inside: IP in IP (RFC 2003,
 * RFC 2473), 6in4 (RFC 4213), GRE (RFC 2784, RFC 2890) carrying IP,
 * Ethernet (transparent bridging) or ERSPAN types I-III, VXLAN (RFC 7348),
 * L2TPv2 data messages (RFC 2661) carrying PPP (RFC 1661, RFC 1662).
 *
 * Each decoder reads one encapsulation header with the outer packet's two
 * bounds, as ip.c does: a header beyond the wire length (or the length
 * field of an enclosing header) is malformed, beyond the captured bytes
 * only it is truncated. Recognised tunnels that are not decoded (GRE with
 * another payload, PPTP's GRE, L2TPv3, Geneve, VXLAN-GPE, PPP carrying
 * something other than IP, nesting deeper than LIM_TUNNEL_DEPTH) count
 * tunnel_unsupported; tunnel control traffic (L2TP control messages, PPP
 * LCP/IPCP) and non-IP frames in a bridged tunnel (ARP) are not tunnelled
 * data and pass silently. */
#include "anom.h"
#include "err.h"
#include "eth.h"
#include "limits.h"
#include "rd.h"
#include "tunnel.h"

/* The well-known UDP ports of the tunnels decoded or recognised. */
#define PORT_L2TP       1701
#define PORT_VXLAN      4789
#define PORT_VXLAN_GPE  4790
#define PORT_GENEVE     6081

/* GRE flags and version (RFC 2784 2.1, RFC 2890 2). */
#define GRE_C           0x8000  /* checksum and reserved1 present */
#define GRE_R           0x4000  /* RFC 1701 routing present */
#define GRE_K           0x2000  /* key present */
#define GRE_S           0x1000  /* sequence number present */
#define GRE_VER         0x0007

/* L2TP flags and version (RFC 2661 3.1). */
#define L2TP_T          0x8000  /* control message */
#define L2TP_L          0x4000  /* length present */
#define L2TP_S          0x0800  /* Ns and Nr present */
#define L2TP_O          0x0200  /* offset size present */
#define L2TP_VER        0x000f

/* The packet a tunnel carries: n bytes captured at p, wire bytes sent. */
struct inner {
    const uint8_t *p;
    size_t n, wire;
};

static int
unsupported(struct pkt *p)
{
    pkt_anom(p, ANOM_TUNNEL_UNSUPPORTED);
    return ERR_UNSUP;
}

static int
malformed(struct pkt *p)
{
    pkt_anom(p, ANOM_MALFORMED);
    return ERR_BAD;
}

/* The next hl bytes of r, of which wire bytes were sent in all: 0 if
 * they were captured, else counted as malformed (past the wire) or
 * truncated (past the capture). */
static int
need(struct pkt *p, const struct rd *r, size_t wire, size_t hl)
{
    if (hl <= rd_left(r))
        return 0;
    if (r->off + hl > wire)
        return malformed(p);
    pkt_anom(p, ANOM_TRUNCATED);
    return ERR_SHORT;
}

/* A length field: the message ends at off (from r's start). It cannot
 * reach past the wire; the captured bytes after it are not the
 * message's. */
static int
bound(struct pkt *p, struct rd *r, size_t *wire, size_t end)
{
    if (end > *wire || end < r->off)
        return malformed(p);
    *wire = end;
    if (r->len > end)
        r->len = end;
    return 0;
}

/* The rest of r is a packet of family fam. */
static int
rest(struct rd *r, size_t wire, struct inner *in, int fam)
{
    in->wire = wire - r->off;
    rd_rest(r, &in->p, &in->n);
    return fam;
}

/* The rest of r is an Ethernet frame: the IP packet in it, or ERR_UNSUP
 * (silently) when it is not IP. */
static int
ether(struct pkt *p, struct rd *r, size_t wire, struct inner *in)
{
    size_t left = wire - r->off;
    int fam = eth_l3(rd_cur(r), rd_left(r), &in->p, &in->n);

    if (fam == ERR_SHORT) {
        if (left > rd_left(r)) {
            pkt_anom(p, ANOM_TRUNCATED);
            return ERR_SHORT;
        }
        return malformed(p);
    }
    if (fam < 0)
        return fam;
    in->wire = left - (rd_left(r) - in->n);
    return fam;
}

/* ERSPAN after its GRE header (draft-foschiano-erspan-03): type II has an
 * 8-byte header (version 1), type III a 12-byte one (version 2) and an
 * 8-byte platform subheader when its O bit is set; its frame type says
 * Ethernet (0) or IP (2). */
static int
erspan(struct pkt *p, struct rd *r, size_t wire, struct inner *in)
{
    uint16_t w;
    uint8_t v;

    if (need(p, r, wire, 8) || rd_peek_u8(r, &v))
        return ERR_SHORT;
    switch (v >> 4) {
    case 1:
        if (rd_skip(r, 8))
            return ERR_SHORT;
        return ether(p, r, wire, in);
    case 2:
        if (need(p, r, wire, 12) || rd_skip(r, 10) || rd_be16(r, &w))
            return ERR_SHORT;
        if ((w & 1) && (need(p, r, wire, 8) || rd_skip(r, 8)))
            return ERR_SHORT;
        switch ((w >> 10) & 0x1f) {
        case 0:
            return ether(p, r, wire, in);
        case 2:
            if (need(p, r, wire, 1) || rd_peek_u8(r, &v))
                return ERR_SHORT;
            if ((v >> 4) == 4 || (v >> 4) == 6)
                return rest(r, wire, in, v >> 4);
            return malformed(p);
        }
        break;
    }
    return unsupported(p);
}

static int
gre(struct pkt *p, struct rd *r, size_t wire, struct inner *in)
{
    uint16_t fl, pt;
    size_t hl;

    if (need(p, r, wire, 4) || rd_be16(r, &fl) || rd_be16(r, &pt))
        return ERR_SHORT;
    /* Version 1 is PPTP's enhanced GRE (RFC 2637: PPP, usually compressed
     * and encrypted); the R bit is RFC 1701 source routing. Linux drops
     * both; neither is decoded. */
    if ((fl & GRE_VER) || (fl & GRE_R))
        return unsupported(p);
    hl = (fl & GRE_C ? 4u : 0) + (fl & GRE_K ? 4u : 0) + (fl & GRE_S ? 4u : 0);
    if (need(p, r, wire, hl) || rd_skip(r, hl))
        return ERR_SHORT;
    switch (pt) {
    case 0x0800:
        return rest(r, wire, in, 4);
    case 0x86dd:
        return rest(r, wire, in, 6);
    case 0x6558:
        /* Transparent Ethernet bridging (gretap). */
        return ether(p, r, wire, in);
    case 0x88be:
        /* ERSPAN type I has neither a header of its own nor a GRE
         * sequence number; type II has both (Wireshark tells them apart
         * the same way). */
        if (!(fl & GRE_S))
            return ether(p, r, wire, in);
        return erspan(p, r, wire, in);
    case 0x22eb:
        return erspan(p, r, wire, in);
    }
    return unsupported(p);
}

/* PPP in HDLC-like framing (RFC 1662) as L2TP carries it. */
static int
ppp(struct pkt *p, struct rd *r, size_t wire, struct inner *in)
{
    uint16_t proto;
    uint8_t b;

    /* Address 0xff and control 0x03, left out when both ends agreed to
     * (address-and-control-field compression, RFC 1661 6.6). */
    if (need(p, r, wire, 1) || rd_peek_u8(r, &b))
        return ERR_SHORT;
    if (b == 0xff) {
        if (need(p, r, wire, 2) || rd_skip(r, 1) || rd_u8(r, &b))
            return ERR_SHORT;
        if (b != 0x03)
            return malformed(p);
    }
    /* The protocol is one byte when compressed (RFC 1661 6.5): a
     * protocol number's first byte is even and its last odd. */
    if (need(p, r, wire, 1) || rd_u8(r, &b))
        return ERR_SHORT;
    proto = b;
    if (!(b & 1)) {
        if (need(p, r, wire, 1) || rd_u8(r, &b))
            return ERR_SHORT;
        proto = (uint16_t)(proto << 8 | b);
    }
    if (proto == 0x0021)
        return rest(r, wire, in, 4);
    if (proto == 0x0057)
        return rest(r, wire, in, 6);
    /* Below 0x8000 a network-layer datagram that is not IP, or IP we
     * cannot read (Van Jacobson compressed TCP, compressed or encrypted
     * datagrams); above, LCP, IPCP, authentication: link control. */
    return proto < 0x8000 ? unsupported(p) : ERR_UNSUP;
}

static int
l2tp(struct pkt *p, struct rd *r, size_t wire, struct inner *in)
{
    uint16_t fl, v;
    size_t base = r->off, hl;

    if (need(p, r, wire, 2) || rd_be16(r, &fl))
        return ERR_SHORT;
    /* L2TPv3 over UDP (RFC 3931 4.1.2.2) shares the port and the first
     * word; its data is not decoded. Control messages carry no user
     * data, and other versions are not L2TP: both pass silently. */
    if ((fl & L2TP_VER) == 3 && !(fl & L2TP_T))
        return unsupported(p);
    if ((fl & L2TP_VER) != 2 || (fl & L2TP_T))
        return ERR_UNSUP;
    hl = 2 + (fl & L2TP_L ? 2u : 0) + 4 + (fl & L2TP_S ? 4u : 0)
        + (fl & L2TP_O ? 2u : 0);
    if (need(p, r, wire, hl - 2))
        return ERR_SHORT;
    if (fl & L2TP_L) {
        /* The length of the whole message, this header included. */
        if (rd_be16(r, &v))
            return ERR_SHORT;
        if (v < hl)
            return malformed(p);
        if (bound(p, r, &wire, base + v))
            return ERR_BAD;
    }
    /* Tunnel and session ids, then Ns and Nr. */
    if (rd_skip(r, 4) || ((fl & L2TP_S) && rd_skip(r, 4)))
        return ERR_SHORT;
    if (fl & L2TP_O) {
        if (rd_be16(r, &v) || need(p, r, wire, v) || rd_skip(r, v))
            return ERR_SHORT;
    }
    return ppp(p, r, wire, in);
}

static int
vxlan(struct pkt *p, struct rd *r, size_t wire, struct inner *in)
{
    uint8_t fl;

    if (need(p, r, wire, 8) || rd_u8(r, &fl) || rd_skip(r, 7))
        return ERR_SHORT;
    /* RFC 7348 5: the I flag is set for a valid VNI, and Linux drops a
     * packet without it; the other flags are ignored on receipt. */
    if (!(fl & 0x08))
        return malformed(p);
    return ether(p, r, wire, in);
}

/* 0: not a tunnel, the common case, decided by the ports alone. */
static int
udp(struct pkt *p, struct rd *r, size_t wire, struct inner *in)
{
    uint16_t sp, dp, ulen;

    if (rd_be16(r, &sp) || rd_be16(r, &dp))
        return 0;
    switch (dp) {
    case PORT_VXLAN: case PORT_L2TP:
        break;
    case PORT_GENEVE: case PORT_VXLAN_GPE:
        return unsupported(p);
    default:
        /* An L2TP server may answer from 1701 to the client's port. */
        if (sp != PORT_L2TP)
            return 0;
    }
    if (need(p, r, wire, 4) || rd_be16(r, &ulen) || rd_skip(r, 2))
        return ERR_SHORT;
    /* The UDP length, header included, bounds the datagram; 0 is an IPv6
     * jumbogram's (RFC 2675), where the IP length says. */
    if (ulen && ulen < 8)
        return malformed(p);
    if (ulen && bound(p, r, &wire, ulen))
        return ERR_BAD;
    if (dp == PORT_VXLAN)
        return vxlan(p, r, wire, in);
    return l2tp(p, r, wire, in);
}

int
tun_decap(struct pkt *p)
{
    struct inner in;
    struct rd r;
    uint32_t sid;
    int depth, fam, rc;

    for (depth = 0;; depth++) {
        rd_init(&r, p->l4, p->l4len);
        switch (p->l4proto) {
        case 4:
            /* IPv4 in IPv4 or in IPv6. */
            fam = rest(&r, p->l4wire, &in, 4);
            break;
        case 41:
            /* IPv6 in IPv4 (6in4, sit) or in IPv6. */
            fam = rest(&r, p->l4wire, &in, 6);
            break;
        case 47:
            fam = gre(p, &r, p->l4wire, &in);
            break;
        case 17:
            fam = udp(p, &r, p->l4wire, &in);
            break;
        case 115:
            /* L2TPv3 over IP (RFC 3931 4.1.1): session 0 is control. */
            if (!rd_be32(&r, &sid) && !sid)
                return ERR_UNSUP;
            return unsupported(p);
        default:
            return 0;
        }
        if (fam <= 0)
            return fam;
        if (depth == LIM_TUNNEL_DEPTH)
            return unsupported(p);
        if ((rc = ip_parse(p, fam, in.p, in.n, in.wire)) < 0)
            return rc;
    }
}
