#!/usr/bin/env python3
"""Runs bench_formats on generated logs of every format (make bench-formats).

The access-log formats read the public Apache log (../shared/data) when it is
present, else generated combined lines; JSON and sshd lines are generated."""
import os
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                      "..", "shared", "data")
COMBINED = ('$remote_addr - $remote_user [$time_local] "$request" $status '
            '$body_bytes_sent "$http_referer" "$http_user_agent"')
APACHE = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'
REGEX = (r'^(?<client>\S+) \S+ \S+ \[[^]]+\] "(?<request>[^"]*)" '
         r'(?<status>\d+) \S+ "(?<referer>[^"]*)" "(?<agent>[^"]*)"$')
NJSON = ('{"time":"$time_iso8601","addr":"$remote_addr","req":"$request",'
         '"status":$status,"ua":"$http_user_agent","xff":'
         '"$http_x_forwarded_for","rt":$request_time}')


def main():
    d = tempfile.mkdtemp(prefix="ao-bench-")
    access = os.path.join(SHARED, "access_logs", "elastic_apache_logs.log")
    if not os.path.exists(access):
        access = os.path.join(d, "access.log")
        with open(access, "w") as f:
            for i in range(10000):
                f.write('81.2.69.%d - - [10/Oct/2026:13:55:36 +0000] "GET '
                        '/p/%d?q=x HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; '
                        'Linux x86_64)"\n' % (i % 250, i))
    nj = os.path.join(d, "nginx.json")
    with open(nj, "w") as f:
        for i in range(10000):
            f.write('{"time":"2026-11-28T10:00:00+00:00","addr":"81.2.69.%d",'
                    '"req":"GET /p/%d?q=x HTTP/1.1","status":200,"ua":'
                    '"Mozilla/5.0 (X11; Linux \\"x\\")","xff":"","rt":0.004}'
                    '\n' % (i % 250, i))
    caddy = os.path.join(d, "caddy.json")
    with open(caddy, "w") as f:
        for i in range(10000):
            f.write('{"level":"info","ts":1732788001.52,"logger":"http.log.'
                    'access","msg":"handled request","request":{"remote_ip":'
                    '"10.0.0.1","remote_port":"41342","client_ip":"81.2.69.%d",'
                    '"proto":"HTTP/2.0","method":"GET","host":"shop.example",'
                    '"uri":"/p/%d?q=x","headers":{"User-Agent":["Mozilla/5.0 '
                    '(X11; Linux x86_64)"],"Accept":["*/*"]}},"bytes_read":0,'
                    '"duration":0.0009,"size":10900,"status":200}\n'
                    % (i % 250, i))
    sshd = os.path.join(d, "auth.log")
    auth = os.path.join(SHARED, "auth_logs", "elastic_auth.log")
    if os.path.exists(auth):
        sshd = auth
    else:
        with open(sshd, "w") as f:
            for i in range(10000):
                f.write("Nov 28 10:00:00 h sshd[%d]: Failed password for root "
                        "from 81.2.69.%d port %d ssh2\n"
                        % (1000 + i, i % 250, 1024 + i))
    runs = [
        ("combined", access, []),
        ("nginx", access, [COMBINED]),
        ("apache", access, [APACHE]),
        ("regex", access, [REGEX]),
        ("nginx", nj, [NJSON, "json"]),
        ("caddy", caddy, []),
        ("sshd", sshd, []),
    ]
    for fmt, path, extra in runs:
        out = subprocess.run([BIN, path, "20", fmt, *extra],
                             capture_output=True, text=True)
        label = fmt + (" escape=json" if "json" in extra else "")
        print("%-18s %s" % (label, (out.stdout or out.stderr).strip()))
    subprocess.run(["rm", "-rf", d])


if __name__ == "__main__":
    main()
