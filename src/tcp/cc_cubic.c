/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUBIC congestion control (RFC 9438). Windows are computed in segments
 * with doubles as in the RFC's equations, then applied to cwnd in bytes.
 * Slow start is RFC 5681 with ABC L = 2 (RFC 9438 §4.10); HyStart is not
 * implemented. Spurious-loss undo (§4.9) is not implemented.
 */

#include <math.h>
#include "cc.h"

_Static_assert(sizeof(struct tcp_cubic) <= TCP_CC_PRIV_MAX, "cubic state too large");

/* RFC 9438 §4.3: alpha_cubic = 3 * (1 - beta) / (1 + beta). */
#define ALPHA_AIMD (3.0 * (1.0 - TCP_CUBIC_BETA) / (1.0 + TCP_CUBIC_BETA))

static double w_cubic(const struct tcp_cubic *s, double t)
{
	double d = t - s->k;

	return TCP_CUBIC_C * d * d * d + s->w_max;   /* RFC 9438 eq. 1 */
}

static void cubic_init(void *priv, struct tcp_cc_conn *c)
{
	struct tcp_cubic *s = priv;

	(void)c;
	*s = (struct tcp_cubic){ .fast_convergence = true };
}

static void set_cwnd(struct tcp_cc_conn *c, double bytes)
{
	if (bytes > TCP_CC_CWND_MAX)
		bytes = TCP_CC_CWND_MAX;
	if (bytes < c->mss)
		bytes = c->mss;
	c->cwnd = (uint32_t)bytes;
}

static void cubic_on_ack(void *priv, struct tcp_cc_conn *c, uint32_t acked, uint32_t rtt_us)
{
	struct tcp_cubic *s = priv;
	double mss = c->mss, cwnd, segs, t, rtt, target, alpha;

	if (!c->cwnd_limited || acked == 0)
		return;
	acked = tcp_cc_slow_start(c, acked);
	if (acked == 0)
		return;

	cwnd = c->cwnd / mss;
	if (s->epoch_start_us == 0) {
		/* RFC 9438 §4.2: a new congestion avoidance stage. After an RTO,
		 * or when W_max is unknown or below cwnd, K = 0 and W_max = cwnd
		 * (§4.8, §4.10). */
		s->epoch_start_us = c->now_us ? c->now_us : 1;
		s->cwnd_epoch = cwnd;
		if (s->w_max <= cwnd) {
			s->w_max = cwnd;
			s->k = 0;
		} else {
			s->k = cbrt((s->w_max - cwnd) / TCP_CUBIC_C);  /* eq. 2 */
		}
		s->w_est = cwnd;
		s->frac = 0;
	}

	segs = acked / mss;
	t = (double)(c->now_us - s->epoch_start_us) / 1e6;
	rtt = (c->srtt_us ? c->srtt_us : rtt_us) / 1e6;

	/* §4.3 Reno-friendly estimate; alpha becomes 1 once W_est reaches the
	 * window before the last reduction. */
	alpha = s->w_est >= s->cwnd_prior ? 1.0 : ALPHA_AIMD;
	s->w_est += alpha * segs / cwnd;

	if (w_cubic(s, t) < s->w_est) {
		/* §4.3: Reno-friendly region: cwnd = W_est. */
		if (s->w_est > cwnd) {
			set_cwnd(c, s->w_est * mss);
			s->frac = 0;
		}
		return;
	}
	/* §4.4, §4.5: concave and convex regions: grow towards
	 * W_cubic(t + RTT), bounded to [cwnd, 1.5 cwnd], by
	 * (target - cwnd) / cwnd per acknowledged segment. */
	target = w_cubic(s, t + rtt);
	if (target < cwnd)
		target = cwnd;
	else if (target > 1.5 * cwnd)
		target = 1.5 * cwnd;
	s->frac += (target - cwnd) / cwnd * segs * mss;
	if (s->frac >= 1.0) {
		double whole = floor(s->frac);

		s->frac -= whole;
		set_cwnd(c, (double)c->cwnd + whole);
	}
}

/* Multiplicative decrease and fast convergence (RFC 9438 §4.6, §4.7). */
static void cubic_reduce(struct tcp_cubic *s, struct tcp_cc_conn *c)
{
	double mss = c->mss, cwnd = c->cwnd / mss, flight, ss;

	if (s->fast_convergence && cwnd < s->w_max)
		s->w_max = cwnd * (1.0 + TCP_CUBIC_BETA) / 2.0;
	else
		s->w_max = cwnd;
	s->cwnd_prior = cwnd;
	s->epoch_start_us = 0;
	/* ssthresh = flight_size * beta, at least 2 segments. */
	flight = (c->flight ? c->flight : c->cwnd) * TCP_CUBIC_BETA;
	ss = flight > 2.0 * mss ? flight : 2.0 * mss;
	c->ssthresh = (uint32_t)ss;
}

static void cubic_enter_recovery(void *priv, struct tcp_cc_conn *c)
{
	struct tcp_cubic *s = priv;

	cubic_reduce(s, c);
	c->cwnd = c->ssthresh;
}

static void cubic_on_rto(void *priv, struct tcp_cc_conn *c, bool first)
{
	struct tcp_cubic *s = priv;

	/* §4.8: ssthresh as for a loss, cwnd as in RFC 5681 (one segment);
	 * the next CA stage starts with K = 0 and W_max = cwnd at its start. */
	if (first) {
		cubic_reduce(s, c);
		s->w_max = 0;
	}
	s->epoch_start_us = 0;
	c->cwnd = c->mss;
}

static void cubic_on_idle(void *priv, struct tcp_cc_conn *c)
{
	struct tcp_cubic *s = priv;

	/* RFC 5681 §4.1 restart window; a new epoch so that the idle time
	 * does not count as growth time (RFC 9438 §5.8). */
	if (c->cwnd > c->iw)
		c->cwnd = c->iw;
	s->epoch_start_us = 0;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	.name = "cubic",
	.priv_size = sizeof(struct tcp_cubic),
	.init = cubic_init,
	.on_ack = cubic_on_ack,
	.enter_recovery = cubic_enter_recovery,
	.exit_recovery = NULL,
	.on_rto = cubic_on_rto,
	.on_idle = cubic_on_idle,
};
