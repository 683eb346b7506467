"""Lines as the real servers write them: Debian's nginx and Apache, started
on loopback ports with custom log formats, receive ordinary and hostile
requests over raw sockets (quotes, backslashes, CR/LF attempts, high bytes,
a long URI, TLS bytes on a plain port, spoofed X-Forwarded-For, a Basic-auth
user name built to fake fields). `attack-origin fields` must read back,
field by field, what the test sent; `attack-origin scan` and the collectd
plugin must count the client behind a trusted proxy and never a spoofed
entry.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import unittest
import urllib.parse

from harness import CLI, TESTDATA, Collectd, Workdir, shipped_conf

DB = os.path.join(TESTDATA, "test-country.mmdb")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
APACHE_MODULES = "/usr/lib/apache2/modules"

# The formats, written once: nginx.conf and attack-origin get the same text.
NGINX_MAIN = ('$remote_addr - $remote_user [$time_local] "$request" $status '
              '$body_bytes_sent "$http_referer" "$http_user_agent" '
              '"$http_x_forwarded_for" $request_time $upstream_response_time '
              '$host')
NGINX_JSON = ('{"time":"$time_iso8601","addr":"$remote_addr",'
              '"req":"$request","status":$status,"ua":"$http_user_agent",'
              '"ref":"$http_referer","xff":"$http_x_forwarded_for",'
              '"uri":"$uri","args":"$args","user":"$remote_user",'
              '"rt":$request_time}')
NGINX_NONE = '$remote_addr [$time_local] "$request" $status "$http_user_agent"'
APACHE_COMBINED_XFF = ('%h %l %u %t "%r" %>s %b "%{Referer}i" '
                       '"%{User-Agent}i" "%{X-Forwarded-For}i"')
APACHE_FIELDS = ('%a [%{%Y-%m-%d %H:%M:%S}t] %m %U%q %H %>s %D '
                 '"%{User-agent}i" %V')

LONG = b"/long/" + b"a" * 6000


def request(method=b"GET", target=b"/", proto=b"HTTP/1.1", headers=()):
    h = [(b"Host", b"shop.example")] + list(headers) + \
        [(b"Connection", b"close")]
    return b"%s %s %s\r\n%s\r\n" % (
        method, target, proto, b"".join(b"%s: %s\r\n" % kv for kv in h))


def user_header(user):
    return (b"Authorization",
            b"Basic " + base64.b64encode(user + b":secret"))


# (name, raw request, what a parser must read back: None = not checked)
CASES = [
    ("plain", request(b"GET", b"/index.html?x=1", headers=[
        (b"User-Agent", b"Mozilla/5.0 (X11; Linux x86_64)"),
        (b"Referer", b"https://ref.example/a?b=c"),
        (b"X-Forwarded-For", b"81.2.69.160")]),
     dict(method=b"GET", target=b"/index.html?x=1",
          ua=b"Mozilla/5.0 (X11; Linux x86_64)",
          referer=b"https://ref.example/a?b=c", xff=b"81.2.69.160")),
    ("sqli", request(b"GET",
                     b"/search?q=1%27%20UNION%20SELECT%20password%20FROM%20"
                     b"users--", headers=[(b"User-Agent", b"sqlmap/1.7.2")]),
     dict(method=b"GET",
          target=b"/search?q=1%27%20UNION%20SELECT%20password%20FROM%20"
                 b"users--", ua=b"sqlmap/1.7.2", referer=None, xff=None)),
    ("quotes and backslashes", request(b"POST", b"/login", headers=[
        (b"User-Agent", b'a "quoted" \\back\\slash" 200 1 "-" "x'),
        (b"Referer", b'x" 500 9 "y'),
        (b"Content-Length", b"0")]),
     dict(method=b"POST", target=b"/login",
          ua=b'a "quoted" \\back\\slash" 200 1 "-" "x',
          referer=b'x" 500 9 "y', xff=None)),
    ("high bytes", request(b"GET", b"/caf\xc3\xa9/\xff\xfe?k=\xe9",
                           headers=[(b"User-Agent", b"ua-\xc3\xa9\xff")]),
     dict(method=b"GET", target=b"/caf\xc3\xa9/\xff\xfe?k=\xe9",
          ua=b"ua-\xc3\xa9\xff", referer=None, xff=None)),
    ("CR LF attempts", request(b"GET", b"/a%0D%0Ab/..%2f..%2fetc%2fpasswd",
                               headers=[(b"User-Agent", b"tab\there")]),
     dict(method=b"GET", target=b"/a%0D%0Ab/..%2f..%2fetc%2fpasswd",
          ua=b"tab\there", referer=None, xff=None)),
    ("long URI", request(b"GET", LONG, headers=[(b"User-Agent", b"long")]),
     dict(method=b"GET", target=LONG, ua=b"long", referer=None, xff=None)),
    ("spoofed X-Forwarded-For", request(b"GET", b"/.env", headers=[
        (b"User-Agent", b"curl/8.0"),
        (b"X-Forwarded-For", b"6.6.6.6, 89.160.20.112")]),
     dict(method=b"GET", target=b"/.env", ua=b"curl/8.0", referer=None,
          xff=b"6.6.6.6, 89.160.20.112")),
    ("JSON breaker", request(b"GET", b"/j", headers=[
        (b"User-Agent", b'"},"status":500,"addr":"6.6.6.6\\"')]),
     dict(method=b"GET", target=b"/j",
          ua=b'"},"status":500,"addr":"6.6.6.6\\"', referer=None,
          xff=None)),
    ("control byte", request(b"GET", b"/c", headers=[
        (b"User-Agent", b"ctl\x01\x7f")]),
     dict(method=b"GET", target=b"/c", ua=b"ctl\x01\x7f", referer=None,
          xff=None)),
    ("user name faking fields", request(b"GET", b"/admin", headers=[
        user_header(b'a b" [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" '
                    b'200 1'), (b"User-Agent", b"basic")]),
     dict(method=b"GET", target=b"/admin", ua=b"basic", referer=None,
          xff=None)),
    ("HTTP/1.0 HEAD", b"HEAD /robots.txt HTTP/1.0\r\n\r\n",
     dict(method=b"HEAD", target=b"/robots.txt", ua=None, referer=None,
          xff=None)),
    ("TLS on a plain port", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
     b"\x8a\x22\x5c\x00 junk\r\n\r\n",
     dict(method=None, target=None, ua=None, referer=None, xff=None)),
]


class CollectdString:
    """A value written into collectd.conf as a quoted string with collectd's
    escapes (the harness quotes plain strings without escaping)."""

    def __init__(self, s):
        self.s = s

    def __str__(self):
        return '"%s"' % self.s.replace("\\", "\\\\").replace('"', '\\"')


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def send(port, raw):
    """Sends raw bytes, returns the status the server answered (or 0)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    parts = data.split(b" ", 2)
    return int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0


