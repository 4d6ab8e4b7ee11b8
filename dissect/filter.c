/* filter.c - display filter: lex, parse, check against the field registry,
 * evaluate. The language is a subset of Wireshark's display filters
 * (wireshark-filter(4), Wireshark 4.x semantics); see filter.h. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "filter.h"
#include "hex.h"

/* Longest filter text: columns stay small ints, and a command line or
 * filter bar never gets near it. */
#define FLT_MAX_LEN     65536

/* Nesting of parentheses and "not": the parser and the evaluator recurse
 * once per level ("a or b or c" is one n-ary node, not a chain), so this
 * bounds their stack use. */
#define FLT_MAX_DEPTH   64

/* Steps PCRE2 may take on one value (pcre2_set_match_limit): the
 * pattern comes from the user, the subject from the network, and a
 * backtracking pattern must not stall the filter bar. */
#define FLT_RE_STEPS    200000

/* Ranges in one slice ("[0:2,5,9:]"). */
#define FLT_MAX_RANGES  8

/* Bytes for the values functions and slices make during one test
 * (lower(), string(), "[0:2,5]"), per side: more than the strings of
 * one record hold, so nothing is cut in practice; values past it are
 * dropped. */
#define FLT_SCRATCH     32768

/* The type of a slice: bytes, compared byte-wise like strings, and with
 * strings or byte literals (4d:41). */
#define FT_BYTES        100

#if defined(__GNUC__)
#define FLT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FLT_PRINTF(a, b)
#endif

/* ---- tokens ---- */

enum flt_tk {
    TK_END, TK_WORD, TK_STR, TK_RAWSTR,
    TK_LPAREN, TK_RPAREN, TK_LBRACE, TK_RBRACE, TK_COMMA, TK_DOTDOT,
    TK_EQ, TK_NE, TK_LT, TK_GT, TK_LE, TK_GE,
    TK_CONTAINS, TK_MATCHES, TK_IN,
    TK_NOT, TK_AND, TK_OR,
    TK_SLICE, TK_ANY, TK_ALL, TK_ALLEQ, TK_ANYNE,
};

struct flt_tok {
    int kind;       /* enum flt_tk */
    int pos, len;   /* bytes of text; strings include their quotes */
};

/* Keywords, matched case-insensitively against whole words. */
static const struct {
    const char *word;
    int kind;
} flt_kw[] = {
    { "and", TK_AND }, { "or", TK_OR }, { "not", TK_NOT },
    { "eq", TK_EQ }, { "ne", TK_NE }, { "lt", TK_LT }, { "gt", TK_GT },
    { "le", TK_LE }, { "ge", TK_GE }, { "contains", TK_CONTAINS },
    { "matches", TK_MATCHES }, { "in", TK_IN },
    { "any_eq", TK_EQ }, { "all_ne", TK_NE }, { "all_eq", TK_ALLEQ },
    { "any_ne", TK_ANYNE }, { "any", TK_ANY }, { "all", TK_ALL },
};

/* Functions (names are lower case, as in Wireshark). */
enum flt_fn { FN_NONE, FN_LOWER, FN_UPPER, FN_LEN, FN_COUNT, FN_STRING };

static const char *const flt_fn_name[] = {
    "", "lower", "upper", "len", "count", "string",
};

/* ---- compiled filter ---- */

enum flt_op { N_ALL, N_OR, N_AND, N_NOT, N_TEST, N_ITEM };

enum flt_cmp {
    C_NONE, C_EQ, C_NE, C_LT, C_GT, C_LE, C_GE, C_CONTAINS, C_MATCHES, C_IN,
    C_ALLEQ, C_ANYNE,
};

static const char *const flt_cmp_name[] = {
    "", "==", "!=", "<", ">", "<=", ">=", "contains", "matches", "in",
    "===", "!==",
};

/* Quantifier: as the operator says (== any, != all), or "any"/"all". */
enum flt_quant { Q_DEFAULT, Q_ANY, Q_ALL };

struct flt_span {
    int pos, len;   /* into flt.text */
};

/* One range of a slice, offsets as written (negative: from the end). */
enum flt_rk { R_LEN, R_END, R_ONE, R_TOEND };   /* i:j, i-j, i, i: */

struct flt_range {
    int kind;
    int64_t a, b;
};

/* A side of a comparison: field, function of a field, either sliced. */
struct flt_opnd {
    int fn;                         /* enum flt_fn */
    struct flt_span all;            /* the whole operand as typed */
    struct flt_span fname;          /* function name */
    struct flt_span name;           /* field */
    struct flt_span slice;          /* "[...]" after the field or call */
    struct flt_span inner;          /* "[...]" inside the call (refused) */
    int nrange;
    struct flt_range range[FLT_MAX_RANGES];
    const struct fld_def *fld;
    int type;                       /* of the values: FT_*, FT_BYTES */
};

/* A literal converted for one field type. */
struct flt_val {
    uint64_t u;             /* FT_UINT, FT_BOOL */
    struct ms_time t;       /* FT_TIME */
    const uint8_t *s;       /* FT_STR: into flt.buf, NUL after */
    size_t n;
    uint8_t family;         /* FT_ADDR: 4 or 6 */
    uint8_t prefix;         /* leading bits compared */
    uint8_t cidr;           /* a "/prefix" was given */
    uint8_t a[16];
};

struct flt_node {
    int op;                 /* enum flt_op */
    int cmp;                /* enum flt_cmp (N_TEST) */
    int quant;              /* enum flt_quant (N_TEST) */
    int kid, next;          /* first child, next sibling; -1 if none */
    int range;              /* N_ITEM: lo..hi */
    int has_rhs;            /* N_TEST: the right side is rhs, not val */
    struct flt_span name;   /* N_TEST: field; N_ITEM: unused */
    struct flt_span opt;    /* operator as typed */
    struct flt_span qt;     /* "any"/"all" as typed */
    struct flt_span val;    /* value; N_ITEM: low end */
    struct flt_span hi;     /* N_ITEM: high end of a range */
    const struct fld_def *fld;
    struct flt_opnd lhs, rhs;
    struct flt_val v, vhi;
    pcre2_code *re;         /* C_MATCHES, with its match data and limits */
    pcre2_match_data *md;
    pcre2_match_context *mc;
};

struct flt {
    int root;
    int nnode, maxnode;
    char *text;             /* copy of the source, NUL-terminated */
    size_t len;
    uint8_t *buf;           /* decoded string literals */
    size_t bufused, bufcap;
    uint8_t *scratch;       /* 2 * FLT_SCRATCH: values made while matching */
    struct flt_node node[]; /* maxnode of them; text and buf follow */
};

/* ---- small helpers ---- */

static int
flt_isdigit(int c)
{
    return c >= '0' && c <= '9';
}

static int
flt_isxdigit(int c)
{
    return flt_isdigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int
flt_isalpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bytes that may start a field name or bare literal (number, address). */
static int
flt_word_start(int c)
{
    return flt_isalpha(c) || flt_isdigit(c) || c == '_' || c == ':';
}

/* Bytes that may continue one: field names are dotted, addresses have
 * dots, colons and a "/prefix". */
static int
flt_word_char(int c)
{
    return flt_word_start(c) || c == '.' || c == '/' || c == '-';
}

/* Bytes a field name is made of (for completion). */
static int
flt_name_char(int c)
{
    return flt_isalpha(c) || flt_isdigit(c) || c == '_' || c == '.' ||
        c == '-';
}

static int
flt_isprint(int c)
{
    return c >= 0x20 && c <= 0x7e;
}

static int
flt_ieq(const char *a, size_t n, const char *b)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (y == 0)
            return 0;
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (x != y)
            return 0;
    }
    return b[n] == 0;
}

static void flt_fail(struct flt_err *err, int col, const char *fmt, ...)
    FLT_PRINTF(3, 4);

