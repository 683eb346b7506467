/*
 * test_acmatch.c - the Aho-Corasick matcher (ao_acmatch).
 */
#include "ao_test.h"

#include "ao_acmatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HITS 4096

typedef struct hits {
  uint32_t id[MAX_HITS];
  size_t end[MAX_HITS];
  size_t n;
  size_t stop_after; /* 0: never stop */
} hits_t;

static int record(void *ud, uint32_t id, size_t end) {
  hits_t *h = ud;
  assert_true(h->n < MAX_HITS);
  h->id[h->n] = id;
  h->end[h->n] = end;
  h->n++;
  return h->stop_after != 0 && h->n >= h->stop_after ? 7 : 0;
}

static ao_ac_t *build(const char *const *texts, size_t n) {
  ao_ac_pattern_t pats[64];
  assert_true(n <= 64);
  for (size_t i = 0; i < n; i++) {
    pats[i].text = texts[i];
    pats[i].id = (uint32_t)(100 + i);
  }
  ao_err_t err;
  ao_ac_t *ac = ao_ac_create(pats, n, &err);
  assert_non_null(ac);
  return ac;
}

/* The textbook example: every occurrence, in order of end, longest first
 * among those ending at the same byte. */
static void test_classic_hits_and_order(void **state) {
  (void)state;
  static const char *const p[] = {"he", "she", "his", "hers"};
  ao_ac_t *ac = build(p, 4);
  hits_t h = {0};
  assert_int_equal(ao_ac_scan(ac, "ushers", 6, record, &h), 0);
  assert_int_equal(h.n, 3);
  assert_int_equal(h.id[0], 101); /* she, ends at 4 */
  assert_int_equal(h.end[0], 4);
  assert_int_equal(h.id[1], 100); /* he, ends at 4 */
  assert_int_equal(h.end[1], 4);
  assert_int_equal(h.id[2], 103); /* hers, ends at 6 */
  assert_int_equal(h.end[2], 6);
  ao_ac_destroy(ac);
}

/* ASCII case does not matter, in patterns or text; other bytes do. */
static void test_case_folding(void **state) {
  (void)state;
  static const char *const p[] = {"UNION", "select"};
  ao_ac_t *ac = build(p, 2);
  hits_t h = {0};
  ao_ac_scan(ac, "1 uNiOn SELECT 2", 16, record, &h);
  assert_int_equal(h.n, 2);
  assert_int_equal(h.id[0], 100);
  assert_int_equal(h.end[0], 7);
  assert_int_equal(h.id[1], 101);
  assert_int_equal(h.end[1], 14);
  /* 0xd5 is not 'u' in any case */
  h.n = 0;
  ao_ac_scan(ac, "\xd5nion", 5, record, &h);
  assert_int_equal(h.n, 0);
  ao_ac_destroy(ac);
}

/* Duplicated patterns are each reported; overlapping hits all come out. */
static void test_duplicates_and_overlaps(void **state) {
  (void)state;
  static const char *const p[] = {"aa", "aa", "a"};
  ao_ac_t *ac = build(p, 3);
  hits_t h = {0};
  ao_ac_scan(ac, "aaa", 3, record, &h);
  /* end 1: a; end 2: aa, aa, a; end 3: aa, aa, a */
  assert_int_equal(h.n, 7);
  assert_int_equal(h.id[0], 102);
  assert_int_equal(h.id[1], 100);
  assert_int_equal(h.id[2], 101);
  assert_int_equal(h.id[3], 102);
  ao_ac_destroy(ac);
}

/* The callback can stop the scan; its value comes back. */
static void test_early_stop(void **state) {
  (void)state;
  static const char *const p[] = {"x"};
  ao_ac_t *ac = build(p, 1);
  hits_t h = {.stop_after = 2};
  assert_int_equal(ao_ac_scan(ac, "xxxxx", 5, record, &h), 7);
  assert_int_equal(h.n, 2);
  ao_ac_destroy(ac);
}

