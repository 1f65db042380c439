/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ethdev driver: a port backed by any DPDK poll mode driver (physical
 * NICs and vdevs such as net_tap, net_af_packet, net_memif, net_ring).
 *
 * Opening a port configures it the way the stack wants it: one rx and one
 * tx queue per engine, RSS over IP/TCP/UDP when there is more than one rx
 * queue, checksum offloads when the PMD offers them. What was actually
 * enabled is published in port->caps (PORT_*), and protocol code decides
 * per packet between offload flags and software checksums from those bits.
 *
 * Thread safety: rx_burst/tx_burst on one queue must be called by one
 * thread (the engine owning that queue). Open and close are control path
 * calls and must not race with the data path.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "drivers/port.h"
#include "core/log.h"

#define ETHDEV_DEFAULT_DESC 1024

/*
 * A symmetric Toeplitz key (0x6d5a repeated): both directions of a flow hash
 * to the same value, so replies and the packets they answer land on the same
 * queue, and software can predict the queue of a 4-tuple (design.md: active
 * opens pick source ports whose hash lands on the home core).
 */
#define ETHDEV_RSS_KEY_MAX 64
static uint8_t ethdev_rss_key[ETHDEV_RSS_KEY_MAX];

struct ethdev_priv {
	bool tx_prepare;  /* offloads in use: rte_eth_tx_prepare before tx */
	bool started;
	/* RSS redirection table as programmed (entry i: queue of hash i). */
	uint16_t reta[RTE_ETH_RSS_RETA_SIZE_512];
};

/* Program the redirection table as entry i -> queue i % n_rxq and keep a
 * copy, so that software predicts the queue of a 4-tuple exactly as the
 * port picks it (drivers/port.h). If the port refuses, read back what it
 * has. Returns the table size, or 0 when the queue is unpredictable. */
static uint16_t ethdev_reta_setup(const char *name, uint16_t port_id, uint16_t reta_size,
				  uint16_t n_rxq, uint16_t *reta)
{
	struct rte_eth_rss_reta_entry64 conf[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];

	if (reta_size == 0 || reta_size > RTE_ETH_RSS_RETA_SIZE_512 ||
	    reta_size % RTE_ETH_RETA_GROUP_SIZE != 0)
		return 0;
	memset(conf, 0, sizeof(conf));
	for (unsigned i = 0; i < reta_size; i++) {
		conf[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
		conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] = i % n_rxq;
	}
	if (rte_eth_dev_rss_reta_update(port_id, conf, reta_size) != 0 &&
	    rte_eth_dev_rss_reta_query(port_id, conf, reta_size) != 0) {
		MPDK_LOG(WARNING, "%s: RSS redirection table neither set nor readable: queue of a "
			 "flow unknown", name);
		return 0;
	}
	for (unsigned i = 0; i < reta_size; i++)
		reta[i] = conf[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
	return reta_size;
}

static uint16_t ethdev_rx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(p->ethdev_id, q, pkts, n);
}

static uint16_t ethdev_tx_burst(struct mpdk_port *p, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	const struct ethdev_priv *priv = p->priv;

	if (priv->tx_prepare) {
		/* Frames past the first one prepare rejects are not taken: the
		 * caller frees them (and counts them). */
		n = rte_eth_tx_prepare(p->ethdev_id, q, pkts, n);
		if (n == 0)
			return 0;
	}
	return rte_eth_tx_burst(p->ethdev_id, q, pkts, n);
}

static bool ethdev_link_up(const struct mpdk_port *p)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(p->ethdev_id, &link) != 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}

static void ethdev_close(struct mpdk_port *p)
{
	struct ethdev_priv *priv = p->priv;
	int ret;

	if (priv->started) {
		ret = rte_eth_dev_stop(p->ethdev_id);
		if (ret != 0)
			MPDK_LOG(WARNING, "%s: stop failed: %s", p->name, rte_strerror(-ret));
	}
	ret = rte_eth_dev_close(p->ethdev_id);
	if (ret != 0)
		MPDK_LOG(WARNING, "%s: close failed: %s", p->name, rte_strerror(-ret));
	free(priv);
	free(p);
}