static void
flt_fail(struct flt_err *err, int col, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    err->col = col;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* Copy at most 32 bytes of s for an error message, '?' for non-printable
 * bytes, "..." when cut. */
static const char *
flt_quote(char *dst, size_t dstsz, const char *s, size_t n)
{
    size_t i, k = 0, max = n > 32 ? 32 : n;

    for (i = 0; i < max && k + 4 < dstsz; i++)
        dst[k++] = flt_isprint((unsigned char)s[i]) ? s[i] : '?';
    if (i < n && k + 4 <= dstsz) {
        memcpy(dst + k, "...", 3);
        k += 3;
    }
    dst[k] = 0;
    return dst;
}

/* ---- lex ---- */

/* Check the string literal starting at text[pos] (a '"'); return the index
 * of its closing quote, or -1 with err filled. Raw strings (r"...") keep
 * every byte; a backslash there only stops the next '"' from ending it. */
static int
flt_lex_string(const char *text, int len, int pos, int raw, int start,
    struct flt_err *err)
{
    int j = pos + 1;

    while (j < len) {
        int c = (unsigned char)text[j];
        if (c == '"')
            return j;
        if (c != '\\') {
            j++;
            continue;
        }
        if (j + 1 >= len)
            break;
        if (raw) {
            j += 2;
            continue;
        }
        c = (unsigned char)text[j + 1];
        switch (c) {
        case '"': case '\\': case '\'': case 'n': case 't': case 'r':
        case 'a': case 'b': case 'f': case 'v':
            j += 2;
            break;
        case 'x':
            if (j + 3 >= len || !flt_isxdigit((unsigned char)text[j + 2]) ||
                !flt_isxdigit((unsigned char)text[j + 3])) {
                flt_fail(err, j, "\"\\x\" needs two hex digits");
                return -1;
            }
            j += 4;
            break;
        default:
            if (c >= '0' && c <= '7') {
                /* \N, \NN, \NNN octal, at most \377 */
                int k = 1, v = 0;
                while (k <= 3 && j + k < len && text[j + k] >= '0' &&
                    text[j + k] <= '7') {
                    v = v * 8 + (text[j + k] - '0');
                    k++;
                }
                if (v > 0377) {
                    flt_fail(err, j, "octal escape out of range");
                    return -1;
                }
                j += k;
                break;
            }
            if (flt_isprint(c))
                flt_fail(err, j, "invalid escape \"\\%c\"", c);
            else
                flt_fail(err, j, "invalid escape");
            return -1;
        }
    }
    flt_fail(err, start, "unterminated string");
    return -1;
}

/* Split text into tokens; the last is TK_END. tok must hold len + 1.
 * Returns the token count or -1 with err filled. */
static int
flt_lex(const char *text, int len, struct flt_tok *tok, struct flt_err *err)
{
    int i = 0, n = 0, last_end = 0;

    while (i < len) {
        int c = (unsigned char)text[i];
        int c1 = i + 1 < len ? (unsigned char)text[i + 1] : 0;
        int kind = -1, w = 1;

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
            continue;
        }
        switch (c) {
        case '(': kind = TK_LPAREN; break;
        case ')': kind = TK_RPAREN; break;
        case '{': kind = TK_LBRACE; break;
        case '}': kind = TK_RBRACE; break;
        case ',': kind = TK_COMMA; break;
        case '~':
            /* "~=" is "any_ne" (Wireshark 4), "~" is "matches" */
            w = c1 == '=' ? 2 : 1;
            kind = w == 2 ? TK_ANYNE : TK_MATCHES;
            break;
        case '<':
        case '>':
        case '!':
            w = c1 == '=' ? 2 : 1;
            if (c == '<')
                kind = w == 2 ? TK_LE : TK_LT;
            else if (c == '>')
                kind = w == 2 ? TK_GE : TK_GT;
            else if (w == 2 && i + 2 < len && text[i + 2] == '=')
                kind = TK_ANYNE, w = 3;         /* "!==" */
            else
                kind = w == 2 ? TK_NE : TK_NOT;
            break;
        case '=':
            if (c1 != '=') {
                flt_fail(err, i, "unexpected \"=\" (use \"==\")");
                return -1;
            }
            kind = TK_EQ;
            w = 2;
            if (i + 2 < len && text[i + 2] == '=')
                kind = TK_ALLEQ, w = 3;         /* "===" */
            break;
        case '[': {
            /* A slice, parsed later from its text. */
            int e = i + 1;
            while (e < len && text[e] != ']' && text[e] != '[')
                e++;
            if (e >= len || text[e] != ']') {
                flt_fail(err, i, "unmatched \"[\"");
                return -1;
            }
            kind = TK_SLICE;
            w = e + 1 - i;
            break;
        }
        case '&':
            if (c1 != '&') {
                flt_fail(err, i, "unexpected \"&\" (use \"&&\" or \"and\")");
                return -1;
            }
            kind = TK_AND;
            w = 2;
            break;
        case '|':
            if (c1 != '|') {
                flt_fail(err, i, "unexpected \"|\" (use \"||\" or \"or\")");
                return -1;
            }
            kind = TK_OR;
            w = 2;
            break;
        case '.':
            if (c1 != '.') {
                flt_fail(err, i, "unexpected \".\"");
                return -1;
            }
            kind = TK_DOTDOT;
            w = 2;
            break;
        case '"': {
            int e = flt_lex_string(text, len, i, 0, i, err);
            if (e < 0)
                return -1;
            kind = TK_STR;
            w = e + 1 - i;
            break;
        }
        default:
            if ((c == 'r' || c == 'R') && c1 == '"') {
                int e = flt_lex_string(text, len, i + 1, 1, i, err);
                if (e < 0)
                    return -1;
                kind = TK_RAWSTR;
                w = e + 1 - i;
                break;
            }
            if (flt_word_start(c)) {
                size_t k;
                /* A word ends before ".." so "{500..599}" is a range. */
                while (i + w < len &&
                    flt_word_char((unsigned char)text[i + w]) &&
                    !(text[i + w] == '.' && i + w + 1 < len &&
                    text[i + w + 1] == '.'))
                    w++;
                kind = TK_WORD;
                for (k = 0; k < sizeof flt_kw / sizeof flt_kw[0]; k++)
                    if (flt_ieq(text + i, (size_t)w, flt_kw[k].word))
                        kind = flt_kw[k].kind;
                break;
            }
            if (flt_isprint(c))
                flt_fail(err, i, "unexpected \"%c\"", c);
            else
                flt_fail(err, i, "unexpected byte 0x%02x", (unsigned)c);
            return -1;
        }
        tok[n].kind = kind;
        tok[n].pos = i;
        tok[n].len = w;
        n++;
        i += w;
        last_end = i;
    }
    /* The end sits one past the last token, so "a ==  " puts a caret
     * just after the operator rather than far to the right. */
    tok[n].kind = TK_END;
    tok[n].pos = last_end < len ? last_end + 1 : len;
    tok[n].len = 0;
    return n + 1;
}

/* ---- parse ---- */

struct flt_ps {
    const char *text;
    const struct flt_tok *tok;
    int ntok, i;
    struct flt_node *node;
    int nnode, maxnode;
    int depth;
    struct flt_err *err;
};

/* Every node consumes a token of its own (operator, field, value, or
 * the end for an empty filter), so ntok nodes always suffice. */
static int
flt_new(struct flt_ps *ps, int op, int pos)
{
    struct flt_node *nd;

    if (ps->nnode >= ps->maxnode) {
        flt_fail(ps->err, pos, "internal error: node array full");
        return -1;
    }
    nd = &ps->node[ps->nnode];
    memset(nd, 0, sizeof *nd);
    nd->op = op;
    nd->kid = -1;
    nd->next = -1;
    return ps->nnode++;
}

static const struct flt_tok *
flt_peek(const struct flt_ps *ps)
{
    return &ps->tok[ps->i];
}

/* "unexpected X" for the current token. */
static void
flt_unexpected(struct flt_ps *ps)
{
    const struct flt_tok *t = flt_peek(ps);
    char q[48];

    if (t->kind == TK_END)
        flt_fail(ps->err, t->pos, "unexpected end of filter");
    else
        flt_fail(ps->err, t->pos, "unexpected \"%s\"",
            flt_quote(q, sizeof q, ps->text + t->pos, (size_t)t->len));
}

/* "expected WHAT after PREV" when the input ends, else "unexpected X". */
static void
flt_expected(struct flt_ps *ps, const char *what)
{
    const struct flt_tok *t = flt_peek(ps);
    char q[48];

    if (t->kind == TK_END && ps->i > 0) {
        const struct flt_tok *p = &ps->tok[ps->i - 1];
        flt_fail(ps->err, t->pos, "expected %s after \"%s\"", what,
            flt_quote(q, sizeof q, ps->text + p->pos, (size_t)p->len));
    } else {
        flt_unexpected(ps);
    }
}

static int flt_parse_or(struct flt_ps *ps);

static int
flt_is_value(int kind)
{
    return kind == TK_WORD || kind == TK_STR || kind == TK_RAWSTR;
}

static void
flt_set_span(struct flt_span *s, const struct flt_tok *t)
{
    s->pos = t->pos;
    s->len = t->len;
}

