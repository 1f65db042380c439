/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several engines in one stack (issue 6, design.md "one engine per lcore"):
 * MPTCP (RFC 8684) between stack A (one engine) and stack B (two engines)
 * over two simlinks, on one virtual clock. One thread polls every engine
 * in turn (mpdk_stack_poll), so the test needs no more busy pollers than
 * cores.
 *
 *   A: 10.1.0.1 (path 1), 10.2.0.1 (path 2)   B: 10.1.0.2, 10.2.0.2
 *
 * The joins are forced onto the other engine by test configuration: A's
 * source port P (its ephemeral range is the single port P) is chosen so
 * that the Toeplitz hash (standard Microsoft key, the simlink's RSS) of
 * the initial subflow and of the join land on different engines of B.
 * Every transfer is checked byte for byte.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "harness.h"
#include "simlink_fixture.h"
#include "stream_peer.h"
#include "mpdk/mpdk.h"
#include "core/clock.h"
#include "core/engine.h"
#include "core/redirect.h"
#include "drivers/port.h"
#include "tcp/tcb.h"

#define SEC 1000000000ull
#define MSEC 1000000ull
#define USEC 1000ull
#define STEP_NS (100 * USEC)
#define PORT_SRV 5001
#define XFER_BYTES (4ull << 20)

static struct rte_mempool *pool;

/* B has @b_engines engines and @b_queues queues on its link ends; path 1
 * loses 0.5 % of the frames. */
static struct simlink_world *world_create(unsigned b_engines, uint16_t b_queues,
					  const struct mpdk_tcp_conf *tca,
					  const struct mpdk_tcp_conf *tcb)
{
	struct simlink_world_conf c = {
		.pool = pool,
		.path1 = { .delay_ns = 10 * MSEC, .loss = 0.005 },
		.path2 = { .delay_ns = 15 * MSEC },
		.tca = tca, .tcb = tcb,
		.b_engines = b_engines, .b_queues = b_queues,
	};
	return simlink_world_create(&c);
}

static uint64_t ctr(struct mpdk_stack *s, const char *name)
{
	uint64_t v = 0;
	assert_int_equal(mpdk_stat_get(s, name, &v), 0);
	return v;
}

static uint64_t ectr(struct mpdk_stack *s, unsigned engine, enum counter_id c)
{
	return mpdk_stack_engine(s, engine)->ctr[c];
}

static struct mpdk_tcp_conf conf_default(void)
{
	struct mpdk_tcp_conf tc;
	mpdk_tcp_conf_defaults(&tc);
	tc.time_wait_ms = 1000;
	return tc;
}

/* The engine of B a segment from A's addr:port to B's addr:PORT_SRV lands
 * on, computed here from the Microsoft RSS definition (queue = Toeplitz
 * hash with the standard key, modulo the queues, source fields first), not
 * from the stack's own function. */
static unsigned b_engine_of(const char *a_addr, uint16_t a_port, const char *b_addr)
{
	return port_toeplitz_ipv4(port_rss_std_key, simlink_ip(a_addr), simlink_ip(b_addr), htons(a_port),
				  htons(PORT_SRV), true) % 2;
}

/* A source port of A whose initial subflow (path 1) lands on B's engine
 * @home and whose join (path 2) on engine @join. */
static uint16_t pick_port(unsigned home, unsigned join)
{
	for (uint32_t p = 49152; p < 65536; p++)
		if (b_engine_of("10.1.0.1", (uint16_t)p, "10.1.0.2") == home &&
		    b_engine_of("10.2.0.1", (uint16_t)p, "10.2.0.2") == join)
			return (uint16_t)p;
	fail_msg("no port with home %u, join %u", home, join);
	return 0;
}

/* One transfer: A connects to B (listening on every engine), B signals
 * 10.2.0.2 and A joins it; @a_sends picks the direction. Returns with both
 * sides closed. */
typedef void (*transfer_hook)(struct simlink_world *w, struct stream_peer *cli, struct stream_peer *srv, int max_sf);

static void run_transfer_hook(struct simlink_world *w, bool a_sends, struct stream_peer *cli, struct stream_peer *srv,
			      int *max_sf, transfer_hook hook)
{
	mpdk_conn_t l[MPDK_MAX_ENGINES];
	unsigned nb = mpdk_stack_n_engines(w->sb);

	cli->is_sender = a_sends;
	srv->is_sender = !a_sends;
	cli->total = srv->total = XFER_BYTES;
	/* docs/api.md: a listener on every engine of the stack */
	for (unsigned i = 0; i < nb; i++)
		assert_int_equal(mpdk_listen(mpdk_stack_engine(w->sb, i), 0, htons(PORT_SRV), 16,
					     &stream_peer_handler, srv, &l[i]), 0);
	assert_int_equal(mpdk_connect(mpdk_stack_engine(w->sa, 0), simlink_ip("10.1.0.2"), htons(PORT_SRV), 0,
				      0, &stream_peer_handler, cli, &cli->c), 0);
	struct stream_peer *snd = a_sends ? cli : srv, *rcv = a_sends ? srv : cli;
	uint64_t limit = mpdk_clock_now_ns(w->clock) + 600 * SEC;
	*max_sf = 0;
	while (!(rcv->eof && snd->closed && rcv->close_called) &&
	       mpdk_clock_now_ns(w->clock) < limit) {
		simlink_world_step(w, STEP_NS);
		assert_false(cli->closed && cli->err != 0);
		assert_false(srv->closed && srv->err != 0);
		struct mpdk_conn_info ci;
		if (cli->connected && !cli->closed && mpdk_conn_info(cli->c, &ci) == 0 &&
		    ci.mptcp_subflows > *max_sf)
			*max_sf = ci.mptcp_subflows;
		if (hook != NULL)
			hook(w, cli, srv, *max_sf);
	}
	if (getenv("MPDK_ENGINES_DEBUG")) {
		mpdk_stats_print(w->sa, stdout, false);
		printf("---- B\n");
		mpdk_stats_print(w->sb, stdout, false);
	}
	assert_true(rcv->eof);
	assert_int_equal(rcv->rcvd, XFER_BYTES);
	assert_int_equal(snd->sent, XFER_BYTES);
	assert_int_equal(rcv->mismatches, 0);
	assert_true(snd->closed);
	assert_int_equal(snd->err, 0);
	for (int i = 0; i < 30; i++)
		simlink_world_step(w, STEP_NS);
	mpdk_clock_advance(w->clock, 3 * SEC);
	simlink_world_poll_idle(w);
	for (unsigned i = 0; i < nb; i++)
		assert_int_equal(mpdk_close(l[i]), 0);
}

static void run_transfer(struct simlink_world *w, bool a_sends, struct stream_peer *cli, struct stream_peer *srv,
			 int *max_sf)
{
	run_transfer_hook(w, a_sends, cli, srv, max_sf, NULL);
}

/* The join's redirect entry goes once the home engine has no connection
 * for the 4-tuple any more (checked every REDIRECT_CHECK_NS). */
static void expect_redirects_gone(struct simlink_world *w)
{
	for (int i = 0; i < 3; i++) {
		mpdk_clock_advance(w->clock, REDIRECT_CHECK_NS);
		simlink_world_poll_idle(w);
	}
	for (unsigned i = 0; i < mpdk_stack_n_engines(w->sb); i++)
		assert_int_equal(redirect_table_size(mpdk_stack_engine(w->sb, i)), 0);
}

/* RFC 8684 §3.2 across engines with RSS: the initial subflow lands on
 * engine @home of B (the connection's home: its token entry says so), the
 * SYN+MP_JOIN on the other engine, which finds the home in the shared
 * token table and hands the SYN over through its ring; the rest of the
 * join's segments follow through the redirect entry. Both directions,
 * both homes. */
static void test_join_lands_on_other_engine_rss(void **state)
{
	(void)state;
	for (unsigned home = 0; home < 2; home++) {
		for (int dir = 0; dir < 2; dir++) {
			uint16_t p = pick_port(home, !home);
			struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
			ta.ephemeral_lo = ta.ephemeral_hi = p;
			tb.mptcp.n_endpoints = 1;
			tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){
				.addr = simlink_ip("10.2.0.2"), .flags = MPDK_MPTCP_EP_SIGNAL };
			struct simlink_world *w = world_create(2, 2, &ta, &tb);
			struct stream_peer cli = { 0 }, srv = { 0 };
			int max_sf;
			run_transfer(w, dir == 0, &cli, &srv, &max_sf);
			print_message("  home engine %u, port %u, %s: %d subflows, handovers %llu, "
				      "frames redirected %llu\n", home, p, dir == 0 ? "A->B" : "B->A",
				      max_sf, (unsigned long long)ctr(w->sb, "engine_join_handover"),
				      (unsigned long long)ctr(w->sb, "engine_redirect_tx"));
			assert_int_equal(max_sf, 2);
			assert_ptr_equal(srv.accepted_on, mpdk_stack_engine(w->sb, home));
			/* the join's SYN landed on the other engine and was handed over */
			assert_true(ectr(w->sb, !home, CTR_engine_join_handover) >= 1);
			assert_int_equal(ectr(w->sb, home, CTR_engine_join_handover), 0);
			assert_true(ectr(w->sb, home, CTR_engine_redirect_rx) > 10);
			assert_true(ectr(w->sb, !home, CTR_engine_redirect_tx) > 10);
			/* ... and was accepted by the home engine, not refused */
			assert_int_equal(ectr(w->sb, home, CTR_mptcp_join_ack_rx), 1);
			assert_int_equal(ctr(w->sb, "mptcp_join_token_unknown"), 0);
			assert_int_equal(ctr(w->sb, "engine_redirect_ring_full"), 0);
			/* no connection on the other engine at all */
			assert_int_equal(ectr(w->sb, !home, CTR_tcp_passive_open), 0);
			expect_redirects_gone(w);
			assert_true(ctr(w->sb, "engine_redirect_removed") >= 1);
			simlink_world_free(w);
		}
	}
}

