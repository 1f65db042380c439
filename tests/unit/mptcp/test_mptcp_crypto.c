/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8684 crypto (src/mptcp/crypto.c) against vectors computed outside the
 * code under test: crypto_vectors.h comes from vectors.py (Python
 * hashlib/hmac; its token/IDSN values also agree with tshark's MPTCP
 * dissector, `vectors.py --tshark`), and the HMAC values Linux publishes in
 * net/mptcp/crypto_test.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mptcp/crypto.h"
#include "mptcp/options.h"
#include "crypto_vectors.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; hex[0] && hex[1] && n < max; hex += 2) {
		char b[3] = { hex[0], hex[1], 0 };

		out[n++] = (uint8_t)strtoul(b, NULL, 16);
	}
	return n;
}

/* ---- section 3.1: keys ---- */

static void test_token_idsn(void **state)
{
	(void)state;
	/* 3.1: token = top 32 bits, IDSN = low 64 bits of SHA-256(key). */
	for (size_t i = 0; i < N(vec_keys); i++) {
		uint32_t token = 0;
		uint64_t idsn = 0;

		mptcp_key_sha(vec_keys[i].key, &token, &idsn);
		assert_int_equal(token, vec_keys[i].token);
		assert_int_equal(idsn, vec_keys[i].idsn);
		assert_int_equal(mptcp_key_token(vec_keys[i].key), vec_keys[i].token);
		assert_int_equal(mptcp_key_idsn(vec_keys[i].key), vec_keys[i].idsn);
		mptcp_key_sha(vec_keys[i].key, NULL, NULL); /* both outputs optional */
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_key_generate(void **state)
{
	(void)state;
	/* 3.1: random 64-bit keys, each with the token of its hash. */
	enum { K = 2000 };
	static uint64_t keys[K];

	for (int i = 0; i < K; i++) {
		uint32_t token;

		assert_int_equal(mptcp_key_generate(&keys[i], &token), 0);
		assert_int_equal(token, mptcp_key_token(keys[i]));
	}
	assert_int_equal(mptcp_key_generate(&keys[0], NULL), 0);
	/* 2000 draws from 2^64: a repeat means the generator is broken. */
	qsort(keys, K, sizeof(keys[0]), cmp_u64);
	for (int i = 1; i < K; i++)
		assert_true(keys[i] != keys[i - 1]);
}

/* ---- section 3.2: MP_JOIN ---- */

static void test_join_hmac(void **state)
{
	(void)state;
	/* 3.2: B's SYN/ACK carries the left 64 bits of HMAC(KB||KA, RB||RA),
	 * A's third ACK the left 160 bits of HMAC(KA||KB, RA||RB). */
	for (size_t i = 0; i < N(vec_joins); i++) {
		const typeof(vec_joins[0]) *v = &vec_joins[i];
		struct mptcp_hmac_ctx ctx_b, ctx_a;
		uint8_t h[MPTCP_HMAC_LEN];

		/* responder B */
		mptcp_join_hmac(v->key_b, v->key_a, v->r_b, v->r_a, h);
		assert_memory_equal(h, v->synack_full, 32);
		assert_int_equal(mptcp_join_thmac(h), v->synack_thmac);
		mptcp_hmac_ctx_init(&ctx_b, v->key_b, v->key_a);
		memset(h, 0, sizeof(h));
		mptcp_join_hmac_ctx(&ctx_b, v->r_b, v->r_a, h);
		assert_memory_equal(h, v->synack_full, 32);

		/* initiator A */
		mptcp_join_hmac(v->key_a, v->key_b, v->r_a, v->r_b, h);
		assert_memory_equal(h, v->ack_full, 32);
		assert_memory_equal(h, v->ack_hmac, MPTCP_JOIN_ACK_HMAC_LEN);
		mptcp_hmac_ctx_init(&ctx_a, v->key_a, v->key_b);
		memset(h, 0, sizeof(h));
		mptcp_join_hmac_ctx(&ctx_a, v->r_a, v->r_b, h);
		assert_memory_equal(h, v->ack_full, 32);

		/* The key order matters: swapped keys give another HMAC. */
		mptcp_join_hmac(v->key_a, v->key_b, v->r_b, v->r_a, h);
		assert_memory_not_equal(h, v->synack_full, 32);
	}
}

static void test_join_hmac_through_codec(void **state)
{
	(void)state;
	/* 3.2: the HMACs as they travel: the SYN/ACK option's thmac and the
	 * third ACK's 20 bytes survive the codec and verify at the peer. */
	const typeof(vec_joins[0]) *v = &vec_joins[0];
	struct mptcp_opt o = { .subtype = MPTCP_SUB_JOIN }, back;
	uint8_t h[MPTCP_HMAC_LEN], buf[40];
	size_t n;

	mptcp_join_hmac(v->key_b, v->key_a, v->r_b, v->r_a, h);
	o.mpj.form = MPTCP_JOIN_SYNACK;
	o.mpj.thmac = mptcp_join_thmac(h);
	o.mpj.nonce = v->r_b;
	n = mptcp_opt_write(buf, sizeof(buf), &o);
	assert_int_equal(n, 16);
	assert_memory_equal(buf + 4, v->synack_full, 8); /* leftmost bytes, in order */
	assert_int_equal(mptcp_opt_parse(buf, n, MPTCP_TH_SYN | MPTCP_TH_ACK, &back), 0);
	assert_int_equal(back.mpj.thmac, v->synack_thmac);

	mptcp_join_hmac(v->key_a, v->key_b, v->r_a, v->r_b, h);
	memset(&o, 0, sizeof(o));
	o.subtype = MPTCP_SUB_JOIN;
	o.mpj.form = MPTCP_JOIN_ACK;
	memcpy(o.mpj.hmac, h, MPTCP_JOIN_ACK_HMAC_LEN);
	n = mptcp_opt_write(buf, sizeof(buf), &o);
	assert_int_equal(n, 24);
	assert_int_equal(mptcp_opt_parse(buf, n, MPTCP_TH_ACK, &back), 0);
	assert_memory_equal(back.mpj.hmac, v->ack_hmac, MPTCP_JOIN_ACK_HMAC_LEN);
}

static void test_linux_kunit_vectors(void **state)
{
	(void)state;
	/* 3.2, the values Linux checks its MP_JOIN HMAC with (KUnit): the
	 * 16-byte key and the 8-byte message are ASCII strings; key1/key2 and
	 * nonce1/nonce2 are their big-endian halves. */
	for (size_t i = 0; i < N(vec_linux); i++) {
		const uint8_t *k = (const uint8_t *)vec_linux[i].key;
		const uint8_t *m = (const uint8_t *)vec_linux[i].msg;
		uint32_t n1 = (uint32_t)m[0] << 24 | m[1] << 16 | m[2] << 8 | m[3];
		uint32_t n2 = (uint32_t)m[4] << 24 | m[5] << 16 | m[6] << 8 | m[7];
		uint8_t want[32], h[32];
		struct mptcp_hmac_ctx ctx;

		assert_int_equal(unhex(vec_linux[i].result, want, sizeof(want)), 32);
		mptcp_join_hmac(be64(k), be64(k + 8), n1, n2, h);
		assert_memory_equal(h, want, 32);
		mptcp_hmac_ctx_init(&ctx, be64(k), be64(k + 8));
		mptcp_join_hmac_ctx(&ctx, n1, n2, h);
		assert_memory_equal(h, want, 32);
	}
}

static void test_hmac_ctx_equals_plain(void **state)
{
	(void)state;
	/* 3.2 / RFC 2104: the precomputed-pad context gives exactly the plain
	 * HMAC (ours and OpenSSL's HMAC() called here directly) for messages
	 * of every length 0..200, including ones that cross SHA-256 blocks;
	 * one context serves many messages. */
	uint8_t msg[200];
	uint64_t k1 = 0x0123456789abcdefULL, k2 = 0xfedcba9876543210ULL;
	struct mptcp_hmac_ctx ctx;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 37 + 11);
	for (int round = 0; round < 4; round++) {
		uint8_t key[16];

		for (int i = 0; i < 8; i++) {
			key[i] = (uint8_t)(k1 >> (56 - 8 * i));
			key[8 + i] = (uint8_t)(k2 >> (56 - 8 * i));
		}
		mptcp_hmac_ctx_init(&ctx, k1, k2);
		for (size_t len = 0; len <= sizeof(msg); len++) {
			uint8_t a[32], b[32], c[32];
			unsigned int clen = sizeof(c);

			mptcp_hmac_ctx_compute(&ctx, msg, len, a);
			mptcp_hmac_sha256(k1, k2, msg, len, b);
			assert_non_null(HMAC(EVP_sha256(), key, sizeof(key), msg, len, c, &clen));
			assert_int_equal(clen, 32);
			assert_memory_equal(a, b, 32);
			assert_memory_equal(a, c, 32);
		}
		k1 = k1 * 6364136223846793005ULL + 1442695040888963407ULL;
		k2 ^= k1 >> 7;
	}
	/* A context is plain data: a copy computes the same. */
	{
		struct mptcp_hmac_ctx copy = ctx;
		uint8_t a[32], b[32];

		mptcp_hmac_ctx_compute(&ctx, msg, 8, a);
		mptcp_hmac_ctx_compute(&copy, msg, 8, b);
		assert_memory_equal(a, b, 32);
	}
}

/* ---- section 3.4.1: ADD_ADDR ---- */

static void fill_add_addr(struct mptcp_opt_add_addr *a, size_t i)
{
	memset(a, 0, sizeof(*a));
	a->addr_id = vec_add_addrs[i].addr_id;
	a->family = vec_add_addrs[i].family;
	memcpy(a->addr.v6, vec_add_addrs[i].addr, a->family == MPTCP_ADDR_IPV6 ? 16 : 4);
	a->has_port = vec_add_addrs[i].has_port;
	a->port = vec_add_addrs[i].port;
}

static void test_add_addr_hmac(void **state)
{
	(void)state;
	/* 3.4.1: rightmost 64 bits of HMAC(Ksnd||Krcv, id || addr || port),
	 * port 0 when absent: IPv4 with and without port, IPv6 likewise. */
	for (size_t i = 0; i < N(vec_add_addrs); i++) {
		struct mptcp_opt_add_addr a;
		struct mptcp_hmac_ctx ctx;

		fill_add_addr(&a, i);
		assert_int_equal(mptcp_add_addr_hmac(vec_add_addrs[i].snd_key, vec_add_addrs[i].rcv_key, &a),
				 vec_add_addrs[i].hmac);
		mptcp_hmac_ctx_init(&ctx, vec_add_addrs[i].snd_key, vec_add_addrs[i].rcv_key);
		assert_int_equal(mptcp_add_addr_hmac_ctx(&ctx, &a), vec_add_addrs[i].hmac);
		/* The receiver's check uses the sender's key first too. */
		assert_true(mptcp_add_addr_hmac(vec_add_addrs[i].rcv_key, vec_add_addrs[i].snd_key, &a) !=
			    vec_add_addrs[i].hmac);
	}
}

static void test_add_addr_port_zero_equals_absent(void **state)
{
	(void)state;
	/* 3.4.1: an absent port is hashed as 2 zero bytes. */
	struct mptcp_opt_add_addr a;
	uint64_t absent;

	fill_add_addr(&a, 0);
	assert_false(a.has_port);
	absent = mptcp_add_addr_hmac(1, 2, &a);
	a.has_port = true;
	a.port = 0;
	assert_int_equal(mptcp_add_addr_hmac(1, 2, &a), absent);
	a.has_port = false;
	a.port = 80; /* ignored without has_port */
	assert_int_equal(mptcp_add_addr_hmac(1, 2, &a), absent);
	a.family = 5;
	assert_int_equal(mptcp_add_addr_hmac(1, 2, &a), 0);
}

static void test_add_addr_hmac_through_codec(void **state)
{
	(void)state;
	/* 3.4.1: the option's last 8 bytes are the HMAC's last 8 bytes. */
	struct mptcp_opt o = { .subtype = MPTCP_SUB_ADD_ADDR }, back;
	uint8_t buf[40];
	size_t n;

	fill_add_addr(&o.add_addr, 1); /* IPv4 with port 8080 */
	o.add_addr.hmac = mptcp_add_addr_hmac(vec_add_addrs[1].snd_key, vec_add_addrs[1].rcv_key,
					      &o.add_addr);
	n = mptcp_opt_write(buf, sizeof(buf), &o);
	assert_int_equal(n, 18);
	assert_int_equal(be64(buf + 10), vec_add_addrs[1].hmac);
	assert_int_equal(mptcp_opt_parse(buf, n, MPTCP_TH_ACK, &back), 0);
	assert_int_equal(mptcp_add_addr_hmac(vec_add_addrs[1].snd_key, vec_add_addrs[1].rcv_key,
					     &back.add_addr),
			 back.add_addr.hmac);
}

/* ---- section 3.3.1: DSS checksum ---- */

static void test_dss_csum(void **state)
{
	(void)state;
	/* 3.3.1: checksum over pseudo-header (DSN 64, SSN 32, length 16,
	 * zero 16) and payload, known payloads of odd and even length. */
	static uint8_t payload[1024];

	for (size_t i = 0; i < N(vec_dss); i++) {
		size_t n = unhex(vec_dss[i].payload_hex, payload, sizeof(payload));
		uint32_t sum;

		assert_int_equal(n, vec_dss[i].len);
		sum = mptcp_csum_partial(payload, n, 0);
		assert_int_equal(mptcp_dss_csum(vec_dss[i].dsn, vec_dss[i].ssn, vec_dss[i].len, sum),
				 vec_dss[i].csum);
		assert_true(mptcp_dss_csum_ok(vec_dss[i].dsn, vec_dss[i].ssn, vec_dss[i].len,
					      vec_dss[i].csum, sum));
		/* A flipped bit in header or payload is caught. (Not every change
		 * is: one's complement cannot tell 0xffff words from 0x0000.) */
		assert_false(mptcp_dss_csum_ok(vec_dss[i].dsn ^ 0x10000, vec_dss[i].ssn, vec_dss[i].len,
					       vec_dss[i].csum, sum));
		assert_false(mptcp_dss_csum_ok(vec_dss[i].dsn, vec_dss[i].ssn ^ 0x100, vec_dss[i].len,
					       vec_dss[i].csum, sum));
		payload[n / 2] ^= 0x20;
		assert_false(mptcp_dss_csum_ok(vec_dss[i].dsn, vec_dss[i].ssn, vec_dss[i].len,
					       vec_dss[i].csum, mptcp_csum_partial(payload, n, 0)));
		payload[n / 2] ^= 0x20;
		/* A payload summed in two even-sized parts gives the same. */
		if (n >= 4) {
			size_t half = (n / 2) & ~(size_t)1;

			sum = mptcp_csum_partial(payload + half, n - half,
						 mptcp_csum_partial(payload, half, 0));
			assert_int_equal(mptcp_dss_csum(vec_dss[i].dsn, vec_dss[i].ssn,
							vec_dss[i].len, sum),
					 vec_dss[i].csum);
		}
	}
}

static void test_dss_csum_64bit_dsn(void **state)
{
	(void)state;
	/* 3.3.1: the pseudo-header always holds the full 64-bit DSN, even
	 * when the option carries 32 bits: the high half changes the sum. */
	const uint8_t payload[] = "abcd";
	uint32_t sum = mptcp_csum_partial(payload, 4, 0);

	assert_true(mptcp_dss_csum(0x0000000100000005ULL, 1, 4, sum) !=
		    mptcp_dss_csum(0x0000000000000005ULL, 1, 4, sum));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_idsn),
		cmocka_unit_test(test_key_generate),
		cmocka_unit_test(test_join_hmac),
		cmocka_unit_test(test_join_hmac_through_codec),
		cmocka_unit_test(test_linux_kunit_vectors),
		cmocka_unit_test(test_hmac_ctx_equals_plain),
		cmocka_unit_test(test_add_addr_hmac),
		cmocka_unit_test(test_add_addr_port_zero_equals_absent),
		cmocka_unit_test(test_add_addr_hmac_through_codec),
		cmocka_unit_test(test_dss_csum),
		cmocka_unit_test(test_dss_csum_64bit_dsn),
	};

	return cmocka_run_group_tests_name("mptcp_crypto (RFC 8684 3.1, 3.2, 3.3.1, 3.4.1)", tests,
					   NULL, NULL);
}
