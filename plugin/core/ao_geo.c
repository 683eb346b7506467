/*
 * ao_geo.c - client address to country with libmaxminddb (see ao_geo.h).
 *
 * DESCRIPTION
 *   The only file that includes maxminddb.h. It owns one open database at a
 *   time (heap-allocated MMDB_s, so a swap is a pointer exchange), a bounded
 *   cache in front of it, and the list of candidate paths: the configured
 *   path, or ao_geo_default_paths[] in priority order.
 *
 *   Hot path (ao_geo_lookup): special-address check, cache, then
 *   MMDB_lookup_sockaddr on a sockaddr built from the 16 parsed bytes and
 *   MMDB_aget_value on precomputed path arrays. Nothing allocates and no log
 *   text reaches libmaxminddb.
 *
 *   Cold path (ao_geo_refresh, once per interval): stat() the candidates; a
 *   file whose identity (dev, ino, size, mtime and ctime in ns) differs from
 *   what is loaded becomes a private snapshot (ao_geodb: copied, walked in a
 *   child process, shared with the other Logs), is validated as a country
 *   database here, and only then swapped in. A file that fails is
 *   remembered by identity, so it is reported and counted once, and tried
 *   again only when it changes. The file itself is never mapped.
 */
#include "ao_geo.h"

#include "ao_geocache.h"
#include "ao_geodb.h"
#include "ao_log.h"

#include <maxminddb.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#define AO_GEO_MAX_DEPTH 8 /* components of a country_path */
#define AO_GEO_MAX_CANDS 8 /* default paths, or the one configured */
#define AO_GEO_MAX_CACHE ((size_t)1 << 24)
/* Validation walk: how much of the search tree is read, at most. */
#define AO_GEO_PROBE_NODES 4096
#define AO_GEO_PROBE_RECORDS 64
#define AO_GEO_PROBE_STACK 256

const char *const ao_geo_default_paths[] = {
    "/var/lib/GeoIP/GeoLite2-Country.mmdb",
    "/usr/share/GeoIP/GeoLite2-Country.mmdb",
    "/var/lib/GeoIP/GeoIP2-Country.mmdb",
    "/usr/share/GeoIP/GeoIP2-Country.mmdb",
    "/var/lib/GeoIP/GeoLite2-City.mmdb",
    "/usr/share/GeoIP/GeoLite2-City.mmdb",
    "/var/lib/GeoIP/GeoIP2-City.mmdb",
    "/usr/share/GeoIP/GeoIP2-City.mmdb",
    NULL,
};

/* The country-code locations tried per record when no country_path is set:
 * MaxMind Country/City layout, its registered-country fallback (networks
 * with no located country, e.g. some anycast or satellite ranges), and the
 * flat layout of the ip-location-db / DB-IP style builds. */
static const char *const ao_geo_auto_paths[][3] = {
    {"country", "iso_code", NULL},
    {"registered_country", "iso_code", NULL},
    {"country_code", NULL, NULL},
};

/* What a database file was when we last looked at it (ao_geodb.h): size,
 * mtime and ctime catch an in-place rewrite, the inode a rename. We hold a
 * private copy, not the file, so an inode number may be reused by another
 * file meanwhile; the other fields then differ. */
typedef ao_file_id_t ao_geo_ident_t;

typedef struct ao_geo_cand {
  const char *path;
  int has_failed;        /* `failed` holds a file that did not validate */
  ao_geo_ident_t failed; /* ... and it is not tried again until it changes */
  ao_complaint_t bad;    /* "cannot use <path>" */
} ao_geo_cand_t;

struct ao_geo {
  ao_geodb_t *snap;  /* the private snapshot in use, NULL: none */
  const MMDB_s *db;  /* its database; NULL: every lookup is ZZ */
  size_t db_idx;
  ao_geo_ident_t db_ident;
  int ever_loaded;
  int any_present; /* the last scan saw some candidate file */

  char *path; /* configured path (owned), or NULL */
  ao_geo_cand_t cand[AO_GEO_MAX_CANDS];
  size_t ncand;

  /* country_path split into components; cpath_buf owns the strings. */
  char *cpath_buf;
  const char *cpath[AO_GEO_MAX_DEPTH + 1];
  int have_cpath;

  ao_geodb_paths_t check; /* what the snapshot walk must read */
  char check_key[300];

