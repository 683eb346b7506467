/*
 * fuzz_apache.c - libFuzzer target: Apache format programs on arbitrary
 * lines, and the LogFormat compiler on the input's first line.
 */
#include "ao_fmt_apache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ao_fmtprog_t *progs[2];
  if (progs[0] == NULL) {
    progs[0] = ao_fmt_apache_compile(
        "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" "
        "\"%{X-Forwarded-For}i\"",
        1 << 16, NULL);
    progs[1] = ao_fmt_apache_compile(
        "%a [%{%Y-%m-%d %H:%M:%S}t] %m %U%q %H %>s %D \"%{User-agent}i\" %V",
        1 << 16, NULL);
  }
  if (size > (1 << 16))
    return 0;
  char *line = malloc(size ? size : 1);
  memcpy(line, data, size);
  ao_record_t r;
  for (int i = 0; i < 2; i++)
    ao_fmtprog_match(progs[i], line, size, &r);
  const char *nl = memchr(line, '\n', size);
  if (nl != NULL && (size_t)(nl - line) < 512) {
    char fmt[513];
    memcpy(fmt, line, (size_t)(nl - line));
    fmt[nl - line] = '\0';
    ao_fmtprog_t *p = ao_fmt_apache_compile(fmt, 4096, NULL);
    if (p != NULL) {
      size_t rest = size - (size_t)(nl - line) - 1;
      ao_fmtprog_match(p, nl + 1, rest > 4096 ? 4096 : rest, &r);
      ao_fmtprog_free(p);
    }
  }
  free(line);
  return 0;
}
