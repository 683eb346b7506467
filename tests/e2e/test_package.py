"""The packages: the .deb really installed on this machine (dpkg -i), run by
collectd with the installed configuration, then purged without leftovers;
the .rpm installed into a scratch root with rpm --root, then erased.

`make e2e` builds both (make deb, make rpm) first. The .deb test needs root
and skips when the package was already installed before it (it would purge
someone's installation).
"""

import glob
import re
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, "tests", "tools"))

import loggen  # noqa: E402
from harness import Workdir, append, set_option  # noqa: E402

PKG = "collectd-attack-origin"
DEB_DIR = os.path.join(REPO, "build", "deb")
RPM_DIR = os.path.join(REPO, "build", "rpm")
DEMO_TSV = os.path.join(REPO, "tests", "data", "demo-geo.tsv")
DEMO_DB = os.path.join(REPO, "build", "demo", "demo-country.mmdb")
CONFFILE = "/etc/collectd/collectd.conf.d/attack_origin.conf"
NGINX_LOG = "/var/log/nginx/access.log"


def run(*cmd, check=True, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    if check and p.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(cmd), p.returncode,
                                                     p.stdout, p.stderr))
    return p


def dpkg(*args):
    """dpkg, waiting while another dpkg or apt holds the lock."""
    deadline = time.time() + 300
    while True:
        p = run("dpkg", *args, check=False)
        if p.returncode == 0 or "lock" not in p.stderr or time.time() > deadline:
            return p
        time.sleep(2)


def installed():
    p = run("dpkg-query", "-W", "-f=${Status}", PKG, check=False)
    return "install ok installed" in p.stdout


def deb_path():
    debs = [d for d in glob.glob(os.path.join(DEB_DIR, "%s_*.deb" % PKG))]
    return debs[0] if len(debs) == 1 else None


