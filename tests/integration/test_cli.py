"""The attack-origin command-line tool, run as a user would."""

import json
import os
import subprocess
import unittest

from harness import CLI, GEO_TSV, TESTDATA, Workdir, check_sanitizers
import loggen

DB = os.path.join(TESTDATA, "test-country.mmdb")


def run(*args, stdin=None):
    p = subprocess.Popen([CLI, *args], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    out, err = p.communicate(stdin, timeout=60)
    check_sanitizers(p.pid, "attack-origin")  # `make sanitize` only
    return p.returncode, out, err


def write_log(path, lines, final_newline=True):
    with open(path, "w") as f:
        f.write("\n".join(lines))
        if final_newline:
            f.write("\n")


class TestUsage(unittest.TestCase):

    def test_bad_arguments_exit_2(self):
        for args, words in [
            ((), "missing command"),
            (("frobnicate",), "unknown command"),
            (("scan",), "no input file"),
            (("scan", "--bogus", "x.log"), "unknown option --bogus"),
            (("scan", "--format"), "needs a value"),
            (("scan", "--format", "combind", "x.log"), '"combind"'),
            (("scan", "--max-line-length", "ten", "x.log"), "not a number"),
            (("scan", "--max-line-length", "10", "x.log"), "out of range"),
            (("scan", "--json", "--verdicts", "x.log"), "exclude"),
        ]:
            with self.subTest(args=args):
                rc, out, err = run(*args)
                self.assertEqual(rc, 2, err)
                self.assertIn(words, err)
                self.assertIn("usage: attack-origin scan", err)

    def test_help(self):
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        self.assertIn("--verdicts", out)


class TestScan(unittest.TestCase):

    def setUp(self):
        self.rows = loggen.load_geo(GEO_TSV)
        gen = loggen.Generator(self.rows, seed=3)
        self.batch = gen.batch(400, 0.4)
        self.batch.append(gen.line(True, "xss", addr="::ffff:" +
                                   gen.address(version=4)[0]))
        self.batch.append(gen.line(True, "sqli",
                                   addr=loggen.absent_address(self.rows)))
        self.truth = loggen.Truth()
        for _, tr in self.batch:
            self.truth.add(tr)

    def test_verdicts_match_truth(self):
        with Workdir() as d:
            log = os.path.join(d, "a.log")
            lines = [t for t, _ in self.batch] + ["garbage line"]
            # The last line has no newline: the tool still reads it.
            write_log(log, lines, final_newline=False)
            rc, out, err = run("scan", "--geoip", DB, "--verdicts", log)
            self.assertEqual(rc, 0, err)
            verdicts = [json.loads(x) for x in out.splitlines()]
            self.assertEqual(len(verdicts), len(lines))
            for i, (v, (_, tr)) in enumerate(zip(verdicts, self.batch)):
                self.assertEqual(v["line"], i + 1)
                self.assertEqual(v["categories"], tr["categories"], lines[i])
                self.assertEqual(v["country"], tr["country"], lines[i])
                ip = tr["ip"].replace("::ffff:", "")
                self.assertEqual(v["ip"], ip)
                self.assertNotIn("parse_error", v)
            self.assertEqual(verdicts[-1], {"line": len(lines), "ip": None,
                                            "country": None,
                                            "categories": [],
                                            "parse_error": True})

    def test_json_report_matches_truth(self):
        with Workdir() as d:
            log = os.path.join(d, "a.log")
            write_log(log, [t for t, _ in self.batch])
            rc, out, err = run("scan", "--geoip", DB, "--json", log)
            self.assertEqual(rc, 0, err)
            rep = json.loads(out)
            self.assertEqual(rep["attacks"], self.truth.total)
            self.assertEqual(rep["lines_read"], len(self.batch))
            self.assertEqual(rep["geoip_database"], DB)
            got = {c["country"]: c["attacks"] for c in rep["countries"]}
            self.assertEqual(got, self.truth.by_country)
            counts = [c["attacks"] for c in rep["countries"]]
            self.assertEqual(counts, sorted(counts, reverse=True))
            for c in rep["countries"]:
                self.assertAlmostEqual(c["share"],
                                       self.truth.share(c["country"]), 3)
                for cat, n in c["categories"].items():
                    self.assertEqual(n, self.truth.by_cat.get(
                        (cat, c["country"]), 0))

    def test_text_report_and_stdin(self):
        text = "\n".join(t for t, _ in self.batch) + "\n"
        rc, out, err = run("scan", "--geoip", DB, "-", stdin=text)
        self.assertEqual(rc, 0, err)
        self.assertIn("attacks: %d" % self.truth.total, out)
        top = max(self.truth.by_country, key=lambda c: (
            self.truth.by_country[c], [-ord(x) for x in c]))
        body = [l for l in out.splitlines() if l[:2].isupper()
                and l[2:3] == " "]
        self.assertTrue(body[0].startswith(top), out)
        self.assertIn("total", out)

    def test_missing_file_exit_1_rest_reported(self):
        with Workdir() as d:
            log = os.path.join(d, "a.log")
            write_log(log, [t for t, _ in self.batch])
            rc, out, err = run("scan", "--geoip", DB, "--json",
                               os.path.join(d, "nope.log"), log)
            self.assertEqual(rc, 1)
            self.assertIn("nope.log", err)
            self.assertEqual(json.loads(out)["attacks"], self.truth.total)

    def test_common_format(self):
        gen = loggen.Generator(self.rows, seed=5, fmt="common")
        batch = gen.batch(200, 0.4)
        truth = loggen.Truth()
        for _, tr in batch:
            truth.add(tr)
        text = "\n".join(t for t, _ in batch) + "\n"
        rc, out, err = run("scan", "--format", "common", "--geoip", DB,
                           "--json", "-", stdin=text)
        self.assertEqual(rc, 0, err)
        rep = json.loads(out)
        self.assertEqual(rep["lines_unparsed"], 0)
        self.assertEqual({c["country"]: c["attacks"]
                          for c in rep["countries"]}, truth.by_country)


if __name__ == "__main__":
    unittest.main()
