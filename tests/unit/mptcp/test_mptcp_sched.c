/* SPDX-License-Identifier: BSD-3-Clause */
/* MPTCP schedulers (src/mptcp/sched.c): default, roundrobin, redundant and
 * the reinjection target. RFC 8684 §3.3.8 (backup subflows), §3.3.6
 * (reinjection after a subflow fails). */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "mptcp/sched.h"

#define MSS 1000u

/* An established regular subflow with an empty window of 10 segments. */
static struct mptcp_sched_subflow sf(uint32_t srtt_us)
{
	struct mptcp_sched_subflow s = {
		.sf = NULL,
		.srtt_us = srtt_us,
		.cwnd_bytes = 10 * MSS,
		.inflight_bytes = 0,
		.snd_wnd_avail = 64 * MSS,
		.backup = false,
		.active = true,
		.potentially_failed = false,
		.mss = MSS,
	};
	return s;
}

static int pick(const struct mptcp_sched_ops *ops, void *st,
		const struct mptcp_sched_subflow *s, unsigned n, struct mptcp_sched_choice *ch)
{
	memset(ch, 0, sizeof(*ch));
	return mptcp_sched_pick(ops, st, s, n, ch);
}

/* Registry: the three built-ins by name, NULL/"" is "default". */
static void test_registry(void **state)
{
	(void)state;
	static const struct mptcp_sched_ops dup = { .name = "default", .pick = NULL };

	assert_ptr_equal(mptcp_sched_find(NULL), &mptcp_sched_default);
	assert_ptr_equal(mptcp_sched_find(""), &mptcp_sched_default);
	assert_ptr_equal(mptcp_sched_find("default"), &mptcp_sched_default);
	assert_ptr_equal(mptcp_sched_find("roundrobin"), &mptcp_sched_roundrobin);
	assert_ptr_equal(mptcp_sched_find("redundant"), &mptcp_sched_redundant);
	assert_null(mptcp_sched_find("nope"));
	assert_ptr_equal(mptcp_sched_get(0), &mptcp_sched_default);
	assert_int_equal(mptcp_sched_register(&dup), -EINVAL);   /* no pick */
	assert_int_equal(mptcp_sched_register(&mptcp_sched_default), -EEXIST);
	for (unsigned i = 0; mptcp_sched_get(i); i++)
		assert_true(mptcp_sched_get(i)->state_size <= MPTCP_SCHED_STATE_MAX);
}

/* RFC 8684 §3.3.8 leaves the policy to the implementation; mpdk's default
 * sends on the lowest-RTT subflow with room (as Linux's default does). */
static void test_default_lowest_rtt(void **state)
{
	(void)state;
	struct mptcp_sched_subflow s[3] = { sf(30000), sf(10000), sf(20000) };
	struct mptcp_sched_choice ch;

	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), 1);
	assert_int_equal(ch.n, 1);
	assert_int_equal(ch.idx[0], 1);
	assert_int_equal(ch.room[0], 10 * MSS);
	/* An RTT not measured yet (0) sorts after measured ones. */
	s[0].srtt_us = 0;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), 1);
	s[1].srtt_us = 0;
	s[2].srtt_us = 0;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), 0);
}

/* cwnd full on the fastest subflow -> the next fastest; all full ->
 * -EAGAIN; the peer's window counts as well (RFC 8684 §3.3.5). */
