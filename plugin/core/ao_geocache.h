/*
 * ao_geocache.h - a bounded address -> country cache.
 *
 * DESCRIPTION
 *   Client addresses are attacker-controlled, so the cache has a hard size
 *   fixed at creation (rounded up to a power of two) and its hash is keyed
 *   with a random seed drawn at creation (SipHash-1-3 of the 16 address
 *   bytes), so that nobody can aim many addresses at one slot. Collisions
 *   evict; memory never grows. ao_geocache_flush() empties it (a new
 *   database was loaded).
 *
 *   Layout (why: see ao_geocache.c): sets of 4 entries (1 or 2 for those
 *   capacities), the set being the low bits of the hash; a full set evicts
 *   its oldest entry (FIFO). A hit changes nothing, so get is const.
 */
#ifndef AO_GEOCACHE_H
#define AO_GEOCACHE_H

#include "ao_country.h"
#include "ao_ip.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ao_geocache ao_geocache_t;

/* capacity in entries (1..1<<24), rounded up to a power of two. seed NULL
 * draws 16 random bytes (getrandom, falling back to /dev/urandom and the
 * clock); tests pass a fixed seed. Returns NULL on bad capacity or ENOMEM. */
ao_geocache_t *ao_geocache_create(size_t capacity, const uint8_t seed[16]);
void ao_geocache_destroy(ao_geocache_t *c); /* NULL is a no-op */

/* Returns 1 and sets *out when ip is cached, else 0. */
int ao_geocache_get(const ao_geocache_t *c, const ao_ip_t *ip,
                    ao_country_t *out);
/* Returns 1 when the insertion evicted another address (its set was full),
 * else 0. */
int ao_geocache_put(ao_geocache_t *c, const ao_ip_t *ip, ao_country_t cc);
void ao_geocache_flush(ao_geocache_t *c);
size_t ao_geocache_capacity(const ao_geocache_t *c);
/* Number of occupied entries (always <= capacity). */
size_t ao_geocache_size(const ao_geocache_t *c);

/* The keyed hash, exposed for tests. */
uint64_t ao_siphash13(const uint8_t key[16], const void *data, size_t len);

#endif /* AO_GEOCACHE_H */
