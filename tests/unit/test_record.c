/*
 * test_record.c - the helpers the parsers share (ao_record): the request
 * line split into method, target and protocol, "-" as an absent value, and
 * the empty record.
 *
 * The split is checked on cases that name each rule of the grammar (see
 * ao_logfmt.h, THE REQUEST LINE), then on random request lines against an
 * oracle written straight from that grammar, so that the shortcut for the
 * usual " HTTP/1.1" ending and the general reading must agree.
 */
#include "ao_test.h"

#include "ao_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int slice_is(ao_slice_t s, const char *want) {
  return s.p != NULL && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

/* Splits req (an exact-size heap copy, so that a read past it shows under
 * valgrind or ASan) and returns the record. */
static ao_record_t split(const char *req, size_t n, char **copy) {
  *copy = malloc(n ? n : 1);
  assert_non_null(*copy);
  memcpy(*copy, req, n);
  ao_record_t r;
  ao_record_clear(&r);
  r.request = (ao_slice_t){*copy, n};
  ao_record_split_request(&r);
  return r;
}

typedef struct split_case {
  const char *req;
  const char *method, *target, *protocol; /* NULL: NOT_HTTP */
} split_case_t;

static const split_case_t cases[] = {
    {"GET / HTTP/1.1", "GET", "/", "HTTP/1.1"},
    {"POST /login?a=1 HTTP/1.0", "POST", "/login?a=1", "HTTP/1.0"},
    {"GET /x HTTP/2.0", "GET", "/x", "HTTP/2.0"},
    {"GET /x HTTP/3", "GET", "/x", "HTTP/3"},         /* no minor version */
    {"GET /x HTTP/1.1.1", "GET", "/x", "HTTP/1.1.1"}, /* DIGIT *(DIGIT/.) */
    {"GET /", "GET", "/", ""},                        /* HTTP/0.9 */
    {"GET /a b HTTP/1.1", "GET", "/a b", "HTTP/1.1"}, /* nginx takes spaces */
    {"M-SEARCH * HTTP/1.1", "M-SEARCH", "*", "HTTP/1.1"},
    {"t3 12.2.1", "t3", "12.2.1", ""}, /* structure only */
    {"GET /x HTTP/x.1", NULL, NULL, NULL},  /* third token no version */
    {"GET /x http/1.1", NULL, NULL, NULL},  /* case matters */
    {"GET /x HTTP/", NULL, NULL, NULL},
    {"GET  / HTTP/1.1", NULL, NULL, NULL},  /* target starts with a space */
    {"GET /  HTTP/1.1", NULL, NULL, NULL},  /* target ends with a space */
    {"GET  HTTP/1.1", NULL, NULL, NULL},    /* no target */
    {"GET HTTP/1.1", "GET", "HTTP/1.1", ""}, /* two tokens: HTTP/0.9 */
    {"GET / HTTP/1.1 ", NULL, NULL, NULL},  /* empty last token */
    {"GET", NULL, NULL, NULL},
    {"GET ", NULL, NULL, NULL},
    {" GET / HTTP/1.1", NULL, NULL, NULL},
    {"G(T / HTTP/1.1", NULL, NULL, NULL},   /* '(' is no tchar */
    {"\x16\x03\x01 / HTTP/1.1", NULL, NULL, NULL},
    {"", NULL, NULL, NULL},
};

static void test_split_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < AO_ARRAY_SIZE(cases); i++) {
    const split_case_t *c = &cases[i];
    char *copy = NULL;
    ao_record_t r = split(c->req, strlen(c->req), &copy);
    if (c->method == NULL) {
      if (!(r.flags & AO_REC_NOT_HTTP) || r.method.n || r.target.n ||
          r.protocol.n)
        fail_msg("\"%s\": split, expected NOT_HTTP", c->req);
    } else if ((r.flags & AO_REC_NOT_HTTP) || !slice_is(r.method, c->method) ||
               !slice_is(r.target, c->target) ||
               !slice_is(r.protocol, c->protocol)) {
      fail_msg("\"%s\": got [%.*s] [%.*s] [%.*s] flags %#x", c->req,
               (int)r.method.n, r.method.p, (int)r.target.n, r.target.p,
               (int)r.protocol.n, r.protocol.p, r.flags);
    }
    free(copy);
  }
}

/* The grammar, read the plain way. Returns 0 for NOT_HTTP, else 1 with
 * the three parts as offsets and lengths. */
