/*
 * test_adapter.c - the collectd adapter (plugin/collectd/ files) against a
 * recording fake of the daemon (tests/fakes/fake_collectd.c): oconfig trees
 * in, registrations, log messages and value lists out.
 *
 * The adapter is compiled into this program to reach its statics.
 */
#include "ao_test.h"

#include "../fakes/fake_collectd.h"

#include "../../plugin/collectd/ao_dispatch.c"
#include "../../plugin/collectd/attack_origin.c"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- oconfig builders --------------------------------------------------- */

static oconfig_item_t *item(const char *key) {
  oconfig_item_t *ci = calloc(1, sizeof(*ci));
  ci->key = strdup(key);
  return ci;
}

static oconfig_value_t *add_value(oconfig_item_t *ci) {
  ci->values = realloc(ci->values, (ci->values_num + 1) * sizeof(*ci->values));
  oconfig_value_t *v = &ci->values[ci->values_num++];
  memset(v, 0, sizeof(*v));
  return v;
}

static oconfig_item_t *str(oconfig_item_t *ci, const char *s) {
  oconfig_value_t *v = add_value(ci);
  v->type = OCONFIG_TYPE_STRING;
  v->value.string = strdup(s);
  return ci;
}

static oconfig_item_t *num(oconfig_item_t *ci, double n) {
  oconfig_value_t *v = add_value(ci);
  v->type = OCONFIG_TYPE_NUMBER;
  v->value.number = n;
  return ci;
}

/* Appends a copy of child to parent's children (and frees the shell). */
static oconfig_item_t *child(oconfig_item_t *parent, oconfig_item_t *c) {
  parent->children = realloc(parent->children, (parent->children_num + 1) *
                                                   sizeof(*parent->children));
  parent->children[parent->children_num] = *c;
  parent->children[parent->children_num].parent = parent;
  free(c);
  return &parent->children[parent->children_num++];
}

static void free_item(oconfig_item_t *ci, int free_self) {
  for (int i = 0; i < ci->values_num; i++)
    if (ci->values[i].type == OCONFIG_TYPE_STRING)
      free(ci->values[i].value.string);
  free(ci->values);
  for (int i = 0; i < ci->children_num; i++)
    free_item(&ci->children[i], 0);
  free(ci->children);
  free(ci->key);
  if (free_self)
    free(ci);
}

/* <Plugin attack_origin> with GeoIPDatabase db and <Log name> File file. */
static oconfig_item_t *plugin_block(const char *db, const char *name,
                                    const char *file) {
  oconfig_item_t *p = str(item("Plugin"), "attack_origin");
  if (db != NULL)
    child(p, str(item("GeoIPDatabase"), db));
  oconfig_item_t *log = child(p, str(item("Log"), name));
  child(log, str(item("File"), file));
  child(log, str(item("Format"), "combined"));
  child(log, str(item("StartAt"), "beginning"));
  return p;
}

/* ---- fixtures ------------------------------------------------------------ */

typedef struct fixture {
  char *dir;
  char *log;
  char *db;
} fixture_t;

/* The adapter's statics persist between tests (and between the phases of
 * one test): start fresh, as a new collectd process would. */
static void restart_adapter(void) {
  fake_free_reads();
  if (config_ready)
    ao_config_free(&config);
  config_ready = 0;
  config_failed = 0;
  initialised = 0;
  fake_reset();
  module_register();
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  f->dir = ao_test_mkdtemp();
  f->log = ao_test_path(f->dir, "access.log");
  f->db = ao_test_data("test-country.mmdb");
  restart_adapter();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  fake_free_reads();
  if (fake.shutdown_cb != NULL)
    fake.shutdown_cb();
  ao_log_set_sink(NULL);
  ao_test_rmdir(f->dir);
  free(f->log);
  free(f->db);
  free(f);
  free(fake.values);
  fake.values = NULL;
  return 0;
}

#define NEED_DB(f) ao_test_require((f)->db, "test-country.mmdb")

/* Two attacks (a probe and a traversal) and an ordinary request from
 * addresses in the test database, and one unparsable line. The countries
 * come from tests/data/test-geo.tsv (81.2.69.0/24 GB, 2001:218::/32 JP). */
static const char LINES[] =
    "81.2.69.160 - - [10/Oct/2026:13:55:36 +0000] \"GET /.env HTTP/1.1\" 404 "
    "153 \"-\" \"Mozilla/5.0\"\n"
    "2001:218::1 - - [10/Oct/2026:13:55:37 +0000] \"GET "
    "/download?file=../../../../etc/passwd HTTP/1.1\" 400 0 \"-\" "
    "\"Mozilla/5.0\"\n"
    "81.2.69.161 - - [10/Oct/2026:13:55:38 +0000] \"GET /index.html "
    "HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0\"\n"
    "not a log line\n";

