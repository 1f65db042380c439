/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8684 crypto on OpenSSL libcrypto.
 *
 * The hashing that runs per connection or per join (token, IDSN, the HMAC
 * contexts) uses OpenSSL's low-level SHA-256 (SHA256_CTX), deprecated in
 * OpenSSL 3 but still built: it is the only libcrypto SHA-256 whose state
 * can be saved and cloned without allocating. EVP digests fetch through
 * the provider store (a lock) and EVP_MD_CTX_copy_ex allocates the copy's
 * provider context, neither of which belongs on an lcore's fast path. The
 * one-shot mptcp_hmac_sha256() is plain EVP HMAC(), and the tests check
 * both against each other and against vectors made with Python's hmac.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "mptcp/crypto.h"
#include "net/cksum.h"

#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define SHA256_BLOCK 64

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void mptcp_key_sha(uint64_t key, uint32_t *token, uint64_t *idsn)
{
	uint8_t in[8], md[SHA256_DIGEST_LENGTH];
	SHA256_CTX c;

	put64(in, key);
	SHA256_Init(&c);
	SHA256_Update(&c, in, sizeof(in));
	SHA256_Final(md, &c);
	if (token)
		*token = (uint32_t)(get64(md) >> 32);
	if (idsn)
		*idsn = get64(md + SHA256_DIGEST_LENGTH - 8);
}

uint32_t mptcp_key_token(uint64_t key)
{
	uint32_t token;

	mptcp_key_sha(key, &token, NULL);
	return token;
}

uint64_t mptcp_key_idsn(uint64_t key)
{
	uint64_t idsn;

	mptcp_key_sha(key, NULL, &idsn);
	return idsn;
}

int mptcp_key_generate(uint64_t *key, uint32_t *token)
{
	uint8_t b[8];
	uint64_t k;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	k = get64(b);
	OPENSSL_cleanse(b, sizeof(b));
	*key = k;
	if (token)
		*token = mptcp_key_token(k);
	return 0;
}

static void hmac_key(uint8_t k[16], uint64_t key1, uint64_t key2)
{
	put64(k, key1);
	put64(k + 8, key2);
}

void mptcp_hmac_sha256(uint64_t key1, uint64_t key2, const void *msg, size_t len,
		       uint8_t out[MPTCP_HMAC_LEN])
{
	uint8_t k[16];
	unsigned int n = MPTCP_HMAC_LEN;

	hmac_key(k, key1, key2);
	if (HMAC(EVP_sha256(), k, sizeof(k), msg, len, out, &n) == NULL) {
		/* Only a broken libcrypto gets here; fall back to the
		 * context path rather than hand back garbage. */
		struct mptcp_hmac_ctx ctx;

		mptcp_hmac_ctx_init(&ctx, key1, key2);
		mptcp_hmac_ctx_compute(&ctx, msg, len, out);
		OPENSSL_cleanse(&ctx, sizeof(ctx));
	}
	OPENSSL_cleanse(k, sizeof(k));
}

void mptcp_hmac_ctx_init(struct mptcp_hmac_ctx *ctx, uint64_t key1, uint64_t key2)
{
	uint8_t pad[SHA256_BLOCK];
	uint8_t k[16];

	/* RFC 2104: a key shorter than the block is zero-padded, then XORed
	 * with ipad (0x36) / opad (0x5c). */
	hmac_key(k, key1, key2);
	memset(pad, 0x36, sizeof(pad));
	for (size_t i = 0; i < sizeof(k); i++)
		pad[i] ^= k[i];
	SHA256_Init(&ctx->inner);
	SHA256_Update(&ctx->inner, pad, sizeof(pad));

	memset(pad, 0x5c, sizeof(pad));
	for (size_t i = 0; i < sizeof(k); i++)
		pad[i] ^= k[i];
	SHA256_Init(&ctx->outer);
	SHA256_Update(&ctx->outer, pad, sizeof(pad));

	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(k, sizeof(k));
}

void mptcp_hmac_ctx_compute(const struct mptcp_hmac_ctx *ctx, const void *msg, size_t len,
			    uint8_t out[MPTCP_HMAC_LEN])
{
	uint8_t inner[SHA256_DIGEST_LENGTH];
	SHA256_CTX c = ctx->inner;

	SHA256_Update(&c, msg, len);
	SHA256_Final(inner, &c);
	c = ctx->outer;
	SHA256_Update(&c, inner, sizeof(inner));
	SHA256_Final(out, &c);
	OPENSSL_cleanse(&c, sizeof(c));
}

