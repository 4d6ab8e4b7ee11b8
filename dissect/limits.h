/* limits.h - every cap mailsift puts on memory and work, with its reason. */
#ifndef MS_LIMITS_H
#define MS_LIMITS_H

/* Flow table size; --max-flows. A busy mail relay sees a few thousand
 * concurrent connections; 262144 covers a SYN flood without letting it
 * take the memcap. When full, the least recently used flow is evicted. */
#define LIM_FLOWS        262144u

/* Seconds without a packet before a flow is closed and flushed. SMTP
 * servers time out idle clients after 300 s (RFC 5321 4.5.3.2.7). */
#define LIM_FLOW_IDLE    300

/* Out-of-order bytes held per direction before we give up on the hole
 * and report a gap. 1 MiB is several windows at loopback MSS. */
#define LIM_OOO_BYTES    (1u << 20)

/* Held out-of-order segments per direction (a bound on list length, so
 * one-byte segments cannot make insertion quadratic). */
#define LIM_OOO_SEGS     512

/* Longest line we assemble. RFC 5321 4.5.3.1.6 allows 1000 octets for
 * text lines; real clients send longer EHLO and header lines. Longer
 * lines are delivered cut, flagged line_too_long, rest skipped to LF. */
#define LIM_LINE         4096

/* Telnet subnegotiation cap (SB payloads are terminal types and window
 * sizes). */
#define LIM_TN_SB        256

/* Pipelined commands waiting for their replies (RFC 2920). Postfix
 * accepts about 100 before answering; 64 keeps the queue small. */
#define LIM_PIPELINE     64

/* Bytes of a record's parameter / text kept per record. Longer values
 * are cut and flagged truncated. */
#define LIM_ARG          256
#define LIM_TEXT         2048

/* Raw bytes of a record kept for the bytes pane, and packet boundary
 * marks kept per record. */
#define LIM_RAW          4096
#define LIM_MARKS        64

/* Message headers a body record keeps (From, To, Cc, Subject, Date,
 * Message-ID, Reply-To), unfolded. The header block is parsed as it
 * streams, however long it is; only these values take room. RFC 5322
 * allows folded headers of any length: a To of 300 recipients is ~9 KB.
 * Past a cap the value is cut and the record flagged header_truncated
 * with the bytes cut. */
#define LIM_IMF_VALUE    8192
#define LIM_HDR_VALUES   16384

/* --export-objects: bodies written at once (each holds a descriptor and
 * a stdio buffer; a capture's concurrent DATA transfers are far fewer),
 * and octets written per message (--export-max): 64 MiB is above every
 * common server's message size limit (Postfix: 10 MB, Gmail: 25 MB). A
 * body over it is cut and counted as a limit. */
#define LIM_EXPORT_OPEN  256
#define LIM_EXPORT_BYTES (64ull << 20)

/* Credential fields: user names and secrets are short. */
#define LIM_CRED         256

/* Default memory cap for flow and reassembly state (--memcap). */
#define LIM_MEMCAP       (256ull << 20)

/* IPv6 extension headers walked before giving up (RFC 8200 gives no
 * bound; 8 covers every real chain). */
#define LIM_IPV6_EXT     8

/* Tunnels opened inside one packet (tunnel.c). Real nesting stops at two
 * or three (a VXLAN overlay carried over GRE, mirrored with ERSPAN); a
 * tunnel header is 4 bytes or more, so without a cap one 64 KiB packet
 * could make us open thousands. A packet nested deeper counts as
 * tunnel_unsupported. */
#define LIM_TUNNEL_DEPTH 4

/* 802.1Q / 802.1ad tags walked in an Ethernet header before giving up
 * (the frame is then not IP): QinQ is two; four is generous. */
#define LIM_VLAN_TAGS    4

/* Snap length for live capture when -s is not given. */
#define LIM_SNAPLEN      262144

#endif
