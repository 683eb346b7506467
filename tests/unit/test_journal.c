/*
 * test_journal.c - the journal source (ao_journal) on real journal files.
 *
 * Journal files are written by Debian's systemd-journal-remote from Journal
 * Export Format input (the format `journalctl -o export` prints), the same
 * way a central log host receives them; appending to an existing file is
 * the same program run again. Tests skip when the program is missing
 * (package systemd-journal-remote) or the build has no libsystemd.
 */
#include "ao_test.h"

#include "ao_journal.h"
#include "ao_log.h"
#include "ao_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define JOURNAL_REMOTE "/lib/systemd/systemd-journal-remote"

typedef struct fx {
  char *dir;
  char *jfile;
  ao_journal_t *j;
  char **lines;
  size_t *lens;
  size_t n, cap;
  uint64_t seq;
} fx_t;

static int cap_n;
static char cap_last[1024];
static void cap_log(void *ud, int level, const char *msg) {
  (void)ud;
  (void)level;
  cap_n++;
  snprintf(cap_last, sizeof(cap_last), "%s", msg);
}

static int setup(void **state) {
  fx_t *fx = calloc(1, sizeof(*fx));
  fx->dir = ao_test_mkdtemp();
  fx->jfile = ao_test_path(fx->dir, "test.journal");
  cap_n = 0;
  ao_log_sink_t sink = {.log = cap_log};
  ao_log_set_sink(&sink);
  *state = fx;
  return 0;
}

static void clear(fx_t *fx) {
  for (size_t i = 0; i < fx->n; i++)
    free(fx->lines[i]);
  fx->n = 0;
}

static int teardown(void **state) {
  fx_t *fx = *state;
  ao_journal_destroy(fx->j);
  clear(fx);
  free(fx->lines);
  free(fx->lens);
  ao_test_rmdir(fx->dir);
  free(fx->jfile);
  free(fx);
  ao_log_set_sink(NULL);
  return 0;
}

static void need_journal(void) {
  if (!ao_journal_available()) {
    print_message("built without libsystemd: skipped\n");
    skip();
  }
  if (access(JOURNAL_REMOTE, X_OK) != 0) {
    print_message("%s missing (package systemd-journal-remote): skipped\n",
                  JOURNAL_REMOTE);
    skip();
  }
}

/* An export-format buffer. */
typedef struct xbuf {
  char *p;
  size_t n, cap;
} xbuf_t;

static void xput(xbuf_t *b, const void *d, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2 + 1024;
    b->p = realloc(b->p, b->cap);
  }
  memcpy(b->p + b->n, d, n);
  b->n += n;
}

static void xstr(xbuf_t *b, const char *s) { xput(b, s, strlen(s)); }

/* One entry: unit and message (text, or binary when it holds a NUL or a
 * newline: the export format's length-prefixed form). */
static void entry(fx_t *fx, xbuf_t *b, const char *unit, const char *msg,
                  size_t len) {
  char head[256];
  uint64_t t = 1700000000000000ull + ++fx->seq;
  snprintf(head, sizeof(head),
           "__REALTIME_TIMESTAMP=%llu\n__MONOTONIC_TIMESTAMP=%llu\n"
           "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=web1\n",
           (unsigned long long)t, (unsigned long long)t);
  xstr(b, head);
  if (unit != NULL) {
    xstr(b, "_SYSTEMD_UNIT=");
    xstr(b, unit);
    xstr(b, "\n");
  }
  if (memchr(msg, '\0', len) != NULL || memchr(msg, '\n', len) != NULL) {
    xstr(b, "MESSAGE\n");
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
      le[i] = (unsigned char)((uint64_t)len >> (8 * i));
    xput(b, le, 8);
    xput(b, msg, len);
    xstr(b, "\n");
  } else {
    xstr(b, "MESSAGE=");
    xput(b, msg, len);
    xstr(b, "\n");
  }
  xstr(b, "\n");
}

