/*
 * test_geodb.c - private, validated, shared database snapshots (ao_geodb),
 * with the real libmaxminddb, real .mmdb files from tests/tools/mkmmdb.pl,
 * and hand-crafted malformed ones (a minimal MaxMind DB encoder below, so
 * that every byte of a hostile file is chosen here).
 *
 * Claims that are about surviving a crash run in a forked child: the test
 * observes the crash instead of suffering it, and each one has a control
 * that shows the hazard is real on this machine (without the private copy,
 * or without the child's walk, the same steps kill the process).
 */
#define _GNU_SOURCE
#include "ao_test.h"

#include "ao_geo.h"
#include "ao_geodb.h"
#include "ao_log.h"

#include <maxminddb.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* --- helpers -------------------------------------------------------------- */

static const char *const p_country[] = {"country", "iso_code", NULL};
static const char *const p_registered[] = {"registered_country", "iso_code",
                                           NULL};
static const char *const p_flat[] = {"country_code", NULL};
static const ao_geodb_paths_t auto_paths = {
    {p_country, p_registered, p_flat}, 3, "auto"};

static int copies; /* copy_hook calls: how many copies were made */
static void count_copies(const char *path) {
  (void)path;
  copies++;
}

/* The country code of a v4 address in db, "--" when none, "ER" on error. */
static void lookup4(const MMDB_s *db, const char *addr, char out[3]) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  assert_int_equal(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
  int err = 0;
  MMDB_lookup_result_s r =
      MMDB_lookup_sockaddr(db, (const struct sockaddr *)&sin, &err);
  snprintf(out, 3, "--");
  if (err != MMDB_SUCCESS) {
    snprintf(out, 3, "ER");
    return;
  }
  if (!r.found_entry)
    return;
  MMDB_entry_data_s d;
  if (MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) ==
          MMDB_SUCCESS &&
      d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size == 2)
    memcpy(out, d.utf8_string, 2);
}

static ao_geodb_t *acquire(const char *path, int *status, char *why,
                           size_t n) {
  ao_file_id_t id;
  assert_int_equal(ao_file_id_of(path, &id), 0);
  return ao_geodb_acquire(path, &id, &auto_paths, status, why, n);
}

/* Runs fn(arg) in a child; returns its wait status. */
static int in_child(void (*fn)(void *), void *arg) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    /* Die of the signal, not in a sanitizer's handler. */
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    fn(arg);
    _exit(0);
  }
  int st;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  return st;
}

static const char *describe_status(int st, char *buf, size_t n) {
  if (WIFSIGNALED(st))
    snprintf(buf, n, "killed by signal %d", WTERMSIG(st));
  else
    snprintf(buf, n, "exit %d", WEXITSTATUS(st));
  return buf;
}

/* --- a minimal MaxMind DB encoder (spec: MaxMind DB File Format 2.0) ----- */

typedef struct buf {
  uint8_t *p;
  size_t n, cap;
} buf_t;

static void put(buf_t *b, const void *d, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    assert_non_null(b->p);
  }
  memcpy(b->p + b->n, d, n);
  b->n += n;
}

static void put8(buf_t *b, unsigned v) {
  uint8_t c = (uint8_t)v;
  put(b, &c, 1);
}

/* Control byte(s) for a type (1..15) and a size. */
static void ctrl(buf_t *b, unsigned type, size_t size) {
  uint8_t first = (uint8_t)((type <= 7 ? type : 0) << 5);
  uint8_t extra[3];
  size_t nextra = 0;
  if (size < 29) {
    first |= (uint8_t)size;
  } else if (size < 29 + 256) {
    first |= 29;
    extra[nextra++] = (uint8_t)(size - 29);
  } else if (size < 285 + 65536) {
    first |= 30;
    extra[nextra++] = (uint8_t)((size - 285) >> 8);
    extra[nextra++] = (uint8_t)(size - 285);
  } else {
    first |= 31;
    extra[nextra++] = (uint8_t)((size - 65821) >> 16);
    extra[nextra++] = (uint8_t)((size - 65821) >> 8);
    extra[nextra++] = (uint8_t)(size - 65821);
  }
  put8(b, first);
  if (type > 7)
    put8(b, type - 7);
  put(b, extra, nextra);
}

static void enc_str(buf_t *b, const char *s) {
  ctrl(b, 2, strlen(s));
  put(b, s, strlen(s));
}

