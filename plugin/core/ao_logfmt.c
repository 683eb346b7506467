/*
 * ao_logfmt.c - access-log line parsers (see ao_logfmt.h).
 *
 * DESCRIPTION
 *   One hand-written, single-pass scanner for nginx/Apache `combined` and
 *   `common`. It works on (pointer, length) only: no strlen/strchr on the
 *   line, so NUL bytes are ordinary data. It never reads line[n] or beyond.
 *   It allocates nothing. Every step is a forward or backward scan over a
 *   disjoint part of the line, plus a constant-size look-ahead at each quote
 *   (at most 28 bytes). So a line costs O(n) whatever its content: there is
 *   no backtracking for thousands of quotes to blow up.
 *
 * WHAT THE SERVERS WRITE (and what we rely on)
 *   nginx escapes `"`, `\`, bytes 0x00-0x1F and 0x7F-0xFF in every variable
 *   as \xHH. Apache >= 2.0.46 escapes `"` and `\` as \" and \\ and control
 *   bytes as \xhh, \n, \t... Neither escapes a space. So in a modern log:
 *     - a quoted field never contains a raw `"`. The only raw quotes are
 *       field delimiters, plus Apache's empty user, which it logs as `""`;
 *     - %u can contain spaces and brackets, and an attacker controls it:
 *       nginx decodes $remote_user from any "Authorization: Basic" header,
 *       even where no authentication is configured.
 *   Apache 1.3/2.0 before 2.0.46 wrote %r, Referer and User-Agent raw, so
 *   their quoted fields may contain raw quotes. We support that for %r (see
 *   the request rule) and partly for the other two.
 *
 * GRAMMAR (SP is one 0x20 byte; nothing is trimmed)
 *   line     = ADDR SP IDENT SP USER SP "[" TIME "]" SP
 *              DQ REQUEST DQ SP STATUS SP SIZE tail
 *   common   : tail = "" | SP *any        (trailing fields are ignored)
 *   combined : tail = SP DQ REFERER DQ SP DQ AGENT DQ ( "" | SP *any )
 *   ADDR     = 1*(not SP)  returned as text; ao_ip_parse() judges it
 *   IDENT    = 1*(not SP)
 *   USER     = 1*any       may contain spaces (see above), never a raw
 *                          `"` except as Apache's exact `""`
 *   TIME     = 1*(not "[" / "]")  returned without the brackets, not
 *                          validated further
 *   STATUS   = 3DIGIT, first digit 1-9 (100..999)
 *   SIZE     = "-" | 1*20DIGIT
 *   One trailing CR is ignored (a CRLF log read by a LF reader).
 *
 *   How the fields are found, and why:
 *   1. ADDR is the first token and IDENT the second. Only the server writes
 *      them (the peer address, or an address that realip checked, and "-"
 *      or an identd reply), so nothing in the request can move them.
 *   2. The first raw `"` after IDENT opens REQUEST, unless it is Apache's
 *      empty user `"" `, which is skipped. USER cannot contain a raw quote,
 *      so a user name such as `a [x] "GET / HTTP/1.1" 200 1` (quotes
 *      escaped by the server) cannot fake the fields after it.
 *   3. The bytes just before that quote must be "] ". TIME starts after
 *      the *last* "[" before them. The server writes TIME and it contains
 *      no bracket, while USER may. The "[" must follow a space, with a
 *      non-empty USER between IDENT and that space.
 *   4. REQUEST ends at the first `"` that is not backslash-escaped and is
 *      followed by ` STATUS SIZE` and then ` "` (combined) or by the end of
 *      the line or a space (common). In a modern log that is simply the
 *      first unescaped quote. In old Apache logs, a raw quote inside %r
 *      that is not followed by that shape is kept as part of the request.
 *      Taking the *first* match means nothing in the referer or user agent
 *      can supply the status: for the UA `x\" 200 999 \"-\" \"y` the
 *      quotes are escaped and the real status was matched earlier.
 *      (Limitation: in an old Apache log, a raw `" 200 1 "` inside the
 *      request itself is indistinguishable from the real end. The address,
 *      taken from the first token, is never affected.)
 *   5. REFERER ends at the first unescaped `"` followed by ` "`, and AGENT
 *      at the first unescaped `"` followed by the end of the line or a
 *      space. We use a space rather than the last quote of the line because
 *      nginx `main` and many custom formats append fields such as
 *      "$http_x_forwarded_for" or request times. Everything after AGENT is
 *      ignored. (Old Apache raw UAs containing `" ` are cut at that quote;
 *      the status and address are still right.)
 *   Inside quoted fields a backslash escapes the next byte, whatever it is,
 *   so \" and \\ are never delimiters. Escapes are not decoded. If the
 *   request, referer or agent contains a backslash, AO_REC_ESCAPED is set.
 *
 * PARSE ERRORS (-1): the line lacks the structure above, that is
 *   - an empty line, or one without a space after ADDR (only spaces, a bare
 *     word), or with an empty ADDR or IDENT (a leading or double space);
 *   - no raw `"` after IDENT, or one not preceded by "] ", or no "[" after
 *     "SP USER SP", or an empty TIME or one containing "]" (unclosed or
 *     missing brackets, a missing ident/user field);
 *   - no unescaped quote after REQUEST's opening one that is followed by
 *     ` STATUS SP SIZE` and then ` "` (combined) or the end of the line or
 *     a space (common): truncated lines, status "-", "20", "2000", "099"
 *     or "abc", size "abc", "-5" or more than 20 digits, a missing or
 *     doubled space, a size glued to the next field;
 *   - combined only: no REFERER and AGENT (a `common` line), or either one
 *     unclosed, for example a line cut inside the user agent.
 *   Consequently ao_record_t.status is always 100..999 here, never -1.
 *
 * THE REQUEST LINE (AO_REC_NOT_HTTP)
 *   REQUEST = METHOD SP TARGET [SP PROTOCOL]
 *   METHOD   = 1*tchar (RFC 9110 token: letters, digits, !#$%&'*+-.^_`|~)
 *   PROTOCOL = "HTTP/" DIGIT *(DIGIT / ".") and is the request's last
 *              space-separated token when the request has more than two
 *   TARGET   = what lies between. It must not start or end with a space
 *              but may contain spaces, which nginx accepts in URIs.
 *   A request of two tokens ("GET /") is HTTP/0.9: method and target are
 *   set and protocol is empty. That is HTTP, not NOT_HTTP. Anything else
 *   still parses, with AO_REC_NOT_HTTP and empty method, target and
 *   protocol. This covers a "-" or "" request (connection closed or timed
 *   out before a request: nginx 400, Apache 408), where `request` is empty;
 *   binary scanners and TLS sent to a plain port ("\x16\x03\x01..."), whose
 *   method bytes are escaped and so not tchar; and a third token that is
 *   not an HTTP version. The check is structural only, so "t3 12.2.1" is a
 *   method and a target. Judging them is the classifier's job.
 */
