/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-lcore poll loop: rx burst -> input -> hooks -> timers -> tx flush.
 * Nothing here blocks or takes a lock (the pcap writer, a debug feature,
 * is the one exception).
 */
#include <errno.h>
#include <rte_mbuf.h>
#include "core/engine.h"
#include "core/pcap.h"
#include "drivers/port.h"
#include "net/eth.h"
#include "net/gro.h"
#include "mptcp/token.h"
#include "core/redirect.h"

struct rte_mbuf *engine_alloc_mbuf(struct mpdk_engine *e)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->stack->pool);
	if (unlikely(m == NULL))
		CTR_INC(e, mbuf_alloc_fail);
	return m;
}

static void engine_pcap(struct mpdk_engine *e, const struct rte_mbuf *m)
{
	struct mpdk_stack *s = e->stack;
	if (pcap_writer_write(s->pcap, m, s->pcap_epoch_ns + e->now) != 0)
		CTR_INC(e, pcap_write_errors);
}

/* engine_input() for a frame already written to the pcap. */
static void engine_input_nopcap(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	/* Several engines: the frame may belong to another one. */
	if (e->rd != NULL && redirect_steer(e, iface, m, true))
		return;
	eth_input(e, iface, m);
}

/* Software GRO of one burst from iface (net/gro.h), unless the user
 * turned it off or the port coalesces itself (hardware LRO). The pcap
 * gets the frames as they were on the wire. */
static uint16_t engine_gro(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf **pkts,
			   uint16_t n)
{
	struct mpdk_stack *s = e->stack;
	struct gro_stats st = { 0, 0 };
	for (uint16_t j = 0; j < n; j++) {
		pkts[j]->port = iface;
		if (unlikely(s->pcap != NULL))
			engine_pcap(e, pkts[j]);
	}
	n = gro_burst(pkts, n, &st);
	CTR_ADD(e, gro_merged, st.merged);
	CTR_ADD(e, gro_packets, st.packets);
	return n;
}

void engine_input(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	m->port = iface;
	if (unlikely(e->stack->pcap != NULL))
		engine_pcap(e, m);
	engine_input_nopcap(e, iface, m);
}

void engine_input_steered(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	m->port = iface;
	eth_input(e, iface, m);
}

static void engine_tx_flush_one(struct mpdk_engine *e, uint16_t iface)
{
	struct tx_batch *b = &e->tx[iface];
	struct mpdk_port *p = e->stack->ifaces[iface].port;
	uint16_t txq = e->port_txq[iface];
	if (unlikely(txq == ENGINE_TX_VIA0)) {
		/* No tx queue of our own on this port: engine 0 sends. */
		redirect_tx(e, iface, b->pkts, b->n);
		b->n = 0;
		return;
	}
	uint16_t sent = port_tx_burst(p, txq, b->pkts, b->n);
	CTR_ADD(e, port_tx_frames, sent);
	if (unlikely(sent < b->n)) {
		/* The tx ring is full: drop and count. The transport layer's
		 * retransmission recovers; spinning here would stall rx. */
		CTR_ADD(e, port_tx_drops, b->n - sent);
		rte_pktmbuf_free_bulk(&b->pkts[sent], b->n - sent);
	}
	b->n = 0;
}

void engine_tx(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	if (unlikely(e->stack->pcap != NULL))
		engine_pcap(e, m);
	engine_tx_queue(e, iface, m);
}

void engine_tx_queue(struct mpdk_engine *e, uint16_t iface, struct rte_mbuf *m)
{
	struct tx_batch *b = &e->tx[iface];
	b->pkts[b->n++] = m;
	if (b->n == ENGINE_TX_BURST)
		engine_tx_flush_one(e, iface);
}

void engine_tx_flush(struct mpdk_engine *e)
{
	for (uint16_t i = 0; i < e->stack->n_ifaces; i++)
		if (e->tx[i].n > 0)
			engine_tx_flush_one(e, i);
}

int engine_add_hook(struct mpdk_engine *e, engine_hook_fn fn, void *arg)
{
	if (e->n_hooks == ENGINE_MAX_HOOKS)
		return -ENOSPC;
	e->hooks[e->n_hooks].fn = fn;
	e->hooks[e->n_hooks].arg = arg;
	e->n_hooks++;
	return 0;
}

int mpdk_engine_poll(struct mpdk_engine *e)
{
	struct rte_mbuf *pkts[ENGINE_RX_BURST];
	int work = 0;

	if (e == NULL)
		return -EINVAL;
	struct mpdk_stack *s = e->stack;
	engine_refresh_now(e);
	for (uint16_t i = 0; i < s->n_ifaces; i++) {
		if (e->port_rxq[i] == ENGINE_NO_RXQ)
			continue;
		uint16_t n = port_rx_burst(s->ifaces[i].port, e->port_rxq[i], pkts, ENGINE_RX_BURST);
		if (n == 0)
			continue;
		/* Stamp input with the time the burst arrived, not the time
		 * the iteration started: RTT samples (ICMP, TCP) would
		 * otherwise read short by however long the loop was away. */
		engine_refresh_now(e);
		CTR_ADD(e, port_rx_frames, n);
		work += n;
		if (n > 1 && !s->conf.no_gro && !(s->ifaces[i].port->caps & PORT_RX_LRO)) {
			n = engine_gro(e, i, pkts, n);
			for (uint16_t j = 0; j < n; j++)
				engine_input_nopcap(e, i, pkts[j]);
			continue;
		}
		for (uint16_t j = 0; j < n; j++) {
			if (j + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[j + 1], void *));
			engine_input(e, i, pkts[j]);
		}
	}
	/* Work other engines of the stack handed over (frames, ARP, ...). */
	if (e->rd != NULL)
		work += redirect_poll(e);
	for (unsigned h = 0; h < e->n_hooks; h++)
		work += e->hooks[h].fn(e, e->hooks[h].arg);
	unsigned fired = timer_wheel_advance(&e->tw, e->now);
	if (fired) {
		CTR_ADD(e, timers_fired, fired);
		work += fired;
	}
	engine_tx_flush(e);
	/* Nothing of the token table is held across iterations: tell RCU so
	 * removed entries can be reclaimed. */
	token_table_quiescent(s->tokens, e->id);
	return work;
}

void mpdk_engine_run(struct mpdk_engine *e, volatile bool *stop)
{
	if (e == NULL || stop == NULL)
		return;
	while (!*stop)
		mpdk_engine_poll(e);
}