/* ------------------------------------------------ rte_flow 4-tuple steering */

/* One exact-match rule: ETH / IPV4 src dst / TCP sport dport -> QUEUE q
 * (ingress, group 0, priority 0; addresses and ports in network order). */
struct ethdev_flow_spec {
	struct rte_flow_attr attr;
	struct rte_flow_item_ipv4 ip_spec, ip_mask;
	struct rte_flow_item_tcp tcp_spec, tcp_mask;
	struct rte_flow_item pattern[4];
	struct rte_flow_action_queue queue;
	struct rte_flow_action actions[2];
};

static void ethdev_flow_spec_init(struct ethdev_flow_spec *f, uint32_t saddr, uint32_t daddr,
				  uint16_t sport, uint16_t dport, uint16_t q)
{
	memset(f, 0, sizeof(*f));
	f->attr.ingress = 1;
	f->ip_spec.hdr.src_addr = saddr;
	f->ip_spec.hdr.dst_addr = daddr;
	f->ip_mask.hdr.src_addr = UINT32_MAX;
	f->ip_mask.hdr.dst_addr = UINT32_MAX;
	f->tcp_spec.hdr.src_port = sport;
	f->tcp_spec.hdr.dst_port = dport;
	f->tcp_mask.hdr.src_port = UINT16_MAX;
	f->tcp_mask.hdr.dst_port = UINT16_MAX;
	f->pattern[0].type = RTE_FLOW_ITEM_TYPE_ETH;   /* any Ethernet header */
	f->pattern[1] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_IPV4,
						.spec = &f->ip_spec, .mask = &f->ip_mask };
	f->pattern[2] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_TCP,
						.spec = &f->tcp_spec, .mask = &f->tcp_mask };
	f->pattern[3].type = RTE_FLOW_ITEM_TYPE_END;
	f->queue.index = q;
	f->actions[0] = (struct rte_flow_action){ .type = RTE_FLOW_ACTION_TYPE_QUEUE, .conf = &f->queue };
	f->actions[1].type = RTE_FLOW_ACTION_TYPE_END;
}

static const char *flow_err_msg(const struct rte_flow_error *fe, int ret)
{
	if (fe->message != NULL)
		return fe->message;
	return rte_strerror(ret < 0 ? -ret : ret);
}

static uint64_t tsc_to_ns(uint64_t cycles)
{
	uint64_t hz = rte_get_tsc_hz();
	return hz != 0 ? (uint64_t)((double)cycles * 1e9 / (double)hz) : 0;
}

static void *ethdev_flow_steer(struct mpdk_port *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
			       uint16_t dport, uint16_t q, int *err)
{
	struct ethdev_flow_spec f;
	struct rte_flow_error fe;
	struct rte_flow *flow;

	ethdev_flow_spec_init(&f, saddr, daddr, sport, dport, q);
	memset(&fe, 0, sizeof(fe));
	rte_errno = 0;
	flow = rte_flow_create(p->ethdev_id, &f.attr, f.pattern, f.actions, &fe);
	if (flow == NULL) {
		*err = rte_errno > 0 ? -rte_errno : -EIO;
		MPDK_LOG(DEBUG, "%s: rte_flow rule to queue %u not created: %s", p->name, q,
			 flow_err_msg(&fe, *err));
	}
	return flow;
}

static int ethdev_flow_unsteer(struct mpdk_port *p, void *rule)
{
	struct rte_flow_error fe;
	int ret;

	memset(&fe, 0, sizeof(fe));
	ret = rte_flow_destroy(p->ethdev_id, rule, &fe);
	if (ret != 0)
		MPDK_LOG(WARNING, "%s: rte_flow rule not destroyed: %s", p->name, flow_err_msg(&fe, ret));
	return ret < 0 ? ret : (ret > 0 ? -ret : 0);
}

