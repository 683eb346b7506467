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

double ao_now_wall_coarse(void) {
#ifdef CLOCK_REALTIME_COARSE
  /* 0 when the kernel (or a sandbox) does not have that clock */
  double t = ts_seconds(CLOCK_REALTIME_COARSE);
  if (t > 0)
    return t;
#endif
  return ao_now_wall();
}
