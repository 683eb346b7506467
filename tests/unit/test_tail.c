/*
 * test_tail.c - unit tests of ao_tail (follow a log file, yield its lines).
 *
 * Every test gets a fresh temporary directory (setup/teardown) holding the
 * followed file "log". Reads are driven explicitly: no test sleeps. Delivered
 * lines are recorded (with their lengths, so NUL bytes and empty lines are
 * seen) and compared with what was written.
 *
 * The oversized-line tests reproduce the collectd cu_tail line split: the
 * bytes after the length limit form a complete, valid-looking log line, which
 * must never be delivered.
 */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include "helpers/ao_test.h"

#include "ao_log.h"
#include "ao_tail.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Recording callback.                                                       */

typedef struct rec {
  char **line;
  size_t *len;
  size_t n, cap;
  size_t stop_at; /* return non-zero once n reaches this (0: never) */
  int stopped;    /* the callback asked to stop during the last read */
} rec_t;

static int rec_cb(void *ud, const char *line, size_t len) {
  rec_t *r = ud;
  if (r->n == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 16;
    r->line = realloc(r->line, r->cap * sizeof(*r->line));
    r->len = realloc(r->len, r->cap * sizeof(*r->len));
    assert_non_null(r->line);
    assert_non_null(r->len);
  }
  char *copy = malloc(len + 1);
  assert_non_null(copy);
  memcpy(copy, line, len);
  copy[len] = '\0';
  r->line[r->n] = copy;
  r->len[r->n] = len;
  r->n++;
  if (r->stop_at != 0 && r->n >= r->stop_at) {
    r->stopped = 1;
    return 1;
  }
  return 0;
}

static void rec_clear(rec_t *r) {
  for (size_t i = 0; i < r->n; i++)
    free(r->line[i]);
  free(r->line);
  free(r->len);
  memset(r, 0, sizeof(*r));
}

/* The end of rec_expect()'s list: a typed null pointer, as a variadic
 * sentinel must be (a bare NULL may be an int 0). */
#define REC_END ((const char *)NULL)

/* Asserts that exactly the REC_END-terminated list of lines was recorded
 * since the last rec_expect(), then forgets them. */
static void rec_expect(rec_t *r, ...) {
  va_list ap;
  va_start(ap, r);
  size_t i = 0;
  for (const char *want; (want = va_arg(ap, const char *)) != NULL; i++) {
    if (i >= r->n)
      fail_msg("line %zu missing: expected \"%s\"", i, want);
    if (r->len[i] != strlen(want) || memcmp(r->line[i], want, r->len[i]) != 0)
      fail_msg("line %zu: got \"%.80s\" (%zu bytes), expected \"%s\"", i,
               r->line[i], r->len[i], want);
  }
  va_end(ap);
  if (r->n != i)
    fail_msg("%zu lines recorded, expected %zu; first extra: \"%.60s\"", r->n,
             i, r->line[i]);
  size_t stop_at = r->stop_at;
  rec_clear(r);
  r->stop_at = stop_at;
}

/* ------------------------------------------------------------------------ */
/* Capturing log sink (complaints and their release).                        */

#define CAP_MAX 64
static char cap_msg[CAP_MAX][1024];
static int cap_level[CAP_MAX];
static int cap_n;

static void cap_log(void *ud, int level, const char *msg) {
  (void)ud;
  if (cap_n < CAP_MAX) {
    snprintf(cap_msg[cap_n], sizeof(cap_msg[cap_n]), "%s", msg);
    cap_level[cap_n] = level;
  }
  cap_n++;
}

/* ------------------------------------------------------------------------ */
/* Fixture.                                                                  */

typedef struct fx {
  char *dir;
  char *path;
  ao_tail_t *t;
  rec_t rec;
} fx_t;

static int setup(void **state) {
  fx_t *fx = calloc(1, sizeof(*fx));
  assert_non_null(fx);
  fx->dir = ao_test_mkdtemp();
  fx->path = ao_test_path(fx->dir, "log");
  cap_n = 0;
  ao_log_sink_t sink = {.log = cap_log};
  ao_log_set_sink(&sink);
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fx_t *fx = *state;
  ao_tail_destroy(fx->t);
  rec_clear(&fx->rec);
  /* A permission test may leave the file unreadable: rm needs no read
   * permission on it, only on the directory. */
  chmod(fx->dir, 0700);
  ao_test_rmdir(fx->dir);
  free(fx->path);
  free(fx);
  ao_log_set_sink(NULL);
  return 0;
}

static void open_tail(fx_t *fx, size_t max_line, ao_start_t start) {
  ao_err_t err = {{0}};
  fx->t = ao_tail_create(fx->path, max_line, start, &err);
  if (fx->t == NULL)
    fail_msg("ao_tail_create: %s", err.msg);
}

static int rd(fx_t *fx) {
  fx->rec.stopped = 0;
  return ao_tail_read(fx->t, rec_cb, &fx->rec);
}

static const ao_tail_stats_t *st(fx_t *fx) { return ao_tail_stats(fx->t); }

static char *side(fx_t *fx, const char *name) {
  return ao_test_path(fx->dir, name);
}

static void do_rename(fx_t *fx, const char *to) {
  char *p = side(fx, to);
  assert_int_equal(rename(fx->path, p), 0);
  free(p);
}

