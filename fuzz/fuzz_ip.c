/* fuzz_ip.c - libFuzzer target: IP headers and tunnels from raw bytes
 * (ip_parse, tun_decap, eth_l3), both families, any nesting, then the
 * whole dissector on the same packets, so a session inside a tunnel makes
 * records.
 *
 * Input: packets, each [len be16][flags][extra][len bytes] (the last one
 * may be shorter than len).
 *   flags bit 0: IPv6 (else IPv4), bit 1: an Ethernet frame (eth_l3 first,
 *         as capture/link.c does), bit 2: a snaplen cut: the wire length
 *         is the captured length plus extra * 8 (else plus extra & 3, a
 *         record whose original length is a little longer).
 * Properties, for every packet: a usable result points inside the
 * captured bytes, its captured L4 length is within its wire length and
 * that within the packet's; the family is 4 or 6; each anomaly counter
 * moves at most once (tunnel_unsupported, malformed, truncated: one
 * verdict per packet); the printers' properties (fuzz_common.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../dissect/eth.h"
#include "../dissect/ip.h"
#include "../dissect/tunnel.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what)
{
    fprintf(stderr, "\nfuzz property failed: %s\n", what);
    abort();
}

static void
one(const uint8_t *frame, size_t caplen, size_t wirelen, int fam, int ether,
    uint64_t num, struct ms_time *ts)
{
    const uint8_t *l3 = frame;
    size_t n = caplen, wire;
    uint64_t before[ANOM_N];
    struct pkt p;
    int rc, a;

    if (ether) {
        fam = eth_l3(frame, caplen, &l3, &n);
        if (fam < 0)
            return;
        if (l3 < frame || n > caplen || l3 + n != frame + caplen)
            fail("eth_l3 points outside the frame");
    }
    wire = wirelen - (caplen - n);
    memcpy(before, anom_count, sizeof before);
    memset(&p, 0, sizeof p);
    rc = ip_parse(&p, fam, l3, n, wire);
    if (rc == 0 && p.l4proto != 6)
        rc = tun_decap(&p);
    for (a = 0; a < ANOM_N; a++)
        if (anom_count[a] > before[a] + 1)
            fail("an anomaly counted twice for one packet");
    if (p.flags >> ANOM_N)
        fail("packet flags outside the anomaly bits");
    if (rc == 0) {
        if (p.family != 4 && p.family != 6)
            fail("family not 4 or 6");
        if (p.l4 < l3 || p.l4len > n || (size_t)(p.l4 - l3) > n - p.l4len)
            fail("L4 outside the captured bytes");
        if (p.l4len > p.l4wire)
            fail("captured L4 longer than its wire length");
        if (p.l4wire > wire)
            fail("L4 wire length beyond the packet's");
        if (p.l4len) {
            volatile uint8_t x = p.l4[0] ^ p.l4[p.l4len - 1];
            (void)x;
        }
    }
    /* The same packet through the dissector, as pump.c hands it over. */
    dis_packet(fz_dis, num, ts, (uint32_t)caplen, (uint32_t)wirelen, fam, l3, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ms_time ts = { 1700000000, 0 };
    uint64_t num = 0;
    size_t i = 0, len, wirelen;
    uint8_t fl, extra, *buf;

    fz_begin(64);
    while (i + 4 <= size) {
        len = (size_t)data[i] << 8 | data[i + 1];
        fl = data[i + 2];
        extra = data[i + 3];
        i += 4;
        if (len > size - i)
            len = size - i;
        wirelen = len + (fl & 4 ? (size_t)extra * 8 : (size_t)(extra & 3));
        /* An exact-size heap copy, so ASan sees a read past the end. */
        buf = malloc(len ? len : 1);
        if (!buf)
            abort();
        memcpy(buf, data + i, len);
        ts.nsec = (ts.nsec + 1000) % 1000000000u;
        one(buf, len, wirelen, fl & 1 ? 6 : 4, (fl & 2) != 0, ++num, &ts);
        free(buf);
        i += len;
    }
    fz_end();
    return 0;
}
