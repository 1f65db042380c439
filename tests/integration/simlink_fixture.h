/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TEST_SIMLINK_FIXTURE_H
#define MPDK_TEST_SIMLINK_FIXTURE_H

/*
 * Two stacks joined by two simlinks on one virtual clock, the setup the
 * simlink integration tests share:
 *
 *   A: 10.1.0.1 (path 1, port 0), 10.2.0.1 (path 2, port 1)
 *   B: 10.1.0.2 (path 1, port 0), 10.2.0.2 (path 2, port 1)
 *
 * One thread polls every engine of both stacks in turn, so a test needs
 * no more busy pollers than cores. Failures are cmocka assertions.
 */

#include <stdint.h>
#include <rte_mempool.h>

#include "mpdk/mpdk.h"

struct simlink_world {
	struct rte_mempool *pool;
	struct mpdk_clock *clock;
	struct mpdk_port *l1a, *l1b, *l2a, *l2b;   /* path 1 and 2, A's and B's ends */
	struct mpdk_stack *sa, *sb;
	struct mpdk_engine *ea, *eb;               /* engine 0 of A and of B */
};

struct simlink_world_conf {
	struct rte_mempool *pool;
	struct mpdk_simlink_dir path1, path2;   /* each used for both directions */
	uint64_t seed1, seed2;                  /* 0: 42 and 7 */
	const struct mpdk_tcp_conf *tca, *tcb;  /* NULL: defaults */
	unsigned b_engines;                     /* engines of B, 0: one */
	uint16_t b_queues;                      /* queues on B's link ends, 0: one */
	const char *pcap_prefix;                /* "<prefix>-A.pcap", "-B.pcap"; NULL: none */
};

/* Parse a dotted IPv4 address (asserts it is one); network order. */
uint32_t simlink_ip(const char *s);

struct simlink_world *simlink_world_create(const struct simlink_world_conf *c);
/* Free both stacks, links and clock; asserts every mbuf came back (and
 * lists the ones that did not). */
void simlink_world_free(struct simlink_world *w);

/* Frames on a link (both directions) not yet delivered or lost. */
uint64_t simlink_link_in_flight(struct mpdk_port *p);
/* Poll both stacks until neither has work (asserts it happens). */
void simlink_world_poll_idle(struct simlink_world *w);
/* Advance the clock by @step_ns, or straight to the next timer when no
 * frame is in flight, then poll until idle. */
void simlink_world_step(struct simlink_world *w, uint64_t step_ns);
/* Advance the clock by exactly @ns (no jump to the next timer), then poll
 * until idle: for tests that sample at a fixed rate. */
void simlink_world_advance(struct simlink_world *w, uint64_t ns);

#endif
