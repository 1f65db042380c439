/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * simlink on a virtual clock: every impairment is checked against the time
 * and order in which frames come out of the far end.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "harness.h"
#include "drivers/port.h"
#include "core/clock.h"

static struct rte_mempool *pool;
static struct mpdk_clock *clk;

struct link {
	struct mpdk_port *a, *b;
};

static struct rte_mbuf *frame(uint32_t seq, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	assert_non_null(m);
	d = rte_pktmbuf_append(m, len);
	assert_non_null(d);
	memset(d, 0, len);
	memcpy(d, &seq, sizeof(seq));
	return m;
}

static uint32_t seq_of(const struct rte_mbuf *m)
{
	uint32_t seq;

	memcpy(&seq, rte_pktmbuf_mtod(m, const void *), sizeof(seq));
	return seq;
}

static void send1(struct mpdk_port *p, uint32_t seq, uint16_t len)
{
	struct rte_mbuf *m = frame(seq, len);

	/* The link takes every frame, dropped ones included. */
	assert_int_equal(port_tx_burst(p, 0, &m, 1), 1);
}

/* Receive everything deliverable now; frees the frames, returns the count,
 * stores up to @max sequence numbers in @seqs. */
static unsigned drain(struct mpdk_port *p, uint32_t *seqs, unsigned max)
{
	struct rte_mbuf *pkts[32];
	unsigned total = 0;
	uint16_t n;

	while ((n = port_rx_burst(p, 0, pkts, RTE_DIM(pkts))) > 0) {
		for (uint16_t i = 0; i < n; i++) {
			if (seqs != NULL && total < max)
				seqs[total] = seq_of(pkts[i]);
			total++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	return total;
}

static struct link mklink(const struct mpdk_simlink_dir *ab, const struct mpdk_simlink_dir *ba,
			  uint64_t seed)
{
	struct mpdk_simlink_conf conf = { .seed = seed, .clock = clk, .pool = pool };
	struct link l;

	if (ab != NULL)
		conf.a_to_b = *ab;
	if (ba != NULL)
		conf.b_to_a = *ba;
	assert_int_equal(mpdk_simlink_create(&conf, &l.a, &l.b), 0);
	return l;
}

static void rmlink(struct link *l)
{
	mpdk_port_close(l->a);
	mpdk_port_close(l->b);
	/* Every frame went back to the pool: nothing leaked in flight. */
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static void advance(uint64_t ns)
{
	assert_int_equal(mpdk_clock_advance(clk, ns), 0);
}

static void test_create(void **state)
{
	struct mpdk_simlink_conf conf = { .clock = clk, .pool = pool, .mtu = 9000 };
	struct mpdk_port *a, *b;
	struct link l;

	(void)state;
	assert_int_equal(mpdk_simlink_create(NULL, &a, &b), -EINVAL);
	conf.clock = NULL;
	assert_int_equal(mpdk_simlink_create(&conf, &a, &b), -EINVAL);
	conf.clock = clk;
	conf.a_to_b.loss = 1.5;
	assert_int_equal(mpdk_simlink_create(&conf, &a, &b), -EINVAL);
	conf.a_to_b.loss = 0;
	conf.b_to_a.reorder = -0.1;
	assert_int_equal(mpdk_simlink_create(&conf, &a, &b), -EINVAL);
	conf.b_to_a.reorder = 0;

	conf.name = "wan";
	assert_int_equal(mpdk_simlink_create(&conf, &a, &b), 0);
	assert_string_equal(mpdk_port_name(a), "wan.a");
	assert_string_equal(mpdk_port_name(b), "wan.b");
	assert_int_equal(a->mtu, 9000);
	assert_true(mpdk_port_link_up(a));
	assert_true(mpdk_port_link_up(b));
	assert_string_equal(a->ops->kind, "simlink");
	mpdk_port_close(a);
	mpdk_port_close(b);

	/* Default names, MTU and locally administered MACs 02:5e:00:LL:00:0{1,2},
	 * different for each link. */
	l = mklink(NULL, NULL, 1);
	struct link l2 = mklink(NULL, NULL, 1);
	assert_memory_equal(mpdk_port_name(l.a), "simlink", 7);
	assert_int_equal(l.a->mtu, 1500);
	assert_int_equal(l.a->mac.addr_bytes[0], 0x02);
	assert_int_equal(l.a->mac.addr_bytes[1], 0x5e);
	assert_int_equal(l.a->mac.addr_bytes[5], 1);
	assert_int_equal(l.b->mac.addr_bytes[5], 2);
	assert_memory_equal(l.a->mac.addr_bytes, l.b->mac.addr_bytes, 5);
	assert_memory_not_equal(l.a->mac.addr_bytes, l2.a->mac.addr_bytes, 6);
	assert_int_equal(mpdk_simlink_set_up(l.a, true), 0);
	/* Not a simlink: refused. */
	assert_int_equal(mpdk_simlink_set_up(NULL, true), -EINVAL);
	rmlink(&l2);
	rmlink(&l);
}

/* A frame is not received before its delay has passed, and is received
 * exactly when it has; each direction has its own delay. */
static void test_delay(void **state)
{
	struct mpdk_simlink_dir ab = { .delay_ns = 5 * NS_PER_MS };
	struct mpdk_simlink_dir ba = { .delay_ns = 2 * NS_PER_MS };
	struct link l = mklink(&ab, &ba, 1);
	struct mpdk_simlink_stats st;
	uint32_t seqs[4];

	(void)state;
	send1(l.a, 7, 100);
	send1(l.b, 8, 100);
	assert_int_equal(drain(l.b, NULL, 0), 0);
	assert_int_equal(drain(l.a, NULL, 0), 0);
	/* Nothing comes back to the sender's own end. */
	advance(2 * NS_PER_MS - 1);
	assert_int_equal(drain(l.a, NULL, 0), 0);
	advance(1);
	assert_int_equal(drain(l.a, seqs, 4), 1);
	assert_int_equal(seqs[0], 8);
	advance(3 * NS_PER_MS - 1);
	assert_int_equal(drain(l.b, NULL, 0), 0);
	advance(1);
	assert_int_equal(drain(l.b, seqs, 4), 1);
	assert_int_equal(seqs[0], 7);

	assert_int_equal(mpdk_simlink_stats(l.a, true, &st), 0);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.delivered, 1);
	assert_int_equal(st.lost + st.overflow + st.down_drops + st.reordered, 0);
	/* Either end reads either direction. */
	assert_int_equal(mpdk_simlink_stats(l.a, false, &st), 0);
	assert_int_equal(st.delivered, 1);
	rmlink(&l);
}

/* Loss: run 10000 frames through a link with @loss and @seed; return the
 * count lost and the pattern in @kept (1 = delivered). */
static unsigned run_loss(double loss, uint64_t seed, uint8_t *kept, unsigned n)
{
	struct mpdk_simlink_dir ab = { .loss = loss, .delay_ns = 1000 };
	struct link l = mklink(&ab, NULL, seed);
	struct mpdk_simlink_stats st;
	uint32_t seq;

	memset(kept, 0, n);
	for (unsigned i = 0; i < n; i++) {
		send1(l.a, i, 64);
		advance(1000);
		while (drain(l.b, &seq, 1) == 1) {
			assert_true(seq < n);
			kept[seq] = 1;
		}
	}
	assert_int_equal(mpdk_simlink_stats(l.b, true, &st), 0);
	assert_int_equal(st.sent, n);
	assert_int_equal(st.sent, st.delivered + st.lost);
	rmlink(&l);
	return (unsigned)st.lost;
}

static void test_loss(void **state)
{
	enum { N = 10000 };
	static uint8_t k1[N], k2[N], k3[N];
	unsigned lost1, lost2, lost3;

	(void)state;
	lost1 = run_loss(0.1, 42, k1, N);
	/* Binomial(10000, 0.1): sd = 30, so +-150 is five sigma. */
	assert_in_range(lost1, 850, 1150);
	lost2 = run_loss(0.1, 42, k2, N);
	assert_int_equal(lost1, lost2);
	assert_memory_equal(k1, k2, N);
	lost3 = run_loss(0.1, 43, k3, N);
	assert_memory_not_equal(k1, k3, N);
	assert_in_range(lost3, 850, 1150);

	assert_int_equal(run_loss(0.0, 42, k1, 1000), 0);
	assert_int_equal(run_loss(1.0, 42, k1, 1000), 1000);
	assert_in_range(run_loss(0.5, 7, k1, N), 4800, 5200);
}

/* The same seed gives the same drops even when jitter and reorder change:
 * each impairment has its own random stream. */
static void test_loss_independent_streams(void **state)
{
	enum { N = 2000 };
	static uint8_t k1[N], k2[N];
	struct mpdk_simlink_dir ab = { .loss = 0.2, .delay_ns = 1000 };
	struct link l;
	uint32_t seq;

	(void)state;
	run_loss(0.2, 99, k1, N);
	ab.jitter_ns = 500;
	l = mklink(&ab, NULL, 99);
	memset(k2, 0, N);
	for (unsigned i = 0; i < N; i++) {
		send1(l.a, i, 64);
		advance(2000);
		while (drain(l.b, &seq, 1) == 1)
			k2[seq] = 1;
	}
	assert_memory_equal(k1, k2, N);
	rmlink(&l);
}

/* Reordering: frames picked for it are overtaken by the next frame; every
 * frame still arrives, and each inversion is counted. */
static void test_reorder(void **state)
{
	enum { N = 1000 };
	struct mpdk_simlink_dir ab = { .reorder = 0.2, .delay_ns = NS_PER_MS };
	struct link l = mklink(&ab, NULL, 5);
	struct mpdk_simlink_stats st;
	static uint32_t seqs[N];
	static uint8_t seen[N];
	unsigned got, inversions = 0;

	(void)state;
	for (unsigned i = 0; i < N; i++)
		send1(l.a, i, 64);
	advance(NS_PER_MS);
	got = drain(l.b, seqs, N);
	assert_int_equal(got, N);
	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < N; i++) {
		assert_false(seen[seqs[i]]);
		seen[seqs[i]] = 1;
		if (i > 0 && seqs[i] < seqs[i - 1]) {
			/* Only adjacent swaps: the held frame is right behind. */
			assert_int_equal(seqs[i] + 1, seqs[i - 1]);
			inversions++;
		}
	}
	assert_int_equal(mpdk_simlink_stats(l.a, true, &st), 0);
	assert_int_equal(st.reordered, inversions);
	/* A frame following a held one is not held itself: p / (1 + p) of N. */
	assert_in_range(inversions, 110, 230);
	assert_int_equal(st.delivered, N);
	rmlink(&l);
}

/* A held frame that nothing overtakes still arrives on time. */
static void test_reorder_lone_frame(void **state)
{
	struct mpdk_simlink_dir ab = { .reorder = 1.0, .delay_ns = 5 * NS_PER_MS };
	struct link l = mklink(&ab, NULL, 5);
	struct mpdk_simlink_stats st;
	uint32_t seqs[2];

	(void)state;
	send1(l.a, 1, 64);
	advance(5 * NS_PER_MS - 1);
	assert_int_equal(drain(l.b, NULL, 0), 0);
	advance(1);
	assert_int_equal(drain(l.b, seqs, 2), 1);
	/* Without delay it waits for the hold time (1 ms) at most. */
	ab.delay_ns = 0;
	assert_int_equal(mpdk_simlink_set(l.a, true, &ab), 0);
	send1(l.a, 2, 64);
	assert_int_equal(drain(l.b, NULL, 0), 0);
	advance(NS_PER_MS);
	assert_int_equal(drain(l.b, seqs, 2), 1);
	assert_int_equal(seqs[0], 2);
	/* Two frames sent together: the second overtakes the first. */
	send1(l.a, 3, 64);
	send1(l.a, 4, 64);
	assert_int_equal(drain(l.b, seqs, 2), 2);
	assert_int_equal(seqs[0], 4);
	assert_int_equal(seqs[1], 3);
	assert_int_equal(mpdk_simlink_stats(l.a, true, &st), 0);
	assert_int_equal(st.reordered, 1);
	rmlink(&l);
}

/* Rate limit: frames sent together leave one serialisation time
 * (len * 8 / rate) apart. */
static void test_rate(void **state)
{
	/* 1000 bytes at 8 Mb/s: 1 ms each. */
	struct mpdk_simlink_dir ab = { .rate_bps = 8000000, .delay_ns = 10 * NS_PER_MS };
	struct link l = mklink(&ab, NULL, 1);
	uint32_t seqs[8];

	(void)state;
	for (unsigned i = 0; i < 5; i++)
		send1(l.a, i, 1000);
	advance(11 * NS_PER_MS - 1);
	assert_int_equal(drain(l.b, NULL, 0), 0);
	for (unsigned i = 0; i < 5; i++) {
		advance(1);
		assert_int_equal(drain(l.b, seqs, 8), 1);
		assert_int_equal(seqs[0], i);
		advance(NS_PER_MS - 1);
		assert_int_equal(drain(l.b, NULL, 0), 0);
	}
	/* An idle link starts serialising at once: 125 bytes = 125 us. */
	advance(50 * NS_PER_MS);
	send1(l.a, 9, 125);
	advance(10 * NS_PER_MS + 125 * NS_PER_US - 1);
	assert_int_equal(drain(l.b, NULL, 0), 0);
	advance(1);
	assert_int_equal(drain(l.b, NULL, 0), 1);

	/* Fractions of a nanosecond add up: 1 byte at 3 b/s is 8/3 s. */
	ab = (struct mpdk_simlink_dir){ .rate_bps = 3 };
	assert_int_equal(mpdk_simlink_set(l.a, true, &ab), 0);
	for (unsigned i = 0; i < 3; i++)
		send1(l.a, i, 1);
	advance(8000000000ull - 1);
	assert_int_equal(drain(l.b, NULL, 0), 2);
	advance(1);
	assert_int_equal(drain(l.b, NULL, 0), 1);
	rmlink(&l);
}

/* The bottleneck queue holds queue_limit frames; the rest are tail
 * dropped, and room comes back as frames leave. */
static void test_queue_limit(void **state)
{
	struct mpdk_simlink_dir ab = { .rate_bps = 8000000, .queue_limit = 10 };
	struct link l = mklink(&ab, NULL, 1);
	struct mpdk_simlink_stats st;
	uint32_t seqs[16];

	(void)state;
	for (unsigned i = 0; i < 15; i++)
		send1(l.a, i, 1000);
	assert_int_equal(mpdk_simlink_stats(l.a, true, &st), 0);
	assert_int_equal(st.sent, 15);
	assert_int_equal(st.overflow, 5);
	/* 2 ms later two frames have left: two slots free up. */
	advance(2 * NS_PER_MS);
	assert_int_equal(drain(l.b, NULL, 0), 2);
	for (unsigned i = 100; i < 103; i++)
		send1(l.a, i, 1000);
	advance(20 * NS_PER_MS);
	assert_int_equal(drain(l.b, seqs, 16), 10);
	/* Tail drop: the first ten and the two that found room. */
	assert_int_equal(seqs[7], 9);
	assert_int_equal(seqs[8], 100);
	assert_int_equal(seqs[9], 101);
	assert_int_equal(mpdk_simlink_stats(l.a, true, &st), 0);
	assert_int_equal(st.overflow, 6);
	assert_int_equal(st.delivered, 12);

	/* Without a rate there is no queue: nothing overflows. */
	ab.rate_bps = 0;
	assert_int_equal(mpdk_simlink_set(l.a, true, &ab), 0);
	for (unsigned i = 0; i < 100; i++)
		send1(l.a, i, 1000);
	assert_int_equal(drain(l.b, NULL, 0), 100);
	rmlink(&l);
}

/* A down link drops what is in flight and what is sent; up again, frames
 * flow. Both ends report the link state. */
static void test_down_up(void **state)
{
	struct mpdk_simlink_dir ab = { .delay_ns = 10 * NS_PER_MS, .reorder = 0.5 };
	struct mpdk_simlink_dir ba = { .delay_ns = 10 * NS_PER_MS };
	struct link l = mklink(&ab, &ba, 1);
	struct mpdk_simlink_stats st, st2;

	(void)state;
	for (unsigned i = 0; i < 5; i++) {
		send1(l.a, i, 100);
		send1(l.b, i, 100);
	}
	assert_int_equal(mpdk_simlink_set_up(l.b, false), 0);
	assert_false(mpdk_port_link_up(l.a));
	assert_false(mpdk_port_link_up(l.b));
	for (unsigned i = 0; i < 3; i++)
		send1(l.a, i, 100);
	advance(20 * NS_PER_MS);
	assert_int_equal(drain(l.b, NULL, 0), 0);
	assert_int_equal(drain(l.a, NULL, 0), 0);
	assert_int_equal(mpdk_simlink_stats(l.a, true, &st), 0);
	assert_int_equal(st.down_drops, 8);
	assert_int_equal(st.delivered, 0);
	assert_int_equal(mpdk_simlink_stats(l.a, false, &st2), 0);
	assert_int_equal(st2.down_drops, 5);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);

	/* Down twice is harmless. */
	assert_int_equal(mpdk_simlink_set_up(l.a, false), 0);
	assert_int_equal(mpdk_simlink_set_up(l.a, true), 0);
	assert_true(mpdk_port_link_up(l.a));
	assert_true(mpdk_port_link_up(l.b));
	send1(l.a, 1, 100);
	send1(l.b, 2, 100);
	advance(10 * NS_PER_MS);
	assert_int_equal(drain(l.b, NULL, 0), 1);
	assert_int_equal(drain(l.a, NULL, 0), 1);
	rmlink(&l);
}