#include "ao_logfmt.h"

#include "ao_bytescan.h"
#include "ao_fmt_apache.h"
#include "ao_fmt_nginx.h"
#include "ao_fmt_regex.h"
#include "ao_fmt_sshd.h"
#include "ao_fmtprog.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* "No position": a scan found nothing. */
#define AO_LF_NPOS ((size_t)-1)
/* 2^64-1 has 20 digits. A longer run is not a byte count. */
#define AO_LF_SIZE_DIGITS_MAX 20

struct ao_parser {
  ao_format_id_t id;
  ao_fmtprog_t *prog;    /* nginx, apache */
  ao_fmt_json_t *json;   /* json, caddy, traefik */
  ao_fmt_sshd_t *sshd;   /* sshd */
  ao_fmt_regex_t *regex; /* regex */
};

/* What must follow a quote for it to close the field being scanned. */
typedef enum ao_lf_close {
  AO_LF_CLOSE_REQUEST_COMBINED, /* ` STATUS SIZE "` */
  AO_LF_CLOSE_REQUEST_COMMON,   /* ` STATUS SIZE` then end of line or SP */
  AO_LF_CLOSE_REFERER,          /* ` "` */
  AO_LF_CLOSE_AGENT,            /* end of line or SP */
} ao_lf_close_t;

