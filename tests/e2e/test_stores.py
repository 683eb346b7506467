"""End to end: real collectd with the plugin -> real Graphite (carbon-cache,
whisper, graphite-web), InfluxDB 1.x (collectd listener) and Prometheus,
checked against the generator's ground truth.

One scenario (scenario.Fleet: two hosts, a NaN phase, bursts) feeds all
three stores at once; every test below reads the stores afterwards. Exact
where the store keeps raw counters (InfluxDB, Prometheus's samples); bounded
where the store itself resamples or extrapolates (Graphite's rates in fixed
slots, PromQL's rate()/increase()), with the bound derived from how the store
computes, not guessed.

Every query README's "Queries" section marks is run here as written (a test
fails when README has a query with no check, or a check has no query).
"""

import math
import os
import re
import shutil
import tempfile
import time
import unittest

from readme_queries import REPO, readme_queries
from scenario import LOG, Fleet
from stores import Prometheus, finite

F = None
WORKDIR = None


def documented_health():
    """The health counters README's Metrics table documents: the stores
    must hold exactly these (so a counter added to the plugin must be
    documented, and a documented one must arrive)."""
    with open(os.path.join(REPO, "README.md")) as f:
        names = re.findall(r"`attack_origin-<Log>/derive-(\w+)`", f.read())
    assert "lines_read" in names, names
    return sorted(set(names))


HEALTH = documented_health()


def setUpModule():
    global F, WORKDIR
    WORKDIR = tempfile.mkdtemp(prefix="ao-e2e-")
    F = Fleet(WORKDIR)
    try:
        F.start()
        F.run()
    except BaseException:
        F.stop()
        raise


def tearDownModule():
    if F is not None:
        F.stop()
    if os.environ.get("AO_KEEP"):
        print("kept", WORKDIR)
    elif WORKDIR:
        shutil.rmtree(WORKDIR, ignore_errors=True)


# --- reference values from collectd's own csv output ---------------------------


def csv_delta(host, type_, ti):
    """last - first of one counter as collectd dispatched it: what a store
    that keeps rates (or PromQL's increase over all of it) can see."""
    rows = F.csv_rows(host, type_, ti)
    return rows[-1][1] - rows[0][1]


def deltas(host, type_="total_events"):
    cd = F.hosts[host].cd
    return {ti: csv_delta(host, type_, ti) for ti in cd.instances(LOG, type_)}


def category_deltas(host):
    out = {}
    for ti, d in deltas(host, "total_requests").items():
        cat = ti.split("-")[0]
        out[cat] = out.get(cat, 0) + d
    return out


