/*
 * ao_tail.c - follow a growing log file, yield complete lines (see ao_tail.h).
 *
 * Design notes
 *
 *   Positions, not buffers. Each open file has one position of its own,
 *   `offset`: the first byte not yet consumed (delivered as part of a line,
 *   skipped as part of an oversized line, or dropped). Reads are pread(2) from
 *   that offset into a line buffer that lives only for the duration of one
 *   read of one file: a fragment still waiting for its newline, or lines left
 *   unread by a callback that stopped early or by the budget, are simply
 *   read again from the file by the next call. So the complete state of a
 *   file is a handful of numbers (offset, the bytes read so far, the
 *   "skipping an oversized line" flag, the fingerprints), which is what makes
 *   it cheap to save, restore, hand from one follower to another, and to
 *   have many files share one buffer. Re-reading a fragment costs at most
 *   max_line bytes per call from the page cache.
 *
 *   Identity. While a descriptor is held, (st_dev, st_ino) taken with fstat()
 *   identifies the file: the inode cannot be freed and reused. Across a
 *   restart it can (ext4 gives a deleted file's inode to the next one
 *   created), so positions carry a head fingerprint (the first
 *   AO_TAIL_HEAD_MAX bytes) and a marker (the AO_TAIL_MARK_MAX bytes before
 *   the offset), both hashed. The marker is also checked before every read
 *   of an open file: a copytruncate followed by enough new bytes to pass the
 *   old offset before the next read is invisible to a size check, not to
 *   the marker.
 *
 *   One switching place. Every file a follower starts reading (first open,
 *   rotation, a file found again after a restart, the copy of a truncated
 *   file) goes through tail_adopt(), which asks the owner's claim hook
 *   whether the file is known elsewhere, so that an owner of several
 *   followers can make sure no file is read twice.
 *
 *   Buffer. One buffer of max_line + 2 + AO_TAIL_CHUNK bytes. A pending
 *   fragment (a line without its newline yet) is at most max_line + 1 bytes
 *   (content plus a "\r" that may precede the newline): anything longer is
 *   already known to be oversized and is discarded while the rest of that
 *   line is skipped. So after moving the fragment to the front there is
 *   always room for at least one chunk, and no read ever needs more memory,
 *   whatever the file holds.
 */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include "ao_tail.h"

#include "ao_log.h"

#include <dirent.h>
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

/* Looking for a file in the path's directory (after a restart, or the copy
 * of a truncated file) examines at most this many entries and opens at most
 * this many candidates: a directory of 100,000 files costs a bounded scan. */
#define AO_TAIL_DIR_SCAN_MAX 20000
#define AO_TAIL_DIR_OPEN_MAX 64

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
/* Fingerprints.                                                             */

uint64_t ao_tail_hash(const void *data, size_t len) {
  /* FNV-1a, 64 bit: identity checks against accidents (inode reuse, a
   * rewritten file), not against an adversary who would need to control
   * the bytes at our exact offsets and the inode number. */
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

/* pread() of exactly n bytes at off; returns 0, or -1 (short or error). */
static int pread_full(int fd, void *buf, size_t n, uint64_t off) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    got += (size_t)r;
  }
  return 0;
}

/* Hash of the n bytes at off, or -1 when they cannot be read. */
static int hash_range(int fd, uint64_t off, size_t n, uint64_t *out) {
  unsigned char b[AO_TAIL_HEAD_MAX > AO_TAIL_MARK_MAX ? AO_TAIL_HEAD_MAX
                                                      : AO_TAIL_MARK_MAX];
  if (n > sizeof(b))
    return -1;
  if (n > 0 && pread_full(fd, b, n, off) != 0)
    return -1;
  *out = ao_tail_hash(b, n);
  return 0;
}

int ao_tail_fileid(int fd, uint64_t dev, uint64_t ino, uint64_t size,
                   ao_fileid_t *id) {
  id->dev = dev;
  id->ino = ino;
  id->head_len = (uint32_t)(size < AO_TAIL_HEAD_MAX ? size : AO_TAIL_HEAD_MAX);
  return hash_range(fd, 0, id->head_len, &id->head_hash);
}

int ao_tail_pos_matches(int fd, uint64_t size, const ao_tail_pos_t *pos) {
  if (size < pos->offset || size < pos->id.head_len)
    return 0;
  uint64_t h;
  if (hash_range(fd, 0, pos->id.head_len, &h) != 0 || h != pos->id.head_hash)
    return 0;
  if (pos->mark_len > pos->offset || pos->mark_len > AO_TAIL_MARK_MAX)
    return 0;
  if (hash_range(fd, pos->offset - pos->mark_len, pos->mark_len, &h) != 0 ||
      h != pos->mark_hash)
    return 0;
  return 1;
}

/* ------------------------------------------------------------------------ */
/* The follower.                                                             */

struct ao_readbuf {
  ao_linebuf_t lb;
};

typedef struct tfile {
  int fd;             /* -1: none */
  ao_tail_pos_t pos;  /* identity, offset, marker, skipping */
  uint64_t read_end;  /* bytes of the file read so far (>= offset) */
  uint64_t size;      /* size as of the last read */
  uint64_t mark_at;   /* offset the marker was computed for */
  double quiet_since; /* old files: the last growth, or the switch */
} tfile_t;

struct ao_tail {
  char *path;
  ao_start_t start;
  double rotate_wait;
  ao_readbuf_t *buf;
  int own_buf;
  ao_tail_hooks_t hooks;
  int has_hooks;

  tfile_t cur;                  /* the file the path names */
  tfile_t old[AO_TAIL_MAX_OLD]; /* rotated away, being drained; oldest
                                   first */
  size_t nold;

