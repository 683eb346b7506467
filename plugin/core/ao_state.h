/*
 * ao_state.h - the persisted state file: format, atomic writes, checked
 * reads.
 *
 * DESCRIPTION
 *   A state file is a small text file, one record per line, written whole
 *   and atomically replaced:
 *
 *     attack_origin-state 1
 *     log web
 *     <records: space-separated tokens, the first names the record>
 *     end 0123456789abcdef
 *
 *   The last line carries a 64-bit FNV-1a hash (16 hex digits) of every byte
 *   before it, so that a file cut short, zero-filled after a power loss, or
 *   edited is recognised and refused as a whole (never half applied). The
 *   first line carries the format version; a file of another version is
 *   refused the same way. Tokens that are strings (paths, journal cursors)
 *   are percent-encoded, so a token never holds a space or a newline.
 *
 *   ao_state_commit() writes the text to "<path>.tmp", fsync()s it, renames
 *   it over path and fsync()s the directory: after a crash at any point
 *   either the old or the new file is there, complete.
 *
 *   The records themselves belong to their owners (ao_pipeline: counters;
 *   ao_files and ao_journal: positions); this module only frames, escapes,
 *   splits and checks.
 *
 *   Threads: functions work on the objects they are given; no shared state.
 */
#ifndef AO_STATE_H
#define AO_STATE_H

#include "ao_common.h"

#include <stddef.h>
#include <stdint.h>

#define AO_STATE_VERSION 1
#define AO_STATE_MAGIC "attack_origin-state"
/* A state file larger than this is refused unread. */
#define AO_STATE_MAX_SIZE ((size_t)64 * 1024 * 1024)
/* Tokens per record line. */
#define AO_STATE_MAX_FIELDS 32

/* A growing text buffer. Allocation failures are sticky (failed) and make
 * ao_state_commit() fail; the buffer keeps its memory between uses, so a
 * state of stable size is written without allocating. */
typedef struct ao_state_buf {
  char *p;
  size_t n, cap;
  int failed;
} ao_state_buf_t;

void ao_state_buf_init(ao_state_buf_t *b);
void ao_state_buf_free(ao_state_buf_t *b);
/* Empties the buffer and writes the header line and "log <name>". */
void ao_state_begin(ao_state_buf_t *b, const char *log_name);
/* Appends formatted text. */
void ao_state_printf(ao_state_buf_t *b, const char *fmt, ...) AO_PRINTF(2, 3);
/* Appends s percent-encoded (bytes <= 0x20, '%' and >= 0x7f as %XX; the
 * empty string as a lone "%"), so that it is one token. */
void ao_state_put_str(ao_state_buf_t *b, const char *s);
/* Appends the "end <hash>" line. */
void ao_state_end(ao_state_buf_t *b);

/* Writes b (finished with ao_state_end()) to path atomically (see
 * DESCRIPTION), mode 0600. Returns 0, or -1 with err naming the path and
 * the failing step. */
int ao_state_commit(const char *path, const ao_state_buf_t *b, ao_err_t *err);

/* Reads path, checks the header, version, log name and hash. Returns 1 with
 * *text (malloc'ed, NUL-terminated, the caller frees it) holding the record
 * lines between "log ..." and "end ...", 0 when the file does not exist
 * (*text NULL), -1 with err saying what is wrong (empty, truncated, not a
 * state file, another version, another Log, unreadable, too large). */
int ao_state_load(const char *path, const char *log_name, char **text,
                  ao_err_t *err);

/* Splits one line in place into at most max tokens (separated by single
 * spaces; the line has no newline). Returns the number of tokens, or -1 when
 * there are more than max or an empty token. */
int ao_state_split(char *line, char **argv, int max);
/* Decodes a percent-encoded token in place. Returns 0, or -1 when it is
 * malformed or decodes to a string with a NUL byte. */
int ao_state_unescape(char *tok);
/* Strict unsigned decimal (no sign, no spaces, no overflow), and 1..16 hex
 * digits. Return 0, or -1. */
int ao_state_u64(const char *tok, uint64_t *out);
int ao_state_hex64(const char *tok, uint64_t *out);

#endif /* AO_STATE_H */
