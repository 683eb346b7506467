#!/usr/bin/env python3
"""The plugin inside real collectd: catch-up, steady load, memory.

  python3 tests/bench/inside_collectd.py --log LOG --db DB [--seconds S]
                                        [--catchup-runs N]

Runs Debian's collectd in the foreground with the built plugin and
conf.d/attack_origin.conf (tests/integration/harness.py) and measures,
from /proc, collectd's CPU time and peak RSS:

  catch-up     the whole LOG appended at once: lines per CPU second and per
               wall second until lines_read reaches the line count; N runs
               (default 5), each in a collectd of its own, and their
               median (one run is timed from a few tenths of a CPU second,
               and single runs minutes apart differ by up to a third);
               against the CLI of the same build when `make bench` left
               its results.json beside LOG (the issue's 80% target)
  steady       lines appended at 10,000 and 100,000 lines per second for S
               seconds: collectd's CPU as a percent of one core
  addresses    1,000,000 attack lines from 1,000,000 distinct addresses:
               collectd's peak RSS before and after

Prints a Markdown table and writes inside_collectd.json next to LOG.
"""

import argparse
import ipaddress
import json
import os
import random
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from harness import Collectd, Workdir, shipped_conf  # noqa: E402
sys.path.insert(0, HERE)
from bench import AO, AO_PGO, proc_cpu, proc_hwm  # noqa: E402


