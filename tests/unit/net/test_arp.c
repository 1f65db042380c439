/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP (RFC 826) on a virtual clock: resolution, retry and failure, expiry,
 * per-entry queue bound, cache eviction, replies, validation, gratuitous
 * announcements (RFC 5227). */
#include <stdlib.h>
#include "net_test.h"
#include "net/arp.h"
#include "net/ipv4.h"

#define PROTO_TEST 253  /* RFC 3692 experimental protocol number */

static const char *const addrs[] = {"0:10.0.0.1/24", "0:10.0.0.2/24", "1:10.1.0.1/24", NULL};

static void tweak_small(struct mpdk_stack_conf *c)
{
	c->arp_retry_ms = 200;
	c->arp_max_retries = 4;
	c->arp_timeout_ms = 5000;
	c->arp_queue_max = 4;
	c->arp_entries = 8;
}

static int setup(void **state)
{
	struct harness *h = harness_create(2, addrs, NULL, tweak_small);
	harness_clear_tx(h);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	harness_free(*state);
	return 0;
}

/* Send an 8-byte test datagram whose first byte is @tag. */
static int send_ip(struct harness *h, uint32_t dst, uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mpdk_stack_pool(h->stack));
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, 8);
	memset(p, tag, 8);
	int rc = ipv4_output(h->e, m, 0, dst, PROTO_TEST, 0);
	harness_poll(h);
	return rc;
}

/* Check that @f is a broadcast ARP request from port 0 for @tpa. */
static void assert_request(const uint8_t *f, size_t n, uint32_t spa, uint32_t tpa)
{
	assert_true(n >= RTE_ETHER_HDR_LEN + sizeof(struct rte_arp_hdr));
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)f;
	const struct rte_arp_hdr *ah = frame_arp(f);
	struct rte_ether_addr ours = port_mac(0);
	assert_true(rte_is_broadcast_ether_addr(&eh->dst_addr));
	assert_int_equal(ntohs(ah->arp_hardware), RTE_ARP_HRD_ETHER);
	assert_int_equal(ntohs(ah->arp_protocol), RTE_ETHER_TYPE_IPV4);
	assert_int_equal(ah->arp_hlen, 6);
	assert_int_equal(ah->arp_plen, 4);
	assert_int_equal(ntohs(ah->arp_opcode), RTE_ARP_OP_REQUEST);
	assert_true(rte_is_same_ether_addr(&ah->arp_data.arp_sha, &ours));
	assert_int_equal(ah->arp_data.arp_sip, spa);
	assert_int_equal(ah->arp_data.arp_tip, tpa);
}

static void inject_reply(struct harness *h, uint16_t port, uint8_t peer, uint32_t spa, uint32_t tpa)
{
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(peer), ours = port_mac(port);
	harness_inject(h, port, f, harness_build_arp(f, RTE_ARP_OP_REPLY, &pm, spa, &ours, tpa, &ours));
	harness_poll(h);
}

/* RFC 5227 2.3: one announcement per address at start, sender and target
 * both the announced address, broadcast. */
static void test_gratuitous_at_start(void **state)
{
	(void)state;
	struct harness *h = harness_create(2, addrs, NULL, NULL);
	uint8_t f[FRAME_MAX];
	size_t n;

	assert_int_equal(harness_tx_pending(h, 0), 2);
	assert_int_equal(harness_tx_pending(h, 1), 1);
	n = pop_frame(h, 0, f);
	assert_request(f, n, ip4("10.0.0.1"), ip4("10.0.0.1"));
	assert_true(rte_is_zero_ether_addr(&frame_arp(f)->arp_data.arp_tha));
	n = pop_frame(h, 0, f);
	assert_request(f, n, ip4("10.0.0.2"), ip4("10.0.0.2"));
	n = pop_frame(h, 1, f);
	const struct rte_arp_hdr *ah = frame_arp(f);
	struct rte_ether_addr m1 = port_mac(1);
	assert_true(rte_is_same_ether_addr(&ah->arp_data.arp_sha, &m1));
	assert_int_equal(ah->arp_data.arp_sip, ip4("10.1.0.1"));
	assert_int_equal(ah->arp_data.arp_tip, ip4("10.1.0.1"));
	assert_int_equal(harness_ctr(h, "arp_announcements_sent"), 3);
	harness_free(h);
}

