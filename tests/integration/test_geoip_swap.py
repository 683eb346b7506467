"""Integration tests: the GeoIP database replaced, overwritten, truncated
and shared while the real collectd runs the plugin.

The claim is about collectd as a whole: whatever happens to the database
file, collectd never dies (a truncated MAP_SHARED mapping would kill it with
SIGBUS), no attack is lost or misattributed, and the new database answers
within one interval of a complete replacement.
"""

import os
import re
import shutil
import unittest

from harness import (GEO_TSV, TESTDATA, Collectd, Workdir, append, mkmmdb,
                     shipped_conf)
import loggen

DB = os.path.join(TESTDATA, "test-country.mmdb")
ASN_DB = os.path.join(TESTDATA, "test-asn.mmdb")
# 81.2.69.0/24 is GB in the test database and SE in the replacement. Every
# attack comes from a new address of it, so no answer comes from the cache:
# each one reads the database in use (a truncated mapping would be touched).
NET = "81.2.69.%d"


def extra_logs(conf, logs):
    """Adds <Log NAME> File PATH blocks (name -> path) to a shipped conf."""
    blocks = "".join('  <Log "%s">\n    File "%s"\n  </Log>\n' % (n, p)
                     for n, p in logs.items())
    return conf.replace("</Plugin>", blocks + "</Plugin>")


