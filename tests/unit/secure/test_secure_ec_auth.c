/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * src/secure/ec_auth.c: the derived values of draft "SE-MPTCP" Figure 2
 * (K, Token_B, HMAC_Token, Auth_B, Auth_A), Key-A/Key-B of section 4.1,
 * the EC ADD_ADDR HMAC (section 4.3 with RFC 8684 3.4.1's message), and
 * the precomputed-pad HMAC contexts, against ec_vectors.h (vectors.py:
 * pure-Python EC and hashlib/hmac, independent of the code under test).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mptcp/crypto.h"
#include "secure/ec.h"
#include "secure/ec_auth.h"

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

static void vec_points(const struct ec_vec *v, struct ec_point *a, struct ec_point *b,
		       struct ec_point *s)
{
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	memset(s, 0, sizeof(*s));
	a->curve = b->curve = s->curve = (uint8_t)v->curve;
	memcpy(a->x, v->ax, EC_FIELD_MAX);
	memcpy(a->y, v->ay, EC_FIELD_MAX);
	memcpy(b->x, v->bx, EC_FIELD_MAX);
	memcpy(b->y, v->by, EC_FIELD_MAX);
	memcpy(s->x, v->sx, EC_FIELD_MAX);
	memcpy(s->y, v->sy, EC_FIELD_MAX);
}

/* Section 4.1: Key-A = least significant 64 bits of A's x (Key-B of B's);
 * the RFC 8684 IDSN of that key (3.1); Figure 2: Token_B =
 * lsb_32(SHA-256(X_B || Y_B)), and Token_A alike. */
static void test_keys_tokens(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		struct ec_point a, b, s;

		vec_points(v, &a, &b, &s);
		assert_int_equal(ec_key_of(&a), v->key_a);
		assert_int_equal(ec_key_of(&b), v->key_b);
		assert_int_equal(ec_key_of_x(v->curve, v->bx), v->key_b);
		assert_int_equal(ec_key_of_x(EC_CURVE_COUNT, v->bx), 0);
		assert_int_equal(mptcp_key_idsn(ec_key_of(&a)), v->idsn_a);
		assert_int_equal(mptcp_key_idsn(ec_key_of(&b)), v->idsn_b);
		assert_int_equal(ec_token_of(&a), v->token_a);
		assert_int_equal(ec_token_of(&b), v->token_b);
	}
}

/* Figure 2: K = SHA-256(X_AB || Y_AB); HMAC_Token = lsb_32(HMAC(K,
 * Token_B || Address ID || R_A)); Auth_B = msb_64(HMAC(K, R_B || R_A));
 * Auth_A = HMAC(K, R_A || R_B). ADD_ADDR (4.3): rightmost 64 bits of
 * HMAC(K, ID || address || port). */
static void test_figure2_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		struct ec_point a, b, s;
		struct mptcp_hmac_ctx k;
		uint8_t kb[EC_K_LEN], mac[MPTCP_HMAC_LEN];
		struct mptcp_opt_add_addr aa = { .addr_id = v->addr_id, .family = MPTCP_ADDR_IPV4 };
		const uint8_t ip[4] = { 10, 0, 0, v->addr_id };

		vec_points(v, &a, &b, &s);
		ec_k_of(&s, kb);
		assert_memory_equal(kb, v->k, EC_K_LEN);
		ec_hmac_ctx_init(&k, kb, sizeof(kb));
		assert_int_equal(ec_hmac_token(&k, v->token_b, v->addr_id, v->r_a), v->hmac_token);
		assert_int_equal(ec_auth_b(&k, v->r_b, v->r_a), v->auth_b);
		ec_auth_a(&k, v->r_a, v->r_b, mac);
		assert_memory_equal(mac, v->auth_a, MPTCP_HMAC_LEN);
		memcpy(&aa.addr.v4, ip, 4);
		assert_int_equal(ec_add_addr_hmac(&k, &aa), v->add_addr_hmac);
	}
}

/* The precomputed-pad context keyed with K equals OpenSSL's one-shot HMAC
 * for message lengths around the block boundary (0..130 bytes). */
static void test_hmac_ctx_equals_oneshot(void **state)
{
	uint8_t key[EC_K_LEN], msg[130], a[32], b[32];
	struct mptcp_hmac_ctx k;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i ^ 0x5a);
	ec_hmac_ctx_init(&k, key, sizeof(key));
	for (size_t len = 0; len <= sizeof(msg); len++) {
		unsigned int n = sizeof(b);

		mptcp_hmac_ctx_compute(&k, msg, len, a);
		assert_non_null(HMAC(EVP_sha256(), key, sizeof(key), msg, len, b, &n));
		assert_memory_equal(a, b, 32);
	}
	/* other key lengths too (up to a block) */
	for (size_t klen = 1; klen <= 64; klen += 21) {
		uint8_t kk[64];
		unsigned int n = sizeof(b);

		memset(kk, 0xa7, sizeof(kk));
		ec_hmac_ctx_init(&k, kk, klen);
		mptcp_hmac_ctx_compute(&k, msg, 9, a);
		assert_non_null(HMAC(EVP_sha256(), kk, (int)klen, msg, 9, b, &n));
		assert_memory_equal(a, b, 32);
	}
}

/* The receiver's checks accept the right values and refuse any flipped
 * bit, another Address ID (the draft's 4.2 argument against replay from
 * another address) or swapped nonces (Auth_A is not Auth_B). */
