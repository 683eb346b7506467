#!/usr/bin/env python3
"""make bench: attack-origin against the tools people use, on the same logs.

  python3 tests/bench/bench.py [--lines N] [--rounds R] [--fast-rounds F]
                             [--only NAME,...] [--skip-collectd]
                             [--out build/bench]

Generates (once, deterministically) a 1M-line combined log and a 1M-line
sshd log (tests/bench/benchlog.py) and a country database with the GeoLite2
record layout (tests/tools/mkmmdb.pl --layout geolite2 on
tests/data/demo-geo.tsv), then times, alternating in rounds, every tool on
the same file doing the closest equivalent work:

  wc -l                  the floor: reading the bytes
  attack-origin scan     parse, normalise, classify, geolocate, count; the
                         default build (build/) and, when built, the
                         profile-guided one (make PGO=1, build-pgo/)
  goaccess               parse + GeoIP, full report (no attack classification)
  mtail --one_shot       an attack-counting program (regex per category)
  fail2ban-regex         one attack failregex with <HOST>
  collectd tail plugin   one combined attack regex, and seven (one per
                         category): collectd fed the file by appending it

It prints lines per second, CPU seconds and peak memory for each, and
attack-origin's ratio to each, and writes build/bench/results.{md,json};
then tests/bench/inside_collectd.py measures the plugin inside collectd
(catch-up, CPU at steady rates, memory with 1M distinct addresses).
Peers missing from the machine are installed from Debian's packages when
running as root (else skipped with a message).

"Lines per second" is lines / CPU seconds (user + system) of the process:
one core's worth of work, comparable across single- and multi-threaded
tools. Wall-clock time is reported too. The median over the rounds is kept.

Rounds: every tool runs --rounds times (default 2); a tool whose runs
took less than FAST_CPU_S CPU seconds each (attack-origin, wc, the tail
plugin) keeps running in the rounds that follow, up to --fast-rounds
(default 7): the figures that decide the ratios are medians of seven
alternating runs instead of two, for a few seconds more. Besides the
ratio of the medians, the report gives each fast tool's ratio to
attack-origin round by round (two runs minutes apart can differ by a
third on a shared machine; two adjacent runs share its phase).
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

FAST_CPU_S = 10.0  # a tool this quick gets --fast-rounds runs

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CLI = os.path.join(REPO, "build", "attack-origin")
CLI_PGO = os.path.join(REPO, "build-pgo", "attack-origin")
AO = "attack-origin"
AO_PGO = "attack-origin, PGO build"
TSV = os.path.join(REPO, "tests", "data", "demo-geo.tsv")
COLLECTD = "/usr/sbin/collectd"
PACKAGES = {"goaccess": "goaccess", "mtail": "mtail",
            "fail2ban-regex": "fail2ban", COLLECTD: "collectd-core",
            "/usr/bin/time": "time"}

# --- the attack patterns the peers get -------------------------------------
# What an ops engineer would write for each category in a regex-based tool:
# honest, reasonably complete, case-insensitive where the engine allows.
CATEGORY_RE = {
    "sqli": r"union(\s|\+|%20)+(all(\s|\+|%20)+)?select|%27(\s|\+|%20)*(or|and)"
            r"(\s|\+|%20)|sleep(\(|%28)|benchmark(\(|%28)|information_schema|"
            r"drop(\s|\+|%20)+table|extractvalue",
    "xss": r"(<|%3c)(script|img|svg|iframe|body)|javascript:|onerror|onload",
    "traversal": r"\.\./|\.\.%2f|\.\.\\|%2e%2e|etc/passwd|win\.ini|php://|"
                 r"proc/self",
    "rce": r"\$\{jndi:|%24%7bjndi|\(\) \{|\$\(|%24%28|(;|%3b|\||%7c)(cat|id|uname"
           r"|wget|nc)|<\?php|%3c%3fphp|\{\{",
    "scanner": r"sqlmap|nikto|nmap|masscan|zgrab|nuclei|wpscan|gobuster",
    "probe": r"\"(GET|HEAD|POST) /(\.env|\.git|wp-login\.php|xmlrpc\.php|"
             r"phpmyadmin|backup|\.aws|vendor/phpunit|\.DS_Store|server-status|"
             r"cgi-bin|config\.php)",
    "auth": r"\" 401 ",
}
SSHD_RE = (r"(Failed password|Invalid user|authentication failure|"
           r"Did not receive identification)")


def ere(rx):
    """The pattern for collectd's POSIX ERE (no \\s, no case folding)."""
    return rx.replace(r"\s", "[ \t]").replace(r"\"", '"')


