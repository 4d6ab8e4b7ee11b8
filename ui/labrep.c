/* labrep.c - the lab report: per connection who talked to whom, when and
 * over what, its ladder, its transcript (typed lines with their edits,
 * each command's meaning and RFC section, each reply's class), its
 * credentials and its errors explained; then the statistics and a
 * comparison of the sessions. Markdown (-z report) or one HTML file
 * with hand-written SVG (-z report,html).
 *
 * Every byte from the network goes through esc_bytes first (no control
 * character, no bidi control survives), then through the format's own
 * escape: a Markdown code span (GFM tables: '|' escaped) or HTML text
 * (& < > " ' as entities), so no capture can inject markup. Our own
 * text is escaped the same way. The report keeps the records it shows
 * in a record store, bounded by the memcap (the oldest go first, and
 * the report says so). */
#include <stdlib.h>
#include <string.h>

#include "../dissect/proto.h"
#include "../dissect/telnet.h"
#include "esc.h"
#include "fmt.h"
#include "labrep.h"
#include "ladder.h"

/* Rows of a connection's transcript, arrows of its SVG ladder: past
 * these the report says how many were left out. */
#define LR_ROWS 2000
#define LR_ARROWS 400

struct labrep {
    struct rec_store *st;
    char source[512];       /* escaped already (esc_bytes) */
};

struct labrep *
labrep_new(void)
{
    struct labrep *L = calloc(1, sizeof *L);

    if (!L)
        return NULL;
    if (!(L->st = rec_store_new())) {
        free(L);
        return NULL;
    }
    return L;
}

void
labrep_free(struct labrep *L)
{
    if (!L)
        return;
    rec_store_free(L->st);
    free(L);
}

void
labrep_add(struct labrep *L, const struct rec *r)
{
    rec_store_add(L->st, r);
}

/* ---- escaping ---- */

/* U+FFFE and U+FFFF, which esc_bytes keeps as characters but XML
 * forbids, as "\ufffe" / "\uffff" (in place; buf has sz bytes). */
static void
nonchar_fix(char *buf, size_t sz)
{
    char *q = buf;
    size_t len = strlen(buf);

    while ((q = strstr(q, "\xef\xbf")) != NULL) {
        unsigned char c = (unsigned char)q[2];
        size_t at = (size_t)(q - buf);
        if (c != 0xbe && c != 0xbf) {
            q += 2;
            continue;
        }
        if (len + 4 >= sz)
            break;
        memmove(q + 6, q + 3, len - at - 3 + 1);
        memcpy(q, c == 0xbe ? "\\ufffe" : "\\uffff", 6);
        len += 3;
        q += 6;
    }
}

/* esc_bytes with ESC_UTF8, and the code points XML forbids escaped. */
static size_t
esc_doc(char *buf, size_t sz, const uint8_t *p, size_t n)
{
    esc_bytes(buf, sz, p ? p : (const uint8_t *)"", n, ESC_UTF8 | ESC_ELLIPSIS);
    nonchar_fix(buf, sz);
    return strlen(buf);
}

size_t
lr_md_code(char *buf, size_t sz, const uint8_t *p, size_t n, int table)
{
    char e[4096];
    size_t en = esc_doc(e, sizeof e, p, n), i, run = 0, maxrun = 0, o = 0, k;
    int pad;

    if (!sz)
        return 0;
    if (!en) {
        snprintf(buf, sz, "*(empty)*");
        return strlen(buf);
    }
    for (i = 0; i < en; i++) {
        run = e[i] == '`' ? run + 1 : 0;
        if (run > maxrun)
            maxrun = run;
    }
    pad = e[0] == '`' || e[en - 1] == '`' || e[0] == ' ' || e[en - 1] == ' ';
#define PUT(c) do { if (o + 1 < sz) buf[o++] = (c); } while (0)
    for (k = 0; k <= maxrun; k++)
        PUT('`');
    if (pad)
        PUT(' ');
    for (i = 0; i < en; i++) {
        if (table && e[i] == '|')
            PUT('\\');
        PUT(e[i]);
    }
    if (pad)
        PUT(' ');
    for (k = 0; k <= maxrun; k++)
        PUT('`');
#undef PUT
    buf[o] = 0;
    return o;
}

/* Our own text for Markdown: punctuation that could start markup is
 * backslash-escaped (CommonMark 2.4), '|' too for tables. */
static void
md_text(FILE *fp, const char *s)
{
    for (; *s; s++) {
        if (strchr("\\`*_[]<>|#&!~", *s))
            fputc('\\', fp);
        fputc(*s, fp);
    }
}

static size_t
html_esc_into(char *buf, size_t sz, const char *e)
{
    size_t o = 0;

    for (; *e && o + 7 < sz; e++) {
        const char *ent = NULL;
        switch (*e) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        }
        if (ent) {
            memcpy(buf + o, ent, strlen(ent));
            o += strlen(ent);
        } else {
            buf[o++] = *e;
        }
    }
    buf[o] = 0;
    return o;
}

size_t
lr_html(char *buf, size_t sz, const uint8_t *p, size_t n)
{
    char e[4096];

    esc_doc(e, sizeof e, p, n);
    return html_esc_into(buf, sz, e);
}

/* Our own text (ASCII or UTF-8 we wrote) as HTML. */
static void
h_text(FILE *fp, const char *s)
{
    char buf[8192];

    html_esc_into(buf, sizeof buf, s);
    fputs(buf, fp);
}

/* Escaped text that came from esc_bytes already (Info texts): only the
 * format's escape is left to do. */
