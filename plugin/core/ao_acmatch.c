/*
 * ao_acmatch.c - Aho-Corasick automaton over a reduced, case-folded
 * alphabet (see ao_acmatch.h).
 *
 * Layout, chosen for the scan loop:
 *   - `delta` is the complete transition function (goto and failure links
 *     folded together at build time), one uint16_t per (state, class):
 *     the scan does exactly one load per byte and never follows a failure
 *     link.
 *   - States are renumbered so that every state with an output is numbered
 *     at or above `first_out`: the scan tests "is there a hit here" with one
 *     compare against a register instead of a load from another table.
 *   - The outputs of a state (its own patterns, then those of the states
 *     along its failure chain, i.e. longest first) are flattened into one
 *     array at build time, so a hit costs no chain walk either.
 */
#include "ao_acmatch.h"

#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define AC_NOINLINE __attribute__((noinline))
#else
#define AC_NOINLINE
#endif

struct ao_ac {
  uint8_t cls[256];   /* byte -> class; 0 is "in no pattern" */
  unsigned ncls;      /* classes, including 0 */
  unsigned shift;     /* a row is 1 << shift entries (>= ncls): the scan
                       * indexes with a shift, not a multiply, on its
                       * critical path */
  uint32_t nstates;   /* states, root = 0 */
  uint32_t first_out; /* states >= first_out have at least one output */
  uint16_t *delta;    /* nstates rows of 1 << shift entries */
  uint32_t *out_off;  /* (nstates - first_out) + 1 offsets into outs */
  uint32_t *outs;     /* pattern ids */
  size_t nouts;
};

static unsigned char fold(unsigned char b) {
  return (b >= 'A' && b <= 'Z') ? (unsigned char)(b - 'A' + 'a') : b;
}

/* Build-time scratch, freed before ao_ac_create() returns. */
typedef struct ac_build {
  int32_t *go;       /* trie goto, then the full delta; -1 = none yet */
  uint32_t *fail;    /* failure link per state */
  int32_t *own;      /* first pattern index ending at the state, or -1 */
  int32_t *next_own; /* next pattern index ending at the same state */
  uint32_t *order;   /* states in breadth-first order */
  uint32_t *cnt;     /* outputs per state, failure chain included */
  uint32_t *renum;   /* old state -> new state */
} ac_build_t;

static void build_free(ac_build_t *b) {
  free(b->go);
  free(b->fail);
  free(b->own);
  free(b->next_own);
  free(b->order);
  free(b->cnt);
  free(b->renum);
}

void ao_ac_destroy(ao_ac_t *ac) {
  if (ac == NULL)
    return;
  free(ac->delta);
  free(ac->out_off);
  free(ac->outs);
  free(ac);
}

