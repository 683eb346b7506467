/*
 * fuzz.h - what every libFuzzer target under tests/fuzz shares.
 *
 * Convention (see README "Fuzzing"): one file per target,
 * tests/fuzz/fuzz_<name>.c, defining LLVMFuzzerTestOneInput() over core
 * functions only (plugin/core, never collectd). `make fuzz` builds each with
 * clang -fsanitize=fuzzer,address,undefined and runs it for FUZZ_SECONDS;
 * seeds come from tests/fuzz/seeds/<name>/ (and what tests/fuzz/run.sh
 * generates), crashing inputs are kept in tests/fuzz/regressions/<name>/ and
 * replayed first by every run.
 *
 * FUZZ_CHECK is an oracle, not a debug aid: a property that must hold for
 * every input. It aborts, so libFuzzer records the input as a crash.
 */
#ifndef AO_FUZZ_H
#define AO_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: oracle failed: %s\n", __FILE__, __LINE__,       \
              #cond);                                                          \
      abort();                                                                 \
    }                                                                          \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when s[0..n) lies inside [base, base + len], or is an empty slice
 * (parsers may return a static "" for absent fields). */
static inline int fuzz_inside(const char *s, size_t n, const char *base,
                              size_t len) {
  if (n == 0)
    return 1;
  return s >= base && s + n <= base + len && s + n >= s;
}

#endif
