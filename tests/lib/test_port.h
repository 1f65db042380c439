/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TEST_PORT_H
#define MPDK_TEST_PORT_H

/* A port for unit tests: frames the stack sends are kept in a FIFO for the
 * test; frames the test injects are returned by rx_burst. */

#include <stdint.h>
#include <rte_mbuf.h>
#include "drivers/port.h"

struct mpdk_port *test_port_create(uint16_t idx, uint16_t mtu, uint32_t caps);
/* Queue a frame to be received by the stack (the port takes ownership). */
void test_port_push_rx(struct mpdk_port *p, struct rte_mbuf *m);
unsigned test_port_rx_pending(const struct mpdk_port *p);
/* Oldest frame the stack sent, or NULL. */
struct rte_mbuf *test_port_pop_tx(struct mpdk_port *p);
unsigned test_port_tx_pending(const struct mpdk_port *p);

#endif
