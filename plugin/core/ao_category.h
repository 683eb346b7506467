/*
 * ao_category.h - attack categories and their names.
 *
 * DESCRIPTION
 *   A classification result is a bitmask of categories; a line with any bit
 *   set is one attack, whatever the number of bits. The built-in categories
 *   and their names are a contract with users' dashboards: never rename one.
 *   Indexes below AO_CAT_BUILTIN_COUNT are the built-ins; later categories
 *   (rate-based brute force, user rules) take the following indexes, up to
 *   AO_CAT_MAX in all.
 */
#ifndef AO_CATEGORY_H
#define AO_CATEGORY_H

#include <stdint.h>

enum {
  AO_CAT_SQLI = 0,  /* SQL injection */
  AO_CAT_XSS,       /* cross-site scripting */
  AO_CAT_TRAVERSAL, /* path traversal and local file inclusion */
  AO_CAT_RCE,       /* command and code injection */
  AO_CAT_SCANNER,   /* attack tools recognised by user agent */
  AO_CAT_PROBE,     /* requests for sensitive files and admin endpoints */
  AO_CAT_AUTH,      /* failed authentication (access logs: status 401) */
  AO_CAT_BRUTEFORCE, /* rate-based: repeated failures from one address */
  AO_CAT_BUILTIN_COUNT,
};

#define AO_CAT_MAX 32

typedef uint32_t ao_catmask_t;

#define AO_CAT_BIT(c) ((ao_catmask_t)1u << (c))

/* User categories (rules, signature files) take the indexes from
 * AO_CAT_BUILTIN_COUNT on; their names are [a-z0-9_], 1 to
 * AO_CAT_NAME_MAX bytes. */
#define AO_CAT_NAME_MAX 31

/* The lower-case name of a built-in category ("sqli", ...), or NULL. */
const char *ao_category_name(int cat);
/* The index of a built-in category by name, or -1. */
int ao_category_lookup(const char *name);

#endif /* AO_CATEGORY_H */
