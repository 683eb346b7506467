#!/usr/bin/env python3
"""make verdicts-diff: the verdicts of this tree against a base revision's.

  python3 tests/bench/verdicts_diff.py [--base REV | --base-cli PATH]
                                      [--cli build/attack-origin]
                                      [--out build/verdicts-diff] [--quick]

The performance work (README, "Performance") must not change a single
verdict. This script builds the command-line tool of a base revision
(`git archive REV` into OUT/base, built there with its own Makefile), then
runs both tools with `scan --verdicts` and with `scan --json` on the same
inputs and compares their outputs byte for byte:

  - the benchmark logs of `make bench` (build/bench, generated when
    missing): the 1M-line combined log, also read as `common`, and the
    1M-line sshd log;
  - the logs `make eval` wraps from the public corpora (build/eval, made
    here when missing; payload corpora with the brute-force buckets off, as
    eval does, and on) and the real access logs of ../shared/data;
  - a mutation corpus written here, deterministically: lines of all of the
    above with bytes inserted, percent-encoded (once or twice), escaped the
    way nginx and Apache escape, case-flipped, cut, glued to other lines'
    payloads, and with statuses 200/401/403/404/410 - the edges a faster
    path could treat differently from the reference.

Both run with getrandom() fixed (tests/bench/fixed_random.c, LD_PRELOAD):
the brute-force table is seeded, and when it is full the seed decides which
address is evicted, so two runs of one binary may differ in `bruteforce`
otherwise. Any difference is printed (first lines of each) and the exit status is 1.
--quick uses the first 200,000 lines of each big input. --base-cli compares
with a CLI already built (`make pgo-check`: the profile-guided build against
the default one) instead of a base revision's.
"""

import argparse
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.abspath(os.path.join(REPO, "..", "shared", "data"))
# The last commit before the performance work (issue 6).
DEFAULT_BASE = "76698ff"
NO_RATE = ["--bruteforce-attempts", "0", "--bruteforce-notfound", "0"]


