/*
 * ao_journal.c - read systemd's journal (see ao_journal.h).
 *
 * Design notes
 *
 *   The sd_journal handle is opened lazily at the first read and reopened
 *   after an error, always at `cursor`, the cursor of the last entry handed
 *   to the callback (fetched once per read, not per entry: sd-journal
 *   allocates cursor strings). Between reads the handle stays positioned on
 *   that entry; sd_journal_next() returning 0 does not move it, so the next
 *   read starts right after it.
 *
 *   MESSAGE is read with sd_journal_get_data() into sd-journal's mapping:
 *   no copy, no allocation per entry. The data threshold is raised to
 *   max_line + the "MESSAGE=" prefix + 1, so a longer message comes back cut
 *   at the threshold and is recognised as oversized.
 */
#include "ao_journal.h"

#include "ao_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef AO_HAVE_SYSTEMD
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#endif

typedef enum pos_kind {
  POS_NONE = 0, /* nothing known: StartAt decides at the first open */
  POS_HEAD,     /* before the first entry */
  POS_CURSOR,   /* after the entry `cursor` names */
} pos_kind_t;

struct ao_journal {
  char *path;
  char **matches;
  size_t nmatches;
  size_t max_line;
  ao_start_t start;

  pos_kind_t pos;
  char *cursor;
  int opened_once; /* an open was attempted */

  /* Staged restore. */
  int staged;
  pos_kind_t staged_pos;
  char *staged_cursor;

  ao_tail_stats_t stats;
  ao_complaint_t c_open;
  ao_complaint_t c_read;
#ifdef AO_HAVE_SYSTEMD
  sd_journal *j;
#endif
};

int ao_journal_available(void) {
#ifdef AO_HAVE_SYSTEMD
  return 1;
#else
  return 0;
#endif
}