/* The spoofed SYN of test_spoofed_syn_on_handed_over_join. */
static uint16_t spoof_port;
static unsigned spoof_home;
static unsigned spoof_sent;

static void spoof_syn(struct simlink_world *w, struct stream_peer *cli, struct stream_peer *srv, int max_sf)
{
	(void)cli;
	if (spoof_sent > 0 || max_sf < 2 || srv->rcvd + cli->rcvd < XFER_BYTES / 2)
		return;
	/* An off-path attacker who guessed the join's 4-tuple (path 2,
	 * A's port = the only ephemeral port) and a sequence number in the
	 * window (the case RFC 5961 §4.2 is about): a bare SYN, sent to B as
	 * if from A. The guess is taken from the home's connection. */
	struct tcb *t = tcp_demux_lookup(mpdk_stack_engine(w->sb, spoof_home)->tcp, simlink_ip("10.2.0.2"),
					 htons(PORT_SRV), simlink_ip("10.2.0.1"), htons(spoof_port));
	assert_non_null(t);
	uint8_t l4[20] = { 0 }, f[128];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;
	th->src_port = htons(spoof_port);
	th->dst_port = htons(PORT_SRV);
	th->sent_seq = htonl(t->rcv_nxt + 1);
	th->data_off = 5 << 4;
	th->tcp_flags = RTE_TCP_SYN_FLAG;
	th->rx_win = htons(65535);
	size_t n = harness_build_ipv4(f, &w->sa->ifaces[1].mac, &w->sb->ifaces[1].mac, simlink_ip("10.2.0.1"),
				      simlink_ip("10.2.0.2"), IPPROTO_TCP, l4, sizeof(l4));
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(f + sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *t2 = (struct rte_tcp_hdr *)(ih + 1);
	t2->cksum = 0;
	t2->cksum = rte_ipv4_udptcp_cksum(ih, t2);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)n), f, n);
	assert_int_equal(port_tx_burst(w->l2a, 0, &m, 1), 1);
	spoof_sent++;
}

