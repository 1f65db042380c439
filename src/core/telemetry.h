/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_CORE_TELEMETRY_H
#define MPDK_CORE_TELEMETRY_H

/*
 * Operations interfaces of a running process (docs/operations.md):
 *
 *  - rte_telemetry commands under /mpdk/ (dpdk-telemetry.py): the stacks,
 *    their counters, the drop counters, TCP connections and MPTCP
 *    subflows. They run on DPDK's telemetry threads. Counters are read
 *    without locks (aligned uint64_t written by one engine: no torn reads
 *    on x86-64). Connections come from a snapshot that the engine takes
 *    in its poll loop when a command asks for one, published under a
 *    seqlock; the engine never waits for the telemetry thread.
 *
 *  - DPDK packet capture (rte_pdump) so that dpdk-dumpcap, a secondary
 *    process, can capture the ethdev ports of a running primary. Served
 *    while at least one stack exists.
 *
 * Nothing here is on the per-packet path: the engine's only cost is one
 * load per poll iteration (is a snapshot wanted?).
 */

#include <stdbool.h>

struct mpdk_stack;

/* Publish stack @s (its engines exist) and start serving dpdk-dumpcap if
 * this is the first stack of a primary process. Failures are logged and
 * not fatal: the stack works without telemetry.
 * Returns 0 or a negative errno code. Thread: the stack's creator. */
int telemetry_stack_register(struct mpdk_stack *s);

/* Withdraw @s before it is freed: once this returns no telemetry thread
 * reads @s. Stops packet capture with the last stack. Safe for a stack
 * that was never registered. */
void telemetry_stack_unregister(struct mpdk_stack *s);

/* Does counter @id count discarded packets, segments or refused work?
 * (the /mpdk/drops selection, documented in docs/operations.md) */
bool telemetry_counter_is_drop(unsigned id);

#endif
