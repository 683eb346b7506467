/*
 * fuzz_regex_format.c - libFuzzer target: Format regex (ao_fmt_regex) with a
 * fixed pattern of every named group on arbitrary lines.
 */
#include "ao_fmt_regex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ao_fmt_regex_t *r;
  if (r == NULL)
    r = ao_fmt_regex_create(
        "^(?<time>\\S+) (?<client>\\S+) \"(?<request>[^\"]*)\" "
        "(?<status>\\d+) (?<xff>\\S+) \"(?<agent>[^\"]*)\" (?<referer>\\S+) "
        "(?<host>\\S*) (?<method>\\S*) (?<uri>\\S*)",
        NULL);
  if (size > (1 << 16))
    return 0;
  char *line = malloc(size ? size : 1);
  memcpy(line, data, size);
  ao_record_t rec;
  ao_fmt_regex_parse(r, line, size, &rec);
  free(line);
  return 0;
}
