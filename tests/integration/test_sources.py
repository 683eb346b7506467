"""Integration tests of the sources side (issues 3 and 4) in real collectd:
state files (damaged, unwritable), a backlog read in slices, glob patterns,
the journal (a real journal file written by systemd-journal-remote), a
permission denied later fixed, and configuration errors of the new options.
"""

import os
import shutil
import subprocess
import time
import unittest

from harness import (GEO_TSV, TESTDATA, Collectd, Workdir, append,
                     shipped_conf)
import loggen

DB = os.path.join(TESTDATA, "test-country.mmdb")
JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"


def attacks(gen, n, country="GB"):
    return [gen.line(True, "probe", addr=gen.address(country=country)[0])[0]
            for _ in range(n)]


def with_logs(conf, extra):
    i = conf.rindex("</Plugin>")
    return conf[:i] + extra + conf[i:]


class TestStateFile(unittest.TestCase):
    def test_damaged_state_fresh_start(self):
        """A state file cut short: a warning, counted in state_rejected, and
        a fresh start as StartAt says (end: nothing read again)."""
        gen = loggen.Generator(loggen.load_geo(GEO_TSV), seed=21)
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            append(log, attacks(gen, 30))
            with open(os.path.join(d, "attack_origin.state-web"), "w") as f:
                f.write("attack_origin-state 1\nlog web\ncounter lines_r")
            cd = Collectd(d, shipped_conf(log, DB)).start()
            try:
                cd.wait_for("a dispatch", lambda: cd.last(
                    "web", "derive", "lines_read") is not None)
                append(log, attacks(gen, 4))
                cd.wait_lines("web", 4)
                self.assertEqual(cd.last("web", "derive", "lines_read"), 4)
                self.assertEqual(cd.last("web", "derive", "state_rejected"), 1)
                self.assertIn("ignoring the state: state file", cd.log())
                self.assertIn("is truncated; starting afresh as StartAt "
                              "\"end\" says", cd.log())
            finally:
                cd.stop()
            # The next start resumes from the good file written since.
            with open(os.path.join(d, "attack_origin.state-web")) as f:
                self.assertTrue(f.read().startswith("attack_origin-state 1"))
            append(log, attacks(gen, 3))
            cd = Collectd(d, shipped_conf(log, DB)).start()
            try:
                cd.wait_lines("web", 7)
                self.assertEqual(cd.last("web", "total_events", "GB"), 7)
            finally:
                cd.stop()

    def test_unwritable_state(self):
        """A StateFile that cannot be written: reported (with collectd's
        back-off), counted every interval in state_save_failures, and
        counting goes on."""
        gen = loggen.Generator(loggen.load_geo(GEO_TSV), seed=22)
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            open(log, "w").close()
            conf = shipped_conf(log, DB, StateFile=os.path.join(
                d, "missing-dir", "state"))
            cd = Collectd(d, conf).start()
            try:
                cd.wait_for("a dispatch", lambda: cd.last(
                    "web", "derive", "lines_read") is not None)
                append(log, attacks(gen, 5))
                cd.wait_lines("web", 5)
                cd.wait_for("3 failures", lambda: (cd.last(
                    "web", "derive", "state_save_failures") or 0) >= 3)
                self.assertEqual(cd.last("web", "total_events", "GB"), 5)
                # Reported, not flooded: collectd's c_complain backs off
                # (the interval doubles after each message).
                failures = cd.last("web", "derive", "state_save_failures")
                msgs = cd.log().count("cannot write state file")
                self.assertGreaterEqual(msgs, 1)
                self.assertLess(msgs, failures, cd.log())
            finally:
                cd.stop()


