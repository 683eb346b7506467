/*
 * test_fmt_nginx.c - nginx log_format strings compiled into format programs
 * (ao_fmt_nginx + ao_fmtprog): every escape mode, skipped variables of
 * every shape, hostile values, format-string errors with their position,
 * and equivalence with the combined parser on a real log.
 *
 * Lines as real nginx 1.22 writes them are checked end to end by
 * tests/integration/test_servers.py; these cases pin the matching rules.
 * Every parse runs on an exact-size heap copy (valgrind/ASan see overreads).
 */
#include "ao_test.h"

#include "ao_fmt_nginx.h"
#include "ao_logfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMBINED_FMT                                                           \
  "$remote_addr - $remote_user [$time_local] \"$request\" $status "            \
  "$body_bytes_sent \"$http_referer\" \"$http_user_agent\""
#define MAIN_FMT COMBINED_FMT " \"$http_x_forwarded_for\""

static ao_fmtprog_t *compile(const char *fmt, ao_fpescape_t esc) {
  ao_err_t err = {{0}};
  ao_fmtprog_t *p = ao_fmt_nginx_compile(fmt, esc, 65536, &err);
  if (p == NULL)
    fail_msg("compile failed: %s: %s", fmt, err.msg);
  return p;
}

/* Matches a heap copy of line; the copy is returned for the slices. */
static int match(ao_fmtprog_t *p, const char *line, size_t n, ao_record_t *r,
                 char **copy) {
  *copy = malloc(n ? n : 1);
  assert_non_null(*copy);
  memcpy(*copy, line, n);
  return ao_fmtprog_match(p, *copy, n, r);
}

static void expect(const char *what, ao_slice_t got, const char *want) {
  if (want == NULL)
    want = "";
  if (got.n != strlen(want) || (got.n > 0 && memcmp(got.p, want, got.n) != 0))
    fail_msg("%s is \"%.*s\", expected \"%s\"", what, (int)got.n, got.p, want);
}

static void test_main_format(void **state) {
  (void)state;
  ao_fmtprog_t *p = compile(MAIN_FMT, AO_FPESC_BACKSLASH);
  const char line[] =
      "203.0.113.7 - bob smith [10/Oct/2023:13:55:36 +0000] \"GET "
      "/search?q=%27 HTTP/1.1\" 200 5123 \"https://shop.example/\" "
      "\"Mozilla/5.0 (X11)\" \"198.51.100.1, 10.0.0.2\"";
  ao_record_t r;
  char *c;
  assert_int_equal(match(p, line, sizeof(line) - 1, &r, &c), 0);
  expect("addr", r.addr, "203.0.113.7");
  expect("time", r.time, "10/Oct/2023:13:55:36 +0000");
  expect("method", r.method, "GET");
  expect("target", r.target, "/search?q=%27");
  expect("protocol", r.protocol, "HTTP/1.1");
  assert_int_equal(r.status, 200);
  expect("referer", r.referer, "https://shop.example/");
  expect("agent", r.user_agent, "Mozilla/5.0 (X11)");
  expect("xff", r.xff, "198.51.100.1, 10.0.0.2");
  assert_int_equal(r.flags, 0);
  free(c);

  /* a "-" forwarded-for is empty; so are referer and agent */
  const char dash[] = "203.0.113.7 - - [10/Oct/2023:13:55:36 +0000] \"GET / "
                      "HTTP/1.1\" 404 0 \"-\" \"-\" \"-\"";
  assert_int_equal(match(p, dash, sizeof(dash) - 1, &r, &c), 0);
  expect("xff", r.xff, NULL);
  expect("referer", r.referer, NULL);
  assert_int_equal(r.status, 404);
  free(c);
  ao_fmtprog_free(p);
}

/* nginx escapes ", \ and bytes outside 0x20-0x7E as \xHH (escape=default):
 * a client cannot close a field early, whatever it sends. */
