/* imap.c - IMAP state machine: IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC
 * 3501) commands, tagged completions paired with their commands by tag,
 * untagged data, continuation requests, literals in both directions
 * ({n}, {n+} LITERAL+ RFC 7888, ~{n} RFC 3516), LOGIN and AUTHENTICATE
 * (SASL-IR, RFC 4959) via auth.c, STARTTLS, IDLE (RFC 2177), COMPRESS
 * (RFC 4978: marked, not inflated); message literals become bodies.
 *
 * Records:
 *   - a client command is one command record, however many lines and
 *     literals it spans: emitted when its last line ends, its text the
 *     command as sent with each line end as \n and the literals' bytes
 *     in place (a LOGIN with literals carries its user and password);
 *   - a message literal (FETCH BODY[...], RFC822..., BINARY[...] in an
 *     untagged FETCH; APPEND's message) is a body record (headers
 *     parsed, exported); the command or response that announces it is
 *     emitted when the announcing line ends, and the rest of it after
 *     the message (")" and more items, or more messages) is taken as
 *     part of it without another record;
 *   - each untagged response ("*") is one reply record (literals in
 *     place, like a command) that names the command it answers
 *     (request_in): the oldest pending command that solicits that
 *     response (FETCH for "* 1 FETCH", SEARCH for "* SEARCH"...), else,
 *     for mailbox updates and status lines, the oldest pending one; the
 *     greeting answers nothing;
 *   - each continuation request ("+") is one reply record answering the
 *     command that waits for it;
 *   - each tagged completion (OK, NO, BAD) is one reply record paired
 *     with its command by tag, not by order; a tag reused while its
 *     command waits is flagged tag_reuse;
 *   - SASL lines of AUTHENTICATE are auth records, the login attempt a
 *     credential record at its verdict (auth.c);
 *   - after COMPRESS=DEFLATE each direction's run of bytes is one note
 *     record "DEFLATE", flagged compressed.
 * Literal sizes frame the stream (sess.raw_left + on_raw) and are never
 * allocation sizes; a synchronizing literal the server refuses (a tagged
 * completion instead of "+") is not sent, so the framing is dropped. */
#include <stdio.h>
#include <string.h>

#include "acc.h"
#include "anom.h"
#include "auth.h"
#include "mem.h"
#include "proto.h"
#include "sess.h"

/* X(ENUM, "VERB", "what it does (RFC)") */
#define IMAP_CMD_LIST(X) \
    X(UNKNOWN, "", "not an IMAP command") \
    X(CAPABILITY, "CAPABILITY", "list the server's capabilities (RFC 9051 6.1.1)") \
    X(NOOP, "NOOP", "do nothing; lets the server send pending mailbox updates (RFC 9051 6.1.2)") \
    X(LOGOUT, "LOGOUT", "end the session; the server answers BYE, then OK (RFC 9051 6.1.3)") \
    X(STARTTLS, "STARTTLS", "switch the connection to TLS after the OK (RFC 9051 6.2.1)") \
    X(AUTHENTICATE, "AUTHENTICATE", "authenticate with a SASL mechanism, the initial response on the line or after \"+\" (RFC 9051 6.2.2, SASL-IR RFC 4959)") \
    X(LOGIN, "LOGIN", "log in with a user name and a clear-text password (RFC 9051 6.2.3)") \
    X(ENABLE, "ENABLE", "enable protocol extensions (RFC 9051 6.3.1, RFC 5161)") \
    X(SELECT, "SELECT", "open a mailbox read-write (RFC 9051 6.3.2)") \
    X(EXAMINE, "EXAMINE", "open a mailbox read-only (RFC 9051 6.3.3)") \
    X(CREATE, "CREATE", "create a mailbox (RFC 9051 6.3.4)") \
    X(DELETE, "DELETE", "delete a mailbox (RFC 9051 6.3.5)") \
    X(RENAME, "RENAME", "rename a mailbox (RFC 9051 6.3.6)") \
    X(SUBSCRIBE, "SUBSCRIBE", "add a mailbox to the subscribed list (RFC 9051 6.3.7)") \
    X(UNSUBSCRIBE, "UNSUBSCRIBE", "remove a mailbox from the subscribed list (RFC 9051 6.3.8)") \
    X(LIST, "LIST", "list mailboxes matching a pattern (RFC 9051 6.3.9)") \
    X(NAMESPACE, "NAMESPACE", "list the personal, other users' and shared namespaces (RFC 9051 6.3.10, RFC 2342)") \
    X(STATUS, "STATUS", "ask for a mailbox's message counts without selecting it (RFC 9051 6.3.11)") \
    X(APPEND, "APPEND", "upload a message into a mailbox; the message is a literal (RFC 9051 6.3.12)") \
    X(IDLE, "IDLE", "wait for mailbox updates until the client sends DONE (RFC 9051 6.3.13, RFC 2177)") \
    X(CLOSE, "CLOSE", "close the mailbox, expunging deleted messages (RFC 9051 6.4.1)") \
    X(UNSELECT, "UNSELECT", "close the mailbox without expunging (RFC 9051 6.4.2, RFC 3691)") \
    X(EXPUNGE, "EXPUNGE", "remove the messages flagged \\Deleted (RFC 9051 6.4.3)") \
    X(SEARCH, "SEARCH", "find the messages matching criteria (RFC 9051 6.4.4)") \
    X(FETCH, "FETCH", "retrieve message data: flags, envelope, body parts (RFC 9051 6.4.5)") \
    X(STORE, "STORE", "change message flags (RFC 9051 6.4.6)") \
    X(COPY, "COPY", "copy messages to another mailbox (RFC 9051 6.4.7)") \
    X(MOVE, "MOVE", "move messages to another mailbox (RFC 9051 6.4.8, RFC 6851)") \
    X(UID, "UID", "the next command takes unique identifiers instead of sequence numbers (RFC 9051 6.4.9)") \
    X(LSUB, "LSUB", "list subscribed mailboxes (RFC 3501 6.3.9; LIST SUBSCRIBED in RFC 9051)") \
    X(CHECK, "CHECK", "checkpoint the mailbox (RFC 3501 6.4.1; removed in RFC 9051)") \
    X(ID, "ID", "exchange client and server identification (RFC 2971 3.1)") \
    X(COMPRESS, "COMPRESS", "compress both directions with DEFLATE after the OK (RFC 4978 3)") \
    X(SORT, "SORT", "search and sort messages (RFC 5256 3)") \
    X(THREAD, "THREAD", "search and thread messages (RFC 5256 3)") \
    X(GETQUOTA, "GETQUOTA", "ask for a quota root's usage and limits (RFC 9208)") \
    X(GETQUOTAROOT, "GETQUOTAROOT", "ask for a mailbox's quota roots (RFC 9208)") \
    X(SETQUOTA, "SETQUOTA", "change a quota root's limits (RFC 9208)") \
    X(SETACL, "SETACL", "grant rights on a mailbox (RFC 4314 3.1)") \
    X(DELETEACL, "DELETEACL", "remove rights on a mailbox (RFC 4314 3.2)") \
    X(GETACL, "GETACL", "list the rights on a mailbox (RFC 4314 3.3)") \
    X(LISTRIGHTS, "LISTRIGHTS", "list the rights that may be granted (RFC 4314 3.4)") \
    X(MYRIGHTS, "MYRIGHTS", "ask for the user's own rights (RFC 4314 3.5)") \
    X(GETMETADATA, "GETMETADATA", "read server or mailbox annotations (RFC 5464 4.2)") \
    X(SETMETADATA, "SETMETADATA", "write server or mailbox annotations (RFC 5464 4.3)") \
    X(NOTIFY, "NOTIFY", "ask for notifications of changes in other mailboxes (RFC 5465)") \
    X(UNAUTHENTICATE, "UNAUTHENTICATE", "go back to the not-authenticated state (RFC 8437)") \
    X(REPLACE, "REPLACE", "replace a message by a new one (RFC 8508)") \
    X(XLIST, "XLIST", "Google's LIST with special-use flags (superseded by RFC 6154)") \
    X(DONE, "DONE", "end IDLE; the IDLE command's completion follows (RFC 9051 6.3.13)")

#define IMAP_CMD_ENUM(e, v, d) IMAP_CMD_##e,
enum imap_cmd { IMAP_CMD_LIST(IMAP_CMD_ENUM) IMAP_CMD_N };
#undef IMAP_CMD_ENUM
#define IMAP_CMD_VERB(e, v, d) v,
static const char *const cmd_verb[] = { IMAP_CMD_LIST(IMAP_CMD_VERB) };
#undef IMAP_CMD_VERB
#define IMAP_CMD_DESC(e, v, d) d,
static const char *const cmd_desc[] = { IMAP_CMD_LIST(IMAP_CMD_DESC) };
#undef IMAP_CMD_DESC

/* The UID forms (RFC 9051 6.4.9; UID EXPUNGE RFC 4315 2.1). */
static const struct {
    const char *verb, *desc;
} uid_desc[] = {
    { "UID FETCH", "FETCH by unique identifiers (RFC 9051 6.4.9)" },
    { "UID STORE", "STORE by unique identifiers (RFC 9051 6.4.9)" },
    { "UID COPY", "COPY by unique identifiers (RFC 9051 6.4.9)" },
    { "UID MOVE", "MOVE by unique identifiers (RFC 9051 6.4.9)" },
    { "UID SEARCH", "SEARCH answering unique identifiers (RFC 9051 6.4.9)" },
    { "UID EXPUNGE", "expunge only the given deleted messages (RFC 9051 6.4.9, RFC 4315 2.1)" },
    { "UID SORT", "SORT answering unique identifiers (RFC 5256 3)" },
    { "UID THREAD", "THREAD answering unique identifiers (RFC 5256 3)" },
};

