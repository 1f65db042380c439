/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_STACK_H
#define MPDK_STACK_H

/**
 * @file
 * A stack: a set of ports with IPv4 addresses and routes, served by one or
 * more engines. An engine is a run-to-completion poll loop owned by one lcore
 * (or, in tests, by whoever calls mpdk_engine_poll()). Several stacks may
 * live in one process, for example two stacks joined by simlinks.
 */

#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mpdk_stack;
struct mpdk_engine;
struct mpdk_port;
struct mpdk_clock;
struct rte_mempool;
struct mpdk_tcp_conf;

#define MPDK_MAX_PORTS 16
#define MPDK_MAX_ADDRS 64

/** One IPv4 address on a port (--addr PORT:IPV4/PREFIX). Network byte order. */
struct mpdk_addr_conf {
	uint16_t port;      /**< index into mpdk_stack_conf.ports */
	uint32_t addr;      /**< network byte order */
	uint8_t prefix_len; /**< 0..32 */
};

/** Reply to a ping sent with mpdk_ping(). */
struct mpdk_ping_reply {
	uint32_t from;      /**< network byte order */
	uint16_t id, seq;
	uint16_t len;       /**< ICMP payload bytes */
	uint64_t rtt_ns;
};
typedef void (*mpdk_ping_cb)(void *arg, const struct mpdk_ping_reply *r);

/** Stack settings. Zeroed fields take defaults. */
struct mpdk_stack_conf {
	const char *name;                        /**< for logs and stats */
	struct mpdk_port *ports[MPDK_MAX_PORTS]; /**< the stack's ports */
	uint16_t n_ports;
	struct mpdk_addr_conf addrs[MPDK_MAX_ADDRS];
	uint16_t n_addrs;
	uint32_t gateway;          /**< default route next hop, 0 = none (network order) */
	const char *pcap_path;     /**< write every frame sent and received, NULL = off */
	struct mpdk_clock *clock;  /**< NULL = a TSC clock owned by the stack */
	struct rte_mempool *pool;  /**< NULL = create one of n_mbufs */
	uint32_t n_mbufs;          /**< default 8191 */
	uint64_t timer_tick_ns;    /**< timer wheel granularity, default 100 us */
	uint32_t arp_timeout_ms;   /**< ARP entry lifetime, default 300000 */
	uint32_t arp_retry_ms;     /**< ARP request retransmit interval, default 1000 */
	uint32_t arp_max_retries;  /**< requests before giving up, default 3 */
	uint32_t arp_queue_max;    /**< packets held per unresolved entry, default 8 */
	uint32_t arp_entries;      /**< ARP cache size, default 1024 */
	uint32_t max_mptcp_conns;  /**< MPTCP connections (tokens) of the stack, default 16384 */
	mpdk_ping_cb on_ping_reply;
	void *ping_arg;
	const struct mpdk_tcp_conf *tcp; /**< TCP settings (mpdk_tcp.h), NULL = defaults */
	/** Engines (poll loops, one per lcore) serving the stack, default 1,
	 *  at most MPDK_MAX_ENGINES. Engine i receives on rx queue i of every
	 *  port that has one queue per engine and predictable RSS; a port with
	 *  a single rx queue is received by engine 0, which hands each TCP
	 *  segment to the engine owning its 4-tuple (docs/architecture.md). */
	uint16_t n_engines;
	/** Do not coalesce received TCP segments (software GRO, on by
	 *  default on every port without hardware LRO; --no-gro). */
	bool no_gro;
};

#define MPDK_MAX_ENGINES 8

/**
 * Start the DPDK EAL with @p argc / @p argv (the part before "--").
 * Safe to call more than once; later calls are no-ops returning 0.
 * @return the number of arguments consumed, or -MPDK_EEAL.
 */
int mpdk_eal_init(int argc, char **argv);

/** Create a stack. Ports must be open. @return 0 or a negative code. */
int mpdk_stack_create(const struct mpdk_stack_conf *conf, struct mpdk_stack **out);

/** Stop and free a stack (not its ports, clock or caller-supplied pool). */
void mpdk_stack_free(struct mpdk_stack *s);

/** The stack's engine @p idx (0 .. n-1), or NULL. */
struct mpdk_engine *mpdk_stack_engine(struct mpdk_stack *s, unsigned idx);

/**
 * Run one iteration of the engine's loop: receive bursts on every port,
 * process them, run due timers, transmit what was produced.
 * Must be called by the engine's owning thread only.
 * @return the number of frames and timers handled (0 = idle).
 */
int mpdk_engine_poll(struct mpdk_engine *e);

/** Poll @p e until *@p stop becomes true. */
void mpdk_engine_run(struct mpdk_engine *e, volatile bool *stop);

/**
 * Send an ICMP echo request of @p len payload bytes to @p dst (network order).
 * The reply is reported through conf.on_ping_reply.
 * @return 0, -MPDK_ENOROUTE, -ENOBUFS, -EINVAL.
 */
int mpdk_ping(struct mpdk_engine *e, uint32_t dst, uint16_t id, uint16_t seq, uint16_t len);

/** Read a counter by name, summed over the stack's engines.
 *  @return 0 with *value set, or -ENOENT. */
int mpdk_stat_get(const struct mpdk_stack *s, const char *name, uint64_t *value);

/** Print every non-zero counter (all of them if @p all) as "name value". */
void mpdk_stats_print(const struct mpdk_stack *s, FILE *f, bool all);

/** The stack's pool of mbufs. */
struct rte_mempool *mpdk_stack_pool(const struct mpdk_stack *s);

/** The stack's clock. */
struct mpdk_clock *mpdk_stack_clock(const struct mpdk_stack *s);

/** The stack an engine belongs to, or NULL. */
struct mpdk_stack *mpdk_engine_stack(const struct mpdk_engine *e);

/** Number of engines of the stack. */
unsigned mpdk_stack_n_engines(const struct mpdk_stack *s);

/**
 * Poll every engine of the stack once, in order, from the calling thread:
 * for tests, simulations and single-core setups. Only valid while no lcore
 * runs any of the stack's engines.
 * @return the total work done (0 = idle), or -EINVAL.
 */
int mpdk_stack_poll(struct mpdk_stack *s);

/**
 * Run every engine of the stack on its own lcore until *@p stop becomes
 * true: engine 0 on the calling lcore, engine i (i >= 1) on the i-th worker
 * lcore of the EAL (rte_eal_remote_launch). Returns when all engines have
 * stopped.
 * @return 0, -ENODEV (fewer worker lcores than engines - 1), -EBUSY (a
 *         worker lcore is busy), -EINVAL.
 */
int mpdk_stack_run(struct mpdk_stack *s, volatile bool *stop);

#ifdef __cplusplus
}
#endif
#endif
