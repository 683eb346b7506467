/*
 * test_files.c - the files of one Log (ao_files): several paths and glob
 * patterns, each file followed on its own, none read twice, positions saved
 * and restored through the real state records.
 *
 * Delivered lines are recorded and compared as a multiset (files are read
 * in turn, so the order across files is not part of the contract), which
 * makes a line read twice or never visible.
 */
#include "ao_test.h"

#include "ao_files.h"
#include "ao_log.h"
#include "ao_state.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fx {
  char *dir;
  ao_files_t *fs;
  char **lines;
  size_t n, cap;
  double now;
  char patbuf[4][512];
  const char *pats[4];
  size_t npats;
  ao_start_t start;
  double rotate_wait;
} fx_t;

#define CAP_MAX 64
static char cap_msg[CAP_MAX][1024];
static int cap_n;

static void cap_log(void *ud, int level, const char *msg) {
  (void)ud;
  (void)level;
  if (cap_n < CAP_MAX)
    snprintf(cap_msg[cap_n], sizeof(cap_msg[0]), "%s", msg);
  cap_n++;
}

static int cap_count(const char *needle) {
  int k = 0;
  for (int i = 0; i < cap_n && i < CAP_MAX; i++)
    k += strstr(cap_msg[i], needle) != NULL;
  return k;
}

static int setup(void **state) {
  fx_t *fx = calloc(1, sizeof(*fx));
  fx->dir = ao_test_mkdtemp();
  fx->start = AO_START_BEGINNING;
  fx->now = 1000;
  cap_n = 0;
  ao_log_sink_t sink = {.log = cap_log};
  ao_log_set_sink(&sink);
  *state = fx;
  return 0;
}

static void clear_lines(fx_t *fx) {
  for (size_t i = 0; i < fx->n; i++)
    free(fx->lines[i]);
  fx->n = 0;
}

static int teardown(void **state) {
  fx_t *fx = *state;
  ao_files_destroy(fx->fs);
  clear_lines(fx);
  free(fx->lines);
  ao_test_rmdir(fx->dir);
  free(fx);
  ao_log_set_sink(NULL);
  return 0;
}

static int on_line(void *ud, const char *line, size_t len) {
  fx_t *fx = ud;
  if (fx->n == fx->cap) {
    fx->cap = fx->cap ? 2 * fx->cap : 64;
    fx->lines = realloc(fx->lines, fx->cap * sizeof(*fx->lines));
  }
  fx->lines[fx->n++] = strndup(line, len);
  return 0;
}

static void pattern(fx_t *fx, const char *rel) {
  snprintf(fx->patbuf[fx->npats], sizeof(fx->patbuf[0]), "%s/%s", fx->dir, rel);
  fx->pats[fx->npats] = fx->patbuf[fx->npats];
  fx->npats++;
}

static void create(fx_t *fx) {
  ao_files_opts_t o = {fx->pats, fx->npats, 4096, fx->start, fx->rotate_wait};
  ao_err_t err = {{0}};
  fx->fs = ao_files_create(&o, &err);
  if (fx->fs == NULL)
    fail_msg("ao_files_create: %s", err.msg);
}

static int rd(fx_t *fx) {
  ao_tail_ctl_t ctl = {.now = fx->now};
  fx->now += 1;
  return ao_files_read(fx->fs, &ctl, on_line, fx);
}

static char *p(fx_t *fx, const char *rel) { return ao_test_path(fx->dir, rel); }

static void put(fx_t *fx, const char *rel, const char *text) {
  char *path = p(fx, rel);
  ao_test_append_str(path, text);
  free(path);
}