def build_base(rev, out):
    """The base revision's CLI, built once per revision."""
    src = os.path.join(out, "base-" + rev)
    cli = os.path.join(src, "build", "attack-origin")
    if os.path.exists(cli):
        return cli
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    arch = subprocess.Popen(["git", "-C", REPO, "archive", rev],
                            stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", src], stdin=arch.stdout, check=True)
    if arch.wait() != 0:
        sys.exit("verdicts-diff: git archive %s failed" % rev)
    subprocess.run(["make", "-C", src, "-j2", "build/attack-origin"],
                   check=True, stdout=subprocess.DEVNULL)
    return cli


def head(path, n, out):
    """The first n lines of path, as a file under out (or path itself)."""
    if n is None:
        return path
    dst = os.path.join(out, "head-%d-%s" % (n, os.path.basename(path)))
    if not os.path.exists(dst):
        with open(path, "rb") as f, open(dst + ".tmp", "wb") as g:
            for i, raw in enumerate(f):
                if i >= n:
                    break
                g.write(raw)
        os.rename(dst + ".tmp", dst)
    return dst


# --- the mutation corpus ----------------------------------------------------

SPECIAL = list("%'\"<>;|&$(){}[]\\#+=-/*.:@!~^`?, \t") + ["%00", "%2e",
          "%2f", "%5c", "%25", "%27", "%3c", "%c0%af", "%u002f", "&lt;",
          "&#x3c;", "&#60", "\\x22", "\\x5c", "\\\"", "\\\\", "../", "..\\",
          "/*", "--", "${", "{{", "<?", "%0a", "+", "++", "&&", "||", "0x",
          "=", "==", "\xc3\xa9", "\xef\xbc\x8f", "\x80", "\xff"]
STATUSES = [200, 200, 200, 301, 401, 403, 404, 410, 500]


def pct(s, rng):
    return "".join("%%%02X" % ord(c) if ord(c) < 256 and rng.random() < 0.4
                   else c for c in s)


def mutate(text, rng, pool):
    for _ in range(rng.randint(1, 4)):
        k = rng.randrange(9)
        i = rng.randint(0, len(text))
        if k == 0:
            text = text[:i] + rng.choice(SPECIAL) + text[i:]
        elif k == 1 and text:
            j = min(len(text), i + rng.randint(1, 12))
            text = text[:i] + pct(text[i:j], rng) + text[j:]
        elif k == 2 and text:
            j = min(len(text), i + rng.randint(1, 12))
            text = text[:i] + pct(pct(text[i:j], rng), rng) + text[j:]
        elif k == 3:
            text = "".join(c.upper() if c.isascii() and rng.random() < 0.3 else c
                           for c in text)
        elif k == 4:
            text = text[:i]
        elif k == 5:
            text = text[:i] + rng.choice(pool) + text[i:]
        elif k == 6:
            text = text[:i] + rng.choice(["?", "&", "=", "/", "+"]) + \
                rng.choice(pool)[:40] + text[i:]
        elif k == 7:
            text = text.replace(" ", rng.choice(["+", "%20", "/**/", "\t"]))
        else:
            text = text[:i] + text[i:i + 8] * rng.randint(2, 6) + text[i:]
    return text


def parts(line):
    """(target, referer, user agent) of a combined line, or None."""
    try:
        a = line.index('"')
        req_end = line.index('" ', a + 1)
        req = line[a + 1:req_end].split(" ")
        rest = line[req_end + 2:]
        q = rest.split('"')
        return req[1] if len(req) > 1 else req[0], q[1], q[3]
    except (ValueError, IndexError):
        return None


def escape(s, rng):
    mode = rng.randrange(3)
    out = []
    for c in s:
        o = ord(c)
        if c == '"' or c == "\\" or o < 0x20 or o == 0x7f or \
                (mode == 0 and o >= 0x80):
            if mode == 1 and c in '"\\':
                out.append("\\" + c)
            else:
                out.append("\\x%02x" % (o & 0xff))
        else:
            out.append(c)
    return "".join(out)


def mutation_corpus(sources, out, n, seed=6):
    path = os.path.join(out, "mutations-%d.log" % n)
    if os.path.exists(path):
        return path
    rng = random.Random(seed)
    fields = []
    addrs = []
    for src in sources:
        with open(src, encoding="latin-1") as f:
            for k, raw in enumerate(f):
                if k >= 50000:
                    break
                p = parts(raw.rstrip("\n"))
                if p:
                    fields.append(p)
                    if k % 50 == 0:
                        addrs.append(raw.split(" ", 1)[0])
    pool = [p for f in fields for p in f if p and p != "-"]
    ips = ["203.0.113.%d" % i for i in range(1, 60)] + \
        ["2001:db8::%x" % i for i in range(1, 30)] + ["81.2.69.160",
                                                     "175.16.199.1", "-"]
    ips += addrs[:2000]
    methods = ["GET", "GET", "POST", "HEAD", "PUT", "OPTIONS", "get"]
    with open(path + ".tmp", "w", encoding="latin-1") as f:
        for i in range(n):
            t, r, u = rng.choice(fields)
            which = rng.randrange(4)
            if which in (0, 3):
                t = mutate(t, rng, pool)
            if which in (1, 3):
                r = mutate(r, rng, pool)
            if which == 2 or rng.random() < 0.1:
                u = mutate(u, rng, pool)
            if not t.startswith("/") and rng.random() < 0.7:
                t = "/" + t
            f.write('%s - - [10/Oct/2026:13:%02d:%02d +0000] "%s %s HTTP/1.1" '
                    '%d %d "%s" "%s"\n' % (
                        rng.choice(ips), i // 60 % 60, i % 60,
                        rng.choice(methods),
                        escape(t, rng).replace(" ", "%20"),
                        rng.choice(STATUSES), rng.randint(0, 99999),
                        escape(r, rng) or "-", escape(u, rng) or "-"))
    os.rename(path + ".tmp", path)
    return path


# --- comparing --------------------------------------------------------------

FIXED_RANDOM = None


def fixed_random(out):
    """The getrandom() shim (tests/bench/fixed_random.c): both binaries
    seed their tables alike, so that evictions match."""
    so = os.path.join(out, "fixed_random.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", so,
                    os.path.join(HERE, "fixed_random.c")], check=True)
    return so


def run(cli, args, path, kind, outpath):
    env = dict(os.environ, LD_PRELOAD=FIXED_RANDOM)
    with open(outpath, "wb") as f:
        p = subprocess.run([cli, "scan", kind] + args + [path], stdout=f,
                           stderr=subprocess.DEVNULL, env=env)
    return p.returncode


