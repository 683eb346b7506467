"""The fleet, end to end (`make e2e-fleet`): three collectd agents with the
built plugin (Hostname web1, web2, web3; each its own log written by
loggen.py with known ground truth; the real test .mmdb), each sending with
the network plugin at SecurityLevel Encrypt (conf.d/attack_origin-agent.conf)
to a central collectd (conf.d/attack_origin-central.conf: Listen with
SecurityLevel Encrypt and an AuthFile) that forwards to a real InfluxDB 1.x
(its collectd listener) and exposes write_prometheus to a real Prometheus;
the central's csv writer keeps the raw values too. A fourth agent (web4)
sends with a wrong password.

Timeline (Interval 1 s):
  prime    one attack per country of each agent's mix (every series exists,
           shares NaN)
  round 0  each agent's mix
  round 1  web2 stopped cleanly first (SIGTERM), its round written while it
           is down, then started again with its state file
  round 2  web3 killed (kill -9) half an interval after its round was
           written, another round written while it is down, started again
  round 3  every agent's mix again; then quiet until the stores converge

Checks: every agent's per-country and per-(category, country) counters in
InfluxDB, in the central's csv and in Prometheus equal that agent's ground
truth exactly; the fleet total per country (README's queries) equals the sum
of the ground truths; the fleet share computed from counter increases
equals the true fleet share (and differs from the mean of the agents'
shares, which the test also computes); no stored counter of a restarted
agent ever goes back or passes the truth written so far; web4 is rejected
("Checksum mismatch. Username: web4" in the central's log) and nothing of it
is in any store although it sent. test_checks_can_fail feeds the same check
functions wrong data and requires each to fail. test_fleetgen checks that
the scale generator's packets (Encrypt and Sign) decode in a real central
to exactly the values it says it sent.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import fleet
from fleet import (FLEETGEN, agent_conf, central_conf, csv_hosts,
                   write_authfile)
import loggen  # noqa: E402
from harness import Collectd, append, csv_rows, shipped_conf  # noqa: E402
from readme_queries import readme_queries  # noqa: E402
from stores import InfluxDB, Prometheus, free_port  # noqa: E402

REPO = fleet.REPO
DEMO_TSV = os.path.join(REPO, "tests", "data", "demo-geo.tsv")
DEMO_DB = os.environ.get("AO_DEMO_DB", os.path.join(REPO, "build", "demo",
                                                    "demo-country.mmdb"))
LOG = "web"
INTERVAL = 1.0
# Attacks per round; mixes differ per agent so that the fleet's share from
# counters differs from the mean of the agents' shares.
MIX = {
    "web1": {"CN": 20, "US": 8, "RU": 5, "DE": 3, "BR": 2},
    "web2": {"US": 15, "CN": 3, "RU": 4, "FR": 3, "JP": 2},
    "web3": {"IN": 10, "US": 6, "DE": 4, "CN": 1, "BR": 5},
}
# The impostor: its own countries (GB, KR) and many CN attacks, so that any
# leak into the stores would show in every check.
BAD = "web4"
BAD_MIX = {"CN": 40, "GB": 7, "KR": 3}
ROUNDS = 4
BENIGN = 10
SECRETS = {"web1": "s3cret-one", "web2": "s3cret-two", "web3": "s3cret-three",
           "web4": "the-real-web4-secret"}
WRONG = "not-the-secret"

S = None


def direct_conf(port, username, password):
    """A second destination: InfluxDB's collectd listener, encrypted."""
    return "\n".join([
        "", "<Plugin network>",
        '  <Server "127.0.0.1" "%d">' % port,
        "    SecurityLevel Encrypt",
        '    Username "%s"' % username,
        '    Password "%s"' % password,
        "  </Server>", "</Plugin>", ""])