/* Impairments change at run time, one direction at a time. */
static void test_set(void **state)
{
	struct link l = mklink(NULL, NULL, 1);
	struct mpdk_simlink_dir d = { .loss = 1.0 };
	struct mpdk_simlink_stats st;

	(void)state;
	send1(l.a, 1, 64);
	assert_int_equal(drain(l.b, NULL, 0), 1);
	assert_int_equal(mpdk_simlink_set(l.b, true, &d), 0);
	send1(l.a, 2, 64);
	send1(l.b, 3, 64);
	assert_int_equal(drain(l.b, NULL, 0), 0);
	assert_int_equal(drain(l.a, NULL, 0), 1);
	d = (struct mpdk_simlink_dir){ .delay_ns = 3 * NS_PER_MS };
	assert_int_equal(mpdk_simlink_set(l.a, true, &d), 0);
	send1(l.a, 4, 64);
	advance(3 * NS_PER_MS - 1);
	assert_int_equal(drain(l.b, NULL, 0), 0);
	advance(1);
	assert_int_equal(drain(l.b, NULL, 0), 1);
	assert_int_equal(mpdk_simlink_stats(l.a, true, &st), 0);
	assert_int_equal(st.lost, 1);
	d.loss = 2.0;
	assert_int_equal(mpdk_simlink_set(l.a, true, &d), -EINVAL);
	d.loss = 0.0 / 0.0;
	assert_int_equal(mpdk_simlink_set(l.a, true, &d), -EINVAL);
	rmlink(&l);
}

