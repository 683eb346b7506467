"""harness: run the real collectd daemon with the built plugin, read back
what collectd's csv writer wrote.

Every test gets a fresh directory with:
  plugins/       copies of Debian's csv.so, logfile.so, ... and of
                 build/attack_origin.so (collectd loads from one PluginDir
                 and refuses symlinks)
  collectd.conf  Hostname "test", Interval 1, logfile + csv, and
                 conf.d/attack_origin.conf included after the test's
                 substitutions (so the shipped example cannot rot)
  csv/           the csv writer's output (StoreRates false: raw counters)
  collectd.log   collectd's own log
"""

import glob
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# AO_BUILD: another build directory (`make sanitize` uses build-san).
BUILD = os.environ.get("AO_BUILD", os.path.join(REPO, "build"))
PLUGIN = os.path.join(BUILD, "attack_origin.so")
CLI = os.path.join(BUILD, "attack-origin")
TESTDATA = os.environ.get("AO_TEST_DATA", os.path.join(BUILD, "testdata"))
GEO_TSV = os.path.join(REPO, "tests", "data", "test-geo.tsv")
SHIPPED_CONF = os.path.join(REPO, "conf.d", "attack_origin.conf")
COLLECTD = os.environ.get("COLLECTD", "/usr/sbin/collectd")
SYSTEM_PLUGINS = os.environ.get("COLLECTD_PLUGINS", "/usr/lib/collectd")
HOST = "test"

sys.path.insert(0, os.path.join(REPO, "tests", "tools"))


# --- sanitizers (`make sanitize`) ---------------------------------------------
# With AO_SANITIZE=1 the plugin and the CLI in AO_BUILD are built with ASan and
# UBSan. collectd itself is not: its processes get the sanitizer runtimes
# preloaded (the runtime must be loaded before the plugin), ASAN_OPTIONS and
# UBSAN_OPTIONS (set by tests/sanitize/run.sh for every process of the run)
# send reports to AO_SANITIZE_LOGS/{asan,ubsan}.<pid>, and each collectd's
# reports are checked when it stops (sanitizer_reports()).
SANITIZE = os.environ.get("AO_SANITIZE") == "1"
SAN_LOGS = os.environ.get("AO_SANITIZE_LOGS", "")


def sanitizer_preload():
    out = []
    for lib in ("libasan.so", "libubsan.so"):
        p = subprocess.run(["gcc", "-print-file-name=" + lib],
                           capture_output=True, text=True).stdout.strip()
        out.append(os.path.realpath(p))
    return ":".join(out)


def _ours(block):
    """A report block that involves the plugin's own code (or a library it
    called): a frame in attack_origin.so or the attack-origin CLI, a source
    under plugin/, or a function of ours (ao_*)."""
    return re.search(r"attack_origin\.so|attack-origin|"
                     r"\bplugin/(?:core|collectd|cli)/|\bin ao_\w+",
                     block) is not None


def sanitizer_reports(pid):
    """(failures, tolerated) report texts a process left behind. Every
    ASan/UBSan error is a failure. A leak is a failure when its allocation
    stack has a frame of ours; collectd's own leaks at exit (allocations
    made by collectd with none of our frames on the stack) are tolerated
    and returned apart, so that the run can list them."""
    fails, tolerated = [], []
    if not SANITIZE or not SAN_LOGS:
        return fails, tolerated
    for path in sorted(glob.glob(os.path.join(SAN_LOGS, "*.%d" % pid))):
        with open(path, errors="replace") as f:
            text = f.read()
        if "LeakSanitizer" not in text:
            fails.append(text)
            continue
        blocks = re.split(r"\n(?=(?:Direct|Indirect) leak of )", text)
        for b in blocks[1:]:
            (fails if _ours(b) else tolerated).append(b.strip())
        if "ERROR: AddressSanitizer" in text or "runtime error" in text:
            fails.append(text)
    return fails, tolerated