/* Appends the entries to the journal file with systemd-journal-remote. */
static void write_journal(const char *file, xbuf_t *b) {
  int in[2];
  assert_int_equal(pipe(in), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(in[0], 0);
    close(in[0]);
    close(in[1]);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    char out[4200];
    snprintf(out, sizeof(out), "--output=%s", file);
    execl(JOURNAL_REMOTE, JOURNAL_REMOTE, out, "-", (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  size_t off = 0;
  while (off < b->n) {
    ssize_t w = write(in[1], b->p + off, b->n - off);
    assert_true(w > 0);
    off += (size_t)w;
  }
  close(in[1]);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  free(b->p);
  memset(b, 0, sizeof(*b));
}

static int on_line(void *ud, const char *line, size_t len) {
  fx_t *fx = ud;
  if (fx->n == fx->cap) {
    fx->cap = fx->cap ? 2 * fx->cap : 64;
    fx->lines = realloc(fx->lines, fx->cap * sizeof(*fx->lines));
    fx->lens = realloc(fx->lens, fx->cap * sizeof(*fx->lens));
  }
  fx->lines[fx->n] = malloc(len + 1);
  memcpy(fx->lines[fx->n], line, len);
  fx->lines[fx->n][len] = '\0';
  fx->lens[fx->n] = len;
  fx->n++;
  return 0;
}

static void open_j(fx_t *fx, const char *path, const char *const *m, size_t nm,
                   ao_start_t start) {
  ao_journal_opts_t o = {path, m, nm, 4096, start};
  ao_err_t err = {{0}};
  fx->j = ao_journal_create(&o, &err);
  if (fx->j == NULL)
    fail_msg("ao_journal_create: %s", err.msg);
}

static int rd(fx_t *fx) {
  ao_tail_ctl_t ctl = {.now = 0};
  return ao_journal_read(fx->j, &ctl, on_line, fx);
}

static void expect(fx_t *fx, const char *const *want, size_t n) {
  if (fx->n != n) {
    for (size_t i = 0; i < fx->n; i++)
      print_message("got %s\n", fx->lines[i]);
    fail_msg("%zu lines, expected %zu", fx->n, n);
  }
  for (size_t i = 0; i < n; i++)
    if (strcmp(fx->lines[i], want[i]) != 0)
      fail_msg("line %zu: \"%s\", expected \"%s\"", i, fx->lines[i], want[i]);
  clear(fx);
}

#define EXPECT(fx, ...)                                                        \
  do {                                                                         \
    const char *w_[] = {__VA_ARGS__};                                          \
    expect(fx, w_, sizeof(w_) / sizeof(w_[0]));                                \
  } while (0)

static void add(fx_t *fx, const char *unit, const char *msg) {
  xbuf_t b = {0};
  entry(fx, &b, unit, msg, strlen(msg));
  write_journal(fx->jfile, &b);
}

/* Matches, messages without prefix, entries appended while reading. */
static void test_read_with_matches(void **state) {
  fx_t *fx = *state;
  need_journal();
  xbuf_t b = {0};
  entry(fx, &b, "ssh.service",
        "Failed password for root from 1.2.3.4 port 22 ssh2", 51);
  entry(fx, &b, "cron.service", "(root) CMD (run-parts)", 22);
  entry(fx, &b, "ssh.service", "Invalid user admin from 5.6.7.8 port 40000",
        42);
  entry(fx, &b, NULL, "no unit at all", 14);
  write_journal(fx->jfile, &b);
  const char *m[] = {"_SYSTEMD_UNIT=ssh.service"};
  open_j(fx, fx->jfile, m, 1, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "Failed password for root from 1.2.3.4 port 22 ssh2",
         "Invalid user admin from 5.6.7.8 port 40000");
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->n, 0);
  add(fx, "ssh.service", "Connection closed by 9.9.9.9 port 1 [preauth]");
  add(fx, "cron.service", "not this one");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "Connection closed by 9.9.9.9 port 1 [preauth]");
  assert_int_equal(ao_journal_stats(fx->j)->lines, 3);
  assert_true(ao_journal_is_open(fx->j));
}

/* "+" separates OR groups (journalctl's syntax). */
static void test_match_disjunction(void **state) {
  fx_t *fx = *state;
  need_journal();
  xbuf_t b = {0};
  entry(fx, &b, "ssh.service", "one", 3);
  entry(fx, &b, "nginx.service", "two", 3);
  entry(fx, &b, "cron.service", "three", 5);
  write_journal(fx->jfile, &b);
  const char *m[] = {"_SYSTEMD_UNIT=ssh.service", "+",
                     "_SYSTEMD_UNIT=nginx.service"};
  open_j(fx, fx->jfile, m, 3, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "one", "two");
}

/* StartAt end skips what is there; a saved cursor continues after the
 * entry it names, across a new reader (a restart). */
static void test_start_end_and_cursor(void **state) {
  fx_t *fx = *state;
  need_journal();
  add(fx, "ssh.service", "before start");
  open_j(fx, fx->jfile, NULL, 0, AO_START_END);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->n, 0);
  add(fx, "ssh.service", "after start");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "after start");

  ao_state_buf_t sb;
  ao_state_buf_init(&sb);
  ao_journal_save(fx->j, &sb);
  assert_int_equal(strncmp(sb.p, "journal ", 8), 0);
  ao_journal_destroy(fx->j);
  fx->j = NULL;
  add(fx, "ssh.service", "while stopped 1");
  add(fx, "ssh.service", "while stopped 2");

  open_j(fx, fx->jfile, NULL, 0, AO_START_END);
  char *line = strdup(sb.p);
  line[strcspn(line, "\n")] = '\0';
  char *argv[4];
  int argc = ao_state_split(line, argv, 4);
  ao_err_t err = {{0}};
  assert_int_equal(ao_journal_restore_record(fx->j, argc, argv, &err), 1);
  ao_journal_restore_commit(fx->j);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "while stopped 1", "while stopped 2");
  free(line);
  ao_state_buf_free(&sb);
}

