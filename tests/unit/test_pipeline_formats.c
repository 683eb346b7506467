/*
 * test_pipeline_formats.c - the new formats through a whole pipeline
 * (ao_pipeline_line): the client behind trusted proxies is what gets
 * geolocated and counted, sshd's repeated messages count N attacks, other
 * programs' lines are ignored rather than unparsed, Format combined reads
 * nginx main's trailing "$http_x_forwarded_for".
 */
#include "ao_test.h"

#include "ao_pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ao_country_t cc(const char *code) {
  ao_country_t c;
  assert_int_equal(ao_country_from_code(code, 2, &c), 0);
  return c;
}

/* A pipeline of one Log with the given options ({key, value}, NULL-ended)
 * and plugin options; scan-only (no file). */
static ao_pipeline_t *mk(ao_config_t *cfg, const char *const *popt,
                         const char *const *lopt) {
  char *db = ao_test_data("test-country.mmdb");
  ao_test_require(db, "test-country.mmdb");
  ao_value_t vals[40];
  ao_conf_node_t lk[16], pk[16];
  size_t nv = 0, nl = 0, np = 0;
  for (size_t i = 0; lopt != NULL && lopt[i] != NULL; i += 2) {
    vals[nv] = (ao_value_t){.type = AO_VAL_STRING, .s = lopt[i + 1]};
    lk[nl++] = (ao_conf_node_t){lopt[i], &vals[nv++], 1, NULL, 0};
  }
  for (size_t i = 0; popt != NULL && popt[i] != NULL; i += 2) {
    vals[nv] = (ao_value_t){.type = AO_VAL_STRING, .s = popt[i + 1]};
    pk[np++] = (ao_conf_node_t){popt[i], &vals[nv++], 1, NULL, 0};
  }
  vals[nv] = (ao_value_t){.type = AO_VAL_STRING, .s = db};
  pk[np++] = (ao_conf_node_t){"GeoIPDatabase", &vals[nv++], 1, NULL, 0};
  vals[nv] = (ao_value_t){.type = AO_VAL_STRING, .s = "web"};
  pk[np++] = (ao_conf_node_t){"Log", &vals[nv++], 1, lk, nl};
  ao_conf_node_t root = {"Plugin", NULL, 0, pk, np};
  ao_config_init(cfg);
  cfg->files_from_caller = 1;
  ao_err_t err = {{0}};
  if (ao_config_apply(cfg, &root, &err) != 0 ||
      ao_config_finish(cfg, &err) != 0)
    fail_msg("config: %s", err.msg);
  free(db);
  ao_pipeline_t *p = ao_pipeline_create(cfg, &cfg->logs[0], 0, &err);
  if (p == NULL)
    fail_msg("pipeline: %s", err.msg);
  return p;
}

static ao_verdict_t feed(ao_pipeline_t *p, const char *line) {
  ao_verdict_t v;
  ao_pipeline_line(p, line, strlen(line), &v);
  return v;
}

static void test_xff_nginx(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_pipeline_t *p =
      mk(&cfg, (const char *[]){"TrustedProxy", "10.0.0.0/8", NULL},
         (const char *[]){"Format", "nginx", "LogFormat",
                          "$remote_addr [$time_local] \"$request\" $status "
                          "\"$http_x_forwarded_for\"",
                          NULL});
  /* behind our proxy: the client in the header (SE), not the proxy (ZZ) */
  ao_verdict_t v = feed(p, "10.0.0.5 [10/Oct/2023:13:55:36 +0000] \"GET "
                           "/.env HTTP/1.1\" 404 \"6.6.6.6, 89.160.20.112\"");
  assert_true(v.cats != 0);
  assert_int_equal(v.country, cc("SE"));
  /* straight from the internet: the header is the attacker's, ignored */
  v = feed(p, "81.2.69.160 [10/Oct/2023:13:55:36 +0000] \"GET /.env "
              "HTTP/1.1\" 404 \"89.160.20.112\"");
  assert_int_equal(v.country, cc("GB"));
  /* garbage behind the proxy: unknown client, ZZ, addresses_invalid */
  v = feed(p, "10.0.0.5 [10/Oct/2023:13:55:36 +0000] \"GET /.env HTTP/1.1\" "
              "404 \"unknown\"");
  assert_int_equal(v.country, AO_COUNTRY_ZZ);
  assert_false(v.addr_valid);
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.addresses_invalid, 1);
  const ao_counts_t *c = ao_pipeline_counts(p);
  assert_int_equal(c->attacks[cc("SE")], 1);
  assert_int_equal(c->attacks[cc("GB")], 1);
  assert_int_equal(c->total, 3);
  ao_pipeline_destroy(p);
  ao_config_free(&cfg);
}

