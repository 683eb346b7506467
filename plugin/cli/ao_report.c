/*
 * ao_report.c - text and JSON reports (see ao_report.h).
 */
#include "ao_report.h"

#include "ao_category.h"

#include <stdlib.h>

/* Countries with attacks, sorted by attacks descending then code. */
static size_t sorted_countries(const ao_counts_t *c,
                               ao_country_t out[AO_COUNTRY_COUNT]) {
  size_t n = 0;
  for (ao_country_t cc = 0; cc < AO_COUNTRY_COUNT; cc++)
    if (c->attacks[cc] > 0)
      out[n++] = cc;
  /* Insertion sort: at most 676 entries, usually a few dozen. */
  for (size_t i = 1; i < n; i++) {
    ao_country_t x = out[i];
    size_t j = i;
    while (j > 0 && c->attacks[out[j - 1]] < c->attacks[x]) {
      out[j] = out[j - 1];
      j--;
    }
    out[j] = x;
  }
  return n;
}

static double share(const ao_counts_t *c, ao_country_t cc) {
  return c->total ? 100.0 * (double)c->attacks[cc] / (double)c->total : 0.0;
}

static uint64_t category_total(const ao_counts_t *c, int cat) {
  uint64_t sum = 0;
  for (ao_country_t cc = 0; cc < AO_COUNTRY_COUNT; cc++)
    sum += c->by_cat[cc][cat];
  return sum;
}

void ao_report_text(FILE *out, const ao_report_input_t *in) {
  const ao_counts_t *c = in->counts;
  const ao_health_t *h = &in->health;
  fprintf(out, "files: %zu  lines: %llu  unparsed: %llu  oversized: %llu",
          in->files, (unsigned long long)h->lines_read,
          (unsigned long long)h->lines_unparsed,
          (unsigned long long)h->lines_oversized);
  /* only formats that ignore lines (sshd) have any */
  if (h->lines_ignored > 0)
    fprintf(out, "  ignored: %llu", (unsigned long long)h->lines_ignored);
  fputc('\n', out);
  fprintf(out, "geoip: %s\n",
          in->geoip_path ? in->geoip_path : "none (every country is ZZ)");
  double pct_lines = h->lines_read ? 100.0 * (double)c->total /
                                         (double)h->lines_read
                                   : 0.0;
  fprintf(out, "attacks: %llu (%.2f%% of lines)\n\n",
          (unsigned long long)c->total, pct_lines);

  fprintf(out, "%-7s %10s %8s", "country", "attacks", "share");
  for (int cat = 0; cat < AO_CAT_BUILTIN_COUNT; cat++)
    fprintf(out, " %9s", ao_category_name(cat));
  fputc('\n', out);

  ao_country_t order[AO_COUNTRY_COUNT];
  size_t n = sorted_countries(c, order);
  for (size_t i = 0; i < n; i++) {
    char code[3];
    ao_country_code(order[i], code);
    fprintf(out, "%-7s %10llu %7.2f%%", code,
            (unsigned long long)c->attacks[order[i]], share(c, order[i]));
    for (int cat = 0; cat < AO_CAT_BUILTIN_COUNT; cat++)
      fprintf(out, " %9llu", (unsigned long long)c->by_cat[order[i]][cat]);
    fputc('\n', out);
  }
  fprintf(out, "%-7s %10llu %7.2f%%", "total", (unsigned long long)c->total,
          c->total ? 100.0 : 0.0);
  for (int cat = 0; cat < AO_CAT_BUILTIN_COUNT; cat++)
    fprintf(out, " %9llu", (unsigned long long)category_total(c, cat));
  fputc('\n', out);
}

void ao_report_json_string(FILE *out, const char *s) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      fprintf(out, "\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f)
      fprintf(out, "\\u%04x", *p);
    else
      fputc(*p, out);
  }
  fputc('"', out);
}

static void json_categories(FILE *out, const uint64_t *by_cat) {
  fputc('{', out);
  for (int cat = 0; cat < AO_CAT_BUILTIN_COUNT; cat++)
    fprintf(out, "%s\"%s\": %llu", cat ? ", " : "", ao_category_name(cat),
            (unsigned long long)by_cat[cat]);
  fputc('}', out);
}

void ao_report_json(FILE *out, const ao_report_input_t *in) {
  const ao_counts_t *c = in->counts;
  const ao_health_t *h = &in->health;
  fprintf(out, "{\"files\": %zu, \"lines_read\": %llu, \"lines_unparsed\": "
               "%llu, \"lines_oversized\": %llu, \"lines_ignored\": %llu, "
               "\"attacks\": %llu, ",
          in->files, (unsigned long long)h->lines_read,
          (unsigned long long)h->lines_unparsed,
          (unsigned long long)h->lines_oversized,
          (unsigned long long)h->lines_ignored, (unsigned long long)c->total);
  fputs("\"geoip_database\": ", out);
  if (in->geoip_path)
    ao_report_json_string(out, in->geoip_path);
  else
    fputs("null", out);

  uint64_t totals[AO_CAT_MAX] = {0};
  for (int cat = 0; cat < AO_CAT_BUILTIN_COUNT; cat++)
    totals[cat] = category_total(c, cat);
  fputs(", \"categories\": ", out);
  json_categories(out, totals);

  fputs(", \"countries\": [", out);
  ao_country_t order[AO_COUNTRY_COUNT];
  size_t n = sorted_countries(c, order);
  for (size_t i = 0; i < n; i++) {
    char code[3];
    ao_country_code(order[i], code);
    fprintf(out, "%s{\"country\": \"%s\", \"attacks\": %llu, \"share\": %.4f, "
                 "\"categories\": ",
            i ? ", " : "", code, (unsigned long long)c->attacks[order[i]],
            share(c, order[i]));
    json_categories(out, c->by_cat[order[i]]);
    fputc('}', out);
  }
  fputs("]}\n", out);
}

void ao_report_verdict(FILE *out, const ao_verdict_t *v, uint64_t line_no,
                       const char *file) {
  fprintf(out, "{\"line\": %llu", (unsigned long long)line_no);
  if (file != NULL) {
    fputs(", \"file\": ", out);
    ao_report_json_string(out, file);
  }
  if (v->addr_valid) {
    char ip[46];
    fprintf(out, ", \"ip\": \"%s\"", ao_ip_format(&v->ip, ip));
  } else {
    fputs(", \"ip\": null", out);
  }
  if (v->addr_valid || v->cats != 0) {
    char code[3];
    ao_country_code(v->country, code);
    fprintf(out, ", \"country\": \"%s\"", code);
  } else {
    fputs(", \"country\": null", out);
  }
  fputs(", \"categories\": [", out);
  int first = 1;
  for (ao_catmask_t m = v->cats; m != 0; m &= m - 1) {
    const char *name = ao_category_name(__builtin_ctz(m));
    if (name == NULL)
      continue;
    fprintf(out, "%s\"%s\"", first ? "" : ", ", name);
    first = 0;
  }
  fputc(']', out);
  if (v->parse_error)
    fputs(", \"parse_error\": true", out);
  if (v->ignored)
    fputs(", \"ignored\": true", out);
  if (v->attacks > 1)
    fprintf(out, ", \"attacks\": %u", v->attacks);
  fputs("}\n", out);
}
