/*
 * ao_common.c - slices, error buffers and clocks (see ao_common.h).
 */
#include "ao_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int ao_slice_eq(ao_slice_t s, const char *cstr) {
  size_t n = strlen(cstr);
  return s.n == n && memcmp(s.p, cstr, n) == 0;
}

/* ASCII case folding, on purpose and without a libc call: this runs for
 * the method of every line (the brute-force event kind), and what matches
 * a method or a keyword must not depend on the process's locale. */
static unsigned char ao_ascii_lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

int ao_slice_ieq(ao_slice_t s, const char *cstr) {
  size_t i = 0;
  for (; i < s.n; i++) {
    unsigned char c = (unsigned char)cstr[i];
    if (c == 0 || ao_ascii_lower((unsigned char)s.p[i]) != ao_ascii_lower(c))
      return 0;
  }
  return cstr[i] == '\0';
}

int ao_err_set(ao_err_t *err, const char *fmt, ...) {
  if (err != NULL) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
  }
  return -1;
}

static double ts_seconds(clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0)
    return 0.0;
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double ao_now_wall(void) { return ts_seconds(CLOCK_REALTIME); }
double ao_now_mono(void) { return ts_seconds(CLOCK_MONOTONIC); }
