/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_NET_ICMP_H
#define MPDK_NET_ICMP_H

#include <stdint.h>
#include <rte_mbuf.h>

struct mpdk_engine;

/* ICMP (RFC 792): echo request -> reply from the address pinged; echo reply
 * -> the stack's ping callback; bad checksum or truncated -> counted drop.
 * Registered as l4_input[IPPROTO_ICMP]. */
void icmp_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);
/* Send an echo request (implements mpdk_ping). */
int icmp_echo_request(struct mpdk_engine *e, uint32_t dst, uint16_t id, uint16_t seq, uint16_t len);

#endif
