/*
 * ao_common.h - small shared vocabulary of the attack-origin core.
 *
 * DESCRIPTION
 *   Byte slices, the error buffer that constructors and the config code fill
 *   in, and a few macros. Everything under plugin/core is C11 + POSIX and
 *   includes no collectd header; this file is the bottom of its dependency
 *   graph.
 */
#ifndef AO_COMMON_H
#define AO_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define AO_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define AO_LIKELY(x) __builtin_expect(!!(x), 1)
#define AO_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define AO_PRINTF(f, a) __attribute__((format(printf, f, a)))
/* for a hot helper called from a few places with constant arguments */
#define AO_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define AO_LIKELY(x) (x)
#define AO_UNLIKELY(x) (x)
#define AO_PRINTF(f, a)
#define AO_ALWAYS_INLINE inline
#endif

/* A string literal with its length, for tables of words that are compared
 * on the per-line path (no strlen() there). */
typedef struct ao_lit {
  const char *s;
  size_t n;
} ao_lit_t;
#define AO_LIT(x)                                                              \
  { x, sizeof(x) - 1 }

/* c with 'A'-'Z' made 'a'-'z' (the C locale's tolower(), without the
 * locale lookup). */
static inline unsigned char ao_ascii_lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* The value of a hexadecimal digit, or -1. */
static inline int ao_hexval(unsigned char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* A deliberate fall-through between switch cases. C11 has no
 * [[fallthrough]]; gcc accepts a comment, clang (the fuzz build) only the
 * attribute. */
#if (defined(__GNUC__) && __GNUC__ >= 7) || defined(__clang__)
#define AO_FALLTHROUGH __attribute__((fallthrough))
#else
#define AO_FALLTHROUGH ((void)0)
#endif

/* A borrowed run of bytes: not NUL-terminated, may contain NUL. Slices that
 * point into a log line are valid until the next line is read. */
typedef struct ao_slice {
  const char *p;
  size_t n;
} ao_slice_t;

#define AO_SLICE_EMPTY ((ao_slice_t){"", 0})

/* Compares a slice with a C string, exactly or ignoring ASCII case. */
int ao_slice_eq(ao_slice_t s, const char *cstr);

/* ASCII case only, on purpose and without a libc call: what matches a
 * method or a keyword must not depend on the process's locale. Inline,
 * lengths first: it runs for the method of every line (the brute-force
 * event kind), where the compiler folds strlen of a literal and a method of
 * another length costs one compare. */
static inline int ao_slice_ieq(ao_slice_t s, const char *cstr) {
  size_t n = strlen(cstr);
  if (s.n != n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    /* equal, or the same letter in the other case (they differ in 0x20
     * only, and the lower-case form is a letter) */
    unsigned char a = (unsigned char)s.p[i], b = (unsigned char)cstr[i];
    if (a != b &&
        ((a ^ b) != 0x20 || (unsigned)((a | 0x20) - 'a') > (unsigned)('z' - 'a')))
      return 0;
  }
  return 1;
}

/* A human-readable error filled in by constructors and by config checks.
 * The message names the option and the value, e.g.
 *   <Log "web">: Format: unknown value "combind" (expected "combined" or
 *   "common") */
typedef struct ao_err {
  char msg[512];
} ao_err_t;

/* Formats into err->msg (truncating); err may be NULL. Returns -1 so that
 * callers can write `return ao_err_set(err, ...);`. */
int ao_err_set(ao_err_t *err, const char *fmt, ...) AO_PRINTF(2, 3);

/* Monotonic and wall clocks as seconds; the core never calls time() on the
 * hot path and takes "now" from its caller where tests need to drive it. */
double ao_now_wall(void);
double ao_now_mono(void);
/* The wall clock to a few milliseconds (Linux's CLOCK_REALTIME_COARSE,
 * which reads a value the kernel keeps instead of the time-stamp counter:
 * several times cheaper, notably in virtual machines). For per-line uses
 * that need the date, not the instant. ao_now_wall() where it is missing
 * or cannot be read. */
double ao_now_wall_coarse(void);

#endif /* AO_COMMON_H */
