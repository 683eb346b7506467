/*
 * ao_xff.h - trusted proxies and the client behind them (X-Forwarded-For).
 *
 * DESCRIPTION
 *   A line's address field is the TCP peer. Behind a load balancer or CDN
 *   that is the proxy, and the client is in the X-Forwarded-For header,
 *   which every hop appends to and which the client itself can pre-fill
 *   with anything. The rule (nginx's realip with real_ip_recursive on):
 *     - TrustedProxy CIDRs list the proxies whose word is taken;
 *     - when the peer is trusted and the line has a forwarded-for value,
 *       entries are read from the right; the client is the first entry that
 *       is not itself trusted;
 *     - from an untrusted peer the header is ignored (a client that talks
 *       to us directly can write any header it likes);
 *     - at most AO_XFF_MAX_HOPS entries are read.
 *   Entries are separated by ',' and blanks, empty entries are skipped
 *   (as nginx does). An entry may carry a port ("1.2.3.4:5678",
 *   "[2001:db8::1]:443", "[2001:db8::1]"), as Azure and some proxies write.
 *
 *   Where the walk ends without an untrusted address, the client is
 *   unknown and the result is AO_XFF_UNKNOWN (the pipeline counts it under
 *   ZZ and addresses_invalid): an entry that is not an address ("unknown",
 *   "garbage", an obfuscated identifier), or 32 trusted entries in a row.
 *   (nginx would keep the last trusted proxy instead; attributing an attack
 *   to our own proxy's country would be wrong, so we say "unknown".) A
 *   chain made only of trusted entries (fewer than 32) yields its leftmost
 *   entry, as nginx does: the request came from inside.
 *
 *   Addresses are IPv4 or IPv6; an IPv4 CIDR also covers the v4-mapped
 *   form (::ffff:10.0.0.1 is 10.0.0.1, ao_ip).
 */
#ifndef AO_XFF_H
#define AO_XFF_H

#include "ao_common.h"
#include "ao_ip.h"

#include <stddef.h>

#define AO_XFF_MAX_HOPS 32

typedef struct ao_cidr {
  ao_ip_t net;   /* masked */
  unsigned bits; /* prefix length over the 128-bit (v4-mapped) address */
} ao_cidr_t;

/* Parses "10.0.0.0/8", "2001:db8::/32", or a single address (/32, /128).
 * Host bits set below the prefix are refused ("10.0.0.1/8": a typo for
 * /32 or a wrong prefix). Returns 0, or -1 with err filled. */
int ao_cidr_parse(const char *s, ao_cidr_t *out, ao_err_t *err);

/* 1 when ip is inside one of the n CIDRs. */
int ao_cidr_contains(const ao_cidr_t *list, size_t n, const ao_ip_t *ip);

typedef enum ao_xff_result {
  AO_XFF_PEER = 0, /* no walk: the peer is the client (untrusted peer, no
                      header, or no TrustedProxy); *out is the peer */
  AO_XFF_CLIENT,   /* the walk found the client; *out is it */
  AO_XFF_UNKNOWN,  /* the walk ended on garbage or the hop limit */
  AO_XFF_PEER_BAD, /* the peer field is not an address */
} ao_xff_result_t;

/* Resolves the client of a line: peer is the address field as logged,
 * xff the forwarded-for value (may be empty). *out is set for PEER and
 * CLIENT. Allocates nothing; reads at most AO_XFF_MAX_HOPS entries. */
ao_xff_result_t ao_xff_client(const ao_cidr_t *trusted, size_t ntrusted,
                              ao_slice_t peer, ao_slice_t xff, ao_ip_t *out);

#endif /* AO_XFF_H */