  ao_geocache_t *cache;   /* NULL when disabled */
  ao_complaint_t missing; /* nothing loaded */
  ao_complaint_t gone;    /* the loaded file was removed */
  ao_geo_stats_t stats;
};

enum { AO_CODE_ABSENT, AO_CODE_OK, AO_CODE_BAD, AO_CODE_ERROR };
enum { AO_LOOKUP_OK, AO_LOOKUP_NOT_FOUND, AO_LOOKUP_ERROR };

static int split_country_path(ao_geo_t *g, const char *s, ao_err_t *err);
static int code_at(MMDB_entry_s *entry, const char *const *path,
                   ao_country_t *cc);
static int entry_code(const ao_geo_t *g, MMDB_entry_s *entry, ao_country_t *cc);
static int lookup_db(const ao_geo_t *g, const MMDB_s *db, const ao_ip_t *ip,
                     ao_country_t *cc, unsigned *bits);
static int stat_ident(const char *path, ao_geo_ident_t *id);
static int type_is_not_location(const char *type);
static int validate(const ao_geo_t *g, const MMDB_s *db, char *why, size_t n);
static int try_load(ao_geo_t *g, size_t idx, const ao_geo_ident_t *id);
static int scan(ao_geo_t *g);
static void complain_missing(ao_geo_t *g);
static void describe(const MMDB_s *db, char *buf, size_t n);

/* --- options -------------------------------------------------------------- */

static int split_country_path(ao_geo_t *g, const char *s, ao_err_t *err) {
  static const char hint[] =
      "expected a dot-separated path such as \"country.iso_code\" or "
      "\"country_code\"";
  size_t len = strlen(s);
  if (len == 0)
    return ao_err_set(err, "GeoIPCountryPath \"\": empty value (%s)", hint);
  size_t parts = 1;
  for (size_t i = 0; i < len; i++)
    parts += s[i] == '.';
  if (parts > AO_GEO_MAX_DEPTH)
    return ao_err_set(err,
                      "GeoIPCountryPath \"%s\": %zu components, at most %d", s,
                      parts, AO_GEO_MAX_DEPTH);
  g->cpath_buf = malloc(len + 1);
  if (g->cpath_buf == NULL)
    return ao_err_set(err, "GeoIPCountryPath: out of memory");
  memcpy(g->cpath_buf, s, len + 1);
  size_t k = 0;
  char *p = g->cpath_buf;
  for (;;) {
    char *dot = strchr(p, '.');
    if (dot != NULL)
      *dot = '\0';
    if (*p == '\0')
      return ao_err_set(err, "GeoIPCountryPath \"%s\": empty component (%s)", s,
                        hint);
    g->cpath[k++] = p;
    if (dot == NULL)
      break;
    p = dot + 1;
  }
  g->cpath[k] = NULL;
  g->have_cpath = 1;
  return 0;
}

/* Writes the path(s) looked at, for messages. */
static void paths_text(const ao_geo_t *g, char *buf, size_t n) {
  if (g->have_cpath) {
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; g->cpath[i] != NULL && off < n; i++) {
      int w = snprintf(buf + off, n - off, "%s%s", i ? "." : "", g->cpath[i]);
      if (w < 0)
        break;
      off += (size_t)w;
    }
  } else {
    snprintf(buf, n,
             "country.iso_code, registered_country.iso_code or "
             "country_code");
  }
}

/* --- create / destroy ----------------------------------------------------- */

