/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpdk-echo: the stack's smoke app and TCP echo server (RFC 862 over TCP).
 *
 * Server (default): answers ARP and ping on every --addr and echoes every
 * byte received on TCP port -p (default 7), on every address, to any number
 * of concurrent clients, until SIGINT/SIGTERM or --duration. The data path
 * is zero-copy: the chain taken with mpdk_recv_mbuf() is handed back with
 * mpdk_send_mbuf(); when the send buffer is full the chain is held (the
 * receive window then closes, which is the backpressure) and sending
 * resumes on the writable event. --copy uses mpdk_recv()/mpdk_send().
 *
 * Client (-c HOST): connects to HOST:PORT, sends -n BYTES of seeded
 * pseudo-random data and checks that every byte comes back in order, or
 * with --sink only sends them (to a server that does not echo). Exit 0 only
 * on complete success.
 *
 * Both run every engine of the stack (--engines N), spread over the EAL's
 * lcores (echo.h: an lcore may poll several engines); the callbacks are
 * called from mpdk_engine_poll() on the lcore that polls the engine. The
 * client opens its -P connections on the engines in turn.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "mpdk/mpdk.h"
#include "echo.h"

enum {
	KEY_PORT = 1,
	KEY_DURATION,
	KEY_CONNECT,
	KEY_BYTES,
	KEY_SEED,
	KEY_TIMEOUT,
	KEY_SINK,
	KEY_COPY,
	KEY_ENDPOINT,
	KEY_DENY_JOIN,
	KEY_RM_AFTER,
	KEY_APP_KEYS,
	KEY_PARALLEL,
};


static const struct echo_opts opts_defaults = {
	.tcp_port = 7,
	.bytes = 1000000,
	.seed = 1,
	.timeout_s = 60,
};

volatile bool stop;
volatile sig_atomic_t stop_signal;
int echo_logtype = -1;

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

/* "IPV4[,FLAG...]" with FLAG subflow, signal or backup (as mpdk-perf). */
static int parse_endpoint(const char *arg, struct mpdk_mptcp_endpoint *ep)
{
	char buf[64];
	size_t n = strlen(arg);
	if (n == 0 || n >= sizeof(buf) || arg[n - 1] == ',' || strstr(arg, ",,") != NULL)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", arg);
	char *save = NULL;
	char *tok = strtok_r(buf, ",", &save);
	if (tok == NULL || mpdk_parse_ipv4(tok, &ep->addr) < 0)
		return -EINVAL;
	ep->flags = 0;
	ep->id = 0;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strcmp(tok, "subflow") == 0)
			ep->flags |= MPDK_MPTCP_EP_SUBFLOW;
		else if (strcmp(tok, "signal") == 0)
			ep->flags |= MPDK_MPTCP_EP_SIGNAL;
		else if (strcmp(tok, "backup") == 0)
			ep->flags |= MPDK_MPTCP_EP_BACKUP;
		else
			return -EINVAL;
	}
	return 0;
}

