/*
 * test_classify_corpus.c - recall and false positives of the built-in
 * classifier on the labelled public corpora (../shared/data/labelled).
 *
 * Each payload is wrapped into a combined-format log line the way a server
 * would log it (data/README.md, "Turning payloads into log lines"), parsed
 * with ao_logfmt and classified. The wrapping is deterministic:
 *
 *   203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "GET <target> HTTP/1.1"
 *       <status> 512 "<referer>" "<user agent>"
 *
 *   - query sets (sqli, xss, cmd/ssi/rfi/nosqli payloads):
 *       target /search?q=<payload>; payloads that are not already encoded
 *       get the bytes a browser would encode percent-encoded: controls,
 *       space, `"` `#` `'` `<` `>` `+` and bytes >= 0x7f (a '%' is left as
 *       it is: many payloads are encoded on purpose);
 *   - path sets (traversal, probe paths): target /<payload> with the same
 *     encoding minus '+', and traversal again as /index.php?file=<payload>;
 *   - user agents: target /, the user agent as given;
 *   - CRS rows: their method, URI (spaces and quotes encoded), user agent
 *     and Referer header; status 200;
 *   - status 200 everywhere, except the probe paths, also scored with 404
 *     (what a scanner gets for files the site does not have: the answer
 *     that makes the tier-2 probe rules count);
 *   - the log line itself escapes '"' and '\' as Apache does (`\"`, `\\`),
 *     and control bytes as \xhh.
 *
 * The program prints one table row per (corpus, label) with the recall of
 * the expected category ("cat"), the share flagged with any category
 * ("any") and, for benign sets, the false-positive rate; then asserts the
 * floors and ceilings measured when the rules were written, with a small
 * margin, so that a regression fails the test. Skips when the corpora are
 * absent (a user's fresh clone).
 *
 * The corpora are a development set: they were used to find blind spots in
 * general rules, never as a source of literals (data/README.md).
 */
#include "ao_test.h"

#include "ao_classify.h"
#include "ao_logfmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 65536

static ao_parser_t *parser;
static ao_classifier_t *clf;

/* --- wrapping ----------------------------------------------------------- */

typedef struct sbuf {
  char *p;
  size_t n, cap;
} sbuf_t;

static void sb_putc(sbuf_t *b, char c) {
  if (b->n + 1 >= b->cap) {
    b->cap = b->cap ? b->cap * 2 : 1024;
    b->p = realloc(b->p, b->cap);
    assert_non_null(b->p);
  }
  b->p[b->n++] = c;
  b->p[b->n] = '\0';
}

static void sb_puts(sbuf_t *b, const char *s) {
  while (*s)
    sb_putc(b, *s++);
}

static void sb_hex(sbuf_t *b, char lead, unsigned char c) {
  static const char hx[] = "0123456789ABCDEF";
  sb_putc(b, lead);
  if (lead == '\\')
    sb_putc(b, 'x');
  sb_putc(b, hx[c >> 4]);
  sb_putc(b, hx[c & 15]);
}

/* ENC_FORM: a raw payload for a query value (its '+' is a plus);
 * ENC_BROWSER: a path, a CRS URI, or a payload that is already URL-encoded
 * (its '+' is a space and stays). */
enum { ENC_NONE, ENC_FORM, ENC_BROWSER };

/* Percent-encodes what a browser would not send raw (see the header). */
static void encode_into(sbuf_t *b, const char *s, size_t n, int mode) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    int enc = 0;
    if (mode != ENC_NONE)
      enc = c <= 0x20 || c >= 0x7f || c == '"' || c == '#' || c == '\'' ||
            c == '<' || c == '>' || (mode == ENC_FORM && c == '+');
    if (enc)
      sb_hex(b, '%', c);
    else
      sb_putc(b, (char)c);
  }
}

/* Appends a quoted-field value with Apache's log escaping. */
static void log_escape_into(sbuf_t *b, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      sb_putc(b, '\\');
      sb_putc(b, (char)c);
    } else if (c < 0x20 || c == 0x7f) {
      sb_hex(b, '\\', c);
    } else {
      sb_putc(b, (char)c);
    }
  }
}

static sbuf_t wrap_target, wrap_line;

/* Builds the log line and classifies it. Returns the mask, or fails the
 * test when the line does not parse (the wrapper would be wrong). */
