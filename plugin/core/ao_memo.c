/*
 * ao_memo.c - a bounded, exact memo of verdicts (see ao_memo.h).
 *
 * A slot is a 12-byte header and the key's bytes. The header holds the
 * hash (which decided the slot, and rejects almost every other key before
 * the bytes are compared), the length and flags of the key (length 0: a
 * free slot) and the value. Short slots are 64 bytes and 64-byte aligned,
 * one cache line; long slots are 256 bytes, of which a lookup reads the
 * header and the key's bytes only.
 */
#include "ao_memo.h"

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

struct ao_memo {
  unsigned char *tab[2]; /* short, long */
  uint32_t mask[2];      /* slots - 1 */
  unsigned nslots[2];
  uint64_t lookups, hits;
};

static int pow2_or_zero(unsigned n) {
  return n <= AO_MEMO_MAX_SLOTS && (n & (n - 1u)) == 0;
}

static unsigned char *alloc_table(unsigned slots, size_t slot_size) {
  if (slots == 0)
    return NULL;
  size_t bytes = (size_t)slots * slot_size;
  /* calloc gives 16-byte alignment; a short slot must not straddle two
   * cache lines, so align to 64 (bytes is a multiple of 64) */
  unsigned char *t = aligned_alloc(64, bytes);
  if (t != NULL)
    memset(t, 0, bytes);
  return t;
}

ao_memo_t *ao_memo_create(unsigned short_slots, unsigned long_slots) {
  if (!pow2_or_zero(short_slots) || !pow2_or_zero(long_slots))
    return NULL;
  ao_memo_t *m = calloc(1, sizeof(*m));
  if (m == NULL)
    return NULL;
  m->nslots[0] = short_slots;
  m->nslots[1] = long_slots;
  m->mask[0] = short_slots ? short_slots - 1u : 0;
  m->mask[1] = long_slots ? long_slots - 1u : 0;
  m->tab[0] = alloc_table(short_slots, AO_MEMO_SHORT_SLOT);
  m->tab[1] = alloc_table(long_slots, AO_MEMO_LONG_SLOT);
  if ((short_slots && m->tab[0] == NULL) || (long_slots && m->tab[1] == NULL)) {
    ao_memo_destroy(m);
    return NULL;
  }
  return m;
}

void ao_memo_destroy(ao_memo_t *m) {
  if (m == NULL)
    return;
  free(m->tab[0]);
  free(m->tab[1]);
  free(m);
}

size_t ao_memo_memory(const ao_memo_t *m) {
  return sizeof(*m) + (size_t)m->nslots[0] * AO_MEMO_SHORT_SLOT +
         (size_t)m->nslots[1] * AO_MEMO_LONG_SLOT;
}

/* 8 bytes at a time, multiply and fold: a few instructions per word. */
void ao_memo_key(ao_memo_key_t *k, const char *p, size_t n, unsigned flags) {
  uint64_t h = 0x9e3779b97f4a7c15u ^ (uint64_t)n ^ ((uint64_t)flags << 40);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdu;
    h ^= h >> 32;
  }
  uint64_t w = 0;
  memcpy(&w, p + i, n - i);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
  h ^= h >> 29;
  k->p = p;
  k->n = n;
  k->flags = flags;
  k->hash = (uint32_t)h;
}

static memo_hdr_t *slot_of(const ao_memo_t *m, const ao_memo_key_t *k) {
  if (k->n == 0 || k->n > AO_MEMO_LONG || k->flags > AO_MEMO_FLAGS_MAX)
    return NULL;
  int t = k->n > AO_MEMO_SHORT;
  if (m->nslots[t] == 0)
    return NULL;
  size_t size = t ? AO_MEMO_LONG_SLOT : AO_MEMO_SHORT_SLOT;
  return (memo_hdr_t *)(void *)(m->tab[t] + (size_t)(k->hash & m->mask[t]) *
                                                size);
}

void ao_memo_prefetch(const ao_memo_t *m, const ao_memo_key_t *k) {
#if defined(__GNUC__)
  const memo_hdr_t *h = slot_of(m, k);
  if (h != NULL)
    __builtin_prefetch(h);
#else
  (void)m;
  (void)k;
#endif
}

int ao_memo_get(ao_memo_t *m, const ao_memo_key_t *k, uint32_t *value,
                void **slot) {
  memo_hdr_t *h = slot_of(m, k);
  *slot = h;
  m->lookups++;
  if (h == NULL)
    return 0;
  if (h->hash == k->hash && h->len == k->n && h->flags == k->flags &&
      memcmp(h + 1, k->p, k->n) == 0) {
    *value = h->value;
    m->hits++;
    return 1;
  }
  return 0;
}

void ao_memo_stats(const ao_memo_t *m, uint64_t *lookups, uint64_t *hits) {
  *lookups = m->lookups;
  *hits = m->hits;
}

void ao_memo_put(void *slot, const ao_memo_key_t *k, uint32_t value) {
  memo_hdr_t *h = slot;
  if (h == NULL)
    return;
  h->hash = k->hash;
  h->len = (uint8_t)k->n;
  h->flags = (uint8_t)k->flags;
  h->value = value;
  memcpy(h + 1, k->p, k->n);
}
