/*
 * test_fmt_json.c - JSON access logs (ao_fmt_json): Caddy's and Traefik's
 * default JSON access logs (sample lines written the way those servers
 * write them), custom paths, arrays, escapes, malformed lines.
 * Parses run on exact-size heap copies.
 */
#include "ao_test.h"

#include "ao_fmt_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Caddy 2.7 `log` with the default json encoder: one object per request. */
static const char caddy_line[] =
    "{\"level\":\"info\",\"ts\":1732788001.5241024,\"logger\":\"http.log."
    "access.log0\",\"msg\":\"handled request\",\"request\":{\"remote_ip\":"
    "\"172.71.190.23\",\"remote_port\":\"41342\",\"client_ip\":\"81.2.69.160\","
    "\"proto\":\"HTTP/2.0\",\"method\":\"GET\",\"host\":\"shop.example\","
    "\"uri\":\"/search?q=%27%20OR%201=1--\",\"headers\":{\"User-Agent\":["
    "\"sqlmap/1.7.2#stable (https://sqlmap.org)\"],\"Accept\":[\"*/*\"],"
    "\"X-Forwarded-For\":[\"81.2.69.160\"],\"Cf-Connecting-Ip\":["
    "\"81.2.69.160\"]},\"tls\":{\"resumed\":false,\"version\":772,"
    "\"cipher_suite\":4865,\"proto\":\"h2\",\"server_name\":\"shop.example\"}"
    "},\"bytes_read\":0,\"user_id\":\"\",\"duration\":0.000929675,\"size\":"
    "10900,\"status\":404,\"resp_headers\":{\"Server\":[\"Caddy\"],"
    "\"Content-Type\":[\"text/html; charset=utf-8\"]}}";

/* Caddy before 2.7 had no client_ip. */
static const char caddy_old_line[] =
    "{\"level\":\"info\",\"ts\":1646861401.52,\"logger\":\"http.log.access\","
    "\"msg\":\"handled request\",\"request\":{\"remote_ip\":\"89.160.20.112\","
    "\"remote_port\":\"5555\",\"proto\":\"HTTP/1.1\",\"method\":\"POST\","
    "\"host\":\"a.example\",\"uri\":\"/wp-login.php\",\"headers\":{"
    "\"User-Agent\":[\"Mozilla/5.0\"],\"Referer\":[\"https://a.example/\"]}},"
    "\"user_id\":\"\",\"duration\":0.01,\"size\":0,\"status\":401,"
    "\"resp_headers\":{}}";

/* Traefik v2/v3 accessLog format=json, headers kept for User-Agent and
 * X-Forwarded-For (fields.headers.names). */
static const char traefik_line[] =
    "{\"ClientAddr\":\"216.160.83.56:52742\",\"ClientHost\":\"216.160.83.56\","
    "\"ClientPort\":\"52742\",\"ClientUsername\":\"-\","
    "\"DownstreamContentSize\":19,\"DownstreamStatus\":403,\"Duration\":"
    "1234567,\"OriginContentSize\":19,\"OriginDuration\":1000,"
    "\"OriginStatus\":403,\"Overhead\":1234,\"RequestAddr\":\"api.example\","
    "\"RequestContentSize\":0,\"RequestCount\":12,\"RequestHost\":"
    "\"api.example\",\"RequestMethod\":\"GET\",\"RequestPath\":\"/.env\","
    "\"RequestPort\":\"-\",\"RequestProtocol\":\"HTTP/1.1\",\"RequestScheme\":"
    "\"http\",\"RetryAttempts\":0,\"RouterName\":\"api@docker\","
    "\"StartLocal\":\"2026-11-28T10:00:00.1+01:00\",\"StartUTC\":"
    "\"2026-11-28T09:00:00.1Z\",\"entryPointName\":\"web\",\"level\":\"info\","
    "\"msg\":\"\",\"request_User-Agent\":\"zgrab/0.x\","
    "\"request_X-Forwarded-For\":\"10.9.9.9\",\"time\":"
    "\"2026-11-28T10:00:00+01:00\"}";

static ao_fmt_json_t *mk(ao_json_preset_t preset, const char *const *paths) {
  ao_err_t err = {{0}};
  ao_fmt_json_t *j = ao_fmt_json_create(preset, paths, 65536, NULL, &err);
  if (j == NULL)
    fail_msg("create: %s", err.msg);
  return j;
}

static int parse(ao_fmt_json_t *j, const char *line, ao_record_t *r,
                 char **copy) {
  size_t n = strlen(line);
  *copy = malloc(n ? n : 1);
  assert_non_null(*copy);
  memcpy(*copy, line, n);
  return ao_fmt_json_parse(j, *copy, n, r);
}

