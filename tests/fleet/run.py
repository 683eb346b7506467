#!/usr/bin/env python3
"""Runs the fleet tests (tests/fleet/test_*.py): real collectd agents with the
plugin sending encrypted to a real central collectd, into real InfluxDB and
Prometheus; and fleetgen's packets decoded by a real central.

  python3 tests/fleet/run.py [-k PATTERN]

Needs `make`, build/fleet/fleetgen and the demo database; `make e2e-fleet`
builds them. AO_KEEP=1 keeps the working directory.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

if __name__ == "__main__":
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py")
    argv = sys.argv[1:]
    if "-k" in argv:
        pat = argv[argv.index("-k") + 1]

        def flat(s):
            for t in s:
                if isinstance(t, unittest.TestSuite):
                    yield from flat(t)
                else:
                    yield t
        suite = unittest.TestSuite(t for t in flat(suite) if pat in t.id())
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