/* Jitter stretches gaps but never reorders. */
static void test_jitter(void **state)
{
	enum { N = 500 };
	struct mpdk_simlink_dir ab = { .delay_ns = NS_PER_MS, .jitter_ns = NS_PER_MS };
	struct link l = mklink(&ab, NULL, 3);
	static uint32_t seqs[N];
	unsigned got = 0, early;

	(void)state;
	for (unsigned i = 0; i < N; i++) {
		send1(l.a, i, 64);
		advance(100 * NS_PER_US);
		got += drain(l.b, seqs + got, N - got);
	}
	/* Most frames arrived while later ones were still being sent. */
	early = got;
	advance(3 * NS_PER_MS);
	got += drain(l.b, seqs + got, N - got);
	assert_int_equal(got, N);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(seqs[i], i);
	assert_true(early > N / 2);
	rmlink(&l);
}

/* The received mbuf is the sent one, with the sender's offload requests
 * cleared; shared data is copied so the receiver cannot write into the
 * sender's copy; frames longer than the MTU are dropped. */
static void test_mbuf_handling(void **state)
{
	struct link l = mklink(NULL, NULL, 1);
	struct rte_mbuf *m = frame(1, 100), *c, *got[2];
	struct mpdk_simlink_stats st;

	(void)state;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	m->l2_len = 14;
	assert_int_equal(port_tx_burst(l.a, 0, &m, 1), 1);
	assert_int_equal(port_rx_burst(l.b, 0, got, 2), 1);
	assert_ptr_equal(got[0], m);
	assert_int_equal(got[0]->ol_flags, 0);
	assert_int_equal(got[0]->l2_len, 0);
	rte_pktmbuf_free(got[0]);

	m = frame(2, 100);
	c = rte_pktmbuf_clone(m, pool);
	assert_non_null(c);
	assert_int_equal(port_tx_burst(l.a, 0, &c, 1), 1);
	assert_int_equal(port_rx_burst(l.b, 0, got, 2), 1);
	assert_ptr_not_equal(got[0], c);
	assert_int_equal(seq_of(got[0]), 2);
	assert_int_equal(got[0]->pkt_len, 100);
	/* The receiver writes; the sender's copy is untouched. */
	memset(rte_pktmbuf_mtod(got[0], void *), 0xff, 4);
	assert_int_equal(seq_of(m), 2);
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	rte_pktmbuf_free(got[0]);
	rte_pktmbuf_free(m);

	/* MTU 1500 + 14 byte header (+ one VLAN tag) fits, one more does not. */
	send1(l.a, 3, 1518);
	send1(l.a, 4, 1519);
	assert_int_equal(drain(l.b, NULL, 0), 1);
	assert_int_equal(mpdk_simlink_stats(l.a, true, &st), 0);
	assert_int_equal(st.lost, 1);

	/* Only queue 0 receives. */
	send1(l.a, 5, 64);
	assert_int_equal(port_rx_burst(l.b, 1, got, 2), 0);
	assert_int_equal(drain(l.b, NULL, 0), 1);
	rmlink(&l);
}

