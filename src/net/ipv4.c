/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 (RFC 791) as a host (RFC 1122 3.2.1): receive, validate, dispatch;
 * send with routing, checksums (software or offload) and local delivery. */
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <rte_ip.h>
#include "mpdk/mpdk_error.h"
#include "core/engine.h"
#include "drivers/port.h"
#include "net/arp.h"
#include "net/cksum.h"
#include "net/icmp.h"
#include "net/ipv4.h"

#define IPV4_LO_MAX 256            /* power of two */
#define IPV4_HDR_LEN ((uint32_t)sizeof(struct rte_ipv4_hdr))

/* Packets to our own addresses, received in the next engine iteration. */
struct ipv4_lo {
	uint32_t head, n;
	struct { struct rte_mbuf *m; uint16_t iface; } q[IPV4_LO_MAX];
};

static inline bool ipv4_is_multicast(uint32_t a)
{
	return (rte_be_to_cpu_32(a) & 0xf0000000u) == 0xe0000000u;
}

static inline bool ipv4_is_loopback(uint32_t a)
{
	return (rte_be_to_cpu_32(a) >> 24) == 127;
}

bool ipv4_is_local(const struct mpdk_engine *e, uint32_t addr, uint16_t *iface)
{
	const struct mpdk_stack *s = e->stack;
	for (uint16_t i = 0; i < s->n_ifaces; i++)
		for (uint16_t a = 0; a < s->ifaces[i].n_addrs; a++)
			if (s->ifaces[i].addrs[a] == addr) {
				*iface = i;
				return true;
			}
	return false;
}

static bool ipv4_is_bcast(const struct mpdk_engine *e, uint32_t addr)
{
	const struct mpdk_stack *s = e->stack;
	if (addr == UINT32_MAX || ipv4_is_multicast(addr))
		return true;
	for (uint16_t i = 0; i < s->n_ifaces; i++)
		for (uint16_t a = 0; a < s->ifaces[i].n_addrs; a++) {
			uint8_t len = s->ifaces[i].prefix_len[a];
			if (len >= 31)
				continue;
			uint32_t host = rte_cpu_to_be_32(~0u >> len);
			if ((addr & ~host) == (s->ifaces[i].addrs[a] & ~host) &&
			    (addr & host) == host)
				return true;
		}
	return false;
}

/* Cut @m to @len bytes (len <= pkt_len, len > 0), across segments. */
static void mbuf_trim_to(struct rte_mbuf *m, uint32_t len)
{
	if (rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - len)) == 0 && m->pkt_len == len)
		return;
	struct rte_mbuf *seg = m;
	uint32_t left = len;
	while (left > seg->data_len) {
		left -= seg->data_len;
		seg = seg->next;
	}
	seg->data_len = (uint16_t)left;
	struct rte_mbuf *rest = seg->next;
	seg->next = NULL;
	for (struct rte_mbuf *r = rest; r != NULL; r = r->next)
		m->nb_segs--;
	rte_pktmbuf_free(rest);
	m->pkt_len = len;
}

void ipv4_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ih;
	uint32_t frame = m->pkt_len;
	uint16_t dummy;

	CTR_INC(e, ip_rx_packets);
	if (unlikely(frame < IPV4_HDR_LEN)) {
		CTR_INC(e, ip_rx_truncated);
		goto drop;
	}
	if (unlikely(m->data_len < IPV4_HDR_LEN)) {
		CTR_INC(e, ip_rx_hdr_split);
		goto drop;
	}
	ih = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	if (unlikely((ih->version_ihl >> 4) != 4)) {
		CTR_INC(e, ip_rx_bad_version);
		goto drop;
	}
	uint32_t hlen = (uint32_t)(ih->version_ihl & 0xf) * 4;
	if (unlikely(hlen < IPV4_HDR_LEN)) {
		CTR_INC(e, ip_rx_bad_ihl);
		goto drop;
	}
	if (unlikely(hlen > frame)) {
		CTR_INC(e, ip_rx_truncated);
		goto drop;
	}
	if (unlikely(hlen > m->data_len)) {
		CTR_INC(e, ip_rx_hdr_split);
		goto drop;
	}
	uint32_t tot = rte_be_to_cpu_16(ih->total_length);
	if (unlikely(tot < hlen || tot > frame)) {
		CTR_INC(e, ip_rx_bad_len);
		goto drop;
	}
	/* NONE means the port verified the header even though the field is
	 * not the final checksum; UNKNOWN means nobody looked. */
	uint64_t ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (unlikely(ck == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
		     (ck == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN &&
		      cksum_finish(cksum_partial(ih, hlen, 0)) != 0))) {
		CTR_INC(e, ip_rx_bad_cksum);
		goto drop;
	}
	/* Ethernet pads short frames: the datagram ends at total length. */
	if (tot < frame)
		mbuf_trim_to(m, tot);
	if (unlikely(ih->fragment_offset &
		     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))) {
		CTR_INC(e, ip_rx_fragments);
		goto drop;
	}
	/* RFC 1122 3.2.1.3: silently discard invalid source addresses. */
	uint32_t src = ih->src_addr, dst = ih->dst_addr;
	if (unlikely(src == 0 || ipv4_is_bcast(e, src) || ipv4_is_loopback(src))) {
		CTR_INC(e, ip_rx_bad_src);
		goto drop;
	}
	/* Weak host model (RFC 1122 3.3.4.2): any of our addresses on any
	 * interface. */
	if (unlikely(!ipv4_is_local(e, dst, &dummy))) {
		if (ipv4_is_bcast(e, dst))
			CTR_INC(e, ip_rx_broadcast);
		else
			CTR_INC(e, ip_rx_not_for_us);
		goto drop;
	}
	m->l3_len = hlen;
	l4_input_fn fn = e->stack->l4_input[ih->next_proto_id];
	if (unlikely(fn == NULL)) {
		CTR_INC(e, ip_rx_unknown_proto);
		/* RFC 1122 3.2.2.1: a host SHOULD send protocol unreachable. */
		icmp_send_unreach(e, m, ICMP_CODE_PROTO_UNREACH);
		return;
	}
	fn(e, iface, m);
	return;
