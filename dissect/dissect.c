/* dissect.c - the packet glue: IP and TCP headers, the flow of a
 * segment (which side is the server, a reused 4-tuple, a mid-stream
 * pickup), and TCP reassembly into the stream stage (stream.c). */
#include <stdlib.h>
#include <string.h>

#include "anom.h"
#include "ctx.h"
#include "dissect.h"
#include "flow.h"
#include "ip.h"
#include "limits.h"
#include "mem.h"
#include "proto.h"
#include "stream.h"
#include "tcp.h"
#include "tunnel.h"

void
dis_default_ports(struct dis_cfg *c)
{
    const struct proto_ops *P;
    int id, i;

    memset(c, 0, sizeof *c);
    for (id = PROTO_NONE + 1; id < PROTO_N; id++) {
        if (!(P = proto_get(id)))
            continue;
        for (i = 0; i < PROTO_MAX_PORTS && P->ports[i]; i++)
            c->port_map[P->ports[i]] = (uint8_t)id;
        for (i = 0; i < PROTO_MAX_PORTS && P->tls_ports[i]; i++)
            c->port_map[P->tls_ports[i]] = (uint8_t)(id | DIS_PORT_TLS);
    }
    c->max_flows = LIM_FLOWS;
}

int
dis_port_option(struct dis_cfg *c, const char *s)
{
    const char *eq = strchr(s, '=');
    char *end;
    unsigned long port;
    size_t n;
    int id, tls = 0;

    if (!eq || eq[1] < '0' || eq[1] > '9')
        return -1;
    port = strtoul(eq + 1, &end, 0);
    if (*end || !port || port > 65535)
        return -1;
    n = (size_t)(eq - s);
    id = proto_find(s, n);
    if (!id && n > 1 && s[n - 1] == 's') {
        id = proto_find(s, n - 1);
        tls = 1;
    }
    if (!id)
        return -1;
    c->port_map[port] = (uint8_t)(id | DIS_PORT_FORCE | (tls ? DIS_PORT_TLS : 0));
    return 0;
}

static void
on_close(void *ctx, struct flow *f, int why)
{
    (void)why;
    stream_close(ctx, f);
}

struct dis *
dis_new(const struct dis_cfg *c, const struct rec_sink *sink)
{
    struct dis *d = mem_calloc(MEM_FLOW, sizeof *d);
    unsigned i;

    if (!d)
        return NULL;
    d->cfg = *c;
    d->sink = *sink;
    for (i = 0; i < 65536; i++)
        if (c->port_map[i])
            d->port_set[i / 64] |= 1ull << (i % 64);
    d->clock = c->clock ? c->clock : &d->own_clock;
    memset(d->clock, 0, sizeof *d->clock);
    d->clock->prec = 6;
    d->flows = flow_new(c->max_flows, on_close, d);
    if (!d->flows) {
        mem_free(MEM_FLOW, d, sizeof *d);
        return NULL;
    }
    return d;
}

void
dis_tls_counts(const struct dis *d, struct dis_tls_counts *c)
{
    *c = d->tls;
}

uint32_t
dis_flows(const struct dis *d)
{
    return d && d->flows ? flow_count(d->flows) : 0;
}

/* What port p is mapped to (dis_cfg.port_map), 0 for most ports. */
static inline uint8_t
port_of(const struct dis *d, uint16_t p)
{
    return d->port_set[p / 64] >> (p % 64) & 1 ? d->cfg.port_map[p] : 0;
}

