/*
 * test_geo.c - address to country with a real libmaxminddb and real .mmdb
 * files generated from tests/data/test-geo.tsv (see that file for what each
 * address means).
 *
 * Fixtures: AO_TEST_DATA/test-{country,city,flat,asn}.mmdb, built by
 * `make build/testdata/stamp`. Tests that replace databases build more in
 * their temp dir with tests/tools/mkmmdb.pl, found under $AO_SRC_DIR,
 * $AO_TEST_DATA/../.., or the current directory. Missing fixtures or tool:
 * the test is skipped with a message.
 *
 * Addresses are turned into ao_ip_t by a local inet_pton() helper, not by
 * ao_ip_parse(): these tests are about the lookup, and must not depend on
 * the parser's policy.
 */
#include "ao_test.h"

#include "ao_common.h"
#include "ao_geo.h"
#include "ao_log.h"

#include <maxminddb.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* --- helpers -------------------------------------------------------------- */

static ao_ip_t ipx(const char *s) {
  ao_ip_t ip;
  memset(&ip, 0, sizeof(ip));
  uint8_t v4[4];
  if (inet_pton(AF_INET, s, v4) == 1) {
    ip.b[10] = 0xff;
    ip.b[11] = 0xff;
    memcpy(ip.b + 12, v4, 4);
    ip.v4 = 1;
    return ip;
  }
  if (inet_pton(AF_INET6, s, ip.b) != 1)
    fail_msg("bad test address %s", s);
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  ip.v4 = memcmp(ip.b, mapped, 12) == 0;
  return ip;
}

static ao_country_t C(const char *code) {
  ao_country_t c;
  assert_int_equal(ao_country_from_code(code, strlen(code), &c), 0);
  return c;
}

static const char *code_of(ao_country_t c) {
  static char buf[4][3];
  static int k;
  k = (k + 1) % 4;
  ao_country_code(c, buf[k]);
  return buf[k];
}

#define EXPECT_CC(g, addr, code)                                               \
  do {                                                                         \
    ao_ip_t ip_ = ipx(addr);                                                   \
    ao_country_t got_ = ao_geo_lookup((g), &ip_);                              \
    if (got_ != C(code))                                                       \
      fail_msg("%s: got %s, want %s", (addr), code_of(got_), (code));          \
  } while (0)

/* A capturing log sink. With hooks = 0 the core's own "first complaint
 * only" rule applies; with hooks = 1 every ao_complain() reaches us, as it
 * reaches collectd's c_complain(). */
#define CAP_MAX 64
static struct {
  int n;
  int level[CAP_MAX];
  char msg[CAP_MAX][1024];
  int complains, releases;
} cap;

static void cap_add(int level, const char *msg) {
  if (cap.n < CAP_MAX) {
    cap.level[cap.n] = level;
    snprintf(cap.msg[cap.n], sizeof(cap.msg[0]), "%s", msg);
    cap.n++;
  }
}
static void cap_log(void *ud, int level, const char *msg) {
  (void)ud;
  cap_add(level, msg);
}
static void cap_complain(void *ud, int level, ao_complaint_t *c,
                         const char *msg) {
  (void)ud;
  (void)c;
  cap.complains++;
  cap_add(level, msg);
}
static void cap_release(void *ud, int level, ao_complaint_t *c,
                        const char *msg) {
  (void)ud;
  (void)c;
  cap.releases++;
  cap_add(level, msg);
}

static void cap_install(int hooks) {
  memset(&cap, 0, sizeof(cap));
  ao_log_sink_t s = {cap_log, hooks ? cap_complain : NULL,
                     hooks ? cap_release : NULL, NULL, NULL};
  ao_log_set_sink(&s);
}

/* Number of captured messages containing every one of up to three
 * substrings (NULL = unused). */
static int cap_count(const char *a, const char *b, const char *c) {
  int k = 0;
  for (int i = 0; i < cap.n; i++)
    if (strstr(cap.msg[i], a) != NULL && (b == NULL || strstr(cap.msg[i], b)) &&
        (c == NULL || strstr(cap.msg[i], c)))
      k++;
  return k;
}

static void cap_dump(void) {
  for (int i = 0; i < cap.n; i++)
    print_message("  log[%d] level %d: %s\n", i, cap.level[i], cap.msg[i]);
}

static char *need_data(const char *name) {
  char *p = ao_test_data(name);
  if (p == NULL) {
    print_message("AO_TEST_DATA/%s missing: run make build/testdata/stamp\n",
                  name);
    skip();
  }
  return p;
}

/* Copies src to dst the way geoipupdate installs a database: write a
 * temporary file beside it, then rename over. */
static void install(const char *src, const char *dst) {
  size_t n;
  char *data = ao_test_slurp(src, &n);
  char tmp[4096];
  snprintf(tmp, sizeof(tmp), "%s.temporary", dst);
  ao_test_write(tmp, data, n);
  assert_int_equal(rename(tmp, dst), 0);
  free(data);
}

static ao_geo_t *open_db(const char *path, const char *country_path,
                         size_t cache) {
  ao_geo_options_t o = {path, country_path, cache};
  ao_err_t err = {{0}};
  ao_geo_t *g = ao_geo_create(&o, &err);
  if (g == NULL)
    fail_msg("ao_geo_create: %s", err.msg);
  return g;
}

/* A second database with other answers, for replacement tests. */
static const char tsv_b[] = "# replacement database\n"
                            "81.2.69.0/24\tSE\tSE\n"
                            "2001:218::/32\tUS\tUS\n"
                            "45.0.0.0/8\tAU\tAU\n";

