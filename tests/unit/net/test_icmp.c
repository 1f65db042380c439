/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP (RFC 792, RFC 1122 3.2.2): echo replies from each of our addresses,
 * validation, and mpdk_ping() with its reply callback and RTT. */
#include <stdlib.h>
#include "net_test.h"
#include "mpdk/mpdk_error.h"
#include "net/icmp.h"

static const char *const addrs[] = {"0:10.0.0.1/24", "0:10.0.0.2/24", "1:192.168.1.1/24", NULL};

static struct mpdk_ping_reply replies[16];
static unsigned n_replies;

static void on_reply(void *arg, const struct mpdk_ping_reply *r)
{
	assert_ptr_equal(arg, &n_replies);
	assert_true(n_replies < RTE_DIM(replies));
	replies[n_replies++] = *r;
}

static void tweak(struct mpdk_stack_conf *c)
{
	c->on_ping_reply = on_reply;
	c->ping_arg = &n_replies;
}

static int setup(void **state)
{
	struct harness *h = harness_create(2, addrs, NULL, tweak);
	harness_clear_tx(h);
	n_replies = 0;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	harness_free(*state);
	return 0;
}

static struct rte_icmp_hdr *icmph(uint8_t *f)
{
	return (struct rte_icmp_hdr *)(f + RTE_ETHER_HDR_LEN + 20);
}

