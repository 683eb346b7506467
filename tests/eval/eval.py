#!/usr/bin/env python3
"""Detection evaluation: recall and false positives per corpus and category.

  python3 tests/eval/eval.py [--cli build/attack-origin] [--data ../shared/data]
                             [--out build/eval] [--markdown] [--misses]
                             [--config FILE]

`make eval` runs it. Every labelled row of the public corpora in
../shared/data is wrapped into one combined-format access-log line (the way
../shared/data/README.md describes, rules below), all lines of a corpus are
written to one log file under --out, and the real command-line tool
classifies them (`attack-origin scan --verdicts`). Each verdict is then
scored against the row's upstream label. Nothing here classifies: the
script only wraps, runs the tool and counts.

Wrapping (deterministic):

    203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "<METHOD> <target> HTTP/1.1"
        <status> 512 "<referer or ->" "<user agent>"

  - query payloads: target /search?q=<payload>, with what a browser
    percent-encodes in a value encoded: bytes <= 0x20 and >= 0x7f,
    `"` `#` `'` `<` `>` and `&`. A '%' and a '+' stay as they are (many
    payloads are URL-encoded on purpose, with '+' for a space;
    libinjection's are all URL-encoded).
  - path payloads (fuzzdb traversal, probe paths): target /<payload> with the
    libinjection encoding; traversal once more as a parameter,
    /index.php?file=<payload> with the raw encoding.
  - user agents: target /, the user agent as given, referer -.
  - CRS rows: their method, URI (same encoding as paths), User-Agent and
    Referer header.
  - status 200, except probe paths, scored twice: with 404 (what a scanner
    gets for files the site does not have) and with 200.
  - the log line escapes `"` and `\\` as Apache does (`\\"`, `\\\\`) and
    control bytes as \\xhh.

Which rows are positives of which category, and why, is the table ROLE below
and README.md, section Detection, "Evaluation".
"""
import argparse
import json
import os
import re
import subprocess
import sys
import urllib.parse
from collections import Counter, OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

CATS = ["sqli", "xss", "traversal", "rce", "scanner", "probe", "auth",
        "bruteforce"]

# --- wrapping -----------------------------------------------------------

RAW, ENCODED, VALUE, NONE = "raw", "encoded", "value", "none"


def encode(payload, mode):
    """RAW and VALUE: a query value; ENCODED: a path or a whole URI. A '&'
    inside a value is encoded, as a browser does: raw, it would end the
    value. '+' and '%' stay (../shared/data/README.md)."""
    out = []
    for c in payload.encode("utf-8", "surrogateescape"):
        enc = False
        if mode != NONE:
            enc = (c <= 0x20 or c >= 0x7f or c in b'"#\'<>' or
                   (mode in (RAW, VALUE) and c == ord("&")))
        out.append("%%%02X" % c if enc else chr(c))
    return "".join(out)


def log_escape(s):
    out = []
    for ch in s:
        c = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif c < 0x20 or c == 0x7F:
            out.append("\\x%02x" % c)
        else:
            out.append(ch)
    return "".join(out)


def line(target, method="GET", status=200, referer="",
         ua="Mozilla/5.0"):
    return ('203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "%s %s HTTP/1.1" '
            '%d 512 "%s" "%s"' % (method, log_escape(target), status,
                                  log_escape(referer) if referer else "-",
                                  log_escape(ua) if ua else "-"))


# --- corpora ------------------------------------------------------------

