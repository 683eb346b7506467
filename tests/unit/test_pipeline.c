/*
 * test_pipeline.c - one Log's chain (ao_pipeline): lines in, counters out,
 * with the real parser, classifier and a generated test database.
 */
#include "ao_test.h"

#include "ao_pipeline.h"
#include "ao_regex.h"
#include "ao_state.h"

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


/* --- detection in the pipeline (issue 5) ---------------------------------- */

/* A pipeline of a Log configured through the neutral tree (like collectd
 * and the command-line tool do), with extra options for the Log. */
static ao_pipeline_t *pipeline_with(ao_config_t *cfg,
                                    const ao_conf_node_t *kids, size_t n) {
  static ao_value_t name;
  name = (ao_value_t){.type = AO_VAL_STRING, .s = "web"};
  ao_conf_node_t log = {"Log", &name, 1, kids, n};
  ao_conf_node_t root = {"Plugin", NULL, 0, &log, 1};
  ao_config_init(cfg);
  cfg->files_from_caller = 1;
  ao_err_t err = {{0}};
  if (ao_config_apply(cfg, &root, &err) != 0 ||
      ao_config_finish(cfg, &err) != 0)
    fail_msg("config: %s", err.msg);
  ao_pipeline_t *p = ao_pipeline_create(cfg, &cfg->logs[0], 0, &err);
  if (p == NULL)
    fail_msg("pipeline: %s", err.msg);
  return p;
}

static void logline(char *buf, size_t n, const char *addr, const char *method,
                    const char *target, int status, int second,
                    const char *ua) {
  snprintf(buf, n,
           "%s - - [10/Oct/2026:13:%02d:%02d +0000] \"%s %s HTTP/1.1\" %d 42 "
           "\"-\" \"%s\"",
           addr, second / 60, second % 60, method, target, status, ua);
}

/* Brute force: the 5th failed login of a burst and the later ones count
 * as bruteforce (and 401 as auth); another address is not affected. */
static void test_bruteforce(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_pipeline_t *p = pipeline_with(&cfg, NULL, 0);
  char buf[512];
  ao_catmask_t bf = AO_CAT_BIT(AO_CAT_BRUTEFORCE);
  for (int i = 0; i < 7; i++) {
    logline(buf, sizeof buf, "198.51.100.7", "POST", "/wp-login.php", 200,
            i * 5, "Mozilla/5.0");
    ao_verdict_t v = one(p, buf);
    /* wp-login.php is a tier-1 probe; bruteforce comes on top from the
     * 5th POST */
    assert_true(v.cats & AO_CAT_BIT(AO_CAT_PROBE));
    assert_int_equal((v.cats & bf) != 0, i >= 4);
  }
  logline(buf, sizeof buf, "203.0.113.8", "GET", "/admin", 401, 40,
          "Mozilla/5.0");
  assert_int_equal(one(p, buf).cats, AO_CAT_BIT(AO_CAT_AUTH));
  const ao_counts_t *c = ao_pipeline_counts(p);
  uint64_t total = 0;
  for (int k = 0; k < AO_COUNTRY_COUNT; k++)
    total += c->by_cat[k][AO_CAT_BRUTEFORCE];
  assert_int_equal(total, 3);
  assert_string_equal(ao_pipeline_category_name(p, AO_CAT_BRUTEFORCE),
                      "bruteforce");
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.bruteforce_evictions, 0);
  assert_int_equal(h.bruteforce_tracked, 2);
  ao_pipeline_destroy(p);
  ao_config_free(&cfg);

  /* BruteForceAttempts 0 and BruteForceNotFound 0: off */
  ao_value_t zero = {.type = AO_VAL_NUMBER, .n = 0};
  ao_conf_node_t off[] = {{"BruteForceAttempts", &zero, 1, NULL, 0},
                          {"BruteForceNotFound", &zero, 1, NULL, 0}};
  p = pipeline_with(&cfg, off, 2);
  for (int i = 0; i < 10; i++) {
    logline(buf, sizeof buf, "198.51.100.7", "GET", "/admin", 401, i,
            "Mozilla/5.0");
    assert_int_equal(one(p, buf).cats, AO_CAT_BIT(AO_CAT_AUTH));
  }
  ao_pipeline_destroy(p);
  ao_config_free(&cfg);
}

/* A <Rule> regex stopped by a PCRE2 limit: the condition does not hold,
 * the line is no attack of that rule, and the stop is counted in that
 * Log's rule_errors (a Log without rules counts none). */
