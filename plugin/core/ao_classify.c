/*
 * ao_classify.c - built-in attack categories (see ao_classify.h).
 *
 * HOW A LINE IS CLASSIFIED
 *   1. Fields are normalised into buffers owned by the classifier
 *      (ao_normalize.h): server escapes, then percent-decoding (bounded
 *      rounds, '+' as space in the query), overlong/full-width forms,
 *      lower case. The path also gets a canonical form (".." resolved)
 *      for probe matching, and a field with a character reference, TAB,
 *      CR or LF gets an HTML view (references decoded) for the XSS rules.
 *   2. Each field is scanned once by one Aho-Corasick automaton holding
 *      every literal of every rule table below (ao_acmatch.h). A rule says
 *      in which fields it counts (F_*), and most rules are only *triggers*:
 *      the hit calls a structural check (CK_*) that looks at a bounded
 *      window around it (AO_LOOK bytes) - a tautology after a quote, a
 *      command after a shell separator, an event handler inside a tag.
 *      Template expressions are checked at their closer, from an opener
 *      and runtime tokens remembered on the way. Once a category is found,
 *      further hits of that category are skipped without checking.
 *   3. A few checks are not literal-driven: the climb of ".." segments
 *      above the root of the path or of a query value, a query value that
 *      is an absolute OS path, backup and configuration file names at the
 *      end of the path, a header that is a command line, status 401.
 *
 * COST AND BOUNDS
 *   No regular expressions and no backtracking: the automaton does one
 *   table load per byte; each check reads at most a constant window, and
 *   there is at most a constant number of hits per byte (the patterns
 *   ending there), so the work per line is linear in its length (the unit
 *   test measures it on hostile repetitions). Nothing is allocated per
 *   line. Fields longer than max_line are cut at max_line. Targets, user
 *   agents and referers repeat, so their verdicts are memoised (ao_memo.h).
 *
 * WHAT COUNTS WHERE (and the decisions the issue left open)
 *   - sqli, xss, rce look at the path, the query, the user agent and the
 *     referer: header injection is real (shellshock and log4shell arrive
 *     in the user agent), and these checks are structural enough not to
 *     fire on ordinary user agents.
 *   - traversal looks at the path and the query only.
 *   - probe looks at the canonical path only, never at query values: a
 *     search for "wp-login.php" is not a request for it.
 *   - scanner looks at the user agent only, and only for offensive tools;
 *     HTTP libraries (curl, python-requests, Go-http-client, libwww-perl),
 *     search engines, monitoring, certificate validators and SEO crawlers
 *     are not scanners: plenty of honest traffic uses them, and the CRS
 *     maintainers reached the same conclusion (coreruleset#3236).
 *   - probe has two tiers. Tier-1 paths have (next to) no honest traffic
 *     on any site: secrets and VCS metadata (/.env, /.git/), backups and
 *     dumps, web shells, exploit targets of appliances, and the WordPress
 *     login and XML-RPC endpoints, whose honest traffic (an editor logging
 *     in a few times a day) drowns in the credential stuffing they receive
 *     on every WordPress site. Tier-2 paths (PR_ABSENT, probe_absent())
 *     are admin areas that real sites do run (/wp-admin/, phpMyAdmin,
 *     Tomcat's manager, /server-status polled by monitoring - collectd's
 *     own apache plugin among them), hidden files, config files and login
 *     scripts: the plugin cannot know whether this site runs the software,
 *     but the server's answer says it. They count as probes only when the
 *     answer is 403, 404 or 410 (absent, or closed to this client); a
 *     site's own admins get 200 or a redirect to the login page. With no
 *     status ("-"), tier 2 stays silent.
 *   - auth is status 401 only (or an input that says "failed login"): 403
 *     is an authorisation decision about an authenticated or anonymous
 *     client, not a failed authentication.
 *   - RFI (an URL as a parameter value, pointing at an IP address or cut
 *     with a trailing '?') counts as traversal, like the php://, file://,
 *     zip://, data://, expect:// wrappers: the issue files inclusion under
 *     traversal, and an inclusion is what both are.
 *   - The method is not looked at: CONNECT and WebDAV verbs are protocol
 *     matters, not one of these categories.
 */
#include "ao_classify.h"

#include "ao_acmatch.h"
#include "ao_bytescan.h"
#include "ao_memo.h"
#include "ao_normalize.h"
#include "ao_signatures.h"
#include "ao_sqli.h"

#include <stdlib.h>
#include <string.h>

/* How far a check may look around its hit, in bytes: enough for any
 * payload shape we verify, and what makes the cost per hit a constant. */
#define AO_LOOK 256u

/* Largest max_line accepted: the scratch buffers are 7 * (max_line + 1)
 * bytes, and no log line is anywhere near 256 MiB. */
#define AO_MAX_FIELD ((size_t)1 << 28)

/* --- fields ------------------------------------------------------------- */

enum {
  F_PATH = 1u << 0,  /* decoded path */
  F_CANON = 1u << 1, /* canonical path (probe rules only) */
  F_QUERY = 1u << 2, /* decoded query string */
  F_UA = 1u << 3,    /* user agent */
  F_REF = 1u << 4,   /* referer, decoded */
  F_HTML = 1u << 5,  /* HTML view of any of the above (XSS rules only) */
};
#define F_TARGET (F_PATH | F_QUERY)
#define F_PAY (F_PATH | F_QUERY | F_UA | F_REF)
#define F_XSS (F_PAY | F_HTML)
/* Code-only XSS literals: a path like /javascript-manual/document.cookie is
 * a documentation page, a parameter with document.cookie is not. */
#define F_XSS_ARGS (F_QUERY | F_UA | F_REF | F_HTML)

/* --- checks ------------------------------------------------------------- */

enum {
  CK_LIT = 0,     /* the literal alone is enough */
  CK_WB,          /* word boundary before (not [a-z0-9_] before) */
  CK_WORD,        /* word boundary on both sides */
  CK_TOKEN,       /* scanner name: no alphanumeric before, no letter after */
  CK_PROBE,       /* path rule: arg has PE_* and PR_* bits */
  CK_SQL_BOOL,    /* or/and/xor/having/||/&&: break-out or tautology */
  CK_SQL_UNION,   /* union [all|distinct] select <column list> */
  CK_SQL_STACK,   /* ; followed by a statement */
  CK_SQL_COMMENT, /* comment right after a break-out quote */
  CK_SQL_SLEEP,   /* time-based blind functions */
  CK_SQL_WAITFOR, /* waitfor delay|time */
  CK_SQL_ATAT,    /* @@system_variable */
  CK_SQL_CHAR,    /* char(..) concatenations */
  CK_SQL_CAST,    /* cast(.. as type) */
  CK_SQL_CONVERT, /* convert(type, ..) / convert(.. using ..) */
  CK_SQL_ORDER,   /* order|group by N after a break-out */
  CK_SQL_SELECT,  /* (select .. / select .. from .. */
  CK_XSS_TAG,     /* <tag followed by space, '/', '>' or the end */
  CK_XSS_ATTR,    /* <tag attr= : markup with attributes in a parameter */
  CK_XSS_HANDLER, /* on<event>= in a tag or after an attribute break-out */
  CK_XSS_SCHEME,  /* javascript: and friends with something after */
  CK_XSS_CALL,    /* alert( prompt( confirm( eval( after a break-out */
  CK_XSS_EXPR,    /* CSS expression( after a ':' */
  CK_RCE_SEP,     /* shell separator followed by a known command */
  CK_RCE_BRACE,   /* {cmd,arg} brace expansion */
  CK_RCE_VALUE,   /* =cmd at the start of a query value */
  CK_RCE_BIN,     /* /bin/sh, /bin/bash as a word */
  CK_SHELLSHOCK,  /* () { */
  CK_DOLLAR,      /* ${ : log4j lookups; opens an EL expression */
  CK_JNDI,        /* jndi: shortly after a ${ */
  CK_TMPL_OPEN,   /* {{ #{ *{ @( <%= {% : remembered, checked at the close */
  CK_TMPL_TOKEN,  /* __class__, getRuntime ... : remembered */
  CK_TMPL_CLOSE,  /* } ) %> : arithmetic or a token since the opener */
  CK_PHP_CALL,    /* PHP code-execution function with a plausible argument */
  CK_PHP_SHORT,   /* <? followed by a blank and a statement */
  CK_PHP_SER,     /* O:<len>:"<class>":<n>:{ serialized object */
  CK_PWSH,        /* powershell with options or .exe */
  CK_URL,         /* :// - inclusion wrappers anywhere, RFI in query values */
  CK_JS_SINK,     /* alert( prompt( confirm( msgbox(: a dialog is the probe */
  CK_JS_EVAL,     /* eval/setTimeout/Function of a string or a DOM source */
  CK_JS_ASSIGN,   /* =eval; =alert, then a call: sinks passed around */
  CK_JS_DOM,      /* DOM APIs written as code (createElement(, .innerHTML) */
  CK_XSS_DOCTYPE, /* <!doctype x [ or SYSTEM: DTD injection (XXE) */
  CK_DATA_URI,    /* ;base64, of a data: URI that is not an image */
  CK_FILE,        /* an OS or server file name at a path segment start */
  CK_RCE_DOLLAR,  /* =$'..' ANSI-C quoting and ;$VAR: shell only */
  CK_RCE_FOR,     /* cmd.exe FOR %x IN (..) DO */
  CK_PHRASE,      /* a phrase of a maintained list: arg AO_PH_* | PH_ABSENT */
  CK_PHP_OPEN,    /* <?php followed by a blank or the end */
};

/* CK_PROBE arguments. */
enum {
  PE_ANY = 0,  /* anything may follow the literal */
  PE_NAME = 1, /* end, or a byte that cannot continue the name */
  PE_SEG = 2,  /* end of the path or of the segment */
  PE_MASK = 3,
  PR_ABSENT = 1u << 2, /* only when the server said 403, 404 or 410 */
  PR_ROOT = 1u << 3,   /* only as the first segment of the path */
};

typedef struct ao_rule {
  const char *lit; /* lower case: matched against folded text */
  uint8_t cat;     /* AO_CAT_* */
  uint8_t fields;  /* F_* where the rule counts */
  uint8_t check;   /* CK_* */
  uint8_t arg;     /* check-specific */
} ao_rule_t;

#define SQLI AO_CAT_SQLI
#define XSS AO_CAT_XSS
#define TRAV AO_CAT_TRAVERSAL
#define RCE AO_CAT_RCE
#define SCAN AO_CAT_SCANNER
#define PROBE AO_CAT_PROBE

/* --- SQL injection ---------------------------------------------------------
 * Structure first: a boolean operator only counts after a quote that breaks
 * out of a string (odd number of quotes so far in the value) or a number,
 * and then only with a comparison, a function call or a bare constant
 * after it; or anywhere when it compares two constants (1=1, 'a'='a',
 * 8=3). Keywords alone ("select your plan", "union station", "drop-down",
 * "O'Brien") never count. */
static const ao_rule_t sqli_rules[] = {
    /* ' or '1'='1, 1 and 1=2, x' || 'a'='a, ') or ('x'='x */
    {"or", SQLI, F_PAY, CK_SQL_BOOL, 0},
    {"and", SQLI, F_PAY, CK_SQL_BOOL, 0},
    {"xor", SQLI, F_PAY, CK_SQL_BOOL, 0},
    {"||", SQLI, F_PAY, CK_SQL_BOOL, 0},
    {"&&", SQLI, F_PAY, CK_SQL_BOOL, 0},
    /* ' having 1=1-- (MSSQL column enumeration through errors) */
    {"having", SQLI, F_PAY, CK_SQL_BOOL, 0},
    /* union [all] select 1,2,... : the classic data extraction */
    {"union", SQLI, F_PAY, CK_SQL_UNION, 0},
    /* '; drop table x--, 1; waitfor delay '0:0:5' (stacked queries) */
    {";", SQLI, F_PAY, CK_SQL_STACK, 0},
    /* admin'--, admin'#, x' slash-star: comment out the rest of the query */
    {"--", SQLI, F_PAY, CK_SQL_COMMENT, 0},
    {"#", SQLI, F_PAY, CK_SQL_COMMENT, 0},
    {"/*", SQLI, F_PAY, CK_SQL_COMMENT, 0},
    /* MySQL executable comment (slash-star-bang 50000 union): SQL only */
    {"/*!", SQLI, F_PAY, CK_LIT, 0},
    /* time-based blind injection */
    {"sleep(", SQLI, F_PAY, CK_SQL_SLEEP, 0},
    {"benchmark(", SQLI, F_PAY, CK_SQL_SLEEP, 0},
    {"pg_sleep(", SQLI, F_PAY, CK_SQL_SLEEP, 0},
    {"randomblob(", SQLI, F_PAY, CK_SQL_SLEEP, 0}, /* SQLite heavy query */
    {"dbms_pipe.receive_message", SQLI, F_PAY, CK_WB, 0}, /* Oracle sleep */
    {"dbms_lock.sleep", SQLI, F_PAY, CK_WB, 0},
    {"waitfor", SQLI, F_PAY, CK_SQL_WAITFOR, 0}, /* MSSQL waitfor delay */
    /* catalogue tables: nothing but SQL names them */
    {"information_schema", SQLI, F_PAY, CK_WB, 0},
    {"sysobjects", SQLI, F_PAY, CK_WORD, 0},   /* MSSQL */
    {"syscolumns", SQLI, F_PAY, CK_WORD, 0},   /* MSSQL */
    {"sysdatabases", SQLI, F_PAY, CK_WORD, 0}, /* MSSQL */
    {"sqlite_master", SQLI, F_PAY, CK_WORD, 0},
    {"pg_shadow", SQLI, F_PAY, CK_WORD, 0},
    {"pg_catalog", SQLI, F_PAY, CK_WB, 0},
    {"mysql.user", SQLI, F_PAY, CK_WB, 0},
    {"msysaccessobjects", SQLI, F_PAY, CK_WORD, 0}, /* MS Access */
    {"all_tab_columns", SQLI, F_PAY, CK_WORD, 0},   /* Oracle */
    /* error-based extraction and file access (MySQL) */
    {"extractvalue(", SQLI, F_PAY, CK_WB, 0},
    {"updatexml(", SQLI, F_PAY, CK_WB, 0},
    {"load_file(", SQLI, F_PAY, CK_WB, 0},
    {"outfile", SQLI, F_PAY, CK_WORD, 0},  /* into outfile */
    {"dumpfile", SQLI, F_PAY, CK_WORD, 0}, /* into dumpfile */
    {"group_concat(", SQLI, F_PAY, CK_WB, 0},
    {"concat_ws(", SQLI, F_PAY, CK_WB, 0},
    /* MSSQL and Oracle procedures that reach the OS or the network */
    {"xp_cmdshell", SQLI, F_PAY, CK_WB, 0},
    {"sp_executesql", SQLI, F_PAY, CK_WB, 0},
    {"sp_oacreate", SQLI, F_PAY, CK_WB, 0},
    {"sp_makewebtask", SQLI, F_PAY, CK_WB, 0},
    {"utl_http.request", SQLI, F_PAY, CK_WB, 0},
    {"utl_inaddr.get_host", SQLI, F_PAY, CK_WB, 0},
    {"dbms_xmlgen.", SQLI, F_PAY, CK_WB, 0},
    {"ctxsys.drithsx", SQLI, F_PAY, CK_WB, 0},
    /* @@version, @@datadir, @@servername */
    {"@@", SQLI, F_PAY, CK_SQL_ATAT, 0},
    /* char(65,66) / chr(65)||chr(66): strings built without quotes */
    {"char(", SQLI, F_PAY, CK_SQL_CHAR, 0},
    {"chr(", SQLI, F_PAY, CK_SQL_CHAR, 0},
    {"cast(", SQLI, F_PAY, CK_SQL_CAST, 0},
    {"convert(", SQLI, F_PAY, CK_SQL_CONVERT, 0},
    /* 1' order by 5-- : column counting before a union */
    {"order", SQLI, F_PAY, CK_SQL_ORDER, 0},
    {"group", SQLI, F_PAY, CK_SQL_ORDER, 0},
    /* (select ...), select x from y */
    {"select", SQLI, F_PAY, CK_SQL_SELECT, 0},
};

/* --- cross-site scripting --------------------------------------------------
 * A tag that runs code by itself, an event handler inside a tag or after an
 * attribute break-out, a script URL, or a call after a JavaScript
 * break-out. The same rules also run on the HTML view of a field, where
 * entities (&lt; &#60; &#x3c; &colon;) are decoded. */
