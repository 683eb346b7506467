/*
 * test_memo.c - the verdict memo (ao_memo): exact answers whatever shares a
 * set, scan-resistant replacement, the short and long tables, keys that are
 * not memoised, sizes, the spread of the hash.
 */
#include "ao_test.h"

#include "ao_memo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int get(ao_memo_t *m, const char *s, unsigned flags, uint32_t *v) {
  ao_memo_key_t k;
  ao_memo_key(m, &k, s, strlen(s), flags);
  return ao_memo_get(m, &k, v);
}

static void put(ao_memo_t *m, const char *s, unsigned flags, uint32_t v) {
  ao_memo_key_t k;
  ao_memo_key(m, &k, s, strlen(s), flags);
  ao_memo_put(m, &k, v);
}

/* Keys differing in one byte, in length or in flags are different keys. */
static void test_exact_keys(void **state) {
  (void)state;
  ao_memo_t *m = ao_memo_create(64, 8);
  assert_non_null(m);
  uint32_t v = 0;
  assert_int_equal(get(m, "/index.html", 0, &v), 0);
  put(m, "/index.html", 0, 7);
  assert_int_equal(get(m, "/index.html", 0, &v), 1);
  assert_int_equal(v, 7);
  assert_int_equal(get(m, "/index.htmL", 0, &v), 0);
  assert_int_equal(get(m, "/index.htm", 0, &v), 0);
  assert_int_equal(get(m, "/index.html", 1, &v), 0);
  put(m, "/index.html", 1, 9);
  assert_int_equal(get(m, "/index.html", 1, &v), 1);
  assert_int_equal(v, 9);
  assert_int_equal(get(m, "/index.html", 0, &v), 1);
  assert_int_equal(v, 7);
  /* NUL bytes are ordinary key bytes */
  ao_memo_key_t a, b;
  ao_memo_key(m, &a, "a\0b", 3, 0);
  ao_memo_key(m, &b, "a\0c", 3, 0);
  ao_memo_put(m, &a, 1);
  assert_int_equal(ao_memo_get(m, &b, &v), 0);
  assert_int_equal(ao_memo_get(m, &a, &v), 1);
  assert_int_equal(v, 1);
  uint64_t lookups, hits;
  ao_memo_stats(m, &lookups, &hits);
  assert_int_equal(lookups, 9);
  assert_int_equal(hits, 4);
  ao_memo_destroy(m);
}

/* One set of four (a memo of four short slots): every key shares it. The
 * answers are right or misses, never another key's value; a key that was
 * hit outlasts keys put once, which go first, youngest first. */
static void test_hit_keys_stay_in_one_set(void **state) {
  (void)state;
  ao_memo_t *m = ao_memo_create(4, 0);
  assert_non_null(m);
  uint32_t v;
  put(m, "a", 0, 1);
  put(m, "b", 0, 2);
  put(m, "c", 0, 3);
  put(m, "d", 0, 4);
  assert_int_equal(get(m, "a", 0, &v), 1); /* a becomes the newest */
  assert_int_equal(v, 1);
  assert_int_equal(get(m, "b", 0, &v), 1);
  assert_int_equal(v, 2);
  /* d, put last and never hit, is the oldest: e takes its place (under
   * least-recently-used, c would go) */
  put(m, "e", 0, 5);
  assert_int_equal(get(m, "d", 0, &v), 0);
  const char *keep[] = {"a", "b", "c", "e"};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(get(m, keep[i], 0, &v), 1);
    assert_int_equal(v, (uint32_t)(keep[i][0] - 'a' + 1));
  }
  ao_memo_destroy(m);
}

/* Scan resistance: two keys hit every eight lines survive a stream of
 * 10,000 keys seen once, in a set of four (under least-recently-used the
 * stream pushes them out after four puts); the last key of the stream is
 * still there to be hit. */
