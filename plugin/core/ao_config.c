/*
 * ao_config.c - option table and checks (see ao_config.h).
 */
#include "ao_config.h"

#include "ao_journal.h"
#include "ao_rate.h"
#include "ao_rules.h"

#include <errno.h>
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
  OPT_LOG_FORMAT,
  OPT_ESCAPE,
  OPT_REGEX,
  OPT_CLIENT_FIELD, /* OPT_CLIENT_FIELD + AO_JF_x is the option of field x */
  OPT_XFF_FIELD,
  OPT_METHOD_FIELD,
  OPT_URI_FIELD,
  OPT_QUERY_FIELD,
  OPT_STATUS_FIELD,
  OPT_USER_AGENT_FIELD,
  OPT_REFERER_FIELD,
  OPT_HOST_FIELD,
  OPT_PROTOCOL_FIELD,
  OPT_REQUEST_FIELD,
  OPT_TIME_FIELD,
  OPT_TRUSTED_PROXY,
  OPT_BF_ATTEMPTS,
  OPT_BF_NOTFOUND,
  OPT_BF_WINDOW,
  OPT_BF_CAPACITY,
  OPT_CATEGORIES,
  OPT_SIGNATURE_FILE,
  OPT_RULE,
  OPT_EXCLUDE,
  OPT_R_CATEGORY,
  OPT_R_METHOD,
  OPT_R_PATH,
  OPT_R_QUERY,
  OPT_R_STATUS,
  OPT_R_USER_AGENT,
  OPT_R_REFERER,
  OPT_R_ADDRESS,
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
    [OPT_FILE] = {"File", AO_SCOPE_LOG, "path or glob", NULL,
                  "a log file to follow, or a glob pattern; repeatable", 1},
    [OPT_FORMAT] = {"Format", AO_SCOPE_LOG, "string", "combined",
                    "line format: combined, common, nginx, apache, json, "
                    "caddy, traefik, sshd or regex"},
    [OPT_START_AT] = {"StartAt", AO_SCOPE_LOG, "string", "end",
                      "end: only what is appended from now on (tail -F); "
                      "beginning: what the file already holds too"},
    [OPT_LOG_FORMAT] = {"LogFormat", AO_SCOPE_LOG, "string", NULL,
                        "Format nginx: the log_format string; Format apache: "
                        "the LogFormat string"},
    [OPT_ESCAPE] = {"Escape", AO_SCOPE_LOG, "string", "default",
                    "Format nginx: the log_format's escape= (default, json, "
                    "none)"},
    [OPT_REGEX] = {"Regex", AO_SCOPE_LOG, "string", NULL,
                   "Format regex: PCRE2 pattern with a (?<client>...) group"},
    [OPT_CLIENT_FIELD] = {"ClientField", AO_SCOPE_LOG, "path", NULL,
                          "JSON formats: dot path of the client address"},
    [OPT_XFF_FIELD] = {"XffField", AO_SCOPE_LOG, "path", NULL,
                       "JSON formats: dot path of X-Forwarded-For"},
    [OPT_METHOD_FIELD] = {"MethodField", AO_SCOPE_LOG, "path", NULL,
                          "JSON formats: dot path of the method"},
    [OPT_URI_FIELD] = {"URIField", AO_SCOPE_LOG, "path", NULL,
                       "JSON formats: dot path of the URI (path?query)"},
    [OPT_QUERY_FIELD] = {"QueryField", AO_SCOPE_LOG, "path", NULL,
                         "JSON formats: dot path of a separate query"},
    [OPT_STATUS_FIELD] = {"StatusField", AO_SCOPE_LOG, "path", NULL,
                          "JSON formats: dot path of the status"},
    [OPT_USER_AGENT_FIELD] = {"UserAgentField", AO_SCOPE_LOG, "path", NULL,
                              "JSON formats: dot path of the user agent"},
    [OPT_REFERER_FIELD] = {"RefererField", AO_SCOPE_LOG, "path", NULL,
                           "JSON formats: dot path of the referer"},
    [OPT_HOST_FIELD] = {"HostField", AO_SCOPE_LOG, "path", NULL,
                        "JSON formats: dot path of the Host"},
    [OPT_PROTOCOL_FIELD] = {"ProtocolField", AO_SCOPE_LOG, "path", NULL,
                            "JSON formats: dot path of the protocol"},
    [OPT_REQUEST_FIELD] = {"RequestField", AO_SCOPE_LOG, "path", NULL,
                           "JSON formats: dot path of a whole request line"},
    [OPT_TIME_FIELD] = {"TimeField", AO_SCOPE_LOG, "path", NULL,
                        "JSON formats: dot path of the time"},
    [OPT_TRUSTED_PROXY] = {"TrustedProxy", AO_SCOPE_PLUGIN | AO_SCOPE_LOG,
                           "CIDR", "(none)",
                           "proxies whose X-Forwarded-For is believed; "
                           "repeatable",
                           1},
    [OPT_BF_ATTEMPTS] = {"BruteForceAttempts", AO_SCOPE_PLUGIN | AO_SCOPE_LOG,
                         "number", "5",
                         "failed authentications from one address within "
                         "BruteForceWindow that make it a brute forcer "
                         "(0: off)"},
    [OPT_BF_NOTFOUND] = {"BruteForceNotFound", AO_SCOPE_PLUGIN | AO_SCOPE_LOG,
                         "number", "20",
                         "404s on distinct paths from one address within "
                         "BruteForceWindow that make it a brute forcer "
                         "(0: off)"},
    [OPT_BF_WINDOW] = {"BruteForceWindow", AO_SCOPE_PLUGIN | AO_SCOPE_LOG,
                       "seconds", "600",
                       "the brute-force window (log time)"},
    [OPT_BF_CAPACITY] = {"BruteForceTrackedAddresses",
                         AO_SCOPE_PLUGIN | AO_SCOPE_LOG, "number", "16384",
                         "addresses whose failures are tracked per Log "
                         "(bounded, oldest evicted)"},
    [OPT_CATEGORIES] = {"Categories", AO_SCOPE_LOG, "strings", "(all)",
                        "built-in categories to count: names, or -name "
                        "to leave one out"},
    [OPT_SIGNATURE_FILE] = {"SignatureFile", AO_SCOPE_LOG,
                            "path category field", NULL,
                            "phrase list in OWASP CRS .data format; "
                            "field: user_agent, referer, path or query",
                            1},
    [OPT_RULE] = {"Rule", AO_SCOPE_LOG, "block", NULL,
                  "<Rule NAME>: lines matching every condition are "
                  "attacks of its Category", 1},
    [OPT_EXCLUDE] = {"Exclude", AO_SCOPE_LOG, "block", NULL,
                     "<Exclude NAME>: lines matching every condition are "
                     "no attack", 1},
    [OPT_R_CATEGORY] = {"Category", AO_SCOPE_RULE, "string", NULL,
                        "a built-in category or a new one ([a-z0-9_])"},
    [OPT_R_METHOD] = {"Method", AO_SCOPE_RULE, "strings", "(any)",
                      "request methods, one of which must match"},
    [OPT_R_PATH] = {"Path", AO_SCOPE_RULE, "regex", "(any)",
                    "PCRE2 regex on the path as logged"},
    [OPT_R_QUERY] = {"Query", AO_SCOPE_RULE, "regex", "(any)",
                     "PCRE2 regex on the query string as logged"},
    [OPT_R_STATUS] = {"Status", AO_SCOPE_RULE, "numbers or ranges", "(any)",
                      "statuses: 404, \"400-499\" or \"4xx\""},
    [OPT_R_USER_AGENT] = {"UserAgent", AO_SCOPE_RULE, "regex", "(any)",
                          "PCRE2 regex on the user agent"},
    [OPT_R_REFERER] = {"Referer", AO_SCOPE_RULE, "regex", "(any)",
                       "PCRE2 regex on the referer"},
    [OPT_R_ADDRESS] = {"Address", AO_SCOPE_RULE, "CIDRs", "(any)",
                       "client networks, e.g. \"192.0.2.0/24\""},
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
                   "(repeatable; \"+\" separates OR groups)",
                   1},
    [OPT_JOURNAL_PATH] = {"JournalPath", AO_SCOPE_LOG, "path",
                          "(the system journal)",
                          "a journal directory or .journal file to read "
                          "instead of the system journal"},
    [OPT_COUNT] = {NULL, 0, NULL, NULL, NULL, 0},
};

