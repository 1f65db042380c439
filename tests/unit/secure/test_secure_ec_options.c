/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EC forms of the MPTCP option codec (src/mptcp/options.c) and their
 * placement in the opening handshake (src/secure/ec_mpc.c): draft
 * "SE-MPTCP" Figure 3 (MP_CAPABLE with E, EC type and one coordinate),
 * Figure 1 (SYN A.x, ACK B.x, SYN B.y, ACK A.y), section 4.2 (MP_JOIN SYN
 * with Token_B, HMAC_Token, R_A), mpdk's compressed variant, malformed
 * lengths, and the option space beside them (ec_optspace.c), whose tables
 * in docs/security.md this test regenerates and compares.
 *
 * Usage: test_secure_ec_options [DOCS/security.md]   run the tests
 *        test_secure_ec_options --tables              print the tables
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mptcp/options.h"
#include "secure/ec.h"
#include "secure/ec_auth.h"
#include "secure/ec_mpc.h"
#include "secure/ec_optspace.h"
#include "tcp/options.h"

#include "ec_vectors.h"

#define N_VECS (sizeof(ec_vecs) / sizeof(ec_vecs[0]))
#define SYN MPTCP_TH_SYN
#define SYNACK (MPTCP_TH_SYN | MPTCP_TH_ACK)
#define ACK MPTCP_TH_ACK
#define EH (MPTCP_CAP_E_EC | MPTCP_CAP_H_HMAC_SHA256)

static struct ec_ctx *ctx;
static const char *docs_path;

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

static void vec_keypair(const struct ec_vec *v, bool b, struct ec_keypair *kp)
{
	assert_int_equal(ec_keypair_from_priv(ctx, v->curve, b ? v->d_b : v->d_a, v->order_bytes, kp), 0);
}

/* Write @o, check the length, parse it back with @tcp_flags into @back. */
static size_t write_parse(const struct mptcp_opt *o, uint8_t tcp_flags, uint8_t *buf,
			  struct mptcp_opt *back)
{
	size_t n = mptcp_opt_len(o);

	assert_true(n > 0 && n <= 40);
	assert_int_equal(mptcp_opt_write(buf, n - 1, o), 0);
	assert_int_equal(mptcp_opt_write(buf, n, o), n);
	assert_int_equal(buf[1], n);
	assert_int_equal(mptcp_opt_parse(buf, n, tcp_flags, back), 0);
	assert_int_equal(back->subtype, o->subtype);
	return n;
}

/* ---- Figure 3: the EC MP_CAPABLE on the wire ---- */

/* The SYN bytes vectors.py built from the format (kind 30, length 5 +
 * field, subtype 0 | version 1, flags E|H, EC type, A's x) parse to the
 * EC SYN form and are what ec_mpc_build writes, both variants. */
static void test_syn_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		const uint8_t *wire[2] = { v->syn_draft, v->syn_compressed };
		struct ec_keypair a;

		vec_keypair(v, false, &a);
		assert_int_equal(v->syn_len, 5 + v->field_bytes);
		for (unsigned var = 0; var < EC_VARIANT_COUNT; var++) {
			struct mptcp_opt o, built;
			uint8_t buf[40];

			assert_int_equal(mptcp_opt_parse(wire[var], v->syn_len, SYN, &o), 0);
			assert_int_equal(o.mpc.form, MPTCP_CAP_EC_SYN);
			assert_int_equal(o.mpc.version, 1);
			assert_int_equal(o.mpc.flags, EH);
			assert_int_equal(o.mpc.ec_type & MPTCP_EC_TYPE_CURVE, v->curve);
			assert_int_equal(ec_variant_of(&o.mpc), var);
			assert_memory_equal(o.mpc.ec_coord, v->ax, v->field_bytes);
			assert_int_equal(ec_mpc_build(var, EC_MPC_SYN, &a, EH, &built), 0);
			assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &built), v->syn_len);
			assert_memory_equal(buf, wire[var], v->syn_len);
		}
	}
}

