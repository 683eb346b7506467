"""collectd's threshold plugin on the plugin's origin share, with the
shipped conf.d/attack_origin-thresholds.conf as is: notifications fire when
one country dominates, OKAY follows when it stops, a per-country override
applies, NaN shares (below MinAttacks) and quiet countries raise nothing.

Notifications are captured by collectd's logfile plugin (it writes every
notification to the log), the simplest real notification path.
"""

import os
import re
import time
import unittest

from harness import (GEO_TSV, REPO, TESTDATA, Collectd, Workdir, append,
                     shipped_conf)
import loggen

DB = os.path.join(TESTDATA, "test-country.mmdb")
THRESHOLDS = os.path.join(REPO, "conf.d", "attack_origin-thresholds.conf")
NOTE = re.compile(r"Notification: severity = (\w+), host = \S+, "
                  r"plugin = attack_origin, plugin_instance = web, "
                  r"type = (\w+), type_instance = (\w+), message = (.*)")


class TestThresholds(unittest.TestCase):

    def notifications(self, cd):
        return [m.groups() for m in NOTE.finditer(cd.log())]

    def test_share_notifications(self):
        rows = loggen.load_geo(GEO_TSV)
        gen = loggen.Generator(rows, seed=21)
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            open(log, "w").close()
            # A 6 s window so that the phases below take seconds, not
            # minutes; Timeout 2 (collectd's default) makes a value missing
            # after 2 intervals without an update.
            conf = shipped_conf(log, DB, ShareWindow=6, MinAttacks=10)
            cd = Collectd(d, conf, extra_conf='Include "%s"' % THRESHOLDS,
                          plugins=("logfile", "csv", "threshold")).start()

            def second(mix):
                append(log, [t for t, _ in gen.attacks(mix, "probe")])
                time.sleep(1.0)

            def phase(mix, seconds):
                for _ in range(seconds):
                    second(mix)

            try:
                cd.wait_for("the first read",
                            lambda: cd.last("web", "derive", "lines_read") == 0)
                # Below MinAttacks: 3 attacks, 2 from DE (67%): NaN, nothing.
                phase({"DE": 2, "FR": 1}, 1)
                nan_seen = lambda: any(
                    v != v for _, v in cd.series("web", "percent", "DE"))
                cd.wait_for("a NaN share", nan_seen)
                time.sleep(2)
                self.assertEqual(
                    sorted((sev, ti) for sev, _, ti, _ in self.notifications(cd)),
                    [("OKAY", "DE"), ("OKAY", "FR")])
                initial = 2
                # Balanced: every share 20-25%.
                balanced = {"SE": 2, "JP": 2, "FR": 2, "BR": 2}
                phase(balanced, 6)
                initial += 3  # SE, JP, BR appear
                self.assertEqual(
                    [sev for sev, _, _, _ in self.notifications(cd)],
                    ["OKAY"] * initial, "balanced traffic raised one")
                # US 70%: above the generic 50% warning, below its own 80%.
                phase({"US": 7, "FR": 3}, 10)
                initial += 1
                self.assertEqual(
                    [sev for sev, _, _, _ in self.notifications(cd)],
                    ["OKAY"] * initial, "the override for US did not apply")
                # DE 70%: a warning (generic levels), after Hits.
                phase({"DE": 7, "FR": 3}, 10)
                # RU 90%: a failure. DE, SE, JP, BR, US go quiet (share 0).
                phase({"RU": 9, "FR": 1}, 10)
                # Balanced again: the others recover.
                phase(balanced, 9)
                time.sleep(1)
            finally:
                rc = cd.stop()
            self.assertEqual(rc, 0)
            notes = self.notifications(cd)
            self.assertTrue(all(t == "percent" for _, t, _, _ in notes), notes)
            # collectd's threshold plugin starts every value in state
            # UNKNOWN: a country's first value (NaN or a share within range)
            # gives one OKAY notification, "within range again", once.
            by_cc = {}
            for sev, _, ti, _ in notes:
                by_cc.setdefault(ti, []).append(sev)
            for cc, sevs in by_cc.items():
                self.assertEqual(sevs[0], "OKAY", (cc, notes))
            after = {cc: sevs[1:] for cc, sevs in by_cc.items()}
            # Then exactly: DE warns and recovers, RU fails and recovers.
            # Nothing for the countries that went quiet (no "missing"),
            # nothing for US (its override), nothing while shares were NaN.
            self.assertEqual(set(after), {"DE", "FR", "SE", "JP", "BR", "US",
                                          "RU"}, notes)
            self.assertEqual(after.pop("DE"), ["WARNING", "OKAY"], notes)
            self.assertEqual(after.pop("RU"), ["FAILURE", "OKAY"], notes)
            self.assertEqual(after, {cc: [] for cc in after}, notes)
            self.assertNotIn("has not been updated", cd.log())
            fail = [m for sev, _, ti, m in notes if sev == "FAILURE"][0]
            self.assertIn("above the failure threshold of 75", fail)


if __name__ == "__main__":
    unittest.main()