static void free_strings(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

ao_journal_t *ao_journal_create(const ao_journal_opts_t *o, ao_err_t *err) {
  if (!ao_journal_available()) {
    ao_err_set(err, "this build has no journal support (libsystemd)");
    return NULL;
  }
  if (o->max_line < AO_MAX_LINE_MIN || o->max_line > AO_MAX_LINE_MAX) {
    ao_err_set(err, "journal: line length limit %zu out of range", o->max_line);
    return NULL;
  }
  ao_journal_t *j = calloc(1, sizeof(*j));
  if (j == NULL)
    goto nomem;
  j->max_line = o->max_line;
  j->start = o->start;
  if (o->path != NULL && (j->path = strdup(o->path)) == NULL)
    goto nomem;
  if (o->nmatches > 0) {
    j->matches = calloc(o->nmatches, sizeof(*j->matches));
    if (j->matches == NULL)
      goto nomem;
    for (size_t i = 0; i < o->nmatches; i++) {
      if ((j->matches[i] = strdup(o->matches[i])) == NULL)
        goto nomem;
      j->nmatches = i + 1;
    }
  }
  return j;
nomem:
  ao_journal_destroy(j);
  ao_err_set(err, "journal: out of memory");
  return NULL;
}

#ifdef AO_HAVE_SYSTEMD
static void jr_close(ao_journal_t *j) {
  if (j->j != NULL)
    sd_journal_close(j->j);
  j->j = NULL;
}
#endif

void ao_journal_destroy(ao_journal_t *j) {
  if (j == NULL)
    return;
#ifdef AO_HAVE_SYSTEMD
  jr_close(j);
#endif
  free(j->path);
  free_strings(j->matches, j->nmatches);
  free(j->cursor);
  free(j->staged_cursor);
  ao_complaint_reset(&j->c_open);
  ao_complaint_reset(&j->c_read);
  free(j);
}

const ao_tail_stats_t *ao_journal_stats(const ao_journal_t *j) {
  return &j->stats;
}

int ao_journal_is_open(const ao_journal_t *j) {
#ifdef AO_HAVE_SYSTEMD
  return j->j != NULL;
#else
  (void)j;
  return 0;
#endif
}

#ifdef AO_HAVE_SYSTEMD

static const char *where(const ao_journal_t *j) {
  return j->path != NULL ? j->path : "the system journal";
}

/* Opens the journal and positions it. Returns 1 when the current entry is
 * one to deliver first (a vacuumed cursor), 0 when positioned after the
 * last entry read, -1 on failure (complained about). */
static int jr_open(ao_journal_t *j) {
  int r;
  const char *step = "open";
  if (j->path == NULL) {
    r = sd_journal_open(&j->j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
  } else {
    struct stat st;
    if (stat(j->path, &st) != 0) {
      r = -errno;
    } else if (S_ISDIR(st.st_mode)) {
      r = sd_journal_open_directory(&j->j, j->path, 0);
    } else {
      const char *paths[2] = {j->path, NULL};
      r = sd_journal_open_files(&j->j, paths, 0);
    }
  }
  if (r < 0)
    goto fail;
  step = "set the data threshold of";
  r = sd_journal_set_data_threshold(j->j, j->max_line + 9);
  if (r < 0)
    goto fail;
  step = "add a match to";
  for (size_t i = 0; i < j->nmatches; i++) {
    if (strcmp(j->matches[i], "+") == 0)
      r = sd_journal_add_disjunction(j->j);
    else
      r = sd_journal_add_match(j->j, j->matches[i], 0);
    if (r < 0)
      goto fail;
  }
  /* Sets up inotify, so that sd_journal_process() sees new journal files
   * (journald's rotation); failing that, existing files are still read. */
  (void)sd_journal_get_fd(j->j);

  int deliver_current = 0;
  step = "seek in";
  if (j->pos == POS_CURSOR) {
    r = sd_journal_seek_cursor(j->j, j->cursor);
    if (r >= 0) {
      r = sd_journal_next(j->j);
      if (r > 0)
        deliver_current = sd_journal_test_cursor(j->j, j->cursor) <= 0;
      else if (r == 0)
        r = 0; /* empty now: wait for entries */
    }
    if (r < 0) {
      ao_log(AO_LOG_WARNING,
             "%s: cannot seek to the saved cursor (%s); starting as StartAt "
             "says",
             where(j), strerror(-r));
      j->pos = POS_NONE;
    }
  }
  if (j->pos == POS_HEAD) {
    r = sd_journal_seek_head(j->j);
    if (r < 0)
      goto fail;
  } else if (j->pos == POS_NONE) {
    if (j->start == AO_START_END) {
      r = sd_journal_seek_tail(j->j);
      if (r >= 0)
        r = sd_journal_previous(j->j);
      if (r < 0)
        goto fail;
      j->pos = r > 0 ? POS_CURSOR : POS_HEAD;
      if (r == 0)
        sd_journal_seek_head(j->j);
      /* The cursor of the entry we stand on is fetched after the read. */
    } else {
      r = sd_journal_seek_head(j->j);
      if (r < 0)
        goto fail;
      j->pos = POS_HEAD;
    }
  }
  j->opened_once = 1;
  ao_release(&j->c_open, AO_LOG_INFO, "%s is open", where(j));
  return deliver_current;

fail:
  /* A journal that did not exist at the first read is, when it appears,
   * read from its start: everything in it is new (as for files). */
  if (!j->opened_once && j->pos == POS_NONE && r == -ENOENT)
    j->pos = POS_HEAD;
  j->opened_once = 1;
  j->stats.errors++;
  ao_complain(&j->c_open, AO_LOG_ERR, "cannot %s %s: %s", step, where(j),
              strerror(-r));
  jr_close(j);
  return -1;
}

/* Hands the current entry's MESSAGE to fn. Returns fn's result. */
static int jr_deliver(ao_journal_t *j, ao_tail_ctl_t *ctl, ao_line_fn fn,
                      void *ud) {
  const void *data = NULL;
  size_t len = 0;
  int r = sd_journal_get_data(j->j, "MESSAGE", &data, &len);
  if (r < 0)
    return 0; /* no MESSAGE (or unreadable): nothing to count */
  const char *msg = (const char *)data + 8; /* "MESSAGE=" */
  len = len >= 8 ? len - 8 : 0;
  j->stats.bytes += len;
  ctl->bytes += len;
  if (len > 0 && msg[len - 1] == '\n')
    len--;
  if (len > j->max_line) {
    j->stats.oversized++;
    return 0;
  }
  j->stats.lines++;
  return fn(ud, msg, len);
}

static int budget_over(const ao_tail_ctl_t *ctl) {
  if (ctl->max_bytes != 0 && ctl->bytes >= ctl->max_bytes)
    return 1;
  return ctl->deadline > 0 && ao_now_mono() >= ctl->deadline;
}

int ao_journal_read(ao_journal_t *j, ao_tail_ctl_t *ctl, ao_line_fn fn,
                    void *ud) {
  int deliver_current = 0;
  if (j->j == NULL) {
    deliver_current = jr_open(j);
    if (deliver_current < 0)
      return -1;
  } else {
    (void)sd_journal_process(j->j);
  }
  int moved = deliver_current;
  int rc = 0;
  if (deliver_current && jr_deliver(j, ctl, fn, ud) != 0)
    goto out;
  for (;;) {
    if (budget_over(ctl)) {
      ctl->exhausted = 1;
      j->stats.budget_stops++;
      break;
    }
    int r = sd_journal_next(j->j);
    if (r == 0)
      break;
    if (r < 0) {
      j->stats.errors++;
      ao_complain(&j->c_read, AO_LOG_ERR, "cannot read %s: %s", where(j),
                  strerror(-r));
      rc = -1;
      break;
    }
    moved = 1;
    if (jr_deliver(j, ctl, fn, ud) != 0)
      break;
  }
out:
  if (moved) {
    char *c = NULL;
    if (sd_journal_get_cursor(j->j, &c) >= 0 && c != NULL) {
      free(j->cursor);
      j->cursor = c;
      j->pos = POS_CURSOR;
    }
  } else if (j->pos == POS_CURSOR && j->cursor == NULL) {
    /* StartAt end: the cursor of the entry we were put on. */
    char *c = NULL;
    if (sd_journal_get_cursor(j->j, &c) >= 0 && c != NULL)
      j->cursor = c;
    else
      j->pos = POS_HEAD;
  }
  if (rc < 0) {
    jr_close(j); /* reopened at the cursor next time */
  } else {
    ao_release(&j->c_read, AO_LOG_INFO, "%s can be read again", where(j));
  }
  return rc;
}

#else /* !AO_HAVE_SYSTEMD */

int ao_journal_read(ao_journal_t *j, ao_tail_ctl_t *ctl, ao_line_fn fn,
                    void *ud) {
  (void)j;
  (void)ctl;
  (void)fn;
  (void)ud;
  return -1;
}

#endif

void ao_journal_save(ao_journal_t *j, ao_state_buf_t *b) {
  if (j->pos == POS_CURSOR && j->cursor != NULL) {
    ao_state_printf(b, "journal ");
    ao_state_put_str(b, j->cursor);
    ao_state_printf(b, "\n");
  } else if (j->pos == POS_HEAD) {
    ao_state_printf(b, "journal head\n");
  }
}

int ao_journal_restore_record(ao_journal_t *j, int argc, char **argv,
                              ao_err_t *err) {
  if (strcmp(argv[0], "journal") != 0)
    return 0;
  if (argc != 2 || j->staged)
    return ao_err_set(err, "malformed journal record");
  if (strcmp(argv[1], "head") == 0) {
    j->staged = 1;
    j->staged_pos = POS_HEAD;
    return 1;
  }
  if (ao_state_unescape(argv[1]) != 0 || argv[1][0] == '\0' ||
      strlen(argv[1]) > 1024)
    return ao_err_set(err, "malformed journal cursor");
  free(j->staged_cursor);
  j->staged_cursor = strdup(argv[1]);
  if (j->staged_cursor == NULL)
    return ao_err_set(err, "out of memory");
  j->staged = 1;
  j->staged_pos = POS_CURSOR;
  return 1;
}

void ao_journal_restore_commit(ao_journal_t *j) {
  if (!j->staged)
    return;
  j->pos = j->staged_pos;
  free(j->cursor);
  j->cursor = j->staged_cursor;
  j->staged_cursor = NULL;
  j->staged = 0;
}

void ao_journal_restore_abort(ao_journal_t *j) {
  free(j->staged_cursor);
  j->staged_cursor = NULL;
  j->staged = 0;
}
