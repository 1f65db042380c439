/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_SECURE_EC_MPC_H
#define MPDK_SECURE_EC_MPC_H

/*
 * Where the EC MP_CAPABLE options go in the opening handshake, for the two
 * variants mpdk implements (docs/security.md, "Wire format"):
 *
 *  ec-draft (draft "SE-MPTCP" Figures 1 and 3, four segments):
 *    1. A -> B  SYN       MP_CAPABLE(E, type, A's x)
 *    2. B -> A  ACK       MP_CAPABLE(E, type, B's x)      } sent back to
 *    3. B -> A  SYN/ACK   MP_CAPABLE(E, type, B's y)      } back
 *    4. A -> B  ACK       MP_CAPABLE(E, type, A's y)
 *  ec-compressed (mpdk; a normal three-way handshake):
 *    1. A -> B  SYN       MP_CAPABLE(E, type|C|P, A's x)  P = A's y parity
 *    3. B -> A  SYN/ACK   MP_CAPABLE(E, type|C|P, B's x)
 *    4. A -> B  ACK       MP_CAPABLE(E), length 4: "EC mode on"
 *
 * This file builds those options from a key pair and collects the peer's
 * coordinates from parsed ones into a point; the TCP state machine decides
 * when each is sent and received. Pure logic except ec_peer_point(), which
 * validates the point (ec.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include "mptcp/options.h"
#include "secure/ec.h"

enum ec_variant {
	EC_VARIANT_DRAFT = 0,      /* "ec-draft": x and y in separate segments */
	EC_VARIANT_COMPRESSED = 1, /* "ec-compressed": x + parity of y */
	EC_VARIANT_COUNT
};

/* "ec-draft", "ec-compressed", or "?" */
const char *ec_variant_name(unsigned v);

/* The handshake steps, numbered as in the figure above. */
enum ec_mpc_step {
	EC_MPC_SYN = 0, /* A's SYN */
	EC_MPC_ACK_B,   /* B's ACK of A's SYN, before its SYN: ec-draft only */
	EC_MPC_SYNACK,  /* B's SYN (with the ACK bit: a SYN/ACK) */
	EC_MPC_ACK_A,   /* A's ACK of B's SYN */
	EC_MPC_STEP_COUNT
};

/* Whether @v sends an option at @step (ec-compressed skips EC_MPC_ACK_B). */
bool ec_mpc_step_used(unsigned v, unsigned step);

/* The TCP flags (MPTCP_TH_*) of the segment at @step. */
uint8_t ec_mpc_step_tcp_flags(unsigned step);

/* The variant a parsed EC option was sent in (its type byte), for B to
 * follow A's choice. Meaningless for MPTCP_CAP_EC_ACK_CONFIRM. */
static inline enum ec_variant ec_variant_of(const struct mptcp_opt_capable *c)
{
	return (c->ec_type & MPTCP_EC_TYPE_COMPRESSED) ? EC_VARIANT_COMPRESSED : EC_VARIANT_DRAFT;
}

/*
 * The MP_CAPABLE this host sends at @step of variant @v, from its key pair
 * @own. @flags is the whole flags byte and must include MPTCP_CAP_E_EC
 * (A's SYN adds H to offer RFC 8684 as a fallback; B answers with E alone,
 * section 3.1's "exactly one algorithm"). Returns 0, or -EINVAL (unknown
 * variant, step, curve, a step @v does not use, E missing).
 */
int ec_mpc_build(unsigned v, unsigned step, const struct ec_keypair *own, uint8_t flags,
		 struct mptcp_opt *out);

#define EC_CURVE_ANY 0xff

/* The peer's coordinates as they arrive. */
struct ec_peer {
	uint8_t curve;   /* EC_CURVE_ANY until the first coordinate */
	bool have_x, have_y;
	bool compressed;
	uint8_t y_odd;
	uint8_t x[EC_FIELD_MAX];
	uint8_t y[EC_FIELD_MAX];
};

/* Start collecting; @curve = the curve this host uses (A), or EC_CURVE_ANY
 * (B, which takes A's). */
void ec_peer_reset(struct ec_peer *pp, unsigned curve);

/*
 * Take what a parsed MP_CAPABLE received at @step carries. Returns 0, or
 * -EBADMSG if it is not what @v sends at @step (form, compressed bit), its
 * curve is not the one expected, or it repeats a coordinate with another
 * value. An identical repeat (a retransmission) is accepted.
 */
int ec_peer_absorb(struct ec_peer *pp, unsigned v, unsigned step,
		   const struct mptcp_opt_capable *c);

/* All of the point is there: x and y, or x and parity. */
bool ec_peer_complete(const struct ec_peer *pp);

/*
 * The peer's point, validated (ec_point_import / _compressed).
 * -EAGAIN if not complete, -EINVAL if it is not a point of the curve
 * (the connection must then be refused: docs/security.md).
 */
int ec_peer_point(struct ec_ctx *ctx, const struct ec_peer *pp, struct ec_point *out);

#endif
