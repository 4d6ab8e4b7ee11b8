/* fuzz_capfiles.c - libFuzzer target: several capture files in one run,
 * as -r A B ... reads them: the input is cut at each FZ_SEP into files,
 * written to a scratch directory and opened with cap_add_file, so a
 * classic pcap goes through cap.c's own reader (and its fallback to
 * libpcap) and the files through the time-ordered merge, then the pump
 * and both printers. Properties: those of the pipeline (fuzz_common.h);
 * frame numbers count 1, 2, ... across the files; every packet of every
 * file comes out once (the merged count is the sum of each file read
 * alone); merged as mergecap merges, the earliest of the files' next
 * packets first: a file's next packet is its head all the while others
 * are taken, so it is not earlier than any taken from another file
 * since that file's last one. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../capture/cap.h"
#include "../capture/link.h"
#include "../dissect/err.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_SEP "MSFZFILE"
#define FZ_MAX_FILES 6

static char dir[64];
static int nmade;       /* files f0.. made in dir so far */

/* The scratch directory goes when the fuzzer exits normally (a crash
 * leaves it, with the files of the input that crashed). */
static void
cleanup(void)
{
    char path[96];
    int i;

    for (i = 0; i < nmade; i++) {
        snprintf(path, sizeof path, "%s/f%d", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

static void
write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");

    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f))
        abort();
}

/* The next separator in p[0..n), or NULL (memmem is not C11/POSIX). */
static const uint8_t *
find_sep(const uint8_t *p, size_t n)
{
    const size_t k = sizeof FZ_SEP - 1;
    const uint8_t *q = p, *end = p + n;

    while (n >= k && (size_t)(end - q) >= k && (q = memchr(q, FZ_SEP[0], (size_t)(end - q) - k + 1))) {
        if (!memcmp(q, FZ_SEP, k))
            return q;
        q++;
    }
    return NULL;
}

static void
fail(const char *what)
{
    fprintf(stderr, "fuzz property failed: %s\n", what);
    abort();
}

/* Packets in one file read alone (-1: it does not open). */
static long long
count_alone(const char *path)
{
    char eb[ERRBUF_LEN];
    struct cap c;
    struct cap_pkt p;
    long long n = 0;
    int rc;

    memset(&c, 0, sizeof c);
    if (cap_add_file(&c, path, eb) < 0) {
        cap_close(&c);
        return -1;
    }
    while ((rc = cap_next(&c, &p, eb)) == CAP_PKT)
        n++;
    cap_close(&c);
    return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char paths[FZ_MAX_FILES][96];
    char eb[ERRBUF_LEN];
    const uint8_t *p = data, *end = data + size, *s;
    struct cap c;
    struct cap_pkt pk;
    struct ms_time bound[FZ_MAX_FILES];   /* latest taken from the others */
    int bound_set[FZ_MAX_FILES];
    long long want = 0, got = 0, n;
    int nf = 0, nopen = 0, i, rc, fam;
    size_t l3n;
    const uint8_t *l3;

    if (!size)
        return 0;
    if (!dir[0]) {
        /* in memory where there is a tmpfs: a disk costs more than parsing */
        char shm[] = "/dev/shm/fuzz_capfiles.XXXXXX", tmp[] = "/tmp/fuzz_capfiles.XXXXXX";
        const char *d = mkdtemp(shm);
        if (!d && !(d = mkdtemp(tmp)))
            abort();
        snprintf(dir, sizeof dir, "%s", d);
        atexit(cleanup);
    }
    while (nf < FZ_MAX_FILES && p <= end) {
        s = nf == FZ_MAX_FILES - 1 ? NULL
            : find_sep(p, (size_t)(end - p));
        snprintf(paths[nf], sizeof paths[nf], "%s/f%d", dir, nf);
        write_file(paths[nf], p, (size_t)((s ? s : end) - p));
        nf++;
        if (nf > nmade)
            nmade = nf;
        if (!s)
            break;
        p = s + sizeof FZ_SEP - 1;
    }

    memset(&c, 0, sizeof c);
    for (i = 0; i < nf; i++) {
        if ((n = count_alone(paths[i])) < 0)
            continue;
        if (cap_add_file(&c, paths[i], eb) < 0)
            fail("a file that opened alone did not open among others");
        nopen++;
        want += n;
    }
    if (!nopen) {
        cap_close(&c);
        return 0;
    }
    memset(bound_set, 0, sizeof bound_set);
    fz_begin(256);
    while ((rc = cap_next(&c, &pk, eb)) == CAP_PKT) {
        got++;
        if (pk.num != (uint64_t)got)
            fail("frame numbers do not count 1, 2, ... across the files");
        if (c.cur < 0 || c.cur >= nopen)
            fail("packet from no source");
        if (bound_set[c.cur] && (pk.ts.sec < bound[c.cur].sec ||
            (pk.ts.sec == bound[c.cur].sec && pk.ts.nsec < bound[c.cur].nsec)))
            fail("a packet came out before an earlier one of another file");
        bound_set[c.cur] = 0;
        for (i = 0; i < nopen; i++)
            if (i != c.cur && (!bound_set[i] || pk.ts.sec > bound[i].sec ||
                (pk.ts.sec == bound[i].sec && pk.ts.nsec > bound[i].nsec))) {
                bound[i] = pk.ts;
                bound_set[i] = 1;
            }
        fam = link_l3(pk.dlt, pk.data, pk.caplen, &l3, &l3n);
        if (fam > 0)
            dis_packet(fz_dis, pk.num, &pk.ts, pk.caplen, pk.len, fam, l3, l3n);
    }
    /* a file damaged part-way is left out from there on: fewer, never more */
    if (got > want || (rc == CAP_EOF && got != want))
        fail("packets merged != the sum of the files read alone");
    dis_finish(fz_dis);
    fz_end();
    cap_close(&c);
    return 0;
}
