/*
 * ao_tail.c - follow a growing log file, yield complete lines (see ao_tail.h).
 *
 * Design notes
 *
 *   Positions. The follower keeps one file position of its own, `offset`: the
 *   file position of the first byte not yet consumed (delivered as part of a
 *   line, skipped as part of an oversized line, or dropped). The bytes between
 *   `offset` and the end of what has been read sit in the line buffer, so the
 *   position read so far is always offset + buffered bytes (tail_read_pos()).
 *   The descriptor's own position is never used: reads are pread(2) at that
 *   computed position. Restarting at 0 after a truncation, starting at the end,
 *   or (later) resuming a persisted offset is then a field assignment, and the
 *   state can never disagree with the kernel's idea of where we are.
 *
 *   Identity. The open file is identified by (st_dev, st_ino) taken with
 *   fstat() on the descriptor we hold. Because we keep the descriptor open,
 *   the inode cannot be freed and reused while we compare, so a path whose
 *   stat() gives another pair really names another file (rotation, or delete
 *   and recreate). Identity across a restart needs more (a head fingerprint,
 *   a marker before the offset); the fields for that belong next to dev/ino
 *   and the single switching function, tail_switch(), is where such checks go.
 *
 *   Buffer. One buffer of max_line + 2 + AO_TAIL_CHUNK bytes is allocated at
 *   creation. A pending fragment (a line without its newline yet) is at most
 *   max_line + 1 bytes (content plus a "\r" that may precede the newline):
 *   anything longer is already known to be oversized and is discarded while
 *   the rest of that line is skipped. So after moving the fragment to the front
 *   there is always room for at least one chunk, and no read ever needs more
 *   memory, whatever the file holds.
 */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include "ao_tail.h"

#include "ao_log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Offsets beyond 2 GiB (rsyslog's *-2GB-file tests) must work. */
_Static_assert(sizeof(off_t) >= 8, "ao_tail needs a 64-bit off_t");

/* Read granularity: large enough that a busy log costs few syscalls. */
#define AO_TAIL_CHUNK ((size_t)64 * 1024)

/* A hostile or very busy path could name a new file every time it is looked
 * at; bound the number of file switches one ao_tail_read() makes. */
#define AO_TAIL_MAX_SWITCHES 8

/* ------------------------------------------------------------------------ */
/* Line buffer: shared by the follower and by ao_lines_scan_fd().            */

typedef struct ao_linebuf {
  char *buf;
  size_t cap;      /* max_line + 2 + AO_TAIL_CHUNK */
  size_t max_line; /* longest line accepted, without "\n" and one "\r" */
  size_t head;     /* first unconsumed byte */
  size_t tail;     /* end of the bytes read */
  size_t scanned;  /* bytes after head known to hold no "\n" */
  int skipping;    /* inside an oversized line (already counted): discard
                      everything through the next "\n" */
} ao_linebuf_t;

/* Outcome of lb_scan(). */
enum { LB_NEED_MORE = 0, LB_STOPPED = 1 };

static size_t lb_cap_for(size_t max_line) {
  return max_line + 2 + AO_TAIL_CHUNK;
}

static void lb_reset(ao_linebuf_t *lb) {
  lb->head = lb->tail = lb->scanned = 0;
  lb->skipping = 0;
}

static size_t lb_pending(const ao_linebuf_t *lb) { return lb->tail - lb->head; }

/* True when a line of n bytes (without its "\n") ending at p[n] is too long:
 * its content, without one trailing "\r", exceeds max_line. */
static int lb_too_long(const ao_linebuf_t *lb, const char *p, size_t n) {
  if (n > 0 && p[n - 1] == '\r')
    n--;
  return n > lb->max_line;
}

/*
 * Delivers every complete line in the buffer and deals with the fragment
 * left after the last "\n". *consumed grows by the bytes consumed (the caller
 * advances its file offset by that much). Returns LB_STOPPED right after a
 * line for which fn returned non-zero: that line is consumed, everything after
 * it stays buffered for the next call. Otherwise returns LB_NEED_MORE, with
 * at most a fragment of max_line + 1 bytes left in the buffer.
 */
