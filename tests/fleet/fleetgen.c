/*
 * fleetgen.c - the network traffic of a fleet of collectd agents running
 * attack_origin, as real collectd 5.12 network packets.
 *
 * DESCRIPTION
 *   Measures how many agents one central collectd takes (tests/fleet/
 *   scale.py, `make fleet-scale`, README "How many agents one central
 *   takes") without running thousands of collectd processes: each simulated
 *   agent sends, every interval, what collectd's network plugin sends for
 *   one attack_origin Log - the plugin's metric set, in the plugin's
 *   dispatch order, packed the way the network plugin packs it:
 *
 *     per country (C of them, 250 at most: the ISO 3166-1 codes and ZZ):
 *       total_events-CC (DERIVE), percent-CC (GAUGE), and
 *       total_requests-<category>-CC (DERIVE) for K built-in categories
 *     then the health counters derive-<name> (the 28 of README "Metrics"),
 *     bytes-lag, files-tracked, duration-geoip_database_age
 *
 *   Packets follow collectd 5.12's network protocol (src/network.c): parts
 *   of (type, length) with host, time (TIME_HR, 2^-30 s), interval
 *   (INTERVAL_HR), plugin, plugin instance, type and type instance written
 *   only when they differ from the previous value in the same packet, and a
 *   values part per value (DERIVE big-endian, GAUGE as an x86 double). A
 *   packet is closed when the next value would not leave the 106 bytes the
 *   network plugin keeps for the signature or encryption header
 *   (MaxPacketSize, 1452 by default); each agent's last packet of an
 *   interval is sent at once (an agent's FlushInterval). SecurityLevel
 *   Encrypt wraps each packet in one part 0x0210: user name, a random IV,
 *   then AES-256 in OFB mode (key: SHA-256 of the password) over the SHA-1
 *   of the payload followed by the payload. Sign prepends part 0x0200, an
 *   HMAC-SHA-256 (key: the password) of user name and payload.
 *
 *   Values are a function of (agent, series, interval number k), so runs
 *   are reproducible and counters only grow: a counter is (k + 1) * r with
 *   r in 1..20 per agent and series; a share is NaN at k = 0 (as the
 *   plugin's share below MinAttacks) and the series' fixed share after.
 *
 *   Agents are spread evenly over the interval (agent i of N sends at
 *   i/N of it), as collectd daemons started at different times are.
 *   --once sends one interval of every agent at once and exits (for
 *   checks); --manifest writes every value sent, one per line:
 *   host<TAB>plugin_instance<TAB>type<TAB>type_instance<TAB>value (DERIVE
 *   as an integer, GAUGE with %.17g or "nan").
 *
 *   The report (JSON, on stdout or --report FILE) counts agents, intervals,
 *   packets, bytes, values, send errors, the generator's own CPU time and
 *   how late it fell behind its schedule (a run whose generator was late
 *   by more than a fraction of the interval measured the generator).
 *
 * USAGE
 *   fleetgen --server HOST --port PORT [--agents N] [--first-agent I]
 *            [--interval S] (--duration S | --once) [--start-interval K]
 *            [--countries C] [--categories K] [--log NAME]
 *            [--security none|sign|encrypt] [--username U --password P]
 *            [--host-prefix P] [--packet-size B] [--manifest FILE]
 *            [--report FILE]
 */
#include <errno.h>
#include <gcrypt.h>
#include <math.h>
#include <netdb.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* collectd 5.12's part types (src/network.h). */
enum {
  FG_TYPE_HOST = 0x0000,
  FG_TYPE_PLUGIN = 0x0002,
  FG_TYPE_PLUGIN_INSTANCE = 0x0003,
  FG_TYPE_TYPE = 0x0004,
  FG_TYPE_TYPE_INSTANCE = 0x0005,
  FG_TYPE_VALUES = 0x0006,
  FG_TYPE_TIME_HR = 0x0008,
  FG_TYPE_INTERVAL_HR = 0x0009,
  FG_TYPE_SIGN_SHA256 = 0x0200,
  FG_TYPE_ENCR_AES256 = 0x0210,
};
enum { FG_DS_GAUGE = 1, FG_DS_DERIVE = 2 };
enum { FG_SEC_NONE, FG_SEC_SIGN, FG_SEC_ENCRYPT };

