/*
 * test_ip.c - strict address parsing, v4-mapped keys, special blocks and
 * formatting (ao_ip).
 *
 * The parse table includes reliability-matrix E1/E2: every spelling that
 * glibc's getaddrinfo() would reinterpret (octal, shorthand, integer, zone
 * ids) must be rejected, never turned into another address.
 */
#include "ao_test.h"

#include "ao_common.h"
#include "ao_ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A literal with its exact length, so that rows may contain NUL bytes. */
#define LIT(s) s, sizeof(s) - 1

typedef struct ip_case {
  const char *in;
  size_t n;
  int rc;            /* expected ao_ip_parse() result */
  int v4;            /* expected v4 flag when rc == 0 */
  const char *canon; /* expected ao_ip_format() text when rc == 0 */
} ip_case_t;

static const ip_case_t parse_cases[] = {
    /* --- valid IPv4 --- */
    /* plain dotted quad (the GB test address of the GeoIP2 test DB) */
    {LIT("81.2.69.160"), 0, 1, "81.2.69.160"},
    /* all-zero address: the parts are "0", which is not a leading zero */
    {LIT("0.0.0.0"), 0, 1, "0.0.0.0"},
    /* every part at its maximum */
    {LIT("255.255.255.255"), 0, 1, "255.255.255.255"},
    /* parts of one, two and three digits */
    {LIT("8.88.188.0"), 0, 1, "8.88.188.0"},

    /* --- valid IPv6 --- */
    /* compressed (the JP test network) */
    {LIT("2001:218::"), 0, 0, "2001:218::"},
    /* upper case and uncompressed zeros: canonical text is lower, RFC 5952 */
    {LIT("2001:DB8:0:0:0:0:0:1"), 0, 0, "2001:db8::1"},
    /* loopback */
    {LIT("::1"), 0, 0, "::1"},
    /* unspecified */
    {LIT("::"), 0, 0, "::"},
    /* eight full groups */
    {LIT("1:2:3:4:5:6:7:8"), 0, 0, "1:2:3:4:5:6:7:8"},
    /* the longest valid text (45 bytes), embedded dotted quad */
    {LIT("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"), 0, 0,
     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},

    /* --- IPv4-mapped IPv6 is the IPv4 address (E2) --- */
    /* dotted form */
    {LIT("::ffff:1.2.3.4"), 0, 1, "1.2.3.4"},
    /* hex form of the same address */
    {LIT("::ffff:0102:0304"), 0, 1, "1.2.3.4"},
    /* upper-case FFFF */
    {LIT("::FFFF:1.2.3.4"), 0, 1, "1.2.3.4"},
    /* fully written zeros, dotted */
    {LIT("0:0:0:0:0:ffff:1.2.3.4"), 0, 1, "1.2.3.4"},
    /* fully written zeros, hex without leading zeros */
    {LIT("0:0:0:0:0:ffff:102:304"), 0, 1, "1.2.3.4"},
    /* a routable address, as dual-stack Apache logs it */
    {LIT("::ffff:81.2.69.160"), 0, 1, "81.2.69.160"},

    /* --- other forms that embed IPv4 stay IPv6 (E2) --- */
    /* IPv4-compatible (deprecated): not mapped, stays v6 */
    {LIT("::1.2.3.4"), 0, 0, "::1.2.3.4"},
    /* 6to4 for 81.2.69.160: v6, classed special */
    {LIT("2002:5102:45a0::"), 0, 0, "2002:5102:45a0::"},
    /* NAT64 well-known prefix for 1.2.3.4 */
    {LIT("64:ff9b::102:304"), 0, 0, "64:ff9b::102:304"},

    /* --- E1: what getaddrinfo() would reinterpret --- */
    /* leading zero (getaddrinfo: 1.2.3.4) */
    {LIT("01.2.3.4"), -1, 0, NULL},
    /* octal part (getaddrinfo: 8.0.0.1) */
    {LIT("010.0.0.1"), -1, 0, NULL},
    /* three parts (getaddrinfo: 1.2.0.3) */
    {LIT("1.2.3"), -1, 0, NULL},
    /* two parts (getaddrinfo: 127.0.0.1) */
    {LIT("127.1"), -1, 0, NULL},
    /* hex part (getaddrinfo: 127.0.0.1) */
    {LIT("0x7f.0.0.1"), -1, 0, NULL},
    /* one integer (getaddrinfo: 127.0.0.1) */
    {LIT("2130706433"), -1, 0, NULL},
    /* part above 255 */
    {LIT("1.2.3.256"), -1, 0, NULL},
    /* address with a port */
    {LIT("1.2.3.4:80"), -1, 0, NULL},
    /* bracketed IPv6 */
    {LIT("[2001:db8::1]"), -1, 0, NULL},
    /* zone id (getaddrinfo accepts it) */
    {LIT("fe80::1%lo"), -1, 0, NULL},
    /* URI-encoded zone id */
    {LIT("fe80::1%25lo"), -1, 0, NULL},
    /* empty zone id */
    {LIT("fe80::1%"), -1, 0, NULL},
    /* the "-" of an absent value */
    {LIT("-"), -1, 0, NULL},
    /* what some proxies log */
    {LIT("unknown"), -1, 0, NULL},
    /* leading space */
    {LIT(" 1.2.3.4"), -1, 0, NULL},
    /* trailing space */
    {LIT("1.2.3.4 "), -1, 0, NULL},
    /* padded both sides */
    {LIT("  ::1  "), -1, 0, NULL},
    /* trailing newline */
    {LIT("1.2.3.4\n"), -1, 0, NULL},
    /* empty */
    {LIT(""), -1, 0, NULL},
    /* octal 81.2.69.160 (mmdblookup says GB): must not parse at all */
    {LIT("0121.2.69.160"), -1, 0, NULL},
    /* four-digit part */
    {LIT("1234.2.3.4"), -1, 0, NULL},
    /* NUL after a valid address: inet_pton would stop at the NUL */
    {LIT("1.2.3.4\0junk"), -1, 0, NULL},
    /* a single trailing NUL */
    {LIT("1.2.3.4\0"), -1, 0, NULL},
    /* NUL inside IPv6 */
    {LIT("2001:db8::\0001"), -1, 0, NULL},
    /* 46 bytes: the longest valid text plus one space */
    {LIT("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 "), -1, 0, NULL},
    /* 46 bytes, a valid address padded with zeros in the first group */
    {LIT("00000:ffff:ffff:ffff:ffff:ffff:255.255.255.255"), -1, 0, NULL},

    /* --- other malformed text --- */
    /* trailing dot */
    {LIT("1.2.3.4."), -1, 0, NULL},
    /* leading dot */
    {LIT(".1.2.3.4"), -1, 0, NULL},
    /* empty part */
    {LIT("1..2.3"), -1, 0, NULL},
    /* five parts */
    {LIT("1.2.3.4.5"), -1, 0, NULL},
    /* sign */
    {LIT("+1.2.3.4"), -1, 0, NULL},
    /* negative part */
    {LIT("1.2.3.-4"), -1, 0, NULL},
    /* CIDR suffix */
    {LIT("1.2.3.4/24"), -1, 0, NULL},
    /* a host name (Apache HostnameLookups On) */
    {LIT("crawl-66-249-66-1.googlebot.com"), -1, 0, NULL},
    /* two "::" */
    {LIT("2001:db8::1::2"), -1, 0, NULL},
    /* group of five hex digits */
    {LIT("12345::"), -1, 0, NULL},
    /* nine groups */
    {LIT("1:2:3:4:5:6:7:8:9"), -1, 0, NULL},
    /* leading zero in a mapped dotted tail */
    {LIT("::ffff:01.2.3.4"), -1, 0, NULL},
    /* short dotted tail */
    {LIT("::ffff:1.2.3"), -1, 0, NULL},
    /* dotted tail part above 255 */
    {LIT("::ffff:1.2.3.256"), -1, 0, NULL},
    /* dotted tail with five parts */
    {LIT("::ffff:1.2.3.4.5"), -1, 0, NULL},
    /* dotted tail not at the end */
    {LIT("1.2.3.4::"), -1, 0, NULL},
    /* non-hex letters */
    {LIT("2001:db8::g"), -1, 0, NULL},
};