static void mv(fx_t *fx, const char *from, const char *to) {
  char *a = p(fx, from), *b = p(fx, to);
  assert_int_equal(rename(a, b), 0);
  free(a);
  free(b);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Asserts that exactly these lines (in any order) were delivered since the
 * last check. */
static void expect(fx_t *fx, const char *const *want, size_t n) {
  if (fx->n > 0)
    qsort(fx->lines, fx->n, sizeof(*fx->lines), cmp_str);
  const char **w = malloc((n + 1) * sizeof(*w));
  if (n > 0)
    memcpy(w, want, n * sizeof(*w));
  qsort(w, n, sizeof(*w), cmp_str);
  size_t i = 0;
  for (; i < n && i < fx->n; i++)
    if (strcmp(w[i], fx->lines[i]) != 0)
      break;
  if (i < n || fx->n != n) {
    for (size_t k = 0; k < fx->n; k++)
      print_message("got  %s\n", fx->lines[k]);
    for (size_t k = 0; k < n; k++)
      print_message("want %s\n", w[k]);
    fail_msg("lines differ at %zu (got %zu, want %zu)", i, fx->n, n);
  }
  free(w);
  clear_lines(fx);
}

#define EXPECT(fx, ...)                                                        \
  do {                                                                         \
    const char *w_[] = {__VA_ARGS__};                                          \
    expect(fx, w_, sizeof(w_) / sizeof(w_[0]));                                \
  } while (0)
#define EXPECT_NONE(fx) expect(fx, NULL, 0)

static ao_tail_stats_t stats(fx_t *fx) {
  ao_tail_stats_t s;
  ao_files_stats(fx->fs, &s);
  return s;
}

/* Saves through the real state format and restores into a new fileset
 * (the fileset's part of a restart). */
static void restart(fx_t *fx) {
  ao_state_buf_t b;
  ao_state_buf_init(&b);
  ao_state_begin(&b, "web");
  ao_files_save(fx->fs, &b);
  ao_state_end(&b);
  char *path = p(fx, ".state");
  ao_err_t err = {{0}};
  assert_int_equal(ao_state_commit(path, &b, &err), 0);
  ao_state_buf_free(&b);
  ao_files_destroy(fx->fs);
  fx->fs = NULL;
  create(fx);
  char *text = NULL;
  assert_int_equal(ao_state_load(path, "web", &text, &err), 1);
  for (char *line = text; *line != '\0';) {
    char *nl = strchr(line, '\n');
    *nl = '\0';
    char *argv[AO_STATE_MAX_FIELDS];
    int argc = ao_state_split(line, argv, AO_STATE_MAX_FIELDS);
    assert_true(argc > 0);
    if (ao_files_restore_record(fx->fs, argc, argv, &err) != 1)
      fail_msg("record \"%s\": %s", argv[0], err.msg);
    line = nl + 1;
  }
  free(text);
  free(path);
  ao_files_restore_commit(fx->fs);
}

/* ------------------------------------------------------------------------ */

static void test_several_files(void **state) {
  fx_t *fx = *state;
  pattern(fx, "a.log");
  pattern(fx, "b.log");
  put(fx, "a.log", "a1\n");
  create(fx);
  assert_int_equal(rd(fx), 0); /* b.log missing: complained, a.log read */
  EXPECT(fx, "a1");
  assert_int_equal(cap_count("b.log"), 1);
  put(fx, "b.log", "b1\nb2\n");
  put(fx, "a.log", "a2\n");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "a2", "b1", "b2");
  assert_int_equal(ao_files_open_count(fx->fs), 2);
  assert_int_equal(stats(fx).lines, 4);
  put(fx, "b.log", "b3 partial");
  assert_int_equal(rd(fx), 0);
  assert_int_equal(ao_files_lag(fx->fs), 10);
}

/* Glob patterns: StartAt for what matches at the first read; a file that
 * starts matching later is read from its start; compressed files,
 * directories and FIFOs are ignored. */
static void test_glob(void **state) {
  fx_t *fx = *state;
  fx->start = AO_START_END;
  pattern(fx, "*.log");
  put(fx, "old.log", "history\n");
  put(fx, "x.log.gz", "\x1f\x8b binary\n");
  put(fx, "y.gz", "z\n");
  char *d = p(fx, "dir.log");
  assert_int_equal(mkdir(d, 0755), 0);
  free(d);
  char *fifo = p(fx, "pipe.log");
  assert_int_equal(mkfifo(fifo, 0644), 0);
  free(fifo);
  create(fx);
  assert_int_equal(rd(fx), 0);
  EXPECT_NONE(fx);
  put(fx, "old.log", "appended\n");
  put(fx, "new.log", "n1\nn2\n");
  put(fx, "other.gz", "not matched\n");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "appended", "n1", "n2");
  assert_int_equal(ao_files_open_count(fx->fs), 2);
}

/* A glob that matches nothing yet: complained about once, not an error;
 * the first file is read from its start. */