/*
 * Does the port steer a 4-tuple to a queue? Asked once, at open, of a
 * started port: rte_flow_validate of a representative rule (TEST-NET-1
 * 192.0.2.1:9 -> 192.0.2.2:9, last rx queue), then a trial create and
 * destroy of that rule, timed. Validation alone is not enough: net_tap's
 * validate only checks the pattern, and the kernel may still refuse the
 * TC flower filter that create installs. Sets PORT_FLOW_STEER, or says
 * why not in p->flow_unsupported.
 */
static void ethdev_flow_probe(struct mpdk_port *p, uint16_t n_rxq)
{
	struct ethdev_flow_spec f;
	struct rte_flow_error fe;
	struct rte_flow *flow;
	uint64_t t0;
	int ret;

	p->caps &= ~PORT_FLOW_STEER;
	if (n_rxq < 2) {
		snprintf(p->flow_unsupported, sizeof(p->flow_unsupported), "one rx queue");
		return;
	}
	ethdev_flow_spec_init(&f, RTE_BE32(0xc0000201), RTE_BE32(0xc0000202), RTE_BE16(9),
			      RTE_BE16(9), n_rxq - 1);
	memset(&fe, 0, sizeof(fe));
	ret = rte_flow_validate(p->ethdev_id, &f.attr, f.pattern, f.actions, &fe);
	if (ret != 0) {
		snprintf(p->flow_unsupported, sizeof(p->flow_unsupported), "validate: %s",
			 flow_err_msg(&fe, ret));
		goto out;
	}
	memset(&fe, 0, sizeof(fe));
	rte_errno = 0;
	t0 = rte_get_tsc_cycles();
	flow = rte_flow_create(p->ethdev_id, &f.attr, f.pattern, f.actions, &fe);
	p->flow_create_ns = tsc_to_ns(rte_get_tsc_cycles() - t0);
	if (flow == NULL) {
		snprintf(p->flow_unsupported, sizeof(p->flow_unsupported), "create: %s",
			 flow_err_msg(&fe, rte_errno > 0 ? -rte_errno : -EIO));
		goto out;
	}
	memset(&fe, 0, sizeof(fe));
	t0 = rte_get_tsc_cycles();
	ret = rte_flow_destroy(p->ethdev_id, flow, &fe);
	p->flow_destroy_ns = tsc_to_ns(rte_get_tsc_cycles() - t0);
	if (ret != 0) {
		snprintf(p->flow_unsupported, sizeof(p->flow_unsupported), "destroy: %s",
			 flow_err_msg(&fe, ret));
		goto out;
	}
	p->flow_unsupported[0] = '\0';
	p->caps |= PORT_FLOW_STEER;
out:
	if (p->caps & PORT_FLOW_STEER)
		MPDK_LOG(INFO, "%s: rte_flow 4-tuple steering to a queue: yes (trial rule created in "
			 "%.1f us, destroyed in %.1f us)", p->name, p->flow_create_ns / 1e3,
			 p->flow_destroy_ns / 1e3);
	else
		MPDK_LOG(INFO, "%s: rte_flow 4-tuple steering to a queue: no (%s%s): software "
			 "redirect only", p->name, p->flow_unsupported,
			 p->flow_create_ns != 0 ? ", after a failed create" : "");
}

static const struct port_ops ethdev_ops = {
	.kind = "ethdev",
	.rx_burst = ethdev_rx_burst,
	.tx_burst = ethdev_tx_burst,
	.link_up = ethdev_link_up,
	.close = ethdev_close,
	.flow_steer = ethdev_flow_steer,
	.flow_unsteer = ethdev_flow_unsteer,
};

