/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Software GRO of one rx burst (gro.h has the rule). The work per frame is
 * a header parse; a data segment's checksum is verified here instead of in
 * TCP input, so coalescing adds no checksum work.
 */
#include <stdbool.h>
#include <string.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include "net/gro.h"
#include "net/cksum.h"

#define ETH_HLEN 14u
#define IP_HLEN 20u

/* TCP flags byte */
#define F_FIN 0x01
#define F_PSH 0x08
#define F_ACK 0x10

struct gro_flow {
	struct rte_mbuf *head;   /* first segment: the packet handed up */
	struct rte_mbuf *last;   /* last mbuf of head's chain */
	uint32_t saddr, daddr;   /* network order */
	uint16_t sport, dport;   /* network order */
	uint32_t next_seq;       /* host order: where the next segment must start */
	uint32_t ip_len;         /* IPv4 total length so far */
	uint16_t gso;            /* payload of the first segment */
	uint16_t nseg;
	bool open;               /* more segments may be appended */
};

/* Header view of a frame; valid when gro_parse returned true. */
struct gro_hdrs {
	struct rte_ipv4_hdr *ih;
	struct rte_tcp_hdr *th;
	uint32_t hlen;          /* TCP header length */
	uint32_t payload;
	bool exact;             /* the frame ends where the datagram does */
};

/*
 * Is @m an IPv4 TCP segment whose headers (no IPv4 options, no fragment)
 * are in its first mbuf? Then fills @h. The payload may be empty.
 */
