/* SPDX-License-Identifier: BSD-3-Clause */
/* Sender SACK scoreboard: RFC 6675 (IsLost, SetPipe, NextSeg), RFC 2018,
 * RFC 2883 (D-SACK detection); and sequence arithmetic (RFC 9293 §3.4). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "tcp/seq.h"
#include "tcp/sack.h"

#define MSS 1000u
#define B(s, e) ((struct tcp_sack_block){ (uint32_t)(s), (uint32_t)(e) })

static void sack1(struct tcp_sack_sb *sb, uint32_t una, uint32_t nxt, uint32_t s, uint32_t e,
		  struct tcp_sack_update_res *res)
{
	struct tcp_sack_block b = B(s, e);
	tcp_sack_update(sb, una, nxt, &b, 1, res);
}

/* RFC 9293 §3.4: comparisons modulo 2^32. */
static void test_seq_arith(void **state)
{
	(void)state;
	assert_true(SEQ_LT(1, 2));
	assert_true(SEQ_LT(0xfffffff0u, 0x10));
	assert_true(SEQ_GT(0x10, 0xfffffff0u));
	assert_true(SEQ_LEQ(5, 5) && SEQ_GEQ(5, 5));
	assert_false(SEQ_LT(5, 5));
	assert_int_equal(seq_diff(0x10, 0xfffffff0u), 0x20);
	assert_int_equal(seq_max(0xfffffff0u, 0x10), 0x10);
	assert_int_equal(seq_min(0xfffffff0u, 0x10), 0xfffffff0u);
	assert_true(seq_in(0x5, 0xfffffff0u, 0x10));
	assert_false(seq_in(0x10, 0xfffffff0u, 0x10));
	assert_true(seq_in_closed(0x10, 0xfffffff0u, 0x10));
	assert_false(seq_in(7, 7, 7));
}

/* RFC 2018 §4 / RFC 6675 §3: blocks merge, overlap and cover; newly SACKed
 * bytes are reported. */
static void test_merge(void **state)
{
	(void)state;
	struct tcp_sack_sb sb;
	struct tcp_sack_update_res r;

	tcp_sack_init(&sb, MSS);
	sack1(&sb, 1000, 11000, 3000, 4000, &r);
	assert_int_equal(r.newly_sacked, 1000);
	sack1(&sb, 1000, 11000, 4000, 5000, &r);   /* adjacent */
	assert_int_equal(sb.n, 1);
	assert_int_equal(sb.blk[0].start, 3000);
	assert_int_equal(sb.blk[0].end, 5000);
	sack1(&sb, 1000, 11000, 3500, 4500, &r);   /* inside */
	assert_int_equal(r.newly_sacked, 0);
	assert_int_equal(sb.n, 1);
	struct tcp_sack_block three[3] = { B(7000, 8000), B(9000, 9500), B(1500, 2000) };
	tcp_sack_update(&sb, 1000, 11000, three, 3, &r);
	assert_int_equal(sb.n, 4);
	assert_int_equal(sb.sacked, 2000 + 1000 + 500 + 500);
	/* One block covering several: [1800, 9200) joins all but the last. */
	sack1(&sb, 1000, 11000, 1800, 9200, &r);
	assert_int_equal(sb.n, 1);
	assert_int_equal(sb.blk[0].start, 1500);
	assert_int_equal(sb.blk[0].end, 9500);
	assert_int_equal(r.newly_sacked, 8000 - 4000);
	assert_int_equal(sb.sacked, 8000);
	assert_true(tcp_sack_is_sacked(&sb, 1500));
	assert_false(tcp_sack_is_sacked(&sb, 9500));
	assert_int_equal(tcp_sack_high(&sb, 1000), 9500);
}

/* RFC 2883 §4 D-SACK (first block below the cumulative ACK, or inside the
 * second) and blocks outside SND.UNA..SND.NXT are ignored and counted. */
static void test_dsack_and_out_of_window(void **state)
{
	(void)state;
	struct tcp_sack_sb sb;
	struct tcp_sack_update_res r;

	tcp_sack_init(&sb, MSS);
	struct tcp_sack_block d1[2] = { B(500, 1000), B(3000, 4000) };
	tcp_sack_update(&sb, 1000, 11000, d1, 2, &r);
	assert_int_equal(r.n_dsack, 1);
	assert_int_equal(sb.n, 1);
	struct tcp_sack_block d2[2] = { B(3200, 3400), B(3000, 4000) };
	tcp_sack_update(&sb, 1000, 11000, d2, 2, &r);
	assert_int_equal(r.n_dsack, 1);
	assert_int_equal(r.n_invalid, 0);
	struct tcp_sack_block bad[4] = { B(5000, 6000), B(10500, 12000), B(200, 900), B(7000, 7000) };
	tcp_sack_update(&sb, 1000, 11000, bad, 4, &r);
	assert_int_equal(r.n_invalid, 3);
	assert_int_equal(r.n_dsack, 0);
	assert_int_equal(sb.n, 2);
	assert_int_equal(sb.sacked, 2000);
}

