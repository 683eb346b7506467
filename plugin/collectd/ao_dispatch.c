/*
 * ao_dispatch.c - value lists from a pipeline (see ao_dispatch.h).
 */
#include "ao_dispatch.h"

#include <math.h>
#include <stdio.h>

#define PLUGIN_NAME "attack_origin"

static int submit(const char *instance, const char *type,
                  const char *type_instance, value_t value, cdtime_t t) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &value;
  vl.values_len = 1;
  vl.time = t;
  snprintf(vl.plugin, sizeof(vl.plugin), "%s", PLUGIN_NAME);
  snprintf(vl.plugin_instance, sizeof(vl.plugin_instance), "%s", instance);
  snprintf(vl.type, sizeof(vl.type), "%s", type);
  snprintf(vl.type_instance, sizeof(vl.type_instance), "%s", type_instance);
  return plugin_dispatch_values(&vl) != 0;
}

static int submit_derive(const char *instance, const char *type,
                         const char *type_instance, uint64_t v, cdtime_t t) {
  /* DERIVE is signed; 2^63 attacks are not a practical concern, but never
   * wrap into a negative value. */
  value_t value = {.derive = v > INT64_MAX ? INT64_MAX : (derive_t)v};
  return submit(instance, type, type_instance, value, t);
}

static int submit_gauge(const char *instance, const char *type,
                        const char *type_instance, double v, cdtime_t t) {
  value_t value = {.gauge = v};
  return submit(instance, type, type_instance, value, t);
}

size_t ao_health_metrics(const ao_health_t *h, ao_health_metric_t *out,
                         size_t n) {
  const ao_health_metric_t all[] = {
      {"lines_read", h->lines_read},
      {"lines_unparsed", h->lines_unparsed},
      {"lines_ignored", h->lines_ignored},
      {"regex_errors", h->regex_errors},
      {"lines_oversized", h->lines_oversized},
      {"lines_partial", h->lines_partial},
      {"lines_attack", h->lines_attack},
      {"addresses_invalid", h->addresses_invalid},
      {"rotations", h->rotations},
      {"truncations", h->truncations},
      {"read_errors", h->read_errors},
      {"geoip_lookups", h->geo.lookups},
      {"geoip_cache_hits", h->geo.cache_hits},
      {"geoip_reserved", h->geo.special},
      {"geoip_not_found", h->geo.not_found},
      {"geoip_errors", h->geo.errors},
      {"geoip_no_database", h->geo.no_database},
      {"geoip_reloads", h->geo.reloads},
      {"geoip_reload_failures", h->geo.reload_failures},
      {"bruteforce_evictions", h->bruteforce_evictions},
      {"geoip_cache_evictions", h->geo.cache_evictions},
      {"rule_errors", h->rule_errors},
      {"read_budget_stops", h->read_budget_stops},
      {"truncation_copies", h->truncation_copies},
      {"files_lost", h->files_lost},
      {"journal_errors", h->journal_errors},
      {"state_save_failures", h->state_save_failures},
      {"state_rejected", h->state_rejected},
  };
  size_t count = sizeof(all) / sizeof(all[0]);
  for (size_t i = 0; i < count && i < n; i++)
    out[i] = all[i];
  return count;
}

int ao_dispatch_pipeline(const ao_pipeline_t *p, cdtime_t t,
                         double now_wall) {
  const char *inst = ao_pipeline_name(p);
  const ao_counts_t *c = ao_pipeline_counts(p);
  const ao_share_t *share = ao_pipeline_share(p);
  uint64_t min_attacks = ao_pipeline_min_attacks(p);
  int refused = 0;

  for (ao_country_t cc = 0; cc < AO_COUNTRY_COUNT; cc++) {
    if (!c->seen[cc])
      continue;
    char code[3];
    ao_country_code(cc, code);
    refused += submit_derive(inst, "total_events", code, c->attacks[cc], t);
    double pct = share != NULL ? ao_share_percent(share, cc, min_attacks) : NAN;
    refused += submit_gauge(inst, "percent", code, pct, t);
    for (ao_catmask_t m = c->cat_seen[cc]; m != 0; m &= m - 1) {
      int cat = __builtin_ctz(m);
      const char *name = ao_pipeline_category_name(p, cat);
      if (name == NULL)
        continue;
      char ti[64];
      snprintf(ti, sizeof(ti), "%s-%s", name, code);
      refused += submit_derive(inst, "total_requests", ti, c->by_cat[cc][cat],
                               t);
    }
  }

  ao_health_t h;
  ao_pipeline_health(p, &h);
  ao_health_metric_t hm[64];
  size_t nh = ao_health_metrics(&h, hm, AO_ARRAY_SIZE(hm));
  if (nh > AO_ARRAY_SIZE(hm))
    nh = AO_ARRAY_SIZE(hm); /* a test keeps the table within hm */
  for (size_t i = 0; i < nh; i++)
    refused += submit_derive(inst, "derive", hm[i].name, hm[i].value, t);
  refused += submit_gauge(inst, "bytes", "lag", (double)h.lag_bytes, t);
  refused += submit_gauge(inst, "files", "tracked", (double)h.files_open, t);
  double age = NAN;
  if (h.geo_loaded && h.geo_build_epoch > 0)
    age = now_wall - (double)h.geo_build_epoch;
  refused += submit_gauge(inst, "duration", "geoip_database_age", age, t);
  return refused;
}
