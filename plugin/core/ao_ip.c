/*
 * ao_ip.c - strict client-address parsing and address classes (see ao_ip.h).
 *
 * DESCRIPTION
 *   Log text is never handed to getaddrinfo() or MMDB_lookup_string(): with
 *   glibc those accept "010.0.0.1" (read as octal), "1.2.3" (shorthand),
 *   "2130706433" (an integer) and "fe80::1%999" (a zone id), so attacker
 *   text could be counted under somebody else's address
 *   (reliability-matrix finding 5). Addresses are read here, in the two
 *   strict text forms that inet_pton() knows and no other (test_ip checks
 *   both readers against glibc's inet_pton() on random strings).
 *
 *   POSIX does not say whether inet_pton(AF_INET) takes leading zeros
 *   ("01.2.3.4"). glibc and musl reject them, and so do we, without leaving
 *   it to a libc: dotted quads (alone or as the tail of an IPv6 address)
 *   have four parts, each 1-3 digits, no more than 255, and no leading
 *   zero. Each IPv4 address then has one spelling.
 *
 *   The 16-byte result is the cache and lookup key. IPv4 is stored as
 *   ::ffff:a.b.c.d. An IPv4-mapped IPv6 input gets the same bytes and v4=1,
 *   however it was written (::ffff:1.2.3.4, ::ffff:0102:0304,
 *   0:0:0:0:0:FFFF:1.2.3.4, ...). Other forms that embed an IPv4 address
 *   (IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo)
 *   stay IPv6; ao_ip_is_special() classes them all as special.
 */
#include "ao_ip.h"

#include "ao_common.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

/* The longest valid text form is
 * "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" (45 bytes), which is
 * INET6_ADDRSTRLEN minus its NUL. Anything longer cannot be an address. */
#define AO_IP_TEXT_MAX 45

/* A special-purpose block: a prefix of the 16-byte form. IPv4 blocks are
 * written in their mapped form (::ffff:0:0/96 + the IPv4 prefix), so one
 * table and one matcher cover both families. */
typedef struct ao_ip_block {
  uint8_t b[16];
  uint8_t bits;
} ao_ip_block_t;

static int ao_ip_dotted_quad(const char *s, size_t n, uint8_t out[4]);
static int ao_ip_is_mapped(const uint8_t b[16]);
static int ao_ip_v6(const char *s, size_t n, uint8_t out[16]);
static int ao_ip_in_block(const uint8_t a[16], const ao_ip_block_t *blk);

#define AO_V4(a, b, c, d, len)                                                 \
  { {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, (a), (b), (c), (d)}, 96 + (len) }
#define AO_H(x) (uint8_t)((x) >> 8), (uint8_t)((x)&0xff)
#define AO_V6(g0, g1, g2, g3, g4, g5, g6, g7, len)                             \
  {                                                                            \
    {AO_H(g0), AO_H(g1), AO_H(g2), AO_H(g3),                                   \
     AO_H(g4), AO_H(g5), AO_H(g6), AO_H(g7)},                                  \
        (len)                                                                  \
  }

/* The IPv4 blocks (a, b, c, d, prefix length), listed once: they go into
 * ao_ip_special[] in mapped form and into ao_ip_special_v4[] as 32-bit
 * network and mask, which ao_ip_is_special() uses for IPv4 addresses. */
#define AO_IP_V4_BLOCKS(X)                                                     \
  X(0, 0, 0, 0, 8)           /* "this network", RFC 791 */                     \
  X(10, 0, 0, 0, 8)          /* private, RFC 1918 */                           \
  X(100, 64, 0, 0, 10)       /* shared address space (CGNAT), RFC 6598 */      \
  X(127, 0, 0, 0, 8)         /* loopback, RFC 1122 */                          \
  X(169, 254, 0, 0, 16)      /* link-local, RFC 3927 */                        \
  X(172, 16, 0, 0, 12)       /* private, RFC 1918 */                           \
  X(192, 0, 0, 0, 24)        /* IETF protocol assignments, RFC 6890 */         \
  X(192, 0, 2, 0, 24)        /* documentation TEST-NET-1, RFC 5737 */          \
  X(192, 88, 99, 0, 24)      /* 6to4 relay anycast (deprecated), RFC 7526 */   \
  X(192, 168, 0, 0, 16)      /* private, RFC 1918 */                           \
  X(198, 18, 0, 0, 15)       /* benchmarking, RFC 2544 */                      \
  X(198, 51, 100, 0, 24)     /* documentation TEST-NET-2, RFC 5737 */          \
  X(203, 0, 113, 0, 24)      /* documentation TEST-NET-3, RFC 5737 */          \
  X(224, 0, 0, 0, 4)         /* multicast, RFC 5771 */                         \
  X(240, 0, 0, 0, 4)         /* reserved, RFC 1112 */                          \
  /* limited broadcast, RFC 919 (in 240/4, listed because the registry */     \
  /* does) */                                                                  \
  X(255, 255, 255, 255, 32)

