/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The nine curves of the EC keying mode on OpenSSL 3's EC_GROUP/EC_POINT
 * (not the deprecated EC_KEY, and not EVP_PKEY_derive, which hands back
 * only the x coordinate of the shared point while the draft's K hashes
 * both). EC_POINT_mul() with a single secret scalar takes OpenSSL's
 * constant-time Montgomery ladder whatever the scalar's flags; the flag is
 * set anyway.
 */
#include "secure/ec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

static const struct ec_curve_info curves[EC_CURVE_COUNT] = {
	[EC_SECP160K1] = { "secp160k1", NULL, NID_secp160k1, 20, 21, 1024 },
	[EC_SECP160R1] = { "secp160r1", NULL, NID_secp160r1, 20, 21, 1024 },
	[EC_SECP160R2] = { "secp160r2", NULL, NID_secp160r2, 20, 21, 1024 },
	[EC_SECP192K1] = { "secp192k1", NULL, NID_secp192k1, 24, 24, 1024 },
	[EC_SECP192R1] = { "secp192r1", "prime192v1", NID_X9_62_prime192v1, 24, 24, 1024 },
	[EC_SECP224K1] = { "secp224k1", NULL, NID_secp224k1, 28, 29, 2048 },
	[EC_SECP224R1] = { "secp224r1", NULL, NID_secp224r1, 28, 28, 2048 },
	[EC_SECP256K1] = { "secp256k1", NULL, NID_secp256k1, 32, 32, 3072 },
	[EC_SECP256R1] = { "secp256r1", "prime256v1", NID_X9_62_prime256v1, 32, 32, 3072 },
};

struct ec_ctx {
	BN_CTX *bn;
	struct {
		EC_GROUP *group;
		BIGNUM *p; /* the field prime: coordinates must be below it */
	} c[EC_CURVE_COUNT];
};

const struct ec_curve_info *ec_curve_get(unsigned c)
{
	return c < EC_CURVE_COUNT ? &curves[c] : NULL;
}

int ec_curve_by_name(const char *name)
{
	if (name == NULL)
		return -EINVAL;
	for (unsigned i = 0; i < EC_CURVE_COUNT; i++)
		if (!strcasecmp(name, curves[i].name) ||
		    (curves[i].alias && !strcasecmp(name, curves[i].alias)))
			return (int)i;
	return -EINVAL;
}

void ec_ctx_free(struct ec_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (unsigned i = 0; i < EC_CURVE_COUNT; i++) {
		EC_GROUP_free(ctx->c[i].group);
		BN_free(ctx->c[i].p);
	}
	BN_CTX_free(ctx->bn);
	free(ctx);
}

struct ec_ctx *ec_ctx_new(void)
{
	struct ec_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return NULL;
	ctx->bn = BN_CTX_new();
	if (ctx->bn == NULL)
		goto fail;
	for (unsigned i = 0; i < EC_CURVE_COUNT; i++) {
		EC_GROUP *g = EC_GROUP_new_by_curve_name(curves[i].nid);

		ctx->c[i].group = g;
		ctx->c[i].p = BN_new();
		if (g == NULL || ctx->c[i].p == NULL ||
		    !EC_GROUP_get_curve(g, ctx->c[i].p, NULL, NULL, ctx->bn))
			goto fail;
		/* The table's widths are what the wire carries: they must be
		 * OpenSSL's, and cofactor 1 is what makes the on-curve check
		 * enough (no small subgroup). */
		if ((unsigned)BN_num_bytes(ctx->c[i].p) != curves[i].field_bytes ||
		    (unsigned)BN_num_bytes(EC_GROUP_get0_order(g)) != curves[i].order_bytes ||
		    !BN_is_one(EC_GROUP_get0_cofactor(g)))
			goto fail;
	}
	return ctx;
fail:
	ERR_clear_error();
	ec_ctx_free(ctx);
	return NULL;
}

/* Q = d*G into @kp's coordinates. */
static int public_of(struct ec_ctx *ctx, unsigned curve, const BIGNUM *d, struct ec_keypair *kp)
{
	const EC_GROUP *g = ctx->c[curve].group;
	unsigned fb = curves[curve].field_bytes;
	EC_POINT *q = EC_POINT_new(g);
	BIGNUM *x, *y;
	int rc = -EIO;

	if (q == NULL)
		return -ENOMEM;
	BN_CTX_start(ctx->bn);
	x = BN_CTX_get(ctx->bn);
	y = BN_CTX_get(ctx->bn);
	if (y != NULL && EC_POINT_mul(g, q, d, NULL, NULL, ctx->bn) &&
	    EC_POINT_get_affine_coordinates(g, q, x, y, ctx->bn) &&
	    BN_bn2binpad(x, kp->x, (int)fb) == (int)fb && BN_bn2binpad(y, kp->y, (int)fb) == (int)fb)
		rc = 0;
	BN_CTX_end(ctx->bn);
	EC_POINT_free(q);
	return rc;
}