static void append_side(fx_t *fx, const char *name, const char *s) {
  char *p = side(fx, name);
  ao_test_append_str(p, s);
  free(p);
}

/* ------------------------------------------------------------------------ */
/* Arguments.                                                                */

static void test_create_rejects_bad_arguments(void **state) {
  fx_t *fx = *state;
  ao_err_t err = {{0}};
  assert_null(ao_tail_create(NULL, 4096, AO_START_END, &err));
  assert_null(ao_tail_create("", 4096, AO_START_END, &err));
  assert_null(
      ao_tail_create(fx->path, AO_MAX_LINE_MIN - 1, AO_START_END, &err));
  assert_non_null(strstr(err.msg, "out of range"));
  assert_null(ao_tail_create(fx->path, (size_t)AO_MAX_LINE_MAX + 1,
                             AO_START_END, &err));
  assert_null(ao_tail_create(fx->path, 4096, (ao_start_t)7, NULL));

  open_tail(fx, AO_MAX_LINE_MIN, AO_START_END);
  assert_string_equal(ao_tail_path(fx->t), fx->path);
  assert_int_equal(ao_tail_lag(fx->t), 0);
  ao_tail_destroy(NULL);
}

/* ------------------------------------------------------------------------ */
/* Appends and fragments.                                                    */

static void test_appends_over_several_reads(void **state) {
  fx_t *fx = *state;
  ao_test_write(fx->path, "", 0);
  open_tail(fx, 4096, AO_START_BEGINNING);

  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, REC_END);
  ao_test_append_str(fx->path, "one\ntwo\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "one", "two", REC_END);
  assert_int_equal(rd(fx), 0); /* nothing new */
  rec_expect(&fx->rec, REC_END);
  ao_test_append_str(fx->path, "three\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "three", REC_END);

  assert_int_equal(st(fx)->lines, 3);
  assert_int_equal(st(fx)->bytes, 14);
  assert_int_equal(st(fx)->errors, 0);
  assert_int_equal(st(fx)->rotations, 0);
  assert_int_equal(ao_tail_lag(fx->t), 0);
}

static void test_partial_line_held_across_three_reads(void **state) {
  fx_t *fx = *state;
  ao_test_write(fx->path, "a\nbeg", 5);
  open_tail(fx, 4096, AO_START_BEGINNING);

  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a", REC_END);
  ao_test_append_str(fx->path, "in");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, REC_END);
  ao_test_append_str(fx->path, "ning");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, REC_END);
  ao_test_append_str(fx->path, " end\nnext");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "beginning end", REC_END);
  assert_int_equal(st(fx)->lines, 2);
  assert_int_equal(st(fx)->partial_dropped, 0);
}

/* ------------------------------------------------------------------------ */
/* Start position.                                                           */

static void test_start_at_end_skips_existing_content(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "old1\nold2\n");
  open_tail(fx, 4096, AO_START_END);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, REC_END);
  ao_test_append_str(fx->path, "new\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "new", REC_END);
  assert_int_equal(st(fx)->lines, 1);
}

static void test_start_at_beginning_reads_existing_content(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "old1\nold2\n");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "old1", "old2", REC_END);
  ao_test_append_str(fx->path, "new\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "new", REC_END);
}

/* Starting at the end of a file whose last line is half written must not
 * deliver the rest of that line as if it were a line. */
static void test_start_at_end_inside_a_line_skips_its_rest(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "old\nhalf a li");
  open_tail(fx, 4096, AO_START_END);
  assert_int_equal(rd(fx), 0);
  ao_test_append_str(fx->path, "ne\nnew\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "new", REC_END);
  assert_int_equal(st(fx)->lines, 1);
  assert_int_equal(st(fx)->oversized, 0);
  assert_int_equal(st(fx)->partial_dropped, 0);
}

/* A file missing at the first read is read from its start when it appears,
 * even under AO_START_END; the fault is complained about once. */
