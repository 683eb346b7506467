/*
 * ao_pipeline.h - one <Log>: lines in, counted attacks per country out.
 *
 * DESCRIPTION
 *   A pipeline owns everything one Log needs - its sources (ao_source.h:
 *   the files of its File options, the journal),
 *   the line parser (ao_logfmt), the classifier (ao_classify), a GeoIP
 *   handle with its cache (ao_geo), the cumulative counters (ao_counts) and
 *   the share window (ao_share) - and wires them: for every complete line,
 *   parse, classify, and for an attack parse the address strictly, look its
 *   country up and count it. Nothing on that path allocates.
 *
 *   The collectd adapter calls ao_pipeline_read() once per interval and then
 *   reads the counters; the command-line tool feeds whole streams through
 *   ao_pipeline_scan_fd() and gets a verdict per line.
 *
 *   Unit of counting: one attack per attack line, whatever the number of
 *   categories it matches; per-category counters count the line once in
 *   each matching category (so they may sum to more than the total). An
 *   sshd line that stands for N attempts ("message repeated N times")
 *   counts N (see ao_fmt_sshd.h for the sshd unit).
 *
 *   Client address: the line's address field, unless TrustedProxy is set,
 *   the address is a trusted proxy and the line has a forwarded-for value:
 *   then the client found by ao_xff_client() (rightmost untrusted entry).
 *
 *   Threads: a pipeline is used by one thread at a time (collectd never runs
 *   one read callback concurrently with itself). Pipelines share nothing.
 */
#ifndef AO_PIPELINE_H
#define AO_PIPELINE_H

#include "ao_category.h"
#include "ao_common.h"
#include "ao_config.h"
#include "ao_counts.h"
#include "ao_country.h"
#include "ao_geo.h"
#include "ao_ip.h"
#include "ao_share.h"

#include <stdint.h>

typedef struct ao_verdict {
  uint64_t line_no;    /* 1-based, per pipeline */
  int empty;           /* an empty line: ignored */
  int parse_error;     /* the line does not have the Log's format */
  int ignored;         /* not for this format to count (sshd: a line of
                          another program in auth.log) */
  unsigned attacks;    /* attacks the line counts: 1, or more for sshd's
                          "message repeated N times"; 0 when cats is 0 */
  int addr_valid;      /* the address field is a valid IP address (judged
                          for attacks, or every line with geolocate_all) */
  ao_ip_t ip;          /* when addr_valid */
  ao_country_t country; /* of attacks (ZZ for others, see
                           ao_pipeline_set_geolocate_all()) */
  ao_catmask_t cats;   /* 0: not an attack */
} ao_verdict_t;

/* The pipeline's own health, for the plugin's self-metrics. */
typedef struct ao_health {
  uint64_t lines_read;        /* complete lines, including oversized ones */
  uint64_t lines_unparsed;    /* lines that did not have the format */
  uint64_t lines_ignored;     /* lines of other programs (sshd format) */
  uint64_t regex_errors;      /* Format regex: matches stopped by a limit */
  uint64_t lines_oversized;   /* lines longer than MaxLineLength, skipped */
  uint64_t lines_partial;     /* fragments dropped at rotation/truncation */
  uint64_t lines_attack;      /* attack lines (all countries) */
  uint64_t addresses_invalid; /* attack lines whose address did not parse */
  uint64_t rotations;
  uint64_t truncations;
  uint64_t read_errors;
  uint64_t lag_bytes;         /* unread bytes after the last read */
  uint64_t rule_errors;       /* <Rule>/<Exclude> regex matches stopped by
                                 a PCRE2 limit (the condition then does
                                 not hold) */
  ao_geo_stats_t geo;
  int geo_loaded;
  uint64_t geo_build_epoch;   /* Unix seconds, 0 when none is loaded */
  uint64_t bruteforce_evictions; /* addresses dropped from the full table */
  uint64_t bruteforce_tracked;   /* addresses tracked now (a gauge) */
  /* Sources and state (issue 4). Counters continue across restarts. */
  uint64_t files_open;          /* gauge: files (and journals) open now */
  uint64_t read_budget_stops;   /* reads cut short by ReadBudget or
                                   ReadTimeFraction */
  uint64_t truncation_copies;   /* truncations whose copy was found and
                                   drained */
  uint64_t files_lost;          /* saved files rotated away and removed
                                   while collectd was stopped */
  uint64_t journal_errors;      /* journal open/read failures */
  uint64_t state_save_failures; /* state files that could not be written */
  uint64_t state_rejected;      /* state files refused at start (damaged,
                                   another version, unreadable) */
} ao_health_t;