static void
put_escaped(FILE *fp, int fmt, const char *s0, int table)
{
    char s[8192];

    snprintf(s, sizeof s, "%s", s0);
    nonchar_fix(s, sizeof s);
    if (fmt == LR_HTML) {
        h_text(fp, s);
        return;
    }
    {
        /* a code span around text that is escaped already */
        size_t i, run = 0, maxrun = 0, n = strlen(s), k;
        int pad;
        if (!n) {
            fputs("*(empty)*", fp);
            return;
        }
        for (i = 0; i < n; i++) {
            run = s[i] == '`' ? run + 1 : 0;
            if (run > maxrun)
                maxrun = run;
        }
        pad = s[0] == '`' || s[n - 1] == '`' || s[0] == ' ' || s[n - 1] == ' ';
        for (k = 0; k <= maxrun; k++)
            fputc('`', fp);
        if (pad)
            fputc(' ', fp);
        for (i = 0; i < n; i++) {
            if (table && s[i] == '|')
                fputc('\\', fp);
            fputc(s[i], fp);
        }
        if (pad)
            fputc(' ', fp);
        for (k = 0; k <= maxrun; k++)
            fputc('`', fp);
    }
}

/* Untrusted bytes in the format. */
static void
put_bytes(FILE *fp, int fmt, const uint8_t *p, size_t n, int table)
{
    char buf[16384];

    if (fmt == LR_HTML)
        lr_html(buf, sizeof buf, p, n);
    else
        lr_md_code(buf, sizeof buf, p, n, table);
    fputs(buf, fp);
}

/* Our own text in the format. */
static void
put_text(FILE *fp, int fmt, const char *s)
{
    if (fmt == LR_HTML)
        h_text(fp, s);
    else
        md_text(fp, s);
}

/* The typed keystrokes as a person saw them: BS and DEL as U+232B (the
 * erase key), ^U as "^U", the rest escaped. */
static void
typed_view(const struct rec_str *t, char *buf, size_t sz)
{
    size_t i, o = 0, k;
    char e[ESC_UNIT_MAX + 1];

    buf[0] = 0;
    for (i = 0; i < t->n && o + 12 < sz; i++) {
        uint8_t c = t->p[i];
        if (c == 0x08 || c == 0x7f) {
            memcpy(buf + o, "\xe2\x8c\xab", 3);
            o += 3;
            continue;
        }
        if (c == 0x15) {
            memcpy(buf + o, "^U", 2);
            o += 2;
            continue;
        }
        k = esc_bytes(e, sizeof e, &c, 1, 0);
        memcpy(buf + o, e, k);
        o += k;
    }
    buf[o] = 0;
}

/* ---- the connection's records ---- */

struct conn {
    const struct zsess *s;
    size_t *idx;            /* store indices, in order */
    size_t n;
};

/* Group the store's records by connection, in zstat's session order. */
static struct conn *
group(struct labrep *L, struct zstat *z, size_t *nconn)
{
    size_t ns = zstat_nsessions(z), n = rec_store_count(L->st), i, *fill;
    size_t *flat;
    struct conn *C;
    struct rec r;

    *nconn = 0;
    C = calloc(ns ? ns : 1, sizeof *C);
    flat = malloc((n ? n : 1) * sizeof *flat);
    fill = calloc(ns ? ns : 1, sizeof *fill);
    if (!C || !flat || !fill) {
        free(C);
        free(flat);
        free(fill);
        return NULL;
    }
    for (i = 0; i < ns; i++)
        C[i].s = zstat_session(z, i);
    for (i = 0; i < n; i++) {
        const struct zsess *s;
        if (rec_store_get(L->st, i, &r) < 0 || !(s = zstat_find(z, r.flow)))
            continue;
        C[s - zstat_session(z, 0)].n++;
    }
    C[0].idx = flat;
    {
        size_t off = 0;
        for (i = 0; i < ns; i++) {
            C[i].idx = flat + off;
            off += C[i].n;
        }
    }
    for (i = 0; i < n; i++) {
        const struct zsess *s;
        size_t k;
        if (rec_store_get(L->st, i, &r) < 0 || !(s = zstat_find(z, r.flow)))
            continue;
        k = (size_t)(s - zstat_session(z, 0));
        C[k].idx[fill[k]++] = i;
    }
    free(fill);
    *nconn = ns;
    return C;
}

static void
ungroup(struct conn *C, size_t n)
{
    (void)n;
    if (C)
        free(C[0].idx);
    free(C);
}

static void
dur(const struct zsess *s, char *buf, size_t sz)
{
    ladder_offset(&s->t1, &s->t0, buf, sz);
}

/* The client line a reply answers: the command it names (req_pkt),
 * or, when SASL data lines came after that command (AUTH LOGIN's
 * user and password), the last of them, which is what the server
 * judged. Searched backwards in its connection; 0 if found. */
static int
find_cmd(struct labrep *L, const struct conn *c, size_t upto, const struct rec *reply,
         struct rec *cmd)
{
    size_t k;
    int sasl = 0;

    if (!reply->req_pkt)
        return -1;
    for (k = upto; k-- > 0;) {
        if (rec_store_get(L->st, c->idx[k], cmd) < 0 || cmd->dir != DIR_C2S)
            continue;
        if (cmd->kind == REC_AUTH && !sasl && cmd->pkt > reply->req_pkt)
            return 0;
        sasl = 1;
        if (cmd->kind == REC_CMD && cmd->pkt == reply->req_pkt)
            return 0;
        if (cmd->pkt < reply->req_pkt)
            break;
    }
    return -1;
}

/* 1 if reply is the server's clear-text answer to the client's TLS
 * bytes: it answers no command, and the client's last record before it
 * is TLS, in a session where the server never spoke TLS. */
static int
answers_tls(struct labrep *L, const struct conn *c, size_t upto, const struct rec *reply)
{
    struct rec prev;
    size_t k;

    if (reply->req_pkt || !zs_tls_unanswered(c->s))
        return 0;
    for (k = upto; k-- > 0;) {
        if (rec_store_get(L->st, c->idx[k], &prev) < 0 || prev.dir != DIR_C2S
            || prev.kind == REC_CRED)
            continue;
        return prev.kind == REC_TLS;
    }
    return 0;
}

