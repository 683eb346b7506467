/*
 * bench_stages.c - where the time of a line goes (`make bench-stages`,
 * README "Performance"). A benchmark, not a test: it asserts nothing.
 *
 *   bench_stages LOG GEOIP_DB [ROUNDS]
 *
 * The log is read into memory once; then cumulative passes over all its
 * lines, each from fresh objects (so memos and caches warm up as they do
 * in a real run), on one core, the best of ROUNDS (default 3) each:
 *
 *   split      find the lines (memchr for '\n'), nothing else
 *   + parse    ao_parser_parse() of every line (combined)
 *   + classify ao_classify() of every parsed line, memos on (as shipped)
 *   + classify with the memos off: every field classified from its bytes
 *   line step  ao_pipeline_line(): parse, classify, brute-force buckets,
 *              address parsing and GeoIP lookup of attacks, counting
 *   read       ao_lines_scan_fd() of the file with an empty callback: the
 *              read(2) calls and the line splitting of the real reader
 *
 * The differences between passes are the stages' costs. It also prints the
 * memos' hit rates and the GeoIP cache's.
 */
#include "ao_classify.h"
#include "ao_config.h"
#include "ao_logfmt.h"
#include "ao_pipeline.h"
#include "ao_tail.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *text;
static size_t text_len;
static size_t nlines;

enum { P_SPLIT, P_PARSE, P_CLASSIFY, P_CLASSIFY_NOMEMO, P_LINE, P_COUNT };
static const char *const pass_names[P_COUNT] = {
    "split (memchr)", "split + parse", "split + parse + classify",
    "... classify, memos off", "line step (ao_pipeline_line)"};

static const char *db_path;
static uint64_t memo_look[4], memo_hit[4];
static ao_health_t health;

static ao_pipeline_t *new_pipeline(void) {
  ao_err_t err;
  static ao_config_t cfg;
  static int init;
  if (!init) {
    ao_config_init(&cfg);
    cfg.files_from_caller = 1;
    cfg.geoip_database = strdup(db_path);
    ao_value_t lname = {.type = AO_VAL_STRING, .s = "bench"};
    if (ao_config_add_log(&cfg, &lname, 1, &err) == NULL ||
        ao_config_finish(&cfg, &err) != 0) {
      fprintf(stderr, "bench_stages: %s\n", err.msg);
      exit(1);
    }
    init = 1;
  }
  ao_pipeline_t *p = ao_pipeline_create(&cfg, &cfg.logs[0], 0, &err);
  if (p == NULL) {
    fprintf(stderr, "bench_stages: %s\n", err.msg);
    exit(1);
  }
  ao_pipeline_read(p, 0); /* loads the database */
  return p;
}

static double pass(int which, uint64_t *sink) {
  ao_err_t err;
  ao_parser_t *parser = ao_parser_create(AO_FMT_COMBINED, &err);
  ao_classifier_t *c = ao_classifier_create(65536, &err);
  ao_pipeline_t *p = which == P_LINE ? new_pipeline() : NULL;
  if (which == P_CLASSIFY_NOMEMO)
    ao_classifier_set_memo(c, 0);
  uint64_t acc = 0;
  double t0 = cpu_now();
  for (char *s = text, *end = text + text_len; s < end;) {
    char *nl = memchr(s, '\n', (size_t)(end - s));
    size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
    if (which == P_SPLIT) {
      acc += n;
    } else if (which == P_LINE) {
      ao_verdict_t v;
      ao_pipeline_line(p, s, n, &v);
      acc += v.cats;
    } else {
      ao_record_t rec;
      if (ao_parser_parse(parser, s, n, &rec) == 0) {
        acc += (uint64_t)rec.status;
        if (which >= P_CLASSIFY)
          acc += ao_classify(c, &rec);
      }
    }
    s = nl ? nl + 1 : end;
  }
  double t = cpu_now() - t0;
  if (which == P_CLASSIFY)
    for (int k = 0; k < 4; k++)
      ao_classifier_memo_stats(c, k, &memo_look[k], &memo_hit[k]);
  if (p != NULL) {
    ao_pipeline_health(p, &health);
    ao_pipeline_destroy(p);
  }
  ao_classifier_destroy(c);
  ao_parser_destroy(parser);
  *sink += acc;
  return t;
}

