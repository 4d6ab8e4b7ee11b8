/* flow.h - flow table: 5-tuple -> flow, LRU and idle eviction, flow ids. */
#ifndef MS_FLOW_H
#define MS_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "line.h"
#include "record.h"
#include "tcp.h"

struct sess;    /* protocol state, allocated when payload first arrives */

struct flow {
    struct flow *hnext;             /* hash chain */
    struct flow *lprev, *lnext;     /* LRU list, most recent first */
    uint32_t hash;
    uint32_t id;                    /* stream number, in creation order */
    uint8_t family;
    uint8_t proto;                  /* PROTO_SMTP, PROTO_POP */
    uint8_t tls;                    /* port is implicit TLS (465, 993, 995) */
    uint8_t forced;                 /* --port: the protocol is not checked */
    uint8_t other;                  /* not a protocol we dissect: its
                                     * bytes are no longer reassembled */
    uint8_t fin;                    /* bit per direction that sent FIN */
    uint8_t resync;                 /* bit per direction: picked up mid-stream,
                                     * skip to a line start */
    uint8_t caddr[16], saddr[16];   /* client, server */
    uint16_t cport, sport;
    struct ms_time last;
    uint64_t pend[2];               /* flags for the next record per dir */
    struct tcp_dir tcp[2];          /* [DIR_C2S], [DIR_S2C] */
    struct line_asm la[2];
    struct sess *sess;
};

struct flow_key {
    uint8_t family;
    const uint8_t *caddr, *saddr;
    /* cport << 16 | sport: written and compared as one word (two
     * halves written apart and loaded together wait for both stores) */
    uint32_t ports;
};

struct flow_table;

/* Called for a flow leaving the table (closed, idle, evicted) before it
 * is freed, so pending records can be flushed. */
typedef void (*flow_close_fn)(void *ctx, struct flow *f, int why);
enum { FLOW_END_CLOSED, FLOW_END_IDLE, FLOW_END_EVICTED, FLOW_END_FINISH };

struct flow_table *flow_new(uint32_t max_flows, flow_close_fn fn, void *ctx);
void flow_destroy(struct flow_table *t);
struct flow *flow_lookup(struct flow_table *t, const struct flow_key *k);
/* New flow; evicts the least recently used one when full. NULL on memcap. */
struct flow *flow_create(struct flow_table *t, const struct flow_key *k,
                         const struct ms_time *now);
void flow_touch(struct flow_table *t, struct flow *f, const struct ms_time *now);
/* Close flows idle for LIM_FLOW_IDLE seconds at time now. */
void flow_expire(struct flow_table *t, const struct ms_time *now);
void flow_close(struct flow_table *t, struct flow *f, int why);
/* Close every flow, oldest first. */
void flow_close_all(struct flow_table *t);
uint32_t flow_count(const struct flow_table *t);

#endif