class InstalledCollectd:
    """collectd-core's daemon with the installed plugin (default PluginDir
    /usr/lib/collectd) and the installed snippet, included the way Debian's
    /etc/collectd/collectd.conf includes collectd.conf.d (limited to our
    file, so that other packages' snippets stay out of the test)."""

    def __init__(self, d, include_dir="/etc/collectd/collectd.conf.d",
                 pattern="attack_origin.conf"):
        self.d = d
        self.log = os.path.join(d, "collectd.log")
        self.csv = os.path.join(d, "csv")
        self.conf = os.path.join(d, "collectd.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join([
                'Hostname "pkgtest"', "FQDNLookup false", "Interval 1",
                'BaseDir "%s"' % d, 'PIDFile "%s/collectd.pid"' % d,
                "LoadPlugin logfile",
                "<Plugin logfile>", '  File "%s"' % self.log, "</Plugin>",
                "LoadPlugin csv",
                "<Plugin csv>", '  DataDir "%s"' % self.csv,
                "  StoreRates false", "</Plugin>",
                '<Include "%s">' % include_dir, '  Filter "%s"' % pattern,
                "</Include>", ""]))
        self.proc = None

    def __enter__(self):
        self.out = open(os.path.join(self.d, "stdout"), "w")
        self.proc = subprocess.Popen(["/usr/sbin/collectd", "-f", "-C",
                                      self.conf], stdout=self.out,
                                     stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.out.close()

    def last(self, name):
        files = sorted(glob.glob(os.path.join(
            self.csv, "pkgtest", "attack_origin-web", name + "-*")))
        if not files:
            return None
        with open(files[-1]) as f:
            rows = [l for l in f.read().splitlines() if not l.startswith("epoch")]
        return float(rows[-1].split(",")[1]) if rows else None

    def wait(self, what, pred, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("collectd exited:\n" + self.read_log())
            if pred():
                return
            time.sleep(0.2)
        raise AssertionError("timed out waiting for %s\n%s" % (what,
                                                              self.read_log()))

    def read_log(self):
        try:
            with open(self.log) as f:
                return f.read()
        except FileNotFoundError:
            return ""


@unittest.skipUnless(os.geteuid() == 0, "installing a .deb needs root")
class TestDeb(unittest.TestCase):

    def setUp(self):
        self.deb = deb_path()
        self.assertIsNotNone(self.deb, "no .deb in build/deb: run make deb")
        if installed():
            self.skipTest("%s is installed already: not touching it" % PKG)

    def test_install_run_purge(self):
        files = [l.split()[-1].lstrip(".") for l in
                 run("dpkg-deb", "-c", self.deb).stdout.splitlines()]
        owned = [f for f in files if not f.endswith("/")]
        try:
            p = dpkg("-i", self.deb)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertTrue(installed())
            conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", PKG).stdout
            self.assertIn(CONFFILE, conffiles)
            for f in ("/usr/lib/collectd/attack_origin.so",
                      "/usr/bin/attack-origin", CONFFILE,
                      "/usr/share/doc/%s/dashboards/attack_origin-prometheus.json" % PKG,
                      "/usr/share/doc/%s/copyright" % PKG):
                self.assertTrue(os.path.exists(f), f)
            self.assertEqual(run("/usr/bin/attack-origin", "--version").stdout
                             .strip(), "attack-origin 0.1.0")
            self.check_cli()
            self.check_shipped_config()
            self.check_counts()
        finally:
            p = dpkg("--purge", PKG)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertFalse(installed())
        left = [f for f in owned if os.path.lexists(f)]
        self.assertEqual(left, [], "left behind after purge")
        for d in ("/usr/share/doc/%s" % PKG,):
            self.assertFalse(os.path.exists(d), d)
        self.assertEqual(glob.glob("/var/lib/dpkg/info/%s.*" % PKG), [])

    def check_cli(self):
        rows = loggen.load_geo(DEMO_TSV)
        gen = loggen.Generator(rows, seed=5)
        truth = loggen.Truth()
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            batch = gen.batch(200, 0.5)
            for _, t in batch:
                truth.add(t)
            append(log, [t for t, _ in batch])
            out = json.loads(run("/usr/bin/attack-origin", "scan", "--json",
                                 "--geoip", DEMO_DB, log).stdout)
            self.assertEqual({c["country"]: c["attacks"] for c in out["countries"]},
                             truth.by_country)

    def check_shipped_config(self):
        """The snippet exactly as installed: collectd starts, the plugin
        loads and dispatches its health metrics; without nginx's log it says
        so once and counts read errors, and keeps running."""
        with Workdir() as d:
            with InstalledCollectd(d) as cd:
                cd.wait("the plugin's metrics",
                        lambda: cd.last("derive-lines_read") is not None)
                time.sleep(2.5)
                log = cd.read_log()
                self.assertIn("attack_origin", log)
                if os.path.exists(NGINX_LOG):
                    self.assertEqual(cd.last("derive-read_errors"), 0)
                else:
                    self.assertGreaterEqual(cd.last("derive-read_errors"), 2)
                    self.assertEqual(cd.last("derive-lines_read"), 0)
                    self.assertEqual(log.count(NGINX_LOG), 2, log)  # reading ... + missing once
                self.assertIsNone(cd.proc.poll())

    def check_counts(self):
        """The installed plugin counts: the installed snippet with File and
        GeoIPDatabase set, on a generated log."""
        rows = loggen.load_geo(DEMO_TSV)
        gen = loggen.Generator(rows, seed=6)
        truth = loggen.Truth()
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            open(log, "w").close()
            with open(CONFFILE) as f:
                text = f.read()
            text = set_option(text, "File", '"%s"' % log)
            text = set_option(text, "GeoIPDatabase", '"%s"' % DEMO_DB)
            os.makedirs(os.path.join(d, "conf.d"))
            with open(os.path.join(d, "conf.d", "attack_origin.conf"), "w") as f:
                f.write(text)
            with InstalledCollectd(d, os.path.join(d, "conf.d")) as cd:
                cd.wait("the first read",
                        lambda: cd.last("derive-lines_read") == 0)
                batch = gen.batch(300, 0.4)
                for _, t in batch:
                    truth.add(t)
                append(log, [t for t, _ in batch])
                cd.wait("every line", lambda: cd.last("derive-lines_read") == 300)
                time.sleep(1.5)
                for cc, n in truth.by_country.items():
                    self.assertEqual(cd.last("total_events-%s" % cc), n, cc)


class TestRpm(unittest.TestCase):
    """The .rpm's contents and dependencies, and an install into a scratch
    root (rpm --root: its own rpm database; --nodeps since Debian has no
    rpm-packaged collectd), then erase."""

    def setUp(self):
        rpms = glob.glob(os.path.join(RPM_DIR, "RPMS", "*", "%s-*.rpm" % PKG))
        self.assertEqual(len(rpms), 1, "run make rpm")
        self.rpm = rpms[0]

    def test_contents(self):
        files = set(run("rpm", "-qlp", self.rpm).stdout.split())
        for f in ("/usr/lib64/collectd/attack_origin.so", "/usr/bin/attack-origin",
                  "/etc/collectd.d/attack_origin.conf",
                  "/usr/share/doc/%s/dashboards/attack_origin-influxdb.json" % PKG):
            self.assertIn(f, files)
        self.assertEqual(run("rpm", "-qcp", self.rpm).stdout.split(),
                         ["/etc/collectd.d/attack_origin.conf"])
        req = run("rpm", "-qp", "--requires", self.rpm).stdout
        self.assertIn("collectd >= 5.12", req)
        self.assertIn("libmaxminddb.so.0()(64bit)", req)
        prov = run("rpm", "-qp", "--provides", self.rpm).stdout
        self.assertNotIn("attack_origin.so", prov)

    def test_install_erase(self):
        with tempfile.TemporaryDirectory() as root:
            run("rpm", "--root", root, "--initdb")
            run("rpm", "--root", root, "-i", "--nodeps", self.rpm)
            self.assertTrue(os.path.exists(os.path.join(
                root, "usr/lib64/collectd/attack_origin.so")))
            p = run(os.path.join(root, "usr/bin/attack-origin"), "--version")
            self.assertEqual(p.stdout.strip(), "attack-origin 0.1.0")
            run("rpm", "--root", root, "-e", "--nodeps", PKG)
            # Everything but the scratch root's own rpm database (Debian's
            # rpm keeps it in ~/.rpmdb, Fedora's in /var/lib/rpm).
            dbs = [os.path.join(root, p) for p in ("root/.rpmdb", "var/lib/rpm",
                                                   "usr/lib/sysimage")]
            left = [os.path.join(dp, f) for dp, _, fs in os.walk(root)
                    for f in fs if not any(dp.startswith(x) for x in dbs)]
            self.assertEqual(left, [])


class TestBuildDependencies(unittest.TestCase):
    """Every library the Makefile links through pkg-config is a build
    dependency of both packages (debian/control: the Debian package that
    ships its .pc file; the spec: pkgconfig(NAME)), so that a library
    added to the build cannot be forgotten in the packaging."""

    def modules(self):
        with open(os.path.join(REPO, "Makefile")) as f:
            mk = f.read()
        libs = re.search(r"^LIBS = (.*)$", mk, re.M).group(1)
        out = []
        for var in re.findall(r"\$\((\w+)_LIBS\)", libs):
            m = re.search(r"^%s_LIBS := \$\(shell \$\(PKG_CONFIG\) --libs (\S+)"
                          % var, mk, re.M)
            self.assertIsNotNone(m, var)
            out.append(m.group(1))
        return out

    def test_declared(self):
        mods = self.modules()
        self.assertIn("libmaxminddb", mods)
        with open(os.path.join(REPO, "packaging", "debian", "control")) as f:
            control = f.read()
        bd = re.search(r"^Build-Depends:(.*?)^\S", control, re.M | re.S).group(1)
        bd = {re.split(r"[ (]", x.strip())[0] for x in bd.split(",") if x.strip()}
        with open(os.path.join(REPO, "packaging", "rpm",
                               "collectd-attack-origin.spec")) as f:
            spec = f.read()
        for mod in mods:
            pc = run("pkg-config", "--variable=pcfiledir", mod).stdout.strip()
            owner = run("dpkg", "-S", os.path.realpath(
                os.path.join(pc, mod + ".pc"))).stdout.split(":")[0]
            self.assertIn(owner, bd, "debian/control Build-Depends lacks %s"
                          % owner)
            self.assertIn("BuildRequires:  pkgconfig(%s)" % mod, spec)
