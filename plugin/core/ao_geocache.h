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
 *
 *   Networks. A country database answers for networks, not addresses:
 *   libmaxminddb says how many leading bits of the address decided the
 *   answer (the netmask of the record found), and every address with those
 *   bits gets the same answer. ao_geocache_put_net() stores such an answer
 *   once for the whole block at the coarsest of a few fixed prefix lengths
 *   that covers the network (IPv4 /16, /24, /32; IPv6 /32, /48, /64,
 *   /128), and ao_geocache_get() finds it for any address of the block, so
 *   clients of one provider share one entry. An entry is never used for an
 *   address outside its block, so answers are exactly the database's.
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

/* Returns 1 and sets *out when ip, or a block holding it, is cached, else
 * 0. */
int ao_geocache_get(const ao_geocache_t *c, const ao_ip_t *ip,
                    ao_country_t *out);
/* Caches cc for the address alone. Returns 1 when the insertion evicted
 * another entry (its set was full), else 0. */
int ao_geocache_put(ao_geocache_t *c, const ao_ip_t *ip, ao_country_t cc);
/* Caches cc for every address that shares the first `bits` bits of ip's
 * 16-byte form (0..128; for IPv4 that is 96 + the IPv4 prefix length): the
 * entry covers the smallest of the fixed blocks above that holds that
 * network and ip. Returns 1 when the insertion evicted another entry. */
int ao_geocache_put_net(ao_geocache_t *c, const ao_ip_t *ip, unsigned bits,
                        ao_country_t cc);
void ao_geocache_flush(ao_geocache_t *c);
size_t ao_geocache_capacity(const ao_geocache_t *c);
/* Number of occupied entries (always <= capacity). */
size_t ao_geocache_size(const ao_geocache_t *c);

#endif /* AO_GEOCACHE_H */
