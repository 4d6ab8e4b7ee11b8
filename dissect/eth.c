/* eth.c - Ethernet II (IEEE 802.3) with 802.1Q / 802.1ad (QinQ) tags. */
#include "eth.h"
#include "err.h"
#include "limits.h"
#include "rd.h"

int
eth_type_family(uint16_t et)
{
    if (et == 0x0800)
        return 4;
    if (et == 0x86dd)
        return 6;
    return ERR_UNSUP;
}

int
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
