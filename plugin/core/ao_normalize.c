/*
 * ao_normalize.c - decoding layers for the classifier (see ao_normalize.h).
 *
 * Every loop below reads each input byte a bounded number of times and
 * writes at a position that never passes the read position, which is what
 * makes in-place use and the "output <= input" guarantee hold. The only
 * step that moves backwards is the ".." resolution of ao_norm_path(), which
 * erases bytes it wrote earlier: every output byte is erased at most once,
 * so the whole call stays linear.
 */
#include "ao_normalize.h"

#include "ao_bytescan.h"
#include "ao_common.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

static inline unsigned char lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static inline int is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

/* Writes the UTF-8 form of a BMP code point; returns its length (1..3). */
static size_t put_utf8(unsigned cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  out[0] = (char)(0xe0 | (cp >> 12));
  out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
  out[2] = (char)(0x80 | (cp & 0x3f));
  return 3;
}

size_t ao_norm_unescape_log(const char *in, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)in[i];
    if (c == '\\' && i + 1 < n) {
      unsigned char e = (unsigned char)in[i + 1];
      int h1, h2;
      if (e == 'x' && i + 3 < n &&
          (h1 = ao_hexval((unsigned char)in[i + 2])) >= 0 &&
          (h2 = ao_hexval((unsigned char)in[i + 3])) >= 0) {
        out[o++] = (char)(h1 << 4 | h2);
        i += 4;
        continue;
      }
      char r = 0;
      switch (e) {
      case '"':
        r = '"';
        break;
      case '\\':
        r = '\\';
        break;
      case 'n':
        r = '\n';
        break;
      case 't':
        r = '\t';
        break;
      case 'r':
        r = '\r';
        break;
      case 'v':
        r = '\v';
        break;
      case 'f':
        r = '\f';
        break;
      case 'b':
        r = '\b';
        break;
      default:
        break;
      }
      if (r != 0) {
        out[o++] = r;
        i += 2;
        continue;
      }
    }
    out[o++] = (char)c;
    i++;
  }
  return o;
}

/* 0x80 in each byte of w that is c, 0 in the others (exact: no carry
 * crosses a byte). */
static inline uint64_t swar_eq(uint64_t w, unsigned char c) {
  const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
  uint64_t x = w ^ (0x0101010101010101ull * c);
  return ~(((x & low7) + low7) | x) & ~low7;
}

size_t ao_norm_pct_round(const char *in, size_t n, char *out, unsigned flags,
                         size_t *decoded) {
  size_t o = 0, cnt = 0;
  const int plus = (flags & AO_NORM_PLUS) != 0;
  /* Whole blocks may be stored only where out cannot overlap what is still
   * to be read: a block stored at o <= i reaches past i when earlier
   * escapes shrank the text. */
  const uintptr_t ib = (uintptr_t)in, ob = (uintptr_t)out;
  const int apart = ob + n <= ib || ib + n <= ob;
  /* 8-byte words are stored only when wholly read (they hold no '%'):
   * with out at or before in (in place), out + o <= in + i, so a word
   * never reaches what is still to be read */
  const int words = apart || ob <= ib;
  for (size_t i = 0; i < n;) {
#if AO_BYTESCAN_SSE2
    /* 16 bytes at a time up to the next '%', '+' turned into a space where
     * it is one: the common case, text with few or no escapes */
    while (apart && n - i >= 16) {
      __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
      unsigned m = (unsigned)_mm_movemask_epi8(
          _mm_cmpeq_epi8(x, _mm_set1_epi8('%')));
      if (plus)
        x = _mm_xor_si128(x, _mm_and_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('+')),
                                           _mm_set1_epi8('+' ^ ' ')));
      _mm_storeu_si128((__m128i *)(void *)(out + o), x);
      size_t k = m != 0 ? AO_BS_CTZ32(m) : 16;
      i += k;
      o += k;
      if (m != 0)
        break;
    }
    if (i >= n)
      break;
