/*
 * test_normalize.c - the decoding layers (ao_normalize).
 *
 * Table-driven: each row is an input, the expected output and, where it
 * matters, the flags; every call writes into a guard-filled buffer so that
 * a write past the returned length is caught, and is repeated in place to
 * check that in-place use gives the same result.
 */
#include "ao_test.h"

#include "ao_common.h"
#include "ao_normalize.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GUARD '!'
#define BUF 512

typedef size_t (*norm_fn)(const char *in, size_t n, char *out, void *ctx);

/* Runs fn out of place (guard-checked) and in place; both must agree and
 * never exceed the input length. Returns the output (static buffer). */
static const char *run(norm_fn fn, const char *in, size_t n, void *ctx,
                       size_t *outn) {
  static char out[BUF + 16];
  char inplace[BUF];
  assert_true(n <= BUF);
  memset(out, GUARD, sizeof(out));
  size_t k = fn(in, n, out, ctx);
  assert_true(k <= n);
  for (size_t i = k; i < sizeof(out); i++)
    if (i >= n) /* bytes past the input length are never touched */
      assert_int_equal(out[i], GUARD);
  memcpy(inplace, in, n);
  size_t k2 = fn(inplace, n, inplace, ctx);
  assert_int_equal(k2, k);
  assert_memory_equal(inplace, out, k);
  out[k] = '\0';
  *outn = k;
  return out;
}

static void expect(norm_fn fn, void *ctx, const char *in, size_t inlen,
                   const char *want, size_t wantlen, const char *why) {
  size_t k;
  const char *got = run(fn, in, inlen, ctx, &k);
  if (k != wantlen || memcmp(got, want, k) != 0) {
    print_error("%s: input \"%.*s\": got %zu bytes \"%.*s\", want \"%.*s\"\n",
                why, (int)inlen, in, k, (int)k, got, (int)wantlen, want);
    fail();
  }
}

#define EXPECT(fn, ctx, in, want, why)                                         \
  expect(fn, ctx, in, sizeof(in) - 1, want, sizeof(want) - 1, why)

/* --- adapters with the run() signature ---------------------------------- */

static size_t f_unescape(const char *in, size_t n, char *out, void *ctx) {
  (void)ctx;
  return ao_norm_unescape_log(in, n, out);
}

typedef struct pct_ctx {
  unsigned flags;
  size_t decoded;
} pct_ctx_t;

static size_t f_pct(const char *in, size_t n, char *out, void *ctx) {
  pct_ctx_t *c = ctx;
  return ao_norm_pct_round(in, n, out, c->flags, &c->decoded);
}

typedef struct url_ctx {
  unsigned flags, rounds, info;
} url_ctx_t;

static size_t f_url(const char *in, size_t n, char *out, void *ctx) {
  url_ctx_t *c = ctx;
  c->info = 0;
  return ao_norm_url(in, n, out, c->flags, c->rounds, &c->info);
}

static size_t f_fold(const char *in, size_t n, char *out, void *ctx) {
  unsigned *info = ctx;
  *info = 0;
  return ao_norm_fold(in, n, out, info);
}

static size_t f_html(const char *in, size_t n, char *out, void *ctx) {
  (void)ctx;
  return ao_norm_html(in, n, out);
}

static size_t f_path(const char *in, size_t n, char *out, void *ctx) {
  return ao_norm_path(in, n, out, (unsigned *)ctx);
}

/* --- server escapes ----------------------------------------------------- */

static void test_unescape_log(void **state) {
  (void)state;
  EXPECT(f_unescape, NULL, "a\\x22b", "a\"b", "nginx \\xHH");
  EXPECT(f_unescape, NULL, "\\x3Cscript\\x3e", "<script>", "hex either case");
  EXPECT(f_unescape, NULL, "say \\\"hi\\\"", "say \"hi\"", "Apache \\\"");
  EXPECT(f_unescape, NULL, "c:\\\\win", "c:\\win", "Apache \\\\");
  EXPECT(f_unescape, NULL, "a\\nb\\tc\\rd", "a\nb\tc\rd", "C-style");
  EXPECT(f_unescape, NULL, "\\x00", "\0", "NUL byte");
  EXPECT(f_unescape, NULL, "\\q\\x2", "\\q\\x2", "unknown and short kept");
  EXPECT(f_unescape, NULL, "end\\", "end\\", "trailing backslash kept");
  EXPECT(f_unescape, NULL, "\\xzz", "\\xzz", "bad hex kept");
  EXPECT(f_unescape, NULL, "", "", "empty");
}

