/*
 * test_sqli.c - SQL injection by token structure (ao_sqli).
 *
 *   - a table both ways: injection shapes of every kind the header lists
 *     (quote context, numeric context, comments, stacked statements,
 *     UNION, functions, casts, MySQL executable comments, obfuscation) and
 *     prose that shares their words (select a plan, rock and roll,
 *     O'Brien, 16" or 18", "like" stamp, x<5 and y>3, 1/26/11);
 *   - the cheap candidate test, and against a plain reading of its
 *     contract on random values made of statement words, their neighbours
 *     and every kind of byte;
 *   - values longer than a window of tokens: an injection at the end of a
 *     long value is still found;
 *   - cost: the work counter grows linearly with hostile repetitions
 *     (no clock), and every byte value is survived.
 */
#include "ao_test.h"

#include "ao_sqli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct row {
  const char *value; /* decoded, lower case, as the classifier passes it */
  unsigned flags;
  int want;
  const char *why;
} row_t;

/* clang-format off */
static const row_t rows[] = {
  /* quote context */
  {"1' or '1'='1", 0, 1, "string tautology"},
  {"x' or 1=1--", 0, 1, "numeric tautology and comment"},
  {"admin'--", 0, 1, "comment after the quote"},
  {"admin')#", 0, 1, "parenthesis and MySQL comment"},
  {"foo' union select null,version()--", 0, 1, "union after a quote"},
  {"x'; drop table users--", 0, 1, "stacked statement"},
  {"aa'!='1", 0, 1, "comparison glued to the quotes"},
  {"a'+'b", 0, 1, "operator between the application's quotes"},
  {"x' xor 'y", 0, 1, "SQL-only word operator sandwiched"},
  {"1' -1 or '1", 0, 1, "arithmetic then logic up to the closing quote"},
  {"asd' or column^'-1", 0, 1, "rebalanced expression"},
  {"'||utl_http.request('http://x/')||'", 0, 1, "concatenated call"},
  {"username'declare @s varchar(8000)", 0, 1, "MSSQL statement after the quote"},
  {"x' (select top 1 name from users)", 0, 1, "subquery after the quote"},
  {"1\" or \"a\"=\"a", 0, 1, "double quotes"},
  /* numeric context */
  {"1 or 1=1", 0, 1, "tautology"},
  {"-1 union all select 1,2,version()--", 0, 1, "union select"},
  {"-1 union", 0, 1, "a value before union at the end"},
  {"1 and sleep(5)", 0, 1, "time-based"},
  {"sleep(20)", 0, 1, "a delay as the whole value"},
  {"1;waitfor delay '0:0:5'--", 0, 1, "MSSQL delay, stacked"},
  {"1--", 0, 1, "a number and a comment"},
  {"( ( 1 ) ) --", 0, 1, "an expression and a comment"},
  {"@version--", 0, 1, "variable and comment"},
  {"@@version", 0, 1, "system variable"},
  {"1 order by 10--", 0, 1, "column counting"},
  {"id having (1 or 1)", 0, 1, "having with a condition"},
  {"3 where prod.id=3/*", 0, 1, "where and an open block comment"},
  {"limit 0,1--", 0, 1, "limit"},
  {"case when 1=1 then 1 else 0 end", 0, 1, "case when"},
  {"ascii(substring(version() from 1 for 1))", 0, 1, "nested SQL functions"},
  {"length(version())", 0, 1, "introspection call"},
  {"substring(passwd,1,1)", 0, 1, "extraction by position"},
  {"foo,iif(2510=9436,foo,1/0)", 0, 1, "condition on constants inside a function"},
  {"1 - ord('a')", 0, 1, "arithmetic with an SQL function"},
  {"password::int", 0, 1, "PostgreSQL cast"},
  {"1;call p(@version, @a)", 0, 1, "stacked call"},
  {"exec master..xp_cmdshell 'dir'", 0, 1, "xp_cmdshell"},
  {"exec(@q)", 0, 1, "dynamic SQL"},
  {"declare @x int", 0, 1, "declare"},
  {"select name from users where id=1", 0, 1, "a whole query"},
  {"(select login/2 from users limit 1,1)", 0, 1, "subquery"},
  {"1/*!50000union*//*!50000select*/1,2", 0, 1, "executable comments"},
  {"1 union/**/select 1,2", 0, 1, "comment as blank"},
  {"1=1 and- - - ~~((1))", 0, 1, "tautology on the left"},
  {"-1#foo\nunion select 1", 0, 1, "line comment, then more on the next line"},
  {"1--randomword\nand 9227=9227", 0, 1, "sqlmap's comment before a newline"},
  {"24'union+all+select+1,2,3+from+aa", AO_SQLI_PLUS_BLANK, 1, "'+' as blank in a path"},
  /* prose and ordinary values */
  {"select a plan", 0, 0, "select as a word"},
  {"select items from the list", 0, 0, "select ... from the ..."},
  {"union station", 0, 0, "union"},
  {"union select committee", 0, 0, "union select as words"},
  {"rock and roll", 0, 0, "and between words"},
  {"2 or 3 people", 0, 0, "number or number"},
  {"o'brien", 0, 0, "apostrophe"},
  {"tom's and jerry's", 0, 0, "possessives"},
  {"1950' and 60's coats", 0, 0, "decades"},
  {"necklace 16\" or 18\"", 0, 0, "inches"},
  {"huge brass clock gear 2 3/4\" - vintage", 0, 0, "inch mark then a word"},
  {"\"like\" stamp", 0, 0, "a quoted word"},
  {"browning \"like\"", 0, 0, "a quoted word at the end"},
  {"countdown calendar\" and \"disney", 0, 0, "quoted phrases in a boolean search"},
  {"x<5 and y>3", 0, 0, "a filter expression"},
  {"drop table lamp", 0, 0, "furniture"},
  {"drop-down menu", 0, 0, "drop-down"},
  {"how to use sleep(1) in python", 0, 0, "sleep( in prose"},
  {"1/26/11", 0, 0, "a date"},
  {"24-7-team", 0, 0, "hyphens"},
  {"item #1", 0, 0, "number sign"},
  {"\"#2 mom\"", 0, 0, "number sign after a quote"},
  {"blue -baby --infant", 0, 0, "search operators"},
  {"c# and java", 0, 0, "C#"},
  {"true#last", 0, 0, "a keyword and a hash"},
  {"the files (yep)", 0, 0, "parentheses in prose"},
  {"(555) 123-4567", 0, 0, "a phone number"},
  {"exec (", 0, 0, "exec and a parenthesis"},
  {"mozilla/5.0 (windows nt 10.0; win64; x64) applewebkit/537.36 (khtml, like gecko) chrome/120.0.0.0 safari/537.36", AO_SQLI_PLUS_BLANK, 0, "a browser's user agent"},
  {"i'm afraid so. you're entirely bonkers.", 0, 0, "prose with apostrophes"},
  /* quote context: the application's quote is the first unescaped one of
   * its kind, whatever the other kind and backslashes do before it */
  {"o'brien\" or \"1\"=\"1", AO_SQLI_QUOTE_ONLY, 1, "\" after a '"},
  {"16\" tv' or '1'='1", AO_SQLI_QUOTE_ONLY, 1, "' after a \""},
  {"it\\'s' or 'a'='a", AO_SQLI_QUOTE_ONLY, 1, "an escaped ' first"},
  {"it\\\"s\" or \"a\"=\"a", AO_SQLI_QUOTE_ONLY, 1, "an escaped \" first"},
};
/* clang-format on */

