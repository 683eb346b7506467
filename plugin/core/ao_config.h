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

#include "ao_category.h"
#include "ao_common.h"
#include "ao_ip.h"
#include "ao_logfmt.h"
#include "ao_tail.h"
#include "ao_xff.h"

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
  /* brute force by rate (ao_rate.h) */
  unsigned bf_attempts;  /* BruteForceAttempts; 0: off */
  unsigned bf_notfound;  /* BruteForceNotFound; 0: off */
  double bf_window;      /* BruteForceWindow, seconds */
  size_t bf_capacity;    /* BruteForceTrackedAddresses */
  double rotate_wait;   /* seconds a rotated file is drained after it last
                           grew */
  uint64_t read_budget; /* bytes per read of a Log, 0: no byte limit */
  double read_time_fraction; /* of the interval, per read of a Log */
} ao_tunables_t;

enum {
  AO_SET_SHARE_WINDOW = 1u << 0,
  AO_SET_MIN_ATTACKS = 1u << 1,
  AO_SET_MAX_LINE = 1u << 2,
  AO_SET_BF_ATTEMPTS = 1u << 3,
  AO_SET_BF_NOTFOUND = 1u << 4,
  AO_SET_BF_WINDOW = 1u << 5,
  AO_SET_BF_CAPACITY = 1u << 6,
  AO_SET_ROTATE_WAIT = 1u << 7,
  AO_SET_READ_BUDGET = 1u << 8,
  AO_SET_READ_TIME_FRACTION = 1u << 9,
};

/* TrustedProxy CIDRs (repeatable option). */
typedef struct ao_trust_list {
  ao_cidr_t *cidr;
  size_t n;
  int set; /* given in this block (a Log's list replaces the plugin's) */
} ao_trust_list_t;

/* --- user rules (ao_rules.h) ------------------------------------------------ */

#define AO_RULE_MAX_VALUES 32

typedef struct ao_status_range {
  int lo, hi; /* inclusive */
} ao_status_range_t;

/* A <Rule NAME> or <Exclude NAME> block: every condition given must hold
 * (a condition with several values holds when one of them does). */
typedef struct ao_rule_config {
  char name[AO_LOG_NAME_MAX + 1];
  int exclude;  /* an <Exclude> block */
  int category; /* <Rule>: the category index */
  char *methods[AO_RULE_MAX_VALUES];
  size_t nmethods;
  char *path, *query, *user_agent, *referer; /* regexes, NULL: any */
  ao_status_range_t status[AO_RULE_MAX_VALUES];
  size_t nstatus;
  ao_cidr_t addr[AO_RULE_MAX_VALUES];
  size_t naddr;
  unsigned given; /* bits per rule option: duplicate detection */
} ao_rule_config_t;

/* Fields a SignatureFile's phrases are matched against. */
typedef enum ao_sig_field {
  AO_SIG_USER_AGENT,
  AO_SIG_REFERER,
  AO_SIG_PATH,
  AO_SIG_QUERY,
} ao_sig_field_t;

typedef struct ao_sigfile_config {
  char *path;
  int category;
  ao_sig_field_t field;
} ao_sigfile_config_t;

typedef struct ao_log_config {
  char name[AO_LOG_NAME_MAX + 1]; /* plugin instance, [A-Za-z0-9_]{1,63} */
  char *file;
  ao_format_id_t format;
  ao_start_t start_at;
  ao_tunables_t tun;
  uint64_t given; /* bit per option index: duplicate detection */
  /* format options (Format nginx/apache/json/caddy/traefik/regex) */
  char *log_format;          /* LogFormat */
  ao_escape_t escape;        /* Escape */
  char *regex;               /* Regex */
  char *json[AO_JF_COUNT];   /* ClientField ... TimeField */
  ao_trust_list_t trusted;   /* TrustedProxy, resolved by finish */
  /* detection (issue 5) */
  ao_catmask_t categories; /* built-in categories enabled (Categories) */
  ao_rule_config_t *rules; /* <Rule> and <Exclude> blocks, in order */
  size_t nrules;
  ao_sigfile_config_t *sigfiles;
  size_t nsigfiles;
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
  uint64_t given;
  ao_trust_list_t trusted; /* TrustedProxy of the plugin block */
  /* Set by the command-line tool, which reads the files it is given: a Log
   * then needs no File. */
  int files_from_caller;
  /* User categories (<Rule> Category, SignatureFile), shared by every Log
   * so that one name has one index: cat_names[i] is the name of category
   * AO_CAT_BUILTIN_COUNT + i. */
  char cat_names[AO_CAT_MAX - AO_CAT_BUILTIN_COUNT][AO_CAT_NAME_MAX + 1];
  int ncats;
  /* StateFile: the base path of the per-Log state files (see
   * ao_config_state_path()); NULL until the host sets its default (the
   * collectd adapter: BaseDir/attack_origin.state). No state is kept while
   * it is NULL. */
  char *state_file;
} ao_config_t;

enum {
  AO_SCOPE_PLUGIN = 1u << 0,
  AO_SCOPE_LOG = 1u << 1,
  AO_SCOPE_RULE = 1u << 2, /* inside <Rule> and <Exclude> blocks */
};

typedef struct ao_option {
  const char *name;
  unsigned scope;      /* AO_SCOPE_* */
  const char *type;    /* for documentation: "string", "number", ... */
  const char *def;     /* default, for documentation; NULL when required */
  const char *help;
  int repeatable;      /* may be given more than once in a block */
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

/* After ao_config_apply() failed: the node (option or block) the error is
 * about, or NULL. A host that knows where its nodes come from (the
 * command-line tool's --config reader keeps line numbers; collectd's
 * oconfig does not) adds the position to the message. Per thread. */
const ao_conf_node_t *ao_config_error_node(void);

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

/* The parser options of a Log (borrowing its strings). */
void ao_config_parser_options(const ao_log_config_t *log,
                              ao_parser_options_t *out);

/* 1 when name is a valid Log name. */
int ao_config_valid_name(const char *name);

/* The index of category `name`: a built-in one, or a user category known
 * to cfg; with `create`, a new user category is added when the name is
 * valid ([a-z0-9_], 1 to AO_CAT_NAME_MAX bytes) and a slot is free.
 * Returns the index, or -1 with err filled (err may be NULL). */
int ao_config_category(ao_config_t *cfg, const char *name, int create,
                       ao_err_t *err);

/* The name of category index cat in cfg (built-in or user), or NULL. */
const char *ao_config_category_name(const ao_config_t *cfg, int cat);
/* The state file of one Log: "<StateFile>-<Log name>" in a malloc'ed
 * string, or NULL when cfg has no StateFile (or ENOMEM). One file per Log,
 * so that Logs read in parallel threads never share a lock or a file. */
char *ao_config_state_path(const ao_config_t *cfg, const ao_log_config_t *log);

/* 1 when a journal Match value is valid: FIELD=value with FIELD of
 * [A-Z0-9_] not starting with a digit, or "+" (an OR between groups, as
 * journalctl writes it). */
int ao_config_valid_match(const char *m);

#endif /* AO_CONFIG_H */
