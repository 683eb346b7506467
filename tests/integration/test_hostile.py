"""Integration tests: hostile input through the real collectd (reliability
matrix groups D, E and G; issue 4 item 5).

Every line written here is labelled with what it must count as, and the
test compares collectd's csv output with that ground truth exactly: an
attacker who controls the request, the user name, the headers or the bytes
of a line can neither move an attack to another country, nor fake a field,
nor forge a line, nor make the plugin misread an address.
"""

import os
import unittest

from harness import TESTDATA, Collectd, Workdir, shipped_conf

DB = os.path.join(TESTDATA, "test-country.mmdb")
TS = "[10/Oct/2026:13:55:36 +0000]"
GB, SE, US, JP = "81.2.69.160", "89.160.20.112", "216.160.83.56", "2001:218::1"


def line(addr, req="GET /.env HTTP/1.1", status=404, ua="Mozilla/5.0",
         ref="-", user="-", tail=""):
    """A combined line as bytes. The default request is a probe (/.env,
    404): an attack of exactly one category whatever else is in the line."""
    text = ('%s - %s %s "%s" %d 153 "%s" "%s"%s'
            % (addr, user, TS, req, status, ref, ua, tail))
    return text.encode("latin-1") if isinstance(text, str) else text


class Truth:
    def __init__(self):
        self.lines = self.unparsed = self.oversized = self.invalid = 0
        self.by_country = {}

    def add(self, what, country=None, invalid=False, n=1):
        self.lines += n
        if what == "attack":
            self.by_country[country] = self.by_country.get(country, 0) + n
            self.invalid += n if invalid else 0
        elif what == "unparsed":
            self.unparsed += n
        elif what == "oversized":
            self.oversized += n


def hostile_lines():
    """(bytes of one line without its newline, what, country, invalid)."""
    L = []

    def add(b, what, cc=None, invalid=False):
        L.append((b, what, cc, invalid))

    # --- D1/D2: escapes that try to fake the fields after them -----------
    # nginx escapes quotes as \x22: the user agent cannot supply a status
    # (401 would make it an auth attack) or a second address.
    add(line(GB, ua='x\\x22 401 9 \\x22-\\x22 \\x22' + SE), "attack", "GB")
    add(line(SE, req="GET /index.html HTTP/1.1", status=200,
             ua='x\\x22 401 9 \\x22-\\x22 \\x22y'), "benign")
    # Apache escapes them as \": the same tricks.
    add(line(US, req="GET /index.html HTTP/1.1", status=200,
             ua='x\\" 401 9 \\"-\\" \\"' + GB), "benign")
    add(line(US, ref='http://a/\\" 404 1 \\"-\\" \\"x'), "attack", "US")
    # A request that itself carries a fake end of request and status.
    add(line(JP, req='GET /index.html?a=\\x22 401 1 \\x22 HTTP/1.1',
             status=200), "benign")

    # --- addresses planted where an address is not ------------------------
    # A Basic-auth user name (nginx logs $remote_user from any client, with
    # its spaces) that contains a whole fake line, quotes escaped.
    fake = ('%s - - %s \\x22GET /.env HTTP/1.1\\x22 404 1 \\x22-\\x22 '
            '\\x22x\\x22' % (GB, TS))
    add(line(US, req="GET /index.html HTTP/1.1", status=200, user=fake),
        "benign")
    add(line(US, user=fake), "attack", "US")
    add(line(SE, user=GB), "attack", "SE")
    # X-Forwarded-For appended by nginx `main`, the referer, the host: never
    # the client address.
    add(line(SE, tail=' "%s, %s"' % (GB, US)), "attack", "SE")
    add(line(JP, ref="http://%s/" % GB, ua="curl (%s)" % US), "attack", "JP")

    # --- D4/D5/D6: bytes ---------------------------------------------------
    add(line(GB, ua="a\x00b"), "attack", "GB")
    # A NUL followed by a whole attack line is one benign line, not two.
    add(line(SE, req="GET /index.html HTTP/1.1", status=200,
             ua="a\x00" + line(GB).decode("latin-1")), "benign")
    add(line(GB, req="GET /.env?\xff\xfe\xc0\xaf HTTP/1.1"), "attack", "GB")
    add(line(US, req="GET /caf\xe9\xff.html HTTP/1.1", status=200,
             ua="\xed\xa0\x80 \xf8\x88\x80\x80\x80"), "benign")
    add(line(JP, ua="Mozilla\rX"), "attack", "JP")     # a lone CR
    add(line(GB) + b"\r", "attack", "GB")               # CRLF ending
    add(b"", "empty")
    add(b"\r", "empty")
    add(b"   ", "unparsed")
    add(b"\x00\x00\x00", "unparsed")

    # --- E1/E2: textual address forms -------------------------------------
    # Not strict: never reinterpreted (0121.2.69.160 is GB in octal, and
    # 1359103392 is 81.2.69.160 as an integer), counted under ZZ.
    for a in ("0121.2.69.160", "081.2.69.160", "010.0.0.1", "1.2.3", "127.1",
              "0x51.2.69.160", "1359103392", "81.2.69.160:80",
              "81.2.69.160.", "[2001:218::1]", "[2001:218::1]:443",
              "fe80::1%lo", "2001:218::1%25eth0", "81.2.69.256", "unknown",
              "-", "81.2.69.160,89.160.20.112", "::ffff:081.2.69.160"):
        add(line(a), "attack", "ZZ", invalid=True)
    # Strict forms of one address: the same country.
    for a in ("::ffff:81.2.69.160", "::FFFF:5102:45a0", "0:0:0:0:0:ffff:81.2.69.160"):
        add(line(a), "attack", "GB")
    # Valid addresses that embed an IPv4 one but are not it (6to4, NAT64,
    # IPv4-compatible): special, ZZ without a lookup, not invalid.
    for a in ("2002:5102:45a0::1", "64:ff9b::5102:45a0", "::81.2.69.160"):
        add(line(a), "attack", "ZZ")
    # A leading space is a parse error, not a trimmed address.
    add(b" " + line(GB), "unparsed")
    return L