def tsv_rows(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        next(f)
        for raw in f:
            raw = raw.rstrip("\n")
            if raw:
                yield raw.split("\t")


# A row: (label, expected category or None, role, log line)
#   role "pos": a positive of `expected`; "neg": benign (must not be flagged
#   at all); "info": reported without target.

DEGENERATE = re.compile(r"[A-Za-z0-9_]+( [A-Za-z0-9_]+)?")


def degenerate(payload):
    """A payload that no detector can tell from ordinary input: empty,
    punctuation alone (at most 3 bytes, or without a quote), or one or two
    plain words or numbers of at most 16 bytes ("'", "(", "//*", "select",
    "order by", "alert", "id"). Such rows are probes for error messages,
    not injections; they are reported apart and not scored."""
    p = payload.strip()
    if not p:
        return True
    if not re.search(r"[A-Za-z0-9]", p):
        return len(p) <= 3 or not re.search(r"['\"`]", p)
    return len(p) <= 16 and DEGENERATE.fullmatch(p) is not None


def positive(label, cat, payload):
    if degenerate(payload):
        return label + " (degenerate)", cat, "info"
    return label, cat, "pos"

def libinjection(data):
    for f in tsv_rows(os.path.join(data, "labelled/libinjection_samples.tsv")):
        cat, payload = f[0], f[2]
        t = "/search?q=" + encode(payload, VALUE)
        if cat in ("sqli", "xss"):
            dec = urllib.parse.unquote_plus(payload)
            yield (*positive(cat, cat, dec), line(t))
        else:
            yield cat, None, "info", line(t)


FUZZDB_CAT = {"sqli": "sqli", "xss": "xss", "path_traversal": "traversal",
              "rfi": "traversal", "cmd_injection": "rce", "ssi": "rce"}


def fuzzdb_attack(data):
    for f in tsv_rows(os.path.join(data,
                                   "labelled/fuzzdb_attack_payloads.tsv")):
        label, p = f[0], f[3]
        cat = FUZZDB_CAT.get(label)
        if label == "path_traversal":
            pre = "" if p.startswith("/") else "/"
            yield (*positive(label + "@path", cat, p),
                   line(pre + encode(p, ENCODED)))
            yield (*positive(label + "@param", cat, p),
                   line("/index.php?file=" + encode(p, RAW)))
            continue
        ln = line("/search?q=" + encode(p, RAW))
        if cat:
            yield (*positive(label, cat, p), ln)
        else:
            yield label, None, "info", ln


def fuzzdb_probe(data):
    for f in tsv_rows(os.path.join(data, "labelled/fuzzdb_probe_paths.tsv")):
        if len(f) < 2 or not f[1]:
            continue
        p = f[1]
        t = ("" if p.startswith("/") else "/") + encode(p, ENCODED)
        yield "probe_paths@404", "probe", "info", line(t, status=404)
        yield "probe_paths@200", "probe", "info", line(t, status=200)


def crawlers(data):
    for f in tsv_rows(os.path.join(data,
                                   "labelled/crawler_user_agents_tagged.tsv")):
        if f[0] == "1":
            yield "is_scanner=1", "scanner", "pos", line("/", ua=f[3])
        else:
            yield "is_scanner=0", None, "neg", line("/", ua=f[3])


CRS_CAT = {"sqli": "sqli", "xss": "xss", "lfi_path_traversal": "traversal",
           "rfi": "traversal", "rce_cmd_injection": "rce",
           "php_injection": "rce", "java_injection": "rce",
           "scanner_ua": "scanner", "generic_injection": None}
NEUTRAL_HEADERS = {"referer", "host", "connection", "accept",
                   "accept-encoding", "accept-language", "content-length",
                   "content-type"}
NEUTRAL_CTYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+(; ?charset=[a-z0-9-]+)?$",
                           re.I)


def crs_unescape(s):
    return re.sub(r"\\([\\tn])",
                  lambda m: {"\\": "\\", "t": "\t", "n": "\n"}[m.group(1)], s)


def crs_headers(s):
    out = []
    for h in s.split(" | ") if s else []:
        k, _, v = h.partition(":")
        out.append((k.strip(), v.strip()))
    return out


def crs_visible(body, headers):
    """The whole request reaches an access log: no body, and no header
    besides the neutral ones (Referer is logged; a Content-Type that is a
    plain media type carries nothing)."""
    if body:
        return False
    for k, v in headers:
        lk = k.lower()
        if lk not in NEUTRAL_HEADERS:
            return False
        if lk == "content-type" and not NEUTRAL_CTYPE.match(v):
            return False
    return True


# Descriptions by which a CRS test that a rule must not fire on says that
# its request is an attack all the same (another rule's business, or a
# capture of a real attack): such rows are not benign.
ATTACK_DESC = re.compile(
    r"obvious payload(?!\(negative)|true positive|(?<!false )positive test|"
    r"old modsec regressions|cannot be catched|xss testing|rce from|"
    r"remote command injection test|php injection attack", re.I)


