/* pump.c - the capture -> dissect loop (pump.h). */
#include <string.h>
#include <time.h>

#include "link.h"
#include "pump.h"

void
pump_init(struct pump *p, struct cap *cap, struct dis *dis, uint64_t maxpkts,
          volatile sig_atomic_t *stop)
{
    memset(p, 0, sizeof *p);
    p->cap = cap;
    p->dis = dis;
    p->maxpkts = maxpkts;
    p->stop = stop;
    p->state = SRC_READING;
}

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
end(struct pump *p, int state)
{
    p->state = state;
    dis_finish(p->dis);
}

unsigned
pump_step(struct pump *p, unsigned max, int budget_ms)
{
    struct cap_pkt pk;
    const uint8_t *l3;
    long long t0 = budget_ms ? now_ms() : 0;
    size_t n;
    unsigned i;
    int rc, fam;

    if (p->state != SRC_READING)
        return 0;
    for (i = 0; i < max; i++) {
        if ((p->stop && *p->stop) || (p->maxpkts && p->cap->count >= p->maxpkts)) {
            end(p, SRC_DONE);
            break;
        }
        rc = cap_next(p->cap, &pk, p->err);
        if (rc == CAP_TIMEOUT)
            break;
        if (rc == CAP_EOF) {
            end(p, SRC_DONE);
            break;
        }
        if (rc == CAP_ERROR) {
            end(p, SRC_ERROR);
            break;
        }
        fam = link_l3(pk.dlt, pk.data, pk.caplen, &l3, &n);
        if (fam > 0)
            dis_packet(p->dis, pk.num, &pk.ts, pk.caplen, pk.len, fam, l3, n);
        if (budget_ms && (i & 255) == 255 && now_ms() - t0 > budget_ms) {
            i++;
            break;
        }
    }
    return i;
}

int
pump_run(struct pump *p)
{
    while (p->state == SRC_READING)
        pump_step(p, 1u << 16, 0);
    return p->state;
}

void
pump_status(const struct pump *p, struct src_status *st)
{
    struct cap_stats cs;

    memset(st, 0, sizeof *st);
    st->name = p->cap->name;
    st->live = p->cap->live;
    st->state = p->state;
    st->err = p->state == SRC_ERROR ? p->err : NULL;
    st->packets = p->cap->count;
    if (p->dis) {
        struct dis_tls_counts tc;
        dis_tls_counts(p->dis, &tc);
        st->tls_sessions = tc.sessions;
        st->tls_decrypted = tc.decrypted;
        st->tls_undecrypted = tc.undecrypted;
        st->tls_failed = tc.failed;
    }
    if (p->cap->live && cap_stats(p->cap, &cs) == 0) {
        st->have_drops = 1;
        st->drops = cs.drop + cs.ifdrop;
        st->recv = cs.recv;
        st->kdrop = cs.drop;
        st->ifdrop = cs.ifdrop;
    }
    if (!p->cap->live) {
        st->nfiles = p->cap->nsrc;
        st->bytes_total = p->cap->bytes_total;
        cap_progress(p->cap, &st->name, &st->bytes_done);
        if (st->nfiles == 1)
            st->name = p->cap->name;
    }
}