static uint16_t clamp_queues(const char *name, const char *what, uint16_t want, uint16_t max)
{
	if (want == 0)
		want = 1;
	if (want > max) {
		MPDK_LOG(WARNING, "%s: %u %s queues asked, the port has %u: using %u",
			 name, want, what, max, max);
		want = max;
	}
	return want;
}

/* Offloads wanted from the port: enable what is offered and map it to
 * PORT_* capability bits. */
static void choose_offloads(const struct rte_eth_dev_info *info, const struct mpdk_ethdev_conf *conf,
			    struct rte_eth_conf *ec, uint32_t *caps)
{
	static const struct {
		uint64_t offload;
		uint32_t cap;
	} tx_map[] = {
		{ RTE_ETH_TX_OFFLOAD_IPV4_CKSUM, PORT_TX_IPV4_CKSUM },
		{ RTE_ETH_TX_OFFLOAD_TCP_CKSUM, PORT_TX_TCP_CKSUM },
		{ RTE_ETH_TX_OFFLOAD_UDP_CKSUM, PORT_TX_UDP_CKSUM },
		{ RTE_ETH_TX_OFFLOAD_TCP_TSO, PORT_TX_TSO },
		{ RTE_ETH_TX_OFFLOAD_MULTI_SEGS, PORT_TX_MULTISEG },
	};
	const uint64_t rx_cksum = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
				  RTE_ETH_RX_OFFLOAD_UDP_CKSUM;

	if (conf->no_offloads)
		return;
	for (size_t i = 0; i < RTE_DIM(tx_map); i++) {
		if (info->tx_offload_capa & tx_map[i].offload) {
			ec->txmode.offloads |= tx_map[i].offload;
			*caps |= tx_map[i].cap;
		}
	}
	/* TSO produces TCP segments whose checksums the NIC must fill in; it is
	 * useless (and some PMDs refuse it) without TCP checksum offload, and
	 * the IPv4 header of every segment (length, ID) changes, so its
	 * checksum must be offloaded too (DPDK's GSO, used by net_tap, relies
	 * on RTE_MBUF_F_TX_IP_CKSUM). The user may turn it off (--no-tso). */
	if ((*caps & PORT_TX_TSO) &&
	    (conf->no_tso || !(*caps & PORT_TX_TCP_CKSUM) || !(*caps & PORT_TX_IPV4_CKSUM))) {
		ec->txmode.offloads &= ~RTE_ETH_TX_OFFLOAD_TCP_TSO;
		*caps &= ~PORT_TX_TSO;
	}
	if (info->rx_offload_capa & rx_cksum) {
		ec->rxmode.offloads |= info->rx_offload_capa & rx_cksum;
		*caps |= PORT_RX_CKSUM;
	}
	/* Hardware receive coalescing (docs/performance.md "GRO"): the port
	 * merges in-order TCP segments itself and the engine skips software
	 * GRO there. Only with TCP rx checksum offload (the merged packet's
	 * checksum field no longer covers its payload: the port must have
	 * verified each segment) and scattered rx (a merged packet is larger
	 * than one mbuf). --no-gro turns it off. */
	if (!conf->no_lro && (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO) &&
	    (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM) &&
	    (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
		ec->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_SCATTER;
		/* IPv4 total length is 16 bits; the port may allow less. A
		 * port that names no limit gets 0: ethdev then uses the frame
		 * size, where any other value fails configure (22.11's
		 * eth_dev_check_lro_pkt_size against a max of 0). */
		uint32_t lro = UINT16_MAX + RTE_ETHER_HDR_LEN;
		if (info->max_lro_pkt_size < lro)
			lro = info->max_lro_pkt_size;
		ec->rxmode.max_lro_pkt_size = lro;
		*caps |= PORT_RX_LRO;
	}
}

/* RSS over IP and TCP/UDP ports, restricted to the hash types the port
 * offers. Returns the PORT_RSS bit or 0. */
static uint32_t choose_rss(const char *name, const struct rte_eth_dev_info *info, uint16_t n_rxq,
			   struct rte_eth_conf *ec)
{
	uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info->flow_type_rss_offloads;
	uint8_t key_len = info->hash_key_size;