/* The network plugin keeps this much of each packet free for the largest
 * security header (42 bytes of encryption header + a 64-byte user name). */
#define FG_SECURITY_RESERVE 106
#define FG_NAME_MAX 128
#define FG_MAX_PACKET 65535

/* ISO 3166-1 alpha-2 (249 codes) and the plugin's ZZ (unknown). */
static const char *const fg_countries[] = {
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT",
    "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI",
    "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
    "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
    "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
    "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL",
    "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
    "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS",
    "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW",
    "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP",
    "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM",
    "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
    "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW", "ZZ"};
#define FG_COUNTRY_COUNT (sizeof(fg_countries) / sizeof(fg_countries[0]))

/* The plugin's built-in categories, in its order. */
static const char *const fg_categories[] = {
    "sqli", "xss", "traversal", "rce", "scanner", "probe", "auth", "bruteforce"};
#define FG_CATEGORY_COUNT (sizeof(fg_categories) / sizeof(fg_categories[0]))

/* The health counters as plugin/collectd/ao_dispatch.c sends them (a test
 * compares this list with README's Metrics table). */
static const char *const fg_health[] = {
    "lines_read",          "lines_unparsed",     "lines_ignored",
    "regex_errors",        "lines_oversized",    "lines_partial",
    "lines_attack",        "addresses_invalid",  "rotations",
    "truncations",         "read_errors",        "geoip_lookups",
    "geoip_cache_hits",    "geoip_reserved",     "geoip_not_found",
    "geoip_errors",        "geoip_no_database",  "geoip_reloads",
    "geoip_reload_failures", "bruteforce_evictions", "geoip_cache_evictions",
    "rule_errors",         "read_budget_stops",  "truncation_copies",
    "files_lost",          "journal_errors",     "state_save_failures",
    "state_rejected"};
#define FG_HEALTH_COUNT (sizeof(fg_health) / sizeof(fg_health[0]))

typedef struct {
  const char *server;
  const char *port;
  unsigned agents;
  unsigned first_agent;
  double interval;
  double duration;
  bool once;
  unsigned start_interval;
  unsigned countries;
  unsigned categories;
  const char *log;
  int security;
  const char *username;
  const char *password;
  const char *host_prefix;
  size_t packet_size;
  const char *manifest;
  const char *report;
} fg_opts_t;

typedef struct {
  uint64_t packets, bytes, values, send_errors, intervals;
  double max_late;
  uint64_t late_sends; /* sends more than a tenth of the interval late */
} fg_stats_t;

/* One packet being filled, and the identifier parts already in it. */
typedef struct {
  uint8_t payload[FG_MAX_PACKET];
  size_t fill;
  size_t cap;
  char host[FG_NAME_MAX], plugin[FG_NAME_MAX], plugin_instance[FG_NAME_MAX];
  char type[FG_NAME_MAX], type_instance[FG_NAME_MAX];
  uint64_t time, interval;
} fg_packet_t;

typedef struct {
  const fg_opts_t *o;
  int fd;
  gcry_cipher_hd_t cipher;
  uint8_t wire[FG_MAX_PACKET + FG_SECURITY_RESERVE];
  fg_packet_t pkt;
  fg_stats_t st;
  FILE *manifest;
} fg_t;

static volatile sig_atomic_t fg_stop;

static void fg_on_signal(int sig) {
  (void)sig;
  fg_stop = 1;
}

static void fg_die(const char *what, const char *detail) {
  fprintf(stderr, "fleetgen: %s%s%s\n", what, detail ? ": " : "",
          detail ? detail : "");
  exit(2);
}