/* Untagged responses: X(ENUM, "KEYWORD", "what it says (RFC)") */
#define IMAP_UNT_LIST(X) \
    X(OTHER, "", "a response mailsift does not know (RFC 9051 7)") \
    X(OK, "OK", "information, often a response code (RFC 9051 7.1.1)") \
    X(NO, "NO", "a warning (RFC 9051 7.1.2)") \
    X(BAD, "BAD", "a protocol error not tied to a command (RFC 9051 7.1.3)") \
    X(PREAUTH, "PREAUTH", "greeting of a connection already authenticated (RFC 9051 7.1.4)") \
    X(BYE, "BYE", "the server is closing the connection (RFC 9051 7.1.5)") \
    X(ENABLED, "ENABLED", "the extensions ENABLE turned on (RFC 9051 7.2.1)") \
    X(CAPABILITY, "CAPABILITY", "the server's capabilities (RFC 9051 7.2.2)") \
    X(LIST, "LIST", "one mailbox matching a LIST (RFC 9051 7.3.1)") \
    X(NAMESPACE, "NAMESPACE", "the namespaces (RFC 9051 7.3.2)") \
    X(STATUS, "STATUS", "a mailbox's counts (RFC 9051 7.3.3)") \
    X(ESEARCH, "ESEARCH", "search results (RFC 9051 7.3.4)") \
    X(FLAGS, "FLAGS", "the flags defined in the mailbox (RFC 9051 7.3.5)") \
    X(EXISTS, "EXISTS", "the number of messages in the mailbox (RFC 9051 7.4.1)") \
    X(EXPUNGE, "EXPUNGE", "a message was removed (RFC 9051 7.5.1)") \
    X(FETCH, "FETCH", "data of one message (RFC 9051 7.5.2)") \
    X(LSUB, "LSUB", "one subscribed mailbox (RFC 3501 7.2.3)") \
    X(SEARCH, "SEARCH", "search results (RFC 3501 7.2.5)") \
    X(RECENT, "RECENT", "the number of recent messages (RFC 3501 7.3.2)") \
    X(XLIST, "XLIST", "one mailbox of an XLIST (Google)") \
    X(VANISHED, "VANISHED", "messages removed, by unique identifier (RFC 7162)") \
    X(SORT, "SORT", "sorted search results (RFC 5256 4)") \
    X(THREAD, "THREAD", "threaded search results (RFC 5256 4)") \
    X(ID, "ID", "the server's identification (RFC 2971 3.2)") \
    X(QUOTA, "QUOTA", "a quota root's usage and limits (RFC 9208)") \
    X(QUOTAROOT, "QUOTAROOT", "a mailbox's quota roots (RFC 9208)") \
    X(ACL, "ACL", "the rights on a mailbox (RFC 4314 3.6)") \
    X(LISTRIGHTS, "LISTRIGHTS", "the rights that may be granted (RFC 4314 3.7)") \
    X(MYRIGHTS, "MYRIGHTS", "the user's own rights (RFC 4314 3.8)") \
    X(METADATA, "METADATA", "server or mailbox annotations (RFC 5464 4.4)")

#define IMAP_UNT_ENUM(e, k, d) UNT_##e,
enum imap_unt { IMAP_UNT_LIST(IMAP_UNT_ENUM) UNT_N };
#undef IMAP_UNT_ENUM
#define IMAP_UNT_KW(e, k, d) k,
static const char *const unt_kw[] = { IMAP_UNT_LIST(IMAP_UNT_KW) };
#undef IMAP_UNT_KW
#define IMAP_UNT_DESC(e, k, d) d,
static const char *const unt_desc[] = { IMAP_UNT_LIST(IMAP_UNT_DESC) };
#undef IMAP_UNT_DESC

#define U(k) ((uint64_t)1 << UNT_##k)
/* Updates of the selected mailbox a server may send with any command
 * (RFC 9051 7), and the status lines. */
#define U_ANY (U(OK) | U(NO) | U(BAD) | U(EXISTS) | U(RECENT) | U(EXPUNGE) \
               | U(FETCH) | U(FLAGS) | U(VANISHED))

/* The untagged responses a command asks for. */
static uint64_t
solicits(int cmd)
{
    switch (cmd) {
    case IMAP_CMD_CAPABILITY: return U(CAPABILITY);
    case IMAP_CMD_LOGIN: case IMAP_CMD_AUTHENTICATE: return U(CAPABILITY);
    case IMAP_CMD_LOGOUT: return U(BYE);
    case IMAP_CMD_ENABLE: return U(ENABLED);
    case IMAP_CMD_SELECT: case IMAP_CMD_EXAMINE:
        return U(FLAGS) | U(EXISTS) | U(RECENT) | U(OK) | U(VANISHED) | U(FETCH);
    case IMAP_CMD_LIST: return U(LIST) | U(STATUS);
    case IMAP_CMD_XLIST: return U(XLIST) | U(LIST);
    case IMAP_CMD_LSUB: return U(LSUB);
    case IMAP_CMD_NAMESPACE: return U(NAMESPACE);
    case IMAP_CMD_STATUS: return U(STATUS);
    case IMAP_CMD_SEARCH: return U(SEARCH) | U(ESEARCH);
    case IMAP_CMD_SORT: return U(SORT) | U(ESEARCH);
    case IMAP_CMD_THREAD: return U(THREAD);
    case IMAP_CMD_FETCH: case IMAP_CMD_STORE: return U(FETCH);
    case IMAP_CMD_EXPUNGE: case IMAP_CMD_CLOSE: case IMAP_CMD_MOVE:
        return U(EXPUNGE) | U(VANISHED);
    case IMAP_CMD_NOOP: case IMAP_CMD_IDLE: case IMAP_CMD_CHECK:
    case IMAP_CMD_APPEND:
        return U(EXISTS) | U(RECENT) | U(EXPUNGE) | U(FETCH) | U(VANISHED);
    case IMAP_CMD_ID: return U(ID);
    case IMAP_CMD_GETQUOTA: return U(QUOTA);
    case IMAP_CMD_GETQUOTAROOT: return U(QUOTA) | U(QUOTAROOT);
    case IMAP_CMD_GETACL: return U(ACL);
    case IMAP_CMD_LISTRIGHTS: return U(LISTRIGHTS);
    case IMAP_CMD_MYRIGHTS: return U(MYRIGHTS);
    case IMAP_CMD_GETMETADATA: return U(METADATA);
    }
    return 0;
}

/* ---- small parsers (bounded: every index is tested against n) ---- */

static int
ci_eq(const uint8_t *p, size_t n, const char *s)
{
    size_t i;

    if (strlen(s) != n)
        return 0;
    for (i = 0; i < n; i++)
        if ((p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]) != (uint8_t)s[i])
            return 0;
    return 1;
}

/* The k-th word (0-based) of the first line of p[0..n), words split at
 * spaces as Wireshark's tokens are. */
static int
word(const uint8_t *p, size_t n, int k, size_t *off, size_t *len)
{
    const uint8_t *nl = n ? memchr(p, '\n', n) : NULL;
    size_t i = 0, s;

    if (nl)
        n = (size_t)(nl - p);
    for (;;) {
        while (i < n && p[i] == ' ')
            i++;
        if (i >= n)
            return 0;
        s = i;
        while (i < n && p[i] != ' ')
            i++;
        if (k-- == 0) {
            *off = s;
            *len = i - s;
            return 1;
        }
    }
}

static int
cmd_of(const uint8_t *p, size_t n)
{
    int i;

    for (i = 1; i < IMAP_CMD_N; i++)
        if (ci_eq(p, n, cmd_verb[i]))
            return i;
    return IMAP_CMD_UNKNOWN;
}

static int
unt_of(const uint8_t *p, size_t n)
{
    int i;

    for (i = 1; i < UNT_N; i++)
        if (ci_eq(p, n, unt_kw[i]))
            return i;
    return UNT_OTHER;
}

/* The keyword of an untagged line "* [number] KEYWORD ...". */
static int
unt_word(const uint8_t *p, size_t n, size_t *off, size_t *len)
{
    size_t i;

    if (!word(p, n, 1, off, len))
        return 0;
    for (i = 0; i < *len && p[*off + i] >= '0' && p[*off + i] <= '9'; i++)
        ;
    if (i == *len)
        return word(p, n, 2, off, len);
    return 1;
}

/* A literal marker filling p[0..n) exactly: "{n}", "{n+}" or "~{n}"
 * (RFC 9051 4.3, LITERAL+ RFC 7888, literal8 RFC 3516). Returns 1 with
 * the size, -1 for a marker whose number does not fit number64, else 0. */
