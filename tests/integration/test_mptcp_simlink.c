/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPTCP (RFC 8684) between two mpdk stacks joined by two simlinks (two
 * paths), on one virtual clock. Every transfer is checked byte for byte
 * and ends with DATA_FIN both ways (§3.3.3) and closed(0).
 *
 *   A: 10.1.0.1 (path 1), 10.2.0.1 (path 2)   B: 10.1.0.2, 10.2.0.2
 *
 * MPDK_MPTCP_BYTES overrides the transfer size (default 8 MB);
 * MPDK_MPTCP_PCAP=prefix writes prefix-A.pcap and prefix-B.pcap. The two
 * stacks and links are simlink_fixture.c's.
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

#include "harness.h"
#include "simlink_fixture.h"
#include "stream_peer.h"
#include "mpdk/mpdk.h"
#include "drivers/port.h"
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#define SEC 1000000000ull
#define MSEC 1000000ull
#define USEC 1000ull
#define STEP_NS (100 * USEC)
#define PORT_SRV 5001

static struct rte_mempool *pool;
static uint64_t xfer_bytes;

static uint32_t ip(const char *s) { return simlink_ip(s); }

/* The two-path world of simlink_fixture.c, with the fixture's seeds (42
 * and 7); MPDK_MPTCP_PCAP=prefix writes prefix-A.pcap and prefix-B.pcap. */
static struct simlink_world *world_create(const struct mpdk_simlink_dir *p1,
					  const struct mpdk_simlink_dir *p2,
					  const struct mpdk_tcp_conf *tca,
					  const struct mpdk_tcp_conf *tcb)
{
	struct simlink_world_conf c = {
		.pool = pool, .path1 = *p1, .path2 = *p2, .seed1 = 42, .seed2 = 7,
		.tca = tca, .tcb = tcb, .pcap_prefix = getenv("MPDK_MPTCP_PCAP"),
	};
	return simlink_world_create(&c);
}

/* asserts (and lists) that no mbuf is left in use */
static void world_free(struct simlink_world *w) { simlink_world_free(w); }
static void poll_idle(struct simlink_world *w) { simlink_world_poll_idle(w); }
static void step(struct simlink_world *w) { simlink_world_step(w, STEP_NS); }

struct peer {
	mpdk_conn_t c;
	uint64_t sent, rcvd, mismatches, total;
	bool connected, eof, closed, close_called, is_sender, use_mbuf;
	int err;
};

static void send_more(struct peer *p)
{
	uint8_t buf[16384];
	while (p->sent < p->total) {
		size_t n = p->total - p->sent < sizeof(buf) ? p->total - p->sent : sizeof(buf);
		stream_fill(buf, p->sent, n);
		ssize_t k = mpdk_send(p->c, buf, n);
		if (k <= 0) {
			assert_true(k == -EAGAIN || k == -ENOBUFS);
			return;
		}
		p->sent += (uint64_t)k;
	}
	if (!p->close_called) {
		p->close_called = true;
		assert_int_equal(mpdk_shutdown(p->c, MPDK_SHUT_WR), 0);
	}
}

static void check_bytes(struct peer *p, const uint8_t *d, size_t n)
{
	uint8_t exp[4096];
	size_t done = 0;
	while (done < n) {
		size_t k = n - done < sizeof(exp) ? n - done : sizeof(exp);
		stream_fill(exp, p->rcvd + done, k);
		if (memcmp(exp, d + done, k) != 0)
			p->mismatches++;
		done += k;
	}
	p->rcvd += n;
}

static void on_readable(void *arg, mpdk_conn_t c)
{
	struct peer *p = arg;
	for (;;) {
		ssize_t n;
		if (p->use_mbuf) {
			struct rte_mbuf *m;
			n = mpdk_recv_mbuf(c, &m);
			if (n > 0) {
				for (struct rte_mbuf *s = m; s; s = s->next)
					check_bytes(p, rte_pktmbuf_mtod(s, uint8_t *), s->data_len);
				rte_pktmbuf_free(m);
			}
		} else {
			uint8_t buf[8192];
			n = mpdk_recv(c, buf, sizeof(buf));
			if (n > 0)
				check_bytes(p, buf, (size_t)n);
		}
		if (n == 0) {
			p->eof = true;
			break;
		}
		if (n < 0) {
			assert_int_equal(n, -EAGAIN);
			break;
		}
	}
	if (p->eof && !p->is_sender && !p->close_called) {
		p->close_called = true;
		assert_int_equal(mpdk_close(c), 0);
	}
}

