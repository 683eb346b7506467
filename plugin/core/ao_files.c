/*
 * ao_files.c - the files of one Log (see ao_files.h).
 *
 * Design notes
 *
 *   A slot per followed path. Static paths get their slot at creation and
 *   keep it; glob matches get one when they first match and lose it once
 *   they no longer match and their file has been quiet for RotateWait.
 *
 *   "Never read twice" is decided in one place, claim(), which every
 *   follower calls before it starts reading any file (see ao_tail.h, hooks).
 *   Identity while open is (device, inode); for files closed or saved, the
 *   fingerprints must match too (ao_tail_pos_matches()), because the inode
 *   number of a deleted file is reused.
 *
 *   Restoring. Saved records are staged first (a malformed record rejects the
 *   whole state, so nothing is half applied), then committed: static slots
 *   get their saved positions at once; positions of glob matches wait for
 *   the first scan, and saved paths that no longer match get a slot anyway
 *   for that first read, so that their files, rotated away while collectd
 *   was stopped, are found and drained. Every saved position is also put in
 *   the known list (flagged `restored`), so that whichever follower finds a
 *   saved file first resumes it; restored entries nobody claimed are
 *   forgotten after the first read.
 */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif

#include "ao_files.h"

#include "ao_log.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct slot {
  ao_tail_t *t;
  int pattern;            /* index into patterns */
  int is_glob;            /* dropped when it stops matching */
  int seen;               /* matched by the scan in progress */
  double unmatched_since; /* 0 while matched */
} slot_t;

typedef struct known {
  ao_tail_pos_t pos;
  int restored; /* from the saved state, not yet claimed */
} known_t;

/* A saved path with its positions, waiting for its slot. */
typedef struct saved_path {
  char *path;
  int has_cur;
  ao_tail_pos_t cur;
  ao_tail_pos_t old[AO_TAIL_MAX_OLD];
  size_t nold;
  int used;
} saved_path_t;

struct ao_files {
  char **patterns;
  int *is_glob;
  int *pattern_known; /* the saved state had this pattern */
  size_t npatterns;
  ao_start_t start;
  double rotate_wait;
  size_t max_line;
  ao_readbuf_t *buf;
  ao_tail_hooks_t hooks;

  slot_t *slots;
  size_t nslots;
  size_t rr; /* slot read first, rotating */

  known_t known[AO_FILES_KNOWN_MAX];
  size_t nknown;

  ao_tail_stats_t gone; /* statistics of dropped slots */

  /* Staged and committed restore data. */
  saved_path_t *saved;
  size_t nsaved;
  char **staged_patterns;
  size_t nstaged_patterns;
  known_t *staged_known;
  size_t nstaged_known;
  int restored;   /* a saved state was committed */
  int first_done; /* the first read happened */

  double now;
  ao_complaint_t c_too_many;
  ao_complaint_t c_nomatch;
};

static int has_glob_chars(const char *s) { return strpbrk(s, "*?[") != NULL; }

static int compressed_name(const char *path) {
  static const char *const sfx[] = {".gz",   ".bz2", ".xz",  ".zst", ".lz4",
                                    ".lzma", ".Z",   ".zip", ".br"};
  size_t n = strlen(path);
  for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
    size_t k = strlen(sfx[i]);
    if (n > k && strcmp(path + n - k, sfx[i]) == 0)
      return 1;
  }
  return 0;
}

/* ---- the known list --------------------------------------------------- */

static void known_remove(ao_files_t *fs, size_t i) {
  memmove(&fs->known[i], &fs->known[i + 1],
          (fs->nknown - i - 1) * sizeof(fs->known[0]));
  fs->nknown--;
}

static void known_add(ao_files_t *fs, const ao_tail_pos_t *pos, int restored) {
  for (size_t i = 0; i < fs->nknown; i++) {
    if (fs->known[i].pos.id.dev == pos->id.dev &&
        fs->known[i].pos.id.ino == pos->id.ino) {
      known_remove(fs, i);
      break;
    }
  }
  if (fs->nknown == AO_FILES_KNOWN_MAX)
    known_remove(fs, 0); /* the oldest */
  fs->known[fs->nknown].pos = *pos;
  fs->known[fs->nknown].restored = restored;
  fs->nknown++;
}

