/*
 * ao_geodb.c - private, validated, shared snapshots of MaxMind DB files
 * (see ao_geodb.h).
 *
 * Why a copy and not the file: libmaxminddb maps the path it is given
 * MAP_SHARED; a shrunken file then raises SIGBUS in the reader. A sealed
 * memfd cannot shrink (F_SEAL_SHRINK holds even against root reopening it
 * through /proc), and an unlinked mkstemp() file has no name left for
 * anybody to open.
 *
 * Why a child process validates: the walk below makes every call that
 * lookups will ever make on the copy; if libmaxminddb misbehaves on a
 * corrupt file (1.7.1 reads past a metadata section that ends at its
 * marker and recurses without bound into nested maps), the child dies and
 * we refuse the file. The child only reads memory, calls libmaxminddb and
 * write()s its verdict; it never returns into the caller's code
 * (_exit()). glibc makes malloc usable after fork() in a threaded process,
 * which MMDB_open() in the child needs.
 */
#define _GNU_SOURCE
#include "ao_geodb.h"

#include "ao_common.h"

#include <maxminddb.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__) && defined(MFD_CLOEXEC) && defined(F_ADD_SEALS)
#define AO_HAVE_MEMFD 1
#endif

#define COPY_CHUNK (64 * 1024)
/* libmaxminddb 1.7.1 computes offsets in uint32_t. */
#define MAX_DB_BYTES ((off_t)UINT32_MAX)
#define FAIL_MEMO 8
#define MSG_MAX 240
/* The 16 zero bytes between the search tree and the data section (MaxMind
 * DB format spec); libmaxminddb keeps its constant private. */
#define SEPARATOR 16u

struct ao_geodb {
  struct ao_geodb *next;
  char *path;
  char *key;
  ao_file_id_t id;
  MMDB_s mmdb;
  size_t size;
  unsigned refs;
  const char *backing;
};

typedef struct failure {
  char *path;
  char *key;
  ao_file_id_t id;
  int status;
  char why[MSG_MAX + 16];
} failure_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static ao_geodb_t *live;
static failure_t failures[FAIL_MEMO];
static unsigned fail_next;
static int backing_mode;
static int timeout_ms = 30000;
static void (*copy_hook)(const char *path);
static void (*child_hook)(void);

/* --- file identity -------------------------------------------------------- */