/* --- values ----------------------------------------------------------------- */

/* A per-(agent, series) step in 1..20: a stable, well-mixed function so that
 * agents differ and every counter grows at its own rate. */
static unsigned fg_rate(unsigned agent, unsigned series) {
  uint64_t x = ((uint64_t)agent << 32) ^ (series * 0x9E3779B97F4A7C15u);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdu;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53u;
  x ^= x >> 33;
  return (unsigned)(x % 20u) + 1u;
}

/* --- packet building ------------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--) {
    p[i] = (uint8_t)v;
    v >>= 8;
  }
}

/* collectd sends gauges in x86 byte order (little endian) whatever the
 * host: write the IEEE 754 bits explicitly. */
static void put_gauge(uint8_t *p, double d) {
  uint64_t bits;
  if (isnan(d))
    bits = 0x7ff8000000000000u; /* the NaN collectd's htond() writes */
  else
    memcpy(&bits, &d, sizeof(bits));
  for (int i = 0; i < 8; i++) {
    p[i] = (uint8_t)bits;
    bits >>= 8;
  }
}

static size_t string_part_size(const char *s) { return 4 + strlen(s) + 1; }

static size_t put_string(uint8_t *p, uint16_t type, const char *s) {
  size_t n = string_part_size(s);
  put16(p, type);
  put16(p + 2, (uint16_t)n);
  memcpy(p + 4, s, n - 5);
  p[n - 1] = 0;
  return n;
}

/* collectd's packets carry a string part only when it changed since the
 * previous value: writes it when s differs from *last (FG_NAME_MAX bytes)
 * and remembers it; returns the bytes written. */
static size_t put_changed(uint8_t *p, uint16_t type, char *last,
                          const char *s) {
  if (strcmp(last, s) == 0)
    return 0;
  snprintf(last, FG_NAME_MAX, "%s", s);
  return put_string(p, type, s);
}

static size_t put_number(uint8_t *p, uint16_t type, uint64_t v) {
  put16(p, type);
  put16(p + 2, 12);
  put64(p + 4, v);
  return 12;
}

static void pkt_reset(fg_packet_t *k, size_t packet_size) {
  k->fill = 0;
  k->cap = packet_size - FG_SECURITY_RESERVE;
  k->host[0] = k->plugin[0] = k->plugin_instance[0] = 0;
  k->type[0] = k->type_instance[0] = 0;
  k->time = k->interval = 0;
}

/* --- sending ------------------------------------------------------------------------ */

