/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet II receive filtering and framing (RFC 894). */
#include "net_test.h"
#include "net/eth.h"

static const char *const addrs[] = {"0:10.0.0.1/24", NULL};

static int setup(void **state)
{
	struct harness *h = harness_create(1, addrs, NULL, NULL);
	harness_clear_tx(h);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	harness_free(*state);
	return 0;
}

static size_t arp_req(uint8_t *f, const struct rte_ether_addr *eth_dst)
{
	struct rte_ether_addr p = peer_mac(1);
	return harness_build_arp(f, RTE_ARP_OP_REQUEST, &p, ip4("10.0.0.2"), &zero_mac,
				 ip4("10.0.0.1"), eth_dst);
}

/* Frames shorter than the 14-byte header are runts. */
static void test_runt(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	arp_req(f, &bcast_mac);
	for (size_t len = 0; len < RTE_ETHER_HDR_LEN; len++)
		harness_inject(h, 0, f, len);
	harness_poll(h);
	assert_int_equal(harness_ctr(h, "eth_rx_runt"), RTE_ETHER_HDR_LEN);
	assert_int_equal(harness_tx_pending(h, 0), 0);
}

/* RFC 894: accept our unicast address and broadcast; drop other unicast
 * and multicast (no groups joined). */
static void test_dst_filter(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	struct rte_ether_addr other = peer_mac(9);
	struct rte_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
	struct rte_ether_addr ours = port_mac(0);

	harness_inject(h, 0, f, arp_req(f, &other));
	harness_inject(h, 0, f, arp_req(f, &mcast));
	harness_poll(h);
	assert_int_equal(harness_ctr(h, "eth_rx_not_for_us"), 1);
	assert_int_equal(harness_ctr(h, "eth_rx_multicast"), 1);
	assert_int_equal(harness_tx_pending(h, 0), 0);

	harness_inject(h, 0, f, arp_req(f, &bcast_mac));
	harness_inject(h, 0, f, arp_req(f, &ours));
	harness_poll(h);
	assert_int_equal(harness_ctr(h, "arp_requests_rx"), 2);
	assert_int_equal(harness_tx_pending(h, 0), 2);
}

/* VLAN tags and other ethertypes (IPv6 here) are dropped and counted. */
static void test_ethertypes(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t n = arp_req(f, &bcast_mac);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)f;

	eh->ether_type = htons(RTE_ETHER_TYPE_VLAN);
	harness_inject(h, 0, f, n);
	eh->ether_type = htons(RTE_ETHER_TYPE_QINQ);
	harness_inject(h, 0, f, n);
	eh->ether_type = htons(RTE_ETHER_TYPE_IPV6);
	harness_inject(h, 0, f, n);
	eh->ether_type = htons(0x0600); /* an 802.3 length field */
	harness_inject(h, 0, f, n);
	harness_poll(h);
	assert_int_equal(harness_ctr(h, "eth_rx_vlan"), 2);
	assert_int_equal(harness_ctr(h, "eth_rx_unknown_ethertype"), 2);
	assert_int_equal(harness_tx_pending(h, 0), 0);
}

/* eth_output fills both addresses and the type; no headroom: -ENOBUFS. */
static void test_output(void **state)
{
	struct harness *h = *state;
	struct rte_mempool *mp = mpdk_stack_pool(h->stack);
	struct rte_ether_addr dst = peer_mac(3);
	uint8_t f[FRAME_MAX];

	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	memcpy(rte_pktmbuf_append(m, 4), "abcd", 4);
	assert_int_equal(eth_output(h->e, 0, m, &dst, 0x1234), 0);
	harness_poll(h);
	size_t n = pop_frame(h, 0, f);
	assert_int_equal(n, RTE_ETHER_HDR_LEN + 4);
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)f;
	struct rte_ether_addr ours = port_mac(0);
	assert_true(rte_is_same_ether_addr(&eh->dst_addr, &dst));
	assert_true(rte_is_same_ether_addr(&eh->src_addr, &ours));
	assert_int_equal(ntohs(eh->ether_type), 0x1234);
	assert_memory_equal(f + RTE_ETHER_HDR_LEN, "abcd", 4);

	m = rte_pktmbuf_alloc(mp);
	rte_pktmbuf_prepend(m, rte_pktmbuf_headroom(m));
	assert_int_equal(eth_output(h->e, 0, m, &dst, 0x1234), -ENOBUFS);
	assert_int_equal(harness_ctr(h, "eth_tx_no_headroom"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_runt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dst_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ethertypes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output, setup, teardown),
	};
	return cmocka_run_group_tests_name("net_eth", tests, NULL, NULL);
}
