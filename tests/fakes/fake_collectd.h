/*
 * fake_collectd.h - a recording stand-in for the collectd daemon.
 *
 * The adapter's unit test links this instead of collectd: every function
 * the plugin imports from the daemon is defined here and records what it
 * was given (registrations, dispatched value lists, log messages,
 * complaints), so the test can drive config -> init -> read by hand and
 * check what would have reached collectd's writers.
 */
#ifndef FAKE_COLLECTD_H
#define FAKE_COLLECTD_H

#include "collectd/core/daemon/plugin.h"

typedef struct fake_value {
  char plugin[DATA_MAX_NAME_LEN];
  char plugin_instance[DATA_MAX_NAME_LEN];
  char type[DATA_MAX_NAME_LEN];
  char type_instance[DATA_MAX_NAME_LEN];
  value_t value;
  cdtime_t time;
} fake_value_t;

typedef struct fake_read {
  char name[DATA_MAX_NAME_LEN];
  plugin_read_cb cb;
  user_data_t ud;
} fake_read_t;

#define FAKE_MAX_VALUES 100000
#define FAKE_MAX_READS 16
#define FAKE_MAX_LOGS 256

typedef struct fake_state {
  int (*config_cb)(oconfig_item_t *);
  int (*init_cb)(void);
  int (*shutdown_cb)(void);
  fake_read_t reads[FAKE_MAX_READS];
  int nreads;
  fake_value_t *values; /* FAKE_MAX_VALUES */
  int nvalues;
  int dispatch_fail; /* plugin_dispatch_values() returns -1 when set */
  char logs[FAKE_MAX_LOGS][1024];
  int log_levels[FAKE_MAX_LOGS];
  int nlogs;
  int complaints; /* c_complain calls that logged */
  cdtime_t interval;
  const char *base_dir; /* global_option_get("BaseDir"); NULL: unset */
} fake_state_t;

extern fake_state_t fake;

/* Clears every record (keeps nothing registered). */
void fake_reset(void);
/* Frees read callbacks' user data, as collectd does at shutdown. */
void fake_free_reads(void);
/* The last dispatched value of an identifier, or NULL. */
const fake_value_t *fake_find(const char *plugin_instance, const char *type,
                              const char *type_instance);
/* Number of log messages containing needle. */
int fake_log_count(const char *needle);

#endif