static void test_keys_seen_once_do_not_push_out_hit_keys(void **state) {
  (void)state;
  ao_memo_t *m = ao_memo_create(4, 0);
  assert_non_null(m);
  uint32_t v;
  put(m, "/", 0, 7);
  put(m, "/favicon.ico", 0, 8);
  int lost = 0;
  char key[32];
  for (unsigned i = 0; i < 10000; i++) {
    snprintf(key, sizeof(key), "/search?q=%u", i);
    assert_int_equal(get(m, key, 0, &v), 0);
    put(m, key, 0, i);
    if (i % 8 == 7) {
      lost += !get(m, "/", 0, &v) || v != 7;
      lost += !get(m, "/favicon.ico", 0, &v) || v != 8;
    }
  }
  assert_int_equal(lost, 0);
  assert_int_equal(get(m, key, 0, &v), 1); /* "/search?q=9999" */
  assert_int_equal(v, 9999);
  ao_memo_destroy(m);
}

/* A new working set still takes over: after four keys were hit, four new
 * keys used in turn, over and over, end up memoised (one put in
 * AO_MEMO_NEWEST_EVERY goes in as the newest), and the old keys, no longer
 * used, have made room for them. */
static void test_new_working_set_takes_over(void **state) {
  (void)state;
  ao_memo_t *m = ao_memo_create(4, 0);
  assert_non_null(m);
  uint32_t v;
  const char *old[] = {"o1", "o2", "o3", "o4"};
  const char *fresh[] = {"n1", "n2", "n3", "n4"};
  for (int i = 0; i < 4; i++) {
    put(m, old[i], 0, 1);
    assert_int_equal(get(m, old[i], 0, &v), 1);
  }
  int late_hits = 0;
  for (int round = 0; round < 40 * (int)AO_MEMO_NEWEST_EVERY; round++) {
    for (int i = 0; i < 4; i++) {
      int hit = get(m, fresh[i], 0, &v);
      if (!hit)
        put(m, fresh[i], 0, 2);
      else if (round >= 30 * (int)AO_MEMO_NEWEST_EVERY)
        late_hits++;
    }
  }
  assert_int_equal(late_hits, 4 * 10 * (int)AO_MEMO_NEWEST_EVERY);
  for (int i = 0; i < 4; i++)
    assert_int_equal(get(m, old[i], 0, &v), 0);
  ao_memo_destroy(m);
}

/* Many more keys than slots, random order, checked against the truth:
 * a hit always gives the key's own value. */
static void test_many_keys_never_wrong(void **state) {
  (void)state;
  ao_memo_t *m = ao_memo_create(16, 8);
  assert_non_null(m);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  int hits = 0;
  for (int i = 0; i < 200000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    unsigned id = (unsigned)(x % 97);
    char key[300];
    /* short and long keys, sharing prefixes */
    int len = snprintf(key, sizeof(key), "/static/js/app.%u.min.js", id);
    if (id % 3 == 0) {
      memset(key + len, 'x', 60 + id);
      len += 60 + (int)id;
    }
    ao_memo_key_t k;
    ao_memo_key(m, &k, key, (size_t)len, id % 2);
    uint32_t v;
    if (ao_memo_get(m, &k, &v)) {
      hits++;
      assert_int_equal(v, id * 1000u + id % 2);
    } else {
      ao_memo_put(m, &k, id * 1000u + id % 2);
    }
  }
  assert_true(hits > 0);
  ao_memo_destroy(m);
}

/* The hash spreads keys that differ little (one number in a path, the
 * flags only, the length only, two bytes anywhere in a long key) evenly over
 * 1,024 sets: no set gets twice its share, none is left empty. A hash that
 * drops a part of the key (a lane, the tail bytes, the flags) fails. */