#endif
    /* 8 bytes at a time while none is a '%' (short texts, the rest after
     * the blocks, and in place), '+' turned into a space where it is one */
    while (words && n - i >= 8) {
      uint64_t w;
      memcpy(&w, in + i, 8);
      if (swar_eq(w, '%') != 0)
        break;
      if (plus) /* 0x01 per '+', times '+' ^ ' ': no carry */
        w ^= (swar_eq(w, '+') >> 7) * (uint64_t)('+' ^ ' ');
      memcpy(out + o, &w, 8);
      i += 8;
      o += 8;
    }
    if (i >= n)
      break;
    unsigned char c = (unsigned char)in[i];
    if (c == '%') {
      int h1, h2;
      if (i + 2 < n && (h1 = ao_hexval((unsigned char)in[i + 1])) >= 0 &&
          (h2 = ao_hexval((unsigned char)in[i + 2])) >= 0) {
        out[o++] = (char)(h1 << 4 | h2);
        i += 3;
        cnt++;
        continue;
      }
      if (i + 5 < n && (in[i + 1] == 'u' || in[i + 1] == 'U')) {
        int d0 = ao_hexval((unsigned char)in[i + 2]);
        int d1 = ao_hexval((unsigned char)in[i + 3]);
        int d2 = ao_hexval((unsigned char)in[i + 4]);
        int d3 = ao_hexval((unsigned char)in[i + 5]);
        if ((d0 | d1 | d2 | d3) >= 0) {
          unsigned cp = (unsigned)(d0 << 12 | d1 << 8 | d2 << 4 | d3);
          o += put_utf8(cp, out + o);
          i += 6;
          cnt++;
          continue;
        }
      }
    } else if (c == '+' && (flags & AO_NORM_PLUS)) {
      out[o++] = ' ';
      i++;
      continue;
    }
    out[o++] = (char)c;
    i++;
  }
  if (decoded != NULL)
    *decoded = cnt;
  return o;
}

/* Is in[i..] ".ext" (1..5 alphanumerics) followed by a separator or the
 * end? That is the shape of the suffix a NUL byte is meant to cut off
 * (`../../etc/passwd%00.jpg`). */
static int is_ext_tail(const char *in, size_t n, size_t i) {
  if (i >= n || in[i] != '.')
    return 0;
  size_t k = i + 1;
  while (k < n && k - i <= 5 && is_alnum((unsigned char)in[k]))
    k++;
  if (k == i + 1 || k - i > 5)
    return 0;
  return k == n || !is_alnum((unsigned char)in[k]);
}

/* ASCII lower-case table; 0 for NUL and the bytes >= 0x80, which take the
 * slow path. */
static const unsigned char fold_tab[256] = {
#define R8(b) (b), (b) + 1, (b) + 2, (b) + 3, (b) + 4, (b) + 5, (b) + 6, (b) + 7
    0,      1,      2,      3,       4,       5,       6,   7,   R8(8),
    R8(16), R8(24), R8(32), R8(40),  R8(48),  R8(56),  64,  'a', 'b',
    'c',    'd',    'e',    'f',     'g',     'h',     'i', 'j', 'k',
    'l',    'm',    'n',    'o',     'p',     'q',     'r', 's', 't',
    'u',    'v',    'w',    'x',     'y',     'z',     91,  92,  93,
    94,     95,     R8(96), R8(104), R8(112), R8(120),
#undef R8
};

/* 8 bytes of plain ASCII (no NUL, nothing >= 0x80) folded at once in a
 * 64-bit word, for the short texts (a query parameter) the 16-byte path
 * never sees: returns 0, storing nothing, when a byte needs the slow
 * path. No byte's arithmetic carries into the next (every byte is below
 * 0x80 and the addends below 0x40), so the word's byte order does not
 * matter. */
static inline int fold8(const char *in, char *out) {
  const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
  uint64_t w;
  memcpy(&w, in, 8);
  if ((w & high) != 0 || ((w - ones) & ~w & high) != 0)
    return 0;
  /* bit 7 of a byte b: b >= 'A' in ge_a, b > 'Z' in gt_z */
  uint64_t ge_a = w + ones * (0x80 - 'A');
  uint64_t gt_z = w + ones * (0x80 - 'Z' - 1);
  w |= (ge_a & ~gt_z & high) >> 2; /* 0x20: the lower-case bit */
  memcpy(out, &w, 8);
  return 1;
}

