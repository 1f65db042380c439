/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_flow steering of joins handed over between engines (issue 6 item 2,
 * design.md: "later packets of that 4-tuple follow it (a software
 * redirect entry, or an rte_flow rule where the NIC supports one)").
 *
 * No port of this machine's DPDK steers a 4-tuple to a queue (net_tap
 * needs TC flower, see test_flow_probe_tap.c and docs/architecture.md),
 * so B's link ends are simlinks with two RSS queues (Toeplitz, standard
 * key) behind a small "flow table" port made here: it answers
 * flow_steer/flow_unsteer the way a NIC does, and delivers a frame that
 * matches one of its rules on the rule's queue instead of the queue RSS
 * picks. What is tested is the stack's side: when it asks for a rule,
 * that the rule is made off the receive path, that the join's segments
 * then reach the home engine's queue directly (the software redirect
 * counters stay low), fallback when the port has no room, and removal
 * when the connection is gone or the stack stops.
 *
 *   A: 10.1.0.1 (path 1), 10.2.0.1 (path 2)   B: 10.1.0.2, 10.2.0.2
 *
 * A's source port P makes the initial subflow land on B's engine @home
 * and the join (RFC 8684 §3.2) on the other one, as in
 * test_engines_simlink.c. Every transfer is checked byte for byte.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "harness.h"
#include "simlink_fixture.h"
#include "stream_peer.h"
#include "mpdk/mpdk.h"
#include "core/clock.h"
#include "core/engine.h"
#include "core/flow.h"
#include "core/redirect.h"
#include "drivers/port.h"

#define SEC 1000000000ull
#define MSEC 1000000ull
#define USEC 1000ull
#define STEP_NS (100 * USEC)
#define PORT_SRV 5001
#define XFER_BYTES (4ull << 20)

static struct rte_mempool *pool;

/* ------------------------------------------------ a port with flow rules */

#define FP_RULES 16
#define FP_STAGE 1024
#define FP_QUEUES 2

struct fp_rule {
	bool used;
	uint32_t saddr, daddr;
	uint16_t sport, dport, q;
};

struct flowport {
	struct mpdk_port port;             /* what B's stack sees */
	struct mpdk_port *p;               /* the simlink end behind it */
	unsigned capacity;                 /* rules the "NIC" has room for */
	struct fp_rule rules[FP_RULES];
	struct rte_mbuf *stage[FP_QUEUES][FP_STAGE];
	unsigned head[FP_QUEUES], n[FP_QUEUES];
	uint64_t by_rule[FP_QUEUES];       /* frames a rule moved to queue q */
	uint64_t creates, destroys, refusals;
	unsigned peak_rules;
};

static struct flowport fports[2];

static struct flowport *fp_of(const struct mpdk_port *p)
{
	for (unsigned i = 0; i < 2; i++)
		if (&fports[i].port == p)
			return &fports[i];
	fail_msg("not a flow port");
	return NULL;
}

static unsigned fp_rules(const struct flowport *fp)
{
	unsigned n = 0;
	for (unsigned i = 0; i < FP_RULES; i++)
		n += fp->rules[i].used;
	return n;
}

/* The queue of a rule matching the frame, or -1. */
static int fp_match(const struct flowport *fp, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (m->data_len < sizeof(*eh) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_tcp_hdr) ||
	    eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return -1;
	const struct rte_ipv4_hdr *ih = (const struct rte_ipv4_hdr *)(eh + 1);
	unsigned ihl = (ih->version_ihl & 0xf) * 4u;
	if (ih->next_proto_id != IPPROTO_TCP || sizeof(*eh) + ihl + sizeof(struct rte_tcp_hdr) > m->data_len)
		return -1;
	const struct rte_tcp_hdr *th = (const struct rte_tcp_hdr *)((const uint8_t *)ih + ihl);
	for (unsigned i = 0; i < FP_RULES; i++) {
		const struct fp_rule *r = &fp->rules[i];
		if (r->used && r->saddr == ih->src_addr && r->daddr == ih->dst_addr &&
		    r->sport == th->src_port && r->dport == th->dst_port)
			return r->q;
	}
	return -1;
}