static int count_line(void *ud, const char *line, size_t len) {
  (void)line;
  *(uint64_t *)ud += len;
  return 0;
}

static double read_pass(const char *path, uint64_t *sink) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    perror(path);
    exit(1);
  }
  double t0 = cpu_now();
  ao_lines_scan_fd(fd, 65536, count_line, sink, NULL);
  double t = cpu_now() - t0;
  close(fd);
  return t;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench_stages LOG GEOIP_DB [ROUNDS]\n");
    return 2;
  }
  db_path = argv[2];
  int rounds = argc > 3 ? atoi(argv[3]) : 3;
  /* ONLY=k runs pass k alone (for a profiler) */
  int only = getenv("ONLY") != NULL ? atoi(getenv("ONLY")) : -1;
  FILE *f = fopen(argv[1], "rb");
  if (f == NULL) {
    perror(argv[1]);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  text_len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  text = malloc(text_len + 1);
  if (text == NULL || fread(text, 1, text_len, f) != text_len)
    return 1;
  fclose(f);
  for (size_t i = 0; i < text_len; i++)
    nlines += text[i] == '\n';
  double best[P_COUNT + 1];
  uint64_t sink = 0;
  for (int k = 0; k <= P_COUNT; k++)
    best[k] = 1e30;
  for (int r = 0; r < rounds; r++) {
    for (int k = 0; k < P_COUNT; k++) {
      if (only >= 0 && k != only)
        continue;
      double t = pass(k, &sink);
      if (t < best[k])
        best[k] = t;
    }
    if (only >= 0)
      continue;
    double t = read_pass(argv[1], &sink);
    if (t < best[P_COUNT])
      best[P_COUNT] = t;
  }
  printf("%zu lines, %.1f MB; CPU time per line, best of %d rounds\n",
         nlines, (double)text_len / 1e6, rounds);
  for (int k = 0; k < P_COUNT; k++)
    printf("  %-32s %8.1f ns/line %10.0f lines/s\n", pass_names[k],
           best[k] * 1e9 / (double)nlines, (double)nlines / best[k]);
  printf("  %-32s %8.1f ns/line\n", "read (ao_lines_scan_fd)",
         best[P_COUNT] * 1e9 / (double)nlines);
  printf("stages: split %.1f, parse %.1f, classify %.1f (memos off: %.1f), "
         "rest of the line step (buckets, address, GeoIP, counting) %.1f "
         "ns/line\n",
         best[P_SPLIT] * 1e9 / (double)nlines,
         (best[P_PARSE] - best[P_SPLIT]) * 1e9 / (double)nlines,
         (best[P_CLASSIFY] - best[P_PARSE]) * 1e9 / (double)nlines,
         (best[P_CLASSIFY_NOMEMO] - best[P_PARSE]) * 1e9 / (double)nlines,
         (best[P_LINE] - best[P_CLASSIFY]) * 1e9 /
             (double)nlines);
  static const char *const mn[4] = {"targets", "user agents", "referers",
                                    "paths"};
  for (int k = 0; k < 4; k++)
    printf("memo %-12s %9llu lookups, %5.1f%% hits\n", mn[k],
           (unsigned long long)memo_look[k],
           memo_look[k] ? 100.0 * (double)memo_hit[k] / (double)memo_look[k]
                        : 0.0);
  const ao_geo_stats_t *g = &health.geo;
  uint64_t asked = g->lookups - g->special - g->no_database;
  printf("GeoIP %llu lookups of attacks, %llu special, %.1f%% cache hits\n",
         (unsigned long long)g->lookups, (unsigned long long)g->special,
         asked ? 100.0 * (double)g->cache_hits / (double)asked : 0.0);
  fprintf(stderr, "(%llu)\n", (unsigned long long)(sink & 1));
  free(text);
  return 0;
}
