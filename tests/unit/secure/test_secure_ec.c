/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * src/secure/ec.c and ec_pool.c: the nine curves of draft "SE-MPTCP"
 * Figure 4, key pairs, export/import of points (draft section 4.1: the x
 * and y coordinates; mpdk's compressed variant: x + parity), validation of
 * a peer's point, ECDH (draft 4.2: both hosts compute (X_AB, Y_AB)), and
 * the key-pair pool of design.md ("Crypto never blocks the fast path").
 * Known answers come from ec_vectors.h (vectors.py, independent).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/obj_mac.h>

#include "mptcp/options.h"
#include "secure/ec.h"
#include "secure/ec_pool.h"

#include "ec_vectors.h"

#define N_VECS (sizeof(ec_vecs) / sizeof(ec_vecs[0]))

static struct ec_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	ctx = ec_ctx_new();
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ec_ctx_free(ctx);
	return 0;
}

/* Draft Figure 4: ids 0..8 in order, SEC 2 names, the RSA/DSA column; the
 * field size is the codec's coordinate size (mptcp_ec_coord_len) and
 * OpenSSL's (checked inside ec_ctx_new, which would have failed). */
static void test_curve_table(void **state)
{
	static const struct {
		const char *name;
		int nid;
		unsigned bits, rsa;
	} fig4[] = {
		{ "secp160k1", NID_secp160k1, 160, 1024 },
		{ "secp160r1", NID_secp160r1, 160, 1024 },
		{ "secp160r2", NID_secp160r2, 160, 1024 },
		{ "secp192k1", NID_secp192k1, 192, 1024 },
		{ "secp192r1", NID_X9_62_prime192v1, 192, 1024 },
		{ "secp224k1", NID_secp224k1, 224, 2048 },
		{ "secp224r1", NID_secp224r1, 224, 2048 },
		{ "secp256k1", NID_secp256k1, 256, 3072 },
		{ "secp256r1", NID_X9_62_prime256v1, 256, 3072 },
	};

	(void)state;
	assert_int_equal(EC_CURVE_COUNT, 9);
	assert_int_equal(MPTCP_EC_N_CURVES, EC_CURVE_COUNT);
	for (unsigned c = 0; c < EC_CURVE_COUNT; c++) {
		const struct ec_curve_info *ci = ec_curve_get(c);

		assert_non_null(ci);
		assert_string_equal(ci->name, fig4[c].name);
		assert_int_equal(ci->nid, fig4[c].nid);
		assert_int_equal(ci->field_bytes * 8, fig4[c].bits);
		assert_int_equal(ci->rsa_bits, fig4[c].rsa);
		assert_int_equal(mptcp_ec_coord_len(c), ci->field_bytes);
		assert_int_equal(ec_curve_by_name(ci->name), (int)c);
		assert_int_equal(ec_vecs[c].field_bytes, ci->field_bytes);
		assert_int_equal(ec_vecs[c].order_bytes, ci->order_bytes);
	}
	assert_null(ec_curve_get(EC_CURVE_COUNT));
	assert_int_equal(mptcp_ec_coord_len(EC_CURVE_COUNT), 0);
	assert_int_equal(ec_curve_by_name("prime256v1"), EC_SECP256R1);
	assert_int_equal(ec_curve_by_name("PRIME192V1"), EC_SECP192R1);
	assert_int_equal(ec_curve_by_name("secp384r1"), -EINVAL);
	assert_int_equal(ec_curve_by_name(NULL), -EINVAL);
}

/* Draft 4.1: a key pair per curve; the public point exported as x and y,
 * imported back unchanged and on the curve; the scalar nonzero. */