/* "{" item { [","] item } "}" after "in"; items hang off nd->kid. */
static int
flt_parse_set(struct flt_ps *ps, int test)
{
    const struct flt_tok *t = flt_peek(ps);
    int brace = t->pos, last = -1;

    if (t->kind != TK_LBRACE) {
        if (t->kind == TK_END)
            flt_expected(ps, "\"{\"");
        else
            flt_fail(ps->err, t->pos, "expected \"{\" after \"in\"");
        return -1;
    }
    ps->i++;
    for (;;) {
        int it;
        t = flt_peek(ps);
        if (t->kind == TK_RBRACE) {
            if (last < 0) {
                flt_fail(ps->err, t->pos, "empty set");
                return -1;
            }
            ps->i++;
            return 0;
        }
        if (t->kind == TK_END) {
            flt_fail(ps->err, brace, "unmatched \"{\"");
            return -1;
        }
        if (t->kind == TK_COMMA && last >= 0) {
            ps->i++;
            t = flt_peek(ps);
        }
        if (!flt_is_value(t->kind)) {
            if (t->kind == TK_END)
                flt_fail(ps->err, brace, "unmatched \"{\"");
            else
                flt_unexpected(ps);
            return -1;
        }
        it = flt_new(ps, N_ITEM, t->pos);
        if (it < 0)
            return -1;
        flt_set_span(&ps->node[it].val, t);
        ps->i++;
        if (flt_peek(ps)->kind == TK_DOTDOT) {
            ps->i++;
            t = flt_peek(ps);
            if (!flt_is_value(t->kind)) {
                flt_fail(ps->err, t->pos, "expected a value after \"..\"");
                return -1;
            }
            ps->node[it].range = 1;
            flt_set_span(&ps->node[it].hi, t);
            ps->i++;
        }
        if (last < 0)
            ps->node[test].kid = it;
        else
            ps->node[last].next = it;
        last = it;
    }
}

/* An offset in a slice: [-]digits. 0, or -1 if there is none here,
 * -2 if out of range. */
static int
flt_slice_num(const char *t, int *i, int end, int64_t *v)
{
    int neg = 0, j = *i, digits = 0;
    int64_t x = 0;

    if (j < end && t[j] == '-') {
        neg = 1;
        j++;
    }
    while (j < end && flt_isdigit((unsigned char)t[j])) {
        if (x > INT32_MAX / 10)
            return -2;
        x = x * 10 + (t[j] - '0');
        j++;
        digits++;
    }
    if (!digits)
        return -1;
    *v = neg ? -x : x;
    *i = j;
    return 0;
}

static void
flt_skip_ws(const char *t, int *i, int end)
{
    while (*i < end && (t[*i] == ' ' || t[*i] == '\t'))
        (*i)++;
}

/* "[" range { "," range } "]" at token t into op (Wireshark's forms:
 * i:j offset and length, i-j offsets inclusive, i, :j, i:). */
static int
flt_parse_slice(struct flt_ps *ps, const struct flt_tok *t, struct flt_opnd *op)
{
    const char *x = ps->text;
    int i = t->pos + 1, end = t->pos + t->len - 1, start, rc;
    char q[48];

    op->slice.pos = t->pos;
    op->slice.len = t->len;
    op->nrange = 0;
    for (;;) {
        struct flt_range *r;
        int64_t a = 0, b = 0;
        flt_skip_ws(x, &i, end);
        start = i;
        if (op->nrange == FLT_MAX_RANGES) {
            flt_fail(ps->err, start, "too many ranges in a slice (at most %d)",
                FLT_MAX_RANGES);
            return -1;
        }
        r = &op->range[op->nrange++];
        rc = flt_slice_num(x, &i, end, &a);
        if (rc == -2)
            goto bad;
        if (rc < 0 && (i >= end || x[i] != ':'))
            goto bad;
        flt_skip_ws(x, &i, end);
        if (i < end && x[i] == ':') {
            i++;
            flt_skip_ws(x, &i, end);
            rc = flt_slice_num(x, &i, end, &b);
            if (rc == -2)
                goto bad;
            if (rc < 0) {
                if (start == i - 1 || x[start] == ':')
                    goto bad;       /* ":" alone */
                r->kind = R_TOEND;
            } else {
                r->kind = R_LEN;
                if (b <= 0) {
                    flt_fail(ps->err, start, "range %s isn't valid because "
                        "length %" PRId64 " isn't positive",
                        flt_quote(q, sizeof q, x + start, (size_t)(i - start)), b);
                    return -1;
                }
            }
        } else if (i < end && x[i] == '-') {
            i++;
            if (flt_slice_num(x, &i, end, &b) != 0)
                goto bad;
            r->kind = R_END;
            if (a >= b) {
                flt_fail(ps->err, start, "range %s isn't valid because %" PRId64
                    " is not less than %" PRId64,
                    flt_quote(q, sizeof q, x + start, (size_t)(i - start)), a, b);
                return -1;
            }
        } else {
            r->kind = R_ONE;
        }
        r->a = a;
        r->b = b;
        flt_skip_ws(x, &i, end);
        if (i >= end)
            return 0;
        if (x[i] != ',')
            goto bad;
        i++;
    }
bad:
    flt_fail(ps->err, start, "\"%s\" is not a valid range",
        flt_quote(q, sizeof q, x + start, (size_t)(end > start ? end - start : 0)));
    return -1;
}

static int
flt_fn_find(const char *s, size_t n)
{
    int k;

    for (k = FN_LOWER; k <= FN_STRING; k++)
        if (strlen(flt_fn_name[k]) == n && !memcmp(flt_fn_name[k], s, n))
            return k;
    return FN_NONE;
}

/* FIELD [slice] | FUNCTION "(" FIELD ")" [slice] */
static int
flt_parse_opnd(struct flt_ps *ps, struct flt_opnd *op)
{
    const struct flt_tok *t = flt_peek(ps);
    char q[48];

    memset(op, 0, sizeof *op);
    op->all.pos = t->pos;
    if (t->kind != TK_WORD) {
        flt_expected(ps, "a field");
        return -1;
    }
    if (ps->tok[ps->i + 1].kind == TK_LPAREN) {
        flt_set_span(&op->fname, t);
        op->fn = flt_fn_find(ps->text + t->pos, (size_t)t->len);
        if (op->fn == FN_NONE) {
            flt_fail(ps->err, t->pos, "function \"%s\" does not exist",
                flt_quote(q, sizeof q, ps->text + t->pos, (size_t)t->len));
            return -1;
        }
        ps->i += 2;
        t = flt_peek(ps);
        if (t->kind != TK_WORD) {
            flt_expected(ps, "a field");
            return -1;
        }
        flt_set_span(&op->name, t);
        ps->i++;
        if (flt_peek(ps)->kind == TK_SLICE) {
            flt_set_span(&op->inner, flt_peek(ps));
            ps->i++;
        }
        t = flt_peek(ps);
        if (t->kind == TK_COMMA) {
            flt_fail(ps->err, op->fname.pos, "function %s takes one argument",
                flt_fn_name[op->fn]);
            return -1;
        }
        if (t->kind != TK_RPAREN) {
            if (t->kind == TK_END)
                flt_fail(ps->err, op->fname.pos + op->fname.len,
                    "unmatched \"(\"");
            else
                flt_unexpected(ps);
            return -1;
        }
        ps->i++;
    } else {
        flt_set_span(&op->name, t);
        ps->i++;
    }
    t = flt_peek(ps);
    if (t->kind == TK_SLICE) {
        if (flt_parse_slice(ps, t, op) < 0)
            return -1;
        ps->i++;
    }
    t = &ps->tok[ps->i - 1];
    op->all.len = t->pos + t->len - op->all.pos;
    return 0;
}

/* Is the word token t a field name (then a right side is a field)? */
static int
flt_is_field_word(const struct flt_ps *ps, const struct flt_tok *t)
{
    return t->kind == TK_WORD &&
        (ps->tok[ps->i + 1].kind == TK_LPAREN ||
         fld_find(ps->text + t->pos, (size_t)t->len) != NULL);
}

/* [any | all] OPERAND [op (value | OPERAND) | in set] */
static int
flt_parse_test(struct flt_ps *ps)
{
    const struct flt_tok *t = flt_peek(ps);
    int n, cmp, quant = Q_DEFAULT;
    struct flt_span qt = { 0, 0 };

    if (t->kind == TK_ANY || t->kind == TK_ALL) {
        quant = t->kind == TK_ANY ? Q_ANY : Q_ALL;
        flt_set_span(&qt, t);
        ps->i++;
        t = flt_peek(ps);
    }
    n = flt_new(ps, N_TEST, t->pos);
    if (n < 0)
        return -1;
    ps->node[n].quant = quant;
    ps->node[n].qt = qt;
    if (flt_parse_opnd(ps, &ps->node[n].lhs) < 0)
        return -1;
    ps->node[n].name = ps->node[n].lhs.name;
    t = flt_peek(ps);
    switch (t->kind) {
    case TK_EQ: cmp = C_EQ; break;
    case TK_NE: cmp = C_NE; break;
    case TK_ALLEQ: cmp = C_ALLEQ; break;
    case TK_ANYNE: cmp = C_ANYNE; break;
    case TK_LT: cmp = C_LT; break;
    case TK_GT: cmp = C_GT; break;
    case TK_LE: cmp = C_LE; break;
    case TK_GE: cmp = C_GE; break;
    case TK_CONTAINS: cmp = C_CONTAINS; break;
    case TK_MATCHES: cmp = C_MATCHES; break;
    case TK_IN: cmp = C_IN; break;
    default:
        if (quant != Q_DEFAULT) {
            flt_expected(ps, "a comparison");
            return -1;
        }
        return n;   /* presence */
    }
    ps->node[n].cmp = cmp;
    flt_set_span(&ps->node[n].opt, t);
    ps->i++;
    if (cmp == C_IN)
        return flt_parse_set(ps, n) < 0 ? -1 : n;
    t = flt_peek(ps);
    if (flt_is_field_word(ps, t)) {
        ps->node[n].has_rhs = 1;
        if (flt_parse_opnd(ps, &ps->node[n].rhs) < 0)
            return -1;
        ps->node[n].val = ps->node[n].rhs.all;
        return n;
    }
    if (!flt_is_value(t->kind)) {
        char q[48];
        const struct flt_tok *o = &ps->tok[ps->i - 1];
        flt_fail(ps->err, t->pos, "expected a value after \"%s\"",
            flt_quote(q, sizeof q, ps->text + o->pos, (size_t)o->len));
        return -1;
    }
    flt_set_span(&ps->node[n].val, t);
    ps->i++;
    return n;
}