#define AO_V4_ENTRY(a, b, c, d, len) AO_V4(a, b, c, d, len),

typedef struct ao_ip_block4 {
  uint32_t net, mask;
} ao_ip_block4_t;

#define AO_V4_MASKED(a, b, c, d, len)                                          \
  {((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 |           \
    (uint32_t)(d)) &                                                           \
       (uint32_t)(0xffffffffull << (32 - (len))),                              \
   (uint32_t)(0xffffffffull << (32 - (len)))},

static const ao_ip_block4_t ao_ip_special_v4[] = {
    AO_IP_V4_BLOCKS(AO_V4_MASKED)};

/* The first octets that some IPv4 block starts with, a bit each in four
 * words: most public addresses are answered by one bit test, without the
 * table. A block shorter than /8 covers 2^(8 - len) first octets (at most
 * 32 here: the mask below needs len >= 3, which each block asserts). */
#define AO_V4_LEN_OK(a, b, c, d, len)                                          \
  _Static_assert((len) >= 3, "a block shorter than /3");
AO_IP_V4_BLOCKS(AO_V4_LEN_OK)
#define AO_V4_MIN8(len) ((len) < 8 ? (len) : 8)
#define AO_V4_OCTETS(a, len)                                                   \
  (((1ull << (1u << (8 - AO_V4_MIN8(len)))) - 1ull) << ((a)&63))
#define AO_V4_W0(a, b, c, d, len) ((a) >> 6 == 0 ? AO_V4_OCTETS(a, len) : 0) |
#define AO_V4_W1(a, b, c, d, len) ((a) >> 6 == 1 ? AO_V4_OCTETS(a, len) : 0) |
#define AO_V4_W2(a, b, c, d, len) ((a) >> 6 == 2 ? AO_V4_OCTETS(a, len) : 0) |
#define AO_V4_W3(a, b, c, d, len) ((a) >> 6 == 3 ? AO_V4_OCTETS(a, len) : 0) |
static const uint64_t ao_ip_special_first[4] = {
    AO_IP_V4_BLOCKS(AO_V4_W0) 0, AO_IP_V4_BLOCKS(AO_V4_W1) 0,
    AO_IP_V4_BLOCKS(AO_V4_W2) 0, AO_IP_V4_BLOCKS(AO_V4_W3) 0};

/* Blocks that cannot be geolocated: the IANA IPv4 and IPv6 Special-Purpose
 * Address Registries (RFC 6890 and later updates), limited to entries that
 * are not "globally reachable". Globally reachable anycast entries (AS112
 * 192.31.196/24, 192.175.48/24 and 2620:4f:8000::/48, AMT 192.52.193/24)
 * are ordinary routable addresses and are left out. Where the registry
 * splits a block whose parts all carry the same verdict, the covering block
 * is listed (192.0.0/24, 2001::/23). */
static const ao_ip_block_t ao_ip_special[] = {
    AO_IP_V4_BLOCKS(AO_V4_ENTRY)

    /* --- IPv6 --- */
    AO_V6(0, 0, 0, 0, 0, 0, 0, 0, 128),        /* unspecified, RFC 4291 */
    AO_V6(0, 0, 0, 0, 0, 0, 0, 1, 128),        /* loopback, RFC 4291 */
    AO_V6(0x64, 0xff9b, 0, 0, 0, 0, 0, 0, 96), /* NAT64 well-known, RFC 6052 */
    AO_V6(0x64, 0xff9b, 1, 0, 0, 0, 0, 0, 48), /* NAT64 local-use, RFC 8215 */
    AO_V6(0x100, 0, 0, 0, 0, 0, 0, 0, 64),     /* discard-only, RFC 6666 */
    /* IETF protocol assignments, RFC 2928: Teredo 2001::/32 (RFC 4380),
     * benchmarking 2001:2::/48, ORCHIDv2 2001:20::/28, ... */
    AO_V6(0x2001, 0, 0, 0, 0, 0, 0, 0, 23),
    AO_V6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0, 32), /* documentation, RFC 3849 */
    /* 6to4, RFC 3056. The registry gives no global-reachability verdict.
     * It embeds an IPv4 address, but 6to4 relays are deprecated (RFC 7526)
     * and the embedded address is the tunnel end point, not necessarily
     * the client, so we do not geolocate it. */
    AO_V6(0x2002, 0, 0, 0, 0, 0, 0, 0, 16),
    AO_V6(0x3fff, 0, 0, 0, 0, 0, 0, 0, 20), /* documentation, RFC 9637 */
    AO_V6(0xfc00, 0, 0, 0, 0, 0, 0, 0, 7),  /* unique local, RFC 4193 */
    AO_V6(0xfe80, 0, 0, 0, 0, 0, 0, 0, 10), /* link-local, RFC 4291 */
    AO_V6(0xff00, 0, 0, 0, 0, 0, 0, 0, 8),  /* multicast, RFC 4291 */
};