static void test_missing_at_first_read_then_appears(void **state) {
  fx_t *fx = *state;
  open_tail(fx, 4096, AO_START_END);
  for (int i = 0; i < 3; i++)
    assert_int_equal(rd(fx), -1);
  assert_int_equal(cap_n, 1);
  assert_non_null(strstr(cap_msg[0], fx->path));
  assert_non_null(strstr(cap_msg[0], strerror(ENOENT)));
  assert_int_equal(st(fx)->errors, 3);
  assert_int_equal(ao_tail_lag(fx->t), 0);

  ao_test_append_str(fx->path, "first\nsecond\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "first", "second", REC_END);
  assert_int_equal(cap_n, 2); /* the recovery, once */
  assert_non_null(strstr(cap_msg[1], fx->path));
  assert_int_equal(st(fx)->rotations, 0);

  assert_int_equal(rd(fx), 0);
  assert_int_equal(cap_n, 2);
}

/* ------------------------------------------------------------------------ */
/* Rotation.                                                                 */

/* Lines written to the old file after the rename but before the read (a
 * writer that has not reopened yet) are counted, then the new file is read
 * from 0, in the same call. */
static void test_rename_rotation_drains_late_writes(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "a1\n");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a1", REC_END);

  ao_test_append_str(fx->path, "a2\n");
  do_rename(fx, "log.1");
  append_side(fx, "log.1", "a3\na4\n"); /* late writer, old inode */
  ao_test_append_str(fx->path, "b1\nb2\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a2", "a3", "a4", "b1", "b2", REC_END);
  assert_int_equal(st(fx)->rotations, 1);
  assert_int_equal(st(fx)->partial_dropped, 0);
  assert_int_equal(st(fx)->lines, 6);

  ao_test_append_str(fx->path, "b3\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "b3", REC_END);
  assert_int_equal(st(fx)->rotations, 1);
}

/* A fragment at the end of the rotated-away file is dropped and counted; it
 * is never glued to the new file's first line. */
static void test_rotation_drops_trailing_fragment(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "a1\nfrag");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a1", REC_END);

  append_side(fx, "log", "ment"); /* still no newline */
  do_rename(fx, "log.1");
  ao_test_append_str(fx->path, "b1\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "b1", REC_END);
  assert_int_equal(st(fx)->partial_dropped, 1);
  assert_int_equal(st(fx)->rotations, 1);

  /* Completing the fragment in the old file now is too late: it is closed. */
  append_side(fx, "log.1", "\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, REC_END);
  assert_int_equal(st(fx)->partial_dropped, 1);
}

/* Path missing after a rename: the old file keeps being drained; the new
 * file, created later, is read from its start. */
static void test_rename_without_create_then_create(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "a1\n");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a1", REC_END);

  ao_test_append_str(fx->path, "a2\n");
  do_rename(fx, "log.1");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a2", REC_END);
  append_side(fx, "log.1", "a3\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a3", REC_END);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(st(fx)->rotations, 0);
  assert_int_equal(st(fx)->errors, 0);
  assert_int_equal(cap_n, 1); /* one notice for the state change */

  append_side(fx, "log.1", "a4\n");
  ao_test_append_str(fx->path, "b1\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a4", "b1", REC_END);
  assert_int_equal(st(fx)->rotations, 1);
  assert_int_equal(cap_n, 2); /* and one when the new file appeared */
}

/* Delete + recreate at the same path. The fd held open keeps the old inode
 * alive, so the new file cannot get its number: (dev, ino) differ. */
static void test_delete_and_recreate(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "a1\n");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a1", REC_END);

  ao_test_append_str(fx->path, "a2\n");
  assert_int_equal(unlink(fx->path), 0);
  assert_int_equal(rd(fx), 0); /* drains the deleted file */
  rec_expect(&fx->rec, "a2", REC_END);

  ao_test_append_str(fx->path, "b1\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "b1", REC_END);
  assert_int_equal(st(fx)->rotations, 1);

  /* Deleted and recreated between two reads, with more content than the
   * old offset: still the new file, from its start. */
  assert_int_equal(unlink(fx->path), 0);
  ao_test_append_str(fx->path, "c1 longer than before\nc2\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "c1 longer than before", "c2", REC_END);
  assert_int_equal(st(fx)->rotations, 2);
  assert_int_equal(st(fx)->truncations, 0);
}

/* ------------------------------------------------------------------------ */
/* Truncation.                                                               */

static void test_truncate_to_zero_then_fewer_bytes(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "line one\nline two\n");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "line one", "line two", REC_END);

  assert_int_equal(truncate(fx->path, 0), 0);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, REC_END);
  assert_int_equal(st(fx)->truncations, 1);
  ao_test_append_str(fx->path, "n1 is longer\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "n1 is longer", REC_END);

  /* cat /dev/null > log; echo ... >> log, between two reads. (Rewriting at
   * least as many bytes as were read is not seen by a size check: that is
   * the copytruncate marker's job, a later issue.) */
  ao_test_write(fx->path, "n2\n", 3);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "n2", REC_END);
  assert_int_equal(st(fx)->truncations, 2);
  assert_int_equal(st(fx)->rotations, 0);
}

static void test_truncate_to_shorter_content(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "a fairly long first line\nand a second\npart");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a fairly long first line", "and a second", REC_END);

  ao_test_write(fx->path, "x1\nx2\n", 6);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "x1", "x2", REC_END);
  assert_int_equal(st(fx)->truncations, 1);
  assert_int_equal(st(fx)->partial_dropped, 1); /* "part" */
  assert_int_equal(ao_tail_lag(fx->t), 0);
}

/* ------------------------------------------------------------------------ */
/* Oversized lines.                                                          */

static void test_oversized_boundaries(void **state) {
  fx_t *fx = *state;
  const size_t max = 256;
  char *buf = malloc(4 * max);
  assert_non_null(buf);
  ao_test_write(fx->path, "", 0);
  open_tail(fx, max, AO_START_BEGINNING);

  /* Exactly max bytes: accepted, with "\n" and with "\r\n". */
  memset(buf, 'a', max);
  buf[max] = '\n';
  ao_test_append(fx->path, buf, max + 1);
  buf[max] = '\r';
  buf[max + 1] = '\n';
  ao_test_append(fx->path, buf, max + 2);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->rec.n, 2);
  assert_int_equal(fx->rec.len[0], max);
  assert_int_equal(fx->rec.len[1], max);
  rec_clear(&fx->rec);

  /* max + 1 bytes: oversized, with "\n", with "\r\n", and with "x\r\r\n". */
  memset(buf, 'b', max + 1);
  buf[max + 1] = '\n';
  ao_test_append(fx->path, buf, max + 2);
  buf[max + 1] = '\r';
  buf[max + 2] = '\n';
  ao_test_append(fx->path, buf, max + 3);
  memset(buf, 'c', max);
  buf[max] = '\r';
  buf[max + 1] = '\r';
  buf[max + 2] = '\n';
  ao_test_append(fx->path, buf, max + 3);
  ao_test_append_str(fx->path, "ok\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "ok", REC_END);
  assert_int_equal(st(fx)->oversized, 3);
  assert_int_equal(st(fx)->lines, 3);

  /* A fragment of exactly max bytes + "\r" is held, not judged early. */
  memset(buf, 'd', max);
  buf[max] = '\r';
  ao_test_append(fx->path, buf, max + 1);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(st(fx)->oversized, 3);
  ao_test_append_str(fx->path, "\n");
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->rec.n, 1);
  assert_int_equal(fx->rec.len[0], max);
  rec_clear(&fx->rec);
  free(buf);
}