static const ao_rule_t xss_rules[] = {
    {"<script", XSS, F_XSS, CK_XSS_TAG, 0},
    {"</script", XSS, F_XSS, CK_LIT, 0},
    {"<iframe", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<frame", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<frameset", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<object", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<embed", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<applet", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<base", XSS, F_XSS, CK_XSS_TAG, 0},  /* rebases script URLs */
    {"<meta", XSS, F_XSS, CK_XSS_TAG, 0},  /* refresh to javascript: */
    {"<svg", XSS, F_XSS, CK_XSS_TAG, 0},   /* <svg/onload=..>, <svg><script> */
    {"<math", XSS, F_XSS, CK_XSS_TAG, 0},  /* mXSS container */
    {"<style", XSS, F_XSS, CK_XSS_TAG, 0}, /* CSS injection */
    {"<link", XSS, F_XSS, CK_XSS_TAG, 0},  /* stylesheet/import */
    {"<form", XSS, F_XSS, CK_XSS_TAG, 0},  /* formaction hijack */
    {"<isindex", XSS, F_XSS, CK_XSS_TAG, 0}, /* old action= vector */
    {"<marquee", XSS, F_XSS, CK_XSS_TAG, 0}, /* onstart= vector */
    {"<xss", XSS, F_XSS, CK_XSS_TAG, 0},     /* tester's marker tag */
    /* elements that end the page's own context or bring their own
     * (title and textarea swallow the page; html/body restart it) */
    {"<html", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<body", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<head", XSS, F_XSS, CK_XSS_TAG, 0},
    {"</title", XSS, F_XSS, CK_LIT, 0},
    {"</textarea", XSS, F_XSS, CK_LIT, 0},
    {"<plaintext", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<xmp", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<noscript", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<template", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<img", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<image", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<video", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<audio", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<input", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<button", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<keygen", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<details", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<bgsound", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<layer", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<ilayer", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<xml", XSS, F_XSS, CK_XSS_TAG, 0},
    /* any element with an attribute: <img src=, <a href=, <div style= -
     * HTML injection, the carrier of most XSS */
    {"<", XSS, F_XSS, CK_XSS_ATTR, 0},
    /* UTF-7 '<' (+ADw-), for pages served without a charset */
    {"+adw-", XSS, F_XSS, CK_LIT, 0},
    /* onload=, onerror=, onmouseover= ... any on<letters>= */
    {"on", XSS, F_XSS, CK_XSS_HANDLER, 0},
    {"javascript:", XSS, F_XSS, CK_XSS_SCHEME, 0},
    {"vbscript:", XSS, F_XSS, CK_XSS_SCHEME, 0},
    {"livescript:", XSS, F_XSS, CK_XSS_SCHEME, 0},
    {"data:text/html", XSS, F_XSS, CK_LIT, 0},
    {"data:image/svg", XSS, F_XSS, CK_LIT, 0},
    {"document.cookie", XSS, F_XSS_ARGS, CK_LIT, 0},
    {"document.domain", XSS, F_XSS_ARGS, CK_LIT, 0},
    {"document.write(", XSS, F_XSS_ARGS, CK_LIT, 0},
    {"fromcharcode(", XSS, F_XSS_ARGS, CK_LIT, 0}, /* String.fromCharCode */
    {"-moz-binding", XSS, F_XSS, CK_LIT, 0},       /* Firefox XBL */
    {"expression(", XSS, F_XSS, CK_XSS_EXPR, 0},   /* IE CSS expressions */
    {"srcdoc=", XSS, F_XSS, CK_LIT, 0},
    /* the dialogs every XSS probe opens: a call of one is the probe,
     * whatever surrounds it (alert(1), +alert(0)+, window.alert`1`) */
    {"alert(", XSS, F_XSS, CK_JS_SINK, 0},
    {"alert`", XSS, F_XSS, CK_JS_SINK, 0},
    {"prompt(", XSS, F_XSS, CK_JS_SINK, 0},
    {"prompt`", XSS, F_XSS, CK_JS_SINK, 0},
    {"confirm(", XSS, F_XSS, CK_JS_SINK, 0},
    {"confirm`", XSS, F_XSS, CK_JS_SINK, 0},
    {"msgbox(", XSS, F_XSS, CK_JS_SINK, 0}, /* VBScript */
    {"eval(", XSS, F_XSS, CK_XSS_CALL, 0},
    /* code run from a string or from what the attacker controls in the
     * page (eval(name), setTimeout(location.search...)) */
    {"eval", XSS, F_XSS_ARGS, CK_JS_EVAL, 0},
    {"settimeout", XSS, F_XSS_ARGS, CK_JS_EVAL, 0},
    {"setinterval", XSS, F_XSS_ARGS, CK_JS_EVAL, 0},
    {"function", XSS, F_XSS_ARGS, CK_JS_EVAL, 0},
    {"execscript", XSS, F_XSS_ARGS, CK_JS_EVAL, 0},
    /* a=eval;b=alert;a(b(1)) */
    {"=", XSS, F_XSS_ARGS, CK_JS_ASSIGN, 0},
    /* the DOM written as code */
    {"createelement(", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"appendchild(", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"getelementsbytagname(", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"getelementbyid(", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"innerhtml", XSS, F_XSS_ARGS, CK_JS_DOM, 1},
    {"outerhtml", XSS, F_XSS_ARGS, CK_JS_DOM, 1},
    {"location.hash", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"location.search", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"location.href", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"document.url", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"document.location", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"window.location", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"__proto__", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"__parent__", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"/.source", XSS, F_XSS_ARGS, CK_LIT, 0}, /* /ale/.source+/rt/.source */
    {"unescape(", XSS, F_XSS_ARGS, CK_JS_DOM, 0},
    {"with(document)", XSS, F_XSS_ARGS, CK_LIT, 0},
    {"with(location)", XSS, F_XSS_ARGS, CK_LIT, 0},
    /* XML and DTD injection */
    {"<!entity", XSS, F_XSS, CK_LIT, 0},
    {"<!doctype", XSS, F_XSS, CK_XSS_DOCTYPE, 0},
    {"<?xml:namespace", XSS, F_XSS, CK_LIT, 0},
    {"<?import", XSS, F_XSS, CK_LIT, 0},
    {"<import", XSS, F_XSS, CK_XSS_TAG, 0},
    {"<svg:", XSS, F_XSS, CK_LIT, 0},
    {"<xsl:", XSS, F_XSS, CK_LIT, 0},
    {"xml-events", XSS, F_XSS, CK_LIT, 0},
    {";base64,", XSS, F_XSS, CK_DATA_URI, 0},
    {"expression\\28", XSS, F_XSS, CK_LIT, 0}, /* CSS escape of '(' */
    /* JavaScript-escaped angle bracket before script */
    {"\\x3cscript", XSS, F_XSS, CK_LIT, 0},
    {"\\u003cscript", XSS, F_XSS, CK_LIT, 0},
};

/* --- path traversal and file inclusion -------------------------------------
 * Besides these literals: a path whose ".." segments climb above the root,
 * a query value that climbs two levels or more, and a NUL byte before a
 * short extension. */
static const ao_rule_t trav_rules[] = {
    /* Unix files every LFI tester reads first */
    {"etc/passwd", TRAV, F_TARGET, CK_WB, 0},
    {"etc/shadow", TRAV, F_TARGET, CK_WB, 0},
    {"etc/master.passwd", TRAV, F_TARGET, CK_WB, 0}, /* BSD */
    {"etc/group", TRAV, F_TARGET, CK_WORD, 0},
    {"etc/hosts", TRAV, F_TARGET, CK_WORD, 0},
    {"etc/issue", TRAV, F_TARGET, CK_WORD, 0},
    {"etc/crontab", TRAV, F_TARGET, CK_WB, 0},
    {"etc/httpd/", TRAV, F_TARGET, CK_WB, 0},
    {"etc/apache2/", TRAV, F_TARGET, CK_WB, 0},
    {"etc/nginx/", TRAV, F_TARGET, CK_WB, 0},
    {"proc/self/", TRAV, F_TARGET, CK_WB, 0}, /* environ, cmdline, fd/ */
    {"proc/version", TRAV, F_TARGET, CK_WB, 0},
    /* Windows files, with either slash */
    {"win.ini", TRAV, F_TARGET, CK_WB, 0},
    {"boot.ini", TRAV, F_TARGET, CK_WB, 0},
    {"system.ini", TRAV, F_TARGET, CK_WB, 0},
    {"windows/system32", TRAV, F_TARGET, CK_WB, 0},
    {"windows\\system32", TRAV, F_TARGET, CK_WB, 0},
    {"winnt/system32", TRAV, F_TARGET, CK_WB, 0},
    {"winnt\\system32", TRAV, F_TARGET, CK_WB, 0},
    /* Application secrets named in a parameter (in the path they are
     * probes, below) */
    {"web-inf/", TRAV, F_QUERY, CK_WB, 0},
    {".htpasswd", TRAV, F_QUERY, CK_LIT, 0},
    {"wp-config.php", TRAV, F_QUERY, CK_LIT, 0},
    {"var/log/", TRAV, F_QUERY, CK_WB, 0}, /* log poisoning, then include */
    /* php://filter, file:///, zip://, phar://, expect://, data:// ... and
     * http:// to an IP address or cut with '?' in a parameter (RFI) */
    {"://", TRAV, F_TARGET, CK_URL, 0},
    /* "../../" in base64, for parameters an application decodes */
    {"li4vli4v", TRAV, F_TARGET, CK_LIT, 0},
    /* "../" with the '%' of its escape lost on the way (..2f), or in
     * hexadecimal notation (0x2e0x2e0x2f) */
    {"..2f", TRAV, F_TARGET, CK_LIT, 0},
    {"..5c", TRAV, F_TARGET, CK_LIT, 0},
    {"0x2e0x2e", TRAV, F_TARGET, CK_LIT, 0},
    {"..0x2f", TRAV, F_TARGET, CK_LIT, 0},
    {"..0x5c", TRAV, F_TARGET, CK_LIT, 0},
    /* files of the operating system and of the web server that no site
     * serves: read through inclusion or traversal (log poisoning, keys,
     * shell histories, server configuration) */
    {"access_log", TRAV, F_TARGET, CK_FILE, 0},
    {"access.log", TRAV, F_TARGET, CK_FILE, 0},
    {"error_log", TRAV, F_TARGET, CK_FILE, 0},
    {"error.log", TRAV, F_TARGET, CK_FILE, 0},
    {"httpd.conf", TRAV, F_TARGET, CK_FILE, 0},
    {"apache2.conf", TRAV, F_TARGET, CK_FILE, 0},
    {"nginx.conf", TRAV, F_TARGET, CK_FILE, 0},
    {"php.ini", TRAV, F_TARGET, CK_FILE, 0},
    {"my.cnf", TRAV, F_TARGET, CK_FILE, 0},
    {"my.ini", TRAV, F_TARGET, CK_FILE, 0},
    {"global.asa", TRAV, F_TARGET, CK_FILE, 0},
    {"metabase.xml", TRAV, F_TARGET, CK_FILE, 0},
    {"applicationhost.config", TRAV, F_TARGET, CK_FILE, 0},
    {"passwd", TRAV, F_TARGET, CK_FILE, 0},
    {"master.passwd", TRAV, F_TARGET, CK_FILE, 0},
    {"shadow", TRAV, F_QUERY, CK_FILE, 0},
    {".bash_history", TRAV, F_TARGET, CK_FILE, 0},
    {".sh_history", TRAV, F_TARGET, CK_FILE, 0},
    {".ksh_history", TRAV, F_TARGET, CK_FILE, 0},
    {".zsh_history", TRAV, F_TARGET, CK_FILE, 0},
    {".mysql_history", TRAV, F_TARGET, CK_FILE, 0},
    {".bashrc", TRAV, F_TARGET, CK_FILE, 0},
    {".bash_profile", TRAV, F_TARGET, CK_FILE, 0},
    {".bash_logout", TRAV, F_TARGET, CK_FILE, 0},
    {".profile", TRAV, F_TARGET, CK_FILE, 0},
    {".cshrc", TRAV, F_TARGET, CK_FILE, 0},
    {".logout", TRAV, F_TARGET, CK_FILE, 0},
    {".netrc", TRAV, F_TARGET, CK_FILE, 0},
    {".rhosts", TRAV, F_TARGET, CK_FILE, 0},
    {".shosts", TRAV, F_TARGET, CK_FILE, 0},
    {".forward", TRAV, F_TARGET, CK_FILE, 0},
    {".xauthority", TRAV, F_TARGET, CK_FILE, 0},
    {".pgpass", TRAV, F_TARGET, CK_FILE, 0},
    {"authorized_keys", TRAV, F_TARGET, CK_FILE, 0},
    {"known_hosts", TRAV, F_TARGET, CK_FILE, 0},
    {"id_rsa", TRAV, F_QUERY, CK_FILE, 0},
    {"sshd_config", TRAV, F_TARGET, CK_FILE, 0},
    {"sources.list", TRAV, F_TARGET, CK_FILE, 0},
    {"grub.conf", TRAV, F_TARGET, CK_FILE, 0},
    {"fstab", TRAV, F_TARGET, CK_FILE, 0},
    {"inittab", TRAV, F_TARGET, CK_FILE, 0},
    {"resolv.conf", TRAV, F_TARGET, CK_FILE, 0},
    {"hosts.allow", TRAV, F_TARGET, CK_FILE, 0},
    {"hosts.deny", TRAV, F_TARGET, CK_FILE, 0},
    {"lastlog", TRAV, F_TARGET, CK_FILE, 0},
    {"wtmp", TRAV, F_TARGET, CK_FILE, 0},
    {"utmp", TRAV, F_TARGET, CK_FILE, 0},
    {"desktop.ini", TRAV, F_TARGET, CK_FILE, 0},
    {"web.config", TRAV, F_QUERY, CK_FILE, 0},
};

/* --- command and code injection ----------------------------------------- */
static const ao_rule_t rce_rules[] = {
    /* shell separators: verified by the command word and argument after
     * them (see rce_cmds) */
    {";", RCE, F_PAY, CK_RCE_SEP, 0},
    {"|", RCE, F_PAY, CK_RCE_SEP, 0},
    {"`", RCE, F_PAY, CK_RCE_SEP, 0},
    {"$(", RCE, F_PAY, CK_RCE_SEP, 0},
    {"\n", RCE, F_PAY, CK_RCE_SEP, 0},
    {"&", RCE, F_PAY, CK_RCE_SEP, 0},
    {"{", RCE, F_PAY, CK_RCE_BRACE, 0},   /* {cat,/etc/passwd} */
    {"=", RCE, F_QUERY, CK_RCE_VALUE, 0}, /* ?cmd=bash -c ... */
    {"${ifs", RCE, F_PAY, CK_LIT, 0},     /* space without a space */
    {"/bin/sh", RCE, F_PAY, CK_RCE_BIN, 0},
    {"/bin/bash", RCE, F_PAY, CK_RCE_BIN, 0},
    {"/dev/tcp/", RCE, F_PAY, CK_LIT, 0}, /* bash reverse shell */
    {"cmd.exe", RCE, F_PAY, CK_WB, 0},
    /* "\n" written out, as scanners do for a newline */
    {"\\n", RCE, F_PAY, CK_RCE_SEP, 0},
    /* CMD=$'id';$CMD - shell quoting and expansion */
    {"=$", RCE, F_PAY, CK_RCE_DOLLAR, 0},
    /* a carriage return where a newline would do */
    {"\r", RCE, F_PAY, CK_RCE_SEP, 0},
    /* cmd.exe loops: FOR /F %i IN ('cmd') DO ... */
    {"for", RCE, F_PAY, CK_RCE_FOR, 0},
    {"powershell", RCE, F_PAY, CK_PWSH, 0},
    /* shellshock (CVE-2014-6271): a function definition in a header */
    {"()", RCE, F_PAY, CK_SHELLSHOCK, 0},
    /* log4shell ${jndi:, its obfuscations, and EL ${7*7} */
    {"${", RCE, F_PAY, CK_DOLLAR, '}'},
    {"jndi:", RCE, F_PAY, CK_JNDI, 0},
    /* Server-side template injection. An expression is code, not a
     * placeholder, when it multiplies literals (the {{7*7}} probe) or
     * walks into the runtime (tokens below). Openers and tokens are only
     * remembered; the closer decides, so that every hit costs O(1) and a
     * body is read once. */
    {"{{", RCE, F_PAY, CK_TMPL_OPEN, '}'},
    {"#{", RCE, F_PAY, CK_TMPL_OPEN, '}'},
    {"*{", RCE, F_PAY, CK_TMPL_OPEN, '}'},  /* Thymeleaf */
    {"@(", RCE, F_PAY, CK_TMPL_OPEN, ')'},  /* Razor */
    {"<%=", RCE, F_PAY, CK_TMPL_OPEN, '%'}, /* ERB, JSP */
    {"{%", RCE, F_PAY, CK_TMPL_OPEN, '%'},  /* Jinja, Twig statements */
    {"}", RCE, F_PAY, CK_TMPL_CLOSE, '}'},
    {")", RCE, F_PAY, CK_TMPL_CLOSE, ')'},
    {"%>", RCE, F_PAY, CK_TMPL_CLOSE, '%'},
    {"%}", RCE, F_PAY, CK_TMPL_CLOSE, '%'},
    /* Python/Jinja object-graph walks */
    {"__class__", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"__globals__", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"__builtins__", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"__import__", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"__subclasses__", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"__mro__", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"__init__", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"config.", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"self.", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"request.", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"lipsum", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"cycler", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"joiner", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"namespace", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"os.popen", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"import ", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    /* Java/EL class access */
    {".class", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"getclass", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"runtime", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"t(java", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"new java", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"@java", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"freemarker", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    /* JavaScript sandbox escapes (AngularJS, Handlebars) */
    {"constructor", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"exec(", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    {"system(", RCE, F_PAY, CK_TMPL_TOKEN, 0},
    /* Struts 2 OGNL (CVE-2017-5638 and family) */
    {"%{(#", RCE, F_PAY, CK_LIT, 0},
    {"%{#", RCE, F_PAY, CK_LIT, 0},
    {"#_memberaccess", RCE, F_PAY, CK_LIT, 0},
    {"@ognl", RCE, F_PAY, CK_LIT, 0},
    {"ognlcontext", RCE, F_PAY, CK_LIT, 0},
    {"#context[", RCE, F_PAY, CK_LIT, 0},
    {"xwork.methodaccessor", RCE, F_PAY, CK_LIT, 0},
    /* Java reflection and process APIs in a request */
    {"java.lang.runtime", RCE, F_PAY, CK_LIT, 0},
    {"java.lang.processbuilder", RCE, F_PAY, CK_LIT, 0},
    {"getruntime(", RCE, F_PAY, CK_LIT, 0},
    {"processbuilder", RCE, F_PAY, CK_WB, 0},
    {"class.module.classloader", RCE, F_PAY, CK_LIT, 0}, /* Spring4Shell */
    {"class.forname(", RCE, F_PAY, CK_LIT, 0},
    {"javax.script.scriptenginemanager", RCE, F_PAY, CK_LIT, 0},
    {"freemarker.template.utility.execute", RCE, F_PAY, CK_LIT, 0},
    /* PHP code */
    /* PHP's open tag needs a blank (or the end) after it: "<?php=x" is
     * not code */
    {"<?php", RCE, F_PAY, CK_PHP_OPEN, 0},
    {"<?=", RCE, F_PAY, CK_LIT, 0},
    {"<?", RCE, F_PAY, CK_PHP_SHORT, 0}, /* <? echo ... (short tag) */
    /* serialized PHP objects: O:8:"stdClass":1:{...} (object injection) */
    {"o:", RCE, F_PAY, CK_PHP_SER, 0},
    {"c:", RCE, F_PAY, CK_PHP_SER, 0},
    /* Functions that are code execution whatever their argument: names no
     * prose uses. */
    {"shell_exec(", RCE, F_PAY, CK_WB, 0},
    {"passthru(", RCE, F_PAY, CK_WB, 0},
    {"proc_open(", RCE, F_PAY, CK_WB, 0},
    {"pcntl_exec(", RCE, F_PAY, CK_WB, 0},
    {"base64_decode(", RCE, F_PAY, CK_WB, 0},
    {"gzinflate(", RCE, F_PAY, CK_WB, 0},
    {"str_rot13(", RCE, F_PAY, CK_WB, 0},
    {"create_function(", RCE, F_PAY, CK_WB, 0},
    {"call_user_func(", RCE, F_PAY, CK_WB, 0},
    {"call_user_func_array(", RCE, F_PAY, CK_WB, 0},
    {"file_put_contents(", RCE, F_PAY, CK_WB, 0},
    {"fsockopen(", RCE, F_PAY, CK_WB, 0},
    /* Functions whose names are also words or other languages' methods:
     * only with a string, variable or nested call as the argument. */
    {"system(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"exec(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"popen(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"eval(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"assert(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"preg_replace(", RCE, F_PAY, CK_PHP_CALL, 0}, /* with /e */
    {"file_get_contents(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"include(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"require(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"include_once(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"require_once(", RCE, F_PAY, CK_PHP_CALL, 0},
    {"phpinfo()", RCE, F_PAY, CK_LIT, 0},
    {"$_get[", RCE, F_PAY, CK_LIT, 0},
    {"$_post[", RCE, F_PAY, CK_LIT, 0},
    {"$_request[", RCE, F_PAY, CK_LIT, 0},
    {"$_cookie[", RCE, F_PAY, CK_LIT, 0},
    {"$_server[", RCE, F_PAY, CK_LIT, 0},
    {"$_files[", RCE, F_PAY, CK_LIT, 0},
    {"$globals[", RCE, F_PAY, CK_LIT, 0},
    /* php.ini settings smuggled through php-cgi -d (CVE-2012-1823,
     * CVE-2024-4577) */
    {"allow_url_include", RCE, F_PAY, CK_WB, 0},
    {"auto_prepend_file", RCE, F_PAY, CK_WB, 0},
    {"auto_append_file", RCE, F_PAY, CK_WB, 0},
    /* ThinkPHP 5 invokefunction RCE */
    {"invokefunction", RCE, F_PAY, CK_WB, 0},
    /* server-side includes */
    {"<!--#exec", RCE, F_PAY, CK_LIT, 0},
    {"<!--#include", RCE, F_PAY, CK_LIT, 0},
    {"<!--#echo", RCE, F_PAY, CK_LIT, 0},
    {"<!--#config", RCE, F_PAY, CK_LIT, 0},
    {"<!--#printenv", RCE, F_PAY, CK_LIT, 0},
    {"<!--#set", RCE, F_PAY, CK_LIT, 0},
    {"<!--#fsize", RCE, F_PAY, CK_LIT, 0},
    {"<!--#flastmod", RCE, F_PAY, CK_LIT, 0},
};

/* --- scanners and probes --------------------------------------------------
 * Maintained lists, shipped as data files (signatures/NAME.data, see
 * ao_signatures.h) and compiled in: "scanner-user-agents" (user agent),
 * "probe-paths" (canonical path, any status) and "probe-paths-absent"
 * (canonical path, status 403/404/410: see the header comment for the two
 * tiers). Their rules are built at creation (dynamic rules, CK_PHRASE). */
#define PH_ABSENT 0x80u /* CK_PHRASE: only when the server said 403/404/410 */

typedef struct rule_table {
  const ao_rule_t *rules;
  size_t n;
} rule_table_t;

static const rule_table_t rule_tables[] = {
    {sqli_rules, AO_ARRAY_SIZE(sqli_rules)},
    {xss_rules, AO_ARRAY_SIZE(xss_rules)},
    {trav_rules, AO_ARRAY_SIZE(trav_rules)},
    {rce_rules, AO_ARRAY_SIZE(rce_rules)},
};

/* The built-in lists and how their phrases become rules. */
typedef struct list_use {
  const char *name;
  uint8_t cat, fields, extra;
  int path;
} list_use_t;

static const list_use_t list_uses[] = {
    {"scanner-user-agents", AO_CAT_SCANNER, F_UA, 0, 0},
    {"probe-paths", AO_CAT_PROBE, F_CANON, 0, 1},
    {"probe-paths-absent", AO_CAT_PROBE, F_CANON, PH_ABSENT, 1},
};

/* --- shell commands after a separator --------------------------------------
 * arg says what must follow the command word for the hit to count:
 *   A_NONE   nothing needed (`;id`, `|uname`): end, space or separator
 *   A_ANY    a space and any argument (`;wget x`)
 *   A_SHELL  a space and an argument that looks like shell, not like
 *            English: starts with / . - $ ~ quote ` \ < > { or a digit
 *            (`;cat /etc/passwd` but not "; cat food")
 *   A_NUM    a space and a number (`;sleep 5`)
 * After the weak separators (newline, a single '&'), which ordinary text
 * and query strings are full of, and at the start of a user agent, every
 * command needs an A_SHELL argument (or an URL for A_ANY commands:
 * `&wget http://...`). At the start of a query value, where no separator is
 * needed (`?cmd=bash -c ...`), only the commands with `value` set count -
 * shells, downloaders, interpreters, network tools: words that are not
 * also English. */
enum { A_NONE, A_ANY, A_SHELL, A_NUM };

typedef struct cmd {
  const char *name;
  uint8_t arg;
  uint8_t value; /* also counts at the start of a query value (see below) */
} cmd_t;

#define CMD_SLOTS 256u /* a power of two, more than twice the commands */
#define CMD_PAIRS_MAX 64u /* distinct first two characters of commands */

static const cmd_t rce_cmds[] = {
    /* sorted by name (bsearch) */
    {"base64", A_SHELL, 0},  {"bash", A_ANY, 1},     {"bitsadmin", A_ANY, 1},
    {"busybox", A_ANY, 1},   {"cat", A_SHELL, 1},    {"cd", A_SHELL, 0},
    {"certutil", A_ANY, 1},  {"chmod", A_ANY, 1},    {"chown", A_ANY, 1},
    {"cmd", A_SHELL, 0},     {"cp", A_SHELL, 0},     {"crontab", A_SHELL, 0},
    {"curl", A_ANY, 1},      {"dir", A_NONE, 1},     {"echo", A_ANY, 0},
    {"find", A_SHELL, 0},    {"grep", A_SHELL, 0},   {"head", A_SHELL, 0},
    {"hostname", A_NONE, 0}, {"id", A_NONE, 0},      {"ifconfig", A_NONE, 0},
    {"ipconfig", A_NONE, 0}, {"kill", A_SHELL, 0},   {"ksh", A_ANY, 1},
    {"ls", A_NONE, 1},       {"mkfifo", A_ANY, 1},   {"more", A_SHELL, 0},
    {"mv", A_SHELL, 0},      {"nc", A_ANY, 1},       {"ncat", A_ANY, 1},
    {"net", A_SHELL, 0},     {"netcat", A_ANY, 1},   {"netstat", A_NONE, 0},
    {"nohup", A_ANY, 1},     {"nslookup", A_ANY, 0}, {"perl", A_SHELL, 1},
    {"php", A_SHELL, 1},     {"ping", A_ANY, 0},     {"powershell", A_ANY, 1},
    {"ps", A_NONE, 0},       {"pwd", A_NONE, 0},     {"python", A_SHELL, 1},
    {"python3", A_SHELL, 1}, {"rm", A_SHELL, 0},     {"ruby", A_SHELL, 1},
    {"sh", A_ANY, 1},        {"sleep", A_NUM, 0},    {"systeminfo", A_NONE, 0},
    {"tail", A_SHELL, 0},    {"telnet", A_ANY, 1},   {"tftp", A_ANY, 1},
    {"touch", A_SHELL, 0},   {"type", A_SHELL, 0},   {"uname", A_NONE, 0},
    {"useradd", A_ANY, 1},   {"wget", A_ANY, 1},     {"who", A_NONE, 0},      {"whoami", A_NONE, 0},
    {"xterm", A_SHELL, 0},   {"zsh", A_ANY, 1},
};
_Static_assert(2 * AO_ARRAY_SIZE(rce_cmds) < CMD_SLOTS && CMD_SLOTS <= 256,
               "the command index is sparse and holds byte indexes");

/* --- classifier state --------------------------------------------------- */

/* A memo of recent verdicts (ao_memo.h). Requests repeat: the same
 * assets, pages and API calls, the same user agents and referers (in the
 * real logs of ../shared/data, 85% and 99% of targets were among the 4,096
 * distinct ones seen last; in the benchmark log 77%), and the verdict on a
 * field depends on its bytes and a few flags only (see classify_text() and
 * classify_header()), so a hit saves the whole normalisation and scan of
 * the field. A target that misses is mostly a known path with a new query:
 * the path's verdict has entries of its own (classify_target()). One memo
 * holds the four kinds (the kind is part of the key's flags, MEMO_KIND_*),
 * which share its capacity as their repetition demands: 16,384 short and
 * 2,048 long slots, 1.8 MiB, in one huge page. */
#define AO_MEMO_SLOTS 16384u, 2048u /* powers of two */
#define MEMO_KIND_TARGET 0u         /* flags 0..7: see text_key() */
#define MEMO_KIND_UA 8u             /* | 1 when escaped */
#define MEMO_KIND_REFERER 16u       /* | 1 when escaped */
#define MEMO_KIND_PATH 24u          /* | 1 when the status was 403/404/410 */

/* One query parameter in a decoded buffer: name [b, vb-1), value [vb, e)
 * (vb == b when there is no '='). */
typedef struct item {
  size_t b, vb, e;
  size_t rb, re; /* the parameter as logged (raw), when known */
} item_t;

/* Parameters handled one by one; a query with more has the rest in the
 * last one (still scanned, as one value). */
#define AO_MAX_ITEMS 64u

struct ao_classifier {
  ao_ac_t *ac;
  ao_rule_t *dyn;          /* rules built from the maintained lists */
  char *dyn_text;          /* their literals */
  const ao_rule_t **rules; /* pattern id -> rule */
  uint8_t *rlen;           /* pattern id -> literal length */
  size_t max_line;
  char *b_target; /* target after server unescaping */
  char *b_path;   /* decoded path */
  char *b_canon;  /* canonical path */
  char *b_query;  /* decoded query */
  char *b_ua;     /* folded user agent */
  char *b_ref;    /* decoded referer */
  char *b_html;   /* HTML view of the field being scanned */
  ao_memo_t *memo;
  uint64_t memo_lookups[4], memo_hits[4]; /* by AO_MEMO_TARGET... */
  uint8_t cmd_index[CMD_SLOTS]; /* rce_cmds by cmd_hash(name): index + 1 */
  /* the first three characters of the commands (cmd_prefix_ok()):
   * cmd_pair_id[a - 'a'][cmd_char(b)] is 0 when no command starts with
   * "ab", else k + 1, and bit cmd_char(c) of cmd_thirds[k] says that some
   * command starts with "abc" */
  uint8_t cmd_pair_id[26][37];
  uint64_t cmd_thirds[CMD_PAIRS_MAX];
  int memo_off; /* ao_classifier_set_memo(c, 0) */
  item_t items[AO_MAX_ITEMS]; /* parameters of the query being classified */
  size_t nitems;
  const char *raw_base; /* the raw query the items' rb/re refer to */
  char *b_b64;          /* base64 view of a parameter */
  uint64_t work; /* bytes and tokens examined, for tests (see header) */
};

typedef struct scan {
  ao_classifier_t *c;
  const char *t; /* field text (normalised, lower case) */
  size_t n;
  unsigned field; /* F_* bits of the field being scanned */
  int html;       /* scanning the field's HTML view: F_HTML rules only */
  int status;
  unsigned info;      /* AO_NORM_* of the field */
  ao_catmask_t found; /* categories found so far on the line */
  /* template state (see CK_TMPL_*), positions in the field or NO_POS */
  size_t tmpl_open; /* end of the last opener */
  unsigned char tmpl_closer;
  size_t tmpl_tok; /* start of the last runtime token */
  size_t dollar;   /* start of the last "${" */
} scan_t;

#define NO_POS ((size_t)-1)

/* --- byte classes ------------------------------------------------------- */

static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline int is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline int is_alnum(unsigned char c) {
  return is_alpha(c) || is_digit(c);
}
static inline int is_wch(unsigned char c) { return is_alnum(c) || c == '_'; }
static inline int is_ws(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f' || c == 0xa0;
}
/* SQL lexing also skips '+': a literal plus (from %2B, or in a path) is
 * where the attacker meant a space, and the database treats "1+or+1" no
 * differently for our purpose. */
static inline int is_sqlws(unsigned char c) { return is_ws(c) || c == '+'; }
static inline int is_quote(unsigned char c) {
  return c == '\'' || c == '"' || c == '`';
}
static inline unsigned char at(const scan_t *s, size_t i) {
  return i < s->n ? (unsigned char)s->t[i] : 0;
}
static inline size_t lim(const scan_t *s, size_t i) {
  return s->n - i > AO_LOOK ? i + AO_LOOK : s->n;
}
static inline size_t lo_bound(size_t i) {
  return i > AO_LOOK ? i - AO_LOOK : 0;
}

/* word_at() past its first byte. */
static int word_at_rest(const scan_t *s, size_t i, const char *w) {
  size_t k = strlen(w);
  if (i + k > s->n || memcmp(s->t + i, w, k) != 0)
    return 0;
  return i + k == s->n || !is_wch(at(s, i + k));
}

/* Does t[i..] start with the word w (lower case), not followed by [a-z0-9_]?
 * The first byte rejects almost every call (the word lists are walked a
 * word at a time): it is compared inline, without a call. */
static AO_ALWAYS_INLINE int word_at(const scan_t *s, size_t i, const char *w) {
  if (i >= s->n || s->t[i] != w[0])
    return 0;
  return word_at_rest(s, i, w);
}

/* Reads a word [a-z0-9_] at i into a bounded span; returns its end. */
static size_t word_end(const scan_t *s, size_t i) {
  size_t e = lim(s, i);
  while (i < e && is_wch(at(s, i)))
    i++;
  return i;
}

static int span_eq(const scan_t *s, size_t b, size_t e, const char *w) {
  if (e == b)
    return w[0] == '\0';
  if (s->t[b] != w[0])
    return 0;
  size_t k = strlen(w);
  return e - b == k && memcmp(s->t + b, w, k) == 0;
}

static int span_in(const scan_t *s, size_t b, size_t e, const char *const *ws,
                   size_t nw) {
  for (size_t k = 0; k < nw; k++)
    if (span_eq(s, b, e, ws[k]))
      return 1;
  return 0;
}

/* Start of the value that contains position i: just after the nearest
 * '=' or '&' in a query or referer, '/' in a path; bounded by AO_LOOK. */
static size_t value_start(const scan_t *s, size_t i) {
  size_t lo = lo_bound(i);
  for (size_t j = i; j > lo; j--) {
    unsigned char c = (unsigned char)s->t[j - 1];
    if ((s->field & (F_QUERY | F_REF)) && (c == '=' || c == '&' || c == '?'))
      return j;
    if ((s->field & (F_PATH | F_CANON)) && c == '/')
      return j;
  }
  return lo;
}

/* Is the quote at position q (t[q] is a quote) one that opens or closes a
 * string the attacker broke out of, i.e. the count of that quote character
 * in its value up to and including q is odd? "x' or" yes; "'yes' or" no. */
static int quote_breaks_out(const scan_t *s, size_t q) {
  unsigned char qc = at(s, q);
  size_t b = value_start(s, q);
  unsigned cnt = 0;
  for (size_t j = b; j <= q; j++)
    if ((unsigned char)s->t[j] == qc)
      cnt++;
  return cnt & 1u;
}

/* --- SQL lexing helpers ------------------------------------------------- */

/* Skips whitespace and comments that SQL treats as whitespace, including
 * the opener and version of MySQL executable comments (slash-star-bang-50000)
 * and a lone closer. Bounded by AO_LOOK from i. */
static size_t sql_ws(const scan_t *s, size_t i) {
  size_t e = lim(s, i);
  while (i < e) {
    unsigned char c = at(s, i);
    if (is_sqlws(c)) {
      i++;
      continue;
    }
    if (c == '/' && at(s, i + 1) == '*') {
      if (at(s, i + 2) == '!') {
        i += 3;
        while (i < e && is_digit(at(s, i)))
          i++;
        continue;
      }
      size_t k = i + 2;
      while (k + 1 < e && !(s->t[k] == '*' && s->t[k + 1] == '/'))
        k++;
      if (k + 1 >= e)
        return e; /* unterminated: the rest is a comment */
      i = k + 2;
      continue;
    }
    if (c == '*' && at(s, i + 1) == '/') {
      i += 2;
      continue;
    }
    break;
  }
  return i;
}

/* Backwards: returns j such that t[j-1] is the first byte before i that is
 * not whitespace, a closing parenthesis (when parens) or a comment closer;
 * *paren tells whether parentheses were skipped. */
static size_t sql_ws_back(const scan_t *s, size_t i, int parens, int *paren) {
  size_t lo = lo_bound(i);
  size_t j = i;
  while (j > lo) {
    unsigned char c = (unsigned char)s->t[j - 1];
    if (is_sqlws(c)) {
      j--;
      continue;
    }
    if (parens && c == ')') {
      if (paren != NULL)
        *paren = 1;
      j--;
      continue;
    }
    if (c == '/' && j >= 2 && s->t[j - 2] == '*') {
      /* skip back over a comment to its opener */
      size_t k = j - 2;
      while (k > lo + 1 && !(s->t[k - 2] == '/' && s->t[k - 1] == '*'))
        k--;
      if (k > lo + 1) {
        j = k - 2;
        continue;
      }
    }
    break;
  }
  return j;
}

enum {
  OP_NONE,
  OP_NUM,   /* 1, -1, 0x41, 1.5 */
  OP_STR,   /* 'a', "a", possibly unterminated */
  OP_KW,    /* true false null */
  OP_IDENT, /* name, table.column */
  OP_CALL,  /* name(...) */
  OP_VAR,   /* @x, @@version */
  OP_SUB,   /* select ... */
  OP_STAR,  /* * */
};

typedef struct operand {
  int type;
  size_t b, e;   /* the operand's text */
  size_t nb, ne; /* its name, for OP_IDENT and OP_CALL */
} operand_t;

/* Parses one SQL operand at i (after whitespace, opening parentheses,
 * unary signs and "not"). Returns the index after it. */
static size_t sql_operand(const scan_t *s, size_t i, operand_t *op) {
  op->type = OP_NONE;
  size_t e = lim(s, i);
  i = sql_ws(s, i);
  for (int guard = 0; guard < 16 && i < e; guard++) {
    unsigned char c = at(s, i);
    if (c == '(' || c == '-' || c == '!' || c == '~' || c == '+') {
      i = sql_ws(s, i + 1);
      continue;
    }
    if (word_at(s, i, "not")) {
      i = sql_ws(s, i + 3);
      continue;
    }
    break;
  }
  op->b = i;
  if (i >= e)
    return i;
  unsigned char c = at(s, i);
  if (is_digit(c) || (c == '.' && is_digit(at(s, i + 1)))) {
    while (i < e && (is_alnum(at(s, i)) || at(s, i) == '.'))
      i++;
    op->type = OP_NUM;
  } else if (is_quote(c)) {
    i++;
    while (i < e && at(s, i) != c)
      i++;
    if (i < e)
      i++;
    op->type = OP_STR;
  } else if (c == '@') {
    i++;
    if (at(s, i) == '@')
      i++;
    i = word_end(s, i);
    op->type = OP_VAR;
  } else if (c == '*') {
    i++;
    op->type = OP_STAR;
  } else if (is_alpha(c) || c == '_' || c == '$') {
    size_t nb = i;
    while (i < e && (is_wch(at(s, i)) || at(s, i) == '$' || at(s, i) == '.'))
      i++;
    op->nb = nb;
    op->ne = i;
    size_t k = sql_ws(s, i);
    static const char *const kws[] = {"true", "false", "null", "unknown"};
    if (at(s, k) == '(') {
      /* a call: skip to the matching parenthesis, bounded */
      int depth = 0;
      size_t j = k;
      for (; j < e; j++) {
        if (s->t[j] == '(')
          depth++;
        else if (s->t[j] == ')' && --depth == 0)
          break;
      }
      i = j < e ? j + 1 : e;
      op->type = OP_CALL;
    } else if (span_in(s, nb, i, kws, AO_ARRAY_SIZE(kws))) {
      op->type = OP_KW;
    } else if (span_eq(s, nb, i, "select")) {
      op->type = OP_SUB;
    } else {
      op->type = OP_IDENT;
    }
  }
  op->e = i;
  return i;
}

static int op_literal(const operand_t *op) {
  return op->type == OP_NUM || op->type == OP_STR || op->type == OP_KW;
}

/* A comparison operator at i (after whitespace)? Returns the index after
 * it, or 0 when there is none. */
static size_t sql_cmp(const scan_t *s, size_t i) {
  i = sql_ws(s, i);
  unsigned char c = at(s, i), d = at(s, i + 1);
  if (c == '<' && d == '=' && at(s, i + 2) == '>')
    return i + 3;
  if ((c == '=' && d == '=') || (c == '!' && d == '=') ||
      (c == '<' && d == '>') || (c == '<' && d == '=') ||
      (c == '>' && d == '=') || (c == '^' && d == '='))
    return i + 2;
  if (c == '=' || c == '<' || c == '>')
    return i + 1;
  static const char *const words[] = {"like",   "rlike", "regexp",
                                      "is",     "in",    "between",
                                      "sounds", "glob",  "similar"};
  for (size_t k = 0; k < AO_ARRAY_SIZE(words); k++)
    if (word_at(s, i, words[k]))
      return i + strlen(words[k]);
  if (word_at(s, i, "not")) {
    size_t j = sql_ws(s, i + 3);
    if (word_at(s, j, "like") || word_at(s, j, "in") ||
        word_at(s, j, "between") || word_at(s, j, "regexp"))
      return word_end(s, j);
  }
  return 0;
}

/* Functions whose call alone, after any boolean operator, is an injection:
 * time delays. */
static int op_is_delay(const scan_t *s, const operand_t *op) {
  static const char *const f[] = {"sleep", "benchmark", "pg_sleep",
                                  "randomblob"};
  return op->type == OP_CALL && span_in(s, op->nb, op->ne, f, AO_ARRAY_SIZE(f));
}

/* What ends an injected condition: the end, a comment, a terminator or a
 * quote that re-balances the original query. */
static int sql_tail(const scan_t *s, size_t i) {
  i = sql_ws(s, i);
  unsigned char c = at(s, i);
  return i >= s->n || c == ';' || c == '#' || c == ')' || is_quote(c) ||
         (c == '-' && at(s, i + 1) == '-') ||
         (c == '/' && at(s, i + 1) == '*') || c == '&' || c == 0;
}

/* The context before position i (start of an operator or keyword). */
enum { CTX_WEAK, CTX_NUM, CTX_QUOTE };

static int sql_context(const scan_t *s, size_t i) {
  int paren = 0;
  size_t j = sql_ws_back(s, i, 1, &paren);
  size_t vs = value_start(s, i);
  if (j <= vs)
    return paren ? CTX_NUM : CTX_WEAK;
  unsigned char c = (unsigned char)s->t[j - 1];
  if (is_quote(c))
    return quote_breaks_out(s, j - 1) ? CTX_QUOTE : CTX_WEAK;
  if (is_digit(c)) {
    /* a number token: digits (hex) back to a non-identifier byte */
    size_t k = j - 1, lo = lo_bound(j);
    while (k > lo &&
           (is_alnum((unsigned char)s->t[k - 1]) || s->t[k - 1] == '.'))
      k--;
    if (is_digit((unsigned char)s->t[k]))
      return CTX_NUM;
    return paren ? CTX_NUM : CTX_WEAK;
  }
  return paren ? CTX_NUM : CTX_WEAK;
}

/* --- SQL checks --------------------------------------------------------- */

static int ck_sql_bool(const scan_t *s, size_t b, size_t e) {
  int word = is_alpha(at(s, b));
  if (word) {
    /* "1or 1=1" is SQL, "floor" is not: letters may not touch the word */
    if (b > 0 && (is_alpha(at(s, b - 1)) || at(s, b - 1) == '_'))
      return 0;
    if (e < s->n && is_wch(at(s, e)))
      return 0;
  }
  int ctx = sql_context(s, b);
  operand_t a = {0}, bb = {0};
  size_t i = sql_operand(s, e, &a);
  if (a.type == OP_NONE)
    return 0;
  size_t k = sql_cmp(s, i);
  int cmp = 0;
  bb.type = OP_NONE;
  if (k != 0) {
    sql_operand(s, k, &bb);
    cmp = bb.type != OP_NONE;
  }
  int strong_a = a.type == OP_CALL || a.type == OP_SUB || a.type == OP_VAR;
  int strong_b = bb.type == OP_CALL || bb.type == OP_SUB || bb.type == OP_VAR;
  int consts = cmp && op_literal(&a) && op_literal(&bb);
  int same = cmp && a.type == OP_IDENT && bb.type == OP_IDENT &&
             a.e - a.b == bb.e - bb.b &&
             memcmp(s->t + a.b, s->t + bb.b, a.e - a.b) == 0;
  switch (ctx) {
  case CTX_QUOTE:
    if (cmp || strong_a)
      return 1;
    /* ' or 1--, ' or true# : a bare constant that ends the condition. A
     * number right before a quote is prose ("16\" or 18\""), and a bare
     * string is too ("'a\" and \"b"); a keyword is not. */
    if (a.type == OP_KW)
      return sql_tail(s, a.e);
    return a.type == OP_NUM && sql_tail(s, a.e) &&
           !is_quote(at(s, sql_ws(s, a.e)));
  case CTX_NUM:
    return consts || same || strong_b || strong_a;
  default:
    return consts || same || a.type == OP_SUB ||
           (a.type == OP_VAR && at(s, a.b + 1) == '@') || op_is_delay(s, &a);
  }
}

/* After "select": a column list that only SQL writes. */
static int sql_select_list(const scan_t *s, size_t i, int need_from) {
  operand_t a = {0};
  size_t k = sql_ws(s, i);
  if (word_at(s, k, "all") || word_at(s, k, "distinct"))
    k = word_end(s, k);
  if (word_at(s, k, "top")) {
    k = sql_ws(s, k + 3);
    size_t end = lim(s, k);
    while (k < end && is_digit(at(s, k)))
      k++;
  }
  size_t j = sql_operand(s, k, &a);
  if (a.type == OP_NONE)
    return 0;
  if (!need_from && a.type != OP_IDENT)
    return 1;
  if (need_from && (a.type == OP_VAR || op_is_delay(s, &a)))
    return 1;
  /* identifiers, or anything when a FROM is required: look for a comma
   * list and/or "from <name>" followed by what ends a query */
  size_t e = lim(s, j);
  int comma = 0;
  for (int items = 0; items < 32 && j < e; items++) {
    size_t m = sql_ws(s, j);
    if (at(s, m) == ',') {
      comma = 1;
      j = sql_operand(s, m + 1, &a);
      if (a.type == OP_NONE)
        return 0;
      continue;
    }
    if (word_at(s, m, "as")) { /* alias */
      j = word_end(s, sql_ws(s, m + 2));
      continue;
    }
    if (word_at(s, m, "from")) {
      if (!need_from)
        return 1; /* union select col from */
      operand_t t = {0};
      size_t after = sql_operand(s, m + 4, &t);
      if (t.type != OP_IDENT && t.type != OP_SUB && t.type != OP_STR)
        return 0;
      if (sql_tail(s, after))
        return 1;
      size_t w = sql_ws(s, after);
      static const char *const follow[] = {
          "where", "limit",  "order", "group",  "union",     "join", "inner",
          "left",  "having", "into",  "offset", "procedure", "as"};
      size_t we = word_end(s, w);
      return span_in(s, w, we, follow, AO_ARRAY_SIZE(follow)) ||
             at(s, w) == ',' || at(s, w) == '.';
    }
    return need_from ? 0 : comma;
  }
  return 0;
}

static int ck_sql_union(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && (is_alpha(at(s, b - 1)) || at(s, b - 1) == '_'))
    return 0;
  if (e < s->n && is_wch(at(s, e)))
    return 0;
  size_t i = sql_ws(s, e);
  if (word_at(s, i, "all") || word_at(s, i, "distinct"))
    i = sql_ws(s, word_end(s, i));
  for (int guard = 0; guard < 8 && at(s, i) == '('; guard++)
    i = sql_ws(s, i + 1);
  if (!word_at(s, i, "select"))
    return 0;
  /* "1 union select", "' union select": the break-out alone is enough */
  if (sql_context(s, b) != CTX_WEAK)
    return 1;
  return sql_select_list(s, i + 6, 0);
}

static int ck_sql_stack(const scan_t *s, size_t b, size_t e) {
  (void)b;
  size_t i = sql_ws(s, e);
  for (int guard = 0; guard < 4 && at(s, i) == ';'; guard++)
    i = sql_ws(s, i + 1);
  size_t we = word_end(s, i);
  if (we == i)
    return 0;
  size_t n1 = sql_ws(s, we);
  size_t n1e = word_end(s, n1);
#define W(x) span_eq(s, i, we, x)
#define N(x) span_eq(s, n1, n1e, x)
  if (W("select"))
    return sql_select_list(s, we, 0);
  if (W("drop") || W("create") || W("alter"))
    return N("table") || N("database") || N("view") || N("procedure") ||
           N("function") || N("user") || N("index") || N("schema") ||
           N("trigger") || N("login");
  if (W("truncate"))
    return N("table");
  if (W("insert"))
    return N("into");
  if (W("delete"))
    return N("from");
  if (W("update")) {
    size_t n2 = sql_ws(s, n1e);
    return n1e > n1 && word_at(s, n2, "set");
  }
  if (W("exec") || W("execute")) {
    unsigned char c = at(s, n1);
    return c == '(' || c == '@' || is_quote(c) || N("immediate") ||
           (n1e - n1 > 3 && (memcmp(s->t + n1, "xp_", 3) == 0 ||
                             memcmp(s->t + n1, "sp_", 3) == 0)) ||
           (n1e - n1 >= 6 && memcmp(s->t + n1, "master", 6) == 0);
  }
  if (W("declare") || W("set"))
    return at(s, n1) == '@';
  if (W("waitfor"))
    return N("delay") || N("time");
  if (W("shutdown"))
    return sql_tail(s, we) || n1 >= s->n;
  if (W("begin"))
    return N("declare") || N("try") || N("goto");
#undef W
#undef N
  return 0;
}

static int ck_sql_comment(const scan_t *s, size_t b, size_t e) {
  /* a comment that ends the query is followed by nothing, a blank, or
   * more punctuation; "#2a1100" and "--infant" are a colour and an
   * option */
  if (e < s->n && is_alnum(at(s, e)))
    return 0;
  size_t lo = lo_bound(b);
  size_t j = b;
  /* back over whitespace, closing parentheses and ';' */
  while (j > lo && (is_sqlws((unsigned char)s->t[j - 1]) ||
                    s->t[j - 1] == ')' || s->t[j - 1] == ';'))
    j--;
  if (j == 0 || j <= lo || !is_quote((unsigned char)s->t[j - 1]))
    return 0;
  return quote_breaks_out(s, j - 1);
}

static int ck_sql_sleep(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && (is_wch(at(s, b - 1)) || at(s, b - 1) == '.'))
    return 0;
  size_t i = sql_ws(s, e);
  unsigned char c = at(s, i);
  if (!(is_digit(c) || c == '(' || c == '@' || c == '-'))
    return 0;
  /* benchmark(count, expression): two arguments, or it is no call */
  if (e - b == 10 && is_digit(c)) {
    size_t k = i;
    while (k < lim(s, i) && is_alnum(at(s, k)))
      k++;
    if (at(s, sql_ws(s, k)) != ',')
      return 0;
  }
  /* In a query, not in prose: what comes before is an operator, a quote, a
   * parenthesis, the start of the value or an SQL keyword ("1 and
   * sleep(5)"), not an English word ("how to use sleep(1) in python"). */
  size_t j = sql_ws_back(s, b, 0, NULL);
  if (j <= value_start(s, b) || !is_alpha(at(s, j - 1)))
    return 1;
  size_t k = j, lo = lo_bound(j);
  while (k > lo && is_alpha(at(s, k - 1)))
    k--;
  static const char *const kw[] = {"and",   "or",   "xor",    "not",  "select",
                                   "if",    "then", "else",   "when", "union",
                                   "where", "case", "having", "by"};
  return span_in(s, k, j, kw, AO_ARRAY_SIZE(kw));
}

static int ck_sql_char(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && is_wch(at(s, b - 1))) {
    /* nchar( */
    if (!(at(s, b - 1) == 'n' && (b < 2 || !is_wch(at(s, b - 2)))))
      return 0;
  }
  size_t i = e, end = lim(s, e);
  int args = 0;
  for (; i < end;) {
    i = sql_ws(s, i);
    size_t d = i;
    if (at(s, i) == '0' && at(s, i + 1) == 'x')
      i += 2;
    while (i < end && is_alnum(at(s, i)))
      i++;
    if (i == d || !is_digit(at(s, d)))
      return 0;
    args++;
    i = sql_ws(s, i);
    if (at(s, i) == ',') {
      i++;
      continue;
    }
    if (at(s, i) == ')') {
      i++;
      break;
    }
    return 0;
  }
  if (args >= 2)
    return 1;
  /* char(65)+char(66), chr(65)||chr(66), concat(char(65),char(66)) */
  i = sql_ws(s, i);
  if (at(s, i) == '+' || at(s, i) == ',')
    i = sql_ws(s, i + 1);
  else if (at(s, i) == '|' && at(s, i + 1) == '|')
    i = sql_ws(s, i + 2);
  else
    return 0;
  if (at(s, i) == 'n')
    i++;
  return (i + 5 <= s->n && memcmp(s->t + i, "char(", 5) == 0) ||
         (i + 4 <= s->n && memcmp(s->t + i, "chr(", 4) == 0);
}

static const char *const sql_types[] = {
    "char",   "varchar",  "nvarchar", "nchar",    "int",     "integer",
    "signed", "unsigned", "binary",   "text",     "numeric", "decimal",
    "bigint", "xml",      "bit",      "datetime", "date",    "varbinary"};

static int ck_sql_cast(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && is_wch(at(s, b - 1)))
    return 0;
  size_t end = lim(s, e);
  for (size_t i = e; i + 4 <= end; i++) {
    if (s->t[i] == ')')
      return 0;
    if (is_sqlws(at(s, i)) && word_at(s, i + 1, "as")) {
      size_t t = sql_ws(s, i + 3);
      size_t te = word_end(s, t);
      return span_in(s, t, te, sql_types, AO_ARRAY_SIZE(sql_types));
    }
  }
  return 0;
}

static int ck_sql_convert(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && is_wch(at(s, b - 1)))
    return 0;
  size_t t = sql_ws(s, e);
  size_t te = word_end(s, t);
  if (span_in(s, t, te, sql_types, AO_ARRAY_SIZE(sql_types))) {
    size_t k = sql_ws(s, te);
    if (at(s, k) == '(') { /* varchar(100) */
      while (k < lim(s, te) && at(s, k) != ')')
        k++;
      k = sql_ws(s, k + 1);
    }
    return at(s, k) == ',';
  }
  /* MySQL convert(expr using charset) */
  size_t end = lim(s, e);
  for (size_t i = e; i + 6 < end && s->t[i] != ')'; i++)
    if (is_sqlws(at(s, i)) && word_at(s, i + 1, "using"))
      return 1;
  return 0;
}

static int ck_sql_order(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && is_wch(at(s, b - 1)))
    return 0;
  if (e < s->n && is_wch(at(s, e)))
    return 0;
  size_t i = sql_ws(s, e);
  if (!word_at(s, i, "by"))
    return 0;
  i = sql_ws(s, i + 2);
  size_t d = i, end = lim(s, i);
  while (i < end && is_digit(at(s, i)))
    i++;
  if (i == d || (i < s->n && is_alpha(at(s, i))))
    return 0;
  return sql_context(s, b) != CTX_WEAK;
}

static int ck_sql_select(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && is_wch(at(s, b - 1)))
    return 0;
  if (e < s->n && is_wch(at(s, e)))
    return 0;
  int paren = 0;
  size_t j = sql_ws_back(s, b, 0, &paren);
  if (j > 0 && s->t[j - 1] == '(')
    return sql_select_list(s, e, 0);
  return sql_select_list(s, e, 1);
}

/* --- XSS checks --------------------------------------------------------- */

static int ck_xss_tag(const scan_t *s, size_t e) {
  unsigned char c = at(s, e);
  return e >= s->n || is_ws(c) || c == '/' || c == '>' || c == 0x0c;
}

/* An HTML break-out before b: a tag opener or a quote, within the window. */
static int html_breakout_before(const scan_t *s, size_t b) {
  for (size_t j = b; j > lo_bound(b); j--) {
    unsigned char c = (unsigned char)s->t[j - 1];
    if (c == '<' || c == '>' || is_quote(c))
      return 1;
  }
  return 0;
}

/* Attributes that load or run something, or style it (CSS expression,
 * behavior, -moz-binding): the markup users paste into forms (<a href>,
 * <span class>, <table width>) has none of them except href, which the
 * javascript: rule covers. */
static const char *const xss_attrs[] = {
    "src",    "style",      "background", "dynsrc",        "lowsrc", "datasrc",
    "data",   "action",     "formaction", "xmlns",         "code",   "codebase",
    "poster", "xlink:href", "srcdoc",     "attributename", "from",   "to",
    "values", "by",         "folder",     "content"};

static int ck_xss_attr(const scan_t *s, size_t e) {
  size_t i = e, end = lim(s, e);
  if (!is_alpha(at(s, i)))
    return 0;
  while (i < end && (is_alnum(at(s, i)) || at(s, i) == ':' || at(s, i) == '-'))
    i++;
  /* <a>, <area>, <base>: a link is HTML injection when the element is
   * complete (the phishing link, the rebased page) */
  int link = span_eq(s, e, i, "a") || span_eq(s, e, i, "area") ||
             span_eq(s, e, i, "base");
  size_t te = i;
  while (te < end && at(s, te) != '>' && at(s, te) != '<')
    te++;
  int closed = te < end && at(s, te) == '>';
  /* every attribute of the tag: names start after a blank, a quote, a
   * '/', or whatever junk a browser skips (<div&nbsp style=...>) */
  for (size_t j = i; j < te; j++) {
    unsigned char p = at(s, j - 1);
    if (is_alnum(p) || p == '-' || p == ':' || p == '_' || !is_alpha(at(s, j)))
      continue;
    size_t a = j;
    while (a < te && (is_alpha(at(s, a)) || at(s, a) == '-' || at(s, a) == ':'))
      a++;
    size_t k = a;
    while (k < te && is_ws(at(s, k)))
      k++;
    if (at(s, k) == '=') {
      if (span_in(s, j, a, xss_attrs, AO_ARRAY_SIZE(xss_attrs)))
        return 1;
      if (link && closed && span_eq(s, j, a, "href"))
        return 1;
    }
    j = a;
  }
  return 0;
}

/* An event handler's "on" starts an attribute: a blank, '/', a quote or
 * ';' before it. Most "on"s are inside words ("session", "json") and fail
 * here (on_hit() asks before the call). */
static AO_ALWAYS_INLINE int handler_may(const scan_t *s, size_t b) {
  if (b == 0)
    return 0;
  unsigned char p = at(s, b - 1);
  return is_ws(p) || p == '/' || is_quote(p) || p == ';';
}

static int ck_xss_handler(const scan_t *s, size_t b, size_t e) {
  if (!handler_may(s, b))
    return 0;
  size_t i = e, end = lim(s, e);
  while (i < end && is_alpha(at(s, i)))
    i++;
  if (i - e < 3)
    return 0;
  while (i < end && is_ws(at(s, i)))
    i++;
  if (at(s, i) != '=')
    return 0;
  return html_breakout_before(s, b);
}

static int ck_xss_scheme(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && is_alnum(at(s, b - 1)))
    return 0;
  return e < s->n && !is_ws(at(s, e));
}

static int ck_xss_call(const scan_t *s, size_t b) {
  if (b > 0 && (is_wch(at(s, b - 1)) || at(s, b - 1) == '$'))
    return 0;
  for (size_t j = b; j > lo_bound(b); j--) {
    unsigned char c = (unsigned char)s->t[j - 1];
    if (c == '<' || c == '>' || is_quote(c) || c == ';')
      return 1;
  }
  return 0;
}

static int ck_xss_expr(const scan_t *s, size_t b) {
  size_t j = sql_ws_back(s, b, 0, NULL);
  return j > 0 && s->t[j - 1] == ':';
}

/* What a page lets an attacker feed to eval: his own strings, the URL,
 * the window name, decoders. */
static const char *const js_sources[] = {
    "name",   "location", "document", "window", "top",       "self",
    "this",   "parent",   "opener",   "frames", "unescape",  "atob",
    "escape", "string",   "decodeuri", "decodeuricomponent", "content",
    "url",    "chr",      "xss",      "eval"};

/* A dialog call - not part of a longer name (window.alert counts) - with
 * what probes pass it: a number, a string, a regex, the page's data
 * (alert(1), prompt`1`, alert(document.domain)); not "alert(warning)". */
static int ck_js_sink(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && (is_wch(at(s, b - 1)) || at(s, b - 1) == '$'))
    return 0;
  if (s->t[e - 1] == '`')
    return 1;
  size_t i = e;
  while (i < lim(s, e) && is_ws(at(s, i)))
    i++;
  unsigned char c = at(s, i);
  if (is_digit(c) || is_quote(c) || c == ')' || c == '/' || c == '-' ||
      c == '+' || c == '[' || c == '(' || i >= s->n)
    return 1;
  size_t we = word_end(s, i);
  return we > i && span_in(s, i, we, js_sources, AO_ARRAY_SIZE(js_sources));
}

static int ck_js_eval(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && (is_wch(at(s, b - 1)) || at(s, b - 1) == '$'))
    return 0;
  size_t i = e;
  if (i + 5 <= s->n && memcmp(s->t + i, ".call", 5) == 0)
    i += 5;
  else if (i + 6 <= s->n && memcmp(s->t + i, ".apply", 6) == 0)
    i += 6;
  if (i + 4 <= s->n && memcmp(s->t + i, "/**/", 4) == 0)
    i += 4;
  if (at(s, i) == '`')
    return 1;
  if (at(s, i) != '(')
    return 0;
  i++;
  while (i < lim(s, e) && is_ws(at(s, i)))
    i++;
  unsigned char c = at(s, i);
  if (is_quote(c) || c == '/')
    return 1;
  size_t we = i;
  while (we < lim(s, e) && is_wch(at(s, we)))
    we++;
  if (we == i || (we < s->n && is_wch(at(s, we))))
    return 0;
  return span_in(s, i, we, js_sources, AO_ARRAY_SIZE(js_sources));
}

