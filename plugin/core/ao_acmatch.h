/*
 * ao_acmatch.h - multi-pattern literal matching (Aho-Corasick) over
 * ASCII-case-folded bytes.
 *
 * DESCRIPTION
 *   ao_ac_create() compiles a fixed set of byte-string patterns into a
 *   deterministic automaton; ao_ac_scan() then finds every occurrence of
 *   every pattern in one left-to-right pass over a text, one table lookup
 *   per byte, whatever the number of patterns. There is no backtracking:
 *   the work is the length of the text plus the number of hits reported.
 *
 *   Matching ignores ASCII case: patterns and text are folded with the
 *   same table. The alphabet is reduced: only the bytes that occur in some
 *   pattern get a class of their own (a letter and its capital share one),
 *   all other bytes share class 0, so a state's row holds a few dozen
 *   entries instead of 256.
 *
 *   The automaton is immutable after creation and may be shared between
 *   threads. ao_ac_scan() allocates nothing.
 *
 * LIMITS
 *   At most AO_AC_MAX_STATES states (the sum of the pattern lengths, less
 *   shared prefixes). Patterns are NUL-terminated, non-empty, and at most
 *   AO_AC_MAX_PATTERN bytes long. Rows are padded to a power of two entries
 *   (the scan then indexes with a shift): the table is states *
 *   2^ceil(log2(classes)) * 2 bytes. For the built-in rules and lists that
 *   is 3,446 states and 67 classes (class 0 included) in rows of 128
 *   entries: 882 KB, of which each row's last cache line is never read.
 *   At 64 classes or fewer it would be half that.
 */
#ifndef AO_ACMATCH_H
#define AO_ACMATCH_H

#include "ao_common.h"

#include <stddef.h>
#include <stdint.h>

#define AO_AC_MAX_STATES 65535u
#define AO_AC_MAX_PATTERN 255u

typedef struct ao_ac ao_ac_t;

typedef struct ao_ac_pattern {
  const char *text; /* NUL-terminated; case does not matter */
  uint32_t id;      /* handed back on every hit of this pattern */
} ao_ac_pattern_t;

/* Compiles n patterns (the array is not kept). Several patterns may have
 * the same text: each one is reported. Returns NULL with err filled when a
 * pattern is empty or too long, when the automaton would exceed
 * AO_AC_MAX_STATES, or on ENOMEM. */
ao_ac_t *ao_ac_create(const ao_ac_pattern_t *pats, size_t n, ao_err_t *err);
void ao_ac_destroy(ao_ac_t *ac); /* NULL is a no-op */

/* Called for each hit: the pattern's id and `end`, the offset one past the
 * hit's last byte (the hit is text[end - strlen(pattern), end)). Return 0 to
 * go on, anything else to stop the scan. */
typedef int (*ao_ac_hit_fn)(void *ud, uint32_t id, size_t end);

/* Scans text[0..n) and calls fn for every hit, in order of `end` (hits
 * ending at the same byte: longest pattern first). Returns 0 after the
 * whole text, or the first non-zero value fn returned. */
int ao_ac_scan(const ao_ac_t *ac, const void *text, size_t n, ao_ac_hit_fn fn,
               void *ud);

/* Sizes, for tests and for the documentation of the tables. */
size_t ao_ac_state_count(const ao_ac_t *ac);
size_t ao_ac_class_count(const ao_ac_t *ac);
size_t ao_ac_memory(const ao_ac_t *ac); /* bytes held */

#endif /* AO_ACMATCH_H */
