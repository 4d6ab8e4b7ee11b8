/* test_seam.c - the decoder seam changes nothing: every capture in the
 * repository, read through the pump twice, once as it is and once with
 * the identity decoder between every connection's TCP stream and its
 * line assembler, must give byte-identical JSON. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "../../capture/cap.h"
#include "../../capture/pump.h"
#include "../../dissect/dec.h"
#include "../../dissect/dissect.h"
#include "../../ui/ob.h"
#include "../../ui/out.h"

static FILE *out;
static uint64_t nrec, total;

static void
sink(void *ctx, const struct rec *r)
{
    static const struct out_opts oo = { 0, 0, 1, 0 };

    (void)ctx;
    nrec++;
    json_record(out, r, &oo);
}

/* The JSON of a capture, in a malloc'd buffer; NULL if it cannot be read. */
static char *
run(const char *file, const struct dec_ops *dec, size_t *len)
{
    static struct dis_cfg cfg;
    struct rec_sink s = { sink, NULL };
    char eb[ERRBUF_LEN], *buf = NULL;
    struct cap c;
    struct pump p;
    struct dis *d;

    if (cap_open_offline(&c, file, eb) < 0)
        return NULL;
    dis_default_ports(&cfg);
    cfg.decoder = dec;
    out = tmpfile();    /* ob.h writes to the descriptor */
    d = dis_new(&cfg, &s);
    if (!out || !d) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    pump_init(&p, &c, d, 0, NULL);
    pump_run(&p);
    dis_free(d);
    ob_flush();
    fflush(out);
    *len = (size_t)ftell(out);
    rewind(out);
    buf = malloc(*len + 1);
    if (!buf || fread(buf, 1, *len, out) != *len) {
        fprintf(stderr, "%s: cannot read back the output\n", file);
        exit(1);
    }
    fclose(out);
    cap_close(&c);
    total += *len;
    return buf;
}

int
main(void)
{
    static const char *const pats[] = { "samples/*.pcap*", "tests/data/*/*.pcap*" };
    glob_t g;
    size_t i, k, la, lb;
    int files = 0;

    for (k = 0; k < sizeof pats / sizeof pats[0]; k++) {
        if (glob(pats[k], 0, NULL, &g) != 0)
            continue;
        for (i = 0; i < g.gl_pathc; i++) {
            char *a = run(g.gl_pathv[i], NULL, &la);
            char *b = run(g.gl_pathv[i], &dec_identity, &lb);
            if (!a || !b) {
                fprintf(stderr, "%s: cannot read\n", g.gl_pathv[i]);
                T_CHECK(0);
            } else if (la != lb || memcmp(a, b, la)) {
                fprintf(stderr, "%s: output differs through the identity decoder\n",
                        g.gl_pathv[i]);
                T_CHECK(0);
            } else {
                T_CHECK(1);
            }
            free(a);
            free(b);
            files++;
        }
        globfree(&g);
    }
    /* The test means something only with captures that have records. */
    T_CHECK(files >= 10);
    T_CHECK(nrec > 1000);
    T_CHECK(total > 100000);
    return T_DONE();
}
