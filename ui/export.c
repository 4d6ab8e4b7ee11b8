/* export.c - message bodies to files (--export-objects imf,DIR), like
 * tshark's and Wireshark's "Export Objects > IMF". Each DATA, BDAT chunk,
 * RETR or TOP body becomes one .eml file holding the message as the
 * server stores it (dot-unstuffed, RFC 5321 4.5.2, RFC 1939 3).
 *
 * File names never contain bytes from the network: they are the frame
 * that completed the body, the protocol and the stream, e.g.
 * "00000045-smtp-1.eml", so a Subject cannot walk out of the directory;
 * an existing file is never replaced. A body is written to a hidden
 * temporary file as it streams by and linked under its name when its
 * record is emitted; a body that ends without a record is removed.
 * Files are created after privileges are dropped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../dissect/anom.h"
#include "../dissect/limits.h"
#include "../dissect/proto.h"
#include "esc.h"
#include "export.h"

struct exp_file {
    FILE *fp;
    uint64_t n;             /* bytes written */
    uint8_t cut;            /* hit the per-message cap */
    uint8_t bad;            /* a write failed */
    char tmp[48];
};

static struct {
    int on;
    int dirfd;
    char dir[256];          /* for messages: escaped */
    uint64_t max_bytes;
    unsigned max_open, open_now;
    uint64_t seq;
    struct exp_stats st;
} X = { .dirfd = -1 };

static void
fail(const char *what, const char *name, int err)
{
    if (!X.st.failed++)
        fprintf(stderr, "mailsift: export: %s/%s: %s: %s\n", X.dir, name, what, strerror(err));
}

int
exp_init(const char *dir, uint64_t max_bytes, unsigned max_open, char *errbuf, size_t errsz)
{
    esc_bytes(X.dir, sizeof X.dir, (const uint8_t *)dir, strlen(dir), ESC_ELLIPSIS);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        snprintf(errbuf, errsz, "export directory %s: %s", X.dir, strerror(errno));
        return -1;
    }
    X.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (X.dirfd < 0) {
        snprintf(errbuf, errsz, "export directory %s: %s", X.dir, strerror(errno));
        return -1;
    }
    X.max_bytes = max_bytes ? max_bytes : LIM_EXPORT_BYTES;
    X.max_open = max_open ? max_open : LIM_EXPORT_OPEN;
    X.on = 1;
    return 0;
}

static void *
exp_begin(void *ctx, const struct body_info *b)
{
    struct exp_file *e;
    int fd;

    (void)ctx;
    (void)b;
    if (!X.on)
        return NULL;
    if (X.open_now >= X.max_open) {
        /* Each body in progress holds a descriptor and a buffer. */
        X.st.skipped++;
        anom_hit(ANOM_LIMIT);
        return NULL;
    }
    e = calloc(1, sizeof *e);
    if (!e) {
        X.st.skipped++;
        anom_hit(ANOM_LIMIT);
        return NULL;
    }
    snprintf(e->tmp, sizeof e->tmp, ".mailsift-%ld-%llu.part", (long)getpid(),
             (unsigned long long)X.seq++);
    fd = openat(X.dirfd, e->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || !(e->fp = fdopen(fd, "w"))) {
        fail("cannot create", e->tmp, errno);
        if (fd >= 0)
            close(fd);
        free(e);
        return NULL;
    }
    X.open_now++;
    return e;
}

static void
exp_data(void *ctx, void *h, const uint8_t *p, size_t n)
{
    struct exp_file *e = h;

    (void)ctx;
    if (e->bad || e->cut)
        return;
    if (n > X.max_bytes - e->n) {
        n = (size_t)(X.max_bytes - e->n);
        e->cut = 1;
    }
    if (n && fwrite(p, 1, n, e->fp) != n)
        e->bad = 1;
    e->n += n;
}

/* Give the finished file its name without replacing one that exists
 * (two bodies can end in one packet; an earlier run may have left
 * files): "-2", "-3", ... are tried after the plain name. */
static int
publish(const char *tmp, char *name, size_t sz, const struct rec *r)
{
    int i;

    for (i = 1; i <= 100; i++) {
        if (i == 1)
            snprintf(name, sz, "%08llu-%s-%u.eml", (unsigned long long)r->pkt,
                     proto_name(r->proto), (unsigned)r->flow);
        else
            snprintf(name, sz, "%08llu-%s-%u-%d.eml", (unsigned long long)r->pkt,
                     proto_name(r->proto), (unsigned)r->flow, i);
        if (linkat(X.dirfd, tmp, X.dirfd, name, 0) == 0) {
            unlinkat(X.dirfd, tmp, 0);
            return 0;
        }
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

static void
exp_end(void *ctx, void *h, const struct rec *r)
{
    struct exp_file *e = h;
    char name[64];
    int err = 0;

    (void)ctx;
    if (fclose(e->fp) == EOF || e->bad) {
        err = errno ? errno : EIO;
        e->bad = 1;
    }
    X.open_now--;
    if (!r || e->bad) {
        if (e->bad)
            fail("write failed", e->tmp, err);
        unlinkat(X.dirfd, e->tmp, 0);
        free(e);
        return;
    }
    if (publish(e->tmp, name, sizeof name, r) < 0) {
        fail("cannot name", e->tmp, errno);
        unlinkat(X.dirfd, e->tmp, 0);
        free(e);
        return;
    }
    X.st.files++;
    X.st.bytes += e->n;
    if (e->cut) {
        X.st.cut++;
        anom_hit(ANOM_LIMIT);
    }
    free(e);
}

const struct body_sink exp_sink = { exp_begin, exp_data, exp_end, NULL };

int
exp_finish(FILE *fp)
{
    if (!X.on)
        return 0;
    fprintf(fp, "mailsift: exported %llu message%s (%llu bytes) to %s",
            (unsigned long long)X.st.files, X.st.files == 1 ? "" : "s",
            (unsigned long long)X.st.bytes, X.dir);
    if (X.st.cut)
        fprintf(fp, "; %llu cut at %llu bytes", (unsigned long long)X.st.cut,
                (unsigned long long)X.max_bytes);
    if (X.st.skipped)
        fprintf(fp, "; %llu not exported (%u open at once)",
                (unsigned long long)X.st.skipped, X.max_open);
    if (X.st.failed)
        fprintf(fp, "; %llu failed", (unsigned long long)X.st.failed);
    fputc('\n', fp);
    close(X.dirfd);
    X.dirfd = -1;
    X.on = 0;
    return X.st.failed ? -1 : 0;
}
