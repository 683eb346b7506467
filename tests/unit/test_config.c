/*
 * test_config.c - the option table and its checks (ao_config).
 */
#include "ao_test.h"

#include "ao_config.h"
#include "ao_journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ao_value_t S(const char *s) {
  return (ao_value_t){.type = AO_VAL_STRING, .s = s};
}
static ao_value_t N(double n) {
  return (ao_value_t){.type = AO_VAL_NUMBER, .n = n};
}
static ao_value_t B(int b) {
  return (ao_value_t){.type = AO_VAL_BOOLEAN, .b = b};
}

static ao_log_config_t *add_log(ao_config_t *cfg, const char *name) {
  ao_value_t v = S(name);
  ao_err_t err = {{0}};
  ao_log_config_t *log = ao_config_add_log(cfg, &v, 1, &err);
  assert_non_null(log);
  return log;
}

static int log_set(ao_config_t *cfg, ao_log_config_t *log, const char *key,
                   ao_value_t v, ao_err_t *err) {
  return ao_config_log_set(cfg, log, key, &v, 1, err);
}

static int plug_set(ao_config_t *cfg, const char *key, ao_value_t v,
                    ao_err_t *err) {
  return ao_config_set(cfg, key, &v, 1, err);
}

/* The example config is accepted, with the documented defaults. */
static void test_minimal_config(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  assert_int_equal(plug_set(&cfg, "GeoIPDatabase",
                            S("/var/lib/GeoIP/GeoLite2-Country.mmdb"), &err),
                   0);
  ao_log_config_t *log = add_log(&cfg, "web");
  assert_int_equal(
      log_set(&cfg, log, "File", S("/var/log/nginx/access.log"), &err), 0);
  assert_int_equal(log_set(&cfg, log, "Format", S("combined"), &err), 0);
  assert_int_equal(ao_config_finish(&cfg, &err), 0);
  assert_string_equal(cfg.geoip_database,
                      "/var/lib/GeoIP/GeoLite2-Country.mmdb");
  assert_string_equal(cfg.logs[0].name, "web");
  assert_int_equal(cfg.logs[0].format, AO_FMT_COMBINED);
  assert_int_equal(cfg.logs[0].start_at, AO_START_END);
  assert_true(cfg.logs[0].tun.share_window == 300.0);
  assert_int_equal(cfg.logs[0].tun.min_attacks, 10);
  assert_int_equal(cfg.logs[0].tun.max_line, 65536);
  assert_int_equal(cfg.geoip_cache_size, 16384);
  assert_null(cfg.geoip_country_path);
  ao_config_free(&cfg);
}

/* Keys match ignoring case, as in collectd; values of enums too. */
static void test_case_insensitive(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  ao_log_config_t *log = add_log(&cfg, "Web_2");
  assert_int_equal(log_set(&cfg, log, "file", S("/x.log"), &err), 0);
  assert_int_equal(log_set(&cfg, log, "FORMAT", S("Common"), &err), 0);
  assert_int_equal(log_set(&cfg, log, "startat", S("Beginning"), &err), 0);
  assert_int_equal(ao_config_finish(&cfg, &err), 0);
  assert_int_equal(cfg.logs[0].format, AO_FMT_COMMON);
  assert_int_equal(cfg.logs[0].start_at, AO_START_BEGINNING);
  ao_config_free(&cfg);
}

/* Plugin-level tunables are defaults that a Log may override. */
static void test_inheritance(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  assert_int_equal(plug_set(&cfg, "ShareWindow", N(600), &err), 0);
  assert_int_equal(plug_set(&cfg, "MinAttacks", N(50), &err), 0);
  ao_log_config_t *a = add_log(&cfg, "a");
  assert_int_equal(log_set(&cfg, a, "File", S("/a.log"), &err), 0);
  assert_int_equal(log_set(&cfg, a, "MinAttacks", N(5), &err), 0);
  ao_log_config_t *b = add_log(&cfg, "b");
  assert_int_equal(log_set(&cfg, b, "File", S("/b.log"), &err), 0);
  assert_int_equal(log_set(&cfg, b, "MaxLineLength", N(1024), &err), 0);
  assert_int_equal(ao_config_finish(&cfg, &err), 0);
  assert_true(cfg.logs[0].tun.share_window == 600.0);
  assert_int_equal(cfg.logs[0].tun.min_attacks, 5);
  assert_int_equal(cfg.logs[0].tun.max_line, 65536);
  assert_true(cfg.logs[1].tun.share_window == 600.0);
  assert_int_equal(cfg.logs[1].tun.min_attacks, 50);
  assert_int_equal(cfg.logs[1].tun.max_line, 1024);
  ao_config_free(&cfg);
}

/* Each mistake is refused with a message naming the block, the option and
 * the value. */
typedef struct bad_case {
  const char *key;
  ao_value_t value;
  int on_log; /* option of the Log block, else of the plugin block */
  const char *expect[3];
} bad_case_t;

