/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_NET_ROUTE_H
#define MPDK_NET_ROUTE_H

/*
 * IPv4 routing over connected subnets and a default gateway. Longest prefix
 * wins. Built at stack creation, read-only afterwards (so engines read it
 * without locks).
 */

#include <stdint.h>
#include <stdbool.h>

#define ROUTE_MAX 80
#define ROUTE_LOCAL_MAX 256   /* MPDK_MAX_PORTS * IFACE_MAX_ADDRS */

struct route {
	uint32_t prefix;     /* network byte order, masked */
	uint8_t len;
	uint16_t iface;
	uint32_t gateway;    /* 0 = connected (next hop is the destination) */
	uint32_t src;        /* preferred source address */
};

struct route_table {
	unsigned n;
	struct route r[ROUTE_MAX];   /* sorted by decreasing prefix length */
	/* Our addresses and the interface owning each, for the source
	 * preference of route_lookup(). */
	unsigned n_local;
	struct { uint32_t addr; uint16_t iface; } local[ROUTE_LOCAL_MAX];
};

struct net_iface;

/* Result of a lookup. */
struct route_result {
	uint16_t iface;
	uint32_t next_hop;   /* network byte order */
	uint32_t src;        /* source address to use if the caller has none */
};

void route_table_init(struct route_table *rt);
/* Add connected routes for every address of the interfaces, then the
 * default route via @gateway (0 = none) if a connected route reaches it.
 * Returns 0 or -EINVAL (gateway unreachable) / -ENOSPC. */
int route_table_build(struct route_table *rt, const struct net_iface *ifaces,
		      uint16_t n_ifaces, uint32_t gateway);
/* Route to @dst. If @src is non-zero, prefer a route on the interface that
 * owns @src. Returns 0 or -MPDK_ENOROUTE. */
int route_lookup(const struct route_table *rt, uint32_t dst, uint32_t src,
		 struct route_result *res);

#endif