static int
lit_marker(const uint8_t *p, size_t n, uint64_t *size, int *sync)
{
    size_t i = 0, e;
    uint64_t v = 0;

    if (i < n && p[i] == '~')
        i++;
    if (i >= n || p[i] != '{' || n < i + 3 || p[n - 1] != '}')
        return 0;
    e = n - 1;
    *sync = 1;
    if (p[e - 1] == '+') {
        *sync = 0;
        e--;
    }
    if (e <= i + 1)
        return 0;
    for (i++; i < e; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        /* number64: 0 .. 2^63-1 (RFC 9051 9) */
        if (v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)(p[i] - '0')) / 10)
            v = UINT64_MAX;
        else if (v != UINT64_MAX)
            v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (v == UINT64_MAX)
        return -1;
    *size = v;
    return 1;
}

/* Does a line end with a literal marker, outside a quoted string? Sets
 * *at to where the marker begins. */
static int
line_literal(const uint8_t *p, size_t n, uint64_t *size, int *sync, size_t *at)
{
    size_t i, b;
    int inq = 0;

    if (!n || p[n - 1] != '}')
        return 0;
    for (b = n - 1; b > 0 && p[b - 1] != '{'; b--)
        if (n - b > 24)
            return 0;   /* longer than any number64 marker */
    if (!b)
        return 0;
    b--;
    if (b && p[b - 1] == '~')
        b--;
    for (i = 0; i < b; i++) {
        if (inq && p[i] == '\\') {
            i++;
            continue;
        }
        if (p[i] == '"')
            inq = !inq;
    }
    if (inq)
        return 0;
    *at = b;
    return lit_marker(p + b, n - b, size, sync);
}

/* Is the literal at p[at] the value of a message fetch attribute of an
 * untagged FETCH: BODY[section]<origin>, BINARY[section], RFC822,
 * RFC822.HEADER, RFC822.TEXT (RFC 9051 7.5.2)? *hdrs: it starts with a
 * header block. */
static int
body_att(const uint8_t *p, size_t at, int *hdrs)
{
    size_t i = at, e, w;

    while (i && p[i - 1] == ' ')
        i--;
    if (i && p[i - 1] == '>') {         /* partial: <origin> */
        while (i && p[i - 1] != '<')
            i--;
        if (!i)
            return 0;
        i--;
    }
    if (i && p[i - 1] == ']') {
        size_t sec, sn;
        e = i - 1;
        while (i && p[i - 1] != '[')
            i--;
        if (!i)
            return 0;
        sec = i;
        sn = e - sec;
        i--;
        for (w = i; w && p[w - 1] != ' ' && p[w - 1] != '('; w--)
            ;
        if (!ci_eq(p + w, i - w, "BODY") && !ci_eq(p + w, i - w, "BINARY")
            && !ci_eq(p + w, i - w, "BODY.PEEK") && !ci_eq(p + w, i - w, "BINARY.PEEK"))
            return 0;
        /* "" (the whole message), HEADER, HEADER.FIELDS (...), n.HEADER,
         * n.MIME start with headers; TEXT and part numbers do not */
        *hdrs = !sn;
        for (w = sec; !*hdrs && w + 6 <= sec + sn; w++)
            *hdrs = ci_eq(p + w, 6, "HEADER");
        if (sn >= 4 && ci_eq(p + sec + sn - 4, 4, "MIME"))
            *hdrs = 1;
        return 1;
    }
    for (w = i; w && p[w - 1] != ' ' && p[w - 1] != '('; w--)
        ;
    if (ci_eq(p + w, i - w, "RFC822") || ci_eq(p + w, i - w, "RFC822.HEADER")) {
        *hdrs = 1;
        return 1;
    }
    if (ci_eq(p + w, i - w, "RFC822.TEXT")) {
        *hdrs = 0;
        return 1;
    }
    return 0;
}

/* The next astring (RFC 9051 9) of a command's text from *pos: an atom,
 * a quoted string (unescaped into buf) or a literal: a marker ending a
 * line, then its bytes after the line end (commands keep them in their
 * text). Returns 0 at the end of the arguments. */
struct astr {
    const uint8_t *p;
    size_t n;
    size_t start;           /* where it begins in the text */
};

static int
astring(const uint8_t *t, size_t n, size_t *pos, uint8_t *buf, size_t bufsz,
        struct astr *v)
{
    size_t i = *pos, j, o = 0, e;
    uint64_t sz;
    int sync;

    while (i < n && t[i] == ' ')
        i++;
    if (i >= n || t[i] == '\n')
        return 0;
    v->start = i;
    if (t[i] == '"') {
        j = i + 1;
        while (j < n && t[j] != '"' && t[j] != '\n') {
            if (t[j] == '\\' && j + 1 < n && t[j + 1] != '\n')
                j++;
            if (o < bufsz)
                buf[o++] = t[j];
            j++;
        }
        v->p = buf;
        v->n = o;
        *pos = j < n && t[j] == '"' ? j + 1 : j;
        return 1;
    }
    if (t[i] == '{' || t[i] == '~') {
        for (e = i; e < n && t[e] != '\n'; e++)
            ;
        if (e < n && lit_marker(t + i, e - i, &sz, &sync) > 0) {
            size_t avail = n - (e + 1);
            v->p = t + e + 1;
            v->n = sz < avail ? (size_t)sz : avail;
            *pos = e + 1 + v->n;
            return 1;
        }
    }
    for (j = i; j < n && t[j] != ' ' && t[j] != '\n'; j++)
        ;
    v->p = t + i;
    v->n = j - i;
    *pos = j;
    return 1;
}

/* A command line's tag, command and arguments: the command (UID and the
 * command after it for the UID forms), its record's verb ("FETCH", "UID
 * FETCH"), and where the arguments begin. */
static int
parse_cmd(const uint8_t *t, size_t n, char *verb, size_t vsz, size_t *tagn,
          size_t *argoff, int *uid)
{
    size_t o, l, o2, l2, a;
    int cmd;

    *uid = 0;
    verb[0] = 0;
    *tagn = 0;
    *argoff = n;
    if (!word(t, n, 0, &o, &l) || o)
        return IMAP_CMD_UNKNOWN;
    *tagn = l;
    if (!word(t, n, 1, &o, &l)) {
        *argoff = l;
        return IMAP_CMD_UNKNOWN;
    }
    a = o + l;
    if (ci_eq(t + o, l, "UID") && word(t, n, 2, &o2, &l2)) {
        *uid = 1;
        memcpy(verb, "UID ", 4);
        sess_verb(verb + 4, vsz - 4, t + o2, l2);
        cmd = cmd_of(t + o2, l2);
        a = o2 + l2;
    } else {
        sess_verb(verb, vsz, t + o, l);
        cmd = cmd_of(t + o, l);
    }
    while (a < n && t[a] == ' ')
        a++;
    *argoff = a;
    return cmd;
}

/* ---- state ---- */

/* Tag bytes kept per pending command; a longer tag is told apart by its
 * full length and hash too. */
#define TAG_KEEP 32

struct tagkey {
    uint32_t hash, len;
    uint8_t b[TAG_KEEP];
};

struct itag {
    struct tagkey k;
    uint8_t cmd;
    struct pend p;          /* its record's verb, packet and time */
};

/* What a direction's next bytes are when a command or a response spans
 * literals. */
enum part_st {
    PART_NONE,      /* the next line starts a command or a response */
    PART_ASM,       /* assembled in acc[dir]: a literal's bytes
                     * (raw_left) or the line after it */
    PART_BODY,      /* a message literal streams into acc[dir] */
    PART_TAIL,      /* its record is out: the rest of it is skipped */
};

struct part {
    uint8_t st;
    uint8_t kind;           /* REC_CMD or REC_REPLY */
    uint8_t in_lit;         /* raw_left[dir] is a literal's */
    uint8_t sync;           /* client: that literal waits for "+" */
    uint8_t cmd;            /* client: the command; server: an untagged FETCH */
    uint8_t nlit;           /* literals so far */
    uint8_t mbox_lit;       /* APPEND: the mailbox name is its first literal */
    uint8_t have_owner;
    struct pend owner;      /* a response: the command it answers */
    struct tagkey k;        /* a command: its tag */
    uint64_t flags;         /* for its record */
};

/* COMPRESS: one direction's run of bytes. */
struct run {
    uint64_t bytes, pkt_first, pkt_last, flags;
    struct ms_time ts_first, ts_last;
    uint32_t nseg;
};

struct imap_st {
    struct itag *tags;      /* pending commands, oldest first */
    uint16_t ntags, cap;
    struct part part[2];
    uint8_t zip;            /* COMPRESS=DEFLATE is on */
    uint8_t idle;           /* IDLE got its "+": DONE ends it */
    /* A completion came for the command the client was still typing
     * (a server rejects a bad byte at once): the line, when it ends,
     * is not left waiting, and gets that verdict. */
    uint8_t early, early_ok;
    struct tagkey early_k;
    struct run run[2];
};

static struct mem_pool imap_pool = MEM_POOL(MEM_STREAM, sizeof(struct imap_st), 64);

static struct imap_st *
get(struct flow *f)
{
    struct imap_st *st = f->sess->proto_st;

    if (!st && (st = mem_take(&imap_pool))) {
        memset(st, 0, sizeof *st);
        f->sess->proto_st = st;
    }
    return st;
}

static void
key_of(struct tagkey *k, const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    k->hash = h;
    k->len = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    memset(k->b, 0, sizeof k->b);
    memcpy(k->b, p, n < TAG_KEEP ? n : TAG_KEEP);
}

