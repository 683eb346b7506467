#!/usr/bin/env python3
"""Runs the integration tests (real collectd, real .mmdb, the CLI).

  python3 tests/integration/run.py [-k PATTERN] [-v]

Needs `make` (build/attack_origin.so, build/attack-origin) and the generated
test databases (build/testdata, or AO_TEST_DATA). `make integration` does
both. AO_KEEP=1 keeps every test's directory.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.join(HERE, "..", "tools"))

import testrun  # noqa: E402

if __name__ == "__main__":
    result = testrun.run(HERE)
    import harness
    if harness.TOLERATED:
        # `make sanitize`: leaks of collectd itself (no frame of ours).
        print("collectd's own leaks at exit, tolerated (%d reports; none "
              "has a frame of the plugin):" % len(harness.TOLERATED))
        seen = set()
        for b in harness.TOLERATED:
            head = b.splitlines()[0]
            frames = [l.strip() for l in b.splitlines()[1:4]]
            key = tuple(frames)
            if key not in seen:
                seen.add(key)
                print("  %s\n    %s" % (head, "\n    ".join(frames)))
    sys.exit(0 if result.wasSuccessful() else 1)
