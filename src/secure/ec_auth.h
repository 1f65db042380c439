/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_SECURE_EC_AUTH_H
#define MPDK_SECURE_EC_AUTH_H

/*
 * The values the EC keying mode derives from the exchanged points (draft
 * "SE-MPTCP", Figure 2 and sections 4.1-4.3), SHA-256 throughout:
 *
 *   Key-A      = least significant 64 bits of A's x      (section 4.1)
 *   Token_B    = lsb_32(SHA-256(X_B || Y_B))              (Figure 2)
 *   K          = SHA-256(X_AB || Y_AB)                    (Figure 2)
 *   HMAC_Token = lsb_32(HMAC(K, Token_B || Address ID || R_A))
 *   Auth_B     = msb_64(HMAC(K, R_B || R_A))
 *   Auth_A     = HMAC(K, R_A || R_B), leftmost 160 bits on the wire
 *   ADD_ADDR   = rightmost 64 bits of HMAC(K, ID || address || port)
 *
 * Coordinates are hashed as fixed-width big-endian field elements, tokens
 * and random numbers as 4 big-endian bytes, the Address ID as one byte:
 * the wire encodings. Every reading of the OCR'd draft behind these lines
 * is in docs/security.md, "Resolving the draft".
 *
 * HMACs take a struct mptcp_hmac_ctx keyed with K (src/mptcp/crypto.h):
 * its inner and outer SHA-256 states are computed once per connection when
 * K is, so verifying a join costs two compressions per HMAC. No function
 * here allocates or locks; all are safe from any thread on distinct data.
 */

#include <stdbool.h>
#include <stdint.h>

#include "mptcp/crypto.h"
#include "mptcp/options.h"
#include "secure/ec.h"

#define EC_K_LEN 32 /* SHA-256 */

/* Key-A (Key-B): the least significant 64 bits of the point's x. Also the
 * key an RFC 8684 fallback uses (draft 4.1); its IDSN is then RFC 8684's,
 * mptcp_key_idsn(key). The _x form needs x alone (a compressed point not
 * yet decompressed); 0 for an unknown curve. */
uint64_t ec_key_of(const struct ec_point *pub);
uint64_t ec_key_of_x(unsigned curve, const uint8_t *x);

/* Token_B (and, for joins towards A, Token_A): lsb_32(SHA-256(X || Y)). */
uint32_t ec_token_of(const struct ec_point *pub);

/* K = SHA-256(X_AB || Y_AB) of the ECDH shared point. */
void ec_k_of(const struct ec_point *shared, uint8_t k[EC_K_LEN]);

/*
 * An HMAC-SHA256 context keyed with @key (@len <= 64 bytes, zero padded as
 * RFC 2104 says), e.g. K. Same struct and compute function as RFC 8684's
 * contexts (mptcp_hmac_ctx_compute).
 */
void ec_hmac_ctx_init(struct mptcp_hmac_ctx *ctx, const uint8_t *key, size_t len);

/* Draft Figure 2 with @k keyed by K. */
uint32_t ec_hmac_token(const struct mptcp_hmac_ctx *k, uint32_t token_b, uint8_t addr_id,
		       uint32_t r_a);
uint64_t ec_auth_b(const struct mptcp_hmac_ctx *k, uint32_t r_b, uint32_t r_a);
void ec_auth_a(const struct mptcp_hmac_ctx *k, uint32_t r_a, uint32_t r_b,
	       uint8_t out[MPTCP_HMAC_LEN]);
/* ADD_ADDR in EC mode: RFC 8684 3.4.1's message and truncation, key K
 * (draft 4.3, issue 5: Key-A and Key-B are public in this mode). */
uint64_t ec_add_addr_hmac(const struct mptcp_hmac_ctx *k, const struct mptcp_opt_add_addr *a);

/* The receiver's checks, comparing in constant time. */
bool ec_hmac_token_ok(const struct mptcp_hmac_ctx *k, uint32_t token_b, uint8_t addr_id,
		      uint32_t r_a, uint32_t hmac_token);
bool ec_auth_b_ok(const struct mptcp_hmac_ctx *k, uint32_t r_b, uint32_t r_a, uint64_t thmac);
bool ec_auth_a_ok(const struct mptcp_hmac_ctx *k, uint32_t r_a, uint32_t r_b,
		  const uint8_t hmac[MPTCP_JOIN_ACK_HMAC_LEN]);

/*
 * What a connection keeps for EC mode. "local" is this host: for the
 * initiator A, key_local = Key-A and token_remote = Token_B (the token its
 * joins carry); for B the other way round.
 */
struct ec_session {
	uint8_t curve;
	bool k_ready;           /* k holds K: joins can be checked */
	uint64_t key_local, key_remote;
	uint32_t token_local, token_remote;
	struct mptcp_hmac_ctx k; /* HMAC(K, .) */
};

/*
 * What the handshake needs at once: both keys (for the IDSNs) and this
 * host's token, from the local point and the peer's x alone, so that a
 * compressed point need not be decompressed on the handshake path. One
 * SHA-256; k_ready = false, token_remote = 0. -EINVAL for an unknown curve.
 */
int ec_session_init(struct ec_session *s, const struct ec_point *local, const uint8_t *remote_x);

/*
 * The slow part, after MP_CAPABLE completes: the peer's token, ECDH, K and
 * the keyed context; then k_ready = true. Runs in idle cycles or on a
 * slow-path lcore, never while handling a join. @remote is the validated
 * peer point (ec_peer_point(), which also decompresses); its x must be the
 * one the session was made with (-EINVAL otherwise). The shared point and
 * K are wiped before return; the caller should wipe @own's private key
 * once this succeeds. On error the session is untouched.
 */
int ec_session_complete(struct ec_session *s, struct ec_ctx *ctx, const struct ec_keypair *own,
			const struct ec_point *remote);

void ec_session_wipe(struct ec_session *s);

#endif
