#!/usr/bin/env python3
"""geoip_copy.py: what the private, validated copy of the GeoIP database
costs (`make bench-geoip`; figures in README, "GeoIP database replaced while
running").

Builds a country database of the size of the real ones (150,000 IPv4 /24s
and 50,000 IPv6 /48s over 250 countries: about 15 MB, between GeoLite2-
Country and GeoLite2-City) with tests/tools/mkmmdb.pl, then measures
  - the load cost: copy + validation walk in a child + checks, as the
    command-line tool's start-up time with that database minus without it
    (median of 5);
  - collectd's resident memory with 1 and with 4 Logs on that database, and
    without a database, and the number of private copies mapped (one per
    database version, shared by the Logs);
  - a reload: the time between geoipupdate's rename and the reload being
    logged is bounded by the interval; the walk itself is the load cost.
"""
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import CLI, Collectd, Workdir, shipped_conf  # noqa: E402

OUT = os.path.join(REPO, "build", "bench")


def build_db():
    db = os.path.join(OUT, "large-country.mmdb")
    if os.path.exists(db):
        return db
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(1)
    codes = ["%c%c" % (65 + i // 26, 65 + i % 26) for i in range(0, 750, 3)]
    seen = set()
    tsv = os.path.join(OUT, "large-country.tsv")
    with open(tsv, "w") as f:
        n = 0
        while n < 150000:
            a, b, c = rng.randrange(1, 223), rng.randrange(256), rng.randrange(256)
            if a in (10, 100, 127, 169, 172, 192) or (a, b, c) in seen:
                continue
            seen.add((a, b, c))
            cc = rng.choice(codes)
            f.write("%d.%d.%d.0/24\t%s\t%s\n" % (a, b, c, cc, cc))
            n += 1
        for _ in range(50000):
            cc = rng.choice(codes)
            f.write("2a%02x:%x:%x::/48\t%s\t%s\n" % (
                rng.randrange(256), rng.randrange(65536), rng.randrange(65536),
                cc, cc))
    subprocess.run(["perl", os.path.join(REPO, "tests", "tools", "mkmmdb.pl"),
                    "--layout", "maxmind", tsv, db], check=True)
    return db


def cli_seconds(args):
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run([CLI, "scan", *args, "/dev/null"], check=True,
                       capture_output=True)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def mem(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssShmem", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0]) / 1024.0
    with open("/proc/%d/maps" % pid) as f:
        out["copies"] = sum("attack_origin-geoip" in l for l in f)
    return out


def collectd_mem(db, nlogs):
    with Workdir() as d:
        logs = [os.path.join(d, "l%d.log" % i) for i in range(nlogs)]
        for p in logs:
            open(p, "w").close()
        conf = shipped_conf(logs[0], db or os.path.join(d, "none.mmdb"))
        extra = "".join('  <Log "l%d">\n    File "%s"\n  </Log>\n' % (i, p)
                        for i, p in enumerate(logs[1:], 1))
        conf = conf.replace("</Plugin>", extra + "</Plugin>")
        cd = Collectd(d, conf).start()
        try:
            cd.wait_for("a read", lambda: cd.last("web", "derive",
                                                 "lines_read") == 0)
            time.sleep(1.5)
            return mem(cd.proc.pid)
        finally:
            cd.stop()


def main():
    db = build_db()
    size = os.path.getsize(db) / 2**20
    base = cli_seconds([])
    with_db = cli_seconds(["--geoip", db])
    print("database: %s, %.1f MiB" % (db, size))
    print("load (copy + child walk + checks): %.0f ms (CLI start-up %.0f ms "
          "with it, %.0f ms without)" % ((with_db - base) * 1000,
                                          with_db * 1000, base * 1000))
    rows = [("no database, 1 Log", collectd_mem(None, 1)),
            ("database, 1 Log", collectd_mem(db, 1)),
            ("database, 4 Logs", collectd_mem(db, 4))]
    print("%-20s %8s %9s %9s %7s" % ("collectd", "VmRSS", "RssShmem",
                                     "RssAnon", "copies"))
    for name, m in rows:
        print("%-20s %7.1fM %8.1fM %8.1fM %7d" % (
            name, m["VmRSS"], m.get("RssShmem", 0), m.get("RssAnon", 0),
            m["copies"]))


if __name__ == "__main__":
    main()