/* ---- hooks -------------------------------------------------------------- */

static ao_claim_t claim(void *ud, ao_tail_t *t, int fd, const ao_fileid_t *id,
                        uint64_t size, ao_tail_pos_t *resume) {
  ao_files_t *fs = ud;
  /* Open in another follower? */
  for (size_t i = 0; i < fs->nslots; i++) {
    ao_tail_t *o = fs->slots[i].t;
    if (o == t)
      continue;
    int is_cur = 0;
    if (!ao_tail_holds(o, id->dev, id->ino, &is_cur))
      continue;
    if (is_cur)
      return AO_CLAIM_BUSY;
    if (ao_tail_release(o, id->dev, id->ino, resume))
      return AO_CLAIM_RESUME; /* handed over, position and all */
  }
  /* Closed earlier, or saved by the previous run? */
  for (size_t i = 0; i < fs->nknown; i++) {
    known_t *k = &fs->known[i];
    if (k->pos.id.dev != id->dev || k->pos.id.ino != id->ino)
      continue;
    int match = ao_tail_pos_matches(fd, size, &k->pos);
    if (match)
      *resume = k->pos;
    known_remove(fs, i); /* claimed, or stale: the inode was reused */
    if (match)
      return AO_CLAIM_RESUME;
    break;
  }
  /* A copy of a file being read (same head, same bytes before its offset)? */
  if (id->head_len == AO_TAIL_HEAD_MAX) {
    for (size_t i = 0; i < fs->nslots; i++) {
      ao_tail_t *o = fs->slots[i].t;
      if (o == t)
        continue;
      int has_cur = 0;
      ao_tail_pos_t cur, old[AO_TAIL_MAX_OLD];
      size_t nold = ao_tail_export(o, &has_cur, &cur, old, AO_TAIL_MAX_OLD);
      for (size_t j = 0; j <= nold; j++) {
        const ao_tail_pos_t *p = j < nold ? &old[j] : (has_cur ? &cur : NULL);
        if (p == NULL || p->id.head_len != AO_TAIL_HEAD_MAX ||
            p->id.head_hash != id->head_hash || p->offset == 0 ||
            !ao_tail_pos_matches(fd, size, p))
          continue;
        /* If the original was truncated (copytruncate), the copy holds
         * what it had not read yet: continue at its offset; the original
         * then finds the copy taken. Otherwise everything in the copy is,
         * or will be, read from the original. */
        if (ao_tail_intact(o, p->id.dev, p->id.ino) != 0)
          return AO_CLAIM_END;
        *resume = *p;
        return AO_CLAIM_RESUME;
      }
    }
  }
  return AO_CLAIM_NEW;
}

static void retire(void *ud, ao_tail_t *t, const ao_tail_pos_t *pos) {
  (void)t;
  known_add(ud, pos, 0);
}

/* ---- slots -------------------------------------------------------------- */

static slot_t *slot_find(ao_files_t *fs, const char *path) {
  for (size_t i = 0; i < fs->nslots; i++)
    if (strcmp(ao_tail_path(fs->slots[i].t), path) == 0)
      return &fs->slots[i];
  return NULL;
}

static saved_path_t *saved_find(ao_files_t *fs, const char *path) {
  for (size_t i = 0; i < fs->nsaved; i++)
    if (!fs->saved[i].used && strcmp(fs->saved[i].path, path) == 0)
      return &fs->saved[i];
  return NULL;
}