static void id_from_stat(const struct stat *st, ao_file_id_t *id) {
  memset(id, 0, sizeof(*id));
  id->dev = st->st_dev;
  id->ino = st->st_ino;
  id->size = st->st_size;
  id->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
  id->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

int ao_file_id_of(const char *path, ao_file_id_t *id) {
  struct stat st;
  if (stat(path, &st) != 0)
    return -1;
  id_from_stat(&st, id);
  return S_ISREG(st.st_mode) ? 0 : 1;
}

int ao_file_id_eq(const ao_file_id_t *a, const ao_file_id_t *b) {
  return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* --- the private copy ----------------------------------------------------- */

typedef struct backing {
  int fd;
  int tmp;         /* a named temporary file, to unlink once mapped */
  char path[4096]; /* what MMDB_open() is given */
} backing_t;

static int make_tmpfile(backing_t *b, char *why, size_t n) {
  const char *dir = getenv("TMPDIR");
  if (dir == NULL || dir[0] == '\0')
    dir = "/tmp";
  int w = snprintf(b->path, sizeof(b->path), "%s/attack_origin-geoip-XXXXXX",
                   dir);
  if (w < 0 || (size_t)w >= sizeof(b->path)) {
    snprintf(why, n, "temporary directory name too long");
    return -1;
  }
  b->fd = mkstemp(b->path); /* O_EXCL, mode 0600 */
  if (b->fd < 0) {
    snprintf(why, n, "cannot create a private copy in %s: %s", dir,
             strerror(errno));
    return -1;
  }
  (void)fcntl(b->fd, F_SETFD, FD_CLOEXEC);
  b->tmp = 1;
  return 0;
}

static int make_backing(backing_t *b, char *why, size_t n) {
  memset(b, 0, sizeof(*b));
  b->fd = -1;
#ifdef AO_HAVE_MEMFD
  if (backing_mode != 2) {
    b->fd = memfd_create("attack_origin-geoip", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (b->fd >= 0) {
      snprintf(b->path, sizeof(b->path), "/proc/self/fd/%d", b->fd);
      /* libmaxminddb needs a path: without /proc there is none. */
      int probe = open(b->path, O_RDONLY | O_CLOEXEC);
      if (probe >= 0) {
        close(probe);
        return 0;
      }
      close(b->fd);
      b->fd = -1;
    }
    if (backing_mode == 1) {
      snprintf(why, n, "cannot create a memfd copy: %s", strerror(errno));
      return -1;
    }
  }
#else
  if (backing_mode == 1) {
    snprintf(why, n, "memfd copies are not available on this system");
    return -1;
  }
#endif
  return make_tmpfile(b, why, n);
}

static void drop_backing(backing_t *b) {
  if (b->fd >= 0)
    close(b->fd);
  if (b->tmp)
    unlink(b->path);
  b->fd = -1;
  b->tmp = 0;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Copies path into dst. The source is identified before and after; *id
 * gets its identity. Returns AO_GEODB_OK, _CHANGED or _BAD (why filled). */
static int copy_file(const char *path, const ao_file_id_t *seen, int dst,
                     ao_file_id_t *id, size_t *size, char *why, size_t n) {
  /* O_NONBLOCK: a FIFO put in the database's place must not block. */
  int src = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (src < 0) {
    snprintf(why, n, "cannot open it: %s", strerror(errno));
    return AO_GEODB_BAD;
  }
  int rc = AO_GEODB_BAD;
  char *buf = NULL;
  struct stat st;
  if (fstat(src, &st) != 0) {
    snprintf(why, n, "cannot stat it: %s", strerror(errno));
    goto out;
  }
  id_from_stat(&st, id);
  if (!S_ISREG(st.st_mode)) {
    snprintf(why, n, "not a regular file");
    goto out;
  }
  if (seen != NULL && !ao_file_id_eq(id, seen)) {
    snprintf(why, n, "it changed after it was looked at");
    rc = AO_GEODB_STALE;
    goto out;
  }
  if (st.st_size == 0) {
    snprintf(why, n, "empty file");
    goto out;
  }
  if (st.st_size > MAX_DB_BYTES) {
    snprintf(why, n, "%lld bytes: larger than libmaxminddb can address",
             (long long)st.st_size);
    goto out;
  }
  buf = malloc(COPY_CHUNK);
  if (buf == NULL) {
    snprintf(why, n, "out of memory");
    goto out;
  }
  uint64_t total = 0;
  int first = 1;
  for (;;) {
    ssize_t r = read(src, buf, COPY_CHUNK);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      snprintf(why, n, "read error: %s", strerror(errno));
      goto out;
    }
    if (r == 0)
      break;
    total += (uint64_t)r;
    if (total > (uint64_t)st.st_size)
      break; /* it grows while we read: judged below */
    if (write_all(dst, buf, (size_t)r) != 0) {
      snprintf(why, n, "cannot write the private copy: %s", strerror(errno));
      goto out;
    }
    if (first && copy_hook != NULL)
      copy_hook(path);
    first = 0;
  }
  struct stat after;
  ao_file_id_t id2;
  if (fstat(src, &after) != 0) {
    snprintf(why, n, "cannot stat it: %s", strerror(errno));
    goto out;
  }
  id_from_stat(&after, &id2);
  if (total != (uint64_t)st.st_size || !ao_file_id_eq(id, &id2)) {
    snprintf(why, n,
             "it changed while it was being copied (%llu bytes read of "
             "%lld; is something writing it in place?)",
             (unsigned long long)total, (long long)st.st_size);
    rc = AO_GEODB_CHANGED;
    goto out;
  }
  *size = (size_t)st.st_size;
  rc = AO_GEODB_OK;
out:
  free(buf);
  close(src);
  return rc;
}

/* --- the walk (runs in the child) ----------------------------------------- */

static void *map_zeroed(size_t bytes) {
  void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

static int test_and_set(uint8_t *bits, uint64_t i) {
  uint8_t m = (uint8_t)(1u << (i & 7));
  int was = (bits[i >> 3] & m) != 0;
  bits[i >> 3] |= m;
  return was;
}

/* Opens path and makes every call lookups can make (see ao_geodb.h).
 * Returns 0, or -1 with why filled. */
static int walk(const char *path, const ao_geodb_paths_t *paths, char *why,
                size_t n) {
  MMDB_s db;
  int rc = MMDB_open(path, MMDB_MODE_MMAP, &db);
  if (rc != MMDB_SUCCESS) {
    if (rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR)
      snprintf(why, n, "%s (%s)", MMDB_strerror(rc), strerror(errno));
    else
      snprintf(why, n, "%s", MMDB_strerror(rc));
    return -1;
  }
  const MMDB_metadata_s *m = &db.metadata;
  int ok = -1;
  uint8_t *node_bits = NULL, *data_bits = NULL;
  uint32_t *stack = NULL;
  size_t node_bytes = 0, data_bytes = 0, stack_bytes = 0;
  if (m->record_size != 24 && m->record_size != 28 && m->record_size != 32) {
    snprintf(why, n, "record size %u is not 24, 28 or 32",
             (unsigned)m->record_size);
    goto out;
  }
  /* libmaxminddb 1.7.1 checks this in 32 bits, which a corrupt node_count
   * can wrap. */
  uint64_t tree = (uint64_t)m->node_count * (m->record_size / 4u);
  if (m->node_count == 0 || tree + SEPARATOR >
                                (uint64_t)db.file_size) {
    snprintf(why, n,
             "a search tree of %u nodes does not fit in the file (%lld "
             "bytes)",
             (unsigned)m->node_count, (long long)db.file_size);
    goto out;
  }
  uint64_t nodes = m->node_count;
  uint64_t data_size = db.data_section_size;
  node_bytes = (size_t)(nodes / 8 + 1);
  data_bytes = (size_t)(data_size / 8 + 1);
  stack_bytes = (size_t)(nodes + 1) * sizeof(uint32_t);
  node_bits = map_zeroed(node_bytes);
  data_bits = map_zeroed(data_bytes);
  stack = map_zeroed(stack_bytes);
  if (node_bits == NULL || data_bits == NULL || stack == NULL) {
    snprintf(why, n, "out of memory for the validation walk");
    goto out;
  }
  uint64_t sp = 0, seen_nodes = 0, records = 0;
  stack[sp++] = 0;
  test_and_set(node_bits, 0);
  while (sp > 0) {
    uint32_t node = stack[--sp];
    MMDB_search_node_s sn;
    rc = MMDB_read_node(&db, node, &sn);
    if (rc != MMDB_SUCCESS) {
      snprintf(why, n, "search tree node %u: %s", (unsigned)node,
               MMDB_strerror(rc));
      goto out;
    }
    seen_nodes++;
    const struct {
      uint64_t rec;
      uint8_t type;
      MMDB_entry_s entry;
    } side[2] = {{sn.left_record, sn.left_record_type, sn.left_record_entry},
                 {sn.right_record, sn.right_record_type,
                  sn.right_record_entry}};
    for (int s = 0; s < 2; s++) {
      uint64_t rec = side[s].rec;
      if (rec < nodes && side[s].type == MMDB_RECORD_TYPE_SEARCH_NODE) {
        if (!test_and_set(node_bits, rec))
          stack[sp++] = (uint32_t)rec;
        continue;
      }
      if (rec == nodes && side[s].type == MMDB_RECORD_TYPE_EMPTY)
        continue;
      if (side[s].type != MMDB_RECORD_TYPE_DATA ||
          rec < nodes + SEPARATOR ||
          rec - nodes - SEPARATOR >= data_size) {
        snprintf(why, n,
                 "corrupt search tree: node %u points outside the data "
                 "section (record %llu)",
                 (unsigned)node, (unsigned long long)rec);
        goto out;
      }
      uint64_t off = rec - nodes - SEPARATOR;
      if (test_and_set(data_bits, off))
        continue;
      records++;
      for (size_t k = 0; k < paths->n; k++) {
        MMDB_entry_s e = side[s].entry;
        MMDB_entry_data_s d;
        rc = MMDB_aget_value(&e, &d, paths->path[k]);
        if (rc != MMDB_SUCCESS &&
            rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR &&
            rc != MMDB_INVALID_LOOKUP_PATH_ERROR) {
          snprintf(why, n, "corrupt data record at offset %llu: %s",
                   (unsigned long long)off, MMDB_strerror(rc));
          goto out;
        }
      }
    }
  }
  snprintf(why, n, "%llu nodes, %llu data records",
           (unsigned long long)seen_nodes, (unsigned long long)records);
  ok = 0;
out:
  if (node_bits != NULL)
    munmap(node_bits, node_bytes);
  if (data_bits != NULL)
    munmap(data_bits, data_bytes);
  if (stack != NULL)
    munmap(stack, stack_bytes);
  MMDB_close(&db);
  return ok;
}

int ao_geodb_walk(const char *path, const ao_geodb_paths_t *paths, char *why,
                  size_t n) {
  return walk(path, paths, why, n);
}

typedef struct verdict {
  char ok;
  char msg[MSG_MAX + 15];
} verdict_t; /* one write() below PIPE_BUF: atomic */

static void child_main(int wfd, const char *path,
                       const ao_geodb_paths_t *paths) {
  /* A fault must kill the child, not run the host's handlers (collectd's,
   * a sanitizer's or a fuzzer's) in a process that is not the host. */
  static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT,
                              SIGSYS,  SIGTRAP};
  sigset_t all;
  sigemptyset(&all);
  for (size_t i = 0; i < AO_ARRAY_SIZE(fatal); i++) {
    signal(fatal[i], SIG_DFL);
    sigaddset(&all, fatal[i]);
  }
  sigprocmask(SIG_UNBLOCK, &all, NULL);
  if (child_hook != NULL)
    child_hook();
  verdict_t v;
  memset(&v, 0, sizeof(v));
  v.ok = walk(path, paths, v.msg, sizeof(v.msg)) == 0;
  (void)write_all(wfd, (const char *)&v, sizeof(v));
  _exit(0);
}

static int read_verdict(int rfd, verdict_t *v, int ms) {
  size_t got = 0;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (got < sizeof(*v)) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long spent = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
                 (long)(t1.tv_nsec - t0.tv_nsec) / 1000000;
    if (spent >= ms)
      return -2;
    struct pollfd p = {rfd, POLLIN, 0};
    int pr = poll(&p, 1, (int)(ms - spent));
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr <= 0)
      return pr == 0 ? -2 : -1;
    ssize_t r = read(rfd, (char *)v + got, sizeof(*v) - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1; /* the child died before its verdict */
    got += (size_t)r;
  }
  return 0;
}

/* Runs walk() on path in a child. Returns AO_GEODB_OK, or _BAD or _RETRY
 * with why filled. */
static int validate_in_child(const char *path, const ao_geodb_paths_t *paths,
                             char *why, size_t n) {
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) {
    snprintf(why, n, "cannot validate it now: pipe: %s", strerror(errno));
    return AO_GEODB_RETRY;
  }
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(why, n, "cannot validate it now: fork: %s", strerror(errno));
    close(pfd[0]);
    close(pfd[1]);
    return AO_GEODB_RETRY;
  }
  if (pid == 0) {
    close(pfd[0]);
    child_main(pfd[1], path, paths);
  }
  close(pfd[1]);
  verdict_t v;
  memset(&v, 0, sizeof(v));
  int r = read_verdict(pfd[0], &v, timeout_ms);
  close(pfd[0]);
  if (r == -2)
    kill(pid, SIGKILL);
  int st = 0, waited;
  do
    waited = waitpid(pid, &st, 0);
  while (waited < 0 && errno == EINTR);
  /* waited < 0 with ECHILD: somebody reaped it (SIGCHLD ignored); the
   * verdict read from the pipe decides alone. */
  if (r == -2) {
    snprintf(why, n, "validation took longer than %d ms (killed)", timeout_ms);
    return AO_GEODB_BAD;
  }
  if (r != 0) {
    if (waited == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
      /* Not a fault of the file: the OOM killer, an operator. */
      snprintf(why, n, "the validation process was killed (SIGKILL); will "
                       "try again");
      return AO_GEODB_RETRY;
    }
    if (waited == pid && WIFSIGNALED(st))
      snprintf(why, n,
               "corrupt: reading it crashed the validation process (signal "
               "%d); this process never used it",
               WTERMSIG(st));
    else
      snprintf(why, n, "the validation process ended without a verdict");
    return AO_GEODB_BAD;
  }
  v.msg[sizeof(v.msg) - 1] = '\0';
  if (!v.ok) {
    snprintf(why, n, "%s", v.msg);
    return AO_GEODB_BAD;
  }
  return AO_GEODB_OK;
}