void
dis_packet(struct dis *d, uint64_t num, const struct ms_time *ts,
           uint32_t caplen, uint32_t wirelen, int fam, const uint8_t *l3,
           size_t n)
{
    struct pkt p;
    struct tcp_seg s;
    struct ms_time t;
    struct flow_key k;
    struct flow *f;
    struct stream_io io = { d, NULL };
    struct tcp_out o = { stream_data, stream_gap, &io };
    uint8_t ps, pd;
    int dir;

    if (!d->flows)
        return;     /* finished */
    /* Member by member: the capture layer has just written it so, and
     * one wide load over narrower stores waits for them (a stall that
     * was 2% of a run over short connections). */
    t.sec = ts->sec;
    t.nsec = ts->nsec;
    d->pkt = num;
    d->ts = t;
    if (!d->clock->set) {
        d->clock->t0 = t;
        d->clock->set = 1;
        /* Nanosecond captures show nine digits, like tshark. */
        d->clock->prec = t.nsec % 1000 ? 9 : 6;
    }
    p.num = num;
    p.ts = t;
    p.flags = 0;
    /* What the IP packet had on the wire: the frame's wire length less the
     * link header, i.e. what the capture cut (wirelen - caplen) on top of
     * the captured bytes from l3 on. A length field beyond it is a lie,
     * not a snaplen cut (ip.c). */
    if (ip_parse(&p, fam, l3, n, wirelen > caplen ? n + (wirelen - caplen) : n) < 0)
        return;
    /* Tunnels: from here on the innermost packet is the packet, and its
     * 5-tuple alone names the flow. Two tunnels carrying the same inner
     * tuple (overlapping private address space in two overlays, on one
     * capture link) would share a flow; that is rare, and keying flows
     * on the outer headers too would split a session whose path moves
     * between tunnel endpoints. */
    if (p.l4proto != 6 && (tun_decap(&p) < 0 || p.l4proto != 6))
        return;
    if (tcp_parse(p.l4, p.l4len, p.l4wire, &s) < 0) {
        if (p.l4len >= 4) {
            uint16_t sp = (uint16_t)(p.l4[0] << 8 | p.l4[1]);
            uint16_t dp = (uint16_t)(p.l4[2] << 8 | p.l4[3]);
            if (port_of(d, sp) || port_of(d, dp))
                anom_hit(ANOM_MALFORMED);
        }
        return;
    }
    ps = port_of(d, s.sport);
    pd = port_of(d, s.dport);
    if (!ps && !pd) {
        if (!d->cfg.detect)
            return;
        /* --detect: any port; the SYN tells the client, else the
         * higher port is taken for it. */
        dir = (s.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN
            || (!(s.flags & TCP_SYN) && s.dport < s.sport) ? DIR_C2S : DIR_S2C;
    } else if (pd && (!ps || ((s.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
                      || (!(s.flags & TCP_SYN) && s.dport < s.sport))) {
        /* The server is the side on the mail port; when both are, the
         * SYN tells, else the lower port. */
        dir = DIR_C2S;
    } else {
        dir = DIR_S2C;
    }
    k.family = p.family;
    k.caddr = dir == DIR_C2S ? p.src : p.dst;
    k.saddr = dir == DIR_C2S ? p.dst : p.src;
    k.ports = dir == DIR_C2S ? (uint32_t)s.sport << 16 | s.dport
                             : (uint32_t)s.dport << 16 | s.sport;
    flow_expire(d->flows, ts);
    f = flow_lookup(d->flows, &k);
    if (f && dir == DIR_C2S && (s.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN
        && f->tcp[DIR_C2S].have && s.seq + 1 != f->tcp[DIR_C2S].next) {
        /* The 4-tuple is reused by a new connection. */
        flow_close(d->flows, f, FLOW_END_CLOSED);
        f = NULL;
    }
    if (!f) {
        if (!s.len && !(s.flags & TCP_SYN))
            return;
        if (s.flags & TCP_RST)
            return;
        f = flow_create(d->flows, &k, ts);
        if (!f)
            return;
        f->proto = (uint8_t)((dir == DIR_C2S ? pd : ps) & 0x0f);
        f->tls = ((dir == DIR_C2S ? pd : ps) & DIS_PORT_TLS) != 0;
        f->forced = ((dir == DIR_C2S ? pd : ps) & DIS_PORT_FORCE) != 0;
        if (!(s.flags & TCP_SYN)) {
            f->pend[0] = f->pend[1] = anom_hit(ANOM_MIDSTREAM);
            f->resync = 3;
        }
    } else {
        flow_touch(d->flows, f, ts);
    }
    io.f = f;
    if (p.flags & (ANOM_F(ANOM_TRUNCATED)))
        s.wirelen = s.wirelen > s.len ? s.wirelen : s.len;
    if (!f->other)
        tcp_input(f->tcp, dir, &s, num, ts, p.flags, &o);
    if (s.flags & TCP_FIN)
        f->fin |= (uint8_t)(1u << dir);
    if ((s.flags & TCP_RST) || f->fin == 3)
        flow_close(d->flows, f, FLOW_END_CLOSED);
}

void
dis_finish(struct dis *d)
{
    if (d && d->flows) {
        flow_destroy(d->flows);
        d->flows = NULL;
    }
}

void
dis_free(struct dis *d)
{
    if (!d)
        return;
    dis_finish(d);
    mem_free(MEM_FLOW, d, sizeof *d);
}