/* a=eval;b=alert;a(b(1)): a sink handed to a variable, then a call. */
static const char *const js_assign_sinks[] = {
    "eval",        "alert",    "prompt",   "confirm",   "settimeout",
    "setinterval", "unescape", "function", "execscript"};

/* Bit c - 'a' of js_assign_seconds[f - 'a']: some sink starts with the
 * letters f, c. check_tables() checks every sink against it. */
#define L2(c) (1u << ((c) - 'a'))
static const uint32_t js_assign_seconds[26] = {
    ['a' - 'a'] = L2('l'),           /* alert */
    ['c' - 'a'] = L2('o'),           /* confirm */
    ['e' - 'a'] = L2('v') | L2('x'), /* eval, execscript */
    ['f' - 'a'] = L2('u'),           /* function */
    ['p' - 'a'] = L2('r'),           /* prompt */
    ['s' - 'a'] = L2('e'),           /* settimeout, setinterval */
    ['u' - 'a'] = L2('n'),           /* unescape */
};
#undef L2

/* The quick reject of ck_js_assign(), inline in on_hit(): the '=' of
 * nearly every parameter is followed by a word that does not start like
 * a sink ("google", "cpc", "summer"), or by no word. A sink is letters
 * only, so a second byte that is not one of the letters that follow that
 * first letter in some sink ends the matter: a digit or '_' makes a word
 * that is no sink, anything else a one-letter word. Blanks before the
 * word go to the full check. */