/* Every form, curve and variant round-trips through writer and parser. */
static void test_forms_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		struct ec_keypair kp;

		vec_keypair(v, true, &kp);
		for (unsigned var = 0; var < EC_VARIANT_COUNT; var++) {
			for (unsigned step = 0; step < EC_MPC_STEP_COUNT; step++) {
				struct mptcp_opt o, back;
				uint8_t buf[40];
				size_t n;

				if (!ec_mpc_step_used(var, step)) {
					assert_int_equal(ec_mpc_build(var, step, &kp, EH, &o), -EINVAL);
					continue;
				}
				assert_int_equal(ec_mpc_build(var, step, &kp, EH, &o), 0);
				n = write_parse(&o, ec_mpc_step_tcp_flags(step), buf, &back);
				assert_int_equal(back.mpc.form, o.mpc.form);
				assert_int_equal(back.mpc.flags, EH);
				assert_int_equal(back.mpc.ec_type, o.mpc.ec_type);
				assert_memory_equal(back.mpc.ec_coord, o.mpc.ec_coord, MPTCP_EC_COORD_MAX);
				if (o.mpc.form == MPTCP_CAP_EC_ACK_CONFIRM)
					assert_int_equal(n, 4);
				else
					assert_int_equal(n, 5 + v->field_bytes);
			}
		}
	}
}

/*
 * Figure 3 lengths: with E, a segment accepts exactly the EC length of its
 * curve (5 + field) and the RFC 8684 length(s) of that segment (which stay
 * RFC 8684 options offering E); for the compressed variant's ACK also 4.
 * Every other length 3..40 is malformed.
 */
static void sweep(uint8_t flags, uint8_t type, uint8_t tcp_flags, const unsigned *ok, size_t n_ok,
		  int other_rc)
{
	for (unsigned len = 3; len <= 40; len++) {
		uint8_t p[40];
		struct mptcp_opt o;
		int want = other_rc, rc;

		memset(p, 0x5a, sizeof(p));
		p[0] = MPTCP_OPT_KIND;
		p[1] = (uint8_t)len;
		p[2] = 0x01;
		p[3] = flags;
		p[4] = type;
		for (size_t i = 0; i < n_ok; i++)
			if (ok[i] == len)
				want = 0;
		rc = mptcp_opt_parse(p, len, tcp_flags, &o);
		if (rc != want)
			fail_msg("flags 0x%02x type 0x%02x tcp 0x%02x len %u: rc %d want %d", flags, type,
				 tcp_flags, len, rc, want);
	}
}

static void test_lengths(void **state)
{
	(void)state;
	for (unsigned c = 0; c < EC_CURVE_COUNT; c++) {
		unsigned ec = 5 + (unsigned)mptcp_ec_coord_len(c);
		const unsigned syn[] = { 4, ec }, synack[] = { 12, ec };
		const unsigned ack[] = { 4, 20, 22, 24, ec }, ack_c[] = { 4, 20, 22, 24 };

		sweep(EH, (uint8_t)c, SYN, syn, 2, -EBADMSG);
		sweep(EH, (uint8_t)c | MPTCP_EC_TYPE_COMPRESSED, SYN, syn, 2, -EBADMSG);
		sweep(EH, (uint8_t)c | 0xc0, SYNACK, synack, 2, -EBADMSG);
		sweep(EH, (uint8_t)c, ACK, ack, 5, -EBADMSG);
		sweep(EH, (uint8_t)c, 0, ack, 5, -EBADMSG);
		/* no compressed point after the SYNs; Y_ODD needs COMPRESSED */
		sweep(EH, (uint8_t)c | MPTCP_EC_TYPE_COMPRESSED, ACK, ack_c, 4, -EBADMSG);
		sweep(EH, (uint8_t)c | MPTCP_EC_TYPE_Y_ODD, SYN, (const unsigned[]){ 4 }, 1, -EBADMSG);
	}
	/* without E the EC lengths are malformed, as in RFC 8684 */
	sweep(MPTCP_CAP_H_HMAC_SHA256, 0, SYN, (const unsigned[]){ 4 }, 1, -EBADMSG);
	sweep(MPTCP_CAP_H_HMAC_SHA256, 8, SYNACK, (const unsigned[]){ 12 }, 1, -EBADMSG);
}

/* Figure 4 "Reserved" types, B, version 0: well formed, not ours. E alone
 * (no H: "ec-required") is accepted in the EC forms. */