/* The whole path: config -> init -> one read callback per Log -> value lists
 * with the contract's identifiers. */
static void test_config_init_read_dispatch(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  ao_test_write(f->log, LINES, sizeof(LINES) - 1);
  oconfig_item_t *p = plugin_block(f->db, "web", f->log);
  assert_int_equal(fake.config_cb(p), 0);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), 0);
  assert_int_equal(fake.nreads, 1);
  assert_string_equal(fake.reads[0].name, "attack_origin/web");

  assert_int_equal(fake.reads[0].cb(&fake.reads[0].ud), 0);

  const fake_value_t *gb = fake_find("web", "total_events", "GB");
  const fake_value_t *jp = fake_find("web", "total_events", "JP");
  assert_non_null(gb);
  assert_non_null(jp);
  assert_string_equal(gb->plugin, "attack_origin");
  assert_int_equal(gb->value.derive, 1);
  assert_int_equal(jp->value.derive, 1);
  /* 2 attacks < MinAttacks 10: shares are NaN, but dispatched. */
  const fake_value_t *pct = fake_find("web", "percent", "GB");
  assert_non_null(pct);
  assert_true(isnan(pct->value.gauge));
  assert_non_null(fake_find("web", "total_requests", "probe-GB"));
  assert_non_null(fake_find("web", "total_requests", "traversal-JP"));
  assert_null(fake_find("web", "total_requests", "probe-JP"));
  assert_int_equal(fake_find("web", "derive", "lines_read")->value.derive, 4);
  assert_int_equal(fake_find("web", "derive", "lines_unparsed")->value.derive,
                   1);
  assert_int_equal(fake_find("web", "derive", "lines_attack")->value.derive,
                   2);
  assert_non_null(fake_find("web", "bytes", "lag"));
  const fake_value_t *age =
      fake_find("web", "duration", "geoip_database_age");
  assert_non_null(age);
  assert_false(isnan(age->value.gauge));

  /* A second read with nothing new dispatches the same counters again (a
   * quiet country is never "missing"). */
  int before = fake.nvalues;
  assert_int_equal(fake.reads[0].cb(&fake.reads[0].ud), 0);
  assert_true(fake.nvalues > before);
  assert_true(fake_find("web", "total_events", "GB") - fake.values >= before);
  assert_int_equal(fake_find("web", "total_events", "GB")->value.derive, 1);
}

/* Shares once the window holds MinAttacks attacks: they sum to 100. */
static void test_shares_after_min_attacks(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  for (int i = 0; i < 6; i++)
    ao_test_append(f->log, LINES, sizeof(LINES) - 1);
  oconfig_item_t *p = plugin_block(f->db, "web", f->log);
  assert_int_equal(fake.config_cb(p), 0);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), 0);
  assert_int_equal(fake.reads[0].cb(&fake.reads[0].ud), 0);
  double gb = fake_find("web", "percent", "GB")->value.gauge;
  double jp = fake_find("web", "percent", "JP")->value.gauge;
  assert_true(fabs(gb - 50.0) < 1e-9);
  assert_true(fabs(gb + jp - 100.0) < 1e-9);
}

/* A config error fails the config callback, is logged with the option and
 * the value, and init refuses to start. */
static void test_config_error(void **state) {
  fixture_t *f = *state;
  oconfig_item_t *p = plugin_block(NULL, "web", f->log);
  child(&p->children[0], str(item("Format"), "combind"));
  assert_int_equal(fake.config_cb(p), -1);
  free_item(p, 1);
  assert_int_equal(fake_log_count("Format"), 1);
  assert_int_equal(fake_log_count("given twice"), 1);

  restart_adapter();
  p = str(item("Plugin"), "attack_origin");
  oconfig_item_t *log = child(p, str(item("Log"), "web"));
  child(log, str(item("File"), f->log));
  child(log, str(item("Format"), "combind"));
  assert_int_equal(fake.config_cb(p), -1);
  free_item(p, 1);
  assert_int_equal(fake_log_count("attack_origin plugin: configuration "
                                   "error: <Log \"web\"> Format: unknown value "
                                   "\"combind\""),
                   1);
  assert_int_equal(fake.init_cb(), -1);
  assert_int_equal(fake.nreads, 0);
}

/* Structural mistakes: nested blocks, numbers where strings go, a Log
 * without File. */