ao_geo_t *ao_geo_create(const ao_geo_options_t *opt, ao_err_t *err) {
  static const ao_geo_options_t defaults = {NULL, NULL, 0};
  if (opt == NULL)
    opt = &defaults;
  if (opt->path != NULL && opt->path[0] == '\0') {
    ao_err_set(err, "GeoIPDatabase \"\": empty path (leave the option out "
                    "to try the usual locations)");
    return NULL;
  }
  if (opt->cache_size > AO_GEO_MAX_CACHE) {
    ao_err_set(err,
               "GeoIPCacheSize %zu: too large (at most %zu; 0 disables "
               "the cache)",
               opt->cache_size, AO_GEO_MAX_CACHE);
    return NULL;
  }

  ao_geo_t *g = calloc(1, sizeof(*g));
  if (g == NULL) {
    ao_err_set(err, "GeoIP: out of memory");
    return NULL;
  }
  if (opt->country_path != NULL &&
      split_country_path(g, opt->country_path, err) != 0)
    goto fail;
  if (opt->path != NULL) {
    size_t n = strlen(opt->path);
    g->path = malloc(n + 1);
    if (g->path == NULL) {
      ao_err_set(err, "GeoIP: out of memory");
      goto fail;
    }
    memcpy(g->path, opt->path, n + 1);
    g->cand[0].path = g->path;
    g->ncand = 1;
  } else {
    for (size_t i = 0;
         ao_geo_default_paths[i] != NULL && g->ncand < AO_GEO_MAX_CANDS; i++)
      g->cand[g->ncand++].path = ao_geo_default_paths[i];
  }
  /* The snapshot walk reads every record at exactly the paths lookups
   * read; the key keeps snapshots validated for other paths apart. */
  if (g->have_cpath) {
    g->check.path[0] = g->cpath;
    g->check.n = 1;
    char where[160];
    paths_text(g, where, sizeof(where));
    snprintf(g->check_key, sizeof(g->check_key), "path:%s", where);
  } else {
    for (size_t i = 0; i < AO_ARRAY_SIZE(ao_geo_auto_paths); i++)
      g->check.path[g->check.n++] = ao_geo_auto_paths[i];
    snprintf(g->check_key, sizeof(g->check_key), "auto");
  }
  g->check.key = g->check_key;
  if (opt->cache_size > 0) {
    g->cache = ao_geocache_create(opt->cache_size, NULL);
    if (g->cache == NULL) {
      ao_err_set(err, "GeoIPCacheSize %zu: out of memory", opt->cache_size);
      goto fail;
    }
  }

  /* A missing or broken database is not a configuration error: the plugin
   * counts under ZZ and picks the database up when it appears. */
  scan(g);
  if (g->db == NULL)
    complain_missing(g);
  return g;

fail:
  ao_geo_destroy(g);
  return NULL;
}

void ao_geo_destroy(ao_geo_t *g) {
  if (g == NULL)
    return;
  ao_geodb_release(g->snap);
  for (size_t i = 0; i < g->ncand; i++)
    ao_complaint_reset(&g->cand[i].bad);
  ao_complaint_reset(&g->missing);
  ao_complaint_reset(&g->gone);
  ao_geocache_destroy(g->cache);
  free(g->cpath_buf);
  free(g->path);
  free(g);
}

/* --- lookups -------------------------------------------------------------- */

/* Reads the string at `path` in the record and maps it to a country. A path
 * that does not exist in this record (missing key, or a key whose value is
 * not a map) is ABSENT; a value that is there but is not a two-letter UTF-8
 * string is BAD; anything else libmaxminddb reports is a corrupt record. */
static int code_at(MMDB_entry_s *entry, const char *const *path,
                   ao_country_t *cc) {
  MMDB_entry_data_s d;
  int rc = MMDB_aget_value(entry, &d, path);
  if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
      rc == MMDB_INVALID_LOOKUP_PATH_ERROR)
    return AO_CODE_ABSENT;
  if (rc != MMDB_SUCCESS)
    return AO_CODE_ERROR;
  if (!d.has_data)
    return AO_CODE_ABSENT;
  if (d.type != MMDB_DATA_TYPE_UTF8_STRING)
    return AO_CODE_BAD;
  /* data_size counts bytes: "G." and "gb1" fail, as does a two-byte UTF-8
   * letter such as "É" (one character, not two ASCII letters). */
  if (ao_country_from_code(d.utf8_string, d.data_size, cc) != 0)
    return AO_CODE_BAD;
  return AO_CODE_OK;
}

/* The configured path, or the first automatic path present in the record.
 * A present but invalid value decides (ZZ): it is not papered over with the
 * registered country, which may be another country. */
static int entry_code(const ao_geo_t *g, MMDB_entry_s *entry,
                      ao_country_t *cc) {
  *cc = AO_COUNTRY_ZZ;
  if (g->have_cpath)
    return code_at(entry, g->cpath, cc);
  for (size_t i = 0; i < AO_ARRAY_SIZE(ao_geo_auto_paths); i++) {
    int r = code_at(entry, ao_geo_auto_paths[i], cc);
    if (r != AO_CODE_ABSENT)
      return r;
  }
  return AO_CODE_ABSENT;
}

static int is_v4_mapped(const uint8_t b[16]) {
  static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(b, prefix, sizeof(prefix)) == 0;
}