/* RFC 826 "Packet Reception": a request for one of our addresses (any of
 * the interface's) is answered from that address, and the sender is
 * learned. */
static void test_reply_to_request(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(1), ours = port_mac(0), got;

	harness_inject(h, 0, f, harness_build_arp(f, RTE_ARP_OP_REQUEST, &pm, ip4("10.0.0.50"),
						   &zero_mac, ip4("10.0.0.2"), &bcast_mac));
	harness_poll(h);
	size_t n = pop_frame(h, 0, f);
	assert_true(n >= 42);
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)f;
	const struct rte_arp_hdr *ah = frame_arp(f);
	assert_true(rte_is_same_ether_addr(&eh->dst_addr, &pm));
	assert_true(rte_is_same_ether_addr(&eh->src_addr, &ours));
	assert_int_equal(ntohs(ah->arp_opcode), RTE_ARP_OP_REPLY);
	assert_true(rte_is_same_ether_addr(&ah->arp_data.arp_sha, &ours));
	assert_int_equal(ah->arp_data.arp_sip, ip4("10.0.0.2"));
	assert_true(rte_is_same_ether_addr(&ah->arp_data.arp_tha, &pm));
	assert_int_equal(ah->arp_data.arp_tip, ip4("10.0.0.50"));
	assert_int_equal(harness_ctr(h, "arp_replies_sent"), 1);
	assert_true(arp_lookup(h->e, 0, ip4("10.0.0.50"), &got));
	assert_true(rte_is_same_ether_addr(&got, &pm));
	/* the address of another interface is not answered on this one */
	harness_inject(h, 0, f, harness_build_arp(f, RTE_ARP_OP_REQUEST, &pm, ip4("10.0.0.50"),
						   &zero_mac, ip4("10.1.0.1"), &bcast_mac));
	harness_poll(h);
	assert_int_equal(harness_tx_pending(h, 0), 0);
}

/* RFC 826: a request for someone else's address gets no reply and does
 * not add the sender to the cache. */
static void test_request_for_other_ignored(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(1), got;

	harness_inject(h, 0, f, harness_build_arp(f, RTE_ARP_OP_REQUEST, &pm, ip4("10.0.0.50"),
						   &zero_mac, ip4("10.0.0.99"), &bcast_mac));
	harness_poll(h);
	assert_int_equal(harness_tx_pending(h, 0), 0);
	assert_int_equal(harness_ctr(h, "arp_rx_not_for_us"), 1);
	assert_int_equal(arp_cache_size(h->e), 0);
	assert_false(arp_lookup(h->e, 0, ip4("10.0.0.50"), &got));
}

/* RFC 826 header fields: hardware type, protocol type, lengths, opcode;
 * short packets; group or own-address senders. Counted, never answered. */
static void test_malformed(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(1);
	size_t n = harness_build_arp(f, RTE_ARP_OP_REQUEST, &pm, ip4("10.0.0.50"), &zero_mac,
				     ip4("10.0.0.1"), &bcast_mac);
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(f + RTE_ETHER_HDR_LEN);
	struct rte_arp_hdr good = *ah;

	ah->arp_hardware = htons(6);
	harness_inject(h, 0, f, n);
	*ah = good;
	ah->arp_protocol = htons(RTE_ETHER_TYPE_IPV6);
	harness_inject(h, 0, f, n);
	*ah = good;
	ah->arp_hlen = 8;
	harness_inject(h, 0, f, n);
	*ah = good;
	ah->arp_plen = 16;
	harness_inject(h, 0, f, n);
	*ah = good;
	ah->arp_opcode = htons(3);
	harness_inject(h, 0, f, n);
	*ah = good;
	for (size_t len = RTE_ETHER_HDR_LEN; len < RTE_ETHER_HDR_LEN + sizeof(*ah); len++)
		harness_inject(h, 0, f, len);
	ah->arp_data.arp_sha = bcast_mac;
	harness_inject(h, 0, f, n);
	*ah = good;
	ah->arp_data.arp_sip = ip4("10.0.0.2"); /* our own address: a conflict */
	harness_inject(h, 0, f, n);
	harness_poll(h);

	assert_int_equal(harness_ctr(h, "arp_rx_malformed"), 4);
	assert_int_equal(harness_ctr(h, "arp_rx_bad_op"), 1);
	assert_int_equal(harness_ctr(h, "arp_rx_truncated"), sizeof(*ah));
	assert_int_equal(harness_ctr(h, "arp_rx_bad_sender"), 2);
	assert_int_equal(harness_tx_pending(h, 0), 0);
	assert_int_equal(arp_cache_size(h->e), 0);
}

