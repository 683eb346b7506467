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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.join(HERE, "..", "tools"))

import testrun  # noqa: E402

if __name__ == "__main__":
    result = testrun.run(HERE)
    sys.exit(0 if result.wasSuccessful() else 1)
