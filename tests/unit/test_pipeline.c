/*
 * test_pipeline.c - one Log's chain (ao_pipeline): lines in, counters out,
 * with the real parser, classifier and a generated test database.
 */
#include "ao_test.h"

#include "ao_pipeline.h"
#include "ao_regex.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
  char *dir;
  char *log;
  char *db;
  ao_config_t cfg;
  ao_log_config_t *lc;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  f->dir = ao_test_mkdtemp();
  f->log = ao_test_path(f->dir, "access.log");
  f->db = ao_test_data("test-country.mmdb");
  ao_config_init(&f->cfg);
  if (f->db != NULL)
    f->cfg.geoip_database = strdup(f->db);
  ao_value_t name = {.type = AO_VAL_STRING, .s = "web"};
  f->lc = ao_config_add_log(&f->cfg, &name, 1, NULL);
  f->lc->file = strdup(f->log);
  f->lc->start_at = AO_START_BEGINNING;
  assert_int_equal(ao_config_finish(&f->cfg, NULL), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  ao_config_free(&f->cfg);
  ao_test_rmdir(f->dir);
  free(f->log);
  free(f->db);
  free(f);
  return 0;
}

#define NEED_DB(f) ao_test_require((f)->db, "test-country.mmdb")

static ao_country_t cc(const char *code) {
  ao_country_t c;
  assert_int_equal(ao_country_from_code(code, 2, &c), 0);
  return c;
}

static void line(char *buf, size_t n, const char *addr, const char *target,
                 int status, const char *ua) {
  snprintf(buf, n,
           "%s - - [10/Oct/2026:13:55:36 +0000] \"GET %s HTTP/1.1\" %d 42 "
           "\"-\" \"%s\"",
           addr, target, status, ua);
}

static ao_verdict_t one(ao_pipeline_t *p, const char *text) {
  ao_verdict_t v;
  ao_pipeline_line(p, text, strlen(text), &v);
  return v;
}

static uint64_t geo_lookups(const ao_pipeline_t *p) {
  ao_health_t h;
  ao_pipeline_health(p, &h);
  return h.geo.lookups;
}

/* Verdicts: parse errors, ordinary lines, attacks with their country. */
static void test_verdicts(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 0, NULL);
  assert_non_null(p);
  char buf[512];

  ao_verdict_t v = one(p, "garbage");
  assert_int_equal(v.parse_error, 1);
  assert_int_equal(v.cats, 0);
  assert_int_equal(v.line_no, 1);

  v = one(p, "");
  assert_int_equal(v.empty, 1);
  assert_int_equal(v.parse_error, 0);

  line(buf, sizeof(buf), "81.2.69.160", "/index.html", 200, "Mozilla/5.0");
  v = one(p, buf);
  assert_int_equal(v.cats, 0);
  /* Ordinary traffic is neither parsed for its address nor geolocated
   * (ZZ) unless asked. */
  assert_int_equal(v.addr_valid, 0);
  assert_int_equal(v.country, AO_COUNTRY_ZZ);
  assert_int_equal(geo_lookups(p), 0);
  ao_pipeline_set_geolocate_all(p, 1);
  v = one(p, buf);
  assert_int_equal(v.addr_valid, 1);
  assert_int_equal(v.country, cc("GB"));

  line(buf, sizeof(buf), "81.2.69.160", "/.env", 404, "Mozilla/5.0");
  v = one(p, buf);
  assert_int_equal(v.cats, AO_CAT_BIT(AO_CAT_PROBE));
  assert_int_equal(v.country, cc("GB"));

  /* An IPv4-mapped address is the IPv4 address. */
  line(buf, sizeof(buf), "::ffff:81.2.69.160", "/.env", 404, "Mozilla/5.0");
  v = one(p, buf);
  assert_int_equal(v.country, cc("GB"));
  assert_int_equal(v.ip.v4, 1);

  /* Octal-looking addresses are invalid, never reinterpreted: ZZ. */
  line(buf, sizeof(buf), "0121.2.69.160", "/.env", 404, "Mozilla/5.0");
  v = one(p, buf);
  assert_int_equal(v.addr_valid, 0);
  assert_int_equal(v.country, AO_COUNTRY_ZZ);
  assert_true(v.cats != 0);
  ao_pipeline_destroy(p);
}

/* One attack per line whatever its categories; per-category counters
 * count it in each. */
static void test_counting_unit(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  char buf[512];
  /* A probe path requested by an attack tool: two categories. */
  line(buf, sizeof(buf), "81.2.69.160", "/.git/config", 404,
       "sqlmap/1.7.2#stable (https://sqlmap.org)");
  ao_verdict_t v = one(p, buf);
  assert_true(v.cats & AO_CAT_BIT(AO_CAT_PROBE));
  assert_true(v.cats & AO_CAT_BIT(AO_CAT_SCANNER));
  const ao_counts_t *c = ao_pipeline_counts(p);
  assert_int_equal(c->total, 1);
  assert_int_equal(c->attacks[cc("GB")], 1);
  assert_int_equal(c->by_cat[cc("GB")][AO_CAT_PROBE], 1);
  assert_int_equal(c->by_cat[cc("GB")][AO_CAT_SCANNER], 1);
  assert_int_equal(ao_share_total(ao_pipeline_share(p)), 1);
  ao_pipeline_destroy(p);
}