  /* Where to start when the file is finally opened. A weak resume (no
   * fingerprints) is set when the file exists at the first read but cannot
   * be opened (permission denied) under AO_START_END: if the file opened
   * later is still that file, reading starts at the size it had then, so
   * neither its old content is read nor the lines appended meanwhile are
   * lost. A full resume comes from ao_tail_restore() and must match the
   * fingerprints too. */
  int resume_valid;
  int resume_full;
  ao_tail_pos_t resume;

  /* Saved by a previous run, applied at the first read. */
  int restore_pending;
  int restore_known;
  int restore_has_cur;
  ao_tail_pos_t restore_old[AO_TAIL_MAX_OLD];
  size_t nrestore_old;

  int first_read_done; /* the start policy has been applied */
  double last_growth;
  double now; /* of the read in progress */

  ao_tail_stats_t stats;

  ao_complaint_t c_open; /* cannot open or stat the path */
  ao_complaint_t c_read; /* cannot read or fstat the open file */
  ao_complaint_t c_gone; /* path missing while the old file is drained */
  ao_complaint_t c_busy; /* the path's file is read by another follower */
};

static void tf_init(tfile_t *f) {
  memset(f, 0, sizeof(*f));
  f->fd = -1;
}

static uint64_t tf_pending(const tfile_t *f) {
  return f->read_end > f->pos.offset ? f->read_end - f->pos.offset : 0;
}

/* Recomputes the head fingerprint while the file is shorter than
 * AO_TAIL_HEAD_MAX was, and the marker when the offset moved. Failures
 * leave a shorter (still valid) fingerprint. */
static void tf_fingerprint(tfile_t *f) {
  uint64_t size = f->size;
  if (f->pos.id.head_len < AO_TAIL_HEAD_MAX && size > f->pos.id.head_len) {
    uint32_t n = (uint32_t)(size < AO_TAIL_HEAD_MAX ? size : AO_TAIL_HEAD_MAX);
    uint64_t h;
    if (hash_range(f->fd, 0, n, &h) == 0) {
      f->pos.id.head_len = n;
      f->pos.id.head_hash = h;
    }
  }
  if (f->mark_at != f->pos.offset || f->pos.mark_len == 0) {
    uint64_t off = f->pos.offset;
    uint32_t n = (uint32_t)(off < AO_TAIL_MARK_MAX ? off : AO_TAIL_MARK_MAX);
    uint64_t h = 0;
    if (hash_range(f->fd, off - n, n, &h) == 0) {
      f->pos.mark_len = n;
      f->pos.mark_hash = h;
    } else {
      f->pos.mark_len = 0;
      f->pos.mark_hash = ao_tail_hash("", 0);
    }
    f->mark_at = off;
  }
}

/* Positions f at `at`. A position that is not right after a "\n" (the end
 * of a file whose last line is still being written, under AO_START_END)
 * would make the rest of that line look like a complete line, so the rest
 * is skipped instead, uncounted: it was never ours to count. */
static void tf_seek(tfile_t *f, uint64_t at) {
  f->pos.offset = at;
  f->pos.skipping = 0;
  f->read_end = at;
  f->pos.mark_len = 0;
  f->mark_at = (uint64_t)-1;
  if (at > 0) {
    char c = '\n';
    if (pread_full(f->fd, &c, 1, at - 1) == 0 && c != '\n')
      f->pos.skipping = 1;
  }
}

static void tf_resume(tfile_t *f, const ao_tail_pos_t *pos) {
  ao_fileid_t id = f->pos.id;
  f->pos = *pos;
  f->pos.id.dev = id.dev;
  f->pos.id.ino = id.ino;
  f->read_end = pos->offset;
  f->mark_at = pos->offset;
}

/* Closes f. The fragment left there is dropped (counted) when `drop`; the
 * file's final position goes to the retire hook when `retire`. */
static void tail_close_file(ao_tail_t *t, tfile_t *f, int drop, int retire) {
  if (f->fd < 0)
    return;
  if (drop && !f->pos.skipping && tf_pending(f) > 0)
    t->stats.partial_dropped++;
  if (retire && t->has_hooks && t->hooks.retire != NULL)
    t->hooks.retire(t->hooks.ud, t, &f->pos);
  close(f->fd);
  tf_init(f);
}

static void tail_remove_old(ao_tail_t *t, size_t i) {
  memmove(&t->old[i], &t->old[i + 1], (t->nold - i - 1) * sizeof(t->old[0]));
  t->nold--;
  tf_init(&t->old[t->nold]);
}

/* Adds an open file to the old files being drained, closing the oldest one
 * when all slots are taken. */
static void tail_push_old(ao_tail_t *t, const tfile_t *f) {
  if (t->nold == AO_TAIL_MAX_OLD) {
    tail_close_file(t, &t->old[0], 1, 1);
    tail_remove_old(t, 0);
  }
  t->old[t->nold] = *f;
  t->old[t->nold].quiet_since = t->now;
  t->nold++;
}

/* Opens path read-only. Returns the descriptor with *st filled in, or -1
 * with errno set (EISDIR/EINVAL for what is not a regular file). */