static ao_catmask_t classify_wrapped(const char *method, const char *prefix,
                                     const char *payload, size_t plen, int mode,
                                     int status, const char *referer,
                                     const char *ua) {
  sbuf_t *target = &wrap_target, *line = &wrap_line;
  target->n = 0;
  line->n = 0;
  sb_puts(target, prefix);
  encode_into(target, payload, plen, mode);

  sb_puts(line, "203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] \"");
  sb_puts(line, method);
  sb_putc(line, ' ');
  log_escape_into(line, target->p, target->n);
  char tail[64];
  snprintf(tail, sizeof(tail), " HTTP/1.1\" %d 512 \"", status);
  sb_puts(line, tail);
  if (referer != NULL && *referer)
    log_escape_into(line, referer, strlen(referer));
  else
    sb_putc(line, '-');
  sb_puts(line, "\" \"");
  log_escape_into(line, ua, strlen(ua));
  sb_putc(line, '"');

  ao_record_t rec;
  if (ao_parser_parse(parser, line->p, line->n, &rec) != 0) {
    print_error("unparsable wrapped line: %s\n", line->p);
    fail();
  }
  return ao_classify(clf, &rec);
}

/* --- TSV reading -------------------------------------------------------- */

/* Splits a TSV line in place into at most max fields. */
static int split_tsv(char *line, char **f, int max) {
  int k = 0;
  f[k++] = line;
  for (char *p = line; *p && k < max; p++) {
    if (*p == '\t') {
      *p = '\0';
      f[k++] = p + 1;
    }
  }
  return k;
}

/* Undoes the CRS table's escaping of backslash, tab and newline. */
static size_t crs_unescape(char *s) {
  size_t o = 0;
  for (size_t i = 0; s[i]; i++) {
    if (s[i] == '\\' &&
        (s[i + 1] == '\\' || s[i + 1] == 't' || s[i + 1] == 'n')) {
      s[o++] = s[i + 1] == 't' ? '\t' : s[i + 1] == 'n' ? '\n' : '\\';
      i++;
    } else {
      s[o++] = s[i];
    }
  }
  s[o] = '\0';
  return o;
}

/* Iterates the lines of a slurped file, header skipped. */
#define FOR_TSV_LINES(buf, line)                                               \
  for (char *line = strchr(buf, '\n') ? strchr(buf, '\n') + 1 : NULL,          \
            *next_ = NULL;                                                     \
       line != NULL && *line != '\0' &&                                        \
       ((next_ = strchr(line, '\n')) ? (*next_ = '\0', 1) : 1);                \
       line = next_ ? next_ + 1 : NULL)

/* --- tallies ------------------------------------------------------------ */

typedef struct tally {
  char corpus[24];
  char label[32];
  int cat;    /* expected category, -1: any category counts, -2: benign */
  long n;     /* rows */
  long hit;   /* flagged with the expected category */
  long any;   /* flagged with any category */
  double min; /* floor (positives) or ceiling (benign), in % */
} tally_t;

#define MAX_TALLIES 64
static tally_t tallies[MAX_TALLIES];
static int ntallies;

static tally_t *tally(const char *corpus, const char *label, int cat) {
  for (int i = 0; i < ntallies; i++)
    if (strcmp(tallies[i].corpus, corpus) == 0 &&
        strcmp(tallies[i].label, label) == 0)
      return &tallies[i];
  assert_true(ntallies < MAX_TALLIES);
  tally_t *t = &tallies[ntallies++];
  memset(t, 0, sizeof(*t));
  snprintf(t->corpus, sizeof(t->corpus), "%s", corpus);
  snprintf(t->label, sizeof(t->label), "%s", label);
  t->cat = cat;
  return t;
}

static void count(tally_t *t, ao_catmask_t m) {
  t->n++;
  if (m != 0)
    t->any++;
  if (t->cat >= 0 && (m & AO_CAT_BIT(t->cat)))
    t->hit++;
}

static double pct(long a, long n) {
  return n ? 100.0 * (double)a / (double)n : 0;
}

/* --- corpora ------------------------------------------------------------ */

static const char *const UA_BROWSER = "Mozilla/5.0";

static void run_libinjection(const char *path) {
  size_t len;
  char *buf = ao_test_slurp(path, &len);
  FOR_TSV_LINES(buf, line) {
    char *f[3];
    if (split_tsv(line, f, 3) < 3)
      continue;
    int cat = strcmp(f[0], "sqli") == 0  ? AO_CAT_SQLI
              : strcmp(f[0], "xss") == 0 ? AO_CAT_XSS
                                         : -2;
    /* URL-encoded already, mostly: only what a browser would still encode
     * (raw spaces, quotes) is */
    ao_catmask_t m = classify_wrapped("GET", "/search?q=", f[2], strlen(f[2]),
                                      ENC_BROWSER, 200, NULL, UA_BROWSER);
    count(tally("libinjection", f[0], cat), m);
  }
  free(buf);
}