def geoipupdate_install(src, dst):
    """What geoipupdate does: write <db>.temporary, fsync, rename over."""
    tmp = dst + ".temporary"
    shutil.copyfile(src, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.rename(tmp, dst)


def copy_in_place(src, dst, length=None):
    """`cp src dst`: same inode, truncated, then written (length: only that
    many bytes, a copy caught half-way)."""
    with open(src, "rb") as f:
        data = f.read()
    if length is not None:
        data = data[:length]
    with open(dst, "r+b" if os.path.exists(dst) else "wb") as f:
        f.truncate(0)
        f.write(data)


def memfd_maps(pid):
    """Mappings of the plugin's private database copies in a process."""
    with open("/proc/%d/maps" % pid) as f:
        return [l for l in f if "attack_origin-geoip" in l]


class TestGeoipSwap(unittest.TestCase):

    def test_replace_overwrite_truncate(self):
        rows = loggen.load_geo(GEO_TSV)
        gen = loggen.Generator(rows, seed=21)
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            db = os.path.join(d, "GeoLite2-Country.mmdb")
            b_tsv = os.path.join(d, "b.tsv")
            with open(b_tsv, "w") as f:
                f.write("81.2.69.0/24\tSE\tSE\n2001:218::/32\tUS\tUS\n")
            b = os.path.join(d, "b.mmdb")
            mkmmdb(b_tsv, b)
            self.assertLess(os.path.getsize(b), os.path.getsize(DB))
            geoipupdate_install(DB, db)
            open(log, "w").close()
            cd = Collectd(d, shipped_conf(log, db)).start()
            want = {}
            lines = 0

            def attacks(n):
                nonlocal lines
                batch = [gen.line(True, "probe", addr=NET % (lines + i + 1))[0]
                         for i in range(n)]
                append(log, batch)
                lines += n

            def check(step):
                cd.wait_lines("web", lines)
                self.assertTrue(cd.alive(), "collectd died at " + step)
                got = {cc: cd.last("web", "total_events", cc)
                       for cc in cd.instances("web", "total_events")}
                self.assertEqual(got, {k: float(v) for k, v in want.items()},
                                 step)
                self.assertEqual(cd.last("web", "derive", "geoip_errors"), 0,
                                 step)

            def health(name):
                return cd.last("web", "derive", name)

            try:
                cd.wait_for("the first read",
                            lambda: health("lines_read") == 0)
                attacks(10)
                want["GB"] = 10
                check("start")

                # 1. geoipupdate's rename: the very next read uses the new
                # database (its cache flushed), so every line appended after
                # the rename counts under SE.
                geoipupdate_install(b, db)
                attacks(7)
                want["SE"] = 7
                check("after the rename")
                self.assertEqual(health("geoip_reloads"), 1)

                # 2. `cp` of the (longer) first database over it, in place.
                copy_in_place(DB, db)
                attacks(5)
                want["GB"] += 5
                check("after cp over")
                self.assertEqual(health("geoip_reloads"), 2)

                # 3. truncate(0): refused, the private copy keeps answering.
                failures = health("geoip_reload_failures")
                os.truncate(db, 0)
                attacks(6)
                want["GB"] += 6
                check("after truncate")
                cd.wait_for("the refusal counted",
                            lambda: health("geoip_reload_failures")
                            == failures + 1)

                # 4. a copy caught half-way, completed later.
                copy_in_place(b, db, os.path.getsize(b) // 2)
                attacks(4)
                want["GB"] += 4
                check("half a database written")
                cd.wait_for("the half file refused",
                            lambda: health("geoip_reload_failures")
                            == failures + 2)
                copy_in_place(b, db)
                attacks(3)
                want["SE"] += 3
                check("the copy completed")
                self.assertEqual(health("geoip_reloads"), 3)

                # 5. an ASN database over it, and geoipupdate's temporary
                # file left half-written beside it: neither is used.
                copy_in_place(ASN_DB, db)
                with open(db + ".temporary", "wb") as f:
                    f.write(b"\xab\xcd\xefMaxMind.com half")
                attacks(2)
                want["SE"] += 2
                check("ASN over it, .temporary beside it")
                cd.wait_for("the ASN database refused",
                            lambda: health("geoip_reload_failures")
                            == failures + 3)
                self.assertEqual(health("geoip_reloads"), 3)
                self.assertTrue(cd.alive())
            finally:
                rc = cd.stop()
            self.assertEqual(rc, 0, cd.log()[-3000:])
            log_text = cd.log()
            self.assertIn("reloaded GeoIP database %s" % db, log_text)
            self.assertRegex(log_text, r"cannot use GeoIP database %s: "
                             r"empty file; still using" % re.escape(db))
            self.assertIn("is not a country or city database", log_text)
            self.assertNotIn(".temporary", log_text)

    def test_logs_share_one_copy(self):
        """Four Logs on one database hold one private copy between them, and
        after a swap, one copy of the new version (reliability matrix C8:
        shared, reference-counted; the old copy goes once every Log has
        moved on)."""
        with Workdir() as d:
            db = os.path.join(d, "GeoLite2-Country.mmdb")
            geoipupdate_install(DB, db)
            logs = {}
            for name in ("web", "api", "shop", "blog"):
                logs[name] = os.path.join(d, name + ".log")
                open(logs[name], "w").close()
            conf = extra_logs(shipped_conf(logs["web"], db),
                              {k: v for k, v in logs.items() if k != "web"})
            cd = Collectd(d, conf).start()
            try:
                for name in logs:
                    cd.wait_for("the first read of " + name,
                                lambda n=name: cd.last(n, "derive",
                                                       "lines_read") == 0)
                maps = memfd_maps(cd.proc.pid)
                self.assertEqual(len(maps), 1, maps)
                self.assertIn("(deleted)", maps[0])
                # A new version: every Log moves to one new copy.
                geoipupdate_install(loggen_db(d), db)
                cd.wait_for("every Log reloaded",
                            lambda: all(cd.last(n, "derive", "geoip_reloads")
                                        == 1 for n in logs))
                cd.wait_for("one copy left",
                            lambda: len(memfd_maps(cd.proc.pid)) == 1)
            finally:
                self.assertEqual(cd.stop(), 0)


def loggen_db(d):
    """A second, different database."""
    tsv = os.path.join(d, "other.tsv")
    with open(tsv, "w") as f:
        f.write("81.2.69.0/24\tSE\tSE\n")
    out = os.path.join(d, "other.mmdb")
    mkmmdb(tsv, out)
    return out


if __name__ == "__main__":
    unittest.main()
