/*
 * ao_tail.h - follow a growing log file and yield its complete lines.
 *
 * DESCRIPTION
 *   An ao_tail_t follows one path the way `tail -F` does, in polled steps:
 *   each ao_tail_read() reads what was appended since the last call and
 *   hands every *complete* line to a callback. It allocates nothing after
 *   creation, whatever the file holds; several followers may share one read
 *   buffer (ao_readbuf_t), so that the files of one Log cost one buffer.
 *
 *   Lines. A line is delivered without its "\n" and without one trailing
 *   "\r". A fragment without its newline yet is delivered only once the
 *   newline arrives: it is not consumed, and the next call reads it again
 *   from the file (positions, not buffers, carry state from one call to the
 *   next). A line longer than max_line (measured without its "\n" and the one
 *   "\r" that is stripped) is counted as oversized, once, and skipped through
 *   its newline; no part of it, and in particular not its tail, is ever
 *   delivered as a line. Lines may contain NUL bytes; callers use the length.
 *   Empty lines are delivered. A run of NUL bytes at the very start of a
 *   file (the sparse head a writer without O_APPEND leaves after a
 *   copytruncate) is skipped.
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
 *   and inode); otherwise from its start. A position restored from a
 *   previous run (ao_tail_restore()) replaces the start policy.
 *
 *   Identity. The open file is (device, inode) while its descriptor is held
 *   (the inode cannot be reused then). Across restarts that is not enough
 *   (ext4 hands a deleted file's inode to the next file created), so every
 *   position also carries a head fingerprint (hash and length of the first
 *   AO_TAIL_HEAD_MAX bytes, fewer while the file is shorter) and a marker
 *   (hash and length of the AO_TAIL_MARK_MAX bytes just before the offset).
 *   A saved position is resumed only if device, inode, head and marker all
 *   match and the file is at least as long as the offset.
 *
 *   Rotation. After reading the open file to its end, the path is stat()ed.
 *   If it names another file (device or inode differ), that file is opened
 *   and read from its start within the same call, and the old one keeps
 *   being read ("drained") on every call until it has not grown for
 *   rotate_wait seconds: writers that have not reopened yet (nginx before
 *   USR1, Apache's old children) may still append to it. Then a fragment left
 *   without newline there is counted as partial_dropped and the old file is
 *   closed. With rotate_wait 0 the old file is closed as soon as the switch
 *   is made. At most AO_TAIL_MAX_OLD old files are drained at once (the
 *   oldest is closed first; AO_TAIL_MAX_OLD - 1 are saved, see
 *   ao_tail_export()). If the path is missing, the open file is kept
 *   and drained until a new file appears (logged once as a notice, through
 *   ao_complain()). Delete + recreate is a rotation too: the open
 *   descriptor keeps the old inode from being reused. A symlink switched to
 *   another target is a rotation as well (stat() follows the link). A
 *   fragment that is the start of an oversized line is counted as oversized
 *   only, not also as partial_dropped.
 *
 *   Truncation. Before a file is read, its size is compared with what was
 *   read from it, and the marker bytes before the offset are read again and
 *   compared: a file that shrank, or that was truncated and has grown back
 *   past the old offset before this read (copytruncate), restarts at offset
 *   0, dropping the pending fragment (partial_dropped). When the head and
 *   marker of the truncated content are found in another regular file of
 *   the same directory (the copy logrotate made), that copy is drained from
 *   the old offset like a rotated file, so lines not read before the
 *   truncation are not lost (lines written between logrotate's copy and its
 *   truncate are: that gap is logrotate's own). Only regular files are
 *   followed.
 *
 *   Budget. ao_tail_read_ex() stops, at a line boundary, once a byte budget
 *   or a deadline is exhausted; the rest is read by later calls
 *   (ao_tail_lag() shows it).
 *
 *   Faults (cannot open, cannot read) are reported with ao_complain() once
 *   per fault and released on recovery; reading resumes where it was. A new
 *   file that cannot be opened after a rotation is complained about while the
 *   old one keeps being drained.
 *
 *   Hooks (optional) let an owner of several followers (ao_files) see every
 *   file a follower is about to start reading, and decide that it is
 *   already known (resume at a position) or already read by another
 *   follower (busy: not read), and learn the final position of every file a
 *   follower closes for good.
 *
 *   Threads: an ao_tail_t, and a shared ao_readbuf_t, are used by one thread
 *   at a time.
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
  uint64_t truncations;     /* the file shrank below the read offset, or
                               its content before the offset changed */
  uint64_t errors;          /* failed open()/read()/stat() calls */
  uint64_t budget_stops;    /* reads cut short by the budget */
  uint64_t copies_found;    /* truncations whose copy was found and drained */
  uint64_t restore_lost;    /* saved files that could not be found again
                               (rotated away and removed while stopped) */
} ao_tail_stats_t;