static void expect(const char *what, ao_slice_t got, const char *want) {
  if (want == NULL)
    want = "";
  if (got.n != strlen(want) || (got.n > 0 && memcmp(got.p, want, got.n) != 0))
    fail_msg("%s is \"%.*s\", expected \"%s\"", what, (int)got.n, got.p, want);
}

static void test_caddy(void **state) {
  (void)state;
  ao_fmt_json_t *j = mk(AO_JSON_PRESET_CADDY, NULL);
  ao_record_t r;
  char *c;
  assert_int_equal(parse(j, caddy_line, &r, &c), 0);
  expect("addr", r.addr, "81.2.69.160");
  expect("xff", r.xff, "81.2.69.160");
  expect("method", r.method, "GET");
  expect("target", r.target, "/search?q=%27%20OR%201=1--");
  expect("agent", r.user_agent, "sqlmap/1.7.2#stable (https://sqlmap.org)");
  expect("host", r.host, "shop.example");
  expect("protocol", r.protocol, "HTTP/2.0");
  expect("time", r.time, "1732788001.5241024");
  assert_int_equal(r.status, 404);
  free(c);
  assert_int_equal(parse(j, caddy_old_line, &r, &c), 0);
  expect("addr (remote_ip fallback)", r.addr, "89.160.20.112");
  expect("referer", r.referer, "https://a.example/");
  assert_int_equal(r.status, 401);
  free(c);
  ao_fmt_json_destroy(j);

  /* the user's ClientField replaces the preset's (and its fallback) */
  const char *paths[AO_JF_COUNT] = {[AO_JF_CLIENT] = "request.remote_ip"};
  j = mk(AO_JSON_PRESET_CADDY, paths);
  assert_int_equal(parse(j, caddy_line, &r, &c), 0);
  expect("addr", r.addr, "172.71.190.23");
  expect("agent (preset kept)", r.user_agent,
         "sqlmap/1.7.2#stable (https://sqlmap.org)");
  free(c);
  ao_fmt_json_destroy(j);
}

static void test_traefik(void **state) {
  (void)state;
  ao_fmt_json_t *j = mk(AO_JSON_PRESET_TRAEFIK, NULL);
  ao_record_t r;
  char *c;
  assert_int_equal(parse(j, traefik_line, &r, &c), 0);
  expect("addr", r.addr, "216.160.83.56");
  expect("xff", r.xff, "10.9.9.9");
  expect("target", r.target, "/.env");
  expect("agent", r.user_agent, "zgrab/0.x");
  expect("host", r.host, "api.example");
  expect("time", r.time, "2026-11-28T09:00:00.1Z");
  assert_int_equal(r.status, 403);
  free(c);
  ao_fmt_json_destroy(j);
}

static void test_custom_paths(void **state) {
  (void)state;
  const char *paths[AO_JF_COUNT] = {
      [AO_JF_CLIENT] = "http.client\\.ip",
      [AO_JF_XFF] = "h.xff",
      [AO_JF_REQUEST] = "req",
      [AO_JF_STATUS] = "st",
      [AO_JF_AGENT] = "h.ua",
  };
  ao_fmt_json_t *j = mk(AO_JSON_PRESET_NONE, paths);
  ao_record_t r;
  char *c;
  /* arrays are joined in order; \u escapes and surrogate pairs decode */
  assert_int_equal(
      parse(j,
            "{\"http\":{\"client.ip\":\"2001:218::1\",\"other\":[1,{\"a\":"
            "[]}]},\"req\":\"GET /a\\u0027b\\/c HTTP/1.1\",\"st\":\"500\","
            "\"h\":{\"xff\":[\"1.1.1.1, 2.2.2.2\",\"3.3.3.3\"],\"ua\":"
            "[\"\\ud83d\\ude00 x\\\"y\"]},\"z\":null,\"b\":true}",
            &r, &c),
      0);
  expect("addr", r.addr, "2001:218::1");
  expect("target", r.target, "/a'b/c");
  expect("xff", r.xff, "1.1.1.1, 2.2.2.2, 3.3.3.3");
  expect("agent", r.user_agent, "\xf0\x9f\x98\x80 x\"y");
  assert_int_equal(r.status, 500);
  free(c);
  /* a key at the wrong depth is not the field */
  assert_int_equal(parse(j, "{\"client.ip\":\"1.2.3.4\"}", &r, &c), -1);
  free(c);
  ao_fmt_json_destroy(j);
}

