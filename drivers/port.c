/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Calls that work on every kind of port, through its ops.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <rte_byteorder.h>
#include <rte_thash.h>
#include "drivers/port.h"

const char *mpdk_port_name(const struct mpdk_port *p)
{
	return p != NULL ? p->name : "(null)";
}

bool mpdk_port_link_up(const struct mpdk_port *p)
{
	if (p == NULL || p->ops == NULL || p->ops->link_up == NULL)
		return false;
	return p->ops->link_up(p);
}

void mpdk_port_close(struct mpdk_port *p)
{
	if (p == NULL || p->ops == NULL || p->ops->close == NULL)
		return;
	p->ops->close(p);
}

int mpdk_port_mac(const struct mpdk_port *p, uint8_t mac[6])
{
	if (p == NULL || mac == NULL)
		return -EINVAL;
	memcpy(mac, p->mac.addr_bytes, 6);
	return 0;
}

int mpdk_port_ethdev_id(const struct mpdk_port *p)
{
	if (p == NULL || p->ops == NULL || strcmp(p->ops->kind, "ethdev") != 0)
		return -EINVAL;
	return p->ethdev_id;
}

const uint8_t port_rss_std_key[PORT_RSS_STD_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

uint32_t port_toeplitz_ipv4(const uint8_t *key, uint32_t saddr, uint32_t daddr, uint16_t sport,
			    uint16_t dport, bool with_ports)
{
	/* rte_softrss wants the tuple as host-order 32-bit words, the same
	 * layout as struct rte_ipv4_tuple: src, dst, then sport << 16 | dport. */
	uint32_t in[3] = {
		rte_be_to_cpu_32(saddr),
		rte_be_to_cpu_32(daddr),
		((uint32_t)rte_be_to_cpu_16(sport) << 16) | rte_be_to_cpu_16(dport),
	};
	return rte_softrss(in, with_ports ? 3 : 2, key);
}

uint16_t port_rss_queue(const struct mpdk_port *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
			uint16_t dport)
{
	if (p == NULL || !port_rss_predictable(p))
		return 0;
	uint32_t h = port_toeplitz_ipv4(p->rss_key, saddr, daddr, sport, dport, true);
	if (p->rss_reta != NULL && p->rss_reta_size > 0)
		return p->rss_reta[h % p->rss_reta_size];
	return (uint16_t)(h % p->n_rx_queues);
}

void *port_flow_steer(struct mpdk_port *p, uint32_t saddr, uint32_t daddr, uint16_t sport,
		      uint16_t dport, uint16_t q, int *err)
{
	int dummy;

	if (err == NULL)
		err = &dummy;
	if (p == NULL || !(p->caps & PORT_FLOW_STEER) || p->ops->flow_steer == NULL) {
		*err = -ENOTSUP;
		return NULL;
	}
	if (q >= p->n_rx_queues) {
		*err = -EINVAL;
		return NULL;
	}
	*err = 0;
	void *rule = p->ops->flow_steer(p, saddr, daddr, sport, dport, q, err);
	if (rule == NULL && *err == 0)
		*err = -EIO;
	return rule;
}

int port_flow_unsteer(struct mpdk_port *p, void *rule)
{
	if (p == NULL || rule == NULL || p->ops->flow_unsteer == NULL)
		return -EINVAL;
	return p->ops->flow_unsteer(p, rule);
}
