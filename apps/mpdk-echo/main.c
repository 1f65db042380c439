/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpdk-echo: the stack's smoke app. Brings up the DPDK ports named by
 * --addr, answers ARP and ping on every address, and runs the engine on the
 * main lcore until SIGINT/SIGTERM or --duration. It grows into the TCP/MPTCP
 * echo server (-p) once TCP lands.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_mempool.h>
#include "mpdk/mpdk.h"

enum { KEY_PORT = 1, KEY_DURATION };

struct echo_opts {
	unsigned long tcp_port;
	unsigned long duration_s;
};

static volatile bool stop;
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
	stop = true;
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int echo_handle(void *ctx, int key, const char *arg)
{
	struct echo_opts *o = ctx;
	switch (key) {
	case KEY_PORT:
		return parse_ulong(arg, 1, 65535, &o->tcp_port);
	case KEY_DURATION:
		return parse_ulong(arg, 0, 365ul * 24 * 3600, &o->duration_s);
	}
	return -EINVAL;
}

static const struct mpdk_app_option echo_options[] = {
	{ "port", 'p', true, KEY_PORT, "PORT",
	  "TCP port of the echo service (default 7; reserved: TCP is not built yet)" },
	{ "duration", 'd', true, KEY_DURATION, "SECONDS",
	  "stop after SECONDS (default 0: run until SIGINT or SIGTERM)" },
	{ 0 },
};

/* Lower case, as ip(8) and tshark print MACs. */
static void format_mac(char *buf, size_t len, const struct rte_ether_addr *m)
{
	const uint8_t *b = m->addr_bytes;
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

/* "port 0 net_tap0 02:70:63:61:70:00 10.0.0.2/24 10.0.0.3/24; port 1 ..." */
static void print_startup(const struct mpdk_args *a, const struct echo_opts *o)
{
	const struct mpdk_stack_conf *c = &a->conf;
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	printf("mpdk-echo: up:");
	for (uint16_t p = 0; p < c->n_ports; p++) {
		const struct mpdk_port *port = c->ports[p];
		struct rte_ether_addr ea;
		mpdk_port_mac(port, ea.addr_bytes);
		format_mac(mac, sizeof(mac), &ea);
		printf("%s port %d %s mac %s link %s addrs", p ? ";" : "", mpdk_port_ethdev_id(port),
		       mpdk_port_name(port), mac, mpdk_port_link_up(port) ? "up" : "down");
		for (uint16_t i = 0; i < c->n_addrs; i++)
			if (c->addrs[i].port == p)
				printf(" %s/%u", inet_ntop(AF_INET, &c->addrs[i].addr, ip, sizeof(ip)),
				       c->addrs[i].prefix_len);
	}
	if (c->gateway)
		printf("; gw %s", inet_ntop(AF_INET, &c->gateway, ip, sizeof(ip)));
	printf("; answering ARP and ping");
	if (o->duration_s)
		printf(" for %lu s", o->duration_s);
	printf(" (tcp port %lu reserved)\n", o->tcp_port);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct echo_opts opts = { .tcp_port = 7, .duration_s = 0 };
	const struct mpdk_app_desc desc = {
		.name = "mpdk-echo",
		.summary =
			"The mpdk smoke app: brings up the DPDK ports named by --addr and answers\n"
			"ARP and ping (ICMP echo) on every address until SIGINT/SIGTERM or\n"
			"--duration. It will become the TCP/MPTCP echo server on -p PORT.",
		.opts = echo_options,
		.handle = echo_handle,
		.ctx = &opts,
	};
	struct mpdk_args args;
	struct mpdk_stack *stack = NULL;

	int rc = mpdk_app_init(argc, argv, &desc, &args, &stack);
	if (rc == 1)
		return 0;
	if (rc == -EINVAL)
		return 2;
	if (rc < 0)
		return 1;

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	print_startup(&args, &opts);
	if (opts.duration_s)
		alarm((unsigned)opts.duration_s);

	/* One engine per stack for now, run on the main lcore. */
	struct mpdk_engine *e = mpdk_stack_engine(stack, 0);
	mpdk_engine_run(e, &stop);

	if (stop_signal == SIGALRM)
		printf("mpdk-echo: %lu s elapsed, stopping\n", opts.duration_s);
	else
		printf("mpdk-echo: %s, stopping\n", strsignal(stop_signal));
	if (args.stats) {
		printf("mpdk-echo: counters:\n");
		mpdk_stats_print(stack, stdout, false);
	}
	fflush(stdout);

	mpdk_app_fini(&args, stack);
	return 0;
}