/* Adds a follower of path. Returns it, or NULL (complained about). */
static slot_t *slot_add(ao_files_t *fs, const char *path, int pattern,
                        int is_glob, ao_start_t start) {
  if (fs->nslots == AO_FILES_MAX) {
    ao_complain(&fs->c_too_many, AO_LOG_WARNING,
                "more than %d files match; \"%s\" and others are not read",
                AO_FILES_MAX, path);
    return NULL;
  }
  ao_tail_opts_t o = {.max_line = fs->max_line,
                      .start = start,
                      .rotate_wait = fs->rotate_wait,
                      .buf = fs->buf,
                      .hooks = &fs->hooks};
  ao_err_t err = {{0}};
  ao_tail_t *t = ao_tail_create_opts(path, &o, &err);
  if (t == NULL) {
    ao_complain(&fs->c_too_many, AO_LOG_ERR, "%s", err.msg);
    return NULL;
  }
  saved_path_t *sp = saved_find(fs, path);
  if (sp != NULL) {
    ao_tail_restore(t, 1, sp->has_cur, &sp->cur, sp->old, sp->nold);
    sp->used = 1;
  } else if (fs->restored && fs->pattern_known[pattern]) {
    /* The pattern was followed when the state was saved, this path not:
     * its file appeared while collectd was stopped. */
    ao_tail_restore(t, 1, 0, NULL, NULL, 0);
  }
  slot_t *s = &fs->slots[fs->nslots++];
  memset(s, 0, sizeof(*s));
  s->t = t;
  s->pattern = pattern;
  s->is_glob = is_glob;
  s->seen = 1;
  return s;
}

static void slot_drop(ao_files_t *fs, size_t i) {
  ao_tail_t *t = fs->slots[i].t;
  ao_tail_close_all(t); /* retires its files into the known list */
  ao_tail_stats_add(&fs->gone, ao_tail_stats(t));
  ao_tail_destroy(t);
  memmove(&fs->slots[i], &fs->slots[i + 1],
          (fs->nslots - i - 1) * sizeof(fs->slots[0]));
  fs->nslots--;
  if (fs->rr >= fs->nslots)
    fs->rr = 0;
}

/* Expands the glob patterns: new matches get a slot. */
static void scan(ao_files_t *fs) {
  int first = !fs->first_done;
  int any_glob = 0, matched = 0;
  for (size_t i = 0; i < fs->nslots; i++)
    fs->slots[i].seen = !fs->slots[i].is_glob;
  for (size_t pi = 0; pi < fs->npatterns; pi++) {
    if (!fs->is_glob[pi])
      continue;
    any_glob = 1;
    glob_t g;
    memset(&g, 0, sizeof(g));
    int rc = glob(fs->patterns[pi], GLOB_NOSORT, NULL, &g);
    if (rc == 0) {
      for (size_t k = 0; k < g.gl_pathc; k++) {
        const char *path = g.gl_pathv[k];
        if (compressed_name(path))
          continue;
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
          continue;
        matched = 1;
        slot_t *s = slot_find(fs, path);
        if (s != NULL) {
          s->seen = 1;
          s->unmatched_since = 0;
          continue;
        }
        /* At the first read a match is an existing file: StartAt; later it
         * is a file that appeared: from its start. */
        slot_add(fs, path, (int)pi, 1, first ? fs->start : AO_START_BEGINNING);
      }
    }
    globfree(&g);
  }
  if (first) {
    /* Saved paths that match no more: their files may have been rotated
     * away while collectd was stopped. Follow them for one read at least,
     * so the old files are found and drained. */
    for (size_t i = 0; i < fs->nsaved; i++) {
      saved_path_t *sp = &fs->saved[i];
      if (sp->used || (!sp->has_cur && sp->nold == 0))
        continue;
      /* Only paths of a pattern that is still configured: a File value
       * removed from the configuration is not followed any more. */
      int pi = -1;
      for (size_t k = 0; k < fs->npatterns && pi < 0; k++)
        if (fs->is_glob[k] && fs->pattern_known[k] &&
            fnmatch(fs->patterns[k], sp->path, FNM_PATHNAME) == 0)
          pi = (int)k;
      if (pi < 0)
        continue;
      slot_t *s = slot_add(fs, sp->path, pi, 1, AO_START_BEGINNING);
      if (s != NULL)
        s->seen = 0;
    }
  }
  if (any_glob && !matched && fs->nslots == 0)
    ao_complain(&fs->c_nomatch, AO_LOG_WARNING, "no file matches \"%s\" yet",
                fs->patterns[0]);
  else if (matched)
    ao_release(&fs->c_nomatch, AO_LOG_INFO, "files match \"%s\"",
               fs->patterns[0]);
}

