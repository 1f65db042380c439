/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of the EC keying mode's crypto (src/secure), printed as tables:
 *  - per curve of draft Figure 4: key pair generation, ECDH (shared point,
 *    K and the keyed HMAC context: ec_session_complete), and importing a
 *    peer's point from x,y and from x + parity (handshake path);
 *  - a join's HMAC work on the responder: RFC 8684 (compute HMAC-B,
 *    check HMAC-A: 2 HMACs) against EC mode (check HMAC_Token, compute
 *    Auth_B, check Auth_A: 3 HMACs), each with one-shot HMAC and with the
 *    precomputed-pad contexts.
 *
 * Usage: bench_ecdh [-t MS]   (CPU ms per figure, default 200: ~9 s of CPU)
 * Not a test: run it by hand on a quiet machine; docs/security.md has
 * figures and the command that made them.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mptcp/crypto.h"
#include "secure/ec.h"
#include "secure/ec_auth.h"

static double target_s = 0.2;
static volatile uint64_t sink;

/* CPU time of this thread, not wall time: on a shared machine the time
 * the scheduler gives to others then does not count against us. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run the body in batches sized to end near target_s; ns per call. */
#define MEASURE(result_ns, ...)                                               \
	do {                                                                  \
		uint64_t n_ = 0, batch_ = 1;                                  \
		double t0_ = now(), t_;                                       \
		do {                                                          \
			for (uint64_t i_ = 0; i_ < batch_; i_++) {            \
				__VA_ARGS__;                                  \
			}                                                     \
			n_ += batch_;                                         \
			t_ = now() - t0_;                                     \
			/* the rest of the time at the rate so far */        \
			batch_ = (uint64_t)((target_s - t_) / (t_ / (double)n_)) + 1; \
			if (batch_ > (1u << 16))                              \
				batch_ = 1u << 16;                            \
		} while (t_ < target_s);                                      \
		(result_ns) = t_ * 1e9 / (double)n_;                          \
	} while (0)

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_ecdh: %s failed (%d)\n", what, rc);
	exit(1);
}

static void bench_curves(struct ec_ctx *ctx)
{
	printf("EC key exchange per curve (draft Figure 4), %.0f ms per figure\n\n", target_s * 1e3);
	printf("| curve     | field | keygen us | keygen/s | ECDH+K us | ECDH/s | import x,y us | import x+P us |\n");
	printf("|-----------|------:|----------:|---------:|----------:|-------:|--------------:|--------------:|\n");
	for (unsigned c = 0; c < EC_CURVE_COUNT; c++) {
		const struct ec_curve_info *ci = ec_curve_get(c);
		struct ec_keypair a, b, t;
		struct ec_point pb, imp;
		struct ec_session s;
		double kg, dh, im, imc;
		int rc;

		if ((rc = ec_keypair_generate(ctx, c, &a)) || (rc = ec_keypair_generate(ctx, c, &b)))
			die("keygen", rc);
		ec_keypair_public(&b, &pb);
		{
			struct ec_point pa;

			ec_keypair_public(&a, &pa);
			if ((rc = ec_session_init(&s, &pa, pb.x)))
				die("session", rc);
		}
		MEASURE(kg, {
			if ((rc = ec_keypair_generate(ctx, c, &t)))
				die("keygen", rc);
			sink += t.x[0];
		});
		MEASURE(dh, {
			if ((rc = ec_session_complete(&s, ctx, &a, &pb)))
				die("ecdh", rc);
			sink += s.k_ready;
		});
		MEASURE(im, {
			if ((rc = ec_point_import(ctx, c, pb.x, pb.y, &imp)))
				die("import", rc);
			sink += imp.y[0];
		});
		MEASURE(imc, {
			if ((rc = ec_point_import_compressed(ctx, c, pb.x, ec_point_y_odd(&pb), &imp)))
				die("import compressed", rc);
			sink += imp.y[0];
		});
		printf("| %-9s | %5u | %9.1f | %8.0f | %9.1f | %6.0f | %13.2f | %13.2f |\n", ci->name,
		       ci->field_bytes * 8, kg / 1e3, 1e9 / kg, dh / 1e3, 1e9 / dh, im / 1e3,
		       imc / 1e3);
		fflush(stdout);
		ec_session_wipe(&s);
	}
}

/* One-shot HMAC-SHA256 with a 32-byte key, as EC mode without contexts. */
static void hmac_k(const uint8_t k[EC_K_LEN], const uint8_t *msg, size_t len, uint8_t out[32])
{
	unsigned int n = 32;

	if (HMAC(EVP_sha256(), k, EC_K_LEN, msg, len, out, &n) == NULL)
		die("HMAC", -EIO);
}

#define ROUNDS 5
#define BEST(var) do { if (t < (var)) (var) = t; } while (0)

