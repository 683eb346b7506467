/*
 * ao_geo.h - client address to country, with libmaxminddb.
 *
 * DESCRIPTION
 *   An ao_geo_t owns one open MaxMind DB (MMDB_MODE_MMAP), a bounded
 *   address cache (ao_geocache.h) and the knowledge of where its database
 *   lives. This module and ao_geo.c are the only ones that include
 *   maxminddb.h.
 *
 *   Lookups go by sockaddr (MMDB_lookup_sockaddr) on the address parsed once
 *   by ao_ip_parse(); log text is never given to getaddrinfo(). The country
 *   code is read from `country/iso_code`, falling back to
 *   `registered_country/iso_code` and then to the flat `country_code` that
 *   the ip-location-db builds use; the layout is thus detected per record,
 *   and a user can name the one path to use instead (country_path, dot
 *   separated, e.g. "country_code"). Whatever the database stores must be
 *   two letters to count; anything else is ZZ.
 *
 *   ZZ, never a dropped line: special addresses (ao_ip_is_special()), no
 *   database loaded, address not found, no usable code, lookup errors.
 *
 *   Database lifecycle. ao_geo_create() never fails because the database is
 *   missing or broken: it reports that (ao_complain) and counts under ZZ.
 *   ao_geo_refresh(), called once per interval, stat()s the configured path
 *   (or the default paths in order, when none is configured) and takes a
 *   database that appeared or replaced the loaded one (another device,
 *   inode, size, mtime or ctime - different, not newer, so geoipupdate's
 *   PreserveFileTimes still reloads): the new one becomes a private
 *   snapshot first (ao_geodb.h: copied, walked in a child process, shared
 *   between Logs), is validated as a country database, and is swapped in
 *   only then; the old stays in use otherwise. A swap flushes the cache. A
 *   file whose bytes equal the loaded ones (touched, chmod-ed) is not a
 *   reload. A file that fails is reported and counted once, and tried
 *   again only when its identity changes; only regular files are opened,
 *   and only the configured or default paths are looked at (geoipupdate's
 *   `<db>.temporary` never is).

 *   Reports (ao_complain) are made once per state change, not per refresh:
 *   "no GeoIP database at <path>" once until a database loads (then the
 *   recovery is logged), "cannot use GeoIP database <path>: <reason>" once
 *   per file identity, "<path> was removed" once. The stats show whether a
 *   fault lasts.
 *
 *   "Is a country database" means (see validate() in ao_geo.c): binary
 *   format 2.x; a database_type that does not name a product without
 *   locations (words asn, isp, anonymous, domain, connection, proxy, risk,
 *   score) unless it also names one with them (country, city, location,
 *   enterprise), so GeoLite2-ASN is refused and "GEO-ASN-COUNTRY ipv4"
 *   accepted; sample lookups without library errors; and a two-letter code
 *   where lookups will read it (country_path or the automatic paths) in one
 *   of the first records of the search tree.
 *
 *   The database file itself is never mapped, only the private copy, so a
 *   file truncated, overwritten or corrupted in place cannot crash the
 *   process or change answers under a lookup: the change is a new identity,
 *   a new snapshot is taken and validated, and a bad one is refused while
 *   the old keeps answering.
 *
 *   Threads: one ao_geo_t per thread (one per <Log>); handles on the same
 *   file share one snapshot (reference-counted, immutable).
 */
#ifndef AO_GEO_H
#define AO_GEO_H

#include "ao_common.h"
#include "ao_country.h"
#include "ao_ip.h"

#include <stdint.h>

/* Tried in order when no path is configured. NULL-terminated:
 *   /var/lib/GeoIP/GeoLite2-Country.mmdb    (geoipupdate's Debian default)
 *   /usr/share/GeoIP/GeoLite2-Country.mmdb  (older packages, other distros)
 *   /var/lib/GeoIP/GeoIP2-Country.mmdb      (commercial editions, same
 *   /usr/share/GeoIP/GeoIP2-Country.mmdb     places)
 *   /var/lib/GeoIP/GeoLite2-City.mmdb       (City editions carry the same
 *   /usr/share/GeoIP/GeoLite2-City.mmdb      country data but are ~10x
 *   /var/lib/GeoIP/GeoIP2-City.mmdb          bigger, so any Country edition
 *   /usr/share/GeoIP/GeoIP2-City.mmdb        comes first)
 * While one is loaded, only it and the paths before it are watched: a
 * better-ranked database that appears replaces it, a lower-ranked one never
 * does. */
extern const char *const ao_geo_default_paths[];

typedef struct ao_geo_options {
  const char *path;         /* NULL: the default paths */
  const char *country_path; /* NULL: detect; else e.g. "country.iso_code" */
  size_t cache_size;        /* address cache entries; 0 disables it */
} ao_geo_options_t;

/* Each ao_geo_lookup() call lands in exactly one of cache_hits, special,
 * no_database, not_found, errors, or (uncounted) a database answer with a
 * country; cached answers, ZZ ones included, count only as cache_hits. */
typedef struct ao_geo_stats {
  uint64_t lookups;         /* ao_geo_lookup() calls */
  uint64_t cache_hits;      /* answered from the cache */
  uint64_t special;         /* special addresses (ZZ without lookup) */
  uint64_t not_found;       /* not in the database, or no usable code */
  uint64_t errors;          /* lookup errors from libmaxminddb */
  uint64_t reloads;         /* databases (re)loaded after the first one */
  uint64_t reload_failures; /* a changed or new file that did not open or
                               validate (once per file identity) */
  uint64_t no_database;     /* ZZ because no database was loaded */
  uint64_t cache_evictions; /* cached answers pushed out by newer ones */
} ao_geo_stats_t;

typedef struct ao_geo ao_geo_t;

/* Returns NULL with err filled only for invalid options or ENOMEM: an empty
 * path, a country_path that is empty, has an empty component or more than
 * 8 components, a cache_size above 1<<24. The message names the option and
 * the value. Tries to open the database; a missing or unusable one is
 * complained about (ao_complain), not an error. */
ao_geo_t *ao_geo_create(const ao_geo_options_t *opt, ao_err_t *err);
void ao_geo_destroy(ao_geo_t *g); /* NULL is a no-op */

/* Checks the database file(s) for appearance or replacement (see
 * DESCRIPTION). Returns 1 when a database was loaded or replaced, 0 when
 * nothing changed, -1 when no database is loaded. */
int ao_geo_refresh(ao_geo_t *g);

/* The country of ip; AO_COUNTRY_ZZ when unknown (see DESCRIPTION). */
ao_country_t ao_geo_lookup(ao_geo_t *g, const ao_ip_t *ip);

/* 1 when a database is loaded. */
int ao_geo_loaded(const ao_geo_t *g);
/* The path of the loaded database, or NULL. */
const char *ao_geo_path(const ao_geo_t *g);
/* The loaded database's build time (metadata build_epoch, Unix seconds), or
 * 0 when none is loaded. */
uint64_t ao_geo_build_epoch(const ao_geo_t *g);
/* metadata database_type of the loaded database, or NULL. */
const char *ao_geo_database_type(const ao_geo_t *g);

const ao_geo_stats_t *ao_geo_stats(const ao_geo_t *g);

#endif /* AO_GEO_H */
