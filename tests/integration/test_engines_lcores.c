/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two engines of one stack on two lcores, for real: stack B's engine 1
 * runs on EAL worker lcore 1 (mpdk_engine_run), its engine 0 and the
 * client stack A are polled in turn by the main lcore, so there are never
 * more busy pollers than the two cores this machine has.
 *
 * A and B are joined by two pairs of net_ring ethdev ports (DPDK's ring
 * PMD, rte_eth_from_rings: A's tx ring is B's rx ring), on real (TSC)
 * clocks. B's ports have one rx queue (no RSS), so engine 0 receives and
 * steers in software, and one tx queue per engine. A's source port is
 * chosen so that the MPTCP connection's home is engine 1 and its join
 * (RFC 8684 §3.2) lands on engine 0: the join is handed over between
 * threads through engine 1's ring, every later segment of both subflows
 * crosses from lcore 0 to lcore 1, and B checks every byte of 16 MB.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "mpdk/mpdk.h"
#include "core/clock.h"
#include "core/engine.h"
#include "drivers/port.h"
#include "stream_peer.h"

#define PORT_SRV 5001
#define XFER_BYTES (16ull << 20)

static struct rte_mempool *pool;

static uint32_t ip(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* Touched by one thread each (client: main lcore; server: lcore 1), except
 * the flags the main lcore polls, which are atomic. */
struct peer {
	mpdk_conn_t c;
	uint64_t sent, rcvd, mismatches;
	bool eof, closed, close_called;
	int err;
	struct mpdk_engine *accepted_on;
	int done;   /* atomic: server: EOF seen and closed; client: closed */
};

static void send_more(struct peer *p)
{
	uint8_t buf[16384];
	while (p->sent < XFER_BYTES) {
		size_t n = XFER_BYTES - p->sent < sizeof(buf) ? XFER_BYTES - p->sent : sizeof(buf);
		stream_fill(buf, p->sent, n);
		ssize_t k = mpdk_send(p->c, buf, n);
		if (k <= 0)
			return;
		p->sent += (uint64_t)k;
	}
	if (!p->close_called) {
		p->close_called = true;
		mpdk_shutdown(p->c, MPDK_SHUT_WR);
	}
}

static void srv_readable(void *arg, mpdk_conn_t c)
{
	struct peer *p = arg;
	uint8_t buf[8192], exp[8192];
	ssize_t n;
	while ((n = mpdk_recv(c, buf, sizeof(buf))) > 0) {
		stream_fill(exp, p->rcvd, (size_t)n);
		if (memcmp(exp, buf, (size_t)n) != 0)
			p->mismatches++;
		p->rcvd += (uint64_t)n;
	}
	if (n == 0 && !p->close_called) {
		p->eof = true;
		p->close_called = true;
		mpdk_close(c);
		__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	}
}

static void srv_accept(void *arg, mpdk_conn_t l)
{
	struct peer *p = arg;
	mpdk_conn_t c;
	if (mpdk_accept(l, &c) == 0) {
		p->c = c;
		p->accepted_on = mpdk_conn_engine(c);
	}
}

static void cli_connected(void *arg, mpdk_conn_t c)
{
	(void)c;
	send_more(arg);
}

static void cli_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
	send_more(arg);
}

static void cli_closed(void *arg, mpdk_conn_t c, int err)
{
	struct peer *p = arg;
	(void)c;
	p->closed = true;
	p->err = err;
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
}

static const struct mpdk_tcp_handler srv_handler = {
	.accept_ready = srv_accept,
	.readable = srv_readable,
};
static const struct mpdk_tcp_handler cli_handler = {
	.connected = cli_connected,
	.writable = cli_writable,
	.closed = cli_closed,
};

struct path {
	struct rte_ring *ab, *ba;
	struct mpdk_port *a, *b;
};

/* A's end: rx from ba, tx to ab; B's end: rx from ab, one tx queue per
 * engine, all into ba (rte_ring: multi-producer safe). */
