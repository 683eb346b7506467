/*
 * ao_fmt_nginx.c - nginx log_format compiler (see ao_fmt_nginx.h).
 */
#include "ao_fmt_nginx.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What nginx writes for a variable, and where it goes. */
typedef struct ao_ngx_var {
  const char *name;
  ao_fpshape_t shape;
  ao_fpfield_t field;
} ao_ngx_var_t;

static const ao_ngx_var_t ao_ngx_vars[] = {
    {"remote_addr", AO_SH_TOKEN, AO_FP_ADDR},
    {"realip_remote_addr", AO_SH_TOKEN, AO_FP_ADDR_ALT},
    {"http_x_forwarded_for", AO_SH_TEXT, AO_FP_XFF},
    {"request", AO_SH_TEXT, AO_FP_REQUEST},
    {"request_method", AO_SH_TOKEN, AO_FP_METHOD},
    {"request_uri", AO_SH_TEXT, AO_FP_URI},
    {"uri", AO_SH_TEXT, AO_FP_PATH},
    {"document_uri", AO_SH_TEXT, AO_FP_NONE},
    {"args", AO_SH_TEXT, AO_FP_QUERY},
    {"query_string", AO_SH_TEXT, AO_FP_QUERY},
    {"server_protocol", AO_SH_TOKEN, AO_FP_PROTOCOL},
    {"status", AO_SH_STATUS, AO_FP_STATUS},
    {"http_user_agent", AO_SH_TEXT, AO_FP_AGENT},
    {"http_referer", AO_SH_TEXT, AO_FP_REFERER},
    {"host", AO_SH_TOKEN, AO_FP_HOST},
    {"server_name", AO_SH_TOKEN, AO_FP_HOST_ALT},
    {"time_local", AO_SH_TIME_LOCAL, AO_FP_TIME},
    {"time_iso8601", AO_SH_TOKEN, AO_FP_TIME},
    {"msec", AO_SH_NUMBER, AO_FP_NONE},
    /* skipped, with the shape nginx writes them in */
    {"remote_user", AO_SH_TEXT, AO_FP_NONE},
    {"remote_port", AO_SH_TOKEN, AO_FP_NONE},
    {"realip_remote_port", AO_SH_TOKEN, AO_FP_NONE},
    {"server_addr", AO_SH_TOKEN, AO_FP_NONE},
    {"server_port", AO_SH_TOKEN, AO_FP_NONE},
    {"proxy_protocol_addr", AO_SH_TOKEN, AO_FP_NONE},
    {"proxy_protocol_port", AO_SH_TOKEN, AO_FP_NONE},
    {"proxy_protocol_server_addr", AO_SH_TOKEN, AO_FP_NONE},
    {"proxy_protocol_server_port", AO_SH_TOKEN, AO_FP_NONE},
    {"body_bytes_sent", AO_SH_NUMBER, AO_FP_NONE},
    {"bytes_sent", AO_SH_NUMBER, AO_FP_NONE},
    {"request_length", AO_SH_NUMBER, AO_FP_NONE},
    {"request_time", AO_SH_NUMBER, AO_FP_NONE},
    {"connection", AO_SH_NUMBER, AO_FP_NONE},
    {"connection_requests", AO_SH_NUMBER, AO_FP_NONE},
    {"connection_time", AO_SH_NUMBER, AO_FP_NONE},
    {"pid", AO_SH_NUMBER, AO_FP_NONE},
    {"pipe", AO_SH_TOKEN, AO_FP_NONE},
    {"gzip_ratio", AO_SH_TOKEN, AO_FP_NONE},
    {"scheme", AO_SH_TOKEN, AO_FP_NONE},
    {"https", AO_SH_TOKEN, AO_FP_NONE},
    {"is_args", AO_SH_TOKEN, AO_FP_NONE},
    {"hostname", AO_SH_TOKEN, AO_FP_NONE},
    {"request_id", AO_SH_TOKEN, AO_FP_NONE},
    {"ssl_protocol", AO_SH_TOKEN, AO_FP_NONE},
    {"ssl_cipher", AO_SH_TOKEN, AO_FP_NONE},
    {"ssl_session_reused", AO_SH_TOKEN, AO_FP_NONE},
    {"ssl_server_name", AO_SH_TOKEN, AO_FP_NONE},
    {"upstream_addr", AO_SH_LIST, AO_FP_NONE},
    {"upstream_status", AO_SH_LIST, AO_FP_NONE},
    {"upstream_response_time", AO_SH_LIST, AO_FP_NONE},
    {"upstream_connect_time", AO_SH_LIST, AO_FP_NONE},
    {"upstream_header_time", AO_SH_LIST, AO_FP_NONE},
    {"upstream_response_length", AO_SH_LIST, AO_FP_NONE},
    {"upstream_bytes_received", AO_SH_LIST, AO_FP_NONE},
    {"upstream_bytes_sent", AO_SH_LIST, AO_FP_NONE},
    {"upstream_cache_status", AO_SH_TOKEN, AO_FP_NONE},
    {"upstream_queue_time", AO_SH_LIST, AO_FP_NONE},
};