#define LR_TLS_AS_CMD "the server does not speak TLS on this port and read the " \
    "client's TLS Client Hello as a command line; its bytes are not text"

/* ---- SVG ladder ---- */

static void
svg_ladder(FILE *fp, struct labrep *L, const struct conn *c)
{
    const int W = 960, xc = 150, xs = 470, row = 22, top = 44;
    size_t k, shown = c->n < LR_ARROWS ? c->n : LR_ARROWS;
    int h = top + (int)shown * row + 16;
    struct rec r;
    struct ms_time t0 = c->s->t0;
    char text[8192], off[40], ca[96], sa[96], buf[16384];

    fmt_endpoint(&c->s->cli, ca, sizeof ca);
    fmt_endpoint(&c->s->srv, sa, sizeof sa);
    fprintf(fp, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"12\">\n",
            W, h, W, h);
    fprintf(fp, "<title>Ladder of stream %u</title>\n", (unsigned)c->s->flow);
    fprintf(fp, "<text x=\"%d\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\">client %s</text>\n",
            xc, ca);
    fprintf(fp, "<text x=\"%d\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\">server %s</text>\n",
            xs, sa);
    fprintf(fp, "<text x=\"4\" y=\"34\" fill=\"#555\">frame / offset (s)</text>\n");
    fprintf(fp, "<line x1=\"%d\" y1=\"24\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"2\"/>\n",
            xc, xc, h - 4);
    fprintf(fp, "<line x1=\"%d\" y1=\"24\" x2=\"%d\" y2=\"%d\" stroke=\"#333\" stroke-width=\"2\"/>\n",
            xs, xs, h - 4);
    for (k = 0; k < shown; k++) {
        int y = top + (int)k * row + 12;
        const char *color;
        if (rec_store_get(L->st, c->idx[k], &r) < 0)
            continue;
        ladder_text(&r, text, sizeof text, ESC_UTF8);
        nonchar_fix(text, sizeof text);
        ladder_offset(&r.ts, &t0, off, sizeof off);
        fprintf(fp, "<g class=\"%s\">", r.kind == REC_CRED ? "login" :
                r.dir == DIR_C2S ? "c2s" : "s2c");
        fprintf(fp, "<text x=\"4\" y=\"%d\" fill=\"#555\">%llu %s</text>", y + 4,
                (unsigned long long)r.pkt, off);
        html_esc_into(buf, sizeof buf, text);
        if (r.kind == REC_CRED) {
            color = r.cred.result == CRED_ACCEPTED ? "#2a7a2a" :
                    r.cred.result == CRED_REJECTED ? "#b22222" : "#777";
            fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" "
                    "fill=\"%s\" opacity=\"0.15\" stroke=\"%s\"/>", xc - 10, y - 9,
                    xs - xc + 20, row - 4, color, color);
            fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" "
                    "font-weight=\"bold\">%s</text></g>\n", (xc + xs) / 2, y + 4, color, buf);
            continue;
        }
        color = r.kind == REC_TLS || r.kind == REC_NOTE ? "#777" :
                fmt_is_error(&r) ? "#b22222" : r.dir == DIR_C2S ? "#1f4e9a" : "#222";
        if (r.dir == DIR_C2S)
            fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"%s/>"
                    "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>",
                    xc, y, xs - 8, y, color,
                    r.kind == REC_TLS ? " stroke-dasharray=\"4 3\"" : "",
                    xs, y, xs - 9, y - 4, xs - 9, y + 4, color);
        else
            fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"%s/>"
                    "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>",
                    xc + 8, y, xs, y, color,
                    r.kind == REC_TLS ? " stroke-dasharray=\"4 3\"" : "",
                    xc, y, xc + 9, y - 4, xc + 9, y + 4, color);
        /* the text on the right: cut to what the width holds (the
         * transcript has it whole) */
        if (strlen(text) > 68) {
            size_t cut = esc_fit(text, strlen(text), 65, NULL);
            memcpy(text + cut, "...", 4);
            html_esc_into(buf, sizeof buf, text);
        }
        fprintf(fp, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text></g>\n", xs + 10, y + 4,
                color, buf);
    }
    if (c->n > shown)
        fprintf(fp, "<text x=\"4\" y=\"%d\">... %zu more records (see the transcript)</text>\n",
                h - 2, c->n - shown);
    fputs("</svg>\n", fp);
}

static void
md_ladder_line(void *ctx, int kind, const struct rec *r, const char *line)
{
    (void)kind;
    (void)r;
    fputs(line, ctx);
    fputc('\n', ctx);
}

/* ---- sections ---- */

static void
h2(FILE *fp, int fmt, const char *id, const char *title)
{
    if (fmt == LR_HTML) {
        if (id[0])
            fprintf(fp, "<h2 id=\"%s\">", id);
        else
            fputs("<h2>", fp);
        h_text(fp, title);
        fputs("</h2>\n", fp);
    } else {
        fputs("## ", fp);
        md_text(fp, title);
        fputs("\n\n", fp);
    }
}

static void
h3(FILE *fp, int fmt, const char *title)
{
    if (fmt == LR_HTML) {
        fputs("<h3>", fp);
        h_text(fp, title);
        fputs("</h3>\n", fp);
    } else {
        fputs("### ", fp);
        md_text(fp, title);
        fputs("\n\n", fp);
    }
}

