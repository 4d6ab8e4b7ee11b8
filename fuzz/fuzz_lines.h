/* fuzz_lines.h - shared body of fuzz_smtp and fuzz_pop3: one TCP flow with
 * a clean handshake, then the input split into in-order segments.
 *
 * Input bytes are payload except three markers:
 *   0x01  switch direction (the first chunk is the server's banner)
 *   0x02  segment boundary without switching direction
 *   0x03  FIN from the current direction
 * Segments are also cut at 1460 bytes. */
#ifndef MS_FUZZ_LINES_H
#define MS_FUZZ_LINES_H

#include "fuzz_common.h"

#define FZ_MARK_DIR 0x01
#define FZ_MARK_SEG 0x02
#define FZ_MARK_FIN 0x03

static void
fz_lines(const uint8_t *data, size_t size, uint16_t port)
{
    struct fz_flow f;
    size_t i, start = 0;
    int dir = DIR_S2C;

    fz_begin(16);
    fz_flow_init(&f, port, 0x01000000u, 0xfffffc00u);  /* server wraps */
    fz_handshake(&f);
    for (i = 0; i <= size; i++) {
        uint8_t c = i < size ? data[i] : FZ_MARK_SEG;
        if (c != FZ_MARK_DIR && c != FZ_MARK_SEG && c != FZ_MARK_FIN)
            continue;
        fz_data(&f, dir, data + start, i - start, 1460);
        start = i + 1;
        if (c == FZ_MARK_DIR) {
            dir = !dir;
        } else if (c == FZ_MARK_FIN) {
            fz_send(&f, dir, TCP_FIN | TCP_ACK, f.next[dir], f.next[!dir], NULL, 0, 0);
            f.next[dir]++;
        }
    }
    fz_end();
}

#endif
