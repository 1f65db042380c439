/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_NET_ICMP_H
#define MPDK_NET_ICMP_H

#include <stdint.h>
#include <rte_mbuf.h>

struct mpdk_engine;

/* Message types and codes we use (RFC 792). */
#define ICMP_TYPE_ECHO_REPLY     0
#define ICMP_TYPE_DEST_UNREACH   3
#define ICMP_TYPE_ECHO_REQUEST   8
#define ICMP_CODE_PROTO_UNREACH  2
#define ICMP_CODE_PORT_UNREACH   3
/* Bytes of the offending datagram quoted in an error: as many as fit in a
 * 576-byte datagram (RFC 1812 4.3.2.3; RFC 1122 3.2.2 asks for >= 8). */
#define ICMP_ERR_QUOTE_MAX       (576 - 20 - 8)

/* ICMP (RFC 792): echo request -> reply from the address pinged; echo reply
 * -> the stack's ping callback; bad checksum or truncated -> counted drop.
 * Registered as l4_input[IPPROTO_ICMP]. */
void icmp_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m);
/* Send an echo request (implements mpdk_ping). */
int icmp_echo_request(struct mpdk_engine *e, uint32_t dst, uint16_t id, uint16_t seq, uint16_t len);

/* Send a destination unreachable (@code: ICMP_CODE_*_UNREACH) about @orig, a
 * received datagram (data at its IP header) that passed ipv4_input's
 * checks, so it is unicast to us from a valid source. Consumes orig. */
void icmp_send_unreach(struct mpdk_engine *e, struct rte_mbuf *orig, uint8_t code);

#endif