static void test_parse_table(void **state) {
  (void)state;
  for (size_t i = 0; i < AO_ARRAY_SIZE(parse_cases); i++) {
    const ip_case_t *c = &parse_cases[i];
    /* Exact-size heap copy: valgrind/ASan see any read past n. */
    char *copy = malloc(c->n > 0 ? c->n : 1);
    assert_non_null(copy);
    memcpy(copy, c->in, c->n);
    ao_ip_t ip;
    memset(&ip, 0xa5, sizeof(ip));
    int rc = ao_ip_parse(copy, c->n, &ip);
    if (rc != c->rc)
      fail_msg("row %zu \"%.*s\": rc %d, expected %d", i, (int)c->n, c->in, rc,
               c->rc);
    if (rc == 0) {
      char buf[46];
      if (ip.v4 != c->v4)
        fail_msg("row %zu \"%s\": v4 %d, expected %d", i, c->in, ip.v4, c->v4);
      assert_string_equal(ao_ip_format(&ip, buf), c->canon);
    }
    free(copy);
  }
}

/* A failed parse leaves *out alone, so a caller cannot use a half-filled
 * key by mistake. */
static void test_parse_failure_leaves_output(void **state) {
  (void)state;
  ao_ip_t ip, guard;
  memset(&ip, 0x5a, sizeof(ip));
  memcpy(&guard, &ip, sizeof(ip));
  assert_int_equal(ao_ip_parse(LIT("010.0.0.1"), &ip), -1);
  assert_memory_equal(&ip, &guard, sizeof(ip));
  assert_int_equal(ao_ip_parse(LIT("fe80::1%lo"), &ip), -1);
  assert_memory_equal(&ip, &guard, sizeof(ip));
}