static void fg_send(fg_t *g) {
  fg_packet_t *k = &g->pkt;
  if (k->fill == 0)
    return;
  const fg_opts_t *o = g->o;
  size_t ulen = o->username ? strlen(o->username) : 0;
  size_t n = 0;
  if (o->security == FG_SEC_ENCRYPT) {
    /* type, length, user name length, user name, IV | SHA-1, payload */
    size_t head = 2 + 2 + 2 + ulen + 16;
    n = head + 20 + k->fill;
    put16(g->wire, FG_TYPE_ENCR_AES256);
    put16(g->wire + 2, (uint16_t)n);
    put16(g->wire + 4, (uint16_t)ulen);
    memcpy(g->wire + 6, o->username, ulen);
    uint8_t *iv = g->wire + 6 + ulen;
    gcry_create_nonce(iv, 16);
    gcry_md_hash_buffer(GCRY_MD_SHA1, g->wire + head, k->payload, k->fill);
    memcpy(g->wire + head + 20, k->payload, k->fill);
    gcry_cipher_reset(g->cipher);
    if (gcry_cipher_setiv(g->cipher, iv, 16) != 0 ||
        gcry_cipher_encrypt(g->cipher, g->wire + head, n - head, NULL, 0) != 0)
      fg_die("encryption failed", NULL);
  } else if (o->security == FG_SEC_SIGN) {
    /* type, length (36 + user name), HMAC | user name, payload */
    n = 36 + ulen + k->fill;
    put16(g->wire, FG_TYPE_SIGN_SHA256);
    put16(g->wire + 2, (uint16_t)(36 + ulen));
    memcpy(g->wire + 36, o->username, ulen);
    memcpy(g->wire + 36 + ulen, k->payload, k->fill);
    gcry_md_hd_t md;
    if (gcry_md_open(&md, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC) != 0 ||
        gcry_md_setkey(md, o->password, strlen(o->password)) != 0)
      fg_die("HMAC setup failed", NULL);
    gcry_md_write(md, g->wire + 36, ulen + k->fill);
    memcpy(g->wire + 4, gcry_md_read(md, GCRY_MD_SHA256), 32);
    gcry_md_close(md);
  } else {
    n = k->fill;
    memcpy(g->wire, k->payload, n);
  }
  for (;;) {
    ssize_t w = send(g->fd, g->wire, n, 0);
    if (w >= 0)
      break;
    if (errno == EINTR)
      continue;
    /* ECONNREFUSED (nothing listens yet), ENOBUFS: counted, not fatal; a
     * measurement reports them. */
    g->st.send_errors++;
    break;
  }
  g->st.packets++;
  g->st.bytes += n;
  pkt_reset(k, o->packet_size);
}

/* Adds one value the way the network plugin's add_to_buffer() does:
 * identifier parts that changed, then the value; a value that does not fit
 * closes the packet first. */
static void fg_add(fg_t *g, const char *host, uint64_t t, uint64_t interval,
                   const char *plugin, const char *pi, const char *type,
                   const char *ti, int ds, uint64_t derive, double gauge) {
  fg_packet_t *k = &g->pkt;
  for (int attempt = 0; attempt < 2; attempt++) {
    size_t need = 15;
    if (strcmp(k->host, host) != 0)
      need += string_part_size(host);
    if (k->time != t)
      need += 12;
    if (k->interval != interval)
      need += 12;
    if (strcmp(k->plugin, plugin) != 0)
      need += string_part_size(plugin);
    if (strcmp(k->plugin_instance, pi) != 0)
      need += string_part_size(pi);
    if (strcmp(k->type, type) != 0)
      need += string_part_size(type);
    if (strcmp(k->type_instance, ti) != 0)
      need += string_part_size(ti);
    if (k->fill + need > k->cap) {
      if (attempt == 0 && k->fill > 0) {
        fg_send(g);
        continue;
      }
      fg_die("a value does not fit in one packet", ti);
    }
    uint8_t *p = k->payload + k->fill;
    p += put_changed(p, FG_TYPE_HOST, k->host, host);
    if (k->time != t) {
      p += put_number(p, FG_TYPE_TIME_HR, t);
      k->time = t;
    }
    if (k->interval != interval) {
      p += put_number(p, FG_TYPE_INTERVAL_HR, interval);
      k->interval = interval;
    }
    p += put_changed(p, FG_TYPE_PLUGIN, k->plugin, plugin);
    p += put_changed(p, FG_TYPE_PLUGIN_INSTANCE, k->plugin_instance, pi);
    p += put_changed(p, FG_TYPE_TYPE, k->type, type);
    p += put_changed(p, FG_TYPE_TYPE_INSTANCE, k->type_instance, ti);
    put16(p, FG_TYPE_VALUES);
    put16(p + 2, 15);
    put16(p + 4, 1);
    p[6] = (uint8_t)ds;
    if (ds == FG_DS_DERIVE)
      put64(p + 7, derive);
    else
      put_gauge(p + 7, gauge);
    p += 15;
    k->fill = (size_t)(p - k->payload);
    g->st.values++;
    if (g->manifest != NULL) {
      if (ds == FG_DS_DERIVE)
        fprintf(g->manifest, "%s\t%s\t%s\t%s\t%llu\n", host, pi, type, ti,
                (unsigned long long)derive);
      else if (isnan(gauge))
        fprintf(g->manifest, "%s\t%s\t%s\t%s\tnan\n", host, pi, type, ti);
      else
        fprintf(g->manifest, "%s\t%s\t%s\t%s\t%.17g\n", host, pi, type, ti,
                gauge);
    }
    if (g->o->packet_size - k->fill < 15)
      fg_send(g);
    return;
  }
}