static void test_default_cwnd_full(void **state)
{
	(void)state;
	struct mptcp_sched_subflow s[3] = { sf(30000), sf(10000), sf(20000) };
	struct mptcp_sched_choice ch;

	s[1].inflight_bytes = s[1].cwnd_bytes;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), 2);
	/* subflow 0 holds 7 segments: its queue drains after 21 ms, 2's
	 * (below) after 18 ms */
	s[0].inflight_bytes = 7 * MSS;
	/* Less than a segment of room is no room... */
	s[2].inflight_bytes = s[2].cwnd_bytes - MSS + 1;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), 0);
	/* ...unless that is all there is to send. */
	ch.pending = 500;
	memset(ch.idx, 0, sizeof(ch.idx));
	assert_int_equal(mptcp_sched_pick(&mptcp_sched_default, NULL, s, 3, &ch), 2);
	assert_int_equal(ch.room[0], MSS - 1);
	/* The receive window limits like cwnd does. */
	s[0].snd_wnd_avail = 0;
	s[2].inflight_bytes = s[2].cwnd_bytes;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), -EAGAIN);
	assert_int_equal(ch.n, 0);
	/* No active subflow at all. */
	for (int i = 0; i < 3; i++)
		s[i].active = false;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), -ENOENT);
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 0, &ch), -ENOENT);
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, MPTCP_SCHED_MAX_SUBFLOWS + 1, &ch),
			 -EINVAL);
}

/*
 * The default scheduler sends on the subflow whose queue drains first
 * (held bytes * srtt / cwnd, as Linux's mptcp_subflow_get_send "linger
 * time"); equal drain times go to the lower srtt. What it prevents
 * (issue 6, memif benchmark): with "lowest srtt with room", a subflow
 * whose srtt was inflated once (6.5 ms against 60 us) never got data
 * again, so never an RTT sample to bring it down, and the 2-path
 * connection ran on one path for the rest of the test.
 */
static void test_default_idle_subflow_not_starved(void **state)
{
	(void)state;
	struct mptcp_sched_subflow s[2] = { sf(60), sf(6500) };
	struct mptcp_sched_choice ch;

	s[0].cwnd_bytes = s[1].cwnd_bytes = 180 * MSS;
	s[0].snd_wnd_avail = s[1].snd_wnd_avail = 256 * MSS;
	/* both idle: the lower srtt */
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 0);
	/* 0 holds data, 1 is idle with a stale srtt: 1 gets the chunk (and
	 * with it an RTT sample) */
	s[0].inflight_bytes = 45 * MSS;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 1);
	assert_int_equal(ch.room[0], 180 * MSS);
	/* 1 holds 45 segments too: at 6.5 ms they drain 100 times later */
	s[1].inflight_bytes = 45 * MSS;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 0);
	/* a fast path keeps the data while its queue drains first: 0 holds
	 * 99 segments (33 us to drain), 1 one (36 us) */
	s[1].inflight_bytes = MSS;
	s[0].inflight_bytes = 99 * MSS;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 0);
	s[0].inflight_bytes = 120 * MSS;   /* 40 us against 36 us */
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 1);
	/* no room on the one that drains first: the other */
	s[1].inflight_bytes = 0;
	s[1].snd_wnd_avail = 0;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 0);
	/* an unknown srtt: drains "never" once it holds anything */
	struct mptcp_sched_subflow u[2] = { sf(0), sf(6500) };
	u[0].inflight_bytes = MSS;
	u[1].inflight_bytes = 9 * MSS;
	assert_int_equal(pick(&mptcp_sched_default, NULL, u, 2, &ch), 1);

	/* two equal paths, 16-segment chunks, the window (as the meta's
	 * data-level window) shared: the chunks alternate */
	struct mptcp_sched_subflow e[2] = { sf(60), sf(60) };
	unsigned got[2] = { 0, 0 };
	e[0].cwnd_bytes = e[1].cwnd_bytes = 180 * MSS;
	for (int k = 0; k < 200; k++) {
		int i = pick(&mptcp_sched_default, NULL, e, 2, &ch);
		assert_true(i == 0 || i == 1);
		got[i]++;
		e[i].inflight_bytes += 16 * MSS;
		if (e[0].inflight_bytes + e[1].inflight_bytes >= 256 * MSS) {
			/* an ACK for everything */
			e[0].inflight_bytes = e[1].inflight_bytes = 0;
		}
		assert_true(got[0] >= got[1] ? got[0] - got[1] <= 1 : got[1] - got[0] <= 1);
	}
}

/* RFC 8684 §3.3.8: a backup subflow is used only when no regular subflow
 * is usable; a regular subflow with a full window does not hand its data
 * to a backup. */