int ao_ip_parse(const char *s, size_t n, ao_ip_t *out) {
  if (s == NULL || out == NULL || n == 0 || n > AO_IP_TEXT_MAX)
    return -1;
  /* IPv4, the common case: the strict dotted-quad reading below accepts
   * exactly what glibc's inet_pton(AF_INET) accepts (four parts of 1-3
   * digits, each at most 255, no leading zero; a NUL is no digit) and
   * yields the same bytes. */
  uint8_t quad[4];
  if (ao_ip_dotted_quad(s, n, quad)) {
    ao_ip_t ip;
    memset(&ip, 0, sizeof(ip));
    memcpy(ip.b + 12, quad, 4);
    ip.b[10] = 0xff;
    ip.b[11] = 0xff;
    ip.v4 = 1;
    *out = ip;
    return 0;
  }
  /* IPv6: exactly what glibc's inet_pton(AF_INET6) accepts, except a
   * dotted tail with a leading zero (the IPv4 rule), and the same bytes. */
  ao_ip_t ip;
  memset(&ip, 0, sizeof(ip));
  if (!ao_ip_v6(s, n, ip.b))
    return -1;
  ip.v4 = (uint8_t)ao_ip_is_mapped(ip.b);
  *out = ip;
  return 0;
}

/* The value of a hex digit, or 16. */
static unsigned ao_ip_hex(unsigned char c) {
  if (c - (unsigned)'0' <= 9u)
    return c - (unsigned)'0';
  c |= 0x20; /* 'A'-'F' to 'a'-'f'; no other byte lands there */
  return c - (unsigned)'a' <= 5u ? c - (unsigned)'a' + 10u : 16u;
}

/* RFC 4291's text forms: eight groups of 1 to 4 hex digits separated by
 * ':', one "::" standing for one or more zero groups, and a dotted quad
 * (strict, as for IPv4) in place of the last two groups. Fills out[16]. */
static int ao_ip_v6(const char *s, size_t n, uint8_t out[16]) {
  const unsigned char *u = (const unsigned char *)s;
  uint16_t g[8];
  size_t ng = 0, i = 0;
  int gap = -1; /* groups before the "::" */
  if (n >= 1 && u[0] == ':') {
    if (n < 2 || u[1] != ':')
      return 0;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    size_t start = i;
    unsigned v = 0, h;
    while (i < n && (h = ao_ip_hex(u[i])) < 16u) {
      if (i - start == 4)
        return 0; /* a fifth digit */
      v = v << 4 | h;
      i++;
    }
    if (i < n && u[i] == '.') {
      /* the dotted tail: it ends the text and takes two groups */
      uint8_t q[4];
      if (ng > 6 || !ao_ip_dotted_quad(s + start, n - start, q))
        return 0;
      g[ng++] = (uint16_t)(q[0] << 8 | q[1]);
      g[ng++] = (uint16_t)(q[2] << 8 | q[3]);
      i = n;
      break;
    }
    if (i == start || ng == 8)
      return 0; /* no digit, or a ninth group */
    g[ng++] = (uint16_t)v;
    if (i == n)
      break;
    if (u[i] != ':' || ++i == n)
      return 0; /* another byte, or a ':' at the end */
    if (u[i] == ':') {
      if (gap >= 0)
        return 0; /* a second "::" */
      gap = (int)ng;
      i++;
    }
  }
  size_t zeros = 8 - ng;
  if (gap < 0 ? zeros != 0 : zeros == 0)
    return 0; /* too few groups, or a "::" that stands for none */
  size_t k = 0;
  for (size_t j = 0; j < ng; j++) {
    if ((int)j == gap)
      k += zeros;
    out[2 * k] = (uint8_t)(g[j] >> 8);
    out[2 * k + 1] = (uint8_t)g[j];
    k++;
  }
  return 1;
}