static void on_writable(void *arg, mpdk_conn_t c)
{
	struct peer *p = arg;
	(void)c;
	if (p->is_sender)
		send_more(p);
}

static void on_connected(void *arg, mpdk_conn_t c)
{
	struct peer *p = arg;
	(void)c;
	p->connected = true;
	if (p->is_sender)
		send_more(p);
}

static void on_closed(void *arg, mpdk_conn_t c, int err)
{
	struct peer *p = arg;
	(void)c;
	p->closed = true;
	p->err = err;
}

static void on_accept(void *arg, mpdk_conn_t l)
{
	struct peer *p = arg;
	mpdk_conn_t c;
	assert_int_equal(mpdk_accept(l, &c), 0);
	p->c = c;
	p->connected = true;
	if (p->is_sender)
		send_more(p);
}

static const struct mpdk_tcp_handler handler = {
	.accept_ready = on_accept,
	.connected = on_connected,
	.readable = on_readable,
	.writable = on_writable,
	.closed = on_closed,
};

static uint64_t ctr(struct mpdk_stack *s, const char *name)
{
	uint64_t v = 0;
	assert_int_equal(mpdk_stat_get(s, name, &v), 0);
	return v;
}

struct xfer_opts {
	bool a_sends;
	bool down_path2_at_half;    /* §3.3.6 reinjection */
	bool down_path1_at_half;
	int expect_subflows;        /* at the end of the handshake phase */
	bool expect_fallback;
	double down_at;             /* fraction received when the path goes down (0 = half) */
	const char *dst;            /* server address to connect to (default 10.1.0.2) */
};

/* virtual ns from connect to the receiver's EOF, of the last run_transfer */
static uint64_t last_xfer_ns;

/* One transfer of xfer_bytes (client on A, server on B), returns with
 * both sides closed and the world still alive (caller checks more). */
static void run_transfer(struct simlink_world *w, const struct xfer_opts *o, struct peer *cli,
			 struct peer *srv)
{
	mpdk_conn_t l;
	cli->is_sender = o->a_sends;
	srv->is_sender = !o->a_sends;
	cli->total = srv->total = xfer_bytes;
	srv->use_mbuf = true;
	assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 16, &handler, srv, &l), 0);
	uint64_t t0 = mpdk_clock_now_ns(w->clock), t_eof = 0;
	assert_int_equal(mpdk_connect(w->ea, ip(o->dst ? o->dst : "10.1.0.2"), htons(PORT_SRV), 0, 0,
				      &handler, cli, &cli->c), 0);
	struct peer *snd = o->a_sends ? cli : srv, *rcv = o->a_sends ? srv : cli;
	uint64_t limit = mpdk_clock_now_ns(w->clock) + 1800 * SEC;
	bool downed = false;
	int max_sf = 0;
	while (!(rcv->eof && snd->closed && rcv->close_called) &&
	       mpdk_clock_now_ns(w->clock) < limit) {
		step(w);
		if (rcv->eof && t_eof == 0)
			t_eof = mpdk_clock_now_ns(w->clock);
		assert_false(cli->closed && cli->err != 0);
		if (srv->closed && srv->err != 0 && getenv("MPDK_MPTCP_DEBUG")) {
			mpdk_stats_print(w->sa, stdout, false);
			printf("---- B\n");
			mpdk_stats_print(w->sb, stdout, false);
		}
		if (srv->closed && srv->err != 0)
			fail_msg("server closed with %d", srv->err);
		if (cli->connected && !cli->closed) {
			struct mpdk_conn_info ci;
			if (mpdk_conn_info(cli->c, &ci) == 0 && ci.mptcp_subflows > max_sf)
				max_sf = ci.mptcp_subflows;
		}
		if (!downed && rcv->rcvd >= (uint64_t)((double)xfer_bytes * (o->down_at > 0 ? o->down_at : 0.5)) &&
		    (o->down_path2_at_half || o->down_path1_at_half)) {
			downed = true;
			mpdk_simlink_set_up(o->down_path2_at_half ? w->l2a : w->l1a, false);
		}
	}
	if (getenv("MPDK_MPTCP_DEBUG")) {
		mpdk_stats_print(w->sa, stdout, false);
		printf("---- B\n");
		mpdk_stats_print(w->sb, stdout, false);
	}
	assert_true(rcv->eof);
	last_xfer_ns = t_eof - t0;
	assert_int_equal(rcv->rcvd, xfer_bytes);
	assert_int_equal(snd->sent, xfer_bytes);
	assert_int_equal(rcv->mismatches, 0);
	assert_true(snd->closed);
	assert_int_equal(snd->err, 0);
	if (o->expect_subflows)
		assert_int_equal(max_sf, o->expect_subflows);
	print_message("  %s: %llu bytes, %.1f s virtual, max %d subflow(s)\n",
		      o->a_sends ? "A->B" : "B->A", (unsigned long long)xfer_bytes,
		      (double)(mpdk_clock_now_ns(w->clock) - SEC) / 1e9, max_sf);
	for (int i = 0; i < 30; i++)
		step(w);
	mpdk_clock_advance(w->clock, 3 * SEC);
	poll_idle(w);
	poll_idle(w);
	assert_int_equal(mpdk_close(l), 0);
}