/* Builds a line of `total` bytes (without newline) whose bytes after `max`
 * are `fake`, a complete, valid-looking log line. */
static char *make_injection(size_t total, size_t max, const char *fake) {
  size_t flen = strlen(fake);
  assert_true(total >= max + flen);
  char *line = malloc(total + 1);
  assert_non_null(line);
  memset(line, 'A', total);
  memcpy(line + total - flen, fake, flen);
  line[total] = '\n';
  return line;
}

#define FAKE                                                                   \
  "6.6.6.6 - - [01/Jan/2025:00:00:00 +0000] \"GET /etc/passwd HTTP/1.1\" 200 " \
  "1 \"-\" \"x\""

/* The cu_tail line split: the tail of an oversized line forms a complete
 * line. Written at once and split over reads at the worst places. */
static void check_injection(fx_t *fx, size_t total) {
  const size_t max = 4096;
  size_t flen = strlen(FAKE);
  char *line = make_injection(total, max, FAKE);
  ao_test_write(fx->path, "", 0);
  open_tail(fx, max, AO_START_BEGINNING);

  /* 1. In one write. */
  ao_test_append_str(fx->path, "before\n");
  ao_test_append(fx->path, line, total + 1);
  ao_test_append_str(fx->path, "after\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "before", "after", REC_END);

  /* 2. Over reads: up to the limit, then the rest but the newline, then the
   *    fake line's start alone, then the newline. */
  size_t cut[] = {max, total - flen, total - flen + 3, total};
  size_t from = 0;
  for (size_t i = 0; i < AO_ARRAY_SIZE(cut); i++) {
    ao_test_append(fx->path, line + from, cut[i] - from);
    from = cut[i];
    assert_int_equal(rd(fx), 0);
    rec_expect(&fx->rec, REC_END);
  }
  ao_test_append_str(fx->path, "\nafter2\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "after2", REC_END);

  /* 3. Exactly at the limit the fake line starts in the next read: the part
   *    read so far is max bytes (not yet oversized), then the rest. */
  ao_test_append(fx->path, line, max);
  assert_int_equal(rd(fx), 0);
  ao_test_append(fx->path, line + max, total + 1 - max);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, REC_END);

  assert_int_equal(st(fx)->oversized, 3);
  assert_int_equal(st(fx)->lines, 3);
  assert_int_equal(st(fx)->partial_dropped, 0);
  assert_int_equal(ao_tail_lag(fx->t), 0);
  free(line);
}

static void test_oversized_injection_limit_plus_one(void **state) {
  fx_t *fx = *state;
  /* max + 1 bytes in all: the "line" after the limit is a single byte that
   * would be a valid one-byte line. */
  const size_t max = 4096;
  char *line = make_injection(max + 1, max, "Z");
  ao_test_write(fx->path, "", 0);
  open_tail(fx, max, AO_START_BEGINNING);
  ao_test_append(fx->path, line, max);
  assert_int_equal(rd(fx), 0);
  ao_test_append(fx->path, line + max, 2);
  ao_test_append_str(fx->path, "next\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "next", REC_END);
  assert_int_equal(st(fx)->oversized, 1);
  free(line);

  /* And with a fake log line right after the limit. */
  ao_tail_destroy(fx->t);
  fx->t = NULL;
  check_injection(fx, max + strlen(FAKE));
}

static void test_oversized_injection_64k(void **state) {
  check_injection(*state, 64 * 1024);
}

static void test_oversized_injection_1m(void **state) {
  check_injection(*state, 1024 * 1024);
}

/* A long line within a large limit arrives in pieces and is delivered whole. */
static void test_long_line_within_limit(void **state) {
  fx_t *fx = *state;
  const size_t total = 1024 * 1024 + 17;
  char *line = malloc(total + 1);
  assert_non_null(line);
  for (size_t i = 0; i < total; i++)
    line[i] = (char)('a' + i % 26);
  line[total] = '\n';
  ao_test_write(fx->path, "", 0);
  open_tail(fx, 2 * 1024 * 1024, AO_START_BEGINNING);
  ao_test_append(fx->path, line, 100000);
  assert_int_equal(rd(fx), 0);
  ao_test_append(fx->path, line + 100000, total - 100000);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->rec.n, 0);
  ao_test_append(fx->path, line + total, 1);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->rec.n, 1);
  assert_int_equal(fx->rec.len[0], total);
  assert_memory_equal(fx->rec.line[0], line, total);
  assert_int_equal(st(fx)->oversized, 0);
  free(line);
}

/* ------------------------------------------------------------------------ */
/* Line content.                                                             */