static void test_bad_values(void **state) {
  (void)state;
  const bad_case_t cases[] = {
      /* unknown option, in either block */
      {"Fiel", {AO_VAL_STRING, "/x", 0, 0}, 1,
       {"<Log \"web\">", "unknown option", "Fiel"}},
      {"Colour", {AO_VAL_STRING, "red", 0, 0}, 0,
       {"<Plugin attack_origin>", "unknown option", "Colour"}},
      /* unknown enum values name the allowed ones */
      {"Format", {AO_VAL_STRING, "combind", 0, 0}, 1,
       {"Format", "\"combind\"", "\"combined\""}},
      {"StartAt", {AO_VAL_STRING, "middle", 0, 0}, 1,
       {"StartAt", "\"middle\"", "\"beginning\""}},
      /* wrong types */
      {"File", {AO_VAL_NUMBER, NULL, 3, 0}, 1, {"File", "a string", "3"}},
      {"ShareWindow", {AO_VAL_STRING, "300", 0, 0}, 1,
       {"ShareWindow", "a number", "\"300\""}},
      {"Format", {AO_VAL_BOOLEAN, NULL, 0, 1}, 1, {"Format", "true", NULL}},
      /* ranges */
      {"ShareWindow", {AO_VAL_NUMBER, NULL, 0, 0}, 1,
       {"ShareWindow", "0", "out of range"}},
      {"MinAttacks", {AO_VAL_NUMBER, NULL, 2.5, 0}, 0,
       {"MinAttacks", "2.5", "whole number"}},
      {"MinAttacks", {AO_VAL_NUMBER, NULL, 0, 0}, 1,
       {"MinAttacks", "0", "out of range"}},
      {"MaxLineLength", {AO_VAL_NUMBER, NULL, 10, 0}, 1,
       {"MaxLineLength", "10", "out of range"}},
      {"GeoIPCacheSize", {AO_VAL_NUMBER, NULL, -1, 0}, 0,
       {"GeoIPCacheSize", "-1", "out of range"}},
      /* empty strings */
      {"File", {AO_VAL_STRING, "", 0, 0}, 1, {"File", "empty", NULL}},
      {"GeoIPDatabase", {AO_VAL_STRING, "", 0, 0}, 0,
       {"GeoIPDatabase", "empty", NULL}},
      /* options in the wrong block */
      {"GeoIPDatabase", {AO_VAL_STRING, "/x.mmdb", 0, 0}, 1,
       {"GeoIPDatabase", "not allowed", NULL}},
      {"File", {AO_VAL_STRING, "/x.log", 0, 0}, 0,
       {"File", "not allowed", NULL}},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ao_config_t cfg;
    ao_config_init(&cfg);
    ao_err_t err = {{0}};
    ao_log_config_t *log = add_log(&cfg, "web");
    int rc = cases[i].on_log
                 ? log_set(&cfg, log, cases[i].key, cases[i].value, &err)
                 : plug_set(&cfg, cases[i].key, cases[i].value, &err);
    if (rc != -1)
      fail_msg("case %zu (%s) was accepted", i, cases[i].key);
    for (int k = 0; k < 3 && cases[i].expect[k] != NULL; k++)
      if (strstr(err.msg, cases[i].expect[k]) == NULL)
        fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg,
                 cases[i].expect[k]);
    ao_config_free(&cfg);
  }
}

/* Two values, or none, are refused. */
static void test_value_count(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  ao_log_config_t *log = add_log(&cfg, "web");
  ao_value_t two[2] = {S("/a"), S("/b")};
  assert_int_equal(ao_config_log_set(&cfg, log, "File", two, 2, &err), -1);
  assert_non_null(strstr(err.msg, "exactly one value"));
  assert_int_equal(ao_config_log_set(&cfg, log, "File", NULL, 0, &err), -1);
  ao_config_free(&cfg);
}

/* An option given twice in one block is a mistake, not "last one wins"
 * (File and Match repeat by design: issue 3). */
static void test_duplicate_option(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  ao_log_config_t *log = add_log(&cfg, "web");
  assert_int_equal(log_set(&cfg, log, "Format", S("common"), &err), 0);
  assert_int_equal(log_set(&cfg, log, "format", S("combined"), &err), -1);
  assert_non_null(strstr(err.msg, "Format: given twice"));
  assert_int_equal(log_set(&cfg, log, "RotateWait", N(5), &err), 0);
  assert_int_equal(log_set(&cfg, log, "RotateWait", N(6), &err), -1);
  assert_non_null(strstr(err.msg, "RotateWait: given twice"));
  ao_config_free(&cfg);
}

/* File repeats and takes glob patterns; the same value twice is refused;
 * two Logs may not share a value. */
