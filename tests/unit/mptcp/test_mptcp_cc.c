/* SPDX-License-Identifier: BSD-3-Clause */
/* Coupled congestion control: LIA (RFC 6356) and OLIA (Khalili et al.,
 * "MPTCP is not Pareto-optimal", CoNEXT 2012, §4; draft-khalili-mptcp-
 * congestion-control-05 §3), driven through the tcp_cc interface. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tcp/cc.h"
#include "mptcp/cc_coupled.h"

#define MSS 1000u

/* A subflow in congestion avoidance with @cwnd bytes and @srtt_us. */
static void member(struct tcp_cc *cc, const struct tcp_cc_ops *ops, uint32_t cwnd,
		   uint32_t srtt_us)
{
	tcp_cc_init(cc, ops, MSS, 0);
	cc->c.cwnd = cwnd;
	cc->c.ssthresh = 2 * MSS;        /* below cwnd: congestion avoidance */
	cc->c.srtt_us = srtt_us;
}

static void ack(struct tcp_cc *cc, uint32_t bytes)
{
	tcp_cc_on_ack(cc, cc->c.cwnd, 0, bytes, 0);
}

static struct mptcp_olia *olia(struct tcp_cc *cc)
{
	return (struct mptcp_olia *)cc->priv;
}

/* "lia" and "olia" are found by name once registered (idempotent). */
static void test_register(void **state)
{
	(void)state;
	assert_int_equal(mptcp_cc_register(), 0);
	assert_int_equal(mptcp_cc_register(), 0);
	assert_ptr_equal(tcp_cc_find("lia"), &mptcp_cc_lia);
	assert_ptr_equal(tcp_cc_find("olia"), &mptcp_cc_olia);
	assert_ptr_equal(tcp_cc_find(MPTCP_CC_DEFAULT), &mptcp_cc_lia);
}

/* Group membership sets and clears tcp_cc_conn.group. */
static void test_group(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc a, b;

	mptcp_cc_group_init(&g);
	member(&a, &mptcp_cc_lia, 10 * MSS, 10000);
	member(&b, &mptcp_cc_lia, 10 * MSS, 10000);
	assert_int_equal(mptcp_cc_group_add(&g, &a), 0);
	assert_int_equal(mptcp_cc_group_add(&g, &a), -EEXIST);
	assert_int_equal(mptcp_cc_group_add(&g, &b), 0);
	assert_ptr_equal(a.c.group, &g);
	assert_int_equal(g.n, 2);
	mptcp_cc_group_del(&g, &a);
	assert_null(a.c.group);
	assert_int_equal(g.n, 1);
	assert_ptr_equal(g.member[0], &b);
	mptcp_cc_group_del(&g, &a);      /* not a member: no-op */
	assert_int_equal(g.n, 1);
}

/*
 * RFC 6356 §4, alpha by hand. Subflow 1: cwnd 10000 B, rtt 10 ms;
 * subflow 2: cwnd 20000 B, rtt 40 ms (RTTs in ms, units cancel).
 *   cwnd_total               = 30000
 *   max cwnd_i / rtt_i^2     = max(10000/100, 20000/1600) = 100
 *   (sum cwnd_i / rtt_i)^2   = (1000 + 500)^2 = 2250000
 *   alpha = 30000 * 100 / 2250000 = 4/3; << 20: floor(1398101.33) = 1398101
 * Per ACK on subflow 2 (1000 B, MSS 1000):
 *   min(alpha*1000*1000/30000, 1000*1000/20000) = min(44.4, 50) = 44.4 B,
 * i.e. one MSS per cwnd_total/alpha = 22500 B acknowledged.
 * After that increase (cwnd_2 = 21000): S_1 = 10000 + 21000*10/40 = 15250,
 * cwnd_total/alpha = S_1^2 / cwnd_1 = 23256.25 -> 23256, alpha << 20 =
 * floor(31000 * 10000 * 2^20 / 15250^2) = 1397725.
 */
