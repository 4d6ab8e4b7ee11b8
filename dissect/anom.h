/* anom.h - named anomaly counters; each name is also a record flag. */
#ifndef MS_ANOM_H
#define MS_ANOM_H

#include <stdint.h>

/* X(ENUM, "name", "what it means"). Order is the flag bit order; append
 * only, since names and bits are part of the JSON and --stats output. */
#define ANOM_LIST(X) \
    X(TRUNCATED, "truncated", "snaplen cut a packet before its end") \
    X(MALFORMED, "malformed", "bytes contradict the protocol") \
    X(GAP, "gap", "stream bytes were never captured") \
    X(MIDSTREAM, "midstream", "connection picked up without its SYN") \
    X(OVERLAP_CONFLICT, "overlap_conflict", "retransmitted bytes differ from the first copy (first kept)") \
    X(RETRANSMISSION, "retransmission", "segment repeated bytes already seen") \
    X(OUT_OF_ORDER, "out_of_order", "segment arrived ahead of a hole and was held") \
    X(LINE_TOO_LONG, "line_too_long", "line longer than the line limit, cut") \
    X(UNTERMINATED_MULTILINE, "unterminated_multiline", "multi-line reply or body ended without its terminator") \
    X(BAD_BASE64, "bad_base64", "SASL data is not valid base64") \
    X(AUTH_PLAIN_MALFORMED, "auth_plain_malformed", "PLAIN response lacks its NUL separators") \
    X(TELNET_IAC, "telnet_iac", "telnet IAC commands removed from a line") \
    X(EDITED, "edited", "line editing (BS, DEL, ^U) changed a typed line") \
    X(LIMIT, "limit", "a configured limit was reached") \
    X(IP_FRAGMENT, "ip_fragment", "IP fragment skipped (not reassembled)") \
    X(FLOW_EVICTED, "flow_evicted", "flow evicted from a full table") \
    X(MEMCAP, "memcap", "memory cap refused an allocation") \
    X(PIPELINE_OVERFLOW, "pipeline_overflow", "too many commands waiting for replies") \
    X(BARE_LF, "bare_lf", "line ended with LF alone") \
    X(NUL_BYTE, "nul_byte", "NUL byte inside a line") \
    X(UNMATCHED_REPLY, "unmatched_reply", "reply with no command waiting for it") \
    X(TLS, "tls", "encrypted bytes, not decoded") \
    X(SMTP_SMUGGLING, "smtp_smuggling", "an end-of-data look-alike with a bare LF or CR inside a message body (CVE-2023-51764 class); it stays body text") \
    X(HEADER_TRUNCATED, "header_truncated", "message header values longer than what a record keeps were cut") \
    X(TUNNEL_UNSUPPORTED, "tunnel_unsupported", "a tunnel encapsulation that is not decoded") \
    X(NOT_MAIL, "not_mail", "a connection on a mail port that does not speak the protocol; shown once, not dissected") \
    X(TLS_BAD_RECORD, "tls_bad_record", "a TLS record failed authentication or could not be parsed; decryption of that direction stopped") \
    X(TLS_NO_KEY, "tls_no_key", "a TLS session whose secrets are not in the key log") \
    X(MIME_BAD_WORD, "mime_bad_word", "an RFC 2047 encoded word in a header could not be decoded; shown raw")

#define ANOM_ENUM(e, n, d) ANOM_##e,
enum anom { ANOM_LIST(ANOM_ENUM) ANOM_N };
#undef ANOM_ENUM

extern uint64_t anom_count[ANOM_N];

/* The record flag of an anomaly. Flags are 64 bits: anomalies take the
 * low bits, REC_F_* (record.h) the top ones. */
#define ANOM_F(a) ((uint64_t)1 << (a))

static inline uint64_t
anom_hit(enum anom a)
{
    anom_count[a]++;
    return ANOM_F(a);
}

const char *anom_name(int a);
const char *anom_desc(int a);
void anom_reset(void);

#endif