static void test_checks(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		struct mptcp_hmac_ctx k;
		uint8_t wire[MPTCP_JOIN_ACK_HMAC_LEN];

		ec_hmac_ctx_init(&k, v->k, EC_K_LEN);
		assert_true(ec_hmac_token_ok(&k, v->token_b, v->addr_id, v->r_a, v->hmac_token));
		assert_false(ec_hmac_token_ok(&k, v->token_b, (uint8_t)(v->addr_id + 1), v->r_a,
					      v->hmac_token));
		assert_false(ec_hmac_token_ok(&k, v->token_b ^ 1, v->addr_id, v->r_a, v->hmac_token));
		for (int bit = 0; bit < 32; bit++)
			assert_false(ec_hmac_token_ok(&k, v->token_b, v->addr_id, v->r_a,
						      v->hmac_token ^ (1u << bit)));
		assert_true(ec_auth_b_ok(&k, v->r_b, v->r_a, v->auth_b));
		assert_false(ec_auth_b_ok(&k, v->r_a, v->r_b, v->auth_b));
		for (int bit = 0; bit < 64; bit++)
			assert_false(ec_auth_b_ok(&k, v->r_b, v->r_a, v->auth_b ^ (1ULL << bit)));
		memcpy(wire, v->auth_a, sizeof(wire));
		assert_true(ec_auth_a_ok(&k, v->r_a, v->r_b, wire));
		assert_false(ec_auth_a_ok(&k, v->r_b, v->r_a, wire));
		for (int bit = 0; bit < 160; bit++) {
			wire[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_false(ec_auth_a_ok(&k, v->r_a, v->r_b, wire));
			wire[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
}

/* A session from the vectors' scalars: init gives keys and tokens from
 * each host's side, complete (ECDH off the fast path) gives the K context;
 * both hosts then agree on every join value. */
static void test_session(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		struct ec_keypair ka, kb;
		struct ec_point pa, pb;
		struct ec_session sa, sb;
		uint8_t mac[MPTCP_HMAC_LEN];

		assert_int_equal(ec_keypair_from_priv(ctx, v->curve, v->d_a, v->order_bytes, &ka), 0);
		assert_int_equal(ec_keypair_from_priv(ctx, v->curve, v->d_b, v->order_bytes, &kb), 0);
		ec_keypair_public(&ka, &pa);
		ec_keypair_public(&kb, &pb);
		/* the handshake path: the peer's x only */
		assert_int_equal(ec_session_init(&sa, &pa, pb.x), 0);
		assert_int_equal(ec_session_init(&sb, &pb, pa.x), 0);
		assert_false(sa.k_ready);
		assert_int_equal(sa.key_local, v->key_a);
		assert_int_equal(sa.key_remote, v->key_b);
		assert_int_equal(sb.key_local, v->key_b);
		assert_int_equal(sb.token_local, v->token_b);
		assert_int_equal(sa.token_remote, 0);

		/* the slow path: a point with another x is refused */
		{
			struct ec_point other = pb;

			other.x[0] ^= 1;
			assert_int_equal(ec_session_complete(&sa, ctx, &ka, &other), -EINVAL);
			assert_false(sa.k_ready);
		}
		assert_int_equal(ec_session_complete(&sa, ctx, &ka, &pb), 0);
		assert_int_equal(ec_session_complete(&sb, ctx, &kb, &pa), 0);
		assert_true(sa.k_ready && sb.k_ready);
		assert_int_equal(sa.token_remote, v->token_b);
		assert_int_equal(sb.token_remote, v->token_a);
		/* A's SYN checked by B, B's SYN/ACK by A, A's ACK by B */
		assert_int_equal(ec_hmac_token(&sa.k, sa.token_remote, v->addr_id, v->r_a),
				 v->hmac_token);
		assert_true(ec_hmac_token_ok(&sb.k, sb.token_local, v->addr_id, v->r_a,
					     v->hmac_token));
		assert_true(ec_auth_b_ok(&sa.k, v->r_b, v->r_a, ec_auth_b(&sb.k, v->r_b, v->r_a)));
		ec_auth_a(&sa.k, v->r_a, v->r_b, mac);
		assert_true(ec_auth_a_ok(&sb.k, v->r_a, v->r_b, mac));

		/* mismatched curve */
		pb.curve = (uint8_t)((v->curve + 1) % EC_CURVE_COUNT);
		assert_int_equal(ec_session_complete(&sa, ctx, &ka, &pb), -EINVAL);
		pa.curve = EC_CURVE_COUNT;
		assert_int_equal(ec_session_init(&sa, &pa, pb.x), -EINVAL);
		ec_session_wipe(&sb);
		assert_false(sb.k_ready);
	}
}

/* An eavesdropper of the handshake knows both public points, hence Key-A,
 * Key-B and the tokens, but not K: an HMAC keyed with what it can compute
 * (RFC 8684's Key-A || Key-B, or a hash of the public points) does not
 * pass (draft section 3.1). */
static void test_eavesdropper_cannot_join(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		struct mptcp_hmac_ctx real, guess;
		uint8_t kb[EC_K_LEN];
		struct ec_point a, b, s;

		ec_hmac_ctx_init(&real, v->k, EC_K_LEN);
		mptcp_hmac_ctx_init(&guess, v->key_a, v->key_b);
		assert_false(ec_hmac_token_ok(&real, v->token_b, v->addr_id, v->r_a,
					      ec_hmac_token(&guess, v->token_b, v->addr_id, v->r_a)));
		vec_points(v, &a, &b, &s);
		ec_k_of(&a, kb); /* SHA-256(X_A || Y_A): public */
		ec_hmac_ctx_init(&guess, kb, sizeof(kb));
		assert_false(ec_auth_b_ok(&real, v->r_b, v->r_a, ec_auth_b(&guess, v->r_b, v->r_a)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_tokens),
		cmocka_unit_test(test_figure2_values),
		cmocka_unit_test(test_hmac_ctx_equals_oneshot),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_eavesdropper_cannot_join),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