static const struct {
  const char *name;
  ao_format_id_t id;
} ao_formats[] = {
    {"combined", AO_FMT_COMBINED}, {"common", AO_FMT_COMMON},
    {"nginx", AO_FMT_NGINX},       {"apache", AO_FMT_APACHE},
    {"json", AO_FMT_JSON},         {"caddy", AO_FMT_CADDY},
    {"traefik", AO_FMT_TRAEFIK},   {"sshd", AO_FMT_SSHD},
    {"regex", AO_FMT_REGEX},
};

static ao_slice_t ao_lf_slice(const char *p, size_t n);
static ao_slice_t ao_lf_dash_empty(const char *p, size_t n);
static size_t ao_lf_find(const char *s, size_t n, size_t from, char c);
static AO_ALWAYS_INLINE size_t ao_lf_status_size(const char *s, size_t n,
                                                  size_t i, int *status);
static int ao_lf_closes(const char *s, size_t n, size_t q, ao_lf_close_t how,
                        size_t *after, int *status);
static AO_ALWAYS_INLINE size_t ao_lf_scan_quoted(const char *s, size_t n,
                                                  size_t i, ao_lf_close_t how,
                                                  unsigned *flags,
                                                  size_t *after, int *status);
static int ao_lf_head(const char *s, size_t n, ao_record_t *rec,
                      size_t *req_open);

int ao_format_lookup(const char *name, ao_format_id_t *out) {
  if (name == NULL)
    return -1;
  for (size_t i = 0; i < AO_ARRAY_SIZE(ao_formats); i++) {
    if (strcasecmp(name, ao_formats[i].name) == 0) {
      if (out != NULL)
        *out = ao_formats[i].id;
      return 0;
    }
  }
  return -1;
}

/* An id outside the enum gives "unknown" rather than NULL, so that callers
 * may pass the result straight to a %s. */
const char *ao_format_name(ao_format_id_t id) {
  for (size_t i = 0; i < AO_ARRAY_SIZE(ao_formats); i++)
    if (ao_formats[i].id == id)
      return ao_formats[i].name;
  return "unknown";
}

const char *ao_format_names(void) {
  return "\"combined\", \"common\", \"nginx\", \"apache\", \"json\", "
         "\"caddy\", \"traefik\", \"sshd\" or \"regex\"";
}

ao_parser_t *ao_parser_create(ao_format_id_t id, ao_err_t *err) {
  ao_parser_options_t o = {.format = id, .max_line = 65536};
  return ao_parser_create_opts(&o, err);
}

static const char *const ao_json_option_names[AO_JF_COUNT] = {
    [AO_JF_CLIENT] = "ClientField",     [AO_JF_XFF] = "XffField",
    [AO_JF_METHOD] = "MethodField",     [AO_JF_URI] = "URIField",
    [AO_JF_QUERY] = "QueryField",       [AO_JF_STATUS] = "StatusField",
    [AO_JF_AGENT] = "UserAgentField",   [AO_JF_REFERER] = "RefererField",
    [AO_JF_HOST] = "HostField",         [AO_JF_PROTOCOL] = "ProtocolField",
    [AO_JF_REQUEST] = "RequestField",   [AO_JF_TIME] = "TimeField",
};