static void test_glob_nothing_yet(void **state) {
  fx_t *fx = *state;
  fx->start = AO_START_END;
  pattern(fx, "sub/*.log");
  create(fx);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(cap_count("no file matches"), 1);
  char *d = p(fx, "sub");
  mkdir(d, 0755);
  free(d);
  put(fx, "sub/a.log", "first\n");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "first");
}

/* "*.log*" also matches the rotated access.log.1: the file is handed over
 * with its position, late writes to it are read once, a later rename to
 * .2 changes nothing, and the new access.log is read from its start. */
static void test_glob_matches_rotated_files(void **state) {
  fx_t *fx = *state;
  fx->rotate_wait = 30;
  pattern(fx, "access.log*");
  put(fx, "access.log", "a1\na2\n");
  create(fx);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "a1", "a2");

  put(fx, "access.log", "a3\n");
  mv(fx, "access.log", "access.log.1");
  put(fx, "access.log", "b1\n");
  put(fx, "access.log.1", "a4 late\n");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "a3", "a4 late", "b1");
  put(fx, "access.log.1", "a5 later\n");
  assert_int_equal(rd(fx), 0); /* access.log.1 is now its own path */
  EXPECT(fx, "a5 later");
  assert_int_equal(rd(fx), 0);
  EXPECT_NONE(fx);

  /* delaycompress: .1 -> .2, .0 -> .1 on the next rotation. */
  mv(fx, "access.log.1", "access.log.2");
  mv(fx, "access.log", "access.log.1");
  put(fx, "access.log", "c1\n");
  put(fx, "access.log.1", "b2 late\n");
  fx->now += 100; /* every rotate-wait is over */
  for (int i = 0; i < 3; i++)
    assert_int_equal(rd(fx), 0);
  EXPECT(fx, "b2 late", "c1");
  /* And the compressed one disappears, replaced by a .gz: ignored. */
  mv(fx, "access.log.2", "access.log.2.gz");
  fx->now += 100;
  for (int i = 0; i < 3; i++)
    assert_int_equal(rd(fx), 0);
  EXPECT_NONE(fx);
  ao_tail_stats_t s = stats(fx);
  assert_int_equal(s.lines, 8);
  assert_int_equal(s.partial_dropped, 0);
}

/* With RotateWait 0 the rotated file is closed at once; a pattern that
 * matches it later resumes it at its end (the known-files list). */
static void test_glob_known_files(void **state) {
  fx_t *fx = *state;
  fx->rotate_wait = 0;
  pattern(fx, "app.log");
  pattern(fx, "app-old-*.log");
  put(fx, "app.log", "x1\nx2\n");
  create(fx);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "x1", "x2");
  mv(fx, "app.log", "app.log.1");
  put(fx, "app.log", "y1\n");
  assert_int_equal(rd(fx), 0); /* app.log.1 drained and closed */
  EXPECT(fx, "y1");
  put(fx, "app.log.1", "x3 written after the close\n");
  mv(fx, "app.log.1", "app-old-1.log"); /* now matched */
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "x3 written after the close");
}

/* A symlink and its target both configured, and a hard link: read once. */
static void test_same_file_twice(void **state) {
  fx_t *fx = *state;
  pattern(fx, "real.log");
  pattern(fx, "link.log");
  pattern(fx, "hard.log");
  put(fx, "real.log", "r1\n");
  char *real = p(fx, "real.log"), *sym = p(fx, "link.log"),
       *hard = p(fx, "hard.log");
  assert_int_equal(symlink(real, sym), 0);
  assert_int_equal(link(real, hard), 0);
  create(fx);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "r1");
  put(fx, "real.log", "r2\n");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "r2");
  assert_int_equal(cap_count("not read twice"), 2);
  free(real);
  free(sym);
  free(hard);
}

/* copytruncate under "*.log*": the copy is matched too. Lines already read
 * are not read again from it; lines not read before the truncation are
 * read once. A plain copy (cp, no truncation) adds nothing. */
