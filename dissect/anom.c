/* anom.c - named anomaly counters (see anom.h for the list). */
#include <string.h>

#include "anom.h"

uint64_t anom_count[ANOM_N];

#define ANOM_NAME(e, n, d) n,
static const char *const names[] = { ANOM_LIST(ANOM_NAME) };
#undef ANOM_NAME
#define ANOM_DESC(e, n, d) d,
static const char *const descs[] = { ANOM_LIST(ANOM_DESC) };
#undef ANOM_DESC

const char *
anom_name(int a)
{
    return a >= 0 && a < ANOM_N ? names[a] : "?";
}

const char *
anom_desc(int a)
{
    return a >= 0 && a < ANOM_N ? descs[a] : "?";
}

void
anom_reset(void)
{
    memset(anom_count, 0, sizeof anom_count);
}