static int
flt_parse_primary(struct flt_ps *ps)
{
    const struct flt_tok *t = flt_peek(ps);
    int n, open;

    switch (t->kind) {
    case TK_LPAREN:
        if (++ps->depth > FLT_MAX_DEPTH) {
            flt_fail(ps->err, t->pos, "filter nested too deeply");
            return -1;
        }
        open = t->pos;
        ps->i++;
        n = flt_parse_or(ps);
        if (n < 0)
            return -1;
        t = flt_peek(ps);
        if (t->kind != TK_RPAREN) {
            if (t->kind == TK_END)
                flt_fail(ps->err, open, "unmatched \"(\"");
            else
                flt_unexpected(ps);
            return -1;
        }
        ps->i++;
        ps->depth--;
        return n;
    case TK_WORD:
    case TK_ANY:
    case TK_ALL:
        return flt_parse_test(ps);
    case TK_STR:
    case TK_RAWSTR:
        /* Wireshark 4.0: a literal cannot start a comparison */
        flt_fail(ps->err, t->pos, "the left side of a comparison must be a "
            "field or function");
        return -1;
    case TK_END:
        flt_expected(ps, "a field");
        return -1;
    default:
        flt_unexpected(ps);
        return -1;
    }
}

static int
flt_parse_not(struct flt_ps *ps)
{
    const struct flt_tok *t = flt_peek(ps);
    int n, k;

    if (t->kind != TK_NOT)
        return flt_parse_primary(ps);
    if (++ps->depth > FLT_MAX_DEPTH) {
        flt_fail(ps->err, t->pos, "filter nested too deeply");
        return -1;
    }
    n = flt_new(ps, N_NOT, t->pos);
    if (n < 0)
        return -1;
    flt_set_span(&ps->node[n].opt, t);
    ps->i++;
    k = flt_parse_not(ps);
    if (k < 0)
        return -1;
    ps->node[n].kid = k;
    ps->depth--;
    return n;
}

/* and / or: one n-ary node per run of the same operator. */
static int
flt_parse_chain(struct flt_ps *ps, int tk, int op)
{
    int first, n, last, k;

    first = op == N_OR ? flt_parse_chain(ps, TK_AND, N_AND) :
        flt_parse_not(ps);
    if (first < 0 || flt_peek(ps)->kind != tk)
        return first;
    n = flt_new(ps, op, flt_peek(ps)->pos);
    if (n < 0)
        return -1;
    flt_set_span(&ps->node[n].opt, flt_peek(ps));
    ps->node[n].kid = first;
    last = first;
    while (flt_peek(ps)->kind == tk) {
        ps->i++;
        k = op == N_OR ? flt_parse_chain(ps, TK_AND, N_AND) :
            flt_parse_not(ps);
        if (k < 0)
            return -1;
        ps->node[last].next = k;
        last = k;
    }
    return n;
}

static int
flt_parse_or(struct flt_ps *ps)
{
    return flt_parse_chain(ps, TK_OR, N_OR);
}

/* Whole filter: the root node index, or -1 with err filled. */
static int
flt_parse(struct flt_ps *ps)
{
    int root;

    if (ps->tok[0].kind == TK_END)
        return flt_new(ps, N_ALL, 0);
    root = flt_parse_or(ps);
    if (root < 0)
        return -1;
    if (flt_peek(ps)->kind != TK_END) {
        flt_unexpected(ps);
        return -1;
    }
    return root;
}

/* ---- check ---- */

/* Decimal or 0x hex; 0 ok, -1 not a number, -2 too large. */
static int
flt_parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    unsigned base = 10;

    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i >= n)
        return -1;
    for (; i < n; i++) {
        int c = (unsigned char)s[i];
        unsigned d;
        if (base == 16 ? !flt_isxdigit(c) : !flt_isdigit(c))
            return -1;
        d = (unsigned)hex_val((uint8_t)c);
        if (v > (UINT64_MAX - d) / base)
            return -2;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

/* Seconds with an optional fraction: "12", "1.5", "0.000001". */
static int
flt_parse_time(const char *s, size_t n, struct ms_time *t)
{
    size_t i = 0;
    int64_t sec = 0;
    uint32_t ns = 0, scale = 100000000;
    int digits = 0;

    for (; i < n && flt_isdigit((unsigned char)s[i]); i++, digits++) {
        if (sec > (INT64_MAX / 4 - 9) / 10)
            return -2;
        sec = sec * 10 + (s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && flt_isdigit((unsigned char)s[i]); i++, digits++) {
            /* digits past nanoseconds are dropped */
            ns += (uint32_t)(s[i] - '0') * scale;
            scale /= 10;
        }
    }
    if (i != n || digits == 0)
        return -1;
    t->sec = sec;
    t->nsec = ns;
    return 0;
}

/* "a.b.c.d", IPv6, either with "/prefix". 0 ok, -1 not an address,
 * -2 bad prefix. */
static int
flt_parse_addr(const char *s, size_t n, struct flt_val *v)
{
    char tmp[64];
    size_t slash = n, i;
    unsigned max, pfx = 0;

    for (i = 0; i < n; i++)
        if (s[i] == '/') {
            slash = i;
            break;
        }
    if (slash == 0 || slash >= sizeof tmp)
        return -1;
    memcpy(tmp, s, slash);
    tmp[slash] = 0;
    memset(v->a, 0, sizeof v->a);
    if (inet_pton(AF_INET, tmp, v->a) == 1) {
        v->family = 4;
        max = 32;
    } else if (inet_pton(AF_INET6, tmp, v->a) == 1) {
        v->family = 6;
        max = 128;
    } else {
        return -1;
    }
    v->prefix = (uint8_t)max;
    v->cidr = 0;
    if (slash == n)
        return 0;
    if (slash + 1 >= n || n - slash - 1 > 3)
        return -2;
    for (i = slash + 1; i < n; i++) {
        if (!flt_isdigit((unsigned char)s[i]))
            return -2;
        pfx = pfx * 10 + (unsigned)(s[i] - '0');
    }
    if (pfx > max)
        return -2;
    v->prefix = (uint8_t)pfx;
    v->cidr = 1;
    return 0;
}

/* Decode a string token (quotes included) into f->buf; NUL after it. */
static void
flt_unescape(struct flt *f, const char *s, size_t n, int raw,
    struct flt_val *v)
{
    uint8_t *o = f->buf + f->bufused;
    size_t i, k = 0;

    /* skip r and the quotes */
    if (raw) {
        s++;
        n--;
    }
    s++;
    n -= 2;
    for (i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c != '\\' || raw) {
            o[k++] = (uint8_t)c;
            continue;
        }
        c = (unsigned char)s[++i];
        switch (c) {
        case 'n': o[k++] = '\n'; break;
        case 't': o[k++] = '\t'; break;
        case 'r': o[k++] = '\r'; break;
        case 'a': o[k++] = '\a'; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'v': o[k++] = '\v'; break;
        case 'x':
            o[k++] = (uint8_t)(hex_val((uint8_t)s[i + 1]) * 16 +
                hex_val((uint8_t)s[i + 2]));
            i += 2;
            break;
        default:
            if (c >= '0' && c <= '7') {
                int d = 0, v8 = 0;
                while (d < 3 && i < n && s[i] >= '0' && s[i] <= '7') {
                    v8 = v8 * 8 + (s[i] - '0');
                    i++;
                    d++;
                }
                i--;
                o[k++] = (uint8_t)v8;
            } else {
                o[k++] = (uint8_t)c;   /* \" \\ \' */
            }
            break;
        }
    }
    o[k] = 0;
    v->s = o;
    v->n = k;
    f->bufused += k + 1;
}

static int
flt_is_string_tok(const struct flt *f, struct flt_span sp)
{
    return f->text[sp.pos] == '"' ||
        (sp.len > 1 && f->text[sp.pos + 1] == '"');
}