static void check_spread(const char *what, int shape) {
  enum { SETS = 1024, KEYS = 64 * SETS };
  static unsigned count[SETS];
  memset(count, 0, sizeof(count));
  char key[256];
  for (unsigned i = 0; i < KEYS; i++) {
    size_t len;
    unsigned flags = 0;
    switch (shape) {
    case 0: /* a number at the end of a short path */
      len = (size_t)snprintf(key, sizeof(key), "/products/%u", i);
      break;
    case 1: /* the same bytes, other flags and lengths */
      memset(key, 'a', sizeof(key));
      len = 1 + i % 200;
      flags = (i / 200) % 256;
      break;
    default: /* two bytes anywhere in a 200-byte key (never 'x') */
      memset(key, 'x', 200);
      key[i % 200] = (char)(1 + i / 200 % 100);
      key[(i / 200 + 7) % 200] ^= 1;
      len = 200;
      break;
    }
    ao_memo_key_t k;
    ao_memo_key(NULL, &k, key, len, flags);
    count[k.hash % SETS]++;
  }
  unsigned lo = KEYS, hi = 0;
  for (unsigned s = 0; s < SETS; s++) {
    lo = count[s] < lo ? count[s] : lo;
    hi = count[s] > hi ? count[s] : hi;
  }
  if (lo == 0 || hi > 2 * KEYS / SETS)
    fail_msg("%s: per set min %u max %u (mean %u)", what, lo, hi, KEYS / SETS);
}

static void test_hash_spreads(void **state) {
  (void)state;
  check_spread("numbered paths", 0);
  check_spread("flags and lengths", 1);
  check_spread("two bytes of a long key", 2);
}

/* Every byte of a key counts, at every length a key can have: the hash of
 * a key changes when any one of its bytes does. The words read for the
 * tail overlap bytes already hashed, and where they stop depends on the
 * length; a length at which some bytes are read by no word fails here.
 * (A change could collide by chance in a 32-bit hash, one time in four
 * billion for each of these 32,640 pairs; the keys are fixed, so this
 * passes or fails the same every time.) */
static void test_every_byte_counts(void **state) {
  (void)state;
  char key[AO_MEMO_LONG];
  for (size_t i = 0; i < sizeof(key); i++)
    key[i] = (char)('a' + i % 26);
  for (size_t n = 1; n <= AO_MEMO_LONG; n++) {
    ao_memo_key_t base, changed;
    ao_memo_key(NULL, &base, key, n, 0);
    for (size_t p = 0; p < n; p++) {
      key[p] ^= 0x20;
      ao_memo_key(NULL, &changed, key, n, 0);
      key[p] ^= 0x20;
      if (changed.hash == base.hash)
        fail_msg("length %zu: byte %zu does not change the hash", n, p);
    }
  }
}

/* Empty keys, keys longer than AO_MEMO_LONG and flags above 255 are not
 * memoised; a key of exactly AO_MEMO_SHORT / AO_MEMO_LONG bytes is. */
static void test_limits(void **state) {
  (void)state;
  ao_memo_t *m = ao_memo_create(8, 4);
  assert_non_null(m);
  char big[AO_MEMO_LONG + 2];
  memset(big, 'q', sizeof(big));
  uint32_t v;
  ao_memo_key_t k;
  ao_memo_key(m, &k, big, 0, 0);
  ao_memo_put(m, &k, 1);
  assert_int_equal(ao_memo_get(m, &k, &v), 0);
  size_t lens[] = {1, AO_MEMO_SHORT, AO_MEMO_SHORT + 1, AO_MEMO_LONG};
  for (size_t i = 0; i < 4; i++) {
    ao_memo_key(m, &k, big, lens[i], 0);
    ao_memo_put(m, &k, (uint32_t)i + 10);
    assert_int_equal(ao_memo_get(m, &k, &v), 1);
    assert_int_equal(v, i + 10);
  }
  ao_memo_key(m, &k, big, AO_MEMO_LONG + 1, 0);
  ao_memo_put(m, &k, 1);
  assert_int_equal(ao_memo_get(m, &k, &v), 0);
  ao_memo_key(m, &k, big, 5, 256);
  ao_memo_put(m, &k, 1);
  assert_int_equal(ao_memo_get(m, &k, &v), 0);
  ao_memo_destroy(m);
  /* a table of size 0 memoises nothing of its length */
  m = ao_memo_create(0, 4);
  assert_non_null(m);
  ao_memo_key(m, &k, big, 10, 0);
  ao_memo_put(m, &k, 1);
  assert_int_equal(ao_memo_get(m, &k, &v), 0);
  ao_memo_key(m, &k, big, 100, 0);
  ao_memo_put(m, &k, 1);
  assert_int_equal(ao_memo_get(m, &k, &v), 1);
  ao_memo_destroy(m);
}

