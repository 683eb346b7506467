/*
 * ao_memo.h - a bounded memo of verdicts keyed by byte strings.
 *
 * DESCRIPTION
 *   The classifier's verdict on a field (a request target, a user agent, a
 *   referer) depends on the field's bytes and on a few flags only, and
 *   requests repeat: the same assets, pages and API calls, the same user
 *   agents, from line to line. A memo remembers the verdicts of recently
 *   seen fields, so that a repeat costs a hash and a compare instead of the
 *   whole normalisation and scan.
 *
 *   Exact: a slot keeps the whole key (bytes and flags) and a hit compares
 *   all of it, so a hash collision can only cost a miss, never another
 *   key's value.
 *
 *   Bounded and cache-friendly: two 4-way set-associative tables fixed at
 *   creation, never resized. A set is one cache line of tags (hash,
 *   length, flags, value, last use) followed by the keys' bytes; the tags
 *   and the first line of each key are fetched at once, so that a hit
 *   waits for one memory access, not two in a row. Short keys (at most
 *   AO_MEMO_SHORT bytes, most targets and referers) have 64 bytes each,
 *   longer ones (up to AO_MEMO_LONG bytes) 256; longer ones are not
 *   memoised. The hash is not keyed: a client who makes its fields collide
 *   only makes them miss, which costs what no memo would.
 *
 *   Scan-resistant replacement: a new key is put in as the oldest of its
 *   set (it makes room first unless it is hit before the set's next put),
 *   and a hit makes a key the newest; one put in AO_MEMO_NEWEST_EVERY goes
 *   in as the newest, so that a new working set still takes over (the
 *   bimodal insertion of Qureshi et al., ISCA 2007). Requests seen once
 *   (a search, a query with a campaign id: one line in six of the
 *   benchmark log) then no longer push out the pages, user agents and
 *   referers that repeat, as they do under plain least-recently-used.
 *
 *   The tables are one region (ao_region.h): sized to 2 MiB, they are one
 *   transparent huge page, so a lookup costs no TLB miss either.
 *
 *   Lookups are split in two steps so that callers can start the memory
 *   accesses of several fields at once (ao_memo_key() finds a key's set and
 *   starts loading it) before they need the first answer: the slots of one
 *   line's fields are then fetched in parallel rather than one after the
 *   other, and ao_memo_get() only compares.
 *
 *   A memo is used by one thread at a time (its counters are plain
 *   fields). Nothing here allocates after creation.
 */
#ifndef AO_MEMO_H
#define AO_MEMO_H

#include <stddef.h>
#include <stdint.h>

#define AO_MEMO_SHORT 64u  /* longest key of the short table */
#define AO_MEMO_LONG 255u  /* longest key memoised (the long table) */
#define AO_MEMO_FLAGS_MAX 255u
#define AO_MEMO_NEWEST_EVERY 32u /* a power of two */

typedef struct ao_memo ao_memo_t;

/* A key prepared for lookups in one memo: its bytes (borrowed), flags,
 * hash, and the set of that memo it maps to. */
typedef struct ao_memo_key {
  const char *p;
  size_t n;
  unsigned flags;
  uint32_t hash;
  unsigned char *set; /* NULL: not memoised (or no memo) */
  size_t key_size;    /* bytes per key in that set's table */
} ao_memo_key_t;

/* short_slots and long_slots are powers of two, at least a set (4), or 0,
 * which disables that table. Memory: 80 bytes per short slot, 272 per long
 * one. Returns NULL on bad sizes or ENOMEM. */
ao_memo_t *ao_memo_create(unsigned short_slots, unsigned long_slots);
void ao_memo_destroy(ao_memo_t *m); /* NULL is a no-op */

/* Fills *k for p[0..n) (kept by reference) and flags (0..255): its hash,
 * and its set in m, which it starts loading into the cache (a prefetch: no
 * effect on any result). k is then a key of m only. With m NULL only the
 * hash is computed (the key is then memoised nowhere). */
void ao_memo_key(const ao_memo_t *m, ao_memo_key_t *k, const char *p, size_t n,
                 unsigned flags);

/* Returns 1 with the remembered value in *value when k (a key of m) is
 * memoised, else 0. */
int ao_memo_get(ao_memo_t *m, const ao_memo_key_t *k, uint32_t *value);

/* Remembers value for k (a key of m), which ao_memo_get() just missed (a
 * key that is empty or longer than AO_MEMO_LONG is not remembered). */
void ao_memo_put(ao_memo_t *m, const ao_memo_key_t *k, uint32_t value);

/* Bytes held by the tables. */
size_t ao_memo_memory(const ao_memo_t *m);

/* Lookups and hits so far (ao_memo_get() calls, and those that returned
 * 1), for benchmarks and the figures in README. */
void ao_memo_stats(const ao_memo_t *m, uint64_t *lookups, uint64_t *hits);

#endif /* AO_MEMO_H */