static void test_parse_null_and_huge(void **state) {
  (void)state;
  ao_ip_t ip;
  assert_int_equal(ao_ip_parse(NULL, 0, &ip), -1);
  assert_int_equal(ao_ip_parse(NULL, 7, &ip), -1);
  assert_int_equal(ao_ip_parse(LIT("1.2.3.4"), NULL), -1);
  /* A 64 KiB run of digits and dots: rejected by length, and never copied
   * into the 46-byte stack buffer. */
  size_t n = 64 * 1024;
  char *big = malloc(n);
  assert_non_null(big);
  for (size_t i = 0; i < n; i++)
    big[i] = (i % 4 == 3) ? '.' : '1';
  assert_int_equal(ao_ip_parse(big, n, &ip), -1);
  /* Its first 7 bytes ("111.111") are not an address either, but the
   * first 15 ("111.111.111.111") are: n decides, nothing else. */
  assert_int_equal(ao_ip_parse(big, 15, &ip), 0);
  assert_int_equal(ip.v4, 1);
  free(big);
}

/* IPv4 is stored as ::ffff:a.b.c.d in network order. */
static void test_v4_layout(void **state) {
  (void)state;
  static const uint8_t want[16] = {0, 0, 0,    0,    0,  0, 0,  0,
                                   0, 0, 0xff, 0xff, 81, 2, 69, 160};
  ao_ip_t ip;
  assert_int_equal(ao_ip_parse(LIT("81.2.69.160"), &ip), 0);
  assert_memory_equal(ip.b, want, 16);
  assert_int_equal(ip.v4, 1);
}

/* E2: one client is one key, however its address was written. */
static void test_mapped_same_key(void **state) {
  (void)state;
  static const char *const spellings[] = {
      "1.2.3.4",                /* plain */
      "::ffff:1.2.3.4",         /* mapped, dotted */
      "::ffff:0102:0304",       /* mapped, hex */
      "::FFFF:102:304",         /* mapped, hex, upper case, short groups */
      "0:0:0:0:0:ffff:1.2.3.4", /* mapped, zeros written out */
  };
  ao_ip_t first;
  assert_int_equal(ao_ip_parse(spellings[0], strlen(spellings[0]), &first), 0);
  for (size_t i = 1; i < AO_ARRAY_SIZE(spellings); i++) {
    ao_ip_t ip;
    assert_int_equal(ao_ip_parse(spellings[i], strlen(spellings[i]), &ip), 0);
    assert_memory_equal(&ip, &first, sizeof(ip));
  }

  /* The E2 list: the three mapped spellings are one key; the compatible,
   * 6to4 and NAT64 forms stay distinct v6 keys. */
  static const char *const e2[] = {
      "::ffff:1.2.3.4", "::ffff:0102:0304", "1.2.3.4",
      "::1.2.3.4",      "2002:5102:45a0::", "64:ff9b::102:304",
  };
  ao_ip_t keys[AO_ARRAY_SIZE(e2)];
  size_t distinct = 0;
  for (size_t i = 0; i < AO_ARRAY_SIZE(e2); i++) {
    ao_ip_t ip;
    assert_int_equal(ao_ip_parse(e2[i], strlen(e2[i]), &ip), 0);
    size_t k = 0;
    while (k < distinct && memcmp(&keys[k], &ip, sizeof(ip)) != 0)
      k++;
    if (k == distinct)
      keys[distinct++] = ip;
  }
  assert_int_equal(distinct, 4);
}

