/*
 * ao_config.c - option table and checks (see ao_config.h).
 */
#include "ao_config.h"

#include "ao_journal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Defaults. README.md and conf.d/attack_origin.conf show the same values;
 * tests/unit/test_config.c checks that they do. */
#define DEF_SHARE_WINDOW 300.0
#define DEF_MIN_ATTACKS 10
#define DEF_MAX_LINE 65536
#define DEF_CACHE 16384
#define MAX_SHARE_WINDOW (31.0 * 86400.0)
#define MAX_CACHE (1u << 24)
#define DEF_ROTATE_WAIT 30.0
#define MAX_ROTATE_WAIT 86400.0
#define DEF_READ_BUDGET 0
#define DEF_READ_TIME_FRACTION 0.5
/* Patterns and matches per Log. */
#define MAX_FILES_PER_LOG 64
#define MAX_MATCHES_PER_LOG 64

enum opt_id {
  OPT_GEOIP_DATABASE,
  OPT_GEOIP_COUNTRY_PATH,
  OPT_GEOIP_CACHE_SIZE,
  OPT_SHARE_WINDOW,
  OPT_MIN_ATTACKS,
  OPT_MAX_LINE_LENGTH,
  OPT_FILE,
  OPT_FORMAT,
  OPT_START_AT,
  OPT_STATE_FILE,
  OPT_ROTATE_WAIT,
  OPT_READ_BUDGET,
  OPT_READ_TIME_FRACTION,
  OPT_JOURNAL,
  OPT_MATCH,
  OPT_JOURNAL_PATH,
  OPT_COUNT
};

/* Options that may be given several times in one block (their values add
 * up); every other option given twice is a mistake. */
static int repeatable(int id) { return id == OPT_FILE || id == OPT_MATCH; }

static const ao_option_t options[] = {
    [OPT_GEOIP_DATABASE] = {"GeoIPDatabase", AO_SCOPE_PLUGIN, "path", NULL,
                            "MaxMind DB country or city database; when absent "
                            "the usual locations are tried"},
    [OPT_GEOIP_COUNTRY_PATH] = {"GeoIPCountryPath", AO_SCOPE_PLUGIN, "string",
                                "(detected)",
                                "dot-separated path of the country code in "
                                "the database's records, e.g. country_code"},
    [OPT_GEOIP_CACHE_SIZE] = {"GeoIPCacheSize", AO_SCOPE_PLUGIN, "number",
                              "16384",
                              "entries of the address-to-country cache of "
                              "each Log (0 disables it)"},
    [OPT_SHARE_WINDOW] = {"ShareWindow", AO_SCOPE_PLUGIN | AO_SCOPE_LOG,
                          "seconds", "300",
                          "sliding window of the origin share"},
    [OPT_MIN_ATTACKS] = {"MinAttacks", AO_SCOPE_PLUGIN | AO_SCOPE_LOG, "number",
                         "10",
                         "attacks the window must hold before shares are "
                         "reported (NaN until then)"},
    [OPT_MAX_LINE_LENGTH] = {"MaxLineLength", AO_SCOPE_PLUGIN | AO_SCOPE_LOG,
                             "bytes", "65536",
                             "longer lines are counted as oversized and "
                             "skipped"},
    [OPT_FILE] = {"File", AO_SCOPE_LOG, "path", NULL, "the log file to follow"},
    [OPT_FORMAT] = {"Format", AO_SCOPE_LOG, "string", "combined",
                    "line format: combined or common"},
    [OPT_START_AT] = {"StartAt", AO_SCOPE_LOG, "string", "end",
                      "end: only what is appended from now on (tail -F); "
                      "beginning: what the file already holds too"},
    [OPT_STATE_FILE] = {"StateFile", AO_SCOPE_PLUGIN, "path",
                        "BaseDir/attack_origin.state",
                        "base path of the state files (one per Log, "
                        "\"<StateFile>-<Log>\"): positions and counters "
                        "that survive a restart"},
    [OPT_ROTATE_WAIT] = {"RotateWait", AO_SCOPE_PLUGIN | AO_SCOPE_LOG,
                         "seconds", "30",
                         "a rotated file is still read until it has not "
                         "grown for this long"},
    [OPT_READ_BUDGET] = {"ReadBudget", AO_SCOPE_PLUGIN | AO_SCOPE_LOG, "bytes",
                         "0",
                         "bytes one read of a Log may take (0: no byte "
                         "limit); the rest is read at the next intervals"},
    [OPT_READ_TIME_FRACTION] = {"ReadTimeFraction",
                                AO_SCOPE_PLUGIN | AO_SCOPE_LOG, "number", "0.5",
                                "fraction of the interval one read of a Log "
                                "may take before it stops at a line boundary"},
    [OPT_JOURNAL] = {"Journal", AO_SCOPE_LOG, "boolean", "false",
                     "read systemd's journal (sd-journal) instead of, or as "
                     "well as, files"},
    [OPT_MATCH] = {"Match", AO_SCOPE_LOG, "string", "(all entries)",
                   "journal match FIELD=value, e.g. _SYSTEMD_UNIT=ssh.service "
                   "(repeatable; \"+\" separates OR groups)"},
    [OPT_JOURNAL_PATH] = {"JournalPath", AO_SCOPE_LOG, "path",
                          "(the system journal)",
                          "a journal directory or .journal file to read "
                          "instead of the system journal"},
    [OPT_COUNT] = {NULL, 0, NULL, NULL, NULL},
};

