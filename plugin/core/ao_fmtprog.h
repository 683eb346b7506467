/*
 * ao_fmtprog.h - compiled log-format programs: match a line against a
 * server's format string without backtracking and without allocation.
 *
 * DESCRIPTION
 *   nginx `log_format` strings and Apache `LogFormat` strings are both a
 *   sequence of literal text and variables. The format compilers
 *   (ao_fmt_nginx, ao_fmt_apache) turn such a string once, at configuration
 *   time, into a program: an array of ops, each a literal or a variable
 *   with a *shape* (what the server can write there) and the record field
 *   it feeds (or none: skipped). ao_fmtprog_match() runs a program over one
 *   line and fills an ao_record_t.
 *
 * MATCHING (why it cannot be fooled by client-controlled text)
 *   Ops are matched left to right, once each; nothing is revisited. A
 *   literal must be at the current position. A variable's end is the first
 *   position e, scanning forward from its start, such that
 *     - the bytes so far fit its shape (a TOKEN never holds a space, a
 *       STATUS is three digits, a TIME_LOCAL is exactly
 *       "dd/Mon/yyyy:hh:mm:ss +zzzz", a LIST is upstream-style
 *       "a, b : c", TEXT is anything), and
 *     - the literal that follows in the program is at e, and the variable
 *       after that literal can start right after it (fixed shapes are
 *       checked whole, with the literal after them), or the line ends at
 *       e when the variable is last.
 *   With escape modes BACKSLASH and JSON (nginx's default and json escaping,
 *   Apache's escaping) no value can contain an unescaped `"`, and a
 *   backslash always escapes the next byte, so a quoted field ends exactly
 *   at the first unescaped quote: nothing a client sends can move a field
 *   boundary. Unquoted client-controlled values (nginx $remote_user, Apache
 *   %u: spaces are not escaped) are delimited by the look-ahead above,
 *   which needs the following server-written fields to fit too.
 *   With escape NONE (nginx escape=none) values may hold anything and only
 *   the look-ahead separates them: fields after the first client-controlled
 *   one can be misattributed by a hostile client (documented limit).
 *   Each step looks ahead a bounded number of bytes at each candidate, so a
 *   line costs O(n x the longest literal).
 *
 * RECORD
 *   $request / %r is split into method, target and protocol like the
 *   combined parser does; separately logged method, URI ($request_uri), path
 *   ($uri, %U) with query ($args, %q) and protocol fill what the request line
 *   did not give. "-" is an empty field. With BACKSLASH escaping the slices
 *   keep the server's escapes and AO_REC_ESCAPED is set when a used field
 *   holds a backslash (the classifier decodes them). With JSON escaping the
 *   used fields are decoded (ao_unjson) into the program's scratch buffer
 *   instead, and AO_REC_ESCAPED is not set.
 *
 * OWNERSHIP AND THREADS
 *   A program owns its literals and a scratch buffer as long as the longest
 *   line; ao_fmtprog_match() writes the scratch buffer, so a program is used
 *   by one thread at a time (one per <Log>).
 */
#ifndef AO_FMTPROG_H
#define AO_FMTPROG_H

#include "ao_common.h"
#include "ao_record.h"

/* Record fields a variable can feed. _ALT fields are used only when the
 * main one is absent from the format (nginx $realip_remote_addr for
 * $remote_addr, $server_name for $host; Apache %h for %a, %v for %V). */
typedef enum ao_fpfield {
  AO_FP_NONE = 0,
  AO_FP_ADDR,
  AO_FP_ADDR_ALT,
  AO_FP_TIME,
  AO_FP_REQUEST,
  AO_FP_METHOD,
  AO_FP_URI,     /* path and query as sent ($request_uri) */
  AO_FP_PATH,    /* path alone ($uri, %U) */
  AO_FP_QUERY,   /* query without "?" ($args) */
  AO_FP_QUERY_Q, /* query with a leading "?" when present (Apache %q) */
  AO_FP_PROTOCOL,
  AO_FP_STATUS,
  AO_FP_REFERER,
  AO_FP_AGENT,
  AO_FP_XFF,
  AO_FP_HOST,
  AO_FP_HOST_ALT,
  AO_FP_COUNT
} ao_fpfield_t;

typedef enum ao_fpshape {
  AO_SH_TEXT = 0,   /* anything (no unescaped quote unless escape NONE) */
  AO_SH_TOKEN,      /* no space */
  AO_SH_NUMBER,     /* "-" or digits with '.' */
  AO_SH_STATUS,     /* three digits, or "-" */
  AO_SH_TIME_LOCAL, /* dd/Mon/yyyy:hh:mm:ss +zzzz */
  AO_SH_CLF_TIME,   /* [dd/Mon/yyyy:hh:mm:ss +zzzz] (Apache %t) */
  AO_SH_LIST,       /* upstream lists: items joined by ", " and " : " */
  AO_SH_USER,       /* TEXT, or Apache's `""` for an empty user */
} ao_fpshape_t;

typedef enum ao_fpescape {
  AO_FPESC_BACKSLASH = 0, /* nginx escape=default, Apache */
  AO_FPESC_JSON,          /* nginx escape=json */
  AO_FPESC_NONE,          /* nginx escape=none */
} ao_fpescape_t;

typedef struct ao_fmtprog ao_fmtprog_t;

/* Building a program (used by the format compilers). ao_fmtprog_new()
 * returns NULL on ENOMEM. Adding returns 0 or -1 on ENOMEM. Adjacent
 * literals are merged. */
ao_fmtprog_t *ao_fmtprog_new(ao_fpescape_t esc, size_t max_line);
int ao_fmtprog_lit(ao_fmtprog_t *p, const char *s, size_t n);
int ao_fmtprog_var(ao_fmtprog_t *p, ao_fpshape_t shape, ao_fpfield_t field);
/* Checks the finished program: two variables with no literal between them
 * cannot be split unless the first has a fixed length. Returns 0, or -1
 * and the 0-based index of the second variable in *bad_var. */
int ao_fmtprog_check(const ao_fmtprog_t *p, size_t *bad_var);
/* 1 when some variable feeds field f. */
int ao_fmtprog_has(const ao_fmtprog_t *p, ao_fpfield_t f);
void ao_fmtprog_free(ao_fmtprog_t *p); /* NULL is a no-op */

/* Matches line[0..n) (one trailing CR ignored). Returns 0 and fills *rec,
 * or -1 when the line does not have the format. Allocates nothing. */
int ao_fmtprog_match(ao_fmtprog_t *p, const char *line, size_t n,
                     ao_record_t *rec);

#endif /* AO_FMTPROG_H */
