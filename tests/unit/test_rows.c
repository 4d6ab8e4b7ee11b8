/* test_rows.c - the view's rows without curses: incremental filtering in
 * batches (and its restart on a new filter), packet rows in packet
 * order, the selection staying on its record across filter changes,
 * view changes and memcap drops, and tail-follow. */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../dissect/filter.h"
#include "../../dissect/mem.h"
#include "../../dissect/proto.h"
#include "../../dissect/record.h"
#include "../../ui/rows.h"

#define S(x) ((struct rec_str){ (const uint8_t *)(x), (uint32_t)strlen(x) })

/* Record i of the small store: completed by packet 10 * (i + 1); even
 * ones SMTP, odd ones POP; i % 3 + 1 packets, 2 apart, ending there. */
static void
fill(struct rec *r, int i, struct rec_mark *marks)
{
    int k, n = i % 3 + 1;

    memset(r, 0, sizeof *r);
    r->pkt = 10 * (uint64_t)(i + 1);
    r->pkt_first = r->pkt - 2 * (uint64_t)(n - 1);
    r->ts.sec = 1700000000 + i;
    r->ts_first.sec = 1700000000 + i;
    r->flow = 1;
    r->src.family = r->dst.family = 4;
    r->src.addr[0] = 127;
    r->dst.addr[0] = 127;
    r->src.port = 40000;
    r->dst.port = i % 2 ? 110 : 25;
    r->dir = DIR_C2S;
    r->proto = i % 2 ? PROTO_POP : PROTO_SMTP;
    r->kind = REC_CMD;
    memcpy(r->verb, "NOOP", 5);
    r->text = S("NOOP");
    r->raw = S("NOOP\r\n");
    r->len = 6;
    r->nmarks = (uint16_t)n;
    for (k = 0; k < n; k++) {
        marks[k].pkt = r->pkt - 2 * (uint64_t)(n - 1 - k);
        marks[k].off = (uint32_t)k;
        marks[k].ts.sec = 0;    /* a store without per-packet times */
        marks[k].ts.nsec = 0;
    }
    r->marks = marks;
}

static struct flt *
compile(const char *s)
{
    struct flt_err e;
    struct flt *f = flt_compile(s, &e);

    if (!f)
        fprintf(stderr, "filter %s: %s\n", s, e.msg);
    return f;
}

static void
drain(struct rows *R)
{
    while (rows_filter_batch(R) || rows_pkt_batch(R))
        ;
}

/* Packet number of the record (store index) under the selection. */
static uint64_t
sel_pkt(const struct rows *R)
{
    struct rec r;
    size_t idx;
    int m;

    if (rows_at(R, R->sel, &idx, &m) < 0 || rec_store_get(R->st, idx, &r) < 0)
        return 0;
    return r.pkt;
}

static void
test_filter(void)
{
    struct rec_store *st = rec_store_new();
    struct rec_mark marks[3];
    struct rows R;
    struct rec r;
    size_t i;
    int bad = 0;

    for (i = 0; i < 20; i++) {
        fill(&r, (int)i, marks);
        rec_store_add(st, &r);
    }
    rows_init(&R, st);
    R.batch = 4;

    /* No filter: four records a batch, every one passes. */
    T_INT(rows_filter_batch(&R), 1);
    T_INT(R.fpos, 4);
    T_INT(R.nvis, 4);
    T_CHECK(!rows_complete(&R));
    for (i = 1; i < 5; i++)
        T_INT(rows_filter_batch(&R), 1);
    T_INT(R.fpos, 20);
    T_INT(R.nvis, 20);
    T_CHECK(rows_complete(&R));
    T_INT(rows_filter_batch(&R), 0);
    for (i = 0; i < 20; i++)
        bad += R.vis[i] != i;
    T_INT(bad, 0);

    /* A filter starts again from the first record, in batches. */
    rows_set_filter(&R, compile("pop"));
    T_INT(R.nvis, 0);
    T_INT(R.fpos, 0);
    T_CHECK(!rows_complete(&R));
    rows_filter_batch(&R);
    T_INT(R.fpos, 4);
    T_INT(R.nvis, 2);           /* records 1 and 3 */
    T_INT(R.vis[0], 1);
    T_INT(R.vis[1], 3);
    /* A new filter in the middle of one restarts it. */
    rows_set_filter(&R, compile("frame.number > 150"));
    T_INT(R.nvis, 0);
    T_INT(R.fpos, 0);
    drain(&R);
    T_INT(R.nvis, 5);           /* packets 160..200: records 15..19 */
    T_INT(R.vis[0], 15);
    T_INT(R.vis[4], 19);
    T_CHECK(rows_shows(&R, 17));
    T_CHECK(!rows_shows(&R, 14));
    /* Records that arrive later are tested too. */
    fill(&r, 20, marks);
    rec_store_add(st, &r);
    fill(&r, 21, marks);
    rec_store_add(st, &r);
    T_CHECK(!rows_complete(&R));
    drain(&R);
    T_INT(R.nvis, 7);
    rows_set_filter(&R, NULL);
    drain(&R);
    T_INT(R.nvis, 22);
    rows_free(&R);
    rec_store_free(st);
}