class Agent:
    def __init__(self, name, workdir, port, password, mix, seed,
                 direct_port):
        self.name = name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        self.log = os.path.join(self.dir, "access.log")
        open(self.log, "w").close()
        self.mix = mix
        self.gen = loggen.Generator(S.rows, seed=seed)
        self.truth = loggen.Truth()
        self.prime = {}
        self.restarts = []
        self.cd = Collectd(self.dir, shipped_conf(self.log, DEMO_DB),
                           interval=INTERVAL,
                           extra_conf=agent_conf(port, name, password,
                                                 flush=INTERVAL) +
                           direct_conf(direct_port, name, password),
                           plugins=("logfile", "csv", "network"), host=name)

    def write(self, counts, benign=BENIGN):
        lines = self.gen.attacks(counts)
        lines += [self.gen.line(False) for _ in range(benign)]
        self.gen.rng.shuffle(lines)
        for _, tr in lines:
            self.truth.add(tr)
        append(self.log, [t for t, _ in lines])

    def wait_read(self):
        self.cd.wait_lines(LOG, self.truth.lines, timeout=30)

    def first_read(self):
        self.cd.wait_for("the first read of %s" % self.name,
                         lambda: self.cd.last(LOG, "derive", "lines_read")
                         is not None)


class Scenario:
    def __init__(self, workdir):
        self.dir = workdir
        self.rows = loggen.load_geo(DEMO_TSV)
        self.port = free_port(socket.SOCK_DGRAM)
        self.influx = InfluxDB(workdir)
        # Agents also send straight to a second InfluxDB whose collectd
        # listener takes only encrypted packets of the same users.
        self.direct_auth = os.path.join(workdir, "influx-passwd")
        write_authfile(self.direct_auth, SECRETS)
        self.direct = InfluxDB(workdir, name="influxdb-direct",
                               security_level="encrypt",
                               auth_file=self.direct_auth)
        self.prom_port = free_port()
        self.prom = Prometheus(workdir, ["127.0.0.1:%d" % self.prom_port],
                               scrape=1)
        cdir = os.path.join(workdir, "central")
        os.makedirs(cdir)
        self.authfile = os.path.join(cdir, "passwd")
        write_authfile(self.authfile, SECRETS)
        extra = central_conf(self.port, self.authfile,
                             self.influx.collectd_port, flush=INTERVAL)
        extra += "\n".join(["", "LoadPlugin write_prometheus",
                            "<Plugin write_prometheus>",
                            '  Host "127.0.0.1"',
                            '  Port "%d"' % self.prom_port, "</Plugin>", ""])
        self.central = Collectd(cdir, "", interval=INTERVAL, extra_conf=extra,
                                plugins=("logfile", "csv", "network",
                                         "write_prometheus"),
                                host="central")
        self.agents = {}
        self.bad = None

    def start(self):
        global S
        S = self
        self.influx.start()
        self.direct.start()
        self.prom.start()
        self.central.start()
        self.central.wait_for("the central's first values", lambda: csv_rows(
            self.central.csv_dir, "central", "network",
            "total_values-dispatch-accepted"))
        for i, name in enumerate(sorted(MIX)):
            self.agents[name] = Agent(name, self.dir, self.port,
                                      SECRETS[name], MIX[name], 300 + i,
                                      self.direct.collectd_port)
        self.bad = Agent(BAD, self.dir, self.port, WRONG, BAD_MIX, 399,
                         self.direct.collectd_port)
        for a in self.all():
            a.cd.start()
        for a in self.all():
            a.first_read()
        return self

    def all(self):
        return list(self.agents.values()) + [self.bad]

    def stop(self):
        for a in self.all():
            if a.cd is not None:
                a.cd.stop()
        self.central.stop()
        self.prom.stop()
        self.direct.stop()
        self.influx.stop()

    def run(self):
        for a in self.all():
            a.write({cc: 1 for cc in a.mix}, benign=0)
            a.prime = dict(a.truth.by_country)
        for a in self.all():
            a.wait_read()
        w2, w3 = self.agents["web2"], self.agents["web3"]
        for r in range(ROUNDS):
            if r == 1:
                # A clean stop: the round is written while web2 is down and
                # read from its saved position after the start.
                w2.cd.stop()
                w2.restarts.append(("stop", time.time()))
            for a in self.all():
                a.write(a.mix)
            if r == 1:
                time.sleep(0.5)
                w2.cd.start()
            if r == 2:
                # kill -9 half an interval after the round was written:
                # whether or not it was read, saved or dispatched, the
                # restart must neither lose nor repeat it.
                time.sleep(0.5 * INTERVAL)
                w3.cd.proc.send_signal(signal.SIGKILL)
                w3.cd.proc.wait()
                w3.cd.stop()
                w3.restarts.append(("kill -9", time.time()))
                w3.write(w3.mix)
                time.sleep(0.5)
                w3.cd.start()
            time.sleep(2 * INTERVAL)
        for a in self.all():
            a.wait_read()
        return self


