/* tui_view.c - full-screen views of the ncurses view: follow stream (the
 * conversation of one flow, as lines or as typed; t->follow), the
 * credentials list (t->creds) and the key help (t->help). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "fmt.h"
#include "tui_priv.h"
#include "ucol.h"

/* Body lines shown per message in a followed stream. */
#define TUI_FOLLOW_BODY 500

void
tui_view_init(struct tui *t)
{
    t->follow.match = -1;
    t->follow.h = t->creds.h = t->help.h = 10;
}

void
tui_view_free(struct tui *t)
{
    tui_lines_free(&t->follow.fl);
    tui_lines_free(&t->help.lines);
    free(t->creds.v);
    t->creds.v = NULL;
}

/* The store dropped its d oldest records: shift our store indices. */
void
tui_view_drop(struct tui *t, size_t d)
{
    struct tui_creds *C = &t->creds;
    size_t i, j;

    for (i = j = 0; i < C->n; i++)
        if (C->v[i] >= d)
            C->v[j++] = C->v[i] - d;
    C->n = j;
    C->scan = C->scan > d ? C->scan - d : 0;
    if (C->sel >= C->n)
        C->sel = C->n ? C->n - 1 : 0;
    t->follow.scan = t->follow.scan > d ? t->follow.scan - d : 0;
}

/* ---- follow stream ---- */

/* Escaped copy of bytes appended to buf at *o. */
static void
cat_esc(char *buf, size_t sz, size_t *o, const uint8_t *p, size_t n)
{
    if (*o >= sz)
        return;
    esc_bytes(buf + *o, sz - *o, p ? p : (const uint8_t *)"", n,
              ESC_ELLIPSIS | tui_escf());
    *o += strlen(buf + *o);
}

static void
cat_str(char *buf, size_t sz, size_t *o, const char *s)
{
    cat_esc(buf, sz, o, (const uint8_t *)s, strlen(s));
}

static int
line_attr(const struct rec *r)
{
    if ((r->flags & REC_F_CRED) || r->kind == REC_CRED)
        return TA_CRED;
    if (r->kind == REC_NOTE || r->kind == REC_TLS || r->kind == REC_DATA)
        return TA_NOTE;
    if (fmt_is_error(r))
        return TA_ERROR;
    return r->dir == DIR_C2S ? TA_CLIENT : TA_SERVER;
}

/* A client line: as the server got it, or as typed (raw keystrokes). */
static void
follow_client(struct tui *t, const struct rec *r, int attr)
{
    struct tui_follow *F = &t->follow;
    char buf[8192];
    size_t o = 0;
    const char *sk;

    cat_str(buf, sizeof buf, &o, "C: ");
    if (F->typed && r->typed.n)
        cat_esc(buf, sizeof buf, &o, r->typed.p, r->typed.n);
    else
        cat_esc(buf, sizeof buf, &o, r->text.p, r->text.n);
    if (r->cred.user.n || (r->flags & REC_F_CRED)) {
        /* AUTH decoded inline, like the Info column */
        cat_str(buf, sizeof buf, &o, "   [");
        if (r->cred.user.n) {
            cat_str(buf, sizeof buf, &o, "user: ");
            cat_esc(buf, sizeof buf, &o, r->cred.user.p, r->cred.user.n);
        }
        if (r->flags & REC_F_CRED) {
            sk = secret_kind_name(r->cred.secret_kind);
            if (r->cred.user.n)
                cat_str(buf, sizeof buf, &o, ", ");
            cat_str(buf, sizeof buf, &o, sk[0] ? sk : "secret");
            cat_str(buf, sizeof buf, &o, ": ");
            cat_esc(buf, sizeof buf, &o, r->cred.secret.p, r->cred.secret.n);
        }
        cat_str(buf, sizeof buf, &o, "]");
    }
    if (F->typed) {
        char k[64];
        snprintf(k, sizeof k, "   (%u keystroke segment%s%s)", (unsigned)r->nseg,
                 r->nseg == 1 ? "" : "s", r->typed.n ? ", edited/IAC" : "");
        cat_str(buf, sizeof buf, &o, k);
    }
    tui_lines_add(&F->fl, attr, buf);
}