class TestHostileLines(unittest.TestCase):

    def test_hostile_lines_counted_exactly(self):
        truth = Truth()
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            open(log, "w").close()
            cd = Collectd(d, shipped_conf(log, DB, MinAttacks=1)).start()
            try:
                cd.wait_for("the first read",
                            lambda: cd.last("web", "derive",
                                            "lines_read") == 0)
                with open(log, "ab") as f:
                    for b, what, cc, invalid in hostile_lines():
                        self.assertNotIn(b"\n", b)
                        f.write(b + b"\n")
                        truth.add(what, cc, invalid)
                    # D3: long lines whose bytes after 4096 (where
                    # collectd's own tail plugin splits) and after 65536 are
                    # complete attack lines from SE. Under MaxLineLength
                    # (65536) the 4 KiB one is one line, whose address is
                    # the run of A's (invalid, ZZ); the longer ones (just
                    # over 64 KiB, 1 MiB, 16 MiB) are each one oversized line,
                    # skipped through its newline. No SE line is forged.
                    fake = line(SE)
                    f.write(b"A" * 4096 + b" " + fake + b"\n")
                    truth.add("attack", "ZZ", invalid=True)
                    for size in (0, 1 << 20, 16 << 20):
                        b = b"A" * 4096 + b" " + fake
                        b += b"B" * (65536 - len(b)) + b" " + fake
                        b += b"C" * (size - len(b))  # 0: just over 64 KiB
                        self.assertGreater(len(b), 65536)
                        f.write(b + b"\n")
                        truth.add("oversized")
                    # The next line is intact.
                    f.write(line(US) + b"\n")
                    truth.add("attack", "US")
                cd.wait_lines("web", truth.lines, timeout=60)
                got = {cc: cd.last("web", "total_events", cc)
                       for cc in cd.instances("web", "total_events")}
                self.assertEqual(got, {k: float(v) for k, v in
                                       truth.by_country.items()})
                h = lambda n: cd.last("web", "derive", n)
                self.assertEqual(h("lines_read"), truth.lines)
                self.assertEqual(h("lines_unparsed"), truth.unparsed)
                self.assertEqual(h("lines_oversized"), truth.oversized)
                self.assertEqual(h("addresses_invalid"), truth.invalid)
                self.assertEqual(h("lines_attack"),
                                 sum(truth.by_country.values()))
                self.assertEqual(h("geoip_errors"), 0)
                # Only the probe category: no field was misread into
                # another one (a faked 401 would be `auth`).
                self.assertEqual(
                    {ti.split("-")[0]
                     for ti in cd.instances("web", "total_requests")},
                    {"probe"})
                self.assertEqual(cd.last("web", "bytes", "lag"), 0)
            finally:
                self.assertEqual(cd.stop(), 0)

    def test_16_mib_lines_when_allowed(self):
        """MaxLineLength at its maximum (16 MiB): a 16 MiB line is read and
        counted, one byte more is oversized, and memory is what README
        says (the buffers are sized at start, never grown)."""
        with Workdir() as d:
            log = os.path.join(d, "access.log")
            open(log, "w").close()
            cd = Collectd(d, shipped_conf(log, DB,
                                          MaxLineLength=16 << 20)).start()
            try:
                cd.wait_for("the first read",
                            lambda: cd.last("web", "derive",
                                            "lines_read") == 0)
                base = line(GB, ua="")
                pad = (16 << 20) - len(base)
                exact = line(GB, ua="u" * pad)
                self.assertEqual(len(exact), 16 << 20)
                with open(log, "ab") as f:
                    f.write(exact + b"\n")
                    f.write(line(SE, ua="u" * (pad + 1)) + b"\n")
                    f.write(line(US) + b"\n")
                cd.wait_lines("web", 3, timeout=60)
                self.assertEqual(cd.last("web", "total_events", "GB"), 1)
                self.assertEqual(cd.last("web", "total_events", "US"), 1)
                self.assertIsNone(cd.last("web", "total_events", "SE"))
                self.assertEqual(cd.last("web", "derive",
                                         "lines_oversized"), 1)
            finally:
                self.assertEqual(cd.stop(), 0)


if __name__ == "__main__":
    unittest.main()
