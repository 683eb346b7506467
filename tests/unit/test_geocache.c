/*
 * test_geocache.c - the bounded address cache (its keyed hash, SipHash-1-3,
 * is checked in test_siphash.c).
 */
#include "ao_test.h"

#include "ao_common.h"
#include "ao_geocache.h"
#include "ao_siphash.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t k_seq[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                  8, 9, 10, 11, 12, 13, 14, 15};

/* 2001:db8:<hi>:<lo>::1 */
static ao_ip_t ip6(uint32_t n) {
  ao_ip_t ip;
  memset(&ip, 0, sizeof(ip));
  ip.b[0] = 0x20;
  ip.b[1] = 0x01;
  ip.b[2] = 0x0d;
  ip.b[3] = 0xb8;
  ip.b[4] = (uint8_t)(n >> 24);
  ip.b[5] = (uint8_t)(n >> 16);
  ip.b[6] = (uint8_t)(n >> 8);
  ip.b[7] = (uint8_t)n;
  ip.b[15] = 1;
  return ip;
}

/* --- the cache ------------------------------------------------------------ */

static void test_capacity_rounding(void **state) {
  (void)state;
  static const struct {
    size_t ask, want;
  } rows[] = {
      {1, 1},       {2, 2},       {3, 4},       {4, 4},         {5, 8},
      {1000, 1024}, {4096, 4096}, {4097, 8192}, {65535, 65536},
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(rows); i++) {
    ao_geocache_t *c = ao_geocache_create(rows[i].ask, k_seq);
    assert_non_null(c);
    assert_int_equal(ao_geocache_capacity(c), rows[i].want);
    assert_int_equal(ao_geocache_size(c), 0);
    ao_geocache_destroy(c);
  }
  /* Out of range: nothing is allocated. */
  assert_null(ao_geocache_create(0, k_seq));
  assert_null(ao_geocache_create(((size_t)1 << 24) + 1, k_seq));
  assert_null(ao_geocache_create((size_t)-1, k_seq));
  ao_geocache_destroy(NULL); /* no-op */
}

static void test_get_after_put(void **state) {
  (void)state;
  ao_geocache_t *c = ao_geocache_create(1024, k_seq);
  assert_non_null(c);
  ao_country_t cc = 0;
  ao_ip_t gb = ao_test_ip4(0x510245A0u); /* 81.2.69.160 */
  ao_ip_t jp = ip6(7);
  assert_int_equal(ao_geocache_get(c, &gb, &cc), 0);

  ao_country_t GB, JP;
  ao_country_from_code("GB", 2, &GB);
  ao_country_from_code("JP", 2, &JP);
  ao_geocache_put(c, &gb, GB);
  ao_geocache_put(c, &jp, JP);
  assert_int_equal(ao_geocache_size(c), 2);
  assert_int_equal(ao_geocache_get(c, &gb, &cc), 1);
  assert_int_equal(cc, GB);
  assert_int_equal(ao_geocache_get(c, &jp, &cc), 1);
  assert_int_equal(cc, JP);

  /* ZZ is an answer like any other (an address the database lacks). */
  ao_ip_t absent = ao_test_ip4(0x2D21209Cu);
  ao_geocache_put(c, &absent, AO_COUNTRY_ZZ);
  assert_int_equal(ao_geocache_get(c, &absent, &cc), 1);
  assert_int_equal(cc, AO_COUNTRY_ZZ);

  /* Putting a cached key again replaces the answer, not adds an entry. */
  ao_geocache_put(c, &gb, JP);
  assert_int_equal(ao_geocache_size(c), 3);
  assert_int_equal(ao_geocache_get(c, &gb, &cc), 1);
  assert_int_equal(cc, JP);

  /* The key is all 16 bytes: a v6 address with the same low bytes as a
   * cached v4 one is another client. */
  ao_ip_t other = gb;
  other.b[10] = 0;
  other.b[11] = 0;
  assert_int_equal(ao_geocache_get(c, &other, &cc), 0);
  ao_geocache_destroy(c);
}

/* Many more distinct addresses than entries (an attacker's spray): memory
 * never grows and size never exceeds capacity. */
