/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive coalescing (software GRO, src/net/gro.h; issue 6 item 4) between
 * two stacks over simlinks at 1 Gbit/s, where one rx burst holds several
 * back-to-back segments of a flow:
 *
 *   - a TCP transfer with GRO on: every byte identical, gro_merged > 0,
 *     and TCP counts the wire segments, not the coalesced packets: B's
 *     tcp_rx_segs equals the frames B received minus its ARP frames;
 *     then with GRO off (stack conf no_gro, --no-gro) the same, with
 *     gro_merged 0. With GRO B sends no more ACKs than without: one ACK
 *     per super-segment of two or more full-sized segments (RFC 9293
 *     §3.8.6.3, RFC 5681 §4.2: "at least every second full-sized
 *     segment", which a merged packet of N segments satisfies at once);
 *   - the same TCP transfer with 1% loss and reordering (holes must not be
 *     merged across: RFC 5681 §3.2 duplicate ACKs, RFC 2018 SACK);
 *   - an MPTCP transfer over two paths (RFC 8684 §3.3 DSS mappings
 *     replicated on each segment), with and without DSS checksums
 *     (§3.3.1): identical bytes, no DSS checksum failure, two subflows.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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
#include "core/engine.h"

#define SEC 1000000000ull
#define MSEC 1000000ull
#define USEC 1000ull
#define STEP_NS (100 * USEC)
#define PORT_SRV 5001

static struct rte_mempool *pool;

struct peer {
	mpdk_conn_t c;
	uint64_t sent, rcvd, mismatches, total;
	bool connected, eof, closed, close_called, is_sender;
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

static void on_readable(void *arg, mpdk_conn_t c)
{
	struct peer *p = arg;
	for (;;) {
		struct rte_mbuf *m;
		ssize_t n = mpdk_recv_mbuf(c, &m);
		if (n > 0) {
			/* every byte against the sender's pattern, across the
			 * chains a coalesced packet leaves in the queue */
			for (struct rte_mbuf *s = m; s; s = s->next) {
				uint8_t exp[2048];
				const uint8_t *d = rte_pktmbuf_mtod(s, const uint8_t *);
				for (uint32_t done = 0; done < s->data_len;) {
					uint32_t k = s->data_len - done < sizeof(exp) ? s->data_len - done
										      : sizeof(exp);
					stream_fill(exp, p->rcvd, k);
					if (memcmp(exp, d + done, k) != 0)
						p->mismatches++;
					p->rcvd += k;
					done += k;
				}
			}
			rte_pktmbuf_free(m);
			continue;
		}
		if (n == 0)
			p->eof = true;
		else
			assert_int_equal(n, -EAGAIN);
		break;
	}
	if (p->eof && !p->close_called) {
		p->close_called = true;
		assert_int_equal(mpdk_close(c), 0);
	}
}

static void on_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
	struct peer *p = arg;
	if (p->is_sender)
		send_more(p);
}

static void on_connected(void *arg, mpdk_conn_t c)
{
	(void)c;
	struct peer *p = arg;
	p->connected = true;
	if (p->is_sender)
		send_more(p);
}

static void on_closed(void *arg, mpdk_conn_t c, int err)
{
	(void)c;
	struct peer *p = arg;
	p->closed = true;
	p->err = err;
}

static void on_accept(void *arg, mpdk_conn_t l)
{
	struct peer *p = arg;
	assert_int_equal(mpdk_accept(l, &p->c), 0);
	p->connected = true;
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

struct run_conf {
	bool mptcp, dss_csum, no_gro;
	struct mpdk_simlink_dir path;    /* both paths, both directions */
	uint64_t bytes;
};

struct run_result {
	uint64_t gro_merged, gro_packets;
	uint64_t b_rx_frames, b_arp_rx, b_tcp_rx_segs, b_tcp_tx_segs;
	int max_subflows;
};

/* A sends r->bytes to B (client A, server B), with GRO on or off in both
 * stacks; asserts the bytes arrived identical and both closed cleanly. */
static void run(const struct run_conf *r, struct run_result *res)
{
	struct mpdk_tcp_conf ta, tb;
	mpdk_tcp_conf_defaults(&ta);
	ta.time_wait_ms = 1000;
	ta.mptcp.disabled = !r->mptcp;
	ta.mptcp.checksum = r->dss_csum;
	tb = ta;
	if (r->mptcp) {
		tb.mptcp.n_endpoints = 1;
		tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){
			.addr = simlink_ip("10.2.0.2"), .flags = MPDK_MPTCP_EP_SIGNAL };
	}
	struct simlink_world_conf c = { .pool = pool, .path1 = r->path, .path2 = r->path,
					.tca = &ta, .tcb = &tb };
	struct simlink_world *w = simlink_world_create(&c);
	/* the stack conf --no-gro sets (mpdk_stack_conf.no_gro), read by
	 * the engines every poll */
	w->sa->conf.no_gro = r->no_gro;
	w->sb->conf.no_gro = r->no_gro;
	struct mpdk_engine *ea = mpdk_stack_engine(w->sa, 0), *eb = mpdk_stack_engine(w->sb, 0);

	struct peer cli = { .is_sender = true, .total = r->bytes }, srv = { .total = r->bytes };
	mpdk_conn_t l;
	assert_int_equal(mpdk_listen(eb, 0, htons(PORT_SRV), 16, &handler, &srv, &l), 0);
	assert_int_equal(mpdk_connect(ea, simlink_ip("10.1.0.2"), htons(PORT_SRV), 0, 0, &handler,
				      &cli, &cli.c), 0);
	uint64_t limit = mpdk_clock_now_ns(w->clock) + 600 * SEC;
	int max_sf = 0;
	while (!(srv.eof && cli.closed && srv.close_called) && mpdk_clock_now_ns(w->clock) < limit) {
		simlink_world_step(w, STEP_NS);
		if (cli.closed && cli.err != 0)
			fail_msg("client closed with %d", cli.err);
		if (srv.closed && srv.err != 0)
			fail_msg("server closed with %d", srv.err);
		struct mpdk_conn_info ci;
		if (cli.connected && !cli.closed && mpdk_conn_info(cli.c, &ci) == 0 &&
		    ci.mptcp_subflows > max_sf)
			max_sf = ci.mptcp_subflows;
	}
	assert_true(srv.eof);
	assert_int_equal(cli.sent, r->bytes);
	assert_int_equal(srv.rcvd, r->bytes);
	assert_int_equal(srv.mismatches, 0);
	assert_true(cli.closed);
	assert_int_equal(cli.err, 0);
	for (int i = 0; i < 30; i++)
		simlink_world_step(w, STEP_NS);
	mpdk_clock_advance(w->clock, 3 * SEC);
	simlink_world_poll_idle(w);
	assert_int_equal(mpdk_close(l), 0);
	simlink_world_poll_idle(w);

	res->gro_merged = ctr(w->sb, "gro_merged");
	res->gro_packets = ctr(w->sb, "gro_packets");
	res->b_rx_frames = ctr(w->sb, "port_rx_frames");
	res->b_arp_rx = ctr(w->sb, "arp_requests_rx") + ctr(w->sb, "arp_replies_rx") +
			ctr(w->sb, "arp_rx_not_for_us");
	res->b_tcp_rx_segs = ctr(w->sb, "tcp_rx_segs");
	res->b_tcp_tx_segs = ctr(w->sb, "tcp_tx_segs");
	res->max_subflows = max_sf;
	assert_int_equal(ctr(w->sa, "tcp_rx_bad_cksum") + ctr(w->sb, "tcp_rx_bad_cksum"), 0);
	assert_int_equal(ctr(w->sa, "ip_rx_bad_cksum") + ctr(w->sb, "ip_rx_bad_cksum"), 0);
	if (r->mptcp) {
		assert_int_equal(ctr(w->sa, "mptcp_dss_csum_bad") + ctr(w->sb, "mptcp_dss_csum_bad"), 0);
		assert_int_equal(ctr(w->sa, "mptcp_opt_bad") + ctr(w->sb, "mptcp_opt_bad"), 0);
	}
	if (r->no_gro)
		assert_int_equal(ctr(w->sa, "gro_merged") + res->gro_merged, 0);
	print_message("  %s%s%s, loss %.0f%%: B got %llu frames as %llu TCP segments, GRO merged "
		      "%llu into %llu packets; B sent %llu segments (ACKs); %d subflow(s)\n",
		      r->mptcp ? "MPTCP" : "TCP", r->dss_csum ? " with DSS checksums" : "",
		      r->no_gro ? ", GRO off" : ", GRO on", r->path.loss * 100,
		      (unsigned long long)res->b_rx_frames, (unsigned long long)res->b_tcp_rx_segs,
		      (unsigned long long)res->gro_merged, (unsigned long long)res->gro_packets,
		      (unsigned long long)res->b_tcp_tx_segs, max_sf);
	simlink_world_free(w);   /* asserts every mbuf came back */
}

static const struct mpdk_simlink_dir gbit = { .delay_ns = 2 * MSEC, .rate_bps = 1000000000ull };

/* TCP with and without GRO: same bytes; segments counted as on the wire. */
static void test_tcp_gro_on_off(void **state)
{
	(void)state;
	struct run_conf rc = { .path = gbit, .bytes = 8u << 20 };
	struct run_result on, off;
	run(&rc, &on);
	rc.no_gro = true;
	run(&rc, &off);
	assert_true(on.gro_merged > 0);
	assert_true(on.gro_packets > 0);
	assert_true(on.gro_merged >= on.gro_packets);
	/* every frame B received is ARP or TCP; TCP counts each wire
	 * segment once, merged or not */
	assert_int_equal(on.b_tcp_rx_segs, on.b_rx_frames - on.b_arp_rx);
	assert_int_equal(off.b_tcp_rx_segs, off.b_rx_frames - off.b_arp_rx);
	/* one ACK per super-segment: never more ACKs than without GRO */
	assert_true(on.b_tcp_tx_segs <= off.b_tcp_tx_segs);
}

/* Loss and reordering: segments after a hole go up on their own. */
static void test_tcp_gro_lossy(void **state)
{
	(void)state;
	struct run_conf rc = { .path = gbit, .bytes = 8u << 20 };
	rc.path.loss = 0.01;
	rc.path.reorder = 0.01;
	struct run_result on;
	run(&rc, &on);
	assert_true(on.gro_merged > 0);
	assert_int_equal(on.b_tcp_rx_segs, on.b_rx_frames - on.b_arp_rx);
}

/* MPTCP over two paths (RFC 8684 §3.3), DSS checksums off and on (§3.3.1). */
static void test_mptcp_gro(void **state)
{
	(void)state;
	struct run_conf rc = { .mptcp = true, .path = gbit, .bytes = 8u << 20 };
	struct run_result on;
	run(&rc, &on);
	assert_int_equal(on.max_subflows, 2);
	assert_true(on.gro_merged > 0);
	assert_int_equal(on.b_tcp_rx_segs, on.b_rx_frames - on.b_arp_rx);
	rc.dss_csum = true;
	run(&rc, &on);
	assert_int_equal(on.max_subflows, 2);
	assert_int_equal(on.b_tcp_rx_segs, on.b_rx_frames - on.b_arp_rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_gro_on_off),
		cmocka_unit_test(test_tcp_gro_lossy),
		cmocka_unit_test(test_mptcp_gro),
	};
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("gro_simlink", 16383, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "cannot create the mbuf pool\n");
		return 1;
	}
	int rc = cmocka_run_group_tests_name("gro_simlink", tests, NULL, NULL);
	rte_mempool_free(pool);
	return rc;
}
