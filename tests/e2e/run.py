#!/usr/bin/env python3
"""Runs the end-to-end tests: real collectd with the plugin, writing into
real carbon-cache + graphite-web, InfluxDB 1.x and Prometheus (Debian's
packages) started on free loopback ports; the alerting and dashboard files.

  python3 tests/e2e/run.py [-k PATTERN]

Needs `make` and the demo database (build/demo/demo-country.mmdb); `make e2e`
does both. AO_KEEP=1 keeps the working directory.
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