static void ao_ngx_lookup(const char *name, size_t n, ao_fpshape_t *shape,
                          ao_fpfield_t *field) {
  for (size_t i = 0; i < AO_ARRAY_SIZE(ao_ngx_vars); i++) {
    if (strlen(ao_ngx_vars[i].name) == n &&
        strncasecmp(ao_ngx_vars[i].name, name, n) == 0) {
      *shape = ao_ngx_vars[i].shape;
      *field = ao_ngx_vars[i].field;
      return;
    }
  }
  /* $http_*, $sent_http_*, $cookie_*, $arg_*, $upstream_http_*, map and set
   * variables, other modules': arbitrary text, skipped. */
  *shape = AO_SH_TEXT;
  *field = AO_FP_NONE;
}

static int ao_ngx_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

/* The format with nginx.conf's quoting removed, and for each byte its
 * 1-based position in the string the user wrote. */
typedef struct ao_ngx_src {
  char *s;
  size_t *pos;
  size_t n;
} ao_ngx_src_t;

static int ao_ngx_push(ao_ngx_src_t *src, char c, size_t pos) {
  src->s[src->n] = c;
  src->pos[src->n] = pos;
  src->n++;
  return 0;
}

/* nginx.conf's quoted segments: '...' "..." separated by whitespace,
 * optional trailing ';'. */
static int ao_ngx_unquote(const char *fmt, ao_ngx_src_t *src, ao_err_t *err) {
  size_t n = strlen(fmt);
  size_t i = 0;
  while (i < n) {
    char c = fmt[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      i++;
      continue;
    }
    if (c == ';') {
      size_t j = i + 1;
      while (j < n && (fmt[j] == ' ' || fmt[j] == '\t' || fmt[j] == '\n'))
        j++;
      if (j == n)
        return 0;
      return ao_err_set(err, "text after \";\" at position %zu", j + 1);
    }
    if (c != '\'' && c != '"')
      return ao_err_set(err,
                        "unquoted text at position %zu between quoted "
                        "segments (nginx.conf form: '...' '...')",
                        i + 1);
    size_t open = i++;
    int closed = 0;
    while (i < n) {
      char d = fmt[i];
      if (d == '\\' && i + 1 < n) {
        char e = fmt[i + 1];
        char out = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
        if (e == c || e == '\\' || e == 't' || e == 'n' || e == 'r' ||
            e == '"' || e == '\'') {
          ao_ngx_push(src, out, i + 1);
          i += 2;
          continue;
        }
      }
      if (d == c) {
        closed = 1;
        i++;
        break;
      }
      ao_ngx_push(src, d, i + 1);
      i++;
    }
    if (!closed)
      return ao_err_set(err,
                        "unbalanced quotes: the %c at position %zu is "
                        "never closed",
                        c, open + 1);
  }
  return 0;
}

