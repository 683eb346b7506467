/*
 * ao_signatures.c - lookup of the built-in phrase lists (see
 * ao_signatures.h; the lists themselves are generated into
 * build/gen/ao_signatures_data.c).
 */
#include "ao_signatures.h"

#include <string.h>

const ao_siglist_t *ao_siglist_builtin(const char *name) {
  for (size_t i = 0; i < ao_builtin_siglist_count; i++)
    if (strcmp(ao_builtin_siglists[i].name, name) == 0)
      return &ao_builtin_siglists[i];
  return NULL;
}

static int alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}
static int alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

size_t ao_phrase_compile(const char *raw, int path, char *out,
                         unsigned *flags) {
  size_t n = strlen(raw);
  unsigned f = 0;
  const char *p = raw;
  if (path && n > 1 && p[0] == '^' && p[1] == '/') {
    f |= AO_PH_ROOT;
    p++;
    n--;
  }
  if (path && n == 1 && p[0] == '/')
    return 0; /* "/" or "^/" would match every request */
  if (path && p[0] == '/') {
    f |= AO_PH_NAME;
    if (n > 1 && p[n - 1] == '/') {
      f = (f & ~(unsigned)AO_PH_NAME) | AO_PH_SEGMENT;
      n--;
    }
  }
  if (n == 0 || n > AO_PHRASE_MAX)
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  out[n] = '\0';
  if (!(f & (AO_PH_NAME | AO_PH_SEGMENT)) && n <= AO_PHRASE_TOKEN_MAX)
    f |= AO_PH_TOKEN;
  *flags = f;
  return n;
}

int ao_phrase_hit(const char *t, size_t n, size_t b, size_t e,
                  unsigned flags) {
  unsigned char after = e < n ? (unsigned char)t[e] : 0;
  if (flags & AO_PH_ROOT && b != 0)
    return 0;
  if (flags & AO_PH_SEGMENT)
    return e >= n || after == '/' || after == ';';
  if (flags & AO_PH_NAME)
    return e >= n || !alnum(after);
  if (flags & AO_PH_TOKEN)
    return (b == 0 || !alnum((unsigned char)t[b - 1])) &&
           (e >= n || !alpha(after));
  return 1;
}