static void test_lia_alpha_example(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc a, b;
	uint64_t total;

	mptcp_cc_group_init(&g);
	member(&a, &mptcp_cc_lia, 10000, 10000);
	member(&b, &mptcp_cc_lia, 20000, 40000);
	mptcp_cc_group_add(&g, &a);
	mptcp_cc_group_add(&g, &b);
	assert_int_equal(mptcp_lia_alpha(&g, &total), 1398101);
	assert_int_equal(total, 30000);
	assert_int_equal(g.lia_den, 22500);
	for (int i = 0; i < 22; i++)
		ack(&b, 1000);
	assert_int_equal(b.c.cwnd, 20000);     /* 22000 < 22500 */
	ack(&b, 1000);
	assert_int_equal(b.c.cwnd, 21000);
	assert_int_equal(a.c.cwnd, 10000);
	/* alpha follows the window change. */
	assert_int_equal(mptcp_lia_alpha(&g, &total), 1397725);
	assert_int_equal(total, 31000);
	assert_int_equal(g.lia_den, 23256);
	/* Subflow 1's own Reno term (1000*1000/10000 = 100 B per ACK) is
	 * the larger one, so it too grows one MSS per 23256 B. */
	for (int i = 0; i < 23; i++)
		ack(&a, 1000);
	assert_int_equal(a.c.cwnd, 10000);
	ack(&a, 1000);
	assert_int_equal(a.c.cwnd, 11000);
}

/* RFC 6356 §4 with equal paths: alpha = 2w * (w/r^2) / (2w/r)^2 = 1/2,
 * exactly 2^19; a member without an RTT sample is not coupled yet; a
 * member in fast recovery counts with ssthresh, not the inflated cwnd. */
static void test_lia_alpha_equal_paths(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc a, b, c;
	uint64_t total;

	mptcp_cc_group_init(&g);
	member(&a, &mptcp_cc_lia, 20000, 10000);
	member(&b, &mptcp_cc_lia, 20000, 10000);
	member(&c, &mptcp_cc_lia, 50000, 0);
	mptcp_cc_group_add(&g, &a);
	mptcp_cc_group_add(&g, &b);
	mptcp_cc_group_add(&g, &c);
	assert_int_equal(mptcp_lia_alpha(&g, &total), 1u << 19);
	assert_int_equal(total, 40000);
	b.c.in_recovery = true;
	b.c.ssthresh = 20000;
	b.c.cwnd = 23000;                /* ssthresh + 3 MSS (RFC 5681) */
	assert_int_equal(mptcp_lia_alpha(&g, &total), 1u << 19);
	assert_int_equal(total, 40000);
}

/* The tcp_cc script both algorithms run in the Reno comparisons. */
static void run_script(struct tcp_cc *x, struct tcp_cc *r)
{
	uint64_t now = 0;

	for (int i = 0; i < 300; i++) {
		uint32_t acked = (i % 7 == 3) ? 2900 : (i % 5 == 0 ? 400 : MSS);

		if (i == 40 || i == 150) {
			tcp_cc_enter_recovery(x, x->c.cwnd, now);
			tcp_cc_enter_recovery(r, r->c.cwnd, now);
		} else if (i == 45 || i == 155) {
			tcp_cc_exit_recovery(x, x->c.cwnd / 2, now);
			tcp_cc_exit_recovery(r, r->c.cwnd / 2, now);
		} else if (i == 100) {
			tcp_cc_on_rto(x, x->c.cwnd, now, true);
			tcp_cc_on_rto(r, r->c.cwnd, now, true);
			tcp_cc_on_rto(x, x->c.cwnd, now, false);
			tcp_cc_on_rto(r, r->c.cwnd, now, false);
		} else if (!x->c.in_recovery) {
			tcp_cc_on_ack(x, x->c.cwnd, now, acked, 10000);
			tcp_cc_on_ack(r, r->c.cwnd, now, acked, 10000);
		}
		assert_int_equal(x->c.cwnd, r->c.cwnd);
		assert_int_equal(x->c.ssthresh, r->c.ssthresh);
		now += 1000;
	}
}

/* RFC 6356 §4: with one subflow alpha = 1 and the increase is
 * bytes_acked * MSS / cwnd, i.e. exactly NewReno (§3 goal 2, "do no
 * harm", for the single-path case); slow start, loss and RTO are Reno's
 * by definition. Same script, same windows, step by step. */
static void test_lia_single_is_reno(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc l, r;

	mptcp_cc_group_init(&g);
	tcp_cc_init(&l, &mptcp_cc_lia, MSS, 0);
	tcp_cc_init(&r, &tcp_cc_newreno, MSS, 0);
	l.c.srtt_us = 10000;
	mptcp_cc_group_add(&g, &l);
	run_script(&l, &r);
	assert_int_equal(mptcp_lia_alpha(&g, NULL), 1u << MPTCP_LIA_ALPHA_SHIFT);
	/* No group at all (plain TCP selecting "lia"): Reno too. */
	tcp_cc_init(&l, &mptcp_cc_lia, MSS, 0);
	tcp_cc_init(&r, &tcp_cc_newreno, MSS, 0);
	run_script(&l, &r);
}