typedef struct special_case {
  const char *addr;
  int special;
} special_case_t;

static const special_case_t special_cases[] = {
    /* --- IPv4: public --- */
    {"8.8.8.8", 0},         /* public resolver */
    {"81.2.69.160", 0},     /* GB test address */
    {"1.0.0.0", 0},         /* just after 0/8 */
    {"223.255.255.255", 0}, /* just before 224/4 */
    /* --- IPv4: each special block, with neighbours at its edges --- */
    {"0.0.0.0", 1},         /* 0/8 "this network" */
    {"0.255.255.255", 1},   /* end of 0/8 */
    {"10.0.0.1", 1},        /* 10/8 private */
    {"9.255.255.255", 0},   /* just before 10/8 */
    {"11.0.0.0", 0},        /* just after 10/8 */
    {"100.63.255.255", 0},  /* just before 100.64/10 */
    {"100.64.0.0", 1},      /* start of 100.64/10 CGNAT */
    {"100.127.255.255", 1}, /* end of 100.64/10 */
    {"100.128.0.0", 0},     /* just after 100.64/10 */
    {"127.0.0.1", 1},       /* 127/8 loopback */
    {"127.255.255.255", 1}, /* end of 127/8 */
    {"169.254.1.1", 1},     /* 169.254/16 link-local */
    {"169.255.0.0", 0},     /* just after 169.254/16 */
    {"172.15.255.255", 0},  /* just before 172.16/12 */
    {"172.16.0.0", 1},      /* start of 172.16/12 private */
    {"172.31.255.255", 1},  /* end of 172.16/12 */
    {"172.32.0.0", 0},      /* just after 172.16/12 */
    {"192.0.0.8", 1},       /* 192.0.0/24 IETF protocol assignments */
    {"192.0.1.1", 0},       /* between 192.0.0/24 and 192.0.2/24 */
    {"192.0.2.1", 1},       /* 192.0.2/24 TEST-NET-1 */
    {"192.88.99.1", 1},     /* 192.88.99/24 6to4 relay anycast */
    {"192.88.98.255", 0},   /* just before 192.88.99/24 */
    {"192.168.1.1", 1},     /* 192.168/16 private */
    {"192.169.0.0", 0},     /* just after 192.168/16 */
    {"198.17.255.255", 0},  /* just before 198.18/15 */
    {"198.18.0.0", 1},      /* start of 198.18/15 benchmarking */
    {"198.19.255.255", 1},  /* end of 198.18/15 */
    {"198.20.0.0", 0},      /* just after 198.18/15 */
    {"198.51.100.7", 1},    /* 198.51.100/24 TEST-NET-2 */
    {"203.0.113.9", 1},     /* 203.0.113/24 TEST-NET-3 */
    {"203.0.114.0", 0},     /* just after TEST-NET-3 */
    {"224.0.0.1", 1},       /* 224/4 multicast */
    {"239.255.255.255", 1}, /* end of multicast */
    {"240.0.0.1", 1},       /* 240/4 reserved */
    {"255.255.255.255", 1}, /* limited broadcast */
    /* globally reachable registry entries are ordinary addresses */
    {"192.31.196.1", 0}, /* AS112-v4 anycast */
    {"192.52.193.1", 0}, /* AMT anycast */
    {"192.175.48.1", 0}, /* direct delegation AS112 */
    /* --- IPv4-mapped input is judged as IPv4 --- */
    {"::ffff:10.0.0.1", 1}, /* mapped private */
    {"::ffff:8.8.8.8", 0},  /* mapped public */
    /* --- IPv6: public --- */
    {"2001:218::", 0},           /* JP test network */
    {"2001:4860:4860::8888", 0}, /* public resolver */
    {"2000::", 0},               /* start of 2000::/3 */
    {"3fff:1000::", 0},          /* just after 3fff::/20 */
    {"2001:200::", 0},           /* just after 2001::/23 */
    {"2003::1", 0},              /* just after 2002::/16 */
    {"2620:4f:8000::1", 0},      /* AS112-v6, globally reachable */
    /* --- IPv6: special blocks --- */
    {"::", 1},               /* ::/128 unspecified */
    {"::1", 1},              /* ::1/128 loopback */
    {"::1.2.3.4", 1},        /* IPv4-compatible (outside 2000::/3) */
    {"64:ff9b::102:304", 1}, /* 64:ff9b::/96 NAT64 */
    {"64:ff9b:1::1", 1},     /* 64:ff9b:1::/48 local-use NAT64 */
    {"100::1", 1},           /* 100::/64 discard-only */
    {"2001::1", 1},          /* 2001::/32 Teredo (in 2001::/23) */
    {"2001:2::1", 1},        /* 2001:2::/48 benchmarking (in /23) */
    {"2001:1ff:ffff::", 1},  /* end of 2001::/23 */
    {"2001:db8::1", 1},      /* 2001:db8::/32 documentation */
    {"2002:5102:45a0::", 1}, /* 2002::/16 6to4 (see ao_ip.c) */
    {"3fff::1", 1},          /* 3fff::/20 documentation, RFC 9637 */
    {"3fff:fff:ffff::", 1},  /* end of 3fff::/20 */
    {"fc00::1", 1},          /* fc00::/7 unique local */
    {"fdff:ffff::1", 1},     /* fd00::/8, second half of fc00::/7 */
    {"fe80::1", 1},          /* fe80::/10 link-local */
    {"febf:ffff::1", 1},     /* end of fe80::/10 */
    {"fec0::1", 1},          /* deprecated site-local: outside 2000::/3 */
    {"ff02::1", 1},          /* ff00::/8 multicast */
    {"1fff:ffff::1", 1},     /* just before 2000::/3: reserved */
    {"4000::1", 1},          /* just after 2000::/3: reserved */
    {"5f00::1", 1},          /* SRv6 SIDs, outside 2000::/3 */
};