static void test_many_files(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  ao_log_config_t *log = add_log(&cfg, "web");
  assert_int_equal(log_set(&cfg, log, "File", S("/a.log"), &err), 0);
  assert_int_equal(log_set(&cfg, log, "file", S("/var/log/x/*.log"), &err), 0);
  assert_int_equal(log_set(&cfg, log, "File", S("/a.log"), &err), -1);
  assert_string_equal(err.msg,
                      "<Log \"web\"> File: \"/a.log\" is listed twice");
  assert_int_equal(log->nfiles, 2);
  assert_string_equal(log->file, "/a.log");
  assert_string_equal(log->files[1], "/var/log/x/*.log");
  ao_log_config_t *b = add_log(&cfg, "api");
  assert_int_equal(log_set(&cfg, b, "File", S("/b.log"), &err), 0);
  assert_int_equal(log_set(&cfg, b, "File", S("/var/log/x/*.log"), &err), 0);
  assert_int_equal(ao_config_finish(&cfg, &err), -1);
  assert_non_null(strstr(err.msg, "\"/var/log/x/*.log\" is already read by "
                                  "<Log \"web\">"));
  ao_config_free(&cfg);

  /* 64 values at most. */
  ao_config_init(&cfg);
  log = add_log(&cfg, "web");
  char path[32];
  for (int i = 0; i < 64; i++) {
    snprintf(path, sizeof(path), "/f%d.log", i);
    assert_int_equal(log_set(&cfg, log, "File", S(path), &err), 0);
  }
  assert_int_equal(log_set(&cfg, log, "File", S("/one-more.log"), &err), -1);
  assert_non_null(strstr(err.msg, "more than 64"));
  ao_config_free(&cfg);
}

/* The reliability options: defaults, ranges, inheritance. */
static void test_reliability_options(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  assert_int_equal(plug_set(&cfg, "StateFile", S("/var/lib/x/state"), &err), 0);
  assert_int_equal(plug_set(&cfg, "ReadBudget", N(1048576), &err), 0);
  ao_log_config_t *a = add_log(&cfg, "a");
  assert_int_equal(log_set(&cfg, a, "File", S("/a.log"), &err), 0);
  assert_int_equal(log_set(&cfg, a, "RotateWait", N(0), &err), 0);
  assert_int_equal(log_set(&cfg, a, "ReadTimeFraction", N(0.2), &err), 0);
  ao_log_config_t *b = add_log(&cfg, "b");
  assert_int_equal(log_set(&cfg, b, "File", S("/b.log"), &err), 0);
  assert_int_equal(ao_config_finish(&cfg, &err), 0);
  assert_true(cfg.logs[0].tun.rotate_wait == 0.0);
  assert_true(cfg.logs[0].tun.read_time_fraction == 0.2);
  assert_int_equal(cfg.logs[0].tun.read_budget, 1048576);
  assert_true(cfg.logs[1].tun.rotate_wait == 30.0);
  assert_true(cfg.logs[1].tun.read_time_fraction == 0.5);
  assert_int_equal(cfg.logs[1].tun.read_budget, 1048576);
  char *sp = ao_config_state_path(&cfg, &cfg.logs[1]);
  assert_string_equal(sp, "/var/lib/x/state-b");
  free(sp);
  ao_config_free(&cfg);

  ao_config_init(&cfg);
  assert_null(ao_config_state_path(&cfg, NULL)); /* no StateFile: none */
  struct {
    const char *key;
    double v;
    const char *want;
  } bad[] = {
      {"RotateWait", -1, "RotateWait: value -1 is out of range (0 to 86400)"},
      {"ReadBudget", 1000, "ReadBudget: value 1000 is too small"},
      {"ReadBudget", 1.5, "ReadBudget: value 1.5 is not a whole number"},
      {"ReadTimeFraction", 0, "ReadTimeFraction: value 0 is out of range"},
      {"ReadTimeFraction", 1.5, "ReadTimeFraction: value 1.5 is out of range"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(plug_set(&cfg, bad[i].key, N(bad[i].v), &err), -1);
    if (strstr(err.msg, bad[i].want) == NULL)
      fail_msg("%s: \"%s\"", bad[i].key, err.msg);
    cfg.given = 0;
  }
  assert_int_equal(plug_set(&cfg, "StateFile", S(""), &err), -1);
  assert_non_null(strstr(err.msg, "StateFile: value \"\" is empty"));
  ao_log_config_t *l = add_log(&cfg, "web");
  assert_int_equal(log_set(&cfg, l, "StateFile", S("/x"), &err), -1);
  assert_non_null(strstr(err.msg, "not allowed in this block"));
  ao_config_free(&cfg);
}

/* Journal, Match, JournalPath. */
static void test_journal_options(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  ao_log_config_t *log = add_log(&cfg, "ssh");
  if (!ao_journal_available()) {
    assert_int_equal(log_set(&cfg, log, "Journal", B(1), &err), -1);
    assert_non_null(strstr(err.msg, "no journal support"));
    ao_config_free(&cfg);
    skip();
  }
  assert_int_equal(log_set(&cfg, log, "Journal", B(1), &err), 0);
  assert_int_equal(
      log_set(&cfg, log, "Match", S("_SYSTEMD_UNIT=ssh.service"), &err), 0);
  assert_int_equal(log_set(&cfg, log, "Match", S("+"), &err), 0);
  assert_int_equal(
      log_set(&cfg, log, "Match", S("SYSLOG_IDENTIFIER=sshd"), &err), 0);
  assert_int_equal(log_set(&cfg, log, "JournalPath", S("/j"), &err), 0);
  const char *bad[] = {"_systemd_unit=ssh", "=x", "UNIT", "1X=y", "A-B=c", ""};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    assert_int_equal(log_set(&cfg, log, "Match", S(bad[i]), &err), -1);
    assert_non_null(strstr(err.msg, "Match: invalid match"));
  }
  assert_int_equal(log_set(&cfg, log, "Journal", B(1), &err), -1);
  assert_non_null(strstr(err.msg, "Journal: given twice"));
  /* No File needed. */
  assert_int_equal(ao_config_finish(&cfg, &err), 0);
  assert_int_equal(cfg.logs[0].journal, 1);
  assert_int_equal(cfg.logs[0].nmatches, 3);
  assert_string_equal(cfg.logs[0].journal_path, "/j");
  ao_format_id_t sshd;
  if (ao_format_lookup("sshd", &sshd) == 0)
    assert_int_equal(cfg.logs[0].format, sshd);
  ao_config_free(&cfg);

  /* Match without Journal true. */
  ao_config_init(&cfg);
  log = add_log(&cfg, "web");
  assert_int_equal(log_set(&cfg, log, "Journal", S("yes"), &err), -1);
  assert_non_null(strstr(err.msg, "Journal: expects a boolean"));
  assert_int_equal(log_set(&cfg, log, "File", S("/a.log"), &err), 0);
  assert_int_equal(log_set(&cfg, log, "Match", S("A=b"), &err), 0);
  assert_int_equal(ao_config_log_done(log, &err), -1);
  assert_string_equal(err.msg, "<Log \"web\"> Match: needs Journal true");
  ao_config_free(&cfg);
}

