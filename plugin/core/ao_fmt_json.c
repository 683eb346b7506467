/*
 * ao_fmt_json.c - JSON access logs through yajl (see ao_fmt_json.h).
 */
#include "ao_fmt_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* At most two paths per field: the user's or the preset's, and a fallback
 * (Caddy's remote_ip before client_ip existed). */
#define AO_JSON_TARGETS (AO_JF_COUNT * 2)

typedef struct ao_json_target {
  int field;
  int prio; /* 0 wins over 1 */
  size_t ncomp;
  char *comp[AO_JSON_PATH_DEPTH];
  size_t comp_n[AO_JSON_PATH_DEPTH];
} ao_json_target_t;

typedef struct ao_json_frame {
  int is_array;
  size_t level;  /* keys on the path to this container */
  uint32_t mask; /* targets whose path leads into this container */
} ao_json_frame_t;

typedef struct ao_json_arena {
  char *mem;
  size_t cap, used;
  size_t last; /* offset of the last block's header, for in-place growth */
} ao_json_arena_t;

struct ao_fmt_json {
  ao_json_target_t t[AO_JSON_TARGETS];
  size_t nt;
  size_t max_line; /* longer lines are refused: the arena is sized by it */
  ao_json_arena_t arena;
  yajl_alloc_funcs afs;
  char *scratch;
  size_t scratch_cap, scratch_used;
  /* per line */
  ao_json_frame_t stack[AO_JSON_MAX_DEPTH + 1];
  size_t depth;
  uint32_t value_mask; /* targets matching the path of the next value */
  size_t value_level;
  int done; /* the top-level object ended */
  int bad;  /* not one object */
  ao_slice_t val[AO_JF_COUNT];
  int val_prio[AO_JF_COUNT]; /* -1: unset */
  int val_target[AO_JF_COUNT];
  yajl_callbacks cb;
};

/* ---- arena --------------------------------------------------------------
 * Blocks are [size_t size][data], 16-byte aligned. free() gives back only
 * the last block; realloc() grows the last block in place. */

#define AO_ARENA_HDR 16

static void *ao_arena_malloc(void *ctx, size_t sz) {
  ao_json_arena_t *a = ctx;
  size_t need = AO_ARENA_HDR + ((sz + 15) & ~(size_t)15);
  if (a->cap - a->used < need)
    return NULL; /* cannot happen: see the sizing in ao_fmt_json.h */
  size_t off = a->used;
  memcpy(a->mem + off, &sz, sizeof(sz));
  a->last = off;
  a->used += need;
  return a->mem + off + AO_ARENA_HDR;
}

static void ao_arena_free(void *ctx, void *ptr) {
  ao_json_arena_t *a = ctx;
  if (ptr == NULL)
    return;
  size_t off = (size_t)((char *)ptr - a->mem) - AO_ARENA_HDR;
  if (off == a->last && a->used > off) {
    a->used = off;
  }
}

static void *ao_arena_realloc(void *ctx, void *ptr, size_t sz) {
  ao_json_arena_t *a = ctx;
  if (ptr == NULL)
    return ao_arena_malloc(ctx, sz);
  size_t off = (size_t)((char *)ptr - a->mem) - AO_ARENA_HDR;
  size_t old;
  memcpy(&old, a->mem + off, sizeof(old));
  if (off == a->last) {
    size_t need = AO_ARENA_HDR + ((sz + 15) & ~(size_t)15);
    if (a->cap - off < need)
      return NULL;
    memcpy(a->mem + off, &sz, sizeof(sz));
    a->used = off + need;
    return ptr;
  }
  void *n = ao_arena_malloc(ctx, sz);
  if (n != NULL)
    memcpy(n, ptr, old < sz ? old : sz);
  return n;
}

/* ---- paths ------------------------------------------------------------- */

static int ao_json_add_path(ao_fmt_json_t *j, int field, int prio,
                            const char *path, ao_err_t *err) {
  ao_json_target_t *t = &j->t[j->nt];
  memset(t, 0, sizeof(*t));
  t->field = field;
  t->prio = prio;
  size_t n = strlen(path);
  if (n == 0)
    return ao_err_set(err, "empty path");
  char *buf = malloc(n + 1);
  if (buf == NULL)
    return ao_err_set(err, "out of memory");
  size_t o = 0, start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && path[i] == '\\' && i + 1 < n && path[i + 1] == '.') {
      buf[o++] = '.';
      i++;
      continue;
    }
    if (i == n || path[i] == '.') {
      if (o == start) {
        free(buf);
        for (size_t k = 0; k < t->ncomp; k++)
          free(t->comp[k]);
        return ao_err_set(err,
                          "path \"%s\" has an empty component at "
                          "position %zu",
                          path, i + 1);
      }
      if (t->ncomp == AO_JSON_PATH_DEPTH) {
        free(buf);
        for (size_t k = 0; k < t->ncomp; k++)
          free(t->comp[k]);
        return ao_err_set(err, "path \"%s\" is deeper than %d keys", path,
                          AO_JSON_PATH_DEPTH);
      }
      char *c = malloc(o - start + 1);
      if (c == NULL) {
        free(buf);
        return ao_err_set(err, "out of memory");
      }
      memcpy(c, buf + start, o - start);
      c[o - start] = '\0';
      t->comp[t->ncomp] = c;
      t->comp_n[t->ncomp] = o - start;
      t->ncomp++;
      start = o;
      continue;
    }
    buf[o++] = path[i];
  }
  free(buf);
  j->nt++;
  return 0;
}