def compare(base, new, name, args, path, out):
    bad = 0
    for kind in ("--verdicts", "--json"):
        tag = "%s%s" % (name, kind.replace("--", "."))
        fb = os.path.join(out, tag + ".base")
        fn = os.path.join(out, tag + ".new")
        rb = run(base, args, path, kind, fb)
        rn = run(new, args, path, kind, fn)
        same = rb == rn and filecmp(fb, fn)
        print("verdicts-diff: %-44s %-10s %s" % (name, kind[2:],
                                                 "identical" if same
                                                 else "DIFFERENT"),
              flush=True)
        if not same:
            bad += 1
            if rb != rn:
                print("  exit status %d (base) vs %d (new)" % (rb, rn))
            subprocess.run("diff %s %s | head -20" % (fb, fn), shell=True)
        else:
            os.unlink(fb)
            os.unlink(fn)
    return bad


def filecmp(a, b):
    with open(a, "rb") as f, open(b, "rb") as g:
        while True:
            x, y = f.read(1 << 20), g.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default=os.environ.get("VERDICTS_BASE",
                                                     DEFAULT_BASE))
    ap.add_argument("--cli", default=os.path.join(REPO, "build",
                                                  "attack-origin"))
    ap.add_argument("--out", default=os.path.join(REPO, "build",
                                                  "verdicts-diff"))
    ap.add_argument("--base-cli", help="compare with this CLI instead of "
                    "building the base revision's (e.g. the PGO=1 build)")
    ap.add_argument("--mutations", type=int, default=300000)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.base_cli:
        base = os.path.abspath(args.base_cli)
        args.base = "given"
    else:
        base = build_base(args.base, args.out)
    global FIXED_RANDOM
    FIXED_RANDOM = fixed_random(args.out)
    limit = 200000 if args.quick else None

    bench = os.path.join(REPO, "build", "bench")
    db = os.path.join(bench, "bench-country.mmdb")
    tsv = os.path.join(REPO, "tests", "data", "demo-geo.tsv")
    if not os.path.exists(db):
        os.makedirs(bench, exist_ok=True)
        subprocess.run(["perl", os.path.join(REPO, "tests", "tools",
                                             "mkmmdb.pl"), "--layout",
                        "geolite2", tsv, db], check=True)
    logs = {}
    for kind in ("combined", "sshd"):
        p = os.path.join(bench, "%s-1000000.log" % kind)
        if not os.path.exists(p):
            subprocess.run([sys.executable, os.path.join(HERE, "benchlog.py"),
                            kind, "--geo", tsv, "--lines", "1000000", p],
                           check=True)
        logs[kind] = head(p, limit, args.out)
    geo = ["--geoip", db]
    jobs = [("bench combined", geo, logs["combined"]),
            ("bench combined as common", geo + ["--format", "common"],
             logs["combined"]),
            ("bench sshd", geo + ["--format", "sshd"], logs["sshd"])]

    evaldir = os.path.join(REPO, "build", "eval")
    if os.path.isdir(DATA) and not os.path.exists(
            os.path.join(evaldir, "libinjection.log")):
        subprocess.run([sys.executable, os.path.join(REPO, "tests", "eval",
                                                     "eval.py"),
                        "--cli", args.cli, "--data", DATA, "--out", evaldir],
                       stdout=subprocess.DEVNULL, check=True)
    sources = [logs["combined"]]
    if os.path.isdir(evaldir):
        for name in sorted(os.listdir(evaldir)):
            if not name.endswith(".log"):
                continue
            p = os.path.join(evaldir, name)
            sources.append(p)
            jobs.append(("eval " + name, geo + NO_RATE, p))
            jobs.append(("eval " + name + " (buckets on)", geo, p))
    else:
        print("verdicts-diff: %s absent: eval corpora skipped" % evaldir)
    real = os.path.join(DATA, "access_logs")
    if os.path.isdir(real):
        for name in sorted(os.listdir(real)):
            jobs.append(("real " + name, geo, os.path.join(real, name)))
    else:
        print("verdicts-diff: %s absent: real logs skipped" % real)
    mut = mutation_corpus(sources, args.out, args.mutations)
    jobs.append(("mutations", geo, mut))
    jobs.append(("mutations, buckets off", geo + NO_RATE, mut))

    print("verdicts-diff: base %s (%s) against %s" % (args.base, base,
                                                      args.cli))
    bad = sum(compare(base, args.cli, name, a, p, args.out)
              for name, a, p in jobs)
    if bad:
        sys.exit("verdicts-diff: %d outputs differ" % bad)
    print("verdicts-diff: all %d outputs identical" % (2 * len(jobs)))


if __name__ == "__main__":
    main()
