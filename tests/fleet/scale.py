#!/usr/bin/env python3
"""How many agents one central collectd takes (`make fleet-scale`, README
"Fleet"). Not a test: a measurement whose figures go into README.

For each size N: a fresh central collectd (Debian's, with
conf.d/attack_origin-central.conf: network Listen with SecurityLevel Encrypt
and an AuthFile, ReportStats, CollectInternalStats, the write queue limits),
writing with write_graphite (TCP, its defaults) into a line-counting sink
that stands in for carbon (this measures the central, not the store), and
unixsock to read its own counters. fleetgen sends the traffic of N
simulated agents for --seconds: every agent the plugin's metric set for one
Log (--countries x (2 + --categories) + 31 health values) every --interval
seconds, encrypted, agents spread evenly over the interval.

Sampled every second: the central's CPU (whole process and per thread:
"network recv", "network disp", writer#N), RSS, the kernel's drops on the
UDP socket (/proc/net/udp), the network plugin's counters (packets
received, values dispatched, receive queue) and the write queue (length,
values dropped). After the generator stops, the central gets up to
--drain seconds to empty its queues. Reported per size: values sent
(fleetgen's count), values stored (agent lines that reached the sink:
write_graphite writes one line per value), lost = sent - stored (exact),
where they were lost (the socket's drops; the receive queue), CPU (whole
process and per thread) and memory. unixsock's GETVAL gives rates for
counters, so the network plugin's own counters appear as per-second
samples and estimates only.

A run stops early when the central's RSS passes --max-rss MB (the machine
is shared): that size broke on memory.

  scale.py --sizes "100 1000 10000" --seconds 60 [--interval 10]
           [--countries 250] [--categories 8] [--report FILE]
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from fleet import FLEETGEN, central_conf, udp_drops, write_authfile  # noqa: E402
from harness import Collectd  # noqa: E402
from stores import free_port  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

# The store's stand-in: accepts write_graphite's TCP connections, counts
# bytes and lines (those of the simulated agents apart: fleetgen's hosts
# start with "agent"), and writes its counts to a file every second.
SINK = r"""
import json, os, signal, socket, sys, threading, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1]))); srv.listen(16)
count = {"bytes": 0, "lines": 0, "agent_lines": 0}
lock = threading.Lock()
def conn(c):
    rem = b""
    while True:
        b = c.recv(1 << 20)
        if not b:
            return
        lines = (rem + b).split(b"\n")
        rem = lines.pop()
        agent = sum(1 for l in lines if l.startswith(b"agent"))
        with lock:
            count["bytes"] += len(b); count["lines"] += len(lines)
            count["agent_lines"] += agent
def dump():
    with lock:
        text = json.dumps(count)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(text)
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
def done(*a):
    dump()
    os._exit(0)
def ticker():
    while True:
        time.sleep(1)
        dump()
signal.signal(signal.SIGTERM, done)
threading.Thread(target=ticker, daemon=True).start()
while True:
    c, _ = srv.accept()
    threading.Thread(target=conn, args=(c,), daemon=True).start()
"""


def sink_counts(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}



def proc_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / CLK_TCK


def thread_cpu(pid):
    """{thread name: CPU seconds}, threads of the same name summed."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = f.read().strip()
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                parts = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        name = "writer" if name.startswith("writer#") else name
        name = "reader" if name.startswith("reader#") else name
        out[name] = out.get(name, 0) + (int(parts[11]) + int(parts[12])) / CLK_TCK
    return out


def rss_mb(pid):
    with open("/proc/%d/statm" % pid) as f:
        return int(f.read().split()[1]) * PAGE / 1e6


def unixsock(path, *commands):
    """Answers of collectd's unixsock plugin: {command: [value lines]}."""
    out = {}
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        f = s.makefile("rw")
        for cmd in commands:
            f.write(cmd + "\n")
            f.flush()
            head = f.readline()
            n = int(head.split()[0])
            lines = [f.readline().strip() for _ in range(max(n, 0))]
            out[cmd] = lines
    return out


STATS = {
    "packets_rx": ("GETVAL central/network/if_packets", "rx"),
    "values_dispatched": (
        "GETVAL central/network/total_values-dispatch-accepted", "value"),
    "values_rejected": (
        "GETVAL central/network/total_values-dispatch-rejected", "value"),
    "receive_queue": ("GETVAL central/network/queue_length", "value"),
    "write_queue": ("GETVAL central/collectd-write_queue/queue_length",
                    "value"),
    "write_dropped": ("GETVAL central/collectd-write_queue/derive-dropped",
                      "value"),
    "cache_size": ("GETVAL central/collectd-cache/cache_size", "value"),
}


