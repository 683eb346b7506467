/*
 * ao_rate.h - brute force by rate: per-address leaky buckets over failed
 * authentications and 404s (category "bruteforce").
 *
 * DESCRIPTION
 *   Some attacks are only visible as a rate: a password guesser's requests
 *   are ordinary logins, a content scanner's are ordinary GETs answered
 *   404. ao_rate keeps, per client address, two leaky buckets (as CrowdSec's
 *   scenarios and fail2ban's maxretry/findtime do):
 *
 *     - failed authentications: status 401 on any path; 403 on a login
 *       endpoint; a POST (any method but GET/HEAD) to a login endpoint
 *       answered 200, 401, 403 or 422 (a form login that failed re-renders
 *       the form; a success redirects); an input that says so itself
 *       (AO_REC_AUTH_FAILURE: sshd's failed attempts);
 *     - 404s on distinct paths: status 404 on a path that is not a static
 *       asset (images, styles, scripts, fonts: a page with broken images
 *       is no scan) and not among the address's last 16 distinct 404
 *       paths (a client retrying one missing URL is no scan).
 *
 *   A bucket holds at most its threshold N ("attempts") and leaks N per
 *   `window` seconds; an event adds one, and the bucket trips when it then
 *   holds more than N - 1. So the N-th event of a burst (N events much
 *   closer together than window/N) trips it, while an address failing at
 *   N per window or slower never does: its failures leak away as fast as
 *   they come. The event that trips a bucket makes the address *hot*: that
 *   event and every
 *   later qualifying event (failed authentication or counted 404) of the
 *   address is a bruteforce attack, until both its buckets have leaked
 *   empty (the address calmed down: `window` seconds without events after
 *   a full bucket, less after a partial one). The events before the
 *   threshold are not bruteforce (a user mistyping a password twice is
 *   none), and a hot address's other requests (its 200s) are not either.
 *
 * TIME
 *   Events are timed by the line's own timestamp (log time), so that a
 *   backlog read at once (StartAt beginning, a restart, the command-line
 *   tool) has the rate it had when it was written, and a slow trickle read
 *   in one interval is no burst. The timestamp is parsed only for
 *   candidate events (above), in the forms access logs and syslog use:
 *   CLF "10/Oct/2026:13:55:36 +0000", ISO 8601 "2026-10-10T13:55:36Z"
 *   (fractions and offsets allowed, 'T' or a blank), syslog
 *   "Oct 10 13:55:36" (no year: the reading year, or the one before when
 *   that would put it more than a day in the future) and Unix seconds
 *   (or milliseconds). A line whose time does not parse is timed by the
 *   caller's clock (read time) and counted in `time_fallbacks`. Times may
 *   go backwards a little (several workers writing one log): a bucket
 *   never leaks a negative amount.
 *
 * MEMORY
 *   The table of addresses has a fixed capacity (rounded up to a power of
 *   two) and is keyed with SipHash-1-3 under a random seed (client
 *   addresses are attacker-controlled: nobody can aim addresses at one
 *   slot). Sets of 4 entries; a full set evicts its calm entry with the
 *   oldest event, or if all four are hot the oldest of them, and counts
 *   the eviction. About 100 bytes per entry. No allocation after creation.
 *
 *   One ao_rate_t per Log, used by one thread at a time.
 */
#ifndef AO_RATE_H
#define AO_RATE_H

#include "ao_common.h"
#include "ao_ip.h"
#include "ao_record.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ao_rate_config {
  unsigned auth_attempts; /* failed authentications that trip; 0: off */
  unsigned notfound;      /* distinct 404s that trip; 0: off */
  double window;          /* seconds */
  size_t capacity;        /* addresses tracked (1..1<<24) */
} ao_rate_config_t;

/* Defaults (README and conf.d show the same values). */
#define AO_RATE_DEF_ATTEMPTS 5
#define AO_RATE_DEF_NOTFOUND 20
#define AO_RATE_DEF_WINDOW 600.0
#define AO_RATE_DEF_CAPACITY 16384

typedef struct ao_rate ao_rate_t;

typedef struct ao_rate_stats {
  uint64_t events;         /* candidate events seen (both kinds) */
  uint64_t bruteforce;     /* events that were bruteforce */
  uint64_t evictions;      /* addresses dropped from a full set */
  uint64_t time_fallbacks; /* events timed by read time */
} ao_rate_stats_t;

/* seed NULL draws a random one; tests pass a fixed seed. Returns NULL with
 * err filled on bad settings or ENOMEM. */
ao_rate_t *ao_rate_create(const ao_rate_config_t *cfg, const uint8_t seed[16],
                          ao_err_t *err);
void ao_rate_destroy(ao_rate_t *r); /* NULL is a no-op */

enum {
  AO_RATE_NONE = 0,
  AO_RATE_AUTH = 1,     /* a failed authentication */
  AO_RATE_NOTFOUND = 2, /* a 404 on a path that is not a static asset */
};

/* What kind of candidate event the record is (AO_RATE_*), from its status,
 * method, target and flags only: cheap, no allocation. */
int ao_rate_kind(const ao_rate_t *r, const ao_record_t *rec);

/* A reading time of "now, if it is needed": the clock is then read only
 * for a syslog stamp (its year) or a stamp that does not parse, not for
 * every event, and to a few milliseconds (ao_now_wall_coarse()). */
#define AO_RATE_NOW (-1.0)

/* Accounts one candidate event of kind (not AO_RATE_NONE) from ip with
 * the record's timestamp (read_now when it does not parse; read_now may
 * be AO_RATE_NOW). Returns 1 when the event is a bruteforce attack. */
int ao_rate_event(ao_rate_t *r, const ao_ip_t *ip, const ao_record_t *rec,
                  int kind, double read_now);

/* Starts loading the table set where ip's buckets live into the cache, so
 * that a later ao_rate_event() for ip finds it there: the pipeline calls it
 * before classifying a line that will be an event, and the classification
 * hides the memory latency. No effect on any result. */
void ao_rate_prefetch(ao_rate_t *r, const ao_ip_t *ip);

const ao_rate_stats_t *ao_rate_stats(const ao_rate_t *r);
/* Addresses tracked now (<= capacity). */
size_t ao_rate_tracked(const ao_rate_t *r);
size_t ao_rate_capacity(const ao_rate_t *r);

/* Parses a log timestamp (see TIME) into Unix seconds. now is the reading
 * time, for the year of syslog stamps (AO_RATE_NOW: the clock's). Returns
 * 0, or -1 when t is none of the forms. Exposed for tests. */
int ao_rate_parse_time(ao_slice_t t, double now, double *out);

/* ao_rate_parse_time() through a one-entry memo of the last stamp that
 * names its year (the CLF and ISO 8601 forms; syslog stamps depend on now
 * and are always parsed): a stamp that differs from it in the two digits
 * of the seconds only costs a compare. Same results as
 * ao_rate_parse_time(); ao_rate_event() uses it. Exposed for tests. */
int ao_rate_time(ao_rate_t *r, ao_slice_t t, double now, double *out);

/* Is the target (path, optional query) a login endpoint? Exposed for
 * tests. */
int ao_rate_login_path(ao_slice_t target);

#endif /* AO_RATE_H */
