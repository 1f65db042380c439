/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 receive validation (RFC 791 3.1, RFC 1122 3.2.1) and send path
 * (header, checksums in software or offload, routing, local delivery). */
#include <stdlib.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include "net_test.h"
#include "drivers/port.h"
#include "mpdk/mpdk_error.h"
#include "net/ipv4.h"

#define PROTO_TEST 253  /* RFC 3692 experimental */
#define MAX_CAPTURED 64

static const char *const addrs[] = {"0:10.0.0.1/24", "1:10.1.0.1/24", NULL};

/* What the test protocol handler received. */
static struct rte_mbuf *captured[MAX_CAPTURED];
static uint16_t captured_iface[MAX_CAPTURED];
static unsigned n_captured;

static void capture_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	(void)e;
	assert_true(n_captured < MAX_CAPTURED);
	captured_iface[n_captured] = iface;
	captured[n_captured++] = m;
}

static void free_captured(void)
{
	for (unsigned i = 0; i < n_captured; i++)
		rte_pktmbuf_free(captured[i]);
	n_captured = 0;
}

static struct harness *make(void (*tweak)(struct mpdk_stack_conf *))
{
	struct harness *h = harness_create(2, addrs, NULL, tweak);
	h->stack->l4_input[PROTO_TEST] = capture_input;
	struct rte_ether_addr pm = peer_mac(2);
	learn_peer(h, 0, &pm, ip4("10.0.0.2"), ip4("10.0.0.1"));
	harness_clear_tx(h);
	return h;
}

static int setup(void **state)
{
	*state = make(NULL);
	return 0;
}

static int teardown(void **state)
{
	free_captured();
	harness_free(*state);
	return 0;
}

/* A frame from the peer 10.0.0.2 to us with @l4_len bytes of protocol
 * @proto; returns the unpadded length (14 + 20 + l4_len). */
static size_t build(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto, size_t l4_len)
{
	uint8_t l4[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(2), ours = port_mac(0);
	for (size_t i = 0; i < l4_len; i++)
		l4[i] = (uint8_t)(0x40 + i);
	harness_build_ipv4(f, &pm, &ours, src, dst, proto, l4, l4_len);
	return RTE_ETHER_HDR_LEN + 20 + l4_len;
}

static struct rte_ipv4_hdr *iph(uint8_t *f)
{
	return (struct rte_ipv4_hdr *)(f + RTE_ETHER_HDR_LEN);
}

/* Recompute the header checksum after editing (header length as given by
 * IHL, bounded by the buffer). */
static void fix_cksum(uint8_t *f)
{
	struct rte_ipv4_hdr *ih = iph(f);
	size_t hlen = (size_t)(ih->version_ihl & 0xf) * 4;
	if (hlen < 20)
		hlen = 20;
	ih->hdr_checksum = 0;
	ih->hdr_checksum = htons((uint16_t)~ref_sum((const uint8_t *)ih, hlen));
}

static void inject(struct harness *h, const uint8_t *f, size_t n)
{
	harness_inject(h, 0, f, n);
	harness_poll(h);
}

static void assert_nothing_out(struct harness *h)
{
	assert_int_equal(n_captured, 0);
	assert_int_equal(harness_tx_pending(h, 0), 0);
	assert_int_equal(harness_tx_pending(h, 1), 0);
}

/* RFC 791 3.1 / RFC 1122 3.2.1.8: every frame too short for an Ethernet
 * plus a minimal IPv4 header (0..33 bytes) is dropped and counted. */
static void test_truncated(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, 8);
	for (size_t len = 0; len <= 33; len++)
		harness_inject(h, 0, f, len);
	harness_poll(h);
	assert_int_equal(harness_ctr(h, "eth_rx_runt"), 14);
	assert_int_equal(harness_ctr(h, "ip_rx_truncated"), 20);
	assert_nothing_out(h);
}