static void test_crlf_strips_exactly_one_cr(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "a\r\nb\r\r\n\r\nc\rd\n\r\r\n");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a", "b\r", "", "c\rd", "\r", REC_END);
}

static void test_nul_bytes_inside_lines(void **state) {
  fx_t *fx = *state;
  ao_test_append(fx->path, "a\0b\n\0\n", 6);
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(fx->rec.n, 2);
  assert_int_equal(fx->rec.len[0], 3);
  assert_memory_equal(fx->rec.line[0], "a\0b", 3);
  assert_int_equal(fx->rec.len[1], 1);
  assert_int_equal(fx->rec.line[1][0], '\0');
}

static void test_empty_lines_are_delivered(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "\n\nx\n\n");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "", "", "x", "", REC_END);
  assert_int_equal(st(fx)->lines, 4);
}

/* ------------------------------------------------------------------------ */
/* Callback control and lag.                                                 */

static void test_callback_stops_early_then_resumes(void **state) {
  fx_t *fx = *state;
  ao_test_append_str(fx->path, "l1\nl2\nl3\nl4\nl5\n");
  open_tail(fx, 4096, AO_START_BEGINNING);
  fx->rec.stop_at = 2;
  assert_int_equal(rd(fx), 0);
  assert_true(fx->rec.stopped);
  rec_expect(&fx->rec, "l1", "l2", REC_END);
  assert_int_equal(st(fx)->lines, 2);
  assert_int_equal(ao_tail_lag(fx->t), 9); /* "l3\nl4\nl5\n" */

  /* Stops again after one line; meanwhile a line and a fragment arrive. */
  fx->rec.stop_at = 1;
  ao_test_append_str(fx->path, "l6\nl7-");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "l3", REC_END);

  /* Rotation while lines are still buffered: they are delivered first, then
   * the old file's rest, then the new file. */
  ao_test_append_str(fx->path, "end\n");
  do_rename(fx, "log.1");
  ao_test_append_str(fx->path, "n1\n");
  fx->rec.stop_at = 0;
  assert_int_equal(rd(fx), 0);
  assert_false(fx->rec.stopped);
  rec_expect(&fx->rec, "l4", "l5", "l6", "l7-end", "n1", REC_END);
  assert_int_equal(st(fx)->lines, 8);
  assert_int_equal(st(fx)->rotations, 1);
  assert_int_equal(ao_tail_lag(fx->t), 0);
}

static void test_lag(void **state) {
  fx_t *fx = *state;
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(ao_tail_lag(fx->t), 0); /* not open */
  ao_test_append_str(fx->path, "0123456789\n0123456789\n0123456789\n");
  fx->rec.stop_at = 1;
  assert_int_equal(rd(fx), 0);
  assert_int_equal(ao_tail_lag(fx->t), 22);
  fx->rec.stop_at = 0;
  assert_int_equal(rd(fx), 0);
  assert_int_equal(ao_tail_lag(fx->t), 0);
  /* A fragment waiting for its newline is not consumed yet. */
  ao_test_append_str(fx->path, "abc");
  assert_int_equal(rd(fx), 0);
  assert_int_equal(ao_tail_lag(fx->t), 3);
  /* As of the last read: appends since do not count. */
  ao_test_append_str(fx->path, "def\n");
  assert_int_equal(ao_tail_lag(fx->t), 3);
  assert_int_equal(rd(fx), 0);
  assert_int_equal(ao_tail_lag(fx->t), 0);
  rec_expect(&fx->rec, "0123456789", "0123456789", "0123456789", "abcdef",
             REC_END);
}

/* Offsets beyond 4 GiB (a sparse file): no 32-bit truncation anywhere. */
static void test_offsets_beyond_4gib(void **state) {
  fx_t *fx = *state;
  const off_t big = (off_t)5 * 1024 * 1024 * 1024;
  int fd = open(fx->path, O_WRONLY | O_CREAT, 0644);
  assert_true(fd >= 0);
  assert_int_equal(pwrite(fd, "head\n", 5, 0), 5);
  int rc = ftruncate(fd, big - 1);
  int e = errno;
  if (rc == 0)
    assert_int_equal(pwrite(fd, "\n", 1, big - 1), 1);
  close(fd);
  if (rc != 0) {
    print_message("no sparse 5 GiB file here: %s\n", strerror(e));
    skip();
  }

  /* From the start, stopping after the first line: the lag is > 4 GiB. */
  ao_err_t err = {{0}};
  ao_tail_t *t2 = ao_tail_create(fx->path, 4096, AO_START_BEGINNING, &err);
  assert_non_null(t2);
  rec_t r = {.stop_at = 1};
  assert_int_equal(ao_tail_read(t2, rec_cb, &r), 0);
  rec_expect(&r, "head", REC_END);
  assert_true(ao_tail_lag(t2) == (uint64_t)big - 5);
  ao_tail_destroy(t2);

  /* From the end, then appends and a truncation far past 4 GiB. */
  open_tail(fx, 4096, AO_START_END);
  assert_int_equal(rd(fx), 0);
  ao_test_append_str(fx->path, "far\nfrag");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "far", REC_END);
  assert_int_equal(ao_tail_lag(fx->t), 4);
  assert_int_equal(truncate(fx->path, 5), 0);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "head", REC_END);
  assert_int_equal(st(fx)->truncations, 1);
  assert_int_equal(st(fx)->partial_dropped, 1);
  assert_int_equal(ao_tail_lag(fx->t), 0);
}