static void
follow_multi(struct tui *t, const char *prefix, const struct rec_str *s,
             int attr, size_t maxl)
{
    struct tui_follow *F = &t->follow;
    const uint8_t *p = s->p, *end = s->p + s->n, *nl;
    size_t k = 0;

    if (!s->n)
        return;
    while (p < end && k < maxl) {
        nl = memchr(p, '\n', (size_t)(end - p));
        tui_lines_esc(&F->fl, attr, prefix, p,
                      nl ? (size_t)(nl - p) : (size_t)(end - p));
        k++;
        if (!nl)
            break;
        p = nl + 1;
    }
    if (p < end && k == maxl)
        tui_lines_addf(&F->fl, TA_NOTE, "%s[... more lines not kept]", prefix);
}

static void
follow_rec(struct tui *t, const struct rec *r)
{
    struct tui_follow *F = &t->follow;
    char info[2048];
    int attr = line_attr(r);

    switch (r->kind) {
    case REC_CMD:
    case REC_AUTH:
        follow_client(t, r, attr);
        break;
    case REC_REPLY:
        follow_multi(t, r->dir == DIR_C2S ? "C: " : "S: ", &r->text, attr, 1000);
        break;
    case REC_BODY:
        fmt_info_esc(r, info, sizeof info, tui_escf());
        tui_lines_add(&F->fl, attr, info);
        follow_multi(t, r->dir == DIR_C2S ? "C|   " : "S|   ", &r->text, attr,
                     TUI_FOLLOW_BODY);
        break;
    default:
        /* Credentials summary, gaps, TLS: the Info text, escaped. */
        fmt_info_esc(r, info, sizeof info, tui_escf());
        tui_lines_addf(&F->fl, attr, "   == %s", info);
        break;
    }
}

void
tui_follow_update(struct tui *t)
{
    struct tui_follow *F = &t->follow;
    size_t n = rec_store_count(t->st);
    struct rec r;
    char a[64], b[64];

    for (; F->scan < n; F->scan++) {
        if (tui_get(t, F->scan, &r) < 0 || r.flow != F->flow)
            continue;
        if (!F->title[0]) {
            const struct rec_ep *c = r.dir == DIR_C2S ? &r.src : &r.dst;
            const struct rec_ep *s = r.dir == DIR_C2S ? &r.dst : &r.src;
            fmt_addr(c, a, sizeof a);
            fmt_addr(s, b, sizeof b);
            snprintf(F->title, sizeof F->title, "Stream %u (%s): client %s:%u"
                     " <-> server %s:%u", (unsigned)F->flow,
                     proto_label(r.proto), a, (unsigned)c->port, b,
                     (unsigned)s->port);
        }
        follow_rec(t, &r);
    }
}

static void
follow_rebuild(struct tui *t)
{
    struct tui_follow *F = &t->follow;

    tui_lines_clear(&F->fl);
    F->scan = 0;
    F->title[0] = 0;
    F->match = -1;
    tui_follow_update(t);
}

void
tui_follow_open(struct tui *t, uint32_t flow)
{
    struct tui_follow *F = &t->follow;

    t->view = V_FOLLOW;
    F->flow = flow;
    F->top = 0;
    follow_rebuild(t);
}

void
tui_follow_draw(struct tui *t, int y0, int h)
{
    struct tui_follow *F = &t->follow;
    char title[400];

    F->h = h - 1 > 1 ? h - 1 : 1;
    snprintf(title, sizeof title, " Follow %s  [%s]  t:toggle /:find n/N q:back",
             F->title, F->typed ? "as typed" : "as lines");
    tui_put(y0, 0, COLS, tui_attr(t, TA_TITLE), title);
    if (F->top + (size_t)F->h > F->fl.n)
        F->top = F->fl.n > (size_t)F->h ? F->fl.n - (size_t)F->h : 0;
    tui_draw_lines(t, &F->fl, y0 + 1, F->h, F->top, F->match);
}

