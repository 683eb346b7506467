/*
 * bench_formats.c - parse-only cost per line of each Format (README, "Log
 * formats"): reads a file into memory and parses every line ROUNDS times.
 *
 *   bench_formats FILE ROUNDS FORMAT [LOGFORMAT|REGEX] [ESCAPE]
 * prints ns/line and the lines that parsed.
 */
#include "ao_logfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: bench_formats FILE ROUNDS FORMAT [STRING] "
                    "[ESCAPE]\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (f == NULL)
    return 1;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)len + 1);
  if (fread(text, 1, (size_t)len, f) != (size_t)len)
    return 1;
  fclose(f);
  ao_parser_options_t o;
  memset(&o, 0, sizeof(o));
  if (ao_format_lookup(argv[3], &o.format) != 0)
    return 2;
  o.log_format = argc > 4 ? argv[4] : NULL;
  o.regex = argc > 4 ? argv[4] : NULL;
  if (argc > 5 && strcasecmp(argv[5], "json") == 0)
    o.escape = AO_ESCAPE_JSON;
  o.max_line = 65536;
  ao_err_t err = {{0}};
  ao_parser_t *p = ao_parser_create_opts(&o, &err);
  if (p == NULL) {
    fprintf(stderr, "%s\n", err.msg);
    return 2;
  }
  long rounds = atol(argv[2]), lines = 0, ok = 0;
  double t0 = now();
  for (long r = 0; r < rounds; r++) {
    for (char *s = text; s < text + len;) {
      char *nl = memchr(s, '\n', (size_t)(text + len - s));
      size_t n = nl ? (size_t)(nl - s) : (size_t)(text + len - s);
      ao_record_t rec;
      ok += ao_parser_parse(p, s, n, &rec) == 0;
      lines++;
      s = nl ? nl + 1 : text + len;
    }
  }
  double t1 = now();
  printf("%s: %ld lines, %ld parsed, %.0f ns/line\n", argv[3], lines, ok,
         (t1 - t0) * 1e9 / (double)lines);
  ao_parser_destroy(p);
  free(text);
  return 0;
}
