/*
 * test_fmt_regex.c - Format "regex" (ao_fmt_regex): named groups, the
 * required client group, limits on hostile lines.
 */
#include "ao_test.h"

#include "ao_fmt_regex.h"

#include <stdlib.h>
#include <string.h>

static void expect(const char *what, ao_slice_t got, const char *want) {
  if (want == NULL)
    want = "";
  if (got.n != strlen(want) || (got.n > 0 && memcmp(got.p, want, got.n) != 0))
    fail_msg("%s is \"%.*s\", expected \"%s\"", what, (int)got.n, got.p, want);
}

static void test_groups(void **state) {
  (void)state;
  ao_err_t err = {{0}};
  /* an FTP server's log (vsftpd) and an application's own log */
  ao_fmt_regex_t *r = ao_fmt_regex_create(
      "^\\S+ \\S+ +\\d+ [\\d:]+ \\d+ \\[pid \\d+\\] \\[(?<agent>[^\\]]*)\\] "
      "FAIL LOGIN: Client \"(?:::ffff:)?(?<client>[^\"]+)\"$",
      &err);
  assert_non_null(r);
  const char line[] = "Sat Nov 28 10:00:00 2026 [pid 4242] [anonymous] FAIL "
                      "LOGIN: Client \"::ffff:81.2.69.160\"";
  char *c = malloc(sizeof(line) - 1);
  memcpy(c, line, sizeof(line) - 1);
  ao_record_t rec;
  assert_int_equal(ao_fmt_regex_parse(r, c, sizeof(line) - 1, &rec), 0);
  expect("addr", rec.addr, "81.2.69.160");
  expect("agent", rec.user_agent, "anonymous");
  assert_int_equal(rec.status, -1);
  free(c);
  assert_int_equal(ao_fmt_regex_parse(r, "other line", 10, &rec), -1);
  ao_fmt_regex_destroy(r);

  r = ao_fmt_regex_create("^(?<time>\\S+) ip=(?<client>\\S+) "
                          "req=\"(?<request>[^\"]*)\" st=(?<status>\\d+) "
                          "xff=(?<xff>\\S+) ref=(?<referer>\\S+)$",
                          &err);
  assert_non_null(r);
  const char l2[] = "2026-11-28T10:00:00Z ip=10.0.0.1 req=\"GET /a?x=1 "
                    "HTTP/1.1\" st=404 xff=81.2.69.160 ref=-";
  assert_int_equal(ao_fmt_regex_parse(r, l2, sizeof(l2) - 1, &rec), 0);
  expect("method", rec.method, "GET");
  expect("target", rec.target, "/a?x=1");
  expect("xff", rec.xff, "81.2.69.160");
  expect("referer", rec.referer, NULL);
  expect("time", rec.time, "2026-11-28T10:00:00Z");
  assert_int_equal(rec.status, 404);
  ao_fmt_regex_destroy(r);
}

static void test_errors(void **state) {
  (void)state;
  ao_err_t err = {{0}};
  assert_null(ao_fmt_regex_create("^(?<ip>\\S+) ", &err));
  assert_non_null(strstr(err.msg, "(?<client>...)"));
  assert_null(ao_fmt_regex_create("^(?<client>\\S+", &err));
  assert_non_null(strstr(err.msg, "offset"));
}

/* A catastrophic pattern on a hostile line hits the match limit: a parse
 * error, counted, never a stall. */
static void test_limits(void **state) {
  (void)state;
  ao_err_t err = {{0}};
  ao_fmt_regex_t *r = ao_fmt_regex_create("^(?<client>(\\S+ ?)+)\" 404$", &err);
  assert_non_null(r);
  char line[4096];
  memset(line, 'a', sizeof(line));
  for (size_t i = 10; i < sizeof(line); i += 11)
    line[i] = ' ';
  memcpy(line + sizeof(line) - 5, "\" 405", 5);
  ao_record_t rec;
  assert_int_equal(ao_fmt_regex_parse(r, line, sizeof(line), &rec), -1);
  assert_true(ao_fmt_regex_errors(r) >= 1);
  ao_fmt_regex_destroy(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_groups),
      cmocka_unit_test(test_errors),
      cmocka_unit_test(test_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