/* A byte string written in hex: "4d:41", "4d.41", "4d-41", "4d41",
 * "41", or a number up to 0xff ("0x4d"), as Wireshark reads them. 0 with
 * v->s in f->buf, or -1. */
static int
flt_parse_bytes(struct flt *f, const char *s, size_t n, struct flt_val *v)
{
    uint8_t *o = f->buf + f->bufused;
    size_t i = 0, k = 0;
    uint64_t u;

    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (flt_parse_u64(s, n, &u) != 0 || u > 0xff)
            return -1;
        o[k++] = (uint8_t)u;
    } else {
        while (i < n) {
            if (i + 1 >= n || !flt_isxdigit((unsigned char)s[i]) ||
                !flt_isxdigit((unsigned char)s[i + 1]))
                return -1;
            o[k++] = (uint8_t)(hex_val((uint8_t)s[i]) * 16 +
                hex_val((uint8_t)s[i + 1]));
            i += 2;
            if (i < n && (s[i] == ':' || s[i] == '.' || s[i] == '-')) {
                if (++i >= n)
                    return -1;
            }
        }
        if (!k)
            return -1;
    }
    o[k] = 0;
    v->s = o;
    v->n = k;
    f->bufused += k + 1;
    return 0;
}

/* Convert the literal at sp for a side of type type (name: for messages);
 * 0 or -1 with err filled. */
static int
flt_value(struct flt *f, int type, const char *name, struct flt_span sp,
    struct flt_val *v, struct flt_err *err)
{
    const char *s = f->text + sp.pos;
    size_t n = (size_t)sp.len;
    int isstr = flt_is_string_tok(f, sp), rc;
    char q[48];

    memset(v, 0, sizeof *v);
    if (isstr)
        flt_unescape(f, s, n, f->text[sp.pos] != '"', v);
    switch (type) {
    case FT_BYTES:
        if (isstr || flt_parse_bytes(f, s, n, v) == 0)
            return 0;
        flt_fail(err, sp.pos, "\"%s\" is not a byte string (4d:41) or a "
            "quoted string", flt_quote(q, sizeof q, s, n));
        return -1;
    case FT_STR:
        if (!isstr) {
            flt_fail(err, sp.pos, "\"%s\" is a string field; quote the value",
                name);
            return -1;
        }
        return 0;
    case FT_UINT:
        if (isstr) {
            flt_fail(err, sp.pos, "\"%s\" needs a number, not a string",
                name);
            return -1;
        }
        rc = flt_parse_u64(s, n, &v->u);
        if (rc == -2) {
            flt_fail(err, sp.pos, "number out of range \"%s\"",
                flt_quote(q, sizeof q, s, n));
            return -1;
        }
        if (rc < 0) {
            flt_fail(err, sp.pos, "\"%s\" is not a number",
                flt_quote(q, sizeof q, s, n));
            return -1;
        }
        return 0;
    case FT_BOOL:
        if (isstr) {
            s = (const char *)v->s;
            n = v->n;
        }
        if (flt_ieq(s, n, "1") || flt_ieq(s, n, "true")) {
            v->u = 1;
            return 0;
        }
        if (flt_ieq(s, n, "0") || flt_ieq(s, n, "false")) {
            v->u = 0;
            return 0;
        }
        flt_fail(err, sp.pos, "\"%s\" is not a boolean (1, 0, true, false)",
            flt_quote(q, sizeof q, s, n));
        return -1;
    case FT_TIME:
        if (isstr) {
            flt_fail(err, sp.pos,
                "\"%s\" needs a time in seconds, not a string", name);
            return -1;
        }
        rc = flt_parse_time(s, n, &v->t);
        if (rc == -2) {
            flt_fail(err, sp.pos, "number out of range \"%s\"",
                flt_quote(q, sizeof q, s, n));
            return -1;
        }
        if (rc < 0) {
            flt_fail(err, sp.pos, "\"%s\" is not a time in seconds",
                flt_quote(q, sizeof q, s, n));
            return -1;
        }
        return 0;
    case FT_ADDR:
        /* ip.addr == "10.0.0.1" is accepted too, as Wireshark does */
        if (isstr) {
            s = (const char *)v->s;
            n = v->n;
        }
        rc = flt_parse_addr(s, n, v);
        if (rc == -2) {
            flt_fail(err, sp.pos, "invalid prefix length in \"%s\"",
                flt_quote(q, sizeof q, s, n));
            return -1;
        }
        if (rc < 0) {
            flt_fail(err, sp.pos, "\"%s\" is not an IPv4/IPv6 address or CIDR",
                flt_quote(q, sizeof q, s, n));
            return -1;
        }
        return 0;
    default:
        flt_fail(err, sp.pos, "\"%s\" has no value to compare", name);
        return -1;
    }
}

/* Bounded repetitions multiply what glibc's regcomp builds: "a{1000}{1000}"
 * takes a second, "x{32767}{32767}" ten before failing, and the filter bar
 * recompiles on each keystroke. Refuse when pattern length times the
 * product of the repetition counts exceeds FLT_RE_COST. */
#define FLT_RE_COST 1000000u

static int
flt_re_too_big(const char *pat)
{
    uint64_t cost = strlen(pat) + 1;
    size_t i = 0;

    while (pat[i]) {
        uint64_t lo = 0, hi = 0, r;
        int have_hi = 0;
        if (pat[i] == '\\') {
            i += pat[i + 1] ? 2 : 1;
            continue;
        }
        if (pat[i] == '[') {
            /* bracket expression: "]" right after "[" or "[^" is literal */
            i++;
            if (pat[i] == '^')
                i++;
            if (pat[i] == ']')
                i++;
            while (pat[i] && pat[i] != ']')
                i++;
            if (pat[i])
                i++;
            continue;
        }
        if (pat[i] != '{' || !flt_isdigit((unsigned char)pat[i + 1])) {
            i++;
            continue;
        }
        for (i++; flt_isdigit((unsigned char)pat[i]); i++)
            if (lo < 1000000)
                lo = lo * 10 + (uint64_t)(pat[i] - '0');
        if (pat[i] == ',')
            for (i++; flt_isdigit((unsigned char)pat[i]); i++) {
                have_hi = 1;
                if (hi < 1000000)
                    hi = hi * 10 + (uint64_t)(pat[i] - '0');
            }
        r = have_hi && hi > lo ? hi : lo;
        if (r > 1)
            cost *= r;
        if (cost > FLT_RE_COST)
            return 1;
    }
    return 0;
}

static const char *
flt_type_name(int t)
{
    return t == FT_BYTES ? "byte string" : fld_type_name(t);
}

/* Resolve an operand's field, check its function and slice, and set
 * the type of its values. */
static int
flt_check_opnd(struct flt *f, struct flt_opnd *op, struct flt_err *err)
{
    const struct fld_def *fld;
    char q[48];
    int t;

    fld = fld_find(f->text + op->name.pos, (size_t)op->name.len);
    if (fld == NULL || fld->get == NULL) {
        flt_fail(err, op->name.pos, "unknown field \"%s\"",
            flt_quote(q, sizeof q, f->text + op->name.pos,
            (size_t)op->name.len));
        return -1;
    }
    op->fld = fld;
    t = fld->type;
    if (op->fn != FN_NONE && op->inner.len) {
        flt_fail(err, op->inner.pos, "only a field can be the argument of %s()",
            flt_fn_name[op->fn]);
        return -1;
    }
    switch (op->fn) {
    case FN_LOWER:
    case FN_UPPER:
        if (t != FT_STR) {
            flt_fail(err, op->name.pos, "only string fields can be the "
                "argument of %s()", flt_fn_name[op->fn]);
            return -1;
        }
        break;
    case FN_LEN:
        /* Wireshark also gives a number's length on the wire, which a
         * record does not keep. */
        if (t != FT_STR && t != FT_ADDR) {
            flt_fail(err, op->name.pos, "len() needs a string or address "
                "field, not %s \"%s\"", fld_type_name(t), fld->name);
            return -1;
        }
        t = FT_UINT;
        break;
    case FN_COUNT:
        t = FT_UINT;
        break;
    case FN_STRING:
        if (t == FT_STR || t == FT_PROTO) {
            flt_fail(err, op->name.pos, "string() cannot convert %s \"%s\"",
                fld_type_name(t), fld->name);
            return -1;
        }
        t = FT_STR;
        break;
    default:
        break;
    }
    if (op->nrange) {
        if (t != FT_STR && t != FT_ADDR) {
            flt_fail(err, op->all.pos, "\"%s\" is %s and cannot be sliced",
                flt_quote(q, sizeof q, f->text + op->all.pos,
                (size_t)(op->slice.pos - op->all.pos)), fld_type_name(t));
            return -1;
        }
        t = FT_BYTES;
    }
    op->type = t;
    return 0;
}

