/*
 * ao_fmt_sshd.c - sshd messages (see ao_fmt_sshd.h).
 *
 * Every scan works on (pointer, length); nothing reads past n or allocates.
 */
#include "ao_fmt_sshd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define AO_SSHD_NPOS ((size_t)-1)
#define AO_SSHD_ADDR_MAX 64
#define AO_SSHD_PROBE 8

/* What a message means for its connection. */
typedef enum ao_sshd_kind {
  AO_SK_NONE = 0, /* an sshd line, no event */
  AO_SK_FAIL,     /* a failed attempt */
  AO_SK_ANNOUNCE, /* an attempt is announced (Invalid user, PAM) */
  AO_SK_END,      /* the connection ends failed (counts if nothing did) */
  AO_SK_SCAN,     /* a scanner */
  AO_SK_ACCEPT,   /* a login succeeded */
  AO_SK_CLOSE,    /* the connection ends, no event by itself */
  AO_SK_KEYFAIL,  /* a public key of a valid user was refused: clients
                     try every key they hold, so only a connection that
                     then ends without login counts (as AO_SK_END) */
} ao_sshd_kind_t;

typedef struct ao_sshd_conn {
  uint64_t key;
  uint64_t seen; /* line number, 0: free */
  char addr[AO_SSHD_ADDR_MAX];
  uint8_t addr_n;
  uint8_t waiting; /* a counted announcement waits for its Failed line */
  uint8_t counted; /* an attack was counted for this connection */
  uint8_t scanned; /* a scanner event was counted */
  uint8_t pending; /* an event without address waits: AO_SK_* */
  uint8_t keyfail; /* keys were refused, no login yet */
} ao_sshd_conn_t;

struct ao_fmt_sshd {
  uint64_t line_no;
  ao_sshd_conn_t conn[AO_SSHD_SLOTS];
  /* bare messages: a kex failure waits for "Connection closed by A" */
  uint64_t kex_pending_line;
};

typedef struct ao_sshd_msg {
  ao_sshd_kind_t kind;
  ao_slice_t addr;
  unsigned repeat;
  int final;   /* the connection's last line (closed, reset, disconnected) */
  int preauth; /* the message ended with " [preauth]" */
} ao_sshd_msg_t;

/* ---- small scanners ----------------------------------------------------- */

/* Inline at every call: their literal's length and compares are then
 * constants (as calls, strlen() and memcmp() took a fifth of an sshd
 * line's time). */

static AO_ALWAYS_INLINE int ao_sd_prefix(const char *s, size_t n,
                                         const char *lit) {
  size_t k = strlen(lit);
  return n >= k && memcmp(s, lit, k) == 0;
}

static AO_ALWAYS_INLINE int ao_sd_suffix(const char *s, size_t n,
                                         const char *lit) {
  size_t k = strlen(lit);
  return n >= k && memcmp(s + n - k, lit, k) == 0;
}

/* First occurrence of lit in s[from..n), or NPOS. */
static AO_ALWAYS_INLINE size_t ao_sd_find(const char *s, size_t n, size_t from,
                                          const char *lit) {
  size_t k = strlen(lit);
  if (k == 0 || from > n || n - from < k)
    return AO_SSHD_NPOS;
  for (size_t i = from; i + k <= n; i++) {
    const char *hit = memchr(s + i, lit[0], n - i - k + 1);
    if (hit == NULL)
      return AO_SSHD_NPOS;
    i = (size_t)(hit - s);
    if (memcmp(s + i, lit, k) == 0)
      return i;
  }
  return AO_SSHD_NPOS;
}

/* Last occurrence of lit in s[0..n), or NPOS. */
static AO_ALWAYS_INLINE size_t ao_sd_rfind(const char *s, size_t n,
                                           const char *lit) {
  size_t k = strlen(lit);
  if (k == 0 || n < k)
    return AO_SSHD_NPOS;
  for (size_t i = n - k + 1; i-- > 0;)
    if (s[i] == lit[0] && memcmp(s + i, lit, k) == 0)
      return i;
  return AO_SSHD_NPOS;
}

static int ao_sd_digit(char c) { return c >= '0' && c <= '9'; }

