/* SPDX-License-Identifier: BSD-3-Clause */
/* Routing table: connected routes, default gateway, longest prefix match
 * (RFC 1812 5.2.4.3, as a host applies it), source preference. Pure logic:
 * no EAL needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "mpdk/mpdk_error.h"
#include "net/iface.h"
#include "net/route.h"

static uint32_t ip4(const char *s)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static struct net_iface ifs[16];

static void add_addr(uint16_t i, const char *a, uint8_t len)
{
	struct net_iface *f = &ifs[i];
	f->index = i;
	f->addrs[f->n_addrs] = ip4(a);
	f->prefix_len[f->n_addrs] = len;
	f->n_addrs++;
}

static int reset(void **state)
{
	(void)state;
	memset(ifs, 0, sizeof(ifs));
	for (uint16_t i = 0; i < 16; i++)
		ifs[i].index = i;
	return 0;
}

static struct route_result lookup_ok(const struct route_table *rt, const char *dst, const char *src)
{
	struct route_result r;
	assert_int_equal(route_lookup(rt, ip4(dst), src ? ip4(src) : 0, &r), 0);
	return r;
}

/* Longest prefix wins among overlapping connected subnets. */
static void test_lpm_connected(void **state)
{
	(void)state;
	static struct route_table rt;
	add_addr(0, "10.0.0.1", 16);
	add_addr(1, "10.0.5.1", 24);
	add_addr(2, "10.0.5.129", 25);
	assert_int_equal(route_table_build(&rt, ifs, 3, 0), 0);
	assert_int_equal(rt.n, 3);

	struct route_result r = lookup_ok(&rt, "10.0.9.9", NULL);
	assert_int_equal(r.iface, 0);
	assert_int_equal(r.next_hop, ip4("10.0.9.9"));
	assert_int_equal(r.src, ip4("10.0.0.1"));
	r = lookup_ok(&rt, "10.0.5.7", NULL);
	assert_int_equal(r.iface, 1);
	assert_int_equal(r.src, ip4("10.0.5.1"));
	r = lookup_ok(&rt, "10.0.5.200", NULL);
	assert_int_equal(r.iface, 2);
	assert_int_equal(r.next_hop, ip4("10.0.5.200"));
	assert_int_equal(r.src, ip4("10.0.5.129"));
}

/* The default route goes through the gateway on the interface reaching it;
 * connected subnets still win. */
static void test_default_gateway(void **state)
{
	(void)state;
	static struct route_table rt;
	add_addr(0, "192.168.1.10", 24);
	add_addr(1, "10.1.0.1", 24);
	assert_int_equal(route_table_build(&rt, ifs, 2, ip4("10.1.0.254")), 0);
	struct route_result r = lookup_ok(&rt, "8.8.8.8", NULL);
	assert_int_equal(r.iface, 1);
	assert_int_equal(r.next_hop, ip4("10.1.0.254"));
	assert_int_equal(r.src, ip4("10.1.0.1"));
	r = lookup_ok(&rt, "192.168.1.20", NULL);
	assert_int_equal(r.iface, 0);
	assert_int_equal(r.next_hop, ip4("192.168.1.20"));
	/* the default route is last */
	assert_int_equal(rt.r[rt.n - 1].len, 0);
}

/* No connected route and no default: -MPDK_ENOROUTE. */
static void test_no_route(void **state)
{
	(void)state;
	static struct route_table rt;
	struct route_result r;
	add_addr(0, "10.0.0.1", 24);
	assert_int_equal(route_table_build(&rt, ifs, 1, 0), 0);
	assert_int_equal(route_lookup(&rt, ip4("10.0.1.1"), 0, &r), -MPDK_ENOROUTE);
	/* an empty table routes nothing */
	route_table_init(&rt);
	assert_int_equal(route_lookup(&rt, ip4("10.0.0.2"), 0, &r), -MPDK_ENOROUTE);
}