/* *bits receives how many leading bits of the address's 16-byte form
 * decided the answer (ao_geocache_put_net()): the netmask of the record
 * found, which libmaxminddb counts in the database's own address space.
 * An IPv4 lookup in an IPv6 database walks ::a.b.c.d, so its netmask
 * counts the 96 bits of that prefix too (a walk that stops inside them
 * means one answer for all of IPv4); ours is ::ffff:a.b.c.d. */
static int lookup_db(const ao_geo_t *g, const MMDB_s *db, const ao_ip_t *ip,
                     ao_country_t *cc, unsigned *bits) {
  *bits = 128;
  union {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
  } u;
  memset(&u, 0, sizeof(u));
  *cc = AO_COUNTRY_ZZ;
  /* IPv4 goes in as AF_INET, never as ::ffff:a.b.c.d: an IPv4-only
   * database rejects every AF_INET6 lookup, and in an IPv6 one the
   * library walks to the IPv4 subtree itself. */
  if (ip->v4 || is_v4_mapped(ip->b)) {
    u.in.sin_family = AF_INET;
    memcpy(&u.in.sin_addr, ip->b + 12, 4);
  } else {
    /* An IPv4-only database has nothing to say about IPv6 (the library
     * would report an error): that is "not found", not a fault. */
    if (db->metadata.ip_version == 4)
      return AO_LOOKUP_NOT_FOUND;
    u.in6.sin6_family = AF_INET6;
    memcpy(&u.in6.sin6_addr, ip->b, 16);
  }
  /* MMDB_lookup_sockaddr has no getaddrinfo step, hence no gai_error (the
   * one libmaxminddb < 1.13 leaves mmdb_error unset after); mmdb_error is
   * initialised anyway, then found_entry is checked. */
  int mmdb_error = MMDB_SUCCESS;
  MMDB_lookup_result_s r = MMDB_lookup_sockaddr(db, &u.sa, &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS)
    return AO_LOOKUP_ERROR;
  if (u.sa.sa_family == AF_INET) {
    unsigned m = r.netmask;
    if (db->metadata.ip_version == 6)
      m = m >= 96 ? m - 96 : 0;
    *bits = 96 + (m < 32 ? m : 32);
  } else {
    *bits = r.netmask < 128 ? r.netmask : 128;
  }
  if (!r.found_entry)
    return AO_LOOKUP_NOT_FOUND;
  switch (entry_code(g, &r.entry, cc)) {
  case AO_CODE_OK:
    return AO_LOOKUP_OK;
  case AO_CODE_ERROR:
    *cc = AO_COUNTRY_ZZ;
    return AO_LOOKUP_ERROR;
  default:
    *cc = AO_COUNTRY_ZZ;
    return AO_LOOKUP_NOT_FOUND;
  }
}

ao_country_t ao_geo_lookup(ao_geo_t *g, const ao_ip_t *ip) {
  g->stats.lookups++;
  /* Private, loopback, documentation, ... addresses are never looked up:
   * whatever a database says about them is not where an attacker is. */
  if (ip == NULL || ao_ip_is_special(ip)) {
    g->stats.special++;
    return AO_COUNTRY_ZZ;
  }
  if (g->db == NULL) {
    g->stats.no_database++;
    return AO_COUNTRY_ZZ;
  }
  ao_country_t cc;
  if (g->cache != NULL && ao_geocache_get(g->cache, ip, &cc)) {
    g->stats.cache_hits++;
    return cc;
  }
  unsigned bits;
  switch (lookup_db(g, g->db, ip, &cc, &bits)) {
  case AO_LOOKUP_OK:
    break;
  case AO_LOOKUP_NOT_FOUND:
    g->stats.not_found++;
    cc = AO_COUNTRY_ZZ;
    break;
  default:
    /* Not cached: an error says something about the database, not the
     * address, and the next database may answer. */
    g->stats.errors++;
    return AO_COUNTRY_ZZ;
  }
  if (g->cache != NULL && ao_geocache_put_net(g->cache, ip, bits, cc))
    g->stats.cache_evictions++;
  return cc;
}

/* --- validation ----------------------------------------------------------- */