/* RFC 6356 §3 goal 2 (do no harm): two subflows on paths of equal RTT,
 * each acking its window every RTT, together grow no faster than one
 * Reno flow on one of those paths (here: about half as fast, alpha = 1/2
 * -> each subflow gains MSS/4 per RTT). */
static void test_lia_two_equal_no_more_than_reno(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc a, b, r;
	const uint32_t w0 = 20 * MSS;

	mptcp_cc_group_init(&g);
	member(&a, &mptcp_cc_lia, w0, 10000);
	member(&b, &mptcp_cc_lia, w0, 10000);
	member(&r, &tcp_cc_newreno, w0, 10000);
	mptcp_cc_group_add(&g, &a);
	mptcp_cc_group_add(&g, &b);
	for (int rtt = 0; rtt < 200; rtt++) {
		uint32_t wa = a.c.cwnd, wb = b.c.cwnd, wr = r.c.cwnd;

		for (uint32_t s = 0; s < wa; s += MSS)
			ack(&a, MSS);
		for (uint32_t s = 0; s < wb; s += MSS)
			ack(&b, MSS);
		for (uint32_t s = 0; s < wr; s += MSS)
			ack(&r, MSS);
		/* At every point of time, not just at the end. */
		assert_true((a.c.cwnd - w0) + (b.c.cwnd - w0) <= r.c.cwnd - w0);
	}
	uint32_t lia_inc = (a.c.cwnd - w0) + (b.c.cwnd - w0), reno_inc = r.c.cwnd - w0;

	assert_int_equal(reno_inc, 200 * MSS);      /* one MSS per RTT */
	assert_true(lia_inc >= reno_inc * 4 / 10);   /* ~ 1/2 of Reno's */
	assert_true(lia_inc <= reno_inc * 6 / 10);
	/* Balanced: the two subflows stay within one MSS of each other. */
	assert_true(a.c.cwnd - b.c.cwnd + MSS <= 2 * MSS);
}

/* RFC 6356 §4: the decrease is Reno's: halve on loss (RFC 5681 eq. 4),
 * one segment after an RTO; the other subflow is not touched. */
static void test_lia_decrease_halves(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc a, b;

	mptcp_cc_group_init(&g);
	member(&a, &mptcp_cc_lia, 20000, 10000);
	member(&b, &mptcp_cc_lia, 30000, 20000);
	mptcp_cc_group_add(&g, &a);
	mptcp_cc_group_add(&g, &b);
	tcp_cc_enter_recovery(&a, 20000, 0);
	assert_int_equal(a.c.ssthresh, 10000);
	assert_int_equal(a.c.cwnd, 10000);
	assert_int_equal(b.c.cwnd, 30000);
	tcp_cc_exit_recovery(&a, 9000, 0);      /* RFC 6582 §3.2 step 3 (1) */
	assert_int_equal(a.c.cwnd, 10000);
	tcp_cc_on_rto(&b, 30000, 0, true);
	assert_int_equal(b.c.ssthresh, 15000);
	assert_int_equal(b.c.cwnd, MSS);
	tcp_cc_on_rto(&b, MSS, 0, false);       /* backoff keeps ssthresh */
	assert_int_equal(b.c.ssthresh, 15000);
	/* Floor: 2 * SMSS (RFC 5681 eq. 4). */
	tcp_cc_enter_recovery(&a, 3000, 0);
	assert_int_equal(a.c.cwnd, 2 * MSS);
}

/*
 * OLIA (Khalili et al. §4, draft §3), two paths, MSS 1000, windows in
 * segments w and RTTs in ms:
 *   A: w = 10, rtt 10, l = 50000 B;  B: w = 20, rtt 20, l = 100000 B.
 *   l/rtt^2: A 500, B 250 -> best set {A}; max window set M = {B};
 *   collected = {A}; alpha_A = 1/(2*1) = 1/2, alpha_B = -1/(2*1) = -1/2.
 *   (sum_p w_p/rtt_p)^2 = (1 + 1)^2 = 4.
 *   A per ACK: (10/100)/4 + 0.5/10  = 0.025 + 0.05   = 0.075 seg = 75 B
 *   B per ACK: (20/400)/4 - 0.5/20  = 0.0125 - 0.025 = -0.0125 seg = -12.5 B
 * In the fixed point of cc_olia.c (bytes << 20): 75 << 20 and -12.5 << 20,
 * both exact. A gains an MSS after 14 ACKs (1050 B), B loses one after 80.
 */
