/*
 * test_rules.c - user rules and signature files (ao_rules), built from a
 * configuration tree the way collectd's and the command-line tool's are.
 *
 *   - <Rule>: every condition must hold (method, status values and ranges,
 *     path/query/user agent/referer regexes, client networks); the rule's
 *     category, built-in or new, is returned;
 *   - <Exclude>: the same conditions, IPv4 and IPv6 networks;
 *   - a regex that hits its match limit is no match and is counted;
 *   - SignatureFile with the real OWASP CRS data files that Debian's
 *     modsecurity-crs installs (tests/tools/packages.txt), and with files
 *     of our own: phrase conventions per field, '#' comments;
 *   - errors name the file and the line.
 */
#include "ao_test.h"

#include "ao_config.h"
#include "ao_logfmt.h"
#include "ao_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(x) ((ao_value_t){.type = AO_VAL_STRING, .s = (x)})
#define NUM(x) ((ao_value_t){.type = AO_VAL_NUMBER, .n = (x)})

static const char *const CRS_UA =
    "/usr/share/modsecurity-crs/rules/scanners-user-agents.data";
static const char *const CRS_FILES =
    "/usr/share/modsecurity-crs/rules/restricted-files.data";

static ao_parser_t *parser;

static int setup(void **state) {
  (void)state;
  ao_err_t err;
  parser = ao_parser_create(AO_FMT_COMBINED, &err);
  return parser == NULL;
}

static int teardown(void **state) {
  (void)state;
  ao_parser_destroy(parser);
  return 0;
}

/* Parses a combined line (kept in a static buffer: records borrow it). */
static ao_record_t line_of(const char *addr, const char *method,
                           const char *target, int status, const char *ua,
                           const char *ref) {
  static char buf[4][2048];
  static int k;
  char *b = buf[k++ % 4];
  snprintf(b, sizeof(buf[0]),
           "%s - - [10/Oct/2026:13:55:36 +0000] \"%s %s HTTP/1.1\" %d 512 "
           "\"%s\" \"%s\"",
           addr, method, target, status, ref, ua);
  ao_record_t rec;
  assert_int_equal(ao_parser_parse(parser, b, strlen(b), &rec), 0);
  return rec;
}

static ao_ip_t ip_of(const char *s) {
  ao_ip_t ip;
  assert_int_equal(ao_ip_parse(s, strlen(s), &ip), 0);
  return ip;
}

/* Applies <Plugin><Log "web"> kids </Log></Plugin> (files from caller). */
static void apply_log(ao_config_t *cfg, const ao_conf_node_t *kids,
                      size_t nkids) {
  static ao_value_t name;
  name = S("web");
  ao_conf_node_t log = {"Log", &name, 1, kids, nkids};
  ao_conf_node_t root = {"Plugin", NULL, 0, &log, 1};
  ao_config_init(cfg);
  cfg->files_from_caller = 1;
  ao_err_t err = {{0}};
  if (ao_config_apply(cfg, &root, &err) != 0 ||
      ao_config_finish(cfg, &err) != 0)
    fail_msg("config: %s", err.msg);
}

static ao_rules_t *rules_of(const ao_config_t *cfg) {
  ao_err_t err = {{0}};
  ao_rules_t *r = ao_rules_create(&cfg->logs[0], 8192, &err);
  if (r == NULL)
    fail_msg("rules: %s", err.msg);
  return r;
}