/* RFC 5961 §4 across engines: a SYN for the 4-tuple of a join handed over
 * to the home engine (it has a redirect entry on the engine its frames
 * land on) goes to the home, whose TCP answers it with a challenge ACK;
 * the entry is neither dropped nor re-pointed, the subflow lives on and
 * the transfer completes byte for byte. Before the fix the SYN deleted
 * the entry and the subflow's next segments met an engine without its
 * connection (RST / a new SYN_RECEIVED there). */
static void test_spoofed_syn_on_handed_over_join(void **state)
{
	(void)state;
	const unsigned home = 0;
	uint16_t p = pick_port(home, !home);
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	ta.ephemeral_lo = ta.ephemeral_hi = p;
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = simlink_ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	struct simlink_world *w = world_create(2, 2, &ta, &tb);
	struct stream_peer cli = { 0 }, srv = { 0 };
	int max_sf;
	spoof_port = p;
	spoof_home = home;
	spoof_sent = 0;
	run_transfer_hook(w, true, &cli, &srv, &max_sf, spoof_syn);
	assert_int_equal(spoof_sent, 1);
	assert_int_equal(max_sf, 2);
	assert_true(ectr(w->sb, !home, CTR_engine_join_handover) >= 1);
	/* the SYN went to the home engine and was answered there */
	assert_true(ectr(w->sb, home, CTR_tcp_challenge_ack) >= 1);
	/* the entry was never dropped early: only the upkeep removes it */
	assert_int_equal(ectr(w->sb, !home, CTR_engine_redirect_removed), 0);
	/* nothing reached an engine without the connection */
	assert_int_equal(ectr(w->sb, !home, CTR_tcp_passive_open), 0);
	assert_int_equal(ectr(w->sb, !home, CTR_tcp_rx_no_conn), 0);
	assert_int_equal(ctr(w->sa, "mptcp_join_token_unknown"), 0);
	expect_redirects_gone(w);
	assert_int_equal(ectr(w->sb, !home, CTR_engine_redirect_removed), 1);
	simlink_world_free(w);
}