# --- measuring ---------------------------------------------------------------

class Result:
    def __init__(self, name, lines, cpu, wall, rss_kib, note="", runs=None):
        self.name, self.lines, self.cpu, self.wall = name, lines, cpu, wall
        self.rss_kib, self.note = rss_kib, note
        self.runs = runs if runs is not None else [cpu]  # CPU s of each run

    @property
    def lps(self):
        return self.lines / self.cpu if self.cpu > 0 else float("inf")


def run_process(cmd, stdout=subprocess.DEVNULL, env=None):
    """Runs cmd under GNU time; returns (cpu seconds, wall seconds, peak RSS
    KiB, exit status). GNU time reports the command's own peak RSS (a
    child forked from this Python process would count Python's pages)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        p = subprocess.run(["/usr/bin/time", "-o", tf.name, "-f",
                            "%e %U %S %M %x"] + cmd, stdout=stdout,
                           stderr=subprocess.DEVNULL, env=env)
        fields = tf.read().split()[-5:]
    wall, user, sys_, rss, rc = (float(fields[0]), float(fields[1]),
                                 float(fields[2]), int(fields[3]),
                                 int(fields[4]))
    return user + sys_, wall, rss, rc if p.returncode == 0 else p.returncode


def proc_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick


def proc_hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


# --- collectd with the tail plugin --------------------------------------------

class CollectdTail:
    """collectd's tail plugin counting lines and attack matches."""

    def __init__(self, workdir, patterns, lines):
        self.dir = tempfile.mkdtemp(dir=workdir, prefix="tail-")
        self.feed = os.path.join(self.dir, "feed.log")
        open(self.feed, "w").close()
        self.csv = os.path.join(self.dir, "csv")
        self.lines = lines
        matches = ['    <Match>\n      Regex "."\n      DSType "DeriveInc"\n'
                   '      Type "derive"\n      Instance "lines"\n    </Match>']
        for i, rx in enumerate(patterns):
            matches.append(
                '    <Match>\n      Regex "%s"\n      DSType "DeriveInc"\n'
                '      Type "derive"\n      Instance "attacks%d"\n    </Match>'
                % (rx.replace("\\", "\\\\").replace('"', '\\"'), i))
        conf = """Hostname "bench"
FQDNLookup false
Interval 1
BaseDir "{d}"
PIDFile "{d}/pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin csv
<Plugin csv>
  DataDir "{d}/csv"
  StoreRates false
</Plugin>
LoadPlugin tail
<Plugin tail>
  <File "{feed}">
    Instance "bench"
{matches}
  </File>
</Plugin>
""".format(d=self.dir, feed=self.feed, matches="\n".join(matches))
        self.conf = os.path.join(self.dir, "collectd.conf")
        with open(self.conf, "w") as f:
            f.write(conf)

    def counted(self):
        import glob
        best = 0
        for path in glob.glob(os.path.join(self.csv, "bench", "tail-bench",
                                           "derive-lines-*")):
            with open(path) as f:
                rows = f.read().split()
            if len(rows) > 1:
                best = max(best, int(float(rows[-1].split(",")[1])))
        return best

    def run(self, log, name):
        p = subprocess.Popen([COLLECTD, "-f", "-C", self.conf],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            time.sleep(2.5)  # first read: the tail plugin seeks to the end
            cpu0 = proc_cpu(p.pid)
            t0 = time.monotonic()
            with open(log, "rb") as src, open(self.feed, "ab") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            # Long lines are split by the plugin's 4 KiB buffer: >= lines.
            deadline = time.monotonic() + 3600
            while self.counted() < self.lines and time.monotonic() < deadline:
                time.sleep(0.2)
            wall = time.monotonic() - t0
            cpu = proc_cpu(p.pid) - cpu0
            rss = proc_hwm(p.pid)
        finally:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=30)
        return Result(name, self.lines, cpu, wall, rss)


