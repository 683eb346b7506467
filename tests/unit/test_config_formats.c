/*
 * test_config_formats.c - the format options of a <Log> (LogFormat, Escape,
 * Regex, the JSON field options, TrustedProxy): accepted combinations,
 * refusals that name the option, the value and the position, and the
 * TrustedProxy inheritance rule.
 */
#include "ao_test.h"

#include "ao_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Applies <Plugin> with plugin options popt and one <Log "web"> with
 * File and the options lopt ({key, value} pairs, NULL-terminated), then
 * finishes. Returns 0 or -1 with err. */
static int apply(ao_config_t *cfg, const char *const *popt,
                 const char *const *lopt, ao_err_t *err) {
  ao_value_t vals[64];
  ao_conf_node_t lk[32], pk[32];
  size_t nv = 0, nl = 0, np = 0;
  vals[nv] = (ao_value_t){.type = AO_VAL_STRING, .s = "/tmp/x.log"};
  lk[nl++] = (ao_conf_node_t){"File", &vals[nv++], 1, NULL, 0};
  for (size_t i = 0; lopt != NULL && lopt[i] != NULL; i += 2) {
    vals[nv] = (ao_value_t){.type = AO_VAL_STRING, .s = lopt[i + 1]};
    lk[nl++] = (ao_conf_node_t){lopt[i], &vals[nv++], 1, NULL, 0};
  }
  for (size_t i = 0; popt != NULL && popt[i] != NULL; i += 2) {
    vals[nv] = (ao_value_t){.type = AO_VAL_STRING, .s = popt[i + 1]};
    pk[np++] = (ao_conf_node_t){popt[i], &vals[nv++], 1, NULL, 0};
  }
  vals[nv] = (ao_value_t){.type = AO_VAL_STRING, .s = "web"};
  pk[np++] = (ao_conf_node_t){"Log", &vals[nv++], 1, lk, nl};
  ao_conf_node_t root = {"Plugin", NULL, 0, pk, np};
  ao_config_init(cfg);
  if (ao_config_apply(cfg, &root, err) != 0)
    return -1;
  return ao_config_finish(cfg, err);
}

static void ok(const char *const *popt, const char *const *lopt) {
  ao_config_t cfg;
  ao_err_t err = {{0}};
  if (apply(&cfg, popt, lopt, &err) != 0)
    fail_msg("refused: %s", err.msg);
  ao_config_free(&cfg);
}

static void refused(const char *const *popt, const char *const *lopt,
                    const char *want) {
  ao_config_t cfg;
  ao_err_t err = {{0}};
  if (apply(&cfg, popt, lopt, &err) == 0)
    fail_msg("accepted, expected: %s", want);
  if (strstr(err.msg, want) == NULL)
    fail_msg("\"%s\" lacks \"%s\"", err.msg, want);
  ao_config_free(&cfg);
}

static void test_accepted(void **state) {
  (void)state;
  ok(NULL,
     (const char *[]){"Format", "nginx", "LogFormat",
                      "$remote_addr [$time_local] \"$request\" $status", NULL});
  ok(NULL, (const char *[]){"Format", "nginx", "Escape", "json", "LogFormat",
                            "{\"a\":\"$remote_addr\"}", NULL});
  ok(NULL, (const char *[]){"Format", "apache", "LogFormat",
                            "%h %l %u %t \"%r\" %>s %b", NULL});
  ok(NULL, (const char *[]){"Format", "json", "ClientField", "req.ip",
                            "UserAgentField", "req.headers.User-Agent", NULL});
  ok(NULL, (const char *[]){"Format", "caddy", NULL});
  ok(NULL, (const char *[]){"Format", "traefik", "XffField",
                            "request_X-Real-Ip", NULL});
  ok(NULL, (const char *[]){"Format", "sshd", NULL});
  ok(NULL,
     (const char *[]){"Format", "regex", "Regex", "^(?<client>\\S+) ", NULL});
  ok((const char *[]){"TrustedProxy", "10.0.0.0/8", NULL},
     (const char *[]){"TrustedProxy", "2001:db8::/32", "TrustedProxy",
                      "192.0.2.1", NULL});
}

