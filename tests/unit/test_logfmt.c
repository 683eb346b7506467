/*
 * test_logfmt.c - the combined/common access-log parsers (ao_logfmt).
 *
 * Good lines as nginx and Apache write them, hostile lines (reliability
 * matrix D1, D2, D4, D6), 64 KiB lines that would make a backtracking
 * parser blow up, and every line of two public access logs when
 * AO_SHARED_DATA is set.
 *
 * Every parse in this file runs on an exact-size heap copy of the line, so
 * valgrind or ASan reports any read past n.
 */
#include "ao_test.h"

#include "ao_common.h"
#include "ao_ip.h"
#include "ao_logfmt.h"
#include "ao_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMBINED AO_FMT_COMBINED
#define COMMON AO_FMT_COMMON
/* A line literal with its exact length (lines may contain NUL bytes). */
#define LINE(s) .line = s, .n = sizeof(s) - 1
#define ESC AO_REC_ESCAPED
#define NOT_HTTP AO_REC_NOT_HTTP

/* Parses line[0..n) from an exact-size heap copy, returned in *copy: the
 * record's slices point into it, so the caller frees it after checking. */
static int parse_copy(ao_format_id_t fmt, const char *line, size_t n,
                      ao_record_t *rec, char **copy) {
  ao_parser_t *p = ao_parser_create(fmt, NULL);
  assert_non_null(p);
  *copy = malloc(n > 0 ? n : 1);
  assert_non_null(*copy);
  if (n > 0)
    memcpy(*copy, line, n);
  int rc = ao_parser_parse(p, *copy, n, rec);
  ao_parser_destroy(p);
  return rc;
}