drop:
	rte_pktmbuf_free(m);
}

static struct ipv4_lo *ipv4_lo_of(const struct mpdk_engine *e);

static void ipv4_loopback(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	struct ipv4_lo *lo = ipv4_lo_of(e);
	if (unlikely(lo == NULL || lo->n == IPV4_LO_MAX)) {
		CTR_INC(e, ip_local_drops);
		rte_pktmbuf_free(m);
		return;
	}
	/* Received as from a port that verified nothing. */
	m->ol_flags &= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
	uint32_t tail = (lo->head + lo->n) & (IPV4_LO_MAX - 1);
	lo->q[tail].m = m;
	lo->q[tail].iface = iface;
	lo->n++;
	CTR_INC(e, ip_local_delivered);
}

int ipv4_output(struct mpdk_engine *e, struct rte_mbuf *m, uint32_t src, uint32_t dst,
		uint8_t proto, uint8_t ttl)
{
	const struct mpdk_stack *s = e->stack;
	struct route_result rr;
	uint32_t l4_len = m->pkt_len;
	uint64_t l4f = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	bool tso = (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) != 0;
	bool local = ipv4_is_local(e, dst, &rr.iface);
	int rc;

	if (local) {
		if (src == 0)
			src = dst;
	} else {
		if (unlikely(route_lookup(&s->routes, dst, src, &rr) < 0)) {
			CTR_INC(e, ip_tx_no_route);
			rc = -MPDK_ENOROUTE;
			goto drop;
		}
		if (src == 0)
			src = rr.src;
	}
	const struct net_iface *ifp = &s->ifaces[rr.iface];
	if (unlikely(l4_len + IPV4_HDR_LEN > UINT16_MAX ||
		     (!local && !tso && l4_len + IPV4_HDR_LEN > ifp->mtu))) {
		CTR_INC(e, ip_tx_too_big);
		rc = -EMSGSIZE;
		goto drop;
	}
	bool hw_ip = !local && (ifp->caps & PORT_TX_IPV4_CKSUM);
	bool is_tcp = tso || l4f == RTE_MBUF_F_TX_TCP_CKSUM;
	bool is_udp = !tso && l4f == RTE_MBUF_F_TX_UDP_CKSUM;
	bool hw_l4 = !local && ((tso && (ifp->caps & PORT_TX_TSO)) ||
				(!tso && is_tcp && (ifp->caps & PORT_TX_TCP_CKSUM)) ||
				(is_udp && (ifp->caps & PORT_TX_UDP_CKSUM)));
	/* The L4 checksum field must be in the first segment. Looped-back
	 * TSO packets are delivered whole with a software checksum. */
	uint32_t l4_off = is_tcp ? 16 : 6;
	if (unlikely((tso && !hw_l4 && !local) ||
		     ((is_tcp || is_udp) && m->data_len < l4_off + sizeof(uint16_t)))) {
		CTR_INC(e, ip_tx_bad_offload);
		rc = -ENOTSUP;
		goto drop;
	}

	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, IPV4_HDR_LEN);
	if (unlikely(ih == NULL)) {
		CTR_INC(e, ip_tx_no_headroom);
		rc = -ENOBUFS;
		goto drop;
	}
	CTR_INC(e, ip_tx_packets);
	ih->version_ihl = 0x45;
	ih->type_of_service = 0;
	ih->total_length = rte_cpu_to_be_16((uint16_t)(l4_len + IPV4_HDR_LEN));
	/* DF is always set, so the ID only has to be unique enough for
	 * duplicate detection (RFC 6864 4.1): the engine's packet count. */
	ih->packet_id = rte_cpu_to_be_16((uint16_t)e->ctr[CTR_ip_tx_packets]);
	ih->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	/* RFC 1122 3.2.1.7: never send a TTL of zero. */
	ih->time_to_live = ttl != 0 ? ttl : IPV4_DEFAULT_TTL;
	ih->next_proto_id = proto;
	ih->hdr_checksum = 0;
	ih->src_addr = src;
	ih->dst_addr = dst;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = IPV4_HDR_LEN;

	if (is_tcp || is_udp) {
		uint16_t *field = rte_pktmbuf_mtod_offset(m, uint16_t *, IPV4_HDR_LEN + l4_off);
		if (hw_l4) {
			/* CHECKSUM_PARTIAL: the port expects the pseudo-header
			 * sum (without length for TSO) in the field. */
			*field = rte_ipv4_phdr_cksum(ih, m->ol_flags);
		} else {
			*field = 0;
			uint32_t sum = cksum_pseudo_ipv4(src, dst, proto, (uint16_t)l4_len);
			sum += cksum_mbuf(m, IPV4_HDR_LEN, l4_len, 0);
			uint16_t c = cksum_finish(sum);
			/* RFC 768: a computed zero is sent as all ones. */
			*field = (is_udp && c == 0) ? 0xffff : c;
			m->ol_flags &= ~RTE_MBUF_F_TX_L4_MASK;
		}
	}
	if (hw_ip) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	} else {
		ih->hdr_checksum = cksum_finish(cksum_partial(ih, IPV4_HDR_LEN, 0));
		m->ol_flags &= ~RTE_MBUF_F_TX_IP_CKSUM;
		if (hw_l4)
			m->ol_flags |= RTE_MBUF_F_TX_IPV4;
		else
			m->ol_flags &= ~RTE_MBUF_F_TX_IPV4;
	}

	if (unlikely(local)) {
		ipv4_loopback(e, rr.iface, m);
		return 0;
	}
	return arp_output(e, rr.iface, rr.next_hop, m);