/* RFC 791 3.1 Version: anything but 4 is dropped. */
static void test_bad_version(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t n = build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, 8);
	for (uint8_t v = 0; v < 16; v++) {
		if (v == 4)
			continue;
		iph(f)->version_ihl = (uint8_t)(v << 4 | 5);
		fix_cksum(f);
		inject(h, f, n);
	}
	assert_int_equal(harness_ctr(h, "ip_rx_bad_version"), 15);
	assert_nothing_out(h);
}

/* RFC 791 3.1 IHL: the minimum value for a correct header is 5. */
static void test_ihl_too_small(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t n = build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, 8);
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		iph(f)->version_ihl = (uint8_t)(0x40 | ihl);
		fix_cksum(f);
		inject(h, f, n);
	}
	assert_int_equal(harness_ctr(h, "ip_rx_bad_ihl"), 5);
	assert_nothing_out(h);
}

/* RFC 791 3.1 IHL: a header longer than the frame is truncated. */
static void test_ihl_beyond_frame(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t n = build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, 8);
	iph(f)->version_ihl = 0x48; /* 32 bytes of header in a 28-byte datagram */
	fix_cksum(f);
	inject(h, f, n);
	iph(f)->version_ihl = 0x4f;
	fix_cksum(f);
	inject(h, f, n);
	assert_int_equal(harness_ctr(h, "ip_rx_truncated"), 2);
	assert_nothing_out(h);
}

/* RFC 791 3.1 Total Length: below the header length or beyond the frame
 * is invalid (RFC 1122 3.2.1.8 does not let us guess). */
static void test_bad_total_length(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t n = build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, 8);
	uint16_t bad[] = {0, 19, (uint16_t)(n - RTE_ETHER_HDR_LEN + 1), 1500, 65535};
	for (unsigned i = 0; i < RTE_DIM(bad); i++) {
		iph(f)->total_length = htons(bad[i]);
		fix_cksum(f);
		inject(h, f, n);
	}
	assert_int_equal(harness_ctr(h, "ip_rx_bad_len"), RTE_DIM(bad));
	assert_nothing_out(h);
}

/* RFC 791 3.1 Header Checksum: a mismatch is dropped; the port's verdict
 * replaces the software check when it has one. */
static void test_bad_checksum(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t n = build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, 8);
	iph(f)->hdr_checksum ^= htons(0x0100);
	inject(h, f, n);
	assert_int_equal(harness_ctr(h, "ip_rx_bad_cksum"), 1);
	assert_nothing_out(h);

	/* port says GOOD: not checked again */
	struct rte_mempool *mp = mpdk_stack_pool(h->stack);
	struct rte_mbuf *m = chain_from(mp, f, n, NULL, 0);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	engine_input(h->e, 0, m);
	assert_int_equal(n_captured, 1);
	free_captured();

	/* port says BAD: dropped even though the field is right */
	iph(f)->hdr_checksum ^= htons(0x0100);
	m = chain_from(mp, f, n, NULL, 0);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	engine_input(h->e, 0, m);
	assert_int_equal(harness_ctr(h, "ip_rx_bad_cksum"), 2);
	assert_int_equal(n_captured, 0);
}

/* RFC 791 3.2 Fragmentation: without reassembly, any fragment (MF set or
 * a non-zero offset) is dropped and counted; DF alone is fine. */
static void test_fragments(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t n = build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, 8);
	uint16_t fo[] = {RTE_IPV4_HDR_MF_FLAG, 1, 185, RTE_IPV4_HDR_MF_FLAG | 10,
			 RTE_IPV4_HDR_DF_FLAG | 3};
	for (unsigned i = 0; i < RTE_DIM(fo); i++) {
		iph(f)->fragment_offset = htons(fo[i]);
		fix_cksum(f);
		inject(h, f, n);
	}
	assert_int_equal(harness_ctr(h, "ip_rx_fragments"), RTE_DIM(fo));
	assert_nothing_out(h);
	iph(f)->fragment_offset = htons(RTE_IPV4_HDR_DF_FLAG);
	fix_cksum(f);
	inject(h, f, n);
	assert_int_equal(n_captured, 1);
}

/* RFC 1122 3.2.1.3: a host discards datagrams not addressed to one of its
 * addresses; broadcast and multicast are dropped (no UDP yet) and counted
 * apart. */
