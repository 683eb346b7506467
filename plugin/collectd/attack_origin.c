/*
 * attack_origin.c - the collectd adapter: module_register, configuration,
 * one read callback per <Log>, logging.
 *
 * DESCRIPTION
 *   This file and ao_dispatch.c are the only ones that know collectd. They
 *   turn collectd's oconfig tree into calls of the core's option table
 *   (ao_config.h), build one pipeline per Log at init, register one complex
 *   read callback per Log (collectd runs different callbacks in parallel on
 *   its read threads, never one callback twice at once, and every pipeline
 *   owns its state: no locks), and route the core's log messages to
 *   plugin_log() and its recurring faults to c_complain()/c_release().
 *
 *   Configuration mistakes make the config callback fail, which makes
 *   collectd refuse to start ("Parsing the config file failed"); the message
 *   names the option and the value. Should collectd go on anyway, init fails
 *   too and collectd unloads the plugin.
 *
 *   Runtime faults never fail the read callback (collectd would double its
 *   interval): they are complained about, counted, and retried.
 *
 *   State: each read callback reads, dispatches, then saves its Log's state
 *   file (positions and counters together, ao_pipeline_save_state()). Every
 *   Log has a file of its own ("<StateFile>-<Log>", StateFile defaulting to
 *   collectd's BaseDir/attack_origin.state), so parallel read threads share
 *   no lock and no file, and each snapshot is atomic on its own.
 */
#include "ao_config.h"
#include "ao_dispatch.h"
#include "ao_log.h"
#include "ao_pipeline.h"

#include "collectd/core/daemon/collectd.h"
#include "collectd/core/daemon/configfile.h"
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/daemon/utils_complain.h"
#include "liboconfig/oconfig.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PLUGIN_NAME "attack_origin"

static ao_config_t config;
static int config_ready;  /* config is initialised */
static int config_failed; /* a configuration error was reported */
static int initialised;

/* ---- logging ------------------------------------------------------------ */

static void sink_log(void *ud, int level, const char *msg) {
  (void)ud;
  plugin_log(level, PLUGIN_NAME " plugin: %s", msg);
}

static void sink_complain(void *ud, int level, ao_complaint_t *c,
                          const char *msg) {
  (void)ud;
  if (c->host == NULL) {
    c_complain_t *cc = calloc(1, sizeof(*cc));
    if (cc == NULL) {
      plugin_log(level, PLUGIN_NAME " plugin: %s", msg);
      return;
    }
    C_COMPLAIN_INIT(cc);
    c->host = cc;
  }
  c_complain(level, c->host, PLUGIN_NAME " plugin: %s", msg);
}

static void sink_release(void *ud, int level, ao_complaint_t *c,
                         const char *msg) {
  (void)ud;
  c_complain_t *cc = c->host;
  if (cc != NULL)
    c_release(level, cc, PLUGIN_NAME " plugin: %s", msg);
  else
    plugin_log(level, PLUGIN_NAME " plugin: %s", msg);
}

static void sink_free(void *ud, ao_complaint_t *c) {
  (void)ud;
  free(c->host);
  c->host = NULL;
}

static const ao_log_sink_t collectd_sink = {sink_log, sink_complain,
                                            sink_release, sink_free, NULL};

/* ---- configuration ------------------------------------------------------ */

/* Converts an oconfig subtree into the core's neutral form. Value and
 * child arrays are allocated here and freed by free_node(); strings are borrowed from the oconfig tree, which outlives
 * the call. Returns 0, or -1 on ENOMEM. */
static int convert_node(const oconfig_item_t *ci, ao_conf_node_t *out) {
  *out = (ao_conf_node_t){.key = ci->key};
  ao_value_t *vals = NULL;
  if (ci->values_num > 0) {
    vals = calloc((size_t)ci->values_num, sizeof(*vals));
    if (vals == NULL)
      return -1;
  }
  for (int i = 0; i < ci->values_num; i++) {
    const oconfig_value_t *v = &ci->values[i];
    switch (v->type) {
    case OCONFIG_TYPE_STRING:
      vals[i] = (ao_value_t){.type = AO_VAL_STRING, .s = v->value.string};
      break;
    case OCONFIG_TYPE_NUMBER:
      vals[i] = (ao_value_t){.type = AO_VAL_NUMBER, .n = v->value.number};
      break;
    case OCONFIG_TYPE_BOOLEAN:
    default:
      vals[i] = (ao_value_t){.type = AO_VAL_BOOLEAN, .b = v->value.boolean};
      break;
    }
  }
  out->values = vals;
  out->nvalues = (size_t)ci->values_num;
  if (ci->children_num > 0) {
    ao_conf_node_t *kids = calloc((size_t)ci->children_num, sizeof(*kids));
    if (kids == NULL)
      return -1;
    out->children = kids;
    out->nchildren = (size_t)ci->children_num;
    for (int i = 0; i < ci->children_num; i++)
      if (convert_node(&ci->children[i], &kids[i]) != 0)
        return -1;
  }
  return 0;
}

static void free_node(ao_conf_node_t *n) {
  for (size_t i = 0; i < n->nchildren; i++)
    free_node((ao_conf_node_t *)&n->children[i]);
  free((void *)n->children);
  free((void *)n->values);
}

static int ao_collectd_config(oconfig_item_t *ci) {
  if (!config_ready) {
    ao_config_init(&config);
    config_ready = 1;
  }
  ao_conf_node_t block;
  ao_err_t err = {{0}};
  int rc = convert_node(ci, &block);
  if (rc != 0)
    snprintf(err.msg, sizeof(err.msg), "out of memory");
  else
    rc = ao_config_apply(&config, &block, &err);
  free_node(&block);
  if (rc != 0) {
    ERROR(PLUGIN_NAME " plugin: configuration error: %s", err.msg);
    config_failed = 1;
    return -1;
  }
  return 0;
}

