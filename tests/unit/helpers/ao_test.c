/*
 * ao_test.c - helpers shared by the unit tests (see ao_test.h).
 */
#define _GNU_SOURCE
#include "ao_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ao_test_mkdtemp(void) {
  const char *base = getenv("TMPDIR");
  char buf[4096];
  snprintf(buf, sizeof(buf), "%s/ao-test-XXXXXX",
           base != NULL && *base ? base : "/tmp");
  char *d = mkdtemp(buf);
  assert_non_null(d);
  return strdup(d);
}

static void rm_rf(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0)
    return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (d != NULL) {
      struct dirent *e;
      while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
          continue;
        char *p = ao_test_path(path, e->d_name);
        rm_rf(p);
        free(p);
      }
      closedir(d);
    }
    rmdir(path);
  } else {
    unlink(path);
  }
}

void ao_test_rmdir(char *dir) {
  if (dir == NULL)
    return;
  rm_rf(dir);
  free(dir);
}

char *ao_test_path(const char *dir, const char *name) {
  char *p = NULL;
  assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
  return p;
}

static void write_flags(const char *path, const void *data, size_t n,
                        int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
  assert_true(fd >= 0);
  const char *p = data;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    assert_true(w > 0);
    p += w;
    n -= (size_t)w;
  }
  assert_int_equal(close(fd), 0);
}

void ao_test_write(const char *path, const void *data, size_t n) {
  write_flags(path, data, n, O_TRUNC);
}

void ao_test_append(const char *path, const void *data, size_t n) {
  write_flags(path, data, n, O_APPEND);
}

void ao_test_append_str(const char *path, const char *s) {
  ao_test_append(path, s, strlen(s));
}

static char *env_file(const char *var, const char *name) {
  const char *dir = getenv(var);
  if (dir == NULL || *dir == '\0')
    return NULL;
  char *p = ao_test_path(dir, name);
  if (access(p, R_OK) != 0) {
    free(p);
    return NULL;
  }
  return p;
}

char *ao_test_data(const char *name) { return env_file("AO_TEST_DATA", name); }

void ao_test_require(const void *fixture, const char *name) {
  if (fixture == NULL) {
    print_message("AO_TEST_DATA/%s is missing (make builds it): skipped\n",
                  name);
    skip();
  }
}

char *ao_test_shared(const char *name) {
  return env_file("AO_SHARED_DATA", name);
}

char *ao_test_slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long sz = ftell(f);
  assert_true(sz >= 0);
  rewind(f);
  char *buf = malloc((size_t)sz + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
  buf[sz] = '\0';
  fclose(f);
  if (len != NULL)
    *len = (size_t)sz;
  return buf;
}

char *ao_test_mkmmdb(const char *dir, const char *name, const char *tsv,
                     const char *opts) {
  static const char rel[] = "tests/tools/mkmmdb.pl";
  char tool[4096] = "";
  const char *src = getenv("AO_SRC_DIR");
  const char *data = getenv("AO_TEST_DATA");
  if (src != NULL && *src)
    snprintf(tool, sizeof(tool), "%s/%s", src, rel);
  if ((tool[0] == '\0' || access(tool, R_OK) != 0) && data != NULL && *data)
    snprintf(tool, sizeof(tool), "%s/../../%s", data, rel);
  if (access(tool, R_OK) != 0)
    snprintf(tool, sizeof(tool), "%s", rel);
  if (access(tool, R_OK) != 0) {
    print_message("mkmmdb.pl not found (set AO_SRC_DIR): skipped\n");
    skip();
  }
  char tsvname[256], dbname[256];
  snprintf(tsvname, sizeof(tsvname), "%s.tsv", name);
  snprintf(dbname, sizeof(dbname), "%s.mmdb", name);
  char *tsvpath = ao_test_path(dir, tsvname);
  char *dbpath = ao_test_path(dir, dbname);
  ao_test_write(tsvpath, tsv, strlen(tsv));
  char cmd[12288];
  snprintf(cmd, sizeof(cmd), "perl '%s' %s '%s' '%s'", tool, opts, tsvpath,
           dbpath);
  int rc = system(cmd);
  if (rc != 0)
    fail_msg("%s: exit status %d", cmd, rc);
  free(tsvpath);
  return dbpath;
}

void ao_test_install(const char *src, const char *dst) {
  size_t n;
  char *data = ao_test_slurp(src, &n);
  char tmp[4096];
  snprintf(tmp, sizeof(tmp), "%s.temporary", dst);
  ao_test_write(tmp, data, n);
  if (rename(tmp, dst) != 0)
    fail_msg("rename %s %s: %s", tmp, dst, strerror(errno));
  free(data);
}

ao_ip_t ao_test_ip4(uint32_t a) {
  ao_ip_t ip;
  memset(&ip, 0, sizeof(ip));
  ip.b[10] = 0xff;
  ip.b[11] = 0xff;
  ip.b[12] = (uint8_t)(a >> 24);
  ip.b[13] = (uint8_t)(a >> 16);
  ip.b[14] = (uint8_t)(a >> 8);
  ip.b[15] = (uint8_t)a;
  ip.v4 = 1;
  return ip;
}
