/*
 * ao_normalize.h - turn logged request parts back into the bytes an
 * application would act on, so that the classifier matches meaning rather
 * than spelling.
 *
 * DESCRIPTION
 *   Attackers spell the same payload many ways: percent-encoded once or
 *   several times, with IIS `%uXXXX` escapes, with overlong UTF-8
 *   (`%c0%af` for '/'), with full-width forms, in mixed case, with HTML
 *   entities where the payload lands in a page. Servers add their own
 *   escaping when they log the line (nginx `\x22`, Apache `\"`, `\\`,
 *   `\xhh`). Each function below undoes one of these layers.
 *
 *   Contract shared by every function:
 *     - The output is written to a caller-owned buffer and is never longer
 *       than the input: every layer only shrinks the text (an escape is
 *       longer than the byte it stands for). A buffer as long as the input
 *       therefore always suffices, and the classifier allocates its buffers
 *       once, at creation.
 *     - `out` may be the same buffer as `in` (in-place): the write position
 *       never passes the read position. Other overlaps are not allowed.
 *     - No allocation, no failure: a malformed escape is copied through
 *       unchanged, as servers and applications do.
 *     - Work is linear in the input and bounded per byte: no backtracking,
 *       and repeated decoding stops after a caller-given number of rounds.
 *     - Bytes may be anything, NUL included; texts are (pointer, length).
 */
#ifndef AO_NORMALIZE_H
#define AO_NORMALIZE_H

#include <stddef.h>

/* Flags reported by the decoders through an `unsigned *info` (OR-ed in;
 * the caller clears it). */
enum {
  /* A NUL byte was found (and removed) by ao_norm_fold(). */
  AO_NORM_NUL = 1u << 0,
  /* A NUL stood where C-string truncation is the point: right before a
   * short ".ext" (`../../etc/passwd%00.jpg`, `page=shell.txt%00.php`). A
   * NUL at the end of a value is only reported as AO_NORM_NUL: fuzzers put
   * one after every kind of payload. */
  AO_NORM_NUL_TAIL = 1u << 1,
  /* Percent escapes were still present after the last allowed round. */
  AO_NORM_DEEP = 1u << 2,
};

/* Flags for ao_norm_pct_round() and ao_norm_url(). */
enum {
  AO_NORM_PLUS = 1u << 0, /* '+' is a space (query strings, first round) */
};

/* Undoes the escaping servers apply when they write a field to the log:
 * `\xHH` (nginx; Apache for non-printable bytes), `\"` and `\\` (both),
 * and Apache's C-style `\n \t \r \v \f \b`. Any other backslash is kept. */
size_t ao_norm_unescape_log(const char *in, size_t n, char *out);

/* One round of URL decoding: `%HH` to the byte, `%uHHHH` (IIS) to the
 * UTF-8 encoding of the code point (at most 3 bytes for 6 read), and `+` to
 * a space when flags has AO_NORM_PLUS. *decoded (may be NULL) receives the
 * number of escapes decoded, 0 meaning the text is final. */
size_t ao_norm_pct_round(const char *in, size_t n, char *out, unsigned flags,
                         size_t *decoded);

/* Canonical spelling of decoded text: overlong UTF-8 forms of ASCII
 * (`c0 af`, `e0 80 af`, ...) and full-width forms (U+FF01..U+FF5E) become
 * the ASCII byte, U+2215/U+2216 (division slash, set minus) become '/' and
 * '\', ASCII letters are folded to lower case, and NUL bytes are removed
 * (reported in *info with AO_NORM_NUL and, where they truncate,
 * AO_NORM_NUL_TAIL). */
size_t ao_norm_fold(const char *in, size_t n, char *out, unsigned *info);

/* The whole URL pipeline: up to `rounds` rounds of ao_norm_pct_round()
 * (AO_NORM_PLUS applies to the first round only: a '+' that was encoded as
 * %2B is a plus), stopping early when a round decodes nothing, then
 * ao_norm_fold(). */
size_t ao_norm_url(const char *in, size_t n, char *out, unsigned flags,
                   unsigned rounds, unsigned *info);

/* For text that may end up inside an HTML page: decodes character
 * references (`&lt;` `&#60;` `&#x3c;`, with or without the `;`, and the
 * named ones XSS payloads use: lt gt amp quot apos colon tab newline lpar
 * rpar sol bsol semi comma period excl num equals grave lsqb rsqb lcub
 * rcub) when they stand for ASCII, folds the result to lower case, and
 * removes TAB, LF and CR, which browsers ignore inside URL schemes
 * (`java&#9;script:`). */
size_t ao_norm_html(const char *in, size_t n, char *out);

/* Would ao_norm_html() change anything that matters: is there a character
 * reference standing for an ASCII byte, or a TAB, LF or CR? Lets callers
 * skip the HTML view of the many fields that have none ("a=1&b=2"). */
int ao_norm_html_changes(const char *in, size_t n);

/* Canonical form of a URL path for probe matching: '\' counts as '/',
 * empty and "." segments disappear (`//`, `/./`), ".." resolves against
 * the previous segment. A segment made only of dots (two or more) counts
 * as "..", and so does ".." followed by a path parameter (`..;jsessionid`,
 * the Tomcat/Spring trick). The output starts with '/' when the input
 * does, and keeps a trailing '/'. *climb (may be NULL) receives how many
 * levels the path tried to go above its start: 0 for any path a browser
 * would send. */
size_t ao_norm_path(const char *in, size_t n, char *out, unsigned *climb);

/* The climb of ao_norm_path() without the output, for query values. */
unsigned ao_norm_climb(const char *in, size_t n);

#endif /* AO_NORMALIZE_H */