static void test_default_backup(void **state)
{
	(void)state;
	struct mptcp_sched_subflow s[3] = { sf(50000), sf(1000), sf(2000) };
	struct mptcp_sched_choice ch;

	s[1].backup = true;       /* fastest, but backup */
	s[2].backup = true;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), 0);
	s[0].inflight_bytes = s[0].cwnd_bytes;   /* regular full: wait */
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), -EAGAIN);
	s[0].active = false;                     /* regular gone: backups */
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), 1);
	s[0].active = true;
	s[0].potentially_failed = true;          /* regular looks failed */
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), 1);
	/* Every path potentially failed: keep using them (regular first). */
	s[0].inflight_bytes = 0;
	s[1].potentially_failed = true;
	s[2].potentially_failed = true;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 3, &ch), 0);
}

/* Round robin: 1000 picks over 3 equal subflows are split 334/333/333,
 * full subflows are skipped, and the turn passes on. */
static void test_roundrobin_fair(void **state)
{
	(void)state;
	struct mptcp_sched_subflow s[4] = { sf(10000), sf(90000), sf(40000), sf(5000) };
	uint64_t st[MPTCP_SCHED_STATE_MAX / 8];
	struct mptcp_sched_choice ch;
	unsigned count[4] = { 0 };

	s[3].backup = true;   /* never while regular ones are usable */
	mptcp_sched_init(&mptcp_sched_roundrobin, st);
	for (int k = 0; k < 1000; k++) {
		int i = pick(&mptcp_sched_roundrobin, st, s, 4, &ch);

		assert_true(i >= 0 && i < 3);
		assert_int_equal(ch.n, 1);
		count[i]++;
	}
	assert_int_equal(count[0], 334);
	assert_int_equal(count[1], 333);
	assert_int_equal(count[2], 333);
	assert_int_equal(count[3], 0);
	/* A full subflow loses its turn. */
	mptcp_sched_init(&mptcp_sched_roundrobin, st);
	s[1].inflight_bytes = s[1].cwnd_bytes;
	assert_int_equal(pick(&mptcp_sched_roundrobin, st, s, 4, &ch), 0);
	assert_int_equal(pick(&mptcp_sched_roundrobin, st, s, 4, &ch), 2);
	assert_int_equal(pick(&mptcp_sched_roundrobin, st, s, 4, &ch), 0);
	s[0].inflight_bytes = s[0].cwnd_bytes;
	s[2].inflight_bytes = s[2].cwnd_bytes;
	assert_int_equal(pick(&mptcp_sched_roundrobin, st, s, 4, &ch), -EAGAIN);
}

/* Redundant: every eligible subflow with room, the lowest RTT first. */
static void test_redundant_set(void **state)
{
	(void)state;
	struct mptcp_sched_subflow s[4] = { sf(30000), sf(10000), sf(20000), sf(1000) };
	struct mptcp_sched_choice ch;

	s[3].backup = true;
	assert_int_equal(pick(&mptcp_sched_redundant, NULL, s, 4, &ch), 1);
	assert_int_equal(ch.n, 3);
	assert_int_equal(ch.idx[0], 1);
	assert_int_equal(ch.idx[1], 2);
	assert_int_equal(ch.idx[2], 0);
	s[2].inflight_bytes = s[2].cwnd_bytes;
	s[0].active = false;
	assert_int_equal(pick(&mptcp_sched_redundant, NULL, s, 4, &ch), 1);
	assert_int_equal(ch.n, 1);
	/* RFC 8684 §3.3.8: the backup joins only when no regular is usable. */
	s[1].active = false;
	s[2].active = false;
	assert_int_equal(pick(&mptcp_sched_redundant, NULL, s, 4, &ch), 3);
	assert_int_equal(ch.n, 1);
	s[3].inflight_bytes = s[3].cwnd_bytes;
	assert_int_equal(pick(&mptcp_sched_redundant, NULL, s, 4, &ch), -EAGAIN);
}

/* RFC 8684 §3.3.6: data outstanding on a failed subflow goes out again on
 * another one: never the failed one, the lowest RTT with room, a backup
 * when the failed one was the only regular subflow. */
