/*
 * ao_files.h - the files of one Log: File paths and glob patterns, each file
 * followed on its own, none read twice, positions saved and restored.
 *
 * DESCRIPTION
 *   A fileset follows every path a Log's `File` options name. A File value
 *   without glob characters ("*", "?", "[") is one path, followed from the
 *   start (even while missing). A value with them is a glob(3) pattern,
 *   expanded at every read: a path that starts matching is followed from
 *   then on (from its start: it is a new file, unless it is a file already
 *   known, see below); a path that stops matching is followed until its
 *   file has been quiet for RotateWait, then dropped. Directories, FIFOs and
 *   other non-regular files are ignored, and so are matches whose names end
 *   in a compression suffix (.gz .bz2 .xz .zst .lz4 .lzma .Z .zip .br):
 *   their bytes are not log lines. At most AO_FILES_MAX paths are followed
 *   per Log (more are complained about and ignored).
 *
 *   Every path is an ao_tail follower (rotation, truncation, rotate-wait:
 *   see ao_tail.h); all of them share one read buffer. The fileset is their
 *   claim hook, so that a file is never read by two followers:
 *     - a file another follower reads as its current file (a symlink and its
 *       target both configured, hard links, two patterns) is read once;
 *     - a file another follower is draining after a rotation (access.log
 *       renamed to access.log.1 while a pattern also matches access.log.1)
 *       is handed over with its position;
 *     - a file closed earlier (rotate-wait over) is remembered with its
 *       final position (up to AO_FILES_KNOWN_MAX of them, and saved), so a
 *       pattern that matches it later resumes it instead of reading it again;
 *     - the copy logrotate's copytruncate makes of a followed file (same
 *       first AO_TAIL_HEAD_MAX bytes and same bytes before its offset)
 *       continues at that file's offset if the original was truncated, and
 *       starts at its end otherwise (a plain copy holds nothing new).
 *   So a pattern "access.log*" that also matches the rotated
 *   access.log.1 counts every line once, like "*.log" does, but the
 *   latter is what to write (README, "Many files").
 *
 *   Start. Files found at the first read follow StartAt, unless a saved
 *   state knows the path or pattern: then a file it does not know appeared
 *   while collectd was stopped and is read from its start.
 *
 *   Budget: one read shares the caller's budget (ao_tail_ctl_t) among the
 *   files, starting with a different file at every read, so that one huge
 *   file cannot starve the others.
 *
 *   State records (ao_state.h), written by ao_files_save() and read by
 *   ao_files_restore():
 *     pattern <File value>
 *     file <path> none
 *     file <path> cur|old <dev> <ino> <head_len> <head_hash> <offset>
 *          <mark_len> <mark_hash> <skipping> <size>
 *     known <dev> <ino> <head_len> <head_hash> <offset> <mark_len>
 *          <mark_hash> <skipping> <size>
 *
 *   Threads: a fileset is used by one thread at a time.
 */
#ifndef AO_FILES_H
#define AO_FILES_H

#include "ao_common.h"
#include "ao_state.h"
#include "ao_tail.h"

#include <stddef.h>

#define AO_FILES_MAX 256
#define AO_FILES_KNOWN_MAX 256

typedef struct ao_files ao_files_t;

typedef struct ao_files_opts {
  const char *const *patterns; /* File values, at least one */
  size_t npatterns;
  size_t max_line;
  ao_start_t start;
  double rotate_wait; /* seconds */
} ao_files_opts_t;

/* Returns NULL with err filled on bad options or ENOMEM. */
ao_files_t *ao_files_create(const ao_files_opts_t *o, ao_err_t *err);
void ao_files_destroy(ao_files_t *fs); /* NULL is a no-op */

/* Expands the patterns and reads every file (see DESCRIPTION). Returns 0,
 * or -1 when no file at all could be read (every path missing or
 * unreadable: complained about, retried next call). */
int ao_files_read(ao_files_t *fs, ao_tail_ctl_t *ctl, ao_line_fn fn, void *ud);

/* Sum of every follower's statistics, including followers dropped since. */
void ao_files_stats(const ao_files_t *fs, ao_tail_stats_t *out);
/* Unread bytes over every open file. */
uint64_t ao_files_lag(const ao_files_t *fs);
/* Files currently open (current and draining ones). */
uint64_t ao_files_open_count(const ao_files_t *fs);

/* Appends the fileset's records to b. */
void ao_files_save(const ao_files_t *fs, ao_state_buf_t *b);

/* Restoring is staged: ao_files_restore_record() checks and keeps one
 * record (argv as split by ao_state_split(); string tokens are unescaped
 * here) and returns 1 if the record is the fileset's, 0 if not, -1 when it
 * is malformed (err filled). ao_files_restore_commit() applies what was kept
 * (before the first read); ao_files_restore_abort() forgets it. */
int ao_files_restore_record(ao_files_t *fs, int argc, char **argv,
                            ao_err_t *err);
void ao_files_restore_commit(ao_files_t *fs);
void ao_files_restore_abort(ao_files_t *fs);

#endif /* AO_FILES_H */