/* Strips a trailing " <word> DIGITS" (e.g. " port 22", " id 0"). */
static AO_ALWAYS_INLINE size_t ao_sd_strip_num(const char *s, size_t n,
                                               const char *word) {
  size_t e = n;
  while (e > 0 && ao_sd_digit(s[e - 1]))
    e--;
  if (e == n)
    return n;
  size_t k = strlen(word);
  if (e >= k + 2 && s[e - 1] == ' ' && memcmp(s + e - 1 - k, word, k) == 0 &&
      s[e - 2 - k] == ' ')
    return e - 2 - k;
  return n;
}

/* The last space-free token of s[0..n) if it is preceded by " <word> " or
 * by "<word> " at the start; else an empty slice. */
static AO_ALWAYS_INLINE ao_slice_t ao_sd_last_after(const char *s, size_t n,
                                                    const char *word) {
  size_t b = n;
  while (b > 0 && s[b - 1] != ' ')
    b--;
  if (b == n)
    return AO_SLICE_EMPTY;
  size_t k = strlen(word);
  if (b >= k + 1 && memcmp(s + b - 1 - k, word, k) == 0 &&
      (b == k + 1 || s[b - 2 - k] == ' '))
    return (ao_slice_t){s + b, n - b};
  return AO_SLICE_EMPTY;
}

/* End-anchored "... from ADDR[ port N][ sshN]" in s[0..n). */
static ao_slice_t ao_sd_from_port(const char *s, size_t n) {
  if (ao_sd_suffix(s, n, " ssh2") || ao_sd_suffix(s, n, " ssh1"))
    n -= 5;
  n = ao_sd_strip_num(s, n, "port");
  return ao_sd_last_after(s, n, "from");
}

/* End-anchored "... ADDR port N" (disconnect messages; user before). */
static ao_slice_t ao_sd_addr_port(const char *s, size_t n) {
  size_t e = ao_sd_strip_num(s, n, "port");
  if (e == n)
    return AO_SLICE_EMPTY;
  size_t b = e;
  while (b > 0 && s[b - 1] != ' ')
    b--;
  return b < e ? (ao_slice_t){s + b, e - b} : AO_SLICE_EMPTY;
}

/* The space-free token at s[i..n), with a trailing ':' or ',' removed. */
static ao_slice_t ao_sd_token(const char *s, size_t n, size_t i) {
  size_t e = i;
  while (e < n && s[e] != ' ')
    e++;
  if (e > i && (s[e - 1] == ':' || s[e - 1] == ','))
    e--;
  return e > i ? (ao_slice_t){s + i, e - i} : AO_SLICE_EMPTY;
}

/* Cuts s[from..n) at the first ": " (the user before it cannot hold ':'). */
static size_t ao_sd_cut_colon(const char *s, size_t n, size_t from) {
  size_t c = ao_sd_find(s, n, from, ": ");
  return c == AO_SSHD_NPOS ? n : c;
}

/* ---- messages ---------------------------------------------------------- */

