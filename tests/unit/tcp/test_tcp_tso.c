/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TSO segment building (docs/architecture.md "Offloads"; issue 6 item 4)
 * against a scripted peer, with a fake port capability: the harness port
 * is given PORT_TX_TSO (and the IPv4/TCP checksum offloads TSO needs) and
 * the frames the stack hands to it are inspected as a NIC would see them:
 *  - new data beyond one segment leaves as one super-segment of a whole
 *    number of MSS-sized payloads, at most min(cwnd, rwnd, tso_max):
 *    ol_flags TCP_SEG | IPV4 | IP_CKSUM | TCP_CKSUM, tso_segsz = the
 *    segment payload (MSS minus the timestamps option, RFC 7323 §3 / RFC
 *    9293 §3.7.1), l2/l3/l4 lengths, and the TCP checksum field holding the
 *    pseudo-header sum without the length (DPDK's TSO rule,
 *    rte_ipv4_phdr_cksum with RTE_MBUF_F_TX_TCP_SEG);
 *  - the short tail follows as an ordinary segment under Nagle (RFC 9293
 *    §3.7.4), the FIN never rides on a super-segment;
 *  - an RTO retransmits one MSS-sized segment, not the super-segment
 *    (RFC 6298 §5.4: "the earliest segment");
 *  - tso_frame_max (net_tap counts the Ethernet header) shrinks the
 *    per-segment payload so every frame the port cuts fits;
 *  - without the capability the same data goes out in MSS-sized frames.
 */
#include "test_tcp_util.h"
#include <errno.h>
#include "drivers/port.h"

#define SEGSZ 1448u   /* peer MSS 1460 - 12 bytes of timestamps */

struct frame {
	uint64_t ol_flags;
	uint16_t tso_segsz, l2_len, l3_len, l4_len;
	uint32_t pkt_len, ip_len;
	uint16_t cksum_field, phdr;
	uint32_t seq, len;
	uint8_t flags;
	uint8_t data[70000];
};

static struct frame fr;
static uint8_t payload[65536];

static void give_tso(struct tt *t, uint32_t tso_max, uint32_t frame_max)
{
	struct net_iface *ifp = &t->h->stack->ifaces[0];
	ifp->caps |= PORT_TX_TSO | PORT_TX_TCP_CKSUM | PORT_TX_IPV4_CKSUM;
	ifp->port->caps = ifp->caps;
	ifp->port->tso_max = tso_max;
	ifp->port->tso_frame_max = frame_max;
}

/* Next TCP frame the stack handed to the port, as the port sees it. */
static bool pop_frame(struct tt *t, struct frame *f)
{
	struct rte_mbuf *m;
	harness_poll(t->h);
	while ((m = harness_pop_tx(t->h, 0)) != NULL) {
		static uint8_t buf[70000];
		uint32_t len = m->pkt_len;
		assert_true(len <= sizeof(buf));
		const uint8_t *p = rte_pktmbuf_read(m, 0, len, buf);
		if (p != buf)
			memcpy(buf, p, len);
		f->ol_flags = m->ol_flags;
		f->tso_segsz = m->tso_segsz;
		f->l2_len = m->l2_len;
		f->l3_len = m->l3_len;
		f->l4_len = m->l4_len;
		f->pkt_len = len;
		rte_pktmbuf_free(m);
		const struct rte_ether_hdr *eh = (const void *)buf;
		if (eh->ether_type != htons(RTE_ETHER_TYPE_IPV4))
			continue;
		const struct rte_ipv4_hdr *ih = (const void *)(eh + 1);
		if (ih->next_proto_id != IPPROTO_TCP)
			continue;
		f->ip_len = ntohs(ih->total_length);
		const struct rte_tcp_hdr *th = (const void *)(ih + 1);
		uint32_t hl = (th->data_off >> 4) * 4u;
		f->cksum_field = th->cksum;
		f->phdr = rte_ipv4_phdr_cksum(ih, f->ol_flags);
		f->seq = ntohl(th->sent_seq);
		f->flags = th->tcp_flags;
		f->len = f->ip_len - 20 - hl;
		memcpy(f->data, (const uint8_t *)th + hl, f->len);
		return true;
	}
	return false;
}

