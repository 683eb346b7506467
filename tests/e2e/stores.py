"""stores: real time-series servers from Debian's packages, for end-to-end
tests (and, later, fleet tests).

Each server runs as a child process of the test, on 127.0.0.1, on ports
chosen free at start, with every file it writes (data, logs, pid) under a
directory the caller owns; stop() ends it (SIGTERM, then SIGKILL) and waits.
Nothing here touches the system's own instances, /etc or /var: Debian's
packages install services too, and those are neither needed nor used.

  Carbon(dir, step)         carbon-cache (graphite-carbon); .line_port for
                            collectd's write_graphite; whisper files under
                            .whisper_dir; fetch() reads one with whisper-fetch
  GraphiteWeb(dir, carbon)  graphite-web's render API (Django under wsgiref)
                            on carbon's whisper files and cache; render()
  InfluxDB(dir)             influxd 1.x with its collectd listener (UDP,
                            collectd's types.db); .collectd_port; query()
  Prometheus(dir, targets)  prometheus scraping the targets; query(),
                            query_range(), rules(), alerts(); promtool()

Usage:
  with Carbon(d) as carbon, InfluxDB(d) as influx: ...
or start() / stop() by hand. Every wait has a timeout and fails with the
server's own log.
"""

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TYPES_DB = "/usr/share/collectd/types.db"


def free_port(kind=socket.SOCK_STREAM):
    """A port on 127.0.0.1 that nothing is bound to right now (TCP, or UDP
    with kind=socket.SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=10.0):
    """(status, body bytes) of a GET; HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def http_post(url, data, timeout=10.0):
    req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(),
                                 method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class Server:
    """One child process with its own directory and log file."""

    name = "server"
    # Seconds between SIGTERM and SIGKILL.
    stop_timeout = 20

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, self.name)
        os.makedirs(self.dir, exist_ok=True)
        self.log_path = os.path.join(self.dir, "%s.log" % self.name)
        self.proc = None

    def command(self):
        raise NotImplementedError

    def ready(self):
        raise NotImplementedError

    def env(self):
        return None

    def start(self, timeout=60.0):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self._log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.dir,
                                     env=self.env(), start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("%s exited with %s at start:\n%s" % (
                    self.name, self.proc.returncode, self.log()[-3000:]))
            try:
                if self.ready():
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError("%s not ready after %gs:\n%s" % (
            self.name, timeout, self.log()[-3000:]))

    def stop(self):
        """Ends the process group (twistd and Django may fork helpers) and
        returns the exit status, or None when it was not running."""
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                rc = self.proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                rc = self.proc.wait()
        self._log.close()
        self.proc = None
        return rc

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _port_open(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --- Graphite ------------------------------------------------------------------


class Carbon(Server):
    """carbon-cache with one retention for everything: `step` seconds for
    `points` points. Every limit on creates and updates is lifted so that a
    test's series are all written at once."""

    name = "carbon"

    def __init__(self, workdir, step=1, points=7200):
        super().__init__(workdir)
        self.step = step
        self.line_port = free_port()
        self.pickle_port = free_port()
        self.query_port = free_port()
        self.storage = os.path.join(self.dir, "storage")
        self.whisper_dir = os.path.join(self.storage, "whisper")
        for d in (self.whisper_dir, os.path.join(self.dir, "log")):
            os.makedirs(d, exist_ok=True)
        self.conf = os.path.join(self.dir, "carbon.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join([
                "[cache]",
                "STORAGE_DIR = %s" % self.storage,
                "LOCAL_DATA_DIR = %s" % self.whisper_dir,
                "WHITELISTS_DIR = %s/lists" % self.storage,
                "CONF_DIR = %s" % self.dir,
                "LOG_DIR = %s/log" % self.dir,
                "PID_DIR = %s" % self.dir,
                "ENABLE_LOGROTATION = False",
                "USER =",
                "MAX_CACHE_SIZE = inf",
                "MAX_UPDATES_PER_SECOND = inf",
                "MAX_CREATES_PER_MINUTE = inf",
                "LINE_RECEIVER_INTERFACE = 127.0.0.1",
                "LINE_RECEIVER_PORT = %d" % self.line_port,
                "ENABLE_UDP_LISTENER = False",
                "PICKLE_RECEIVER_INTERFACE = 127.0.0.1",
                "PICKLE_RECEIVER_PORT = %d" % self.pickle_port,
                "CACHE_QUERY_INTERFACE = 127.0.0.1",
                "CACHE_QUERY_PORT = %d" % self.query_port,
                "LOG_UPDATES = False",
                "LOG_CACHE_HITS = False",
                "LOG_LISTENER_CONNECTIONS = False",
                "WHISPER_AUTOFLUSH = False",
                "CACHE_WRITE_STRATEGY = sorted",
                "CARBON_METRIC_PREFIX = carbon",
                "CARBON_METRIC_INTERVAL = 0",
                "",
            ]))
        with open(os.path.join(self.dir, "storage-schemas.conf"), "w") as f:
            f.write("[everything]\npattern = .*\nretentions = %ds:%d\n"
                    % (step, points))
        with open(os.path.join(self.dir, "storage-aggregation.conf"), "w") as f:
            f.write("[default]\npattern = .*\nxFilesFactor = 0\n"
                    "aggregationMethod = average\n")

    def command(self):
        return ["carbon-cache", "--config=%s" % self.conf,
                "--pidfile=%s/carbon-cache.pid" % self.dir, "--nodaemon",
                "start"]

    def ready(self):
        return _port_open(self.line_port) and _port_open(self.query_port)

    def log(self):
        text = super().log()
        for name in ("console.log", "creates.log"):
            p = os.path.join(self.dir, "log", name)
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    text += "\n--- %s\n%s" % (name, f.read())
        return text

    def whisper_path(self, metric):
        return os.path.join(self.whisper_dir, *metric.split(".")) + ".wsp"

    def metrics(self):
        """Every metric carbon has a whisper file for (dotted names)."""
        out = []
        for root, _, files in os.walk(self.whisper_dir):
            for f in files:
                if f.endswith(".wsp"):
                    rel = os.path.relpath(os.path.join(root, f[:-4]),
                                          self.whisper_dir)
                    out.append(rel.replace(os.sep, "."))
        return sorted(out)

    def fetch(self, metric, seconds=7200):
        """[(time, value or None)] of one metric as whisper-fetch reads its
        file (None: no datapoint in that slot)."""
        p = subprocess.run(["whisper-fetch", "--json",
                            "--from=%d" % (time.time() - seconds),
                            self.whisper_path(metric)],
                           capture_output=True, text=True, check=True)
        d = json.loads(p.stdout)
        start, step = d["start"], d["step"]
        return [(start + i * step, v) for i, v in enumerate(d["values"])]


