/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP between two mpdk stacks joined by a simlink, on one virtual clock:
 * bulk transfers in each direction through loss, reordering and delay,
 * checked byte for byte (RFC 9293 reliability, RFC 5681/6582/6675
 * recovery, RFC 6298 RTO), and a link that stays down longer than the
 * retry budget, which must end in closed(-ETIMEDOUT) on both sides
 * (RFC 9293 §3.8.3 R2, keepalive §3.8.4), not a hang.
 *
 * Transfer size: 100 MB each way (about 8 s, 19 s under ASan, on 2
 * cores), or MPDK_TCP_BYTES bytes if set. MPDK_TCP_PCAP=prefix writes
 * prefix-A.pcap and prefix-B.pcap.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "harness.h"
#include "stream_peer.h"
#include "mpdk/mpdk.h"
#include "core/clock.h"
#include "core/engine.h"

#define SEC 1000000000ull
#define MSEC 1000000ull
#define USEC 1000ull
#define STEP_NS (100 * USEC)
#define PORT_SRV 5001

static struct rte_mempool *pool;
static uint64_t xfer_bytes;
/* the link's MTU: 0 for simlink's default; 9000 in the jumbo run */
static uint16_t link_mtu;

struct world {
	struct mpdk_clock *clock;
	struct mpdk_port *la, *lb;
	struct mpdk_stack *sa, *sb;
	struct mpdk_engine *ea, *eb;
};

static uint32_t ip(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct world *world_create(const struct mpdk_simlink_dir *dir, const struct mpdk_tcp_conf *tc)
{
	struct world *w = calloc(1, sizeof(*w));
	struct mpdk_stack_conf ca = { .name = "A", .pool = pool, .tcp = tc };
	struct mpdk_stack_conf cb = { .name = "B", .pool = pool, .tcp = tc };

	assert_non_null(w);
	w->clock = mpdk_clock_create_virtual(SEC);
	struct mpdk_simlink_conf lc = {
		.a_to_b = *dir,
		.b_to_a = *dir,
		.seed = 42,
		.clock = w->clock,
		.pool = pool,
		.mtu = link_mtu,
	};
	assert_int_equal(mpdk_simlink_create(&lc, &w->la, &w->lb), 0);
	ca.ports[0] = w->la;
	cb.ports[0] = w->lb;
	ca.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = ip("10.0.0.1"), .prefix_len = 24 };
	cb.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = ip("10.0.0.2"), .prefix_len = 24 };
	ca.n_ports = ca.n_addrs = cb.n_ports = cb.n_addrs = 1;
	ca.clock = cb.clock = w->clock;
	/* MPDK_TCP_PCAP=prefix writes prefix-A.pcap and prefix-B.pcap */
	static char pa[256], pb[256];
	const char *pc = getenv("MPDK_TCP_PCAP");
	if (pc != NULL) {
		snprintf(pa, sizeof(pa), "%s-A.pcap", pc);
		snprintf(pb, sizeof(pb), "%s-B.pcap", pc);
		ca.pcap_path = pa;
		cb.pcap_path = pb;
	}
	assert_int_equal(mpdk_stack_create(&ca, &w->sa), 0);
	assert_int_equal(mpdk_stack_create(&cb, &w->sb), 0);
	w->ea = mpdk_stack_engine(w->sa, 0);
	w->eb = mpdk_stack_engine(w->sb, 0);
	return w;
}