/* RFC 6675 §5 (cumulative ACK): blocks at or below SND.UNA are discarded,
 * a block straddling it is trimmed. */
static void test_cumulative_ack(void **state)
{
	(void)state;
	struct tcp_sack_sb sb;
	struct tcp_sack_block b[3] = { B(3000, 4000), B(5000, 6000), B(7000, 8000) };

	tcp_sack_init(&sb, MSS);
	tcp_sack_update(&sb, 1000, 11000, b, 3, NULL);
	tcp_sack_ack(&sb, 4000);
	assert_int_equal(sb.n, 2);
	assert_int_equal(sb.sacked, 2000);
	tcp_sack_ack(&sb, 5500);
	assert_int_equal(sb.blk[0].start, 5500);
	assert_int_equal(sb.sacked, 1500);
	tcp_sack_ack(&sb, 11000);
	assert_int_equal(sb.n, 0);
	assert_int_equal(sb.sacked, 0);
}

/* RFC 6675 §4 IsLost: DupThresh (3) discontiguous SACKed blocks above, or
 * more than (DupThresh - 1) * SMSS SACKed bytes above. */
static void test_is_lost(void **state)
{
	(void)state;
	struct tcp_sack_sb sb;

	tcp_sack_init(&sb, MSS);
	sack1(&sb, 1000, 11000, 3000, 4000, NULL);
	assert_false(tcp_sack_is_lost(&sb, 1000));
	sack1(&sb, 1000, 11000, 5000, 6000, NULL);
	assert_false(tcp_sack_is_lost(&sb, 1000));
	sack1(&sb, 1000, 11000, 7000, 8000, NULL);
	assert_true(tcp_sack_is_lost(&sb, 1000));
	assert_true(tcp_sack_is_lost(&sb, 2999));
	assert_false(tcp_sack_is_lost(&sb, 3000));    /* SACKed */
	assert_false(tcp_sack_is_lost(&sb, 4000));    /* 2 blocks, 2000 bytes above */
	assert_false(tcp_sack_is_lost(&sb, 9000));

	/* Byte rule: exactly 2 * SMSS above is not enough, one more byte is. */
	tcp_sack_init(&sb, MSS);
	sack1(&sb, 1000, 11000, 3000, 5000, NULL);
	assert_false(tcp_sack_is_lost(&sb, 1000));
	sack1(&sb, 1000, 11000, 5000, 5001, NULL);
	assert_true(tcp_sack_is_lost(&sb, 1000));
}

/* RFC 6675 §4 SetPipe and NextSeg rules 1-4 through one recovery. */
static void test_pipe_and_next_seg(void **state)
{
	(void)state;
	struct tcp_sack_sb sb;
	struct tcp_sack_block b[3] = { B(3000, 4000), B(5000, 6000), B(7000, 8000) };
	uint32_t una = 1000, nxt = 11000, s, l;

	tcp_sack_init(&sb, MSS);
	tcp_sack_update(&sb, una, nxt, b, 3, NULL);
	/* [1000,3000) lost; not lost and not SACKed: 4000-5000, 6000-7000,
	 * 8000-11000. */
	assert_int_equal(tcp_sack_pipe(&sb, una, nxt), 5000);
	tcp_sack_enter_recovery(&sb, una, nxt);
	assert_int_equal(sb.recovery_point, 11000);

	assert_int_equal(tcp_sack_next_seg(&sb, una, nxt, true, &s, &l), TCP_SACK_NEXT_LOST);
	assert_int_equal(s, 1000);
	assert_int_equal(l, 1000);
	tcp_sack_mark_rxt(&sb, TCP_SACK_NEXT_LOST, s, l);
	assert_int_equal(tcp_sack_pipe(&sb, una, nxt), 6000);
	assert_int_equal(tcp_sack_next_seg(&sb, una, nxt, true, &s, &l), TCP_SACK_NEXT_LOST);
	assert_int_equal(s, 2000);
	assert_int_equal(l, 1000);     /* stops at the SACKed block */
	tcp_sack_mark_rxt(&sb, TCP_SACK_NEXT_LOST, s, l);
	assert_int_equal(tcp_sack_pipe(&sb, una, nxt), 7000);

	/* Rule 2 before rule 3. */
	assert_int_equal(tcp_sack_next_seg(&sb, una, nxt, true, &s, &l), TCP_SACK_NEXT_NEW);
	assert_int_equal(s, 11000);
	assert_int_equal(tcp_sack_next_seg(&sb, una, nxt, false, &s, &l), TCP_SACK_NEXT_RULE3);
	assert_int_equal(s, 4000);
	assert_int_equal(l, 1000);
	tcp_sack_mark_rxt(&sb, TCP_SACK_NEXT_RULE3, s, l);
	/* Retransmitted and not lost: counted twice. */
	assert_int_equal(tcp_sack_pipe(&sb, una, nxt), 8000);
	assert_int_equal(tcp_sack_next_seg(&sb, una, nxt, false, &s, &l), TCP_SACK_NEXT_RULE3);
	assert_int_equal(s, 6000);
	tcp_sack_mark_rxt(&sb, TCP_SACK_NEXT_RULE3, s, l);

	/* Rule 4: the rescue retransmission of the highest unSACKed data. */
	assert_int_equal(tcp_sack_next_seg(&sb, una, nxt, false, &s, &l), TCP_SACK_NEXT_RESCUE);
	assert_int_equal(s, 10000);
	assert_int_equal(l, 1000);
	tcp_sack_mark_rxt(&sb, TCP_SACK_NEXT_RESCUE, s, l);
	assert_int_equal(sb.high_rxt, 7000);           /* HighRxt untouched */
	assert_int_equal(tcp_sack_next_seg(&sb, una, nxt, false, &s, &l), TCP_SACK_NEXT_NONE);

	/* The retransmissions are ACKed: recovery ends at RecoveryPoint. */
	tcp_sack_ack(&sb, 9000);
	assert_int_equal(tcp_sack_pipe(&sb, 9000, nxt), 2000);
	tcp_sack_exit_recovery(&sb);
	assert_false(sb.in_recovery);
}