# --- the benchmark --------------------------------------------------------------

def ensure(tool):
    path = shutil.which(tool) if not tool.startswith("/") else (
        tool if os.path.exists(tool) else None)
    if path:
        return True
    pkg = PACKAGES.get(tool)
    if pkg and os.geteuid() == 0:
        print("bench: installing %s" % pkg, flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "-q", pkg], env=env,
                       stdout=subprocess.DEVNULL)
        # fail2ban's package starts its service: the benchmark only needs
        # fail2ban-regex.
        if pkg == "fail2ban":
            subprocess.run(["service", "fail2ban", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return bool(shutil.which(tool) or os.path.exists(tool))
    print("bench: %s missing (install %s): skipped" % (tool, pkg), flush=True)
    return False


def prepare(out, lines):
    os.makedirs(out, exist_ok=True)
    db = os.path.join(out, "bench-country.mmdb")
    if not os.path.exists(db):
        subprocess.run(["perl", os.path.join(REPO, "tests", "tools",
                                             "mkmmdb.pl"), "--layout",
                        "geolite2", TSV, db], check=True)
    logs = {}
    for kind in ("combined", "sshd"):
        path = os.path.join(out, "%s-%d.log" % (kind, lines))
        if not os.path.exists(path):
            print("bench: generating %s" % path, flush=True)
            subprocess.run([sys.executable, os.path.join(HERE, "benchlog.py"),
                            kind, "--geo", TSV, "--lines", str(lines), path],
                           check=True)
        logs[kind] = path
    return db, logs


def mtail_prog(workdir, patterns):
    d = tempfile.mkdtemp(dir=workdir, prefix="mtail-")
    body = ["counter lines_total", "counter attacks_total by category", "",
            "/$/ {", "  lines_total++", "}"]
    for cat, rx in patterns.items():
        body += ["/(?i)(%s)/ {" % rx.replace("/", "\\/"),
                 '  attacks_total["%s"]++' % cat, "}"]
    with open(os.path.join(d, "attacks.mtail"), "w") as f:
        f.write("\n".join(body) + "\n")
    return d


def tools_for(kind, log, db, workdir, lines):
    """(name, callable returning Result) for one log kind."""
    out = []

    def proc(name, cmd, stdout=subprocess.DEVNULL):
        def go():
            cpu, wall, rss, rc = run_process(cmd, stdout)
            return Result(name, lines, cpu, wall, rss,
                          "" if rc == 0 else "exit %d" % rc)
        return go

    out.append(("wc -l", proc("wc -l", ["wc", "-l", log])))
    ao = [CLI, "scan", "--geoip", db, "--json", log]
    if kind == "sshd":
        ao[2:2] = ["--format", "sshd"]
    out.append((AO, proc(AO, ao)))
    if os.path.exists(CLI_PGO):
        out.append((AO_PGO, proc(AO_PGO, [CLI_PGO] + ao[1:])))
    if kind == "combined" and ensure("goaccess"):
        out.append(("goaccess", proc("goaccess", [
            "goaccess", log, "--log-format=COMBINED",
            "--geoip-database=" + db, "--no-progress",
            "-o", os.path.join(workdir, "goaccess.json")])))
    if ensure("mtail"):
        pats = CATEGORY_RE if kind == "combined" else {"auth": SSHD_RE}
        prog = mtail_prog(workdir, pats)
        out.append(("mtail", proc("mtail", ["mtail", "--one_shot", "--progs",
                                            prog, "--logs", log])))
    if ensure("fail2ban-regex"):
        if kind == "combined":
            rx = '^<HOST> .*"[A-Z]+ [^"]*(?i:%s)' % "|".join(
                CATEGORY_RE[c] for c in ("sqli", "xss", "traversal", "rce"))
        else:
            rx = "/etc/fail2ban/filter.d/sshd.conf"
        out.append(("fail2ban-regex", proc("fail2ban-regex",
                                           ["fail2ban-regex", log, rx])))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=int(os.environ.get(
        "BENCH_LINES", "1000000")))
    ap.add_argument("--rounds", type=int, default=int(os.environ.get(
        "BENCH_ROUNDS", "2")))
    ap.add_argument("--fast-rounds", type=int, default=int(os.environ.get(
        "BENCH_FAST_ROUNDS", "7")))
    ap.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""))
    ap.add_argument("--skip-collectd", action="store_true")
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench"))
    ap.add_argument("--prepare-only", action="store_true",
                    help="generate the logs and the database, then stop")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    if not ensure("/usr/bin/time"):
        sys.exit("bench: GNU time (/usr/bin/time) is needed")
    db, logs = prepare(args.out, args.lines)
    if args.prepare_only:
        return
    workdir = tempfile.mkdtemp(prefix="ao-bench-")
    results, rounds = {}, {}
    try:
        for kind, log in logs.items():
            tools = tools_for(kind, log, db, workdir, args.lines)
            if kind == "combined" and not args.skip_collectd and \
                    ensure(COLLECTD):
                one = ere("|".join(CATEGORY_RE.values()))
                seven = [ere(rx) for rx in CATEGORY_RE.values()]
                tools.append(("collectd tail, 1 regex", lambda l=log, o=one:
                              CollectdTail(workdir, [o], args.lines).run(
                                  l, "collectd tail, 1 regex")))
                tools.append(("collectd tail, 7 regexes", lambda l=log, s=seven:
                              CollectdTail(workdir, s, args.lines).run(
                                  l, "collectd tail, 7 regexes")))
            if only:
                tools = [t for t in tools if t[0] in only or
                         t[0] in (AO, AO_PGO)]
            results[kind], rounds[kind] = run_rounds(
                kind, tools, args.rounds, args.fast_rounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(results, rounds, args)
    if not args.skip_collectd and ensure(COLLECTD):
        # The plugin inside real collectd: catch-up, steady load, memory.
        subprocess.run([sys.executable, os.path.join(HERE,
                                                     "inside_collectd.py"),
                        "--log", logs["combined"], "--db", db], check=True)


def run_rounds(kind, tools, nrounds, fast_rounds):
    """Runs the tools, alternating, for nrounds rounds, and the fast ones
    (fast()) on up to fast_rounds. Returns each tool's median (median())
    and the rounds as they ran: one {name: Result} per round."""
    runs = {name: [] for name, _ in tools}
    rounds = []
    for r in range(max(nrounds, fast_rounds)):
        this = {}
        for name, go in tools:
            if r >= nrounds and not fast(runs[name]):
                continue
            res = go()
            runs[name].append(res)
            this[name] = res
            print("bench: %s round %d %-26s %10.0f lines/s  cpu %7.2fs "
                  "wall %7.2fs rss %7.1f MiB %s" % (
                      kind, r + 1, name, res.lps, res.cpu, res.wall,
                      res.rss_kib / 1024, res.note), flush=True)
        rounds.append(this)
    return {name: median(rs) for name, rs in runs.items()}, rounds


def fast(done):
    """Whether a tool's runs so far make it one that gets --fast-rounds."""
    return bool(done) and all(not r.note and r.cpu < FAST_CPU_S
                              for r in done)


def median(rs):
    cpu = statistics.median(r.cpu for r in rs)
    wall = statistics.median(r.wall for r in rs)
    rss = max(r.rss_kib for r in rs)
    notes = ";".join(sorted(set(r.note for r in rs if r.note)))
    return Result(rs[0].name, rs[0].lines, cpu, wall, rss, notes,
                  [r.cpu for r in rs])


def paired(rounds, a, b):
    """b's CPU over a's in each round where both ran cleanly (how many
    times faster a was, its runs next to each other in time)."""
    return [r[b].cpu / r[a].cpu for r in rounds
            if a in r and b in r and not r[a].note and not r[b].note and
            r[a].cpu > 0]


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%s, %d cores, Debian %s" % (cpu, os.cpu_count() or 0, open(
        "/etc/debian_version").read().strip())