typedef struct ao_json_preset_paths {
  const char *path[AO_JF_COUNT];
  const char *fallback[AO_JF_COUNT];
} ao_json_preset_paths_t;

static const ao_json_preset_paths_t ao_json_caddy = {
    .path =
        {
            [AO_JF_CLIENT] = "request.client_ip",
            [AO_JF_XFF] = "request.headers.X-Forwarded-For",
            [AO_JF_METHOD] = "request.method",
            [AO_JF_URI] = "request.uri",
            [AO_JF_STATUS] = "status",
            [AO_JF_AGENT] = "request.headers.User-Agent",
            [AO_JF_REFERER] = "request.headers.Referer",
            [AO_JF_HOST] = "request.host",
            [AO_JF_PROTOCOL] = "request.proto",
            [AO_JF_TIME] = "ts",
        },
    .fallback = {[AO_JF_CLIENT] = "request.remote_ip"},
};

static const ao_json_preset_paths_t ao_json_traefik = {
    .path =
        {
            [AO_JF_CLIENT] = "ClientHost",
            [AO_JF_XFF] = "request_X-Forwarded-For",
            [AO_JF_METHOD] = "RequestMethod",
            [AO_JF_URI] = "RequestPath",
            [AO_JF_STATUS] = "DownstreamStatus",
            [AO_JF_AGENT] = "request_User-Agent",
            [AO_JF_REFERER] = "request_Referer",
            [AO_JF_HOST] = "RequestHost",
            [AO_JF_PROTOCOL] = "RequestProtocol",
            [AO_JF_TIME] = "StartUTC",
        },
    .fallback = {[AO_JF_CLIENT] = "ClientAddr"},
};

/* ---- callbacks --------------------------------------------------------- */

/* Matches the key at level `level` against the targets in mask. */
static uint32_t ao_json_filter(const ao_fmt_json_t *j, uint32_t mask,
                               size_t level, const unsigned char *key,
                               size_t n) {
  uint32_t out = 0;
  for (size_t i = 0; mask != 0 && i < j->nt; i++) {
    if (!(mask & (1u << i)))
      continue;
    const ao_json_target_t *t = &j->t[i];
    if (level < t->ncomp && t->comp_n[level] == n &&
        memcmp(t->comp[level], key, n) == 0)
      out |= 1u << i;
  }
  return out;
}

/* A scalar (string or number) arrived for the current path. */
static void ao_json_scalar(ao_fmt_json_t *j, const char *s, size_t n) {
  uint32_t m = j->value_mask;
  for (size_t i = 0; m != 0 && i < j->nt; i++) {
    if (!(m & (1u << i)))
      continue;
    const ao_json_target_t *t = &j->t[i];
    if (t->ncomp != j->value_level)
      continue;
    int f = t->field;
    int in_array = j->depth > 0 && j->stack[j->depth].is_array;
    if (j->val_prio[f] >= 0 && j->val_prio[f] < t->prio)
      continue; /* a better path already gave this field */
    if (j->val_prio[f] == t->prio && j->val_target[f] == (int)i) {
      /* a further element of the same array: append ", value" when the
       * previous one is the last thing in the scratch buffer */
      ao_slice_t *v = &j->val[f];
      if (!in_array || v->p + v->n != j->scratch + j->scratch_used ||
          j->scratch_cap - j->scratch_used < n + 2)
        continue;
      memcpy(j->scratch + j->scratch_used, ", ", 2);
      memcpy(j->scratch + j->scratch_used + 2, s, n);
      j->scratch_used += n + 2;
      v->n += n + 2;
      continue;
    }
    if (j->scratch_cap - j->scratch_used < n)
      continue;
    char *dst = j->scratch + j->scratch_used;
    memcpy(dst, s, n);
    j->scratch_used += n;
    j->val[f] = n == 0 ? AO_SLICE_EMPTY : (ao_slice_t){dst, n};
    j->val_prio[f] = t->prio;
    j->val_target[f] = (int)i;
  }
}

