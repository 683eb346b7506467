/*
 * ao_cliconf.c - a collectd configuration file reader for the command-line
 * tool (see ao_cliconf.h).
 */
#include "ao_cliconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A node under construction: growable arrays. */
typedef struct bnode {
  char *key;
  ao_value_t *values;
  size_t nvalues, cvalues;
  struct bnode *children;
  size_t nchildren, cchildren;
  int line;
} bnode_t;

typedef struct parser {
  const char *file;
  char *text;
  size_t n, i;
  int line;
  ao_err_t *err;
} parser_t;

static int perr(parser_t *p, int line, const char *msg) {
  return ao_err_set(p->err, "%s:%d: %s", p->file, line, msg);
}

/* "<what> <name><what2>" messages about a block */
static int perr_block(parser_t *p, int line, const char *a, const char *name,
                      const char *b) {
  char msg[400];
  snprintf(msg, sizeof(msg), "%s%s%s", a, name, b);
  return perr(p, line, msg);
}

static void bnode_free(bnode_t *b) {
  free(b->key);
  for (size_t i = 0; i < b->nvalues; i++)
    if (b->values[i].type == AO_VAL_STRING)
      free((char *)b->values[i].s);
  free(b->values);
  for (size_t i = 0; i < b->nchildren; i++)
    bnode_free(&b->children[i]);
  free(b->children);
}

static int add_value(bnode_t *b, ao_value_t v) {
  if (b->nvalues == b->cvalues) {
    size_t nc = b->cvalues ? b->cvalues * 2 : 4;
    ao_value_t *a = realloc(b->values, nc * sizeof(*a));
    if (a == NULL)
      return -1;
    b->values = a;
    b->cvalues = nc;
  }
  b->values[b->nvalues++] = v;
  return 0;
}

