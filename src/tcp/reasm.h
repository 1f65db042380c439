/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MPDK_TCP_REASM_H
#define MPDK_TCP_REASM_H

/*
 * Receiver out-of-order queue (RFC 9293 §3.10.7.4) and SACK block
 * generation (RFC 2018 §4).
 *
 * Out-of-order data is kept as mbuf chains, one chain per contiguous run
 * of sequence space: a segment that touches a run is chained onto it, so
 * the number of runs is the number of holes + 1 and stays small. Bounded
 * by bytes, by mbuf segments and by TCP_REASM_MAX_RUNS; a segment that
 * would exceed a bound is dropped (freed) and reported so the engine can
 * count it. Overlaps (RFC 9293 lets the receiver keep either copy):
 *  - a new segment wholly inside a run is a duplicate: freed;
 *  - a new segment that overlaps the start or end of a run is trimmed:
 *    the bytes already queued are kept;
 *  - runs wholly covered by a new segment are freed and replaced by it
 *    (so one segment never has to be split into several).
 * Not thread-safe (one connection, one engine).
 */

#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <rte_mbuf.h>
#include "options.h"   /* struct tcp_sack_block */

#define TCP_REASM_MAX_RUNS 64

struct tcp_reasm_run {
	uint32_t seq;              /* first byte */
	uint32_t len;              /* bytes (== head->pkt_len) */
	struct rte_mbuf *head, *tail;  /* chain; tail is the last mbuf */
	uint32_t stamp;            /* insert counter of the last change,
				      orders SACK blocks */
};

struct tcp_reasm {
	uint8_t n;                 /* runs in use, sorted by seq */
	bool has_fin;
	uint32_t fin_seq;          /* sequence number of the FIN when has_fin */
	uint32_t stamp;
	uint32_t bytes;            /* queued payload bytes */
	uint32_t segs;             /* queued mbufs (all segments of chains) */
	uint32_t max_bytes, max_segs;
	struct tcp_reasm_run run[TCP_REASM_MAX_RUNS];
};

/* Limits: @max_bytes of payload (typically the receive buffer), @max_segs
 * mbufs. 0 means no limit for that dimension. */
void tcp_reasm_init(struct tcp_reasm *r, uint32_t max_bytes, uint32_t max_segs);
/* The mbuf limit for a receive buffer of @buf bytes: @conf_segs
 * (mpdk_tcp_conf.reasm_max_segs, sized for the default 256 KiB buffer), or
 * one per KiB of a bigger buffer, so that a window the application asked
 * for (mpdk-perf -w) can be held out of order without drops. */
static inline uint32_t tcp_reasm_segs_for(uint32_t buf, uint32_t conf_segs)
{
	return buf / 1024 > conf_segs ? buf / 1024 : conf_segs;
}
/* Free every queued mbuf (connection reset or close). */
void tcp_reasm_clear(struct tcp_reasm *r);

static inline bool tcp_reasm_empty(const struct tcp_reasm *r) { return r->n == 0 && !r->has_fin; }

/* Return values of tcp_reasm_insert. */
#define TCP_REASM_DUP       0        /* nothing new: freed */
#define TCP_REASM_E_BYTES  (-ENOBUFS) /* over max_bytes/max_segs: freed */
#define TCP_REASM_E_RUNS   (-ENOSPC)  /* would need a 17th run: freed */

/*
 * Queue an out-of-order segment. @m holds only the payload (headers
 * removed: m->pkt_len bytes starting at @seq; chains allowed); ownership
 * passes to the reassembly queue in every case. @fin: the segment carries
 * FIN (at @seq + pkt_len); an empty @m (pkt_len 0) is allowed only with
 * FIN. @rcv_nxt: bytes before it are trimmed (they are not out of order).
 * The engine has already trimmed the segment to the receive window.
 *
 * Returns the number of new bytes queued (> 0, or 0 for a duplicate or a
 * FIN-only segment that brought nothing new), or TCP_REASM_E_BYTES /
 * TCP_REASM_E_RUNS when dropped.
 */
int tcp_reasm_insert(struct tcp_reasm *r, uint32_t rcv_nxt, uint32_t seq,
		     struct rte_mbuf *m, bool fin);

/*
 * Take the data that has become in order: if the first run starts at or
 * before @rcv_nxt, its bytes from @rcv_nxt on are returned as one mbuf
 * chain (*len bytes) and the caller advances RCV.NXT by *len; bytes before
 * @rcv_nxt are freed. Runs entirely below @rcv_nxt are freed.
 * *fin is set when the queued FIN is now in order (at @rcv_nxt + *len);
 * the FIN is then consumed. Returns NULL with *len = 0 when nothing is in
 * order (and *fin may still be true for a FIN exactly at @rcv_nxt).
 */
struct rte_mbuf *tcp_reasm_pop(struct tcp_reasm *r, uint32_t rcv_nxt, uint32_t *len, bool *fin);

/*
 * SACK blocks describing the queue for an outgoing ACK (RFC 2018 §4): the
 * run changed most recently first, then the others by recency. Returns
 * the number written to @out (at most @max).
 */
unsigned tcp_reasm_sack_blocks(const struct tcp_reasm *r, struct tcp_sack_block *out, unsigned max);

#endif