/* After a value inside a map, the next value needs a key again. */
static void ao_json_after_value(ao_fmt_json_t *j) {
  if (j->depth > 0 && !j->stack[j->depth].is_array)
    j->value_mask = 0;
}

static int ao_json_cb_null(void *ctx) {
  ao_json_after_value(ctx);
  return 1;
}

static int ao_json_cb_bool(void *ctx, int b) {
  (void)b;
  ao_json_after_value(ctx);
  return 1;
}

static int ao_json_cb_number(void *ctx, const char *s, size_t n) {
  ao_fmt_json_t *j = ctx;
  if (j->depth == 0)
    return j->bad = 1, 0;
  ao_json_scalar(j, s, n);
  ao_json_after_value(j);
  return 1;
}

static int ao_json_cb_string(void *ctx, const unsigned char *s, size_t n) {
  ao_fmt_json_t *j = ctx;
  if (j->depth == 0)
    return j->bad = 1, 0;
  ao_json_scalar(j, (const char *)s, n);
  ao_json_after_value(j);
  return 1;
}

static int ao_json_push(ao_fmt_json_t *j, int is_array) {
  if (j->depth == 0 && (j->done || is_array))
    return j->bad = 1, 0; /* a second value, or not an object */
  if (j->depth == AO_JSON_MAX_DEPTH)
    return j->bad = 1, 0;
  j->depth++;
  ao_json_frame_t *f = &j->stack[j->depth];
  f->is_array = is_array;
  f->level = j->depth == 1 ? 0 : j->value_level;
  f->mask = j->depth == 1 ? (j->nt >= 32 ? 0xFFFFFFFFu : (1u << j->nt) - 1u)
                          : j->value_mask;
  if (is_array) {
    j->value_mask = f->mask;
    j->value_level = f->level;
  } else {
    j->value_mask = 0;
  }
  return 1;
}

static int ao_json_pop(ao_fmt_json_t *j) {
  if (j->depth == 0)
    return j->bad = 1, 0;
  j->depth--;
  if (j->depth == 0) {
    j->done = 1;
    j->value_mask = 0;
    return 1;
  }
  ao_json_frame_t *f = &j->stack[j->depth];
  if (f->is_array) {
    j->value_mask = f->mask;
    j->value_level = f->level;
  } else {
    j->value_mask = 0;
  }
  return 1;
}

static int ao_json_cb_start_map(void *ctx) { return ao_json_push(ctx, 0); }
static int ao_json_cb_end_map(void *ctx) { return ao_json_pop(ctx); }
static int ao_json_cb_start_array(void *ctx) { return ao_json_push(ctx, 1); }
static int ao_json_cb_end_array(void *ctx) { return ao_json_pop(ctx); }

static int ao_json_cb_key(void *ctx, const unsigned char *key, size_t n) {
  ao_fmt_json_t *j = ctx;
  ao_json_frame_t *f = &j->stack[j->depth];
  j->value_mask = ao_json_filter(j, f->mask, f->level, key, n);
  j->value_level = f->level + 1;
  return 1;
}

/* ---- create / parse ---------------------------------------------------- */

ao_fmt_json_t *ao_fmt_json_create(ao_json_preset_t preset,
                                  const char *const paths[AO_JF_COUNT],
                                  size_t max_line, int *bad_field,
                                  ao_err_t *err) {
  if (bad_field != NULL)
    *bad_field = -1;
  ao_fmt_json_t *j = calloc(1, sizeof(*j));
  if (j == NULL) {
    ao_err_set(err, "out of memory");
    return NULL;
  }
  const ao_json_preset_paths_t *pp =
      preset == AO_JSON_PRESET_CADDY     ? &ao_json_caddy
      : preset == AO_JSON_PRESET_TRAEFIK ? &ao_json_traefik
                                         : NULL;
  for (int f = 0; f < AO_JF_COUNT; f++) {
    const char *user = paths != NULL ? paths[f] : NULL;
    const char *main = user != NULL ? user : pp != NULL ? pp->path[f] : NULL;
    if (main != NULL && ao_json_add_path(j, f, 0, main, err) != 0) {
      if (bad_field != NULL)
        *bad_field = f;
      ao_fmt_json_destroy(j);
      return NULL;
    }
    if (user == NULL && pp != NULL && pp->fallback[f] != NULL &&
        ao_json_add_path(j, f, 1, pp->fallback[f], err) != 0) {
      ao_fmt_json_destroy(j);
      return NULL;
    }
  }
  int has_client = 0;
  for (size_t i = 0; i < j->nt; i++)
    has_client |= j->t[i].field == AO_JF_CLIENT;
  if (!has_client) {
    if (bad_field != NULL)
      *bad_field = AO_JF_CLIENT;
    ao_err_set(err, "is required: the path of the client address");
    ao_fmt_json_destroy(j);
    return NULL;
  }
  j->max_line = max_line;
  j->arena.cap = 8 * max_line + 65536;
  j->arena.mem = malloc(j->arena.cap);
  j->scratch_cap = max_line + 16;
  j->scratch = malloc(j->scratch_cap);
  if (j->arena.mem == NULL || j->scratch == NULL) {
    ao_err_set(err, "out of memory");
    ao_fmt_json_destroy(j);
    return NULL;
  }
  j->afs = (yajl_alloc_funcs){ao_arena_malloc, ao_arena_realloc, ao_arena_free,
                              &j->arena};
  j->cb = (yajl_callbacks){
      .yajl_null = ao_json_cb_null,
      .yajl_boolean = ao_json_cb_bool,
      .yajl_number = ao_json_cb_number,
      .yajl_string = ao_json_cb_string,
      .yajl_start_map = ao_json_cb_start_map,
      .yajl_map_key = ao_json_cb_key,
      .yajl_end_map = ao_json_cb_end_map,
      .yajl_start_array = ao_json_cb_start_array,
      .yajl_end_array = ao_json_cb_end_array,
  };
  return j;
}