/* Classifies message m[0..n) (prefixes removed). */
static void ao_sd_message(const char *m, size_t n, ao_sshd_msg_t *out) {
  out->kind = AO_SK_NONE;
  out->addr = AO_SLICE_EMPTY;
  out->repeat = 1;
  out->final = 0;
  int preauth = 0;
  if (ao_sd_suffix(m, n, " [preauth]")) {
    n -= 10;
    preauth = 1;
  }
  out->preauth = preauth;
  /* "error: " / "fatal: " say how bad, not what. */
  if (ao_sd_prefix(m, n, "error: ") || ao_sd_prefix(m, n, "fatal: ")) {
    m += 7;
    n -= 7;
  }

  if (ao_sd_prefix(m, n, "message repeated ")) {
    size_t i = 17;
    unsigned long times = 0;
    while (i < n && ao_sd_digit(m[i]) && times <= AO_SSHD_REPEAT_MAX)
      times = times * 10 + (unsigned long)(m[i++] - '0');
    if (!ao_sd_prefix(m + i, n - i, " times: [ ") || m[n - 1] != ']')
      return;
    ao_sd_message(m + i + 10, n - i - 11, out);
    if (times > AO_SSHD_REPEAT_MAX)
      times = AO_SSHD_REPEAT_MAX;
    if (out->kind == AO_SK_FAIL && times >= 1)
      out->repeat = (unsigned)times;
    return;
  }

  /* Failed / Accepted / Postponed <method> for [invalid user ]U from A ... */
  int failed = ao_sd_prefix(m, n, "Failed ");
  int accepted = ao_sd_prefix(m, n, "Accepted ");
  if (failed || accepted || ao_sd_prefix(m, n, "Postponed ")) {
    size_t f = ao_sd_find(m, n, 0, " for ");
    if (f == AO_SSHD_NPOS)
      return;
    size_t end = ao_sd_cut_colon(m, n, f + 5);
    out->addr = ao_sd_from_port(m, end);
    if (failed && ao_sd_prefix(m, n, "Failed none "))
      out->kind = AO_SK_ANNOUNCE;
    else if (failed && ao_sd_prefix(m, n, "Failed publickey ") &&
             !ao_sd_prefix(m + f + 5, n - f - 5, "invalid user "))
      out->kind = AO_SK_KEYFAIL;
    else if (failed)
      out->kind = AO_SK_FAIL;
    else if (accepted)
      out->kind = AO_SK_ACCEPT;
    return;
  }
  if (ao_sd_prefix(m, n, "Invalid user ") ||
      ao_sd_prefix(m, n, "Illegal user ")) {
    out->addr = ao_sd_from_port(m, n);
    out->kind = AO_SK_ANNOUNCE;
    return;
  }
  if (ao_sd_prefix(m, n, "User ")) {
    /* User U from A not allowed because <server text> */
    size_t k = ao_sd_rfind(m, n, " not allowed because ");
    if (k == AO_SSHD_NPOS)
      return;
    out->addr = ao_sd_last_after(m, k, "from");
    out->kind = AO_SK_ANNOUNCE;
    return;
  }
  if (ao_sd_prefix(m, n, "pam_unix(sshd:auth): authentication failure;") ||
      ao_sd_prefix(m, n,
                   "pam_unix(sshd-session:auth): authentication "
                   "failure;")) {
    size_t r = ao_sd_find(m, n, 0, " rhost=");
    if (r == AO_SSHD_NPOS)
      return;
    out->addr = ao_sd_token(m, n, r + 7);
    out->kind = AO_SK_ANNOUNCE;
    return;
  }
  if (ao_sd_prefix(m, n, "PAM: ")) {
    /* PAM: Authentication failure for U from H[ via X] (auth-pam.c) */
    size_t e = n;
    size_t v = ao_sd_rfind(m, e, " via ");
    if (v != AO_SSHD_NPOS && memchr(m + v + 5, ' ', e - v - 5) == NULL)
      e = v;
    ao_slice_t a = ao_sd_last_after(m, e, "from");
    if (a.n == 0)
      return;
    out->addr = a;
    out->kind = AO_SK_ANNOUNCE;
    return;
  }
  if (ao_sd_prefix(m, n, "ROOT LOGIN REFUSED FROM ")) {
    out->addr = ao_sd_token(m, ao_sd_strip_num(m, n, "port"), 24);
    out->kind = AO_SK_ANNOUNCE;
    return;
  }
  if (ao_sd_prefix(m, n, "refused connect from ")) {
    /* refused connect from NAME (ADDR) */
    if (m[n - 1] != ')')
      return;
    size_t o = n - 1;
    while (o > 0 && m[o - 1] != '(')
      o--;
    if (o == 0 || o == n - 1)
      return;
    out->addr = (ao_slice_t){m + o, n - 1 - o};
    out->kind = AO_SK_ANNOUNCE;
    return;
  }
  if (ao_sd_prefix(m, n, "maximum authentication attempts exceeded for ")) {
    size_t end = ao_sd_cut_colon(m, n, 46);
    out->addr = ao_sd_from_port(m, end);
    out->kind = AO_SK_END;
    return;
  }
  if (ao_sd_prefix(m, n, "Disconnecting: Too many authentication failures")) {
    out->kind = AO_SK_END; /* old OpenSSH: no address, the PID has it */
    return;
  }
  if (ao_sd_prefix(m, n, "Disconnecting ")) {
    /* Disconnecting (invalid|authenticating) user U A port P: reason */
    size_t end = ao_sd_cut_colon(m, n, 14);
    out->addr = ao_sd_addr_port(m, end);
    if (ao_sd_prefix(m, n, "Disconnecting invalid user ") ||
        ao_sd_prefix(m, n, "Disconnecting authenticating user "))
      out->kind = AO_SK_END;
    else
      out->kind = AO_SK_CLOSE;
    return;
  }
  int closed = ao_sd_prefix(m, n, "Connection closed by ");
  int reset = ao_sd_prefix(m, n, "Connection reset by ");
  int discon = ao_sd_prefix(m, n, "Disconnected from ");
  if (closed || reset || discon) {
    size_t skip = closed ? 21 : reset ? 20 : 18;
    int user = ao_sd_prefix(m + skip, n - skip, "invalid user ") ||
               ao_sd_prefix(m + skip, n - skip, "authenticating user ");
    out->addr = ao_sd_addr_port(m, n);
    if (out->addr.n == 0) {
      /* old OpenSSH: "Connection closed by A" without port */
      ao_slice_t t = ao_sd_token(m, n, skip);
      if (t.p != NULL && t.p + t.n == m + n && !user)
        out->addr = t;
    }
    out->kind = user && preauth ? AO_SK_END : AO_SK_CLOSE;
    out->final = 1;
    return;
  }
  if (ao_sd_prefix(m, n, "Received disconnect from ")) {
    /* Received disconnect from A port P:CODE: text  /  from A: CODE: text */
    out->addr = ao_sd_token(m, n, 25);
    size_t i = 25 + out->addr.n;
    if (ao_sd_prefix(m + i, n - i, " port ")) {
      i += 6;
      while (i < n && ao_sd_digit(m[i]))
        i++;
    }
    while (i < n && (m[i] == ':' || m[i] == ' '))
      i++;
    unsigned code = 0;
    while (i < n && ao_sd_digit(m[i]) && code < 1000)
      code = code * 10 + (unsigned)(m[i++] - '0');
    if ((preauth && code == 14) ||
        (code == 3 && ao_sd_suffix(m, n, "Auth fail")))
      out->kind = AO_SK_END;
    else
      out->kind = AO_SK_CLOSE;
    out->final = 1;
    return;
  }
  if (ao_sd_prefix(m, n, "Did not receive identification string from ") ||
      ao_sd_prefix(m, n, "Bad protocol version identification ")) {
    out->addr = ao_sd_from_port(m, n);
    out->kind = AO_SK_SCAN;
    return;
  }
  if (ao_sd_prefix(m, n, "banner exchange: Connection from ")) {
    out->addr = ao_sd_token(m, n, 33);
    out->kind = AO_SK_SCAN;
    return;
  }
  if (ao_sd_prefix(m, n, "ssh_dispatch_run_fatal: Connection from ")) {
    size_t end = ao_sd_cut_colon(m, n, 40);
    out->addr = ao_sd_addr_port(m, end);
    out->kind = AO_SK_SCAN;
    return;
  }
  if (ao_sd_prefix(m, n, "Unable to negotiate with ")) {
    out->addr = ao_sd_token(m, n, 25);
    out->kind = AO_SK_SCAN;
    return;
  }
  if (ao_sd_prefix(m, n, "Unable to negotiate a key exchange method") ||
      ao_sd_prefix(m, n, "no matching ") ||
      ao_sd_prefix(m, n, "kex_exchange_identification: ")) {
    out->kind = AO_SK_SCAN; /* no address: the connection has it */
    return;
  }
  if (ao_sd_prefix(m, n, "Timeout before authentication for ")) {
    if (ao_sd_prefix(m + 34, n - 34, "connection from "))
      out->addr = ao_sd_token(m, n, 50);
    else
      out->addr = ao_sd_addr_port(m, n).n > 0 ? ao_sd_addr_port(m, n)
                                              : ao_sd_token(m, n, 34);
    out->kind = AO_SK_SCAN;
    return;
  }
  if (ao_sd_prefix(m, n, "Protocol major versions differ for ")) {
    size_t end = ao_sd_cut_colon(m, n, 35);
    out->addr = ao_sd_token(m, end, 35);
    out->kind = AO_SK_SCAN;
    return;
  }
  /* Lines that only tell the address of the connection. */
  if (ao_sd_prefix(m, n, "Connection from ")) {
    out->addr = ao_sd_token(m, n, 16);
    return;
  }
  if (ao_sd_prefix(m, n, "Starting session: ") ||
      ao_sd_prefix(m, n, "Close session: ")) {
    out->addr = ao_sd_from_port(m, ao_sd_strip_num(m, n, "id"));
    return;
  }
  if (ao_sd_prefix(m, n, "SSH: Server;")) {
    size_t r = ao_sd_find(m, n, 0, ";Remote: ");
    if (r != AO_SSHD_NPOS) {
      size_t e = r + 9;
      while (e < n && m[e] != ';')
        e++;
      size_t d = e;
      while (d > r + 9 && m[d - 1] != '-')
        d--;
      if (d > r + 10)
        out->addr = (ao_slice_t){m + r + 9, d - 1 - r - 9};
    }
    return;
  }
}