/* --- percent-decoding --------------------------------------------------- */

static void test_pct_round(void **state) {
  (void)state;
  pct_ctx_t c = {0, 0};
  EXPECT(f_pct, &c, "%41%62c", "Abc", "%HH");
  assert_int_equal(c.decoded, 2);
  EXPECT(f_pct, &c, "%2e%2E%2f", "../", "either case");
  EXPECT(f_pct, &c, "%u002e%U002F", "./", "IIS %u, ASCII");
  EXPECT(f_pct, &c, "%uff0e", "\xef\xbc\x8e", "%u to UTF-8");
  EXPECT(f_pct, &c, "%u00e9", "\xc3\xa9", "%u two-byte UTF-8");
  EXPECT(f_pct, &c, "%zz%4%", "%zz%4%", "malformed kept");
  assert_int_equal(c.decoded, 0);
  EXPECT(f_pct, &c, "%uzzzz%u12", "%uzzzz%u12", "malformed %u kept");
  EXPECT(f_pct, &c, "a+b", "a+b", "'+' is a plus in paths");
  c.flags = AO_NORM_PLUS;
  EXPECT(f_pct, &c, "a+b%2B", "a b+", "'+' is a space in queries");
  EXPECT(f_pct, &c, "%2541", "%41", "one round only");
  assert_int_equal(c.decoded, 1);
  EXPECT(f_pct, &c, "%00", "\0", "NUL");
}

static void test_url_rounds(void **state) {
  (void)state;
  url_ctx_t c = {AO_NORM_PLUS, 3, 0};
  EXPECT(f_url, &c, "%252e%252e%252f", "../", "double encoding");
  EXPECT(f_url, &c, "%25252e", ".", "triple encoding");
  assert_int_equal(c.info & AO_NORM_DEEP, 0);
  EXPECT(f_url, &c, "%2525252e", "%2e", "four levels: bounded at 3");
  assert_true(c.info & AO_NORM_DEEP);
  EXPECT(f_url, &c, "1+OR+1%3D1", "1 or 1=1", "plus, decode, fold");
  EXPECT(f_url, &c, "a%2Bb", "a+b", "%2B stays a plus (no second '+')");
  EXPECT(f_url, &c, "%%32%65", ".", "nested escape of the escape");
  EXPECT(f_url, &c, "%c0%ae%c0%ae%c0%af", "../", "overlong after decoding");
  EXPECT(f_url, &c, "%25c0%25af", "/", "overlong, double-encoded");
  EXPECT(f_url, &c, "/Static/App.JS?v=3", "/static/app.js?v=3", "no escape");
  url_ctx_t zero = {0, 0, 0};
  EXPECT(f_url, &zero, "%41", "%41", "zero rounds: fold only");
}

/* --- canonical spelling ------------------------------------------------- */

static void test_fold(void **state) {
  (void)state;
  unsigned info = 0;
  EXPECT(f_fold, &info, "UNION Select", "union select", "ASCII lower case");
  EXPECT(f_fold, &info, "\xc0\xaf\xc0\xae\xc1\x9c", "/.\\", "2-byte overlong");
  EXPECT(f_fold, &info, "\xe0\x80\xaf", "/", "3-byte overlong");
  EXPECT(f_fold, &info, "\xf0\x80\x80\xaf", "/", "4-byte overlong");
  EXPECT(f_fold, &info, "\xc0\xc1", "\xc0\xc1", "lone lead bytes kept");
  EXPECT(f_fold, &info, "\xef\xbc\x8e\xef\xbc\x8f\xef\xbc\xa1", "./a",
         "full-width . / A");
  EXPECT(f_fold, &info, "\xe2\x88\x95\xe2\x88\x96", "/\\",
         "division slash, set minus");
  EXPECT(f_fold, &info, "\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9",
         "real UTF-8 untouched");
  assert_int_equal(info, 0);
  EXPECT(f_fold, &info, "pass\0wd", "passwd", "NUL removed");
  assert_int_equal(info, AO_NORM_NUL);
  EXPECT(f_fold, &info, "passwd\0.jpg", "passwd.jpg", "NUL before .ext");
  assert_int_equal(info, AO_NORM_NUL | AO_NORM_NUL_TAIL);
  EXPECT(f_fold, &info, "id=5\0", "id=5", "NUL at the end: no tail");
  assert_int_equal(info, AO_NORM_NUL);
  EXPECT(f_fold, &info, "a\0.toolongext", "a.toolongext", "long suffix");
  assert_int_equal(info, AO_NORM_NUL);
}