const ao_option_t *ao_config_options(void) { return options; }

void ao_config_init(ao_config_t *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->geoip_cache_size = DEF_CACHE;
  cfg->tun.share_window = DEF_SHARE_WINDOW;
  cfg->tun.min_attacks = DEF_MIN_ATTACKS;
  cfg->tun.max_line = DEF_MAX_LINE;
  cfg->tun.rotate_wait = DEF_ROTATE_WAIT;
  cfg->tun.read_budget = DEF_READ_BUDGET;
  cfg->tun.read_time_fraction = DEF_READ_TIME_FRACTION;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void ao_config_free(ao_config_t *cfg) {
  free(cfg->geoip_database);
  free(cfg->geoip_country_path);
  for (size_t i = 0; i < cfg->nlogs; i++) {
    ao_log_config_t *log = &cfg->logs[i];
    /* file is files[0] when files exist; a caller may also have set file
     * alone (tests). */
    if (log->nfiles == 0 || log->file != log->files[0])
      free(log->file);
    free_list(log->files, log->nfiles);
    free_list(log->matches, log->nmatches);
    free(log->journal_path);
  }
  free(cfg->logs);
  free(cfg->state_file);
  memset(cfg, 0, sizeof(*cfg));
}

int ao_config_valid_name(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n > AO_LOG_NAME_MAX)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_'))
      return 0;
  }
  return 1;
}

/* ---- value helpers ------------------------------------------------------
 * `where` is the block as the user wrote it: "<Plugin attack_origin>" or
 * "<Log \"web\">". Values are quoted in messages the way collectd.conf
 * would spell them, so the user can grep for them. */

static void describe(const ao_value_t *v, char *buf, size_t n) {
  switch (v->type) {
  case AO_VAL_STRING:
    snprintf(buf, n, "\"%s\"", v->s);
    break;
  case AO_VAL_NUMBER:
    snprintf(buf, n, "%g", v->n);
    break;
  case AO_VAL_BOOLEAN:
    snprintf(buf, n, "%s", v->b ? "true" : "false");
    break;
  }
}

static int one_value(const char *where, const char *opt, const ao_value_t *vals,
                     size_t nvals, ao_value_type_t type, ao_err_t *err) {
  static const char *const tname[] = {"a string", "a number", "a boolean"};
  if (nvals != 1)
    return ao_err_set(err, "%s %s: expects exactly one value, got %zu", where,
                      opt, nvals);
  if (vals[0].type != type) {
    char got[300];
    describe(&vals[0], got, sizeof(got));
    return ao_err_set(err, "%s %s: expects %s, got %s", where, opt,
                      tname[type], got);
  }
  return 0;
}

static int get_string(const char *where, const char *opt,
                      const ao_value_t *vals, size_t nvals, char **out,
                      ao_err_t *err) {
  if (one_value(where, opt, vals, nvals, AO_VAL_STRING, err) != 0)
    return -1;
  if (vals[0].s[0] == '\0')
    return ao_err_set(err, "%s %s: value \"\" is empty", where, opt);
  char *copy = strdup(vals[0].s);
  if (copy == NULL)
    return ao_err_set(err, "%s %s: out of memory", where, opt);
  free(*out);
  *out = copy;
  return 0;
}