static int
flt_stringish(int t)
{
    return t == FT_STR || t == FT_BYTES;
}

/* Where in the source text byte k of the decoded string at sp comes
 * from (a regular expression error offset, for the caret). */
static int
flt_src_col(const struct flt *f, struct flt_span sp, size_t k)
{
    const char *s = f->text + sp.pos;
    int i = 1, raw = s[0] != '"';
    size_t d = 0;

    if (raw)
        i = 2;
    while (i < sp.len - 1 && d < k) {
        if (s[i] == '\\' && !raw) {
            char c = s[i + 1];
            i += 2;
            if (c == 'x')
                i += 2;
            else if (c >= '0' && c <= '7')
                while (i < sp.len - 1 && s[i] >= '0' && s[i] <= '7' &&
                    i < sp.len - 1)
                    i++;
        } else {
            i++;
        }
        d++;
    }
    return sp.pos + (i < sp.len ? i : sp.len - 1);
}

/* Compile the pattern of a "matches" test with PCRE2: case-insensitive
 * unless it says "(?-i)" (Wireshark 4), bytes not UTF-8, limited steps. */
static int
flt_check_regex(struct flt *f, struct flt_node *nd, struct flt_err *err)
{
    const char *pat = (const char *)nd->v.s;
    PCRE2_SIZE off;
    int code;

    if (memchr(pat, 0, nd->v.n)) {
        flt_fail(err, nd->val.pos, "regular expression contains a NUL byte");
        return -1;
    }
    if (flt_re_too_big(pat)) {
        flt_fail(err, nd->val.pos,
            "regular expression too large (repetition counts)");
        return -1;
    }
    nd->re = pcre2_compile((PCRE2_SPTR)pat, nd->v.n,
        PCRE2_CASELESS | PCRE2_NEVER_UTF | PCRE2_NEVER_BACKSLASH_C,
        &code, &off, NULL);
    if (nd->re == NULL) {
        PCRE2_UCHAR eb[120];
        if (pcre2_get_error_message(code, eb, sizeof eb) < 0)
            memcpy(eb, "error", 6);
        flt_fail(err, flt_src_col(f, nd->val, off),
            "invalid regular expression: %s", (const char *)eb);
        return -1;
    }
    nd->md = pcre2_match_data_create(1, NULL);
    nd->mc = pcre2_match_context_create(NULL);
    if (nd->md == NULL || nd->mc == NULL) {
        flt_fail(err, nd->val.pos, "out of memory");
        return -1;
    }
    pcre2_set_match_limit(nd->mc, FLT_RE_STEPS);
    pcre2_set_depth_limit(nd->mc, FLT_RE_STEPS / 10);
    return 0;
}

/* Check one test node against the registry and convert its values. */
static int
flt_check_test(struct flt *f, struct flt_node *nd, struct flt_err *err)
{
    const struct fld_def *fld;
    char q[48];
    int t, c;

    if (flt_check_opnd(f, &nd->lhs, err) < 0)
        return -1;
    fld = nd->fld = nd->lhs.fld;
    t = nd->lhs.type;
    c = nd->cmp;
    if (c == C_NONE) {
        if (nd->lhs.fn != FN_NONE) {
            flt_fail(err, nd->lhs.fname.pos,
                "a function has no presence to test; compare its value");
            return -1;
        }
        return 0;
    }
    flt_quote(q, sizeof q, f->text + nd->opt.pos, (size_t)nd->opt.len);
    if (t == FT_PROTO) {
        flt_fail(err, nd->opt.pos,
            "\"%s\" is a protocol; it can only be tested for presence",
            fld->name);
        return -1;
    }
    if ((c == C_CONTAINS || c == C_MATCHES) && !flt_stringish(t)) {
        flt_fail(err, nd->opt.pos, "\"%s\" needs a string field", q);
        return -1;
    }
    if ((c == C_LT || c == C_GT || c == C_LE || c == C_GE) && t == FT_BOOL) {
        flt_fail(err, nd->opt.pos, "\"%s\" cannot order booleans", q);
        return -1;
    }
    if (c == C_IN) {
        int it;
        if (nd->lhs.fn != FN_NONE || nd->lhs.nrange) {
            flt_fail(err, nd->lhs.all.pos,
                "only a field may be tested for membership in a set");
            return -1;
        }
        for (it = nd->kid; it >= 0; it = f->node[it].next) {
            struct flt_node *im = &f->node[it];
            if (flt_value(f, t, fld->name, im->val, &im->v, err) < 0)
                return -1;
            if (!im->range)
                continue;
            if (t != FT_UINT && t != FT_TIME && t != FT_STR) {
                flt_fail(err, im->val.pos,
                    "ranges need a number, time or string field");
                return -1;
            }
            if (flt_value(f, t, fld->name, im->hi, &im->vhi, err) < 0)
                return -1;
        }
        return 0;
    }
    if (nd->has_rhs) {
        int rt;
        if (c == C_MATCHES) {
            flt_fail(err, nd->rhs.all.pos,
                "\"%s\" needs a quoted string on the right", q);
            return -1;
        }
        if (flt_check_opnd(f, &nd->rhs, err) < 0)
            return -1;
        rt = nd->rhs.type;
        if (rt != t && !(flt_stringish(rt) && flt_stringish(t))) {
            flt_fail(err, nd->opt.pos, "%s and %s cannot be compared",
                flt_type_name(t), flt_type_name(rt));
            return -1;
        }
        if (rt == FT_PROTO || (c == C_CONTAINS && !flt_stringish(rt))) {
            flt_fail(err, nd->rhs.all.pos, "\"%s\" has no value to compare",
                nd->rhs.fld->name);
            return -1;
        }
        return 0;
    }
    if (c == C_MATCHES && !flt_is_string_tok(f, nd->val)) {
        flt_fail(err, nd->val.pos, "\"%s\" needs a quoted string on the right", q);
        return -1;
    }
    if (flt_value(f, c == C_MATCHES || c == C_CONTAINS ? (t == FT_BYTES ? FT_BYTES : FT_STR)
        : t, fld->name, nd->val, &nd->v, err) < 0)
        return -1;
    if (t == FT_ADDR && nd->v.cidr && c != C_EQ && c != C_NE &&
        c != C_ALLEQ && c != C_ANYNE) {
        flt_fail(err, nd->opt.pos, "\"%s\" cannot compare with a CIDR", q);
        return -1;
    }
    if (c == C_MATCHES)
        return flt_check_regex(f, nd, err);
    return 0;
}

/* Check every test in node order, which is text order: the first error
 * reported is the leftmost. */
static int
flt_check(struct flt *f, struct flt_err *err)
{
    int i;

    for (i = 0; i < f->nnode; i++)
        if (f->node[i].op == N_TEST && flt_check_test(f, &f->node[i], err) < 0)
            return -1;
    return 0;
}

/* ---- evaluate ---- */

static int
flt_bytes_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;

    if (c != 0)
        return c < 0 ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

static int
flt_contains(const uint8_t *h, size_t hn, const uint8_t *nd, size_t nn)
{
    size_t i;

    if (nn == 0)
        return 1;
    if (nn > hn)
        return 0;
    for (i = 0; i + nn <= hn; i++)
        if (h[i] == nd[0] && memcmp(h + i, nd, nn) == 0)
            return 1;
    return 0;
}

/* Addresses: equal if the first prefix bits agree and families match. */
static int
flt_addr_eq(const struct fld_val *x, const struct flt_val *v)
{
    unsigned bytes = v->prefix / 8u, bits = v->prefix % 8u;

    if (x->addr.family != v->family)
        return 0;
    if (memcmp(x->addr.a, v->a, bytes) != 0)
        return 0;
    if (bits) {
        uint8_t m = (uint8_t)(0xffu << (8 - bits));
        if ((x->addr.a[bytes] & m) != (v->a[bytes] & m))
            return 0;
    }
    return 1;
}

/* Order x against v: -1, 0, 1; 2 when they cannot be ordered. */
static int
flt_order(int type, const struct fld_val *x, const struct flt_val *v)
{
    switch (type) {
    case FT_UINT:
    case FT_BOOL: {
        uint64_t a = x->u, b = v->u;
        if (type == FT_BOOL)
            a = a != 0;
        return a < b ? -1 : a > b;
    }
    case FT_TIME:
        if (x->t.sec != v->t.sec)
            return x->t.sec < v->t.sec ? -1 : 1;
        return x->t.nsec < v->t.nsec ? -1 : x->t.nsec > v->t.nsec;
    case FT_STR:
        return flt_bytes_cmp(x->s, x->n, v->s, v->n);
    case FT_ADDR:
        if (x->addr.family != v->family)
            return 2;
        {
            int c = memcmp(x->addr.a, v->a, v->family == 4 ? 4 : 16);
            return c < 0 ? -1 : c > 0;
        }
    default:
        return 2;
    }
}