static void test_rule_conditions(void **state) {
  (void)state;
  ao_value_t rname = S("wp_brute"), cat = S("wp_login"), post = S("POST"),
             put = S("put"), path = S("^/wp-login\\.php$"), st[] = {NUM(200),
             S("4xx")};
  ao_conf_node_t rkids[] = {{"Category", &cat, 1, NULL, 0},
                            {"Method", (ao_value_t[]){post, put}, 2, NULL, 0},
                            {"Path", &path, 1, NULL, 0},
                            {"Status", st, 2, NULL, 0}};
  ao_value_t r2name = S("ua_tool"), cat2 = S("scanner"),
             ua = S("(?i)curl/"), q = S("debug=1");
  ao_conf_node_t r2kids[] = {{"Category", &cat2, 1, NULL, 0},
                             {"UserAgent", &ua, 1, NULL, 0},
                             {"Query", &q, 1, NULL, 0}};
  ao_value_t r3name = S("from_partner"), cat3 = S("partner"),
             ref = S("^https://partner\\.example/"),
             net = S("203.0.113.0/24");
  ao_conf_node_t r3kids[] = {{"Category", &cat3, 1, NULL, 0},
                             {"Referer", &ref, 1, NULL, 0},
                             {"Address", &net, 1, NULL, 0}};
  ao_conf_node_t kids[] = {{"Rule", &rname, 1, rkids, 4},
                           {"Rule", &r2name, 1, r2kids, 3},
                           {"Rule", &r3name, 1, r3kids, 3}};
  ao_config_t cfg;
  apply_log(&cfg, kids, 3);
  int wp = ao_config_category(&cfg, "wp_login", 0, NULL);
  int partner = ao_config_category(&cfg, "partner", 0, NULL);
  assert_int_equal(wp, AO_CAT_BUILTIN_COUNT);
  assert_int_equal(partner, AO_CAT_BUILTIN_COUNT + 1);
  assert_string_equal(ao_config_category_name(&cfg, wp), "wp_login");
  ao_rules_t *r = rules_of(&cfg);
  assert_true(ao_rules_have_matches(r));
  assert_false(ao_rules_have_excludes(r));
  assert_true(ao_rules_need_address(r));

  ao_record_t a = line_of("192.0.2.1", "POST", "/wp-login.php", 200, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), AO_CAT_BIT(wp));
  a = line_of("192.0.2.1", "put", "/wp-login.php", 403, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), AO_CAT_BIT(wp));
  /* each condition can fail on its own */
  a = line_of("192.0.2.1", "GET", "/wp-login.php", 200, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), 0);
  a = line_of("192.0.2.1", "POST", "/wp-login.php", 302, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), 0);
  a = line_of("192.0.2.1", "POST", "/wp-login.php.bak", 200, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), 0);
  /* the query is matched apart from the path */
  a = line_of("192.0.2.1", "GET", "/x?debug=1", 200, "curl/8.0", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), AO_CAT_BIT(AO_CAT_SCANNER));
  a = line_of("192.0.2.1", "GET", "/x?debug=0", 200, "curl/8.0", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), 0);
  /* the address: a network, and no match without a valid address */
  ao_ip_t in = ip_of("203.0.113.77"), out = ip_of("203.0.114.1");
  a = line_of("203.0.113.77", "GET", "/", 200, "x",
              "https://partner.example/a");
  assert_int_equal(ao_rules_match(r, &a, &in), AO_CAT_BIT(partner));
  assert_int_equal(ao_rules_match(r, &a, &out), 0);
  assert_int_equal(ao_rules_match(r, &a, NULL), 0);
  /* an absent referer matches no regex */
  a = line_of("203.0.113.77", "GET", "/", 200, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, &in), 0);
  assert_int_equal(ao_rules_errors(r), 0);
  ao_rules_destroy(r);
  ao_config_free(&cfg);
}

static void test_excludes(void **state) {
  (void)state;
  ao_value_t n1 = S("monitoring"), ua = S("^collectd/"),
             path = S("^/server-status");
  ao_conf_node_t k1[] = {{"UserAgent", &ua, 1, NULL, 0},
                         {"Path", &path, 1, NULL, 0}};
  ao_value_t n2 = S("own_scanner"),
             nets[] = {S("198.51.100.0/25"), S("2001:db8:1::/48"),
                       S("192.0.2.9")};
  ao_conf_node_t k2[] = {{"Address", nets, 3, NULL, 0}};
  ao_conf_node_t kids[] = {{"Exclude", &n1, 1, k1, 2},
                           {"Exclude", &n2, 1, k2, 1}};
  ao_config_t cfg;
  apply_log(&cfg, kids, 2);
  ao_rules_t *r = rules_of(&cfg);
  assert_true(ao_rules_have_excludes(r));
  assert_false(ao_rules_have_matches(r));
  ao_record_t a =
      line_of("192.0.2.200", "GET", "/server-status?auto", 200,
              "collectd/5.12.0", "-");
  assert_true(ao_rules_excluded(r, &a, NULL));
  a = line_of("192.0.2.200", "GET", "/server-status", 200, "curl/8", "-");
  assert_false(ao_rules_excluded(r, &a, NULL)); /* both conditions needed */
  static const struct {
    const char *ip;
    int want;
  } cases[] = {{"198.51.100.1", 1},   {"198.51.100.127", 1},
               {"198.51.100.128", 0}, {"2001:db8:1:ffff::1", 1},
               {"2001:db8:2::1", 0},  {"192.0.2.9", 1},
               {"192.0.2.10", 0},     {"::ffff:198.51.100.5", 1}};
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ao_ip_t ip = ip_of(cases[i].ip);
    a = line_of(cases[i].ip, "GET", "/.env", 404, "nikto", "-");
    assert_int_equal(ao_rules_excluded(r, &a, &ip), cases[i].want);
  }
  ao_rules_destroy(r);
  ao_config_free(&cfg);
}

