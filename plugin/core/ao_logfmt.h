/*
 * ao_logfmt.h - access-log line parsers.
 *
 * DESCRIPTION
 *   A parser turns one log line (without its newline) into an ao_record_t
 *   of borrowed slices; it allocates nothing and never reads past the given
 *   length (lines may contain NUL bytes). A parser is created once per
 *   <Log> from its Format and is immutable afterwards, so it may be shared.
 *
 *   Formats:
 *     combined  nginx `combined` and Apache `%h %l %u %t "%r" %>s %b
 *               "%{Referer}i" "%{User-agent}i"`. Trailing fields after the
 *               user agent (nginx `main` adds "$http_x_forwarded_for") are
 *               accepted and ignored.
 *     common    the same without referer and user agent.
 *
 *   Both servers' escaping is understood without decoding it: a backslash
 *   inside a quoted field escapes the next byte (Apache `\"`, `\\`), and
 *   nginx's `\x22` contains no quote at all. Old Apache versions wrote an
 *   unescaped `"` inside %r; the request field therefore ends at the quote
 *   that is followed by ` <status> <size>`, not simply at the first quote. A
 *   request that is not "METHOD TARGET [PROTOCOL]" (binary garbage, which
 *   nginx logs with status 400) still parses, with AO_REC_NOT_HTTP.
 */
#ifndef AO_LOGFMT_H
#define AO_LOGFMT_H

#include "ao_common.h"
#include "ao_record.h"

typedef enum ao_format_id {
  AO_FMT_COMBINED = 0,
  AO_FMT_COMMON,
} ao_format_id_t;

/* Looks a format up by name, ignoring case. Returns 0, or -1 when unknown. */
int ao_format_lookup(const char *name, ao_format_id_t *out);
const char *ao_format_name(ao_format_id_t id);
/* A human-readable list of the format names for error messages:
 * "\"combined\" or \"common\"". */
const char *ao_format_names(void);

typedef struct ao_parser ao_parser_t;

/* Creates a parser for a format. On error returns NULL and fills err. */
ao_parser_t *ao_parser_create(ao_format_id_t id, ao_err_t *err);
void ao_parser_destroy(ao_parser_t *p); /* NULL is a no-op */

/* Parses line[0..n). Returns 0 and fills *rec, or -1 when the line does not
 * have the format's structure (rec is then unspecified). The address field
 * is returned as text; ao_ip_parse() judges it. */
int ao_parser_parse(const ao_parser_t *p, const char *line, size_t n,
                    ao_record_t *rec);

#endif /* AO_LOGFMT_H */