/* Log names become plugin instances: [A-Za-z0-9_]{1,63}, unique. */
static void test_log_names(void **state) {
  (void)state;
  const char *bad[] = {"",       "web-1", "web.log", "a b", "ü",
                       "x/y",    "web\n",
                       "a234567890123456789012345678901234567890123456789012"
                       "345678901234"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ao_config_t cfg;
    ao_config_init(&cfg);
    ao_err_t err = {{0}};
    ao_value_t v = S(bad[i]);
    assert_null(ao_config_add_log(&cfg, &v, 1, &err));
    assert_non_null(strstr(err.msg, "invalid name"));
    ao_config_free(&cfg);
  }
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  add_log(&cfg, "web");
  /* 63 characters is the longest name */
  add_log(&cfg, "a23456789012345678901234567890123456789012345678901234567890123");
  ao_value_t dup = S("WEB");
  assert_null(ao_config_add_log(&cfg, &dup, 1, &err));
  assert_non_null(strstr(err.msg, "duplicate Log name \"WEB\""));
  ao_value_t num = N(1);
  assert_null(ao_config_add_log(&cfg, &num, 1, &err));
  ao_config_free(&cfg);
}

/* What can only be checked at the end: File required, at least one Log,
 * one file read by two Logs. */
static void test_finish_checks(void **state) {
  (void)state;
  ao_err_t err = {{0}};
  ao_config_t cfg;
  ao_config_init(&cfg);
  assert_int_equal(ao_config_finish(&cfg, &err), -1);
  assert_non_null(strstr(err.msg, "no <Log> block"));
  ao_config_free(&cfg);

  ao_config_init(&cfg);
  add_log(&cfg, "web");
  assert_int_equal(ao_config_finish(&cfg, &err), -1);
  assert_non_null(strstr(err.msg, "<Log \"web\">: missing required option File"));
  ao_config_free(&cfg);

  ao_config_init(&cfg);
  ao_log_config_t *a = add_log(&cfg, "a");
  assert_int_equal(log_set(&cfg, a, "File", S("/same.log"), &err), 0);
  ao_log_config_t *b = add_log(&cfg, "b");
  assert_int_equal(log_set(&cfg, b, "File", S("/same.log"), &err), 0);
  assert_int_equal(ao_config_finish(&cfg, &err), -1);
  assert_non_null(strstr(err.msg, "already read by <Log \"a\">"));
  ao_config_free(&cfg);
}

/* Booleans are accepted by no option yet, and say so. */
static void test_boolean_refused(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  assert_int_equal(plug_set(&cfg, "ShareWindow", B(1), &err), -1);
  assert_non_null(strstr(err.msg, "expects a number, got true"));
  ao_config_free(&cfg);
}

/* The neutral tree: Log blocks are opened and closed, nested blocks that
 * no option takes are refused, several plugin blocks add up. */