static inline int js_assign_may(const scan_t *s, size_t e) {
  unsigned char c0 = at(s, e);
  if (c0 < 'a' || c0 > 'z') /* a letter first: the common case */
    return is_ws(c0);
  unsigned char c1 = at(s, e + 1);
  return c1 >= 'a' && c1 <= 'z' &&
         ((js_assign_seconds[c0 - 'a'] >> (c1 - 'a')) & 1u);
}

static int ck_js_assign(const scan_t *s, size_t e) {
  size_t i = e, end = lim(s, e);
  while (i < end && is_ws(at(s, i)))
    i++;
  unsigned char c0 = at(s, i);
  if (c0 < 'a' || c0 > 'z' || !js_assign_may(s, i))
    return 0;
  /* no sink is longer than 11 bytes: a longer word is none of them, and
   * reading it further would find nothing */
  size_t we = i, wend = lim(s, i);
  while (we < wend && we - i < 12 && is_wch(at(s, we)))
    we++;
  /* the byte after the word first: it rejects words of any length */
  unsigned char c = at(s, we);
  if (!(c == ';' || c == ',' || c == ')' || c == '\n' || c == ' '))
    return 0;
  if (!span_in(s, i, we, js_assign_sinks, AO_ARRAY_SIZE(js_assign_sinks)))
    return 0;
  for (size_t k = we; k < end; k++)
    if (s->t[k] == '(')
      return 1;
  return 0;
}

