/*
 * test_regex.c - user regular expressions with limits (ao_regex).
 */
#include "ao_test.h"

#include "ao_regex.h"


#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Compile errors carry PCRE2's message and the offset. */
static void test_compile_errors(void **state) {
  (void)state;
  ao_err_t err = {{0}};
  assert_null(ao_regex_compile("(abc", 0, NULL, &err));
  assert_non_null(strstr(err.msg, "missing closing parenthesis"));
  assert_non_null(strstr(err.msg, "at offset 4"));
  assert_null(ao_regex_compile("a{2,1}", 0, NULL, &err));
  assert_non_null(strstr(err.msg, "offset"));
  assert_null(ao_regex_compile("(?<1bad>x)", 0, NULL, &err));
  ao_regex_free(NULL);
}

/* Matching, case folding and named groups as slices of the subject. */
static void test_match_and_groups(void **state) {
  (void)state;
  ao_regex_t *re = ao_regex_compile(
      "^(?<client>\\S+) \\S+ \\S+ \\[[^]]+\\] \"(?<request>[^\"]*)\" "
      "(?<status>\\d{3})",
      0, NULL, NULL);
  assert_non_null(re);
  const char *line =
      "203.0.113.9 - - [10/Oct/2026:13:55:36 +0000] \"GET /x HTTP/1.1\" 404 0";
  assert_int_equal(ao_regex_match(re, line, strlen(line)), 1);
  int c = ao_regex_group_number(re, "client");
  int r = ao_regex_group_number(re, "request");
  int st = ao_regex_group_number(re, "status");
  assert_true(c > 0 && r > 0 && st > 0);
  assert_int_equal(ao_regex_group_number(re, "agent"), -1);
  ao_slice_t g = ao_regex_group(re, line, c);
  assert_true(ao_slice_eq(g, "203.0.113.9"));
  assert_true(ao_slice_eq(ao_regex_group(re, line, r), "GET /x HTTP/1.1"));
  assert_true(ao_slice_eq(ao_regex_group(re, line, st), "404"));
  assert_int_equal(ao_regex_match(re, "nope", 4), 0);
  assert_int_equal(ao_regex_errors(re), 0);
  ao_regex_free(re);

  re = ao_regex_compile("sqlmap", AO_RE_CASELESS, NULL, NULL);
  assert_int_equal(ao_regex_match(re, "SQLMap/1.7", 10), 1);
  ao_regex_free(re);
}

/* Subjects are bytes: NUL and invalid UTF-8 are matched, never errors. */
static void test_bytes(void **state) {
  (void)state;
  ao_regex_t *re = ao_regex_compile("b.c$", 0, NULL, NULL);
  const char nul[] = {'a', '\0', 'b', '\0', 'c'};
  assert_int_equal(ao_regex_match(re, nul, sizeof(nul)), 1);
  const char bad[] = {'\xff', '\xc0', 'b', '\xfe', 'c'};
  assert_int_equal(ao_regex_match(re, bad, sizeof(bad)), 1);
  assert_int_equal(ao_regex_errors(re), 0);
  ao_regex_free(re);
}

/* Catastrophic backtracking stops at the limit: no match, one error. The
 * patterns are the reliability matrix's F1 cases. */
static void test_limits(void **state) {
  (void)state;
  static const char *const patterns[] = {"^(a+)+$", "(.*a){20}$",
                                         "^(\\S+ ?)+\" 404"};
  /* 4095 a's and a b: the first two fail, after exponential work. */
  char subject[4096];
  memset(subject, 'a', sizeof(subject));
  subject[sizeof(subject) - 1] = 'b';
  /* An ordinary 200 line: the quote is there (or PCRE2's required-character
   * check fails the match at once), " 404" is not. */
  const char *line =
      "81.2.69.160 - - [10/Oct/2026:13:55:36 +0000] \"GET /index.html?a=b "
      "HTTP/1.1\" 200 5120 \"https://www.example.com/some/page\" "
      "\"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 "
      "Firefox/121.0\"";
  for (size_t i = 0; i < 3; i++) {
    ao_regex_t *re = ao_regex_compile(patterns[i], 0, NULL, NULL);
    assert_non_null(re);
    const char *s = i == 2 ? line : subject;
    size_t n = i == 2 ? strlen(line) : sizeof(subject);
    assert_int_equal(ao_regex_match(re, s, n), 0);
    if (ao_regex_errors(re) != 1)
      fail_msg("pattern %s: %llu errors, expected 1 (limit hit)",
               patterns[i], (unsigned long long)ao_regex_errors(re));
    ao_regex_free(re);
  }
  /* Tighter limits stop even a modest subject. */
  ao_regex_limits_t tight = {.match_limit = 10, .depth_limit = 10,
                             .heap_limit_kib = 1};
  ao_regex_t *re = ao_regex_compile("^(a|aa)+$", 0, &tight, NULL);
  assert_int_equal(ao_regex_match(re, subject + sizeof(subject) - 64, 64), 0);
  assert_int_equal(ao_regex_errors(re), 1);
  ao_regex_free(re);
}


