/*
 * ao_bytescan.h - searching a run of bytes for one or two byte values, and
 * summarising which kinds of bytes a run holds, many bytes per step.
 *
 * DESCRIPTION
 *   The per-line path looks for delimiters (the quotes of a log line, the
 *   '?' of a target) and asks questions such as "does this field hold a
 *   '%' at all?" before deciding which decoding steps can change it. Asked
 *   one byte at a time those questions cost a compare and a branch per
 *   byte; here they cost a few instructions per 16 bytes:
 *
 *     - ao_find1(), ao_find2(): the index of the first byte equal to a (or
 *       b), or n when there is none. Inline, so that the short spans of a
 *       log line pay no call (libc's memchr costs more in its call and
 *       set-up than in its loop for 20 bytes).
 *     - ao_rfind1(): the index of the last byte equal to a, or n when there
 *       is none. (16 bytes at a time on x86-64, a byte at a time
 *       elsewhere.) ao_after_last1(): the index just after it, or 0: where
 *       a path's last segment starts.
 *     - ao_bytes_any(): whether any byte of a run is in a set of up to
 *       AO_BYTESET_MAX values (compiled once into an ao_byteset_t).
 *
 *   On x86-64 (SSE2 is part of the architecture) whole 16-byte blocks are
 *   compared at once; elsewhere 8 bytes at a time in a 64-bit word (the
 *   classic "has zero byte" trick), so the code is portable C11 with a
 *   fast path, not an x86-only dependency. Either way a call never reads
 *   outside p[0..n): the last partial block is either the last 16 bytes of
 *   the run (overlapping the block before, with the bytes already looked
 *   at masked off) or, in runs shorter than a block, looked at one byte at
 *   a time, so that sanitizers and page boundaries have nothing to object
 *   to.
 *
 *   Everything is pure and allocation-free; a byte set is immutable after
 *   ao_byteset_init() and may be shared between threads.
 */
#ifndef AO_BYTESCAN_H
#define AO_BYTESCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* AO_BYTESCAN_NO_SIMD forces the portable path (its unit test uses it). */
#if defined(__SSE2__) && !defined(AO_BYTESCAN_NO_SIMD)
#include <emmintrin.h>
#define AO_BYTESCAN_SSE2 1
#else
#define AO_BYTESCAN_SSE2 0
#endif

#if defined(__GNUC__)
#define AO_BS_CTZ32(x) ((unsigned)__builtin_ctz(x))
#define AO_BS_CTZ64(x) ((unsigned)__builtin_ctzll(x))
/* the index of the highest set bit of a non-zero 32-bit mask */
#define AO_BS_HIGH32(x) (31u - (unsigned)__builtin_clz(x))
#else
static inline unsigned ao_bs_high32_(uint32_t x) {
  unsigned k = 31;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    k--;
  }
  return k;
}
#define AO_BS_HIGH32(x) ao_bs_high32_(x)
static inline unsigned ao_bs_ctz64_(uint64_t x) {
  unsigned k = 0;
  while (!(x & 1u)) {
    x >>= 1;
    k++;
  }
  return k;
}
#define AO_BS_CTZ32(x) ao_bs_ctz64_((uint64_t)(x))
#define AO_BS_CTZ64(x) ao_bs_ctz64_(x)
#endif

#if !AO_BYTESCAN_SSE2
/* SWAR: a word with 0x80 set in each byte of w that is zero (exact: no
 * false positive from a borrow, unlike the shorter variant). */
static inline uint64_t ao_bs_zero_bytes_(uint64_t w) {
  const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
  return ~(((w & low7) + low7) | w | low7);
}
static inline uint64_t ao_bs_load64_(const unsigned char *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}
/* Byte index (memory order) of the lowest flagged byte of a mask word. */
static inline unsigned ao_bs_first_(uint64_t m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  unsigned k = 0;
  while (!(m & (0x80ull << 56))) {
    m <<= 8;
    k++;
  }
  return k;
#else
  return AO_BS_CTZ64(m) / 8u;
#endif
}
#endif

