/*
 * ao_rate.c - brute force by rate (see ao_rate.h).
 */
#include "ao_rate.h"

#include "ao_bytescan.h"

#include "ao_siphash.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* getrandom() is in glibc since 2.25; elsewhere /dev/urandom does. */
#if defined(__linux__) && defined(__GLIBC__)
#if __GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 25)
#include <sys/random.h>
#define AO_HAVE_GETRANDOM 1
#endif
#endif

#define WAYS 4
#define RECENT 16 /* distinct 404 paths remembered per address */
#define MAX_CAPACITY ((size_t)1 << 24)

typedef struct entry {
  uint8_t key[16];
  uint8_t used;
  uint8_t hot;
  uint8_t nrecent; /* valid entries of recent[] */
  uint8_t pos;     /* next slot of recent[] */
  float auth;      /* bucket levels */
  float nf;
  double last;     /* log time of the last event */
  uint32_t recent[RECENT];
} entry_t;

#define AO_RATE_TIME_MEMO 48 /* longest stamp memoised */

struct ao_rate {
  ao_rate_config_t cfg;
  entry_t *e;
  size_t sets, ways, mask;
  size_t tracked;
  uint8_t seed[16];
  ao_rate_stats_t st;
  /* the set ao_rate_prefetch() hashed last, so lookup() need not hash the
   * same address again */
  uint8_t pf_key[16];
  size_t pf_set;
  int pf_valid;
  /* ao_rate_time()'s memo: the stamp, where its seconds are, its value */
  char tm_text[AO_RATE_TIME_MEMO];
  size_t tm_n, tm_sec; /* tm_n 0: empty */
  double tm_value;
};

/* --- seeding -------------------------------------------------------------- */

/* The seed only has to be unpredictable to whoever writes the logs. */
static void draw_seed(uint8_t seed[16]) {
  size_t got = 0;
#ifdef AO_HAVE_GETRANDOM
  while (got < 16) {
    ssize_t k = getrandom(seed + got, 16 - got, GRND_NONBLOCK);
    if (k > 0)
      got += (size_t)k;
    else if (k < 0 && errno == EINTR)
      continue;
    else
      break;
  }
  if (got == 16)
    return;
#endif
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    while (got < 16) {
      ssize_t k = read(fd, seed + got, 16 - got);
      if (k <= 0)
        break;
      got += (size_t)k;
    }
    close(fd);
  }
  if (got < 16) {
    /* no entropy source: still a per-process key, not a constant */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
                 (uint64_t)getpid() << 17 ^ (uint64_t)(uintptr_t)seed;
    for (size_t i = got; i < 16; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      seed[i] = (uint8_t)x;
    }
  }
}

/* --- create / destroy ----------------------------------------------------- */

ao_rate_t *ao_rate_create(const ao_rate_config_t *cfg, const uint8_t seed[16],
                          ao_err_t *err) {
  if (cfg->capacity == 0 || cfg->capacity > MAX_CAPACITY) {
    ao_err_set(err, "brute force table: capacity %zu out of range (1 to %zu)",
               cfg->capacity, MAX_CAPACITY);
    return NULL;
  }
  if (!(cfg->window > 0) || !isfinite(cfg->window)) {
    ao_err_set(err, "brute force window %g must be positive", cfg->window);
    return NULL;
  }
  ao_rate_t *r = calloc(1, sizeof(*r));
  if (r == NULL) {
    ao_err_set(err, "out of memory");
    return NULL;
  }
  r->cfg = *cfg;
  size_t cap = 1;
  while (cap < cfg->capacity)
    cap <<= 1;
  r->ways = cap >= WAYS ? WAYS : cap;
  r->sets = cap / r->ways;
  r->mask = r->sets - 1;
  r->e = calloc(cap, sizeof(*r->e));
  if (r->e == NULL) {
    free(r);
    ao_err_set(err, "out of memory (brute force table of %zu addresses)", cap);
    return NULL;
  }
  if (seed != NULL)
    memcpy(r->seed, seed, sizeof(r->seed));
  else
    draw_seed(r->seed);
  return r;
}

void ao_rate_destroy(ao_rate_t *r) {
  if (r == NULL)
    return;
  free(r->e);
  free(r);
}

const ao_rate_stats_t *ao_rate_stats(const ao_rate_t *r) { return &r->st; }
size_t ao_rate_tracked(const ao_rate_t *r) { return r->tracked; }
size_t ao_rate_capacity(const ao_rate_t *r) { return r->sets * r->ways; }

/* --- what is a candidate event -------------------------------------------- */