size_t ao_norm_fold(const char *in, size_t n, char *out, unsigned *info) {
  size_t o = 0;
  unsigned fl = 0;
  for (size_t i = 0; i < n;) {
#if AO_BYTESCAN_SSE2
    /* fastest path: 16 bytes of plain ASCII (no NUL, nothing >= 0x80) at a
     * time, folded with two compares and an add. The block is loaded
     * before anything is stored, and o never passes i, so in == out
     * works. */
    while (n - i >= 16) {
      __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
      __m128i odd = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_setzero_si128()), x);
      if (_mm_movemask_epi8(odd) != 0)
        break;
      __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)),
                                    _mm_cmplt_epi8(x, _mm_set1_epi8('Z' + 1)));
      x = _mm_add_epi8(x, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
      _mm_storeu_si128((__m128i *)(void *)(out + o), x);
      i += 16;
      o += 16;
    }
#endif
    while (n - i >= 8 && fold8(in + i, out + o)) {
      i += 8;
      o += 8;
    }
    /* a tail of 1 to 7 bytes: the text's last 8 bytes at once, when it
     * has 8 and nothing has shrunk it so far (o == i), so that they go to
     * the same place in out: the bytes before i are folded again to what
     * they already are (also in place, in == out) */
    if (i < n && n - i < 8 && n >= 8 && o == i &&
        fold8(in + n - 8, out + n - 8)) {
      o = i = n;
      break;
    }
    /* fast path: a run of plain ASCII (the whole field, almost always) */
    unsigned char f;
    while (i < n && (f = fold_tab[(unsigned char)in[i]]) != 0) {
      out[o++] = (char)f;
      i++;
    }
    if (i >= n)
      break;
    unsigned char c = (unsigned char)in[i];
    if (c < 0x80) {
      if (c == 0) {
        fl |= AO_NORM_NUL;
        if (is_ext_tail(in, n, i + 1))
          fl |= AO_NORM_NUL_TAIL;
        i++;
        continue;
      }
      out[o++] = (char)lower(c);
      i++;
      continue;
    }
    /* Overlong encodings of ASCII: decoders that do not reject them turn
     * `c0 af` into '/', which is how `%c0%af` traversals got past filters
     * looking for "../". */
    unsigned char c1 = i + 1 < n ? (unsigned char)in[i + 1] : 0;
    unsigned char c2 = i + 2 < n ? (unsigned char)in[i + 2] : 0;
    unsigned char c3 = i + 3 < n ? (unsigned char)in[i + 3] : 0;
    if ((c == 0xc0 || c == 0xc1) && (c1 & 0xc0) == 0x80) {
      unsigned cp = (unsigned)(c & 0x1f) << 6 | (c1 & 0x3f);
      if (cp != 0)
        out[o++] = (char)lower((unsigned char)cp);
      i += 2;
      continue;
    }
    if (c == 0xe0 && (c1 & 0xe0) == 0x80 && (c2 & 0xc0) == 0x80) {
      unsigned cp = (unsigned)(c1 & 0x3f) << 6 | (c2 & 0x3f);
      if (cp < 0x80) {
        if (cp != 0)
          out[o++] = (char)lower((unsigned char)cp);
        i += 3;
        continue;
      }
    }
    if (c == 0xf0 && (c1 & 0xf0) == 0x80 && (c2 & 0xc0) == 0x80 &&
        (c3 & 0xc0) == 0x80) {
      unsigned cp = (unsigned)(c2 & 0x3f) << 6 | (c3 & 0x3f);
      if ((c1 & 0x0f) == 0 && cp < 0x80) {
        if (cp != 0)
          out[o++] = (char)lower((unsigned char)cp);
        i += 4;
        continue;
      }
    }
    /* Full-width forms U+FF01..U+FF5E (ef bc 81 .. ef bd 9e) are the ASCII
     * range shifted by 0xfee0; some servers and frameworks fold them back
     * (NFKC), which makes `%uff0e%uff0e%uff0f` a "../". */
    if (c == 0xef && (c1 == 0xbc || c1 == 0xbd) && (c2 & 0xc0) == 0x80) {
      unsigned cp = 0xf000u | (unsigned)(c1 & 0x3f) << 6 | (c2 & 0x3f);
      if (cp >= 0xff01 && cp <= 0xff5e) {
        out[o++] = (char)lower((unsigned char)(cp - 0xfee0));
        i += 3;
        continue;
      }
    }
    /* Division slash and set minus look like '/' and '\' and are folded
     * to them by the same normalisations. */
    if (c == 0xe2 && c1 == 0x88 && (c2 == 0x95 || c2 == 0x96)) {
      out[o++] = c2 == 0x95 ? '/' : '\\';
      i += 3;
      continue;
    }
    out[o++] = (char)c;
    i++;
  }
  if (info != NULL)
    *info |= fl;
  return o;
}