static struct tt *setup(void)
{
	tt_conf_reset();
	struct tt *t = tt_new();
	t->peer_ts = true;
	t->peer_sack = true;
	tt_active_open(t);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + (i >> 8));
	return t;
}

static void check_super(const struct frame *f, uint32_t seq, uint32_t nseg, uint32_t segsz,
			const uint8_t *data)
{
	const uint64_t want = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			      RTE_MBUF_F_TX_TCP_CKSUM;
	assert_int_equal(f->ol_flags & want, want);
	assert_int_equal(f->tso_segsz, segsz);
	assert_int_equal(f->l2_len, RTE_ETHER_HDR_LEN);
	assert_int_equal(f->l3_len, 20);
	assert_int_equal(f->l4_len, 32);   /* 20 + timestamps (12) */
	assert_int_equal(f->len, nseg * segsz);
	assert_int_equal(f->ip_len, 20 + 32 + nseg * segsz);
	assert_int_equal(f->pkt_len, 14 + f->ip_len);
	assert_int_equal(f->seq, seq);
	assert_false(f->flags & (F_FIN | F_SYN | F_RST));
	/* pseudo-header sum without the length (RTE_MBUF_F_TX_TCP_SEG) */
	assert_int_equal(f->cksum_field, f->phdr);
	assert_memory_equal(f->data, data, f->len);
}

/* 20000 bytes: every flight allowed by cwnd (read back from the
 * connection) leaves as one super-segment of floor(cwnd / segment)
 * segments; the tail shorter than a segment follows as an ordinary
 * segment once Nagle lets it (RFC 9293 §3.7.4). */
static void test_tso_super_segments(void **state)
{
	(void)state;
	struct tt *t = setup();
	give_tso(t, 65455, 1514);
	uint32_t iss1 = t->our_iss + 1, off = 0, supers = 0, segs = 0;
	assert_int_equal(mpdk_send(t->c, payload, 20000), 20000);
	while (off < 20000) {
		uint32_t cwnd = tt_info(t).cwnd;
		uint32_t room = 20000 - off < cwnd ? 20000 - off : cwnd;
		assert_true(pop_frame(t, &fr));
		if (room >= 2 * SEGSZ) {
			check_super(&fr, iss1 + off, room / SEGSZ, SEGSZ, payload + off);
			supers++;
			segs += room / SEGSZ;
		} else {
			assert_false(fr.ol_flags & RTE_MBUF_F_TX_TCP_SEG);
			assert_int_equal(fr.seq, iss1 + off);
			assert_true(fr.len <= SEGSZ);
			assert_memory_equal(fr.data, payload + off, fr.len);
		}
		off += fr.len;
		/* the flight fills cwnd (less than a segment left) */
		assert_false(pop_frame(t, &fr));
		tt_ack(t, iss1 + off, 65535);
	}
	assert_int_equal(off, 20000);
	assert_true(supers >= 2);
	assert_int_equal(tt_ctr(t, "tcp_tso_sends"), supers);
	assert_int_equal(tt_ctr(t, "tcp_tso_segs"), segs);
	tt_free(t);
}

/* The FIN goes alone after a super-segment that ends the stream. */
static void test_tso_fin_separate(void **state)
{
	(void)state;
	struct tt *t = setup();
	give_tso(t, 65455, 1514);
	uint32_t iss1 = t->our_iss + 1;
	assert_int_equal(mpdk_send(t->c, payload, 2 * SEGSZ), (ssize_t)(2 * SEGSZ));
	assert_int_equal(mpdk_shutdown(t->c, MPDK_SHUT_WR), 0);
	assert_true(pop_frame(t, &fr));
	check_super(&fr, iss1, 2, SEGSZ, payload);
	assert_true(pop_frame(t, &fr));
	assert_int_equal(fr.flags & F_FIN, F_FIN);
	assert_int_equal(fr.len, 0);
	assert_int_equal(fr.seq, iss1 + 2 * SEGSZ);
	tt_free(t);
}

