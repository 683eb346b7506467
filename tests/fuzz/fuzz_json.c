/*
 * fuzz_json.c - libFuzzer target: JSON access logs (ao_fmt_json, yajl with
 * the arena) with the Caddy preset and custom paths through arrays.
 */
#include "ao_fmt_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ao_fmt_json_t *caddy, *custom;
  if (caddy == NULL) {
    caddy = ao_fmt_json_create(AO_JSON_PRESET_CADDY, NULL, 1 << 16, NULL, NULL);
    const char *paths[AO_JF_COUNT] = {[AO_JF_CLIENT] = "a",
                                      [AO_JF_XFF] = "h.x",
                                      [AO_JF_REQUEST] = "r",
                                      [AO_JF_AGENT] = "h.u\\.a",
                                      [AO_JF_STATUS] = "s"};
    custom =
        ao_fmt_json_create(AO_JSON_PRESET_NONE, paths, 1 << 16, NULL, NULL);
  }
  if (size > (1 << 16))
    return 0;
  char *line = malloc(size ? size : 1);
  memcpy(line, data, size);
  ao_record_t r;
  ao_fmt_json_parse(caddy, line, size, &r);
  ao_fmt_json_parse(custom, line, size, &r);
  free(line);
  return 0;
}
