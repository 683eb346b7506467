"""Detection options end to end: <Rule>/<Exclude> blocks, SignatureFile
(with a list of our own and with the real OWASP CRS lists of Debian's
modsecurity-crs), Categories and brute force by rate - through the real
collectd daemon (metrics in the csv writer's files, configuration errors
refused with the rule and the option named) and through the command-line
tool's --config and --bruteforce-* flags."""

import json
import os
import subprocess
import unittest

from harness import CLI, TESTDATA, Collectd, Workdir, shipped_conf

DB = os.path.join(TESTDATA, "test-country.mmdb")
CRS_RULES = "/usr/share/modsecurity-crs/rules"

# Addresses of tests/data/test-geo.tsv and their countries.
GB, SE, US, BT, PH = ("81.2.69.160", "89.160.20.112", "216.160.83.56",
                      "67.43.156.1", "202.196.224.1")


def line(addr, sec, method, target, status, ua="Mozilla/5.0 (X11)"):
    return ('%s - - [10/Oct/2026:13:55:%02d +0000] "%s %s HTTP/1.1" %d 123 '
            '"-" "%s"' % (addr, sec, method, target, status, ua))


# The scenario both front ends see, with each line's expected categories.
SCENARIO = [
    (line(GB, 1, "POST", "/account/signin", 200), ["signin"]),
    (line(GB, 2, "POST", "/account/signin", 200), ["signin"]),
    (line(GB, 3, "GET", "/account/signin", 200), []),       # not a POST
    (line(GB, 4, "POST", "/account/signin", 302), []),      # not a 200
    # A backup archive that is not there: a built-in probe, and "leak" by
    # the SignatureFile of our own.
    (line(US, 5, "GET", "/files/backup-2024.tar", 404), ["probe", "leak"]),
    (line(SE, 6, "GET", "/?id=1'+or+1=1--", 200), []),      # excluded net
    (line(BT, 7, "GET", "/healthz", 200, "kube-probe/1.27"), []),
    # Both conditions of the "health" Exclude must hold: not this one.
    (line(BT, 8, "GET", "/healthz?x=<script>alert(1)</script>", 200, "curl/8"),
     ["xss"]),
    (line(US, 9, "GET", "/", 200, "Nikto/2.1.6"), []),      # -scanner
    # Five failed logins from one address, BruteForceAttempts 3: the third
    # (the one crossing the threshold) and the later ones are brute force.
    (line(PH, 10, "POST", "/login", 401), ["auth"]),
    (line(PH, 11, "POST", "/login", 401), ["auth"]),
    (line(PH, 12, "POST", "/login", 401), ["auth", "bruteforce"]),
    (line(PH, 13, "POST", "/login", 401), ["auth", "bruteforce"]),
    (line(PH, 14, "POST", "/login", 401), ["auth", "bruteforce"]),
    # A catastrophic regex on a hostile path: the match limit stops it, the
    # line is no "evil" attack and the rule error is counted.
    (line(US, 15, "GET", "/" + "a" * 60 + "b", 200), []),
    (line(US, 16, "GET", "/aaa", 200), ["evil"]),
]

LOG_BLOCK = r'''
    Categories "-scanner"
    SignatureFile "%(leaks)s" "leak" "path"
    <Rule "signin_post">
      Category "signin"
      Method "POST"
      Path "^/account/signin$"
      Status 200
    </Rule>
    <Rule "evil_regex">
      Category "evil"
      Path "^/(a|aa)+$"
    </Rule>
    <Exclude "monitor">
      Address "89.160.20.0/24" "2001:db8::/32"
    </Exclude>
    <Exclude "health">
      Path "^/healthz$"
      UserAgent "^kube-probe/"
    </Exclude>
'''


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def leaks_file(d):
    path = os.path.join(d, "leaks.data")
    write(path, "# phrases of our own, CRS .data format\n\n/backup-2024.tar\n")
    return path


def with_log_block(conf, extra):
    """conf with extra lines at the end of its <Log "web"> block."""
    return conf.replace("  </Log>\n", extra + "  </Log>\n", 1)