/* A table: cells are written by the caller between row_start/cell/row_end. */
static void
t_head(FILE *fp, int fmt, const char *const *cols, int n)
{
    int i;

    if (fmt == LR_HTML) {
        fputs("<table>\n<thead><tr>", fp);
        for (i = 0; i < n; i++) {
            fputs("<th>", fp);
            h_text(fp, cols[i]);
            fputs("</th>", fp);
        }
        fputs("</tr></thead>\n<tbody>\n", fp);
        return;
    }
    fputc('|', fp);
    for (i = 0; i < n; i++) {
        fputc(' ', fp);
        md_text(fp, cols[i]);
        fputs(" |", fp);
    }
    fputs("\n|", fp);
    for (i = 0; i < n; i++)
        fputs("---|", fp);
    fputc('\n', fp);
}

static void
t_row(FILE *fp, int fmt)
{
    fputs(fmt == LR_HTML ? "<tr>" : "|", fp);
}

static void
t_cell(FILE *fp, int fmt)
{
    fputs(fmt == LR_HTML ? "<td>" : " ", fp);
}

static void
t_cell_end(FILE *fp, int fmt)
{
    fputs(fmt == LR_HTML ? "</td>" : " |", fp);
}

static void
t_row_end(FILE *fp, int fmt)
{
    fputs(fmt == LR_HTML ? "</tr>\n" : "\n", fp);
}

static void
t_end(FILE *fp, int fmt)
{
    fputs(fmt == LR_HTML ? "</tbody>\n</table>\n" : "\n", fp);
}

static void
cell_text(FILE *fp, int fmt, const char *s)
{
    t_cell(fp, fmt);
    put_text(fp, fmt, s);
    t_cell_end(fp, fmt);
}

static void
para(FILE *fp, int fmt, const char *s)
{
    if (fmt == LR_HTML) {
        fputs("<p>", fp);
        h_text(fp, s);
        fputs("</p>\n", fp);
    } else {
        md_text(fp, s);
        fputs("\n\n", fp);
    }
}

static void
li_start(FILE *fp, int fmt)
{
    fputs(fmt == LR_HTML ? "<li>" : "- ", fp);
}

static void
li_end(FILE *fp, int fmt)
{
    fputs(fmt == LR_HTML ? "</li>\n" : "\n", fp);
}

/* Over what the connection ran. Not decrypted has three causes, each
 * with its own remedy: no key log given, no secret for this session (or
 * one direction) in it, or a record that did not authenticate (wrong
 * secret, damaged bytes). */
static void
transport(const struct zsess *s, char *buf, size_t sz)
{
    int bad = (s->anoms & ANOM_F(ANOM_TLS_BAD_RECORD)) != 0;
    int nokey = (s->anoms & ANOM_F(ANOM_TLS_NO_KEY)) != 0;
    const char *how, *state;

    if (s->tls != ZS_STARTTLS && s->tls != ZS_IMPLICIT) {
        snprintf(buf, sz, "plain TCP, no TLS: everything, passwords included, "
                 "crossed the network in clear text");
        return;
    }
    if (zs_tls_unanswered(s)) {
        snprintf(buf, sz, "%s, but the server answered in clear text and never "
                 "in TLS: TLS is not on at this port, and the server read the "
                 "Client Hello as a command line (connect without TLS, or use "
                 "the port where the server speaks it)",
                 s->tls == ZS_STARTTLS ? "plain text, then the client began TLS"
                                       : "the client began TLS from the first byte");
        return;
    }
    how = s->tls == ZS_STARTTLS ? "STARTTLS: plain text first, then TLS"
                                : "implicit TLS from the first byte";
    if (s->decrypted)
        state = bad ? "decrypted with the key log until a record did not "
                      "authenticate; the rest is not readable"
              : nokey ? "decrypted with the key log in part: it has no secret "
                        "for the rest"
              : "decrypted with the key log";
    else
        state = bad ? "not decrypted: a record did not authenticate, the key "
                      "log's secret is wrong or the bytes were damaged"
              : nokey ? "not decrypted: the key log has no secret for this session"
              : "encrypted: no key log given (--tls-keylog), not readable";
    snprintf(buf, sz, "%s (%s)", how, state);
}

static void
facts(FILE *fp, int fmt, const struct zsess *s)
{
    char ca[96], sa[96], when[64], d[40], v[64], over[256], line[512];
    struct rec_clock none = { { 0, 0 }, 0, 6 };

    fmt_endpoint(&s->cli, ca, sizeof ca);
    fmt_endpoint(&s->srv, sa, sizeof sa);
    fmt_time(&s->t0, TF_UTC_DATE, NULL, &none, when, sizeof when);
    dur(s, d, sizeof d);
    zs_verdict(s, v, sizeof v);
    if (fmt == LR_HTML)
        fputs("<ul class=\"facts\">\n", fp);
    li_start(fp, fmt);
    snprintf(line, sizeof line, "Who: client %s talked to server %s (%s)", ca, sa,
             proto_label(s->proto));
    put_text(fp, fmt, line);
    li_end(fp, fmt);
    li_start(fp, fmt);
    snprintf(line, sizeof line, "When: %s UTC, for %s s (frames %llu to %llu)", when, d,
             (unsigned long long)s->first_pkt, (unsigned long long)s->last_pkt);
    put_text(fp, fmt, line);
    li_end(fp, fmt);
    li_start(fp, fmt);
    transport(s, over, sizeof over);
    snprintf(line, sizeof line, "Over: %s", over);
    put_text(fp, fmt, line);
    li_end(fp, fmt);
    li_start(fp, fmt);
    snprintf(line, sizeof line, "Login: %s, %u attempt%s%s", v, (unsigned)s->logins,
             s->logins == 1 ? "" : "s", s->user_n ? ", user " : "");
    put_text(fp, fmt, line);
    if (s->user_n)
        put_bytes(fp, fmt, s->user, s->user_n, 0);
    li_end(fp, fmt);
    li_start(fp, fmt);
    snprintf(line, sizeof line, "Traffic: %u command lines, %u replies (%u errors), "
             "%u messages (%llu bytes), %llu %s",
             (unsigned)s->cmds, (unsigned)s->replies, (unsigned)s->errors,
             (unsigned)s->msgs, (unsigned long long)s->msg_bytes,
             (unsigned long long)s->bytes,
             /* TLS records stand for handshake messages and plaintext,
              * not for the bytes on the wire */
             s->tls ? "bytes in its records (not TLS's bytes on the wire)"
                    : "payload bytes");
    put_text(fp, fmt, line);
    li_end(fp, fmt);
    if (fmt == LR_HTML)
        fputs("</ul>\n", fp);
    else
        fputc('\n', fp);
}