/* ------------------------------------------------------------------------ */
/* Whole streams.                                                            */

static void test_scan_fd_pipe_last_line_without_newline(void **state) {
  (void)state;
  const size_t max = 4096;
  /* Enough data to overflow the pipe buffer and the read chunk, written by a
   * child: lines with sequence numbers, an injection, a last line without
   * its newline. */
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    FILE *f = fdopen(p[1], "w");
    if (f == NULL)
      _exit(1);
    for (int i = 0; i < 20000; i++) {
      fprintf(f, "seq %d\r\n", i);
      if (i == 777) {
        for (size_t k = 0; k < max + 10; k++)
          fputc('A', f);
        fputs("seq 778\n", f); /* fake tail */
      }
    }
    fputs("last", f);
    fclose(f);
    _exit(0);
  }
  close(p[1]);

  rec_t r = {0};
  ao_tail_stats_t s = {0};
  s.lines = 1000; /* added to, not overwritten */
  assert_int_equal(ao_lines_scan_fd(p[0], max, rec_cb, &r, &s), 0);
  close(p[0]);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  assert_int_equal(r.n, 20001);
  for (int i = 0; i < 20000; i++) {
    char want[32];
    snprintf(want, sizeof(want), "seq %d", i);
    if (strcmp(r.line[i], want) != 0)
      fail_msg("line %d: \"%s\"", i, r.line[i]);
  }
  assert_string_equal(r.line[20000], "last");
  assert_int_equal(s.lines, 1000 + 20001);
  assert_int_equal(s.oversized, 1);
  rec_clear(&r);
}

static void test_scan_fd_edge_cases(void **state) {
  fx_t *fx = *state;
  rec_t r = {0};
  ao_tail_stats_t s = {0};

  /* Oversized last line without newline; CR stripped from the last line. */
  char *big = malloc(300);
  assert_non_null(big);
  memset(big, 'x', 300);
  ao_test_write(fx->path, big, 300);
  int fd = open(fx->path, O_RDONLY);
  assert_true(fd >= 0);
  assert_int_equal(ao_lines_scan_fd(fd, 256, rec_cb, &r, &s), 0);
  close(fd);
  assert_int_equal(r.n, 0);
  assert_int_equal(s.oversized, 1);
  ao_test_write(fx->path, "a\nb\r", 4);
  fd = open(fx->path, O_RDONLY);
  assert_true(fd >= 0);
  assert_int_equal(ao_lines_scan_fd(fd, 256, rec_cb, &r, NULL), 0);
  close(fd);
  rec_expect(&r, "a", "b", REC_END);

  /* Stop early. */
  ao_test_write(fx->path, "1\n2\n3", 5);
  fd = open(fx->path, O_RDONLY);
  assert_true(fd >= 0);
  r.stop_at = 2;
  assert_int_equal(ao_lines_scan_fd(fd, 256, rec_cb, &r, NULL), 0);
  close(fd);
  rec_expect(&r, "1", "2", REC_END);

  /* Errors. */
  errno = 0;
  assert_int_equal(ao_lines_scan_fd(0, 10, rec_cb, &r, NULL), -1);
  assert_int_equal(errno, EINVAL);
  errno = 0;
  assert_int_equal(ao_lines_scan_fd(-1, 256, rec_cb, &r, &s), -1);
  assert_int_equal(errno, EBADF);
  assert_int_equal(s.errors, 1);
  rec_clear(&r);
  free(big);
}

/* ------------------------------------------------------------------------ */
/* Permissions.                                                              */

static void skip_if_root(void) {
  if (geteuid() == 0) {
    print_message("running as root, which bypasses file permissions\n");
    skip();
  }
}

static void test_permission_denied_then_fixed(void **state) {
  fx_t *fx = *state;
  skip_if_root();
  ao_test_append_str(fx->path, "old1\n");
  assert_int_equal(chmod(fx->path, 0200), 0); /* writable, not readable */
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), -1);
  assert_int_equal(rd(fx), -1);
  assert_int_equal(cap_n, 1);
  assert_non_null(strstr(cap_msg[0], fx->path));
  assert_non_null(strstr(cap_msg[0], strerror(EACCES)));
  assert_int_equal(st(fx)->errors, 2);

  ao_test_append_str(fx->path, "old2\n");
  assert_int_equal(chmod(fx->path, 0644), 0);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "old1", "old2", REC_END);
  assert_int_equal(cap_n, 2); /* recovery logged once */
}

/* Under AO_START_END, a file unreadable at the first read: what it held then
 * is skipped, what was appended while it was unreadable is read. */
static void test_permission_denied_start_end_resumes(void **state) {
  fx_t *fx = *state;
  skip_if_root();
  ao_test_append_str(fx->path, "history\n");
  assert_int_equal(chmod(fx->path, 0200), 0);
  open_tail(fx, 4096, AO_START_END);
  assert_int_equal(rd(fx), -1);
  ao_test_append_str(fx->path, "meanwhile\n");
  assert_int_equal(chmod(fx->path, 0644), 0);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "meanwhile", REC_END);
}

/* Rotation to a file we may not read: keep draining the old one, complain,
 * switch when the permission is fixed. */