static void path_create(struct path *p, unsigned idx)
{
	char name[32];
	snprintf(name, sizeof(name), "eng_ab%u", idx);
	p->ab = rte_ring_create(name, 4096, SOCKET_ID_ANY, 0);
	snprintf(name, sizeof(name), "eng_ba%u", idx);
	p->ba = rte_ring_create(name, 4096, SOCKET_ID_ANY, 0);
	assert_non_null(p->ab);
	assert_non_null(p->ba);
	struct rte_ring *btx[2] = { p->ba, p->ba };
	snprintf(name, sizeof(name), "eng_a%u", idx);
	int pa = rte_eth_from_rings(name, &p->ba, 1, &p->ab, 1, SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "eng_b%u", idx);
	int pb = rte_eth_from_rings(name, &p->ab, 1, btx, 2, SOCKET_ID_ANY);
	assert_true(pa >= 0 && pb >= 0);
	struct mpdk_ethdev_conf ca = { .n_rx_queues = 1, .n_tx_queues = 1, .rx_desc = 1024 };
	struct mpdk_ethdev_conf cb = { .n_rx_queues = 1, .n_tx_queues = 2, .rx_desc = 1024 };
	assert_int_equal(mpdk_ethdev_port_open((uint16_t)pa, &ca, pool, &p->a), 0);
	assert_int_equal(mpdk_ethdev_port_open((uint16_t)pb, &cb, pool, &p->b), 0);
	assert_int_equal(p->b->n_tx_queues, 2);
}

static void path_free(struct path *p)
{
	mpdk_port_close(p->a);
	mpdk_port_close(p->b);
	rte_ring_free(p->ab);
	rte_ring_free(p->ba);
}

struct run_arg {
	struct mpdk_engine *e;
	volatile bool *stop;
};

static int engine_lcore(void *arg)
{
	struct run_arg *r = arg;
	mpdk_engine_run(r->e, r->stop);
	return 0;
}

/* A source port of A whose path-1 segments B's engine 0 hands to engine 1
 * (software choice: Toeplitz with the standard key, modulo 2) and whose
 * path-2 segments stay on engine 0. */
static uint16_t pick_port(void)
{
	for (uint32_t p = 49152; p < 65536; p++)
		if (port_toeplitz_ipv4(port_rss_std_key, ip("10.1.0.1"), ip("10.1.0.2"), htons((uint16_t)p),
				       htons(PORT_SRV), true) % 2 == 1 &&
		    port_toeplitz_ipv4(port_rss_std_key, ip("10.2.0.1"), ip("10.2.0.2"), htons((uint16_t)p),
				       htons(PORT_SRV), true) % 2 == 0)
			return (uint16_t)p;
	fail();
	return 0;
}