/* RFC 826 / RFC 1122 2.3.2.2: a packet for an unresolved neighbour waits
 * while a request is out; the reply releases it to the learned MAC. */
static void test_resolution(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(7), got;

	assert_int_equal(send_ip(h, ip4("10.0.0.7"), 0x11), 0);
	assert_int_equal(harness_tx_pending(h, 0), 1);
	size_t n = pop_frame(h, 0, f);
	assert_request(f, n, ip4("10.0.0.1"), ip4("10.0.0.7"));
	assert_int_equal(harness_ctr(h, "arp_requests_sent"), 1);
	assert_false(arp_lookup(h->e, 0, ip4("10.0.0.7"), &got));
	assert_int_equal(arp_cache_size(h->e), 1);

	inject_reply(h, 0, 7, ip4("10.0.0.7"), ip4("10.0.0.1"));
	assert_true(arp_lookup(h->e, 0, ip4("10.0.0.7"), &got));
	assert_true(rte_is_same_ether_addr(&got, &pm));
	n = pop_frame(h, 0, f);
	assert_true(n > 0);
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)f;
	assert_true(rte_is_same_ether_addr(&eh->dst_addr, &pm));
	const struct rte_ipv4_hdr *ih = frame_ipv4(f);
	assert_int_equal(ih->dst_addr, ip4("10.0.0.7"));
	assert_int_equal(((const uint8_t *)(ih + 1))[0], 0x11);

	/* resolved: the next packet goes straight out, no new request */
	assert_int_equal(send_ip(h, ip4("10.0.0.7"), 0x12), 0);
	assert_int_equal(harness_tx_pending(h, 0), 1);
	assert_int_equal(harness_ctr(h, "arp_requests_sent"), 1);
	/* no retry fires after resolution */
	harness_clear_tx(h);
	harness_advance(h, 2 * NS_PER_S);
	assert_int_equal(harness_tx_pending(h, 0), 0);
}

/* Retransmission at conf.arp_retry_ms up to conf.arp_max_retries requests;
 * then the entry is removed and its queued packets dropped and counted. */
static void test_retry_then_fail(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];

	assert_int_equal(send_ip(h, ip4("10.0.0.8"), 1), 0);
	assert_int_equal(send_ip(h, ip4("10.0.0.8"), 2), 0);
	assert_int_equal(harness_tx_pending(h, 0), 1);
	harness_clear_tx(h);
	for (int i = 1; i < 4; i++) {
		harness_advance(h, 199 * NS_PER_MS);
		assert_int_equal(harness_tx_pending(h, 0), 0);
		harness_advance(h, 1 * NS_PER_MS);
		size_t n = pop_frame(h, 0, f);
		assert_request(f, n, ip4("10.0.0.1"), ip4("10.0.0.8"));
		assert_int_equal(harness_tx_pending(h, 0), 0);
	}
	assert_int_equal(harness_ctr(h, "arp_requests_sent"), 4);
	assert_int_equal(harness_ctr(h, "arp_resolve_failed"), 0);
	harness_clear_tx(h);
	harness_advance(h, 199 * NS_PER_MS);
	assert_int_equal(arp_cache_size(h->e), 1);
	harness_advance(h, 1 * NS_PER_MS);
	assert_int_equal(harness_ctr(h, "arp_resolve_failed"), 1);
	assert_int_equal(harness_ctr(h, "arp_unresolved_drops"), 2);
	assert_int_equal(arp_cache_size(h->e), 0);
	assert_int_equal(harness_tx_pending(h, 0), 0);
	/* a late reply addressed to us is learned like any (RFC 826: we are
	 * the target, so the sender is added) */
	inject_reply(h, 0, 8, ip4("10.0.0.8"), ip4("10.0.0.1"));
	assert_int_equal(arp_cache_size(h->e), 1);
}

