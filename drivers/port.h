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
#define PORT_RX_LRO        (1u << 7)  /* the port coalesces TCP segments (no software GRO) */
/* Exact-match steering of one IPv4 TCP 4-tuple to an rx queue (an
 * rte_flow rule ETH / IPV4 / TCP -> QUEUE that the port both validated and
 * created when probed at open): ops->flow_steer/flow_unsteer work. */
#define PORT_FLOW_STEER    (1u << 8)

struct port_ops {
	const char *kind;   /* "ethdev", "simlink", "test" */
	/* Receive up to @n frames from queue @q. Frames belong to the caller. */
	uint16_t (*rx_burst)(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n);
	/* Send up to @n frames on queue @q; returns how many the port took
	 * (it owns those). The caller frees the rest. */
	uint16_t (*tx_burst)(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n);
	bool (*link_up)(const struct mpdk_port *p);
	void (*close)(struct mpdk_port *p);
	/* Optional (PORT_FLOW_STEER): make received IPv4 TCP frames src ->
	 * dst (addresses and ports in network order, as on the wire) land on
	 * rx queue @q. Returns the rule, or NULL with *err set (negative
	 * errno: -ENOSPC table full, -ENOTSUP, ...). Control-path cost (a NIC
	 * table write, a netlink round trip): callers defer it off the fast
	 * path (src/core/flow.c). */
	void *(*flow_steer)(struct mpdk_port *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
			    uint16_t dport, uint16_t q, int *err);
	/* Remove a rule flow_steer returned. 0 or a negative errno. */
	int (*flow_unsteer)(struct mpdk_port *p, void *rule);
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
	/* PORT_TX_TSO: largest TCP payload of one super-segment (bytes). The
	 * TCP sender uses TSO only when caps has PORT_TX_TSO and this is at
	 * least two segments' worth. */
	uint32_t tso_max;
	/* PORT_TX_TSO: largest Ethernet + IPv4 + TCP headers + tso_segsz the
	 * port accepts (the frames it cuts, without CRC): mtu + 14 normally;
	 * net_tap in DPDK 22.11 checks against the MTU alone. */
	uint32_t tso_frame_max;
	/* Receive side scaling, when the port spreads frames over its rx
	 * queues by a Toeplitz hash software can predict (PORT_RSS set and
	 * rss_key != NULL): an IPv4 TCP/UDP frame goes to queue
	 * rss_reta[hash % rss_reta_size] (hash % n_rx_queues without a
	 * table), other IPv4 frames likewise by the address pair, non-IP
	 * frames to queue 0. The engines use it to know which engine a
	 * 4-tuple lands on and to pick source ports (design.md). */
	const uint8_t *rss_key;
	uint8_t rss_key_len;
	uint16_t rss_reta_size;
	const uint16_t *rss_reta;
	/* rte_flow probe at open (drivers/ethdev): what one trial rule cost to
	 * create and to destroy (ns; 0 when not probed), and, when the port
	 * has no PORT_FLOW_STEER, why ("validate: ...", "create: ...",
	 * "one rx queue", ...; empty when supported or not probed). */
	uint64_t flow_create_ns, flow_destroy_ns;
	char flow_unsupported[96];
};

/* The standard Toeplitz key of the Microsoft RSS specification
 * ("Verifying the RSS Hash Calculation"): 40 bytes. */
#define PORT_RSS_STD_KEY_LEN 40
extern const uint8_t port_rss_std_key[PORT_RSS_STD_KEY_LEN];

/* Toeplitz hash of an IPv4 4-tuple as the receiving NIC computes it:
 * input = source address, destination address, source port, destination
 * port, in that order (all in network byte order here). @key must hold at
 * least 16 bytes. sport = dport = 0 with @with_ports false hashes the
 * address pair only (12 -> 8 bytes of input). */
uint32_t port_toeplitz_ipv4(const uint8_t *key, uint32_t saddr, uint32_t daddr, uint16_t sport,
			    uint16_t dport, bool with_ports);
/* The rx queue a received IPv4 TCP segment (src -> dst, network byte
 * order) lands on: 0 for ports without predictable RSS. */
uint16_t port_rss_queue(const struct mpdk_port *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
			uint16_t dport);
/* Does the port spread frames over several rx queues predictably? */
static inline bool port_rss_predictable(const struct mpdk_port *p)
{
	return (p->caps & PORT_RSS) && p->rss_key != NULL && p->n_rx_queues > 1;
}

/* Steer a 4-tuple (as received: src -> dst) to rx queue @q, when the port
 * has PORT_FLOW_STEER. Returns the rule or NULL with *err set. */
void *port_flow_steer(struct mpdk_port *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
		      uint16_t dport, uint16_t q, int *err);
/* Remove a rule of port_flow_steer(). 0 or a negative errno. */
int port_flow_unsteer(struct mpdk_port *p, void *rule);

static inline uint16_t port_rx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return p->ops->rx_burst(p, q, pkts, n);
}

static inline uint16_t port_tx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return p->ops->tx_burst(p, q, pkts, n);
}

#endif
