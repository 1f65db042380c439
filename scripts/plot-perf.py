#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plot throughput over time per subflow from `mpdk-perf -J` output.

usage: scripts/plot-perf.py [-o OUT.png] [--title TEXT] [JSON]

JSON is one document written by `mpdk-perf -J` (client or server; "-" or
no argument reads stdin). For every interval in "intervals", each stream's
throughput is drawn (Gbit/s against the interval's end time), and for an
MPTCP stream ("mptcp": "active") each of its subflows too, from the
subflow's "bytes" in that interval. iperf3's own -J output (no subflows)
plots the streams only. Writes a PNG (default: the JSON's name with .png,
or mpdk-perf.png for stdin).

Exit status: 0 with the PNG written; 1 when the input is not usable (not
JSON, an "error" document, no intervals); 2 for a bad command line; 3 when
matplotlib is missing (Debian: apt-get install python3-matplotlib).
"""
import argparse
import json
import os
import sys


def subflow_label(sf):
    lbl = "%s:%s > %s:%s" % (sf.get("local_host", "?"), sf.get("local_port", "?"),
                            sf.get("remote_host", "?"), sf.get("remote_port", "?"))
    flags = [f for f in ("initial", "backup", "closed") if sf.get(f)]
    return lbl + (" (%s)" % ", ".join(flags) if flags else "")


def series(doc):
    """{label: [(t_end, gbps), ...]} for streams and subflows, in order."""
    if not isinstance(doc, dict):
        raise ValueError("not an mpdk-perf / iperf3 JSON document")
    if doc.get("error"):
        raise ValueError("the test failed: %s" % doc["error"])
    ivs = doc.get("intervals")
    if not isinstance(ivs, list) or not ivs:
        raise ValueError("no intervals (run mpdk-perf with -i > 0)")
    out = {}
    for iv in ivs:
        for st in iv.get("streams", []):
            t = float(st["end"])
            secs = float(st.get("seconds") or 0)
            if secs <= 0:
                continue
            name = "stream %s" % st.get("socket", "?")
            out.setdefault(name, []).append((t, float(st["bits_per_second"]) / 1e9))
            for sf in st.get("subflows", []) or []:
                key = "%s subflow %s" % (name, subflow_label(sf))
                out.setdefault(key, []).append((t, float(sf.get("bytes", 0)) * 8 / secs / 1e9))
    if not out:
        raise ValueError("intervals hold no stream figures")
    return out


def main(argv):
    ap = argparse.ArgumentParser(description="Plot mpdk-perf -J throughput per subflow as a PNG.")
    ap.add_argument("json", nargs="?", default="-", help="mpdk-perf -J output (default stdin)")
    ap.add_argument("-o", "--output", help="PNG to write")
    ap.add_argument("--title", help="plot title")
    a = ap.parse_args(argv)

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("plot-perf: matplotlib is not installed (apt-get install python3-matplotlib)",
              file=sys.stderr)
        return 3

    try:
        text = sys.stdin.read() if a.json == "-" else open(a.json, encoding="utf-8").read()
        data = series(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError) as e:
        print("plot-perf: %s: %s" % (a.json, e), file=sys.stderr)
        return 1

    out = a.output
    if out is None:
        out = "mpdk-perf.png" if a.json == "-" else os.path.splitext(a.json)[0] + ".png"
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=100)
    for label, pts in data.items():
        xs = [0.0] + [p[0] for p in pts]
        ys = [pts[0][1]] + [p[1] for p in pts]
        sub = " subflow " in label
        ax.step(xs, ys, where="pre", linewidth=1.2 if sub else 2.2,
                linestyle="--" if sub else "-", label=label)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("throughput (Gbit/s)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.set_title(a.title or "mpdk-perf: throughput per interval, stream and subflow")
    ax.legend(fontsize="small", loc="best")
    fig.tight_layout()
    try:
        fig.savefig(out, format="png")
    except OSError as e:
        print("plot-perf: cannot write %s: %s" % (out, e), file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