static int
key_eq(const struct tagkey *a, const struct tagkey *b)
{
    return a->hash == b->hash && a->len == b->len && !memcmp(a->b, b->b, TAG_KEEP);
}

/* The oldest pending command with this tag, or -1. */
static int
tag_find(const struct imap_st *st, const struct tagkey *k)
{
    int i;

    for (i = 0; i < st->ntags; i++)
        if (key_eq(&st->tags[i].k, k))
            return i;
    return -1;
}

static void
tag_drop(struct imap_st *st, int i)
{
    memmove(&st->tags[i], &st->tags[i + 1], (size_t)(st->ntags - i - 1) * sizeof st->tags[0]);
    st->ntags--;
}

/* A command waits for its completion; r is its record (or its first
 * line's). A tag still waiting is flagged in *flags. */
static void
tag_push(struct flow *f, struct imap_st *st, const struct tagkey *k, int cmd,
         const struct rec *r, uint64_t *flags)
{
    struct itag *e;

    if (tag_find(st, k) >= 0)
        *flags |= anom_hit(ANOM_TAG_REUSE);
    if (st->ntags == st->cap && st->cap < LIM_IMAP_TAGS) {
        uint16_t cap = st->cap ? (uint16_t)(st->cap * 2) : 8;
        struct itag *t;
        if (cap > LIM_IMAP_TAGS)
            cap = LIM_IMAP_TAGS;
        t = mem_realloc(MEM_STREAM, st->tags, st->cap * sizeof *t, cap * sizeof *t);
        if (t) {
            st->tags = t;
            st->cap = cap;
        } else {
            *flags |= anom_hit(ANOM_MEMCAP);
        }
    }
    if (!st->cap)
        return;
    if (st->ntags == st->cap) {
        /* Full: the oldest goes; its completion will be unmatched. */
        f->pend[DIR_S2C] |= anom_hit(ANOM_PIPELINE_OVERFLOW);
        tag_drop(st, 0);
    }
    e = &st->tags[st->ntags++];
    memset(e, 0, sizeof *e);
    e->k = *k;
    e->cmd = (uint8_t)cmd;
    e->p.cmd = (uint8_t)cmd;
    memcpy(e->p.verb, r->verb, sizeof e->p.verb);
    e->p.pkt = r->pkt;
    e->p.ts = r->ts;
}

/* Is a command of this kind waiting? */
static int
tag_pending(const struct imap_st *st, int cmd)
{
    int i;

    for (i = 0; i < st->ntags; i++)
        if (st->tags[i].cmd == cmd)
            return 1;
    return 0;
}

/* ---- text of a record assembled across literals (acc.h) ---- */

static void
cat(struct acc *a, const uint8_t *p, size_t n)
{
    if (a->tn >= LIM_TEXT)
        return;
    if (n > LIM_TEXT - a->tn)
        n = LIM_TEXT - a->tn;
    memcpy(a->text + a->tn, p, n);
    a->tn += (uint32_t)n;
}

/* A literal's bytes in place: counted (packets, raw bytes) as body
 * bytes are, kept in the text as they are. */
static void
lit_bytes(struct acc *a, const uint8_t *p, size_t n, uint64_t pkt,
          const struct ms_time *ts)
{
    uint32_t tn = a->tn, lines = a->lines;
    uint64_t size = a->size;

    acc_body_bytes(a, p, n, pkt, ts);
    a->tn = tn;
    a->lines = lines;
    a->size = size;
    cat(a, p, n);
}

static uint32_t
count_lines(const struct rec_str *s)
{
    uint32_t k = 1;
    size_t i;

    for (i = 0; i < s->n; i++)
        k += s->p[i] == '\n';
    return k;
}

/* ---- client ---- */

/* LOGIN user password (RFC 9051 6.2.3): astrings, each an atom, a
 * quoted string or a literal. */
static void
login(struct flow *f, const struct line *ln, struct rec *r, size_t argoff)
{
    uint8_t ub[LIM_CRED], pb[LIM_CRED];
    struct astr u, p;
    struct rec_str typed = r->typed;
    size_t pos = argoff;

    if (!astring(r->text.p, r->text.n, &pos, ub, sizeof ub, &u)
        || !astring(r->text.p, r->text.n, &pos, pb, sizeof pb, &p))
        return;     /* the server answers BAD */
    /* (the keystrokes of a typed line are not split into the words) */
    r->typed.n = 0;
    auth_user(f, u.p, u.n, ln, r);
    auth_pass(f, p.p, p.n, ln, r);
    r->typed = typed;
    r->secret_off = (uint16_t)p.start;
}

/* AUTHENTICATE mechanism [initial-response] (RFC 9051 6.2.2, RFC 4959). */
static void
authenticate(struct flow *f, const struct line *ln, struct rec *r, size_t argoff)
{
    const uint8_t *t = r->text.p, *m, *ir;
    size_t n = r->text.n, mn, irn;

    if (argoff >= n)
        return;
    sess_split(t + argoff, n - argoff, &m, &mn, &ir, &irn);
    auth_begin(f, m, mn, ir, irn, ln, r);
    if (r->flags & REC_F_CRED)
        r->secret_off = (uint16_t)(ir - t);
}

/* What a verdict or the command's own line set going: the actions of a
 * completion (OK: ok). */
static void
completed(struct flow *f, struct imap_st *st, int cmd, int ok,
          const uint8_t *p, size_t n, const struct line *ln)
{
    switch (cmd) {
    case IMAP_CMD_LOGIN: case IMAP_CMD_AUTHENTICATE:
        auth_verdict(f, ok ? CRED_ACCEPTED : CRED_REJECTED, p, n, ln);
        break;
    case IMAP_CMD_STARTTLS:
        if (ok)
            sess_start_tls(f);
        break;
    case IMAP_CMD_COMPRESS:
        if (ok && st) {
            /* Both directions are DEFLATE streams from the next byte
             * (RFC 4978 3): taken raw, one record per run. */
            st->zip = 1;
            f->sess->raw_left[DIR_C2S] = f->sess->raw_left[DIR_S2C] = UINT64_MAX;
        }
        break;
    case IMAP_CMD_IDLE:
        if (st)
            st->idle = 0;
        break;
    }
}

/* A whole command: its login, then its record. */
static void
cmd_done(struct flow *f, struct imap_st *st, struct rec *r, int cmd, size_t argoff)
{
    struct line whole;
    struct tagkey k;
    size_t tn;
    int i, early;

    for (tn = 0; tn < r->text.n && r->text.p[tn] != ' ' && r->text.p[tn] != '\n'; tn++)
        ;
    key_of(&k, r->text.p, tn);
    /* a login attempt spans the command's packets */
    memset(&whole, 0, sizeof whole);
    whole.pkt_first = r->pkt_first;
    whole.ts_first = r->ts_first;
    whole.pkt_last = r->pkt;
    whole.ts_last = r->ts;
    if (cmd == IMAP_CMD_LOGIN)
        login(f, &whole, r, argoff);
    else if (cmd == IMAP_CMD_AUTHENTICATE)
        authenticate(f, &whole, r, argoff);
    sess_emit(f, DIR_C2S, r);
    if (!st)
        return;
    /* the completion names the command's record */
    for (i = st->ntags - 1; i >= 0; i--)
        if (key_eq(&st->tags[i].k, &k)) {
            st->tags[i].p.pkt = r->pkt;
            st->tags[i].p.ts = r->ts;
            break;
        }
    early = st->early && key_eq(&st->early_k, &k);
    if (early) {
        st->early = 0;
        completed(f, st, cmd, st->early_ok, NULL, 0, NULL);
    }
}

/* The record of a command or response assembled in acc[dir]. */
static void
part_emit(struct flow *f, struct imap_st *st, int dir)
{
    struct part *pt = &st->part[dir];
    struct acc *a = f->sess->acc[dir];
    struct rec r;
    size_t tagn, argoff;
    int cmd, uid;

    pt->st = PART_NONE;
    if (!a || !a->active)
        return;
    acc_rec(f, dir, a, &r, pt->kind);
    r.flags |= pt->flags;
    r.size = 0;
    r.lines = count_lines(&r.text);
    if (dir == DIR_C2S) {
        cmd = parse_cmd(r.text.p, r.text.n, r.verb, sizeof r.verb, &tagn, &argoff, &uid);
        r.arg.p = r.text.p + argoff;
        r.arg.n = (uint32_t)(r.text.n - argoff);
        acc_close(a);
        cmd_done(f, st, &r, cmd, argoff);
        return;
    }
    memcpy(r.verb, "*", 2);
    r.arg.p = r.text.p + (r.text.n > 2 ? 2 : r.text.n);
    r.arg.n = (uint32_t)(r.text.n > 2 ? r.text.n - 2 : 0);
    if (pt->have_owner)
        sess_answers(&r, &pt->owner);
    sess_emit(f, dir, &r);
    acc_close(a);
}

/* Bytes of a literal of dir follow (sess.raw_left, on_raw). */
static void
lit_start(struct flow *f, struct part *pt, int dir, uint64_t size, int sync)
{
    f->sess->raw_left[dir] = size;
    pt->in_lit = size != 0;
    pt->sync = (uint8_t)sync;
    if (pt->nlit < 255)
        pt->nlit++;
}

static void body_end(struct flow *f, struct imap_st *st, int dir);