static void test_special_table(void **state) {
  (void)state;
  for (size_t i = 0; i < AO_ARRAY_SIZE(special_cases); i++) {
    const special_case_t *c = &special_cases[i];
    ao_ip_t ip;
    if (ao_ip_parse(c->addr, strlen(c->addr), &ip) != 0)
      fail_msg("row %zu: %s does not parse", i, c->addr);
    int got = ao_ip_is_special(&ip);
    if (got != c->special)
      fail_msg("row %zu: is_special(%s) = %d, expected %d", i, c->addr, got,
               c->special);
  }
  /* No address: nothing to geolocate. */
  assert_int_equal(ao_ip_is_special(NULL), 1);
}

/* ao_ip_format() writes at most 46 bytes, always terminated. */
static void test_format_bounds(void **state) {
  (void)state;
  char buf[64];
  memset(buf, 'Z', sizeof(buf));
  ao_ip_t ip;
  assert_int_equal(
      ao_ip_parse(LIT("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"), &ip),
      0);
  assert_ptr_equal(ao_ip_format(&ip, buf), buf);
  assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  for (size_t i = 46; i < sizeof(buf); i++)
    assert_int_equal(buf[i], 'Z');
  assert_string_equal(ao_ip_format(NULL, buf), "");
}

/* IPv4 text is read without inet_pton(), and must accept exactly what
 * glibc's inet_pton(AF_INET) accepts (four parts of 1-3 digits, at most
 * 255, no leading zero), with the same bytes: random strings of digits,
 * dots and a few other bytes, on an exact-size copy. */