static void world_free(struct world *w)
{
	mpdk_stack_free(w->sa);
	mpdk_stack_free(w->sb);
	mpdk_port_close(w->la);
	mpdk_port_close(w->lb);
	mpdk_clock_free(w->clock);
	free(w);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static uint64_t in_flight(struct world *w)
{
	struct mpdk_simlink_stats s1, s2;
	mpdk_simlink_stats(w->la, true, &s1);
	mpdk_simlink_stats(w->la, false, &s2);
	return (s1.sent - s1.delivered - s1.lost - s1.overflow - s1.down_drops) +
	       (s2.sent - s2.delivered - s2.lost - s2.overflow - s2.down_drops);
}

static void poll_idle(struct world *w)
{
	for (unsigned i = 0; i < 100000; i++) {
		int n = mpdk_engine_poll(w->ea);
		n += mpdk_engine_poll(w->eb);
		if (n == 0)
			return;
	}
	fail_msg("stacks never went idle");
}

/* One step of virtual time: a tick, or a jump to the next timer when
 * nothing is on the wire. */
static void step(struct world *w)
{
	uint64_t now = mpdk_clock_now_ns(w->clock);
	uint64_t d = STEP_NS;
	if (in_flight(w) == 0) {
		uint64_t ta = timer_wheel_next_expiry(&w->ea->tw);
		uint64_t tb = timer_wheel_next_expiry(&w->eb->tw);
		uint64_t t = ta < tb ? ta : tb;
		if (t != UINT64_MAX && t > now + STEP_NS)
			d = t - now;
	}
	mpdk_clock_advance(w->clock, d);
	poll_idle(w);
}

/* ---- deterministic payload ---- */

/* ---- sender and receiver ---- */

struct peer {
	mpdk_conn_t c;
	uint64_t sent, rcvd;
	uint64_t mismatches;
	uint64_t csum;          /* Fletcher-64 style over the stream */
	bool connected, eof, closed, close_called;
	int err;
	bool is_sender;
	bool use_mbuf;          /* zero-copy receive */
	bool hold;              /* the application does not read for now */
	uint64_t total;
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
		for (ssize_t i = 0; i < k; i++)
			p->csum = p->csum * 31 + buf[i];
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
		for (size_t i = 0; i < k; i++)
			p->csum = p->csum * 31 + d[done + i];
		done += k;
	}
	p->rcvd += n;
}