static void olia_two_paths(struct mptcp_cc_group *g, struct tcp_cc *a, struct tcp_cc *b)
{
	mptcp_cc_group_init(g);
	member(a, &mptcp_cc_olia, 10000, 10000);
	member(b, &mptcp_cc_olia, 20000, 20000);
	olia(a)->l1 = 50000;
	olia(b)->l1 = 100000;
	mptcp_cc_group_add(g, a);
	mptcp_cc_group_add(g, b);
}

static void test_olia_two_paths(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc a, b;
	uint32_t best, maxw, den[MPTCP_CC_GROUP_MAX];
	int num[MPTCP_CC_GROUP_MAX];

	olia_two_paths(&g, &a, &b);
	mptcp_olia_sets(&g, &best, &maxw, num, den);
	assert_int_equal(best, 1u << 0);
	assert_int_equal(maxw, 1u << 1);
	assert_int_equal(num[0], 1);
	assert_int_equal(den[0], 2);
	assert_int_equal(num[1], -1);
	assert_int_equal(den[1], 2);

	ack(&a, 1000);
	assert_int_equal(olia(&a)->frac, 75ll << 20);
	assert_int_equal(olia(&a)->l2, 1000);
	for (int i = 0; i < 12; i++)
		ack(&a, 1000);
	assert_int_equal(a.c.cwnd, 10000);       /* 975 B of growth */
	ack(&a, 1000);
	assert_int_equal(a.c.cwnd, 11000);       /* 1050 B */
	assert_int_equal(olia(&a)->frac, 50ll << 20);

	olia_two_paths(&g, &a, &b);
	ack(&b, 1000);
	assert_int_equal(olia(&b)->frac, -(25ll << 19));
	for (int i = 0; i < 78; i++)
		ack(&b, 1000);
	assert_int_equal(b.c.cwnd, 20000);
	ack(&b, 1000);                           /* 80 * -12.5 = -1000 B */
	assert_int_equal(b.c.cwnd, 19000);
	assert_int_equal(olia(&b)->frac, 0);
	/* ssthresh = cwnd as after a loss: the shrunk window stays in
	 * congestion avoidance instead of slow-starting back. */
	olia_two_paths(&g, &a, &b);
	b.c.ssthresh = 20000;
	for (int i = 0; i < 80; i++)
		ack(&b, 1000);
	assert_int_equal(b.c.cwnd, 19000);
	assert_int_equal(b.c.ssthresh, 19000);
	ack(&b, 1000);
	assert_int_equal(b.c.cwnd, 19000);
}

/*
 * OLIA, three paths of equal RTT (10 ms), MSS 1000:
 *   w = 20, 20, 10 segments; l = 30000, 30000, 60000 B.
 *   best set {2} (largest l, same rtt); M = {0, 1}; collected = {2}
 *   alpha_2 = 1/(3*1) = 1/3; alpha_0 = alpha_1 = -1/(3*2) = -1/6.
 *   (sum w_p/rtt_p)^2 = (50/10)^2 = 25.
 *   path 2 per ACK: (10/100)/25 + (1/3)/10 = 0.004 + 0.0333 = 37.33 B
 *   path 0 per ACK: (20/100)/25 - (1/6)/20 = 0.008 - 0.00833 = -0.33 B
 * Fixed point (<< 20), with S = 50000 B:
 *   path 2: 10^6*2^20*10000/50000^2 + floor(10^6*2^20/(3*10000))
 *         = 4194304 + 34952533 = 39146837
 *   path 0: 10^6*2^20*20000/50000^2 - floor(10^6*2^20/(6*20000))
 *         = 8388608 - 8738133 = -349525
 */