/* Called once per complete line; line[0..len) is valid only during the
 * call. A non-zero return stops the read early: that line counts as
 * delivered, the rest stays unread and is read again by the next call. */
typedef int (*ao_line_fn)(void *ud, const char *line, size_t len);

typedef struct ao_tail ao_tail_t;
typedef struct ao_readbuf ao_readbuf_t;

#define AO_MAX_LINE_MIN 256
#define AO_MAX_LINE_MAX (16u * 1024u * 1024u)

/* Fingerprint sizes. */
#define AO_TAIL_HEAD_MAX 256
#define AO_TAIL_MARK_MAX 512
/* Old files drained at once by one follower. */
#define AO_TAIL_MAX_OLD 8

/* Identity of a file: (device, inode) and the head fingerprint. */
typedef struct ao_fileid {
  uint64_t dev;
  uint64_t ino;
  uint32_t head_len;  /* bytes hashed, 0..AO_TAIL_HEAD_MAX */
  uint64_t head_hash; /* ao_tail_hash() of the first head_len bytes */
} ao_fileid_t;

/* A position in a file, as saved and restored. */
typedef struct ao_tail_pos {
  ao_fileid_t id;
  uint64_t offset;   /* first byte not consumed */
  uint32_t mark_len; /* bytes before offset covered by mark_hash */
  uint64_t mark_hash;
  int skipping;  /* offset is inside an oversized line being skipped */
  uint64_t size; /* the file's size when the position was taken (for
                    reports: what a file gone since held unread) */
} ao_tail_pos_t;

/* What a claim hook decided about a file a follower is about to read. */
typedef enum ao_claim {
  AO_CLAIM_NEW = 0,    /* unknown: the follower's own start rule applies */
  AO_CLAIM_RESUME = 1, /* known: resume at *resume (already verified) */
  AO_CLAIM_BUSY = 2,   /* read by another follower: do not read it */
  AO_CLAIM_END = 3,    /* everything it holds is counted elsewhere (a plain
                          copy): start at its end */
} ao_claim_t;

typedef struct ao_tail_hooks {
  /* A follower found a file to read (first open, rotation, a restored
   * file): fd is open on it, id is its identity (head fingerprint of up to
   * AO_TAIL_HEAD_MAX bytes), size its size. Fill *resume and return
   * AO_CLAIM_RESUME to start there. */
  ao_claim_t (*claim)(void *ud, ao_tail_t *t, int fd, const ao_fileid_t *id,
                      uint64_t size, ao_tail_pos_t *resume);
  /* A follower closed a file for good (rotate-wait over, removed, or handed
   * to nobody): its final position. */
  void (*retire)(void *ud, ao_tail_t *t, const ao_tail_pos_t *pos);
  void *ud;
} ao_tail_hooks_t;

typedef struct ao_tail_opts {
  size_t max_line; /* AO_MAX_LINE_MIN..AO_MAX_LINE_MAX */
  ao_start_t start;
  double rotate_wait; /* seconds an old file is drained after it last grew */
  ao_readbuf_t *buf;  /* shared buffer (max_line at least as large), or NULL:
                         the follower allocates its own */
  const ao_tail_hooks_t *hooks; /* NULL: none (copied) */
} ao_tail_opts_t;

/* Per-call control of ao_tail_read_ex(). */
typedef struct ao_tail_ctl {
  double now;         /* monotonic seconds, for rotate_wait */
  double deadline;    /* stop once ao_now_mono() passes it (0: no limit) */
  uint64_t max_bytes; /* stop once this many bytes were read (0: no limit) */
  uint64_t bytes;     /* in/out: bytes read so far (adds up over calls) */
  int exhausted;      /* out: the budget stopped the read */
} ao_tail_ctl_t;

/* A buffer for followers of lines of at most max_line bytes. */
ao_readbuf_t *ao_readbuf_create(size_t max_line);
void ao_readbuf_destroy(ao_readbuf_t *b); /* NULL is a no-op */

/* Creates a follower of path (not opened until the first read). max_line is
 * the longest line accepted, in bytes, without its newline
 * (AO_MAX_LINE_MIN..AO_MAX_LINE_MAX). Returns NULL with err filled on bad
 * arguments or ENOMEM. Rotate-wait 0, own buffer, no hooks. */
ao_tail_t *ao_tail_create(const char *path, size_t max_line, ao_start_t start,
                          ao_err_t *err);