static void on_readable(void *arg, mpdk_conn_t c)
{
	struct peer *p = arg;
	if (p->hold)
		return;
	if (p->use_mbuf) {
		for (;;) {
			struct rte_mbuf *m;
			ssize_t n = mpdk_recv_mbuf(c, &m);
			if (n == 0) {
				p->eof = true;
				break;
			}
			if (n < 0) {
				assert_int_equal(n, -EAGAIN);
				break;
			}
			assert_int_equal((uint64_t)n, m->pkt_len);
			for (struct rte_mbuf *s = m; s; s = s->next)
				check_bytes(p, rte_pktmbuf_mtod(s, uint8_t *), s->data_len);
			rte_pktmbuf_free(m);
		}
	} else {
		uint8_t buf[8192];
		for (;;) {
			ssize_t n = mpdk_recv(c, buf, sizeof(buf));
			if (n == 0) {
				p->eof = true;
				break;
			}
			if (n < 0) {
				assert_int_equal(n, -EAGAIN);
				break;
			}
			check_bytes(p, buf, (size_t)n);
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

/*
 * Transfer xfer_bytes from the client (on A) to the server (on B) when
 * @a_sends, else from the server to the client, through @dir impairments.
 */
static void transfer(const struct mpdk_simlink_dir *dir, bool a_sends, const char *cc)
{
	struct mpdk_tcp_conf tc;
	mpdk_tcp_conf_defaults(&tc);
	tc.mptcp.disabled = true;   /* plain TCP: MPTCP has test_mptcp_simlink */
	tc.cc = cc;
	tc.time_wait_ms = 1000;
	struct world *w = world_create(dir, &tc);
	struct peer cli = { .is_sender = a_sends, .total = xfer_bytes, .use_mbuf = false };
	struct peer srv = { .is_sender = !a_sends, .total = xfer_bytes, .use_mbuf = true };
	mpdk_conn_t l;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 16, &handler, &srv, &l), 0);
	assert_int_equal(mpdk_connect(w->ea, ip("10.0.0.2"), htons(PORT_SRV), 0, 0, &handler, &cli,
				      &cli.c), 0);
	struct peer *snd = a_sends ? &cli : &srv, *rcv = a_sends ? &srv : &cli;
	uint32_t snd_mss = 0;
	uint64_t limit = mpdk_clock_now_ns(w->clock) + 3600 * SEC;
	while (!(rcv->eof && snd->closed && rcv->close_called) &&
	       mpdk_clock_now_ns(w->clock) < limit) {
		step(w);
		struct mpdk_conn_info ci;
		if (snd_mss == 0 && snd->connected && mpdk_conn_info(snd->c, &ci) == 0 &&
		    ci.state == MPDK_TCP_ESTABLISHED)
			snd_mss = ci.mss;
		assert_false(cli.closed && cli.err != 0);
		assert_false(srv.closed && srv.err != 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	struct mpdk_conn_info info;
	memset(&info, 0, sizeof(info));
	uint64_t rtx = 0;
	mpdk_stat_get(a_sends ? w->sa : w->sb, "tcp_retransmits", &rtx);
	double vt = (double)(mpdk_clock_now_ns(w->clock) - SEC) / 1e9;
	print_message("  %s %s loss %.0f%% reorder %.0f%% delay %llu ms: %llu bytes in %.1f s virtual "
		      "(%.1f Mbit/s), %.1f s real, %llu retransmits\n",
		      cc, a_sends ? "A->B" : "B->A", dir->loss * 100, dir->reorder * 100,
		      (unsigned long long)(dir->delay_ns / MSEC), (unsigned long long)rcv->rcvd,
		      vt, (double)rcv->rcvd * 8 / vt / 1e6,
		      (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
		      (unsigned long long)rtx);
	if (link_mtu > 1500) {
		/* jumbo: every full-sized segment is a chain of mbufs */
		uint32_t room = (uint32_t)rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
		print_message("  sender MSS %u (mbuf data room %u)\n", snd_mss, room);
		assert_true(snd_mss > room);
	}
	assert_true(rcv->eof);
	assert_int_equal(rcv->rcvd, xfer_bytes);
	assert_int_equal(snd->sent, xfer_bytes);
	assert_int_equal(rcv->mismatches, 0);
	assert_true(snd->csum == rcv->csum);
	/* the sender saw its FIN acked and the peer's FIN: closed(0) */
	assert_true(snd->closed);
	assert_int_equal(snd->err, 0);
	/* let TIME_WAIT expire, then nothing is left */
	for (int i = 0; i < 30; i++)
		step(w);
	mpdk_clock_advance(w->clock, 2 * SEC);
	poll_idle(w);
	poll_idle(w);
	assert_int_equal(mpdk_close(l), 0);
	world_free(w);
}

static void test_clean_both_directions(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 1 * MSEC };
	transfer(&d, true, "newreno");
	transfer(&d, false, "newreno");
}

static void test_loss1_reorder_delay20(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 20 * MSEC, .loss = 0.01, .reorder = 0.01 };
	transfer(&d, true, "newreno");
	transfer(&d, false, "newreno");
}

static void test_loss5_reorder_delay20(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 20 * MSEC, .loss = 0.05, .reorder = 0.02 };
	transfer(&d, true, "newreno");
	transfer(&d, false, "newreno");
}

static void test_cubic_loss1(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 20 * MSEC, .loss = 0.01, .reorder = 0.01 };
	transfer(&d, true, "cubic");
}

/* No SACK: NewReno recovery (RFC 6582) alone must carry the transfer. */
static void test_loss1_no_sack(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 20 * MSEC, .loss = 0.01, .reorder = 0.01 };
	struct mpdk_tcp_conf tc;
	mpdk_tcp_conf_defaults(&tc);
	tc.mptcp.disabled = true;   /* plain TCP: MPTCP has test_mptcp_simlink */
	tc.no_sack = true;
	tc.time_wait_ms = 1000;
	struct world *w = world_create(&d, &tc);
	struct peer cli = { .is_sender = true, .total = xfer_bytes / 4 };
	struct peer srv = { .total = xfer_bytes / 4 };
	mpdk_conn_t l;
	assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 4, &handler, &srv, &l), 0);
	assert_int_equal(mpdk_connect(w->ea, ip("10.0.0.2"), htons(PORT_SRV), 0, 0, &handler, &cli,
				      &cli.c), 0);
	uint64_t limit = mpdk_clock_now_ns(w->clock) + 3600 * SEC;
	while (!(srv.eof && cli.closed) && mpdk_clock_now_ns(w->clock) < limit)
		step(w);
	assert_true(srv.eof);
	assert_int_equal(srv.rcvd, cli.total);
	assert_int_equal(srv.mismatches, 0);
	assert_true(cli.closed);
	assert_int_equal(cli.err, 0);
	uint64_t fr = 0;
	mpdk_stat_get(w->sa, "tcp_fast_retransmit", &fr);
	assert_true(fr > 0);
	mpdk_clock_advance(w->clock, 3 * SEC);
	poll_idle(w);
	poll_idle(w);
	mpdk_close(l);
	world_free(w);
}

