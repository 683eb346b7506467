/*
 * ao_logfmt.h - access-log line parsers.
 *
 * DESCRIPTION
 *   A parser turns one log line (without its newline) into an ao_record_t
 *   of borrowed slices; it allocates nothing and never reads past the given
 *   length (lines may contain NUL bytes). A parser is created once per
 *   <Log> from its Format and options. combined and common keep no state;
 *   the other formats keep scratch buffers (decoded JSON strings) or state
 *   (sshd's connections), so a parser belongs to one Log and one thread.
 *
 *   Formats:
 *     combined  nginx `combined` and Apache `%h %l %u %t "%r" %>s %b
 *               "%{Referer}i" "%{User-agent}i"`. Trailing fields after the
 *               user agent (nginx `main` adds "$http_x_forwarded_for") are
 *               accepted and ignored.
 *     common    the same without referer and user agent.
 *
 *     nginx     a custom nginx log_format (LogFormat, Escape): ao_fmt_nginx
 *     apache    a custom Apache LogFormat (LogFormat): ao_fmt_apache
 *     json      one JSON object per line, fields by dot paths: ao_fmt_json
 *     caddy     json with the paths of Caddy's default access log
 *     traefik   json with the paths of Traefik's JSON access log
 *     sshd      OpenSSH messages (auth.log, secure, journal): ao_fmt_sshd
 *     regex     any line through a user's PCRE2 pattern: ao_fmt_regex
 *   The sections below describe combined and common; each other format's
 *   header describes it.
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

#include <stdint.h>

typedef enum ao_format_id {
  AO_FMT_COMBINED = 0,
  AO_FMT_COMMON,
  AO_FMT_NGINX,
  AO_FMT_APACHE,
  AO_FMT_JSON,
  AO_FMT_CADDY,
  AO_FMT_TRAEFIK,
  AO_FMT_SSHD,
  AO_FMT_REGEX,
} ao_format_id_t;

/* nginx's escape= parameter. */
typedef enum ao_escape {
  AO_ESCAPE_DEFAULT = 0,
  AO_ESCAPE_JSON,
  AO_ESCAPE_NONE,
} ao_escape_t;

/* Indexes of ao_parser_options_t.json[]: the JSON field options. */
#include "ao_fmt_json.h"

/* Everything a parser is made from (the <Log>'s format options). Strings
 * are borrowed during ao_parser_create_opts() only. */
typedef struct ao_parser_options {
  ao_format_id_t format;
  const char *log_format;        /* nginx, apache */
  ao_escape_t escape;            /* nginx */
  const char *regex;             /* regex */
  const char *json[AO_JF_COUNT]; /* json, caddy, traefik: NULL = preset */
  size_t max_line;               /* longest line (scratch buffers) */
} ao_parser_options_t;

/* What ao_parser_parse() returns besides 0 and -1. */
#define AO_PARSE_IGNORED 1

/* Looks a format up by name, ignoring case. Returns 0, or -1 when unknown. */
int ao_format_lookup(const char *name, ao_format_id_t *out);
const char *ao_format_name(ao_format_id_t id);
/* A human-readable list of the format names for error messages:
 * "\"combined\" or \"common\"". */
const char *ao_format_names(void);

typedef struct ao_parser ao_parser_t;

/* Creates a parser for a format that needs no other option (combined,
 * common, sshd, caddy, traefik). On error returns NULL and fills err. */
ao_parser_t *ao_parser_create(ao_format_id_t id, ao_err_t *err);
/* Creates a parser from all its options: format strings are compiled and
 * checked here, once. On error returns NULL and fills err with a message
 * that starts with the option at fault ("LogFormat: ...", "Regex: ...",
 * "ClientField: ..."), so that the caller can prefix the block. */
ao_parser_t *ao_parser_create_opts(const ao_parser_options_t *o,
                                   ao_err_t *err);
void ao_parser_destroy(ao_parser_t *p); /* NULL is a no-op */

/* Parses line[0..n). Returns 0 and fills *rec, -1 when the line does not
 * have the format's structure (rec is then unspecified), or
 * AO_PARSE_IGNORED for a line that is not for this format to count (sshd:
 * another program's line in auth.log). The address field is returned as
 * text; ao_ip_parse() judges it. A parser may keep scratch buffers and
 * state (sshd connections, decoded JSON strings), so it is used by one
 * thread at a time; slices may point into the parser until the next call.
 * Allocates nothing. */
int ao_parser_parse(ao_parser_t *p, const char *line, size_t n,
                    ao_record_t *rec);

/* The option that sets JSON field f (AO_JF_*): "ClientField", ... */
const char *ao_json_option_name(int field);

/* Lines stopped by a regex limit (Format regex), else 0. */
uint64_t ao_parser_regex_errors(const ao_parser_t *p);

#endif /* AO_LOGFMT_H */
