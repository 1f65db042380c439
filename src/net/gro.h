/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_NET_GRO_H
#define MPDK_NET_GRO_H

/*
 * Software receive coalescing (GRO) of one rx burst: consecutive in-order
 * TCP/IPv4 data segments of one flow become one chained mbuf before they
 * go up the stack, by the rule of Linux's tcp_gro_receive:
 *
 *   - same Ethernet header, IPv4 addresses, TOS, TTL and DF bit; no IPv4
 *     options, no fragments; TCP ports equal;
 *   - the segment starts where the previous one ended (seq == seq + len);
 *   - flags ACK only (PSH allowed, which ends the super-segment); no SYN,
 *     FIN, RST, URG, CWR or ECE; payload not empty (pure ACKs, duplicate
 *     ACKs among them, always go up one by one);
 *   - the same ACK number, window and TCP option bytes (MPTCP segments
 *     with a different DSS are not merged; a replicated identical DSS is);
 *   - every segment as long as the first, except the last one, which may
 *     be shorter and ends the super-segment;
 *   - IPv4 total length at most 65535 (payload <= 64 KB minus headers).
 *
 * Every segment's IPv4 header and TCP checksums are verified (or taken
 * from the port's rx checksum flags) before it is merged or opens a
 * flow; a segment that fails goes up untouched, so IPv4/TCP input count
 * the drop. Verified segments are marked RTE_MBUF_F_RX_IP_CKSUM_GOOD and
 * RTE_MBUF_F_RX_L4_CKSUM_GOOD (TCP input does not verify them again: the
 * merged TCP checksum field no longer matches the merged payload).
 *
 * A merged packet looks like a hardware LRO packet: its IPv4 total length
 * and header checksum cover the whole payload, PSH is set when the last
 * segment had it, ol_flags has RTE_MBUF_F_RX_LRO and tso_segsz is the
 * payload of the first segment, so TCP input knows it stands for
 * ceil(payload / tso_segsz) wire segments.
 *
 * Order: a merged packet takes the place of its first segment. Any other
 * TCP segment of the same flow that cannot be appended (a pure ACK, a
 * FIN, a gap) closes the flow's open packet and is delivered after it, so
 * per-flow order is kept; packets of other flows keep their arrival order
 * relative to each other.
 */

#include <stdint.h>
#include <rte_mbuf.h>

/* Flows held open within one burst; a burst with more TCP flows leaves
 * the extra flows' segments unmerged. */
#define GRO_MAX_FLOWS 16
/* Largest IPv4 total length of a merged packet. */
#define GRO_MAX_IP_LEN 65535u

struct gro_stats {
	uint32_t merged;    /* segments appended to another one */
	uint32_t packets;   /* merged packets produced (two or more segments each) */
};

/*
 * Coalesce the Ethernet frames pkts[0..n) in place (data at the Ethernet
 * header). Returns the number of packets left in pkts[], in delivery
 * order; segments merged into another one are no longer in the array
 * (they belong to the merged packet's chain). @st is added to.
 */
uint16_t gro_burst(struct rte_mbuf **pkts, uint16_t n, struct gro_stats *st);

/* Wire segments a received TCP packet with @payload bytes stands for: 1,
 * or more for an LRO / GRO packet (RTE_MBUF_F_RX_LRO and tso_segsz). */
static inline uint32_t gro_segs(const struct rte_mbuf *m, uint32_t payload)
{
	if (!(m->ol_flags & RTE_MBUF_F_RX_LRO) || m->tso_segsz == 0 || payload <= m->tso_segsz)
		return 1;
	return (payload + m->tso_segsz - 1u) / m->tso_segsz;
}

#endif
