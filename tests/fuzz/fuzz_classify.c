/*
 * fuzz_classify.c - the classifier (ao_classify, with ao_normalize and
 * ao_acmatch under it).
 *
 * Input: byte 0 selects the mode.
 *   even: the rest is a combined line; when it parses, its record is
 *         classified (the path a log line really takes);
 *   odd:  the rest is split at 0x00 bytes into target, query, user agent,
 *         referer and request, and the record is built directly, with the
 *         status from byte 1 and the flags from byte 2, so the classifier
 *         also sees field contents no parser would hand it.
 * Properties: no crash, no out-of-bounds access, no UB, no allocation
 * failure; only known category bits; the same record classifies the same
 * way twice, and the same as by a classifier with its memos off (the
 * target, user-agent and referer memos must not change a verdict).
 */
#include "fuzz.h"

#include "ao_category.h"
#include "ao_classify.h"
#include "ao_logfmt.h"

#include <string.h>

#define MAX_LINE 65536

static ao_classifier_t *cls;
static ao_classifier_t *cls_nomemo;
static ao_parser_t *parser;

static ao_slice_t next_field(const char **p, const char *end) {
  const char *s = *p;
  if (s >= end)
    return (ao_slice_t){"", 0};
  const char *z = memchr(s, 0, (size_t)(end - s));
  const char *e = z ? z : end;
  *p = z ? z + 1 : end;
  return (ao_slice_t){s, (size_t)(e - s)};
}

static void classify_twice(const ao_record_t *r) {
  ao_catmask_t a = ao_classify(cls, r);
  ao_catmask_t b = ao_classify(cls, r);
  FUZZ_CHECK(a == b);
  FUZZ_CHECK(ao_classify(cls_nomemo, r) == a);
  FUZZ_CHECK((a & ~((AO_CAT_BIT(AO_CAT_BUILTIN_COUNT)) - 1u)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (cls == NULL) {
    ao_err_t err;
    cls = ao_classifier_create(MAX_LINE, &err);
    cls_nomemo = ao_classifier_create(MAX_LINE, &err);
    parser = ao_parser_create(AO_FMT_COMBINED, &err);
    FUZZ_CHECK(cls != NULL && cls_nomemo != NULL && parser != NULL);
    ao_classifier_set_memo(cls_nomemo, 0);
  }
  if (size < 3 || size > MAX_LINE)
    return 0;
  char *buf = malloc(size);
  FUZZ_CHECK(buf != NULL);
  memcpy(buf, data, size);
  if ((data[0] & 1) == 0) {
    ao_record_t r;
    if (ao_parser_parse(parser, buf + 1, size - 1, &r) == 0)
      classify_twice(&r);
  } else {
    const char *p = buf + 3, *end = buf + size;
    ao_record_t r;
    memset(&r, 0, sizeof(r));
    r.target = next_field(&p, end);
    r.query = next_field(&p, end);
    r.user_agent = next_field(&p, end);
    r.referer = next_field(&p, end);
    r.request = next_field(&p, end);
    r.addr = r.time = r.method = r.protocol = r.xff = r.host =
        (ao_slice_t){"", 0};
    static const int statuses[] = {-1, 200, 301, 400, 401, 403, 404, 410, 500};
    r.status = statuses[(uint8_t)buf[1] % (sizeof(statuses) / sizeof(int))];
    r.flags = (unsigned)(uint8_t)buf[2] & 0x0f;
    classify_twice(&r);
  }
  free(buf);
  return 0;
}
