"""make profile (tests/bench/profile.py): instructions per line by stage."""

import json
import os
import shutil
import subprocess
import sys
import unittest

from harness import CLI, GEO_TSV, REPO, SANITIZE, TESTDATA, Workdir

DB = os.path.join(TESTDATA, "test-country.mmdb")
BENCH = os.path.join(REPO, "tests", "bench")


def profile(workdir, log, lines):
    out = os.path.join(workdir, "profile-%d.json" % lines)
    p = subprocess.run([sys.executable, os.path.join(BENCH, "profile.py"),
                        "--log", log, "--geoip", DB, "--cli", CLI,
                        "--lines", str(lines), "--json", out],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=600)
    if p.returncode != 0:
        raise AssertionError("profile.py failed:\n" + p.stdout)
    with open(out) as f:
        return json.load(f), p.stdout


@unittest.skipIf(shutil.which("valgrind") is None, "valgrind is not installed")
@unittest.skipIf(SANITIZE, "valgrind cannot run a CLI built with ASan "
                 "(make sanitize); make integration runs this test")
class TestProfile(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.wd = Workdir()
        cls.dir = cls.wd.__enter__()
        cls.log = os.path.join(cls.dir, "combined.log")
        subprocess.run([sys.executable, os.path.join(BENCH, "benchlog.py"),
                        "combined", "--geo", GEO_TSV, "--lines", "6000",
                        cls.log], check=True, stderr=subprocess.DEVNULL)
        cls.small, _ = profile(cls.dir, cls.log, 1500)
        cls.large, cls.text = profile(cls.dir, cls.log, 6000)

    @classmethod
    def tearDownClass(cls):
        cls.wd.__exit__(None, None, None)

    def test_every_instruction_has_a_stage(self):
        """The stages add up to the total, and almost nothing is left
        unattributed: a module added without a stage shows up here."""
        st = self.large["stages"]
        self.assertAlmostEqual(sum(st.values()),
                               self.large["instructions_per_line"], delta=1)
        self.assertLess(st.get("other", 0.0),
                        0.02 * self.large["instructions_per_line"],
                        self.text)
        for stage in ("read and split", "parse", "memo", "normalise",
                      "pattern scan", "rule checks", "SQL lexer",
                      "brute force", "address", "GeoIP", "line step"):
            self.assertGreater(st.get(stage, 0.0), 0.0, stage)

    def test_only_the_read_loop_is_counted(self):
        """Start-up (the database, the classifier's tables: millions of
        instructions) is left out: per line, 1,500 and 6,000 lines cost
        about the same. With start-up in, 1,500 lines cost 1.8 times as
        much per line (measured by dropping the toggle)."""
        a = self.small["instructions_per_line"]
        b = self.large["instructions_per_line"]
        self.assertGreater(a, 500)
        self.assertLess(a / b, 1.5, (a, b))
        self.assertGreater(a / b, 0.67, (a, b))

    def test_report(self):
        """The table and the budget lines are printed (the time per line
        of a few thousand lines is below the clock's resolution, so only
        its presence is checked here)."""
        for stage in ("parse", "SQL lexer", "GeoIP", "all"):
            self.assertRegex(self.text, r"(?m)^%s\s+\d+\s+[\d.]+%%$"
                             % stage)
        self.assertIn("instructions per ns", self.text)
        self.assertIn("4M lines/s allow", self.text)
        self.assertGreaterEqual(self.large["ns_per_line"], 0)

    def test_first_sightings_and_memo_hits_apart(self):
        """The lines whose request is new (every rule runs) and lines whose
        fields the memo has all seen are profiled apart: the first cost
        several times the second, they are a part of the log, not all of
        it, and both figures are printed."""
        k = self.large["kinds"]
        first = k["first"]["instructions_per_line"]
        seen = k["seen"]["instructions_per_line"]
        self.assertGreater(seen, 500)
        self.assertGreater(first, 2 * seen, (first, seen))
        share = self.large["first_seen_share"]
        self.assertGreater(share, 0.05)
        self.assertLess(share, 0.9)
        self.assertEqual(k["seen"]["lines"], 300 * 1000)
        self.assertIn("every field seen before", self.text)
        self.assertRegex(self.text, r"request seen for the first time "
                         r"\([\d.]+% of the lines\): \d+ instructions")


if __name__ == "__main__":
    unittest.main()