def setUpModule():
    global S
    workdir = tempfile.mkdtemp(prefix="ao-fleet-")
    sc = Scenario(workdir)
    S = sc
    try:
        sc.start()
        sc.run()
        converge(sc)
    except BaseException:
        sc.stop()
        raise


def tearDownModule():
    if S is None:
        return
    S.stop()
    if os.environ.get("AO_KEEP"):
        print("kept", S.dir)
    else:
        shutil.rmtree(S.dir, ignore_errors=True)


# --- reading the stores --------------------------------------------------------


def influx_last(type_, influx=None):
    """{(host, type_instance): last raw value} from InfluxDB."""
    out = {}
    for s in (influx or S.influx).query(
            'SELECT last("value") FROM "attack_origin_value" WHERE "type" = '
            "'%s' GROUP BY \"host\", \"type_instance\"" % type_):
        out[(s["tags"]["host"], s["tags"]["type_instance"])] = s["values"][0][1]
    return out


def influx_series(type_="total_events"):
    """{(host, type_instance): [values in time order]} from InfluxDB."""
    out = {}
    for s in S.influx.query(
            'SELECT "value" FROM "attack_origin_value" WHERE "type" = '
            "'%s' GROUP BY \"host\", \"type_instance\"" % type_):
        out[(s["tags"]["host"], s["tags"]["type_instance"])] = [
            v[1] for v in s["values"]]
    return out


def truth_by_host(kind="country"):
    out = {}
    for name, a in S.agents.items():
        if kind == "country":
            for cc, n in a.truth.by_country.items():
                out[(name, cc)] = n
        else:
            for (cat, cc), n in a.truth.by_cat.items():
                out[(name, "%s-%s" % (cat, cc))] = n
    return out


def converge(sc, timeout=30):
    """Waits until InfluxDB holds every agent's final counters (the
    pipeline agent -> central -> InfluxDB is asynchronous)."""
    want = truth_by_host()
    deadline = time.time() + timeout
    got = None
    while time.time() < deadline:
        got = {k: v for k, v in influx_last("total_events").items()
               if k[0] != "central"}
        direct = influx_last("total_events", sc.direct)
        if all(got.get(k) == v and direct.get(k) == v
               for k, v in want.items()):
            break
        time.sleep(0.5)
    # Prometheus scrapes every second: one more scrape after InfluxDB.
    time.sleep(2.5)


def fleet_truth(after_prime=False):
    out = {}
    for a in S.agents.values():
        for cc, n in a.truth.by_country.items():
            out[cc] = out.get(cc, 0) + n - (a.prime.get(cc, 0)
                                            if after_prime else 0)
    return out


def shares(counts):
    total = sum(counts.values())
    return {k: 100.0 * v / total for k, v in counts.items()}


# --- the checks (each raises AssertionError with what differs) -----------------


def check_exact(got, want, what):
    """Every key of want with exactly its value, and no other key."""
    missing = sorted(k for k in want if k not in got)
    extra = sorted(k for k in got if k not in want)
    wrong = sorted((k, got[k], want[k]) for k in want
                   if k in got and got[k] != want[k])
    if missing or extra or wrong:
        raise AssertionError("%s: missing %s, unexpected %s, wrong (got, "
                             "want) %s" % (what, missing[:10], extra[:10],
                                           wrong[:10]))


def check_shares(got, want, what, tol=1e-9):
    if set(got) != set(want):
        raise AssertionError("%s: countries %s != %s" % (what, sorted(got),
                                                         sorted(want)))
    bad = {k: (got[k], want[k]) for k in want if abs(got[k] - want[k]) > tol}
    if bad:
        raise AssertionError("%s: shares differ (got, want): %s" % (what, bad))


def check_monotonic(series, final, what):
    """Each stored counter never goes back and never passes its final truth
    (a restart that re-counted lines would pass it, one that lost its
    state would go back)."""
    bad = []
    for key, values in series.items():
        if key not in final:
            continue
        for a, b in zip(values, values[1:]):
            if b < a:
                bad.append((key, "went back", a, b))
                break
        if values and max(values) > final[key]:
            bad.append((key, "passed the truth", max(values), final[key]))
    if bad:
        raise AssertionError("%s: %s" % (what, bad[:10]))


