/*
 * ao_fmtprog.c - compiled log-format programs (see ao_fmtprog.h).
 */
#include "ao_fmtprog.h"

#include "ao_unjson.h"

#include <stdlib.h>
#include <string.h>

#define AO_FP_NPOS ((size_t)-1)

typedef struct ao_fpop {
  int is_var;
  ao_fpshape_t shape;
  ao_fpfield_t field;
  char *lit; /* literal: owned, not NUL-terminated */
  size_t lit_n;
} ao_fpop_t;

struct ao_fmtprog {
  ao_fpescape_t esc;
  ao_fpop_t *ops;
  size_t nops, cap;
  unsigned has;  /* bit per ao_fpfield_t */
  char *scratch; /* JSON decoding, max_line bytes */
  size_t scratch_n;
};

ao_fmtprog_t *ao_fmtprog_new(ao_fpescape_t esc, size_t max_line) {
  ao_fmtprog_t *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return NULL;
  p->esc = esc;
  if (esc == AO_FPESC_JSON) {
    p->scratch_n = max_line > 0 ? max_line : 1;
    p->scratch = malloc(p->scratch_n);
    if (p->scratch == NULL) {
      free(p);
      return NULL;
    }
  }
  return p;
}

void ao_fmtprog_free(ao_fmtprog_t *p) {
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->nops; i++)
    free(p->ops[i].lit);
  free(p->ops);
  free(p->scratch);
  free(p);
}

static ao_fpop_t *ao_fp_push(ao_fmtprog_t *p) {
  if (p->nops == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    ao_fpop_t *ops = realloc(p->ops, cap * sizeof(*ops));
    if (ops == NULL)
      return NULL;
    p->ops = ops;
    p->cap = cap;
  }
  ao_fpop_t *op = &p->ops[p->nops++];
  memset(op, 0, sizeof(*op));
  return op;
}

int ao_fmtprog_lit(ao_fmtprog_t *p, const char *s, size_t n) {
  if (n == 0)
    return 0;
  if (p->nops > 0 && !p->ops[p->nops - 1].is_var) {
    ao_fpop_t *op = &p->ops[p->nops - 1];
    char *lit = realloc(op->lit, op->lit_n + n);
    if (lit == NULL)
      return -1;
    memcpy(lit + op->lit_n, s, n);
    op->lit = lit;
    op->lit_n += n;
    return 0;
  }
  char *lit = malloc(n);
  if (lit == NULL)
    return -1;
  memcpy(lit, s, n);
  ao_fpop_t *op = ao_fp_push(p);
  if (op == NULL) {
    free(lit);
    return -1;
  }
  op->lit = lit;
  op->lit_n = n;
  return 0;
}

int ao_fmtprog_var(ao_fmtprog_t *p, ao_fpshape_t shape, ao_fpfield_t field) {
  ao_fpop_t *op = ao_fp_push(p);
  if (op == NULL)
    return -1;
  op->is_var = 1;
  op->shape = shape;
  op->field = field;
  if (field != AO_FP_NONE)
    p->has |= 1u << field;
  return 0;
}

int ao_fmtprog_has(const ao_fmtprog_t *p, ao_fpfield_t f) {
  return (p->has >> f) & 1u;
}

static size_t ao_fp_fixed_len(ao_fpshape_t s) {
  switch (s) {
  case AO_SH_TIME_LOCAL:
    return 26;
  case AO_SH_CLF_TIME:
    return 28;
  default:
    return 0;
  }
}

int ao_fmtprog_check(const ao_fmtprog_t *p, size_t *bad_var) {
  size_t var_no = 0;
  for (size_t i = 0; i < p->nops; i++) {
    if (!p->ops[i].is_var)
      continue;
    if (i > 0 && p->ops[i - 1].is_var &&
        ao_fp_fixed_len(p->ops[i - 1].shape) == 0 &&
        p->ops[i - 1].shape != AO_SH_STATUS &&
        p->ops[i].field != AO_FP_QUERY_Q) {
      if (bad_var != NULL)
        *bad_var = var_no;
      return -1;
    }
    var_no++;
  }
  return 0;
}

/* ---- shapes ------------------------------------------------------------ */

static int ao_fp_digit(char c) { return c >= '0' && c <= '9'; }

/* dd/Mon/yyyy:hh:mm:ss +zzzz at s (26 bytes available). */
static int ao_fp_time_local(const char *s) {
  static const char *const months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const char *pat = "99/AAA/9999:99:99:99 S9999";
  for (size_t i = 0; i < 26; i++) {
    char c = s[i];
    switch (pat[i]) {
    case '9':
      if (!ao_fp_digit(c))
        return 0;
      break;
    case 'A':
      break;
    case 'S':
      if (c != '+' && c != '-')
        return 0;
      break;
    default:
      if (c != pat[i])
        return 0;
    }
  }
  for (size_t m = 0; m < 12; m++)
    if (memcmp(s + 3, months + 3 * m, 3) == 0)
      return 1;
  return 0;
}