int
tui_contains_ci(const char *hay, const char *needle)
{
    size_t nl = strlen(needle), k, j;

    if (!nl)
        return 0;
    for (k = 0; hay[k]; k++) {
        for (j = 0; j < nl && hay[k + j]; j++) {
            char a = hay[k + j], b = needle[j];
            if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
            if (a != b)
                break;
        }
        if (j == nl)
            return 1;
    }
    return 0;
}

static void
follow_search(struct tui *t, int dir)
{
    struct tui_follow *F = &t->follow;
    size_t n = F->fl.n, k, i, from;

    if (!F->search[0] || !n) {
        snprintf(t->msg, sizeof t->msg, "no search yet: / to find in the stream");
        t->msg_attr = TA_NORMAL;
        return;
    }
    from = F->match >= 0 ? (size_t)F->match : (dir > 0 ? F->top + n - 1 : F->top);
    for (k = 1; k <= n; k++) {
        i = dir > 0 ? (from + k) % n : (from + n - k % n) % n;
        if (tui_contains_ci(F->fl.v[i].s, F->search)) {
            F->match = (long)i;
            if (i < F->top || i >= F->top + (size_t)F->h)
                F->top = i > (size_t)F->h / 2 ? i - (size_t)F->h / 2 : 0;
            t->msg[0] = 0;
            return;
        }
    }
    F->match = -1;
    snprintf(t->msg, sizeof t->msg, "not found in stream: %s", F->search);
    t->msg_attr = TA_ERROR;
}

/* Scroll a pager; returns 1 if the key was a scroll key. */
static int
pager_key(size_t *top, size_t n, int h, int ch)
{
    size_t page = h > 1 ? (size_t)h - 1 : 1;

    switch (ch) {
    case KEY_UP: case 'k':
        if (*top)
            (*top)--;
        return 1;
    case KEY_DOWN: case 'j':
        if (*top + 1 < n)
            (*top)++;
        return 1;
    case KEY_PPAGE: case CTRL('b'):
        *top = *top > page ? *top - page : 0;
        return 1;
    case KEY_NPAGE: case ' ': case CTRL('d'):
        *top += page;
        if (*top >= n)
            *top = n ? n - 1 : 0;
        return 1;
    case KEY_HOME: case 'g':
        *top = 0;
        return 1;
    case KEY_END: case 'G':
        *top = n > (size_t)h ? n - (size_t)h : 0;
        return 1;
    }
    return 0;
}

void
tui_follow_find(struct tui *t, const char *text)
{
    snprintf(t->follow.search, sizeof t->follow.search, "%s", text);
    follow_search(t, 1);
}

int
tui_follow_key(struct tui *t, int ch)
{
    struct tui_follow *F = &t->follow;

    if (pager_key(&F->top, F->fl.n, F->h, ch))
        return 1;
    switch (ch) {
    case 'q': case 27: case KEY_LEFT: case KEY_BACKSPACE:
        t->view = V_TABLE;
        t->msg[0] = 0;
        return 1;
    case 't': case 'T':
        F->typed = !F->typed;
        follow_rebuild(t);
        return 1;
    case '/': case CTRL('f'):
        tui_prompt(t, V_FOLLOW);
        return 1;
    case 'n':
        follow_search(t, 1);
        return 1;
    case 'N':
        follow_search(t, -1);
        return 1;
    case 'C':
        tui_creds_open(t);
        return 1;
    case '?':
        tui_help_open(t);
        return 1;
    }
    return 0;
}

/* ---- credentials ---- */

/* The text of each column of a credential row, escaped. */
enum { CC_NO, CC_PROTO, CC_MECH, CC_USER, CC_SECRET, CC_VERDICT, CC_REPLY,
       CC_SERVER, CC_N };

