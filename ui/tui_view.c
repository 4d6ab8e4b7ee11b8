/* tui_view.c - full-screen views of the ncurses view: follow stream (the
 * conversation of one flow, as lines or as typed), the credentials list
 * and the key help. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esc.h"
#include "fmt.h"
#include "tui_priv.h"

#define CTRL(c) ((c) & 0x1f)

/* Body lines shown per message in a followed stream. */
#define TUI_FOLLOW_BODY 500

static int follow_h = 10;
static int creds_h = 10;
static int help_h = 10;

/* ---- follow stream ---- */

/* Escaped copy of bytes appended to buf at *o. */
static void
cat_esc(char *buf, size_t sz, size_t *o, const uint8_t *p, size_t n)
{
    if (*o >= sz)
        return;
    esc_bytes(buf + *o, sz - *o, p ? p : (const uint8_t *)"", n, ESC_ELLIPSIS);
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
    char buf[8192];
    size_t o = 0;
    const char *sk;

    cat_str(buf, sizeof buf, &o, "C: ");
    if (t->ftyped && r->typed.n)
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
    if (t->ftyped) {
        char k[64];
        snprintf(k, sizeof k, "   (%u keystroke segment%s%s)", (unsigned)r->nseg,
                 r->nseg == 1 ? "" : "s", r->typed.n ? ", edited/IAC" : "");
        cat_str(buf, sizeof buf, &o, k);
    }
    tui_lines_add(&t->fl, attr, buf);
}

static void
follow_multi(struct tui *t, const char *prefix, const struct rec_str *s,
             int attr, size_t maxl)
{
    const uint8_t *p = s->p, *end = s->p + s->n, *nl;
    size_t k = 0;

    if (!s->n)
        return;
    while (p < end && k < maxl) {
        nl = memchr(p, '\n', (size_t)(end - p));
        tui_lines_esc(&t->fl, attr, prefix, p,
                      nl ? (size_t)(nl - p) : (size_t)(end - p));
        k++;
        if (!nl)
            break;
        p = nl + 1;
    }
    if (p < end && k == maxl)
        tui_lines_addf(&t->fl, TA_NOTE, "%s[... more lines not kept]", prefix);
}

static void
follow_rec(struct tui *t, const struct rec *r)
{
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
        fmt_info(r, info, sizeof info);
        tui_lines_add(&t->fl, attr, info);
        follow_multi(t, r->dir == DIR_C2S ? "C|   " : "S|   ", &r->text, attr,
                     TUI_FOLLOW_BODY);
        break;
    default:
        /* Credentials summary, gaps, TLS: the Info text, escaped. */
        fmt_info(r, info, sizeof info);
        tui_lines_addf(&t->fl, attr, "   == %s", info);
        break;
    }
}

void
tui_follow_update(struct tui *t)
{
    size_t n = rec_store_count(t->st);
    struct rec r;
    char a[64], b[64];

    for (; t->fscan < n; t->fscan++) {
        if (tui_get(t, t->fscan, &r) < 0 || r.flow != t->fflow)
            continue;
        if (!t->ftitle[0]) {
            const struct rec_ep *c = r.dir == DIR_C2S ? &r.src : &r.dst;
            const struct rec_ep *s = r.dir == DIR_C2S ? &r.dst : &r.src;
            fmt_addr(c, a, sizeof a);
            fmt_addr(s, b, sizeof b);
            snprintf(t->ftitle, sizeof t->ftitle, "Stream %u (%s): client %s:%u"
                     " <-> server %s:%u", (unsigned)t->fflow,
                     proto_label(r.proto), a, (unsigned)c->port, b,
                     (unsigned)s->port);
        }
        follow_rec(t, &r);
    }
}

static void
follow_rebuild(struct tui *t)
{
    tui_lines_clear(&t->fl);
    t->fscan = 0;
    t->ftitle[0] = 0;
    t->fmatch = -1;
    tui_follow_update(t);
}

void
tui_follow_open(struct tui *t, uint32_t flow)
{
    t->view = V_FOLLOW;
    t->fflow = flow;
    t->ftop = 0;
    follow_rebuild(t);
}

