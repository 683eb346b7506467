#!/usr/bin/env python3
"""What each Log costs in memory inside collectd (README "Performance").

  python3 tests/bench/logs_memory.py [--logs 1,8] [--lines 20000]

Runs Debian's collectd with this tree's plugin (tests/integration/harness.py)
and N Logs, each on its own file fed LINES lines of the combined benchmark
log (build/bench, `make bench` or `python3 tests/bench/bench.py
--prepare-only` makes it), so that every Log's memo and caches are in use,
and prints collectd's resident set (VmRSS, VmHWM) once they are read. The
difference between two values of N over their difference is the cost of
one more Log. A measurement, not a test: it asserts nothing.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, HERE)

from harness import Collectd, Workdir, shipped_conf  # noqa: E402


def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def measure(nlogs, lines, src, db):
    with Workdir() as d:
        files = [os.path.join(d, "l%d.log" % i) for i in range(nlogs)]
        for f in files:
            open(f, "w").close()
        conf = shipped_conf(files[0], db, StartAt="beginning")
        extra = "".join('  <Log "x%d">\n    File "%s"\n    StartAt "beginning"\n'
                        '  </Log>\n' % (i, f) for i, f in enumerate(files[1:], 1))
        i = conf.rindex("</Plugin>")
        conf = conf[:i] + extra + conf[i:]
        cd = Collectd(d, conf, interval=1.0).start()
        try:
            cd.wait_for("the first read", lambda: cd.last(
                "web", "derive", "lines_read") == 0, 30)
            for k, f in enumerate(files):
                chunk = src[(k * lines) % len(src):][:lines]
                with open(f, "ab") as g:
                    g.write(b"\n".join(chunk) + b"\n")
            cd.wait_for("the lines read", lambda: (cd.last(
                "web", "derive", "lines_read") or 0) >= len(
                    src[:lines]), 120)
            time.sleep(3)  # the other Logs' reads of the same interval
            return (status(cd.proc.pid, "VmRSS"), status(cd.proc.pid, "VmHWM"))
        finally:
            cd.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logs", default="1,8")
    ap.add_argument("--lines", type=int, default=20000)
    ap.add_argument("--log", default=os.path.join(
        REPO, "build", "bench", "combined-1000000.log"))
    ap.add_argument("--db", default=os.path.join(
        REPO, "build", "bench", "bench-country.mmdb"))
    args = ap.parse_args()
    with open(args.log, "rb") as f:
        src = f.read(64 << 20).split(b"\n")[:-1]
    res = {}
    for n in [int(x) for x in args.logs.split(",")]:
        res[n] = measure(n, args.lines, src, args.db)
        print("logs_memory: %d Log(s), %d lines each: VmRSS %.1f MiB, "
              "VmHWM %.1f MiB" % (n, args.lines, res[n][0] / 1024,
                                  res[n][1] / 1024), flush=True)
    ns = sorted(res)
    if len(ns) >= 2:
        a, b = ns[0], ns[-1]
        print("logs_memory: %.2f MiB per additional Log" % (
            (res[b][1] - res[a][1]) / 1024 / (b - a)))


if __name__ == "__main__":
    main()
