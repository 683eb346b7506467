/*
 * ao_fmt_json.h - structured JSON access logs (one JSON object per line).
 *
 * DESCRIPTION
 *   Fields are found by dot paths into nested objects: "status",
 *   "request.remote_ip", "request.headers.User-Agent". A key that itself
 *   contains a dot is written with "\." ("labels.app\.kubernetes\.io").
 *   Arrays are transparent: a path that reaches an array takes its string
 *   elements joined with ", " (Caddy logs every header as an array of its
 *   values; several X-Forwarded-For header lines make one chain, in
 *   order). Strings are decoded (\" \\ \uXXXX, surrogate pairs) into a
 *   per-parser scratch buffer; numbers are taken as written (Caddy's
 *   "status":404). null, booleans, objects are "absent".
 *
 *   Presets (ao_json_preset()) fill in the paths of a server's default JSON
 *   access log; each path the user sets replaces the preset's:
 *     caddy    client request.client_ip, else request.remote_ip (Caddy
 *              before 2.7); xff request.headers.X-Forwarded-For; method
 *              request.method; uri request.uri; status status; agent
 *              request.headers.User-Agent; referer request.headers.Referer;
 *              host request.host; proto request.proto; time ts
 *     traefik  client ClientHost; xff request_X-Forwarded-For; method
 *              RequestMethod; uri RequestPath; status DownstreamStatus;
 *              agent request_User-Agent; referer request_Referer (Traefik
 *              drops headers unless fields.headers.defaultMode or names say
 *              keep); host RequestHost; proto RequestProtocol; time
 *              StartUTC
 *
 *   Parsing uses Debian's yajl (an event parser, so no tree is built), with
 *   string validation off (logs hold any bytes). To allocate nothing per
 *   line, yajl gets allocation functions that serve from an arena made once
 *   at creation and reset before every line; a handle is made from that
 *   arena for each line (yajl_alloc is a memset of a few hundred bytes).
 *   The arena is 8 x max_line + 64 KiB: yajl's two growing buffers (the
 *   decoded string and the lexer's) double up to at most 2 x the longest
 *   string each, and their abandoned blocks add up to as much again; the
 *   nesting depth is cut at 32 levels by the callbacks, before yajl's
 *   state stack would grow. So the arena can never run out.
 *
 *   A line that is not exactly one JSON object (trailing text, two objects,
 *   an array, truncated, deeper than 32 levels, invalid JSON) is a parse
 *   error, and so is an object without the client field.
 */
#ifndef AO_FMT_JSON_H
#define AO_FMT_JSON_H

#include "ao_common.h"
#include "ao_record.h"

/* The fields a JSON log can map, in the order of the options. */
typedef enum ao_json_field {
  AO_JF_CLIENT = 0,
  AO_JF_XFF,
  AO_JF_METHOD,
  AO_JF_URI,
  AO_JF_QUERY,
  AO_JF_STATUS,
  AO_JF_AGENT,
  AO_JF_REFERER,
  AO_JF_HOST,
  AO_JF_PROTOCOL,
  AO_JF_REQUEST,
  AO_JF_TIME,
  AO_JF_COUNT
} ao_json_field_t;

#define AO_JSON_PATH_DEPTH 16
#define AO_JSON_MAX_DEPTH 32

typedef enum ao_json_preset {
  AO_JSON_PRESET_NONE = 0,
  AO_JSON_PRESET_CADDY,
  AO_JSON_PRESET_TRAEFIK,
} ao_json_preset_t;

typedef struct ao_fmt_json ao_fmt_json_t;

/* paths[f] is the user's path for field f, or NULL (the preset's, or
 * none). The client path is required (from the user or the preset). A path
 * that is empty, has an empty component ("a..b", ".a") or more than
 * AO_JSON_PATH_DEPTH components is refused; err then starts with the
 * field's index in *bad_field (so the caller can name its option). */
ao_fmt_json_t *ao_fmt_json_create(ao_json_preset_t preset,
                                  const char *const paths[AO_JF_COUNT],
                                  size_t max_line, int *bad_field,
                                  ao_err_t *err);
void ao_fmt_json_destroy(ao_fmt_json_t *j); /* NULL is a no-op */

/* Parses line[0..n) (one trailing CR ignored). Returns 0 and fills *rec,
 * or -1. Allocates nothing. */
int ao_fmt_json_parse(ao_fmt_json_t *j, const char *line, size_t n,
                      ao_record_t *rec);

#endif /* AO_FMT_JSON_H */
