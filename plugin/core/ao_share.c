/*
 * ao_share.c - sliding-window origin share (see ao_share.h).
 */
#include "ao_share.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct ao_share {
  double width;       /* seconds per slot */
  size_t nslots;      /* slots in the ring */
  int64_t cur;        /* index (time / width) of the current slot */
  int started;        /* cur is valid */
  uint64_t total;     /* sum over the ring */
  uint64_t sum[AO_COUNTRY_COUNT];
  uint32_t *slots;    /* nslots x AO_COUNTRY_COUNT */
  uint64_t *slot_total;
};

ao_share_t *ao_share_create(double window, double resolution, ao_err_t *err) {
  if (!(resolution > 0) || !(window >= resolution) || !isfinite(window)) {
    ao_err_set(err, "share window %g s must be at least the interval %g s",
               window, resolution);
    return NULL;
  }
  size_t n = (size_t)ceil(window / resolution);
  double width = resolution;
  if (n > AO_SHARE_MAX_SLOTS) {
    n = AO_SHARE_MAX_SLOTS;
    width = window / (double)n;
  }
  ao_share_t *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    ao_err_set(err, "out of memory");
    return NULL;
  }
  s->slots = calloc(n * AO_COUNTRY_COUNT, sizeof(*s->slots));
  s->slot_total = calloc(n, sizeof(*s->slot_total));
  if (s->slots == NULL || s->slot_total == NULL) {
    ao_share_destroy(s);
    ao_err_set(err, "out of memory");
    return NULL;
  }
  s->width = width;
  s->nslots = n;
  return s;
}

void ao_share_destroy(ao_share_t *s) {
  if (s == NULL)
    return;
  free(s->slots);
  free(s->slot_total);
  free(s);
}

/* Ring position of slot index idx (idx may be negative for a clock that
 * starts before its epoch). */
static size_t ring_pos(const ao_share_t *s, int64_t idx) {
  int64_t n = (int64_t)s->nslots;
  return (size_t)(((idx % n) + n) % n);
}

static void clear_slot(ao_share_t *s, size_t i) {
  if (s->slot_total[i] == 0)
    return;
  uint32_t *row = s->slots + i * AO_COUNTRY_COUNT;
  for (size_t cc = 0; cc < AO_COUNTRY_COUNT; cc++) {
    s->sum[cc] -= row[cc];
    row[cc] = 0;
  }
  s->total -= s->slot_total[i];
  s->slot_total[i] = 0;
}

void ao_share_advance(ao_share_t *s, double now) {
  int64_t idx = (int64_t)floor(now / s->width);
  if (!s->started) {
    s->cur = idx;
    s->started = 1;
    return;
  }
  if (idx <= s->cur)
    return; /* same slot, or the clock stepped back */
  /* Every slot between the old current one and the new one leaves the
   * window; more than a full turn clears the whole ring. */
  int64_t steps = idx - s->cur;
  if (steps > (int64_t)s->nslots)
    steps = (int64_t)s->nslots;
  for (int64_t k = 1; k <= steps; k++)
    clear_slot(s, ring_pos(s, s->cur + k));
  s->cur = idx;
}

void ao_share_add(ao_share_t *s, ao_country_t cc, uint32_t n) {
  if (cc >= AO_COUNTRY_COUNT)
    cc = AO_COUNTRY_ZZ;
  size_t i = ring_pos(s, s->cur);
  s->slots[i * AO_COUNTRY_COUNT + cc] += n;
  s->slot_total[i] += n;
  s->sum[cc] += n;
  s->total += n;
}

uint64_t ao_share_total(const ao_share_t *s) { return s->total; }

uint64_t ao_share_count(const ao_share_t *s, ao_country_t cc) {
  return cc < AO_COUNTRY_COUNT ? s->sum[cc] : 0;
}

double ao_share_percent(const ao_share_t *s, ao_country_t cc,
                        uint64_t min_attacks) {
  if (s->total == 0 || s->total < min_attacks)
    return NAN;
  return 100.0 * (double)ao_share_count(s, cc) / (double)s->total;
}

double ao_share_slot_width(const ao_share_t *s) { return s->width; }
