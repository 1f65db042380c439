/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OLIA, the Opportunistic Linked Increases Algorithm: R. Khalili, N. Gast,
 * M. Popovic, J.-Y. Le Boudec, "MPTCP is not Pareto-optimal: performance
 * issues and a possible solution", CoNEXT 2012 (§4), and
 * draft-khalili-mptcp-congestion-control-05 §3.
 *
 * For each ACK on path r in congestion avoidance (windows w in packets):
 *
 *     w_r += (w_r / rtt_r^2) / (sum_p w_p / rtt_p)^2 + alpha_r / w_r
 *
 * l_r = max(l1_r, l2_r): l1_r bytes acknowledged between the last two
 * losses of r, l2_r bytes since the last one. B: the paths with the
 * largest l_r / rtt_r^2 (presumably the best ones); M: the paths with the
 * largest window; collected = B \ M. With |R| paths:
 *   collected empty:       alpha_r = 0 for every r;
 *   r in collected:        alpha_r =  1 / (|R| * |collected|);
 *   r in M (collected ≠ ∅): alpha_r = -1 / (|R| * |M|);
 *   otherwise:             alpha_r = 0.
 * Loss, recovery and RTO are Reno's.
 *
 * In bytes (W = w * MSS, per ACK of bytes_acked), the increase is
 *
 *     MSS_r * bytes_acked * (W_r / S_r^2 + alpha_r / W_r)
 *
 * with S_r = rtt_r * sum_p(W_p / rtt_p) (cc_coupled.h), which for one MSS
 * acknowledged and equal MSS is the packet formula times MSS. It is
 * accumulated in fixed point (bytes << 20, signed: alpha_r < 0 on paths in
 * M) and applied in whole MSS steps. M compares windows in segments
 * (cwnd / MSS) as the paper does. A group of one (or no group) runs
 * NewReno exactly.
 */

#include <string.h>
#include "cc_coupled.h"

typedef unsigned __int128 u128;

_Static_assert(sizeof(struct mptcp_olia) <= TCP_CC_PRIV_MAX, "olia state too large");

static uint64_t olia_l(const struct tcp_cc *m)
{
	const struct mptcp_olia *o;

	if (m->ops != &mptcp_cc_olia)
		return 0;
	o = (const struct mptcp_olia *)m->priv;
	return o->l1 > o->l2 ? o->l1 : o->l2;
}

/* l_a / rtt_a^2 compared with l_b / rtt_b^2: <0, 0, >0. */
static int cmp_best(const struct tcp_cc *a, const struct tcp_cc *b)
{
	uint64_t ra = mptcp_cc_rtt(&a->c), rb = mptcp_cc_rtt(&b->c);
	u128 x = (u128)olia_l(a) * (rb * rb), y = (u128)olia_l(b) * (ra * ra);

	return x < y ? -1 : x > y;
}

static uint32_t segs(const struct tcp_cc_conn *c)
{
	return mptcp_cc_eff_cwnd(c) / (c->mss ? c->mss : 1);
}

void mptcp_olia_sets(const struct mptcp_cc_group *g, uint32_t *best_mask, uint32_t *maxw_mask,
		     int alpha_num[MPTCP_CC_GROUP_MAX], uint32_t alpha_den[MPTCP_CC_GROUP_MAX])
{
	uint32_t B = 0, M = 0, coupled = 0, collected;
	unsigned nR = 0, nM = 0, nC = 0;
	int best = -1;
	uint32_t maxw = 0;

	for (unsigned i = 0; g && i < g->n; i++) {
		const struct tcp_cc *m = g->member[i];

		if (!mptcp_cc_coupled(&m->c))
			continue;
		coupled |= 1u << i;
		nR++;
		if (best < 0 || cmp_best(m, g->member[best]) > 0)
			best = (int)i;
		if (segs(&m->c) > maxw)
			maxw = segs(&m->c);
	}
	for (unsigned i = 0; g && i < g->n; i++) {
		const struct tcp_cc *m = g->member[i];

		if (!(coupled & (1u << i)))
			continue;
		if (cmp_best(m, g->member[best]) == 0)
			B |= 1u << i;
		if (segs(&m->c) == maxw) {
			M |= 1u << i;
			nM++;
		}
	}
	collected = B & ~M;
	for (unsigned i = 0; i < MPTCP_CC_GROUP_MAX; i++)
		nC += (collected >> i) & 1;
	for (unsigned i = 0; i < MPTCP_CC_GROUP_MAX; i++) {
		int num = 0;
		uint32_t den = 1;

		if (collected && (collected & (1u << i))) {
			num = 1;
			den = nR * nC;
		} else if (collected && (M & (1u << i))) {
			num = -1;
			den = nR * nM;
		}
		if (alpha_num)
			alpha_num[i] = num;
		if (alpha_den)
			alpha_den[i] = den;
	}
	if (best_mask)
		*best_mask = B;
	if (maxw_mask)
		*maxw_mask = M;
}