static int lb_scan(ao_linebuf_t *lb, ao_line_fn fn, void *ud,
                   ao_tail_stats_t *st, uint64_t *consumed) {
  for (;;) {
    size_t avail = lb_pending(lb);
    if (avail == 0) {
      /* Keep the buffer at its start so reads get the whole room. */
      lb->head = lb->tail = lb->scanned = 0;
      return LB_NEED_MORE;
    }
    char *start = lb->buf + lb->head;
    char *nl = memchr(start + lb->scanned, '\n', avail - lb->scanned);

    if (lb->skipping) {
      if (nl == NULL) {
        /* Still inside the oversized line: throw the bytes away now, so that
         * the buffer never fills with it. */
        *consumed += avail;
        lb->head = lb->tail = lb->scanned = 0;
        return LB_NEED_MORE;
      }
      /* The oversized line ends here. Nothing of it, and in particular not
       * the bytes after max_line (which may look like a complete log line:
       * the cu_tail line-split injection), is delivered. */
      size_t n = (size_t)(nl - start) + 1;
      lb->head += n;
      lb->scanned = 0;
      lb->skipping = 0;
      *consumed += n;
      continue;
    }

    if (nl == NULL) {
      lb->scanned = avail;
      /* A fragment that can no longer become an acceptable line is counted
       * now, once, and skipped through its newline. max_line + 1 bytes are
       * still fine if the last one is the "\r" of a CRLF ending. */
      if (lb_too_long(lb, start, avail)) {
        st->oversized++;
        lb->skipping = 1;
        *consumed += avail;
        lb->head = lb->tail = lb->scanned = 0;
      }
      return LB_NEED_MORE;
    }

    size_t len = (size_t)(nl - start);
    lb->head += len + 1;
    lb->scanned = 0;
    *consumed += len + 1;
    if (lb_too_long(lb, start, len)) {
      st->oversized++;
      continue;
    }
    if (len > 0 && start[len - 1] == '\r')
      len--; /* exactly one: "a\r\r\n" is delivered as "a\r" */
    st->lines++;
    if (fn(ud, start, len) != 0)
      return LB_STOPPED;
  }
}

/* Moves the fragment to the front when the room after it is short of a
 * chunk. Returns the room available for the next read. */
static size_t lb_make_room(ao_linebuf_t *lb) {
  if (lb->cap - lb->tail < AO_TAIL_CHUNK && lb->head > 0) {
    size_t n = lb_pending(lb);
    memmove(lb->buf, lb->buf + lb->head, n);
    lb->head = 0;
    lb->tail = n;
  }
  /* After lb_scan() the fragment is at most max_line + 1 bytes, so this is at
   * least AO_TAIL_CHUNK + 1. (Were it ever 0, pread() would return 0 and the
   * caller would see an EOF: no loop, no overflow.) */
  return lb->cap - lb->tail;
}

/* ------------------------------------------------------------------------ */
/* The follower.                                                             */

struct ao_tail {
  char *path;
  ao_start_t start;
  ao_linebuf_t lb;

  /* The open file. fd is -1 when nothing is open; dev/ino identify it. */
  int fd;
  dev_t dev;
  ino_t ino;
  off_t offset; /* first byte not consumed; see the notes at the top */
  off_t size;   /* file size as of the last read, for ao_tail_lag() */

  /* Where to start when the file is finally opened. Set when the file exists
   * at the first read but cannot be opened (permission denied) under
   * AO_START_END: if the file opened later is still that file, reading starts
   * at the size it had then, so neither its old content is read nor the lines
   * appended meanwhile are lost. A persisted offset would be loaded here too
   * (with the fingerprints that then also have to match). */
  int resume_valid;
  dev_t resume_dev;
  ino_t resume_ino;
  off_t resume_offset;

  int first_read_done; /* the start policy has been applied */

  ao_tail_stats_t stats;

  ao_complaint_t c_open; /* cannot open or stat the path */
  ao_complaint_t c_read; /* cannot read or fstat the open file */
  ao_complaint_t c_gone; /* path missing while the old file is drained */
};

static off_t tail_read_pos(const ao_tail_t *t) {
  return t->offset + (off_t)lb_pending(&t->lb);
}

/* The rest of the open file's current line (if any) is dropped: counts a
 * fragment as partial_dropped unless it is the head of an oversized line,
 * which was counted as oversized already. */
static void tail_drop_pending(ao_tail_t *t) {
  if (!t->lb.skipping && lb_pending(&t->lb) > 0)
    t->stats.partial_dropped++;
  lb_reset(&t->lb);
}