static struct mpdk_tcp_conf conf_default(void)
{
	struct mpdk_tcp_conf tc;
	mpdk_tcp_conf_defaults(&tc);
	tc.time_wait_ms = 1000;
	return tc;
}

/* RFC 8684 §3.1 (MP_CAPABLE both roles), §3.3 (DSS, DATA_ACK, data-level
 * reassembly), §3.3.3 (DATA_FIN both ways): one path with 1% loss and
 * reordering, both directions, byte-identical. */
static void test_mpc_transfer_loss(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 10 * MSEC, .loss = 0.01, .reorder = 0.01 };
	struct mpdk_simlink_dir d2 = { .delay_ns = 10 * MSEC };
	struct mpdk_tcp_conf tc = conf_default();
	for (int dir = 0; dir < 2; dir++) {
		struct simlink_world *w = world_create(&d1, &d2, &tc, &tc);
		struct peer cli = { 0 }, srv = { 0 };
		struct xfer_opts o = { .a_sends = dir == 0, .expect_subflows = 1 };
		run_transfer(w, &o, &cli, &srv);
		assert_int_equal(ctr(w->sa, "mptcp_established"), 1);
		assert_int_equal(ctr(w->sb, "mptcp_established"), 1);
		assert_int_equal(ctr(w->sa, "mptcp_data_fin_rx"), 1);
		assert_int_equal(ctr(w->sb, "mptcp_data_fin_rx"), 1);
		assert_int_equal(ctr(w->sa, "mptcp_dss_bad_map") + ctr(w->sb, "mptcp_dss_bad_map"), 0);
		assert_true(ctr(w->sa, "tcp_retransmits") + ctr(w->sb, "tcp_retransmits") > 0);
		world_free(w);
	}
}

/* RFC 8684 §3.3.1: DSS checksums when one side asks for them (flag A). */
static void test_checksum(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 5 * MSEC, .loss = 0.005 };
	struct mpdk_simlink_dir d2 = { .delay_ns = 5 * MSEC };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	tb.mptcp.checksum = true;   /* only the server asks */
	struct simlink_world *w = world_create(&d1, &d2, &ta, &tb);
	struct peer cli = { 0 }, srv = { 0 };
	struct xfer_opts o = { .a_sends = true, .expect_subflows = 1 };
	run_transfer(w, &o, &cli, &srv);
	assert_int_equal(ctr(w->sb, "mptcp_dss_csum_bad"), 0);
	world_free(w);
}

/* RFC 8684 §3.7: the server has MPTCP off; the client falls back to TCP
 * and the transfer still works. */
static void test_fallback_server_disabled(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 5 * MSEC, .loss = 0.01 };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	tb.mptcp.disabled = true;
	struct simlink_world *w = world_create(&d1, &d1, &ta, &tb);
	struct peer cli = { 0 }, srv = { 0 };
	struct xfer_opts o = { .a_sends = true };
	/* check the fallback flag while the connection is up */
	mpdk_conn_t l;
	cli.total = srv.total = xfer_bytes;
	cli.is_sender = true;
	assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV + 1), 16, &handler, &srv, &l), 0);
	assert_int_equal(mpdk_connect(w->ea, ip("10.1.0.2"), htons(PORT_SRV + 1), 0, 0, &handler,
				      &cli, &cli.c), 0);
	for (int i = 0; i < 100 && !cli.connected; i++)
		step(w);
	struct mpdk_conn_info ci;
	assert_int_equal(mpdk_conn_info(cli.c, &ci), 0);
	assert_false(ci.mptcp);
	assert_true(ci.mptcp_fallback);
	mpdk_abort(cli.c);
	mpdk_close(l);
	poll_idle(w);
	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	run_transfer(w, &o, &cli, &srv);
	assert_true(ctr(w->sa, "mptcp_fallback_synack") >= 1);
	assert_int_equal(ctr(w->sa, "mptcp_established"), 0);
	world_free(w);
}