struct cred_cells {
    char s[CC_N][600];
};

static const char *const cc_head[CC_N] = {
    "No.", "Proto", "Mechanism", "User", "Secret", "Verdict", "Server said",
    "Server"
};

/* Widest each column may want: a long secret or reply is cut with "..."
 * (the lines under the list show the selected one whole). */
static const int cc_max[CC_N] = { 20, 5, 11, 20, 40, 8, 60, 46 };

static void
cred_cells(const struct rec *r, struct cred_cells *c)
{
    const struct rec_cred *k = &r->cred;
    const struct rec_ep *s = r->dir == DIR_C2S ? &r->dst : &r->src;
    char a[64];
    size_t o;

    snprintf(c->s[CC_NO], sizeof c->s[CC_NO], "%llu", (unsigned long long)r->pkt);
    snprintf(c->s[CC_PROTO], sizeof c->s[CC_PROTO], "%s", proto_label(r->proto));
    if (k->mech == AUTH_OTHER)
        esc_bytes(c->s[CC_MECH], sizeof c->s[CC_MECH], k->mech_name.p,
                  k->mech_name.n, ESC_ELLIPSIS | tui_escf());
    else
        snprintf(c->s[CC_MECH], sizeof c->s[CC_MECH], "%s", auth_mech_name(k->mech));
    esc_bytes(c->s[CC_USER], sizeof c->s[CC_USER], k->user.p, k->user.n,
              ESC_ELLIPSIS | tui_escf());
    /* Line editing (telnet BS, DEL, ^U) can make the secret the user
     * meant differ from the bytes the server got: show both, as the
     * text report does, or "rejected" then "accepted" for the same
     * password makes no sense. */
    o = esc_bytes(c->s[CC_SECRET], sizeof c->s[CC_SECRET], k->secret.p,
                  k->secret.n, ESC_ELLIPSIS | tui_escf());
    if (k->secret_typed.n && o + 10 < sizeof c->s[CC_SECRET]) {
        o = strlen(c->s[CC_SECRET]);
        memcpy(c->s[CC_SECRET] + o, " (typed ", 8);
        o += 8;
        esc_bytes(c->s[CC_SECRET] + o, sizeof c->s[CC_SECRET] - o - 1,
                  k->secret_typed.p, k->secret_typed.n, ESC_ELLIPSIS | tui_escf());
        o = strlen(c->s[CC_SECRET]);
        memcpy(c->s[CC_SECRET] + o, ")", 2);
    }
    snprintf(c->s[CC_VERDICT], sizeof c->s[CC_VERDICT], "%s",
             cred_result_name(k->result));
    esc_bytes(c->s[CC_REPLY], sizeof c->s[CC_REPLY], k->reply.p, k->reply.n,
              ESC_ELLIPSIS | tui_escf());
    fmt_addr(s, a, sizeof a);
    snprintf(c->s[CC_SERVER], sizeof c->s[CC_SERVER], "%s:%u", a, (unsigned)s->port);
}

/* Widths for cols columns: each column as wide as its widest text (up
 * to cc_max); when that is too wide, the other columns give way, in
 * this order, so the verdict is never cut: the server (the same on
 * every row of a lab), a blank of Proto, the reply (whole under the
 * list), the mechanism, user and secret. */