	if (n_rxq < 2)
		return 0;
	if (hf == 0) {
		MPDK_LOG(WARNING, "%s: %u rx queues but no RSS: all traffic lands on queue 0",
			 name, n_rxq);
		return 0;
	}
	ec->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	ec->rx_adv_conf.rss_conf.rss_hf = hf;
	if (key_len > 0 && key_len <= ETHDEV_RSS_KEY_MAX) {
		for (unsigned i = 0; i < ETHDEV_RSS_KEY_MAX; i++)
			ethdev_rss_key[i] = i % 2 ? 0x5a : 0x6d;
		ec->rx_adv_conf.rss_conf.rss_key = ethdev_rss_key;
		ec->rx_adv_conf.rss_conf.rss_key_len = key_len;
	}
	return PORT_RSS;
}

/* Largest frame (Ethernet header, one VLAN tag, CRC) for an MTU. */
static uint32_t mtu_frame_len(uint16_t mtu)
{
	return (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
}

int mpdk_ethdev_port_open(uint16_t port_id, const struct mpdk_ethdev_conf *conf_in,
			  struct rte_mempool *pool, struct mpdk_port **out)
{
	static const struct mpdk_ethdev_conf defaults;
	const struct mpdk_ethdev_conf *conf = conf_in ? conf_in : &defaults;
	struct rte_eth_dev_info info;
	struct rte_eth_conf ec;
	struct rte_eth_link link;
	struct mpdk_port *p = NULL;
	struct ethdev_priv *priv = NULL;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t cur_mtu, mtu, n_rxq, n_txq, rx_desc, tx_desc;
	uint32_t caps = 0;
	int socket, ret;

	if (out == NULL || pool == NULL)
		return -EINVAL;
	*out = NULL;
	if (!rte_eth_dev_is_valid_port(port_id)) {
		MPDK_LOG(ERR, "ethdev port %u does not exist (%u ports available)",
			 port_id, rte_eth_dev_count_avail());
		return -ENODEV;
	}
	if (rte_eth_dev_get_name_by_port(port_id, name) != 0)
		snprintf(name, sizeof(name), "port%u", port_id);

	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0) {
		MPDK_LOG(ERR, "%s: cannot read device info: %s", name, rte_strerror(-ret));
		return ret;
	}
	if (info.max_rx_queues == 0 || info.max_tx_queues == 0) {
		MPDK_LOG(ERR, "%s: the port has no %s queue", name, info.max_rx_queues ? "tx" : "rx");
		return -ENOTSUP;
	}
	n_rxq = clamp_queues(name, "rx", conf->n_rx_queues, info.max_rx_queues);
	n_txq = clamp_queues(name, "tx", conf->n_tx_queues, info.max_tx_queues);

	if (rte_eth_dev_get_mtu(port_id, &cur_mtu) != 0)
		cur_mtu = RTE_ETHER_MTU;
	mtu = conf->mtu ? conf->mtu : cur_mtu;
	if (mtu < info.min_mtu || mtu > info.max_mtu) {
		MPDK_LOG(ERR, "%s: MTU %u refused: the port accepts %u..%u", name, mtu,
			 info.min_mtu, info.max_mtu);
		return -EINVAL;
	}
	/* ethdev checks the frame against max_rx_pktlen too (DPDK 22.11's
	 * net_memif, net_af_packet and net_tap: 1518 or 1522 bytes, while
	 * their max_mtu says more): say so rather than "Invalid argument" */
	if (mtu > RTE_ETHER_MTU && (uint32_t)mtu + RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN > info.max_rx_pktlen) {
		MPDK_LOG(ERR, "%s: MTU %u refused: the port's largest frame is %u bytes", name, mtu,
			 info.max_rx_pktlen);
		return -EINVAL;
	}

	memset(&ec, 0, sizeof(ec));
	ec.rxmode.mtu = mtu;
	choose_offloads(&info, conf, &ec, &caps);
	caps |= choose_rss(name, &info, n_rxq, &ec);
	/* Frames bigger than one mbuf need scattered rx. */
	if (mtu_frame_len(mtu) > (uint32_t)rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM) {
		if (!(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)) {
			MPDK_LOG(ERR, "%s: MTU %u does not fit the pool's %u-byte mbufs and the port "
				 "cannot scatter", name, mtu, rte_pktmbuf_data_room_size(pool));
			return -EINVAL;
		}
		ec.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	}

	ret = rte_eth_dev_configure(port_id, n_rxq, n_txq, &ec);
	if (ret != 0) {
		MPDK_LOG(ERR, "%s: configure (%u rx, %u tx queues, MTU %u) failed: %s", name, n_rxq,
			 n_txq, mtu, rte_strerror(-ret));
		return ret;
	}

	/* configure() recorded the MTU; PMDs that program it into hardware or a
	 * kernel interface (tap, af_packet, NICs) need the explicit call too.
	 * Only when it changes: af_packet's ioctl needs CAP_NET_ADMIN even to
	 * set the same value. */
	ret = mtu != cur_mtu ? rte_eth_dev_set_mtu(port_id, mtu) : 0;
	if (ret == -ENOTSUP) {
		MPDK_LOG(DEBUG, "%s: no MTU control, keeping %u", name, mtu);
	} else if (ret != 0) {
		MPDK_LOG(ERR, "%s: MTU %u refused: %s", name, mtu, rte_strerror(-ret));
		goto fail;
	}

	rx_desc = conf->rx_desc ? conf->rx_desc : ETHDEV_DEFAULT_DESC;
	tx_desc = conf->tx_desc ? conf->tx_desc : ETHDEV_DEFAULT_DESC;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc);
	if (ret != 0) {
		MPDK_LOG(ERR, "%s: descriptor counts refused: %s", name, rte_strerror(-ret));
		goto fail;
	}