static void test_keygen_export_import(void **state)
{
	(void)state;
	for (unsigned c = 0; c < EC_CURVE_COUNT; c++) {
		const struct ec_curve_info *ci = ec_curve_get(c);
		struct ec_keypair kp, again;
		struct ec_point pub, imp;
		static const uint8_t zero[EC_SCALAR_MAX];

		assert_int_equal(ec_keypair_generate(ctx, c, &kp), 0);
		assert_int_equal(kp.curve, c);
		assert_memory_not_equal(kp.priv, zero, ci->order_bytes);
		/* widths: nothing beyond the curve's sizes */
		for (unsigned i = ci->field_bytes; i < EC_FIELD_MAX; i++)
			assert_true(kp.x[i] == 0 && kp.y[i] == 0);
		ec_keypair_public(&kp, &pub);
		assert_int_equal(ec_point_import(ctx, c, pub.x, pub.y, &imp), 0);
		assert_true(ec_point_equal(&pub, &imp));
		/* the scalar gives back the same point */
		assert_int_equal(ec_keypair_from_priv(ctx, c, kp.priv, ci->order_bytes, &again), 0);
		assert_memory_equal(&again, &kp, sizeof(kp));
		/* two generations differ */
		assert_int_equal(ec_keypair_generate(ctx, c, &again), 0);
		assert_memory_not_equal(again.x, kp.x, ci->field_bytes);
	}
	{
		struct ec_keypair kp;

		assert_int_equal(ec_keypair_generate(ctx, EC_CURVE_COUNT, &kp), -EINVAL);
		assert_int_equal(ec_keypair_generate(NULL, 0, &kp), -EINVAL);
	}
}

/* Known answers (vectors.py): d -> d*G, and ECDH d_A * (d_B*G) = (X_AB,
 * Y_AB) of draft 4.2. */
static void test_vectors_points_and_ecdh(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		struct ec_keypair a, b;
		struct ec_point pa, pb, s1, s2;

		assert_int_equal(ec_keypair_from_priv(ctx, v->curve, v->d_a, v->order_bytes, &a), 0);
		assert_int_equal(ec_keypair_from_priv(ctx, v->curve, v->d_b, v->order_bytes, &b), 0);
		assert_memory_equal(a.x, v->ax, EC_FIELD_MAX);
		assert_memory_equal(a.y, v->ay, EC_FIELD_MAX);
		assert_memory_equal(b.x, v->bx, EC_FIELD_MAX);
		assert_memory_equal(b.y, v->by, EC_FIELD_MAX);
		ec_keypair_public(&a, &pa);
		ec_keypair_public(&b, &pb);
		assert_int_equal(ec_ecdh(ctx, &a, &pb, &s1), 0);
		assert_int_equal(ec_ecdh(ctx, &b, &pa, &s2), 0);
		assert_memory_equal(s1.x, v->sx, EC_FIELD_MAX);
		assert_memory_equal(s1.y, v->sy, EC_FIELD_MAX);
		assert_true(ec_point_equal(&s1, &s2));
	}
}

/* Draft 4.2: both hosts reach the same (X_AB, Y_AB) from fresh keys. */
static void test_ecdh_both_sides(void **state)
{
	(void)state;
	for (unsigned c = 0; c < EC_CURVE_COUNT; c++) {
		struct ec_keypair a, b;
		struct ec_point pa, pb, sa, sb;

		assert_int_equal(ec_keypair_generate(ctx, c, &a), 0);
		assert_int_equal(ec_keypair_generate(ctx, c, &b), 0);
		ec_keypair_public(&a, &pa);
		ec_keypair_public(&b, &pb);
		assert_int_equal(ec_ecdh(ctx, &a, &pb, &sa), 0);
		assert_int_equal(ec_ecdh(ctx, &b, &pa, &sb), 0);
		assert_true(ec_point_equal(&sa, &sb));
		assert_int_equal(sa.curve, c);
		assert_memory_not_equal(sa.x, pa.x, EC_FIELD_MAX);
	}
}

static void add_one(uint8_t *b, unsigned n)
{
	for (int i = (int)n - 1; i >= 0; i--)
		if (++b[i] != 0)
			break;
}

/*
 * Invalid points are refused (the invalid-curve attack on ECDH; docs
 * security.md "Point validation"): off the curve (y+1), a coordinate
 * written as value + p (which OpenSSL would reduce silently), all-ones
 * coordinates, the point (0, 0), and an x with no y for the compressed
 * form. ECDH refuses them too, and a curve mismatch.
 */
