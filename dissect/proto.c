/* proto.c - the protocol table (proto.h). Adding a protocol: its file,
 * an id in enum proto, a row here. */
#include <string.h>

#include "proto.h"

extern const struct proto_ops smtp_proto, pop3_proto, imap_proto;

static const struct proto_ops *const table[PROTO_N] = {
    [PROTO_SMTP] = &smtp_proto,
    [PROTO_POP] = &pop3_proto,
    [PROTO_IMAP] = &imap_proto,
};

const struct proto_ops *
proto_get(int id)
{
    return id > PROTO_NONE && id < PROTO_N ? table[id] : NULL;
}

static int
is(const char *s, const char *name, size_t n)
{
    return s && strlen(s) == n && !memcmp(s, name, n);
}

int
proto_find(const char *name, size_t n)
{
    int i;

    for (i = PROTO_NONE + 1; i < PROTO_N; i++)
        if (table[i] && (is(table[i]->name, name, n) || is(table[i]->alias, name, n)))
            return i;
    return PROTO_NONE;
}

/* A connection whose protocol is none of the table's is shown as TCP
 * (its bytes as data), as Wireshark does. */
const char *
proto_name(int id)
{
    const struct proto_ops *p = proto_get(id);
    return p ? p->name : "tcp";
}

const char *
proto_label(int id)
{
    const struct proto_ops *p = proto_get(id);
    return p ? p->label : "TCP";
}

const char *
det_how_name(int how)
{
#define DET_HOW_NAME(e, n) n,
    static const char *const names[] = { DET_HOW_LIST(DET_HOW_NAME) };
#undef DET_HOW_NAME
    return how >= 0 && how < DET_HOW_N ? names[how] : "?";
}