static void test_v4_against_inet_pton(void **state) {
  (void)state;
  static const char alphabet[] = "0123456789012345.....x ";
  uint64_t x = 0x2545f4914f6cdd1dull;
  size_t good = 0, bad = 0;
  for (int round = 0; round < 200000; round++) {
    char text[24];
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    size_t n = 1 + (size_t)(x % 17);
    for (size_t i = 0; i < n; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      text[i] = alphabet[(x >> 5) % (sizeof(alphabet) - 1)];
    }
    /* every fourth string a well-formed quad, with its parts drawn wide */
    if (round % 4 == 0) {
      unsigned p[4];
      for (int k = 0; k < 4; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[k] = (unsigned)(x % 300);
      }
      n = (size_t)snprintf(text, sizeof(text), "%u.%u.%u.%u", p[0], p[1],
                           p[2], p[3]);
    }
    text[n] = '\0';
    uint8_t want[4];
    int ok = inet_pton(AF_INET, text, want) == 1;
    char *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, text, n);
    ao_ip_t ip;
    int rc = ao_ip_parse(copy, n, &ip);
    free(copy);
    if (rc != (ok ? 0 : -1))
      fail_msg("\"%s\": ao_ip_parse %d, inet_pton %d", text, rc, ok);
    if (ok) {
      assert_true(ip.v4);
      assert_memory_equal(ip.b + 12, want, 4);
      good++;
    } else {
      bad++;
    }
  }
  assert_true(good > 20000 && bad > 20000);
}

/* IPv6 text is read without inet_pton() too, and must accept exactly what
 * the reading before it accepted: glibc's inet_pton(AF_INET6) on a C-string
 * copy, after refusing a NUL and a dotted tail with a leading zero; with
 * the same bytes. Random strings of hex digits (both cases), ':' and '.'
 * and a few other bytes; addresses made of eight random groups with a run
 * of them written as "::", in either case, some with a dotted tail; and
 * those with one byte changed, dropped or doubled. */
static int v6_reference(const char *s, size_t n, uint8_t out[16]) {
  char buf[64];
  if (n == 0 || n > 45 || memchr(s, '\0', n) != NULL)
    return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  const char *dot = memchr(buf, '.', n);
  if (dot != NULL) {
    size_t last = n;
    while (last > 0 && buf[last - 1] != ':')
      last--;
    /* the tail's parts: no leading zero (inet_pton4 refuses them too) */
    for (size_t i = last; i < n; i++)
      if (buf[i] == '0' && (i == last || buf[i - 1] == '.') && i + 1 < n &&
          buf[i + 1] != '.')
        return 0;
  }
  return inet_pton(AF_INET6, buf, out) == 1;
}

static uint64_t v6_rand(uint64_t *x) {
  *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
  return *x;
}

static size_t v6_address(uint64_t *x, char *text, size_t cap) {
  unsigned g[9];
  for (int k = 0; k < 9; k++) {
    uint64_t r = v6_rand(x);
    g[k] = r % 3 == 0 ? 0 : (unsigned)(r >> 8) & (r % 5 == 0 ? 0xfu : 0xffffu);
  }
  /* with a dotted tail six groups before it, sometimes five or seven;
   * without one eight, sometimes seven or nine */
  int tail = v6_rand(x) % 4 == 0;
  int groups = (tail ? 6 : 8) + (int)(v6_rand(x) % 8 == 0) -
               (int)(v6_rand(x) % 8 == 0);
  int from = (int)(v6_rand(x) % 10), len = (int)(v6_rand(x) % 9);
  if (from >= groups)
    from = -1; /* no "::" */
  size_t n = 0;
  for (int k = 0; k < groups; k++) {
    if (k == from) {
      n += (size_t)snprintf(text + n, cap - n, "::");
      k += len > 0 ? len - 1 : 0;
      continue;
    }
    if (n > 0 && text[n - 1] != ':')
      text[n++] = ':';
    n +=
        (size_t)snprintf(text + n, cap - n, v6_rand(x) % 2 ? "%x" : "%X", g[k]);
  }
  if (tail) {
    if (n > 0 && text[n - 1] != ':')
      text[n++] = ':';
    n += (size_t)snprintf(
        text + n, cap - n, "%u.%u.%u.%u", (unsigned)(v6_rand(x) % 300),
        (unsigned)(v6_rand(x) % 256), (unsigned)(v6_rand(x) % 256),
        (unsigned)(v6_rand(x) % 10));
  }
  return n < cap ? n : cap - 1;
}

