#!/usr/bin/env python3
"""make profile: where the instructions of a line go, module by module.

  python3 tests/bench/profile.py [--lines N] [--log FILE --geoip DB]
                                 [--json OUT]

Runs the CLI (`attack-origin scan`) under valgrind's callgrind on the
first N lines (default 200,000) of the combined benchmark log of
`make bench` (generated when missing), collecting only inside the read
loop (`--toggle-collect=ao_lines_scan_fd`: start-up, the database load
and the report are left out). Every instruction is then charged to the
module whose code executed it (functions inlined from a header go to the
module that holds the function) and the modules are grouped into the
stages of a line:

  read and split      ao_tail          the read buffer and the line scan
  parse               ao_logfmt, ...   the format parsers and ao_record
  memo                ao_memo          the classifier's verdict memo
  normalise           ao_normalize     decoding and folding of fields
  pattern scan        ao_acmatch       the Aho-Corasick scan of fields
  rule checks         ao_classify      what runs on a pattern hit
  SQL lexer           ao_sqli          tokens and tautologies
  brute force         ao_rate          the per-address buckets
  address             ao_ip, ao_xff    client address parsing
  GeoIP               ao_geo*, libmaxminddb, ao_siphash.h
  line step           ao_pipeline, ao_counts, ...: the glue and counting,
                      and the CLI's per-line callback (cli/main.c)
  libc                memchr, memcmp, memcpy... (called from the above)

It also profiles two logs cut from the same lines: the lines whose
request had not occurred before in them (the classifier's memo cannot
help: every rule runs) and the first 1,000 lines read 300 times over
(after the first copy every field is a memo hit), and prints what a line
of each kind costs and the first sightings' share of all instructions.

It prints instructions per line for each stage and in all, and the CLI's
CPU time per line on the same lines without valgrind (less the CPU time
of a run on an empty file: start-up and report), so that the
instruction budget of a speed target can be read off: at the measured
instructions per nanosecond, N lines per second allow (1e9 / N) x that
many instructions per line. Instructions are exact and do not depend on
the load of the machine; nanoseconds do.
"""

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CLI = os.path.join(REPO, "build", "attack-origin")

# module (source file stem) -> stage; order is the order of the report
STAGES = [
    ("read and split", ("ao_tail",)),
    ("parse", ("ao_logfmt", "ao_record", "ao_fmtprog", "ao_fmt_nginx",
               "ao_fmt_apache", "ao_fmt_json", "ao_fmt_sshd", "ao_fmt_regex",
               "ao_unjson", "ao_journal")),
    ("memo", ("ao_memo",)),
    ("normalise", ("ao_normalize",)),
    ("pattern scan", ("ao_acmatch",)),
    ("rule checks", ("ao_classify", "ao_rules", "ao_signatures",
                     "ao_regex")),
    ("SQL lexer", ("ao_sqli",)),
    ("brute force", ("ao_rate",)),
    ("address", ("ao_ip", "ao_xff")),
    # ao_siphash.h: the keyed address hash of the GeoIP cache (and of the
    # brute-force buckets), inline
    ("GeoIP", ("ao_geo", "ao_geocache", "ao_geodb", "libmaxminddb",
               "ao_siphash")),
    ("line step", ("ao_pipeline", "ao_counts", "ao_category", "ao_share",
                   "ao_common", "ao_log", "ao_source", "ao_files", "main")),
    ("libc", ("libc",)),
]
STAGE_OF = {m: s for s, ms in STAGES for m in ms}

# "1,234 (5.6%)  path/file.c:function [object]" or without " [object]"
LINE_RE = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+(\S.*?):(\S+)(?:\s+\[(.+)\])?\s*$")


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def parse_annotate(text):
    """[(cost, file, function, object)] from callgrind_annotate's list."""
    rows = []
    for line in text.splitlines():
        m = LINE_RE.match(line)
        if not m or m.group(2) == "PROGRAM TOTALS":
            continue
        rows.append((int(m.group(1).replace(",", "")), m.group(2),
                     m.group(3), m.group(4) or ""))
    return rows


