/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_DRIVERS_PORT_H
#define MPDK_DRIVERS_PORT_H

/*
 * What a driver provides to the stack. The engine is the only caller of
 * rx_burst/tx_burst; protocol code never touches a port.
 */

#include <stdint.h>
#include <stdbool.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include "mpdk/mpdk_port.h"

/* Offload capabilities the stack may use (set by the driver from what the
 * port advertises and the user allowed). */
#define PORT_TX_IPV4_CKSUM (1u << 0)
#define PORT_TX_TCP_CKSUM  (1u << 1)
#define PORT_TX_UDP_CKSUM  (1u << 2)
#define PORT_TX_TSO        (1u << 3)
#define PORT_RX_CKSUM      (1u << 4)  /* rx ol_flags carry IP/L4 cksum status */
#define PORT_RSS           (1u << 5)
#define PORT_TX_MULTISEG   (1u << 6)

struct port_ops {
	const char *kind;   /* "ethdev", "simlink", "test" */
	/* Receive up to @n frames from queue @q. Frames belong to the caller. */
	uint16_t (*rx_burst)(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n);
	/* Send up to @n frames on queue @q; returns how many the port took
	 * (it owns those). The caller frees the rest. */
	uint16_t (*tx_burst)(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n);
	bool (*link_up)(const struct mpdk_port *p);
	void (*close)(struct mpdk_port *p);
};

struct mpdk_port {
	const struct port_ops *ops;
	char name[64];
	struct rte_ether_addr mac;
	uint16_t mtu;
	uint16_t n_rx_queues, n_tx_queues;
	uint32_t caps;          /* PORT_* */
	uint16_t ethdev_id;     /* for kind "ethdev" */
	void *priv;             /* driver state */
};

static inline uint16_t port_rx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return p->ops->rx_burst(p, q, pkts, n);
}

static inline uint16_t port_tx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return p->ops->tx_burst(p, q, pkts, n);
}

#endif
