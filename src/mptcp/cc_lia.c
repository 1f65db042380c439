/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LIA, the Linked Increases Algorithm (RFC 6356), MPTCP's default coupled
 * congestion control, and the coupling group shared with OLIA
 * (cc_coupled.h).
 *
 * RFC 6356 §4: in congestion avoidance, for each ACK on subflow i,
 *
 *     cwnd_i += min(alpha * bytes_acked * MSS_i / cwnd_total,
 *                   bytes_acked * MSS_i / cwnd_i)
 *
 *     alpha = cwnd_total * max_i(cwnd_i / rtt_i^2) / (sum_i(cwnd_i / rtt_i))^2
 *
 * Arithmetic. The min above is bytes_acked * MSS_i / max(cwnd_i, D) with
 * D = cwnd_total / alpha, so the increase is NewReno's byte counting
 * (RFC 3465 §2.1: one MSS per D bytes acknowledged) against the larger
 * of cwnd_i and D. With S_i = rtt_i * sum_p(cwnd_p / rtt_p) (cc_coupled.h),
 *
 *     cwnd_i / rtt_i^2 / (sum_p cwnd_p / rtt_p)^2 = cwnd_i / S_i^2,
 *
 * so alpha = cwnd_total * max_i(cwnd_i / S_i^2) and D = min_i(S_i^2 /
 * cwnd_i): cwnd_total cancels. Each S_i is a sum of integer quotients (the
 * i-th term, cwnd_i, is exact) below 2^57, S_i^2 fits in 128 bits, and D
 * needs one 128-bit division per subflow, done only when a window changed
 * (RFC 6356 §4 lets alpha be computed when windows change, not per ACK).
 * A group of one has S = cwnd, D = cwnd: exactly NewReno.
 */

#include <errno.h>
#include <string.h>
#include "cc_coupled.h"

#ifndef __SIZEOF_INT128__
#error "cc_lia.c needs a compiler with unsigned __int128"
#endif
typedef unsigned __int128 u128;

/* ---- the group ------------------------------------------------------ */

void mptcp_cc_group_init(struct mptcp_cc_group *g)
{
	memset(g, 0, sizeof(*g));
}

int mptcp_cc_group_add(struct mptcp_cc_group *g, struct tcp_cc *cc)
{
	for (unsigned i = 0; i < g->n; i++)
		if (g->member[i] == cc)
			return -EEXIST;
	if (g->n == MPTCP_CC_GROUP_MAX)
		return -ENOSPC;
	g->member[g->n++] = cc;
	cc->c.group = g;
	g->lia_valid = false;
	return 0;
}

void mptcp_cc_group_del(struct mptcp_cc_group *g, struct tcp_cc *cc)
{
	for (unsigned i = 0; i < g->n; i++) {
		if (g->member[i] != cc)
			continue;
		g->member[i] = g->member[g->n - 1];
		g->member[--g->n] = NULL;
		if (cc->c.group == g)
			cc->c.group = NULL;
		g->lia_valid = false;
		return;
	}
}

int mptcp_cc_member_index(const struct mptcp_cc_group *g, const struct tcp_cc_conn *c)
{
	if (g == NULL)
		return -1;
	for (unsigned i = 0; i < g->n; i++)
		if (&g->member[i]->c == c)
			return (int)i;
	return -1;
}

uint64_t mptcp_cc_rate_sum(const struct mptcp_cc_group *g, const struct tcp_cc_conn *r)
{
	uint64_t rtt_r = mptcp_cc_rtt(r), s = 0;

	for (unsigned p = 0; p < g->n; p++) {
		const struct tcp_cc_conn *c = &g->member[p]->c;

		if (c == r)
			s += mptcp_cc_eff_cwnd(c);
		else if (mptcp_cc_coupled(c))
			/* < 2^30 * 2^24: fits; the sum of 8 stays < 2^57 */
			s += (uint64_t)mptcp_cc_eff_cwnd(c) * rtt_r / mptcp_cc_rtt(c);
	}
	return s;
}

/* ---- Reno pieces (same as cc_newreno.c) -------------------------------- */

void mptcp_cc_reno_loss(struct tcp_cc_conn *c)
{
	c->ssthresh = tcp_cc_half_flight(c);   /* RFC 5681 eq. 4 */
	c->cwnd = c->ssthresh;
}

void mptcp_cc_reno_exit_recovery(struct tcp_cc_conn *c)
{
	uint32_t f = c->flight > c->mss ? c->flight : c->mss;

	/* RFC 6582 §3.2 step 3 option (1): min(ssthresh, max(FlightSize,
	 * SMSS) + SMSS). */
	c->cwnd = f + c->mss < c->ssthresh ? f + c->mss : c->ssthresh;
}

void mptcp_cc_reno_rto(struct tcp_cc_conn *c, bool first)
{
	if (first)
		c->ssthresh = tcp_cc_half_flight(c);
	c->cwnd = c->mss;                       /* loss window */
}

