/*
 * ao_sqli.h - SQL injection by the structure of a value: a small SQL lexer
 * and a grammar of injection shapes.
 *
 * DESCRIPTION
 *   ao_sqli_value() decides whether one decoded, lower-cased request value
 *   (a query parameter, a path segment) is SQL injected into a query. It
 *   does not look for keywords: it lexes the value as SQL would (numbers,
 *   strings, identifiers, functions, operators, comments - MySQL, MSSQL,
 *   PostgreSQL, Oracle and SQLite spellings) and checks the token sequence
 *   against the shapes an injection must take to change a query:
 *
 *     - quote context: the value is read as if it started inside a string
 *       literal (the application's quote), for ' and " both. An injection
 *       closes that string and continues with SQL: an operator or boolean
 *       and an operand (x' or '1'='1, a'='b, 1' -1 or '1), a comment
 *       (admin'--), a clause keyword (x' union select, ' having 1=1), a
 *       stacked statement ('; drop table t) or a statement keyword
 *       (x'declare @s ...). Prose never does that: after an apostrophe
 *       comes a letter (O'Brien, it's, rock 'n' roll).
 *     - as-is (numeric) context: a boolean operator whose right side is a
 *       condition that only SQL writes (or 1=1, and 3=pi(), or sleep(5),
 *       or (select ...), an operand ended by a comment), UNION [ALL] SELECT
 *       or a value before UNION, SELECT with a column list and FROM, a
 *       subquery, a stacked statement, a complete SQL expression ended by a
 *       comment (1--, (1 or 1)#, @version followed by an open block
 *       comment), WHERE/HAVING with a condition,
 *       CASE WHEN .. THEN, database introspection calls (version(),
 *       database(), current_user), nested SQL string functions
 *       (ascii(substring(x,1,1))), MSSQL EXEC of system procedures,
 *       DECLARE/SET of variables.
 *
 *   The lexer treats MySQL's executable comments (slash-star-bang) as code
 *   and other inline comments as blanks; a line comment (--, #) or an
 *   unterminated block comment ends the statement (a "terminator").
 *
 * COST AND BOUNDS
 *   One pass over the bytes (the lexer), then a bounded window of tokens
 *   per rule: linear in the value, no allocation (tokens live in a fixed
 *   array on the stack; longer values are processed in overlapping
 *   windows). The caller's work counter grows by the bytes and tokens
 *   examined, so that tests can prove linearity without a clock.
 *
 *   Thread safety: no state; the tables are constant.
 */
#ifndef AO_SQLI_H
#define AO_SQLI_H

#include <stddef.h>
#include <stdint.h>

enum {
  /* '+' is a blank: the value comes from a path or a header, where an
   * attacker writes '+' for a space that some framework will decode. */
  AO_SQLI_PLUS_BLANK = 1u << 0,
  /* Only the quote-context rules: for text that is not a parameter value
   * (user agents), where free prose with parentheses and semicolons is
   * normal but a quote followed by SQL is not. */
  AO_SQLI_QUOTE_ONLY = 1u << 1,
};

/* 1 when t[0..n) (decoded, ASCII lower case) is SQL injection by structure.
 * flags: AO_SQLI_*. *work (may be NULL) grows by the bytes and tokens
 * examined. */
int ao_sqli_value(const char *t, size_t n, unsigned flags, uint64_t *work);

/* Would ao_sqli_value() have anything to look at? A cheap test that
 * callers use to skip the many values that cannot hold a statement: no
 * SQL-special byte (quote, parenthesis, comment, operator), no number next
 * to a blank, no statement word ("42", "en-us", "2024-01-01", "rock and
 * roll tickets"). ao_sqli_value() decides the same on those values. */
int ao_sqli_candidate(const char *t, size_t n);

#endif /* AO_SQLI_H */