static void test_apply_tree(void **state) {
  (void)state;
  ao_value_t web = S("web"), file = S("/a.log"), fmt = S("common"),
             db = S("/x.mmdb"), match = S("x");
  ao_conf_node_t log_kids[] = {{"File", &file, 1, NULL, 0},
                               {"Format", &fmt, 1, NULL, 0}};
  ao_conf_node_t kids[] = {{"GeoIPDatabase", &db, 1, NULL, 0},
                           {"Log", &web, 1, log_kids, 2}};
  ao_conf_node_t root = {"Plugin", NULL, 0, kids, 2};
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  assert_int_equal(ao_config_apply(&cfg, &root, &err), 0);
  /* A second block adds a second Log. */
  ao_value_t api = S("api"), file2 = S("/b.log");
  ao_conf_node_t log2_kids[] = {{"File", &file2, 1, NULL, 0}};
  ao_conf_node_t kids2[] = {{"log", &api, 1, log2_kids, 1}};
  ao_conf_node_t root2 = {"Plugin", NULL, 0, kids2, 1};
  assert_int_equal(ao_config_apply(&cfg, &root2, &err), 0);
  assert_int_equal(ao_config_finish(&cfg, &err), 0);
  assert_int_equal(cfg.nlogs, 2);
  assert_int_equal(cfg.logs[0].format, AO_FMT_COMMON);
  assert_string_equal(cfg.logs[1].file, "/b.log");
  assert_string_equal(cfg.geoip_database, "/x.mmdb");
  ao_config_free(&cfg);

  /* A block no option takes, inside a Log and at the top. */
  ao_conf_node_t inner[] = {{"Regex", &match, 1, NULL, 0}};
  ao_conf_node_t bad_log_kids[] = {{"File", &file, 1, NULL, 0},
                                   {"Match", &match, 1, inner, 1}};
  ao_conf_node_t bad_kids[] = {{"Log", &web, 1, bad_log_kids, 2}};
  ao_conf_node_t bad = {"Plugin", NULL, 0, bad_kids, 1};
  ao_config_init(&cfg);
  assert_int_equal(ao_config_apply(&cfg, &bad, &err), -1);
  assert_string_equal(err.msg, "<Log \"web\">: unexpected block <Match>");
  ao_config_free(&cfg);
  ao_conf_node_t top_kids[] = {{"Match", &match, 1, inner, 1}};
  ao_conf_node_t top = {"Plugin", NULL, 0, top_kids, 1};
  ao_config_init(&cfg);
  assert_int_equal(ao_config_apply(&cfg, &top, &err), -1);
  assert_string_equal(err.msg,
                      "<Plugin attack_origin>: unexpected block <Match>");
  ao_config_free(&cfg);

  /* A Log without File: refused when closed, unless the caller brings the
   * files (the command-line tool). */
  ao_conf_node_t nofile_kids[] = {{"Log", &web, 1, NULL, 0}};
  ao_conf_node_t nofile = {"Plugin", NULL, 0, nofile_kids, 1};
  ao_config_init(&cfg);
  assert_int_equal(ao_config_apply(&cfg, &nofile, &err), -1);
  assert_non_null(strstr(err.msg, "missing required option File"));
  ao_config_free(&cfg);
  ao_config_init(&cfg);
  cfg.files_from_caller = 1;
  assert_int_equal(ao_config_apply(&cfg, &nofile, &err), 0);
  assert_int_equal(ao_config_finish(&cfg, &err), 0);
  assert_int_equal(cfg.logs[0].tun.max_line, 65536);
  ao_config_free(&cfg);
}


/* --- detection options (issue 5) ---------------------------------------- */

/* Brute-force settings: defaults, plugin-block defaults, per-Log values,
 * ranges. */
static void test_bruteforce_options(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  assert_int_equal(plug_set(&cfg, "BruteForceWindow", N(60), &err), 0);
  ao_log_config_t *a = add_log(&cfg, "a");
  assert_int_equal(log_set(&cfg, a, "File", S("/a"), &err), 0);
  assert_int_equal(log_set(&cfg, a, "BruteForceAttempts", N(0), &err), 0);
  ao_log_config_t *b = add_log(&cfg, "b");
  assert_int_equal(log_set(&cfg, b, "File", S("/b"), &err), 0);
  assert_int_equal(log_set(&cfg, b, "BruteForceNotFound", N(50), &err), 0);
  assert_int_equal(
      log_set(&cfg, b, "BruteForceTrackedAddresses", N(1000), &err), 0);
  assert_int_equal(ao_config_finish(&cfg, &err), 0);
  a = &cfg.logs[0];
  b = &cfg.logs[1];
  assert_int_equal(a->tun.bf_attempts, 0);
  assert_int_equal(a->tun.bf_notfound, 20);
  assert_true(a->tun.bf_window == 60.0);
  assert_int_equal(a->tun.bf_capacity, 16384);
  assert_int_equal(b->tun.bf_attempts, 5);
  assert_int_equal(b->tun.bf_notfound, 50);
  assert_int_equal(b->tun.bf_capacity, 1000);
  ao_config_free(&cfg);

  ao_config_init(&cfg);
  assert_int_equal(plug_set(&cfg, "BruteForceWindow", N(0), &err), -1);
  assert_string_equal(err.msg, "<Plugin attack_origin> BruteForceWindow: "
                               "value 0 is out of range (1 to 2.6784e+06)");
  assert_int_equal(plug_set(&cfg, "BruteForceAttempts", N(2.5), &err), -1);
  assert_non_null(strstr(err.msg, "not a whole number"));
  assert_int_equal(
      plug_set(&cfg, "BruteForceTrackedAddresses", N(0), &err), -1);
  ao_config_free(&cfg);
}

