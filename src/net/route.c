/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Routes: one connected route per (subnet, interface), plus a default route.
 * The table is small (at most ROUTE_MAX entries) and kept sorted by
 * decreasing prefix length, so the first match of a linear scan is the
 * longest prefix.
 */
#include <errno.h>
#include <string.h>
#include <rte_byteorder.h>
#include "mpdk/mpdk_error.h"
#include "net/iface.h"
#include "net/route.h"

static inline uint32_t prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : rte_cpu_to_be_32(~0u << (32 - len));
}

static inline bool route_match(const struct route *r, uint32_t dst)
{
	return (dst & prefix_mask(r->len)) == r->prefix;
}

void route_table_init(struct route_table *rt)
{
	memset(rt, 0, sizeof(*rt));
}

/* Insert keeping decreasing prefix length; equal lengths keep insertion
 * order, so an interface's first address is the preferred source. */
static int route_insert(struct route_table *rt, const struct route *nr)
{
	if (rt->n == ROUTE_MAX)
		return -ENOSPC;
	unsigned i = rt->n;
	while (i > 0 && rt->r[i - 1].len < nr->len) {
		rt->r[i] = rt->r[i - 1];
		i--;
	}
	rt->r[i] = *nr;
	rt->n++;
	return 0;
}

static const struct route *route_find_connected(const struct route_table *rt, uint32_t dst)
{
	for (unsigned i = 0; i < rt->n; i++)
		if (rt->r[i].gateway == 0 && route_match(&rt->r[i], dst))
			return &rt->r[i];
	return NULL;
}

int route_table_build(struct route_table *rt, const struct net_iface *ifaces,
		      uint16_t n_ifaces, uint32_t gateway)
{
	route_table_init(rt);
	for (uint16_t i = 0; i < n_ifaces; i++) {
		const struct net_iface *ifp = &ifaces[i];
		for (uint16_t a = 0; a < ifp->n_addrs; a++) {
			uint8_t len = RTE_MIN(ifp->prefix_len[a], (uint8_t)32);
			struct route nr = {
				.prefix = ifp->addrs[a] & prefix_mask(len),
				.len = len,
				.iface = ifp->index,
				.gateway = 0,
				.src = ifp->addrs[a],
			};
			if (rt->n_local == ROUTE_LOCAL_MAX)
				return -ENOSPC;
			rt->local[rt->n_local].addr = ifp->addrs[a];
			rt->local[rt->n_local].iface = ifp->index;
			rt->n_local++;

			/* A second address in a subnet already routed on this
			 * interface adds nothing. */
			bool dup = false;
			for (unsigned k = 0; k < rt->n && !dup; k++)
				dup = rt->r[k].prefix == nr.prefix && rt->r[k].len == nr.len &&
				      rt->r[k].iface == nr.iface;
			if (dup)
				continue;
			int rc = route_insert(rt, &nr);
			if (rc != 0)
				return rc;
		}
	}
	if (gateway != 0) {
		const struct route *c = route_find_connected(rt, gateway);
		if (c == NULL)
			return -EINVAL;
		struct route def = {
			.prefix = 0, .len = 0, .iface = c->iface,
			.gateway = gateway, .src = c->src,
		};
		return route_insert(rt, &def);
	}
	return 0;
}

int route_lookup(const struct route_table *rt, uint32_t dst, uint32_t src,
		 struct route_result *res)
{
	const struct route *best = NULL;
	int src_iface = -1;

	if (src != 0)
		for (unsigned i = 0; i < rt->n_local; i++)
			if (rt->local[i].addr == src) {
				src_iface = rt->local[i].iface;
				break;
			}
	/* With a source address (an MPTCP subflow bound to one path), the
	 * longest match on the source's interface wins over a longer match
	 * elsewhere; without one, plain longest prefix. */
	for (unsigned i = 0; i < rt->n; i++) {
		const struct route *r = &rt->r[i];
		if (!route_match(r, dst))
			continue;
		if (best == NULL)
			best = r;
		if (src_iface < 0 || r->iface == src_iface) {
			best = r;
			break;
		}
	}
	if (best == NULL)
		return -MPDK_ENOROUTE;
	res->iface = best->iface;
	res->next_hop = best->gateway != 0 ? best->gateway : dst;
	res->src = best->src;
	return 0;
}
