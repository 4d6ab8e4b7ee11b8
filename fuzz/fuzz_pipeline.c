/* fuzz_pipeline.c - libFuzzer target: a whole capture file from memory
 * through libpcap and the pump (link_l3, dis_packet) to both printers,
 * as main.c runs them. Property: printed records are lines of UTF-8
 * without control or bidi characters (fuzz_common.h). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../capture/cap.h"
#include "../capture/link.h"
#include "../capture/pump.h"
#include "../dissect/err.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char pe[PCAP_ERRBUF_SIZE], eb[ERRBUF_LEN];
    pcap_t *pc;
    struct cap c;
    struct pump pu;
    FILE *fp;

    if (!size)
        return 0;
    /* fmemopen takes a non-const buffer but "r" mode never writes it. */
    fp = fmemopen((void *)(uintptr_t)data, size, "r");
    if (!fp)
        return 0;
    memset(&c, 0, sizeof c);
    pc = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, pe);
    if (!pc) {
        fclose(fp);
        return 0;
    }
    if (cap_add_pcap(&c, pc, "fuzz", eb) < 0) {
        cap_close(&c);
        return 0;
    }
    fz_begin(256);
    pump_init(&pu, &c, fz_dis, 0, NULL);
    pump_run(&pu);
    fz_end();
    cap_close(&c);
    return 0;
}