	socket = rte_eth_dev_socket_id(port_id);
	if (socket < 0)
		socket = SOCKET_ID_ANY;
	for (uint16_t q = 0; q < n_rxq; q++) {
		struct rte_eth_rxconf rxc = info.default_rxconf;

		rxc.offloads = ec.rxmode.offloads;
		ret = rte_eth_rx_queue_setup(port_id, q, rx_desc, socket, &rxc, pool);
		if (ret != 0) {
			MPDK_LOG(ERR, "%s: rx queue %u setup failed: %s", name, q, rte_strerror(-ret));
			goto fail;
		}
	}
	for (uint16_t q = 0; q < n_txq; q++) {
		struct rte_eth_txconf txc = info.default_txconf;

		txc.offloads = ec.txmode.offloads;
		ret = rte_eth_tx_queue_setup(port_id, q, tx_desc, socket, &txc);
		if (ret != 0) {
			MPDK_LOG(ERR, "%s: tx queue %u setup failed: %s", name, q, rte_strerror(-ret));
			goto fail;
		}
	}

	p = calloc(1, sizeof(*p));
	priv = calloc(1, sizeof(*priv));
	if (p == NULL || priv == NULL) {
		ret = -ENOMEM;
		goto fail;
	}

	ret = rte_eth_dev_start(port_id);
	if (ret != 0) {
		MPDK_LOG(ERR, "%s: start failed: %s", name, rte_strerror(-ret));
		goto fail;
	}
	priv->started = true;

	if (conf->promiscuous) {
		ret = rte_eth_promiscuous_enable(port_id);
		if (ret != 0)
			MPDK_LOG(WARNING, "%s: promiscuous mode refused: %s", name, rte_strerror(-ret));
	}