def run(*args, stdin=None):
    p = subprocess.run([CLI, *args], input=stdin, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class TestCollectd(unittest.TestCase):

    def test_rules_excludes_signatures_bruteforce(self):
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            write(log, "".join(l + "\n" for l, _ in SCENARIO))
            conf = shipped_conf(log, DB, StartAt="beginning",
                                BruteForceAttempts=3)
            conf = with_log_block(conf, LOG_BLOCK % {"leaks": leaks_file(d)})
            cd = Collectd(d, conf).start()
            try:
                cd.wait_lines("web", len(SCENARIO))
                want = {}
                for l, cats in SCENARIO:
                    cc = {GB: "GB", SE: "SE", US: "US", BT: "BT",
                          PH: "PH"}[l.split()[0]]
                    for c in cats:
                        want["%s-%s" % (c, cc)] = want.get(
                            "%s-%s" % (c, cc), 0) + 1
                got = {ti: cd.last("web", "total_requests", ti)
                       for ti in cd.instances("web", "total_requests")}
                # Every category of the Log is dispatched from the start,
                # with 0 where it has not been seen: compare the non-zero.
                got = {k: v for k, v in got.items() if v}
                self.assertEqual(got, {k: float(v) for k, v in want.items()})
                self.assertEqual(cd.last("web", "total_events", "PH"), 5)
                self.assertGreaterEqual(
                    cd.last("web", "derive", "rule_errors"), 1)
                self.assertEqual(
                    cd.last("web", "derive", "bruteforce_evictions"), 0)
            finally:
                rc = cd.stop()
            self.assertEqual(rc, 0, cd.log()[-2000:])

    def test_crs_signature_file(self):
        """The real CRS lists as Debian installs them load and match."""
        data = os.path.join(CRS_RULES, "scanners-user-agents.data")
        if not os.path.exists(data):
            self.skipTest("modsecurity-crs is not installed")
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            write(log, line(GB, 1, "GET", "/", 200, "sqlmap/1.7.2#stable") +
                  "\n" + line(SE, 2, "GET", "/", 200) + "\n")
            conf = shipped_conf(log, DB, StartAt="beginning")
            conf = with_log_block(conf, '    SignatureFile "%s" "crs_scanner" '
                                  '"user_agent"\n' % data)
            cd = Collectd(d, conf).start()
            try:
                cd.wait_lines("web", 2)
                self.assertEqual(
                    cd.last("web", "total_requests", "crs_scanner-GB"), 1)
                self.assertEqual(cd.last("web", "total_events", "GB"), 1)
                self.assertNotIn("SE", cd.instances("web", "total_events"))
            finally:
                self.assertEqual(cd.stop(), 0)

    def check_refused(self, conf, expect):
        with Workdir() as d:
            rc, out = Collectd(d, conf).test_config()
            self.assertNotEqual(rc, 0, out)
            for e in expect:
                self.assertIn(e, out)

    def test_rule_errors_refused(self):
        base = shipped_conf("/tmp/x.log", DB)
        bad_regex = with_log_block(base, '    <Rule "wp">\n      Category "x"'
                                   '\n      Path "^/wp-login("\n    </Rule>\n')
        self.check_refused(bad_regex, ['<Rule "wp">', "Path",
                                       "invalid regular expression"])
        no_cat = with_log_block(base, '    <Rule "wp">\n      Path "^/a"\n'
                                '    </Rule>\n')
        self.check_refused(no_cat, ['<Rule "wp">', "Category"])
        bad_cat = with_log_block(base, '    <Rule "wp">\n      Category '
                                 '"Bad-Name"\n    </Rule>\n')
        self.check_refused(bad_cat, ["Category", "Bad-Name"])
        bad_cidr = with_log_block(base, '    <Exclude "net">\n      Address '
                                  '"10.0.0.0/33"\n    </Exclude>\n')
        self.check_refused(bad_cidr, ['<Exclude "net">', "Address",
                                      "10.0.0.0/33"])
        no_file = with_log_block(base, '    SignatureFile "/nonexistent.data"'
                                 ' "leak" "path"\n')
        self.check_refused(no_file, ["SignatureFile", "/nonexistent.data"])
        bad_cats = with_log_block(base, '    Categories "-sqlx"\n')
        self.check_refused(bad_cats, ["Categories", "sqlx"])


class TestCli(unittest.TestCase):

    def config(self, d, extra=LOG_BLOCK, plugin_opts="  BruteForceAttempts 3\n"):
        path = os.path.join(d, "ao.conf")
        write(path, '<Plugin attack_origin>\n%s  <Log "web">\n    File "%s"\n'
              '%s  </Log>\n</Plugin>\n' % (
                  plugin_opts, os.path.join(d, "unused.log"),
                  extra % {"leaks": leaks_file(d)}))
        return path

    def test_config_verdicts(self):
        with Workdir() as d:
            conf = self.config(d)
            text = "".join(l + "\n" for l, _ in SCENARIO)
            rc, out, err = run("scan", "--config", conf, "--geoip", DB,
                               "--verdicts", "-", stdin=text)
            self.assertEqual(rc, 0, err)
            got = [json.loads(x)["categories"] for x in out.splitlines()]
            self.assertEqual(got, [sorted(c, key=self.order) for _, c in
                                   SCENARIO])
            # The reports have a column / key per category, own ones last.
            rc, out, err = run("scan", "--config", conf, "--geoip", DB,
                               "--json", "-", stdin=text)
            rep = json.loads(out)
            self.assertEqual(list(rep["categories"])[-4:],
                             ["bruteforce", "leak", "signin", "evil"])
            self.assertEqual(rep["categories"]["bruteforce"], 3)
            self.assertEqual(rep["categories"]["signin"], 2)
            rc, out, err = run("scan", "--config", conf, "--geoip", DB, "-",
                               stdin=text)
            header = [l for l in out.splitlines() if l.startswith("country")]
            self.assertTrue(header[0].split()[-3:] == ["leak", "signin",
                                                       "evil"], out)

    @staticmethod
    def order(cat):
        builtin = ["sqli", "xss", "traversal", "rce", "scanner", "probe",
                   "auth", "bruteforce", "leak", "signin", "evil"]
        return builtin.index(cat)

    def test_config_errors_name_file_and_line(self):
        with Workdir() as d:
            conf = self.config(d, extra='    <Rule "wp">\n      Category "x"\n'
                               '      Path "^/wp-login("\n    </Rule>\n')
            rc, out, err = run("scan", "--config", conf, os.devnull)
            self.assertEqual(rc, 2, err)
            self.assertIn("%s:7" % conf, err)  # the Path line
            self.assertIn('<Rule "wp">', err)
            self.assertIn("Path", err)
            # A SignatureFile's own line numbers are reported.
            bad = os.path.join(d, "bad.data")
            write(bad, "# ok\n/fine\n\nbad\x00phrase\n")
            write(conf, '<Plugin attack_origin>\n  <Log "web">\n    File "x"\n'
                  '    SignatureFile "%s" "leak" "path"\n  </Log>\n'
                  '</Plugin>\n' % bad)
            rc, out, err = run("scan", "--config", conf, os.devnull)
            self.assertEqual(rc, 2, err)
            self.assertIn('"%s": line 4: a NUL byte' % bad, err)
            self.assertIn("%s:4: <Log \"web\"> SignatureFile" % conf, err)

    def test_several_logs_need_log(self):
        with Workdir() as d:
            conf = os.path.join(d, "ao.conf")
            write(conf, '<Plugin attack_origin>\n'
                  '  <Log "a">\n    File "x"\n  </Log>\n'
                  '  <Log "b">\n    File "y"\n    Categories "-probe"\n'
                  '  </Log>\n</Plugin>\n')
            probe = line(GB, 1, "GET", "/.env", 404) + "\n"
            rc, out, err = run("scan", "--config", conf, "--verdicts", "-",
                               stdin=probe)
            self.assertEqual(rc, 2, err)
            self.assertIn("--log", err)
            rc, out, err = run("scan", "--config", conf, "--log", "a",
                               "--verdicts", "-", stdin=probe)
            self.assertEqual(json.loads(out)["categories"], ["probe"], err)
            rc, out, err = run("scan", "--config", conf, "--log", "b",
                               "--verdicts", "-", stdin=probe)
            self.assertEqual(json.loads(out)["categories"], [], err)
            rc, out, err = run("scan", "--config", conf, "--log", "c",
                               "--verdicts", "-", stdin=probe)
            self.assertEqual(rc, 2, err)
            self.assertIn('"c"', err)

    def test_bruteforce_flags(self):
        text = "".join(line(PH, s, "POST", "/login", 401) + "\n"
                       for s in range(10, 16))
        rc, out, err = run("scan", "--bruteforce-attempts", "4",
                           "--verdicts", "-", stdin=text)
        self.assertEqual(rc, 0, err)
        brute = ["bruteforce" in json.loads(x)["categories"]
                 for x in out.splitlines()]
        self.assertEqual(brute, [False] * 3 + [True] * 3)
        # A window shorter than the burst's pace: never a brute forcer.
        rc, out, err = run("scan", "--bruteforce-attempts", "4",
                           "--bruteforce-window", "2", "--verdicts", "-",
                           stdin=text)
        self.assertFalse(any("bruteforce" in json.loads(x)["categories"]
                             for x in out.splitlines()), out)
        rc, out, err = run("scan", "--bruteforce-attempts", "0",
                           "--verdicts", "-", stdin=text)
        self.assertFalse(any("bruteforce" in json.loads(x)["categories"]
                             for x in out.splitlines()), out)
        rc, out, err = run("scan", "--bruteforce-attempts", "x", "-",
                           stdin=text)
        self.assertEqual(rc, 2)
        self.assertIn("--bruteforce-attempts", err)


if __name__ == "__main__":
    unittest.main()