static void test_table(void **state) {
  (void)state;
  int bad = 0;
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    const row_t *r = &rows[i];
    size_t n = strlen(r->value);
    int got = ao_sqli_candidate(r->value, n) &&
              ao_sqli_value(r->value, n, r->flags, NULL);
    if (got != r->want) {
      print_error("row %zu (%s): \"%s\" -> %d, want %d\n", i, r->why,
                  r->value, got, r->want);
      bad++;
    }
  }
  assert_int_equal(bad, 0);
}

static void test_candidate(void **state) {
  (void)state;
  assert_false(ao_sqli_candidate("42", 2));
  assert_false(ao_sqli_candidate("en-us", 5));
  assert_false(ao_sqli_candidate("2024-01-01", 10));
  assert_true(ao_sqli_candidate("1--", 3));
  assert_true(ao_sqli_candidate("a'b", 3));
  assert_false(ao_sqli_candidate("a b", 3)); /* words alone */
  assert_false(ao_sqli_candidate("rock and roll tickets", 21));
  assert_true(ao_sqli_candidate("1 b", 3));
  assert_true(ao_sqli_candidate("select name from users", 22));
  assert_true(ao_sqli_candidate("Union station", 13));
  assert_true(ao_sqli_candidate("x/*y", 4));
  assert_false(ao_sqli_value("", 0, 0, NULL));
}