drop:
	rte_pktmbuf_free(m);
	return rc;
}

/* Engine hook: receive what was looped back. Only packets queued before
 * this call are delivered, so two local endpoints answering each other
 * cannot keep the engine here. */
static int ipv4_lo_poll(struct mpdk_engine *e, void *arg)
{
	struct ipv4_lo *lo = arg;
	uint32_t n = lo->n;
	for (uint32_t i = 0; i < n; i++) {
		struct rte_mbuf *m = lo->q[lo->head].m;
		uint16_t iface = lo->q[lo->head].iface;
		lo->head = (lo->head + 1) & (IPV4_LO_MAX - 1);
		lo->n--;
		ipv4_input(e, iface, m);
	}
	return (int)n;
}

static struct ipv4_lo *ipv4_lo_of(const struct mpdk_engine *e)
{
	return e->ipv4_lo;
}

int ipv4_engine_init(struct mpdk_engine *e)
{
	struct ipv4_lo *lo = calloc(1, sizeof(*lo));
	if (lo == NULL)
		return -ENOMEM;
	int rc = engine_add_hook(e, ipv4_lo_poll, lo);
	if (rc < 0) {
		free(lo);
		return rc;
	}
	e->ipv4_lo = lo;
	return 0;
}

void ipv4_engine_fini(struct mpdk_engine *e)
{
	struct ipv4_lo *lo = e->ipv4_lo;
	if (lo == NULL)
		return;
	while (lo->n > 0) {
		rte_pktmbuf_free(lo->q[lo->head].m);
		lo->head = (lo->head + 1) & (IPV4_LO_MAX - 1);
		lo->n--;
	}
	/* unhook, keeping the others in order */
	for (unsigned h = 0; h < e->n_hooks; h++) {
		if (e->hooks[h].fn != ipv4_lo_poll)
			continue;
		for (unsigned k = h + 1; k < e->n_hooks; k++)
			e->hooks[k - 1] = e->hooks[k];
		e->n_hooks--;
		break;
	}
	free(lo);
	e->ipv4_lo = NULL;
}
