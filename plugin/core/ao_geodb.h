/*
 * ao_geodb.h - private, validated, shared snapshots of MaxMind DB files.
 *
 * DESCRIPTION
 *   libmaxminddb (Debian 12: 1.7.1) opens a database only by path and maps
 *   the file itself (MAP_SHARED). Whoever truncates or rewrites that file
 *   in place then pulls pages from under every reader: a lost page raises
 *   SIGBUS, which kills the whole collectd, and a `cp` over it changes
 *   answers mid-lookup (reliability-matrix finding 4, C2). So the plugin
 *   never maps a file that someone else can shrink:
 *
 *   1. Copy. The file is copied into storage only this process holds: a
 *      memfd, sealed afterwards against writing, shrinking and growing
 *      (F_SEAL_*: not even root can truncate it through /proc), opened by
 *      libmaxminddb as /proc/self/fd/N. Where memfds or /proc are missing,
 *      an mkstemp() file under $TMPDIR (or /tmp), 0600, unlinked as soon as
 *      libmaxminddb has mapped it. The copy must be consistent: the source
 *      is fstat()ed before and after (device, inode, size, mtime, ctime), the
 *      number of bytes read must be its size, and its identity must be the
 *      one the caller saw; a file that is being written while copied is
 *      refused as AO_GEODB_CHANGED (the caller retries when it changes).
 *
 *   2. Validate in a child process. libmaxminddb 1.7.1 trusts the file: a
 *      corrupt one can make it read past the end of the mapping (metadata
 *      that ends at its marker) or recurse without bound (deeply nested
 *      maps), both fixed upstream only in 1.13. A forked child therefore
 *      opens the copy first and walks all of it: every node of the search
 *      tree reachable from the root (a visited bitmap cuts cycles and
 *      shared subtrees), every record checked to be a node, empty or a data
 *      offset inside the data section (never the 16-byte separator), and
 *      every distinct data record read with MMDB_aget_value() at each of
 *      the caller's country-code paths - exactly the calls lookups will
 *      make. Any lookup the plugin can ever make on this copy has thus run
 *      once in the child. The child reports through a pipe; if it dies (a
 *      signal), finds corruption, or takes longer than the timeout (killed),
 *      the file is refused and this process never touches it. Only then is
 *      the copy opened here. The copy is immutable, so what the child saw is
 *      what lookups will see. Cost: one fork and one pass over the file per
 *      new file (about a millisecond for the test databases; see README for
 *      a full-size figure).
 *
 *   3. Share. Snapshots are kept in a process-wide registry keyed by (path,
 *      file identity, check key) with a reference count: every Log that
 *      loads the same file gets the same snapshot, so memory is one copy per
 *      database version, not one per Log. The registry is guarded by a
 *      mutex held during acquire (so concurrent Logs copy a file once) and
 *      release; lookups take no lock: a snapshot is immutable and is closed
 *      only when its last reference goes. A refused file is remembered too,
 *      so several Logs do not validate it again.
 *
 *   Thread safety: every function may be called from any thread. A snapshot
 *   may be read (lookups) by any number of threads at once.
 */
#ifndef AO_GEODB_H
#define AO_GEODB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct MMDB_s;

/* What a file was when it was looked at. Two identities are equal only if
 * every field is: a file replaced by rename (new inode), rewritten in place
 * (size, mtime or ctime), or given an older mtime (geoipupdate's
 * PreserveFileTimes) all differ - "different", never "newer". */
typedef struct ao_file_id {
  dev_t dev;
  ino_t ino;
  off_t size;
  int64_t mtime_ns;
  int64_t ctime_ns;
} ao_file_id_t;

/* stat()s path into *id. Returns 0 for a regular file, 1 for something
 * else (a FIFO, a directory: never to be opened), -1 with errno. */
int ao_file_id_of(const char *path, ao_file_id_t *id);
int ao_file_id_eq(const ao_file_id_t *a, const ao_file_id_t *b);

typedef struct ao_geodb ao_geodb_t;

/* The country-code paths lookups read (each a NULL-terminated array of
 * keys, e.g. {"country", "iso_code", NULL}), and a string naming them that
 * is part of the registry key. */
typedef struct ao_geodb_paths {
  const char *const *path[8];
  size_t n;
  const char *key;
} ao_geodb_paths_t;

enum {
  AO_GEODB_OK = 0,
  AO_GEODB_CHANGED, /* the file changed while it was being copied */
  AO_GEODB_BAD,     /* not a usable database: unreadable, corrupt, ... */
  AO_GEODB_STALE,   /* the path no longer names the file *seen describes
                       (replaced between stat() and open()): look again */
  AO_GEODB_RETRY,   /* could not be checked now (fork or pipe failed, the
                       validation process was killed from outside, e.g. by
                       the OOM killer): says nothing about the file */
};

/* A snapshot of the file at path, which the caller stat()ed as *seen
 * (NULL: no check). Returns it with a new reference, or NULL with *status
 * (AO_GEODB_CHANGED, _BAD, _STALE or _RETRY) and the reason in why[0..n).
 * _CHANGED and _BAD are remembered by (path, *seen, paths->key). */
ao_geodb_t *ao_geodb_acquire(const char *path, const ao_file_id_t *seen,
                             const ao_geodb_paths_t *paths, int *status,
                             char *why, size_t n);
/* Drops a reference; the last one closes and frees the snapshot. NULL is a
 * no-op. */
void ao_geodb_release(ao_geodb_t *db);

/* The open database: immutable, valid until the reference is released. */
const struct MMDB_s *ao_geodb_mmdb(const ao_geodb_t *db);
/* Bytes of the private copy. */
size_t ao_geodb_size(const ao_geodb_t *db);
/* 1 when both snapshots hold the same bytes. */
int ao_geodb_same_content(const ao_geodb_t *a, const ao_geodb_t *b);
/* "memfd" or "tmpfile": where the copy lives. */
const char *ao_geodb_backing(const ao_geodb_t *db);

/* Snapshots alive in this process and their bytes (tests, measurements). */
void ao_geodb_census(size_t *count, size_t *bytes);

/* The validation walk itself, in this process (ao_geodb_acquire() runs it
 * in a child): for tests and fuzzing of the walk on files libmaxminddb
 * survives. Returns 0, or -1 with why filled. */
int ao_geodb_walk(const char *path, const ao_geodb_paths_t *paths, char *why,
                  size_t n);

/* Test hooks. backing: 0 automatic, 1 memfd only, 2 tmpfile only. The
 * validation timeout is in milliseconds (default 30000). copy_hook, when
 * set, is called once after the first chunk of every copy (to change the
 * source under the copy). Forget drops the memory of refused files. */
void ao_geodb_set_backing(int backing);
void ao_geodb_set_validate_timeout(int ms);
void ao_geodb_set_copy_hook(void (*hook)(const char *path));
/* child_hook, when set, runs in the validation child before the walk (to
 * make it die in tests). */
void ao_geodb_set_child_hook(void (*hook)(void));
void ao_geodb_forget_failures(void);

#endif /* AO_GEODB_H */