/* An entry lives conf.arp_timeout_ms after its last update, then goes;
 * an ARP packet from the neighbour restarts the lifetime. */
static void test_expiry(void **state)
{
	struct harness *h = *state;
	struct rte_ether_addr got;

	send_ip(h, ip4("10.0.0.9"), 1);
	inject_reply(h, 0, 9, ip4("10.0.0.9"), ip4("10.0.0.1"));
	harness_advance(h, 4999 * NS_PER_MS);
	assert_true(arp_lookup(h->e, 0, ip4("10.0.0.9"), &got));
	harness_advance(h, 1 * NS_PER_MS);
	assert_false(arp_lookup(h->e, 0, ip4("10.0.0.9"), &got));
	assert_int_equal(arp_cache_size(h->e), 0);
	assert_int_equal(harness_ctr(h, "arp_entries_expired"), 1);

	/* refresh: a reply at 3 s pushes expiry to 8 s */
	send_ip(h, ip4("10.0.0.9"), 1);
	inject_reply(h, 0, 9, ip4("10.0.0.9"), ip4("10.0.0.1"));
	harness_advance(h, 3000 * NS_PER_MS);
	inject_reply(h, 0, 9, ip4("10.0.0.9"), ip4("10.0.0.1"));
	harness_advance(h, 4900 * NS_PER_MS);
	assert_true(arp_lookup(h->e, 0, ip4("10.0.0.9"), &got));
	harness_advance(h, 200 * NS_PER_MS);
	assert_false(arp_lookup(h->e, 0, ip4("10.0.0.9"), &got));
	/* after expiry, traffic starts a new resolution */
	harness_clear_tx(h);
	send_ip(h, ip4("10.0.0.9"), 1);
	uint8_t f[FRAME_MAX];
	size_t n = pop_frame(h, 0, f);
	assert_request(f, n, ip4("10.0.0.1"), ip4("10.0.0.9"));
}

/* The per-entry queue holds conf.arp_queue_max packets; the oldest are
 * dropped (and counted) to make room. */
static void test_queue_bound(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];

	for (uint8_t i = 0; i < 7; i++)
		assert_int_equal(send_ip(h, ip4("10.0.0.10"), i), 0);
	assert_int_equal(harness_ctr(h, "arp_queue_drops"), 3);
	harness_clear_tx(h);
	inject_reply(h, 0, 10, ip4("10.0.0.10"), ip4("10.0.0.1"));
	assert_int_equal(harness_tx_pending(h, 0), 4);
	for (uint8_t i = 3; i < 7; i++) {
		pop_frame(h, 0, f);
		assert_int_equal(((const uint8_t *)(frame_ipv4(f) + 1))[0], i);
	}
}

/* A full cache evicts its least recently used entry, counted. */
static void test_cache_full_eviction(void **state)
{
	struct harness *h = *state;
	struct rte_ether_addr got;
	char a[32];

	for (int i = 1; i <= 8; i++) {
		snprintf(a, sizeof(a), "10.0.0.%d", 100 + i);
		learn_peer(h, 0, &(struct rte_ether_addr){{0x02, 0xaa, 0, 0, 0, (uint8_t)i}},
			   ip4(a), ip4("10.0.0.1"));
	}
	assert_int_equal(arp_cache_size(h->e), 8);
	assert_int_equal(harness_ctr(h, "arp_cache_full"), 0);
	/* use .101 so .102 becomes the least recently used */
	assert_int_equal(send_ip(h, ip4("10.0.0.101"), 0), 0);
	learn_peer(h, 0, &(struct rte_ether_addr){{0x02, 0xaa, 0, 0, 0, 9}}, ip4("10.0.0.109"),
		   ip4("10.0.0.1"));
	assert_int_equal(arp_cache_size(h->e), 8);
	assert_int_equal(harness_ctr(h, "arp_cache_full"), 1);
	assert_true(arp_lookup(h->e, 0, ip4("10.0.0.101"), &got));
	assert_false(arp_lookup(h->e, 0, ip4("10.0.0.102"), &got));
	assert_true(arp_lookup(h->e, 0, ip4("10.0.0.109"), &got));
}

