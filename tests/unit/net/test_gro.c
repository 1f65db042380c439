/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software GRO of one rx burst (src/net/gro.h): which TCP/IPv4 segments
 * are coalesced and which are not, by the rule of Linux's tcp_gro_receive
 * (issue 6 item 4). The merged packet must be exactly the segments'
 * payloads in order behind one valid IPv4 header (RFC 791 §3.1: total
 * length, header checksum), keep the TCP header of the first segment
 * (same ACK, window and options: RFC 9293 §3.1) and carry PSH when the
 * last segment had it (RFC 9293 §3.9.1 "SEND": PSH ends a push unit).
 * Checksums (RFC 1071, RFC 9293 §3.1 "Checksum") are verified before
 * anything is merged.
 */
#include <stdlib.h>
#include <rte_mempool.h>
#include <rte_tcp.h>
#include "net_test.h"
#include "net/cksum.h"
#include "net/gro.h"

static struct rte_mempool *pool;

#define TCP_F_FIN 0x01
#define TCP_F_SYN 0x02
#define TCP_F_RST 0x04
#define TCP_F_PSH 0x08
#define TCP_F_ACK 0x10
#define TCP_F_URG 0x20
#define TCP_F_ECE 0x40
#define TCP_F_CWR 0x80

static int setup(void **state)
{
	(void)state;
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("gro_test", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
	rte_mempool_free(pool);
	return 0;
}

/* One segment to build. */
struct seg_spec {
	uint16_t sport;          /* host order; 0: 40000 */
	uint32_t seq;
	uint16_t len;            /* payload */
	uint8_t flags;           /* 0: ACK */
	uint32_t ack;            /* 0: 777 */
	uint16_t wnd;            /* 0: 5000 */
	const uint8_t *opts;     /* TCP options, a multiple of 4 bytes */
	uint8_t opt_len;
	bool ip_options;         /* a 4-byte IPv4 option (NOP x3, EOL) */
	bool bad_cksum;          /* corrupt the TCP checksum */
	uint64_t ol_flags;       /* rx flags as a port would set them */
	uint16_t pad;            /* Ethernet trailer bytes after the datagram */
};

/* The payload byte at stream offset @seq: the merged stream is checked
 * byte by byte against this. */
static uint8_t pat(uint32_t seq) { return (uint8_t)(seq * 7u + (seq >> 8) * 13u + 1u); }

static struct rte_mbuf *mk(const struct seg_spec *s)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	uint32_t iphl = s->ip_options ? 24 : 20, thl = 20u + s->opt_len;
	uint32_t tot = iphl + thl + s->len;
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + tot + s->pad));
	assert_non_null(p);
	memset(p, 0, 14 + tot + s->pad);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)p;
	eh->dst_addr = port_mac(0);
	eh->src_addr = peer_mac(1);
	eh->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(eh + 1);
	ih->version_ihl = (uint8_t)(0x40 | iphl / 4);
	ih->total_length = htons((uint16_t)tot);
	ih->packet_id = htons((uint16_t)s->seq);
	ih->fragment_offset = htons(RTE_IPV4_HDR_DF_FLAG);
	ih->time_to_live = 64;
	ih->next_proto_id = IPPROTO_TCP;
	ih->src_addr = ip4("10.0.0.2");
	ih->dst_addr = ip4("10.0.0.1");
	if (s->ip_options)
		memcpy(ih + 1, "\x01\x01\x01\x00", 4);
	ih->hdr_checksum = 0;
	ih->hdr_checksum = cksum_finish(cksum_partial(ih, iphl, 0));
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)((uint8_t *)ih + iphl);
	th->src_port = htons(s->sport ? s->sport : 40000);
	th->dst_port = htons(5001);
	th->sent_seq = htonl(s->seq);
	th->recv_ack = htonl(s->ack ? s->ack : 777);
	th->data_off = (uint8_t)((thl / 4) << 4);
	th->tcp_flags = s->flags ? s->flags : TCP_F_ACK;
	th->rx_win = htons(s->wnd ? s->wnd : 5000);
	if (s->opt_len)
		memcpy(th + 1, s->opts, s->opt_len);
	uint8_t *pl = (uint8_t *)th + thl;
	for (uint32_t i = 0; i < s->len; i++)
		pl[i] = pat(s->seq + i);
	uint32_t sum = cksum_pseudo_ipv4(ih->src_addr, ih->dst_addr, IPPROTO_TCP,
					 (uint16_t)(thl + s->len));
	th->cksum = cksum_finish(cksum_partial(th, thl + s->len, sum));
	if (s->bad_cksum)
		th->cksum ^= 0x0101;
	m->ol_flags = s->ol_flags;
	return m;
}

