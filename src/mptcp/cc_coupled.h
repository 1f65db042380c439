/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_MPTCP_CC_COUPLED_H
#define MPDK_MPTCP_CC_COUPLED_H

/*
 * Coupled congestion control for MPTCP subflows (docs/scheduler.md):
 * LIA (RFC 6356, the MPTCP default) and OLIA (Khalili et al., "MPTCP is
 * not Pareto-optimal", CoNEXT 2012; draft-khalili-mptcp-congestion-
 * control-05), as ordinary tcp_cc_ops (tcp/cc.h) so that a subflow's tcb
 * just selects them.
 *
 * Coupling: the meta connection owns one struct mptcp_cc_group and lists
 * its subflows' struct tcp_cc in it. tcp/cc.h's `void *group` of each
 * member points at the struct mptcp_cc_group (NOT at the meta connection);
 * mptcp_cc_group_add sets it. Use per subflow:
 *
 *     tcp_cc_init(&t->cc, &mptcp_cc_lia, mss, iw);  // or tcb_cc_setup
 *     mptcp_cc_group_add(&meta->ccg, &t->cc);       // once established
 *     ...
 *     mptcp_cc_group_del(&meta->ccg, &t->cc);       // failed / closed,
 *                                                   // before freeing t
 *
 * tcp_cc_init zeroes c.group: add to the group after (re)initialising.
 * A member whose c.group is NULL, or a group of one, behaves exactly like
 * NewReno (RFC 6356 §3 goal 3, "do no harm"; tested). Members whose
 * srtt_us is still 0 are left out of the coupling sums until they have an
 * RTT sample. During fast recovery a member counts with min(cwnd,
 * ssthresh), not the window inflated by the engine.
 *
 * Slow start, the window at loss, the end of recovery and the RTO are
 * NewReno's (RFC 6356 §3: only the congestion-avoidance increase is
 * coupled). OLIA halves like Reno too.
 *
 * Not thread-safe: a group and its members belong to one engine.
 */

#include <stdbool.h>
#include <stdint.h>
#include "tcp/cc.h"

#define MPTCP_CC_GROUP_MAX 8
/* LIA's alpha is kept as alpha * 2^MPTCP_LIA_ALPHA_SHIFT. */
#define MPTCP_LIA_ALPHA_SHIFT 20
/* RTTs are clamped to [1, 2^24] us (16.8 s) in the coupling arithmetic,
 * which keeps every intermediate below 2^128. */
#define MPTCP_CC_RTT_MAX_US (1u << 24)

struct mptcp_cc_group {
	struct tcp_cc *member[MPTCP_CC_GROUP_MAX];
	uint8_t n;
	/* LIA cache: alpha is recomputed when a member's (effective) cwnd or
	 * the membership changed since the last computation (RFC 6356 §4
	 * allows computing alpha only when windows change). */
	bool lia_valid;
	uint32_t snap_cwnd[MPTCP_CC_GROUP_MAX];
	uint64_t lia_alpha;        /* alpha << MPTCP_LIA_ALPHA_SHIFT */
	uint64_t lia_total;        /* cwnd_total, bytes, of the coupled members */
	uint64_t lia_den;          /* cwnd_total / alpha, bytes (see cc_lia.c) */
};

/* The algorithms ("lia", "olia"). */
extern const struct tcp_cc_ops mptcp_cc_lia;
extern const struct tcp_cc_ops mptcp_cc_olia;
#define MPTCP_CC_DEFAULT "lia"

/* Register "lia" and "olia" with tcp_cc_register so tcp_cc_find knows
 * them. Idempotent (already registered is 0); else tcp_cc_register's
 * error. Init time only. */
int mptcp_cc_register(void);

void mptcp_cc_group_init(struct mptcp_cc_group *g);
/* Add @cc (sets cc->c.group = g). 0, -EEXIST (already in), -ENOSPC. */
int mptcp_cc_group_add(struct mptcp_cc_group *g, struct tcp_cc *cc);
/* Remove @cc if present (clears cc->c.group). */
void mptcp_cc_group_del(struct mptcp_cc_group *g, struct tcp_cc *cc);
/* Force a recomputation of cached values at the next ACK (e.g. after an
 * RTT change the caller considers large). */