/* Duplicate detection keeps one bit per option in a uint64_t. */
_Static_assert(OPT_COUNT <= 64, "more than 64 options: widen `given`");

const ao_option_t *ao_config_options(void) { return options; }

void ao_config_init(ao_config_t *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->geoip_cache_size = DEF_CACHE;
  cfg->tun.share_window = DEF_SHARE_WINDOW;
  cfg->tun.min_attacks = DEF_MIN_ATTACKS;
  cfg->tun.max_line = DEF_MAX_LINE;
  cfg->tun.bf_attempts = AO_RATE_DEF_ATTEMPTS;
  cfg->tun.bf_notfound = AO_RATE_DEF_NOTFOUND;
  cfg->tun.bf_window = AO_RATE_DEF_WINDOW;
  cfg->tun.bf_capacity = AO_RATE_DEF_CAPACITY;
  cfg->tun.rotate_wait = DEF_ROTATE_WAIT;
  cfg->tun.read_budget = DEF_READ_BUDGET;
  cfg->tun.read_time_fraction = DEF_READ_TIME_FRACTION;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void rule_free(ao_rule_config_t *r) {
  for (size_t i = 0; i < r->nmethods; i++)
    free(r->methods[i]);
  free(r->path);
  free(r->query);
  free(r->user_agent);
  free(r->referer);
}

void ao_config_free(ao_config_t *cfg) {
  free(cfg->geoip_database);
  free(cfg->geoip_country_path);
  free(cfg->trusted.cidr);
  for (size_t i = 0; i < cfg->nlogs; i++) {
    ao_log_config_t *log = &cfg->logs[i];
    free(log->log_format);
    free(log->regex);
    for (int f = 0; f < AO_JF_COUNT; f++)
      free(log->json[f]);
    free(log->trusted.cidr);
    for (size_t k = 0; k < log->nrules; k++)
      rule_free(&log->rules[k]);
    free(log->rules);
    for (size_t k = 0; k < log->nsigfiles; k++)
      free(log->sigfiles[k].path);
    free(log->sigfiles);
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

/* ---- categories --------------------------------------------------------- */

static int valid_category_name(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n > AO_CAT_NAME_MAX)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return 0;
  }
  return 1;
}

int ao_config_category(ao_config_t *cfg, const char *name, int create,
                       ao_err_t *err) {
  int b = ao_category_lookup(name);
  if (b >= 0)
    return b;
  for (int i = 0; i < cfg->ncats; i++)
    if (strcmp(cfg->cat_names[i], name) == 0)
      return AO_CAT_BUILTIN_COUNT + i;
  if (!create) {
    ao_err_set(err, "unknown category \"%s\"", name);
    return -1;
  }
  if (!valid_category_name(name)) {
    ao_err_set(err,
               "invalid category name \"%s\": it becomes part of the "
               "metric name and must be 1 to %d of [a-z0-9_]",
               name, AO_CAT_NAME_MAX);
    return -1;
  }
  if (cfg->ncats >= AO_CAT_MAX - AO_CAT_BUILTIN_COUNT) {
    ao_err_set(err, "category \"%s\": at most %d categories of your own",
               name, AO_CAT_MAX - AO_CAT_BUILTIN_COUNT);
    return -1;
  }
  snprintf(cfg->cat_names[cfg->ncats], sizeof(cfg->cat_names[0]), "%s", name);
  return AO_CAT_BUILTIN_COUNT + cfg->ncats++;
}

const char *ao_config_category_name(const ao_config_t *cfg, int cat) {
  if (cat >= 0 && cat < AO_CAT_BUILTIN_COUNT)
    return ao_category_name(cat);
  int u = cat - AO_CAT_BUILTIN_COUNT;
  if (u >= 0 && u < cfg->ncats)
    return cfg->cat_names[u];
  return NULL;
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
  case OPT_BF_ATTEMPTS:
    if (get_number(where, opt, vals, nvals, 0, 1000000, 1, &v, err))
      return -1;
    tun->bf_attempts = (unsigned)v;
    tun->set |= AO_SET_BF_ATTEMPTS;
    return 0;
  case OPT_BF_NOTFOUND:
    if (get_number(where, opt, vals, nvals, 0, 1000000, 1, &v, err))
      return -1;
    tun->bf_notfound = (unsigned)v;
    tun->set |= AO_SET_BF_NOTFOUND;
    return 0;
  case OPT_BF_WINDOW:
    if (get_number(where, opt, vals, nvals, 1, 31.0 * 86400.0, 0, &v, err))
      return -1;
    tun->bf_window = v;
    tun->set |= AO_SET_BF_WINDOW;
    return 0;
  case OPT_BF_CAPACITY:
    if (get_number(where, opt, vals, nvals, 1, 1 << 24, 1, &v, err))
      return -1;
    tun->bf_capacity = (size_t)v;
    tun->set |= AO_SET_BF_CAPACITY;

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
                      uint64_t *given, ao_err_t *err) {
  int id = find_option(key, scope);
  if (id == -1)
    return ao_err_set(err, "%s: unknown option \"%s\"", where, key);
  if (id == -2)
    return ao_err_set(err, "%s: option \"%s\" is not allowed in this block",
                      where, key);
  /* Repeatable options (TrustedProxy, SignatureFile, blocks) add up. */
  if ((*given & ((uint64_t)1 << id)) && !options[id].repeatable)
    return ao_err_set(err, "%s %s: given twice", where, options[id].name);
  *given |= (uint64_t)1 << id;
  return id;
}

/* TrustedProxy "CIDR" ["CIDR"...]: adds to the block's list. */
static int add_trusted(const char *where, ao_trust_list_t *t,
                       const ao_value_t *vals, size_t nvals, ao_err_t *err) {
  const char *opt = options[OPT_TRUSTED_PROXY].name;
  if (nvals == 0)
    return ao_err_set(err, "%s %s: expects one or more strings (CIDRs)",
                      where, opt);
  ao_cidr_t *grown = realloc(t->cidr, (t->n + nvals) * sizeof(*grown));
  if (grown == NULL)
    return ao_err_set(err, "%s %s: out of memory", where, opt);
  t->cidr = grown;
  for (size_t i = 0; i < nvals; i++) {
    if (vals[i].type != AO_VAL_STRING) {
      char got[300];
      describe(&vals[i], got, sizeof(got));
      return ao_err_set(err, "%s %s: expects a string, got %s", where, opt,
                        got);
    }
    ao_err_t sub = {{0}};
    if (ao_cidr_parse(vals[i].s, &t->cidr[t->n], &sub) != 0)
      return ao_err_set(err, "%s %s: %s", where, opt, sub.msg);
    t->n++;
  }
  t->set = 1;
  return 0;
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
  case OPT_TRUSTED_PROXY:
    return add_trusted(where, &cfg->trusted, vals, nvals, err);
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
  log->categories = (ao_catmask_t)((1u << AO_CAT_BUILTIN_COUNT) - 1u);
  return log;
}

/* ---- detection options of a Log ------------------------------------------ */

/* Categories "sqli" "xss" (only these) or Categories "-scanner" (all but). */
static int set_categories(const char *where, const char *opt,
                          ao_log_config_t *log, const ao_value_t *vals,
                          size_t nvals, ao_err_t *err) {
  if (nvals == 0)
    return ao_err_set(err, "%s %s: expects one or more category names", where,
                      opt);
  int plain = 0, signed_ = 0;
  ao_catmask_t on = 0, off = 0;
  for (size_t i = 0; i < nvals; i++) {
    if (vals[i].type != AO_VAL_STRING) {
      char got[300];
      describe(&vals[i], got, sizeof(got));
      return ao_err_set(err, "%s %s: expects strings, got %s", where, opt,
                        got);
    }
    const char *v = vals[i].s;
    int sign = v[0] == '-' ? -1 : v[0] == '+' ? 1 : 0;
    const char *name = sign ? v + 1 : v;
    int cat = ao_category_lookup(name);
    if (cat < 0)
      return ao_err_set(err,
                        "%s %s: unknown value \"%s\" (expected built-in "
                        "categories: sqli xss traversal rce scanner probe "
                        "auth bruteforce, each optionally prefixed with - "
                        "or +)",
                        where, opt, v);
    if (sign == 0)
      plain = 1;
    else
      signed_ = 1;
    if (sign < 0)
      off |= AO_CAT_BIT(cat);
    else
      on |= AO_CAT_BIT(cat);
  }
  if (plain && signed_)
    return ao_err_set(err,
                      "%s %s: either list the categories to count, or "
                      "prefix every name with - or +, not both",
                      where, opt);
  ao_catmask_t all = (ao_catmask_t)((1u << AO_CAT_BUILTIN_COUNT) - 1u);
  log->categories = plain ? on : ((all | on) & ~off);
  return 0;
}

static const struct {
  const char *name;
  ao_sig_field_t field;
} sig_fields[] = {{"user_agent", AO_SIG_USER_AGENT},
                  {"referer", AO_SIG_REFERER},
                  {"path", AO_SIG_PATH},
                  {"query", AO_SIG_QUERY}};

/* SignatureFile "path" "category" "field" */
static int add_sigfile(ao_config_t *cfg, const char *where, const char *opt,
                       ao_log_config_t *log, const ao_value_t *vals,
                       size_t nvals, ao_err_t *err) {
  if (nvals != 3 || vals[0].type != AO_VAL_STRING ||
      vals[1].type != AO_VAL_STRING || vals[2].type != AO_VAL_STRING)
    return ao_err_set(err,
                      "%s %s: expects three strings: the file, a category "
                      "and a field, e.g. %s \"/usr/share/modsecurity-crs/"
                      "rules/scanners-user-agents.data\" \"scanner\" "
                      "\"user_agent\"",
                      where, opt, opt);
  const char *path = vals[0].s, *catname = vals[1].s, *fname = vals[2].s;
  int field = -1;
  for (size_t i = 0; i < sizeof(sig_fields) / sizeof(sig_fields[0]); i++)
    if (strcasecmp(fname, sig_fields[i].name) == 0)
      field = (int)sig_fields[i].field;
  if (field < 0)
    return ao_err_set(err,
                      "%s %s \"%s\": unknown field \"%s\" (expected "
                      "\"user_agent\", \"referer\", \"path\" or \"query\")",
                      where, opt, path, fname);
  ao_err_t sub = {{0}};
  int cat = ao_config_category(cfg, catname, 1, &sub);
  if (cat < 0)
    return ao_err_set(err, "%s %s \"%s\": %s", where, opt, path, sub.msg);
  /* read it now: a missing or malformed file refuses the configuration,
   * with the line that is wrong */
  size_t count = 0;
  if (ao_rules_check_sigfile(path, field == AO_SIG_PATH, &count, &sub) != 0)
    return ao_err_set(err, "%s %s \"%s\": %s", where, opt, path, sub.msg);
  ao_sigfile_config_t *a =
      realloc(log->sigfiles, (log->nsigfiles + 1) * sizeof(*a));
  if (a == NULL)
    return ao_err_set(err, "%s %s: out of memory", where, opt);
  log->sigfiles = a;
  char *copy = strdup(path);
  if (copy == NULL)
    return ao_err_set(err, "%s %s: out of memory", where, opt);
  a[log->nsigfiles++] =
      (ao_sigfile_config_t){copy, cat, (ao_sig_field_t)field};
  return 0;
}

/* Status 404, Status "400-499", Status "4xx" */
static int parse_status(const ao_value_t *v, ao_status_range_t *r) {
  if (v->type == AO_VAL_NUMBER) {
    if (v->n != floor(v->n) || v->n < 100 || v->n > 999)
      return -1;
    r->lo = r->hi = (int)v->n;
    return 0;
  }
  if (v->type != AO_VAL_STRING)
    return -1;
  const char *s = v->s;
  size_t n = strlen(s);
  if (n == 3 && s[0] >= '1' && s[0] <= '9' && (s[1] == 'x' || s[1] == 'X') &&
      (s[2] == 'x' || s[2] == 'X')) {
    r->lo = (s[0] - '0') * 100;
    r->hi = r->lo + 99;
    return 0;
  }
  int lo = 0, hi = 0, k = 0;
  if (sscanf(s, "%d-%d%n", &lo, &hi, &k) == 2 && (size_t)k == n) {
    /* a range */
  } else if (sscanf(s, "%d%n", &lo, &k) == 1 && (size_t)k == n) {
    hi = lo;
  } else {
    return -1;
  }
  if (lo < 100 || hi > 999 || lo > hi)
    return -1;
  r->lo = lo;
  r->hi = hi;
  return 0;
}

static int rule_regex(const char *where, const char *opt,
                      const ao_value_t *vals, size_t nvals, char **out,
                      ao_err_t *err) {
  if (get_string(where, opt, vals, nvals, out, err) != 0)
    return -1;
  ao_err_t sub = {{0}};
  if (ao_rules_check_regex(*out, &sub) != 0)
    return ao_err_set(err, "%s %s: invalid regular expression \"%s\": %s",
                      where, opt, *out, sub.msg);
  return 0;
}

/* One option of a <Rule> or <Exclude> block. */
static int rule_set(ao_config_t *cfg, const char *where, ao_rule_config_t *r,
                    const ao_conf_node_t *c, ao_err_t *err) {
  int id = find_option(c->key, AO_SCOPE_RULE);
  if (id == -1)
    return ao_err_set(err, "%s: unknown option \"%s\"", where, c->key);
  if (id == -2)
    return ao_err_set(err, "%s: option \"%s\" is not allowed in this block",
                      where, c->key);
  unsigned bit = 1u << (id - OPT_R_CATEGORY);
  const char *opt = options[id].name;
  if (r->given & bit)
    return ao_err_set(err, "%s %s: given twice", where, opt);
  r->given |= bit;
  if (c->nchildren > 0)
    return ao_err_set(err, "%s: unexpected block <%s>", where, c->key);
  const ao_value_t *vals = c->values;
  size_t nvals = c->nvalues;
  switch (id) {
  case OPT_R_CATEGORY: {
    if (r->exclude)
      return ao_err_set(err, "%s %s: an <Exclude> has no category", where,
                        opt);
    if (one_value(where, opt, vals, nvals, AO_VAL_STRING, err) != 0)
      return -1;
    ao_err_t sub = {{0}};
    int cat = ao_config_category(cfg, vals[0].s, 1, &sub);
    if (cat < 0)
      return ao_err_set(err, "%s %s: %s", where, opt, sub.msg);
    r->category = cat;
    return 0;
  }
  case OPT_R_METHOD:
    if (nvals == 0 || nvals > AO_RULE_MAX_VALUES)
      return ao_err_set(err, "%s %s: expects 1 to %d methods", where, opt,
                        AO_RULE_MAX_VALUES);
    for (size_t i = 0; i < nvals; i++) {
      if (vals[i].type != AO_VAL_STRING || vals[i].s[0] == '\0')
        return ao_err_set(err, "%s %s: expects strings such as \"POST\"",
                          where, opt);
      r->methods[r->nmethods] = strdup(vals[i].s);
      if (r->methods[r->nmethods] == NULL)
        return ao_err_set(err, "%s %s: out of memory", where, opt);
      r->nmethods++;
    }
    return 0;
  case OPT_R_PATH:
    return rule_regex(where, opt, vals, nvals, &r->path, err);
  case OPT_R_QUERY:
    return rule_regex(where, opt, vals, nvals, &r->query, err);
  case OPT_R_USER_AGENT:
    return rule_regex(where, opt, vals, nvals, &r->user_agent, err);
  case OPT_R_REFERER:
    return rule_regex(where, opt, vals, nvals, &r->referer, err);
  case OPT_R_STATUS:
    if (nvals == 0 || nvals > AO_RULE_MAX_VALUES)
      return ao_err_set(err, "%s %s: expects 1 to %d statuses", where, opt,
                        AO_RULE_MAX_VALUES);
    for (size_t i = 0; i < nvals; i++) {
      if (parse_status(&vals[i], &r->status[r->nstatus]) != 0) {
        char got[300];
        describe(&vals[i], got, sizeof(got));
        return ao_err_set(err,
                          "%s %s: invalid value %s (expected a status such "
                          "as 404, a range \"400-499\" or \"4xx\")",
                          where, opt, got);
      }
      r->nstatus++;
    }
    return 0;
  case OPT_R_ADDRESS:
    if (nvals == 0 || nvals > AO_RULE_MAX_VALUES)
      return ao_err_set(err, "%s %s: expects 1 to %d networks", where, opt,
                        AO_RULE_MAX_VALUES);
    for (size_t i = 0; i < nvals; i++) {
      if (vals[i].type != AO_VAL_STRING ||
          ao_cidr_parse(vals[i].s, &r->addr[r->naddr], NULL) != 0) {
        char got[300];
        describe(&vals[i], got, sizeof(got));
        return ao_err_set(err,
                          "%s %s: invalid value %s (expected an address or "
                          "a network such as \"192.0.2.0/24\" or "
                          "\"2001:db8::/32\")",
                          where, opt, got);
      }
      r->naddr++;
    }
    return 0;
  default:
    return ao_err_set(err, "%s %s: internal error", where, opt);
  }
}

/* The node the last error is about (ao_config_error_node()); the
 * innermost one wins, since it is recorded first. */
static _Thread_local const ao_conf_node_t *err_node;

const ao_conf_node_t *ao_config_error_node(void) { return err_node; }

/* Records node as the place of the error (unless an inner node was) and
 * returns -1. */
static int at_line(ao_err_t *err, const ao_conf_node_t *node) {
  (void)err;
  if (err_node == NULL)
    err_node = node;
  return -1;
}

/* The same after an ao_err_set() whose -1 is passed along. */
static int at_line_rc(ao_err_t *err, int rc, const ao_conf_node_t *node) {
  (void)rc;
  return at_line(err, node);
}

/* A <Rule NAME> or <Exclude NAME> block inside a Log. */
static int apply_rule(ao_config_t *cfg, ao_log_config_t *log,
                      const ao_conf_node_t *node, int exclude,
                      ao_err_t *err) {
  const char *kind = exclude ? "Exclude" : "Rule";
  char where[3 * AO_LOG_NAME_MAX + 40];
  if (node->nvalues != 1 || node->values[0].type != AO_VAL_STRING ||
      !ao_config_valid_name(node->values[0].s)) {
    char got[300] = "nothing";
    if (node->nvalues > 0)
      describe(&node->values[0], got, sizeof(got));
    return at_line_rc(err, ao_err_set(err,
                                   "<Log \"%s\"> <%s>: expects one name of "
                                   "[A-Za-z0-9_] (1 to %d), got %s",
                                   log->name, kind, AO_LOG_NAME_MAX, got),
                   node);
  }
  const char *name = node->values[0].s;
  snprintf(where, sizeof(where), "<Log \"%s\"> <%s \"%s\">", log->name, kind,
           name);
  for (size_t i = 0; i < log->nrules; i++)
    if (strcasecmp(log->rules[i].name, name) == 0 &&
        log->rules[i].exclude == exclude)
      return at_line_rc(err, ao_err_set(err, "%s: duplicate name \"%s\"", where,
                                     name),
                     node);
  ao_rule_config_t *a = realloc(log->rules, (log->nrules + 1) * sizeof(*a));
  if (a == NULL)
    return ao_err_set(err, "%s: out of memory", where);
  log->rules = a;
  ao_rule_config_t *r = &a[log->nrules++];
  memset(r, 0, sizeof(*r));
  snprintf(r->name, sizeof(r->name), "%s", name);
  r->exclude = exclude;
  r->category = -1;
  for (size_t i = 0; i < node->nchildren; i++) {
    const ao_conf_node_t *c = &node->children[i];
    if (rule_set(cfg, where, r, c, err) != 0)
      return at_line(err, c);
  }
  if (!exclude && r->category < 0)
    return at_line_rc(err, ao_err_set(err,
                                   "%s: missing required option Category",
                                   where),
                   node);
  if ((r->given & ~(1u << (OPT_R_CATEGORY - OPT_R_CATEGORY))) == 0)
    return at_line_rc(err, ao_err_set(err,
                                   "%s: no condition (Method, Path, Query, "
                                   "Status, UserAgent, Referer, Address): "
                                   "it would match every line",
                                   where),
                   node);
  return 0;

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
  case OPT_LOG_FORMAT:
    return get_string(where, opt, vals, nvals, &log->log_format, err);
  case OPT_REGEX:
    return get_string(where, opt, vals, nvals, &log->regex, err);
  case OPT_ESCAPE:
    if (one_value(where, opt, vals, nvals, AO_VAL_STRING, err) != 0)
      return -1;
    if (strcasecmp(vals[0].s, "default") == 0)
      log->escape = AO_ESCAPE_DEFAULT;
    else if (strcasecmp(vals[0].s, "json") == 0)
      log->escape = AO_ESCAPE_JSON;
    else if (strcasecmp(vals[0].s, "none") == 0)
      log->escape = AO_ESCAPE_NONE;
    else
      return ao_err_set(err,
                        "%s %s: unknown value \"%s\" (expected \"default\", "
                        "\"json\" or \"none\")",
                        where, opt, vals[0].s);
    return 0;
  case OPT_TRUSTED_PROXY:
    return add_trusted(where, &log->trusted, vals, nvals, err);
  case OPT_CATEGORIES:
    return set_categories(where, opt, log, vals, nvals, err);
  case OPT_SIGNATURE_FILE:
    return add_sigfile(cfg, where, opt, log, vals, nvals, err);
  case OPT_RULE:
  case OPT_EXCLUDE:
  case OPT_R_CATEGORY:
  case OPT_R_METHOD:
  case OPT_R_PATH:
  case OPT_R_QUERY:
  case OPT_R_STATUS:
  case OPT_R_USER_AGENT:
  case OPT_R_REFERER:
  case OPT_R_ADDRESS:
    return ao_err_set(err, "%s %s: a block, e.g. <%s \"name\"> ... </%s>",
                      where, opt, opt, opt);
  default:
    if (id >= OPT_CLIENT_FIELD && id < OPT_CLIENT_FIELD + AO_JF_COUNT)
      return get_string(where, opt, vals, nvals,
                        &log->json[id - OPT_CLIENT_FIELD], err);
    return set_tunable(where, id, &log->tun, vals, nvals, err);
  }
}

