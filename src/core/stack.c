/* SPDX-License-Identifier: BSD-3-Clause */
/* Stack creation and teardown, EAL start, counters by name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "core/engine.h"
#include "core/log.h"
#include "core/pcap.h"
#include "core/telemetry.h"
#include "drivers/port.h"
#include "net/arp.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "tcp/tcp.h"
#include "mptcp/token.h"

#define DEFAULT_N_MBUFS 8191
#define DEFAULT_TICK_NS (100 * NS_PER_US)

static bool eal_started;

int mpdk_eal_init(int argc, char **argv)
{
	if (eal_started)
		return 0;
	int n = rte_eal_init(argc, argv);
	if (n < 0) {
		if (rte_errno == EALREADY) {
			eal_started = true;
			return 0;
		}
		fprintf(stderr, "mpdk: cannot start the DPDK EAL: %s\n", rte_strerror(rte_errno));
		return -MPDK_EEAL;
	}
	eal_started = true;
	return n;
}

static int stack_check_conf(const struct mpdk_stack_conf *c)
{
	if (c->n_ports == 0 || c->n_ports > MPDK_MAX_PORTS) {
		MPDK_LOG(ERR, "stack needs 1..%d ports, got %u", MPDK_MAX_PORTS, c->n_ports);
		return -EINVAL;
	}
	for (uint16_t i = 0; i < c->n_ports; i++)
		if (c->ports[i] == NULL) {
			MPDK_LOG(ERR, "stack port %u is NULL", i);
			return -EINVAL;
		}
	if (c->n_addrs > MPDK_MAX_ADDRS)
		return -EINVAL;
	for (uint16_t i = 0; i < c->n_addrs; i++) {
		const struct mpdk_addr_conf *a = &c->addrs[i];
		if (a->port >= c->n_ports || a->prefix_len > 32 || a->addr == 0) {
			MPDK_LOG(ERR, "address %u: bad port, prefix or address", i);
			return -EINVAL;
		}
	}
	return 0;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void engine_free(struct mpdk_engine *e)
{
	if (e == NULL)
		return;
	/* protocol modules (fini, reverse order of init) */
	tcp_engine_fini(e);
	arp_engine_fini(e);
	ipv4_engine_fini(e);
	for (uint16_t i = 0; i < MPDK_MAX_PORTS; i++)
		if (e->tx[i].n)
			rte_pktmbuf_free_bulk(e->tx[i].pkts, e->tx[i].n);
	token_table_reader_unregister(e->stack->tokens, e->id);
	rte_free(e);
}

