"""fleet: collectd agents with the plugin sending to a central collectd over
collectd's network protocol, with the shipped examples
conf.d/attack_origin-agent.conf and conf.d/attack_origin-central.conf used
as they are (only names, ports, secrets and the flush interval substituted,
each substitution required to happen exactly once so that the examples
cannot rot).

  agent_conf(port, username, password, flush)   the agent's network block
  central_conf(port, authfile, influx_port, flush)  the central's
  write_authfile(path, {user: secret})          collectd's AuthFile format
  udp_drops(port)                               /proc/net/udp{,6} drops

Used by test_fleet.py (`make e2e-fleet`) and scale.py (`make fleet-scale`).
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
sys.path.insert(0, os.path.join(REPO, "tests", "tools"))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

AGENT_CONF = os.path.join(REPO, "conf.d", "attack_origin-agent.conf")
CENTRAL_CONF = os.path.join(REPO, "conf.d", "attack_origin-central.conf")
BUILD = os.environ.get("AO_BUILD", os.path.join(REPO, "build"))
FLEETGEN = os.environ.get("AO_FLEETGEN", os.path.join(BUILD, "fleet",
                                                      "fleetgen"))


def _sub(text, old, new, what):
    n = text.count(old)
    if n != 1:
        raise AssertionError("%s shows %r %d times (expected once)"
                             % (what, old, n))
    return text.replace(old, new)


def _sub_re(text, pattern, new, what):
    pat = re.compile(pattern, re.M)
    if len(pat.findall(text)) != 1:
        raise AssertionError("%s: %r does not match exactly once"
                             % (what, pattern))
    return pat.sub(lambda m: new, text)


def agent_conf(port, username, password, flush=1, host="127.0.0.1"):
    """conf.d/attack_origin-agent.conf sending to host:port as username."""
    with open(AGENT_CONF) as f:
        text = f.read()
    w = "conf.d/attack_origin-agent.conf"
    text = _sub(text, '<Server "collectd-central.example.net" "25826">',
                '<Server "%s" "%d">' % (host, port), w)
    text = _sub_re(text, r'^(\s*)Username "[^"]*"$', '    Username "%s"'
                   % username, w)
    text = _sub_re(text, r'^(\s*)Password "[^"]*"$', '    Password "%s"'
                   % password, w)
    text = _sub_re(text, r"^\s*FlushInterval \d+$", "  FlushInterval %g"
                   % flush, w)
    return text


def central_conf(port, authfile, influx_port=None, flush=1,
                 host="127.0.0.1"):
    """conf.d/attack_origin-central.conf listening on host:port with
    authfile, forwarding to InfluxDB's collectd listener on influx_port
    (None: the Server block and Forward are removed, for a central that only
    has local writers)."""
    with open(CENTRAL_CONF) as f:
        text = f.read()
    w = "conf.d/attack_origin-central.conf"
    text = _sub(text, '<Listen "0.0.0.0" "25826">',
                '<Listen "%s" "%d">' % (host, port), w)
    text = _sub(text, 'AuthFile "/etc/collectd/passwd"',
                'AuthFile "%s"' % authfile, w)
    server = '  <Server "influxdb.example.net" "25826">\n  </Server>\n'
    if influx_port is None:
        text = _sub(text, server, "", w)
        text = _sub_re(text, r"^\s*Forward true$", "", w)
    else:
        text = _sub(text, server, '  <Server "127.0.0.1" "%d">\n  </Server>\n'
                    % influx_port, w)
    text = _sub_re(text, r"^\s*FlushInterval \d+$", "  FlushInterval %g"
                   % flush, w)
    return text


def write_authfile(path, users):
    """collectd's AuthFile: one `user: secret` line per user, mode 0600."""
    with open(path, "w") as f:
        for user, secret in users.items():
            f.write("%s: %s\n" % (user, secret))
    os.chmod(path, 0o600)


def csv_hosts(csv_dir):
    try:
        return sorted(os.listdir(csv_dir))
    except FileNotFoundError:
        return []


def udp_drops(port):
    """Datagrams the kernel dropped on the UDP socket(s) bound to port (the
    last column of /proc/net/udp and udp6), and their receive queue bytes."""
    drops = queue = 0
    for name in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(name) as f:
                lines = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            cols = line.split()
            local = cols[1]
            if int(local.rsplit(":", 1)[1], 16) != port:
                continue
            queue += int(cols[4].split(":")[1], 16)
            drops += int(cols[-1])
    return drops, queue
