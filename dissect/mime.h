/* mime.h - RFC 2047 encoded words in header text ("=?UTF-8?B?...?="),
 * decoded to UTF-8 with the C library's iconv. Pure functions over byte
 * strings; the caller decides which headers to decode. */
#ifndef MS_MIME_H
#define MS_MIME_H

#include <stddef.h>
#include <stdint.h>

/* Flags mime_decode_header() reports. */
#define MIME_DECODED      0x01  /* at least one encoded word was decoded */
#define MIME_BAD_WORD     0x02  /* a word was malformed or undecodable: left raw */
#define MIME_BAD_CHARSET  0x04  /* ... because iconv does not know its charset */
#define MIME_CUT          0x08  /* the output did not fit outsz */

/* Longest charset name looked up (RFC 2978 names are at most 40). */
#define MIME_CHARSET_MAX  40

/* Decode the encoded words of n header bytes into out (at most outsz
 * bytes, not terminated); *outn gets the length written, *flags the
 * MIME_ bits (both may be NULL). Text outside encoded words is copied as
 * it is. An encoded word is "=?" charset ["*" language] "?" (B|Q) "?"
 * text "?=" (RFC 2047 section 2, RFC 2231 section 5), the encoding letter
 * in either case; Q turns "_" into a space and "=XX" into a byte. Words
 * separated only by white space (SP, HTAB, CR, LF) are joined with it
 * dropped (RFC 2047 section 6.2), and adjacent words in one charset are
 * converted together, so a character split between them survives. A
 * word that is unterminated, has bad base64 or Q, an unknown charset, or
 * bytes invalid in its charset is copied raw and flagged MIME_BAD_WORD.
 * Output stops at outsz without splitting a converted character
 * (MIME_CUT). Returns 0, or ERR_BAD when out is NULL but outsz is not 0.
 * Not thread-safe: iconv descriptors are cached (MIME_ICONV_CACHE). */
int mime_decode_header(const uint8_t *in, size_t n, uint8_t *out, size_t outsz,
                       size_t *outn, unsigned *flags);

/* Close the cached iconv descriptors (at exit, and in leak tests). */
void mime_cache_clear(void);

#endif
