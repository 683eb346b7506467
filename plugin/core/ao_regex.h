/*
 * ao_regex.h - user-supplied regular expressions with hard limits.
 *
 * DESCRIPTION
 *   Patterns from users (Format "regex", <Rule> conditions) run on attacker
 *   text, so a plausible pattern such as ^(\S+ ?)+" 404 must not be able to
 *   stall collectd's read thread (reliability matrix F1). Patterns are PCRE2,
 *   compiled once at configuration time, JIT-compiled when the platform has
 *   a JIT (with its own bounded stack), and always matched with a match
 *   limit, a depth limit and a heap limit. A match that hits a limit is
 *   *not* a match: it is counted as an error (ao_regex_errors()) so that a
 *   self-metric shows it, and the caller treats the line as not matching.
 *
 *   Subjects are bytes: patterns are compiled without UTF mode, so invalid
 *   UTF-8 in a log line is just bytes, never an error and never undefined
 *   behaviour. Subjects may contain NUL (lengths are used).
 *
 *   Named groups (?<name>...) are looked up once by name and read after a
 *   successful match as slices of the subject.
 *
 *   An ao_regex_t holds its own match data: it is used by one thread at a
 *   time (one per <Log>, like everything a pipeline owns).
 */
#ifndef AO_REGEX_H
#define AO_REGEX_H

#include "ao_common.h"

#include <stdint.h>

typedef struct ao_regex ao_regex_t;

enum {
  AO_RE_CASELESS = 1u << 0, /* ASCII case-insensitive */
};

/* Limits applied to every match (defaults in ao_regex.c). */
typedef struct ao_regex_limits {
  uint32_t match_limit;    /* calls of the internal match function */
  uint32_t depth_limit;    /* backtracking depth (interpreter only) */
  uint32_t heap_limit_kib; /* heap for backtracking (interpreter only) */
} ao_regex_limits_t;

extern const ao_regex_limits_t ao_regex_default_limits;

/* Compiles pattern. On error returns NULL and fills err with the PCRE2
 * message and the offset, e.g. "missing closing parenthesis at offset 7".
 * limits NULL means the defaults. */
ao_regex_t *ao_regex_compile(const char *pattern, unsigned flags,
                             const ao_regex_limits_t *limits, ao_err_t *err);
void ao_regex_free(ao_regex_t *re); /* NULL is a no-op */

/* 1 when s[0..n) matches, 0 when it does not, 0 too when a limit or another
 * match error stopped it (then ao_regex_errors() grows). */
int ao_regex_match(ao_regex_t *re, const char *s, size_t n);

/* The number of the named group, or -1 when the pattern has none of that
 * name. */
int ao_regex_group_number(const ao_regex_t *re, const char *name);
/* After a successful ao_regex_match() on s: the slice group `number`
 * captured, or an empty slice when it did not participate. */
ao_slice_t ao_regex_group(const ao_regex_t *re, const char *s, int number);

/* Matches stopped by a limit or an error since creation. */
uint64_t ao_regex_errors(const ao_regex_t *re);
/* Matches stopped by a limit or an error on the calling thread, by any
 * pattern, since the thread started. A pipeline reads it before and after
 * its work and counts the difference as its rule errors (the `rule_errors`
 * self-metric), whichever module owns the patterns (a Format regex, rule
 * conditions): nothing has to be wired per pattern, and since one Log is
 * processed by one thread at a time, the difference is that Log's. */
uint64_t ao_regex_thread_errors(void);
/* 1 when the pattern runs JIT-compiled. */
int ao_regex_jit(const ao_regex_t *re);

#endif /* AO_REGEX_H */