static int open_regular(const char *path, int dirfd, struct stat *st) {
  /* O_NONBLOCK: opening a FIFO by mistake must not hang the read thread; it
   * has no effect on regular files. */
  int fd;
  do {
    fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
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

static int tail_open_path(ao_tail_t *t, struct stat *st) {
  return open_regular(t->path, AT_FDCWD, st);
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

/* Asks the owner about a file this follower is about to read. Fills *f
 * (fd, identity, size) and, on AO_CLAIM_RESUME, its position. On
 * AO_CLAIM_BUSY the descriptor is closed. */
static ao_claim_t tail_adopt(ao_tail_t *t, int fd, const struct stat *st,
                             tfile_t *f) {
  tf_init(f);
  f->fd = fd;
  f->size = (uint64_t)st->st_size;
  if (ao_tail_fileid(fd, (uint64_t)st->st_dev, (uint64_t)st->st_ino, f->size,
                     &f->pos.id) != 0) {
    f->pos.id.head_len = 0;
    f->pos.id.head_hash = ao_tail_hash("", 0);
  }
  if (!t->has_hooks || t->hooks.claim == NULL)
    return AO_CLAIM_NEW;
  ao_tail_pos_t resume;
  memset(&resume, 0, sizeof(resume));
  ao_claim_t c =
      t->hooks.claim(t->hooks.ud, t, fd, &f->pos.id, f->size, &resume);
  if (c == AO_CLAIM_BUSY) {
    close(fd);
    tf_init(f);
  } else if (c == AO_CLAIM_RESUME) {
    tf_resume(f, &resume);
  } else if (c == AO_CLAIM_END) {
    tf_seek(f, f->size);
    c = AO_CLAIM_RESUME; /* positioned */
  } else {
    c = AO_CLAIM_NEW;
  }
  return c;
}

/* A candidate of a search by content: the most recently modified come
 * first (the copy logrotate just made is among them). */
typedef struct cand {
  char name[256];
  struct timespec mtime;
} cand_t;

static int newer(const struct timespec *a, const struct timespec *b) {
  return a->tv_sec != b->tv_sec ? a->tv_sec > b->tv_sec
                                : a->tv_nsec > b->tv_nsec;
}

/*
 * Looks in the path's directory for a regular file holding `pos`: by
 * identity (same device and inode, head and marker matching) when
 * by_inode, else by content only (the copy of a truncated file: another
 * inode than skip_ino, same head, same marker before the offset; the
 * AO_TAIL_DIR_OPEN_MAX most recently modified candidates are checked, so a
 * directory full of old logs does not hide a fresh copy). Returns an open
 * descriptor with *st filled in, or -1.
 */
static int tail_find_in_dir(const ao_tail_t *t, const ao_tail_pos_t *pos,
                            int by_inode, uint64_t skip_ino, struct stat *st) {
  size_t n = strlen(t->path);
  char *dir = malloc(n + 2);
  cand_t *cands =
      by_inode ? NULL : calloc(AO_TAIL_DIR_OPEN_MAX, sizeof(*cands));
  if (dir == NULL || (!by_inode && cands == NULL)) {
    free(dir);
    free(cands);
    return -1;
  }
  memcpy(dir, t->path, n + 1);
  char *slash = strrchr(dir, '/');
  if (slash == NULL)
    strcpy(dir, ".");
  else if (slash == dir)
    dir[1] = '\0';
  else
    *slash = '\0';
  DIR *d = opendir(dir);
  free(dir);
  if (d == NULL) {
    free(cands);
    return -1;
  }
  int found = -1;
  size_t seen = 0, ncand = 0;
  struct dirent *de;
  while (found < 0 && (de = readdir(d)) != NULL) {
    if (++seen > AO_TAIL_DIR_SCAN_MAX)
      break;
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    struct stat s;
    if (fstatat(dirfd(d), de->d_name, &s, 0) != 0 || !S_ISREG(s.st_mode))
      continue;
    if (by_inode) {
      if ((uint64_t)s.st_dev != pos->id.dev ||
          (uint64_t)s.st_ino != pos->id.ino)
        continue;
      int fd = open_regular(de->d_name, dirfd(d), st);
      if (fd < 0)
        continue;
      if (ao_tail_pos_matches(fd, (uint64_t)st->st_size, pos))
        found = fd;
      else
        close(fd);
      continue;
    }
    if ((uint64_t)s.st_ino == skip_ino || (uint64_t)s.st_size < pos->offset ||
        (uint64_t)s.st_size < pos->id.head_len ||
        strlen(de->d_name) >= sizeof(cands[0].name))
      continue;
    /* Keep the AO_TAIL_DIR_OPEN_MAX newest, newest first. */
    size_t at = ncand;
    while (at > 0 && newer(&s.st_mtim, &cands[at - 1].mtime))
      at--;
    if (at >= AO_TAIL_DIR_OPEN_MAX)
      continue;
    if (ncand < AO_TAIL_DIR_OPEN_MAX)
      ncand++;
    memmove(&cands[at + 1], &cands[at], (ncand - 1 - at) * sizeof(*cands));
    strcpy(cands[at].name, de->d_name);
    cands[at].mtime = s.st_mtim;
  }
  for (size_t i = 0; found < 0 && i < ncand; i++) {
    int fd = open_regular(cands[i].name, dirfd(d), st);
    if (fd < 0)
      continue;
    if ((uint64_t)st->st_ino != skip_ino &&
        ao_tail_pos_matches(fd, (uint64_t)st->st_size, pos))
      found = fd;
    else
      close(fd);
  }
  closedir(d);
  free(cands);
  return found;
}

static int tail_find_old(const ao_tail_t *t, uint64_t dev, uint64_t ino);

/* A file found again (after a restart, or the copy of a truncated file) is
 * drained from pos as an old file. Returns 1 if it was found and adopted. */
static int tail_drain_found(ao_tail_t *t, const ao_tail_pos_t *pos,
                            int by_inode, uint64_t skip_ino) {
  struct stat st;
  int fd = tail_find_in_dir(t, pos, by_inode, skip_ino, &st);
  if (fd < 0)
    return 0;
  if (t->cur.fd >= 0 && (uint64_t)st.st_dev == t->cur.pos.id.dev &&
      (uint64_t)st.st_ino == t->cur.pos.id.ino) {
    close(fd);
    return 0;
  }
  for (size_t i = 0; i < t->nold; i++) {
    if ((uint64_t)st.st_dev == t->old[i].pos.id.dev &&
        (uint64_t)st.st_ino == t->old[i].pos.id.ino) {
      close(fd);
      return 1;
    }
  }
  tfile_t f;
  ao_claim_t c = tail_adopt(t, fd, &st, &f);
  if (c == AO_CLAIM_BUSY)
    return 1; /* another follower reads it: not lost either */
  if (c == AO_CLAIM_NEW)
    tf_resume(&f, pos);
  tail_push_old(t, &f);
  return 1;
}

/* The start position of a file opened for the first time, per the start
 * policy (at the first read) or from its start. */
static void tail_start_new(ao_tail_t *t, tfile_t *f, int first) {
  uint64_t at = 0;
  if (first && t->start == AO_START_END)
    at = f->size;
  else if (t->resume_valid && !t->resume_full &&
           t->resume.id.dev == f->pos.id.dev &&
           t->resume.id.ino == f->pos.id.ino && f->size >= t->resume.offset)
    at = t->resume.offset;
  tf_seek(f, at);
}

/* A saved file that is gone (rotated away and removed, or deleted, while
 * collectd was stopped). What it held beyond the saved offset when it was
 * saved is lost for sure (counted in restore_lost); what was appended after
 * the save cannot be known. */
static void tail_report_gone(ao_tail_t *t, const ao_tail_pos_t *pos,
                             const char *what) {
  if (pos->size > pos->offset) {
    t->stats.restore_lost++;
    ao_log(AO_LOG_WARNING,
           "%s \"%s\" was rotated away and removed while collectd was "
           "stopped, %llu bytes before its end: those lines (and any "
           "appended later) were not counted",
           what, t->path, (unsigned long long)(pos->size - pos->offset));
  } else {
    ao_log(AO_LOG_INFO,
           "%s \"%s\" was rotated away and removed while collectd was "
           "stopped; it had been read to its end (lines appended after the "
           "last save, if any, were not counted)",
           what, t->path);
  }
}

/*
 * Applies the positions of a previous run at the first read (see
 * ao_tail_restore()). The current file (if it can be opened) ends in
 * t->cur; returns 0, or -1 when the path cannot be opened (complained).
 */
static int tail_apply_restore(ao_tail_t *t) {
  t->restore_pending = 0;
  const ao_tail_pos_t *saved = &t->resume;
  int has_cur = t->restore_has_cur;

  /* Old files first: their content came first. */
  for (size_t i = 0; i < t->nrestore_old; i++)
    if (!tail_drain_found(t, &t->restore_old[i], 1, 0))
      tail_report_gone(t, &t->restore_old[i], "a rotated file of");
  t->nrestore_old = 0;

  struct stat st;
  int fd = tail_open_path(t, &st);
  int open_errno = fd < 0 ? errno : 0;
  tfile_t f;
  int cur_found = 0; /* the saved current file is accounted for */
  ao_claim_t c = AO_CLAIM_NEW;
  int oi =
      fd >= 0 ? tail_find_old(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino) : -1;
  if (oi >= 0) {
    /* An old file renamed back to the path: it is the current one. */
    close(fd);
    f = t->old[oi];
    tail_remove_old(t, (size_t)oi);
    c = AO_CLAIM_RESUME;
  } else if (fd >= 0) {
    c = tail_adopt(t, fd, &st, &f);
  }

  if (fd >= 0 && c != AO_CLAIM_BUSY) {
    if (c == AO_CLAIM_RESUME) {
      cur_found = has_cur && f.pos.id.dev == saved->id.dev &&
                  f.pos.id.ino == saved->id.ino;
    } else if (has_cur && f.pos.id.dev == saved->id.dev &&
               f.pos.id.ino == saved->id.ino &&
               ao_tail_pos_matches(f.fd, f.size, saved)) {
      tf_resume(&f, saved);
      cur_found = 1;
    } else if (has_cur && f.pos.id.dev == saved->id.dev &&
               f.pos.id.ino == saved->id.ino) {
      /* Same inode, other content: truncated while stopped (copytruncate:
       * then the copy holds what was not read yet), or a new file that got
       * the old one's inode (ext4 reuses them). */
      uint64_t h = 0;
      int same_head = f.size >= saved->id.head_len &&
                      hash_range(f.fd, 0, saved->id.head_len, &h) == 0 &&
                      h == saved->id.head_hash;
      if (saved->offset > 0 && saved->id.head_len > 0 &&
          tail_drain_found(t, saved, 0, f.pos.id.ino)) {
        t->stats.truncations++;
        t->stats.copies_found++;
        cur_found = 1;
      } else if (same_head) {
        t->stats.truncations++;
        cur_found = 1;
        if (saved->offset > 0)
          ao_log(AO_LOG_NOTICE,
                 "\"%s\" was truncated while collectd was stopped and no "
                 "copy of it was found: lines appended after offset %llu "
                 "before the truncation, if any, were not counted",
                 t->path, (unsigned long long)saved->offset);
      } else {
        t->stats.rotations++;
      }
      tf_seek(&f, 0);
    } else if (has_cur) {
      /* The path names another file: rotated while stopped. */
      t->stats.rotations++;
      tf_seek(&f, 0);
    } else {
      tail_start_new(t, &f, !t->restore_known);
    }
    t->cur = f;
  } else if (fd >= 0) {
    ao_complain(&t->c_busy, AO_LOG_WARNING,
                "\"%s\" is a file another File of this Log already reads; "
                "it is not read twice",
                t->path);
  }

  if (has_cur && !cur_found) {
    if (tail_drain_found(t, saved, 1, 0)) {
      cur_found = 1;
    } else if (fd >= 0 || open_errno == ENOENT) {
      tail_report_gone(t, saved, "the file of");
    }
  }
  if (fd < 0 && has_cur && !cur_found && open_errno != ENOENT) {
    /* Unreadable now: keep the saved position for when it can be read. */
    t->resume_valid = 1;
    t->resume_full = 1;
  } else {
    t->resume_valid = 0;
  }
  if (fd < 0) {
    tail_complain_open(t, open_errno);
    return -1;
  }
  if (t->cur.fd < 0)
    return -1; /* busy */
  ao_release(&t->c_open, AO_LOG_INFO, "opened \"%s\"", t->path);
  return 0;
}

/* Opens the file when none is open. Returns 0, or -1 (complained about). */
static int tail_open_initial(ao_tail_t *t) {
  int first = !t->first_read_done;
  t->first_read_done = 1;
  if (t->restore_pending)
    return tail_apply_restore(t);

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
      t->resume_full = 0;
      memset(&t->resume, 0, sizeof(t->resume));
      t->resume.id.dev = (uint64_t)pst.st_dev;
      t->resume.id.ino = (uint64_t)pst.st_ino;
      t->resume.offset = (uint64_t)pst.st_size;
    }
    return -1;
  }

  tfile_t f;
  ao_claim_t c = tail_adopt(t, fd, &st, &f);
  if (c == AO_CLAIM_BUSY) {
    ao_complain(&t->c_busy, AO_LOG_WARNING,
                "\"%s\" is a file another File of this Log already reads; "
                "it is not read twice",
                t->path);
    return -1;
  }
  ao_release(&t->c_busy, AO_LOG_INFO, "\"%s\" is read again", t->path);
  if (c == AO_CLAIM_NEW) {
    if (t->resume_valid && t->resume_full && f.pos.id.dev == t->resume.id.dev &&
        f.pos.id.ino == t->resume.id.ino &&
        ao_tail_pos_matches(f.fd, f.size, &t->resume))
      tf_resume(&f, &t->resume);
    else
      tail_start_new(t, &f, first);
  }
  t->resume_valid = 0;
  ao_release(&t->c_open, AO_LOG_INFO, "opened \"%s\"", t->path);
  t->cur = f;
  return 0;
}

/*
 * Before reading f: restarts it at 0 when it shrank below what was read
 * from it, or when the bytes before its offset changed (truncated and
 * rewritten past the old offset). For the current file, the copy of the
 * truncated content is looked for and drained. Returns 0, or -1 with errno
 * when fstat() fails.
 */
static int tail_check_truncation(ao_tail_t *t, tfile_t *f, int is_cur) {
  struct stat st;
  if (fstat(f->fd, &st) != 0)
    return -1;
  uint64_t size = (uint64_t)st.st_size;
  int truncated = size < f->read_end;
  /* Grown back past what was read: the bytes before the offset, and the
   * head, tell. Either alone can be fooled by repetitive logs (the same
   * user agent ends many lines); a rewrite that keeps both is one with the
   * same content, which counts the same. */
  if (!truncated && f->pos.offset > 0 && f->pos.mark_len > 0 &&
      f->mark_at == f->pos.offset) {
    uint64_t h;
    truncated = hash_range(f->fd, f->pos.offset - f->pos.mark_len,
                           f->pos.mark_len, &h) != 0 ||
                h != f->pos.mark_hash;
  }
  if (!truncated && f->read_end > 0 && f->pos.id.head_len > 0) {
    uint64_t h;
    truncated = hash_range(f->fd, 0, f->pos.id.head_len, &h) != 0 ||
                h != f->pos.id.head_hash;
  }
  if (truncated) {
    /* The bytes after the last newline we consumed are gone or rewritten;
     * so is the line they would have completed. */
    ao_tail_pos_t before = f->pos;
    int fragment = !f->pos.skipping && tf_pending(f) > 0;
    t->stats.truncations++;
    tf_seek(f, 0);
    f->pos.id.head_len = 0;
    f->pos.id.head_hash = ao_tail_hash("", 0);
    /* copytruncate: logrotate copied the file before truncating it. The
     * copy holds what we had not read yet; drain it from our offset (its
     * fragment, if any, is then the copy's to drop). */
    if (is_cur && before.offset > 0 && before.id.head_len > 0 &&
        tail_drain_found(t, &before, 0, before.id.ino))
      t->stats.copies_found++;
    else if (fragment)
      t->stats.partial_dropped++;
  }
  f->size = size;
  return 0;
}

enum { PUMP_EOF = 0, PUMP_STOPPED = 1, PUMP_BUDGET = 2 };

static int ctl_exhausted(const ao_tail_ctl_t *ctl) {
  if (ctl->max_bytes != 0 && ctl->bytes >= ctl->max_bytes)
    return 1;
  return ctl->deadline > 0 && ao_now_mono() >= ctl->deadline;
}

/* Reads f from its offset to its end (or until the callback or the budget
 * stops it), delivering lines. Returns PUMP_*, or -1 with errno on a read
 * error (the position is unchanged by the failed read). *grew is set when
 * bytes beyond what had been read before were found. */
static int tail_pump(ao_tail_t *t, tfile_t *f, ao_tail_ctl_t *ctl,
                     ao_line_fn fn, void *ud, int *grew) {
  ao_linebuf_t *lb = &t->buf->lb;
  lb_reset(lb);
  lb->skipping = f->pos.skipping;
  uint64_t prev_end = f->read_end;
  uint64_t at = f->pos.offset; /* file position of lb->buf[lb->tail] */
  int at_start = f->pos.offset == 0 && !lb->skipping;
  int rc = PUMP_EOF;
  for (;;) {
    size_t room = lb_make_room(lb);
    ssize_t n = pread(f->fd, lb->buf + lb->tail, room, (off_t)at);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      rc = -1;
      break;
    }
    if (n == 0)
      break;
    lb->tail += (size_t)n;
    at += (uint64_t)n;
    t->stats.bytes += (uint64_t)n;
    ctl->bytes += (uint64_t)n;
    if (at_start) {
      /* The sparse head a writer without O_APPEND leaves after a
       * copytruncate: a run of NULs where the old content was. */
      while (lb->head < lb->tail && lb->buf[lb->head] == '\0') {
        lb->head++;
        f->pos.offset++;
      }
      if (lb->head < lb->tail)
        at_start = 0;
    }
    uint64_t consumed = 0;
    int r = lb_scan(lb, fn, ud, &t->stats, &consumed);
    f->pos.offset += consumed;
    if (r == LB_STOPPED) {
      rc = PUMP_STOPPED;
      break;
    }
    /* A short read means the end of the file is near: finish it rather
     * than stop one syscall before the end. */
    if ((size_t)n == room && ctl_exhausted(ctl)) {
      rc = PUMP_BUDGET;
      break;
    }
  }
  int e = errno;
  f->pos.skipping = lb->skipping;
  f->read_end = at > f->read_end ? at : f->read_end;
  if (f->read_end < f->pos.offset)
    f->read_end = f->pos.offset;
  if (f->size < f->read_end)
    f->size = f->read_end;
  *grew = at > prev_end;
  lb_reset(lb);
  if (rc != -1)
    tf_fingerprint(f);
  errno = e;
  return rc;
}

