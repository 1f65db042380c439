/* SPDX-License-Identifier: BSD-3-Clause */
/* Congestion control: NewReno (RFC 5681, RFC 3465, RFC 6582) and CUBIC
 * (RFC 9438), driven with a virtual clock. */

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tcp/cc.h"

#define MSS 1000u

/* RFC 5681 §3.1: IW = min(4*SMSS, max(2*SMSS, 4380)); ssthresh starts
 * arbitrarily high. */
static void test_initial_window(void **state)
{
	(void)state;
	struct tcp_cc cc;

	assert_int_equal(tcp_cc_initial_window(1460), 4380);
	assert_int_equal(tcp_cc_initial_window(1000), 4000);
	assert_int_equal(tcp_cc_initial_window(2190), 4380);
	assert_int_equal(tcp_cc_initial_window(3000), 6000);
	tcp_cc_init(&cc, &tcp_cc_newreno, MSS, 0);
	assert_int_equal(cc.c.cwnd, 4000);
	assert_int_equal(cc.c.ssthresh, UINT32_MAX);
	tcp_cc_init(&cc, &tcp_cc_newreno, MSS, 10 * MSS);   /* RFC 6928 */
	assert_int_equal(cc.c.cwnd, 10000);
}

/* RFC 5681 §3.1 slow start with RFC 3465 §2.2 ABC, L = 2*SMSS. */
static void test_newreno_slow_start(void **state)
{
	(void)state;
	struct tcp_cc cc;

	tcp_cc_init(&cc, &tcp_cc_newreno, MSS, 0);
	tcp_cc_on_ack(&cc, 4000, 0, 1000, 0);
	assert_int_equal(cc.c.cwnd, 5000);
	tcp_cc_on_ack(&cc, 4000, 0, 3000, 0);      /* a stretch ACK: +2 SMSS only */
	assert_int_equal(cc.c.cwnd, 7000);
	tcp_cc_on_ack(&cc, 4000, 0, 500, 0);
	assert_int_equal(cc.c.cwnd, 7500);
	/* Not past ssthresh; the rest goes to congestion avoidance. */
	cc.c.ssthresh = 8000;
	tcp_cc_on_ack(&cc, 4000, 0, 2000, 0);
	assert_int_equal(cc.c.cwnd, 8000);
	/* Application-limited: no growth (RFC 7661). */
	cc.c.cwnd_limited = false;
	cc.c.ssthresh = UINT32_MAX;
	tcp_cc_on_ack(&cc, 4000, 0, 1000, 0);
	assert_int_equal(cc.c.cwnd, 8000);
}

/* RFC 5681 §3.1 congestion avoidance, byte counting (RFC 3465 §2.1): one
 * SMSS per cwnd of ACKed data. */
static void test_newreno_congestion_avoidance(void **state)
{
	(void)state;
	struct tcp_cc cc;

	tcp_cc_init(&cc, &tcp_cc_newreno, MSS, 0);
	cc.c.cwnd = 10000;
	cc.c.ssthresh = 5000;
	for (int i = 0; i < 9; i++)
		tcp_cc_on_ack(&cc, 10000, 0, 1000, 0);
	assert_int_equal(cc.c.cwnd, 10000);
	tcp_cc_on_ack(&cc, 10000, 0, 1000, 0);
	assert_int_equal(cc.c.cwnd, 11000);
	/* One RTT of ACKs (cwnd bytes) adds one SMSS. */
	for (int i = 0; i < 11; i++)
		tcp_cc_on_ack(&cc, 11000, 0, 1000, 0);
	assert_int_equal(cc.c.cwnd, 12000);
}

/* RFC 5681 §3.2 step 2 / eq. 4: ssthresh = max(FlightSize/2, 2*SMSS);
 * RFC 6582 §3.2 step 3 (1): exit with min(ssthresh, max(FS, SMSS)+SMSS). */