/* --- HTML references ---------------------------------------------------- */

static void test_html(void **state) {
  (void)state;
  EXPECT(f_html, NULL, "&lt;script&gt;", "<script>", "named");
  EXPECT(f_html, NULL, "&#60;&#x3C;&#X3c;", "<<<", "numeric");
  EXPECT(f_html, NULL, "&#0000060svg", "<svg", "zero padded, no ';'");
  EXPECT(f_html, NULL, "&LT;&ltimg", "<<img", "case, legacy prefix");
  EXPECT(f_html, NULL, "java&#9;script&colon;",
         "javascript:", "tab reference dropped, HTML5 colon");
  EXPECT(f_html, NULL, "java\tscr\nipt\r:", "javascript:", "raw TAB LF CR");
  EXPECT(f_html, NULL, "alert&lpar;1&rpar;", "alert(1)", "parentheses");
  EXPECT(f_html, NULL, "&#233;&eacute;", "&#233;&eacute;",
         "non-ASCII and unknown kept");
  EXPECT(f_html, NULL, "a=1&b=2&quo", "a=1&b=2&quo", "query separators");
  EXPECT(f_html, NULL, "&#99999999999999999999;", "&#99999999999999999999;",
         "huge number saturates, kept");
  EXPECT(f_html, NULL, "&#x0;x", "x", "NUL reference dropped");
  EXPECT(f_html, NULL, "&", "&", "lone ampersand");
  EXPECT(f_html, NULL, "&#", "&#", "truncated");
  assert_false(ao_norm_html_changes("a=1&b=2&c", 9));
  assert_true(ao_norm_html_changes("x&lt;y", 6));
  assert_true(ao_norm_html_changes("x&#60", 5));
  assert_true(ao_norm_html_changes("a\tb", 3));
  assert_false(ao_norm_html_changes("&eacute;", 8));
}

/* ao_norm_html_changes() looks at 16-byte blocks and a last partial one:
 * a byte that matters is found at every position of texts of every
 * length around the block size, VT and FF (caught by the same range
 * compare) are passed over, and nothing outside the text is read (each
 * text is an allocation of its exact length, for ASan and valgrind). */
static void test_html_changes_every_position(void **state) {
  (void)state;
  static const struct {
    const char *ins;
    int changes;
  } cases[] = {{"\t", 1}, {"\n", 1}, {"\r", 1},   {"\v", 0},
               {"\f", 0}, {"&lt", 1}, {"&b=2", 0}, {"&#9", 1}};
  for (size_t n = 1; n <= 50; n++) {
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
      size_t k = strlen(cases[c].ins);
      for (size_t pos = 0; pos + k <= n; pos++) {
        char *t = malloc(n);
        assert_non_null(t);
        memset(t, 'x', n);
        memcpy(t + pos, cases[c].ins, k);
        if (ao_norm_html_changes(t, n) != cases[c].changes)
          fail_msg("case %zu at %zu of %zu", c, pos, n);
        free(t);
      }
    }
  }
  assert_false(ao_norm_html_changes("", 0));
}

/* ao_norm_html_changes() turns away an '&' by the byte after it before
 * decoding a reference (once per call it makes sure the first-letter
 * table is set): it says "changes" exactly when ao_norm_html() changes
 * more than the case, for every byte after an '&', after a first '&'
 * that starts no reference, and for random letter runs that now and then
 * spell a reference. */
