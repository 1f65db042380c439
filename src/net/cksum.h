/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_NET_CKSUM_H
#define MPDK_NET_CKSUM_H

/* Internet checksum helpers (RFC 1071), over flat buffers and mbuf chains. */

#include <stdint.h>
#include <stddef.h>
#include <rte_mbuf.h>

/* One's complement sum (not folded, not inverted) of len bytes. */
uint32_t cksum_partial(const void *buf, size_t len, uint32_t sum);
/* Fold a 32-bit sum into 16 bits and invert: the value to put on the wire. */
uint16_t cksum_finish(uint32_t sum);
/* Sum of the IPv4 pseudo header (addresses network order, len host order). */
uint32_t cksum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4_len);
/* Sum over @len bytes of a (possibly multi-segment) mbuf from @off. */
uint32_t cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint32_t sum);

#endif
