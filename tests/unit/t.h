/* t.h - tiny test harness: T_CHECK records a failure and goes on; the
 * runner prints "N passed, N failed" like every other suite here. */
#ifndef MS_T_H
#define MS_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define T_CHECK(cond) do { \
    if (cond) t_pass++; \
    else { t_fail++; fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

/* Compare a (pointer, length) byte string with a C string. */
#define T_BYTES(p, n, str) do { \
    size_t t_n_ = strlen(str); \
    int t_ok_ = (size_t)(n) == t_n_ && memcmp((p), (str), t_n_) == 0; \
    if (t_ok_) t_pass++; \
    else { t_fail++; fprintf(stderr, "%s:%d: FAIL: got \"%.*s\" want \"%s\"\n", \
        __FILE__, __LINE__, (int)(n), (const char *)(p), (str)); } \
} while (0)

#define T_INT(a, b) do { \
    long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
    if (t_a_ == t_b_) t_pass++; \
    else { t_fail++; fprintf(stderr, "%s:%d: FAIL: %s == %lld, want %lld\n", \
        __FILE__, __LINE__, #a, t_a_, t_b_); } \
} while (0)

#define T_DONE() (printf("%s: %d passed, %d failed\n", __FILE__, t_pass, t_fail), t_fail ? 1 : 0)

#endif
