/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_icmp.h>
#include <rte_mbuf.h>
#include "harness.h"
#include "test_port.h"

static struct rte_mempool *harness_pool;

void harness_eal_init(void)
{
	static bool done;
	if (done)
		return;
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "mpdk-test-%d", (int)getpid());
	char *argv[] = {
		"mpdk-test", "--no-huge", "--no-pci", "-m", "256", "--file-prefix", prefix,
		"--log-level", "lib.eal:error", "--no-telemetry", "-l", "0", NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	if (mpdk_eal_init(argc, argv) < 0) {
		fprintf(stderr, "harness: cannot start the EAL\n");
		abort();
	}
	/* One pool shared by every harness stack of the process, so tests that
	 * create many stacks do not exhaust the 256 MB of EAL memory. */
	harness_pool = rte_pktmbuf_pool_create("harness_mbufs", 16383, 256, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (harness_pool == NULL) {
		fprintf(stderr, "harness: cannot create the mbuf pool\n");
		abort();
	}
	done = true;
}

static int parse_addr(const char *spec, struct mpdk_addr_conf *a)
{
	char buf[64];
	unsigned port, len;
	snprintf(buf, sizeof(buf), "%s", spec);
	char *colon = strchr(buf, ':');
	char *slash = strchr(buf, '/');
	if (colon == NULL || slash == NULL)
		return -1;
	*colon = *slash = '\0';
	port = (unsigned)atoi(buf);
	len = (unsigned)atoi(slash + 1);
	struct in_addr ia;
	if (inet_pton(AF_INET, colon + 1, &ia) != 1 || len > 32)
		return -1;
	a->port = (uint16_t)port;
	a->addr = ia.s_addr;
	a->prefix_len = (uint8_t)len;
	return 0;
}

struct harness *harness_create(uint16_t n_ports, const char *const *addrs, const char *gw,
			       void (*tweak)(struct mpdk_stack_conf *))
{
	harness_eal_init();
	struct harness *h = calloc(1, sizeof(*h));
	if (h == NULL)
		abort();
	h->clock = mpdk_clock_create_virtual(NS_PER_S);
	struct mpdk_stack_conf conf = {.name = "harness", .pool = harness_pool};
	conf.clock = h->clock;
	h->n_ports = n_ports;
	for (uint16_t i = 0; i < n_ports; i++) {
		h->ports[i] = test_port_create(i, 1500, 0);
		conf.ports[i] = h->ports[i];
	}
	conf.n_ports = n_ports;
	for (; addrs != NULL && addrs[conf.n_addrs] != NULL; conf.n_addrs++)
		if (parse_addr(addrs[conf.n_addrs], &conf.addrs[conf.n_addrs]) < 0) {
			fprintf(stderr, "harness: bad address '%s'\n", addrs[conf.n_addrs]);
			abort();
		}
	if (gw != NULL) {
		struct in_addr ia;
		if (inet_pton(AF_INET, gw, &ia) != 1)
			abort();
		conf.gateway = ia.s_addr;
	}
	if (tweak != NULL)
		tweak(&conf);
	int rc = mpdk_stack_create(&conf, &h->stack);
	if (rc < 0) {
		fprintf(stderr, "harness: mpdk_stack_create: %s\n", mpdk_strerror(rc));
		abort();
	}
	h->e = mpdk_stack_engine(h->stack, 0);
	return h;
}

void harness_free(struct harness *h)
{
	if (h == NULL)
		return;
	mpdk_stack_free(h->stack);
	for (uint16_t i = 0; i < h->n_ports; i++)
		h->ports[i]->ops->close(h->ports[i]);
	mpdk_clock_free(h->clock);
	free(h);
}

void harness_inject(struct harness *h, uint16_t port, const void *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(harness_pool);
	if (m == NULL)
		abort();
	/* Frames larger than one mbuf are split into a chain, as a port would. */
	const uint8_t *src = frame;
	struct rte_mbuf *last = m;
	size_t left = len;
	while (left > 0) {
		size_t room = rte_pktmbuf_tailroom(last);
		size_t n = left < room ? left : room;
		memcpy(rte_pktmbuf_append(last, (uint16_t)n) , src, n);
		src += n;
		left -= n;
		if (left > 0) {
			struct rte_mbuf *seg = rte_pktmbuf_alloc(harness_pool);
			if (seg == NULL)
				abort();
			last->next = seg;
			last = seg;
			m->nb_segs++;
		}
	}
	m->pkt_len = (uint32_t)len;
	test_port_push_rx(h->ports[port], m);
}

unsigned harness_poll(struct harness *h)
{
	unsigned iters = 0;
	while (mpdk_engine_poll(h->e) > 0 && iters < 100000)
		iters++;
	return iters;
}

void harness_advance(struct harness *h, uint64_t ns)
{
	uint64_t tick = h->stack->conf.timer_tick_ns;
	harness_poll(h);
	while (ns > 0) {
		/* Jump straight to the next timer when it is far away, then step
		 * tick by tick so callbacks see the time they were due. */
		uint64_t now = mpdk_clock_now_ns(h->clock);
		uint64_t next = timer_wheel_next_expiry(&h->e->tw);
		uint64_t step = tick;
		if (next != UINT64_MAX && next > now + tick)
			step = next - now;
		else if (next == UINT64_MAX)
			step = ns;
		if (step > ns)
			step = ns;
		mpdk_clock_advance(h->clock, step);
		ns -= step;
		harness_poll(h);
	}
}

struct rte_mbuf *harness_pop_tx(struct harness *h, uint16_t port)
{
	return test_port_pop_tx(h->ports[port]);
}

unsigned harness_tx_pending(const struct harness *h, uint16_t port)
{
	return test_port_tx_pending(h->ports[port]);
}

void harness_clear_tx(struct harness *h)
{
	for (uint16_t i = 0; i < h->n_ports; i++) {
		struct rte_mbuf *m;
		while ((m = test_port_pop_tx(h->ports[i])) != NULL)
			rte_pktmbuf_free(m);
	}
}

uint64_t harness_ctr(const struct harness *h, const char *name)
{
	uint64_t v = 0;
	if (mpdk_stat_get(h->stack, name, &v) < 0) {
		fprintf(stderr, "harness: no counter named '%s'\n", name);
		abort();
	}
	return v;
}

size_t harness_build_arp(uint8_t *buf, uint16_t op, const struct rte_ether_addr *sha,
			 uint32_t spa, const struct rte_ether_addr *tha, uint32_t tpa,
			 const struct rte_ether_addr *eth_dst)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
	eh->dst_addr = *eth_dst;
	eh->src_addr = *sha;
	eh->ether_type = htons(RTE_ETHER_TYPE_ARP);
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);
	ah->arp_hardware = htons(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = htons(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = htons(op);
	ah->arp_data.arp_sha = *sha;
	ah->arp_data.arp_sip = spa;
	ah->arp_data.arp_tha = *tha;
	ah->arp_data.arp_tip = tpa;
	/* Pad to the Ethernet minimum as a real sender does. */
	size_t len = sizeof(*eh) + sizeof(*ah);
	memset(buf + len, 0, 60 - len);
	return 60;
}

size_t harness_build_ipv4(uint8_t *buf, const struct rte_ether_addr *src_mac,
			  const struct rte_ether_addr *dst_mac, uint32_t src, uint32_t dst,
			  uint8_t proto, const void *l4, size_t l4_len)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
	eh->dst_addr = *dst_mac;
	eh->src_addr = *src_mac;
	eh->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(eh + 1);
	memset(ih, 0, sizeof(*ih));
	ih->version_ihl = 0x45;
	ih->total_length = htons((uint16_t)(sizeof(*ih) + l4_len));
	ih->packet_id = htons(1);
	ih->fragment_offset = htons(RTE_IPV4_HDR_DF_FLAG);
	ih->time_to_live = 64;
	ih->next_proto_id = proto;
	ih->src_addr = src;
	ih->dst_addr = dst;
	ih->hdr_checksum = rte_ipv4_cksum(ih);
	memcpy(ih + 1, l4, l4_len);
	size_t len = sizeof(*eh) + sizeof(*ih) + l4_len;
	if (len < 60) {
		memset(buf + len, 0, 60 - len);
		len = 60;
	}
	return len;
}