/* RFC 6675 §5.1: an RTO ends recovery and RecoveryPoint = HighData; the
 * scoreboard is discarded (RFC 2018 §8: the receiver may have reneged). */
static void test_rto(void **state)
{
	(void)state;
	struct tcp_sack_sb sb;

	tcp_sack_init(&sb, MSS);
	sack1(&sb, 1000, 11000, 3000, 9000, NULL);
	tcp_sack_enter_recovery(&sb, 1000, 11000);
	tcp_sack_on_rto(&sb, 12000);
	assert_false(sb.in_recovery);
	assert_int_equal(sb.n, 0);
	assert_int_equal(sb.recovery_point, 12000);
	assert_int_equal(sb.mss, MSS);
	assert_int_equal(tcp_sack_pipe(&sb, 1000, 12000), 11000);
}

/* The scoreboard is bounded: the highest blocks are forgotten (counted). */
static void test_full_scoreboard(void **state)
{
	(void)state;
	struct tcp_sack_sb sb;
	struct tcp_sack_update_res r;
	unsigned dropped = 0;

	tcp_sack_init(&sb, MSS);
	for (uint32_t i = 0; i < TCP_SACK_SB_MAX + 4; i++) {
		sack1(&sb, 0, 1000000, 1000 + 2000 * i, 2000 + 2000 * i, &r);
		dropped += r.n_dropped;
	}
	assert_int_equal(sb.n, TCP_SACK_SB_MAX);
	assert_int_equal(dropped, 4);
	/* A lower block still gets in, pushing out the highest. */
	sack1(&sb, 0, 1000000, 100, 200, &r);
	assert_int_equal(r.n_dropped, 1);
	assert_int_equal(sb.blk[0].start, 100);
	assert_int_equal(sb.n, TCP_SACK_SB_MAX);
	uint32_t sum = 0;
	for (unsigned i = 0; i < sb.n; i++)
		sum += sb.blk[i].end - sb.blk[i].start;
	assert_int_equal(sum, sb.sacked);
}

/* Everything works across the 2^32 wrap (RFC 9293 §3.4). */
static void test_wraparound(void **state)
{
	(void)state;
	struct tcp_sack_sb sb;
	uint32_t una = 0xfffff000u, nxt = una + 10000, s, l;
	struct tcp_sack_block b[3] = { B(una + 2000, una + 3000), B(una + 4000, una + 5000),
				       B(una + 6000, una + 7000) };

	tcp_sack_init(&sb, MSS);
	tcp_sack_update(&sb, una, nxt, b, 3, NULL);
	assert_int_equal(sb.n, 3);
	assert_true(tcp_sack_is_lost(&sb, una));
	assert_int_equal(tcp_sack_pipe(&sb, una, nxt), 5000);
	tcp_sack_enter_recovery(&sb, una, nxt);
	assert_int_equal(tcp_sack_next_seg(&sb, una, nxt, false, &s, &l), TCP_SACK_NEXT_LOST);
	assert_int_equal(s, una);
	sack1(&sb, una, nxt, una + 3000, una + 4000, NULL);
	assert_int_equal(sb.n, 2);
	assert_int_equal(sb.blk[0].start, una + 2000);
	assert_int_equal(sb.blk[0].end, una + 5000);
	tcp_sack_ack(&sb, una + 4500);
	assert_int_equal(sb.blk[0].start, una + 4500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_arith),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_dsack_and_out_of_window),
		cmocka_unit_test(test_cumulative_ack),
		cmocka_unit_test(test_is_lost),
		cmocka_unit_test(test_pipe_and_next_seg),
		cmocka_unit_test(test_rto),
		cmocka_unit_test(test_full_scoreboard),
		cmocka_unit_test(test_wraparound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
