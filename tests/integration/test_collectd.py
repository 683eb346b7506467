"""Integration tests: the real collectd daemon with the built plugin.

Each test starts collectd (Debian's collectd-core) in the foreground with
conf.d/attack_origin.conf, writes a log with loggen.py, and compares what
collectd's csv writer wrote with the generator's ground truth - exactly.
"""

import os
import shutil
import time
import unittest

from harness import (GEO_TSV, TESTDATA, Collectd, Workdir, append, is_nan,
                     mkmmdb, shipped_conf)
import loggen

DB = os.path.join(TESTDATA, "test-country.mmdb")
FLAT_DB = os.path.join(TESTDATA, "test-flat.mmdb")


class Checker:
    """Compares collectd's output for one Log with a Truth."""

    def __init__(self, test, cd, instance):
        self.t, self.cd, self.inst = test, cd, instance

    def counters(self, truth, what=""):
        got = {cc: self.cd.last(self.inst, "total_events", cc)
               for cc in self.cd.instances(self.inst, "total_events")}
        want = {cc: float(n) for cc, n in truth.by_country.items()}
        self.t.assertEqual(got, want, "total_events per country %s" % what)
        got_cat = {ti: self.cd.last(self.inst, "total_requests", ti)
                   for ti in self.cd.instances(self.inst, "total_requests")}
        want_cat = {"%s-%s" % k: float(n) for k, n in truth.by_cat.items()}
        self.t.assertEqual(got_cat, want_cat,
                           "total_requests per category %s" % what)

    def shares(self, truth, what=""):
        total = truth.total
        got = {cc: self.cd.last(self.inst, "percent", cc)
               for cc in self.cd.instances(self.inst, "percent")}
        self.t.assertEqual(set(got), set(truth.by_country),
                           "percent series %s" % what)
        for cc, v in got.items():
            self.t.assertAlmostEqual(v, 100.0 * truth.by_country[cc] / total,
                                     places=5, msg="share of %s %s" % (cc, what))
        self.t.assertAlmostEqual(sum(got.values()), 100.0, places=4)

    def health(self, name):
        return self.cd.last(self.inst, "derive", name)


