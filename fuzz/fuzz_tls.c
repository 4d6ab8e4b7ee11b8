/* fuzz_tls.c - libFuzzer target: one TLS connection (dissect/tls.c) fed
 * both directions in chunks the input chooses, with or without a key
 * table, so record framing, handshake parsing, certificate names, key
 * schedules and record opening all see hostile bytes.
 *
 * Input:
 *   [0]    bit 0: a key log follows (else parse only)
 *          bit 1: drop the key table after parsing it (keys == NULL)
 *   if bit 0: [1..2] key log length (big endian), then that many bytes of
 *          key log text, parsed with tls_keys_parse
 *   then chunks: [ctl][len be16][bytes]
 *          ctl bit 0: direction (0 client->server, 1 server->client)
 *          ctl bit 1: a gap of len bytes (no bytes follow)
 *          ctl bit 2: also ask tls_looks_like_record about the bytes
 *          a len past the end takes what is left.
 *
 * Properties: no crash, leak or undefined behaviour (ASan, UBSan); every
 * pointer in an event is readable for its length and its counts are in
 * their bounds; plaintext only comes with a key table, at most one record
 * at a time; names are NUL-terminated; stream memory is back to zero
 * after tls_conn_free and tls_keys_free. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dissect/keylog.h"
#include "../dissect/mem.h"
#include "../dissect/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;
static int have_keys;

static void
touch(const uint8_t *p, size_t n)
{
    size_t i;
    uint8_t x = 0;

    if (n && !p)
        abort();
    for (i = 0; i < n; i++)
        x ^= p[i];
    sink ^= x;
}

static void
touch_str(const struct tls_str *s, size_t max)
{
    if (s->n > max) {
        fprintf(stderr, "fuzz: string of %zu bytes (max %zu)\n", s->n, max);
        abort();
    }
    touch(s->p, s->n);
}

static void
touch_name(const char *s)
{
    if (s)
        touch((const uint8_t *)s, strlen(s));
}

static void
on_plain(void *ctx, int dir, const uint8_t *p, size_t n, uint64_t pkt,
         const struct ms_time *ts)
{
    (void)ctx;
    (void)pkt;
    (void)ts;
    if (!have_keys || (dir != 0 && dir != 1) || !n || n > LIM_TLS_RECORD) {
        fprintf(stderr, "fuzz: plaintext dir %d, %zu bytes, keys %d\n", dir, n, have_keys);
        abort();
    }
    touch(p, n);
}

static void
on_event(void *ctx, const struct tls_event *e)
{
    int i;

    (void)ctx;
    if ((unsigned)e->kind >= TLS_EV_N || (e->dir != 0 && e->dir != 1)
        || e->n_suites > LIM_TLS_SUITES || e->n_alpn > LIM_TLS_ALPN
        || e->n_versions > LIM_TLS_VERSIONS || e->n_certs > LIM_TLS_CERTS
        || e->n_certs > e->certs_total) {
        fprintf(stderr, "fuzz: event %d out of bounds\n", (int)e->kind);
        abort();
    }
    touch_name(tls_ev_kind_name(e->kind));
    touch_name(e->suite_name);
    touch_name(e->alert_name);
    touch_name(e->alert_level_name);
    touch_name(e->reason);
    touch_str(&e->sni, 65535);
    touch_str(&e->session_id, 32);
    for (i = 0; i < e->n_alpn; i++)
        touch_str(&e->alpn[i], 255);
    for (i = 0; i < e->n_certs; i++) {
        touch_str(&e->certs[i].subject, LIM_TLS_NAME);
        touch_str(&e->certs[i].issuer, LIM_TLS_NAME);
    }
    touch((const uint8_t *)e->suites, e->n_suites * sizeof e->suites[0]);
}

static const struct tls_out out = { on_plain, on_event, NULL };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tls_keys *k = NULL;
    struct tls_conn *c;
    struct tls_conn_stats st;
    size_t i = 1, n;
    uint64_t pkt = 0;
    struct ms_time ts = { 1700000000, 0 };

    if (size < 1)
        return 0;
    if (data[0] & 1) {
        if (size < 3)
            return 0;
        n = (size_t)data[1] << 8 | data[2];
        i = 3;
        if (n > size - i)
            n = size - i;
        k = tls_keys_new();
        if (!k)
            abort();
        tls_keys_parse(k, data + i, n);
        i += n;
    }
    if (data[0] & 2) {
        tls_keys_free(k);
        k = NULL;
    }
    have_keys = k != NULL;
    c = tls_conn_new(k);
    if (!c)
        abort();
    while (i + 3 <= size) {
        uint8_t ctl = data[i];
        int dir = ctl & 1;
        n = (size_t)data[i + 1] << 8 | data[i + 2];
        i += 3;
        pkt++;
        ts.nsec = (uint32_t)(pkt * 1000 % 1000000000u);
        if (ctl & 2) {
            tls_conn_gap(c, dir, n, &out);
            continue;
        }
        if (n > size - i)
            n = size - i;
        if (ctl & 4) {
            int r = tls_looks_like_record(data + i, n);
            if (r != 0 && r != 1)
                abort();
        }
        /* A copy of exactly n bytes: ASan sees any read past it. */
        {
            uint8_t *p = malloc(n ? n : 1);
            if (!p)
                abort();
            memcpy(p, data + i, n);
            tls_conn_data(c, dir, p, n, pkt, &ts, &out);
            free(p);
        }
        i += n;
    }
    tls_conn_close(c, &out);
    tls_conn_stats(c, &st);
    if (!have_keys && (st.plain_bytes[0] || st.plain_bytes[1]))
        abort();
    tls_conn_free(c);
    tls_keys_free(k);
    if (mem_stats()->in_use[MEM_STREAM]) {
        fprintf(stderr, "fuzz: %llu stream bytes still in use\n",
                (unsigned long long)mem_stats()->in_use[MEM_STREAM]);
        abort();
    }
    return 0;
}
