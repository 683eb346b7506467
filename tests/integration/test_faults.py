"""The fault-injection harness, short version (faults.py; `make soak` runs
the long one): every kind of rotation, truncation, clean restart and kill -9
at least once, then random ones, against the real plugin in real collectd.
Every line written must be counted exactly once."""

import os
import unittest

import faults
from harness import Workdir


class TestFaults(unittest.TestCase):
    def test_short_fault_run(self):
        with Workdir() as d:
            run = faults.Run(d, seed=int(os.environ.get("AO_FAULT_SEED", "4")),
                             steps=int(os.environ.get("AO_FAULT_STEPS", "30")))
            rep = run.run(cover=True)
        ev = rep["events"]
        for kind, _ in faults.Run.KINDS:
            self.assertGreaterEqual(ev.get(kind, 0), 1,
                                    "no %s happened: %s %s"
                                    % (kind, ev, rep["cover_failed"]))
        self.assertTrue(rep["caught_up"], rep)
        summary = {n: {k: v for k, v in log.items() if k != "diffs"}
                   for n, log in rep["logs"].items()}
        for name, log in rep["logs"].items():
            self.assertEqual(log["missing"], 0, (name, log["diffs"], summary))
            self.assertEqual(log["duplicated"], 0,
                             (name, log["diffs"], summary))
            self.assertEqual(log["bogus"], 0, (name, log["diffs"], summary))
            self.assertEqual(log["decreases"], 0, summary)
            self.assertEqual(log["lines_read"], log["written"], summary)
            self.assertEqual(log["lines_partial"], 0, summary)
        print("\nfault run: %d lines, %d rotations, %d restarts (%d kill -9): "
              "missing %d, duplicated %d, bogus %d"
              % (rep["total"]["written"], rep["rotations"], rep["restarts"],
                 rep["kill9"], rep["total"]["missing"],
                 rep["total"]["duplicated"], rep["total"]["bogus"]))


if __name__ == "__main__":
    unittest.main()