/* RFC 8684 §3.7: the client has MPTCP off: the server answers plain TCP. */
static void test_fallback_client_disabled(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 5 * MSEC };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	ta.mptcp.disabled = true;
	struct simlink_world *w = world_create(&d1, &d1, &ta, &tb);
	struct peer cli = { 0 }, srv = { 0 };
	struct xfer_opts o = { .a_sends = false };
	run_transfer(w, &o, &cli, &srv);
	assert_int_equal(ctr(w->sb, "mptcp_passive_open"), 0);
	assert_int_equal(ctr(w->sb, "mptcp_established"), 0);
	world_free(w);
}

/* RFC 8684 §3.2 (MP_JOIN both roles, HMACs): A has a `subflow` endpoint
 * on its second address and joins B's address from it, like Linux's
 * `ip mptcp endpoint add ... subflow`. */
static void test_join_subflow_endpoint(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 10 * MSEC, .loss = 0.005 };
	struct mpdk_simlink_dir d2 = { .delay_ns = 10 * MSEC };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	ta.mptcp.n_endpoints = 1;
	ta.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.1"),
							       .flags = MPDK_MPTCP_EP_SUBFLOW };
	for (int dir = 0; dir < 2; dir++) {
		struct simlink_world *w = world_create(&d1, &d2, &ta, &tb);
		struct peer cli = { 0 }, srv = { 0 };
		struct xfer_opts o = { .a_sends = dir == 0, .expect_subflows = 2 };
		run_transfer(w, &o, &cli, &srv);
		assert_int_equal(ctr(w->sa, "mptcp_join_synack_rx"), 1);
		assert_int_equal(ctr(w->sb, "mptcp_join_ack_rx"), 1);
		assert_int_equal(ctr(w->sb, "mptcp_join_ack_hmac_fail"), 0);
		assert_int_equal(ctr(w->sa, "mptcp_join_synack_hmac_fail"), 0);
		world_free(w);
	}
}

/* RFC 8684 §3.4.1 + §3.2 + §3.3: B signals its second address, A joins
 * it over path 2; with 1% loss on path 1 both paths carry data, the
 * data-level reassembly merges them, byte-identical both ways. */
static void test_join_two_paths(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 10 * MSEC, .loss = 0.01, .rate_bps = 50000000 };
	struct mpdk_simlink_dir d2 = { .delay_ns = 30 * MSEC, .rate_bps = 50000000 };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	for (int dir = 0; dir < 2; dir++) {
		struct simlink_world *w = world_create(&d1, &d2, &ta, &tb);
		struct peer cli = { 0 }, srv = { 0 };
		struct xfer_opts o = { .a_sends = dir == 0, .expect_subflows = 2 };
		run_transfer(w, &o, &cli, &srv);
		struct mpdk_simlink_stats s1, s2;
		mpdk_simlink_stats(w->l2a, dir == 0, &s2);
		mpdk_simlink_stats(w->l1a, dir == 0, &s1);
		print_message("  frames delivered: path 1 %llu, path 2 %llu\n",
			      (unsigned long long)s1.delivered, (unsigned long long)s2.delivered);
		assert_true(s2.delivered > 100);
		assert_true(s1.delivered > 100);
		world_free(w);
	}
}

/* RFC 8684 §3.4.1: B announces its second address (`signal`); A echoes
 * it, checks its HMAC and joins it. */
