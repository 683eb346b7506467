#!/usr/bin/env python3
"""seeds.py NAME OUTDIR: generated seed inputs for one fuzz target.

Hand-written seeds live in tests/fuzz/seeds/NAME/ and crashing inputs in
tests/fuzz/regressions/NAME/; run.sh copies both. This adds what is better
generated than committed: labelled log lines from tests/tools/loggen.py
(every attack category, IPv4 and IPv6, combined and common, rearranged for
the Format regex target, the nginx and Apache targets' formats, and as
Caddy and custom JSON objects), the addresses of tests/data/test-geo.tsv,
and - when ../shared/data is there - the first lines of the real access
logs, fail2ban's labelled sshd lines and the first lines of the real auth
log (read from there, never copied into the repository). Targets it does not know get nothing (their own seeds only).
"""
import json
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "tools"))
import loggen  # noqa: E402

GEO = os.path.join(REPO, "tests", "data", "test-geo.tsv")
SHARED = os.environ.get("AO_SHARED_DATA",
                        os.path.join(REPO, "..", "shared", "data"))


def lines(n=300):
    rows = loggen.load_geo(GEO)
    out = []
    for fmt in ("combined", "common"):
        gen = loggen.Generator(rows, seed=11, fmt=fmt)
        out += [t.encode() for t, _ in gen.batch(n, 0.6)]
    for name in ("elastic_apache_logs.log", "logparser_hackers-access.log"):
        p = os.path.join(SHARED, "access_logs", name)
        if os.path.exists(p):
            with open(p, "rb") as f:
                out += [next(f, b"").rstrip(b"\n") for _ in range(150)]
    return [l for l in out if l]


# A combined line's fields, rearranged into the layout of fuzz_regex_format's
# fixed pattern (TIME CLIENT "REQUEST" STATUS XFF "AGENT" REFERER HOST
# METHOD URI): without lines that match, the fuzzer hardly gets past the
# regex (PCRE2's JIT code is not instrumented) to the field extraction.
COMBINED = re.compile(rb'^(\S+) \S+ \S+ \[([^\]]*)\] "((\S*) ?(\S*)[^"]*)" '
                      rb'(\d+) \S+ "([^"]*)" "([^"]*)"')


def combined_fields(n=150):
    """(index, line, fields) of loggen's combined lines; fields are client,
    time, request, method, target, status, referer, user agent (bytes)."""
    for i, l in enumerate(lines(n)):
        m = COMBINED.match(l)
        if m:
            yield i, l, m.groups()


def regex_format_lines():
    out = []
    for i, _, f in combined_fields():
        client, t, req, method, uri, status, ref, ua = f
        xff = (b"-", client, b"198.51.100.7, " + client)[i % 3]
        out.append(b"%s %s \"%s\" %s %s \"%s\" %s %s %s %s" % (
            t.replace(b" ", b"T"), client, req, status, xff, ua,
            ref.replace(b" ", b"+") or b"-", b"example.org" if i % 2 else b"",
            method, uri))
    return out


def json_lines():
    """The same lines as JSON objects for fuzz_json's two parsers: Caddy's
    layout (headers as arrays, remote_ip or client_ip) and the target's
    custom paths (a, h.x, r, h."u.a", s)."""
    out = []
    for i, _, f in combined_fields():
        client, t, req, method, uri, status, ref, ua = (
            g.decode("latin-1") for g in f)
        headers = {"User-Agent": [ua], "Referer": [ref]}
        if i % 3 == 0:
            headers["X-Forwarded-For"] = ["198.51.100.7, " + client]
        caddy = {"level": "info", "ts": 1700000000.5 + i,
                 "request": {"remote_ip" if i % 2 else "client_ip": client,
                             "proto": "HTTP/1.1", "method": method,
                             "host": "example.org", "uri": uri,
                             "headers": headers},
                 "status": int(status), "size": 512}
        custom = {"a": client, "r": req, "s": status if i % 2 else int(status),
                  "h": {"x": ["198.51.100.7", client], "u.a": ua}}
        out += [json.dumps(caddy).encode(), json.dumps(custom).encode()]
    return out