/* Is the (dev, ino) one of the old files? Returns its index or -1. */
static int tail_find_old(const ao_tail_t *t, uint64_t dev, uint64_t ino) {
  for (size_t i = 0; i < t->nold; i++)
    if (t->old[i].pos.id.dev == dev && t->old[i].pos.id.ino == ino)
      return (int)i;
  return -1;
}

/* The current file was read to its end: it becomes an old file to drain
 * (or is closed at once with rotate_wait 0), and nf the current one. */
static void tail_switch(ao_tail_t *t, tfile_t *nf) {
  t->stats.rotations++;
  if (t->cur.fd >= 0) {
    if (t->rotate_wait > 0)
      tail_push_old(t, &t->cur);
    else
      tail_close_file(t, &t->cur, 1, 1);
  }
  t->cur = *nf;
}

/*
 * At the end of the current file: does the path still name it? Returns 1
 * when the follower switched to a new file (to be read within the same
 * call), 0 when it stays with the open one (same file, path missing, or the
 * new file cannot be opened yet: then the old one keeps being drained).
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
  if ((uint64_t)st.st_dev == t->cur.pos.id.dev &&
      (uint64_t)st.st_ino == t->cur.pos.id.ino) {
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
  if ((uint64_t)nst.st_dev == t->cur.pos.id.dev &&
      (uint64_t)nst.st_ino == t->cur.pos.id.ino) {
    close(fd); /* moved back between stat() and open() */
    return 0;
  }
  tfile_t nf;
  int oi = tail_find_old(t, (uint64_t)nst.st_dev, (uint64_t)nst.st_ino);
  if (oi >= 0) {
    /* An old file renamed back to the path: it continues where it was. */
    close(fd);
    nf = t->old[oi];
    tail_remove_old(t, (size_t)oi);
  } else {
    ao_claim_t c = tail_adopt(t, fd, &nst, &nf);
    if (c == AO_CLAIM_BUSY) {
      ao_complain(&t->c_busy, AO_LOG_WARNING,
                  "\"%s\" now names a file another File of this Log already "
                  "reads; it is not read twice",
                  t->path);
      return 0;
    }
    if (c == AO_CLAIM_NEW)
      tf_seek(&nf, 0);
  }
  ao_release(&t->c_busy, AO_LOG_INFO, "\"%s\" is read again", t->path);
  ao_release(&t->c_gone, AO_LOG_INFO, "\"%s\" has a new file", t->path);
  ao_release(&t->c_open, AO_LOG_INFO, "\"%s\" is readable again", t->path);
  tail_switch(t, &nf);
  return 1;
}