static void test_rule_errors(void **state) {
  (void)state;
  ao_value_t rn = {.type = AO_VAL_STRING, .s = "slow"},
             rc = {.type = AO_VAL_STRING, .s = "slow_rule"},
             /* the F1 pattern of the reliability matrix, on a user agent
              * that holds its required characters but never matches */
             ru = {.type = AO_VAL_STRING, .s = "^(\\S+ ?)+\\) 404"};
  ao_conf_node_t rk[] = {{"Category", &rc, 1, NULL, 0},
                         {"UserAgent", &ru, 1, NULL, 0}};
  ao_conf_node_t kids[] = {{"Rule", &rn, 1, rk, 2}};
  ao_config_t cfg, cfg2;
  ao_pipeline_t *p = pipeline_with(&cfg, kids, 1);
  ao_pipeline_t *q = pipeline_with(&cfg2, NULL, 0);
  char buf[512];
  for (int i = 0; i < 5; i++) {
    logline(buf, sizeof buf, "198.51.100.7", "GET", "/index.html", 200, i,
            "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 "
            "Firefox/121.0");
    assert_int_equal(one(p, buf).cats, 0);
    assert_int_equal(one(q, buf).cats, 0);
  }
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.rule_errors, 5);
  ao_pipeline_health(q, &h);
  assert_int_equal(h.rule_errors, 0);
  ao_pipeline_destroy(p);
  ao_pipeline_destroy(q);
  ao_config_free(&cfg);
  ao_config_free(&cfg2);
}

/* Categories limits the built-in categories; Rules add theirs; Excludes
 * win over everything, brute force included. */
static void test_rules_and_categories(void **state) {
  (void)state;
  ao_value_t cats[] = {{.type = AO_VAL_STRING, .s = "-scanner"}};
  ao_value_t rn = {.type = AO_VAL_STRING, .s = "backup_dl"},
             rc = {.type = AO_VAL_STRING, .s = "backup_download"},
             rp = {.type = AO_VAL_STRING, .s = "\\.(zip|tar\\.gz)$"},
             rs = {.type = AO_VAL_STRING, .s = "2xx"};
  ao_conf_node_t rk[] = {{"Category", &rc, 1, NULL, 0},
                         {"Path", &rp, 1, NULL, 0},
                         {"Status", &rs, 1, NULL, 0}};
  ao_value_t en = {.type = AO_VAL_STRING, .s = "our_scanner"},
             enet = {.type = AO_VAL_STRING, .s = "192.0.2.0/24"};
  ao_conf_node_t ek[] = {{"Address", &enet, 1, NULL, 0}};
  ao_conf_node_t kids[] = {{"Categories", cats, 1, NULL, 0},
                           {"Rule", &rn, 1, rk, 3},
                           {"Exclude", &en, 1, ek, 1}};
  ao_config_t cfg;
  ao_pipeline_t *p = pipeline_with(&cfg, kids, 3);
  int bk = AO_CAT_BUILTIN_COUNT;
  assert_string_equal(ao_pipeline_category_name(p, bk), "backup_download");
  assert_null(ao_pipeline_category_name(p, bk + 1));
  char buf[512];
  /* sqlmap's user agent: scanner is off; its injection still counts */
  logline(buf, sizeof buf, "198.51.100.7", "GET", "/x?id=1%27%20or%201=1--",
          200, 1, "sqlmap/1.7");
  assert_int_equal(one(p, buf).cats, AO_CAT_BIT(AO_CAT_SQLI));
  logline(buf, sizeof buf, "198.51.100.7", "GET", "/", 200, 2, "sqlmap/1.7");
  assert_int_equal(one(p, buf).cats, 0);
  /* the rule's own category */
  logline(buf, sizeof buf, "198.51.100.7", "GET", "/files/report.zip", 200,
          3, "Mozilla/5.0");
  assert_int_equal(one(p, buf).cats, AO_CAT_BIT(bk));
  /* with a built-in category as well (a site backup is a probe) */
  logline(buf, sizeof buf, "198.51.100.7", "GET", "/site.tar.gz", 200, 3,
          "Mozilla/5.0");
  assert_int_equal(one(p, buf).cats, AO_CAT_BIT(bk) | AO_CAT_BIT(AO_CAT_PROBE));
  logline(buf, sizeof buf, "198.51.100.7", "GET", "/site.tar.gz", 404, 4,
          "Mozilla/5.0");
  assert_int_equal(one(p, buf).cats, AO_CAT_BIT(AO_CAT_PROBE)); /* backup */
  /* the excluded network: no attack at all, and no brute-force bucket */
  for (int i = 0; i < 30; i++) {
    logline(buf, sizeof buf, "192.0.2.10", "GET", "/x?id=1%27%20or%201=1--",
            401, 10 + i, "Mozilla/5.0");
    ao_verdict_t v = one(p, buf);
    assert_int_equal(v.cats, 0);
    assert_true(v.addr_valid);
  }
  ao_health_t h;
  ao_pipeline_health(p, &h);
  /* only 198.51.100.7 (its 404 above): the excluded address has no bucket */
  assert_int_equal(h.bruteforce_tracked, 1);
  assert_int_equal(h.rule_errors, 0);
  ao_pipeline_destroy(p);
  ao_config_free(&cfg);
}