/* The "Line" cell: what crossed the network, and for typed lines what
 * was typed and what the user meant. */
static void
line_cell(FILE *fp, int fmt, const struct rec *r)
{
    char info[8192], tv[8192], neg[512];

    t_cell(fp, fmt);
    if ((r->kind == REC_CMD || r->kind == REC_AUTH) && r->dir == DIR_C2S && r->typed.n
        && (r->flags & ANOM_F(ANOM_TELNET_IAC)) && !r->text.n
        && tn_describe(r->typed.p, r->typed.n, neg, sizeof neg, 1)) {
        put_text(fp, fmt, "telnet negotiation: ");
        put_text(fp, fmt, neg);
        put_text(fp, fmt, "; server received ");
        put_bytes(fp, fmt, r->typed.p, r->typed.n, 1);
    } else if ((r->kind == REC_CMD || r->kind == REC_AUTH) && r->typed.n) {
        put_text(fp, fmt, "typed ");
        typed_view(&r->typed, tv, sizeof tv);
        put_escaped(fp, fmt, tv, 1);
        put_text(fp, fmt, ", server received ");
        put_bytes(fp, fmt, r->typed.p, r->typed.n, 1);
        put_text(fp, fmt, ", meant ");
        put_bytes(fp, fmt, r->text.p, r->text.n, 1);
    } else if (r->kind == REC_CMD || r->kind == REC_AUTH) {
        put_bytes(fp, fmt, r->text.p, r->text.n, 1);
    } else {
        ladder_text(r, info, sizeof info, ESC_UTF8);
        put_escaped(fp, fmt, info, 1);
    }
    if ((r->flags & REC_F_CRED) && r->kind != REC_CRED) {
        put_text(fp, fmt, " (");
        put_text(fp, fmt, secret_kind_name(r->cred.secret_kind));
        put_text(fp, fmt, ": ");
        put_bytes(fp, fmt, r->cred.secret.p, r->cred.secret.n, 1);
        put_text(fp, fmt, ")");
    } else if (r->cred.user.n && r->kind != REC_CRED) {
        put_text(fp, fmt, " (user ");
        put_bytes(fp, fmt, r->cred.user.p, r->cred.user.n, 1);
        put_text(fp, fmt, ")");
    }
    t_cell_end(fp, fmt);
}

/* A TLS record's meaning: the handshake message and its RFC 8446
 * section (TLS 1.2's RFC 5246 has the same messages), or why a run of
 * records stayed closed. */
static void
tls_meaning(FILE *fp, int fmt, const struct zsess *s, const struct rec *r)
{
    static const struct { const char *verb, *what; } hs[] = {
        { "ClientHello", "TLS handshake: the client offers versions, cipher suites "
                         "and its key share (RFC 8446 4.1.2)" },
        { "ServerHello", "TLS handshake: the server picks the version and the cipher "
                         "suite (RFC 8446 4.1.3)" },
        { "HelloRetry", "TLS handshake: the server asks for another key share "
                        "(HelloRetryRequest, RFC 8446 4.1.4)" },
        { "Certificate", "TLS handshake: the server's certificate chain "
                         "(RFC 8446 4.4.2)" },
        { "Alert", "TLS alert: close_notify ends the session, any other is an "
                   "error (RFC 8446 6)" },
        { "KeyUpdate", "TLS: new traffic keys from here on (RFC 8446 4.6.3)" },
    };
    size_t i;

    for (i = 0; i < sizeof hs / sizeof hs[0]; i++)
        if (!strcmp(r->verb, hs[i].verb)) {
            put_text(fp, fmt, hs[i].what);
            return;
        }
    if (r->flags & ANOM_F(ANOM_TLS_BAD_RECORD)) {
        put_text(fp, fmt, "TLS records that did not decrypt: ");
        if (r->tls.reason.n)
            put_bytes(fp, fmt, r->tls.reason.p, r->tls.reason.n, 1);
        else
            put_text(fp, fmt, "a record did not authenticate");
        put_text(fp, fmt, " (wrong secret in the key log, or damaged bytes)");
    } else if (r->flags & REC_F_DECRYPTED) {
        put_text(fp, fmt, "TLS records, decrypted with the key log");
    } else if (s && (s->anoms & ANOM_F(ANOM_TLS_BAD_RECORD))) {
        put_text(fp, fmt, "TLS records: encrypted; decryption stopped at the record "
                 "that did not authenticate");
    } else if ((r->flags | (s ? s->anoms : 0)) & ANOM_F(ANOM_TLS_NO_KEY)) {
        put_text(fp, fmt, "TLS records: encrypted, the key log has no secret for them");
    } else {
        put_text(fp, fmt, "TLS records: encrypted, not readable without the key log "
                 "(--tls-keylog)");
    }
}

/* The "Meaning" cell: a command's description and RFC section, a
 * reply's class, an error's explanation. */