/* A message literal of size bytes starts: a body. */
static void
body_start(struct flow *f, struct imap_st *st, int dir, uint64_t size, int hdrs)
{
    struct part *pt = &st->part[dir];
    struct acc *a = acc_open(f, dir, 1, NULL);

    if (!a) {
        f->pend[dir] |= anom_hit(ANOM_MEMCAP);
        pt->st = PART_TAIL;     /* its bytes are skipped */
        return;
    }
    a->in_hdr = (uint8_t)hdrs;
    pt->st = PART_BODY;
    if (!size)
        body_end(f, st, dir);
}

/* A message literal is complete (or cut by a gap or the flow's end). */
static void
body_end(struct flow *f, struct imap_st *st, int dir)
{
    struct part *pt = &st->part[dir];
    struct acc *a = f->sess->acc[dir];
    struct rec r;

    pt->st = PART_TAIL;
    if (!a || !a->active)
        return;
    acc_rec(f, dir, a, &r, REC_BODY);
    sess_verb(r.verb, sizeof r.verb, (const uint8_t *)(dir == DIR_C2S ? "APPEND" : "FETCH"), dir == DIR_C2S ? 6 : 5);
    acc_headers(f, a, &r);
    if (dir == DIR_S2C && pt->have_owner)
        sess_answers(&r, &pt->owner);
    acc_body_emit(f, dir, a, &r);
}

/* Is a literal of this part, announced at p[at], a message? */
static int
is_message(const struct part *pt, int dir, const uint8_t *p, size_t at, int *hdrs)
{
    *hdrs = 1;
    if (dir == DIR_C2S)
        /* APPEND's literals are messages (MULTIAPPEND: several), but
         * for a mailbox name given as a literal */
        return pt->cmd == IMAP_CMD_APPEND && !(pt->mbox_lit && pt->nlit == 0);
    return pt->cmd == IMAP_CMD_FETCH && body_att(p, at, hdrs);
}

/* A line that continues a command or a response after a literal. */
static void
part_line(struct flow *f, struct imap_st *st, int dir, const struct line *ln)
{
    struct part *pt = &st->part[dir];
    struct acc *a = f->sess->acc[dir];
    const uint8_t *t = ln->p;
    size_t n = ln->n, at = 0;
    uint64_t fl = 0, size = 0;
    int typed, sync = 0, lit = 0, hdrs = 1, msg;

    if (dir == DIR_C2S)
        t = sess_edit(f, ln, &n, &fl, &typed);
    if (ln->eol != EOL_NONE && !(ln->flags & ANOM_F(ANOM_TRUNCATED)))
        lit = line_literal(t, n, &size, &sync, &at);
    if (lit < 0)
        fl |= anom_hit(ANOM_MALFORMED);
    msg = lit > 0 && is_message(pt, dir, t, at, &hdrs);
    if (pt->st == PART_ASM) {
        if (a && a->active) {
            acc_note(a, ln);
            a->flags |= fl;
            cat(a, t, n);
        }
        if (lit > 0 && !msg) {
            if (a && a->active)
                cat(a, (const uint8_t *)"\n", 1);
            lit_start(f, pt, dir, size, sync);
            return;
        }
        part_emit(f, st, dir);
    } else if (pt->st == PART_BODY) {
        /* (a message literal takes raw bytes only: its framing was
         * lost) */
        if (a && a->active)
            a->flags |= anom_hit(ANOM_MALFORMED);
        body_end(f, st, dir);
        pt->st = PART_NONE;
    } else {
        pt->flags |= fl;
        pt->st = PART_NONE;     /* TAIL: the end of it, unless ... */
    }
    if (lit > 0) {
        pt->st = PART_TAIL;     /* ... more follows */
        if (msg)
            body_start(f, st, dir, size, hdrs);
        lit_start(f, pt, dir, size, sync);
    }
}

/* A command line (not SASL data, not the rest of a command). r comes
 * from auth_client_line: the line as the user meant it. */
static void
command(struct flow *f, struct imap_st *st, const struct line *ln, struct rec *r)
{
    const uint8_t *t = r->text.p;
    size_t n = r->text.n, tagn, argoff, at = 0;
    uint64_t size = 0;
    struct tagkey k;
    struct part *pt;
    struct acc *a;
    int cmd, uid, lit = 0, sync = 0, hdrs, early;

    cmd = parse_cmd(t, n, r->verb, sizeof r->verb, &tagn, &argoff, &uid);
    r->arg.p = t + argoff;
    r->arg.n = (uint32_t)(n - argoff);
    if (!tagn) {
        /* an empty line (telnet negotiation alone), or one that starts
         * with a space: no tag, nothing answers it by name */
        r->arg = r->text;
        sess_emit(f, DIR_C2S, r);
        return;
    }
    if (st && tagn == n && (st->idle || tag_pending(st, IMAP_CMD_IDLE)) && ci_eq(t, n, "DONE")) {
        memcpy(r->verb, "DONE", 5);
        r->arg.n = 0;
        st->idle = 0;
        sess_emit(f, DIR_C2S, r);
        return;
    }
    if (ln->eol != EOL_NONE && !(ln->flags & ANOM_F(ANOM_TRUNCATED)))
        lit = line_literal(t, n, &size, &sync, &at);
    if (lit < 0)
        r->flags |= anom_hit(ANOM_MALFORMED);
    if (!st) {
        if (lit > 0)
            f->sess->raw_left[DIR_C2S] = size;  /* skipped: data, not commands */
        sess_emit(f, DIR_C2S, r);
        return;
    }
    key_of(&k, t, tagn);
    early = st->early && key_eq(&st->early_k, &k);
    /* "*" and "+" are no tags (RFC 9051 9): nothing will answer them */
    if (!early && !(tagn == 1 && (t[0] == '*' || t[0] == '+')))
        tag_push(f, st, &k, cmd, r, &r->flags);
    if (lit <= 0) {
        cmd_done(f, st, r, cmd, argoff);
        return;
    }
    pt = &st->part[DIR_C2S];
    memset(pt, 0, sizeof *pt);
    pt->kind = REC_CMD;
    pt->cmd = (uint8_t)cmd;
    pt->k = k;
    pt->mbox_lit = cmd == IMAP_CMD_APPEND && at == argoff;
    if (is_message(pt, DIR_C2S, t, at, &hdrs)) {
        /* APPEND tag mailbox ... {n}: the command, then its message */
        cmd_done(f, st, r, cmd, argoff);
        pt->st = PART_TAIL;
        body_start(f, st, DIR_C2S, size, hdrs);
    } else if ((a = acc_open(f, DIR_C2S, 0, ln))) {
        acc_note(a, ln);
        cat(a, t, n);
        cat(a, (const uint8_t *)"\n", 1);
        pt->flags = r->flags;
        pt->st = PART_ASM;
    } else {
        r->flags |= anom_hit(ANOM_MEMCAP);
        cmd_done(f, st, r, cmd, argoff);
        pt->st = PART_TAIL;
    }
    lit_start(f, pt, DIR_C2S, size, sync);
}

static void
client_line(struct flow *f, const struct line *ln)
{
    struct imap_st *st = get(f);
    struct rec r;

    if (!st)
        f->pend[DIR_C2S] |= anom_hit(ANOM_MEMCAP);
    else if (st->part[DIR_C2S].st != PART_NONE) {
        part_line(f, st, DIR_C2S, ln);
        return;
    }
    if (auth_client_line(f, ln, &r))
        return;         /* SASL data, already emitted */
    command(f, st, ln, &r);
}

/* ---- server ---- */

/* The client's command with tag k is over (a completion came): what is
 * left of it is not coming. A synchronizing literal waits for "+", and
 * the completion says there will be none (RFC 9051 7.5). */
static void
client_cut(struct flow *f, struct imap_st *st, const struct tagkey *k)
{
    struct part *pt = &st->part[DIR_C2S];
    struct acc *a = f->sess->acc[DIR_C2S];

    if (pt->st == PART_NONE || !key_eq(&pt->k, k))
        return;
    if (pt->st == PART_ASM) {
        part_emit(f, st, DIR_C2S);
        pt->st = PART_TAIL;
    }
    if (pt->in_lit && pt->sync) {
        if (pt->st == PART_BODY && a && a->active)
            acc_close(a);   /* the message was refused: no body */
        f->sess->raw_left[DIR_C2S] = 0;
        pt->in_lit = 0;
        pt->st = PART_NONE;
    }
}

/* The command an untagged response answers: the oldest pending one
 * that asks for it, else for updates and status lines the oldest. */
static const struct pend *
owner_of(const struct imap_st *st, int kw)
{
    int i;

    if (!st)
        return NULL;
    for (i = 0; i < st->ntags; i++)
        if (solicits(st->tags[i].cmd) >> kw & 1)
            return &st->tags[i].p;
    return st->ntags && (U_ANY >> kw & 1) ? &st->tags[0].p : NULL;
}