/*
 * Positions the follower at `at` in the open file. A position that is not
 * right after a "\n" (the end of a file whose last line is still being
 * written, under AO_START_END) would make the rest of that line look like a
 * complete line, so the rest is skipped instead, uncounted: it was never
 * ours to count.
 */
static void tail_seek(ao_tail_t *t, off_t at) {
  lb_reset(&t->lb);
  t->offset = at;
  if (at > 0) {
    char c = '\n';
    ssize_t r;
    do {
      r = pread(t->fd, &c, 1, at - 1);
    } while (r < 0 && errno == EINTR);
    if (r == 1 && c != '\n')
      t->lb.skipping = 1;
  }
}

/*
 * The one place where the follower changes files: the first open, a rotation
 * (rename, delete + recreate), a file appearing after being missing. Whatever
 * is left of the old file has been read by the caller; its trailing fragment
 * is dropped here, never glued to the new file's first line.
 */
static void tail_switch(ao_tail_t *t, int fd, const struct stat *st,
                        off_t start_at) {
  if (t->fd >= 0) {
    tail_drop_pending(t);
    close(t->fd);
    t->stats.rotations++;
  }
  t->fd = fd;
  t->dev = st->st_dev;
  t->ino = st->st_ino;
  t->size = st->st_size;
  tail_seek(t, start_at);
}

/* Opens the path. Returns the descriptor with *st filled in, or -1 with
 * errno set (EISDIR/EINVAL-like faults reported as such by the caller). */
static int tail_open_path(ao_tail_t *t, struct stat *st) {
  /* O_NONBLOCK: opening a FIFO by mistake must not hang the read thread; it
   * has no effect on regular files. */
  int fd;
  do {
    fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return -1;
  if (fstat(fd, st) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  if (!S_ISREG(st->st_mode)) {
    close(fd);
    /* Following needs a size and random access: only regular files. */
    errno = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
    return -1;
  }
  return fd;
}

static void tail_complain_open(ao_tail_t *t, int e) {
  t->stats.errors++;
  if (e == EINVAL)
    ao_complain(&t->c_open, AO_LOG_ERR,
                "cannot follow \"%s\": not a regular file", t->path);
  else
    ao_complain(&t->c_open, e == ENOENT ? AO_LOG_WARNING : AO_LOG_ERR,
                "cannot open \"%s\": %s", t->path, strerror(e));
}

/* Opens the file when none is open. Returns 0, or -1 (complained about). */
static int tail_open_initial(ao_tail_t *t) {
  int first = !t->first_read_done;
  t->first_read_done = 1;

  struct stat st;
  int fd = tail_open_path(t, &st);
  if (fd < 0) {
    int e = errno;
    tail_complain_open(t, e);
    /* The file is there but unreadable at the first read: remember where
     * "the end" was, for when it becomes readable (see resume_*). */
    struct stat pst;
    if (first && t->start == AO_START_END && e != ENOENT &&
        stat(t->path, &pst) == 0 && S_ISREG(pst.st_mode)) {
      t->resume_valid = 1;
      t->resume_dev = pst.st_dev;
      t->resume_ino = pst.st_ino;
      t->resume_offset = pst.st_size;
    }
    return -1;
  }

  off_t at = 0;
  if (first) {
    if (t->start == AO_START_END)
      at = st.st_size;
  } else if (t->resume_valid && t->resume_dev == st.st_dev &&
             t->resume_ino == st.st_ino && st.st_size >= t->resume_offset) {
    at = t->resume_offset;
  }
  t->resume_valid = 0;
  ao_release(&t->c_open, AO_LOG_INFO, "opened \"%s\"", t->path);
  tail_switch(t, fd, &st, at);
  return 0;
}

/* Restarts at 0 when the open file shrank below what was read from it.
 * Returns 0, or -1 with errno when fstat() fails. */
static int tail_check_truncation(ao_tail_t *t) {
  struct stat st;
  if (fstat(t->fd, &st) != 0)
    return -1;
  if (st.st_size < tail_read_pos(t)) {
    /* The bytes after the last newline we saw are gone or rewritten; so is
     * the line they would have completed. */
    tail_drop_pending(t);
    t->stats.truncations++;
    tail_seek(t, 0);
  }
  t->size = st.st_size;
  return 0;
}

/* Reads the open file to its end, delivering lines. Returns 0 at the end of
 * the file, LB_STOPPED when the callback stopped, -1 with errno on a read
 * error (nothing consumed by the failed read). */
static int tail_pump(ao_tail_t *t, ao_line_fn fn, void *ud) {
  for (;;) {
    uint64_t consumed = 0;
    int r = lb_scan(&t->lb, fn, ud, &t->stats, &consumed);
    t->offset += (off_t)consumed;
    if (r == LB_STOPPED)
      return LB_STOPPED;

    size_t room = lb_make_room(&t->lb);
    ssize_t n = pread(t->fd, t->lb.buf + t->lb.tail, room, tail_read_pos(t));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    if (n == 0)
      return 0;
    t->lb.tail += (size_t)n;
    t->stats.bytes += (uint64_t)n;
  }
}

/*
 * At the end of the open file: does the path still name it? Returns 1 when
 * the follower switched to a new file (to be read from its start), 0 when it
 * stays with the open one (same file, path missing, or the new file cannot
 * be opened yet: then the old one keeps being drained).
 */
static int tail_check_path(ao_tail_t *t) {
  struct stat st;
  if (stat(t->path, &st) != 0) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR) {
      /* Renamed without a new file yet, or deleted: writers may still
       * append to the file we hold, so keep draining it. */
      ao_complain(&t->c_gone, AO_LOG_NOTICE,
                  "\"%s\" was moved or deleted; following the old file "
                  "until a new one appears",
                  t->path);
    } else {
      t->stats.errors++;
      ao_complain(&t->c_open, AO_LOG_ERR, "cannot stat \"%s\": %s", t->path,
                  strerror(e));
    }
    return 0;
  }
  if (st.st_dev == t->dev && st.st_ino == t->ino) {
    ao_release(&t->c_gone, AO_LOG_INFO, "\"%s\" is back", t->path);
    ao_release(&t->c_open, AO_LOG_INFO, "\"%s\" is accessible again", t->path);
    return 0;
  }

  struct stat nst;
  int fd = tail_open_path(t, &nst);
  if (fd < 0) {
    int e = errno;
    if (e != ENOENT) /* ENOENT: renamed away again since stat(); retry */
      tail_complain_open(t, e);
    return 0;
  }
  if (nst.st_dev == t->dev && nst.st_ino == t->ino) {
    close(fd); /* moved back between stat() and open() */
    return 0;
  }
  ao_release(&t->c_gone, AO_LOG_INFO, "\"%s\" has a new file", t->path);
  ao_release(&t->c_open, AO_LOG_INFO, "\"%s\" is readable again", t->path);
  tail_switch(t, fd, &nst, 0);
  return 1;
}