size_t harness_build_icmp_echo(uint8_t *buf, const struct rte_ether_addr *src_mac,
			       const struct rte_ether_addr *dst_mac, uint32_t src, uint32_t dst,
			       uint8_t type, uint16_t id, uint16_t seq, size_t payload_len)
{
	uint8_t l4[1500];
	if (payload_len > sizeof(l4) - sizeof(struct rte_icmp_hdr))
		payload_len = sizeof(l4) - sizeof(struct rte_icmp_hdr);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)l4;
	memset(ic, 0, sizeof(*ic));
	ic->icmp_type = type;
	ic->icmp_ident = htons(id);
	ic->icmp_seq_nb = htons(seq);
	for (size_t i = 0; i < payload_len; i++)
		l4[sizeof(*ic) + i] = (uint8_t)(i * 7 + 3);
	size_t l4_len = sizeof(*ic) + payload_len;
	/* RFC 1071 checksum over the ICMP message. */
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < l4_len; i += 2)
		sum += (uint32_t)(l4[i] << 8 | l4[i + 1]);
	if (l4_len & 1)
		sum += (uint32_t)l4[l4_len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ic->icmp_cksum = htons((uint16_t)~sum);
	return harness_build_ipv4(buf, src_mac, dst_mac, src, dst, IPPROTO_ICMP, l4, l4_len);
}
