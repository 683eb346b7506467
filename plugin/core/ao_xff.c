/*
 * ao_xff.c - trusted proxies and X-Forwarded-For (see ao_xff.h).
 */
#include "ao_xff.h"

#include <stdlib.h>
#include <string.h>

static void ao_cidr_mask(ao_ip_t *ip, unsigned bits) {
  for (unsigned i = 0; i < 16; i++) {
    unsigned lo = i * 8;
    if (bits >= lo + 8)
      continue;
    if (bits <= lo)
      ip->b[i] = 0;
    else
      ip->b[i] &= (uint8_t)(0xFFu << (8 - (bits - lo)));
  }
}

int ao_cidr_parse(const char *s, ao_cidr_t *out, ao_err_t *err) {
  size_t n = strlen(s);
  const char *slash = memchr(s, '/', n);
  size_t an = slash != NULL ? (size_t)(slash - s) : n;
  ao_ip_t ip;
  if (ao_ip_parse(s, an, &ip) != 0)
    return ao_err_set(err,
                      "\"%s\" is not an address or CIDR (e.g. "
                      "\"10.0.0.0/8\", \"2001:db8::/32\")",
                      s);
  /* "10.0.0.0/8" counts bits of IPv4; "::ffff:10.0.0.0/104" of IPv6. */
  int v4text = ip.v4 && memchr(s, ':', an) == NULL;
  unsigned max = v4text ? 32 : 128;
  unsigned bits = max;
  if (slash != NULL) {
    const char *p = slash + 1;
    if (*p == '\0')
      return ao_err_set(err, "\"%s\": missing prefix length after \"/\"", s);
    bits = 0;
    for (; *p != '\0'; p++) {
      if (*p < '0' || *p > '9' || bits > 128)
        return ao_err_set(err, "\"%s\": invalid prefix length", s);
      bits = bits * 10 + (unsigned)(*p - '0');
    }
    if (bits > max)
      return ao_err_set(err, "\"%s\": prefix length %u is above %u", s, bits,
                        max);
  }
  unsigned full = v4text ? bits + 96 : bits;
  ao_ip_t masked = ip;
  ao_cidr_mask(&masked, full);
  if (memcmp(masked.b, ip.b, 16) != 0)
    return ao_err_set(err,
                      "\"%s\": address bits are set below the /%u prefix "
                      "(did you mean the network address?)",
                      s, bits);
  out->net = masked;
  out->bits = full;
  return 0;
}

int ao_cidr_contains(const ao_cidr_t *list, size_t n, const ao_ip_t *ip) {
  for (size_t i = 0; i < n; i++) {
    ao_ip_t m = *ip;
    ao_cidr_mask(&m, list[i].bits);
    if (memcmp(m.b, list[i].net.b, 16) == 0)
      return 1;
  }
  return 0;
}

/* One entry: strips "[v6]", "[v6]:port" and "a.b.c.d:port". */
static int ao_xff_entry(const char *p, size_t n, ao_ip_t *out) {
  if (n >= 2 && p[0] == '[') {
    const char *close = memchr(p, ']', n);
    if (close == NULL)
      return -1;
    size_t rest = n - (size_t)(close - p) - 1;
    if (rest > 0) {
      if (close[1] != ':' || rest < 2)
        return -1;
      for (size_t i = 2; i <= rest; i++)
        if (close[i] < '0' || close[i] > '9')
          return -1;
    }
    return ao_ip_parse(p + 1, (size_t)(close - p) - 1, out);
  }
  const char *colon = memchr(p, ':', n);
  if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon - p) - 1) ==
                           NULL) { /* exactly one ':': IPv4 with a port */
    size_t an = (size_t)(colon - p);
    if (an + 1 == n)
      return -1;
    for (size_t i = an + 1; i < n; i++)
      if (p[i] < '0' || p[i] > '9')
        return -1;
    if (ao_ip_parse(p, an, out) != 0 || !out->v4)
      return -1;
    return 0;
  }
  return ao_ip_parse(p, n, out);
}

ao_xff_result_t ao_xff_client(const ao_cidr_t *trusted, size_t ntrusted,
                              ao_slice_t peer, ao_slice_t xff, ao_ip_t *out) {
  if (ao_ip_parse(peer.p, peer.n, out) != 0)
    return AO_XFF_PEER_BAD;
  if (ntrusted == 0 || xff.n == 0 || !ao_cidr_contains(trusted, ntrusted, out))
    return AO_XFF_PEER;
  const char *s = xff.p;
  size_t end = xff.n;
  ao_ip_t cur;
  int found = 0;
  for (unsigned hops = 0; hops < AO_XFF_MAX_HOPS; hops++) {
    while (end > 0 &&
           (s[end - 1] == ' ' || s[end - 1] == ',' || s[end - 1] == '\t'))
      end--;
    if (end == 0)
      break; /* every entry was trusted: the leftmost one */
    size_t b = end;
    while (b > 0 && s[b - 1] != ' ' && s[b - 1] != ',' && s[b - 1] != '\t')
      b--;
    if (ao_xff_entry(s + b, end - b, &cur) != 0)
      return AO_XFF_UNKNOWN;
    found = 1;
    if (!ao_cidr_contains(trusted, ntrusted, &cur)) {
      *out = cur;
      return AO_XFF_CLIENT;
    }
    end = b;
    if (hops + 1 == AO_XFF_MAX_HOPS) {
      /* more entries left of the 32nd: the limit, not the chain, ended */
      size_t e = end;
      while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == ',' || s[e - 1] == '\t'))
        e--;
      if (e > 0)
        return AO_XFF_UNKNOWN;
    }
  }
  if (!found)
    return AO_XFF_PEER;
  *out = cur;
  return AO_XFF_CLIENT;
}
