/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ethdev driver over net_ring, a PMD that needs no hardware: each tx
 * queue of a net_ring port created without arguments is the ring its rx
 * queue of the same index reads, so frames sent come back.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_eth_ring.h>

#include "harness.h"
#include "drivers/port.h"

static struct rte_mempool *pool;

/* Hot-plug a net_ring vdev; returns its ethdev port id. */
static uint16_t ring_port(const char *name)
{
	uint16_t pid;

	assert_int_equal(rte_eal_hotplug_add("vdev", name, ""), 0);
	assert_int_equal(rte_eth_dev_get_port_by_name(name, &pid), 0);
	return pid;
}

static void test_invalid_port(void **state)
{
	struct mpdk_port *p = (void *)1;

	(void)state;
	assert_int_equal(mpdk_ethdev_port_open(RTE_MAX_ETHPORTS - 1, NULL, pool, &p), -ENODEV);
	assert_null(p);
	assert_int_equal(mpdk_ethdev_port_open(UINT16_MAX, NULL, pool, &p), -ENODEV);
	assert_int_equal(mpdk_ethdev_port_open(0, NULL, NULL, &p), -EINVAL);
	/* The generic calls tolerate NULL. */
	assert_false(mpdk_port_link_up(NULL));
	assert_string_equal(mpdk_port_name(NULL), "(null)");
	mpdk_port_close(NULL);
}