/* Headers of an output packet. */
static struct rte_ipv4_hdr *ip_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
}
static struct rte_tcp_hdr *tcp_of(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ih = ip_of(m);
	return (struct rte_tcp_hdr *)((uint8_t *)ih + (ih->version_ihl & 0xf) * 4);
}

/* Check that @m is one valid IPv4/TCP packet carrying stream bytes
 * [seq, seq + len) in order, from source port @sport, standing for @nseg
 * wire segments. */
static void check_pkt(struct rte_mbuf *m, uint16_t sport, uint32_t seq, uint32_t len, uint32_t nseg)
{
	struct rte_ipv4_hdr *ih = ip_of(m);
	struct rte_tcp_hdr *th = tcp_of(m);
	uint32_t iphl = (ih->version_ihl & 0xf) * 4u, thl = (th->data_off >> 4) * 4u;
	assert_int_equal(ntohs(th->src_port), sport);
	assert_int_equal(ntohl(th->sent_seq), seq);
	/* RFC 791 §3.1: total length and header checksum cover the merge */
	assert_int_equal(ntohs(ih->total_length), iphl + thl + len);
	assert_int_equal(m->pkt_len, 14 + iphl + thl + len);
	assert_int_equal(cksum_finish(cksum_partial(ih, iphl, 0)), 0);
	assert_int_equal(rte_pktmbuf_pkt_len(m), m->pkt_len);
	uint32_t off = 14 + iphl + thl, sum_len = 0;
	for (struct rte_mbuf *s = m; s != NULL; s = s->next)
		sum_len += s->data_len;
	assert_int_equal(sum_len, m->pkt_len);
	static uint8_t buf[70000];
	const uint8_t *d = rte_pktmbuf_read(m, off, len, buf);
	assert_non_null(d);
	for (uint32_t i = 0; i < len; i++)
		if (d[i] != pat(seq + i))
			fail_msg("byte %u of the merged payload is wrong", i);
	assert_int_equal(gro_segs(m, len), nseg);
	if (nseg > 1) {
		assert_true(m->ol_flags & RTE_MBUF_F_RX_LRO);
		assert_int_equal(m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	}
}

static uint16_t run(struct rte_mbuf **pk, uint16_t n, struct gro_stats *st)
{
	memset(st, 0, sizeof(*st));
	return gro_burst(pk, n, st);
}

static void free_all(struct rte_mbuf **pk, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(pk[i]);
}

/* Four in-order full segments, the last with PSH: one packet of four
 * wire segments, PSH kept (RFC 9293 §3.9.1), payload identical. */
static void test_merge_in_order(void **state)
{
	(void)state;
	struct rte_mbuf *pk[4];
	struct gro_stats st;
	for (unsigned i = 0; i < 4; i++)
		pk[i] = mk(&(struct seg_spec){ .seq = 1000 + i * 1448, .len = 1448,
					       .flags = i == 3 ? TCP_F_ACK | TCP_F_PSH : 0 });
	uint16_t n = run(pk, 4, &st);
	assert_int_equal(n, 1);
	check_pkt(pk[0], 40000, 1000, 4 * 1448, 4);
	assert_int_equal(pk[0]->tso_segsz, 1448);
	assert_int_equal(pk[0]->nb_segs, 4);
	assert_true(tcp_of(pk[0])->tcp_flags & TCP_F_PSH);
	assert_int_equal(st.merged, 3);
	assert_int_equal(st.packets, 1);
	free_all(pk, n);

	/* A shorter last segment is appended and ends the packet: the next
	 * full one starts a new packet. ceil(2448 / 1448) = 2 segments. */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1448 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1448, .len = 1000 });
	pk[2] = mk(&(struct seg_spec){ .seq = 2448, .len = 1448 });
	n = run(pk, 3, &st);
	assert_int_equal(n, 2);
	check_pkt(pk[0], 40000, 0, 2448, 2);
	assert_false(tcp_of(pk[0])->tcp_flags & TCP_F_PSH);
	check_pkt(pk[1], 40000, 2448, 1448, 1);
	assert_false(pk[1]->ol_flags & RTE_MBUF_F_RX_LRO);
	free_all(pk, n);

	/* A longer segment after a shorter first one is not appended. */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 500 });
	pk[1] = mk(&(struct seg_spec){ .seq = 500, .len = 1448 });
	n = run(pk, 2, &st);
	assert_int_equal(n, 2);
	assert_int_equal(st.merged, 0);
	free_all(pk, n);
}

