/* main.c - options, wiring (capture -> pump -> dissect -> a view),
 * exit codes. The only place that exits.
 * Exit status: 0 done; 1 the input could not be read (or was cut short:
 * everything decoded before the bad record is still printed); 2 usage
 * error (bad option, bad display or capture filter). */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/cap.h"
#include "capture/pump.h"
#include "dissect/anom.h"
#include "dissect/cred.h"
#include "dissect/dissect.h"
#include "dissect/err.h"
#include "dissect/field.h"
#include "dissect/filter.h"
#include "dissect/keylog.h"
#include "dissect/mem.h"
#include "ui/esc.h"
#include "ui/export.h"
#include "ui/fmt.h"
#include "ui/ob.h"
#include "ui/out.h"
#include "ui/tui.h"
#include "ui/zrep.h"

#ifndef MAILSIFT_VERSION
#define MAILSIFT_VERSION "0.1"
#endif

enum { OUT_TEXT, OUT_JSON, OUT_EK };

static struct {
    struct cap cap;
    struct pump pump;
    struct dis *dis;
    struct rec_clock clock;     /* outlives the dissector: the report keeps records */
    struct flt *flt;
    struct out_opts oo;
    int out;
    int quiet;
    struct report *report;
    struct zrep *zrep;      /* -z stat, sessions, ladder, report */
    uint64_t shown;
    const char **rfiles;        /* -r FILE...: pointers into argv */
    struct tls_keys *keys;      /* --tls-keylog */
    struct dis_tls_counts tls;  /* at the end, for the report and --stats */
} M;

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
    cap_breakloop(&M.cap);
}

static void
on_record(void *ctx, const struct rec *r)
{
    (void)ctx;
    if (M.flt && !flt_match(M.flt, r))
        return;
    M.shown++;
    if (M.report)
        report_add(M.report, r);
    if (M.zrep)
        zrep_record(M.zrep, r);
    if (M.quiet)
        return;
    if (M.out == OUT_JSON)
        json_record(stdout, r, &M.oo);
    else if (M.out == OUT_EK)
        ek_record(stdout, r, &M.oo);
    else
        txt_record(stdout, r, &M.oo);
}