static int fuzzdb_cat(const char *label) {
  if (strcmp(label, "sqli") == 0)
    return AO_CAT_SQLI;
  if (strcmp(label, "xss") == 0)
    return AO_CAT_XSS;
  if (strcmp(label, "path_traversal") == 0 || strcmp(label, "rfi") == 0)
    return AO_CAT_TRAVERSAL;
  if (strcmp(label, "cmd_injection") == 0 || strcmp(label, "ssi") == 0)
    return AO_CAT_RCE;
  return -1; /* nosqli: no built-in category; "any" is reported */
}

static void run_fuzzdb_attack(const char *path) {
  size_t len;
  char *buf = ao_test_slurp(path, &len);
  FOR_TSV_LINES(buf, line) {
    char *f[4];
    if (split_tsv(line, f, 4) < 4)
      continue;
    const char *p = f[3];
    int cat = fuzzdb_cat(f[0]);
    if (strcmp(f[0], "path_traversal") == 0) {
      ao_catmask_t m =
          classify_wrapped("GET", p[0] == '/' ? "" : "/", p, strlen(p),
                           ENC_BROWSER, 200, NULL, UA_BROWSER);
      count(tally("fuzzdb", "path_traversal@path", cat), m);
      m = classify_wrapped("GET", "/index.php?file=", p, strlen(p), ENC_FORM,
                           200, NULL, UA_BROWSER);
      count(tally("fuzzdb", "path_traversal@query", cat), m);
      continue;
    }
    ao_catmask_t m = classify_wrapped("GET", "/search?q=", p, strlen(p),
                                      ENC_FORM, 200, NULL, UA_BROWSER);
    count(tally("fuzzdb", f[0], cat), m);
  }
  free(buf);
}

static void run_fuzzdb_probe(const char *path) {
  size_t len;
  char *buf = ao_test_slurp(path, &len);
  FOR_TSV_LINES(buf, line) {
    char *f[2];
    if (split_tsv(line, f, 2) < 2 || f[1][0] == '\0')
      continue;
    const char *p = f[1];
    const char *pre = p[0] == '/' ? "" : "/";
    count(tally("fuzzdb", "probe_paths@404", AO_CAT_PROBE),
          classify_wrapped("GET", pre, p, strlen(p), ENC_BROWSER, 404, NULL,
                           UA_BROWSER));
    count(tally("fuzzdb", "probe_paths@200", AO_CAT_PROBE),
          classify_wrapped("GET", pre, p, strlen(p), ENC_BROWSER, 200, NULL,
                           UA_BROWSER));
  }
  free(buf);
}

static void run_crawlers(const char *path) {
  size_t len;
  char *buf = ao_test_slurp(path, &len);
  FOR_TSV_LINES(buf, line) {
    char *f[4];
    if (split_tsv(line, f, 4) < 4)
      continue;
    int scanner = strcmp(f[0], "1") == 0;
    ao_catmask_t m =
        classify_wrapped("GET", "/", "", 0, ENC_NONE, 200, NULL, f[3]);
    count(tally("crawler_ua", scanner ? "scanner" : "not_scanner",
                scanner ? AO_CAT_SCANNER : -2),
          m);
  }
  free(buf);
}

static int crs_cat(const char *label) {
  if (strcmp(label, "sqli") == 0)
    return AO_CAT_SQLI;
  if (strcmp(label, "xss") == 0)
    return AO_CAT_XSS;
  if (strcmp(label, "lfi_path_traversal") == 0 || strcmp(label, "rfi") == 0)
    return AO_CAT_TRAVERSAL;
  if (strcmp(label, "rce_cmd_injection") == 0 ||
      strcmp(label, "php_injection") == 0 ||
      strcmp(label, "java_injection") == 0)
    return AO_CAT_RCE;
  if (strcmp(label, "scanner_ua") == 0)
    return AO_CAT_SCANNER;
  if (strcmp(label, "generic_injection") == 0)
    return -1;
  return -3; /* protocol checks and the like: out of scope */
}

/* Where a CRS test puts its payload: only the request line, the user agent
 * and the referer reach an access log. Visible: a URI with a query or with
 * a byte outside [A-Za-z0-9/._-], a custom user agent, a Referer; and for
 * the traversal/inclusion tests, whose payload is often the path itself,
 * any path other than the harness's plain endpoints. Everything else
 * carries its payload in the body, a cookie or another header, which no
 * access log records ("(body/hdr)" rows). */
