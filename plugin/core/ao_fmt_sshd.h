/*
 * ao_fmt_sshd.h - OpenSSH sshd messages from auth.log / secure / the
 * journal, as failed-authentication and scanner events.
 *
 * DESCRIPTION
 *   Accepted line forms:
 *     traditional syslog  Mmm dd hh:mm:ss HOST sshd[PID]: MESSAGE
 *                         (HOST may be missing; the tag may be sshd:,
 *                         [sshd]:, [sshd], sshd-session[PID]: ...)
 *     RFC 3339            2026-11-28T10:00:00.123456+00:00 HOST sshd[PID]: ...
 *     RFC 5424            <38>1 2026-11-28T10:00:00Z HOST sshd PID - - ...
 *     bare message        MESSAGE (the journal's MESSAGE field; a line
 *                         without any syslog prefix)
 *   Solaris' "[ID 800047 auth.info] " and the "error: " / "fatal: "
 *   prefixes of the message are skipped.
 *
 *   ao_fmt_sshd_parse() returns AO_SSHD_OK for a line of sshd (an event or
 *   not), AO_SSHD_IGNORED for a syslog line of another program (CRON, sudo,
 *   systemd-logind share auth.log) or a bare line that is no sshd message
 *   known here, and AO_SSHD_ERROR for a line that starts like a syslog
 *   timestamp but has no complete prefix.
 *
 * THE UNIT: one attack per failed authentication attempt
 *   OpenSSH writes 2 to 4 lines per attempt (Invalid user, the PAM failure,
 *   Failed password, the disconnect). Lines are grouped by connection: by
 *   HOST + PID when the line has a syslog prefix (sshd's per-connection
 *   process writes them all), else by client address (bare messages). A
 *   bounded table (1024 connections, least recently seen replaced; entries
 *   unseen for 100,000 lines are stale) remembers per connection whether an
 *   attack was counted and whether a counted "announcement" still waits for
 *   its Failed line:
 *     Failed <method> for ... from A      an attempt: counts 1, unless an
 *                                         announcement of this connection
 *                                         is waiting (then that was it)
 *     message repeated N times: [ Failed ... ]   N attempts (rsyslog)
 *     Invalid user, User ... not allowed because ..., pam_unix
 *     "authentication failure", "error: PAM: Authentication failure",
 *     ROOT LOGIN REFUSED, refused connect, Failed none
 *                                         an announcement: counts 1 and
 *                                         waits, unless one already waits
 *     maximum authentication attempts exceeded, Disconnecting ... Too many
 *     authentication failures, pre-auth disconnects of invalid or
 *     authenticating users, disconnects 3 "Auth fail" and 14 "No supported
 *     authentication methods"              count 1 only when the connection
 *                                         has counted nothing yet (a
 *                                         connection that failed without a
 *                                         logged attempt), and end it
 *     Did not receive identification string, Bad protocol version
 *     identification, banner exchange, kex_exchange_identification,
 *     ssh_dispatch_run_fatal, Unable to negotiate, Timeout before
 *     authentication                       a scanner: 1 per connection,
 *                                         AO_REC_SCANNER
 *   Failed attempts set AO_REC_AUTH_FAILURE. "PAM N more authentication
 *   failures", "check pass; user unknown" and "input_userauth_request" only
 *   repeat what other lines said. Accepted logins are never attacks.
 *   Pre-auth disconnects without a user name are not attacks (host key
 *   prompts, monitoring). A message without an address (kex_exchange_
 *   identification, old "Disconnecting: Too many authentication failures")
 *   takes the address its connection showed earlier, or waits for the next
 *   line of the connection that shows one.
 *   ao_record_t.repeat tells how many attacks the line counts (2..1000);
 *   flags without repeat mean one.
 *
 * ADDRESSES ARE TAKEN WHERE ONLY SSHD WRITES
 *   User names are client-controlled and may hold spaces and " from 6.6.6.6
 *   port 22" (OpenSSH escapes control bytes, not spaces), but never ':'
 *   (sshd cuts the name at ':' for BSD auth styles before it logs it).
 *   So, per message kind: the address is the last "from ADDR [port N]
 *   [ssh2]" before the end of the message or before the first ": " after
 *   the user (the auth info "ssh2: RSA SHA256:..." and disconnect reasons
 *   follow that colon); the token after "rhost=" (PAM, user after it); the
 *   token before the server's fixed text "not allowed because"; or the
 *   first token after a server-written prefix that no client text
 *   precedes ("Received disconnect from ", "Unable to negotiate with ",
 *   "banner exchange: Connection from "). A user name can therefore never
 *   supply the address.
 *
 * THREADS: a parser holds the connection table; one thread at a time.
 */
#ifndef AO_FMT_SSHD_H
#define AO_FMT_SSHD_H

#include "ao_common.h"
#include "ao_record.h"

enum {
  AO_SSHD_ERROR = -1,
  AO_SSHD_OK = 0,
  AO_SSHD_IGNORED = 1,
};

#define AO_SSHD_SLOTS 1024
#define AO_SSHD_STALE_LINES 100000
#define AO_SSHD_REPEAT_MAX 1000

typedef struct ao_fmt_sshd ao_fmt_sshd_t;

ao_fmt_sshd_t *ao_fmt_sshd_create(ao_err_t *err);
void ao_fmt_sshd_destroy(ao_fmt_sshd_t *s); /* NULL is a no-op */

/* Parses line[0..n) (one trailing CR ignored) and updates the connection
 * table. On AO_SSHD_OK, *rec has the address (possibly empty), the time,
 * and AO_REC_AUTH_FAILURE or AO_REC_SCANNER when the line counts attacks. */
int ao_fmt_sshd_parse(ao_fmt_sshd_t *s, const char *line, size_t n,
                      ao_record_t *rec);

#endif /* AO_FMT_SSHD_H */