/* A catastrophic regex on a hostile path: the limit stops it, the line
 * does not match, the error is counted. */
static void test_regex_limit(void **state) {
  (void)state;
  ao_value_t n = S("evil"), cat = S("x"), path = S("^/(a|aa)+$");
  ao_conf_node_t k[] = {{"Category", &cat, 1, NULL, 0},
                        {"Path", &path, 1, NULL, 0}};
  ao_conf_node_t kids[] = {{"Rule", &n, 1, k, 2}};
  ao_config_t cfg;
  apply_log(&cfg, kids, 1);
  ao_rules_t *r = rules_of(&cfg);
  char target[128] = "/";
  memset(target + 1, 'a', 60);
  strcpy(target + 61, "b");
  ao_record_t a = line_of("192.0.2.1", "GET", target, 200, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), 0);
  assert_true(ao_rules_errors(r) >= 1);
  a = line_of("192.0.2.1", "GET", "/aaa", 200, "x", "-");
  assert_int_not_equal(ao_rules_match(r, &a, NULL), 0);
  ao_rules_destroy(r);
  ao_config_free(&cfg);
}

/* The real CRS data files from Debian's modsecurity-crs. */
static void test_crs_signature_files(void **state) {
  (void)state;
  FILE *f = fopen(CRS_UA, "r");
  if (f == NULL)
    fail_msg("%s missing: install modsecurity-crs (tests/tools/packages.txt)",
             CRS_UA);
  fclose(f);
  ao_value_t sf1[] = {S(CRS_UA), S("crs_scanner"), S("user_agent")};
  ao_value_t sf2[] = {S(CRS_FILES), S("restricted"), S("path")};
  ao_conf_node_t kids[] = {{"SignatureFile", sf1, 3, NULL, 0},
                           {"SignatureFile", sf2, 3, NULL, 0}};
  ao_config_t cfg;
  apply_log(&cfg, kids, 2);
  int scan = ao_config_category(&cfg, "crs_scanner", 0, NULL);
  int restr = ao_config_category(&cfg, "restricted", 0, NULL);
  ao_rules_t *r = rules_of(&cfg);
  ao_record_t a = line_of("192.0.2.1", "GET", "/", 200,
                          "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None)", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), AO_CAT_BIT(scan));
  a = line_of("192.0.2.1", "GET", "/", 200, "sqlmap/1.7.8#stable", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), AO_CAT_BIT(scan));
  a = line_of("192.0.2.1", "GET", "/", 200,
              "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 "
              "Firefox/120.0",
              "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), 0);
  /* restricted files, decoded and canonical: /%2e%68tpasswd, /a/../.git/ */
  a = line_of("192.0.2.1", "GET", "/site/%2ehtpasswd", 404, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), AO_CAT_BIT(restr));
  a = line_of("192.0.2.1", "GET", "/a/../.bash_history", 404, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), AO_CAT_BIT(restr));
  a = line_of("192.0.2.1", "GET", "/index.html", 200, "x", "-");
  assert_int_equal(ao_rules_match(r, &a, NULL), 0);
  ao_rules_destroy(r);
  ao_config_free(&cfg);
}

