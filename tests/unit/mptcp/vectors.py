#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Independent generator of the RFC 8684 crypto vectors used by
test_mptcp_crypto.c.

Everything here is computed with Python's hashlib/hmac straight from the
RFC's words, sharing no code with src/mptcp/crypto.c. Its output is checked
in as tests/unit/mptcp/crypto_vectors.h.

  vectors.py                 print the header to stdout
  vectors.py --write FILE    (re)write the header
  vectors.py --check FILE    exit 1 if FILE differs from a fresh run
  vectors.py --tshark        cross-check token/IDSN against tshark's MPTCP
                             dissector (a third implementation): writes a
                             pcap of MP_CAPABLE handshakes and compares
                             mptcp.expected_token / mptcp.expected_idsn
"""

import hashlib
import hmac
import os
import struct
import subprocess
import sys
import tempfile


# --- RFC 8684 definitions ------------------------------------------------

def key_bytes(key):
    """A 64-bit key is hashed as 8 bytes in network order (section 3.1)."""
    return struct.pack(">Q", key)


def token_idsn(key):
    """Section 3.1: token = most significant 32 bits of SHA-256(key),
    IDSN = least significant 64 bits."""
    d = hashlib.sha256(key_bytes(key)).digest()
    return struct.unpack(">I", d[:4])[0], struct.unpack(">Q", d[24:])[0]


def hmac_keys(key1, key2, msg):
    return hmac.new(key_bytes(key1) + key_bytes(key2), msg, hashlib.sha256).digest()


def join_synack_thmac(key_a, key_b, r_a, r_b):
    """Section 3.2: B's SYN/ACK: HMAC(Key=(Key-B + Key-A),
    Msg=(R-B + R-A)), leftmost 64 bits."""
    h = hmac_keys(key_b, key_a, struct.pack(">II", r_b, r_a))
    return struct.unpack(">Q", h[:8])[0], h


def join_ack_hmac(key_a, key_b, r_a, r_b):
    """Section 3.2: A's third ACK: HMAC(Key=(Key-A + Key-B),
    Msg=(R-A + R-B)), leftmost 160 bits."""
    h = hmac_keys(key_a, key_b, struct.pack(">II", r_a, r_b))
    return h[:20], h


def add_addr_hmac(snd_key, rcv_key, addr_id, addr, port):
    """Section 3.4.1: HMAC(Key=(sender's key + receiver's key),
    Msg=(Address ID + IP Address + Port)), rightmost 64 bits; the port is
    2 bytes, zero when the option has none."""
    msg = bytes([addr_id]) + addr + struct.pack(">H", port or 0)
    h = hmac_keys(snd_key, rcv_key, msg)
    return struct.unpack(">Q", h[24:])[0]


def ones_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = 0
    for i in range(0, len(data), 2):
        s += (data[i] << 8) | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def dss_csum(dsn, ssn, data_len, payload):
    """Section 3.3.1: one's complement of the one's complement sum of the
    pseudo-header (DSN 64, subflow seq 32, data-level length 16, zero 16)
    and the payload; the value is the wire field read big-endian."""
    hdr = struct.pack(">QIHH", dsn, ssn, data_len, 0)
    return (~ones_sum(hdr + payload)) & 0xFFFF


# --- inputs --------------------------------------------------------------

KEYS = [
    0x0000000000000000,
    0x0000000000000001,
    0x0102030405060708,
    0x8000000000000000,
    0xFFFFFFFFFFFFFFFF,
    0xDEADBEEFCAFEF00D,
    0x1A2B3C4D5E6F7081,
    0x5C0FFEE15BADC0DE,
]

# (Key-A, Key-B, R-A, R-B)
JOINS = [
    (0x0102030405060708, 0x1112131415161718, 0x21222324, 0x31323334),
    (0xDEADBEEFCAFEF00D, 0x5C0FFEE15BADC0DE, 0x00000001, 0xFFFFFFFF),
    (0xFFFFFFFFFFFFFFFF, 0x0000000000000000, 0x8BADF00D, 0x0D15EA5E),
]

# (sender key, receiver key, address id, family, address, port or None)
ADD_ADDRS = [
    (0x0102030405060708, 0x1112131415161718, 1, 4, bytes([10, 0, 1, 2]), None),
    (0x0102030405060708, 0x1112131415161718, 1, 4, bytes([10, 0, 1, 2]), 8080),
    (0x1112131415161718, 0x0102030405060708, 7, 4, bytes([192, 168, 55, 1]), None),
    (0xDEADBEEFCAFEF00D, 0x5C0FFEE15BADC0DE, 255, 4, bytes([198, 51, 100, 200]), 5201),
    (0x0102030405060708, 0x1112131415161718, 2, 6,
     bytes.fromhex("20010db8000000000000000000000001"), None),
    (0x0102030405060708, 0x1112131415161718, 2, 6,
     bytes.fromhex("20010db8000000000000000000000001"), 443),
]

# (DSN, relative subflow seq, payload); data-level length = len(payload)
DSS = [
    (0x0000000000000001, 1, b"mpdk DSS checksum test payload!"),  # odd length
    (0x0123456789ABCDEF, 0x89ABCDEF, b"0123456789abcdef" * 8),
    (0xFFFFFFFFFFFFFFFF, 0xFFFFFFFF, bytes(range(256)) * 3),
    (0x0000000100000000, 1000, b"\xff"),
]

# Published by Linux (net/mptcp/crypto_test.c, KUnit): HMAC-SHA256 whose
# 16-byte key and 8-byte message are the ASCII strings below.
LINUX_KUNIT = [
    ("0b0b0b0b0b0b0b0b", "48692054",
     "8385e24fb4235ac37556b6b886db106284a1da671699f46db1f235ec622dcafa"),
    ("aaaaaaaaaaaaaaaa", "dddddddd",
     "2c5e219164ff1dca1c4a92318d847bb6b9d44492984e1eb71aff9022f71046e9"),
    ("0102030405060708", "cdcdcdcd",
     "e73b9ba9969969cefb04aa0d6df18ec2fcc075b6f23b4d8c4da736a5dbbc6e7d"),
]


def carray(b):
    return "{ " + ", ".join("0x%02x" % x for x in b) + " }"


def generate():
    out = []
    w = out.append
    w("/* SPDX-License-Identifier: BSD-3-Clause */")
    w("/* Generated by tests/unit/mptcp/vectors.py (Python hashlib/hmac,")
    w(" * independent of src/mptcp/crypto.c). Do not edit: rerun")
    w(" * `vectors.py --write crypto_vectors.h`. */")
    w("#ifndef MPDK_TEST_MPTCP_CRYPTO_VECTORS_H")
    w("#define MPDK_TEST_MPTCP_CRYPTO_VECTORS_H")
    w("")
    w("#include <stdint.h>")
    w("#include <stdbool.h>")
    w("")
    w("/* RFC 8684 section 3.1: key -> token, IDSN. */")
    w("static const struct { uint64_t key; uint32_t token; uint64_t idsn; } vec_keys[] = {")
    for k in KEYS:
        t, i = token_idsn(k)
        w("\t{ 0x%016xULL, 0x%08x, 0x%016xULL }," % (k, t, i))
    w("};")
    w("")
    w("/* RFC 8684 section 3.2: SYN/ACK thmac = left 64 bits of")
    w(" * HMAC(KB||KA, RB||RA); third-ACK hmac = left 160 bits of")
    w(" * HMAC(KA||KB, RA||RB). The full 256-bit HMACs are kept too. */")
    w("static const struct {")
    w("\tuint64_t key_a, key_b;")
    w("\tuint32_t r_a, r_b;")
    w("\tuint64_t synack_thmac;")
    w("\tuint8_t synack_full[32];")
    w("\tuint8_t ack_hmac[20];")
    w("\tuint8_t ack_full[32];")
    w("} vec_joins[] = {")
    for ka, kb, ra, rb in JOINS:
        th, sfull = join_synack_thmac(ka, kb, ra, rb)
        ah, afull = join_ack_hmac(ka, kb, ra, rb)
        w("\t{ 0x%016xULL, 0x%016xULL, 0x%08x, 0x%08x, 0x%016xULL," % (ka, kb, ra, rb, th))
        w("\t  %s," % carray(sfull))
        w("\t  %s," % carray(ah))
        w("\t  %s }," % carray(afull))
    w("};")
    w("")
    w("/* RFC 8684 section 3.4.1: rightmost 64 bits of HMAC(Ksnd||Krcv,")
    w(" * id || address || port(2, 0 if absent)). */")
    w("static const struct {")
    w("\tuint64_t snd_key, rcv_key;")
    w("\tuint8_t addr_id, family;")
    w("\tuint8_t addr[16];")
    w("\tbool has_port;")
    w("\tuint16_t port;")
    w("\tuint64_t hmac;")
    w("} vec_add_addrs[] = {")
    for sk, rk, aid, fam, addr, port in ADD_ADDRS:
        h = add_addr_hmac(sk, rk, aid, addr, port)
        w("\t{ 0x%016xULL, 0x%016xULL, %d, %d, %s, %s, %d, 0x%016xULL }," % (
            sk, rk, aid, fam, carray(addr), "true" if port is not None else "false",
            port or 0, h))
    w("};")
    w("")
    w("/* RFC 8684 section 3.3.1: DSS checksum over the pseudo-header and the")
    w(" * payload (data-level length = payload length). */")
    w("static const struct {")
    w("\tuint64_t dsn;")
    w("\tuint32_t ssn;")
    w("\tuint16_t len;")
    w("\tconst char *payload_hex;")
    w("\tuint16_t csum;")
    w("} vec_dss[] = {")
    for dsn, ssn, payload in DSS:
        w("\t{ 0x%016xULL, 0x%08x, %d," % (dsn, ssn, len(payload)))
        hx = payload.hex()
        for i in range(0, len(hx), 64):
            w("\t  \"%s\"" % hx[i:i + 64])
        w("\t  , 0x%04x }," % dss_csum(dsn, ssn, len(payload), payload))
    w("};")
    w("")
    w("/* Linux net/mptcp/crypto_test.c (KUnit): ASCII key and message,")
    w(" * key1 = first 8 key bytes, key2 = last 8, nonce1/nonce2 = the")
    w(" * message halves (checked against hashlib by vectors.py). */")
    w("static const struct { const char *key, *msg, *result; } vec_linux[] = {")
    for k, m, r in LINUX_KUNIT:
        w("\t{ \"%s\", \"%s\"," % (k, m))
        w("\t  \"%s\" }," % r)
    w("};")
    w("")
    w("#endif")
    return "\n".join(out) + "\n"


def self_check():
    # The published Linux values must come out of our reading of the RFC.
    for k, m, r in LINUX_KUNIT:
        got = hmac.new(k.encode(), m.encode(), hashlib.sha256).hexdigest()
        assert got == r, (k, m, got, r)
    # RFC 1071 sanity: a buffer followed by its checksum sums to all ones.
    data = b"\x45\x00\x00\x73\x00\x00\x40\x00\x40\x11"
    c = (~ones_sum(data)) & 0xFFFF
    assert ones_sum(data + struct.pack(">H", c)) == 0xFFFF


# --- tshark cross-check ----------------------------------------------------

def _csum16(data):
    return (~ones_sum(data)) & 0xFFFF


def _tcp_frame(src, dst, sport, dport, seq, ack, flags, opts):
    while len(opts) % 4:
        opts += b"\x01"
    thl = 20 + len(opts)
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, (thl // 4) << 4, flags,
                      65535, 0, 0) + opts
    pseudo = src + dst + struct.pack(">BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack(">H", _csum16(pseudo + tcp)) + tcp[18:]
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack(">H", _csum16(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


def tshark_check():
    a, b = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    frames = []
    pairs = list(zip(KEYS[0::2], KEYS[1::2]))
    for n, (ka, kb) in enumerate(pairs):
        sport = 40000 + n
        syn = b"\x1e\x04\x01\x01"
        synack = b"\x1e\x0c\x01\x01" + key_bytes(kb)
        ack = b"\x1e\x14\x01\x01" + key_bytes(ka) + key_bytes(kb)
        frames.append(_tcp_frame(a, b, sport, 80, 1000, 0, 0x02, syn))
        frames.append(_tcp_frame(b, a, 80, sport, 5000, 1001, 0x12, synack))
        frames.append(_tcp_frame(a, b, sport, 80, 1001, 5001, 0x10, ack))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "mpc.pcap")
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for i, fr in enumerate(frames):
                f.write(struct.pack("<IIII", i, 0, len(fr), len(fr)))
                f.write(fr)
        res = subprocess.run(
            ["tshark", "-r", path, "-o", "mptcp.analyze_mptcp:TRUE",
             "-T", "fields", "-E", "separator=;", "-e", "tcp.options.mptcp.sendkey",
             "-e", "mptcp.expected_token", "-e", "mptcp.expected_idsn"],
            capture_output=True, text=True, check=True)
    seen = {}
    for line in res.stdout.splitlines():
        parts = line.split(";")
        if len(parts) < 3 or not parts[0] or not parts[1]:
            continue
        key = int(parts[0].split(",")[0], 0)
        seen[key] = (int(parts[1].split(",")[0], 0), int(parts[2].split(",")[0], 0))
    bad = 0
    for k in KEYS:
        if k not in seen:
            print("tshark: no token shown for key 0x%016x" % k)
            continue
        want = token_idsn(k)
        status = "ok" if seen[k] == want else "MISMATCH"
        bad += seen[k] != want
        print("key 0x%016x token 0x%08x idsn 0x%016x tshark %s" % (k, want[0], want[1], status))
    if not seen:
        print("tshark printed nothing usable:\n" + res.stdout + res.stderr)
        return 1
    return 1 if bad else 0


def main(argv):
    self_check()
    if len(argv) >= 2 and argv[1] == "--tshark":
        return tshark_check()
    text = generate()
    if len(argv) >= 3 and argv[1] == "--write":
        with open(argv[2], "w") as f:
            f.write(text)
        return 0
    if len(argv) >= 3 and argv[1] == "--check":
        with open(argv[2]) as f:
            if f.read() != text:
                print("%s is stale: rerun vectors.py --write" % argv[2])
                return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
