/*
 * ao_rules.c - user rules and signature files (see ao_rules.h).
 */
#include "ao_rules.h"

#include "ao_acmatch.h"
#include "ao_classify.h" /* AO_DECODE_ROUNDS */
#include "ao_normalize.h"
#include "ao_regex.h"
#include "ao_signatures.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One compiled <Rule> or <Exclude>. */
typedef struct crule {
  const ao_rule_config_t *def; /* borrowed from the configuration */
  char name[AO_LOG_NAME_MAX + 1];
  int exclude;
  int category;
  char methods[AO_RULE_MAX_VALUES][16];
  size_t nmethods;
  ao_status_range_t status[AO_RULE_MAX_VALUES];
  size_t nstatus;
  ao_cidr_t addr[AO_RULE_MAX_VALUES];
  size_t naddr;
  ao_regex_t *path, *query, *ua, *ref;
} crule_t;

/* What a phrase pattern stands for. */
typedef struct phrase {
  uint8_t field; /* ao_sig_field_t */
  uint8_t flags; /* AO_PH_* */
  uint8_t cat;
  uint8_t len; /* of the literal (at most AO_PHRASE_MAX) */
} phrase_t;

struct ao_rules {
  crule_t *rules;
  size_t nrules;
  int excludes, matches, need_addr;
  ao_ac_t *ac; /* every phrase of every signature file */
  phrase_t *phrases;
  size_t nphrases;
  unsigned fields; /* bit per ao_sig_field_t with phrases */
  size_t max_line;
  char *buf;   /* normalised field */
  char *canon; /* canonical path */
};

/* --- configuration-time checks -------------------------------------------- */

int ao_rules_check_regex(const char *pattern, ao_err_t *err) {
  ao_regex_t *re = ao_regex_compile(pattern, 0, NULL, err);
  if (re == NULL)
    return -1;
  ao_regex_free(re);
  return 0;
}

typedef int (*phrase_fn)(void *ud, const char *lit, size_t n, unsigned flags);

/* Reads a .data file and calls fn for every phrase. Errors name the line. */
static int read_sigfile(const char *path, int path_field, phrase_fn fn,
                        void *ud, size_t *count, ao_err_t *err) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return ao_err_set(err, "cannot open: %s", strerror(errno));
  char *line = NULL;
  size_t cap = 0, n = 0;
  long lineno = 0;
  ssize_t len;
  int rc = 0;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    size_t k = (size_t)len;
    while (k > 0 && (line[k - 1] == '\n' || line[k - 1] == '\r' ||
                     line[k - 1] == ' ' || line[k - 1] == '\t'))
      k--;
    size_t b = 0;
    while (b < k && (line[b] == ' ' || line[b] == '\t'))
      b++;
    if (b == k || line[b] == '#')
      continue;
    line[k] = '\0';
    if (memchr(line + b, '\0', k - b) != NULL) {
      rc = ao_err_set(err, "line %ld: a NUL byte in a phrase", lineno);
      break;
    }
    char lit[AO_PHRASE_MAX + 1];
    unsigned flags = 0;
    size_t ln = k - b > AO_PHRASE_MAX + 2
                    ? 0
                    : ao_phrase_compile(line + b, path_field, lit, &flags);
    if (ln == 0) {
      rc = ao_err_set(err, "line %ld: phrase \"%.60s%s\" is %s", lineno,
                      line + b, k - b > 60 ? "..." : "",
                      k - b > AO_PHRASE_MAX ? "longer than 255 bytes"
                                            : "unusable: nothing but '^' and "
                                              "'/', which would match every "
                                              "request");
      break;
    }
    if (fn != NULL && fn(ud, lit, ln, flags) != 0) {
      rc = ao_err_set(err, "line %ld: out of memory", lineno);
      break;
    }
    n++;
  }
  if (rc == 0 && ferror(f))
    rc = ao_err_set(err, "read error: %s", strerror(errno));
  free(line);
  fclose(f);
  if (rc == 0 && n == 0)
    rc = ao_err_set(err, "no phrase in the file (only comments and blank "
                         "lines)");
  if (count != NULL)
    *count = n;
  return rc;
}