/* A gap (a lost segment) or a retransmission is never merged: the
 * receiver must see the hole to send its duplicate ACKs (RFC 5681 §3.2). */
static void test_no_merge_on_gap(void **state)
{
	(void)state;
	struct rte_mbuf *pk[4];
	struct gro_stats st;
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000 });
	pk[2] = mk(&(struct seg_spec){ .seq = 3000, .len = 1000 });   /* hole at 2000 */
	pk[3] = mk(&(struct seg_spec){ .seq = 2000, .len = 1000 });   /* the hole, late */
	uint16_t n = run(pk, 4, &st);
	assert_int_equal(n, 3);
	check_pkt(pk[0], 40000, 0, 2000, 2);
	check_pkt(pk[1], 40000, 3000, 1000, 1);
	check_pkt(pk[2], 40000, 2000, 1000, 1);
	assert_int_equal(st.merged, 1);
	free_all(pk, n);
}

/* Option bytes must be identical: differing timestamps (RFC 7323 §3.2)
 * or MPTCP DSS mappings (RFC 8684 §3.3) are not merged; a replicated,
 * identical DSS is. */
static void test_options(void **state)
{
	(void)state;
	struct rte_mbuf *pk[3];
	struct gro_stats st;
	static const uint8_t ts1[12] = { 1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 9 };
	static const uint8_t ts2[12] = { 1, 1, 8, 10, 0, 0, 0, 6, 0, 0, 0, 9 };
	/* DSS (RFC 8684 §3.3): kind 30, length 20, subtype 2, flags M|A
	 * (a 4-byte data ACK and a mapping with a 4-byte DSN): data ACK, DSN,
	 * subflow sequence number, data-level length, checksum; NOPs pad to
	 * 24 bytes. dss2 is another mapping. */
	static const uint8_t dss1[24] = { 30, 20, 0x20, 0x05, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1,
					  0x0b, 0xb8, 0, 0, 1, 1, 1, 1 };
	static const uint8_t dss2[24] = { 30, 20, 0x20, 0x05, 0, 0, 0, 1, 0, 1, 0x0b, 0xb8, 0, 0,
					  0x0b, 0xb9, 0x0b, 0xb8, 0, 0, 1, 1, 1, 1 };

	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000, .opts = ts1, .opt_len = 12 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000, .opts = ts2, .opt_len = 12 });
	pk[2] = mk(&(struct seg_spec){ .seq = 2000, .len = 1000, .opts = ts2, .opt_len = 12 });
	uint16_t n = run(pk, 3, &st);
	assert_int_equal(n, 2);
	check_pkt(pk[0], 40000, 0, 1000, 1);
	check_pkt(pk[1], 40000, 1000, 2000, 2);
	assert_memory_equal(tcp_of(pk[1]) + 1, ts2, 12);
	free_all(pk, n);

	/* one DSS mapping replicated on three segments: merged */
	for (unsigned i = 0; i < 3; i++)
		pk[i] = mk(&(struct seg_spec){ .seq = i * 1000, .len = 1000, .opts = dss1,
					       .opt_len = 24 });
	n = run(pk, 3, &st);
	assert_int_equal(n, 1);
	check_pkt(pk[0], 40000, 0, 3000, 3);
	assert_memory_equal(tcp_of(pk[0]) + 1, dss1, 24);
	free_all(pk, n);

	/* a new mapping on the third: not merged into the first two */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000, .opts = dss1, .opt_len = 24 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000, .opts = dss1, .opt_len = 24 });
	pk[2] = mk(&(struct seg_spec){ .seq = 2000, .len = 1000, .opts = dss2, .opt_len = 24 });
	n = run(pk, 3, &st);
	assert_int_equal(n, 2);
	check_pkt(pk[0], 40000, 0, 2000, 2);
	check_pkt(pk[1], 40000, 2000, 1000, 1);
	free_all(pk, n);

	/* options present on one, absent on the other */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000, .opts = ts1, .opt_len = 12 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000 });
	n = run(pk, 2, &st);
	assert_int_equal(n, 2);
	free_all(pk, n);

	/* a different ACK number or window: the receiver must process each
	 * acknowledgment and window update (RFC 9293 §3.10.7.4) */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000, .ack = 778 });
	pk[2] = mk(&(struct seg_spec){ .seq = 2000, .len = 1000, .ack = 778, .wnd = 6000 });
	n = run(pk, 3, &st);
	assert_int_equal(n, 3);
	assert_int_equal(st.merged, 0);
	free_all(pk, n);
}