ao_ac_t *ao_ac_create(const ao_ac_pattern_t *pats, size_t n, ao_err_t *err) {
  ac_build_t b = {0};
  ao_ac_t *ac = calloc(1, sizeof(*ac));
  if (ac == NULL) {
    ao_err_set(err, "ao_ac_create: out of memory");
    return NULL;
  }

  /* Validate, size the trie, assign classes to the bytes in use. */
  size_t total = 1;
  unsigned ncls = 1;
  for (size_t i = 0; i < n; i++) {
    size_t len = pats[i].text != NULL ? strlen(pats[i].text) : 0;
    if (len == 0 || len > AO_AC_MAX_PATTERN) {
      ao_err_set(err, "ao_ac_create: pattern %zu is empty or longer than %u", i,
                 AO_AC_MAX_PATTERN);
      goto fail;
    }
    total += len;
    for (size_t k = 0; k < len; k++) {
      unsigned char c = fold((unsigned char)pats[i].text[k]);
      if (ac->cls[c] == 0 && ncls <= 255)
        ac->cls[c] = (uint8_t)ncls++;
      else if (ac->cls[c] == 0)
        ncls++; /* counted, refused below */
    }
  }
  if (ncls > 255) {
    /* cls[] holds uint8_t: more than 255 distinct bytes cannot happen with
     * the ASCII rule tables, and binary patterns are not a use case. */
    ao_err_set(err, "ao_ac_create: patterns use too many distinct bytes");
    goto fail;
  }
  for (unsigned c = 'A'; c <= 'Z'; c++)
    ac->cls[c] = ac->cls[c - 'A' + 'a'];
  ac->ncls = ncls;
  if (total > AO_AC_MAX_STATES + 1u) {
    /* Shared prefixes may still bring it under the limit: check the real
     * count below, but refuse absurd inputs before allocating for them. */
    if (total > 16u * AO_AC_MAX_STATES) {
      ao_err_set(err, "ao_ac_create: patterns too long (%zu bytes)", total);
      goto fail;
    }
  }

  b.go = malloc(total * ncls * sizeof(*b.go));
  b.own = malloc(total * sizeof(*b.own));
  b.next_own = malloc((n > 0 ? n : 1) * sizeof(*b.next_own));
  if (b.go == NULL || b.own == NULL || b.next_own == NULL) {
    ao_err_set(err, "ao_ac_create: out of memory");
    goto fail;
  }
  memset(b.go, 0xff, total * ncls * sizeof(*b.go)); /* all -1 */
  memset(b.own, 0xff, total * sizeof(*b.own));

  /* The trie. */
  uint32_t nstates = 1;
  for (size_t i = 0; i < n; i++) {
    uint32_t s = 0;
    for (const char *p = pats[i].text; *p != '\0'; p++) {
      unsigned c = ac->cls[(unsigned char)*p];
      int32_t *t = &b.go[(size_t)s * ncls + c];
      if (*t < 0)
        *t = (int32_t)nstates++;
      s = (uint32_t)*t;
    }
    /* Append, so that patterns with the same text come out in table order. */
    b.next_own[i] = -1;
    int32_t *link = &b.own[s];
    while (*link >= 0)
      link = &b.next_own[*link];
    *link = (int32_t)i;
  }
  if (nstates > AO_AC_MAX_STATES) {
    ao_err_set(err, "ao_ac_create: %u states, more than %u", nstates,
               AO_AC_MAX_STATES);
    goto fail;
  }

  /* Failure links and the complete transition function, breadth first:
   * a state's failure target is shallower, so its row is already complete
   * when the state is reached. */
  b.fail = calloc(nstates, sizeof(*b.fail));
  b.order = malloc(nstates * sizeof(*b.order));
  b.cnt = calloc(nstates, sizeof(*b.cnt));
  b.renum = malloc(nstates * sizeof(*b.renum));
  if (b.fail == NULL || b.order == NULL || b.cnt == NULL || b.renum == NULL) {
    ao_err_set(err, "ao_ac_create: out of memory");
    goto fail;
  }
  size_t head = 0, tail = 0;
  b.order[tail++] = 0;
  while (head < tail) {
    uint32_t u = b.order[head++];
    for (unsigned c = 0; c < ncls; c++) {
      int32_t *t = &b.go[(size_t)u * ncls + c];
      if (*t >= 0) {
        uint32_t v = (uint32_t)*t;
        b.fail[v] = u == 0 ? 0 : (uint32_t)b.go[(size_t)b.fail[u] * ncls + c];
        b.order[tail++] = v;
      } else {
        *t = u == 0 ? 0 : b.go[(size_t)b.fail[u] * ncls + c];
      }
    }
  }

  /* Output counts, then renumber: states without outputs first. */
  size_t nouts = 0;
  for (size_t k = 0; k < nstates; k++) {
    uint32_t s = b.order[k];
    uint32_t own = 0;
    for (int32_t p = b.own[s]; p >= 0; p = b.next_own[p])
      own++;
    b.cnt[s] = own + (s == 0 ? 0 : b.cnt[b.fail[s]]);
    nouts += b.cnt[s];
  }
  uint32_t next_id = 0;
  for (size_t k = 0; k < nstates; k++)
    if (b.cnt[b.order[k]] == 0)
      b.renum[b.order[k]] = next_id++;
  ac->first_out = next_id;
  for (size_t k = 0; k < nstates; k++)
    if (b.cnt[b.order[k]] != 0)
      b.renum[b.order[k]] = next_id++;

  ac->nstates = nstates;
  ac->nouts = nouts;
  while ((1u << ac->shift) < ncls)
    ac->shift++;
  ac->delta = calloc((size_t)nstates << ac->shift, sizeof(*ac->delta));
  ac->out_off =
      malloc(((size_t)(nstates - ac->first_out) + 1) * sizeof(*ac->out_off));
  ac->outs = malloc((nouts > 0 ? nouts : 1) * sizeof(*ac->outs));
  if (ac->delta == NULL || ac->out_off == NULL || ac->outs == NULL) {
    ao_err_set(err, "ao_ac_create: out of memory");
    goto fail;
  }
  for (uint32_t s = 0; s < nstates; s++)
    for (unsigned c = 0; c < ncls; c++)
      ac->delta[((size_t)b.renum[s] << ac->shift) + c] =
          (uint16_t)b.renum[b.go[(size_t)s * ncls + c]];

  /* Flattened outputs, in new-state order. */
  uint32_t *inv = b.order; /* reuse: new id -> old id */
  for (uint32_t s = 0; s < nstates; s++)
    inv[b.renum[s]] = s;
  size_t o = 0;
  for (uint32_t ns = ac->first_out; ns < nstates; ns++) {
    ac->out_off[ns - ac->first_out] = (uint32_t)o;
    for (uint32_t t = inv[ns]; t != 0; t = b.fail[t])
      for (int32_t p = b.own[t]; p >= 0; p = b.next_own[p])
        ac->outs[o++] = pats[p].id;
  }
  ac->out_off[nstates - ac->first_out] = (uint32_t)o;

  build_free(&b);
  return ac;

fail:
  build_free(&b);
  ao_ac_destroy(ac);
  return NULL;
}