/* StartAt end on an empty journal saves "head": after a restart, entries
 * written meanwhile are all read. */
static void test_empty_then_head(void **state) {
  fx_t *fx = *state;
  need_journal();
  add(fx, "cron.service", "other unit");
  const char *m[] = {"_SYSTEMD_UNIT=ssh.service"};
  open_j(fx, fx->jfile, m, 1, AO_START_END);
  assert_int_equal(rd(fx), 0);
  ao_state_buf_t sb;
  ao_state_buf_init(&sb);
  ao_journal_save(fx->j, &sb);
  assert_string_equal(sb.p, "journal head\n");
  ao_journal_destroy(fx->j);
  fx->j = NULL;
  add(fx, "ssh.service", "first ssh entry");
  open_j(fx, fx->jfile, m, 1, AO_START_END);
  char rec[] = "journal head";
  char *argv[4];
  int argc = ao_state_split(rec, argv, 4);
  ao_err_t err = {{0}};
  assert_int_equal(ao_journal_restore_record(fx->j, argc, argv, &err), 1);
  ao_journal_restore_commit(fx->j);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "first ssh entry");
  ao_state_buf_free(&sb);
}

/* Binary messages: NUL bytes kept (length counts), one trailing newline
 * dropped; an oversized message is counted and skipped. */
static void test_binary_and_oversized(void **state) {
  fx_t *fx = *state;
  need_journal();
  xbuf_t b = {0};
  entry(fx, &b, "x.service", "a\0b", 3);
  entry(fx, &b, "x.service", "ends with newline\n", 18);
  char *big = malloc(5000);
  memset(big, 'B', 5000);
  entry(fx, &b, "x.service", big, 5000);
  entry(fx, &b, "x.service", "after", 5);
  write_journal(fx->jfile, &b);
  free(big);
  open_j(fx, fx->jfile, NULL, 0, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->n, 3);
  assert_int_equal(fx->lens[0], 3);
  assert_memory_equal(fx->lines[0], "a\0b", 3);
  assert_string_equal(fx->lines[1], "ends with newline");
  assert_string_equal(fx->lines[2], "after");
  assert_int_equal(ao_journal_stats(fx->j)->oversized, 1);
}