	ret = rte_eth_macaddr_get(port_id, &p->mac);
	if (ret != 0) {
		MPDK_LOG(ERR, "%s: cannot read MAC address: %s", name, rte_strerror(-ret));
		goto fail;
	}
	if (rte_is_zero_ether_addr(&p->mac)) {
		/* Some vdevs (net_ring) have no address: make up a locally
		 * administered one, or ARP would answer with zeros. */
		rte_eth_random_addr(p->mac.addr_bytes);
		ret = rte_eth_dev_default_mac_addr_set(port_id, &p->mac);
		MPDK_LOG(WARNING, "%s: no MAC address, using " RTE_ETHER_ADDR_PRT_FMT "%s", name,
			 RTE_ETHER_ADDR_BYTES(&p->mac), ret == 0 ? "" : " (the port refused it)");
		if (ret != 0 && !conf->promiscuous)
			rte_eth_promiscuous_enable(port_id);
	}
	if (rte_eth_dev_get_mtu(port_id, &p->mtu) != 0)
		p->mtu = mtu;

	priv->tx_prepare = (ec.txmode.offloads & ~(uint64_t)RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	p->ops = &ethdev_ops;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->n_rx_queues = n_rxq;
	p->n_tx_queues = n_txq;
	p->caps = caps;
	if (caps & PORT_TX_TSO) {
		/* IPv4 total length is 16 bits: 20 bytes IPv4 + up to 60 TCP. */
		uint32_t lim = UINT16_MAX - 20 - 60;
		p->tso_max = conf->tso_max != 0 && conf->tso_max < lim ? conf->tso_max : lim;
		/* net_tap (22.11) refuses a TSO packet when tso_segsz plus the
		 * L2, L3 and L4 headers exceeds the MTU, Ethernet header
		 * included: make the segments 14 bytes shorter there. */
		p->tso_frame_max = (uint32_t)p->mtu + RTE_ETHER_HDR_LEN;
		if (info.driver_name != NULL && strcmp(info.driver_name, "net_tap") == 0)
			p->tso_frame_max = p->mtu;
	}
	p->ethdev_id = port_id;
	p->priv = priv;
	if ((caps & PORT_RSS) && ec.rx_adv_conf.rss_conf.rss_key != NULL &&
	    (ec.rx_adv_conf.rss_conf.rss_hf & RTE_ETH_RSS_NONFRAG_IPV4_TCP)) {
		p->rss_reta_size = ethdev_reta_setup(name, port_id, info.reta_size, n_rxq, priv->reta);
		if (p->rss_reta_size > 0) {
			p->rss_key = ethdev_rss_key;
			p->rss_key_len = ec.rx_adv_conf.rss_conf.rss_key_len;
			p->rss_reta = priv->reta;
		}
	}

	ethdev_flow_probe(p, n_rxq);

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(port_id, &link) != 0)
		link.link_status = RTE_ETH_LINK_DOWN;
	MPDK_LOG(INFO, "%s: " RTE_ETHER_ADDR_PRT_FMT " MTU %u, %u rx / %u tx queues, caps 0x%x, "
		 "TSO %s, LRO %s, link %s %u Mb/s", name, RTE_ETHER_ADDR_BYTES(&p->mac), p->mtu,
		 n_rxq, n_txq, caps, (caps & PORT_TX_TSO) ? "on" : "off",
		 (caps & PORT_RX_LRO) ? "on" : "off", link.link_status ? "up" : "down",
		 link.link_speed);
	*out = p;
	return 0;

fail:
	if (priv != NULL && priv->started)
		rte_eth_dev_stop(port_id);
	/* Leave a configured but stopped port behind: it is the user's device,
	 * and a later open reconfigures it from scratch. */
	free(priv);
	free(p);
	return ret < 0 ? ret : -EIO;
}
