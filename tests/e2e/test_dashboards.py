"""The Grafana dashboards, the Grafana alert provisioning file and the
Prometheus rules, without servers (test_stores.py runs every query of them
against the real stores).

Grafana is not in Debian, so nothing here imports into a real Grafana: the
checks are structural (what Grafana's import and provisioning read), plus the
real stores answering every query in test_stores.py.
"""

import json
import os
import re
import subprocess
import sys
import unittest

import yaml

from stores import promtool

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DASHBOARDS = os.path.join(REPO, "dashboards")
STORES = ("graphite", "influxdb", "prometheus")
GRAFANA_ALERTS = os.path.join(REPO, "alerting", "grafana", "attack_origin-alerts.yml")
PROM_DIR = os.path.join(REPO, "alerting", "prometheus")
PANEL_TYPES = {"geomap", "timeseries", "table", "stat", "barchart", "text"}
# Variables Grafana itself provides, and the dashboards' own.
GRAFANA_VARS = {"__interval", "__rate_interval", "__range", "timeFilter"}


def load(store):
    with open(os.path.join(DASHBOARDS, "attack_origin-%s.json" % store)) as f:
        return json.load(f)


def dashboard_targets(store):
    """[(panel title, target dict, query text)] of one dashboard."""
    out = []
    for p in load(store)["panels"]:
        for t in p.get("targets", []):
            q = t.get("target") or t.get("query") or t.get("expr")
            out.append((p["title"], t, q))
    return out


def variable_queries(store):
    return [(v["name"], v["query"], v.get("regex", ""))
            for v in load(store)["templating"]["list"] if v["type"] == "query"]


# How Grafana formats the variables when every host and log is selected.
SUBST = {
    "graphite": {"$host": "{web1,web2}", "$log": "web"},
    "influxdb": {"$host": "(web1|web2)", "$log": "(web)",
                 "$timeFilter": "time > now() - 1h", "$__interval": "10s"},
    "prometheus": {"$host": "web1|web2", "$log": "web",
                   "$__rate_interval": "1m", "$__range": "1h"},
}


def substitute(store, q):
    for k in sorted(SUBST[store], key=len, reverse=True):
        q = q.replace(k, SUBST[store][k])
    return q


def grafana_rules():
    with open(GRAFANA_ALERTS) as f:
        return yaml.safe_load(f)


class TestDashboardFiles(unittest.TestCase):

    def test_generated(self):
        """The committed JSON is what dashboards/mkdashboards.py writes."""
        sys.path.insert(0, DASHBOARDS)
        try:
            import mkdashboards
        finally:
            sys.path.pop(0)
        for store in STORES:
            with open(os.path.join(DASHBOARDS,
                                   "attack_origin-%s.json" % store)) as f:
                self.assertEqual(f.read(), mkdashboards.dashboard(store),
                                 "run python3 dashboards/mkdashboards.py")

    def test_structure(self):
        for store in STORES:
            with self.subTest(store=store):
                d = load(store)
                for key in ("uid", "title", "schemaVersion", "panels",
                            "templating", "time"):
                    self.assertIn(key, d)
                self.assertLessEqual(len(d["uid"]), 40)
                vars_ = {v["name"]: v for v in d["templating"]["list"]}
                self.assertEqual(vars_["datasource"]["type"], "datasource")
                self.assertEqual(vars_["datasource"]["query"], store)
                ids = [p["id"] for p in d["panels"]]
                self.assertEqual(len(ids), len(set(ids)))
                kinds = {p["type"] for p in d["panels"]}
                self.assertLessEqual(kinds, PANEL_TYPES)
                # What the issue asks for, in every version.
                self.assertIn("geomap", kinds)
                self.assertIn("table", kinds)
                titles = " ".join(p["title"] for p in d["panels"]).lower()
                for word in ("share", "category", "lines", "lag", "age",
                             "top countries"):
                    self.assertIn(word, titles)
                cells = set()
                for p in d["panels"]:
                    g = p["gridPos"]
                    self.assertLessEqual(g["x"] + g["w"], 24, p["title"])
                    for x in range(g["x"], g["x"] + g["w"]):
                        for y in range(g["y"], g["y"] + g["h"]):
                            self.assertNotIn((x, y), cells, p["title"])
                            cells.add((x, y))
                    self.assertEqual(p["datasource"],
                                     {"type": store, "uid": "${datasource}"})
                    self.assertTrue(p["targets"], p["title"])
                    for t in p["targets"]:
                        self.assertEqual(t["datasource"]["uid"], "${datasource}")
                geo = [p for p in d["panels"] if p["type"] == "geomap"][0]
                layer = geo["options"]["layers"][0]
                self.assertEqual(layer["location"]["mode"], "lookup")
                self.assertEqual(layer["location"]["gazetteer"],
                                 "public/gazetteer/countries.json")

    def test_variables_used_are_defined(self):
        for store in STORES:
            d = load(store)
            defined = {v["name"] for v in d["templating"]["list"]}
            for title, _, q in dashboard_targets(store):
                for v in re.findall(r"\$(\w+)", q):
                    if re.fullmatch(r"\d+", v):
                        continue  # regex group references
                    self.assertIn(v, defined | GRAFANA_VARS, (store, title, q))