/* Segments of different flows are never merged together. */
static void test_different_flow(void **state)
{
	(void)state;
	struct rte_mbuf *pk[2];
	struct gro_stats st;
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000 });
	pk[1] = mk(&(struct seg_spec){ .sport = 40001, .seq = 1000, .len = 1000 });
	uint16_t n = run(pk, 2, &st);
	assert_int_equal(n, 2);
	check_pkt(pk[0], 40000, 0, 1000, 1);
	check_pkt(pk[1], 40001, 1000, 1000, 1);
	assert_int_equal(st.packets, 0);
	free_all(pk, n);
}

/* SYN, FIN, RST, URG, CWR and ECE segments are not merged (RFC 9293
 * §3.10.7.4 processes each control bit on its own segment; RFC 3168 §6.1
 * the ECN bits); pure ACKs are never merged and keep their place after
 * the flow's earlier data (duplicate ACKs count one by one, RFC 5681 §3.2). */
static void test_flags(void **state)
{
	(void)state;
	static const uint8_t bad[] = { TCP_F_ACK | TCP_F_FIN, TCP_F_SYN, TCP_F_ACK | TCP_F_RST,
				       TCP_F_ACK | TCP_F_URG, TCP_F_ACK | TCP_F_CWR,
				       TCP_F_ACK | TCP_F_ECE, TCP_F_PSH };
	struct rte_mbuf *pk[4];
	struct gro_stats st;
	for (unsigned k = 0; k < RTE_DIM(bad); k++) {
		pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000 });
		pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000, .flags = bad[k] });
		pk[2] = mk(&(struct seg_spec){ .seq = 2000, .len = 1000 });
		pk[3] = mk(&(struct seg_spec){ .seq = 3000, .len = 1000 });
		uint16_t n = run(pk, 4, &st);
		assert_int_equal(n, 3);
		check_pkt(pk[0], 40000, 0, 1000, 1);
		assert_int_equal(tcp_of(pk[1])->tcp_flags, bad[k]);
		check_pkt(pk[2], 40000, 2000, 2000, 2);
		free_all(pk, n);
	}
	/* PSH on the first segment ends the packet at once */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000, .flags = TCP_F_ACK | TCP_F_PSH });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000 });
	uint16_t n = run(pk, 2, &st);
	assert_int_equal(n, 2);
	free_all(pk, n);

	/* data, pure ACK (padded to 60 bytes by Ethernet), data: three
	 * packets in arrival order */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 0, .pad = 6, .ack = 900 });
	pk[2] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000 });
	n = run(pk, 3, &st);
	assert_int_equal(n, 3);
	check_pkt(pk[0], 40000, 0, 1000, 1);
	assert_int_equal(ntohl(tcp_of(pk[1])->recv_ack), 900);
	check_pkt(pk[2], 40000, 1000, 1000, 1);
	free_all(pk, n);

	/* IPv4 options and an Ethernet trailer behind data: not merged */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000, .ip_options = true });
	pk[2] = mk(&(struct seg_spec){ .seq = 0, .len = 1000, .sport = 2 });
	pk[3] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000, .sport = 2, .pad = 4 });
	n = run(pk, 4, &st);
	assert_int_equal(n, 4);
	assert_int_equal(st.merged, 0);
	free_all(pk, n);
}

/* A segment with a bad TCP checksum (RFC 9293 §3.1) goes up alone,
 * untouched and not marked good, so TCP input drops and counts it; the
 * flow's segments before and after it are not merged across it. The
 * port's verdict is taken when it gave one (RTE_MBUF_F_RX_L4_CKSUM_*). */