/* Glob slots that no longer match and whose files are quiet are dropped
 * (after this read drained them). */
static void reap(ao_files_t *fs) {
  for (size_t i = 0; i < fs->nslots;) {
    slot_t *s = &fs->slots[i];
    if (!s->is_glob || s->seen) {
      i++;
      continue;
    }
    if (s->unmatched_since == 0)
      s->unmatched_since = fs->now;
    double quiet = ao_tail_last_growth(s->t);
    if (quiet < s->unmatched_since)
      quiet = s->unmatched_since;
    if (!ao_tail_is_open(s->t) || fs->now - quiet >= fs->rotate_wait) {
      slot_drop(fs, i);
      continue;
    }
    i++;
  }
}

int ao_files_read(ao_files_t *fs, ao_tail_ctl_t *ctl, ao_line_fn fn, void *ud) {
  fs->now = ctl->now;
  scan(fs);
  int any_ok = 0;
  size_t n = fs->nslots;
  size_t start = n > 0 ? fs->rr % n : 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = (start + k) % n;
    if (ctl->exhausted)
      break;
    if (ao_tail_read_ex(fs->slots[i].t, ctl, fn, ud) == 0)
      any_ok = 1;
  }
  if (n > 0)
    fs->rr = (start + 1) % n;
  if (!ctl->exhausted)
    reap(fs);
  if (!fs->first_done) {
    fs->first_done = 1;
    /* Saved positions nobody claimed in the first read are gone. */
    for (size_t i = 0; i < fs->nknown;) {
      if (fs->known[i].restored)
        known_remove(fs, i);
      else
        i++;
    }
    for (size_t i = 0; i < fs->nsaved; i++)
      free(fs->saved[i].path);
    free(fs->saved);
    fs->saved = NULL;
    fs->nsaved = 0;
  }
  int any_glob = 0;
  for (size_t i = 0; i < fs->npatterns; i++)
    any_glob |= fs->is_glob[i];
  return any_ok || any_glob ? 0 : -1;
}

void ao_files_stats(const ao_files_t *fs, ao_tail_stats_t *out) {
  *out = fs->gone;
  for (size_t i = 0; i < fs->nslots; i++)
    ao_tail_stats_add(out, ao_tail_stats(fs->slots[i].t));
}

uint64_t ao_files_lag(const ao_files_t *fs) {
  uint64_t lag = 0;
  for (size_t i = 0; i < fs->nslots; i++)
    lag += ao_tail_lag(fs->slots[i].t);
  return lag;
}

uint64_t ao_files_open_count(const ao_files_t *fs) {
  uint64_t n = 0;
  for (size_t i = 0; i < fs->nslots; i++)
    n += (uint64_t)ao_tail_is_open(fs->slots[i].t);
  return n;
}

/* ---- create / destroy --------------------------------------------------- */