static uint64_t cdtime_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  /* collectd's cdtime_t: seconds in the upper 34 bits, 2^-30 s units. */
  return ((uint64_t)ts.tv_sec << 30) +
         (((uint64_t)ts.tv_nsec << 30) / 1000000000u);
}

/* One interval (number k) of one agent: every value, then the flush. */
static void fg_agent_interval(fg_t *g, unsigned agent, unsigned k) {
  const fg_opts_t *o = g->o;
  char host[FG_NAME_MAX];
  snprintf(host, sizeof(host), "%s%05u", o->host_prefix, agent);
  uint64_t t = cdtime_now();
  uint64_t iv = (uint64_t)(o->interval * 1073741824.0);
  uint64_t mul = (uint64_t)k + 1;
  const char *pl = "attack_origin";
  char ti[FG_NAME_MAX];

  uint64_t sum = 0;
  for (unsigned c = 0; c < o->countries; c++)
    sum += fg_rate(agent, c * 16);
  for (unsigned c = 0; c < o->countries; c++) {
    const char *cc = fg_countries[c];
    unsigned r = fg_rate(agent, c * 16);
    fg_add(g, host, t, iv, pl, o->log, "total_events", cc, FG_DS_DERIVE,
           mul * r, 0);
    double pct = k == 0 ? NAN : 100.0 * r / (double)sum;
    fg_add(g, host, t, iv, pl, o->log, "percent", cc, FG_DS_GAUGE, 0, pct);
    for (unsigned j = 0; j < o->categories; j++) {
      snprintf(ti, sizeof(ti), "%s-%s", fg_categories[j], cc);
      fg_add(g, host, t, iv, pl, o->log, "total_requests", ti, FG_DS_DERIVE,
             mul * fg_rate(agent, c * 16 + 1 + j), 0);
    }
  }
  for (unsigned h = 0; h < FG_HEALTH_COUNT; h++)
    fg_add(g, host, t, iv, pl, o->log, "derive", fg_health[h], FG_DS_DERIVE,
           mul * fg_rate(agent, 8192 + h), 0);
  fg_add(g, host, t, iv, pl, o->log, "bytes", "lag", FG_DS_GAUGE, 0, 0.0);
  fg_add(g, host, t, iv, pl, o->log, "files", "tracked", FG_DS_GAUGE, 0, 1.0);
  fg_add(g, host, t, iv, pl, o->log, "duration", "geoip_database_age",
         FG_DS_GAUGE, 0, 259200.0);
  fg_send(g);
}

/* --- setup ------------------------------------------------------------------------- */

static double mono_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double when) {
  double d = when - mono_now();
  if (d <= 0)
    return;
  struct timespec ts = {.tv_sec = (time_t)d,
                        .tv_nsec = (long)((d - (double)(time_t)d) * 1e9)};
  nanosleep(&ts, NULL);
}

static int fg_connect(const fg_opts_t *o) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
  struct addrinfo *ai = NULL;
  int rc = getaddrinfo(o->server, o->port, &hints, &ai);
  if (rc != 0)
    fg_die("cannot resolve the server", gai_strerror(rc));
  int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
  if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
    fg_die("cannot open the socket", strerror(errno));
  freeaddrinfo(ai);
  /* A large send buffer: the generator sends in bursts of one agent. */
  int sz = 4 << 20;
  (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
  return fd;
}

