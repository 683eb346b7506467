/*
 * test_rate.c - brute force by rate (ao_rate).
 *
 *   - which records are candidate events (401, 403 and failed form POSTs on
 *     login endpoints, sshd failures, 404s that are not static assets);
 *   - the threshold semantics: the event that fills the bucket and the
 *     later ones count, the earlier ones do not, a slow trickle never
 *     trips, the address calms down after the window;
 *   - log time, not read time: a backlog read at once keeps its rate;
 *     timestamps in CLF, ISO 8601, syslog and Unix forms; unparsable ones
 *     fall back to read time and are counted;
 *   - distinct 404 paths; the bounded table and its eviction counter.
 */
#include "ao_test.h"

#include "ao_rate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const uint8_t seed[16] = {1, 2, 3, 4, 5, 6, 7, 8,
                                 9, 10, 11, 12, 13, 14, 15, 16};

static ao_slice_t sl(const char *s) { return (ao_slice_t){s, strlen(s)}; }

static ao_record_t rec_of(const char *method, const char *target, int status,
                          const char *time) {
  ao_record_t r;
  memset(&r, 0, sizeof(r));
  r.method = sl(method);
  r.target = sl(target);
  r.status = status;
  r.time = sl(time);
  return r;
}

static ao_ip_t ip_of(const char *s) {
  ao_ip_t ip;
  assert_int_equal(ao_ip_parse(s, strlen(s), &ip), 0);
  return ip;
}

static ao_rate_t *make(unsigned attempts, unsigned notfound, double window,
                       size_t cap) {
  ao_rate_config_t c = {attempts, notfound, window, cap};
  ao_err_t err;
  ao_rate_t *r = ao_rate_create(&c, seed, &err);
  assert_non_null(r);
  return r;
}

/* "10/Oct/2026:13:55:36 +0000" shifted by s seconds */
static const char *clf(int s, char *buf, size_t n) {
  int h = 13 + s / 3600, m = (s / 60) % 60, sec = s % 60;
  snprintf(buf, n, "10/Oct/2026:%02d:%02d:%02d +0000", h, m, sec);
  return buf;
}

static void test_kinds(void **state) {
  (void)state;
  ao_rate_t *r = make(5, 20, 600, 64);
  ao_record_t a = rec_of("GET", "/admin", 401, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_AUTH);
  a = rec_of("GET", "/wp-login.php", 403, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_AUTH);
  a = rec_of("GET", "/private/report.pdf", 403, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NONE); /* no login page */
  a = rec_of("POST", "/login_form", 200, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_AUTH); /* form re-rendered */
  a = rec_of("GET", "/login_form", 200, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NONE); /* just the form */
  a = rec_of("POST", "/user/login", 302, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NONE); /* success */
  a = rec_of("POST", "/api/auth?x=1", 422, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_AUTH);
  a = rec_of("POST", "/author/john", 200, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NONE); /* "auth" in a word */
  a = rec_of("GET", "/nothing-here", 404, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NOTFOUND);
  a = rec_of("GET", "/img/logo.PNG?v=2", 404, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NONE); /* a static asset */
  a = rec_of("GET", "/favicon.ico", 404, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NONE);
  a = rec_of("", "", -1, "");
  a.flags = AO_REC_AUTH_FAILURE; /* sshd */
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_AUTH);
  a = rec_of("GET", "/", 200, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NONE);
  ao_rate_destroy(r);
  /* either bucket can be switched off */
  r = make(0, 20, 600, 64);
  a = rec_of("GET", "/admin", 401, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NONE);
  ao_rate_destroy(r);
  r = make(5, 0, 600, 64);
  a = rec_of("GET", "/x", 404, "");
  assert_int_equal(ao_rate_kind(r, &a), AO_RATE_NONE);
  ao_rate_destroy(r);
  assert_true(ao_rate_login_path(sl("/oauth/token")));
  assert_true(ao_rate_login_path(sl("/xmlrpc.php")));
  assert_false(ao_rate_login_path(sl("/blog/authors")));
}

/* The word lists read the obvious way, one word and one position at a
 * time: the oracle for the one-pass reading in ao_rate.c. */
