/*
 * ao_report.h - the command-line tool's report: attacks, share and
 * categories per country, as a text table or one JSON document, and the
 * per-line verdicts as JSON lines.
 *
 * DESCRIPTION
 *   Pure formatting over the core's counters: countries sorted by attacks
 *   (most first, then by code), shares of all attacks in the input (the
 *   tool reads whole files, so there is no window), and totals.
 */
#ifndef AO_REPORT_H
#define AO_REPORT_H

#include "ao_counts.h"
#include "ao_pipeline.h"

#include <stdio.h>

typedef struct ao_report_input {
  const ao_counts_t *counts;
  ao_health_t health;
  size_t files;
  const char *geoip_path; /* NULL when no database was loaded */
  /* category names by index (built-in and user), NULL for unused indexes;
   * NULL: the built-in names */
  const ao_pipeline_t *pipeline;
} ao_report_input_t;

void ao_report_text(FILE *out, const ao_report_input_t *in);
void ao_report_json(FILE *out, const ao_report_input_t *in);

/* One verdict as a JSON object on one line. file is NULL to leave the
 * "file" key out (a single input). p names the categories (NULL: the
 * built-in names only). */
void ao_report_verdict(FILE *out, const ao_verdict_t *v, uint64_t line_no,
                       const char *file, const ao_pipeline_t *p);

/* Writes s as a JSON string (with quotes). */
void ao_report_json_string(FILE *out, const char *s);

#endif /* AO_REPORT_H */
