/*
 * ao_country.h - ISO 3166-1 alpha-2 codes as small dense indexes.
 *
 * DESCRIPTION
 *   A country is an index 0..675: (first letter - 'A') * 26 + (second - 'A').
 *   Every [A-Z]{2} code has a slot, so counting is an array increment and
 *   no code from a database or a log can become anything but two upper-case
 *   letters in a metric identifier. "ZZ" (index 675) is the unknown country:
 *   addresses the database lacks, private and reserved addresses, invalid
 *   addresses and lookup errors.
 */
#ifndef AO_COUNTRY_H
#define AO_COUNTRY_H

#include <stddef.h>
#include <stdint.h>

#define AO_COUNTRY_COUNT 676
#define AO_COUNTRY_ZZ 675

typedef uint16_t ao_country_t;

/* Maps a code to its index. Accepts exactly two ASCII letters of either case
 * (databases store upper case; lower case is folded). Anything else - one
 * letter, three, digits, "G.", a NUL - gives AO_COUNTRY_ZZ and returns -1. */
static inline int ao_country_from_code(const char *s, size_t n,
                                       ao_country_t *out) {
  *out = AO_COUNTRY_ZZ;
  if (n != 2)
    return -1;
  unsigned a = (unsigned char)s[0] | 0x20u, b = (unsigned char)s[1] | 0x20u;
  if (a < 'a' || a > 'z' || b < 'a' || b > 'z')
    return -1;
  *out = (ao_country_t)((a - 'a') * 26u + (b - 'a'));
  return 0;
}

/* Writes the upper-case code and a NUL into buf[3]. */
static inline void ao_country_code(ao_country_t c, char buf[3]) {
  if (c >= AO_COUNTRY_COUNT)
    c = AO_COUNTRY_ZZ;
  buf[0] = (char)('A' + c / 26);
  buf[1] = (char)('A' + c % 26);
  buf[2] = '\0';
}

#endif /* AO_COUNTRY_H */