static void test_newreno_loss_and_recovery(void **state)
{
	(void)state;
	struct tcp_cc cc;

	tcp_cc_init(&cc, &tcp_cc_newreno, MSS, 0);
	cc.c.cwnd = 30000;
	tcp_cc_enter_recovery(&cc, 20000, 0);
	assert_true(cc.c.in_recovery);
	assert_int_equal(cc.c.ssthresh, 10000);
	assert_int_equal(cc.c.cwnd, 10000);
	tcp_cc_exit_recovery(&cc, 3000, 0);
	assert_false(cc.c.in_recovery);
	assert_int_equal(cc.c.cwnd, 4000);
	tcp_cc_enter_recovery(&cc, 20000, 0);
	tcp_cc_exit_recovery(&cc, 15000, 0);
	assert_int_equal(cc.c.cwnd, 10000);
	/* Tiny flight: at least 2 SMSS. */
	tcp_cc_enter_recovery(&cc, 1500, 0);
	assert_int_equal(cc.c.ssthresh, 2000);
}

/* RFC 5681 §3.1: on RTO ssthresh per eq. 4 (held on repeated timeouts of
 * the same segment) and cwnd = loss window = 1 SMSS; §4.1 restart after
 * idle resets to the initial window. */
static void test_newreno_rto_and_idle(void **state)
{
	(void)state;
	struct tcp_cc cc;

	tcp_cc_init(&cc, &tcp_cc_newreno, MSS, 0);
	cc.c.cwnd = 40000;
	tcp_cc_on_rto(&cc, 40000, 0, true);
	assert_int_equal(cc.c.ssthresh, 20000);
	assert_int_equal(cc.c.cwnd, MSS);
	tcp_cc_on_rto(&cc, 1000, 0, false);
	assert_int_equal(cc.c.ssthresh, 20000);
	assert_int_equal(cc.c.cwnd, MSS);
	cc.c.cwnd = 50000;
	tcp_cc_on_idle(&cc, 0);
	assert_int_equal(cc.c.cwnd, 4000);
}

/* Registry by name. */
static void test_registry(void **state)
{
	(void)state;
	static const struct tcp_cc_ops dup = {
		.name = "newreno", .init = NULL,
	};
	assert_ptr_equal(tcp_cc_find("newreno"), &tcp_cc_newreno);
	assert_ptr_equal(tcp_cc_find("cubic"), &tcp_cc_cubic);
	assert_ptr_equal(tcp_cc_find(NULL), &tcp_cc_cubic);
	assert_null(tcp_cc_find("vegas"));
	assert_int_equal(tcp_cc_register(&dup), -EINVAL);
	struct tcp_cc_ops copy = tcp_cc_newreno;
	assert_int_equal(tcp_cc_register(&copy), -EEXIST);
	static struct tcp_cc_ops lia;
	lia = tcp_cc_newreno;
	lia.name = "lia-test";
	assert_int_equal(tcp_cc_register(&lia), 0);
	assert_ptr_equal(tcp_cc_find("lia-test"), &lia);
}

static double w_cubic(double t, double k, double w_max)
{
	return TCP_CUBIC_C * pow(t - k, 3) + w_max;
}

/* Deliver one RTT of ACKs, one per segment of cwnd, spread over the RTT. */
static void one_rtt(struct tcp_cc *cc, uint64_t *now, uint32_t rtt_us)
{
	uint32_t segs = cc->c.cwnd / MSS;

	for (uint32_t i = 0; i < segs; i++) {
		*now += rtt_us / segs;
		tcp_cc_on_ack(cc, cc->c.cwnd, *now, MSS, rtt_us);
	}
}

/* RFC 9438 §4.2 (eq. 1, 2), §4.4/4.5: after a loss at W_max = 100
 * segments, cwnd follows W_cubic(t) = C (t - K)^3 + W_max with
 * K = cbrt((W_max - cwnd_epoch) / C), staying between W_cubic(t) and
 * W_cubic(t + RTT); §4.6: ssthresh = flight * beta. */