def check_absent(hosts, bad, what):
    if bad in hosts:
        raise AssertionError("%s: %s is present (%s)" % (what, bad,
                                                         sorted(hosts)))


def fleet_queries():
    return {q.name: q for q in readme_queries(marker="fleet-query")}


def influx_fleet(query):
    return {s["tags"]["type_instance"]: s["values"][0][1]
            for s in S.influx.query(query.text.replace("\n", " "))}


def prom_by(query, label="type"):
    return {m.get(label): v for m, v in S.prom.query(query.text)}


# The fleet queries of README's Fleet section that the tests below run.
RUN_QUERIES = {"fleet_total", "fleet_increase", "prom_fleet_total",
               "prom_fleet_share_total"}


class TestFleet(unittest.TestCase):

    def test_every_fleet_query_is_run(self):
        self.assertEqual(set(fleet_queries()), RUN_QUERIES)

    def test_agents_arrive_intact_influxdb(self):
        got = {k: v for k, v in influx_last("total_events").items()
               if k[0] in S.agents}
        check_exact(got, truth_by_host(), "InfluxDB total_events per agent")
        got = {k: v for k, v in influx_last("total_requests").items()
               if k[0] in S.agents}
        check_exact(got, truth_by_host("cat"),
                    "InfluxDB total_requests per agent")

    def test_agents_straight_to_influxdb_encrypted(self):
        """Without a central: InfluxDB's own collectd listener at
        security-level encrypt with the same AuthFile."""
        got = {k: v for k, v in influx_last("total_events", S.direct).items()
               if k[0] in S.agents}
        check_exact(got, truth_by_host(), "direct InfluxDB total_events")
        got = influx_last("total_requests", S.direct)
        check_exact(got, truth_by_host("cat"),
                    "direct InfluxDB total_requests")
        hosts = {v[1] for s in S.direct.query(
            'SHOW TAG VALUES FROM "attack_origin_value" WITH KEY = "host"')
            for v in s["values"]}
        self.assertEqual(hosts, set(S.agents))
        check_absent(hosts, BAD, "direct InfluxDB hosts")

    def test_agents_arrive_intact_central_csv(self):
        got = {}
        for name, a in S.agents.items():
            for cc in a.truth.by_country:
                rows = csv_rows(S.central.csv_dir, name, "attack_origin-web",
                                "total_events-%s" % cc)
                if rows:
                    got[(name, cc)] = rows[-1][1][0]
        check_exact(got, truth_by_host(), "central csv total_events")

    def test_agents_arrive_intact_prometheus(self):
        got = {(m["instance"], m["type"]): v for m, v in S.prom.query(
            "collectd_attack_origin_total_events_total")}
        check_exact(got, truth_by_host(), "Prometheus total_events")

    def test_fleet_total_per_country(self):
        q = fleet_queries()
        want = fleet_truth()
        check_exact(influx_fleet(q["fleet_total"]), want,
                    "InfluxQL fleet_total")
        check_exact(prom_by(q["prom_fleet_total"]), want,
                    "PromQL prom_fleet_total")

    def test_fleet_share_from_counters(self):
        q = fleet_queries()
        # Counter increases since each series' first value (what a query
        # over a time range sees), summed over the agents.
        inc = influx_fleet(q["fleet_increase"])
        want = shares(fleet_truth(after_prime=True))
        check_shares(shares(inc), want, "InfluxQL fleet_increase shares")
        # Shares of the totals, straight from PromQL.
        check_shares(prom_by(q["prom_fleet_share_total"]),
                     shares(fleet_truth()), "PromQL prom_fleet_share_total")
        # The mean of the agents' own shares is not the fleet share: the
        # check above would notice a query that averaged.
        mean = {}
        for a in S.agents.values():
            for cc, v in shares(a.truth.by_country).items():
                mean[cc] = mean.get(cc, 0) + v / len(S.agents)
        with self.assertRaises(AssertionError):
            check_shares(mean, shares(fleet_truth()), "mean of shares")

    def test_restarts_neither_jump_nor_double(self):
        self.assertEqual([k for k, _ in S.agents["web2"].restarts], ["stop"])
        self.assertEqual([k for k, _ in S.agents["web3"].restarts],
                         ["kill -9"])
        series = {k: v for k, v in influx_series().items() if k[0] in S.agents}
        check_monotonic(series, truth_by_host(), "InfluxDB total_events")
        series = {k: v for k, v in influx_series("total_requests").items()
                  if k[0] in S.agents}
        check_monotonic(series, truth_by_host("cat"),
                        "InfluxDB total_requests")
        # Each restarted agent was read back from its state file (counters
        # continued: a fresh start with StartAt end would have lost the
        # rounds written while it was down, and the exact checks above
        # would fail) and really restarted.
        for name in ("web2", "web3"):
            log = S.agents[name].cd.log()
            self.assertGreaterEqual(log.count("Initialization complete"), 2,
                                    log[-2000:])
            self.assertTrue(os.path.exists(os.path.join(
                S.agents[name].dir, "attack_origin.state-web")))

    def test_wrong_secret_rejected(self):
        log = S.central.log()
        self.assertIn("Checksum mismatch. Username: %s" % BAD, log)
        # web4 did send (its own network statistics say so) ...
        sent = csv_rows(S.bad.cd.csv_dir, BAD, "network",
                        "total_values-send-accepted")
        self.assertTrue(sent and sent[-1][1][0] > 0, sent[-3:])
        self.assertGreater(S.bad.truth.total, 0)
        # ... and none of it arrived anywhere.
        hosts = {v[1] for s in S.influx.query(
            'SHOW TAG VALUES FROM "attack_origin_value" WITH KEY = "host"')
            for v in s["values"]}
        self.assertEqual(hosts, set(S.agents))
        check_absent(hosts, BAD, "InfluxDB hosts")
        check_absent(set(csv_hosts(S.central.csv_dir)), BAD, "central csv")
        prom_hosts = {m["instance"] for m, _ in S.prom.query(
            "collectd_attack_origin_total_events_total")}
        check_absent(prom_hosts, BAD, "Prometheus instances")
        self.assertEqual(prom_hosts, set(S.agents))

    def test_checks_can_fail(self):
        truth = truth_by_host()
        k = sorted(truth)[0]
        doubled = dict(truth)
        doubled[k] *= 2
        extra = dict(truth)
        extra[("web9", "CN")] = 1
        for bad in (doubled, {x: v for x, v in truth.items() if x != k},
                    extra):
            with self.assertRaises(AssertionError):
                check_exact(bad, truth, "negative control")
        with self.assertRaises(AssertionError):
            check_monotonic({k: [1, 3, 2]}, {k: 3}, "went back")
        with self.assertRaises(AssertionError):
            check_monotonic({k: [1, 5]}, {k: 3}, "jumped")
        with self.assertRaises(AssertionError):
            check_shares({"CN": 50.0, "US": 50.0}, {"CN": 50.5, "US": 49.5},
                         "share")
        with self.assertRaises(AssertionError):
            check_absent({"web1", BAD}, BAD, "impostor")