/* Is there still a decodable escape? */
static int has_pct_escape(const char *s, size_t n) {
  for (size_t i = 0; i + 2 < n; i++)
    if (s[i] == '%' && ((ao_hexval((unsigned char)s[i + 1]) >= 0 &&
                         ao_hexval((unsigned char)s[i + 2]) >= 0) ||
                        s[i + 1] == 'u' || s[i + 1] == 'U'))
      return 1;
  return 0;
}

size_t ao_norm_url(const char *in, size_t n, char *out, unsigned flags,
                   unsigned rounds, unsigned *info) {
  size_t len = n;
  size_t decoded = 0;
  /* nothing to decode: fold straight from the input (the common case) */
  if (ao_find2(in, n, '%', (flags & AO_NORM_PLUS) ? '+' : '%') == n)
    return ao_norm_fold(in, n, out, info);
  if (rounds == 0) {
    if (in != out)
      memmove(out, in, n);
  } else {
    len = ao_norm_pct_round(in, n, out, flags, &decoded);
    for (unsigned r = 1; r < rounds && decoded > 0; r++)
      len = ao_norm_pct_round(out, len, out, 0, &decoded);
    if (decoded > 0 && info != NULL && has_pct_escape(out, len))
      *info |= AO_NORM_DEEP;
  }
  return ao_norm_fold(out, len, out, info);
}

/* --- HTML character references ------------------------------------------ */

typedef struct html_name {
  const char *name;
  char c; /* '\t' and '\n' are dropped like the raw characters */
  unsigned char len;
} html_name_t;

#define HN(s, c)                                                               \
  { s, c, sizeof(s) - 1 }

/* The named references that stand for the ASCII characters XSS payloads
 * are built from (HTML5 added most of these, which is why filters written
 * for HTML4 missed `javascript&colon;`). */
static const html_name_t html_names[] = {
    HN("lt", '<'),     HN("gt", '>'),       HN("amp", '&'),
    HN("quot", '"'),   HN("apos", '\''),    HN("colon", ':'),
    HN("tab", '\t'),   HN("newline", '\n'), HN("lpar", '('),
    HN("rpar", ')'),   HN("sol", '/'),      HN("bsol", '\\'),
    HN("semi", ';'),   HN("comma", ','),    HN("period", '.'),
    HN("excl", '!'),   HN("num", '#'),      HN("equals", '='),
    HN("grave", '`'),  HN("lsqb", '['),     HN("rsqb", ']'),
    HN("lcub", '{'),   HN("rcub", '}'),     HN("lbrack", '['),
    HN("rbrack", ']'), HN("lbrace", '{'),   HN("rbrace", '}'),
    HN("plus", '+'),   HN("dollar", '$'),   HN("percnt", '%'),
    HN("ast", '*'),    HN("quest", '?'),
};

/* The four references browsers also decode without a ';' and as a prefix
 * of a longer word ("&ltscript"). */
static const html_name_t html_legacy[] = {HN("quot", '"'), HN("amp", '&'),
                                          HN("lt", '<'), HN("gt", '>')};

static int name_eq(const char *s, size_t n, const html_name_t *h) {
  if (h->len != n)
    return 0;
  const char *name = h->name;
  for (size_t i = 0; i < n; i++)
    if (lower((unsigned char)s[i]) != (unsigned char)name[i])
      return 0;
  return 1;
}

static int name_prefix(const char *s, size_t n, const html_name_t *h) {
  size_t k = h->len;
  const char *name = h->name;
  if (k > n)
    return 0;
  for (size_t i = 0; i < k; i++)
    if (lower((unsigned char)s[i]) != (unsigned char)name[i])
      return 0;
  return 1;
}

/* Bit k: some name (of either table) starts with 'a' + k; and per first
 * letter, which entries of html_names start with it (bit j: entry j). */
static uint32_t html_firsts;
static uint64_t html_by_first[26];
static pthread_once_t firsts_once = PTHREAD_ONCE_INIT;
_Static_assert(AO_ARRAY_SIZE(html_names) <= 64, "html_by_first holds 64");