static void test_cubic_growth_follows_formula(void **state)
{
	(void)state;
	struct tcp_cc cc;
	struct tcp_cubic *s = (struct tcp_cubic *)cc.priv;
	const uint32_t rtt = 100000;   /* 100 ms */
	uint64_t now = 1000000, t0;

	tcp_cc_init(&cc, &tcp_cc_cubic, MSS, 0);
	cc.c.srtt_us = rtt;
	cc.c.cwnd = 100 * MSS;
	tcp_cc_enter_recovery(&cc, 100 * MSS, now);
	assert_int_equal(cc.c.ssthresh, 70 * MSS);
	assert_int_equal(cc.c.cwnd, 70 * MSS);
	assert_true(fabs(s->w_max - 100.0) < 1e-9);
	tcp_cc_exit_recovery(&cc, 70 * MSS, now);
	assert_int_equal(cc.c.cwnd, 70 * MSS);

	t0 = now;
	double k = cbrt((100.0 - 70.0) / TCP_CUBIC_C);
	for (int r = 0; r < 80; r++) {
		one_rtt(&cc, &now, rtt);
		double t = (double)(now - t0) / 1e6;
		double w = cc.c.cwnd / (double)MSS;
		if (r == 0)
			assert_true(fabs(s->k - k) < 1e-6);
		assert_true(w >= w_cubic(t, k, 100.0) - 1.5);
		/* Past W_max, W_est (alpha = 1 once above cwnd_prior) overtakes
		 * the slow convex start: the Reno-friendly region (§4.3). */
		double upper = fmax(w_cubic(t + rtt / 1e6, k, 100.0), s->w_est);
		assert_true(w <= upper + 1.0);
	}
	/* Past K the window is above W_max. */
	assert_true(cc.c.cwnd > 100 * MSS);
	assert_true(now - t0 > (uint64_t)(k * 1e6));
}

/* RFC 9438 §4.7 fast convergence: a loss below the previous W_max sets
 * W_max = cwnd * (1 + beta) / 2; without fast convergence W_max = cwnd. */
static void test_cubic_fast_convergence(void **state)
{
	(void)state;
	struct tcp_cc cc;
	struct tcp_cubic *s = (struct tcp_cubic *)cc.priv;

	tcp_cc_init(&cc, &tcp_cc_cubic, MSS, 0);
	cc.c.cwnd = 100 * MSS;
	tcp_cc_enter_recovery(&cc, 100 * MSS, 1);
	tcp_cc_exit_recovery(&cc, 70 * MSS, 1);
	assert_true(fabs(s->w_max - 100.0) < 1e-9);
	cc.c.cwnd = 80 * MSS;
	tcp_cc_enter_recovery(&cc, 80 * MSS, 2);
	assert_true(fabs(s->w_max - 80.0 * 1.7 / 2.0) < 1e-9);
	assert_int_equal(cc.c.cwnd, 56 * MSS);
	assert_true(fabs(s->cwnd_prior - 80.0) < 1e-9);

	tcp_cc_init(&cc, &tcp_cc_cubic, MSS, 0);
	s->fast_convergence = false;
	cc.c.cwnd = 100 * MSS;
	tcp_cc_enter_recovery(&cc, 100 * MSS, 1);
	cc.c.cwnd = 80 * MSS;
	tcp_cc_enter_recovery(&cc, 80 * MSS, 2);
	assert_true(fabs(s->w_max - 80.0) < 1e-9);
}

/* RFC 9438 §4.3 Reno-friendly region: with a short RTT W_cubic grows slower
 * than W_est = cwnd_epoch + alpha * acked/cwnd (alpha = 3(1-b)/(1+b), 1 once
 * W_est >= cwnd_prior), and cwnd follows W_est. */
