/*
 * ao_signatures.h - the maintained phrase lists shipped with attack-origin.
 *
 * DESCRIPTION
 *   The lists live as data files in the repository (signatures/NAME.data, in
 *   OWASP CRS's .data format, each with its provenance and licence in its
 *   header) and are compiled into the core at build time by
 *   signatures/data2c.awk, so that the plugin needs no file at run time and
 *   a user can read, copy and extend the very lists it uses (SignatureFile
 *   loads files of the same format; README, "Signature files").
 *
 *   Built-in lists used by the classifier:
 *     "scanner-user-agents"   category scanner, field user agent
 *     "probe-paths"           category probe, path, whatever the status
 *     "probe-paths-absent"    category probe, path, status 403/404/410
 */
#ifndef AO_SIGNATURES_H
#define AO_SIGNATURES_H

#include <stddef.h>

typedef struct ao_siglist {
  const char *name;            /* the file name without ".data" */
  const char *file;            /* the source file, for messages */
  const char *const *phrases;  /* as written, comments removed */
  int count;
} ao_siglist_t;

extern const ao_siglist_t ao_builtin_siglists[];
extern const size_t ao_builtin_siglist_count;

/* The built-in list of that name, or NULL. */
const ao_siglist_t *ao_siglist_builtin(const char *name);

/* --- phrases ---------------------------------------------------------------
 * How a phrase of a list matches (the same for built-in lists and user
 * SignatureFiles). Matching ignores ASCII case.
 *   - In any field, a phrase of AO_PHRASE_TOKEN_MAX bytes or fewer must be
 *     a whole token: no letter or digit before it, no letter after it
 *     ("nmap" in "Nmap Scripting Engine", not in "unmapped"); a longer
 *     phrase matches anywhere.
 *   - In a path field, a phrase that starts with '/' matches at the start
 *     of a segment and the matched name must not go on with a letter or
 *     digit ("/.env" matches /.env and /.env.bak, not /.environment); a
 *     trailing '/' asks for a whole segment (followed by '/', ';' or the
 *     end); a leading '^' anchors it at the start of the path. */
#define AO_PHRASE_TOKEN_MAX 5
#define AO_PHRASE_MAX 255

enum {
  AO_PH_TOKEN = 1u << 0,   /* whole token (short phrase) */
  AO_PH_NAME = 1u << 1,    /* path: the name must not go on */
  AO_PH_SEGMENT = 1u << 2, /* path: a whole segment */
  AO_PH_ROOT = 1u << 3,    /* path: the first segment only */
};

/* Turns a phrase as written into the literal to match (lower case,
 * without '^' and the trailing '/') and its AO_PH_* flags; path says the
 * field is a path. Returns the literal's length, or 0 when the phrase is
 * refused: nothing left to match, a path phrase that is only "/" (it would
 * match every request), or longer than AO_PHRASE_MAX. out
 * holds AO_PHRASE_MAX + 1 bytes. */
size_t ao_phrase_compile(const char *raw, int path, char *out,
                         unsigned *flags);

/* Does a hit of a phrase with these flags at t[b, e) count, given its
 * surroundings in t[0, n)? */
int ao_phrase_hit(const char *t, size_t n, size_t b, size_t e,
                  unsigned flags);

#endif /* AO_SIGNATURES_H */