static void test_add_addr_join(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 10 * MSEC };
	struct mpdk_simlink_dir d2 = { .delay_ns = 10 * MSEC };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	struct simlink_world *w = world_create(&d1, &d2, &ta, &tb);
	struct peer cli = { 0 }, srv = { 0 };
	struct xfer_opts o = { .a_sends = false, .expect_subflows = 2 };
	run_transfer(w, &o, &cli, &srv);
	assert_int_equal(ctr(w->sb, "mptcp_add_addr_tx"), 1);
	assert_int_equal(ctr(w->sa, "mptcp_add_addr_rx"), 1);
	assert_int_equal(ctr(w->sb, "mptcp_add_addr_echo_rx"), 1);
	assert_int_equal(ctr(w->sa, "mptcp_join_tx"), 1);
	assert_int_equal(ctr(w->sb, "mptcp_join_ack_rx"), 1);
	/* Every MPTCP option one stack wrote parsed on the other. Options of
	 * segments without payload are read after ACK processing; a pointer
	 * into their freed mbuf once showed up here as malformed options. */
	assert_int_equal(ctr(w->sa, "mptcp_opt_bad"), 0);
	assert_int_equal(ctr(w->sb, "mptcp_opt_bad"), 0);
	world_free(w);
}

/* RFC 8684 §3.3.6: a path goes down in the middle of a transfer; the data
 * outstanding on it is reinjected on the other subflow, nothing is lost. */
static void test_path_down_reinject(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 10 * MSEC };
	struct mpdk_simlink_dir d2 = { .delay_ns = 10 * MSEC };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	ta.data_retries = 4;
	tb.data_retries = 4;
	ta.rto_max_ms = tb.rto_max_ms = 2000;
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	for (int which = 0; which < 2; which++) {
		struct simlink_world *w = world_create(&d1, &d2, &ta, &tb);
		struct peer cli = { 0 }, srv = { 0 };
		struct xfer_opts o = { .a_sends = true, .down_path2_at_half = which == 0,
				       .down_path1_at_half = which == 1 };
		run_transfer(w, &o, &cli, &srv);
		print_message("  path %d down: %llu bytes reinjected, %llu data-level retransmissions\n",
			      which == 0 ? 2 : 1,
			      (unsigned long long)ctr(w->sa, "mptcp_reinject_bytes"),
			      (unsigned long long)ctr(w->sa, "mptcp_data_rtx"));
		world_free(w);
	}
}

/* RFC 8684 §3.3.6: lots of data in flight on a path that dies. Both paths
 * are rate limited (20 Mbit/s, 20 ms) so each subflow carries a large
 * window; path 2 goes down at a quarter of the transfer, with hundreds of
 * kilobytes mapped on it and not yet DATA_ACKed: that data must be
 * reinjected on path 1 (mptcp_reinject_bytes > 0), byte-identical. */
static void test_reinject_large_window(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 20 * MSEC, .rate_bps = 20000000 };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	ta.data_retries = tb.data_retries = 4;
	ta.rto_max_ms = tb.rto_max_ms = 2000;
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	for (int dir = 0; dir < 2; dir++) {
		struct simlink_world *w = world_create(&d, &d, &ta, &tb);
		struct peer cli = { 0 }, srv = { 0 };
		struct xfer_opts o = { .a_sends = dir == 0, .down_path2_at_half = true, .down_at = 0.25 };
		run_transfer(w, &o, &cli, &srv);
		struct mpdk_stack *snd = dir == 0 ? w->sa : w->sb;
		struct mpdk_simlink_stats s2;
		mpdk_simlink_stats(w->l2a, dir == 0, &s2);
		print_message("  %s, path 2 down at 1/4: %llu bytes reinjected, %llu frames dropped on the dead path\n",
			      dir == 0 ? "A->B" : "B->A",
			      (unsigned long long)ctr(snd, "mptcp_reinject_bytes"),
			      (unsigned long long)s2.down_drops);
		assert_true(s2.down_drops > 0);
		assert_true(ctr(snd, "mptcp_reinject_bytes") > 0);
		world_free(w);
	}
}

/* Issue 4, "Done means": two paths of different delay and rate (path 1:
 * 10 ms, 20 Mbit/s; path 2: 40 ms, 10 Mbit/s). Each path alone (a
 * single-subflow MPTCP connection to that path's address) and then both
 * (B signals its second address, §3.4.1; A joins it, §3.2): the two-path
 * throughput (bytes / virtual seconds, connect to EOF) exceeds the best
 * single path's. Then path 2 loses 3% of its frames: byte-identical still
 * (run_transfer checks every byte). */