static void test_join_handover_between_lcores(void **state)
{
	(void)state;
	if (rte_lcore_count() < 2 || rte_get_next_lcore(rte_get_main_lcore(), 1, 0) >= RTE_MAX_LCORE)
		skip();
	unsigned worker = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	struct path p1, p2;
	path_create(&p1, 1);
	path_create(&p2, 2);

	struct mpdk_tcp_conf ta, tb;
	mpdk_tcp_conf_defaults(&ta);
	mpdk_tcp_conf_defaults(&tb);
	ta.ephemeral_lo = ta.ephemeral_hi = pick_port();
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	struct mpdk_stack_conf ca = { .name = "A", .pool = pool, .tcp = &ta, .n_ports = 2,
				      .ports = { p1.a, p2.a }, .n_addrs = 2 };
	struct mpdk_stack_conf cb = { .name = "B", .pool = pool, .tcp = &tb, .n_ports = 2,
				      .ports = { p1.b, p2.b }, .n_addrs = 2, .n_engines = 2 };
	ca.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = ip("10.1.0.1"), .prefix_len = 24 };
	ca.addrs[1] = (struct mpdk_addr_conf){ .port = 1, .addr = ip("10.2.0.1"), .prefix_len = 24 };
	cb.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = ip("10.1.0.2"), .prefix_len = 24 };
	cb.addrs[1] = (struct mpdk_addr_conf){ .port = 1, .addr = ip("10.2.0.2"), .prefix_len = 24 };
	struct mpdk_stack *sa, *sb;
	assert_int_equal(mpdk_stack_create(&ca, &sa), 0);
	assert_int_equal(mpdk_stack_create(&cb, &sb), 0);
	struct mpdk_engine *ea = mpdk_stack_engine(sa, 0);
	struct mpdk_engine *eb0 = mpdk_stack_engine(sb, 0), *eb1 = mpdk_stack_engine(sb, 1);

	static struct peer cli, srv;
	memset(&cli, 0, sizeof(cli));
	memset(&srv, 0, sizeof(srv));
	mpdk_conn_t l0, l1;
	/* Each engine's listener is made before its lcore starts polling. */
	assert_int_equal(mpdk_listen(eb0, 0, htons(PORT_SRV), 16, &srv_handler, &srv, &l0), 0);
	assert_int_equal(mpdk_listen(eb1, 0, htons(PORT_SRV), 16, &srv_handler, &srv, &l1), 0);

	static volatile bool stop;
	stop = false;
	struct run_arg ra = { .e = eb1, .stop = &stop };
	assert_int_equal(rte_eal_remote_launch(engine_lcore, &ra, worker), 0);

	assert_int_equal(mpdk_connect(ea, ip("10.1.0.2"), htons(PORT_SRV), 0, 0, &cli_handler, &cli,
				      &cli.c), 0);
	uint64_t t0 = mpdk_clock_now_ns(mpdk_stack_clock(sa));
	uint64_t limit = t0 + 60ull * NS_PER_S;
	while (!(__atomic_load_n(&srv.done, __ATOMIC_ACQUIRE) &&
		 __atomic_load_n(&cli.done, __ATOMIC_ACQUIRE)) &&
	       mpdk_clock_now_ns(mpdk_stack_clock(sa)) < limit) {
		mpdk_engine_poll(ea);
		mpdk_engine_poll(eb0);
	}
	uint64_t t1 = mpdk_clock_now_ns(mpdk_stack_clock(sa));
	/* let the last ACKs and FINs settle, then stop lcore 1 */
	for (uint64_t end = t1 + 200 * NS_PER_MS; mpdk_clock_now_ns(mpdk_stack_clock(sa)) < end;) {
		mpdk_engine_poll(ea);
		mpdk_engine_poll(eb0);
	}
	stop = true;
	rte_eal_wait_lcore(worker);

	print_message("  %llu bytes in %.2f s over two lcores; B: join handovers %llu, frames "
		      "steered %llu, sent via engine 0 %llu\n", (unsigned long long)srv.rcvd,
		      (double)(t1 - t0) / 1e9,
		      (unsigned long long)eb0->ctr[CTR_engine_join_handover],
		      (unsigned long long)eb0->ctr[CTR_engine_redirect_tx],
		      (unsigned long long)eb1->ctr[CTR_engine_tx_via_engine0]);
	assert_int_equal(srv.rcvd, XFER_BYTES);
	assert_int_equal(srv.mismatches, 0);
	assert_true(srv.eof);
	assert_int_equal(cli.err, 0);
	assert_true(cli.closed);
	assert_ptr_equal(srv.accepted_on, eb1);
	assert_true(eb0->ctr[CTR_engine_join_handover] >= 1);
	assert_int_equal(eb1->ctr[CTR_mptcp_join_ack_rx], 1);
	assert_true(eb0->ctr[CTR_engine_redirect_tx] > 1000);
	assert_int_equal(eb1->ctr[CTR_port_rx_frames], 0);
	assert_int_equal(eb1->ctr[CTR_engine_tx_via_engine0], 0);   /* its own tx queue */
	assert_int_equal(eb0->ctr[CTR_tcp_passive_open], 0);

	mpdk_close(l0);
	mpdk_close(l1);
	mpdk_stack_free(sa);
	mpdk_stack_free(sb);
	path_free(&p1);
	path_free(&p2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_handover_between_lcores),
	};
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "mpdk-engines-lcores-%d", (int)getpid());
	char *argv[] = {
		"test_engines_lcores", "--no-huge", "--no-pci", "-m", "256", "--file-prefix", prefix,
		"--log-level", "lib.eal:error", "--no-telemetry", "-l", "0-1", NULL,
	};
	if (mpdk_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "cannot start the EAL with lcores 0-1\n");
		return 77;   /* skipped: fewer than two cores */
	}
	pool = rte_pktmbuf_pool_create("engines_lcores", 32767, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