/* Files of our own: phrase conventions and comments. */
static void test_own_signature_files(void **state) {
  (void)state;
  char *dir = ao_test_mkdtemp();
  char *paths = ao_test_path(dir, "paths.data");
  char *queries = ao_test_path(dir, "queries.data");
  char *refs = ao_test_path(dir, "refs.data");
  const char *ps = "# admin areas\n\n^/manage/\n/secret\n  /trailing-blank  \n";
  ao_test_write(paths, ps, strlen(ps));
  const char *qs = "# words\nbadword\ncoupon=free\n";
  ao_test_write(queries, qs, strlen(qs));
  const char *rs = "spam-domain.example\n";
  ao_test_write(refs, rs, strlen(rs));
  ao_value_t s1[] = {S(paths), S("mine"), S("path")};
  ao_value_t s2[] = {S(queries), S("mine"), S("query")};
  ao_value_t s3[] = {S(refs), S("spam"), S("referer")};
  ao_conf_node_t kids[] = {{"SignatureFile", s1, 3, NULL, 0},
                           {"SignatureFile", s2, 3, NULL, 0},
                           {"SignatureFile", s3, 3, NULL, 0}};
  ao_config_t cfg;
  apply_log(&cfg, kids, 3);
  int mine = ao_config_category(&cfg, "mine", 0, NULL);
  int spam = ao_config_category(&cfg, "spam", 0, NULL);
  ao_rules_t *r = rules_of(&cfg);
  static const struct {
    const char *target, *ref;
    ao_catmask_t want;
  } cases[] = {
      {"/manage/users", "-", 1},      /* root-anchored segment */
      {"/manage", "-", 1},            /* ...at the end too */
      {"/x/manage/users", "-", 0},    /* not the first segment */
      {"/managed/", "-", 0},          /* not the whole segment */
      {"/secret", "-", 1},            /* a name... */
      {"/secret.txt", "-", 1},        /* ...followed by a non-name byte */
      {"/secretary", "-", 0},         /* ...not by more of a name */
      {"/a/trailing-blank", "-", 1},  /* blanks around a phrase dropped */
      {"/?q=BadWord", "-", 1},        /* query, case ignored */
      {"/?q=badwords", "-", 1},       /* a long phrase matches anywhere */
      {"/?coupon%3Dfree", "-", 1},    /* decoded */
      {"/", "http://spam-domain.example/x", 2},
      {"/", "http://example.org/", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ao_record_t a =
        line_of("192.0.2.1", "GET", cases[i].target, 200, "x", cases[i].ref);
    ao_catmask_t want = cases[i].want == 1   ? AO_CAT_BIT(mine)
                        : cases[i].want == 2 ? AO_CAT_BIT(spam)
                                             : 0;
    if (ao_rules_match(r, &a, NULL) != want)
      fail_msg("case %zu: %s %s", i, cases[i].target, cases[i].ref);
  }
  ao_rules_destroy(r);
  ao_config_free(&cfg);
  free(paths);
  free(queries);
  free(refs);
  ao_test_rmdir(dir);
}

/* Errors name the file and the line. */
static void test_sigfile_errors(void **state) {
  (void)state;
  char *dir = ao_test_mkdtemp();
  char *bad = ao_test_path(dir, "bad.data");
  char *empty = ao_test_path(dir, "empty.data");
  char big[400];
  memset(big, 'x', 300);
  big[300] = '\0';
  char content[512];
  ao_err_t err = {{0}};
  snprintf(content, sizeof content, "# ok\nnikto\n\n%s\n", big);
  ao_test_write(bad, content, strlen(content));
  ao_test_write(empty, "# nothing\n\n", 11);
  /* a NUL byte inside a phrase is refused, with its line */
  char *nul = ao_test_path(dir, "nul.data");
  ao_test_write(nul, "a\nb\0c\n", 6);
  assert_int_equal(ao_rules_check_sigfile(nul, 0, NULL, &err), -1);
  assert_non_null(strstr(err.msg, "line 2: a NUL byte"));
  free(nul);
  size_t n = 0;
  assert_int_equal(ao_rules_check_sigfile(bad, 0, &n, &err), -1);
  assert_non_null(strstr(err.msg, "line 4"));
  assert_non_null(strstr(err.msg, "longer than 255 bytes"));
  assert_int_equal(ao_rules_check_sigfile(empty, 0, &n, &err), -1);
  assert_non_null(strstr(err.msg, "no phrase"));
  char *missing = ao_test_path(dir, "missing.data");
  assert_int_equal(ao_rules_check_sigfile(missing, 0, &n, &err), -1);
  assert_non_null(strstr(err.msg, "cannot open"));
  assert_int_equal(ao_rules_check_sigfile(CRS_UA, 0, &n, &err), 0);
  assert_true(n > 50);
  assert_int_equal(ao_rules_check_regex("(", &err), -1);
  assert_non_null(strstr(err.msg, "missing closing parenthesis"));
  free(bad);
  free(empty);
  free(missing);
  ao_test_rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rule_conditions),
      cmocka_unit_test(test_excludes),
      cmocka_unit_test(test_regex_limit),
      cmocka_unit_test(test_crs_signature_files),
      cmocka_unit_test(test_own_signature_files),
      cmocka_unit_test(test_sigfile_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
