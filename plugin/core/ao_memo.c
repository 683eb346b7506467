/*
 * ao_memo.c - a bounded, exact memo of verdicts (see ao_memo.h).
 *
 * Layout of a set (4 ways), chosen for the cache:
 *
 *   [ tag line: 4 tags of 16 bytes ] [ key 0 ] [ key 1 ] [ key 2 ] [ key 3 ]
 *
 * A tag holds the key's hash, length and flags, the value and the time of
 * last use. A lookup reads the tag line (one cache line) and compares the
 * bytes of a key only when its tag matches: a miss costs one line, a hit
 * two. Keys are 64 bytes in the short table (one line each) and 256 bytes
 * in the long one. Replacement is least recently used within the set, from
 * the times in the tags (a free way first); nothing is moved.
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

/* 16 bytes per step in two independent lanes (multiply and fold), so the
 * multiplications overlap: a long user agent costs a few dozen cycles. */
void ao_memo_key(ao_memo_key_t *k, const char *p, size_t n, unsigned flags) {
  uint64_t a = 0x9e3779b97f4a7c15u ^ (uint64_t)n ^ ((uint64_t)flags << 40);
  uint64_t b = 0x6a09e667f3bcc909u;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    uint64_t w0, w1;
    memcpy(&w0, p + i, 8);
    memcpy(&w1, p + i + 8, 8);
    a = (a ^ w0) * 0xff51afd7ed558ccdu;
    b = (b ^ w1) * 0xc4ceb9fe1a85ec53u;
    a ^= a >> 32;
    b ^= b >> 29;
  }
  if (i + 8 <= n) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    a = (a ^ w) * 0xff51afd7ed558ccdu;
    a ^= a >> 32;
    i += 8;
  }
  uint64_t w = 0;
  memcpy(&w, p + i, n - i);
  uint64_t h = (a ^ (b * 0x9fb21c651e98df25u) ^ w) * 0xc4ceb9fe1a85ec53u;
  h ^= h >> 29;
  k->p = p;
  k->n = n;
  k->flags = flags;
  k->hash = (uint32_t)h;
}

/* The table of k (0 short, 1 long), or -1 when k is not memoised. */
static int table_of(const ao_memo_t *m, const ao_memo_key_t *k) {
  if (k->n == 0 || k->n > AO_MEMO_LONG || k->flags > AO_MEMO_FLAGS_MAX)
    return -1;
  int t = k->n > AO_MEMO_SHORT;
  return m->nslots[t] != 0 ? t : -1;
}

static unsigned char *set_of(const ao_memo_t *m, int t,
                             const ao_memo_key_t *k) {
  return m->tab[t] + (size_t)(k->hash & m->set_mask[t]) * m->set_size[t];
}

void ao_memo_prefetch(const ao_memo_t *m, const ao_memo_key_t *k) {
#if defined(__GNUC__)
  int t = table_of(m, k);
  if (t >= 0)
    __builtin_prefetch(set_of(m, t, k)); /* the tag line */
#else
  (void)m;
  (void)k;
#endif
}

int ao_memo_get(ao_memo_t *m, const ao_memo_key_t *k, uint32_t *value) {
  m->lookups++;
  m->clock++;
  int t = table_of(m, k);
  if (t < 0)
    return 0;
  unsigned char *set = set_of(m, t, k);
  memo_tag_t *tags = (memo_tag_t *)(void *)set;
  for (unsigned w = 0; w < AO_MEMO_WAYS; w++) {
    memo_tag_t *g = &tags[w];
    if (g->hash == k->hash && g->len == k->n && g->flags == k->flags &&
        memcmp(set + 64 + w * key_size[t], k->p, k->n) == 0) {
      *value = g->value;
      g->used = m->clock;
      m->hits++;
      return 1;
    }
  }
  return 0;
}

void ao_memo_put(ao_memo_t *m, const ao_memo_key_t *k, uint32_t value) {
  int t = table_of(m, k);
  if (t < 0)
    return;
  unsigned char *set = set_of(m, t, k);
  memo_tag_t *tags = (memo_tag_t *)(void *)set;
  /* a free way, else the least recently used (in clock order, which the
   * unsigned difference keeps right across a wrap of the clock) */
  unsigned v = 0;
  for (unsigned w = 0; w < AO_MEMO_WAYS; w++) {
    if (tags[w].len == 0) {
      v = w;
      break;
    }
    if (m->clock - tags[w].used > m->clock - tags[v].used)
      v = w;
  }
  memo_tag_t *g = &tags[v];
  g->hash = k->hash;
  g->value = value;
  g->used = m->clock;
  g->len = (uint8_t)k->n;
  g->flags = (uint8_t)k->flags;
  memcpy(set + 64 + v * key_size[t], k->p, k->n);
}

void ao_memo_stats(const ao_memo_t *m, uint64_t *lookups, uint64_t *hits) {
  *lookups = m->lookups;
  *hits = m->hits;
}