ao_tail_t *ao_tail_create_opts(const char *path, const ao_tail_opts_t *opts,
                               ao_err_t *err);
void ao_tail_destroy(ao_tail_t *t); /* NULL is a no-op; retires nothing */

/* Reads everything appended since the last call (see DESCRIPTION). Returns 0
 * when the file was read (also when the callback stopped early, and while a
 * rotated-away file is drained with the path missing), -1 when it is
 * currently unavailable (missing or unreadable; complained about, retried
 * next call). Allocates nothing. ao_tail_read() is ao_tail_read_ex() with
 * now = ao_now_mono() and no budget. */
int ao_tail_read(ao_tail_t *t, ao_line_fn fn, void *ud);
int ao_tail_read_ex(ao_tail_t *t, ao_tail_ctl_t *ctl, ao_line_fn fn, void *ud);

/* Bytes beyond the last line consumed in the files being read (0 when none
 * is open), i.e. file size minus offset as of the last ao_tail_read():
 * lines left unread by a callback that stopped early or by the budget
 * count, and so does a fragment still waiting for its newline. */
uint64_t ao_tail_lag(const ao_tail_t *t);

const ao_tail_stats_t *ao_tail_stats(const ao_tail_t *t);
/* Adds every counter of b to a (the totals of a Log over its files and
 * sources). */
void ao_tail_stats_add(ao_tail_stats_t *a, const ao_tail_stats_t *b);
const char *ao_tail_path(const ao_tail_t *t);
/* 1 while a file (the current one or an old one) is open. */
int ao_tail_is_open(const ao_tail_t *t);
/* Monotonic time of the last read that found new bytes (0: never). */
double ao_tail_last_growth(const ao_tail_t *t);

/* Positions for saving: *cur gets the current file's position (returns
 * with *has_cur 0 when none is open), old[0..n) the old files being
 * drained, except deleted ones read to their end (nothing to find again),
 * the newest AO_TAIL_MAX_OLD - 1 at most (so that a restore, which may also
 * have to drain the current file as an old one, never closes a file it has
 * not read); returns n (at most max). Fingerprints and sizes are as of the
 * last read. */
size_t ao_tail_export(const ao_tail_t *t, int *has_cur, ao_tail_pos_t *cur,
                      ao_tail_pos_t *old, size_t max);

/* Before the first read: positions saved by a previous run. has_cur: the
 * path named a file then (cur is its position); known: the path was
 * followed then (so a file found now without a saved position appeared
 * while stopped and is read from its start, whatever the start policy).
 * Old files are looked for in the path's directory by identity and drained
 * from their offsets; the current file too when the path now names another
 * one. Returns 0, or -1 after the first read (nothing changed). */
int ao_tail_restore(ao_tail_t *t, int known, int has_cur,
                    const ao_tail_pos_t *cur, const ao_tail_pos_t *old,
                    size_t nold);

/* Gives up the old (draining) file with this device and inode, if this
 * follower holds one: *out gets its position, the file is closed without
 * counting its fragment (its new owner reads it again). Returns 1 if
 * found, else 0. */
int ao_tail_release(ao_tail_t *t, uint64_t dev, uint64_t ino,
                    ao_tail_pos_t *out);
/* 1 if the file with this device and inode is open in t; *is_cur tells
 * whether it is the current file. */
int ao_tail_holds(const ao_tail_t *t, uint64_t dev, uint64_t ino, int *is_cur);

/* 1 when the open file with this device and inode still holds what was
 * read from it (not shrunk, same bytes before the offset), 0 when it was
 * truncated since the last read, -1 when t does not hold it. */
int ao_tail_intact(const ao_tail_t *t, uint64_t dev, uint64_t ino);

/* Closes every file the follower has open, retiring them through the hook
 * (after one last read has drained them: the caller reads first). */
void ao_tail_close_all(ao_tail_t *t);

/* The fingerprint hash (64-bit FNV-1a). */
uint64_t ao_tail_hash(const void *data, size_t len);
/* Fills id with fd's device, inode and head fingerprint (size: its size).
 * Returns 0, or -1 with errno on a read error. */
int ao_tail_fileid(int fd, uint64_t dev, uint64_t ino, uint64_t size,
                   ao_fileid_t *id);
/* 1 when the file open as fd, of the given size, holds at pos: the same
 * head (its first pos->id.head_len bytes) and the same marker before
 * pos->offset, and size >= pos->offset. Device and inode are not compared
 * (callers decide whether a copy may match). */
int ao_tail_pos_matches(int fd, uint64_t size, const ao_tail_pos_t *pos);

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
