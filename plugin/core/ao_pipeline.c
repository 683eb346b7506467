/*
 * ao_pipeline.c - one Log's processing chain (see ao_pipeline.h).
 */
#include "ao_pipeline.h"

#include "ao_classify.h"
#include "ao_files.h"
#include "ao_journal.h"
#include "ao_log.h"
#include "ao_logfmt.h"
#include "ao_rate.h"
#include "ao_rules.h"
#include "ao_source.h"
#include "ao_state.h"
#include "ao_tail.h"
#include "ao_xff.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ao_pipeline {
  char name[AO_LOG_NAME_MAX + 1];
  ao_source_t src[AO_SOURCE_MAX]; /* none for scan-only pipelines */
  size_t nsrc;
  size_t next_src; /* read first at the next read (a backlog in one source
                      must not starve the other) */
  uint64_t read_budget; /* bytes per read, 0: none */
  double read_time;     /* seconds per read, 0: none */
  char *state_path;     /* NULL: no state kept */
  ao_state_buf_t state_buf;
  ao_health_t base; /* saved counters minus live ones at restore */
  uint64_t state_save_failures;
  uint64_t state_rejected;
  ao_complaint_t c_state;
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

static void pipeline_restore(ao_pipeline_t *p, const ao_log_config_t *log);

/* The Log's sources (its files, its journal), its read budget and its
 * saved state. */
static int pipeline_sources(ao_pipeline_t *p, const ao_config_t *cfg,
                            const ao_log_config_t *log, double resolution,
                            ao_err_t *err) {
  p->read_budget = log->tun.read_budget;
  p->read_time = resolution > 0 ? log->tun.read_time_fraction * resolution : 0;
  const char *one[1] = {log->file};
  const char *const *files = (const char *const *)log->files;
  size_t nfiles = log->nfiles;
  if (nfiles == 0 && log->file != NULL) {
    files = one;
    nfiles = 1;
  }
  if (nfiles > 0) {
    ao_files_opts_t fo = {files, nfiles, p->max_line, log->start_at,
                          log->tun.rotate_wait};
    ao_files_t *fs = ao_files_create(&fo, err);
    if (fs == NULL)
      return -1;
    p->src[p->nsrc++] = (ao_source_t){&ao_source_files_ops, fs};
  }
  if (log->journal) {
    ao_journal_opts_t jo = {log->journal_path,
                            (const char *const *)log->matches, log->nmatches,
                            p->max_line, log->start_at};
    ao_journal_t *j = ao_journal_create(&jo, err);
    if (j == NULL)
      return -1;
    p->src[p->nsrc++] = (ao_source_t){&ao_source_journal_ops, j};
  }
  if (p->nsrc > 0 && cfg->state_file != NULL) {
    p->state_path = ao_config_state_path(cfg, log);
    if (p->state_path == NULL)
      return ao_err_set(err, "out of memory");
    pipeline_restore(p, log);
  }
  return 0;
}

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
  if (pipeline_sources(p, cfg, log, resolution, &sub) != 0)
    goto fail;
  return p;

fail:
  ao_err_set(err, "<Log \"%s\">: %s", log->name, sub.msg);
  ao_pipeline_destroy(p);
  return NULL;
}

void ao_pipeline_destroy(ao_pipeline_t *p) {
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->nsrc; i++)
    p->src[i].ops->destroy(p->src[i].impl);
  free(p->state_path);
  ao_state_buf_free(&p->state_buf);
  ao_complaint_reset(&p->c_state);
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
          ao_rate_event(p->rate, &v->ip, &rec, kind, AO_RATE_NOW))
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
  if (p->nsrc == 0)
    return 0;
  p->scan_fn = NULL;
  /* One budget for the whole read, shared by every source: however large
   * the backlog, the read thread is back within ReadTimeFraction of the
   * interval; what is left is read at the next intervals (lag). */
  ao_tail_ctl_t ctl = {.now = now, .max_bytes = p->read_budget};
  if (p->read_time > 0)
    ctl.deadline = ao_now_mono() + p->read_time;
  int any_ok = 0;
  size_t first = p->next_src % p->nsrc;
  for (size_t k = 0; k < p->nsrc; k++) {
    size_t i = (first + k) % p->nsrc;
    if (ctl.exhausted)
      break;
    if (p->src[i].ops->read(p->src[i].impl, &ctl, on_line, p) == 0)
      any_ok = 1;
  }
  p->next_src = (first + 1) % p->nsrc;
  return any_ok ? 0 : -1;
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

