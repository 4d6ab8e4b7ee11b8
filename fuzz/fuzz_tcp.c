/* fuzz_tcp.c - libFuzzer target: TCP reassembly for one flow on a mail
 * port. The input is a structured list of segments (direction, flags,
 * sequence delta, length, bytes) turned into real IPv4 packets, so
 * reordering, overlap, retransmission, wraparound and gaps are reachable.
 *
 * Input: a 9-byte header, then segments.
 *   header: [0] bits 0-1 port (25, 110, 465, 995), bit 2 skip handshake
 *           [1..4] client ISN, [5..8] server ISN (big endian)
 *   segment: [0] bit 0 dir (0 C2S, 1 S2C), bit 1 SYN, bit 2 FIN, bit 3 RST,
 *                bit 4 no ACK, bit 5 snaplen cut, bit 6 idle jump (> 300 s),
 *                bit 7 fill: payload beyond the input is padded
 *            [1..2] seq delta (int16) from the direction's next byte
 *            [3] ack delta (int8) from the peer's next byte
 *            [4..5] payload length (big endian)
 *            then min(length, rest) payload bytes (padded if bit 7). */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t pad[FZ_MAXPAY];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint16_t ports[4] = { 25, 110, 465, 995 };
    struct fz_flow f;
    size_t i, len, have, caplen;
    uint32_t seq, ack, end;
    uint8_t b, fl;
    int dir;

    if (size < 9)
        return 0;
    if (!pad[0]) {
        /* Filler that still has line ends, so padded bytes make lines. */
        for (i = 0; i < sizeof pad; i++)
            pad[i] = i % 64 == 62 ? '\r' : i % 64 == 63 ? '\n' : (uint8_t)('A' + i % 26);
    }
    fz_begin(16);
    fz_flow_init(&f, ports[data[0] & 3], get32(data + 1), get32(data + 5));
    if (!(data[0] & 4))
        fz_handshake(&f);
    i = 9;
    while (i + 6 <= size) {
        b = data[i];
        dir = b & 1;
        fl = (b & 2 ? TCP_SYN : 0) | (b & 4 ? TCP_FIN : 0) | (b & 8 ? TCP_RST : 0)
            | (b & 16 ? 0 : TCP_ACK);
        seq = f.next[dir] + (uint32_t)(int32_t)(int16_t)(data[i + 1] << 8 | data[i + 2]);
        ack = f.next[!dir] + (uint32_t)(int32_t)(int8_t)data[i + 3];
        len = (size_t)data[i + 4] << 8 | data[i + 5];
        i += 6;
        have = size - i < len ? size - i : len;
        if (!(b & 128))
            len = have;
        if (len > FZ_MAXPAY)
            len = FZ_MAXPAY;
        if (b & 64)
            f.ts.sec += LIM_FLOW_IDLE + 1;
        else
            f.ts.nsec = (f.ts.nsec + 1000) % 1000000000u;
        caplen = b & 32 ? FZ_HDR + len / 2 : 0;
        if (have == len) {
            fz_send(&f, dir, fl, seq, ack, data + i, len, caplen);
        } else {
            uint8_t *tmp = malloc(len ? len : 1);
            if (!tmp)
                abort();
            memcpy(tmp, data + i, have);
            memcpy(tmp + have, pad, len - have);
            fz_send(&f, dir, fl, seq, ack, tmp, len, caplen);
            free(tmp);
        }
        i += have;
        end = seq + (uint32_t)len + ((fl & TCP_SYN) ? 1 : 0) + ((fl & TCP_FIN) ? 1 : 0);
        /* Advance the direction's cursor to the highest byte sent. */
        if ((int32_t)(end - f.next[dir]) > 0)
            f.next[dir] = end;
    }
    fz_end();
    return 0;
}
