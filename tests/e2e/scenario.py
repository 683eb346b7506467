"""scenario: two collectd hosts with the plugin, writing into real Graphite,
InfluxDB and Prometheus at once, on logs whose every line is labelled.

  web1 and web2 are two collectd processes (Hostname "web1"/"web2", Log
  "web", Interval 1 s), each with the built plugin, conf.d/attack_origin.conf,
  the csv writer (raw values: the reference), write_graphite into one
  carbon-cache, the network plugin into InfluxDB's collectd listener, and
  write_prometheus scraped by one Prometheus (honor_labels: the host stays
  the `instance` label).

Timeline (Fleet.run):
  prime   one attack per country of the host's mix: every series exists from
          now on, and with fewer than MinAttacks (10) attacks in the window
          every share is NaN; a few quiet intervals let each store see NaN
  bursts  ROUNDS times: each host's mix of attacks (random categories) plus
          ordinary lines and one unparsable line, appended at once, then two
          intervals (the burst's read and a quiet one)
  settle  quiet intervals until every store has the final values

Ground truth: loggen's labels (Truth per host), plus `prime` (the counts the
first dispatch of each series carried: stores that keep rates, and PromQL's
increase(), start from that first value). The csv writer's rows are the
per-read reference for time-resolved checks (the integration tests prove
them equal to the truth).
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, "tests", "tools"))

import loggen  # noqa: E402
from harness import Collectd, append, shipped_conf  # noqa: E402
from stores import (Carbon, GraphiteWeb, InfluxDB, Prometheus,  # noqa: E402
                    free_port)

DEMO_TSV = os.path.join(REPO, "tests", "data", "demo-geo.tsv")
DEMO_DB = os.environ.get("AO_DEMO_DB", os.path.join(REPO, "build", "demo",
                                                    "demo-country.mmdb"))
PROM_RULES = os.path.join(REPO, "alerting", "prometheus",
                          "attack_origin.rules.yml")
LOG = "web"
INTERVAL = 1.0
ROUNDS = 4
# Attacks per burst round and host: distinct totals, so "top countries" has
# one right answer, and mixes that differ per host, so the fleet's share
# (from counters) differs from the average of the hosts' shares.
MIX = {
    "web1": {"CN": 30, "US": 10, "RU": 6, "DE": 3, "BR": 2, "FR": 1},
    "web2": {"US": 20, "CN": 2, "RU": 4, "DE": 3, "JP": 3, "IN": 1},
}
BENIGN_PER_ROUND = 15


def writers_conf(carbon, influx, prom_port):
    return "\n".join([
        "LoadPlugin write_graphite",
        "<Plugin write_graphite>",
        '  <Node "carbon">',
        '    Host "127.0.0.1"',
        '    Port "%d"' % carbon.line_port,
        '    Protocol "tcp"',
        "  </Node>",
        # The same data as SeparateInstances names it, under "sep.".
        '  <Node "separate">',
        '    Host "127.0.0.1"',
        '    Port "%d"' % carbon.line_port,
        '    Protocol "tcp"',
        '    Prefix "sep."',
        "    SeparateInstances true",
        "  </Node>",
        "</Plugin>",
        "LoadPlugin network",
        "<Plugin network>",
        '  Server "127.0.0.1" "%d"' % influx.collectd_port,
        "</Plugin>",
        "LoadPlugin write_prometheus",
        "<Plugin write_prometheus>",
        '  Host "127.0.0.1"',
        '  Port "%d"' % prom_port,
        "</Plugin>",
    ])


class Host:
    def __init__(self, name, workdir, gen, rows):
        self.name = name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "access.log")
        open(self.log, "w").close()
        self.gen = gen
        self.rows = rows
        self.truth = loggen.Truth()
        self.prime = {}
        self.unparsed = 0
        self.prom_port = free_port()
        self.cd = None

    def attacks(self, counts):
        return self.gen.attacks(counts)


class Fleet:
    """Stores + two collectd hosts. run() plays the timeline; stop() ends
    every process (safe to call twice)."""

    def __init__(self, workdir, rounds=ROUNDS, mix=None, rule_files=None):
        self.dir = workdir
        self.rounds = rounds
        self.mix = mix or MIX
        self.rows = loggen.load_geo(DEMO_TSV)
        self.hosts = {}
        for i, name in enumerate(sorted(self.mix)):
            gen = loggen.Generator(self.rows, seed=100 + i)
            self.hosts[name] = Host(name, workdir, gen, self.rows)
        self.carbon = Carbon(workdir, step=int(INTERVAL))
        self.graphite = GraphiteWeb(workdir, self.carbon)
        self.influx = InfluxDB(workdir)
        if rule_files is None:
            rule_files = [PROM_RULES] if os.path.exists(PROM_RULES) else []
        self.prom = Prometheus(
            workdir, ["127.0.0.1:%d" % h.prom_port for h in self.hosts.values()],
            scrape=1, rule_files=rule_files)
        self.servers = [self.carbon, self.graphite, self.influx, self.prom]
        self.times = {}

    # --- lifecycle ----------------------------------------------------------

    def start(self):
        for s in self.servers:
            s.start()
        # collectd stamps values with the time of each read, and
        # write_graphite sends whole seconds: start away from a second
        # boundary so that consecutive reads never share a whisper slot.
        frac = time.time() % 1.0
        time.sleep((0.25 - frac) % 1.0)
        for h in self.hosts.values():
            conf = shipped_conf(h.log, DEMO_DB)
            h.cd = Collectd(h.dir, conf, interval=INTERVAL,
                            extra_conf=writers_conf(self.carbon, self.influx,
                                                    h.prom_port),
                            plugins=("logfile", "csv", "write_graphite",
                                     "network", "write_prometheus"),
                            host=h.name).start()
        for h in self.hosts.values():
            h.cd.wait_for("the first read of %s" % h.name,
                          lambda h=h: h.cd.last(LOG, "derive",
                                                "lines_read") == 0)
        return self

    def stop(self):
        for h in self.hosts.values():
            if h.cd is not None:
                h.cd.stop()
        for s in reversed(self.servers):
            s.stop()

    def intervals(self, n):
        time.sleep(n * INTERVAL)

    def write(self, host, labelled, extra=()):
        for _, tr in labelled:
            host.truth.add(tr)
        append(host.log, [t for t, _ in labelled] + list(extra))
        host.truth.lines += len(extra)

    def wait_read(self):
        for h in self.hosts.values():
            h.cd.wait_lines(LOG, h.truth.lines)

    def run(self):
        self.times["start"] = time.time()
        # prime: one attack per country, shares NaN (below MinAttacks).
        for h in self.hosts.values():
            self.write(h, h.attacks({cc: 1 for cc in self.mix[h.name]}))
            h.prime = dict(h.truth.by_country)
        self.wait_read()
        self.intervals(4)
        self.times["nan"] = time.time() - 1.0
        # bursts
        self.times["bursts"] = time.time()
        for r in range(self.rounds):
            for h in self.hosts.values():
                lines = h.attacks(self.mix[h.name])
                lines += [h.gen.line(False) for _ in range(BENIGN_PER_ROUND)]
                h.gen.rng.shuffle(lines)
                self.write(h, lines, extra=["not an access log line %d" % r])
                h.unparsed += 1
            self.intervals(2)
        self.wait_read()
        self.intervals(3)
        self.times["end"] = time.time()
        return self

    # --- truth ----------------------------------------------------------------

    def delta(self, host):
        """Attacks per country after each series' first value: what a rate
        store, or increase() over all of it, can see."""
        h = self.hosts[host]
        return {cc: n - h.prime.get(cc, 0) for cc, n in h.truth.by_country.items()}

    def fleet(self, after_prime=False):
        out = {}
        for name, h in self.hosts.items():
            src = self.delta(name) if after_prime else h.truth.by_country
            for cc, n in src.items():
                out[cc] = out.get(cc, 0) + n
        return out

    def csv_rows(self, host, type_, ti):
        return self.hosts[host].cd.series(LOG, type_, ti)