static int o_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int o_at(const char *s, size_t n, size_t i, const char *w) {
  size_t k = strlen(w);
  if (i + k > n)
    return 0;
  for (size_t j = 0; j < k; j++)
    if (o_lower((unsigned char)s[i + j]) != w[j])
      return 0;
  return 1;
}
static int o_has(const char *s, size_t n, const char *const *w) {
  for (; *w != NULL; w++)
    for (size_t i = 0; i < n; i++)
      if (o_at(s, n, i, *w))
        return 1;
  return 0;
}
static int o_is(const char *s, size_t n, const char *const *w) {
  for (; *w != NULL; w++)
    if (strlen(*w) == n && o_at(s, n, 0, *w))
      return 1;
  return 0;
}
static size_t o_path(const char *t) { return strcspn(t, "?#"); }
static int o_login(const char *t) {
  static const char *const names[] = {
      "login",   "logon",        "log-in",     "log_in",           "signin",
      "sign-in", "sign_in",      "authenticate", "xmlrpc.php",
      "j_security_check", NULL};
  static const char *const segs[] = {"auth", "session", "sessions", "token",
                                     "oauth", NULL};
  size_t n = o_path(t);
  if (o_has(t, n, names))
    return 1;
  for (size_t b = 0; b < n; b++)
    if ((b == 0 || t[b - 1] == '/') && t[b] != '/') {
      size_t e = b;
      while (e < n && t[e] != '/')
        e++;
      if (o_is(t + b, e - b, segs))
        return 1;
    }
  return 0;
}
static int o_asset(const char *t) {
  static const char *const icons[] = {"favicon", "apple-touch-icon", NULL};
  static const char *const ext[] = {
      "png", "jpg",  "jpeg", "gif",  "svg",   "ico", "webp", "avif",
      "bmp", "css",  "js",   "mjs",  "map",   "woff", "woff2", "ttf",
      "eot", "otf",  "mp4",  "webm", "mp3",   "ogg", NULL};
  size_t n = o_path(t), b = n;
  while (b > 0 && t[b - 1] != '/')
    b--;
  if (o_has(t + b, n - b, icons))
    return 1;
  const char *dot = NULL;
  for (size_t i = b; i < n; i++)
    if (t[i] == '.')
      dot = t + i;
  return dot != NULL && o_is(dot + 1, (size_t)(t + n - dot - 1), ext);
}

/* Random targets made of the words, their near misses, separators and
 * other bytes, in any case: which targets are login endpoints (403) and
 * which 404s are static assets agree with the oracle, and both answers
 * occur often. */
static void test_words_against_oracle(void **state) {
  (void)state;
  static const char *const parts[] = {
      "/",      "//",     "login", "LOGON", "log-in", "Log_In", "signIn",
      "sign-",  "sign_in", "authenticat", "authenticate", "xmlrpc.php",
      "j_security_check", "auth", "AUTH", "session", "sessions", "token",
      "oauth", "author", "fav", "favicon", "apple-touch-icon", ".png",
      ".PNG", ".woff2", ".js", ".json", ".", "?", "#", "x", "lo", "s", "a",
      "j", "\x80", "%2f", "-", "_"};
  ao_rate_t *r = make(5, 20, 600, 64);
  uint64_t x = 0x243f6a8885a308d3ull;
  size_t login = 0, asset = 0;
  for (int round = 0; round < 60000; round++) {
    char t[256] = "";
    int nparts = 1 + (int)((x >> 7) % 7);
    for (int k = 0; k < nparts; k++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      strcat(t, parts[x % (sizeof(parts) / sizeof(parts[0]))]);
    }
    ao_record_t rec = rec_of("GET", t, 403, "");
    int want = o_login(t);
    if ((ao_rate_kind(r, &rec) == AO_RATE_AUTH) != want)
      fail_msg("login endpoint \"%s\": expected %d", t, want);
    login += (size_t)want;
    rec.status = 404;
    want = o_asset(t);
    if ((ao_rate_kind(r, &rec) == AO_RATE_NONE) != want)
      fail_msg("static asset \"%s\": expected %d", t, want);
    asset += (size_t)want;
  }
  assert_true(login > 5000 && login < 55000);
  assert_true(asset > 5000 && asset < 55000);
  ao_rate_destroy(r);
}

/* The 5th failure within the window and those after it are bruteforce;
 * the first four are not. Then the address calms down. */