static void
usage(FILE *fp)
{
    fputs(
"Usage: mailsift [options] -r FILE | -i IFACE\n"
"SMTP, POP3 and IMAP analyzer: commands, replies, typed lines, credentials.\n"
"\n"
"Input:\n"
"  -r FILE [FILE...] read pcap or pcapng files (\"-\" for stdin): -r may be\n"
"                    repeated and files may follow it; several files are\n"
"                    read as one capture merged in time order (mergecap)\n"
"  -i IFACE          capture live on IFACE (needs root or CAP_NET_RAW)\n"
"  -D                list interfaces\n"
"  -f BPF            capture filter (live default: TCP on the mail ports)\n"
"  -c N              stop after N packets\n"
"  -s SNAPLEN        snapshot length for live capture (default 262144)\n"
"  -B MIB            kernel buffer size for live capture in MiB (default 32)\n"
"  -w FILE           also write the raw packets to FILE (pcap)\n"
"  -Z USER           drop privileges to USER after opening the interface\n"
"                    (default when root: nobody)\n"
"  --port PROTO=N    treat TCP port N as smtp, pop3, imap, smtps, pop3s or\n"
"                    imaps, without checking the bytes (the mail ports are\n"
"                    checked: a connection that does not speak the protocol\n"
"                    is shown once as not mail)\n"
"  --detect          recognise SMTP, POP3 and IMAP by their bytes on every\n"
"                    TCP port\n"
"  --tls-keylog FILE decrypt TLS (STARTTLS, STLS, 465, 993, 995) with the\n"
"                    secrets in FILE: an NSS key log (SSLKEYLOGFILE, openssl\n"
"                    s_client -keylogfile) or s_client's Session-ID/Master-Key\n"
"                    printout; live, FILE is read again when a session needs\n"
"                    a secret. Without the option $SSLKEYLOGFILE is used when\n"
"                    set\n"
"  -o tls.keylog_file:FILE  the same, in tshark's spelling\n"
"\n"
"Output:\n"
"  -T text|json|ek   text table (default), one JSON object per line, or\n"
"                    Elasticsearch/OpenSearch bulk lines like tshark -T ek\n"
"                    (index template: contrib/mailsift-template.json)\n"
"  -t r|a|ad|u|ud|e|d  time format: relative, absolute, absolute with date,\n"
"                    UTC, UTC with date, epoch, delta (like tshark)\n"
"  -Y FILTER         display filter (Wireshark syntax), e.g. 'smtp.auth.username'\n"
"  -z creds          print the credentials report at the end\n"
"  -z creds,hashcat  print CRAM-MD5 (-m 16400) and APOP (-m 20) hashes\n"
"  -z PROTO,stat     statistics of smtp, pop or imap: commands, reply codes and\n"
"                    classes, logins, failure rates, reply latency\n"
"  -z sessions       one row per connection\n"
"  -z ladder,N       sequence diagram of stream N\n"
"  -z report[,html]  lab report of the capture, Markdown or HTML\n"
"                    (-z may be given several times, like tshark)\n"
"  -q                no per-message output (with -z)\n"
"  --mask            replace every secret with ****\n"
"  --color=WHEN      never, always or auto (default; honours NO_COLOR)\n"
"  --ui / --no-ui    force or suppress the ncurses view (default: view when\n"
"                    stdout is a terminal and -T is not given)\n"
"  --stats           print anomaly counters and memory figures at the end\n"
"  --list-fields     list the fields usable in -Y and JSON\n"
"  --export-objects imf,DIR\n"
"                    write each message body (DATA, BDAT, RETR, TOP, IMAP\n"
"                    FETCH and APPEND) to DIR/FRAME-PROTO-STREAM.eml,\n"
"                    dot-unstuffed\n"
"\n"
"Limits:\n"
"  --max-flows N     flow table size (default 262144)\n"
"  --memcap BYTES    memory cap for flow and stream state (default 256M)\n"
"  --export-max BYTES  bytes written per exported message (default 64M)\n"
"\n"
"  -h, --help        this help;  -v, --version  version\n"
"\n"
"Exit status: 0 done, 1 unreadable or damaged input or an output that\n"
"could not be written, 2 usage error.\n", fp);
}

static int
parse_u64(const char *s, uint64_t *v)
{
    char *end;
    unsigned long long x;

    errno = 0;
    x = strtoull(s, &end, 0);
    if (errno || end == s || *s == '-')
        return -1;
    switch (*end) {
    case 'k': case 'K': x <<= 10; end++; break;
    case 'm': case 'M': x <<= 20; end++; break;
    case 'g': case 'G': x <<= 30; end++; break;
    }
    if (*end)
        return -1;
    *v = x;
    return 0;
}

/* Default live filter: TCP on every configured mail port. */
static void
default_bpf(const struct dis_cfg *cfg, char *buf, size_t sz)
{
    size_t o = 0;
    int p, n = 0;

    o += (size_t)snprintf(buf, sz, "tcp and (");
    for (p = 1; p < 65536 && o < sz; p++)
        if (cfg->port_map[p])
            o += (size_t)snprintf(buf + o, sz - o, "%sport %d", n++ ? " or " : "", p);
    if (o < sz)
        snprintf(buf + o, sz - o, ")");
}