/* Whether slice s is exactly the C string want (NULL meaning empty). */
static int slice_is(ao_slice_t s, const char *want) {
  if (want == NULL)
    want = "";
  return s.p != NULL && s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

static void expect_slice(size_t row, const char *name, ao_slice_t got,
                         const char *want) {
  if (!slice_is(got, want))
    fail_msg("row %zu: %s is \"%.*s\", expected \"%s\"", row, name, (int)got.n,
             got.p != NULL ? got.p : "(null)", want != NULL ? want : "");
}

/* ------------------------------------------------------------------------ */
/* Good lines                                                               */
/* ------------------------------------------------------------------------ */

typedef struct good_case {
  ao_format_id_t fmt;
  const char *line;
  size_t n;
  const char *addr, *time, *request, *method, *target, *protocol;
  const char *referer, *ua; /* NULL: expected empty */
  int status;
  unsigned flags;
  int ip_bad;        /* the address field is not an IP address */
  int prefixes_fail; /* no proper prefix of the line parses */
} good_case_t;

static const good_case_t good_cases[] = {
    /* nginx combined: GET with a query string, referer and browser UA */
    {COMBINED,
     LINE(
         "203.0.113.7 - - [10/Oct/2023:13:55:36 +0000] \"GET "
         "/search?q=shoes&page=2 HTTP/1.1\" 200 5123 \"https://shop.example/\" "
         "\"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 "
         "Firefox/115.0\""),
     .addr = "203.0.113.7", .time = "10/Oct/2023:13:55:36 +0000",
     .request = "GET /search?q=shoes&page=2 HTTP/1.1", .method = "GET",
     .target = "/search?q=shoes&page=2", .protocol = "HTTP/1.1",
     .referer = "https://shop.example/",
     .ua = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 "
           "Firefox/115.0",
     .status = 200, .prefixes_fail = 1},
    /* nginx: POST, size 0, "-" referer becomes empty */
    {COMBINED,
     LINE("198.51.100.23 - - [10/Oct/2023:13:55:37 +0000] \"POST "
          "/wp-login.php HTTP/1.1\" 302 0 \"-\" \"python-requests/2.31.0\""),
     .addr = "198.51.100.23", .time = "10/Oct/2023:13:55:37 +0000",
     .request = "POST /wp-login.php HTTP/1.1", .method = "POST",
     .target = "/wp-login.php", .protocol = "HTTP/1.1",
     .ua = "python-requests/2.31.0", .status = 302, .prefixes_fail = 1},
    /* nginx: IPv6 client */
    {COMBINED,
     LINE("2001:db8:85a3::8a2e:370:7334 - - [10/Oct/2023:13:55:38 +0000] "
          "\"GET /robots.txt HTTP/1.1\" 404 153 \"-\" \"Mozilla/5.0 "
          "(compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)\""),
     .addr = "2001:db8:85a3::8a2e:370:7334",
     .time = "10/Oct/2023:13:55:38 +0000",
     .request = "GET /robots.txt HTTP/1.1", .method = "GET",
     .target = "/robots.txt", .protocol = "HTTP/1.1",
     .ua = "Mozilla/5.0 (compatible; bingbot/2.0; "
           "+http://www.bing.com/bingbot.htm)",
     .status = 404, .prefixes_fail = 1},
    /* nginx: HTTP/2.0 as $request writes it */
    {COMBINED,
     LINE("192.0.2.10 - - [10/Oct/2023:13:55:39 +0000] \"GET /static/app.js "
          "HTTP/2.0\" 200 48213 \"https://www.example.com/\" \"Mozilla/5.0 "
          "(iPhone; CPU iPhone OS 17_0 like Mac OS X)\""),
     .addr = "192.0.2.10", .time = "10/Oct/2023:13:55:39 +0000",
     .request = "GET /static/app.js HTTP/2.0", .method = "GET",
     .target = "/static/app.js", .protocol = "HTTP/2.0",
     .referer = "https://www.example.com/",
     .ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
     .status = 200, .prefixes_fail = 1},
    /* Apache manual's example: a user, -0700, HTTP/1.0, 304 with size "-" */
    {COMBINED,
     LINE("192.0.2.44 - frank [10/Oct/2000:13:55:36 -0700] \"GET "
          "/apache_pb.gif HTTP/1.0\" 304 - \"http://www.example.com/"
          "start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\""),
     .addr = "192.0.2.44", .time = "10/Oct/2000:13:55:36 -0700",
     .request = "GET /apache_pb.gif HTTP/1.0", .method = "GET",
     .target = "/apache_pb.gif", .protocol = "HTTP/1.0",
     .referer = "http://www.example.com/start.html",
     .ua = "Mozilla/4.08 [en] (Win98; I ;Nav)", .status = 304,
     .prefixes_fail = 1},
    /* nginx: \x22 escapes in request and UA, kept as logged */
    {COMBINED,
     LINE("203.0.113.50 - - [10/Oct/2023:14:01:02 +0000] \"GET "
          "/item.php?id=1\\x22%20OR%20\\x221\\x22=\\x221 HTTP/1.1\" 200 931 "
          "\"-\" \"sqlmap/1.7.2#stable \\x22x\\x22\""),
     .addr = "203.0.113.50", .time = "10/Oct/2023:14:01:02 +0000",
     .request = "GET /item.php?id=1\\x22%20OR%20\\x221\\x22=\\x221 HTTP/1.1",
     .method = "GET", .target = "/item.php?id=1\\x22%20OR%20\\x221\\x22=\\x221",
     .protocol = "HTTP/1.1", .ua = "sqlmap/1.7.2#stable \\x22x\\x22",
     .status = 200, .flags = ESC, .prefixes_fail = 1},
    /* Apache: \" escapes in request and UA */
    {COMBINED,
     LINE("192.0.2.77 - - [10/Oct/2023:14:02:03 +0200] \"GET "
          "/search?q=\\\"><script>alert(1)</script> HTTP/1.1\" 404 209 \"-\" "
          "\"Mozilla/5.0 \\\"Nikto\\\"\""),
     .addr = "192.0.2.77", .time = "10/Oct/2023:14:02:03 +0200",
     .request = "GET /search?q=\\\"><script>alert(1)</script> HTTP/1.1",
     .method = "GET", .target = "/search?q=\\\"><script>alert(1)</script>",
     .protocol = "HTTP/1.1", .ua = "Mozilla/5.0 \\\"Nikto\\\"", .status = 404,
     .flags = ESC, .prefixes_fail = 1},
    /* nginx: TLS ClientHello on a plain-HTTP port, 400 */
    {COMBINED,
     LINE("198.51.100.9 - - [10/Oct/2023:14:03:04 +0000] "
          "\"\\x16\\x03\\x01\\x00\\xA5\\x01\\x00\\x00\\xA1\\x03\\x03\" 400 157 "
          "\"-\" \"-\""),
     .addr = "198.51.100.9", .time = "10/Oct/2023:14:03:04 +0000",
     .request = "\\x16\\x03\\x01\\x00\\xA5\\x01\\x00\\x00\\xA1\\x03\\x03",
     .status = 400, .flags = ESC | NOT_HTTP, .prefixes_fail = 1},
    /* nginx: SOCKS5 greeting, 400 */
    {COMBINED,
     LINE("198.51.100.9 - - [10/Oct/2023:14:03:05 +0000] \"\\x05\\x01\\x00\" "
          "400 157 \"-\" \"-\""),
     .addr = "198.51.100.9", .time = "10/Oct/2023:14:03:05 +0000",
     .request = "\\x05\\x01\\x00", .status = 400, .flags = ESC | NOT_HTTP,
     .prefixes_fail = 1},
    /* nginx: connection closed before any request: "-", 400 */
    {COMBINED,
     LINE("198.51.100.9 - - [10/Oct/2023:14:03:06 +0000] \"-\" 400 0 \"-\" "
          "\"-\""),
     .addr = "198.51.100.9", .time = "10/Oct/2023:14:03:06 +0000",
     .status = 400, .flags = NOT_HTTP, .prefixes_fail = 1},
    /* nginx: an empty (found but empty) request: "", 400 */
    {COMBINED,
     LINE("198.51.100.9 - - [10/Oct/2023:14:03:07 +0000] \"\" 400 0 \"-\" "
          "\"-\""),
     .addr = "198.51.100.9", .time = "10/Oct/2023:14:03:07 +0000",
     .status = 400, .flags = NOT_HTTP, .prefixes_fail = 1},
    /* Apache common: request timeout before a request, 408 with size "-" */
    {COMMON, LINE("192.0.2.15 - - [10/Oct/2023:14:03:08 +0000] \"-\" 408 -"),
     .addr = "192.0.2.15", .time = "10/Oct/2023:14:03:08 +0000", .status = 408,
     .flags = NOT_HTTP},
    /* old Apache (< 2.0.46): raw quotes inside %r are kept in the target */
    {COMBINED,
     LINE("192.0.2.80 - - [12/Mar/2002:09:15:01 -0500] \"GET "
          "/cgi-bin/search.cgi?q=\"hello\" HTTP/1.0\" 200 1043 \"-\" "
          "\"Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)\""),
     .addr = "192.0.2.80", .time = "12/Mar/2002:09:15:01 -0500",
     .request = "GET /cgi-bin/search.cgi?q=\"hello\" HTTP/1.0", .method = "GET",
     .target = "/cgi-bin/search.cgi?q=\"hello\"", .protocol = "HTTP/1.0",
     .ua = "Mozilla/4.0 (compatible; MSIE 5.5; Windows 98)", .status = 200,
     .prefixes_fail = 1},
    /* old Apache: a raw quote followed by a space and text, then the end */
    {COMBINED,
     LINE("192.0.2.80 - - [12/Mar/2002:09:15:02 -0500] \"GET /a\" b "
          "HTTP/1.0\" 404 210 \"-\" \"-\""),
     .addr = "192.0.2.80", .time = "12/Mar/2002:09:15:02 -0500",
     .request = "GET /a\" b HTTP/1.0", .method = "GET", .target = "/a\" b",
     .protocol = "HTTP/1.0", .status = 404, .prefixes_fail = 1},
    /* nginx `main`: trailing "$http_x_forwarded_for" is ignored */
    {COMBINED,
     LINE("203.0.113.7 - - [10/Oct/2023:13:55:40 +0000] \"GET / HTTP/1.1\" "
          "200 612 \"-\" \"curl/8.4.0\" \"198.51.100.1, 10.0.0.2\""),
     .addr = "203.0.113.7", .time = "10/Oct/2023:13:55:40 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .ua = "curl/8.4.0", .status = 200},
    /* nginx `main` with no X-Forwarded-For: trailing "-" */
    {COMBINED,
     LINE("203.0.113.7 - - [10/Oct/2023:13:55:41 +0000] \"HEAD / HTTP/1.1\" "
          "200 0 \"-\" \"-\" \"-\""),
     .addr = "203.0.113.7", .time = "10/Oct/2023:13:55:41 +0000",
     .request = "HEAD / HTTP/1.1", .method = "HEAD", .target = "/",
     .protocol = "HTTP/1.1", .status = 200},
    /* custom format: unquoted and quoted timing fields after the UA */
    {COMBINED,
     LINE("203.0.113.7 - - [10/Oct/2023:13:55:42 +0000] \"GET /api "
          "HTTP/1.1\" 200 17 \"-\" \"Go-http-client/1.1\" rt=0.002 "
          "uct=\"0.000\" \\x22junk"),
     .addr = "203.0.113.7", .time = "10/Oct/2023:13:55:42 +0000",
     .request = "GET /api HTTP/1.1", .method = "GET", .target = "/api",
     .protocol = "HTTP/1.1", .ua = "Go-http-client/1.1", .status = 200},
    /* D2: Apache-escaped fake fields in the UA; status is the real 404 */
    {COMBINED,
     LINE("192.0.2.99 - - [10/Oct/2023:14:05:00 +0000] \"GET / HTTP/1.1\" "
          "404 10 \"-\" \"x\\\" 200 999 \\\"-\\\" \\\"y\""),
     .addr = "192.0.2.99", .time = "10/Oct/2023:14:05:00 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .ua = "x\\\" 200 999 \\\"-\\\" \\\"y",
     .status = 404, .flags = ESC, .prefixes_fail = 1},
    /* D1: the same fake, nginx-escaped */
    {COMBINED,
     LINE("192.0.2.99 - - [10/Oct/2023:14:05:01 +0000] \"GET / HTTP/1.1\" "
          "404 10 \"-\" \"x\\x22 200 999 \\x22-\\x22 \\x22y\""),
     .addr = "192.0.2.99", .time = "10/Oct/2023:14:05:01 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .ua = "x\\x22 200 999 \\x22-\\x22 \\x22y",
     .status = 404, .flags = ESC, .prefixes_fail = 1},
    /* D2: an Apache-escaped fake end of request inside the request */
    {COMBINED,
     LINE("192.0.2.99 - - [10/Oct/2023:14:05:02 +0000] \"GET /x\\\" 200 1 "
          "\\\"-\\\" \\\"y HTTP/1.1\" 403 5 \"-\" \"-\""),
     .addr = "192.0.2.99", .time = "10/Oct/2023:14:05:02 +0000",
     .request = "GET /x\\\" 200 1 \\\"-\\\" \\\"y HTTP/1.1", .method = "GET",
     .target = "/x\\\" 200 1 \\\"-\\\" \\\"y", .protocol = "HTTP/1.1",
     .status = 403, .flags = ESC, .prefixes_fail = 1},
    /* D2: fake fields in the referer do not move the UA or the status */
    {COMBINED,
     LINE("192.0.2.99 - - [10/Oct/2023:14:05:03 +0000] \"GET / HTTP/1.1\" "
          "200 10 \"a\\\" \\\"b\\\" 500 1 \\\"\" \"real-ua\""),
     .addr = "192.0.2.99", .time = "10/Oct/2023:14:05:03 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .referer = "a\\\" \\\"b\\\" 500 1 \\\"",
     .ua = "real-ua", .status = 200, .flags = ESC, .prefixes_fail = 1},
    /* Apache common, the manual's example */
    {COMMON,
     LINE("192.0.2.44 - frank [10/Oct/2000:13:55:36 -0700] \"GET "
          "/apache_pb.gif HTTP/1.0\" 200 2326"),
     .addr = "192.0.2.44", .time = "10/Oct/2000:13:55:36 -0700",
     .request = "GET /apache_pb.gif HTTP/1.0", .method = "GET",
     .target = "/apache_pb.gif", .protocol = "HTTP/1.0", .status = 200},
    /* common parser on a combined line: referer and UA ignored as trailing */
    {COMMON,
     LINE("192.0.2.44 - - [10/Oct/2000:13:55:37 -0700] \"GET / HTTP/1.0\" "
          "200 2326 \"http://www.example.com/\" \"Mozilla/4.08\""),
     .addr = "192.0.2.44", .time = "10/Oct/2000:13:55:37 -0700",
     .request = "GET / HTTP/1.0", .method = "GET", .target = "/",
     .protocol = "HTTP/1.0", .status = 200},
    /* common: Apache-escaped fake end inside the request */
    {COMMON,
     LINE("192.0.2.44 - - [10/Oct/2000:13:55:38 -0700] \"GET /x\\\" 200 1 "
          "HTTP/1.0\" 400 226"),
     .addr = "192.0.2.44", .time = "10/Oct/2000:13:55:38 -0700",
     .request = "GET /x\\\" 200 1 HTTP/1.0", .method = "GET",
     .target = "/x\\\" 200 1", .protocol = "HTTP/1.0", .status = 400,
     .flags = ESC},
    /* HTTP/0.9 "GET /": method and target, empty protocol; that is HTTP */
    {COMBINED,
     LINE("198.51.100.30 - - [10/Oct/2023:14:06:00 +0000] \"GET /\" 400 157 "
          "\"-\" \"-\""),
     .addr = "198.51.100.30", .time = "10/Oct/2023:14:06:00 +0000",
     .request = "GET /", .method = "GET", .target = "/", .status = 400,
     .prefixes_fail = 1},
    /* proxy probe: CONNECT with an authority-form target */
    {COMBINED,
     LINE("198.51.100.31 - - [10/Oct/2023:14:06:01 +0000] \"CONNECT "
          "www.example.com:443 HTTP/1.1\" 400 157 \"-\" \"-\""),
     .addr = "198.51.100.31", .time = "10/Oct/2023:14:06:01 +0000",
     .request = "CONNECT www.example.com:443 HTTP/1.1", .method = "CONNECT",
     .target = "www.example.com:443", .protocol = "HTTP/1.1", .status = 400,
     .prefixes_fail = 1},
    /* nginx accepts raw spaces in the URI: they stay in the target */
    {COMBINED,
     LINE("198.51.100.32 - - [10/Oct/2023:14:06:02 +0000] \"GET /a b/c "
          "HTTP/1.1\" 404 153 \"-\" \"-\""),
     .addr = "198.51.100.32", .time = "10/Oct/2023:14:06:02 +0000",
     .request = "GET /a b/c HTTP/1.1", .method = "GET", .target = "/a b/c",
     .protocol = "HTTP/1.1", .status = 404, .prefixes_fail = 1},
    /* third token that is not an HTTP version: NOT_HTTP */
    {COMBINED,
     LINE("198.51.100.33 - - [10/Oct/2023:14:06:03 +0000] \"GET / FOO/1.0\" "
          "400 157 \"-\" \"-\""),
     .addr = "198.51.100.33", .time = "10/Oct/2023:14:06:03 +0000",
     .request = "GET / FOO/1.0", .status = 400, .flags = NOT_HTTP,
     .prefixes_fail = 1},
    /* structural only: WebLogic T3 probe is METHOD SP TARGET (see .c) */
    {COMBINED,
     LINE("198.51.100.34 - - [10/Oct/2023:14:06:04 +0000] \"t3 12.2.1\" 400 "
          "157 \"-\" \"-\""),
     .addr = "198.51.100.34", .time = "10/Oct/2023:14:06:04 +0000",
     .request = "t3 12.2.1", .method = "t3", .target = "12.2.1", .status = 400,
     .prefixes_fail = 1},
    /* Apache: empty user name logged as "" (mod_log_config) */
    {COMBINED,
     LINE("192.0.2.5 - \"\" [10/Oct/2023:14:06:05 +0000] \"GET /private/ "
          "HTTP/1.1\" 401 381 \"-\" \"curl/8.4.0\""),
     .addr = "192.0.2.5", .time = "10/Oct/2023:14:06:05 +0000",
     .request = "GET /private/ HTTP/1.1", .method = "GET",
     .target = "/private/", .protocol = "HTTP/1.1", .ua = "curl/8.4.0",
     .status = 401, .prefixes_fail = 1},
    /* nginx: a Basic-auth user name with spaces, brackets and escaped
     * quotes that imitates the rest of a line; the real fields win */
    {COMBINED,
     LINE("203.0.113.66 - admin [01/Jan/2000:00:00:00 +0000] \\x22GET / "
          "HTTP/1.1\\x22 200 1 [10/Oct/2023:14:07:00 +0000] \"GET /etc/passwd "
          "HTTP/1.1\" 404 153 \"-\" \"curl/8.4.0\""),
     .addr = "203.0.113.66", .time = "10/Oct/2023:14:07:00 +0000",
     .request = "GET /etc/passwd HTTP/1.1", .method = "GET",
     .target = "/etc/passwd", .protocol = "HTTP/1.1", .ua = "curl/8.4.0",
     .status = 404, .prefixes_fail = 1},
    /* dual-stack Apache: IPv4-mapped client address, returned as logged */
    {COMBINED,
     LINE("::ffff:203.0.113.5 - - [10/Oct/2023:14:07:01 +0000] \"GET / "
          "HTTP/1.1\" 200 45 \"-\" \"Wget/1.21.3\""),
     .addr = "::ffff:203.0.113.5", .time = "10/Oct/2023:14:07:01 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .ua = "Wget/1.21.3", .status = 200,
     .prefixes_fail = 1},
    /* Apache HostnameLookups On: a host name parses, ao_ip_parse rejects */
    {COMBINED,
     LINE("crawl-66-249-66-1.googlebot.com - - [10/Oct/2023:14:07:02 +0000] "
          "\"GET / HTTP/1.1\" 200 45 \"-\" \"Googlebot/2.1\""),
     .addr = "crawl-66-249-66-1.googlebot.com",
     .time = "10/Oct/2023:14:07:02 +0000", .request = "GET / HTTP/1.1",
     .method = "GET", .target = "/", .protocol = "HTTP/1.1",
     .ua = "Googlebot/2.1", .status = 200, .ip_bad = 1, .prefixes_fail = 1},
    /* D6: CRLF line: one trailing CR is ignored */
    {COMBINED,
     LINE("192.0.2.1 - - [10/Oct/2023:14:07:03 +0000] \"GET / HTTP/1.1\" 200 "
          "45 \"-\" \"curl/8.4.0\"\r"),
     .addr = "192.0.2.1", .time = "10/Oct/2023:14:07:03 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .ua = "curl/8.4.0", .status = 200},
    /* D6: a lone CR inside the UA (escape=none) is data */
    {COMBINED,
     LINE("192.0.2.1 - - [10/Oct/2023:14:07:04 +0000] \"GET / HTTP/1.1\" 200 "
          "45 \"-\" \"a\rb\""),
     .addr = "192.0.2.1", .time = "10/Oct/2023:14:07:04 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .ua = "a\rb", .status = 200, .prefixes_fail = 1},
    /* nginx \xHH in the referer (bytes >= 0x80, as in the elastic log) */
    {COMBINED,
     LINE("201.242.142.135 - - [19/May/2015:11:05:10 +0000] \"GET "
          "/files/logstash/ HTTP/1.0\" 200 13316 \"http://\\xe4\\xe5-\\xec/\" "
          "\"Mozilla/5.0\""),
     .addr = "201.242.142.135", .time = "19/May/2015:11:05:10 +0000",
     .request = "GET /files/logstash/ HTTP/1.0", .method = "GET",
     .target = "/files/logstash/", .protocol = "HTTP/1.0",
     .referer = "http://\\xe4\\xe5-\\xec/", .ua = "Mozilla/5.0", .status = 200,
     .flags = ESC, .prefixes_fail = 1},
    /* Apache \\ escapes (path traversal with backslashes) */
    {COMBINED,
     LINE("192.0.2.7 - - [10/Oct/2023:14:07:05 +0000] \"GET "
          "/..\\\\..\\\\windows\\\\win.ini HTTP/1.1\" 404 196 \"-\" \"-\""),
     .addr = "192.0.2.7", .time = "10/Oct/2023:14:07:05 +0000",
     .request = "GET /..\\\\..\\\\windows\\\\win.ini HTTP/1.1", .method = "GET",
     .target = "/..\\\\..\\\\windows\\\\win.ini", .protocol = "HTTP/1.1",
     .status = 404, .flags = ESC, .prefixes_fail = 1},
    /* Apache: an escaped backslash right before the closing quote */
    {COMBINED,
     LINE("192.0.2.7 - - [10/Oct/2023:14:07:06 +0000] \"GET /dir\\\\\" 404 "
          "196 \"-\" \"-\""),
     .addr = "192.0.2.7", .time = "10/Oct/2023:14:07:06 +0000",
     .request = "GET /dir\\\\", .method = "GET", .target = "/dir\\\\",
     .status = 404, .flags = ESC, .prefixes_fail = 1},
    /* Apache >= 2.0.46: \n escape in the UA */
    {COMBINED,
     LINE("192.0.2.8 - - [10/Oct/2023:14:07:07 +0000] \"GET / HTTP/1.1\" 200 "
          "45 \"-\" \"line1\\nline2\""),
     .addr = "192.0.2.8", .time = "10/Oct/2023:14:07:07 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .ua = "line1\\nline2", .status = 200, .flags = ESC,
     .prefixes_fail = 1},
    /* a 20-digit size (the most a 64-bit counter can print) */
    {COMBINED,
     LINE("192.0.2.9 - - [10/Oct/2023:14:07:08 +0000] \"GET /big HTTP/1.1\" "
          "206 18446744073709551615 \"-\" \"-\""),
     .addr = "192.0.2.9", .time = "10/Oct/2023:14:07:08 +0000",
     .request = "GET /big HTTP/1.1", .method = "GET", .target = "/big",
     .protocol = "HTTP/1.1", .status = 206, .prefixes_fail = 1},
    /* status 999 and 100: the edges of the accepted range */
    {COMMON,
     LINE("192.0.2.9 - - [10/Oct/2023:14:07:09 +0000] \"GET / HTTP/1.1\" 999 "
          "0"),
     .addr = "192.0.2.9", .time = "10/Oct/2023:14:07:09 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .status = 999},
    /* status 100 (the lower edge) */
    {COMMON,
     LINE("192.0.2.9 - - [10/Oct/2023:14:07:10 +0000] \"GET / HTTP/1.1\" 100 "
          "0"),
     .addr = "192.0.2.9", .time = "10/Oct/2023:14:07:10 +0000",
     .request = "GET / HTTP/1.1", .method = "GET", .target = "/",
     .protocol = "HTTP/1.1", .status = 100},
};

static void check_good(size_t i, const good_case_t *c, const ao_record_t *r) {
  expect_slice(i, "addr", r->addr, c->addr);
  expect_slice(i, "time", r->time, c->time);
  expect_slice(i, "request", r->request, c->request);
  expect_slice(i, "method", r->method, c->method);
  expect_slice(i, "target", r->target, c->target);
  expect_slice(i, "protocol", r->protocol, c->protocol);
  expect_slice(i, "referer", r->referer, c->referer);
  expect_slice(i, "user_agent", r->user_agent, c->ua);
  if (r->status != c->status)
    fail_msg("row %zu: status %d, expected %d", i, r->status, c->status);
  if (r->flags != c->flags)
    fail_msg("row %zu: flags %#x, expected %#x", i, r->flags, c->flags);
}

static void test_good_lines(void **state) {
  (void)state;
  for (size_t i = 0; i < AO_ARRAY_SIZE(good_cases); i++) {
    const good_case_t *c = &good_cases[i];
    ao_record_t r;
    char *copy = NULL;
    if (parse_copy(c->fmt, c->line, c->n, &r, &copy) != 0)
      fail_msg("row %zu: parse failed: %.*s", i, (int)c->n, c->line);
    check_good(i, c, &r);
    /* Every parsed line's address is an IP, unless the row says not. */
    ao_ip_t ip;
    int iprc = ao_ip_parse(r.addr.p, r.addr.n, &ip);
    if (iprc != (c->ip_bad ? -1 : 0))
      fail_msg("row %zu: ao_ip_parse(%.*s) = %d", i, (int)r.addr.n, r.addr.p,
               iprc);
    free(copy);
  }
}

/* Truncation (a line cut anywhere, D3/A12): a prefix either fails or gives
 * the full line's address and status, never other ones. For rows that end
 * with the UA's closing quote, every proper prefix must fail. */
static void test_good_line_prefixes(void **state) {
  (void)state;
  for (size_t i = 0; i < AO_ARRAY_SIZE(good_cases); i++) {
    const good_case_t *c = &good_cases[i];
    for (size_t k = 0; k < c->n; k++) {
      ao_record_t r;
      char *copy = NULL;
      int rc = parse_copy(c->fmt, c->line, k, &r, &copy);
      if (rc == 0 && c->prefixes_fail)
        fail_msg("row %zu: prefix of %zu bytes parsed: %.*s", i, k, (int)k,
                 c->line);
      if (rc == 0 && (!slice_is(r.addr, c->addr) || r.status != c->status))
        fail_msg("row %zu: prefix of %zu bytes gave %.*s %d", i, k,
                 (int)r.addr.n, r.addr.p, r.status);
      free(copy);
    }
  }
}

/* The default time field is read without a search for its brackets and
 * the request's quote, unless one of its 26 bytes is a quote or a
 * bracket: then the general rules decide. A '[' inside that follows a
 * space moves the start of TIME after it (the last "[" wins); any other
 * '[', a ']' or a '"' inside breaks the line. Each byte is tried, in
 * combined and common. */
static void test_time_delimiters(void **state) {
  (void)state;
  static const char head[] = "198.51.100.4 - - [";
  static const char time[] = "10/Oct/2023:13:55:36 +0000";
  static const char tail[] = "] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"";
  char line[256];
  for (int fmt = 0; fmt < 2; fmt++) {
    for (size_t k = 0; k < 26; k++) {
      for (const char *d = "[]\""; *d != '\0'; d++) {
        int n = snprintf(line, sizeof(line), "%s%s%s", head, time, tail);
        assert_true(n > 0 && (size_t)n < sizeof(line));
        line[sizeof(head) - 1 + k] = *d;
        ao_record_t r;
        char *copy = NULL;
        int rc = parse_copy(fmt ? COMMON : COMBINED, line, (size_t)n, &r,
                            &copy);
        /* the last "[" opens TIME, and only after a space */
        if (*d == '[' && k > 0 && k < 25 && time[k - 1] == ' ') {
          if (rc != 0)
            fail_msg("'[' at %zu: parse failed", k);
          expect_slice(k, "time", r.time, time + k + 1);
          expect_slice(k, "addr", r.addr, "198.51.100.4");
          expect_slice(k, "request", r.request, "GET / HTTP/1.1");
          assert_int_equal(r.status, 200);
        } else if (rc != -1) {
          fail_msg("'%c' at %zu: parsed (time \"%.*s\")", *d, k, (int)r.time.n,
                   r.time.p);
        }
        free(copy);
      }
    }
  }
}

/* SIZE is "-" or 1 to 20 digits (read 8 at a time where it can): every
 * length from 1 to 22, and a byte that is not a digit (just below or above
 * '0'..'9', or the next field glued on) at every position of a 20-digit
 * size, in combined and common. */
static void test_size_digits(void **state) {
  (void)state;
  static const char head[] = "198.51.100.4 - - [10/Oct/2023:13:55:36 +0000] "
                             "\"GET / HTTP/1.1\" 200 ";
  static const char tail[] = " \"-\" \"ua\"";
  char line[256];
  for (int fmt = 0; fmt < 2; fmt++) {
    for (size_t len = 1; len <= 22; len++) {
      for (size_t bad = 0; bad <= len; bad++) {
        static const char bytes[] = "/:\"a";
        for (const char *c = bytes; *c != '\0'; c++) {
          if (bad == len && c != bytes) /* no bad byte: once */
            continue;
          size_t n = 0;
          memcpy(line, head, sizeof(head) - 1);
          n += sizeof(head) - 1;
          for (size_t k = 0; k < len; k++)
            line[n++] = k == bad ? *c : (char)('0' + (k * 7 + len) % 10);
          memcpy(line + n, tail, sizeof(tail) - 1);
          n += sizeof(tail) - 1;
          ao_record_t r;
          char *copy = NULL;
          int rc = parse_copy(fmt ? COMMON : COMBINED, line, n, &r, &copy);
          /* common ignores what follows SIZE and a space: "12 \"-\"..." */
          int want = bad == len && len <= 20 ? 0 : -1;
          if (rc != want)
            fail_msg("size of %zu digits, '%c' at %zu: rc %d, expected %d",
                     len, bad < len ? *c : '-', bad, rc, want);
          if (rc == 0)
            assert_int_equal(r.status, 200);
          free(copy);
        }
      }
    }
  }
}

/* D4: NUL bytes are data. Nothing is cut at a NUL and no field is split. */
static void test_nul_bytes(void **state) {
  (void)state;
  static const char line[] = "192.0.2.1 - - [10/Oct/2023:14:08:00 +0000] "
                             "\"GET /a\0b HTTP/1.1\" 200 45 \"-\" \"x\0y\" "
                             "\"\0\"";
  ao_record_t r;
  char *copy = NULL;
  assert_int_equal(parse_copy(COMBINED, line, sizeof(line) - 1, &r, &copy), 0);
  assert_true(slice_is(r.addr, "192.0.2.1"));
  assert_int_equal(r.request.n, strlen("GET /a_b HTTP/1.1"));
  assert_memory_equal(r.request.p, "GET /a\0b HTTP/1.1", r.request.n);
  assert_int_equal(r.target.n, 4);
  assert_memory_equal(r.target.p, "/a\0b", 4);
  assert_true(slice_is(r.protocol, "HTTP/1.1"));
  assert_int_equal(r.user_agent.n, 3);
  assert_memory_equal(r.user_agent.p, "x\0y", 3);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.flags, 0);
  free(copy);

  /* A NUL inside the address: the line parses, the address does not. */
  static const char bad_addr[] = "192.0.2.1\0 - - [10/Oct/2023:14:08:01 +0000] "
                                 "\"GET / HTTP/1.1\" 200 45 \"-\" \"-\"";
  assert_int_equal(
      parse_copy(COMBINED, bad_addr, sizeof(bad_addr) - 1, &r, &copy), 0);
  assert_int_equal(r.addr.n, 10);
  ao_ip_t ip;
  assert_int_equal(ao_ip_parse(r.addr.p, r.addr.n, &ip), -1);
  free(copy);

  /* A NUL inside the time text is opaque data too. */
  static const char nul_time[] = "192.0.2.1 - - [10/Oct\0/2023] "
                                 "\"GET / HTTP/1.1\" 200 45 \"-\" \"-\"";
  assert_int_equal(
      parse_copy(COMBINED, nul_time, sizeof(nul_time) - 1, &r, &copy), 0);
  assert_int_equal(r.time.n, 12);
  free(copy);
}

/* ------------------------------------------------------------------------ */
/* Hostile and malformed lines                                              */
/* ------------------------------------------------------------------------ */

typedef struct bad_case {
  ao_format_id_t fmt;
  const char *line;
  size_t n;
  int rc;
  int status;       /* when rc == 0 */
  const char *addr; /* when rc == 0 */
} bad_case_t;

#define TS "[10/Oct/2023:14:09:00 +0000]"

static const bad_case_t bad_cases[] = {
    /* empty line */
    {COMBINED, LINE(""), -1, 0, NULL},
    /* empty line, common */
    {COMMON, LINE(""), -1, 0, NULL},
    /* only spaces */
    {COMBINED, LINE("        "), -1, 0, NULL},
    /* a single "-" */
    {COMBINED, LINE("-"), -1, 0, NULL},
    /* only a CR */
    {COMBINED, LINE("\r"), -1, 0, NULL},
    /* an address alone */
    {COMBINED, LINE("192.0.2.1"), -1, 0, NULL},
    /* leading space: empty address */
    {COMBINED,
     LINE(" 192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1 \"-\" \"-\""), -1, 0,
     NULL},
    /* double space after the address: empty ident */
    {COMBINED, LINE("192.0.2.1  - " TS " \"GET / HTTP/1.1\" 200 1 \"-\" \"-\""),
     -1, 0, NULL},
    /* ident and user missing */
    {COMMON, LINE("192.0.2.1 " TS " \"GET / HTTP/1.1\" 200 1"), -1, 0, NULL},
    /* user missing (one token before the time) */
    {COMMON, LINE("192.0.2.1 - " TS " \"GET / HTTP/1.1\" 200 1"), -1, 0, NULL},
    /* no brackets around the time */
    {COMMON,
     LINE("192.0.2.1 - - 10/Oct/2023:14:09:00 +0000 \"GET / HTTP/1.1\" 200 1"),
     -1, 0, NULL},
    /* unclosed bracket */
    {COMBINED,
     LINE("192.0.2.1 - - [10/Oct/2023:14:09:00 +0000 \"GET / HTTP/1.1\" 200 1 "
          "\"-\" \"-\""),
     -1, 0, NULL},
    /* unopened bracket */
    {COMMON,
     LINE("192.0.2.1 - - 10/Oct/2023:14:09:00 +0000] \"GET / HTTP/1.1\" 200 1"),
     -1, 0, NULL},
    /* empty time */
    {COMMON, LINE("192.0.2.1 - - [] \"GET / HTTP/1.1\" 200 1"), -1, 0, NULL},
    /* "]" inside the time */
    {COMMON, LINE("192.0.2.1 - - [a]b] \"GET / HTTP/1.1\" 200 1"), -1, 0, NULL},
    /* time not followed by a space */
    {COMMON, LINE("192.0.2.1 - - " TS "\"GET / HTTP/1.1\" 200 1"), -1, 0, NULL},
    /* no request at all (truncated after the time) */
    {COMMON, LINE("192.0.2.1 - - " TS " "), -1, 0, NULL},
    /* request not quoted */
    {COMMON, LINE("192.0.2.1 - - " TS " GET / HTTP/1.1 200 1"), -1, 0, NULL},
    /* truncated inside the request */
    {COMBINED, LINE("192.0.2.1 - - " TS " \"GET /index.ht"), -1, 0, NULL},
    /* truncated right after the request's closing quote */
    {COMBINED, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\""), -1, 0, NULL},
    /* truncated inside the status */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 20"), -1, 0, NULL},
    /* truncated after the status */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200"), -1, 0, NULL},
    /* truncated after the status and its space */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 "), -1, 0, NULL},
    /* unclosed request quote with a complete-looking rest */
    {COMBINED, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1 200 1 \"-\" \"-\""),
     -1, 0, NULL},
    /* status with four digits */
    {COMBINED,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 2000 1 \"-\" \"-\""), -1, 0,
     NULL},
    /* status with two digits */
    {COMBINED, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 20 1 \"-\" \"-\""),
     -1, 0, NULL},
    /* status "-" (nginx always logs one) */
    {COMBINED, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" - 1 \"-\" \"-\""),
     -1, 0, NULL},
    /* status not numeric */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" abc 1"), -1, 0,
     NULL},
    /* status below 100 */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 099 1"), -1, 0,
     NULL},
    /* status 000 */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 000 1"), -1, 0,
     NULL},
    /* size not numeric */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 abc"), -1, 0,
     NULL},
    /* size "-5" */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 -5"), -1, 0,
     NULL},
    /* size with 21 digits */
    {COMMON,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 123456789012345678901"),
     -1, 0, NULL},
    /* no space between the request and the status */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\"200 1"), -1, 0, NULL},
    /* two spaces before the status */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\"  200 1"), -1, 0,
     NULL},
    /* combined: size glued to the referer's quote */
    {COMBINED, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1\"-\" \"-\""),
     -1, 0, NULL},
    /* combined: a byte between the size and the referer's quote */
    {COMBINED,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1x\"-\" \"-\""), -1, 0,
     NULL},
    /* common: a byte glued to the size */
    {COMMON, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1x"), -1, 0,
     NULL},
    /* combined parser on a common line: referer and UA missing */
    {COMBINED, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1"), -1, 0,
     NULL},
    /* combined: UA missing */
    {COMBINED, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1 \"-\""), -1,
     0, NULL},
    /* combined: unclosed referer */
    {COMBINED, LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1 \"http://a"),
     -1, 0, NULL},
    /* combined: unclosed UA, cut mid-field (as elastic line 8899) */
    {COMBINED,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1 \"-\" \"Mozilla/5.0 "
          "(compatible; Googlebot/2.1; +http://www.google.com/bot.html"),
     -1, 0, NULL},
    /* combined: the UA's last quote is escaped, so the UA is unclosed */
    {COMBINED,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1 \"-\" \"abc\\\""), -1,
     0, NULL},
    /* combined: a lone backslash at the end of the UA */
    {COMBINED,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1 \"-\" \"a\\"), -1, 0,
     NULL},
    /* D2: the real status is invalid (2000) and a fake one sits in the
     * escaped UA: the fake must not be used, so the line fails */
    {COMBINED,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 2000 10 \"-\" \"x\\\" 200 "
          "999 \\\"-\\\" \\\"y\""),
     -1, 0, NULL},
    /* D2 with nginx escapes and a broken real status */
    {COMBINED,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 20 10 \"-\" \"x\\x22 200 "
          "999 \\x22-\\x22 \\x22y\""),
     -1, 0, NULL},
    /* D2: valid line with fake fields in the UA: real status and address */
    {COMBINED,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 404 10 \"-\" \"x\\\" 200 "
          "999 \\\"-\\\" \\\"y\" \"198.51.100.66\""),
     0, 404, "192.0.2.1"},
    /* a fake address at the start of the UA cannot become the address */
    {COMBINED,
     LINE("192.0.2.1 - - " TS
          " \"GET / HTTP/1.1\" 403 10 \"-\" \"198.51.100.66 "
          "- - " TS " \\\"GET / HTTP/1.1\\\" 200 1\""),
     0, 403, "192.0.2.1"},
    /* old Apache raw fake in the UA: the first (real) match wins */
    {COMBINED,
     LINE("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 404 10 \"-\" \"x\" 200 999 "
          "\"-\" \"y\""),
     0, 404, "192.0.2.1"},
    /* an address that is a host name: the line parses (ip judged later) */
    {COMMON, LINE("localhost - - " TS " \"GET / HTTP/1.1\" 200 1"), 0, 200,
     "localhost"},
    /* a quote in the address: ADDR is an opaque token, ao_ip_parse rejects
     * it later; the request is still found after IDENT */
    {COMMON, LINE("\"192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1"), 0, 200,
     "\"192.0.2.1"},
    /* a quote as the ident (no server writes one): opaque token too */
    {COMMON, LINE("192.0.2.1 \" - " TS " \"GET / HTTP/1.1\" 200 1"), 0, 200,
     "192.0.2.1"},
    /* a quote inside the user (escaped by every server): the request
     * opener is then that quote, which is not preceded by "] " */
    {COMMON, LINE("192.0.2.1 - a\"b " TS " \"GET / HTTP/1.1\" 200 1"), -1, 0,
     NULL},
    /* "" as user but nothing after it */
    {COMMON, LINE("192.0.2.1 - \"\" "), -1, 0, NULL},
};