static void test_hostile_default_escape(void **state) {
  (void)state;
  ao_fmtprog_t *p = compile(MAIN_FMT, AO_FPESC_BACKSLASH);
  struct {
    const char *line, *addr, *agent, *xff;
    int status;
  } cases[] = {
      /* a user agent that fakes the end of the line and a status */
      {"198.51.100.9 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 "
       "1 \"-\" \"x\\x22 500 1 \\x22-\\x22 \\x226.6.6.6\" \"-\"",
       "198.51.100.9", "x\\x22 500 1 \\x22-\\x22 \\x226.6.6.6", NULL, 200},
      /* a user name with brackets, spaces and a fake request */
      {"198.51.100.9 - a [10/Oct/2023:13:55:36 +0000] \\x22GET / b [10/Oct/"
       "2023:13:55:36 +0000] \"GET /x HTTP/1.1\" 401 1 \"-\" \"ua\" \"-\"",
       "198.51.100.9", "ua", NULL, 401},
      /* CR, LF and high bytes in the request */
      {"198.51.100.9 - - [10/Oct/2023:13:55:36 +0000] \"GET /\\x0D\\x0A\\xFF "
       "HTTP/1.1\" 400 1 \"-\" \"-\" \"1.2.3.4\"",
       "198.51.100.9", NULL, "1.2.3.4", 400},
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(cases); i++) {
    ao_record_t r;
    char *c;
    if (match(p, cases[i].line, strlen(cases[i].line), &r, &c) != 0)
      fail_msg("case %zu did not parse", i);
    expect("addr", r.addr, cases[i].addr);
    expect("agent", r.user_agent, cases[i].agent);
    expect("xff", r.xff, cases[i].xff);
    assert_int_equal(r.status, cases[i].status);
    free(c);
  }
  /* a request with an escaped byte sets AO_REC_ESCAPED for the classifier */
  const char esc[] = "198.51.100.9 - - [10/Oct/2023:13:55:36 +0000] \"GET "
                     "/a\\x22b HTTP/1.1\" 200 1 \"-\" \"-\" \"-\"";
  ao_record_t r;
  char *c;
  assert_int_equal(match(p, esc, sizeof(esc) - 1, &r, &c), 0);
  assert_true(r.flags & AO_REC_ESCAPED);
  free(c);
  ao_fmtprog_free(p);
}

/* escape=json: the line is a JSON object; values are decoded. */
static void test_escape_json(void **state) {
  (void)state;
  const char *fmt =
      "{\"time\":\"$time_iso8601\",\"remote_addr\":\"$remote_addr\","
      "\"request\":\"$request\",\"status\":$status,\"bytes\":$body_bytes_sent,"
      "\"ua\":\"$http_user_agent\",\"xff\":\"$http_x_forwarded_for\","
      "\"rt\":$request_time,\"up\":\"$upstream_addr\"}";
  ao_fmtprog_t *p = compile(fmt, AO_FPESC_JSON);
  const char line[] =
      "{\"time\":\"2026-11-28T10:00:00+00:00\",\"remote_addr\":\"2001:db8::5\","
      "\"request\":\"GET /a\\\"b\\\\c HTTP/1.1\",\"status\":403,\"bytes\":12,"
      "\"ua\":\"q\\\" \\u0001x\\n\",\"xff\":\"\",\"rt\":0.004,"
      "\"up\":\"10.0.0.1:80, 10.0.0.2:80\"}";
  ao_record_t r;
  char *c;
  assert_int_equal(match(p, line, sizeof(line) - 1, &r, &c), 0);
  expect("addr", r.addr, "2001:db8::5");
  expect("time", r.time, "2026-11-28T10:00:00+00:00");
  expect("target", r.target, "/a\"b\\c");
  expect("method", r.method, "GET");
  expect("agent", r.user_agent, "q\" \001x\n");
  expect("xff", r.xff, NULL);
  assert_int_equal(r.status, 403);
  assert_false(r.flags & AO_REC_ESCAPED);
  free(c);
  /* a value holding a JSON-escaped quote cannot end its field */
  const char fake[] =
      "{\"time\":\"t\",\"remote_addr\":\"198.51.100.3\",\"request\":\"GET / "
      "HTTP/1.1\",\"status\":200,\"bytes\":1,\"ua\":\"\\\",\\\"status\\\":500"
      "\",\"xff\":\"-\",\"rt\":0.001,\"up\":\"-\"}";
  assert_int_equal(match(p, fake, sizeof(fake) - 1, &r, &c), 0);
  assert_int_equal(r.status, 200);
  expect("agent", r.user_agent, "\",\"status\":500");
  free(c);
  ao_fmtprog_free(p);
}

