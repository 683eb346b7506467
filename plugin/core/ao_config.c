/*
 * ao_config.c - option table and checks (see ao_config.h).
 */
#include "ao_config.h"

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
  OPT_COUNT
};

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
    [OPT_MIN_ATTACKS] = {"MinAttacks", AO_SCOPE_PLUGIN | AO_SCOPE_LOG,
                         "number", "10",
                         "attacks the window must hold before shares are "
                         "reported (NaN until then)"},
    [OPT_MAX_LINE_LENGTH] = {"MaxLineLength", AO_SCOPE_PLUGIN | AO_SCOPE_LOG,
                             "bytes", "65536",
                             "longer lines are counted as oversized and "
                             "skipped"},
    [OPT_FILE] = {"File", AO_SCOPE_LOG, "path", NULL, "the log file to follow"},
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
                           "repeatable"},
    [OPT_COUNT] = {NULL, 0, NULL, NULL, NULL},
};

const ao_option_t *ao_config_options(void) { return options; }

void ao_config_init(ao_config_t *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->geoip_cache_size = DEF_CACHE;
  cfg->tun.share_window = DEF_SHARE_WINDOW;
  cfg->tun.min_attacks = DEF_MIN_ATTACKS;
  cfg->tun.max_line = DEF_MAX_LINE;
}

void ao_config_free(ao_config_t *cfg) {
  free(cfg->geoip_database);
  free(cfg->geoip_country_path);
  free(cfg->trusted.cidr);
  for (size_t i = 0; i < cfg->nlogs; i++) {
    ao_log_config_t *log = &cfg->logs[i];
    free(log->file);
    free(log->log_format);
    free(log->regex);
    for (int f = 0; f < AO_JF_COUNT; f++)
      free(log->json[f]);
    free(log->trusted.cidr);
  }
  free(cfg->logs);
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
  /* TrustedProxy is a list: each occurrence adds to it. */
  if (id != OPT_TRUSTED_PROXY && (*given & ((uint64_t)1 << id)))
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
    return get_string(where, opt, vals, nvals, &log->file, err);
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
  if (log->file == NULL)
    return ao_err_set(err, "<Log \"%s\">: missing required option File",
                      log->name);
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
    for (size_t j = 0; j < i; j++)
      if (strcmp(cfg->logs[j].file, log->file) == 0)
        return ao_err_set(err,
                          "<Log \"%s\"> File: \"%s\" is already read by "
                          "<Log \"%s\">; its lines would be counted twice",
                          log->name, log->file, cfg->logs[j].name);
  }
  return 0;
}