static void test_bad_lines(void **state) {
  (void)state;
  for (size_t i = 0; i < AO_ARRAY_SIZE(bad_cases); i++) {
    const bad_case_t *c = &bad_cases[i];
    ao_record_t r;
    char *copy = NULL; /* the slices point into it: free it last */
    int rc = parse_copy(c->fmt, c->line, c->n, &r, &copy);
    if (rc != c->rc)
      fail_msg("row %zu: rc %d, expected %d: %.*s", i, rc, c->rc, (int)c->n,
               c->line);
    if (rc == 0) {
      if (r.status != c->status)
        fail_msg("row %zu: status %d, expected %d", i, r.status, c->status);
      expect_slice(i, "addr", r.addr, c->addr);
    }
    free(copy);
  }
}

static void test_null_arguments(void **state) {
  (void)state;
  ao_parser_t *p = ao_parser_create(AO_FMT_COMBINED, NULL);
  assert_non_null(p);
  ao_record_t r;
  static const char line[] =
      "192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"";
  assert_int_equal(ao_parser_parse(NULL, line, sizeof(line) - 1, &r), -1);
  assert_int_equal(ao_parser_parse(p, NULL, 0, &r), -1);
  assert_int_equal(ao_parser_parse(p, line, sizeof(line) - 1, NULL), -1);
  assert_int_equal(ao_parser_parse(p, line, sizeof(line) - 1, &r), 0);
  ao_parser_destroy(p);
  ao_parser_destroy(NULL);
}