static void test_bound_never_exceeded(void **state) {
  (void)state;
  ao_geocache_t *c = ao_geocache_create(4096, k_seq);
  assert_non_null(c);
  size_t cap = ao_geocache_capacity(c);
  assert_int_equal(cap, 4096);
  for (uint32_t i = 0; i < 1000000u; i++) {
    ao_ip_t ip = (i & 1) ? ip6(i) : ao_test_ip4(0x01000000u + i);
    ao_geocache_put(c, &ip, (ao_country_t)(i % AO_COUNTRY_COUNT));
    if (ao_geocache_size(c) > cap)
      fail_msg("size %zu > capacity %zu after %u puts", ao_geocache_size(c),
               cap, i + 1);
  }
  /* Every set filled up long ago. */
  assert_int_equal(ao_geocache_size(c), cap);
  /* The most recent insertion is always still there. */
  ao_ip_t last = ip6(999999);
  ao_country_t cc;
  assert_int_equal(ao_geocache_get(c, &last, &cc), 1);
  assert_int_equal(cc, 999999 % AO_COUNTRY_COUNT);
  ao_geocache_destroy(c);
}

/* A cache as big as the working set keeps most of it despite collisions.
 * 4096 clients hashed into 1024 four-way sets: a set's load is about
 * Poisson(4), so E[min(load, 4)] / 4 = 80.5 % stay (3296 of 4096, standard
 * deviation at most 34); direct-mapped would keep 1 - 1/e = 63 % (2589). */
static void test_occupancy(void **state) {
  (void)state;
  ao_geocache_t *c = ao_geocache_create(4096, k_seq);
  assert_non_null(c);
  for (uint32_t i = 0; i < 4096; i++) {
    ao_ip_t ip = ao_test_ip4(0xC0000000u + i * 7919u);
    ao_geocache_put(c, &ip, 1);
  }
  size_t hits = 0;
  ao_country_t cc;
  for (uint32_t i = 0; i < 4096; i++) {
    ao_ip_t ip = ao_test_ip4(0xC0000000u + i * 7919u);
    hits += (size_t)ao_geocache_get(c, &ip, &cc);
  }
  assert_int_equal(hits, ao_geocache_size(c));
  if (hits < 3150 || hits > 3450)
    fail_msg("%zu of 4096 kept, expected about 3296", hits);
  ao_geocache_destroy(c);
}

/* Capacity 4 is one set of four ways: the fifth client evicts the oldest
 * (FIFO), and so on round the set. */
static void test_eviction_by_collision(void **state) {
  (void)state;
  ao_geocache_t *c = ao_geocache_create(4, k_seq);
  assert_non_null(c);
  ao_ip_t a[6];
  for (int i = 0; i < 6; i++)
    a[i] = ao_test_ip4(0x08080800u + (uint32_t)i);
  ao_country_t cc;
  for (int i = 0; i < 4; i++)
    assert_int_equal(ao_geocache_put(c, &a[i], (ao_country_t)i), 0);
  assert_int_equal(ao_geocache_size(c), 4);
  /* Re-putting a cached key does not evict anybody. */
  assert_int_equal(ao_geocache_put(c, &a[2], 2), 0);
  for (int i = 0; i < 4; i++)
    assert_int_equal(ao_geocache_get(c, &a[i], &cc), 1);

  /* The fifth evicts, and says so (the geoip_cache_evictions metric). */
  assert_int_equal(ao_geocache_put(c, &a[4], 4), 1);
  assert_int_equal(ao_geocache_size(c), 4);
  assert_int_equal(ao_geocache_get(c, &a[0], &cc), 0); /* oldest gone */
  for (int i = 1; i < 5; i++) {
    assert_int_equal(ao_geocache_get(c, &a[i], &cc), 1);
    assert_int_equal(cc, i);
  }
  ao_geocache_put(c, &a[5], 5);
  assert_int_equal(ao_geocache_get(c, &a[1], &cc), 0); /* next oldest */
  assert_int_equal(ao_geocache_get(c, &a[5], &cc), 1);
  ao_geocache_destroy(c);

  /* Capacity 1: every new key replaces the previous one. */
  c = ao_geocache_create(1, k_seq);
  assert_non_null(c);
  assert_int_equal(ao_geocache_put(c, &a[0], 10), 0);
  assert_int_equal(ao_geocache_put(c, &a[1], 11), 1);
  assert_int_equal(ao_geocache_size(c), 1);
  /* After a flush the set is empty again: no eviction. */
  ao_geocache_flush(c);
  assert_int_equal(ao_geocache_put(c, &a[0], 10), 0);
  assert_int_equal(ao_geocache_get(c, &a[1], &cc), 0);
  assert_int_equal(ao_geocache_get(c, &a[0], &cc), 1);
  assert_int_equal(cc, 10);
  ao_geocache_destroy(c);
}