static void
untagged(struct flow *f, struct imap_st *st, const struct line *ln, struct rec *r)
{
    struct sess *s = f->sess;
    const uint8_t *p = ln->p;
    size_t n = ln->n, wo, wl, at = 0;
    const struct pend *o;
    uint64_t size = 0;
    struct part *pt;
    struct acc *a;
    int kw = UNT_OTHER, lit = 0, sync, hdrs = 1;

    memcpy(r->verb, "*", 2);
    r->arg.p = p + (n > 2 ? 2 : n);
    r->arg.n = (uint32_t)(n > 2 ? n - 2 : 0);
    if (unt_word(p, n, &wo, &wl))
        kw = unt_of(p + wo, wl);
    if (!s->greeted) {
        /* The greeting comes first and answers no command, even when
         * the client spoke before it (RFC 9051 7.1). */
        s->greeted = 1;
        if (kw == UNT_OK || kw == UNT_PREAUTH || kw == UNT_BYE) {
            sess_emit(f, DIR_S2C, r);
            return;
        }
    }
    o = owner_of(st, kw);
    if (o)
        sess_answers(r, o);
    /* status lines carry text, data responses may carry literals */
    if (kw != UNT_OK && kw != UNT_NO && kw != UNT_BAD && kw != UNT_BYE && kw != UNT_PREAUTH
        && ln->eol != EOL_NONE && !(ln->flags & ANOM_F(ANOM_TRUNCATED)))
        lit = line_literal(p, n, &size, &sync, &at);
    if (lit < 0)
        r->flags |= anom_hit(ANOM_MALFORMED);
    if (lit <= 0 || !st) {
        if (lit > 0)
            s->raw_left[DIR_S2C] = size;    /* skipped: data */
        sess_emit(f, DIR_S2C, r);
        return;
    }
    pt = &st->part[DIR_S2C];
    memset(pt, 0, sizeof *pt);
    pt->kind = REC_REPLY;
    pt->cmd = kw == UNT_FETCH ? IMAP_CMD_FETCH : IMAP_CMD_UNKNOWN;
    if (o) {
        pt->owner = *o;
        pt->have_owner = 1;
    }
    if (is_message(pt, DIR_S2C, p, at, &hdrs)) {
        /* * n FETCH (... BODY[] {size}: the response, then the message */
        sess_emit(f, DIR_S2C, r);
        pt->st = PART_TAIL;
        body_start(f, st, DIR_S2C, size, hdrs);
    } else if ((a = acc_open(f, DIR_S2C, 0, ln))) {
        acc_note(a, ln);
        cat(a, p, n);
        cat(a, (const uint8_t *)"\n", 1);
        pt->flags = r->flags;
        pt->st = PART_ASM;
    } else {
        r->flags |= anom_hit(ANOM_MEMCAP);
        sess_emit(f, DIR_S2C, r);
        pt->st = PART_TAIL;
    }
    lit_start(f, pt, DIR_S2C, size, 0);
}

static void
continuation(struct flow *f, struct imap_st *st, const struct line *ln, struct rec *r)
{
    const uint8_t *p = ln->p;
    size_t n = ln->n;
    struct part *pt = st ? &st->part[DIR_C2S] : NULL;
    struct itag *e = NULL;
    int i;

    memcpy(r->verb, "+", 2);
    r->arg.p = p + (n > 2 ? 2 : n);
    r->arg.n = (uint32_t)(n > 2 ? n - 2 : 0);
    /* It answers the command waiting for it: the one whose literal is
     * due, else the latest (AUTHENTICATE, IDLE, APPEND). */
    if (pt && pt->st != PART_NONE && (i = tag_find(st, &pt->k)) >= 0)
        e = &st->tags[i];
    else if (st && st->ntags)
        e = &st->tags[st->ntags - 1];
    if (e) {
        sess_answers(r, &e->p);
        if (e->cmd == IMAP_CMD_AUTHENTICATE && auth_sasl_open(f))
            auth_challenge(f, r->arg.p, r->arg.n);    /* RFC 9051 6.2.2 */
        else if (e->cmd == IMAP_CMD_IDLE)
            st->idle = 1;
    } else if (!f->sess->midstream) {
        r->flags |= anom_hit(ANOM_UNMATCHED_REPLY);
    }
    sess_emit(f, DIR_S2C, r);
}

/* The client's partial line begins with this tag: the server answered a
 * command still being typed. */
static int
typing(struct flow *f, const uint8_t *tag, size_t tn, struct pend *pd)
{
    const struct line_asm *la = &f->la[DIR_C2S];
    const uint8_t *h;
    size_t hn = line_held(la, &h), o, l;

    if (hn <= tn || memcmp(h, tag, tn) || h[tn] != ' ')
        return 0;
    memset(pd, 0, sizeof *pd);
    if (word(h, hn, 1, &o, &l)) {
        sess_verb(pd->verb, sizeof pd->verb, h + o, l);
        pd->cmd = (uint8_t)cmd_of(h + o, l);
    }
    pd->pkt = la->pkt_first;
    pd->ts = la->ts_first;
    return 1;
}

static void
tagged(struct flow *f, struct imap_st *st, const struct line *ln, struct rec *r)
{
    struct sess *s = f->sess;
    const uint8_t *p = ln->p;
    size_t n = ln->n, to = 0, tl = 0, so = n, sl = 0, a;
    struct tagkey k;
    struct itag e;
    struct pend pd;
    int i = -1, ok;

    word(p, n, 0, &to, &tl);
    if (word(p, n, 1, &so, &sl)) {
        sess_verb(r->verb, sizeof r->verb, p + so, sl);
    }
    ok = ci_eq(p + so, sl, "OK");
    if (!ok && !ci_eq(p + so, sl, "NO") && !ci_eq(p + so, sl, "BAD"))
        r->flags |= anom_hit(ANOM_MALFORMED);
    for (a = so + sl; a < n && p[a] == ' '; a++)
        ;
    r->arg.p = p + a;
    r->arg.n = (uint32_t)(n - a);
    s->greeted = 1;
    if (!st) {
        sess_emit(f, DIR_S2C, r);
        return;
    }
    key_of(&k, p + to, tl);
    client_cut(f, st, &k);
    if ((i = tag_find(st, &k)) >= 0) {
        e = st->tags[i];
        tag_drop(st, i);
        sess_answers(r, &e.p);
    } else if (typing(f, p + to, tl, &pd)) {
        sess_answers(r, &pd);
        st->early = 1;
        st->early_ok = (uint8_t)ok;
        st->early_k = k;
    } else if (!s->midstream) {
        r->flags |= anom_hit(ANOM_UNMATCHED_REPLY);
    }
    sess_emit(f, DIR_S2C, r);
    if (i >= 0)
        completed(f, st, e.cmd, ok, p, n, ln);
}

static void
server_line(struct flow *f, const struct line *ln)
{
    struct imap_st *st = get(f);
    const uint8_t *p = ln->p;
    size_t n = ln->n;
    struct rec r;

    f->sess->server_spoke = 1;
    if (!st)
        f->pend[DIR_S2C] |= anom_hit(ANOM_MEMCAP);
    else if (st->part[DIR_S2C].st != PART_NONE) {
        part_line(f, st, DIR_S2C, ln);
        return;
    }
    sess_rec_line(f, DIR_S2C, ln, &r, REC_REPLY);
    if (n && p[0] == '*' && (n == 1 || p[1] == ' '))
        untagged(f, st, ln, &r);
    else if (n && p[0] == '+' && (n == 1 || p[1] == ' '))
        continuation(f, st, ln, &r);
    else if (n && p[0] != ' ')
        tagged(f, st, ln, &r);
    else {
        /* an empty line, or one that starts with a space */
        r.flags |= anom_hit(ANOM_MALFORMED);
        r.arg = r.text;
        sess_emit(f, DIR_S2C, &r);
    }
}

static void
imap_on_line(struct flow *f, int dir, const struct line *ln)
{
    if (dir == DIR_C2S)
        client_line(f, ln);
    else
        server_line(f, ln);
}

/* ---- COMPRESS: runs of compressed bytes ---- */

static void
run_emit(struct flow *f, struct imap_st *st, int dir)
{
    static const char txt[] = "bytes compressed (COMPRESS=DEFLATE, RFC 4978), not decoded";
    struct run *b = &st->run[dir];
    struct rec r;

    if (!b->bytes)
        return;
    sess_rec_line(f, dir, NULL, &r, REC_NOTE);
    r.pkt = b->pkt_last;
    r.pkt_first = b->pkt_first;
    r.ts = b->ts_last;
    r.ts_first = b->ts_first;
    r.nseg = b->nseg;
    r.size = b->bytes;
    r.len = (uint32_t)(b->bytes > UINT32_MAX ? UINT32_MAX : b->bytes);
    r.flags = b->flags | anom_hit(ANOM_COMPRESSED);
    memcpy(r.verb, "DEFLATE", 8);
    r.text.p = (const uint8_t *)txt;
    r.text.n = sizeof txt - 1;
    sess_emit(f, dir, &r);
    memset(b, 0, sizeof *b);
}

static void
run_add(struct flow *f, struct imap_st *st, int dir, size_t n, uint64_t pkt,
        const struct ms_time *ts)
{
    struct run *b = &st->run[dir];

    /* one record per run: the other direction's run ends here */
    if (st->run[!dir].bytes)
        run_emit(f, st, !dir);
    if (!b->bytes) {
        b->pkt_first = pkt;
        b->ts_first = *ts;
    }
    if (b->pkt_last != pkt || !b->nseg)
        b->nseg++;
    b->bytes += n;
    b->pkt_last = pkt;
    b->ts_last = *ts;
}

/* ---- raw bytes: literals, compressed runs ---- */