int ao_rules_check_sigfile(const char *path, int path_field, size_t *count,
                           ao_err_t *err) {
  return read_sigfile(path, path_field, NULL, NULL, count, err);
}

/* --- create ----------------------------------------------------------------- */

typedef struct loader {
  ao_ac_pattern_t *pats;
  char **texts;
  phrase_t *meta;
  size_t n, cap;
  uint8_t field, cat;
} loader_t;

static int add_phrase(void *ud, const char *lit, size_t n, unsigned flags) {
  loader_t *ld = ud;
  if (ld->n == ld->cap) {
    size_t nc = ld->cap ? ld->cap * 2 : 256;
    ao_ac_pattern_t *p = realloc(ld->pats, nc * sizeof(*p));
    if (p == NULL)
      return -1;
    ld->pats = p;
    char **t = realloc(ld->texts, nc * sizeof(*t));
    if (t == NULL)
      return -1;
    ld->texts = t;
    phrase_t *m = realloc(ld->meta, nc * sizeof(*m));
    if (m == NULL)
      return -1;
    ld->meta = m;
    ld->cap = nc;
  }
  char *copy = malloc(n + 1);
  if (copy == NULL)
    return -1;
  memcpy(copy, lit, n + 1);
  ld->texts[ld->n] = copy;
  ld->pats[ld->n] = (ao_ac_pattern_t){copy, (uint32_t)ld->n};
  ld->meta[ld->n] = (phrase_t){ld->field, (uint8_t)flags, ld->cat,
                               (uint8_t)n};
  ld->n++;
  return 0;
}

static void loader_free(loader_t *ld) {
  for (size_t i = 0; i < ld->n; i++)
    free(ld->texts[i]);
  free(ld->texts);
  free(ld->pats);
}

static ao_regex_t *compile(const char *where, const char *opt,
                           const char *pattern, ao_err_t *err) {
  if (pattern == NULL)
    return NULL;
  ao_err_t sub = {{0}};
  ao_regex_t *re = ao_regex_compile(pattern, 0, NULL, &sub);
  if (re == NULL)
    ao_err_set(err, "%s %s: invalid regular expression \"%s\": %s", where,
               opt, pattern, sub.msg);
  return re;
}

ao_rules_t *ao_rules_create(const ao_log_config_t *log, size_t max_line,
                            ao_err_t *err) {
  ao_rules_t *r = calloc(1, sizeof(*r));
  if (r == NULL) {
    ao_err_set(err, "out of memory");
    return NULL;
  }
  r->max_line = max_line;
  r->rules = calloc(log->nrules ? log->nrules : 1, sizeof(*r->rules));
  r->buf = malloc(max_line + 1);
  r->canon = malloc(max_line + 1);
  if (r->rules == NULL || r->buf == NULL || r->canon == NULL) {
    ao_rules_destroy(r);
    ao_err_set(err, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < log->nrules; i++) {
    const ao_rule_config_t *d = &log->rules[i];
    crule_t *c = &r->rules[r->nrules++];
    char where[2 * AO_LOG_NAME_MAX + 32];
    snprintf(where, sizeof(where), "<%s \"%s\">",
             d->exclude ? "Exclude" : "Rule", d->name);
    c->def = d;
    snprintf(c->name, sizeof(c->name), "%s", d->name);
    c->exclude = d->exclude;
    c->category = d->category;
    for (size_t k = 0; k < d->nmethods; k++)
      snprintf(c->methods[c->nmethods++], sizeof(c->methods[0]), "%s",
               d->methods[k]);
    memcpy(c->status, d->status, sizeof(c->status));
    c->nstatus = d->nstatus;
    memcpy(c->addr, d->addr, sizeof(c->addr));
    c->naddr = d->naddr;
    ao_err_t sub = {{0}};
    c->path = compile(where, "Path", d->path, &sub);
    if (c->path == NULL && d->path != NULL)
      goto bad;
    c->query = compile(where, "Query", d->query, &sub);
    if (c->query == NULL && d->query != NULL)
      goto bad;
    c->ua = compile(where, "UserAgent", d->user_agent, &sub);
    if (c->ua == NULL && d->user_agent != NULL)
      goto bad;
    c->ref = compile(where, "Referer", d->referer, &sub);
    if (c->ref == NULL && d->referer != NULL)
      goto bad;
    if (c->exclude)
      r->excludes = 1;
    else
      r->matches = 1;
    if (c->naddr > 0)
      r->need_addr = 1;
    continue;
  bad:
    ao_err_set(err, "%s", sub.msg);
    ao_rules_destroy(r);
    return NULL;
  }
  if (log->nsigfiles > 0) {
    loader_t ld = {0};
    for (size_t i = 0; i < log->nsigfiles; i++) {
      const ao_sigfile_config_t *sf = &log->sigfiles[i];
      ld.field = (uint8_t)sf->field;
      ld.cat = (uint8_t)sf->category;
      ao_err_t sub = {{0}};
      if (read_sigfile(sf->path, sf->field == AO_SIG_PATH, add_phrase, &ld,
                       NULL, &sub) != 0) {
        ao_err_set(err, "SignatureFile \"%s\": %s", sf->path, sub.msg);
        loader_free(&ld);
        free(ld.meta);
        ao_rules_destroy(r);
        return NULL;
      }
      r->fields |= 1u << sf->field;
    }
    ao_err_t sub = {{0}};
    r->ac = ao_ac_create(ld.pats, ld.n, &sub);
    r->phrases = ld.meta;
    r->nphrases = ld.n;
    loader_free(&ld);
    if (r->ac == NULL) {
      ao_err_set(err, "signature files: %s", sub.msg);
      ao_rules_destroy(r);
      return NULL;
    }
    r->matches = 1;
  }
  return r;
}

void ao_rules_destroy(ao_rules_t *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->nrules; i++) {
    ao_regex_free(r->rules[i].path);
    ao_regex_free(r->rules[i].query);
    ao_regex_free(r->rules[i].ua);
    ao_regex_free(r->rules[i].ref);
  }
  free(r->rules);
  ao_ac_destroy(r->ac);
  free(r->phrases);
  free(r->buf);
  free(r->canon);
  free(r);
}

