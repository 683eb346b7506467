/*
 * test_state.c - the state file format and its atomic writes (ao_state).
 *
 * Every damaged file a crash, a full disk or a careless edit can leave
 * (reliability matrix B3) must be refused as a whole with a message that
 * says why; a good one must come back byte for byte.
 */
#include "ao_test.h"

#include "ao_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fx {
  char *dir;
  char *path;
} fx_t;

static int setup(void **state) {
  fx_t *fx = calloc(1, sizeof(*fx));
  fx->dir = ao_test_mkdtemp();
  fx->path = ao_test_path(fx->dir, "state-web");
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fx_t *fx = *state;
  chmod(fx->dir, 0700);
  ao_test_rmdir(fx->dir);
  free(fx->path);
  free(fx);
  return 0;
}

/* A state with a few records, one with a path that needs escaping. */
static void build(ao_state_buf_t *b, const char *log) {
  ao_state_begin(b, log);
  ao_state_printf(b, "file ");
  ao_state_put_str(b, "/var/log/my logs/access%.log\n");
  ao_state_printf(b, " cur 1 2 3 %016llx 4 5 6 0\n", 0xabcull);
  ao_state_printf(b, "counter lines_read %llu\n", 18446744073709551615ull);
  ao_state_end(b);
}

static void test_roundtrip(void **state) {
  fx_t *fx = *state;
  ao_state_buf_t b;
  ao_state_buf_init(&b);
  build(&b, "web");
  ao_err_t err = {{0}};
  assert_int_equal(ao_state_commit(fx->path, &b, &err), 0);
  struct stat st;
  assert_int_equal(stat(fx->path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);

  char *text = NULL;
  assert_int_equal(ao_state_load(fx->path, "web", &text, &err), 1);
  char *nl = strchr(text, '\n');
  assert_non_null(nl);
  *nl = '\0';
  char *argv[AO_STATE_MAX_FIELDS];
  int argc = ao_state_split(text, argv, AO_STATE_MAX_FIELDS);
  assert_int_equal(argc, 11);
  assert_string_equal(argv[0], "file");
  assert_null(strchr(argv[1], ' '));
  assert_int_equal(ao_state_unescape(argv[1]), 0);
  assert_string_equal(argv[1], "/var/log/my logs/access%.log\n");
  uint64_t v;
  assert_int_equal(ao_state_hex64(argv[6], &v), 0);
  assert_true(v == 0xabc);
  char *line2 = nl + 1;
  nl = strchr(line2, '\n');
  *nl = '\0';
  argc = ao_state_split(line2, argv, AO_STATE_MAX_FIELDS);
  assert_int_equal(argc, 3);
  assert_int_equal(ao_state_u64(argv[2], &v), 0);
  assert_true(v == UINT64_MAX);
  free(text);

  /* A second commit replaces the file; no temporary file is left. */
  build(&b, "web");
  assert_int_equal(ao_state_commit(fx->path, &b, &err), 0);
  char *tmp = ao_test_path(fx->dir, "state-web.tmp");
  assert_int_equal(access(tmp, F_OK), -1);
  free(tmp);
  ao_state_buf_free(&b);

  /* No file: 0, no error. */
  unlink(fx->path);
  assert_int_equal(ao_state_load(fx->path, "web", &text, &err), 0);
  assert_null(text);
}

/* Damaged files are refused as a whole, each with its reason. */
static void test_damaged_files(void **state) {
  fx_t *fx = *state;
  ao_state_buf_t b;
  ao_state_buf_init(&b);
  build(&b, "web");
  const char *good = b.p;
  size_t n = b.n;
  char *other_version = strdup(good);
  other_version[strlen(AO_STATE_MAGIC) + 1] = '9';
  char *flipped = strdup(good);
  flipped[40] ^= 1;
  char garbage[300];
  for (size_t i = 0; i < sizeof(garbage); i++)
    garbage[i] = (char)(1 + (i * 7 + 3) % 250);
  char zeros[64] = {0};

  struct {
    const char *what;
    const void *data;
    size_t len;
    const char *why;
  } cases[] = {
      {"empty", "", 0, "is empty"},
      {"truncated", good, n - 10, "is truncated"},
      {"cut after the header", good, 22, "is truncated"},
      {"one bit flipped", flipped, n, "checksum mismatch"},
      {"zero-filled (power loss)", zeros, sizeof(zeros), "NUL bytes"},
      {"garbage", garbage, sizeof(garbage), "not an attack_origin state"},
      {"another version", other_version, n, "another version"},
      {"text", "hello\nworld\n", 12, "not an attack_origin state"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    ao_test_write(fx->path, cases[i].data, cases[i].len);
    char *text = (char *)1;
    ao_err_t err = {{0}};
    assert_int_equal(ao_state_load(fx->path, "web", &text, &err), -1);
    assert_null(text);
    if (strstr(err.msg, cases[i].why) == NULL)
      fail_msg("%s: \"%s\"", cases[i].what, err.msg);
    assert_non_null(strstr(err.msg, fx->path));
  }
  /* Another Log's file. */
  ao_test_write(fx->path, good, n);
  char *text = NULL;
  ao_err_t err = {{0}};
  assert_int_equal(ao_state_load(fx->path, "api", &text, &err), -1);
  assert_non_null(strstr(err.msg, "belongs to another Log"));
  /* A directory where the file should be. */
  unlink(fx->path);
  assert_int_equal(mkdir(fx->path, 0700), 0);
  assert_int_equal(ao_state_load(fx->path, "web", &text, &err), -1);
  rmdir(fx->path);
  free(other_version);
  free(flipped);
  ao_state_buf_free(&b);
}

/* An unwritable place: a clear error, the old file intact, no debris. */
static void test_commit_failures(void **state) {
  fx_t *fx = *state;
  ao_state_buf_t b;
  ao_state_buf_init(&b);
  build(&b, "web");
  ao_err_t err = {{0}};
  char *missing = ao_test_path(fx->dir, "no/such/dir/state");
  assert_int_equal(ao_state_commit(missing, &b, &err), -1);
  assert_non_null(strstr(err.msg, "cannot write state file"));
  assert_non_null(strstr(err.msg, "no/such/dir/state"));
  assert_non_null(strstr(err.msg, strerror(ENOENT)));
  free(missing);

  /* A temporary file that is a symlink is not followed. */
  char *tmp = ao_test_path(fx->dir, "state-web.tmp");
  char *target = ao_test_path(fx->dir, "victim");
  ao_test_write(target, "precious", 8);
  assert_int_equal(symlink(target, tmp), 0);
  assert_int_equal(ao_state_commit(fx->path, &b, &err), -1);
  size_t len = 0;
  char *v = ao_test_slurp(target, &len);
  assert_int_equal(len, 8);
  free(v);
  unlink(tmp);
  free(tmp);
  free(target);

  /* An allocation failure recorded in the buffer refuses the commit. */
  b.failed = 1;
  assert_int_equal(ao_state_commit(fx->path, &b, &err), -1);
  assert_non_null(strstr(err.msg, "out of memory"));
  ao_state_buf_free(&b);
}

static void test_tokens(void **state) {
  (void)state;
  char line[] = "a b  c";
  char *argv[4];
  assert_int_equal(ao_state_split(line, argv, 4), -1); /* empty token */
  char l2[] = "a b c d e";
  assert_int_equal(ao_state_split(l2, argv, 4), -1); /* too many */
  char l3[] = "one";
  assert_int_equal(ao_state_split(l3, argv, 4), 1);
  char l4[] = "trailing ";
  assert_int_equal(ao_state_split(l4, argv, 4), -1);

  char e1[] = "%";
  assert_int_equal(ao_state_unescape(e1), 0);
  assert_string_equal(e1, "");
  char e2[] = "a%2";
  assert_int_equal(ao_state_unescape(e2), -1);
  char e3[] = "a%00b";
  assert_int_equal(ao_state_unescape(e3), -1);
  char e4[] = "%41%7e%25";
  assert_int_equal(ao_state_unescape(e4), 0);
  assert_string_equal(e4, "A~%");

  uint64_t v;
  assert_int_equal(ao_state_u64("18446744073709551616", &v), -1);
  assert_int_equal(ao_state_u64("-1", &v), -1);
  assert_int_equal(ao_state_u64("", &v), -1);
  assert_int_equal(ao_state_u64("12a", &v), -1);
  assert_int_equal(ao_state_u64("0", &v), 0);
  assert_int_equal(ao_state_hex64("12345678901234567", &v), -1);
  assert_int_equal(ao_state_hex64("fFfF", &v), 0);
  assert_true(v == 0xffff);
  assert_int_equal(ao_state_hex64("xyz", &v), -1);

  /* Every byte but NUL survives escaping. */
  char all[256];
  for (int i = 1; i < 256; i++)
    all[i - 1] = (char)i;
  all[255] = '\0';
  ao_state_buf_t b;
  ao_state_buf_init(&b);
  ao_state_put_str(&b, all);
  assert_null(strchr(b.p, ' '));
  assert_null(strchr(b.p, '\n'));
  assert_int_equal(ao_state_unescape(b.p), 0);
  assert_string_equal(b.p, all);
  ao_state_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_damaged_files, setup, teardown),
      cmocka_unit_test_setup_teardown(test_commit_failures, setup, teardown),
      cmocka_unit_test(test_tokens),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