ao_files_t *ao_files_create(const ao_files_opts_t *o, ao_err_t *err) {
  if (o->npatterns == 0)
    return ao_err_set(err, "no file to read"), NULL;
  ao_files_t *fs = calloc(1, sizeof(*fs));
  if (fs == NULL)
    goto nomem;
  fs->start = o->start;
  fs->rotate_wait = o->rotate_wait;
  fs->max_line = o->max_line;
  fs->hooks = (ao_tail_hooks_t){claim, retire, fs};
  fs->buf = ao_readbuf_create(o->max_line);
  fs->patterns = calloc(o->npatterns, sizeof(*fs->patterns));
  fs->is_glob = calloc(o->npatterns, sizeof(*fs->is_glob));
  fs->pattern_known = calloc(o->npatterns, sizeof(*fs->pattern_known));
  fs->slots = calloc(AO_FILES_MAX, sizeof(*fs->slots));
  if (fs->buf == NULL || fs->patterns == NULL || fs->is_glob == NULL ||
      fs->pattern_known == NULL || fs->slots == NULL)
    goto nomem;
  for (size_t i = 0; i < o->npatterns; i++) {
    if (o->patterns[i] == NULL || o->patterns[i][0] == '\0') {
      ao_err_set(err, "empty file path");
      ao_files_destroy(fs);
      return NULL;
    }
    fs->patterns[i] = strdup(o->patterns[i]);
    if (fs->patterns[i] == NULL)
      goto nomem;
    fs->npatterns = i + 1;
    fs->is_glob[i] = has_glob_chars(o->patterns[i]);
  }
  for (size_t i = 0; i < fs->npatterns; i++) {
    if (fs->is_glob[i] || slot_find(fs, fs->patterns[i]) != NULL)
      continue;
    ao_tail_opts_t to = {.max_line = fs->max_line,
                         .start = fs->start,
                         .rotate_wait = fs->rotate_wait,
                         .buf = fs->buf,
                         .hooks = &fs->hooks};
    ao_tail_t *t = ao_tail_create_opts(fs->patterns[i], &to, err);
    if (t == NULL) {
      ao_files_destroy(fs);
      return NULL;
    }
    slot_t *s = &fs->slots[fs->nslots++];
    memset(s, 0, sizeof(*s));
    s->t = t;
    s->pattern = (int)i;
    s->seen = 1;
  }
  return fs;

nomem:
  ao_files_destroy(fs);
  ao_err_set(err, "out of memory");
  return NULL;
}

void ao_files_destroy(ao_files_t *fs) {
  if (fs == NULL)
    return;
  for (size_t i = 0; fs->slots != NULL && i < fs->nslots; i++)
    ao_tail_destroy(fs->slots[i].t);
  free(fs->slots);
  ao_files_restore_abort(fs);
  for (size_t i = 0; i < fs->nsaved; i++)
    free(fs->saved[i].path);
  free(fs->saved);
  for (size_t i = 0; fs->patterns != NULL && i < fs->npatterns; i++)
    free(fs->patterns[i]);
  free(fs->patterns);
  free(fs->is_glob);
  free(fs->pattern_known);
  ao_readbuf_destroy(fs->buf);
  ao_complaint_reset(&fs->c_too_many);
  ao_complaint_reset(&fs->c_nomatch);
  free(fs);
}

/* ---- state ----------------------------------------------------------------
 */

static void put_pos(ao_state_buf_t *b, const ao_tail_pos_t *p) {
  ao_state_printf(b, " %llu %llu %u %016llx %llu %u %016llx %d %llu",
                  (unsigned long long)p->id.dev, (unsigned long long)p->id.ino,
                  (unsigned)p->id.head_len, (unsigned long long)p->id.head_hash,
                  (unsigned long long)p->offset, (unsigned)p->mark_len,
                  (unsigned long long)p->mark_hash, p->skipping ? 1 : 0,
                  (unsigned long long)p->size);
}

void ao_files_save(const ao_files_t *fs, ao_state_buf_t *b) {
  for (size_t i = 0; i < fs->npatterns; i++) {
    ao_state_printf(b, "pattern ");
    ao_state_put_str(b, fs->patterns[i]);
    ao_state_printf(b, "\n");
  }
  for (size_t i = 0; i < fs->nslots; i++) {
    const ao_tail_t *t = fs->slots[i].t;
    int has_cur = 0;
    ao_tail_pos_t cur, old[AO_TAIL_MAX_OLD];
    size_t nold = ao_tail_export(t, &has_cur, &cur, old, AO_TAIL_MAX_OLD);
    if (!has_cur && nold == 0) {
      ao_state_printf(b, "file ");
      ao_state_put_str(b, ao_tail_path(t));
      ao_state_printf(b, " none\n");
    }
    if (has_cur) {
      ao_state_printf(b, "file ");
      ao_state_put_str(b, ao_tail_path(t));
      ao_state_printf(b, " cur");
      put_pos(b, &cur);
      ao_state_printf(b, "\n");
    }
    for (size_t j = 0; j < nold; j++) {
      ao_state_printf(b, "file ");
      ao_state_put_str(b, ao_tail_path(t));
      ao_state_printf(b, " old");
      put_pos(b, &old[j]);
      ao_state_printf(b, "\n");
    }
  }
  for (size_t i = 0; i < fs->nknown; i++) {
    ao_state_printf(b, "known");
    put_pos(b, &fs->known[i].pos);
    ao_state_printf(b, "\n");
  }
  /* Saved paths not followed yet (before the first read) keep their
   * positions. */
  for (size_t i = 0; i < fs->nsaved; i++) {
    const saved_path_t *sp = &fs->saved[i];
    if (sp->used)
      continue;
    if (sp->has_cur) {
      ao_state_printf(b, "file ");
      ao_state_put_str(b, sp->path);
      ao_state_printf(b, " cur");
      put_pos(b, &sp->cur);
      ao_state_printf(b, "\n");
    }
    for (size_t j = 0; j < sp->nold; j++) {
      ao_state_printf(b, "file ");
      ao_state_put_str(b, sp->path);
      ao_state_printf(b, " old");
      put_pos(b, &sp->old[j]);
      ao_state_printf(b, "\n");
    }
  }
}