static void
meaning_cell(FILE *fp, int fmt, struct labrep *L, const struct conn *c, size_t k,
             const struct rec *r, int *nerr)
{
    const struct proto_ops *P = proto_get(r->proto);
    char key[32], buf[1024];
    const char *d;
    struct rec cmd;

    t_cell(fp, fmt);
    if (!P) {
        t_cell_end(fp, fmt);
        return;
    }
    if (r->kind == REC_CMD && r->dir == DIR_C2S) {
        d = r->verb[0] ? P->cmd_desc(r->verb) : NULL;
        if (d) {
            snprintf(buf, sizeof buf, "%s: %s", r->verb, d);
            put_text(fp, fmt, buf);
        } else if (!r->text.n && (r->flags & ANOM_F(ANOM_TELNET_IAC))) {
            put_text(fp, fmt, "not a command: telnet option requests (RFC 854, 855), "
                     "which the server reads as a line");
        } else {
            put_text(fp, fmt, "not a command of this protocol");
        }
    } else if (r->kind == REC_AUTH) {
        put_text(fp, fmt, "SASL data: the answer to the server's challenge, base64");
    } else if (r->kind == REC_REPLY) {
        d = P->reply_class ? P->reply_class(r, key, sizeof key) : NULL;
        if (d) {
            snprintf(buf, sizeof buf, "%s: %s", key, d);
            put_text(fp, fmt, buf);
        }
        if (P->is_error(r)) {
            int have = find_cmd(L, c, k, r, &cmd) == 0;
            (*nerr)++;
            if (!have && answers_tls(L, c, k, r)) {
                put_text(fp, fmt, ". ");
                fputs(fmt == LR_HTML ? "<strong>Why:</strong> " : "**Why:** ", fp);
                put_text(fp, fmt, LR_TLS_AS_CMD);
            } else if (P->error_explain && P->error_explain(have ? &cmd : NULL, r, buf, sizeof buf)) {
                put_text(fp, fmt, ". ");
                fputs(fmt == LR_HTML ? "<strong>Why:</strong> " : "**Why:** ", fp);
                put_text(fp, fmt, buf);
            } else if (P->reply_explain && P->reply_explain(r, buf, sizeof buf)) {
                put_text(fp, fmt, ". ");
                put_text(fp, fmt, buf);
            }
        }
    } else if (r->kind == REC_BODY) {
        put_text(fp, fmt, "message text (dot-unstuffed)");
    } else if (r->kind == REC_TLS) {
        tls_meaning(fp, fmt, c->s, r);
    } else if (r->kind == REC_CRED) {
        put_text(fp, fmt, "login attempt and its verdict");
    } else if (r->kind == REC_NOTE) {
        put_text(fp, fmt, "bytes never captured");
    }
    t_cell_end(fp, fmt);
}

static void
transcript(FILE *fp, int fmt, struct labrep *L, const struct conn *c)
{
    static const char *const cols[] = { "Frame", "Offset (s)", "Dir", "Line", "Meaning" };
    size_t k, shown = c->n < LR_ROWS ? c->n : LR_ROWS;
    struct rec r;
    char off[40], num[32];
    int nerr = 0;

    t_head(fp, fmt, cols, 5);
    for (k = 0; k < shown; k++) {
        if (rec_store_get(L->st, c->idx[k], &r) < 0)
            continue;
        t_row(fp, fmt);
        snprintf(num, sizeof num, "%llu", (unsigned long long)r.pkt);
        cell_text(fp, fmt, num);
        ladder_offset(&r.ts, &c->s->t0, off, sizeof off);
        cell_text(fp, fmt, off);
        cell_text(fp, fmt, r.kind == REC_CRED ? "login" : r.dir == DIR_C2S ?
                  "C\xe2\x86\x92" "S" : "S\xe2\x86\x92" "C");
        line_cell(fp, fmt, &r);
        meaning_cell(fp, fmt, L, c, k, &r, &nerr);
        t_row_end(fp, fmt);
    }
    t_end(fp, fmt);
    if (c->n > shown) {
        snprintf(num, sizeof num, "%zu", c->n - shown);
        para(fp, fmt, "More records are left out of this table; -T text lists them all.");
    }
}

static void
creds(FILE *fp, int fmt, struct labrep *L, const struct conn *c)
{
    static const char *const cols[] = { "Frames", "Mechanism", "User", "Secret",
                                        "Verdict", "Server said" };
    size_t k;
    struct rec r;
    char num[64];
    int any = 0;

    for (k = 0; k < c->n; k++) {
        if (rec_store_get(L->st, c->idx[k], &r) < 0 || r.kind != REC_CRED)
            continue;
        if (!any++)
            t_head(fp, fmt, cols, 6);
        t_row(fp, fmt);
        snprintf(num, sizeof num, "%llu-%llu", (unsigned long long)r.pkt_first,
                 (unsigned long long)r.pkt);
        cell_text(fp, fmt, num);
        t_cell(fp, fmt);
        if (r.cred.mech == AUTH_OTHER)
            put_bytes(fp, fmt, r.cred.mech_name.p, r.cred.mech_name.n, 1);
        else
            put_text(fp, fmt, auth_mech_name(r.cred.mech));
        t_cell_end(fp, fmt);
        t_cell(fp, fmt);
        put_bytes(fp, fmt, r.cred.user.p, r.cred.user.n, 1);
        t_cell_end(fp, fmt);
        t_cell(fp, fmt);
        /* masked (--mask) by cred.c before we ever see it */
        put_bytes(fp, fmt, r.cred.secret.p, r.cred.secret.n, 1);
        if (r.cred.secret_typed.n) {
            put_text(fp, fmt, " (server got ");
            put_bytes(fp, fmt, r.cred.secret_typed.p, r.cred.secret_typed.n, 1);
            put_text(fp, fmt, ")");
        }
        t_cell_end(fp, fmt);
        cell_text(fp, fmt, cred_result_name(r.cred.result));
        t_cell(fp, fmt);
        put_bytes(fp, fmt, r.cred.reply.p, r.cred.reply.n, 1);
        t_cell_end(fp, fmt);
        t_row_end(fp, fmt);
    }
    if (any)
        t_end(fp, fmt);
    else
        para(fp, fmt, "No login in this connection.");
}