static unsigned char lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Case-insensitive: s[0..k) is the lower-case w[0..k). */
static int ieq(const char *s, const char *w, size_t k) {
  for (size_t j = 0; j < k; j++)
    if (lower((unsigned char)s[j]) != (unsigned char)w[j])
      return 0;
  return 1;
}

/* Case-insensitive: does s[0..n) contain one of the words (each starting
 * with a letter a-z)? One pass over s: only at a byte that starts some
 * word are the words compared. */
static int has_any(const char *s, size_t n, const ao_lit_t *w, size_t nw) {
  uint32_t firsts = 0;
  for (size_t k = 0; k < nw; k++)
    firsts |= 1u << ((unsigned char)w[k].s[0] - 'a');
  for (size_t i = 0; i < n; i++) {
    unsigned c = (unsigned)lower((unsigned char)s[i]) - 'a';
    if (c >= 26 || !((firsts >> c) & 1u))
      continue;
    for (size_t k = 0; k < nw; k++)
      if ((unsigned)(unsigned char)w[k].s[0] - (unsigned)'a' == c &&
          w[k].n <= n - i &&
          ieq(s + i, w[k].s, w[k].n))
        return 1;
  }
  return 0;
}

/* Case-insensitive: is s[0..n) one of the words? */
static int is_any(const char *s, size_t n, const ao_lit_t *w, size_t nw) {
  for (size_t k = 0; k < nw; k++)
    if (w[k].n == n && ieq(s, w[k].s, n))
      return 1;
  return 0;
}

/* The path: the target up to its query or fragment. */
static size_t path_len(ao_slice_t t) { return ao_find2(t.p, t.n, '?', '#'); }

int ao_rate_login_path(ao_slice_t target) {
  size_t n = path_len(target);
  const char *p = target.p;
  static const ao_lit_t names[] = {
      AO_LIT("login"),           AO_LIT("logon"),        AO_LIT("log-in"),
      AO_LIT("log_in"),          AO_LIT("signin"),       AO_LIT("sign-in"),
      AO_LIT("sign_in"),         AO_LIT("authenticate"), AO_LIT("xmlrpc.php"),
      AO_LIT("j_security_check")};
  if (has_any(p, n, names, AO_ARRAY_SIZE(names)))
    return 1;
  /* a whole segment: /auth, /api/session, /oauth/token */
  static const ao_lit_t segs[] = {AO_LIT("auth"), AO_LIT("session"),
                                  AO_LIT("sessions"), AO_LIT("token"),
                                  AO_LIT("oauth")};
  for (size_t i = 0; i < n;) {
    while (i < n && p[i] == '/')
      i++;
    size_t b = i;
    i += ao_find1(p + i, n - i, '/');
    if (is_any(p + b, i - b, segs, AO_ARRAY_SIZE(segs)))
      return 1;
  }
  return 0;
}

/* Static assets: a page with missing images is no scan. */
static int static_asset(ao_slice_t target) {
  size_t n = path_len(target);
  size_t b = ao_after_last1(target.p, n, '/');
  const char *name = target.p + b;
  size_t len = n - b;
  static const ao_lit_t icons[] = {AO_LIT("favicon"),
                                   AO_LIT("apple-touch-icon")};
  if (has_any(name, len, icons, AO_ARRAY_SIZE(icons)))
    return 1;
  size_t d = len;
  while (d > 0 && name[d - 1] != '.')
    d--;
  if (d == 0)
    return 0;
  static const ao_lit_t ext[] = {
      AO_LIT("png"), AO_LIT("jpg"),  AO_LIT("jpeg"),  AO_LIT("gif"),
      AO_LIT("svg"), AO_LIT("ico"),  AO_LIT("webp"),  AO_LIT("avif"),
      AO_LIT("bmp"), AO_LIT("css"),  AO_LIT("js"),    AO_LIT("mjs"),
      AO_LIT("map"), AO_LIT("woff"), AO_LIT("woff2"), AO_LIT("ttf"),
      AO_LIT("eot"), AO_LIT("otf"),  AO_LIT("mp4"),   AO_LIT("webm"),
      AO_LIT("mp3"), AO_LIT("ogg")};
  return is_any(name + d, len - d, ext, AO_ARRAY_SIZE(ext));
}