ao_parser_t *ao_parser_create_opts(const ao_parser_options_t *o,
                                   ao_err_t *err) {
  ao_parser_t *p = calloc(1, sizeof(*p));
  if (p == NULL) {
    ao_err_set(err, "cannot create a \"%s\" parser: out of memory",
               ao_format_name(o->format));
    return NULL;
  }
  p->id = o->format;
  size_t max_line = o->max_line > 0 ? o->max_line : 65536;
  ao_err_t sub = {{0}};
  switch (o->format) {
  case AO_FMT_COMBINED:
  case AO_FMT_COMMON:
    return p;
  case AO_FMT_NGINX:
  case AO_FMT_APACHE:
    if (o->log_format == NULL) {
      ao_err_set(err, "LogFormat: required with Format \"%s\"",
                 ao_format_name(o->format));
      break;
    }
    if (o->format == AO_FMT_NGINX) {
      ao_fpescape_t esc = o->escape == AO_ESCAPE_JSON   ? AO_FPESC_JSON
                          : o->escape == AO_ESCAPE_NONE ? AO_FPESC_NONE
                                                        : AO_FPESC_BACKSLASH;
      p->prog = ao_fmt_nginx_compile(o->log_format, esc, max_line, &sub);
    } else {
      p->prog = ao_fmt_apache_compile(o->log_format, max_line, &sub);
    }
    if (p->prog != NULL)
      return p;
    ao_err_set(err, "LogFormat: %s", sub.msg);
    break;
  case AO_FMT_JSON:
  case AO_FMT_CADDY:
  case AO_FMT_TRAEFIK: {
    int bad = -1;
    ao_json_preset_t preset = o->format == AO_FMT_CADDY     ? AO_JSON_PRESET_CADDY
                              : o->format == AO_FMT_TRAEFIK ? AO_JSON_PRESET_TRAEFIK
                                                            : AO_JSON_PRESET_NONE;
    p->json = ao_fmt_json_create(preset, o->json, max_line, &bad, &sub);
    if (p->json != NULL)
      return p;
    if (bad >= 0 && bad < AO_JF_COUNT)
      ao_err_set(err, "%s: %s", ao_json_option_names[bad], sub.msg);
    else
      ao_err_set(err, "%s", sub.msg);
    break;
  }
  case AO_FMT_SSHD:
    p->sshd = ao_fmt_sshd_create(&sub);
    if (p->sshd != NULL)
      return p;
    ao_err_set(err, "%s", sub.msg);
    break;
  case AO_FMT_REGEX:
    if (o->regex == NULL) {
      ao_err_set(err, "Regex: required with Format \"regex\"");
      break;
    }
    p->regex = ao_fmt_regex_create(o->regex, &sub);
    if (p->regex != NULL)
      return p;
    ao_err_set(err, "Regex: %s", sub.msg);
    break;
  default:
    ao_err_set(err, "unknown log format id %d (expected %s)", (int)o->format,
               ao_format_names());
    break;
  }
  ao_parser_destroy(p);
  return NULL;
}

const char *ao_json_option_name(int field) {
  return field >= 0 && field < AO_JF_COUNT ? ao_json_option_names[field]
                                           : "?";
}

void ao_parser_destroy(ao_parser_t *p) {
  if (p == NULL)
    return;
  ao_fmtprog_free(p->prog);
  ao_fmt_json_destroy(p->json);
  ao_fmt_sshd_destroy(p->sshd);
  ao_fmt_regex_destroy(p->regex);
  free(p);
}

uint64_t ao_parser_regex_errors(const ao_parser_t *p) {
  return p != NULL ? ao_fmt_regex_errors(p->regex) : 0;
}

