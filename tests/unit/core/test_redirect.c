/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Several engines per stack, the pieces: the Toeplitz hash software uses
 * to predict RSS (drivers/port.c), the engine a 4-tuple belongs to
 * (redirect_owner), the per-engine rings (redirect.c), ARP senders
 * shared between engines, and the redirect
 * entry a SYN+MP_JOIN leaves behind when it is handed to its token's home
 * engine (RFC 8684 §3.2, design.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "harness.h"
#include "core/engine.h"
#include "core/redirect.h"
#include "drivers/port.h"
#include "mptcp/options.h"
#include "mptcp/token.h"
#include "net/arp.h"
#include "core/telemetry.h"
#include "tcp/tcb.h"
#include "mpdk/mpdk.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/*
 * Microsoft, "Verifying the RSS Hash Calculation" (Windows driver docs,
 * receive-side scaling): the IPv4 verification table for the standard key
 * (the same vectors DPDK's app/test/test_thash.c checks). Columns:
 * destination, source, hash over the addresses only, hash with TCP ports.
 */
static const struct {
	const char *dst;
	uint16_t dport;
	const char *src;
	uint16_t sport;
	uint32_t hash_ip, hash_tcp;
} ms_vectors[] = {
	{ "161.142.100.80", 1766, "66.9.149.187", 2794, 0x323e8fc2, 0x51ccc178 },
	{ "65.69.140.83", 4739, "199.92.111.2", 14230, 0xd718262a, 0xc626b0ea },
	{ "12.22.207.184", 38024, "24.19.198.95", 12898, 0xd2d0a5de, 0x5c2b394a },
	{ "209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xafc7327f },
	{ "202.188.127.2", 1303, "153.39.163.191", 44251, 0x5d1809c5, 0x10e828a2 },
};

static void test_toeplitz_ms_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < RTE_DIM(ms_vectors); i++) {
		uint32_t s = ip(ms_vectors[i].src), d = ip(ms_vectors[i].dst);
		uint16_t sp = htons(ms_vectors[i].sport), dp = htons(ms_vectors[i].dport);
		assert_int_equal(port_toeplitz_ipv4(port_rss_std_key, s, d, 0, 0, false),
				 ms_vectors[i].hash_ip);
		assert_int_equal(port_toeplitz_ipv4(port_rss_std_key, s, d, sp, dp, true),
				 ms_vectors[i].hash_tcp);
	}
}

/* port_rss_queue: the redirection table indexed by hash % table size,
 * nothing predictable without a key or with one queue. */
static void test_rss_queue(void **state)
{
	(void)state;
	uint16_t reta[4] = { 3, 2, 1, 0 };
	struct mpdk_port p = { .n_rx_queues = 4, .caps = PORT_RSS, .rss_key = port_rss_std_key,
			       .rss_key_len = PORT_RSS_STD_KEY_LEN, .rss_reta = reta,
			       .rss_reta_size = 4 };
	for (size_t i = 0; i < RTE_DIM(ms_vectors); i++) {
		uint32_t s = ip(ms_vectors[i].src), d = ip(ms_vectors[i].dst);
		uint16_t sp = htons(ms_vectors[i].sport), dp = htons(ms_vectors[i].dport);
		assert_int_equal(port_rss_queue(&p, s, d, sp, dp), reta[ms_vectors[i].hash_tcp % 4]);
	}
	p.rss_reta = NULL;   /* no table: hash % queues */
	assert_int_equal(port_rss_queue(&p, ip("66.9.149.187"), ip("161.142.100.80"), htons(2794),
					htons(1766)), 0x51ccc178 % 4);
	p.rss_key = NULL;
	assert_int_equal(port_rss_queue(&p, ip("66.9.149.187"), ip("161.142.100.80"), htons(2794),
					htons(1766)), 0);
}

static void two_engines(struct mpdk_stack_conf *c)
{
	c->n_engines = 2;
}

static const char *const addrs[] = { "0:10.0.0.1/24", NULL };

/* A TCP segment from 10.0.0.2:sport to 10.0.0.1:dport, with @opt (len
 * bytes, a multiple of 4) after the header. */
static size_t build_tcp(uint8_t *buf, const struct harness *h, uint16_t sport, uint16_t dport,
			uint8_t flags, const uint8_t *opt, size_t olen)
{
	static const struct rte_ether_addr peer = { { 0x02, 0, 0, 0, 0, 0x77 } };
	uint8_t l4[60];
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;
	memset(l4, 0, sizeof(l4));
	th->src_port = htons(sport);
	th->dst_port = htons(dport);
	th->sent_seq = htonl(1000);
	th->data_off = (uint8_t)(((sizeof(*th) + olen) / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = htons(65535);
	if (olen > 0)
		memcpy(th + 1, opt, olen);
	size_t n = harness_build_ipv4(buf, &peer, &h->stack->ifaces[0].mac, ip("10.0.0.2"),
				      ip("10.0.0.1"), IPPROTO_TCP, l4, sizeof(*th) + olen);
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(buf + sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *t2 = (struct rte_tcp_hdr *)(ih + 1);
	t2->cksum = 0;
	t2->cksum = rte_ipv4_udptcp_cksum(ih, t2);
	return n;
}

/* The source port of a peer whose segments to 10.0.0.1:80 the software
 * choice gives to engine @want (a port without RSS: engine 0 receives). */
static uint16_t sport_for(const struct harness *h, unsigned want)
{
	for (uint16_t p = 1024; p < 2048; p++)
		if (redirect_owner(h->stack, 0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"), htons(p)) ==
		    want)
			return p;
	fail();
	return 0;
}

/* Software steering on a one-queue port: engine 0 receives, the owner of
 * the 4-tuple processes (here: answers a SYN to a closed port with RST,
 * RFC 9293 §3.10.7.1), and its reply leaves through engine 0, the only
 * one with a tx queue. The owner is the Toeplitz hash modulo the engines. */
static void test_software_steering_ring(void **state)
{
	(void)state;
	struct harness *h = harness_create(1, addrs, NULL, two_engines);
	struct mpdk_engine *e0 = mpdk_stack_engine(h->stack, 0), *e1 = mpdk_stack_engine(h->stack, 1);
	uint8_t f[1600];
	assert_non_null(e1);
	assert_true(h->stack->sw_steer[0]);
	harness_poll(h);
	harness_clear_tx(h);

	/* ARP frames reach engine 0 only; the sender is passed on, so
	 * engine 1 can answer the peer without asking again (RFC 826). */
	static const struct rte_ether_addr peer = { { 0x02, 0, 0, 0, 0, 0x77 } };
	static const struct rte_ether_addr zero, bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct rte_ether_addr mac;
	harness_inject(h, 0, f, harness_build_arp(f, RTE_ARP_OP_REQUEST, &peer, ip("10.0.0.2"), &zero,
						  ip("10.0.0.1"), &bcast));
	mpdk_engine_poll(e0);
	assert_int_equal(e0->ctr[CTR_engine_arp_mirrored], 1);
	assert_false(arp_lookup(e1, 0, ip("10.0.0.2"), &mac));
	mpdk_engine_poll(e1);
	assert_true(arp_lookup(e1, 0, ip("10.0.0.2"), &mac));
	assert_memory_equal(&mac, &peer, 6);
	assert_int_equal(e1->ctr[CTR_arp_replies_sent] + e1->ctr[CTR_arp_requests_rx], 0);
	assert_int_equal(e0->ctr[CTR_arp_replies_sent], 1);   /* one answer, from engine 0 */
	harness_clear_tx(h);

	uint16_t sp = sport_for(h, 1);
	assert_int_equal(redirect_owner(h->stack, 0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"),
					htons(sp)),
			 port_toeplitz_ipv4(port_rss_std_key, ip("10.0.0.2"), ip("10.0.0.1"), htons(sp),
					    htons(80), true) % 2);
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_SYN_FLAG, NULL, 0));
	mpdk_engine_poll(e0);   /* receives, hands to engine 1 */
	assert_int_equal(e0->ctr[CTR_engine_redirect_tx], 1);
	assert_int_equal(e0->ctr[CTR_tcp_rx_no_conn], 0);
	assert_int_equal(harness_tx_pending(h, 0), 0);
	mpdk_engine_poll(e1);   /* answers RST, for engine 0 to send */
	assert_int_equal(e1->ctr[CTR_engine_redirect_rx], 1);
	assert_int_equal(e1->ctr[CTR_tcp_rx_no_conn], 1);
	assert_int_equal(e1->ctr[CTR_engine_tx_via_engine0], 1);
	assert_int_equal(harness_tx_pending(h, 0), 0);
	mpdk_engine_poll(e0);
	assert_int_equal(harness_tx_pending(h, 0), 1);
	struct rte_mbuf *m = harness_pop_tx(h, 0);
	const struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m, const struct rte_tcp_hdr *,
		sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	assert_true(th->tcp_flags & RTE_TCP_RST_FLAG);
	assert_int_equal(th->dst_port, htons(sp));
	rte_pktmbuf_free(m);

	/* A 4-tuple of engine 0 stays on engine 0. */
	sp = sport_for(h, 0);
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_SYN_FLAG, NULL, 0));
	mpdk_engine_poll(e0);
	assert_int_equal(e0->ctr[CTR_engine_redirect_tx], 1);
	assert_int_equal(e0->ctr[CTR_tcp_rx_no_conn], 1);
	harness_free(h);
}

/* A full ring refuses (counted) instead of blocking; nothing is lost that
 * was accepted. */
static void test_ring_full(void **state)
{
	(void)state;
	struct harness *h = harness_create(1, addrs, NULL, two_engines);
	struct mpdk_engine *e0 = mpdk_stack_engine(h->stack, 0), *e1 = mpdk_stack_engine(h->stack, 1);
	struct redirect_msg msg = { .type = RD_GONE, .from = 0 };
	unsigned ok = 0;
	int rc;
	while ((rc = redirect_post(e0, 1, &msg)) == 0)
		ok++;
	assert_int_equal(rc, -ENOBUFS);
	assert_true(ok >= REDIRECT_RING_SIZE - 1 && ok <= REDIRECT_RING_SIZE);
	assert_int_equal(e0->ctr[CTR_engine_redirect_ring_full], 1);
	assert_int_equal(redirect_post(e0, 7, &msg), -EINVAL);
	unsigned drained = 0;
	int n;
	while ((n = redirect_poll(e1)) > 0)
		drained += (unsigned)n;
	assert_int_equal(drained, ok);
	assert_int_equal(redirect_post(e0, 1, &msg), 0);
	harness_free(h);
}

/* RFC 8684 §3.2 across engines: a SYN+MP_JOIN whose token's home is
 * engine 1 arriving at engine 0 is handed over and leaves a redirect
 * entry, which later segments of the 4-tuple follow; once the home has no
 * connection for the 4-tuple, the entry goes (the upkeep's "check" and
 * "gone" messages). */
static void test_join_redirect_entry(void **state)
{
	(void)state;
	struct harness *h = harness_create(1, addrs, NULL, two_engines);
	struct mpdk_engine *e0 = mpdk_stack_engine(h->stack, 0), *e1 = mpdk_stack_engine(h->stack, 1);
	static int dummy_conn;
	const uint32_t token = 0x1234abcd;
	uint8_t f[1600], opt[16] = { 0 };
	struct mptcp_opt mo = { .subtype = MPTCP_SUB_JOIN,
				.mpj = { .form = MPTCP_JOIN_SYN, .token = token, .nonce = 7 } };
	size_t olen = mptcp_opt_write(opt, sizeof(opt), &mo);
	assert_int_equal(olen, 12);
	opt[12] = opt[13] = opt[14] = opt[15] = 1;   /* NOPs to a multiple of 4 */
	harness_poll(h);
	harness_clear_tx(h);

	/* a port whose software owner is engine 0: only the token moves it */
	uint16_t sp = sport_for(h, 0);
	assert_int_equal(token_table_insert(h->stack->tokens, token, 1, &dummy_conn), 0);
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_SYN_FLAG, opt, 16));
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_ACK_FLAG, NULL, 0));
	mpdk_engine_poll(e0);
	assert_int_equal(e0->ctr[CTR_engine_join_handover], 1);
	assert_int_equal(e0->ctr[CTR_engine_redirect_tx], 2);   /* the SYN and the ACK */
	assert_int_equal(e0->ctr[CTR_engine_redirect_added], 1);
	assert_int_equal(redirect_lookup(e0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"), htons(sp)), 1);
	assert_int_equal(redirect_table_size(e0), 1);
	assert_int_equal(e0->ctr[CTR_tcp_rx_no_conn], 0);
	/* The connection goes before engine 1 looks (its conn is a dummy):
	 * engine 1 then refuses the join (unknown token) with a RST. */
	assert_int_equal(token_table_remove(h->stack->tokens, token, &dummy_conn), 0);
	mpdk_engine_poll(e1);
	assert_int_equal(e1->ctr[CTR_engine_redirect_rx], 2);
	assert_int_equal(e1->ctr[CTR_mptcp_join_token_unknown], 1);
	/* upkeep: engine 0 asks, engine 1 has no such connection, entry goes */
	mpdk_clock_advance(h->clock, REDIRECT_CHECK_NS);
	mpdk_engine_poll(e0);
	mpdk_engine_poll(e1);
	mpdk_engine_poll(e0);
	assert_int_equal(redirect_table_size(e0), 0);
	assert_int_equal(e0->ctr[CTR_engine_redirect_removed], 1);
	/* a new plain SYN on the 4-tuple stays with its owner */
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_SYN_FLAG, NULL, 0));
	mpdk_engine_poll(e0);
	assert_int_equal(e0->ctr[CTR_engine_redirect_tx], 2);
	harness_free(h);
}