/*
 * The link goes down mid-transfer and stays down past every budget: the
 * sender's retransmissions (data_retries) end in -ETIMEDOUT, the idle
 * receiver's keepalive probes end in -ETIMEDOUT. Neither hangs.
 */
static void test_link_down_timeout(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 5 * MSEC };
	struct mpdk_tcp_conf tc;
	mpdk_tcp_conf_defaults(&tc);
	tc.mptcp.disabled = true;   /* plain TCP: MPTCP has test_mptcp_simlink */
	tc.data_retries = 6;
	tc.rto_max_ms = 4000;
	struct world *w = world_create(&d, &tc);
	struct peer cli = { .is_sender = true, .total = 64ull << 20 };
	struct peer srv = { .total = 64ull << 20 };
	mpdk_conn_t l;
	assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 4, &handler, &srv, &l), 0);
	assert_int_equal(mpdk_connect(w->ea, ip("10.0.0.2"), htons(PORT_SRV), 0, 0, &handler, &cli,
				      &cli.c), 0);
	while (srv.rcvd < (1u << 20))
		step(w);
	assert_int_equal(mpdk_conn_set_keepalive(srv.c, true, 2000, 1000, 3), 0);
	assert_int_equal(mpdk_simlink_set_up(w->la, false), 0);
	uint64_t t_down = mpdk_clock_now_ns(w->clock);
	while (!(cli.closed && srv.closed) &&
	       mpdk_clock_now_ns(w->clock) - t_down < 600 * SEC)
		step(w);
	assert_true(cli.closed);
	assert_int_equal(cli.err, -ETIMEDOUT);
	assert_true(srv.closed);
	assert_int_equal(srv.err, -ETIMEDOUT);
	/* handles are stale now */
	assert_int_equal(mpdk_send(cli.c, "x", 1), -EBADF);
	assert_int_equal(mpdk_close(srv.c), -EBADF);
	uint64_t to = 0;
	mpdk_stat_get(w->sa, "tcp_timeout", &to);
	assert_int_equal(to, 1);
	print_message("  link down: sender gave up after %.1f s, receiver's keepalive as well\n",
		      (double)(mpdk_clock_now_ns(w->clock) - t_down) / 1e9);
	mpdk_close(l);
	poll_idle(w);
	world_free(w);
}

/*
 * design.md "Memory is sized up front ... running out is a counted,
 * reported condition, never a crash" (and RFC 9293 §3.8.6: a receiver may
 * drop what it has no buffer for; the sender retransmits). Both stacks and
 * the link share a pool of 511 mbufs (~1 MB), far less than the 8 MB
 * transfer and less than the two connections' buffers (sndbuf + rcvbuf of
 * 256 KB each, both ways) could hold. Allocations fail (mbuf_alloc_fail >
 * 0), the link drops frames it cannot copy, yet the engine never wedges:
 * ACKs keep getting through, retransmission timers retry, and the transfer
 * completes byte-identical in both directions.
 */