static void
errors(FILE *fp, int fmt, struct labrep *L, const struct conn *c)
{
    size_t k;
    struct rec r, cmd;
    char buf[1024], info[8192], num[64];
    int any = 0;

    for (k = 0; k < c->n; k++) {
        const struct proto_ops *P;
        int have;
        if (rec_store_get(L->st, c->idx[k], &r) < 0 || r.kind != REC_REPLY
            || !(P = proto_get(r.proto)) || !P->is_error(&r))
            continue;
        have = find_cmd(L, c, k, &r, &cmd) == 0;
        if (!any++ && fmt == LR_HTML)
            fputs("<ul class=\"errors\">\n", fp);
        li_start(fp, fmt);
        snprintf(num, sizeof num, "frame %llu: ", (unsigned long long)r.pkt);
        put_text(fp, fmt, num);
        ladder_text(&r, info, sizeof info, ESC_UTF8);
        put_escaped(fp, fmt, info, 0);
        if (have) {
            put_text(fp, fmt, " after ");
            /* what the server got: the keys as typed, if edited */
            if (cmd.typed.n)
                put_bytes(fp, fmt, cmd.typed.p, cmd.typed.n, 0);
            else
                put_bytes(fp, fmt, cmd.text.p, cmd.text.n, 0);
        }
        if (!have && answers_tls(L, c, k, &r))
            put_text(fp, fmt, " after the client's TLS Client Hello");
        put_text(fp, fmt, ": ");
        if (!have && answers_tls(L, c, k, &r))
            put_text(fp, fmt, "the server does not speak TLS on this port and read "
                     "the hello as a command line; its bytes are not text");
        else if (P->error_explain && P->error_explain(have ? &cmd : NULL, &r, buf, sizeof buf))
            put_text(fp, fmt, buf);
        else if (P->reply_explain && P->reply_explain(&r, buf, sizeof buf))
            put_text(fp, fmt, buf);
        else
            put_text(fp, fmt, "the server refused the command");
        li_end(fp, fmt);
    }
    if (!any)
        para(fp, fmt, "No error replies in this connection.");
    else if (fmt == LR_HTML)
        fputs("</ul>\n", fp);
    else
        fputc('\n', fp);
}

/* The stat tables in a preformatted block. */
static void
stats(FILE *fp, int fmt, struct zstat *z)
{
    char *mem = NULL;
    size_t memn = 0, i;
    FILE *m = open_memstream(&mem, &memn);
    int p;

    if (!m)
        return;
    for (p = PROTO_NONE + 1; p < PROTO_N; p++) {
        size_t j;
        int used = 0;
        for (j = 0; j < zstat_nsessions(z); j++)
            used |= zstat_session(z, j)->proto == p;
        if (used)
            zstat_print_proto(m, z, p, 0);
    }
    zstat_print_sessions(m, z, 0);
    fclose(m);
    if (fmt == LR_HTML) {
        fputs("<pre class=\"stats\">", fp);
        h_text(fp, "");
        for (i = 0; i < memn; i++) {
            char ch[2] = { mem[i], 0 };
            h_text(fp, ch);
        }
        fputs("</pre>\n", fp);
    } else {
        /* the tables are escaped ASCII; a fence of tildes cannot be
         * closed by them (no line starts with "~~~~") */
        fputs("~~~~text\n", fp);
        fwrite(mem, 1, memn, fp);
        fputs("~~~~\n\n", fp);
    }
    free(mem);
}

static void
compare(FILE *fp, int fmt, const struct conn *C, size_t nc)
{
    static const char *const cols[] = { "Stream", "Protocol", "Over", "Command lines",
                                        "Segments", "Segments per line", "Typed how",
                                        "Errors", "Login" };
    size_t i;
    char buf[512], v[64];

    t_head(fp, fmt, cols, 9);
    for (i = 0; i < nc; i++) {
        const struct zsess *s = C[i].s;
        double per = s->cmds ? (double)s->cmd_segs / (double)s->cmds : 0.0;
        t_row(fp, fmt);
        snprintf(buf, sizeof buf, "%u", (unsigned)s->flow);
        cell_text(fp, fmt, buf);
        cell_text(fp, fmt, proto_label(s->proto));
        cell_text(fp, fmt, zs_tls_name(s));
        snprintf(buf, sizeof buf, "%u", (unsigned)s->cmds);
        cell_text(fp, fmt, buf);
        snprintf(buf, sizeof buf, "%u", (unsigned)s->cmd_segs);
        cell_text(fp, fmt, buf);
        snprintf(buf, sizeof buf, "%.1f", per);
        cell_text(fp, fmt, buf);
        cell_text(fp, fmt, !s->cmds ? "-" : per > 1.5 ?
                  "key by key (telnet, character mode)" :
                  "a line at a time (openssl s_client, a mail client)");
        snprintf(buf, sizeof buf, "%u", (unsigned)s->errors);
        cell_text(fp, fmt, buf);
        zs_verdict(s, v, sizeof v);
        cell_text(fp, fmt, v);
        t_row_end(fp, fmt);
    }
    t_end(fp, fmt);
    para(fp, fmt, "A telnet client in character mode sends every key as it is "
         "pressed, Backspace and Delete included: one TCP segment per key, and "
         "the server, which does no line editing, gets the erase keys as bytes. "
         "openssl s_client and mail clients send a whole line at once, as it "
         "was edited locally: about one segment per command line.");
}

static const char css[] =
    "body{font-family:sans-serif;margin:2em;max-width:80em}"
    "table{border-collapse:collapse;margin:0.5em 0 1em}"
    "td,th{border:1px solid #bbb;padding:2px 6px;vertical-align:top;text-align:left}"
    "th{background:#eee}code,pre{font-family:monospace}"
    "pre{background:#f6f6f6;padding:0.5em;overflow-x:auto}"
    "svg.ladder{border:1px solid #ccc;background:#fff;margin:0.5em 0}"
    "section.stream{border-top:2px solid #888;margin-top:2em}";