def module_of(file, function, obj, home):
    """The module an instruction is charged to."""
    base = os.path.basename(obj)
    if base.startswith("libc.so") or base.startswith("libc-"):
        return "libc"
    if base.startswith("libmaxminddb"):
        return "libmaxminddb"
    if file.endswith(".c") and "plugin/" in file:
        return stem(file)
    # code inlined from a header (ao_bytescan.h, a compiler intrinsic): the
    # function's own module, known from its out-of-line entry
    if function in home:
        return home[function]
    if base.startswith("ld-linux") or file.startswith("???"):
        return "other"
    return stem(file) if "plugin/" in file else "other"


def attribute(rows):
    """{stage: instructions} and the total, from self costs."""
    home = {}
    for cost, file, function, obj in rows:
        if file.endswith(".c") and "plugin/" in file:
            home.setdefault(function, stem(file))
    by_stage = {}
    total = 0
    for cost, file, function, obj in rows:
        mod = module_of(file, function, obj, home)
        stage = STAGE_OF.get(mod, "other")
        by_stage[stage] = by_stage.get(stage, 0) + cost
        total += cost
    return by_stage, total


def head(src, dst, n):
    with open(src, "rb") as f, open(dst, "wb") as o:
        for i, line in enumerate(f):
            if i >= n:
                break
            o.write(line)


def best_cpu(cmd, rounds=3):
    """Best CPU seconds of cmd over a few runs (no valgrind)."""
    best = None
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + \
            (after.ru_stime - before.ru_stime)
        best = cpu if best is None else min(best, cpu)
    return best


def cpu_ns_per_line(cmd, empty_cmd, lines):
    """CPU nanoseconds per line: the run on the lines less the run on an
    empty file (start-up, the database load, the report)."""
    return max(best_cpu(cmd) - best_cpu(empty_cmd), 0.0) * 1e9 / lines


def callgrind_rows(cmd, out):
    """callgrind_annotate's rows for cmd run under callgrind, counting only
    inside the read loop."""
    vg = subprocess.run(["valgrind", "--tool=callgrind", "--quiet",
                         "--toggle-collect=ao_lines_scan_fd",
                         "--callgrind-out-file=" + out] + cmd,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                        universal_newlines=True, errors="replace")
    if vg.returncode != 0:
        sys.exit("profile: valgrind %s failed (exit %d; a CLI built with "
                 "a sanitizer cannot run under valgrind):\n%s"
                 % (cmd[0], vg.returncode, vg.stderr[-2000:]))
    ann = subprocess.run(["callgrind_annotate", "--threshold=100", out],
                         stdout=subprocess.PIPE, check=True,
                         universal_newlines=True).stdout
    return parse_annotate(ann)


SEEN_HEAD, SEEN_COPIES = 1000, 300