static void enc_uint(buf_t *b, unsigned type, uint64_t v, unsigned width) {
  uint8_t bytes[8];
  unsigned n = 0;
  for (int i = (int)width - 1; i >= 0; i--) {
    uint8_t c = (uint8_t)(v >> (8 * i));
    if (n == 0 && c == 0)
      continue;
    bytes[n++] = c;
  }
  ctrl(b, type, n);
  put(b, bytes, n);
}

static void enc_map(buf_t *b, size_t n) { ctrl(b, 7, n); }

/* A one-node IPv4 database (record size 24) whose two records are given
 * raw, the data section `data`, and the standard metadata. */
static void craft(const char *path, uint32_t left, uint32_t right,
                  const buf_t *data, int with_metadata, size_t pad_to) {
  buf_t f = {0};
  uint8_t node[6] = {(uint8_t)(left >> 16),  (uint8_t)(left >> 8),
                     (uint8_t)left,          (uint8_t)(right >> 16),
                     (uint8_t)(right >> 8), (uint8_t)right};
  put(&f, node, sizeof(node));
  static const uint8_t sep[16];
  put(&f, sep, sizeof(sep));
  put(&f, data->p, data->n);
  static const char marker[] = "\xab\xcd\xefMaxMind.com";
  if (pad_to > 0) {
    size_t want = pad_to - (sizeof(marker) - 1);
    while (f.n < want)
      put8(&f, 0);
  }
  put(&f, marker, sizeof(marker) - 1);
  if (with_metadata) {
    enc_map(&f, 9);
    enc_str(&f, "binary_format_major_version");
    enc_uint(&f, 5, 2, 2);
    enc_str(&f, "binary_format_minor_version");
    enc_uint(&f, 5, 0, 2);
    enc_str(&f, "build_epoch");
    enc_uint(&f, 9, 1704067200, 8);
    enc_str(&f, "database_type");
    enc_str(&f, "GeoLite2-Country");
    enc_str(&f, "description");
    enc_map(&f, 0);
    enc_str(&f, "ip_version");
    enc_uint(&f, 5, 4, 2);
    enc_str(&f, "languages");
    ctrl(&f, 11, 0);
    enc_str(&f, "node_count");
    enc_uint(&f, 6, 1, 4);
    enc_str(&f, "record_size");
    enc_uint(&f, 5, 24, 2);
  }
  ao_test_write(path, f.p, f.n);
  free(f.p);
}

/* Data record at offset 0: {"country": {"iso_code": "GB"}}. */
static void data_gb(buf_t *d) {
  enc_map(d, 1);
  enc_str(d, "country");
  enc_map(d, 1);
  enc_str(d, "iso_code");
  enc_str(d, "GB");
}

#define DATA(off) (1u + 16u + (uint32_t)(off)) /* node_count 1 */

typedef struct fixture {
  char *dir;
  char *db;
} fixture_t;

static void quiet(void *ud, int level, const char *msg) {
  (void)ud;
  (void)level;
  (void)msg;
}

static int setup(void **state) {
  static const ao_log_sink_t sink = {quiet, NULL, NULL, NULL, NULL};
  ao_log_set_sink(&sink);
  fixture_t *f = calloc(1, sizeof(*f));
  f->dir = ao_test_mkdtemp();
  f->db = ao_test_data("test-country.mmdb");
  copies = 0;
  ao_geodb_set_copy_hook(count_copies);
  ao_geodb_set_backing(0);
  ao_geodb_set_validate_timeout(30000);
  ao_geodb_forget_failures();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  ao_geodb_set_copy_hook(NULL);
  ao_geodb_set_child_hook(NULL);
  ao_geodb_set_backing(0);
  ao_geodb_forget_failures();
  ao_log_set_sink(NULL);
  size_t live;
  ao_geodb_census(&live, NULL);
  assert_int_equal(live, 0); /* every test releases what it took */
  ao_test_rmdir(f->dir);
  free(f->db);
  free(f);
  return 0;
}

#define NEED_DB(f) ao_test_require((f)->db, "test-country.mmdb")

/* --- sharing -------------------------------------------------------------- */

/* One copy per file version: the same (path, identity, paths) is the same
 * snapshot, with a reference per holder; the last release frees it. */