static void test_not_ours(void **state)
{
	uint8_t p[40] = { 30, 25, 0x01, EH, 9 };
	struct mptcp_opt o;

	(void)state;
	for (unsigned t = MPTCP_EC_N_CURVES; t <= MPTCP_EC_TYPE_CURVE; t++) {
		p[4] = (uint8_t)t;
		assert_int_equal(mptcp_opt_parse(p, 25, SYN, &o), -ENOTSUP);
		assert_int_equal(o.mpc.ec_type, t);
	}
	p[4] = 0;
	p[3] = EH | MPTCP_CAP_B_EXTENSIBILITY;
	assert_int_equal(mptcp_opt_parse(p, 25, SYN, &o), -ENOTSUP);
	p[3] = EH;
	p[2] = 0x00;
	assert_int_equal(mptcp_opt_parse(p, 25, SYN, &o), -ENOTSUP);
	p[2] = 0x01;
	p[3] = MPTCP_CAP_E_EC;
	assert_int_equal(mptcp_opt_parse(p, 25, SYN, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_EC_SYN);
	/* an RFC 8684 SYN that offers E as well stays an RFC 8684 SYN (a
	 * Linux peer's view of "ec-preferred" is the same) */
	assert_int_equal(mptcp_opt_parse((const uint8_t[]){ 30, 4, 0x01, EH }, 4, SYN, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_SYN);
	/* and the fallback answer of draft 4.1, H with Key-B, too */
	assert_int_equal(mptcp_opt_parse((const uint8_t[]){ 30, 12, 0x01, 0x01, 1, 2, 3, 4, 5, 6, 7, 8 },
					 12, SYNACK, &o), 0);
	assert_int_equal(o.mpc.form, MPTCP_CAP_SYNACK);
}

/* What the writer refuses: an EC form without E, a reserved curve, Y_ODD
 * without COMPRESSED, a compressed point in the draft's ACKs. */
static void test_writer_refuses(void **state)
{
	struct mptcp_opt bad[] = {
		{ .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_EC_SYN, .version = 1, .flags = 0x01 } },
		{ .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_EC_ACK_CONFIRM, .version = 1, .flags = 0x01 } },
		{ .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_EC_SYN, .version = 1, .flags = EH, .ec_type = 9 } },
		{ .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_EC_SYNACK, .version = 1, .flags = EH, .ec_type = MPTCP_EC_TYPE_Y_ODD } },
		{ .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = MPTCP_CAP_EC_ACK, .version = 1, .flags = EH, .ec_type = MPTCP_EC_TYPE_COMPRESSED } },
		{ .subtype = MPTCP_SUB_CAPABLE, .mpc = { .form = (enum mptcp_cap_form)12, .version = 1, .flags = EH } },
	};
	struct ec_keypair kp = { .curve = EC_CURVE_COUNT };
	struct mptcp_opt o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t buf[64];

		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(mptcp_opt_len(&bad[i]), 0);
		assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &bad[i]), 0);
		assert_int_equal(buf[0], 0xa5);
	}
	assert_int_equal(ec_mpc_build(EC_VARIANT_DRAFT, EC_MPC_SYN, &kp, EH, &o), -EINVAL);
	kp.curve = 0;
	assert_int_equal(ec_mpc_build(EC_VARIANT_DRAFT, EC_MPC_SYN, &kp, 0x01, &o), -EINVAL);
	assert_int_equal(ec_mpc_build(EC_VARIANT_COUNT, EC_MPC_SYN, &kp, EH, &o), -EINVAL);
	assert_int_equal(ec_mpc_build(EC_VARIANT_DRAFT, EC_MPC_STEP_COUNT, &kp, EH, &o), -EINVAL);
}

/* ---- Section 4.2: the EC MP_JOIN ---- */

/* SYN: flag MPTCP_JOIN_EC, Address ID, Token_B, HMAC_Token, R_A (length
 * 16, vectors.py's bytes); SYN/ACK (Auth_B, R_B) and ACK (Auth_A) reuse
 * RFC 8684's forms and carry the vectors' values. */
