/*
 * ao_rules.h - user rules of one Log: <Rule> and <Exclude> blocks and
 * SignatureFile phrase lists.
 *
 * DESCRIPTION
 *   A <Rule NAME> makes a line an attack of its Category when every
 *   condition it gives holds; an <Exclude NAME> makes a line no attack at
 *   all (own scanners, health checks, partner networks) when every
 *   condition it gives holds. Conditions (ao_config.h, ao_rule_config_t):
 *
 *     Method     one of the methods (ASCII case ignored)
 *     Status     one of the statuses or ranges (404, "400-499", "4xx")
 *     Path       PCRE2 regex on the path as logged (before '?')
 *     Query      PCRE2 regex on the query string as logged (after '?')
 *     UserAgent  PCRE2 regex on the user agent as logged
 *     Referer    PCRE2 regex on the referer as logged
 *     Address    one of the client networks (CIDR)
 *
 *   "As logged" means the bytes of the log line, server escapes and
 *   percent-encoding included: what the user sees in the file and tests
 *   with `attack-origin scan`. Regexes are case-sensitive unless they say
 *   (?i), run through ao_regex (JIT, match/depth/heap limits): a match that
 *   hits a limit is no match and counts in ao_rules_errors() (the
 *   rule_errors self-metric). An absent field (a referer logged as "-")
 *   matches no regex. A line without a valid address matches no Address.
 *
 *   A SignatureFile "path" "category" "field" loads phrases in the format
 *   of OWASP CRS .data files (one per line, '#' comments, blank lines
 *   ignored) and makes a line an attack of that category when a phrase
 *   occurs in the field: user_agent (folded), referer (decoded), path
 *   (decoded and canonical: ".." resolved) or query (decoded), with the
 *   phrase conventions of ao_signatures.h (short phrases are tokens; path
 *   phrases starting with '/' start a segment). Files are read when the
 *   configuration is applied and again when the pipeline is built; a
 *   missing file or a bad line refuses the configuration, naming the line.
 *
 *   Evaluation order for a line (ao_pipeline_line): Excludes first - an
 *   excluded line is no attack and feeds no brute-force bucket - then the
 *   built-in categories (limited by Categories), the brute-force buckets,
 *   the SignatureFiles and the Rules, which add their categories.
 *
 *   Cost: each Rule and Exclude evaluates its cheap conditions (method,
 *   status, address) first and its regexes only when those hold; the
 *   SignatureFiles are one Aho-Corasick pass per field used. An ao_rules_t
 *   belongs to one pipeline (one thread at a time).
 */
#ifndef AO_RULES_H
#define AO_RULES_H

#include "ao_category.h"
#include "ao_common.h"
#include "ao_config.h"
#include "ao_ip.h"
#include "ao_record.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ao_rules ao_rules_t;

/* Compiles the Log's rules and loads its signature files. max_line bounds
 * the fields (scratch buffers are allocated here). Returns NULL with err
 * filled (naming the rule or the file and line) on a mistake or ENOMEM. */
ao_rules_t *ao_rules_create(const ao_log_config_t *log, size_t max_line,
                            ao_err_t *err);
void ao_rules_destroy(ao_rules_t *r); /* NULL is a no-op */

/* Does some condition need the client address (an Address condition)? */
int ao_rules_need_address(const ao_rules_t *r);
/* Are there Excludes / Rules or signature files at all? */
int ao_rules_have_excludes(const ao_rules_t *r);
int ao_rules_have_matches(const ao_rules_t *r);

/* 1 when an <Exclude> matches the record; ip is NULL when the address is
 * not known to be valid. */
int ao_rules_excluded(ao_rules_t *r, const ao_record_t *rec,
                      const ao_ip_t *ip);

/* The categories of the <Rule>s and SignatureFiles that match. */
ao_catmask_t ao_rules_match(ao_rules_t *r, const ao_record_t *rec,
                            const ao_ip_t *ip);

/* Regex matches stopped by a limit or an error, over all rules. */
uint64_t ao_rules_errors(const ao_rules_t *r);

/* Configuration-time checks (ao_config.c): the regex compiles; the
 * signature file is readable and every phrase usable (*count receives the
 * number of phrases). Return 0, or -1 with err filled. */
int ao_rules_check_regex(const char *pattern, ao_err_t *err);
int ao_rules_check_sigfile(const char *path, int path_field, size_t *count,
                           ao_err_t *err);

#endif /* AO_RULES_H */
