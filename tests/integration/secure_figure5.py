#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The draft's Figure 5 ("SE-MPTCP", comparison of the handshakes) measured
from mpdk's own captures (docs/security.md, "Figure 5 from captures").

Each pcap is stack B's capture (both directions) of one MPTCP connection
with one join, written by test_secure_simlink's test_ec_capture_modes over
a simlink with a one-way delay of DELAY_MS. From the packets alone:

  key exchange bytes: the MP_CAPABLE options (their length byte) of the
      opening handshake: A's SYN, B's pure ACK before its SYN/ACK (ec-draft),
      B's SYN/ACK, and A's first MP_CAPABLE without SYN;
  RTT/2: one-way trips from A's SYN to A's first data byte at B,
      1 + (time of that data at B - time of the SYN at B) / DELAY_MS;
  bytes to identify the session: the MP_JOIN option of the join SYN;
  bytes to authenticate a join: the MP_JOIN options of its SYN/ACK and ACK.

usage: secure_figure5.py [--check] DELAY_MS NAME=PCAP...
With --check the figures must be the ones docs/security.md's Tables 2 and 3
derive from the codec, for key mode app those of its G forms
("Application-supplied keys") (a mismatch exits 1).
"""
import struct
import sys

# (key exchange bytes, RTT/2, identify, authenticate) per mode name, from
# Tables 2 and 3 of docs/security.md (256-bit curve for the EC rows).
EXPECTED = {
    "rfc8684": (36, 3, 12, 40),
    "ec-compressed-secp256r1": (78, 3, 16, 40),
    "ec-draft-secp256r1": (148, 3, 16, 40),
    "ec-compressed-secp224r1": (70, 3, 16, 40),
    "ec-draft-secp224r1": (132, 3, 16, 40),
    # key mode app (G flag): tokens, not keys, in MP_CAPABLE (SYN 4,
    # SYN/ACK 8 with Token-B, ACK 12 with Token-A and Token-B); the keys
    # come later out of band, the joins are RFC 8684's.
    "app": (24, 3, 12, 40),
}


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0xA1B2C3D4:
        end, scale = "<", 1e-6
    elif magic == 0xA1B23C4D:
        end, scale = "<", 1e-9
    else:
        raise SystemExit(f"{path}: not a little-endian pcap")
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        yield sec + frac * scale, frame


def tcp_segments(path):
    for ts, fr in packets(path):
        if len(fr) < 34 or fr[12:14] != b"\x08\x00":
            continue
        ip = fr[14:]
        ihl = (ip[0] & 0xF) * 4
        if ip[9] != 6:
            continue
        tot = struct.unpack(">H", ip[2:4])[0]
        src, dst = ip[12:16], ip[16:20]
        tcp = ip[ihl:tot]
        sport, dport, seq, ack, off_flags = struct.unpack(">HHIIH", tcp[:14])
        hl = (off_flags >> 12) * 4
        flags = off_flags & 0x3F
        opts, mp = tcp[20:hl], []
        i = 0
        while i < len(opts):
            k = opts[i]
            if k == 0:
                break
            if k == 1:
                i += 1
                continue
            if i + 1 >= len(opts) or opts[i + 1] < 2:
                break
            ln = opts[i + 1]
            if k == 30 and ln >= 3:
                mp.append((opts[i + 2] >> 4, ln))
            i += ln
        yield dict(ts=ts, src=src, dst=dst, sport=sport, dport=dport, seq=seq,
                   flags=flags, syn=bool(flags & 2), ackf=bool(flags & 16),
                   plen=len(tcp) - hl, mp=mp)


def figure5(path, delay_ms):
    segs = list(tcp_segments(path))
    syn = next(s for s in segs if s["syn"] and not s["ackf"] and any(t == 0 for t, _ in s["mp"]))
    a = (syn["src"], syn["sport"])
    flow = [s for s in segs if {(s["src"], s["sport"]), (s["dst"], s["dport"])} ==
            {a, (syn["dst"], syn["dport"])}]
    mpc = lambda s: sum(ln for t, ln in s["mp"] if t == 0)
    kx = mpc(syn)
    synack = next(s for s in flow if s["syn"] and s["ackf"])
    kx += mpc(synack)
    b_pre = [s for s in flow if (s["src"], s["sport"]) != a and not s["syn"] and
             s["ts"] <= synack["ts"] and mpc(s)]
    if b_pre:
        kx += mpc(b_pre[0])
    a_ack = next(s for s in flow if (s["src"], s["sport"]) == a and not s["syn"] and mpc(s))
    kx += mpc(a_ack)
    first_data = next(s for s in flow if (s["src"], s["sport"]) == a and s["plen"] > 0)
    rtt2 = 1 + round((first_data["ts"] - syn["ts"]) * 1e3 / delay_ms)
    jsyn = next(s for s in segs if s["syn"] and not s["ackf"] and any(t == 1 for t, _ in s["mp"]))
    jl = lambda s: sum(ln for t, ln in s["mp"] if t == 1)
    j = (jsyn["src"], jsyn["sport"])
    jsynack = next(s for s in segs if s["syn"] and s["ackf"] and (s["dst"], s["dport"]) == j)
    jack = next(s for s in segs if not s["syn"] and (s["src"], s["sport"]) == j and jl(s))
    return kx, rtt2, jl(jsyn), jl(jsynack) + jl(jack)


def main(argv):
    check = False
    if argv and argv[0] == "--check":
        check, argv = True, argv[1:]
    if len(argv) < 2:
        print(__doc__)
        return 2
    delay = float(argv[0])
    bad = 0
    print("| mode | key exchange (bytes) | RTT/2 | identify the session (bytes) |"
          " authenticate a join (bytes) |")
    print("|---|---:|---:|---:|---:|")
    for arg in argv[1:]:
        name, path = arg.split("=", 1)
        got = figure5(path, delay)
        print(f"| {name} | {got[0]} | {got[1]} | {got[2]} | {got[3]} |")
        if check and name in EXPECTED and EXPECTED[name] != got:
            print(f"  MISMATCH {name}: measured {got}, docs/security.md says {EXPECTED[name]}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