static int log_setv(ao_config_t *cfg, ao_log_config_t *log, const char *key,
                    const ao_value_t *v, size_t n, ao_err_t *err) {
  return ao_config_log_set(cfg, log, key, v, n, err);
}

static void test_categories_option(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  ao_log_config_t *log = add_log(&cfg, "web");
  ao_catmask_t all = (ao_catmask_t)((1u << AO_CAT_BUILTIN_COUNT) - 1u);
  assert_int_equal(log->categories, all);
  ao_value_t only[] = {S("sqli"), S("xss")};
  assert_int_equal(log_setv(&cfg, log, "Categories", only, 2, &err), 0);
  assert_int_equal(log->categories,
                   AO_CAT_BIT(AO_CAT_SQLI) | AO_CAT_BIT(AO_CAT_XSS));
  ao_config_free(&cfg);

  ao_config_init(&cfg);
  log = add_log(&cfg, "web");
  ao_value_t but[] = {S("-scanner"), S("-probe")};
  assert_int_equal(log_setv(&cfg, log, "Categories", but, 2, &err), 0);
  assert_int_equal(log->categories, all & ~(AO_CAT_BIT(AO_CAT_SCANNER) |
                                            AO_CAT_BIT(AO_CAT_PROBE)));
  ao_value_t mixed[] = {S("sqli"), S("-probe")};
  assert_int_equal(log_setv(&cfg, log, "Categories", mixed, 2, &err), -1);
  assert_non_null(strstr(err.msg, "given twice"));
  ao_log_config_t *l2 = add_log(&cfg, "api");
  assert_int_equal(log_setv(&cfg, l2, "Categories", mixed, 2, &err), -1);
  assert_non_null(strstr(err.msg, "not both"));
  ao_log_config_t *l3 = add_log(&cfg, "x3");
  ao_value_t unknown[] = {S("sqlinjection")};
  assert_int_equal(log_setv(&cfg, l3, "Categories", unknown, 1, &err), -1);
  assert_non_null(
      strstr(err.msg, "<Log \"x3\"> Categories: unknown value \"sqlinjection\""));
  ao_log_config_t *l4 = add_log(&cfg, "x4");
  ao_value_t num[] = {N(1)};
  assert_int_equal(log_setv(&cfg, l4, "Categories", num, 1, &err), -1);
  assert_non_null(strstr(err.msg, "expects strings"));
  ao_config_free(&cfg);
}

/* Applies <Plugin><Log "web"> File + kids </Log></Plugin>. */
static int apply_one(ao_config_t *cfg, const ao_conf_node_t *kids,
                     size_t nkids, ao_err_t *err) {
  static ao_value_t name, file;
  name = S("web");
  file = S("/var/log/x.log");
  ao_conf_node_t all[16];
  all[0] = (ao_conf_node_t){"File", &file, 1, NULL, 0};
  for (size_t i = 0; i < nkids && i < 15; i++)
    all[i + 1] = kids[i];
  ao_conf_node_t log = {"Log", &name, 1, all, nkids + 1};
  ao_conf_node_t root = {"Plugin", NULL, 0, &log, 1};
  ao_config_init(cfg);
  return ao_config_apply(cfg, &root, err);
}

static void expect_rule_error(const ao_conf_node_t *kids, size_t n,
                              const char *want) {
  ao_config_t cfg;
  ao_err_t err = {{0}};
  assert_int_equal(apply_one(&cfg, kids, n, &err), -1);
  if (strstr(err.msg, want) == NULL)
    fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
  ao_config_free(&cfg);
}

