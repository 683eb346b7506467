/*
 * test_siphash.c - SipHash-1-3 (ao_siphash.h), the keyed hash of the
 * address tables.
 *
 * SipHash-1-3 is checked against vectors from an independent
 * implementation: a small Python SipHash-c-d written for this test, which
 * (a) reproduces the SipHash paper's 2-4 vectors (key 00..0f: the empty
 * message gives 726fdb47dd0e0e31, the 15-byte message 00..0e gives
 * a129ca6149be45e5) and (b) agrees with CPython 3.11's built-in
 * SipHash-1-3 (hash() of bytes) on 300 random messages under
 * PYTHONHASHSEED 0, 1, 12345 and 4294967295. Its SipHash-1-3 output for key
 * 00..0f and messages 00..(n-1), n = 0..63, is the table below; the first
 * entry is also the first of Rust's SipHasher13 test vectors.
 *
 * The hash is inline: a call with a constant length is compiled for that
 * length (the callers hash 16-byte addresses), so the vectors are checked
 * both with lengths the compiler cannot see and with constant ones.
 */
#include "ao_test.h"

#include "ao_ip.h"
#include "ao_siphash.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t k_seq[16] = {0, 1, 2,  3,  4,  5,  6,  7,
                                  8, 9, 10, 11, 12, 13, 14, 15};

static const uint64_t sip13_vectors[64] = {
    0xabac0158050fc4dcu, 0xc9f49bf37d57ca93u, 0x82cb9b024dc7d44du,
    0x8bf80ab8e7ddf7fbu, 0xcf75576088d38328u, 0xdef9d52f49533b67u,
    0xc50d2b50c59f22a7u, 0xd3927d989bb11140u, 0x369095118d299a8eu,
    0x25a48eb36c063de4u, 0x79de85ee92ff097fu, 0x70c118c1f94dc352u,
    0x78a384b157b4d9a2u, 0x306f760c1229ffa7u, 0x605aa111c0f95d34u,
    0xd320d86d2a519956u, 0xcc4fdd1a7d908b66u, 0x9cf2689063dbd80cu,
    0x8ffc389cb473e63eu, 0xf21f9de58d297d1cu, 0xc0dc2f46a6cce040u,
    0xb992abfe2b45f844u, 0x7ffe7b9ba320872eu, 0x525a0e7fdae6c123u,
    0xf464aeb267349c8cu, 0x45cd5928705b0979u, 0x3a3e35e3ca9913a5u,
    0xa91dc74e4ade3b35u, 0xfb0bed02ef6cd00du, 0x88d93cb44ab1e1f4u,
    0x540f11d643c5e663u, 0x2370dd1f8c21d1bcu, 0x81157b6c16a7b60du,
    0x4d54b9e57a8ff9bfu, 0x759f12781f2a753eu, 0xcea1a3bebf186b91u,
    0x2cf508d3ada26206u, 0xb6101c2da3c33057u, 0xb3f47496ae3a36a1u,
    0x626b57547b108392u, 0xc1d2363299e41531u, 0x667cc1923f1ad944u,
    0x65704ffec8138825u, 0x24f280d1c28949a6u, 0xc2ca1cedfaf8876bu,
    0xc2164bfc9f042196u, 0xa16e9c9368b1d623u, 0x49fb169c8b5114fdu,
    0x9f3143f8df074c46u, 0xc6fdaf2412cc86b3u, 0x7eaf49d10a52098fu,
    0x1cf313559d292f9au, 0xc44a30dda2f41f12u, 0x36fae98943a71ed0u,
    0x318fb34c73f0bce6u, 0xa27abf3670a7e980u, 0xb4bcc0db243c6d75u,
    0x23f8d852fdb71513u, 0x8f035f4da67d8a08u, 0xd89cd0e5b7e8f148u,
    0xf6f4e6bcf7a644eeu, 0xaec59ad80f1837f2u, 0xc3b2f6154b6694e0u,
    0x9d199062b7bbb3a8u,
};

static int popcount64(uint64_t x) {
  int n = 0;
  for (; x; x &= x - 1)
    n++;
  return n;
}

/* --- SipHash-1-3 ---------------------------------------------------------- */

static void test_siphash_vectors(void **state) {
  (void)state;
  uint8_t msg[64];
  for (size_t i = 0; i < sizeof(msg); i++)
    msg[i] = (uint8_t)i;
  for (size_t n = 0; n < 64; n++) {
    uint64_t h = ao_siphash13(k_seq, msg, n);
    if (h != sip13_vectors[n])
      fail_msg("length %zu: got %016llx, want %016llx", n,
               (unsigned long long)h, (unsigned long long)sip13_vectors[n]);
  }
}

/* Zero key: CPython 3.11 with PYTHONHASHSEED=0 hashes bytes with exactly
 * this, e.g. hash(b"abc") & (2**64-1) == 0xc03bc3a0042630f2. */