class TestFleetgen(unittest.TestCase):
    """fleetgen's packets, decoded by a real central collectd (network
    Listen with SecurityLevel Encrypt or Sign and an AuthFile, csv writer),
    are exactly the values its manifest lists; a wrong password gets
    nothing in."""

    def run_central(self, level, runs, extra_conf="", plugins=()):
        d = tempfile.mkdtemp(prefix="ao-fleetgen-")
        try:
            port = free_port(socket.SOCK_DGRAM)
            auth = os.path.join(d, "passwd")
            write_authfile(auth, {"gen": "gen-secret"})
            extra = central_conf(port, auth, None, flush=INTERVAL)
            extra = extra.replace("SecurityLevel Encrypt",
                                  "SecurityLevel %s" % level)
            cd = Collectd(d, "", interval=INTERVAL,
                          extra_conf=extra + "\n" + extra_conf,
                          plugins=("logfile", "csv", "network") + plugins,
                          host="central")
            cd.start()
            try:
                cd.wait_for("the central's first values", lambda: csv_rows(
                    cd.csv_dir, "central", "network",
                    "total_values-dispatch-accepted"))
                manifests = []
                for i, run in enumerate(runs):
                    security, password, agents = run[:3]
                    user = run[3] if len(run) > 3 else "gen"
                    man = os.path.join(d, "manifest%d" % i)
                    p = subprocess.run(
                        [FLEETGEN, "--server", "127.0.0.1", "--port",
                         str(port), "--agents", str(agents), "--first-agent",
                         str(10 * i), "--countries", "12", "--categories",
                         "3", "--once", "--start-interval", "2",
                         "--security", security, "--username", user,
                         "--password", password, "--manifest", man],
                        capture_output=True, text=True, timeout=60)
                    self.assertEqual(p.returncode, 0, p.stderr)
                    report = json.loads(p.stdout)
                    self.assertEqual(report["send_errors"], 0, report)
                    manifests.append(man)
                time.sleep(3 * INTERVAL)
                return cd, manifests
            finally:
                cd.stop()
        finally:
            self.addCleanup(shutil.rmtree, d, True)

    def manifest(self, path):
        out = {}
        with open(path) as f:
            for line in f:
                host, pi, type_, ti, v = line.rstrip("\n").split("\t")
                out[(host, "attack_origin-%s" % pi, "%s-%s" % (type_, ti))] = (
                    float(v))
        return out

    def received(self, cd, hosts):
        out = {}
        for host in hosts:
            base = os.path.join(cd.csv_dir, host)
            for pdir in os.listdir(base):
                for f in os.listdir(os.path.join(base, pdir)):
                    name = re.sub(r"-\d{4}-\d{2}-\d{2}$", "", f)
                    rows = csv_rows(cd.csv_dir, host, pdir, name)
                    out[(host, pdir, name)] = rows[-1][1][0]
        return out

    def compare(self, cd, manifest):
        want = self.manifest(manifest)
        hosts = {k[0] for k in want}
        got = self.received(cd, hosts)
        # NaN != NaN: compare NaN shares by their being NaN.
        self.assertEqual(sorted(got), sorted(want))
        for k, v in want.items():
            if v != v:
                self.assertTrue(got[k] != got[k], (k, got[k]))
            elif k[2].startswith(("percent-", "bytes-", "files-",
                                  "duration-")):
                # The csv writer prints gauges with %lf (6 decimals).
                self.assertAlmostEqual(got[k], v, delta=6e-7, msg=k)
            else:
                self.assertEqual(got[k], v, k)
        return hosts

    def test_encrypt(self):
        cd, (good, bad, unknown) = self.run_central("Encrypt", [
            ("encrypt", "gen-secret", 3), ("encrypt", "wrong", 2),
            ("encrypt", "gen-secret", 2, "nobody")])
        hosts = self.compare(cd, good)
        # 12 countries x (2 + 3 categories) + 31 health values per agent.
        self.assertEqual(len(self.manifest(good)), 3 * (12 * 5 + 31))
        bad_hosts = {k[0] for k in self.manifest(bad)}
        bad_hosts |= {k[0] for k in self.manifest(unknown)}
        self.assertFalse(bad_hosts & set(csv_hosts(cd.csv_dir)))
        self.assertEqual(set(csv_hosts(cd.csv_dir)), hosts | {"central"})
        self.assertIn("Checksum mismatch. Username: gen", cd.log())
        # A user the AuthFile lacks.
        self.assertIn("Failed to get cypher. Username: nobody", cd.log())

    def test_drop_percent_chain(self):
        """README's filter chain for the central (marked fleet-conf
        drop_percent) drops the shares and nothing else."""
        with open(os.path.join(REPO, "README.md")) as f:
            m = re.search(r"^<!-- fleet-conf drop_percent -->\n```\n(.*?)\n```",
                          f.read(), re.M | re.S)
        self.assertIsNotNone(m, "README lost the drop_percent block")
        cd, (man,) = self.run_central("Encrypt", [
            ("encrypt", "gen-secret", 2)], extra_conf=m.group(1),
            plugins=("match_regex",))
        want = {k: v for k, v in self.manifest(man).items()
                if not k[2].startswith("percent-")}
        self.assertLess(len(want), len(self.manifest(man)))
        got = self.received(cd, {k[0] for k in want})
        self.assertEqual(sorted(got), sorted(want))

    def test_sign(self):
        cd, (good,) = self.run_central("Sign", [("sign", "gen-secret", 2)])
        self.compare(cd, good)


if __name__ == "__main__":
    unittest.main()