static void test_shared_refcounted(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *path = ao_test_path(f->dir, "db.mmdb");
  ao_test_install(f->db, path);
  char why[256];
  int st;
  ao_geodb_t *a = acquire(path, &st, why, sizeof(why));
  assert_non_null(a);
  ao_geodb_t *b = acquire(path, &st, why, sizeof(why));
  assert_ptr_equal(a, b);
  assert_int_equal(copies, 1);
  size_t n, bytes;
  ao_geodb_census(&n, &bytes);
  assert_int_equal(n, 1);
  assert_int_equal(bytes, ao_geodb_size(a));
  assert_string_equal(ao_geodb_backing(a), "memfd");

  /* Other paths to check make another snapshot (validated for them). */
  static const ao_geodb_paths_t flat_only = {{p_flat}, 1, "path:country_code"};
  ao_file_id_t id;
  assert_int_equal(ao_file_id_of(path, &id), 0);
  ao_geodb_t *c = ao_geodb_acquire(path, &id, &flat_only, &st, why, sizeof(why));
  assert_non_null(c);
  assert_ptr_not_equal(c, a);
  assert_true(ao_geodb_same_content(a, c));
  ao_geodb_census(&n, NULL);
  assert_int_equal(n, 2);

  /* A new version (rename) is a new snapshot; the old one lives on while
   * held. */
  char *other = ao_test_mkmmdb(f->dir, "b", "81.2.69.0/24\tSE\tSE\n",
                               "--layout maxmind");
  ao_test_install(other, path);
  ao_geodb_t *d = acquire(path, &st, why, sizeof(why));
  assert_non_null(d);
  assert_ptr_not_equal(d, a);
  assert_false(ao_geodb_same_content(a, d));
  char cc[3];
  lookup4(ao_geodb_mmdb(a), "81.2.69.160", cc);
  assert_string_equal(cc, "GB");
  lookup4(ao_geodb_mmdb(d), "81.2.69.160", cc);
  assert_string_equal(cc, "SE");

  ao_geodb_release(a);
  ao_geodb_census(&n, NULL);
  assert_int_equal(n, 3);
  ao_geodb_release(b);
  ao_geodb_release(c);
  ao_geodb_release(d);
  ao_geodb_census(&n, &bytes);
  assert_int_equal(n, 0);
  assert_int_equal(bytes, 0);
  ao_geodb_release(NULL);
  free(other);
  free(path);
}

/* --- the private copy ----------------------------------------------------- */

typedef struct trunc_arg {
  const char *path;
  int direct; /* 1: map the file itself, as libmaxminddb alone does */
} trunc_arg_t;

/* Loads the database, then truncates the file to 0 and overwrites it in
 * place with garbage, and looks up: exits 0 when every answer is still
 * GB, 1 otherwise; a SIGBUS shows in the wait status. */
static void truncate_then_lookup(void *arg) {
  const trunc_arg_t *a = arg;
  MMDB_s direct;
  const MMDB_s *db;
  ao_geodb_t *snap = NULL;
  if (a->direct) {
    if (MMDB_open(a->path, MMDB_MODE_MMAP, &direct) != MMDB_SUCCESS)
      _exit(2);
    db = &direct;
  } else {
    ao_file_id_t id;
    char why[256];
    int st;
    if (ao_file_id_of(a->path, &id) != 0)
      _exit(2);
    snap = ao_geodb_acquire(a->path, &id, &auto_paths, &st, why, sizeof(why));
    if (snap == NULL)
      _exit(2);
    db = ao_geodb_mmdb(snap);
  }
  if (truncate(a->path, 0) != 0)
    _exit(3);
  char cc[3];
  lookup4(db, "81.2.69.160", cc);
  if (strcmp(cc, "GB") != 0)
    _exit(1);
  int fd = open(a->path, O_WRONLY);
  static const char junk[8192] = {(char)0xff};
  if (fd < 0 || write(fd, junk, sizeof(junk)) != (ssize_t)sizeof(junk))
    _exit(3);
  close(fd);
  lookup4(db, "81.2.69.160", cc);
  lookup4(db, "89.160.20.112", cc);
  if (strcmp(cc, "SE") != 0)
    _exit(1);
  ao_geodb_release(snap);
  _exit(0);
}