/* dev ino head_len head_hash offset mark_len mark_hash skipping size */
#define POS_FIELDS 9

static int parse_pos(char **argv, ao_tail_pos_t *p) {
  uint64_t v[POS_FIELDS];
  if (ao_state_u64(argv[0], &v[0]) || ao_state_u64(argv[1], &v[1]) ||
      ao_state_u64(argv[2], &v[2]) || ao_state_hex64(argv[3], &v[3]) ||
      ao_state_u64(argv[4], &v[4]) || ao_state_u64(argv[5], &v[5]) ||
      ao_state_hex64(argv[6], &v[6]) || ao_state_u64(argv[7], &v[7]) ||
      ao_state_u64(argv[8], &v[8]))
    return -1;
  if (v[2] > AO_TAIL_HEAD_MAX || v[5] > AO_TAIL_MARK_MAX || v[5] > v[4] ||
      v[7] > 1 || v[4] > (uint64_t)INT64_MAX)
    return -1;
  memset(p, 0, sizeof(*p));
  p->id.dev = v[0];
  p->id.ino = v[1];
  p->id.head_len = (uint32_t)v[2];
  p->id.head_hash = v[3];
  p->offset = v[4];
  p->mark_len = (uint32_t)v[5];
  p->mark_hash = v[6];
  p->skipping = (int)v[7];
  p->size = v[8];
  return 0;
}

static saved_path_t *staged_path(ao_files_t *fs, const char *path) {
  for (size_t i = 0; i < fs->nsaved; i++)
    if (strcmp(fs->saved[i].path, path) == 0)
      return &fs->saved[i];
  if (fs->nsaved >= 4 * AO_FILES_MAX)
    return NULL;
  saved_path_t *n = realloc(fs->saved, (fs->nsaved + 1) * sizeof(*n));
  if (n == NULL)
    return NULL;
  fs->saved = n;
  saved_path_t *sp = &fs->saved[fs->nsaved];
  memset(sp, 0, sizeof(*sp));
  sp->path = strdup(path);
  if (sp->path == NULL)
    return NULL;
  fs->nsaved++;
  return sp;
}

