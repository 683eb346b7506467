/*
 * fuzz_lines.c - splitting a byte stream into lines (ao_lines_scan_fd, the
 * line splitter the command-line tool uses; the tail shares its rules).
 *
 * Input: bytes 0-1 give max_line (256..4351), the rest is the stream (read
 * from a memfd). Properties: every delivered line is at most max_line bytes
 * and contains no '\n'; delivered bytes never exceed the input; the numbers
 * of lines delivered and of oversized lines skipped equal those of a
 * straightforward reference split (at '\n', one trailing '\r' not part of
 * the line, a last segment without newline delivered when non-empty).
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include "ao_tail.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct seen {
  size_t max_line;
  size_t lines, bytes;
} seen_t;

static int on_line(void *ud, const char *line, size_t len) {
  seen_t *s = ud;
  FUZZ_CHECK(len <= s->max_line);
  FUZZ_CHECK(memchr(line, '\n', len) == NULL);
  s->lines++;
  s->bytes += len;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  size_t max_line = 256 + (((size_t)data[0] << 8 | data[1]) % 4096);
  const uint8_t *in = data + 2;
  size_t n = size - 2;

  /* Reference: split at '\n'; a last segment without newline counts when
   * non-empty; one trailing '\r' is not part of a line; longer lines are
   * oversized, not delivered. */
  size_t ref_lines = 0, ref_over = 0;
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n && start == n)
      break;
    if (i == n || in[i] == '\n') {
      size_t len = i - start;
      if (len > 0 && in[start + len - 1] == '\r')
        len--;
      if (len > max_line)
        ref_over++;
      else
        ref_lines++;
      start = i + 1;
    }
  }

  int fd = memfd_create("fuzz_lines", MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0);
  FUZZ_CHECK(write(fd, in, n) == (ssize_t)n);
  FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
  seen_t s = {max_line, 0, 0};
  ao_tail_stats_t st;
  memset(&st, 0, sizeof(st));
  FUZZ_CHECK(ao_lines_scan_fd(fd, max_line, on_line, &s, &st) == 0);
  close(fd);
  FUZZ_CHECK(s.bytes <= n);
  FUZZ_CHECK(st.lines == s.lines);
  FUZZ_CHECK(s.lines == ref_lines);
  FUZZ_CHECK(st.oversized == ref_over);
  return 0;
}
