/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two mpdk stacks joined by simlinks, polled in turn by one thread on a
 * shared virtual clock: ARP (RFC 826) and ICMP echo (RFC 792) across an
 * emulated link with delay, loss and link failure, on one and two subnets.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "harness.h"
#include "mpdk/mpdk.h"
#include "core/clock.h"
#include "drivers/port.h"

#define STEP_NS (100 * NS_PER_US)
#define MS (1000ull * 1000ull)
#define MAX_REPLIES 1024

static struct rte_mempool *pool;

struct replies {
	unsigned n;
	struct mpdk_ping_reply r[MAX_REPLIES];
};

struct world {
	struct mpdk_clock *clock;
	struct mpdk_port *la[2], *lb[2];   /* simlink i: la[i] on stack A, lb[i] on B */
	unsigned n_links;
	struct mpdk_stack *sa, *sb;
	struct mpdk_engine *ea, *eb;
	struct replies ra, rb;
};

static void on_reply(void *arg, const struct mpdk_ping_reply *r)
{
	struct replies *rs = arg;

	if (rs->n < MAX_REPLIES)
		rs->r[rs->n] = *r;
	rs->n++;
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Link i joins 10.0.i.1/24 (stack A) and 10.0.i.2/24 (stack B). */
static struct world *world_create(unsigned n_links, const uint64_t *delay_ns)
{
	struct world *w = calloc(1, sizeof(*w));
	struct mpdk_stack_conf ca = { .name = "A", .pool = pool };
	struct mpdk_stack_conf cb = { .name = "B", .pool = pool };
	char addr[32];

	assert_non_null(w);
	w->clock = mpdk_clock_create_virtual(NS_PER_S);
	assert_non_null(w->clock);
	w->n_links = n_links;
	for (unsigned i = 0; i < n_links; i++) {
		struct mpdk_simlink_conf lc = {
			.a_to_b = { .delay_ns = delay_ns[i] },
			.b_to_a = { .delay_ns = delay_ns[i] },
			.seed = 1234 + i,
			.clock = w->clock,
			.pool = pool,
		};
		assert_int_equal(mpdk_simlink_create(&lc, &w->la[i], &w->lb[i]), 0);
		ca.ports[i] = w->la[i];
		cb.ports[i] = w->lb[i];
		snprintf(addr, sizeof(addr), "10.0.%u.1", i);
		ca.addrs[i] = (struct mpdk_addr_conf){ .port = i, .addr = ip(addr), .prefix_len = 24 };
		snprintf(addr, sizeof(addr), "10.0.%u.2", i);
		cb.addrs[i] = (struct mpdk_addr_conf){ .port = i, .addr = ip(addr), .prefix_len = 24 };
	}
	ca.n_ports = ca.n_addrs = cb.n_ports = cb.n_addrs = (uint16_t)n_links;
	ca.clock = cb.clock = w->clock;
	ca.on_ping_reply = cb.on_ping_reply = on_reply;
	ca.ping_arg = &w->ra;
	cb.ping_arg = &w->rb;
	assert_int_equal(mpdk_stack_create(&ca, &w->sa), 0);
	assert_int_equal(mpdk_stack_create(&cb, &w->sb), 0);
	w->ea = mpdk_stack_engine(w->sa, 0);
	w->eb = mpdk_stack_engine(w->sb, 0);
	assert_non_null(w->ea);
	assert_non_null(w->eb);
	return w;
}

static void world_free(struct world *w)
{
	mpdk_stack_free(w->sa);
	mpdk_stack_free(w->sb);
	for (unsigned i = 0; i < w->n_links; i++) {
		mpdk_port_close(w->la[i]);
		mpdk_port_close(w->lb[i]);
	}
	mpdk_clock_free(w->clock);
	free(w);
	/* Stacks and links gave every frame back: nothing leaked. */
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

/* Poll both stacks until neither has anything to do. */
static void poll_idle(struct world *w)
{
	for (unsigned i = 0; i < 1000; i++) {
		int n = mpdk_engine_poll(w->ea);

		n += mpdk_engine_poll(w->eb);
		if (n == 0)
			return;
	}
	fail_msg("stacks never went idle");
}

/* Let @ns of virtual time pass, polling at every step. */
static void run(struct world *w, uint64_t ns)
{
	poll_idle(w);
	while (ns > 0) {
		uint64_t s = ns < STEP_NS ? ns : STEP_NS;

		assert_int_equal(mpdk_clock_advance(w->clock, s), 0);
		ns -= s;
		poll_idle(w);
	}
}

static uint64_t ctr(const struct mpdk_stack *s, const char *name)
{
	uint64_t v;

	assert_int_equal(mpdk_stat_get(s, name, &v), 0);
	return v;
}

static void ping(struct world *w, const char *dst, uint16_t seq)
{
	assert_int_equal(mpdk_ping(w->ea, ip(dst), 77, seq, 56), 0);
	poll_idle(w);
}

/* RFC 826: A's first ping needs B's MAC: A broadcasts a request, B answers
 * (and learns A from it), the queued echo request goes out. RFC 792: B
 * answers the echo from the pinged address with the same identifier,
 * sequence number and data; the RTT is two one-way delays. */
static void test_arp_and_ping(void **state)
{
	const uint64_t delay[] = { 20 * MS };
	struct world *w = world_create(1, delay);
	struct mpdk_simlink_stats st;

	(void)state;
	assert_true(mpdk_port_link_up(w->la[0]));
	/* Let the announcements both stacks send at start pass first. */
	run(w, 100 * MS);
	ping(w, "10.0.0.2", 1);
	run(w, 200 * MS);
	assert_int_equal(w->ra.n, 1);
	assert_int_equal(w->ra.r[0].from, ip("10.0.0.2"));
	assert_int_equal(w->ra.r[0].id, 77);
	assert_int_equal(w->ra.r[0].seq, 1);
	assert_int_equal(w->ra.r[0].len, 56);
	/* The ARP exchange costs one extra round trip. */
	assert_in_range(w->ra.r[0].rtt_ns, 80 * MS, 80 * MS + 2 * STEP_NS);
	assert_true(ctr(w->sa, "arp_requests_sent") >= 1);
	assert_true(ctr(w->sb, "arp_requests_rx") >= 1);
	assert_true(ctr(w->sb, "arp_replies_sent") >= 1);
	assert_true(ctr(w->sa, "arp_replies_rx") >= 1);
	assert_int_equal(ctr(w->sb, "icmp_echo_requests"), 1);
	assert_int_equal(ctr(w->sb, "icmp_echo_replies_sent"), 1);

	/* Resolved now, and B learnt A from the request: no more ARP, and
	 * the RTT is exactly 2 x 20 ms. */
	uint64_t arp_a = ctr(w->sa, "arp_requests_sent"), arp_b = ctr(w->sb, "arp_requests_sent");
	for (uint16_t seq = 2; seq <= 5; seq++) {
		ping(w, "10.0.0.2", seq);
		run(w, 50 * MS);
	}
	assert_int_equal(w->ra.n, 5);
	for (unsigned i = 1; i < 5; i++) {
		assert_int_equal(w->ra.r[i].seq, i + 1);
		assert_in_range(w->ra.r[i].rtt_ns, 40 * MS, 40 * MS + 2 * STEP_NS);
	}
	assert_int_equal(ctr(w->sa, "arp_requests_sent"), arp_a);
	assert_int_equal(ctr(w->sb, "arp_requests_sent"), arp_b);

	/* B pings A back. */
	assert_int_equal(mpdk_ping(w->eb, ip("10.0.0.1"), 9, 1, 100), 0);
	run(w, 50 * MS);
	assert_int_equal(w->rb.n, 1);
	assert_int_equal(w->rb.r[0].from, ip("10.0.0.1"));
	assert_in_range(w->rb.r[0].rtt_ns, 40 * MS, 40 * MS + 2 * STEP_NS);

	assert_int_equal(mpdk_simlink_stats(w->la[0], true, &st), 0);
	assert_int_equal(st.sent, st.delivered);
	world_free(w);
}

/* RFC 826 merge: B's announcement at start (RFC 5227 2.3) reaches A while
 * A's own request is still on its way, and completes A's pending entry:
 * the echo leaves after one one-way delay instead of a round trip. */
static void test_arp_merge_announcement(void **state)
{
	const uint64_t delay[] = { 20 * MS };
	struct world *w = world_create(1, delay);

	(void)state;
	ping(w, "10.0.0.2", 1);
	run(w, 200 * MS);
	assert_int_equal(w->ra.n, 1);
	assert_in_range(w->ra.r[0].rtt_ns, 60 * MS, 60 * MS + 2 * STEP_NS);
	assert_int_equal(ctr(w->sa, "arp_announcements_sent"), 1);
	assert_int_equal(ctr(w->sb, "arp_announcements_sent"), 1);
	world_free(w);
}

/* 10% loss each way: a ping gets its reply with probability 0.9 * 0.9 =
 * 81%. Every missing reply is a frame the link reports lost. */
static void test_ping_loss(void **state)
{
	enum { N = 200 };
	const uint64_t delay[] = { 20 * MS };
	struct world *w = world_create(1, delay);
	struct mpdk_simlink_dir lossy = { .delay_ns = 20 * MS, .loss = 0.1 };
	struct mpdk_simlink_stats ab0, ba0, ab, ba;

	(void)state;
	/* Resolve ARP on a clean link first. */
	ping(w, "10.0.0.2", 0);
	run(w, 100 * MS);
	assert_int_equal(w->ra.n, 1);
	w->ra.n = 0;

	assert_int_equal(mpdk_simlink_set(w->la[0], true, &lossy), 0);
	assert_int_equal(mpdk_simlink_set(w->la[0], false, &lossy), 0);
	assert_int_equal(mpdk_simlink_stats(w->la[0], true, &ab0), 0);
	assert_int_equal(mpdk_simlink_stats(w->la[0], false, &ba0), 0);
	for (uint16_t seq = 1; seq <= N; seq++) {
		ping(w, "10.0.0.2", seq);
		run(w, 10 * MS);
	}
	run(w, 100 * MS);
	assert_int_equal(mpdk_simlink_stats(w->la[0], true, &ab), 0);
	assert_int_equal(mpdk_simlink_stats(w->la[0], false, &ba), 0);

	/* Binomial(200, 0.81): sd 5.5; +-25 is 4.5 sd. */
	assert_in_range(w->ra.n, 162 - 25, 162 + 25);
	assert_int_equal(ab.sent - ab0.sent, N);
	assert_int_equal(w->ra.n, N - (ab.lost - ab0.lost) - (ba.lost - ba0.lost));
	assert_int_equal(ctr(w->sb, "icmp_echo_requests"), 1 + N - (ab.lost - ab0.lost));
	for (unsigned i = 0; i < w->ra.n; i++) {
		assert_in_range(w->ra.r[i].rtt_ns, 40 * MS, 40 * MS + 2 * STEP_NS);
		if (i > 0)
			assert_true(w->ra.r[i].seq > w->ra.r[i - 1].seq);
	}
	world_free(w);
}

/* A failed link loses every ping; once it is back, pings work again
 * without new ARP resolution (the cache entry outlives the outage). */
static void test_link_down_up(void **state)
{
	const uint64_t delay[] = { 5 * MS };
	struct world *w = world_create(1, delay);
	struct mpdk_simlink_stats st;

	(void)state;
	ping(w, "10.0.0.2", 1);
	run(w, 50 * MS);
	assert_int_equal(w->ra.n, 1);

	/* Down with an echo request in flight: it is lost too. */
	ping(w, "10.0.0.2", 2);
	run(w, 2 * MS);
	assert_int_equal(mpdk_simlink_set_up(w->lb[0], false), 0);
	assert_false(mpdk_port_link_up(w->la[0]));
	assert_false(mpdk_port_link_up(w->lb[0]));
	for (uint16_t seq = 3; seq < 13; seq++) {
		ping(w, "10.0.0.2", seq);
		run(w, 20 * MS);
	}
	run(w, 100 * MS);
	assert_int_equal(w->ra.n, 1);
	assert_int_equal(mpdk_simlink_stats(w->la[0], true, &st), 0);
	assert_int_equal(st.down_drops, 11);

	assert_int_equal(mpdk_simlink_set_up(w->la[0], true), 0);
	assert_true(mpdk_port_link_up(w->lb[0]));
	for (uint16_t seq = 20; seq < 30; seq++) {
		ping(w, "10.0.0.2", seq);
		run(w, 20 * MS);
	}
	run(w, 50 * MS);
	assert_int_equal(w->ra.n, 11);
	assert_int_equal(w->ra.r[1].seq, 20);
	assert_int_equal(w->ra.r[10].seq, 29);
	world_free(w);
}

/* Two links, two subnets, two ports per stack: each destination is reached
 * over its own link (told apart by their delays), and losing one link does
 * not affect the other. */
static void test_two_links(void **state)
{
	const uint64_t delay[] = { 10 * MS, 30 * MS };
	struct world *w = world_create(2, delay);
	struct mpdk_simlink_stats s0, s1;

	(void)state;
	ping(w, "10.0.0.2", 1);
	ping(w, "10.0.1.2", 2);
	run(w, 200 * MS);
	assert_int_equal(w->ra.n, 2);
	ping(w, "10.0.0.2", 3);
	ping(w, "10.0.1.2", 4);
	run(w, 100 * MS);
	assert_int_equal(w->ra.n, 4);
	for (unsigned i = 2; i < 4; i++) {
		if (w->ra.r[i].seq == 3) {
			assert_int_equal(w->ra.r[i].from, ip("10.0.0.2"));
			assert_in_range(w->ra.r[i].rtt_ns, 20 * MS, 20 * MS + 2 * STEP_NS);
		} else {
			assert_int_equal(w->ra.r[i].seq, 4);
			assert_int_equal(w->ra.r[i].from, ip("10.0.1.2"));
			assert_in_range(w->ra.r[i].rtt_ns, 60 * MS, 60 * MS + 2 * STEP_NS);
		}
	}
	/* Each link carried its own ARP request and echo requests. */
	assert_int_equal(mpdk_simlink_stats(w->la[0], true, &s0), 0);
	assert_int_equal(mpdk_simlink_stats(w->la[1], true, &s1), 0);
	assert_true(s0.sent >= 3 && s1.sent >= 3);
	assert_int_equal(ctr(w->sb, "icmp_echo_requests"), 4);

	/* Link 0 fails: 10.0.0.2 is unreachable, 10.0.1.2 still answers. */
	assert_int_equal(mpdk_simlink_set_up(w->la[0], false), 0);
	w->ra.n = 0;
	for (uint16_t seq = 10; seq < 20; seq++) {
		ping(w, "10.0.0.2", seq);
		ping(w, "10.0.1.2", seq);
		run(w, 10 * MS);
	}
	run(w, 100 * MS);
	assert_int_equal(w->ra.n, 10);
	for (unsigned i = 0; i < w->ra.n; i++)
		assert_int_equal(w->ra.r[i].from, ip("10.0.1.2"));
	assert_true(mpdk_port_link_up(w->la[1]));
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_and_ping),
		cmocka_unit_test(test_arp_merge_announcement),
		cmocka_unit_test(test_ping_loss),
		cmocka_unit_test(test_link_down_up),
		cmocka_unit_test(test_two_links),
	};
	int rc;

	harness_eal_init();
	/* Shared by both stacks and the links; no per-lcore cache so that the
	 * leak checks see every mbuf. */
	pool = rte_pktmbuf_pool_create("simlink_stacks", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	rc = cmocka_run_group_tests_name("simlink_stacks", tests, NULL, NULL);
	rte_mempool_free(pool);
	return rc;
}