static void test_permission_denied_after_rotation(void **state) {
  fx_t *fx = *state;
  skip_if_root();
  ao_test_append_str(fx->path, "a1\n");
  open_tail(fx, 4096, AO_START_BEGINNING);
  assert_int_equal(rd(fx), 0);
  do_rename(fx, "log.1");
  ao_test_append_str(fx->path, "b1\n");
  assert_int_equal(chmod(fx->path, 0), 0);
  append_side(fx, "log.1", "a2\n");
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "a1", "a2", REC_END);
  assert_int_equal(cap_n, 1);
  assert_non_null(strstr(cap_msg[0], strerror(EACCES)));
  assert_int_equal(rd(fx), 0);
  assert_int_equal(cap_n, 1);
  assert_int_equal(st(fx)->rotations, 0);

  assert_int_equal(chmod(fx->path, 0644), 0);
  assert_int_equal(rd(fx), 0);
  rec_expect(&fx->rec, "b1", REC_END);
  assert_int_equal(st(fx)->rotations, 1);
  assert_int_equal(cap_n, 2);
}

/* ------------------------------------------------------------------------ */
/* Property test: a random writer/rotator against a model.                   */

typedef struct model {
  fx_t *fx;
  uint64_t rng;
  uint64_t cb_rng;
  unsigned next_seq;
  unsigned *want; /* sequence numbers in delivery order */
  size_t nwant, capwant;
  size_t got; /* how many of want were delivered */
  int frag;   /* a line is partly written */
  unsigned frag_seq;
  size_t frag_done; /* bytes of it written */
} model_t;

