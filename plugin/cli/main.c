/*
 * main.c - the attack-origin command-line tool.
 *
 *   attack-origin scan [--format NAME] [--geoip DB] [--json] [--verdicts]
 *                      [--geoip-country-path PATH] [--max-line-length N]
 *                      [--log-format S] [--escape M] [--regex P]
 *                      [--trusted-proxy CIDR]... [--client-field PATH] ...
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
#include "ao_normalize.h"
#include "ao_pipeline.h"
#include "ao_tail.h"
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
      "       attack-origin fields [options] FILE...\n"
      "\n"
      "scan reads whole log files (\"-\" for standard input) and reports the\n"
      "attacks in them per country: attacks, origin share and categories.\n"
      "fields prints what the parser reads from every line (one JSON object\n"
      "per line), to check a Format and LogFormat.\n"
      "\n"
      "options (they mirror the collectd plugin's options):\n"
      "  --format NAME              line format: combined (default), common,\n"
      "                             nginx, apache, json, caddy, traefik, sshd,\n"
      "                             regex\n"
      "  --log-format STRING        nginx log_format / Apache LogFormat string\n"
      "  --escape MODE              nginx escape=: default, json, none\n"
      "  --regex PATTERN            Format regex: PCRE2 with (?<client>...)\n"
      "  --trusted-proxy CIDR       proxy whose X-Forwarded-For is believed\n"
      "                             (repeatable)\n"
      "  --client-field PATH        JSON: dot path of the client address; also\n"
      "                             --xff-field --method-field --uri-field\n"
      "                             --query-field --status-field\n"
      "                             --user-agent-field --referer-field\n"
      "                             --host-field --protocol-field\n"
      "                             --request-field --time-field\n"
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

/* Flags that are plugin options: the tool builds the same configuration
 * tree collectd.conf would give, so the same code checks it. */
typedef struct flag_option {
  const char *flag;
  const char *option;
  int on_log;  /* an option of the <Log> block, else of the plugin block */
  int numeric; /* the value is a number */
} flag_option_t;

static const flag_option_t flag_options[] = {
    {"--format", "Format", 1, 0},
    {"--max-line-length", "MaxLineLength", 1, 1},
    {"--geoip", "GeoIPDatabase", 0, 0},
    {"--geoip-country-path", "GeoIPCountryPath", 0, 0},
    {"--log-format", "LogFormat", 1, 0},
    {"--escape", "Escape", 1, 0},
    {"--regex", "Regex", 1, 0},
    /* repeatable: each occurrence is one more TrustedProxy option */
    {"--trusted-proxy", "TrustedProxy", 1, 0},
    {"--client-field", "ClientField", 1, 0},
    {"--xff-field", "XffField", 1, 0},
    {"--method-field", "MethodField", 1, 0},
    {"--uri-field", "URIField", 1, 0},
    {"--query-field", "QueryField", 1, 0},
    {"--status-field", "StatusField", 1, 0},
    {"--user-agent-field", "UserAgentField", 1, 0},
    {"--referer-field", "RefererField", 1, 0},
    {"--host-field", "HostField", 1, 0},
    {"--protocol-field", "ProtocolField", 1, 0},
    {"--request-field", "RequestField", 1, 0},
    {"--time-field", "TimeField", 1, 0},
};

#define MAX_FLAGS 64

static const flag_option_t *find_flag(const char *arg) {
  for (size_t i = 0; i < sizeof(flag_options) / sizeof(flag_options[0]); i++)
    if (strcmp(arg, flag_options[i].flag) == 0)
      return &flag_options[i];
  return NULL;
}

static int to_value(const flag_option_t *f, const char *arg, ao_value_t *v) {
  *v = (ao_value_t){.type = AO_VAL_STRING, .s = arg};
  if (!f->numeric)
    return 0;
  char *end = NULL;
  errno = 0;
  double n = strtod(arg, &end);
  if (errno != 0 || end == arg || *end != '\0') {
    fprintf(stderr, "attack-origin: %s: \"%s\" is not a number\n", f->flag,
            arg);
    return -1;
  }
  *v = (ao_value_t){.type = AO_VAL_NUMBER, .n = n};
  return 0;
}

static int cmd_fields(ao_config_t *cfg, int argc, char **argv, int first);

/* scan: the report; fields (fields_mode): what the parser read. */
static int cmd_scan(int argc, char **argv, int fields_mode) {
  /* The tree: <Plugin> options, then one <Log "scan"> with its options. */
  ao_value_t vals[MAX_FLAGS];
  ao_conf_node_t plug_opts[MAX_FLAGS + 1], log_opts[MAX_FLAGS];
  size_t nplug = 0, nlog = 0, nvals = 0;
  int json = 0, verdicts = 0, rc = 0;
  int first_file = argc;

  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
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
      return 0;
    }
    const flag_option_t *f = find_flag(a);
    if (f == NULL && a[0] == '-' && a[1] != '\0')
      return usage_error("unknown option %s", a);
    if (f == NULL) {
      first_file = i;
      break;
    }
    if (i + 1 >= argc)
      return usage_error("option %s needs a value", a);
    if (nvals >= MAX_FLAGS)
      return usage_error("%s", "too many options");
    if (to_value(f, argv[++i], &vals[nvals]) != 0) {
      usage(stderr);
      return 2;
    }
    ao_conf_node_t node = {.key = f->option, .values = &vals[nvals++],
                           .nvalues = 1};
    if (f->on_log)
      log_opts[nlog++] = node;
    else
      plug_opts[nplug++] = node;
  }
  if (json && verdicts)
    return usage_error("%s", "--json and --verdicts exclude each other");
  if (first_file >= argc)
    return usage_error("%s", "no input file (use - for standard input)");

  ao_value_t name = {.type = AO_VAL_STRING, .s = "scan"};
  plug_opts[nplug++] = (ao_conf_node_t){.key = "Log", .values = &name,
                                        .nvalues = 1, .children = log_opts,
                                        .nchildren = nlog};
  ao_conf_node_t root = {.key = "Plugin", .children = plug_opts,
                         .nchildren = nplug};
  ao_config_t cfg;
  ao_config_init(&cfg);
  cfg.files_from_caller = 1;
  ao_err_t err = {{0}};
  if (ao_config_apply(&cfg, &root, &err) != 0 ||
      ao_config_finish(&cfg, &err) != 0) {
    ao_config_free(&cfg);
    fprintf(stderr, "attack-origin: %s\n\n", err.msg);
    usage(stderr);
    return 2;
  }
  if (fields_mode) {
    rc = cmd_fields(&cfg, argc, argv, first_file);
    ao_config_free(&cfg);
    return rc;
  }
  ao_log_config_t *log = &cfg.logs[0];

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

