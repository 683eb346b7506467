/*
 * ao_pipeline.c - one Log's processing chain (see ao_pipeline.h).
 */
#include "ao_pipeline.h"

#include "ao_classify.h"
#include "ao_logfmt.h"
#include "ao_regex.h"
#include "ao_tail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ao_pipeline {
  char name[AO_LOG_NAME_MAX + 1];
  ao_tail_t *tail;          /* NULL for scan-only pipelines */
  ao_parser_t *parser;
  ao_classifier_t *classifier;
  ao_geo_t *geo;
  ao_share_t *share;        /* NULL without share window */
  uint64_t min_attacks;
  size_t max_line;
  ao_tail_stats_t scan_stats; /* lines read by ao_pipeline_scan_fd() */
  uint64_t line_no;
  uint64_t unparsed;
  uint64_t addr_invalid;
  uint64_t rule_errors;
  int geo_all;
  ao_counts_t counts;
  /* Verdict callback of the scan in progress. */
  ao_verdict_fn scan_fn;
  void *scan_ud;
};

ao_pipeline_t *ao_pipeline_create(const ao_config_t *cfg,
                                  const ao_log_config_t *log,
                                  double resolution, ao_err_t *err) {
  ao_pipeline_t *p = calloc(1, sizeof(*p));
  if (p == NULL) {
    ao_err_set(err, "<Log \"%s\">: out of memory", log->name);
    return NULL;
  }
  snprintf(p->name, sizeof(p->name), "%s", log->name);
  p->min_attacks = log->tun.min_attacks;
  p->max_line = log->tun.max_line;

  ao_err_t sub = {{0}};
  p->parser = ao_parser_create(log->format, &sub);
  if (p->parser == NULL)
    goto fail;
  p->classifier = ao_classifier_create(p->max_line, &sub);
  if (p->classifier == NULL)
    goto fail;
  ao_geo_options_t gopt = {cfg->geoip_database, cfg->geoip_country_path,
                           cfg->geoip_cache_size};
  p->geo = ao_geo_create(&gopt, &sub);
  if (p->geo == NULL)
    goto fail;
  if (resolution > 0) {
    double window = log->tun.share_window;
    /* A window shorter than the interval holds one slot: the last read. */
    p->share = ao_share_create(window < resolution ? resolution : window,
                               resolution, &sub);
    if (p->share == NULL)
      goto fail;
  }
  if (log->file != NULL) {
    p->tail = ao_tail_create(log->file, p->max_line, log->start_at, &sub);
    if (p->tail == NULL)
      goto fail;
  }
  return p;

fail:
  ao_err_set(err, "<Log \"%s\">: %s", log->name, sub.msg);
  ao_pipeline_destroy(p);
  return NULL;
}

void ao_pipeline_destroy(ao_pipeline_t *p) {
  if (p == NULL)
    return;
  ao_tail_destroy(p->tail);
  ao_parser_destroy(p->parser);
  ao_classifier_destroy(p->classifier);
  ao_geo_destroy(p->geo);
  ao_share_destroy(p->share);
  free(p);
}

void ao_pipeline_line(ao_pipeline_t *p, const char *line, size_t len,
                      ao_verdict_t *v) {
  memset(v, 0, sizeof(*v));
  v->line_no = ++p->line_no;
  v->country = AO_COUNTRY_ZZ;
  if (len == 0) {
    v->empty = 1;
    return;
  }
  ao_record_t rec;
  if (ao_parser_parse(p->parser, line, len, &rec) != 0) {
    v->parse_error = 1;
    p->unparsed++;
    return;
  }
  v->cats = ao_classify(p->classifier, &rec);
  /* Ordinary traffic needs neither its address parsed nor geolocated,
   * unless the caller wants every line's country (verdicts). */
  if (v->cats == 0 && !p->geo_all)
    return;
  v->addr_valid = ao_ip_parse(rec.addr.p, rec.addr.n, &v->ip) == 0;
  if (v->addr_valid)
    v->country = ao_geo_lookup(p->geo, &v->ip);
  if (v->cats == 0)
    return;
  /* An attack whose address does not parse (a hostname from Apache's
   * HostnameLookups, garbage) still counts, under ZZ. */
  if (!v->addr_valid)
    p->addr_invalid++;
  ao_counts_add(&p->counts, v->country, v->cats);
  if (p->share != NULL)
    ao_share_add(p->share, v->country, 1);
}

static int on_line(void *ud, const char *line, size_t len) {
  ao_pipeline_t *p = ud;
  ao_verdict_t v;
  ao_pipeline_line(p, line, len, &v);
  if (p->scan_fn != NULL)
    return p->scan_fn(p->scan_ud, &v, line, len);
  return 0;
}

int ao_pipeline_read(ao_pipeline_t *p, double now) {
  ao_geo_refresh(p->geo);
  if (p->share != NULL)
    ao_share_advance(p->share, now);
  if (p->tail == NULL)
    return 0;
  p->scan_fn = NULL;
  uint64_t re0 = ao_regex_thread_errors();
  int rc = ao_tail_read(p->tail, on_line, p);
  p->rule_errors += ao_regex_thread_errors() - re0;
  return rc;
}

int ao_pipeline_scan_fd(ao_pipeline_t *p, int fd, ao_verdict_fn fn,
                        void *ud) {
  p->scan_fn = fn;
  p->scan_ud = ud;
  uint64_t re0 = ao_regex_thread_errors();
  int rc = ao_lines_scan_fd(fd, p->max_line, on_line, p, &p->scan_stats);
  p->rule_errors += ao_regex_thread_errors() - re0;
  p->scan_fn = NULL;
  p->scan_ud = NULL;
  return rc;
}

void ao_pipeline_set_geolocate_all(ao_pipeline_t *p, int on) {
  p->geo_all = on != 0;
}

const ao_counts_t *ao_pipeline_counts(const ao_pipeline_t *p) {
  return &p->counts;
}

const ao_share_t *ao_pipeline_share(const ao_pipeline_t *p) {
  return p->share;
}

uint64_t ao_pipeline_min_attacks(const ao_pipeline_t *p) {
  return p->min_attacks;
}

const char *ao_pipeline_name(const ao_pipeline_t *p) { return p->name; }

const char *ao_pipeline_geoip_path(const ao_pipeline_t *p) {
  return ao_geo_path(p->geo);
}

void ao_pipeline_health(const ao_pipeline_t *p, ao_health_t *out) {
  memset(out, 0, sizeof(*out));
  ao_tail_stats_t ts = p->scan_stats;
  if (p->tail != NULL) {
    const ao_tail_stats_t *t = ao_tail_stats(p->tail);
    ts.lines += t->lines;
    ts.oversized += t->oversized;
    ts.partial_dropped += t->partial_dropped;
    ts.rotations += t->rotations;
    ts.truncations += t->truncations;
    ts.errors += t->errors;
    out->lag_bytes = ao_tail_lag(p->tail);
  }
  out->lines_read = ts.lines + ts.oversized;
  out->lines_oversized = ts.oversized;
  out->lines_partial = ts.partial_dropped;
  out->rotations = ts.rotations;
  out->truncations = ts.truncations;
  out->read_errors = ts.errors;
  out->lines_unparsed = p->unparsed;
  out->lines_attack = p->counts.total;
  out->addresses_invalid = p->addr_invalid;
  out->rule_errors = p->rule_errors;
  out->geo = *ao_geo_stats(p->geo);
  out->geo_loaded = ao_geo_loaded(p->geo);
  out->geo_build_epoch = ao_geo_build_epoch(p->geo);
}