static void test_pool_exhaustion(void **state)
{
	(void)state;
	struct rte_mempool *big = pool;
	pool = rte_pktmbuf_pool_create("tcp_simlink_small", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	assert_non_null(pool);
	uint64_t saved = xfer_bytes;
	xfer_bytes = 8ull << 20;
	struct mpdk_simlink_dir d = { .delay_ns = 5 * MSEC, .rate_bps = 200000000 };
	uint64_t fails_total = 0;
	for (int dir = 0; dir < 2; dir++) {
		struct mpdk_tcp_conf tc;
		mpdk_tcp_conf_defaults(&tc);
		tc.mptcp.disabled = true;
		tc.time_wait_ms = 1000;
		tc.sndbuf = tc.rcvbuf = 512 * 1024;
		struct world *w = world_create(&d, &tc);
		struct peer cli = { .is_sender = dir == 0, .total = xfer_bytes };
		struct peer srv = { .is_sender = dir != 0, .total = xfer_bytes, .use_mbuf = true };
		mpdk_conn_t l;
		assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 16, &handler, &srv, &l), 0);
		assert_int_equal(mpdk_connect(w->ea, ip("10.0.0.2"), htons(PORT_SRV), 0, 0, &handler,
					      &cli, &cli.c), 0);
		struct peer *snd = dir == 0 ? &cli : &srv, *rcv = dir == 0 ? &srv : &cli;
		uint64_t t0 = mpdk_clock_now_ns(w->clock), limit = t0 + 600 * SEC;
		/* the receiver does not read for the first 2 s: its receive
		 * buffer, the sender's send buffer and the link fill the pool */
		rcv->hold = true;
		/* and from 0.5 s to 2 s an application grabs every mbuf left
		 * (as mpdk-echo holds chains it could not send yet): the pool
		 * is really dry, not just low */
		static struct rte_mbuf *grab[512];
		unsigned n_grab = 0;
		bool grabbed = false;
		while (!(rcv->eof && snd->closed && rcv->close_called) &&
		       mpdk_clock_now_ns(w->clock) < limit) {
			step(w);
			if (!grabbed && mpdk_clock_now_ns(w->clock) > t0 + SEC / 2) {
				grabbed = true;
				struct rte_mbuf *m;
				while (n_grab < RTE_DIM(grab) && (m = rte_pktmbuf_alloc(pool)) != NULL)
					grab[n_grab++] = m;
			}
			if (rcv->hold && mpdk_clock_now_ns(w->clock) > t0 + 2 * SEC) {
				while (n_grab > 0)
					rte_pktmbuf_free(grab[--n_grab]);
				rcv->hold = false;
				if (rcv->c != 0)
					on_readable(rcv, rcv->c);
			}
			assert_false(cli.closed && cli.err != 0);
			assert_false(srv.closed && srv.err != 0);
		}
		uint64_t fa = 0, fb = 0, na = 0, nb = 0;
		mpdk_stat_get(w->sa, "mbuf_alloc_fail", &fa);
		mpdk_stat_get(w->sb, "mbuf_alloc_fail", &fb);
		mpdk_stat_get(w->sa, "tcp_tx_nombuf", &na);
		mpdk_stat_get(w->sb, "tcp_tx_nombuf", &nb);
		struct mpdk_simlink_stats s1, s2;
		mpdk_simlink_stats(w->la, true, &s1);
		mpdk_simlink_stats(w->la, false, &s2);
		uint64_t wp = 0, md = 0;
		mpdk_stat_get(w->sb, "tcp_wnd_pressure", &wp);
		mpdk_stat_get(w->sb, "tcp_rx_mem_drop", &md);
		mpdk_stat_get(w->sa, "tcp_wnd_pressure", &fa);
		wp += fa;
		mpdk_stat_get(w->sa, "tcp_rx_mem_drop", &fa);
		md += fa;
		mpdk_stat_get(w->sa, "mbuf_alloc_fail", &fa);
		print_message("  pool of 511, %s: %llu bytes in %.1f s virtual, mbuf_alloc_fail %llu, "
			      "tcp_tx_nombuf %llu, link drops (no mbuf) %llu, windows held %llu, "
			      "data dropped (pool nearly dry) %llu\n",
			      dir == 0 ? "A->B" : "B->A", (unsigned long long)rcv->rcvd,
			      (double)(mpdk_clock_now_ns(w->clock) - SEC) / 1e9,
			      (unsigned long long)(fa + fb), (unsigned long long)(na + nb),
			      (unsigned long long)(s1.overflow + s2.overflow), (unsigned long long)wp,
			      (unsigned long long)md);
		assert_true(rcv->eof);
		assert_int_equal(rcv->rcvd, xfer_bytes);
		assert_int_equal(rcv->mismatches, 0);
		assert_true(snd->csum == rcv->csum);
		assert_true(snd->closed);
		assert_int_equal(snd->err, 0);
		fails_total += fa + fb;
		uint64_t ra = 0, rb = 0;
		mpdk_stat_get(w->sa, "tcp_nobuf_retry", &ra);
		mpdk_stat_get(w->sb, "tcp_nobuf_retry", &rb);
		assert_true(ra + rb > 0);   /* recovered by the retry timer */
		for (int i = 0; i < 30; i++)
			step(w);
		mpdk_clock_advance(w->clock, 2 * SEC);
		poll_idle(w);
		poll_idle(w);
		assert_int_equal(mpdk_close(l), 0);
		world_free(w);
	}
	assert_true(fails_total > 0);
	rte_mempool_free(pool);
	pool = big;
	xfer_bytes = saved;
}