/* ------------------------------------------------------------------------ */
/* 64 KiB hostile lines: must terminate with the right verdict (the scan is */
/* linear; no timing assertions)                                            */
/* ------------------------------------------------------------------------ */

#define BIG (64u * 1024u)

/* Builds head + repeat * k + tail in a malloc'ed exact-size buffer. */
static char *build(const char *head, const char *unit, size_t k,
                   const char *tail, size_t *n) {
  size_t hn = strlen(head), un = strlen(unit), tn = strlen(tail);
  *n = hn + un * k + tn;
  char *s = malloc(*n > 0 ? *n : 1);
  assert_non_null(s);
  memcpy(s, head, hn);
  for (size_t i = 0; i < k; i++)
    memcpy(s + hn + i * un, unit, un);
  memcpy(s + hn + un * k, tail, tn);
  return s;
}

static int parse_built(ao_format_id_t fmt, const char *s, size_t n,
                       ao_record_t *r) {
  ao_parser_t *p = ao_parser_create(fmt, NULL);
  assert_non_null(p);
  int rc = ao_parser_parse(p, s, n, r);
  ao_parser_destroy(p);
  return rc;
}

static void test_huge_hostile_lines(void **state) {
  (void)state;
  static const char head[] = "192.0.2.1 - - " TS " \"";
  ao_record_t r;
  size_t n;
  char *s;

  /* 64 KiB of quotes alone: no space after the address */
  s = build("", "\"", BIG, "", &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), -1);
  assert_int_equal(parse_built(COMMON, s, n, &r), -1);
  free(s);

  /* a valid head, then 64 KiB of quotes: no quote ever closes the request */
  s = build(head, "\"", BIG, "", &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), -1);
  assert_int_equal(parse_built(COMMON, s, n, &r), -1);
  free(s);

  /* " 200 1 " repeated with no head: the first "token" is a quote */
  s = build("", "\" 200 1 \"", BIG / 9, "", &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), -1);
  assert_int_equal(parse_built(COMMON, s, n, &r), -1);
  free(s);

  /* "GET /" then " 200 1 " repeated: the first repeat closes the request
   * (status 200). Combined then needs a referer closed by ` "`, which the
   * repeats never provide, so it fails; common ignores the rest. */
  s = build("192.0.2.1 - - " TS " \"GET /", "\" 200 1 \"", BIG / 9, "", &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), -1);
  assert_int_equal(parse_built(COMMON, s, n, &r), 0);
  assert_int_equal(r.status, 200);
  assert_true(slice_is(r.request, "GET /"));
  free(s);

  /* the same, ended by ` "ua"`: the referer runs across all the repeats
   * and closes at the last one; the UA is "ua" */
  s = build("192.0.2.1 - - " TS " \"GET /", "\" 200 1 \"", BIG / 9, " \"ua\"",
            &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), 0);
  assert_int_equal(r.status, 200);
  assert_true(slice_is(r.user_agent, "ua"));
  /* repeats 2..R, minus the last repeat's closing quote */
  assert_int_equal(r.referer.n, 9 * (BIG / 9 - 1) - 1);
  free(s);

  /* an even run of backslashes: escape pairs, then a real close */
  s = build("192.0.2.1 - - " TS " \"GET /", "\\\\", BIG / 2,
            "\" 200 1 \"-\" \"-\"", &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), 0);
  assert_int_equal(r.status, 200);
  /* "GET /\\..." is METHOD SP TARGET: HTTP/0.9, so only ESCAPED */
  assert_int_equal(r.flags, AO_REC_ESCAPED);
  free(s);

  /* an odd run: the last backslash escapes the closing quote */
  s = build("192.0.2.1 - - " TS " \"GET /", "\\", BIG + 1,
            "\" 200 1 \"-\" \"-\"", &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), -1);
  free(s);

  /* 64 KiB of "[" before the time: the last "[" is not after a space */
  s = build("192.0.2.1 - - ", "[", BIG,
            "10/Oct/2023:14:09:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"",
            &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), -1);
  free(s);

  /* a 64 KiB user name full of "] [" (nginx Basic auth): real fields win */
  s = build("192.0.2.1 - u", "] [x", BIG / 4,
            " " TS " \"GET / HTTP/1.1\" 200 1 \"-\" \"-\"", &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), 0);
  assert_true(slice_is(r.time, "10/Oct/2023:14:09:00 +0000"));
  assert_int_equal(r.status, 200);
  free(s);

  /* 64 KiB of spaces after the address: empty ident */
  s = build("192.0.2.1", " ", BIG, "- - " TS " \"GET / HTTP/1.1\" 200 1", &n);
  assert_int_equal(parse_built(COMMON, s, n, &r), -1);
  free(s);

  /* 64 KiB UA of escaped quotes and fake statuses: one parse, real 404 */
  s = build("192.0.2.1 - - " TS " \"GET / HTTP/1.1\" 404 1 \"-\" \"",
            "\\\" 200 1 \\\"", BIG / 12, "\"", &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), 0);
  assert_int_equal(r.status, 404);
  assert_int_equal(r.flags, AO_REC_ESCAPED);
  free(s);

  /* 64 KiB request of raw quotes each followed by a non-status: kept */
  s = build(head, "\"x", BIG / 2, "\" 200 1 \"-\" \"-\"", &n);
  assert_int_equal(parse_built(COMBINED, s, n, &r), 0);
  assert_int_equal(r.status, 200);
  assert_int_equal(r.request.n, BIG);
  free(s);
}