/* Drains the old files; closes those quiet for rotate_wait. Returns
 * PUMP_EOF, or PUMP_STOPPED/PUMP_BUDGET when reading must stop. */
static int tail_drain_old(ao_tail_t *t, ao_tail_ctl_t *ctl, ao_line_fn fn,
                          void *ud) {
  for (size_t i = 0; i < t->nold;) {
    tfile_t *f = &t->old[i];
    if (ctl_exhausted(ctl)) {
      ctl->exhausted = 1;
      return PUMP_BUDGET;
    }
    int grew = 0;
    int r = -1;
    if (tail_check_truncation(t, f, 0) == 0)
      r = tail_pump(t, f, ctl, fn, ud, &grew);
    if (r < 0) {
      int e = errno;
      t->stats.errors++;
      ao_complain(&t->c_read, AO_LOG_ERR,
                  "cannot read a rotated file of "
                  "\"%s\": %s",
                  t->path, strerror(e));
      /* An old file that cannot be read any more is given up. */
      tail_close_file(t, f, 1, 1);
      tail_remove_old(t, i);
      continue;
    }
    if (grew)
      f->quiet_since = t->now;
    if (r == PUMP_STOPPED || r == PUMP_BUDGET) {
      if (r == PUMP_BUDGET)
        ctl->exhausted = 1;
      return r;
    }
    if (t->now - f->quiet_since >= t->rotate_wait) {
      tail_close_file(t, f, 1, 1);
      tail_remove_old(t, i);
      continue;
    }
    i++;
  }
  return PUMP_EOF;
}

