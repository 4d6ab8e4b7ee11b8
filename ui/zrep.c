/* zrep.c - the lab companion's -z outputs (zrep.h): parses the -z
 * arguments, feeds each record to what they need, prints them in the
 * order they were given. */
#include <stdlib.h>
#include <string.h>

#include "../dissect/proto.h"
#include "esc.h"
#include "labrep.h"
#include "ladder.h"
#include "ob.h"
#include "zrep.h"
#include "zstat.h"

#define ZR_MAX 32

enum { ZR_STAT, ZR_SESSIONS, ZR_LADDER, ZR_REPORT };

struct zitem {
    int kind;
    int arg;                /* protocol id, report format */
    uint32_t flow;          /* ladder */
    struct rec_store *st;   /* ladder: that stream's records */
};

struct zrep {
    struct zstat *z;
    struct labrep *lr;
    struct zitem it[ZR_MAX];
    int n;
};

struct zrep *
zrep_new(void)
{
    struct zrep *z = calloc(1, sizeof *z);

    if (z && !(z->z = zstat_new())) {
        free(z);
        return NULL;
    }
    return z;
}

void
zrep_free(struct zrep *z)
{
    int i;

    if (!z)
        return;
    for (i = 0; i < z->n; i++)
        rec_store_free(z->it[i].st);
    labrep_free(z->lr);
    zstat_free(z->z);
    free(z);
}

int
zrep_add(struct zrep *z, const char *arg)
{
    struct zitem *it;
    const char *comma = strchr(arg, ',');
    char *end;
    unsigned long v;

    if (z->n >= ZR_MAX)
        return -1;
    it = &z->it[z->n];
    memset(it, 0, sizeof *it);
    if (!strcmp(arg, "sessions")) {
        it->kind = ZR_SESSIONS;
    } else if (!strcmp(arg, "report") || !strcmp(arg, "report,md")
               || !strcmp(arg, "report,html")) {
        it->kind = ZR_REPORT;
        it->arg = strcmp(arg, "report,html") ? LR_MD : LR_HTML;
        if (!z->lr && !(z->lr = labrep_new()))
            return -1;
    } else if (!strncmp(arg, "ladder,", 7)) {
        v = strtoul(arg + 7, &end, 10);
        if (end == arg + 7 || *end || v > UINT32_MAX || arg[7] == '-')
            return -1;
        it->kind = ZR_LADDER;
        it->flow = (uint32_t)v;
        if (!(it->st = rec_store_new()))
            return -1;
    } else if (comma && !strcmp(comma, ",stat")
               && (it->arg = proto_find(arg, (size_t)(comma - arg))) != PROTO_NONE) {
        it->kind = ZR_STAT;
    } else {
        return -1;
    }
    z->n++;
    return 0;
}

void
zrep_record(struct zrep *z, const struct rec *r)
{
    int i;

    zstat_add(z->z, r);
    if (z->lr)
        labrep_add(z->lr, r);
    for (i = 0; i < z->n; i++)
        if (z->it[i].kind == ZR_LADDER && z->it[i].flow == r->flow)
            rec_store_add(z->it[i].st, r);
}

static void
txt_line(void *ctx, int kind, const struct rec *r, const char *line)
{
    (void)kind;
    (void)r;
    fputs(line, ctx);
    fputc('\n', ctx);
}

/* One ladder event as JSON; ladder_text is escaped ASCII already, so
 * only '"' and '\\' are escaped again for JSON. */
static void
json_event(const struct rec *r, const struct ms_time *t0, int first)
{
    char off[40], text[8192];
    size_t n = ladder_text(r, text, sizeof text, ESC_UTF8), i;

    if (!first)
        ob_ch(',');
    OB_LIT("{\"frame\":");
    ob_u64(r->pkt);
    ladder_offset(&r->ts, t0, off, sizeof off);
    OB_LIT(",\"offset\":");
    ob_str(off);
    OB_LIT(",\"arrow\":\"");
    ob_str(r->kind == REC_CRED ? "login" : r->kind == REC_NOTE ? "note" :
           r->dir == DIR_C2S ? "C->S" : "S->C");
    OB_LIT("\",\"kind\":\"");
    ob_str(rec_kind_name(r->kind));
    OB_LIT("\",\"text\":\"");
    for (i = 0; i < n; i++) {
        if (text[i] == '"' || text[i] == '\\')
            ob_ch('\\');
        ob_ch(text[i]);
    }
    ob_ch('"');
    if (r->kind == REC_CRED) {
        OB_LIT(",\"verdict\":\"");
        ob_str(cred_result_name(r->cred.result));
        ob_ch('"');
    }
    ob_ch('}');
}

static void
ladder_print(FILE *fp, struct zitem *it, int json)
{
    size_t n = rec_store_count(it->st), i;
    struct rec r;
    struct ms_time t0 = { 0, 0 };
    int first = 1;

    if (json) {
        ob_to(fp);
        OB_LIT("{\"report\":\"ladder\",\"stream\":");
        ob_u64(it->flow);
        OB_LIT(",\"events\":[");
    } else {
        fputs("===================================================================\n", fp);
        fprintf(fp, "Ladder of stream %u (-z ladder,%u)\n", (unsigned)it->flow,
                (unsigned)it->flow);
    }
    if (!n && !json)
        fprintf(fp, "(no records in stream %u)\n", (unsigned)it->flow);
    for (i = 0; i < n; i++) {
        if (rec_store_get(it->st, i, &r) < 0)
            continue;
        if (i == 0) {
            t0 = r.ts_first.sec || r.ts_first.nsec ? r.ts_first : r.ts;
            if (!json)
                ladder_head(&r, txt_line, fp);
        }
        if (json) {
            json_event(&r, &t0, first);
            first = 0;
        } else {
            ladder_rec(&r, &t0, ESC_UTF8, txt_line, fp);
        }
    }
    if (json) {
        OB_LIT("]}\n");
        ob_flush();
    } else {
        fputs("===================================================================\n", fp);
    }
}

void
zrep_print(FILE *fp, struct zrep *z, const struct out_opts *o, int json,
           const char *source)
{
    int i;

    (void)o;
    for (i = 0; i < z->n; i++) {
        struct zitem *it = &z->it[i];
        switch (it->kind) {
        case ZR_STAT:
            zstat_print_proto(fp, z->z, it->arg, json);
            break;
        case ZR_SESSIONS:
            zstat_print_sessions(fp, z->z, json);
            break;
        case ZR_LADDER:
            ladder_print(fp, it, json);
            break;
        case ZR_REPORT:
            fflush(fp);
            labrep_print(fp, z->lr, z->z, it->arg, source);
            break;
        }
    }
}
