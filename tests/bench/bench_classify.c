/*
 * bench_classify.c - what classification costs per line (`make
 * bench-classify`). A benchmark, not a test: it asserts nothing and prints
 * nanoseconds per line for several kinds of traffic, on one core:
 *
 *   - real traffic: the lines of ../shared/data/access_logs (mostly benign),
 *     when present;
 *   - generated benign traffic: pages, assets, searches, APIs with query
 *     strings, browser and bot user agents, referers;
 *   - attacks: the libinjection and fuzzdb payloads wrapped into lines
 *     (when present), the worst case: every check runs.
 *
 * For each set: the classifier alone (ao_classify on parsed records), and
 * the whole line step of a pipeline (parse, classify, brute-force buckets,
 * address parsing and GeoIP lookup of attacks - no GeoIP database here,
 * so lookups answer ZZ at once), which is what the plugin spends per line.
 *
 *   build/bench/bench_classify [SECONDS_PER_SET]   (default 2)
 */
#include "ao_classify.h"
#include "ao_config.h"
#include "ao_logfmt.h"
#include "ao_pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct lines {
  char **v;
  size_t *n;
  size_t count, cap;
} lines_t;

static void add(lines_t *l, const char *s, size_t n) {
  if (l->count == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 1024;
    l->v = realloc(l->v, l->cap * sizeof(*l->v));
    l->n = realloc(l->n, l->cap * sizeof(*l->n));
    if (l->v == NULL || l->n == NULL) {
      perror("realloc");
      exit(1);
    }
  }
  l->v[l->count] = malloc(n + 1);
  memcpy(l->v[l->count], s, n);
  l->v[l->count][n] = '\0';
  l->n[l->count++] = n;
}

static void load_log(lines_t *l, const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
      n--;
    add(l, line, (size_t)n);
  }
  free(line);
  fclose(f);
}

/* Payload files: the last column of a TSV, wrapped into a query. */
static void load_payloads(lines_t *l, const char *path, int col) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return;
  char *line = NULL, buf[70000];
  size_t cap = 0;
  ssize_t n;
  int first = 1;
  while ((n = getline(&line, &cap, f)) > 0) {
    if (first) {
      first = 0;
      continue;
    }
    line[strcspn(line, "\n")] = '\0';
    char *p = line;
    for (int c = 0; c < col && p != NULL; c++) {
      p = strchr(p, '\t');
      if (p != NULL)
        p++;
    }
    if (p == NULL)
      continue;
    char *tab = strchr(p, '\t');
    if (tab != NULL)
      *tab = '\0';
    char enc[60000];
    size_t e = 0;
    for (const unsigned char *s = (const unsigned char *)p;
         *s && e + 4 < sizeof(enc); s++) {
      if (*s <= 0x20 || *s >= 0x7f || strchr("\"#'<>&\\", *s) != NULL)
        e += (size_t)snprintf(enc + e, sizeof(enc) - e, "%%%02X", *s);
      else
        enc[e++] = (char)*s;
    }
    enc[e] = '\0';
    int k = snprintf(buf, sizeof(buf),
                     "203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] \"GET "
                     "/search?q=%s HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"",
                     enc);
    if (k > 0 && (size_t)k < sizeof(buf))
      add(l, buf, (size_t)k);
  }
  free(line);
  fclose(f);
}