/* ao_pipeline_read follows the file; health aggregates tail, parser and
 * GeoIP figures. */
static void test_read_and_health(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  char buf[512];
  line(buf, sizeof(buf), "2001:218::1", "/wp-login.php", 404, "x");
  ao_test_append_str(f->log, buf);
  ao_test_append_str(f->log, "\nnot a line\n10.0.0.1 - - [x] \"GET /.env");
  assert_int_equal(ao_pipeline_read(p, 100), 0);
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.lines_read, 2);
  assert_int_equal(h.lines_unparsed, 1);
  assert_int_equal(h.lines_attack, 1);
  /* The fragment waiting for its newline is not read yet. */
  assert_int_equal(h.lag_bytes, strlen("10.0.0.1 - - [x] \"GET /.env"));
  assert_int_equal(h.geo_loaded, 1);
  assert_true(h.geo_build_epoch > 0);
  assert_int_equal(ao_pipeline_counts(p)->attacks[cc("JP")], 1);
  /* The partial line completes: a private address, counted under ZZ. */
  ao_test_append_str(f->log, " HTTP/1.1\" 404 0 \"-\" \"-\"\n");
  assert_int_equal(ao_pipeline_read(p, 110), 0);
  ao_pipeline_health(p, &h);
  assert_int_equal(h.lines_read, 3);
  assert_int_equal(ao_pipeline_counts(p)->attacks[AO_COUNTRY_ZZ], 1);
  assert_int_equal(h.geo.special, 1);
  ao_pipeline_destroy(p);
}

static int count_verdicts(void *ud, const ao_verdict_t *v, const char *line,
                          size_t len) {
  (void)line;
  (void)len;
  int *n = ud;
  if (v->cats != 0)
    (*n)++;
  return 0;
}

/* Whole-stream scanning counts a last line without newline. */
static void test_scan_fd(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 0, NULL);
  assert_null(ao_pipeline_share(p));
  char buf[512];
  line(buf, sizeof(buf), "81.2.69.160", "/.env", 404, "x");
  ao_test_write(f->log, buf, strlen(buf)); /* no newline */
  int fd = open(f->log, O_RDONLY);
  int attacks = 0;
  assert_int_equal(ao_pipeline_scan_fd(p, fd, count_verdicts, &attacks), 0);
  close(fd);
  assert_int_equal(attacks, 1);
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.lines_read, 1);
  ao_pipeline_destroy(p);
}

/* A catastrophic user pattern run while a Log's lines are processed (as a
 * Format regex or a rule condition does) counts in that Log's
 * rule_errors, one per stopped match, and not in another Log's. */
static int hostile_rule(void *ud, const ao_verdict_t *v, const char *line,
                        size_t len) {
  (void)v;
  ao_regex_match(ud, line, len);
  return 0;
}

static void test_rule_errors(void **state) {
  fixture_t *f = *state;
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 0, NULL);
  ao_pipeline_t *q = ao_pipeline_create(&f->cfg, f->lc, 0, NULL);
  ao_regex_t *re = ao_regex_compile("^(\\S+ ?)+\" 404", 0, NULL, NULL);
  assert_non_null(re);
  char buf[512];
  for (int i = 0; i < 5; i++) {
    line(buf, sizeof(buf), "81.2.69.160", "/index.html", 200, "Mozilla/5.0");
    ao_test_append_str(f->log, buf);
    ao_test_append_str(f->log, "\n");
  }
  int fd = open(f->log, O_RDONLY);
  assert_int_equal(ao_pipeline_scan_fd(p, fd, hostile_rule, re), 0);
  close(fd);
  fd = open(f->log, O_RDONLY);
  assert_int_equal(ao_pipeline_scan_fd(q, fd, NULL, NULL), 0);
  close(fd);
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.lines_read, 5);
  assert_int_equal(h.rule_errors, 5);
  assert_int_equal(ao_regex_errors(re), 5);
  ao_pipeline_health(q, &h);
  assert_int_equal(h.rule_errors, 0);
  ao_regex_free(re);
  ao_pipeline_destroy(p);
  ao_pipeline_destroy(q);
}

/* No database: everything counts under ZZ, nothing is lost. */
static void test_no_database(void **state) {
  fixture_t *f = *state;
  free(f->cfg.geoip_database);
  f->cfg.geoip_database = ao_test_path(f->dir, "missing.mmdb");
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  assert_non_null(p);
  char buf[512];
  line(buf, sizeof(buf), "81.2.69.160", "/.env", 404, "x");
  ao_verdict_t v = one(p, buf);
  assert_int_equal(v.country, AO_COUNTRY_ZZ);
  assert_int_equal(ao_pipeline_counts(p)->attacks[AO_COUNTRY_ZZ], 1);
  assert_null(ao_pipeline_geoip_path(p));
  ao_pipeline_destroy(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_verdicts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_counting_unit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_read_and_health, setup, teardown),
      cmocka_unit_test_setup_teardown(test_scan_fd, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_database, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rule_errors, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