static void
test_pktview(void)
{
    struct rec_store *st = rec_store_new();
    struct rec_mark ma[3], mb[1];
    struct rows R;
    struct rec a, b;
    size_t i, idx;
    int m, bad = 0;

    /* A client line typed over packets 1, 3, 5, completed at 5; the
     * server's reply in packet 4 completed first but is stored after. */
    fill(&a, 2, ma);
    a.pkt = 5;
    a.pkt_first = 1;
    ma[0].pkt = 1;
    ma[1].pkt = 3;
    ma[2].pkt = 5;
    fill(&b, 0, mb);
    b.pkt = b.pkt_first = 4;
    mb[0].pkt = 4;
    b.dir = DIR_S2C;
    rec_store_add(st, &a);
    rec_store_add(st, &b);
    rows_init(&R, st);
    drain(&R);
    T_INT(rows_count(&R), 2);
    rows_set_pktview(&R, 1);
    drain(&R);
    T_INT(rows_count(&R), 4);
    T_INT(R.prow[0].pkt, 1);
    T_INT(R.prow[1].pkt, 3);
    T_INT(R.prow[2].pkt, 4);
    T_INT(R.prow[3].pkt, 5);
    T_INT(R.prow[2].rec, 1);
    T_INT(R.prow[3].rec, 0);
    T_INT(R.prow[3].mark, 2);
    T_INT(rows_at(&R, 1, &idx, &m), 0);
    T_INT(idx, 0);
    T_INT(m, 1);
    T_INT(rows_at(&R, 4, &idx, &m), -1);
    /* Packet 3 selected; back to messages: its record; and back. */
    rows_select(&R, 1);
    rows_set_pktview(&R, 0);
    drain(&R);
    T_INT(rows_at(&R, R.sel, &idx, &m), 0);
    T_INT(idx, 0);
    T_INT(m, -1);
    rows_set_pktview(&R, 1);
    drain(&R);
    T_INT(R.prow[R.sel].rec, 0);
    T_INT(R.prow[R.sel].mark, 0);
    rows_free(&R);
    rec_store_free(st);

    /* Twenty records, in small batches: rows sorted by packet number. */
    st = rec_store_new();
    {
        struct rec_mark mk[20][3];
        struct rec r;
        for (i = 0; i < 20; i++) {
            fill(&r, (int)i, mk[i]);
            rec_store_add(st, &r);
        }
    }
    rows_init(&R, st);
    R.batch = 3;
    rows_set_pktview(&R, 1);
    T_INT(R.nprow, 0);          /* nothing filtered yet */
    rows_filter_batch(&R);
    rows_pkt_batch(&R);
    T_INT(R.ppos, 3);
    T_INT(R.nprow, 1 + 2 + 3);
    drain(&R);
    /* i % 3 + 1 packets each: 7 records of 1, 7 of 2, 6 of 3 */
    T_INT(R.nprow, 7 + 14 + 18);
    for (i = 1; i < R.nprow; i++)
        bad += R.prow[i - 1].pkt > R.prow[i].pkt;
    T_INT(bad, 0);
    /* A filter in the packet view: rows of the records it passes. */
    rows_set_filter(&R, compile("pop"));
    drain(&R);
    T_INT(R.nvis, 10);
    bad = 0;
    for (i = 0; i < R.nprow; i++)
        bad += R.prow[i].rec % 2 != 1;
    T_INT(bad, 0);
    T_INT(R.nprow, 20);         /* 2+1+3+2+1+3+2+1+3+2 */
    rows_free(&R);
    rec_store_free(st);
}