/* "BYTES:IPV4" */
static int parse_rm_after(const char *arg, struct echo_opts *o)
{
	char buf[64];
	if (strlen(arg) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", arg);
	char *colon = strchr(buf, ':');
	if (colon == NULL)
		return -EINVAL;
	*colon = '\0';
	if (parse_ulong(buf, 0, 1000000000000000ul, &o->rm_after) < 0 ||
	    mpdk_parse_ipv4(colon + 1, &o->rm_addr) < 0)
		return -EINVAL;
	o->rm_set = true;
	return 0;
}

/* One 64-bit key: 1 to 16 hex digits, optional 0x. */
static int parse_key(const char *s, uint64_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t n = strspn(s, "0123456789abcdefABCDEF");
	if (n == 0 || n > 16 || s[n] != '\0')
		return -EINVAL;
	*out = strtoull(s, NULL, 16);
	return 0;
}

/* "KEYA:KEYB": two non-zero, different 64-bit hex keys (mpdk_mptcp_set_keys
 * refuses zero or equal keys). */
static int parse_app_keys(const char *arg, struct echo_opts *o)
{
	char buf[64];
	if (strlen(arg) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", arg);
	char *colon = strchr(buf, ':');
	if (colon == NULL)
		return -EINVAL;
	*colon = '\0';
	if (parse_key(buf, &o->key_a) < 0 || parse_key(colon + 1, &o->key_b) < 0 ||
	    o->key_a == 0 || o->key_b == 0 || o->key_a == o->key_b)
		return -EINVAL;
	o->have_keys = true;
	return 0;
}

int echo_set_keys(mpdk_conn_t c, const struct echo_opts *o)
{
	int rc = mpdk_mptcp_set_keys(c, o->key_a, o->key_b);
	if (rc == 0)
		return 1;
	return rc == -ENOTCONN ? 0 : rc;
}

static int echo_handle(void *ctx, int key, const char *arg)
{
	struct echo_opts *o = ctx;
	switch (key) {
	case KEY_PORT:
		return parse_ulong(arg, 1, 65535, &o->tcp_port);
	case KEY_DURATION:
		o->seen_duration = true;
		return parse_ulong(arg, 0, 365ul * 24 * 3600, &o->duration_s);
	case KEY_CONNECT:
		o->host = arg;
		return mpdk_parse_ipv4(arg, &o->host_addr);
	case KEY_BYTES:
		o->seen_bytes = true;
		return parse_ulong(arg, 0, 1000000000000000ul, &o->bytes);
	case KEY_SEED:
		o->seen_seed = true;
		return parse_ulong(arg, 0, ULONG_MAX, &o->seed);
	case KEY_TIMEOUT:
		o->seen_timeout = true;
		return parse_ulong(arg, 1, 365ul * 24 * 3600, &o->timeout_s);
	case KEY_SINK:
		o->sink = true;
		return 0;
	case KEY_COPY:
		o->copy = true;
		return 0;
	case KEY_ENDPOINT:
		if (o->n_endpoints == ECHO_MAX_ENDPOINTS)
			return -EINVAL;
		return parse_endpoint(arg, &o->endpoints[o->n_endpoints++]);
	case KEY_DENY_JOIN:
		o->deny_join_initial = true;
		return 0;
	case KEY_RM_AFTER:
		return parse_rm_after(arg, o);
	case KEY_APP_KEYS:
		return parse_app_keys(arg, o);
	case KEY_PARALLEL:
		o->seen_parallel = true;
		return parse_ulong(arg, 1, ECHO_MAX_PARALLEL, &o->parallel);
	}
	return -EINVAL;
}

static const struct mpdk_app_option echo_options[] = {
	{ "port", 'p', true, KEY_PORT, "PORT",
	  "TCP port: the server listens on it, the client connects to it (default 7)" },
	{ "duration", 'd', true, KEY_DURATION, "SECONDS",
	  "server: stop after SECONDS (default 0: run until SIGINT or SIGTERM)" },
	{ "copy", 0, false, KEY_COPY, NULL,
	  "server: echo with the copying mpdk_recv/mpdk_send (default: zero-copy mbufs)" },
	{ "connect", 'c', true, KEY_CONNECT, "HOST",
	  "client mode: connect to the IPv4 address HOST, send, check the echo" },
	{ "bytes", 'n', true, KEY_BYTES, "BYTES",
	  "client: bytes to send (default 1000000)" },
	{ "seed", 0, true, KEY_SEED, "S",
	  "client: seed of the pseudo-random bytes (default 1)" },
	{ "sink", 0, false, KEY_SINK, NULL,
	  "client: only send (the server does not echo), then close" },
	{ "timeout", 0, true, KEY_TIMEOUT, "SECONDS",
	  "client: give up (exit 1) after SECONDS (default 60)" },
	{ "parallel", 'P', true, KEY_PARALLEL, "N",
	  "client: N connections at once, 1..64 (default 1); connection k (1..N) sends\n"
	  "seed S + k - 1 from engine (k - 1) mod --engines, each checked on its own" },
	{ "endpoint", 0, true, KEY_ENDPOINT, "IPV4[,FLAGS]",
	  "MPTCP endpoint: an --addr with FLAGS subflow, signal, backup (comma-separated;\n"
	  "like `ip mptcp endpoint add`; repeatable, at most 8; default: none)" },
	{ "deny-join-initial", 0, false, KEY_DENY_JOIN, NULL,
	  "MPTCP: set flag C in MP_CAPABLE SYN/ACKs and refuse joins to a connection's\n"
	  "initial address and port (like net.mptcp.allow_join_initial_addr_port=0)" },
	{ "remove-addr-after", 0, true, KEY_RM_AFTER, "BYTES:IPV4",
	  "MPTCP: once BYTES were echoed (server) or sent (client), remove endpoint\n"
	  "IPV4: REMOVE_ADDR to the peers, its subflows closed (for tests)" },
	{ "app-keys", 0, true, KEY_APP_KEYS, "KEYA:KEYB",
	  "with --key-mode app: the MPTCP keys (two non-zero, different 64-bit hex\n"
	  "values; KEYA = the connecting side's) every connection gets once established:\n"
	  "out-of-band pre-shared keys, for tests and appliances that derive keys\n"
	  "elsewhere (examples/tls-keys derives them from TLS). Without it joins stay refused" },
	{ 0 },
};

/* ------------------------------------------------------------------ helpers */


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
	if (c->n_engines > 1)
		printf("; %u engines", c->n_engines);
	printf("; answering ARP and ping");
	if (o->host != NULL) {
		printf("; connecting to %s port %lu to %s %lu bytes (seed %lu)", o->host, o->tcp_port,
		       o->sink ? "send" : "echo", o->bytes, o->seed);
		if (o->parallel > 1)
			printf(" over %lu connections", o->parallel);
	} else {
		printf(", echoing TCP port %lu%s", o->tcp_port, o->copy ? " (copying)" : "");
		if (o->duration_s)
			printf(" for %lu s", o->duration_s);
	}
	printf("\n");
	fflush(stdout);
}

/* ------------------------------------------------------------------ main */

/*
 * Options that only make sense together are checked before the EAL starts,
 * like every other command-line error. mpdk_app_init() parses and starts
 * the EAL in one call, so parse once beforehand with stdout and stderr
 * muted: when that parse fails (or is --help) mpdk_app_init() repeats it and
 * reports in its usual words.
 */
static bool is_addr(const struct mpdk_args *args, uint32_t a)
{
	for (uint16_t k = 0; k < args->conf.n_addrs; k++)
		if (args->conf.addrs[k].addr == a)
			return true;
	return false;
}

static int check_combinations(void *ctx, const struct mpdk_args *args)
{
	struct echo_opts *o = ctx;
	char ip[INET_ADDRSTRLEN];

	for (unsigned i = 0; i < o->n_endpoints; i++)
		if (!is_addr(args, o->endpoints[i].addr)) {
			inet_ntop(AF_INET, &o->endpoints[i].addr, ip, sizeof(ip));
			fprintf(stderr, "mpdk-echo: invalid --endpoint '%s': not one of the addresses "
				"given with --addr\n", ip);
			return -EINVAL;
		}
	if (o->rm_set && !is_addr(args, o->rm_addr)) {
		inet_ntop(AF_INET, &o->rm_addr, ip, sizeof(ip));
		fprintf(stderr, "mpdk-echo: invalid --remove-addr-after: %s is not one of the "
			"addresses given with --addr\n", ip);
		return -EINVAL;
	}

	o->app_mode = args->conf.tcp != NULL && args->conf.tcp->mptcp.key_mode == MPDK_KEY_APP;
	if (o->have_keys && !o->app_mode) {
		fprintf(stderr, "mpdk-echo: --app-keys needs --key-mode app (see --help)\n");
		return -EINVAL;
	}
	if (o->app_mode && !o->have_keys)
		fprintf(stderr, "mpdk-echo: warning: --key-mode app without --app-keys: no keys are "
			"ever set, so joins and ADD_ADDR stay refused (one path per connection)\n");

	const char *bad = NULL;
	if (o->host == NULL) {
		if (o->seen_bytes)
			bad = "--bytes";
		else if (o->seen_seed)
			bad = "--seed";
		else if (o->sink)
			bad = "--sink";
		else if (o->seen_timeout)
			bad = "--timeout";
		else if (o->seen_parallel)
			bad = "--parallel";
		if (bad != NULL) {
			fprintf(stderr, "mpdk-echo: %s is a client option: it needs --connect HOST "
				"(see --help)\n", bad);
			return -EINVAL;
		}
	} else {
		if (o->seen_duration)
			bad = "--duration";
		else if (o->copy)
			bad = "--copy";
		if (bad != NULL) {
			fprintf(stderr, "mpdk-echo: %s is a server option: not with --connect "
				"(see --help)\n", bad);
			return -EINVAL;
		}
	}
	return 0;
}

/* mpdk_app_desc.configure: the MPTCP path manager settings. */
static int echo_configure(void *ctx, struct mpdk_stack_conf *conf)
{
	static struct mpdk_tcp_conf tc;
	const struct echo_opts *o = ctx;
	if (o->n_endpoints == 0 && !o->deny_join_initial)
		return 0;
	if (conf->tcp != NULL)
		tc = *conf->tcp;
	else
		mpdk_tcp_conf_defaults(&tc);
	for (unsigned i = 0; i < o->n_endpoints; i++)
		tc.mptcp.endpoints[i] = o->endpoints[i];
	tc.mptcp.n_endpoints = (uint8_t)o->n_endpoints;
	tc.mptcp.deny_join_initial = o->deny_join_initial;
	conf->tcp = &tc;
	return 0;
}

void echo_maybe_remove_addr(struct mpdk_engine *e, const struct echo_opts *o, uint64_t done,
			    bool *removed)
{
	char ip[INET_ADDRSTRLEN];
	if (!o->rm_set || *removed || done < o->rm_after)
		return;
	*removed = true;
	int rc = mpdk_mptcp_endpoint_del(e, o->rm_addr);
	inet_ntop(AF_INET, &o->rm_addr, ip, sizeof(ip));
	if (rc < 0)
		printf("mpdk-echo: removing endpoint %s: %s\n", ip, mpdk_strerror(rc));
	else
		printf("mpdk-echo: endpoint %s removed after %" PRIu64 " bytes: REMOVE_ADDR on %d "
		       "connection(s)\n", ip, done, rc);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct echo_opts opts = opts_defaults;
	const struct mpdk_app_desc desc = {
		.name = "mpdk-echo",
		.summary =
			"The mpdk TCP echo server and smoke app: brings up the DPDK ports named by\n"
			"--addr, answers ARP and ping (ICMP echo) on every address and echoes every\n"
			"byte received on TCP port -p (all addresses, any number of clients) until\n"
			"SIGINT/SIGTERM or --duration. With -c HOST it is the client instead: it\n"
			"sends -n BYTES of pseudo-random data to HOST port -p and checks the echo\n"
			"byte for byte (exit 0 only when all came back identical), or with --sink\n"
			"just sends them; -P N opens N such connections at once. With --engines N\n"
			"server and client run N engines spread over the EAL's L lcores (-l):\n"
			"engine k (0..N-1) on the (k mod L)-th, so with fewer lcores than engines one\n"
			"lcore polls several. The client opens its connections on the engines in turn\n"
			"and reports the engine of every subflow (a connection's subflows share its\n"
			"engine). EAL --log-level mpdk.echo:debug logs each connection.",
		.opts = echo_options,
		.handle = echo_handle,
		.check = check_combinations,
		.configure = echo_configure,
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

	echo_logtype = rte_log_register_type_and_pick_level("mpdk.echo", RTE_LOG_INFO);
	if (echo_logtype < 0)
		echo_logtype = RTE_LOGTYPE_USER1;

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	print_startup(&args, &opts);
	if (opts.duration_s && opts.host == NULL)
		alarm((unsigned)opts.duration_s);

	/* Client and server run every engine of the stack (--engines N),
	 * spread over the EAL's lcores (echo.h). */
	struct mpdk_engine *e = mpdk_stack_engine(stack, 0);
	int status = opts.host != NULL ? run_client(e, &opts) : run_server(e, &opts);

	if (args.stats) {
		printf("mpdk-echo: counters:\n");
		mpdk_stats_print(stack, stdout, false);
	}
	fflush(stdout);

	mpdk_app_fini(&args, stack);
	return status;
}