static void test_join(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];
		struct mptcp_opt o, back;
		uint8_t buf[40];

		assert_int_equal(mptcp_opt_parse(v->join_syn, 16, SYN, &o), 0);
		assert_int_equal(o.subtype, MPTCP_SUB_JOIN);
		assert_int_equal(o.mpj.form, MPTCP_JOIN_SYN_EC);
		assert_int_equal(o.mpj.addr_id, v->addr_id);
		assert_int_equal(o.mpj.token, v->token_b);
		assert_int_equal(o.mpj.hmac_token, v->hmac_token);
		assert_int_equal(o.mpj.nonce, v->r_a);
		assert_false(o.mpj.backup);
		assert_int_equal(mptcp_opt_write(buf, sizeof(buf), &o), 16);
		assert_memory_equal(buf, v->join_syn, 16);

		memset(&o, 0, sizeof(o));
		o.subtype = MPTCP_SUB_JOIN;
		o.mpj.form = MPTCP_JOIN_SYNACK;
		o.mpj.addr_id = v->addr_id;
		o.mpj.thmac = v->auth_b;
		o.mpj.nonce = v->r_b;
		assert_int_equal(write_parse(&o, SYNACK, buf, &back), 16);
		assert_int_equal(back.mpj.thmac, v->auth_b);
		o.mpj.form = MPTCP_JOIN_ACK;
		memcpy(o.mpj.hmac, v->auth_a, MPTCP_JOIN_ACK_HMAC_LEN);
		assert_int_equal(write_parse(&o, ACK, buf, &back), 24);
		assert_memory_equal(back.mpj.hmac, v->auth_a, MPTCP_JOIN_ACK_HMAC_LEN);
	}
	{
		uint8_t p[16];
		struct mptcp_opt o;

		memcpy(p, ec_vecs[0].join_syn, sizeof(p));
		/* the backup bit rides along */
		p[2] |= 0x01;
		assert_int_equal(mptcp_opt_parse(p, 16, SYN, &o), 0);
		assert_true(o.mpj.backup);
		/* without the EC bit, 16 bytes on a SYN is malformed (3.2) */
		p[2] &= (uint8_t)~MPTCP_JOIN_EC;
		assert_int_equal(mptcp_opt_parse(p, 16, SYN, &o), -EBADMSG);
		/* with it, 12 bytes is RFC 8684's SYN (a reserved bit, ignored) */
		p[1] = 12;
		p[2] |= MPTCP_JOIN_EC;
		assert_int_equal(mptcp_opt_parse(p, 12, SYN, &o), 0);
		assert_int_equal(o.mpj.form, MPTCP_JOIN_SYN);
		/* and on a SYN/ACK the bit means nothing either */
		p[1] = 16;
		assert_int_equal(mptcp_opt_parse(p, 16, SYNACK, &o), 0);
		assert_int_equal(o.mpj.form, MPTCP_JOIN_SYNACK);
		/* other lengths with the bit */
		for (unsigned len = 3; len <= 40; len++) {
			uint8_t q[40] = { 30, (uint8_t)len, 0x10 | MPTCP_JOIN_EC, 1 };
			int rc = mptcp_opt_parse(q, len, SYN, &o);

			assert_int_equal(rc, (len == 12 || len == 16) ? 0 : -EBADMSG);
		}
	}
}

/* ---- Figure 1: the handshake, byte for byte through the codec ---- */

/* One host's side: its key pair, what it collected, its session. */
struct host {
	struct ec_keypair kp;
	struct ec_peer peer;
	struct ec_point pub, remote;
	struct ec_session s;
};

/* @from sends the option of @step, @to parses and absorbs it. */
static void send_step(unsigned var, unsigned step, struct host *from, struct host *to)
{
	struct mptcp_opt o, back;
	uint8_t buf[40];
	size_t n;

	assert_int_equal(ec_mpc_build(var, step, &from->kp, step == EC_MPC_SYN ? EH : MPTCP_CAP_E_EC, &o), 0);
	n = mptcp_opt_write(buf, sizeof(buf), &o);
	assert_true(n > 0);
	assert_int_equal(mptcp_opt_parse(buf, n, ec_mpc_step_tcp_flags(step), &back), 0);
	if (step == EC_MPC_SYN)
		assert_int_equal(ec_variant_of(&back.mpc), var);
	assert_int_equal(ec_peer_absorb(&to->peer, var, step, &back.mpc), 0);
	/* a retransmission is harmless */
	assert_int_equal(ec_peer_absorb(&to->peer, var, step, &back.mpc), 0);
}

