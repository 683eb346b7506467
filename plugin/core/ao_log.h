/*
 * ao_log.h - how the core reports things to a human, without flooding.
 *
 * DESCRIPTION
 *   The core never writes to stderr or syslog itself: it logs through one
 *   process-wide sink that the host installs. The collectd adapter installs a
 *   sink that forwards to plugin_log() and implements complaints with
 *   collectd's c_complain()/c_release(); the command-line tool installs one
 *   that prints to stderr. With no sink installed, messages go to stderr.
 *
 *   A *complaint* is a recurring runtime fault (a missing log file, an
 *   unreadable GeoIP database). The owner of the fault keeps an
 *   ao_complaint_t next to the state it describes and calls ao_complain()
 *   every time it sees the fault; the sink decides how often that reaches the
 *   log (c_complain: first time, then with an interval that doubles up to a
 *   day). ao_release() logs the recovery once, and only if a complaint was
 *   made. Per-line problems are never logged: they are counted.
 *
 *   Levels are syslog's numbers, as collectd uses them.
 */
#ifndef AO_LOG_H
#define AO_LOG_H

#include "ao_common.h"

enum {
  AO_LOG_ERR = 3,
  AO_LOG_WARNING = 4,
  AO_LOG_NOTICE = 5,
  AO_LOG_INFO = 6,
  AO_LOG_DEBUG = 7,
};

/* State of one recurring fault. Zero-initialise it; the sink may hang its
 * own state on `host` (freed through the sink by ao_complaint_reset()). */
typedef struct ao_complaint {
  void *host;
  int active; /* a complaint was made and not yet released */
} ao_complaint_t;

typedef struct ao_log_sink {
  void (*log)(void *ud, int level, const char *msg);
  /* Optional: rate-limited logging of c's fault. When NULL, the core logs the
   * first complaint and stays quiet until released. */
  void (*complain)(void *ud, int level, ao_complaint_t *c, const char *msg);
  void (*release)(void *ud, int level, ao_complaint_t *c, const char *msg);
  void (*complaint_free)(void *ud, ao_complaint_t *c);
  void *ud;
} ao_log_sink_t;

/* Installs the sink (copied); NULL restores the stderr default. Call it once
 * before any other core function runs on another thread. */
void ao_log_set_sink(const ao_log_sink_t *sink);

/* Messages are prefixed by the sink, not here (collectd's sink adds
 * "attack_origin plugin: "). */
void ao_log(int level, const char *fmt, ...) AO_PRINTF(2, 3);
void ao_complain(ao_complaint_t *c, int level, const char *fmt, ...)
    AO_PRINTF(3, 4);
/* Logs the recovery message only if c is active, then clears it. */
void ao_release(ao_complaint_t *c, int level, const char *fmt, ...)
    AO_PRINTF(3, 4);
/* Releases the sink's per-complaint state; safe on a zeroed complaint. */
void ao_complaint_reset(ao_complaint_t *c);

#endif /* AO_LOG_H */