/* truncate(0) and an in-place overwrite of the file under a loaded
 * database: the snapshot keeps answering. Control: mapping the file
 * directly (what the plugin did before, and what libmaxminddb does) dies
 * of SIGBUS at the first lookup after the truncation. */
static void test_truncate_under_snapshot(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *path = ao_test_path(f->dir, "db.mmdb");
  char buf[64];
  for (int backing = 1; backing <= 2; backing++) {
    ao_geodb_set_backing(backing);
    ao_test_install(f->db, path);
    trunc_arg_t a = {path, 0};
    int st = in_child(truncate_then_lookup, &a);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
      fail_msg("snapshot (backing %d): %s", backing,
               describe_status(st, buf, sizeof(buf)));
  }
  ao_test_install(f->db, path);
  trunc_arg_t control = {path, 1};
  int st = in_child(truncate_then_lookup, &control);
  if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGBUS)
    fail_msg("control: mapping the file directly should die of SIGBUS, "
             "got %s",
             describe_status(st, buf, sizeof(buf)));
  free(path);
}

/* The memfd is sealed: even root, reopening the mapping read-write
 * through /proc/self/map_files, cannot shrink it. */
static void test_memfd_sealed(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *path = ao_test_path(f->dir, "db.mmdb");
  ao_test_install(f->db, path);
  char why[256];
  int st;
  ao_geodb_t *s = acquire(path, &st, why, sizeof(why));
  assert_non_null(s);
  assert_string_equal(ao_geodb_backing(s), "memfd");
  FILE *maps = fopen("/proc/self/maps", "r");
  assert_non_null(maps);
  char line[512];
  int found = 0, tried = 0;
  while (fgets(line, sizeof(line), maps) != NULL) {
    if (strstr(line, "/memfd:attack_origin-geoip") == NULL)
      continue;
    found++;
    unsigned long lo, hi;
    assert_int_equal(sscanf(line, "%lx-%lx", &lo, &hi), 2);
    char mf[128];
    snprintf(mf, sizeof(mf), "/proc/self/map_files/%lx-%lx", lo, hi);
    int fd = open(mf, O_RDWR);
    if (fd < 0)
      continue; /* not root, or no map_files: nobody else can either */
    tried++;
    assert_int_equal(ftruncate(fd, 0), -1);
    assert_int_equal(errno, EPERM);
    assert_int_equal(write(fd, "x", 1), -1);
    close(fd);
  }
  fclose(maps);
  assert_int_equal(found, 1);
  if (tried == 0)
    print_message("(map_files not writable here: sealing not exercised)\n");
  char cc[3];
  lookup4(ao_geodb_mmdb(s), "81.2.69.160", cc);
  assert_string_equal(cc, "GB");
  ao_geodb_release(s);
  free(path);
}

/* The fallback: a 0600 file under $TMPDIR, unlinked once mapped - no
 * name is left behind. */
static void test_tmpfile_backing(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *path = ao_test_path(f->dir, "db.mmdb");
  char *tmp = ao_test_path(f->dir, "tmp");
  assert_int_equal(mkdir(tmp, 0700), 0);
  ao_test_install(f->db, path);
  char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
  setenv("TMPDIR", tmp, 1);
  ao_geodb_set_backing(2);
  char why[256];
  int st;
  ao_geodb_t *s = acquire(path, &st, why, sizeof(why));
  if (old != NULL)
    setenv("TMPDIR", old, 1);
  else
    unsetenv("TMPDIR");
  free(old);
  assert_non_null(s);
  assert_string_equal(ao_geodb_backing(s), "tmpfile");
  DIR *d = opendir(tmp);
  assert_non_null(d);
  struct dirent *e;
  int left = 0;
  while ((e = readdir(d)) != NULL)
    left += e->d_name[0] != '.';
  closedir(d);
  assert_int_equal(left, 0);
  char cc[3];
  lookup4(ao_geodb_mmdb(s), "216.160.83.56", cc);
  assert_string_equal(cc, "US");
  ao_geodb_release(s);
  free(tmp);
  free(path);
}

/* --- consistency of the copy ---------------------------------------------- */

