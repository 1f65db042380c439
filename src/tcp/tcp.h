/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TCP_TCP_H
#define MPDK_TCP_TCP_H

/*
 * What the engine sees of TCP: per-engine init/fini (called by stack.c) and
 * the IPPROTO_TCP input handler (registered by tcp_engine_init()).
 */

#include <stdint.h>
#include <rte_mbuf.h>

struct mpdk_engine;

/* Create the engine's TCP state (connection table, demux hashes, event
 * hook) from stack->conf.tcp, and register stack->l4_input[IPPROTO_TCP].
 * Returns 0 or a negative code. */
int tcp_engine_init(struct mpdk_engine *e);
/* Free every connection (without sending anything) and the TCP state. */
void tcp_engine_fini(struct mpdk_engine *e);
/* l4_input handler: m's data starts at the IPv4 header. Consumes m. */
void tcp_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);

#endif