/* Accepts every pending connection into the next free struct peer of the
 * array the listener's arg points at (struct peer_set). */
struct peer_set {
	struct peer p[8];
	unsigned n;
};

static void on_accept_set(void *arg, mpdk_conn_t l)
{
	struct peer_set *ps = arg;
	mpdk_conn_t c;
	while (mpdk_accept(l, &c) == 0) {
		assert_true(ps->n < RTE_DIM(ps->p));
		struct peer *p = &ps->p[ps->n++];
		p->c = c;
		p->connected = true;
		p->total = 256 * 1024;
		assert_int_equal(mpdk_conn_set_handler(c, &handler, p), 0);
	}
}

static const struct mpdk_tcp_handler set_handler = {
	.accept_ready = on_accept_set,
};

/*
 * design.md "Memory is sized up front from config (... connection pools);
 * running out is a counted, reported condition (... a refused accept)".
 * B's connection table holds 4 (the listener and 3 connections): A's
 * fourth connection is refused at once with a RST (RFC 9293 §3.10.7.2;
 * A sees -ECONNREFUSED, B counts tcp_conn_alloc_fail) while the three
 * established ones carry on byte-identical; once one of them has closed,
 * a new connection is accepted again.
 */
static void test_conn_table_full(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 5 * MSEC, .rate_bps = 100000000 };
	struct mpdk_tcp_conf tc;
	mpdk_tcp_conf_defaults(&tc);
	tc.mptcp.disabled = true;
	tc.time_wait_ms = 1000;
	tc.max_conns = 4;
	struct world *w = world_create(&d, &tc);
	static struct peer_set ss;
	struct peer cli[5];
	memset(&ss, 0, sizeof(ss));
	memset(cli, 0, sizeof(cli));
	mpdk_conn_t l;
	assert_int_equal(mpdk_listen(w->eb, 0, htons(PORT_SRV), 16, &set_handler, &ss, &l), 0);
	for (int i = 0; i < 3; i++) {
		cli[i] = (struct peer){ .is_sender = true, .total = 256 * 1024 };
		assert_int_equal(mpdk_connect(w->ea, ip("10.0.0.2"), htons(PORT_SRV), 0, 0, &handler,
					      &cli[i], &cli[i].c), 0);
	}
	for (int i = 0; i < 5000 && ss.n < 3; i++)
		step(w);
	assert_int_equal(ss.n, 3);
	/* the table is full: the fourth is refused, the others keep going */
	cli[3] = (struct peer){ .is_sender = true, .total = 256 * 1024 };
	assert_int_equal(mpdk_connect(w->ea, ip("10.0.0.2"), htons(PORT_SRV), 0, 0, &handler, &cli[3],
				      &cli[3].c), 0);
	for (int i = 0; i < 5000 && !cli[3].closed; i++)
		step(w);
	assert_true(cli[3].closed);
	assert_int_equal(cli[3].err, -ECONNREFUSED);
	uint64_t full = 0;
	assert_int_equal(mpdk_stat_get(w->sb, "tcp_conn_alloc_fail", &full), 0);
	assert_true(full >= 1);
	assert_int_equal(mpdk_close(cli[3].c), -EBADF);   /* closed() made it stale */
	for (int i = 0; i < 100000; i++) {
		bool all = true;
		for (int k = 0; k < 3; k++)
			all = all && cli[k].closed && ss.p[k].eof;
		if (all)
			break;
		step(w);
	}
	for (int k = 0; k < 3; k++) {
		assert_true(cli[k].closed);
		assert_int_equal(cli[k].err, 0);
		assert_int_equal(ss.p[k].rcvd, 256 * 1024);
		assert_int_equal(ss.p[k].mismatches, 0);
		assert_true(ss.p[k].csum == cli[k].csum);
	}
	/* room again (A's TIME_WAIT entries expire too): a new one works */
	mpdk_clock_advance(w->clock, 2 * SEC);
	poll_idle(w);
	cli[4] = (struct peer){ .is_sender = true, .total = 256 * 1024 };
	assert_int_equal(mpdk_connect(w->ea, ip("10.0.0.2"), htons(PORT_SRV), 0, 0, &handler, &cli[4],
				      &cli[4].c), 0);
	for (int i = 0; i < 100000 && !(cli[4].closed && ss.n == 4 && ss.p[3].eof); i++)
		step(w);
	assert_true(cli[4].closed);
	assert_int_equal(cli[4].err, 0);
	assert_int_equal(ss.p[3].rcvd, 256 * 1024);
	assert_int_equal(ss.p[3].mismatches, 0);
	print_message("  table of 4: 1 SYN refused (tcp_conn_alloc_fail %llu), 3 + 1 transfers intact\n",
		      (unsigned long long)full);
	for (int i = 0; i < 30; i++)
		step(w);
	mpdk_clock_advance(w->clock, 2 * SEC);
	poll_idle(w);
	assert_int_equal(mpdk_close(l), 0);
	poll_idle(w);
	world_free(w);
}