static void test_not_for_us(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t n = build(f, ip4("10.0.0.2"), ip4("10.0.0.3"), PROTO_TEST, 8);
	inject(h, f, n);
	n = build(f, ip4("10.0.0.2"), ip4("8.8.8.8"), PROTO_TEST, 8);
	inject(h, f, n);
	assert_int_equal(harness_ctr(h, "ip_rx_not_for_us"), 2);
	const char *bc[] = {"10.0.0.255", "255.255.255.255", "224.0.0.1", "10.1.0.255"};
	for (unsigned i = 0; i < RTE_DIM(bc); i++) {
		n = build(f, ip4("10.0.0.2"), ip4(bc[i]), PROTO_TEST, 8);
		inject(h, f, n);
	}
	assert_int_equal(harness_ctr(h, "ip_rx_broadcast"), RTE_DIM(bc));
	assert_nothing_out(h);
	/* weak host model: the other interface's address is ours too */
	n = build(f, ip4("10.0.0.2"), ip4("10.1.0.1"), PROTO_TEST, 8);
	inject(h, f, n);
	assert_int_equal(n_captured, 1);
}

/* RFC 1122 3.2.1.3: sources 0, broadcast, multicast and loopback are
 * invalid and silently discarded. */
static void test_bad_source(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	const char *src[] = {"0.0.0.0", "255.255.255.255", "224.0.0.5", "127.0.0.1", "10.0.0.255"};
	for (unsigned i = 0; i < RTE_DIM(src); i++) {
		size_t n = build(f, ip4(src[i]), ip4("10.0.0.1"), PROTO_TEST, 8);
		inject(h, f, n);
	}
	assert_int_equal(harness_ctr(h, "ip_rx_bad_src"), RTE_DIM(src));
	assert_nothing_out(h);
}

/* RFC 1122 3.2.2.1: an unknown protocol is counted and answered with a
 * protocol unreachable quoting the datagram's header. */
static void test_unknown_protocol(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX], out[FRAME_MAX];
	size_t n = build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), 99, 12);
	inject(h, f, n);
	assert_int_equal(harness_ctr(h, "ip_rx_unknown_proto"), 1);
	assert_int_equal(harness_ctr(h, "icmp_unreach_sent"), 1);
	size_t on = pop_frame(h, 0, out);
	assert_true(on > 0);
	const struct rte_ipv4_hdr *oh = frame_ipv4(out);
	assert_int_equal(oh->next_proto_id, IPPROTO_ICMP);
	assert_int_equal(oh->src_addr, ip4("10.0.0.1"));
	assert_int_equal(oh->dst_addr, ip4("10.0.0.2"));
	const uint8_t *ic = (const uint8_t *)(oh + 1);
	size_t ic_len = ntohs(oh->total_length) - 20;
	assert_int_equal(ic[0], 3);
	assert_int_equal(ic[1], 2);
	assert_int_equal(ref_sum(ic, ic_len), 0xffff);
	assert_int_equal(ic_len, 8 + 20 + 12);
	assert_memory_equal(ic + 8, f + RTE_ETHER_HDR_LEN, 20 + 12);
}

/* RFC 791 3.1 Total Length / RFC 894: Ethernet padding after the datagram
 * is removed before delivery, also when it spans mbuf segments. */
static void test_padding_trimmed(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t n = build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, 5);
	memset(f + n, 0xee, 200);
	inject(h, f, 60);
	inject(h, f, n + 200);
	assert_int_equal(n_captured, 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(captured[i]->pkt_len, 25);
		assert_int_equal(captured[i]->data_len, 25);
	}
	free_captured();

	uint16_t cuts[] = {36, 5, 7}; /* header in the first segment, end in the second */
	struct rte_mbuf *m = chain_from(mpdk_stack_pool(h->stack), f, n + 100, cuts, 3);
	assert_int_equal(m->nb_segs, 4);
	engine_input(h->e, 0, m);
	assert_int_equal(n_captured, 1);
	m = captured[0];
	assert_int_equal(m->pkt_len, 25);
	uint32_t sum = 0;
	unsigned segs = 0;
	for (struct rte_mbuf *s = m; s != NULL; s = s->next, segs++)
		sum += s->data_len;
	assert_int_equal(sum, 25);
	assert_int_equal(segs, m->nb_segs);
	assert_int_equal(segs, 2);
}