/* ---- persisted state ------------------------------------------------------
 */

static void append_attacks(const char *path, const char *addr, int n) {
  char buf[512];
  for (int i = 0; i < n; i++) {
    line(buf, sizeof(buf), addr, "/.env", 404, "x");
    ao_test_append_str(path, buf);
    ao_test_append_str(path, "\n");
  }
}

static void with_state(fixture_t *f) {
  f->cfg.state_file = ao_test_path(f->dir, "attack_origin.state");
}

/* Positions and counters survive a restart together: nothing read twice,
 * every counter continues from its saved value. */
static void test_state_roundtrip(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  with_state(f);
  append_attacks(f->log, "81.2.69.160", 3);
  ao_test_append_str(f->log, "garbage line\n");
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  assert_non_null(p);
  assert_non_null(ao_pipeline_state_path(p));
  assert_true(strstr(ao_pipeline_state_path(p), "attack_origin.state-web") !=
              NULL);
  assert_int_equal(ao_pipeline_read(p, 100), 0);
  assert_int_equal(ao_pipeline_save_state(p), 0);
  ao_health_t before;
  ao_pipeline_health(p, &before);
  ao_pipeline_destroy(p);

  append_attacks(f->log, "2001:218::1", 2); /* while stopped */
  p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  const ao_counts_t *c = ao_pipeline_counts(p);
  assert_int_equal(c->attacks[cc("GB")], 3);
  assert_int_equal(c->by_cat[cc("GB")][AO_CAT_PROBE], 3);
  assert_int_equal(c->total, 3);
  assert_true(c->seen[cc("GB")]);
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.lines_read, 4);
  assert_int_equal(h.lines_unparsed, 1);
  assert_int_equal(h.lines_attack, 3);
  assert_int_equal(h.geo.lookups, before.geo.lookups);
  assert_int_equal(ao_pipeline_read(p, 200), 0);
  ao_pipeline_health(p, &h);
  assert_int_equal(h.lines_read, 6);
  assert_int_equal(h.lines_attack, 5);
  assert_int_equal(h.lines_unparsed, 1);
  assert_int_equal(c->attacks[cc("JP")], 2);
  assert_int_equal(h.state_rejected, 0);
  ao_pipeline_destroy(p);
}

/* kill -9 between a read and its save: the next start rolls back to the
 * saved positions and counters together and reads the lines again, so the
 * totals end up exactly as without the crash. */
static void test_state_crash_rollback(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  with_state(f);
  append_attacks(f->log, "81.2.69.160", 2);
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  assert_int_equal(ao_pipeline_read(p, 100), 0);
  assert_int_equal(ao_pipeline_save_state(p), 0);
  append_attacks(f->log, "81.2.69.160", 5);
  assert_int_equal(ao_pipeline_read(p, 110), 0);
  assert_int_equal(ao_pipeline_counts(p)->attacks[cc("GB")], 7);
  ao_pipeline_destroy(p); /* "killed": no save */

  p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  assert_int_equal(ao_pipeline_counts(p)->attacks[cc("GB")], 2);
  assert_int_equal(ao_pipeline_read(p, 120), 0);
  assert_int_equal(ao_pipeline_counts(p)->attacks[cc("GB")], 7);
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.lines_read, 7);
  ao_pipeline_destroy(p);
}

/* A damaged state file: a warning, counted, and a fresh start as StartAt
 * says (end here: the file's content is not read again). */