/* Receive on queue @q: every queue of the link is read, and each frame is
 * put on the queue a rule names, else on the one RSS picked. */
static uint16_t fp_rx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct flowport *fp = fp_of(p);
	struct rte_mbuf *buf[32];

	for (uint16_t uq = 0; uq < p->n_rx_queues; uq++) {
		uint16_t k = port_rx_burst(fp->p, uq, buf, 32);
		for (uint16_t i = 0; i < k; i++) {
			int rq = fp_match(fp, buf[i]);
			unsigned t = rq >= 0 ? (unsigned)rq : uq;
			assert_true(fp->n[t] < FP_STAGE);
			fp->stage[t][(fp->head[t] + fp->n[t]++) % FP_STAGE] = buf[i];
			if (rq >= 0 && (unsigned)rq != uq)
				fp->by_rule[t]++;
		}
	}
	uint16_t got = 0;
	while (got < n && fp->n[q] > 0) {
		pkts[got++] = fp->stage[q][fp->head[q]];
		fp->head[q] = (fp->head[q] + 1) % FP_STAGE;
		fp->n[q]--;
	}
	return got;
}

static void *fp_steer(struct mpdk_port *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
		      uint16_t dport, uint16_t q, int *err)
{
	struct flowport *fp = fp_of(p);
	if (fp_rules(fp) >= fp->capacity) {
		fp->refusals++;
		*err = -ENOSPC;
		return NULL;
	}
	for (unsigned i = 0; i < FP_RULES; i++) {
		struct fp_rule *r = &fp->rules[i];
		if (r->used)
			continue;
		*r = (struct fp_rule){ .used = true, .saddr = saddr, .daddr = daddr, .sport = sport,
				       .dport = dport, .q = q };
		fp->creates++;
		if (fp_rules(fp) > fp->peak_rules)
			fp->peak_rules = fp_rules(fp);
		return r;
	}
	*err = -ENOSPC;
	return NULL;
}

static int fp_unsteer(struct mpdk_port *p, void *rule)
{
	struct flowport *fp = fp_of(p);
	struct fp_rule *r = rule;
	assert_true(r >= fp->rules && r < fp->rules + FP_RULES && r->used);
	r->used = false;
	fp->destroys++;
	return 0;
}

static uint16_t fp_tx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return port_tx_burst(fp_of(p)->p, q, pkts, n);
}

static bool fp_link_up(const struct mpdk_port *p)
{
	return mpdk_port_link_up(fp_of(p)->p);
}

static const struct port_ops fp_ops = {
	.kind = "test",
	.rx_burst = fp_rx_burst,
	.tx_burst = fp_tx_burst,
	.link_up = fp_link_up,
	.flow_steer = fp_steer,
	.flow_unsteer = fp_unsteer,
};

/* A port in front of simlink end @p, with room for @capacity rules. */
static struct mpdk_port *fp_wrap(struct flowport *fp, struct mpdk_port *p, unsigned capacity)
{
	memset(fp, 0, sizeof(*fp));
	fp->p = p;
	fp->port = *p;
	fp->port.ops = &fp_ops;
	fp->port.priv = NULL;
	fp->port.caps |= PORT_FLOW_STEER;   /* what drivers/ethdev's probe sets */
	fp->capacity = capacity;
	assert_int_equal(p->n_rx_queues, FP_QUEUES);
	assert_true(port_rss_predictable(p));
	return &fp->port;
}

static unsigned fp_staged(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < 2; i++)
		for (unsigned q = 0; q < FP_QUEUES; q++)
			n += fports[i].n[q];
	return n;
}