static void
cred_widths(const struct tui_creds *C, int cols, int *w)
{
    static const struct { int col, min; } give[] = {
        { CC_SERVER, 0 }, { CC_PROTO, 4 }, { CC_REPLY, 12 }, { CC_MECH, 4 },
        { CC_USER, 8 }, { CC_SECRET, 12 }, { CC_USER, 4 }, { CC_REPLY, 0 },
        { CC_SECRET, 6 },
    };
    int i, total = 0, over;

    for (i = 0; i < CC_N; i++) {
        w[i] = C->w[i] > (int)strlen(cc_head[i]) ? C->w[i] : (int)strlen(cc_head[i]);
        if (w[i] > cc_max[i])
            w[i] = cc_max[i];
    }
    w[CC_VERDICT] = 8;      /* "accepted", "rejected" */
    for (i = 0; i < CC_N; i++)
        total += w[i] + (i ? 1 : 0);
    for (i = 0; i < (int)(sizeof give / sizeof give[0]) && total > cols; i++) {
        int *x = &w[give[i].col];
        over = total - cols;
        if (*x <= give[i].min)
            continue;
        if (*x - give[i].min < over)
            over = *x - give[i].min;
        *x -= over;
        total -= over;
        if (*x == 0)
            total--;        /* its blank goes too */
    }
    /* Room left: the reply gets it back first. */
    if (total < cols && w[CC_REPLY] > 0 && w[CC_SERVER] == 0) {
        int want = C->w[CC_REPLY] < cc_max[CC_REPLY] ? C->w[CC_REPLY] : cc_max[CC_REPLY];
        int more = cols - total;
        if (w[CC_REPLY] + more > want)
            more = want > w[CC_REPLY] ? want - w[CC_REPLY] : 0;
        w[CC_REPLY] += more;
    }
}

void
tui_creds_update(struct tui *t)
{
    struct tui_creds *C = &t->creds;
    size_t n = rec_store_count(t->st);
    struct cred_cells cc;
    struct rec r;
    int i, cw;

    for (; C->scan < n; C->scan++) {
        if (tui_get(t, C->scan, &r) < 0 || r.kind != REC_CRED)
            continue;
        if (C->n == C->cap) {
            size_t nc = C->cap ? C->cap * 2 : 64;
            size_t *nv = realloc(C->v, nc * sizeof *nv);
            if (!nv)
                return;
            C->v = nv;
            C->cap = nc;
        }
        C->v[C->n++] = C->scan;
        cred_cells(&r, &cc);
        for (i = 0; i < CC_N; i++) {
            cw = ucol_width(cc.s[i], strlen(cc.s[i]));
            if (cw > C->w[i])
                C->w[i] = cw;
        }
    }
}

void
tui_creds_open(struct tui *t)
{
    struct tui_creds *C = &t->creds;

    t->view = V_CREDS;
    tui_creds_update(t);
    if (C->sel >= C->n)
        C->sel = 0;
}

/* The cells at widths w, a blank between them; a column of width 0 is
 * left out. */
static void
cred_line(char *buf, size_t sz, const char *const *cell, const int *w,
          int ellipsis)
{
    size_t o = 0;
    int i;

    buf[0] = 0;
    for (i = 0; i < CC_N && o + 1 < sz; i++) {
        if (!w[i])
            continue;
        if (o) {
            buf[o++] = ' ';
            buf[o] = 0;
        }
        if (i == CC_NO) {   /* numbers to the right */
            int pad = w[i] - (int)strlen(cell[i]);
            for (; pad > 0 && o + 1 < sz; pad--)
                buf[o++] = ' ';
        }
        o += ucol_cell(buf + o, sz - o, cell[i],
                       i == CC_NO ? (int)strlen(cell[i]) : w[i],
                       ellipsis && i != CC_MECH ? UCOL_ELLIPSIS : 0);
    }
}

/* Under the list, the selected credential whole: the secret as meant
 * and as typed, and what the server said, however narrow the columns. */