def ratio(a, r):
    """How much faster a is than r ("" for itself or either missing)."""
    if a is None or a.note or a is r or a.name in (AO, AO_PGO) and \
            r.name in (AO, AO_PGO):
        return ""
    return ("%.1fx faster" % (a.lps / r.lps) if a.lps >= r.lps else
            "%.2fx as fast" % (a.lps / r.lps))


def report(results, rounds, args):
    md = ["Machine: %s. `make bench` (%d lines per log, medians of %d rounds, "
          "%d for the tools that run in under %g CPU seconds)."
          % (machine(), args.lines, args.rounds,
             max(args.rounds, args.fast_rounds), FAST_CPU_S), ""]
    data = {"machine": machine(), "lines": args.lines, "rounds": args.rounds,
            "fast_rounds": max(args.rounds, args.fast_rounds)}
    for kind, res in results.items():
        ao = res.get(AO)
        pgo = res.get(AO_PGO)
        md += ["| %s log: tool | lines/s (one core) | CPU s | runs: CPU s "
               "min-max | wall s | peak RSS | attack-origin is | its PGO "
               "build is |" % kind,
               "|---|---|---|---|---|---|---|---|"]
        data[kind] = {}
        for name, r in sorted(res.items(), key=lambda kv: -kv[1].lps):
            if r.note:
                md.append("| %s | n/a (%s) | | | | | | |" % (name, r.note))
                continue
            md.append("| %s | %s | %.2f | %d: %.2f-%.2f | %.2f | %.1f MiB | "
                      "%s | %s |" % (
                          name, "{:,.0f}".format(r.lps), r.cpu, len(r.runs),
                          min(r.runs), max(r.runs), r.wall, r.rss_kib / 1024,
                          ratio(ao, r), ratio(pgo, r)))
            data[kind][name] = {"lines_per_s": r.lps, "cpu_s": r.cpu,
                                "cpu_s_runs": r.runs, "wall_s": r.wall,
                                "rss_kib": r.rss_kib, "note": r.note}
        md.append("")
        # each fast tool against each build, round by round
        for a in (AO, AO_PGO):
            if a not in res or res[a].note:
                continue
            parts = []
            for name, r in sorted(res.items(), key=lambda kv: -kv[1].lps):
                if name in (AO, AO_PGO) or name == "wc -l" or r.note or \
                        len(r.runs) <= args.rounds:
                    continue
                pr = paired(rounds[kind], a, name)
                if len(pr) < 2:
                    continue
                data[kind][a].setdefault("paired", {})[name] = pr
                parts.append("%s %.1fx (%.1fx-%.1fx)" % (
                    name, statistics.median(pr), min(pr), max(pr)))
            if parts:
                md += ["%s against the fast tools, round by round (median, "
                       "range of %d rounds): %s." % (
                           a, len(rounds[kind]), "; ".join(parts)), ""]
    text = "\n".join(md)
    print("\n" + text)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(data, f, indent=1)


if __name__ == "__main__":
    main()
