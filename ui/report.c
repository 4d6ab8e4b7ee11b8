/* report.c - the credentials report (-z creds): every login attempt with
 * mechanism, user, secret, verdict and frames; hashcat lines for the
 * digests (-z creds,hashcat). */
#include <stdlib.h>
#include <string.h>

#include "../dissect/b64.h"
#include "../dissect/record.h"
#include "esc.h"
#include "fmt.h"
#include "ob.h"
#include "out.h"
#include "../dissect/dissect.h"

/* A row is written as its attempt comes (records come in capture
 * order, so the times, deltas included, are what they would be at the
 * end), and only the count is printed before the rows: a million logins
 * keep no record each, only their rows' text, in memory up to
 * REPORT_MEM and then in a temporary file. */
#define REPORT_MEM (2u << 20)

struct report {
    struct out_opts o;
    int hashcat;
    size_t n;                   /* attempts */
    struct ms_time prev;        /* -t d: the previous row's time */
    FILE *spool;                /* rows so far */
    char *mem;                  /* open_memstream's buffer, until spilled */
    size_t memlen;
    int spilled;                /* spool is a temporary file */
};

static void row(FILE *fp, struct report *rp, const struct rec *r);
static void hashcat_line(FILE *fp, const struct rec *r);

struct report *
report_new(const struct out_opts *o, int hashcat)
{
    struct report *rp = calloc(1, sizeof *rp);

    if (!rp)
        return NULL;
    rp->o = *o;
    rp->hashcat = hashcat;
    if (!(rp->spool = open_memstream(&rp->mem, &rp->memlen))) {
        free(rp);
        return NULL;
    }
    return rp;
}

/* Past REPORT_MEM the rows move to a temporary file (if none can be
 * made, they stay in memory). */
static void
spill(struct report *rp)
{
    FILE *t;

    fflush(rp->spool);
    if (rp->spilled || rp->memlen < REPORT_MEM || !(t = tmpfile()))
        return;
    if (fwrite(rp->mem, 1, rp->memlen, t) != rp->memlen) {
        fclose(t);
        return;
    }
    fclose(rp->spool);
    free(rp->mem);
    rp->mem = NULL;
    rp->memlen = 0;
    rp->spool = t;
    rp->spilled = 1;
}

void
report_add(struct report *rp, const struct rec *r)
{
    if (r->kind != REC_CRED)
        return;
    rp->n++;
    if (rp->hashcat) {
        if (!(r->flags & REC_F_MASKED))
            hashcat_line(rp->spool, r);
    } else {
        row(rp->spool, rp, r);
    }
    if (!rp->spilled && (rp->n & 255) == 0)
        spill(rp);
}

/* A row is built in a line buffer and written with one fwrite: with
 * a million logins, stdio's formatting was most of -z creds' cost. */
struct lb {
    char b[4096];
    size_t n;
};

static void
lb_mem(struct lb *l, const char *s, size_t n)
{
    if (n > sizeof l->b - 1 - l->n)
        n = sizeof l->b - 1 - l->n;
    memcpy(l->b + l->n, s, n);
    l->n += n;
}

/* " text" padded to width display columns (UTF-8 as characters: a CJK
 * user name takes two columns a character). */
static void
lb_pad(struct lb *l, const char *s, size_t width)
{
    size_t n = strlen(s), w = esc_width(s, n);

    lb_mem(l, " ", 1);
    lb_mem(l, s, n);
    for (; w < width && l->n < sizeof l->b - 1; w++)
        l->b[l->n++] = ' ';
}

static void
cell(struct lb *l, const struct rec_str *s, int width)
{
    char buf[1024];

    esc_bytes(buf, sizeof buf, s->p, s->n, ESC_ELLIPSIS | ESC_UTF8);
    lb_pad(l, buf, (size_t)width);
}

static void
endpoint(struct lb *l, const struct rec_ep *e)
{
    char ep[96];

    fmt_endpoint(e, ep, sizeof ep);
    lb_pad(l, ep, 21);
}

/* hashcat -m 16400 (CRAM-MD5): $cram_md5$<b64 challenge>$<b64 user SP hexdigest>
 * hashcat -m 10 md5($pass.$salt) does not fit APOP (timestamp first):
 * -m 20 md5($salt.$pass) does: <hexdigest>:<timestamp>. */
static void
hashcat_line(FILE *fp, const struct rec *r)
{
    char c64[LIM_CRED * 2], u64[LIM_CRED * 3];
    uint8_t resp[LIM_CRED * 2 + 2];
    size_t n;

    if (r->cred.mech == AUTH_CRAM_MD5 && r->cred.challenge.n) {
        b64_encode(r->cred.challenge.p, r->cred.challenge.n, c64, sizeof c64);
        n = r->cred.user.n;
        memcpy(resp, r->cred.user.p, n);
        resp[n++] = ' ';
        memcpy(resp + n, r->cred.secret.p, r->cred.secret.n);
        n += r->cred.secret.n;
        b64_encode(resp, n, u64, sizeof u64);
        fprintf(fp, "$cram_md5$%s$%s\n", c64, u64);
    } else if (r->cred.mech == AUTH_APOP && r->cred.challenge.n) {
        esc_fputs(fp, r->cred.secret.p, r->cred.secret.n);
        fputc(':', fp);
        esc_fputs(fp, r->cred.challenge.p, r->cred.challenge.n);
        fputc('\n', fp);
    }
}