/* Closing one end drops what travels towards it; the other end sees the
 * link down. */
static void test_close_one_end(void **state)
{
	struct mpdk_simlink_dir d = { .delay_ns = NS_PER_MS };
	struct link l = mklink(&d, &d, 1);

	(void)state;
	send1(l.a, 1, 64);
	send1(l.b, 2, 64);
	mpdk_port_close(l.b);
	assert_false(mpdk_port_link_up(l.a));
	send1(l.a, 3, 64);
	advance(NS_PER_MS);
	assert_int_equal(drain(l.a, NULL, 0), 1);
	mpdk_port_close(l.a);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

/* A TCP/IPv4 frame src:sport -> dst:dport (addresses and ports in network
 * order), headers only. */
static struct rte_mbuf *tcp_frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct rte_mbuf *m = frame(0, 64);
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	memset(d, 0, 64);
	d[12] = 0x08;   /* ethertype IPv4 */
	d[14] = 0x45;
	d[14 + 9] = 6;  /* TCP */
	memcpy(d + 14 + 12, &src, 4);
	memcpy(d + 14 + 16, &dst, 4);
	memcpy(d + 34, &sport, 2);
	memcpy(d + 36, &dport, 2);
	return m;
}

/* n_queues_b: a frame received on end b goes to the queue RSS picks
 * (Toeplitz, standard Microsoft key, hash % queues; the hash reported in
 * the mbuf as a NIC does), non-IPv4 frames to queue 0; end a keeps one
 * queue. Order within a queue is kept. */