/* Collisions in a big cache: find five addresses that land in one set
 * (using the documented set choice, low hash bits) and check that only the
 * first is evicted. */
static void test_eviction_in_big_cache(void **state) {
  (void)state;
  enum { CAP = 1024, SETS = CAP / 4 };
  ao_geocache_t *c = ao_geocache_create(CAP, k_seq);
  assert_non_null(c);
  ao_ip_t same[5];
  int found = 0;
  ao_ip_t probe = ao_test_ip4(0x5DB8D822u);
  uint64_t want = ao_siphash13(k_seq, probe.b, 16) & (SETS - 1);
  for (uint32_t i = 0; found < 5 && i < 1000000u; i++) {
    ao_ip_t ip = ao_test_ip4(0x5DB8D822u + i);
    if ((ao_siphash13(k_seq, ip.b, 16) & (SETS - 1)) == want)
      same[found++] = ip;
  }
  assert_int_equal(found, 5);
  ao_country_t cc;
  for (int i = 0; i < 5; i++)
    ao_geocache_put(c, &same[i], (ao_country_t)i);
  assert_int_equal(ao_geocache_size(c), 4);
  assert_int_equal(ao_geocache_get(c, &same[0], &cc), 0);
  for (int i = 1; i < 5; i++)
    assert_int_equal(ao_geocache_get(c, &same[i], &cc), 1);
  ao_geocache_destroy(c);
}

static void test_flush(void **state) {
  (void)state;
  ao_geocache_t *c = ao_geocache_create(64, k_seq);
  assert_non_null(c);
  ao_country_t cc;
  for (uint32_t i = 0; i < 40; i++) {
    ao_ip_t ip = ao_test_ip4(0x59A01470u + i);
    ao_geocache_put(c, &ip, 3);
  }
  assert_true(ao_geocache_size(c) > 0);
  ao_geocache_flush(c);
  assert_int_equal(ao_geocache_size(c), 0);
  assert_int_equal(ao_geocache_capacity(c), 64);
  for (uint32_t i = 0; i < 40; i++) {
    ao_ip_t ip = ao_test_ip4(0x59A01470u + i);
    assert_int_equal(ao_geocache_get(c, &ip, &cc), 0);
  }
  /* Usable again after a flush. */
  ao_ip_t ip = ao_test_ip4(0x59A01470u);
  ao_geocache_put(c, &ip, 9);
  assert_int_equal(ao_geocache_get(c, &ip, &cc), 1);
  assert_int_equal(cc, 9);
  assert_int_equal(ao_geocache_size(c), 1);
  ao_geocache_destroy(c);
}

/* A NULL seed draws a random one: the cache works, and two caches almost
 * surely spread the same addresses differently (with a fixed seed they
 * would evict exactly the same keys). */
static void test_random_seed(void **state) {
  (void)state;
  ao_geocache_t *a = ao_geocache_create(16, NULL);
  ao_geocache_t *b = ao_geocache_create(16, NULL);
  assert_non_null(a);
  assert_non_null(b);
  ao_country_t cc;
  for (uint32_t i = 0; i < 64; i++) {
    ao_ip_t ip = ao_test_ip4(0x01020300u + i);
    ao_geocache_put(a, &ip, 1);
    ao_geocache_put(b, &ip, 1);
  }
  int differ = 0;
  for (uint32_t i = 0; i < 64; i++) {
    ao_ip_t ip = ao_test_ip4(0x01020300u + i);
    differ += ao_geocache_get(a, &ip, &cc) != ao_geocache_get(b, &ip, &cc);
  }
  /* Identical survivors under two independent seeds: negligible odds. */
  assert_true(differ > 0);
  ao_geocache_destroy(a);
  ao_geocache_destroy(b);
}

/* Network entries (ao_geocache_put_net): a network of prefix p is stored at
 * the coarsest fixed block that it holds (IPv4 /16, /24, /32; IPv6 /32,
 * /48, /64, /128) and answers every address of that block and no other. */