/* Format combined with nginx main's trailing "$http_x_forwarded_for". */
static void test_xff_combined_main(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_pipeline_t *p =
      mk(&cfg, NULL, (const char *[]){"TrustedProxy", "10.0.0.0/8", NULL});
  ao_verdict_t v = feed(p, "10.0.0.5 - - [10/Oct/2023:13:55:36 +0000] \"GET "
                           "/.git/config HTTP/1.1\" 404 1 \"-\" \"curl\" "
                           "\"216.160.83.56\"");
  assert_true(v.cats != 0);
  assert_int_equal(v.country, cc("US"));
  ao_pipeline_destroy(p);
  ao_config_free(&cfg);
}

static void test_json_caddy(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_pipeline_t *p = mk(&cfg, NULL, (const char *[]){"Format", "caddy", NULL});
  ao_verdict_t v = feed(
      p, "{\"level\":\"info\",\"ts\":1.5,\"msg\":\"handled request\","
         "\"request\":{\"remote_ip\":\"10.0.0.1\",\"client_ip\":"
         "\"202.196.224.1\",\"proto\":\"HTTP/1.1\",\"method\":\"GET\","
         "\"host\":\"x\",\"uri\":\"/?id=1%27%20UNION%20SELECT%20password%20"
         "FROM%20users--\",\"headers\":{\"User-Agent\":[\"Mozilla/5.0\"]}},"
         "\"status\":200}");
  assert_true(v.cats & AO_CAT_BIT(AO_CAT_SQLI));
  assert_int_equal(v.country, cc("PH"));
  ao_pipeline_destroy(p);
  ao_config_free(&cfg);
}

static void test_sshd_counts(void **state) {
  (void)state;
  ao_config_t cfg;
  ao_pipeline_t *p = mk(&cfg, NULL, (const char *[]){"Format", "sshd", NULL});
  ao_verdict_t v = feed(p, "Mar 30 02:06:40 h sshd[300]: pam_unix(sshd:auth): "
                           "authentication failure; logname= uid=0 euid=0 "
                           "tty=ssh ruser= rhost=81.2.69.160  user=root");
  assert_int_equal(v.attacks, 1);
  v = feed(p, "Mar 30 02:06:42 h sshd[300]: Failed password for root from "
              "81.2.69.160 port 50011 ssh2");
  assert_int_equal(v.cats, 0);
  v = feed(p, "Mar 30 02:06:53 h sshd[300]: message repeated 5 times: [ "
              "Failed password for root from 81.2.69.160 port 50011 ssh2]");
  assert_int_equal(v.cats, AO_CAT_BIT(AO_CAT_AUTH));
  assert_int_equal(v.attacks, 5);
  v = feed(p, "Mar 30 02:06:53 h CRON[301]: pam_unix(cron:session): session "
              "opened for user root by (uid=0)");
  assert_true(v.ignored);
  v = feed(p, "Mar 30 02:07:00 h sshd[302]: Did not receive identification "
              "string from 89.160.20.112 port 4444");
  assert_int_equal(v.cats, AO_CAT_BIT(AO_CAT_SCANNER));
  assert_int_equal(v.country, cc("SE"));
  v = feed(p, "Mar 30 02:07:01 h sshd[303]: Accepted password for u from "
              "81.2.69.160 port 5 ssh2");
  assert_int_equal(v.cats, 0);
  const ao_counts_t *c = ao_pipeline_counts(p);
  assert_int_equal(c->attacks[cc("GB")], 6);
  assert_int_equal(c->by_cat[cc("GB")][AO_CAT_AUTH], 6);
  assert_int_equal(c->attacks[cc("SE")], 1);
  ao_health_t h;
  ao_pipeline_health(p, &h);
  assert_int_equal(h.lines_ignored, 1);
  assert_int_equal(h.lines_unparsed, 0);
  ao_pipeline_destroy(p);
  ao_config_free(&cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_xff_nginx),
      cmocka_unit_test(test_xff_combined_main),
      cmocka_unit_test(test_json_caddy),
      cmocka_unit_test(test_sshd_counts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