static void test_cubic_reno_friendly_region(void **state)
{
	(void)state;
	struct tcp_cc cc;
	struct tcp_cubic *s = (struct tcp_cubic *)cc.priv;
	const uint32_t rtt = 1000;   /* 1 ms */
	uint64_t now = 1000000, t0;
	const double alpha = 3.0 * (1 - TCP_CUBIC_BETA) / (1 + TCP_CUBIC_BETA);
	double w_est, k;

	tcp_cc_init(&cc, &tcp_cc_cubic, MSS, 0);
	cc.c.srtt_us = rtt;
	cc.c.cwnd = 20 * MSS;
	tcp_cc_enter_recovery(&cc, 20 * MSS, now);
	tcp_cc_exit_recovery(&cc, 14 * MSS, now);
	assert_int_equal(cc.c.cwnd, 14 * MSS);
	k = cbrt((20.0 - 14.0) / TCP_CUBIC_C);
	w_est = 14.0;
	t0 = now;
	int friendly = 0;
	for (int r = 0; r < 200; r++) {
		uint32_t segs = cc.c.cwnd / MSS;
		for (uint32_t i = 0; i < segs; i++) {
			double w = cc.c.cwnd / (double)MSS;
			now += rtt / segs;
			w_est += (w_est >= 20.0 ? 1.0 : alpha) / w;
			tcp_cc_on_ack(&cc, cc.c.cwnd, now, MSS, rtt);
		}
		double t = (double)(now - t0) / 1e6;
		assert_true(fabs(s->w_est - w_est) < 1e-6);
		if (w_cubic(t, k, 20.0) < w_est) {
			friendly++;
			assert_true(fabs(cc.c.cwnd / (double)MSS - w_est) < 1.0);
		}
	}
	assert_true(friendly > 150);
	/* About 0.53 segments per RTT until 20, then 1 per RTT. */
	assert_true(cc.c.cwnd > 150 * MSS);
}

/* RFC 9438 §4.8: on RTO, ssthresh = flight * beta and cwnd = 1 SMSS; the
 * next congestion avoidance starts with K = 0 and W_max = cwnd. */
static void test_cubic_rto(void **state)
{
	(void)state;
	struct tcp_cc cc;
	struct tcp_cubic *s = (struct tcp_cubic *)cc.priv;
	uint64_t now = 1000;

	tcp_cc_init(&cc, &tcp_cc_cubic, MSS, 0);
	cc.c.srtt_us = 10000;
	cc.c.cwnd = 50 * MSS;
	tcp_cc_on_rto(&cc, 40 * MSS, now, true);
	assert_int_equal(cc.c.cwnd, MSS);
	assert_int_equal(cc.c.ssthresh, 28 * MSS);
	tcp_cc_on_rto(&cc, MSS, now, false);
	assert_int_equal(cc.c.ssthresh, 28 * MSS);
	/* Slow start back to ssthresh, then the first CA ACK starts an epoch. */
	while (cc.c.cwnd < cc.c.ssthresh)
		tcp_cc_on_ack(&cc, cc.c.cwnd, now += 100, MSS, 0);
	assert_int_equal(cc.c.cwnd, 28 * MSS);
	tcp_cc_on_ack(&cc, cc.c.cwnd, now += 100, MSS, 0);
	assert_true(s->k == 0.0);
	assert_true(fabs(s->w_max - 28.0) < 1e-9);
	assert_true(s->epoch_start_us == now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_window),
		cmocka_unit_test(test_newreno_slow_start),
		cmocka_unit_test(test_newreno_congestion_avoidance),
		cmocka_unit_test(test_newreno_loss_and_recovery),
		cmocka_unit_test(test_newreno_rto_and_idle),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_cubic_growth_follows_formula),
		cmocka_unit_test(test_cubic_fast_convergence),
		cmocka_unit_test(test_cubic_reno_friendly_region),
		cmocka_unit_test(test_cubic_rto),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
