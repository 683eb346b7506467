/*
 * bench_json.c - the measurement behind the JSON parser choice (README,
 * "Structured JSON"): time per line and heap allocations per line for
 *   ao      ao_fmt_json: yajl with the arena allocator (what ships)
 *   yajl    yajl with its default malloc, a handle per line
 *   jsonc   json-c (a DOM parser), one tokener reused for every line
 *           (only when built with AO_BENCH_JSONC, `make bench-json`)
 * on a realistic Caddy access-log line.
 *
 *   bench_json MODE LINES
 * prints ns/line. Allocations: run it under valgrind with LINES=1 and
 * LINES=N and compare "total heap usage" (make bench-json does).
 */
#include "ao_fmt_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>
#ifdef AO_BENCH_JSONC
#include <json-c/json.h>
#endif

static const char line[] =
    "{\"level\":\"info\",\"ts\":1732788001.5241024,\"logger\":\"http.log."
    "access.log0\",\"msg\":\"handled request\",\"request\":{\"remote_ip\":"
    "\"172.71.190.23\",\"remote_port\":\"41342\",\"client_ip\":\"81.2.69.160\","
    "\"proto\":\"HTTP/2.0\",\"method\":\"GET\",\"host\":\"shop.example\","
    "\"uri\":\"/search?q=%27%20OR%201=1--\",\"headers\":{\"User-Agent\":["
    "\"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 "
    "Firefox/120.0\"],\"Accept\":[\"*/*\"],\"Accept-Language\":[\"en-US,en;"
    "q=0.5\"],\"X-Forwarded-For\":[\"81.2.69.160\"],\"Cf-Ray\":["
    "\"8a1b2c3d4e5f6a7b-AMS\"]},\"tls\":{\"resumed\":false,\"version\":772,"
    "\"cipher_suite\":4865,\"proto\":\"h2\",\"server_name\":\"shop.example\"}"
    "},\"bytes_read\":0,\"user_id\":\"\",\"duration\":0.000929675,\"size\":"
    "10900,\"status\":404,\"resp_headers\":{\"Server\":[\"Caddy\"],"
    "\"Content-Type\":[\"text/html; charset=utf-8\"]}}";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cb_any(void *ctx) {
  (void)ctx;
  return 1;
}
static int cb_bool(void *ctx, int b) {
  (void)ctx;
  (void)b;
  return 1;
}
static int cb_num(void *ctx, const char *s, size_t n) {
  (void)ctx;
  (void)s;
  (void)n;
  return 1;
}
static int cb_str(void *ctx, const unsigned char *s, size_t n) {
  (void)s;
  *(size_t *)ctx += n;
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: bench_json ao|yajl|jsonc LINES\n");
    return 2;
  }
  long lines = atol(argv[2]);
  size_t n = sizeof(line) - 1, sink = 0;
  double t0 = 0, t1 = 0;
  if (strcmp(argv[1], "ao") == 0) {
    ao_fmt_json_t *j =
        ao_fmt_json_create(AO_JSON_PRESET_CADDY, NULL, 65536, NULL, NULL);
    ao_record_t r;
    t0 = now();
    for (long i = 0; i < lines; i++) {
      if (ao_fmt_json_parse(j, line, n, &r) != 0)
        return 1;
      sink += r.addr.n + r.user_agent.n;
    }
    t1 = now();
    ao_fmt_json_destroy(j);
  } else if (strcmp(argv[1], "yajl") == 0) {
    yajl_callbacks cb = {cb_any, cb_bool, NULL,   NULL,   cb_num, cb_str,
                         cb_any, cb_str,  cb_any, cb_any, cb_any};
    t0 = now();
    for (long i = 0; i < lines; i++) {
      yajl_handle h = yajl_alloc(&cb, NULL, &sink);
      yajl_config(h, yajl_dont_validate_strings, 1);
      if (yajl_parse(h, (const unsigned char *)line, n) != yajl_status_ok ||
          yajl_complete_parse(h) != yajl_status_ok)
        return 1;
      yajl_free(h);
    }
    t1 = now();
#ifdef AO_BENCH_JSONC
  } else if (strcmp(argv[1], "jsonc") == 0) {
    json_tokener *tok = json_tokener_new();
    t0 = now();
    for (long i = 0; i < lines; i++) {
      json_tokener_reset(tok);
      json_object *o = json_tokener_parse_ex(tok, line, (int)n);
      json_object *req, *ip, *hdr, *ua;
      if (o == NULL || !json_object_object_get_ex(o, "request", &req) ||
          !json_object_object_get_ex(req, "client_ip", &ip) ||
          !json_object_object_get_ex(req, "headers", &hdr) ||
          !json_object_object_get_ex(hdr, "User-Agent", &ua))
        return 1;
      sink += strlen(json_object_get_string(ip));
      json_object_put(o);
    }
    t1 = now();
    json_tokener_free(tok);
#endif
  } else {
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
  }
  printf("%s: %ld lines, %.0f ns/line (%zu)\n", argv[1], lines,
         lines ? (t1 - t0) * 1e9 / (double)lines : 0.0, sink);
  return 0;
}