/* Rule: reject a database_type that names a product without locations,
 * unless it also names one with locations. The type is split into words
 * at every non-alphanumeric byte and compared case-insensitively:
 *   - location words: country, city, location, enterprise;
 *   - non-location words: asn, isp, anonymous, domain, connection, proxy,
 *     risk, score.
 * So "GeoLite2-ASN", "GeoIP2-ISP", "GeoIP2-Anonymous-IP", "GeoIP2-Domain",
 * "GeoIP2-Connection-Type" and "DBIP-ASN-Lite" are refused, while
 * "GeoLite2-Country", "GeoIP2-City", "GeoIP2-Enterprise",
 * "DBIP-Country-Lite" and ip-location-db's "GEO-ASN-COUNTRY ipv4" (countries
 * derived from ASN data) pass. Unknown names pass this test and are judged
 * by the record probe in validate(). */
static int ascii_alnum(unsigned char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
         (ch >= 'A' && ch <= 'Z');
}

static int type_is_not_location(const char *type) {
  static const char *const loc[] = {"country", "city", "location",
                                    "enterprise"};
  static const char *const other[] = {"asn",    "isp",   "anonymous",
                                      "domain", "proxy", "connection",
                                      "risk",   "score"};
  int has_loc = 0, has_other = 0;
  const char *p = type;
  while (*p != '\0') {
    if (!ascii_alnum((unsigned char)*p)) {
      p++;
      continue;
    }
    /* One word, lower-cased; longer words match nothing we look for. */
    char word[16];
    size_t n = 0;
    for (; ascii_alnum((unsigned char)*p); p++, n++)
      if (n < sizeof(word) - 1)
        word[n] =
            (char)((unsigned char)*p | (*p >= 'A' && *p <= 'Z' ? 0x20u : 0u));
    if (n >= sizeof(word))
      continue;
    word[n] = '\0';
    for (size_t i = 0; i < AO_ARRAY_SIZE(loc); i++)
      has_loc |= strcmp(word, loc[i]) == 0;
    for (size_t i = 0; i < AO_ARRAY_SIZE(other); i++)
      has_other |= strcmp(word, other[i]) == 0;
  }
  return has_other && !has_loc;
}

/* Checks a freshly opened database before it replaces anything:
 *   1. binary format 2.x, ip_version 4 or 6, a non-empty tree;
 *   2. database_type is not a known non-location product (above);
 *   3. a few sample lookups (v4, and v6 for an IPv6 tree) run without a
 *      library error, which exercises the IPv4 start node and the tree;
 *   4. a walk of the first records of the search tree (leftmost first, at
 *      most AO_GEO_PROBE_NODES nodes and AO_GEO_PROBE_RECORDS data records)
 *      finds one with a two-letter code where lookups will read it (the
 *      configured country_path, or the automatic paths). This rejects an
 *      ASN-like database with an unknown type name and a country_path that
 *      does not match the database, with a message that says so.
 * Returns 0, or -1 with the reason in why. */
