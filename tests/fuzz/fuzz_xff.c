/*
 * fuzz_xff.c - libFuzzer target: the X-Forwarded-For walk (ao_xff) and
 * CIDR parsing on arbitrary text.
 */
#include "ao_xff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ao_cidr_t trusted[3];
  static int ready;
  if (!ready) {
    ao_cidr_parse("10.0.0.0/8", &trusted[0], NULL);
    ao_cidr_parse("2001:db8::/32", &trusted[1], NULL);
    ao_cidr_parse("127.0.0.1", &trusted[2], NULL);
    ready = 1;
  }
  char *x = malloc(size ? size : 1);
  memcpy(x, data, size);
  ao_ip_t ip;
  ao_slice_t peer = {"10.1.2.3", 8};
  ao_xff_client(trusted, 3, peer, (ao_slice_t){x, size}, &ip);
  ao_xff_client(trusted, 3, (ao_slice_t){x, size > 45 ? 45 : size},
                (ao_slice_t){x, size}, &ip);
  if (size < 128) {
    char s[129];
    memcpy(s, data, size);
    s[size] = '\0';
    ao_cidr_t c;
    ao_cidr_parse(s, &c, NULL);
  }
  free(x);
  return 0;
}