static int crs_visible(const char *cat, const char *uri, const char *ua,
                       const char *hdrs) {
  static const char *const plain[] = {"",      "/",     "/get",
                                      "/get/", "/post", "/post/"};
  if (strchr(uri, '?') != NULL)
    return 1;
  if (*ua && strcmp(ua, "OWASP CRS test agent") != 0)
    return 1;
  if (strstr(hdrs, "Referer:") != NULL || strstr(hdrs, "referer:") != NULL)
    return 1;
  for (const char *p = uri; *p; p++)
    if (!(isalnum((unsigned char)*p) || *p == '/' || *p == '.' || *p == '_' ||
          *p == '-'))
      return 1;
  if (strcmp(cat, "lfi_path_traversal") != 0 && strcmp(cat, "rfi") != 0)
    return 0;
  for (size_t k = 0; k < AO_ARRAY_SIZE(plain); k++)
    if (strcmp(uri, plain[k]) == 0)
      return 0;
  return 1;
}

static void crs_referer(const char *hdrs, char *out, size_t cap) {
  out[0] = '\0';
  const char *r = strstr(hdrs, "Referer: ");
  if (r == NULL)
    r = strstr(hdrs, "referer: ");
  if (r == NULL)
    return;
  r += 9;
  size_t k = 0;
  while (r[k] && strncmp(r + k, " | ", 3) != 0 && k + 1 < cap) {
    out[k] = r[k];
    k++;
  }
  out[k] = '\0';
}

static void run_crs(const char *path) {
  size_t len;
  char *buf = ao_test_slurp(path, &len);
  static char ref[4096];
  FOR_TSV_LINES(buf, line) {
    char *f[11];
    if (split_tsv(line, f, 11) < 11)
      continue;
    /* judged at paranoia levels 1-2, as data/README.md says */
    if (f[2][0] != '1' && f[2][0] != '2')
      continue;
    int cat = crs_cat(f[0]);
    if (cat == -3)
      continue;
    int expected = strcmp(f[4], "1") == 0;
    size_t ulen = crs_unescape(f[6]);
    crs_unescape(f[8]);
    crs_unescape(f[9]);
    const char *ua = *f[8] ? f[8] : "-";
    crs_referer(f[9], ref, sizeof(ref));
    int vis = crs_visible(f[0], f[6], f[8], f[9]);
    const char *method = *f[5] ? f[5] : "GET";
    ao_catmask_t m =
        classify_wrapped(method, "", f[6], ulen, ENC_BROWSER, 200, ref, ua);
    char label[40];
    if (expected) {
      snprintf(label, sizeof(label), "%s%s", f[0], vis ? "" : "(body/hdr)");
      count(tally("crs", label, cat), m);
    } else if (vis) {
      count(tally("crs", "expected=0 (all cats)", -2), m);
    } else {
      count(tally("crs", "expected=0 (body/hdr)", -2), m);
    }
  }
  free(buf);
}

/* --- the test ----------------------------------------------------------- */

/* Floors (positive sets: % flagged with the expected category, or with any
 * category where the label has no built-in category) and ceilings (benign
 * sets: % flagged with anything), measured when the rules were written
 * minus/plus a margin. A label not listed is printed but not asserted. */
typedef struct bound {
  const char *corpus;
  const char *label;
  double pct;
} bound_t;

static const bound_t floors[] = {
    /* measured: 96.23, 98.72 */
    {"libinjection", "sqli", 94.0},
    {"libinjection", "xss", 96.0},
    /* measured: 55.61, 79.27, 50.34, 97.23, 97.44, 83.96, 75.34, 35.29 */
    {"fuzzdb", "path_traversal@path", 53.0},
    {"fuzzdb", "path_traversal@query", 77.0},
    {"fuzzdb", "cmd_injection", 49.0},
    {"fuzzdb", "rfi", 95.0},
    {"fuzzdb", "ssi", 95.0},
    {"fuzzdb", "sqli", 81.0},
    {"fuzzdb", "xss", 73.0},
    {"fuzzdb", "nosqli", 29.0},
    /* measured: 12.37, 3.12 - weak positives: many of these paths are
     * legitimate files on some site (data/README.md) */
    {"fuzzdb", "probe_paths@404", 10.0},
    {"fuzzdb", "probe_paths@200", 2.0},
    /* measured: 13.89 - the tagged set counts TLS checkers, cookie
     * auditors and research surveys as scanners; we do not */
    {"crawler_ua", "scanner", 12.0},
    /* measured on the rows an access log can show: 100, 17.54, 14.29,
     * 12.96, 32.69, 46.67, 33.33, 50.00, 19.05 (any) */
    {"crs", "scanner_ua", 80.0},
    {"crs", "lfi_path_traversal", 15.0},
    {"crs", "rfi", 11.0},
    {"crs", "rce_cmd_injection", 11.0},
    {"crs", "php_injection", 30.0},
    {"crs", "xss", 43.0},
    {"crs", "sqli", 31.0},
    {"crs", "java_injection", 25.0},
    {"crs", "generic_injection", 16.0},
    {NULL, NULL, 0},
};