int ao_rate_kind(const ao_rate_t *r, const ao_record_t *rec) {
  if (rec->flags & AO_REC_AUTH_FAILURE)
    return r->cfg.auth_attempts ? AO_RATE_AUTH : AO_RATE_NONE;
  int st = rec->status;
  if (st == 404)
    return r->cfg.notfound && !static_asset(rec->target) ? AO_RATE_NOTFOUND
                                                          : AO_RATE_NONE;
  if (r->cfg.auth_attempts == 0)
    return AO_RATE_NONE;
  if (st == 401)
    return AO_RATE_AUTH;
  if (st != 403 && st != 200 && st != 422)
    return AO_RATE_NONE;
  /* a form login answered 200/422 failed when it was a POST (checked
   * first: most lines are GETs answered 200) */
  if (st != 403 && (rec->method.n == 0 || ao_slice_ieq(rec->method, "GET") ||
                    ao_slice_ieq(rec->method, "HEAD")))
    return AO_RATE_NONE;
  return ao_rate_login_path(rec->target) ? AO_RATE_AUTH : AO_RATE_NONE;
}

/* --- time ------------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

/* The year of day z, counted in days from 1970-01-01 (proleptic
 * Gregorian): days_from_civil() backwards, as far as the year. What
 * gmtime_r() gives in tm_year + 1900, without its call on every syslog
 * stamp. */
static int64_t year_of_day(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153; /* months from March */
  return (int64_t)yoe + era * 400 + (mp >= 10); /* January, February */
}

/* A reading time as given, or the clock's for AO_RATE_NOW. */
static double reading_time(double now) {
  return now >= 0 ? now : ao_now_wall_coarse();
}

static int month_of(const char *s) {
  static const char *const mon[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                    "jul", "aug", "sep", "oct", "nov", "dec"};
  for (int m = 0; m < 12; m++)
    if (lower((unsigned char)s[0]) == (unsigned char)mon[m][0] &&
        lower((unsigned char)s[1]) == (unsigned char)mon[m][1] &&
        lower((unsigned char)s[2]) == (unsigned char)mon[m][2])
      return m + 1;
  return 0;
}

/* Reads exactly k digits at *i. */
static int digits(const char *s, size_t n, size_t *i, int k, int *out) {
  int v = 0;
  for (int j = 0; j < k; j++) {
    if (*i >= n || s[*i] < '0' || s[*i] > '9')
      return -1;
    v = v * 10 + (s[*i] - '0');
    (*i)++;
  }
  *out = v;
  return 0;
}

/* [+-]hh[:]mm or Z at *i; seconds east of UTC. Absent: 0. */
static int zone(const char *s, size_t n, size_t *i, int *off) {
  *off = 0;
  while (*i < n && s[*i] == ' ')
    (*i)++;
  if (*i >= n)
    return 0;
  if (s[*i] == 'Z' || s[*i] == 'z') {
    (*i)++;
    return 0;
  }
  if (s[*i] != '+' && s[*i] != '-')
    return 0;
  int sign = s[*i] == '-' ? -1 : 1, hh, mm;
  (*i)++;
  if (digits(s, n, i, 2, &hh))
    return -1;
  if (*i < n && s[*i] == ':')
    (*i)++;
  if (digits(s, n, i, 2, &mm))
    return -1;
  if (hh > 23 || mm > 59)
    return -1;
  *off = sign * (hh * 3600 + mm * 60);
  return 0;
}

static int valid(int y, int mo, int d, int h, int mi, int se) {
  return y >= 1970 && y < 10000 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 &&
         h <= 23 && mi <= 59 && se <= 60;
}