int ao_rules_need_address(const ao_rules_t *r) { return r->need_addr; }
int ao_rules_have_excludes(const ao_rules_t *r) { return r->excludes; }
int ao_rules_have_matches(const ao_rules_t *r) { return r->matches; }

uint64_t ao_rules_errors(const ao_rules_t *r) {
  uint64_t n = 0;
  for (size_t i = 0; i < r->nrules; i++) {
    const crule_t *c = &r->rules[i];
    if (c->path)
      n += ao_regex_errors(c->path);
    if (c->query)
      n += ao_regex_errors(c->query);
    if (c->ua)
      n += ao_regex_errors(c->ua);
    if (c->ref)
      n += ao_regex_errors(c->ref);
  }
  return n;
}

/* --- matching --------------------------------------------------------------- */

static ao_slice_t path_of(const ao_record_t *rec) {
  ao_slice_t t = rec->target;
  size_t n = 0;
  while (n < t.n && t.p[n] != '?')
    n++;
  return (ao_slice_t){t.p, n};
}

static ao_slice_t query_of(const ao_record_t *rec) {
  if (rec->query.n > 0)
    return rec->query;
  ao_slice_t t = rec->target;
  const char *q = memchr(t.p, '?', t.n);
  if (q == NULL)
    return AO_SLICE_EMPTY;
  return (ao_slice_t){q + 1, t.n - (size_t)(q + 1 - t.p)};
}

/* A regex condition: absent (NULL) holds; an absent field never matches. */
static int re_ok(ao_regex_t *re, ao_slice_t s) {
  if (re == NULL)
    return 1;
  if (s.n == 0)
    return 0;
  return ao_regex_match(re, s.p, s.n);
}

