/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_SECURE_EC_H
#define MPDK_SECURE_EC_H

/*
 * Elliptic curves of the EC keying mode (draft "SE-MPTCP", section 4 and
 * Figure 4) on OpenSSL 3 libcrypto: key pairs, the public point as fixed
 * width big-endian coordinates, validated import of a peer's point (both
 * coordinates, or x plus the parity of y for mpdk's compressed variant),
 * and ECDH returning the whole shared point (X_AB, Y_AB), which the draft's
 * K needs (Figure 2; docs/security.md).
 *
 * Threading: everything that computes takes a struct ec_ctx, which holds
 * the curves' groups and a BN_CTX and must be used by one thread at a time
 * (one per lcore or slow-path thread). Key pairs and points are plain bytes:
 * copy them, put them in a ring, compare them; no free needed.
 *
 * Cost: generation and ECDH are scalar multiplications (tens to hundreds of
 * microseconds, see docs/security.md) and allocate inside OpenSSL: they
 * belong in idle cycles or on a slow-path lcore (ec_pool.h), never in the
 * handling of a packet. Import costs a few field operations (a square root
 * for a compressed point) and is fine on the handshake path.
 *
 * Secret scalars are run through OpenSSL's constant-time ladder
 * (BN_FLG_CONSTTIME) and wiped with OPENSSL_cleanse/BN_clear.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Draft Figure 4, "EC type": the value is the wire id. */
enum ec_curve {
	EC_SECP160K1 = 0,
	EC_SECP160R1 = 1,
	EC_SECP160R2 = 2,
	EC_SECP192K1 = 3,
	EC_SECP192R1 = 4, /* = prime192v1, NIST P-192 */
	EC_SECP224K1 = 5,
	EC_SECP224R1 = 6, /* NIST P-224 */
	EC_SECP256K1 = 7,
	EC_SECP256R1 = 8, /* = prime256v1, NIST P-256 */
	EC_CURVE_COUNT
};

#define EC_FIELD_MAX 32  /* bytes of a coordinate, 256-bit curves */
#define EC_SCALAR_MAX 32 /* bytes of a private scalar (secp224k1's order
			  * has 225 bits: 29 bytes; the 160s' 161: 21) */

struct ec_curve_info {
	const char *name;      /* SEC 2 name, e.g. "secp256r1" */
	const char *alias;     /* OpenSSL's other name or NULL ("prime256v1") */
	int nid;               /* OpenSSL NID */
	uint8_t field_bytes;   /* one coordinate on the wire */
	uint8_t order_bytes;   /* a private scalar */
	uint16_t rsa_bits;     /* draft Figure 4, comparable RSA/DSA size */
};

/* The table row of @c, or NULL for an id outside Figure 4. */
const struct ec_curve_info *ec_curve_get(unsigned c);

/* Curve id of a name or alias (case-insensitive), or -EINVAL. */
int ec_curve_by_name(const char *name);

/* A key pair: private scalar and public point, big-endian, fixed width
 * (order_bytes, field_bytes of the curve; the rest zero). */
struct ec_keypair {
	uint8_t curve; /* enum ec_curve */
	uint8_t priv[EC_SCALAR_MAX];
	uint8_t x[EC_FIELD_MAX];
	uint8_t y[EC_FIELD_MAX];
};

/* A public point known to be on its curve (made by ec_point_import*,
 * ec_ecdh or copied from a key pair). */
struct ec_point {
	uint8_t curve;
	uint8_t x[EC_FIELD_MAX];
	uint8_t y[EC_FIELD_MAX];
};

struct ec_ctx;

/*
 * The groups of all nine curves and a BN_CTX. Returns NULL if OpenSSL lacks
 * a curve or memory runs out. Each curve is checked to have cofactor 1, so
 * that a point on the curve other than infinity is in the prime-order group
 * (no small-subgroup attack to guard against beyond the on-curve check).
 */
struct ec_ctx *ec_ctx_new(void);
void ec_ctx_free(struct ec_ctx *ctx);

/*
 * A fresh key pair on @curve: d uniform in [1, n-1], Q = d*G.
 * Returns 0, -EINVAL (curve), -ENOMEM or -EIO (OpenSSL or RNG failure);
 * on error @kp is zeroed.
 */
int ec_keypair_generate(struct ec_ctx *ctx, unsigned curve, struct ec_keypair *kp);

/*
 * The key pair of a given scalar (big-endian, @len bytes, at most
 * EC_SCALAR_MAX): for test vectors and deterministic setups.
 * -EINVAL if the scalar is 0 or >= n.
 */
int ec_keypair_from_priv(struct ec_ctx *ctx, unsigned curve, const uint8_t *priv, size_t len,
			 struct ec_keypair *kp);

/* The public half of @kp. */
void ec_keypair_public(const struct ec_keypair *kp, struct ec_point *pub);

/* Parity of y (0 even, 1 odd): the bit the compressed variant sends. */
unsigned ec_point_y_odd(const struct ec_point *pt);

/*
 * A peer's point from both coordinates (field_bytes each, big-endian).
 * Rejected with -EINVAL unless 0 <= x, y < p and y^2 = x^3 + ax + b: an
 * off-curve point is the invalid-curve attack on ECDH, and a coordinate
 * >= p would otherwise be reduced silently. -EIO/-ENOMEM for OpenSSL
 * failures. On error @out is zeroed.
 */
int ec_point_import(struct ec_ctx *ctx, unsigned curve, const uint8_t *x, const uint8_t *y,
		    struct ec_point *out);

/*
 * A peer's point from x and the parity of y (the compressed variant): y is
 * the square root of x^3 + ax + b with that parity. -EINVAL if x >= p or
 * x^3 + ax + b is not a square (no such point), or if y = 0 and the parity
 * says odd.
 */
int ec_point_import_compressed(struct ec_ctx *ctx, unsigned curve, const uint8_t *x,
			       unsigned y_odd, struct ec_point *out);

/* Equal curve and coordinates (not constant time: points are public). */
bool ec_point_equal(const struct ec_point *a, const struct ec_point *b);

/*
 * ECDH: the shared point d_own * Q_peer, both coordinates (X_AB, Y_AB of
 * the draft). Both must be on the same curve; @peer is checked on the curve
 * again. Returns 0, -EINVAL (curve mismatch, invalid point, infinity),
 * -ENOMEM or -EIO. On error @shared is zeroed. The shared point is secret:
 * wipe it (OPENSSL_cleanse) once K is derived (ec_auth.h does).
 */
int ec_ecdh(struct ec_ctx *ctx, const struct ec_keypair *own, const struct ec_point *peer,
	    struct ec_point *shared);

#endif
