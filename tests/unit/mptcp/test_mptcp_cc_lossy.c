/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Coupled congestion control next to a lossy path (issue 4): the LIA
 * arithmetic of cc_lia.c against RFC 6356 §4's formula evaluated in
 * floating point, and the windows LIA, OLIA and NewReno settle at in a
 * seeded round-by-round model of mpdk-demo's two paths (path 1: 20 ms
 * RTT, 1% loss; path 2: ~180 ms RTT with its queue, no loss, the window
 * capped by the 1 MB receive buffer). docs/scheduler.md, "A lossy path",
 * has the numbers of the stack-level measurement these explain
 * (tests/integration/test_mptcp_simlink_lossy.c).
 */

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "tcp/cc.h"
#include "mptcp/cc_coupled.h"

#define MSS 1448u

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: seeded, the same sequence on every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static double rnd_unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* A subflow in congestion avoidance with @cwnd bytes and @srtt_us. */
static void member(struct tcp_cc *cc, const struct tcp_cc_ops *ops, uint32_t cwnd,
		   uint32_t srtt_us)
{
	tcp_cc_init(cc, ops, MSS, 0);
	cc->c.cwnd = cwnd;
	cc->c.ssthresh = 2 * MSS;        /* below cwnd: congestion avoidance */
	cc->c.srtt_us = srtt_us;
}

/*
 * RFC 6356 §4: alpha = cwnd_total * max_i(cwnd_i / rtt_i^2) /
 * (sum_i cwnd_i / rtt_i)^2, and the per-ACK increase on subflow i is
 * min(alpha * acked * MSS_i / cwnd_total, acked * MSS_i / cwnd_i), i.e.
 * one MSS per max(cwnd_i, cwnd_total / alpha) bytes acknowledged. 2000
 * seeded groups of 2..4 subflows with windows of 2..2000 segments and
 * RTTs of 1..500 ms, among them demo-like ones (a 2-segment window on a
 * 20 ms path next to a 700-segment one on a 180 ms path): the integer
 * alpha and cwnd_total / alpha agree with the formula to 0.5%, and acking
 * one byte less than the computed threshold does not grow the window
 * while acking the rest does.
 */
static void test_lia_alpha_matches_rfc6356_formula(void **state)
{
	(void)state;
	rng_state = 0x6d70646b4c494131ull;
	for (int it = 0; it < 2000; it++) {
		struct mptcp_cc_group g;
		struct tcp_cc m[4];
		unsigned n = 2 + (unsigned)(rnd() % 3);
		double w[4], r[4], total = 0, best = 0, sum = 0;

		mptcp_cc_group_init(&g);
		for (unsigned i = 0; i < n; i++) {
			uint32_t segs = rnd_range(2, 2000), rtt = rnd_range(1000, 500000);
			if (it % 4 == 0 && i < 2) {   /* mpdk-demo's shape */
				segs = i == 0 ? 2 : rnd_range(600, 800);
				rtt = i == 0 ? 20400 : rnd_range(150000, 200000);
			}
			member(&m[i], &mptcp_cc_lia, segs * MSS, rtt);
			assert_int_equal(mptcp_cc_group_add(&g, &m[i]), 0);
			w[i] = (double)segs * MSS;
			r[i] = rtt;
			total += w[i];
			sum += w[i] / r[i];
			if (w[i] / (r[i] * r[i]) > best)
				best = w[i] / (r[i] * r[i]);
		}
		double alpha = total * best / (sum * sum);
		uint64_t tot = 0;
		double a = (double)mptcp_lia_alpha(&g, &tot) / (double)(1u << MPTCP_LIA_ALPHA_SHIFT);
		assert_int_equal(tot, (uint64_t)total);
		assert_true(fabs(a - alpha) <= 0.005 * alpha);
		double d = total / alpha;
		assert_true(fabs((double)g.lia_den - d) <= 0.005 * d + 1);

		/* The increase on one subflow: a full MSS exactly when
		 * max(cwnd_i, D) bytes have been acknowledged. */
		unsigned i = (unsigned)(rnd() % n);
		uint32_t w0 = m[i].c.cwnd;
		uint64_t thr = g.lia_den > w0 ? g.lia_den : w0;
		if (thr > UINT32_MAX - MSS)
			continue;
		tcp_cc_on_ack(&m[i], w0, 0, (uint32_t)thr - 1, 0);
		assert_int_equal(m[i].c.cwnd, w0);
		tcp_cc_on_ack(&m[i], w0, 0, 1, 0);
		assert_int_equal(m[i].c.cwnd, w0 + MSS);
	}
}

