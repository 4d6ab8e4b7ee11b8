/* b64.h - base64 (RFC 4648) decoding for SASL. */
#ifndef MS_B64_H
#define MS_B64_H

#include <stddef.h>
#include <stdint.h>

/* Decode n chars; padding optional, whitespace rejected. Returns the
 * decoded length (cut at outsz) or -1 for a bad character or length. */
long b64_decode(const uint8_t *in, size_t n, uint8_t *out, size_t outsz);
/* Encode; returns the length written (NUL-terminated, cut at outsz). */
size_t b64_encode(const uint8_t *in, size_t n, char *out, size_t outsz);

#endif
