/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet II framing: demultiplex received frames by ethertype, prepend a
 * header to outgoing packets. */
#include <errno.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include "core/engine.h"
#include "net/eth.h"
#include "net/arp.h"
#include "net/ipv4.h"

void eth_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	const struct net_iface *ifp = &e->stack->ifaces[iface];
	const struct rte_ether_hdr *eh;

	/* The header must be in the first segment; every PMD puts at least
	 * the first few hundred bytes there, so a shorter first segment is
	 * treated as a runt. */
	if (unlikely(m->data_len < sizeof(*eh))) {
		CTR_INC(e, eth_rx_runt);
		goto drop;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &ifp->mac))) {
		if (rte_is_broadcast_ether_addr(&eh->dst_addr)) {
			/* accepted: ARP requests, IPv4 broadcasts (dropped by IP) */
		} else if (rte_is_multicast_ether_addr(&eh->dst_addr)) {
			CTR_INC(e, eth_rx_multicast);
			goto drop;
		} else {
			CTR_INC(e, eth_rx_not_for_us);
			goto drop;
		}
	}

	uint16_t type = rte_be_to_cpu_16(eh->ether_type);
	m->l2_len = sizeof(*eh);
	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		rte_pktmbuf_adj(m, sizeof(*eh));
		ipv4_input(e, iface, m);
		return;
	case RTE_ETHER_TYPE_ARP:
		rte_pktmbuf_adj(m, sizeof(*eh));
		arp_input(e, iface, m);
		return;
	case RTE_ETHER_TYPE_VLAN:
	case RTE_ETHER_TYPE_QINQ:
		CTR_INC(e, eth_rx_vlan);
		goto drop;
	default:
		CTR_INC(e, eth_rx_unknown_ethertype);
		goto drop;
	}
drop:
	rte_pktmbuf_free(m);
}

int eth_output(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m,
	       const struct rte_ether_addr *dst, uint16_t ethertype)
{
	struct rte_ether_hdr *eh =
		(struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(*eh));
	if (unlikely(eh == NULL)) {
		CTR_INC(e, eth_tx_no_headroom);
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&e->stack->ifaces[iface].mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(ethertype);
	m->l2_len = sizeof(*eh);
	engine_tx(e, iface, m);
	return 0;
}