static int html_oracle(const char *t, size_t n) {
  char out[64], low[64];
  size_t on = ao_norm_html(t, n, out);
  for (size_t i = 0; i < n; i++)
    low[i] = (char)tolower((unsigned char)t[i]);
  return on != n || memcmp(out, low, n) != 0;
}

static void test_html_changes_after_amp(void **state) {
  (void)state;
  static const char *const tails[] = {"",        "t",   "t;",  "lt",    "uot;",
                                      "olon",    "mp;", "#60", "#x3c;", "ab=1",
                                      "ewline;", "ol",  "erc"};
  char t[64];
  size_t checked = 0;
  for (int b = 0; b < 256; b++) {
    if (b == '\t' || b == '\n' || b == '\r')
      continue;
    for (size_t k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
      for (int lead = 0; lead < 2; lead++) {
        int n = snprintf(t, sizeof(t), "%sa=1&%c%s", lead ? "u&v=2&" : "",
                         b == 0 ? 'Z' : b, tails[k]);
        if (b == 0)
          t[n - (int)strlen(tails[k]) - 1] = '\0'; /* a NUL after '&' */
        if (ao_norm_html_changes(t, (size_t)n) != html_oracle(t, (size_t)n))
          fail_msg("byte 0x%02x then \"%s\" (lead %d): wrong answer", b,
                   tails[k], lead);
        checked++;
      }
    }
  }
  uint32_t x = 99;
  for (int round = 0; round < 20000; round++) {
    size_t n = 0;
    t[n++] = 'q';
    for (int part = 0; part < 3; part++) {
      t[n++] = '&';
      x = x * 1103515245u + 12345u;
      for (size_t len = 1 + (x >> 16) % 7; len > 0; len--) {
        x = x * 1103515245u + 12345u;
        t[n++] = (char)("abcdefghijklmnopqrstuvwxyzLGAQ#;="[(x >> 16) % 33]);
      }
    }
    if (ao_norm_html_changes(t, n) != html_oracle(t, n))
      fail_msg("\"%.*s\": wrong answer", (int)n, t);
    checked++;
  }
  print_message("%zu texts checked\n", checked);
}

/* --- paths -------------------------------------------------------------- */

typedef struct path_row {
  const char *in;
  const char *out;
  unsigned climb;
  const char *why;
} path_row_t;

static const path_row_t path_rows[] = {
    {"/a/b/c", "/a/b/c", 0, "nothing to do"},
    {"/a/b/../c", "/a/c", 0, "resolved inside the tree"},
    {"/a/./b//c/", "/a/b/c/", 0, "dot and empty segments, trailing /"},
    {"/../../etc/passwd", "/etc/passwd", 2, "two levels above the root"},
    {"/static/../../../etc/passwd", "/etc/passwd", 2, "after one segment"},
    {"\\..\\..\\windows\\win.ini", "/windows/win.ini", 2, "backslashes"},
    {"/..;/admin", "/admin", 1, "Tomcat path parameter"},
    {"/.../x", "/x", 1, "dots only"},
    {"/....//x", "/x", 1, "filter-stripping leftover"},
    {"/a/..", "/", 0, "back to the root"},
    {"/a/b/..", "/a/", 0, "trailing up keeps a /"},
    {"rel/../..", "", 1, "relative input stays relative"},
    {"/.env", "/.env", 0, "a dot file is a name"},
    {"/..a/b", "/..a/b", 0, "dots then letters: a name"},
    {"", "", 0, "empty"},
    {"//", "/", 0, "only separators"},
};

static void test_path(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(path_rows) / sizeof(path_rows[0]); i++) {
    const path_row_t *r = &path_rows[i];
    unsigned climb = 99;
    expect(f_path, &climb, r->in, strlen(r->in), r->out, strlen(r->out),
           r->why);
    if (climb != r->climb) {
      print_error("%s: climb %u, want %u\n", r->why, climb, r->climb);
      fail();
    }
    assert_int_equal(ao_norm_climb(r->in, strlen(r->in)), r->climb);
  }
}

/* --- bounds on hostile input -------------------------------------------- */

/* Random bytes biased towards escape characters: every function keeps the
 * output within the input length and behaves the same in place. */