static bnode_t *add_child(bnode_t *b) {
  if (b->nchildren == b->cchildren) {
    size_t nc = b->cchildren ? b->cchildren * 2 : 8;
    bnode_t *a = realloc(b->children, nc * sizeof(*a));
    if (a == NULL)
      return NULL;
    b->children = a;
    b->cchildren = nc;
  }
  bnode_t *c = &b->children[b->nchildren++];
  memset(c, 0, sizeof(*c));
  return c;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Skips blanks, comments and line continuations within a statement. */
static void skip_blanks(parser_t *p) {
  for (;;) {
    while (p->i < p->n && is_blank(p->text[p->i]))
      p->i++;
    if (p->i + 1 < p->n && p->text[p->i] == '\\' &&
        (p->text[p->i + 1] == '\n' ||
         (p->text[p->i + 1] == '\r' && p->i + 2 < p->n &&
          p->text[p->i + 2] == '\n'))) {
      p->i += p->text[p->i + 1] == '\n' ? 2 : 3;
      p->line++;
      continue;
    }
    if (p->i < p->n && p->text[p->i] == '#') {
      while (p->i < p->n && p->text[p->i] != '\n')
        p->i++;
    }
    return;
  }
}

static int word_char(char c) {
  return c != '\0' && !is_blank(c) && c != '\n' && c != '"' && c != '<' &&
         c != '>' && c != '#';
}

/* Reads one value (string, number, boolean, bare word) into b. */
static int read_value(parser_t *p, bnode_t *b) {
  char c = p->text[p->i];
  if (c == '"') {
    size_t cap = 64, len = 0;
    char *s = malloc(cap);
    if (s == NULL)
      return ao_err_set(p->err, "out of memory");
    p->i++;
    for (;;) {
      if (p->i >= p->n || p->text[p->i] == '\n') {
        free(s);
        return perr(p, p->line, "unterminated string");
      }
      char d = p->text[p->i++];
      if (d == '"')
        break;
      if (d == '\\' && p->i < p->n && p->text[p->i] != '\n')
        d = p->text[p->i++];
      if (len + 2 > cap) {
        cap *= 2;
        char *t = realloc(s, cap);
        if (t == NULL) {
          free(s);
          return ao_err_set(p->err, "out of memory");
        }
        s = t;
      }
      s[len++] = d;
    }
    s[len] = '\0';
    if (add_value(b, (ao_value_t){.type = AO_VAL_STRING, .s = s}) != 0) {
      free(s);
      return ao_err_set(p->err, "out of memory");
    }
    return 0;
  }
  size_t start = p->i;
  while (p->i < p->n && word_char(p->text[p->i]))
    p->i++;
  size_t len = p->i - start;
  char *w = strndup(p->text + start, len);
  if (w == NULL)
    return ao_err_set(p->err, "out of memory");
  char *end = NULL;
  errno = 0;
  double num = strtod(w, &end);
  ao_value_t v;
  if (len > 0 && errno == 0 && end != NULL && *end == '\0') {
    v = (ao_value_t){.type = AO_VAL_NUMBER, .n = num};
    free(w);
  } else if (strcasecmp(w, "true") == 0 || strcasecmp(w, "yes") == 0 ||
             strcasecmp(w, "on") == 0) {
    v = (ao_value_t){.type = AO_VAL_BOOLEAN, .b = 1};
    free(w);
  } else if (strcasecmp(w, "false") == 0 || strcasecmp(w, "no") == 0 ||
             strcasecmp(w, "off") == 0) {
    v = (ao_value_t){.type = AO_VAL_BOOLEAN, .b = 0};
    free(w);
  } else {
    v = (ao_value_t){.type = AO_VAL_STRING, .s = w};
  }
  if (add_value(b, v) != 0) {
    if (v.type == AO_VAL_STRING)
      free(w);
    return ao_err_set(p->err, "out of memory");
  }
  return 0;
}

static int read_key(parser_t *p, char **key) {
  size_t start = p->i;
  while (p->i < p->n &&
         ((p->text[p->i] >= 'A' && p->text[p->i] <= 'Z') ||
          (p->text[p->i] >= 'a' && p->text[p->i] <= 'z') ||
          (p->text[p->i] >= '0' && p->text[p->i] <= '9') ||
          p->text[p->i] == '_' || p->text[p->i] == '-' ||
          p->text[p->i] == '.'))
    p->i++;
  if (p->i == start)
    return perr(p, p->line, "expected an option name");
  *key = strndup(p->text + start, p->i - start);
  return *key == NULL ? ao_err_set(p->err, "out of memory") : 0;
}

/* Reads statements into parent until </close> (or the end when close is
 * NULL). */
static int read_block(parser_t *p, bnode_t *parent, const char *close,
                      int open_line) {
  for (;;) {
    skip_blanks(p);
    if (p->i >= p->n) {
      if (close != NULL)
        return perr_block(p, open_line, "block <", close, "> is never closed");
      return 0;
    }
    char c = p->text[p->i];
    if (c == '\n') {
      p->i++;
      p->line++;
      continue;
    }
    int line = p->line;
    if (c == '<' && p->i + 1 < p->n && p->text[p->i + 1] == '/') {
      p->i += 2;
      char *key = NULL;
      if (read_key(p, &key) != 0)
        return -1;
      skip_blanks(p);
      int ok = p->i < p->n && p->text[p->i] == '>';
      p->i++;
      if (!ok) {
        free(key);
        return perr(p, line, "expected '>'");
      }
      if (close == NULL || strcasecmp(key, close) != 0) {
        int rc = perr_block(p, line, "unexpected </", key, ">");
        free(key);
        return rc;
      }
      free(key);
      return 0;
    }
    bnode_t *node = add_child(parent);
    if (node == NULL)
      return ao_err_set(p->err, "out of memory");
    node->line = line;
    int block = c == '<';
    if (block)
      p->i++;
    if (read_key(p, &node->key) != 0)
      return -1;
    for (;;) {
      skip_blanks(p);
      if (p->i >= p->n || p->text[p->i] == '\n')
        break;
      if (block && p->text[p->i] == '>')
        break;
      if (read_value(p, node) != 0)
        return -1;
    }
    if (block) {
      if (p->i >= p->n || p->text[p->i] != '>')
        return perr_block(p, line, "block <", node->key, "> lacks its '>'");
      p->i++;
      skip_blanks(p);
      if (read_block(p, node, node->key, line) != 0)
        return -1;
    }
  }
}

/* Line numbers of the converted nodes: ao_conf_node_t has no room for
 * them, so every children array gets a parallel array of lines, and this
 * registry finds a node's line by address (ao_cliconf_line()). */
typedef struct lines_entry {
  const ao_conf_node_t *nodes;
  int *lines;
  size_t n;
} lines_entry_t;

static lines_entry_t *registry;
static size_t nregistry, cregistry;

static int register_lines(const ao_conf_node_t *nodes, int *lines, size_t n) {
  if (nregistry == cregistry) {
    size_t nc = cregistry ? cregistry * 2 : 16;
    lines_entry_t *a = realloc(registry, nc * sizeof(*a));
    if (a == NULL)
      return -1;
    registry = a;
    cregistry = nc;
  }
  registry[nregistry++] = (lines_entry_t){nodes, lines, n};
  return 0;
}

int ao_cliconf_line(const ao_conf_node_t *node) {
  for (size_t i = 0; node != NULL && i < nregistry; i++) {
    const lines_entry_t *e = &registry[i];
    if (node >= e->nodes && node < e->nodes + e->n)
      return e->lines[node - e->nodes];
  }
  return 0;
}

/* Turns the built tree into ao_conf_node_t (same layout, const arrays). */
static int convert(const bnode_t *b, ao_conf_node_t *out) {
  *out = (ao_conf_node_t){.key = b->key, .values = b->values,
                          .nvalues = b->nvalues};
  if (b->nchildren > 0) {
    ao_conf_node_t *kids = calloc(b->nchildren, sizeof(*kids));
    int *lines = calloc(b->nchildren, sizeof(*lines));
    if (kids == NULL || lines == NULL || register_lines(kids, lines,
                                                        b->nchildren) != 0) {
      free(kids);
      free(lines);
      return -1;
    }
    for (size_t i = 0; i < b->nchildren; i++) {
      lines[i] = b->children[i].line;
      if (convert(&b->children[i], &kids[i]) != 0)
        return -1;
    }
    out->children = kids;
    out->nchildren = b->nchildren;
  }
  return 0;
}

/* The converted tree shares key and value storage with the built one; the
 * built one's arrays of children are freed, the rest stays owned by the
 * converted tree. */
static void release_children(bnode_t *b) {
  for (size_t i = 0; i < b->nchildren; i++)
    release_children(&b->children[i]);
  free(b->children);
}

int ao_cliconf_read(const char *path, ao_conf_node_t *root, ao_err_t *err) {
  memset(root, 0, sizeof(*root));
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return ao_err_set(err, "cannot open %s: %s", path, strerror(errno));
  size_t cap = 4096, n = 0;
  char *text = malloc(cap);
  size_t k;
  while (text != NULL && (k = fread(text + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (cap - n - 1 == 0) {
      char *t = realloc(text, cap * 2);
      if (t == NULL) {
        free(text);
        text = NULL;
        break;
      }
      text = t;
      cap *= 2;
    }
  }
  int rerr = ferror(f);
  fclose(f);
  if (text == NULL)
    return ao_err_set(err, "%s: out of memory", path);
  if (rerr) {
    free(text);
    return ao_err_set(err, "cannot read %s", path);
  }
  text[n] = '\0';
  parser_t p = {path, text, n, 0, 1, err};
  bnode_t top = {0};
  int rc = read_block(&p, &top, NULL, 0);
  free(text);
  if (rc != 0) {
    bnode_free(&top);
    return -1;
  }
  /* merge the children of every <Plugin attack_origin> block */
  bnode_t merged = {0};
  int found = 0;
  for (size_t i = 0; i < top.nchildren; i++) {
    bnode_t *c = &top.children[i];
    if (strcasecmp(c->key, "Plugin") != 0 || c->nvalues != 1 ||
        c->values[0].type != AO_VAL_STRING ||
        strcasecmp(c->values[0].s, "attack_origin") != 0)
      continue;
    found = 1;
    for (size_t j = 0; j < c->nchildren; j++) {
      bnode_t *slot = add_child(&merged);
      if (slot == NULL) {
        bnode_free(&merged);
        bnode_free(&top);
        return ao_err_set(err, "%s: out of memory", path);
      }
      *slot = c->children[j];
    }
    c->nchildren = 0; /* moved */
  }
  bnode_free(&top);
  if (!found) {
    bnode_free(&merged);
    return ao_err_set(err, "%s: no <Plugin attack_origin> block", path);
  }
  merged.key = strdup("Plugin");
  if (merged.key == NULL || convert(&merged, root) != 0) {
    bnode_free(&merged);
    ao_cliconf_free(root);
    return ao_err_set(err, "%s: out of memory", path);
  }
  release_children(&merged);
  return 0;
}

static void free_tree(ao_conf_node_t *root) {
  for (size_t i = 0; i < root->nchildren; i++)
    free_tree((ao_conf_node_t *)&root->children[i]);
  free((void *)root->children);
  free((char *)root->key);
  for (size_t i = 0; i < root->nvalues; i++)
    if (root->values[i].type == AO_VAL_STRING)
      free((char *)root->values[i].s);
  free((void *)root->values);
  memset(root, 0, sizeof(*root));
}

void ao_cliconf_free(ao_conf_node_t *root) {
  free_tree(root);
  for (size_t i = 0; i < nregistry; i++)
    free(registry[i].lines);
  free(registry);
  registry = NULL;
  nregistry = cregistry = 0;
}