static void test_glob_copytruncate(void **state) {
  fx_t *fx = *state;
  pattern(fx, "site.log*");
  char buf[4096];
  size_t n = 0;
  for (int i = 0; i < 20; i++)
    n += (size_t)snprintf(buf + n, sizeof(buf) - n,
                          "line %02d of the site log, long enough\n", i);
  char *site = p(fx, "site.log");
  ao_test_write(site, buf, n);
  create(fx);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->n, 20);
  clear_lines(fx);

  /* A plain copy: nothing new in it. */
  char *bak = p(fx, "site.log.bak");
  ao_test_write(bak, buf, n);
  assert_int_equal(rd(fx), 0);
  EXPECT_NONE(fx);

  put(fx, "site.log", "unread before copytruncate\n");
  size_t len = 0;
  char *data = ao_test_slurp(site, &len);
  char *copy = p(fx, "site.log.1");
  ao_test_write(copy, data, len);
  assert_int_equal(truncate(site, 0), 0);
  put(fx, "site.log", "after truncation\n");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "after truncation", "unread before copytruncate");
  assert_int_equal(rd(fx), 0);
  EXPECT_NONE(fx);
  assert_int_equal(stats(fx).truncations, 1);
  free(data);
  free(copy);
  free(bak);
  free(site);
}

/* Save and restore: static and glob paths, a file that appeared while
 * stopped (read from its start), a file rotated while stopped (its rest
 * read from the saved offset). */
static void test_restart(void **state) {
  fx_t *fx = *state;
  fx->start = AO_START_END;
  fx->rotate_wait = 10;
  pattern(fx, "main.log");
  pattern(fx, "vhosts/*.log");
  char *vh = p(fx, "vhosts");
  mkdir(vh, 0755);
  free(vh);
  put(fx, "main.log", "history\n");
  put(fx, "vhosts/a.log", "history\n");
  create(fx);
  assert_int_equal(rd(fx), 0);
  EXPECT_NONE(fx);
  put(fx, "main.log", "m1\n");
  put(fx, "vhosts/a.log", "a1\n");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "a1", "m1");

  /* Stopped: appends, a new vhost, a rotation. */
  put(fx, "main.log", "m2\n");
  put(fx, "vhosts/a.log", "a2\n");
  put(fx, "vhosts/b.log", "b1 new while stopped\n");
  mv(fx, "main.log", "main.log.1");
  put(fx, "main.log", "m3 new file\n");
  restart(fx);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "a2", "b1 new while stopped", "m2", "m3 new file");
  assert_int_equal(rd(fx), 0);
  EXPECT_NONE(fx);

  /* A glob match renamed away while stopped, not recreated: its rest is
   * still read. */
  put(fx, "vhosts/a.log", "a3\n");
  restart(fx);
  mv(fx, "vhosts/a.log", "vhosts/a.log.1");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "a3");
  fx->now += 60;
  assert_int_equal(rd(fx), 0);
  EXPECT_NONE(fx);
  assert_int_equal(ao_files_open_count(fx->fs), 2); /* main.log, b.log */
}

/* A File value removed from the configuration between two runs: its
 * file is not read any more, the other one resumes. */
static void test_restart_file_removed_from_config(void **state) {
  fx_t *fx = *state;
  pattern(fx, "kept.log");
  pattern(fx, "dropped/*.log");
  char *d = p(fx, "dropped");
  mkdir(d, 0755);
  free(d);
  put(fx, "kept.log", "k1\n");
  put(fx, "dropped/x.log", "x1\n");
  create(fx);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "k1", "x1");
  fx->npats = 1; /* the configuration now has kept.log only */
  put(fx, "kept.log", "k2\n");
  mv(fx, "dropped/x.log", "dropped/x.log.1");
  put(fx, "dropped/x.log.1", "x2\n");
  restart(fx);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "k2");
  assert_int_equal(ao_files_open_count(fx->fs), 1);
}

/* A saved file gone while stopped is counted in restore_lost. */
static void test_restart_file_gone(void **state) {
  fx_t *fx = *state;
  pattern(fx, "gone.log");
  put(fx, "gone.log", "g1\ng2 not finished yet");
  create(fx);
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "g1");
  char *g = p(fx, "gone.log");
  unlink(g);
  free(g);
  restart(fx);
  assert_int_equal(rd(fx), -1);
  assert_int_equal(stats(fx).restore_lost, 1);
}