static void test_changed_before_copy(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *path = ao_test_path(f->dir, "db.mmdb");
  ao_test_install(f->db, path);
  ao_file_id_t id;
  assert_int_equal(ao_file_id_of(path, &id), 0);
  ao_test_append(path, "x", 1); /* written after it was looked at */
  char why[256];
  int st = -1;
  assert_null(ao_geodb_acquire(path, &id, &auto_paths, &st, why, sizeof(why)));
  assert_int_equal(st, AO_GEODB_STALE);
  assert_non_null(strstr(why, "changed after it was looked at"));
  /* Not remembered: looked at again, it is taken (a byte after the
   * metadata is ignored by the format). */
  assert_int_equal(ao_file_id_of(path, &id), 0);
  ao_geodb_t *s = ao_geodb_acquire(path, &id, &auto_paths, &st, why,
                                   sizeof(why));
  if (s == NULL)
    fail_msg("refused: %s", why);
  ao_geodb_release(s);
  free(path);
}

static char *grow_path;
static void grow_hook(const char *path) {
  copies++;
  if (grow_path != NULL && strcmp(path, grow_path) == 0)
    ao_test_append(path, "more bytes", 10);
}

/* A writer appending (or rewriting) while the copy is made: the copy is
 * refused as CHANGED, never used half-old, half-new. */
static void test_changed_while_copying(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *path = ao_test_path(f->dir, "db.mmdb");
  ao_test_install(f->db, path);
  grow_path = path;
  ao_geodb_set_copy_hook(grow_hook);
  char why[256];
  int st = -1;
  assert_null(acquire(path, &st, why, sizeof(why)));
  assert_int_equal(st, AO_GEODB_CHANGED);
  assert_non_null(strstr(why, "changed while it was being copied"));
  grow_path = NULL;
  free(path);
}

/* Not a database at all: each refused with its reason, and remembered, so
 * the same file is not copied and walked again (several Logs, every
 * interval). */
static void test_refused_and_remembered(void **state) {
  fixture_t *f = *state;
  char *path = ao_test_path(f->dir, "db.mmdb");
  char why[256];
  int st;
  ao_test_write(path, "", 0);
  assert_null(acquire(path, &st, why, sizeof(why)));
  assert_int_equal(st, AO_GEODB_BAD);
  assert_string_equal(why, "empty file");

  static const char junk[] = "not a MaxMind DB at all\n";
  ao_test_write(path, junk, sizeof(junk) - 1);
  copies = 0;
  assert_null(acquire(path, &st, why, sizeof(why)));
  assert_int_equal(st, AO_GEODB_BAD);
  assert_non_null(strstr(why, "metadata"));
  assert_int_equal(copies, 1);
  char why2[256];
  assert_null(acquire(path, &st, why2, sizeof(why2)));
  assert_string_equal(why2, why);
  assert_int_equal(copies, 1);

  char *fifo = ao_test_path(f->dir, "fifo");
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_null(ao_geodb_acquire(fifo, NULL, &auto_paths, &st, why, sizeof(why)));
  assert_string_equal(why, "not a regular file");
  assert_null(ao_geodb_acquire(f->dir, NULL, &auto_paths, &st, why,
                               sizeof(why)));
  free(fifo);
  free(path);
}

/* --- the child's walk ----------------------------------------------------- */

typedef struct deep_arg {
  const char *path;
} deep_arg_t;

/* What a lookup does, in this process: MMDB_get_value(country, iso_code)
 * on the record. */
static void lookup_in_process(void *arg) {
  const deep_arg_t *a = arg;
  MMDB_s db;
  if (MMDB_open(a->path, MMDB_MODE_MMAP, &db) != MMDB_SUCCESS)
    _exit(2);
  char cc[3];
  lookup4(&db, "81.2.69.160", cc);
  MMDB_close(&db);
  _exit(strcmp(cc, "GB") == 0 ? 0 : 1);
}

/* A record whose first key holds maps nested two million deep:
 * libmaxminddb 1.7.1 skips that value recursively, without a depth limit,
 * when a lookup asks for "country" (fixed upstream in 1.13). The child's
 * walk dies of it; the database is refused and this process lives.
 * Control: the same lookup in-process overflows the stack. */
