/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include "test_port.h"

#define TP_QLEN 65536

struct fifo {
	unsigned head, tail;           /* head: next out; tail: next in */
	struct rte_mbuf *m[TP_QLEN];
};

struct test_port {
	struct mpdk_port port;
	struct fifo rx, tx;
};

static bool fifo_push(struct fifo *f, struct rte_mbuf *m)
{
	if (f->tail - f->head == TP_QLEN)
		return false;
	f->m[f->tail++ % TP_QLEN] = m;
	return true;
}

static struct rte_mbuf *fifo_pop(struct fifo *f)
{
	if (f->head == f->tail)
		return NULL;
	return f->m[f->head++ % TP_QLEN];
}

static uint16_t tp_rx(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct test_port *tp = (struct test_port *)p;
	uint16_t i = 0;
	(void)q;
	while (i < n && (pkts[i] = fifo_pop(&tp->rx)) != NULL)
		i++;
	return i;
}

static uint16_t tp_tx(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	struct test_port *tp = (struct test_port *)p;
	uint16_t i;
	(void)q;
	for (i = 0; i < n; i++)
		if (!fifo_push(&tp->tx, pkts[i]))
			break;
	return i;
}

static bool tp_link_up(const struct mpdk_port *p)
{
	(void)p;
	return true;
}

static void tp_close(struct mpdk_port *p)
{
	struct test_port *tp = (struct test_port *)p;
	struct rte_mbuf *m;
	while ((m = fifo_pop(&tp->rx)) != NULL)
		rte_pktmbuf_free(m);
	while ((m = fifo_pop(&tp->tx)) != NULL)
		rte_pktmbuf_free(m);
	free(tp);
}

static const struct port_ops test_port_ops = {
	.kind = "test",
	.rx_burst = tp_rx,
	.tx_burst = tp_tx,
	.link_up = tp_link_up,
	.close = tp_close,
};

struct mpdk_port *test_port_create(uint16_t idx, uint16_t mtu, uint32_t caps)
{
	struct test_port *tp = calloc(1, sizeof(*tp));
	if (tp == NULL)
		abort();
	tp->port.ops = &test_port_ops;
	snprintf(tp->port.name, sizeof(tp->port.name), "test%u", idx);
	struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0, (uint8_t)(idx + 1)}};
	tp->port.mac = mac;
	tp->port.mtu = mtu ? mtu : 1500;
	tp->port.n_rx_queues = tp->port.n_tx_queues = 1;
	tp->port.caps = caps;
	return &tp->port;
}

void test_port_push_rx(struct mpdk_port *p, struct rte_mbuf *m)
{
	struct test_port *tp = (struct test_port *)p;
	if (!fifo_push(&tp->rx, m))
		rte_pktmbuf_free(m);
}

unsigned test_port_rx_pending(const struct mpdk_port *p)
{
	const struct test_port *tp = (const struct test_port *)p;
	return tp->rx.tail - tp->rx.head;
}

struct rte_mbuf *test_port_pop_tx(struct mpdk_port *p)
{
	return fifo_pop(&((struct test_port *)p)->tx);
}

unsigned test_port_tx_pending(const struct mpdk_port *p)
{
	const struct test_port *tp = (const struct test_port *)p;
	return tp->tx.tail - tp->tx.head;
}
