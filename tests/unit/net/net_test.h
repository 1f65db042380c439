/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TEST_NET_TEST_H
#define MPDK_TEST_NET_TEST_H

/* Helpers shared by the network-layer unit tests. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include "harness.h"

#define FRAME_MAX 1600

static inline uint32_t ip4(const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static inline struct rte_ether_addr port_mac(uint16_t port)
{
	struct rte_ether_addr m = {{0x02, 0, 0, 0, 0, (uint8_t)(port + 1)}};
	return m;
}

static inline struct rte_ether_addr peer_mac(uint8_t n)
{
	struct rte_ether_addr m = {{0x02, 0xaa, 0, 0, 0, n}};
	return m;
}

static const struct rte_ether_addr bcast_mac = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
static const struct rte_ether_addr zero_mac;

/* RFC 1071 the obvious way, on big-endian 16-bit words: the folded,
 * uninverted sum in host order. */
static inline uint16_t ref_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Pop the oldest frame sent on @port into @buf (FRAME_MAX bytes); returns
 * its length, 0 when none. Frees the mbuf. */
static inline size_t pop_frame(struct harness *h, uint16_t port, uint8_t *buf)
{
	struct rte_mbuf *m = harness_pop_tx(h, port);
	if (m == NULL)
		return 0;
	size_t len = m->pkt_len;
	assert_true(len <= FRAME_MAX);
	const void *p = rte_pktmbuf_read(m, 0, (uint32_t)len, buf);
	if (p != buf)
		memcpy(buf, p, len);
	rte_pktmbuf_free(m);
	return len;
}

static inline const struct rte_arp_hdr *frame_arp(const uint8_t *f)
{
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)f;
	assert_int_equal(ntohs(eh->ether_type), RTE_ETHER_TYPE_ARP);
	return (const struct rte_arp_hdr *)(eh + 1);
}

static inline const struct rte_ipv4_hdr *frame_ipv4(const uint8_t *f)
{
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)f;
	assert_int_equal(ntohs(eh->ether_type), RTE_ETHER_TYPE_IPV4);
	return (const struct rte_ipv4_hdr *)(eh + 1);
}

/* Teach the stack @mac for @ip by an ARP request for @our_ip, then drop
 * the reply it sends. */
static inline void learn_peer(struct harness *h, uint16_t port, const struct rte_ether_addr *mac,
			      uint32_t ip, uint32_t our_ip)
{
	uint8_t f[FRAME_MAX];
	size_t n = harness_build_arp(f, RTE_ARP_OP_REQUEST, mac, ip, &zero_mac, our_ip, &bcast_mac);
	harness_inject(h, port, f, n);
	harness_poll(h);
	harness_clear_tx(h);
}

/* An mbuf chain holding @len bytes of @data, cut at the given segment
 * sizes (then as much per segment as fits). */
static inline struct rte_mbuf *chain_from(struct rte_mempool *mp, const uint8_t *data, size_t len,
					  const uint16_t *cuts, unsigned n_cuts)
{
	struct rte_mbuf *head = NULL, *last = NULL;
	size_t off = 0;
	for (unsigned i = 0; off < len || head == NULL; i++) {
		struct rte_mbuf *seg = rte_pktmbuf_alloc(mp);
		assert_non_null(seg);
		size_t n = i < n_cuts ? cuts[i] : len - off;
		if (n > len - off)
			n = len - off;
		if (n > rte_pktmbuf_tailroom(seg))
			n = rte_pktmbuf_tailroom(seg);
		char *p = rte_pktmbuf_append(seg, (uint16_t)n);
		assert_non_null(p);
		memcpy(p, data + off, n);
		off += n;
		if (head == NULL) {
			head = seg;
		} else {
			last->next = seg;
			head->nb_segs++;
			head->pkt_len += (uint32_t)n;
		}
		last = seg;
	}
	return head;
}

#endif