static void
print_stats(FILE *fp, const struct cap *c)
{
    const struct mem_stats *ms = mem_stats();
    int a;

    fprintf(fp, "# stats: %llu packets, %llu records shown\n",
            (unsigned long long)c->count, (unsigned long long)M.shown);
    for (a = 0; a < ANOM_N; a++)
        fprintf(fp, "# anomaly %-24s %llu\n", anom_name(a),
                (unsigned long long)anom_count[a]);
    if (M.tls.sessions || M.keys)
        fprintf(fp, "# tls sessions %llu, decrypted %llu, not decrypted %llu, failed %llu\n",
                (unsigned long long)M.tls.sessions, (unsigned long long)M.tls.decrypted,
                (unsigned long long)M.tls.undecrypted, (unsigned long long)M.tls.failed);
    if (M.keys) {
        struct tls_keys_stats ks;
        tls_keys_stats(M.keys, &ks);
        fprintf(fp, "# tls key log: %llu lines, %llu secrets, %llu bad lines skipped, "
                "%llu ignored, %llu refused, %llu re-reads\n",
                (unsigned long long)ks.lines, (unsigned long long)ks.secrets,
                (unsigned long long)ks.bad_lines, (unsigned long long)ks.ignored,
                (unsigned long long)ks.refused, (unsigned long long)ks.reloads);
    }
    fprintf(fp, "# memory refused %llu\n", (unsigned long long)ms->refused);
    /* The peak depends on struct sizes, not on the input: keep it out of
     * the golden output. */
    fprintf(stderr, "mailsift: memory peak %llu bytes (cap %llu)\n",
            (unsigned long long)ms->peak, (unsigned long long)ms->cap);
}

static void
list_fields(void)
{
    size_t n, i;
    const struct fld_def *t = fld_table(&n);

    for (i = 0; i < n; i++)
        printf("%-26s %-9s %s\n", t[i].name, fld_type_name(t[i].type), t[i].desc);
}

/* The pump for the view: it calls these between keys. */
static unsigned
src_step(void *ctx, unsigned max, int budget_ms)
{
    return pump_step(ctx, max, budget_ms);
}

static void
src_status(void *ctx, struct src_status *st)
{
    pump_status(ctx, st);
}

/* One line for each file that failed while being read. */
static void
input_error(const struct pump *p)
{
    const char *name, *err;
    uint64_t after;
    int i;

    for (i = 0; i < p->cap->nsrc; i++)
        if (cap_error(p->cap, i, &name, &err, &after))
            fprintf(stderr, "mailsift: %s: %s (after packet %llu)\n", name, err,
                    (unsigned long long)after);
}

/* tcpdump's words for the counters, and its plurals. */
static void
live_summary(FILE *fp, const struct cap *c)
{
    struct cap_stats cs;

#define PL(n) (unsigned long long)(n), (n) == 1 ? "" : "s"
    fprintf(fp, "%llu packet%s captured\n", PL(c->count));
    if (cap_stats((struct cap *)c, &cs) == 0) {
        fprintf(fp, "%llu packet%s received by filter\n", PL(cs.recv));
        fprintf(fp, "%llu packet%s dropped by kernel\n", PL(cs.drop));
        fprintf(fp, "%llu packet%s dropped by interface\n", PL(cs.ifdrop));
    }
#undef PL
}

/* The progress line (offline, stderr a terminal, not -q): the file being
 * read, how far, how fast, records so far; first after a second, then
 * four times a second; cleared at the end. */
static struct {
    int on, shown;
    double t0, last;
} P;

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
progress(int end)
{
    struct src_status st;
    double t = now_s(), mb;
    char pct[16] = "", name[64];

    if (end) {
        if (P.shown)
            fputs("\r\033[K", stderr);
        P.shown = 0;
        return;
    }
    if (t - P.t0 < 1.0 || t - P.last < 0.25)
        return;
    P.last = t;
    pump_status(&M.pump, &st);
    mb = (double)st.bytes_done / 1e6;
    if (st.bytes_total)
        snprintf(pct, sizeof pct, " %3.0f%%", 100.0 * (double)st.bytes_done
                 / (double)st.bytes_total);
    /* the file name may come from a glob over a directory others
     * write to: escaped like packet bytes, and cut */
    esc_bytes(name, sizeof name, (const uint8_t *)(st.name ? st.name : ""),
              st.name ? strlen(st.name) : 0, ESC_ELLIPSIS);
    fprintf(stderr, "\r\033[Kmailsift: %s%s %.0f MB/s, %llu records",
            name, pct, mb / (t - P.t0), (unsigned long long)M.shown);
    P.shown = 1;
}

