/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NewReno congestion control: RFC 5681 §3.1 (slow start, congestion
 * avoidance), RFC 3465 (appropriate byte counting, L = 2), RFC 5681 §3.2
 * and RFC 6582 §3.2 for the window at loss and at the end of recovery.
 * Partial-ACK handling and window inflation are the engine's (cc.h).
 */

#include "cc.h"

struct newreno {
	uint32_t bytes_acked;    /* RFC 3465 §2.1 counter for CA */
};

_Static_assert(sizeof(struct newreno) <= TCP_CC_PRIV_MAX, "newreno state too large");

static void newreno_init(void *priv, struct tcp_cc_conn *c)
{
	struct newreno *nr = priv;

	(void)c;
	nr->bytes_acked = 0;
}

static void newreno_on_ack(void *priv, struct tcp_cc_conn *c, uint32_t acked, uint32_t rtt_us)
{
	struct newreno *nr = priv;

	(void)rtt_us;
	if (!c->cwnd_limited || acked == 0)
		return;
	acked = tcp_cc_slow_start(c, acked);
	if (acked == 0)
		return;
	/* Congestion avoidance with byte counting (RFC 3465 §2.1, RFC 5681
	 * §3.1): one SMSS per cwnd of acknowledged bytes. */
	nr->bytes_acked += acked;
	if (nr->bytes_acked >= c->cwnd) {
		nr->bytes_acked -= c->cwnd;
		if (c->cwnd <= TCP_CC_CWND_MAX - c->mss)
			c->cwnd += c->mss;
	}
}

static void newreno_enter_recovery(void *priv, struct tcp_cc_conn *c)
{
	struct newreno *nr = priv;

	c->ssthresh = tcp_cc_half_flight(c);   /* RFC 5681 eq. 4 */
	c->cwnd = c->ssthresh;
	nr->bytes_acked = 0;
}

static void newreno_exit_recovery(void *priv, struct tcp_cc_conn *c)
{
	uint32_t f = c->flight > c->mss ? c->flight : c->mss;

	(void)priv;
	/* RFC 6582 §3.2 step 3, option (1): min(ssthresh, max(FlightSize,
	 * SMSS) + SMSS), which avoids a burst after recovery. */
	c->cwnd = f + c->mss < c->ssthresh ? f + c->mss : c->ssthresh;
}

static void newreno_on_rto(void *priv, struct tcp_cc_conn *c, bool first)
{
	struct newreno *nr = priv;

	if (first)
		c->ssthresh = tcp_cc_half_flight(c);   /* RFC 5681 eq. 4 */
	c->cwnd = c->mss;                               /* loss window */
	nr->bytes_acked = 0;
}

const struct tcp_cc_ops tcp_cc_newreno = {
	.name = "newreno",
	.priv_size = sizeof(struct newreno),
	.init = newreno_init,
	.on_ack = newreno_on_ack,
	.enter_recovery = newreno_enter_recovery,
	.exit_recovery = newreno_exit_recovery,
	.on_rto = newreno_on_rto,
	.on_idle = NULL,
};
