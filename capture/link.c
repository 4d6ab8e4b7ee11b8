/* link.c - EN10MB (802.1Q/QinQ), LINUX_SLL/SLL2, NULL/LOOP, RAW -> L3. */
#include <pcap/pcap.h>

#include "../dissect/err.h"
#include "../dissect/eth.h"
#include "../dissect/rd.h"
#include "link.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

int
link_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
    case DLT_NULL: case DLT_LOOP: case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
#ifdef DLT_RAW_ALT
    case DLT_RAW_ALT:
#endif
        return 1;
    }
    return 0;
}

static int
version_family(struct rd *r)
{
    uint8_t v;

    if (rd_peek_u8(r, &v) < 0)
        return ERR_SHORT;
    switch (v >> 4) {
    case 4: return 4;
    case 6: return 6;
    }
    return ERR_UNSUP;
}

/* BSD loopback stores the address family in host byte order of the
 * capturing machine, so accept both orders. AF_INET6 differs by OS. */
static int
null_family(uint32_t af)
{
    if (af == 2)
        return 4;
    if (af == 10 || af == 24 || af == 28 || af == 30)
        return 6;
    return ERR_UNSUP;
}

int
link_l3(int dlt, const uint8_t *p, size_t caplen, const uint8_t **l3, size_t *n)
{
    struct rd r;
    uint16_t et;
    uint32_t af;
    int fam;

    rd_init(&r, p, caplen);
    switch (dlt) {
    case DLT_EN10MB:
        /* The same parser reads the Ethernet frames inside tunnels. */
        return eth_l3(p, caplen, l3, n);
    case DLT_LINUX_SLL:
        if (rd_skip(&r, 14) || rd_be16(&r, &et))
            return ERR_SHORT;
        fam = eth_type_family(et);
        break;
    case DLT_LINUX_SLL2:
        if (rd_be16(&r, &et) || rd_skip(&r, 18))
            return ERR_SHORT;
        fam = eth_type_family(et);
        break;
    case DLT_NULL:
        if (rd_le32(&r, &af))
            return ERR_SHORT;
        fam = null_family(af);
        if (fam < 0)
            fam = null_family(((af & 0xff) << 24) | ((af & 0xff00) << 8)
                              | ((af >> 8) & 0xff00) | (af >> 24));
        break;
    case DLT_LOOP:
        if (rd_be32(&r, &af))
            return ERR_SHORT;
        fam = null_family(af);
        break;
    case DLT_RAW: case DLT_IPV4: case DLT_IPV6:
#ifdef DLT_RAW_ALT
    case DLT_RAW_ALT:
#endif
        fam = version_family(&r);
        break;
    default:
        return ERR_UNSUP;
    }
    if (fam < 0)
        return fam;
    rd_rest(&r, l3, n);
    return fam;
}
