/* rows.c - the rows a view shows: records that pass the display filter,
 * the packet rows derived from them, the selection and tail-follow. No
 * curses here, so tests/unit/test_rows.c links it. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rows.h"

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
rows_init(struct rows *R, struct rec_store *st)
{
    memset(R, 0, sizeof *R);
    R->st = st;
    R->batch = ROWS_BATCH;
    R->budget_ms = ROWS_BUDGET_MS;
}

void
rows_free(struct rows *R)
{
    flt_free(R->flt);
    free(R->vis);
    free(R->prow);
    R->flt = NULL;
    R->vis = NULL;
    R->prow = NULL;
    R->nvis = R->vcap = R->nprow = R->pcap = 0;
}

size_t
rows_count(const struct rows *R)
{
    return R->pktview ? R->nprow : R->nvis;
}

int
rows_at(const struct rows *R, size_t i, size_t *rec, int *mark)
{
    if (i >= rows_count(R))
        return -1;
    if (R->pktview) {
        *rec = R->prow[i].rec;
        *mark = R->prow[i].mark;
    } else {
        *rec = R->vis[i];
        *mark = -1;
    }
    return 0;
}

/* ---- filtering ---- */

static int
vis_push(struct rows *R, size_t idx)
{
    if (R->nvis == R->vcap) {
        size_t nc = R->vcap ? R->vcap * 2 : 4096;
        size_t *nv = realloc(R->vis, nc * sizeof *nv);
        if (!nv)
            return -1;
        R->vis = nv;
        R->vcap = nc;
    }
    R->vis[R->nvis++] = idx;
    return 0;
}

int
rows_filter_batch(struct rows *R)
{
    size_t n = rec_store_count(R->st), k = 0, from = R->fpos;
    long long t0 = now_ms();
    struct rec r;

    while (R->fpos < n && k < R->batch) {
        if (rec_store_get(R->st, R->fpos, &r) == 0 &&
            (!R->flt || flt_match(R->flt, &r)))
            if (vis_push(R, R->fpos) < 0)
                break;
        R->fpos++;
        if ((++k & 1023) == 0 && R->budget_ms > 0 &&
            now_ms() - t0 > R->budget_ms)
            break;
    }
    return R->fpos != from;
}

static int
prow_cmp(const struct rows_pkt *a, const struct rows_pkt *b)
{
    if (a->pkt != b->pkt)
        return a->pkt < b->pkt ? -1 : 1;
    if (a->rec != b->rec)
        return a->rec < b->rec ? -1 : 1;
    return a->mark < b->mark ? -1 : a->mark > b->mark;
}

/* Packet rows: one per mark of each shown record, in packet order. New
 * rows are nearly sorted (a record's packets precede its completion), so
 * insertion from the tail is cheap. */
int
rows_pkt_batch(struct rows *R)
{
    struct rec r;
    size_t k = 0, from = R->ppos;
    uint16_t m;
    int got;

    if (!R->pktview)
        return 0;
    while (R->ppos < R->nvis && k < R->batch) {
        size_t idx = R->vis[R->ppos];
        got = rec_store_get(R->st, idx, &r) == 0;
        if (got && R->nprow + r.nmarks > R->pcap) {
            size_t nc = R->pcap ? R->pcap : 4096;
            struct rows_pkt *np;
            while (nc < R->nprow + r.nmarks)
                nc *= 2;
            np = realloc(R->prow, nc * sizeof *np);
            if (!np)
                break;
            R->prow = np;
            R->pcap = nc;
        }
        R->ppos++;
        k++;
        if (!got)
            continue;
        for (m = 0; m < r.nmarks; m++) {
            struct rows_pkt row, *v = R->prow;
            size_t j = R->nprow++;
            row.pkt = r.marks[m].pkt;
            row.rec = idx;
            row.mark = m;
            while (j > 0 && prow_cmp(&v[j - 1], &row) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = row;
        }
    }
    return R->ppos != from;
}

int
rows_complete(const struct rows *R)
{
    return R->fpos >= rec_store_count(R->st) &&
           (!R->pktview || R->ppos >= R->nvis);
}

size_t
rows_adjust_dropped(struct rows *R)
{
    uint64_t now = rec_store_dropped(R->st);
    size_t d, i, j;

    if (now == R->dropped)
        return 0;
    d = (size_t)(now - R->dropped);
    R->dropped = now;
    for (i = j = 0; i < R->nvis; i++)
        if (R->vis[i] >= d)
            R->vis[j++] = R->vis[i] - d;
    R->ppos = R->ppos > R->nvis - j ? R->ppos - (R->nvis - j) : 0;
    R->nvis = j;
    for (i = j = 0; i < R->nprow; i++)
        if (R->prow[i].rec >= d) {
            R->prow[j] = R->prow[i];
            R->prow[j++].rec -= d;
        }
    R->nprow = j;
    R->fpos = R->fpos > d ? R->fpos - d : 0;
    R->sel_rec = R->sel_rec > d ? R->sel_rec - d : 0;
    return d;
}

/* Start the list again (new filter or view), remembering the selection
 * if the list was complete enough to know it. */
static void
restart(struct rows *R, int from_filter)
{
    if (rows_complete(R))
        rows_note_sel(R);
    if (from_filter) {
        R->nvis = 0;
        R->fpos = 0;
    }
    R->nprow = 0;
    R->ppos = 0;
    R->top = 0;
}

void
rows_set_filter(struct rows *R, struct flt *f)
{
    flt_free(R->flt);
    R->flt = f;
    restart(R, 1);
}

void
rows_set_pktview(struct rows *R, int on)
{
    restart(R, 0);
    R->pktview = on;
    rows_pkt_batch(R);
    rows_sync_sel(R);
}

/* ---- selection ---- */

void
rows_note_sel(struct rows *R)
{
    size_t n = rows_count(R);

    if (!n)
        return;
    if (R->sel >= n)
        R->sel = n - 1;
    if (R->pktview) {
        R->sel_rec = R->prow[R->sel].rec;
        R->sel_mark = R->prow[R->sel].mark;
    } else {
        R->sel_rec = R->vis[R->sel];
        R->sel_mark = 0;
    }
    R->have_sel = 1;
}

void
rows_sync_sel(struct rows *R)
{
    size_t n = rows_count(R), lo = 0, hi;

    if (!n) {
        R->sel = 0;
        return;
    }
    if (R->tail || !R->have_sel) {
        R->sel = R->tail ? n - 1 : 0;
        return;
    }
    if (!R->pktview) {
        hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (R->vis[mid] < R->sel_rec)
                lo = mid + 1;
            else
                hi = mid;
        }
        R->sel = lo < n ? lo : n - 1;
        return;
    }
    if (R->sel < n && R->prow[R->sel].rec == R->sel_rec &&
        R->prow[R->sel].mark == R->sel_mark)
        return;
    for (lo = 0; lo < n; lo++)
        if (R->prow[lo].rec == R->sel_rec && R->prow[lo].mark == R->sel_mark)
            break;
    if (lo == n) {
        /* Its record no longer shows: the first row of a later record. */
        for (lo = 0; lo < n; lo++)
            if (R->prow[lo].rec >= R->sel_rec)
                break;
    }
    R->sel = lo < n ? lo : n - 1;
}