/* A key made without a memo has its hash (the same as with one) and is
 * memoised nowhere: a get misses, a put changes nothing. A key made for a
 * memo finds what was put with another key of the same bytes and flags. */
static void test_key_without_memo(void **state) {
  (void)state;
  ao_memo_t *m = ao_memo_create(64, 8);
  assert_non_null(m);
  ao_memo_key_t none, in_m;
  ao_memo_key(NULL, &none, "/a", 2, 0);
  ao_memo_key(m, &in_m, "/a", 2, 0);
  assert_int_equal(none.hash, in_m.hash);
  assert_null(none.set);
  assert_non_null(in_m.set);
  uint32_t v = 0;
  ao_memo_put(m, &none, 5);
  assert_int_equal(ao_memo_get(m, &none, &v), 0);
  assert_int_equal(ao_memo_get(m, &in_m, &v), 0);
  ao_memo_put(m, &in_m, 6);
  assert_int_equal(get(m, "/a", 0, &v), 1);
  assert_int_equal(v, 6);
  ao_memo_destroy(m);
}

/* Sizes: powers of two of at least a set; the memory is what was asked. */
static void test_sizes(void **state) {
  (void)state;
  assert_null(ao_memo_create(3, 4));
  assert_null(ao_memo_create(2, 4)); /* smaller than a set of four */
  assert_null(ao_memo_create(4, 2));
  assert_null(ao_memo_create(4, 6));
  ao_memo_t *m = ao_memo_create(4096, 1024);
  assert_non_null(m);
  assert_true(ao_memo_memory(m) >= 4096 * 80 + 1024 * 272);
  assert_true(ao_memo_memory(m) < 4096 * 80 + 1024 * 272 + 4096);
  ao_memo_destroy(m);
  ao_memo_destroy(NULL);
}

#ifdef AO_MEMO_PORTABLE
/* The portable folded multiply (four 32-bit products) is the 128-bit one
 * (compared where the compiler has the 128-bit type). */
static void test_portable_fold_mul(void **state) {
  (void)state;
#if defined(__SIZEOF_INT128__)
  uint64_t x = 0x9e3779b97f4a7c15ull, y = 0xd1b54a32d192ed03ull;
  for (int i = 0; i < 100000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    y = y * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t a = i % 7 == 0 ? ~0ull : x, b = i % 11 == 0 ? ~0ull - i : y;
    __extension__ unsigned __int128 r = (unsigned __int128)a * b;
    assert_true(fold_mul(a, b) == ((uint64_t)r ^ (uint64_t)(r >> 64)));
  }
#else
  skip();
#endif
}
#endif

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_exact_keys),
      cmocka_unit_test(test_hit_keys_stay_in_one_set),
      cmocka_unit_test(test_keys_seen_once_do_not_push_out_hit_keys),
      cmocka_unit_test(test_new_working_set_takes_over),
      cmocka_unit_test(test_many_keys_never_wrong),
      cmocka_unit_test(test_hash_spreads),
      cmocka_unit_test(test_every_byte_counts),
#ifdef AO_MEMO_PORTABLE
      cmocka_unit_test(test_portable_fold_mul),
#endif
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_key_without_memo),
      cmocka_unit_test(test_sizes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
