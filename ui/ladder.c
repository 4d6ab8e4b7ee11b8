/* ladder.c - the text ladder of one connection (ladder.h). */
#include <stdio.h>
#include <string.h>

#include "esc.h"
#include "fmt.h"
#include "ladder.h"

void
ladder_offset(const struct ms_time *t, const struct ms_time *t0, char *buf, size_t sz)
{
    int64_t ns = (t->sec - t0->sec) * 1000000000 + ((int64_t)t->nsec - t0->nsec);
    const char *sign = ns < 0 ? "-" : "";

    if (ns < 0)
        ns = -ns;
    snprintf(buf, sz, "%s%lld.%06u", sign, (long long)(ns / 1000000000),
             (unsigned)(ns % 1000000000 / 1000));
}

size_t
ladder_text(const struct rec *r, char *buf, size_t sz, int escf)
{
    char tmp[8192];
    size_t n;

    if (r->kind == REC_CRED) {
        char u[300], m[64];
        esc_bytes(u, sizeof u, r->cred.user.p, r->cred.user.n, ESC_ELLIPSIS | escf);
        if (r->cred.mech == AUTH_OTHER)
            esc_bytes(m, sizeof m, r->cred.mech_name.p, r->cred.mech_name.n, ESC_ELLIPSIS);
        else
            snprintf(m, sizeof m, "%s", auth_mech_name(r->cred.mech));
        snprintf(buf, sz, "LOGIN %s (%s): %s", u, m, cred_result_name(r->cred.result));
        return strlen(buf);
    }
    n = fmt_info_esc(r, tmp, sizeof tmp, escf);
    /* drop "C: " / "S: ": the arrow says the direction */
    snprintf(buf, sz, "%s", n >= 3 ? tmp + 3 : tmp);
    return strlen(buf);
}

void
ladder_head(const struct rec *first, ladder_out out, void *ctx)
{
    const struct rec_ep *c = first->dir == DIR_C2S ? &first->src : &first->dst;
    const struct rec_ep *s = first->dir == DIR_C2S ? &first->dst : &first->src;
    char ca[96], sa[96], line[400];

    fmt_endpoint(c, ca, sizeof ca);
    fmt_endpoint(s, sa, sizeof sa);
    snprintf(line, sizeof line, "Stream %u (%s): client %s, server %s",
             (unsigned)first->flow, proto_label(first->proto), ca, sa);
    out(ctx, LD_HEAD, NULL, line);
    snprintf(line, sizeof line, "%7s %11s  %-*s%s", "Frame", "Offset", LADDER_W + 2,
             "client", "server");
    out(ctx, LD_HEAD, NULL, line);
}

void
ladder_rec(const struct rec *r, const struct ms_time *t0, int escf, ladder_out out,
           void *ctx)
{
    char text[8192], off[40], bar[LADDER_W + 1], line[8400];
    int kind, i;
    size_t n;

    n = ladder_text(r, text, sizeof text, escf);
    ladder_offset(&r->ts, t0, off, sizeof off);
    if (r->kind == REC_CRED) {
        /* across both lifelines, centred */
        int pad = (int)n + 8 < LADDER_W ? (LADDER_W - (int)n - 8) / 2 : 0;
        snprintf(line, sizeof line, "%7llu %11s  |%*s*** %s ***%*s|",
                 (unsigned long long)r->pkt, off, pad, "", text,
                 LADDER_W - pad - (int)n - 8 > 0 ? LADDER_W - pad - (int)n - 8 : 0, "");
        out(ctx, LD_LOGIN, r, line);
        return;
    }
    if (r->kind == REC_NOTE) {
        memset(bar, '~', LADDER_W);
        bar[LADDER_W] = 0;
        snprintf(line, sizeof line, "%7llu %11s  |%s|  %s", (unsigned long long)r->pkt,
                 off, bar, text);
        out(ctx, LD_NOTE, r, line);
        return;
    }
    kind = r->dir == DIR_C2S ? LD_C2S : LD_S2C;
    for (i = 0; i < LADDER_W; i++)
        bar[i] = r->kind == REC_TLS ? '=' : '-';
    bar[LADDER_W] = 0;
    if (kind == LD_C2S)
        bar[LADDER_W - 1] = '>';
    else
        bar[0] = '<';
    snprintf(line, sizeof line, "%7llu %11s  |%s|  %s", (unsigned long long)r->pkt, off,
             bar, text);
    out(ctx, kind, r, line);
}