static void test_malformed(void **state) {
  (void)state;
  const char *paths[AO_JF_COUNT] = {[AO_JF_CLIENT] = "ip"};
  ao_fmt_json_t *j = mk(AO_JSON_PRESET_NONE, paths);
  const char *bad[] = {
      "",
      "not json",
      "{\"ip\":\"1.2.3.4\"} trailing",
      "{\"ip\":\"1.2.3.4\"}{\"ip\":\"1.2.3.5\"}",
      "[{\"ip\":\"1.2.3.4\"}]",
      "{\"ip\":\"1.2.3.4\"",
      "{\"ip\":\"1.2.3.4}",
      "{\"ip\":1.2.3.4}",
      "{\"ip\" \"1.2.3.4\"}",
      "{\"x\":\"1.2.3.4\"}", /* no client field */
      "{\"ip\":null}",
      "{\"ip\":\"-\"}",
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(bad); i++) {
    ao_record_t r;
    char *c;
    if (parse(j, bad[i], &r, &c) != -1)
      fail_msg("case %zu parsed: %s", i, bad[i]);
    free(c);
  }
  /* deeper than AO_JSON_MAX_DEPTH levels: refused, without growing */
  char deep[256];
  size_t o = 0;
  o += (size_t)snprintf(deep + o, sizeof(deep) - o,
                        "{\"ip\":\"1.2.3.4\",\"d\":");
  for (int k = 0; k < 40; k++)
    deep[o++] = '[';
  for (int k = 0; k < 40; k++)
    deep[o++] = ']';
  deep[o++] = '}';
  deep[o] = '\0';
  ao_record_t r;
  char *c;
  assert_int_equal(parse(j, deep, &r, &c), -1);
  free(c);
  /* and the parser is fine afterwards; invalid UTF-8 is only bytes */
  assert_int_equal(parse(j, "{\"ip\":\"1.2.3.4\",\"u\":\"\xff\xfe\"}", &r, &c),
                   0);
  expect("addr", r.addr, "1.2.3.4");
  free(c);
  ao_fmt_json_destroy(j);
}

static void test_path_errors(void **state) {
  (void)state;
  struct {
    const char *path;
    const char *want;
  } cases[] = {
      {"", "empty path"},
      {"a..b", "empty component at position 3"},
      {".a", "empty component at position 1"},
      {"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q", "deeper than 16"},
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(cases); i++) {
    const char *paths[AO_JF_COUNT] = {
        [AO_JF_CLIENT] = "ip", [AO_JF_AGENT] = cases[i].path};
    ao_err_t err = {{0}};
    int bad = -1;
    ao_fmt_json_t *j =
        ao_fmt_json_create(AO_JSON_PRESET_NONE, paths, 1024, &bad, &err);
    assert_null(j);
    assert_int_equal(bad, AO_JF_AGENT);
    if (strstr(err.msg, cases[i].want) == NULL)
      fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, cases[i].want);
  }
  ao_err_t err = {{0}};
  int bad = -1;
  assert_null(ao_fmt_json_create(AO_JSON_PRESET_NONE, NULL, 1024, &bad, &err));
  assert_int_equal(bad, AO_JF_CLIENT);
}

/* A long line with a long escaped string: the arena holds yajl's buffers. */
static void test_long_line(void **state) {
  (void)state;
  const char *paths[AO_JF_COUNT] = {
      [AO_JF_CLIENT] = "ip", [AO_JF_AGENT] = "ua"};
  ao_err_t err = {{0}};
  ao_fmt_json_t *j =
      ao_fmt_json_create(AO_JSON_PRESET_NONE, paths, 65536, NULL, &err);
  assert_non_null(j);
  size_t n = 65000;
  char *line = malloc(n + 1);
  size_t o = (size_t)snprintf(line, n, "{\"ip\":\"1.2.3.4\",\"ua\":\"");
  while (o + 10 < n) {
    line[o] = (o % 3 == 0) ? '\\' : (o % 3 == 1) ? 'n' : 'a';
    o++;
  }
  if (line[o - 1] == '\\')
    o--;
  line[o++] = '"';
  line[o++] = '}';
  ao_record_t r;
  for (int round = 0; round < 3; round++)
    assert_int_equal(ao_fmt_json_parse(j, line, o, &r), 0);
  assert_true(r.user_agent.n > 30000);
  free(line);
  ao_fmt_json_destroy(j);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_caddy),        cmocka_unit_test(test_traefik),
      cmocka_unit_test(test_custom_paths), cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_path_errors),  cmocka_unit_test(test_long_line),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