static int
creds_footer(struct tui *t, const struct rec *r, int y, int h)
{
    const struct rec_cred *k = &r->cred;
    struct cred_cells cc;
    char buf[CC_N * 600 + 200];
    int n = 0;

    cred_cells(r, &cc);
    snprintf(buf, sizeof buf, " Frame %s: %s %s, user %s, server %s -> %s",
             cc.s[CC_NO], cc.s[CC_PROTO], cc.s[CC_MECH],
             k->user.n ? cc.s[CC_USER] : "(none)", cc.s[CC_SERVER], cc.s[CC_VERDICT]);
    tui_put(y + n++, 0, COLS, tui_attr(t, TA_TITLE), buf);
    if (n < h) {
        char sec[600];
        esc_bytes(sec, sizeof sec, k->secret.p, k->secret.n, ESC_ELLIPSIS | tui_escf());
        snprintf(buf, sizeof buf, "   Secret: %s", sec);
        tui_put(y + n++, 0, COLS, tui_attr(t, TA_CRED), buf);
    }
    if (n < h && k->secret_typed.n) {
        char typed[600];
        esc_bytes(typed, sizeof typed, k->secret_typed.p, k->secret_typed.n,
                  ESC_ELLIPSIS | tui_escf());
        snprintf(buf, sizeof buf, "   Typed (raw keystrokes, as the server got "
                 "them): %s", typed);
        tui_put(y + n++, 0, COLS, tui_attr(t, TA_CRED), buf);
    }
    if (n < h) {
        snprintf(buf, sizeof buf, "   Server said: %s",
                 k->reply.n ? cc.s[CC_REPLY] : "(nothing: the outcome is not known)");
        tui_put(y + n++, 0, COLS, tui_attr(t, k->result == CRED_REJECTED ?
                                           TA_ERROR : TA_NORMAL), buf);
    }
    return n;
}

void
tui_creds_draw(struct tui *t, int y0, int h)
{
    struct tui_creds *C = &t->creds;
    const char *cell[CC_N];
    struct cred_cells cc;
    char buf[CC_N * 600 + 200];
    struct rec r;
    size_t i, top;
    int y, attr, w[CC_N], foot = h >= 10 ? 4 : 0, k;

    C->h = h - 2 - foot > 1 ? h - 2 - foot : 1;
    snprintf(buf, sizeof buf, " Credentials: %zu  (Enter: go to its row, q: back)",
             C->n);
    tui_put(y0, 0, COLS, tui_attr(t, TA_TITLE), buf);
    cred_widths(C, COLS, w);
    for (k = 0; k < CC_N; k++)
        cell[k] = cc_head[k];
    cred_line(buf, sizeof buf, cell, w, 0);
    tui_put(y0 + 1, 0, COLS, A_BOLD | A_UNDERLINE, buf);
    if (C->sel >= C->n)
        C->sel = C->n ? C->n - 1 : 0;
    top = C->top;
    if (C->sel < top)
        top = C->sel;
    if (C->sel >= top + (size_t)C->h)
        top = C->sel - (size_t)C->h + 1;
    C->top = top;
    for (y = 0; y < C->h; y++) {
        i = top + (size_t)y;
        if (i >= C->n || tui_get(t, C->v[i], &r) < 0) {
            tui_put(y0 + 2 + y, 0, COLS, A_NORMAL, i == 0 && y == 0 ?
                    "  (no credentials seen)" : "");
            continue;
        }
        cred_cells(&r, &cc);
        for (k = 0; k < CC_N; k++)
            cell[k] = cc.s[k];
        cred_line(buf, sizeof buf, cell, w, 1);
        attr = tui_attr(t, r.cred.result == CRED_REJECTED ? TA_ERROR : TA_CRED);
        if (i == C->sel)
            attr = tui_attr(t, TA_TITLE);
        tui_put(y0 + 2 + y, 0, COLS, attr, buf);
    }
    if (foot && C->sel < C->n && tui_get(t, C->v[C->sel], &r) == 0)
        creds_footer(t, &r, y0 + 2 + C->h, foot);
}