static int keypair_of(struct ec_ctx *ctx, unsigned curve, BIGNUM *d, struct ec_keypair *kp)
{
	unsigned ob = curves[curve].order_bytes;
	int rc;

	BN_set_flags(d, BN_FLG_CONSTTIME);
	kp->curve = (uint8_t)curve;
	if (BN_bn2binpad(d, kp->priv, (int)ob) != (int)ob)
		rc = -EIO;
	else
		rc = public_of(ctx, curve, d, kp);
	if (rc) {
		OPENSSL_cleanse(kp, sizeof(*kp));
		ERR_clear_error();
	}
	return rc;
}

int ec_keypair_generate(struct ec_ctx *ctx, unsigned curve, struct ec_keypair *kp)
{
	const BIGNUM *n;
	BIGNUM *d;
	int rc = -EIO;

	memset(kp, 0, sizeof(*kp));
	if (ctx == NULL || curve >= EC_CURVE_COUNT)
		return -EINVAL;
	n = EC_GROUP_get0_order(ctx->c[curve].group);
	d = BN_secure_new();
	if (d == NULL)
		return -ENOMEM;
	BN_set_flags(d, BN_FLG_CONSTTIME);
	/* Uniform in [0, n), retried on 0: uniform in [1, n-1]. */
	for (int tries = 0; tries < 8; tries++) {
		if (!BN_priv_rand_range_ex(d, n, 0, ctx->bn))
			break;
		if (!BN_is_zero(d)) {
			rc = keypair_of(ctx, curve, d, kp);
			break;
		}
	}
	if (rc == -EIO)
		ERR_clear_error();
	BN_clear_free(d);
	return rc;
}

int ec_keypair_from_priv(struct ec_ctx *ctx, unsigned curve, const uint8_t *priv, size_t len,
			 struct ec_keypair *kp)
{
	BIGNUM *d;
	int rc;

	memset(kp, 0, sizeof(*kp));
	if (ctx == NULL || curve >= EC_CURVE_COUNT || priv == NULL || len == 0 ||
	    len > EC_SCALAR_MAX)
		return -EINVAL;
	d = BN_secure_new();
	if (d == NULL)
		return -ENOMEM;
	if (BN_bin2bn(priv, (int)len, d) == NULL)
		rc = -EIO;
	else if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(ctx->c[curve].group)) >= 0)
		rc = -EINVAL;
	else
		rc = keypair_of(ctx, curve, d, kp);
	BN_clear_free(d);
	return rc;
}

void ec_keypair_public(const struct ec_keypair *kp, struct ec_point *pub)
{
	memset(pub, 0, sizeof(*pub));
	pub->curve = kp->curve;
	memcpy(pub->x, kp->x, sizeof(pub->x));
	memcpy(pub->y, kp->y, sizeof(pub->y));
}

unsigned ec_point_y_odd(const struct ec_point *pt)
{
	const struct ec_curve_info *ci = ec_curve_get(pt->curve);

	return ci ? pt->y[ci->field_bytes - 1] & 1u : 0;
}

bool ec_point_equal(const struct ec_point *a, const struct ec_point *b)
{
	return a->curve == b->curve && !memcmp(a->x, b->x, sizeof(a->x)) &&
	       !memcmp(a->y, b->y, sizeof(a->y));
}

/*
 * Load (x, y) into @pt after the checks OpenSSL would not all make:
 * coordinates below p (EC_POINT_set_affine_coordinates reduces them mod p),
 * on the curve (it checks that too since 1.1.1; asked again explicitly),
 * not infinity. Returns 0 or -EINVAL/-EIO.
 */
static int load_point(struct ec_ctx *ctx, unsigned curve, const uint8_t *xb, const uint8_t *yb,
		      EC_POINT *pt)
{
	const EC_GROUP *g = ctx->c[curve].group;
	const BIGNUM *p = ctx->c[curve].p;
	int fb = curves[curve].field_bytes;
	BIGNUM *x, *y;
	int rc = -EINVAL;

	BN_CTX_start(ctx->bn);
	x = BN_CTX_get(ctx->bn);
	y = BN_CTX_get(ctx->bn);
	if (y == NULL || !BN_bin2bn(xb, fb, x) || !BN_bin2bn(yb, fb, y))
		rc = -EIO;
	else if (BN_cmp(x, p) < 0 && BN_cmp(y, p) < 0 &&
		 EC_POINT_set_affine_coordinates(g, pt, x, y, ctx->bn) &&
		 EC_POINT_is_on_curve(g, pt, ctx->bn) == 1 && !EC_POINT_is_at_infinity(g, pt))
		rc = 0;
	BN_CTX_end(ctx->bn);
	ERR_clear_error();
	return rc;
}