/* Check a reply frame against the request it answers. */
static void assert_echo_reply(const uint8_t *req, size_t req_len, const uint8_t *rep,
			      size_t rep_len, uint16_t port)
{
	const struct rte_ether_hdr *qe = (const struct rte_ether_hdr *)req;
	const struct rte_ether_hdr *pe = (const struct rte_ether_hdr *)rep;
	const struct rte_ipv4_hdr *qi = frame_ipv4(req), *pi = frame_ipv4(rep);
	struct rte_ether_addr ours = port_mac(port);
	size_t ic_len = ntohs(qi->total_length) - 20;

	assert_true(rep_len >= RTE_ETHER_HDR_LEN + 20 + ic_len);
	(void)req_len;
	assert_true(rte_is_same_ether_addr(&pe->dst_addr, &qe->src_addr));
	assert_true(rte_is_same_ether_addr(&pe->src_addr, &ours));
	/* addresses swapped: from the address that was pinged */
	assert_int_equal(pi->src_addr, qi->dst_addr);
	assert_int_equal(pi->dst_addr, qi->src_addr);
	assert_int_equal(pi->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(ntohs(pi->total_length), ntohs(qi->total_length));
	assert_int_equal(ref_sum((const uint8_t *)pi, 20), 0xffff);
	const struct rte_icmp_hdr *qc = (const struct rte_icmp_hdr *)(qi + 1);
	const struct rte_icmp_hdr *pc = (const struct rte_icmp_hdr *)(pi + 1);
	assert_int_equal(pc->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(pc->icmp_code, 0);
	assert_int_equal(pc->icmp_ident, qc->icmp_ident);
	assert_int_equal(pc->icmp_seq_nb, qc->icmp_seq_nb);
	assert_memory_equal(pc + 1, qc + 1, ic_len - 8);
	assert_int_equal(ref_sum((const uint8_t *)pc, ic_len), 0xffff);
}

/* RFC 792 Echo: the reply swaps the addresses, changes the type to 0,
 * keeps identifier, sequence and data, and has a valid checksum; it comes
 * from whichever of our addresses was pinged (RFC 1122 3.2.2.6). */
static void test_echo_reply_each_address(void **state)
{
	struct harness *h = *state;
	struct { uint16_t port; const char *ours, *peer; } cases[] = {
		{0, "10.0.0.1", "10.0.0.50"},
		{0, "10.0.0.2", "10.0.0.51"},
		{1, "192.168.1.1", "192.168.1.9"},
	};
	for (unsigned i = 0; i < RTE_DIM(cases); i++) {
		uint8_t req[FRAME_MAX], rep[FRAME_MAX];
		struct rte_ether_addr pm = peer_mac((uint8_t)(10 + i)), ours = port_mac(cases[i].port);
		learn_peer(h, cases[i].port, &pm, ip4(cases[i].peer), ip4(cases[i].ours));
		size_t n = harness_build_icmp_echo(req, &pm, &ours, ip4(cases[i].peer),
						   ip4(cases[i].ours), RTE_IP_ICMP_ECHO_REQUEST,
						   (uint16_t)(0x1234 + i), (uint16_t)(i + 1), 56 + i);
		harness_inject(h, cases[i].port, req, n);
		harness_poll(h);
		size_t rn = pop_frame(h, cases[i].port, rep);
		assert_true(rn > 0);
		assert_echo_reply(req, n, rep, rn, cases[i].port);
		assert_int_equal(harness_tx_pending(h, cases[i].port), 0);
	}
	assert_int_equal(harness_ctr(h, "icmp_echo_requests"), 3);
	assert_int_equal(harness_ctr(h, "icmp_echo_replies_sent"), 3);
}

/* RFC 1122 2.3.2.2: a reply to an unresolved peer waits for ARP. */
static void test_echo_reply_waits_for_arp(void **state)
{
	struct harness *h = *state;
	uint8_t req[FRAME_MAX], rep[FRAME_MAX], arp[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(3), ours = port_mac(0);
	size_t n = harness_build_icmp_echo(req, &pm, &ours, ip4("10.0.0.3"), ip4("10.0.0.1"),
					   RTE_IP_ICMP_ECHO_REQUEST, 1, 1, 32);
	harness_inject(h, 0, req, n);
	harness_poll(h);
	assert_int_equal(harness_tx_pending(h, 0), 1);
	pop_frame(h, 0, arp);
	assert_int_equal(ntohs(frame_arp(arp)->arp_opcode), RTE_ARP_OP_REQUEST);
	harness_inject(h, 0, arp, harness_build_arp(arp, RTE_ARP_OP_REPLY, &pm, ip4("10.0.0.3"),
						     &ours, ip4("10.0.0.1"), &ours));
	harness_poll(h);
	size_t rn = pop_frame(h, 0, rep);
	assert_echo_reply(req, n, rep, rn, 0);
}

/* RFC 792: the checksum covers the whole ICMP message; a bad one is
 * dropped and counted, as is a message shorter than its 8-byte header. */
static void test_bad_checksum_and_truncated(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(4), ours = port_mac(0);
	learn_peer(h, 0, &pm, ip4("10.0.0.4"), ip4("10.0.0.1"));
	size_t n = harness_build_icmp_echo(f, &pm, &ours, ip4("10.0.0.4"), ip4("10.0.0.1"),
					   RTE_IP_ICMP_ECHO_REQUEST, 1, 1, 20);
	f[n - 1] ^= 0x01; /* payload changed, checksum not */
	harness_inject(h, 0, f, n);
	harness_poll(h);
	assert_int_equal(harness_ctr(h, "icmp_rx_bad_cksum"), 1);
	assert_int_equal(harness_ctr(h, "icmp_echo_requests"), 0);
	assert_int_equal(harness_tx_pending(h, 0), 0);

	uint8_t l4[4] = {8, 0, 0xf7, 0xff};
	n = harness_build_ipv4(f, &pm, &ours, ip4("10.0.0.4"), ip4("10.0.0.1"), IPPROTO_ICMP, l4, 4);
	harness_inject(h, 0, f, n);
	harness_poll(h);
	assert_int_equal(harness_ctr(h, "icmp_rx_truncated"), 1);
	assert_int_equal(harness_tx_pending(h, 0), 0);
}

/* RFC 1122 3.2.2.6: echo requests to a broadcast address may be ignored;
 * we do (no amplification). */
static void test_broadcast_ping_ignored(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(5);
	learn_peer(h, 0, &pm, ip4("10.0.0.5"), ip4("10.0.0.1"));
	const char *dst[] = {"10.0.0.255", "255.255.255.255"};
	for (unsigned i = 0; i < 2; i++) {
		size_t n = harness_build_icmp_echo(f, &pm, &bcast_mac, ip4("10.0.0.5"), ip4(dst[i]),
						   RTE_IP_ICMP_ECHO_REQUEST, 1, 1, 8);
		harness_inject(h, 0, f, n);
	}
	harness_poll(h);
	assert_int_equal(harness_ctr(h, "ip_rx_broadcast"), 2);
	assert_int_equal(harness_ctr(h, "icmp_echo_requests"), 0);
	assert_int_equal(harness_tx_pending(h, 0), 0);
}

/* RFC 1071 over chains: an odd-sized request split at odd offsets gets a
 * correct reply. */
static void test_echo_multisegment(void **state)
{
	struct harness *h = *state;
	uint8_t req[FRAME_MAX], rep[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(6), ours = port_mac(0);
	learn_peer(h, 0, &pm, ip4("10.0.0.6"), ip4("10.0.0.1"));
	size_t n = harness_build_icmp_echo(req, &pm, &ours, ip4("10.0.0.6"), ip4("10.0.0.1"),
					   RTE_IP_ICMP_ECHO_REQUEST, 9, 9, 333);
	uint16_t cuts[] = {45, 7, 1, 1, 99};
	struct rte_mbuf *m = chain_from(mpdk_stack_pool(h->stack), req, n, cuts, RTE_DIM(cuts));
	engine_input(h->e, 0, m);
	harness_poll(h);
	size_t rn = pop_frame(h, 0, rep);
	assert_true(rn > 0);
	assert_echo_reply(req, n, rep, rn, 0);
}

/* Other ICMP messages are counted and ignored. */
static void test_other_types(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(7), ours = port_mac(0);
	uint8_t types[] = {3, 11, 13, 42};
	for (unsigned i = 0; i < RTE_DIM(types); i++) {
		size_t n = harness_build_icmp_echo(f, &pm, &ours, ip4("10.0.0.7"), ip4("10.0.0.1"),
						   types[i], 0, 0, 28);
		harness_inject(h, 0, f, n);
	}
	harness_poll(h);
	assert_int_equal(harness_ctr(h, "icmp_rx_errors"), 2);
	assert_int_equal(harness_ctr(h, "icmp_rx_other"), 2);
	assert_int_equal(harness_tx_pending(h, 0), 0);
}

/* Turn a captured echo request into the peer's reply. */
static size_t make_reply(uint8_t *f, size_t n)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;
	struct rte_ether_addr t = eh->dst_addr;
	eh->dst_addr = eh->src_addr;
	eh->src_addr = t;
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(eh + 1);
	uint32_t a = ih->src_addr;
	ih->src_addr = ih->dst_addr;
	ih->dst_addr = a;
	ih->hdr_checksum = 0;
	ih->hdr_checksum = htons((uint16_t)~ref_sum((const uint8_t *)ih, 20));
	struct rte_icmp_hdr *ic = icmph(f);
	size_t ic_len = ntohs(ih->total_length) - 20;
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = htons((uint16_t)~ref_sum((const uint8_t *)ic, ic_len));
	return n;
}

/* mpdk_ping sends a valid echo request (RFC 792) carrying its send time;
 * the echoed reply reaches the callback with id, seq, length and RTT. */
static void test_ping_callback_rtt(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(8);
	learn_peer(h, 0, &pm, ip4("10.0.0.8"), ip4("10.0.0.1"));

	assert_int_equal(mpdk_ping(h->e, ip4("10.0.0.8"), 77, 3, 56), 0);
	harness_poll(h);
	size_t n = pop_frame(h, 0, f);
	assert_true(n > 0);
	const struct rte_ipv4_hdr *ih = frame_ipv4(f);
	assert_int_equal(ih->src_addr, ip4("10.0.0.1"));
	assert_int_equal(ih->dst_addr, ip4("10.0.0.8"));
	assert_int_equal(ntohs(ih->total_length), 20 + 8 + 56);
	const struct rte_icmp_hdr *ic = icmph(f);
	assert_int_equal(ic->icmp_type, RTE_IP_ICMP_ECHO_REQUEST);
	assert_int_equal(ic->icmp_code, 0);
	assert_int_equal(ntohs(ic->icmp_ident), 77);
	assert_int_equal(ntohs(ic->icmp_seq_nb), 3);
	assert_int_equal(ref_sum((const uint8_t *)ic, 64), 0xffff);
	assert_int_equal(harness_ctr(h, "icmp_echo_requests_sent"), 1);

	harness_advance(h, 5 * NS_PER_MS);
	make_reply(f, n);
	harness_inject(h, 0, f, n);
	harness_poll(h);
	assert_int_equal(n_replies, 1);
	assert_int_equal(replies[0].from, ip4("10.0.0.8"));
	assert_int_equal(replies[0].id, 77);
	assert_int_equal(replies[0].seq, 3);
	assert_int_equal(replies[0].len, 56);
	assert_int_equal(replies[0].rtt_ns, 5 * NS_PER_MS);

	/* a payload too short for the timestamp: reply reported, no RTT */
	assert_int_equal(mpdk_ping(h->e, ip4("10.0.0.8"), 78, 4, 4), 0);
	harness_poll(h);
	n = pop_frame(h, 0, f);
	harness_advance(h, NS_PER_MS);
	harness_inject(h, 0, f, make_reply(f, n));
	harness_poll(h);
	assert_int_equal(n_replies, 2);
	assert_int_equal(replies[1].len, 4);
	assert_int_equal(replies[1].rtt_ns, 0);
}

/* Pinging one of our own addresses is answered locally, nothing on the
 * wire. */
static void test_ping_self(void **state)
{
	struct harness *h = *state;
	assert_int_equal(mpdk_ping(h->e, ip4("192.168.1.1"), 5, 6, 100), 0);
	harness_poll(h);
	assert_int_equal(n_replies, 1);
	assert_int_equal(replies[0].from, ip4("192.168.1.1"));
	assert_int_equal(replies[0].id, 5);
	assert_int_equal(replies[0].seq, 6);
	assert_int_equal(replies[0].len, 100);
	assert_int_equal(replies[0].rtt_ns, 0);
	assert_int_equal(harness_tx_pending(h, 0), 0);
	assert_int_equal(harness_tx_pending(h, 1), 0);
	assert_int_equal(harness_ctr(h, "icmp_echo_replies_sent"), 1);
	assert_int_equal(harness_ctr(h, "ip_local_delivered"), 2);
}

/* mpdk_ping argument errors: no route, larger than the MTU allows,
 * broadcast or multicast destination. */
static void test_ping_errors(void **state)
{
	struct harness *h = *state;
	assert_int_equal(mpdk_ping(h->e, ip4("172.16.0.1"), 1, 1, 8), -MPDK_ENOROUTE);
	assert_int_equal(mpdk_ping(h->e, ip4("10.0.0.9"), 1, 1, 1473), -EINVAL);
	assert_int_equal(mpdk_ping(h->e, ip4("10.0.0.9"), 1, 1, 1472), 0);
	assert_int_equal(mpdk_ping(h->e, ip4("255.255.255.255"), 1, 1, 8), -EINVAL);
	assert_int_equal(mpdk_ping(h->e, ip4("224.0.0.1"), 1, 1, 8), -EINVAL);
	assert_int_equal(mpdk_ping(h->e, ip4("10.0.0.9"), 1, 1, 65535), -EINVAL);
	assert_int_equal(harness_ctr(h, "icmp_echo_requests_sent"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo_reply_each_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_reply_waits_for_arp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_checksum_and_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broadcast_ping_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_multisegment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping_callback_rtt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping_self, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ping_errors, setup, teardown),
	};
	return cmocka_run_group_tests_name("net_icmp", tests, NULL, NULL);
}