static int ck_js_dom(const scan_t *s, const ao_rule_t *r, size_t b,
                     size_t e) {
  unsigned char p = b > 0 ? at(s, b - 1) : 0;
  if (b > 0 && (is_wch(p) || p == '$'))
    return 0;
  /* arg 1: a property (.innerHTML), written as one */
  if (r->arg == 1)
    return p == '.';
  /* location.hash, document.URL: not part of a longer name */
  if (!(s->t[e - 1] == '(' || s->t[e - 1] == '_'))
    return e >= s->n || !is_wch(at(s, e));
  return 1;
}

/* <!DOCTYPE x [ <!ENTITY ...> ]> or <!DOCTYPE x SYSTEM "...">: a DTD in a
 * parameter is XML injection (XXE). */
static int ck_xss_doctype(const scan_t *s, size_t e) {
  size_t end = lim(s, e);
  for (size_t i = e; i < end; i++) {
    if (s->t[i] == '[' || s->t[i] == '>')
      return s->t[i] == '[';
    if (word_at(s, i, "system") || word_at(s, i, "public"))
      return 1;
  }
  return 0;
}

/* data:<type>;base64, of a document or a script (text/html, SVG,
 * application/...): markup smuggled in a data: URI */
static int ck_data_uri(const scan_t *s, size_t b) {
  size_t lo = b > 64 ? b - 64 : 0;
  for (size_t j = b; j >= lo + 5; j--) {
    if (memcmp(s->t + j - 5, "data:", 5) != 0)
      continue;
    size_t m = j;
    if (m + 2 <= b && s->t[m] == '/' && s->t[m + 1] == '/')
      m += 2; /* PHP's data:// wrapper: traversal's business */
    /* raster images, plain text and style sheets run no script */
    static const char *const images[] = {
        "image/png", "image/jpeg", "image/jpg",  "image/gif",
        "image/webp", "image/x-icon", "text/plain", "text/css"};
    for (size_t k = 0; k < AO_ARRAY_SIZE(images); k++) {
      size_t n = strlen(images[k]);
      if (b - m == n && memcmp(s->t + m, images[k], n) == 0)
        return 0;
    }
    return 1;
  }
  return 0;
}

/* An OS or server file by name: at the start of a path segment, or as a
 * whole parameter value when the name cannot be a word (it has a '.' or
 * '_': "?file=error.log", not "?style=shadow"); not followed by more of a
 * name ("passwords"). */
static int ck_file(const scan_t *s, const ao_rule_t *r, size_t b, size_t e) {
  if (e < s->n && is_alnum(at(s, e)))
    return 0;
  unsigned char p = b > 0 ? at(s, b - 1) : 0;
  if (p == '/' || p == '\\')
    return 1;
  int namelike = strchr(r->lit, '.') != NULL || strchr(r->lit, '_') != NULL;
  return namelike && (b == 0 || p == '=');
}

/* --- command injection checks ------------------------------------------- */

/* Bit k: some command starts with 'a' + k. */
#define CMD_FIRST_LETTERS                                                      \
  ((1u << ('b' - 'a')) | (1u << ('c' - 'a')) | (1u << ('d' - 'a')) |           \
   (1u << ('e' - 'a')) | (1u << ('f' - 'a')) | (1u << ('g' - 'a')) |           \
   (1u << ('h' - 'a')) | (1u << ('i' - 'a')) | (1u << ('k' - 'a')) |           \
   (1u << ('l' - 'a')) | (1u << ('m' - 'a')) | (1u << ('n' - 'a')) |           \
   (1u << ('p' - 'a')) | (1u << ('r' - 'a')) | (1u << ('s' - 'a')) |           \
   (1u << ('t' - 'a')) | (1u << ('u' - 'a')) | (1u << ('w' - 'a')) |           \
   (1u << ('x' - 'a')) | (1u << ('z' - 'a')))

/* The command table is looked up for every separator and every query
 * value: by a hash of the word into an open-addressed index built at
 * creation (one hash and usually one compare), not a binary search. */
static uint32_t cmd_hash(const char *w) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (; *w; w++)
    h = (h ^ (unsigned char)*w) * 16777619u;
  return h;
}

static const cmd_t *cmd_find(const ao_classifier_t *c, const char *w) {
  for (uint32_t i = cmd_hash(w);; i++) {
    unsigned k = c->cmd_index[i & (CMD_SLOTS - 1u)];
    if (k == 0)
      return NULL;
    if (strcmp(rce_cmds[k - 1].name, w) == 0)
      return &rce_cmds[k - 1];
  }
}

/* [a-z0-9_] as 0..36, anything else 63 (no command has it) */
static unsigned cmd_char(unsigned char ch) {
  if (ch >= 'a' && ch <= 'z')
    return ch - 'a';
  if (ch >= '0' && ch <= '9')
    return 26u + (ch - '0');
  return ch == '_' ? 36u : 63u;
}

/* Can a word whose key starts with key[0..len) still be a command (len 2
 * or 3)? Most words that pass the first-letter filter fail here, after
 * two or three characters, before the rest of the word is read and
 * looked up: "newsletter" and "cpc" (utm_source=newsletter,
 * utm_medium=cpc) share their first two characters with "netstat" and
 * "cp", but no command starts with "new" or "cpc". key[0] is a letter
 * (shell_word() checks it first). */
static inline int cmd_prefix_ok(const ao_classifier_t *c, const char *key,
                                size_t len) {
  unsigned ib = cmd_char((unsigned char)key[1]);
  unsigned id = ib < 37 ? c->cmd_pair_id[key[0] - 'a'][ib] : 0u;
  if (id == 0 || len == 2)
    return id != 0;
  unsigned ic = cmd_char((unsigned char)key[2]);
  return ic < 37 && ((c->cmd_thirds[id - 1] >> ic) & 1u);
}

static void cmd_index_build(ao_classifier_t *c) {
  unsigned pairs = 0;
  for (size_t k = 0; k < AO_ARRAY_SIZE(rce_cmds); k++) {
    const char *w = rce_cmds[k].name; /* [a-z][a-z0-9_]+: check_tables() */
    uint8_t *id = &c->cmd_pair_id[w[0] - 'a'][cmd_char((unsigned char)w[1])];
    if (*id == 0)
      *id = (uint8_t)++pairs;
    if (w[2] != '\0')
      c->cmd_thirds[*id - 1] |= (uint64_t)1 << cmd_char((unsigned char)w[2]);
  }
  for (size_t k = 0; k < AO_ARRAY_SIZE(rce_cmds); k++) {
    uint32_t i = cmd_hash(rce_cmds[k].name);
    while (c->cmd_index[i & (CMD_SLOTS - 1u)] != 0)
      i++;
    c->cmd_index[i & (CMD_SLOTS - 1u)] = (uint8_t)(k + 1);
  }
}

/* Skips blanks and the $IFS tricks between a command and its argument;
 * returns the index after them (== i when there were none). */
static size_t shell_blank(const scan_t *s, size_t i) {
  size_t e = lim(s, i);
  while (i < e) {
    unsigned char c = at(s, i);
    if (c == ' ' || c == '\t' || c == '+') { /* '+': a space, encoded */
      i++;
      continue;
    }
    if (c == '$' && i + 4 <= s->n && memcmp(s->t + i + 1, "ifs", 3) == 0) {
      i += 4;
      if (at(s, i) == '$' && is_digit(at(s, i + 1)))
        i += 2;
      continue;
    }
    if (c == '$' && at(s, i + 1) == '{' && i + 6 <= s->n &&
        memcmp(s->t + i + 2, "ifs}", 4) == 0) {
      i += 6;
      continue;
    }
    break;
  }
  return i;
}

static int shell_arg_ok(const scan_t *s, size_t we, int arg) {
  unsigned char c = at(s, we);
  if (arg == A_NONE)
    return we >= s->n || is_ws(c) || c == ';' || c == '|' || c == '&' ||
           c == '`' || c == ')' || c == '#' || c == '<' || c == '>' ||
           c == '+' || is_quote(c) ||
           /* "\\n" written out after the command */
           (c == '\\' && (at(s, we + 1) == 'n' || at(s, we + 1) == '\\'));
  if (c == '<') /* cat</etc/passwd */
    return arg == A_SHELL || arg == A_ANY;
  size_t a = shell_blank(s, we);
  if (a == we || a >= s->n)
    return 0;
  c = at(s, a);
  switch (arg) {
  case A_ANY:
    return !(c == ';' || c == '|' || c == '&' || c == '=' || c == ')');
  case A_NUM:
    return is_digit(c);
  default:
    return c == '/' || c == '.' || c == '-' || c == '$' || c == '~' ||
           is_quote(c) || c == '\\' || c == '<' || c == '>' || c == '{' ||
           is_digit(c) ||
           /* a Windows drive: dir c:\ */
           (is_alpha(c) && at(s, a + 1) == ':' &&
            (at(s, a + 2) == '\\' || at(s, a + 2) == '/' || a + 2 >= s->n));
  }
}

/* Reads the command word at i: an optional /bin/-style directory, then
 * [a-z0-9_.-], with a ".exe" suffix dropped. Returns its table entry. */
static const cmd_t *shell_word(const scan_t *s, size_t i, size_t *we) {
  static const ao_lit_t dirs[] = {
      AO_LIT("/usr/local/bin/"), AO_LIT("/usr/bin/"), AO_LIT("/usr/sbin/"),
      AO_LIT("/bin/"),           AO_LIT("/sbin/"),    AO_LIT("usr/bin/"),
      AO_LIT("usr/sbin/"),       AO_LIT("bin/")};
  /* parameter names and values often start with 'u', 'b' or '/'
   * ("utm_source", "/home"): the first two bytes of every entry of dirs
   * are one of these pairs, which rejects nearly all of them before any
   * directory is compared */
  unsigned char d0 = at(s, i), d1 = at(s, i + 1);
  if ((d0 == '/' && (d1 == 'u' || d1 == 'b' || d1 == 's')) ||
      (d0 == 'u' && d1 == 's') || (d0 == 'b' && d1 == 'i')) {
    for (size_t k = 0; k < AO_ARRAY_SIZE(dirs); k++) {
      if ((unsigned char)dirs[k].s[0] != d0 ||
          (unsigned char)dirs[k].s[1] != d1)
        continue;
      size_t dl = dirs[k].n;
      if (i + dl <= s->n && memcmp(s->t + i, dirs[k].s, dl) == 0) {
        i += dl;
        break;
      }
    }
  }
  /* cheap reject before the table search: every command starts with one
   * of these letters (checked by the unit test against rce_cmds) */
  unsigned char c0 = at(s, i);
  if (c0 < 'a' || c0 > 'z' || !((CMD_FIRST_LETTERS >> (c0 - 'a')) & 1u))
    return NULL;
  /* The word as the shell reads it: quotes that close at once (c''at,
   * pi``ng), backslashes (c\at), empty expansions ($@, $*) and one-letter
   * globs (/bi[n]/sh) change nothing for the shell and hide the command
   * from a literal match. */
  char key[16];
  size_t len = 0, e = i;
  while (e < s->n && e - i < 32 && len < sizeof(key)) {
    unsigned char c = at(s, e);
    if (is_alnum(c) || c == '_') {
      key[len++] = (char)c;
      e++;
    } else if ((c == '\'' || c == '"' || c == '`') && at(s, e + 1) == c) {
      e += 2;
      continue;
    } else if (c == '\\' && is_alpha(at(s, e + 1))) {
      e++;
      continue;
    } else if (c == '$' && (at(s, e + 1) == '@' || at(s, e + 1) == '*')) {
      e += 2;
      continue;
    } else if (c == '[' && is_alnum(at(s, e + 1)) && at(s, e + 2) == ']') {
      key[len++] = (char)at(s, e + 1);
      e += 3;
    } else {
      break;
    }
    /* no command starts with these two or three characters: no need to
     * read on (key[0] is the letter checked above) */
    if ((len == 2 || len == 3) && !cmd_prefix_ok(s->c, key, len))
      return NULL;
  }
  if (len == 0 || len >= 16)
    return NULL;
  if (e + 4 <= s->n && memcmp(s->t + e, ".exe", 4) == 0 &&
      (e + 4 == s->n || !is_alnum(at(s, e + 4)))) {
    *we = e + 4;
  } else {
    *we = e;
  }
  key[len] = '\0';
  return cmd_find(s->c, key);
}

/* An URL argument, after blanks: wget http://x/y.sh */
static int shell_url_arg(const scan_t *s, size_t we) {
  size_t a = shell_blank(s, we);
  if (a == we)
    return 0;
  return (a + 5 <= s->n && memcmp(s->t + a, "http:", 5) == 0) ||
         (a + 6 <= s->n && memcmp(s->t + a, "https:", 6) == 0) ||
         (a + 4 <= s->n && memcmp(s->t + a, "ftp:", 4) == 0) ||
         (a + 5 <= s->n && memcmp(s->t + a, "tftp:", 5) == 0);
}

/* The quick reject of rce_at_value(), inline in on_hit() and
 * scan_field(), and of the word after a separator: would shell_blank()
 * and then shell_word() at i find no command? Exactly when the first
 * byte is none that they skip or start a command with (blanks, '$' of
 * $IFS, '/' of a directory, a letter starting a command), or when the
 * first two or three bytes are plain key characters that no command
 * starts with. The directories that do not start with '/', "usr/" and
 * "bin/", start with the pairs of "useradd" and "bitsadmin": those pairs
 * go to the full reading. Most parameter values are turned away here
 * ("google", "cpc", "newsletter", "2"), without the two calls. */
static AO_ALWAYS_INLINE int cmd_word_may(const scan_t *s, size_t i) {
  unsigned char c0 = at(s, i);
  if (c0 < 'a' || c0 > 'z')
    return c0 == ' ' || c0 == '\t' || c0 == '+' || c0 == '$' || c0 == '/';
  if (!((CMD_FIRST_LETTERS >> (c0 - 'a')) & 1u))
    return 0;
  /* a one-letter word, or one hidden by quotes or backslashes: the full
   * reading decides */
  char key[3] = {(char)c0, (char)at(s, i + 1), (char)at(s, i + 2)};
  if (i + 1 >= s->n || !(is_alnum((unsigned char)key[1]) || key[1] == '_'))
    return 1;
  if (!cmd_prefix_ok(s->c, key, 2))
    return 0;
  if (i + 2 >= s->n || !(is_alnum((unsigned char)key[2]) || key[2] == '_') ||
      (c0 == 'u' && key[1] == 's') || (c0 == 'b' && key[1] == 'i'))
    return 1;
  return cmd_prefix_ok(s->c, key, 3);
}

/* A command word at i that needs no separator before it: the start of a
 * query value (need_value) or of a header. */
static int rce_at_value(const scan_t *s, size_t i, int need_value) {
  i = shell_blank(s, i);
  size_t we;
  const cmd_t *cmd = shell_word(s, i, &we);
  if (cmd == NULL || (need_value && !cmd->value))
    return 0;
  return shell_arg_ok(s, we, A_SHELL) ||
         (cmd->arg == A_ANY && shell_url_arg(s, we));
}

/* Is the '&' at b one that the client sent encoded (%26), i.e. inside a
 * parameter value? A raw '&' separates parameters and proves nothing; an
 * encoded one is what a shell injection needs. */
static int amp_in_value(const scan_t *s, size_t b) {
  if (!(s->field & F_QUERY) || s->html || s->c->nitems == 0 ||
      s->t != s->c->b_query)
    return 0;
  for (size_t k = 0; k + 1 < s->c->nitems; k++)
    if (s->c->items[k].e == b)
      return 0;
  return 1;
}

/* A separator followed directly by a letter: ck_rce_sep() skips nothing
 * (no blank, no second '|' or '&', no newline) and asks cmd_word_may()
 * of that letter first. Nearly every '&' of a query is followed by a
 * parameter name that fails it (on_hit() asks before the call). */
static AO_ALWAYS_INLINE int sep_word_may(const scan_t *s, size_t e) {
  unsigned char c = at(s, e);
  return c < 'a' || c > 'z' || cmd_word_may(s, e);
}

