/*
 * ao_memo.c - a bounded, exact memo of verdicts (see ao_memo.h).
 *
 * Layout of a set (4 ways), chosen for the cache:
 *
 *   [ tag line: 4 tags of 16 bytes ] [ key 0 ] [ key 1 ] [ key 2 ] [ key 3 ]
 *
 * A tag holds the key's hash, length and flags, the value and the time of
 * last use. A lookup reads the tag line (one cache line) and compares the
 * bytes of a key only when its tag matches. The tag line and the first
 * line of every way's key are fetched together when the key is made
 * (ao_memo_key()), so that a hit waits for one memory access rather than
 * for the tags and then, once they are known, for the key. Keys are 64
 * bytes in the short table (one line each) and 256 bytes in the long
 * one. The way that makes room is a free one, else the oldest by the
 * times in the tags; a new key's time is set older than the set's
 * other keys (except every AO_MEMO_NEWEST_EVERY-th put), a hit's to now.
 * Nothing is moved.
 */
#include "ao_memo.h"

#include "ao_region.h"

#include <stdlib.h>
#include <string.h>

#define AO_MEMO_WAYS 4u
#define AO_MEMO_MAX_SLOTS (1u << 24)

typedef struct memo_tag {
  uint32_t hash;
  uint32_t value;
  uint32_t used; /* the memo's clock at the last hit or insertion */
  uint8_t len;   /* 0: free */
  uint8_t flags;
  uint16_t pad;
} memo_tag_t;

_Static_assert(sizeof(memo_tag_t) * AO_MEMO_WAYS == 64,
               "the tags of a set are one cache line");
_Static_assert(AO_MEMO_LONG <= 255, "lengths are bytes");

static const size_t key_size[2] = {AO_MEMO_SHORT, 256};

struct ao_memo {
  ao_region_t mem;       /* both tables, one region (ao_region.h) */
  unsigned char *tab[2]; /* short, long */
  size_t set_size[2];    /* bytes per set */
  uint32_t set_mask[2];  /* sets - 1 */
  unsigned nslots[2];
  uint32_t clock; /* counts lookups: the times of last use */
  uint32_t puts;  /* counts puts: which go in as the newest */
  uint64_t lookups, hits;
};

static int valid_slots(unsigned n) {
  return n == 0 ||
         (n <= AO_MEMO_MAX_SLOTS && n >= AO_MEMO_WAYS && (n & (n - 1u)) == 0);
}

ao_memo_t *ao_memo_create(unsigned short_slots, unsigned long_slots) {
  if (!valid_slots(short_slots) || !valid_slots(long_slots))
    return NULL;
  ao_memo_t *m = calloc(1, sizeof(*m));
  if (m == NULL)
    return NULL;
  unsigned n[2] = {short_slots, long_slots};
  size_t bytes[2];
  for (int t = 0; t < 2; t++) {
    m->nslots[t] = n[t];
    m->set_size[t] = 64 + AO_MEMO_WAYS * key_size[t];
    m->set_mask[t] = n[t] ? n[t] / AO_MEMO_WAYS - 1u : 0;
    bytes[t] = (size_t)(n[t] / AO_MEMO_WAYS) * m->set_size[t];
  }
  /* one region: aligned to 64 (a tag line must be one cache line), and
   * one huge page for both tables when they fit 2 MiB */
  if (bytes[0] + bytes[1] > 0 &&
      ao_region_alloc(&m->mem, bytes[0] + bytes[1]) != 0) {
    free(m);
    return NULL;
  }
  for (int t = 0; t < 2; t++)
    m->tab[t] = n[t] ? (unsigned char *)m->mem.p + (t ? bytes[0] : 0) : NULL;
  return m;
}

void ao_memo_destroy(ao_memo_t *m) {
  if (m == NULL)
    return;
  ao_region_free(&m->mem);
  free(m);
}

size_t ao_memo_memory(const ao_memo_t *m) {
  return sizeof(*m) + m->mem.size;
}

/* --- the key's hash ------------------------------------------------------
 * A folded multiply: the 128-bit product of two 64-bit words, its halves
 * xor-ed (the mixing step of wyhash and of Go's map hash without AES).
 * One multiply takes 16 bytes of key, so a 120-byte user agent costs about
 * ten multiplies; two lanes of 32 bytes per step let them overlap. The
 * hash only spreads keys over sets: it is not keyed, and a collision costs
 * a miss, never a wrong value (see ao_memo.h). */
#if defined(__SIZEOF_INT128__) && !defined(AO_MEMO_PORTABLE)
__extension__ typedef unsigned __int128 memo_u128;
static inline uint64_t fold_mul(uint64_t a, uint64_t b) {
  memo_u128 r = (memo_u128)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
}
#else
/* the same product from four 32-bit ones, where there is no 128-bit type
 * (AO_MEMO_PORTABLE forces it: test_memo_portable checks it against the
 * 128-bit product) */
static inline uint64_t fold_mul(uint64_t a, uint64_t b) {
  uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
  uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
  uint64_t lo = (mid << 32) | (uint32_t)ll;
  uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  return lo ^ hi;
}
#endif