static size_t
imap_on_raw(struct flow *f, int dir, const uint8_t *p, size_t n, uint64_t pkt,
            const struct ms_time *ts)
{
    struct sess *s = f->sess;
    struct imap_st *st = s->proto_st;
    size_t k = n < s->raw_left[dir] ? n : (size_t)s->raw_left[dir];
    struct part *pt;
    struct acc *a = s->acc[dir];

    if (st && st->zip) {
        run_add(f, st, dir, n, pkt, ts);
        return n;
    }
    s->raw_left[dir] -= k;
    if (!st)
        return k;
    pt = &st->part[dir];
    if (pt->st == PART_ASM && a && a->active) {
        lit_bytes(a, p, k, pkt, ts);
    } else if (pt->st == PART_BODY) {
        if (a && a->active) {
            if (!a->nseg) {
                a->pkt_first = pkt;
                a->ts_first = *ts;
            }
            acc_body_bytes(a, p, k, pkt, ts);
        }
        if (!s->raw_left[dir])
            body_end(f, st, dir);
    }
    if (!s->raw_left[dir])
        pt->in_lit = 0;
    return k;
}

static void
imap_on_gap(struct flow *f, int dir, int cut)
{
    struct sess *s = f->sess;
    struct imap_st *st = s->proto_st;
    struct part *pt;
    struct acc *a = s->acc[dir];
    uint64_t why = ANOM_F(cut ? ANOM_TRUNCATED : ANOM_GAP);

    if (!st)
        return;
    if (st->zip) {
        st->run[dir].flags |= why;
        return;
    }
    pt = &st->part[dir];
    if (pt->st == PART_NONE)
        return;
    if (a && a->active && (pt->st == PART_ASM || pt->st == PART_BODY))
        a->flags |= why;
    else
        pt->flags |= why;
    /* Still inside the literal (stream.c counted the lost bytes against
     * it): it goes on. Else its end, or the line after it, was lost. */
    if (pt->in_lit && s->raw_left[dir])
        return;
    if (pt->st == PART_ASM)
        part_emit(f, st, dir);
    else if (pt->st == PART_BODY)
        body_end(f, st, dir);
    pt->st = PART_NONE;
    pt->in_lit = 0;
}

static void
imap_on_close(struct flow *f)
{
    struct sess *s = f->sess;
    struct imap_st *st = s->proto_st;
    struct acc *a;
    int dir;

    if (!st)
        return;
    if (st->zip) {
        /* both runs open: the one that began first goes first */
        dir = st->run[0].bytes && st->run[1].bytes && st->run[1].pkt_first < st->run[0].pkt_first;
        run_emit(f, st, dir);
        run_emit(f, st, !dir);
    }
    for (dir = 0; dir < 2; dir++) {
        struct part *pt = &st->part[dir];
        a = s->acc[dir];
        if ((pt->st == PART_ASM || pt->st == PART_BODY) && a && a->active)
            a->flags |= anom_hit(ANOM_UNTERMINATED_MULTILINE);
        if (pt->st == PART_ASM)
            part_emit(f, st, dir);
        else if (pt->st == PART_BODY)
            body_end(f, st, dir);
    }
    mem_free(MEM_STREAM, st->tags, st->cap * sizeof st->tags[0]);
    mem_give(&imap_pool, st);
    s->proto_st = NULL;
}

/* ---- the protocol's row ---- */

static int
imap_line_start(int dir, const uint8_t *p, size_t n)
{
    int c = p[0] | 0x20;

    (void)n;
    if (dir == DIR_S2C && (p[0] == '*' || p[0] == '+'))
        return 1;                       /* untagged, continuation */
    return (c >= 'a' && c <= 'z') || (p[0] >= '0' && p[0] <= '9') || p[0] == '.';
}

/* A greeting ("* OK", "* PREAUTH", "* BYE"; RFC 9051 7.1) from the
 * server, "tag command" from the client. Picked up mid-stream, any
 * untagged line and a tagged status line are IMAP too. */
static int
imap_detect(int dir, const uint8_t *p, size_t n, int midstream)
{
    size_t o, l, o2, l2;

    if (dir == DIR_S2C) {
        if (n >= 2 && p[0] == '*' && p[1] == ' ' && word(p, n, 1, &o, &l)) {
            if (ci_eq(p + o, l, "OK") || ci_eq(p + o, l, "PREAUTH") || ci_eq(p + o, l, "BYE"))
                return DET_YES;
            if (midstream)
                return DET_YES;
        }
        if (midstream && p[0] != '*' && p[0] != '+' && word(p, n, 1, &o, &l) && word(p, n, 0, &o2, &l2)
            && !o2 && (ci_eq(p + o, l, "OK") || ci_eq(p + o, l, "NO") || ci_eq(p + o, l, "BAD")))
            return DET_YES;
        return midstream ? DET_MAYBE : DET_NO;
    }
    if (n && p[0] != ' ' && p[0] != '*' && p[0] != '+' && word(p, n, 1, &o, &l)
        && cmd_of(p + o, l) != IMAP_CMD_UNKNOWN && cmd_of(p + o, l) != IMAP_CMD_DONE)
        return DET_YES;
    return midstream ? DET_MAYBE : DET_NO;
}

static const char *
imap_cmd_desc(const char *verb)
{
    size_t i;
    int c;

    for (i = 0; i < sizeof uid_desc / sizeof uid_desc[0]; i++)
        if (!strcmp(verb, uid_desc[i].verb))
            return uid_desc[i].desc;
    c = cmd_of((const uint8_t *)verb, strlen(verb));
    return c != IMAP_CMD_UNKNOWN ? cmd_desc[c] : NULL;
}

static int
imap_reply_explain(const struct rec *r, char *buf, size_t sz)
{
    const uint8_t *t = r->text.p;
    size_t n = r->text.n, o, l, a = 0;
    const char *what;
    int kw;

    if (r->kind != REC_REPLY || !r->verb[0])
        return 0;
    if (!strcmp(r->verb, "+")) {
        snprintf(buf, sz, "Continuation request: the server waits for the rest of "
                 "the command (a literal, a SASL response or DONE) (RFC 9051 7.6)");
        return 1;
    }
    if (!strcmp(r->verb, "*")) {
        kw = unt_word(t, n, &o, &l) ? unt_of(t + o, l) : UNT_OTHER;
        snprintf(buf, sz, "Untagged %s: %s", kw ? unt_kw[kw] : "data", unt_desc[kw]);
    } else {
        what = !strcmp(r->verb, "OK") ? "success: the command completed (RFC 9051 7.1.1)"
            : !strcmp(r->verb, "NO") ? "failure: the command was refused or failed (RFC 9051 7.1.2)"
            : !strcmp(r->verb, "BAD") ? "error: the command was not understood or its "
                                        "arguments are invalid (RFC 9051 7.1.3)"
            : "not a completion status (OK, NO or BAD)";
        snprintf(buf, sz, "Status: %.15s (%s)", r->verb, what);
    }
    a = strlen(buf);
    /* a response code: "[CODE ...]" after the status (RFC 9051 7.1) */
    if (r->arg.n && r->arg.p[0] == '[' && a < sz) {
        size_t i = 1;
        while (i < r->arg.n && r->arg.p[i] != ']' && r->arg.p[i] != ' ' && i < 32)
            i++;
        for (o = 1; o < i; o++)
            if (r->arg.p[o] < 0x21 || r->arg.p[o] > 0x7e)
                break;
        if (o == i && i > 1)
            snprintf(buf + a, sz - a, "; response code %.*s", (int)(i - 1),
                     (const char *)r->arg.p + 1);
    }
    return 1;
}

static int
imap_is_error(const struct rec *r)
{
    if (!strcmp(r->verb, "NO") || !strcmp(r->verb, "BAD"))
        return 1;
    /* untagged NO (a warning) and BAD (RFC 9051 7.1.2, 7.1.3) */
    return !strcmp(r->verb, "*") && r->text.n >= 4
        && ((ci_eq(r->text.p, 4, "* NO") && (r->text.n == 4 || r->text.p[4] == ' '))
            || (r->text.n >= 5 && ci_eq(r->text.p, 5, "* BAD")
                && (r->text.n == 5 || r->text.p[5] == ' ')));
}

/* The class of a reply for -z imap,stat and the report: the status of a
 * tagged completion (RFC 9051 7.1), untagged data, a continuation. */
static const char *
imap_reply_class(const struct rec *r, char *key, size_t ksz)
{
    static const struct { const char *key, *what; } cls[] = {
        { "OK", "success: the command completed" },
        { "NO", "failure: the command failed" },
        { "BAD", "error: the command is invalid" },
        { "*", "untagged: data sent along" },
        { "+", "continuation: send the rest" },
    };
    size_t i;

    if (ksz)
        key[0] = 0;
    if (r->kind != REC_REPLY)
        return NULL;
    for (i = 0; i < sizeof cls / sizeof cls[0]; i++)
        if (!strcmp(r->verb, cls[i].key)) {
            snprintf(key, ksz, "%s", cls[i].key);
            return cls[i].what;
        }
    return NULL;
}

/* Fields, with Wireshark's names (imap.*) and, as tshark 4.0 shows them,
 * words as sent: a line's first word is its tag, the second the command
 * (the one after UID for the UID forms) or the status, the third a
 * response's "command". */