static unsigned parse_uint(const char *opt, const char *v, unsigned lo,
                           unsigned hi) {
  char *end;
  errno = 0;
  unsigned long x = strtoul(v, &end, 10);
  if (errno != 0 || *end != 0 || end == v || x < lo || x > hi) {
    fprintf(stderr, "fleetgen: %s: \"%s\" is not a number from %u to %u\n",
            opt, v, lo, hi);
    exit(2);
  }
  return (unsigned)x;
}

static double parse_seconds(const char *opt, const char *v) {
  char *end;
  double x = strtod(v, &end);
  if (*end != 0 || end == v || !(x > 0) || x > 86400 * 365) {
    fprintf(stderr, "fleetgen: %s: \"%s\" is not a number of seconds\n", opt,
            v);
    exit(2);
  }
  return x;
}

static void usage(void) {
  fputs("usage: fleetgen --server HOST --port PORT [--agents N] "
        "[--first-agent I]\n"
        "  [--interval S] (--duration S | --once) [--start-interval K]\n"
        "  [--countries C] [--categories K] [--log NAME]\n"
        "  [--security none|sign|encrypt] [--username U --password P]\n"
        "  [--host-prefix P] [--packet-size B] [--manifest FILE] "
        "[--report FILE]\n",
        stderr);
  exit(2);
}

static void parse_args(int argc, char **argv, fg_opts_t *o) {
  *o = (fg_opts_t){.port = "25826",
                   .agents = 1,
                   .interval = 10,
                   .countries = 250,
                   .categories = 4,
                   .log = "web",
                   .security = FG_SEC_ENCRYPT,
                   .host_prefix = "agent",
                   .packet_size = 1452};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--once") == 0) {
      o->once = true;
      continue;
    }
    if (i + 1 >= argc)
      usage();
    const char *v = argv[++i];
    if (strcmp(a, "--server") == 0)
      o->server = v;
    else if (strcmp(a, "--port") == 0)
      o->port = v;
    else if (strcmp(a, "--agents") == 0)
      o->agents = parse_uint(a, v, 1, 10000000);
    else if (strcmp(a, "--first-agent") == 0)
      o->first_agent = parse_uint(a, v, 0, 99999999);
    else if (strcmp(a, "--interval") == 0)
      o->interval = parse_seconds(a, v);
    else if (strcmp(a, "--duration") == 0)
      o->duration = parse_seconds(a, v);
    else if (strcmp(a, "--start-interval") == 0)
      o->start_interval = parse_uint(a, v, 0, 100000000);
    else if (strcmp(a, "--countries") == 0)
      o->countries = parse_uint(a, v, 1, (unsigned)FG_COUNTRY_COUNT);
    else if (strcmp(a, "--categories") == 0)
      o->categories = parse_uint(a, v, 0, (unsigned)FG_CATEGORY_COUNT);
    else if (strcmp(a, "--log") == 0)
      o->log = v;
    else if (strcmp(a, "--security") == 0) {
      if (strcmp(v, "none") == 0)
        o->security = FG_SEC_NONE;
      else if (strcmp(v, "sign") == 0)
        o->security = FG_SEC_SIGN;
      else if (strcmp(v, "encrypt") == 0)
        o->security = FG_SEC_ENCRYPT;
      else
        fg_die("--security must be none, sign or encrypt", v);
    } else if (strcmp(a, "--username") == 0)
      o->username = v;
    else if (strcmp(a, "--password") == 0)
      o->password = v;
    else if (strcmp(a, "--host-prefix") == 0)
      o->host_prefix = v;
    else if (strcmp(a, "--packet-size") == 0)
      o->packet_size = parse_uint(a, v, 1024, 65535);
    else if (strcmp(a, "--manifest") == 0)
      o->manifest = v;
    else if (strcmp(a, "--report") == 0)
      o->report = v;
    else
      usage();
  }
  if (o->server == NULL)
    fg_die("--server is required", NULL);
  if (o->once == (o->duration > 0))
    fg_die("give exactly one of --once and --duration", NULL);
  if (o->security != FG_SEC_NONE) {
    if (o->username == NULL || o->password == NULL)
      fg_die("--security sign/encrypt needs --username and --password", NULL);
    /* The network plugin refuses longer user names. */
    if (strlen(o->username) == 0 || strlen(o->username) > 64)
      fg_die("--username must be 1 to 64 bytes", o->username);
  }
  if (strlen(o->host_prefix) + 8 >= 64 || strlen(o->log) >= 64)
    fg_die("--host-prefix or --log too long", NULL);
}

