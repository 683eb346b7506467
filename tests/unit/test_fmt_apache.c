/*
 * test_fmt_apache.c - Apache LogFormat strings compiled into format
 * programs (ao_fmt_apache + ao_fmtprog): the directives of issue 3, skipped
 * directives, Apache's escaping, errors with their position.
 *
 * Lines as real Apache 2.4 writes them are checked end to end by
 * tests/integration/test_servers.py. Parses run on exact-size heap copies.
 */
#include "ao_test.h"

#include "ao_fmt_apache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ao_fmtprog_t *compile(const char *fmt) {
  ao_err_t err = {{0}};
  ao_fmtprog_t *p = ao_fmt_apache_compile(fmt, 65536, &err);
  if (p == NULL)
    fail_msg("compile failed: %s: %s", fmt, err.msg);
  return p;
}

static int match(ao_fmtprog_t *p, const char *line, ao_record_t *r,
                 char **copy) {
  size_t n = strlen(line);
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

static void test_combined_with_xff(void **state) {
  (void)state;
  ao_fmtprog_t *p = compile("%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" "
                            "\"%{User-Agent}i\" \"%{X-Forwarded-For}i\"");
  ao_record_t r;
  char *c;
  assert_int_equal(
      match(p,
            "10.0.0.5 - \"\" [10/Oct/2023:13:55:36 +0200] \"GET /a?b=1 "
            "HTTP/1.1\" 200 - \"-\" \"x \\\" 500 1 \\\"y\" \"203.0.113.9, "
            "10.0.0.1\"",
            &r, &c),
      0);
  expect("addr", r.addr, "10.0.0.5");
  expect("time", r.time, "10/Oct/2023:13:55:36 +0200");
  expect("target", r.target, "/a?b=1");
  assert_int_equal(r.status, 200);
  expect("agent", r.user_agent, "x \\\" 500 1 \\\"y");
  expect("xff", r.xff, "203.0.113.9, 10.0.0.1");
  assert_true(r.flags & AO_REC_ESCAPED);
  free(c);
  /* a user name with spaces (Basic auth is client-controlled) */
  assert_int_equal(
      match(p,
            "10.0.0.5 - a b [c] [10/Oct/2023:13:55:36 +0200] \"GET / "
            "HTTP/1.1\" 401 381 \"-\" \"-\" \"-\"",
            &r, &c),
      0);
  assert_int_equal(r.status, 401);
  free(c);
  ao_fmtprog_free(p);
}

static void test_separate_fields(void **state) {
  (void)state;
  ao_fmtprog_t *p = compile("%a %V [%{%Y-%m-%d %H:%M:%S}t] %m %U%q %H %s %B "
                            "%D %T %{ms}T %400,501{User-agent}i %!200r %%");
  ao_record_t r;
  char *c;
  assert_int_equal(match(p,
                         "2001:db8::9 shop.example [2026-11-28 10:00:00] POST "
                         "/wp-login.php?log=admin HTTP/2.0 403 0 1234 0 1 "
                         "curl/8.0 POST /wp-login.php?log=admin HTTP/2.0 %",
                         &r, &c),
                   0);
  expect("addr", r.addr, "2001:db8::9");
  expect("host", r.host, "shop.example");
  expect("time", r.time, "2026-11-28 10:00:00");
  /* %r wins for method and target; %U%q is what was left */
  expect("method", r.method, "POST");
  expect("target", r.target, "/wp-login.php?log=admin");
  expect("protocol", r.protocol, "HTTP/2.0");
  assert_int_equal(r.status, 403);
  free(c);
  ao_fmtprog_free(p);

  /* without %r: %U is the target and %q the query, without its "?" */
  p = compile("%h %m %U%q %>s");
  assert_int_equal(match(p, "192.0.2.1 GET /search?q=1' 200", &r, &c), 0);
  expect("target", r.target, "/search");
  expect("query", r.query, "q=1'");
  free(c);
  assert_int_equal(match(p, "192.0.2.1 GET /x 200", &r, &c), 0);
  expect("query", r.query, NULL);
  free(c);
  ao_fmtprog_free(p);

  /* skipped directives of every kind */
  p = compile("%h %{c}a %A %p %{remote}p %P %{tid}P %I %O %S %k %X %L %f %R "
              "\"%{Cookie}C\" \"%{X-Foo}o\" \"%{FOO}e\" \"%{note}n\" "
              "%{Host}i %v %{req_total}^ti %>s");
  assert_int_equal(match(p,
                         "192.0.2.1 10.0.0.1 10.0.0.2 443 51234 1234 5678 "
                         "100 200 300 0 + - /var/www/x.php php-fpm \"a=b c\" "
                         "\"-\" \"-\" \"-\" shop www 12 503",
                         &r, &c),
                   0);
  assert_int_equal(r.status, 503);
  expect("addr", r.addr, "192.0.2.1");
  expect("host", r.host, "www");
  free(c);
  ao_fmtprog_free(p);
}

static void test_errors_with_position(void **state) {
  (void)state;
  struct {
    const char *fmt, *want;
  } cases[] = {
      {"%h %Z %s", "unknown directive %Z at position 4"},
      {"%h %{Referer", "\"%{\" without a closing \"}\""},
      {"%h %", "at position 4"},
      {"%h \"%r %s", "unbalanced quotes: the \" at position 4"},
      {"%h %D%T", "position 6"},
      {"%s %b", "no client address"},
      {"plain", "no directive"},
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(cases); i++) {
    ao_err_t err = {{0}};
    ao_fmtprog_t *p = ao_fmt_apache_compile(cases[i].fmt, 1024, &err);
    if (p != NULL)
      fail_msg("case %zu compiled: %s", i, cases[i].fmt);
    if (strstr(err.msg, cases[i].want) == NULL)
      fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, cases[i].want);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_combined_with_xff),
      cmocka_unit_test(test_separate_fields),
      cmocka_unit_test(test_errors_with_position),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
