/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_NET_ETH_H
#define MPDK_NET_ETH_H

#include <stdint.h>
#include <rte_mbuf.h>
#include <rte_ether.h>

struct mpdk_engine;

/* A received frame, data at the Ethernet header. Consumes m. Drops (and
 * counts) runts, frames for other MACs, unknown ethertypes. VLAN-tagged
 * frames are dropped and counted for now. */
void eth_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);
/* Prepend an Ethernet header and queue for transmission. Consumes m.
 * Returns 0 or -ENOBUFS (no headroom; m freed and counted). */
int eth_output(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m,
	       const struct rte_ether_addr *dst, uint16_t ethertype);

#endif