/* The candidate test's contract read plainly, one rule at a time: a
 * trigger byte, "--", slash-star, a run of letters that is a statement
 * word (either case), or a digit and a blank. */
static int oracle_candidate(const char *t, size_t n) {
  static const char *const words[] = {
      "drop",    "exec",    "case",     "load",    "union",  "alter",
      "order",   "group",   "limit",    "where",   "select", "insert",
      "delete",  "update",  "create",   "having",  "backup", "execute",
      "declare", "waitfor", "shutdown", "truncate"};
  int digit = 0, blank = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)t[i];
    if (strchr("'\"`()#;@=<>|&^*!~:\\", c) != NULL && c != 0)
      return 1;
    if (i + 1 < n &&
        ((c == '-' && t[i + 1] == '-') || (c == '/' && t[i + 1] == '*')))
      return 1;
    if (strchr(" \t\n\r+,", c) != NULL && c != 0)
      blank = 1;
    if (c >= '0' && c <= '9')
      digit = 1;
    if (isalpha(c) && (i == 0 || !isalpha((unsigned char)t[i - 1]))) {
      size_t e = i;
      while (e < n && isalpha((unsigned char)t[e]))
        e++;
      for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
        if (strlen(words[k]) == e - i &&
            strncasecmp(words[k], t + i, e - i) == 0)
          return 1;
    }
  }
  return digit && blank;
}

static void test_candidate_oracle(void **state) {
  (void)state;
  /* statement words, words one letter off or one longer or shorter, and
   * words that share a length and a first letter with one */
  static const char *const parts[] = {
      "drop",     "DROP",      "drops",       "dro",     "drip",    "exec",
      "Exec",     "case",      "cash",        "load",    "loads",   "union",
      "UNION",    "unio",      "unions",      "alter",   "order",   "orders",
      "group",    "limit",     "where",       "whore",   "select",  "Select",
      "selects",  "insert",    "delete",      "deleta",  "update",  "create",
      "having",   "backup",    "execute",     "declare", "waitfor", "shutdown",
      "truncate", "truncated", "d",           "do",      "shoes",   "red",
      "station",  "summer",    "caf\xc3\xa9", "x",       "",        "2024",
      "7",        "zzzz",      "wwwww",       "bbbbbb"};
  static const char seps[] = " +-_.,/0123\t'\"(;*#=|&\xa0\x80Z";
  char buf[256];
  uint32_t x = 777;
  for (int round = 0; round < 200000; round++) {
    size_t n = 0;
    int k = 1 + round % 5;
    for (int w = 0; w < k && n < sizeof(buf) - 32; w++) {
      x = x * 1103515245u + 12345u;
      const char *p = parts[(x >> 16) % (sizeof(parts) / sizeof(parts[0]))];
      memcpy(buf + n, p, strlen(p));
      n += strlen(p);
      x = x * 1103515245u + 12345u;
      if ((x >> 20) % 4 != 0)
        buf[n++] = seps[(x >> 8) % (sizeof(seps) - 1)];
    }
    int want = oracle_candidate(buf, n), got = ao_sqli_candidate(buf, n);
    if (want != got)
      fail_msg("\"%.*s\": candidate %d, contract %d", (int)n, buf, got, want);
  }
}