static void
test_selection(void)
{
    struct rec_store *st = rec_store_new();
    struct rec_mark marks[3];
    struct rows R;
    struct rec r;
    int i;

    for (i = 0; i < 20; i++) {
        fill(&r, i, marks);
        rec_store_add(st, &r);
    }
    rows_init(&R, st);
    R.batch = 5;
    drain(&R);

    /* Record 7 (POP, packet 80) stays selected through "pop". */
    rows_select(&R, 7);
    T_INT(sel_pkt(&R), 80);
    rows_set_filter(&R, compile("pop"));
    rows_filter_batch(&R);      /* not there yet: keep looking */
    rows_sync_sel(&R);
    drain(&R);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), 80);
    T_INT(R.sel, 3);            /* 1, 3, 5, 7 */
    /* Hidden by "smtp": the next record shown, 8 (packet 90). */
    rows_set_filter(&R, compile("smtp"));
    drain(&R);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), 90);
    /* Moving and the filter going away keep it too. */
    rows_move(&R, 2, 1);
    T_INT(sel_pkt(&R), 130);
    T_INT(R.tail, 0);
    rows_set_filter(&R, NULL);
    drain(&R);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), 130);
    rows_move(&R, -100, 1);
    T_INT(R.sel, 0);
    rows_move(&R, 100, 0);
    T_INT(R.sel, 19);
    T_INT(R.tail, 0);           /* still loading: no tail */

    /* Go to a record: in the packet view its first packet row. */
    rows_goto_rec(&R, 13);
    T_INT(sel_pkt(&R), 140);
    rows_set_pktview(&R, 1);
    rows_goto_rec(&R, 14);
    T_INT(R.prow[R.sel].rec, 14);
    T_INT(R.prow[R.sel].mark, 0);
    rows_set_pktview(&R, 0);
    T_INT(sel_pkt(&R), 150);

    /* Scrolling keeps the selection in the window. */
    rows_select(&R, 12);
    R.top = 0;
    rows_scroll(&R, 5);
    T_INT(R.top, 8);
    rows_select(&R, 2);
    rows_scroll(&R, 5);
    T_INT(R.top, 2);

    /* Tail: the last row, and new rows as they come. */
    rows_select_last(&R);
    T_INT(R.tail, 1);
    T_INT(sel_pkt(&R), 200);
    for (i = 20; i < 25; i++) {
        fill(&r, i, marks);
        rec_store_add(st, &r);
    }
    drain(&R);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), 250);
    /* Up leaves tail mode: the selection stays as rows arrive. */
    rows_move(&R, -1, 1);
    T_INT(R.tail, 0);
    fill(&r, 25, marks);
    rec_store_add(st, &r);
    drain(&R);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), 240);
    /* Down onto the last row (the file is read): tail again. */
    rows_move(&R, 5, 1);
    T_INT(R.tail, 1);
    fill(&r, 26, marks);
    rec_store_add(st, &r);
    drain(&R);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), 270);
    /* A new filter in tail mode ends on its last row. */
    rows_set_filter(&R, compile("smtp"));
    drain(&R);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), 270);    /* record 26 is SMTP */
    rows_set_filter(&R, compile("pop"));
    drain(&R);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), 260);
    rows_free(&R);
    rec_store_free(st);
}

/* At the memcap the store drops its oldest records and renumbers the
 * rest; the selection stays on its record. */
