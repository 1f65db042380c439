/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_FLOW_H
#define MPDK_CORE_FLOW_H

/*
 * Hardware steering of 4-tuples that live on another engine than the one
 * the port's RSS picks (design.md: a join handed to its connection's home
 * engine, "a software redirect entry, or an rte_flow rule where the NIC
 * supports one").
 *
 * The engine that holds a redirect entry (redirect.c) also owns the rule
 * that makes the port deliver the 4-tuple straight to the entry's engine:
 * flow_want() when the entry is set, flow_drop() when it goes. Creating
 * or destroying a rule is a control-path call (a NIC table write, a
 * netlink round trip for net_tap), so neither happens inline: requests
 * queue up per engine and flow_poll() runs one per iteration, when the
 * iteration had nothing else to do or the oldest request has waited
 * FLOW_DEFER_MAX_NS. Until the rule exists (and if it never does: port
 * without PORT_FLOW_STEER, table full) the redirect entry carries the
 * segments in software. Nothing here is shared between engines.
 */

#include <stdbool.h>
#include <stdint.h>

struct mpdk_engine;
struct flow_table;
struct mpdk_stack;

#define FLOW_TABLE_SIZE 4096                   /* rules per engine */
#define FLOW_DEFER_MAX_NS (2ull * 1000 * 1000) /* a busy engine still runs one op per 2 ms */

/* Does any port of the stack steer flows (PORT_FLOW_STEER, more than one
 * rx queue and not software steered)? Only then is a table worth having. */
bool flow_stack_capable(const struct mpdk_stack *s);
/* The rule table of engine @e (its redirect state holds it), or NULL
 * when out of memory. */
struct flow_table *flow_table_create(struct mpdk_engine *e);
/* Destroys every rule still installed (stack shutdown), counted as
 * removed, then the table. The ports must still be open. NULL-safe. */
void flow_table_free(struct mpdk_engine *e, struct flow_table *ft);

/* The 4-tuple (ours laddr:lport, the peer's raddr:rport, network order)
 * received on @iface should land on rx queue @queue: queue a rule (or
 * re-point a queued or installed one). A full table counts
 * flow_rule_failures. */
void flow_want(struct mpdk_engine *e, struct flow_table *ft, uint16_t iface, uint32_t laddr, uint16_t lport,
	       uint32_t raddr, uint16_t rport, uint16_t queue);
/* The 4-tuple's rule is no longer wanted: destroyed later (or never
 * created when still queued), or right now with @now (a new connection
 * on the 4-tuple is starting: its next segments must not follow the old
 * rule). No-op when there is none. */
void flow_drop(struct mpdk_engine *e, struct flow_table *ft, uint32_t laddr, uint16_t lport,
	       uint32_t raddr, uint16_t rport, bool now);

/* Run at most one queued create/destroy: when @idle, or when the oldest
 * request is FLOW_DEFER_MAX_NS old. Returns the work done (0 or 1). */
int flow_poll(struct mpdk_engine *e, struct flow_table *ft, bool idle);

/* Tests: the rx queue the engine's rule for the 4-tuple steers to, or -1
 * when no rule is installed; and requests still queued. */
int flow_installed_queue(const struct flow_table *ft, uint32_t laddr, uint16_t lport, uint32_t raddr,
			 uint16_t rport);
unsigned flow_pending(const struct flow_table *ft);

#endif