/* The outputs of state s (>= first_out), reported for a hit ending at
 * `end`. Out of line: hits are rare next to bytes, and the call keeps the
 * scan loop free of everything the report needs, so that the loop's
 * pointers stay in registers instead of being reloaded from the stack at
 * every byte. */
static AC_NOINLINE int ac_report(const ao_ac_t *ac, uint32_t s, size_t end,
                                 ao_ac_hit_fn fn, void *ud) {
  const uint32_t *o = ac->outs + ac->out_off[s - ac->first_out];
  const uint32_t *e = ac->outs + ac->out_off[s - ac->first_out + 1];
  for (; o < e; o++) {
    int r = fn(ud, *o, end);
    if (r != 0)
      return r;
  }
  return 0;
}

/* The scan loop for rows of 1 << shift entries. ao_ac_scan() calls it with
 * a constant shift for the row widths of the built-in rules (64 classes:
 * 6) and their neighbours, so that the compiler shifts by an immediate:
 * one instruction less per byte than a shift by a register. */
static AO_ALWAYS_INLINE int ac_loop(const ao_ac_t *ac, const unsigned char *p,
                                    size_t n, ao_ac_hit_fn fn, void *ud,
                                    unsigned shift) {
  const unsigned char *q = p, *end = p + n;
  const uint16_t *delta = ac->delta;
  const uint8_t *cls = ac->cls;
  const uint32_t first_out = ac->first_out;
  uint32_t s = 0;
  while (q < end) {
    s = delta[((size_t)s << shift) | cls[*q++]];
    if (AO_UNLIKELY(s >= first_out)) {
      int r = ac_report(ac, s, (size_t)(q - p), fn, ud);
      if (r != 0)
        return r;
    }
  }
  return 0;
}

int ao_ac_scan(const ao_ac_t *ac, const void *text, size_t n, ao_ac_hit_fn fn,
               void *ud) {
  if (n == 0) /* text may then be NULL, and NULL + 0 is undefined */
    return 0;
  switch (ac->shift) {
  case 5:
    return ac_loop(ac, text, n, fn, ud, 5);
  case 6:
    return ac_loop(ac, text, n, fn, ud, 6);
  case 7:
    return ac_loop(ac, text, n, fn, ud, 7);
  default:
    return ac_loop(ac, text, n, fn, ud, ac->shift);
  }
}

size_t ao_ac_state_count(const ao_ac_t *ac) { return ac->nstates; }
size_t ao_ac_class_count(const ao_ac_t *ac) { return ac->ncls; }

size_t ao_ac_memory(const ao_ac_t *ac) {
  return sizeof(*ac) + ((size_t)ac->nstates << ac->shift) * sizeof(*ac->delta) +
         ((size_t)(ac->nstates - ac->first_out) + 1) * sizeof(*ac->out_off) +
         ac->nouts * sizeof(*ac->outs);
}
