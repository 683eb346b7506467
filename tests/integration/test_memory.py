"""Integration test: a million distinct client addresses in one interval
(reliability matrix F3) leave collectd's memory where a thousand leave it.

Every attack comes from a new address (IPv6, four networks of the test
database), StartAt "beginning" makes the first read take the whole file
in one interval, and collectd's peak resident set (VmHWM) is compared with
the same run on 1,000 addresses: per-address state is bounded (the GeoIP
cache of GeoIPCacheSize entries, the brute-force table), so the difference
must stay under MEMORY_BOUND whatever the number of addresses. Counts are
exact. The GeoIP cache holds the database's networks (ao_geocache.h): the
four /32 networks cost one lookup each, every other address is a hit.

AO_MEMORY_ADDRESSES changes the large run (default 1,000,000); the figures
are printed for README.
"""

import os
import unittest

from harness import SANITIZE, TESTDATA, Collectd, Workdir, shipped_conf

DB = os.path.join(TESTDATA, "test-country.mmdb")
NETS = [("2a01:4f8::", "DE"), ("2001:41d0::", "FR"), ("2a00:1450::", "IE"),
        ("2001:218::", "JP")]
LINE = ('%s - - [10/Oct/2026:13:55:36 +0000] "GET /.env HTTP/1.1" 404 153 '
        '"-" "Mozilla/5.0"\n')
# The plugin's memory is fixed at start; the allowance covers allocator
# and collectd noise (measured growth: README, "Hostile input").
MEMORY_BOUND = 8 << 20


def write_log(path, n):
    """n attack lines, each from a distinct address; returns the truth."""
    per = n // len(NETS)
    truth = {}
    with open(path, "w") as f:
        for prefix, cc in NETS:
            f.write("".join(LINE % ("%s%x:%x" % (prefix, i >> 16, i & 0xffff))
                            for i in range(per)))
            truth[cc] = per
    return truth


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                out[k] = int(v.split()[0]) * 1024
    return out


def run(test, d, n):
    log = os.path.join(d, "access-%d.log" % n)
    truth = write_log(log, n)
    total = sum(truth.values())
    wd = os.path.join(d, "cd-%d" % n)
    os.makedirs(wd)
    cd = Collectd(wd, shipped_conf(log, DB, StartAt="beginning")).start()
    try:
        cd.wait_lines("web", total, timeout=300)
        mem = status(cd.proc.pid)
        got = {cc: cd.last("web", "total_events", cc)
               for cc in cd.instances("web", "total_events")}
        test.assertEqual(got, {k: float(v) for k, v in truth.items()})
        lookups = cd.last("web", "derive", "geoip_lookups")
        hits = cd.last("web", "derive", "geoip_cache_hits")
        evictions = cd.last("web", "derive", "geoip_cache_evictions")
        test.assertEqual(lookups, total)
        # one database lookup per network (IPv6 /32 blocks), then hits
        test.assertEqual(hits, total - len(NETS))
    finally:
        test.assertEqual(cd.stop(), 0)
    return mem, evictions


class TestMillionAddresses(unittest.TestCase):

    def test_memory_bounded(self):
        n = int(os.environ.get("AO_MEMORY_ADDRESSES", 1_000_000))
        with Workdir() as d:
            small, ev_small = run(self, d, 1000)
            large, ev_large = run(self, d, n)
        grow = large["VmHWM"] - small["VmHWM"]
        print("\n  collectd peak RSS (VmHWM): %.1f MiB with 1,000 distinct "
              "addresses, %.1f MiB with %d (%+.2f MiB); cache evictions %d"
              % (small["VmHWM"] / 2**20, large["VmHWM"] / 2**20, n,
                 grow / 2**20, ev_large))
        # four networks in a cache of 16384 entries: nothing pushed out
        self.assertEqual(ev_small, 0)
        self.assertEqual(ev_large, 0)
        if not SANITIZE:  # ASan's own bookkeeping is not the plugin's
            self.assertLess(grow, MEMORY_BOUND)


if __name__ == "__main__":
    unittest.main()
