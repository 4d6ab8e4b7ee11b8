/* filter.h - display filter: a Wireshark display-filter subset, compiled
 * once, matched per record without allocation; field-name completion for
 * the TUI filter bar.
 *
 * Grammar (loosest binding first; "not" > "and" > "or", as Wireshark 4):
 *
 *   filter  := <empty> | or
 *   or      := and { ("or" | "||") and }
 *   and     := not { ("and" | "&&") not }
 *   not     := ("not" | "!") not | primary
 *   primary := "(" or ")" | test
 *   test    := FIELD [slice]
 *            | ["any" | "all"] side relop (value | side)
 *            | ["any" | "all"] side ("contains") (value | side)
 *            | ["any" | "all"] side ("matches" | "~") "string"
 *            | ["any" | "all"] FIELD "in" "{" item { [","] item } "}"
 *   side    := FIELD [slice] | FUNC "(" FIELD ")" [slice]
 *   FUNC    := "lower" | "upper" | "len" | "count" | "string"
 *   slice   := "[" range { "," range } "]"
 *   range   := i ":" j | i "-" j | i | ":" j | i ":"
 *   relop   := "==" | "!=" | "===" | "!==" | "~=" | "<" | ">" | "<=" | ">="
 *            | eq ne lt gt le ge any_eq all_ne all_eq any_ne
 *   item    := value [ ".." value ]
 *   value   := "string" | r"raw string" | number | address[/prefix] | time
 *            | bytes (4d:41, 4d.41, 4d-41, 4d41, 0x4d; for slices)
 *
 * A bare FIELD tests presence (a slice: that it has a byte). A word on
 * the right that names a field is that field. Multi-valued sides match
 * if ANY pair of values does ("==", "<", "contains", ...), or ALL pairs
 * for "!=" (no value equal), "===" and "all"; "!==" and "~=" are "any
 * not equal"; "any"/"all" before the side override the operator's own.
 * A comparison with an absent side is false, "!=" included; count() of
 * an absent field has no value. "matches" is a PCRE2 search, case-
 * insensitive unless the pattern says "(?-i)", on bytes (not UTF-8).
 * Slices are byte ranges of strings and addresses (Wireshark's forms,
 * negative offsets from the end); a value a range does not fit is
 * dropped, and in a list of ranges such a range is skipped, as in
 * Wireshark 4.0. Keywords are case-insensitive, function names are not.
 * An empty filter matches every record. */
#ifndef MS_FILTER_H
#define MS_FILTER_H

#include <stddef.h>
#include <stdio.h>

#include "record.h"

struct flt;                                     /* compiled filter */

struct flt_err {
    int col;                                    /* 0-based byte column */
    char msg[200];                              /* reason, no prefix */
};

/* Compile text; NULL on error with *err filled (err may be NULL). */
struct flt *flt_compile(const char *text, struct flt_err *err);
/* 1 if r matches, else 0. A NULL filter matches everything. */
int flt_match(const struct flt *f, const struct rec *r);
void flt_free(struct flt *f);

/* The field-name prefix that ends at byte column col of text: returns the
 * number of registry fields starting with it (0 inside a string literal)
 * and puts in out the bytes to insert at col to reach their longest common
 * prefix (may be empty). out is always NUL-terminated when outsz > 0. */
size_t flt_complete(const char *text, size_t col, char *out, size_t outsz);

/* Print the three error lines the CLI shows:
 *   mailsift: filter: MSG
 *     TEXT
 *     ^ (under err->col)
 * Non-printable bytes of TEXT and MSG are printed as '?'. */
void flt_err_print(FILE *fp, const char *text, const struct flt_err *e);

/* The compiled tree as an S-expression, e.g.
 * (or (and smtp (== smtp.req.command "AUTH")) pop), for tests and for a
 * dftest-like debug option. Returns the length it wanted (like snprintf). */
size_t flt_dump(const struct flt *f, char *out, size_t outsz);

#endif
