/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Draft Figure 2 on SHA-256. Like src/mptcp/crypto.c this uses OpenSSL's
 * low-level SHA256_CTX (deprecated in OpenSSL 3, still built) because its
 * state can be copied without allocating: that is what makes the
 * precomputed HMAC pads possible.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "secure/ec_auth.h"

#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#define SHA256_BLOCK 64

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static unsigned field_bytes(unsigned curve)
{
	const struct ec_curve_info *ci = ec_curve_get(curve);

	return ci ? ci->field_bytes : 0;
}

/* SHA-256(X || Y), fixed-width coordinates. */
static void hash_point(const struct ec_point *pt, uint8_t md[SHA256_DIGEST_LENGTH])
{
	unsigned fb = field_bytes(pt->curve);
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, pt->x, fb);
	SHA256_Update(&c, pt->y, fb);
	SHA256_Final(md, &c);
	OPENSSL_cleanse(&c, sizeof(c));
}

uint64_t ec_key_of_x(unsigned curve, const uint8_t *x)
{
	unsigned fb = field_bytes(curve);

	return fb ? get_be(x + fb - 8, 8) : 0;
}

uint64_t ec_key_of(const struct ec_point *pub)
{
	return ec_key_of_x(pub->curve, pub->x);
}

uint32_t ec_token_of(const struct ec_point *pub)
{
	uint8_t md[SHA256_DIGEST_LENGTH];

	hash_point(pub, md);
	return (uint32_t)get_be(md + SHA256_DIGEST_LENGTH - 4, 4);
}

void ec_k_of(const struct ec_point *shared, uint8_t k[EC_K_LEN])
{
	hash_point(shared, k);
}

void ec_hmac_ctx_init(struct mptcp_hmac_ctx *ctx, const uint8_t *key, size_t len)
{
	uint8_t pad[SHA256_BLOCK];

	if (len > SHA256_BLOCK)
		len = SHA256_BLOCK; /* callers pass K (32); longer keys are not ours */
	memset(pad, 0x36, sizeof(pad));
	for (size_t i = 0; i < len; i++)
		pad[i] ^= key[i];
	SHA256_Init(&ctx->inner);
	SHA256_Update(&ctx->inner, pad, sizeof(pad));
	memset(pad, 0x5c, sizeof(pad));
	for (size_t i = 0; i < len; i++)
		pad[i] ^= key[i];
	SHA256_Init(&ctx->outer);
	SHA256_Update(&ctx->outer, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
}

uint32_t ec_hmac_token(const struct mptcp_hmac_ctx *k, uint32_t token_b, uint8_t addr_id,
		       uint32_t r_a)
{
	uint8_t msg[9], mac[MPTCP_HMAC_LEN];

	put32(msg, token_b);
	msg[4] = addr_id;
	put32(msg + 5, r_a);
	mptcp_hmac_ctx_compute(k, msg, sizeof(msg), mac);
	return (uint32_t)get_be(mac + MPTCP_HMAC_LEN - 4, 4);
}

static void nonce_pair(uint8_t msg[8], uint32_t first, uint32_t second)
{
	put32(msg, first);
	put32(msg + 4, second);
}

uint64_t ec_auth_b(const struct mptcp_hmac_ctx *k, uint32_t r_b, uint32_t r_a)
{
	uint8_t msg[8], mac[MPTCP_HMAC_LEN];

	nonce_pair(msg, r_b, r_a);
	mptcp_hmac_ctx_compute(k, msg, sizeof(msg), mac);
	return get_be(mac, 8);
}

void ec_auth_a(const struct mptcp_hmac_ctx *k, uint32_t r_a, uint32_t r_b,
	       uint8_t out[MPTCP_HMAC_LEN])
{
	uint8_t msg[8];

	nonce_pair(msg, r_a, r_b);
	mptcp_hmac_ctx_compute(k, msg, sizeof(msg), out);
}

uint64_t ec_add_addr_hmac(const struct mptcp_hmac_ctx *k, const struct mptcp_opt_add_addr *a)
{
	return mptcp_add_addr_hmac_ctx(k, a);
}

/* Constant-time equality of two numbers of up to 64 bits. */
static bool ct_equal64(uint64_t a, uint64_t b)
{
	uint8_t x[8], y[8];

	for (int i = 0; i < 8; i++) {
		x[i] = (uint8_t)(a >> (8 * i));
		y[i] = (uint8_t)(b >> (8 * i));
	}
	return CRYPTO_memcmp(x, y, sizeof(x)) == 0;
}

bool ec_hmac_token_ok(const struct mptcp_hmac_ctx *k, uint32_t token_b, uint8_t addr_id,
		      uint32_t r_a, uint32_t hmac_token)
{
	return ct_equal64(ec_hmac_token(k, token_b, addr_id, r_a), hmac_token);
}

bool ec_auth_b_ok(const struct mptcp_hmac_ctx *k, uint32_t r_b, uint32_t r_a, uint64_t thmac)
{
	return ct_equal64(ec_auth_b(k, r_b, r_a), thmac);
}

bool ec_auth_a_ok(const struct mptcp_hmac_ctx *k, uint32_t r_a, uint32_t r_b,
		  const uint8_t hmac[MPTCP_JOIN_ACK_HMAC_LEN])
{
	uint8_t mac[MPTCP_HMAC_LEN];

	/* The expected value is what the peer sends in clear: no wipe. */
	ec_auth_a(k, r_a, r_b, mac);
	return CRYPTO_memcmp(mac, hmac, MPTCP_JOIN_ACK_HMAC_LEN) == 0;
}

int ec_session_init(struct ec_session *s, const struct ec_point *local, const uint8_t *remote_x)
{
	memset(s, 0, sizeof(*s));
	if (field_bytes(local->curve) == 0)
		return -EINVAL;
	s->curve = local->curve;
	s->key_local = ec_key_of(local);
	s->key_remote = ec_key_of_x(local->curve, remote_x);
	s->token_local = ec_token_of(local);
	return 0;
}

int ec_session_complete(struct ec_session *s, struct ec_ctx *ctx, const struct ec_keypair *own,
			const struct ec_point *remote)
{
	struct ec_point shared;
	uint8_t k[EC_K_LEN];
	int rc;

	if (own->curve != s->curve || remote->curve != s->curve ||
	    ec_key_of(remote) != s->key_remote)
		return -EINVAL;
	rc = ec_ecdh(ctx, own, remote, &shared);
	if (rc)
		return rc;
	s->token_remote = ec_token_of(remote);
	ec_k_of(&shared, k);
	ec_hmac_ctx_init(&s->k, k, sizeof(k));
	OPENSSL_cleanse(&shared, sizeof(shared));
	OPENSSL_cleanse(k, sizeof(k));
	s->k_ready = true;
	return 0;
}

void ec_session_wipe(struct ec_session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}
