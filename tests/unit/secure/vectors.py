#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Independent generator of the EC keying-mode vectors used by
test_secure_ec_auth.c and test_secure_ec_options.c.

Computed from the words of draft "SE-MPTCP" (Figure 2, sections 4.1-4.3)
as docs/security.md resolves them, sharing no code with src/secure:

  * elliptic-curve arithmetic in pure Python (affine double-and-add,
    Tonelli-Shanks square roots) for all nine curves of Figure 4, with the
    SEC 2 domain parameters below, each checked (G on the curve, n*G = O);
  * cross-checked, for the curves the `cryptography` package knows
    (secp192r1, secp224r1, secp256k1, secp256r1), against cryptography:
    public points, the full shared point (as (d_A*d_B mod n)*G), the ECDH
    x coordinate, and point decompression;
  * SHA-256 and HMAC from Python's hashlib/hmac.

  vectors.py                 print the header to stdout
  vectors.py --write FILE    (re)write the header
  vectors.py --check FILE    exit 1 if FILE differs from a fresh run
"""

import hashlib
import hmac
import struct
import sys

# SEC 2 v1.0/v2.0 domain parameters, in draft Figure 4 order (EC type =
# index). secp192r1 = prime192v1, secp256r1 = prime256v1.
CURVES = [
    ("secp160k1", dict(
        p=0xfffffffffffffffffffffffffffffffeffffac73,
        a=0x0,
        b=0x7,
        gx=0x3b4c382ce37aa192a4019e763036f4f5dd4d7ebb,
        gy=0x938cf935318fdced6bc28286531733c3f03c4fee,
        n=0x100000000000000000001b8fa16dfab9aca16b6b3)),
    ("secp160r1", dict(
        p=0xffffffffffffffffffffffffffffffff7fffffff,
        a=0xffffffffffffffffffffffffffffffff7ffffffc,
        b=0x1c97befc54bd7a8b65acf89f81d4d4adc565fa45,
        gx=0x4a96b5688ef573284664698968c38bb913cbfc82,
        gy=0x23a628553168947d59dcc912042351377ac5fb32,
        n=0x100000000000000000001f4c8f927aed3ca752257)),
    ("secp160r2", dict(
        p=0xfffffffffffffffffffffffffffffffeffffac73,
        a=0xfffffffffffffffffffffffffffffffeffffac70,
        b=0xb4e134d3fb59eb8bab57274904664d5af50388ba,
        gx=0x52dcb034293a117e1f4ff11b30f7199d3144ce6d,
        gy=0xfeaffef2e331f296e071fa0df9982cfea7d43f2e,
        n=0x100000000000000000000351ee786a818f3a1a16b)),
    ("secp192k1", dict(
        p=0xfffffffffffffffffffffffffffffffffffffffeffffee37,
        a=0x0,
        b=0x3,
        gx=0xdb4ff10ec057e9ae26b07d0280b7f4341da5d1b1eae06c7d,
        gy=0x9b2f2f6d9c5628a7844163d015be86344082aa88d95e2f9d,
        n=0xfffffffffffffffffffffffe26f2fc170f69466a74defd8d)),
    ("secp192r1", dict(
        p=0xfffffffffffffffffffffffffffffffeffffffffffffffff,
        a=0xfffffffffffffffffffffffffffffffefffffffffffffffc,
        b=0x64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1,
        gx=0x188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012,
        gy=0x07192b95ffc8da78631011ed6b24cdd573f977a11e794811,
        n=0xffffffffffffffffffffffff99def836146bc9b1b4d22831)),
    ("secp224k1", dict(
        p=0xfffffffffffffffffffffffffffffffffffffffffffffffeffffe56d,
        a=0x0,
        b=0x5,
        gx=0xa1455b334df099df30fc28a169a467e9e47075a90f7e650eb6b7a45c,
        gy=0x7e089fed7fba344282cafbd6f7e319f7c0b0bd59e2ca4bdb556d61a5,
        n=0x10000000000000000000000000001dce8d2ec6184caf0a971769fb1f7)),
    ("secp224r1", dict(
        p=0xffffffffffffffffffffffffffffffff000000000000000000000001,
        a=0xfffffffffffffffffffffffffffffffefffffffffffffffffffffffe,
        b=0xb4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4,
        gx=0xb70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21,
        gy=0xbd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34,
        n=0xffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d)),
    ("secp256k1", dict(
        p=0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f,
        a=0x0,
        b=0x7,
        gx=0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798,
        gy=0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8,
        n=0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141)),
    ("secp256r1", dict(
        p=0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff,
        a=0xffffffff00000001000000000000000000000000fffffffffffffffffffffffc,
        b=0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b,
        gx=0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
        gy=0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5,
        n=0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551)),
]

# The curves cryptography knows: their vectors are checked against it too.
CROSS_CHECKED = ("secp192r1", "secp224r1", "secp256k1", "secp256r1")

# Wire constants of docs/security.md ("Wire format").
KIND = 30
FLAG_E = 0x08
FLAG_H = 0x01
TYPE_COMPRESSED = 0x80
TYPE_Y_ODD = 0x40
JOIN_EC = 0x08


# --- pure-Python EC arithmetic -------------------------------------------

class Curve:
    def __init__(self, cid, name, prm):
        self.id, self.name = cid, name
        self.p, self.a, self.b = prm["p"], prm["a"], prm["b"]
        self.g = (prm["gx"], prm["gy"])
        self.n = prm["n"]
        self.fb = (self.p.bit_length() + 7) // 8
        self.ob = (self.n.bit_length() + 7) // 8

    def on_curve(self, pt):
        x, y = pt
        return 0 <= x < self.p and 0 <= y < self.p and \
            (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0

    def add(self, P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        p = self.p
        (x1, y1), (x2, y2) = P, Q
        if x1 == x2 and (y1 + y2) % p == 0:
            return None
        if P == Q:
            lam = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, p) % p
        else:
            lam = (y2 - y1) * pow(x2 - x1, -1, p) % p
        x3 = (lam * lam - x1 - x2) % p
        return (x3, (lam * (x1 - x3) - y1) % p)

    def mul(self, k, P):
        R = None
        for bit in bin(k)[2:]:
            R = self.add(R, R)
            if bit == "1":
                R = self.add(R, P)
        return R

    def rhs(self, x):
        return (x * x * x + self.a * x + self.b) % self.p

    def sqrt(self, v):
        """Tonelli-Shanks; None if v is not a square mod p."""
        p = self.p
        v %= p
        if v == 0:
            return 0
        if pow(v, (p - 1) // 2, p) != 1:
            return None
        q, s = p - 1, 0
        while q % 2 == 0:
            q, s = q // 2, s + 1
        z = 2
        while pow(z, (p - 1) // 2, p) != p - 1:
            z += 1
        m, c, t, r = s, pow(z, q, p), pow(v, q, p), pow(v, (q + 1) // 2, p)
        while t != 1:
            i, t2 = 0, t
            while t2 != 1:
                t2, i = t2 * t2 % p, i + 1
            b = pow(c, 1 << (m - i - 1), p)
            m, c, t, r = i, b * b % p, t * b * b % p, r * b % p
        return r

    def decompress(self, x, odd):
        y = self.sqrt(self.rhs(x))
        if y is None:
            return None
        if y % 2 != odd:
            y = self.p - y
        return (x, y)

    def check(self):
        assert self.on_curve(self.g), self.name
        assert self.mul(self.n, self.g) is None, self.name


def be(v, n):
    return v.to_bytes(n, "big")


def u32(b):
    return struct.unpack(">I", b)[0]


def u64(b):
    return struct.unpack(">Q", b)[0]


# --- cross-check with the cryptography package ----------------------------

def crypto_curve(name):
    try:
        from cryptography.hazmat.primitives.asymmetric import ec
    except ImportError:
        return None
    return {"secp192r1": getattr(ec, "SECP192R1", None),
            "secp224r1": getattr(ec, "SECP224R1", None),
            "secp256k1": getattr(ec, "SECP256K1", None),
            "secp256r1": getattr(ec, "SECP256R1", None)}.get(name)


def cross_check(c, d_a, d_b, A, B, S):
    cls = crypto_curve(c.name)
    if cls is None:
        return False
    from cryptography.hazmat.primitives.asymmetric import ec
    ka = ec.derive_private_key(d_a, cls())
    kb = ec.derive_private_key(d_b, cls())
    for key, pt in ((ka, A), (kb, B)):
        pn = key.public_key().public_numbers()
        assert (pn.x, pn.y) == pt, c.name
    ks = ec.derive_private_key(d_a * d_b % c.n, cls()).public_key().public_numbers()
    assert (ks.x, ks.y) == S, c.name
    assert ka.exchange(ec.ECDH(), kb.public_key()) == be(S[0], c.fb), c.name
    for pt in (A, B):
        enc = bytes([2 | (pt[1] & 1)]) + be(pt[0], c.fb)
        pn = ec.EllipticCurvePublicKey.from_encoded_point(cls(), enc).public_numbers()
        assert (pn.x, pn.y) == pt, c.name
    return True


# --- the draft's derived values (docs/security.md) -------------------------

def point_bytes(c, pt):
    return be(pt[0], c.fb) + be(pt[1], c.fb)


def key_of(c, pt):
    """Section 4.1: least significant 64 bits of the x coordinate."""
    return u64(be(pt[0], c.fb)[-8:])


def token_of(c, pt):
    """Figure 2: Token_B = lsb_32(Hash(X_B || Y_B))."""
    return u32(hashlib.sha256(point_bytes(c, pt)).digest()[-4:])


def idsn_of(key):
    """RFC 8684 3.1 on the EC key: least significant 64 bits of
    SHA-256(key as 8 big-endian bytes)."""
    return u64(hashlib.sha256(struct.pack(">Q", key)).digest()[-8:])


def hm(k, msg):
    return hmac.new(k, msg, hashlib.sha256).digest()


def derive(c, A, B, S, r_a, r_b, addr_id):
    k = hashlib.sha256(point_bytes(c, S)).digest()          # K
    token_b = token_of(c, B)
    hmac_token = u32(hm(k, struct.pack(">IBI", token_b, addr_id, r_a))[-4:])
    auth_b = u64(hm(k, struct.pack(">II", r_b, r_a))[:8])
    auth_a = hm(k, struct.pack(">II", r_a, r_b))
    # ADD_ADDR (RFC 8684 3.4.1 message, key K): id, 10.0.0.<id>, port 0
    add_addr = u64(hm(k, bytes([addr_id, 10, 0, 0, addr_id]) + b"\0\0")[-8:])
    return dict(k=k, token_b=token_b, hmac_token=hmac_token, auth_b=auth_b,
                auth_a=auth_a, add_addr=add_addr)


def bad_x(c, start):
    """The first x >= start with no point on the curve (x^3+ax+b is not a
    square): a compressed point the receiver must refuse."""
    x = start % c.p
    while c.sqrt(c.rhs(x)) is not None:
        x += 1
    return x


def small_point(c):
    """The point with the smallest x >= 1 (even y), and x + p written in
    field width: the same x non-canonically, which a receiver must refuse
    rather than reduce mod p."""
    x = 1
    while c.sqrt(c.rhs(x)) is None:
        x += 1
    pt = c.decompress(x, 0)
    assert x + c.p < 1 << (8 * c.fb)
    return pt, x + c.p


def scalar(who, c):
    h = hashlib.sha256(("mpdk secure ec vector %s %s" % (who, c.name)).encode()).digest()
    return int.from_bytes(h, "big") % (c.n - 1) + 1


def mpc_option(c, coord, type_byte):
    return bytes([KIND, 5 + c.fb, 0x01, FLAG_E | FLAG_H, type_byte]) + be(coord, c.fb)


# --- output ---------------------------------------------------------------

def carr(b, width=32):
    b = bytes(b) + bytes(width - len(b))
    return "{ " + ", ".join("0x%02x" % x for x in b) + " }"


def generate():
    out = []
    w = out.append
    w("/* SPDX-License-Identifier: BSD-3-Clause */")
    w("/* Generated by tests/unit/secure/vectors.py (pure-Python EC arithmetic,")
    w(" * hashlib/hmac, cross-checked with the cryptography package; independent")
    w(" * of src/secure). Do not edit: rerun `vectors.py --write ec_vectors.h`. */")
    w("#ifndef MPDK_TEST_SECURE_EC_VECTORS_H")
    w("#define MPDK_TEST_SECURE_EC_VECTORS_H")
    w("")
    w("#include <stdint.h>")
    w("")
    w("/* Per curve of draft Figure 4: scalars d_A, d_B (order width), points")
    w(" * A = d_A*G, B = d_B*G and S = d_A*B (field width), then the values of")
    w(" * draft Figure 2 for R_A, R_B, Address ID, as docs/security.md reads")
    w(" * them; bad_x has no point; syn_* are the EC SYN options (E|H) with A's")
    w(" * x, draft and compressed; join_syn the EC MP_JOIN SYN option.")
    w(" * Points and ECDH of %s," % ", ".join(CROSS_CHECKED[:2]))
    w(" * %s are also checked against the cryptography package. */" % ", ".join(CROSS_CHECKED[2:]))
    w("struct ec_vec {")
    w("\tunsigned curve;")
    w("\tuint8_t field_bytes, order_bytes;")
    w("\tuint8_t d_a[32], d_b[32];")
    w("\tuint8_t ax[32], ay[32], bx[32], by[32], sx[32], sy[32];")
    w("\tuint64_t key_a, key_b, idsn_a, idsn_b;")
    w("\tuint32_t token_a, token_b;")
    w("\tuint8_t k[32];")
    w("\tuint32_t r_a, r_b;")
    w("\tuint8_t addr_id;")
    w("\tuint32_t hmac_token;")
    w("\tuint64_t auth_b;")
    w("\tuint8_t auth_a[32];")
    w("\tuint64_t add_addr_hmac; /* id, 10.0.0.<id>, no port */")
    w("\tuint8_t bad_x[32];")
    w("\tuint8_t small_x[32], small_y[32], noncanon_x[32]; /* noncanon_x = small_x + p */")
    w("\tuint8_t syn_len;")
    w("\tuint8_t syn_draft[40], syn_compressed[40];")
    w("\tuint8_t join_syn[16];")
    w("};")
    w("")
    w("static const struct ec_vec ec_vecs[] = {")
    for cid, (name, prm) in enumerate(CURVES):
        c = Curve(cid, name, prm)
        c.check()
        d_a, d_b = scalar("A", c), scalar("B", c)
        A, B = c.mul(d_a, c.g), c.mul(d_b, c.g)
        S = c.mul(d_a, B)
        assert S == c.mul(d_b, A) and c.on_curve(A) and c.on_curve(B) and c.on_curve(S)
        assert c.decompress(A[0], A[1] & 1) == A and c.decompress(B[0], B[1] & 1) == B
        if not cross_check(c, d_a, d_b, A, B, S) and crypto_curve(c.name) is None \
                and name in CROSS_CHECKED:
            sys.stderr.write("vectors.py: cryptography missing, %s not cross-checked\n" % name)
        r_a, r_b, addr_id = 0x01020304 + cid, 0xa0b0c0d0 ^ cid, 2 + cid
        d = derive(c, A, B, S, r_a, r_b, addr_id)
        bx_ = bad_x(c, A[0])
        syn_d = mpc_option(c, A[0], cid)
        syn_c = mpc_option(c, A[0], cid | TYPE_COMPRESSED | (TYPE_Y_ODD if A[1] & 1 else 0))
        join = bytes([KIND, 16, 0x10 | JOIN_EC, addr_id]) + \
            struct.pack(">III", d["token_b"], d["hmac_token"], r_a)
        w("\t{ /* %s */" % name)
        w("\t\t.curve = %d, .field_bytes = %d, .order_bytes = %d," % (cid, c.fb, c.ob))
        w("\t\t.d_a = %s," % carr(be(d_a, c.ob)))
        w("\t\t.d_b = %s," % carr(be(d_b, c.ob)))
        for lbl, v in (("ax", A[0]), ("ay", A[1]), ("bx", B[0]), ("by", B[1]),
                       ("sx", S[0]), ("sy", S[1])):
            w("\t\t.%s = %s," % (lbl, carr(be(v, c.fb))))
        ka, kb = key_of(c, A), key_of(c, B)
        w("\t\t.key_a = 0x%016xULL, .key_b = 0x%016xULL," % (ka, kb))
        w("\t\t.idsn_a = 0x%016xULL, .idsn_b = 0x%016xULL," % (idsn_of(ka), idsn_of(kb)))
        w("\t\t.token_a = 0x%08x, .token_b = 0x%08x," % (token_of(c, A), d["token_b"]))
        w("\t\t.k = %s," % carr(d["k"]))
        w("\t\t.r_a = 0x%08x, .r_b = 0x%08x, .addr_id = %d," % (r_a, r_b, addr_id))
        w("\t\t.hmac_token = 0x%08x, .auth_b = 0x%016xULL," % (d["hmac_token"], d["auth_b"]))
        w("\t\t.auth_a = %s," % carr(d["auth_a"]))
        w("\t\t.add_addr_hmac = 0x%016xULL," % d["add_addr"])
        w("\t\t.bad_x = %s," % carr(be(bx_, c.fb)))
        sp, ncx = small_point(c)
        w("\t\t.small_x = %s," % carr(be(sp[0], c.fb)))
        w("\t\t.small_y = %s," % carr(be(sp[1], c.fb)))
        w("\t\t.noncanon_x = %s," % carr(be(ncx, c.fb)))
        w("\t\t.syn_len = %d," % len(syn_d))
        w("\t\t.syn_draft = %s," % carr(syn_d, 40))
        w("\t\t.syn_compressed = %s," % carr(syn_c, 40))
        w("\t\t.join_syn = %s," % carr(join, 16))
        w("\t},")
    w("};")
    w("")
    w("#endif")
    return "\n".join(out) + "\n"


def main(argv):
    text = generate()
    if len(argv) == 1:
        sys.stdout.write(text)
        return 0
    if len(argv) == 3 and argv[1] == "--write":
        with open(argv[2], "w") as f:
            f.write(text)
        return 0
    if len(argv) == 3 and argv[1] == "--check":
        with open(argv[2]) as f:
            if f.read() != text:
                sys.stderr.write("%s is stale: rerun vectors.py --write\n" % argv[2])
                return 1
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