static void bench_joins(void)
{
	const uint64_t key_a = 0x0102030405060708ULL, key_b = 0x1112131415161718ULL;
	const uint32_t r_a = 0x21222324, r_b = 0x31323334, token_b = 0xa1b2c3d4;
	const uint8_t addr_id = 2;
	uint8_t k[EC_K_LEN], mac[MPTCP_HMAC_LEN], ack_a[MPTCP_HMAC_LEN], ack_ec[MPTCP_HMAC_LEN];
	struct mptcp_hmac_ctx cb, ca, ck;
	uint32_t hmac_token;
	double rfc_plain, rfc_ctx, ec_plain, ec_ctx, one_plain, one_ctx, t;
	double total = target_s;

	for (int i = 0; i < EC_K_LEN; i++)
		k[i] = (uint8_t)(0x40 + i);
	mptcp_hmac_ctx_init(&cb, key_b, key_a); /* what B sends */
	mptcp_hmac_ctx_init(&ca, key_a, key_b); /* what B checks */
	ec_hmac_ctx_init(&ck, k, sizeof(k));
	mptcp_join_hmac(key_a, key_b, r_a, r_b, ack_a);
	hmac_token = ec_hmac_token(&ck, token_b, addr_id, r_a);
	ec_auth_a(&ck, r_a, r_b, ack_ec);

	/* Each figure is the best of ROUNDS interleaved runs of a fifth of
	 * the time, so that load from other processes moves the ratios less. */
	one_plain = one_ctx = rfc_plain = rfc_ctx = ec_plain = ec_ctx = 1e30;
	target_s = total / ROUNDS;
	for (int round = 0; round < ROUNDS; round++) {
		/* One HMAC of an 8-byte message. */
		MEASURE(t, {
			mptcp_join_hmac(key_b, key_a, r_b, r_a, mac);
			sink += mac[0];
		});
		BEST(one_plain);
		MEASURE(t, {
			mptcp_join_hmac_ctx(&cb, r_b, r_a, mac);
			sink += mac[0];
		});
		BEST(one_ctx);

		/* RFC 8684 responder: HMAC-B for the SYN/ACK, HMAC-A checked. */
		MEASURE(t, {
			mptcp_join_hmac(key_b, key_a, r_b, r_a, mac);
			sink += mptcp_join_thmac(mac);
			mptcp_join_hmac(key_a, key_b, r_a, r_b, mac);
			sink += !CRYPTO_memcmp(mac, ack_a, MPTCP_JOIN_ACK_HMAC_LEN);
		});
		BEST(rfc_plain);
		MEASURE(t, {
			mptcp_join_hmac_ctx(&cb, r_b, r_a, mac);
			sink += mptcp_join_thmac(mac);
			mptcp_join_hmac_ctx(&ca, r_a, r_b, mac);
			sink += !CRYPTO_memcmp(mac, ack_a, MPTCP_JOIN_ACK_HMAC_LEN);
		});
		BEST(rfc_ctx);

		/* EC responder: HMAC_Token checked, Auth_B sent, Auth_A checked. */
		MEASURE(t, {
			uint8_t m9[9] = { 0xa1, 0xb2, 0xc3, 0xd4, addr_id, 0x21, 0x22, 0x23, 0x24 };
			uint8_t m8[8] = { 0x31, 0x32, 0x33, 0x34, 0x21, 0x22, 0x23, 0x24 };

			hmac_k(k, m9, sizeof(m9), mac);
			sink += mac[31] == (uint8_t)hmac_token;
			hmac_k(k, m8, sizeof(m8), mac);
			sink += mac[0];
			memcpy(m8, "\x21\x22\x23\x24\x31\x32\x33\x34", 8);
			hmac_k(k, m8, sizeof(m8), mac);
			sink += !CRYPTO_memcmp(mac, ack_ec, MPTCP_JOIN_ACK_HMAC_LEN);
		});
		BEST(ec_plain);
		MEASURE(t, {
			sink += ec_hmac_token_ok(&ck, token_b, addr_id, r_a, hmac_token);
			sink += ec_auth_b(&ck, r_b, r_a);
			sink += ec_auth_a_ok(&ck, r_a, r_b, ack_ec);
		});
		BEST(ec_ctx);
	}
	target_s = total;

	printf("\nJoin HMAC work on the responder, best of %d x %.0f ms per figure\n\n", ROUNDS,
	       total * 1e3 / ROUNDS);
	printf("| what                                   | HMACs | ns/join | joins/s  | vs rfc8684 one-shot | vs rfc8684 precomputed |\n");
	printf("|----------------------------------------|------:|--------:|---------:|--------------------:|-----------------------:|\n");
#define ROW(name, n, v) \
	printf("| %-38s | %5d | %7.0f | %8.0f | %19.2f | %22.2f |\n", name, n, v, 1e9 / (v), \
	       (v) / rfc_plain, (v) / rfc_ctx)
	ROW("one HMAC, one-shot (EVP HMAC)", 1, one_plain);
	ROW("one HMAC, precomputed pads", 1, one_ctx);
	ROW("rfc8684 join, one-shot", 2, rfc_plain);
	ROW("rfc8684 join, precomputed pads", 2, rfc_ctx);
	ROW("EC join, one-shot (K)", 3, ec_plain);
	ROW("EC join, precomputed pads (K)", 3, ec_ctx);
#undef ROW
}

int main(int argc, char **argv)
{
	struct ec_ctx *ctx;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			target_s = atof(argv[++i]) / 1e3;
		} else {
			fprintf(stderr, "usage: %s [-t MS_PER_FIGURE]\n", argv[0]);
			return 2;
		}
	}
	if (target_s <= 0)
		target_s = 0.2;
	ctx = ec_ctx_new();
	if (ctx == NULL)
		die("ec_ctx_new", -ENOMEM);
	bench_curves(ctx);
	bench_joins();
	ec_ctx_free(ctx);
	return sink == 42 ? 1 : 0;
}