static int validate(const ao_geo_t *g, const MMDB_s *db, char *why, size_t n) {
  const MMDB_metadata_s *m = &db->metadata;
  const char *type = m->database_type != NULL ? m->database_type : "";
  if (m->binary_format_major_version != 2) {
    snprintf(why, n, "binary format %u.%u is not 2.x",
             (unsigned)m->binary_format_major_version,
             (unsigned)m->binary_format_minor_version);
    return -1;
  }
  if (m->ip_version != 4 && m->ip_version != 6) {
    snprintf(why, n, "ip_version %u is neither 4 nor 6",
             (unsigned)m->ip_version);
    return -1;
  }
  if (m->node_count == 0) {
    snprintf(why, n, "empty search tree");
    return -1;
  }
  if (type_is_not_location(type)) {
    snprintf(why, n,
             "database_type \"%s\" is not a country or city database "
             "(ASN, ISP, anonymous-IP, domain and similar databases have no "
             "country)",
             type);
    return -1;
  }

  /* Public addresses spread over the tree: 1.1.1.1, 81.2.69.160,
   * 216.160.83.56, 2001:4860:4860::8888 and 2a01:4f8::1. */
  static const ao_ip_t samples[] = {
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 1, 1, 1}, 1},
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 81, 2, 69, 160}, 1},
      {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 216, 160, 83, 56}, 1},
      {{0x20, 0x01, 0x48, 0x60, 0x48, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x88},
       0},
      {{0x2a, 0x01, 0x04, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0},
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(samples); i++) {
    ao_country_t cc;
    unsigned bits;
    if (lookup_db(g, db, &samples[i], &cc, &bits) == AO_LOOKUP_ERROR) {
      char text[46];
      snprintf(why, n,
               "sample lookup of %s failed (corrupt search tree or "
               "data section)",
               ao_ip_format(&samples[i], text));
      return -1;
    }
  }

  /* Leftmost-first walk with an explicit stack: the tree is at most 128
   * levels deep (plus IPv4 aliases); a corrupt tree with cycles is cut off
   * by the node budget and the stack bound. */
  uint32_t stack[AO_GEO_PROBE_STACK];
  size_t sp = 0;
  stack[sp++] = 0;
  unsigned nodes = 0, records = 0;
  while (sp > 0 && nodes < AO_GEO_PROBE_NODES &&
         records < AO_GEO_PROBE_RECORDS) {
    uint32_t node = stack[--sp];
    MMDB_search_node_s sn;
    int rc = MMDB_read_node(db, node, &sn);
    nodes++;
    if (rc != MMDB_SUCCESS) {
      snprintf(why, n, "search tree node %u: %s", (unsigned)node,
               MMDB_strerror(rc));
      return -1;
    }
    /* Data records of this node first (left, then right), then its child
     * nodes, right pushed first so that the left subtree is walked first:
     * records are met in address order. */
    const struct {
      uint8_t type;
      uint64_t rec;
      MMDB_entry_s entry;
    } side[2] = {
        {sn.left_record_type, sn.left_record, sn.left_record_entry},
        {sn.right_record_type, sn.right_record, sn.right_record_entry}};
    for (int s = 0; s < 2; s++) {
      if (side[s].type == MMDB_RECORD_TYPE_DATA) {
        records++;
        MMDB_entry_s e = side[s].entry;
        ao_country_t cc;
        int r = entry_code(g, &e, &cc);
        if (r == AO_CODE_OK)
          return 0;
        if (r == AO_CODE_ERROR) {
          snprintf(why, n, "unreadable data record (corrupt data section)");
          return -1;
        }
      } else if (side[s].type != MMDB_RECORD_TYPE_SEARCH_NODE &&
                 side[s].type != MMDB_RECORD_TYPE_EMPTY) {
        snprintf(why, n,
                 "corrupt search tree (node %u points outside the file)",
                 (unsigned)node);
        return -1;
      }
    }
    for (int s = 1; s >= 0; s--)
      if (side[s].type == MMDB_RECORD_TYPE_SEARCH_NODE &&
          sp < AO_GEO_PROBE_STACK && side[s].rec < m->node_count)
        stack[sp++] = (uint32_t)side[s].rec;
  }
  char where[160];
  paths_text(g, where, sizeof(where));
  snprintf(why, n,
           "no two-letter country code at %s in the %u data records "
           "examined (database_type \"%s\"%s)",
           where, records, type,
           g->have_cpath ? "; check GeoIPCountryPath" : "");
  return -1;
}

/* --- loading and refresh -------------------------------------------------- */

/* Opening a FIFO would block the read thread and a directory cannot be a
 * database: for those (1) the caller fails the path by identity, unopened. */
static int stat_ident(const char *path, ao_geo_ident_t *id) {
  return ao_file_id_of(path, id);
}

static void describe(const MMDB_s *db, char *buf, size_t n) {
  char date[32] = "unknown date";
  time_t t = (time_t)db->metadata.build_epoch;
  struct tm tm;
  if (db->metadata.build_epoch > 0 && gmtime_r(&t, &tm) != NULL)
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
  snprintf(buf, n, "%s, built %s",
           db->metadata.database_type != NULL ? db->metadata.database_type
                                              : "no database_type",
           date);
}

/* Takes a snapshot of cand[idx] (ao_geodb: a private, walked copy, shared
 * with the other Logs), validates it as a country database and swaps it
 * in. Returns 1 when it was swapped in, 0 when it holds the very bytes
 * already loaded (touched, chmod-ed, copied over with the same content:
 * nothing to reload), -1 when it failed: the loaded database (if any)
 * stays, the file's identity is remembered so that it is reported and
 * counted once; -2 when the path named another file by the time it was
 * opened (a rename in between): nothing is counted, the caller looks
 * again. */