static inline void mptcp_cc_group_invalidate(struct mptcp_cc_group *g) { g->lia_valid = false; }

/* --- Diagnostics and tests ------------------------------------------ */

/* LIA alpha (RFC 6356 §4) of @g, << MPTCP_LIA_ALPHA_SHIFT, recomputed if
 * stale; also returns cwnd_total when @total is not NULL. A group without
 * a coupled member (none with an RTT sample) gives 1.0. */
uint64_t mptcp_lia_alpha(struct mptcp_cc_group *g, uint64_t *total);

/* OLIA's view of @g now (Khalili et al. §4 / draft §3): bit i of
 * @best_mask is set when member i is in B (max l_r / rtt_r^2), of
 * @maxw_mask when in M (max window, in segments), and member i's alpha_r
 * is alpha_num[i] / alpha_den[i] (num in {-1, 0, 1}). Members without an
 * RTT sample have no bits and alpha 0/1. Any out pointer may be NULL. */
void mptcp_olia_sets(const struct mptcp_cc_group *g, uint32_t *best_mask, uint32_t *maxw_mask,
		     int alpha_num[MPTCP_CC_GROUP_MAX], uint32_t alpha_den[MPTCP_CC_GROUP_MAX]);

/* OLIA's per-subflow state, exposed for tests and diagnostics. */
struct mptcp_olia {
	uint64_t l1;            /* bytes acked between the last two losses */
	uint64_t l2;            /* bytes acked since the last loss */
	int64_t frac;           /* CA growth not yet in cwnd, bytes << 20 */
	uint32_t bytes_acked;   /* Reno byte counter (group of one) */
};
#define MPTCP_OLIA_FRAC_SHIFT 20

/* --- Internal: shared by cc_lia.c and cc_olia.c ----------------------- */

/* The member index of @c in its group, -1 when it has none. */
int mptcp_cc_member_index(const struct mptcp_cc_group *g, const struct tcp_cc_conn *c);
/* A member takes part in the coupling once it has an RTT sample. */
static inline bool mptcp_cc_coupled(const struct tcp_cc_conn *c) { return c->srtt_us != 0; }
/* The window a member counts with: not the engine's recovery inflation. */
static inline uint32_t mptcp_cc_eff_cwnd(const struct tcp_cc_conn *c)
{
	uint32_t w = c->cwnd;

	if (c->in_recovery && c->ssthresh < w)
		w = c->ssthresh;
	return w ? w : 1;
}
static inline uint32_t mptcp_cc_rtt(const struct tcp_cc_conn *c)
{
	uint32_t r = c->srtt_us;

	return r == 0 ? 1 : r > MPTCP_CC_RTT_MAX_US ? MPTCP_CC_RTT_MAX_US : r;
}
/* S_r = rtt_r * sum_p(w_p / rtt_p) over the coupled members (bytes; the
 * p == r term is exactly w_r). < 2^57, so S_r^2 fits 128 bits. */
uint64_t mptcp_cc_rate_sum(const struct mptcp_cc_group *g, const struct tcp_cc_conn *r);
/* NewReno's window at loss, end of recovery and RTO (RFC 5681 §3.1-3.2,
 * RFC 6582 §3.2 step 3), for the coupled algorithms. */
void mptcp_cc_reno_loss(struct tcp_cc_conn *c);
void mptcp_cc_reno_exit_recovery(struct tcp_cc_conn *c);
void mptcp_cc_reno_rto(struct tcp_cc_conn *c, bool first);
/* NewReno congestion avoidance with byte counting against @den bytes
 * (RFC 3465 §2.1; den = cwnd is NewReno). */
void mptcp_cc_reno_ca(struct tcp_cc_conn *c, uint32_t *bytes_acked, uint32_t acked, uint64_t den);

#endif