static int ck_rce_sep(const scan_t *s, size_t b, size_t e) {
  unsigned char c = at(s, b);
  size_t i = e;
  if (at(s, i) == '|' || at(s, i) == '&') /* || && */
    i++;
  i = shell_blank(s, i);
  for (int guard = 0; guard < 4 && (at(s, i) == '\n' || at(s, i) == '\r');
       guard++)
    i = shell_blank(s, i + 1);
  /* the '&' before the next parameter ("&utm_medium=", "&page=") mostly
   * ends here, without reading the word */
  if (!cmd_word_may(s, i))
    return 0;
  size_t we;
  const cmd_t *cmd = shell_word(s, i, &we);
  if (cmd == NULL)
    return 0;
  /* Only now the kind of separator: nearly every '&' of a query is a
   * parameter separator followed by no command, and amp_in_value() walks
   * the parameters. */
  int amp = c == '&' && at(s, e) != '&' && !(b > 0 && at(s, b - 1) == '&') &&
            !amp_in_value(s, b);
  /* a newline, or "\n" written out */
  int nl = c == '\n' || c == '\\';
  int weak = amp || nl;
  /* user agents separate their comments with ';' (and some with '|'):
   * after those, a command needs a shell-like argument ("; Touch;") */
  int ua_sep = (s->field & F_UA) && (c == ';' || c == '|');
  if (weak || ua_sep) { /* see rce_cmds */
    /* "\nid\n": a bare command alone on its line; not after '&', where
     * it would be a parameter without a value (?a=1&id) */
    size_t k = we;
    while (k < s->n && k < we + 8 && (at(s, k) == ' ' || at(s, k) == '\t'))
      k++;
    size_t bs = k;
    while (bs < s->n && bs < k + 4 && at(s, bs) == '\\')
      bs++;
    unsigned char n = at(s, k);
    if (cmd->arg == A_NONE && !amp && !(s->field & F_UA) &&
        (k >= s->n || n == '\n' || n == '\r' || n == ';' || n == '|' ||
         n == '`' || (bs > k && at(s, bs) == 'n')))
      return 1;
    return shell_arg_ok(s, we, A_SHELL) ||
           (cmd->arg == A_ANY && shell_url_arg(s, we));
  }
  return shell_arg_ok(s, we, cmd->arg);
}

static int ck_rce_brace(const scan_t *s, size_t e) {
  size_t we;
  /* {cat,/etc/passwd} and {,ip,a}: bash expands both into a command */
  if (at(s, e) == ',')
    e++;
  const cmd_t *cmd = shell_word(s, e, &we);
  return cmd != NULL && at(s, we) == ',';
}

/* x=$'..' (ANSI-C quoting) or x=$".." (locale quoting), the quote
 * possibly escaped: only a shell writes an assignment like that
 * (CMD=$'id';$CMD). */
static int ck_rce_dollar(const scan_t *s, size_t b, size_t e) {
  if (b == 0 || !is_wch(at(s, b - 1)))
    return 0;
  size_t i = e;
  while (i < e + 2 && at(s, i) == '\\')
    i++;
  return at(s, i) == '\'' || at(s, i) == '"';
}

/* FOR /F %i IN ('cmd') DO ...: cmd.exe's loop, which runs its command. */
static int ck_rce_for(const scan_t *s, size_t b, size_t e) {
  if ((b > 0 && is_wch(at(s, b - 1))) || (e < s->n && is_wch(at(s, e))))
    return 0;
  size_t end = lim(s, e), i = e;
  int var = 0, in = 0;
  for (; i < end; i++) {
    unsigned char c = at(s, i);
    if (!var) {
      if (c == '%' && (is_alpha(at(s, i + 1)) || at(s, i + 1) == '%' ||
                       at(s, i + 1) == '~' || at(s, i + 1) == '_' ||
                       at(s, i + 1) == '/' || at(s, i + 1) == ']'))
        var = 1;
      else if (!(is_ws(c) || c == '/' || is_alpha(c) || c == '"' ||
                 c == '=' || c == '-' || is_digit(c) || c == '*' ||
                 c == ',' || c == ':' || c == '\\' || c == '.' || c == '~'))
        return 0;
      continue;
    }
    if (!in) {
      if (is_ws(at(s, i - 1)) && word_at(s, i, "in")) {
        size_t k = i + 2;
        while (k < end && is_ws(at(s, k)))
          k++;
        if (at(s, k) != '(')
          return 0;
        in = 1;
        i = k;
      }
      continue;
    }
    if (c == ')') {
      size_t k = i + 1;
      while (k < end && is_ws(at(s, k)))
        k++;
      return word_at(s, k, "do");
    }
  }
  return 0;
}

static int ck_rce_bin(const scan_t *s, size_t e) {
  return e >= s->n || !is_alpha(at(s, e));
}

static int ck_shellshock(const scan_t *s, size_t e) {
  size_t i = e, end = lim(s, e);
  while (i < end && is_ws(at(s, i)))
    i++;
  return at(s, i) == '{';
}

/* A multiplication of literals (7*7, 7*'7', 1337*1337) in t[b, e): the
 * template-injection probe. Linear in e - b. */
static int tmpl_arith(const scan_t *s, size_t b, size_t e) {
  for (size_t j = b; j < e; j++) {
    if (s->t[j] != '*')
      continue;
    size_t l = j, r = j + 1;
    if (l > b && is_ws(at(s, l - 1)))
      l--;
    if (r < e && is_ws(at(s, r)))
      r++;
    if (l > b && is_quote(at(s, l - 1)))
      l--;
    if (r < e && is_quote(at(s, r)))
      r++;
    if (l > b && is_digit(at(s, l - 1)) && r < e && is_digit(at(s, r)))
      return 1;
  }
  return 0;
}

/* At a closer: was there an opener of that kind within the window, and
 * between them a runtime token or a multiplication? The opener is then
 * consumed, so a body is examined once. */
static int ck_tmpl_close(scan_t *s, size_t b, unsigned char closer) {
  size_t o = s->tmpl_open;
  if (o == NO_POS || s->tmpl_closer != closer || o > b || b - o > AO_LOOK)
    return 0;
  s->tmpl_open = NO_POS;
  return (s->tmpl_tok != NO_POS && s->tmpl_tok >= o && s->tmpl_tok < b) ||
         tmpl_arith(s, o, b);
}

static int ck_dollar(scan_t *s, size_t b, size_t e) {
  s->dollar = b;
  s->tmpl_open = e;
  s->tmpl_closer = '}';
  /* nested lookups ${${lower:j}ndi:...} exist only to obfuscate */
  if (at(s, e) == '$' && at(s, e + 1) == '{')
    return 1;
  if (at(s, e) == ':' && at(s, e + 1) == ':' && at(s, e + 2) == '-')
    return 1; /* ${::-j} */
  size_t we = word_end(s, e);
  if (at(s, we) == ':' && we > e) {
    static const char *const lookups[] = {
        "jndi",   "lower", "upper",  "env", "sys",    "java",      "date",
        "ctx",    "main",  "base64", "k8s", "docker", "spring",    "bundle",
        "marker", "event", "sd",     "web", "log4j",  "jvmrunargs"};
    if (span_in(s, e, we, lookups, AO_ARRAY_SIZE(lookups)))
      return 1;
  }
  return 0;
}

/* ${:1337:-x$}{jndi:...}: whatever garbage sits in between, a jndi: lookup
 * shortly after a ${ is log4shell. */
static int ck_jndi(const scan_t *s, size_t b) {
  return s->dollar != NO_POS && s->dollar < b && b - s->dollar <= 64;
}

static int ck_php_call(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && (is_wch(at(s, b - 1)) || at(s, b - 1) == '.'))
    return 0;
  size_t i = e;
  while (i < lim(s, e) && is_ws(at(s, i)))
    i++;
  unsigned char c = at(s, i);
  if (is_quote(c) || c == '$' || c == '@' || c == '\\')
    return 1;
  if (is_alpha(c) || c == '_') {
    size_t we = word_end(s, i);
    while (we < lim(s, e) && is_ws(at(s, we)))
      we++;
    return at(s, we) == '(';
  }
  return 0;
}

static int ck_php_short(const scan_t *s, size_t e) {
  size_t i = e;
  if (!is_ws(at(s, i)))
    return 0; /* <?xml, <?php (its own rule) */
  while (i < lim(s, e) && is_ws(at(s, i)))
    i++;
  return is_alpha(at(s, i)) || at(s, i) == '$';
}

/* O:8:"stdclass":1:{ - the length, the quoted class name, the count and
 * the brace, in that order: nothing else looks like that. */
static int ck_php_ser(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && is_alnum(at(s, b - 1)))
    return 0;
  size_t i = e, end = lim(s, e), d = i;
  while (i < end && is_digit(at(s, i)))
    i++;
  if (i == d || at(s, i) != ':' || at(s, i + 1) != '"')
    return 0;
  i += 2;
  size_t nb = i;
  while (i < end && (is_wch(at(s, i)) || at(s, i) == '\\'))
    i++;
  if (i == nb || at(s, i) != '"' || at(s, i + 1) != ':')
    return 0;
  i += 2;
  d = i;
  while (i < end && is_digit(at(s, i)))
    i++;
  return i > d && at(s, i) == ':' && at(s, i + 1) == '{';
}

static int ck_pwsh(const scan_t *s, size_t b, size_t e) {
  if (b > 0 && is_wch(at(s, b - 1)))
    return 0;
  if (e + 4 <= s->n && memcmp(s->t + e, ".exe", 4) == 0)
    return 1;
  size_t i = e;
  if (!is_ws(at(s, i)))
    return 0;
  while (i < lim(s, e) && is_ws(at(s, i)))
    i++;
  unsigned char c = at(s, i);
  return c == '-' || c == '/' || is_quote(c) || c == '&' || c == '$' ||
         c == '{';
}

/* --- inclusion: wrappers and remote URLs ----------------------------- */

static int is_ipv4_host(const scan_t *s, size_t i, size_t *end) {
  int dots = 0, digits = 0;
  size_t k = i, e = lim(s, i);
  for (; k < e; k++) {
    unsigned char c = at(s, k);
    if (is_digit(c)) {
      digits++;
    } else if (c == '.' && digits > 0) {
      dots++;
      digits = 0;
    } else {
      break;
    }
  }
  *end = k;
  return dots == 3 && digits > 0;
}

static int ck_url(const scan_t *s, size_t b, size_t e) {
  size_t sb = b, lo = b > 24 ? b - 24 : 0;
  while (sb > lo && (is_alnum(at(s, sb - 1)) || at(s, sb - 1) == '.' ||
                     at(s, sb - 1) == '+' || at(s, sb - 1) == '-'))
    sb--;
  if (sb == b)
    return 0;
  static const char *const wrappers[] = {
      "php",  "zip",           "phar",           "expect", "data",
      "glob", "compress.zlib", "compress.bzip2", "ogg",    "rar",
      "zlib", "ssh2.exec",     "ssh2.shell"};
  if (span_in(s, sb, b, wrappers, AO_ARRAY_SIZE(wrappers)))
    return 1;
  if (span_eq(s, sb, b, "file")) {
    /* file:///etc/passwd, file://c:/, file://localhost/ - not a template
     * placeholder such as file://$file */
    unsigned char c = at(s, e);
    return c == '/' || c == '\\' || (is_alpha(c) && at(s, e + 1) == ':') ||
           (e + 9 <= s->n && memcmp(s->t + e, "localhost", 9) == 0);
  }
  /* RFI: a parameter whose value is an URL that only an include would
   * want - an IP address host, or a trailing '?' (or NUL) that cuts off the
   * suffix the application appends. */
  if (!(s->field & F_QUERY))
    return 0;
  static const char *const remote[] = {"http", "https", "ftp", "ftps"};
  if (!span_in(s, sb, b, remote, AO_ARRAY_SIZE(remote)))
    return 0;
  if (!(sb == 0 || at(s, sb - 1) == '='))
    return 0;
  size_t he;
  if (at(s, e) == '[') /* an IPv6 literal */
    return 1;
  if (is_ipv4_host(s, e, &he) &&
      (he >= s->n || at(s, he) == '/' || at(s, he) == ':' || at(s, he) == '&'))
    return 1;
  size_t ve = e, end = lim(s, e);
  while (ve < end && at(s, ve) != '&')
    ve++;
  if (ve < end || ve == s->n) {
    if (ve > e && at(s, ve - 1) == '?')
      return 1;
  }
  return (s->info & AO_NORM_NUL_TAIL) != 0;
}

/* --- probes ------------------------------------------------------------- */

static int ck_probe(const scan_t *s, size_t b, size_t e, unsigned arg) {
  if ((arg & PR_ROOT) && b != 0)
    return 0;
  unsigned char c = at(s, e);
  switch (arg & PE_MASK) {
  case PE_NAME:
    if (e < s->n && is_alnum(c))
      return 0;
    break;
  case PE_SEG:
    if (e < s->n && c != '/' && c != ';')
      return 0;
    break;
  default:
    break;
  }
  if (arg & PR_ABSENT)
    return s->status == 403 || s->status == 404 || s->status == 410;
  return 1;
}

/* Literals with their lengths, for the suffix tables below. */
#define L(x) AO_LIT(x)

static int ends_with(const char *name, size_t len, const ao_lit_t *l) {
  return len > l->n && name[len - 1] == l->s[l->n - 1] &&
         memcmp(name + len - l->n, l->s, l->n) == 0;
}

static int starts_with(const char *name, size_t len, const ao_lit_t *l) {
  return len > l->n && name[0] == l->s[0] && memcmp(name, l->s, l->n) == 0;
}

/* Backups and dumps, by the name of the last path segment (canonical). */
static int probe_backup_name(const char *p, size_t n) {
  size_t b = ao_after_last1(p, n, '/');
  const char *name = p + b;
  size_t len = n - b;
  if (len < 2)
    return 0;
  /* editor and backup-tool leftovers: index.php~, config.php.bak, .swp */
  if (name[len - 1] == '~')
    return 1;
  if (memchr(name, '.', len) == NULL)
    return 0;
  static const ao_lit_t ext[] = {
      L(".bak"),     L(".old"),     L(".orig"),   L(".save"),   L(".swp"),
      L(".swo"),     L(".sql"),     L(".bkp"),    L(".backup"), L(".sql.gz"),
      L(".sql.bz2"), L(".sql.zip"), L(".sql.xz"), L(".mdb"),    L(".sqlite3")};
  for (size_t k = 0; k < AO_ARRAY_SIZE(ext); k++)
    if (ends_with(name, len, &ext[k]))
      return 1;
  /* archives of the whole site: backup.zip, www.tar.gz, htdocs.rar */
  static const ao_lit_t arch[] = {L(".zip"),     L(".tar"), L(".tar.gz"),
                                  L(".tgz"),     L(".rar"), L(".7z"),
                                  L(".tar.bz2"), L(".gz")};
  static const ao_lit_t site[] = {
      L("backup"),      L("backups"),  L("www"),     L("wwwroot"), L("htdocs"),
      L("public_html"), L("site"),     L("website"), L("web"),     L("html"),
      L("db"),          L("database"), L("dump"),    L("sql"),     L("root")};
  size_t stem = 0;
  while (stem < len && name[stem] != '.')
    stem++;
  for (size_t k = 0; k < AO_ARRAY_SIZE(arch); k++) {
    if (len != stem + arch[k].n ||
        memcmp(name + stem, arch[k].s, arch[k].n) != 0)
      continue;
    for (size_t j = 0; j < AO_ARRAY_SIZE(site); j++)
      if (site[j].n == stem && memcmp(name, site[j].s, stem) == 0)
        return 1;
    if (stem >= 6 && memcmp(name, "backup", 6) == 0)
      return 1;
  }
  return 0;
}

/* Tier-2 probes that are not literals: paths a site only has if it is
 * misconfigured or runs that software, counted when the server says they
 * are absent or closed (403, 404, 410):
 *   - a hidden file or directory (a segment starting with '.'), other than
 *     /.well-known/ (RFC 8615); the secrets among them (.env, .git) are
 *     tier-1 literals;
 *   - configuration, credential and log files by extension;
 *   - login, admin, setup, upload and shell scripts by name, in any of the
 *     server-side script languages. */
static int probe_absent(const char *p, size_t n, int status) {
  if (status != 403 && status != 404 && status != 410)
    return 0;
  for (size_t i = 0; i + 1 < n; i++) {
    if (p[i] == '/' && p[i + 1] == '.' && i + 2 < n && p[i + 2] != '/') {
      if (n - i >= 13 && memcmp(p + i, "/.well-known", 12) == 0 &&
          (n - i == 12 || p[i + 12] == '/'))
        continue;
      return 1;
    }
  }
  size_t b = ao_after_last1(p, n, '/');
  const char *name = p + b;
  size_t len = n - b;
  static const ao_lit_t conf[] = {
      L(".ini"),  L(".conf"),       L(".cfg"),    L(".config"), L(".log"),
      L(".inc"),  L(".pwd"),        L(".key"),    L(".pem"),    L(".yml"),
      L(".yaml"), L(".properties"), L(".passwd"), L(".db"),     L(".sqlite")};
  for (size_t k = 0; k < AO_ARRAY_SIZE(conf); k++)
    if (ends_with(name, len, &conf[k]))
      return 1;
  static const ao_lit_t scripts[] = {
      L(".php"),  L(".php3"), L(".php4"), L(".php5"), L(".phtml"), L(".asp"),
      L(".aspx"), L(".jsp"),  L(".cgi"),  L(".pl"),   L(".py")};
  static const ao_lit_t stems[] = {L("admin"),  L("login"),   L("logon"),
                                   L("signin"), L("setup"),   L("install"),
                                   L("config"), L("upload"),  L("shell"),
                                   L("cmd"),    L("phpinfo"), L("webadmin")};
  for (size_t k = 0; k < AO_ARRAY_SIZE(scripts); k++) {
    if (!ends_with(name, len, &scripts[k]))
      continue;
    for (size_t j = 0; j < AO_ARRAY_SIZE(stems); j++)
      if (starts_with(name, len, &stems[j]))
        return 1;
  }
  return 0;
}

/* --- dispatch ----------------------------------------------------------- */