int ec_point_import(struct ec_ctx *ctx, unsigned curve, const uint8_t *x, const uint8_t *y,
		    struct ec_point *out)
{
	unsigned fb;
	EC_POINT *pt;
	int rc;

	memset(out, 0, sizeof(*out));
	if (ctx == NULL || curve >= EC_CURVE_COUNT || x == NULL || y == NULL)
		return -EINVAL;
	fb = curves[curve].field_bytes;
	pt = EC_POINT_new(ctx->c[curve].group);
	if (pt == NULL)
		return -ENOMEM;
	rc = load_point(ctx, curve, x, y, pt);
	EC_POINT_free(pt);
	if (rc == 0) {
		out->curve = (uint8_t)curve;
		memcpy(out->x, x, fb);
		memcpy(out->y, y, fb);
	}
	return rc;
}

int ec_point_import_compressed(struct ec_ctx *ctx, unsigned curve, const uint8_t *xb,
			       unsigned y_odd, struct ec_point *out)
{
	const EC_GROUP *g;
	EC_POINT *pt;
	BIGNUM *x, *y;
	int fb, rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (ctx == NULL || curve >= EC_CURVE_COUNT || xb == NULL || y_odd > 1)
		return -EINVAL;
	g = ctx->c[curve].group;
	fb = curves[curve].field_bytes;
	pt = EC_POINT_new(g);
	if (pt == NULL)
		return -ENOMEM;
	BN_CTX_start(ctx->bn);
	x = BN_CTX_get(ctx->bn);
	y = BN_CTX_get(ctx->bn);
	if (y == NULL || !BN_bin2bn(xb, fb, x)) {
		rc = -EIO;
	} else if (BN_cmp(x, ctx->c[curve].p) < 0 &&
		   /* fails when x^3 + ax + b has no square root, or y = 0
		    * with the odd bit set */
		   EC_POINT_set_compressed_coordinates(g, pt, x, (int)y_odd, ctx->bn) &&
		   EC_POINT_is_on_curve(g, pt, ctx->bn) == 1 && !EC_POINT_is_at_infinity(g, pt) &&
		   EC_POINT_get_affine_coordinates(g, pt, x, y, ctx->bn) &&
		   (unsigned)BN_is_odd(y) == y_odd) {
		out->curve = (uint8_t)curve;
		if (BN_bn2binpad(x, out->x, fb) == fb && BN_bn2binpad(y, out->y, fb) == fb)
			rc = 0;
		else
			rc = -EIO;
	}
	BN_CTX_end(ctx->bn);
	EC_POINT_free(pt);
	ERR_clear_error();
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

int ec_ecdh(struct ec_ctx *ctx, const struct ec_keypair *own, const struct ec_point *peer,
	    struct ec_point *shared)
{
	const EC_GROUP *g;
	EC_POINT *q = NULL, *r = NULL;
	BIGNUM *d, *x, *y;
	int fb, rc;

	memset(shared, 0, sizeof(*shared));
	if (ctx == NULL || own->curve >= EC_CURVE_COUNT || own->curve != peer->curve)
		return -EINVAL;
	g = ctx->c[own->curve].group;
	fb = curves[own->curve].field_bytes;
	q = EC_POINT_new(g);
	r = EC_POINT_new(g);
	if (q == NULL || r == NULL) {
		EC_POINT_free(q);
		EC_POINT_free(r);
		return -ENOMEM;
	}
	rc = load_point(ctx, own->curve, peer->x, peer->y, q);
	if (rc) {
		EC_POINT_free(q);
		EC_POINT_free(r);
		return rc;
	}
	BN_CTX_start(ctx->bn);
	d = BN_CTX_get(ctx->bn);
	x = BN_CTX_get(ctx->bn);
	y = BN_CTX_get(ctx->bn);
	rc = -EIO;
	if (y != NULL && BN_bin2bn(own->priv, curves[own->curve].order_bytes, d)) {
		BN_set_flags(d, BN_FLG_CONSTTIME);
		if (!EC_POINT_mul(g, r, NULL, q, d, ctx->bn))
			rc = -EIO;
		else if (EC_POINT_is_at_infinity(g, r))
			rc = -EINVAL; /* cofactor 1 and d in [1, n-1]: unreachable */
		else if (EC_POINT_get_affine_coordinates(g, r, x, y, ctx->bn) &&
			 BN_bn2binpad(x, shared->x, fb) == fb && BN_bn2binpad(y, shared->y, fb) == fb)
			rc = 0;
		BN_clear(d);
		BN_clear(x);
		BN_clear(y);
	}
	BN_CTX_end(ctx->bn);
	EC_POINT_clear_free(r);
	EC_POINT_free(q);
	ERR_clear_error();
	if (rc)
		OPENSSL_cleanse(shared, sizeof(*shared));
	else
		shared->curve = own->curve;
	return rc;
}
