/*
 * ao_pipeline.c - one Log's processing chain (see ao_pipeline.h).
 */
#include "ao_pipeline.h"

#include "ao_classify.h"
#include "ao_logfmt.h"
#include "ao_rate.h"
#include "ao_rules.h"
#include "ao_tail.h"
#include "ao_xff.h"

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
  uint64_t ignored;
  uint64_t addr_invalid;
  ao_cidr_t *trusted; /* TrustedProxy of the Log (owned copy) */
  size_t ntrusted;
  int geo_all;
  ao_counts_t counts;
  /* detection beyond the built-in classifier (issue 5) */
  ao_catmask_t enabled; /* built-in categories counted (Categories) */
  ao_rate_t *rate;      /* brute force by rate, NULL when off */
  ao_rules_t *rules;    /* Rules, Excludes, SignatureFiles, or NULL */
  char cat_names[AO_CAT_MAX][AO_CAT_NAME_MAX + 1];
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
  ao_parser_options_t popt;
  ao_config_parser_options(log, &popt);
  popt.max_line = p->max_line;
  p->parser = ao_parser_create_opts(&popt, &sub);
  if (p->parser == NULL)
    goto fail;
  if (log->trusted.n > 0) {
    p->trusted = malloc(log->trusted.n * sizeof(*p->trusted));
    if (p->trusted == NULL) {
      ao_err_set(&sub, "out of memory");
      goto fail;
    }
    memcpy(p->trusted, log->trusted.cidr,
           log->trusted.n * sizeof(*p->trusted));
    p->ntrusted = log->trusted.n;
  }
  p->classifier = ao_classifier_create(p->max_line, &sub);
  if (p->classifier == NULL)
    goto fail;
  p->enabled = log->categories;
  for (int cat = 0; cat < AO_CAT_MAX; cat++) {
    const char *cn = ao_config_category_name(cfg, cat);
    if (cn != NULL)
      snprintf(p->cat_names[cat], sizeof(p->cat_names[cat]), "%s", cn);
  }
  if ((log->tun.bf_attempts > 0 || log->tun.bf_notfound > 0) &&
      (p->enabled & AO_CAT_BIT(AO_CAT_BRUTEFORCE))) {
    ao_rate_config_t rc = {log->tun.bf_attempts, log->tun.bf_notfound,
                           log->tun.bf_window, log->tun.bf_capacity};
    p->rate = ao_rate_create(&rc, NULL, &sub);
    if (p->rate == NULL)
      goto fail;
  }
  if (log->nrules > 0 || log->nsigfiles > 0) {
    p->rules = ao_rules_create(log, p->max_line, &sub);
    if (p->rules == NULL)
      goto fail;
  }
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
  ao_rate_destroy(p->rate);
  ao_rules_destroy(p->rules);
  ao_geo_destroy(p->geo);
  ao_share_destroy(p->share);
  free(p->trusted);
  free(p);
}

/* The line's client, resolved at most once per line: the address field,
 * or behind a trusted proxy the rightmost untrusted X-Forwarded-For entry
 * (ao_xff.h). Rules, brute-force buckets and geolocation all see this
 * client. */
static void resolve_client(const ao_pipeline_t *p, const ao_record_t *rec,
                           ao_verdict_t *v, int *done) {
  if (*done)
    return;
  *done = 1;
  ao_xff_result_t xr =
      ao_xff_client(p->trusted, p->ntrusted, rec->addr, rec->xff, &v->ip);
  v->addr_valid = xr == AO_XFF_PEER || xr == AO_XFF_CLIENT;
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
  int prc = ao_parser_parse(p->parser, line, len, &rec);
  if (prc == AO_PARSE_IGNORED) {
    v->ignored = 1;
    p->ignored++;
    return;
  }
  if (prc != 0) {
    v->parse_error = 1;
    p->unparsed++;
    return;
  }
  /* The classification step: user Excludes first (an excluded line is
   * no attack and feeds no brute-force bucket), then the built-in
   * categories this Log counts, brute force by rate, and the user's
   * Rules and SignatureFiles (ao_rules.h). The address is parsed here only
   * when something needs it. */
  int parsed = 0;
  if (p->rules != NULL && ao_rules_need_address(p->rules))
    resolve_client(p, &rec, v, &parsed);
  const ao_ip_t *ipp = parsed && v->addr_valid ? &v->ip : NULL;
  if (p->rules != NULL && ao_rules_excluded(p->rules, &rec, ipp)) {
    v->cats = 0;
  } else {
    /* A brute-force candidate's client is known before classification, so
     * the bucket's memory is fetched while the line is classified. */
    int kind = p->rate != NULL ? ao_rate_kind(p->rate, &rec) : AO_RATE_NONE;
    if (kind != AO_RATE_NONE) {
      resolve_client(p, &rec, v, &parsed);
      if (v->addr_valid)
        ao_rate_prefetch(p->rate, &v->ip);
    }
    v->cats = ao_classify(p->classifier, &rec) & p->enabled;
    if (kind != AO_RATE_NONE) {
      /* a failure without a valid address cannot be tied to a client */
      if (v->addr_valid &&
          ao_rate_event(p->rate, &v->ip, &rec, kind, ao_now_wall()))
        v->cats |= AO_CAT_BIT(AO_CAT_BRUTEFORCE);
    }
    if (p->rules != NULL && ao_rules_have_matches(p->rules))
      v->cats |= ao_rules_match(p->rules, &rec,
                                parsed && v->addr_valid ? &v->ip : NULL);
  }
  /* Ordinary traffic needs neither its address parsed nor geolocated,
   * unless the caller wants every line's country (verdicts). */
  if (v->cats == 0 && !p->geo_all)
    return;
  resolve_client(p, &rec, v, &parsed);
  if (v->addr_valid)
    v->country = ao_geo_lookup(p->geo, &v->ip);
  if (v->cats == 0)
    return;
  /* An attack whose address does not parse (a hostname from Apache's
   * HostnameLookups, garbage) still counts, under ZZ. */
  if (!v->addr_valid)
    p->addr_invalid++;
  v->attacks = rec.repeat > 1 ? rec.repeat : 1;
  ao_counts_add_n(&p->counts, v->country, v->cats, v->attacks);
  if (p->share != NULL)
    ao_share_add(p->share, v->country, v->attacks);
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
  return ao_tail_read(p->tail, on_line, p);
}

int ao_pipeline_scan_fd(ao_pipeline_t *p, int fd, ao_verdict_fn fn,
                        void *ud) {
  p->scan_fn = fn;
  p->scan_ud = ud;
  int rc = ao_lines_scan_fd(fd, p->max_line, on_line, p, &p->scan_stats);
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

const char *ao_pipeline_category_name(const ao_pipeline_t *p, int cat) {
  if (cat < 0 || cat >= AO_CAT_MAX || p->cat_names[cat][0] == '\0')
    return NULL;
  return p->cat_names[cat];
}

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
  out->lines_ignored = p->ignored;
  out->regex_errors = ao_parser_regex_errors(p->parser);
  out->lines_attack = p->counts.total;
  out->addresses_invalid = p->addr_invalid;
  out->geo = *ao_geo_stats(p->geo);
  if (p->rate != NULL) {
    out->bruteforce_evictions = ao_rate_stats(p->rate)->evictions;
    out->bruteforce_tracked = ao_rate_tracked(p->rate);
  }
  if (p->rules != NULL)
    out->rule_errors = ao_rules_errors(p->rules);
  out->geo_loaded = ao_geo_loaded(p->geo);
  out->geo_build_epoch = ao_geo_build_epoch(p->geo);
}