static void tail_note_size(ao_tail_t *t) {
  off_t pos = tail_read_pos(t);
  if (t->size < pos)
    t->size = pos;
}

int ao_tail_read(ao_tail_t *t, ao_line_fn fn, void *ud) {
  if (t == NULL || fn == NULL)
    return -1;
  if (t->fd < 0 && tail_open_initial(t) != 0)
    return -1;

  for (int switches = 0;;) {
    /* Lines left buffered by a callback that stopped early were read before
     * any truncation or rotation found now: deliver them first. */
    uint64_t consumed = 0;
    int r = lb_scan(&t->lb, fn, ud, &t->stats, &consumed);
    t->offset += (off_t)consumed;
    if (r == LB_STOPPED)
      break;

    if (tail_check_truncation(t) != 0) {
      int e = errno;
      t->stats.errors++;
      ao_complain(&t->c_read, AO_LOG_ERR, "cannot fstat \"%s\": %s", t->path,
                  strerror(e));
      return -1;
    }

    r = tail_pump(t, fn, ud);
    if (r < 0) {
      int e = errno;
      t->stats.errors++;
      tail_note_size(t);
      /* The position is unchanged: the next call retries the same read. */
      ao_complain(&t->c_read, AO_LOG_ERR, "cannot read \"%s\": %s", t->path,
                  strerror(e));
      return -1;
    }
    ao_release(&t->c_read, AO_LOG_INFO, "\"%s\" can be read again", t->path);
    if (r == LB_STOPPED)
      break;

    if (!tail_check_path(t) || ++switches >= AO_TAIL_MAX_SWITCHES)
      break;
  }
  tail_note_size(t);
  return 0;
}