/* Applies the children of a <Log> block. */
static int apply_log(ao_config_t *cfg, const ao_conf_node_t *node,
                     ao_err_t *err) {
  ao_log_config_t *log =
      ao_config_add_log(cfg, node->values, node->nvalues, err);
  if (log == NULL)
    return at_line(err, node);
  /* ao_config_add_log() may move earlier Logs, never this one until the
   * next Log is added: `log` is valid throughout this function. */
  for (size_t i = 0; i < node->nchildren; i++) {
    const ao_conf_node_t *c = &node->children[i];
    /* <Rule NAME> and <Exclude NAME> are blocks (possibly empty) */
    int rule = strcasecmp(c->key, "Rule") == 0;
    if (rule || strcasecmp(c->key, "Exclude") == 0) {
      if (apply_rule(cfg, log, c, !rule, err) != 0)
        return -1;
      log = &cfg->logs[cfg->nlogs - 1];
      continue;
    }
    if (c->nchildren > 0)
      return at_line_rc(err,
                        ao_err_set(err, "<Log \"%s\">: unexpected block <%s>",
                                   log->name, c->key),
                        c);
    if (ao_config_log_set(cfg, log, c->key, c->values, c->nvalues, err))
      return at_line(err, c);
  }
  if (cfg->files_from_caller)
    return 0;
  return ao_config_log_done(log, err);
}