static void test_olia_three_paths(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc p[3];
	uint32_t best, maxw, den[MPTCP_CC_GROUP_MAX];
	int num[MPTCP_CC_GROUP_MAX];

	mptcp_cc_group_init(&g);
	member(&p[0], &mptcp_cc_olia, 20000, 10000);
	member(&p[1], &mptcp_cc_olia, 20000, 10000);
	member(&p[2], &mptcp_cc_olia, 10000, 10000);
	olia(&p[0])->l1 = 30000;
	olia(&p[1])->l2 = 30000;                 /* l = max(l1, l2) */
	olia(&p[2])->l1 = 60000;
	olia(&p[2])->l2 = 1000;
	for (int i = 0; i < 3; i++)
		mptcp_cc_group_add(&g, &p[i]);
	mptcp_olia_sets(&g, &best, &maxw, num, den);
	assert_int_equal(best, 1u << 2);
	assert_int_equal(maxw, (1u << 0) | (1u << 1));
	assert_int_equal(num[2], 1);
	assert_int_equal(den[2], 3);
	assert_int_equal(num[0], -1);
	assert_int_equal(den[0], 6);
	assert_int_equal(num[1], -1);
	assert_int_equal(den[1], 6);
	ack(&p[2], 1000);
	assert_int_equal(olia(&p[2])->frac, 39146837);
	ack(&p[0], 1000);
	assert_int_equal(olia(&p[0])->frac, -349525);
}

/* OLIA: when the best path also has the largest window, collected is
 * empty and every alpha_r is 0 (only the LIA-like first term remains);
 * equal l/rtt^2 puts both paths in the best set. */
static void test_olia_collected_empty(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc a, b;
	uint32_t best, maxw, den[MPTCP_CC_GROUP_MAX];
	int num[MPTCP_CC_GROUP_MAX];

	mptcp_cc_group_init(&g);
	member(&a, &mptcp_cc_olia, 20000, 10000);
	member(&b, &mptcp_cc_olia, 10000, 10000);
	olia(&a)->l1 = 60000;
	olia(&b)->l1 = 30000;
	mptcp_cc_group_add(&g, &a);
	mptcp_cc_group_add(&g, &b);
	mptcp_olia_sets(&g, &best, &maxw, num, den);
	assert_int_equal(best, 1u << 0);
	assert_int_equal(maxw, 1u << 0);
	assert_int_equal(num[0], 0);
	assert_int_equal(num[1], 0);
	/* path b per ACK: (10/100)/(30/10)^2 = 1/90 seg = 11.1 B:
	 * 10^6 * 2^20 * 10000 / 30000^2 = floor(11650844.4) */
	ack(&b, 1000);
	assert_int_equal(olia(&b)->frac, 11650844);
	/* Same l and rtt: both in B; b (smaller window) is then collected. */
	olia(&b)->l1 = 60000;
	mptcp_olia_sets(&g, &best, &maxw, num, den);
	assert_int_equal(best, 3);
	assert_int_equal(num[1], 1);
	assert_int_equal(den[1], 2);
	assert_int_equal(num[0], -1);
	assert_int_equal(den[0], 2);
}

/* OLIA's inter-loss distances (paper §4: l1 between the last two losses,
 * l2 since the last one); a group of one is NewReno, like LIA. */
static void test_olia_losses_and_single(void **state)
{
	(void)state;
	struct mptcp_cc_group g;
	struct tcp_cc o, r;

	mptcp_cc_group_init(&g);
	member(&o, &mptcp_cc_olia, 10000, 10000);
	mptcp_cc_group_add(&g, &o);
	for (int i = 0; i < 5; i++)
		ack(&o, 1000);
	assert_int_equal(olia(&o)->l2, 5000);
	tcp_cc_enter_recovery(&o, 10000, 0);
	assert_int_equal(olia(&o)->l1, 5000);
	assert_int_equal(olia(&o)->l2, 0);
	assert_int_equal(o.c.cwnd, 5000);           /* Reno's halving */
	tcp_cc_on_rto(&o, 5000, 0, true);           /* no progress: l1 kept */
	assert_int_equal(olia(&o)->l1, 5000);

	mptcp_cc_group_init(&g);
	tcp_cc_init(&o, &mptcp_cc_olia, MSS, 0);
	tcp_cc_init(&r, &tcp_cc_newreno, MSS, 0);
	o.c.srtt_us = 10000;
	mptcp_cc_group_add(&g, &o);
	run_script(&o, &r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_lia_alpha_example),
		cmocka_unit_test(test_lia_alpha_equal_paths),
		cmocka_unit_test(test_lia_single_is_reno),
		cmocka_unit_test(test_lia_two_equal_no_more_than_reno),
		cmocka_unit_test(test_lia_decrease_halves),
		cmocka_unit_test(test_olia_two_paths),
		cmocka_unit_test(test_olia_three_paths),
		cmocka_unit_test(test_olia_collected_empty),
		cmocka_unit_test(test_olia_losses_and_single),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