static inline uint64_t rd64(const char *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

static inline uint64_t rd32(const char *p) {
  uint32_t w;
  memcpy(&w, p, 4);
  return w;
}

#define MEMO_P0 0xa0761d6478bd642full
#define MEMO_P1 0xe7037ed1a0b428dbull
#define MEMO_P2 0x8ebc6af09c88c6e3ull
#define MEMO_P3 0x589965cc75374cc3ull

/* The table of a key of n bytes with flags (0 short, 1 long), or -1 when
 * it is not memoised in m. */
static int table_of(const ao_memo_t *m, size_t n, unsigned flags) {
  if (n == 0 || n > AO_MEMO_LONG || flags > AO_MEMO_FLAGS_MAX)
    return -1;
  int t = n > AO_MEMO_SHORT;
  return m->nslots[t] != 0 ? t : -1;
}

void ao_memo_key(const ao_memo_t *m, ao_memo_key_t *k, const char *p, size_t n,
                 unsigned flags) {
  uint64_t a = MEMO_P0 ^ (uint64_t)n ^ ((uint64_t)flags << 40);
  uint64_t b = MEMO_P3;
  if (n > 16) {
    /* 32 bytes a step while more than 32 are left, then the last 32 (or
     * the first and the last 16 of a key of 17 to 32), read so that they
     * may overlap bytes already hashed: whatever the length, the tail
     * costs no branch on how many bytes it has (a user agent's or a
     * target's length changes from line to line, and every such branch
     * was a guess that often failed) */
    size_t i = 0;
    for (; i + 32 < n; i += 32) {
      a = fold_mul(rd64(p + i) ^ MEMO_P1, rd64(p + i + 8) ^ a);
      b = fold_mul(rd64(p + i + 16) ^ MEMO_P2, rd64(p + i + 24) ^ b);
    }
    const char *t = n > 32 ? p + n - 32 : p;
    a = fold_mul(rd64(t) ^ MEMO_P1, rd64(t + 8) ^ a);
    b = fold_mul(rd64(p + n - 16) ^ MEMO_P2, rd64(p + n - 8) ^ b);
  } else {
    /* 0 to 16 bytes, read without leaving p[0..n): two words that may
     * overlap (8 or more bytes), two half words (4 to 7), or bytes */
    uint64_t w0 = 0, w1 = 0;
    if (n >= 8) {
      w0 = rd64(p);
      w1 = rd64(p + n - 8);
    } else if (n >= 4) {
      w0 = rd32(p) << 32 | rd32(p + n - 4);
    } else if (n > 0) {
      w0 = (uint64_t)(unsigned char)p[0] << 16 |
           (uint64_t)(unsigned char)p[n / 2] << 8 |
           (uint64_t)(unsigned char)p[n - 1];
    }
    a ^= w0;
    b ^= w1;
  }
  uint64_t h = fold_mul(a ^ MEMO_P1, b ^ MEMO_P2);
  h = fold_mul(h ^ MEMO_P0, (uint64_t)n ^ MEMO_P3);
  k->p = p;
  k->n = n;
  k->flags = flags;
  k->hash = (uint32_t)h;
  k->set = NULL;
  k->key_size = 0;
  int t = m != NULL ? table_of(m, n, flags) : -1;
  if (t >= 0) {
    k->set = m->tab[t] + (size_t)(k->hash & m->set_mask[t]) * m->set_size[t];
    k->key_size = key_size[t];
#if defined(__GNUC__)
    /* the tag line and the first line of each way's key (see the top) */
    __builtin_prefetch(k->set);
    for (unsigned w = 0; w < AO_MEMO_WAYS; w++)
      __builtin_prefetch(k->set + 64 + w * k->key_size);
#endif
  }
}

int ao_memo_get(ao_memo_t *m, const ao_memo_key_t *k, uint32_t *value) {
  m->lookups++;
  m->clock++;
  unsigned char *set = k->set;
  if (set == NULL)
    return 0;
  memo_tag_t *tags = (memo_tag_t *)(void *)set;
  for (unsigned w = 0; w < AO_MEMO_WAYS; w++) {
    memo_tag_t *g = &tags[w];
    if (g->hash == k->hash && g->len == k->n && g->flags == k->flags &&
        memcmp(set + 64 + w * k->key_size, k->p, k->n) == 0) {
      *value = g->value;
      g->used = m->clock;
      m->hits++;
      return 1;
    }
  }
  return 0;
}

void ao_memo_put(ao_memo_t *m, const ao_memo_key_t *k, uint32_t value) {
  unsigned char *set = k->set;
  if (set == NULL)
    return;
  memo_tag_t *tags = (memo_tag_t *)(void *)set;
  /* A free way, else the oldest (in clock order, which the unsigned
   * difference keeps right across a wrap of the clock). The new key goes
   * in as older than every key of the set, so that it is the next to go
   * unless it is hit first; one put in AO_MEMO_NEWEST_EVERY as the newest
   * (ao_memo.h). */
  unsigned v = AO_MEMO_WAYS, oldest_way = 0;
  uint32_t oldest = 0;
  for (unsigned w = 0; w < AO_MEMO_WAYS; w++) {
    if (tags[w].len == 0) {
      if (v == AO_MEMO_WAYS)
        v = w;
    } else if (m->clock - tags[w].used > oldest) {
      oldest = m->clock - tags[w].used;
      oldest_way = w;
    }
  }
  if (v == AO_MEMO_WAYS)
    v = oldest_way;
  _Static_assert((AO_MEMO_NEWEST_EVERY & (AO_MEMO_NEWEST_EVERY - 1u)) == 0,
                 "a power of two");
  int newest = (++m->puts & (AO_MEMO_NEWEST_EVERY - 1u)) == 0;
  memo_tag_t *g = &tags[v];
  g->hash = k->hash;
  g->value = value;
  g->used = newest ? m->clock : m->clock - oldest - 1u;
  g->len = (uint8_t)k->n;
  g->flags = (uint8_t)k->flags;
  memcpy(set + 64 + v * k->key_size, k->p, k->n);
}

void ao_memo_stats(const ao_memo_t *m, uint64_t *lookups, uint64_t *hits) {
  *lookups = m->lookups;
  *hits = m->hits;
}