static void test_rule_blocks(void **state) {
  (void)state;
  ao_value_t rn = S("wp"), cat = S("wp_login"), path = S("^/wp-login"),
             st[] = {N(200), S("400-499"), S("5xx")}, m = S("POST"),
             net = S("192.0.2.0/24");
  ao_conf_node_t rk[] = {{"Category", &cat, 1, NULL, 0},
                         {"Path", &path, 1, NULL, 0},
                         {"Status", st, 3, NULL, 0},
                         {"Method", &m, 1, NULL, 0}};
  ao_value_t en = S("mine");
  ao_conf_node_t ek[] = {{"Address", &net, 1, NULL, 0}};
  ao_conf_node_t kids[] = {{"Rule", &rn, 1, rk, 4},
                           {"exclude", &en, 1, ek, 1}};
  ao_config_t cfg;
  ao_err_t err = {{0}};
  assert_int_equal(apply_one(&cfg, kids, 2, &err), 0);
  ao_log_config_t *log = &cfg.logs[0];
  assert_int_equal(log->nrules, 2);
  const ao_rule_config_t *r = &log->rules[0];
  assert_string_equal(r->name, "wp");
  assert_false(r->exclude);
  assert_int_equal(r->category, AO_CAT_BUILTIN_COUNT);
  assert_string_equal(r->path, "^/wp-login");
  assert_int_equal(r->nstatus, 3);
  assert_int_equal(r->status[1].lo, 400);
  assert_int_equal(r->status[1].hi, 499);
  assert_int_equal(r->status[2].lo, 500);
  assert_int_equal(r->status[2].hi, 599);
  assert_string_equal(r->methods[0], "POST");
  assert_true(log->rules[1].exclude);
  assert_int_equal(log->rules[1].naddr, 1);
  assert_int_equal(log->rules[1].addr[0].bits, 96 + 24);
  assert_string_equal(ao_config_category_name(&cfg, AO_CAT_BUILTIN_COUNT),
                      "wp_login");
  assert_string_equal(ao_config_category_name(&cfg, AO_CAT_BRUTEFORCE),
                      "bruteforce");
  assert_null(ao_config_category_name(&cfg, AO_CAT_BUILTIN_COUNT + 1));
  ao_config_free(&cfg);

  /* mistakes name the Log, the block and the option */
  ao_value_t bad_re = S("(unclosed");
  ao_conf_node_t k1[] = {{"Category", &cat, 1, NULL, 0},
                         {"Path", &bad_re, 1, NULL, 0}};
  ao_conf_node_t b1[] = {{"Rule", &rn, 1, k1, 2}};
  expect_rule_error(b1, 1,
                    "<Log \"web\"> <Rule \"wp\"> Path: invalid regular "
                    "expression \"(unclosed\": missing closing parenthesis");
  ao_conf_node_t k2[] = {{"Path", &path, 1, NULL, 0}};
  ao_conf_node_t b2[] = {{"Rule", &rn, 1, k2, 1}};
  expect_rule_error(b2, 1, "<Rule \"wp\">: missing required option Category");
  ao_conf_node_t k3[] = {{"Category", &cat, 1, NULL, 0}};
  ao_conf_node_t b3[] = {{"Rule", &rn, 1, k3, 1}};
  expect_rule_error(b3, 1, "no condition");
  ao_conf_node_t b3e[] = {{"Exclude", &rn, 1, NULL, 0}};
  expect_rule_error(b3e, 1, "<Exclude \"wp\">: no condition");
  ao_conf_node_t k4[] = {{"Category", &cat, 1, NULL, 0},
                         {"Path", &path, 1, NULL, 0}};
  ao_conf_node_t b4[] = {{"Exclude", &rn, 1, k4, 2}};
  expect_rule_error(b4, 1, "Category: an <Exclude> has no category");
  ao_value_t badst = S("4-99");
  ao_conf_node_t k5[] = {{"Category", &cat, 1, NULL, 0},
                         {"Status", &badst, 1, NULL, 0}};
  ao_conf_node_t b5[] = {{"Rule", &rn, 1, k5, 2}};
  expect_rule_error(b5, 1, "Status: invalid value \"4-99\"");
  ao_value_t badnet = S("192.0.2.0/33");
  ao_conf_node_t k6[] = {{"Address", &badnet, 1, NULL, 0}};
  ao_conf_node_t b6[] = {{"Exclude", &rn, 1, k6, 1}};
  expect_rule_error(b6, 1, "Address: invalid value \"192.0.2.0/33\"");
  ao_conf_node_t b7[] = {{"Rule", &rn, 1, k4, 2}, {"Rule", &rn, 1, k4, 2}};
  expect_rule_error(b7, 2, "<Rule \"wp\">: duplicate name \"wp\"");
  ao_value_t bigcat = S("Not-Valid");
  ao_conf_node_t k8[] = {{"Category", &bigcat, 1, NULL, 0},
                         {"Path", &path, 1, NULL, 0}};
  ao_conf_node_t b8[] = {{"Rule", &rn, 1, k8, 2}};
  expect_rule_error(b8, 1, "invalid category name \"Not-Valid\"");
  ao_conf_node_t k9[] = {{"Category", &cat, 1, NULL, 0},
                         {"Path", &path, 1, NULL, 0},
                         {"Path", &path, 1, NULL, 0}};
  ao_conf_node_t b9[] = {{"Rule", &rn, 1, k9, 3}};
  expect_rule_error(b9, 1, "<Rule \"wp\"> Path: given twice");
  ao_value_t f = S("/x");
  ao_conf_node_t k10[] = {{"File", &f, 1, NULL, 0}};
  ao_conf_node_t b10[] = {{"Rule", &rn, 1, k10, 1}};
  expect_rule_error(b10, 1, "option \"File\" is not allowed in this block");
  ao_value_t badname = S("a b");
  ao_conf_node_t b11[] = {{"Rule", &badname, 1, k4, 2}};
  expect_rule_error(b11, 1, "<Rule>: expects one name");
  /* the failing node is reported for hosts that know its position */
  ao_config_t cfg2;
  assert_int_equal(apply_one(&cfg2, b1, 1, &err), -1);
  assert_ptr_equal(ao_config_error_node(), &k1[1]);
  ao_config_free(&cfg2);
}