def whisper_sum(host, type_, ti, step=1):
    """What Graphite's sum of rate * step must be for one counter, from
    collectd's own reads: write_graphite sends (v_k - v_k-1) / (t_k - t_k-1)
    at whole second t_k (the first value has no rate), whisper keeps the
    last write per slot. Equal to the counter's change when every interval
    is exactly `step`; read-time jitter moves it a little (a burst read
    after a 1.05 s interval is stored as N/1.05 per second)."""
    rows = F.csv_rows(host, type_, ti)
    slots = {}
    for (t0, v0), (t1, v1) in zip(rows, rows[1:]):
        slots[int(t1) // step * step] = (v1 - v0) / (t1 - t0)
    return sum(slots.values()) * step


def whisper_sums(host, type_="total_events"):
    cd = F.hosts[host].cd
    return {ti: whisper_sum(host, type_, ti) for ti in cd.instances(LOG, type_)}


def shares(counts):
    total = sum(counts.values())
    return {k: 100.0 * v / total for k, v in counts.items()}


def top(counts, n=5):
    return sorted(counts, key=lambda k: -counts[k])[:n]


def fleet_deltas():
    out = {}
    for h in F.hosts:
        for cc, d in deltas(h).items():
            out[cc] = out.get(cc, 0) + d
    return out


class TestReference(unittest.TestCase):
    """The csv writer's rows, used as the per-read reference, are the
    truth (as the integration tests prove in detail)."""

    def test_csv_equals_truth(self):
        for name, h in F.hosts.items():
            got = {cc: h.cd.last(LOG, "total_events", cc)
                   for cc in h.cd.instances(LOG, "total_events")}
            self.assertEqual(got, {cc: float(n)
                                   for cc, n in h.truth.by_country.items()})
            self.assertEqual(deltas(name), {cc: float(n) for cc, n in
                                            F.delta(name).items()})
            self.assertEqual(h.cd.last(LOG, "derive", "lines_read"),
                             h.truth.lines)


class QueryChecks:
    """Runs README's queries of one store; subclasses define check_<name>."""

    store = None

    def queries(self):
        return [q for q in readme_queries() if q.store == self.store]

    def test_readme_queries(self):
        qs = self.queries()
        names = {q.name for q in qs}
        checks = {n[len("check_"):] for n in dir(self) if n.startswith("check_")}
        self.assertEqual(names, checks, "README queries vs. checks (%s)"
                         % self.store)
        for q in qs:
            with self.subTest(query=q.name):
                getattr(self, "check_" + q.name)(self.run_query(q))


# --- Graphite ----------------------------------------------------------------------


def graphite_points(result):
    """{target: [(time, value)]} without the empty slots."""
    return {s["target"]: [(t, v) for v, t in s["datapoints"] if v is not None]
            for s in result}


class TestGraphite(QueryChecks, unittest.TestCase):
    store = "graphite"

    def run_query(self, q):
        return graphite_points(F.graphite.render(q.text, frm=q.params.get(
            "from", "-1h")))

    def integral(self, pts):
        # write_graphite sends rates (StoreRates true); one slot per
        # interval: attacks = sum of rate * step.
        return sum(v for _, v in pts) * F.carbon.step

    def assertCount(self, got, model, truth, what):
        """got: from Graphite; model: whisper_sum() (exact but for the csv
        writer's millisecond times); truth: the counter's real change."""
        self.assertLessEqual(abs(got - model), 0.005 * model + 1e-6,
                             "%s: graphite %s vs expected %s" % (what, got, model))
        self.assertLessEqual(abs(got - truth), 0.10 * truth + 1,
                             "%s: graphite %s vs truth %s" % (what, got, truth))

    def test_metric_names(self):
        """The whisper files are exactly the documented identifiers."""
        for name, h in F.hosts.items():
            got = {m for m in F.carbon.metrics() if m.startswith(name + ".")}
            p = "%s.attack_origin-%s." % (name, LOG)
            want = {p + "total_events-" + cc for cc in h.truth.by_country}
            want |= {p + "percent-" + cc for cc in h.truth.by_country}
            want |= {p + "total_requests-%s-%s" % k for k in h.truth.by_cat}
            want |= {p + "derive-" + x for x in HEALTH}
            want |= {p + "bytes-lag", p + "files-tracked",
                     p + "duration-geoip_database_age"}
            self.assertEqual(got, want)
            # SeparateInstances true: plugin and type instances are nodes.
            got = {m for m in F.carbon.metrics() if m.startswith("sep.%s." % name)}
            p = "sep.%s.attack_origin.%s." % (name, LOG)
            want = {p + "total_events." + cc for cc in h.truth.by_country}
            want |= {p + "percent." + cc for cc in h.truth.by_country}
            want |= {p + "total_requests.%s-%s" % k for k in h.truth.by_cat}
            want |= {p + "derive." + x for x in HEALTH}
            want |= {p + "bytes.lag", p + "files.tracked",
                     p + "duration.geoip_database_age"}
            self.assertEqual(got, want)

    def test_nan_shares_are_gaps(self):
        """carbon drops NaN datapoints: a share has whisper slots exactly
        at the reads where collectd dispatched a number."""
        # collectd keeps running: leave out what carbon may still cache.
        cutoff = time.time() - 3
        for name, h in F.hosts.items():
            for cc in h.truth.by_country:
                rows = [r for r in F.csv_rows(name, "percent", cc)
                        if r[0] < cutoff]
                nan_slots = {int(t) for t, v in rows if math.isnan(v)}
                num_slots = {int(t) for t, v in rows if not math.isnan(v)}
                self.assertTrue(nan_slots and num_slots)
                pts = F.carbon.fetch("%s.attack_origin-%s.percent-%s"
                                     % (name, LOG, cc))
                have = {t for t, v in pts if v is not None}
                self.assertEqual(have & nan_slots, set(), cc)
                self.assertEqual(num_slots - have, set(), cc)

    def check_rate_by_country(self, r):
        want = deltas("web1")
        model = whisper_sums("web1")
        self.assertEqual(set(r), set(want))
        for cc, pts in r.items():
            self.assertCount(self.integral(pts), model[cc], want[cc], cc)

    def check_share(self, r):
        want = shares(F.hosts["web1"].truth.by_country)
        self.assertEqual(set(r), set(want))
        for cc, pts in r.items():
            self.assertAlmostEqual(pts[-1][1], want[cc], places=6, msg=cc)

    def check_top_countries(self, r):
        self.assertEqual(set(r), set(top(deltas("web1"))))

    def check_by_category(self, r):
        want = category_deltas("web1")
        model = {}
        for ti, v in whisper_sums("web1", "total_requests").items():
            model[ti.split("-")[0]] = model.get(ti.split("-")[0], 0) + v
        self.assertEqual(set(r), set(want))
        for cat, pts in r.items():
            self.assertCount(self.integral(pts), model[cat], want[cat], cat)

    def check_monthly_total(self, r):
        self.assertEqual(len(r), 1)
        got = sum(v for _, v in list(r.values())[0])
        self.assertCount(got, sum(whisper_sums("web1").values()),
                         sum(deltas("web1").values()), "total")

    def check_monthly_share(self, r):
        model = shares(whisper_sums("web1"))
        truth = shares(deltas("web1"))
        self.assertEqual(set(r), set(truth))
        for cc, pts in r.items():
            self.assertEqual(len(pts), 1, cc)
            self.assertAlmostEqual(pts[0][1], model[cc], delta=0.2, msg=cc)
            self.assertAlmostEqual(pts[0][1], truth[cc], delta=3, msg=cc)

    def check_fleet_share(self, r):
        sums = {}
        for h in F.hosts:
            for cc, v in whisper_sums(h).items():
                sums[cc] = sums.get(cc, 0) + v
        model = shares(sums)
        want = shares(fleet_deltas())
        self.assertEqual(set(r), set(want))
        for cc, pts in r.items():
            self.assertAlmostEqual(pts[-1][1], model[cc], delta=0.2, msg=cc)
            self.assertAlmostEqual(pts[-1][1], want[cc], delta=3, msg=cc)
        # The point of summing counters: the average of the hosts' shares
        # would be far off for a country that dominates one host only.
        avg = sum(shares(deltas(h)).get("CN", 0) for h in F.hosts) / len(F.hosts)
        self.assertGreater(abs(avg - want["CN"]), 5)


# --- InfluxDB ------------------------------------------------------------------------


def influx_by(series, tag="type_instance"):
    """{tag value: [(time, value)]} of an InfluxQL answer."""
    out = {}
    for s in series:
        key = s.get("tags", {}).get(tag)
        out[key] = [(row[0], row[1]) for row in s["values"]]
    return out


class TestInfluxDB(QueryChecks, unittest.TestCase):
    store = "influxdb"

    def run_query(self, q):
        return F.influx.query(" ".join(q.text.split()))

    def test_measurements_and_tags(self):
        ms = {v[0] for s in F.influx.query("SHOW MEASUREMENTS") for v in s["values"]}
        self.assertEqual(ms, {"attack_origin_value", "attack_origin_seconds"})
        for s in F.influx.query("SHOW TAG KEYS"):
            self.assertEqual({v[0] for v in s["values"]},
                             {"host", "instance", "type", "type_instance"})

    def test_raw_counters_exact(self):
        """Every point collectd sent is there, raw: the last value of every
        counter is the truth, exactly."""
        for name, h in F.hosts.items():
            r = influx_by(F.influx.query(
                "SELECT last(\"value\") FROM \"attack_origin_value\" WHERE "
                "\"host\" = '%s' AND \"type\" = 'total_events' GROUP BY "
                "\"type_instance\"" % name))
            self.assertEqual({cc: v[0][1] for cc, v in r.items()},
                             h.truth.by_country)
            r = influx_by(F.influx.query(
                "SELECT last(\"value\") FROM \"attack_origin_value\" WHERE "
                "\"host\" = '%s' AND \"type\" = 'derive' GROUP BY "
                "\"type_instance\"" % name))
            self.assertEqual(set(r), set(HEALTH))
            self.assertEqual(r["lines_read"][0][1], h.truth.lines)
            self.assertEqual(r["lines_unparsed"][0][1], h.unparsed)
            self.assertEqual(r["lines_attack"][0][1], h.truth.total)

    def test_nan_shares_dropped(self):
        """The collectd listener drops NaN points: the share's points are
        exactly the reads where collectd dispatched a number."""
        cutoff = time.time() - 2
        for name, h in F.hosts.items():
            r = influx_by(F.influx.query(
                "SELECT \"value\" FROM \"attack_origin_value\" WHERE \"host\" "
                "= '%s' AND \"type\" = 'percent' GROUP BY \"type_instance\""
                % name, epoch="ms"))
            for cc in h.truth.by_country:
                rows = [r for r in F.csv_rows(name, "percent", cc)
                        if r[0] < cutoff]
                want = [round(t * 1000) for t, v in rows if not math.isnan(v)]
                got = [t for t, _ in r[cc] if t < cutoff * 1000]
                self.assertTrue(any(math.isnan(v) for _, v in rows))
                self.assertEqual(len(got), len(want), cc)
                for a, b in zip(got, want):
                    self.assertLessEqual(abs(a - b), 1, cc)
        self.assertIn("NaN is an unsupported value", F.influx.log())

    def check_rate_by_country(self, r):
        # non_negative_derivative(last, 1s) over 10 s buckets: the sum of
        # rate * bucket length is the counter's last value minus its value
        # at the end of the first bucket; computed from collectd's csv rows.
        r = influx_by(r)
        self.assertEqual(set(r), set(F.hosts["web1"].truth.by_country))
        for cc, pts in r.items():
            rows = F.csv_rows("web1", "total_events", cc)
            first_bucket = int(rows[0][0]) // 10 * 10
            in_first = [v for t, v in rows if int(t) // 10 * 10 == first_bucket]
            want = rows[-1][1] - in_first[-1]
            prev = first_bucket
            got = 0.0
            for t, v in pts:
                got += v * (t - prev)
                prev = t
            self.assertAlmostEqual(got, want, places=6, msg=cc)

    def check_share(self, r):
        r = influx_by(r)
        want = shares(F.hosts["web1"].truth.by_country)
        self.assertEqual(set(r), set(want))
        for cc, pts in r.items():
            last = [v for _, v in pts if v is not None][-1]
            self.assertAlmostEqual(last, want[cc], places=9, msg=cc)

    def check_top_countries(self, r):
        self.assertEqual(len(r), 1)
        rows = r[0]["values"]
        want = deltas("web1")
        self.assertEqual([row[2] for row in rows], top(want))
        self.assertEqual([row[1] for row in rows], [want[c] for c in top(want)])

    def check_monthly_by_country(self, r):
        self.assertEqual({cc: v[0][1] for cc, v in influx_by(r).items()},
                         deltas("web1"))

    def check_monthly_total(self, r):
        self.assertEqual(r[0]["values"][0][1], sum(deltas("web1").values()))

    def check_fleet_by_country(self, r):
        self.assertEqual({cc: v[0][1] for cc, v in influx_by(r).items()},
                         fleet_deltas())

    def check_by_category(self, r):
        want = {"%s-%s" % k: n for k, n in F.hosts["web1"].truth.by_cat.items()}
        self.assertEqual({ti: v[0][1] for ti, v in influx_by(r).items()}, want)


# --- Prometheus -------------------------------------------------------------------------


class TestPrometheus(QueryChecks, unittest.TestCase):
    store = "prometheus"

    def run_query(self, q):
        return F.prom.query(q.text)

    def extrapolation(self, selector):
        """How far rate()/increase() may exceed the true change: PromQL
        extends the sampled interval by at most 1.1 average sample distances
        at each end, so increase <= change * (1 + 2.2 * avg / sampled)."""
        worst = 0.0
        for _, samples in F.prom.query("%s[5m]" % selector):
            sampled = samples[-1][0] - samples[0][0]
            avg = sampled / (len(samples) - 1)
            worst = max(worst, 2.2 * avg / sampled)
        return worst

    def assertIncrease(self, got, want, ext, what):
        self.assertGreaterEqual(got, want * (1 - 1e-9), what)
        self.assertLessEqual(got, want * (1 + ext) + 1e-9, what)

    def by_type(self, r):
        return {m.get("type"): v for m, v in r}

    def test_raw_counters_exact(self):
        """Samples are collectd's counters as exposed: exact."""
        for name, h in F.hosts.items():
            sel = '{instance="%s",attack_origin="%s"}' % (name, LOG)
            got = self.by_type(F.prom.query(
                "collectd_attack_origin_total_events_total" + sel))
            self.assertEqual(got, h.truth.by_country)
            got = self.by_type(F.prom.query(
                "collectd_attack_origin_total_requests_total" + sel))
            self.assertEqual(got, {"%s-%s" % k: n
                                   for k, n in h.truth.by_cat.items()})
            got = self.by_type(F.prom.query("collectd_attack_origin_derive_total" + sel))
            self.assertEqual(set(got), set(HEALTH))
            self.assertEqual(got["lines_unparsed"], h.unparsed)
            self.assertEqual(got["lines_read"], h.truth.lines)

    def test_nan_shares_stored(self):
        """Prometheus stores NaN shares (below MinAttacks); comparisons with
        NaN are false, so no alert expression selects them."""
        t = F.times["nan"]
        r = F.prom.query("collectd_attack_origin_percent", at=t)
        self.assertEqual(len(r), sum(len(F.mix[h]) for h in F.hosts))
        self.assertTrue(all(math.isnan(v) for _, v in r))
        self.assertEqual(F.prom.query("collectd_attack_origin_percent > 50",
                                      at=t), [])
        self.assertEqual(F.prom.query("collectd_attack_origin_percent <= 50",
                                      at=t), [])

    def test_instance_label(self):
        """With honor_labels the host is `instance`; without it Prometheus
        renames collectd's label to `exported_instance`."""
        r = F.prom.query('collectd_attack_origin_derive_total{type="lines_read"}')
        self.assertEqual({m["instance"] for m, _ in r}, set(F.hosts))
        h = F.hosts["web1"]
        target = "127.0.0.1:%d" % h.prom_port
        with Prometheus(os.path.join(WORKDIR, "plain"), [target],
                        honor_labels=False) as p:
            deadline = time.time() + 20
            r = []
            while not r and time.time() < deadline:
                time.sleep(0.5)
                r = p.query('collectd_attack_origin_derive_total{type="lines_read"}')
        self.assertEqual(len(r), 1)
        self.assertEqual(r[0][0]["exported_instance"], "web1")
        self.assertEqual(r[0][0]["instance"], target)

    def test_rules_live(self):
        """The shipped alerting rules load into the real Prometheus, evaluate
        without error, and the share warning is pending exactly for the
        countries whose share is above 50% (nothing critical)."""
        groups = F.prom.rules()
        rules = [r for g in groups for r in g["rules"]]
        self.assertEqual(len(rules), 7)
        for r in rules:
            self.assertEqual(r["health"], "ok", r)
        alerts = F.prom.alerts()
        got = {(a["labels"]["instance"], a["labels"]["type"])
               for a in alerts if a["labels"]["alertname"] == "AttackOriginShareHigh"}
        want = {(name, cc) for name, h in F.hosts.items()
                for cc, s in shares(h.truth.by_country).items() if s > 50}
        self.assertTrue(want)
        self.assertEqual(got, want)
        self.assertFalse([a for a in alerts if a["labels"]["alertname"]
                          == "AttackOriginShareCritical"])

    def check_rate_by_country(self, r):
        ext = self.extrapolation('collectd_attack_origin_total_events_total'
                                 '{instance="web1"}')
        got = self.by_type(r)
        want = deltas("web1")
        self.assertEqual(set(got), set(want))
        for cc, v in got.items():
            self.assertIncrease(v * 300, want[cc], ext, cc)

    def check_share(self, r):
        got = self.by_type(r)
        want = shares(F.hosts["web1"].truth.by_country)
        self.assertEqual(set(got), set(want))
        for cc, v in got.items():
            self.assertAlmostEqual(v, want[cc], places=9, msg=cc)

    def check_top_countries(self, r):
        want = deltas("web1")
        ext = self.extrapolation('collectd_attack_origin_total_events_total'
                                 '{instance="web1"}')
        got = self.by_type(r)
        self.assertEqual(set(got), set(top(want)))
        for cc, v in got.items():
            self.assertIncrease(v, want[cc], ext, cc)

    def check_by_category(self, r):
        want = category_deltas("web1")
        ext = self.extrapolation('collectd_attack_origin_total_requests_total'
                                 '{instance="web1"}')
        got = {m["category"]: v for m, v in r}
        self.assertEqual(set(got), set(want))
        for cat, v in got.items():
            self.assertIncrease(v * 300, want[cat], ext, cat)

    def check_monthly_total(self, r):
        ext = self.extrapolation('collectd_attack_origin_total_events_total'
                                 '{instance="web1"}')
        self.assertEqual(len(r), 1)
        self.assertIncrease(r[0][1], sum(deltas("web1").values()), ext, "total")

    def assertShares(self, got, counts, ext):
        want = shares(counts)
        self.assertEqual(set(got), set(want))
        for cc, v in got.items():
            self.assertGreaterEqual(v, want[cc] / (1 + ext) - 1e-9, cc)
            self.assertLessEqual(v, want[cc] * (1 + ext) + 1e-9, cc)

    def check_monthly_share(self, r):
        ext = self.extrapolation('collectd_attack_origin_total_events_total'
                                 '{instance="web1"}')
        self.assertShares(self.by_type(r), deltas("web1"), ext)

    def check_fleet_share(self, r):
        ext = self.extrapolation("collectd_attack_origin_total_events_total")
        self.assertShares(self.by_type(r), fleet_deltas(), ext)
        avg = sum(shares(deltas(h)).get("CN", 0) for h in F.hosts) / len(F.hosts)
        self.assertGreater(abs(avg - self.by_type(r)["CN"]), 5)

    def check_fleet_monthly_share(self, r):
        ext = self.extrapolation("collectd_attack_origin_total_events_total")
        self.assertShares(self.by_type(r), fleet_deltas(), ext)


if __name__ == "__main__":
    unittest.main()


# --- dashboards and Grafana alert rules against the real stores -------------------

from test_dashboards import (dashboard_targets, prom_exprs_of_grafana_rules,  # noqa: E402
                             substitute, variable_queries)
import re  # noqa: E402

LINES = ["lines_read", "lines_attack", "lines_unparsed", "lines_oversized",
         "lines_partial", "read_errors"]


class TestDashboardsLive(unittest.TestCase):
    """Every query of every dashboard, with its variables as Grafana fills
    them (all hosts, all logs), answers with data from the real store."""

    def test_graphite(self):
        for title, t, q in dashboard_targets("graphite"):
            with self.subTest(panel=title):
                r = graphite_points(F.graphite.render(substitute("graphite", q)))
                self.assertTrue(any(pts for pts in r.values()), (title, q))
                if "lines" in title:
                    want = {"%s.derive-%s" % (h, x) for h in F.hosts for x in LINES}
                    self.assertEqual(set(r), want)

    def test_graphite_variables(self):
        got = {}
        for name, q, regex in variable_queries("graphite"):
            q = q[len("expand("):-1].replace("$host", "{web1,web2}")
            rx = re.compile(regex.strip("/"))
            got[name] = {rx.search(p).group(1) for p in F.graphite.expand(q)}
        self.assertEqual(got, {"host": set(F.hosts), "log": {LOG}})

    def test_influxdb(self):
        for title, t, q in dashboard_targets("influxdb"):
            with self.subTest(panel=title):
                r = F.influx.query(substitute("influxdb", q))
                vals = [row[1] for s in r for row in s["values"]
                        if row[1] is not None]
                self.assertTrue(vals, (title, q))
                if "lines" in title:
                    got = {(s["tags"]["host"], s["tags"]["type_instance"])
                           for s in r}
                    self.assertEqual(got, {(h, x) for h in F.hosts for x in LINES})

    def test_influxdb_names(self):
        types = {v[1] for s in F.influx.query(
            'SHOW TAG VALUES WITH KEY = "type"') for v in s["values"]}
        measurements = {v[0] for s in F.influx.query("SHOW MEASUREMENTS")
                        for v in s["values"]}
        for title, t, q in dashboard_targets("influxdb"):
            for m in re.findall(r'FROM "(\w+)"', q):
                self.assertIn(m, measurements, title)
            for ty in re.findall(r'"type" = \'(\w+)\'', q):
                self.assertIn(ty, types, title)
        got = {}
        for name, q, _ in variable_queries("influxdb"):
            r = F.influx.query(substitute("influxdb", q))
            got[name] = {v[1] for s in r for v in s["values"]}
        self.assertEqual(got, {"host": set(F.hosts), "log": {LOG}})

    def test_prometheus(self):
        now = time.time()
        for title, t, q in dashboard_targets("prometheus"):
            with self.subTest(panel=title):
                q = substitute("prometheus", q)
                if t.get("instant"):
                    r = F.prom.query(q)
                    vals = [v for _, v in r if finite(v)]
                else:
                    r = F.prom.query_range(q, now - 60, now, step=5)
                    vals = [v for _, pts in r for _, v in pts if finite(v)]
                self.assertTrue(vals, (title, q))
                if "lines" in title:
                    self.assertEqual({(m["instance"], m["type"]) for m, _ in r},
                                     {(h, x) for h in F.hosts for x in LINES})

    def test_prometheus_names(self):
        names = set(F.prom.api("label/__name__/values"))
        used = set()
        for _, _, q in dashboard_targets("prometheus"):
            used |= set(re.findall(r"collectd_attack_origin_\w+", q))
        for _, _, q in prom_exprs_of_grafana_rules():
            used |= set(re.findall(r"collectd_attack_origin_\w+", q))
        self.assertTrue(used)
        self.assertLessEqual(used, names)
        got = {}
        for name, q, _ in variable_queries("prometheus"):
            m = re.fullmatch(r"label_values\((.*), (\w+)\)", q)
            sel = substitute("prometheus", m.group(1))
            got[name] = {s[m.group(2)] for s in F.prom.api("series", **{"match[]": sel})}
        self.assertEqual(got, {"host": set(F.hosts), "log": {LOG}})

    def test_grafana_alert_queries(self):
        """The Grafana rules' queries run on the real Prometheus; the share
        query returns every country, the surge and volume queries a value."""
        for uid, ref, q in prom_exprs_of_grafana_rules():
            with self.subTest(rule=uid, ref=ref):
                r = F.prom.query(q)
                if uid == "attack-origin-rate-surge" and ref == "C":
                    continue  # the hour before the test: no data, 0 by design
                self.assertTrue([v for _, v in r if finite(v)], (uid, ref))