static void test_structure_errors(void **state) {
  fixture_t *f = *state;
  oconfig_item_t *p = str(item("Plugin"), "attack_origin");
  oconfig_item_t *log = child(p, str(item("Log"), "web"));
  oconfig_item_t *nested = child(log, str(item("Match"), "x"));
  child(nested, str(item("Regex"), "y"));
  assert_int_equal(fake.config_cb(p), -1);
  free_item(p, 1);
  assert_int_equal(fake_log_count("unexpected block <Match>"), 1);

  restart_adapter();
  p = str(item("Plugin"), "attack_origin");
  child(p, num(item("GeoIPDatabase"), 42));
  assert_int_equal(fake.config_cb(p), -1);
  free_item(p, 1);
  assert_int_equal(fake_log_count("GeoIPDatabase: expects a string, got 42"),
                   1);

  restart_adapter();
  p = str(item("Plugin"), "attack_origin");
  log = child(p, str(item("Log"), "web"));
  child(log, str(item("Format"), "common"));
  assert_int_equal(fake.config_cb(p), -1);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), -1);
  assert_int_equal(fake_log_count("<Log \"web\">: missing required option File"),
                   1);

  /* Options but no Log: found at init, which fails. */
  restart_adapter();
  p = str(item("Plugin"), "attack_origin");
  child(p, str(item("GeoIPDatabase"), "/x.mmdb"));
  assert_int_equal(fake.config_cb(p), 0);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), -1);
  assert_int_equal(fake_log_count("no <Log> block"), 1);

  /* LoadPlugin without any <Plugin attack_origin> block. */
  restart_adapter();
  assert_int_equal(fake.init_cb(), -1);
  assert_int_equal(fake_log_count("without a <Plugin attack_origin> block"),
                   1);
  (void)f;
}

/* A missing log file: the read succeeds (collectd must not back off), the
 * fault is complained about once, health is still dispatched, and the file
 * is read once it appears. */
static void test_missing_file(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  oconfig_item_t *p = plugin_block(f->db, "web", f->log);
  assert_int_equal(fake.config_cb(p), 0);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), 0);
  for (int i = 0; i < 5; i++)
    assert_int_equal(fake.reads[0].cb(&fake.reads[0].ud), 0);
  assert_int_equal(fake.complaints, 1);
  assert_int_equal(fake_log_count("cannot open"), 1);
  assert_non_null(fake_find("web", "derive", "lines_read"));
  ao_test_write(f->log, LINES, sizeof(LINES) - 1);
  assert_int_equal(fake.reads[0].cb(&fake.reads[0].ud), 0);
  assert_int_equal(fake_find("web", "derive", "lines_read")->value.derive, 4);
}

/* Several Logs: one read callback each, separate counters. */
static void test_two_logs(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *other = ao_test_path(f->dir, "other.log");
  ao_test_write(f->log, LINES, sizeof(LINES) - 1);
  /* The first line only: the probe from GB. */
  ao_test_write(other, LINES, (size_t)(strchr(LINES, '\n') - LINES) + 1);
  oconfig_item_t *p = plugin_block(f->db, "web", f->log);
  oconfig_item_t *log2 = child(p, str(item("Log"), "api"));
  child(log2, str(item("File"), other));
  child(log2, str(item("StartAt"), "beginning"));
  assert_int_equal(fake.config_cb(p), 0);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), 0);
  assert_int_equal(fake.nreads, 2);
  for (int i = 0; i < 2; i++)
    assert_int_equal(fake.reads[i].cb(&fake.reads[i].ud), 0);
  assert_int_equal(fake_find("web", "derive", "lines_attack")->value.derive,
                   2);
  assert_int_equal(fake_find("api", "derive", "lines_attack")->value.derive,
                   1);
  assert_null(fake_find("api", "total_events", "JP"));
  free(other);
}

/* A stale database (built 40 days ago: geoipupdate stopped running) is
 * still used - attacks keep their countries - and its age is the gauge
 * that shows it (matrix C6; Logstash stops enriching after 30 days, we
 * do not). */
static void test_stale_database_age(void **state) {
  fixture_t *f = *state;
  /* The fake daemon's clock says 1700000000 (fake_collectd.c). */
  time_t built = 1700000000 - 40 * 86400;
  char opts[96];
  snprintf(opts, sizeof(opts), "--layout maxmind --epoch %lld",
           (long long)built);
  char *db = ao_test_mkmmdb(f->dir, "stale", "81.2.69.0/24\tGB\tGB\n", opts);
  ao_test_write(f->log, LINES, sizeof(LINES) - 1);
  oconfig_item_t *p = plugin_block(db, "web", f->log);
  assert_int_equal(fake.config_cb(p), 0);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), 0);
  assert_int_equal(fake.reads[0].cb(&fake.reads[0].ud), 0);
  assert_int_equal(fake_find("web", "total_events", "GB")->value.derive, 1);
  const fake_value_t *age =
      fake_find("web", "duration", "geoip_database_age");
  assert_non_null(age);
  double want = 40 * 86400.0;
  if (fabs(age->value.gauge - want) > 0.001)
    fail_msg("age %.0f s, want %.0f s (40 days)", age->value.gauge, want);
  assert_int_equal(
      fake_find("web", "derive", "geoip_reload_failures")->value.derive, 0);
  assert_non_null(fake_find("web", "derive", "geoip_cache_evictions"));
  assert_int_equal(fake_find("web", "derive", "rule_errors")->value.derive, 0);
  free(db);
}

