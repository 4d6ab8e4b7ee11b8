/* dec.h - byte decoders: the seam between a connection's TCP stream and
 * its line assembler. A decoder takes in-order bytes of one direction and
 * hands on the bytes the protocol should see (maybe fewer, maybe later,
 * maybe none), through the same callbacks TCP uses (struct tcp_out). The
 * stream stage (stream.c) installs one per connection, for the directions
 * in its mask: the identity decoder for tests, the TLS decoder after
 * STARTTLS/STLS and on implicit-TLS ports. */
#ifndef MS_DEC_H
#define MS_DEC_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"
#include "record.h"
#include "tcp.h"

struct dec_ops {
    const char *name;
    /* State for one connection; NULL when memory is refused. */
    void *(*open)(struct flow *f);
    /* In-order bytes of dir with the packet that carried them; decoded
     * bytes and holes go to out. */
    void (*data)(void *st, struct flow *f, int dir, const uint8_t *p, size_t n,
                 uint64_t pkt, const struct ms_time *ts, uint64_t flags,
                 const struct tcp_out *out);
    /* Bytes of dir were lost (the stream already reported the gap). */
    void (*gap)(void *st, struct flow *f, int dir, const struct tcp_gap *g,
                const struct tcp_out *out);
    /* Clear-text bytes of dir went past (the decoder does not cover
     * dir): the other direction's run ends. May be NULL. */
    void (*peer)(void *st, struct flow *f, int dir);
    /* Flow end: hand on or report what is held, then free st. */
    void (*close)(void *st, struct flow *f, const struct tcp_out *out);
};

/* Every byte through unchanged: proves the seam changes nothing. */
extern const struct dec_ops dec_identity;
/* TLS (dec_tls.c): records decrypted with the key log's secrets go
 * through as clear text; handshake steps, alerts and runs of records not
 * decrypted become "tls" records. */
extern const struct dec_ops dec_tls;
/* Its fields (the registry, field.c, lists them after the others). */
struct fld_def;
extern const struct fld_def *const tls_fields;
extern const size_t tls_nfields;

#endif
