/*
 * ao_classify.h - decide which attack categories a request belongs to.
 *
 * DESCRIPTION
 *   ao_classify() looks at one parsed record and returns a bitmask of
 *   ao_category.h categories; 0 means "not an attack". It normalises first,
 *   into buffers owned by the classifier (no allocation per line):
 *   server escapes (`\xHH`, `\"`) are decoded back to bytes, the target is
 *   percent-decoded repeatedly (bounded: at most AO_DECODE_ROUNDS rounds),
 *   `+` becomes a space in the query, and everything is case-folded. Each
 *   category then looks at the parts where its attacks live (path, query,
 *   user agent, referer).
 *
 *   A classifier holds scratch buffers and is used by one thread at a time;
 *   create one per <Log>. Its tables are immutable.
 */
#ifndef AO_CLASSIFY_H
#define AO_CLASSIFY_H

#include "ao_category.h"
#include "ao_common.h"
#include "ao_record.h"

#define AO_DECODE_ROUNDS 3

typedef struct ao_classifier ao_classifier_t;

/* max_line bounds the fields it will be given (the tail's max_line).
 * Returns NULL with err filled on ENOMEM. */
ao_classifier_t *ao_classifier_create(size_t max_line, ao_err_t *err);
void ao_classifier_destroy(ao_classifier_t *c); /* NULL is a no-op */

ao_catmask_t ao_classify(ao_classifier_t *c, const ao_record_t *rec);

/* The work done so far: bytes scanned plus, for every check run, the bytes
 * it may read (a constant window), plus the bytes and tokens the SQL
 * structure rules examined. A deterministic measure of cost, so that tests
 * can prove classification linear in the input without a clock. */
uint64_t ao_classifier_work(const ao_classifier_t *c);

/* The memos of verdicts (ao_memo.h: targets, user agents, referers) are on
 * by default. Off, every field is classified from its bytes: the same
 * verdicts, for tests that prove it and benchmarks of the uncached path. */
void ao_classifier_set_memo(ao_classifier_t *c, int on);

/* Memo lookups and hits so far, per field: AO_MEMO_TARGET (targets, and
 * texts classified without a path), AO_MEMO_UA, AO_MEMO_REFERER, and
 * AO_MEMO_PATH (the path of a target that missed, when it has a query). */
enum { AO_MEMO_TARGET = 0, AO_MEMO_UA, AO_MEMO_REFERER, AO_MEMO_PATH };
void ao_classifier_memo_stats(const ao_classifier_t *c, int which,
                              uint64_t *lookups, uint64_t *hits);

#endif /* AO_CLASSIFY_H */