static int try_load(ao_geo_t *g, size_t idx, const ao_geo_ident_t *id) {
  ao_geo_cand_t *c = &g->cand[idx];
  char why[400];
  int status = AO_GEODB_BAD;
  ao_geodb_t *snap =
      ao_geodb_acquire(c->path, id, &g->check, &status, why, sizeof(why));
  if (snap == NULL && status == AO_GEODB_STALE)
    return -2; /* replaced since the caller's stat(): it looks again */
  if (snap == NULL && status == AO_GEODB_RETRY) {
    /* Nothing known about the file: tried again at the next refresh,
     * counted, and complained about at collectd's rate (not reset). */
    g->stats.reload_failures++;
    ao_complain(&c->bad, AO_LOG_WARNING, "cannot use GeoIP database %s: %s",
                c->path, why);
    return -1;
  }
  if (snap == NULL)
    goto fail;
  const MMDB_s *db = ao_geodb_mmdb(snap);
  if (validate(g, db, why, sizeof(why)) != 0) {
    ao_geodb_release(snap);
    goto fail;
  }
  if (g->snap != NULL && idx == g->db_idx &&
      (snap == g->snap || ao_geodb_same_content(snap, g->snap))) {
    /* The same bytes: keep the cache, count nothing. Move to the newer
     * snapshot all the same, so that Logs converge on one copy. */
    ao_geodb_t *old = g->snap;
    g->snap = snap;
    g->db = db;
    ao_geodb_release(old);
    g->db_ident = *id;
    c->has_failed = 0;
    ao_release(&c->bad, AO_LOG_NOTICE,
               "GeoIP database %s is valid again: the same database as the "
               "one in use",
               c->path);
    ao_release(&g->gone, AO_LOG_NOTICE, "GeoIP database %s is back", c->path);
    return 0;
  }

  /* Swap. Other Logs may still read the old snapshot: it is closed when
   * the last of them lets go of it. */
  ao_geodb_t *old = g->snap;
  int had_db = old != NULL;
  int reload = g->ever_loaded;
  g->snap = snap;
  g->db = db;
  g->db_idx = idx;
  g->db_ident = *id;
  g->ever_loaded = 1;
  ao_geodb_release(old);
  /* Cached answers came from the old database (ngx_http_geoip2_module#134
   * is this bug): the same address must get the new answer at once. */
  if (g->cache != NULL)
    ao_geocache_flush(g->cache);
  if (reload)
    g->stats.reloads++;
  c->has_failed = 0;
  ao_complaint_reset(&g->gone);

  /* One message for the recovery, through whichever complaint was made
   * (so a rate-limiting sink pairs it with its complaint). */
  char desc[200];
  describe(db, desc, sizeof(desc));
  ao_complaint_t *was = c->bad.active ? &c->bad : &g->missing;
  if (!had_db && was->active) {
    ao_release(was, AO_LOG_NOTICE,
               "GeoIP database %s (%s) loaded: geolocating attacks again",
               c->path, desc);
    ao_complaint_reset(&c->bad);
    ao_complaint_reset(&g->missing);
  } else if (c->bad.active) {
    ao_release(&c->bad, AO_LOG_NOTICE,
               "GeoIP database %s (%s) is valid again and loaded", c->path,
               desc);
  } else {
    ao_log(AO_LOG_INFO, "%s GeoIP database %s (%s)",
           reload ? "reloaded" : "using", c->path, desc);
  }
  return 1;

fail:
  /* A file that changed while it was copied is remembered by the identity
   * seen before the copy: once the writer is done, the file differs from
   * it and is tried again. */
  g->stats.reload_failures++;
  c->has_failed = 1;
  c->failed = *id;
  /* A new bad file is news even if an older one was already reported:
   * restart the complaint so the sink logs it now. */
  ao_complaint_reset(&c->bad);
  if (g->db != NULL) {
    char cur[200];
    describe(g->db, cur, sizeof(cur));
    ao_complain(&c->bad, AO_LOG_WARNING,
                "cannot use GeoIP database %s: %s; still using %s (%s)",
                c->path, why, g->cand[g->db_idx].path, cur);
  } else {
    ao_complain(&c->bad, AO_LOG_ERR,
                "cannot use GeoIP database %s: %s; counting every attack "
                "under ZZ until it is replaced",
                c->path, why);
  }
  return -1;
}