static void test_unbounded_recursion_contained(void **state) {
  fixture_t *f = *state;
  char *path = ao_test_path(f->dir, "deep.mmdb");
  buf_t d = {0};
  enc_map(&d, 2);
  enc_str(&d, "deep");
  for (int i = 0; i < 2000000; i++) {
    enc_map(&d, 1);
    enc_str(&d, "a");
  }
  enc_str(&d, "x");
  enc_str(&d, "country");
  enc_map(&d, 1);
  enc_str(&d, "iso_code");
  enc_str(&d, "GB");
  craft(path, DATA(0), DATA(0), &d, 1, 0);
  free(d.p);

  char why[256], buf[64];
  int st;
  assert_null(acquire(path, &st, why, sizeof(why)));
  assert_int_equal(st, AO_GEODB_BAD);
  if (strstr(why, "crashed the validation process") == NULL)
    fail_msg("expected the walk to crash in the child, got: %s", why);

  deep_arg_t a = {path};
  int w = in_child(lookup_in_process, &a);
  if (!WIFSIGNALED(w))
    fail_msg("control: an in-process lookup should crash, got %s",
             describe_status(w, buf, sizeof(buf)));
  free(path);
}

/* The crafted encoder itself makes a good database (so the refusals below
 * are about what each one breaks). */
static void test_crafted_baseline(void **state) {
  fixture_t *f = *state;
  char *path = ao_test_path(f->dir, "ok.mmdb");
  buf_t d = {0};
  data_gb(&d);
  craft(path, DATA(0), DATA(0), &d, 1, 0);
  free(d.p);
  char why[256];
  int st;
  ao_geodb_t *s = acquire(path, &st, why, sizeof(why));
  if (s == NULL)
    fail_msg("crafted database refused: %s", why);
  char cc[3];
  lookup4(ao_geodb_mmdb(s), "81.2.69.160", cc);
  assert_string_equal(cc, "GB");
  ao_geodb_release(s);
  free(path);
}

/* Search-tree records that point into the 16-byte separator (which
 * libmaxminddb 1.7.1 hands out as data at an underflowed offset), past the
 * data section, or back to the root. */
static void test_corrupt_tree_refused(void **state) {
  fixture_t *f = *state;
  char *path = ao_test_path(f->dir, "tree.mmdb");
  buf_t d = {0};
  data_gb(&d);
  const uint32_t bad[] = {1u + 5u, DATA(100000), 0};
  const char *want[] = {"outside the data section", "outside the data section",
                        "outside the data section"};
  for (size_t i = 0; i < AO_ARRAY_SIZE(bad); i++) {
    craft(path, DATA(0), bad[i], &d, 1, 0);
    char why[256];
    int st;
    assert_null(acquire(path, &st, why, sizeof(why)));
    if (strstr(why, want[i]) == NULL)
      fail_msg("record %u: %s", (unsigned)bad[i], why);
    ao_geodb_forget_failures();
  }
  free(d.p);
  free(path);
}

/* A file that ends right after the metadata marker, sized to a page:
 * libmaxminddb 1.7.1 decodes one byte past the end of the mapping. Refused
 * (crash or metadata error in the child), never opened here. */
static void test_empty_metadata_refused(void **state) {
  fixture_t *f = *state;
  char *path = ao_test_path(f->dir, "nometa.mmdb");
  buf_t d = {0};
  data_gb(&d);
  craft(path, DATA(0), DATA(0), &d, 0, 8192);
  free(d.p);
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_int_equal(sb.st_size, 8192);
  char why[256];
  int st;
  assert_null(acquire(path, &st, why, sizeof(why)));
  assert_int_equal(st, AO_GEODB_BAD);
  print_message("refused: %s\n", why);
  free(path);
}

/* The walk itself, in this process (so that valgrind and the sanitizers
 * see it): it passes every generated database, in every layout, and
 * names what is wrong in a broken tree. */
static void test_walk_in_process(void **state) {
  fixture_t *f = *state;
  static const char *const names[] = {"test-country.mmdb", "test-city.mmdb",
                                      "test-flat.mmdb", "test-asn.mmdb"};
  for (size_t i = 0; i < AO_ARRAY_SIZE(names); i++) {
    char *p = ao_test_data(names[i]);
    ao_test_require(p, names[i]);
    char why[256];
    if (ao_geodb_walk(p, &auto_paths, why, sizeof(why)) != 0)
      fail_msg("%s: %s", names[i], why);
    assert_non_null(strstr(why, "data records"));
    free(p);
  }
  char *path = ao_test_path(f->dir, "tree.mmdb");
  buf_t d = {0};
  data_gb(&d);
  craft(path, DATA(0), 1u + 3u, &d, 1, 0);
  char why[256];
  assert_int_equal(ao_geodb_walk(path, &auto_paths, why, sizeof(why)), -1);
  assert_non_null(strstr(why, "node 0 points outside the data section"));
  /* A value of the wrong type is not an error (lookups read it as "no
   * usable code": ZZ), but a map key that is not a string is. */
  free(d.p);
  d = (buf_t){0};
  enc_map(&d, 1);
  enc_uint(&d, 5, 7, 2);
  enc_str(&d, "GB");
  craft(path, DATA(0), DATA(0), &d, 1, 0);
  assert_int_equal(ao_geodb_walk(path, &auto_paths, why, sizeof(why)), -1);
  assert_non_null(strstr(why, "corrupt data record at offset 0"));
  free(d.p);
  free(path);
}