/* ------------------------------------------------------------------------ */
/* Format names and parser objects                                          */
/* ------------------------------------------------------------------------ */

static void test_format_names(void **state) {
  (void)state;
  ao_format_id_t id = AO_FMT_COMMON;
  assert_int_equal(ao_format_lookup("combined", &id), 0);
  assert_int_equal(id, AO_FMT_COMBINED);
  assert_int_equal(ao_format_lookup("Common", &id), 0);
  assert_int_equal(id, AO_FMT_COMMON);
  assert_int_equal(ao_format_lookup("COMBINED", &id), 0);
  assert_int_equal(id, AO_FMT_COMBINED);
  assert_int_equal(ao_format_lookup("combind", &id), -1);
  assert_int_equal(ao_format_lookup("", &id), -1);
  assert_int_equal(ao_format_lookup("combined ", &id), -1);
  assert_int_equal(ao_format_lookup(NULL, &id), -1);
  assert_string_equal(ao_format_name(AO_FMT_COMBINED), "combined");
  assert_string_equal(ao_format_name(AO_FMT_COMMON), "common");
  assert_string_equal(ao_format_name((ao_format_id_t)42), "unknown");
  assert_string_equal(ao_format_names(),
                      "\"combined\", \"common\", \"nginx\", \"apache\", "
                      "\"json\", \"caddy\", \"traefik\", \"sshd\" or "
                      "\"regex\"");
  const char *more[] = {"nginx", "apache", "json", "caddy", "traefik", "sshd",
                        "regex"};
  for (size_t i = 0; i < AO_ARRAY_SIZE(more); i++) {
    assert_int_equal(ao_format_lookup(more[i], &id), 0);
    assert_string_equal(ao_format_name(id), more[i]);
  }
}