int ao_tail_read_ex(ao_tail_t *t, ao_tail_ctl_t *ctl, ao_line_fn fn, void *ud) {
  if (t == NULL || fn == NULL || ctl == NULL)
    return -1;
  t->now = ctl->now;
  uint64_t bytes_before = t->stats.bytes;
  int rc = 0;

  if (t->cur.fd < 0 && !t->first_read_done)
    rc = tail_open_initial(t);

  int r = tail_drain_old(t, ctl, fn, ud);
  if (r != PUMP_EOF)
    goto done;

  if (t->cur.fd < 0 && t->first_read_done && rc == 0)
    rc = tail_open_initial(t);
  if (t->cur.fd < 0) {
    rc = t->nold > 0 ? 0 : -1;
    goto done;
  }
  rc = 0;

  for (int switches = 0;;) {
    if (tail_check_truncation(t, &t->cur, 1) != 0) {
      int e = errno;
      t->stats.errors++;
      ao_complain(&t->c_read, AO_LOG_ERR, "cannot fstat \"%s\": %s", t->path,
                  strerror(e));
      rc = -1;
      break;
    }
    if (t->nold > 0 && switches == 0 && t->cur.pos.offset == 0) {
      /* A copy found by the truncation check is read first, as the old
       * content came first. */
      r = tail_drain_old(t, ctl, fn, ud);
      if (r != PUMP_EOF)
        break;
    }
    int grew = 0;
    r = tail_pump(t, &t->cur, ctl, fn, ud, &grew);
    if (r < 0) {
      int e = errno;
      t->stats.errors++;
      /* The position is unchanged: the next call retries the same read. */
      ao_complain(&t->c_read, AO_LOG_ERR, "cannot read \"%s\": %s", t->path,
                  strerror(e));
      rc = -1;
      break;
    }
    ao_release(&t->c_read, AO_LOG_INFO, "\"%s\" can be read again", t->path);
    if (r == PUMP_BUDGET)
      ctl->exhausted = 1;
    if (r != PUMP_EOF)
      break;
    if (!tail_check_path(t) || ++switches >= AO_TAIL_MAX_SWITCHES)
      break;
  }

done:
  if (ctl->exhausted)
    t->stats.budget_stops++;
  if (t->stats.bytes > bytes_before)
    t->last_growth = t->now;
  return rc;
}