static void test_two_paths_aggregate(void **state)
{
	(void)state;
	/* router-sized queues (about a BDP each), not 4096 frames of bloat */
	struct mpdk_simlink_dir d1 = { .delay_ns = 10 * MSEC, .rate_bps = 20000000, .queue_limit = 40 };
	struct mpdk_simlink_dir d2 = { .delay_ns = 40 * MSEC, .rate_bps = 10000000, .queue_limit = 70 };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default(), tbs = conf_default();
	tbs.mptcp.n_endpoints = 1;
	tbs.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.2"),
								.flags = MPDK_MPTCP_EP_SIGNAL };
	/* buffers for the sum of both paths' BDPs plus the reordering between
	 * them (Linux autotunes its buffers up to several MB for this) */
	ta.sndbuf = ta.rcvbuf = tb.sndbuf = tb.rcvbuf = tbs.sndbuf = tbs.rcvbuf = 1 << 20;
	double tput[3];
	const char *what[3] = { "path 1 only", "path 2 only", "both paths" };
	for (int run = 0; run < 4; run++) {
		struct mpdk_simlink_dir l2 = d2;
		if (run == 3)
			l2.loss = 0.03;
		struct simlink_world *w = world_create(&d1, &l2, &ta, run >= 2 ? &tbs : &tb);
		struct peer cli = { 0 }, srv = { 0 };
		struct xfer_opts o = { .a_sends = true, .dst = run == 1 ? "10.2.0.2" : "10.1.0.2",
				       .expect_subflows = run >= 2 ? 2 : 1 };
		run_transfer(w, &o, &cli, &srv);
		double bps = (double)xfer_bytes * 8 / ((double)last_xfer_ns / 1e9);
		if (run < 3) {
			tput[run] = bps;
			print_message("  %s: %.2f Mbit/s\n", what[run], bps / 1e6);
		} else {
			struct mpdk_simlink_stats s2;
			mpdk_simlink_stats(w->l2a, true, &s2);
			print_message("  both paths, path 2 lossy: %.2f Mbit/s, %llu frames lost\n", bps / 1e6,
				      (unsigned long long)s2.lost);
			assert_true(s2.lost > 0);
		}
		world_free(w);
	}
	double best = tput[0] > tput[1] ? tput[0] : tput[1];
	assert_true(tput[2] > best);
}

/* A middlebox that rewrites payload: wraps a simlink end's rx and, after
 * corrupt_skip data segments, flips one payload byte of the next and
 * fixes up the TCP checksum, so only the DSS checksum can tell. */
static const struct port_ops *corrupt_orig;
static struct port_ops corrupt_ops;
static unsigned corrupt_skip, corrupt_done;

static uint16_t corrupt_tx(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	p->ops = corrupt_orig;
	uint16_t k = corrupt_orig->tx_burst(p, q, pkts, n);
	p->ops = &corrupt_ops;
	return k;
}

static bool corrupt_link_up(const struct mpdk_port *p)
{
	(void)p;
	return true;
}

static uint16_t corrupt_rx(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	/* the simlink recognises its ends by their ops */
	p->ops = corrupt_orig;
	uint16_t k = corrupt_orig->rx_burst(p, q, pkts, n);
	p->ops = &corrupt_ops;
	for (uint16_t i = 0; i < k && corrupt_done == 0; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		if (m->nb_segs != 1 || m->data_len < sizeof(*eh) + 40 ||
		    eh->ether_type != htons(RTE_ETHER_TYPE_IPV4))
			continue;
		struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(eh + 1);
		if (ih->next_proto_id != IPPROTO_TCP)
			continue;
		size_t ihl = (size_t)(ih->version_ihl & 0xf) * 4;
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)ih + ihl);
		size_t thl = (size_t)(th->data_off >> 4) * 4;
		size_t plen = ntohs(ih->total_length) - ihl - thl;
		if (plen == 0)
			continue;
		if (corrupt_skip > 0) {
			corrupt_skip--;
			continue;
		}
		((uint8_t *)th + thl)[plen / 2] ^= 0x5a;
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(ih, th);
		corrupt_done++;
	}
	return k;
}

/* RFC 8684 §3.7 (MP_FAIL) with §3.3.1 DSS checksums on both sides and two
 * subflows: a middlebox on path 2 changes one payload byte (fixing the TCP
 * checksum). B's DSS checksum fails: it resets that subflow with a RST
 * carrying MP_FAIL (and MP_TCPRST), delivers none of the bad mapping, and
 * A reinjects the data on path 1: the transfer is byte-identical. */