static void firsts_init(void) {
  for (size_t j = 0; j < AO_ARRAY_SIZE(html_names); j++) {
    html_firsts |= 1u << (html_names[j].name[0] - 'a');
    html_by_first[html_names[j].name[0] - 'a'] |= (uint64_t)1 << j;
  }
  for (size_t j = 0; j < AO_ARRAY_SIZE(html_legacy); j++)
    html_firsts |= 1u << (html_legacy[j].name[0] - 'a');
}

/* Decodes one reference at in[i] == '&'. Returns the number of bytes it
 * used (0: not a reference) and the character in *c (-1: consumed, but
 * stands for nothing ASCII; the caller copies it through). */
static size_t html_ref(const char *in, size_t n, size_t i, int *c) {
  size_t k = i + 1;
  if (k < n && in[k] == '#') {
    k++;
    int hex = 0;
    if (k < n && (in[k] == 'x' || in[k] == 'X')) {
      hex = 1;
      k++;
    }
    size_t d0 = k;
    unsigned long v = 0;
    while (k < n) {
      int h = hex ? ao_hexval((unsigned char)in[k])
                  : ((in[k] >= '0' && in[k] <= '9') ? in[k] - '0' : -1);
      if (h < 0)
        break;
      v = v * (hex ? 16u : 10u) + (unsigned)h;
      if (v > 0x110000u)
        v = 0x110000u; /* saturate: leading digits cannot wrap it to '<' */
      k++;
    }
    if (k == d0)
      return 0;
    if (k < n && in[k] == ';')
      k++;
    *c = v < 0x80 ? (int)v : -1;
    return k - i;
  }
  size_t s = k;
  /* A named reference starts with the first letter of one of the names:
   * the query separators in "&page=2&utm_x" mostly stop here, before any
   * name is compared. (html_firsts is set: see the callers.) */
  unsigned char f0 = k < n ? lower((unsigned char)in[k]) : 0;
  if (f0 < 'a' || f0 > 'z' || !((html_firsts >> (f0 - 'a')) & 1u))
    return 0;
  while (k < n && k - s < 10 &&
         ((in[k] >= 'a' && in[k] <= 'z') || (in[k] >= 'A' && in[k] <= 'Z')))
    k++;
  size_t len = k - s;
  if (len == 0)
    return 0;
  for (uint64_t m = html_by_first[f0 - 'a']; m != 0; m &= m - 1) {
    size_t j = AO_BS_CTZ64(m);
    if (name_eq(in + s, len, &html_names[j])) {
      if (k < n && in[k] == ';')
        k++;
      *c = (unsigned char)html_names[j].c;
      return k - i;
    }
  }
  for (size_t j = 0; j < AO_ARRAY_SIZE(html_legacy); j++) {
    if ((unsigned char)html_legacy[j].name[0] != f0)
      continue;
    if (name_prefix(in + s, len, &html_legacy[j])) {
      *c = (unsigned char)html_legacy[j].c;
      return 1u + html_legacy[j].len;
    }
  }
  return 0;
}

/* 1 for TAB, LF, VT, FF, CR and '&': the bytes ao_norm_html_changes()
 * looks at (VT and FF come with the SIMD range compare and are passed
 * over by the caller). */
static const uint8_t html_special[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, ['&'] = 1};

#if AO_BYTESCAN_SSE2
static inline unsigned html_special_block(const char *p) {
  __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i ctl = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('\t' - 1)),
                              _mm_cmplt_epi8(x, _mm_set1_epi8('\r' + 1)));
  return (unsigned)_mm_movemask_epi8(
      _mm_or_si128(ctl, _mm_cmpeq_epi8(x, _mm_set1_epi8('&'))));
}
#endif

/* Bit k set: in[base + k] is one of html_special (k < 16, base + k < n).
 * Never reads outside in[0..n). */
static unsigned html_special_mask(const char *in, size_t n, size_t base) {
  size_t len = n - base < 16 ? n - base : 16;
#if AO_BYTESCAN_SSE2
  if (len == 16)
    return html_special_block(in + base);
  if (n >= 16) /* the last 16 bytes, those before base masked off */
    return html_special_block(in + n - 16) >> (16 - len);
#endif
  unsigned m = 0;
  for (size_t k = 0; k < len; k++)
    m |= (unsigned)html_special[(unsigned char)in[base + k]] << k;
  return m;
}

