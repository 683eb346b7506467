#!/usr/bin/env python3
"""Writes the three Grafana dashboards (one per store) from one layout.

  python3 dashboards/mkdashboards.py     (rewrites dashboards/*.json)

The panels are the same in each; only the queries differ. Each dashboard is
importable as is (Dashboards > New > Import): a `datasource` variable picks
the data source of its type, `host`/`log` variables list what the store
holds. tests/e2e/test_dashboards.py checks that the committed JSON is what
this script writes and runs every query against the real store.
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# --- queries per store --------------------------------------------------------
# refId -> query; legend names are country codes, categories or health names.

G_SRC = "$host.attack_origin-$log"
GRAPHITE = {
    "rate_map": [
        'aliasSub(groupByNode(%s.total_events-*, 2, "sumSeries"), "^.*-", "")'
        % G_SRC],
    "rate": [
        'aliasSub(groupByNode(%s.total_events-*, 2, "sumSeries"), "^.*-", "")'
        % G_SRC],
    "share": [
        'aliasSub(aliasByNode(%s.percent-*, 0, 2), "^(.*)\\.percent-(.*)$", "\\2 \\1")'
        % G_SRC],
    "fleet_share": [
        'aliasSub(aliasByNode(asPercent(groupByNode(%s.total_events-*, 2, '
        '"sumSeries")), 0), "^.*-", "")' % G_SRC],
    "top": [
        'aliasSub(highestAverage(groupByNode(hitcount(%s.total_events-*, "1d"), '
        '2, "sumSeries"), 10), "^.*-", "")' % G_SRC],
    "category": [
        'groupByNode(aliasSub(%s.total_requests-*, '
        '"^.*total_requests-([a-z]+)-.*$", "\\1"), 0, "sumSeries")' % G_SRC],
    "lines": [
        'aliasByNode(%s.derive-{lines_read,lines_attack,lines_unparsed,'
        'lines_oversized,lines_partial,read_errors}, 0, 2)' % G_SRC],
    "lag": ['aliasByNode(%s.bytes-lag, 0, 1)' % G_SRC],
    "age": ['aliasByNode(scale(%s.duration-geoip_database_age, 0.0000115741), '
            '0, 1)' % G_SRC],
}

I_WHERE = ('"host" =~ /^$host$/ AND "instance" =~ /^$log$/ AND $timeFilter')
INFLUX = {
    "rate_map": [
        'SELECT non_negative_derivative(last("value"), 1s) FROM '
        '"attack_origin_value" WHERE "type" = \'total_events\' AND %s '
        'GROUP BY time($__interval), "host", "instance", "type_instance"'
        % I_WHERE],
    "rate": [
        'SELECT non_negative_derivative(last("value"), 1s) FROM '
        '"attack_origin_value" WHERE "type" = \'total_events\' AND %s '
        'GROUP BY time($__interval), "host", "instance", "type_instance"'
        % I_WHERE],
    "share": [
        'SELECT last("value") FROM "attack_origin_value" WHERE "type" = '
        '\'percent\' AND %s GROUP BY time($__interval), "host", "instance", '
        '"type_instance"' % I_WHERE],
    "top": [
        'SELECT top("attacks", "type_instance", 10) FROM (SELECT sum("attacks") '
        'AS "attacks" FROM (SELECT non_negative_difference("value") AS '
        '"attacks" FROM "attack_origin_value" WHERE "type" = \'total_events\' '
        'AND %s GROUP BY "host", "instance", "type_instance") GROUP BY '
        '"type_instance")' % I_WHERE],
    "category": [
        'SELECT non_negative_derivative(last("value"), 1s) FROM '
        '"attack_origin_value" WHERE "type" = \'total_requests\' AND %s '
        'GROUP BY time($__interval), "host", "instance", "type_instance"'
        % I_WHERE],
    "lines": [
        'SELECT non_negative_derivative(last("value"), 1s) FROM '
        '"attack_origin_value" WHERE "type" = \'derive\' AND "type_instance" '
        '=~ /^(lines_read|lines_attack|lines_unparsed|lines_oversized|'
        'lines_partial|read_errors)$/ AND %s GROUP BY time($__interval), '
        '"host", "instance", "type_instance"' % I_WHERE],
    "lag": [
        'SELECT last("value") FROM "attack_origin_value" WHERE "type" = '
        '\'bytes\' AND "type_instance" = \'lag\' AND %s GROUP BY '
        'time($__interval), "host", "instance"' % I_WHERE],
    "age": [
        'SELECT last("value") / 86400 FROM "attack_origin_seconds" WHERE '
        '"type" = \'duration\' AND "type_instance" = \'geoip_database_age\' '
        'AND %s GROUP BY time($__interval), "host", "instance"' % I_WHERE],
}

P_SEL = 'instance=~"$host",attack_origin=~"$log"'
PROMETHEUS = {
    "rate_map": [
        'sum by (type) (rate(collectd_attack_origin_total_events_total{%s}'
        '[$__rate_interval]))' % P_SEL],
    "rate": [
        'sum by (type) (rate(collectd_attack_origin_total_events_total{%s}'
        '[$__rate_interval]))' % P_SEL],
    "share": ['collectd_attack_origin_percent{%s}' % P_SEL],
    "fleet_share": [
        'sum by (type) (rate(collectd_attack_origin_total_events_total{%s}'
        '[$__rate_interval])) / ignoring(type) group_left '
        'sum(rate(collectd_attack_origin_total_events_total{%s}'
        '[$__rate_interval])) * 100' % (P_SEL, P_SEL)],
    "top": [
        'topk(10, sum by (type) (increase(collectd_attack_origin_total_events_total'
        '{%s}[$__range])))' % P_SEL],
    "category": [
        'sum by (category) (label_replace(rate('
        'collectd_attack_origin_total_requests_total{%s}[$__rate_interval]), '
        '"category", "$1", "type", "([a-z]+)-.*"))' % P_SEL],
    "lines": [
        'rate(collectd_attack_origin_derive_total{%s,type=~"lines_read|'
        'lines_attack|lines_unparsed|lines_oversized|lines_partial|'
        'read_errors"}[$__rate_interval])' % P_SEL],
    "lag": ['collectd_attack_origin_bytes{%s,type="lag"}' % P_SEL],
    "age": ['collectd_attack_origin_duration_seconds{%s,'
            'type="geoip_database_age"} / 86400' % P_SEL],
}

LEGEND = {  # Prometheus and InfluxDB legends per panel
    "prometheus": {"rate_map": "{{type}}", "rate": "{{type}}",
                   "share": "{{type}} {{instance}}/{{attack_origin}}",
                   "fleet_share": "{{type}}", "top": "{{type}}",
                   "category": "{{category}}",
                   "lines": "{{type}} {{instance}}/{{attack_origin}}",
                   "lag": "{{instance}}/{{attack_origin}}",
                   "age": "{{instance}}/{{attack_origin}}"},
    "influxdb": {"rate_map": "$tag_type_instance",
                 "rate": "$tag_type_instance $tag_host/$tag_instance",
                 "share": "$tag_type_instance $tag_host/$tag_instance",
                 "top": "", "category": "$tag_type_instance $tag_host",
                 "lines": "$tag_type_instance $tag_host/$tag_instance",
                 "lag": "$tag_host/$tag_instance",
                 "age": "$tag_host/$tag_instance"},
}

VARIABLES = {
    # Grafana's Graphite data source: expand() lists whole paths.
    "graphite": [("host", "expand(*.attack_origin-*)", "", "/^([^.]+)\\./"),
                 ("log", "expand($host.attack_origin-*)", "",
                  "/\\.attack_origin-(.+)$/")],
    "influxdb": [("host", 'SHOW TAG VALUES FROM "attack_origin_value" WITH '
                  'KEY = "host"', "", ""),
                 ("log", 'SHOW TAG VALUES FROM "attack_origin_value" WITH KEY '
                  '= "instance" WHERE "host" =~ /^$host$/', "", "")],
    "prometheus": [("host", "label_values(collectd_attack_origin_derive_total, "
                    "instance)", "", ""),
                   ("log", "label_values(collectd_attack_origin_derive_total"
                    '{instance=~"$host"}, attack_origin)', "", "")],
}

QUERIES = {"graphite": GRAPHITE, "influxdb": INFLUX, "prometheus": PROMETHEUS}
TITLES = {"graphite": "Graphite", "influxdb": "InfluxDB 1.x",
          "prometheus": "Prometheus"}

# --- layout ---------------------------------------------------------------------


def ds():
    return {"type": "${DS_TYPE}", "uid": "${datasource}"}


def targets(store, key, instant=False, table=False):
    out = []
    for i, q in enumerate(QUERIES[store][key]):
        ref = chr(ord("A") + i)
        t = {"refId": ref, "datasource": ds()}
        if store == "graphite":
            t["target"] = q
        elif store == "influxdb":
            t.update({"query": q, "rawQuery": True,
                      "resultFormat": "table" if table else "time_series",
                      "alias": LEGEND[store].get(key, "")})
        else:
            t.update({"expr": q, "legendFormat": LEGEND[store].get(key, ""),
                      "instant": instant, "range": not instant})
            if table:
                t["format"] = "table"
        out.append(t)
    return out


def reduce_to_rows(calc):
    return [{"id": "reduce", "options": {"reducers": [calc],
                                          "mode": "seriesToRows"}}]


def panel(pid, title, kind, grid, tgts, unit=None, desc="", **extra):
    p = {"id": pid, "type": kind, "title": title, "description": desc,
         "datasource": ds(), "gridPos": dict(zip("xywh", grid)),
         "targets": tgts,
         "fieldConfig": {"defaults": {}, "overrides": []}, "options": {}}
    if unit:
        p["fieldConfig"]["defaults"]["unit"] = unit
    p.update(extra)
    return p


def geomap(store, pid, grid):
    if store == "prometheus":
        tg = targets(store, "rate_map", instant=True, table=True)
        tf = []
        field = "type"
        value = "Value"
    else:
        tg = targets(store, "rate_map")
        tf = reduce_to_rows("mean")
        field = "Field"
        value = "Mean"
    return panel(
        pid, "Attack rate by country", "geomap", grid, tg, unit="short",
        desc="Attacks per second from each country over the range (country "
             "codes looked up in Grafana's countries gazetteer).",
        transformations=tf,
        options={
            "view": {"id": "zero", "lat": 20, "lon": 0, "zoom": 1},
            "controls": {"showZoom": True, "mouseWheelZoom": False},
            "basemap": {"type": "default", "name": "Basemap"},
            "layers": [{
                "type": "markers", "name": "Attacks/s",
                "location": {"mode": "lookup", "lookup": field,
                             "gazetteer": "public/gazetteer/countries.json"},
                "config": {"size": {"field": value, "min": 3, "max": 30,
                                    "fixed": 5},
                           "color": {"field": value},
                           "showLegend": True},
            }],
        },
        fieldConfig={"defaults": {"unit": "short",
                                  "color": {"mode": "continuous-YlRd"}},
                     "overrides": []})


def dashboard(store):
    ts = "timeseries"
    panels = [
        geomap(store, 1, (0, 0, 12, 10)),
        panel(2, "Attack rate by country", ts, (12, 0, 12, 10),
              targets(store, "rate"), unit="short",
              desc="Attacks per second, per country (sum over the selected "
                   "hosts and logs).",
              fieldConfig={"defaults": {"unit": "short", "custom": {
                  "stacking": {"mode": "normal"}, "fillOpacity": 30}},
                  "overrides": []}),
        panel(3, "Origin share per country", ts, (0, 10, 12, 9),
              targets(store, "share"), unit="percent",
              desc="Each country's share of the attacks on one log over the "
                   "plugin's ShareWindow (gaps: fewer than MinAttacks attacks "
                   "in the window)."),
        panel(5, "Top countries (attacks in range)", "table", (12, 10, 12, 9),
              targets(store, "top", instant=True, table=True),
              transformations=(reduce_to_rows("sum")
                               if store == "graphite" else [])),
        panel(6, "Attacks per category", "timeseries", (0, 19, 12, 8),
              targets(store, "category"), unit="short",
              desc="A line in several categories counts once in each.",
              fieldConfig={"defaults": {"unit": "short", "custom": {
                  "drawStyle": "bars", "stacking": {"mode": "normal"},
                  "fillOpacity": 60}}, "overrides": []}),
        panel(7, "Plugin: lines per second", ts, (12, 19, 12, 8),
              targets(store, "lines"), unit="short",
              desc="Lines read, attacks, unparsed (parse failures), oversized, "
                   "partial; read errors."),
        panel(8, "Plugin: lag", ts, (0, 27, 12, 6), targets(store, "lag"),
              unit="bytes", desc="Bytes of the log not read yet."),
        panel(9, "Plugin: GeoIP database age", ts, (12, 27, 12, 6),
              targets(store, "age"), unit="d",
              desc="Days since the loaded country database was built."),
    ]
    if "fleet_share" in QUERIES[store]:
        panels.insert(3, panel(
            4, "Share across the selected hosts (from counters)", ts,
            (0, 33, 24, 8), targets(store, "fleet_share"), unit="percent",
            desc="Sum per country over the selected hosts and logs divided "
                 "by the sum of all: never the average of their shares."))
    dstype = {"graphite": "graphite", "influxdb": "influxdb",
              "prometheus": "prometheus"}[store]
    variables = [{
        "name": "datasource", "label": "Data source", "type": "datasource",
        "query": dstype, "current": {}, "hide": 0, "refresh": 1,
        "regex": "", "options": [],
    }]
    for name, q, _, regex in VARIABLES[store]:
        variables.append({
            "name": name, "label": name, "type": "query", "datasource": ds(),
            "query": q, "definition": q, "regex": regex, "refresh": 2,
            "multi": True, "includeAll": True, "current": {}, "options": [],
            "sort": 1, "hide": 0,
        })
    d = {
        "uid": "attack-origin-%s" % store,
        "title": "attack-origin (%s)" % TITLES[store],
        "description": "Attacks per country and origin share from collectd's "
                       "attack_origin plugin",
        "tags": ["collectd", "attack-origin", "security"],
        "timezone": "browser", "editable": True, "graphTooltip": 1,
        "schemaVersion": 37, "version": 1, "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": variables},
        "annotations": {"list": []},
        "panels": panels,
    }
    text = json.dumps(d, indent=2, sort_keys=False)
    return text.replace("${DS_TYPE}", dstype) + "\n"


def main():
    for store in QUERIES:
        path = os.path.join(HERE, "attack_origin-%s.json" % store)
        with open(path, "w") as f:
            f.write(dashboard(store))
        print("wrote", path)


if __name__ == "__main__":
    main()