def wait_port(port, proc, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise AssertionError("server exited: %s" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("server did not listen on %d" % port)


def wait_lines(path, n, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            with open(path, "rb") as f:
                if f.read().count(b"\n") >= n:
                    return
        time.sleep(0.05)
    raise AssertionError("%s has fewer than %d lines" % (path, n))


def fields(args, path):
    p = subprocess.run([CLI, "fields", *args, path], capture_output=True,
                       timeout=60)
    if p.returncode != 0:
        raise AssertionError(p.stderr.decode())
    return [json.loads(l) for l in p.stdout.decode().splitlines()]


def b(v):
    """A JSON string of `attack-origin fields` back to bytes (Latin-1)."""
    return None if v is None else v.encode("latin-1")


class ServerLogs:
    """Runs the requests through one server, returns its logs."""

    def __init__(self, test, workdir):
        self.t, self.d = test, workdir
        self.statuses = []

    def run_all(self, port, proc, logs):
        wait_port(port, proc)
        for name, raw, _ in CASES:
            self.statuses.append(send(port, raw))
        for path in logs:
            wait_lines(path, len(CASES))

    def check(self, rows, what, check_target=True, check_ua=True,
              check_referer=True, check_xff=True):
        t = self.t
        t.assertEqual(len(rows), len(CASES), what)
        for (name, raw, want), row, status in zip(CASES, rows,
                                                  self.statuses):
            msg = "%s: %s: %r" % (what, name, row)
            t.assertEqual(row["result"], "ok", msg)
            t.assertEqual(row["addr"], "127.0.0.1", msg)
            if status:
                t.assertEqual(row["status"], status, msg)
            if want["method"] is None:
                continue  # no HTTP request to compare
            if row["method"] is None and status == 400:
                continue  # the server refused the line before parsing it
            t.assertEqual(b(row["method"]), want["method"], msg)
            if check_target:
                t.assertEqual(b(row["target"]), want["target"], msg)
            if status == 400:
                continue  # refused before its headers were read
            if check_ua:
                t.assertEqual(b(row["user_agent"]), want["ua"], msg)
            if check_referer:
                t.assertEqual(b(row["referer"]), want["referer"], msg)
            if check_xff:
                t.assertEqual(b(row["xff"]), want["xff"], msg)


@unittest.skipUnless(os.path.exists(NGINX), "nginx is not installed")
class TestNginx(unittest.TestCase):

    def test_nginx_formats(self):
        with Workdir() as d:
            os.chmod(d, 0o755)
            port = free_port()
            main = os.path.join(d, "main.log")
            js = os.path.join(d, "json.log")
            raw = os.path.join(d, "none.log")
            for sub in ("tmp",):
                os.makedirs(os.path.join(d, sub))
            conf = os.path.join(d, "nginx.conf")
            with open(conf, "w") as f:
                f.write("""
daemon off;
master_process on;
worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log;
events { worker_connections 64; }
http {
  client_body_temp_path %(d)s/tmp;
  proxy_temp_path %(d)s/tmp;
  fastcgi_temp_path %(d)s/tmp;
  uwsgi_temp_path %(d)s/tmp;
  scgi_temp_path %(d)s/tmp;
  large_client_header_buffers 4 16k;
  log_format main '%(main)s';
  log_format js escape=json '%(js)s';
  log_format raw escape=none '%(none)s';
  access_log %(d)s/main.log main;
  access_log %(d)s/json.log js;
  access_log %(d)s/none.log raw;
  server {
    listen 127.0.0.1:%(port)d;
    location / { return 404; }
    location = /login { return 401; }
  }
}
""" % dict(d=d, port=port, main=NGINX_MAIN, js=NGINX_JSON,
           none=NGINX_NONE))
            proc = subprocess.Popen([NGINX, "-c", conf, "-p", d],
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                srv = ServerLogs(self, d)
                srv.run_all(port, proc, [main, js, raw])
            finally:
                proc.terminate()
                proc.wait(timeout=15)

            # escape=default, as the bare format and as nginx.conf's quoted
            # segments
            srv.check(fields(["--format", "nginx", "--log-format",
                              NGINX_MAIN], main), "nginx main")
            quoted = "'%s'\n  '%s';" % (NGINX_MAIN[:40], NGINX_MAIN[40:])
            self.assertEqual(
                fields(["--format", "nginx", "--log-format", quoted], main),
                fields(["--format", "nginx", "--log-format", NGINX_MAIN],
                       main))
            # escape=json: every line is a JSON object (nginx writes bytes
            # >= 0x80 raw, so not always UTF-8), values decoded
            with open(js, "rb") as f:
                for line in f:
                    self.assertIsInstance(json.loads(line.decode("latin-1")),
                                          dict)
            srv.check(fields(["--format", "nginx", "--escape", "json",
                              "--log-format", NGINX_JSON], js), "nginx json")
            # Format json reads the same lines through yajl
            srv.check(fields(["--format", "json", "--client-field", "addr",
                              "--request-field", "req", "--status-field",
                              "status", "--user-agent-field", "ua",
                              "--referer-field", "ref", "--xff-field",
                              "xff"], js), "nginx json as Format json")
            # escape=none: raw quotes; the client address and request still
            # read right, the quoted user agent is the last field
            rows = fields(["--format", "nginx", "--escape", "none",
                           "--log-format", NGINX_NONE], raw)
            srv.check(rows, "nginx escape=none", check_referer=False,
                      check_xff=False, check_ua=False)

            # Format combined reads nginx main's trailing X-Forwarded-For
            # too; behind a trusted proxy the client is the rightmost
            # untrusted entry, never the spoofed 6.6.6.6
            for args in (["--format", "nginx", "--log-format", NGINX_MAIN],
                         ["--format", "combined"]):
                p = subprocess.run(
                    [CLI, "scan", "--verdicts", "--geoip", DB,
                     "--trusted-proxy", "127.0.0.0/8", "--trusted-proxy",
                     "::1", *args, main], capture_output=True, text=True,
                    timeout=60)
                v = [json.loads(l) for l in p.stdout.splitlines()]
                ips = [x["ip"] for x in v]
                self.assertEqual(ips[0], "81.2.69.160", args)
                self.assertEqual(ips[6], "89.160.20.112", args)
                self.assertNotIn("6.6.6.6", ips, args)
                self.assertEqual(ips[1], "127.0.0.1", args)
                self.assertEqual(v[6]["country"], "SE")


@unittest.skipUnless(os.path.exists(APACHE), "apache2 is not installed")
class TestApache(unittest.TestCase):

    def test_apache_formats(self):
        with Workdir() as d:
            os.chmod(d, 0o755)
            port = free_port()
            www = os.path.join(d, "www")
            os.makedirs(www)
            comb = os.path.join(d, "combined.log")
            flds = os.path.join(d, "fields.log")
            conf = os.path.join(d, "apache2.conf")

            def esc(s):
                return s.replace("\\", "\\\\").replace('"', '\\"')
            with open(conf, "w") as f:
                f.write("""
LoadModule mpm_prefork_module %(m)s/mod_mpm_prefork.so
LoadModule authz_core_module %(m)s/mod_authz_core.so
ServerName localhost
Listen 127.0.0.1:%(port)d
PidFile %(d)s/apache2.pid
DefaultRuntimeDir %(d)s
Mutex file:%(d)s default
User nobody
Group nogroup
ErrorLog %(d)s/error.log
LimitRequestLine 16000
DocumentRoot %(www)s
<Directory %(www)s>
  Require all granted
</Directory>
LogFormat "%(comb)s" comb
LogFormat "%(flds)s" flds
CustomLog %(d)s/combined.log comb
CustomLog %(d)s/fields.log flds
""" % dict(m=APACHE_MODULES, port=port, d=d, www=www,
           comb=esc(APACHE_COMBINED_XFF), flds=esc(APACHE_FIELDS)))
            env = dict(os.environ, APACHE_RUN_DIR=d, APACHE_LOCK_DIR=d,
                       APACHE_LOG_DIR=d, APACHE_PID_FILE=d + "/apache2.pid")
            proc = subprocess.Popen([APACHE, "-f", conf, "-DFOREGROUND"],
                                    env=env, start_new_session=True,
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                srv = ServerLogs(self, d)
                srv.run_all(port, proc, [comb, flds])
            finally:
                proc.terminate()
                proc.wait(timeout=15)
            srv.check(fields(["--format", "apache", "--log-format",
                              APACHE_COMBINED_XFF], comb), "apache combined")
            # %U is the decoded path and %q the query: compare the method,
            # status, user agent; the target where nothing was encoded
            rows = fields(["--format", "apache", "--log-format",
                           APACHE_FIELDS], flds)
            srv.check(rows, "apache %U%q", check_target=False,
                      check_referer=False, check_xff=False)
            for (name, raw, want), row in zip(CASES, rows):
                tgt = want["target"]
                if tgt and b"%" not in tgt and b"\xff" not in tgt and \
                        b"\xc3" not in tgt:
                    path, _, query = tgt.partition(b"?")
                    self.assertEqual(b(row["target"]), path, name)
                    self.assertEqual(b(row["query"]), query or None, name)
            # the same log through Format combined and Format apache: the
            # same attacks
            a = subprocess.run([CLI, "scan", "--json", "--format", "apache",
                                "--log-format", APACHE_COMBINED_XFF, comb],
                               capture_output=True, text=True, timeout=60)
            c = subprocess.run([CLI, "scan", "--json", comb],
                               capture_output=True, text=True, timeout=60)
            ja, jc = json.loads(a.stdout), json.loads(c.stdout)
            self.assertEqual(ja["attacks"], jc["attacks"])
            self.assertEqual(ja["categories"], jc["categories"])
            # the UNION SELECT, the ../etc/passwd climb, the /.env probe
            for cat in ("sqli", "traversal", "probe"):
                self.assertGreaterEqual(ja["categories"][cat], 1, cat)


@unittest.skipUnless(os.path.exists(NGINX), "nginx is not installed")
class TestPluginReadsNginxJson(unittest.TestCase):
    """The collectd plugin with the shipped configuration, Format nginx with
    escape=json and a trusted proxy: it counts the client behind the proxy."""

    def test_plugin(self):
        with Workdir() as d:
            log = os.path.join(d, "json.log")
            open(log, "w").close()
            conf = shipped_conf(log, DB, Format="nginx",
                                LogFormat=CollectdString(NGINX_JSON),
                                Escape="json", TrustedProxy="10.0.0.0/8")
            cd = Collectd(d, conf).start()
            try:
                cd.wait_for("the first read",
                            lambda: cd.last("web", "derive", "lines_read")
                            == 0)

                def line(addr, req, xff, ua="x"):
                    return json.dumps(
                        {"time": "2026-11-28T10:00:00+00:00", "addr": addr,
                         "req": req, "status": 404, "ua": ua, "ref": "",
                         "xff": xff, "uri": "/", "args": "", "user": "",
                         "rt": 0.001}, separators=(",", ":"))
                with open(log, "a") as f:
                    for _ in range(3):
                        f.write(line("10.0.0.1", "GET /.env HTTP/1.1",
                                     "6.6.6.6, 81.2.69.160") + "\n")
                    f.write(line("89.160.20.112", "GET /.git/config "
                                 "HTTP/1.1", "81.2.69.160") + "\n")
                    f.write(line("10.0.0.1", "GET / HTTP/1.1", "") + "\n")
                cd.wait_lines("web", 5)
                cd.wait_for("counters",
                            lambda: cd.last("web", "total_events", "GB")
                            == 3.0)
                self.assertEqual(cd.last("web", "total_events", "SE"), 1.0)
                self.assertIsNone(cd.last("web", "total_events", "ZZ"))
                self.assertEqual(cd.last("web", "derive", "lines_unparsed"),
                                 0.0)
            finally:
                cd.stop()


if __name__ == "__main__":
    unittest.main()


class TestCliFormats(unittest.TestCase):
    """The format flags of `attack-origin scan`, checked by the same code as
    the plugin's options."""

    def run_cli(self, *args):
        p = subprocess.run([CLI, *args], capture_output=True, text=True,
                           timeout=60)
        return p.returncode, p.stdout, p.stderr

    def test_format_errors_exit_2(self):
        with Workdir() as d:
            log = os.path.join(d, "x.log")
            open(log, "w").close()
            for args, words in [
                (("--format", "nginx", "--log-format", "$remote_addr $(x)"),
                 "unknown variable syntax at position 14"),
                (("--format", "apache", "--log-format", '%h "%r %>s'),
                 "unbalanced quotes"),
                (("--format", "nginx"), "needs LogFormat"),
                (("--format", "regex", "--regex", r"^(?<ip>\S+)"),
                 "(?<client>...)"),
                (("--format", "json"), "needs ClientField"),
                (("--trusted-proxy", "10.0.0.1/8"), "TrustedProxy"),
                (("--escape", "json"), "Escape: only used with Format"),
            ]:
                rc, out, err = self.run_cli("scan", *args, log)
                self.assertEqual(rc, 2, args)
                self.assertIn(words, err, args)

    def test_sshd_shared_sample(self):
        path = os.environ.get("AO_SHARED_DATA", os.path.normpath(
            os.path.join(os.path.dirname(__file__), "..", "..", "..",
                         "shared", "data")))
        log = os.path.join(path, "auth_logs", "elastic_auth.log")
        if not os.path.exists(log):
            self.skipTest("../shared/data is absent")
        rc, out, err = self.run_cli("scan", "--json", "--format", "sshd",
                                    "--geoip", DB, log)
        self.assertEqual(rc, 0, err)
        j = json.loads(out)
        self.assertEqual(j["lines_read"], 7121)
        self.assertEqual(j["lines_ignored"], 3026)
        self.assertEqual(j["lines_unparsed"], 0)
        self.assertEqual(j["attacks"], 1191)
        self.assertEqual(j["categories"]["auth"], 1155)
        self.assertEqual(j["categories"]["scanner"], 36)
