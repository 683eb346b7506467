"""The runner of the Python test suites (tests/integration, tests/e2e,
tests/fleet): discovers test_*.py in one directory, keeps the tests whose id
contains PATTERN when `-k PATTERN` is given, and runs them verbosely.

  import testrun; result = testrun.run(HERE)
"""
import sys
import unittest


def _flat(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _flat(t)
        else:
            yield t


def run(here, argv=None):
    """Runs the suite of directory `here` (already on sys.path); returns the
    unittest result."""
    argv = sys.argv[1:] if argv is None else argv
    suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py")
    if "-k" in argv:
        pat = argv[argv.index("-k") + 1]
        suite = unittest.TestSuite(t for t in _flat(suite) if pat in t.id())
    return unittest.TextTestRunner(verbosity=2).run(suite)