static int verify(scan_t *s, const ao_rule_t *r, size_t b, size_t e) {
  switch (r->check) {
  case CK_LIT:
    return 1;
  case CK_WB:
    return b == 0 || !is_wch(at(s, b - 1));
  case CK_WORD:
    return (b == 0 || !is_wch(at(s, b - 1))) &&
           (e >= s->n || !is_wch(at(s, e)));
  case CK_TOKEN:
    return (b == 0 || !is_alnum(at(s, b - 1))) &&
           (e >= s->n || !is_alpha(at(s, e)));
  case CK_PROBE:
    return ck_probe(s, b, e, r->arg);
  case CK_SQL_BOOL:
    return ck_sql_bool(s, b, e);
  case CK_SQL_UNION:
    return ck_sql_union(s, b, e);
  case CK_SQL_STACK:
    return ck_sql_stack(s, b, e);
  case CK_SQL_COMMENT:
    return ck_sql_comment(s, b, e);
  case CK_SQL_SLEEP:
    return ck_sql_sleep(s, b, e);
  case CK_SQL_WAITFOR: {
    if (b > 0 && is_wch(at(s, b - 1)))
      return 0;
    size_t i = sql_ws(s, e);
    return i > e && (word_at(s, i, "delay") || word_at(s, i, "time"));
  }
  case CK_SQL_ATAT:
    return is_alpha(at(s, e));
  case CK_SQL_CHAR:
    return ck_sql_char(s, b, e);
  case CK_SQL_CAST:
    return ck_sql_cast(s, b, e);
  case CK_SQL_CONVERT:
    return ck_sql_convert(s, b, e);
  case CK_SQL_ORDER:
    return ck_sql_order(s, b, e);
  case CK_SQL_SELECT:
    return ck_sql_select(s, b, e);
  case CK_XSS_TAG:
    return ck_xss_tag(s, e);
  case CK_XSS_ATTR:
    return ck_xss_attr(s, e);
  case CK_XSS_HANDLER:
    return ck_xss_handler(s, b, e);
  case CK_XSS_SCHEME:
    return ck_xss_scheme(s, b, e);
  case CK_XSS_CALL:
    return ck_xss_call(s, b);
  case CK_XSS_EXPR:
    return ck_xss_expr(s, b);
  case CK_RCE_SEP:
    return ck_rce_sep(s, b, e);
  case CK_RCE_BRACE:
    return ck_rce_brace(s, e);
  case CK_RCE_VALUE: /* on_hit() made cmd_word_may()'s test */
    return rce_at_value(s, e, 1);
  case CK_RCE_BIN:
    return ck_rce_bin(s, e);
  case CK_SHELLSHOCK:
    return ck_shellshock(s, e);
  case CK_DOLLAR:
    return ck_dollar(s, b, e);
  case CK_JNDI:
    return ck_jndi(s, b);
  case CK_TMPL_OPEN:
    s->tmpl_open = e;
    s->tmpl_closer = r->arg;
    return 0;
  case CK_TMPL_TOKEN:
    s->tmpl_tok = b;
    return 0;
  case CK_TMPL_CLOSE:
    return ck_tmpl_close(s, b, r->arg);
  case CK_PHP_CALL:
    return ck_php_call(s, b, e);
  case CK_PHP_SHORT:
    return ck_php_short(s, e);
  case CK_PHP_SER:
    return ck_php_ser(s, b, e);
  case CK_PWSH:
    return ck_pwsh(s, b, e);
  case CK_URL:
    return ck_url(s, b, e);
  case CK_JS_SINK:
    return ck_js_sink(s, b, e);
  case CK_JS_EVAL:
    return ck_js_eval(s, b, e);
  case CK_JS_ASSIGN: /* on_hit() made js_assign_may()'s test */
    return ck_js_assign(s, e);
  case CK_JS_DOM:
    return ck_js_dom(s, r, b, e);
  case CK_XSS_DOCTYPE:
    return ck_xss_doctype(s, e);
  case CK_DATA_URI:
    return ck_data_uri(s, b);
  case CK_FILE:
    return ck_file(s, r, b, e);
  case CK_RCE_DOLLAR:
    return ck_rce_dollar(s, b, e);
  case CK_RCE_FOR:
    return ck_rce_for(s, b, e);
  case CK_PHP_OPEN:
    return e >= s->n || is_ws(at(s, e));
  case CK_PHRASE:
    if ((r->arg & PH_ABSENT) &&
        !(s->status == 403 || s->status == 404 || s->status == 410))
      return 0;
    return ao_phrase_hit(s->t, s->n, b, e, r->arg & ~PH_ABSENT);
  default:
    return 0;
  }
}

/* verify() and its verdict, out of line and called last: the checks
 * inlined into verify() need many registers, and on_hit() saved and
 * restored them all for every hit, also for the many hits it turns away
 * before any check. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int
verify_hit(scan_t *s, const ao_rule_t *r, size_t b, size_t e,
           ao_catmask_t bit) {
  if (verify(s, r, b, e))
    s->found |= bit;
  return 0;
}

/* The checks of the most frequent hits (every '=' and '&' of a query,
 * every "on") turn nearly all of them away by a byte or three next to the
 * hit: on_hit() asks here, before the call to the check. */
static AO_ALWAYS_INLINE int hit_may(const scan_t *s, unsigned check, size_t b,
                                    size_t e) {
  switch (check) {
  case CK_RCE_VALUE:
    return cmd_word_may(s, e);
  case CK_JS_ASSIGN:
    return js_assign_may(s, e);
  case CK_RCE_SEP:
    return sep_word_may(s, e);
  case CK_XSS_HANDLER:
    return handler_may(s, b);
  default:
    return 1;
  }
}

static int on_hit(void *ud, uint32_t id, size_t end) {
  scan_t *s = ud;
  const ao_rule_t *r = s->c->rules[id];
  if (!(r->fields & s->field) || (s->html && !(r->fields & F_HTML)))
    return 0;
  ao_catmask_t bit = AO_CAT_BIT(r->cat);
  if (s->found & bit)
    return 0;
  /* a check reads at most AO_LOOK bytes on either side of its hit */
  s->c->work += AO_LOOK;
  size_t b = end - s->c->rlen[id];
  if (!hit_may(s, r->check, b, end))
    return 0;
  return verify_hit(s, r, b, end, bit); /* a tail call */
}

static void scan_field(scan_t *s, const char *t, size_t n, unsigned field,
                       unsigned info) {
  s->t = t;
  s->n = n;
  s->field = field;
  s->html = 0;
  s->info = info;
  s->tmpl_open = s->tmpl_tok = s->dollar = NO_POS;
  s->c->work += n;
  ao_ac_scan(s->c->ac, t, n, on_hit, s);
  /* a header that is a command line: "cat /proc/self/environ" */
  if ((field & (F_UA | F_REF)) && !(s->found & AO_CAT_BIT(AO_CAT_RCE)) &&
      cmd_word_may(s, 0) && rce_at_value(s, 0, 0))
    s->found |= AO_CAT_BIT(AO_CAT_RCE);
}

/* Scans the HTML view of t when it has something an entity or a
 * browser-ignored control byte could hide behind. */
static void scan_html(scan_t *s, const char *t, size_t n, unsigned field) {
  if (s->found & AO_CAT_BIT(AO_CAT_XSS) || !ao_norm_html_changes(t, n))
    return;
  char *h = s->c->b_html;
  size_t hn = ao_norm_html(t, n, h);
  s->t = h;
  s->n = hn;
  s->field = field;
  s->html = 1;
  s->info = 0;
  s->tmpl_open = s->tmpl_tok = s->dollar = NO_POS;
  s->c->work += n + hn;
  ao_ac_scan(s->c->ac, h, hn, on_hit, s);
}

/* --- create / destroy --------------------------------------------------- */

/* The tables are data that people will edit: check what the code relies on
 * (lower-case literals, since the text is folded; a sorted command table
 * for bsearch; the first-letter filter) once, at creation. */
static int check_tables(ao_err_t *err) {
  for (size_t t = 0; t < AO_ARRAY_SIZE(rule_tables); t++) {
    for (size_t k = 0; k < rule_tables[t].n; k++) {
      const ao_rule_t *r = &rule_tables[t].rules[k];
      for (const char *p = r->lit; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
          return ao_err_set(err, "rule \"%s\" is not lower case", r->lit);
      if (r->fields == 0 || r->cat >= AO_CAT_BUILTIN_COUNT)
        return ao_err_set(err, "rule \"%s\" has no field or category", r->lit);
      if (r->check == CK_PROBE && r->lit[0] != '/')
        return ao_err_set(err, "probe rule \"%s\" must start with '/'", r->lit);
    }
  }
  unsigned pairs = 0; /* the table is sorted: equal pairs are adjacent */
  for (size_t k = 0; k < AO_ARRAY_SIZE(rce_cmds); k++) {
    const char *name = rce_cmds[k].name;
    if (k > 0 && strcmp(rce_cmds[k - 1].name, name) >= 0)
      return ao_err_set(err, "command table not sorted at \"%s\"", name);
    if (name[0] < 'a' || name[0] > 'z' ||
        !((CMD_FIRST_LETTERS >> (name[0] - 'a')) & 1u) || strlen(name) >= 16)
      return ao_err_set(err, "command \"%s\" escapes the word filter", name);
    /* the prefix filter (cmd_prefix_ok()) knows [a-z0-9_] only */
    for (const char *q = name; *q; q++)
      if (cmd_char((unsigned char)*q) == 63u || name[1] == '\0')
        return ao_err_set(err, "command \"%s\" escapes the pair filter",
                          name);
    /* ... and has room for CMD_PAIRS_MAX distinct first pairs */
    if (k == 0 || memcmp(rce_cmds[k - 1].name, name, 2) != 0)
      pairs++;
  }
  for (size_t k = 0; k < AO_ARRAY_SIZE(js_assign_sinks); k++) {
    const char *w = js_assign_sinks[k];
    if (w[0] < 'a' || w[0] > 'z' || w[1] < 'a' || w[1] > 'z' ||
        !((js_assign_seconds[w[0] - 'a'] >> (w[1] - 'a')) & 1u))
      return ao_err_set(err, "sink \"%s\" escapes js_assign_may()", w);
  }
  if (pairs > CMD_PAIRS_MAX)
    return ao_err_set(err, "%u command prefixes, more than %u", pairs,
                      CMD_PAIRS_MAX);
  return 0;
}

ao_classifier_t *ao_classifier_create(size_t max_line, ao_err_t *err) {
  if (max_line == 0 || max_line > AO_MAX_FIELD) {
    ao_err_set(err, "ao_classifier_create: max_line %zu out of range (1..%zu)",
               max_line, (size_t)AO_MAX_FIELD);
    return NULL;
  }
  ao_err_t terr;
  if (check_tables(&terr) != 0) {
    ao_err_set(err, "ao_classifier_create: %s", terr.msg);
    return NULL;
  }
  ao_classifier_t *c = calloc(1, sizeof(*c));
  if (c == NULL) {
    ao_err_set(err, "ao_classifier_create: out of memory");
    return NULL;
  }
  c->max_line = max_line;
  cmd_index_build(c);
  size_t total = 0, ndyn = 0, text = 0;
  for (size_t t = 0; t < AO_ARRAY_SIZE(rule_tables); t++)
    total += rule_tables[t].n;
  for (size_t u = 0; u < AO_ARRAY_SIZE(list_uses); u++) {
    const ao_siglist_t *l = ao_siglist_builtin(list_uses[u].name);
    if (l == NULL) {
      ao_err_set(err, "ao_classifier_create: built-in list %s missing",
                 list_uses[u].name);
      ao_classifier_destroy(c);
      return NULL;
    }
    ndyn += (size_t)l->count;
    for (int k = 0; k < l->count; k++)
      text += strlen(l->phrases[k]) + 1;
  }
  total += ndyn;
  ao_ac_pattern_t *pats = malloc(total * sizeof(*pats));
  c->rules = malloc(total * sizeof(*c->rules));
  c->rlen = malloc(total);
  c->dyn = calloc(ndyn ? ndyn : 1, sizeof(*c->dyn));
  c->dyn_text = malloc(text ? text : 1);
  char **bufs[] = {&c->b_target, &c->b_path, &c->b_canon, &c->b_query,
                   &c->b_ua,     &c->b_ref,  &c->b_html, &c->b_b64};
  c->memo = ao_memo_create(AO_MEMO_SLOTS);
  int oom = pats == NULL || c->rules == NULL || c->rlen == NULL ||
            c->memo == NULL || c->dyn == NULL ||
            c->dyn_text == NULL;
  for (size_t k = 0; k < AO_ARRAY_SIZE(bufs) && !oom; k++) {
    *bufs[k] = malloc(max_line + 1);
    oom = *bufs[k] == NULL;
  }
  if (oom) {
    free(pats);
    ao_classifier_destroy(c);
    ao_err_set(err, "ao_classifier_create: out of memory");
    return NULL;
  }
  size_t id = 0;
  for (size_t t = 0; t < AO_ARRAY_SIZE(rule_tables); t++) {
    for (size_t k = 0; k < rule_tables[t].n; k++, id++) {
      const ao_rule_t *r = &rule_tables[t].rules[k];
      pats[id].text = r->lit;
      pats[id].id = (uint32_t)id;
      c->rules[id] = r;
      c->rlen[id] = (uint8_t)strlen(r->lit);
    }
  }
  /* the maintained lists */
  char *tp = c->dyn_text;
  size_t nd = 0;
  for (size_t u = 0; u < AO_ARRAY_SIZE(list_uses); u++) {
    const list_use_t *lu = &list_uses[u];
    const ao_siglist_t *l = ao_siglist_builtin(lu->name);
    for (int k = 0; k < l->count; k++) {
      char lit[AO_PHRASE_MAX + 1];
      unsigned flags = 0;
      size_t n = ao_phrase_compile(l->phrases[k], lu->path, lit, &flags);
      if (n == 0 || (lu->path && lit[0] != '/')) {
        ao_err_set(err, "ao_classifier_create: %s: phrase \"%s\" is not "
                        "usable%s", l->file, l->phrases[k],
                   lu->path ? " (a path phrase starts with '/')" : "");
        free(pats);
        ao_classifier_destroy(c);
        return NULL;
      }
      memcpy(tp, lit, n + 1);
      ao_rule_t *r = &c->dyn[nd++];
      r->lit = tp;
      r->cat = lu->cat;
      r->fields = lu->fields;
      r->check = CK_PHRASE;
      r->arg = (uint8_t)(flags | lu->extra);
      tp += n + 1;
      pats[id].text = r->lit;
      pats[id].id = (uint32_t)id;
      c->rules[id] = r;
      c->rlen[id] = (uint8_t)n;
      id++;
    }
  }
  total = id;
  ao_err_t sub;
  c->ac = ao_ac_create(pats, total, &sub);
  free(pats);
  if (c->ac == NULL) {
    ao_err_set(err, "ao_classifier_create: %s", sub.msg);
    ao_classifier_destroy(c);
    return NULL;
  }
  return c;
}

uint64_t ao_classifier_work(const ao_classifier_t *c) { return c->work; }

void ao_classifier_set_memo(ao_classifier_t *c, int on) {
  c->memo_off = !on;
}

void ao_classifier_memo_stats(const ao_classifier_t *c, int which,
                              uint64_t *lookups, uint64_t *hits) {
  int k = which == AO_MEMO_UA        ? 1
          : which == AO_MEMO_REFERER ? 2
          : which == AO_MEMO_PATH    ? 3
                                     : 0;
  *lookups = c->memo_lookups[k];
  *hits = c->memo_hits[k];
}

/* A memo lookup, counted by kind (0 target, 1 UA, 2 referer, 3 path).
 * Inline: on a line whose fields were all seen, the lookups are nearly
 * all the classifier does. */
static AO_ALWAYS_INLINE int memo_get(ao_classifier_t *c, int kind,
                                     const ao_memo_key_t *k, uint32_t *mask) {
  if (c->memo_off)
    return 0;
  c->memo_lookups[kind]++;
  if (!ao_memo_get(c->memo, k, mask))
    return 0;
  c->memo_hits[kind]++;
  return 1;
}

void ao_classifier_destroy(ao_classifier_t *c) {
  if (c == NULL)
    return;
  ao_ac_destroy(c->ac);
  free(c->rules);
  free(c->rlen);
  free(c->dyn);
  free(c->dyn_text);
  free(c->b_target);
  free(c->b_path);
  free(c->b_canon);
  free(c->b_query);
  free(c->b_ua);
  free(c->b_ref);
  free(c->b_html);
  free(c->b_b64);
  ao_memo_destroy(c->memo);
  free(c);
}

/* --- classification ----------------------------------------------------- */

/* Does t[0, n) contain "../", "..\\", "/.." or "\\.."? One pass from
 * '.' to '.'. */
static int dotdot_sep(const char *t, size_t n) {
  for (size_t i = ao_find1(t, n, '.'); i + 1 < n;
       i += 1 + ao_find1(t + i + 1, n - i - 1, '.')) {
    if (t[i + 1] != '.')
      continue;
    if ((i + 2 < n && (t[i + 2] == '/' || t[i + 2] == '\\')) ||
        (i > 0 && (t[i - 1] == '/' || t[i - 1] == '\\')))
      return 1;
  }
  return 0;
}

static size_t clamp(const ao_classifier_t *c, size_t n) {
  return n > c->max_line ? c->max_line : n;
}

/* Server unescaping when the record says escapes may be present; returns
 * the text to use (the record's own bytes or buf). */
static const char *unescape(const ao_record_t *rec, ao_slice_t f, char *buf,
                            size_t *n) {
  if (!(rec->flags & AO_REC_ESCAPED) || memchr(f.p, '\\', *n) == NULL)
    return f.p;
  *n = ao_norm_unescape_log(f.p, *n, buf);
  return buf;
}

/* A web asset by its name's extension (.css, .js, .png...): under an
 * operating-system prefix (/etc/designs/x.css, Adobe Experience Manager's
 * layout) it is still the site's file, not the server's (os_path()). */
static int web_asset(const char *p, size_t n) {
  static const ao_lit_t ext[] = {
      L(".css"),  L(".js"),    L(".map"), L(".png"), L(".jpg"),
      L(".jpeg"), L(".gif"),   L(".svg"), L(".ico"), L(".webp"),
      L(".woff"), L(".woff2"), L(".ttf"), L(".eot"), L(".html"),
      L(".htm"),  L(".json"),  L(".mjs"), L(".avif")};
  size_t b = ao_after_last1(p, n, '/');
  for (size_t k = 0; k < AO_ARRAY_SIZE(ext); k++)
    if (ends_with(p + b, n - b, &ext[k]))
      return 1;
  return 0;
}

/* os_path() past its quick test. */
static int os_path_rest(const char *p, size_t len) {
  /* the first byte after the '/' decides cheaply for most paths */
  unsigned char c1 = (unsigned char)p[1];
  if (p[0] == '/' && is_alpha(c1) && p[2] == ':' &&
      (len == 3 || p[3] == '/' || p[3] == '\\'))
    return 1; /* /c:/inetpub */
  /* "c:\\", "d:/" - but not "p://", a one-letter URL scheme */
  if (is_alpha((unsigned char)p[0]) && p[1] == ':' &&
      (p[2] == '\\' || (p[2] == '/' && (len == 3 || p[3] != '/'))))
    return 1;
  if (p[0] != '/')
    return 0;
  /* the roots by the letter after their '/': most paths start with a
   * letter no root starts with, and the others compare with one or a few
   * roots (which root matches does not matter: the answer is the same) */
  static const ao_lit_t r_b[] = {L("/boot/")}, r_e[] = {L("/etc/")},
                        r_o[] = {L("/opt/")},
                        r_p[] = {L("/proc/"), L("/program files/"),
                                 L("/programdata/"), L("/private/etc/"),
                                 L("/private/var/")},
                        r_r[] = {L("/root/")}, r_s[] = {L("/sys/")},
                        r_u[] = {L("/usr/")},
                        r_v[] = {L("/var/"), L("/volumes/")},
                        r_w[] = {L("/windows/"), L("/winnt/")};
  static const struct {
    const ao_lit_t *r;
    size_t n;
  } by_c1[26] = {
#define R(c, a) [(c) - 'a'] = {a, AO_ARRAY_SIZE(a)}
      R('b', r_b), R('e', r_e), R('o', r_o), R('p', r_p), R('r', r_r),
      R('s', r_s), R('u', r_u), R('v', r_v), R('w', r_w),
#undef R
  };
  if (c1 < 'a' || c1 > 'z')
    return 0;
  /* bytes 0 and 1 match (the '/' and c1); bytes 2 to 4 of a root (all
   * have at least 5) tell "/products/" from "/proc/" and "/program files/"
   * before any memcmp() call */
  for (size_t k = 0; k < by_c1[c1 - 'a'].n; k++) {
    const ao_lit_t *r = &by_c1[c1 - 'a'].r[k];
    if (len > r->n &&
        (r->n < 5 || (p[2] == r->s[2] && p[3] == r->s[3] && p[4] == r->s[4])) &&
        memcmp(p, r->s, r->n) == 0)
      return !web_asset(p, len);
  }
  return 0;
}

/* An absolute path into the operating system: a Windows drive (c:\,
 * /c:/), "program files", or the Unix directories that hold system
 * configuration, logs, process data and installed software. Web
 * applications take relative names or their own routes; a parameter or a
 * request path naming /etc/..., /var/adm/... or c:\... asks for the
 * server's files. Web assets under such a prefix are not (web_asset()).
 * Every such text starts with '/' or has ':' second: that test is
 * inline, so that the many values that do neither cost no call. */
static AO_ALWAYS_INLINE int os_path(const char *p, size_t len) {
  if (len < 3 || (p[0] != '/' && p[1] != ':'))
    return 0;
  return os_path_rest(p, len);
}

static int query_os_path(const ao_classifier_t *c, const char *q) {
  for (size_t k = 0; k < c->nitems; k++) {
    const item_t *it = &c->items[k];
    if (os_path(q + it->vb, it->e - it->vb))
      return 1;
  }
  return 0;
}

/* Can ao_norm_path() change this path? Only with a backslash, "//", or a
 * segment starting with '.' ("/./", "/../", "/.env" - the last one needs
 * no change, but telling it apart costs more than canonicalising). */
static int path_needs_canon(const char *p, size_t n) {
  if (n > 0 && p[0] == '.')
    return 1;
  /* from separator to separator: a backslash, or a '/' followed by '/'
   * or '.' */
  for (size_t i = ao_find2(p, n, '/', '\\'); i < n;
       i += 1 + ao_find2(p + i + 1, n - i - 1, '/', '\\')) {
    if (p[i] == '\\' || (i + 1 < n && (p[i + 1] == '/' || p[i + 1] == '.')))
      return 1;
  }
  return 0;
}

/* Decodes a query string parameter by parameter into out (joined with
 * '&') and records each parameter's name and value in c->items. Returns
 * the decoded length. */
static size_t decode_items(ao_classifier_t *c, const char *q, size_t n,
                           char *out, unsigned *info) {
  size_t o = 0;
  c->nitems = 0;
  for (size_t i = 0; i <= n;) {
    /* the last slot takes the rest, whatever its '&'s */
    size_t e = c->nitems + 1 < AO_MAX_ITEMS ? i + ao_find1(q + i, n - i, '&')
                                             : n;
    size_t start = o;
    o += ao_norm_url(q + i, e - i, out + o, AO_NORM_PLUS, AO_DECODE_ROUNDS,
                     info);
    item_t *it = &c->items[c->nitems++];
    it->b = start;
    it->e = o;
    it->rb = (size_t)(q + i - c->raw_base);
    it->re = (size_t)(q + e - c->raw_base);
    size_t v = start + ao_find1(out + start, o - start, '=');
    it->vb = v < o ? v + 1 : start;
    if (e >= n)
      break;
    out[o++] = '&';
    i = e + 1;
  }
  return o;
}

/* Does a parameter name look like it holds a payload itself? (It is
 * asked of every parameter: one table load per byte.) */
static int name_suspect(const char *p, size_t n) {
  static const uint8_t suspect[256] = {['\''] = 1, ['"'] = 1, ['('] = 1,
                                       [' '] = 1,  [';'] = 1, ['#'] = 1,
                                       ['`'] = 1};
  for (size_t i = 0; i < n; i++)
    if (suspect[(unsigned char)p[i]])
      return 1;
  return 0;
}

/* SQL injection by the structure of each parameter value (ao_sqli.h). */
static void sqli_items(ao_classifier_t *c, scan_t *s, const char *d,
                       unsigned flags) {
  if (s->found & AO_CAT_BIT(AO_CAT_SQLI))
    return;
  for (size_t k = 0; k < c->nitems; k++) {
    const item_t *it = &c->items[k];
    const char *v = d + it->vb;
    size_t vn = it->e - it->vb;
    if (ao_sqli_candidate(v, vn) && ao_sqli_value(v, vn, flags, &c->work)) {
      s->found |= AO_CAT_BIT(AO_CAT_SQLI);
      return;
    }
    /* a payload in the name: ?1'or'1'='1 */
    if (it->vb > it->b && name_suspect(d + it->b, it->vb - it->b - 1) &&
        ao_sqli_value(d + it->b, it->e - it->b, flags, &c->work)) {
      s->found |= AO_CAT_BIT(AO_CAT_SQLI);
      return;
    }
  }
}

/* Splits an already decoded text (a referer's query) into parameters at
 * '&'. */
static void split_items(ao_classifier_t *c, const char *d, size_t n) {
  c->nitems = 0;
  for (size_t i = 0; i <= n && c->nitems < AO_MAX_ITEMS;) {
    size_t e = i;
    if (c->nitems + 1 < AO_MAX_ITEMS)
      while (e < n && d[e] != '&')
        e++;
    else
      e = n;
    item_t *it = &c->items[c->nitems++];
    it->b = i;
    it->e = e;
    it->rb = it->re = 0;
    size_t v = i;
    while (v < e && d[v] != '=')
      v++;
    it->vb = v < e ? v + 1 : i;
    i = e + 1;
  }
}

/* The value of a base64 digit plus one (standard and URL-safe
 * alphabets), 0 for a byte that is none: one load per byte where a chain
 * of range compares cost a dozen instructions. */
static const uint8_t b64_digit[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,
    ['G'] = 7,  ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12,
    ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
    ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
    ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
    ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
    ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
    ['8'] = 61, ['9'] = 62, ['+'] = 63, ['-'] = 63, ['/'] = 64, ['_'] = 64,
};

/* Base64 decoding of a value (standard or URL-safe alphabet, padding
 * optional) into out, when what it decodes to is text: returns the
 * length, or 0 when t[0..n) is not base64, decodes to fewer than 6 bytes,
 * or to less than 90% printable bytes (session ids and hashes decode to
 * binary). The length is known before decoding, so the decoding stops as
 * soon as too many bytes are not printable: the many values that are
 * words of the alphabet ("summer+select+beta") decode to binary from
 * their first bytes. */
static size_t b64_text(const char *t, size_t n, char *out) {
  while (n > 0 && t[n - 1] == '=')
    n--;
  size_t dn = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1); /* 6 bits a digit */
  if (n % 4 == 1 || dn < 6)
    return 0;
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0, odd = 0; /* bytes that are not printable */
  for (size_t i = 0; i < n; i++) {
    unsigned d = b64_digit[(unsigned char)t[i]];
    if (d == 0)
      return 0;
    acc = (acc << 6) | (uint32_t)(d - 1);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      unsigned char ch = (unsigned char)((acc >> bits) & 0xffu);
      out[o++] = (char)ch;
      /* text: at least 90% printable, i.e. odd * 10 <= dn */
      odd += !((ch >= 0x20 && ch < 0x7f) || ch == '\t' || ch == '\n');
      if (odd * 10 > dn)
        return 0;
    }
  }
  return o;
}