int ao_parser_parse(ao_parser_t *p, const char *line, size_t n,
                    ao_record_t *rec) {
  if (p == NULL || line == NULL || rec == NULL)
    return -1;
  switch (p->id) {
  case AO_FMT_NGINX:
  case AO_FMT_APACHE:
    return ao_fmtprog_match(p->prog, line, n, rec);
  case AO_FMT_JSON:
  case AO_FMT_CADDY:
  case AO_FMT_TRAEFIK:
    return ao_fmt_json_parse(p->json, line, n, rec);
  case AO_FMT_SSHD:
    return ao_fmt_sshd_parse(p->sshd, line, n, rec);
  case AO_FMT_REGEX:
    return ao_fmt_regex_parse(p->regex, line, n, rec);
  default:
    break;
  }
  if (n > 0 && line[n - 1] == '\r')
    n--;

  /* Filled in place: on an error the record is unspecified (see the
   * header), so nothing needs to be copied at the end. */
  ao_record_t *rp = rec;
  ao_record_clear(rp);
  size_t req_open = 0;
  if (ao_lf_head(line, n, rp, &req_open) != 0)
    return -1;

  int combined = p->id == AO_FMT_COMBINED;
  unsigned flags = 0;
  /* the closing rule matched ` STATUS SIZE` after the quote: its end and
   * the status come back with it */
  size_t after = 0;
  size_t req_close = ao_lf_scan_quoted(line, n, req_open + 1,
                                       combined ? AO_LF_CLOSE_REQUEST_COMBINED
                                                : AO_LF_CLOSE_REQUEST_COMMON,
                                       &flags, &after, &rp->status);
  if (req_close == AO_LF_NPOS)
    return -1;
  rp->request = ao_lf_dash_empty(line + req_open + 1, req_close - req_open - 1);
  ao_record_split_request(rp);

  if (combined) {
    /* The closing rule guaranteed line[after..] = ` "`. */
    size_t ref_open = after + 1;
    size_t ref_close = ao_lf_scan_quoted(line, n, ref_open + 1,
                                         AO_LF_CLOSE_REFERER, &flags, NULL,
                                         NULL);
    if (ref_close == AO_LF_NPOS)
      return -1;
    size_t ua_open = ref_close + 2;
    size_t ua_close = ao_lf_scan_quoted(line, n, ua_open + 1,
                                        AO_LF_CLOSE_AGENT, &flags, NULL, NULL);
    if (ua_close == AO_LF_NPOS)
      return -1;
    rp->referer =
        ao_lf_dash_empty(line + ref_open + 1, ref_close - ref_open - 1);
    rp->user_agent =
        ao_lf_dash_empty(line + ua_open + 1, ua_close - ua_open - 1);
    /* nginx's `main` format appends "$http_x_forwarded_for": a quoted field
     * right after the user agent is taken as the forwarded-for chain. It
     * is only ever read for a TrustedProxy peer (ao_xff). */
    if (n - ua_close >= 3 && line[ua_close + 1] == ' ' &&
        line[ua_close + 2] == '"') {
      unsigned xflags = 0;
      size_t x_open = ua_close + 2;
      size_t x_close = ao_lf_scan_quoted(line, n, x_open + 1,
                                         AO_LF_CLOSE_AGENT, &xflags, NULL,
                                         NULL);
      if (x_close != AO_LF_NPOS)
        rp->xff = ao_lf_dash_empty(line + x_open + 1, x_close - x_open - 1);
    }
  }

  rp->flags |= flags;
  return 0;
}

/* ADDR SP IDENT SP USER SP [TIME] SP, up to the quote opening REQUEST,
 * whose index goes to *req_open. Fills rec->addr and rec->time. */