/* Text may contain NUL and any byte; an empty text has no hits. */
static void test_binary_text(void **state) {
  (void)state;
  static const char *const p[] = {"../", "\xc0\xaf"};
  ao_ac_t *ac = build(p, 2);
  hits_t h = {0};
  const char text[] = "\0..\0../\xff\xc0\xaf";
  ao_ac_scan(ac, text, sizeof(text) - 1, record, &h);
  assert_int_equal(h.n, 2);
  assert_int_equal(h.end[0], 7);
  assert_int_equal(h.end[1], 10);
  h.n = 0;
  ao_ac_scan(ac, "", 0, record, &h);
  assert_int_equal(h.n, 0);
  ao_ac_destroy(ac);
}

/* Bad tables are refused with a message, never a crash. */
static void test_create_errors(void **state) {
  (void)state;
  ao_err_t err;
  ao_ac_pattern_t empty = {"", 1};
  assert_null(ao_ac_create(&empty, 1, &err));
  assert_non_null(strstr(err.msg, "empty"));
  char *longp = malloc(AO_AC_MAX_PATTERN + 2);
  memset(longp, 'a', AO_AC_MAX_PATTERN + 1);
  longp[AO_AC_MAX_PATTERN + 1] = '\0';
  ao_ac_pattern_t lp = {longp, 1};
  assert_null(ao_ac_create(&lp, 1, &err));
  free(longp);
  /* more states than a uint16_t can number: 300 distinct 255-byte
   * patterns sharing no prefix beyond one byte */
  enum { NP = 300 };
  ao_ac_pattern_t *many = calloc(NP, sizeof(*many));
  char(*txt)[256] = calloc(NP, 256);
  for (int i = 0; i < NP; i++) {
    for (int k = 0; k < 255; k++)
      txt[i][k] = (char)('a' + (i * 7 + k * 13 + k * i) % 26);
    txt[i][0] = (char)('a' + i % 26);
    txt[i][1] = (char)('a' + (i / 26) % 26);
    txt[i][255] = '\0';
    many[i].text = txt[i];
    many[i].id = (uint32_t)i;
  }
  assert_null(ao_ac_create(many, NP, &err));
  assert_non_null(strstr(err.msg, "states"));
  free(txt);
  free(many);
  ao_ac_destroy(NULL);
  /* zero patterns is a valid, silent automaton */
  ao_ac_t *none = ao_ac_create(NULL, 0, &err);
  assert_non_null(none);
  hits_t h = {0};
  ao_ac_scan(none, "abc", 3, record, &h);
  assert_int_equal(h.n, 0);
  ao_ac_destroy(none);
}

/* Every hit of a naive search (ASCII case ignored) is reported, nothing
 * else is, in order of end. */
static void check_against_naive(const ao_ac_t *ac, const char *const *ptrs,
                                size_t np, const char *text, size_t tn) {
  hits_t h = {0};
  ao_ac_scan(ac, text, tn, record, &h);
  size_t expect = 0;
  for (size_t end = 1; end <= tn; end++) {
    for (size_t i = 0; i < np; i++) {
      size_t len = strlen(ptrs[i]);
      if (len > end)
        continue;
      int eq = 1;
      for (size_t k = 0; k < len && eq; k++) {
        char a = text[end - len + k], b = ptrs[i][k];
        if (a >= 'A' && a <= 'Z')
          a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
          b = (char)(b - 'A' + 'a');
        eq = a == b;
      }
      if (!eq)
        continue;
      /* the same (id, end) must be among the reported hits */
      int found = 0;
      for (size_t j = 0; j < h.n && !found; j++)
        found = h.id[j] == 100 + i && h.end[j] == end;
      assert_true(found);
      expect++;
    }
  }
  assert_int_equal(h.n, expect);
  for (size_t j = 1; j < h.n; j++)
    assert_true(h.end[j - 1] <= h.end[j]);
}

