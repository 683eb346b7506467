/*
 * fuzz_sshd.c - libFuzzer target: sshd messages (ao_fmt_sshd), each input
 * split into lines fed to one parser, so the connection table is exercised.
 */
#include "ao_fmt_sshd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ao_fmt_sshd_t *s;
  if (s == NULL)
    s = ao_fmt_sshd_create(NULL);
  char *buf = malloc(size ? size : 1);
  memcpy(buf, data, size);
  size_t i = 0;
  while (i <= size) {
    const char *nl = memchr(buf + i, '\n', size - i);
    size_t n = nl ? (size_t)(nl - buf) - i : size - i;
    /* exact-size copy of the line */
    char *line = malloc(n ? n : 1);
    memcpy(line, buf + i, n);
    ao_record_t r;
    ao_fmt_sshd_parse(s, line, n, &r);
    free(line);
    if (nl == NULL)
      break;
    i += n + 1;
  }
  free(buf);
  return 0;
}