/* Looks at the candidates in priority order, but never below the one that
 * is loaded: a failing better candidate keeps the loaded database, and a
 * lower one never displaces it. Returns 1 when a database was (re)loaded,
 * else 0. */
static int scan(ao_geo_t *g) {
  size_t limit = g->db != NULL ? g->db_idx + 1 : g->ncand;
  g->any_present = 0;
  for (size_t i = 0; i < limit; i++) {
    ao_geo_cand_t *c = &g->cand[i];
    ao_geo_ident_t id;
    memset(&id, 0, sizeof(id));
    int st = stat_ident(c->path, &id);
    if (st < 0) {
      if (errno != ENOENT && errno != ENOTDIR) {
        /* Present but not reachable (EACCES on a directory, ELOOP, ...):
         * worth saying, once. */
        g->any_present = 1;
        if (!c->bad.active)
          ao_complain(&c->bad, AO_LOG_WARNING,
                      "cannot stat GeoIP database %s: %s", c->path,
                      strerror(errno));
      }
      if (g->db != NULL && i == g->db_idx && !g->gone.active) {
        char desc[200];
        describe(g->db, desc, sizeof(desc));
        ao_complain(&g->gone, AO_LOG_WARNING,
                    "GeoIP database %s was removed: still using the copy "
                    "loaded before (%s)",
                    c->path, desc);
      }
      continue;
    }
    g->any_present = 1;
    if (g->db != NULL && i == g->db_idx && ao_file_id_eq(&id, &g->db_ident)) {
      ao_release(&g->gone, AO_LOG_NOTICE, "GeoIP database %s is back", c->path);
      return 0;
    }
    if (c->has_failed && ao_file_id_eq(&id, &c->failed))
      continue; /* known bad: reported when it appeared */
    if (st > 0) {
      /* Not a regular file: fail it by identity without opening it. */
      g->stats.reload_failures++;
      c->has_failed = 1;
      c->failed = id;
      ao_complaint_reset(&c->bad);
      ao_complain(&c->bad, AO_LOG_ERR,
                  "cannot use GeoIP database %s: not a regular file", c->path);
      continue;
    }
    int r = try_load(g, i, &id);
    /* Renamed over between our stat() and open(): look again, a few times
     * (each rename is a complete file, so this settles at once). */
    for (int again = 0; r == -2 && again < 3; again++) {
      if (stat_ident(c->path, &id) != 0)
        break;
      r = try_load(g, i, &id);
    }
    if (r >= 0)
      return r;
  }
  return 0;
}

/* Nothing loaded and no candidate file at all. Said once, until a database
 * loads: not per refresh, because a rate-limiting sink such as collectd's
 * c_complain() would still repeat it at 1, 3, 7, ... intervals, and the
 * no_database counter already shows that the fault lasts. (Files that exist
 * but fail were reported by try_load(), once per identity.) */
static void complain_missing(ao_geo_t *g) {
  if (g->any_present || g->missing.active)
    return;
  char list[900];
  if (g->path != NULL) {
    snprintf(list, sizeof(list), "%s", g->path);
  } else {
    size_t off = 0;
    list[0] = '\0';
    for (size_t i = 0; i < g->ncand && off < sizeof(list); i++) {
      int w = snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
                       g->cand[i].path);
      if (w < 0)
        break;
      off += (size_t)w;
    }
  }
  ao_complain(&g->missing, AO_LOG_WARNING,
              "no GeoIP database at %s%s: counting every attack under ZZ "
              "until one appears",
              g->path != NULL ? "" : "any of ", list);
}

int ao_geo_refresh(ao_geo_t *g) {
  int changed = scan(g);
  if (g->db == NULL) {
    complain_missing(g); /* a no-op after the first time */
    return -1;
  }
  return changed;
}

/* --- accessors ------------------------------------------------------------ */

int ao_geo_loaded(const ao_geo_t *g) { return g->db != NULL; }

const char *ao_geo_path(const ao_geo_t *g) {
  return g->db != NULL ? g->cand[g->db_idx].path : NULL;
}

uint64_t ao_geo_build_epoch(const ao_geo_t *g) {
  return g->db != NULL ? g->db->metadata.build_epoch : 0;
}

const char *ao_geo_database_type(const ao_geo_t *g) {
  return g->db != NULL ? g->db->metadata.database_type : NULL;
}

const ao_geo_stats_t *ao_geo_stats(const ao_geo_t *g) { return &g->stats; }
