/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_REDIRECT_H
#define MPDK_CORE_REDIRECT_H

/*
 * Cross-engine work of a stack with several engines (design.md, "one
 * engine per lcore"): each engine has one multi-producer, single-consumer
 * rte_ring of messages, and a redirect table (4-tuple -> engine) that only
 * it reads and writes. Nothing here locks; the token table is the only
 * shared structure it reads (lock-free).
 *
 * What travels through the rings:
 * - frames: a TCP segment received by an engine that does not own its
 *   4-tuple (engine 0 receiving for a port without RSS; a SYN+MP_JOIN
 *   whose token belongs to another engine; later segments of that
 *   4-tuple, found in the redirect table). The owner processes it as if
 *   it had received it;
 * - frames to send, from engines without a tx queue of their own on a
 *   port, to engine 0;
 * - ARP senders learned by one engine, so every engine's ARP cache knows
 *   the neighbours (non-IP frames land on queue 0 only);
 * - redirect table upkeep: "is this 4-tuple still yours?" to the home
 *   engine every second, "gone" back when it has no connection for it;
 * - a SYN for a 4-tuple with a redirect entry, to the entry's engine: a
 *   SYN anyone can forge neither deletes nor re-points an entry while
 *   that engine has the connection (its TCP answers, RFC 5961 §4).
 *
 * Where a port can steer a 4-tuple to a queue (PORT_FLOW_STEER), an
 * entry pointing away from the engine RSS picks also gets an rte_flow
 * rule, made and destroyed off the fast path by the engine holding the
 * entry (flow.h); the entry stays as the fallback.
 *
 * With one engine none of this exists: redirect_steer() returns false at
 * once and the rings are not created.
 */

#include <stdbool.h>
#include <stdint.h>
#include <rte_mbuf.h>

struct mpdk_engine;
struct mpdk_stack;

#define REDIRECT_RING_SIZE 4096      /* messages per engine */
#define REDIRECT_TABLE_SIZE 4096     /* redirect entries per engine */
#define REDIRECT_CHECK_NS (1000ull * 1000 * 1000)   /* table upkeep period */

enum redirect_msg_type {
	RD_PKT = 1,   /* m: a received frame for the target to process */
	RD_TX,        /* m: a frame for engine 0 to send on iface */
	RD_ARP,       /* ip + mac: a neighbour heard on iface (add: it talked to us) */
	RD_CHECK,     /* tuple + gen: does the target still have this connection? */
	RD_GONE,      /* tuple + gen: it does not: drop the redirect entry; m (from
	               * RD_SYN, else NULL): then steer that SYN afresh */
	RD_SYN,       /* tuple + gen + m: a SYN for a 4-tuple the sender's entry
	               * (generation gen) sends to the target: processed there when
	               * it has a connection for it, else answered RD_GONE + m */
};

/* RD_SYN/RD_GONE gen: the SYN was received from a port (entry generations
 * are 24 bits). */
#define RD_SYN_FROM_PORT 0x80000000u

/* One ring element (32 bytes). Addresses and ports in network order, the
 * tuple seen from the receiving stack (l = ours, r = the peer's). */
struct redirect_msg {
	uint8_t type;
	uint8_t from;          /* sending engine id */
	uint16_t iface;
	uint32_t gen;          /* RD_CHECK/RD_GONE: entry generation; RD_ARP: add */
	union {
		struct {
			uint32_t laddr, raddr;
			uint16_t lport, rport;
		} t;
		struct {
			uint32_t ip;
			uint8_t mac[6];
		} arp;
	};
	struct rte_mbuf *m;
};

/* Create / free the engine's ring and table (only with several engines). */
int redirect_engine_init(struct mpdk_engine *e);
void redirect_engine_fini(struct mpdk_engine *e);

/*
 * A received frame (data at the Ethernet header, m->port = iface), from
 * a port (@from_port) or from another engine's RD_PKT. Returns true when
 * the frame was handed to another engine (or dropped and counted), false
 * when this engine processes it. Mirrors ARP senders to the other engines.
 */
bool redirect_steer(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m, bool from_port);

/* Process up to a burst of messages from the engine's ring, and run the
 * table upkeep when due. Returns the work done. */
int redirect_poll(struct mpdk_engine *e);

/* Frames this engine cannot send itself (no tx queue of its own on
 * iface): handed to engine 0. Takes all @n frames. */
void redirect_tx(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf **pkts, uint16_t n);

/* Post one message to engine @to's ring. Returns 0, or -ENOBUFS when the
 * ring is full (counted; a frame in it is NOT freed), -EINVAL. */
int redirect_post(struct mpdk_engine *e, unsigned to, const struct redirect_msg *msg);

/*
 * The engine that receives segments of the 4-tuple (ours laddr:lport, the
 * peer's raddr:rport) arriving on @iface: the rx queue the port's RSS
 * picks (queue i = engine i), or, for a port without RSS, the software
 * choice: the same Toeplitz hash (standard key) modulo the number of
 * engines. 0 with one engine.
 */
unsigned redirect_owner(const struct mpdk_stack *s, uint16_t iface, uint32_t laddr, uint16_t lport,
			uint32_t raddr, uint16_t rport);

/* Redirect table of the engine (tests, telemetry): the engine a 4-tuple is
 * sent to, or -1. */
int redirect_lookup(struct mpdk_engine *e, uint32_t laddr, uint16_t lport, uint32_t raddr,
		    uint16_t rport);
/* Entries in the engine's redirect table. */
unsigned redirect_table_size(const struct mpdk_engine *e);
/* rte_flow rules (flow.h) of the engine's entries, for tests: the rx
 * queue the rule for the 4-tuple steers to (-1: no rule installed), and
 * rule requests not yet carried out. */
int redirect_flow_queue(struct mpdk_engine *e, uint32_t laddr, uint16_t lport, uint32_t raddr,
			uint16_t rport);
unsigned redirect_flow_pending(const struct mpdk_engine *e);

#endif
