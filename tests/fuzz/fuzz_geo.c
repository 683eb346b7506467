/*
 * fuzz_geo.c - GeoIP databases from anywhere (ao_geo over ao_geodb): the
 * input is the content of the database file.
 *
 * Property: whatever the bytes, loading them and looking addresses up never
 * crashes, hangs or corrupts this process, and every answer is a country
 * index (ZZ included). The bytes are copied, walked in a child process -
 * where libmaxminddb 1.7.1 may well crash on them, which is the point: the
 * child dies, the file is refused - and only a file that survived the walk
 * is opened here and looked up. Seeds: the generated test databases
 * (build/testdata, through AO_TEST_DATA, copied in by run.sh) and
 * tests/fuzz/seeds/geo/.
 */
#include "fuzz.h"

#include "ao_geo.h"
#include "ao_geodb.h"
#include "ao_log.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void quiet(void *ud, int level, const char *msg) {
  (void)ud;
  (void)level;
  (void)msg;
}

static char path[64];
static void remove_file(void) { unlink(path); }

static ao_ip_t addr(const uint8_t b[16], int v4) {
  ao_ip_t ip;
  memcpy(ip.b, b, 16);
  ip.v4 = (uint8_t)v4;
  return ip;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (path[0] == '\0') {
    static const ao_log_sink_t sink = {quiet, NULL, NULL, NULL, NULL};
    ao_log_set_sink(&sink);
    snprintf(path, sizeof(path), "/tmp/fuzz_geo-%d.mmdb", (int)getpid());
    atexit(remove_file);
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  FUZZ_CHECK(fd >= 0);
  FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
  close(fd);
  /* Identities are (inode, size, times): two inputs of one size written
   * within a clock tick look alike, so forget earlier verdicts. */
  ao_geodb_forget_failures();

  ao_geo_options_t o = {path, NULL, 64};
  ao_err_t err;
  ao_geo_t *g = ao_geo_create(&o, &err);
  FUZZ_CHECK(g != NULL);
  static const uint8_t a[][16] = {
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 81, 2, 69, 160},
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 1, 1, 1},
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 255, 255, 255, 254},
      {0x20, 0x01, 0x02, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
      {0x2a, 0x01, 0x04, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
      {0xff, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
  };
  for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
    ao_ip_t ip = addr(a[i], i < 3);
    FUZZ_CHECK(ao_geo_lookup(g, &ip) < AO_COUNTRY_COUNT);
    FUZZ_CHECK(ao_geo_lookup(g, &ip) < AO_COUNTRY_COUNT); /* cached */
  }
  FUZZ_CHECK(ao_geo_refresh(g) <= 0); /* nothing changed */
  ao_geo_destroy(g);
  size_t live;
  ao_geodb_census(&live, NULL);
  FUZZ_CHECK(live == 0);
  return 0;
}