/* Every health counter README documents is dispatched, with the same name. */
static void test_health_names_documented(void **state) {
  (void)state;
  ao_health_t h;
  memset(&h, 0, sizeof(h));
  ao_health_metric_t m[64];
  size_t n = ao_health_metrics(&h, m, 64);
  /* the dispatcher's array holds 64 */
  assert_true(n > 10 && n <= 64);
  char *readme = ao_test_slurp("README.md", NULL);
  for (size_t i = 0; i < n; i++) {
    char needle[96];
    snprintf(needle, sizeof(needle), "derive-%s", m[i].name);
    if (strstr(readme, needle) == NULL)
      fail_msg("README.md does not document %s", needle);
  }
  free(readme);
}

/* Every health counter is persisted in the state (so it continues after a
 * restart), and the new gauge is dispatched. */
static void test_health_persisted(void **state) {
  (void)state;
  ao_health_t h;
  memset(&h, 0, sizeof(h));
  ao_health_metric_t m[64];
  size_t n = ao_health_metrics(&h, m, 64);
  for (size_t i = 0; i < n; i++)
    if (!ao_health_persisted(m[i].name))
      fail_msg("health counter %s is not saved in the state file (add it "
               "to persisted[] in ao_pipeline.c)",
               m[i].name);
}

/* StateFile defaults to BaseDir/attack_origin.state; the read callback
 * saves the Log's state after dispatching; a restart of the adapter
 * continues the counters. */
static void test_state_in_basedir(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  fake.base_dir = f->dir;
  ao_test_write(f->log, LINES, sizeof(LINES) - 1);
  oconfig_item_t *p = plugin_block(f->db, "web", f->log);
  assert_int_equal(fake.config_cb(p), 0);
  assert_int_equal(fake.init_cb(), 0);
  char *sp = ao_test_path(f->dir, "attack_origin.state-web");
  assert_int_equal(access(sp, F_OK), -1);
  assert_int_equal(fake.reads[0].cb(&fake.reads[0].ud), 0);
  assert_int_equal(access(sp, F_OK), 0);
  assert_non_null(fake_find("web", "files", "tracked"));
  assert_int_equal(fake_find("web", "files", "tracked")->value.gauge, 1);
  assert_int_equal(fake_find("web", "derive", "lines_read")->value.derive, 4);

  /* collectd restarts: same config, more lines. */
  fake_free_reads();
  if (fake.shutdown_cb != NULL)
    fake.shutdown_cb();
  restart_adapter();
  fake.base_dir = f->dir;
  ao_test_append(f->log, LINES, sizeof(LINES) - 1);
  assert_int_equal(fake.config_cb(p), 0);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), 0);
  assert_int_equal(fake_log_count("resuming from state file"), 1);
  assert_int_equal(fake.reads[0].cb(&fake.reads[0].ud), 0);
  assert_int_equal(fake_find("web", "derive", "lines_read")->value.derive, 8);
  assert_int_equal(fake_find("web", "total_events", "GB")->value.derive, 2);
  free(sp);
}

/* StateFile set explicitly; a missing BaseDir without it warns. */
static void test_state_file_option(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *base = ao_test_path(f->dir, "custom");
  oconfig_item_t *p = plugin_block(f->db, "web", f->log);
  child(p, str(item("StateFile"), base));
  assert_int_equal(fake.config_cb(p), 0);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), 0);
  ao_test_write(f->log, LINES, sizeof(LINES) - 1);
  assert_int_equal(fake.reads[0].cb(&fake.reads[0].ud), 0);
  char *sp = ao_test_path(f->dir, "custom-web");
  assert_int_equal(access(sp, F_OK), 0);
  free(sp);
  free(base);

  fake_free_reads();
  restart_adapter();
  p = plugin_block(f->db, "web", f->log);
  assert_int_equal(fake.config_cb(p), 0);
  free_item(p, 1);
  assert_int_equal(fake.init_cb(), 0);
  assert_int_equal(fake_log_count("no BaseDir"), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_config_init_read_dispatch, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_shares_after_min_attacks, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_config_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_structure_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_logs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stale_database_age, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_health_names_documented, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_health_persisted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_state_in_basedir, setup, teardown),
      cmocka_unit_test_setup_teardown(test_state_file_option, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
