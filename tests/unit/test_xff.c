/*
 * test_xff.c - trusted proxies and X-Forwarded-For (ao_xff): CIDR parsing,
 * the rightmost-untrusted walk, untrusted peers, garbage, hop limits,
 * ports, and generated spoofing attempts (reliability matrix E3).
 */
#include "ao_test.h"

#include "ao_xff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ao_cidr_t trusted[4];
static size_t ntrusted;

static int setup(void **state) {
  (void)state;
  const char *list[] = {"10.0.0.0/8", "192.168.1.1", "2001:db8:1::/48",
                        "173.245.48.0/20"};
  ntrusted = 0;
  for (size_t i = 0; i < 4; i++) {
    ao_err_t err = {{0}};
    if (ao_cidr_parse(list[i], &trusted[ntrusted++], &err) != 0)
      fail_msg("%s", err.msg);
  }
  return 0;
}

static ao_slice_t S(const char *s) { return (ao_slice_t){s, strlen(s)}; }

/* Resolves and formats the client ("" when unknown). */
static ao_xff_result_t resolve(const char *peer, const char *xff, char *out) {
  ao_ip_t ip;
  char *pc = strdup(peer), *xc = strdup(xff);
  ao_xff_result_t r = ao_xff_client(trusted, ntrusted, S(pc), S(xc), &ip);
  out[0] = '\0';
  if (r == AO_XFF_PEER || r == AO_XFF_CLIENT)
    ao_ip_format(&ip, out);
  free(pc);
  free(xc);
  return r;
}

static void test_cidr_parse(void **state) {
  (void)state;
  ao_cidr_t c;
  ao_err_t err = {{0}};
  assert_int_equal(ao_cidr_parse("10.0.0.0/8", &c, &err), 0);
  assert_int_equal(c.bits, 104);
  assert_int_equal(ao_cidr_parse("2001:db8::/32", &c, &err), 0);
  assert_int_equal(c.bits, 32);
  assert_int_equal(ao_cidr_parse("::ffff:10.0.0.0/104", &c, &err), 0);
  assert_int_equal(ao_cidr_parse("1.2.3.4", &c, &err), 0);
  assert_int_equal(c.bits, 128);
  const char *bad[] = {"10.0.0.1/8", "10.0.0.0/33",    "10.0.0.0/",
                       "10.0.0.0/x", "010.0.0.0/8",    "foo",
                       "",           "2001:db8::/129", "10.0.0.0/8/8"};
  for (size_t i = 0; i < AO_ARRAY_SIZE(bad); i++) {
    if (ao_cidr_parse(bad[i], &c, &err) == 0)
      fail_msg("\"%s\" accepted", bad[i]);
  }
  assert_int_equal(ao_cidr_parse("10.0.0.1/8", &c, &err), -1);
  assert_non_null(strstr(err.msg, "below the /8"));
}

static void test_walk(void **state) {
  (void)state;
  char out[46];
  /* no header, or an untrusted peer: the peer */
  assert_int_equal(resolve("81.2.69.160", "", out), AO_XFF_PEER);
  assert_string_equal(out, "81.2.69.160");
  assert_int_equal(resolve("81.2.69.160", "6.6.6.6", out), AO_XFF_PEER);
  assert_string_equal(out, "81.2.69.160");
  /* a trusted peer: the rightmost untrusted entry */
  assert_int_equal(resolve("10.1.1.1", "6.6.6.6, 81.2.69.160", out),
                   AO_XFF_CLIENT);
  assert_string_equal(out, "81.2.69.160");
  assert_int_equal(
      resolve("10.1.1.1", "6.6.6.6,81.2.69.160 , 173.245.48.9,10.2.2.2", out),
      AO_XFF_CLIENT);
  assert_string_equal(out, "81.2.69.160");
  /* v4-mapped peers and entries are IPv4 */
  assert_int_equal(resolve("::ffff:10.1.1.1", "::ffff:81.2.69.160", out),
                   AO_XFF_CLIENT);
  assert_string_equal(out, "81.2.69.160");
  /* IPv6 proxies, ports and brackets */
  assert_int_equal(
      resolve("2001:db8:1::5", "[2001:218::1]:443, 192.168.1.1:8080", out),
      AO_XFF_CLIENT);
  assert_string_equal(out, "2001:218::1");
  assert_int_equal(resolve("10.0.0.1", "89.160.20.112:5000", out),
                   AO_XFF_CLIENT);
  assert_string_equal(out, "89.160.20.112");
  /* every entry trusted: the leftmost (the request came from inside) */
  assert_int_equal(resolve("10.0.0.1", "10.0.0.7, 192.168.1.1", out),
                   AO_XFF_CLIENT);
  assert_string_equal(out, "10.0.0.7");
  /* garbage ends the walk: the client is unknown */
  assert_int_equal(resolve("10.0.0.1", "81.2.69.160, unknown", out),
                   AO_XFF_UNKNOWN);
  assert_int_equal(resolve("10.0.0.1", "81.2.69.160, 010.0.0.1", out),
                   AO_XFF_UNKNOWN);
  assert_int_equal(resolve("10.0.0.1", "1.2.3.4:x", out), AO_XFF_UNKNOWN);
  /* garbage left of the client is never reached */
  assert_int_equal(resolve("10.0.0.1", "garbage, 81.2.69.160", out),
                   AO_XFF_CLIENT);
  assert_string_equal(out, "81.2.69.160");
  /* a peer that is no address */
  assert_int_equal(resolve("host.example", "81.2.69.160", out),
                   AO_XFF_PEER_BAD);
  /* empty entries are skipped, as nginx does */
  assert_int_equal(resolve("10.0.0.1", ", ,81.2.69.160,, ", out),
                   AO_XFF_CLIENT);
  assert_string_equal(out, "81.2.69.160");
}

