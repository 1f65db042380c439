/* SPDX-License-Identifier: BSD-3-Clause */
/* Two stacks over two simlinks on one virtual clock (simlink_fixture.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_mbuf.h>

#include "simlink_fixture.h"
#include "core/clock.h"
#include "core/engine.h"

#define SEC 1000000000ull

uint32_t simlink_ip(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

struct simlink_world *simlink_world_create(const struct simlink_world_conf *c)
{
	struct simlink_world *w = calloc(1, sizeof(*w));
	struct mpdk_stack_conf ca = { .name = "A", .pool = c->pool, .tcp = c->tca };
	struct mpdk_stack_conf cb = { .name = "B", .pool = c->pool, .tcp = c->tcb,
				      .n_engines = (uint16_t)c->b_engines };
	static char pa[256], pb[256];

	assert_non_null(w);
	w->pool = c->pool;
	w->clock = mpdk_clock_create_virtual(SEC);
	assert_non_null(w->clock);
	struct mpdk_simlink_conf lc1 = { .a_to_b = c->path1, .b_to_a = c->path1,
					 .seed = c->seed1 != 0 ? c->seed1 : 42, .clock = w->clock,
					 .pool = c->pool, .n_queues_b = c->b_queues };
	struct mpdk_simlink_conf lc2 = { .a_to_b = c->path2, .b_to_a = c->path2,
					 .seed = c->seed2 != 0 ? c->seed2 : 7, .clock = w->clock,
					 .pool = c->pool, .n_queues_b = c->b_queues };
	assert_int_equal(mpdk_simlink_create(&lc1, &w->l1a, &w->l1b), 0);
	assert_int_equal(mpdk_simlink_create(&lc2, &w->l2a, &w->l2b), 0);
	ca.ports[0] = w->l1a;
	ca.ports[1] = w->l2a;
	cb.ports[0] = w->l1b;
	cb.ports[1] = w->l2b;
	ca.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = simlink_ip("10.1.0.1"), .prefix_len = 24 };
	ca.addrs[1] = (struct mpdk_addr_conf){ .port = 1, .addr = simlink_ip("10.2.0.1"), .prefix_len = 24 };
	cb.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = simlink_ip("10.1.0.2"), .prefix_len = 24 };
	cb.addrs[1] = (struct mpdk_addr_conf){ .port = 1, .addr = simlink_ip("10.2.0.2"), .prefix_len = 24 };
	ca.n_ports = ca.n_addrs = cb.n_ports = cb.n_addrs = 2;
	ca.clock = cb.clock = w->clock;
	if (c->pcap_prefix != NULL) {
		snprintf(pa, sizeof(pa), "%s-A.pcap", c->pcap_prefix);
		snprintf(pb, sizeof(pb), "%s-B.pcap", c->pcap_prefix);
		ca.pcap_path = pa;
		cb.pcap_path = pb;
	}
	assert_int_equal(mpdk_stack_create(&ca, &w->sa), 0);
	assert_int_equal(mpdk_stack_create(&cb, &w->sb), 0);
	assert_int_equal(mpdk_stack_n_engines(w->sb), c->b_engines != 0 ? c->b_engines : 1);
	w->ea = mpdk_stack_engine(w->sa, 0);
	w->eb = mpdk_stack_engine(w->sb, 0);
	return w;
}

static void dump_leaked(struct rte_mempool *mp, void *opaque, void *obj, unsigned idx)
{
	struct rte_mbuf *m = obj;
	(void)mp;
	(void)opaque;
	(void)idx;
	if (rte_mbuf_refcnt_read(m) == 0)
		return;
	printf("  leaked mbuf %p refcnt %u ind %d data_len %u pkt_len %u nb_segs %u off %u\n",
	       (void *)m, rte_mbuf_refcnt_read(m), RTE_MBUF_CLONED(m) ? 1 : 0, m->data_len,
	       m->pkt_len, m->nb_segs, m->data_off);
}

void simlink_world_free(struct simlink_world *w)
{
	mpdk_stack_free(w->sa);
	mpdk_stack_free(w->sb);
	mpdk_port_close(w->l1a);
	mpdk_port_close(w->l1b);
	mpdk_port_close(w->l2a);
	mpdk_port_close(w->l2b);
	mpdk_clock_free(w->clock);
	if (rte_mempool_in_use_count(w->pool) != 0)
		rte_mempool_obj_iter(w->pool, dump_leaked, NULL);
	assert_int_equal(rte_mempool_in_use_count(w->pool), 0);
	free(w);
}

uint64_t simlink_link_in_flight(struct mpdk_port *p)
{
	struct mpdk_simlink_stats s1, s2;
	mpdk_simlink_stats(p, true, &s1);
	mpdk_simlink_stats(p, false, &s2);
	return (s1.sent - s1.delivered - s1.lost - s1.overflow - s1.down_drops) +
	       (s2.sent - s2.delivered - s2.lost - s2.overflow - s2.down_drops);
}

void simlink_world_poll_idle(struct simlink_world *w)
{
	for (unsigned i = 0; i < 100000; i++) {
		int n = mpdk_stack_poll(w->sa);
		n += mpdk_stack_poll(w->sb);
		if (n == 0)
			return;
	}
	fail_msg("stacks never went idle");
}

static uint64_t next_expiry(struct mpdk_stack *s)
{
	uint64_t t = UINT64_MAX;
	for (unsigned i = 0; i < mpdk_stack_n_engines(s); i++) {
		uint64_t x = timer_wheel_next_expiry(&mpdk_stack_engine(s, i)->tw);
		if (x < t)
			t = x;
	}
	return t;
}

void simlink_world_step(struct simlink_world *w, uint64_t step_ns)
{
	uint64_t now = mpdk_clock_now_ns(w->clock);
	uint64_t d = step_ns;
	if (simlink_link_in_flight(w->l1a) + simlink_link_in_flight(w->l2a) == 0) {
		uint64_t ta = next_expiry(w->sa), tb = next_expiry(w->sb);
		uint64_t t = ta < tb ? ta : tb;
		if (t != UINT64_MAX && t > now + step_ns)
			d = t - now;
	}
	mpdk_clock_advance(w->clock, d);
	simlink_world_poll_idle(w);
}

void simlink_world_advance(struct simlink_world *w, uint64_t ns)
{
	mpdk_clock_advance(w->clock, ns);
	simlink_world_poll_idle(w);
}
