/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_PORT_H
#define MPDK_PORT_H

/**
 * @file
 * Ports: how frames reach a stack. A port is either a DPDK ethdev port (a
 * physical NIC or a vdev such as net_tap, net_af_packet, net_memif, net_ring,
 * net_pcap) or one end of a simlink, an in-process emulated link with delay,
 * loss, reordering and a rate limit.
 */

#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mpdk_port;
struct mpdk_clock;
struct rte_mempool;

/** Settings for bringing up a DPDK ethdev port. Zeroed fields take defaults. */
struct mpdk_ethdev_conf {
	uint16_t n_rx_queues;   /**< default 1 */
	uint16_t n_tx_queues;   /**< default 1 */
	uint16_t rx_desc;       /**< default 1024 */
	uint16_t tx_desc;       /**< default 1024 */
	uint16_t mtu;           /**< default: the port's current MTU (1500) */
	bool no_offloads;       /**< force software checksums even if offered */
	bool promiscuous;       /**< default off */
	/** Do not use TCP segmentation offload even if the port offers it
	 *  (TSO needs IPv4 and TCP checksum offload too). */
	bool no_tso;
	/** Largest TCP payload handed to the port in one TSO super-segment,
	 *  default and maximum 65535 minus the IPv4 and TCP headers; the
	 *  stack uses min(this, the send and congestion windows), in whole
	 *  segments of the MSS. docs/architecture.md "Offloads". */
	uint32_t tso_max;
	/** Do not enable the port's TCP LRO even if offered (--no-gro). With
	 *  LRO on, the stack does no software GRO on that port. */
	bool no_lro;
};

/**
 * Configure and start DPDK port @p port_id. RSS is enabled when the port has
 * more than one rx queue and supports it; IPv4/TCP/UDP checksum offloads are
 * used when offered (and not disabled), software checksums otherwise.
 * @param pool mempool for rx descriptors (also used by the stack for tx).
 * @return 0 with *out set, -ENODEV for no such port, or another negative code.
 */
int mpdk_ethdev_port_open(uint16_t port_id, const struct mpdk_ethdev_conf *conf,
			  struct rte_mempool *pool, struct mpdk_port **out);

/** One direction of a simlink. */
struct mpdk_simlink_dir {
	uint64_t delay_ns;      /**< one-way propagation delay */
	uint64_t jitter_ns;     /**< extra uniform random delay in [0, jitter) */
	double loss;            /**< probability a frame is dropped, 0..1 */
	double reorder;         /**< probability a frame is held back behind the next one, 0..1 */
	uint64_t rate_bps;      /**< serialisation rate in bits/s, 0 = unlimited */
	uint32_t queue_limit;   /**< frames queued before tail drop, default 4096 */
};

/** Settings of a simlink. */
struct mpdk_simlink_conf {
	struct mpdk_simlink_dir a_to_b, b_to_a;
	uint64_t seed;          /**< random seed: same seed, same drops */
	uint16_t mtu;           /**< default 1500 */
	struct mpdk_clock *clock; /**< time source (required) */
	struct rte_mempool *pool; /**< mbuf pool of the link (required) */
	const char *name;       /**< for logs, may be NULL */
	/** rx/tx queues of end a and of end b, default 1, at most 16. With
	 *  more than one, a frame received on that end goes to the queue a
	 *  NIC's RSS would choose: Toeplitz hash with the standard Microsoft
	 *  key over the IPv4 addresses and TCP/UDP ports, queue = hash %
	 *  queues; non-IPv4 frames to queue 0. Still one thread for both
	 *  ends. */
	uint16_t n_queues_a, n_queues_b;
};

/**
 * Create a simlink and its two ends. Each end has its own locally
 * administered MAC address. The link starts up.
 */
int mpdk_simlink_create(const struct mpdk_simlink_conf *conf,
			struct mpdk_port **a, struct mpdk_port **b);

/** Change one direction's impairments at run time (a end -> b end when
 *  @p a_to_b is true). */
int mpdk_simlink_set(struct mpdk_port *end, bool a_to_b,
		     const struct mpdk_simlink_dir *dir);

/** Bring a simlink up or down at run time; a down link drops every frame
 *  (frames in flight are lost too). @p end may be either end. */
int mpdk_simlink_set_up(struct mpdk_port *end, bool up);

/** Frames the link carried, dropped by loss, by queue overflow and while down. */
struct mpdk_simlink_stats {
	uint64_t sent, delivered, lost, overflow, down_drops, reordered;
};
int mpdk_simlink_stats(const struct mpdk_port *end, bool a_to_b,
		       struct mpdk_simlink_stats *st);

/** Port name (the ethdev name or "simlinkN.a"). */
const char *mpdk_port_name(const struct mpdk_port *p);

/** Copy the port's MAC address. @return 0 or -EINVAL. */
int mpdk_port_mac(const struct mpdk_port *p, uint8_t mac[6]);

/** The DPDK port id of an ethdev port, or -EINVAL for other kinds. */
int mpdk_port_ethdev_id(const struct mpdk_port *p);

/** Link status. */
bool mpdk_port_link_up(const struct mpdk_port *p);

/** Stop and free a port. It must not be used by a stack any more. */
void mpdk_port_close(struct mpdk_port *p);

#ifdef __cplusplus
}
#endif
#endif
