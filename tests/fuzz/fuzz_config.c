/*
 * fuzz_config.c - the option table and its checks (ao_config_apply,
 * ao_config_finish) over configuration trees decoded from the input.
 *
 * The input is read as a little program that builds an ao_conf_node_t tree
 * (what collectd's oconfig tree or the command-line flags become): each
 * node's key is one of the real option and block names in a random case,
 * or arbitrary bytes; it has 0-3 values, each a string (arbitrary bytes up
 * to NUL), a number (any 64-bit pattern: NaN, infinities, -0, huge) or a
 * boolean; and 0-3 children, up to depth 3 and 64 nodes. Byte 0 also says
 * whether the files come from the caller (the command-line tool's mode).
 *
 * Properties: no crash, leak or UB; a refused configuration always says why
 * (a non-empty message); an accepted one has 1 to 64 Logs with valid names,
 * a File each (unless from the caller) and tunables in their ranges.
 */
#include "fuzz.h"

#include "ao_config.h"

#include <string.h>
#include <strings.h>

#define MAX_NODES 64
#define MAX_DEPTH 3

typedef struct reader {
  const uint8_t *p, *end;
  size_t nodes;
} reader_t;

static uint8_t byte(reader_t *r) { return r->p < r->end ? *r->p++ : 0; }

/* A NUL-terminated string from the input (owned by the caller). */
static char *string(reader_t *r) {
  size_t n = byte(r) % 48;
  char *s = malloc(n + 1);
  FUZZ_CHECK(s != NULL);
  size_t k = 0;
  while (k < n && r->p < r->end) {
    char c = (char)*r->p++;
    if (c == '\0')
      break;
    s[k++] = c;
  }
  s[k] = '\0';
  return s;
}

static const char *const keys[] = {
    "GeoIPDatabase", "GeoIPCountryPath", "GeoIPCacheSize", "ShareWindow",
    "MinAttacks",    "MaxLineLength",    "Log",            "File",
    "Format",        "StartAt",          "Plugin",         "",
};

static char *key(reader_t *r) {
  uint8_t b = byte(r);
  if (b >= 0xe0)
    return string(r);
  const char *k = keys[b % (sizeof(keys) / sizeof(keys[0]))];
  char *s = strdup(k);
  FUZZ_CHECK(s != NULL);
  /* Random case: option names are matched ignoring case. */
  for (size_t i = 0; s[i]; i++)
    if (byte(r) & 1)
      s[i] = (char)(s[i] ^ 0x20 * ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'));
  return s;
}

static const char *const words[] = {"combined", "common",  "end",
                                    "beginning", "web",    "/tmp/ao.log",
                                    "country_code", "a.b", "Web"};

static void build(reader_t *r, ao_conf_node_t *n, int depth) {
  memset(n, 0, sizeof(*n));
  r->nodes++;
  n->key = key(r);
  size_t nv = byte(r) % 4;
  ao_value_t *v = calloc(nv ? nv : 1, sizeof(*v));
  FUZZ_CHECK(v != NULL);
  for (size_t i = 0; i < nv; i++) {
    uint8_t t = byte(r);
    switch (t % 4) {
    case 0:
      v[i].type = AO_VAL_STRING;
      v[i].s = string(r);
      break;
    case 1: {
      v[i].type = AO_VAL_STRING;
      v[i].s = strdup(words[byte(r) % (sizeof(words) / sizeof(words[0]))]);
      FUZZ_CHECK(v[i].s != NULL);
      break;
    }
    case 2: {
      v[i].type = AO_VAL_NUMBER;
      uint64_t bits = 0;
      if (t & 0x80) {
        for (int k = 0; k < 8; k++)
          bits = bits << 8 | byte(r);
        memcpy(&v[i].n, &bits, sizeof(bits));
      } else {
        v[i].n = (double)(int8_t)byte(r) * 256.0 + byte(r);
      }
      break;
    }
    default:
      v[i].type = AO_VAL_BOOLEAN;
      v[i].b = t & 0x10;
      break;
    }
  }
  n->values = v;
  n->nvalues = nv;
  size_t nc = depth < MAX_DEPTH ? byte(r) % 4 : 0;
  if (nc > 0 && r->nodes + nc <= MAX_NODES) {
    ao_conf_node_t *c = calloc(nc, sizeof(*c));
    FUZZ_CHECK(c != NULL);
    for (size_t i = 0; i < nc; i++)
      build(r, &c[i], depth + 1);
    n->children = c;
    n->nchildren = nc;
  }
}

static void destroy(ao_conf_node_t *n) {
  for (size_t i = 0; i < n->nchildren; i++)
    destroy((ao_conf_node_t *)&n->children[i]);
  free((void *)n->children);
  for (size_t i = 0; i < n->nvalues; i++)
    if (n->values[i].type == AO_VAL_STRING)
      free((void *)n->values[i].s);
  free((void *)n->values);
  free((void *)n->key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reader_t r = {data, data + size, 0};
  int from_caller = byte(&r) & 1;
  ao_conf_node_t root;
  build(&r, &root, 0);

  ao_config_t cfg;
  ao_config_init(&cfg);
  cfg.files_from_caller = from_caller;
  ao_err_t err;
  memset(&err, 0, sizeof(err));
  int rc = ao_config_apply(&cfg, &root, &err);
  if (rc == 0) {
    memset(&err, 0, sizeof(err));
    rc = ao_config_finish(&cfg, &err);
  }
  if (rc != 0) {
    FUZZ_CHECK(err.msg[0] != '\0');
  } else {
    FUZZ_CHECK(cfg.nlogs >= 1 && cfg.nlogs <= MAX_NODES);
    for (size_t i = 0; i < cfg.nlogs; i++) {
      const ao_log_config_t *l = &cfg.logs[i];
      FUZZ_CHECK(ao_config_valid_name(l->name));
      FUZZ_CHECK(from_caller || (l->file != NULL && l->file[0] != '\0'));
      FUZZ_CHECK(l->tun.max_line >= AO_MAX_LINE_MIN &&
                 l->tun.max_line <= AO_MAX_LINE_MAX);
      FUZZ_CHECK(l->tun.share_window >= 1);
      FUZZ_CHECK(l->tun.min_attacks >= 1);
      for (size_t j = 0; j < i; j++)
        FUZZ_CHECK(strcasecmp(cfg.logs[j].name, l->name) != 0);
    }
  }
  ao_config_free(&cfg);
  destroy(&root);
  return 0;
}