static void test_refused(void **state) {
  (void)state;
  refused(NULL, (const char *[]){"Format", "nginx", NULL},
          "<Log \"web\">: Format \"nginx\" needs LogFormat");
  refused(NULL, (const char *[]){"Format", "apache", NULL},
          "Format \"apache\" needs LogFormat");
  refused(NULL, (const char *[]){"LogFormat", "$remote_addr", NULL},
          "LogFormat: only used with Format \"nginx\" or \"apache\", not "
          "\"combined\"");
  refused(NULL,
          (const char *[]){"Format", "apache", "Escape", "json", "LogFormat",
                           "%h", NULL},
          "Escape: only used with Format \"nginx\"");
  refused(NULL,
          (const char *[]){"Format", "nginx", "Escape", "xml", "LogFormat",
                           "$remote_addr", NULL},
          "Escape: unknown value \"xml\"");
  /* format-string errors name the option, the value and the position */
  refused(NULL,
          (const char *[]){"Format", "nginx", "LogFormat",
                           "$remote_addr $(status)", NULL},
          "<Log \"web\"> LogFormat \"$remote_addr $(status)\": unknown "
          "variable syntax at position 14");
  refused(
      NULL,
      (const char *[]){"Format", "apache", "LogFormat", "%h \"%r %>s", NULL},
      "LogFormat \"%h \"%r %>s\": unbalanced quotes: the \" at position "
      "4");
  refused(NULL, (const char *[]){"Format", "regex", NULL},
          "Format \"regex\" needs Regex");
  refused(NULL,
          (const char *[]){"Format", "regex", "Regex", "^(?<ip>\\S+)", NULL},
          "Regex \"^(?<ip>\\S+)\": the pattern has no named group "
          "(?<client>...)");
  refused(NULL, (const char *[]){"Format", "regex", "Regex", "(", NULL},
          "Regex \"(\":");
  refused(NULL, (const char *[]){"Format", "json", NULL},
          "Format \"json\" needs ClientField");
  refused(NULL, (const char *[]){"Format", "json", "ClientField", "a..b", NULL},
          "ClientField \"a..b\": path \"a..b\" has an empty component");
  refused(NULL, (const char *[]){"ClientField", "ip", NULL},
          "ClientField: only used with Format \"json\"");
  refused(NULL, (const char *[]){"Format", "jsonl", NULL},
          "Format: unknown value \"jsonl\"");
  refused(NULL, (const char *[]){"TrustedProxy", "10.0.0.1/8", NULL},
          "TrustedProxy: \"10.0.0.1/8\": address bits are set below the /8");
  refused((const char *[]){"TrustedProxy", "proxy.example", NULL}, NULL,
          "<Plugin attack_origin> TrustedProxy: \"proxy.example\" is not an "
          "address");
  refused(NULL, (const char *[]){"Format", "sshd", "Format", "nginx", NULL},
          "Format: given twice");
}

/* A Log without TrustedProxy uses the plugin block's; one with its own
 * list uses only that (nginx's set_real_ip_from inheritance). */
static void test_trusted_inheritance(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_err_t err = {{0}};
  assert_int_equal(apply(&cfg,
                         (const char *[]){"TrustedProxy", "10.0.0.0/8",
                                          "TrustedProxy", "192.0.2.0/24", NULL},
                         NULL, &err),
                   0);
  assert_int_equal(cfg.logs[0].trusted.n, 2);
  ao_config_free(&cfg);
  assert_int_equal(
      apply(&cfg, (const char *[]){"TrustedProxy", "10.0.0.0/8", NULL},
            (const char *[]){"TrustedProxy", "2001:db8::/32", NULL}, &err),
      0);
  assert_int_equal(cfg.logs[0].trusted.n, 1);
  ao_ip_t ip;
  assert_int_equal(ao_ip_parse("2001:db8::1", 11, &ip), 0);
  assert_true(ao_cidr_contains(cfg.logs[0].trusted.cidr, 1, &ip));
  ao_config_free(&cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accepted),
      cmocka_unit_test(test_refused),
      cmocka_unit_test(test_trusted_inheritance),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
