/* SPDX-License-Identifier: BSD-3-Clause */
/* Stack creation and teardown, EAL start, counters by name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
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
#include "core/redirect.h"

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
	if (c->n_engines > MPDK_MAX_ENGINES) {
		MPDK_LOG(ERR, "stack needs 1..%d engines, got %u", MPDK_MAX_ENGINES, c->n_engines);
		return -EINVAL;
	}
	for (uint16_t i = 0; c->n_engines > 1 && i < c->n_ports; i++) {
		const struct mpdk_port *p = c->ports[i];
		/* Engine i polls rx queue i: either every engine has its own
		 * queue and the port's RSS says which one a flow lands on, or
		 * there is one queue and engine 0 steers in software. */
		if (p->n_rx_queues > 1 &&
		    (p->n_rx_queues != c->n_engines || !port_rss_predictable(p))) {
			MPDK_LOG(ERR, "port %s: %u rx queues for %u engines%s: give it one queue per "
				 "engine with RSS, or a single queue", p->name, p->n_rx_queues,
				 c->n_engines, port_rss_predictable(p) ? "" : " and no known RSS key");
			return -EINVAL;
		}
	}
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
	redirect_engine_fini(e);
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
	for (uint16_t i = 0; i < MPDK_MAX_PORTS; i++) {
		e->port_rxq[i] = ENGINE_NO_RXQ;
		e->port_txq[i] = ENGINE_TX_VIA0;
	}
	for (uint16_t i = 0; i < s->n_ifaces; i++) {
		const struct mpdk_port *p = s->ifaces[i].port;
		if (id < p->n_rx_queues || id == 0)
			e->port_rxq[i] = (uint16_t)id;
		if (id < p->n_tx_queues || id == 0)
			e->port_txq[i] = (uint16_t)id;
	}
	engine_refresh_now(e);
	timer_wheel_init(&e->tw, e->now, s->conf.timer_tick_ns);
	int rc = token_table_reader_register(s->tokens, id);
	if (rc < 0) {
		rte_free(e);
		return rc;
	}
	rc = redirect_engine_init(e);
	if (rc < 0) {
		token_table_reader_unregister(s->tokens, id);
		rte_free(e);
		return rc;
	}
	rc = ipv4_engine_init(e);
	if (rc < 0) {
		redirect_engine_fini(e);
		token_table_reader_unregister(s->tokens, id);
		rte_free(e);
		return rc;
	}
	rc = arp_engine_init(e);
	if (rc < 0) {
		ipv4_engine_fini(e);
		redirect_engine_fini(e);
		token_table_reader_unregister(s->tokens, id);
		rte_free(e);
		return rc;
	}
	/* protocol modules (init) */
	rc = tcp_engine_init(e);
	if (rc < 0) {
		arp_engine_fini(e);
		ipv4_engine_fini(e);
		redirect_engine_fini(e);
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

	/* Engine i owns queue i of every port with one queue per engine; on
	 * a port with a single queue engine 0 receives and steers. */
	s->n_engines = s->conf.n_engines ? s->conf.n_engines : 1;
	s->conf.n_engines = (uint16_t)s->n_engines;
	for (uint16_t i = 0; i < s->n_ifaces; i++)
		s->sw_steer[i] = s->n_engines > 1 && s->ifaces[i].port->n_rx_queues == 1;
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
	/* One announcement per address is enough: engine 0 speaks for the
	 * stack (the others learn neighbours from it, redirect.c). */
	arp_announce_all(s->engines[0]);
	engine_tx_flush(s->engines[0]);
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
	/* engine_free() also frees what is left in the engine's ring, before
	 * the pool goes. */
	for (unsigned i = 0; i < ENGINE_MAX; i++) {
		engine_free(s->engines[i]);
		s->engines[i] = NULL;
	}
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

struct mpdk_stack *mpdk_engine_stack(const struct mpdk_engine *e)
{
	return e ? e->stack : NULL;
}

unsigned mpdk_stack_n_engines(const struct mpdk_stack *s)
{
	return s ? s->n_engines : 0;
}

int mpdk_stack_poll(struct mpdk_stack *s)
{
	int work = 0;

	if (s == NULL)
		return -EINVAL;
	for (unsigned i = 0; i < s->n_engines; i++)
		work += mpdk_engine_poll(s->engines[i]);
	return work;
}

struct stack_run_arg {
	struct mpdk_engine *e;
	volatile bool *stop;
};

static int stack_run_lcore(void *arg)
{
	struct stack_run_arg *a = arg;
	mpdk_engine_run(a->e, a->stop);
	return 0;
}

int mpdk_stack_run(struct mpdk_stack *s, volatile bool *stop)
{
	struct stack_run_arg args[ENGINE_MAX];
	unsigned lcores[ENGINE_MAX];
	unsigned n = 0, lc;
	int rc = 0;

	if (s == NULL || stop == NULL)
		return -EINVAL;
	RTE_LCORE_FOREACH_WORKER(lc) {
		if (n + 1 >= s->n_engines)
			break;
		lcores[n++] = lc;
	}
	if (n + 1 < s->n_engines) {
		MPDK_LOG(ERR, "%s: %u engines need %u worker lcores, the EAL has %u (-l)", s->name,
			 s->n_engines, s->n_engines - 1, n);
		return -ENODEV;
	}
	for (unsigned i = 0; i < n; i++) {
		args[i] = (struct stack_run_arg){ .e = s->engines[i + 1], .stop = stop };
		if (rte_eal_remote_launch(stack_run_lcore, &args[i], lcores[i]) != 0) {
			MPDK_LOG(ERR, "%s: lcore %u is busy", s->name, lcores[i]);
			*stop = true;
			n = i;
			rc = -EBUSY;
			break;
		}
	}
	if (rc == 0)
		mpdk_engine_run(s->engines[0], stop);
	for (unsigned i = 0; i < n; i++)
		rte_eal_wait_lcore(lcores[i]);
	return rc;
}