int ao_rate_parse_time(ao_slice_t t, double now, double *out) {
  const char *s = t.p;
  size_t n = t.n, i = 0;
  int y, mo, d, h, mi, se, off;
  while (i < n && (s[i] == ' ' || s[i] == '['))
    i++;
  if (n - i >= 20 && s[i + 2] == '/' && s[i + 6] == '/') {
    /* CLF: 10/Oct/2026:13:55:36 +0000 */
    if (digits(s, n, &i, 2, &d) || s[i++] != '/' ||
        (mo = month_of(s + i)) == 0)
      return -1;
    i += 3;
    if (s[i++] != '/' || digits(s, n, &i, 4, &y) || s[i++] != ':' ||
        digits(s, n, &i, 2, &h) || s[i++] != ':' || digits(s, n, &i, 2, &mi) ||
        s[i++] != ':' || digits(s, n, &i, 2, &se) || zone(s, n, &i, &off))
      return -1;
  } else if (n - i >= 19 && s[i + 4] == '-' && s[i + 7] == '-') {
    /* ISO 8601: 2026-10-10T13:55:36[.123][Z|+01:00] */
    if (digits(s, n, &i, 4, &y) || s[i++] != '-' || digits(s, n, &i, 2, &mo) ||
        s[i++] != '-' || digits(s, n, &i, 2, &d) ||
        (s[i] != 'T' && s[i] != 't' && s[i] != ' '))
      return -1;
    i++;
    if (digits(s, n, &i, 2, &h) || s[i++] != ':' || digits(s, n, &i, 2, &mi) ||
        s[i++] != ':' || digits(s, n, &i, 2, &se))
      return -1;
    double frac = 0, scale = 0.1;
    if (i < n && (s[i] == '.' || s[i] == ',')) {
      i++;
      while (i < n && s[i] >= '0' && s[i] <= '9') {
        frac += (s[i] - '0') * scale;
        scale /= 10;
        i++;
      }
    }
    if (zone(s, n, &i, &off) || !valid(y, mo, d, h, mi, se))
      return -1;
    *out = (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
                    h * 3600 + mi * 60 + se - off) +
           frac;
    return 0;
  } else if (n - i >= 15 && (mo = month_of(s + i)) != 0 && s[i + 3] == ' ') {
    /* syslog: Oct 10 13:55:36 (the day may be space-padded) */
    i += 4;
    if (s[i] == ' ')
      i++;
    if (i < n && s[i] >= '0' && s[i] <= '9' && i + 1 < n && s[i + 1] == ' ') {
      d = s[i] - '0';
      i++;
    } else if (digits(s, n, &i, 2, &d)) {
      return -1;
    }
    if (s[i++] != ' ' || digits(s, n, &i, 2, &h) || s[i++] != ':' ||
        digits(s, n, &i, 2, &mi) || s[i++] != ':' || digits(s, n, &i, 2, &se))
      return -1;
    now = reading_time(now);
    /* the year of now in UTC, from its whole days */
    int64_t yn = year_of_day((int64_t)now / 86400);
    if (yn < 1970 || yn >= 10000)
      return -1;
    y = (int)yn;
    if (!valid(y, mo, d, h, mi, se))
      return -1;
    double v = (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
                        h * 3600 + mi * 60 + se);
    if (v > now + 86400) /* December's lines read in January */
      v = (double)(days_from_civil(y - 1, (unsigned)mo, (unsigned)d) * 86400 +
                   h * 3600 + mi * 60 + se);
    *out = v;
    return 0;
  } else {
    /* Unix seconds or milliseconds, optional fraction */
    size_t b = i;
    double v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
      v = v * 10 + (s[i++] - '0');
    size_t nd = i - b;
    if (nd < 9 || nd > 13)
      return -1;
    if (i < n && s[i] == '.') {
      double scale = 0.1;
      i++;
      while (i < n && s[i] >= '0' && s[i] <= '9') {
        v += (s[i++] - '0') * scale;
        scale /= 10;
      }
    }
    *out = nd == 13 ? v / 1000.0 : v;
    return 0;
  }
  if (!valid(y, mo, d, h, mi, se))
    return -1;
  *out = (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
                  h * 3600 + mi * 60 + se - off);
  return 0;
}

/* --- the table -------------------------------------------------------------- */

static size_t set_of(ao_rate_t *r, const ao_ip_t *ip) {
  if (r->pf_valid && memcmp(r->pf_key, ip->b, 16) == 0)
    return r->pf_set;
  uint64_t h = ao_siphash13(r->seed, ip->b, sizeof(ip->b));
  return (size_t)(h & r->mask);
}

void ao_rate_prefetch(ao_rate_t *r, const ao_ip_t *ip) {
  r->pf_valid = 0;
  size_t set = set_of(r, ip);
  memcpy(r->pf_key, ip->b, 16);
  r->pf_set = set;
  r->pf_valid = 1;
#if defined(__GNUC__)
  const char *b = (const char *)&r->e[set * r->ways];
  const char *e = (const char *)&r->e[(set + 1) * r->ways];
  for (; b < e; b += 64)
    __builtin_prefetch(b, 1);
  __builtin_prefetch(e - 1, 1);
#endif
}

static entry_t *lookup(ao_rate_t *r, const ao_ip_t *ip) {
  entry_t *set = &r->e[set_of(r, ip) * r->ways];
  entry_t *victim = NULL;
  for (size_t w = 0; w < r->ways; w++) {
    entry_t *e = &set[w];
    if (e->used && memcmp(e->key, ip->b, 16) == 0)
      return e;
  }
  /* a free way, else the calm entry with the oldest event, else the
   * oldest hot one */
  for (size_t w = 0; w < r->ways; w++) {
    entry_t *e = &set[w];
    if (!e->used) {
      victim = e;
      break;
    }
    if (victim == NULL || (victim->hot && !e->hot) ||
        (victim->hot == e->hot && e->last < victim->last))
      victim = e;
  }
  if (victim->used)
    r->st.evictions++;
  else
    r->tracked++;
  memset(victim, 0, sizeof(*victim));
  memcpy(victim->key, ip->b, 16);
  victim->used = 1;
  return victim;
}