class TestEndToEnd(unittest.TestCase):
    """Appends over several intervals, a partial line, a rename rotation, an
    address the database lacks, IPv6 and v4-mapped addresses, private
    addresses, unparsable and oversized lines."""

    def test_appends_partial_rotation(self):
        rows = loggen.load_geo(GEO_TSV)
        gen = loggen.Generator(rows, seed=7)
        truth = loggen.Truth()
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            # Lines already in the file: StartAt "end" (the default) skips them.
            append(log, [t for t, _ in gen.batch(50, 0.5)])
            cd = Collectd(d, shipped_conf(log, DB, MaxLineLength=4096)).start()
            try:
                cd.wait_for("the first read",
                            lambda: cd.last("web", "derive", "lines_read") == 0)
                chk = Checker(self, cd, "web")

                # 1: a mixed batch, plus addresses of every kind.
                batch = gen.batch(200, 0.4)
                absent4 = loggen.absent_address(rows, 4)
                absent6 = loggen.absent_address(rows, 6)
                v6, _ = gen.address(version=6)
                v4, _ = gen.address(version=4)
                specials = [
                    gen.line(True, "sqli", addr=absent4),   # not in the DB
                    gen.line(True, "xss", addr=absent6),    # not in the DB
                    gen.line(True, "probe", addr=v6),       # IPv6
                    gen.line(True, "rce", addr="::ffff:" + v4),  # v4-mapped
                    gen.line(True, "auth", addr="10.1.2.3"),  # private
                    gen.line(True, "traversal", addr="2001:db8::7"),  # doc
                ]
                for _, tr in specials:
                    if tr["ip"] in (absent4, absent6, "10.1.2.3", "2001:db8::7"):
                        self.assertEqual(tr["country"], "ZZ")
                batch += specials
                for _, tr in batch:
                    truth.add(tr)
                append(log, [t for t, _ in batch])
                # 2: a partial line: its newline comes later.
                part, part_truth = gen.line(True, "sqli")
                cut = len(part) // 2
                with open(log, "a") as f:
                    f.write(part[:cut])
                cd.wait_lines("web", truth.lines)
                chk.counters(truth, "after batch 1 (partial line pending)")
                chk.shares(truth, "after batch 1")

                # 3: the partial line completed, hostile lines, more traffic.
                with open(log, "a") as f:
                    f.write(part[cut:] + "\n")
                truth.add(part_truth)
                hostile = [
                    "this is not a log line",
                    '203.0.113.9 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 20',
                    "",
                ]
                append(log, hostile)
                truth.lines += 3
                unparsed = 2  # the empty line is read, not unparsed
                # An oversized line whose tail is itself a valid attack line:
                # it must be skipped whole, never counted.
                fake_tail, _ = gen.line(True, "sqli")
                append(log, ["A" * 5000 + " " + fake_tail])
                truth.lines += 1
                more = gen.batch(150, 0.3)
                for _, tr in more:
                    truth.add(tr)
                append(log, [t for t, _ in more])
                cd.wait_lines("web", truth.lines)
                chk.counters(truth, "after batch 2")

                # 4: rename rotation. The old file gets lines after our last
                # read (drained first), then the new file starts.
                old_tail = gen.batch(40, 0.5)
                for _, tr in old_tail:
                    truth.add(tr)
                append(log, [t for t, _ in old_tail])
                os.rename(log, log + ".1")
                new = gen.batch(120, 0.3)
                for _, tr in new:
                    truth.add(tr)
                append(log, [t for t, _ in new])
                cd.wait_lines("web", truth.lines)
                chk.counters(truth, "after rotation")
                chk.shares(truth, "after rotation")

                self.assertEqual(chk.health("lines_read"), truth.lines)
                self.assertEqual(chk.health("lines_unparsed"), unparsed)
                self.assertEqual(chk.health("lines_oversized"), 1)
                self.assertEqual(chk.health("lines_attack"), truth.total)
                self.assertEqual(chk.health("rotations"), 1)
                self.assertEqual(cd.last("web", "bytes", "lag"), 0)
                age = cd.last("web", "duration", "geoip_database_age")
                self.assertGreater(age, 0)

                # Countries seen once keep being dispatched: every counter's
                # newest row is from the last interval, not from when the
                # country was last attacked.
                newest = cd.series("web", "derive", "lines_read")[-1][0]
                for cc in truth.by_country:
                    last_t = cd.series("web", "total_events", cc)[-1][0]
                    self.assertGreaterEqual(last_t, newest - 1.5, cc)
            finally:
                rc = cd.stop()
            self.assertEqual(rc, 0, cd.log()[-2000:])
            self.assertNotIn("rror", cd.log().replace("read_errors", ""))


