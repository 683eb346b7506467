/*
 * ao_fmt_regex.c - the generic regex format (see ao_fmt_regex.h).
 */
#include "ao_fmt_regex.h"

#include "ao_regex.h"

#include <stdlib.h>

enum {
  AO_RG_CLIENT,
  AO_RG_REQUEST,
  AO_RG_METHOD,
  AO_RG_URI,
  AO_RG_STATUS,
  AO_RG_AGENT,
  AO_RG_REFERER,
  AO_RG_XFF,
  AO_RG_HOST,
  AO_RG_TIME,
  AO_RG_COUNT
};

static const char *const ao_rg_names[AO_RG_COUNT] = {
    "client", "request", "method", "uri",  "status",
    "agent",  "referer", "xff",    "host", "time",
};

struct ao_fmt_regex {
  ao_regex_t *re;
  int group[AO_RG_COUNT]; /* -1: the pattern has no such group */
};

ao_fmt_regex_t *ao_fmt_regex_create(const char *pattern, ao_err_t *err) {
  ao_fmt_regex_t *r = calloc(1, sizeof(*r));
  if (r == NULL) {
    ao_err_set(err, "out of memory");
    return NULL;
  }
  r->re = ao_regex_compile(pattern, 0, NULL, err);
  if (r->re == NULL) {
    free(r);
    return NULL;
  }
  for (int g = 0; g < AO_RG_COUNT; g++)
    r->group[g] = ao_regex_group_number(r->re, ao_rg_names[g]);
  if (r->group[AO_RG_CLIENT] < 0) {
    ao_err_set(err, "the pattern has no named group (?<client>...) for the "
                    "client address");
    ao_fmt_regex_destroy(r);
    return NULL;
  }
  return r;
}

void ao_fmt_regex_destroy(ao_fmt_regex_t *r) {
  if (r == NULL)
    return;
  ao_regex_free(r->re);
  free(r);
}

static ao_slice_t ao_rg_get(const ao_fmt_regex_t *r, const char *s, int g) {
  if (r->group[g] < 0)
    return AO_SLICE_EMPTY;
  return ao_record_dash(ao_regex_group(r->re, s, r->group[g]));
}

int ao_fmt_regex_parse(ao_fmt_regex_t *r, const char *line, size_t n,
                       ao_record_t *rec) {
  if (r == NULL || line == NULL || rec == NULL)
    return -1;
  if (n > 0 && line[n - 1] == '\r')
    n--;
  if (!ao_regex_match(r->re, line, n))
    return -1;
  ao_record_t x;
  ao_record_clear(&x);
  x.addr = ao_rg_get(r, line, AO_RG_CLIENT);
  x.request = ao_rg_get(r, line, AO_RG_REQUEST);
  if (x.request.n > 0)
    ao_record_split_request(&x);
  if (x.method.n == 0)
    x.method = ao_rg_get(r, line, AO_RG_METHOD);
  if (x.target.n == 0)
    x.target = ao_rg_get(r, line, AO_RG_URI);
  if (x.target.n > 0)
    x.flags &= ~(unsigned)AO_REC_NOT_HTTP;
  ao_slice_t st = ao_rg_get(r, line, AO_RG_STATUS);
  if (st.n == 3 && st.p[0] >= '1' && st.p[0] <= '9' && st.p[1] >= '0' &&
      st.p[1] <= '9' && st.p[2] >= '0' && st.p[2] <= '9')
    x.status = (st.p[0] - '0') * 100 + (st.p[1] - '0') * 10 + (st.p[2] - '0');
  x.user_agent = ao_rg_get(r, line, AO_RG_AGENT);
  x.referer = ao_rg_get(r, line, AO_RG_REFERER);
  x.xff = ao_rg_get(r, line, AO_RG_XFF);
  x.host = ao_rg_get(r, line, AO_RG_HOST);
  x.time = ao_rg_get(r, line, AO_RG_TIME);
  *rec = x;
  return 0;
}

uint64_t ao_fmt_regex_errors(const ao_fmt_regex_t *r) {
  return r == NULL ? 0 : ao_regex_errors(r->re);
}
