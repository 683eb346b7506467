/*
 * fuzz_ip.c - strict address parsing (ao_ip).
 *
 * Input: the text of an address as a log would hold it (any bytes).
 * Properties:
 *   - ao_ip_parse() accepts exactly what inet_pton() accepts for AF_INET or
 *     AF_INET6, minus dotted quads with leading zeros, and yields the same
 *     bytes (IPv4 as ::ffff:a.b.c.d) - so no lenient form (octal, shorthand,
 *     integer, zone id, brackets, port) can ever slip through;
 *   - v4 is set exactly for IPv4-mapped bytes;
 *   - the canonical text (ao_ip_format) parses back to the same key;
 *   - a failed parse leaves the output untouched.
 */
#include "fuzz.h"

#include "ao_ip.h"

#include <arpa/inet.h>
#include <string.h>

static int leading_zero_quad(const char *s) {
  /* A part of a trailing dotted quad written with a leading zero. */
  const char *q = strrchr(s, ':');
  q = q ? q + 1 : s;
  if (strchr(q, '.') == NULL)
    return 0;
  for (const char *p = q; *p; p++)
    if (*p == '0' && (p == q || p[-1] == '.') && p[1] >= '0' && p[1] <= '9')
      return 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ao_ip_t ip, before;
  memset(&ip, 0xA5, sizeof(ip));
  before = ip;
  char *text = malloc(size ? size : 1);
  FUZZ_CHECK(text != NULL);
  memcpy(text, data, size);
  int rc = ao_ip_parse(text, size, &ip);

  /* The reference: inet_pton on a NUL-terminated copy. */
  int ref = 0;
  uint8_t want[16];
  memset(want, 0, sizeof(want));
  if (size <= 64 && memchr(data, 0, size) == NULL) {
    char z[65];
    memcpy(z, data, size);
    z[size] = '\0';
    uint8_t v4[4];
    if (inet_pton(AF_INET, z, v4) == 1) {
      want[10] = want[11] = 0xff;
      memcpy(want + 12, v4, 4);
      ref = 1;
    } else if (inet_pton(AF_INET6, z, want) == 1) {
      ref = 1;
    }
    if (ref && leading_zero_quad(z))
      ref = 0; /* ao_ip's own rule, stricter than POSIX requires */
  }
  FUZZ_CHECK((rc == 0) == (ref == 1));

  if (rc != 0) {
    FUZZ_CHECK(memcmp(&ip, &before, sizeof(ip)) == 0);
  } else {
    FUZZ_CHECK(memcmp(ip.b, want, 16) == 0);
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    FUZZ_CHECK(ip.v4 == (memcmp(ip.b, mapped, 12) == 0));
    char buf[46];
    ao_ip_format(&ip, buf);
    ao_ip_t again;
    FUZZ_CHECK(ao_ip_parse(buf, strlen(buf), &again) == 0);
    FUZZ_CHECK(memcmp(again.b, ip.b, 16) == 0 && again.v4 == ip.v4);
    (void)ao_ip_is_special(&ip);
  }
  free(text);
  return 0;
}