/* RTO: the earliest MSS-sized part is retransmitted, not the whole
 * super-segment (sequence accounting stays per byte). */
static void test_tso_rto_retransmits_one_segment(void **state)
{
	(void)state;
	struct tt *t = setup();
	give_tso(t, 65455, 1514);
	uint32_t iss1 = t->our_iss + 1;
	assert_int_equal(mpdk_send(t->c, payload, 3 * SEGSZ), (ssize_t)(3 * SEGSZ));
	assert_true(pop_frame(t, &fr));
	check_super(&fr, iss1, 3, SEGSZ, payload);
	/* the peer got the first two segments only */
	tt_ack(t, iss1 + 2 * SEGSZ, 65535);
	assert_false(pop_frame(t, &fr));   /* cwnd + 1 segment: nothing new */
	harness_advance(t->h, 1100 * T_MS);
	assert_true(pop_frame(t, &fr));
	assert_false(fr.ol_flags & RTE_MBUF_F_TX_TCP_SEG);
	assert_int_equal(fr.seq, iss1 + 2 * SEGSZ);
	assert_int_equal(fr.len, SEGSZ);
	assert_memory_equal(fr.data, payload + 2 * SEGSZ, SEGSZ);
	assert_true(tt_ctr(t, "tcp_retransmits") >= 1);
	/* after the ACK of it, go-back-N (RFC 6298 §5) resends the rest of
	 * the lost flight as ordinary segments too */
	tt_ack(t, iss1 + 3 * SEGSZ - SEGSZ, 65535);
	while (pop_frame(t, &fr)) {
		assert_false(fr.ol_flags & RTE_MBUF_F_TX_TCP_SEG);
		assert_true(fr.len <= SEGSZ);
	}
	tt_free(t);
}

/* A port that counts the Ethernet header against the MTU (net_tap):
 * segments of 1500 - 14 - 20 - 32 = 1434 bytes; tso_max caps the size. */
static void test_tso_frame_max_and_limit(void **state)
{
	(void)state;
	struct tt *t = setup();
	give_tso(t, 2 * 1434 + 100, 1500);
	uint32_t iss1 = t->our_iss + 1;
	assert_true(tt_info(t).cwnd >= 3 * SEGSZ);
	assert_int_equal(mpdk_send(t->c, payload, 10 * SEGSZ), (ssize_t)(10 * SEGSZ));
	assert_true(pop_frame(t, &fr));
	check_super(&fr, iss1, 2, 1434, payload);
	tt_free(t);
}

/* No PORT_TX_TSO: MSS-sized frames with a complete checksum. */
static void test_no_tso_without_capability(void **state)
{
	(void)state;
	struct tt *t = setup();
	uint32_t iss1 = t->our_iss + 1;
	assert_int_equal(mpdk_send(t->c, payload, 3 * SEGSZ), (ssize_t)(3 * SEGSZ));
	for (uint32_t i = 0; i < 3; i++) {
		struct tout s = tt_expect(t, F_ACK);
		assert_int_equal(s.seq, iss1 + i * SEGSZ);
		assert_int_equal(s.len, SEGSZ);
	}
	assert_int_equal(tt_ctr(t, "tcp_tso_sends"), 0);
	tt_free(t);
}

int main(void)
{
	harness_eal_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tso_super_segments),
		cmocka_unit_test(test_tso_fin_separate),
		cmocka_unit_test(test_tso_rto_retransmits_one_segment),
		cmocka_unit_test(test_tso_frame_max_and_limit),
		cmocka_unit_test(test_no_tso_without_capability),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
