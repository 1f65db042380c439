#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""scripts/plot-perf.py on a recorded `mpdk-perf -J` document (issue 6,
item 5: "mpdk-perf -J output that a plot script turns into a PNG of
throughput over time per subflow").

tests/data/mpdk-perf-2subflows.json was written by a real run: two mpdk-perf
processes over two net_memif links, MPTCP with 2 subflows, -i 0.5 -J (the
command is in tests/data/README.md). Checks:
  - the series: one per stream and one per subflow, every interval present,
    each point is the interval's figure (stream: bits_per_second; subflow:
    its bytes over the interval's seconds), and the subflows' shares add
    up to 100% in every interval;
  - the PNG: the 8-byte PNG signature, an IHDR chunk with the figure's
    size (900 x 480 at 100 dpi), an IEND chunk, CRCs of every chunk right;
  - bad input: an "error" document and non-JSON exit 1 without a PNG.
Exit 77 (skipped) when matplotlib is missing.
usage: plot_test.py SOURCE_ROOT
"""
import importlib.util
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
script = os.path.join(root, "scripts", "plot-perf.py")
sample = os.path.join(root, "tests", "data", "mpdk-perf-2subflows.json")

try:
    import matplotlib  # noqa: F401
except ImportError:
    print("SKIP: matplotlib missing (apt-get install python3-matplotlib)")
    sys.exit(77)

failures = 0


def check(cond, what):
    global failures
    print("%s: %s" % ("ok" if cond else "FAIL", what))
    if not cond:
        failures += 1


# --- the series, from the script's own parser
spec = importlib.util.spec_from_file_location("plot_perf", script)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
doc = json.load(open(sample))
ser = mod.series(doc)
n_iv = len(doc["intervals"])
subs = [k for k in ser if " subflow " in k]
check(len(ser) == 3 and len(subs) == 2, "3 series: stream 1 and its 2 subflows (%d)" % len(ser))
check(all(len(v) == n_iv for v in ser.values()), "every series has all %d intervals" % n_iv)
for i, iv in enumerate(doc["intervals"]):
    st = iv["streams"][0]
    share = sum(sf["share"] for sf in st["subflows"])
    if abs(share - 100.0) > 0.01:
        check(False, "interval %d: subflow shares add up to %.3f%%, not 100%%" % (i, share))
        break
else:
    check(True, "subflow shares add up to 100% in every interval")
stream = ser["stream 1"]
check(all(abs(g - iv["streams"][0]["bits_per_second"] / 1e9) < 1e-9
          for (_, g), iv in zip(stream, doc["intervals"])), "stream Gbit/s = bits_per_second / 1e9")
sf0 = ser[subs[0]]
check(all(abs(g - iv["streams"][0]["subflows"][0]["bytes"] * 8 / iv["streams"][0]["seconds"] / 1e9)
          < 1e-9 for (_, g), iv in zip(sf0, doc["intervals"])),
      "subflow Gbit/s = its bytes * 8 / interval seconds / 1e9")
check([t for t, _ in stream] == [iv["streams"][0]["end"] for iv in doc["intervals"]],
      "points at each interval's end time")

def png_chunks(data):
    off, out = 8, []
    while off + 8 <= len(data):
        n, typ = struct.unpack(">I4s", data[off:off + 8])
        body = data[off + 8:off + 8 + n]
        crc, = struct.unpack(">I", data[off + 8 + n:off + 12 + n])
        out.append((typ, body, crc == zlib.crc32(typ + body) & 0xffffffff))
        off += 12 + n
    return out


with tempfile.TemporaryDirectory() as d:
    out = os.path.join(d, "plot.png")
    r = subprocess.run([sys.executable, script, sample, "-o", out], capture_output=True, text=True)
    check(r.returncode == 0, "plot-perf.py exits 0 (%d: %s)" % (r.returncode, r.stderr.strip()))
    data = open(out, "rb").read() if os.path.exists(out) else b""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "PNG signature")
    ch = png_chunks(data)
    check(bool(ch) and ch[0][0] == b"IHDR" and struct.unpack(">II", ch[0][1][:8]) == (900, 480),
          "IHDR first, 900 x 480")
    check(bool(ch) and ch[-1][0] == b"IEND", "IEND last")
    check(bool(ch) and all(ok for _, _, ok in ch), "every chunk's CRC")
    check(sum(len(b) for t, b, _ in ch if t == b"IDAT") > 5000, "image data present (not blank)")

    bad = os.path.join(d, "err.json")
    json.dump({"start": {}, "intervals": [], "end": {}, "error": "unable to connect"}, open(bad, "w"))
    r = subprocess.run([sys.executable, script, bad, "-o", os.path.join(d, "e.png")],
                       capture_output=True, text=True)
    check(r.returncode == 1 and "unable to connect" in r.stderr and
          not os.path.exists(os.path.join(d, "e.png")), "an error document: exit 1, no PNG")
    r = subprocess.run([sys.executable, script, "-", "-o", os.path.join(d, "j.png")],
                       input="not json", capture_output=True, text=True)
    check(r.returncode == 1 and not os.path.exists(os.path.join(d, "j.png")),
          "not JSON: exit 1, no PNG")

print("%d failure(s)" % failures)
sys.exit(1 if failures else 0)
