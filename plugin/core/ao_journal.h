/*
 * ao_journal.h - read log messages from systemd's journal (sd-journal).
 *
 * DESCRIPTION
 *   A journal reader follows the system journal (local, system services) or
 *   a journal directory or file (JournalPath), filtered by matches in
 *   journalctl's syntax ("FIELD=value"; several in a row are ANDed for
 *   different fields and ORed for the same field; "+" starts an OR group,
 *   as sd_journal_add_disjunction()). Each entry's MESSAGE field is handed to
 *   the callback as one line, without any syslog prefix, without one
 *   trailing "\n", NUL bytes and all (the length counts). Entries without
 *   MESSAGE are skipped; a MESSAGE longer than max_line is counted as
 *   oversized and skipped.
 *
 *   Position. The journal's own cursor is the position: ao_journal_save()
 *   writes it ("journal <cursor>", or "journal head" when no entry has been
 *   read yet), ao_journal_restore_record() takes it back, and the first read
 *   continues after that entry. Without a saved cursor, StartAt decides:
 *   AO_START_END skips the entries already there, AO_START_BEGINNING reads
 *   them. A saved cursor whose entry has been vacuumed away continues at the
 *   first entry after it that still exists (entries vacuumed before they
 *   were read are lost: journald's retention, not ours). A JournalPath that
 *   does not exist at the first read is read from its start once it
 *   appears.
 *
 *   Faults. A journal that cannot be opened (JournalPath missing, no
 *   permission to read /var/log/journal) is complained about once and
 *   retried at every read; read errors are counted and the journal is
 *   reopened at the same cursor at the next read.
 *
 *   Builds without libsystemd (no AO_HAVE_SYSTEMD) have the same interface:
 *   ao_journal_available() is 0 and ao_journal_create() fails.
 *
 *   Threads: a reader is used by one thread at a time (sd-journal objects
 *   are not thread-safe, but may move between threads).
 */
#ifndef AO_JOURNAL_H
#define AO_JOURNAL_H

#include "ao_common.h"
#include "ao_state.h"
#include "ao_tail.h"

#include <stddef.h>

typedef struct ao_journal ao_journal_t;

typedef struct ao_journal_opts {
  const char *path; /* directory or .journal file; NULL: system journal */
  const char *const *matches;
  size_t nmatches;
  size_t max_line;
  ao_start_t start;
} ao_journal_opts_t;

/* 1 when this build can read the journal. */
int ao_journal_available(void);

/* Checks the options (the journal is opened at the first read). Returns
 * NULL with err filled on bad options, ENOMEM, or without journal
 * support. */
ao_journal_t *ao_journal_create(const ao_journal_opts_t *o, ao_err_t *err);
void ao_journal_destroy(ao_journal_t *j); /* NULL is a no-op */

/* Delivers the entries added since the last read, within ctl's budget
 * (bytes are MESSAGE bytes). Returns 0, or -1 when the journal cannot be
 * opened or read now (complained about, retried next call). Statistics:
 * lines, oversized, bytes, errors and budget_stops are used. */
int ao_journal_read(ao_journal_t *j, ao_tail_ctl_t *ctl, ao_line_fn fn,
                    void *ud);
const ao_tail_stats_t *ao_journal_stats(const ao_journal_t *j);
/* 1 while the journal is open. */
int ao_journal_is_open(const ao_journal_t *j);

void ao_journal_save(ao_journal_t *j, ao_state_buf_t *b);
/* Staged restore, as ao_files_restore_record() (record "journal"). */
int ao_journal_restore_record(ao_journal_t *j, int argc, char **argv,
                              ao_err_t *err);
void ao_journal_restore_commit(ao_journal_t *j);
void ao_journal_restore_abort(ao_journal_t *j);

#endif /* AO_JOURNAL_H */