/* Whether a bare line (no syslog prefix) is an sshd message at all. */
static int ao_sd_known_bare(const char *m, size_t n, const ao_sshd_msg_t *msg) {
  if (msg->kind != AO_SK_NONE || msg->addr.n > 0)
    return 1;
  static const char *const known[] = {
      "Server listening on ",
      "Received signal ",
      "pam_unix(sshd",
      "PAM ",
      "input_userauth_request: ",
      "Postponed ",
      "User child is on pid ",
      "Read from socket failed",
      "error: ",
      "fatal: ",
      "Transferred: ",
      "Exiting on signal ",
      "Starting session: ",
      "Close session: ",
  };
  for (size_t i = 0; i < AO_ARRAY_SIZE(known); i++)
    if (ao_sd_prefix(m, n, known[i]))
      return 1;
  return 0;
}

/* ---- syslog prefixes ----------------------------------------------------- */

static int ao_sd_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int ao_sd_lower(char c) { return c >= 'a' && c <= 'z'; }

/* "Mmm dd hh:mm:ss " / "Mmm  d hh:mm:ss " / "Mmm d hh:mm:ss ": length of
 * the timestamp (without the space), or 0. */
static size_t ao_sd_bsd_time(const char *s, size_t n) {
  if (n < 15 || !ao_sd_upper(s[0]) || !ao_sd_lower(s[1]) ||
      !ao_sd_lower(s[2]) || s[3] != ' ')
    return 0;
  size_t i = 4;
  if (s[i] == ' ')
    i++;
  if (!ao_sd_digit(s[i]))
    return 0;
  i++;
  if (i < n && ao_sd_digit(s[i]))
    i++;
  if (n - i < 9 || s[i] != ' ')
    return 0;
  i++;
  const char *t = s + i;
  if (!ao_sd_digit(t[0]) || !ao_sd_digit(t[1]) || t[2] != ':' ||
      !ao_sd_digit(t[3]) || !ao_sd_digit(t[4]) || t[5] != ':' ||
      !ao_sd_digit(t[6]) || !ao_sd_digit(t[7]))
    return 0;
  return i + 8;
}