static void test_invalid_points(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		unsigned fb = v->field_bytes;
		uint8_t y1[EC_FIELD_MAX], ones[EC_FIELD_MAX], zero[EC_FIELD_MAX] = { 0 };
		struct ec_point out, pub;
		struct ec_keypair a;

		memcpy(y1, v->ay, sizeof(y1));
		add_one(y1, fb);
		memset(ones, 0xff, sizeof(ones));

		assert_int_equal(ec_point_import(ctx, v->curve, v->ax, y1, &out), -EINVAL);
		assert_int_equal(out.curve, 0);
		assert_int_equal(ec_point_import(ctx, v->curve, ones, v->ay, &out), -EINVAL);
		assert_int_equal(ec_point_import(ctx, v->curve, v->ax, ones, &out), -EINVAL);
		assert_int_equal(ec_point_import(ctx, v->curve, zero, zero, &out), -EINVAL);
		/* small_x is a point; small_x + p names the same x mod p */
		assert_int_equal(ec_point_import(ctx, v->curve, v->small_x, v->small_y, &out), 0);
		assert_int_equal(ec_point_import(ctx, v->curve, v->noncanon_x, v->small_y, &out),
				 -EINVAL);
		assert_int_equal(ec_point_import_compressed(ctx, v->curve, v->noncanon_x,
							    v->small_y[fb - 1] & 1, &out),
				 -EINVAL);
		assert_int_equal(ec_point_import_compressed(ctx, v->curve, v->bad_x, 0, &out), -EINVAL);
		assert_int_equal(ec_point_import_compressed(ctx, v->curve, v->bad_x, 1, &out), -EINVAL);
		assert_int_equal(ec_point_import_compressed(ctx, v->curve, ones, 0, &out), -EINVAL);
		assert_int_equal(ec_point_import_compressed(ctx, v->curve, v->ax, 2, &out), -EINVAL);
		/* another curve's point (unless it happens to lie on this one:
		 * it does not for these vectors) */
		{
			const struct ec_vec *w = &ec_vecs[(i + 1) % N_VECS];

			if (w->field_bytes == fb)
				assert_int_equal(ec_point_import(ctx, v->curve, w->ax, w->ay, &out),
						 -EINVAL);
		}

		/* ECDH re-checks the peer's point and the curves */
		assert_int_equal(ec_keypair_from_priv(ctx, v->curve, v->d_a, v->order_bytes, &a), 0);
		memset(&pub, 0, sizeof(pub));
		pub.curve = (uint8_t)v->curve;
		memcpy(pub.x, v->ax, fb);
		memcpy(pub.y, y1, fb);
		assert_int_equal(ec_ecdh(ctx, &a, &pub, &out), -EINVAL);
		memcpy(pub.y, v->ay, fb);
		pub.curve = (uint8_t)((v->curve + 1) % EC_CURVE_COUNT);
		assert_int_equal(ec_ecdh(ctx, &a, &pub, &out), -EINVAL);
	}
	{
		struct ec_point out;
		uint8_t x[EC_FIELD_MAX] = { 1 };

		assert_int_equal(ec_point_import(ctx, EC_CURVE_COUNT, x, x, &out), -EINVAL);
		assert_int_equal(ec_point_import_compressed(ctx, 99, x, 0, &out), -EINVAL);
	}
}

/* Scalars outside [1, n-1] make no key pair. */
static void test_bad_scalars(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		uint8_t zero[EC_SCALAR_MAX] = { 0 }, ones[EC_SCALAR_MAX];
		struct ec_keypair kp;

		memset(ones, 0xff, sizeof(ones));
		assert_int_equal(ec_keypair_from_priv(ctx, v->curve, zero, v->order_bytes, &kp),
				 -EINVAL);
		/* all ones in the order's width is >= n for every curve */
		assert_int_equal(ec_keypair_from_priv(ctx, v->curve, ones, v->order_bytes, &kp),
				 -EINVAL);
		assert_int_equal(ec_keypair_from_priv(ctx, v->curve, ones, 0, &kp), -EINVAL);
		assert_int_equal(ec_keypair_from_priv(ctx, v->curve, ones, EC_SCALAR_MAX + 1, &kp),
				 -EINVAL);
	}
}

/* mpdk's compressed variant (docs/security.md): x and the parity of y give
 * back the point, for both parities across the curves; the vectors' y
 * parity is the one vectors.py put in the compressed SYN. */