typedef struct fixture {
  char *dir;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  f->dir = ao_test_mkdtemp();
  cap_install(0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  ao_log_set_sink(NULL);
  ao_test_rmdir(f->dir);
  free(f);
  return 0;
}

/* --- lookups -------------------------------------------------------------- */

/* GeoLite2-Country layout: IPv4, IPv6 and IPv4-mapped input. */
static void test_maxmind_layout(void **state) {
  (void)state;
  char *db = need_data("test-country.mmdb");
  ao_geo_t *g = open_db(db, NULL, 1024);
  assert_true(ao_geo_loaded(g));
  assert_string_equal(ao_geo_path(g), db);
  assert_string_equal(ao_geo_database_type(g), "GeoLite2-Country");
  assert_int_equal(ao_geo_build_epoch(g), 1704067200);

  EXPECT_CC(g, "81.2.69.160", "GB");
  EXPECT_CC(g, "89.160.20.115", "SE");
  EXPECT_CC(g, "216.160.83.60", "US");
  EXPECT_CC(g, "67.43.156.1", "BT");
  EXPECT_CC(g, "202.196.239.255", "PH");
  EXPECT_CC(g, "88.198.1.1", "DE");
  EXPECT_CC(g, "5.255.255.5", "RU");
  EXPECT_CC(g, "51.38.1.1", "FR");
  EXPECT_CC(g, "200.160.0.1", "BR");
  EXPECT_CC(g, "168.126.63.1", "KR");
  /* IPv6 */
  EXPECT_CC(g, "2001:218::1", "JP");
  EXPECT_CC(g, "2a01:4f8:10a::2", "DE");
  EXPECT_CC(g, "2001:41d0:8:e8ad::1", "FR");
  EXPECT_CC(g, "2a00:1450:4001::1", "IE");
  /* IPv4-mapped text is the IPv4 address (same key, same answer). */
  EXPECT_CC(g, "::ffff:81.2.69.160", "GB");
  /* Even with v4 unset, mapped bytes are looked up as IPv4. */
  ao_ip_t m = ipx("::ffff:89.160.20.113");
  m.v4 = 0;
  assert_int_equal(ao_geo_lookup(g, &m), C("SE"));

  const ao_geo_stats_t *s = ao_geo_stats(g);
  assert_int_equal(s->errors, 0);
  assert_int_equal(s->not_found, 0);
  assert_int_equal(s->special, 0);
  assert_int_equal(s->lookups, 16);
  assert_int_equal(s->cache_hits, 1); /* ::ffff:81.2.69.160 */
  assert_int_equal(s->reloads, 0);
  assert_int_equal(s->reload_failures, 0);
  ao_geo_destroy(g);
  free(db);
}

/* A City database holds the same country data; only its type differs. */
static void test_city_db(void **state) {
  (void)state;
  char *db = need_data("test-city.mmdb");
  ao_geo_t *g = open_db(db, NULL, 0);
  assert_true(ao_geo_loaded(g));
  assert_string_equal(ao_geo_database_type(g), "GeoLite2-City");
  EXPECT_CC(g, "81.2.69.160", "GB");
  EXPECT_CC(g, "2001:218::1", "JP");
  EXPECT_CC(g, "193.0.0.1", "NL");
  ao_geo_destroy(g);
  free(db);
}

/* Flat {country_code} records are detected per record, no option needed. */
static void test_flat_layout_detected(void **state) {
  (void)state;
  char *db = need_data("test-flat.mmdb");
  ao_geo_t *g = open_db(db, NULL, 64);
  assert_true(ao_geo_loaded(g));
  EXPECT_CC(g, "81.2.69.160", "GB");
  EXPECT_CC(g, "2001:218::1", "JP");
  EXPECT_CC(g, "2a01:4f8::1", "DE");
  /* The flat build stores the registered country where there is no
   * country; invalid codes stay invalid. */
  EXPECT_CC(g, "193.0.0.1", "NL");
  EXPECT_CC(g, "80.80.80.80", "ZZ");    /* "G." */
  EXPECT_CC(g, "91.198.174.192", "ZZ"); /* "gb1" */
  const ao_geo_stats_t *s = ao_geo_stats(g);
  assert_int_equal(s->not_found, 2);
  assert_int_equal(s->errors, 0);
  ao_geo_destroy(g);
  free(db);
}

/* A user country_path replaces the automatic chain. */
static void test_country_path(void **state) {
  fixture_t *f = *state;
  char *flat = need_data("test-flat.mmdb");
  char *mm = need_data("test-country.mmdb");

  ao_geo_t *g = open_db(flat, "country_code", 0);
  assert_true(ao_geo_loaded(g));
  EXPECT_CC(g, "81.2.69.160", "GB");
  EXPECT_CC(g, "2001:218::1", "JP");
  ao_geo_destroy(g);

  /* registered_country only: the invalid country "gb1" is not read, its
   * registered GB is; the "G." row has no registered country. */
  g = open_db(mm, "registered_country.iso_code", 0);
  assert_true(ao_geo_loaded(g));
  EXPECT_CC(g, "193.0.0.1", "NL");
  EXPECT_CC(g, "91.198.174.192", "GB");
  EXPECT_CC(g, "80.80.80.80", "ZZ");
  EXPECT_CC(g, "81.2.69.160", "GB");
  ao_geo_destroy(g);

  /* A path the database does not have: the database is refused at load
   * (with a message that points at the option), not silently all-ZZ. */
  cap_install(0);
  g = open_db(flat, "country.iso_code", 0);
  assert_false(ao_geo_loaded(g));
  assert_int_equal(ao_geo_stats(g)->reload_failures, 1);
  if (cap_count(flat, "no two-letter country code at country.iso_code",
                "GeoIPCountryPath") != 1) {
    cap_dump();
    fail();
  }
  EXPECT_CC(g, "81.2.69.160", "ZZ");
  assert_int_equal(ao_geo_stats(g)->no_database, 1);
  ao_geo_destroy(g);

  /* Eight components are allowed (here: absent from the database). */
  char *none = ao_test_path(f->dir, "none.mmdb");
  g = open_db(none, "a.b.c.d.e.f.g.h", 0);
  ao_geo_destroy(g);
  free(none);
  free(flat);
  free(mm);
}

/* No country in the record: registered_country (maxmind layout). */
static void test_registered_country_fallback(void **state) {
  (void)state;
  char *db = need_data("test-country.mmdb");
  ao_geo_t *g = open_db(db, NULL, 0);
  EXPECT_CC(g, "193.0.0.1", "NL");
  EXPECT_CC(g, "193.0.7.255", "NL");
  assert_int_equal(ao_geo_stats(g)->not_found, 0);
  ao_geo_destroy(g);
  free(db);
}

/* Codes that are not two ASCII letters never become a country
 * (reliability matrix G1); a present invalid country is not replaced by
 * the registered one. */
static void test_invalid_iso_code(void **state) {
  (void)state;
  char *db = need_data("test-country.mmdb");
  ao_geo_t *g = open_db(db, NULL, 16);
  EXPECT_CC(g, "80.80.80.80", "ZZ");    /* "G." */
  EXPECT_CC(g, "91.198.174.192", "ZZ"); /* "gb1", registered GB */
  const ao_geo_stats_t *s = ao_geo_stats(g);
  assert_int_equal(s->not_found, 2);
  assert_int_equal(s->errors, 0);
  ao_geo_destroy(g);
  free(db);
}

/* Case is folded; anything but two ASCII letters is ZZ, whatever else the
 * value holds (reliability matrix G1). */
static void test_code_shapes(void **state) {
  fixture_t *f = *state;
  char tsv[1024];
  char longcode[201];
  memset(longcode, 'A', 200);
  longcode[200] = '\0';
  snprintf(tsv, sizeof(tsv),
           "81.2.69.0/24\tgb\t-\n"           /* lower case */
           "2001:218::/32\tJp\t-\n"          /* mixed case */
           "89.160.20.112/28\t\xc3\x89\t-\n" /* one letter, two bytes */
           "216.160.83.56/29\tG B\t-\n"      /* three bytes */
           "67.43.156.0/24\t%s\t-\n",        /* 200 letters */
           longcode);
  char *db = ao_test_mkmmdb(f->dir, "shapes", tsv, "--layout maxmind");
  ao_geo_t *g = open_db(db, NULL, 0);
  assert_true(ao_geo_loaded(g));
  EXPECT_CC(g, "81.2.69.160", "GB");
  EXPECT_CC(g, "2001:218::1", "JP");
  EXPECT_CC(g, "89.160.20.113", "ZZ");
  EXPECT_CC(g, "216.160.83.57", "ZZ");
  EXPECT_CC(g, "67.43.156.1", "ZZ");
  assert_int_equal(ao_geo_stats(g)->not_found, 3);
  assert_int_equal(ao_geo_stats(g)->errors, 0);
  ao_geo_destroy(g);
  free(db);
}

/* Public addresses the database lacks: ZZ and not_found; the ZZ is cached
 * like any answer. */
static void test_absent_address(void **state) {
  (void)state;
  char *db = need_data("test-country.mmdb");
  ao_geo_t *g = open_db(db, NULL, 16);
  const ao_geo_stats_t *s = ao_geo_stats(g);
  EXPECT_CC(g, "45.33.32.156", "ZZ");
  EXPECT_CC(g, "2606:4700:4700::1111", "ZZ");
  assert_int_equal(s->not_found, 2);
  EXPECT_CC(g, "45.33.32.156", "ZZ");
  assert_int_equal(s->not_found, 2);
  assert_int_equal(s->cache_hits, 1);
  assert_int_equal(s->errors, 0);
  ao_geo_destroy(g);
  free(db);
}

/* Special addresses are ZZ without a lookup: the trap rows put CN on
 * 10.0.0.0/8 and 2001:db8::/32, so a lookup would say CN. */
static void test_special_addresses(void **state) {
  (void)state;
  char *db = need_data("test-country.mmdb");
  ao_geo_t *g = open_db(db, NULL, 16);
  static const char *const special[] = {
      "10.1.2.3", "2001:db8::1", "127.0.0.1", "192.168.1.1",
      "::1",      "fe80::1",     "0.0.0.0",   "::ffff:10.0.0.1"};
  for (size_t i = 0; i < AO_ARRAY_SIZE(special); i++)
    EXPECT_CC(g, special[i], "ZZ");
  const ao_geo_stats_t *s = ao_geo_stats(g);
  assert_int_equal(s->lookups, AO_ARRAY_SIZE(special));
  assert_int_equal(s->special, AO_ARRAY_SIZE(special));
  assert_int_equal(s->not_found, 0);
  assert_int_equal(s->cache_hits, 0);
  assert_int_equal(s->errors, 0);
  /* NULL is no address at all: ZZ, counted as special. */
  assert_int_equal(ao_geo_lookup(g, NULL), AO_COUNTRY_ZZ);
  assert_int_equal(s->special, AO_ARRAY_SIZE(special) + 1);
  ao_geo_destroy(g);
  free(db);
}

/* The cache answers repeats; size 0 disables it without changing answers. */
static void test_cache(void **state) {
  (void)state;
  char *db = need_data("test-country.mmdb");
  ao_geo_t *g = open_db(db, NULL, 8);
  for (int i = 0; i < 5; i++)
    EXPECT_CC(g, "81.2.69.160", "GB");
  assert_int_equal(ao_geo_stats(g)->cache_hits, 4);
  ao_geo_destroy(g);

  g = open_db(db, NULL, 0);
  for (int i = 0; i < 5; i++)
    EXPECT_CC(g, "81.2.69.160", "GB");
  assert_int_equal(ao_geo_stats(g)->cache_hits, 0);
  assert_int_equal(ao_geo_stats(g)->lookups, 5);
  assert_int_equal(ao_geo_stats(g)->cache_evictions, 0);
  ao_geo_destroy(g);

  /* More distinct addresses than the cache holds: evictions are counted
   * (a one-entry cache: every new address after the first evicts). The
   * addresses are in 89.160.20.112/28, a network smaller than the
   * smallest cached block (/24), so each one is cached alone. */
  g = open_db(db, NULL, 1);
  for (int i = 0; i < 10; i++) {
    char a[32];
    snprintf(a, sizeof(a), "89.160.20.%d", 112 + i);
    EXPECT_CC(g, a, "SE");
  }
  EXPECT_CC(g, "89.160.20.121", "SE"); /* the last one is still cached */
  assert_int_equal(ao_geo_stats(g)->cache_evictions, 9);
  assert_int_equal(ao_geo_stats(g)->cache_hits, 1);
  ao_geo_destroy(g);
  free(db);
}

/* The cache holds networks: one database lookup answers every address of
 * the block that holds the record's network (81.2.69.0/24: the /24;
 * 88.198.0.0/16: the /16; 202.196.224.0/20: each /24 of it; 2001:218::/32:
 * the /32), never an address outside it. */
static void test_cache_networks(void **state) {
  (void)state;
  char *db = need_data("test-country.mmdb");
  ao_geo_t *g = open_db(db, NULL, 64);
  const ao_geo_stats_t *st = ao_geo_stats(g);
  EXPECT_CC(g, "81.2.69.1", "GB");
  for (int i = 2; i < 256; i += 17) {
    char a[32];
    snprintf(a, sizeof(a), "81.2.69.%d", i);
    EXPECT_CC(g, a, "GB");
  }
  assert_int_equal(st->cache_hits, st->lookups - 1);
  /* next door: not in the database, not answered by the GB entry */
  EXPECT_CC(g, "81.2.70.1", "ZZ");
  EXPECT_CC(g, "81.2.68.255", "ZZ");
  assert_int_equal(st->not_found, 2);

  uint64_t hits = st->cache_hits;
  EXPECT_CC(g, "88.198.1.1", "DE");
  EXPECT_CC(g, "88.198.200.7", "DE");
  EXPECT_CC(g, "88.198.255.255", "DE");
  assert_int_equal(st->cache_hits, hits + 2);

  hits = st->cache_hits;
  EXPECT_CC(g, "202.196.224.1", "PH");
  EXPECT_CC(g, "202.196.224.200", "PH"); /* same /24: a hit */
  EXPECT_CC(g, "202.196.239.1", "PH");   /* another /24 of the /20 */
  EXPECT_CC(g, "202.196.240.1", "ZZ");   /* past the /20 */
  assert_int_equal(st->cache_hits, hits + 1);

  hits = st->cache_hits;
  EXPECT_CC(g, "2001:218::1", "JP");
  EXPECT_CC(g, "2001:218:ffff::5", "JP");
  EXPECT_CC(g, "2001:219::1", "ZZ");
  assert_int_equal(st->cache_hits, hits + 1);
  ao_geo_destroy(g);
  free(db);
}

/* An IPv4-only database (like ip-location-db's *-ipv4.mmdb): IPv6 is
 * simply not found, never a library error. */
static void test_ipv4_only_db(void **state) {
  fixture_t *f = *state;
  char *db = ao_test_mkmmdb(f->dir, "v4",
                            "81.2.69.0/24\tGB\t-\n2001:218::/32\tJP\t-\n",
                            "--layout flat --ip-version 4");
  ao_geo_t *g = open_db(db, NULL, 16);
  assert_true(ao_geo_loaded(g));
  assert_string_equal(ao_geo_database_type(g), "DBIP-COUNTRY ipv4");
  EXPECT_CC(g, "81.2.69.160", "GB");
  EXPECT_CC(g, "::ffff:81.2.69.161", "GB");
  EXPECT_CC(g, "2001:218::1", "ZZ");
  assert_int_equal(ao_geo_stats(g)->errors, 0);
  assert_int_equal(ao_geo_stats(g)->not_found, 1);
  /* the netmask of an IPv4 database counts 32 bits: the /24 is one block
   * (the second address above was a hit too), its neighbour is not */
  assert_int_equal(ao_geo_stats(g)->cache_hits, 1);
  EXPECT_CC(g, "81.2.69.7", "GB");
  assert_int_equal(ao_geo_stats(g)->cache_hits, 2);
  EXPECT_CC(g, "81.2.70.7", "ZZ");
  assert_int_equal(ao_geo_stats(g)->not_found, 2);
  ao_geo_destroy(g);
  free(db);
}

/* --- database lifecycle --------------------------------------------------- */

/* Missing at create: one clear complaint naming the path, ZZ for every
 * lookup, no repeat per lookup or refresh; picked up when it appears, and
 * the recovery is logged. */
static void test_missing_then_appears(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *path = ao_test_path(f->dir, "GeoLite2-Country.mmdb");

  ao_geo_t *g = open_db(path, NULL, 64);
  assert_false(ao_geo_loaded(g));
  assert_null(ao_geo_path(g));
  assert_null(ao_geo_database_type(g));
  assert_int_equal(ao_geo_build_epoch(g), 0);
  for (int i = 0; i < 100; i++)
    EXPECT_CC(g, "81.2.69.160", "ZZ");
  for (int i = 0; i < 5; i++)
    assert_int_equal(ao_geo_refresh(g), -1);
  const ao_geo_stats_t *s = ao_geo_stats(g);
  assert_int_equal(s->no_database, 100);
  assert_int_equal(s->not_found, 0);
  assert_int_equal(s->reload_failures, 0);
  char want[4200];
  snprintf(want, sizeof(want), "no GeoIP database at %s: ", path);
  if (cap.n != 1 ||
      cap_count(want, "counting every attack under ZZ until one appears",
                NULL) != 1) {
    cap_dump();
    fail_msg("expected exactly one complaint");
  }

  install(src, path);
  assert_int_equal(ao_geo_refresh(g), 1);
  assert_true(ao_geo_loaded(g));
  assert_string_equal(ao_geo_path(g), path);
  EXPECT_CC(g, "81.2.69.160", "GB");
  assert_int_equal(s->reloads, 0); /* the first database is not a reload */
  if (cap_count(path, "loaded: geolocating attacks again", NULL) != 1) {
    cap_dump();
    fail_msg("recovery not logged");
  }
  int logged = cap.n;
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_int_equal(cap.n, logged);
  ao_geo_destroy(g);
  free(path);
  free(src);
}

/* With a sink that rate-limits by itself (collectd's c_complain(), which
 * would repeat a complaint made every interval at 1, 3, 7, ... intervals),
 * the missing database is still complained about once: not per lookup, not
 * per refresh. */
static void test_missing_complained_once(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *path = ao_test_path(f->dir, "db.mmdb");
  cap_install(1);
  ao_geo_t *g = open_db(path, NULL, 0);
  assert_int_equal(cap.complains, 1);
  for (int i = 0; i < 1000; i++)
    EXPECT_CC(g, "89.160.20.112", "ZZ");
  assert_int_equal(cap.complains, 1);
  for (int i = 0; i < 3; i++)
    assert_int_equal(ao_geo_refresh(g), -1);
  assert_int_equal(cap.complains, 1);
  assert_int_equal(cap.releases, 0);
  install(src, path);
  assert_int_equal(ao_geo_refresh(g), 1);
  assert_int_equal(cap.releases, 1);
  assert_int_equal(cap.complains, 1);
  assert_int_equal(cap_count("no GeoIP database", NULL, NULL), 1);
  ao_geo_destroy(g);
  free(path);
  free(src);
}

/* The default search list, and what a host without any database hears. */
static void test_default_paths(void **state) {
  (void)state;
  static const char *const want[] = {
      "/var/lib/GeoIP/GeoLite2-Country.mmdb",
      "/usr/share/GeoIP/GeoLite2-Country.mmdb",
      "/var/lib/GeoIP/GeoIP2-Country.mmdb",
      "/usr/share/GeoIP/GeoIP2-Country.mmdb",
      "/var/lib/GeoIP/GeoLite2-City.mmdb",
      "/usr/share/GeoIP/GeoLite2-City.mmdb",
      "/var/lib/GeoIP/GeoIP2-City.mmdb",
      "/usr/share/GeoIP/GeoIP2-City.mmdb",
  };
  size_t n = 0;
  while (ao_geo_default_paths[n] != NULL)
    n++;
  assert_int_equal(n, AO_ARRAY_SIZE(want));
  for (size_t i = 0; i < n; i++)
    assert_string_equal(ao_geo_default_paths[i], want[i]);

  ao_geo_t *g = open_db(NULL, NULL, 16);
  int any = 0;
  for (size_t i = 0; i < n; i++)
    any |= access(want[i], F_OK) == 0;
  if (!any) {
    /* This host has none: the complaint lists every path tried. */
    assert_false(ao_geo_loaded(g));
    assert_int_equal(cap.n, 1);
    assert_non_null(strstr(cap.msg[0], "no GeoIP database at any of "));
    for (size_t i = 0; i < n; i++)
      assert_non_null(strstr(cap.msg[0], want[i]));
  }
  ao_geo_destroy(g);
}

/* Replace by rename (geoipupdate): the new answers apply at once, because
 * the swap flushes the cache. */
static void test_replace_by_rename(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *b =
      ao_test_mkmmdb(f->dir, "b", tsv_b, "--layout maxmind --epoch 1706745600");
  char *path = ao_test_path(f->dir, "GeoLite2-Country.mmdb");
  install(src, path);

  ao_geo_t *g = open_db(path, NULL, 1024);
  const ao_geo_stats_t *s = ao_geo_stats(g);
  EXPECT_CC(g, "81.2.69.160", "GB");
  EXPECT_CC(g, "81.2.69.160", "GB"); /* now cached */
  EXPECT_CC(g, "2001:218::1", "JP");
  EXPECT_CC(g, "45.33.32.156", "ZZ");
  assert_int_equal(s->cache_hits, 1);
  assert_int_equal(ao_geo_refresh(g), 0); /* unchanged */

  install(b, path);
  assert_int_equal(ao_geo_refresh(g), 1);
  assert_int_equal(s->reloads, 1);
  assert_int_equal(s->reload_failures, 0);
  assert_int_equal(ao_geo_build_epoch(g), 1706745600);
  uint64_t hits = s->cache_hits;
  EXPECT_CC(g, "81.2.69.160", "SE"); /* not the cached GB */
  EXPECT_CC(g, "2001:218::1", "US");
  EXPECT_CC(g, "45.33.32.156", "AU");
  assert_int_equal(s->cache_hits, hits);
  assert_int_equal(cap_count("reloaded GeoIP database", path, NULL), 1);
  assert_int_equal(ao_geo_refresh(g), 0);

  /* And back again. */
  install(src, path);
  assert_int_equal(ao_geo_refresh(g), 1);
  assert_int_equal(s->reloads, 2);
  EXPECT_CC(g, "81.2.69.160", "GB");
  ao_geo_destroy(g);
  free(path);
  free(b);
  free(src);
}

/* Garbage replacing a good database: the old one stays, the failure is
 * counted and reported once per file identity, and a good file later
 * recovers (and says so). */
static void test_garbage_keeps_old(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *path = ao_test_path(f->dir, "db.mmdb");
  char *junk = ao_test_path(f->dir, "junk");
  install(src, path);
  ao_geo_t *g = open_db(path, NULL, 64);
  const ao_geo_stats_t *s = ao_geo_stats(g);
  assert_true(ao_geo_loaded(g));
  int base = cap.n;

  static const char garbage[] = "this is not a MaxMind DB\n";
  ao_test_write(junk, garbage, sizeof(garbage) - 1);
  install(junk, path);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_true(ao_geo_loaded(g));
  EXPECT_CC(g, "81.2.69.160", "GB");
  assert_int_equal(s->reload_failures, 1);
  assert_int_equal(s->reloads, 0);
  assert_int_equal(cap.n, base + 1);
  if (cap_count("cannot use GeoIP database", path, "still using") != 1 ||
      cap_count("metadata", NULL, NULL) != 1) {
    cap_dump();
    fail_msg("expected one message naming the path and the MMDB error");
  }
  /* Same file: neither retried nor reported again. */
  for (int i = 0; i < 5; i++)
    assert_int_equal(ao_geo_refresh(g), 0);
  assert_int_equal(s->reload_failures, 1);
  assert_int_equal(cap.n, base + 1);

  /* A truncated copy of a real database (a half-finished cp): a new
   * identity, so a new failure and a new message. */
  size_t n;
  char *data = ao_test_slurp(src, &n);
  ao_test_write(junk, data, n / 2);
  free(data);
  install(junk, path);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_int_equal(s->reload_failures, 2);
  assert_int_equal(cap_count("cannot use GeoIP database", path, NULL), 2);
  EXPECT_CC(g, "2001:218::1", "JP");

  /* A valid database again: the very bytes in use, so the complaint is
   * released but nothing is reloaded (the cache stays warm). */
  install(src, path);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_int_equal(s->reloads, 0);
  assert_int_equal(cap_count(path, "is valid again", NULL), 1);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_int_equal(cap_count(path, "is valid again", NULL), 1);
  ao_geo_destroy(g);
  free(junk);
  free(path);
  free(src);
}

/* Broken at create: ZZ until a good file appears. */
static void test_garbage_at_create(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *path = ao_test_path(f->dir, "db.mmdb");
  size_t n;
  char *data = ao_test_slurp(src, &n);
  /* The first 100 bytes cut off: the metadata is intact, every offset in
   * the tree is wrong. The sample lookups catch it. */
  ao_test_write(path, data + 100, n - 100);
  free(data);
  ao_geo_t *g = open_db(path, NULL, 64);
  assert_false(ao_geo_loaded(g));
  assert_int_equal(ao_geo_stats(g)->reload_failures, 1);
  /* One message, about this file: no second "missing" one. */
  if (cap.n != 1 || cap_count("cannot use GeoIP database", path,
                              "counting every attack under ZZ") != 1) {
    cap_dump();
    fail();
  }
  EXPECT_CC(g, "81.2.69.160", "ZZ");
  assert_int_equal(ao_geo_refresh(g), -1);
  assert_int_equal(ao_geo_stats(g)->reload_failures, 1);
  install(src, path);
  assert_int_equal(ao_geo_refresh(g), 1);
  EXPECT_CC(g, "81.2.69.160", "GB");
  assert_int_equal(cap_count("geolocating attacks again", NULL, NULL), 1);
  ao_geo_destroy(g);
  free(path);
  free(src);
}

/* A database of the wrong kind is refused, by its type name or, when the
 * name says nothing, by its records. */
static void test_asn_rejected(void **state) {
  fixture_t *f = *state;
  char *asn = need_data("test-asn.mmdb");
  ao_geo_t *g = open_db(asn, NULL, 16);
  assert_false(ao_geo_loaded(g));
  assert_int_equal(ao_geo_stats(g)->reload_failures, 1);
  if (cap_count(asn, "\"GeoLite2-ASN\" is not a country or city database",
                NULL) != 1) {
    cap_dump();
    fail();
  }
  EXPECT_CC(g, "81.2.69.160", "ZZ");
  ao_geo_destroy(g);

  cap_install(0);
  char *odd = ao_test_mkmmdb(f->dir, "odd", "81.2.69.0/24\tGB\tGB\n",
                             "--layout asn --type My-IP-Data");
  g = open_db(odd, NULL, 16);
  assert_false(ao_geo_loaded(g));
  if (cap_count(odd, "no two-letter country code", "My-IP-Data") != 1) {
    cap_dump();
    fail();
  }
  ao_geo_destroy(g);

  /* An ASN database replacing a good one is refused too. */
  char *src = need_data("test-country.mmdb");
  char *path = ao_test_path(f->dir, "db.mmdb");
  install(src, path);
  g = open_db(path, NULL, 16);
  install(asn, path);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_string_equal(ao_geo_database_type(g), "GeoLite2-Country");
  assert_int_equal(ao_geo_stats(g)->reload_failures, 1);
  EXPECT_CC(g, "81.2.69.160", "GB");
  ao_geo_destroy(g);
  free(path);
  free(src);
  free(odd);
  free(asn);
}

/* The database_type rule, on databases that all hold country codes: a
 * non-location product word refuses, unless a location word is there too. */
static void test_database_type_rule(void **state) {
  fixture_t *f = *state;
  static const struct {
    const char *type;
    int accepted;
  } rows[] = {
      {"GeoIP2-Anonymous-IP", 0},  {"DBIP-ASN-Lite", 0}, {"GeoIP2-ISP", 0},
      {"GEO-ASN-COUNTRY ipv4", 1}, /* ip-location-db: countries from ASNs */
      {"GeoIP2-Enterprise", 1},    {"My-IP-Data", 1}, /* unknown name: judged by
                                                         its records */
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(rows); i++) {
    char name[16], opts[128];
    snprintf(name, sizeof(name), "t%zu", i);
    snprintf(opts, sizeof(opts), "--layout flat --type '%s'", rows[i].type);
    char *db = ao_test_mkmmdb(f->dir, name, "81.2.69.0/24\tGB\tGB\n", opts);
    cap_install(0);
    ao_geo_t *g = open_db(db, NULL, 0);
    if (ao_geo_loaded(g) != rows[i].accepted) {
      cap_dump();
      fail_msg("database_type \"%s\": loaded %d", rows[i].type,
               ao_geo_loaded(g));
    }
    EXPECT_CC(g, "81.2.69.160", rows[i].accepted ? "GB" : "ZZ");
    ao_geo_destroy(g);
    free(db);
  }
}

/* Paths that are not regular files are never opened (a FIFO would block
 * the read thread in open()). */
static void test_not_a_regular_file(void **state) {
  fixture_t *f = *state;
  ao_geo_t *g = open_db(f->dir, NULL, 0);
  assert_false(ao_geo_loaded(g));
  assert_int_equal(cap_count(f->dir, "not a regular file", NULL), 1);
  assert_int_equal(ao_geo_refresh(g), -1);
  assert_int_equal(ao_geo_stats(g)->reload_failures, 1);
  ao_geo_destroy(g);

  char *fifo = ao_test_path(f->dir, "fifo");
  assert_int_equal(mkfifo(fifo, 0600), 0);
  g = open_db(fifo, NULL, 0);
  assert_false(ao_geo_loaded(g));
  assert_int_equal(cap_count(fifo, "not a regular file", NULL), 1);
  ao_geo_destroy(g);
  free(fifo);
}

/* The loaded file disappears: keep answering from the loaded copy, say so,
 * and load whatever appears next. */
static void test_removed_keeps_loaded(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *path = ao_test_path(f->dir, "db.mmdb");
  install(src, path);
  cap_install(1); /* every ao_complain() call is seen */
  ao_geo_t *g = open_db(path, NULL, 0);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_true(ao_geo_loaded(g));
  EXPECT_CC(g, "81.2.69.160", "GB");
  assert_int_equal(cap_count(path, "was removed", NULL), 1);
  assert_int_equal(cap.complains, 1);
  /* The same bytes come back: "is back", not a reload. */
  install(src, path);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_int_equal(ao_geo_stats(g)->reloads, 0);
  assert_int_equal(cap_count(path, "is back", NULL), 1);
  assert_int_equal(cap.releases, 1);
  ao_geo_destroy(g);
  free(path);
  free(src);
}

/* Invalid options fail create with a message naming the value. */
static void test_invalid_options(void **state) {
  (void)state;
  static const struct {
    const char *path, *country_path;
    size_t cache;
    const char *want; /* in err.msg */
  } rows[] = {
      {"/x.mmdb", "", 0, "GeoIPCountryPath \"\": empty value"},
      {"/x.mmdb", "a.b.c.d.e.f.g.h.i", 0,
       "GeoIPCountryPath \"a.b.c.d.e.f.g.h.i\": 9 components, at most 8"},
      {"/x.mmdb", "country..iso_code", 0,
       "GeoIPCountryPath \"country..iso_code\": empty component"},
      {"/x.mmdb", ".country_code", 0,
       "GeoIPCountryPath \".country_code\": empty component"},
      {"/x.mmdb", "country_code.", 0,
       "GeoIPCountryPath \"country_code.\": empty component"},
      {"", NULL, 0, "GeoIPDatabase \"\": empty path"},
      {"/x.mmdb", NULL, ((size_t)1 << 24) + 1,
       "GeoIPCacheSize 16777217: too large"},
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(rows); i++) {
    ao_geo_options_t o = {rows[i].path, rows[i].country_path, rows[i].cache};
    ao_err_t err = {{0}};
    ao_geo_t *g = ao_geo_create(&o, &err);
    if (g != NULL || strstr(err.msg, rows[i].want) == NULL)
      fail_msg("row %zu: got %p \"%s\", want \"%s\"", i, (void *)g, err.msg,
               rows[i].want);
  }
  /* Nothing was logged: option errors go to err, not to the log. */
  assert_int_equal(cap.n, 0);
  ao_geo_destroy(NULL);
}

/* --- files replaced, overwritten and corrupted in place --------------------
 * Each of these runs in a forked child, so that a crash (SIGBUS from a
 * truncated mapping, a libmaxminddb fault) is observed as a wait status
 * instead of killing the test program. */

/* Addresses with known answers in test-country.mmdb (tests/data/test-geo.tsv). */
static const struct {
  const char *ip, *cc;
} known[] = {
    {"81.2.69.160", "GB"},    {"89.160.20.112", "SE"},
    {"216.160.83.56", "US"},  {"67.43.156.1", "BT"},
    {"202.196.224.1", "PH"},  {"2001:218::1", "JP"},
    {"88.198.1.1", "DE"},     {"2a01:4f8::1", "DE"},
    {"5.255.255.5", "RU"},    {"2001:41d0::1", "FR"},
    {"51.38.1.1", "FR"},      {"200.160.0.1", "BR"},
    {"168.126.63.1", "KR"},   {"2a00:1450::1", "IE"},
    {"193.0.0.1", "NL"},      {"80.80.80.80", "ZZ"},
    {"91.198.174.192", "ZZ"}, {"45.33.32.156", "ZZ"},
    {"2606:4700:4700::1111", "ZZ"},
};

/* 0 when every known address gets its answer; else the number wrong. */
static int known_wrong(ao_geo_t *g) {
  int wrong = 0;
  for (size_t i = 0; i < AO_ARRAY_SIZE(known); i++) {
    ao_ip_t ip = ipx(known[i].ip);
    wrong += ao_geo_lookup(g, &ip) != C(known[i].cc);
  }
  return wrong;
}

/* Writes data over path in place, as `cp new path` does: same inode,
 * truncated, then written. */
static int overwrite(const char *path, const void *data, size_t n) {
  int fd = open(path, O_WRONLY | O_TRUNC);
  if (fd < 0)
    return -1;
  int ok = n == 0 || write(fd, data, n) == (ssize_t)n;
  close(fd);
  return ok ? 0 : -1;
}

static int run_child(void (*fn)(void *), void *arg, int timeout_s) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    alarm((unsigned)timeout_s); /* a hang dies of SIGALRM */
    fn(arg);
    _exit(0);
  }
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  return st;
}

