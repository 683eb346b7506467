#!/usr/bin/env python3
"""faults: the fault-injection harness (issue 4, "Tests", first bullet).

Runs the real plugin in the real collectd (harness.Collectd, csv writer with
StoreRates false) against writers that behave like nginx (one descriptor
opened with O_APPEND, reopened only when told), and interleaves, at seeded
random points:

  rotations  rename + create with the writer still appending to the old file
             for a while; rename without create (the path missing for a
             while); copytruncate (also grown back past the old offset before
             the next read); delete + recreate; a symlink switched to a new
             target; new files matching a glob; rotated files compressed
             (delaycompress) once drained; journal files added to a journal
             directory;
  restarts   clean (SIGTERM) and kill -9 at any moment, with writers, and
             some rotations, going on while collectd is down; a delete +
             recreate while stopped (inode reuse on ext4).

Ground truth. Four Logs (a file, a glob, a symlink, the journal), each with
its own counters. Every line is an attack of one category from one country,
and the harness gives every *phase* of a Log - the lines written between two
events that touch it - its own (category, country) pair (7 categories x 14
countries = 98 per Log), so a line lost or counted twice shows as a
difference in that pair's counter (total_requests-<category>-<CC>): missing
when below, duplicated when above, and any counter, unparsed or oversized
line that was never written is bogus. A loss and a duplicate can only hide
each other if they fall in the same phase and are equally large (when a
run has more phases than pairs, pairs are reused and the report says so).

The events are restricted to what the plugin promises (README, "Restarts and
what is promised"): writers reopen within RotateWait, rotated files are
compressed or removed only after collectd has been up long enough to drain
them and save its state, at most one rotation per file while collectd is
down, and copytruncate never has writes between its copy and its truncate.
The documented gaps are therefore not exercised, and the expected figure for
missing, duplicated and bogus lines is zero.

  python3 tests/integration/faults.py --steps 400 --seed 1 [--report F]

prints a JSON report. `make soak` runs a long version, and
tests/integration/test_faults.py a short one inside `make check`.
"""

import argparse
import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness as H  # noqa: E402
import loggen  # noqa: E402

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
INTERVAL = 1.0
ROTATE_WAIT = 3.0
# Uptime after which a rotated file has surely been drained, closed and
# left out of a saved state (RotateWait, then two intervals and a save).
DRAINED_AFTER = ROTATE_WAIT + 4 * INTERVAL


class Pairs:
    """The (category, country) pairs of one Log, handed out per phase."""

    def __init__(self, rng, rows):
        # Countries with a public network (trap rows of private ranges
        # count as ZZ), plus ZZ itself (an address the database lacks).
        ccs = sorted(set(cc for net, cc in rows
                         if cc != "ZZ" and net.is_global) | {"ZZ"})
        cats = list(loggen.CATEGORIES)
        self.pairs = [(cat, cc) for cc in ccs for cat in cats]
        rng.shuffle(self.pairs)
        self.next = 0
        self.reused = 0

    def take(self):
        p = self.pairs[self.next % len(self.pairs)]
        if self.next >= len(self.pairs):
            self.reused += 1
        self.next += 1
        return p


class Lines:
    """Attack lines of one (category, country), as loggen writes them."""

    def __init__(self, rng, rows):
        self.rows = rows
        self.gen = loggen.Generator(rows, seed=rng.randrange(1 << 30))
        self.absent = loggen.absent_address(rows, 4)

    def make(self, cat, cc, n):
        out = []
        for _ in range(n):
            if cc == "ZZ":
                addr = self.absent
            else:
                addr = self.gen.country_address(cc)
            text, truth = self.gen.line(True, cat, addr=addr)
            assert truth["country"] == cc and truth["categories"] == [cat]
            out.append(text)
        return out