def server_format_lines(server):
    """Lines in the layouts of fuzz_nginx's and fuzz_apache's compiled
    formats, and "format string\nline" pairs for their compile-and-match
    half."""
    out = []
    for i, l, f in combined_fields():
        client, t, req, method, uri, status, ref, ua = f
        xff = (b"-", b"198.51.100.7, " + client)[i % 2]
        path, _, args = uri.partition(b"?")
        if server == "nginx":
            out.append(l + b' "%s" 0.012 0.010 example.org' % xff)
            out.append(json.dumps({"a": client.decode("latin-1"),
                                   "r": req.decode("latin-1"),
                                   "s": int(status),
                                   "u": path.decode("latin-1"),
                                   "q": args.decode("latin-1"),
                                   "ua": ua.decode("latin-1")},
                                  separators=(",", ":")).encode())
            fmt = b'$remote_addr [$time_local] "$request" $status ' \
                  b'"$http_user_agent"'
        else:
            out.append(l + b' "%s"' % xff)
            out.append(b'%s [2023-11-14 22:13:%02d] %s %s%s HTTP/1.1 %s 1234 '
                       b'"%s" example.org' % (client, i % 60, method, path,
                                              b"?" + args if args else b"",
                                              status, ua))
            fmt = b'%h %t "%r" %>s "%{User-Agent}i"'
        out.append(fmt + b'\n%s [%s] "%s" %s "%s"' % (client, t, req, status,
                                                      ua))
    return out


def sshd_lines():
    """sshd messages from ../shared/data (read from there): fail2ban's
    labelled sshd lines, matching and not, and the first lines of the real
    auth log. Nothing when the data is absent."""
    out = []
    tsv = os.path.join(SHARED, "labelled", "fail2ban_labelled_lines.tsv")
    if os.path.exists(tsv):
        with open(tsv, "rb") as f:
            next(f, None)
            for row in f:
                cols = row.rstrip(b"\n").split(b"\t")
                if len(cols) >= 5 and cols[0] == b"sshd":
                    out.append(cols[4].replace(b"\\t", b"\t"))
    auth = os.path.join(SHARED, "auth_logs", "elastic_auth.log")
    if os.path.exists(auth):
        with open(auth, "rb") as f:
            out += [next(f, b"").rstrip(b"\n") for _ in range(300)]
    return [l for l in out if l]


def addresses():
    rows = loggen.load_geo(GEO)
    import random
    rng = random.Random(5)
    out = set()
    for net, _ in rows:
        out.add(str(net.network_address))
        out.add(loggen.random_address(rng, net))
    return sorted(a.encode() for a in out)


def main():
    name, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    seeds = []
    if name == "logfmt":
        for l in lines():
            seeds += [b"\x00" + l, b"\x01" + l]
    elif name == "classify":
        seeds = [b"\x00" + l for l in lines()]
    elif name == "ip":
        seeds = addresses()
    elif name == "geo":
        data = os.environ.get("AO_TEST_DATA", os.path.join(REPO, "build",
                                                           "testdata"))
        for f in sorted(os.listdir(data)) if os.path.isdir(data) else []:
            if f.endswith(".mmdb"):
                with open(os.path.join(data, f), "rb") as fh:
                    seeds.append(fh.read())
    elif name == "regex_format":
        seeds = regex_format_lines()
    elif name == "json":
        seeds = json_lines()
    elif name in ("nginx", "apache"):
        seeds = server_format_lines(name)
    elif name == "sshd":
        seeds = sshd_lines()
    elif name == "lines":
        blob = b"\n".join(lines(100)) + b"\n"
        seeds = [struct.pack(">H", k) + blob[i:i + 3000]
                 for k, i in ((0, 0), (100, 3000), (4000, 6000))]
    for i, s in enumerate(seeds):
        with open(os.path.join(outdir, "gen-%04d" % i), "wb") as f:
            f.write(s)
    print("%s: %d generated seeds" % (name, len(seeds)))


if __name__ == "__main__":
    main()
