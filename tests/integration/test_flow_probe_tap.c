/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rte_flow probe of drivers/ethdev (issue 6 item 2) against net_tap
 * with two queue pairs: does the port steer one TCP 4-tuple to a queue
 * (ETH / IPV4 / TCP exact match -> QUEUE)?
 *
 * The answer is not hard-coded: this test finds it out on its own, by
 * creating such a rule itself (a different 4-tuple, straight through
 * rte_flow), and checks that the probe agrees — PORT_FLOW_STEER and a
 * working port_flow_steer() when the rule could be made; no
 * PORT_FLOW_STEER, a reason, and port_flow_steer() failing cleanly
 * (-ENOTSUP, no crash: the stack then redirects in software) when not.
 * It also reports whether rte_flow_validate alone would have said yes:
 * net_tap validates the pattern only, and its create needs the kernel's
 * TC flower classifier and multiq qdisc (CONFIG_NET_CLS_FLOWER,
 * CONFIG_NET_SCH_MULTIQ, CONFIG_NET_ACT_SKBEDIT), so a probe that trusted
 * validate would be wrong on a kernel without them.
 *
 * Needs root and /dev/net/tun (exit 77 = skipped otherwise).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_mbuf.h>

#include "mpdk/mpdk.h"
#include "drivers/port.h"

#define SKIP 77

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);        \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
			failures++;                                        \
		}                                                          \
	} while (0)

/* A rule of our own, built here independently of drivers/ethdev: does
 * rte_flow_validate accept it, and can it be created? */
static void own_rule(uint16_t port_id, bool *validated, bool *created)
{
	struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_ipv4 ip = { .hdr = { .src_addr = RTE_BE32(0xc6336401),
						  .dst_addr = RTE_BE32(0xc6336402) } };
	struct rte_flow_item_ipv4 ipm = { .hdr = { .src_addr = UINT32_MAX, .dst_addr = UINT32_MAX } };
	struct rte_flow_item_tcp tcp = { .hdr = { .src_port = RTE_BE16(40000), .dst_port = RTE_BE16(80) } };
	struct rte_flow_item_tcp tcpm = { .hdr = { .src_port = UINT16_MAX, .dst_port = UINT16_MAX } };
	struct rte_flow_item pattern[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &ip, .mask = &ipm },
		{ .type = RTE_FLOW_ITEM_TYPE_TCP, .spec = &tcp, .mask = &tcpm },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	struct rte_flow_action_queue q = { .index = 1 };
	struct rte_flow_action actions[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_QUEUE, .conf = &q },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};
	struct rte_flow_error err;
	struct rte_flow *f;

	memset(&err, 0, sizeof(err));
	*validated = rte_flow_validate(port_id, &attr, pattern, actions, &err) == 0;
	memset(&err, 0, sizeof(err));
	f = rte_flow_create(port_id, &attr, pattern, actions, &err);
	*created = f != NULL;
	printf("  own rule (198.51.100.1:40000 -> 198.51.100.2:80, queue 1): validate %s, "
	       "create %s%s%s\n", *validated ? "ok" : "refused", *created ? "ok" : "failed",
	       f == NULL && err.message ? ": " : "", f == NULL && err.message ? err.message : "");
	if (f != NULL)
		CHECK(rte_flow_destroy(port_id, f, &err) == 0, "own rule not destroyed");
}

int main(void)
{
	char prefix[64], vdev[128], iface[32];
	struct rte_mempool *pool;
	struct mpdk_port *p = NULL;
	uint16_t port_id;
	bool validated, created;
	int rc;

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("SKIP: needs root and /dev/net/tun\n");
		return SKIP;
	}
	snprintf(prefix, sizeof(prefix), "mpdk-flowprobe-%d", (int)getpid());
	snprintf(iface, sizeof(iface), "mpdkfl%d", (int)getpid() % 100000);
	snprintf(vdev, sizeof(vdev), "net_tap0,iface=%s", iface);
	char *argv[] = { "test_flow_probe_tap", "--no-huge", "--no-pci", "-m", "256", "--file-prefix",
			 prefix, "--log-level", "lib.eal:error", "--log-level", "pmd.net.tap:critical",
			 "--no-telemetry", "-l", "0", "--vdev", vdev, NULL };
	if (mpdk_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		printf("SKIP: the EAL does not start with %s\n", vdev);
		return SKIP;
	}
	if (rte_eth_dev_get_port_by_name("net_tap0", &port_id) != 0) {
		printf("SKIP: no net_tap0 port\n");
		return SKIP;
	}
	pool = rte_pktmbuf_pool_create("flowprobe", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	CHECK(pool != NULL, "no mbuf pool");
	if (pool == NULL)
		return 1;

	/* Two queue pairs: a rule has a queue other than 0 to point at. */
	struct mpdk_ethdev_conf ec = { .n_rx_queues = 2, .n_tx_queues = 2 };
	rc = mpdk_ethdev_port_open(port_id, &ec, pool, &p);
	CHECK(rc == 0 && p != NULL, "net_tap0 with 2 queue pairs did not open: %d", rc);
	if (p == NULL)
		return 1;
	printf("  %s: %u rx queues, probe: %s%s%s; trial create %.1f us, destroy %.1f us\n",
	       p->name, p->n_rx_queues, (p->caps & PORT_FLOW_STEER) ? "steers 4-tuples" : "no",
	       p->flow_unsupported[0] ? " -- " : "", p->flow_unsupported, p->flow_create_ns / 1e3,
	       p->flow_destroy_ns / 1e3);
	CHECK(p->n_rx_queues == 2, "%u rx queues", p->n_rx_queues);
	printf("  RSS the stack can predict (needed for one engine per queue): %s\n",
	       port_rss_predictable(p) ? "yes" : "no");

	own_rule(port_id, &validated, &created);
	CHECK(!!(p->caps & PORT_FLOW_STEER) == created,
	      "the probe says %s, a rule of our own %s", (p->caps & PORT_FLOW_STEER) ? "yes" : "no",
	      created ? "was created" : "could not be created");
	if (validated && !created)
		printf("  rte_flow_validate accepts the rule but create fails: a probe by "
		       "validate alone would be wrong here\n");

	/* What the stack does with it (src/core/flow.c): a rule, or a clean
	 * error and software redirect. */
	int err = 0;
	void *rule = port_flow_steer(p, RTE_BE32(0x0a010001), RTE_BE32(0x0a010002), RTE_BE16(50000),
				     RTE_BE16(5001), 1, &err);
	if (p->caps & PORT_FLOW_STEER) {
		CHECK(rule != NULL, "port_flow_steer failed (%d) on a port that steers", err);
		if (rule != NULL)
			CHECK(port_flow_unsteer(p, rule) == 0, "rule not removed");
		CHECK(p->flow_unsupported[0] == '\0', "a reason on a supported port");
	} else {
		CHECK(rule == NULL && err == -ENOTSUP, "port_flow_steer: rule %p err %d", rule, err);
		CHECK(p->flow_unsupported[0] != '\0', "no reason given");
		CHECK(port_flow_unsteer(p, NULL) == -EINVAL, "unsteer of nothing");
	}
	/* A queue the port does not have is refused before the driver. */
	rule = port_flow_steer(p, RTE_BE32(0x0a010001), RTE_BE32(0x0a010002), RTE_BE16(50000),
			       RTE_BE16(5001), 7, &err);
	CHECK(rule == NULL && err != 0, "queue 7 of 2 accepted");

	mpdk_port_close(p);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	printf("%s\n", failures ? "FAILED" : "PASS");
	return failures ? 1 : 0;
}