class TestBacklog(unittest.TestCase):
    def test_backlog_in_slices(self):
        """A 20 MB append with ReadBudget 1 MiB: read over many intervals,
        the lag shows the rest, every line counted once, and collectd never
        complains that the read took longer than the interval."""
        gen = loggen.Generator(loggen.load_geo(GEO_TSV), seed=23)
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            open(log, "w").close()
            conf = shipped_conf(log, DB, ReadBudget=1048576)
            cd = Collectd(d, conf).start()
            try:
                cd.wait_for("a dispatch", lambda: cd.last(
                    "web", "derive", "lines_read") is not None)
                truth = loggen.Truth()
                batch = gen.batch(2000, 0.3)
                lines = [t for t, _ in batch]
                with open(log, "a") as f:
                    for _ in range(50):
                        f.write("\n".join(lines) + "\n")
                for _ in range(50):
                    for _, t in batch:
                        truth.add(t)
                size = os.path.getsize(log)
                cd.wait_for("lag > 0", lambda: (cd.last(
                    "web", "bytes", "lag") or 0) > 0, timeout=10)
                cd.wait_lines("web", 100000, timeout=120)
                lag = [v for _, v in cd.series("web", "bytes", "lag")]
                self.assertGreater(max(lag), size / 2)
                self.assertEqual(lag[-1], 0)
                self.assertGreaterEqual(
                    cd.last("web", "derive", "read_budget_stops"),
                    size // 1048576 // 2)
                for cc, n in truth.by_country.items():
                    self.assertEqual(cd.last("web", "total_events", cc), n)
                self.assertNotIn("above its read interval", cd.log())
            finally:
                cd.stop()


class TestManyFiles(unittest.TestCase):
    def test_glob_and_repeated_file(self):
        """File repeats and takes glob patterns: a file that starts matching
        later is read from its start; metrics stay per Log."""
        gen = loggen.Generator(loggen.load_geo(GEO_TSV), seed=24)
        with Workdir() as d:
            vh = os.path.join(d, "vhosts")
            os.makedirs(vh)
            main = os.path.join(d, "access.log")
            append(os.path.join(vh, "a.log"), attacks(gen, 5, "SE"))
            open(main, "w").close()
            conf = shipped_conf(main, DB)
            conf = conf.replace('File "%s"' % main,
                                'File "%s"\n    File "%s/*.log"' % (main, vh))
            cd = Collectd(d, conf).start()
            try:
                cd.wait_for("a dispatch", lambda: cd.last(
                    "web", "files", "tracked") == 2)
                append(os.path.join(vh, "a.log"), attacks(gen, 2, "SE"))
                append(os.path.join(vh, "b.log"), attacks(gen, 3, "JP"))
                append(os.path.join(vh, "skip.log.gz"), ["\x1f\x8b junk"])
                append(main, attacks(gen, 4, "GB"))
                cd.wait_lines("web", 9)
                self.assertEqual(cd.last("web", "total_events", "SE"), 2)
                self.assertEqual(cd.last("web", "total_events", "JP"), 3)
                self.assertEqual(cd.last("web", "total_events", "GB"), 4)
                self.assertEqual(cd.last("web", "files", "tracked"), 3)
                self.assertIn("reading \"%s\", \"%s/*.log\"" % (main, vh),
                              cd.log())
            finally:
                cd.stop()


@unittest.skipUnless(os.access(JOURNAL_REMOTE, os.X_OK),
                     "systemd-journal-remote is not installed")
class TestJournal(unittest.TestCase):
    seq = 0

    def export(self, entries):
        out = bytearray()
        for unit, msg in entries:
            TestJournal.seq += 1
            ts = 1700000000000000 + TestJournal.seq
            out += ("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
                    "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                    "_HOSTNAME=web1\n_SYSTEMD_UNIT=%s\nMESSAGE=%s\n\n"
                    % (ts, ts, unit, msg)).encode()
        return bytes(out)

    def write(self, path, entries):
        subprocess.run([JOURNAL_REMOTE, "--output=" + path, "-"],
                       input=self.export(entries), check=True,
                       capture_output=True)

    def test_journal_cursor_across_restarts(self):
        """Journal true + Match + JournalPath: each matching entry's MESSAGE
        is one line; the cursor is saved, so entries written while collectd
        is down are counted after the restart, none twice."""
        gen = loggen.Generator(loggen.load_geo(GEO_TSV), seed=25)
        with Workdir() as d:
            jf = os.path.join(d, "web1.journal")
            self.write(jf, [("nginx.service", l) for l in attacks(gen, 6)] +
                       [("cron.service", l) for l in attacks(gen, 3, "JP")])
            conf = """LoadPlugin attack_origin
<Plugin attack_origin>
  GeoIPDatabase "%s"
  <Log "j">
    Journal true
    JournalPath "%s"
    Match "_SYSTEMD_UNIT=nginx.service"
    Format "combined"
    StartAt "beginning"
  </Log>
</Plugin>
""" % (DB, jf)
            cd = Collectd(d, conf).start()
            try:
                cd.wait_lines("j", 6)
                self.write(jf, [("nginx.service", l)
                                for l in attacks(gen, 2, "SE")])
                cd.wait_lines("j", 8)
            finally:
                cd.stop()
            self.write(jf, [("nginx.service", l)
                            for l in attacks(gen, 3, "SE")])
            cd = Collectd(d, conf).start()
            try:
                cd.wait_lines("j", 11)
                time.sleep(2)
                self.assertEqual(cd.last("j", "derive", "lines_read"), 11)
                self.assertEqual(cd.last("j", "total_events", "GB"), 6)
                self.assertEqual(cd.last("j", "total_events", "SE"), 5)
                self.assertIsNone(cd.last("j", "total_events", "JP"))
                self.assertEqual(cd.last("j", "derive", "journal_errors"), 0)
                self.assertIn("reading the journal \"%s\" as combined" % jf,
                              cd.log())
            finally:
                cd.stop()


    def test_file_and_journal_in_one_log(self):
        """A Log with File and Journal true: both feed the same counters,
        and a backlog in the file does not starve the journal (the sources
        take turns starting the read)."""
        gen = loggen.Generator(loggen.load_geo(GEO_TSV), seed=28)
        with Workdir() as d:
            jf = os.path.join(d, "web1.journal")
            log = os.path.join(d, "access.log")
            self.write(jf, [("nginx.service", l)
                            for l in attacks(gen, 4, "JP")])
            with open(log, "w") as f:
                f.write("\n".join(attacks(gen, 3000, "GB")) + "\n")
            conf = """LoadPlugin attack_origin
<Plugin attack_origin>
  GeoIPDatabase "%s"
  <Log "both">
    File "%s"
    Journal true
    JournalPath "%s"
    Format "combined"
    StartAt "beginning"
    ReadBudget 65536
  </Log>
</Plugin>
""" % (DB, log, jf)
            cd = Collectd(d, conf).start()
            try:
                cd.wait_for("the journal's lines", lambda: cd.last(
                    "both", "total_events", "JP") == 4, timeout=10)
                # Read in slices of 64 KiB: the file is not done yet.
                self.assertLess(cd.last("both", "total_events", "GB") or 0,
                                3000)
                cd.wait_lines("both", 3004, timeout=60)
                self.assertEqual(cd.last("both", "total_events", "GB"), 3000)
                self.assertEqual(cd.last("both", "files", "tracked"), 2)
            finally:
                cd.stop()


@unittest.skipUnless(shutil.which("logrotate"), "logrotate is not installed")
class TestLogrotate(unittest.TestCase):
    def rotate_with(self, directives, reopen_late, check):
        """Debian's logrotate itself, forced (-f) several times while a writer
        that holds its file open like nginx keeps writing: every line is
        counted once."""
        gen = loggen.Generator(loggen.load_geo(GEO_TSV), seed=27)
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            conf = os.path.join(d, "logrotate.conf")
            with open(conf, "w") as f:
                f.write("%s {\n  daily\n  rotate 14\n  missingok\n"
                        "  notifempty\n%s}\n" % (log, directives))
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)

            def write(n, cc):
                data = "".join(l + "\n" for l in attacks(gen, n, cc))
                os.write(fd, data.encode())

            cd = Collectd(d, shipped_conf(log, DB, RotateWait=3)).start()
            try:
                cd.wait_for("a dispatch", lambda: cd.last(
                    "web", "derive", "lines_read") is not None)
                total = 0
                ccs = ["GB", "SE", "JP", "DE", "FR"]
                for i, cc in enumerate(ccs):
                    write(20, cc)
                    total += 20
                    time.sleep(1.2)
                    write(5, cc)  # not read yet when logrotate runs
                    total += 5
                    subprocess.run(["logrotate", "-f", "-s",
                                    os.path.join(d, "logrotate.state"), conf],
                                   check=True)
                    if reopen_late:
                        write(7, cc)  # to the old file, before "USR1"
                        total += 7
                        time.sleep(0.5)
                        os.close(fd)
                        fd = os.open(log, os.O_WRONLY | os.O_APPEND |
                                     os.O_CREAT, 0o640)
                    write(3, cc)
                    total += 3
                    time.sleep(1.2)
                cd.wait_lines("web", total, timeout=30)
                time.sleep(4)  # RotateWait: nothing more may come
                for cc in ccs:
                    self.assertEqual(cd.last("web", "total_events", cc),
                                     total / len(ccs), cc)
                self.assertEqual(cd.last("web", "derive", "lines_read"),
                                 total)
                self.assertEqual(cd.last("web", "derive", "lines_partial"),
                                 0)
                check(cd)
            finally:
                os.close(fd)
                cd.stop()

    def test_create_delaycompress(self):
        """Debian's nginx and apache2 setup: create, compress,
        delaycompress; the writer reopens half a second after the
        rotation."""
        self.rotate_with(
            "  compress\n  delaycompress\n  create 0640\n", reopen_late=True,
            check=lambda cd: self.assertEqual(
                cd.last("web", "derive", "rotations"), 5))

    def test_copytruncate(self):
        """copytruncate (with compress and delaycompress): lines not read
        before the truncation are read from the copy."""
        def check(cd):
            self.assertEqual(cd.last("web", "derive", "truncations"), 5)
            self.assertEqual(cd.last("web", "derive", "truncation_copies"), 5)
        self.rotate_with("  compress\n  delaycompress\n  copytruncate\n",
                         reopen_late=False, check=check)


