/*
 * ao_unjson.c - JSON string unescaping (see ao_unjson.h).
 */
#include "ao_unjson.h"

#include "ao_common.h"

/* The code unit of "\uXXXX" at in[i], or -1. */
static long ao_uj_unit(const char *in, size_t n, size_t i) {
  if (n - i < 6 || in[i] != '\\' || in[i + 1] != 'u')
    return -1;
  long v = 0;
  for (size_t k = 2; k < 6; k++) {
    int h = ao_hexval(in[i + k]);
    if (h < 0)
      return -1;
    v = v * 16 + h;
  }
  return v;
}

static size_t ao_uj_utf8(unsigned long cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

size_t ao_unjson(const char *in, size_t n, char *out) {
  size_t o = 0;
  size_t i = 0;
  while (i < n) {
    char c = in[i];
    if (c != '\\' || i + 1 >= n) {
      out[o++] = c;
      i++;
      continue;
    }
    char e = in[i + 1];
    char d = 0;
    switch (e) {
    case '"':
    case '\\':
    case '/':
      d = e;
      break;
    case 'b':
      d = '\b';
      break;
    case 'f':
      d = '\f';
      break;
    case 'n':
      d = '\n';
      break;
    case 'r':
      d = '\r';
      break;
    case 't':
      d = '\t';
      break;
    case 'u': {
      long u = ao_uj_unit(in, n, i);
      if (u < 0)
        break;
      if (u >= 0xD800 && u <= 0xDBFF) {
        long lo = ao_uj_unit(in, n, i + 6);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          unsigned long cp = 0x10000 + (((unsigned long)u - 0xD800) << 10) +
                             ((unsigned long)lo - 0xDC00);
          /* 12 bytes in, 4 out: the write position stays behind. */
          char tmp[4];
          size_t k = ao_uj_utf8(cp, tmp);
          for (size_t j = 0; j < k; j++)
            out[o++] = tmp[j];
          i += 12;
          continue;
        }
        break; /* a lone high surrogate: copied through */
      }
      if (u >= 0xDC00 && u <= 0xDFFF)
        break; /* a lone low surrogate */
      char tmp[4];
      size_t k = ao_uj_utf8((unsigned long)u, tmp);
      for (size_t j = 0; j < k; j++)
        out[o++] = tmp[j];
      i += 6;
      continue;
    }
    default:
      break;
    }
    if (d == 0 && e != 'u') {
      out[o++] = c; /* unknown escape: keep the backslash */
      i++;
      continue;
    }
    if (d == 0) { /* malformed \u */
      out[o++] = c;
      i++;
      continue;
    }
    out[o++] = d;
    i += 2;
  }
  return o;
}
