/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_CRYPTO_H
#define MPDK_MPTCP_CRYPTO_H

/*
 * RFC 8684 keys and their crypto (OpenSSL libcrypto): token and IDSN from
 * SHA-256 (section 3.1), the MP_JOIN HMACs (3.2), the ADD_ADDR HMAC (3.4.1),
 * the DSS checksum (3.3.1).
 *
 * Conventions: a key is a 64-bit number and is hashed as 8 big-endian bytes;
 * an HMAC key is two such keys, the sender's first. Truncated HMACs are
 * returned as numbers, as the option codec (mptcp/options.h) holds them.
 *
 * No function allocates, takes a lock or keeps state: all may be called
 * from any lcore at once. mptcp_key_generate() draws from OpenSSL's
 * per-thread DRBG.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/sha.h>

#include "mptcp/options.h"

#define MPTCP_HMAC_LEN 32 /* HMAC-SHA256 output */

/* Section 3.1: token = most significant 32 bits of SHA-256(key), IDSN =
 * least significant 64 bits. Either output may be NULL. */
void mptcp_key_sha(uint64_t key, uint32_t *token, uint64_t *idsn);
uint32_t mptcp_key_token(uint64_t key);
uint64_t mptcp_key_idsn(uint64_t key);

/*
 * A fresh random key (RAND_bytes) and its token. Uniqueness of the token
 * across the stack is the token table's to enforce: the caller retries
 * while the token is taken (section 3.1 asks for exactly that).
 * Returns 0, or -EIO if the random generator failed (nothing is written).
 */
int mptcp_key_generate(uint64_t *key, uint32_t *token);

/* HMAC-SHA256 with Key = key1 || key2 (16 bytes), one shot. */
void mptcp_hmac_sha256(uint64_t key1, uint64_t key2, const void *msg, size_t len,
		       uint8_t out[MPTCP_HMAC_LEN]);

/*
 * The same HMAC with the key's inner and outer SHA-256 states computed once:
 * each computation then costs two compression rounds for a short message
 * (MP_JOIN's 8 bytes, ADD_ADDR's up to 19) and copies two small structs.
 * Init once per key pair (a connection needs two: own key first for what it
 * sends, the peer's first for what it checks). The context holds no
 * pointers: copy it, embed it, drop it, no free needed.
 */
struct mptcp_hmac_ctx {
	SHA256_CTX inner; /* state after (K ^ ipad) */
	SHA256_CTX outer; /* state after (K ^ opad) */
};

void mptcp_hmac_ctx_init(struct mptcp_hmac_ctx *ctx, uint64_t key1, uint64_t key2);
void mptcp_hmac_ctx_compute(const struct mptcp_hmac_ctx *ctx, const void *msg, size_t len,
			    uint8_t out[MPTCP_HMAC_LEN]);

/*
 * Section 3.2, the MP_JOIN HMAC a host sends: Key = own key || peer's key,
 * Msg = own random number || peer's random number (4 big-endian bytes each).
 * So the responder B sends HMAC(Key-B||Key-A, R-B||R-A) in the SYN/ACK
 * (leftmost 64 bits: mptcp_join_thmac()) and the initiator A sends
 * HMAC(Key-A||Key-B, R-A||R-B) in the third ACK (leftmost 160 bits).
 * The _ctx form takes a context made with (own key, peer's key).
 */
void mptcp_join_hmac(uint64_t own_key, uint64_t peer_key, uint32_t own_nonce, uint32_t peer_nonce,
		     uint8_t out[MPTCP_HMAC_LEN]);
void mptcp_join_hmac_ctx(const struct mptcp_hmac_ctx *ctx, uint32_t own_nonce,
			 uint32_t peer_nonce, uint8_t out[MPTCP_HMAC_LEN]);
/* Leftmost 64 bits of an HMAC as a number (mptcp_opt_join.thmac). */
uint64_t mptcp_join_thmac(const uint8_t hmac[MPTCP_HMAC_LEN]);

/*
 * Section 3.4.1, the ADD_ADDR HMAC: Key = sender's key || receiver's key,
 * Msg = address id (1) || address (4 or 16, network order) || port (2,
 * big-endian, 0 when the option carries none); the option carries the
 * rightmost 64 bits, returned as a number (mptcp_opt_add_addr.hmac).
 * Uses a->addr_id, a->family, a->addr, a->has_port, a->port. Returns 0 for
 * an unknown family.
 */
uint64_t mptcp_add_addr_hmac(uint64_t snd_key, uint64_t rcv_key,
			     const struct mptcp_opt_add_addr *a);
uint64_t mptcp_add_addr_hmac_ctx(const struct mptcp_hmac_ctx *ctx,
				 const struct mptcp_opt_add_addr *a);

/*
 * Section 3.3.1, the DSS checksum: the one's complement of the one's
 * complement sum of a pseudo-header (64-bit DSN, whatever width the option
 * carries; 32-bit relative subflow sequence number; 16-bit data-level
 * length; 16 zero bits) and the payload.
 *
 * @payload_sum is the payload's unfolded one's complement sum as
 * mptcp_csum_partial() (or net/cksum.h's cksum_partial, DPDK's
 * rte_raw_cksum) computes it: 16-bit words loaded in host order. The result
 * is the host-order value of the wire field (mptcp_opt_dss.csum).
 */
uint32_t mptcp_csum_partial(const void *buf, size_t len, uint32_t sum);
uint16_t mptcp_dss_csum(uint64_t dsn, uint32_t ssn, uint16_t data_len, uint32_t payload_sum);
/* Receiver's check: the sum over pseudo-header with the received checksum
 * in place and the payload folds to all ones. Accepts either encoding of
 * one's complement zero. */
bool mptcp_dss_csum_ok(uint64_t dsn, uint32_t ssn, uint16_t data_len, uint16_t csum,
		       uint32_t payload_sum);

#endif
