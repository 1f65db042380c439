/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_NET_ARP_H
#define MPDK_NET_ARP_H

/*
 * ARP (RFC 826) per engine: a bounded cache with expiry, requests with retry,
 * replies for our addresses, gratuitous ARP at start, and a bounded queue of
 * packets per unresolved entry. Sizes and times come from mpdk_stack_conf.
 */

#include <stdint.h>
#include <stdbool.h>
#include <rte_mbuf.h>
#include <rte_ether.h>

struct mpdk_engine;

int arp_engine_init(struct mpdk_engine *e);
void arp_engine_fini(struct mpdk_engine *e);
/* ARP frame, data at the ARP header (Ethernet header stripped). Consumes m. */
void arp_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);
/* Send an IPv4 packet (data at the IP header) to @next_hop on @iface:
 * immediately when resolved, otherwise queued while a request is
 * outstanding (oldest dropped and counted past the bound; all dropped and
 * counted when resolution fails). Consumes m. Returns 0 or a negative code. */
int arp_output(struct mpdk_engine *e, uint16_t iface, uint32_t next_hop, struct rte_mbuf *m);
/* Broadcast a gratuitous ARP for every address of every interface. */
void arp_announce_all(struct mpdk_engine *e);
/* Look up a resolved entry. Returns true and copies the MAC. */
bool arp_lookup(struct mpdk_engine *e, uint16_t iface, uint32_t ip, struct rte_ether_addr *mac);
/* Another engine of the stack heard @ip at @mac on @iface (redirect.c:
 * ARP frames reach one engine only): refresh the entry, or add it when
 * @add (the frame was for one of our addresses), as arp_input() would;
 * nothing is sent or counted as received. */
void arp_learn(struct mpdk_engine *e, uint16_t iface, uint32_t ip, const struct rte_ether_addr *mac,
	       bool add);
/* Number of entries (any state). */
unsigned arp_cache_size(const struct mpdk_engine *e);

#endif