static void generate_benign(lines_t *l) {
  static const char *const targets[] = {
      "/", "/index.html", "/static/css/site.min.css?v=3",
      "/static/js/app.4f9a1c.js", "/images/logo.png", "/favicon.ico",
      "/blog/2024/05/how-we-moved-to-ipv6",
      "/search?q=union+station+parking&page=2",
      "/search?q=rock+and+roll+tickets&sort=price&order=asc",
      "/api/v1/items?filter=status%3Dopen&limit=50&offset=100",
      "/products/12345?utm_source=newsletter&utm_medium=email&utm_campaign="
      "spring_sale",
      "/account/settings", "/wp-content/uploads/2023/11/photo-1024x768.jpg",
      "/feed.xml", "/robots.txt", "/people?name=O%27Brien&city=Coeur+d%27Alene",
      "/docs/getting-started#install", "/cart?add=987&qty=1",
      "/login?next=%2Fdashboard", "/sitemap.xml"};
  static const char *const uas[] = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
      "like Gecko) Chrome/120.0.0.0 Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
      "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 "
      "Safari/604.1",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
      "curl/8.5.0"};
  static const char *const refs[] = {"-", "https://www.google.com/",
                                     "https://example.org/blog/",
                                     "https://example.org/search?q=shoes"};
  char buf[2048];
  for (int i = 0; i < 20000; i++) {
    int k = snprintf(
        buf, sizeof(buf),
        "198.51.%d.%d - - [10/Oct/2026:13:%02d:%02d +0000] \"GET %s "
        "HTTP/1.1\" %d %d \"%s\" \"%s\"",
        i % 200, (i * 7) % 250, (i / 60) % 60, i % 60,
        targets[i % (int)(sizeof(targets) / sizeof(targets[0]))],
        i % 23 == 0 ? 404 : (i % 17 == 0 ? 304 : 200), 500 + i % 9000,
        refs[i % 4], uas[i % 5]);
    add(l, buf, (size_t)k);
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench(const char *name, lines_t *l, double seconds) {
  if (l->count == 0) {
    printf("%-34s %9s\n", name, "(absent)");
    return;
  }
  ao_err_t err;
  ao_parser_t *parser = ao_parser_create(AO_FMT_COMBINED, &err);
  ao_classifier_t *c = ao_classifier_create(65536, &err);
  ao_record_t *recs = calloc(l->count, sizeof(*recs));
  size_t nrec = 0;
  for (size_t i = 0; i < l->count; i++)
    if (ao_parser_parse(parser, l->v[i], l->n[i], &recs[nrec]) == 0)
      nrec++;
  /* classification alone */
  size_t done = 0, attacks = 0;
  double t0 = now(), t1;
  do {
    for (size_t i = 0; i < nrec; i++)
      attacks += ao_classify(c, &recs[i]) != 0;
    done += nrec;
    t1 = now();
  } while (t1 - t0 < seconds);
  double ns_classify = (t1 - t0) * 1e9 / (double)done;
  /* the pipeline's line step */
  ao_config_t cfg;
  ao_config_init(&cfg);
  cfg.files_from_caller = 1;
  cfg.geoip_database = strdup("/nonexistent/bench.mmdb");
  ao_value_t lname = {.type = AO_VAL_STRING, .s = "bench"};
  ao_config_add_log(&cfg, &lname, 1, &err);
  ao_config_finish(&cfg, &err);
  ao_pipeline_t *p = ao_pipeline_create(&cfg, &cfg.logs[0], 0, &err);
  size_t done2 = 0;
  ao_verdict_t v;
  t0 = now();
  do {
    for (size_t i = 0; i < l->count; i++)
      ao_pipeline_line(p, l->v[i], l->n[i], &v);
    done2 += l->count;
    t1 = now();
  } while (t1 - t0 < seconds);
  double ns_line = (t1 - t0) * 1e9 / (double)done2;
  printf("%-34s %9zu %8.1f%% %10.0f %10.0f %12.0f\n", name, l->count,
         100.0 * (double)attacks / (double)done, ns_classify, ns_line,
         1e9 / ns_line);
  ao_pipeline_destroy(p);
  ao_config_free(&cfg);
  free(recs);
  ao_classifier_destroy(c);
  ao_parser_destroy(parser);
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 2.0;
  const char *data = getenv("AO_SHARED_DATA");
  char path[4096];
  lines_t real = {0}, benign = {0}, attacks = {0};
  if (data != NULL) {
    snprintf(path, sizeof(path), "%s/access_logs/elastic_apache_logs.log",
             data);
    load_log(&real, path);
    snprintf(path, sizeof(path), "%s/access_logs/logparser_hackers-access.log",
             data);
    load_log(&real, path);
    snprintf(path, sizeof(path), "%s/labelled/libinjection_samples.tsv", data);
    load_payloads(&attacks, path, 2);
    snprintf(path, sizeof(path), "%s/labelled/fuzzdb_attack_payloads.tsv",
             data);
    load_payloads(&attacks, path, 3);
  }
  generate_benign(&benign);
  printf("%-34s %9s %9s %10s %10s %12s\n", "lines", "count", "attacks",
         "ns/classify", "ns/line", "lines/s/core");
  bench("real logs (access_logs/)", &real, seconds);
  bench("generated ordinary traffic", &benign, seconds);
  bench("attack payloads (worst case)", &attacks, seconds);
  return 0;
}