int ao_config_apply(ao_config_t *cfg, const ao_conf_node_t *block,
                    ao_err_t *err) {
  err_node = NULL;
  for (size_t i = 0; i < block->nchildren; i++) {
    const ao_conf_node_t *c = &block->children[i];
    if (strcasecmp(c->key, "Log") == 0) {
      if (apply_log(cfg, c, err) != 0)
        return -1;
      continue;
    }
    if (c->nchildren > 0)
      return at_line_rc(err,
                        ao_err_set(err,
                                   "<Plugin attack_origin>: unexpected block "
                                   "<%s>",
                                   c->key),
                        c);
    if (ao_config_set(cfg, c->key, c->values, c->nvalues, err) != 0)
      return at_line(err, c);
  }
  return 0;
}

void ao_config_parser_options(const ao_log_config_t *log,
                              ao_parser_options_t *out) {
  memset(out, 0, sizeof(*out));
  out->format = log->format;
  out->log_format = log->log_format;
  out->escape = log->escape;
  out->regex = log->regex;
  for (int f = 0; f < AO_JF_COUNT; f++)
    out->json[f] = log->json[f];
  out->max_line = log->tun.max_line > 0 ? log->tun.max_line : DEF_MAX_LINE;
}

static int is_json_format(ao_format_id_t f) {
  return f == AO_FMT_JSON || f == AO_FMT_CADDY || f == AO_FMT_TRAEFIK;
}