/* Parameters that are base64 of text: an application that decodes them
 * reads what the attacker encoded (L2V0Yy9wYXNzd2Q= is /etc/passwd).
 * Only values of the base64 alphabet, at least 12 bytes long, whose
 * decoding is text (at least 90% printable) are looked at; session ids
 * and hashes decode to binary and are skipped. */
static void base64_items(ao_classifier_t *c, scan_t *s, const char *raw) {
  for (size_t k = 0; k < c->nitems; k++) {
    const item_t *it = &c->items[k];
    /* the value is part of the parameter: a parameter shorter than the
     * 12 bytes a value needs ("page=2", "q=shoes") is passed over before
     * its '=' is looked for */
    if (it->re < it->rb + 12)
      continue;
    const char *v = raw + it->rb;
    size_t vn = it->re - it->rb;
    const char *eq = memchr(v, '=', vn);
    if (eq != NULL && eq + 1 < v + vn) {
      vn -= (size_t)(eq + 1 - v);
      v = eq + 1;
    }
    /* (the data: URI step below only shortens a value) */
    if (vn < 12)
      continue;
    /* a data: URI carries its base64 after ";base64," */
    for (size_t j = ao_find1(v, vn, ';'); j + 8 <= vn;
         j += 1 + ao_find1(v + j + 1, vn - j - 1, ';')) {
      if ((memcmp(v + j, ";base64,", 8) == 0 ||
           (j + 10 <= vn && (memcmp(v + j, ";base64%2c", 10) == 0 ||
                             memcmp(v + j, ";base64%2C", 10) == 0)))) {
        size_t skip = j + (v[j + 7] == ',' ? 8 : 10);
        v += skip;
        vn -= skip;
        break;
      }
    }
    if (vn < 12)
      continue;
    /* percent escapes of '+', '/', '=' first (one round, no case fold).
     * Most values have none: without a '%' that round is a copy, and a
     * value with one fails to decode as it is ('%' is no base64 digit),
     * so the value is decoded as it is first and the round made only
     * when that failed on a value with a '%'. */
    size_t dn = b64_text(v, vn, c->b_b64);
    if (dn == 0 && memchr(v, '%', vn) != NULL) {
      size_t pn = ao_norm_pct_round(v, vn, c->b_b64, 0, NULL);
      dn = b64_text(c->b_b64, pn, c->b_b64);
    }
    if (dn == 0)
      continue;
    unsigned info = 0;
    dn = ao_norm_fold(c->b_b64, dn, c->b_b64, &info);
    if (ao_norm_climb(c->b_b64, dn) > 0 || os_path(c->b_b64, dn))
      s->found |= AO_CAT_BIT(AO_CAT_TRAVERSAL);
    scan_field(s, c->b_b64, dn, F_QUERY, info);
  }
}

/* Probes and traversal in the path t[0..pn), and the payload rules. */
static void classify_path(ao_classifier_t *c, scan_t *s, const char *t,
                          size_t pn) {
  unsigned info = 0;
  size_t dn = ao_norm_url(t, pn, c->b_path, 0, AO_DECODE_ROUNDS, &info);
  const char *dp = c->b_path;
  unsigned climb = 0;
  /* Canonicalise only when something can change: most paths have no
   * "//", "/." or backslash. */
  const char *cp = dp;
  size_t cn = dn;
  if (path_needs_canon(dp, dn)) {
    cn = ao_norm_path(dp, dn, c->b_canon, &climb);
    cp = c->b_canon;
  }
  if (climb > 0 || (info & AO_NORM_NUL_TAIL) || os_path(cp, cn))
    s->found |= AO_CAT_BIT(AO_CAT_TRAVERSAL);
  if (!(s->found & AO_CAT_BIT(AO_CAT_PROBE)) &&
      (probe_backup_name(cp, cn) || probe_absent(cp, cn, s->status)))
    s->found |= AO_CAT_BIT(AO_CAT_PROBE);
  if (cp == dp) {
    scan_field(s, dp, dn, F_PATH | F_CANON, info);
  } else {
    scan_field(s, dp, dn, F_PATH, info);
    scan_field(s, cp, cn, F_CANON, info);
  }
  scan_html(s, dp, dn, F_PATH);
  if (!(s->found & AO_CAT_BIT(AO_CAT_SQLI)) && ao_sqli_candidate(dp, dn) &&
      ao_sqli_value(dp, dn, AO_SQLI_PLUS_BLANK, &c->work))
    s->found |= AO_CAT_BIT(AO_CAT_SQLI);
}

/* Probes and traversal in the path, payload rules in path and query. */
static void classify_target(ao_classifier_t *c, scan_t *s, const char *t,
                            size_t n, int with_path) {
  /* absolute-form targets (proxies, some scanners): keep the path */
  if (n > 8 && (t[0] == 'h' || t[0] == 'H') &&
      (strncmp(t, "http://", 7) == 0 || strncmp(t, "https://", 8) == 0 ||
       strncmp(t, "HTTP://", 7) == 0 || strncmp(t, "HTTPS://", 8) == 0)) {
    size_t k = t[4] == ':' ? 7 : 8;
    while (k < n && t[k] != '/' && t[k] != '?')
      k++;
    t += k;
    n -= k;
  }
  const char *q = with_path ? memchr(t, '?', n) : t;
  size_t pn = q != NULL ? (size_t)(q - t) : n;
  if (with_path && pn > 0) {
    /* A new target is mostly a known path with a new query: the path's
     * verdict is memoised on its own. It depends on the path's bytes (after
     * the server's unescaping) and on whether the status was 403, 404 or
     * 410 (the probes), and on nothing found before it: the scan starts
     * here with nothing found, so the query is classified exactly as
     * before, after the path's categories. Targets without a query are
     * the path: their own memo entry is enough. */
    if (q != NULL && s->found == 0 && !c->memo_off) {
      int absent = s->status == 403 || s->status == 404 || s->status == 410;
      ao_memo_key_t kp;
      uint32_t mask;
      ao_memo_key(c->memo, &kp, t, pn, MEMO_KIND_PATH | (absent ? 1u : 0u));
      if (memo_get(c, AO_MEMO_PATH, &kp, &mask)) {
        s->found |= mask;
      } else {
        classify_path(c, s, t, pn);
        ao_memo_put(c->memo, &kp, s->found);
      }
    } else {
      classify_path(c, s, t, pn);
    }
  }
  if (q == NULL)
    return;
  const char *qs = with_path ? q + 1 : t;
  size_t qn = with_path ? n - pn - 1 : n;
  if (qn == 0)
    return;
  /* Each parameter is decoded on its own, so that an encoded '&' (%26)
   * stays inside its value ("a' && 'b"); the decoded parameters are joined
   * with '&' for the literal scan, and remembered for the value rules. */
  unsigned info = 0;
  c->raw_base = qs;
  size_t dn = decode_items(c, qs, qn, c->b_query, &info);
  const char *dq = c->b_query;
  if (info & AO_NORM_NUL_TAIL)
    s->found |= AO_CAT_BIT(AO_CAT_TRAVERSAL);
  /* only ".." next to a separator: "?q=..." is an ellipsis */
  if (!(s->found & AO_CAT_BIT(AO_CAT_TRAVERSAL)) && dotdot_sep(dq, dn)) {
    /* each value on its own, rooted at its start: a value that climbs
     * above itself names a file outside the directory the application
     * meant (CRS counts any "../" in an argument at paranoia level 1) */
    for (size_t k = 0; k < c->nitems; k++) {
      const char *v = dq + c->items[k].vb;
      size_t vn = c->items[k].e - c->items[k].vb;
      if (ao_norm_climb(v, vn) > 0) {
        s->found |= AO_CAT_BIT(AO_CAT_TRAVERSAL);
        break;
      }
    }
  }
  if (!(s->found & AO_CAT_BIT(AO_CAT_TRAVERSAL)) && query_os_path(c, dq))
    s->found |= AO_CAT_BIT(AO_CAT_TRAVERSAL);
  scan_field(s, dq, dn, F_QUERY, info);
  scan_html(s, dq, dn, F_QUERY);
  sqli_items(c, s, dq, 0);
  base64_items(c, s, qs);
}

/* The verdict on one header (user agent or referer) alone, which the
 * memo did not have; k is its memo key (the header's bytes, clamped, and
 * whether the server escaped). */
static ao_catmask_t classify_header(ao_classifier_t *c, const ao_record_t *rec,
                                    ao_slice_t f, unsigned field,
                                    const ao_memo_key_t *k) {
  scan_t s = {.c = c, .status = rec->status};
  char *buf = field == F_UA ? c->b_ua : c->b_ref;
  size_t n = k->n;
  const char *t = unescape(rec, f, buf, &n);
  unsigned info = 0;
  if (field == F_UA) {
    /* user agents are not URL-encoded: fold only */
    n = ao_norm_fold(t, n, buf, &info);
    scan_field(&s, buf, n, F_UA, info);
    if (!(s.found & AO_CAT_BIT(AO_CAT_SQLI)) && ao_sqli_candidate(buf, n) &&
        ao_sqli_value(buf, n, AO_SQLI_PLUS_BLANK, &c->work))
      s.found |= AO_CAT_BIT(AO_CAT_SQLI);
  } else {
    n = ao_norm_url(t, n, buf, AO_NORM_PLUS, AO_DECODE_ROUNDS, &info);
    scan_field(&s, buf, n, F_REF, info);
    scan_html(&s, buf, n, F_REF);
    const char *qm = memchr(buf, '?', n);
    if (qm != NULL) {
      size_t off = (size_t)(qm - buf) + 1;
      split_items(c, buf + off, n - off);
      sqli_items(c, &s, buf + off, 0);
    }
  }
  if (!c->memo_off)
    ao_memo_put(c->memo, k, s.found);
  return s.found;
}

/* The verdict on a request target (with_path) or on a query or request
 * text classified without a path (the formats that log the query apart,
 * and requests that are not HTTP) alone: classify_target() on a scan of
 * its own. Besides the bytes, it depends on the server's escaping (the
 * unescape step), on with_path and, for probes, on whether the status was
 * 403, 404 or 410; those make the memo's flags. Categories found by
 * other fields of the line only ever skip checks of those categories, so
 * OR-ing verdicts computed apart gives the line's verdict. */
static void text_key(const ao_classifier_t *c, const ao_record_t *rec,
                     ao_slice_t f, int with_path, ao_memo_key_t *k) {
  int absent = rec->status == 403 || rec->status == 404 || rec->status == 410;
  unsigned flags = MEMO_KIND_TARGET | (rec->flags & AO_REC_ESCAPED ? 1u : 0u) |
                   (with_path ? 2u : 0u) | (absent ? 4u : 0u);
  ao_memo_key(c->memo, k, f.p, clamp(c, f.n), flags);
}

static ao_catmask_t classify_text(ao_classifier_t *c, const ao_record_t *rec,
                                  ao_slice_t f, int with_path,
                                  const ao_memo_key_t *k) {
  scan_t s = {.c = c, .status = rec->status};
  size_t tn = k->n;
  const char *t = unescape(rec, f, c->b_target, &tn);
  classify_target(c, &s, t, tn, with_path);
  if (!c->memo_off)
    ao_memo_put(c->memo, k, s.found);
  return s.found;
}

ao_catmask_t ao_classify(ao_classifier_t *c, const ao_record_t *rec) {
  scan_t s = {.c = c, .status = rec->status};
  if (rec->status == 401 || (rec->flags & AO_REC_AUTH_FAILURE))
    s.found |= AO_CAT_BIT(AO_CAT_AUTH);
  if (rec->flags & AO_REC_SCANNER)
    s.found |= AO_CAT_BIT(AO_CAT_SCANNER);

  /* The memo slots of the line's fields are fetched at once (ao_memo_key()
   * starts loading each), before the first one is needed (ao_memo.h):
   * their cache misses overlap. */
  ao_memo_key_t kt, ku, kr;
  int not_http = (rec->flags & AO_REC_NOT_HTTP) != 0;
  ao_slice_t text = not_http ? rec->request : rec->target;
  unsigned esc = rec->flags & AO_REC_ESCAPED ? 1u : 0u;
  int has_text = not_http || rec->target.n > 0;
  if (has_text)
    text_key(c, rec, text, !not_http, &kt);
  if (rec->user_agent.n > 0)
    ao_memo_key(c->memo, &ku, rec->user_agent.p, clamp(c, rec->user_agent.n),
                MEMO_KIND_UA | esc);
  if (rec->referer.n > 0)
    ao_memo_key(c->memo, &kr, rec->referer.p, clamp(c, rec->referer.n),
                MEMO_KIND_REFERER | esc);

  /* a memo hit costs no call: classify_text() and classify_header() are
   * for what the memo does not have */
  uint32_t mask;
  /* with AO_REC_NOT_HTTP there is no structure to trust: payload rules
   * over the whole request text */
  if (has_text)
    s.found |= memo_get(c, 0, &kt, &mask)
                   ? mask
                   : classify_text(c, rec, text, !not_http, &kt);
  if (rec->query.n > 0) {
    /* a query logged apart from the path ($args, %q): classify_target()
     * is done with b_target, which the query may now reuse */
    ao_memo_key_t kq;
    text_key(c, rec, rec->query, 0, &kq);
    s.found |= memo_get(c, 0, &kq, &mask)
                   ? mask
                   : classify_text(c, rec, rec->query, 0, &kq);
  }

  if (rec->user_agent.n > 0)
    s.found |= memo_get(c, 1, &ku, &mask)
                   ? mask
                   : classify_header(c, rec, rec->user_agent, F_UA, &ku);
  if (rec->referer.n > 0)
    s.found |= memo_get(c, 2, &kr, &mask)
                   ? mask
                   : classify_header(c, rec, rec->referer, F_REF, &kr);
  return s.found;
}
