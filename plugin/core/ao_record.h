/*
 * ao_record.h - one parsed log line, as slices of the line.
 *
 * DESCRIPTION
 *   A parser (ao_logfmt) fills an ao_record_t with borrowed slices of the
 *   line it was given, or of the parser's own scratch buffer for values it
 *   had to decode (JSON strings): parsing allocates nothing and the slices
 *   are valid only until the next line is parsed. Fields from nginx's
 *   default escaping and Apache keep the escapes the server wrote (nginx
 *   `\x22`, Apache `\"` and `\xhh`); AO_REC_ESCAPED says some may be
 *   present, and the classifier's normaliser decodes them. Decoded JSON
 *   values never carry AO_REC_ESCAPED. A field the line does not have, or
 *   that the server logged as "-", is an empty slice.
 */
#ifndef AO_RECORD_H
#define AO_RECORD_H

#include "ao_common.h"

enum {
  /* Some quoted field contains a backslash escape to decode. */
  AO_REC_ESCAPED = 1u << 0,
  /* The request line is not "METHOD TARGET [PROTOCOL]" (binary scanner
   * garbage, TLS handshakes sent to a plain-HTTP port, ...): method, target
   * and protocol are empty and `request` holds what was logged. */
  AO_REC_NOT_HTTP = 1u << 1,
  /* The event is a failed authentication by itself (non-HTTP inputs such as
   * sshd; access logs express it through `status`). */
  AO_REC_AUTH_FAILURE = 1u << 2,
  /* The input itself says the client is a scanner (sshd: no identification
   * string, banner-exchange garbage). */
  AO_REC_SCANNER = 1u << 3,
};

typedef struct ao_record {
  ao_slice_t addr;       /* client address as logged (%h, $remote_addr) */
  ao_slice_t time;       /* timestamp text, without brackets */
  ao_slice_t request;    /* the whole request line as logged */
  ao_slice_t method;     /* "GET" */
  ao_slice_t target;     /* path with optional "?query", as logged */
  ao_slice_t query;      /* the query when the format logs it apart from
                            the path ($args, %q), without its "?" */
  ao_slice_t xff;        /* X-Forwarded-For as logged, when the format has
                            it */
  ao_slice_t host;       /* Host header or server name, when logged */
  ao_slice_t protocol;   /* "HTTP/1.1", or empty for HTTP/0.9 */
  ao_slice_t referer;    /* empty when "-" or absent */
  ao_slice_t user_agent; /* empty when "-" or absent */
  int status;            /* 100..999, or -1 when the line has none ("-") */
  unsigned flags;        /* AO_REC_* */
  unsigned repeat;       /* events the line stands for when > 1 (sshd:
                            "message repeated N times"); 0 and 1 mean one */
} ao_record_t;

/* An empty record: every slice AO_SLICE_EMPTY, status -1, no flags. */
void ao_record_clear(ao_record_t *rec);

/* Splits rec->request into method, target and protocol, or sets
 * AO_REC_NOT_HTTP when it is not "METHOD TARGET [HTTP/x]" (see
 * ao_logfmt.h, THE REQUEST LINE). Allocates nothing. */
void ao_record_split_request(ao_record_t *rec);

/* Both servers write "-" for an absent value: the empty slice for "-",
 * else s itself (empty slices are AO_SLICE_EMPTY). */
ao_slice_t ao_record_dash(ao_slice_t s);

#endif /* AO_RECORD_H */