void ao_fmt_json_destroy(ao_fmt_json_t *j) {
  if (j == NULL)
    return;
  for (size_t i = 0; i < j->nt; i++)
    for (size_t k = 0; k < j->t[i].ncomp; k++)
      free(j->t[i].comp[k]);
  free(j->arena.mem);
  free(j->scratch);
  free(j);
}

static int ao_json_status(ao_slice_t s) {
  if (s.n != 3 || s.p[0] < '1' || s.p[0] > '9' || s.p[1] < '0' ||
      s.p[1] > '9' || s.p[2] < '0' || s.p[2] > '9')
    return -1;
  return (s.p[0] - '0') * 100 + (s.p[1] - '0') * 10 + (s.p[2] - '0');
}

int ao_fmt_json_parse(ao_fmt_json_t *j, const char *line, size_t n,
                      ao_record_t *rec) {
  if (j == NULL || line == NULL || rec == NULL)
    return -1;
  if (n > 0 && line[n - 1] == '\r')
    n--;
  if (n > j->max_line)
    return -1;
  /* Cheap refusals before yajl: a JSON object line starts with '{' and
   * ends with '}' (leading and trailing blanks allowed). */
  size_t a = 0, b = n;
  while (a < b && (line[a] == ' ' || line[a] == '\t'))
    a++;
  while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t'))
    b--;
  if (b - a < 2 || line[a] != '{' || line[b - 1] != '}')
    return -1;

  j->arena.used = 0;
  j->arena.last = 0;
  j->scratch_used = 0;
  j->depth = 0;
  j->value_mask = 0;
  j->value_level = 0;
  j->done = 0;
  j->bad = 0;
  for (int f = 0; f < AO_JF_COUNT; f++) {
    j->val[f] = AO_SLICE_EMPTY;
    j->val_prio[f] = -1;
    j->val_target[f] = -1;
  }
  yajl_handle h = yajl_alloc(&j->cb, &j->afs, j);
  if (h == NULL)
    return -1;
  yajl_config(h, yajl_dont_validate_strings, 1);
  yajl_status st = yajl_parse(h, (const unsigned char *)line + a, b - a);
  if (st == yajl_status_ok)
    st = yajl_complete_parse(h);
  yajl_free(h);
  if (st != yajl_status_ok || j->bad || !j->done)
    return -1;

  ao_record_t r;
  ao_record_clear(&r);
  r.addr = ao_record_dash(j->val[AO_JF_CLIENT]);
  if (r.addr.n == 0)
    return -1;
  r.xff = ao_record_dash(j->val[AO_JF_XFF]);
  r.host = ao_record_dash(j->val[AO_JF_HOST]);
  r.referer = ao_record_dash(j->val[AO_JF_REFERER]);
  r.user_agent = ao_record_dash(j->val[AO_JF_AGENT]);
  r.time = j->val[AO_JF_TIME];
  r.status = ao_json_status(j->val[AO_JF_STATUS]);
  r.request = ao_record_dash(j->val[AO_JF_REQUEST]);
  if (r.request.n > 0)
    ao_record_split_request(&r);
  if (r.method.n == 0)
    r.method = ao_record_dash(j->val[AO_JF_METHOD]);
  if (r.protocol.n == 0)
    r.protocol = ao_record_dash(j->val[AO_JF_PROTOCOL]);
  if (r.target.n == 0) {
    r.target = ao_record_dash(j->val[AO_JF_URI]);
    r.query = ao_record_dash(j->val[AO_JF_QUERY]);
  }
  if (r.target.n > 0)
    r.flags &= ~(unsigned)AO_REC_NOT_HTTP;
  *rec = r;
  return 0;
}
