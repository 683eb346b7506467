/*
 * ao_memo.c - a bounded, exact memo of verdicts (see ao_memo.h).
 *
 * A slot is a 12-byte header and the key's bytes. The header holds the
 * hash (which decided the set, and rejects almost every other key before
 * the bytes are compared), the length and flags of the key (length 0: a
 * free slot) and the value. Short slots are 64 bytes and 64-byte aligned,
 * one cache line; long slots are 256 bytes, of which a lookup reads the
 * header and the key's bytes only. Sets of 4 short or 2 long slots.
 */
#include "ao_memo.h"

#include "ao_region.h"

#include <stdlib.h>
#include <string.h>

#define AO_MEMO_SHORT_SLOT 64u
#define AO_MEMO_LONG_SLOT 256u
#define AO_MEMO_MAX_SLOTS (1u << 24)

typedef struct memo_hdr {
  uint32_t hash;
  uint8_t len; /* 0: free */
  uint8_t flags;
  uint16_t pad;
  uint32_t value;
} memo_hdr_t;

_Static_assert(sizeof(memo_hdr_t) + AO_MEMO_SHORT == AO_MEMO_SHORT_SLOT,
               "a short slot is one cache line");
_Static_assert(sizeof(memo_hdr_t) + AO_MEMO_LONG == AO_MEMO_LONG_SLOT,
               "a long slot is 256 bytes");
_Static_assert(AO_MEMO_LONG <= 255, "lengths are bytes");

/* Ways per set: the slots of a set are kept in order of use, the most
 * recent first (a hit moves its slot to the front, a new key goes to the
 * front and pushes the least recently used out), so a set is exact LRU and
 * a repeat is usually found in the set's first cache line. */
static const unsigned ways_of[2] = {4, 2};
static const size_t slot_size[2] = {AO_MEMO_SHORT_SLOT, AO_MEMO_LONG_SLOT};

struct ao_memo {
  ao_region_t mem;       /* both tables, one region (ao_region.h) */
  unsigned char *tab[2]; /* short, long */
  uint32_t set_mask[2];  /* sets - 1 */
  unsigned nslots[2];
  uint64_t lookups, hits;
};

static int valid_slots(unsigned n, unsigned ways) {
  return n == 0 || (n <= AO_MEMO_MAX_SLOTS && n >= ways && (n & (n - 1u)) == 0);
}

ao_memo_t *ao_memo_create(unsigned short_slots, unsigned long_slots) {
  if (!valid_slots(short_slots, ways_of[0]) ||
      !valid_slots(long_slots, ways_of[1]))
    return NULL;
  ao_memo_t *m = calloc(1, sizeof(*m));
  if (m == NULL)
    return NULL;
  unsigned n[2] = {short_slots, long_slots};
  size_t bytes[2] = {(size_t)short_slots * slot_size[0],
                     (size_t)long_slots * slot_size[1]};
  /* one region: aligned to 64 (a short slot must not straddle two cache
   * lines), and one huge page for both tables when they fill 2 MiB */
  if (bytes[0] + bytes[1] > 0 &&
      ao_region_alloc(&m->mem, bytes[0] + bytes[1]) != 0) {
    free(m);
    return NULL;
  }
  for (int t = 0; t < 2; t++) {
    m->nslots[t] = n[t];
    m->set_mask[t] = n[t] ? n[t] / ways_of[t] - 1u : 0;
    m->tab[t] = n[t] ? (unsigned char *)m->mem.p + (t ? bytes[0] : 0) : NULL;
  }
  return m;
}

void ao_memo_destroy(ao_memo_t *m) {
  if (m == NULL)
    return;
  ao_region_free(&m->mem);
  free(m);
}

size_t ao_memo_memory(const ao_memo_t *m) {
  return sizeof(*m) + (size_t)m->nslots[0] * AO_MEMO_SHORT_SLOT +
         (size_t)m->nslots[1] * AO_MEMO_LONG_SLOT;
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
  return m->tab[t] +
         (size_t)(k->hash & m->set_mask[t]) * ways_of[t] * slot_size[t];
}

void ao_memo_prefetch(const ao_memo_t *m, const ao_memo_key_t *k) {
#if defined(__GNUC__)
  int t = table_of(m, k);
  if (t >= 0)
    __builtin_prefetch(set_of(m, t, k)); /* the most recent way */
#else
  (void)m;
  (void)k;
#endif
}

int ao_memo_get(ao_memo_t *m, const ao_memo_key_t *k, uint32_t *value) {
  m->lookups++;
  int t = table_of(m, k);
  if (t < 0)
    return 0;
  unsigned char *set = set_of(m, t, k);
  size_t size = slot_size[t];
  for (unsigned w = 0; w < ways_of[t]; w++) {
    memo_hdr_t *h = (memo_hdr_t *)(void *)(set + w * size);
    if (h->hash == k->hash && h->len == k->n && h->flags == k->flags &&
        memcmp(h + 1, k->p, k->n) == 0) {
      *value = h->value;
      m->hits++;
      if (w > 0) {
        /* to the front: the ways before it move back by one */
        unsigned char tmp[AO_MEMO_LONG_SLOT];
        memcpy(tmp, set + w * size, size);
        memmove(set + size, set, w * size);
        memcpy(set, tmp, size);
      }
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
  size_t size = slot_size[t];
  /* the least recently used way falls out, the new key goes in front */
  memmove(set + size, set, (ways_of[t] - 1u) * size);
  memo_hdr_t *h = (memo_hdr_t *)(void *)set;
  h->hash = k->hash;
  h->len = (uint8_t)k->n;
  h->flags = (uint8_t)k->flags;
  h->pad = 0;
  h->value = value;
  memcpy(h + 1, k->p, k->n);
}

void ao_memo_stats(const ao_memo_t *m, uint64_t *lookups, uint64_t *hits) {
  *lookups = m->lookups;
  *hits = m->hits;
}