/* Leaks a bucket of capacity `cap` for `dt` seconds. A bucket trips when,
 * after an event, it holds more than cap - 1: the cap-th event of a burst
 * trips it (the leak during the burst is less than one event as long as
 * the burst is faster than cap per window), while events arriving at cap
 * per window or slower leak away as fast as they come. */
static float leak(float level, unsigned cap, double window, double dt) {
  double v = (double)level - dt * (double)cap / window;
  return v > 0 ? (float)v : 0.0f;
}

/* Where the two digits of the seconds are in a CLF or ISO 8601 stamp (the
 * forms that name their year), or 0 for any other text. */
static size_t seconds_at(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && (s[i] == ' ' || s[i] == '['))
    i++;
  if (n - i >= 20 && s[i + 2] == '/' && s[i + 6] == '/')
    return i + 18; /* 10/Oct/2026:13:55:36 */
  if (n - i >= 19 && s[i + 4] == '-' && s[i + 7] == '-')
    return i + 17; /* 2026-10-10T13:55:36 */
  return 0;
}

int ao_rate_time(ao_rate_t *r, ao_slice_t t, double now, double *out) {
  size_t k = r->tm_sec, kn = k, ko = k;
  int s_new, s_old;
  /* Same stamp but for the seconds, both 0..59 (60, a leap second, is
   * left to the parser): the value moves by their difference. */
  if (r->tm_n != 0 && t.n == r->tm_n && memcmp(t.p, r->tm_text, k) == 0 &&
      memcmp(t.p + k + 2, r->tm_text + k + 2, t.n - k - 2) == 0 &&
      digits(t.p, t.n, &kn, 2, &s_new) == 0 && s_new < 60 &&
      digits(r->tm_text, r->tm_n, &ko, 2, &s_old) == 0 && s_old < 60) {
    *out = r->tm_value + (double)(s_new - s_old);
    return 0;
  }
  if (ao_rate_parse_time(t, now, out) != 0)
    return -1;
  k = t.n <= AO_RATE_TIME_MEMO ? seconds_at(t.p, t.n) : 0;
  if (k != 0) {
    memcpy(r->tm_text, t.p, t.n);
    r->tm_n = t.n;
    r->tm_sec = k;
    r->tm_value = *out;
  }
  return 0;
}

int ao_rate_event(ao_rate_t *r, const ao_ip_t *ip, const ao_record_t *rec,
                  int kind, double read_now) {
  if (kind == AO_RATE_NONE)
    return 0;
  r->st.events++;
  double t;
  if (ao_rate_time(r, rec->time, read_now, &t) != 0) {
    t = reading_time(read_now);
    r->st.time_fallbacks++;
  }
  entry_t *e = lookup(r, ip);
  double dt = e->last > 0 && t > e->last ? t - e->last : 0;
  if (t > e->last || e->last == 0)
    e->last = t;
  e->auth = leak(e->auth, r->cfg.auth_attempts, r->cfg.window, dt);
  e->nf = leak(e->nf, r->cfg.notfound, r->cfg.window, dt);
  /* calm: both buckets ran empty since the last event */
  if (e->hot && e->auth <= 0 && e->nf <= 0)
    e->hot = 0;
  int counted = 0;
  if (kind == AO_RATE_AUTH) {
    e->auth += 1.0f;
    counted = 1;
    if (e->auth > (float)r->cfg.auth_attempts - 1.0f) {
      e->auth = (float)r->cfg.auth_attempts; /* a bucket holds its capacity */
      e->hot = 1;
    }
  } else {
    size_t n = path_len(rec->target);
    uint32_t ph = (uint32_t)ao_siphash13(r->seed, rec->target.p,
                                         n < 2048 ? n : 2048);
    int seen = 0;
    for (unsigned k = 0; k < e->nrecent; k++)
      seen |= e->recent[k] == ph;
    if (!seen) {
      e->recent[e->pos] = ph;
      e->pos = (uint8_t)((e->pos + 1) % RECENT);
      if (e->nrecent < RECENT)
        e->nrecent++;
      e->nf += 1.0f;
      counted = 1;
      if (e->nf > (float)r->cfg.notfound - 1.0f) {
        e->nf = (float)r->cfg.notfound;
        e->hot = 1;
      }
    }
  }
  if (e->hot && counted) {
    r->st.bruteforce++;
    return 1;
  }
  return 0;
}