/*
 * A round-by-round model of two paths carrying a bulk transfer: every RTT
 * of a path its whole window is sent; each segment is lost with the
 * path's probability; a round with a loss is one fast recovery
 * (enter_recovery with FlightSize = cwnd, exit one round later), a clean
 * round acknowledges the window segment by segment. Path 2's window is
 * capped (the receive window): past the cap it is not cwnd-limited and
 * does not grow (RFC 7661, cc.h cwnd_limited). Time advances in 1 ms
 * steps; a path's round ends every rtt_ms.
 */
struct model_path {
	struct tcp_cc cc;
	uint32_t rtt_ms;
	double loss;
	uint32_t cap;          /* bytes; 0: none */
	bool recovering;
	double seg_sum;        /* sum of cwnd (segments) over rounds */
	uint64_t rounds, sent; /* rounds and segments sent */
};

static void model_round(struct model_path *p)
{
	uint32_t w = p->cc.c.cwnd;
	if (p->cap && w > p->cap)
		w = p->cap;
	uint32_t segs = (w + MSS - 1) / MSS;

	p->seg_sum += (double)w / MSS;
	p->rounds++;
	p->sent += segs;
	if (p->recovering) {
		/* the retransmission went through: the full ACK ends it */
		tcp_cc_exit_recovery(&p->cc, w, 0);
		p->recovering = false;
		return;
	}
	bool lost = false;
	for (uint32_t s = 0; s < segs; s++)
		if (rnd_unit() < p->loss)
			lost = true;
	if (lost) {
		tcp_cc_enter_recovery(&p->cc, w, 0);
		p->recovering = true;
		return;
	}
	p->cc.c.cwnd_limited = !(p->cap && p->cc.c.cwnd >= p->cap);
	for (uint32_t s = 0; s < segs; s++)
		tcp_cc_on_ack(&p->cc, w, 0, MSS, p->rtt_ms * 1000);
}

/* Run @secs of the model; returns path 1's mean window in segments. */
static double model_run(const struct tcp_cc_ops *ops, bool coupled, struct model_path p[2],
			unsigned secs)
{
	struct mptcp_cc_group g;

	mptcp_cc_group_init(&g);
	for (int i = 0; i < 2; i++) {
		tcp_cc_init(&p[i].cc, ops, MSS, 10 * MSS);
		p[i].cc.c.srtt_us = p[i].rtt_ms * 1000;
		if (coupled)
			assert_int_equal(mptcp_cc_group_add(&g, &p[i].cc), 0);
	}
	for (uint32_t ms = 1; ms <= secs * 1000; ms++)
		for (int i = 0; i < 2; i++)
			if (ms % p[i].rtt_ms == 0)
				model_round(&p[i]);
	return p[0].seg_sum / (double)p[0].rounds;
}

static void demo_paths(struct model_path p[2])
{
	memset(p, 0, 2 * sizeof(p[0]));
	p[0].rtt_ms = 20;
	p[0].loss = 0.01;
	p[1].rtt_ms = 180;
	p[1].loss = 0;
	p[1].cap = 700 * MSS;
}

/*
 * RFC 6356 §3 (goal 3, "balance congestion": move traffic off the most
 * congested path) and §4 (only the increase is coupled). On mpdk-demo's
 * paths path 2 never loses, so LIA's increase on path 1,
 * alpha * MSS / cwnd_total per segment acknowledged, is about MSS /
 * cwnd_2 (alpha ~ cwnd_total / cwnd_2 when path 2 dominates the sums):
 * one segment per ~700 acknowledged, while a loss every ~100 segments
 * halves it. Path 1's window therefore sits at the 2-segment floor of
 * RFC 5681 eq. 4 (mean under 3 segments), whereas NewReno alone on path 1
 * averages Mathis' ~1.2/sqrt(p) = 12 segments (between 8 and 20 here).
 * OLIA ends in the same place. This is the design, not a defect: the
 * coupled flow may not take more than TCP would on its best path (§2
 * goal 2), and path 2 alone already gives the whole receive window.
 */