static void test_mp_fail_checksum(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 10 * MSEC, .rate_bps = 50000000 };
	struct mpdk_simlink_dir d2 = { .delay_ns = 10 * MSEC, .rate_bps = 50000000 };
	struct mpdk_tcp_conf ta = conf_default(), tb = conf_default();
	ta.mptcp.checksum = tb.mptcp.checksum = true;
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	struct simlink_world *w = world_create(&d1, &d2, &ta, &tb);
	corrupt_orig = w->l2b->ops;
	corrupt_ops = *corrupt_orig;
	corrupt_ops.rx_burst = corrupt_rx;
	corrupt_ops.tx_burst = corrupt_tx;
	corrupt_ops.link_up = corrupt_link_up;
	w->l2b->ops = &corrupt_ops;
	corrupt_skip = 50;
	corrupt_done = 0;
	struct peer cli = { 0 }, srv = { 0 };
	struct xfer_opts o = { .a_sends = true, .expect_subflows = 2 };
	run_transfer(w, &o, &cli, &srv);
	w->l2b->ops = corrupt_orig;
	print_message("  corrupted %u segment(s): csum_bad %llu, MP_FAIL tx %llu rx %llu, %llu bytes reinjected\n",
		      corrupt_done, (unsigned long long)ctr(w->sb, "mptcp_dss_csum_bad"),
		      (unsigned long long)ctr(w->sb, "mptcp_mp_fail_tx"),
		      (unsigned long long)ctr(w->sa, "mptcp_mp_fail_rx"),
		      (unsigned long long)ctr(w->sa, "mptcp_reinject_bytes"));
	assert_int_equal(corrupt_done, 1);
	assert_int_equal(ctr(w->sb, "mptcp_dss_csum_bad"), 1);
	assert_int_equal(ctr(w->sb, "mptcp_mp_fail_tx"), 1);
	assert_int_equal(ctr(w->sa, "mptcp_mp_fail_rx"), 1);
	assert_true(ctr(w->sa, "mptcp_tcprst_rx") >= 1);
	world_free(w);
}

/* RFC 8684 §3.5: mpdk_abort() sends MP_FASTCLOSE; the peer's connection
 * ends with -ECONNRESET. §3.6: the RSTs carry MP_TCPRST. */
static void test_fastclose(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d1 = { .delay_ns = 5 * MSEC };
	struct mpdk_tcp_conf tc = conf_default();
	struct simlink_world *w = world_create(&d1, &d1, &tc, &tc);
	struct peer cli = { .total = 1 << 20, .is_sender = true }, srv = { 0 };
	mpdk_conn_t l;
	assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 16, &handler, &srv, &l), 0);
	assert_int_equal(mpdk_connect(w->ea, ip("10.1.0.2"), htons(PORT_SRV), 0, 0, &handler, &cli,
				      &cli.c), 0);
	while (srv.rcvd < 100000)
		step(w);
	assert_int_equal(mpdk_abort(cli.c), 0);
	for (int i = 0; i < 100 && !srv.closed; i++)
		step(w);
	assert_true(srv.closed);
	assert_int_equal(srv.err, -ECONNRESET);
	assert_int_equal(ctr(w->sa, "mptcp_fastclose_tx"), 1);
	assert_int_equal(ctr(w->sb, "mptcp_fastclose_rx"), 1);
	assert_true(ctr(w->sa, "mptcp_tcprst_tx") >= 1);
	assert_true(ctr(w->sb, "mptcp_tcprst_rx") >= 1);
	mpdk_close(l);
	poll_idle(w);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mpc_transfer_loss),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_fallback_server_disabled),
		cmocka_unit_test(test_fallback_client_disabled),
		cmocka_unit_test(test_join_subflow_endpoint),
		cmocka_unit_test(test_join_two_paths),
		cmocka_unit_test(test_add_addr_join),
		cmocka_unit_test(test_path_down_reinject),
		cmocka_unit_test(test_fastclose),
		cmocka_unit_test(test_reinject_large_window),
		cmocka_unit_test(test_two_paths_aggregate),
		cmocka_unit_test(test_mp_fail_checksum),
	};
	const char *b = getenv("MPDK_MPTCP_BYTES");
	xfer_bytes = 8ull << 20;
	if (b != NULL)
		xfer_bytes = strtoull(b, NULL, 0);
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("mptcp_simlink", 32767, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "cannot create the mbuf pool\n");
		return 1;
	}
	if (getenv("MPDK_MPTCP_ONLY"))
		cmocka_set_test_filter(getenv("MPDK_MPTCP_ONLY"));
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	return rc;
}
