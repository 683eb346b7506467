#!/usr/bin/env python3
"""Runs the integration tests (real collectd, real .mmdb, the CLI).

  python3 tests/integration/run.py [-k PATTERN] [-v]

Needs `make` (build/attack_origin.so, build/attack-origin) and the generated
test databases (build/testdata, or AO_TEST_DATA). `make integration` does
both. AO_KEEP=1 keeps every test's directory.
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