static void test_handshake(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct ec_vec *v = &ec_vecs[i];

		for (unsigned var = 0; var < EC_VARIANT_COUNT; var++) {
			struct host a, b;
			struct ec_point tmp;
			uint8_t mac[MPTCP_HMAC_LEN];

			vec_keypair(v, false, &a.kp);
			vec_keypair(v, true, &b.kp);
			ec_keypair_public(&a.kp, &a.pub);
			ec_keypair_public(&b.kp, &b.pub);
			ec_peer_reset(&a.peer, v->curve);
			ec_peer_reset(&b.peer, EC_CURVE_ANY);

			send_step(var, EC_MPC_SYN, &a, &b);
			assert_int_equal(b.peer.curve, v->curve);
			if (var == EC_VARIANT_DRAFT) {
				/* B has A's x only: not yet a point */
				assert_false(ec_peer_complete(&b.peer));
				assert_int_equal(ec_peer_point(ctx, &b.peer, &tmp), -EAGAIN);
				send_step(var, EC_MPC_ACK_B, &b, &a);
				assert_false(ec_peer_complete(&a.peer));
			} else {
				assert_true(ec_peer_complete(&b.peer));
			}
			send_step(var, EC_MPC_SYNACK, &b, &a);
			assert_true(ec_peer_complete(&a.peer));
			send_step(var, EC_MPC_ACK_A, &a, &b);
			assert_true(ec_peer_complete(&b.peer));

			/* handshake path: keys from x alone */
			assert_int_equal(ec_session_init(&a.s, &a.pub, a.peer.x), 0);
			assert_int_equal(ec_session_init(&b.s, &b.pub, b.peer.x), 0);
			assert_int_equal(a.s.key_local, v->key_a);
			assert_int_equal(a.s.key_remote, v->key_b);
			assert_int_equal(b.s.key_remote, v->key_a);

			/* slow path: the point (validated, decompressed), ECDH */
			assert_int_equal(ec_peer_point(ctx, &a.peer, &a.remote), 0);
			assert_int_equal(ec_peer_point(ctx, &b.peer, &b.remote), 0);
			assert_true(ec_point_equal(&a.remote, &b.pub));
			assert_true(ec_point_equal(&b.remote, &a.pub));
			assert_int_equal(ec_session_complete(&a.s, ctx, &a.kp, &a.remote), 0);
			assert_int_equal(ec_session_complete(&b.s, ctx, &b.kp, &b.remote), 0);
			assert_int_equal(a.s.token_remote, v->token_b);
			assert_int_equal(ec_hmac_token(&a.s.k, a.s.token_remote, v->addr_id, v->r_a),
					 v->hmac_token);
			ec_auth_a(&b.s.k, v->r_a, v->r_b, mac);
			assert_memory_equal(mac, v->auth_a, MPTCP_HMAC_LEN);
		}
	}
}

/* What ec_peer_absorb refuses: another step's form, the other variant, a
 * curve other than the expected one, a repeat with other bytes. An
 * invalid point assembled from valid-looking options is refused when it
 * is made into a point. */
static void test_absorb_rejects(void **state)
{
	const struct ec_vec *v = &ec_vecs[EC_SECP256R1];
	struct ec_keypair a, b;
	struct mptcp_opt o;
	struct ec_peer pp;
	struct ec_point pt;

	(void)state;
	vec_keypair(v, false, &a);
	vec_keypair(v, true, &b);

	ec_peer_reset(&pp, EC_CURVE_ANY);
	assert_int_equal(ec_mpc_build(EC_VARIANT_DRAFT, EC_MPC_SYN, &a, EH, &o), 0);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_DRAFT, EC_MPC_SYNACK, &o.mpc), -EBADMSG);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_COMPRESSED, EC_MPC_SYN, &o.mpc), -EBADMSG);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_COMPRESSED, EC_MPC_ACK_B, &o.mpc), -EBADMSG);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_DRAFT, EC_MPC_SYN, &o.mpc), 0);
	/* a different x in a "retransmission" */
	o.mpc.ec_coord[3] ^= 1;
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_DRAFT, EC_MPC_SYN, &o.mpc), -EBADMSG);
	/* A's y on the fourth segment, but one that is not A's */
	assert_int_equal(ec_mpc_build(EC_VARIANT_DRAFT, EC_MPC_ACK_A, &b, MPTCP_CAP_E_EC, &o), 0);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_DRAFT, EC_MPC_ACK_A, &o.mpc), 0);
	assert_true(ec_peer_complete(&pp));
	assert_int_equal(ec_peer_point(ctx, &pp, &pt), -EINVAL);

	/* A expects its own curve back */
	ec_peer_reset(&pp, EC_SECP256K1);
	assert_int_equal(ec_mpc_build(EC_VARIANT_COMPRESSED, EC_MPC_SYNACK, &b, MPTCP_CAP_E_EC, &o), 0);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_COMPRESSED, EC_MPC_SYNACK, &o.mpc), -EBADMSG);
	ec_peer_reset(&pp, EC_SECP256R1);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_COMPRESSED, EC_MPC_SYNACK, &o.mpc), 0);
	/* the same x with the other parity is a different point */
	o.mpc.ec_type ^= MPTCP_EC_TYPE_Y_ODD;
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_COMPRESSED, EC_MPC_SYNACK, &o.mpc), -EBADMSG);
	/* the confirmation belongs to the compressed variant only */
	assert_int_equal(ec_mpc_build(EC_VARIANT_COMPRESSED, EC_MPC_ACK_A, &a, MPTCP_CAP_E_EC, &o), 0);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_DRAFT, EC_MPC_ACK_A, &o.mpc), -EBADMSG);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_COMPRESSED, EC_MPC_ACK_A, &o.mpc), 0);
	/* an x with no point on the curve */
	ec_peer_reset(&pp, EC_CURVE_ANY);
	assert_int_equal(ec_mpc_build(EC_VARIANT_COMPRESSED, EC_MPC_SYN, &a, EH, &o), 0);
	memcpy(o.mpc.ec_coord, v->bad_x, v->field_bytes);
	assert_int_equal(ec_peer_absorb(&pp, EC_VARIANT_COMPRESSED, EC_MPC_SYN, &o.mpc), 0);
	assert_int_equal(ec_peer_point(ctx, &pp, &pt), -EINVAL);
}