/* RFC 3339: YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm): length, or 0. */
static size_t ao_sd_iso_time(const char *s, size_t n) {
  if (n < 20 || !ao_sd_digit(s[0]) || !ao_sd_digit(s[3]) || s[4] != '-' ||
      s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
    return 0;
  size_t i = 19;
  while (i < n && s[i] != ' ')
    i++;
  return i;
}

typedef struct ao_sd_prefix_info {
  ao_slice_t time;
  ao_slice_t host;
  ao_slice_t prog;
  uint64_t pid;
  int has_pid;
  size_t msg; /* offset of the message */
} ao_sd_prefix_t;

/* A tag: name[pid]: | name: | [name]: | [name] | name[pid]. Returns its
 * length (without the following space) or 0. */
static size_t ao_sd_tag(const char *s, size_t n, ao_sd_prefix_t *pi) {
  size_t e = 0;
  while (e < n && s[e] != ' ')
    e++;
  if (e == 0)
    return 0;
  size_t k = e;
  int colon = s[k - 1] == ':';
  if (colon)
    k--;
  if (k >= 2 && s[0] == '[' && s[k - 1] == ']') {
    pi->prog = (ao_slice_t){s + 1, k - 2};
    return e;
  }
  if (k >= 3 && s[k - 1] == ']') {
    size_t o = k - 1;
    while (o > 0 && s[o - 1] != '[')
      o--;
    if (o == 0)
      return 0;
    uint64_t pid = 0;
    for (size_t i = o; i < k - 1; i++) {
      if (!ao_sd_digit(s[i]))
        return 0;
      pid = pid * 10 + (uint64_t)(s[i] - '0');
    }
    pi->prog = (ao_slice_t){s, o - 1};
    pi->pid = pid;
    pi->has_pid = 1;
    return e;
  }
  if (colon) {
    pi->prog = (ao_slice_t){s, k};
    return e;
  }
  return 0;
}

/* Parses a syslog prefix. Returns 1 with *pi filled, 0 when the line has
 * no timestamp (a bare message), -1 when it has a timestamp but no tag. */
static int ao_sd_syslog(const char *s, size_t n, ao_sd_prefix_t *pi) {
  memset(pi, 0, sizeof(*pi));
  size_t i;
  if (n > 4 && s[0] == '<') {
    /* RFC 5424: <PRI>1 TS HOST APP PROCID MSGID SD MSG */
    size_t j = 1;
    while (j < n && j < 5 && ao_sd_digit(s[j]))
      j++;
    if (j == 1 || j + 2 >= n || s[j] != '>' || s[j + 1] != '1' ||
        s[j + 2] != ' ')
      return 0;
    size_t f[5];
    size_t fl[5];
    size_t p = j + 3;
    for (int k = 0; k < 5; k++) {
      size_t e = p;
      while (e < n && s[e] != ' ')
        e++;
      if (e == p || e >= n)
        return -1;
      f[k] = p;
      fl[k] = e - p;
      p = e + 1;
    }
    /* structured data: "-" or [..][..] with quoted values */
    if (p < n && s[p] == '-') {
      p++;
    } else {
      while (p < n && s[p] == '[') {
        int q = 0;
        p++;
        while (p < n) {
          if (q && s[p] == '\\') {
            p += 2;
            continue;
          }
          if (s[p] == '"')
            q = !q;
          else if (!q && s[p] == ']')
            break;
          p++;
        }
        if (p >= n)
          return -1;
        p++;
      }
    }
    if (p < n && s[p] == ' ')
      p++;
    pi->time = (ao_slice_t){s + f[0], fl[0]};
    pi->host = (ao_slice_t){s + f[1], fl[1]};
    pi->prog = (ao_slice_t){s + f[2], fl[2]};
    uint64_t pid = 0;
    int ok = fl[3] > 0;
    for (size_t k = 0; k < fl[3]; k++) {
      if (!ao_sd_digit(s[f[3] + k]))
        ok = 0;
      else
        pid = pid * 10 + (uint64_t)(s[f[3] + k] - '0');
    }
    pi->pid = pid;
    pi->has_pid = ok;
    pi->msg = p > n ? n : p;
    return 1;
  }
  i = ao_sd_bsd_time(s, n);
  if (i == 0)
    i = ao_sd_iso_time(s, n);
  if (i == 0)
    return 0;
  pi->time = (ao_slice_t){s, i};
  if (i >= n || s[i] != ' ')
    return -1;
  i++;
  /* HOST? TAG */
  size_t t = ao_sd_tag(s + i, n - i, pi);
  if (t == 0) {
    size_t e = i;
    while (e < n && s[e] != ' ')
      e++;
    if (e == i || e >= n)
      return -1;
    pi->host = (ao_slice_t){s + i, e - i};
    i = e + 1;
    t = ao_sd_tag(s + i, n - i, pi);
    if (t == 0)
      return -1;
  }
  i += t;
  if (i < n && s[i] == ' ')
    i++;
  pi->msg = i;
  return 1;
}

static int ao_sd_is_sshd(ao_slice_t prog) {
  return (prog.n == 4 && memcmp(prog.p, "sshd", 4) == 0) ||
         (prog.n > 5 && memcmp(prog.p, "sshd-", 5) == 0);
}

/* ---- connection table -----------------------------------------------------
 */

static uint64_t ao_sd_hash(const char *p, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

static ao_sshd_conn_t *ao_sd_conn(ao_fmt_sshd_t *s, uint64_t key, int create) {
  size_t base = (size_t)(key % AO_SSHD_SLOTS);
  ao_sshd_conn_t *victim = NULL;
  for (size_t k = 0; k < AO_SSHD_PROBE; k++) {
    ao_sshd_conn_t *c = &s->conn[(base + k) % AO_SSHD_SLOTS];
    int live = c->seen != 0 && s->line_no - c->seen < AO_SSHD_STALE_LINES;
    if (live && c->key == key)
      return c;
    if (!live) {
      if (victim == NULL || victim->seen != 0)
        victim = c;
    } else if (victim == NULL ||
               (victim->seen != 0 && c->seen < victim->seen)) {
      victim = c;
    }
  }
  if (!create)
    return NULL;
  memset(victim, 0, sizeof(*victim));
  victim->key = key;
  return victim;
}

static void ao_sd_set_addr(ao_sshd_conn_t *c, ao_slice_t a) {
  if (a.n == 0 || a.n > AO_SSHD_ADDR_MAX)
    return;
  memcpy(c->addr, a.p, a.n);
  c->addr_n = (uint8_t)a.n;
}

/* How many attacks an event counts on its connection; updates the state. */
static unsigned ao_sd_count(ao_sshd_conn_t *c, ao_sshd_kind_t kind,
                            unsigned repeat, unsigned *flags) {
  unsigned count = 0;
  switch (kind) {
  case AO_SK_FAIL:
    count = repeat;
    if (c->waiting) {
      c->waiting = 0;
      count--;
    }
    *flags |= AO_REC_AUTH_FAILURE;
    c->counted = 1;
    break;
  case AO_SK_ANNOUNCE:
    if (!c->waiting) {
      count = 1;
      c->waiting = 1;
    }
    *flags |= AO_REC_AUTH_FAILURE;
    c->counted = 1;
    break;
  case AO_SK_END:
    if (!c->counted && !c->scanned)
      count = 1;
    *flags |= AO_REC_AUTH_FAILURE;
    c->counted = 1;
    c->waiting = 0;
    break;
  case AO_SK_SCAN:
    if (!c->scanned && !c->counted)
      count = 1;
    *flags |= AO_REC_SCANNER;
    c->scanned = 1;
    break;
  case AO_SK_ACCEPT:
    c->waiting = 0;
    c->keyfail = 0;
    break;
  case AO_SK_KEYFAIL:
    c->keyfail = 1;
    break;
  default:
    break;
  }
  return count;
}

ao_fmt_sshd_t *ao_fmt_sshd_create(ao_err_t *err) {
  ao_fmt_sshd_t *s = calloc(1, sizeof(*s));
  if (s == NULL)
    ao_err_set(err, "out of memory");
  return s;
}

void ao_fmt_sshd_destroy(ao_fmt_sshd_t *s) { free(s); }

int ao_fmt_sshd_parse(ao_fmt_sshd_t *s, const char *line, size_t n,
                      ao_record_t *rec) {
  if (s == NULL || line == NULL || rec == NULL)
    return AO_SSHD_ERROR;
  if (n > 0 && line[n - 1] == '\r')
    n--;
  s->line_no++;
  ao_record_clear(rec);
  ao_sd_prefix_t pi;
  int sys = ao_sd_syslog(line, n, &pi);
  if (sys < 0)
    return AO_SSHD_ERROR;
  if (sys > 0 && !ao_sd_is_sshd(pi.prog))
    return AO_SSHD_IGNORED;
  const char *m = line + (sys > 0 ? pi.msg : 0);
  size_t mn = n - (size_t)(m - line);
  /* Solaris: "[ID 800047 auth.info] " */
  if (ao_sd_prefix(m, mn, "[ID ")) {
    const char *close = memchr(m, ']', mn);
    if (close != NULL && (size_t)(close - m) + 2 <= mn && close[1] == ' ') {
      mn -= (size_t)(close - m) + 2;
      m = close + 2;
    }
  }
  /* trailing blanks (some PAM messages end with one) */
  while (mn > 0 && (m[mn - 1] == ' ' || m[mn - 1] == '\t'))
    mn--;
  ao_sshd_msg_t msg;
  ao_sd_message(m, mn, &msg);
  if (sys == 0 && !ao_sd_known_bare(m, mn, &msg))
    return AO_SSHD_IGNORED;
  if (sys > 0)
    rec->time = pi.time;

  /* The connection: HOST+PID, else the address. */
  ao_sshd_conn_t *c = NULL;
  if (sys > 0 && pi.has_pid) {
    uint64_t key = ao_sd_hash(pi.host.p, pi.host.n, 0xcbf29ce484222325ull);
    key = ao_sd_hash((const char *)&pi.pid, sizeof(pi.pid), key) | 1u;
    c = ao_sd_conn(s, key, 1);
  } else if (msg.addr.n > 0) {
    uint64_t key = ao_sd_hash(msg.addr.p, msg.addr.n, 0xcbf29ce484222325ull);
    c = ao_sd_conn(s, key & ~(uint64_t)1, 1);
  }
  ao_slice_t addr = msg.addr;
  unsigned flags = 0, count = 0;
  if (c != NULL) {
    /* A PID seen with another client is a new connection (PIDs are
     * reused). */
    if (addr.n > 0 && c->addr_n > 0 &&
        (c->addr_n != addr.n || memcmp(c->addr, addr.p, addr.n) != 0)) {
      uint64_t key = c->key;
      memset(c, 0, sizeof(*c));
      c->key = key;
    }
    c->seen = s->line_no;
    /* Refused keys and then a pre-auth end without login: one attack. */
    if (c->keyfail && msg.final && msg.preauth && msg.kind == AO_SK_CLOSE)
      msg.kind = AO_SK_END;
    if (addr.n > 0)
      ao_sd_set_addr(c, addr);
    else if (c->addr_n > 0)
      addr = (ao_slice_t){c->addr, c->addr_n};
    if (addr.n == 0 && msg.kind != AO_SK_NONE && msg.kind != AO_SK_ACCEPT &&
        msg.kind != AO_SK_CLOSE) {
      /* no address yet: the event waits for the next line that has one */
      if (c->pending == 0)
        c->pending = (uint8_t)msg.kind;
    } else {
      count = ao_sd_count(c, msg.kind, msg.repeat, &flags);
      if (c->pending != 0 && addr.n > 0) {
        unsigned pflags = 0;
        unsigned pc = ao_sd_count(c, (ao_sshd_kind_t)c->pending, 1, &pflags);
        c->pending = 0;
        if (count == 0 && pc > 0) {
          count = pc;
          flags = pflags;
        }
      }
    }
    if (msg.kind == AO_SK_CLOSE && sys == 0 && c->addr_n > 0 &&
        s->kex_pending_line != 0 && s->line_no - s->kex_pending_line <= 2 &&
        !ao_sd_prefix(m, mn, "Connection closed by invalid") &&
        ao_sd_prefix(m, mn, "Connection closed by ")) {
      count = ao_sd_count(c, AO_SK_SCAN, 1, &flags);
      s->kex_pending_line = 0;
    }
    /* The connection is over: free the slot (by address, bare messages,
     * also after a login: the next line from there is a new story). */
    if (c->pending == 0 &&
        (msg.final || (sys == 0 && msg.kind == AO_SK_ACCEPT)))
      c->seen = 0;
  } else if (msg.kind == AO_SK_SCAN && sys == 0) {
    /* bare kex_exchange_identification: the next "Connection closed by A"
     * tells who */
    s->kex_pending_line = s->line_no;
  }
  rec->addr = addr;
  if (count > 0) {
    rec->flags = flags;
    rec->repeat = count > 1 ? count : 0;
  }
  return AO_SSHD_OK;
}
