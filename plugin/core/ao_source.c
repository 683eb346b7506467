/*
 * ao_source.c - the operations tables of the two source kinds (see
 * ao_source.h).
 */
#include "ao_source.h"

#include "ao_files.h"
#include "ao_journal.h"

/* ---- files ----------------------------------------------------------------
 */

static int f_read(void *impl, ao_tail_ctl_t *ctl, ao_line_fn fn, void *ud) {
  return ao_files_read(impl, ctl, fn, ud);
}
static void f_stats(const void *impl, ao_tail_stats_t *out) {
  ao_tail_stats_t s;
  ao_files_stats(impl, &s);
  ao_tail_stats_add(out, &s);
}
static uint64_t f_lag(const void *impl) { return ao_files_lag(impl); }
static uint64_t f_open(const void *impl) { return ao_files_open_count(impl); }
static void f_save(void *impl, ao_state_buf_t *b) { ao_files_save(impl, b); }
static int f_restore(void *impl, int argc, char **argv, ao_err_t *err) {
  return ao_files_restore_record(impl, argc, argv, err);
}
static void f_commit(void *impl) { ao_files_restore_commit(impl); }
static void f_abort(void *impl) { ao_files_restore_abort(impl); }
static void f_destroy(void *impl) { ao_files_destroy(impl); }

const ao_source_ops_t ao_source_files_ops = {
    "files", f_read,    f_stats,  f_lag,   f_open,
    f_save,  f_restore, f_commit, f_abort, f_destroy,
};

/* ---- journal --------------------------------------------------------------
 */

static int j_read(void *impl, ao_tail_ctl_t *ctl, ao_line_fn fn, void *ud) {
  return ao_journal_read(impl, ctl, fn, ud);
}
static void j_stats(const void *impl, ao_tail_stats_t *out) {
  ao_tail_stats_add(out, ao_journal_stats(impl));
}
static uint64_t j_lag(const void *impl) {
  (void)impl;
  return 0; /* the journal does not say how much is left without reading */
}
static uint64_t j_open(const void *impl) {
  return (uint64_t)ao_journal_is_open(impl);
}
static void j_save(void *impl, ao_state_buf_t *b) { ao_journal_save(impl, b); }
static int j_restore(void *impl, int argc, char **argv, ao_err_t *err) {
  return ao_journal_restore_record(impl, argc, argv, err);
}
static void j_commit(void *impl) { ao_journal_restore_commit(impl); }
static void j_abort(void *impl) { ao_journal_restore_abort(impl); }
static void j_destroy(void *impl) { ao_journal_destroy(impl); }

const ao_source_ops_t ao_source_journal_ops = {
    "journal", j_read,    j_stats,  j_lag,   j_open,
    j_save,    j_restore, j_commit, j_abort, j_destroy,
};