/* An injection after more tokens than one window holds is still found:
 * the lexer keeps going and the rules run window by window. */
static void test_long_values(void **state) {
  (void)state;
  size_t cap = 40000;
  char *buf = malloc(cap);
  size_t n = 0;
  while (n + 10 < cap - 64)
    n += (size_t)snprintf(buf + n, cap - n, "w%zu ", n % 97);
  n += (size_t)snprintf(buf + n, cap - n, "1 union select 1,2--");
  assert_true(ao_sqli_value(buf, n, 0, NULL));
  /* the same prose without the tail is not */
  size_t m = n - strlen("1 union select 1,2--");
  assert_false(ao_sqli_value(buf, m, 0, NULL));
  free(buf);
}

/* Work grows linearly with the input, whatever is repeated: the counter
 * for 4x the input stays within 4x (plus a constant) of the smaller one. */
static void test_linear_work(void **state) {
  (void)state;
  static const char *const units[] = {
      "' or ",  "(",       ")",   "1 or 1=1 ", "union select ", "/*",
      "--\n",   "'",       "\"",  "select ",   "a.b.c",         "@@v ",
      "case ",  "when ",   ";",   "sleep(",    "::",            "1,",
      "x'='y'", "/*!5*/",  "'||", "0x41 ",     "\\n",           "#\n"};
  enum { SMALL = 4000, LARGE = 16000 };
  char *buf = malloc(LARGE + 64);
  for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
    size_t k = strlen(units[u]);
    uint64_t w[2] = {0, 0};
    size_t sizes[2] = {SMALL, LARGE};
    for (int s = 0; s < 2; s++) {
      size_t n = 0;
      while (n + k <= sizes[s]) {
        memcpy(buf + n, units[u], k);
        n += k;
      }
      ao_sqli_value(buf, n, 0, &w[s]);
    }
    if (w[1] > 4 * w[0] + 4096) {
      print_error("unit \"%s\": work %llu for %d bytes, %llu for %d\n",
                  units[u], (unsigned long long)w[0], SMALL,
                  (unsigned long long)w[1], LARGE);
      fail();
    }
    assert_true(w[0] > 0);
  }
  free(buf);
}

/* Every byte value, and random bytes, are survived (ASan/valgrind watch). */
static void test_every_byte(void **state) {
  (void)state;
  char buf[512];
  for (int c = 0; c < 256; c++) {
    memset(buf, c, sizeof(buf));
    ao_sqli_value(buf, sizeof(buf), 0, NULL);
    ao_sqli_value(buf, 1, 0, NULL);
  }
  uint32_t x = 12345;
  for (int round = 0; round < 2000; round++) {
    size_t n = (size_t)(round % 511) + 1;
    for (size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      buf[i] = "'\"`()#;@=<>|&^*!~, -/0a1\n\\:x"[(x >> 16) % 28];
    }
    int v = ao_sqli_value(buf, n, round & 1 ? AO_SQLI_PLUS_BLANK : 0, NULL);
    /* the candidate test never skips a value the rules would flag */
    if (v && !ao_sqli_candidate(buf, n))
      fail_msg("candidate test skipped \"%.*s\"", (int)n, buf);
  }
  /* words and blanks alone, as most search terms are */
  static const char *const words[] = {"select", "from", "users", "and",  "or",
                                      "union",  "all",  "name",  "drop", "table",
                                      "where",  "id",   "exec",  "sp_who", "x",
                                      "is",     "null", "like",  "in",   "not"};
  for (int round = 0; round < 5000; round++) {
    size_t n = 0;
    for (int w = 0; w < 1 + round % 7; w++) {
      x = x * 1103515245u + 12345u;
      const char *word = words[(x >> 16) % 20];
      n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", w ? " " : "",
                            word);
    }
    if (ao_sqli_value(buf, n, 0, NULL) && !ao_sqli_candidate(buf, n))
      fail_msg("candidate test skipped \"%.*s\"", (int)n, buf);
  }
}

