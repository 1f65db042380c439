/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Greedy fit of the TCP options beside the EC MP_CAPABLE, in priority
 * order, asking the TCP options writer whether each addition still fits.
 */
#include "secure/ec_optspace.h"

#include <errno.h>
#include <string.h>

#include "tcp/options.h"

/* Groups tried in order; a group goes in whole or not at all. */
static const uint32_t priority[] = {
	TCP_OPT_F_MSS,
	TCP_OPT_F_SACK_PERM | TCP_OPT_F_TS,
	TCP_OPT_F_SACK_PERM, /* the pair did not fit: SACK alone is 4 bytes */
	TCP_OPT_F_WSCALE,
	TCP_OPT_F_TS,
};

/* Does the writer keep everything in @o within 40 bytes? */
static bool fits(const struct tcp_opts *o, size_t *len)
{
	struct tcp_opts t = *o;

	*len = tcp_opts_fit(&t, TCP_OPTS_MAX_LEN);
	return t.flags == o->flags && t.n_mptcp == o->n_mptcp;
}

int ec_option_plan(unsigned curve, unsigned v, unsigned step, uint32_t want,
		   struct ec_opt_plan *plan)
{
	static const uint8_t zero_opt[MPTCP_EC_COORD_MAX + 8];
	struct ec_keypair kp;
	struct mptcp_opt mo;
	struct tcp_opts o;
	size_t len;

	memset(plan, 0, sizeof(*plan));
	if (ec_curve_get(curve) == NULL || v >= EC_VARIANT_COUNT || step >= EC_MPC_STEP_COUNT)
		return -EINVAL;
	want &= EC_SYN_WANT;

	memset(&o, 0, sizeof(o));
	o.mss = 1460;
	o.wscale = 7;
	if (ec_mpc_step_used(v, step)) {
		/* Any key of the curve: only the length matters here. */
		memset(&kp, 0, sizeof(kp));
		kp.curve = (uint8_t)curve;
		if (ec_mpc_build(v, step, &kp, MPTCP_CAP_E_EC | MPTCP_CAP_H_HMAC_SHA256, &mo))
			return -EINVAL;
		plan->ec_len = (uint8_t)mptcp_opt_len(&mo);
		if (plan->ec_len == 0)
			return -EINVAL;
		o.flags = TCP_OPT_F_MPTCP;
		o.n_mptcp = 1;
		o.mptcp[0].p = zero_opt;
		o.mptcp[0].len = plan->ec_len;
	}
	if (!fits(&o, &len))
		return -EINVAL; /* cannot happen: the longest is 37 */

	for (size_t i = 0; i < sizeof(priority) / sizeof(priority[0]); i++) {
		uint32_t add = priority[i] & want & ~plan->keep;

		if (add == 0)
			continue;
		o.flags |= add;
		if (fits(&o, &len))
			plan->keep |= add;
		else
			o.flags &= ~add;
	}
	o.flags = (o.flags & ~EC_SYN_WANT) | plan->keep;
	fits(&o, &len);
	plan->opts_len = (uint8_t)len;
	plan->dropped = want & ~plan->keep;
	return 0;
}

int ec_syn_option_plan(unsigned curve, unsigned v, struct ec_opt_plan *plan)
{
	return ec_option_plan(curve, v, EC_MPC_SYN, EC_SYN_WANT, plan);
}
