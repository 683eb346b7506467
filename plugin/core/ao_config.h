/*
 * ao_config.h - the plugin's options: defaults, types, checks.
 *
 * DESCRIPTION
 *   One table (ao_config_options()) names every option, where it may appear
 *   (the <Plugin attack_origin> block, a <Log NAME> block, or both), its
 *   default and a one-line help; the setters in ao_config.c check types and
 *   ranges. Host adapters walk their own syntax (collectd's oconfig tree;
 *   the command-line tool's flags) and feed each key with its values here,
 *   so that both refuse the same mistakes with the same words.
 *
 *   Option names are matched ignoring case, as collectd does. Every error
 *   names the block, the option and the value, e.g.
 *     <Log "web"> Format: unknown value "combind" (expected "combined" or
 *     "common")
 *   Unknown options, wrong value types, values out of range, options given
 *   twice in one block, duplicate Log names and missing required options are
 *   all errors. Options set in the plugin block and allowed in a Log block
 *   are the defaults for every Log that does not set them.
 *
 *   Ownership: ao_config_t owns every string it holds; ao_config_free()
 *   releases them.
 */
#ifndef AO_CONFIG_H
#define AO_CONFIG_H

#include "ao_common.h"
#include "ao_logfmt.h"
#include "ao_tail.h"

#include <stddef.h>
#include <stdint.h>

#define AO_LOG_NAME_MAX 63

typedef enum ao_value_type {
  AO_VAL_STRING,
  AO_VAL_NUMBER,
  AO_VAL_BOOLEAN,
} ao_value_type_t;

/* One value of an option, as the host's parser typed it. */
typedef struct ao_value {
  ao_value_type_t type;
  const char *s; /* AO_VAL_STRING */
  double n;      /* AO_VAL_NUMBER */
  int b;         /* AO_VAL_BOOLEAN */
} ao_value_t;

/* A configuration block or option in a host-neutral form: collectd's
 * oconfig tree and the command-line tool's flags are both turned into this
 * and given to ao_config_apply(), so nested blocks (<Log>, and those later
 * issues add inside it) are walked here, not in every host. */
typedef struct ao_conf_node {
  const char *key;
  const ao_value_t *values;
  size_t nvalues;
  const struct ao_conf_node *children;
  size_t nchildren;
} ao_conf_node_t;

/* Settings that a Log inherits from the plugin block unless it sets them. */
typedef struct ao_tunables {
  double share_window;  /* seconds */
  uint64_t min_attacks; /* attacks in the window before shares exist */
  size_t max_line;      /* bytes */
  unsigned set;         /* AO_SET_* bits: given explicitly in this block */
  double rotate_wait;   /* seconds a rotated file is drained after it last
                           grew */
  uint64_t read_budget; /* bytes per read of a Log, 0: no byte limit */
  double read_time_fraction; /* of the interval, per read of a Log */
} ao_tunables_t;

enum {
  AO_SET_SHARE_WINDOW = 1u << 0,
  AO_SET_MIN_ATTACKS = 1u << 1,
  AO_SET_MAX_LINE = 1u << 2,
  AO_SET_ROTATE_WAIT = 1u << 3,
  AO_SET_READ_BUDGET = 1u << 4,
  AO_SET_READ_TIME_FRACTION = 1u << 5,
};

typedef struct ao_log_config {
  char name[AO_LOG_NAME_MAX + 1]; /* plugin instance, [A-Za-z0-9_]{1,63} */
  char *file;
  ao_format_id_t format;
  ao_start_t start_at;
  ao_tunables_t tun;
  unsigned given; /* bit per option index: duplicate detection */
  /* Every File value (file is files[0]): paths and glob patterns. */
  char **files;
  size_t nfiles;
  /* The journal source (Journal true). */
  int journal;
  char **matches; /* Match values, journal match syntax */
  size_t nmatches;
  char *journal_path; /* NULL: the system journal */
} ao_log_config_t;

typedef struct ao_config {
  char *geoip_database;     /* NULL: the default paths */
  char *geoip_country_path; /* NULL: detect the layout */
  size_t geoip_cache_size;
  ao_tunables_t tun;
  ao_log_config_t *logs;
  size_t nlogs;
  unsigned given;
  /* Set by the command-line tool, which reads the files it is given: a Log
   * then needs no File. */
  int files_from_caller;
  /* StateFile: the base path of the per-Log state files (see
   * ao_config_state_path()); NULL until the host sets its default (the
   * collectd adapter: BaseDir/attack_origin.state). No state is kept while
   * it is NULL. */
  char *state_file;
} ao_config_t;

enum {
  AO_SCOPE_PLUGIN = 1u << 0,
  AO_SCOPE_LOG = 1u << 1,
};

typedef struct ao_option {
  const char *name;
  unsigned scope;      /* AO_SCOPE_* */
  const char *type;    /* for documentation: "string", "number", ... */
  const char *def;     /* default, for documentation; NULL when required */
  const char *help;
} ao_option_t;

/* The option table, terminated by an entry whose name is NULL. */
const ao_option_t *ao_config_options(void);

void ao_config_init(ao_config_t *cfg);
void ao_config_free(ao_config_t *cfg);

/* Applies the children of one <Plugin attack_origin> block (a host may give
 * several blocks; they add up). Each <Log> child is opened, filled and
 * closed (ao_config_log_done()). Returns 0, or -1 with err filled at the
 * first mistake. */
int ao_config_apply(ao_config_t *cfg, const ao_conf_node_t *block,
                    ao_err_t *err);

/* Sets an option of the plugin block. Returns 0, or -1 with err filled. */
int ao_config_set(ao_config_t *cfg, const char *key, const ao_value_t *vals,
                  size_t nvals, ao_err_t *err);

/* Opens a <Log NAME> block: vals must be one string, a valid name not yet
 * used. Returns the new block, or NULL with err filled. The pointer is valid
 * until the next ao_config_add_log(). */
ao_log_config_t *ao_config_add_log(ao_config_t *cfg, const ao_value_t *vals,
                                   size_t nvals, ao_err_t *err);

/* Sets an option of a Log block. Returns 0, or -1 with err filled. */
int ao_config_log_set(ao_config_t *cfg, ao_log_config_t *log, const char *key,
                      const ao_value_t *vals, size_t nvals, ao_err_t *err);

/* Closes a <Log> block: checks its required options (File). A Log block
 * cannot continue elsewhere, so hosts call this at its end, and a missing
 * File refuses the configuration itself. Returns 0, or -1 with err filled. */
int ao_config_log_done(const ao_log_config_t *log, ao_err_t *err);

/* Checks what can only be checked once every option is known (every Log
 * done, at least one Log, two Logs on one file) and resolves inherited
 * settings into every Log's `tun`. Returns 0, or -1 with err filled. */
int ao_config_finish(ao_config_t *cfg, ao_err_t *err);

/* 1 when name is a valid Log name. */
int ao_config_valid_name(const char *name);

/* The state file of one Log: "<StateFile>-<Log name>" in a malloc'ed
 * string, or NULL when cfg has no StateFile (or ENOMEM). One file per Log,
 * so that Logs read in parallel threads never share a lock or a file. */
char *ao_config_state_path(const ao_config_t *cfg, const ao_log_config_t *log);

/* 1 when a journal Match value is valid: FIELD=value with FIELD of
 * [A-Z0-9_] not starting with a digit, or "+" (an OR between groups, as
 * journalctl writes it). */
int ao_config_valid_match(const char *m);

#endif /* AO_CONFIG_H */