/* Length of a fixed-shape value at s[i..n), or AO_FP_NPOS when it does not
 * fit. STATUS is 3 digits or "-". */
static size_t ao_fp_fixed_at(ao_fpshape_t sh, const char *s, size_t n,
                             size_t i) {
  switch (sh) {
  case AO_SH_STATUS:
    if (i < n && s[i] == '-')
      return 1;
    if (n - i >= 3 && s[i] >= '1' && s[i] <= '9' && ao_fp_digit(s[i + 1]) &&
        ao_fp_digit(s[i + 2]))
      return 3;
    return AO_FP_NPOS;
  case AO_SH_TIME_LOCAL:
    return n - i >= 26 && ao_fp_time_local(s + i) ? 26 : AO_FP_NPOS;
  case AO_SH_CLF_TIME:
    return n - i >= 28 && s[i] == '[' && s[i + 27] == ']' &&
                   ao_fp_time_local(s + i + 1)
               ? 28
               : AO_FP_NPOS;
  default:
    return AO_FP_NPOS;
  }
}

static int ao_fp_is_fixed(ao_fpshape_t sh) {
  return sh == AO_SH_STATUS || sh == AO_SH_TIME_LOCAL || sh == AO_SH_CLF_TIME;
}

/* Whether byte s[i] may be part of a value of shape sh that started at
 * start. Escapes are stepped over by the caller. */
static int ao_fp_extends(const ao_fmtprog_t *p, ao_fpshape_t sh, const char *s,
                         size_t n, size_t start, size_t i) {
  char c = s[i];
  if (c == '"' && p->esc != AO_FPESC_NONE)
    return 0;
  switch (sh) {
  case AO_SH_TOKEN:
    return c != ' ';
  case AO_SH_NUMBER:
    return ao_fp_digit(c) || c == '.' || (c == '-' && i == start);
  case AO_SH_LIST:
    if (c != ' ')
      return 1;
    /* ", " and " : " separate items */
    if (i > start && s[i - 1] == ',')
      return 1;
    if (n - i >= 3 && s[i + 1] == ':' && s[i + 2] == ' ')
      return 1;
    return i >= start + 2 && s[i - 1] == ':' && s[i - 2] == ' ';
  default:
    return 1;
  }
}

/* Whether a value of shape sh may end at e (it started at start). */
static int ao_fp_can_end(ao_fpshape_t sh, const char *s, size_t n, size_t start,
                         size_t e) {
  if (sh == AO_SH_LIST) {
    if (e > start && s[e - 1] == ',')
      return 0;
    if (e >= start + 2 && s[e - 1] == ':' && s[e - 2] == ' ')
      return 0;
    if (e < n && s[e] == ' ' && n - e >= 3 && s[e + 1] == ':' &&
        s[e + 2] == ' ')
      return 0;
  }
  if (sh == AO_SH_NUMBER && e == start)
    return 0;
  return 1;
}

static int ao_fp_lit_at(const ao_fpop_t *lit, const char *s, size_t n,
                        size_t i) {
  return n - i >= lit->lit_n && memcmp(s + i, lit->lit, lit->lit_n) == 0;
}

/* Can op k (a variable) start at j, judged from a bounded look-ahead? */
static int ao_fp_can_start(const ao_fmtprog_t *p, size_t k, const char *s,
                           size_t n, size_t j) {
  const ao_fpop_t *v = &p->ops[k];
  const ao_fpop_t *after = k + 1 < p->nops ? &p->ops[k + 1] : NULL;
  if (ao_fp_is_fixed(v->shape)) {
    size_t len = ao_fp_fixed_at(v->shape, s, n, j);
    if (len == AO_FP_NPOS)
      return 0;
    if (after == NULL)
      return j + len == n;
    if (!after->is_var)
      return ao_fp_lit_at(after, s, n, j + len);
    return 1;
  }
  if (j == n)
    return after == NULL || v->shape != AO_SH_NUMBER;
  if (v->shape == AO_SH_USER && n - j >= 2 && s[j] == '"' && s[j + 1] == '"')
    return 1;
  if (s[j] == '\\' && p->esc != AO_FPESC_NONE)
    return 1;
  if (ao_fp_extends(p, v->shape, s, n, j, j))
    return 1;
  /* an empty value, then what follows it */
  if (v->shape == AO_SH_NUMBER)
    return 0;
  if (after != NULL && !after->is_var)
    return ao_fp_lit_at(after, s, n, j);
  return after == NULL ? 0 : 1;
}