static void fp_unwrap(struct flowport *fp)
{
	for (unsigned q = 0; q < FP_QUEUES; q++)
		while (fp->n[q] > 0) {
			rte_pktmbuf_free(fp->stage[q][fp->head[q]]);
			fp->head[q] = (fp->head[q] + 1) % FP_STAGE;
			fp->n[q]--;
		}
	fp->p = NULL;
}

/* ------------------------------------------------------------- the world */

/* A and B over two simlinks (path 1 loses 0.5 %); B has two engines and
 * two queues per link end, behind flow ports with room for @capacity
 * rules each. Built here rather than by simlink_world_create because the
 * ports must steer before B's stack is created (its engines size their
 * rule tables then). */
static struct simlink_world *world_create(const struct mpdk_tcp_conf *tca,
					  const struct mpdk_tcp_conf *tcb, unsigned capacity)
{
	struct simlink_world *w = calloc(1, sizeof(*w));
	assert_non_null(w);
	w->pool = pool;
	w->clock = mpdk_clock_create_virtual(SEC);
	struct mpdk_simlink_dir d1 = { .delay_ns = 10 * MSEC, .loss = 0.005 };
	struct mpdk_simlink_dir d2 = { .delay_ns = 15 * MSEC };
	struct mpdk_simlink_conf lc1 = { .a_to_b = d1, .b_to_a = d1, .seed = 42, .clock = w->clock,
					 .pool = pool, .n_queues_b = 2 };
	struct mpdk_simlink_conf lc2 = { .a_to_b = d2, .b_to_a = d2, .seed = 7, .clock = w->clock,
					 .pool = pool, .n_queues_b = 2 };
	assert_int_equal(mpdk_simlink_create(&lc1, &w->l1a, &w->l1b), 0);
	assert_int_equal(mpdk_simlink_create(&lc2, &w->l2a, &w->l2b), 0);
	struct mpdk_port *b1 = fp_wrap(&fports[0], w->l1b, capacity);
	struct mpdk_port *b2 = fp_wrap(&fports[1], w->l2b, capacity);
	struct mpdk_stack_conf ca = { .name = "A", .pool = pool, .clock = w->clock, .tcp = tca,
				      .n_ports = 2, .n_addrs = 2, .ports = { w->l1a, w->l2a } };
	struct mpdk_stack_conf cb = { .name = "B", .pool = pool, .clock = w->clock, .tcp = tcb,
				      .n_engines = 2, .n_ports = 2, .n_addrs = 2,
				      .ports = { b1, b2 } };
	ca.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = simlink_ip("10.1.0.1"), .prefix_len = 24 };
	ca.addrs[1] = (struct mpdk_addr_conf){ .port = 1, .addr = simlink_ip("10.2.0.1"), .prefix_len = 24 };
	cb.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = simlink_ip("10.1.0.2"), .prefix_len = 24 };
	cb.addrs[1] = (struct mpdk_addr_conf){ .port = 1, .addr = simlink_ip("10.2.0.2"), .prefix_len = 24 };
	assert_int_equal(mpdk_stack_create(&ca, &w->sa), 0);
	assert_int_equal(mpdk_stack_create(&cb, &w->sb), 0);
	return w;
}

/* B's stack goes first (its rules are destroyed through the flow ports),
 * then the ports and the rest; every mbuf must be back. */
static void world_free(struct simlink_world *w)
{
	mpdk_stack_free(w->sa);
	mpdk_stack_free(w->sb);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(fp_rules(&fports[i]), 0);   /* none left behind */
		assert_int_equal(fports[i].creates, fports[i].destroys);
		fp_unwrap(&fports[i]);
	}
	mpdk_port_close(w->l1a);
	mpdk_port_close(w->l1b);
	mpdk_port_close(w->l2a);
	mpdk_port_close(w->l2b);
	mpdk_clock_free(w->clock);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
	free(w);
}