def reader_cpu(pid):
    """CPU seconds of collectd's read threads ("reader#N"): the plugin's
    read callbacks, with the dispatch of their values, and nothing of the
    writers (csv here) or the main loop."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                if not f.read().startswith("reader#"):
                    continue
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            continue
    return total / tick


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            n += chunk.count(b"\n")
    return n


def start(d, log, db, interval=1.0):
    conf = shipped_conf(log, db)
    cd = Collectd(d, conf, interval=interval).start()
    cd.wait_for("the first read",
                lambda: cd.last("web", "derive", "lines_read") == 0, 30)
    return cd


def catch_up(log, db, lines):
    with Workdir() as d:
        feed = os.path.join(d, "access.log")
        open(feed, "w").close()
        cd = start(d, feed, db)
        try:
            pid = cd.proc.pid
            cpu0, t0 = reader_cpu(pid), time.monotonic()
            with open(log, "rb") as src, open(feed, "ab") as dst:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    dst.write(chunk)
            cd.wait_for("catch-up", lambda: (cd.last(
                "web", "derive", "lines_read") or 0) >= lines, 3600)
            # lines_read is written after the read that got there: the
            # interval's granularity is in the wall time, not in the CPU.
            wall = time.monotonic() - t0
            cpu = reader_cpu(pid) - cpu0
            rss = proc_hwm(pid)
        finally:
            cd.stop()
    return {"lines": lines, "cpu_s": cpu, "wall_s": wall,
            "lines_per_cpu_s": lines / cpu, "lines_per_wall_s": lines / wall,
            "rss_kib": rss}


def catch_ups(log, db, lines, runs):
    """runs catch-ups; their median (by lines per CPU second) and each."""
    each = []
    for i in range(runs):
        each.append(catch_up(log, db, lines))
        print("inside collectd: catch-up run %d: %s" % (i + 1, each[-1]),
              flush=True)
    rates = [c["lines_per_cpu_s"] for c in each]
    walls = [c["lines_per_wall_s"] for c in each]
    return {"lines": lines, "runs": each,
            "lines_per_cpu_s": statistics.median(rates),
            "lines_per_cpu_s_min": min(rates),
            "lines_per_cpu_s_max": max(rates),
            "lines_per_wall_s": statistics.median(walls),
            "rss_kib": max(c["rss_kib"] for c in each)}


def cli_rate(log, lines):
    """The CLI's lines per CPU second on the combined log in the results
    of `make bench` beside LOG (of `lines` lines), for the build measured
    here, or None."""
    path = os.path.join(os.path.dirname(log), "results.json")
    pgo = os.path.basename(os.path.normpath(os.environ.get(
        "AO_BUILD", "build"))) == "build-pgo"
    try:
        with open(path) as f:
            res = json.load(f)
        r = res["combined"][AO_PGO if pgo else AO]
        return r["lines_per_s"] if res.get("lines") == lines else None
    except (OSError, KeyError, ValueError, TypeError):
        return None


def steady(log, db, rate, seconds, interval=10.0):
    with open(log, "rb") as f:
        pool = f.read(64 << 20).split(b"\n")[:-1]
    with Workdir() as d:
        feed = os.path.join(d, "access.log")
        open(feed, "w").close()
        cd = start(d, feed, db, interval)
        try:
            pid = cd.proc.pid
            stop = threading.Event()
            sent = [0]

            def writer():
                t0 = time.monotonic()
                i = 0
                with open(feed, "ab", buffering=0) as f:
                    while not stop.is_set():
                        due = int((time.monotonic() - t0) * rate)
                        if due > sent[0]:
                            n = due - sent[0]
                            chunk = []
                            for _ in range(n):
                                chunk.append(pool[i % len(pool)])
                                i += 1
                            f.write(b"\n".join(chunk) + b"\n")
                            sent[0] = due
                        time.sleep(0.01)
            th = threading.Thread(target=writer)
            time.sleep(1)
            cpu0, rcpu0, t0 = proc_cpu(pid), reader_cpu(pid), time.monotonic()
            th.start()
            time.sleep(seconds)
            stop.set()
            th.join()
            cd.wait_for("the last lines", lambda: (cd.last(
                "web", "derive", "lines_read") or 0) >= sent[0],
                3 * interval + 30)
            wall = time.monotonic() - t0
            cpu = proc_cpu(pid) - cpu0
            rcpu = reader_cpu(pid) - rcpu0
        finally:
            cd.stop()
    return {"rate": rate, "seconds": wall, "lines": sent[0],
            "interval": interval,
            "plugin_cpu_percent_of_one_core": 100.0 * rcpu / wall,
            "collectd_cpu_percent_of_one_core": 100.0 * cpu / wall}


def distinct_addresses(db, n, workdir):
    """n attack lines, each from another public IPv4 address."""
    rng = random.Random(7)
    path = os.path.join(workdir, "distinct.log")
    seen = set()
    with open(path, "w") as f:
        while len(seen) < n:
            a = ipaddress.IPv4Address(rng.randrange(1 << 24, 223 << 24))
            if not a.is_global or a in seen:
                continue
            seen.add(a)
            f.write('%s - - [10/Oct/2026:13:55:36 +0000] "GET /.env HTTP/1.1" '
                    '404 0 "-" "Mozilla/5.0"\n' % a)
    return path


def memory(db, n):
    with Workdir() as d:
        log = distinct_addresses(db, n, d)
        feed = os.path.join(d, "access.log")
        open(feed, "w").close()
        cd = start(d, feed, db)
        try:
            pid = cd.proc.pid
            before = proc_hwm(pid)
            with open(log, "rb") as src, open(feed, "ab") as dst:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    dst.write(chunk)
            cd.wait_for("1M addresses", lambda: (cd.last(
                "web", "derive", "lines_read") or 0) >= n, 3600)
            after = proc_hwm(pid)
        finally:
            cd.stop()
    return {"addresses": n, "rss_before_kib": before, "rss_peak_kib": after}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--addresses", type=int, default=1_000_000)
    ap.add_argument("--catchup-runs", type=int, default=5)
    args = ap.parse_args()
    lines = count_lines(args.log)
    out = {"catch_up": catch_ups(args.log, args.db, lines,
                                 max(1, args.catchup_runs))}
    cli = cli_rate(args.log, lines)
    if cli:
        out["catch_up"]["cli_lines_per_cpu_s"] = cli
        out["catch_up"]["of_cli"] = out["catch_up"]["lines_per_cpu_s"] / cli
    print("inside collectd: catch-up %s" % out["catch_up"], flush=True)
    out["steady"] = [steady(args.log, args.db, r, args.seconds)
                     for r in (10_000, 100_000)]
    print("inside collectd: steady %s" % out["steady"], flush=True)
    out["memory"] = memory(args.db, args.addresses)
    print("inside collectd: memory %s" % out["memory"], flush=True)
    c, m = out["catch_up"], out["memory"]
    md = ["| inside collectd | figure |", "|---|---|",
          "| catch-up on a %d-line append | %s lines per CPU second (median "
          "of %d runs: %s to %s), %s per wall second (interval 1 s)%s |" % (
              lines, "{:,.0f}".format(c["lines_per_cpu_s"]), len(c["runs"]),
              "{:,.0f}".format(c["lines_per_cpu_s_min"]),
              "{:,.0f}".format(c["lines_per_cpu_s_max"]),
              "{:,.0f}".format(c["lines_per_wall_s"]),
              "; %.0f%% of the CLI's %s in results.json" % (
                  100 * c["of_cli"], "{:,.0f}".format(
                      c["cli_lines_per_cpu_s"])) if "of_cli" in c else "")]
    for s in out["steady"]:
        md.append("| CPU at a steady %s lines/s (Interval %g) | plugin "
                  "(collectd's read threads) %.2f%% of one core; all of "
                  "collectd with its csv writer %.2f%% |" % (
                      "{:,}".format(s["rate"]), s["interval"],
                      s["plugin_cpu_percent_of_one_core"],
                      s["collectd_cpu_percent_of_one_core"]))
    md.append("| peak RSS of collectd + plugin with %s distinct addresses | "
              "%.1f MiB (%.1f MiB before the lines) |" % (
                  "{:,}".format(m["addresses"]), m["rss_peak_kib"] / 1024,
                  m["rss_before_kib"] / 1024))
    print("\n".join(md))
    with open(os.path.join(os.path.dirname(args.log),
                           "inside_collectd.json"), "w") as f:
        json.dump(out, f, indent=1)
    with open(os.path.join(os.path.dirname(args.log),
                           "inside_collectd.md"), "w") as f:
        f.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
