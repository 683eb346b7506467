/*
 * ao_unjson.h - decode the escapes of a JSON string body.
 *
 * DESCRIPTION
 *   nginx's escape=json writes `"` and `\` as \" and \\, control bytes as
 *   \n \r \t \b \f or \u00XX, and every other byte raw. Other JSON writers
 *   (Caddy, Traefik) add \uXXXX for any code point and \/. This decodes the
 *   body of one string (without its quotes) so that the classifier sees
 *   the bytes the client sent.
 *
 *   Contract: the output is never longer than the input (\uXXXX, 6 bytes,
 *   becomes at most 3 bytes of UTF-8; a surrogate pair, 12 bytes, becomes
 *   4), so a buffer as long as the input suffices. \u0000 becomes a NUL
 *   byte. A malformed escape (a backslash followed by anything else, a
 *   truncated \u, a lone surrogate) is copied through unchanged. No
 *   allocation; out may equal in.
 */
#ifndef AO_UNJSON_H
#define AO_UNJSON_H

#include <stddef.h>

size_t ao_unjson(const char *in, size_t n, char *out);

#endif /* AO_UNJSON_H */