/* The end of variable op k starting at i, or AO_FP_NPOS. */
static size_t ao_fp_var_end(const ao_fmtprog_t *p, size_t k, const char *s,
                            size_t n, size_t i) {
  const ao_fpop_t *v = &p->ops[k];
  if (ao_fp_is_fixed(v->shape)) {
    size_t len = ao_fp_fixed_at(v->shape, s, n, i);
    return len == AO_FP_NPOS ? AO_FP_NPOS : i + len;
  }
  /* Apache's "%U%q": the query, when there is one, starts with '?'. */
  size_t litk = k + 1;
  int stop_q = 0;
  if (litk < p->nops && p->ops[litk].is_var &&
      p->ops[litk].field == AO_FP_QUERY_Q) {
    stop_q = 1;
    litk++;
  }
  const ao_fpop_t *lit = litk < p->nops ? &p->ops[litk] : NULL;
  if (lit != NULL && lit->is_var)
    return AO_FP_NPOS; /* refused by ao_fmtprog_check() */
  /* Apache's `""` for an empty user name. */
  if (v->shape == AO_SH_USER && n - i >= 2 && s[i] == '"' && s[i + 1] == '"' &&
      (lit == NULL ? i + 2 == n : ao_fp_lit_at(lit, s, n, i + 2)))
    return i + 2;
  int esc = p->esc != AO_FPESC_NONE;
  size_t j = i;
  /* Bytes that can neither start the next literal nor matter to the shape
   * are skipped in a tight loop: TEXT values are most of a line. */
  int fast = v->shape == AO_SH_TEXT || v->shape == AO_SH_USER ||
             v->shape == AO_SH_TOKEN;
  char l0 = lit != NULL ? lit->lit[0] : '"';
  for (;;) {
    if (fast) {
      while (j < n) {
        char ch = s[j];
        if (ch == l0 || ch == '\\' || ch == '"' || ch == '?' ||
            (ch == ' ' && v->shape == AO_SH_TOKEN))
          break;
        j++;
      }
    }
    if (stop_q && j < n && s[j] == '?')
      return j;
    if (lit == NULL) {
      if (j == n)
        return ao_fp_can_end(v->shape, s, n, i, j) ? j : AO_FP_NPOS;
    } else if (ao_fp_lit_at(lit, s, n, j) &&
               ao_fp_can_end(v->shape, s, n, i, j)) {
      size_t after = j + lit->lit_n;
      int ok;
      if (litk + 1 < p->nops)
        ok = ao_fp_can_start(p, litk + 1, s, n, after);
      else
        ok = after == n; /* the literal ends the format */
      if (ok)
        return j;
    }
    if (j >= n)
      return AO_FP_NPOS;
    if (esc && s[j] == '\\') {
      if (v->shape == AO_SH_NUMBER || v->shape == AO_SH_STATUS)
        return AO_FP_NPOS;
      j += 2; /* an escape pair is one unit: \" never closes a field */
      if (j > n)
        return AO_FP_NPOS;
      continue;
    }
    if (!ao_fp_extends(p, v->shape, s, n, i, j))
      return AO_FP_NPOS;
    j++;
  }
}

/* ---- record ------------------------------------------------------------ */

typedef struct ao_fp_caps {
  ao_slice_t f[AO_FP_COUNT];
  unsigned got;
} ao_fp_caps_t;

static int ao_fp_status(ao_slice_t s) {
  if (s.n != 3 || s.p[0] < '1' || s.p[0] > '9' || !ao_fp_digit(s.p[1]) ||
      !ao_fp_digit(s.p[2]))
    return -1;
  return (s.p[0] - '0') * 100 + (s.p[1] - '0') * 10 + (s.p[2] - '0');
}

/* Decodes a JSON-escaped field into the scratch buffer. */
static ao_slice_t ao_fp_unjson(ao_fmtprog_t *p, ao_slice_t s, size_t *used) {
  if (s.n == 0 || memchr(s.p, '\\', s.n) == NULL)
    return s;
  if (p->scratch_n - *used < s.n)
    return s; /* cannot happen: the fields are disjoint parts of the line */
  char *out = p->scratch + *used;
  size_t k = ao_unjson(s.p, s.n, out);
  *used += k;
  return k == 0 ? AO_SLICE_EMPTY : (ao_slice_t){out, k};
}

static ao_slice_t ao_fp_pick(const ao_fp_caps_t *c, ao_fpfield_t main,
                             ao_fpfield_t alt) {
  ao_slice_t s = ao_record_dash(c->f[main]);
  if (s.n == 0 && (c->got >> main & 1u) == 0)
    s = ao_record_dash(c->f[alt]);
  return s;
}