static void
test_dropped(void)
{
    static uint8_t big[2000];
    struct rec_store *st;
    struct rec_mark marks[3];
    struct rows R;
    struct rec r;
    size_t d, i;
    uint64_t keep;
    int n = 0, bad = 0;

    memset(big, 'x', sizeof big);
    mem_set_cap(3u << 20);
    st = rec_store_new();
    rows_init(&R, st);
    /* Fill until the store holds about one and a half chunks. */
    while (n < 800) {
        fill(&r, n++, marks);
        r.raw = (struct rec_str){ big, sizeof big };
        rec_store_add(st, &r);
    }
    rows_set_filter(&R, compile("pop"));
    drain(&R);
    T_INT(R.nvis, 400);
    rows_set_pktview(&R, 1);
    drain(&R);
    /* Select record 701 (packet 7020) in the packet view. */
    rows_goto_rec(&R, 701);
    T_INT(sel_pkt(&R), 7020);
    keep = sel_pkt(&R);
    while (!rec_store_dropped(st) && n < 5000) {
        fill(&r, n++, marks);
        r.raw = (struct rec_str){ big, sizeof big };
        rec_store_add(st, &r);
    }
    T_CHECK(rec_store_dropped(st) > 0);
    T_CHECK(rec_store_dropped(st) < 701);
    d = rows_adjust_dropped(&R);
    T_INT(d, rec_store_dropped(st));
    T_INT(rows_adjust_dropped(&R), 0);
    drain(&R);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), keep);
    /* Every row still names a POP record, and the first is the first
     * POP record left. */
    for (i = 0; i < R.nvis; i++) {
        if (rec_store_get(st, R.vis[i], &r) < 0 || r.proto != PROTO_POP)
            bad++;
    }
    T_INT(bad, 0);
    rec_store_get(st, R.vis[0], &r);
    T_INT(r.pkt, 10 * (d % 2 ? d + 1 : d + 2));
    {
        size_t odd = 0, k;
        for (k = d; k < (size_t)n; k++)
            odd += k % 2;
        T_INT(R.nvis, odd);
    }
    /* Back to messages: the same record. */
    rows_set_pktview(&R, 0);
    rows_sync_sel(&R);
    T_INT(sel_pkt(&R), keep);
    /* A selected record that is dropped: the first row left. */
    rows_select_first(&R);
    while (rec_store_dropped(st) == d && n < 10000) {
        fill(&r, n++, marks);
        r.raw = (struct rec_str){ big, sizeof big };
        rec_store_add(st, &r);
    }
    T_CHECK(rows_adjust_dropped(&R) > 0);
    drain(&R);
    rows_sync_sel(&R);
    T_INT(R.sel, 0);
    rec_store_get(st, R.vis[0], &r);
    T_INT(sel_pkt(&R), r.pkt);
    rows_free(&R);
    rec_store_free(st);
    mem_set_cap(LIM_MEMCAP);
}

static void
test_span(void)
{
    struct rec r;
    struct rec_mark marks[3];
    size_t off, len;

    fill(&r, 2, marks);         /* marks at offsets 0, 1, 2 of "NOOP\r\n" */
    rows_mark_span(&r, 0, &off, &len);
    T_INT(off, 0);
    T_INT(len, 1);
    rows_mark_span(&r, 2, &off, &len);
    T_INT(off, 2);
    T_INT(len, 4);
    marks[2].off = 99;          /* past the kept bytes: empty */
    rows_mark_span(&r, 2, &off, &len);
    T_INT(off, 6);
    T_INT(len, 0);
}

/* Times a packet row can show: its own (rec_mark.ts), else the record's
 * first and last packets'. */
static void
test_mark_time(void)
{
    struct rec r;
    struct rec_mark marks[3];
    struct ms_time ts;

    fill(&r, 2, marks);         /* packets 26, 28, 30; completed at 30 */
    r.ts_first.sec = 100;
    r.ts.sec = 200;
    T_INT(rows_mark_time(&r, 0, &ts), 0);
    T_INT(ts.sec, 100);
    T_INT(rows_mark_time(&r, 1, &ts), -1);
    T_INT(rows_mark_time(&r, 2, &ts), 0);
    T_INT(ts.sec, 200);
    T_INT(rows_mark_time(&r, -1, &ts), 0);
    T_INT(ts.sec, 200);
    /* Bytes capped before the last packet: its mark is not the record's
     * last packet, and no time is made up for it. */
    marks[2].pkt = 29;
    T_INT(rows_mark_time(&r, 2, &ts), -1);
    /* Each packet's own time, where the mark keeps one. */
    marks[1].ts.sec = 150;
    T_INT(rows_mark_time(&r, 1, &ts), 0);
    T_INT(ts.sec, 150);
    /* No first packet recorded: only the completing one has a time. */
    fill(&r, 0, marks);
    r.pkt_first = 0;
    r.ts.sec = 300;
    T_INT(rows_mark_time(&r, 0, &ts), 0);
    T_INT(ts.sec, 300);
}

int
main(void)
{
    test_filter();
    test_pktview();
    test_selection();
    test_dropped();
    test_span();
    test_mark_time();
    return T_DONE();
}