int
main(int argc, char **argv)
{
    static struct dis_cfg cfg;
    enum { O_MASK = 256, O_COLOR, O_UI, O_NOUI, O_STATS, O_FIELDS, O_PORT,
           O_MAXFLOWS, O_MEMCAP, O_EXPORT, O_EXPORT_MAX, O_DETECT, O_KEYLOG };
    static const struct option lopts[] = {
        { "mask", no_argument, NULL, O_MASK },
        { "color", required_argument, NULL, O_COLOR },
        { "colour", required_argument, NULL, O_COLOR },
        { "ui", no_argument, NULL, O_UI },
        { "no-ui", no_argument, NULL, O_NOUI },
        { "stats", no_argument, NULL, O_STATS },
        { "list-fields", no_argument, NULL, O_FIELDS },
        { "port", required_argument, NULL, O_PORT },
        { "detect", no_argument, NULL, O_DETECT },
        { "tls-keylog", required_argument, NULL, O_KEYLOG },
        { "max-flows", required_argument, NULL, O_MAXFLOWS },
        { "memcap", required_argument, NULL, O_MEMCAP },
        { "export-objects", required_argument, NULL, O_EXPORT },
        { "export-max", required_argument, NULL, O_EXPORT_MAX },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    const char *iface = NULL, *bpf = NULL, *wfile = NULL;
    const char *yfilter = NULL, *zuser = NULL, *color = "auto", *xdir = NULL;
    const char *keylog = NULL;
    uint64_t xmax = 0;
    char eb[ERRBUF_LEN], defbpf[2048];
    uint64_t maxpkts = 0, v, bufsize = 0;
    int nr = 0, nopen = 0, i;
    int opt, snaplen = 0, stats = 0, creds = 0, hashcat = 0, ui = -1, tset = 0;
    int rc = 0;
    struct rec_sink sink = { on_record, NULL };
    struct sigaction sa;

    /* Column widths of UTF-8 text (wcwidth) in the printers' tables; the
     * output itself is UTF-8 whatever the locale. The view sets its own. */
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        setlocale(LC_CTYPE, "");
    dis_default_ports(&cfg);
    cfg.clock = &M.clock;
    M.oo.time_fmt = TF_REL;
    while ((opt = getopt_long(argc, argv, "r:i:Df:c:s:B:w:T:t:Y:z:qZ:o:nhv", lopts, NULL)) != -1) {
        switch (opt) {
        case 'r':
            if (!(M.rfiles = realloc(M.rfiles, (size_t)(nr + 1) * sizeof *M.rfiles))) {
                fprintf(stderr, "mailsift: out of memory\n");
                return 1;
            }
            M.rfiles[nr++] = optarg;
            break;
        case 'i': iface = optarg; break;
        case 'D':
            if (cap_list(stdout, eb) < 0) {
                fprintf(stderr, "mailsift: %s\n", eb);
                return 1;
            }
            return 0;
        case 'f': bpf = optarg; break;
        case 'c':
            if (parse_u64(optarg, &maxpkts) < 0 || !maxpkts)
                goto bad_arg;
            break;
        case 's':
            if (parse_u64(optarg, &v) < 0 || v > 262144)
                goto bad_arg;
            snaplen = (int)v;
            break;
        case 'B':
            /* MiB, as tcpdump's -B takes KiB and tshark's MiB */
            if (parse_u64(optarg, &v) < 0 || !v || v > 2047)
                goto bad_arg;
            bufsize = v << 20;
            break;
        case 'w': wfile = optarg; break;
        case 'T':
            if (!strcmp(optarg, "text"))
                M.out = OUT_TEXT;
            else if (!strcmp(optarg, "json"))
                M.out = OUT_JSON;
            else if (!strcmp(optarg, "ek"))
                M.out = OUT_EK;
            else
                goto bad_arg;
            tset = 1;
            break;
        case 't':
            if (!strcmp(optarg, "r")) M.oo.time_fmt = TF_REL;
            else if (!strcmp(optarg, "a")) M.oo.time_fmt = TF_ABS;
            else if (!strcmp(optarg, "ad")) M.oo.time_fmt = TF_ABS_DATE;
            else if (!strcmp(optarg, "u")) M.oo.time_fmt = TF_UTC;
            else if (!strcmp(optarg, "ud")) M.oo.time_fmt = TF_UTC_DATE;
            else if (!strcmp(optarg, "e")) M.oo.time_fmt = TF_EPOCH;
            else if (!strcmp(optarg, "d")) M.oo.time_fmt = TF_DELTA;
            else goto bad_arg;
            break;
        case 'Y': yfilter = optarg; break;
        case 'z':
            if (!strcmp(optarg, "creds"))
                creds = 1;
            else if (!strcmp(optarg, "creds,hashcat"))
                creds = hashcat = 1;
            else if ((!M.zrep && !(M.zrep = zrep_new())) || zrep_add(M.zrep, optarg) < 0)
                goto bad_arg;
            break;
        case 'q': M.quiet = 1; break;
        case 'Z': zuser = optarg; break;
        case 'n': break;    /* names are never resolved */
        case 'h': usage(stdout); return 0;
        case 'v': printf("mailsift %s\n", MAILSIFT_VERSION); return 0;
        case O_MASK: cred_set_mask(1); break;
        case O_COLOR:
            if (strcmp(optarg, "never") && strcmp(optarg, "always") && strcmp(optarg, "auto"))
                goto bad_arg;
            color = optarg;
            break;
        case O_UI: ui = 1; break;
        case O_NOUI: ui = 0; break;
        case O_STATS: stats = 1; break;
        case O_FIELDS: list_fields(); return 0;
        case O_PORT:
            if (dis_port_option(&cfg, optarg) < 0)
                goto bad_arg;
            break;
        case O_DETECT: cfg.detect = 1; break;
        case O_KEYLOG: keylog = optarg; break;
        case 'o':
            /* tshark's preferences: the one that means something here */
            if (strncmp(optarg, "tls.keylog_file:", 16) && strncmp(optarg, "ssl.keylog_file:", 16)) {
                fprintf(stderr, "mailsift: -o %s: the only preference is tls.keylog_file:FILE\n", optarg);
                return 2;
            }
            keylog = optarg + 16;
            break;
        case O_MAXFLOWS:
            if (parse_u64(optarg, &v) < 0 || !v || v > (1u << 30))
                goto bad_arg;
            cfg.max_flows = (uint32_t)v;
            break;
        case O_MEMCAP:
            if (parse_u64(optarg, &v) < 0 || v < (1u << 20))
                goto bad_arg;
            mem_set_cap(v);
            break;
        case O_EXPORT:
            /* tshark's form, PROTOCOL,DIR; IMF is the one protocol here */
            if (strncmp(optarg, "imf,", 4) || !optarg[4]) {
                fprintf(stderr, "mailsift: --export-objects wants imf,DIR "
                        "(the only object type is imf: message bodies)\n");
                return 2;
            }
            xdir = optarg + 4;
            break;
        case O_EXPORT_MAX:
            if (parse_u64(optarg, &v) < 0 || !v)
                goto bad_arg;
            xmax = v;
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc && nr) {
        /* -r a.pcap b.pcap ...: the files after -r (a shell glob) */
        M.rfiles = realloc(M.rfiles, (size_t)(nr + argc - optind) * sizeof *M.rfiles);
        if (!M.rfiles) {
            fprintf(stderr, "mailsift: out of memory\n");
            return 1;
        }
        while (optind < argc)
            M.rfiles[nr++] = argv[optind++];
    }
    if (optind < argc) {
        fprintf(stderr, "mailsift: unexpected argument \"%s\" (see --help)\n", argv[optind]);
        return 2;
    }
    if (!nr == !iface) {
        fprintf(stderr, "mailsift: give exactly one of -r FILE or -i IFACE (see --help)\n");
        return 2;
    }
    if (yfilter) {
        struct flt_err fe;
        M.flt = flt_compile(yfilter, &fe);
        if (!M.flt) {
            flt_err_print(stderr, yfilter, &fe);
            return 2;
        }
    }
    if (!keylog && getenv("SSLKEYLOGFILE") && *getenv("SSLKEYLOGFILE"))
        keylog = getenv("SSLKEYLOGFILE");
    if (keylog) {
        if (!*keylog) {
            fprintf(stderr, "mailsift: --tls-keylog wants a file name\n");
            return 2;
        }
        if (!(M.keys = tls_keys_new())) {
            fprintf(stderr, "mailsift: out of memory\n");
            return 1;
        }
        if (tls_keys_load(M.keys, keylog, eb, sizeof eb) < 0) {
            /* Live, the client may not have written it yet: it is read
             * when a session needs a secret. */
            if (!(iface && access(keylog, F_OK) < 0 && errno == ENOENT)) {
                fprintf(stderr, "mailsift: %s\n", eb);
                return 1;
            }
            fprintf(stderr, "mailsift: %s: not there yet; read when a TLS session needs it\n", keylog);
        }
        /* live: a secret may be written just after its first record */
        tls_keys_set_live(M.keys, iface != NULL);
        cfg.keys = M.keys;
    }
    if (ui < 0)
        ui = !tset && !creds && !M.zrep && !M.quiet && isatty(STDOUT_FILENO);
    if (!strcmp(color, "always"))
        M.oo.color = 1;
    else if (!strcmp(color, "auto"))
        M.oo.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    M.oo.tag_cred = !M.oo.color;

    if (nr) {
        /* A file that cannot be opened is one line naming it; the others
         * are read, and the exit status says one failed. */
        M.cap.cur = -1;
        for (i = 0; i < nr; i++) {
            if (cap_add_file(&M.cap, M.rfiles[i], eb) < 0) {
                fprintf(stderr, "mailsift: %s: %s\n", M.rfiles[i], eb);
                rc = 1;
                continue;
            }
            nopen++;
        }
        if (!nopen) {
            cap_close(&M.cap);
            return 1;
        }
    } else {
        if (cap_open_live(&M.cap, iface, snaplen, ui, bufsize, eb) < 0) {
            fprintf(stderr, "mailsift: %s: %s\n", iface, eb);
            return 1;
        }
        if (!bpf) {
            /* --detect looks at every TCP port */
            if (cfg.detect)
                snprintf(defbpf, sizeof defbpf, "tcp");
            else
                default_bpf(&cfg, defbpf, sizeof defbpf);
            bpf = defbpf;
        }
    }
    if (bpf && cap_set_filter(&M.cap, bpf, eb) < 0) {
        fprintf(stderr, "mailsift: %s\n", eb);
        cap_close(&M.cap);
        return 2;
    }
    /* The -w file is opened while still root, as tcpdump does: a
     * directory only root may write to is a common place for it, and
     * failing here loses no packet. */
    if (wfile && cap_open_dump(&M.cap, wfile, eb) < 0) {
        fprintf(stderr, "mailsift: %s\n", eb);
        cap_close(&M.cap);
        return 1;
    }
    if (iface && (zuser || geteuid() == 0)) {
        /* After activation and the -w file, before the first packet is
         * parsed (tcpdump does the same). */
        if (cap_drop_privs(zuser ? zuser : "nobody", eb) < 0) {
            fprintf(stderr, "mailsift: %s\n", eb);
            cap_close(&M.cap);
            return 1;
        }
    }
    if (xdir) {
        /* also after the drop: the files belong to the capture user */
        if (exp_init(xdir, xmax, 0, eb, sizeof eb) < 0) {
            fprintf(stderr, "mailsift: %s\n", eb);
            cap_close(&M.cap);
            return 1;
        }
        cfg.body = &exp_sink;
    }
    if (creds && !(M.report = report_new(&M.oo, hashcat))) {
        fprintf(stderr, "mailsift: out of memory\n");
        return 1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;  /* no SA_RESTART: a blocked read wakes up */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    if (ui) {
        struct tui_opts to = { .filter = yfilter, .time_fmt = M.oo.time_fmt,
                               .color = strcmp(color, "never") && !getenv("NO_COLOR"),
                               .stop = &stop };
        struct tui *t = tui_new(&to);
        struct tui_src src = { src_step, src_status, -1, &M.pump };
        if (t) {
            sink = tui_sink(t);
            M.dis = dis_new(&cfg, &sink);
        }
        if (!t || !M.dis) {
            fprintf(stderr, "mailsift: out of memory\n");
            return 1;
        }
        pump_init(&M.pump, &M.cap, M.dis, maxpkts, &stop);
        if (M.cap.live && (src.fd = cap_selectable(&M.cap, eb)) < 0) {
            fprintf(stderr, "mailsift: %s: %s\n", M.cap.name, eb);
            return 1;
        }
        if (tui_run(t, &src))
            rc = 1;
        if (M.pump.state == SRC_ERROR)
            input_error(&M.pump);
        dis_free(M.dis);
        if (exp_finish(stderr) < 0 && rc == 0)
            rc = 1;
        cap_close(&M.cap);
        flt_free(M.flt);
        return rc;
    }
    if (M.cap.live) {
        setvbuf(stdout, NULL, _IOLBF, 0);   /* rows as sessions happen */
        M.oo.flush = 1;
    }
    if (!(M.dis = dis_new(&cfg, &sink))) {
        fprintf(stderr, "mailsift: out of memory\n");
        return 1;
    }
    /* Tests: refuse the Nth allocation after start-up, to show that a
     * refusal is a flagged limit and never a crash (tests/memfail.sh). */
    if (getenv("MAILSIFT_MEM_FAIL_NTH") && parse_u64(getenv("MAILSIFT_MEM_FAIL_NTH"), &v) == 0)
        mem_fail_nth(v);
    pump_init(&M.pump, &M.cap, M.dis, maxpkts, &stop);
    /* on a terminal of its own: not over rows printed to the same one */
    P.on = !M.cap.live && !M.quiet && isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO);
    P.t0 = now_s();
    while (M.pump.state == SRC_READING) {
        pump_step(&M.pump, 1u << 14, 0);
        if (P.on)
            progress(0);
    }
    progress(1);
    if (M.pump.state == SRC_ERROR) {
        ob_flush();
        fflush(stdout);
        input_error(&M.pump);
        rc = 1;
    }
    dis_finish(M.dis);
    dis_tls_counts(M.dis, &M.tls);
    dis_free(M.dis);
    ob_flush();
    if (exp_finish(stderr) < 0 && rc == 0)
        rc = 1;
    if (M.report)
        report_print(stdout, M.report, &M.tls, M.keys != NULL);
    if (M.zrep) {
        /* the report names its source: the file, or the first of several */
        char src[512];
        if (nr > 1)
            snprintf(src, sizeof src, "%s and %d more files", M.rfiles[0], nr - 1);
        else
            snprintf(src, sizeof src, "%s", nr ? M.rfiles[0] : iface ? iface : "-");
        zrep_print(stdout, M.zrep, &M.oo, M.out == OUT_JSON, src);
    }
    if (stats)
        print_stats(stdout, &M.cap);
    if (M.cap.live)
        live_summary(stderr, &M.cap);
    cap_close(&M.cap);
    report_free(M.report);
    zrep_free(M.zrep);
    flt_free(M.flt);
    tls_keys_free(M.keys);
    ob_flush();
    if ((fflush(stdout) == EOF || ob.err) && rc == 0)
        rc = 1;
    return rc;

bad_arg:
    fprintf(stderr, "mailsift: bad argument to -%c: \"%s\" (see --help)\n",
            opt < 256 ? opt : '-', optarg);
    return 2;
}
