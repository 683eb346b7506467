/*
 * ao_dispatch.h - a pipeline's counters as collectd value lists.
 *
 * DESCRIPTION
 *   The metric identifiers are a contract with users' dashboards and alerts
 *   (README.md, "Metrics"). Every value uses a type of collectd's default
 *   types.db, so the network plugin, InfluxDB's collectd listener and a
 *   central collectd decode them without a custom TypesDB:
 *
 *     attack_origin-<Log>/total_events-<CC>             DERIVE  attacks
 *     attack_origin-<Log>/percent-<CC>                  GAUGE   origin share
 *     attack_origin-<Log>/total_requests-<cat>-<CC>     DERIVE  per category
 *     attack_origin-<Log>/derive-<health counter>       DERIVE  self-metrics
 *     attack_origin-<Log>/bytes-lag                     GAUGE   unread bytes
 *     attack_origin-<Log>/duration-geoip_database_age   GAUGE   seconds
 *
 *   Every country seen once is dispatched every interval from then on (its
 *   share is 0 when it has no attack in the window), and so is every
 *   (category, country) pair, so that the threshold plugin never reports a
 *   quiet country missing.
 */
#ifndef AO_DISPATCH_H
#define AO_DISPATCH_H

#include "ao_pipeline.h"

#include "collectd/core/daemon/plugin.h"

/* Dispatches every value of p, stamped with time t. now_wall is the wall
 * clock in Unix seconds (for the database age). Returns the number of value
 * lists that plugin_dispatch_values() refused (0 normally). */
int ao_dispatch_pipeline(const ao_pipeline_t *p, cdtime_t t, double now_wall);

/* Health counters as (type instance, value) pairs, in dispatch order; shared
 * with the tests so that README's list cannot drift from the code. */
typedef struct ao_health_metric {
  const char *name;
  uint64_t value;
} ao_health_metric_t;

/* Fills out[] (capacity n) and returns how many health counters exist. */
size_t ao_health_metrics(const ao_health_t *h, ao_health_metric_t *out,
                         size_t n);

#endif /* AO_DISPATCH_H */