/* A number in [lo, hi]; integral when `integer`. */
static int get_number(const char *where, const char *opt,
                      const ao_value_t *vals, size_t nvals, double lo,
                      double hi, int integer, double *out, ao_err_t *err) {
  if (one_value(where, opt, vals, nvals, AO_VAL_NUMBER, err) != 0)
    return -1;
  double v = vals[0].n;
  if (!isfinite(v) || v < lo || v > hi)
    return ao_err_set(err, "%s %s: value %g is out of range (%g to %g)", where,
                      opt, v, lo, hi);
  if (integer && v != floor(v))
    return ao_err_set(err, "%s %s: value %g is not a whole number", where, opt,
                      v);
  *out = v;
  return 0;
}

static int find_option(const char *key, unsigned scope) {
  for (int i = 0; i < OPT_COUNT; i++)
    if (strcasecmp(options[i].name, key) == 0)
      return (options[i].scope & scope) ? i : -2;
  return -1;
}

static int set_tunable(const char *where, int id, ao_tunables_t *tun,
                       const ao_value_t *vals, size_t nvals, ao_err_t *err) {
  const char *opt = options[id].name;
  double v = 0;
  switch (id) {
  case OPT_SHARE_WINDOW:
    if (get_number(where, opt, vals, nvals, 1, MAX_SHARE_WINDOW, 0, &v, err))
      return -1;
    tun->share_window = v;
    tun->set |= AO_SET_SHARE_WINDOW;
    return 0;
  case OPT_MIN_ATTACKS:
    if (get_number(where, opt, vals, nvals, 1, 1e12, 1, &v, err))
      return -1;
    tun->min_attacks = (uint64_t)v;
    tun->set |= AO_SET_MIN_ATTACKS;
    return 0;
  case OPT_MAX_LINE_LENGTH:
    if (get_number(where, opt, vals, nvals, AO_MAX_LINE_MIN, AO_MAX_LINE_MAX,
                   1, &v, err))
      return -1;
    tun->max_line = (size_t)v;
    tun->set |= AO_SET_MAX_LINE;
    return 0;
  case OPT_ROTATE_WAIT:
    if (get_number(where, opt, vals, nvals, 0, MAX_ROTATE_WAIT, 0, &v, err))
      return -1;
    tun->rotate_wait = v;
    tun->set |= AO_SET_ROTATE_WAIT;
    return 0;
  case OPT_READ_BUDGET:
    if (get_number(where, opt, vals, nvals, 0, 1e15, 1, &v, err))
      return -1;
    if (v > 0 && v < 65536)
      return ao_err_set(err,
                        "%s %s: value %g is too small (0 for no limit, or at "
                        "least 65536 bytes)",
                        where, opt, v);
    tun->read_budget = (uint64_t)v;
    tun->set |= AO_SET_READ_BUDGET;
    return 0;
  case OPT_READ_TIME_FRACTION:
    if (get_number(where, opt, vals, nvals, 0.01, 1, 0, &v, err))
      return -1;
    tun->read_time_fraction = v;
    tun->set |= AO_SET_READ_TIME_FRACTION;
    return 0;
  default:
    return ao_err_set(err, "%s %s: internal error", where, opt);
  }
}

static int lookup_key(const char *where, const char *key, unsigned scope,
                      unsigned *given, ao_err_t *err) {
  int id = find_option(key, scope);
  if (id == -1)
    return ao_err_set(err, "%s: unknown option \"%s\"", where, key);
  if (id == -2)
    return ao_err_set(err, "%s: option \"%s\" is not allowed in this block",
                      where, key);
  if ((*given & (1u << id)) && !repeatable(id))
    return ao_err_set(err, "%s %s: given twice", where, options[id].name);
  *given |= 1u << id;
  return id;
}