typedef struct ao_pipeline ao_pipeline_t;

/* Builds the pipeline of one Log of a finished configuration
 * (ao_config_finish()). log->file may be NULL for scan-only use.
 * resolution is the read interval in seconds (share-window slots); 0 makes a
 * pipeline without share window (the command-line tool). Returns NULL with
 * err filled on invalid settings or ENOMEM; a missing log file or GeoIP
 * database is not an error (both are retried). */
ao_pipeline_t *ao_pipeline_create(const ao_config_t *cfg,
                                  const ao_log_config_t *log,
                                  double resolution, ao_err_t *err);
void ao_pipeline_destroy(ao_pipeline_t *p); /* NULL is a no-op */

/* One interval: refreshes the GeoIP database if it changed, moves the share
 * window to now (seconds, monotonic) and processes every complete line
 * appended to the file since the last call. Returns 0, or -1 when the file
 * is unavailable (complained about; counters unchanged). */
int ao_pipeline_read(ao_pipeline_t *p, double now);

/* Called for every line by ao_pipeline_scan_fd(); line[0..len) and *v are
 * valid during the call only. Non-zero stops the scan. */
typedef int (*ao_verdict_fn)(void *ud, const ao_verdict_t *v, const char *line,
                             size_t len);

/* Processes a whole stream (a file or stdin) to its end, including a last
 * line without newline, counting like ao_pipeline_read(). fn may be NULL.
 * Returns 0, or -1 with errno on a read error. */
int ao_pipeline_scan_fd(ao_pipeline_t *p, int fd, ao_verdict_fn fn, void *ud);

/* Processes one line (without newline) and fills *v. Exposed for tests and
 * benchmarks; ao_pipeline_read() and _scan_fd() use it. */
void ao_pipeline_line(ao_pipeline_t *p, const char *line, size_t len,
                      ao_verdict_t *v);

/* When on, verdicts carry the country of every line with a valid address,
 * not only of attacks (the command-line tool's --verdicts). Counting is the
 * same either way. */
void ao_pipeline_set_geolocate_all(ao_pipeline_t *p, int on);

const ao_counts_t *ao_pipeline_counts(const ao_pipeline_t *p);
/* The share window, or NULL for a pipeline created with resolution 0. */
const ao_share_t *ao_pipeline_share(const ao_pipeline_t *p);
uint64_t ao_pipeline_min_attacks(const ao_pipeline_t *p);
void ao_pipeline_health(const ao_pipeline_t *p, ao_health_t *out);
const char *ao_pipeline_name(const ao_pipeline_t *p);
/* The name of category cat as this pipeline counts it: a built-in name or
 * a user category of the configuration; NULL for an unused index. */
const char *ao_pipeline_category_name(const ao_pipeline_t *p, int cat);
/* The path of the GeoIP database in use, or NULL when none is loaded. */
const char *ao_pipeline_geoip_path(const ao_pipeline_t *p);

/* Persisted state (see README, "Restarts"). ao_pipeline_create() loads the
 * Log's state file (ao_config_state_path()) when the configuration has a
 * StateFile: positions and counters continue from it; a state file that
 * is damaged, of another version or unreadable is reported, counted
 * (state_rejected) and ignored (StartAt applies). ao_pipeline_save_state()
 * writes positions and counters together, atomically; the collectd adapter
 * calls it after each interval's dispatch. Returns 0 (also when there is
 * no state file to write), or -1 (complained about once, counted in
 * state_save_failures, retried next time). */
int ao_pipeline_save_state(ao_pipeline_t *p);
/* The Log's state file, or NULL. */
const char *ao_pipeline_state_path(const ao_pipeline_t *p);

/* The health counters that are cumulative (DERIVE) and saved in the state,
 * by their metric names (ao_health_metrics() in the adapter uses the same
 * names): 1 when name is one of them. */
int ao_health_persisted(const char *name);

#endif /* AO_PIPELINE_H */