/*
 * Jumbo frames over chained mbufs (issue 6 item 4; docs/architecture.md
 * "Offloads"), run as `test_tcp_simlink jumbo`: a 9000-byte MTU and
 * 2048-byte mbufs, so every full-sized segment (MSS 8960 - 12, RFC 9293
 * §3.7.1 / RFC 7323) is built as a chain on transmit and parsed as a chain
 * on receive (the simlink advertises PORT_TX_MULTISEG). 20 MB each way
 * clean, and with 1% loss and reordering (SACK recovery and reassembly on
 * chains); the sender's MSS must exceed one mbuf's data room.
 */
static void test_jumbo_clean(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 1 * MSEC };
	transfer(&d, true, "newreno");
	transfer(&d, false, "newreno");
}

static void test_jumbo_loss1_reorder(void **state)
{
	(void)state;
	struct mpdk_simlink_dir d = { .delay_ns = 5 * MSEC, .loss = 0.01, .reorder = 0.01 };
	transfer(&d, true, "newreno");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest jumbo_tests[] = {
		cmocka_unit_test(test_jumbo_clean),
		cmocka_unit_test(test_jumbo_loss1_reorder),
	};
	bool jumbo = argc > 1 && strcmp(argv[1], "jumbo") == 0;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_both_directions),
		cmocka_unit_test(test_loss1_reorder_delay20),
		cmocka_unit_test(test_loss5_reorder_delay20),
		cmocka_unit_test(test_cubic_loss1),
		cmocka_unit_test(test_loss1_no_sack),
		cmocka_unit_test(test_link_down_timeout),
		cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_conn_table_full),
	};
	const char *b = getenv("MPDK_TCP_BYTES");
	xfer_bytes = 100ull << 20;
	if (b != NULL)
		xfer_bytes = strtoull(b, NULL, 0);
	if (jumbo) {
		xfer_bytes = 20ull << 20;
		link_mtu = 9000;
	}
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("tcp_simlink", 32767, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "cannot create the mbuf pool\n");
		return 1;
	}
	if (getenv("MPDK_TCP_ONLY"))
		cmocka_set_test_filter(getenv("MPDK_TCP_ONLY"));
	int rc = jumbo ? cmocka_run_group_tests_name("tcp_jumbo", jumbo_tests, NULL, NULL)
		       : cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	return rc;
}
