#!/usr/bin/env python3
"""How far a user-agent rule without product names can go on the scanner tag.

  python3 tests/eval/scanner_ceiling.py [--data ../shared/data]

Issue 5 asks for 95% of crawler-user-agents' `scanner` rows with at most
0.1% of benign rows flagged, and forbids copying a list from a source that
is scored. This measures what the tag allows a rule that generalises: a
generous case-insensitive vocabulary of what scanners say about themselves
(scanning, security, vulnerability, certificates and TLS, audits, surveys,
research, compliance...), plus the names of the best-known attack tools,
is matched against every row of the corpus, and its recall on the
`scanner` rows and its false positives on the others are printed, with the
rows on both sides. The vocabulary was written with the corpus in view, so
that it is an upper bound for vocabulary rules, not an estimate of one.

Nothing in attack-origin uses this vocabulary; it is an argument about the
labels (README.md, section Detection, "Evaluation"), reproducible here.
Exits 2 when the corpus is absent.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

VOCABULARY = (
    # what a scanner says it does
    "scan", "secur", "vuln", "pentest", "exploit", "audit", "recon",
    "inspect", "detect", "tester", "probe", "discover", "measur", "survey",
    "research", "risk", "cyber", "csirt", "abuse", "integrity", "harden",
    # certificates, TLS and policy checks
    "cert", "ssl", "tls", "dcv", "validat", "verif", "hsts", "shield",
    # compliance and privacy scanners
    "cookie", "gdpr", "complian", "privacy", "legal",
    # the best-known attack tools and internet-wide scanners
    "nmap", "masscan", "zgrab", "nikto", "sqlmap", "nuclei", "acunetix",
    "nessus", "openvas", "wpscan", "dirbuster", "whatweb", "zmeu",
    "censys", "shodan", "expanse",
)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(
        os.path.dirname(REPO), "shared", "data"))
    ap.add_argument("--rows", action="store_true",
                    help="list the rows missed and flagged")
    args = ap.parse_args()
    path = os.path.join(args.data, "labelled",
                        "crawler_user_agents_tagged.tsv")
    if not os.path.exists(path):
        print("scanner_ceiling: %s absent: skipped" % path)
        sys.exit(2)
    rx = re.compile("|".join(re.escape(w) for w in VOCABULARY), re.I)
    pos, neg = [], []
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 4:
                continue
            (pos if cols[0] == "1" else neg).append(cols[3])
    hit_pos = [ua for ua in pos if rx.search(ua)]
    hit_neg = [ua for ua in neg if rx.search(ua)]
    print("vocabulary of %d terms" % len(VOCABULARY))
    print("scanner rows caught: %d of %d (%.1f%%; the target is 95%%)"
          % (len(hit_pos), len(pos), 100.0 * len(hit_pos) / len(pos)))
    print("other rows flagged:  %d of %d (%.2f%%; the target is <= 0.1%%)"
          % (len(hit_neg), len(neg), 100.0 * len(hit_neg) / len(neg)))
    if args.rows:
        for ua in pos:
            if ua not in hit_pos:
                print("missed  " + ua)
        for ua in hit_neg:
            print("flagged " + ua)


if __name__ == "__main__":
    main()