/* one text against the reference; returns whether it is an address */
static int v6_same(const char *text, size_t n) {
  uint8_t want[16];
  int ok = v6_reference(text, n, want);
  char *copy = malloc(n + 1);
  assert_non_null(copy);
  memcpy(copy, text, n);
  ao_ip_t ip;
  int rc = ao_ip_parse(copy, n, &ip);
  free(copy);
  if (rc != (ok ? 0 : -1))
    fail_msg("\"%.*s\": ao_ip_parse %d, inet_pton %d", (int)n, text, rc, ok);
  if (ok) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    assert_memory_equal(ip.b, want, 16);
    assert_int_equal(ip.v4, memcmp(want, mapped, 12) == 0);
  }
  return ok;
}

static void test_v6_against_inet_pton(void **state) {
  (void)state;
  /* the edges: group counts around eight with and without "::" and a
   * dotted tail, colons at either end, five digits, tails of every kind */
  static const char *const edges[] = {
      "::", ":", ":::", "::1", "1::", "1:", ":1", "1::2::3", "1:::2",
      "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::",
      "::1:2:3:4:5:6:7:8", "1:2:3::4:5:6:7", "1:2:3::4:5:6:7:8",
      "12345::", "::12345", "0000::00000", "ABCD:ef01::Ff",
      "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:1.2.3.4",
      "::1:2:3:4:5:6:1.2.3.4", "::1:2:3:4:5:1.2.3.4", "::1.2.3.4",
      "::ffff:1.2.3.4", "::ffff:01.2.3.4", "::ffff:1.2.3", "::ffff:1.2.3.4.5",
      "::ffff:256.1.1.1", "1.2.3.4::", "::1.2.3.4:1", "::a.2.3.4",
      "::ffff:1.2.3.", "0:0:0:0:0:FFFF:1.2.3.4", "::ffff:0102:0304",
      "fe80::1%eth0", "[::1]", "::1 ", " ::1", "::g", "1::2:"};
  for (size_t i = 0; i < AO_ARRAY_SIZE(edges); i++)
    v6_same(edges[i], strlen(edges[i]));

  static const char alphabet[] = "0123456789abcdefABCDEF::::::..0x ";
  uint64_t x = 0x9e3779b97f4a7c15ull;
  size_t good = 0, bad = 0;
  for (int round = 0; round < 300000; round++) {
    char text[96];
    size_t n;
    if (round % 3 == 0) {
      n = (size_t)(v6_rand(&x) % 47);
      for (size_t i = 0; i < n; i++)
        text[i] = alphabet[(v6_rand(&x) >> 5) % (sizeof(alphabet) - 1)];
    } else {
      n = v6_address(&x, text, 64);
      if (round % 3 == 2 && n > 0) { /* one byte changed, dropped or doubled */
        size_t at = (size_t)(v6_rand(&x) % n);
        switch (v6_rand(&x) % 3) {
        case 0:
          text[at] = alphabet[(v6_rand(&x) >> 5) % (sizeof(alphabet) - 1)];
          break;
        case 1:
          memmove(text + at, text + at + 1, n - at - 1);
          n--;
          break;
        default:
          memmove(text + at + 1, text + at, n - at);
          n++;
          break;
        }
      }
    }
    text[n] = '\0';
    /* a plain dotted quad is IPv4's, checked above */
    if (memchr(text, ':', n) == NULL)
      continue;
    if (v6_same(text, n))
      good++;
    else
      bad++;
  }
  assert_true(good > 50000 && bad > 50000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_table),
      cmocka_unit_test(test_parse_failure_leaves_output),
      cmocka_unit_test(test_parse_null_and_huge),
      cmocka_unit_test(test_v4_layout),
      cmocka_unit_test(test_mapped_same_key),
      cmocka_unit_test(test_special_table),
      cmocka_unit_test(test_format_bounds),
      cmocka_unit_test(test_v4_against_inet_pton),
      cmocka_unit_test(test_v6_against_inet_pton),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
