/*
 * ao_ip.h - strict client-address parsing and address classes.
 *
 * DESCRIPTION
 *   Addresses in logs are attacker-influenced text. They are parsed once,
 *   strictly, with inet_pton(): dotted-quad IPv4 with exactly four decimal
 *   parts and no leading zeros ("010.0.0.1", "127.1", "0x7f.0.0.1" and
 *   "2130706433" are rejected, never reinterpreted as octal, shorthand or
 *   integers), and RFC 4291 IPv6 text without brackets, ports or zone ids.
 *   An IPv4-mapped IPv6 address (::ffff:a.b.c.d) *is* the IPv4 address: it
 *   gets the same key, so a client is never counted under two keys.
 *
 *   The result is 16 bytes in network order: IPv4 as ::ffff:a.b.c.d with
 *   `v4` set, which is also the form the GeoIP cache hashes.
 */
#ifndef AO_IP_H
#define AO_IP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ao_ip {
  uint8_t b[16]; /* IPv6 bytes; IPv4 as ::ffff:a.b.c.d */
  uint8_t v4;    /* 1 for IPv4 (including v4-mapped input) */
} ao_ip_t;

/* Parses s[0..n) (not NUL-terminated; at most 45 bytes are considered).
 * Returns 0 and fills *out, or -1 for anything that is not a valid address.
 * Never allocates. */
int ao_ip_parse(const char *s, size_t n, ao_ip_t *out);

/* 1 when the address is not routable on the public internet and so cannot
 * be geolocated: private (RFC 1918, fc00::/7), loopback, link-local,
 * unspecified, CGNAT 100.64/10, benchmarking, documentation, multicast,
 * reserved 240/4 and broadcast, and the other special-purpose blocks of the
 * IANA registries. 0 otherwise. */
int ao_ip_is_special(const ao_ip_t *ip);

/* Writes the canonical text (inet_ntop; IPv4 as a.b.c.d) into buf, which
 * must hold 46 bytes. Returns buf. */
char *ao_ip_format(const ao_ip_t *ip, char buf[46]);

#endif /* AO_IP_H */
