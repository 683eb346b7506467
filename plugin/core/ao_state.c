/*
 * ao_state.c - the persisted state file (see ao_state.h).
 */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include "ao_state.h"

#include "ao_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t fnv1a(const char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

void ao_state_buf_init(ao_state_buf_t *b) { memset(b, 0, sizeof(*b)); }

void ao_state_buf_free(ao_state_buf_t *b) {
  free(b->p);
  memset(b, 0, sizeof(*b));
}

static int reserve(ao_state_buf_t *b, size_t more) {
  if (b->failed)
    return -1;
  if (b->n + more + 1 <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->n + more + 1)
    cap *= 2;
  char *p = realloc(b->p, cap);
  if (p == NULL) {
    b->failed = 1;
    return -1;
  }
  b->p = p;
  b->cap = cap;
  return 0;
}

void ao_state_printf(ao_state_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[512];
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = 1;
    return;
  }
  if ((size_t)n < sizeof(tmp)) {
    if (reserve(b, (size_t)n) == 0) {
      memcpy(b->p + b->n, tmp, (size_t)n);
      b->n += (size_t)n;
      b->p[b->n] = '\0';
    }
    return;
  }
  if (reserve(b, (size_t)n) != 0)
    return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

void ao_state_put_str(ao_state_buf_t *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  size_t len = strlen(s);
  if (len == 0) {
    ao_state_printf(b, "%%");
    return;
  }
  if (reserve(b, len * 3) != 0)
    return;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c == '%' || c >= 0x7f) {
      b->p[b->n++] = '%';
      b->p[b->n++] = hex[c >> 4];
      b->p[b->n++] = hex[c & 15];
    } else {
      b->p[b->n++] = (char)c;
    }
  }
  b->p[b->n] = '\0';
}

void ao_state_begin(ao_state_buf_t *b, const char *log_name) {
  b->n = 0;
  b->failed = 0;
  if (reserve(b, 0) == 0)
    b->p[0] = '\0';
  ao_state_printf(b, "%s %d\nlog ", AO_STATE_MAGIC, AO_STATE_VERSION);
  ao_state_put_str(b, log_name);
  ao_state_printf(b, "\n");
}