static uint64_t rnd(uint64_t *s) { /* xorshift64*, fixed seed: reproducible */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static size_t rnd_below(uint64_t *s, size_t n) { return (size_t)(rnd(s) % n); }

/* The text of line seq (without its newline): "L<seq> " and a payload that
 * depends on seq, so a glued, cut or invented line cannot pass the check. */
static size_t seq_line(unsigned seq, char *buf, size_t cap) {
  int n = snprintf(buf, cap, "L%u ", seq);
  size_t len = (size_t)n + (seq * 7919u) % 150u;
  assert_true(len < cap);
  for (size_t i = (size_t)n; i < len; i++)
    buf[i] = (char)('a' + (seq + i) % 26);
  return len;
}

static void want_push(model_t *m, unsigned seq) {
  if (m->nwant == m->capwant) {
    m->capwant = m->capwant ? m->capwant * 2 : 1024;
    m->want = realloc(m->want, m->capwant * sizeof(*m->want));
    assert_non_null(m->want);
  }
  m->want[m->nwant++] = seq;
}

static int model_cb(void *ud, const char *line, size_t len) {
  model_t *m = ud;
  if (m->got >= m->nwant)
    fail_msg("bogus or duplicate line after %zu good ones: \"%.*s\"", m->got,
             (int)(len > 80 ? 80 : len), line);
  char want[256];
  size_t wlen = seq_line(m->want[m->got], want, sizeof(want));
  if (len != wlen || memcmp(line, want, len) != 0)
    fail_msg("line %zu: expected seq %u, got \"%.*s\" (%zu bytes)", m->got,
             m->want[m->got], (int)(len > 80 ? 80 : len), line, len);
  m->got++;
  /* Stop early now and then, to exercise resuming from the buffer. */
  if (rnd_below(&m->cb_rng, 16) == 0) {
    m->fx->rec.stopped = 1;
    return 1;
  }
  return 0;
}

static void test_random_model(void **state) {
  fx_t *fx = *state;
  const size_t max = 256;
  model_t m = {.fx = fx, .rng = 0x9e3779b97f4a7c15ull, .cb_rng = 42};
  uint64_t exp_oversized = 0, exp_dropped = 0, exp_rotations = 0;
  int synced = 0;    /* the tailer follows the file the path names */
  int have_path = 1; /* the path exists */
  unsigned rotation_no = 0;
  char line[512];
  char big[2048];

  ao_test_write(fx->path, "", 0);
  open_tail(fx, max, AO_START_BEGINNING);

  for (int step = 0; step < 5000; step++) {
    size_t op = rnd_below(&m.rng, 100);
    if (op < 30) { /* append 1..4 complete lines (finishing a fragment) */
      char out[2048];
      size_t n = 0;
      if (m.frag) {
        size_t len = seq_line(m.frag_seq, line, sizeof(line));
        memcpy(out, line + m.frag_done, len - m.frag_done);
        n = len - m.frag_done;
        out[n++] = '\n';
        want_push(&m, m.frag_seq);
        m.frag = 0;
      }
      size_t k = 1 + rnd_below(&m.rng, 4);
      for (size_t i = 0; i < k; i++) {
        unsigned seq = m.next_seq++;
        size_t len = seq_line(seq, line, sizeof(line));
        memcpy(out + n, line, len);
        n += len;
        out[n++] = '\n';
        want_push(&m, seq);
      }
      ao_test_append(fx->path, out, n);
      have_path = 1;
    } else if (op < 45) { /* start or extend a fragment */
      if (!m.frag) {
        m.frag = 1;
        m.frag_seq = m.next_seq++;
        m.frag_done = 0;
      }
      size_t len = seq_line(m.frag_seq, line, sizeof(line));
      if (m.frag_done < len) {
        size_t more = 1 + rnd_below(&m.rng, len - m.frag_done);
        ao_test_append(fx->path, line + m.frag_done, more);
        m.frag_done += more;
        have_path = 1;
      }
    } else if (op < 50 && !m.frag) { /* an oversized line with a fake tail */
      unsigned fake = m.next_seq;    /* looks exactly like the next line */
      size_t flen = seq_line(fake, line, sizeof(line));
      size_t pad = max + 1 + rnd_below(&m.rng, 300);
      memset(big, 'Z', pad);
      memcpy(big + pad, line, flen);
      big[pad + flen] = '\n';
      ao_test_append(fx->path, big, pad + flen + 1);
      exp_oversized++;
      have_path = 1;
    } else if (op < 56 && synced && have_path) { /* rotate */
      char name[32];
      snprintf(name, sizeof(name), "log.%u", ++rotation_no);
      if (rnd_below(&m.rng, 5) == 0) { /* delete (+ maybe recreate) */
        assert_int_equal(unlink(fx->path), 0);
      } else { /* rename */
        do_rename(fx, name);
        /* A writer that has not reopened yet may finish its line and write
         * more lines to the old file. */
        if (rnd_below(&m.rng, 2)) {
          char *p = side(fx, name);
          if (m.frag) {
            size_t len = seq_line(m.frag_seq, line, sizeof(line));
            line[len] = '\n';
            ao_test_append(p, line + m.frag_done, len + 1 - m.frag_done);
            want_push(&m, m.frag_seq);
            m.frag = 0;
          }
          for (size_t i = rnd_below(&m.rng, 3); i > 0; i--) {
            unsigned seq = m.next_seq++;
            size_t len = seq_line(seq, line, sizeof(line));
            line[len] = '\n';
            ao_test_append(p, line, len + 1);
            want_push(&m, seq);
          }
          free(p);
        }
      }
      if (m.frag) /* left without newline in the old file: documented drop */
        exp_dropped++;
      m.frag = 0;
      exp_rotations++;
      synced = 0;
      have_path = 0;
      if (rnd_below(&m.rng, 3) != 0) { /* logrotate "create" */
        ao_test_write(fx->path, "", 0);
        have_path = 1;
      }
    } else { /* read */
      fx->rec.stopped = 0;
      assert_int_equal(ao_tail_read(fx->t, model_cb, &m), 0);
      if (!fx->rec.stopped && have_path)
        synced = 1;
    }
  }

  /* Finish the last line, then read until a read completes. */
  if (m.frag) {
    size_t len = seq_line(m.frag_seq, line, sizeof(line));
    line[len] = '\n';
    ao_test_append(fx->path, line + m.frag_done, len + 1 - m.frag_done);
    want_push(&m, m.frag_seq);
  }
  for (int i = 0; i < 100000; i++) {
    fx->rec.stopped = 0;
    assert_int_equal(ao_tail_read(fx->t, model_cb, &m), 0);
    if (!fx->rec.stopped)
      break;
  }

  print_message("model: %zu lines, %u rotations, %" PRIu64 " oversized, "
                "%" PRIu64 " fragments dropped\n",
                m.nwant, rotation_no, exp_oversized, exp_dropped);
  assert_int_equal(m.got, m.nwant); /* none missing */
  assert_true(m.nwant > 3000);
  assert_true(exp_rotations > 50);
  assert_true(exp_dropped > 0);
  assert_int_equal(st(fx)->lines, m.nwant);
  assert_int_equal(st(fx)->oversized, exp_oversized);
  assert_int_equal(st(fx)->partial_dropped, exp_dropped);
  assert_int_equal(st(fx)->rotations, exp_rotations);
  assert_int_equal(st(fx)->truncations, 0);
  assert_int_equal(st(fx)->errors, 0);
  assert_int_equal(ao_tail_lag(fx->t), 0);
  free(m.want);
}

int main(void) {
  /* A child of the scan test may outlive a failed assertion; never let a
   * closed pipe kill the runner. */
  signal(SIGPIPE, SIG_IGN);
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_create_rejects_bad_arguments),
      T(test_appends_over_several_reads),
      T(test_partial_line_held_across_three_reads),
      T(test_start_at_end_skips_existing_content),
      T(test_start_at_beginning_reads_existing_content),
      T(test_start_at_end_inside_a_line_skips_its_rest),
      T(test_missing_at_first_read_then_appears),
      T(test_rename_rotation_drains_late_writes),
      T(test_rotation_drops_trailing_fragment),
      T(test_rename_without_create_then_create),
      T(test_delete_and_recreate),
      T(test_truncate_to_zero_then_fewer_bytes),
      T(test_truncate_to_shorter_content),
      T(test_oversized_boundaries),
      T(test_oversized_injection_limit_plus_one),
      T(test_oversized_injection_64k),
      T(test_oversized_injection_1m),
      T(test_long_line_within_limit),
      T(test_crlf_strips_exactly_one_cr),
      T(test_nul_bytes_inside_lines),
      T(test_empty_lines_are_delivered),
      T(test_callback_stops_early_then_resumes),
      T(test_lag),
      T(test_offsets_beyond_4gib),
      T(test_scan_fd_pipe_last_line_without_newline),
      T(test_scan_fd_edge_cases),
      T(test_permission_denied_then_fixed),
      T(test_permission_denied_start_end_resumes),
      T(test_permission_denied_after_rotation),
      T(test_random_model),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