/* Index of the first byte of p[0..n) equal to a or to b, or n. */
static inline size_t ao_find2(const char *p, size_t n, unsigned char a,
                              unsigned char b) {
  const unsigned char *s = (const unsigned char *)p;
  size_t i = 0;
#if AO_BYTESCAN_SSE2
  const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b);
  for (; i + 16 <= n; i += 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
    unsigned m = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)));
    if (m != 0)
      return i + AO_BS_CTZ32(m);
  }
  if (i < n && n >= 16) {
    /* the last 16 bytes, overlapping what was already looked at: the
     * bytes before i are masked off */
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
    unsigned m = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)));
    m >>= 16 - (n - i);
    return m != 0 ? i + AO_BS_CTZ32(m) : n;
  }
#else
  const uint64_t ra = 0x0101010101010101ull * a, rb = 0x0101010101010101ull * b;
  for (; i + 8 <= n; i += 8) {
    uint64_t w = ao_bs_load64_(s + i);
    uint64_t m = ao_bs_zero_bytes_(w ^ ra) | ao_bs_zero_bytes_(w ^ rb);
    if (m != 0)
      return i + ao_bs_first_(m);
  }
#endif
  for (; i < n; i++)
    if (s[i] == a || s[i] == b)
      return i;
  return n;
}

/* Index of the first byte of p[0..n) equal to a, or n. */
static inline size_t ao_find1(const char *p, size_t n, unsigned char a) {
  return ao_find2(p, n, a, a);
}

/* Index of the last byte of p[0..n) equal to a, or n. */
static inline size_t ao_rfind1(const char *p, size_t n, unsigned char a) {
  const unsigned char *s = (const unsigned char *)p;
  size_t i = n;
#if AO_BYTESCAN_SSE2
  const __m128i va = _mm_set1_epi8((char)a);
  for (; i >= 16; i -= 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i - 16));
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, va));
    if (m != 0)
      return i - 16 + AO_BS_HIGH32(m);
  }
  if (i > 0 && n >= 16) {
    /* the first 16 bytes, overlapping what was already looked at: the
     * bytes from i on are masked off */
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    unsigned m =
        (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, va)) & ((1u << i) - 1u);
    return m != 0 ? AO_BS_HIGH32(m) : n;
  }
#endif
  while (i > 0)
    if (s[--i] == a)
      return i;
  return n;
}

/* Index just after the last byte of p[0..n) equal to a, or 0 when there is
 * none: with '/', where the last segment of a path starts. */
static inline size_t ao_after_last1(const char *p, size_t n, unsigned char a) {
  size_t k = ao_rfind1(p, n, a);
  return k < n ? k + 1 : 0;
}

/* A set of byte values for ao_bytes_any(). */
#define AO_BYTESET_MAX 16
typedef struct ao_byteset {
  unsigned n;
  unsigned char v[AO_BYTESET_MAX];
  uint8_t member[256]; /* 1 for the bytes of the set (the scalar tail) */
} ao_byteset_t;

/* Fills *set with the n (at most AO_BYTESET_MAX; more are ignored) bytes
 * of vals. */
static inline void ao_byteset_init(ao_byteset_t *set, const char *vals,
                                   size_t n) {
  memset(set, 0, sizeof(*set));
  for (size_t k = 0; k < n && set->n < AO_BYTESET_MAX; k++) {
    unsigned char c = (unsigned char)vals[k];
    if (!set->member[c]) {
      set->member[c] = 1;
      set->v[set->n++] = c;
    }
  }
}

/* Does p[0..n) hold a byte of set? */
static inline int ao_bytes_any(const ao_byteset_t *set, const char *p,
                               size_t n) {
  const unsigned char *s = (const unsigned char *)p;
  size_t i = 0;
#if AO_BYTESCAN_SSE2
  for (; i < n; i += 16) {
    /* the last block overlaps the one before: a repeated byte is harmless
     * to an "any" question */
    size_t at = i + 16 <= n ? i : n - 16;
    if (n < 16)
      break;
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
    __m128i acc = _mm_setzero_si128();
    for (unsigned k = 0; k < set->n; k++)
      acc = _mm_or_si128(acc,
                         _mm_cmpeq_epi8(x, _mm_set1_epi8((char)set->v[k])));
    if (_mm_movemask_epi8(acc) != 0)
      return 1;
  }
  if (n >= 16)
    return 0;
#endif
  for (; i < n; i++)
    if (set->member[s[i]])
      return 1;
  return 0;
}

#endif /* AO_BYTESCAN_H */
