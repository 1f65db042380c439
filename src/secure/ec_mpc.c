/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EC MP_CAPABLE placements (draft "SE-MPTCP" Figures 1 and 3, and mpdk's
 * compressed variant). The bytes are the codec's (mptcp/options.c); this
 * file only says which coordinate goes where.
 */
#include "secure/ec_mpc.h"

#include <errno.h>
#include <string.h>

const char *ec_variant_name(unsigned v)
{
	switch (v) {
	case EC_VARIANT_DRAFT:
		return "ec-draft";
	case EC_VARIANT_COMPRESSED:
		return "ec-compressed";
	default:
		return "?";
	}
}

bool ec_mpc_step_used(unsigned v, unsigned step)
{
	if (v >= EC_VARIANT_COUNT || step >= EC_MPC_STEP_COUNT)
		return false;
	return !(v == EC_VARIANT_COMPRESSED && step == EC_MPC_ACK_B);
}

uint8_t ec_mpc_step_tcp_flags(unsigned step)
{
	switch (step) {
	case EC_MPC_SYN:
		return MPTCP_TH_SYN;
	case EC_MPC_SYNACK:
		return MPTCP_TH_SYN | MPTCP_TH_ACK;
	default:
		return MPTCP_TH_ACK;
	}
}

/* The codec form each step's option takes. */
static enum mptcp_cap_form step_form(unsigned v, unsigned step)
{
	switch (step) {
	case EC_MPC_SYN:
		return MPTCP_CAP_EC_SYN;
	case EC_MPC_SYNACK:
		return MPTCP_CAP_EC_SYNACK;
	case EC_MPC_ACK_A:
		return v == EC_VARIANT_COMPRESSED ? MPTCP_CAP_EC_ACK_CONFIRM : MPTCP_CAP_EC_ACK;
	default:
		return MPTCP_CAP_EC_ACK;
	}
}

/* Which coordinate a step carries: x at the first of each host's two
 * draft segments and always in the compressed variant, y otherwise. */
static bool step_sends_x(unsigned v, unsigned step)
{
	return v == EC_VARIANT_COMPRESSED || step == EC_MPC_SYN || step == EC_MPC_ACK_B;
}

int ec_mpc_build(unsigned v, unsigned step, const struct ec_keypair *own, uint8_t flags,
		 struct mptcp_opt *out)
{
	const struct ec_curve_info *ci = ec_curve_get(own->curve);
	struct mptcp_opt_capable *c = &out->mpc;

	memset(out, 0, sizeof(*out));
	if (ci == NULL || !ec_mpc_step_used(v, step) || !(flags & MPTCP_CAP_E_EC))
		return -EINVAL;
	out->subtype = MPTCP_SUB_CAPABLE;
	c->version = MPTCP_VERSION;
	c->flags = flags;
	c->form = step_form(v, step);
	if (c->form == MPTCP_CAP_EC_ACK_CONFIRM)
		return 0;
	c->ec_type = own->curve;
	if (v == EC_VARIANT_COMPRESSED) {
		c->ec_type |= MPTCP_EC_TYPE_COMPRESSED;
		if (own->y[ci->field_bytes - 1] & 1)
			c->ec_type |= MPTCP_EC_TYPE_Y_ODD;
	}
	memcpy(c->ec_coord, step_sends_x(v, step) ? own->x : own->y, ci->field_bytes);
	return 0;
}

void ec_peer_reset(struct ec_peer *pp, unsigned curve)
{
	memset(pp, 0, sizeof(*pp));
	pp->curve = curve < EC_CURVE_COUNT ? (uint8_t)curve : EC_CURVE_ANY;
}

/* Store a coordinate; a repeat must carry the same bytes. */
static int take_coord(bool *have, uint8_t *dst, const uint8_t *src, size_t n)
{
	if (*have)
		return memcmp(dst, src, n) ? -EBADMSG : 0;
	memcpy(dst, src, n);
	*have = true;
	return 0;
}

int ec_peer_absorb(struct ec_peer *pp, unsigned v, unsigned step,
		   const struct mptcp_opt_capable *c)
{
	const struct ec_curve_info *ci;
	unsigned curve;
	bool compressed;
	int rc;

	if (!ec_mpc_step_used(v, step) || c->form != step_form(v, step))
		return -EBADMSG;
	if (c->form == MPTCP_CAP_EC_ACK_CONFIRM)
		return 0;
	compressed = c->ec_type & MPTCP_EC_TYPE_COMPRESSED;
	curve = c->ec_type & MPTCP_EC_TYPE_CURVE;
	ci = ec_curve_get(curve);
	if (ci == NULL || compressed != (v == EC_VARIANT_COMPRESSED) ||
	    (pp->curve != EC_CURVE_ANY && pp->curve != curve))
		return -EBADMSG;

	if (step_sends_x(v, step)) {
		uint8_t odd = (c->ec_type & MPTCP_EC_TYPE_Y_ODD) ? 1 : 0;

		if (compressed && pp->have_x && pp->y_odd != odd)
			return -EBADMSG;
		rc = take_coord(&pp->have_x, pp->x, c->ec_coord, ci->field_bytes);
		if (rc == 0 && compressed)
			pp->y_odd = odd;
	} else {
		rc = take_coord(&pp->have_y, pp->y, c->ec_coord, ci->field_bytes);
	}
	if (rc == 0) {
		pp->curve = (uint8_t)curve;
		pp->compressed = compressed;
	}
	return rc;
}

bool ec_peer_complete(const struct ec_peer *pp)
{
	return pp->curve != EC_CURVE_ANY && pp->have_x && (pp->compressed || pp->have_y);
}

int ec_peer_point(struct ec_ctx *ctx, const struct ec_peer *pp, struct ec_point *out)
{
	if (!ec_peer_complete(pp)) {
		memset(out, 0, sizeof(*out));
		return -EAGAIN;
	}
	if (pp->compressed)
		return ec_point_import_compressed(ctx, pp->curve, pp->x, pp->y_odd, out);
	return ec_point_import(ctx, pp->curve, pp->x, pp->y, out);
}