static int ao_lf_head(const char *s, size_t n, ao_record_t *rec,
                      size_t *req_open) {
  size_t addr_end = ao_lf_find(s, n, 0, ' ');
  if (addr_end == AO_LF_NPOS || addr_end == 0)
    return -1;
  size_t ident = addr_end + 1;
  /* IDENT is "-" on nearly every line */
  size_t ident_end = n - ident > 2 && s[ident] == '-' && s[ident + 1] == ' '
                         ? ident + 1
                         : ao_lf_find(s, n, ident, ' ');
  if (ident_end == AO_LF_NPOS || ident_end == ident)
    return -1;
  size_t user = ident_end + 1;

  /* The servers' default: user "-" and the 26-byte time, then the quote.
   * When none of the time's bytes is a quote or a bracket, the rules in
   * the other branch read exactly this, so they need not search. */
  static const ao_byteset_t delims = {
      3, {'"', '[', ']'}, {['"'] = 1, ['['] = 1, [']'] = 1}};
  size_t q, time, time_end;
  if (n - user > 32 && s[user] == '-' && s[user + 1] == ' ' &&
      s[user + 2] == '[' && s[user + 29] == ']' && s[user + 30] == ' ' &&
      s[user + 31] == '"' && !ao_bytes_any(&delims, s + user + 3, 26)) {
    q = user + 31;
    time = user + 3;
    time_end = user + 29;
  } else {
    /* Apache writes an empty (but present) user name as `""`. It is the
     * only raw quote that can come before the request. */
    size_t from = user;
    if (n - user >= 3 && s[user] == '"' && s[user + 1] == '"' &&
        s[user + 2] == ' ')
      from = user + 2;
    q = ao_lf_find(s, n, from, '"');
    /* At least USER(1) SP "[" TIME(1) "]" SP lies between user and q. */
    if (q == AO_LF_NPOS || q - user < 6 || s[q - 1] != ' ' || s[q - 2] != ']')
      return -1;

    time_end = q - 2; /* the "]" */
    size_t b = time_end;
    /* Both servers' default time has 26 bytes ("10/Oct/2026:13:55:36
     * +0000"): when the "[" is where it puts it and no other "[" follows,
     * it is the last one, found without walking back byte by byte (a user
     * other than "-" comes here). */
    if (time_end >= user + 27 && s[time_end - 27] == '[' &&
        ao_find1(s + time_end - 26, 26, '[') == 26) {
      b = time_end - 26;
    } else {
      while (b > user && s[b - 1] != '[')
        b--;
    }
    if (b == user)
      return -1; /* no "[" at all */
    b--;         /* the "[" */
    /* The "[" follows " " and a non-empty USER: b - 1 > user. */
    if (b < user + 2 || s[b - 1] != ' ')
      return -1;
    time = b + 1;
    if (time == time_end ||
        ao_find1(s + time, time_end - time, ']') != time_end - time)
      return -1;
  }

  rec->addr = ao_lf_slice(s, addr_end);
  rec->time = ao_lf_slice(s + time, time_end - time);
  *req_open = q;
  return 0;
}

/* Scans a quoted field from s[i] (just after its opening quote). Returns
 * the index of the closing quote, or AO_LF_NPOS when the field is not
 * closed before n. A backslash escapes the next byte (whatever it is), so
 * the escape pairs \" and \\ are stepped over as units. A raw quote that
 * fails the closing rule is content (old Apache). Sets AO_REC_ESCAPED in
 * *flags when the field contains a backslash. */
static AO_ALWAYS_INLINE size_t ao_lf_scan_quoted(const char *s, size_t n,
                                                  size_t i, ao_lf_close_t how,
                                                  unsigned *flags,
                                                  size_t *after, int *status) {
  unsigned escaped = 0;
  while (i < n) {
    /* only a quote or a backslash can change anything: jump to the next */
    i += ao_find2(s + i, n - i, '"', '\\');
    if (i >= n)
      break;
    if (s[i] == '\\') {
      escaped = AO_REC_ESCAPED;
      i += 2; /* may step to n + 1: the loop condition ends the field */
      continue;
    }
    if (ao_lf_closes(s, n, i, how, after, status)) {
      *flags |= escaped;
      return i;
    }
    i++;
  }
  return AO_LF_NPOS;
}

/* Whether the quote at s[q] closes the field, judged only by the bytes
 * after it. The look-ahead is bounded: ` DDD ` (5), at most 21 size digits
 * (the 21st proves the run too long) and ` "` (2), so 28 bytes. For the
 * request, when it does, *after gets the index just after SIZE and *status
 * the status. */
