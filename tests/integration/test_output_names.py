"""Integration test: names that would break Graphite or InfluxDB lines
(reliability matrix G1).

The country in a metric identifier comes from the GeoIP database, which is
just a file: a broken or hostile one can hold any string as a country code.
Here a real .mmdb (tests/tools/mkmmdb.pl --escapes) stores "G.B" (an extra
Graphite path level), "G B" and "GB x=1" (a space: a Graphite field, an
InfluxDB tag separator), "GB\\n" (a line break: a new, forged line in every
line protocol), "GB,x=1" (an InfluxDB tag), a NUL, a 200-character string,
quotes, slashes and non-ASCII letters. Real collectd writes what the plugin
dispatches with its real writers - write_graphite (TCP, to a listener this
test runs), write_http in JSON and in collectd's PUTVAL command format (to
an HTTP server this test runs), and csv - and every line and every
identifier they produced is checked: only [A-Z]{2} countries, each of the
bad ones counted under ZZ, nothing split, nothing added.
"""

import http.server
import json
import os
import re
import socket
import socketserver
import threading
import unittest

from harness import (HOST, TESTDATA, Collectd, Workdir, append, mkmmdb,
                     shipped_conf)

TS = "[10/Oct/2026:13:55:36 +0000]"

# network, stored country (mkmmdb.pl --escapes syntax), an address in it,
# what it must count as.
ROWS = [
    ("81.2.69.0/24", "G.B", "81.2.69.160", "ZZ"),
    ("89.160.20.112/28", "G B", "89.160.20.113", "ZZ"),
    ("216.160.83.56/29", "GB\\n", "216.160.83.57", "ZZ"),
    ("67.43.156.0/24", "GB,x=1", "67.43.156.1", "ZZ"),
    ("202.196.224.0/20", "A" * 200, "202.196.224.1", "ZZ"),
    ("2001:218::/32", "GB x=1", "2001:218::1", "ZZ"),
    ("88.198.0.0/16", "G\\x00", "88.198.1.1", "ZZ"),
    ("51.38.0.0/16", "\\xc3\\x89\\xc3\\x89", "51.38.1.1", "ZZ"),
    ("200.160.0.0/20", "G/", "200.160.0.1", "ZZ"),
    ("168.126.0.0/16", 'G"', "168.126.63.1", "ZZ"),
    ("2a01:4f8::/32", "\\t\\r", "2a01:4f8::1", "ZZ"),
    ("193.0.0.0/21", "G\\\\", "193.0.0.1", "ZZ"),
    # Controls: a valid code, and a lower-case one (folded, still two
    # letters).
    ("2a00:1450::/32", "IE", "2a00:1450::1", "IE"),
    ("5.255.255.0/24", "gb", "5.255.255.5", "GB"),
]