static const uint8_t *join_opt(uint32_t token)
{
	static uint8_t opt[16];
	struct mptcp_opt mo = { .subtype = MPTCP_SUB_JOIN,
				.mpj = { .form = MPTCP_JOIN_SYN, .token = token, .nonce = 7 } };
	memset(opt, 0, sizeof(opt));
	assert_int_equal(mptcp_opt_write(opt, sizeof(opt), &mo), 12);
	opt[12] = opt[13] = opt[14] = opt[15] = 1;
	return opt;
}

/* A SYN+MP_JOIN on @sp whose token's home is engine 1, received by engine
 * 0: leaves an entry sp -> 1. Engine 1 then gets the SYN without the
 * token (its connection would be a dummy) and does what its TCP does. */
static void make_entry(struct harness *h, uint16_t sp)
{
	static int dummy_conn;
	const uint32_t token = 0x5eed0001;
	struct mpdk_engine *e0 = mpdk_stack_engine(h->stack, 0), *e1 = mpdk_stack_engine(h->stack, 1);
	uint8_t f[1600];
	assert_int_equal(token_table_insert(h->stack->tokens, token, 1, &dummy_conn), 0);
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_SYN_FLAG, join_opt(token), 16));
	mpdk_engine_poll(e0);
	assert_int_equal(token_table_remove(h->stack->tokens, token, &dummy_conn), 0);
	assert_int_equal(redirect_lookup(e0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"), htons(sp)), 1);
	mpdk_engine_poll(e1);
	mpdk_engine_poll(e0);
	harness_clear_tx(h);
}

static const struct mpdk_tcp_handler nop_handler;

/* RFC 5961 §4 (a SYN in a synchronized state is answered, not obeyed)
 * across engines: a bare SYN or a SYN+MP_JOIN naming another connection,
 * for a 4-tuple whose entry sends it to engine 1, where its connection
 * lives, goes to engine 1 and its TCP answers; the entry stays as it
 * was. Once engine 1 has no connection for the 4-tuple, the next SYN
 * drops the entry (RD_SYN answered by RD_GONE) and is steered afresh. */
static void test_syn_on_entry_asks_home(void **state)
{
	(void)state;
	struct harness *h = harness_create(1, addrs, NULL, two_engines);
	struct mpdk_engine *e0 = mpdk_stack_engine(h->stack, 0), *e1 = mpdk_stack_engine(h->stack, 1);
	static int other_conn;
	mpdk_conn_t l;
	uint8_t f[1600];
	harness_poll(h);
	harness_clear_tx(h);
	assert_int_equal(mpdk_listen(e1, 0, htons(80), 64, &nop_handler, NULL, &l), 0);

	/* engine 1 gets the peer's SYN (SYN_RECEIVED there); the join on
	 * the same 4-tuple then leaves the entry on engine 0 */
	uint16_t sp = sport_for(h, 1);
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_SYN_FLAG, NULL, 0));
	mpdk_engine_poll(e0);
	mpdk_engine_poll(e1);
	assert_int_equal(e1->ctr[CTR_tcp_passive_open], 1);
	make_entry(h, sp);
	uint64_t added = e0->ctr[CTR_engine_redirect_added];

	/* spoofed: a bare SYN with another sequence number, and a join for a
	 * connection homed on engine 0 */
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_SYN_FLAG, NULL, 0));
	mpdk_engine_poll(e0);
	assert_int_equal(redirect_lookup(e0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"), htons(sp)), 1);
	assert_int_equal(e0->ctr[CTR_engine_redirect_removed], 0);
	assert_int_equal(token_table_insert(h->stack->tokens, 0x0bad0002, 0, &other_conn), 0);
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_SYN_FLAG, join_opt(0x0bad0002), 16));
	mpdk_engine_poll(e0);
	assert_int_equal(token_table_remove(h->stack->tokens, 0x0bad0002, &other_conn), 0);
	assert_int_equal(redirect_lookup(e0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"), htons(sp)), 1);
	assert_int_equal(e0->ctr[CTR_engine_redirect_removed], 0);
	assert_int_equal(e0->ctr[CTR_engine_redirect_added], added);
	assert_int_equal(e0->ctr[CTR_engine_join_handover], 1);
	assert_int_equal(e0->ctr[CTR_tcp_rx_no_conn] + e0->ctr[CTR_tcp_passive_open], 0);
	uint64_t rx = e1->ctr[CTR_engine_redirect_rx];
	mpdk_engine_poll(e1);
	assert_int_equal(e1->ctr[CTR_engine_redirect_rx], rx + 2);   /* both reached the home */
	assert_int_equal(e1->ctr[CTR_tcp_passive_open], 1);          /* and found its connection */
	mpdk_engine_poll(e0);
	assert_int_equal(redirect_lookup(e0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"), htons(sp)), 1);
	harness_clear_tx(h);

	/* the connection goes (a RST in window, RFC 9293 §3.10.7.3) */
	size_t n = build_tcp(f, h, sp, 80, RTE_TCP_RST_FLAG, NULL, 0);
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(f + sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *rh = (struct rte_tcp_hdr *)(ih + 1);
	rh->sent_seq = htonl(1001);   /* RCV.NXT: the peer's ISN 1000 + 1 */
	rh->cksum = 0;
	rh->cksum = rte_ipv4_udptcp_cksum(ih, rh);
	harness_inject(h, 0, f, n);
	mpdk_engine_poll(e0);
	mpdk_engine_poll(e1);
	assert_null(tcp_demux_lookup(e1->tcp, ip("10.0.0.1"), htons(80), ip("10.0.0.2"), htons(sp)));
	/* a SYN now: engine 1 says gone, engine 0 drops the entry and steers
	 * the SYN afresh: to its software owner, engine 1, a new connection */
	harness_inject(h, 0, f, build_tcp(f, h, sp, 80, RTE_TCP_SYN_FLAG, NULL, 0));
	mpdk_engine_poll(e0);
	mpdk_engine_poll(e1);
	mpdk_engine_poll(e0);
	assert_int_equal(redirect_lookup(e0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"), htons(sp)), -1);
	assert_int_equal(e0->ctr[CTR_engine_redirect_removed], 1);
	mpdk_engine_poll(e1);
	assert_int_equal(e1->ctr[CTR_tcp_passive_open], 2);
	harness_clear_tx(h);
	assert_int_equal(mpdk_close(l), 0);
	harness_free(h);
}

/* Table upkeep resumes where the last round stopped: with entries whose
 * home keeps its connection (never answered "gone") and a ring with room
 * for only a few checks per round, stale entries anywhere in the table
 * are still asked about and removed after enough rounds. (Restarting at
 * the table's start each round, the live entries fill every round's room
 * and the stale ones behind them stay for ever.) */
static void test_check_resumes(void **state)
{
	(void)state;
	enum { LIVE = 24, STALE = 24, ROOM = 4 };
	struct harness *h = harness_create(1, addrs, NULL, two_engines);
	struct mpdk_engine *e0 = mpdk_stack_engine(h->stack, 0), *e1 = mpdk_stack_engine(h->stack, 1);
	struct redirect_msg dummy = { .type = RD_GONE, .from = 0 };
	uint16_t live[LIVE], stale[STALE];
	unsigned nl = 0, ns = 0, cap = 0;
	mpdk_conn_t l;
	uint8_t f[1600];
	harness_poll(h);
	harness_clear_tx(h);
	assert_int_equal(mpdk_listen(e1, 0, htons(80), 1024, &nop_handler, NULL, &l), 0);
	for (uint16_t p = 1024; nl < LIVE || ns < STALE; p++) {
		unsigned own = redirect_owner(h->stack, 0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"),
					      htons(p));
		if (own == 1 && nl < LIVE) {
			live[nl++] = p;   /* SYN_RECEIVED on engine 1, then the entry */
			harness_inject(h, 0, f, build_tcp(f, h, p, 80, RTE_TCP_SYN_FLAG, NULL, 0));
			mpdk_engine_poll(e0);
			mpdk_engine_poll(e1);
			make_entry(h, p);
		} else if (own == 0 && ns < STALE) {
			stale[ns++] = p;  /* refused by engine 1: nothing there */
			make_entry(h, p);
		}
	}
	assert_int_equal(redirect_table_size(e0), LIVE + STALE);
	/* the ring's capacity */
	while (redirect_post(e0, 1, &dummy) == 0)
		cap++;
	while (redirect_poll(e1) > 0)
		;
	for (int round = 0; round < 3 * (LIVE + STALE) / ROOM; round++) {
		for (unsigned i = 0; i < cap - ROOM; i++)
			assert_int_equal(redirect_post(e0, 1, &dummy), 0);
		mpdk_clock_advance(h->clock, REDIRECT_CHECK_NS);
		mpdk_engine_poll(e0);   /* up to ROOM checks */
		while (redirect_poll(e1) > 0)
			;
		mpdk_engine_poll(e0);   /* the answers */
		harness_clear_tx(h);
	}
	for (unsigned i = 0; i < STALE; i++)
		assert_int_equal(redirect_lookup(e0, ip("10.0.0.1"), htons(80), ip("10.0.0.2"),
						 htons(stale[i])), -1);
	for (unsigned i = 0; i < LIVE; i++)
		if (tcp_demux_lookup(e1->tcp, ip("10.0.0.1"), htons(80), ip("10.0.0.2"),
				     htons(live[i])) != NULL)
			assert_int_equal(redirect_lookup(e0, ip("10.0.0.1"), htons(80),
							 ip("10.0.0.2"), htons(live[i])), 1);
	assert_int_equal(e0->ctr[CTR_engine_redirect_removed], STALE + LIVE - redirect_table_size(e0));
	assert_true(redirect_table_size(e0) > 0);
	assert_int_equal(mpdk_close(l), 0);
	harness_free(h);
}

/* A frame message naming an interface the stack does not have is dropped
 * and counted (a drop counter: telemetry's /mpdk/drops lists it). */
static void test_bad_iface_counted(void **state)
{
	(void)state;
	struct harness *h = harness_create(1, addrs, NULL, two_engines);
	struct mpdk_engine *e0 = mpdk_stack_engine(h->stack, 0), *e1 = mpdk_stack_engine(h->stack, 1);
	const uint8_t types[] = { RD_PKT, RD_SYN, RD_TX };
	for (unsigned i = 0; i < RTE_DIM(types); i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(h->stack->pool);
		assert_non_null(m);
		struct redirect_msg msg = { .type = types[i], .from = 0, .iface = 9, .m = m };
		unsigned to = types[i] == RD_TX ? 0 : 1;
		assert_int_equal(redirect_post(to == 0 ? e1 : e0, to, &msg), 0);
	}
	mpdk_engine_poll(e1);
	mpdk_engine_poll(e0);
	assert_int_equal(e1->ctr[CTR_engine_redirect_bad_iface], 2);
	assert_int_equal(e0->ctr[CTR_engine_redirect_bad_iface], 1);
	assert_true(telemetry_counter_is_drop(CTR_engine_redirect_bad_iface));
	harness_free(h);
}

/* One engine: no rings, no steering, every queue index 0 (behaviour of
 * a single-engine stack unchanged). */
static void test_one_engine_no_redirect(void **state)
{
	(void)state;
	struct harness *h = harness_create(1, addrs, NULL, NULL);
	assert_int_equal(mpdk_stack_n_engines(h->stack), 1);
	assert_null(h->e->rd);
	assert_null(mpdk_stack_engine(h->stack, 1));
	assert_int_equal(h->e->port_rxq[0], 0);
	assert_int_equal(h->e->port_txq[0], 0);
	assert_int_equal(redirect_owner(h->stack, 0, 1, 2, 3, 4), 0);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_toeplitz_ms_vectors),
		cmocka_unit_test(test_rss_queue),
		cmocka_unit_test(test_software_steering_ring),
		cmocka_unit_test(test_ring_full),
		cmocka_unit_test(test_join_redirect_entry),
		cmocka_unit_test(test_syn_on_entry_asks_home),
		cmocka_unit_test(test_check_resumes),
		cmocka_unit_test(test_bad_iface_counted),
		cmocka_unit_test(test_one_engine_no_redirect),
	};
	harness_eal_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