#define IMAP(r) ((r)->proto == PROTO_IMAP)
#define IS(r, k) (IMAP(r) && (r)->kind == (k))
#define CMDLIKE(r) ((r)->kind == REC_CMD || (r)->kind == REC_AUTH)
/* tagged completions and continuations: Wireshark's response lines */
#define RSP(r) (IS(r, REC_REPLY) && (r)->text.n && (r)->text.p[0] != '*')
#define UNT(r) (IS(r, REC_REPLY) && (r)->text.n && (r)->text.p[0] == '*')

static int
v_word(const struct rec *r, int k, struct fld_val *v, int m)
{
    size_t o, l;

    return word(r->text.p, r->text.n, k, &o, &l) ? v_str(v, m, r->text.p + o, l) : 0;
}

static int
is_uid(const struct rec *r)
{
    size_t o, l;

    return word(r->text.p, r->text.n, 1, &o, &l) && ci_eq(r->text.p + o, l, "UID")
        && word(r->text.p, r->text.n, 2, &o, &l);
}

static int g_imap(const struct rec *r, struct fld_val *v, int m) { (void)v; (void)m; return IMAP(r) && r->kind != REC_CRED && r->kind != REC_TLS; }
static int g_isreq(const struct rec *r, struct fld_val *v, int m) { return IMAP(r) && r->kind != REC_CRED && r->kind != REC_TLS ? v_bool(v, m, r->dir == DIR_C2S) : 0; }
static int g_line(const struct rec *r, struct fld_val *v, int m) { return IMAP(r) && (CMDLIKE(r) || r->kind == REC_REPLY) ? v_lines(v, m, &r->text, 0) : 0; }
static int g_req(const struct rec *r, struct fld_val *v, int m) { return IMAP(r) && CMDLIKE(r) ? v_lines(v, m, &r->text, 0) : 0; }
static int g_req_tag(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_CMD) ? v_word(r, 0, v, m) : 0; }
static int g_req_cmd(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_CMD) ? v_word(r, is_uid(r) ? 2 : 1, v, m) : 0; }
static int g_req_uid(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_CMD) && is_uid(r) ? v_bool(v, m, 1) : 0; }
static int g_user(const struct rec *r, struct fld_val *v, int m) { return IMAP(r) && CMDLIKE(r) && r->cred.user.n ? v_rs(v, m, &r->cred.user) : 0; }
static int g_pass(const struct rec *r, struct fld_val *v, int m) { return IMAP(r) && CMDLIKE(r) && (r->flags & REC_F_CRED) ? v_rs(v, m, &r->cred.secret) : 0; }
static int g_rsp(const struct rec *r, struct fld_val *v, int m) { return RSP(r) ? v_lines(v, m, &r->text, 0) : 0; }
static int g_rsp_tag(const struct rec *r, struct fld_val *v, int m) { return RSP(r) ? v_word(r, 0, v, m) : 0; }
static int g_rsp_status(const struct rec *r, struct fld_val *v, int m) { return RSP(r) ? v_word(r, 1, v, m) : 0; }
static int g_rsp_cmd(const struct rec *r, struct fld_val *v, int m) { return RSP(r) ? v_word(r, 2, v, m) : 0; }
static int g_tag(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_CMD) || RSP(r) ? v_word(r, 0, v, m) : 0; }
static int g_command(const struct rec *r, struct fld_val *v, int m) { return IS(r, REC_CMD) ? v_word(r, 1, v, m) : RSP(r) ? v_word(r, 2, v, m) : 0; }
static int g_rsp_to(const struct rec *r, struct fld_val *v, int m) { return RSP(r) && r->text.p[0] != '+' && r->req_pkt ? v_uint(v, m, r->req_pkt) : 0; }
static int
g_time(const struct rec *r, struct fld_val *v, int m)
{
    int64_t s = ms_sec_sub(r->ts.sec, r->req_ts.sec);
    int64_t ns = (int64_t)r->ts.nsec - r->req_ts.nsec;

    if (!RSP(r) || r->text.p[0] == '+' || !r->req_pkt || m < 1)
        return 0;
    if (ns < 0) {
        ns += 1000000000;
        s--;
    }
    if (s < 0)
        s = ns = 0;
    v->type = FT_TIME;
    v->t.sec = s;
    v->t.nsec = (uint32_t)ns;
    return 1;
}
static int
g_untagged(const struct rec *r, struct fld_val *v, int m)
{
    size_t o, l;

    return UNT(r) && unt_word(r->text.p, r->text.n, &o, &l) ? v_str(v, m, r->text.p + o, l) : 0;
}

/* The mailbox a command names (Wireshark's list, without SEARCH): the
 * first argument, the second for COPY and MOVE; an astring, decoded. */
static int
g_folder(const struct rec *r, struct fld_val *v, int m)
{
    static uint8_t buf[LIM_ARG];
    struct astr a;
    size_t tagn, argoff, pos;
    char verb[16];
    int cmd, uid;

    if (!IS(r, REC_CMD))
        return 0;
    cmd = parse_cmd(r->text.p, r->text.n, verb, sizeof verb, &tagn, &argoff, &uid);
    switch (cmd) {
    case IMAP_CMD_SELECT: case IMAP_CMD_EXAMINE: case IMAP_CMD_CREATE:
    case IMAP_CMD_DELETE: case IMAP_CMD_RENAME: case IMAP_CMD_SUBSCRIBE:
    case IMAP_CMD_UNSUBSCRIBE: case IMAP_CMD_STATUS: case IMAP_CMD_APPEND:
        break;
    case IMAP_CMD_COPY: case IMAP_CMD_MOVE:
        pos = argoff;
        if (!astring(r->text.p, r->text.n, &pos, buf, sizeof buf, &a))
            return 0;
        argoff = pos;
        break;
    default:
        return 0;
    }
    pos = argoff;
    return astring(r->text.p, r->text.n, &pos, buf, sizeof buf, &a) ? v_str(v, m, a.p, a.n) : 0;
}

#define J FLD_JSON
#define K(k) (1u << REC_##k)
#define ANY_IMAP (K(CMD) | K(REPLY) | K(BODY) | K(AUTH) | K(NOTE) | K(DATA))
static const struct fld_def imap_fields[] = {
    { "imap", FT_PROTO, 0, "IMAP", g_imap, 0, 0 },
    { "imap.isrequest", FT_BOOL, 0, "1 for the client's messages, 0 for the server's", g_isreq, ANY_IMAP, 0 },
    { "imap.line", FT_STR, 0, "IMAP line (one per line; literals in place)", g_line, K(CMD) | K(AUTH) | K(REPLY), 0 },
    { "imap.request", FT_STR, 0, "IMAP client line (one per line)", g_req, K(CMD) | K(AUTH), 0 },
    { "imap.request_tag", FT_STR, J, "tag of a command (its first word)", g_req_tag, K(CMD), 0 },
    { "imap.request.command", FT_STR, J, "command as sent (the one after UID)", g_req_cmd, K(CMD), 0 },
    { "imap.request.command.uid", FT_BOOL, J, "a UID command", g_req_uid, K(CMD), 0 },
    { "imap.request.folder", FT_STR, J, "mailbox a command names (decoded astring)", g_folder, K(CMD), 0 },
    { "imap.request.username", FT_STR, J, "LOGIN user name (AUTHENTICATE: decoded)", g_user, K(CMD) | K(AUTH), 0 },
    { "imap.request.password", FT_STR, J, "LOGIN password (AUTHENTICATE: password, token or digest)", g_pass, K(CMD) | K(AUTH), 0 },
    { "imap.response", FT_STR, 0, "IMAP completion or continuation line", g_rsp, K(REPLY), 0 },
    { "imap.response_tag", FT_STR, J, "tag of a completion (+ for a continuation)", g_rsp_tag, K(REPLY), 0 },
    { "imap.response.status", FT_STR, J, "second word of a completion: OK, NO, BAD", g_rsp_status, K(REPLY), 0 },
    { "imap.response.command", FT_STR, 0, "third word of a completion or continuation", g_rsp_cmd, K(REPLY), 0 },
    { "imap.tag", FT_STR, 0, "tag of a command or a completion", g_tag, K(CMD) | K(REPLY), 0 },
    { "imap.command", FT_STR, 0, "a command's second word (UID for the UID forms), a completion's third", g_command, K(CMD) | K(REPLY), 0 },
    { "imap.response_to", FT_UINT, 0, "a completion: the frame of its command", g_rsp_to, K(REPLY), 0 },
    { "imap.time", FT_TIME, 0, "a completion: seconds since its command", g_time, K(REPLY), 0 },
    { "imap.untagged", FT_STR, J, "keyword of an untagged response (OK, CAPABILITY, EXISTS, FETCH ...)", g_untagged, K(REPLY), 0 },
};
#undef ANY_IMAP
#undef K
#undef J

const struct proto_ops imap_proto = {
    .name = "imap",
    .label = "IMAP",
    .title = "Internet Message Access Protocol",
    /* RFC 9051 (143); implicit TLS RFC 8314 (993) */
    .ports = { 143 },
    .tls_ports = { 993 },
    .on_line = imap_on_line,
    .on_raw = imap_on_raw,
    .on_gap = imap_on_gap,
    .on_close = imap_on_close,
    .line_start = imap_line_start,
    .detect = imap_detect,
    .cmd_desc = imap_cmd_desc,
    .reply_explain = imap_reply_explain,
    .is_error = imap_is_error,
    .reply_class = imap_reply_class,
    .fields = imap_fields,
    .nfields = sizeof imap_fields / sizeof imap_fields[0],
};