/* Malformed records are refused. */
static void test_bad_records(void **state) {
  fx_t *fx = *state;
  pattern(fx, "a.log");
  create(fx);
  ao_err_t err = {{0}};
  struct {
    char line[200];
  } bad[] = {
      {"file"},
      {"file %2 cur 1 2 3 0 4 5 6 0"},
      {"file /a.log cur 1 2 3 0 4 5 6"},
      {"file /a.log cur 1 2 300 0 4 5 6 0"}, /* head_len > 256 */
      {"file /a.log cur 1 2 3 0 4 600 6 0"}, /* mark_len > 512 */
      {"file /a.log cur 1 2 3 0 4 5 6 0"},   /* mark_len > offset */
      {"file /a.log cur 1 2 3 zz 40 5 6 0"},
      {"file /a.log sideways 1 2 3 0 40 5 6 0"},
      {"file /a.log cur 1 2 3 0 40 5 6 2"},
      {"known 1 2 3"},
      {"pattern"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    char *argv[AO_STATE_MAX_FIELDS];
    int argc = ao_state_split(bad[i].line, argv, AO_STATE_MAX_FIELDS);
    if (ao_files_restore_record(fx->fs, argc, argv, &err) != -1)
      fail_msg("accepted \"%s\"", bad[i].line);
  }
  char other[] = "journal abc";
  char *argv[4];
  int argc = ao_state_split(other, argv, 4);
  assert_int_equal(ao_files_restore_record(fx->fs, argc, argv, &err), 0);
  ao_files_restore_abort(fx->fs);
  /* After an abort the fileset starts as configured. */
  put(fx, "a.log", "fresh\n");
  assert_int_equal(rd(fx), 0);
  EXPECT(fx, "fresh");
}

/* More matches than AO_FILES_MAX: the rest is complained about, once. */
static void test_too_many_files(void **state) {
  fx_t *fx = *state;
  pattern(fx, "many/*.log");
  char *d = p(fx, "many");
  mkdir(d, 0755);
  free(d);
  char name[64];
  for (int i = 0; i < AO_FILES_MAX + 20; i++) {
    snprintf(name, sizeof(name), "many/f%03d.log", i);
    put(fx, name, "x\n");
  }
  create(fx);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->n, AO_FILES_MAX);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(cap_count("more than 256 files match"), 1);
  assert_int_equal(ao_files_open_count(fx->fs), AO_FILES_MAX);
}

/* A budget shared by several files: each read starts with another file,
 * so two backlogs drain side by side. */
static void test_budget_shared(void **state) {
  fx_t *fx = *state;
  pattern(fx, "x.log");
  pattern(fx, "y.log");
  for (int k = 0; k < 2; k++) {
    char *path = p(fx, k ? "y.log" : "x.log");
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 20000; i++)
      fprintf(f, "%c line %05d with some padding to make it longer\n",
              k ? 'y' : 'x', i);
    fclose(f);
    free(path);
  }
  create(fx);
  int saw_y_first_rounds = 0;
  for (int r = 0; r < 100; r++) {
    ao_tail_ctl_t ctl = {.now = fx->now++, .max_bytes = 300000};
    size_t before = fx->n;
    assert_int_equal(ao_files_read(fx->fs, &ctl, on_line, fx), 0);
    if (r < 2 && fx->n > before && fx->lines[before][0] == 'y')
      saw_y_first_rounds = 1;
    if (!ctl.exhausted)
      break;
  }
  assert_true(saw_y_first_rounds);
  size_t nx = 0, ny = 0;
  for (size_t i = 0; i < fx->n; i++)
    if (fx->lines[i][0] == 'x')
      nx++;
    else
      ny++;
  assert_int_equal(nx, 20000);
  assert_int_equal(ny, 20000);
  assert_true(stats(fx).budget_stops > 0);
}

static void test_create_errors(void **state) {
  (void)state;
  ao_err_t err = {{0}};
  ao_files_opts_t o = {NULL, 0, 4096, AO_START_END, 0};
  assert_null(ao_files_create(&o, &err));
  const char *empty[] = {""};
  o.patterns = empty;
  o.npatterns = 1;
  assert_null(ao_files_create(&o, &err));
  const char *one[] = {"/x"};
  o.patterns = one;
  o.max_line = 10;
  assert_null(ao_files_create(&o, &err));
  ao_files_destroy(NULL);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_several_files),
      T(test_glob),
      T(test_glob_nothing_yet),
      T(test_glob_matches_rotated_files),
      T(test_glob_known_files),
      T(test_same_file_twice),
      T(test_glob_copytruncate),
      T(test_restart),
      T(test_restart_file_gone),
      T(test_restart_file_removed_from_config),
      T(test_bad_records),
      T(test_too_many_files),
      T(test_budget_shared),
      cmocka_unit_test(test_create_errors),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
