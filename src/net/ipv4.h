/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_NET_IPV4_H
#define MPDK_NET_IPV4_H

#include <stdint.h>
#include <stdbool.h>
#include <rte_mbuf.h>

struct mpdk_engine;

#define IPV4_DEFAULT_TTL 64

/* IPv4 packet, data at the IP header. Validates version, IHL, total length
 * (frame trimmed to it), header checksum (or the port's rx verdict), source
 * address; drops and counts fragments, packets not for us; dispatches to
 * the stack's l4_input[proto] (none: ICMP protocol unreachable). A TTL of 0
 * or 1 is accepted: hosts must not drop for that (RFC 1122 3.2.1.7).
 * Consumes m. */
void ipv4_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);

/*
 * Send an L4 segment (data at the L4 header) from @src (0 = route's choice)
 * to @dst. Prepends the IPv4 header, routes, resolves the next hop.
 * If m->ol_flags has RTE_MBUF_F_TX_TCP_CKSUM or RTE_MBUF_F_TX_UDP_CKSUM the L4
 * checksum field (at m->l4_len-independent offset 16 for TCP, 6 for UDP) is
 * finished here: by the port's offload when it has one, in software
 * otherwise. Consumes m. Returns 0 or a negative code (-MPDK_ENOROUTE,
 * -EMSGSIZE above the MTU without TSO, -ENOBUFS, -ENOTSUP).
 * A packet to one of our own addresses is looped back: checksums are
 * finished in software and it is received by ipv4_input() in the engine's
 * next iteration (never synchronously, so no re-entry into the caller).
 */
int ipv4_output(struct mpdk_engine *e, struct rte_mbuf *m, uint32_t src, uint32_t dst,
		uint8_t proto, uint8_t ttl);

/* True if @addr (network order) is one of the stack's addresses; sets *iface. */
bool ipv4_is_local(const struct mpdk_engine *e, uint32_t addr, uint16_t *iface);

/* Per-engine IPv4 state (the loopback queue, served by an engine hook).
 * Called from arp_engine_init()/arp_engine_fini(). */
int ipv4_engine_init(struct mpdk_engine *e);
void ipv4_engine_fini(struct mpdk_engine *e);

#endif