static int
flt_eq(int type, const struct fld_val *x, const struct flt_val *v)
{
    if (type == FT_ADDR)
        return flt_addr_eq(x, v);
    return flt_order(type, x, v) == 0;
}

static int
flt_regmatch(const struct flt_node *nd, const struct fld_val *x)
{
    PCRE2_SPTR subj = x->s ? (PCRE2_SPTR)x->s : (PCRE2_SPTR)"";

    /* A search, not anchored; a hit past the step limit counts as none. */
    return pcre2_match(nd->re, subj, x->n, 0, 0, nd->md, nd->mc) >= 0;
}

/* x against one right-hand value v with the test's operator, the
 * quantifier aside ("!=" and "!==" are "not equal" here). */
static int
flt_cmp_one(const struct flt *f, const struct flt_node *nd,
    const struct fld_val *x, const struct flt_val *v)
{
    int type = nd->lhs.type, o;

    if (type == FT_BYTES)
        type = FT_STR;
    switch (nd->cmp) {
    case C_EQ:
    case C_ALLEQ:
        return flt_eq(type, x, v);
    case C_NE:
    case C_ANYNE:
        return !flt_eq(type, x, v);
    case C_CONTAINS:
        return flt_contains(x->s, x->n, v->s, v->n);
    case C_MATCHES:
        return flt_regmatch(nd, x);
    case C_IN: {
        int it;
        for (it = nd->kid; it >= 0; it = f->node[it].next) {
            const struct flt_node *im = &f->node[it];
            if (im->range) {
                int lo = flt_order(type, x, &im->v);
                int hi = flt_order(type, x, &im->vhi);
                if (lo != 2 && hi != 2 && lo >= 0 && hi <= 0)
                    return 1;
            } else if (flt_eq(type, x, &im->v)) {
                return 1;
            }
        }
        return 0;
    }
    default:
        break;
    }
    o = flt_order(type, x, v);
    if (o == 2)
        return 0;
    switch (nd->cmp) {
    case C_LT: return o < 0;
    case C_GT: return o > 0;
    case C_LE: return o <= 0;
    case C_GE: return o >= 0;
    default: return 0;
    }
}

/* Room for values made while matching. */
struct flt_scr {
    uint8_t *p;
    size_t n, sz;
};

static uint8_t *
flt_scr_take(struct flt_scr *sc, size_t k)
{
    uint8_t *p;

    if (k > sc->sz - sc->n)
        return NULL;
    p = sc->p + sc->n;
    sc->n += k;
    return p;
}

/* Bytes a..b of a value of len bytes for range r; 0 or -1 if the range
 * does not fit the value (Wireshark drops such a value). */
static int
flt_range_at(const struct flt_range *r, size_t len, size_t *a, size_t *b)
{
    int64_t n = (int64_t)len, s = r->a < 0 ? n + r->a : r->a, e;

    if (s < 0 || s > n)
        return -1;
    switch (r->kind) {
    case R_LEN: e = s + r->b; break;
    case R_END: e = (r->b < 0 ? n + r->b : r->b) + 1; break;
    case R_ONE: e = s + 1; break;
    default: e = n; break;
    }
    if (e > n || e < s)
        return -1;
    *a = (size_t)s;
    *b = (size_t)e;
    return 0;
}

/* The values of an operand for record r into v (FLD_MAXV of them);
 * returns how many (0: absent). */
static int
flt_opnd_vals(const struct flt_opnd *op, const struct rec *r,
    struct fld_val *v, struct flt_scr *sc)
{
    int n, i, k = 0, j;

    n = op->fld->get(r, v, FLD_MAXV);
    if (n <= 0)
        return 0;
    if (op->fn == FN_COUNT) {
        v[0].type = FT_UINT;
        v[0].u = (uint64_t)n;
        n = 1;
    }
    if (n > FLD_MAXV)
        n = FLD_MAXV;
    for (i = 0; i < n; i++) {
        struct fld_val *x = &v[i];
        uint8_t *p;
        size_t m;
        switch (op->fn) {
        case FN_LOWER:
        case FN_UPPER:
            /* ASCII letters only: the other bytes may not be text */
            p = flt_scr_take(sc, x->n);
            if (p == NULL)
                return k;
            for (m = 0; m < x->n; m++) {
                uint8_t c = x->s[m];
                if (op->fn == FN_LOWER && c >= 'A' && c <= 'Z')
                    c += 'a' - 'A';
                else if (op->fn == FN_UPPER && c >= 'a' && c <= 'z')
                    c -= 'a' - 'A';
                p[m] = c;
            }
            x->s = p;
            break;
        case FN_LEN:
            x->u = op->fld->type == FT_ADDR ?
                (x->addr.family == 6 ? 16u : 4u) : (uint64_t)x->n;
            break;
        case FN_STRING: {
            char t[64];
            switch (op->fld->type) {
            case FT_ADDR:
                if (!inet_ntop(x->addr.family == 6 ? AF_INET6 : AF_INET,
                    x->addr.a, t, sizeof t))
                    t[0] = 0;
                break;
            case FT_TIME:
                snprintf(t, sizeof t, "%" PRId64 ".%09u", (int64_t)x->t.sec,
                    (unsigned)x->t.nsec);
                break;
            default:
                snprintf(t, sizeof t, "%" PRIu64, x->u);
                break;
            }
            m = strlen(t);
            p = flt_scr_take(sc, m);
            if (p == NULL)
                return k;
            memcpy(p, t, m);
            x->s = p;
            x->n = m;
            break;
        }
        default:
            break;
        }
        if (op->nrange) {
            const uint8_t *src = op->fld->type == FT_ADDR && op->fn == FN_NONE ?
                x->addr.a : x->s;
            size_t len = op->fld->type == FT_ADDR && op->fn == FN_NONE ?
                (x->addr.family == 6 ? 16u : 4u) : x->n, sa, sb, tot = 0;
            int valid = 0;
            for (j = 0; j < op->nrange; j++)
                if (flt_range_at(&op->range[j], len, &sa, &sb) == 0) {
                    valid = 1;
                    tot += sb - sa;
                }
            if (!valid)
                continue;       /* dropped */
            p = flt_scr_take(sc, tot);
            if (p == NULL)
                return k;
            for (m = 0, j = 0; j < op->nrange; j++)
                if (flt_range_at(&op->range[j], len, &sa, &sb) == 0) {
                    memcpy(p + m, src + sa, sb - sa);
                    m += sb - sa;
                }
            x->s = p;
            x->n = tot;
        }
        if (k != i)
            v[k] = *x;
        k++;
    }
    return k;
}

/* A value of the right-hand operand as a literal would be. */
static void
flt_as_lit(const struct fld_val *x, struct flt_val *v)
{
    memset(v, 0, sizeof *v);
    v->u = x->u;
    v->t = x->t;
    v->s = x->s;
    v->n = x->n;
    v->family = x->addr.family;
    v->prefix = x->addr.family == 6 ? 128 : 32;
    memcpy(v->a, x->addr.a, 16);
}

static int
flt_test(const struct flt *f, const struct flt_node *nd, const struct rec *r)
{
    struct fld_val v[FLD_MAXV], w[FLD_MAXV];
    struct flt_val lit;
    struct flt_scr sc;
    int n, m = 1, i, j, all, hit;

    sc.p = f->scratch;
    sc.n = 0;
    sc.sz = FLT_SCRATCH;
    if (nd->cmp == C_NONE && nd->lhs.fn == FN_NONE && !nd->lhs.nrange)
        return nd->fld->get(r, v, 1) > 0;
    n = flt_opnd_vals(&nd->lhs, r, v, &sc);
    if (n <= 0)
        return 0;
    if (nd->cmp == C_NONE) {
        /* A slice is there when it has a byte (Wireshark 4.0). */
        for (i = 0; i < n; i++)
            if (v[i].n)
                return 1;
        return 0;
    }
    if (nd->has_rhs) {
        sc.p = f->scratch + FLT_SCRATCH;
        sc.n = 0;
        m = flt_opnd_vals(&nd->rhs, r, w, &sc);
        if (m <= 0)
            return 0;
    }
    /* "==" and the others: any pair; "!=" and "===": every pair; "any"
     * and "all" written before the field override both. */
    all = nd->quant == Q_ALL ||
        (nd->quant == Q_DEFAULT && (nd->cmp == C_NE || nd->cmp == C_ALLEQ));
    for (i = 0; i < n; i++)
        for (j = 0; j < m; j++) {
            if (nd->has_rhs)
                flt_as_lit(&w[j], &lit);
            hit = flt_cmp_one(f, nd, &v[i], nd->has_rhs ? &lit : &nd->v);
            if (hit && !all)
                return 1;
            if (!hit && all)
                return 0;
        }
    return all;
}