static void test_reinject_target(void **state)
{
	(void)state;
	struct mptcp_sched_subflow s[3] = { sf(10000), sf(30000), sf(20000) };
	struct mptcp_sched_choice ch;

	memset(&ch, 0, sizeof(ch));
	assert_int_equal(mptcp_sched_reinject_target(s, 3, 0, &ch), 2);
	assert_int_equal(ch.n, 1);
	assert_int_equal(ch.idx[0], 2);
	s[2].inflight_bytes = s[2].cwnd_bytes;
	assert_int_equal(mptcp_sched_reinject_target(s, 3, 0, &ch), 1);
	s[1].inflight_bytes = s[1].cwnd_bytes;
	assert_int_equal(mptcp_sched_reinject_target(s, 3, 0, &ch), -EAGAIN);
	/* The failed subflow was the only regular one: use the backups. */
	s[1].backup = true;
	s[2].backup = true;
	s[1].inflight_bytes = 0;
	assert_int_equal(mptcp_sched_reinject_target(s, 3, 0, &ch), 1);
	/* Nothing but the failed one. */
	assert_int_equal(mptcp_sched_reinject_target(s, 1, 0, &ch), -ENOENT);
	/* No failed subflow (n or more): like the default scheduler. */
	s[2].inflight_bytes = 0;
	assert_int_equal(mptcp_sched_reinject_target(s, 3, 3, &ch), 0);
}

/*
 * Issue 4, mpdk-demo's paths (docs/scheduler.md, "A lossy path"): path 1
 * has the low RTT and 1% loss, LIA keeps its window at 2 segments; path 2
 * has a 180 ms RTT and a 700-segment window. The default scheduler gives
 * path 1 every segment its window has room for, even while path 2 has
 * room too (RFC 8684 §3.3.8 leaves the policy to us: lowest RTT first);
 * path 2 gets the rest. "Room" is cwnd minus what the subflow holds
 * (sent or queued), never negative after a window reduction; the
 * data-level window (RFC 8684 §3.3.4), already folded into
 * snd_wnd_avail by the meta, applies to both alike and, when it opens
 * by a segment, the lossy low-RTT path has it first.
 */
static void test_default_lossy_low_rtt_path(void **state)
{
	(void)state;
	struct mptcp_sched_subflow s[2] = { sf(20400), sf(180000) };
	struct mptcp_sched_choice ch;

	s[0].cwnd_bytes = 2 * MSS;
	s[1].cwnd_bytes = 700 * MSS;
	s[1].inflight_bytes = 500 * MSS;
	s[1].snd_wnd_avail = 1000 * MSS;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 0);
	assert_int_equal(ch.room[0], 2 * MSS);
	s[0].inflight_bytes = MSS;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 0);
	assert_int_equal(ch.room[0], MSS);
	/* path 1's window is full: path 2 takes the data */
	s[0].inflight_bytes = 2 * MSS;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 1);
	assert_int_equal(ch.room[0], 200 * MSS);
	/* a loss halved path 1's window below what it holds: no room, no
	 * wrap-around */
	s[0].cwnd_bytes = 2 * MSS;
	s[0].inflight_bytes = 4 * MSS;
	assert_int_equal(mptcp_sched_room(&s[0]), 0);
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 1);
	/* the data-level window is full for both: wait for a DATA_ACK */
	s[0].inflight_bytes = 0;
	s[0].snd_wnd_avail = s[1].snd_wnd_avail = 0;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), -EAGAIN);
	/* it opens by one segment: path 1 has it first */
	s[0].snd_wnd_avail = s[1].snd_wnd_avail = MSS;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 0);
	assert_int_equal(ch.room[0], MSS);
	/* after RTOs without progress path 1 is potentially failed: path 2
	 * carries new data, and path 1 waits for an ACK rather than take
	 * more while path 2 is only full */
	s[0].potentially_failed = true;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 1);
	s[1].inflight_bytes = s[1].cwnd_bytes;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), -EAGAIN);
	/* path 2 gone: path 1 is probed again */
	s[1].active = false;
	assert_int_equal(pick(&mptcp_sched_default, NULL, s, 2, &ch), 0);
}