/* A gateway outside every connected subnet is a configuration error. */
static void test_gateway_unreachable(void **state)
{
	(void)state;
	static struct route_table rt;
	add_addr(0, "10.0.0.1", 24);
	assert_int_equal(route_table_build(&rt, ifs, 1, ip4("10.0.1.1")), -EINVAL);
}

/* With a source address, the route on the source's interface wins (MPTCP
 * subflows bound to one path); unknown sources fall back to plain LPM. */
static void test_source_preference(void **state)
{
	(void)state;
	static struct route_table rt;
	add_addr(0, "10.0.1.1", 24);
	add_addr(1, "10.0.2.1", 24);
	assert_int_equal(route_table_build(&rt, ifs, 2, ip4("10.0.1.254")), 0);
	struct route_result r = lookup_ok(&rt, "10.0.2.9", NULL);
	assert_int_equal(r.iface, 1);
	r = lookup_ok(&rt, "10.0.2.9", "10.0.1.1");
	assert_int_equal(r.iface, 0);
	assert_int_equal(r.next_hop, ip4("10.0.1.254"));
	r = lookup_ok(&rt, "10.0.2.9", "10.0.2.1");
	assert_int_equal(r.iface, 1);
	assert_int_equal(r.next_hop, ip4("10.0.2.9"));
	r = lookup_ok(&rt, "10.0.2.9", "172.16.0.1");
	assert_int_equal(r.iface, 1);
	/* source iface has no route to dst at all: take what exists */
	static struct route_table rt2;
	assert_int_equal(route_table_build(&rt2, ifs, 2, 0), 0);
	r = lookup_ok(&rt2, "10.0.1.7", "10.0.2.1");
	assert_int_equal(r.iface, 0);
}

/* Two addresses in one subnet on one interface: one route, the first
 * address as source. /32 and /0 prefixes are valid. */
static void test_duplicates_and_edges(void **state)
{
	(void)state;
	static struct route_table rt;
	add_addr(0, "10.0.0.1", 24);
	add_addr(0, "10.0.0.2", 24);
	add_addr(1, "172.16.0.1", 32);
	assert_int_equal(route_table_build(&rt, ifs, 2, 0), 0);
	assert_int_equal(rt.n, 2);
	struct route_result r = lookup_ok(&rt, "10.0.0.9", NULL);
	assert_int_equal(r.src, ip4("10.0.0.1"));
	r = lookup_ok(&rt, "172.16.0.1", NULL);
	assert_int_equal(r.iface, 1);
	struct route_result rr;
	assert_int_equal(route_lookup(&rt, ip4("172.16.0.2"), 0, &rr), -MPDK_ENOROUTE);

	static struct route_table rt0;
	reset(NULL);
	add_addr(0, "10.9.9.9", 0);
	assert_int_equal(route_table_build(&rt0, ifs, 1, 0), 0);
	r = lookup_ok(&rt0, "1.2.3.4", NULL);
	assert_int_equal(r.next_hop, ip4("1.2.3.4"));
}

/* More subnets than ROUTE_MAX: -ENOSPC, not an overflow. */
static void test_table_full(void **state)
{
	(void)state;
	static struct route_table rt;
	char a[32];
	for (uint16_t i = 0; i < 16; i++)
		for (int k = 0; k < 16; k++) {
			snprintf(a, sizeof(a), "10.%u.%d.1", i, k);
			add_addr(i, a, 24);
		}
	assert_int_equal(route_table_build(&rt, ifs, 16, 0), -ENOSPC);
	assert_true(rt.n <= ROUTE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lpm_connected, reset),
		cmocka_unit_test_setup(test_default_gateway, reset),
		cmocka_unit_test_setup(test_no_route, reset),
		cmocka_unit_test_setup(test_gateway_unreachable, reset),
		cmocka_unit_test_setup(test_source_preference, reset),
		cmocka_unit_test_setup(test_duplicates_and_edges, reset),
		cmocka_unit_test_setup(test_table_full, reset),
	};
	return cmocka_run_group_tests_name("net_route", tests, NULL, NULL);
}