def stats(sock):
    try:
        ans = unixsock(sock, *sorted({c for c, _ in STATS.values()}))
    except (OSError, ValueError):
        return {}
    out = {}
    for key, (cmd, field) in STATS.items():
        for line in ans.get(cmd, []):
            k, _, v = line.partition("=")
            if k == field:
                try:
                    out[key] = float(v)
                except ValueError:
                    pass
    return out


def num(v):
    """A sampled rate, 0 when absent or NaN (before a counter's second
    value)."""
    return 0.0 if v is None or v != v else v


def run_size(n, args, workdir):
    d = os.path.join(workdir, "n%d" % n)
    os.makedirs(d)
    port = free_port(socket.SOCK_DGRAM)
    sink_port = free_port()
    sink_out = os.path.join(d, "sink.json")
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(sink_port),
                             sink_out])
    # write_graphite drops what it cannot send and retries later: the sink
    # listens before collectd starts, and the generator starts once
    # write_graphite is connected.
    deadline = time.time() + 20
    while time.time() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", sink_port)) == 0:
                break
        time.sleep(0.1)
    auth = os.path.join(d, "passwd")
    write_authfile(auth, {"gen": "fleet-secret"})
    sock = os.path.join(d, "collectd.sock")
    extra = central_conf(port, auth, None, flush=args.interval)
    extra += "\n".join([
        "", "LoadPlugin write_graphite", "<Plugin write_graphite>",
        '  <Node "carbon">', '    Host "127.0.0.1"',
        '    Port "%d"' % sink_port, '    Protocol "tcp"', "  </Node>",
        "</Plugin>", "LoadPlugin unixsock", "<Plugin unixsock>",
        '  SocketFile "%s"' % sock, "</Plugin>", ""])
    # The central's own Interval as the agents' (10 s by default): its main
    # thread walks the whole value cache once per interval (collectd's
    # timeout check), so a shorter one costs CPU in proportion.
    cd = Collectd(d, "", interval=args.interval, extra_conf=extra,
                  plugins=("logfile", "network", "write_graphite", "unixsock"),
                  host="central")
    cd.start()
    pid = cd.proc.pid
    # The machine may be shared: its load is part of the figure.
    res = {"agents": n, "loadavg_start": os.getloadavg()}
    gen = None
    try:
        deadline = time.time() + 30
        while time.time() < deadline and not (
                "values_dispatched" in stats(sock) and
                sink_counts(sink_out).get("lines", 0) > 0):
            time.sleep(0.2)
        drops0, _ = udp_drops(port)
        cpu0, th0 = proc_cpu(pid), thread_cpu(pid)
        report = os.path.join(d, "fleetgen.json")
        gen = subprocess.Popen([
            FLEETGEN, "--server", "127.0.0.1", "--port", str(port),
            "--agents", str(n), "--interval", str(args.interval),
            "--duration", str(args.seconds), "--countries",
            str(args.countries), "--categories", str(args.categories),
            "--security", "encrypt", "--username", "gen", "--password",
            "fleet-secret", "--report", report])
        t0 = time.time()
        samples = []
        steady = None
        stopped = None
        while gen.poll() is None:
            time.sleep(1.0)
            t = time.time() - t0
            rss = rss_mb(pid)
            st = stats(sock)
            dr, q = udp_drops(port)
            samples.append({"t": round(t, 1), "rss_mb": round(rss),
                            "cpu_s": proc_cpu(pid) - cpu0,
                            "udp_drops": dr - drops0, "udp_queue": q,
                            **{k: st.get(k) for k in
                               ("receive_queue", "write_queue",
                                "write_dropped", "values_dispatched",
                                "packets_rx", "cache_size")}})
            if steady is None and t >= 2 * args.interval:
                steady = (time.time(), proc_cpu(pid), thread_cpu(pid))
            if rss > args.max_rss and stopped is None:
                stopped = "RSS %d MB > %d MB after %.0f s" % (rss, args.max_rss,
                                                              t)
                gen.send_signal(signal.SIGTERM)
        gen.wait()
        t_end = time.time()
        cpu_end, th_end = proc_cpu(pid), thread_cpu(pid)
        # Drain: until the central dispatched everything it will.
        last = None
        drain_t0 = time.time()
        while time.time() - drain_t0 < args.drain:
            if stopped:
                break
            st = stats(sock)
            cur = (sink_counts(sink_out).get("agent_lines"),
                   st.get("receive_queue"), st.get("write_queue"))
            if last is not None and cur == last and (cur[1] or 0) == 0:
                break
            last = cur
            time.sleep(3.0)
        drain = time.time() - t_end
        s1 = stats(sock)
        drops1, _ = udp_drops(port)
        with open(report) as f:
            g = json.load(f)
        res["sink_before_stop"] = sink_counts(sink_out)

        res.update({
            "values_per_agent_interval": g["values_per_agent_interval"],
            "offered_values_per_s": n * g["values_per_agent_interval"]
            / args.interval,
            "generator": g,
            "generator_late": g["late_sends"] > 0,
            "udp_drops": drops1 - drops0,
            # unixsock's GETVAL answers rates for counters: per-second
            # samples, summed over the run (an estimate; the exact figure
            # is values_lost, from the sink).
            "packets_rx_est": round(sum(num(x["packets_rx"])
                                        for x in samples)),
            "dispatched_est": round(sum(num(x["values_dispatched"])
                                        for x in samples)),
            "write_dropped_est": round(sum(num(x["write_dropped"])
                                           for x in samples)),
            "cache_size": s1.get("cache_size"),
            "rss_mb_max": max(s["rss_mb"] for s in samples) if samples else None,
            "rss_mb_end": round(rss_mb(pid)),
            "receive_queue_max": max((s["receive_queue"] or 0)
                                     for s in samples) if samples else None,
            "write_queue_max": max((s["write_queue"] or 0)
                                   for s in samples) if samples else None,
            "drain_s": round(drain, 1),
            "stopped": stopped,
            "samples": samples,
        })
        if steady is not None and t_end - steady[0] > 1:
            span = t_end - steady[0]
            res["cpu_steady_pct"] = round(100 * (cpu_end - steady[1]) / span,
                                          1)
            res["threads_steady_pct"] = {
                k: round(100 * (v - steady[2].get(k, 0)) / span, 1)
                for k, v in th_end.items() if v - steady[2].get(k, 0) > 0.05}
        res["loadavg_end"] = os.getloadavg()
        res["cpu_total_s"] = round(cpu_end - cpu0, 1)
        res["threads_total_s"] = {k: round(v - th0.get(k, 0), 1)
                                  for k, v in th_end.items()
                                  if v - th0.get(k, 0) > 0.05}
    finally:
        if gen is not None and gen.poll() is None:
            gen.kill()
            gen.wait()
        cd.stop()
        sink.send_signal(signal.SIGTERM)
        sink.wait()
        res["sink"] = sink_counts(sink_out)
        if "generator" in res and "agent_lines" in res["sink"]:
            # Every value the agents sent is one line at the store.
            res["values_stored"] = res["sink"]["agent_lines"]
            res["values_lost"] = res["generator"]["values"] - \
                res["values_stored"]
        res["central_log_errors"] = [
            line for line in cd.log().splitlines()
            if "[error]" in line or "[warning]" in line][:20]
    return res