static void test_state_damaged(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  with_state(f);
  f->lc->start_at = AO_START_END;
  append_attacks(f->log, "81.2.69.160", 4);
  char *sp = ao_test_path(f->dir, "attack_origin.state-web");
  const char *bad[] = {
      "",
      "attack_origin-state 1\nlog web\ncounter lines_read 5\n",
      "attack_origin-state 99\nlog web\nend 0000000000000000\n",
      "\x01\x02\x03 random bytes \xff\n",
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ao_test_write(sp, bad[i], strlen(bad[i]));
    ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
    assert_non_null(p);
    ao_health_t h;
    ao_pipeline_health(p, &h);
    assert_int_equal(h.state_rejected, 1);
    assert_int_equal(h.lines_read, 0);
    assert_int_equal(ao_pipeline_read(p, 100), 0);
    ao_pipeline_health(p, &h);
    assert_int_equal(h.lines_read, 0); /* StartAt end: nothing re-read */
    ao_pipeline_destroy(p);
  }
  /* A record this version does not know, under a valid checksum. */
  ao_state_buf_t b;
  ao_state_buf_init(&b);
  ao_state_begin(&b, "web");
  ao_state_printf(&b, "counter no_such_counter 3\n");
  ao_state_end(&b);
  ao_err_t err = {{0}};
  assert_int_equal(ao_state_commit(sp, &b, &err), 0);
  ao_state_begin(&b, "web");
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.state_rejected, 1);
  ao_pipeline_destroy(p);
  /* Counters and positions are all or nothing: a bad country record after
   * good positions leaves the positions unused too. */
  ao_state_begin(&b, "web");
  ao_state_printf(&b, "file ");
  ao_state_put_str(&b, f->log);
  ao_state_printf(&b, " none\ncountry GB 0\n");
  ao_state_end(&b);
  assert_int_equal(ao_state_commit(sp, &b, &err), 0);
  p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  ao_pipeline_health(p, &h);
  assert_int_equal(h.state_rejected, 1);
  assert_int_equal(ao_pipeline_read(p, 100), 0);
  ao_pipeline_health(p, &h);
  assert_int_equal(h.lines_read, 0); /* "none" would have meant: read */
  ao_pipeline_destroy(p);
  ao_state_buf_free(&b);
  free(sp);
}

/* A state file that cannot be written: counted, reading goes on. */
static void test_state_unwritable(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  f->cfg.state_file = ao_test_path(f->dir, "no/such/dir/state");
  append_attacks(f->log, "81.2.69.160", 1);
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(ao_pipeline_read(p, 100 + i), 0);
    assert_int_equal(ao_pipeline_save_state(p), -1);
  }
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.state_save_failures, 3);
  assert_int_equal(h.lines_attack, 1);
  ao_pipeline_destroy(p);
}

/* Without StateFile (the command-line tool), nothing is saved. */
static void test_state_none(void **state) {
  fixture_t *f = *state;
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  assert_null(ao_pipeline_state_path(p));
  assert_int_equal(ao_pipeline_save_state(p), 0);
  ao_pipeline_destroy(p);
}

/* Every cumulative health counter is saved; gauges are not. */
static void test_health_persisted_names(void **state) {
  (void)state;
  assert_true(ao_health_persisted("lines_read"));
  assert_true(ao_health_persisted("geoip_reload_failures"));
  assert_true(ao_health_persisted("state_save_failures"));
  assert_false(ao_health_persisted("lag"));
  assert_false(ao_health_persisted("files_open"));
}

/* The read budget: a backlog is read in slices, the lag shows the rest. */
static void test_read_budget(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  f->lc->tun.read_budget = 65536;
  FILE *fp = fopen(f->log, "w");
  char buf[512];
  line(buf, sizeof(buf), "81.2.69.160", "/index.html", 200, "Mozilla/5.0");
  for (int i = 0; i < 5000; i++)
    fprintf(fp, "%s\n", buf);
  fclose(fp);
  ao_pipeline_t *p = ao_pipeline_create(&f->cfg, f->lc, 10, NULL);
  ao_health_t h;
  int reads = 0;
  do {
    assert_int_equal(ao_pipeline_read(p, 100 + reads), 0);
    ao_pipeline_health(p, &h);
    reads++;
  } while (h.lag_bytes > 0 && reads < 100);
  /* 485 KB, at most one buffer (MaxLineLength + 64 KiB) past the budget
   * per read. */
  assert_int_equal(h.lines_read, 5000);
  assert_true(reads >= 4);
  assert_int_equal(h.read_budget_stops, (uint64_t)reads - 1);
  ao_pipeline_destroy(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_verdicts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_counting_unit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_read_and_health, setup, teardown),
      cmocka_unit_test_setup_teardown(test_scan_fd, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_database, setup, teardown),
      cmocka_unit_test(test_bruteforce),
      cmocka_unit_test(test_rules_and_categories),
      cmocka_unit_test(test_rule_errors),
      cmocka_unit_test_setup_teardown(test_state_roundtrip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_state_crash_rollback, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_state_damaged, setup, teardown),
      cmocka_unit_test_setup_teardown(test_state_unwritable, setup, teardown),
      cmocka_unit_test_setup_teardown(test_state_none, setup, teardown),
      cmocka_unit_test(test_health_persisted_names),
      cmocka_unit_test_setup_teardown(test_read_budget, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
