/*
 * fuzz_nginx.c - libFuzzer target: nginx format programs (ao_fmt_nginx +
 * ao_fmtprog) on arbitrary lines, in the three escape modes, and the
 * compiler on an arbitrary format string taken from the input's first
 * line. Built and run by `make fuzz` (tests/fuzz/fuzz_*.c).
 */
#include "ao_fmt_nginx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAIN                                                                   \
  "$remote_addr - $remote_user [$time_local] \"$request\" $status "            \
  "$body_bytes_sent \"$http_referer\" \"$http_user_agent\" "                   \
  "\"$http_x_forwarded_for\" $request_time $upstream_response_time $host"
#define JSONF                                                                  \
  "{\"a\":\"$remote_addr\",\"r\":\"$request\",\"s\":$status,\"u\":\"$uri\","   \
  "\"q\":\"$args\",\"ua\":\"$http_user_agent\"}"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ao_fmtprog_t *progs[3];
  if (progs[0] == NULL) {
    progs[0] = ao_fmt_nginx_compile(MAIN, AO_FPESC_BACKSLASH, 1 << 16, NULL);
    progs[1] = ao_fmt_nginx_compile(JSONF, AO_FPESC_JSON, 1 << 16, NULL);
    progs[2] = ao_fmt_nginx_compile(MAIN, AO_FPESC_NONE, 1 << 16, NULL);
  }
  if (size > (1 << 16))
    return 0;
  /* exact-size copy: ASan sees any read past the end */
  char *line = malloc(size ? size : 1);
  memcpy(line, data, size);
  ao_record_t r;
  for (int i = 0; i < 3; i++)
    ao_fmtprog_match(progs[i], line, size, &r);
  /* the first line as a format string, the rest as a line */
  const char *nl = memchr(line, '\n', size);
  if (nl != NULL && (size_t)(nl - line) < 512) {
    char fmt[513];
    memcpy(fmt, line, (size_t)(nl - line));
    fmt[nl - line] = '\0';
    ao_fmtprog_t *p = ao_fmt_nginx_compile(fmt, AO_FPESC_BACKSLASH, 4096, NULL);
    if (p != NULL) {
      size_t rest = size - (size_t)(nl - line) - 1;
      ao_fmtprog_match(p, nl + 1, rest > 4096 ? 4096 : rest, &r);
      ao_fmtprog_free(p);
    }
  }
  free(line);
  return 0;
}