static void test_parser_create_errors(void **state) {
  (void)state;
  ao_err_t err;
  memset(&err, 0, sizeof(err));
  assert_null(ao_parser_create((ao_format_id_t)42, &err));
  assert_non_null(strstr(err.msg, "42"));
  assert_non_null(strstr(err.msg, "\"combined\", \"common\""));
  assert_null(ao_parser_create((ao_format_id_t)-1, NULL));
  ao_parser_t *p = ao_parser_create(AO_FMT_COMMON, &err);
  assert_non_null(p);
  ao_parser_destroy(p);
}

/* ------------------------------------------------------------------------ */
/* Real logs (AO_SHARED_DATA)                                               */
/* ------------------------------------------------------------------------ */

typedef struct corpus_expect {
  const char *name;
  size_t lines;
  size_t failures;
  size_t first_failure; /* 1-based line number, 0 when none */
  size_t escaped;
  size_t not_http;
  size_t v6;
  size_t status_404;
  size_t empty_referer;
  size_t empty_ua;
} corpus_expect_t;

/* Figures cross-checked against an independent regex parse of the files.
 * The one failure, elastic line 8899, is a genuinely truncated record: its
 * user agent stops at "...google.com/bot.html" with no ")" and no closing
 * quote (line 8910 is the same Googlebot request logged whole). */
