/* tls_cert.h - subject and issuer names of an X.509 certificate (RFC 5280)
 * as RFC 4514 strings, for the TLS Certificate message. */
#ifndef MS_TLS_CERT_H
#define MS_TLS_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "tls.h"

struct tls_cert_names {
    uint8_t subject[LIM_TLS_NAME];
    uint8_t issuer[LIM_TLS_NAME];
    size_t subject_len, issuer_len;
    int cut;                    /* a name did not fit */
};

/* 0, or negative when the DER does not parse (names then empty). */
int tls_cert_names(const uint8_t *der, size_t n, struct tls_cert_names *cn);

#endif