/* At most AO_CAT_MAX - AO_CAT_BUILTIN_COUNT user categories, one index per
 * name for every Log. */
static void test_user_categories(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_err_t err = {{0}};
  char name[32];
  int first = -1;
  for (int i = 0; i < AO_CAT_MAX - AO_CAT_BUILTIN_COUNT; i++) {
    snprintf(name, sizeof name, "c%d", i);
    int cat = ao_config_category(&cfg, name, 1, &err);
    assert_int_equal(cat, AO_CAT_BUILTIN_COUNT + i);
    if (i == 0)
      first = cat;
  }
  assert_int_equal(ao_config_category(&cfg, "c0", 1, &err), first);
  assert_int_equal(ao_config_category(&cfg, "sqli", 1, &err), AO_CAT_SQLI);
  assert_int_equal(ao_config_category(&cfg, "one_more", 1, &err), -1);
  assert_non_null(strstr(err.msg, "at most 24 categories"));
  assert_int_equal(ao_config_category(&cfg, "nope", 0, &err), -1);
  ao_config_free(&cfg);
}

static void test_signature_file_option(void **state) {
  (void)state;
  char *dir = ao_test_mkdtemp();
  char *good = ao_test_path(dir, "good.data");
  ao_test_write(good, "# c\n/.secret\n", 13);
  ao_value_t ok[] = {S(good), S("leak"), S("path")};
  ao_conf_node_t k[] = {{"SignatureFile", ok, 3, NULL, 0},
                        {"SignatureFile", ok, 3, NULL, 0}};
  ao_config_t cfg;
  ao_err_t err = {{0}};
  assert_int_equal(apply_one(&cfg, k, 2, &err), 0); /* repeatable */
  assert_int_equal(cfg.logs[0].nsigfiles, 2);
  assert_int_equal(cfg.logs[0].sigfiles[0].field, AO_SIG_PATH);
  assert_int_equal(cfg.logs[0].sigfiles[0].category, AO_CAT_BUILTIN_COUNT);
  ao_config_free(&cfg);
  ao_value_t badfield[] = {S(good), S("leak"), S("cookie")};
  ao_conf_node_t k2[] = {{"SignatureFile", badfield, 3, NULL, 0}};
  assert_int_equal(apply_one(&cfg, k2, 1, &err), -1);
  assert_non_null(strstr(err.msg, "unknown field \"cookie\""));
  ao_config_free(&cfg);
  char *missing = ao_test_path(dir, "missing.data");
  ao_value_t nofile[] = {S(missing), S("leak"), S("path")};
  ao_conf_node_t k3[] = {{"SignatureFile", nofile, 3, NULL, 0}};
  assert_int_equal(apply_one(&cfg, k3, 1, &err), -1);
  assert_non_null(strstr(err.msg, "cannot open"));
  ao_config_free(&cfg);
  ao_value_t two[] = {S(good), S("leak")};
  ao_conf_node_t k4[] = {{"SignatureFile", two, 2, NULL, 0}};
  assert_int_equal(apply_one(&cfg, k4, 1, &err), -1);
  assert_non_null(strstr(err.msg, "expects three strings"));
  ao_config_free(&cfg);
  free(good);
  free(missing);
  ao_test_rmdir(dir);
}

/* Every option of the table is documented in README.md and shown in
 * conf.d/attack_origin.conf, so the documentation cannot drift. */
static void test_options_documented(void **state) {
  (void)state;
  char *readme = ao_test_slurp("README.md", NULL);
  char *conf = ao_test_slurp("conf.d/attack_origin.conf", NULL);
  for (const ao_option_t *o = ao_config_options(); o->name != NULL; o++) {
    char needle[128];
    snprintf(needle, sizeof(needle), "`%s`", o->name);
    if (strstr(readme, needle) == NULL)
      fail_msg("README.md does not document %s", needle);
    if (strstr(conf, o->name) == NULL)
      fail_msg("conf.d/attack_origin.conf does not show %s", o->name);
  }
  free(readme);
  free(conf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_minimal_config),
      cmocka_unit_test(test_case_insensitive),
      cmocka_unit_test(test_inheritance),
      cmocka_unit_test(test_bad_values),
      cmocka_unit_test(test_value_count),
      cmocka_unit_test(test_duplicate_option),
      cmocka_unit_test(test_many_files),
      cmocka_unit_test(test_reliability_options),
      cmocka_unit_test(test_journal_options),
      cmocka_unit_test(test_log_names),
      cmocka_unit_test(test_finish_checks),
      cmocka_unit_test(test_boolean_refused),
      cmocka_unit_test(test_apply_tree),
      cmocka_unit_test(test_options_documented),
      cmocka_unit_test(test_bruteforce_options),
      cmocka_unit_test(test_categories_option),
      cmocka_unit_test(test_rule_blocks),
      cmocka_unit_test(test_user_categories),
      cmocka_unit_test(test_signature_file_option),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
