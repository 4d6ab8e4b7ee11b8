/* text.c - one summary line per record, columns like tshark's:
 * No. Time Source Destination Protocol Length Info. */
#include <string.h>

#include "esc.h"
#include "fmt.h"
#include "out.h"

#define SGR_CRED "\033[1;7m"    /* bold reverse: readable without colour */
#define SGR_ERR "\033[31m"
#define SGR_OFF "\033[0m"

static struct ms_time prev;

void
txt_record(FILE *fp, const struct rec *r, const struct out_opts *o)
{
    char src[64], dst[64], tm[48], info[8192];
    const char *on = NULL;
    int cred = (r->flags & REC_F_CRED) || r->kind == REC_CRED;

    fmt_addr(&r->src, src, sizeof src);
    fmt_addr(&r->dst, dst, sizeof dst);
    fmt_time(&r->ts, o->time_fmt, &prev, r->clock, tm, sizeof tm);
    prev = r->ts;
    fmt_info_esc(r, info, sizeof info, ESC_UTF8);
    if (o->color)
        on = cred ? SGR_CRED : fmt_is_error(r) ? SGR_ERR : NULL;
    fprintf(fp, "%s%5llu %s %15s -> %-15s %-4s %5u %s%s%s\n", on ? on : "",
            (unsigned long long)r->pkt, tm, src, dst, fmt_proto(r),
            (unsigned)r->len, info, cred && o->tag_cred ? " [cred]" : "",
            on ? SGR_OFF : "");
}