int ao_files_restore_record(ao_files_t *fs, int argc, char **argv,
                            ao_err_t *err) {
  if (strcmp(argv[0], "pattern") == 0) {
    if (argc != 2 || ao_state_unescape(argv[1]) != 0)
      return ao_err_set(err, "malformed pattern record");
    char **n =
        realloc(fs->staged_patterns, (fs->nstaged_patterns + 1) * sizeof(*n));
    if (n == NULL)
      return ao_err_set(err, "out of memory");
    fs->staged_patterns = n;
    n[fs->nstaged_patterns] = strdup(argv[1]);
    if (n[fs->nstaged_patterns] == NULL)
      return ao_err_set(err, "out of memory");
    fs->nstaged_patterns++;
    return 1;
  }
  if (strcmp(argv[0], "known") == 0) {
    ao_tail_pos_t p;
    if (argc != 1 + POS_FIELDS || parse_pos(argv + 1, &p) != 0)
      return ao_err_set(err, "malformed known record");
    if (fs->nstaged_known >= AO_FILES_KNOWN_MAX)
      return ao_err_set(err, "too many known records");
    known_t *n =
        realloc(fs->staged_known, (fs->nstaged_known + 1) * sizeof(*n));
    if (n == NULL)
      return ao_err_set(err, "out of memory");
    fs->staged_known = n;
    n[fs->nstaged_known].pos = p;
    n[fs->nstaged_known].restored = 0;
    fs->nstaged_known++;
    return 1;
  }
  if (strcmp(argv[0], "file") != 0)
    return 0;
  if (argc < 3 || ao_state_unescape(argv[1]) != 0 || argv[1][0] == '\0')
    return ao_err_set(err, "malformed file record");
  saved_path_t *sp = staged_path(fs, argv[1]);
  if (sp == NULL)
    return ao_err_set(err, "too many file records, or out of memory");
  if (strcmp(argv[2], "none") == 0 && argc == 3)
    return 1;
  ao_tail_pos_t p;
  if (argc != 3 + POS_FIELDS || parse_pos(argv + 3, &p) != 0)
    return ao_err_set(err, "malformed file record for \"%s\"", argv[1]);
  if (strcmp(argv[2], "cur") == 0 && !sp->has_cur) {
    sp->has_cur = 1;
    sp->cur = p;
  } else if (strcmp(argv[2], "old") == 0 && sp->nold < AO_TAIL_MAX_OLD) {
    sp->old[sp->nold++] = p;
  } else {
    return ao_err_set(err, "malformed file record for \"%s\"", argv[1]);
  }
  return 1;
}

void ao_files_restore_commit(ao_files_t *fs) {
  fs->restored = 1;
  for (size_t i = 0; i < fs->npatterns; i++)
    for (size_t j = 0; j < fs->nstaged_patterns; j++)
      if (strcmp(fs->patterns[i], fs->staged_patterns[j]) == 0)
        fs->pattern_known[i] = 1;
  for (size_t i = 0; i < fs->nstaged_known; i++)
    known_add(fs, &fs->staged_known[i].pos, 0);
  for (size_t i = 0; i < fs->nsaved; i++) {
    saved_path_t *sp = &fs->saved[i];
    if (sp->has_cur)
      known_add(fs, &sp->cur, 1);
    for (size_t j = 0; j < sp->nold; j++)
      known_add(fs, &sp->old[j], 1);
  }
  /* Static paths take their positions now. */
  for (size_t i = 0; i < fs->nslots; i++) {
    slot_t *s = &fs->slots[i];
    saved_path_t *sp = saved_find(fs, ao_tail_path(s->t));
    if (sp != NULL) {
      ao_tail_restore(s->t, 1, sp->has_cur, &sp->cur, sp->old, sp->nold);
      sp->used = 1;
    } else if (fs->pattern_known[s->pattern]) {
      ao_tail_restore(s->t, 1, 0, NULL, NULL, 0);
    }
  }
  for (size_t j = 0; j < fs->nstaged_patterns; j++)
    free(fs->staged_patterns[j]);
  free(fs->staged_patterns);
  fs->staged_patterns = NULL;
  fs->nstaged_patterns = 0;
  free(fs->staged_known);
  fs->staged_known = NULL;
  fs->nstaged_known = 0;
}

void ao_files_restore_abort(ao_files_t *fs) {
  for (size_t j = 0; j < fs->nstaged_patterns; j++)
    free(fs->staged_patterns[j]);
  free(fs->staged_patterns);
  fs->staged_patterns = NULL;
  fs->nstaged_patterns = 0;
  free(fs->staged_known);
  fs->staged_known = NULL;
  fs->nstaged_known = 0;
  if (!fs->restored) {
    for (size_t i = 0; i < fs->nsaved; i++)
      free(fs->saved[i].path);
    free(fs->saved);
    fs->saved = NULL;
    fs->nsaved = 0;
  }
}
