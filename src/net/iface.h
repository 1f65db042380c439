/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_NET_IFACE_H
#define MPDK_NET_IFACE_H

#include <stdint.h>
#include <rte_ether.h>

#define IFACE_MAX_ADDRS 16

struct mpdk_port;

/* A port as the network layer sees it: MAC, MTU, IPv4 addresses. */
struct net_iface {
	uint16_t index;
	struct mpdk_port *port;
	struct rte_ether_addr mac;
	uint16_t mtu;
	uint32_t caps;                    /* PORT_* offload caps (drivers/port.h) */
	uint16_t n_addrs;
	uint32_t addrs[IFACE_MAX_ADDRS];  /* network byte order */
	uint8_t prefix_len[IFACE_MAX_ADDRS];
};

#endif
