/* proto.h - the protocol table: every application protocol mailsift
 * dissects is one row here and one file of its own (smtp.c, pop3.c,
 * imap.c).
 * Nothing outside the table and those files names a protocol; the stream
 * stage, the field registry and the views ask the table. */
#ifndef MS_PROTO_H
#define MS_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "field.h"
#include "flow.h"
#include "line.h"
#include "record.h"

/* Protocol ids, stored in flow.proto and rec.proto. The table in proto.c
 * has a row for each; PROTO_NONE (0) is "not decided / not mail". */
enum proto { PROTO_NONE, PROTO_SMTP, PROTO_POP, PROTO_IMAP, PROTO_N };

/* What a protocol says of a connection's first line in one direction. */
enum { DET_NO, DET_YES, DET_MAYBE };

/* Which rule chose a connection's protocol (rec.detect, JSON
 * "detected_by"). X(ENUM, "name") */
#define DET_HOW_LIST(X) \
    X(NONE, "") \
    X(FORCED, "forced") \
    X(GREETING, "greeting") \
    X(COMMAND, "command") \
    X(TLS, "tls") \
    X(PORT, "port")
#define DET_HOW_ENUM(e, n) DET_##e,
enum det_how { DET_HOW_LIST(DET_HOW_ENUM) DET_HOW_N };
#undef DET_HOW_ENUM
const char *det_how_name(int how);

/* Most well-known ports a row lists (plain and implicit TLS each). */
#define PROTO_MAX_PORTS 4

struct proto_ops {
    const char *name;       /* "smtp": filter protocol field, JSON "proto" */
    const char *alias;      /* another --port name ("pop3"), or NULL */
    const char *label;      /* "SMTP": the Protocol column */
    const char *title;      /* "Simple Mail Transfer Protocol": details */
    uint16_t ports[PROTO_MAX_PORTS];        /* plain, 0-terminated */
    uint16_t tls_ports[PROTO_MAX_PORTS];    /* implicit TLS, 0-terminated */

    /* Stream events (stream.c calls them; f->sess is set). */
    void (*on_line)(struct flow *f, int dir, const struct line *ln);
    /* Bytes the protocol asked to take raw (sess.raw_left[dir], e.g. an
     * SMTP BDAT chunk); returns bytes used, at least 1 when n > 0. NULL
     * if the protocol never asks. */
    size_t (*on_raw)(struct flow *f, int dir, const uint8_t *p, size_t n,
                     uint64_t pkt, const struct ms_time *ts);
    /* Bytes of direction dir were lost (after the gap record), or, cut,
     * the tail of a segment was not captured (snap length; the partial
     * line was handed on, flagged truncated). */
    void (*on_gap)(struct flow *f, int dir, int cut);
    /* Flow end, after the last partial lines were handed over. */
    void (*on_close)(struct flow *f);
    /* A connection picked up mid-stream: could a line of direction dir
     * begin with these bytes (n >= 1)? Otherwise the stream skips to the
     * next line end. */
    int (*line_start)(int dir, const uint8_t *p, size_t n);

    /* Does a line (its content, telnet edits applied) of direction dir
     * look like this protocol: DET_YES (a server greeting or reply, a
     * client command), DET_NO, or DET_MAYBE (an empty line; any line
     * of a connection picked up mid-stream that is not a YES)? */
    int (*detect)(int dir, const uint8_t *p, size_t n, int midstream);

    /* For the views: what a command verb does (RFC section), or NULL. */
    const char *(*cmd_desc)(const char *verb);
    /* One line explaining a reply record ("Reply code: 250 (...)"), or
     * 0 if there is nothing to say. */
    int (*reply_explain)(const struct rec *r, char *buf, size_t sz);
    /* Is this reply an error (4xx/5xx, -ERR)? */
    int (*is_error)(const struct rec *r);
    /* The class of a reply for statistics and the lab report: its key
     * into key ("2xx", "+OK"; ASCII) and what the class means
     * ("positive completion"), or NULL (key "") if it has none. */
    const char *(*reply_class)(const struct rec *r, char *key, size_t ksz);
    /* Why an error reply came, for a student: one sentence into buf
     * ("the colon after FROM is missing ..."), from the reply and the
     * command it answers (cmd NULL if not known). Returns 0 if there is
     * nothing more to say than the reply's class. NULL: never. */
    int (*error_explain)(const struct rec *cmd, const struct rec *reply,
                         char *buf, size_t sz);

    /* The protocol's fields (field.h), in --list-fields order. */
    const struct fld_def *fields;
    size_t nfields;
};

/* The row of a protocol id; NULL for PROTO_NONE and unknown ids. */
const struct proto_ops *proto_get(int id);
/* Id of a protocol by name or alias (n bytes); PROTO_NONE if none. */
int proto_find(const char *name, size_t n);
/* "smtp" / "SMTP"; "tcp" / "TCP" for PROTO_NONE (not mail). */
const char *proto_name(int id);
const char *proto_label(int id);

#endif