static void test_random_inputs_bounded(void **state) {
  (void)state;
  static const char alphabet[] = "%uU+\\x\"&#;/.0123456789abcdefABCDEF\xc0"
                                 "\xaf\xef\xbc\xe2\x88\x95\t\n\r\0lt";
  unsigned seed = 7;
  char in[BUF];
  for (int round = 0; round < 3000; round++) {
    size_t n = 0;
    seed = seed * 1103515245u + 12345u;
    n = (seed >> 16) % BUF;
    for (size_t i = 0; i < n; i++) {
      seed = seed * 1103515245u + 12345u;
      in[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
    }
    size_t k;
    pct_ctx_t pc = {AO_NORM_PLUS, 0};
    url_ctx_t uc = {AO_NORM_PLUS, 3, 0};
    unsigned info = 0, climb = 0;
    run(f_unescape, in, n, NULL, &k);
    run(f_pct, in, n, &pc, &k);
    run(f_url, in, n, &uc, &k);
    run(f_fold, in, n, &info, &k);
    run(f_html, in, n, NULL, &k);
    run(f_path, in, n, &climb, &k);
  }
}

/* --- ao_norm_fold() against the byte-at-a-time reference ----------------
 * The reference is the function as it was before the 16-byte block path
 * (ao_bytescan.h): the same output and flags for random texts of every
 * length and alignment mixing plain ASCII, capitals, NUL bytes before and
 * after extensions, overlong and full-width forms, other high bytes; in
 * place too. */
static inline unsigned char lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

static inline int is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

static int is_ext_tail(const char *in, size_t n, size_t i) {
  if (i >= n || in[i] != '.')
    return 0;
  size_t k = i + 1;
  while (k < n && k - i <= 5 && is_alnum((unsigned char)in[k]))
    k++;
  if (k == i + 1 || k - i > 5)
    return 0;
  return k == n || !is_alnum((unsigned char)in[k]);
}

/* ASCII lower-case table; 0 for NUL and the bytes >= 0x80, which take the
 * slow path. */
static const unsigned char fold_tab[256] = {
#define R8(b) (b), (b) + 1, (b) + 2, (b) + 3, (b) + 4, (b) + 5, (b) + 6, (b) + 7
    0,      1,      2,      3,       4,       5,       6,   7,   R8(8),
    R8(16), R8(24), R8(32), R8(40),  R8(48),  R8(56),  64,  'a', 'b',
    'c',    'd',    'e',    'f',     'g',     'h',     'i', 'j', 'k',
    'l',    'm',    'n',    'o',     'p',     'q',     'r', 's', 't',
    'u',    'v',    'w',    'x',     'y',     'z',     91,  92,  93,
    94,     95,     R8(96), R8(104), R8(112), R8(120),
#undef R8
};


static size_t ref_fold(const char *in, size_t n, char *out, unsigned *info) {
  size_t o = 0;
  unsigned fl = 0;
  for (size_t i = 0; i < n;) {
    /* fast path: a run of plain ASCII (the whole field, almost always) */
    unsigned char f;
    while (i < n && (f = fold_tab[(unsigned char)in[i]]) != 0) {
      out[o++] = (char)f;
      i++;
    }
    if (i >= n)
      break;
    unsigned char c = (unsigned char)in[i];
    if (c < 0x80) {
      if (c == 0) {
        fl |= AO_NORM_NUL;
        if (is_ext_tail(in, n, i + 1))
          fl |= AO_NORM_NUL_TAIL;
        i++;
        continue;
      }
      out[o++] = (char)lower(c);
      i++;
      continue;
    }
    /* Overlong encodings of ASCII: decoders that do not reject them turn
     * `c0 af` into '/', which is how `%c0%af` traversals got past filters
     * looking for "../". */
    unsigned char c1 = i + 1 < n ? (unsigned char)in[i + 1] : 0;
    unsigned char c2 = i + 2 < n ? (unsigned char)in[i + 2] : 0;
    unsigned char c3 = i + 3 < n ? (unsigned char)in[i + 3] : 0;
    if ((c == 0xc0 || c == 0xc1) && (c1 & 0xc0) == 0x80) {
      unsigned cp = (unsigned)(c & 0x1f) << 6 | (c1 & 0x3f);
      if (cp != 0)
        out[o++] = (char)lower((unsigned char)cp);
      i += 2;
      continue;
    }
    if (c == 0xe0 && (c1 & 0xe0) == 0x80 && (c2 & 0xc0) == 0x80) {
      unsigned cp = (unsigned)(c1 & 0x3f) << 6 | (c2 & 0x3f);
      if (cp < 0x80) {
        if (cp != 0)
          out[o++] = (char)lower((unsigned char)cp);
        i += 3;
        continue;
      }
    }
    if (c == 0xf0 && (c1 & 0xf0) == 0x80 && (c2 & 0xc0) == 0x80 &&
        (c3 & 0xc0) == 0x80) {
      unsigned cp = (unsigned)(c2 & 0x3f) << 6 | (c3 & 0x3f);
      if ((c1 & 0x0f) == 0 && cp < 0x80) {
        if (cp != 0)
          out[o++] = (char)lower((unsigned char)cp);
        i += 4;
        continue;
      }
    }
    /* Full-width forms U+FF01..U+FF5E (ef bc 81 .. ef bd 9e) are the ASCII
     * range shifted by 0xfee0; some servers and frameworks fold them back
     * (NFKC), which makes `%uff0e%uff0e%uff0f` a "../". */
    if (c == 0xef && (c1 == 0xbc || c1 == 0xbd) && (c2 & 0xc0) == 0x80) {
      unsigned cp = 0xf000u | (unsigned)(c1 & 0x3f) << 6 | (c2 & 0x3f);
      if (cp >= 0xff01 && cp <= 0xff5e) {
        out[o++] = (char)lower((unsigned char)(cp - 0xfee0));
        i += 3;
        continue;
      }
    }
    /* Division slash and set minus look like '/' and '\' and are folded
     * to them by the same normalisations. */
    if (c == 0xe2 && c1 == 0x88 && (c2 == 0x95 || c2 == 0x96)) {
      out[o++] = c2 == 0x95 ? '/' : '\\';
      i += 3;
      continue;
    }
    out[o++] = (char)c;
    i++;
  }
  if (info != NULL)
    *info |= fl;
  return o;
}

/* A piece of text for the random inputs below (it may hold NUL bytes). */
typedef struct piece {
  const char *p;
  size_t n;
} piece_t;
#define PIECE(s) {s, sizeof(s) - 1}

static uint64_t xorshift(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

/* Glues random pieces into buf (at most want bytes, less than cap), then
 * moves the text to a random offset 0..7 (so that 16-byte blocks meet it
 * at every alignment); returns that offset, the length in *n. */
static size_t random_text(uint64_t *x, const piece_t *pieces, size_t np,
                          size_t want, char *buf, size_t cap, size_t *n) {
  size_t len = 0;
  while (len < want) {
    const piece_t *pc = &pieces[xorshift(x) % np];
    if (len + pc->n + 8 > cap)
      break;
    memcpy(buf + len, pc->p, pc->n);
    len += pc->n;
  }
  size_t off = (size_t)(*x >> 40) % 8;
  memmove(buf + off, buf, len);
  *n = len;
  return off;
}

static void test_fold_matches_reference(void **state) {
  (void)state;
  static const piece_t pieces[] = {
      PIECE("a"), PIECE("Z"), PIECE("Q"), PIECE("/"), PIECE("."), PIECE("x"),
      PIECE("0"), PIECE("ABCDEFGHIJKLMNOP"), PIECE("abcdefghijklmno"),
      PIECE("\0"), PIECE("\0.jpg"), PIECE(".php"), PIECE("\xc0\xaf"),
      PIECE("\xc1\x9c"), PIECE("\xe0\x80\xaf"), PIECE("\xf0\x80\x80\xaf"),
      PIECE("\xef\xbc\x8f"), PIECE("\xef\xbd\x81"), PIECE("\xe2\x88\x95"),
      PIECE("\xe2\x88\x96"), PIECE("\x80"), PIECE("\xff"), PIECE("\xc3\xa9"),
      PIECE("@"), PIECE("["), PIECE("`"), PIECE("{"), PIECE("\x7f")};
  uint64_t x = 0x2545f4914f6cdd1dull;
  char in[400], a[400], b[400];
  for (int round = 0; round < 20000; round++) {
    size_t n;
    size_t want = (size_t)(xorshift(&x) % 120);
    size_t off = random_text(&x, pieces, AO_ARRAY_SIZE(pieces), want, in,
                             sizeof(in), &n);
    unsigned fa = 0, fb = 0;
    size_t na = ref_fold(in + off, n, a, &fa);
    size_t nb = ao_norm_fold(in + off, n, b, &fb);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    assert_int_equal(fa, fb);
    /* in place */
    unsigned fc = 0;
    size_t nc = ao_norm_fold(in + off, n, in + off, &fc);
    assert_int_equal(nc, na);
    assert_memory_equal(in + off, a, na);
    assert_int_equal(fc, fa);
  }
}

/* Every byte value at every position of texts of 1 to 24 bytes: the
 * 8-byte word path (texts shorter than a 16-byte block, the tail after
 * the blocks, and a tail of 1 to 7 bytes folded as the text's last 8)
 * must fold exactly like the byte-by-byte oracle, including the letters'
 * neighbours '@' '[' '`' '{' and 0x7f / 0x80, into another buffer and in
 * place. */
static void test_fold_every_byte_every_position(void **state) {
  (void)state;
  char in[24], a[24], b[24];
  for (size_t n = 1; n <= sizeof(in); n++) {
    for (size_t pos = 0; pos < n; pos++) {
      for (unsigned v = 0; v < 256; v++) {
        for (size_t k = 0; k < n; k++)
          in[k] = (char)("aZ0/m"[k % 5]);
        in[pos] = (char)v;
        unsigned fa = 0, fb = 0;
        size_t na = ref_fold(in, n, a, &fa);
        size_t nb = ao_norm_fold(in, n, b, &fb);
        if (na != nb || memcmp(a, b, na) != 0 || fa != fb)
          fail_msg("byte %#x at %zu of %zu", v, pos, n);
        /* in place: the last 8 bytes of a short tail are folded at once,
         * some of them again */
        unsigned fc = 0;
        size_t nc = ao_norm_fold(in, n, in, &fc);
        if (nc != na || memcmp(in, a, na) != 0 || fc != fa)
          fail_msg("in place: byte %#x at %zu of %zu", v, pos, n);
      }
    }
  }
}

/* ao_norm_pct_round() byte by byte, as its header states it: the oracle
 * of the 16-byte path (blocks up to the next '%'). */
static int hexv(unsigned char c) {
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

static size_t ref_pct_round(const char *in, size_t n, char *out,
                            unsigned flags, size_t *decoded) {
  size_t o = 0, cnt = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)in[i];
    if (c == '%' && i + 2 < n && hexv((unsigned char)in[i + 1]) >= 0 &&
        hexv((unsigned char)in[i + 2]) >= 0) {
      out[o++] = (char)(hexv((unsigned char)in[i + 1]) << 4 |
                        hexv((unsigned char)in[i + 2]));
      i += 3;
      cnt++;
    } else if (c == '%' && i + 5 < n && (in[i + 1] | 0x20) == 'u' &&
               hexv((unsigned char)in[i + 2]) >= 0 &&
               hexv((unsigned char)in[i + 3]) >= 0 &&
               hexv((unsigned char)in[i + 4]) >= 0 &&
               hexv((unsigned char)in[i + 5]) >= 0) {
      unsigned cp = 0;
      for (int k = 2; k < 6; k++)
        cp = cp << 4 | (unsigned)hexv((unsigned char)in[i + k]);
      if (cp < 0x80) {
        out[o++] = (char)cp;
      } else if (cp < 0x800) {
        out[o++] = (char)(0xc0 | cp >> 6);
        out[o++] = (char)(0x80 | (cp & 0x3f));
      } else {
        out[o++] = (char)(0xe0 | cp >> 12);
        out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[o++] = (char)(0x80 | (cp & 0x3f));
      }
      i += 6;
      cnt++;
    } else {
      out[o++] = c == '+' && (flags & AO_NORM_PLUS) ? ' ' : (char)c;
      i++;
    }
  }
  *decoded = cnt;
  return o;
}

static void test_pct_round_matches_reference(void **state) {
  (void)state;
  static const piece_t pieces[] = {
      PIECE("a"), PIECE("+"), PIECE("%"), PIECE("%4"), PIECE("%41"),
      PIECE("%2b"), PIECE("%2B"), PIECE("%u0041"), PIECE("%U00e9"),
      PIECE("%u20ac"), PIECE("%uZZ"), PIECE("%%"), PIECE("%G1"),
      PIECE("q=summer+blue"), PIECE("&page=5"), PIECE("ABCDEFGHIJKLMNOP"),
      PIECE("%252e%252e%252f"), PIECE("\0"), PIECE("\xff"),
      PIECE("o%27brien")};
  uint64_t x = 0x9e3779b97f4a7c15ull;
  char in[600], a[600], b[600];
  for (int round = 0; round < 40000; round++) {
    size_t n;
    size_t want = (size_t)(xorshift(&x) % 200);
    size_t off = random_text(&x, pieces, AO_ARRAY_SIZE(pieces), want, in,
                             sizeof(in), &n);
    unsigned flags = (x >> 33) & 1 ? AO_NORM_PLUS : 0;
    size_t da = 0, db = 0;
    size_t na = ref_pct_round(in + off, n, a, flags, &da);
    size_t nb = ao_norm_pct_round(in + off, n, b, flags, &db);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    assert_int_equal(da, db);
    /* in place */
    size_t dc = 0;
    size_t nc = ao_norm_pct_round(in + off, n, in + off, flags, &dc);
    assert_int_equal(nc, na);
    assert_memory_equal(in + off, a, na);
    assert_int_equal(dc, da);
  }
}

/* Every byte value at every position of texts of 1 to 40 bytes, with and
 * without AO_NORM_PLUS, and escapes before it: the 8-byte word path
 * (words with no '%', '+' turned into a space) decodes exactly like the
 * oracle into another buffer, in place, and into a buffer that starts
 * before the input and overlaps it (out < in: a word is stored only where
 * the input is read). */
static void test_pct_round_every_byte_every_position(void **state) {
  (void)state;
  char in[48], a[48], b[48], both[96];
  static const char *const fills[] = {"ab+c/", "%41x+y", "q%2bz"};
  for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
    size_t fl = strlen(fills[f]);
    for (size_t n = 1; n <= 40; n++) {
      for (size_t pos = 0; pos < n; pos++) {
        for (unsigned v = 0; v < 256; v++) {
          for (unsigned flags = 0; flags <= AO_NORM_PLUS;
               flags += AO_NORM_PLUS) {
            for (size_t k = 0; k < n; k++)
              in[k] = fills[f][k % fl];
            in[pos] = (char)v;
            size_t da = 0, db = 0;
            size_t na = ref_pct_round(in, n, a, flags, &da);
            size_t nb = ao_norm_pct_round(in, n, b, flags, &db);
            if (na != nb || memcmp(a, b, na) != 0 || da != db)
              fail_msg("fill %zu, byte %#x at %zu of %zu", f, v, pos, n);
            /* out 5 bytes before in, overlapping it */
            memcpy(both + 5, in, n);
            db = 0;
            nb = ao_norm_pct_round(both + 5, n, both, flags, &db);
            if (nb != na || memcmp(both, a, na) != 0 || db != da)
              fail_msg("out before in: byte %#x at %zu of %zu", v, pos, n);
            /* in place */
            db = 0;
            nb = ao_norm_pct_round(in, n, in, flags, &db);
            if (nb != na || memcmp(in, a, na) != 0 || db != da)
              fail_msg("in place: byte %#x at %zu of %zu", v, pos, n);
          }
        }
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unescape_log),
      cmocka_unit_test(test_fold_matches_reference),
      cmocka_unit_test(test_fold_every_byte_every_position),
      cmocka_unit_test(test_pct_round),
      cmocka_unit_test(test_pct_round_matches_reference),
      cmocka_unit_test(test_pct_round_every_byte_every_position),
      cmocka_unit_test(test_url_rounds),
      cmocka_unit_test(test_fold),
      cmocka_unit_test(test_html),
      cmocka_unit_test(test_html_changes_every_position),
      cmocka_unit_test(test_html_changes_after_amp),
      cmocka_unit_test(test_path),
      cmocka_unit_test(test_random_inputs_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