static void poll_idle(struct simlink_world *w)
{
	for (unsigned i = 0; i < 100000; i++) {
		int n = mpdk_stack_poll(w->sa);
		n += mpdk_stack_poll(w->sb);
		if (n == 0 && fp_staged() == 0)
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

static void step(struct simlink_world *w)
{
	uint64_t now = mpdk_clock_now_ns(w->clock), d = STEP_NS;
	if (simlink_link_in_flight(w->l1a) + simlink_link_in_flight(w->l2a) == 0) {
		uint64_t ta = next_expiry(w->sa), tb = next_expiry(w->sb);
		uint64_t t = ta < tb ? ta : tb;
		if (t != UINT64_MAX && t > now + STEP_NS)
			d = t - now;
	}
	mpdk_clock_advance(w->clock, d);
	poll_idle(w);
}

/* ------------------------------------------------------------ the peers */

static uint64_t ctr(struct mpdk_stack *s, const char *name)
{
	uint64_t v = 0;
	assert_int_equal(mpdk_stat_get(s, name, &v), 0);
	return v;
}

static uint64_t ectr(struct mpdk_stack *s, unsigned engine, enum counter_id c)
{
	return mpdk_stack_engine(s, engine)->ctr[c];
}

/* The engine of B a segment from A's addr:port to B's addr:PORT_SRV lands
 * on by RSS (Microsoft's definition: Toeplitz, standard key, source
 * fields first, modulo the queues). */
static unsigned b_engine_of(const char *a_addr, uint16_t a_port, const char *b_addr)
{
	return port_toeplitz_ipv4(port_rss_std_key, simlink_ip(a_addr), simlink_ip(b_addr), htons(a_port),
				  htons(PORT_SRV), true) % 2;
}

static uint16_t pick_port(unsigned home)
{
	for (uint32_t p = 49152; p < 65536; p++)
		if (b_engine_of("10.1.0.1", (uint16_t)p, "10.1.0.2") == home &&
		    b_engine_of("10.2.0.1", (uint16_t)p, "10.2.0.2") != home)
			return (uint16_t)p;
	fail_msg("no port with home %u", home);
	return 0;
}

struct run {
	struct simlink_world *w;
	struct stream_peer cli, srv;
	mpdk_conn_t l[2];
	uint16_t port;
	int max_sf;
	int join_rule_q;          /* queue of the join's rule seen while it ran (-1: none) */
};

static void run_start(struct run *r, unsigned home, unsigned capacity, bool a_sends)
{
	struct mpdk_tcp_conf ta, tb;
	mpdk_tcp_conf_defaults(&ta);
	mpdk_tcp_conf_defaults(&tb);
	ta.time_wait_ms = tb.time_wait_ms = 1000;
	r->port = pick_port(home);
	ta.ephemeral_lo = ta.ephemeral_hi = r->port;
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = simlink_ip("10.2.0.2"),
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	r->w = world_create(&ta, &tb, capacity);
	r->cli.is_sender = a_sends;
	r->srv.is_sender = !a_sends;
	r->cli.total = r->srv.total = XFER_BYTES;
	r->join_rule_q = -1;
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(mpdk_listen(mpdk_stack_engine(r->w->sb, i), 0, htons(PORT_SRV), 16,
					     &stream_peer_handler, &r->srv, &r->l[i]), 0);
	assert_int_equal(mpdk_connect(mpdk_stack_engine(r->w->sa, 0), simlink_ip("10.1.0.2"),
				      htons(PORT_SRV), 0, 0, &stream_peer_handler, &r->cli, &r->cli.c), 0);
}

/* One step of the transfer; records the join's rule. */
static void run_step(struct run *r, unsigned home)
{
	struct mpdk_conn_info ci;
	step(r->w);
	assert_false(r->cli.closed && r->cli.err != 0);
	assert_false(r->srv.closed && r->srv.err != 0);
	if (r->cli.connected && !r->cli.closed && mpdk_conn_info(r->cli.c, &ci) == 0 &&
	    ci.mptcp_subflows > r->max_sf)
		r->max_sf = ci.mptcp_subflows;
	int q = redirect_flow_queue(mpdk_stack_engine(r->w->sb, !home), simlink_ip("10.2.0.2"),
				    htons(PORT_SRV), simlink_ip("10.2.0.1"), htons(r->port));
	if (q >= 0)
		r->join_rule_q = q;
}

static void run_finish(struct run *r, unsigned home)
{
	struct stream_peer *snd = r->cli.is_sender ? &r->cli : &r->srv;
	struct stream_peer *rcv = r->cli.is_sender ? &r->srv : &r->cli;
	uint64_t limit = mpdk_clock_now_ns(r->w->clock) + 600 * SEC;
	while (!(rcv->eof && snd->closed && rcv->close_called) &&
	       mpdk_clock_now_ns(r->w->clock) < limit)
		run_step(r, home);
	if (getenv("MPDK_ENGINES_DEBUG"))
		mpdk_stats_print(r->w->sb, stdout, false);
	assert_true(rcv->eof);
	assert_int_equal(rcv->rcvd, XFER_BYTES);
	assert_int_equal(rcv->mismatches, 0);
	assert_true(snd->closed);
	assert_int_equal(snd->err, 0);
	for (int i = 0; i < 30; i++)
		step(r->w);
	mpdk_clock_advance(r->w->clock, 3 * SEC);
	poll_idle(r->w);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(mpdk_close(r->l[i]), 0);
}

/* Redirect entries and their rules go once the home engine has no
 * connection for the 4-tuple any more (asked every REDIRECT_CHECK_NS);
 * a rule is destroyed in a later idle iteration. */
static void expect_gone(struct simlink_world *w)
{
	for (int i = 0; i < 3; i++) {
		mpdk_clock_advance(w->clock, REDIRECT_CHECK_NS);
		poll_idle(w);
	}
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(redirect_table_size(mpdk_stack_engine(w->sb, i)), 0);
		assert_int_equal(redirect_flow_pending(mpdk_stack_engine(w->sb, i)), 0);
		assert_int_equal(fp_rules(&fports[i]), 0);
	}
}

/* ----------------------------------------------------------------- tests */

/* The join lands on engine !home, is handed over (software, through the
 * ring), and that engine asks for a rule; once it exists the port puts
 * the join's segments on home's queue: the software redirect carries only
 * what arrived before. Compared with the same run on a port with no room
 * for rules (every segment of the join redirected in software). Both
 * homes, both directions. */
static void test_join_gets_rule(void **state)
{
	(void)state;
	for (unsigned home = 0; home < 2; home++) {
		for (int dir = 0; dir < 2; dir++) {
			uint64_t sw_only = 0;
			for (unsigned capacity = 0; capacity <= FP_RULES; capacity += FP_RULES) {
				struct run r = { 0 };
				run_start(&r, home, capacity, dir == 0);
				run_finish(&r, home);
				struct simlink_world *w = r.w;
				struct mpdk_stack *b = w->sb;
				uint64_t redirected = ectr(b, !home, CTR_engine_redirect_tx);
				print_message("  home %u %s, port room %2u rules: %d subflows, rules %llu "
					      "made %llu failed, frames redirected in software %llu, "
					      "moved by a rule %llu\n", home, dir == 0 ? "A->B" : "B->A",
					      capacity, r.max_sf,
					      (unsigned long long)ctr(b, "flow_rules_installed"),
					      (unsigned long long)ctr(b, "flow_rule_failures"),
					      (unsigned long long)redirected,
					      (unsigned long long)(fports[0].by_rule[home] +
								   fports[1].by_rule[home]));
				assert_int_equal(r.max_sf, 2);
				assert_ptr_equal(r.srv.accepted_on, mpdk_stack_engine(b, home));
				assert_true(ectr(b, !home, CTR_engine_join_handover) >= 1);
				assert_int_equal(ectr(b, home, CTR_mptcp_join_ack_rx), 1);
				assert_int_equal(ctr(b, "mptcp_join_token_unknown"), 0);
				assert_int_equal(ectr(b, !home, CTR_tcp_passive_open), 0);
				if (capacity == 0) {
					/* no room: counted, and software carries the join */
					assert_true(ectr(b, !home, CTR_flow_rule_failures) >= 1);
					assert_int_equal(ctr(b, "flow_rules_installed"), 0);
					assert_int_equal(r.join_rule_q, -1);
					assert_true(redirected > 100);
					sw_only = redirected;
				} else {
					/* one rule, on the join's path (port 1), to
					 * home's queue, made by the engine holding the
					 * entry */
					assert_int_equal(ectr(b, !home, CTR_flow_rules_installed), 1);
					assert_int_equal(ctr(b, "flow_rule_failures"), 0);
					assert_int_equal(r.join_rule_q, (int)home);
					assert_int_equal(fports[1].creates, 1);
					assert_int_equal(fports[0].creates, 0);
					/* the join's segments reached home's queue by the
					 * rule; software carried the handed-over SYN and
					 * what was on the wire before the rule, a few
					 * frames against the hundreds without a rule */
					assert_true(fports[1].by_rule[home] > 100);
					assert_true(redirected <= 8);
					assert_true(redirected * 20 < sw_only);
				}
				expect_gone(w);
				assert_int_equal(ctr(b, "flow_rules_removed"), ctr(b, "flow_rules_installed"));
				world_free(w);
			}
		}
	}
}

/* The rule is made off the receive path: not in the iteration that hands
 * the join over, but in a later one that had nothing else to do (or
 * after FLOW_DEFER_MAX_NS). Checked at the first poll where the entry
 * exists. */
static void test_rule_deferred(void **state)
{
	(void)state;
	unsigned home = 1;
	struct run r = { 0 };
	run_start(&r, home, FP_RULES, true);
	struct mpdk_engine *other = mpdk_stack_engine(r.w->sb, !home);
	uint32_t l = simlink_ip("10.2.0.2"), rem = simlink_ip("10.2.0.1");
	bool seen = false;
	uint64_t limit = mpdk_clock_now_ns(r.w->clock) + 10 * SEC;
	while (!seen && mpdk_clock_now_ns(r.w->clock) < limit) {
		/* poll one round at a time */
		mpdk_clock_advance(r.w->clock, 10 * USEC);
		for (int i = 0; i < 1000 && !seen; i++) {
			int n = mpdk_stack_poll(r.w->sa) + mpdk_stack_poll(r.w->sb);
			if (redirect_lookup(other, l, htons(PORT_SRV), rem, htons(r.port)) == (int)home) {
				seen = true;
				/* entry set this round: the rule is still a request */
				assert_int_equal(redirect_flow_pending(other), 1);
				assert_int_equal(fports[1].creates, 0);
			}
			if (n == 0 && fp_staged() == 0)
				break;
		}
	}
	assert_true(seen);
	poll_idle(r.w);
	assert_int_equal(redirect_flow_pending(other), 0);
	assert_int_equal(fports[1].creates, 1);
	assert_int_equal(redirect_flow_queue(other, l, htons(PORT_SRV), rem, htons(r.port)), (int)home);
	run_finish(&r, home);
	expect_gone(r.w);
	world_free(r.w);
}

/* Stack shutdown with the connection still open: its rule is destroyed
 * by mpdk_stack_free (world_free checks no rule is left on the ports). */
static void test_rules_removed_at_shutdown(void **state)
{
	(void)state;
	unsigned home = 0;
	struct run r = { 0 };
	run_start(&r, home, FP_RULES, true);
	uint64_t limit = mpdk_clock_now_ns(r.w->clock) + 60 * SEC;
	while (fp_rules(&fports[1]) == 0 && mpdk_clock_now_ns(r.w->clock) < limit)
		run_step(&r, home);
	assert_int_equal(fp_rules(&fports[1]), 1);
	assert_true(r.srv.rcvd < XFER_BYTES);   /* mid-transfer */
	world_free(r.w);
	assert_int_equal(fports[1].destroys, 1);
}

/* A rule that outlives its connection (until the upkeep finds it gone)
 * must not capture a new connection on the 4-tuple: a plain SYN that a
 * rule delivers to an engine with nothing for it goes back to the engine
 * RSS picks, whose stale entry is then dropped, its rule at once, and
 * which takes the connection itself. A aborts the first connection (RST:
 * no TIME_WAIT on either side) and at once connects again from the
 * join's address and port, before the upkeep runs. */
static void test_stale_rule_new_connection(void **state)
{
	(void)state;
	unsigned home = 1;
	struct run r = { 0 };
	run_start(&r, home, FP_RULES, true);
	struct simlink_world *w = r.w;
	struct mpdk_engine *other = mpdk_stack_engine(w->sb, !home);
	uint32_t l = simlink_ip("10.2.0.2"), rem = simlink_ip("10.2.0.1");
	uint64_t limit = mpdk_clock_now_ns(w->clock) + 60 * SEC;
	while (fp_rules(&fports[1]) == 0 && mpdk_clock_now_ns(w->clock) < limit)
		run_step(&r, home);
	assert_int_equal(redirect_flow_queue(other, l, htons(PORT_SRV), rem, htons(r.port)), (int)home);
	assert_int_equal(mpdk_abort(r.cli.c), 0);
	for (int i = 0; i < 300 && !r.srv.closed; i++)
		step(w);
	assert_true(r.srv.closed);   /* B's side is gone (RST) */
	uint64_t no_conn = ctr(w->sb, "tcp_rx_no_conn");
	uint64_t passive_home = ectr(w->sb, home, CTR_tcp_passive_open);
	struct stream_peer cli = { .total = 1000, .is_sender = true };
	r.srv = (struct stream_peer){ .total = 1000 };
	/* A frees its aborted subflows within a few polls */
	int rc = -EADDRINUSE;
	for (int i = 0; i < 100 && rc == -EADDRINUSE; i++) {
		rc = mpdk_connect(mpdk_stack_engine(w->sa, 0), l, htons(PORT_SRV), rem, htons(r.port),
				  &stream_peer_handler, &cli, &cli.c);
		if (rc == -EADDRINUSE) {
			mpdk_clock_advance(w->clock, MSEC);
			poll_idle(w);
		}
	}
	assert_int_equal(rc, 0);
	/* the entry with its rule was still there when A connected: stale */
	assert_int_equal(redirect_lookup(other, l, htons(PORT_SRV), rem, htons(r.port)), (int)home);
	assert_int_equal(redirect_flow_queue(other, l, htons(PORT_SRV), rem, htons(r.port)), (int)home);
	limit = mpdk_clock_now_ns(w->clock) + 20 * SEC;
	while (!(r.srv.eof && cli.closed) && mpdk_clock_now_ns(w->clock) < limit)
		step(w);
	assert_int_equal(r.srv.rcvd, 1000);
	assert_int_equal(r.srv.mismatches, 0);
	assert_int_equal(cli.err, 0);
	/* the engine RSS picks took it; the old home saw only the bounced SYN */
	assert_ptr_equal(r.srv.accepted_on, other);
	assert_int_equal(ectr(w->sb, home, CTR_tcp_passive_open), passive_home);
	assert_int_equal(redirect_lookup(other, l, htons(PORT_SRV), rem, htons(r.port)), -1);
	assert_int_equal(redirect_flow_queue(other, l, htons(PORT_SRV), rem, htons(r.port)), -1);
	assert_int_equal(ctr(w->sb, "tcp_rx_no_conn"), no_conn);
	for (int i = 0; i < 30; i++)
		step(w);
	mpdk_clock_advance(w->clock, 3 * SEC);
	poll_idle(w);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(mpdk_close(r.l[i]), 0);
	expect_gone(w);
	world_free(w);
}

/* The table's own limits: a full per-engine table (FLOW_TABLE_SIZE) or
 * requests re-pointed and dropped before they run never leave a rule or a
 * request behind. Driven straight through flow.h on one engine. */
static void test_flow_table_requests(void **state)
{
	(void)state;
	struct run r = { 0 };
	run_start(&r, 0, FP_RULES, true);
	struct mpdk_engine *e = mpdk_stack_engine(r.w->sb, 0);
	struct flow_table *ft = flow_table_create(e);
	assert_non_null(ft);
	uint32_t la = simlink_ip("10.2.0.2"), ra = simlink_ip("10.2.0.9");
	/* want then drop before it runs: nothing is ever created */
	flow_want(e, ft, 1, la, htons(80), ra, htons(1000), 1);
	flow_drop(e, ft, la, htons(80), ra, htons(1000), false);
	assert_int_equal(flow_poll(e, ft, true), 0);   /* the freed place is skipped */
	assert_int_equal(fports[1].creates, 0);
	/* want, run, re-point to queue 0: destroy then create */
	flow_want(e, ft, 1, la, htons(80), ra, htons(1001), 1);
	assert_int_equal(flow_poll(e, ft, false), 0);   /* busy and fresh: deferred */
	assert_int_equal(flow_poll(e, ft, true), 1);
	assert_int_equal(flow_installed_queue(ft, la, htons(80), ra, htons(1001)), 1);
	flow_want(e, ft, 1, la, htons(80), ra, htons(1001), 0);
	assert_int_equal(flow_poll(e, ft, true), 1);   /* destroyed */
	assert_int_equal(flow_poll(e, ft, true), 1);   /* created again */
	assert_int_equal(flow_installed_queue(ft, la, htons(80), ra, htons(1001)), 0);
	assert_int_equal(fports[1].creates, 2);
	assert_int_equal(fports[1].destroys, 1);
	/* a busy engine still runs a request once it is FLOW_DEFER_MAX_NS old */
	flow_drop(e, ft, la, htons(80), ra, htons(1001), false);
	assert_int_equal(flow_poll(e, ft, false), 0);
	mpdk_clock_advance(r.w->clock, FLOW_DEFER_MAX_NS);
	engine_refresh_now(e);
	assert_int_equal(flow_poll(e, ft, false), 1);
	assert_int_equal(fp_rules(&fports[1]), 0);
	/* table full: counted, never a crash */
	uint64_t fails = e->ctr[CTR_flow_rule_failures];
	for (unsigned i = 0; i < FLOW_TABLE_SIZE + 10; i++)
		flow_want(e, ft, 1, la, htons(80), ra, htons((uint16_t)(2000 + i)), 1);
	uint64_t full = e->ctr[CTR_flow_rule_failures] - fails;
	assert_true(full >= 10);
	assert_int_equal(flow_pending(ft) + full, FLOW_TABLE_SIZE + 10);
	/* the port has room for FP_RULES: the rest fail when they run */
	while (flow_poll(e, ft, true) == 1)
		;
	assert_int_equal(fp_rules(&fports[1]), FP_RULES);
	flow_table_free(e, ft);   /* destroys what it made */
	assert_int_equal(fp_rules(&fports[1]), 0);
	run_finish(&r, 0);
	expect_gone(r.w);
	world_free(r.w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_gets_rule),
		cmocka_unit_test(test_rule_deferred),
		cmocka_unit_test(test_rules_removed_at_shutdown),
		cmocka_unit_test(test_stale_rule_new_connection),
		cmocka_unit_test(test_flow_table_requests),
	};
	harness_eal_init();
	pool = rte_pktmbuf_pool_create("engines_flow_pool", 32767, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	assert_non_null(pool);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
