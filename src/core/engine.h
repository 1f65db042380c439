/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_ENGINE_H
#define MPDK_CORE_ENGINE_H

/*
 * Internal view of a stack and its engines. One engine per lcore, run to
 * completion: rx burst -> eth/ip/l4 input -> poll hooks -> timers ->
 * tx flush. Everything an engine owns (timers, ARP cache, counters, flow
 * tables) is touched only by its lcore.
 */

#include <stdint.h>
#include <stdbool.h>
#include <rte_mbuf.h>
#include <rte_ether.h>
#include "mpdk/mpdk_stack.h"
#include "mpdk/mpdk_error.h"
#include "clock.h"
#include "timer_wheel.h"
#include "counters.h"
#include "../net/iface.h"
#include "../net/route.h"

#define ENGINE_MAX 8
#define ENGINE_RX_BURST 32
#define ENGINE_TX_BURST 32
#define ENGINE_MAX_HOOKS 8

struct mpdk_engine;
struct pcap_writer;
struct arp_cache;
struct ipv4_lo;
struct token_table;
struct redirect;

/* Input handler of an IP protocol; m's data starts at the IPv4 header,
 * m->l3_len is the IP header length, the frame is trimmed to total length. */
typedef void (*l4_input_fn)(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);
/* Called once per loop iteration after rx and before timers; returns work done. */
typedef int (*engine_hook_fn)(struct mpdk_engine *e, void *arg);

struct tx_batch {
	uint16_t n;
	struct rte_mbuf *pkts[ENGINE_TX_BURST];
};

struct mpdk_stack {
	char name[32];
	struct mpdk_stack_conf conf;
	struct net_iface ifaces[MPDK_MAX_PORTS];
	uint16_t n_ifaces;
	struct route_table routes;
	struct mpdk_clock *clock;
	bool own_clock;
	struct rte_mempool *pool;
	bool own_pool;
	struct token_table *tokens;  /* MPTCP tokens of every engine: lock-free reads */
	struct pcap_writer *pcap;
	uint64_t pcap_epoch_ns;    /* wall time at clock 0, for pcap timestamps */
	l4_input_fn l4_input[256];
	struct mpdk_engine *engines[ENGINE_MAX];
	unsigned n_engines;
	/* Per iface with several engines: true when the port cannot spread
	 * flows itself (one rx queue): engine 0 receives everything and
	 * hands each TCP segment to the engine that owns its 4-tuple
	 * (redirect.c). */
	bool sw_steer[MPDK_MAX_PORTS];
};

/* port_rxq[] value: this engine does not receive on that port. */
#define ENGINE_NO_RXQ UINT16_MAX
/* port_txq[] value: this engine transmits on that port through engine 0. */
#define ENGINE_TX_VIA0 UINT16_MAX

struct mpdk_engine {
	struct mpdk_stack *stack;
	unsigned id;
	uint16_t rxq, txq;         /* queue index on every port (= id) */
	uint16_t port_rxq[MPDK_MAX_PORTS];  /* rx queue polled per iface, or ENGINE_NO_RXQ */
	uint16_t port_txq[MPDK_MAX_PORTS];  /* tx queue per iface, or ENGINE_TX_VIA0 */
	struct redirect *rd;       /* ring and redirect table (several engines only) */
	uint64_t now;              /* clock_now() at the start of this iteration */
	struct timer_wheel tw;
	struct arp_cache *arp;
	struct ipv4_lo *ipv4_lo;   /* packets to our own addresses, delivered next poll */
	struct tx_batch tx[MPDK_MAX_PORTS];
	struct { engine_hook_fn fn; void *arg; } hooks[ENGINE_MAX_HOOKS];
	unsigned n_hooks;
	void *tcp;                 /* TCP module state of this engine */
	uint64_t ctr[CTR_MAX];
};

/* Current time of the engine, refreshed each iteration (and by
 * engine_refresh_now() for code that needs a fresh reading). */
static inline uint64_t engine_now(const struct mpdk_engine *e) { return e->now; }
static inline uint64_t engine_refresh_now(struct mpdk_engine *e)
{
	e->now = clock_now(e->stack->clock);
	return e->now;
}

/* Queue a frame (Ethernet header included) for transmission on iface.
 * Ownership passes to the engine; frames are written to the pcap and sent
 * at the end of the iteration or when the batch is full. */
void engine_tx(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);
/* engine_tx() for a frame already written to the pcap (sent for another
 * engine of the stack). */
void engine_tx_queue(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);
/* Send every queued frame now. */
void engine_tx_flush(struct mpdk_engine *e);
/* Allocate an mbuf from the stack's pool; counts failures. */
struct rte_mbuf *engine_alloc_mbuf(struct mpdk_engine *e);
int engine_add_hook(struct mpdk_engine *e, engine_hook_fn fn, void *arg);
/* Deliver one received frame (as if from iface's port): used by the poll
 * loop and by tests that inject frames. */
void engine_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);
/* engine_input() past the pcap and the choice of engine: a frame another
 * engine of the stack received and handed to this one. */
void engine_input_steered(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);

#endif
