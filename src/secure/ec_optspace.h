/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_SECURE_EC_OPTSPACE_H
#define MPDK_SECURE_EC_OPTSPACE_H

/*
 * Option space beside the EC MP_CAPABLE (issue 5, item 2). A SYN has 40
 * bytes of options; the EC option takes 5 + one coordinate (25 to 37
 * bytes, 28 to 40 once the TCP writer pads it to 4). What else fits is
 * computed with the real encoders: the option's length from
 * mptcp_opt_len() and the layout from tcp_opts_fit() (tcp/options.h), so
 * a change to either changes the plan and the table in docs/security.md
 * (whose freshness a unit test checks).
 *
 * Priority when not everything fits (docs/security.md justifies it):
 *   1. MSS;  2. SACK-permitted + timestamps together, or else
 *   SACK-permitted alone;  3. window scale;  4. timestamps alone.
 */

#include <stdint.h>

#include "secure/ec_mpc.h"
#include "tcp/options.h"

struct ec_opt_plan {
	uint32_t keep;     /* TCP_OPT_F_* of @want that go in the segment */
	uint32_t dropped;  /* TCP_OPT_F_* of @want that give way */
	uint8_t ec_len;    /* the EC MP_CAPABLE option, unpadded (0: none) */
	uint8_t opts_len;  /* all options as tcp_opts_write() lays them out */
};

/*
 * The plan for the segment of @step in variant @v with a key on @curve,
 * when the TCP layer would like to send the options @want (TCP_OPT_F_MSS,
 * _SACK_PERM, _TS, _WSCALE; others are ignored). Returns 0 or -EINVAL.
 */
int ec_option_plan(unsigned curve, unsigned v, unsigned step, uint32_t want,
		   struct ec_opt_plan *plan);

/* The SYN (and, with the same sizes, B's SYN/ACK) asking for all four. */
int ec_syn_option_plan(unsigned curve, unsigned v, struct ec_opt_plan *plan);

/* Every SYN option the plans consider. */
#define EC_SYN_WANT (TCP_OPT_F_MSS | TCP_OPT_F_SACK_PERM | TCP_OPT_F_TS | TCP_OPT_F_WSCALE)

#endif