class TestGrafanaAlertFile(unittest.TestCase):
    """What Grafana's alerting provisioning reads: apiVersion 1, groups with
    orgId/name/folder/interval, rules whose condition names one of their
    queries, expressions that only refer to queries that exist."""

    DURATION = re.compile(r"^(\d+[smhd])+$")

    def test_structure(self):
        d = grafana_rules()
        self.assertEqual(d["apiVersion"], 1)
        uids = set()
        for g in d["groups"]:
            for key in ("orgId", "name", "folder", "interval", "rules"):
                self.assertIn(key, g)
            self.assertRegex(g["interval"], self.DURATION)
            for r in g["rules"]:
                with self.subTest(rule=r.get("uid")):
                    self.assertRegex(r["uid"], r"^[A-Za-z0-9_-]{1,40}$")
                    self.assertNotIn(r["uid"], uids)
                    uids.add(r["uid"])
                    self.assertRegex(r["for"], self.DURATION)
                    self.assertIn(r["noDataState"], ("Alerting", "NoData", "OK"))
                    self.assertIn(r["execErrState"], ("Alerting", "Error", "OK"))
                    self.assertIn(r["labels"]["severity"], ("warning", "critical"))
                    refs = [q["refId"] for q in r["data"]]
                    self.assertEqual(len(refs), len(set(refs)))
                    self.assertIn(r["condition"], refs)
                    for q in r["data"]:
                        self.assertEqual(q["model"]["refId"], q["refId"])
                        if q["datasourceUid"] == "__expr__":
                            m = q["model"]
                            self.assertIn(m["type"], ("math", "reduce",
                                                      "threshold", "resample"))
                            used = (re.findall(r"\$([A-Z])", m["expression"])
                                    if m["type"] == "math" else [m["expression"]])
                            for u in used:
                                self.assertIn(u, refs)
                                self.assertLess(refs.index(u), refs.index(q["refId"]))
                            if m["type"] == "reduce":
                                self.assertIn(m["reducer"], ("last", "mean", "max",
                                                             "min", "sum"))
                        else:
                            self.assertIn("expr", q["model"])
                            self.assertGreater(q["relativeTimeRange"]["from"], 0)
                    # Template references in annotations name real refIds.
                    for text in r["annotations"].values():
                        for ref in re.findall(r"\$values\.([A-Z])\.", text):
                            self.assertIn(ref, refs)
        self.assertEqual(len(uids), 4)


class TestPrometheusRules(unittest.TestCase):

    def test_promtool_check(self):
        rc, out = promtool("check", "rules",
                           os.path.join(PROM_DIR, "attack_origin.rules.yml"))
        self.assertEqual(rc, 0, out)
        self.assertIn("SUCCESS: 7 rules found", out)

    def test_promtool_unit_tests(self):
        p = subprocess.run(["promtool", "test", "rules",
                            "attack_origin.rules.test.yml"], cwd=PROM_DIR,
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("SUCCESS", p.stdout)


def prom_exprs_of_grafana_rules():
    out = []
    for g in grafana_rules()["groups"]:
        for r in g["rules"]:
            for q in r["data"]:
                if q["datasourceUid"] != "__expr__":
                    out.append((r["uid"], q["refId"], q["model"]["expr"]))
    return out