static void test_threshold(void **state) {
  (void)state;
  ao_rate_t *r = make(5, 20, 600, 64);
  ao_ip_t ip = ip_of("198.51.100.7");
  char t[64];
  int got[8];
  for (int i = 0; i < 8; i++) {
    ao_record_t a = rec_of("POST", "/login", 401, clf(i * 10, t, sizeof t));
    got[i] = ao_rate_event(r, &ip, &a, AO_RATE_AUTH, 0);
  }
  int want[8] = {0, 0, 0, 0, 1, 1, 1, 1};
  assert_memory_equal(got, want, sizeof(got));
  /* another address is not affected */
  ao_ip_t other = ip_of("2001:db8::1");
  ao_record_t b = rec_of("POST", "/login", 401, clf(90, t, sizeof t));
  assert_false(ao_rate_event(r, &other, &b, AO_RATE_AUTH, 0));
  /* still hot 5 minutes later (the bucket has not run empty)... */
  ao_record_t c = rec_of("POST", "/login", 401, clf(70 + 300, t, sizeof t));
  assert_true(ao_rate_event(r, &ip, &c, AO_RATE_AUTH, 0));
  /* ...calm after a whole window of silence: a new failure is a user's */
  ao_record_t d = rec_of("POST", "/login", 401, clf(370 + 601, t, sizeof t));
  assert_false(ao_rate_event(r, &ip, &d, AO_RATE_AUTH, 0));
  const ao_rate_stats_t *st = ao_rate_stats(r);
  assert_int_equal(st->events, 11);
  assert_int_equal(st->bruteforce, 5);
  assert_int_equal(st->time_fallbacks, 0);
  ao_rate_destroy(r);
}

/* One failure every three minutes leaks away as fast as it comes (5 per
 * 600 s leak one per 120 s... a trickle below that never trips). */
static void test_slow_trickle(void **state) {
  (void)state;
  ao_rate_t *r = make(5, 20, 600, 64);
  ao_ip_t ip = ip_of("203.0.113.9");
  char t[64];
  int any = 0;
  for (int i = 0; i < 30; i++) {
    ao_record_t a = rec_of("POST", "/login", 401, clf(i * 180, t, sizeof t));
    any |= ao_rate_event(r, &ip, &a, AO_RATE_AUTH, 0);
  }
  assert_false(any);
  ao_rate_destroy(r);
}

/* A backlog read at once (same read time for every line) keeps the rate it
 * had when it was written: log time decides, so a day's worth of rare
 * failures is no burst, and a real burst in it is. */
static void test_backlog_uses_log_time(void **state) {
  (void)state;
  ao_rate_t *r = make(5, 20, 600, 64);
  ao_ip_t ip = ip_of("192.0.2.44");
  char t[64];
  double read_now = 1.9e9; /* the same for every line */
  int any = 0;
  for (int i = 0; i < 10; i++) {
    ao_record_t a =
        rec_of("POST", "/login", 401, clf(i * 1000, t, sizeof t));
    any |= ao_rate_event(r, &ip, &a, AO_RATE_AUTH, read_now);
  }
  assert_false(any);
  /* timed by read time alone, the same ten lines would be a burst */
  ao_rate_t *r2 = make(5, 20, 600, 64);
  int burst = 0;
  for (int i = 0; i < 10; i++) {
    ao_record_t a = rec_of("POST", "/login", 401, "not a time");
    burst |= ao_rate_event(r2, &ip, &a, AO_RATE_AUTH, read_now);
  }
  assert_true(burst);
  assert_int_equal(ao_rate_stats(r2)->time_fallbacks, 10);
  ao_rate_destroy(r);
  ao_rate_destroy(r2);
}

/* Timestamps a little out of order (several writers) never leak a
 * negative amount. */
static void test_out_of_order(void **state) {
  (void)state;
  ao_rate_t *r = make(3, 20, 600, 64);
  ao_ip_t ip = ip_of("192.0.2.45");
  char t[64];
  int s[] = {100, 90, 95, 80};
  int got = 0;
  for (size_t i = 0; i < 4; i++) {
    ao_record_t a = rec_of("GET", "/admin", 401, clf(s[i], t, sizeof t));
    got += ao_rate_event(r, &ip, &a, AO_RATE_AUTH, 0);
  }
  assert_int_equal(got, 2); /* the 3rd and 4th */
  ao_rate_destroy(r);
}

