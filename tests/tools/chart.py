#!/usr/bin/env python3
"""make chart: a PNG of per-country attack rates and origin shares from a
real run, for README.

Real collectd (Debian's collectd-core) with the built plugin reads a log
that a generator appends to for CHART_SECONDS (default 240): ordinary
traffic and attacks from ~45 countries (tests/data/demo-geo.tsv, the demo's
embedded database), with one country's attacks surging half-way through.
gnuplot then draws what collectd's csv writer wrote: attacks per second
(the counters' change over 10 s) and the plugin's own origin share, for the
six countries with the most attacks.

  python3 tests/tools/chart.py OUT.png
"""

import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

import loggen  # noqa: E402
from harness import Collectd, Workdir, shipped_conf  # noqa: E402

DEMO_TSV = os.path.join(REPO, "tests", "data", "demo-geo.tsv")
DEMO_DB = os.path.join(REPO, "build", "demo", "demo-country.mmdb")
SECONDS = float(os.environ.get("CHART_SECONDS", "240"))
INTERVAL = 2.0
RATE = 150.0  # lines per second
BASE = {"CN": 30, "US": 22, "RU": 14, "DE": 8, "NL": 6, "FR": 5, "IN": 5,
        "VN": 4, "KR": 3, "JP": 3}
SURGE = "BR"
SMOOTH = 10.0  # seconds over which rates are computed


def writer(log, gen, stop, start):
    sent = 0
    with open(log, "a", buffering=1) as f:
        while not stop.is_set():
            elapsed = time.time() - start
            w = dict(BASE)
            # BR surges in the second half: from weight 1 to 90.
            w[SURGE] = 1 + max(0.0, elapsed - SECONDS / 2) / (SECONDS / 2) * 180
            gen.weights = w
            due = int(elapsed * RATE)
            for text, _ in gen.batch(max(0, due - sent), 0.35):
                f.write(text + "\n")
                sent += 1
            time.sleep(0.05)


def series(cd, type_, cc):
    return cd.series("chart", type_, cc)


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                          os.path.join(REPO, "docs", "attack-origin-chart.png"))
    rows = loggen.load_geo(DEMO_TSV)
    gen = loggen.Generator(rows, seed=2024, weights=BASE)
    with Workdir() as d:
        log = os.path.join(d, "access.log")
        open(log, "w").close()
        conf = shipped_conf(log, DEMO_DB, ShareWindow=60).replace(
            '<Log "web">', '<Log "chart">')
        cd = Collectd(d, conf, interval=INTERVAL).start()
        cd.wait_for("the first read",
                    lambda: cd.last("chart", "derive", "lines_read") == 0)
        stop = threading.Event()
        start = time.time()
        t = threading.Thread(target=writer, args=(log, gen, stop, start),
                             daemon=True)
        t.start()
        print("chart: collectd + attack_origin for %ds..." % SECONDS,
              flush=True)
        try:
            while time.time() - start < SECONDS:
                time.sleep(1)
                if not cd.alive():
                    sys.exit("chart: collectd exited:\n" + cd.log()[-3000:])
        finally:
            stop.set()
            t.join()
            stopped = time.time()
            time.sleep(INTERVAL + 0.5)
            cd.stop()
        countries = cd.instances("chart", "total_events")
        totals = {cc: cd.last("chart", "total_events", cc) for cc in countries}
        top = sorted(countries, key=lambda c: -totals[c])[:6]
        t0 = series(cd, "derive", "lines_read")[0][0]
        data = os.path.join(d, "chart.dat")
        with open(data, "w") as f:
            for i, cc in enumerate(top):
                # Only reads while the generator ran: the last read after it
                # stopped would show a partial interval as a drop.
                ev = [r for r in series(cd, "total_events", cc)
                      if r[0] <= stopped]
                sh = dict(series(cd, "percent", cc))
                f.write("# %s\n" % cc)
                for k, (t_, v) in enumerate(ev):
                    # rate over the last SMOOTH seconds
                    back = [r for r in ev[:k] if r[0] <= t_ - SMOOTH]
                    if not back:
                        continue
                    rate = (v - back[-1][1]) / (t_ - back[-1][0])
                    share = sh.get(t_, float("nan"))
                    f.write("%.1f %.3f %s\n" % (t_ - t0, rate,
                                                "NaN" if share != share else
                                                "%.3f" % share))
                f.write("\n\n")
        plot(data, top, out)
        print("chart: wrote %s (%d attacks from %d countries)"
              % (out, sum(totals.values()), len(countries)))


def plot(data, top, out):
    colors = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
    cmds = [
        "set terminal pngcairo size 1000,640 font 'DejaVu Sans,11'",
        "set output '%s'" % out,
        "set datafile missing 'NaN'",
        "set multiplot layout 2,1 title 'attack\\_origin: real collectd, "
        "a generated log, the 6 countries with most attacks' font ',13'",
        "set grid ytics lc rgb '#dddddd'",
        "set key outside right top vertical",
        "set lmargin 10",
        "set rmargin 14",
        "set xrange [0:*]",
        "set ylabel 'attacks / s'",
        "set format x ''",
        "set title 'attack rate by country (counters, 10 s)'",
        "plot " + ", ".join(
            "'%s' index %d using 1:2 with lines lw 2 lc rgb '%s' title '%s'"
            % (data, i, colors[i], cc) for i, cc in enumerate(top)),
        "set ylabel 'share %'",
        "set yrange [0:100]",
        "set format x '%g'",
        "set xlabel 'seconds'",
        "set title 'origin share (the plugin''s percent, 60 s window)'",
        "plot " + ", ".join(
            "'%s' index %d using 1:3 with lines lw 2 lc rgb '%s' title '%s'"
            % (data, i, colors[i], cc) for i, cc in enumerate(top)),
        "unset multiplot",
    ]
    subprocess.run(["gnuplot"], input="\n".join(cmds), text=True, check=True)


if __name__ == "__main__":
    main()