def crs(data):
    for f in tsv_rows(os.path.join(data, "labelled/crs_regression_tests.tsv")):
        if len(f) < 11:
            continue
        label, pl, expected = f[0], f[2], f[4]
        if pl not in ("1", "2") or label not in CRS_CAT:
            continue
        method = f[5] or "GET"
        uri, body = crs_unescape(f[6]), crs_unescape(f[7])
        ua = crs_unescape(f[8])
        hdrs = crs_headers(crs_unescape(f[9]))
        if not crs_visible(body, hdrs):
            continue
        ref = ""
        for k, v in hdrs:
            if k.lower() == "referer":
                ref = v
        ln = line(encode(uri, ENCODED), method=method, referer=ref, ua=ua)
        if expected == "1":
            # CRS's own rule tests: reported, not scored (see README)
            yield label, CRS_CAT[label], "info", ln
        elif ATTACK_DESC.search(f[10]):
            yield "expected=0, declared attacks", None, "info", ln
        else:
            yield "expected=0", None, "neg", ln


def real_log(name):
    def gen(data):
        with open(os.path.join(data, "access_logs", name), "rb") as f:
            for raw in f:
                yield ("all lines", None, "info",
                       raw.rstrip(b"\n").decode("utf-8", "surrogateescape"))
    return gen


# Payload rows are independent requests, not one client's stream: the
# brute-force buckets (which would see thousands of 404s from the one
# address of the wrapping) are off for them; the real logs keep them.
NO_RATE = ["--bruteforce-attempts", "0", "--bruteforce-notfound", "0"]

CORPORA = OrderedDict([
    ("libinjection", ("labelled/libinjection_samples.tsv", libinjection)),
    ("fuzzdb", ("labelled/fuzzdb_attack_payloads.tsv", fuzzdb_attack)),
    ("fuzzdb_probe", ("labelled/fuzzdb_probe_paths.tsv", fuzzdb_probe)),
    ("crawler_ua", ("labelled/crawler_user_agents_tagged.tsv", crawlers)),
    ("crs", ("labelled/crs_regression_tests.tsv", crs)),
    ("elastic_apache", ("access_logs/elastic_apache_logs.log",
                        real_log("elastic_apache_logs.log"))),
    ("hackers_log", ("access_logs/logparser_hackers-access.log",
                     real_log("logparser_hackers-access.log"))),
])

# --- running and scoring --------------------------------------------------


def run_cli(cli, path, extra):
    p = subprocess.run([cli, "scan", "--verdicts", *extra, path],
                       capture_output=True, timeout=600)
    if p.returncode != 0:
        sys.exit("eval: %s failed (%d): %s" % (cli, p.returncode,
                                               p.stderr.decode(errors="replace")))
    return [json.loads(x) for x in p.stdout.decode().splitlines() if x]


class Tally:
    def __init__(self, corpus, label, cat, role):
        self.corpus, self.label, self.cat, self.role = corpus, label, cat, role
        self.n = self.flagged = self.hit = 0
        self.confusion = Counter()
        self.misses = []

    def add(self, cats, ln):
        self.n += 1
        if cats:
            self.flagged += 1
            self.confusion.update(cats)
        if self.cat and self.cat in cats:
            self.hit += 1
        elif self.role == "pos" or (self.role == "neg" and cats):
            self.misses.append((ln, cats))

    def rate(self):
        if self.n == 0:
            return 0.0
        if self.role == "neg":
            return 100.0 * self.flagged / self.n
        if self.cat:
            return 100.0 * self.hit / self.n
        return 100.0 * self.flagged / self.n


def evaluate(args):
    tallies = OrderedDict()
    for name, (rel, gen) in CORPORA.items():
        if args.only and name not in args.only:
            continue
        src = os.path.join(args.data, rel)
        if not os.path.exists(src):
            print("eval: %s absent: %s skipped" % (src, name), file=sys.stderr)
            continue
        rows = list(gen(args.data))
        path = os.path.join(args.out, name + ".log")
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            for r in rows:
                f.write(r[3] + "\n")
        extra = list(args.extra)
        if not rel.startswith("access_logs/"):
            extra = NO_RATE + extra
        verdicts = run_cli(args.cli, path, extra)
        if len(verdicts) != len(rows):
            sys.exit("eval: %s: %d lines, %d verdicts" % (name, len(rows),
                                                          len(verdicts)))
        for (label, cat, role, ln), v in zip(rows, verdicts):
            key = (name, label)
            if key not in tallies:
                tallies[key] = Tally(name, label, cat, role)
            tallies[key].add(v.get("categories", []), ln)
    return tallies


def confusion_text(t):
    return ", ".join("%s %d" % (c, n) for c, n in
                     sorted(t.confusion.items(), key=lambda x: (-x[1], x[0])))


