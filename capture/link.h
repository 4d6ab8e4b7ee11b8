/* link.h - link-layer headers to L3. */
#ifndef MS_LINK_H
#define MS_LINK_H

#include <stddef.h>
#include <stdint.h>

/* Is this DLT one we decode? */
int link_supported(int dlt);
/* Find the IP header. Returns 4 or 6 and sets l3 and n, or a negative err
 * for non-IP frames and short headers. */
int link_l3(int dlt, const uint8_t *p, size_t caplen, const uint8_t **l3, size_t *n);

#endif