static void test_lossy_path_equilibrium(void **state)
{
	(void)state;
	struct model_path p[2];
	double reno, lia, olia;

	assert_int_equal(mptcp_cc_register(), 0);
	rng_state = 0x4c4f535359303031ull;
	demo_paths(p);
	reno = model_run(&tcp_cc_newreno, false, p, 120);
	double reno_rate = (double)p[0].sent / 120;
	print_message("  path 1 mean cwnd: NewReno alone %.1f seg (%.0f seg/s)\n", reno,
		      reno_rate);
	assert_true(reno >= 8 && reno <= 20);
	assert_true(p[1].cc.c.cwnd >= p[1].cap);  /* path 2 reached its cap */

	rng_state = 0x4c4f535359303031ull;
	demo_paths(p);
	lia = model_run(&mptcp_cc_lia, true, p, 120);
	double lia_rate = (double)p[0].sent / 120;
	print_message("  path 1 mean cwnd: LIA %.2f seg (%.0f seg/s), path 2 at its cap %s\n",
		      lia, lia_rate, p[1].cc.c.cwnd >= p[1].cap ? "yes" : "no");
	assert_true(lia >= 2.0 && lia < 3.0);
	assert_true(p[1].cc.c.cwnd >= p[1].cap);
	/* §2 goal 2: no more than NewReno on the same path */
	assert_true(lia_rate < reno_rate);
	/* but the path stays in use: a 2-segment window every RTT */
	assert_true(lia_rate >= 2.0 * 1000 / p[0].rtt_ms * 0.9);

	rng_state = 0x4c4f535359303031ull;
	demo_paths(p);
	olia = model_run(&mptcp_cc_olia, true, p, 120);
	print_message("  path 1 mean cwnd: OLIA %.2f seg\n", olia);
	assert_true(olia >= 2.0 && olia < 3.0);
}

/*
 * RFC 6356 §3: when the other path is lossy too, the coupling shares
 * instead of starving: with path 2 losing 0.1% (and no cap), LIA keeps
 * path 1's window above the floor, below NewReno's on path 1 (goal 2),
 * and the total rate sum(w_i / rtt_i) reaches at least that of NewReno
 * on the better path alone (goal 1, with 20% slack for the model's
 * randomness; the seeded run is deterministic).
 */
static void test_lia_two_lossy_paths_goal1(void **state)
{
	(void)state;
	struct model_path p[2];
	double best = 0;

	assert_int_equal(mptcp_cc_register(), 0);
	for (int k = 0; k < 2; k++) {
		/* NewReno alone on path k+1 */
		rng_state = 0x474f414c31000000ull + (uint64_t)k;
		demo_paths(p);
		p[1].loss = 0.001;
		p[1].cap = 0;
		model_run(&tcp_cc_newreno, false, p, 300);
		double rate = (double)p[k].sent / 300;
		if (rate > best)
			best = rate;
	}
	rng_state = 0x474f414c31000002ull;
	demo_paths(p);
	p[1].loss = 0.001;
	p[1].cap = 0;
	double w1 = model_run(&mptcp_cc_lia, true, p, 300);
	double total = (double)(p[0].sent + p[1].sent) / 300;
	print_message("  LIA: path 1 mean cwnd %.1f seg; total %.0f seg/s, best single path %.0f seg/s\n",
		      w1, total, best);
	assert_true(w1 > 2.5);
	assert_true(total >= 0.8 * best);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lia_alpha_matches_rfc6356_formula),
		cmocka_unit_test(test_lossy_path_equilibrium),
		cmocka_unit_test(test_lia_two_lossy_paths_goal1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