int
tui_creds_key(struct tui *t, int ch)
{
    struct tui_creds *C = &t->creds;

    switch (ch) {
    case KEY_UP: case 'k':
        if (C->sel)
            C->sel--;
        return 1;
    case KEY_DOWN: case 'j':
        if (C->sel + 1 < C->n)
            C->sel++;
        return 1;
    case KEY_PPAGE:
        C->sel = C->sel > (size_t)C->h ? C->sel - (size_t)C->h : 0;
        return 1;
    case KEY_NPAGE:
        C->sel += (size_t)C->h;
        if (C->sel >= C->n)
            C->sel = C->n ? C->n - 1 : 0;
        return 1;
    case KEY_HOME: case 'g':
        C->sel = 0;
        return 1;
    case KEY_END: case 'G':
        C->sel = C->n ? C->n - 1 : 0;
        return 1;
    case '\n': case '\r': case KEY_ENTER:
        if (C->sel < C->n)
            tui_goto_rec(t, C->v[C->sel]);
        return 1;
    case 'F':
        if (C->sel < C->n) {
            struct rec r;
            if (tui_get(t, C->v[C->sel], &r) == 0)
                tui_follow_open(t, r.flow);
        }
        return 1;
    case 'q': case 27: case 'C':
        t->view = V_TABLE;
        return 1;
    case '?':
        tui_help_open(t);
        return 1;
    }
    return 0;
}

/* ---- help ---- */

static const char *const help_text[] = {
    "mailsift - keys",
    "",
    "Message table",
    "  Up/Down j/k      previous / next row",
    "  PgUp/PgDn        page up / down",
    "  Home/End g/G     first / last row (End follows new rows)",
    "  / or f           edit the display filter (Wireshark syntax)",
    "  Ctrl-F           find a row by text; n / N next / previous match",
    "  Enter or F       follow the stream of the selected row",
    "  C                credentials view",
    "  p                toggle packet view (one row per packet / per message)",
    "  Tab, Shift-Tab   move focus: table, details, bytes",
    "  1 / 2 / 3        focus table / toggle details / toggle bytes pane",
    "  Ctrl-L           redraw",
    "  ?                this help",
    "  q                quit",
    "",
    "Filter bar",
    "  /                opens with the filter selected: typing replaces it,",
    "                   Backspace clears it; arrows, Home, End edit it",
    "  typing           re-filters as you type while the filter is valid;",
    "                   an invalid filter shows the error and a caret",
    "  Tab              complete a field name",
    "  Up/Down          filter history",
    "  Enter            keep the filter;  Esc  back to the previous one",
    "  Ctrl-U / Ctrl-K  clear / clear to the end",
    "",
    "Follow stream",
    "  t                toggle as lines / as typed (raw keystrokes)",
    "  /                find in the stream; n / N next / previous",
    "  arrows, PgUp/PgDn, g/G scroll;  q or Esc back",
    "",
    "Credentials view",
    "  (the selected one is shown whole under the list: the secret as",
    "  meant and as typed, and what the server said)",
    "  Enter            go to the credential's row in the table",
    "  F                follow its stream;  q or Esc back",
    "",
    "Everywhere: Q quits. Bytes from the network are shown escaped",
    "(\\xNN, \\r, \\n, \\\\): no control byte reaches the terminal.",
};

void
tui_help_open(struct tui *t)
{
    struct tui_help *H = &t->help;
    size_t i;

    tui_lines_clear(&H->lines);
    for (i = 0; i < sizeof help_text / sizeof help_text[0]; i++)
        tui_lines_add(&H->lines, i == 0 ? TA_TITLE : TA_NORMAL, help_text[i]);
    H->top = 0;
    if (t->view != V_HELP)
        H->from = t->view;
    t->view = V_HELP;
}

void
tui_help_draw(struct tui *t, int y0, int h)
{
    struct tui_help *H = &t->help;

    H->h = h > 1 ? h : 1;
    tui_draw_lines(t, &H->lines, y0, H->h, H->top, -1);
}

int
tui_help_key(struct tui *t, int ch)
{
    struct tui_help *H = &t->help;

    if (pager_key(&H->top, H->lines.n, H->h, ch))
        return 1;
    if (ch == 'Q')
        return 0;
    t->view = H->from;
    return 1;
}
