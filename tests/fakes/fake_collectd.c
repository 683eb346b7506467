/*
 * fake_collectd.c - a recording stand-in for the collectd daemon (see
 * fake_collectd.h).
 */
#include "fake_collectd.h"

#include "collectd/core/daemon/utils_complain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

fake_state_t fake;

void fake_reset(void) {
  free(fake.values);
  memset(&fake, 0, sizeof(fake));
  fake.values = calloc(FAKE_MAX_VALUES, sizeof(*fake.values));
  fake.interval = DOUBLE_TO_CDTIME_T(10.0);
}

void fake_free_reads(void) {
  for (int i = 0; i < fake.nreads; i++)
    if (fake.reads[i].ud.free_func != NULL)
      fake.reads[i].ud.free_func(fake.reads[i].ud.data);
  fake.nreads = 0;
}

const fake_value_t *fake_find(const char *pi, const char *type,
                              const char *ti) {
  for (int i = fake.nvalues - 1; i >= 0; i--) {
    const fake_value_t *v = &fake.values[i];
    if (strcmp(v->plugin_instance, pi) == 0 && strcmp(v->type, type) == 0 &&
        strcmp(v->type_instance, ti) == 0)
      return v;
  }
  return NULL;
}

int fake_log_count(const char *needle) {
  int n = 0;
  for (int i = 0; i < fake.nlogs && i < FAKE_MAX_LOGS; i++)
    if (strstr(fake.logs[i], needle) != NULL)
      n++;
  return n;
}

/* ---- the daemon's exported functions the plugin uses -------------------- */

int plugin_register_complex_config(const char *type,
                                   int (*callback)(oconfig_item_t *)) {
  (void)type;
  fake.config_cb = callback;
  return 0;
}

int plugin_register_init(const char *name, plugin_init_cb callback) {
  (void)name;
  fake.init_cb = callback;
  return 0;
}

int plugin_register_shutdown(const char *name, plugin_shutdown_cb callback) {
  (void)name;
  fake.shutdown_cb = callback;
  return 0;
}

int plugin_register_complex_read(const char *group, const char *name,
                                 plugin_read_cb callback, cdtime_t interval,
                                 user_data_t const *user_data) {
  (void)group;
  (void)interval;
  if (fake.nreads >= FAKE_MAX_READS)
    return -1;
  fake_read_t *r = &fake.reads[fake.nreads++];
  snprintf(r->name, sizeof(r->name), "%s", name);
  r->cb = callback;
  r->ud = *user_data;
  return 0;
}

int plugin_dispatch_values(value_list_t const *vl) {
  if (fake.dispatch_fail)
    return -1;
  if (fake.nvalues >= FAKE_MAX_VALUES || vl->values_len != 1)
    return -1;
  fake_value_t *v = &fake.values[fake.nvalues++];
  snprintf(v->plugin, sizeof(v->plugin), "%s", vl->plugin);
  snprintf(v->plugin_instance, sizeof(v->plugin_instance), "%s",
           vl->plugin_instance);
  snprintf(v->type, sizeof(v->type), "%s", vl->type);
  snprintf(v->type_instance, sizeof(v->type_instance), "%s",
           vl->type_instance);
  v->value = vl->values[0];
  v->time = vl->time;
  return 0;
}

static void record(int level, const char *msg) {
  if (fake.nlogs < FAKE_MAX_LOGS) {
    snprintf(fake.logs[fake.nlogs], sizeof(fake.logs[0]), "%s", msg);
    fake.log_levels[fake.nlogs] = level;
  }
  fake.nlogs++;
}

void plugin_log(int level, const char *format, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, format);
  vsnprintf(msg, sizeof(msg), format, ap);
  va_end(ap);
  record(level, msg);
}

cdtime_t plugin_get_interval(void) { return fake.interval; }

const char *global_option_get(const char *option) {
  if (strcasecmp(option, "BaseDir") == 0)
    return fake.base_dir;
  return NULL;
}

cdtime_t cdtime(void) { return DOUBLE_TO_CDTIME_T(1700000000.0); }

/* Like collectd's: log the first complaint, then stay quiet (the real one
 * backs off exponentially; the test only needs "not every time"). */
void c_complain(int level, c_complain_t *c, const char *format, ...) {
  if (c->interval != 0)
    return;
  c->interval = 1;
  char msg[1024];
  va_list ap;
  va_start(ap, format);
  vsnprintf(msg, sizeof(msg), format, ap);
  va_end(ap);
  record(level, msg);
  fake.complaints++;
}

void c_do_release(int level, c_complain_t *c, const char *format, ...) {
  c->interval = 0;
  char msg[1024];
  va_list ap;
  va_start(ap, format);
  vsnprintf(msg, sizeof(msg), format, ap);
  va_end(ap);
  record(level, msg);
}
