/*
 * ao_counts.h - cumulative attack counters per country and category.
 *
 * DESCRIPTION
 *   Dense arrays indexed by ao_country_t: an attack is two or three array
 *   increments, never an allocation, and the memory is fixed
 *   (AO_COUNTRY_COUNT x AO_CAT_MAX counters, about 180 KB) whatever the logs
 *   contain. Counters only grow; they become collectd DERIVE values, so a
 *   lost sample loses no counts.
 *
 *   A country is "seen" from its first attack on: the adapter dispatches
 *   its counters (and its share, 0 when it has none) every interval from
 *   then on, so that collectd's threshold plugin never reports it missing.
 *   The same holds for each (country, category) pair.
 */
#ifndef AO_COUNTS_H
#define AO_COUNTS_H

#include "ao_category.h"
#include "ao_country.h"

#include <stdint.h>

typedef struct ao_counts {
  uint64_t attacks[AO_COUNTRY_COUNT];             /* attack lines */
  uint64_t by_cat[AO_COUNTRY_COUNT][AO_CAT_MAX];  /* per category */
  ao_catmask_t cat_seen[AO_COUNTRY_COUNT];        /* categories ever seen */
  uint8_t seen[AO_COUNTRY_COUNT];                 /* ever attacked */
  uint64_t total;                                 /* all attack lines */
} ao_counts_t;

/* Counts n attacks from cc with categories mask (mask != 0); n is 1 for
 * an ordinary line, more for a line that stands for several events (sshd's
 * "message repeated N times"). Constant time whatever n. */
static inline void ao_counts_add_n(ao_counts_t *c, ao_country_t cc,
                                   ao_catmask_t mask, uint64_t n) {
  if (cc >= AO_COUNTRY_COUNT)
    cc = AO_COUNTRY_ZZ;
  c->attacks[cc] += n;
  c->total += n;
  c->seen[cc] = 1;
  c->cat_seen[cc] |= mask;
  while (mask != 0) {
    int cat = __builtin_ctz(mask);
    c->by_cat[cc][cat] += n;
    mask &= mask - 1;
  }
}

/* Counts one attack line from cc with categories mask (mask != 0). */
static inline void ao_counts_add(ao_counts_t *c, ao_country_t cc,
                                 ao_catmask_t mask) {
  ao_counts_add_n(c, cc, mask, 1);
}

#endif /* AO_COUNTS_H */