class Sink:
    """Collects what the writers send: TCP bytes (Graphite plaintext) and
    HTTP POST bodies (write_http), on loopback ports chosen here."""

    def __init__(self):
        self.tcp = bytearray()
        self.posts = {}  # path -> [body bytes]
        self.lock = threading.Lock()
        sink = self

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                while True:
                    b = self.request.recv(65536)
                    if not b:
                        return
                    with sink.lock:
                        sink.tcp.extend(b)

        class Http(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                with sink.lock:
                    sink.posts.setdefault(self.path, []).append(body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.tcp_server = socketserver.ThreadingTCPServer(("127.0.0.1", 0),
                                                          Tcp)
        self.tcp_server.daemon_threads = True
        self.http_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                           Http)
        for srv in (self.tcp_server, self.http_server):
            threading.Thread(target=srv.serve_forever, daemon=True).start()

    @property
    def tcp_port(self):
        return self.tcp_server.server_address[1]

    @property
    def http_port(self):
        return self.http_server.server_address[1]

    def close(self):
        for srv in (self.tcp_server, self.http_server):
            srv.shutdown()
            srv.server_close()


def writers_conf(sink):
    return """
LoadPlugin write_graphite
<Plugin write_graphite>
  <Node "flat">
    Host "127.0.0.1"
    Port "%d"
    Protocol "tcp"
    StoreRates false
  </Node>
</Plugin>
LoadPlugin write_http
<Plugin write_http>
  <Node "json">
    URL "http://127.0.0.1:%d/json"
    Format "JSON"
    StoreRates false
  </Node>
  <Node "command">
    URL "http://127.0.0.1:%d/command"
    Format "Command"
    StoreRates false
  </Node>
</Plugin>
""" % (sink.tcp_port, sink.http_port, sink.http_port)


class TestOutputNames(unittest.TestCase):

    def test_bad_codes_never_reach_an_identifier(self):
        sink = Sink()
        with Workdir() as d:
            tsv = os.path.join(d, "bad.tsv")
            with open(tsv, "w") as f:
                for net, cc, _, _ in ROWS:
                    f.write("%s\t%s\t-\n" % (net, cc))
            db = os.path.join(d, "bad.mmdb")
            mkmmdb(tsv, db, extra=("--escapes",))
            with open(db, "rb") as f:
                raw = f.read()
            for hostile in (b"G.B", b"G B", b"GB\n", b"GB,x=1", b"GB x=1",
                            b"G\x00", b"A" * 200):
                self.assertIn(hostile, raw)  # the database really holds it
            log = os.path.join(d, "access.log")
            open(log, "w").close()
            cd = Collectd(d, shipped_conf(log, db, MinAttacks=1),
                          extra_conf=writers_conf(sink),
                          plugins=("logfile", "csv", "write_graphite",
                                   "write_http"))
            cd.start()
            want = {}
            try:
                cd.wait_for("the first read",
                            lambda: cd.last("web", "derive",
                                            "lines_read") == 0)
                lines = []
                for _, _, addr, cc in ROWS:
                    lines.append('%s - - %s "GET /.env HTTP/1.1" 404 1 "-" '
                                 '"Mozilla/5.0"' % (addr, TS))
                    want[cc] = want.get(cc, 0) + 1
                append(log, lines)
                cd.wait_lines("web", len(lines))
                got = {cc: cd.last("web", "total_events", cc)
                       for cc in cd.instances("web", "total_events")}
                self.assertEqual(got, {k: float(v) for k, v in want.items()})
                self.assertEqual(cd.last("web", "derive", "geoip_not_found"),
                                 want["ZZ"])
                # Let the writers flush at least one interval more.
                cd.wait_for("graphite lines",
                            lambda: b"total_events-ZZ" in bytes(sink.tcp))
                cd.wait_for("JSON posts", lambda: b"total_events" in
                            b"".join(sink.posts.get("/json", [])))
                cd.wait_for("command posts", lambda: b"total_events" in
                            b"".join(sink.posts.get("/command", [])))
            finally:
                self.assertEqual(cd.stop(), 0)
                sink.close()
        countries = set(want)
        self.check_graphite(bytes(sink.tcp), countries)
        self.check_json(sink.posts["/json"], countries)
        self.check_command(sink.posts["/command"], countries)

    def our_type_instances(self, pairs, countries):
        """(type, type_instance) of our per-country series: each country
        part is one of the expected [A-Z]{2} codes."""
        seen = set()
        for t, ti in pairs:
            if t in ("total_events", "percent"):
                cc = ti
            elif t == "total_requests":
                cc = ti.rsplit("-", 1)[-1]
            else:
                continue
            self.assertRegex(cc, r"^[A-Z]{2}$", (t, ti))
            self.assertIn(cc, countries, (t, ti))
            seen.add(cc)
        self.assertEqual(seen, countries)

    def check_graphite(self, data, countries):
        # write_graphite ends every line with CRLF.
        self.assertTrue(data.endswith(b"\r\n"))
        pat = re.compile(rb"^%s\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+) "
                         rb"(-?[0-9.e+-]+|nan|-?inf) [0-9]+$"
                         % HOST.encode())
        pairs = []
        for raw in data.split(b"\r\n")[:-1]:
            m = pat.match(raw)
            self.assertIsNotNone(m, "malformed Graphite line %r" % raw)
            plugin, metric = m.group(1).decode(), m.group(2).decode()
            if plugin == "attack_origin-web":
                t, ti = metric.split("-", 1)
                pairs.append((t, ti))
        self.assertTrue(pairs)
        self.our_type_instances(pairs, countries)

    def check_json(self, bodies, countries):
        pairs = []
        for body in bodies:
            for v in json.loads(body):
                for k in ("host", "plugin", "plugin_instance", "type",
                          "type_instance"):
                    self.assertNotRegex(v[k], r"[\s\x00,=\"\\/]", (k, v))
                if v["plugin"] == "attack_origin":
                    self.assertEqual(v["plugin_instance"], "web")
                    pairs.append((v["type"], v["type_instance"]))
        self.our_type_instances(pairs, countries)

    def check_command(self, bodies, countries):
        pat = re.compile(r'^PUTVAL (%s/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+) '
                         r'interval=[0-9.]+ [0-9.]+(:[-0-9.e+naif]+)+$'
                         % HOST)
        pairs = []
        for body in bodies:
            text = body.decode("ascii")  # anything else would be a failure
            for raw in text.split("\r\n" if "\r\n" in text else "\n"):
                if not raw:
                    continue
                m = pat.match(raw)
                self.assertIsNotNone(m, "malformed PUTVAL line %r" % raw)
                _, plugin, metric = m.group(1).split("/")
                if plugin == "attack_origin-web":
                    pairs.append(tuple(metric.split("-", 1)))
        self.our_type_instances(pairs, countries)


if __name__ == "__main__":
    unittest.main()