/* Against a naive search on random texts and patterns over a small
 * alphabet (many overlaps and failure transitions). */
static void test_matches_naive_search(void **state) {
  (void)state;
  unsigned seed = 12345;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
  static const char alpha[] = "abAB./%\0"; /* NUL last: text only */
  for (int round = 0; round < 200; round++) {
    char texts[12][8];
    const char *ptrs[12];
    size_t np = 1 + RND() % 12;
    for (size_t i = 0; i < np; i++) {
      size_t len = 1 + RND() % 6;
      for (size_t k = 0; k < len; k++) {
        char c = alpha[RND() % 7]; /* no NUL in patterns */
        texts[i][k] = c;
      }
      texts[i][len] = '\0';
      ptrs[i] = texts[i];
    }
    ao_ac_t *ac = build(ptrs, np);
    char text[64];
    size_t tn = RND() % 64;
    for (size_t k = 0; k < tn; k++)
      text[k] = alpha[RND() % 8];
    check_against_naive(ac, ptrs, np, text, tn);
    ao_ac_destroy(ac);
  }
#undef RND
}

/* The scan has a loop for each common row width (rows of 32, 64 and 128
 * classes) besides the general one: patterns over 20 to 110 distinct bytes
 * give automata of every width, each checked against the naive search on
 * texts made of pieces of the patterns and other bytes. */
static void test_wide_rows_match_naive(void **state) {
  (void)state;
  unsigned seed = 777;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
  unsigned widths_seen = 0;
  for (int round = 0; round < 120; round++) {
    /* high bytes: no case folding, one class each */
    unsigned alen = 20 + (unsigned)RND() % 91;
    char texts[64][8];
    const char *ptrs[64];
    size_t np = 64;
    for (size_t i = 0; i < np; i++) {
      size_t len = 1 + RND() % 6;
      for (size_t k = 0; k < len; k++)
        texts[i][k] = (char)(0x80 + (i * 6 + k < alen ? i * 6 + k
                                                      : RND() % alen));
      texts[i][len] = '\0';
      ptrs[i] = texts[i];
    }
    ao_ac_t *ac = build(ptrs, np);
    size_t ncls = ao_ac_class_count(ac);
    widths_seen |= ncls > 16 && ncls <= 32    ? 1u
                   : ncls > 32 && ncls <= 64  ? 2u
                   : ncls > 64 && ncls <= 128 ? 4u
                                              : 0u;
    char text[256];
    size_t tn = 0;
    while (tn < 200) {
      if (RND() % 3 == 0) {
        text[tn++] = (char)(RND() % 256);
      } else {
        const char *piece = ptrs[RND() % np];
        size_t pl = strlen(piece);
        memcpy(text + tn, piece, pl);
        tn += pl;
      }
    }
    check_against_naive(ac, ptrs, np, text, tn);
    ao_ac_destroy(ac);
  }
  assert_int_equal(widths_seen, 7u);
#undef RND
}

/* Only the bytes used by patterns get classes; sizes are reported. */
static void test_sizes(void **state) {
  (void)state;
  static const char *const p[] = {"ab", "Ba"};
  ao_ac_t *ac = build(p, 2);
  assert_int_equal(ao_ac_class_count(ac), 3); /* other, a, b */
  assert_int_equal(ao_ac_state_count(ac), 5); /* root, a, ab, b, ba */
  assert_true(ao_ac_memory(ac) > 0);
  ao_ac_destroy(ac);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_classic_hits_and_order),
      cmocka_unit_test(test_case_folding),
      cmocka_unit_test(test_duplicates_and_overlaps),
      cmocka_unit_test(test_early_stop),
      cmocka_unit_test(test_binary_text),
      cmocka_unit_test(test_create_errors),
      cmocka_unit_test(test_matches_naive_search),
      cmocka_unit_test(test_wide_rows_match_naive),
      cmocka_unit_test(test_sizes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