static void ao_fp_build(ao_fmtprog_t *p, const ao_fp_caps_t *c,
                        ao_record_t *r) {
  ao_record_clear(r);
  size_t used = 0;
  int json = p->esc == AO_FPESC_JSON;
  unsigned esc_flag = 0;
#define AO_FP_USE(dst, s)                                                      \
  do {                                                                         \
    ao_slice_t v_ = (s);                                                       \
    if (json)                                                                  \
      v_ = ao_fp_unjson(p, v_, &used);                                         \
    else if (p->esc == AO_FPESC_BACKSLASH && v_.n > 0 &&                       \
             memchr(v_.p, '\\', v_.n) != NULL)                                 \
      esc_flag = AO_REC_ESCAPED;                                               \
    (dst) = v_;                                                                \
  } while (0)

  AO_FP_USE(r->addr, ao_fp_pick(c, AO_FP_ADDR, AO_FP_ADDR_ALT));
  ao_slice_t t = ao_record_dash(c->f[AO_FP_TIME]);
  if (t.n >= 2 && t.p[0] == '[' && t.p[t.n - 1] == ']')
    t = (ao_slice_t){t.p + 1, t.n - 2};
  r->time = t;
  AO_FP_USE(r->host, ao_fp_pick(c, AO_FP_HOST, AO_FP_HOST_ALT));
  AO_FP_USE(r->referer, ao_record_dash(c->f[AO_FP_REFERER]));
  AO_FP_USE(r->user_agent, ao_record_dash(c->f[AO_FP_AGENT]));
  AO_FP_USE(r->xff, ao_record_dash(c->f[AO_FP_XFF]));
  r->status = ao_fp_status(c->f[AO_FP_STATUS]);

  if (c->got & (1u << AO_FP_REQUEST)) {
    AO_FP_USE(r->request, ao_record_dash(c->f[AO_FP_REQUEST]));
    ao_record_split_request(r);
  }
  if (r->method.n == 0 && (c->got & (1u << AO_FP_METHOD)))
    AO_FP_USE(r->method, ao_record_dash(c->f[AO_FP_METHOD]));
  if (r->protocol.n == 0 && (c->got & (1u << AO_FP_PROTOCOL)))
    AO_FP_USE(r->protocol, ao_record_dash(c->f[AO_FP_PROTOCOL]));
  if (r->target.n == 0) {
    if (c->got & (1u << AO_FP_URI)) {
      AO_FP_USE(r->target, ao_record_dash(c->f[AO_FP_URI]));
    } else if (c->got & (1u << AO_FP_PATH)) {
      AO_FP_USE(r->target, ao_record_dash(c->f[AO_FP_PATH]));
      ao_slice_t q = AO_SLICE_EMPTY;
      if (c->got & (1u << AO_FP_QUERY)) {
        q = ao_record_dash(c->f[AO_FP_QUERY]);
      } else if (c->got & (1u << AO_FP_QUERY_Q)) {
        q = c->f[AO_FP_QUERY_Q];
        if (q.n > 0 && q.p[0] == '?')
          q = (ao_slice_t){q.p + 1, q.n - 1};
        if (q.n == 0)
          q = AO_SLICE_EMPTY;
      }
      AO_FP_USE(r->query, q);
    }
  }
  /* A request was logged but is no HTTP request line, and nothing else
   * gave a target: keep NOT_HTTP so that the classifier scans it whole.
   * Otherwise the separate fields describe an HTTP request. */
  if (r->target.n > 0)
    r->flags &= ~(unsigned)AO_REC_NOT_HTTP;
  r->flags |= esc_flag;
#undef AO_FP_USE
}

int ao_fmtprog_match(ao_fmtprog_t *p, const char *line, size_t n,
                     ao_record_t *rec) {
  if (p == NULL || line == NULL || rec == NULL)
    return -1;
  if (n > 0 && line[n - 1] == '\r')
    n--;
  ao_fp_caps_t c;
  c.got = 0;
  size_t pos = 0;
  for (size_t k = 0; k < p->nops; k++) {
    const ao_fpop_t *op = &p->ops[k];
    if (!op->is_var) {
      if (!ao_fp_lit_at(op, line, n, pos))
        return -1;
      pos += op->lit_n;
      continue;
    }
    size_t end = ao_fp_var_end(p, k, line, n, pos);
    if (end == AO_FP_NPOS)
      return -1;
    if (op->field != AO_FP_NONE && !(c.got & (1u << op->field))) {
      c.f[op->field] =
          end > pos ? (ao_slice_t){line + pos, end - pos} : AO_SLICE_EMPTY;
      c.got |= 1u << op->field;
    }
    pos = end;
  }
  if (pos != n)
    return -1;
  for (int f = 0; f < AO_FP_COUNT; f++)
    if (!(c.got & (1u << f)))
      c.f[f] = AO_SLICE_EMPTY;
  ao_fp_build(p, &c, rec);
  return 0;
}
