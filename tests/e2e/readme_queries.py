"""readme_queries: the queries README.md documents, as the tests run them.

README marks each query with an HTML comment on the line before its fenced
block:

  <!-- query STORE NAME [key=value ...] -->
  ```
  the query, possibly on several lines
  ```

STORE is graphite, influxdb or prometheus; key=value pairs are request
parameters (graphite: from=-30d). The block is the query exactly as a reader
copies it (InfluxQL's line breaks are spaces; PromQL allows them).
"""

import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(REPO, "README.md")

_MARK = re.compile(r"^<!-- query (\w+) (\w+)((?: [\w.]+=\S+)*) -->\n```[a-z]*\n(.*?)\n```",
                   re.M | re.S)


class Query:
    def __init__(self, store, name, params, text):
        self.store, self.name, self.params, self.text = store, name, params, text

    def __repr__(self):
        return "%s.%s" % (self.store, self.name)


def readme_queries(path=README, marker="query"):
    """The queries marked `<!-- MARKER STORE NAME -->` (README's Fleet
    section marks its own with `fleet-query`, checked by tests/fleet)."""
    with open(path) as f:
        text = f.read()
    out = []
    mark = _MARK
    if marker != "query":
        mark = re.compile(_MARK.pattern.replace("query", re.escape(marker), 1),
                          re.M | re.S)
    for m in mark.finditer(text):
        params = dict(kv.split("=", 1) for kv in m.group(3).split())
        out.append(Query(m.group(1), m.group(2), params, m.group(4)))
    # A marker whose block did not parse would silently drop a query.
    n_marks = len(re.findall(r"^<!-- %s " % re.escape(marker), text, re.M))
    if n_marks != len(out):
        raise AssertionError("README.md has %d query markers but %d parse"
                             % (n_marks, len(out)))
    return out
