/*
 * ao_fmt_regex.h - any other log through a user's regular expression.
 *
 * DESCRIPTION
 *   Format "regex" with Regex "...": a PCRE2 pattern (ao_regex: compiled
 *   once, JIT when available, match/depth/heap limits, bytes not UTF-8) with
 *   named groups:
 *     client   required: the client address
 *     request  a whole request line "GET /x HTTP/1.1" (split like %r)
 *     method, uri, status, agent, referer, xff, host, time
 *   A line the pattern does not match, or whose match hit a limit, is a
 *   parse error; limit hits are also counted (ao_fmt_regex_errors()). The
 *   pattern decides how much of the line it must match (use ^ and $).
 *   Values are taken as logged: no escape is decoded.
 */
#ifndef AO_FMT_REGEX_H
#define AO_FMT_REGEX_H

#include "ao_common.h"
#include "ao_record.h"

#include <stdint.h>

typedef struct ao_fmt_regex ao_fmt_regex_t;

/* Returns NULL with err filled: PCRE2's message with the offset, or a
 * missing (?<client>...) group. */
ao_fmt_regex_t *ao_fmt_regex_create(const char *pattern, ao_err_t *err);
void ao_fmt_regex_destroy(ao_fmt_regex_t *r); /* NULL is a no-op */

int ao_fmt_regex_parse(ao_fmt_regex_t *r, const char *line, size_t n,
                       ao_record_t *rec);

/* Matches stopped by a limit (counted as parse errors too). */
uint64_t ao_fmt_regex_errors(const ao_fmt_regex_t *r);

#endif /* AO_FMT_REGEX_H */