static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Hostile subjects (reliability matrix F1, D4, D5): a 150 kB line that
 * exhausts the JIT's default stack is an error counted like a limit, never
 * a crash; the matrix's catastrophic patterns on 4 KiB and 64 KiB lines
 * stop at the limits (the worst time per match is printed for README, not
 * asserted); NUL bytes and invalid UTF-8 (overlongs, surrogates, lone
 * continuation bytes) are plain bytes. */
static void test_hostile_subjects(void **state) {
  (void)state;
  size_t big = 150 * 1024;
  char *s = malloc(big);
  assert_non_null(s);
  for (size_t i = 0; i < big; i++)
    s[i] = "ab"[i & 1];
  /* Each iteration of the group keeps a backtracking frame, and the "c"
   * at the very end defeats PCRE2's required-character shortcut. */
  s[big - 2] = 'x';
  s[big - 1] = 'c';
  ao_regex_t *re = ao_regex_compile("^(?:(a)|b)*c", 0, NULL, NULL);
  assert_non_null(re);
  assert_int_equal(ao_regex_match(re, s, big), 0);
  assert_int_equal(ao_regex_errors(re), 1);
  ao_regex_free(re);

  static const char *const patterns[] = {"^(a+)+$", "(.*a){12}$",
                                         "^(\\S+ ?)+\" 404"};
  size_t sizes[] = {4096, 65536};
  for (size_t p = 0; p < AO_ARRAY_SIZE(patterns); p++) {
    re = ao_regex_compile(patterns[p], 0, NULL, NULL);
    assert_non_null(re);
    for (size_t k = 0; k < AO_ARRAY_SIZE(sizes); k++) {
      size_t n = sizes[k];
      /* The third pattern gets space-separated tokens that end in
       * `" 405 4`: its required characters are there, so PCRE2 has to
       * try (and fail) every split of the tokens. */
      static const char req[] = "GET /x 200 ";
      for (size_t i = 0; i < n; i++)
        s[i] = p == 2 ? req[i % (sizeof(req) - 1)] : 'a';
      if (p == 2)
        memcpy(s + n - 7, " \" 405 4", 7);
      else
        s[n - 1] = 'b';
      uint64_t before = ao_regex_errors(re);
      double t0 = now_s();
      int m = ao_regex_match(re, s, n);
      double dt = now_s() - t0;
      assert_int_equal(m, 0);
      print_message("%-16s on %6zu bytes: %7.3f ms, %s\n", patterns[p], n,
                    dt * 1e3,
                    ao_regex_errors(re) > before ? "limit hit" : "no match");
    }
    ao_regex_free(re);
  }

  re = ao_regex_compile("^GET /(.*)x$", 0, NULL, NULL);
  static const char hostile[] = "GET /\xc0\xaf\xed\xa0\x80\x80\xff\0\xfe x";
  assert_int_equal(ao_regex_match(re, hostile, sizeof(hostile) - 1), 1);
  assert_int_equal(ao_regex_errors(re), 0);
  ao_slice_t g = ao_regex_group(re, hostile, 1);
  assert_int_equal(g.n, sizeof(hostile) - 1 - 6);
  ao_regex_free(re);
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_compile_errors),
      cmocka_unit_test(test_match_and_groups),
      cmocka_unit_test(test_bytes),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_hostile_subjects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