static void test_ring_loopback(void **state)
{
	uint16_t pid = ring_port("net_ring0");
	struct mpdk_ethdev_conf conf = { .n_rx_queues = 2, .n_tx_queues = 2 };
	struct rte_ether_addr mac;
	struct mpdk_port *p = NULL;
	struct rte_mbuf *tx[4], *rx[8];
	uint16_t n;

	(void)state;
	assert_int_equal(mpdk_ethdev_port_open(pid, &conf, pool, &p), 0);
	assert_non_null(p);
	assert_string_equal(p->ops->kind, "ethdev");
	assert_string_equal(mpdk_port_name(p), "net_ring0");
	assert_int_equal(p->ethdev_id, pid);
	/* net_ring has no MAC of its own: the driver made up a locally
	 * administered unicast one. */
	assert_int_equal(rte_eth_macaddr_get(pid, &mac), 0);
	assert_false(rte_is_zero_ether_addr(&p->mac));
	assert_true(rte_is_unicast_ether_addr(&p->mac));
	assert_true(rte_is_local_admin_ether_addr(&p->mac));
	if (!rte_is_zero_ether_addr(&mac))
		assert_memory_equal(&p->mac, &mac, sizeof(mac));
	assert_int_equal(p->mtu, 1500);
	assert_int_equal(p->n_rx_queues, 2);
	assert_int_equal(p->n_tx_queues, 2);
	/* net_ring has no RSS and no checksum offloads. */
	assert_int_equal(p->caps & (PORT_RSS | PORT_TX_TCP_CKSUM | PORT_RX_CKSUM), 0);
	assert_true(mpdk_port_link_up(p));

	for (unsigned i = 0; i < RTE_DIM(tx); i++) {
		tx[i] = rte_pktmbuf_alloc(pool);
		assert_non_null(tx[i]);
		memset(rte_pktmbuf_append(tx[i], 60), (int)i, 60);
	}
	/* Queue 1 loops to rx queue 1 only. */
	assert_int_equal(port_tx_burst(p, 1, tx, 4), 4);
	assert_int_equal(port_rx_burst(p, 0, rx, 8), 0);
	n = port_rx_burst(p, 1, rx, 8);
	assert_int_equal(n, 4);
	for (unsigned i = 0; i < n; i++) {
		assert_ptr_equal(rx[i], tx[i]);
		assert_int_equal(rte_pktmbuf_mtod(rx[i], uint8_t *)[0], i);
		rte_pktmbuf_free(rx[i]);
	}
	mpdk_port_close(p);
	/* Closed ports are released. */
	assert_false(rte_eth_dev_is_valid_port(pid));
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

/* Options: queue counts are clamped to what the port has, an MTU the port
 * refuses fails the open (and leaves the port usable), a large MTU works
 * when the port scatters frames over several mbufs. */
static void test_ring_conf(void **state)
{
	uint16_t pid = ring_port("net_ring1");
	struct mpdk_ethdev_conf conf = { .n_rx_queues = 1000, .mtu = 40, .no_offloads = true };
	struct mpdk_port *p = NULL;
	struct rte_eth_dev_info info;

	(void)state;
	assert_int_equal(rte_eth_dev_info_get(pid, &info), 0);
	assert_int_equal(mpdk_ethdev_port_open(pid, &conf, pool, &p), -EINVAL);
	assert_null(p);
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
		conf.mtu = 9000;
	else
		conf.mtu = 1400;
	conf.promiscuous = true;
	assert_int_equal(mpdk_ethdev_port_open(pid, &conf, pool, &p), 0);
	assert_int_equal(p->n_rx_queues, info.max_rx_queues);
	assert_int_equal(p->n_tx_queues, 1);
	assert_int_equal(p->mtu, conf.mtu);
	assert_int_equal(p->caps, 0);
	mpdk_port_close(p);
}

/* Two ports over two rings, each one's tx ring the other's rx ring, like a
 * cable: frames sent on one end come out of the other. */
static void test_ring_pair(void **state)
{
	struct rte_ring *r[2];
	struct mpdk_port *a = NULL, *b = NULL;
	struct rte_mbuf *m[3], *rx[4];
	int pa, pb;

	(void)state;
	r[0] = rte_ring_create("pair0", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	r[1] = rte_ring_create("pair1", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	assert_non_null(r[0]);
	assert_non_null(r[1]);
	pa = rte_eth_from_rings("pair_a", &r[0], 1, &r[1], 1, SOCKET_ID_ANY);
	pb = rte_eth_from_rings("pair_b", &r[1], 1, &r[0], 1, SOCKET_ID_ANY);
	assert_true(pa >= 0);
	assert_true(pb >= 0);
	assert_int_equal(mpdk_ethdev_port_open((uint16_t)pa, NULL, pool, &a), 0);
	assert_int_equal(mpdk_ethdev_port_open((uint16_t)pb, NULL, pool, &b), 0);
	assert_memory_not_equal(&a->mac, &b->mac, sizeof(a->mac));

	for (unsigned i = 0; i < 3; i++) {
		m[i] = rte_pktmbuf_alloc(pool);
		assert_non_null(m[i]);
		memset(rte_pktmbuf_append(m[i], 64), (int)i, 64);
	}
	assert_int_equal(port_tx_burst(a, 0, m, 2), 2);
	assert_int_equal(port_tx_burst(b, 0, &m[2], 1), 1);
	assert_int_equal(port_rx_burst(b, 0, rx, 4), 2);
	assert_int_equal(rte_pktmbuf_mtod(rx[1], uint8_t *)[0], 1);
	rte_pktmbuf_free(rx[0]);
	rte_pktmbuf_free(rx[1]);
	assert_int_equal(port_rx_burst(a, 0, rx, 4), 1);
	assert_int_equal(rte_pktmbuf_mtod(rx[0], uint8_t *)[0], 2);
	rte_pktmbuf_free(rx[0]);
	mpdk_port_close(a);
	mpdk_port_close(b);
	rte_ring_free(r[0]);
	rte_ring_free(r[1]);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_port),
		cmocka_unit_test(test_ring_loopback),
		cmocka_unit_test(test_ring_conf),
		cmocka_unit_test(test_ring_pair),
	};
	int rc;

	harness_eal_init();
	pool = rte_pktmbuf_pool_create("ethdev_test", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	rc = cmocka_run_group_tests_name("ethdev", tests, NULL, NULL);
	rte_mempool_free(pool);
	return rc;
}
