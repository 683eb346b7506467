"""make bench's bookkeeping (tests/bench/bench.py, inside_collectd.py):
which tools get the extra rounds, the medians and the ratios round by
round, and the catch-up's comparison with the CLI. The tools here are
stand-ins that return fixed CPU times: what is tested is the arithmetic
and the schedule, not a measurement."""

import argparse
import contextlib
import io
import json
import os
import sys
import unittest

from harness import REPO, Workdir

sys.path.insert(0, os.path.join(REPO, "tests", "bench"))

import bench  # noqa: E402
import inside_collectd  # noqa: E402


def tool(name, cpus, note=""):
    """A stand-in for a timed tool: its n-th run took cpus[n] seconds."""
    calls = []

    def go():
        cpu = cpus[len(calls) % len(cpus)]
        calls.append(cpu)
        return bench.Result(name, 1000, cpu, cpu * 1.1, 2048, note)
    return (name, go), calls


class TestRounds(unittest.TestCase):

    def run_tools(self, *specs, rounds=2, fast_rounds=7):
        tools, calls = zip(*(tool(*s) for s in specs))
        with contextlib.redirect_stdout(io.StringIO()):
            res, per_round = bench.run_rounds("combined", list(tools),
                                              rounds, fast_rounds)
        return res, per_round, calls

    def test_fast_tools_get_the_extra_rounds(self):
        res, per_round, calls = self.run_tools(
            (bench.AO, [0.30, 0.50, 0.40]), ("slow", [20.0, 22.0]),
            ("tail", [1.5, 2.5, 2.0]), ("broken", [0.1], "exit 1"))
        self.assertEqual([len(c) for c in calls], [7, 2, 7, 2])
        self.assertEqual(len(per_round), 7)
        self.assertEqual(sorted(per_round[6]), [bench.AO, "tail"])
        # medians over every run of the tool
        self.assertAlmostEqual(res[bench.AO].cpu, 0.40)
        self.assertEqual(res[bench.AO].runs, calls[0])
        self.assertAlmostEqual(res["slow"].cpu, 21.0)
        self.assertEqual(res["broken"].note, "exit 1")

    def test_a_tool_that_turns_slow_stops_at_the_rounds(self):
        _, _, calls = self.run_tools((bench.AO, [0.3]),
                                     ("mixed", [1.0, 11.0]))
        self.assertEqual([len(c) for c in calls], [7, 2])

    def test_fewer_fast_rounds_than_rounds(self):
        _, per_round, calls = self.run_tools(
            (bench.AO, [0.3]), ("slow", [20.0]), rounds=3, fast_rounds=1)
        self.assertEqual([len(c) for c in calls], [3, 3])
        self.assertEqual(len(per_round), 3)

    def test_paired_ratio_is_per_round(self):
        """In each round the tool's CPU over attack-origin's: a slow phase
        that slows both leaves the ratio as it was."""
        _, per_round, _ = self.run_tools(
            (bench.AO, [0.30, 0.60, 0.30]), ("tail", [1.5, 3.0, 1.8]),
            rounds=1, fast_rounds=3)
        pr = bench.paired(per_round, bench.AO, "tail")
        self.assertEqual(len(pr), 3)
        for got, want in zip(pr, (5.0, 5.0, 6.0)):
            self.assertAlmostEqual(got, want)

    def test_report(self):
        res, per_round, _ = self.run_tools(
            (bench.AO, [0.30, 0.60, 0.30]), ("tail", [1.5, 3.0, 1.8]),
            ("slow", [30.0]), rounds=1, fast_rounds=3)
        with Workdir() as d:
            args = argparse.Namespace(lines=1000, rounds=1, fast_rounds=3,
                                      out=d)
            with contextlib.redirect_stdout(io.StringIO()):
                bench.report({"combined": res}, {"combined": per_round},
                             args)
            with open(os.path.join(d, "results.md")) as f:
                md = f.read()
            with open(os.path.join(d, "results.json")) as f:
                data = json.load(f)
        self.assertIn("medians of 1 rounds, 3 for the tools", md)
        self.assertIn("| tail | 556 | 1.80 | 3: 1.50-3.00 |", md)
        self.assertIn("tail 5.0x (5.0x-6.0x)", md)
        # the slow tool ran once: no ratio round by round
        self.assertNotIn("slow 100", md)
        self.assertEqual(data["fast_rounds"], 3)
        self.assertEqual(len(data["combined"][bench.AO]["paired"]["tail"]), 3)
        self.assertEqual(data["combined"]["tail"]["cpu_s_runs"],
                         [1.5, 3.0, 1.8])


class TestCatchUpAgainstCli(unittest.TestCase):

    def setUp(self):
        self.wd = Workdir()
        self.dir = self.wd.__enter__()
        self.log = os.path.join(self.dir, "combined-3.log")
        with open(self.log, "w") as f:
            f.write("a\nb\nc\n")
        self.saved = os.environ.get("AO_BUILD")

    def tearDown(self):
        if self.saved is None:
            os.environ.pop("AO_BUILD", None)
        else:
            os.environ["AO_BUILD"] = self.saved
        self.wd.__exit__(None, None, None)

    def results(self, lines):
        with open(os.path.join(self.dir, "results.json"), "w") as f:
            json.dump({"lines": lines, "combined": {
                bench.AO: {"lines_per_s": 3e6},
                bench.AO_PGO: {"lines_per_s": 4e6}}}, f)

    def test_the_same_build(self):
        self.results(3)
        os.environ.pop("AO_BUILD", None)
        self.assertEqual(inside_collectd.cli_rate(self.log, 3), 3e6)
        os.environ["AO_BUILD"] = os.path.join(REPO, "build-pgo") + "/"
        self.assertEqual(inside_collectd.cli_rate(self.log, 3), 4e6)

    def test_results_of_another_log(self):
        self.results(1000000)
        self.assertIsNone(inside_collectd.cli_rate(self.log, 3))

    def test_no_results(self):
        self.assertIsNone(inside_collectd.cli_rate(self.log, 3))
