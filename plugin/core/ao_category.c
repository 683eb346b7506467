/*
 * ao_category.c - category names (see ao_category.h).
 */
#include "ao_category.h"

#include <stddef.h>
#include <string.h>

static const char *const names[AO_CAT_BUILTIN_COUNT] = {
    [AO_CAT_SQLI] = "sqli",       [AO_CAT_XSS] = "xss",
    [AO_CAT_TRAVERSAL] = "traversal", [AO_CAT_RCE] = "rce",
    [AO_CAT_SCANNER] = "scanner", [AO_CAT_PROBE] = "probe",
    [AO_CAT_AUTH] = "auth",       [AO_CAT_BRUTEFORCE] = "bruteforce",
};

const char *ao_category_name(int cat) {
  if (cat < 0 || cat >= AO_CAT_BUILTIN_COUNT)
    return NULL;
  return names[cat];
}

int ao_category_lookup(const char *name) {
  for (int i = 0; i < AO_CAT_BUILTIN_COUNT; i++)
    if (strcmp(names[i], name) == 0)
      return i;
  return -1;
}
