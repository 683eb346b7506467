/*
 * test_signatures.c - the maintained lists compiled from signatures/NAME.data
 * and the phrase conventions (ao_signatures).
 */
#include "ao_test.h"

#include "ao_signatures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The three lists the classifier uses are compiled in, non-empty, and the
 * same as the data files in the repository (count of phrase lines). */
static void test_builtin_lists(void **state) {
  (void)state;
  static const char *const names[] = {"scanner-user-agents", "probe-paths",
                                      "probe-paths-absent"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    const ao_siglist_t *l = ao_siglist_builtin(names[i]);
    assert_non_null(l);
    assert_true(l->count > 10);
    char path[128];
    snprintf(path, sizeof(path), "signatures/%s.data", names[i]);
    char *text = ao_test_slurp(path, NULL);
    int lines = 0;
    for (char *p = text; p != NULL && *p;) {
      char *nl = strchr(p, '\n');
      size_t n = nl ? (size_t)(nl - p) : strlen(p);
      while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
        n--;
      size_t b = 0;
      while (b < n && p[b] == ' ')
        b++;
      if (b < n && p[b] != '#')
        lines++;
      p = nl ? nl + 1 : NULL;
    }
    free(text);
    assert_int_equal(lines, l->count);
    /* path lists: every phrase starts at a segment */
    if (strncmp(names[i], "probe", 5) == 0)
      for (int k = 0; k < l->count; k++)
        assert_true(l->phrases[k][0] == '/' ||
                    (l->phrases[k][0] == '^' && l->phrases[k][1] == '/'));
  }
  assert_null(ao_siglist_builtin("no-such-list"));
}

static int hit(const char *phrase, int path, const char *text) {
  char lit[AO_PHRASE_MAX + 1];
  unsigned flags;
  size_t n = ao_phrase_compile(phrase, path, lit, &flags);
  assert_true(n > 0);
  size_t tn = strlen(text);
  for (size_t b = 0; b + n <= tn; b++) {
    size_t j = 0;
    while (j < n && (text[b + j] | 0x20) == (lit[j] | 0x20))
      j++;
    if (j == n && ao_phrase_hit(text, tn, b, b + n, flags))
      return 1;
  }
  return 0;
}

static void test_phrases(void **state) {
  (void)state;
  /* short phrases are tokens; long ones match anywhere */
  assert_true(hit("nmap", 0, "Mozilla/5.0 (compatible; Nmap Scripting Engine)"));
  assert_false(hit("nmap", 0, "unmapped"));
  assert_true(hit("nikto", 0, "Mozilla/5.00 (Nikto/2.1.5)"));
  assert_true(hit("zgrab", 0, "zgrab/0.x"));
  assert_true(hit("censys", 0, "CensysInspect/1.1"));
  assert_false(hit("dirb", 0, "dirbuster-ish"));
  /* path phrases: segment start, name end, whole segment, root only */
  assert_true(hit("/.env", 1, "/.env"));
  assert_true(hit("/.env", 1, "/app/.env.bak"));
  assert_false(hit("/.env", 1, "/.environment"));
  assert_true(hit("/cgi-bin/", 1, "/cgi-bin/test.cgi"));
  assert_true(hit("/cgi-bin/", 1, "/cgi-bin"));
  assert_false(hit("/cgi-bin/", 1, "/cgi-binary/"));
  assert_true(hit("^/backup/", 1, "/backup/db.sql"));
  assert_false(hit("^/backup/", 1, "/scripts/backup/"));
  /* nothing left to match is refused */
  char lit[AO_PHRASE_MAX + 1];
  unsigned flags;
  assert_int_equal(ao_phrase_compile("^/", 1, lit, &flags), 0);
  assert_int_equal(ao_phrase_compile("", 0, lit, &flags), 0);
  char big[300];
  memset(big, 'a', 299);
  big[299] = '\0';
  assert_int_equal(ao_phrase_compile(big, 0, lit, &flags), 0);
  /* case is folded into the literal */
  assert_int_equal(ao_phrase_compile("SQLMap", 0, lit, &flags), 6);
  assert_string_equal(lit, "sqlmap");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_builtin_lists),
      cmocka_unit_test(test_phrases),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
