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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.join(HERE, "..", "tools"))

import testrun  # noqa: E402

if __name__ == "__main__":
    result = testrun.run(HERE)
    sys.exit(0 if result.wasSuccessful() else 1)