static void test_siphash_zero_key(void **state) {
  (void)state;
  static const uint8_t zero[16] = {0};
  static const uint8_t mapped[16] = {0, 0, 0,    0,    0,    0,   0,    0,
                                     0, 0, 0xff, 0xff, 0x51, 0x2, 0x45, 0xa0};
  assert_true(ao_siphash13(zero, "a", 1) == 0x407448d2b89b1813u);
  assert_true(ao_siphash13(zero, "abc", 3) == 0xc03bc3a0042630f2u);
  assert_true(ao_siphash13(zero, zero, 16) == 0x76be999e3e25b2a0u);
  /* ::ffff:81.2.69.160, a cache key */
  assert_true(ao_siphash13(zero, mapped, 16) == 0x6714f389500f6f7eu);
}

/* Unaligned input gives the same answer (words are read byte by byte). */
static void test_siphash_unaligned(void **state) {
  (void)state;
  uint8_t buf[80];
  for (size_t off = 0; off < 8; off++) {
    for (size_t i = 0; i < 63; i++)
      buf[off + i] = (uint8_t)i;
    assert_true(ao_siphash13(k_seq, buf + off, 63) == sip13_vectors[63]);
  }
}

static void test_siphash_seed_dependence(void **state) {
  (void)state;
  ao_ip_t ip = ao_test_ip4(0x510245A0u); /* 81.2.69.160 */
  uint8_t k[16];
  memcpy(k, k_seq, 16);
  uint64_t base = ao_siphash13(k, ip.b, 16);
  assert_true(ao_siphash13(k, ip.b, 16) == base); /* deterministic */
  /* Flipping any one key bit changes the hash, by about half its bits. */
  int total = 0;
  for (unsigned bit = 0; bit < 128; bit++) {
    k[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    uint64_t h = ao_siphash13(k, ip.b, 16);
    k[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    assert_true(h != base);
    total += popcount64(h ^ base);
  }
  double mean = total / 128.0;
  assert_true(mean > 28.0 && mean < 36.0);
}

/* Avalanche on the input: neighbouring addresses (what a scanner sends)
 * differ in about half the hash bits. */
static void test_siphash_avalanche(void **state) {
  (void)state;
  long total = 0, n = 0;
  for (uint32_t a = 0; a < 4096; a++) {
    ao_ip_t x = ao_test_ip4(0xC6336400u + a),
            y = ao_test_ip4(0xC6336400u + a + 1);
    total +=
        popcount64(ao_siphash13(k_seq, x.b, 16) ^ ao_siphash13(k_seq, y.b, 16));
    n++;
  }
  double mean = (double)total / (double)n;
  assert_true(mean > 31.0 && mean < 33.0);
}

/* 2^20 consecutive IPv4 addresses into 1024 buckets by the low hash bits
 * (how the cache picks a set): chi-square with 1023 degrees of freedom has
 * mean 1023 and standard deviation about 45; 1400 is more than 8 sigma. */
static void test_siphash_distribution(void **state) {
  (void)state;
  enum { BUCKETS = 1024, N = 1 << 20 };
  uint32_t *count = calloc(BUCKETS, sizeof(*count));
  assert_non_null(count);
  for (uint32_t a = 0; a < N; a++) {
    ao_ip_t ip = ao_test_ip4(0x0A000000u + a);
    count[ao_siphash13(k_seq, ip.b, 16) & (BUCKETS - 1)]++;
  }
  double expect = (double)N / BUCKETS, chi2 = 0;
  for (int i = 0; i < BUCKETS; i++) {
    double d = count[i] - expect;
    chi2 += d * d / expect;
  }
  free(count);
  if (!(chi2 < 1400.0))
    fail_msg("chi-square %.1f over 1023 degrees of freedom", chi2);
}

/* The vectors of lengths 0, 1, 7, 8, 15, 16, 17 and 63 with each length a
 * constant of the call, as the callers' 16 is: the code the compiler
 * specialises for a length gives the same hashes. */
static void test_siphash_constant_lengths(void **state) {
  (void)state;
  uint8_t msg[64];
  for (size_t i = 0; i < sizeof(msg); i++)
    msg[i] = (uint8_t)i;
  assert_true(ao_siphash13(k_seq, msg, 0) == sip13_vectors[0]);
  assert_true(ao_siphash13(k_seq, msg, 1) == sip13_vectors[1]);
  assert_true(ao_siphash13(k_seq, msg, 7) == sip13_vectors[7]);
  assert_true(ao_siphash13(k_seq, msg, 8) == sip13_vectors[8]);
  assert_true(ao_siphash13(k_seq, msg, 15) == sip13_vectors[15]);
  assert_true(ao_siphash13(k_seq, msg, 16) == sip13_vectors[16]);
  assert_true(ao_siphash13(k_seq, msg, 17) == sip13_vectors[17]);
  assert_true(ao_siphash13(k_seq, msg, 63) == sip13_vectors[63]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_siphash_vectors),
      cmocka_unit_test(test_siphash_constant_lengths),
      cmocka_unit_test(test_siphash_zero_key),
      cmocka_unit_test(test_siphash_unaligned),
      cmocka_unit_test(test_siphash_seed_dependence),
      cmocka_unit_test(test_siphash_avalanche),
      cmocka_unit_test(test_siphash_distribution),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