void mptcp_cc_reno_ca(struct tcp_cc_conn *c, uint32_t *bytes_acked, uint32_t acked, uint64_t den)
{
	if (den > UINT32_MAX)
		den = UINT32_MAX;
	*bytes_acked = *bytes_acked > UINT32_MAX - acked ? UINT32_MAX : *bytes_acked + acked;
	if (*bytes_acked >= den) {
		*bytes_acked -= (uint32_t)den;
		if (c->cwnd <= TCP_CC_CWND_MAX - c->mss)
			c->cwnd += c->mss;
	}
}

/* ---- alpha ------------------------------------------------------------ */

/* Recompute alpha and D when a member's window (or the coupled set)
 * changed since the last time. */
static void lia_refresh(struct mptcp_cc_group *g)
{
	bool stale = !g->lia_valid;
	uint64_t total = 0, den = UINT64_MAX, alpha;
	int best = -1;
	u128 best_s2 = 0;

	for (unsigned i = 0; i < g->n; i++) {
		const struct tcp_cc_conn *c = &g->member[i]->c;
		uint32_t w = mptcp_cc_coupled(c) ? mptcp_cc_eff_cwnd(c) : 0;

		if (g->snap_cwnd[i] != w) {
			g->snap_cwnd[i] = w;
			stale = true;
		}
		total += w;
	}
	if (!stale)
		return;
	for (unsigned i = 0; i < g->n; i++) {
		const struct tcp_cc_conn *c = &g->member[i]->c;
		uint64_t s;
		u128 s2, d;

		if (g->snap_cwnd[i] == 0)
			continue;
		s = mptcp_cc_rate_sum(g, c);
		s2 = (u128)s * s;
		d = s2 / g->snap_cwnd[i];
		if (d < den) {
			den = d > UINT64_MAX ? UINT64_MAX : (uint64_t)d;
			best = (int)i;
			best_s2 = s2;
		}
	}
	if (best < 0) {
		/* Nothing coupled yet: alpha = 1, D = 0 (plain Reno). */
		alpha = 1ull << MPTCP_LIA_ALPHA_SHIFT;
		den = 0;
	} else {
		/* alpha = cwnd_total * cwnd_b / S_b^2 (< 2^33 * 2^30 * 2^20) */
		u128 a = ((u128)total * g->snap_cwnd[best] << MPTCP_LIA_ALPHA_SHIFT) / best_s2;

		alpha = a > UINT64_MAX ? UINT64_MAX : (uint64_t)a;
	}
	g->lia_alpha = alpha;
	g->lia_total = total;
	g->lia_den = den;
	g->lia_valid = true;
}

uint64_t mptcp_lia_alpha(struct mptcp_cc_group *g, uint64_t *total)
{
	lia_refresh(g);
	if (total)
		*total = g->lia_total;
	return g->lia_alpha;
}

/* ---- the algorithm ---------------------------------------------------- */

struct lia {
	uint32_t bytes_acked;    /* RFC 3465 §2.1 counter for CA */
};
_Static_assert(sizeof(struct lia) <= TCP_CC_PRIV_MAX, "lia state too large");

static void lia_init(void *priv, struct tcp_cc_conn *c)
{
	struct lia *l = priv;

	(void)c;
	l->bytes_acked = 0;
}

static void lia_on_ack(void *priv, struct tcp_cc_conn *c, uint32_t acked, uint32_t rtt_us)
{
	struct lia *l = priv;
	struct mptcp_cc_group *g = c->group;
	uint64_t den = c->cwnd;

	(void)rtt_us;
	if (!c->cwnd_limited || acked == 0)
		return;
	/* RFC 6356 §4: slow start is unchanged. */
	acked = tcp_cc_slow_start(c, acked);
	if (acked == 0)
		return;
	if (mptcp_cc_coupled(c) && mptcp_cc_member_index(g, c) >= 0) {
		lia_refresh(g);
		if (g->lia_den > den)
			den = g->lia_den;
	}
	mptcp_cc_reno_ca(c, &l->bytes_acked, acked, den);
}

static void lia_enter_recovery(void *priv, struct tcp_cc_conn *c)
{
	struct lia *l = priv;

	mptcp_cc_reno_loss(c);   /* RFC 6356 §4: decrease as Reno */
	l->bytes_acked = 0;
}

static void lia_exit_recovery(void *priv, struct tcp_cc_conn *c)
{
	(void)priv;
	mptcp_cc_reno_exit_recovery(c);
}

static void lia_on_rto(void *priv, struct tcp_cc_conn *c, bool first)
{
	struct lia *l = priv;

	mptcp_cc_reno_rto(c, first);
	l->bytes_acked = 0;
}

const struct tcp_cc_ops mptcp_cc_lia = {
	.name = "lia",
	.priv_size = sizeof(struct lia),
	.init = lia_init,
	.on_ack = lia_on_ack,
	.enter_recovery = lia_enter_recovery,
	.exit_recovery = lia_exit_recovery,
	.on_rto = lia_on_rto,
	.on_idle = NULL,
};

int mptcp_cc_register(void)
{
	const struct tcp_cc_ops *all[] = { &mptcp_cc_lia, &mptcp_cc_olia };

	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const struct tcp_cc_ops *o = tcp_cc_find(all[i]->name);
		int rc;

		if (o == all[i])
			continue;
		rc = tcp_cc_register(all[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}