def summary(r):
    g = r.get("generator", {})
    return ("%6d agents: %9.0f values/s offered; sent %d values in %d "
            "packets (generator late: %s, max %.2f s); stored %s, lost %s "
            "(udp drops %s datagrams, write queue dropped ~%s); CPU %s%% "
            "steady %s; RSS max %s MB; drain %s s%s" % (
                r["agents"], r.get("offered_values_per_s", 0),
                g.get("values", 0), g.get("packets", 0),
                r.get("generator_late"), g.get("max_late_s", 0),
                r.get("values_stored"),
                r.get("values_lost"), r.get("udp_drops"),
                r.get("write_dropped_est"), r.get("cpu_steady_pct"),
                r.get("threads_steady_pct"), r.get("rss_mb_max"),
                r.get("drain_s"),
                "; STOPPED: " + r["stopped"] if r.get("stopped") else ""))


def _interrupt(sig, frame):
    raise KeyboardInterrupt


def main():
    # SIGTERM as Ctrl-C: the finally blocks stop collectd, the sink and the
    # generator.
    signal.signal(signal.SIGTERM, _interrupt)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100 1000 10000")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--interval", type=float, default=10)
    ap.add_argument("--countries", type=int, default=250)
    ap.add_argument("--categories", type=int, default=8)
    ap.add_argument("--drain", type=float, default=60)
    ap.add_argument("--max-rss", type=int, default=6000,
                    help="MB; the run stops above it")
    ap.add_argument("--report")
    args = ap.parse_args()
    if not os.access(FLEETGEN, os.X_OK):
        sys.exit("scale: %s missing (make fleet-scale builds it)" % FLEETGEN)
    workdir = tempfile.mkdtemp(prefix="ao-fleet-scale-")
    results = []
    try:
        for n in [int(x) for x in args.sizes.split()]:
            r = run_size(n, args, workdir)
            print(summary(r), flush=True)
            results.append(r)
            if args.report:
                with open(args.report, "w") as f:
                    json.dump({"args": vars(args), "results": results}, f,
                              indent=1)
    finally:
        if os.environ.get("AO_KEEP"):
            print("kept", workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