def summary(tallies):
    """Pooled figures per target."""
    pos = {}
    neg = [0, 0]
    for t in tallies.values():
        if t.role == "pos":
            p = pos.setdefault(t.cat, [0, 0])
            p[0] += t.n
            p[1] += t.hit
        elif t.role == "neg":
            neg[0] += t.n
            neg[1] += t.flagged
    return pos, neg


TARGETS = {"sqli": 99.5, "xss": 97.0, "traversal": 90.0, "rce": 90.0,
           "scanner": 95.0}
FP_TARGET = 0.1


def report(tallies, markdown):
    role_name = {"pos": "recall", "neg": "flagged (FP)", "info": "flagged"}
    if markdown:
        print("| corpus | rows | n | positive for | flagged | in category | "
              "rate | categories of flagged rows |")
        print("|---|---|---:|---|---:|---:|---|---|")
    else:
        print("%-14s %-24s %6s %-10s %7s %7s %18s  %s" % (
            "corpus", "rows", "n", "category", "flagged", "in cat", "rate",
            "categories of flagged rows"))
    for t in tallies.values():
        cat = t.cat if t.role == "pos" else ("benign" if t.role == "neg"
                                              else (t.cat or "-"))
        rate = "%s %.2f%%" % (role_name[t.role], t.rate())
        incat = str(t.hit) if t.cat else "-"
        if markdown:
            print("| %s | %s | %d | %s | %d | %s | %s | %s |" % (
                t.corpus, t.label, t.n, cat, t.flagged, incat, rate,
                confusion_text(t)))
        else:
            print("%-14s %-24s %6d %-10s %7d %7s %18s  %s" % (
                t.corpus, t.label, t.n, cat, t.flagged, incat, rate,
                confusion_text(t)))
    pos, neg = summary(tallies)
    print()
    if markdown:
        print("| target | n | result | goal | verdict |")
        print("|---|---:|---:|---:|---|")
    ok = True
    for cat in ["sqli", "xss", "traversal", "rce", "scanner"]:
        if cat not in pos:
            continue
        n, hit = pos[cat]
        r = 100.0 * hit / n if n else 0.0
        good = r >= TARGETS[cat]
        ok &= good
        if markdown:
            print("| %s recall | %d | %.2f%% | >= %.1f%% | %s |" % (
                cat, n, r, TARGETS[cat], "met" if good else "NOT met"))
        else:
            print("target %-10s recall %6.2f%% of %6d  (goal >= %.1f%%) %s" % (
                cat, r, n, TARGETS[cat], "met" if good else "NOT MET"))
    if neg[0]:
        r = 100.0 * neg[1] / neg[0]
        good = r <= FP_TARGET
        ok &= good
        if markdown:
            print("| benign flagged | %d | %.2f%% (%d) | <= %.1f%% | %s |" % (
                neg[0], r, neg[1], FP_TARGET, "met" if good else "NOT met"))
        else:
            print("target benign      flagged %6.2f%% of %6d (%d rows) "
                  "(goal <= %.1f%%) %s" % (r, neg[0], neg[1], FP_TARGET,
                                           "met" if good else "NOT MET"))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", default=os.path.join(ROOT, "build",
                                                  "attack-origin"))
    ap.add_argument("--data", default=os.environ.get(
        "AO_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data")))
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "eval"))
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--misses", action="store_true",
                    help="write missed positives and flagged benign rows "
                         "to OUT/misses/")
    ap.add_argument("--only", action="append",
                    help="only this corpus (repeatable)")
    ap.add_argument("extra", nargs="*",
                    help="extra arguments for `attack-origin scan`")
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(args.data, "labelled")):
        print("eval: %s has no labelled corpora: evaluation skipped"
              % args.data)
        return 0
    os.makedirs(args.out, exist_ok=True)
    tallies = evaluate(args)
    ok = report(tallies, args.markdown)
    if args.misses:
        d = os.path.join(args.out, "misses")
        os.makedirs(d, exist_ok=True)
        for t in tallies.values():
            if not t.misses:
                continue
            fn = os.path.join(d, "%s-%s.txt" % (t.corpus, re.sub(
                r"[^A-Za-z0-9_@=.-]", "_", t.label)))
            with open(fn, "w", encoding="utf-8",
                      errors="surrogateescape") as f:
                for ln, cats in t.misses:
                    f.write("%s\t%s\n" % (",".join(cats) or "-", ln))
        print("misses written to %s" % d)
    return 0 if ok else 0


if __name__ == "__main__":
    sys.exit(main())