static const bound_t ceilings[] = {
    /* measured: 0.95 (4 of 421), 0.05 (1 of 2010), 3.99, 0.00 */
    {"libinjection", "benign_fp", 2.0},
    {"crawler_ua", "not_scanner", 0.3},
    {"crs", "expected=0 (all cats)", 5.5},
    {"crs", "expected=0 (body/hdr)", 0.5},
    {NULL, NULL, 0},
};

static void test_corpus_recall_and_fp(void **state) {
  (void)state;
  char *li = ao_test_shared("labelled/libinjection_samples.tsv");
  char *fa = ao_test_shared("labelled/fuzzdb_attack_payloads.tsv");
  char *fp = ao_test_shared("labelled/fuzzdb_probe_paths.tsv");
  char *cu = ao_test_shared("labelled/crawler_user_agents_tagged.tsv");
  char *cr = ao_test_shared("labelled/crs_regression_tests.tsv");
  if (li == NULL || fa == NULL || fp == NULL || cu == NULL || cr == NULL) {
    free(li);
    free(fa);
    free(fp);
    free(cu);
    free(cr);
    print_message("AO_SHARED_DATA/labelled not found: corpus evaluation "
                  "skipped\n");
    skip();
  }
  ao_err_t err;
  parser = ao_parser_create(AO_FMT_COMBINED, &err);
  assert_non_null(parser);
  clf = ao_classifier_create(LINE_MAX_BYTES, &err);
  assert_non_null(clf);

  run_libinjection(li);
  run_fuzzdb_attack(fa);
  run_fuzzdb_probe(fp);
  run_crawlers(cu);
  run_crs(cr);

  printf("\n%-14s %-34s %7s %8s %8s\n", "corpus", "label", "rows", "cat%",
         "any%");
  for (int i = 0; i < ntallies; i++) {
    tally_t *t = &tallies[i];
    if (t->cat == -2)
      printf("%-14s %-34s %7ld %8s %7.2f%%  (false positives)\n", t->corpus,
             t->label, t->n, "-", pct(t->any, t->n));
    else if (t->cat == -1)
      printf("%-14s %-34s %7ld %8s %7.2f%%\n", t->corpus, t->label, t->n, "-",
             pct(t->any, t->n));
    else
      printf("%-14s %-34s %7ld %7.2f%% %7.2f%%  (%s)\n", t->corpus, t->label,
             t->n, pct(t->hit, t->n), pct(t->any, t->n),
             ao_category_name(t->cat));
  }
  printf("\n");

  int failed = 0;
  for (size_t k = 0; floors[k].corpus != NULL; k++) {
    tally_t *t = tally(floors[k].corpus, floors[k].label, -1);
    double got = t->cat >= 0 ? pct(t->hit, t->n) : pct(t->any, t->n);
    if (t->n == 0 || got < floors[k].pct) {
      print_error("%s/%s: %.2f%% is below the floor %.2f%%\n", t->corpus,
                  t->label, got, floors[k].pct);
      failed = 1;
    }
  }
  for (size_t k = 0; ceilings[k].corpus != NULL; k++) {
    tally_t *t = tally(ceilings[k].corpus, ceilings[k].label, -2);
    double got = pct(t->any, t->n);
    if (t->n == 0 || got > ceilings[k].pct) {
      print_error("%s/%s: %.2f%% false positives, above the ceiling %.2f%%\n",
                  t->corpus, t->label, got, ceilings[k].pct);
      failed = 1;
    }
  }
  ao_classifier_destroy(clf);
  ao_parser_destroy(parser);
  free(wrap_target.p);
  free(wrap_line.p);
  free(li);
  free(fa);
  free(fp);
  free(cu);
  free(cr);
  assert_false(failed);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_corpus_recall_and_fp),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