static bool gro_parse(struct rte_mbuf *m, struct gro_hdrs *h)
{
	if (m->data_len < ETH_HLEN + IP_HLEN + sizeof(struct rte_tcp_hdr))
		return false;
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return false;
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(eh + 1);
	if (ih->version_ihl != 0x45 || ih->next_proto_id != IPPROTO_TCP ||
	    (ih->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return false;
	uint32_t tot = rte_be_to_cpu_16(ih->total_length);
	if (tot + ETH_HLEN > m->pkt_len)
		return false;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ih + 1);
	uint32_t hlen = (uint32_t)(th->data_off >> 4) * 4;
	if (hlen < sizeof(*th) || IP_HLEN + hlen > tot || ETH_HLEN + IP_HLEN + hlen > m->data_len)
		return false;
	h->ih = ih;
	h->th = th;
	h->hlen = hlen;
	h->payload = tot - IP_HLEN - hlen;
	/* Ethernet pads frames shorter than 60 bytes: such a segment (a pure
	 * ACK, a few bytes of data) still closes its flow, but is never
	 * merged. */
	h->exact = tot + ETH_HLEN == m->pkt_len;
	return true;
}

/* Verify (or take from the port's flags) the IPv4 header and TCP
 * checksums; mark the mbuf verified when both are good. */
static bool gro_cksum_ok(struct rte_mbuf *m, const struct gro_hdrs *h)
{
	uint64_t ipf = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (ipf == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return false;
	if (ipf == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN &&
	    cksum_finish(cksum_partial(h->ih, IP_HLEN, 0)) != 0)
		return false;
	uint64_t l4f = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (l4f == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return false;
	/* NONE: partial checksum field, data verified by the port (as GOOD) */
	if (l4f != RTE_MBUF_F_RX_L4_CKSUM_GOOD && l4f != RTE_MBUF_F_RX_L4_CKSUM_NONE) {
		uint32_t l4len = h->hlen + h->payload;
		uint32_t sum = cksum_pseudo_ipv4(h->ih->src_addr, h->ih->dst_addr, IPPROTO_TCP,
						 (uint16_t)l4len);
		sum = cksum_mbuf(m, ETH_HLEN + IP_HLEN, l4len, sum);
		if (cksum_finish(sum) != 0)
			return false;
	}
	m->ol_flags = (m->ol_flags & ~(RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_L4_CKSUM_MASK)) |
		      RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return true;
}

static struct gro_flow *gro_find(struct gro_flow *fl, unsigned nf, const struct gro_hdrs *h)
{
	for (unsigned i = 0; i < nf; i++) {
		struct gro_flow *f = &fl[i];
		if (f->saddr == h->ih->src_addr && f->daddr == h->ih->dst_addr &&
		    f->sport == h->th->src_port && f->dport == h->th->dst_port)
			return f;
	}
	return NULL;
}

/* May segment @m (headers @h) be appended to the open packet of @f? */
static bool gro_can_append(const struct gro_flow *f, struct rte_mbuf *m, const struct gro_hdrs *h)
{
	const struct rte_mbuf *hm = f->head;
	const struct rte_ipv4_hdr *hi = (const struct rte_ipv4_hdr *)
		(rte_pktmbuf_mtod(hm, const uint8_t *) + ETH_HLEN);
	const struct rte_tcp_hdr *ht = (const struct rte_tcp_hdr *)(hi + 1);
	uint32_t hhlen = (uint32_t)(ht->data_off >> 4) * 4;

	if (rte_be_to_cpu_32(h->th->sent_seq) != f->next_seq || h->payload > f->gso ||
	    f->ip_len + h->payload > GRO_MAX_IP_LEN ||
	    (uint32_t)hm->nb_segs + m->nb_segs > RTE_MBUF_MAX_NB_SEGS)
		return false;
	if (h->th->recv_ack != ht->recv_ack || h->th->rx_win != ht->rx_win || h->hlen != hhlen)
		return false;
	if (h->ih->type_of_service != hi->type_of_service || h->ih->time_to_live != hi->time_to_live ||
	    h->ih->fragment_offset != hi->fragment_offset)
		return false;
	/* Ethernet addresses (the type is IPv4 for both) */
	if (memcmp(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_mtod(hm, const uint8_t *),
		   2 * RTE_ETHER_ADDR_LEN) != 0)
		return false;
	/* Option bytes: timestamps, SACK blocks, MPTCP DSS must be identical. */
	return memcmp(h->th + 1, ht + 1, h->hlen - sizeof(*ht)) == 0;
}

/* Close the flow's packet: fix the headers of a merged one. */
static void gro_finish(struct gro_flow *f, struct gro_stats *st)
{
	if (f->head == NULL || f->nseg < 2)
		return;
	struct rte_mbuf *m = f->head;
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(rte_pktmbuf_mtod(m, uint8_t *) + ETH_HLEN);
	ih->total_length = rte_cpu_to_be_16((uint16_t)f->ip_len);
	ih->hdr_checksum = 0;
	ih->hdr_checksum = rte_ipv4_cksum(ih);
	m->ol_flags |= RTE_MBUF_F_RX_LRO;
	m->tso_segsz = f->gso;
	st->packets++;
	st->merged += f->nseg - 1u;
}

uint16_t gro_burst(struct rte_mbuf **pkts, uint16_t n, struct gro_stats *st)
{
	struct gro_flow fl[GRO_MAX_FLOWS];
	unsigned nf = 0;
	uint16_t out = 0;

	if (n < 2)
		return n;
	for (uint16_t j = 0; j < n; j++) {
		struct rte_mbuf *m = pkts[j];
		struct gro_hdrs h;

		if (!gro_parse(m, &h)) {
			pkts[out++] = m;
			continue;
		}
		struct gro_flow *f = gro_find(fl, nf, &h);
		uint8_t flags = h.th->tcp_flags;
		bool data = h.payload > 0 && h.exact && (flags & (uint8_t)~F_PSH) == F_ACK;
		/* Checksums before anything is merged: a bad segment goes up
		 * alone and closes its flow (order is kept). */
		if (data && !gro_cksum_ok(m, &h))
			data = false;
		if (data && f != NULL && f->open && gro_can_append(f, m, &h)) {
			rte_pktmbuf_adj(m, (uint16_t)(ETH_HLEN + IP_HLEN + h.hlen));
			f->last->next = m;
			f->last = rte_pktmbuf_lastseg(m);
			f->head->nb_segs = (uint16_t)(f->head->nb_segs + m->nb_segs);
			f->head->pkt_len += m->pkt_len;
			m->nb_segs = 1;   /* now an inner segment of the chain */
			m->pkt_len = 0;
			f->next_seq += h.payload;
			f->ip_len += h.payload;
			f->nseg++;
			if (h.payload < f->gso || (flags & F_PSH)) {
				struct rte_tcp_hdr *ht = (struct rte_tcp_hdr *)
					(rte_pktmbuf_mtod(f->head, uint8_t *) + ETH_HLEN + IP_HLEN);
				ht->tcp_flags |= (uint8_t)(flags & F_PSH);
				f->open = false;
			}
			continue;
		}
		/* Not appended: this segment goes up after the flow's packet. */
		pkts[out++] = m;
		if (f != NULL) {
			gro_finish(f, st);
			f->head = NULL;
			f->open = false;
		}
		if (!data || (flags & F_PSH))
			continue;
		if (f == NULL) {
			if (nf == GRO_MAX_FLOWS)
				continue;
			f = &fl[nf++];
			f->saddr = h.ih->src_addr;
			f->daddr = h.ih->dst_addr;
			f->sport = h.th->src_port;
			f->dport = h.th->dst_port;
		}
		f->head = m;
		f->last = rte_pktmbuf_lastseg(m);
		f->next_seq = rte_be_to_cpu_32(h.th->sent_seq) + h.payload;
		f->ip_len = IP_HLEN + h.hlen + h.payload;
		f->gso = (uint16_t)h.payload;
		f->nseg = 1;
		f->open = true;
	}
	for (unsigned i = 0; i < nf; i++)
		gro_finish(&fl[i], st);
	return out;
}
