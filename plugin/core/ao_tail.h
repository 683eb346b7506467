/*
 * ao_tail.h - follow a growing log file and yield its complete lines.
 *
 * DESCRIPTION
 *   An ao_tail_t follows one path the way `tail -F` does, in polled steps:
 *   each ao_tail_read() reads what was appended since the last call and
 *   hands every *complete* line to a callback. It owns one bounded buffer and
 *   allocates nothing after creation, whatever the file holds.
 *
 *   Lines. A line is delivered without its "\n" and without one trailing
 *   "\r". A fragment without its newline yet stays in the buffer and is
 *   delivered only once the newline arrives. A line longer than max_line
 *   (measured without its "\n" and the one "\r" that is stripped) is
 *   counted as oversized, once, and skipped through its newline; no part of
 *   it, and in particular not its tail, is ever delivered as a line. Lines may
 *   contain NUL bytes; callers use the length. Empty lines are delivered.
 *
 *   Start. The first time the file is found, at the first read, start
 *   decides: AO_START_END skips what it already holds (like tail -F),
 *   AO_START_BEGINNING reads it. A file that appears later (it did not exist
 *   at the first read, or is the new file after a rotation) is read from its
 *   start. When AO_START_END lands inside a line still being written, the
 *   rest of that line is skipped (uncounted), never delivered as a line. A
 *   file that exists at the first read but cannot be opened then (permission
 *   denied) is, under AO_START_END, read from the size it had at that first
 *   read once it can be opened, provided it is still the same file (device
 *   and inode); otherwise from its start.
 *
 *   Rotation. After reading the open file to its end, the path is stat()ed.
 *   If it names another file (device or inode differ), the old file has
 *   already been drained to its end: a fragment left without newline there
 *   is counted as partial_dropped, the old descriptor is closed and the new
 *   file is read from its start within the same call. If the path is missing,
 *   the open file is kept and drained on later calls until a new file
 *   appears (the path missing is logged once as a notice, through
 *   ao_complain()). Delete + recreate is a rotation too: the open descriptor
 *   keeps the old inode from being reused. A fragment that is the start of an
 *   oversized line is counted as oversized only, not also as partial_dropped.
 *   Truncation (fstat() size now below the position read so far) drops the
 *   pending fragment (partial_dropped) and restarts at offset 0. A truncation
 *   followed by rewriting at least as many bytes before the next read is not
 *   seen (no content marker yet). Only regular files are followed.
 *
 *   Faults (cannot open, cannot read) are reported with ao_complain() once
 *   per fault and released on recovery; reading resumes where it was. A new
 *   file that cannot be opened after a rotation is complained about while the
 *   old one keeps being drained.
 *
 *   Threads: an ao_tail_t is used by one thread at a time.
 */
#ifndef AO_TAIL_H
#define AO_TAIL_H

#include "ao_common.h"

#include <stdint.h>

typedef enum ao_start {
  AO_START_END = 0,
  AO_START_BEGINNING = 1,
} ao_start_t;

typedef struct ao_tail_stats {
  uint64_t lines;           /* complete lines delivered to the callback */
  uint64_t oversized;       /* lines longer than max_line, skipped */
  uint64_t partial_dropped; /* fragments without newline at the end of a
                               rotated-away or truncated file */
  uint64_t bytes;           /* bytes read from files (read(2) totals) */
  uint64_t rotations;       /* the path came to name another file */
  uint64_t truncations;     /* the file shrank below the read offset */
  uint64_t errors;          /* failed open()/read()/stat() calls */
} ao_tail_stats_t;

/* Called once per complete line; line[0..len) is valid only during the
 * call. A non-zero return stops the read early: that line counts as
 * delivered, the rest stays unread and is delivered first by the next
 * call (before any truncation or rotation is looked at). */
typedef int (*ao_line_fn)(void *ud, const char *line, size_t len);

typedef struct ao_tail ao_tail_t;

#define AO_MAX_LINE_MIN 256
#define AO_MAX_LINE_MAX (16u * 1024u * 1024u)

/* Creates a follower of path (not opened until the first read). max_line is
 * the longest line accepted, in bytes, without its newline
 * (AO_MAX_LINE_MIN..AO_MAX_LINE_MAX). Returns NULL with err filled on bad
 * arguments or ENOMEM. */
ao_tail_t *ao_tail_create(const char *path, size_t max_line, ao_start_t start,
                          ao_err_t *err);
void ao_tail_destroy(ao_tail_t *t); /* NULL is a no-op */

/* Reads everything appended since the last call (see DESCRIPTION). Returns 0
 * when the file was read (also when the callback stopped early, and while a
 * rotated-away file is drained with the path missing), -1 when it is
 * currently unavailable (missing or unreadable; complained about, retried
 * next call). Allocates nothing. */
int ao_tail_read(ao_tail_t *t, ao_line_fn fn, void *ud);

/* Bytes in the current file beyond the last line consumed (0 when the file
 * is not open), i.e. file size minus offset as of the last ao_tail_read():
 * lines left unread by a callback that stopped early count, and so does a
 * fragment still waiting for its newline. */
uint64_t ao_tail_lag(const ao_tail_t *t);

const ao_tail_stats_t *ao_tail_stats(const ao_tail_t *t);
const char *ao_tail_path(const ao_tail_t *t);

/* Reads a whole stream (a file or standard input) from fd to its end and
 * delivers its lines like ao_tail_read() does, except that a last line
 * without newline is delivered too. Never seeks or stats: pipes work. For the
 * command-line tool: allocates one buffer per call. Adds to *stats (which may
 * be NULL; a read error adds to errors). Returns 0 (also when fn stopped
 * early), or -1 with errno: EINVAL (max_line out of range, fn NULL), ENOMEM,
 * or the read(2) error. */
int ao_lines_scan_fd(int fd, size_t max_line, ao_line_fn fn, void *ud,
                     ao_tail_stats_t *stats);

#endif /* AO_TAIL_H */
