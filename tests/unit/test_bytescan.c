/*
 * test_bytescan.c - block-wise byte search (ao_bytescan.h), forwards and
 * backwards, against the obvious byte-at-a-time answer, at every length
 * and alignment around the 16-byte block and the 8-byte word, and never
 * reading outside the run.
 */
#include "ao_test.h"

#include "ao_bytescan.h"

#include <stdlib.h>
#include <string.h>

static size_t naive2(const char *p, size_t n, unsigned char a,
                     unsigned char b) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)p[i] == a || (unsigned char)p[i] == b)
      return i;
  return n;
}

static size_t naive_last(const char *p, size_t n, unsigned char a) {
  for (size_t i = n; i > 0; i--)
    if ((unsigned char)p[i - 1] == a)
      return i - 1;
  return n;
}

/* Every length 0..80 at every offset 0..17, the wanted byte at every
 * position (or absent), the bytes around the run set to the wanted byte
 * too, so that a read outside the run would be seen as a wrong answer. */
static void test_find_every_position(void **state) {
  (void)state;
  char buf[128];
  for (size_t off = 0; off < 18; off++) {
    for (size_t n = 0; n <= 80; n++) {
      for (size_t at = 0; at <= n; at++) {
        memset(buf, '"', sizeof(buf));
        memset(buf + off, 'x', n);
        if (at < n)
          buf[off + at] = '\\';
        assert_int_equal(ao_find2(buf + off, n, '\\', '!'), at);
        assert_int_equal(ao_find2(buf + off, n, '!', '\\'), at);
        assert_int_equal(ao_find1(buf + off, n, '\\'), at);
        assert_int_equal(ao_rfind1(buf + off, n, '\\'), at);
        ao_byteset_t set;
        ao_byteset_init(&set, "%+\\", 3);
        assert_int_equal(ao_bytes_any(&set, buf + off, n), at < n);
      }
    }
  }
}

/* ao_rfind1(): the last of two hits, at every pair of positions in runs
 * of every length 0..80 at every offset 0..17 (the bytes around the run
 * are the wanted byte too). */
static void test_rfind_last_of_two(void **state) {
  (void)state;
  char buf[128];
  for (size_t off = 0; off < 18; off++) {
    for (size_t n = 2; n <= 80; n++) {
      for (size_t a = 0; a < n; a++) {
        for (size_t b = a + 1; b < n; b++) {
          memset(buf, '/', sizeof(buf));
          memset(buf + off, 'x', n);
          buf[off + a] = buf[off + b] = '/';
          assert_int_equal(ao_rfind1(buf + off, n, '/'), b);
        }
      }
    }
  }
  assert_int_equal(ao_rfind1("/a/b/c.php", 10, '/'), 4);
  assert_int_equal(ao_rfind1("abc", 3, '/'), 3);
  assert_int_equal(ao_rfind1("", 0, '/'), 0);
  /* ao_after_last1(): just after the last one, or 0 */
  assert_int_equal(ao_after_last1("/a/b/c.php", 10, '/'), 5);
  assert_int_equal(ao_after_last1("/a/b/", 5, '/'), 5);
  assert_int_equal(ao_after_last1("abc", 3, '/'), 0);
  assert_int_equal(ao_after_last1("", 0, '/'), 0);
}

/* The first of several hits wins, whichever of the two bytes it is. */
static void test_first_of_two(void **state) {
  (void)state;
  const char *s = "GET /a?b=c\\\"d\" 200";
  assert_int_equal(ao_find2(s, strlen(s), '"', '\\'), 10);
  assert_int_equal(ao_find2(s, strlen(s), '"', '?'), 6);
  assert_int_equal(ao_find1(s, strlen(s), '2'), 15);
  assert_int_equal(ao_find1(s, strlen(s), 'z'), strlen(s));
}

/* High bytes and NUL are ordinary values. */
static void test_binary_bytes(void **state) {
  (void)state;
  char buf[40];
  memset(buf, 0xff, sizeof(buf));
  buf[33] = 0;
  assert_int_equal(ao_find1(buf, sizeof(buf), 0), 33);
  assert_int_equal(ao_find2(buf, sizeof(buf), 0x80, 0xff), 0);
  ao_byteset_t set;
  ao_byteset_init(&set, "\0", 1);
  assert_true(ao_bytes_any(&set, buf, sizeof(buf)));
  assert_false(ao_bytes_any(&set, buf, 33));
}

/* Random runs against the naive search; the run is a malloc'ed block of
 * its exact size, so that AddressSanitizer and valgrind see any read past
 * its end. */
static void test_random_against_naive(void **state) {
  (void)state;
  uint64_t x = 88172645463325252ull;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
  for (int round = 0; round < 20000; round++) {
    size_t n = (size_t)(RND() % 70);
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
      p[i] = (char)("ab\"\\%+&x\x80"[RND() % 9]);
    unsigned char a = (unsigned char)"\"\\%+&"[RND() % 5];
    unsigned char b = (unsigned char)"\"\\%+&"[RND() % 5];
    assert_int_equal(ao_find2(p, n, a, b), naive2(p, n, a, b));
    assert_int_equal(ao_rfind1(p, n, a), naive_last(p, n, a));
    ao_byteset_t set;
    char vals[2] = {(char)a, (char)b};
    ao_byteset_init(&set, vals, 2);
    assert_int_equal(ao_bytes_any(&set, p, n), naive2(p, n, a, b) < n);
    free(p);
  }
#undef RND
}

/* A set holds at most AO_BYTESET_MAX distinct values; repeats count once. */
static void test_byteset_limits(void **state) {
  (void)state;
  ao_byteset_t set;
  ao_byteset_init(&set, "aab", 3);
  assert_int_equal(set.n, 2);
  char many[40];
  for (int i = 0; i < 40; i++)
    many[i] = (char)('A' + i);
  ao_byteset_init(&set, many, 40);
  assert_int_equal(set.n, AO_BYTESET_MAX);
  assert_true(ao_bytes_any(&set, "zzA", 3));
  assert_false(ao_bytes_any(&set, "zz", 2));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_find_every_position),
      cmocka_unit_test(test_rfind_last_of_two),
      cmocka_unit_test(test_first_of_two),
      cmocka_unit_test(test_binary_bytes),
      cmocka_unit_test(test_random_against_naive),
      cmocka_unit_test(test_byteset_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
