/*
 * main.c - the attack-origin command-line tool.
 *
 *   attack-origin scan [--format NAME] [--geoip DB] [--json] [--verdicts]
 *                      [--geoip-country-path PATH] [--max-line-length N]
 *                      FILE...
 *
 * Reads whole files ("-" is standard input) through the same core as the
 * collectd plugin and prints a report: attacks, share and categories per
 * country, sorted, with totals (--json: the same as one JSON document), or
 * with --verdicts one JSON object per input line. Flags mirror the plugin's
 * options and are checked by the same code (ao_config), so a value the
 * plugin would refuse is refused here with the same message.
 *
 * Exit status: 0 done; 1 an input could not be read (the others are still
 * reported); 2 bad arguments.
 */
#include "ao_config.h"
#include "ao_log.h"
#include "ao_pipeline.h"
#include "ao_report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VERSION "0.1.0"

static void usage(FILE *out) {
  fputs(
      "usage: attack-origin scan [options] FILE...\n"
      "\n"
      "Reads whole log files (\"-\" for standard input) and reports the attacks\n"
      "in them per country: attacks, origin share and categories.\n"
      "\n"
      "options (they mirror the collectd plugin's options):\n"
      "  --format NAME              line format: combined (default), common\n"
      "  --geoip DB                 MaxMind DB country or city database\n"
      "                             (default: the usual locations)\n"
      "  --geoip-country-path PATH  where records keep the country code\n"
      "                             (default: detected), e.g. country_code\n"
      "  --max-line-length N        longer lines are skipped (default 65536)\n"
      "  --json                     the report as one JSON document\n"
      "  --verdicts                 one JSON object per input line instead\n"
      "  -h, --help                 this help\n"
      "  --version                  the version\n",
      out);
}

static int usage_error(const char *fmt, ...) AO_PRINTF(1, 2);
static int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("attack-origin: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\n\n", stderr);
  usage(stderr);
  return 2;
}

typedef struct scan_state {
  int verdicts;
  const char *file; /* for verdicts with several inputs, else NULL */
  uint64_t line_no; /* per input */
} scan_state_t;

static int on_verdict(void *ud, const ao_verdict_t *v, const char *line,
                      size_t len) {
  (void)line;
  (void)len;
  scan_state_t *st = ud;
  st->line_no++;
  if (st->verdicts)
    ao_report_verdict(stdout, v, st->line_no, st->file);
  return 0;
}

/* Feeds one option to the config code as the plugin's adapter would. */
static int set_option(ao_config_t *cfg, ao_log_config_t *log, const char *key,
                      const char *arg, int numeric) {
  ao_value_t v = {.type = AO_VAL_STRING, .s = arg};
  if (numeric) {
    char *end = NULL;
    errno = 0;
    double n = strtod(arg, &end);
    if (errno != 0 || end == arg || *end != '\0') {
      fprintf(stderr, "attack-origin: %s: \"%s\" is not a number\n", key, arg);
      return -1;
    }
    v = (ao_value_t){.type = AO_VAL_NUMBER, .n = n};
  }
  ao_err_t err = {{0}};
  int rc = log != NULL ? ao_config_log_set(cfg, log, key, &v, 1, &err)
                       : ao_config_set(cfg, key, &v, 1, &err);
  if (rc != 0)
    fprintf(stderr, "attack-origin: %s\n", err.msg);
  return rc;
}

static int cmd_scan(int argc, char **argv) {
  ao_config_t cfg;
  ao_config_init(&cfg);
  ao_value_t name = {.type = AO_VAL_STRING, .s = "scan"};
  ao_err_t err = {{0}};
  ao_log_config_t *log = ao_config_add_log(&cfg, &name, 1, &err);
  int json = 0, verdicts = 0, rc = 0;
  int first_file = argc;

  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    const char *key = NULL;
    int numeric = 0, on_log = 1;
    if (strcmp(a, "--") == 0) {
      first_file = i + 1;
      break;
    } else if (strcmp(a, "--json") == 0) {
      json = 1;
      continue;
    } else if (strcmp(a, "--verdicts") == 0) {
      verdicts = 1;
      continue;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      ao_config_free(&cfg);
      return 0;
    } else if (strcmp(a, "--format") == 0) {
      key = "Format";
    } else if (strcmp(a, "--geoip") == 0) {
      key = "GeoIPDatabase";
      on_log = 0;
    } else if (strcmp(a, "--geoip-country-path") == 0) {
      key = "GeoIPCountryPath";
      on_log = 0;
    } else if (strcmp(a, "--max-line-length") == 0) {
      key = "MaxLineLength";
      numeric = 1;
    } else if (a[0] == '-' && a[1] != '\0') {
      ao_config_free(&cfg);
      return usage_error("unknown option %s", a);
    } else {
      first_file = i;
      break;
    }
    if (i + 1 >= argc) {
      ao_config_free(&cfg);
      return usage_error("option %s needs a value", a);
    }
    if (set_option(&cfg, on_log ? log : NULL, key, argv[++i], numeric) != 0) {
      ao_config_free(&cfg);
      usage(stderr);
      return 2;
    }
  }
  if (json && verdicts) {
    ao_config_free(&cfg);
    return usage_error("%s", "--json and --verdicts exclude each other");
  }
  if (first_file >= argc) {
    ao_config_free(&cfg);
    return usage_error("%s", "no input file (use - for standard input)");
  }
  ao_config_inherit(&cfg, log);

  ao_pipeline_t *p = ao_pipeline_create(&cfg, log, 0, &err);
  if (p == NULL) {
    fprintf(stderr, "attack-origin: %s\n", err.msg);
    ao_config_free(&cfg);
    return 2;
  }
  ao_pipeline_set_geolocate_all(p, verdicts);

  size_t files = 0;
  int several = argc - first_file > 1;
  for (int i = first_file; i < argc; i++) {
    const char *path = argv[i];
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) {
      fprintf(stderr, "attack-origin: cannot open %s: %s\n", path,
              strerror(errno));
      rc = 1;
      continue;
    }
    scan_state_t st = {verdicts, several ? path : NULL, 0};
    if (ao_pipeline_scan_fd(p, fd, on_verdict, &st) != 0) {
      fprintf(stderr, "attack-origin: error reading %s: %s\n", path,
              strerror(errno));
      rc = 1;
    }
    if (fd != STDIN_FILENO)
      close(fd);
    files++;
  }

  if (!verdicts) {
    ao_report_input_t in = {.counts = ao_pipeline_counts(p), .files = files};
    ao_pipeline_health(p, &in.health);
    in.geoip_path = ao_pipeline_geoip_path(p);
    if (json)
      ao_report_json(stdout, &in);
    else
      ao_report_text(stdout, &in);
  }
  ao_pipeline_destroy(p);
  ao_config_free(&cfg);
  if (fflush(stdout) != 0)
    rc = 1;
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return usage_error("%s", "missing command");
  if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("attack-origin %s\n", VERSION);
    return 0;
  }
  if (strcmp(argv[1], "scan") == 0)
    return cmd_scan(argc - 2, argv + 2);
  return usage_error("unknown command %s", argv[1]);
}