static int rule_matches(const crule_t *c, const ao_record_t *rec,
                        const ao_ip_t *ip) {
  if (c->nmethods > 0) {
    int ok = 0;
    for (size_t k = 0; k < c->nmethods && !ok; k++)
      ok = ao_slice_ieq(rec->method, c->methods[k]);
    if (!ok)
      return 0;
  }
  if (c->nstatus > 0) {
    int ok = 0;
    for (size_t k = 0; k < c->nstatus && !ok; k++)
      ok = rec->status >= c->status[k].lo && rec->status <= c->status[k].hi;
    if (!ok)
      return 0;
  }
  if (c->naddr > 0) {
    int ok = 0;
    for (size_t k = 0; ip != NULL && k < c->naddr && !ok; k++)
      ok = ao_cidr_contains(&c->addr[k], 1, ip);
    if (!ok)
      return 0;
  }
  /* the regexes last: the most expensive conditions */
  return re_ok(c->path, path_of(rec)) && re_ok(c->query, query_of(rec)) &&
         re_ok(c->ua, rec->user_agent) && re_ok(c->ref, rec->referer);
}

int ao_rules_excluded(ao_rules_t *r, const ao_record_t *rec,
                      const ao_ip_t *ip) {
  if (!r->excludes)
    return 0;
  for (size_t i = 0; i < r->nrules; i++)
    if (r->rules[i].exclude && rule_matches(&r->rules[i], rec, ip))
      return 1;
  return 0;
}

typedef struct hit_ctx {
  const ao_rules_t *r;
  const char *t;
  size_t n;
  unsigned field;
  ao_catmask_t found;
} hit_ctx_t;

static int on_phrase(void *ud, uint32_t id, size_t end) {
  hit_ctx_t *h = ud;
  const phrase_t *p = &h->r->phrases[id];
  if (p->field != h->field || (h->found & AO_CAT_BIT(p->cat)))
    return 0;
  if (ao_phrase_hit(h->t, h->n, end - p->len, end, p->flags))
    h->found |= AO_CAT_BIT(p->cat);
  return 0;
}

static void scan_phrases(ao_rules_t *r, const char *t, size_t n,
                         unsigned field, ao_catmask_t *found) {
  hit_ctx_t h = {r, t, n, field, *found};
  ao_ac_scan(r->ac, t, n, on_phrase, &h);
  *found = h.found;
}

ao_catmask_t ao_rules_match(ao_rules_t *r, const ao_record_t *rec,
                            const ao_ip_t *ip) {
  ao_catmask_t m = 0;
  for (size_t i = 0; i < r->nrules; i++) {
    const crule_t *c = &r->rules[i];
    if (!c->exclude && !(m & AO_CAT_BIT(c->category)) &&
        rule_matches(c, rec, ip))
      m |= AO_CAT_BIT(c->category);
  }
  if (r->ac == NULL)
    return m;
  size_t max = r->max_line;
  if (r->fields & (1u << AO_SIG_USER_AGENT) && rec->user_agent.n > 0) {
    size_t n = rec->user_agent.n < max ? rec->user_agent.n : max;
    unsigned info = 0;
    n = ao_norm_fold(rec->user_agent.p, n, r->buf, &info);
    scan_phrases(r, r->buf, n, AO_SIG_USER_AGENT, &m);
  }
  if (r->fields & (1u << AO_SIG_REFERER) && rec->referer.n > 0) {
    size_t n = rec->referer.n < max ? rec->referer.n : max;
    unsigned info = 0;
    n = ao_norm_url(rec->referer.p, n, r->buf, AO_NORM_PLUS, AO_DECODE_ROUNDS,
                    &info);
    scan_phrases(r, r->buf, n, AO_SIG_REFERER, &m);
  }
  ao_slice_t path = path_of(rec);
  if (r->fields & (1u << AO_SIG_PATH) && path.n > 0) {
    size_t n = path.n < max ? path.n : max;
    unsigned info = 0, climb = 0;
    n = ao_norm_url(path.p, n, r->buf, 0, AO_DECODE_ROUNDS, &info);
    n = ao_norm_path(r->buf, n, r->canon, &climb);
    scan_phrases(r, r->canon, n, AO_SIG_PATH, &m);
  }
  ao_slice_t q = query_of(rec);
  if (r->fields & (1u << AO_SIG_QUERY) && q.n > 0) {
    size_t n = q.n < max ? q.n : max;
    unsigned info = 0;
    n = ao_norm_url(q.p, n, r->buf, AO_NORM_PLUS, AO_DECODE_ROUNDS, &info);
    scan_phrases(r, r->buf, n, AO_SIG_QUERY, &m);
  }
  return m;
}