int ao_config_set(ao_config_t *cfg, const char *key, const ao_value_t *vals,
                  size_t nvals, ao_err_t *err) {
  const char *where = "<Plugin attack_origin>";
  int id = lookup_key(where, key, AO_SCOPE_PLUGIN, &cfg->given, err);
  if (id < 0)
    return -1;
  const char *opt = options[id].name;
  double v = 0;
  switch (id) {
  case OPT_GEOIP_DATABASE:
    return get_string(where, opt, vals, nvals, &cfg->geoip_database, err);
  case OPT_GEOIP_COUNTRY_PATH:
    return get_string(where, opt, vals, nvals, &cfg->geoip_country_path, err);
  case OPT_GEOIP_CACHE_SIZE:
    if (get_number(where, opt, vals, nvals, 0, MAX_CACHE, 1, &v, err))
      return -1;
    cfg->geoip_cache_size = (size_t)v;
    return 0;
  case OPT_STATE_FILE:
    return get_string(where, opt, vals, nvals, &cfg->state_file, err);
  default:
    return set_tunable(where, id, &cfg->tun, vals, nvals, err);
  }
}

ao_log_config_t *ao_config_add_log(ao_config_t *cfg, const ao_value_t *vals,
                                   size_t nvals, ao_err_t *err) {
  if (nvals != 1 || vals[0].type != AO_VAL_STRING) {
    ao_err_set(err, "<Log>: expects exactly one string, the Log's name, e.g. "
                    "<Log \"web\">");
    return NULL;
  }
  const char *name = vals[0].s;
  if (!ao_config_valid_name(name)) {
    ao_err_set(err,
               "<Log \"%s\">: invalid name \"%s\": it becomes the metrics' "
               "plugin instance and must be 1 to %d of [A-Za-z0-9_]",
               name, name, AO_LOG_NAME_MAX);
    return NULL;
  }
  /* Names differing only in case would be different series in some stores
   * and the same in others; refuse them. */
  for (size_t i = 0; i < cfg->nlogs; i++) {
    if (strcasecmp(cfg->logs[i].name, name) == 0) {
      ao_err_set(err, "<Log \"%s\">: duplicate Log name \"%s\"", name, name);
      return NULL;
    }
  }
  ao_log_config_t *logs =
      realloc(cfg->logs, (cfg->nlogs + 1) * sizeof(*cfg->logs));
  if (logs == NULL) {
    ao_err_set(err, "<Log \"%s\">: out of memory", name);
    return NULL;
  }
  cfg->logs = logs;
  ao_log_config_t *log = &cfg->logs[cfg->nlogs++];
  memset(log, 0, sizeof(*log));
  snprintf(log->name, sizeof(log->name), "%s", name);
  log->format = AO_FMT_COMBINED;
  log->start_at = AO_START_END;
  return log;
}

static int push_string(char ***list, size_t *n, const char *s,
                       const char *where, const char *opt, ao_err_t *err) {
  char **grown = realloc(*list, (*n + 1) * sizeof(**list));
  if (grown == NULL)
    return ao_err_set(err, "%s %s: out of memory", where, opt);
  *list = grown;
  grown[*n] = strdup(s);
  if (grown[*n] == NULL)
    return ao_err_set(err, "%s %s: out of memory", where, opt);
  (*n)++;
  return 0;
}

/* File may repeat: each value is a path or a glob pattern. */
static int add_file(const char *where, const char *opt, ao_log_config_t *log,
                    const ao_value_t *vals, size_t nvals, ao_err_t *err) {
  if (one_value(where, opt, vals, nvals, AO_VAL_STRING, err) != 0)
    return -1;
  const char *v = vals[0].s;
  if (v[0] == '\0')
    return ao_err_set(err, "%s %s: value \"\" is empty", where, opt);
  for (size_t i = 0; i < log->nfiles; i++)
    if (strcmp(log->files[i], v) == 0)
      return ao_err_set(err, "%s %s: \"%s\" is listed twice", where, opt, v);
  if (log->nfiles == MAX_FILES_PER_LOG)
    return ao_err_set(err, "%s %s: more than %d values", where, opt,
                      MAX_FILES_PER_LOG);
  if (log->file != NULL && log->nfiles == 0) {
    /* Set directly by a caller: it becomes the first value. */
    if (push_string(&log->files, &log->nfiles, log->file, where, opt, err))
      return -1;
    free(log->file);
  }
  if (push_string(&log->files, &log->nfiles, v, where, opt, err) != 0)
    return -1;
  log->file = log->files[0];
  return 0;
}

int ao_config_valid_match(const char *m) {
  if (strcmp(m, "+") == 0)
    return 1;
  const char *eq = strchr(m, '=');
  if (eq == NULL || eq == m || (m[0] >= '0' && m[0] <= '9'))
    return 0;
  for (const char *p = m; p < eq; p++)
    if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
      return 0;
  return 1;
}

