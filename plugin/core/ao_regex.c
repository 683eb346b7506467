/*
 * ao_regex.c - PCRE2 with limits (see ao_regex.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "ao_regex.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* A match limit of 100,000 keeps the worst case near a millisecond per line
 * (reliability matrix F1 measured ^(a+)+$ at ~0.9 ms with 1e5) while no
 * sane log pattern comes near it. Depth and heap bound the interpreter's
 * backtracking memory; the JIT uses its own stack, bounded below. */
const ao_regex_limits_t ao_regex_default_limits = {
    .match_limit = 100000,
    .depth_limit = 10000,
    .heap_limit_kib = 4096,
};

/* See ao_regex_thread_errors(). */
static _Thread_local uint64_t thread_errors;

#define JIT_STACK_START (32 * 1024)
#define JIT_STACK_MAX (512 * 1024)

struct ao_regex {
  pcre2_code *code;
  pcre2_match_data *md;
  pcre2_match_context *mctx;
  pcre2_jit_stack *jit_stack;
  int jit;
  uint64_t errors;
};

ao_regex_t *ao_regex_compile(const char *pattern, unsigned flags,
                             const ao_regex_limits_t *limits, ao_err_t *err) {
  if (limits == NULL)
    limits = &ao_regex_default_limits;
  ao_regex_t *re = calloc(1, sizeof(*re));
  if (re == NULL) {
    ao_err_set(err, "out of memory");
    return NULL;
  }
  uint32_t opts = PCRE2_DOLLAR_ENDONLY;
  if (flags & AO_RE_CASELESS)
    opts |= PCRE2_CASELESS;
  int code = 0;
  PCRE2_SIZE off = 0;
  re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts,
                           &code, &off, NULL);
  if (re->code == NULL) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof(msg));
    ao_err_set(err, "%s at offset %zu", (const char *)msg, (size_t)off);
    ao_regex_free(re);
    return NULL;
  }
  re->md = pcre2_match_data_create_from_pattern(re->code, NULL);
  re->mctx = pcre2_match_context_create(NULL);
  if (re->md == NULL || re->mctx == NULL) {
    ao_err_set(err, "out of memory");
    ao_regex_free(re);
    return NULL;
  }
  pcre2_set_match_limit(re->mctx, limits->match_limit);
  pcre2_set_depth_limit(re->mctx, limits->depth_limit);
  pcre2_set_heap_limit(re->mctx, limits->heap_limit_kib);
  /* JIT is an optimisation: without it (no JIT on the platform, or it
   * fails) the interpreter runs under the same limits. */
  if (pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0) {
    re->jit_stack = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX,
                                           NULL);
    if (re->jit_stack != NULL) {
      pcre2_jit_stack_assign(re->mctx, NULL, re->jit_stack);
      re->jit = 1;
    }
  }
  return re;
}

void ao_regex_free(ao_regex_t *re) {
  if (re == NULL)
    return;
  pcre2_jit_stack_free(re->jit_stack);
  pcre2_match_context_free(re->mctx);
  pcre2_match_data_free(re->md);
  pcre2_code_free(re->code);
  free(re);
}

int ao_regex_match(ao_regex_t *re, const char *s, size_t n) {
  int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, re->md, re->mctx);
  if (rc >= 0)
    return 1;
  if (rc != PCRE2_ERROR_NOMATCH) {
    re->errors++; /* a limit, or a JIT stack exhausted: not a match */
    thread_errors++;
  }
  return 0;
}

int ao_regex_group_number(const ao_regex_t *re, const char *name) {
  int n = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);
  return n > 0 ? n : -1;
}

ao_slice_t ao_regex_group(const ao_regex_t *re, const char *s, int number) {
  uint32_t count = pcre2_get_ovector_count(re->md);
  if (number < 0 || (uint32_t)number >= count)
    return AO_SLICE_EMPTY;
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
  PCRE2_SIZE a = ov[2 * number], b = ov[2 * number + 1];
  if (a == PCRE2_UNSET || b == PCRE2_UNSET || b < a)
    return AO_SLICE_EMPTY;
  return (ao_slice_t){s + a, b - a};
}

uint64_t ao_regex_errors(const ao_regex_t *re) { return re->errors; }

uint64_t ao_regex_thread_errors(void) { return thread_errors; }

int ao_regex_jit(const ao_regex_t *re) { return re->jit; }
