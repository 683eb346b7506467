/*
 * fuzz_logfmt.c - the combined and common line parsers (ao_logfmt).
 *
 * Input: byte 0 picks the format (even: combined, odd: common), the rest is
 * one log line (any bytes, NUL included). Properties checked for every
 * input, beyond "no crash, no out-of-bounds read, no UB":
 *   - every slice of the record lies inside the line (borrowed, never
 *     copied, never past the given length);
 *   - a parsed line has a status of 100..999 and a non-empty address;
 *   - parsing is a pure function: the same line parses the same way twice;
 *   - a combined line that parses also parses as common (common is a prefix
 *     of combined), with the same address.
 */
#include "fuzz.h"

#include "ao_logfmt.h"
#include "ao_record.h"

#include <string.h>

static ao_parser_t *combined, *common;

static void check_record(const ao_record_t *r, const char *line, size_t n) {
  const ao_slice_t *s[] = {&r->addr,     &r->time,    &r->request,
                           &r->method,   &r->target,  &r->query,
                           &r->xff,      &r->host,    &r->protocol,
                           &r->referer,  &r->user_agent};
  for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
    FUZZ_CHECK(fuzz_inside(s[i]->p, s[i]->n, line, n));
  FUZZ_CHECK(r->status >= 100 && r->status <= 999);
  FUZZ_CHECK(r->addr.n > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (combined == NULL) {
    ao_err_t err;
    combined = ao_parser_create(AO_FMT_COMBINED, &err);
    common = ao_parser_create(AO_FMT_COMMON, &err);
    FUZZ_CHECK(combined != NULL && common != NULL);
  }
  if (size < 1)
    return 0;
  ao_parser_t *p = (data[0] & 1) ? common : combined; /* parse keeps state */
  /* An exact-size copy, so that ASan sees any read past the end. */
  size_t n = size - 1;
  char *line = malloc(n ? n : 1);
  FUZZ_CHECK(line != NULL);
  memcpy(line, data + 1, n);

  ao_record_t a, b;
  int ra = ao_parser_parse(p, line, n, &a);
  int rb = ao_parser_parse(p, line, n, &b);
  FUZZ_CHECK(ra == rb);
  if (ra == 0) {
    check_record(&a, line, n);
    FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
    if (p == combined) {
      ao_record_t c;
      FUZZ_CHECK(ao_parser_parse(common, line, n, &c) == 0);
      check_record(&c, line, n);
      FUZZ_CHECK(c.addr.p == a.addr.p && c.addr.n == a.addr.n);
    }
  }
  free(line);
  return 0;
}