char *ao_config_state_path(const ao_config_t *cfg, const ao_log_config_t *log) {
  if (cfg->state_file == NULL)
    return NULL;
  size_t n = strlen(cfg->state_file) + strlen(log->name) + 2;
  char *p = malloc(n);
  if (p != NULL)
    snprintf(p, n, "%s-%s", cfg->state_file, log->name);
  return p;
}

int ao_config_log_set(ao_config_t *cfg, ao_log_config_t *log, const char *key,
                      const ao_value_t *vals, size_t nvals, ao_err_t *err) {
  (void)cfg;
  char where[AO_LOG_NAME_MAX + 16];
  snprintf(where, sizeof(where), "<Log \"%s\">", log->name);
  int id = lookup_key(where, key, AO_SCOPE_LOG, &log->given, err);
  if (id < 0)
    return -1;
  const char *opt = options[id].name;
  switch (id) {
  case OPT_FILE:
    return add_file(where, opt, log, vals, nvals, err);
  case OPT_JOURNAL:
    if (one_value(where, opt, vals, nvals, AO_VAL_BOOLEAN, err) != 0)
      return -1;
    if (vals[0].b && !ao_journal_available())
      return ao_err_set(err,
                        "%s %s: true, but this build has no journal support "
                        "(build with libsystemd-dev installed)",
                        where, opt);
    log->journal = vals[0].b != 0;
    return 0;
  case OPT_MATCH:
    if (one_value(where, opt, vals, nvals, AO_VAL_STRING, err) != 0)
      return -1;
    if (!ao_config_valid_match(vals[0].s))
      return ao_err_set(err,
                        "%s %s: invalid match \"%s\" (expected FIELD=value "
                        "with FIELD of A-Z, 0-9 and _, e.g. "
                        "\"_SYSTEMD_UNIT=ssh.service\", or \"+\")",
                        where, opt, vals[0].s);
    if (log->nmatches == MAX_MATCHES_PER_LOG)
      return ao_err_set(err, "%s %s: more than %d matches", where, opt,
                        MAX_MATCHES_PER_LOG);
    return push_string(&log->matches, &log->nmatches, vals[0].s, where, opt,
                       err);
  case OPT_JOURNAL_PATH:
    return get_string(where, opt, vals, nvals, &log->journal_path, err);
  case OPT_FORMAT:
    if (one_value(where, opt, vals, nvals, AO_VAL_STRING, err) != 0)
      return -1;
    if (ao_format_lookup(vals[0].s, &log->format) != 0)
      return ao_err_set(err, "%s %s: unknown value \"%s\" (expected %s)",
                        where, opt, vals[0].s, ao_format_names());
    return 0;
  case OPT_START_AT:
    if (one_value(where, opt, vals, nvals, AO_VAL_STRING, err) != 0)
      return -1;
    if (strcasecmp(vals[0].s, "end") == 0)
      log->start_at = AO_START_END;
    else if (strcasecmp(vals[0].s, "beginning") == 0)
      log->start_at = AO_START_BEGINNING;
    else
      return ao_err_set(err,
                        "%s %s: unknown value \"%s\" (expected \"end\" or "
                        "\"beginning\")",
                        where, opt, vals[0].s);
    return 0;
  default:
    return set_tunable(where, id, &log->tun, vals, nvals, err);
  }
}

/* Applies the children of a <Log> block. */
static int apply_log(ao_config_t *cfg, const ao_conf_node_t *node,
                     ao_err_t *err) {
  ao_log_config_t *log =
      ao_config_add_log(cfg, node->values, node->nvalues, err);
  if (log == NULL)
    return -1;
  /* ao_config_add_log() may move earlier Logs, never this one until the
   * next Log is added: `log` is valid throughout this function. */
  for (size_t i = 0; i < node->nchildren; i++) {
    const ao_conf_node_t *c = &node->children[i];
    if (c->nchildren > 0)
      return ao_err_set(err, "<Log \"%s\">: unexpected block <%s>",
                        log->name, c->key);
    if (ao_config_log_set(cfg, log, c->key, c->values, c->nvalues, err))
      return -1;
  }
  if (cfg->files_from_caller)
    return 0;
  return ao_config_log_done(log, err);
}

