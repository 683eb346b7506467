/*
 * fixed_random.c - LD_PRELOAD shim for `make verdicts-diff`: getrandom()
 * returns a fixed byte sequence, so that the seeded tables (the brute-force
 * buckets' set choice and eviction, the GeoIP cache) place every address
 * the same way in the two binaries compared. With random seeds, evictions
 * from a full brute-force table differ from run to run of one and the same
 * binary, and the comparison would measure that noise. Test tool only.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/types.h>

ssize_t getrandom(void *buf, size_t len, unsigned int flags);

ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
  (void)flags;
  static unsigned long long x = 0x243f6a8885a308d3ull;
  unsigned char *p = buf;
  for (size_t i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = (unsigned char)x;
  }
  return (ssize_t)len;
}