/* --- registry ------------------------------------------------------------- */

static int same_key(const char *path, const ao_file_id_t *id, const char *key,
                    const char *p2, const ao_file_id_t *id2,
                    const char *key2) {
  return strcmp(path, p2) == 0 && ao_file_id_eq(id, id2) &&
         strcmp(key ? key : "", key2 ? key2 : "") == 0;
}

static void remember_failure(const char *path, const ao_file_id_t *id,
                             const char *key, int status, const char *why) {
  failure_t *f = &failures[fail_next++ % FAIL_MEMO];
  free(f->path);
  free(f->key);
  f->path = strdup(path);
  f->key = strdup(key ? key : "");
  if (f->path == NULL || f->key == NULL) {
    free(f->path);
    free(f->key);
    f->path = f->key = NULL;
    return;
  }
  f->id = *id;
  f->status = status;
  snprintf(f->why, sizeof(f->why), "%s", why);
}

static ao_geodb_t *load(const char *path, const ao_file_id_t *seen,
                        const ao_geodb_paths_t *paths, int *status, char *why,
                        size_t n) {
  backing_t b;
  *status = AO_GEODB_BAD;
  if (make_backing(&b, why, n) != 0)
    return NULL;
  ao_geodb_t *db = calloc(1, sizeof(*db));
  if (db == NULL) {
    snprintf(why, n, "out of memory");
    drop_backing(&b);
    return NULL;
  }
  int rc = copy_file(path, seen, b.fd, &db->id, &db->size, why, n);
  if (rc != AO_GEODB_OK) {
    *status = rc;
    goto fail;
  }
#ifdef AO_HAVE_MEMFD
  if (!b.tmp)
    (void)fcntl(b.fd, F_ADD_SEALS,
                F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
#endif
  rc = validate_in_child(b.path, paths, why, n);
  if (rc != AO_GEODB_OK) {
    *status = rc;
    goto fail;
  }
  rc = MMDB_open(b.path, MMDB_MODE_MMAP, &db->mmdb);
  if (rc != MMDB_SUCCESS) {
    snprintf(why, n, "%s", MMDB_strerror(rc));
    goto fail;
  }
  db->backing = b.tmp ? "tmpfile" : "memfd";
  drop_backing(&b); /* the mapping keeps the copy alive, nameless */
  db->path = strdup(path);
  db->key = strdup(paths->key ? paths->key : "");
  if (db->path == NULL || db->key == NULL) {
    snprintf(why, n, "out of memory");
    MMDB_close(&db->mmdb);
    goto fail;
  }
  db->refs = 1;
  *status = AO_GEODB_OK;
  return db;
fail:
  drop_backing(&b);
  free(db->path);
  free(db->key);
  free(db);
  return NULL;
}

ao_geodb_t *ao_geodb_acquire(const char *path, const ao_file_id_t *seen,
                             const ao_geodb_paths_t *paths, int *status,
                             char *why, size_t n) {
  int st_dummy;
  if (status == NULL)
    status = &st_dummy;
  pthread_mutex_lock(&lock);
  if (seen != NULL) {
    for (ao_geodb_t *d = live; d != NULL; d = d->next) {
      if (same_key(path, seen, paths->key, d->path, &d->id, d->key)) {
        d->refs++;
        pthread_mutex_unlock(&lock);
        *status = AO_GEODB_OK;
        return d;
      }
    }
    for (size_t i = 0; i < FAIL_MEMO; i++) {
      const failure_t *f = &failures[i];
      if (f->path != NULL &&
          same_key(path, seen, paths->key, f->path, &f->id, f->key)) {
        *status = f->status;
        snprintf(why, n, "%s", f->why);
        pthread_mutex_unlock(&lock);
        return NULL;
      }
    }
  }
  ao_geodb_t *db = load(path, seen, paths, status, why, n);
  if (db != NULL) {
    db->next = live;
    live = db;
  } else if (seen != NULL &&
             (*status == AO_GEODB_BAD || *status == AO_GEODB_CHANGED)) {
    remember_failure(path, seen, paths->key, *status, why);
  }
  pthread_mutex_unlock(&lock);
  return db;
}

void ao_geodb_release(ao_geodb_t *db) {
  if (db == NULL)
    return;
  pthread_mutex_lock(&lock);
  int last = --db->refs == 0;
  if (last) {
    for (ao_geodb_t **pp = &live; *pp != NULL; pp = &(*pp)->next) {
      if (*pp == db) {
        *pp = db->next;
        break;
      }
    }
  }
  pthread_mutex_unlock(&lock);
  if (last) {
    MMDB_close(&db->mmdb);
    free(db->path);
    free(db->key);
    free(db);
  }
}

const struct MMDB_s *ao_geodb_mmdb(const ao_geodb_t *db) { return &db->mmdb; }

size_t ao_geodb_size(const ao_geodb_t *db) { return db->size; }

const char *ao_geodb_backing(const ao_geodb_t *db) { return db->backing; }

int ao_geodb_same_content(const ao_geodb_t *a, const ao_geodb_t *b) {
  return a->size == b->size && a->mmdb.file_size == b->mmdb.file_size &&
         memcmp(a->mmdb.file_content, b->mmdb.file_content, a->size) == 0;
}

void ao_geodb_census(size_t *count, size_t *bytes) {
  size_t c = 0, s = 0;
  pthread_mutex_lock(&lock);
  for (const ao_geodb_t *d = live; d != NULL; d = d->next) {
    c++;
    s += d->size;
  }
  pthread_mutex_unlock(&lock);
  if (count != NULL)
    *count = c;
  if (bytes != NULL)
    *bytes = s;
}

void ao_geodb_set_backing(int backing) {
  pthread_mutex_lock(&lock);
  backing_mode = backing;
  pthread_mutex_unlock(&lock);
}

void ao_geodb_set_validate_timeout(int ms) {
  pthread_mutex_lock(&lock);
  timeout_ms = ms > 0 ? ms : 0;
  pthread_mutex_unlock(&lock);
}

void ao_geodb_set_copy_hook(void (*hook)(const char *path)) {
  pthread_mutex_lock(&lock);
  copy_hook = hook;
  pthread_mutex_unlock(&lock);
}

void ao_geodb_set_child_hook(void (*hook)(void)) {
  pthread_mutex_lock(&lock);
  child_hook = hook;
  pthread_mutex_unlock(&lock);
}

void ao_geodb_forget_failures(void) {
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < FAIL_MEMO; i++) {
    free(failures[i].path);
    free(failures[i].key);
    memset(&failures[i], 0, sizeof(failures[i]));
  }
  pthread_mutex_unlock(&lock);
}