class TestPermission(unittest.TestCase):
    @unittest.skipUnless(shutil.which("setpriv"), "setpriv is missing")
    def test_permission_denied_then_fixed(self):
        """A13: the log unreadable (mode 0, collectd without the capability
        that lets root ignore it), then fixed: one warning, then what was
        appended meanwhile is counted."""
        gen = loggen.Generator(loggen.load_geo(GEO_TSV), seed=26)
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            append(log, attacks(gen, 2))
            cd = Collectd(d, shipped_conf(log, DB))
            cd.prefix = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                         "--bounding-set=-dac_override,-dac_read_search", "--"]
            os.chmod(log, 0)
            cd.start()
            try:
                cd.wait_for("3 read errors", lambda: (cd.last(
                    "web", "derive", "read_errors") or 0) >= 3)
                append(log, attacks(gen, 3, "SE"))
                os.chmod(log, 0o644)
                cd.wait_lines("web", 3)
                self.assertEqual(cd.last("web", "total_events", "SE"), 3)
                self.assertIsNone(cd.last("web", "total_events", "GB"))
                errors = cd.last("web", "derive", "read_errors")
                msgs = cd.log().count("Permission denied")
                self.assertGreaterEqual(msgs, 1)
                self.assertLess(msgs, errors, cd.log())
                self.assertEqual(cd.log().count("opened \"%s\"" % log), 1)
            finally:
                cd.stop()


class TestConfigErrors(unittest.TestCase):
    def check_refused(self, conf, needle):
        with Workdir() as d:
            rc, out = Collectd(d, conf).test_config()
            self.assertNotEqual(rc, 0, out)
            self.assertIn(needle, out)

    def test_new_options_refused_with_the_value(self):
        base = shipped_conf("/var/log/x.log", DB)
        self.check_refused(
            base.replace("#Match \"_SYSTEMD_UNIT=ssh.service\"",
                         "Match \"ssh\""),
            "<Log \"web\"> Match: invalid match \"ssh\"")
        self.check_refused(shipped_conf("/var/log/x.log", DB,
                                        ReadTimeFraction=2),
                           "ReadTimeFraction: value 2 is out of range")
        self.check_refused(
            base.replace('File "/var/log/x.log"',
                         'File "/var/log/x.log"\n    File "/var/log/x.log"'),
            "File: \"/var/log/x.log\" is listed twice")


if __name__ == "__main__":
    unittest.main()