static int engine_create(struct mpdk_stack *s, unsigned id, struct mpdk_engine **out)
{
	struct mpdk_engine *e = rte_zmalloc("mpdk_engine", sizeof(*e), RTE_CACHE_LINE_SIZE);
	if (e == NULL)
		return -ENOMEM;
	e->stack = s;
	e->id = id;
	e->rxq = (uint16_t)id;
	e->txq = (uint16_t)id;
	engine_refresh_now(e);
	timer_wheel_init(&e->tw, e->now, s->conf.timer_tick_ns);
	int rc = token_table_reader_register(s->tokens, id);
	if (rc < 0) {
		rte_free(e);
		return rc;
	}
	rc = ipv4_engine_init(e);
	if (rc < 0) {
		token_table_reader_unregister(s->tokens, id);
		rte_free(e);
		return rc;
	}
	rc = arp_engine_init(e);
	if (rc < 0) {
		ipv4_engine_fini(e);
		rte_free(e);
		return rc;
	}
	/* protocol modules (init) */
	rc = tcp_engine_init(e);
	if (rc < 0) {
		arp_engine_fini(e);
		ipv4_engine_fini(e);
		token_table_reader_unregister(s->tokens, id);
		rte_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

static void stack_apply_defaults(struct mpdk_stack_conf *c)
{
	if (c->n_mbufs == 0)
		c->n_mbufs = DEFAULT_N_MBUFS;
	if (c->timer_tick_ns == 0)
		c->timer_tick_ns = DEFAULT_TICK_NS;
	if (c->arp_timeout_ms == 0)
		c->arp_timeout_ms = 300000;
	if (c->arp_retry_ms == 0)
		c->arp_retry_ms = 1000;
	if (c->arp_max_retries == 0)
		c->arp_max_retries = 3;
	if (c->arp_queue_max == 0)
		c->arp_queue_max = 8;
	if (c->arp_entries == 0)
		c->arp_entries = 1024;
	if (c->max_mptcp_conns == 0)
		c->max_mptcp_conns = 16384;
}

int mpdk_stack_create(const struct mpdk_stack_conf *conf, struct mpdk_stack **out)
{
	static unsigned stack_seq;
	int rc;

	if (conf == NULL || out == NULL)
		return -EINVAL;
	rc = stack_check_conf(conf);
	if (rc < 0)
		return rc;

	struct mpdk_stack *s = rte_zmalloc("mpdk_stack", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		return -ENOMEM;
	s->conf = *conf;
	stack_apply_defaults(&s->conf);
	snprintf(s->name, sizeof(s->name), "%s", conf->name ? conf->name : "mpdk");
	s->conf.name = s->name;
	unsigned seq = __atomic_fetch_add(&stack_seq, 1, __ATOMIC_RELAXED);

	if (conf->clock != NULL) {
		s->clock = conf->clock;
	} else {
		s->clock = mpdk_clock_create_tsc();
		if (s->clock == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		s->own_clock = true;
	}

	if (conf->pool != NULL) {
		s->pool = conf->pool;
	} else {
		char pname[RTE_MEMPOOL_NAMESIZE];
		snprintf(pname, sizeof(pname), "mpdk%u_mbufs", seq);
		s->pool = rte_pktmbuf_pool_create(pname, s->conf.n_mbufs, 256, 0,
						  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
		if (s->pool == NULL) {
			MPDK_LOG(ERR, "cannot create a pool of %u mbufs: %s", s->conf.n_mbufs,
				 rte_strerror(rte_errno));
			rc = -ENOMEM;
			goto fail;
		}
		s->own_pool = true;
	}

	s->n_ifaces = conf->n_ports;
	for (uint16_t i = 0; i < conf->n_ports; i++) {
		struct net_iface *ifc = &s->ifaces[i];
		struct mpdk_port *p = conf->ports[i];
		ifc->index = i;
		ifc->port = p;
		ifc->mac = p->mac;
		ifc->mtu = p->mtu ? p->mtu : 1500;
		ifc->caps = p->caps;
	}
	for (uint16_t i = 0; i < conf->n_addrs; i++) {
		const struct mpdk_addr_conf *a = &conf->addrs[i];
		struct net_iface *ifc = &s->ifaces[a->port];
		for (uint16_t j = 0; j < ifc->n_addrs; j++)
			if (ifc->addrs[j] == a->addr) {
				MPDK_LOG(ERR, "address %u configured twice on port %u", i, a->port);
				rc = -EINVAL;
				goto fail;
			}
		if (ifc->n_addrs == IFACE_MAX_ADDRS) {
			MPDK_LOG(ERR, "more than %d addresses on port %u", IFACE_MAX_ADDRS, a->port);
			rc = -ENOSPC;
			goto fail;
		}
		ifc->addrs[ifc->n_addrs] = a->addr;
		ifc->prefix_len[ifc->n_addrs] = a->prefix_len;
		ifc->n_addrs++;
	}
	route_table_init(&s->routes);
	rc = route_table_build(&s->routes, s->ifaces, s->n_ifaces, conf->gateway);
	if (rc < 0) {
		MPDK_LOG(ERR, "cannot build routes (is the gateway on a connected subnet?)");
		goto fail;
	}

	if (conf->pcap_path != NULL) {
		s->pcap = pcap_writer_open(conf->pcap_path, 65535);
		if (s->pcap == NULL) {
			rc = errno ? -errno : -EIO;
			MPDK_LOG(ERR, "cannot open pcap file %s", conf->pcap_path);
			goto fail;
		}
		s->conf.pcap_path = NULL; /* not owned; don't keep the caller's pointer */
		s->pcap_epoch_ns = wall_ns() - clock_now(s->clock);
	}

	s->l4_input[IPPROTO_ICMP] = icmp_input;

	/* One engine per stack for now; engine i owns queue i of every port. */
	s->n_engines = 1;
	/* One token table per stack: a stack is a host, and two stacks in one
	 * process (tests, the demo) must not find each other's connections. */
	s->tokens = token_table_create(s->conf.max_mptcp_conns, ENGINE_MAX);
	if (s->tokens == NULL) {
		MPDK_LOG(ERR, "cannot create the MPTCP token table (%u entries)",
			 s->conf.max_mptcp_conns);
		rc = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < s->n_engines; i++) {
		rc = engine_create(s, i, &s->engines[i]);
		if (rc < 0)
			goto fail;
	}
	for (unsigned i = 0; i < s->n_engines; i++) {
		arp_announce_all(s->engines[i]);
		engine_tx_flush(s->engines[i]);
	}
	telemetry_stack_register(s); /* /mpdk/ telemetry, dpdk-dumpcap; not fatal */
	*out = s;
	return 0;
fail:
	mpdk_stack_free(s);
	return rc;
}

void mpdk_stack_free(struct mpdk_stack *s)
{
	if (s == NULL)
		return;
	telemetry_stack_unregister(s);
	for (unsigned i = 0; i < ENGINE_MAX; i++)
		engine_free(s->engines[i]);
	token_table_free(s->tokens);
	pcap_writer_close(s->pcap);
	if (s->own_pool)
		rte_mempool_free(s->pool);
	if (s->own_clock)
		mpdk_clock_free(s->clock);
	rte_free(s);
}

struct mpdk_engine *mpdk_stack_engine(struct mpdk_stack *s, unsigned idx)
{
	if (s == NULL || idx >= s->n_engines)
		return NULL;
	return s->engines[idx];
}

int mpdk_ping(struct mpdk_engine *e, uint32_t dst, uint16_t id, uint16_t seq, uint16_t len)
{
	if (e == NULL || dst == 0)
		return -EINVAL;
	return icmp_echo_request(e, dst, id, seq, len);
}

int mpdk_stat_get(const struct mpdk_stack *s, const char *name, uint64_t *value)
{
	if (s == NULL || name == NULL || value == NULL)
		return -EINVAL;
	for (unsigned c = 0; c < CTR_MAX; c++) {
		if (strcmp(counter_names[c], name) != 0)
			continue;
		uint64_t v = 0;
		for (unsigned i = 0; i < s->n_engines; i++)
			v += s->engines[i]->ctr[c];
		*value = v;
		return 0;
	}
	return -ENOENT;
}

void mpdk_stats_print(const struct mpdk_stack *s, FILE *f, bool all)
{
	if (s == NULL || f == NULL)
		return;
	for (unsigned c = 0; c < CTR_MAX; c++) {
		uint64_t v = 0;
		for (unsigned i = 0; i < s->n_engines; i++)
			v += s->engines[i]->ctr[c];
		if (v != 0 || all)
			fprintf(f, "%-28s %20" PRIu64 "  %s\n", counter_names[c], v, counter_descs[c]);
	}
}

struct rte_mempool *mpdk_stack_pool(const struct mpdk_stack *s)
{
	return s ? s->pool : NULL;
}

struct mpdk_clock *mpdk_stack_clock(const struct mpdk_stack *s)
{
	return s ? s->clock : NULL;
}
