/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Jumbo frames over chained mbufs (issue 6 item 4; docs/architecture.md
 * "Offloads"): two mpdk stacks on a simlink with a 9000-byte MTU and a
 * pool of 2048-byte mbufs, so every full-sized segment (MSS 8960 - 12,
 * RFC 9293 §3.7.1 / RFC 7323) is built as a chain on transmit and parsed
 * as a chain on receive (the simlink advertises PORT_TX_MULTISEG and
 * hands the chain over as is). 20 MB each way, clean and with 1% loss
 * and reordering (SACK recovery and reassembly on chains), checked byte
 * for byte; the sender's MSS must exceed one mbuf's data room.
 * Based on test_tcp_simlink.c's world (same virtual clock and peers).
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
		.mtu = 9000,
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

static inline uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void fill(uint8_t *buf, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t p = off + i;
		buf[i] = (uint8_t)(splitmix(p >> 3) >> (8 * (p & 7)));
	}
}

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
		fill(buf, p->sent, n);
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
		fill(exp, p->rcvd + done, k);
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
	uint32_t room = (uint32_t)rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
	print_message("  sender MSS %u (mbuf data room %u)\n", snd_mss, room);
	assert_true(snd_mss > room);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jumbo_clean),
		cmocka_unit_test(test_jumbo_loss1_reorder),
	};
	xfer_bytes = 20ull << 20;
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("tcp_jumbo", 32767, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "cannot create the mbuf pool\n");
		return 1;
	}
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	return rc;
}