static void test_bad_cksum(void **state)
{
	(void)state;
	struct rte_mbuf *pk[5];
	struct gro_stats st;
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000 });
	pk[2] = mk(&(struct seg_spec){ .seq = 2000, .len = 1000, .bad_cksum = true });
	pk[3] = mk(&(struct seg_spec){ .seq = 3000, .len = 1000 });
	pk[4] = mk(&(struct seg_spec){ .seq = 4000, .len = 1000 });
	uint16_t n = run(pk, 5, &st);
	assert_int_equal(n, 3);
	check_pkt(pk[0], 40000, 0, 2000, 2);
	assert_int_equal(ntohl(tcp_of(pk[1])->sent_seq), 2000);
	assert_int_not_equal(pk[1]->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK,
			     RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	/* still bad: nothing rewrote it */
	struct rte_ipv4_hdr *ih = ip_of(pk[1]);
	uint32_t sum = cksum_pseudo_ipv4(ih->src_addr, ih->dst_addr, IPPROTO_TCP, 1020);
	assert_int_not_equal(cksum_finish(cksum_mbuf(pk[1], 34, 1020, sum)), 0);
	check_pkt(pk[2], 40000, 3000, 2000, 2);
	free_all(pk, n);

	/* The port says BAD: not merged even though the sum is right. The
	 * port says GOOD: merged without a software check. */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000,
				       .ol_flags = RTE_MBUF_F_RX_L4_CKSUM_BAD });
	pk[2] = mk(&(struct seg_spec){ .seq = 0, .len = 1000, .sport = 3,
				       .ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD |
						   RTE_MBUF_F_RX_IP_CKSUM_GOOD });
	pk[3] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000, .sport = 3, .bad_cksum = true,
				       .ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD |
						   RTE_MBUF_F_RX_IP_CKSUM_GOOD });
	n = run(pk, 4, &st);
	assert_int_equal(n, 3);
	assert_int_equal(pk[1]->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK, RTE_MBUF_F_RX_L4_CKSUM_BAD);
	assert_int_equal(ntohs(tcp_of(pk[2])->src_port), 3);
	check_pkt(pk[2], 3, 0, 2000, 2);
	free_all(pk, n);

	/* The port says NONE (the field is a partial sum, the data verified:
	 * virtio's NEEDS_CSUM): merged like GOOD, not recomputed and
	 * dropped. */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000, .bad_cksum = true,
				       .ol_flags = RTE_MBUF_F_RX_L4_CKSUM_NONE |
						   RTE_MBUF_F_RX_IP_CKSUM_GOOD });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000, .bad_cksum = true,
				       .ol_flags = RTE_MBUF_F_RX_L4_CKSUM_NONE |
						   RTE_MBUF_F_RX_IP_CKSUM_GOOD });
	n = run(pk, 2, &st);
	assert_int_equal(n, 1);
	check_pkt(pk[0], 40000, 0, 2000, 2);
	free_all(pk, n);

	/* A bad IPv4 header checksum (RFC 791 §3.1) likewise. */
	pk[0] = mk(&(struct seg_spec){ .seq = 0, .len = 1000 });
	pk[1] = mk(&(struct seg_spec){ .seq = 1000, .len = 1000 });
	ip_of(pk[1])->packet_id ^= 0xffff;   /* header changed, checksum not */
	n = run(pk, 2, &st);
	assert_int_equal(n, 2);
	assert_int_not_equal(cksum_finish(cksum_partial(ip_of(pk[1]), 20, 0)), 0);
	free_all(pk, n);
}

/* The merged IPv4 datagram fits the 16-bit total length (RFC 791 §3.1):
 * the segment that would pass 65535 bytes starts a new packet. */
static void test_size_cap(void **state)
{
	(void)state;
	enum { N = 60, LEN = 1448 };
	struct rte_mbuf *pk[N];
	struct gro_stats st;
	for (unsigned i = 0; i < N; i++)
		pk[i] = mk(&(struct seg_spec){ .seq = i * LEN, .len = LEN });
	uint16_t n = run(pk, N, &st);
	uint32_t fit = (GRO_MAX_IP_LEN - 40) / LEN;   /* segments one datagram holds */
	assert_true(40 + fit * LEN <= 65535 && 40 + (fit + 1) * LEN > 65535);
	assert_int_equal(n, (N + fit - 1) / fit);
	uint32_t seq = 0;
	for (uint16_t i = 0; i < n; i++) {
		uint32_t k = N - seq / LEN < fit ? N - seq / LEN : fit;
		check_pkt(pk[i], 40000, seq, k * LEN, k);
		assert_true(pk[i]->pkt_len - 14 <= 65535);
		seq += k * LEN;
	}
	assert_int_equal(seq, N * LEN);
	assert_int_equal(st.merged, N - n);
	free_all(pk, n);
}