static int under_valgrind(void) {
  const char *p = getenv("LD_PRELOAD");
  return p != NULL && strstr(p, "vgpreload") != NULL;
}

/* Sanitized builds (make asan, make sanitize) fork and run an order of
 * magnitude slower: the trial loops below do fewer rounds there. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define AO_SANITIZED 1
#else
#define AO_SANITIZED 0
#endif

typedef struct inplace {
  const char *path, *a, *b, *asn;
} inplace_t;

#define CHILD_CHECK(cond, code)                                                \
  do {                                                                         \
    if (!(cond))                                                               \
      _exit(code);                                                             \
  } while (0)

static void inplace_sequence(void *arg) {
  const inplace_t *t = arg;
  size_t na, nb, nasn;
  char *a = ao_test_slurp(t->a, &na);
  char *b = ao_test_slurp(t->b, &nb);
  char *asn = ao_test_slurp(t->asn, &nasn);
  CHILD_CHECK(nb < na, 10); /* b is the shorter one */
  ao_geo_t *g = open_db(t->path, NULL, 256);
  const ao_geo_stats_t *s = ao_geo_stats(g);
  ao_ip_t x = ipx("81.2.69.160");
  ao_country_t gb = C("GB"), se = C("SE");
  CHILD_CHECK(known_wrong(g) == 0, 11);

  /* 1. cp of a shorter database over the loaded one: swapped in. */
  CHILD_CHECK(overwrite(t->path, b, nb) == 0, 12);
  CHILD_CHECK(ao_geo_lookup(g, &x) == gb, 13); /* before the refresh */
  CHILD_CHECK(ao_geo_refresh(g) == 1, 14);
  CHILD_CHECK(ao_geo_lookup(g, &x) == se, 15);
  /* 2. truncate(0): refused, the loaded copy keeps answering. */
  CHILD_CHECK(truncate(t->path, 0) == 0, 16);
  CHILD_CHECK(ao_geo_lookup(g, &x) == se, 17);
  CHILD_CHECK(ao_geo_refresh(g) == 0 && s->reload_failures == 1, 18);
  CHILD_CHECK(ao_geo_lookup(g, &x) == se, 19);
  /* 3. a partial write (the first half of the longer database): refused;
   *    the rest arrives: taken. */
  CHILD_CHECK(overwrite(t->path, a, na / 2) == 0, 20);
  CHILD_CHECK(ao_geo_refresh(g) == 0 && s->reload_failures == 2, 21);
  CHILD_CHECK(ao_geo_lookup(g, &x) == se, 22);
  int fd = open(t->path, O_WRONLY | O_APPEND);
  CHILD_CHECK(fd >= 0 && write(fd, a + na / 2, na - na / 2) ==
                             (ssize_t)(na - na / 2), 23);
  close(fd);
  CHILD_CHECK(ao_geo_refresh(g) == 1 && s->reloads == 2, 24);
  CHILD_CHECK(known_wrong(g) == 0, 25);
  /* 4. an ASN database copied over it: refused. */
  CHILD_CHECK(overwrite(t->path, asn, nasn) == 0, 26);
  CHILD_CHECK(ao_geo_refresh(g) == 0 && s->reload_failures == 3, 27);
  CHILD_CHECK(known_wrong(g) == 0, 28);
  /* 5. the longer one over the shorter (ASN) one: taken. */
  CHILD_CHECK(overwrite(t->path, b, nb) == 0, 29);
  CHILD_CHECK(ao_geo_refresh(g) == 1 && ao_geo_lookup(g, &x) == se, 30);
  CHILD_CHECK(s->errors == 0, 31);
  ao_geo_destroy(g);
  free(a);
  free(b);
  free(asn);
  _exit(0);
}

