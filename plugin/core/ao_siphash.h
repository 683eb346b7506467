/*
 * ao_siphash.h - SipHash-1-3, the keyed hash of the address tables.
 *
 * DESCRIPTION
 *   The GeoIP cache (ao_geocache) and the brute-force buckets (ao_rate)
 *   place client addresses, which anybody writing log lines chooses, in
 *   sets: a keyed hash under a key drawn at start-up keeps the placement
 *   unknown to them, so that nobody can pile their addresses into one set.
 *
 *   Inline, so that each caller's constant length (16 for an address)
 *   unrolls the word loop and drops the tail's byte loop.
 *
 *   ao_siphash13(key, data, len) is SipHash-1-3 of data[0..len) under the
 *   16-byte key; the result does not depend on the host's byte order or on
 *   data's alignment. Pure, no state.
 */
#ifndef AO_SIPHASH_H
#define AO_SIPHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* --- SipHash-1-3 -------------------------------------------------------------
 * Written from Aumasson & Bernstein, "SipHash: a fast short-input PRF"
 * (2012): SipHash-c-d with c = 1 compression round per 8-byte word and
 * d = 3 finalisation rounds, the variant CPython (3.11+) and Rust use for
 * hash tables. Words are read little-endian byte by byte, so the result does
 * not depend on the host's byte order or alignment. */

static inline uint64_t ao_sip_rotl64(uint64_t x, unsigned b) {
  return (x << b) | (x >> (64u - b));
}

static inline uint64_t ao_sip_load_le64(const uint8_t *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  /* one load where the host is little-endian (the loop below is what it
   * means; compilers do not always see that) */
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
#else
  uint64_t v = 0;
  for (unsigned i = 0; i < 8; i++)
    v |= (uint64_t)p[i] << (8u * i);
  return v;
#endif
}

#define AO_SIPROUND                                                            \
  do {                                                                         \
    v0 += v1;                                                                  \
    v1 = ao_sip_rotl64(v1, 13);                                                \
    v1 ^= v0;                                                                  \
    v0 = ao_sip_rotl64(v0, 32);                                                \
    v2 += v3;                                                                  \
    v3 = ao_sip_rotl64(v3, 16);                                                \
    v3 ^= v2;                                                                  \
    v0 += v3;                                                                  \
    v3 = ao_sip_rotl64(v3, 21);                                                \
    v3 ^= v0;                                                                  \
    v2 += v1;                                                                  \
    v1 = ao_sip_rotl64(v1, 17);                                                \
    v1 ^= v2;                                                                  \
    v2 = ao_sip_rotl64(v2, 32);                                                \
  } while (0)

static inline uint64_t ao_siphash13(const uint8_t key[16], const void *data,
                                    size_t len) {
  const uint8_t *in = data;
  uint64_t k0 = ao_sip_load_le64(key), k1 = ao_sip_load_le64(key + 8);
  /* "somepseudorandomlygeneratedbytes" */
  uint64_t v0 = k0 ^ 0x736f6d6570736575u;
  uint64_t v1 = k1 ^ 0x646f72616e646f6du;
  uint64_t v2 = k0 ^ 0x6c7967656e657261u;
  uint64_t v3 = k1 ^ 0x7465646279746573u;

  size_t full = len - (len % 8);
  for (size_t i = 0; i < full; i += 8) {
    uint64_t m = ao_sip_load_le64(in + i);
    v3 ^= m;
    AO_SIPROUND;
    v0 ^= m;
  }
  /* Last word: the remaining 0..7 bytes, with len mod 256 in the top byte. */
  uint64_t b = (uint64_t)(len & 0xffu) << 56;
  for (size_t i = 0; i < len % 8; i++)
    b |= (uint64_t)in[full + i] << (8u * i);
  v3 ^= b;
  AO_SIPROUND;
  v0 ^= b;

  v2 ^= 0xffu;
  AO_SIPROUND;
  AO_SIPROUND;
  AO_SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

#undef AO_SIPROUND

#endif /* AO_SIPHASH_H */