/* DROP/CREATE/ALTER/RENAME name their object by a word of a fixed list,
 * compared by length first (word_is_n() with ao_lit_t lengths): "drop
 * <object> users--" is injection for every object of the list, in either
 * case, and for no word one letter longer, shorter or different. */
static void test_statement_objects(void **state) {
  (void)state;
  static const char *const objs[] = {
      "table", "database", "view",      "procedure", "function", "user",
      "index", "schema",   "trigger",   "login",     "column",   "event",
      "role",  "sequence", "temporary", "proc",      "type",     "tablespace"};
  static const char *const verbs[] = {"drop", "create", "alter", "rename"};
  char w[64], buf[128];
  size_t checked = 0;
  for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++) {
    for (size_t k = 0; k < sizeof(objs) / sizeof(objs[0]); k++) {
      size_t n = strlen(objs[k]);
      for (int variant = 0; variant < 6; variant++) {
        snprintf(w, sizeof(w), "%s", objs[k]);
        if (variant == 1)
          w[0] = (char)toupper((unsigned char)w[0]);
        else if (variant == 2)
          snprintf(w, sizeof(w), "%sx", objs[k]);
        else if (variant == 3)
          w[n - 1] = '\0';
        else if (variant == 4)
          w[n - 1] = w[n - 1] == 'z' ? 'y' : 'z';
        else if (variant == 5)
          w[0] = 'q';
        int want = 0;
        for (size_t j = 0; j < sizeof(objs) / sizeof(objs[0]); j++)
          want |= strcasecmp(objs[j], w) == 0;
        int len = snprintf(buf, sizeof(buf), "%s %s users--", verbs[v], w);
        if (ao_sqli_value(buf, (size_t)len, 0, NULL) != want)
          fail_msg("\"%s\": want %d", buf, want);
        checked++;
      }
    }
  }
  print_message("%zu statements checked\n", checked);
}

/* Words around the length the lexer copies for its keyword lookup (31
 * bytes, word_run_lower()): read whole whatever their length, so that
 * "1 and W=W" compares one identifier with itself (and "W=V", V one
 * letter off at the end, does not), at the end of the value or not. */
static void test_long_words(void **state) {
  (void)state;
  char w[64], v[64], buf[192];
  for (size_t len = 1; len <= 45; len++) {
    for (size_t k = 0; k < len; k++)
      w[k] = (char)('a' + (k * 7) % 26);
    w[len] = '\0';
    snprintf(v, sizeof(v), "%s", w);
    v[len - 1] = v[len - 1] == 'z' ? 'y' : 'z';
    for (int tail = 0; tail < 2; tail++) {
      int n =
          snprintf(buf, sizeof(buf), "1 and %s=%s%s", w, w, tail ? " x" : "");
      if (!ao_sqli_value(buf, (size_t)n, 0, NULL))
        fail_msg("\"%s\": not found", buf);
      n = snprintf(buf, sizeof(buf), "1 and %s=%s%s", w, v, tail ? " x" : "");
      if (ao_sqli_value(buf, (size_t)n, 0, NULL))
        fail_msg("\"%s\": found", buf);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_candidate),
      cmocka_unit_test(test_statement_objects),
      cmocka_unit_test(test_long_words),
      cmocka_unit_test(test_candidate_oracle),
      cmocka_unit_test(test_long_values),
      cmocka_unit_test(test_linear_work),
      cmocka_unit_test(test_every_byte),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