ao_tail_t *ao_tail_create(const char *path, size_t max_line, ao_start_t start,
                          ao_err_t *err) {
  if (path == NULL || *path == '\0') {
    ao_err_set(err, "tail: empty file path");
    return NULL;
  }
  if (max_line < AO_MAX_LINE_MIN || max_line > AO_MAX_LINE_MAX) {
    ao_err_set(err, "tail \"%s\": line length limit %zu out of range (%u..%u)",
               path, max_line, (unsigned)AO_MAX_LINE_MIN,
               (unsigned)AO_MAX_LINE_MAX);
    return NULL;
  }
  if (start != AO_START_END && start != AO_START_BEGINNING) {
    ao_err_set(err, "tail \"%s\": invalid start position %d", path, (int)start);
    return NULL;
  }

  ao_tail_t *t = calloc(1, sizeof(*t));
  if (t == NULL)
    goto nomem;
  t->fd = -1;
  t->start = start;
  t->path = strdup(path);
  if (t->path == NULL)
    goto nomem;
  t->lb.max_line = max_line;
  t->lb.cap = lb_cap_for(max_line);
  t->lb.buf = malloc(t->lb.cap);
  if (t->lb.buf == NULL)
    goto nomem;
  return t;

nomem:
  ao_tail_destroy(t);
  ao_err_set(err, "tail \"%s\": out of memory", path);
  return NULL;
}

void ao_tail_destroy(ao_tail_t *t) {
  if (t == NULL)
    return;
  if (t->fd >= 0)
    close(t->fd);
  ao_complaint_reset(&t->c_open);
  ao_complaint_reset(&t->c_read);
  ao_complaint_reset(&t->c_gone);
  free(t->lb.buf);
  free(t->path);
  free(t);
}

uint64_t ao_tail_lag(const ao_tail_t *t) {
  if (t == NULL || t->fd < 0 || t->size <= t->offset)
    return 0;
  return (uint64_t)(t->size - t->offset);
}

const ao_tail_stats_t *ao_tail_stats(const ao_tail_t *t) { return &t->stats; }

const char *ao_tail_path(const ao_tail_t *t) { return t->path; }

/* ------------------------------------------------------------------------ */
/* Whole streams.                                                            */

/* read(2) that waits instead of failing when fd is non-blocking (a
 * non-blocking stdin handed over by a shell or a parent process). */
static ssize_t read_wait(int fd, char *buf, size_t n) {
  for (;;) {
    ssize_t r = read(fd, buf, n);
    if (r >= 0)
      return r;
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return -1;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, -1) < 0 && errno != EINTR)
      return -1;
  }
}

int ao_lines_scan_fd(int fd, size_t max_line, ao_line_fn fn, void *ud,
                     ao_tail_stats_t *stats) {
  if (max_line < AO_MAX_LINE_MIN || max_line > AO_MAX_LINE_MAX || fn == NULL) {
    errno = EINVAL;
    return -1;
  }
  ao_linebuf_t lb = {.max_line = max_line, .cap = lb_cap_for(max_line)};
  /* One allocation per stream: this is the command-line path, not the
   * per-interval one. */
  lb.buf = malloc(lb.cap);
  if (lb.buf == NULL) {
    errno = ENOMEM;
    return -1;
  }

  ao_tail_stats_t st = {0};
  uint64_t consumed = 0; /* only needed by the follower */
  int rc = 0;
  for (;;) {
    if (lb_scan(&lb, fn, ud, &st, &consumed) == LB_STOPPED)
      break;
    size_t room = lb_make_room(&lb);
    ssize_t n = read_wait(fd, lb.buf + lb.tail, room);
    if (n < 0) {
      rc = -1;
      break;
    }
    if (n == 0) {
      /* The end of a stream ends its last line, newline or not. An oversized
       * one was counted already and is being skipped. */
      size_t len = lb_pending(&lb);
      if (!lb.skipping && len > 0) {
        const char *p = lb.buf + lb.head;
        if (lb_too_long(&lb, p, len)) {
          st.oversized++;
        } else {
          if (p[len - 1] == '\r')
            len--;
          st.lines++;
          fn(ud, p, len);
        }
      }
      break;
    }
    lb.tail += (size_t)n;
    st.bytes += (uint64_t)n;
  }

  int e = errno;
  free(lb.buf);
  if (stats != NULL) {
    stats->lines += st.lines;
    stats->oversized += st.oversized;
    stats->partial_dropped += st.partial_dropped;
    stats->bytes += st.bytes;
    stats->errors += rc != 0;
  }
  errno = e;
  return rc;
}