int ao_tail_read(ao_tail_t *t, ao_line_fn fn, void *ud) {
  ao_tail_ctl_t ctl = {.now = ao_now_mono()};
  return ao_tail_read_ex(t, &ctl, fn, ud);
}

ao_readbuf_t *ao_readbuf_create(size_t max_line) {
  if (max_line < AO_MAX_LINE_MIN || max_line > AO_MAX_LINE_MAX)
    return NULL;
  ao_readbuf_t *b = calloc(1, sizeof(*b));
  if (b == NULL)
    return NULL;
  b->lb.max_line = max_line;
  b->lb.cap = lb_cap_for(max_line);
  b->lb.buf = malloc(b->lb.cap);
  if (b->lb.buf == NULL) {
    free(b);
    return NULL;
  }
  return b;
}

void ao_readbuf_destroy(ao_readbuf_t *b) {
  if (b == NULL)
    return;
  free(b->lb.buf);
  free(b);
}

ao_tail_t *ao_tail_create_opts(const char *path, const ao_tail_opts_t *o,
                               ao_err_t *err) {
  if (path == NULL || *path == '\0') {
    ao_err_set(err, "tail: empty file path");
    return NULL;
  }
  if (o->max_line < AO_MAX_LINE_MIN || o->max_line > AO_MAX_LINE_MAX) {
    ao_err_set(err, "tail \"%s\": line length limit %zu out of range (%u..%u)",
               path, o->max_line, (unsigned)AO_MAX_LINE_MIN,
               (unsigned)AO_MAX_LINE_MAX);
    return NULL;
  }
  if (o->start != AO_START_END && o->start != AO_START_BEGINNING) {
    ao_err_set(err, "tail \"%s\": invalid start position %d", path,
               (int)o->start);
    return NULL;
  }
  if (!(o->rotate_wait >= 0)) {
    ao_err_set(err, "tail \"%s\": invalid rotate wait", path);
    return NULL;
  }
  if (o->buf != NULL && o->buf->lb.max_line != o->max_line) {
    ao_err_set(err, "tail \"%s\": shared buffer of another line length", path);
    return NULL;
  }

  ao_tail_t *t = calloc(1, sizeof(*t));
  if (t == NULL)
    goto nomem;
  tf_init(&t->cur);
  for (size_t i = 0; i < AO_TAIL_MAX_OLD; i++)
    tf_init(&t->old[i]);
  t->start = o->start;
  t->rotate_wait = o->rotate_wait;
  if (o->hooks != NULL) {
    t->hooks = *o->hooks;
    t->has_hooks = 1;
  }
  t->path = strdup(path);
  if (t->path == NULL)
    goto nomem;
  if (o->buf != NULL) {
    t->buf = o->buf;
  } else {
    t->buf = ao_readbuf_create(o->max_line);
    if (t->buf == NULL)
      goto nomem;
    t->own_buf = 1;
  }
  return t;

nomem:
  ao_tail_destroy(t);
  ao_err_set(err, "tail \"%s\": out of memory", path);
  return NULL;
}

ao_tail_t *ao_tail_create(const char *path, size_t max_line, ao_start_t start,
                          ao_err_t *err) {
  ao_tail_opts_t o = {.max_line = max_line, .start = start};
  return ao_tail_create_opts(path, &o, err);
}

void ao_tail_destroy(ao_tail_t *t) {
  if (t == NULL)
    return;
  if (t->cur.fd >= 0)
    close(t->cur.fd);
  for (size_t i = 0; i < t->nold; i++)
    if (t->old[i].fd >= 0)
      close(t->old[i].fd);
  ao_complaint_reset(&t->c_open);
  ao_complaint_reset(&t->c_read);
  ao_complaint_reset(&t->c_gone);
  ao_complaint_reset(&t->c_busy);
  if (t->own_buf)
    ao_readbuf_destroy(t->buf);
  free(t->path);
  free(t);
}

void ao_tail_close_all(ao_tail_t *t) {
  if (t == NULL)
    return;
  tail_close_file(t, &t->cur, 1, 1);
  while (t->nold > 0) {
    tail_close_file(t, &t->old[0], 1, 1);
    tail_remove_old(t, 0);
  }
}