/* The cumulative health counters: saved in the state, continued after a
 * restart. The names are the metric names (ao_health_metrics()). */
typedef struct persisted {
  const char *name;
  size_t off;
} persisted_t;

#define HF(n, f)                                                               \
  { n, offsetof(ao_health_t, f) }
static const persisted_t persisted[] = {
    HF("lines_read", lines_read),
    HF("lines_unparsed", lines_unparsed),
    HF("lines_oversized", lines_oversized),
    HF("lines_partial", lines_partial),
    HF("lines_attack", lines_attack),
    HF("addresses_invalid", addresses_invalid),
    HF("rotations", rotations),
    HF("truncations", truncations),
    HF("read_errors", read_errors),
    HF("geoip_lookups", geo.lookups),
    HF("geoip_cache_hits", geo.cache_hits),
    HF("geoip_reserved", geo.special),
    HF("geoip_not_found", geo.not_found),
    HF("geoip_errors", geo.errors),
    HF("geoip_no_database", geo.no_database),
    HF("geoip_reloads", geo.reloads),
    HF("geoip_reload_failures", geo.reload_failures),
    HF("read_budget_stops", read_budget_stops),
    HF("truncation_copies", truncation_copies),
    HF("files_lost", files_lost),
    HF("journal_errors", journal_errors),
    HF("state_save_failures", state_save_failures),
    HF("state_rejected", state_rejected),
    HF("lines_ignored", lines_ignored),
    HF("regex_errors", regex_errors),
    HF("rule_errors", rule_errors),
    HF("bruteforce_evictions", bruteforce_evictions),
    HF("geoip_cache_evictions", geo.cache_evictions),
};
#undef HF

static uint64_t *hfield(ao_health_t *h, size_t i) {
  return (uint64_t *)(void *)((char *)h + persisted[i].off);
}

int ao_health_persisted(const char *name) {
  for (size_t i = 0; i < AO_ARRAY_SIZE(persisted); i++)
    if (strcmp(persisted[i].name, name) == 0)
      return 1;
  return 0;
}