class GraphiteWeb(Server):
    """graphite-web (Debian's graphite-web, Django) under wsgiref, reading
    carbon's whisper files and, through CARBONLINK, what carbon still holds
    in its cache. Only the render and metrics APIs are used."""

    name = "graphite-web"

    def __init__(self, workdir, carbon):
        super().__init__(workdir)
        self.port = free_port()
        self.carbon = carbon
        with open(os.path.join(self.dir, "ao_graphite_settings.py"), "w") as f:
            f.write("\n".join([
                "SECRET_KEY = 'attack-origin-e2e-only'",
                "GRAPHITE_ROOT = '/usr/share/graphite-web'",
                "CONF_DIR = %r" % self.dir,
                "STORAGE_DIR = %r" % carbon.storage,
                "WHISPER_DIR = %r" % (carbon.whisper_dir + "/"),
                "STANDARD_DIRS = [%r]" % (carbon.whisper_dir + "/"),
                "LOG_DIR = %r" % self.dir,
                "INDEX_FILE = %r" % os.path.join(self.dir, "index"),
                "LOG_RENDERING_PERFORMANCE = False",
                "LOG_CACHE_PERFORMANCE = False",
                "LOG_ROTATION = False",
                "DEFAULT_XFILES_FACTOR = 0",
                "CARBONLINK_HOSTS = ['127.0.0.1:%d:a']" % carbon.query_port,
                "TAGDB = ''",
                "DATABASES = {'default': {'NAME': %r, "
                "'ENGINE': 'django.db.backends.sqlite3'}}"
                % os.path.join(self.dir, "graphite.db"),
                "FUNCTION_PLUGINS = []",
                "",
            ]))
        with open(os.path.join(self.dir, "serve.py"), "w") as f:
            f.write("\n".join([
                "import sys",
                "from wsgiref.simple_server import make_server, "
                "WSGIRequestHandler",
                "from graphite.wsgi import application",
                "class Quiet(WSGIRequestHandler):",
                "    def log_message(self, *a):",
                "        pass",
                "make_server('127.0.0.1', int(sys.argv[1]), application, "
                "handler_class=Quiet).serve_forever()",
                "",
            ]))

    def env(self):
        e = dict(os.environ)
        e["PYTHONPATH"] = self.dir
        e["GRAPHITE_SETTINGS_MODULE"] = "ao_graphite_settings"
        e["DJANGO_SETTINGS_MODULE"] = "graphite.settings"
        return e

    def start(self, timeout=60.0):
        # Django's tables (users, sessions) must exist even for the render
        # API: an empty sqlite database in our directory, migrated.
        p = subprocess.run(["/usr/bin/python3", "-m", "django", "migrate",
                            "--noinput"], env=self.env(), cwd=self.dir,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError("graphite-web migrate failed:\n%s%s"
                                 % (p.stdout, p.stderr))
        return super().start(timeout)

    def command(self):
        # Debian's python3, whatever python runs the tests: graphite-web
        # and Django are Debian packages.
        return ["/usr/bin/python3", os.path.join(self.dir, "serve.py"),
                str(self.port)]

    def ready(self):
        st, _ = http_get("http://127.0.0.1:%d/metrics/find?query=*" % self.port,
                         timeout=2)
        return st == 200

    def render(self, target, frm="-2h", until="now", fmt="json", **params):
        """The render API's answer: for json a list of {target, datapoints:
        [[value, time], ...]}; for png the bytes."""
        q = [("target", t) for t in (target if isinstance(target, list)
                                      else [target])]
        q += [("from", frm), ("until", until), ("format", fmt)]
        q += list(params.items())
        url = "http://127.0.0.1:%d/render?%s" % (
            self.port, urllib.parse.urlencode(q))
        st, body = http_get(url, timeout=60)
        if st != 200:
            raise AssertionError("graphite render %s: HTTP %d\n%s\n%s" % (
                target, st, body[:2000].decode(errors="replace"),
                self.log()[-2000:]))
        return json.loads(body) if fmt == "json" else body


    def expand(self, query):
        """The metrics/expand API (what Grafana's expand() variables use):
        every full path that matches."""
        url = "http://127.0.0.1:%d/metrics/expand?%s" % (
            self.port, urllib.parse.urlencode({"query": query}))
        st, body = http_get(url, timeout=30)
        if st != 200:
            raise AssertionError("graphite expand %s: HTTP %d" % (query, st))
        return json.loads(body)["results"]


# --- InfluxDB 1.x --------------------------------------------------------------


class InfluxDB(Server):
    """influxd 1.x with the collectd listener on a UDP port (database
    `collectd`, collectd's own types.db), batches flushed every 100 ms."""

    name = "influxdb"
    # influxd 1.6 can hang in its clean shutdown once its collectd listener
    # has received data ("Waiting for clean shutdown..." forever); a test
    # instance's data is thrown away anyway.
    stop_timeout = 3

    def __init__(self, workdir, database="collectd", name=None,
                 security_level=None, auth_file=None):
        # name: a second instance in the same workdir; security_level and
        # auth_file: the listener's `security-level` ("sign", "encrypt")
        # and collectd AuthFile (the fleet tests).
        if name is not None:
            self.name = name
        super().__init__(workdir)
        self.http_port = free_port()
        self.rpc_port = free_port()
        self.collectd_port = free_port(socket.SOCK_DGRAM)
        self.database = database
        self.conf = os.path.join(self.dir, "influxdb.conf")
        d = self.dir
        with open(self.conf, "w") as f:
            f.write("\n".join([
                "reporting-disabled = true",
                'bind-address = "127.0.0.1:%d"' % self.rpc_port,
                "[meta]", '  dir = "%s/meta"' % d,
                "[data]", '  dir = "%s/data"' % d, '  wal-dir = "%s/wal"' % d,
                "  query-log-enabled = false",
                "[http]", "  enabled = true",
                '  bind-address = "127.0.0.1:%d"' % self.http_port,
                "  log-enabled = false",
                "[monitor]", "  store-enabled = false",
                "[continuous_queries]", "  enabled = false",
                "[[collectd]]", "  enabled = true",
                '  bind-address = "127.0.0.1:%d"' % self.collectd_port,
                '  database = "%s"' % database,
                '  typesdb = "%s"' % TYPES_DB,
                *(['  security-level = "%s"' % security_level,
                   '  auth-file = "%s"' % auth_file]
                  if security_level else []),
                "  batch-size = 1000", "  batch-pending = 10",
                '  batch-timeout = "100ms"',
                "",
            ]))

    def command(self):
        return ["influxd", "run", "-config", self.conf]

    def ready(self):
        st, _ = http_get("http://127.0.0.1:%d/ping" % self.http_port, timeout=2)
        return st == 204

    def query(self, q, epoch="s"):
        """The series of one InfluxQL statement: [{name, tags, columns,
        values}] (empty when it matched nothing). Errors raise."""
        st, body = http_post("http://127.0.0.1:%d/query" % self.http_port,
                             {"db": self.database, "q": q, "epoch": epoch})
        d = json.loads(body)
        if st != 200 or "error" in d:
            raise AssertionError("InfluxQL %s: HTTP %d %s" % (q, st, d))
        res = d["results"][0]
        if "error" in res:
            raise AssertionError("InfluxQL %s: %s" % (q, res["error"]))
        return res.get("series", [])


# --- Prometheus ------------------------------------------------------------------


class Prometheus(Server):
    """prometheus scraping `targets` (host:port) every `scrape` seconds,
    with `rule_files` loaded and evaluated every `scrape` seconds."""

    name = "prometheus"

    def __init__(self, workdir, targets, scrape=1, rule_files=(),
                 honor_labels=True):
        super().__init__(workdir)
        self.port = free_port()
        self.conf = os.path.join(self.dir, "prometheus.yml")
        cfg = {
            "global": {"scrape_interval": "%ds" % scrape,
                       "evaluation_interval": "%ds" % scrape},
            "rule_files": list(rule_files),
            "scrape_configs": [{
                "job_name": "collectd",
                "honor_labels": honor_labels,
                "static_configs": [{"targets": list(targets)}],
            }],
        }
        with open(self.conf, "w") as f:
            json.dump(cfg, f, indent=1)  # JSON is YAML

    def command(self):
        return ["prometheus", "--config.file=%s" % self.conf,
                "--storage.tsdb.path=%s/data" % self.dir,
                "--web.listen-address=127.0.0.1:%d" % self.port,
                "--log.level=warn"]

    def ready(self):
        st, _ = http_get("http://127.0.0.1:%d/-/ready" % self.port, timeout=2)
        return st == 200

    def api(self, path, **params):
        url = "http://127.0.0.1:%d/api/v1/%s?%s" % (
            self.port, path, urllib.parse.urlencode(params))
        st, body = http_get(url, timeout=30)
        d = json.loads(body)
        if st != 200 or d.get("status") != "success":
            raise AssertionError("prometheus %s %s: HTTP %d %s" % (
                path, params, st, d))
        return d["data"]

    def query(self, q, at=None):
        """[(labels, value)] of an instant query (vector or scalar)."""
        params = {"query": q}
        if at is not None:
            params["time"] = "%.3f" % at
        d = self.api("query", **params)
        if d["resultType"] == "scalar":
            return [({}, float(d["result"][1]))]
        if d["resultType"] == "vector":
            return [(r["metric"], float(r["value"][1])) for r in d["result"]]
        if d["resultType"] == "matrix":
            return [(r["metric"], [(float(t), float(v)) for t, v in r["values"]])
                    for r in d["result"]]
        raise AssertionError("unexpected result type %s" % d["resultType"])

    def query_range(self, q, start, end, step=1):
        d = self.api("query_range", query=q, start="%.3f" % start,
                     end="%.3f" % end, step=str(step))
        return [(r["metric"], [(float(t), float(v)) for t, v in r["values"]])
                for r in d["result"]]

    def targets_up(self):
        d = self.api("targets")
        return [t for t in d["activeTargets"] if t["health"] == "up"]

    def rules(self):
        return self.api("rules")["groups"]

    def alerts(self):
        return self.api("alerts")["alerts"]


def promtool(*args):
    """Runs Debian's promtool; returns (exit status, output)."""
    p = subprocess.run(["promtool", *args], capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout + p.stderr


def finite(v):
    return v is not None and not math.isnan(v)