/* ---- Option space (issue 5 item 2) ---- */

/* An independent count of the same layout rules (tcp/options.h: MSS 4,
 * SACK_PERM+TS or NOP NOP TS 12, NOP NOP SACK_PERM 4, NOP WS 4, the MPTCP
 * option padded to 4): which of the priority groups fit. */
static uint32_t expected_keep(unsigned ec_len)
{
	unsigned room = 40 - ((ec_len + 3) & ~3u);
	uint32_t keep = 0;
	unsigned ts_sack = 0, ws = 0, mss = 0;

	if (room >= 4) {
		keep |= TCP_OPT_F_MSS;
		mss = 4;
	}
	if (room >= mss + 12) {
		keep |= TCP_OPT_F_SACK_PERM | TCP_OPT_F_TS;
		ts_sack = 12;
	} else if (room >= mss + 4) {
		keep |= TCP_OPT_F_SACK_PERM;
		ts_sack = 4;
	}
	if (room >= mss + ts_sack + 4) {
		keep |= TCP_OPT_F_WSCALE;
		ws = 4;
	}
	/* timestamps alone cost 12 even without SACK-perm: never here */
	if (!(keep & TCP_OPT_F_TS) && room >= mss + ws + 12)
		keep |= TCP_OPT_F_TS;
	return keep;
}

static void test_syn_plan(void **state)
{
	(void)state;
	for (unsigned c = 0; c < EC_CURVE_COUNT; c++) {
		for (unsigned var = 0; var < EC_VARIANT_COUNT; var++) {
			struct ec_opt_plan p;
			unsigned bits = (unsigned)mptcp_ec_coord_len(c) * 8;

			assert_int_equal(ec_syn_option_plan(c, var, &p), 0);
			assert_int_equal(p.ec_len, 5 + bits / 8);
			assert_int_equal(p.keep | p.dropped, EC_SYN_WANT);
			assert_int_equal(p.keep & p.dropped, 0);
			assert_int_equal(p.keep, expected_keep(p.ec_len));
			assert_true(p.opts_len <= 40 && p.opts_len % 4 == 0);
			/* the figures docs/security.md states */
			switch (bits) {
			case 160:
				assert_int_equal(p.keep, TCP_OPT_F_MSS | TCP_OPT_F_SACK_PERM | TCP_OPT_F_WSCALE);
				break;
			case 192:
				assert_int_equal(p.keep, TCP_OPT_F_MSS | TCP_OPT_F_SACK_PERM);
				break;
			case 224:
				assert_int_equal(p.keep, TCP_OPT_F_MSS);
				break;
			default:
				assert_int_equal(p.keep, 0); /* not even MSS */
			}
			/* what the plan keeps, the writer writes in full */
			{
				struct tcp_opts o = { .flags = p.keep | TCP_OPT_F_MPTCP, .mss = 1460,
						      .wscale = 7, .n_mptcp = 1 };
				struct tcp_opts parsed;
				uint8_t ec[40] = { 0 }, out[40];
				size_t n;

				ec[0] = MPTCP_OPT_KIND;
				ec[1] = p.ec_len;
				o.mptcp[0].p = ec;
				o.mptcp[0].len = p.ec_len;
				n = tcp_opts_write(out, sizeof(out), &o);
				assert_int_equal(n, p.opts_len);
				assert_int_equal(tcp_opts_parse(out, n, true, &parsed), 0);
				assert_int_equal(parsed.flags, o.flags);
			}
		}
	}
	{
		struct ec_opt_plan p;

		assert_int_equal(ec_syn_option_plan(EC_CURVE_COUNT, 0, &p), -EINVAL);
		assert_int_equal(ec_syn_option_plan(0, EC_VARIANT_COUNT, &p), -EINVAL);
		/* the compressed ACK: 4 bytes, timestamps fit */
		assert_int_equal(ec_option_plan(EC_SECP256R1, EC_VARIANT_COMPRESSED, EC_MPC_ACK_A,
						TCP_OPT_F_TS, &p), 0);
		assert_int_equal(p.keep, TCP_OPT_F_TS);
		assert_int_equal(p.opts_len, 16);
		/* the draft's ACK with A's y on secp256r1: they do not */
		assert_int_equal(ec_option_plan(EC_SECP256R1, EC_VARIANT_DRAFT, EC_MPC_ACK_A,
						TCP_OPT_F_TS, &p), 0);
		assert_int_equal(p.dropped, TCP_OPT_F_TS);
	}
}