/* The format options fit the Format, and the format strings compile:
 * mistakes in them refuse the configuration, with their position. */
static int check_format(const ao_log_config_t *log, ao_err_t *err) {
  char where[AO_LOG_NAME_MAX + 16];
  snprintf(where, sizeof(where), "<Log \"%s\">", log->name);
  const char *fmt = ao_format_name(log->format);
  int strings = log->format == AO_FMT_NGINX || log->format == AO_FMT_APACHE;
  if (log->log_format != NULL && !strings)
    return ao_err_set(err,
                      "%s LogFormat: only used with Format \"nginx\" or "
                      "\"apache\", not \"%s\"",
                      where, fmt);
  if ((log->given & ((uint64_t)1 << OPT_ESCAPE)) &&
      log->format != AO_FMT_NGINX)
    return ao_err_set(err,
                      "%s Escape: only used with Format \"nginx\", not "
                      "\"%s\"",
                      where, fmt);
  if (log->regex != NULL && log->format != AO_FMT_REGEX)
    return ao_err_set(err,
                      "%s Regex: only used with Format \"regex\", not "
                      "\"%s\"",
                      where, fmt);
  for (int f = 0; f < AO_JF_COUNT; f++)
    if (log->json[f] != NULL && !is_json_format(log->format))
      return ao_err_set(err,
                        "%s %s: only used with Format \"json\", \"caddy\" "
                        "or \"traefik\", not \"%s\"",
                        where, options[OPT_CLIENT_FIELD + f].name, fmt);
  if (strings && log->log_format == NULL)
    return ao_err_set(err,
                      "%s: Format \"%s\" needs LogFormat (the format string "
                      "of the server's configuration)",
                      where, fmt);
  if (log->format == AO_FMT_REGEX && log->regex == NULL)
    return ao_err_set(err, "%s: Format \"regex\" needs Regex", where);
  if (log->format == AO_FMT_JSON && log->json[AO_JF_CLIENT] == NULL)
    return ao_err_set(err,
                      "%s: Format \"json\" needs ClientField (the dot path "
                      "of the client address, e.g. \"request.remote_ip\")",
                      where);
  ao_parser_options_t po;
  ao_config_parser_options(log, &po);
  ao_err_t sub = {{0}};
  ao_parser_t *p = ao_parser_create_opts(&po, &sub);
  if (p == NULL) {
    /* sub says "<Option>: what"; quote the option's value after it */
    const char *value = NULL;
    const char *colon = strchr(sub.msg, ':');
    size_t on = colon != NULL ? (size_t)(colon - sub.msg) : 0;
    if (on == 9 && strncmp(sub.msg, "LogFormat", 9) == 0)
      value = log->log_format;
    else if (on == 5 && strncmp(sub.msg, "Regex", 5) == 0)
      value = log->regex;
    for (int f = 0; f < AO_JF_COUNT && value == NULL && colon != NULL; f++)
      if (strlen(options[OPT_CLIENT_FIELD + f].name) == on &&
          strncmp(sub.msg, options[OPT_CLIENT_FIELD + f].name, on) == 0)
        value = log->json[f];
    if (value != NULL)
      return ao_err_set(err, "%s %.*s \"%s\":%s", where, (int)on, sub.msg,
                        value, colon + 1);
    return ao_err_set(err, "%s %s", where, sub.msg);
  }
  ao_parser_destroy(p);
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
  return check_format(log, err);
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
  if (!(t->set & AO_SET_BF_ATTEMPTS))
    t->bf_attempts = cfg->tun.bf_attempts;
  if (!(t->set & AO_SET_BF_NOTFOUND))
    t->bf_notfound = cfg->tun.bf_notfound;
  if (!(t->set & AO_SET_BF_WINDOW))
    t->bf_window = cfg->tun.bf_window;
  if (!(t->set & AO_SET_BF_CAPACITY))
    t->bf_capacity = cfg->tun.bf_capacity;
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
    if (!log->trusted.set && cfg->trusted.n > 0) {
      /* a Log without its own TrustedProxy uses the plugin block's */
      log->trusted.cidr = malloc(cfg->trusted.n * sizeof(ao_cidr_t));
      if (log->trusted.cidr == NULL)
        return ao_err_set(err, "<Log \"%s\">: out of memory", log->name);
      memcpy(log->trusted.cidr, cfg->trusted.cidr,
             cfg->trusted.n * sizeof(ao_cidr_t));
      log->trusted.n = cfg->trusted.n;
      log->trusted.set = 1;
    }
    if (cfg->files_from_caller) {
      if (check_format(log, err) != 0)
        return -1;
      continue;
    }
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