void ao_state_end(ao_state_buf_t *b) {
  uint64_t h = fnv1a(b->p != NULL ? b->p : "", b->n);
  ao_state_printf(b, "end %016llx\n", (unsigned long long)h);
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* fsync() of the directory holding path: makes the rename durable. */
static int fsync_dir(const char *path) {
  size_t n = strlen(path);
  char *dir = malloc(n + 2);
  if (dir == NULL)
    return -1;
  memcpy(dir, path, n + 1);
  char *slash = strrchr(dir, '/');
  if (slash == NULL)
    strcpy(dir, ".");
  else if (slash == dir)
    dir[1] = '\0';
  else
    *slash = '\0';
  int fd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  free(dir);
  if (fd < 0)
    return -1;
  int rc = fsync(fd);
  int e = errno;
  close(fd);
  errno = e;
  return rc;
}

int ao_state_commit(const char *path, const ao_state_buf_t *b, ao_err_t *err) {
  if (b->failed || b->p == NULL)
    return ao_err_set(err, "state file \"%s\": out of memory", path);
  size_t n = strlen(path);
  char *tmp = malloc(n + 5);
  if (tmp == NULL)
    return ao_err_set(err, "state file \"%s\": out of memory", path);
  memcpy(tmp, path, n);
  memcpy(tmp + n, ".tmp", 5);

  const char *step = "create";
  int fd =
      open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    goto fail;
  step = "write";
  if (write_all(fd, b->p, b->n) != 0)
    goto fail_fd;
  step = "fsync";
  if (fsync(fd) != 0)
    goto fail_fd;
  step = "close";
  if (close(fd) != 0) {
    fd = -1;
    goto fail_unlink;
  }
  fd = -1;
  step = "rename";
  if (rename(tmp, path) != 0)
    goto fail_unlink;
  free(tmp);
  /* The new file is in place; a failed directory fsync only weakens its
   * durability after a power loss, which the next save repairs. */
  if (fsync_dir(path) != 0)
    return ao_err_set(err, "state file \"%s\": fsync of its directory: %s",
                      path, strerror(errno));
  return 0;

fail_fd : {
  int e = errno;
  close(fd);
  errno = e;
}
fail_unlink : {
  int e = errno;
  unlink(tmp);
  errno = e;
}
fail : {
  int e = errno;
  ao_err_set(err, "cannot write state file \"%s\" (%s of \"%s\"): %s", path,
             step, tmp, strerror(e));
  free(tmp);
  return -1;
}
}

int ao_state_load(const char *path, const char *log_name, char **text,
                  ao_err_t *err) {
  *text = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return 0;
    return ao_err_set(err, "cannot open state file \"%s\": %s", path,
                      strerror(errno));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return ao_err_set(err, "state file \"%s\" is not a regular file", path);
  }
  if ((uint64_t)st.st_size > AO_STATE_MAX_SIZE) {
    close(fd);
    return ao_err_set(err, "state file \"%s\" is too large (%lld bytes)", path,
                      (long long)st.st_size);
  }
  size_t size = (size_t)st.st_size;
  char *buf = malloc(size + 1);
  if (buf == NULL) {
    close(fd);
    return ao_err_set(err, "state file \"%s\": out of memory", path);
  }
  size_t got = 0;
  while (got < size) {
    ssize_t r = read(fd, buf + got, size - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  buf[got] = '\0';
  const char *why = NULL;

  if (got == 0) {
    why = "is empty";
    goto bad;
  }
  if (memchr(buf, '\0', got) != NULL) {
    why = "holds NUL bytes (damaged)";
    goto bad;
  }
  /* Header. */
  char head[64];
  snprintf(head, sizeof(head), "%s ", AO_STATE_MAGIC);
  if (strncmp(buf, head, strlen(head)) != 0) {
    why = "is not an attack_origin state file";
    goto bad;
  }
  char want[64];
  snprintf(want, sizeof(want), "%s %d\n", AO_STATE_MAGIC, AO_STATE_VERSION);
  if (strncmp(buf, want, strlen(want)) != 0) {
    why = "was written by another version of the plugin";
    goto bad;
  }
  /* Trailer: the last line is "end <16 hex>\n". */
  if (got < 22 || buf[got - 1] != '\n') {
    why = "is truncated";
    goto bad;
  }
  char *last = buf + got - 1;
  while (last > buf && last[-1] != '\n')
    last--;
  uint64_t want_hash;
  buf[got - 1] = '\0';
  if (strncmp(last, "end ", 4) != 0 || strlen(last + 4) != 16 ||
      ao_state_hex64(last + 4, &want_hash) != 0) {
    why = "is truncated";
    goto bad;
  }
  if (fnv1a(buf, (size_t)(last - buf)) != want_hash) {
    why = "is damaged (checksum mismatch)";
    goto bad;
  }
  *last = '\0';
  /* "log <name>" */
  char *p = buf + strlen(want);
  char *nl = strchr(p, '\n');
  if (nl == NULL || strncmp(p, "log ", 4) != 0) {
    why = "has no log line";
    goto bad;
  }
  *nl = '\0';
  if (ao_state_unescape(p + 4) != 0 || strcmp(p + 4, log_name) != 0) {
    why = "belongs to another Log";
    goto bad;
  }
  memmove(buf, nl + 1, strlen(nl + 1) + 1);
  *text = buf;
  return 1;

bad:
  free(buf);
  return ao_err_set(err, "state file \"%s\" %s", path, why);
}

int ao_state_split(char *line, char **argv, int max) {
  int n = 0;
  char *p = line;
  while (*p != '\0') {
    if (n == max)
      return -1;
    argv[n++] = p;
    char *sp = strchr(p, ' ');
    if (sp == NULL)
      break;
    *sp = '\0';
    p = sp + 1;
    if (*p == '\0' || *p == ' ')
      return -1;
  }
  for (int i = 0; i < n; i++)
    if (argv[i][0] == '\0')
      return -1;
  return n;
}

int ao_state_unescape(char *tok) {
  if (strcmp(tok, "%") == 0) {
    tok[0] = '\0';
    return 0;
  }
  char *w = tok;
  for (const char *r = tok; *r != '\0'; r++) {
    if (*r != '%') {
      *w++ = *r;
      continue;
    }
    int hi = ao_hexval(r[1]);
    int lo = hi < 0 ? -1 : ao_hexval(r[2]);
    if (hi < 0 || lo < 0)
      return -1;
    int c = hi * 16 + lo;
    if (c == 0)
      return -1;
    *w++ = (char)c;
    r += 2;
  }
  *w = '\0';
  return 0;
}

int ao_state_u64(const char *tok, uint64_t *out) {
  if (*tok == '\0' || strlen(tok) > 20)
    return -1;
  uint64_t v = 0;
  for (const char *p = tok; *p != '\0'; p++) {
    if (*p < '0' || *p > '9')
      return -1;
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      return -1;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

int ao_state_hex64(const char *tok, uint64_t *out) {
  size_t n = strlen(tok);
  if (n == 0 || n > 16)
    return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    int d = ao_hexval(tok[i]);
    if (d < 0)
      return -1;
    v = (v << 4) | (uint64_t)d;
  }
  *out = v;
  return 0;
}