static void fg_report(const fg_t *g, double wall) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  FILE *f = stdout;
  if (g->o->report != NULL && (f = fopen(g->o->report, "w")) == NULL)
    fg_die("cannot write the report", strerror(errno));
  unsigned per_agent = g->o->countries * (2 + g->o->categories) +
                       (unsigned)FG_HEALTH_COUNT + 3;
  fprintf(f,
          "{\"agents\": %u, \"values_per_agent_interval\": %u, "
          "\"agent_intervals\": %llu, \"packets\": %llu, \"bytes\": %llu, "
          "\"values\": %llu, \"send_errors\": %llu, \"max_late_s\": %.3f, "
          "\"late_sends\": %llu, \"cpu_s\": %.3f, \"wall_s\": %.3f}\n",
          g->o->agents, per_agent, (unsigned long long)g->st.intervals,
          (unsigned long long)g->st.packets, (unsigned long long)g->st.bytes,
          (unsigned long long)g->st.values,
          (unsigned long long)g->st.send_errors, g->st.max_late,
          (unsigned long long)g->st.late_sends, cpu, wall);
  if (f != stdout)
    fclose(f);
}

int main(int argc, char **argv) {
  static fg_t g;
  fg_opts_t o;
  parse_args(argc, argv, &o);
  g.o = &o;
  pkt_reset(&g.pkt, o.packet_size);

  if (gcry_check_version(NULL) == NULL)
    fg_die("libgcrypt failed to initialise", NULL);
  gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
  gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
  if (o.security == FG_SEC_ENCRYPT) {
    unsigned char key[32];
    gcry_md_hash_buffer(GCRY_MD_SHA256, key, o.password, strlen(o.password));
    if (gcry_cipher_open(&g.cipher, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_OFB,
                         0) != 0 ||
        gcry_cipher_setkey(g.cipher, key, sizeof(key)) != 0)
      fg_die("cannot set up AES-256-OFB", NULL);
  }
  if (o.manifest != NULL && (g.manifest = fopen(o.manifest, "w")) == NULL)
    fg_die("cannot write the manifest", strerror(errno));
  g.fd = fg_connect(&o);

  struct sigaction sa = {.sa_handler = fg_on_signal};
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  double t0 = mono_now();
  if (o.once) {
    for (unsigned a = 0; a < o.agents; a++) {
      fg_agent_interval(&g, o.first_agent + a, o.start_interval);
      g.st.intervals++;
    }
  } else {
    double end = t0 + o.duration;
    for (unsigned k = 0; !fg_stop; k++) {
      for (unsigned a = 0; a < o.agents && !fg_stop; a++) {
        double due = t0 + (k + (double)a / o.agents) * o.interval;
        if (due >= end) {
          fg_stop = 1;
          break;
        }
        sleep_until(due);
        double late = mono_now() - due;
        if (late > g.st.max_late)
          g.st.max_late = late;
        if (late > o.interval / 10)
          g.st.late_sends++;
        fg_agent_interval(&g, o.first_agent + a, o.start_interval + k);
        g.st.intervals++;
      }
    }
  }
  if (g.manifest != NULL)
    fclose(g.manifest);
  fg_report(&g, mono_now() - t0);
  close(g.fd);
  if (g.cipher != NULL)
    gcry_cipher_close(g.cipher);
  return 0;
}