def set_option(text, name, value):
    """Sets `name value` in a collectd config text: the one line that shows
    the option (commented out or not) is replaced. Fails when the shipped
    example no longer shows the option exactly once."""
    pat = re.compile(r"^(\s*)#?\s*%s\s.*$" % re.escape(name), re.M)
    matches = pat.findall(text)
    if len(matches) != 1:
        raise AssertionError("conf.d/attack_origin.conf shows %s %d times"
                             % (name, len(matches)))
    return pat.sub(lambda m: "%s%s %s" % (m.group(1), name, value), text)


def quote(s):
    return '"%s"' % s


def shipped_conf(log_file, db=None, **options):
    """conf.d/attack_origin.conf with File, GeoIPDatabase and any other
    option (keyword name = option name) set."""
    with open(SHIPPED_CONF) as f:
        text = f.read()
    text = set_option(text, "File", quote(log_file))
    if db is not None:
        text = set_option(text, "GeoIPDatabase", quote(db))
    for k, v in options.items():
        text = set_option(text, k, quote(v) if isinstance(v, str) else str(v))
    return text


class Collectd:
    """One collectd process in the foreground, in its own directory."""

    def __init__(self, workdir, plugin_conf, interval=1.0, extra_conf="",
                 plugins=("logfile", "csv"), host=HOST):
        self.dir = workdir
        self.host = host
        self.interval = interval
        self.proc = None
        # A command to run collectd under (e.g. setpriv dropping a
        # capability); empty: collectd itself.
        self.prefix = []
        pdir = os.path.join(workdir, "plugins")
        os.makedirs(pdir, exist_ok=True)
        for p in plugins:
            src = os.path.join(SYSTEM_PLUGINS, p + ".so")
            shutil.copy(src, os.path.join(pdir, p + ".so"))
        shutil.copy(PLUGIN, os.path.join(pdir, "attack_origin.so"))
        self.csv_dir = os.path.join(workdir, "csv")
        self.log_path = os.path.join(workdir, "collectd.log")
        with open(os.path.join(workdir, "attack_origin.conf"), "w") as f:
            f.write(plugin_conf)
        lines = [
            'Hostname "%s"' % host,
            "FQDNLookup false",
            "Interval %g" % interval,
            'BaseDir "%s"' % workdir,
            'PIDFile "%s/collectd.pid"' % workdir,
            'PluginDir "%s"' % pdir,
            'TypesDB "/usr/share/collectd/types.db"',
            "LoadPlugin logfile",
            "<Plugin logfile>",
            "  LogLevel info",
            '  File "%s"' % self.log_path,
            "  Timestamp true",
            "</Plugin>",
        ]
        if "csv" in plugins:
            lines += ["LoadPlugin csv", "<Plugin csv>",
                      '  DataDir "%s"' % self.csv_dir, "  StoreRates false",
                      "</Plugin>"]
        lines.append(extra_conf)
        lines.append('Include "%s/attack_origin.conf"' % workdir)
        self.conf = os.path.join(workdir, "collectd.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def test_config(self):
        """Starts collectd on the config as `collectd -T` (read every plugin
        once, then exit): collectd 5.12's `-t` exits before reading the
        config at all. Returns (exit status, stdout+stderr+log)."""
        p = subprocess.Popen([COLLECTD, "-T", "-C", self.conf],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=self._env())
        out, err = p.communicate(timeout=60)
        check_sanitizers(p.pid, "collectd -T")
        return p.returncode, out + err + self.log()

    def _env(self):
        if not SANITIZE:
            return None
        return dict(os.environ, LD_PRELOAD=sanitizer_preload())

    def start(self):
        self.stdout = open(os.path.join(self.dir, "stdout"), "w")
        self.proc = subprocess.Popen(self.prefix +
                                     [COLLECTD, "-f", "-C", self.conf],
                                     stdout=self.stdout,
                                     stderr=subprocess.STDOUT,
                                     env=self._env())
        return self

    def stop(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stdout.close()
        rc = self.proc.returncode
        pid = self.proc.pid
        self.proc = None
        check_sanitizers(pid, "collectd")
        return rc

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    # --- reading the csv writer's files -----------------------------------

    def series(self, instance, type_, type_instance):
        """All (time, value) rows collectd wrote for one identifier."""
        return [(t, v[0]) for t, v in csv_rows(
            self.csv_dir, self.host, "attack_origin-%s" % instance,
            "%s-%s" % (type_, type_instance)) if len(v) == 1]

    def last(self, instance, type_, type_instance):
        rows = self.series(instance, type_, type_instance)
        return rows[-1][1] if rows else None

    def instances(self, instance, type_):
        """type instances of one type that have a file."""
        d = os.path.join(self.csv_dir, self.host, "attack_origin-%s" % instance)
        out = set()
        for path in glob.glob(os.path.join(d, "%s-*" % type_)):
            m = re.fullmatch(r"%s-(.+)-\d{4}-\d{2}-\d{2}" % re.escape(type_),
                             os.path.basename(path))
            if m:
                out.add(m.group(1))
        return out

    def wait_for(self, what, predicate, timeout=20.0):
        """Polls predicate() until true; fails with `what` and the log."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self.alive():
                fails, _ = sanitizer_reports(self.proc.pid)
                raise AssertionError("collectd exited while waiting for %s:\n%s%s"
                                     % (what, self.log()[-3000:],
                                        "".join("\nsanitizer report:\n" + f[:6000]
                                                for f in fails)))
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError("timed out waiting for %s\ncollectd.log:\n%s"
                             % (what, self.log()[-3000:]))

    def wait_lines(self, instance, n, timeout=20.0):
        """Waits until lines_read reached n, then for one more dispatch so
        that every value of that read has been written."""
        self.wait_for("lines_read >= %d" % n,
                      lambda: (self.last(instance, "derive", "lines_read")
                               or 0) >= n, timeout)
        t0 = self.series(instance, "derive", "lines_read")[-1][0]
        self.wait_for("a later dispatch",
                      lambda: self.series(instance, "derive",
                                          "lines_read")[-1][0] > t0 + 0.5,
                      timeout)
        time.sleep(0.3)


TOLERATED = []  # collectd's own leaks seen in this run (see run.py)


def check_sanitizers(pid, what):
    """Fails the calling test when process pid left a sanitizer report that
    involves our code."""
    fails, tolerated = sanitizer_reports(pid)
    TOLERATED.extend(tolerated)
    if fails:
        raise AssertionError("%s (pid %d): sanitizer reports:\n%s" % (
            what, pid, "\n----\n".join(f[:6000] for f in fails)))


def is_nan(v):
    return v is not None and math.isnan(v)


def csv_rows(csv_dir, host, plugin_dir, name):
    """(time, [values]) rows of csv/<host>/<plugin_dir>/<name>-DATE files:
    collectd's csv writer makes one file a day (the date suffix sorts them);
    a name may itself contain '-', so it is matched exactly. A line that
    does not parse (cut short by a kill -9 of collectd) is skipped."""
    rows = []
    for path in sorted(glob.glob(os.path.join(csv_dir, host, plugin_dir,
                                              name + "-*"))):
        if not re.fullmatch(re.escape(name) + r"-\d{4}-\d{2}-\d{2}",
                            os.path.basename(path)):
            continue
        with open(path) as f:
            for line in f:
                if line.startswith("epoch"):
                    continue
                try:
                    parts = line.strip().split(",")
                    rows.append((float(parts[0]),
                                 [float(v) for v in parts[1:]]))
                except ValueError:
                    continue
    return rows


class Workdir:
    """A temporary directory removed unless AO_KEEP is set."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="ao-it-")
        return self.path

    def __exit__(self, *exc):
        if os.environ.get("AO_KEEP"):
            print("kept", self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def append(path, lines, newline=True):
    with open(path, "a") as f:
        for i, line in enumerate(lines):
            f.write(line)
            if newline or i < len(lines) - 1:
                f.write("\n")


def mkmmdb(tsv, out, layout="maxmind", extra=()):
    subprocess.run(["perl", os.path.join(REPO, "tests", "tools", "mkmmdb.pl"),
                    "--layout", layout, *extra, tsv, out], check=True)