static void test_network_blocks(void **state) {
  (void)state;
  ao_geocache_t *c = ao_geocache_create(1024, k_seq);
  assert_non_null(c);
  ao_country_t cc;
  /* 88.198.0.0/16: the whole /16 */
  ao_ip_t a = ao_test_ip4(0x58C60101u);
  assert_int_equal(ao_geocache_put_net(c, &a, 96 + 16, 7), 0);
  ao_ip_t b = ao_test_ip4(0x58C6FFFEu);
  assert_int_equal(ao_geocache_get(c, &b, &cc), 1);
  assert_int_equal(cc, 7);
  ao_ip_t out = ao_test_ip4(0x58C70001u);
  assert_int_equal(ao_geocache_get(c, &out, &cc), 0);
  /* a /8: stored as the /16 of the address, not the /8 */
  ao_ip_t d = ao_test_ip4(0x85010203u);
  ao_geocache_put_net(c, &d, 96 + 8, 8);
  ao_ip_t same16 = ao_test_ip4(0x8501FF00u), other16 = ao_test_ip4(0x85020000u);
  assert_int_equal(ao_geocache_get(c, &same16, &cc), 1);
  assert_int_equal(cc, 8);
  assert_int_equal(ao_geocache_get(c, &other16, &cc), 0);
  /* a /20: each /24 of it on its own */
  ao_ip_t e = ao_test_ip4(0xCAC4E001u);
  ao_geocache_put_net(c, &e, 96 + 20, 9);
  ao_ip_t e2 = ao_test_ip4(0xCAC4E0FEu), e3 = ao_test_ip4(0xCAC4EF01u);
  assert_int_equal(ao_geocache_get(c, &e2, &cc), 1);
  assert_int_equal(ao_geocache_get(c, &e3, &cc), 0);
  /* a /28: the address alone */
  ao_ip_t f = ao_test_ip4(0x59A01470u);
  ao_geocache_put_net(c, &f, 96 + 28, 10);
  ao_ip_t f2 = ao_test_ip4(0x59A01471u);
  assert_int_equal(ao_geocache_get(c, &f, &cc), 1);
  assert_int_equal(ao_geocache_get(c, &f2, &cc), 0);
  /* IPv6: 2001:218::/32 and a /56 (kept as its /64) */
  ao_ip_t v6;
  memset(&v6, 0, sizeof(v6));
  v6.b[0] = 0x20, v6.b[1] = 0x01, v6.b[2] = 0x02, v6.b[3] = 0x18;
  v6.b[15] = 1;
  ao_geocache_put_net(c, &v6, 32, 11);
  ao_ip_t v6b = v6;
  v6b.b[4] = 0xff, v6b.b[15] = 9;
  assert_int_equal(ao_geocache_get(c, &v6b, &cc), 1);
  assert_int_equal(cc, 11);
  v6b.b[3] = 0x19;
  assert_int_equal(ao_geocache_get(c, &v6b, &cc), 0);
  ao_ip_t w = v6;
  w.b[1] = 0x02; /* 2002:218::/56 */
  ao_geocache_put_net(c, &w, 56, 12);
  ao_ip_t w2 = w;
  w2.b[9] = 0x33, w2.b[15] = 0x44; /* same /64 */
  assert_int_equal(ao_geocache_get(c, &w2, &cc), 1);
  w2.b[7] = 0x01; /* same /56, another /64: not claimed */
  assert_int_equal(ao_geocache_get(c, &w2, &cc), 0);
  /* an exact entry and a block entry with the same key bits are apart */
  ao_ip_t z = ao_test_ip4(0x0A0B0000u);
  ao_geocache_put(c, &z, 13);
  ao_ip_t z2 = ao_test_ip4(0x0A0B0001u);
  assert_int_equal(ao_geocache_get(c, &z2, &cc), 0);
  ao_geocache_destroy(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_network_blocks),
      cmocka_unit_test(test_capacity_rounding),
      cmocka_unit_test(test_get_after_put),
      cmocka_unit_test(test_bound_never_exceeded),
      cmocka_unit_test(test_occupancy),
      cmocka_unit_test(test_eviction_by_collision),
      cmocka_unit_test(test_eviction_in_big_cache),
      cmocka_unit_test(test_flush),
      cmocka_unit_test(test_random_seed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