void
labrep_print(FILE *fp, struct labrep *L, struct zstat *z, int fmt, const char *source)
{
    size_t nc = 0, i;
    struct conn *C = group(L, z, &nc);
    static const char *const sumcols[] = { "Stream", "Client", "Server", "Protocol",
                                           "Over", "User", "Login", "Commands",
                                           "Messages", "Duration (s)" };
    char buf[512], ca[96], sa[96], v[64], d[40];

    /* the file's name without its directories: the report is handed
     * in, the path of the student's home is nobody's business */
    if (source && strrchr(source, '/') && strrchr(source, '/')[1])
        source = strrchr(source, '/') + 1;
    esc_bytes(L->source, sizeof L->source, (const uint8_t *)(source ? source : ""),
              source ? strlen(source) : 0, ESC_UTF8 | ESC_ELLIPSIS);
    if (fmt == LR_HTML) {
        fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
              "<head>\n<meta charset=\"utf-8\"/>\n<title>mailsift lab report</title>\n<style>",
              fp);
        fputs(css, fp);
        fputs("</style>\n</head>\n<body>\n<h1>mailsift lab report</h1>\n<p>Capture: <code>", fp);
        h_text(fp, L->source);
        fputs("</code></p>\n<section id=\"summary\">\n", fp);
    } else {
        fputs("# mailsift lab report\n\nCapture: ", fp);
        put_escaped(fp, LR_MD, L->source, 0);
        fputs("\n\n", fp);
    }
    h2(fp, fmt, "summary-title", "Connections");
    if (!C || !nc) {
        para(fp, fmt, "No mail connection in this capture.");
    } else {
        t_head(fp, fmt, sumcols, 10);
        for (i = 0; i < nc; i++) {
            const struct zsess *s = C[i].s;
            t_row(fp, fmt);
            snprintf(buf, sizeof buf, "%u", (unsigned)s->flow);
            cell_text(fp, fmt, buf);
            fmt_endpoint(&s->cli, ca, sizeof ca);
            fmt_endpoint(&s->srv, sa, sizeof sa);
            cell_text(fp, fmt, ca);
            cell_text(fp, fmt, sa);
            cell_text(fp, fmt, proto_label(s->proto));
            cell_text(fp, fmt, zs_tls_name(s));
            t_cell(fp, fmt);
            if (s->user_n)
                put_bytes(fp, fmt, s->user, s->user_n, 1);
            else
                put_text(fp, fmt, "-");
            t_cell_end(fp, fmt);
            zs_verdict(s, v, sizeof v);
            cell_text(fp, fmt, v);
            snprintf(buf, sizeof buf, "%u", (unsigned)s->cmds);
            cell_text(fp, fmt, buf);
            snprintf(buf, sizeof buf, "%u", (unsigned)s->msgs);
            cell_text(fp, fmt, buf);
            dur(s, d, sizeof d);
            cell_text(fp, fmt, d);
            t_row_end(fp, fmt);
        }
        t_end(fp, fmt);
    }
    if (rec_store_dropped(L->st)) {
        snprintf(buf, sizeof buf, "The memory cap was reached: the %llu oldest records "
                 "are not in this report (raise --memcap).",
                 (unsigned long long)rec_store_dropped(L->st));
        para(fp, fmt, buf);
    }
    if (fmt == LR_HTML)
        fputs("</section>\n", fp);
    for (i = 0; C && i < nc; i++) {
        const struct zsess *s = C[i].s;
        char id[32];
        fmt_endpoint(&s->cli, ca, sizeof ca);
        fmt_endpoint(&s->srv, sa, sizeof sa);
        snprintf(id, sizeof id, "stream-%u", (unsigned)s->flow);
        snprintf(buf, sizeof buf, "Stream %u: %s, client %s, server %s", (unsigned)s->flow,
                 proto_label(s->proto), ca, sa);
        if (fmt == LR_HTML)
            fprintf(fp, "<section class=\"stream\" id=\"%s\">\n", id);
        h2(fp, fmt, "", buf);
        facts(fp, fmt, s);
        h3(fp, fmt, "Ladder");
        if (fmt == LR_HTML) {
            svg_ladder(fp, L, &C[i]);
        } else {
            struct rec r;
            size_t k;
            fputs("~~~~text\n", fp);
            for (k = 0; k < C[i].n && k < LR_ROWS; k++) {
                if (rec_store_get(L->st, C[i].idx[k], &r) < 0)
                    continue;
                if (k == 0)
                    ladder_head(&r, md_ladder_line, fp);
                ladder_rec(&r, &s->t0, ESC_UTF8, md_ladder_line, fp);
            }
            fputs("~~~~\n\n", fp);
        }
        h3(fp, fmt, "Transcript");
        transcript(fp, fmt, L, &C[i]);
        h3(fp, fmt, "Credentials");
        creds(fp, fmt, L, &C[i]);
        h3(fp, fmt, "Errors explained");
        errors(fp, fmt, L, &C[i]);
        if (fmt == LR_HTML)
            fputs("</section>\n", fp);
    }
    if (fmt == LR_HTML)
        fputs("<section id=\"statistics\">\n", fp);
    h2(fp, fmt, "statistics-title", "Statistics");
    stats(fp, fmt, z);
    if (fmt == LR_HTML)
        fputs("</section>\n<section id=\"comparison\">\n", fp);
    h2(fp, fmt, "comparison-title", "Comparison of the sessions");
    if (C && nc)
        compare(fp, fmt, C, nc);
    else
        para(fp, fmt, "No sessions to compare.");
    if (fmt == LR_HTML)
        fputs("</section>\n</body>\n</html>\n", fp);
    ungroup(C, nc);
}