/* What the protocol handler sees: data at the IP header, l3_len including
 * options, the receiving interface. RFC 1122 3.2.1.7: TTL 0 or 1 is not a
 * reason for a host to drop. */
static void test_delivery(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	uint8_t l4[28];
	struct rte_ether_addr pm = peer_mac(2), ours = port_mac(0);
	memset(l4, 0x55, sizeof(l4));
	harness_build_ipv4(f, &pm, &ours, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, l4,
			   sizeof(l4));
	/* turn the first 4 bytes of payload into NOP options */
	iph(f)->version_ihl = 0x46;
	memset(f + RTE_ETHER_HDR_LEN + 20, 1, 4);
	iph(f)->time_to_live = 0;
	fix_cksum(f);
	inject(h, f, RTE_ETHER_HDR_LEN + 20 + sizeof(l4));
	assert_int_equal(n_captured, 1);
	struct rte_mbuf *m = captured[0];
	assert_int_equal(m->l3_len, 24);
	assert_int_equal(m->pkt_len, 48);
	assert_int_equal(captured_iface[0], 0);
	assert_int_equal(rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)->src_addr, ip4("10.0.0.2"));
}

/* Garbage after a valid Ethernet header never crashes (run under ASan). */
static void test_random_garbage(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	size_t base = build(f, ip4("10.0.0.2"), ip4("10.0.0.1"), PROTO_TEST, 40);
	srand(5);
	for (int it = 0; it < 3000; it++) {
		uint8_t g[FRAME_MAX];
		memcpy(g, f, base);
		/* flip a few header bytes, sometimes keeping the checksum right */
		int flips = 1 + rand() % 4;
		for (int k = 0; k < flips; k++)
			g[RTE_ETHER_HDR_LEN + rand() % 24] = (uint8_t)rand();
		if (rand() % 2)
			fix_cksum(g);
		harness_inject(h, 0, g, (size_t)rand() % (base + 1));
		if (it % 64 == 0) {
			harness_poll(h);
			free_captured();
			harness_clear_tx(h);
		}
	}
	harness_poll(h);
	free_captured();
	harness_clear_tx(h);
}

/* RFC 791 / RFC 1122 3.2.1: the header we send: version, IHL, DF, TTL,
 * protocol, addresses, total length, valid checksum, fresh IDs. */
static void test_output_header(void **state)
{
	struct harness *h = *state;
	struct rte_mempool *mp = mpdk_stack_pool(h->stack);
	uint8_t f[FRAME_MAX];
	uint16_t ids[2];

	for (int i = 0; i < 2; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		memset(rte_pktmbuf_append(m, 11), 0x77, 11);
		assert_int_equal(ipv4_output(h->e, m, 0, ip4("10.0.0.2"), PROTO_TEST, i ? 5 : 0), 0);
		harness_poll(h);
		size_t n = pop_frame(h, 0, f);
		assert_int_equal(n, RTE_ETHER_HDR_LEN + 20 + 11);
		const struct rte_ipv4_hdr *ih = frame_ipv4(f);
		assert_int_equal(ih->version_ihl, 0x45);
		assert_int_equal(ntohs(ih->total_length), 31);
		assert_int_equal(ntohs(ih->fragment_offset), RTE_IPV4_HDR_DF_FLAG);
		assert_int_equal(ih->time_to_live, i ? 5 : IPV4_DEFAULT_TTL);
		assert_int_equal(ih->next_proto_id, PROTO_TEST);
		assert_int_equal(ih->src_addr, ip4("10.0.0.1"));
		assert_int_equal(ih->dst_addr, ip4("10.0.0.2"));
		assert_int_equal(ref_sum((const uint8_t *)ih, 20), 0xffff);
		ids[i] = ih->packet_id;
	}
	assert_int_not_equal(ids[0], ids[1]);
	assert_int_equal(harness_ctr(h, "ip_tx_packets"), 2);
}