def split_kinds(sample, work):
    """Two logs cut from the sample: its lines whose request (the first
    quoted field) did not occur earlier in it, and its first SEEN_HEAD
    lines SEEN_COPIES times over, where after the first copy every field
    is one the memo has seen. Returns their paths, line counts and how
    many of the sample's lines are first sightings."""
    seen = set()
    first, lines = [], []
    with open(sample, "rb") as f:
        for line in f:
            lines.append(line)
            parts = line.split(b'"', 2)
            key = parts[1] if len(parts) == 3 else line
            if key not in seen:
                seen.add(key)
                first.append(line)
    paths = (os.path.join(work, "first-seen.log"),
             os.path.join(work, "seen-before.log"))
    with open(paths[0], "wb") as o:
        o.writelines(first)
    head_lines = lines[:SEEN_HEAD]
    with open(paths[1], "wb") as o:
        for _ in range(SEEN_COPIES):
            o.writelines(head_lines)
    return paths, (len(first), len(head_lines) * SEEN_COPIES), len(first)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=int(os.environ.get(
        "PROFILE_LINES", "200000")))
    ap.add_argument("--log", help="a combined log (default: the benchmark's)")
    ap.add_argument("--geoip", help="its database (with --log)")
    ap.add_argument("--cli", default=CLI)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    for tool in ("valgrind", "callgrind_annotate"):
        if shutil.which(tool) is None:
            sys.exit("profile: %s is needed (Debian package valgrind)" % tool)
    if args.log:
        if not args.geoip:
            sys.exit("profile: --log needs --geoip")
        log, db = args.log, args.geoip
    else:
        sys.path.insert(0, HERE)
        import bench
        db, logs = bench.prepare(os.path.join(REPO, "build", "bench"),
                                 1000000)
        log = logs["combined"]
    work = tempfile.mkdtemp(prefix="ao-profile-")
    try:
        sample = os.path.join(work, "sample.log")
        head(log, sample, args.lines)
        with open(sample, "rb") as f:
            lines = sum(1 for _ in f)
        if lines == 0:
            sys.exit("profile: %s is empty" % log)
        cmd = [args.cli, "scan", "--geoip", db, sample]
        out = os.path.join(work, "callgrind.out")
        t0 = time.monotonic()
        rows = callgrind_rows(cmd, out)
        took = time.monotonic() - t0
        by_stage, total = attribute(rows)
        empty = os.path.join(work, "empty.log")
        open(empty, "w").close()
        ns = cpu_ns_per_line(cmd, cmd[:-1] + [empty], lines)
        # the same by kind of line: requests seen for the first time (the
        # memo cannot help) and lines whose every field was seen before
        paths, counts, nfirst = split_kinds(sample, work)
        kinds = {}
        for name, path, n in zip(("first", "seen"), paths, counts):
            if n == 0:
                continue
            kcmd = cmd[:-1] + [path]
            kinds[name] = {
                "lines": n,
                "instructions_per_line": attribute(callgrind_rows(
                    kcmd, os.path.join(work, name + ".out")))[1] / n,
                "ns_per_line": cpu_ns_per_line(kcmd, cmd[:-1] + [empty], n)}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if total == 0:
        sys.exit("profile: callgrind counted nothing inside ao_lines_scan_fd: "
                 "is %s built with a sanitizer (valgrind cannot run those) "
                 "or without symbols?" % args.cli)
    per_line = total / lines
    print("profile: %d lines of %s, callgrind %.0f s" % (lines, log, took))
    print("%-16s %12s %8s" % ("stage", "instr/line", "share"))
    for stage, _ in STAGES + [("other", ())]:
        c = by_stage.get(stage, 0)
        if c == 0 and stage == "other":
            continue
        print("%-16s %12.0f %7.1f%%" % (stage, c / lines, 100.0 * c / total))
    print("%-16s %12.0f %7.1f%%" % ("all", per_line, 100.0))
    ipns = per_line / ns if ns > 0 else 0.0
    print("CLI without valgrind on the same lines: %.0f ns per line "
          "(CPU, best of 3, less a run on an empty file), "
          "%.2f instructions per ns"
          % (ns, ipns))
    for target in (2e6, 4e6):
        print("at that rate, %.0fM lines/s allow %.0f instructions per line"
              % (target / 1e6, ipns * 1e9 / target))
    share = nfirst / lines
    print("by kind of line:")
    if "seen" in kinds:
        k = kinds["seen"]
        print("  every field seen before (the first %d lines, %d times): "
              "%.0f instructions, %.0f ns per line"
              % (min(lines, SEEN_HEAD), SEEN_COPIES,
                 k["instructions_per_line"], k["ns_per_line"]))
    if "first" in kinds:
        k = kinds["first"]
        print("  request seen for the first time (%.1f%% of the lines): "
              "%.0f instructions, %.0f ns per line; %.0f%% of all "
              "instructions"
              % (100.0 * share, k["instructions_per_line"], k["ns_per_line"],
                 100.0 * share * k["instructions_per_line"] / per_line))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"lines": lines, "instructions_per_line": per_line,
                       "stages": {s: c / lines for s, c in by_stage.items()},
                       "ns_per_line": ns, "instructions_per_ns": ipns,
                       "kinds": kinds, "first_seen_share": share}, f,
                      indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