/* ---- reading ------------------------------------------------------------ */

static double mono_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int ao_collectd_read(user_data_t *ud) {
  ao_pipeline_t *p = ud->data;
  /* A missing or unreadable file was complained about inside; the counters
   * (and the health metrics that show the fault) are dispatched anyway and
   * the callback succeeds, so that collectd does not back off its interval. */
  (void)ao_pipeline_read(p, mono_now());
  /* Saved before the dispatch, so that a dispatched counter never goes
   * back: a crash before the save re-reads this interval's lines at the
   * next start into the counters as last saved (and those were never
   * exceeded by what was dispatched); a crash after it resumes from
   * exactly what is dispatched next. Nothing is counted twice either way.
   * A failure is complained about and counted inside. */
  (void)ao_pipeline_save_state(p);
  cdtime_t now = cdtime();
  ao_dispatch_pipeline(p, now, CDTIME_T_TO_DOUBLE(now));
  return 0;
}

/* StateFile defaults to collectd's BaseDir (Debian: /var/lib/collectd). */
static int default_state_file(void) {
  if (config.state_file != NULL)
    return 0;
  const char *base = global_option_get("BaseDir");
  if (base == NULL || base[0] == '\0') {
    WARNING(PLUGIN_NAME " plugin: collectd has no BaseDir and StateFile is "
                        "not set: positions and counters will not survive a "
                        "restart.");
    return 0;
  }
  size_t n = strlen(base) + sizeof("/attack_origin.state");
  config.state_file = malloc(n);
  if (config.state_file == NULL)
    return -1;
  snprintf(config.state_file, n, "%s/attack_origin.state", base);
  return 0;
}

static void describe_sources(const ao_log_config_t *log, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < log->nfiles && used < n; i++)
    used += (size_t)snprintf(buf + used, n - used, "%s\"%s\"", i ? ", " : "",
                             log->files[i]);
  if (log->nfiles == 0 && log->file != NULL && used < n)
    used += (size_t)snprintf(buf + used, n - used, "\"%s\"", log->file);
  if (log->journal && used < n)
    snprintf(buf + used, n - used, "%sthe journal%s%s%s", used ? " and " : "",
             log->journal_path ? " \"" : "",
             log->journal_path ? log->journal_path : "",
             log->journal_path ? "\"" : "");
}

static void free_pipeline(void *p) { ao_pipeline_destroy(p); }

static int ao_collectd_init(void) {
  if (initialised)
    return 0;
  if (config_failed) {
    ERROR(PLUGIN_NAME " plugin: not starting: the configuration has errors "
                      "(see above).");
    return -1;
  }
  if (!config_ready) {
    ERROR(PLUGIN_NAME " plugin: loaded without a <Plugin attack_origin> "
                      "block: nothing to read.");
    return -1;
  }
  ao_err_t err = {{0}};
  if (ao_config_finish(&config, &err) != 0) {
    ERROR(PLUGIN_NAME " plugin: configuration error: %s", err.msg);
    return -1;
  }
  if (default_state_file() != 0)
    return -1;
  double interval = CDTIME_T_TO_DOUBLE(plugin_get_interval());
  if (!(interval > 0))
    interval = 10.0;

  ao_pipeline_t **made = calloc(config.nlogs, sizeof(*made));
  if (made == NULL)
    return -1;
  for (size_t i = 0; i < config.nlogs; i++) {
    made[i] = ao_pipeline_create(&config, &config.logs[i], interval, &err);
    if (made[i] == NULL) {
      ERROR(PLUGIN_NAME " plugin: %s", err.msg);
      for (size_t j = 0; j < i; j++)
        ao_pipeline_destroy(made[j]);
      free(made);
      return -1;
    }
  }
  /* Register only once every pipeline exists, so that a failure leaves
   * nothing half-registered. */
  for (size_t i = 0; i < config.nlogs; i++) {
    char name[DATA_MAX_NAME_LEN];
    snprintf(name, sizeof(name), PLUGIN_NAME "/%s", config.logs[i].name);
    user_data_t ud = {.data = made[i], .free_func = free_pipeline};
    if (plugin_register_complex_read(NULL, name, ao_collectd_read, 0, &ud)) {
      ERROR(PLUGIN_NAME " plugin: registering the read callback %s failed.",
            name);
      ao_pipeline_destroy(made[i]);
    } else {
      char what[1024];
      describe_sources(&config.logs[i], what, sizeof(what));
      INFO(PLUGIN_NAME " plugin: <Log \"%s\"> reading %s as %s",
           config.logs[i].name, what, ao_format_name(config.logs[i].format));
    }
  }
  free(made);
  initialised = 1;
  return 0;
}

static int ao_collectd_shutdown(void) {
  /* The pipelines belong to collectd's read list now and are freed through
   * free_pipeline(); only the configuration is ours. */
  if (config_ready)
    ao_config_free(&config);
  config_ready = 0;
  return 0;
}

__attribute__((visibility("default"))) void module_register(void) {
  ao_log_set_sink(&collectd_sink);
  plugin_register_complex_config(PLUGIN_NAME, ao_collectd_config);
  plugin_register_init(PLUGIN_NAME, ao_collectd_init);
  plugin_register_shutdown(PLUGIN_NAME, ao_collectd_shutdown);
}
