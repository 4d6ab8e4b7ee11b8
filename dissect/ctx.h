/* ctx.h - the dissector's context: what used to be file-level state in
 * dissect.c, passed to every stage as an argument (through the flow's
 * session) so that nothing below the views is a singleton. Private to
 * dissect/; the views see only struct dis as an opaque handle. */
#ifndef MS_CTX_H
#define MS_CTX_H

#include <stdint.h>

#include "dissect.h"
#include "flow.h"
#include "limits.h"
#include "record.h"

struct dis {
    struct dis_cfg cfg;
    struct rec_sink sink;
    struct flow_table *flows;
    uint64_t pkt;               /* the packet being dissected */
    struct ms_time ts;
    struct rec_clock own_clock;
    struct rec_clock *clock;    /* cfg.clock or own_clock; records point here */
    struct dis_tls_counts tls;  /* dec_tls.c */
    /* Bit p: cfg.port_map[p] is set. Every packet looks up both ports;
     * the client's is a random one, and the 64 KiB map missed the cache
     * there where these 8 KiB do not (2% of a run over short
     * connections). */
    uint64_t port_set[65536 / 64];
    /* Scratch for one record at a time: the edited client line, the
     * header values of a body. Valid while that record is emitted. */
    uint8_t edit_buf[LIM_LINE];
    /* header values decoded (RFC 2047): the UTF-8 of a single-byte
     * charset takes up to twice the bytes */
    uint8_t imf_dec[2 * LIM_HDR_VALUES];
};

#endif