void
tui_follow_draw(struct tui *t, int y0, int h)
{
    char title[400];

    follow_h = h - 1 > 1 ? h - 1 : 1;
    snprintf(title, sizeof title, " Follow %s  [%s]  t:toggle /:find n/N q:back",
             t->ftitle, t->ftyped ? "as typed" : "as lines");
    tui_put(y0, 0, COLS, tui_attr(t, TA_TITLE), title);
    if (t->ftop + (size_t)follow_h > t->fl.n)
        t->ftop = t->fl.n > (size_t)follow_h ? t->fl.n - (size_t)follow_h : 0;
    tui_draw_lines(t, &t->fl, y0 + 1, follow_h, t->ftop, t->fmatch);
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

void
tui_follow_search(struct tui *t, int dir)
{
    size_t n = t->fl.n, k, i, from;

    if (!t->fsearch[0] || !n) {
        snprintf(t->msg, sizeof t->msg, "no search yet: / to find in the stream");
        t->msg_attr = TA_NORMAL;
        return;
    }
    from = t->fmatch >= 0 ? (size_t)t->fmatch : (dir > 0 ? t->ftop + n - 1 : t->ftop);
    for (k = 1; k <= n; k++) {
        i = dir > 0 ? (from + k) % n : (from + n - k % n) % n;
        if (tui_contains_ci(t->fl.v[i].s, t->fsearch)) {
            t->fmatch = (long)i;
            if (i < t->ftop || i >= t->ftop + (size_t)follow_h)
                t->ftop = i > (size_t)follow_h / 2 ? i - (size_t)follow_h / 2 : 0;
            t->msg[0] = 0;
            return;
        }
    }
    t->fmatch = -1;
    snprintf(t->msg, sizeof t->msg, "not found in stream: %s", t->fsearch);
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

int
tui_follow_key(struct tui *t, int ch)
{
    if (pager_key(&t->ftop, t->fl.n, follow_h, ch))
        return 1;
    switch (ch) {
    case 'q': case 27: case KEY_LEFT: case KEY_BACKSPACE:
        t->view = V_TABLE;
        t->msg[0] = 0;
        return 1;
    case 't': case 'T':
        t->ftyped = !t->ftyped;
        follow_rebuild(t);
        return 1;
    case '/': case CTRL('f'):
        tui_prompt(t, V_FOLLOW);
        return 1;
    case 'n':
        tui_follow_search(t, 1);
        return 1;
    case 'N':
        tui_follow_search(t, -1);
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

void
tui_creds_update(struct tui *t)
{
    size_t n = rec_store_count(t->st);
    struct rec r;

    for (; t->crscan < n; t->crscan++) {
        if (tui_get(t, t->crscan, &r) < 0 || r.kind != REC_CRED)
            continue;
        if (t->ncr == t->crcap) {
            size_t nc = t->crcap ? t->crcap * 2 : 64;
            size_t *nv = realloc(t->cr, nc * sizeof *nv);
            if (!nv)
                return;
            t->cr = nv;
            t->crcap = nc;
        }
        t->cr[t->ncr++] = t->crscan;
    }
}

void
tui_creds_open(struct tui *t)
{
    t->view = V_CREDS;
    tui_creds_update(t);
    if (t->crsel >= t->ncr)
        t->crsel = 0;
}

static void
cred_row(const struct rec *r, char *buf, size_t sz)
{
    char user[200], sec[200], mech[64], srv[64];
    const struct rec_ep *s = r->dir == DIR_C2S ? &r->dst : &r->src;

    esc_bytes(user, sizeof user, r->cred.user.p, r->cred.user.n, ESC_ELLIPSIS);
    esc_bytes(sec, sizeof sec, r->cred.secret.p, r->cred.secret.n, ESC_ELLIPSIS);
    if (r->cred.mech == AUTH_OTHER)
        esc_bytes(mech, sizeof mech, r->cred.mech_name.p, r->cred.mech_name.n,
                  ESC_ELLIPSIS);
    else
        snprintf(mech, sizeof mech, "%s", auth_mech_name(r->cred.mech));
    fmt_addr(s, srv, sizeof srv);
    snprintf(buf, sz, "%7llu %-5s %-11s %-20s %-22s %-9s %s:%u",
             (unsigned long long)r->pkt, proto_label(r->proto), mech, user,
             sec, cred_result_name(r->cred.result), srv, (unsigned)s->port);
}

void
tui_creds_draw(struct tui *t, int y0, int h)
{
    char buf[800];
    struct rec r;
    size_t i;
    int y, attr;
    size_t top;

    creds_h = h - 2 > 1 ? h - 2 : 1;
    snprintf(buf, sizeof buf, " Credentials: %zu  (Enter: go to its row, q: back)",
             t->ncr);
    tui_put(y0, 0, COLS, tui_attr(t, TA_TITLE), buf);
    snprintf(buf, sizeof buf, "%7s %-5s %-11s %-20s %-22s %-9s %s", "No.", "Proto",
             "Mechanism", "User", "Secret", "Verdict", "Server");
    tui_put(y0 + 1, 0, COLS, A_BOLD | A_UNDERLINE, buf);
    if (t->crsel >= t->ncr)
        t->crsel = t->ncr ? t->ncr - 1 : 0;
    top = t->crtop;
    if (t->crsel < top)
        top = t->crsel;
    if (t->crsel >= top + (size_t)creds_h)
        top = t->crsel - (size_t)creds_h + 1;
    t->crtop = top;
    for (y = 0; y < creds_h; y++) {
        i = top + (size_t)y;
        if (i >= t->ncr || tui_get(t, t->cr[i], &r) < 0) {
            tui_put(y0 + 2 + y, 0, COLS, A_NORMAL, i == 0 && y == 0 ?
                    "  (no credentials seen)" : "");
            continue;
        }
        cred_row(&r, buf, sizeof buf);
        attr = tui_attr(t, r.cred.result == CRED_REJECTED ? TA_ERROR : TA_CRED);
        if (i == t->crsel)
            attr = tui_attr(t, TA_TITLE);
        tui_put(y0 + 2 + y, 0, COLS, attr, buf);
    }
}

int
tui_creds_key(struct tui *t, int ch, int h)
{
    (void)h;
    switch (ch) {
    case KEY_UP: case 'k':
        if (t->crsel)
            t->crsel--;
        return 1;
    case KEY_DOWN: case 'j':
        if (t->crsel + 1 < t->ncr)
            t->crsel++;
        return 1;
    case KEY_PPAGE:
        t->crsel = t->crsel > (size_t)creds_h ? t->crsel - (size_t)creds_h : 0;
        return 1;
    case KEY_NPAGE:
        t->crsel += (size_t)creds_h;
        if (t->crsel >= t->ncr)
            t->crsel = t->ncr ? t->ncr - 1 : 0;
        return 1;
    case KEY_HOME: case 'g':
        t->crsel = 0;
        return 1;
    case KEY_END: case 'G':
        t->crsel = t->ncr ? t->ncr - 1 : 0;
        return 1;
    case '\n': case '\r': case KEY_ENTER:
        if (t->crsel < t->ncr)
            tui_goto_rec(t, t->cr[t->crsel]);
        return 1;
    case 'F':
        if (t->crsel < t->ncr) {
            struct rec r;
            if (tui_get(t, t->cr[t->crsel], &r) == 0)
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
    "  Enter            go to the credential's row in the table",
    "  F                follow its stream;  q or Esc back",
    "",
    "Everywhere: Q quits. Bytes from the network are shown escaped",
    "(\\xNN, \\r, \\n, \\\\): no control byte reaches the terminal.",
};

void
tui_help_open(struct tui *t)
{
    size_t i;

    tui_lines_clear(&t->help);
    for (i = 0; i < sizeof help_text / sizeof help_text[0]; i++)
        tui_lines_add(&t->help, i == 0 ? TA_TITLE : TA_NORMAL, help_text[i]);
    t->htop = 0;
    if (t->view != V_HELP)
        t->help_from = t->view;
    t->view = V_HELP;
}

void
tui_help_draw(struct tui *t, int y0, int h)
{
    help_h = h > 1 ? h : 1;
    tui_draw_lines(t, &t->help, y0, help_h, t->htop, -1);
}

int
tui_help_key(struct tui *t, int ch, int h)
{
    (void)h;
    if (pager_key(&t->htop, t->help.n, help_h, ch))
        return 1;
    if (ch == 'Q')
        return 0;
    t->view = t->help_from;
    return 1;
}
