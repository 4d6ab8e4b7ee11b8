/* fuzz_lab.c - libFuzzer target: the lab companion's outputs (-z smtp,stat,
 * pop,stat, sessions, ladder,0, report, report,html) over one SMTP or POP3
 * flow, typed through telnet or not. These read what the dissector made
 * of hostile bytes and write it again: telnet option names
 * (tn_describe), reply classes and error explanations (proto.h), the
 * statistics, the ladder, Markdown and HTML.
 *
 * Input: byte 0: bit 0 port (0: 25, 1: 110), bit 1 statistics as JSON,
 * bit 2 chunked; the rest as fuzz_lines.h (0x01 switch direction, 0x02
 * segment boundary, 0x03 FIN) or, chunked, [dir][len be16][bytes]...
 * so any byte can be sent (a TLS Client Hello has 0x01 and 0x03 in it).
 *
 * Properties: every output is UTF-8 with no control or bidi character
 * but newline (fuzz_common.h); the HTML report has no element but the
 * report's own, and no attribute named on* (a capture cannot inject
 * markup); tn_describe on the raw input stays in its buffer and ASCII. */
#include <stdint.h>
#include <string.h>

#include "../dissect/telnet.h"
#include "../ui/zrep.h"
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct zrep *lab_z[3];

static void
lab_emit(void *ctx, const struct rec *r)
{
    int i;

    (void)ctx;
    for (i = 0; i < 3; i++)
        zrep_record(lab_z[i], r);
}

static const struct rec_sink lab_sink = { lab_emit, NULL };

static char *lab_buf;
static size_t lab_cap;

/* Empty the output file, print one -z output, read it back. */
static size_t
lab_print(struct zrep *z, int json)
{
    static const struct out_opts o;
    struct stat st;
    ssize_t got;

    rewind(fz_out);
    if (ftruncate(fz_fd, 0) < 0)
        abort();
    zrep_print(fz_out, z, &o, json, "fuzz");
    ob_flush();
    fflush(fz_out);
    if (fstat(fz_fd, &st) < 0 || st.st_size < 0)
        abort();
    if ((size_t)st.st_size + 1 > lab_cap) {
        lab_cap = (size_t)st.st_size + 1;
        if (!(lab_buf = realloc(lab_buf, lab_cap)))
            abort();
    }
    got = pread(fz_fd, lab_buf, (size_t)st.st_size, 0);
    if (got != (ssize_t)st.st_size)
        abort();
    lab_buf[got] = '\0';
    if (getenv("FZ_SHOW"))
        fwrite(lab_buf, 1, (size_t)got, stderr);
    return (size_t)got;
}

/* The HTML report: each '<' opens or closes an element the report
 * writes, a comment or the doctype; no attribute starts with "on". */
static void
lab_check_html(const char *buf, size_t len)
{
    static const char *const tags[] = {
        "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p",
        "code", "section", "table", "thead", "tbody", "tr", "th", "td", "ul", "li",
        "strong", "pre", "svg", "text", "line", "polygon", "rect", "g", "!DOCTYPE",
        "!--", "?xml",
    };
    size_t i, k, n;
    const char *t, *gt;

    for (i = 0; i < len; i++) {
        if (buf[i] != '<')
            continue;
        t = buf + i + 1 + (i + 1 < len && buf[i + 1] == '/');
        for (k = 0; k < sizeof tags / sizeof tags[0]; k++) {
            n = strlen(tags[k]);
            if ((size_t)(t - buf) + n <= len && !strncmp(t, tags[k], n)
                && (tags[k][0] == '!' || tags[k][0] == '?'
                    || strchr(" >/\n", t[n] ? t[n] : '>')))
                break;
        }
        if (k == sizeof tags / sizeof tags[0])
            fz_bad_output("html report: an element it does not write", buf, len, i);
        gt = memchr(buf + i, '>', len - i);
        if (!gt)
            fz_bad_output("html report: a tag never closed", buf, len, i);
        for (t = buf + i; t + 3 < gt; t++)
            if (*t == ' ' && (t[1] == 'o' || t[1] == 'O') && (t[2] == 'n' || t[2] == 'N'))
                fz_bad_output("html report: an on* attribute", buf, len, (size_t)(t - buf));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const stats[] = { "smtp,stat", "pop,stat", "sessions", "ladder,0" };
    static struct dis_cfg cfg;
    struct zrep *zs, *zm, *zh;
    struct fz_flow f;
    size_t i, start, n;
    int dir = DIR_S2C, json;
    char neg[512];

    if (size < 1)
        return 0;
    json = (data[0] & 2) != 0;

    /* The option names of whatever the input holds: bounded, ASCII. */
    memset(neg, 0x7f, sizeof neg);
    n = tn_describe(data + 1, size - 1, neg, 64, size & 1);
    if (n >= 64 ? neg[63] != '\0' : strlen(neg) != n)
        fz_bad_output("tn_describe: length or terminator", neg, 64, n < 64 ? n : 63);
    fz_check_printable("tn_describe", neg, strlen(neg));
    if (neg[64] != 0x7f)
        fz_bad_output("tn_describe: wrote past its buffer", neg, sizeof neg, 64);

    zs = zrep_new();
    zm = zrep_new();
    zh = zrep_new();
    if (!zs || !zm || !zh)
        abort();
    for (i = 0; i < sizeof stats / sizeof stats[0]; i++)
        if (zrep_add(zs, stats[i]) < 0)
            abort();
    if (zrep_add(zm, "report") < 0 || zrep_add(zh, "report,html") < 0)
        abort();
    lab_z[0] = zs;
    lab_z[1] = zm;
    lab_z[2] = zh;

    /* One flow as fuzz_lines.h builds it, each record to all three. */
    fz_open_out();
    anom_reset();
    dis_default_ports(&cfg);
    cfg.max_flows = 16;
    cfg.body = &fz_body;
    if (!(fz_dis = dis_new(&cfg, &lab_sink)))
        abort();
    fz_flow_init(&f, data[0] & 1 ? 110 : 25, 0x01000000u, 0xfffffc00u);
    fz_handshake(&f);
    if (data[0] & 4) {
        for (i = 1; i + 3 <= size; i += 3 + n) {
            n = (size_t)data[i + 1] << 8 | data[i + 2];
            if (n > size - i - 3)
                n = size - i - 3;
            fz_data(&f, data[i] & 1, data + i + 3, n, 1460);
        }
        i = size + 1;
    }
    for (start = 1, i = data[0] & 4 ? size + 1 : 1; i <= size; i++) {
        uint8_t c = i < size ? data[i] : FZ_MARK_SEG;
        if (c != FZ_MARK_DIR && c != FZ_MARK_SEG && c != FZ_MARK_FIN)
            continue;
        fz_data(&f, dir, data + start, i - start, 1460);
        start = i + 1;
        if (c == FZ_MARK_DIR) {
            dir = !dir;
        } else if (c == FZ_MARK_FIN) {
            fz_send(&f, dir, TCP_FIN | TCP_ACK, f.next[dir], f.next[!dir], NULL, 0, 0);
            f.next[dir]++;
        }
    }
    fz_end();

    n = lab_print(zs, json);
    fz_check_printable("-z stat, sessions, ladder", lab_buf, n);
    n = lab_print(zm, 0);
    fz_check_printable("-z report", lab_buf, n);
    n = lab_print(zh, 0);
    fz_check_printable("-z report,html", lab_buf, n);
    lab_check_html(lab_buf, n);
    zrep_free(zs);
    zrep_free(zm);
    zrep_free(zh);
    return 0;
}
