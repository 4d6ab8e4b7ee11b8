/* stream.h - the stream stage: a connection's in-order bytes (tcp.c)
 * through its byte decoder (dec.h) to lines and raw runs, handed to the
 * connection's protocol through the protocol table (proto.h). */
#ifndef MS_STREAM_H
#define MS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "record.h"
#include "tcp.h"

struct dis;

/* The pair every stream callback needs, made on the stack by the packet
 * glue for each segment: tcp_out's ctx. */
struct stream_io {
    struct dis *d;
    struct flow *f;
};

/* tcp_out callbacks (ctx: struct stream_io). */
void stream_data(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
                 const struct ms_time *ts, uint64_t flags);
void stream_gap(void *ctx, int dir, const struct tcp_gap *g);
/* The flow is leaving the table: deliver what TCP holds, flush partial
 * lines, end the protocol, free the connection's state. */
void stream_close(struct dis *d, struct flow *f);

#endif