/* The EC MP_JOIN SYN (16 bytes) leaves room for all four SYN options. */
static void test_join_syn_fits(void **state)
{
	struct mptcp_opt j = { .subtype = MPTCP_SUB_JOIN, .mpj = { .form = MPTCP_JOIN_SYN_EC } };
	uint8_t opt[16];
	struct tcp_opts o = { .flags = EC_SYN_WANT | TCP_OPT_F_MPTCP, .mss = 1460, .wscale = 7,
			      .n_mptcp = 1 };

	(void)state;
	assert_int_equal(mptcp_opt_write(opt, sizeof(opt), &j), 16);
	o.mptcp[0].p = opt;
	o.mptcp[0].len = 16;
	assert_int_equal(tcp_opts_len(&o, 40), 36);
}

/* ---- The tables of docs/security.md ---- */

static const char *keep_names(uint32_t f, char *buf, size_t n)
{
	static const struct {
		uint32_t f;
		const char *name;
	} names[] = {
		{ TCP_OPT_F_MSS, "MSS" },
		{ TCP_OPT_F_SACK_PERM, "SACK-perm" },
		{ TCP_OPT_F_TS, "TS" },
		{ TCP_OPT_F_WSCALE, "WS" },
	};
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & names[i].f)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
						 names[i].name);
	if (!used)
		snprintf(buf, n, "none");
	return buf;
}