static void test_escape_none(void **state) {
  (void)state;
  ao_fmtprog_t *p = compile(COMBINED_FMT, AO_FPESC_NONE);
  /* raw quotes inside the user agent; the following fields decide */
  const char line[] = "198.51.100.4 - - [10/Oct/2023:13:55:36 +0000] \"GET /x "
                      "HTTP/1.1\" 200 1 \"-\" \"a\" b \"c\"";
  ao_record_t r;
  char *c;
  assert_int_equal(match(p, line, sizeof(line) - 1, &r, &c), 0);
  expect("addr", r.addr, "198.51.100.4");
  expect("agent", r.user_agent, "a\" b \"c");
  assert_int_equal(r.status, 200);
  assert_false(r.flags & AO_REC_ESCAPED);
  free(c);
  ao_fmtprog_free(p);
}

/* Every other variable is skipped whatever its content. */
static void test_skipped_variables(void **state) {
  (void)state;
  const char *fmt =
      "$remote_addr $host [$time_local] \"$request_method $uri?$args\" "
      "$status $request_time $upstream_response_time $upstream_addr "
      "$upstream_status \"$sent_http_x_foo\" ${unknown_var} $pipe "
      "\"$http_user_agent\" $msec";
  ao_fmtprog_t *p = compile(fmt, AO_FPESC_BACKSLASH);
  const char line[] =
      "198.51.100.5 shop.example [10/Oct/2023:13:55:36 +0000] \"POST "
      "/login.php?user=a b\" 401 0.012 0.004, 0.008 : 0.001 10.0.0.1:80, "
      "10.0.0.2:80 : unix:/tmp/s 502, 401 \"a \\x22quoted\\x22 value\" "
      "x-y_z . \"curl/8\" 1700000000.123";
  ao_record_t r;
  char *c;
  assert_int_equal(match(p, line, sizeof(line) - 1, &r, &c), 0);
  expect("addr", r.addr, "198.51.100.5");
  expect("host", r.host, "shop.example");
  expect("method", r.method, "POST");
  expect("target", r.target, "/login.php");
  expect("query", r.query, "user=a b");
  assert_int_equal(r.status, 401);
  expect("agent", r.user_agent, "curl/8");
  free(c);
  ao_fmtprog_free(p);

  /* $realip_remote_addr when $remote_addr is absent; $server_name host */
  p = compile("$realip_remote_addr $server_name $status", AO_FPESC_BACKSLASH);
  const char l2[] = "198.51.100.6 www 200";
  assert_int_equal(match(p, l2, sizeof(l2) - 1, &r, &c), 0);
  expect("addr", r.addr, "198.51.100.6");
  expect("host", r.host, "www");
  free(c);
  ao_fmtprog_free(p);
}

/* nginx.conf's quoted segments give the same program as the bare form. */
static void test_nginx_conf_form(void **state) {
  (void)state;
  ao_fmtprog_t *p =
      compile("'$remote_addr - $remote_user [$time_local] \"$request\" '\n"
              "    '$status $body_bytes_sent \"$http_referer\" '\n"
              "    '\"$http_user_agent\" \"$http_x_forwarded_for\"';",
              AO_FPESC_BACKSLASH);
  const char line[] =
      "203.0.113.7 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 "
      "\"-\" \"ua\" \"1.2.3.4\"";
  ao_record_t r;
  char *c;
  assert_int_equal(match(p, line, sizeof(line) - 1, &r, &c), 0);
  expect("xff", r.xff, "1.2.3.4");
  free(c);
  ao_fmtprog_free(p);
}