static uint64_t tf_lag(const tfile_t *f) {
  if (f->fd < 0 || f->size <= f->pos.offset)
    return 0;
  return f->size - f->pos.offset;
}

uint64_t ao_tail_lag(const ao_tail_t *t) {
  if (t == NULL)
    return 0;
  uint64_t lag = tf_lag(&t->cur);
  for (size_t i = 0; i < t->nold; i++)
    lag += tf_lag(&t->old[i]);
  return lag;
}

const ao_tail_stats_t *ao_tail_stats(const ao_tail_t *t) { return &t->stats; }

void ao_tail_stats_add(ao_tail_stats_t *a, const ao_tail_stats_t *b) {
  a->lines += b->lines;
  a->oversized += b->oversized;
  a->partial_dropped += b->partial_dropped;
  a->bytes += b->bytes;
  a->rotations += b->rotations;
  a->truncations += b->truncations;
  a->errors += b->errors;
  a->budget_stops += b->budget_stops;
  a->copies_found += b->copies_found;
  a->restore_lost += b->restore_lost;
}

const char *ao_tail_path(const ao_tail_t *t) { return t->path; }

int ao_tail_is_open(const ao_tail_t *t) {
  return t->cur.fd >= 0 || t->nold > 0;
}

double ao_tail_last_growth(const ao_tail_t *t) { return t->last_growth; }

size_t ao_tail_export(const ao_tail_t *t, int *has_cur, ao_tail_pos_t *cur,
                      ao_tail_pos_t *old, size_t max) {
  *has_cur = 0;
  if (t->cur.fd >= 0) {
    *has_cur = 1;
    *cur = t->cur.pos;
    cur->size = t->cur.size;
  } else if (t->resume_valid && t->resume_full) {
    /* Not readable yet since the restart: keep what was saved. */
    *has_cur = 1;
    *cur = t->resume;
  }
  /* At most AO_TAIL_MAX_OLD - 1 old files, the newest: after a restart the
   * current file, if it was rotated meanwhile, needs a slot too, and a
   * restore must never close a file it has not drained. */
  if (max > AO_TAIL_MAX_OLD - 1)
    max = AO_TAIL_MAX_OLD - 1;
  size_t keep[AO_TAIL_MAX_OLD];
  size_t nkeep = 0;
  for (size_t i = 0; i < t->nold; i++) {
    const tfile_t *f = &t->old[i];
    /* A deleted old file read to its end can never be found again, nor
     * hold anything unread: nothing to save. */
    struct stat st;
    if (fstat(f->fd, &st) == 0 && st.st_nlink == 0 &&
        f->pos.offset >= (uint64_t)st.st_size)
      continue;
    keep[nkeep++] = i;
  }
  size_t n = 0;
  for (size_t k = nkeep > max ? nkeep - max : 0; k < nkeep; k++) {
    old[n] = t->old[keep[k]].pos;
    old[n].size = t->old[keep[k]].size;
    n++;
  }
  for (size_t i = 0; t->restore_pending && i < t->nrestore_old && n < max; i++)
    old[n++] = t->restore_old[i];
  if (t->restore_pending && t->restore_has_cur) {
    *has_cur = 1;
    *cur = t->resume;
  }
  return n;
}

int ao_tail_restore(ao_tail_t *t, int known, int has_cur,
                    const ao_tail_pos_t *cur, const ao_tail_pos_t *old,
                    size_t nold) {
  if (t->first_read_done)
    return -1;
  t->restore_pending = 1;
  t->restore_known = known || has_cur || nold > 0;
  t->restore_has_cur = has_cur;
  if (has_cur)
    t->resume = *cur;
  t->nrestore_old = 0;
  for (size_t i = 0; i < nold && i < AO_TAIL_MAX_OLD; i++)
    t->restore_old[t->nrestore_old++] = old[i];
  return 0;
}

int ao_tail_release(ao_tail_t *t, uint64_t dev, uint64_t ino,
                    ao_tail_pos_t *out) {
  int i = tail_find_old(t, dev, ino);
  if (i < 0)
    return 0;
  *out = t->old[i].pos;
  tail_close_file(t, &t->old[i], 0, 0);
  tail_remove_old(t, (size_t)i);
  return 1;
}

int ao_tail_intact(const ao_tail_t *t, uint64_t dev, uint64_t ino) {
  const tfile_t *f = NULL;
  if (t->cur.fd >= 0 && t->cur.pos.id.dev == dev && t->cur.pos.id.ino == ino)
    f = &t->cur;
  int i = tail_find_old(t, dev, ino);
  if (i >= 0)
    f = &t->old[i];
  if (f == NULL)
    return -1;
  struct stat st;
  if (fstat(f->fd, &st) != 0 || (uint64_t)st.st_size < f->read_end)
    return 0;
  uint64_t h;
  if (f->pos.offset > 0 && f->pos.mark_len > 0 && f->mark_at == f->pos.offset &&
      (hash_range(f->fd, f->pos.offset - f->pos.mark_len, f->pos.mark_len,
                  &h) != 0 ||
       h != f->pos.mark_hash))
    return 0;
  if (f->pos.id.head_len > 0 &&
      (hash_range(f->fd, 0, f->pos.id.head_len, &h) != 0 ||
       h != f->pos.id.head_hash))
    return 0;
  return 1;
}

int ao_tail_holds(const ao_tail_t *t, uint64_t dev, uint64_t ino, int *is_cur) {
  if (t->cur.fd >= 0 && t->cur.pos.id.dev == dev && t->cur.pos.id.ino == ino) {
    *is_cur = 1;
    return 1;
  }
  if (tail_find_old(t, dev, ino) >= 0) {
    *is_cur = 0;
    return 1;
  }
  return 0;
}

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
