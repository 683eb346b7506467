/*
 * ao_log.c - the process-wide log sink (see ao_log.h).
 */
#include "ao_log.h"

#include <stdarg.h>
#include <stdio.h>

static void stderr_log(void *ud, int level, const char *msg) {
  (void)ud;
  const char *tag = level <= AO_LOG_ERR       ? "error"
                    : level == AO_LOG_WARNING ? "warning"
                    : level == AO_LOG_NOTICE  ? "notice"
                    : level == AO_LOG_INFO    ? "info"
                                              : "debug";
  fprintf(stderr, "attack-origin: %s: %s\n", tag, msg);
}

static ao_log_sink_t sink = {stderr_log, NULL, NULL, NULL, NULL};

void ao_log_set_sink(const ao_log_sink_t *s) {
  if (s == NULL || s->log == NULL) {
    sink = (ao_log_sink_t){stderr_log, NULL, NULL, NULL, NULL};
    return;
  }
  sink = *s;
}

void ao_log(int level, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  sink.log(sink.ud, level, msg);
}

void ao_complain(ao_complaint_t *c, int level, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (sink.complain != NULL) {
    sink.complain(sink.ud, level, c, msg);
  } else if (!c->active) {
    sink.log(sink.ud, level, msg);
  }
  c->active = 1;
}

void ao_release(ao_complaint_t *c, int level, const char *fmt, ...) {
  if (!c->active)
    return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (sink.release != NULL)
    sink.release(sink.ud, level, c, msg);
  else
    sink.log(sink.ud, level, msg);
  c->active = 0;
}

void ao_complaint_reset(ao_complaint_t *c) {
  if (c->host != NULL && sink.complaint_free != NULL)
    sink.complaint_free(sink.ud, c);
  c->host = NULL;
  c->active = 0;
}