/* No route: -MPDK_ENOROUTE, counted. Above the MTU without TSO:
 * -EMSGSIZE (we never fragment: DF). */
static void test_output_errors(void **state)
{
	struct harness *h = *state;
	struct rte_mempool *mp = mpdk_stack_pool(h->stack);
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	rte_pktmbuf_append(m, 8);
	assert_int_equal(ipv4_output(h->e, m, 0, ip4("192.168.7.7"), PROTO_TEST, 0),
			 -MPDK_ENOROUTE);
	assert_int_equal(harness_ctr(h, "ip_tx_no_route"), 1);

	m = rte_pktmbuf_alloc(mp);
	rte_pktmbuf_append(m, 1481);
	assert_int_equal(ipv4_output(h->e, m, 0, ip4("10.0.0.2"), PROTO_TEST, 0), -EMSGSIZE);
	assert_int_equal(harness_ctr(h, "ip_tx_too_big"), 1);
	m = rte_pktmbuf_alloc(mp);
	memset(rte_pktmbuf_append(m, 1480), 0, 1480);
	assert_int_equal(ipv4_output(h->e, m, 0, ip4("10.0.0.2"), PROTO_TEST, 0), 0);
	harness_poll(h);
	assert_int_equal(harness_tx_pending(h, 0), 1);
	/* the source address picks nothing but the source: the route is
	 * still found */
	m = rte_pktmbuf_alloc(mp);
	rte_pktmbuf_append(m, 8);
	assert_int_equal(ipv4_output(h->e, m, ip4("10.1.0.1"), ip4("10.0.0.2"), PROTO_TEST, 0), 0);
}

static struct rte_mbuf *l4_segment(struct harness *h, uint8_t proto, size_t payload,
				   const uint16_t *cuts, unsigned n_cuts)
{
	uint8_t buf[FRAME_MAX];
	size_t hl = proto == IPPROTO_TCP ? 20 : 8;
	for (size_t i = 0; i < hl + payload; i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)buf;
		u->dgram_len = htons((uint16_t)(hl + payload));
	} else {
		buf[12] = 5 << 4;
	}
	struct rte_mbuf *m = chain_from(mpdk_stack_pool(h->stack), buf, hl + payload, cuts, n_cuts);
	m->ol_flags |= proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM;
	m->l4_len = (uint8_t)hl;
	return m;
}

/* RFC 793 3.1 / RFC 768: without offload the stack finishes the TCP and
 * UDP checksums in software (multi-segment, odd boundaries) and clears the
 * request flags. */
static void test_output_l4_software(void **state)
{
	struct harness *h = *state;
	uint8_t f[FRAME_MAX];
	uint16_t cuts[] = {25, 3, 100};
	uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP};

	for (unsigned i = 0; i < 2; i++) {
		struct rte_mbuf *m = l4_segment(h, protos[i], 301, cuts, 3);
		assert_int_equal(ipv4_output(h->e, m, 0, ip4("10.0.0.2"), protos[i], 0), 0);
		harness_poll(h);
		struct rte_mbuf *out = harness_pop_tx(h, 0);
		assert_non_null(out);
		assert_int_equal(out->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_IP_CKSUM), 0);
		size_t n = out->pkt_len;
		const void *p = rte_pktmbuf_read(out, 0, (uint32_t)n, f);
		if (p != f)
			memcpy(f, p, n);
		rte_pktmbuf_free(out);
		const struct rte_ipv4_hdr *ih = frame_ipv4(f);
		size_t l4_len = ntohs(ih->total_length) - 20;
		uint8_t ps[12];
		memcpy(ps, &ih->src_addr, 4);
		memcpy(ps + 4, &ih->dst_addr, 4);
		ps[8] = 0;
		ps[9] = protos[i];
		ps[10] = (uint8_t)(l4_len >> 8);
		ps[11] = (uint8_t)l4_len;
		uint32_t s = ref_sum(ps, 12) + ref_sum((const uint8_t *)(ih + 1), l4_len);
		s = (s & 0xffff) + (s >> 16);
		assert_int_equal(s, 0xffff);
	}
}