static void test_hop_limit(void **state) {
  (void)state;
  char out[46];
  /* 1,000 entries with the client rightmost: found at once */
  size_t cap = 1000 * 16 + 64;
  char *x = malloc(cap);
  size_t o = 0;
  for (int i = 0; i < 999; i++)
    o += (size_t)snprintf(x + o, cap - o, "6.6.6.%d, ", i % 250);
  snprintf(x + o, cap - o, "81.2.69.160");
  assert_int_equal(resolve("10.0.0.1", x, out), AO_XFF_CLIENT);
  assert_string_equal(out, "81.2.69.160");
  /* 40 trusted entries: the walk stops after 32, the client is unknown */
  o = 0;
  o += (size_t)snprintf(x + o, cap - o, "81.2.69.160");
  for (int i = 0; i < 40; i++)
    o += (size_t)snprintf(x + o, cap - o, ", 10.0.0.%d", i + 1);
  assert_int_equal(resolve("10.0.0.1", x, out), AO_XFF_UNKNOWN);
  /* exactly 32 trusted entries and nothing left of them: the leftmost */
  o = 0;
  for (int i = 0; i < 32; i++)
    o += (size_t)snprintf(x + o, cap - o, "%s10.0.0.%d", i ? ", " : "", i + 1);
  assert_int_equal(resolve("10.0.0.1", x, out), AO_XFF_CLIENT);
  assert_string_equal(out, "10.0.0.1");
  free(x);
}

/* E3: a client that sends its own X-Forwarded-For through our trusted
 * proxies never becomes the client, and a client that talks to us directly
 * is never believed. */
static void test_spoofing(void **state) {
  (void)state;
  unsigned spoofed = 0, cases = 0;
  char xff[512], out[46];
  uint32_t rng = 7;
  for (int i = 0; i < 1000; i++) {
    rng = rng * 1103515245u + 12345u;
    int fakes = (int)((rng >> 8) % 5);
    size_t o = 0;
    for (int k = 0; k < fakes; k++)
      o += (size_t)snprintf(xff + o, sizeof(xff) - o, "6.6.6.%d, ", k);
    /* what our proxies appended: the real client, then proxies */
    o += (size_t)snprintf(xff + o, sizeof(xff) - o, "81.2.69.%d", 1 + i % 200);
    int hops = (int)((rng >> 16) % 3);
    for (int k = 0; k < hops; k++)
      o += (size_t)snprintf(xff + o, sizeof(xff) - o, ", 10.0.%d.1", k);
    ao_xff_result_t r = resolve("10.9.9.9", xff, out);
    cases++;
    if (r != AO_XFF_CLIENT || strncmp(out, "81.2.69.", 8) != 0)
      spoofed++;
    /* the same header sent straight to us from a public address */
    r = resolve("89.160.20.112", xff, out);
    cases++;
    if (r != AO_XFF_PEER || strcmp(out, "89.160.20.112") != 0)
      spoofed++;
  }
  printf("X-Forwarded-For spoofing: %u cases, %u spoofed\n", cases, spoofed);
  assert_int_equal(spoofed, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cidr_parse),
      cmocka_unit_test(test_walk),
      cmocka_unit_test(test_hop_limit),
      cmocka_unit_test(test_spoofing),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