/* A JournalPath that does not exist yet: complained about once, retried,
 * read from its start once it exists (a directory here). */
static void test_missing_then_directory(void **state) {
  fx_t *fx = *state;
  need_journal();
  char *d = ao_test_path(fx->dir, "remote");
  open_j(fx, d, NULL, 0, AO_START_END);
  assert_int_equal(rd(fx), -1);
  assert_int_equal(rd(fx), -1);
  assert_int_equal(cap_n, 1);
  assert_non_null(strstr(cap_last, "remote"));
  assert_int_equal(ao_journal_stats(fx->j)->errors, 2);
  assert_int_equal(mkdir(d, 0755), 0);
  char *f = ao_test_path(d, "remote-web1.journal");
  xbuf_t b = {0};
  entry(fx, &b, "ssh.service", "in the directory", 16);
  write_journal(f, &b);
  /* The directory was empty when first opened under StartAt end: "head". */
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "in the directory");
  assert_int_equal(cap_n, 2); /* the recovery */
  free(f);
  free(d);
}

/* A budget reads a big journal in slices. */
static void test_budget(void **state) {
  fx_t *fx = *state;
  need_journal();
  xbuf_t b = {0};
  char msg[64];
  for (int i = 0; i < 3000; i++) {
    int n = snprintf(msg, sizeof(msg), "entry %04d of the backlog", i);
    entry(fx, &b, "x.service", msg, (size_t)n);
  }
  write_journal(fx->jfile, &b);
  open_j(fx, fx->jfile, NULL, 0, AO_START_BEGINNING);
  int reads = 0;
  for (;; reads++) {
    ao_tail_ctl_t ctl = {.max_bytes = 10000};
    assert_int_equal(ao_journal_read(fx->j, &ctl, on_line, fx), 0);
    if (!ctl.exhausted)
      break;
  }
  assert_int_equal(fx->n, 3000);
  for (int i = 0; i < 3000; i += 101) {
    snprintf(msg, sizeof(msg), "entry %04d of the backlog", i);
    assert_string_equal(fx->lines[i], msg);
  }
  assert_true(reads >= 7);
  assert_int_equal(ao_journal_stats(fx->j)->budget_stops, (uint64_t)reads);
}

static void test_records(void **state) {
  fx_t *fx = *state;
  need_journal();
  open_j(fx, fx->jfile, NULL, 0, AO_START_END);
  ao_err_t err = {{0}};
  char l1[] = "journal";
  char l2[] = "journal a b";
  char l3[] = "journal %zz";
  char l4[] = "file x none";
  char *argv[4];
  int argc = ao_state_split(l1, argv, 4);
  assert_int_equal(ao_journal_restore_record(fx->j, argc, argv, &err), -1);
  argc = ao_state_split(l2, argv, 4);
  assert_int_equal(ao_journal_restore_record(fx->j, argc, argv, &err), -1);
  argc = ao_state_split(l3, argv, 4);
  assert_int_equal(ao_journal_restore_record(fx->j, argc, argv, &err), -1);
  argc = ao_state_split(l4, argv, 4);
  assert_int_equal(ao_journal_restore_record(fx->j, argc, argv, &err), 0);
  ao_journal_restore_abort(fx->j);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_read_with_matches),
      T(test_match_disjunction),
      T(test_start_end_and_cursor),
      T(test_empty_then_head),
      T(test_binary_and_oversized),
      T(test_missing_then_directory),
      T(test_budget),
      T(test_records),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