/* 404s count once per distinct path. */
static void test_distinct_404(void **state) {
  (void)state;
  ao_rate_t *r = make(5, 4, 60, 64);
  ao_ip_t ip = ip_of("192.0.2.46");
  char t[64];
  for (int i = 0; i < 10; i++) {
    ao_record_t a = rec_of("GET", "/same-missing-page", 404,
                           clf(i, t, sizeof t));
    assert_false(ao_rate_event(r, &ip, &a, AO_RATE_NOTFOUND, 0));
  }
  static const char *const paths[] = {"/a", "/b", "/c", "/d", "/e", "/a?x=1"};
  /* the first 404 above has leaked away; "/d" is the 4th distinct path;
   * "/a?x=1" is "/a" again: not counted */
  int want[] = {0, 0, 0, 1, 1, 0};
  for (int i = 0; i < 6; i++) {
    ao_record_t a = rec_of("GET", paths[i], 404, clf(20 + i, t, sizeof t));
    assert_int_equal(ao_rate_event(r, &ip, &a, AO_RATE_NOTFOUND, 0),
                     want[i]);
  }
  ao_rate_destroy(r);
}

static void test_time_forms(void **state) {
  (void)state;
  double v = 0, now = 1791590400.0; /* 2026-10-10 00:00:00 UTC */
  assert_int_equal(
      ao_rate_parse_time(sl("10/Oct/2026:13:55:36 +0000"), now, &v), 0);
  assert_true(v == 1791640536.0);
  assert_int_equal(
      ao_rate_parse_time(sl("[10/Oct/2026:15:55:36 +0200]"), now, &v), 0);
  assert_true(v == 1791640536.0);
  assert_int_equal(ao_rate_parse_time(sl("2026-10-10T13:55:36Z"), now, &v), 0);
  assert_true(v == 1791640536.0);
  assert_int_equal(
      ao_rate_parse_time(sl("2026-10-10 14:55:36.500+01:00"), now, &v), 0);
  assert_true(v == 1791640536.5);
  assert_int_equal(ao_rate_parse_time(sl("Oct 10 13:55:36"), now, &v), 0);
  assert_true(v == 1791640536.0);
  assert_int_equal(ao_rate_parse_time(sl("Oct  9 13:55:36"), now, &v), 0);
  assert_true(v == 1791640536.0 - 86400);
  /* December's syslog lines read in January belong to last year */
  double jan = 1798761600.0 + 3600; /* 2027-01-01 01:00 UTC */
  assert_int_equal(ao_rate_parse_time(sl("Dec 31 23:00:00"), jan, &v), 0);
  assert_true(v == 1798761600.0 - 3600);
  assert_int_equal(ao_rate_parse_time(sl("1791640536"), now, &v), 0);
  assert_true(v == 1791640536.0);
  assert_int_equal(ao_rate_parse_time(sl("1791640536250"), now, &v), 0);
  assert_true(v == 1791640536.25);
  static const char *const bad[] = {"",
                                    "-",
                                    "yesterday",
                                    "10/Foo/2026:13:55:36 +0000",
                                    "10/Oct/2026:25:55:36 +0000",
                                    "2026-13-10T13:55:36Z",
                                    "12345"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(ao_rate_parse_time(sl(bad[i]), now, &v), -1);
}

/* ao_rate_time() (a memo of the last stamp) gives what the parser gives,
 * on a walk through stamps of every form that keeps changing one field or
 * several: seconds only (the memo's case), minutes, hours, days, zones,
 * fractions, seconds 60 and bad digits, and stamps the memo never keeps
 * (syslog, which depends on now; Unix seconds). */
static void test_time_memo_same_as_parser(void **state) {
  (void)state;
  ao_rate_t *r = make(5, 20, 600, 64);
  static const char *const zones[] = {"+0000", "-0130", "+0200"};
  static const char *const mons[] = {"Jan", "Feb", "Oct", "Dec"};
  double now = 1791590400.0;
  uint64_t x = 0x2545f4914f6cdd1dull;
  unsigned form = 0, d = 10, mon = 2, h = 13, mi = 55, se = 36, zone = 0;
  int parsed = 0;
  for (int i = 0; i < 50000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    unsigned v = (unsigned)(x >> 20);
    switch ((x >> 8) % 16) { /* mostly the seconds move */
    case 0: mi = v % 60; break;
    case 1: h = v % 24; break;
    case 2: d = 1 + v % 28; break;
    case 3: mon = v % 4; break;
    case 4: zone = v % 3; break;
    case 5: form = v % 6; break;
    default: se = v % 64; break; /* 60..63: a leap second, then invalid */
    }
    char t[64];
    switch (form) {
    case 0:
      snprintf(t, sizeof(t), "[%02u/%s/2026:%02u:%02u:%02u %s]", d, mons[mon],
               h, mi, se, zones[zone]);
      break;
    case 1:
      snprintf(t, sizeof(t), "%02u/%s/2026:%02u:%02u:%02u %s", d, mons[mon], h,
               mi, se, zones[zone]);
      break;
    case 2:
      snprintf(t, sizeof(t), "2026-10-%02uT%02u:%02u:%02u.%uZ", d, h, mi, se,
               zone);
      break;
    case 3: /* a bad seconds digit */
      snprintf(t, sizeof(t), "%02u/%s/2026:%02u:%02u:%cx %s", d, mons[mon], h,
               mi, '0' + (int)(se % 6), zones[zone]);
      break;
    case 4: /* syslog: depends on now, never kept */
      snprintf(t, sizeof(t), "Oct %2u %02u:%02u:%02u", d, h, mi, se % 60);
      now += 86400.0 * 40;
      break;
    default:
      snprintf(t, sizeof(t), "%u", 1791640536u + se);
      break;
    }
    double a = -1, b = -2;
    int ra = ao_rate_parse_time(sl(t), now, &a);
    int rb = ao_rate_time(r, sl(t), now, &b);
    if (ra != rb || (ra == 0 && a != b))
      fail_msg("%s: parser %d %.3f, memo %d %.3f", t, ra, a, rb, b);
    parsed += ra == 0;
  }
  assert_true(parsed > 30000);
  ao_rate_destroy(r);
}

/* The table is bounded: more addresses than capacity evict (counted), a
 * hot address outlives calm ones in its set. */
static void test_bounded(void **state) {
  (void)state;
  ao_rate_t *r = make(2, 20, 600, 8);
  assert_int_equal(ao_rate_capacity(r), 8);
  char t[64], a[64];
  ao_ip_t hot = ip_of("198.51.100.200");
  for (int i = 0; i < 3; i++) {
    ao_record_t e = rec_of("GET", "/admin", 401, clf(i, t, sizeof t));
    ao_rate_event(r, &hot, &e, AO_RATE_AUTH, 0);
  }
  for (int i = 0; i < 1000; i++) {
    snprintf(a, sizeof a, "10.%d.%d.1", i / 200, i % 200);
    ao_ip_t ip = ip_of(a);
    ao_record_t e = rec_of("GET", "/admin", 401, clf(10 + i % 50, t, sizeof t));
    ao_rate_event(r, &ip, &e, AO_RATE_AUTH, 0);
  }
  assert_true(ao_rate_tracked(r) <= 8);
  assert_true(ao_rate_stats(r)->evictions >= 1000 - 8);
  ao_record_t e = rec_of("GET", "/admin", 401, clf(100, t, sizeof t));
  assert_true(ao_rate_event(r, &hot, &e, AO_RATE_AUTH, 0));
  ao_rate_destroy(r);
}

/* A syslog stamp gets the year of now in UTC (the year before when that
 * puts it more than a day ahead), computed without gmtime_r(): compared
 * with the year gmtime_r() gives, through the same date in ISO form, at
 * random times from 1971 to 9998 and a second either side of every New
 * Year from 1971 to 2200. (Both forms refuse years before 1970; a 29
 * February outside a leap year is the 1 March of both.) */
static void check_syslog_year(double now) {
  time_t tn = (time_t)now;
  struct tm tm;
  assert_non_null(gmtime_r(&tn, &tm));
  static const char *const stamps[][2] = {
      {"Jan  1 00:00:00", "01-01T00:00:00Z"},
      {"Feb 29 12:00:00", "02-29T12:00:00Z"},
      {"Jun 15 08:30:00", "06-15T08:30:00Z"},
      {"Dec 31 23:59:59", "12-31T23:59:59Z"},
  };
  for (size_t k = 0; k < sizeof(stamps) / sizeof(stamps[0]); k++) {
    double want, got;
    char iso[40];
    int y = tm.tm_year + 1900;
    snprintf(iso, sizeof(iso), "%d-%s", y, stamps[k][1]);
    int iso_rc = ao_rate_parse_time(sl(iso), now, &want);
    if (iso_rc == 0 && want > now + 86400) {
      snprintf(iso, sizeof(iso), "%d-%s", y - 1, stamps[k][1]);
      iso_rc = ao_rate_parse_time(sl(iso), now, &want);
    }
    int rc = ao_rate_parse_time(sl(stamps[k][0]), now, &got);
    assert_int_equal(rc, 0);
    assert_int_equal(iso_rc, 0);
    if (got != want)
      fail_msg("now %.0f (%d): %s gives %.0f, %s %.0f", now, y, stamps[k][0],
               got, iso, want);
  }
}

static void test_syslog_year(void **state) {
  (void)state;
  uint64_t x = 0x243f6a8885a308d3ull;
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    /* 1971-01-01 to 9998-12-31 */
    check_syslog_year(31536000.0 + (double)(x % 253339228800ull));
  }
  for (int y = 1971; y <= 2200; y++) {
    char iso[40];
    double ny;
    snprintf(iso, sizeof(iso), "%d-01-01T00:00:00Z", y);
    assert_int_equal(ao_rate_parse_time(sl(iso), 0, &ny), 0);
    for (int d = -1; d <= 1; d++)
      check_syslog_year(ny + d);
  }
  /* AO_RATE_NOW reads the clock: the same as the time read around it
   * (unless a year ended in between) */
  double before = ao_now_wall(), v_now, v_before;
  assert_int_equal(ao_rate_parse_time(sl("Oct 10 13:55:36"), AO_RATE_NOW,
                                      &v_now),
                   0);
  assert_int_equal(
      ao_rate_parse_time(sl("Oct 10 13:55:36"), before, &v_before), 0);
  double after = ao_now_wall(), v_after;
  assert_int_equal(ao_rate_parse_time(sl("Oct 10 13:55:36"), after, &v_after),
                   0);
  if (v_before == v_after)
    assert_true(v_now == v_before);
}

