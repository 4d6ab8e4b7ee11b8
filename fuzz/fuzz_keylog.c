/* fuzz_keylog.c - libFuzzer target: key log text (dissect/keylog.c), parsed
 * from memory and read from a file in two steps, the way a live capture
 * reads a key log the client is still writing.
 *
 * Input: [0..1] where to cut the text (big endian, modulo its length),
 * then the text.
 *
 * Properties: no crash, leak or undefined behaviour; the file written in
 * two parts (tls_keys_load, append, tls_keys_refresh) gives the same
 * counts (lines, bad, ignored) and the same secrets, byte for byte, as
 * tls_keys_parse of the whole text; every secret found again by
 * tls_keys_find; stream memory back to zero after tls_keys_free. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The module itself, to walk its table (so keylog.c is not linked). */
#include "../dissect/keylog.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
write_file(const uint8_t *p, size_t n, const char *mode)
{
    FILE *f = fopen(path, mode);

    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f))
        abort();
}

static void
fail(const char *what)
{
    fprintf(stderr, "fuzz property failed: %s\n", what);
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tls_keys *a, *b;
    struct tls_keys_stats sa, sb;
    char err[ERRBUF_LEN];
    size_t n, cut;
    const uint8_t *text;
    uint32_t i;

    if (size < 2)
        return 0;
    if (!path[0]) {
        /* In memory where there is a tmpfs: a disk file costs more than
         * the parsing, and fuzzing is a race for executions. */
        char shm[] = "/dev/shm/fuzz_keylog.XXXXXX", tmp[] = "/tmp/fuzz_keylog.XXXXXX";
        const char *dir = mkdtemp(shm);
        if (!dir && !(dir = mkdtemp(tmp)))
            abort();
        snprintf(path, sizeof path, "%s/keys", dir);
    }
    text = data + 2;
    n = size - 2;
    cut = n ? ((size_t)data[0] << 8 | data[1]) % (n + 1) : 0;

    a = tls_keys_new();
    b = tls_keys_new();
    if (!a || !b)
        abort();
    tls_keys_parse(a, text, n);

    write_file(text, cut, "wb");
    if (tls_keys_load(b, path, err, sizeof err) < 0)
        fail(err);
    write_file(text + cut, n - cut, "ab");
    tls_keys_set_refresh_ms(b, 0);
    if (tls_keys_refresh(b) < 0)
        fail("refresh");
    /* Nothing new: nothing changes. */
    if (tls_keys_refresh(b) != 0)
        fail("second refresh changed something");

    tls_keys_stats(a, &sa);
    tls_keys_stats(b, &sb);
    if (sa.lines != sb.lines || sa.bad_lines != sb.bad_lines || sa.ignored != sb.ignored
        || sa.secrets != sb.secrets || sa.refused != sb.refused)
        fail("file read in two parts counts differently from the text parsed whole");
    for (i = 0; i < a->n; i++) {
        const struct kl_ent *e = &a->ent[i];
        uint8_t out[TLS_SECRET_MAX];
        size_t l = tls_keys_find(a, (enum tls_secret)e->kind, e->id, e->idlen, out, sizeof out);
        if (l != e->seclen || memcmp(out, e->sec, l))
            fail("secret not found again");
        l = tls_keys_find(b, (enum tls_secret)e->kind, e->id, e->idlen, out, sizeof out);
        if (l != e->seclen || memcmp(out, e->sec, l))
            fail("secret differs between file and text");
    }
    tls_keys_free(a);
    tls_keys_free(b);
    if (mem_stats()->in_use[MEM_STREAM])
        fail("stream memory left after tls_keys_free");
    return 0;
}
