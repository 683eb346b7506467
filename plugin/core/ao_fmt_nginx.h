/*
 * ao_fmt_nginx.h - compile an nginx log_format string into a format program.
 *
 * DESCRIPTION
 *   The string is the format as written in nginx.conf, in either form:
 *     - the bare format: $remote_addr - $remote_user [$time_local] "$request"
 *     - nginx.conf's quoted segments, which nginx concatenates:
 *       '$remote_addr - $remote_user [$time_local] ' '"$request" $status'
 *       (recognised when the value starts with a single quote; both quote
 *       kinds, \' \" \\ \t \n escapes, whitespace between segments and a
 *       trailing ";" as nginx reads them).
 *   Variables are $name or ${name} with name = [A-Za-z0-9_]+. Every variable
 *   is accepted. Those the plugin uses feed the record: $remote_addr
 *   ($realip_remote_addr when $remote_addr is absent), $http_x_forwarded_for,
 *   $request, $request_method, $request_uri, $uri + $args/$query_string,
 *   $server_protocol, $status, $http_user_agent, $http_referer, $host
 *   ($server_name when $host is absent), $time_local, $time_iso8601, $msec
 *   (time when no other time is logged). Every other variable is skipped
 *   with the shape nginx writes it in (numbers, $upstream_* lists, ...) or
 *   as arbitrary text.
 *
 *   Escape is nginx's escape= parameter: default (\xHH for ", \, control and
 *   high bytes), json (JSON string escapes; the line is a JSON object made
 *   by the format) or none.
 *
 * ERRORS (the message gives the 1-based position in the string)
 *   "$" not followed by a name or "{name}", an unclosed "${", an unclosed
 *   quote in the quoted form or an odd number of `"` in the bare form (an
 *   unbalanced quote: the format's fields could never be told apart), two
 *   variables with nothing between them (e.g. "$status$body_bytes_sent"),
 *   a format with no variable, and a format without a client address
 *   variable ($remote_addr or $realip_remote_addr) are refused.
 */
#ifndef AO_FMT_NGINX_H
#define AO_FMT_NGINX_H

#include "ao_common.h"
#include "ao_fmtprog.h"

ao_fmtprog_t *ao_fmt_nginx_compile(const char *fmt, ao_fpescape_t esc,
                                   size_t max_line, ao_err_t *err);

#endif /* AO_FMT_NGINX_H */