int ao_norm_html_changes(const char *in, size_t n) {
  /* TAB, LF or CR anywhere, or a reference at some '&': one pass over
   * both, 16 bytes at a time, visiting only the bytes that matter */
  int ready = 0; /* html_firsts is set */
  for (size_t base = 0; base < n; base += 16) {
    for (unsigned m = html_special_mask(in, n, base); m != 0; m &= m - 1) {
      size_t i = base + AO_BS_CTZ32(m);
      unsigned char c = (unsigned char)in[i];
      if (c == '\t' || c == '\n' || c == '\r')
        return 1;
      if (c != '&')
        continue;
      if (!ready) { /* once per call, not per '&' */
        pthread_once(&firsts_once, firsts_init);
        ready = 1;
      }
      /* html_ref()'s own first test, here: the '&' between parameters
       * ("&utm_medium=", "&q=") mostly starts no reference, and costs no
       * call then */
      unsigned char f = i + 1 < n ? lower((unsigned char)in[i + 1]) : 0;
      if (f != '#' &&
          (f < 'a' || f > 'z' || !((html_firsts >> (f - 'a')) & 1u)))
        continue;
      int d = 0;
      if (html_ref(in, n, i, &d) > 0 && d >= 0)
        return 1;
    }
  }
  return 0;
}

size_t ao_norm_html(const char *in, size_t n, char *out) {
  pthread_once(&firsts_once, firsts_init); /* for html_ref() */
  size_t o = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)in[i];
    if (c == '&') {
      int d = 0;
      size_t used = html_ref(in, n, i, &d);
      if (used > 0 && d >= 0) {
        if (d != '\t' && d != '\n' && d != '\r' && d != 0)
          out[o++] = (char)lower((unsigned char)d);
        i += used;
        continue;
      }
      if (used > 0) { /* non-ASCII reference: copy it through */
        memmove(out + o, in + i, used);
        o += used;
        i += used;
        continue;
      }
    }
    if (c == '\t' || c == '\n' || c == '\r') {
      i++;
      continue;
    }
    out[o++] = (char)lower(c);
    i++;
  }
  return o;
}

/* --- paths -------------------------------------------------------------- */

static inline int is_sep(char c) { return c == '/' || c == '\\'; }

/* A segment that climbs: "..", "...", "....", or ".." plus a path
 * parameter. */
static int seg_is_up(const char *s, size_t len) {
  if (len < 2 || s[0] != '.' || s[1] != '.')
    return 0;
  size_t k = 2;
  while (k < len && s[k] == '.')
    k++;
  return k == len || s[k] == ';';
}

static size_t walk(const char *in, size_t n, char *out, unsigned *climb) {
  size_t o = 0;
  size_t root = 0; /* output bytes that a ".." may not erase */
  int depth = 0;
  unsigned up = 0;
  int trailing = 0;
  if (n > 0 && is_sep(in[0])) {
    if (out != NULL)
      out[o++] = '/';
    root = 1;
  }
  for (size_t i = 0; i < n;) {
    if (is_sep(in[i])) {
      i++;
      trailing = 1;
      continue;
    }
    size_t s = i;
    while (i < n && !is_sep(in[i]))
      i++;
    size_t len = i - s;
    trailing = 0;
    if (len == 1 && in[s] == '.') {
      trailing = 1;
      continue;
    }
    if (seg_is_up(in + s, len)) {
      trailing = 1;
      if (depth > 0) {
        depth--;
        if (out != NULL) {
          while (o > root && out[o - 1] != '/')
            o--;
          if (o > root)
            o--; /* the '/' before the erased segment */
        }
      } else {
        up++;
      }
      continue;
    }
    depth++;
    if (out != NULL) {
      if (o > root)
        out[o++] = '/';
      memmove(out + o, in + s, len);
      o += len;
    }
  }
  if (out != NULL && trailing && o > root)
    out[o++] = '/';
  if (climb != NULL)
    *climb = up;
  return o;
}

size_t ao_norm_path(const char *in, size_t n, char *out, unsigned *climb) {
  return walk(in, n, out, climb);
}

unsigned ao_norm_climb(const char *in, size_t n) {
  unsigned up = 0;
  walk(in, n, NULL, &up);
  return up;
}