static unsigned coupled_count(const struct mptcp_cc_group *g)
{
	unsigned k = 0;

	for (unsigned i = 0; i < g->n; i++)
		k += mptcp_cc_coupled(&g->member[i]->c);
	return k;
}

static void olia_init(void *priv, struct tcp_cc_conn *c)
{
	(void)c;
	memset(priv, 0, sizeof(struct mptcp_olia));
}

static void olia_on_ack(void *priv, struct tcp_cc_conn *c, uint32_t acked, uint32_t rtt_us)
{
	struct mptcp_olia *o = priv;
	struct mptcp_cc_group *g = c->group;
	int self, num[MPTCP_CC_GROUP_MAX];
	uint32_t den[MPTCP_CC_GROUP_MAX];
	const int64_t step = (int64_t)c->mss << MPTCP_OLIA_FRAC_SHIFT;
	uint64_t s, w;
	u128 x;
	int64_t inc;

	(void)rtt_us;
	o->l2 += acked;                    /* bytes since the last loss */
	if (!c->cwnd_limited || acked == 0)
		return;
	acked = tcp_cc_slow_start(c, acked);
	if (acked == 0)
		return;
	self = mptcp_cc_member_index(g, c);
	if (self < 0 || !mptcp_cc_coupled(c) || coupled_count(g) < 2) {
		mptcp_cc_reno_ca(c, &o->bytes_acked, acked, c->cwnd);
		return;
	}
	mptcp_olia_sets(g, NULL, NULL, num, den);
	w = mptcp_cc_eff_cwnd(c);
	s = mptcp_cc_rate_sum(g, c);
	/* x = MSS * bytes_acked << 20 < 2^68; x * W < 2^98; S^2 < 2^114 */
	x = (u128)c->mss * acked << MPTCP_OLIA_FRAC_SHIFT;
	inc = (int64_t)(x * w / ((u128)s * s));
	if (num[self] != 0) {
		int64_t t = (int64_t)(x / ((u128)den[self] * w));

		inc += num[self] > 0 ? t : -t;
	}
	o->frac += inc;
	if (o->frac >= step) {
		o->frac -= step;
		if (c->cwnd <= TCP_CC_CWND_MAX - c->mss)
			c->cwnd += c->mss;
	} else if (o->frac <= -step) {
		o->frac += step;
		if (c->cwnd >= 2 * c->mss)
			c->cwnd -= c->mss;
		/* Stay in congestion avoidance: a window OLIA shrank must not
		 * slow-start back up to the old ssthresh. */
		if (c->ssthresh > c->cwnd)
			c->ssthresh = c->cwnd;
	}
}

/* A loss ends an inter-loss period: l1 = l2, l2 = 0 (an RTO backoff or a
 * loss with no progress since the last one keeps the previous l1). */
static void olia_loss(struct mptcp_olia *o)
{
	if (o->l2 != 0) {
		o->l1 = o->l2;
		o->l2 = 0;
	}
	o->frac = 0;
	o->bytes_acked = 0;
}

static void olia_enter_recovery(void *priv, struct tcp_cc_conn *c)
{
	olia_loss(priv);
	mptcp_cc_reno_loss(c);
}

static void olia_exit_recovery(void *priv, struct tcp_cc_conn *c)
{
	(void)priv;
	mptcp_cc_reno_exit_recovery(c);
}

static void olia_on_rto(void *priv, struct tcp_cc_conn *c, bool first)
{
	struct mptcp_olia *o = priv;

	if (first)
		olia_loss(o);
	o->frac = 0;
	o->bytes_acked = 0;
	mptcp_cc_reno_rto(c, first);
}

const struct tcp_cc_ops mptcp_cc_olia = {
	.name = "olia",
	.priv_size = sizeof(struct mptcp_olia),
	.init = olia_init,
	.on_ack = olia_on_ack,
	.enter_recovery = olia_enter_recovery,
	.exit_recovery = olia_exit_recovery,
	.on_rto = olia_on_rto,
	.on_idle = NULL,
};