static int is_tchar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}
static int is_version(const char *p, size_t n) {
  if (n < 6 || memcmp(p, "HTTP/", 5) != 0 || p[5] < '0' || p[5] > '9')
    return 0;
  for (size_t i = 6; i < n; i++)
    if ((p[i] < '0' || p[i] > '9') && p[i] != '.')
      return 0;
  return 1;
}
static int oracle(const char *p, size_t n, size_t part[3][2]) {
  size_t m = 0;
  while (m < n && is_tchar((unsigned char)p[m]))
    m++;
  if (m == 0 || m == n || p[m] != ' ')
    return 0;
  size_t t0 = m + 1, last = n;
  for (size_t i = t0; i < n; i++)
    if (p[i] == ' ')
      last = i;
  size_t t1 = n;
  part[2][0] = n;
  part[2][1] = 0;
  if (last != n) { /* three tokens or more: the last is the protocol */
    if (!is_version(p + last + 1, n - last - 1))
      return 0;
    part[2][0] = last + 1;
    part[2][1] = n - last - 1;
    t1 = last;
  }
  if (t1 <= t0 || p[t0] == ' ' || p[t1 - 1] == ' ')
    return 0;
  part[0][0] = 0;
  part[0][1] = m;
  part[1][0] = t0;
  part[1][1] = t1 - t0;
  return 1;
}

static void test_split_against_oracle(void **state) {
  (void)state;
  /* a method, a separator, a target, an ending; each part sometimes
   * wrong */
  static const char *const methods[] = {"GET", "POST", "M-SEARCH", "G(T", "",
                                        "\x80"};
  static const char *const seps[] = {" ", " ", " ", "  ", ""};
  static const char *const targets[] = {"/",  "/a",  "/a?q=1 2", "*", "-",
                                        "/a b", " /", "/ ",       "HTTP/1.1"};
  static const char *const ends[] = {
      " HTTP/1.1", " HTTP/1.0", " HTTP/2",   "",          " HTTP/",
      " http/1.1", " HTTP/1.x", "  HTTP/1.1", " HTTP/1.1 ", " HTTP/11.1",
      " x",        " HTTP/1 1", " HTTP/1.1.", "\t"};
  uint64_t x = 0x853c49e6748fea9bull;
  size_t http = 0, not_http = 0;
  for (int round = 0; round < 50000; round++) {
    const char *const *lists[] = {methods, seps, targets, ends};
    const size_t sizes[] = {AO_ARRAY_SIZE(methods), AO_ARRAY_SIZE(seps),
                            AO_ARRAY_SIZE(targets), AO_ARRAY_SIZE(ends)};
    char req[128] = "";
    for (int i = 0; i < 4; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      strcat(req, lists[i][(x >> 7) % sizes[i]]);
    }
    size_t n = strlen(req);
    size_t part[3][2];
    int want = oracle(req, n, part);
    char *copy = NULL;
    ao_record_t r = split(req, n, &copy);
    if (want != !(r.flags & AO_REC_NOT_HTTP))
      fail_msg("\"%s\": NOT_HTTP %d, expected %d", req,
               !!(r.flags & AO_REC_NOT_HTTP), !want);
    if (want) {
      const ao_slice_t got[3] = {r.method, r.target, r.protocol};
      for (int j = 0; j < 3; j++)
        if (got[j].n != part[j][1] ||
            (got[j].n > 0 && got[j].p != copy + part[j][0]))
          fail_msg("\"%s\": part %d is [%.*s]", req, j, (int)got[j].n,
                   got[j].p);
      http++;
    } else {
      not_http++;
    }
    free(copy);
  }
  /* both outcomes were common */
  assert_true(http > 5000 && not_http > 5000);
}

static void test_dash_and_clear(void **state) {
  (void)state;
  ao_slice_t d = ao_record_dash((ao_slice_t){"-", 1});
  assert_int_equal(d.n, 0);
  assert_non_null(d.p);
  d = ao_record_dash((ao_slice_t){"--", 2});
  assert_int_equal(d.n, 2);
  ao_record_t r;
  memset(&r, 0x5a, sizeof(r));
  ao_record_clear(&r);
  const ao_slice_t *all[] = {&r.addr,    &r.time,     &r.request,
                             &r.method,  &r.target,   &r.query,
                             &r.xff,     &r.host,     &r.protocol,
                             &r.referer, &r.user_agent};
  for (size_t i = 0; i < AO_ARRAY_SIZE(all); i++) {
    assert_non_null(all[i]->p);
    assert_int_equal(all[i]->n, 0);
  }
  assert_int_equal(r.status, -1);
  assert_int_equal(r.flags, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_split_cases),
      cmocka_unit_test(test_split_against_oracle),
      cmocka_unit_test(test_dash_and_clear),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
