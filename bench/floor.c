/* floor.c - the benchmark floor: a bare libpcap read loop.
 *
 * Opens a capture with pcap_open_offline, walks it with pcap_next_ex and
 * prints the number of packets and of captured bytes. Nothing any
 * analyzer does can be faster than reading the file this way, so the
 * other tools' times are reported as a ratio to this one.
 *
 * Build: cc -std=c11 -O2 -Wall -Wextra -Wpedantic -o floor floor.c \
 *            $(pkg-config --cflags --libs libpcap)
 */
#define _DEFAULT_SOURCE   /* u_char and friends for <pcap/pcap.h> under -std=c11 */

#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t pkts = 0, bytes = 0, wire = 0;
    unsigned sum = 0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: floor FILE.pcap\n");
        return 2;
    }
    pcap_t *p = pcap_open_offline(argv[1], errbuf);
    if (!p) {
        fprintf(stderr, "floor: %s\n", errbuf);
        return 1;
    }
    while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
        pkts++;
        bytes += h->caplen;
        wire += h->len;
        /* touch the packet so the read is not just a header walk */
        if (h->caplen)
            sum += data[h->caplen - 1];
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "floor: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("packets %llu bytes %llu wire %llu check %u\n",
        (unsigned long long)pkts, (unsigned long long)bytes,
        (unsigned long long)wire, sum & 0xff);
    return 0;
}