static void join_msg(uint8_t msg[8], uint32_t own_nonce, uint32_t peer_nonce)
{
	put32(msg, own_nonce);
	put32(msg + 4, peer_nonce);
}

void mptcp_join_hmac(uint64_t own_key, uint64_t peer_key, uint32_t own_nonce, uint32_t peer_nonce,
		     uint8_t out[MPTCP_HMAC_LEN])
{
	uint8_t msg[8];

	join_msg(msg, own_nonce, peer_nonce);
	mptcp_hmac_sha256(own_key, peer_key, msg, sizeof(msg), out);
}

void mptcp_join_hmac_ctx(const struct mptcp_hmac_ctx *ctx, uint32_t own_nonce,
			 uint32_t peer_nonce, uint8_t out[MPTCP_HMAC_LEN])
{
	uint8_t msg[8];

	join_msg(msg, own_nonce, peer_nonce);
	mptcp_hmac_ctx_compute(ctx, msg, sizeof(msg), out);
}

uint64_t mptcp_join_thmac(const uint8_t hmac[MPTCP_HMAC_LEN])
{
	return get64(hmac);
}

/* Address id, address, port: at most 1 + 16 + 2 bytes. Returns the length,
 * 0 for an unknown family. */
static size_t add_addr_msg(uint8_t msg[19], const struct mptcp_opt_add_addr *a)
{
	uint16_t port = a->has_port ? a->port : 0;
	size_t n = 0;

	msg[n++] = a->addr_id;
	if (a->family == MPTCP_ADDR_IPV4) {
		memcpy(msg + n, &a->addr.v4, 4);
		n += 4;
	} else if (a->family == MPTCP_ADDR_IPV6) {
		memcpy(msg + n, a->addr.v6, 16);
		n += 16;
	} else {
		return 0;
	}
	msg[n++] = (uint8_t)(port >> 8);
	msg[n++] = (uint8_t)port;
	return n;
}

uint64_t mptcp_add_addr_hmac(uint64_t snd_key, uint64_t rcv_key,
			     const struct mptcp_opt_add_addr *a)
{
	uint8_t msg[19], hmac[MPTCP_HMAC_LEN];
	size_t n = add_addr_msg(msg, a);

	if (n == 0)
		return 0;
	mptcp_hmac_sha256(snd_key, rcv_key, msg, n, hmac);
	return get64(hmac + MPTCP_HMAC_LEN - 8);
}

uint64_t mptcp_add_addr_hmac_ctx(const struct mptcp_hmac_ctx *ctx,
				 const struct mptcp_opt_add_addr *a)
{
	uint8_t msg[19], hmac[MPTCP_HMAC_LEN];
	size_t n = add_addr_msg(msg, a);

	if (n == 0)
		return 0;
	mptcp_hmac_ctx_compute(ctx, msg, n, hmac);
	return get64(hmac + MPTCP_HMAC_LEN - 8);
}

/* ---- DSS checksum ---- */

uint32_t mptcp_csum_partial(const void *buf, size_t len, uint32_t sum)
{
	/* The DSS checksum is the Internet checksum (RFC 8684 3.3.1). */
	return cksum_partial(buf, len, sum);
}

static uint16_t fold16(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The pseudo-header of section 3.3.1, in wire order. */
static void dss_pseudo(uint8_t h[16], uint64_t dsn, uint32_t ssn, uint16_t data_len, uint16_t csum)
{
	put64(h, dsn);
	put32(h + 8, ssn);
	h[12] = (uint8_t)(data_len >> 8);
	h[13] = (uint8_t)data_len;
	h[14] = (uint8_t)(csum >> 8);
	h[15] = (uint8_t)csum;
}

uint16_t mptcp_dss_csum(uint64_t dsn, uint32_t ssn, uint16_t data_len, uint32_t payload_sum)
{
	uint8_t h[16], b[2];
	uint16_t c;

	dss_pseudo(h, dsn, ssn, data_len, 0);
	c = (uint16_t)~fold16(mptcp_csum_partial(h, sizeof(h), payload_sum));
	/* c is in the sum's host word order: its bytes are the wire bytes. */
	memcpy(b, &c, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

bool mptcp_dss_csum_ok(uint64_t dsn, uint32_t ssn, uint16_t data_len, uint16_t csum,
		       uint32_t payload_sum)
{
	uint8_t h[16];

	dss_pseudo(h, dsn, ssn, data_len, csum);
	return fold16(mptcp_csum_partial(h, sizeof(h), payload_sum)) == 0xffff;
}