/* The counters of this run, without what was restored. */
static void health_live(const ao_pipeline_t *p, ao_health_t *out) {
  memset(out, 0, sizeof(*out));
  ao_tail_stats_t ts = p->scan_stats;
  for (size_t i = 0; i < p->nsrc; i++) {
    const ao_source_t *s = &p->src[i];
    ao_tail_stats_t one;
    memset(&one, 0, sizeof(one));
    s->ops->stats(s->impl, &one);
    if (s->ops == &ao_source_journal_ops) {
      out->journal_errors += one.errors;
      one.errors = 0;
    }
    ts.lines += one.lines;
    ts.oversized += one.oversized;
    ts.partial_dropped += one.partial_dropped;
    ts.rotations += one.rotations;
    ts.truncations += one.truncations;
    ts.errors += one.errors;
    ts.budget_stops += one.budget_stops;
    ts.copies_found += one.copies_found;
    ts.restore_lost += one.restore_lost;
    out->lag_bytes += s->ops->lag(s->impl);
    out->files_open += s->ops->open(s->impl);
  }
  out->read_budget_stops = ts.budget_stops;
  out->truncation_copies = ts.copies_found;
  out->files_lost = ts.restore_lost;
  out->state_save_failures = p->state_save_failures;
  out->state_rejected = p->state_rejected;
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

void ao_pipeline_health(const ao_pipeline_t *p, ao_health_t *out) {
  health_live(p, out);
  ao_health_t base = p->base;
  for (size_t i = 0; i < AO_ARRAY_SIZE(persisted); i++)
    *hfield(out, i) += *hfield(&base, i);
}

/* ---- persisted state ------------------------------------------------------
 */

const char *ao_pipeline_state_path(const ao_pipeline_t *p) {
  return p->state_path;
}

int ao_pipeline_save_state(ao_pipeline_t *p) {
  if (p->state_path == NULL)
    return 0;
  ao_state_buf_t *b = &p->state_buf;
  ao_state_begin(b, p->name);
  for (size_t i = 0; i < p->nsrc; i++)
    p->src[i].ops->save(p->src[i].impl, b);
  /* Counters, taken in the same thread right after the read that moved the
   * positions above: the two always describe the same instant. */
  ao_health_t h;
  ao_pipeline_health(p, &h);
  for (size_t i = 0; i < AO_ARRAY_SIZE(persisted); i++)
    ao_state_printf(b, "counter %s %llu\n", persisted[i].name,
                    (unsigned long long)*hfield(&h, i));
  const ao_counts_t *c = &p->counts;
  for (ao_country_t cc = 0; cc < AO_COUNTRY_COUNT; cc++) {
    if (!c->seen[cc])
      continue;
    char code[3];
    ao_country_code(cc, code);
    ao_state_printf(b, "country %s %llu", code,
                    (unsigned long long)c->attacks[cc]);
    for (ao_catmask_t m = c->cat_seen[cc]; m != 0; m &= m - 1) {
      int cat = __builtin_ctz(m);
      const char *name = ao_category_name(cat);
      if (name != NULL)
        ao_state_printf(b, " %s %llu", name,
                        (unsigned long long)c->by_cat[cc][cat]);
      else
        ao_state_printf(b, " #%d %llu", cat,
                        (unsigned long long)c->by_cat[cc][cat]);
    }
    ao_state_printf(b, "\n");
  }
  ao_state_end(b);
  ao_err_t err = {{0}};
  if (ao_state_commit(p->state_path, b, &err) != 0) {
    p->state_save_failures++;
    ao_complain(&p->c_state, AO_LOG_ERR,
                "<Log \"%s\">: %s; positions and counters will not survive "
                "a restart until it can be written",
                p->name, err.msg);
    return -1;
  }
  ao_release(&p->c_state, AO_LOG_INFO,
             "<Log \"%s\">: state file \"%s\" "
             "written again",
             p->name, p->state_path);
  return 0;
}

/* Staged counters of a state being restored. */
typedef struct staged_counts {
  ao_counts_t counts;
  ao_health_t saved;
} staged_counts_t;

static int restore_country(staged_counts_t *st, int argc, char **argv,
                           ao_err_t *err) {
  ao_country_t cc;
  uint64_t n;
  if (argc < 3 || (argc - 3) % 2 != 0 ||
      ao_country_from_code(argv[1], strlen(argv[1]), &cc) != 0 ||
      ao_state_u64(argv[2], &n) != 0 || n == 0)
    return ao_err_set(err, "malformed country record");
  ao_counts_t *c = &st->counts;
  if (c->seen[cc])
    return ao_err_set(err, "country %s given twice", argv[1]);
  c->seen[cc] = 1;
  c->attacks[cc] = n;
  c->total += n;
  for (int i = 3; i + 1 < argc; i += 2) {
    int cat = -1;
    if (argv[i][0] == '#') {
      uint64_t k;
      if (ao_state_u64(argv[i] + 1, &k) == 0 && k < AO_CAT_MAX)
        cat = (int)k;
    } else {
      cat = ao_category_lookup(argv[i]);
    }
    uint64_t v;
    if (cat < 0 || ao_state_u64(argv[i + 1], &v) != 0 || v == 0 ||
        (c->cat_seen[cc] & AO_CAT_BIT(cat)))
      return ao_err_set(err, "malformed country record for %s", argv[1]);
    c->by_cat[cc][cat] = v;
    c->cat_seen[cc] |= AO_CAT_BIT(cat);
  }
  return 0;
}

static int restore_counter(staged_counts_t *st, int argc, char **argv,
                           ao_err_t *err) {
  uint64_t v;
  if (argc != 3 || ao_state_u64(argv[2], &v) != 0)
    return ao_err_set(err, "malformed counter record");
  for (size_t i = 0; i < AO_ARRAY_SIZE(persisted); i++) {
    if (strcmp(persisted[i].name, argv[1]) == 0) {
      *hfield(&st->saved, i) = v;
      return 0;
    }
  }
  /* A counter this version does not know: from another version, which the
   * header would have said; refuse rather than guess. */
  return ao_err_set(err, "unknown counter \"%s\"", argv[1]);
}

static const char *start_words(ao_start_t s) {
  return s == AO_START_END ? "StartAt \"end\"" : "StartAt \"beginning\"";
}

/* Loads the state file: everything or nothing. */
static void pipeline_restore(ao_pipeline_t *p, const ao_log_config_t *log) {
  char *text = NULL;
  ao_err_t err = {{0}};
  int rc = ao_state_load(p->state_path, p->name, &text, &err);
  if (rc == 0) {
    ao_log(AO_LOG_INFO,
           "<Log \"%s\">: no state file \"%s\" yet: starting as %s says",
           p->name, p->state_path, start_words(log->start_at));
    return;
  }
  staged_counts_t *st = NULL;
  if (rc > 0) {
    st = calloc(1, sizeof(*st));
    if (st == NULL) {
      ao_err_set(&err, "out of memory");
      rc = -1;
    }
  }
  char *line = text;
  size_t lineno = 2;
  while (rc > 0 && line != NULL && *line != '\0') {
    char *nl = strchr(line, '\n');
    if (nl != NULL)
      *nl = '\0';
    lineno++;
    char *argv[AO_STATE_MAX_FIELDS];
    int argc = ao_state_split(line, argv, AO_STATE_MAX_FIELDS);
    ao_err_t rerr = {{0}};
    int taken = -1;
    if (argc <= 0) {
      ao_err_set(&rerr, "malformed record");
    } else if (strcmp(argv[0], "counter") == 0) {
      taken = restore_counter(st, argc, argv, &rerr) == 0 ? 1 : -1;
    } else if (strcmp(argv[0], "country") == 0) {
      taken = restore_country(st, argc, argv, &rerr) == 0 ? 1 : -1;
    } else {
      taken = 0;
      for (size_t i = 0; i < p->nsrc && taken == 0; i++)
        taken =
            p->src[i].ops->restore_record(p->src[i].impl, argc, argv, &rerr);
      if (taken == 0) {
        /* A record of a source this Log no longer has (Journal removed from
         * the configuration): its position no longer matters. */
        if (strcmp(argv[0], "journal") == 0 || strcmp(argv[0], "file") == 0 ||
            strcmp(argv[0], "pattern") == 0 || strcmp(argv[0], "known") == 0)
          taken = 1;
        else
          ao_err_set(&rerr, "unknown record \"%s\"", argv[0]);
      }
    }
    if (taken < 0) {
      ao_err_set(&err, "state file \"%s\" line %zu: %s", p->state_path, lineno,
                 rerr.msg);
      rc = -1;
    }
    line = nl != NULL ? nl + 1 : NULL;
  }
  free(text);
  if (rc < 0) {
    for (size_t i = 0; i < p->nsrc; i++)
      p->src[i].ops->restore_abort(p->src[i].impl);
    free(st);
    p->state_rejected++;
    ao_log(AO_LOG_WARNING,
           "<Log \"%s\">: ignoring the state: %s; starting afresh as %s "
           "says (counters restart at 0)",
           p->name, err.msg, start_words(log->start_at));
    return;
  }
  p->counts = st->counts;
  for (size_t i = 0; i < p->nsrc; i++)
    p->src[i].ops->restore_commit(p->src[i].impl);
  /* Counters continue from their saved values: what this run counts is
   * added to the difference between the saved values and what this run
   * already holds (the restored per-country totals). */
  ao_health_t live;
  health_live(p, &live);
  for (size_t i = 0; i < AO_ARRAY_SIZE(persisted); i++) {
    uint64_t saved = *hfield(&st->saved, i), now = *hfield(&live, i);
    *hfield(&p->base, i) = saved > now ? saved - now : 0;
  }
  free(st);
  ao_log(AO_LOG_INFO, "<Log \"%s\">: resuming from state file \"%s\"", p->name,
         p->state_path);
}