static void tweak_offload(struct mpdk_stack_conf *c)
{
	c->ports[0]->caps = PORT_TX_IPV4_CKSUM | PORT_TX_TCP_CKSUM | PORT_TX_UDP_CKSUM;
}

/* Offload (the CHECKSUM_PARTIAL convention of DPDK): IPv4 checksum left 0
 * with TX_IPV4|TX_IP_CKSUM, the pseudo-header sum in the L4 field, header
 * lengths set for the PMD. */
static void test_output_offload(void **state)
{
	(void)state;
	struct harness *h = make(tweak_offload);
	uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP};
	for (unsigned i = 0; i < 2; i++) {
		struct rte_mbuf *m = l4_segment(h, protos[i], 50, NULL, 0);
		assert_int_equal(ipv4_output(h->e, m, 0, ip4("10.0.0.2"), protos[i], 0), 0);
		harness_poll(h);
		struct rte_mbuf *out = harness_pop_tx(h, 0);
		assert_non_null(out);
		uint64_t want = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			(protos[i] == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM);
		assert_int_equal(out->ol_flags & (want | RTE_MBUF_F_TX_L4_MASK), want);
		assert_int_equal(out->l2_len, RTE_ETHER_HDR_LEN);
		assert_int_equal(out->l3_len, 20);
		const struct rte_ipv4_hdr *ih =
			rte_pktmbuf_mtod_offset(out, const struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
		assert_int_equal(ih->hdr_checksum, 0);
		const uint16_t *field = (const uint16_t *)((const uint8_t *)(ih + 1) +
							   (protos[i] == IPPROTO_TCP ? 16 : 6));
		assert_int_equal(*field, rte_ipv4_phdr_cksum(ih, 0));
		rte_pktmbuf_free(out);
	}
	free_captured();
	harness_free(h);
}

/* A datagram to one of our own addresses never reaches the wire and is
 * received in the next engine iteration, not inside ipv4_output(). */
static void test_local_delivery(void **state)
{
	struct harness *h = *state;
	struct rte_mbuf *m = l4_segment(h, IPPROTO_TCP, 30, NULL, 0);
	h->stack->l4_input[IPPROTO_TCP] = capture_input;
	assert_int_equal(ipv4_output(h->e, m, 0, ip4("10.1.0.1"), IPPROTO_TCP, 0), 0);
	assert_int_equal(n_captured, 0);
	harness_poll(h);
	assert_int_equal(n_captured, 1);
	assert_int_equal(captured_iface[0], 1);
	assert_int_equal(harness_tx_pending(h, 0), 0);
	assert_int_equal(harness_tx_pending(h, 1), 0);
	assert_int_equal(harness_ctr(h, "ip_local_delivered"), 1);
	/* checksums were finished in software, and verify */
	uint8_t f[FRAME_MAX];
	m = captured[0];
	const void *p = rte_pktmbuf_read(m, 0, m->pkt_len, f);
	if (p != f)
		memcpy(f, p, m->pkt_len);
	const struct rte_ipv4_hdr *ih = (const struct rte_ipv4_hdr *)f;
	assert_int_equal(ih->src_addr, ip4("10.1.0.1"));
	assert_int_equal(ih->dst_addr, ip4("10.1.0.1"));
	assert_int_equal(ref_sum(f, 20), 0xffff);
	uint8_t ps[12];
	memcpy(ps, &ih->src_addr, 8);
	ps[8] = 0;
	ps[9] = IPPROTO_TCP;
	ps[10] = 0;
	ps[11] = 50;
	uint32_t sum = ref_sum(ps, 12) + ref_sum(f + 20, 50);
	assert_int_equal((sum & 0xffff) + (sum >> 16), 0xffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ihl_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ihl_beyond_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_total_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_for_us, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_padding_trimmed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_l4_software, setup, teardown),
		cmocka_unit_test(test_output_offload),
		cmocka_unit_test_setup_teardown(test_local_delivery, setup, teardown),
	};
	return cmocka_run_group_tests_name("net_ipv4", tests, NULL, NULL);
}