static void test_errors_with_position(void **state) {
  (void)state;
  struct {
    const char *fmt, *want;
  } cases[] = {
      {"$remote_addr $ $status", "unknown variable syntax at position 14"},
      {"$remote_addr ${status", "unknown variable syntax at position 14"},
      {"$remote_addr ${} x", "unknown variable syntax at position 14"},
      {"$remote_addr \"$request $status",
       "unbalanced quotes: the \" at position 14"},
      {"'$remote_addr \"$request\" $status", "the ' at position 1 is never "
                                             "closed"},
      {"'$remote_addr' x '$status'", "unquoted text at position 16"},
      {"$remote_addr $request_time$status", "position 27"},
      {"$status $request", "no client address"},
      {"just text", "no variable"},
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(cases); i++) {
    ao_err_t err = {{0}};
    ao_fmtprog_t *p =
        ao_fmt_nginx_compile(cases[i].fmt, AO_FPESC_BACKSLASH, 1024, &err);
    if (p != NULL)
      fail_msg("case %zu compiled: %s", i, cases[i].fmt);
    if (strstr(err.msg, cases[i].want) == NULL)
      fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, cases[i].want);
  }
  /* $status$x is fine: a status has a fixed length */
  ao_fmtprog_t *p =
      compile("$remote_addr $status$body_bytes_sent", AO_FPESC_BACKSLASH);
  ao_record_t r;
  char *c;
  assert_int_equal(match(p, "1.2.3.4 200123", 14, &r, &c), 0);
  assert_int_equal(r.status, 200);
  free(c);
  ao_fmtprog_free(p);
}

/* Truncated lines never parse, and no byte past n is read. */
static void test_prefixes_fail(void **state) {
  (void)state;
  ao_fmtprog_t *p = compile(MAIN_FMT, AO_FPESC_BACKSLASH);
  const char line[] =
      "203.0.113.7 - - [10/Oct/2023:13:55:36 +0000] \"GET / HTTP/1.1\" 200 1 "
      "\"-\" \"ua\" \"1.2.3.4\"";
  for (size_t k = 0; k < sizeof(line) - 1; k++) {
    ao_record_t r;
    char *c;
    if (match(p, line, k, &r, &c) == 0)
      fail_msg("prefix of %zu bytes parsed", k);
    free(c);
  }
  ao_fmtprog_free(p);
}

/* The compiled nginx `combined` format reads the public Apache log exactly
 * as the hand-written combined parser does. */
static void test_same_as_combined(void **state) {
  (void)state;
  char *path = ao_test_shared("access_logs/elastic_apache_logs.log");
  if (path == NULL)
    skip();
  size_t len = 0;
  char *text = ao_test_slurp(path, &len);
  free(path);
  ao_fmtprog_t *p = compile(COMBINED_FMT, AO_FPESC_BACKSLASH);
  ao_parser_t *comb = ao_parser_create(AO_FMT_COMBINED, NULL);
  unsigned lines = 0, same = 0, both_fail = 0;
  for (char *s = text; s < text + len;) {
    char *nl = memchr(s, '\n', (size_t)(text + len - s));
    size_t n = nl ? (size_t)(nl - s) : (size_t)(text + len - s);
    ao_record_t a, b;
    char *c;
    int ra = match(p, s, n, &a, &c);
    int rb = ao_parser_parse(comb, c, n, &b);
    lines++;
    if (ra != 0 && rb != 0)
      both_fail++;
    else if (ra == 0 && rb == 0 && a.status == b.status &&
             a.addr.n == b.addr.n && !memcmp(a.addr.p, b.addr.p, a.addr.n) &&
             a.target.n == b.target.n &&
             !memcmp(a.target.p, b.target.p, a.target.n) &&
             a.user_agent.n == b.user_agent.n &&
             !memcmp(a.user_agent.p, b.user_agent.p, a.user_agent.n) &&
             a.referer.n == b.referer.n && a.flags == b.flags)
      same++;
    else
      printf("differs: %.*s\n", (int)n, s);
    free(c);
    s = nl ? nl + 1 : text + len;
  }
  printf("elastic_apache_logs.log: %u lines, %u read identically, %u refused "
         "by both\n",
         lines, same, both_fail);
  assert_int_equal(lines, 10000);
  assert_int_equal(same + both_fail, lines);
  assert_int_equal(both_fail, 1);
  ao_parser_destroy(comb);
  ao_fmtprog_free(p);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_main_format),
      cmocka_unit_test(test_hostile_default_escape),
      cmocka_unit_test(test_escape_json),
      cmocka_unit_test(test_escape_none),
      cmocka_unit_test(test_skipped_variables),
      cmocka_unit_test(test_nginx_conf_form),
      cmocka_unit_test(test_errors_with_position),
      cmocka_unit_test(test_prefixes_fail),
      cmocka_unit_test(test_same_as_combined),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
