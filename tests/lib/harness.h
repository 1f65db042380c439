/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TEST_HARNESS_H
#define MPDK_TEST_HARNESS_H

/*
 * Unit-test harness: one stack on a virtual clock whose ports are "test
 * ports": frames the stack sends are captured for the test to inspect,
 * frames the test injects are received by the stack. No NIC, no hugepages.
 */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <rte_mbuf.h>
#include "mpdk/mpdk.h"
#include "core/engine.h"

/* Start the EAL once per process (--no-huge --no-pci -m 256, a file prefix
 * unique to this process). Aborts the test binary if the EAL cannot start. */
void harness_eal_init(void);

struct harness {
	struct mpdk_clock *clock;
	struct mpdk_stack *stack;
	struct mpdk_engine *e;
	struct mpdk_port *ports[MPDK_MAX_PORTS];
	uint16_t n_ports;
};

/* Create a stack with @n_ports test ports (MACs 02:00:00:00:00:0N for port
 * N-1) and the addresses in @addrs ("PORT:IPV4/PREFIX" strings, NULL
 * terminated), default gateway @gw ("a.b.c.d" or NULL). @tweak, if given,
 * may change the configuration before the stack is created. The clock
 * starts at 1 s. Gratuitous ARPs sent at start are left in the capture. */
struct harness *harness_create(uint16_t n_ports, const char *const *addrs, const char *gw,
			       void (*tweak)(struct mpdk_stack_conf *));
void harness_free(struct harness *h);

/* Inject a frame (copied into an mbuf) as received on @port. It is
 * processed at the next poll. */
void harness_inject(struct harness *h, uint16_t port, const void *frame, size_t len);
/* Poll until idle (no frames, no due timers): returns iterations. */
unsigned harness_poll(struct harness *h);
/* Advance the virtual clock by @ns in steps of at most one timer tick,
 * polling after each step, so timers fire at their due time. */
void harness_advance(struct harness *h, uint64_t ns);

/* Frames the stack sent on @port, oldest first; NULL when none. The caller
 * frees the returned mbuf. */
struct rte_mbuf *harness_pop_tx(struct harness *h, uint16_t port);
unsigned harness_tx_pending(const struct harness *h, uint16_t port);
/* Drop every captured frame. */
void harness_clear_tx(struct harness *h);

/* A counter of the stack by name (0 if unknown: use mpdk_stat_get to
 * tell the difference). */
uint64_t harness_ctr(const struct harness *h, const char *name);

/* Build frames for tests. All addresses in network byte order. Return the
 * frame length written to @buf (which must hold 1600 bytes). */
size_t harness_build_arp(uint8_t *buf, uint16_t op, const struct rte_ether_addr *sha,
			 uint32_t spa, const struct rte_ether_addr *tha, uint32_t tpa,
			 const struct rte_ether_addr *eth_dst);
size_t harness_build_ipv4(uint8_t *buf, const struct rte_ether_addr *src_mac,
			  const struct rte_ether_addr *dst_mac, uint32_t src, uint32_t dst,
			  uint8_t proto, const void *l4, size_t l4_len);
size_t harness_build_icmp_echo(uint8_t *buf, const struct rte_ether_addr *src_mac,
			       const struct rte_ether_addr *dst_mac, uint32_t src, uint32_t dst,
			       uint8_t type, uint16_t id, uint16_t seq, size_t payload_len);

#endif