/* One attempt's row. */
static void
row(FILE *fp, struct report *rp, const struct rec *r)
{
    const struct out_opts *o = &rp->o;
    struct lb l;
    char tm[48], pl[32], *q;
    const char *res;

    l.n = 0;
    fmt_time(&r->ts, o->time_fmt, &rp->prev, r->clock, tm, sizeof tm);
    lb_mem(&l, tm, strlen(tm));
    while (l.n < 15)
        l.b[l.n++] = ' ';
    endpoint(&l, &r->src);
    endpoint(&l, &r->dst);
    /* what was found inside TLS says so */
    snprintf(pl, sizeof pl, "%s%s", proto_label(r->proto),
             (r->flags & REC_F_DECRYPTED) ? "/TLS" : "");
    lb_pad(&l, pl, 8);
    if (r->cred.mech == AUTH_OTHER)
        cell(&l, &r->cred.mech_name, 11);
    else
        lb_pad(&l, auth_mech_name(r->cred.mech), 11);
    cell(&l, &r->cred.user, 20);
    if (r->cred.secret_kind == SECRET_DIGEST && r->cred.challenge.n && !(r->flags & REC_F_MASKED)) {
        char s[600], c[600], both[1300];
        esc_bytes(s, sizeof s, r->cred.secret.p, r->cred.secret.n, ESC_UTF8);
        esc_bytes(c, sizeof c, r->cred.challenge.p, r->cred.challenge.n, ESC_UTF8);
        snprintf(both, sizeof both, "%s (challenge %s)", s, c);
        lb_pad(&l, both, 24);
    } else if (r->cred.secret_typed.n) {
        char s[600], t[600], both[1300];
        esc_bytes(s, sizeof s, r->cred.secret.p, r->cred.secret.n, ESC_UTF8);
        esc_bytes(t, sizeof t, r->cred.secret_typed.p, r->cred.secret_typed.n, ESC_UTF8);
        snprintf(both, sizeof both, "%s (typed %s)", s, t);
        lb_pad(&l, both, 24);
    } else {
        cell(&l, &r->cred.secret, 24);
    }
    lb_mem(&l, " ", 1);
    if (o->color && r->cred.result == CRED_ACCEPTED)
        lb_mem(&l, "\033[1;32m", 7);
    else if (o->color && r->cred.result == CRED_REJECTED)
        lb_mem(&l, "\033[1;31m", 7);
    res = cred_result_name(r->cred.result);
    lb_mem(&l, res, strlen(res));
    for (size_t w = strlen(res); w < 8; w++)
        lb_mem(&l, " ", 1);
    if (o->color)
        lb_mem(&l, "\033[0m", 4);
    /* " first-last\n": 2 x 20 digits and 3 characters */
    if (l.n + 48 < sizeof l.b) {
        q = l.b + l.n;
        *q++ = ' ';
        q = ob_put_u64(q, r->pkt_first);
        *q++ = '-';
        q = ob_put_u64(q, r->pkt);
        *q++ = '\n';
        l.n = (size_t)(q - l.b);
    } else {
        l.b[l.n++] = '\n';
    }
    fwrite(l.b, 1, l.n, fp);
}

/* The count, then the rows as they were written, then what TLS kept
 * from view. */
void
report_print(FILE *fp, struct report *rp, const struct dis_tls_counts *tls, int keylog)
{
    char buf[65536];
    size_t k;

    if (!rp->hashcat) {
        fprintf(fp, "=================================================================\n");
        fprintf(fp, "Credentials: %zu attempt%s\n", rp->n, rp->n == 1 ? "" : "s");
        fprintf(fp, "%-15s %-21s %-21s %-8s %-11s %-20s %-24s %-8s %s\n", "Time", "Client",
                "Server", "Prot", "Mechanism", "Username", "Secret", "Result", "Frames");
    }
    fflush(rp->spool);
    if (!rp->spilled) {
        fwrite(rp->mem, 1, rp->memlen, fp);
    } else {
        rewind(rp->spool);
        while ((k = fread(buf, 1, sizeof buf, rp->spool)) > 0)
            fwrite(buf, 1, k, fp);
    }
    if (rp->hashcat)
        return;
    if (tls && tls->undecrypted)
        fprintf(fp, "%llu TLS session%s not decrypted: %s\n",
                (unsigned long long)tls->undecrypted, tls->undecrypted == 1 ? "" : "s",
                keylog ? "their secrets are not in the key log"
                       : "no key; give --tls-keylog FILE");
    if (tls && tls->failed)
        fprintf(fp, "%llu TLS session%s failed to decrypt: a record did not authenticate "
                "(wrong secrets or damaged; tls_bad_record)\n",
                (unsigned long long)tls->failed, tls->failed == 1 ? "" : "s");
    fprintf(fp, "=================================================================\n");
}

void
report_free(struct report *rp)
{
    if (!rp)
        return;
    fclose(rp->spool);
    free(rp->mem);
    free(rp);
}