static int
flt_eval(const struct flt *f, int n, const struct rec *r)
{
    const struct flt_node *nd = &f->node[n];
    int k;

    switch (nd->op) {
    case N_ALL:
        return 1;
    case N_OR:
        for (k = nd->kid; k >= 0; k = f->node[k].next)
            if (flt_eval(f, k, r))
                return 1;
        return 0;
    case N_AND:
        for (k = nd->kid; k >= 0; k = f->node[k].next)
            if (!flt_eval(f, k, r))
                return 0;
        return 1;
    case N_NOT:
        return !flt_eval(f, nd->kid, r);
    case N_TEST:
        return flt_test(f, nd, r);
    default:
        return 0;
    }
}

/* ---- public ---- */

/* lex, parse and (if check) check: flt_compile, and parse-only tests. */
static struct flt *
flt_build(const char *text, struct flt_err *err, int check)
{
    struct flt_err dummy;
    struct flt_tok *tok;
    struct flt_ps ps;
    struct flt *f;
    size_t len, sz;
    int ntok;

    if (err == NULL)
        err = &dummy;
    err->col = 0;
    err->msg[0] = 0;
    if (text == NULL)
        text = "";
    len = strlen(text);
    if (len > FLT_MAX_LEN) {
        flt_fail(err, FLT_MAX_LEN, "filter too long");
        return NULL;
    }
    tok = malloc((len + 1) * sizeof *tok);
    if (tok == NULL) {
        flt_fail(err, 0, "out of memory");
        return NULL;
    }
    ntok = flt_lex(text, (int)len, tok, err);
    if (ntok < 0) {
        free(tok);
        return NULL;
    }
    /* One block: header, ntok nodes, a copy of the text, decoded
     * strings (never longer than the text). */
    sz = sizeof *f + (size_t)ntok * sizeof f->node[0] + 2 * (len + 1);
    f = malloc(sz);
    if (f == NULL) {
        free(tok);
        flt_fail(err, 0, "out of memory");
        return NULL;
    }
    f->nnode = 0;
    f->maxnode = ntok;
    f->scratch = NULL;
    f->text = (char *)&f->node[ntok];
    memcpy(f->text, text, len + 1);
    f->len = len;
    f->buf = (uint8_t *)f->text + len + 1;
    f->bufused = 0;
    f->bufcap = len + 1;

    memset(&ps, 0, sizeof ps);
    ps.text = f->text;
    ps.tok = tok;
    ps.ntok = ntok;
    ps.node = f->node;
    ps.maxnode = ntok;
    ps.err = err;
    f->root = flt_parse(&ps);
    f->nnode = ps.nnode;
    free(tok);
    if (f->root >= 0 && check) {
        f->scratch = malloc(2 * FLT_SCRATCH);
        if (f->scratch == NULL) {
            flt_fail(err, 0, "out of memory");
            flt_free(f);
            return NULL;
        }
    }
    if (f->root < 0 || (check && flt_check(f, err) < 0)) {
        flt_free(f);
        return NULL;
    }
    return f;
}

struct flt *
flt_compile(const char *text, struct flt_err *err)
{
    return flt_build(text, err, 1);
}

int
flt_match(const struct flt *f, const struct rec *r)
{
    if (f == NULL)
        return 1;
    return flt_eval(f, f->root, r);
}

void
flt_free(struct flt *f)
{
    int i;

    if (f == NULL)
        return;
    for (i = 0; i < f->nnode; i++)
        if (f->node[i].op == N_TEST) {
            pcre2_code_free(f->node[i].re);
            pcre2_match_data_free(f->node[i].md);
            pcre2_match_context_free(f->node[i].mc);
        }
    free(f->scratch);
    free(f);
}

size_t
flt_complete(const char *text, size_t col, char *out, size_t outsz)
{
    const struct fld_def *tab;
    const char *first = NULL;
    size_t ntab, i, start, plen, common = 0, count = 0, len;
    int instr = 0;

    if (out != NULL && outsz > 0)
        out[0] = 0;
    if (text == NULL)
        return 0;
    len = strlen(text);
    if (col > len)
        col = len;
    start = col;
    while (start > 0 && flt_name_char((unsigned char)text[start - 1]))
        start--;
    /* Inside a string literal there is nothing to complete. */
    for (i = 0; i < start; i++) {
        if (text[i] == '"')
            instr = !instr;
        else if (text[i] == '\\' && instr && i + 1 < start)
            i++;
    }
    if (instr)
        return 0;
    plen = col - start;
    tab = fld_table(&ntab);
    for (i = 0; tab != NULL && i < ntab; i++) {
        const char *nm = tab[i].name;
        size_t k;
        if (nm == NULL || strncmp(nm, text + start, plen) != 0 ||
            strlen(nm) < plen)
            continue;
        if (first == NULL) {
            first = nm;
            common = strlen(nm);
        } else {
            for (k = plen; k < common && nm[k] == first[k]; k++)
                ;
            common = k;
        }
        count++;
    }
    if (first != NULL && out != NULL && outsz > 0) {
        size_t n = common - plen;
        if (n >= outsz)
            n = outsz - 1;
        memcpy(out, first + plen, n);
        out[n] = 0;
    }
    return count;
}

static void
flt_put_safe(FILE *fp, const char *s)
{
    for (; *s; s++)
        fputc(flt_isprint((unsigned char)*s) ? *s : '?', fp);
}

void
flt_err_print(FILE *fp, const char *text, const struct flt_err *e)
{
    size_t len = text ? strlen(text) : 0;
    int col = e->col, i;

    if (col < 0)
        col = 0;
    if ((size_t)col > len)
        col = (int)len;
    fputs("mailsift: filter: ", fp);
    flt_put_safe(fp, e->msg);
    fputs("\n  ", fp);
    if (text)
        flt_put_safe(fp, text);
    fputs("\n  ", fp);
    for (i = 0; i < col; i++)
        fputc(' ', fp);
    fputs("^\n", fp);
}

/* ---- dump ---- */

struct flt_out {
    char *p;
    size_t sz, n;
};

static void
flt_out_mem(struct flt_out *o, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++, o->n++)
        if (o->n + 1 < o->sz)
            o->p[o->n] = s[i];
    if (o->sz > 0)
        o->p[o->n < o->sz ? o->n : o->sz - 1] = 0;
}

static void
flt_out_str(struct flt_out *o, const char *s)
{
    flt_out_mem(o, s, strlen(s));
}

/* Print source text, non-printable bytes as '?'. */
static void
flt_out_span(struct flt_out *o, const struct flt *f, struct flt_span sp)
{
    int i;

    for (i = 0; i < sp.len; i++) {
        char c = f->text[sp.pos + i];
        flt_out_mem(o, flt_isprint((unsigned char)c) ? &c : "?", 1);
    }
}

static void
flt_dump_node(struct flt_out *o, const struct flt *f, int n)
{
    const struct flt_node *nd = &f->node[n];
    int k;

    switch (nd->op) {
    case N_ALL:
        flt_out_str(o, "(all)");
        return;
    case N_OR:
    case N_AND:
        flt_out_str(o, nd->op == N_OR ? "(or" : "(and");
        for (k = nd->kid; k >= 0; k = f->node[k].next) {
            flt_out_str(o, " ");
            flt_dump_node(o, f, k);
        }
        flt_out_str(o, ")");
        return;
    case N_NOT:
        flt_out_str(o, "(not ");
        flt_dump_node(o, f, nd->kid);
        flt_out_str(o, ")");
        return;
    case N_TEST:
        if (nd->cmp == C_NONE) {
            flt_out_span(o, f, nd->lhs.all);
            return;
        }
        flt_out_str(o, "(");
        if (nd->quant != Q_DEFAULT)
            flt_out_str(o, nd->quant == Q_ANY ? "any " : "all ");
        flt_out_str(o, flt_cmp_name[nd->cmp]);
        flt_out_str(o, " ");
        flt_out_span(o, f, nd->lhs.all);
        if (nd->cmp != C_IN) {
            flt_out_str(o, " ");
            flt_out_span(o, f, nd->val);
        } else {
            flt_out_str(o, " {");
            for (k = nd->kid; k >= 0; k = f->node[k].next) {
                const struct flt_node *im = &f->node[k];
                if (k != nd->kid)
                    flt_out_str(o, " ");
                flt_out_span(o, f, im->val);
                if (im->range) {
                    flt_out_str(o, "..");
                    flt_out_span(o, f, im->hi);
                }
            }
            flt_out_str(o, "}");
        }
        flt_out_str(o, ")");
        return;
    default:
        flt_out_str(o, "?");
        return;
    }
}

size_t
flt_dump(const struct flt *f, char *out, size_t outsz)
{
    struct flt_out o;

    o.p = out;
    o.sz = out != NULL ? outsz : 0;
    o.n = 0;
    if (o.sz > 0)
        out[0] = 0;
    if (f == NULL)
        flt_out_str(&o, "(all)");
    else
        flt_dump_node(&o, f, f->root);
    return o.n;
}