class FileWriter:
    """A writer like nginx: O_APPEND descriptor, reopened only when told."""

    def __init__(self, path):
        self.path = path
        self.fd = None
        self.reopen()

    def reopen(self):
        if self.fd is not None:
            os.close(self.fd)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                          0o644)
        self.ino = os.fstat(self.fd).st_ino

    def write(self, lines):
        data = "".join(line + "\n" for line in lines).encode()
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class Run:
    def __init__(self, workdir, seed, steps, journal=True, verbose=False):
        self.d = workdir
        self.t0 = time.monotonic()
        self.rng = random.Random(seed)
        self.seed = seed
        self.steps = steps
        self.verbose = verbose
        self.rows = loggen.load_geo(H.GEO_TSV)
        self.lines = Lines(self.rng, self.rows)
        self.journal = journal and os.access(JOURNAL_REMOTE, os.X_OK)
        self.logs = ["web", "glob", "sym"] + (["ssh"] if self.journal else [])
        self.pairs = {name: Pairs(self.rng, self.rows) for name in self.logs}
        self.cur = {name: self.pairs[name].take() for name in self.logs}
        self.expected = {name: {} for name in self.logs}
        self.written = {name: 0 for name in self.logs}
        self.phases = {name: 1 for name in self.logs}
        self.events = {}
        self.trace = []  # (time, event, logs touched): for failure reports
        self.phase_log = {name: [] for name in self.logs}
        self.up_since = None  # monotonic time collectd (re)started
        self.cd = None
        self.rot_no = 0
        self.jseq = 0
        self.pending_reopen = []  # (due time, writer)
        # Rotated files waiting to be compressed: [path, writer that may
        # still write there (or None), time of its last write or None].
        self.rotated = []
        self.no_restart_until = 0.0
        self.seen_at_stop = set()
        # When the file at the main path got its first line since it was
        # created or truncated (None: empty). A copytruncate of a file the
        # plugin has only seen empty loses the lines in between (README,
        # gap 4): the harness copytruncates only files with lines read.
        self.content_since = None
        self.down_rotated = set()  # files rotated while collectd was down
        self.created_at = {}  # path -> time of its (re)creation

        ld = os.path.join(self.d, "logs")
        os.makedirs(os.path.join(ld, "vhosts"))
        self.main_path = os.path.join(ld, "access.log")
        self.sym_path = os.path.join(ld, "current.log")
        self.vhost_dir = os.path.join(ld, "vhosts")
        self.jdir = os.path.join(ld, "journal")
        os.makedirs(self.jdir)
        self.jfile = os.path.join(self.jdir, "remote-0.journal")
        self.main = FileWriter(self.main_path)
        self.created_at[self.main_path] = 0
        self.sym_target_no = 1
        target = os.path.join(ld, "target-1.log")
        os.symlink(target, self.sym_path)
        self.sym = FileWriter(target)
        self.vhosts = [FileWriter(os.path.join(self.vhost_dir, "a.log"))]
        for w in [self.sym] + self.vhosts:
            self.created_at[w.path] = 0

    # --- bookkeeping ------------------------------------------------------

    def note(self, kind):
        self.events[kind] = self.events.get(kind, 0) + 1
        self.trace.append((round(time.monotonic() - self.t0, 2), kind,
                           self.cd is not None))
        if self.verbose:
            print("  %-22s up=%s" % (kind, self.cd is not None), flush=True)

    def new_phase(self, name):
        self.cur[name] = self.pairs[name].take()
        self.phases[name] += 1
        self.phase_log[name].append(
            (round(time.monotonic() - self.t0, 2), "%s-%s" % self.cur[name],
             self.trace[-1][1] if self.trace else "start"))

    def make(self, name, n):
        cat, cc = self.cur[name]
        key = "%s-%s" % (cat, cc)
        self.expected[name][key] = self.expected[name].get(key, 0) + n
        self.written[name] += n
        return self.lines.make(cat, cc, n)

    def uptime(self):
        if self.cd is None or self.up_since is None:
            return 0.0
        return time.monotonic() - self.up_since

    def plugin_has_seen(self, path):
        """The plugin has had this file open for a while: its identity is
        in a saved state (created while collectd was up for two intervals,
        or known from before)."""
        t = self.created_at.get(path)
        return (self.cd is not None and t is not None and self.up_since
                is not None and t <= time.monotonic() - 2 * INTERVAL and
                self.uptime() >= 2 * INTERVAL)

    # --- collectd ---------------------------------------------------------

    def conf(self):
        db = os.path.join(H.TESTDATA, "test-country.mmdb")
        text = H.shipped_conf(self.main_path, db, RotateWait=ROTATE_WAIT,
                              StartAt="beginning")
        extra = """
  <Log "glob">
    File "%s/*.log"
    StartAt "beginning"
  </Log>
  <Log "sym">
    File "%s"
    StartAt "beginning"
  </Log>
""" % (self.vhost_dir, self.sym_path)
        if self.journal:
            extra += """
  <Log "ssh">
    Journal true
    JournalPath "%s"
    Match "_SYSTEMD_UNIT=nginx.service"
    Format "combined"
    StartAt "beginning"
  </Log>
""" % self.jdir
        i = text.rindex("</Plugin>")
        text = text[:i] + extra + text[i:]
        # The harness checks the sources: every line counted once, in the
        # (category, country) its writer labelled it with. Brute force by
        # rate is a property of several lines together (an address's 404s
        # across phases add up to a `bruteforce` count no single line has),
        # so it is switched off here; tests/integration/test_detection.py
        # and tests/unit/test_rate.c test it.
        i = text.index("<Plugin attack_origin>") + len("<Plugin attack_origin>")
        return (text[:i] + "\n  BruteForceAttempts 0\n  BruteForceNotFound 0"
                + text[i:])

    def start(self):
        if self.cd is None:
            self.cd_obj = getattr(self, "cd_obj", None) or H.Collectd(
                self.d, self.conf(), interval=INTERVAL)
            self.cd = self.cd_obj.start()
            self.up_since = time.monotonic()

    def stop(self, kill=False):
        if self.cd is None:
            return
        self.seen_at_stop = {p for p in self.created_at
                             if self.plugin_has_seen(p)}
        if kill:
            self.cd.proc.send_signal(signal.SIGKILL)
            self.cd.proc.wait()
        self.cd.stop()
        self.cd = None
        self.up_since = None
        self.down_rotated = set()

    # --- writers ----------------------------------------------------------

    def write_all(self):
        n = self.rng.randrange(1, 12)
        self.main.write(self.make("web", n))
        if self.content_since is None and \
                not any(w is self.main for _, w in self.pending_reopen) and \
                self.main.path == self.main_path and \
                os.path.exists(self.main_path) and \
                os.fstat(self.main.fd).st_ino == \
                os.stat(self.main_path).st_ino:
            self.content_since = time.monotonic()
        self.sym.write(self.make("sym", self.rng.randrange(1, 8)))
        for w in self.vhosts:
            w.write(self.make("glob", self.rng.randrange(0, 5)))
        if self.journal:
            self.journal_write(self.rng.randrange(1, 6))

    def journal_write(self, n):
        out = bytearray()
        msgs = [("nginx.service", m) for m in self.make("ssh", n)]
        msgs.append(("cron.service", "(root) CMD (noise that is no match)"))
        for unit, msg in msgs:
            self.jseq += 1
            ts = 1700000000000000 + self.jseq
            out += ("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
                    "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                    "_HOSTNAME=web1\n_SYSTEMD_UNIT=%s\nMESSAGE=%s\n\n"
                    % (ts, ts, unit, msg)).encode()
        subprocess.run([JOURNAL_REMOTE, "--output=" + self.jfile, "-"],
                       input=bytes(out), check=True, capture_output=True)

    def reopen_due(self, force=False):
        now = time.monotonic()
        keep = []
        for due, w in self.pending_reopen:
            if force or now >= due:
                w.reopen()
                self.created_at.setdefault(w.path, now)
            else:
                keep.append((due, w))
        self.pending_reopen = keep

    def late_reopen(self, w):
        """The writer keeps writing to the old file for up to RotateWait/2
        (nginx until USR1 arrives), then reopens."""
        due = time.monotonic() + self.rng.uniform(0, ROTATE_WAIT / 2)
        self.pending_reopen.append((due, w))
        return due

    # --- events -----------------------------------------------------------

    def rotated_name(self, base):
        self.rot_no += 1
        return "%s.%d" % (base, self.rot_no)

    def can_rotate(self, path):
        if self.cd is None:
            # While down: at most one rotation per file, of a file the
            # saved state knows.
            return path not in self.down_rotated and path in self.seen_at_stop
        return self.plugin_has_seen(path) and \
            not any(w.path == path for _, w in self.pending_reopen)

    def ev_rename(self):
        if not self.can_rotate(self.main_path) or \
                any(w is self.main for _, w in self.pending_reopen):
            return
        old = self.rotated_name(self.main_path)
        os.rename(self.main_path, old)
        self.content_since = None
        create = self.rng.random() < 0.8
        if create:
            open(self.main_path, "a").close()
            self.created_at[self.main_path] = time.monotonic()
        else:
            self.created_at.pop(self.main_path, None)
        self.rotated.append([old, self.main, None])
        self.late_reopen(self.main)
        if self.cd is None:
            self.down_rotated.add(self.main_path)
        self.new_phase("web")
        self.note("rename+create" if create else "rename (path missing)")

    def ev_copytruncate(self):
        if self.cd is None or not self.can_rotate(self.main_path) or \
                any(w is self.main for _, w in self.pending_reopen):
            return
        if self.content_since is None or time.monotonic() - max(
                self.content_since, self.up_since) < 2 * INTERVAL:
            return  # the plugin may not have read a line of it yet
        copy = self.rotated_name(self.main_path)
        shutil.copyfile(self.main_path, copy)
        os.truncate(self.main_path, 0)
        self.content_since = None
        self.created_at[self.main_path] = time.monotonic()
        self.rotated.append([copy, None, time.monotonic()])
        self.new_phase("web")
        regrow = self.rng.random() < 0.5
        if regrow:
            # Grown back past the old offset before the next read.
            self.main.write(self.make("web", 400))
            self.content_since = time.monotonic()
        self.note("copytruncate+regrow" if regrow else "copytruncate")

    def ev_delete_recreate(self):
        if self.cd is None or not self.can_rotate(self.main_path) or \
                any(w is self.main for _, w in self.pending_reopen):
            return
        os.unlink(self.main_path)
        open(self.main_path, "a").close()
        self.content_since = None
        self.created_at[self.main_path] = time.monotonic()
        due = self.late_reopen(self.main)
        # Lines still going to the deleted file live only behind the
        # plugin's descriptor: no restart until they are read and saved.
        self.no_restart_until = due + 2.5 * INTERVAL
        self.new_phase("web")
        self.note("delete+recreate")

    def ev_symlink(self):
        if not self.can_rotate(self.sym.path):
            return
        self.sym_target_no += 1
        target = os.path.join(os.path.dirname(self.sym_path),
                              "target-%d.log" % self.sym_target_no)
        open(target, "a").close()
        tmp = self.sym_path + ".tmp"
        os.symlink(target, tmp)
        os.rename(tmp, self.sym_path)
        old = self.sym
        self.sym = FileWriter(target)
        self.created_at[target] = time.monotonic()
        # The old target's writer goes on for a while, then stops.
        self.late_writer_close(old)
        self.rotated.append([old.path, None, time.monotonic()])
        if self.cd is None:
            self.down_rotated.add(old.path)
        self.new_phase("sym")
        self.note("symlink switched")

    def late_writer_close(self, w):
        w.write(self.make("sym", self.rng.randrange(1, 4)))
        w.close()

    def ev_vhost(self):
        r = self.rng.random()
        if r < 0.4 or len(self.vhosts) < 2:
            name = "v%d.log" % (len(self.vhosts) + self.rot_no)
            path = os.path.join(self.vhost_dir, name)
            w = FileWriter(path)
            self.created_at[path] = time.monotonic()
            self.vhosts.append(w)
            self.new_phase("glob")
            self.note("glob: new file")
            return
        w = self.rng.choice(self.vhosts)
        if not self.can_rotate(w.path) or \
                any(x is w for _, x in self.pending_reopen):
            return
        old = self.rotated_name(w.path)
        os.rename(w.path, old)
        open(w.path, "a").close()
        self.created_at[w.path] = time.monotonic()
        self.late_reopen(w)
        self.rotated.append([old, w, None])
        if self.cd is None:
            self.down_rotated.add(w.path)
        self.new_phase("glob")
        self.note("glob: rename+create")

    def ev_journal_file(self):
        if not self.journal:
            return
        self.jfile = os.path.join(self.jdir, "remote-%d.journal" % self.jseq)
        self.new_phase("ssh")
        self.note("journal: new file")

    def ev_compress(self):
        """delaycompress: a rotated file is compressed (a new .gz file, the
        old one removed) once collectd has been up long enough to have
        drained it and saved a state without it."""
        now = time.monotonic()
        if self.cd is None:
            return
        for item in self.rotated:
            path, writer, last = item
            if writer is not None and \
                    any(w is writer for _, w in self.pending_reopen):
                continue  # still written to
            if last is None:
                last = item[2] = now  # the writer moved on by now
            if now - max(last, self.up_since) < DRAINED_AFTER:
                continue
            with open(path, "rb") as src, gzip.open(path + ".gz", "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.unlink(path)
            self.rotated.remove(item)
            self.note("compress rotated")
            return

    def ev_restart(self, kill):
        if self.cd is None or time.monotonic() < self.no_restart_until:
            return
        if kill:
            # Anywhere in the interval: inside a read, a dispatch or a save.
            time.sleep(self.rng.uniform(0, INTERVAL))
        self.stop(kill=kill)
        self.last_up_end = time.monotonic()
        self.note("kill -9" if kill else "restart")
        for name in self.logs:
            self.new_phase(name)
        down = self.rng.uniform(0.2, 2.5)
        t_end = time.monotonic() + down
        while time.monotonic() < t_end:
            self.write_all()
            self.reopen_due()
            r = self.rng.random()
            if r < 0.25:
                self.ev_rename()
            elif r < 0.35:
                self.ev_symlink()
            elif r < 0.45:
                self.ev_vhost()
            time.sleep(0.2)
        self.start()

    def ev_inode_reuse(self):
        """Stop cleanly once everything was counted, delete the file and
        create a new one (ext4 hands it the old inode), start: the new file
        is read from its start, nothing skipped."""
        if self.cd is None or not self.can_rotate(self.main_path) or \
                any(w is self.main for _, w in self.pending_reopen) or \
                time.monotonic() < self.no_restart_until:
            return
        if not self.wait_caught_up(["web"], timeout=40):
            return
        ino = os.stat(self.main_path).st_ino
        self.stop()
        self.last_up_end = time.monotonic()
        os.unlink(self.main_path)
        self.main.reopen()
        self.content_since = None
        self.created_at[self.main_path] = time.monotonic()
        self.events["inode reused"] = self.events.get("inode reused", 0) + \
            (self.main.ino == ino)
        for name in self.logs:
            self.new_phase(name)
        self.main.write(self.make("web", 5))
        self.note("restart+delete+recreate")
        self.start()

    # --- checking -----------------------------------------------------------

    def counted(self, name, what="lines_read"):
        v = self.cd.last(name, "derive", what) if self.cd else None
        return int(v) if v is not None else 0

    def wait_caught_up(self, names, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.counted(n) >= self.written[n] for n in names):
                time.sleep(INTERVAL * 1.5)
                return True
            time.sleep(0.2)
        return False

    # Every kind of event, each of which must happen at least once in a run
    # (the short run in `make check` depends on it).
    KINDS = [
        ("rename+create", lambda self: self.ev_rename()),
        ("copytruncate+regrow", lambda self: self.ev_copytruncate()),
        ("symlink switched", lambda self: self.ev_symlink()),
        ("glob: rename+create", lambda self: self.ev_vhost()),
        ("delete+recreate", lambda self: self.ev_delete_recreate()),
        ("kill -9", lambda self: self.ev_restart(kill=True)),
        ("restart", lambda self: self.ev_restart(kill=False)),
        ("restart+delete+recreate", lambda self: self.ev_inode_reuse()),
        ("compress rotated", lambda self: self.ev_compress()),
    ]

    def cover_every_kind(self):
        self.cover_failed = []
        for kind, ev in self.KINDS:
            deadline = time.monotonic() + 120
            while self.events.get(kind, 0) == 0 and \
                    time.monotonic() < deadline:
                self.write_all()
                self.reopen_due()
                ev(self)
                time.sleep(0.3)
            if self.events.get(kind, 0) == 0:
                self.cover_failed.append({
                    "kind": kind, "up": self.cd is not None,
                    "uptime": round(self.uptime(), 1),
                    "can_rotate_main": self.can_rotate(self.main_path),
                    "created_main": self.created_at.get(self.main_path),
                    "now": round(time.monotonic(), 1),
                    "pending": len(self.pending_reopen),
                    "no_restart_until": round(self.no_restart_until, 1),
                    "web_read": self.counted("web"),
                    "web_written": self.written["web"]})

    def run(self, cover=False):
        self.last_up_end = 0.0
        self.t0 = time.monotonic()
        self.start()
        time.sleep(1.5 * INTERVAL)
        if cover:
            self.cover_every_kind()
        for step in range(self.steps):
            self.write_all()
            self.reopen_due()
            r = self.rng.random()
            if r < 0.16:
                self.ev_rename()
            elif r < 0.24:
                self.ev_copytruncate()
            elif r < 0.26:
                self.ev_delete_recreate()
            elif r < 0.36:
                self.ev_symlink()
            elif r < 0.46:
                self.ev_vhost()
            elif r < 0.49:
                self.ev_journal_file()
            elif r < 0.54:
                self.ev_restart(kill=False)
            elif r < 0.61:
                self.ev_restart(kill=True)
            elif r < 0.63:
                self.ev_inode_reuse()
            elif r < 0.72:
                self.ev_compress()
            time.sleep(self.rng.uniform(0.05, 0.5))
        # The end: writers reopen, everything is drained.
        self.reopen_due(force=True)
        self.start()
        caught = self.wait_caught_up(self.logs, timeout=120)
        time.sleep(ROTATE_WAIT + 3 * INTERVAL)
        report = self.report(caught)
        self.stop()
        for w in [self.main, self.sym] + self.vhosts:
            w.close()
        return report

    def report(self, caught):
        out = {"seed": self.seed, "steps": self.steps, "events": self.events,
               "logs": {}, "caught_up": caught,
               "cover_failed": getattr(self, "cover_failed", [])}
        rotations = sum(v for k, v in self.events.items()
                        if k not in ("restart", "kill -9", "inode reused",
                                     "compress rotated", "glob: new file",
                                     "restart+delete+recreate"))
        out["rotations"] = rotations
        out["restarts"] = self.events.get("restart", 0) + \
            self.events.get("kill -9", 0) + \
            self.events.get("restart+delete+recreate", 0)
        out["kill9"] = self.events.get("kill -9", 0)
        total = {"written": 0, "missing": 0, "duplicated": 0, "bogus": 0}
        for name in self.logs:
            got = {ti: int(self.cd.last(name, "total_requests", ti))
                   for ti in self.cd.instances(name, "total_requests")}
            want = self.expected[name]
            missing = dup = bogus = 0
            diffs = {}
            for key in set(got) | set(want):
                g, w = got.get(key, 0), want.get(key, 0)
                if key not in want:
                    bogus += g
                elif g < w:
                    missing += w - g
                elif g > w:
                    dup += g - w
                if g != w:
                    # With the phases that used this pair and the events
                    # around them, to find what lost or doubled lines.
                    ph = [p for p in self.phase_log[name] if p[1] == key]
                    around = [e for e in self.trace
                              if any(abs(e[0] - p[0]) < 8 for p in ph)]
                    diffs[key] = {"expected": w, "counted": g,
                                  "phases": ph, "events": around}
            # No dispatched counter ever goes back, restarts and kill -9
            # included (the state is saved before each dispatch).
            decreases = 0
            for ti in self.cd.instances(name, "total_requests"):
                vals = [v for _, v in self.cd.series(name, "total_requests",
                                                     ti)]
                decreases += sum(1 for a, b in zip(vals, vals[1:]) if b < a)
            bogus += self.counted(name, "lines_unparsed")
            bogus += self.counted(name, "lines_oversized")
            read = self.counted(name)
            info = {
                "written": self.written[name], "lines_read": read,
                "phases": self.phases[name],
                "pairs_reused": self.pairs[name].reused,
                "missing": missing, "duplicated": dup, "bogus": bogus,
                "decreases": decreases,
                "lines_partial": self.counted(name, "lines_partial"),
                "rotations": self.counted(name, "rotations"),
                "truncations": self.counted(name, "truncations"),
                "truncation_copies": self.counted(name, "truncation_copies"),
                "files_lost": self.counted(name, "files_lost"),
                "state_rejected": self.counted(name, "state_rejected"),
                "diffs": diffs,
            }
            out["logs"][name] = info
            total["written"] += self.written[name]
            total["missing"] += missing
            total["duplicated"] += dup
            total["bogus"] += bogus
        out["total"] = total
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report", help="write the JSON report here too")
    ap.add_argument("--no-journal", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--cover", action="store_true",
                    help="first make every kind of event happen once")
    args = ap.parse_args()
    with H.Workdir() as d:
        run = Run(d, args.seed, args.steps, journal=not args.no_journal,
                  verbose=args.verbose)
        t0 = time.monotonic()
        rep = run.run(cover=args.cover)
        rep["seconds"] = round(time.monotonic() - t0, 1)
        t = rep["total"]
        if t["missing"] or t["duplicated"] or t["bogus"]:
            keep = d + "-failed"
            shutil.copytree(d, keep, symlinks=True)
            rep["kept"] = keep
    text = json.dumps(rep, indent=1, sort_keys=True)
    print(text)
    if args.report:
        with open(args.report, "w") as f:
            f.write(text + "\n")
    t = rep["total"]
    print("fault run: %d lines in %d Logs, %d rotations, %d restarts (%d kill "
          "-9): missing %d, duplicated %d, bogus %d"
          % (t["written"], len(rep["logs"]), rep["rotations"],
             rep["restarts"], rep["kill9"], t["missing"], t["duplicated"],
             t["bogus"]), file=sys.stderr)
    bad = t["missing"] or t["duplicated"] or t["bogus"] or not rep["caught_up"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