/* Software steering (a port without RSS, one queue, like net_af_packet):
 * engine 0 receives everything and hands each segment to the engine
 * owning its 4-tuple; the connection's home is engine 1 and its frames go
 * out through engine 0 (one tx queue). The join is received by engine 0
 * and handed to the home directly by its token. */
static void test_software_steering(void **state)
{
	(void)state;
	for (unsigned home = 0; home < 2; home++) {
		uint16_t p = pick_port(home, !home);   /* software owner: same hash % 2 */
		struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
		ta.ephemeral_lo = ta.ephemeral_hi = p;
		tb.mptcp.n_endpoints = 1;
		tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){
			.addr = simlink_ip("10.2.0.2"), .flags = MPDK_MPTCP_EP_SIGNAL };
		struct simlink_world *w = world_create(2, 1, &ta, &tb);
		struct stream_peer cli = { 0 }, srv = { 0 };
		int max_sf;
		run_transfer(w, true, &cli, &srv, &max_sf);
		assert_int_equal(max_sf, 2);
		assert_ptr_equal(srv.accepted_on, mpdk_stack_engine(w->sb, home));
		assert_int_equal(ectr(w->sb, 1, CTR_port_rx_frames), 0);   /* nothing polled by 1 */
		assert_int_equal(ectr(w->sb, home, CTR_mptcp_join_ack_rx), 1);
		assert_int_equal(ctr(w->sb, "mptcp_join_token_unknown"), 0);
		assert_int_equal(ctr(w->sb, "tcp_rx_no_conn"), 0);
		if (home == 1) {
			/* engine 0 receives the join and hands it to engine 1,
			 * and every segment of the connection after it; engine
			 * 1 sends through engine 0 */
			assert_true(ectr(w->sb, 0, CTR_engine_join_handover) >= 1);
			/* (software GRO merges before steering: a handed-over
			 * packet may carry several wire segments) */
			assert_true(ectr(w->sb, 0, CTR_engine_redirect_tx) > 100);
			assert_true(ectr(w->sb, 1, CTR_tcp_rx_segs) > 1000);
			assert_true(ectr(w->sb, 1, CTR_engine_tx_via_engine0) > 100);
		} else {
			/* engine 0 receives the join of its own connection; an
			 * entry keeps the 4-tuple from going to its hash owner */
			assert_int_equal(ctr(w->sb, "engine_join_handover"), 0);
			assert_int_equal(ectr(w->sb, 0, CTR_engine_redirect_added), 1);
			assert_int_equal(ctr(w->sb, "engine_redirect_tx"), 0);
			assert_int_equal(ectr(w->sb, 1, CTR_tcp_tx_segs), 0);
		}
		/* engine 1 resolved A's addresses from what engine 0 heard */
		assert_true(ectr(w->sb, 0, CTR_engine_arp_mirrored) >= 1);
		expect_redirects_gone(w);
		simlink_world_free(w);
	}
}

/* Active opens pick source ports whose RSS hash lands on the opening
 * engine (design.md): B's engine 1 connects to A and joins A's second
 * address; no segment of either subflow lands on engine 0. */