/*
 * RFC 6675 §5 (C): in SACK loss recovery a subflow may send new data
 * while cwnd - pipe >= SMSS. mptcp_sched_set_window gives the scheduler
 * that view: what counts against cwnd is pipe plus the unsent bytes the
 * subflow holds, not everything from SND.UNA (SACKed segments left the
 * network). Outside SACK recovery, and in NewReno recovery (RFC 6582:
 * its inflated cwnd already counts what left), everything held counts.
 */
static void test_room_in_sack_recovery(void **state)
{
	(void)state;
	struct mptcp_sched_subflow s = sf(20000);
	struct mptcp_sched_choice ch;

	/* 20 segments outstanding, cwnd halved to 10 on entering recovery,
	 * 12 of them SACKed and 1 retransmitted: pipe = 20 - 12 (+1 rxt
	 * counted by the engine) = 7 segments */
	mptcp_sched_set_window(&s, &(struct mptcp_sched_tcp_window){
		.cwnd = 10 * MSS, .held = 20 * MSS, .unsent = 0, .pipe = 7 * MSS,
		.sack_recovery = true });
	assert_int_equal(s.cwnd_bytes, 10 * MSS);
	assert_int_equal(s.inflight_bytes, 7 * MSS);
	assert_int_equal(mptcp_sched_room(&s), 3 * MSS);
	assert_int_equal(pick(&mptcp_sched_default, NULL, &s, 1, &ch), 0);
	/* unsent bytes already held go out first */
	mptcp_sched_set_window(&s, &(struct mptcp_sched_tcp_window){
		.cwnd = 10 * MSS, .held = 22 * MSS, .unsent = 2 * MSS, .pipe = 7 * MSS,
		.sack_recovery = true });
	assert_int_equal(mptcp_sched_room(&s), MSS);
	/* pipe still above cwnd: no room, no wrap-around */
	mptcp_sched_set_window(&s, &(struct mptcp_sched_tcp_window){
		.cwnd = 10 * MSS, .held = 20 * MSS, .pipe = 14 * MSS, .sack_recovery = true });
	assert_int_equal(mptcp_sched_room(&s), 0);
	assert_int_equal(pick(&mptcp_sched_default, NULL, &s, 1, &ch), -EAGAIN);
	/* inconsistent inputs are clamped to what the subflow holds */
	mptcp_sched_set_window(&s, &(struct mptcp_sched_tcp_window){
		.cwnd = 10 * MSS, .held = 4 * MSS, .unsent = 9 * MSS, .pipe = 9 * MSS,
		.sack_recovery = true });
	assert_int_equal(s.inflight_bytes, 4 * MSS);
	/* not in SACK recovery: all held bytes count, the pipe is ignored */
	mptcp_sched_set_window(&s, &(struct mptcp_sched_tcp_window){
		.cwnd = 10 * MSS, .held = 20 * MSS, .pipe = 7 * MSS, .sack_recovery = false });
	assert_int_equal(s.inflight_bytes, 20 * MSS);
	assert_int_equal(mptcp_sched_room(&s), 0);
	mptcp_sched_set_window(&s, &(struct mptcp_sched_tcp_window){
		.cwnd = 10 * MSS, .held = 6 * MSS, .unsent = 1 * MSS });
	assert_int_equal(mptcp_sched_room(&s), 4 * MSS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_default_lowest_rtt),
		cmocka_unit_test(test_default_cwnd_full),
		cmocka_unit_test(test_default_idle_subflow_not_starved),
		cmocka_unit_test(test_default_backup),
		cmocka_unit_test(test_roundrobin_fair),
		cmocka_unit_test(test_redundant_set),
		cmocka_unit_test(test_reinject_target),
		cmocka_unit_test(test_default_lossy_low_rtt_path),
		cmocka_unit_test(test_room_in_sack_recovery),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