/* With AO_RATE_NOW, an event whose stamp does not parse happens when it is
 * read (the clock), like one given that time: a bucket filled an hour ago
 * (log time) has leaked by then, so the next failure does not trip it. */
static void test_fallback_reads_clock(void **state) {
  (void)state;
  ao_rate_t *r = make(3, 0, 60, 64);
  ao_ip_t ip = ip_of("192.0.2.7");
  double now = ao_now_wall();
  char iso[40];
  long hour_ago = (long)now - 3600;
  snprintf(iso, sizeof(iso), "%ld", hour_ago); /* Unix seconds */
  ao_record_t a = rec_of("GET", "/admin", 401, iso);
  assert_false(ao_rate_event(r, &ip, &a, AO_RATE_AUTH, AO_RATE_NOW));
  assert_false(ao_rate_event(r, &ip, &a, AO_RATE_AUTH, AO_RATE_NOW));
  ao_record_t bad = rec_of("GET", "/admin", 401, "not a time");
  assert_false(ao_rate_event(r, &ip, &bad, AO_RATE_AUTH, AO_RATE_NOW));
  assert_int_equal(ao_rate_stats(r)->time_fallbacks, 1);
  /* the same three in one burst trip it */
  ao_ip_t other = ip_of("192.0.2.8");
  assert_false(ao_rate_event(r, &other, &a, AO_RATE_AUTH, AO_RATE_NOW));
  assert_false(ao_rate_event(r, &other, &a, AO_RATE_AUTH, AO_RATE_NOW));
  assert_true(ao_rate_event(r, &other, &a, AO_RATE_AUTH, AO_RATE_NOW));
  ao_rate_destroy(r);
}

static void test_create_errors(void **state) {
  (void)state;
  ao_err_t err;
  ao_rate_config_t c = {5, 20, 600, 0};
  assert_null(ao_rate_create(&c, NULL, &err));
  assert_non_null(strstr(err.msg, "capacity"));
  c.capacity = 16;
  c.window = 0;
  assert_null(ao_rate_create(&c, NULL, &err));
  c.window = 60;
  ao_rate_t *r = ao_rate_create(&c, NULL, &err); /* random seed */
  assert_non_null(r);
  ao_rate_destroy(r);
  ao_rate_destroy(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_words_against_oracle),
      cmocka_unit_test(test_threshold),
      cmocka_unit_test(test_slow_trickle),
      cmocka_unit_test(test_backlog_uses_log_time),
      cmocka_unit_test(test_out_of_order),
      cmocka_unit_test(test_distinct_404),
      cmocka_unit_test(test_time_forms),
      cmocka_unit_test(test_time_memo_same_as_parser),
      cmocka_unit_test(test_syslog_year),
      cmocka_unit_test(test_fallback_reads_clock),
      cmocka_unit_test(test_bounded),
      cmocka_unit_test(test_create_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