static void test_active_open_lands_home(void **state)
{
	(void)state;
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	ta.mptcp.n_endpoints = 1;
	ta.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = simlink_ip("10.2.0.1"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	struct simlink_world *w = world_create(2, 2, &ta, &tb);
	struct stream_peer cli = { 0 }, srv = { 0 };
	mpdk_conn_t l;
	struct mpdk_engine *e1 = mpdk_stack_engine(w->sb, 1);

	/* Every source port engine 1 picks lands on its queue: 32 of them,
	 * so a choice ignoring RSS passes with probability 2^-32. */
	for (int i = 0; i < 32; i++) {
		mpdk_conn_t c;
		struct mpdk_conn_info ci;
		uint32_t dst = simlink_ip(i % 2 ? "10.1.0.1" : "10.2.0.1");
		assert_int_equal(mpdk_connect(e1, dst, htons(PORT_SRV + 1 + i), 0, 0, &stream_peer_handler, &cli,
					      &c), 0);
		assert_int_equal(mpdk_conn_info(c, &ci), 0);
		assert_int_equal(port_toeplitz_ipv4(port_rss_std_key, dst, ci.local_addr,
						    htons(PORT_SRV + 1 + i), ci.local_port, true) % 2, 1);
		assert_int_equal(mpdk_abort(c), 0);
	}
	simlink_world_poll_idle(w);
	srv.total = cli.total = XFER_BYTES;
	cli.is_sender = true;
	assert_int_equal(mpdk_listen(mpdk_stack_engine(w->sa, 0), 0, htons(PORT_SRV), 16, &stream_peer_handler,
				     &srv, &l), 0);
	assert_int_equal(mpdk_connect(e1, simlink_ip("10.1.0.1"), htons(PORT_SRV), 0, 0, &stream_peer_handler, &cli,
				      &cli.c), 0);
	struct mpdk_conn_info ci;
	assert_int_equal(mpdk_conn_info(cli.c, &ci), 0);
	/* the port B chose: replies hash to queue 1 of its path-1 port */
	assert_int_equal(port_toeplitz_ipv4(port_rss_std_key, simlink_ip("10.1.0.1"), simlink_ip("10.1.0.2"),
					    htons(PORT_SRV), ci.local_port, true) % 2, 1);
	int max_sf = 0;
	uint64_t limit = mpdk_clock_now_ns(w->clock) + 600 * SEC;
	while (!(srv.eof && cli.closed) && mpdk_clock_now_ns(w->clock) < limit) {
		simlink_world_step(w, STEP_NS);
		if (!cli.closed && mpdk_conn_info(cli.c, &ci) == 0 && ci.mptcp_subflows > max_sf)
			max_sf = ci.mptcp_subflows;
	}
	assert_int_equal(srv.rcvd, XFER_BYTES);
	assert_int_equal(srv.mismatches, 0);
	assert_int_equal(cli.err, 0);
	assert_int_equal(max_sf, 2);
	assert_int_equal(ectr(w->sb, 1, CTR_mptcp_join_tx), 1);
	assert_int_equal(ctr(w->sb, "engine_redirect_tx"), 0);
	assert_int_equal(ctr(w->sb, "engine_join_handover"), 0);
	assert_int_equal(ctr(w->sb, "tcp_rx_no_conn"), 0);
	/* A's ACKs: one per coalesced packet with GRO (RFC 5681 §4.2) */
	assert_true(ectr(w->sb, 1, CTR_port_rx_frames) > 300);
	for (int i = 0; i < 30; i++)
		simlink_world_step(w, STEP_NS);
	mpdk_clock_advance(w->clock, 3 * SEC);
	simlink_world_poll_idle(w);
	assert_int_equal(mpdk_close(l), 0);
	simlink_world_free(w);
}

/* A port with several queues but not one per engine is refused with a
 * clear error (nobody would poll the extra queues). */
static void test_queue_mismatch_refused(void **state)
{
	(void)state;
	struct mpdk_clock *clock = mpdk_clock_create_virtual(SEC);
	struct mpdk_port *a, *b;
	struct mpdk_simlink_conf lc = { .clock = clock, .pool = pool, .n_queues_b = 4 };
	assert_int_equal(mpdk_simlink_create(&lc, &a, &b), 0);
	struct mpdk_stack_conf cb = { .name = "B", .pool = pool, .clock = clock, .n_engines = 2,
				      .n_ports = 1, .ports = { b } };
	struct mpdk_stack *s = NULL;
	assert_int_equal(mpdk_stack_create(&cb, &s), -EINVAL);
	cb.n_engines = MPDK_MAX_ENGINES + 1;
	assert_int_equal(mpdk_stack_create(&cb, &s), -EINVAL);
	lc.n_queues_b = 17;
	struct mpdk_port *c, *d;
	assert_int_equal(mpdk_simlink_create(&lc, &c, &d), -EINVAL);
	mpdk_port_close(a);
	mpdk_port_close(b);
	mpdk_clock_free(clock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_lands_on_other_engine_rss),
		cmocka_unit_test(test_software_steering),
		cmocka_unit_test(test_spoofed_syn_on_handed_over_join),
		cmocka_unit_test(test_active_open_lands_home),
		cmocka_unit_test(test_queue_mismatch_refused),
	};
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("engines_pool", 32767, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	assert_non_null(pool);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
