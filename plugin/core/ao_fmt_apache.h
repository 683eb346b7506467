/*
 * ao_fmt_apache.h - compile an Apache LogFormat string into a format
 * program.
 *
 * DESCRIPTION
 *   The string is the LogFormat as httpd reads it (collectd's own string
 *   syntax has already turned \" into "). Directives the plugin uses:
 *     %h %a          client host / client IP (%a wins when both are logged;
 *                    %h is a name with HostnameLookups On: it counts under
 *                    ZZ)
 *     %t %{format}t  time ([dd/Mon/yyyy:hh:mm:ss +zzzz], or strftime text)
 *     %r             request line;  %m %U %q %H  method, path, ?query, proto
 *     %>s %s %<s     status
 *     %{Referer}i %{User-Agent}i %{X-Forwarded-For}i  (names ignore case)
 *     %v %V          server name (canonical / per UseCanonicalName)
 *   Skipped with their shapes: %l %u %b %B %D %T %{unit}T %p %{..}p %P
 *   %{..}P %I %O %S %k %X %L %f %R %{..}e %{..}n %{..}o %{..}C %{..}c
 *   %{..}x %{..}^ti %{..}^to, other %{Header}i, and %% (a literal %).
 *   Conditions and modifiers (%400,501{User-agent}i, %!200r, %<s, %>s) are
 *   accepted.
 *
 *   Apache >= 2.0.46 escapes ", \ and control bytes in %r, %i, %u, %U, %q
 *   ... (\" \\ \xhh \n), so the program uses backslash escaping: a quoted
 *   field ends at the first unescaped quote. An empty %u is logged as "".
 *
 * ERRORS (with the 1-based position in the string)
 *   an unknown directive letter, a "%{" without "}", a "%" at the end, a
 *   "%{...}" before a letter that takes no argument... (any letter
 *   mod_log_config does not know), an odd number of `"`, two directives
 *   with nothing between them, no directive, no client address (%h/%a).
 */
#ifndef AO_FMT_APACHE_H
#define AO_FMT_APACHE_H

#include "ao_common.h"
#include "ao_fmtprog.h"

ao_fmtprog_t *ao_fmt_apache_compile(const char *fmt, size_t max_line,
                                    ao_err_t *err);

#endif /* AO_FMT_APACHE_H */
