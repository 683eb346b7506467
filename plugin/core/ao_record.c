/*
 * ao_record.c - helpers shared by the parsers (see ao_record.h).
 */
#include "ao_record.h"

#include <string.h>

static int ao_rec_is_digit(char c) { return c >= '0' && c <= '9'; }

/* RFC 9110 token characters: letters, digits and !#$%&'*+-.^_`|~. ASCII
 * only, on purpose: <ctype.h> depends on the locale and is undefined for
 * negative chars. A table: the method is read byte by byte on every line. */
static const uint8_t ao_rec_tchar[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1,
    ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1,
    ['`'] = 1, ['|'] = 1, ['~'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

static int ao_rec_is_tchar(char c) { return ao_rec_tchar[(unsigned char)c]; }

/* "HTTP/" DIGIT *(DIGIT / "."): HTTP/1.0, HTTP/1.1, HTTP/2.0, HTTP/3. */
static int ao_rec_http_version(const char *p, size_t n) {
  if (n < 6 || memcmp(p, "HTTP/", 5) != 0 || !ao_rec_is_digit(p[5]))
    return 0;
  for (size_t i = 6; i < n; i++)
    if (!ao_rec_is_digit(p[i]) && p[i] != '.')
      return 0;
  return 1;
}

static ao_slice_t ao_rec_slice(const char *p, size_t n) {
  return n == 0 ? AO_SLICE_EMPTY : (ao_slice_t){p, n};
}

/* Field by field: a compound literal made the compiler zero the whole
 * record first with "rep stos", whose start-up costs more than the two
 * dozen plain stores below (and it runs for every line). */
void ao_record_clear(ao_record_t *rec) {
  const ao_slice_t e = AO_SLICE_EMPTY;
  rec->addr = e;
  rec->time = e;
  rec->request = e;
  rec->method = e;
  rec->target = e;
  rec->query = e;
  rec->xff = e;
  rec->host = e;
  rec->protocol = e;
  rec->referer = e;
  rec->user_agent = e;
  rec->status = -1;
  rec->flags = 0;
  rec->repeat = 0;
}

ao_slice_t ao_record_dash(ao_slice_t s) {
  if (s.n == 0 || (s.n == 1 && s.p[0] == '-'))
    return AO_SLICE_EMPTY;
  return s;
}

void ao_record_split_request(ao_record_t *rec) {
  const char *p = rec->request.p;
  size_t n = rec->request.n;
  /* "GET " starts most requests: its method is known without the walk
   * (G, E and T are tchars and the space ends the token) */
  size_t m = 0;
  if (n > 4 && memcmp(p, "GET ", 4) == 0)
    m = 3;
  else
    while (m < n && ao_rec_is_tchar(p[m]))
      m++;
  if (m == 0 || m == n || p[m] != ' ') {
    rec->flags |= AO_REC_NOT_HTTP;
    return;
  }
  size_t t0 = m + 1;
  size_t t1 = n;
  /* " HTTP/1.1" (and 1.0, 2.0), nearly every request: the protocol is
   * known good as it is, and the last space is the one before it */
  if (n >= t0 + 9 && p[n - 9] == ' ' && memcmp(p + n - 8, "HTTP/", 5) == 0 &&
      ao_rec_is_digit(p[n - 3]) && p[n - 2] == '.' &&
      ao_rec_is_digit(p[n - 1])) {
    if (p[t0] == ' ' || p[n - 10] == ' ' || n - 9 <= t0) {
      rec->flags |= AO_REC_NOT_HTTP;
      return;
    }
    rec->method = ao_rec_slice(p, m);
    rec->target = ao_rec_slice(p + t0, n - 9 - t0);
    rec->protocol = ao_rec_slice(p + n - 8, 8);
    return;
  }
  if (n >= t0 + 9 && p[n - 9] == ' ' && memcmp(p + n - 8, "HTTP/", 5) == 0 &&
      p[n - 4] != ' ' && p[n - 3] != ' ' && p[n - 2] != ' ' &&
      p[n - 1] != ' ') {
    t1 = n - 8;
  } else {
    while (t1 > t0 && p[t1 - 1] != ' ')
      t1--;
  }
  ao_slice_t protocol = AO_SLICE_EMPTY;
  if (t1 > t0) {
    /* A third token: it has to be the protocol. */
    if (!ao_rec_http_version(p + t1, n - t1)) {
      rec->flags |= AO_REC_NOT_HTTP;
      return;
    }
    protocol = ao_rec_slice(p + t1, n - t1);
    t1--; /* the separating space */
  } else {
    t1 = n; /* HTTP/0.9: METHOD SP TARGET */
  }
  if (t1 <= t0 || p[t0] == ' ' || p[t1 - 1] == ' ') {
    rec->flags |= AO_REC_NOT_HTTP;
    return;
  }
  rec->method = ao_rec_slice(p, m);
  rec->target = ao_rec_slice(p + t0, t1 - t0);
  rec->protocol = protocol;
}