static void test_multi_queue_rss(void **state)
{
	(void)state;
	struct mpdk_simlink_conf conf = { .seed = 1, .clock = clk, .pool = pool, .n_queues_b = 4 };
	struct mpdk_port *a, *b;
	assert_int_equal(mpdk_simlink_create(&conf, &a, &b), 0);
	assert_int_equal(a->n_rx_queues, 1);
	assert_int_equal(b->n_rx_queues, 4);
	assert_int_equal(b->n_tx_queues, 4);
	assert_true(port_rss_predictable(b));
	assert_false(port_rss_predictable(a));

	const uint32_t src = rte_cpu_to_be_32(0x0a000001), dst = rte_cpu_to_be_32(0x0a000002);
	unsigned want[64], got[4] = { 0 };
	for (unsigned i = 0; i < 64; i++) {
		uint16_t sp = rte_cpu_to_be_16((uint16_t)(40000 + i)), dp = rte_cpu_to_be_16(80);
		struct rte_mbuf *m = tcp_frame(src, dst, sp, dp);
		want[i] = port_toeplitz_ipv4(port_rss_std_key, src, dst, sp, dp, true) % 4;
		assert_int_equal(port_rss_queue(b, src, dst, sp, dp), want[i]);
		assert_int_equal(port_tx_burst(a, 0, &m, 1), 1);
	}
	struct rte_mbuf *arp = frame(7, 60);   /* ethertype 0: not IPv4 */
	assert_int_equal(port_tx_burst(a, 0, &arp, 1), 1);
	for (uint16_t q = 0; q < 4; q++) {
		struct rte_mbuf *pkts[64];
		uint16_t n = port_rx_burst(b, q, pkts, 64);
		unsigned last = 0;
		for (uint16_t j = 0; j < n; j++) {
			const uint8_t *d = rte_pktmbuf_mtod(pkts[j], const uint8_t *);
			if (d[12] != 0x08) {
				assert_int_equal(q, 0);   /* the non-IP frame */
				assert_false(pkts[j]->ol_flags & RTE_MBUF_F_RX_RSS_HASH);
				rte_pktmbuf_free(pkts[j]);
				continue;
			}
			uint16_t sp;
			memcpy(&sp, d + 34, 2);
			unsigned i = rte_be_to_cpu_16(sp) - 40000;
			assert_int_equal(want[i], q);
			assert_true(i >= last);   /* in order */
			last = i;
			assert_true(pkts[j]->ol_flags & RTE_MBUF_F_RX_RSS_HASH);
			assert_int_equal(pkts[j]->hash.rss % 4, q);
			got[q]++;
			rte_pktmbuf_free(pkts[j]);
		}
	}
	assert_int_equal(got[0] + got[1] + got[2] + got[3], 64);
	for (unsigned q = 0; q < 4; q++)
		assert_true(got[q] > 0);   /* 64 flows spread over all four */
	assert_int_equal(port_rx_burst(b, 4, NULL, 0), 0);
	mpdk_port_close(a);
	mpdk_port_close(b);
	conf.n_queues_a = 17;
	assert_int_equal(mpdk_simlink_create(&conf, &a, &b), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_loss_independent_streams),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_reorder_lone_frame),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_queue_limit),
		cmocka_unit_test(test_down_up),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_mbuf_handling),
		cmocka_unit_test(test_close_one_end),
		cmocka_unit_test(test_multi_queue_rss),
	};
	int rc;

	harness_eal_init();
	pool = rte_pktmbuf_pool_create("simlink_test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	clk = mpdk_clock_create_virtual(NS_PER_S);
	if (pool == NULL || clk == NULL)
		return 1;
	rc = cmocka_run_group_tests_name("simlink", tests, NULL, NULL);
	mpdk_clock_free(clk);
	rte_mempool_free(pool);
	return rc;
}