static void die_killed(void) { raise(SIGKILL); }
static void die_crashed(void) { raise(SIGSEGV); }

/* How the child ends decides: killed from outside (SIGKILL: the OOM
 * killer, an operator) says nothing about the file - tried again, not
 * remembered; a crash (any other signal) refuses the file. */
static void test_child_killed_or_crashed(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *path = ao_test_path(f->dir, "db.mmdb");
  ao_test_install(f->db, path);
  char why[256];
  int st;
  ao_geodb_set_child_hook(die_killed);
  copies = 0;
  assert_null(acquire(path, &st, why, sizeof(why)));
  assert_int_equal(st, AO_GEODB_RETRY);
  assert_non_null(strstr(why, "killed (SIGKILL)"));
  assert_null(acquire(path, &st, why, sizeof(why)));
  assert_int_equal(copies, 2); /* not remembered: tried again */
  ao_geodb_set_child_hook(NULL);
  ao_geodb_t *s = acquire(path, &st, why, sizeof(why));
  assert_non_null(s);
  ao_geodb_release(s);

  char *other = ao_test_path(f->dir, "other.mmdb");
  ao_test_install(f->db, other);
  ao_geodb_set_child_hook(die_crashed);
  assert_null(acquire(other, &st, why, sizeof(why)));
  ao_geodb_set_child_hook(NULL);
  assert_int_equal(st, AO_GEODB_BAD);
  assert_non_null(strstr(why, "crashed the validation process (signal 11)"));
  copies = 0;
  assert_null(acquire(other, &st, why, sizeof(why))); /* remembered */
  assert_int_equal(copies, 0);
  free(other);
  free(path);
}

/* A walk that takes longer than the timeout is killed and the file
 * refused. */
static void test_validation_timeout(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *path = ao_test_path(f->dir, "db.mmdb");
  ao_test_install(f->db, path);
  ao_geodb_set_validate_timeout(0);
  char why[256];
  int st;
  assert_null(acquire(path, &st, why, sizeof(why)));
  assert_non_null(strstr(why, "took longer than 0 ms"));
  ao_geodb_set_validate_timeout(30000);
  free(path);
}

/* --- threads -------------------------------------------------------------- */

#define THREADS 4

typedef struct worker {
  pthread_t t;
  const char *path;
  atomic_int *stop;
  atomic_int *ready; /* workers whose handle is open */
  uint64_t lookups, bad, reloads;
  ao_geo_stats_t stats;
} worker_t;

static ao_ip_t v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  ao_ip_t ip = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d}, 1};
  return ip;
}

/* One Log's read thread: refresh, then a burst of lookups, again and
 * again, with its own handle (as collectd runs one callback per Log). */
static void *work(void *arg) {
  worker_t *w = arg;
  ao_geo_options_t o = {w->path, NULL, 64};
  ao_err_t err;
  ao_geo_t *g = ao_geo_create(&o, &err);
  if (g == NULL)
    return NULL;
  atomic_fetch_add(w->ready, 1);
  ao_country_t gb, se;
  ao_country_from_code("GB", 2, &gb);
  ao_country_from_code("SE", 2, &se);
  ao_ip_t x = v4(81, 2, 69, 160);
  while (!atomic_load(w->stop)) {
    ao_geo_refresh(g);
    for (int i = 0; i < 200; i++) {
      ao_ip_t y = v4(81, 2, 69, (uint8_t)i);
      ao_country_t c1 = ao_geo_lookup(g, &x), c2 = ao_geo_lookup(g, &y);
      w->lookups += 2;
      w->bad += (c1 != gb && c1 != se) + (c2 != gb && c2 != se);
    }
  }
  ao_geo_refresh(g); /* converge on the last version */
  w->stats = *ao_geo_stats(g);
  ao_geo_destroy(g);
  return NULL;
}

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  assert_non_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