ao_fmtprog_t *ao_fmt_nginx_compile(const char *fmt, ao_fpescape_t esc,
                                   size_t max_line, ao_err_t *err) {
  size_t n = strlen(fmt);
  ao_ngx_src_t src = {malloc(n + 1), malloc((n + 1) * sizeof(size_t)), 0};
  ao_fmtprog_t *p = ao_fmtprog_new(esc, max_line);
  /* For each variable in order: its position, for error messages. */
  size_t *var_pos = malloc((n + 1) * sizeof(size_t));
  size_t nvars = 0;
  if (src.s == NULL || src.pos == NULL || p == NULL || var_pos == NULL) {
    ao_err_set(err, "out of memory");
    goto fail;
  }
  size_t lead = 0;
  while (lead < n && (fmt[lead] == ' ' || fmt[lead] == '\t'))
    lead++;
  if (lead < n && fmt[lead] == '\'') {
    if (ao_ngx_unquote(fmt, &src, err) != 0)
      goto fail;
  } else {
    for (size_t i = 0; i < n; i++)
      ao_ngx_push(&src, fmt[i], i + 1);
    /* An odd number of double quotes: some quoted field is never closed. */
    size_t quotes = 0, last = 0;
    for (size_t i = 0; i < src.n; i++)
      if (src.s[i] == '"') {
        quotes++;
        last = src.pos[i];
      }
    if (quotes % 2 != 0) {
      ao_err_set(err,
                 "unbalanced quotes: the \" at position %zu is never closed "
                 "(an odd number of \")",
                 last);
      goto fail;
    }
  }

  const char *s = src.s;
  size_t i = 0, lit_start = 0;
  while (i < src.n) {
    if (s[i] != '$') {
      i++;
      continue;
    }
    if (ao_fmtprog_lit(p, s + lit_start, i - lit_start) != 0) {
      ao_err_set(err, "out of memory");
      goto fail;
    }
    size_t dollar = i;
    const char *name;
    size_t name_n;
    if (i + 1 < src.n && s[i + 1] == '{') {
      size_t j = i + 2;
      while (j < src.n && ao_ngx_name_char(s[j]))
        j++;
      if (j >= src.n || s[j] != '}' || j == i + 2) {
        ao_err_set(err,
                   "unknown variable syntax at position %zu: \"${\" must be "
                   "followed by a name ([A-Za-z0-9_]) and \"}\"",
                   src.pos[dollar]);
        goto fail;
      }
      name = s + i + 2;
      name_n = j - i - 2;
      i = j + 1;
    } else {
      size_t j = i + 1;
      while (j < src.n && ao_ngx_name_char(s[j]))
        j++;
      if (j == i + 1) {
        ao_err_set(err,
                   "unknown variable syntax at position %zu: \"$\" must be "
                   "followed by a variable name ([A-Za-z0-9_]) or {name}",
                   src.pos[dollar]);
        goto fail;
      }
      name = s + i + 1;
      name_n = j - i - 1;
      i = j;
    }
    ao_fpshape_t shape;
    ao_fpfield_t field;
    ao_ngx_lookup(name, name_n, &shape, &field);
    /* $msec is the time only when no other time is logged. */
    if (name_n == 4 && strncasecmp(name, "msec", 4) == 0 &&
        !ao_fmtprog_has(p, AO_FP_TIME))
      field = AO_FP_TIME;
    if (ao_fmtprog_var(p, shape, field) != 0) {
      ao_err_set(err, "out of memory");
      goto fail;
    }
    var_pos[nvars++] = src.pos[dollar];
    lit_start = i;
  }
  if (ao_fmtprog_lit(p, s + lit_start, src.n - lit_start) != 0) {
    ao_err_set(err, "out of memory");
    goto fail;
  }
  if (nvars == 0) {
    ao_err_set(err, "no variable at all: nothing to read from the lines");
    goto fail;
  }
  size_t bad = 0;
  if (ao_fmtprog_check(p, &bad) != 0) {
    ao_err_set(err,
               "the variable at position %zu directly follows another one "
               "with nothing between them: their values cannot be told apart",
               var_pos[bad]);
    goto fail;
  }
  if (!ao_fmtprog_has(p, AO_FP_ADDR) && !ao_fmtprog_has(p, AO_FP_ADDR_ALT)) {
    ao_err_set(err, "no client address: the format needs $remote_addr (or "
                    "$realip_remote_addr)");
    goto fail;
  }
  free(src.s);
  free(src.pos);
  free(var_pos);
  return p;

fail:
  free(src.s);
  free(src.pos);
  free(var_pos);
  ao_fmtprog_free(p);
  return NULL;
}
