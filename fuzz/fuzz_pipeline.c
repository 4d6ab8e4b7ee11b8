/* fuzz_pipeline.c - libFuzzer target: a whole capture file from memory
 * through libpcap, link_l3, dis_l3 and both printers, like run_printer in
 * ui/main.c. Property: printed records are lines of UTF-8 without
 * control or bidi characters (fuzz_common.h). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../capture/cap.h"
#include "../capture/link.h"
#include "../dissect/err.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char pe[PCAP_ERRBUF_SIZE], eb[ERRBUF_LEN];
    struct cap c;
    struct cap_pkt p;
    const uint8_t *l3;
    size_t n;
    FILE *fp;
    int rc, fam;

    if (!size)
        return 0;
    /* fmemopen takes a non-const buffer but "r" mode never writes it. */
    fp = fmemopen((void *)(uintptr_t)data, size, "r");
    if (!fp)
        return 0;
    memset(&c, 0, sizeof c);
    c.name = "fuzz";
    c.pcap = pcap_fopen_offline_with_tstamp_precision(fp,
                 PCAP_TSTAMP_PRECISION_NANO, pe);
    if (!c.pcap) {
        fclose(fp);
        return 0;
    }
    c.dlt = pcap_datalink(c.pcap);
    if (!link_supported(c.dlt)) {
        cap_close(&c);
        return 0;
    }
    fz_begin(256);
    for (;;) {
        rc = cap_next(&c, &p, eb);
        if (rc != CAP_PKT)
            break;
        fam = link_l3(c.dlt, p.data, p.caplen, &l3, &n);
        if (fam > 0)
            dis_l3(p.num, &p.ts, p.caplen, p.len, fam, l3, n);
    }
    fz_end();
    cap_close(&c);
    return 0;
}