static int count_db_maps(void) {
  FILE *m = fopen("/proc/self/maps", "r");
  assert_non_null(m);
  char line[512];
  int n = 0;
  while (fgets(line, sizeof(line), m) != NULL)
    n += strstr(line, "attack_origin-geoip") != NULL;
  fclose(m);
  return n;
}

/* Four Logs on one database, swapped by rename between two versions
 * (81.2.69.160: GB, then SE) 200 times while they look up: no lookup ever
 * fails or answers anything else, the snapshots are shared, and the swaps
 * leak no descriptor and no mapping (reliability matrix C1, C8; `make
 * sanitize` runs this under ThreadSanitizer too). */
static void test_threads_share_and_swap(void **state) {
  fixture_t *f = *state;
  NEED_DB(f);
  char *path = ao_test_path(f->dir, "GeoLite2-Country.mmdb");
  char *b = ao_test_mkmmdb(f->dir, "b", "81.2.69.0/24\tSE\tSE\n",
                           "--layout maxmind --epoch 1706745600");
  ao_test_install(f->db, path);
  int fds0 = count_fds();
  atomic_int stop = 0, ready = 0;
  worker_t w[THREADS];
  memset(w, 0, sizeof(w));
  for (int i = 0; i < THREADS; i++) {
    w[i].path = path;
    w[i].stop = &stop;
    w[i].ready = &ready;
    assert_int_equal(pthread_create(&w[i].t, NULL, work, &w[i]), 0);
  }
  /* Every Log opens the first version before the first swap, however
   * late the scheduler starts its thread on a loaded machine: each then
   * has to reload at least once to end on b (the reloads check below). */
  for (int waited = 0; atomic_load(&ready) < THREADS && waited < 30000;
       waited++)
    usleep(1000);
  assert_int_equal(atomic_load(&ready), THREADS);
  int swaps = getenv("AO_TEST_SWAPS") ? atoi(getenv("AO_TEST_SWAPS")) : 200;
  int max_maps = 0;
  for (int i = 0; i < swaps; i++) {
    /* The last version installed is b: every Log must end on it. */
    ao_test_install((swaps - i) % 2 ? b : f->db, path);
    usleep(2000);
    int m = count_db_maps();
    max_maps = m > max_maps ? m : max_maps;
  }
  atomic_store(&stop, 1);
  uint64_t lookups = 0, bad = 0, errors = 0, reloads = 0;
  for (int i = 0; i < THREADS; i++) {
    assert_int_equal(pthread_join(w[i].t, NULL), 0);
    lookups += w[i].lookups;
    bad += w[i].bad;
    errors += w[i].stats.errors + w[i].stats.no_database;
    reloads += w[i].stats.reloads;
  }
  print_message("%d swaps, %llu lookups, %llu reloads over %d threads, "
                "at most %d snapshots mapped at once\n",
                swaps, (unsigned long long)lookups,
                (unsigned long long)reloads, THREADS, max_maps);
  assert_true(lookups > 0);
  assert_int_equal(bad, 0);
  assert_int_equal(errors, 0);
  assert_true(reloads >= THREADS); /* each converged on b at least */
  /* Each Log holds one snapshot, and two for an instant while it swaps:
   * never more than twice the number of Logs alive, however fast the
   * file is replaced. */
  assert_true(max_maps <= 2 * THREADS);
  size_t live;
  ao_geodb_census(&live, NULL);
  assert_int_equal(live, 0);
  assert_int_equal(count_db_maps(), 0);
  assert_int_equal(count_fds(), fds0);
  free(b);
  free(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_shared_refcounted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_truncate_under_snapshot, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_memfd_sealed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tmpfile_backing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_changed_before_copy, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_changed_while_copying, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_refused_and_remembered, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_crafted_baseline, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unbounded_recursion_contained,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_corrupt_tree_refused, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_empty_metadata_refused, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_walk_in_process, setup, teardown),
      cmocka_unit_test_setup_teardown(test_child_killed_or_crashed, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_validation_timeout, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_threads_share_and_swap, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