int ao_config_apply(ao_config_t *cfg, const ao_conf_node_t *block,
                    ao_err_t *err) {
  for (size_t i = 0; i < block->nchildren; i++) {
    const ao_conf_node_t *c = &block->children[i];
    if (strcasecmp(c->key, "Log") == 0) {
      if (apply_log(cfg, c, err) != 0)
        return -1;
      continue;
    }
    if (c->nchildren > 0)
      return ao_err_set(err, "<Plugin attack_origin>: unexpected block <%s>",
                        c->key);
    if (ao_config_set(cfg, c->key, c->values, c->nvalues, err) != 0)
      return -1;
  }
  return 0;
}

int ao_config_log_done(const ao_log_config_t *log, ao_err_t *err) {
  if (log->file == NULL && !log->journal)
    return ao_err_set(err,
                      "<Log \"%s\">: missing required option File (or "
                      "Journal true)",
                      log->name);
  if (!log->journal && (log->nmatches > 0 || log->journal_path != NULL))
    return ao_err_set(err, "<Log \"%s\"> %s: needs Journal true", log->name,
                      log->nmatches > 0 ? "Match" : "JournalPath");
  return 0;
}

/* Gives log the plugin block's settings for the tunables it does not set
 * itself. */
static void inherit(const ao_config_t *cfg, ao_log_config_t *log) {
  ao_tunables_t *t = &log->tun;
  if (!(t->set & AO_SET_SHARE_WINDOW))
    t->share_window = cfg->tun.share_window;
  if (!(t->set & AO_SET_MIN_ATTACKS))
    t->min_attacks = cfg->tun.min_attacks;
  if (!(t->set & AO_SET_MAX_LINE))
    t->max_line = cfg->tun.max_line;
  if (!(t->set & AO_SET_ROTATE_WAIT))
    t->rotate_wait = cfg->tun.rotate_wait;
  if (!(t->set & AO_SET_READ_BUDGET))
    t->read_budget = cfg->tun.read_budget;
  if (!(t->set & AO_SET_READ_TIME_FRACTION))
    t->read_time_fraction = cfg->tun.read_time_fraction;
  /* The journal carries sshd's messages: once the sshd format exists
   * (parsers stream), a journal Log without Format reads them as sshd. */
  ao_format_id_t sshd;
  if (log->journal && !(log->given & (1u << OPT_FORMAT)) &&
      ao_format_lookup("sshd", &sshd) == 0)
    log->format = sshd;
}

/* Two Logs reading the same file would count its lines twice. */
static const char *same_file(const ao_log_config_t *a,
                             const ao_log_config_t *b) {
  for (size_t i = 0; i < a->nfiles; i++)
    for (size_t j = 0; j < b->nfiles; j++)
      if (strcmp(a->files[i], b->files[j]) == 0)
        return a->files[i];
  if (a->nfiles == 0 && b->nfiles == 0 && a->file != NULL && b->file != NULL &&
      strcmp(a->file, b->file) == 0)
    return a->file;
  if (a->nfiles == 0 && a->file != NULL)
    for (size_t j = 0; j < b->nfiles; j++)
      if (strcmp(a->file, b->files[j]) == 0)
        return a->file;
  if (b->nfiles == 0 && b->file != NULL)
    for (size_t i = 0; i < a->nfiles; i++)
      if (strcmp(b->file, a->files[i]) == 0)
        return b->file;
  return NULL;
}

int ao_config_finish(ao_config_t *cfg, ao_err_t *err) {
  if (cfg->nlogs == 0)
    return ao_err_set(err, "<Plugin attack_origin>: no <Log> block: nothing "
                           "to read");
  for (size_t i = 0; i < cfg->nlogs; i++) {
    ao_log_config_t *log = &cfg->logs[i];
    inherit(cfg, log);
    if (cfg->files_from_caller)
      continue;
    if (ao_config_log_done(log, err) != 0)
      return -1;
    for (size_t j = 0; j < i; j++) {
      const char *f = same_file(log, &cfg->logs[j]);
      if (f != NULL)
        return ao_err_set(err,
                          "<Log \"%s\"> File: \"%s\" is already read by "
                          "<Log \"%s\">; its lines would be counted twice",
                          log->name, f, cfg->logs[j].name);
    }
  }
  return 0;
}