static int ao_lf_closes(const char *s, size_t n, size_t q, ao_lf_close_t how,
                        size_t *after, int *status) {
  size_t end;
  int st;
  switch (how) {
  case AO_LF_CLOSE_REQUEST_COMBINED:
    end = ao_lf_status_size(s, n, q + 1, &st);
    if (end == AO_LF_NPOS || n - end < 2 || s[end] != ' ' || s[end + 1] != '"')
      return 0;
    *after = end;
    *status = st;
    return 1;
  case AO_LF_CLOSE_REQUEST_COMMON:
    end = ao_lf_status_size(s, n, q + 1, &st);
    if (end == AO_LF_NPOS || (end != n && s[end] != ' '))
      return 0;
    *after = end;
    *status = st;
    return 1;
  case AO_LF_CLOSE_REFERER:
    return n - q >= 3 && s[q + 1] == ' ' && s[q + 2] == '"';
  case AO_LF_CLOSE_AGENT:
    return q + 1 == n || s[q + 1] == ' ';
  }
  return 0;
}

/* The end of the run of ASCII digits from s[j], looking no further than
 * lim. Where 8 bytes are left, 8 at a time: a byte is a digit when its high
 * nibble is 3 and its low nibble plus 6 stays below 16 (no byte carries
 * into the next: 15 + 6 < 256); the first byte that is not shows in the
 * lowest non-zero byte of the mask. */
static AO_ALWAYS_INLINE size_t ao_lf_digits(const char *s, size_t j,
                                             size_t lim) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    defined(__GNUC__)
  while (lim - j >= 8) {
    uint64_t w;
    memcpy(&w, s + j, 8);
    uint64_t bad = ((w & 0xf0f0f0f0f0f0f0f0ull) ^ 0x3030303030303030ull) |
                   (((w & 0x0f0f0f0f0f0f0f0full) + 0x0606060606060606ull) &
                    0xf0f0f0f0f0f0f0f0ull);
    if (bad != 0)
      return j + (size_t)__builtin_ctzll(bad) / 8u;
    j += 8;
  }
#endif
  while (j < lim && (unsigned)((unsigned char)s[j] - '0') <= 9u)
    j++;
  return j;
}

/* Matches ` STATUS SP SIZE` at s[i]. Returns the index just after SIZE and
 * sets *status, or returns AO_LF_NPOS. */
static AO_ALWAYS_INLINE size_t ao_lf_status_size(const char *s, size_t n,
                                                  size_t i, int *status) {
  /* SP D D D SP and at least one byte of SIZE. */
  if (i >= n || n - i < 6)
    return AO_LF_NPOS;
  const unsigned char *u = (const unsigned char *)s + i;
  /* unsigned differences: one compare per digit (a byte below '0' wraps) */
  unsigned d1 = u[1] - (unsigned)'1', d2 = u[2] - (unsigned)'0',
           d3 = u[3] - (unsigned)'0';
  if (u[0] != ' ' || d1 > 8u || d2 > 9u || d3 > 9u || u[4] != ' ')
    return AO_LF_NPOS;
  size_t j = i + 5;
  if (s[j] == '-') {
    j++;
  } else {
    /* at most one digit more than allowed is read: it proves the run too
     * long */
    size_t start = j;
    size_t lim = n - j > AO_LF_SIZE_DIGITS_MAX ? j + AO_LF_SIZE_DIGITS_MAX + 1
                                               : n;
    j = ao_lf_digits(s, j, lim);
    if (j == start || j - start > AO_LF_SIZE_DIGITS_MAX)
      return AO_LF_NPOS;
  }
  *status = (int)((d1 + 1u) * 100u + d2 * 10u + d3);
  return j;
}

static size_t ao_lf_find(const char *s, size_t n, size_t from, char c) {
  if (from >= n)
    return AO_LF_NPOS;
  size_t k = from + ao_find1(s + from, n - from, (unsigned char)c);
  return k >= n ? AO_LF_NPOS : k;
}

static ao_slice_t ao_lf_slice(const char *p, size_t n) {
  return n == 0 ? AO_SLICE_EMPTY : (ao_slice_t){p, n};
}

/* Both servers write "-" for an absent value. */
static ao_slice_t ao_lf_dash_empty(const char *p, size_t n) {
  if (n == 1 && p[0] == '-')
    return AO_SLICE_EMPTY;
  return ao_lf_slice(p, n);
}