/* In-place cp of a shorter database over a longer one, truncate(0), a
 * partial write completed later, an ASN database copied over it, and a
 * longer one over a shorter one (reliability matrix C2, C3, C5): never a
 * crash, never a failed lookup, the old database answers until a valid new
 * one is complete. (test_geodb.c shows the same truncate kills a process
 * that maps the file itself.) */
static void test_inplace_overwrites(void **state) {
  fixture_t *f = *state;
  char *a = need_data("test-country.mmdb");
  char *asn = need_data("test-asn.mmdb");
  char *b = ao_test_mkmmdb(f->dir, "b", tsv_b, "--layout maxmind");
  char *path = ao_test_path(f->dir, "GeoLite2-Country.mmdb");
  install(a, path);
  inplace_t t = {path, a, b, asn};
  int st = run_child(inplace_sequence, &t, 60);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    fail_msg("in-place sequence: %s %d", WIFSIGNALED(st) ? "signal" : "step",
             WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
  free(path);
  free(b);
  free(asn);
  free(a);
}

typedef struct prefixes {
  const char *path, *src;
  size_t step;
  size_t tried, refused;
} prefixes_t;

static void prefix_sequence(void *arg) {
  prefixes_t *t = arg;
  size_t n;
  char *data = ao_test_slurp(t->src, &n);
  ao_geo_t *g = open_db(t->path, NULL, 0);
  const ao_geo_stats_t *s = ao_geo_stats(g);
  uint64_t fails = 0;
  for (size_t len = 1; len < n; len += t->step) {
    CHILD_CHECK(overwrite(t->path, data, len) == 0, 10);
    ao_geo_refresh(g);
    CHILD_CHECK(s->reloads == 0, 11); /* no prefix is ever taken */
    CHILD_CHECK(s->reload_failures == ++fails, 12);
    CHILD_CHECK(known_wrong(g) == 0, 13);
  }
  CHILD_CHECK(s->errors == 0, 14);
  ao_geo_destroy(g);
  free(data);
  _exit(0);
}

/* Every proper prefix of a database written in place (a copy in progress,
 * a full disk) is refused and the old database keeps answering (matrix
 * C3: the experiment had 3 of 201 prefixes open with libmaxminddb alone). */
static void test_every_prefix_refused(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *path = ao_test_path(f->dir, "db.mmdb");
  install(src, path);
  prefixes_t t = {path, src, under_valgrind() ? 97 : AO_SANITIZED ? 31 : 3, 0,
                  0};
  int st = run_child(prefix_sequence, &t, 600);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    fail_msg("prefixes: %s %d", WIFSIGNALED(st) ? "signal" : "step",
             WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
  free(path);
  free(src);
}

/* --- random corruption (matrix C4) ---------------------------------------- */

enum {
  T_REFUSED = 0,  /* refused at load, old answers intact */
  T_SAME,         /* accepted, every known answer right */
  T_DEGRADED,     /* accepted, some known address now ZZ (error/absent) */
  T_WRONG,        /* accepted, some known address in another country */
  T_UNCHANGED,    /* the random bytes equalled the old ones */
  T_BROKEN_OLD,   /* refused but the old answers changed: a bug */
  T_NOUTCOMES
};

typedef struct trial {
  ao_geo_t *g; /* loaded with the original, in the parent */
  const char *path;
  const char *bytes;
  size_t n;
} trial_t;

static void trial_child(void *arg) {
  const trial_t *t = arg;
  const ao_geo_stats_t *s = ao_geo_stats(t->g);
  if (overwrite(t->path, t->bytes, t->n) != 0)
    _exit(99);
  ao_geo_refresh(t->g);
  if (s->reload_failures > 0)
    _exit(known_wrong(t->g) == 0 ? T_REFUSED : T_BROKEN_OLD);
  if (s->reloads == 0)
    _exit(T_UNCHANGED);
  int zz = 0, other = 0;
  for (size_t i = 0; i < AO_ARRAY_SIZE(known); i++) {
    ao_ip_t ip = ipx(known[i].ip);
    ao_country_t got = ao_geo_lookup(t->g, &ip);
    if (got == C(known[i].cc))
      continue;
    if (got == AO_COUNTRY_ZZ)
      zz++;
    else
      other++;
  }
  _exit(other ? T_WRONG : zz ? T_DEGRADED : T_SAME);
}

typedef struct outcomes {
  int count[T_NOUTCOMES];
  int crashes, hangs, other, first_crash, trials;
} outcomes_t;

/* Runs `trials` forked trials, each writing orig with 4 random bytes in
 * [lo, hi) replaced over the loaded database in place. */
static void run_trials(ao_geo_t *g, const char *path, const char *orig,
                       size_t n, size_t lo, size_t hi, int trials,
                       uint64_t seed, outcomes_t *o) {
  memset(o, 0, sizeof(*o));
  o->first_crash = -1;
  o->trials = trials;
  char *bytes = malloc(n);
  assert_non_null(bytes);
  uint64_t rng = seed;
  for (int i = 0; i < trials; i++) {
    memcpy(bytes, orig, n);
    for (int k = 0; k < 4; k++) {
      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      bytes[lo + (rng >> 8) % (hi - lo)] = (char)(rng & 0xff);
    }
    trial_t t = {g, path, bytes, n};
    int st = run_child(trial_child, &t, 30);
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) {
      o->hangs++;
    } else if (WIFSIGNALED(st)) {
      o->crashes++;
      if (o->first_crash < 0)
        o->first_crash = i;
    } else if (WEXITSTATUS(st) < T_NOUTCOMES) {
      o->count[WEXITSTATUS(st)]++;
    } else {
      o->other++;
    }
  }
  free(bytes);
}

static void report_trials(const char *what, const outcomes_t *o) {
  int changed = o->trials - o->count[T_UNCHANGED];
  double d = changed ? changed / 100.0 : 1;
  print_message("corruption trials, %s: %d (%d changed the file): crashes "
                "%d, hangs %d, refused %d (%.1f%%), accepted with every "
                "answer right %d (%.1f%%), accepted with some answers ZZ %d "
                "(%.1f%%), accepted with a wrong country %d (%.1f%%)\n",
                what, o->trials, changed, o->crashes, o->hangs,
                o->count[T_REFUSED], o->count[T_REFUSED] / d,
                o->count[T_SAME], o->count[T_SAME] / d, o->count[T_DEGRADED],
                o->count[T_DEGRADED] / d, o->count[T_WRONG],
                o->count[T_WRONG] / d);
  if (o->crashes)
    fail_msg("%s: %d trials crashed (first: trial %d)", what, o->crashes,
             o->first_crash);
  assert_int_equal(o->hangs, 0);
  assert_int_equal(o->other, 0);
  assert_int_equal(o->count[T_BROKEN_OLD], 0);
}

/* Databases with 4 random bytes replaced are written in place over a
 * loaded one, one per forked trial, and the known addresses looked up:
 * first anywhere in the file, then only after the search tree (data
 * section and metadata, where a flipped letter turns one country into
 * another). Crashes and hangs must be 0 and a refused file must leave the
 * old answers intact; the other rates are reported (README, "GeoIP
 * database replaced while running"). AO_CORRUPT_TRIALS sets the number
 * of trials of the first run (default 1000; 100 in sanitized builds, 40
 * under valgrind; the second run has half as many); seeds are fixed. */
static void test_corruption_trials(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *path = ao_test_path(f->dir, "GeoLite2-Country.mmdb");
  size_t n;
  char *orig = ao_test_slurp(src, &n);
  int trials = under_valgrind() ? 40 : AO_SANITIZED ? 100 : 1000;
  if (getenv("AO_CORRUPT_TRIALS") != NULL)
    trials = atoi(getenv("AO_CORRUPT_TRIALS"));
  MMDB_s m;
  assert_int_equal(MMDB_open(src, MMDB_MODE_MMAP, &m), MMDB_SUCCESS);
  size_t data_start = (size_t)m.metadata.node_count *
                          (m.metadata.record_size / 4u) + 16u;
  MMDB_close(&m);
  assert_true(data_start < n);
  install(src, path);
  ao_geo_t *g = open_db(path, NULL, 0);
  assert_int_equal(known_wrong(g), 0);

  outcomes_t all, data;
  run_trials(g, path, orig, n, 0, n, trials, 0x9e3779b97f4a7c15u, &all);
  report_trials("anywhere", &all);
  run_trials(g, path, orig, n, data_start, n, trials / 2,
             0x2545f4914f6cdd1du, &data);
  report_trials("after the search tree", &data);
  /* Most random corruptions hit the tree and are caught there: if this
   * drops, validation regressed. */
  int changed = all.trials - all.count[T_UNCHANGED];
  assert_true(all.count[T_REFUSED] * 10 > changed * 9);
  ao_geo_destroy(g);
  free(orig);
  free(path);
  free(src);
}

/* --- identity -------------------------------------------------------------- */

static void set_mtime(const char *path, time_t when) {
  struct timespec ts[2] = {{when, 0}, {when, 0}};
  assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* geoipupdate with PreserveFileTimes 1 gives the new file the server's
 * (older) mtime: a different identity is a change, older or not (the
 * nginx geoip2 module compares "newer" and misses it). A touch or chmod
 * of the loaded file is a new identity with the same bytes: no reload. */
static void test_preserved_older_mtime_reloads(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *b = ao_test_mkmmdb(f->dir, "b", tsv_b, "--layout maxmind");
  char *path = ao_test_path(f->dir, "GeoLite2-Country.mmdb");
  install(src, path);
  set_mtime(path, 1700000000);
  ao_geo_t *g = open_db(path, NULL, 64);
  const ao_geo_stats_t *s = ao_geo_stats(g);

  char *tmp = ao_test_path(f->dir, "GeoLite2-Country.mmdb.temporary");
  size_t n;
  char *data = ao_test_slurp(b, &n);
  ao_test_write(tmp, data, n);
  set_mtime(tmp, 1600000000); /* older than the loaded file */
  assert_int_equal(rename(tmp, path), 0);
  assert_int_equal(ao_geo_refresh(g), 1);
  assert_int_equal(s->reloads, 1);
  EXPECT_CC(g, "81.2.69.160", "SE");

  /* In place, same inode, mtime put back to an older value. */
  free(data);
  data = ao_test_slurp(src, &n);
  assert_int_equal(overwrite(path, data, n), 0);
  set_mtime(path, 1500000000);
  assert_int_equal(ao_geo_refresh(g), 1);
  assert_int_equal(s->reloads, 2);
  EXPECT_CC(g, "81.2.69.160", "GB");

  /* touch and chmod: the same bytes, no reload, no failure. */
  set_mtime(path, 1800000000);
  assert_int_equal(chmod(path, 0600), 0);
  assert_int_equal(ao_geo_refresh(g), 0);
  assert_int_equal(s->reloads, 2);
  assert_int_equal(s->reload_failures, 0);
  assert_int_equal(ao_geo_refresh(g), 0);
  ao_geo_destroy(g);
  free(data);
  free(tmp);
  free(path);
  free(b);
  free(src);
}

/* geoipupdate writes <db>.temporary before renaming it: a half-written
 * one next to the database is never looked at. */
static void test_temporary_ignored(void **state) {
  fixture_t *f = *state;
  char *src = need_data("test-country.mmdb");
  char *path = ao_test_path(f->dir, "GeoLite2-Country.mmdb");
  install(src, path);
  ao_geo_t *g = open_db(path, NULL, 64);
  int base = cap.n;
  char *tmp = ao_test_path(f->dir, "GeoLite2-Country.mmdb.temporary");
  size_t n;
  char *data = ao_test_slurp(src, &n);
  for (size_t len = 0; len < n; len += n / 5) {
    ao_test_write(tmp, data, len);
    assert_int_equal(ao_geo_refresh(g), 0);
  }
  assert_int_equal(ao_geo_stats(g)->reload_failures, 0);
  assert_int_equal(ao_geo_stats(g)->reloads, 0);
  assert_int_equal(cap.n, base);
  assert_int_equal(known_wrong(g), 0);
  ao_geo_destroy(g);
  free(data);
  free(tmp);
  free(path);
  free(src);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_maxmind_layout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_city_db, setup, teardown),
      cmocka_unit_test_setup_teardown(test_flat_layout_detected, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_country_path, setup, teardown),
      cmocka_unit_test_setup_teardown(test_registered_country_fallback, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_invalid_iso_code, setup, teardown),
      cmocka_unit_test_setup_teardown(test_code_shapes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_absent_address, setup, teardown),
      cmocka_unit_test_setup_teardown(test_special_addresses, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cache_networks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ipv4_only_db, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_then_appears, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_missing_complained_once, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_default_paths, setup, teardown),
      cmocka_unit_test_setup_teardown(test_replace_by_rename, setup, teardown),
      cmocka_unit_test_setup_teardown(test_garbage_keeps_old, setup, teardown),
      cmocka_unit_test_setup_teardown(test_garbage_at_create, setup, teardown),
      cmocka_unit_test_setup_teardown(test_asn_rejected, setup, teardown),
      cmocka_unit_test_setup_teardown(test_database_type_rule, setup, teardown),
      cmocka_unit_test_setup_teardown(test_not_a_regular_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_removed_keeps_loaded, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_invalid_options, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inplace_overwrites, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_every_prefix_refused, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_corruption_trials, setup, teardown),
      cmocka_unit_test_setup_teardown(test_preserved_older_mtime_reloads,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_temporary_ignored, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