/* Churn through many neighbours in a small cache: every lookup stays
 * right while entries are evicted (open-addressing deletion). */
static void test_cache_churn(void **state)
{
	struct harness *h = *state;
	uint32_t recent[8];
	unsigned n_recent = 0;
	struct rte_ether_addr got;
	srand(4);
	for (int it = 0; it < 500; it++) {
		uint32_t host = 2 + (uint32_t)rand() % 200;
		uint32_t ip = htonl(0x0a000000u | host);
		struct rte_ether_addr pm = {{0x02, 0xbb, 0, 0, (uint8_t)(host >> 8), (uint8_t)host}};
		if (ip == ip4("10.0.0.1") || ip == ip4("10.0.0.2"))
			continue;
		learn_peer(h, 0, &pm, ip, ip4("10.0.0.1"));
		/* keep the last 8 distinct neighbours, most recent last */
		unsigned k;
		for (k = 0; k < n_recent && recent[k] != ip; k++)
			;
		if (k < n_recent) {
			memmove(&recent[k], &recent[k + 1], (n_recent - k - 1) * sizeof(recent[0]));
			n_recent--;
		} else if (n_recent == 8) {
			memmove(&recent[0], &recent[1], 7 * sizeof(recent[0]));
			n_recent--;
		}
		recent[n_recent++] = ip;
		assert_int_equal(arp_cache_size(h->e), n_recent);
		for (k = 0; k < n_recent; k++) {
			assert_true(arp_lookup(h->e, 0, recent[k], &got));
			assert_int_equal(got.addr_bytes[5], (uint8_t)ntohl(recent[k]));
		}
	}
}

/* Entries are per interface: the same address on two ports is two
 * neighbours, and a request goes out on the routed port only. */
static void test_per_interface(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	assert_int_equal(send_ip(h, ip4("10.1.0.5"), 1), 0);
	assert_int_equal(harness_tx_pending(h, 0), 0);
	assert_int_equal(harness_tx_pending(h, 1), 1);
	pop_frame(h, 1, f);
	assert_int_equal(frame_arp(f)->arp_data.arp_sip, ip4("10.1.0.1"));
	inject_reply(h, 1, 5, ip4("10.1.0.5"), ip4("10.1.0.1"));
	assert_int_equal(harness_tx_pending(h, 1), 1);
	struct rte_ether_addr got;
	assert_false(arp_lookup(h->e, 0, ip4("10.1.0.5"), &got));
	assert_true(arp_lookup(h->e, 1, ip4("10.1.0.5"), &got));
}

/* A directed or limited broadcast next hop needs no resolution. */
static void test_broadcast_next_hop(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	assert_int_equal(send_ip(h, ip4("10.0.0.255"), 1), 0);
	size_t n = pop_frame(h, 0, f);
	assert_true(n > 0);
	assert_true(rte_is_broadcast_ether_addr(&((const struct rte_ether_hdr *)f)->dst_addr));
	assert_int_equal(ntohs(((const struct rte_ether_hdr *)f)->ether_type), RTE_ETHER_TYPE_IPV4);
	assert_int_equal(arp_cache_size(h->e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gratuitous_at_start),
		cmocka_unit_test_setup_teardown(test_reply_to_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_for_other_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolution, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_then_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_full_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_churn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_interface, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broadcast_next_hop, setup, teardown),
	};
	return cmocka_run_group_tests_name("net_arp", tests, NULL, NULL);
}
