/*
 * ao_source.h - where a Log's lines come from: files or the journal.
 *
 * DESCRIPTION
 *   A pipeline reads from up to AO_SOURCE_MAX sources, each an ao_source_t:
 *   an operations table and the object behind it. The two kinds are a
 *   fileset (ao_files.h: File paths and glob patterns) and a journal reader
 *   (ao_journal.h). Every source delivers complete lines to the same
 *   callback, shares the read's budget (ao_tail_ctl_t), reports the same
 *   statistics (ao_tail_stats_t) and saves and restores its position as
 *   state records (ao_state.h). A new kind of input is one more table here;
 *   the per-line part of the pipeline never sees where a line came from.
 *
 *   Threads: a source is used by one thread at a time.
 */
#ifndef AO_SOURCE_H
#define AO_SOURCE_H

#include "ao_common.h"
#include "ao_state.h"
#include "ao_tail.h"

#define AO_SOURCE_MAX 2

typedef struct ao_source_ops {
  const char *kind; /* "files", "journal" */
  /* Reads what is new; 0, or -1 when nothing could be read (complained). */
  int (*read)(void *impl, ao_tail_ctl_t *ctl, ao_line_fn fn, void *ud);
  /* Adds the source's statistics to *out. */
  void (*stats)(const void *impl, ao_tail_stats_t *out);
  uint64_t (*lag)(const void *impl);  /* unread bytes, when known */
  uint64_t (*open)(const void *impl); /* files (or journals) open */
  void (*save)(void *impl, ao_state_buf_t *b);
  /* 1 taken, 0 not this source's record, -1 malformed (err). */
  int (*restore_record)(void *impl, int argc, char **argv, ao_err_t *err);
  void (*restore_commit)(void *impl);
  void (*restore_abort)(void *impl);
  void (*destroy)(void *impl);
} ao_source_ops_t;

typedef struct ao_source {
  const ao_source_ops_t *ops;
  void *impl;
} ao_source_t;

extern const ao_source_ops_t ao_source_files_ops;
extern const ao_source_ops_t ao_source_journal_ops;

#endif /* AO_SOURCE_H */