/* ---- fields: one JSON object per line with what the parser read ------- */

/* A byte string as a JSON string: bytes outside printable ASCII as \u00XX,
 * so that every byte survives (read it back as Latin-1). */
static void json_bytes(FILE *out, ao_slice_t s) {
  fputc('"', out);
  for (size_t i = 0; i < s.n; i++) {
    unsigned char c = (unsigned char)s.p[i];
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c < 0x20 || c >= 0x7f)
      fprintf(out, "\\u%04x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

typedef struct fields_state {
  ao_parser_t *parser;
  char *buf; /* decoding of server escapes */
  uint64_t line_no;
} fields_state_t;

static void field(FILE *out, fields_state_t *st, const ao_record_t *r,
                  const char *name, ao_slice_t v) {
  fprintf(out, ", \"%s\": ", name);
  if (v.n == 0) {
    fputs("null", out);
    return;
  }
  /* The classifier decodes server escapes (nginx \xHH, Apache \" \\ \n);
   * show the same bytes. */
  if ((r->flags & AO_REC_ESCAPED) && memchr(v.p, '\\', v.n) != NULL) {
    size_t k = ao_norm_unescape_log(v.p, v.n, st->buf);
    v = (ao_slice_t){st->buf, k};
  }
  json_bytes(out, v);
}

static int on_fields_line(void *ud, const char *line, size_t len) {
  fields_state_t *st = ud;
  ao_record_t r;
  st->line_no++;
  int rc = len == 0 ? -1 : ao_parser_parse(st->parser, line, len, &r);
  printf("{\"line\": %llu, \"result\": \"%s\"", (unsigned long long)st->line_no,
         rc == 0 ? "ok" : rc == AO_PARSE_IGNORED ? "ignored" : "error");
  if (rc == 0) {
    field(stdout, st, &r, "addr", r.addr);
    field(stdout, st, &r, "time", r.time);
    field(stdout, st, &r, "request", r.request);
    field(stdout, st, &r, "method", r.method);
    field(stdout, st, &r, "target", r.target);
    field(stdout, st, &r, "query", r.query);
    field(stdout, st, &r, "protocol", r.protocol);
    field(stdout, st, &r, "referer", r.referer);
    field(stdout, st, &r, "user_agent", r.user_agent);
    field(stdout, st, &r, "xff", r.xff);
    field(stdout, st, &r, "host", r.host);
    if (r.status >= 0)
      printf(", \"status\": %d", r.status);
    else
      fputs(", \"status\": null", stdout);
    printf(", \"not_http\": %s, \"auth_failure\": %s, \"scanner\": %s, "
           "\"repeat\": %u",
           (r.flags & AO_REC_NOT_HTTP) ? "true" : "false",
           (r.flags & AO_REC_AUTH_FAILURE) ? "true" : "false",
           (r.flags & AO_REC_SCANNER) ? "true" : "false",
           r.repeat > 1 ? r.repeat : (r.flags & (AO_REC_AUTH_FAILURE |
                                                 AO_REC_SCANNER))
                                         ? 1u
                                         : 0u);
  }
  fputs("}\n", stdout);
  return 0;
}

static int cmd_fields(ao_config_t *cfg, int argc, char **argv, int first) {
  ao_log_config_t *log = &cfg->logs[0];
  ao_parser_options_t po;
  ao_config_parser_options(log, &po);
  ao_err_t err = {{0}};
  fields_state_t st = {ao_parser_create_opts(&po, &err), NULL, 0};
  if (st.parser == NULL) {
    fprintf(stderr, "attack-origin: %s\n", err.msg);
    return 2;
  }
  st.buf = malloc(log->tun.max_line + 1);
  if (st.buf == NULL) {
    ao_parser_destroy(st.parser);
    return 1;
  }
  int rc = 0;
  for (int i = first; i < argc; i++) {
    const char *path = argv[i];
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) {
      fprintf(stderr, "attack-origin: cannot open %s: %s\n", path,
              strerror(errno));
      rc = 1;
      continue;
    }
    ao_tail_stats_t stats;
    memset(&stats, 0, sizeof(stats));
    st.line_no = 0;
    if (ao_lines_scan_fd(fd, log->tun.max_line, on_fields_line, &st,
                         &stats) != 0) {
      fprintf(stderr, "attack-origin: error reading %s: %s\n", path,
              strerror(errno));
      rc = 1;
    }
    if (fd != STDIN_FILENO)
      close(fd);
  }
  free(st.buf);
  ao_parser_destroy(st.parser);
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
    return cmd_scan(argc - 2, argv + 2, 0);
  if (strcmp(argv[1], "fields") == 0)
    return cmd_scan(argc - 2, argv + 2, 1);
  return usage_error("unknown command %s", argv[1]);
}
