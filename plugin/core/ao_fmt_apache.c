/*
 * ao_fmt_apache.c - Apache LogFormat compiler (see ao_fmt_apache.h).
 */
#include "ao_fmt_apache.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int ao_ap_arg_is(const char *arg, size_t n, const char *want) {
  return arg != NULL && strlen(want) == n && strncasecmp(arg, want, n) == 0;
}

/* The shape and field of directive c with optional {arg}. Returns 0, or -1
 * when mod_log_config has no such directive. */
static int ao_ap_directive(char c, const char *arg, size_t arg_n,
                           ao_fpshape_t *shape, ao_fpfield_t *field) {
  *field = AO_FP_NONE;
  switch (c) {
  case 'h':
    *shape = AO_SH_TOKEN;
    *field = AO_FP_ADDR_ALT;
    return 0;
  case 'a':
    *shape = AO_SH_TOKEN;
    /* %{c}a is the peer of the connection, not the client */
    if (arg == NULL)
      *field = AO_FP_ADDR;
    return 0;
  case 'A':
  case 'l':
  case 'H':
  case 'L':
  case 'v':
  case 'V':
  case 'X':
  case 'm':
    *shape = AO_SH_TOKEN;
    if (c == 'H')
      *field = AO_FP_PROTOCOL;
    else if (c == 'm')
      *field = AO_FP_METHOD;
    else if (c == 'V')
      *field = AO_FP_HOST;
    else if (c == 'v')
      *field = AO_FP_HOST_ALT;
    return 0;
  case 'u':
    *shape = AO_SH_USER;
    return 0;
  case 't':
    if (arg == NULL) {
      *shape = AO_SH_CLF_TIME;
    } else {
      *shape = AO_SH_TEXT;
    }
    *field = AO_FP_TIME;
    return 0;
  case 'r':
    *shape = AO_SH_TEXT;
    *field = AO_FP_REQUEST;
    return 0;
  case 's':
    *shape = AO_SH_STATUS;
    *field = AO_FP_STATUS;
    return 0;
  case 'b':
  case 'B':
  case 'D':
  case 'T':
  case 'p':
  case 'P':
  case 'I':
  case 'O':
  case 'S':
  case 'k':
    *shape = AO_SH_TOKEN;
    return 0;
  case 'U':
    *shape = AO_SH_TEXT;
    *field = AO_FP_PATH;
    return 0;
  case 'q':
    *shape = AO_SH_TEXT;
    *field = AO_FP_QUERY_Q;
    return 0;
  case 'i':
    *shape = AO_SH_TEXT;
    if (ao_ap_arg_is(arg, arg_n, "Referer"))
      *field = AO_FP_REFERER;
    else if (ao_ap_arg_is(arg, arg_n, "User-Agent"))
      *field = AO_FP_AGENT;
    else if (ao_ap_arg_is(arg, arg_n, "X-Forwarded-For"))
      *field = AO_FP_XFF;
    return 0;
  case 'e':
  case 'n':
  case 'o':
  case 'C':
  case 'c':
  case 'x':
  case 'f':
  case 'R':
    *shape = AO_SH_TEXT;
    return 0;
  default:
    return -1;
  }
}

ao_fmtprog_t *ao_fmt_apache_compile(const char *fmt, size_t max_line,
                                    ao_err_t *err) {
  size_t n = strlen(fmt);
  ao_fmtprog_t *p = ao_fmtprog_new(AO_FPESC_BACKSLASH, max_line);
  size_t *var_pos = malloc((n + 1) * sizeof(size_t));
  size_t nvars = 0;
  if (p == NULL || var_pos == NULL) {
    ao_err_set(err, "out of memory");
    goto fail;
  }
  size_t quotes = 0, last_quote = 0;
  for (size_t i = 0; i < n; i++)
    if (fmt[i] == '"') {
      quotes++;
      last_quote = i + 1;
    }
  if (quotes % 2 != 0) {
    ao_err_set(err,
               "unbalanced quotes: the \" at position %zu is never closed (an "
               "odd number of \")",
               last_quote);
    goto fail;
  }
  size_t i = 0, lit_start = 0;
  while (i < n) {
    if (fmt[i] != '%') {
      i++;
      continue;
    }
    if (ao_fmtprog_lit(p, fmt + lit_start, i - lit_start) != 0) {
      ao_err_set(err, "out of memory");
      goto fail;
    }
    size_t pct = i++;
    if (i < n && fmt[i] == '%') { /* %% is a literal % */
      lit_start = i;
      i++;
      continue;
    }
    /* conditions: [!]status[,status...] and the < > modifiers */
    if (i < n && fmt[i] == '!')
      i++;
    while (i < n && ((fmt[i] >= '0' && fmt[i] <= '9') || fmt[i] == ','))
      i++;
    while (i < n && (fmt[i] == '<' || fmt[i] == '>'))
      i++;
    const char *arg = NULL;
    size_t arg_n = 0;
    if (i < n && fmt[i] == '{') {
      const char *close = memchr(fmt + i + 1, '}', n - i - 1);
      if (close == NULL) {
        ao_err_set(err,
                   "unknown directive syntax at position %zu: \"%%{\" without "
                   "a closing \"}\"",
                   pct + 1);
        goto fail;
      }
      arg = fmt + i + 1;
      arg_n = (size_t)(close - arg);
      i = (size_t)(close - fmt) + 1;
    }
    if (i >= n) {
      ao_err_set(err,
                 "unknown directive syntax at position %zu: \"%%\" at the end "
                 "of the format (write %%%% for a percent sign)",
                 pct + 1);
      goto fail;
    }
    char c = fmt[i];
    ao_fpshape_t shape;
    ao_fpfield_t field;
    if (c == '^' && i + 2 < n && fmt[i + 1] == 't' &&
        (fmt[i + 2] == 'i' || fmt[i + 2] == 'o')) {
      shape = AO_SH_TEXT;
      field = AO_FP_NONE;
      i += 3;
    } else if (ao_ap_directive(c, arg, arg_n, &shape, &field) != 0) {
      ao_err_set(err, "unknown directive %%%c at position %zu", c, pct + 1);
      goto fail;
    } else {
      i++;
    }
    if (ao_fmtprog_var(p, shape, field) != 0) {
      ao_err_set(err, "out of memory");
      goto fail;
    }
    var_pos[nvars++] = pct + 1;
    lit_start = i;
  }
  if (ao_fmtprog_lit(p, fmt + lit_start, n - lit_start) != 0) {
    ao_err_set(err, "out of memory");
    goto fail;
  }
  if (nvars == 0) {
    ao_err_set(err, "no directive at all: nothing to read from the lines");
    goto fail;
  }
  size_t bad = 0;
  if (ao_fmtprog_check(p, &bad) != 0) {
    ao_err_set(err,
               "the directive at position %zu directly follows another one "
               "with nothing between them: their values cannot be told apart",
               var_pos[bad]);
    goto fail;
  }
  if (!ao_fmtprog_has(p, AO_FP_ADDR) && !ao_fmtprog_has(p, AO_FP_ADDR_ALT)) {
    ao_err_set(err, "no client address: the format needs %%h or %%a");
    goto fail;
  }
  free(var_pos);
  return p;

fail:
  free(var_pos);
  ao_fmtprog_free(p);
  return NULL;
}