static void test_compressed_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		unsigned fb = v->field_bytes;
		struct ec_point out;

		assert_int_equal(ec_point_import_compressed(ctx, v->curve, v->ax, v->ay[fb - 1] & 1, &out), 0);
		assert_memory_equal(out.y, v->ay, EC_FIELD_MAX);
		assert_int_equal(ec_point_y_odd(&out), v->ay[fb - 1] & 1);
		assert_int_equal(ec_point_import_compressed(ctx, v->curve, v->bx, v->by[fb - 1] & 1, &out), 0);
		assert_memory_equal(out.y, v->by, EC_FIELD_MAX);
		/* the other parity is the negated point: same x, y' = p - y */
		assert_int_equal(ec_point_import_compressed(ctx, v->curve, v->ax, !(v->ay[fb - 1] & 1), &out), 0);
		assert_memory_equal(out.x, v->ax, EC_FIELD_MAX);
		assert_memory_not_equal(out.y, v->ay, fb);
	}
	for (unsigned c = 0; c < EC_CURVE_COUNT; c++) {
		for (int k = 0; k < 8; k++) {
			struct ec_keypair kp;
			struct ec_point pub, out;

			assert_int_equal(ec_keypair_generate(ctx, c, &kp), 0);
			ec_keypair_public(&kp, &pub);
			assert_int_equal(ec_point_import_compressed(ctx, c, pub.x, ec_point_y_odd(&pub), &out), 0);
			assert_true(ec_point_equal(&pub, &out));
		}
	}
}

/* The pool (design.md, issue 5 item 4): starts empty, refill respects its
 * budget and capacity, take pops ready pairs without generating, an empty
 * take generates inline and is counted; taken pairs are distinct and
 * wiped from the pool. */
static void test_pool(void **state)
{
	struct ec_pool pool;
	struct ec_keypair k1, k2, k3;
	static const struct ec_keypair zero;

	(void)state;
	assert_int_equal(ec_pool_init(&pool, ctx, EC_SECP256R1, 0), -EINVAL);
	assert_int_equal(ec_pool_init(&pool, NULL, EC_SECP256R1, 4), -EINVAL);
	assert_int_equal(ec_pool_init(&pool, ctx, EC_CURVE_COUNT, 4), -EINVAL);
	assert_int_equal(ec_pool_init(&pool, ctx, EC_SECP256R1, 3), 0);
	assert_int_equal(ec_pool_count(&pool), 0);

	assert_int_equal(ec_pool_refill(&pool, 0), 0);
	assert_int_equal(ec_pool_refill(&pool, 2), 2);
	assert_int_equal(ec_pool_count(&pool), 2);
	assert_int_equal(ec_pool_refill(&pool, 5), 1); /* capacity 3 */
	assert_int_equal(ec_pool_refill(&pool, 5), 0);
	assert_int_equal(pool.stats.generated, 3);

	assert_int_equal(ec_pool_take(&pool, &k1), 0);
	assert_int_equal(ec_pool_take(&pool, &k2), 0);
	assert_int_equal(ec_pool_take(&pool, &k3), 0);
	assert_int_equal(ec_pool_count(&pool), 0);
	assert_int_equal(pool.stats.empty_inline, 0);
	assert_int_equal(pool.stats.generated, 3); /* takes did not generate */
	assert_memory_not_equal(k1.x, k2.x, 32);
	assert_memory_not_equal(k2.x, k3.x, 32);
	assert_int_equal(k1.curve, EC_SECP256R1);
	/* slots are wiped once taken */
	for (unsigned i = 0; i < pool.size; i++)
		assert_memory_equal(&pool.slots[i], &zero, sizeof(zero));
	{
		struct ec_point pub, imp;

		ec_keypair_public(&k1, &pub);
		assert_int_equal(ec_point_import(ctx, pub.curve, pub.x, pub.y, &imp), 0);
	}

	/* empty: generated inline, counted */
	assert_int_equal(ec_pool_take(&pool, &k1), 0);
	assert_int_equal(pool.stats.empty_inline, 1);
	assert_int_equal(pool.stats.generated, 4);
	assert_int_equal(pool.stats.taken, 4);
	assert_int_equal(pool.stats.gen_failed, 0);
	assert_int_equal(ec_pool_refill(&pool, 1), 1);
	assert_int_equal(ec_pool_take(&pool, &k2), 0);
	assert_int_equal(pool.stats.empty_inline, 1);
	ec_pool_fini(&pool);
	assert_null(pool.slots);
	ec_pool_fini(&pool); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curve_table),
		cmocka_unit_test(test_keygen_export_import),
		cmocka_unit_test(test_vectors_points_and_ecdh),
		cmocka_unit_test(test_ecdh_both_sides),
		cmocka_unit_test(test_invalid_points),
		cmocka_unit_test(test_bad_scalars),
		cmocka_unit_test(test_compressed_round_trip),
		cmocka_unit_test(test_pool),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
