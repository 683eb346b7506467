/*
 * test_common.c - slices (ao_common): exact and ASCII-case-insensitive
 * compares with a C string, the hex digit helper, and the clocks.
 */
#include "ao_test.h"

#include "ao_common.h"

#include <ctype.h>
#include <string.h>

static ao_slice_t sl(const char *p, size_t n) { return (ao_slice_t){p, n}; }

static void test_slice_eq(void **state) {
  (void)state;
  assert_true(ao_slice_eq(sl("GET", 3), "GET"));
  assert_false(ao_slice_eq(sl("get", 3), "GET"));
  assert_false(ao_slice_eq(sl("GETS", 4), "GET"));
  assert_false(ao_slice_eq(sl("GE", 2), "GET"));
  assert_true(ao_slice_eq(sl("", 0), ""));
}

/* Case folds for ASCII letters only: bytes that differ in 0x20 but are not
 * letters ('@' and '`', '[' and '{', 0xC0 and 0xE0) are different, and so
 * are different lengths and an embedded NUL. */
static void test_slice_ieq(void **state) {
  (void)state;
  static const char *const same[][2] = {
      {"GET", "GET"}, {"get", "GET"}, {"gEt", "GET"}, {"HEAD", "head"},
      {"PROPFIND", "propfind"}, {"M-SEARCH", "m-search"}, {"", ""}};
  for (size_t i = 0; i < AO_ARRAY_SIZE(same); i++)
    assert_true(ao_slice_ieq(sl(same[i][0], strlen(same[i][0])), same[i][1]));
  static const char *const differ[][2] = {
      {"GET", "GETS"}, {"GETS", "GET"}, {"GET", "PUT"}, {"@", "`"},
      {"`", "@"},      {"[", "{"},      {"^", "~"},     {"\xc0", "\xe0"},
      {"\xe9", "\xc9"}, {"1", "\x11"},  {"GEU", "GET"}};
  for (size_t i = 0; i < AO_ARRAY_SIZE(differ); i++)
    assert_false(
        ao_slice_ieq(sl(differ[i][0], strlen(differ[i][0])), differ[i][1]));
  assert_false(ao_slice_ieq(sl("GE\0T", 4), "GET"));
  assert_false(ao_slice_ieq(sl("GE\0", 3), "GET"));
  /* every pair of bytes: equal exactly when their ASCII lower cases are */
  for (unsigned a = 1; a < 256; a++) {
    for (unsigned b = 1; b < 256; b++) {
      char x = (char)a, y[2] = {(char)b, 0};
      unsigned la = a >= 'A' && a <= 'Z' ? a + 32 : a;
      unsigned lb = b >= 'A' && b <= 'Z' ? b + 32 : b;
      if (ao_slice_ieq(sl(&x, 1), y) != (la == lb))
        fail_msg("bytes 0x%02x and 0x%02x", a, b);
    }
  }
}

static void test_hexval(void **state) {
  (void)state;
  const char *digits = "0123456789abcdef", *upper = "ABCDEF";
  for (int i = 0; i < 16; i++)
    assert_int_equal(ao_hexval((unsigned char)digits[i]), i);
  for (int i = 0; i < 6; i++)
    assert_int_equal(ao_hexval((unsigned char)upper[i]), 10 + i);
  assert_int_equal(ao_hexval('g'), -1);
  assert_int_equal(ao_hexval('/'), -1);
  assert_int_equal(ao_hexval(0xff), -1);
}

/* ao_ascii_lower() is the C locale's tolower() on every byte. */
static void test_ascii_lower(void **state) {
  (void)state;
  for (unsigned c = 0; c < 256; c++)
    assert_int_equal(ao_ascii_lower((unsigned char)c),
                     c < 128 ? (unsigned)tolower((int)c) : c);
}

/* The coarse wall clock is the wall clock to within a tick (the kernel's
 * is at most 10 ms; a second allows for a preempted test), and it is not
 * zero (the value of a failed read). */
static void test_coarse_clock(void **state) {
  (void)state;
  for (int i = 0; i < 1000; i++) {
    double before = ao_now_wall();
    double coarse = ao_now_wall_coarse();
    double after = ao_now_wall();
    assert_true(coarse > 1e9); /* after 2001 */
    assert_true(coarse >= before - 1.0 && coarse <= after + 1.0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_slice_eq),
      cmocka_unit_test(test_slice_ieq),
      cmocka_unit_test(test_hexval),
      cmocka_unit_test(test_ascii_lower),
      cmocka_unit_test(test_coarse_clock),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