/* Interleaved flows: each coalesces on its own, a non-TCP frame between
 * them is delivered, and each flow's bytes stay in order. */
static void test_interleaved_keep_order(void **state)
{
	(void)state;
	struct rte_mbuf *pk[8];
	struct gro_stats st;
	uint8_t arp[FRAME_MAX];
	struct rte_ether_addr pm = peer_mac(1), om = port_mac(0);
	size_t alen = harness_build_arp(arp, RTE_ARP_OP_REQUEST, &pm, ip4("10.0.0.2"), &om,
					ip4("10.0.0.1"), &om);
	pk[0] = mk(&(struct seg_spec){ .sport = 1, .seq = 0, .len = 1000 });
	pk[1] = mk(&(struct seg_spec){ .sport = 2, .seq = 50000, .len = 1000 });
	pk[2] = mk(&(struct seg_spec){ .sport = 1, .seq = 1000, .len = 1000 });
	pk[3] = rte_pktmbuf_alloc(pool);
	assert_non_null(pk[3]);
	memcpy(rte_pktmbuf_append(pk[3], (uint16_t)alen), arp, alen);
	pk[4] = mk(&(struct seg_spec){ .sport = 2, .seq = 51000, .len = 1000 });
	pk[5] = mk(&(struct seg_spec){ .sport = 1, .seq = 2000, .len = 1000 });
	pk[6] = mk(&(struct seg_spec){ .sport = 1, .seq = 3000, .len = 1000, .flags = TCP_F_ACK | TCP_F_FIN });
	pk[7] = mk(&(struct seg_spec){ .sport = 2, .seq = 52000, .len = 1000 });
	uint16_t n = run(pk, 8, &st);
	assert_int_equal(n, 4);
	check_pkt(pk[0], 1, 0, 3000, 3);
	check_pkt(pk[1], 2, 50000, 3000, 3);
	assert_int_equal(pk[2]->pkt_len, alen);
	/* flow 1's FIN comes after flow 1's data */
	assert_int_equal(ntohl(tcp_of(pk[3])->sent_seq), 3000);
	assert_int_equal(st.merged, 4);
	assert_int_equal(st.packets, 2);
	free_all(pk, n);

	/* More flows than GRO_MAX_FLOWS in one burst: the extra ones go up
	 * unmerged and in order. */
	enum { F = GRO_MAX_FLOWS + 2 };
	struct rte_mbuf *many[2 * F];
	for (unsigned i = 0; i < F; i++) {
		many[i] = mk(&(struct seg_spec){ .sport = (uint16_t)(100 + i), .seq = 0, .len = 100 });
		many[F + i] = mk(&(struct seg_spec){ .sport = (uint16_t)(100 + i), .seq = 100, .len = 100 });
	}
	n = run(many, 2 * F, &st);
	assert_int_equal(n, GRO_MAX_FLOWS + 4);
	for (unsigned i = 0; i < GRO_MAX_FLOWS; i++)
		check_pkt(many[i], (uint16_t)(100 + i), 0, 200, 2);
	check_pkt(many[GRO_MAX_FLOWS], 100 + GRO_MAX_FLOWS, 0, 100, 1);
	check_pkt(many[GRO_MAX_FLOWS + 1], 101 + GRO_MAX_FLOWS, 0, 100, 1);
	check_pkt(many[GRO_MAX_FLOWS + 2], 100 + GRO_MAX_FLOWS, 100, 100, 1);
	check_pkt(many[GRO_MAX_FLOWS + 3], 101 + GRO_MAX_FLOWS, 100, 100, 1);
	free_all(many, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_in_order),
		cmocka_unit_test(test_no_merge_on_gap),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_different_flow),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_bad_cksum),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_interleaved_keep_order),
	};
	return cmocka_run_group_tests_name("net_gro", tests, setup, teardown);
}