int ao_ip_is_special(const ao_ip_t *ip) {
  /* Nothing to geolocate: treat as special rather than as a country. */
  if (ip == NULL)
    return 1;
  if (ao_ip_is_mapped(ip->b)) {
    /* An IPv4 address can only be in the IPv4 blocks (all of them in
     * ::ffff:0:0/96): one 32-bit compare under a mask each. */
    if (!((ao_ip_special_first[ip->b[12] >> 6] >> (ip->b[12] & 63)) & 1u))
      return 0;
    uint32_t a = (uint32_t)ip->b[12] << 24 | (uint32_t)ip->b[13] << 16 |
                 (uint32_t)ip->b[14] << 8 | ip->b[15];
    for (size_t i = 0; i < AO_ARRAY_SIZE(ao_ip_special_v4); i++)
      if ((a & ao_ip_special_v4[i].mask) == ao_ip_special_v4[i].net)
        return 1;
    return 0;
  }
  /* IANA has allocated only 2000::/3 as global unicast. Everything else in
   * IPv6 is reserved or special (including ::/8, the deprecated site-local
   * fec0::/10 and 5f00::/16 SRv6 SIDs), so it cannot be geolocated. The
   * bytes decide, not ip->v4: IPv4 lives in ::ffff:0:0/96, outside 2000::/3,
   * and was judged above. Asked first, it settles most special IPv6
   * addresses; in the table, a block of 8 bits or more whose first byte
   * differs from the address's is skipped after one compare. */
  if ((ip->b[0] & 0xe0) != 0x20)
    return 1;
  for (size_t i = 0; i < AO_ARRAY_SIZE(ao_ip_special); i++) {
    const ao_ip_block_t *blk = &ao_ip_special[i];
    if (blk->bits >= 8 && blk->b[0] != ip->b[0])
      continue;
    if (ao_ip_in_block(ip->b, blk))
      return 1;
  }
  return 0;
}

char *ao_ip_format(const ao_ip_t *ip, char buf[46]) {
  buf[0] = '\0';
  if (ip == NULL)
    return buf;
  const char *r = ip->v4 ? inet_ntop(AF_INET, ip->b + 12, buf, 46)
                         : inet_ntop(AF_INET6, ip->b, buf, 46);
  if (r == NULL)
    buf[0] = '\0';
  return buf;
}

/* 1 when s[0..n) is exactly four dot-separated decimal parts of 1-3 digits,
 * each 0..255, without leading zeros; writes the four bytes to out. */
static int ao_ip_dotted_quad(const char *s, size_t n, uint8_t out[4]) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || u[i] != '.')
        return 0;
      i++;
    }
    /* one to three digits, unrolled; no digit after a leading "0" */
    unsigned d, v;
    if (i >= n || (v = u[i] - (unsigned)'0') > 9u)
      return 0;
    i++;
    if (i < n && (d = u[i] - (unsigned)'0') <= 9u) {
      if (v == 0)
        return 0;
      v = v * 10u + d;
      i++;
      if (i < n && (d = u[i] - (unsigned)'0') <= 9u) {
        v = v * 10u + d;
        i++;
      }
    }
    if (v > 255u)
      return 0;
    out[part] = (uint8_t)v;
  }
  /* A fourth digit, or anything after the fourth part, is left over. */
  return i == n;
}

static int ao_ip_is_mapped(const uint8_t b[16]) {
  static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return memcmp(b, prefix, sizeof(prefix)) == 0;
}

static int ao_ip_in_block(const uint8_t a[16], const ao_ip_block_t *blk) {
  unsigned whole = blk->bits / 8u;
  unsigned rest = blk->bits % 8u;
  if (memcmp(a, blk->b, whole) != 0)
    return 0;
  if (rest == 0)
    return 1;
  uint8_t mask = (uint8_t)(0xffu << (8u - rest));
  return (a[whole] & mask) == (blk->b[whole] & mask);
}
