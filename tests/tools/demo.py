#!/usr/bin/env python3
"""make demo: real collectd with the attack_origin plugin on a live log.

A generator appends ordinary traffic and attacks of every category from many
countries (IPv4 and IPv6) to a log; collectd (Debian's collectd-core, in the
foreground) reads it with the plugin every interval and writes with its csv
writer; every interval this script reads collectd's own output back and
prints the countries with their attack rate and origin share. One country's
share rises over time, as in the question the plugin answers.

Stops on Ctrl-C or after DEMO_SECONDS seconds. Uses a real country database
when one is installed at the usual paths, else the embedded default built
from tests/data/demo-geo.tsv (sample prefixes, not authoritative).
"""

import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

import loggen  # noqa: E402
from harness import Collectd, Workdir, shipped_conf  # noqa: E402

USUAL = ["/var/lib/GeoIP/GeoLite2-Country.mmdb",
         "/usr/share/GeoIP/GeoLite2-Country.mmdb",
         "/var/lib/GeoIP/GeoLite2-City.mmdb",
         "/usr/share/GeoIP/GeoLite2-City.mmdb"]
EMBEDDED = os.path.join(REPO, "build", "demo", "demo-country.mmdb")
DEMO_TSV = os.path.join(REPO, "tests", "data", "demo-geo.tsv")
INTERVAL = float(os.environ.get("DEMO_INTERVAL", "2"))
RATE = float(os.environ.get("DEMO_RATE", "200"))  # lines per second

BASE_WEIGHTS = {"CN": 30, "US": 22, "RU": 14, "DE": 8, "NL": 6, "FR": 5,
                "IN": 5, "VN": 4, "KR": 3, "JP": 3}
RISER = "BR"


def pick_database():
    for p in USUAL:
        if os.path.exists(p):
            return p, "installed"
    if not os.path.exists(EMBEDDED):
        sys.exit("demo: %s is missing (run `make demo`)" % EMBEDDED)
    return EMBEDDED, "embedded default (tests/data/demo-geo.tsv)"


def writer(log, gen, stop):
    """Appends RATE lines a second; the RISER country's weight grows."""
    start = time.time()
    sent = 0
    with open(log, "a", buffering=1) as f:
        while not stop.is_set():
            elapsed = time.time() - start
            gen.weights = dict(BASE_WEIGHTS)
            gen.weights[RISER] = 1 + elapsed * 1.5
            due = int(elapsed * RATE)
            for text, _ in gen.batch(max(0, due - sent), 0.35):
                f.write(text + "\n")
                sent += 1
            time.sleep(0.05)


def rate(cd, cc):
    rows = cd.series("demo", "total_events", cc)
    if len(rows) < 2 or rows[-1][0] <= rows[-2][0]:
        return 0.0
    return (rows[-1][1] - rows[-2][1]) / (rows[-1][0] - rows[-2][0])


def show(cd, started, db_desc):
    countries = cd.instances("demo", "total_events")
    table = []
    for cc in countries:
        total = cd.last("demo", "total_events", cc) or 0
        share = cd.last("demo", "percent", cc)
        table.append((total, cc, rate(cd, cc), share))
    table.sort(reverse=True)
    lines = cd.last("demo", "derive", "lines_read") or 0
    attacks = cd.last("demo", "derive", "lines_attack") or 0
    out = ["\033[2J\033[H" if sys.stdout.isatty() else "",
           "attack-origin demo: collectd + attack_origin, t=%ds, database: %s"
           % (time.time() - started, db_desc),
           "lines read %d, attacks %d (read back from collectd's csv output)"
           % (lines, attacks), "",
           "%-8s %12s %12s %10s" % ("country", "attacks", "attacks/s",
                                    "share %")]
    for total, cc, r, share in table[:15]:
        s = "n/a" if share is None or share != share else "%.1f" % share
        out.append("%-8s %12d %12.1f %10s" % (cc, total, r, s))
    if len(table) > 15:
        out.append("... and %d more countries" % (len(table) - 15))
    print("\n".join(out), flush=True)


def main():
    seconds = float(os.environ.get("DEMO_SECONDS", "0"))
    db, db_desc = pick_database()
    rows = loggen.load_geo(DEMO_TSV)
    gen = loggen.Generator(rows, seed=int(time.time()), weights=BASE_WEIGHTS)
    with Workdir() as d:
        log = os.path.join(d, "access.log")
        open(log, "w").close()
        conf = shipped_conf(log, db, ShareWindow=60).replace(
            '<Log "web">', '<Log "demo">')
        cd = Collectd(d, conf, interval=INTERVAL).start()
        stop = threading.Event()
        t = threading.Thread(target=writer, args=(log, gen, stop), daemon=True)
        started = time.time()
        t.start()
        try:
            while not seconds or time.time() - started < seconds:
                time.sleep(INTERVAL)
                if not cd.alive():
                    print(cd.log()[-3000:])
                    sys.exit("demo: collectd exited")
                show(cd, started, db_desc)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            t.join()
            rc = cd.stop()
        print("\ndemo: collectd stopped (exit status %s); its log:" % rc)
        print("\n".join(l for l in cd.log().splitlines()
                        if "attack_origin" in l)[-2000:])


if __name__ == "__main__":
    main()