void
rows_move(struct rows *R, long d, int can_tail)
{
    size_t n = rows_count(R);

    if (!n)
        return;
    if (d < 0 && (size_t)-d > R->sel)
        R->sel = 0;
    else if (d > 0 && R->sel + (size_t)d >= n)
        R->sel = n - 1;
    else
        R->sel = (size_t)((long)R->sel + d);
    R->tail = R->sel == n - 1 && can_tail && d > 0;
    rows_note_sel(R);
}

void
rows_set_tail(struct rows *R, int on)
{
    R->tail = on;
}

void
rows_select_first(struct rows *R)
{
    R->sel = 0;
    R->tail = 0;
    rows_note_sel(R);
}

void
rows_select_last(struct rows *R)
{
    size_t n = rows_count(R);

    if (!n)
        return;
    R->sel = n - 1;
    R->tail = 1;
    rows_note_sel(R);
}

void
rows_select(struct rows *R, size_t i)
{
    R->sel = i;
    R->tail = 0;
    rows_note_sel(R);
}

int
rows_shows(const struct rows *R, size_t rec)
{
    size_t lo = 0, hi = R->nvis;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (R->vis[mid] < rec)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < R->nvis && R->vis[lo] == rec;
}

void
rows_goto_rec(struct rows *R, size_t rec)
{
    if (!rows_shows(R, rec))
        while (rows_filter_batch(R))
            ;
    if (R->pktview)
        rows_set_pktview(R, 1);
    R->tail = 0;
    R->sel_rec = rec;
    R->sel_mark = 0;
    R->have_sel = 1;
    while (rows_pkt_batch(R))
        ;
    rows_sync_sel(R);
}

void
rows_scroll(struct rows *R, int h)
{
    size_t n = rows_count(R);

    if (h < 1)
        h = 1;
    if (R->sel >= n)
        R->sel = n ? n - 1 : 0;
    if (R->sel < R->top)
        R->top = R->sel;
    if (R->sel >= R->top + (size_t)h)
        R->top = R->sel - (size_t)h + 1;
    if (R->top + (size_t)h > n)
        R->top = n > (size_t)h ? n - (size_t)h : 0;
}

/* ---- packets within a record ---- */

void
rows_mark_span(const struct rec *r, int m, size_t *off, size_t *len)
{
    size_t a = r->marks[m].off, b = r->raw.n;

    if (m + 1 < r->nmarks && r->marks[m + 1].off < b)
        b = r->marks[m + 1].off;
    if (a > r->raw.n)
        a = r->raw.n;
    if (b < a)
        b = a;
    *off = a;
    *len = b - a;
}

int
rows_mark_time(const struct rec *r, int m, struct ms_time *ts)
{
    uint64_t pkt;

    if (m < 0 || m >= r->nmarks) {
        *ts = r->ts;
        return 0;
    }
    pkt = r->marks[m].pkt;
    if (pkt == r->pkt) {
        *ts = r->ts;
        return 0;
    }
    if (r->pkt_first && pkt == r->pkt_first) {
        *ts = r->ts_first;
        return 0;
    }
    if (r->marks[m].ts.sec || r->marks[m].ts.nsec) {
        *ts = r->marks[m].ts;   /* each packet's own time (record.h) */
        return 0;
    }
    return -1;
}