/* The tables, in markdown, from the real writers. */
static void print_tables(FILE *f)
{
	fprintf(f, "Table 1. A SYN (or SYN/ACK) carrying the EC MP_CAPABLE: what fits beside it in\n"
		   "40 bytes (`ec_syn_option_plan()`, layout of `tcp_opts_write()`).\n\n");
	fprintf(f, "| curve | variant | EC option, bytes (padded) | kept | given way | options, bytes |\n");
	fprintf(f, "|---|---|---|---|---|---|\n");
	for (unsigned c = 0; c < EC_CURVE_COUNT; c++) {
		for (unsigned var = 0; var < EC_VARIANT_COUNT; var++) {
			struct ec_opt_plan p;
			char k[64], d[64];

			if (ec_syn_option_plan(c, var, &p))
				abort();
			fprintf(f, "| %s | %s | %u (%u) | %s | %s | %u |\n", ec_curve_get(c)->name,
				ec_variant_name(var), p.ec_len, (p.ec_len + 3u) & ~3u,
				keep_names(p.keep, k, sizeof(k)), keep_names(p.dropped, d, sizeof(d)),
				p.opts_len);
		}
	}

	fprintf(f, "\nTable 2. The opening handshake per variant: MP_CAPABLE bytes per segment\n"
		   "(`ec_mpc_build()` + `mptcp_opt_len()`), their sum (the draft's Figure 5\n"
		   "\"Key exchange (bytes)\") and the one-way delays before A may send data.\n\n");
	fprintf(f, "| curve | variant | segments | SYN | ACK | SYN/ACK | ACK | key exchange, bytes | RTT/2 |\n");
	fprintf(f, "|---|---|---|---|---|---|---|---|---|\n");
	fprintf(f, "| (any) | rfc8684 | 3 | 4 | - | 12 | 20 | 36 | 3 |\n");
	for (unsigned c = 0; c < EC_CURVE_COUNT; c++) {
		for (unsigned var = 0; var < EC_VARIANT_COUNT; var++) {
			struct ec_keypair kp = { .curve = (uint8_t)c };
			unsigned total = 0, segs = 0;
			char cell[EC_MPC_STEP_COUNT][8];

			for (unsigned s = 0; s < EC_MPC_STEP_COUNT; s++) {
				struct mptcp_opt o;

				if (ec_mpc_build(var, s, &kp, EH, &o)) {
					snprintf(cell[s], sizeof(cell[s]), "-");
					continue;
				}
				segs++;
				total += (unsigned)mptcp_opt_len(&o);
				snprintf(cell[s], sizeof(cell[s]), "%u", (unsigned)mptcp_opt_len(&o));
			}
			/* RTT/2: B's ACK and SYN travel together (draft 5) */
			fprintf(f, "| %s | %s | %u | %s | %s | %s | %s | %u | 3 |\n", ec_curve_get(c)->name,
				ec_variant_name(var), segs, cell[0], cell[1], cell[2], cell[3], total);
		}
	}

	fprintf(f, "\nTable 3. MP_JOIN (`mptcp_opt_len()`): bytes to identify the session (SYN)\n"
		   "and to authenticate (SYN/ACK + ACK), as the draft's Figure 5 counts them.\n\n");
	fprintf(f, "| mode | SYN | SYN/ACK | ACK | identify | authenticate | SYN options beside it |\n");
	fprintf(f, "|---|---|---|---|---|---|---|\n");
	for (int ec = 0; ec <= 1; ec++) {
		struct mptcp_opt j = { .subtype = MPTCP_SUB_JOIN };
		unsigned syn, synack, ack;
		uint8_t opt[40];
		struct tcp_opts o = { .flags = EC_SYN_WANT | TCP_OPT_F_MPTCP, .n_mptcp = 1 };
		struct tcp_opts t;
		char k[64];

		j.mpj.form = ec ? MPTCP_JOIN_SYN_EC : MPTCP_JOIN_SYN;
		syn = (unsigned)mptcp_opt_write(opt, sizeof(opt), &j);
		o.mptcp[0].p = opt;
		o.mptcp[0].len = (uint8_t)syn;
		t = o;
		tcp_opts_fit(&t, 40);
		j.mpj.form = MPTCP_JOIN_SYNACK;
		synack = (unsigned)mptcp_opt_len(&j);
		j.mpj.form = MPTCP_JOIN_ACK;
		ack = (unsigned)mptcp_opt_len(&j);
		fprintf(f, "| %s | %u | %u | %u | %u | %u | %s |\n", ec ? "EC (draft 4.2)" : "rfc8684",
			syn, synack, ack, syn, synack + ack,
			keep_names(t.flags & EC_SYN_WANT, k, sizeof(k)));
	}
}

#define TABLES_BEGIN "<!-- BEGIN ec-option-tables"
#define TABLES_END "<!-- END ec-option-tables -->"

/* docs/security.md holds print_tables()'s output between the markers. */
static void test_docs_tables_fresh(void **state)
{
	char *docs = NULL, *gen = NULL, *b, *e;
	size_t docs_len = 0, gen_len = 0;
	FILE *f;

	(void)state;
	if (docs_path == NULL)
		skip();
	f = fopen(docs_path, "r");
	assert_non_null(f);
	{
		char chunk[4096];
		size_t n;
		FILE *m = open_memstream(&docs, &docs_len);

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, m);
		fclose(m);
	}
	fclose(f);
	f = open_memstream(&gen, &gen_len);
	print_tables(f);
	fclose(f);

	b = strstr(docs, TABLES_BEGIN);
	assert_non_null(b);
	b = strchr(b, '\n');
	assert_non_null(b);
	b++;
	e = strstr(b, TABLES_END);
	assert_non_null(e);
	if ((size_t)(e - b) != gen_len || memcmp(b, gen, gen_len)) {
		fprintf(stderr, "%s: the option tables are stale; regenerate with\n"
				"  test_secure_ec_options --tables\n",
			docs_path);
		fail();
	}
	free(docs);
	free(gen);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_vectors),
		cmocka_unit_test(test_forms_round_trip),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_writer_refuses),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_absorb_rejects),
		cmocka_unit_test(test_syn_plan),
		cmocka_unit_test(test_join_syn_fits),
		cmocka_unit_test(test_docs_tables_fresh),
	};

	if (argc > 1 && !strcmp(argv[1], "--tables")) {
		print_tables(stdout);
		return 0;
	}
	if (argc > 1)
		docs_path = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}