static const corpus_expect_t corpora[] = {
    /* Apache combined, 2015, one truncated line, three \xHH referers */
    {"access_logs/elastic_apache_logs.log", 10000, 1, 8899, 3, 0, 0, 213, 4072,
     190},
    /* Apache combined, 2015, +0100, IPv6 clients */
    {"access_logs/logparser_hackers-access.log", 3456, 0, 0, 0, 0, 12, 12, 21,
     0},
};

static void run_corpus(const corpus_expect_t *e) {
  char *path = ao_test_shared(e->name);
  if (path == NULL) {
    print_message("AO_SHARED_DATA/%s not available: skipped\n", e->name);
    skip();
  }
  size_t len = 0;
  char *buf = ao_test_slurp(path, &len);
  ao_parser_t *p = ao_parser_create(AO_FMT_COMBINED, NULL);
  assert_non_null(p);
  size_t lines = 0, failures = 0, first_failure = 0, escaped = 0, not_http = 0;
  size_t v6 = 0, s404 = 0, empty_ref = 0, empty_ua = 0, ip_fail = 0;
  size_t pos = 0;
  while (pos < len) {
    const char *nl = memchr(buf + pos, '\n', len - pos);
    size_t end = nl != NULL ? (size_t)(nl - buf) : len;
    const char *line = buf + pos;
    size_t n = end - pos;
    pos = end + 1;
    lines++;
    ao_record_t r;
    if (ao_parser_parse(p, line, n, &r) != 0) {
      failures++;
      if (first_failure == 0)
        first_failure = lines;
      print_message("%s:%zu: parse failure: %.*s\n", e->name, lines,
                    (int)(n > 300 ? 300 : n), line);
      continue;
    }
    ao_ip_t ip;
    if (ao_ip_parse(r.addr.p, r.addr.n, &ip) != 0) {
      ip_fail++;
      print_message("%s:%zu: address %.*s does not parse\n", e->name, lines,
                    (int)r.addr.n, r.addr.p);
    } else if (!ip.v4) {
      v6++;
    }
    escaped += (r.flags & AO_REC_ESCAPED) != 0;
    not_http += (r.flags & AO_REC_NOT_HTTP) != 0;
    s404 += r.status == 404;
    empty_ref += r.referer.n == 0;
    empty_ua += r.user_agent.n == 0;
  }
  print_message("%s: %zu lines, %zu parse failures, %zu unparsable addresses, "
                "%zu IPv6, %zu escaped, %zu not HTTP\n",
                e->name, lines, failures, ip_fail, v6, escaped, not_http);
  assert_int_equal(lines, e->lines);
  assert_int_equal(failures, e->failures);
  assert_int_equal(first_failure, e->first_failure);
  /* Every parsed line of these logs has an IP address. */
  assert_int_equal(ip_fail, 0);
  assert_int_equal(escaped, e->escaped);
  assert_int_equal(not_http, e->not_http);
  assert_int_equal(v6, e->v6);
  assert_int_equal(s404, e->status_404);
  assert_int_equal(empty_ref, e->empty_referer);
  assert_int_equal(empty_ua, e->empty_ua);
  ao_parser_destroy(p);
  free(buf);
  free(path);
}

static void test_corpus_elastic(void **state) {
  (void)state;
  run_corpus(&corpora[0]);
}

static void test_corpus_hackers(void **state) {
  (void)state;
  run_corpus(&corpora[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good_lines),
      cmocka_unit_test(test_good_line_prefixes),
      cmocka_unit_test(test_time_delimiters),
      cmocka_unit_test(test_size_digits),
      cmocka_unit_test(test_nul_bytes),
      cmocka_unit_test(test_bad_lines),
      cmocka_unit_test(test_null_arguments),
      cmocka_unit_test(test_huge_hostile_lines),
      cmocka_unit_test(test_format_names),
      cmocka_unit_test(test_parser_create_errors),
      cmocka_unit_test(test_corpus_elastic),
      cmocka_unit_test(test_corpus_hackers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
