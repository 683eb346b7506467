/*
 * ao_share.h - origin share: each country's percent of the attacks in a
 * sliding time window.
 *
 * DESCRIPTION
 *   The window is a ring of time slots, each holding per-country counts of
 *   the attacks counted while it was current; a running per-country sum over
 *   the ring answers a share in O(1). Slots are `resolution` seconds wide
 *   (the collectd interval); when window/resolution would need more than
 *   AO_SHARE_MAX_SLOTS slots the slots are widened, so memory stays fixed
 *   (at most AO_SHARE_MAX_SLOTS x 676 counters). A slot leaves the window
 *   as a whole: the window covers the last `window` seconds to within one
 *   slot width.
 *
 *   Time is the caller's clock (monotonic in the plugin), in seconds: the
 *   time attacks were read, not the time in the log line (log times can be
 *   anything; collectd's timestamps are read times too). A clock that steps
 *   back is treated as standing still.
 *
 *   No share exists while the window holds fewer than min_attacks attacks:
 *   ao_share_percent() returns NaN then, which collectd's threshold plugin
 *   treats as "within range" (no false alert), which updates the value's
 *   timestamp (no "missing" alert), and which Graphite and InfluxDB store as
 *   a gap and Prometheus as NaN (comparisons with NaN are false).
 */
#ifndef AO_SHARE_H
#define AO_SHARE_H

#include "ao_common.h"
#include "ao_country.h"

#include <stdint.h>

#define AO_SHARE_MAX_SLOTS 128

typedef struct ao_share ao_share_t;

/* window and resolution in seconds (window >= resolution > 0). Returns NULL
 * with err filled on bad arguments or ENOMEM. */
ao_share_t *ao_share_create(double window, double resolution, ao_err_t *err);
void ao_share_destroy(ao_share_t *s); /* NULL is a no-op */

/* Moves the window to time now, dropping slots that left it. Call before
 * counting the attacks read at time now. */
void ao_share_advance(ao_share_t *s, double now);
/* Counts n attacks from cc in the current slot. */
void ao_share_add(ao_share_t *s, ao_country_t cc, uint32_t n);

uint64_t ao_share_total(const ao_share_t *s);
uint64_t ao_share_count(const ao_share_t *s, ao_country_t cc);
/* 100 * count(cc) / total, or NaN while total < min_attacks (or 0). */
double ao_share_percent(const ao_share_t *s, ao_country_t cc,
                        uint64_t min_attacks);
/* The slot width actually used, in seconds. */
double ao_share_slot_width(const ao_share_t *s);

#endif /* AO_SHARE_H */