class TestDatabases(unittest.TestCase):

    def test_flat_layout_and_start_at_beginning(self):
        """An ip-location-db style database (flat country_code), with what the
        file already holds read from its start."""
        rows = loggen.load_geo(GEO_TSV)
        gen = loggen.Generator(rows, seed=11)
        truth = loggen.Truth()
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            batch = gen.batch(300, 0.5)
            for _, tr in batch:
                truth.add(tr)
            append(log, [t for t, _ in batch])
            cd = Collectd(d, shipped_conf(log, FLAT_DB, StartAt="beginning"))
            cd.start()
            try:
                cd.wait_lines("web", truth.lines)
                chk = Checker(self, cd, "web")
                chk.counters(truth, "flat layout")
                chk.shares(truth, "flat layout")
            finally:
                self.assertEqual(cd.stop(), 0)

    def test_missing_database_then_appears(self):
        """No database at start: attacks count under ZZ, one clear message,
        shares are NaN below MinAttacks; the database is picked up once it
        appears."""
        rows = loggen.load_geo(GEO_TSV)
        gen = loggen.Generator(rows, seed=13)
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            db = os.path.join(d, "GeoLite2-Country.mmdb")
            open(log, "w").close()
            cd = Collectd(d, shipped_conf(log, db)).start()
            try:
                cd.wait_for("the first read",
                            lambda: cd.last("web", "derive", "lines_read") == 0)
                few = [gen.line(True, "probe") for _ in range(4)]
                append(log, [t for t, _ in few])
                cd.wait_lines("web", 4)
                self.assertEqual(cd.last("web", "total_events", "ZZ"), 4)
                self.assertEqual(cd.instances("web", "total_events"), {"ZZ"})
                # 4 attacks < MinAttacks 10: no share (NaN), but dispatched.
                self.assertTrue(is_nan(cd.last("web", "percent", "ZZ")))
                self.assertTrue(is_nan(cd.last("web", "duration",
                                                "geoip_database_age")))
                shutil.copy(os.path.join(TESTDATA, "test-country.mmdb"),
                            db + ".tmp")
                os.rename(db + ".tmp", db)
                time.sleep(2.5)  # one interval to pick it up
                later = gen.batch(100, 1.0)
                truth = loggen.Truth()
                for _, tr in later:
                    truth.add(tr)
                append(log, [t for t, _ in later])
                cd.wait_lines("web", 104)
                for cc, n in truth.by_country.items():
                    want = n + (4 if cc == "ZZ" else 0)
                    self.assertEqual(cd.last("web", "total_events", cc), want,
                                     cc)
                self.assertFalse(is_nan(cd.last("web", "percent", "ZZ")))
            finally:
                self.assertEqual(cd.stop(), 0)
            log_text = cd.log()
            self.assertEqual(log_text.count("no GeoIP database"), 1, log_text)
            self.assertIn(db, log_text)


class TestConfigErrors(unittest.TestCase):
    """Mistakes make collectd refuse the configuration, and the log names
    the option and the value."""

    CASES = [
        ("unknown option", {"Colour": "red"}, ["Colour", "unknown option"]),
        ("bad format", {"Format": "combind"}, ["Format", "combind"]),
        ("bad StartAt", {"StartAt": "middle"}, ["StartAt", "middle"]),
        ("number as string", {"ShareWindow": "300"}, ["ShareWindow", "300"]),
        ("out of range", {"MinAttacks": 0}, ["MinAttacks", "0"]),
    ]

    def check_refused(self, conf_text, expect):
        with Workdir() as d:
            cd = Collectd(d, conf_text)
            rc, out = cd.test_config()
            self.assertNotEqual(rc, 0, out)
            for e in expect:
                self.assertIn(e, out)
            self.assertIn("attack_origin plugin", out)

    def test_option_errors(self):
        for name, opts, expect in self.CASES:
            with self.subTest(name):
                if "Colour" in opts:
                    text = shipped_conf("/tmp/x.log", DB).replace(
                        '  <Log "web">', '  Colour "red"\n  <Log "web">')
                else:
                    text = shipped_conf("/tmp/x.log", DB, **opts)
                self.check_refused(text, expect)

    def test_block_errors(self):
        base = shipped_conf("/tmp/x.log", DB)
        dup = base.replace("</Plugin>", '  <Log "web">\n    File "/tmp/y.log"'
                           '\n  </Log>\n</Plugin>')
        self.check_refused(dup, ["duplicate Log name", "web"])
        bad_name = base.replace('<Log "web">', '<Log "web-1">')
        self.check_refused(bad_name, ["invalid name", "web-1"])
        no_file = base.replace('    File "/tmp/x.log"\n', "")
        self.check_refused(no_file, ['<Log "web">',
                                     "missing required option File"])


if __name__ == "__main__":
    unittest.main()
