/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpdk-perf: throughput tests that speak iperf3's protocol, so that stock
 * iperf3 is its client or its server (docs/mpdk-perf.md).
 *
 *   mpdk-perf [EAL options] -- [stack options] -s [options]
 *   mpdk-perf [EAL options] -- [stack options] -c HOST [options]
 *
 * This file: the command line (iperf3's option names and meanings plus
 * mpdk's), start-up and shut-down. Every option error is one line on
 * stderr and exit status 2, before the EAL starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "perf.h"

enum {
	KEY_SERVER = 1,
	KEY_CLIENT,
	KEY_PORT,
	KEY_TIME,
	KEY_BYTES,
	KEY_PARALLEL,
	KEY_REVERSE,
	KEY_INTERVAL,
	KEY_JSON,
	KEY_ONE_OFF,
	KEY_CONGESTION,
	KEY_WINDOW,
	KEY_TCP,
	KEY_ENDPOINT,
	KEY_SCHEDULER,
	KEY_TIMEOUT,
	KEY_COPY,
	KEY_CRR,
	KEY_CONNS,
	KEY_APP_KEYS,
};

static const struct perf_opts opts_defaults = {
	.port = IPERF_DEFAULT_PORT,
	.duration = 10,
	.streams = 1,
	.interval = 1.0,
	.timeout_s = 30,
};

static const char *const schedulers[] = { "default", "roundrobin", "redundant" };

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
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

/* iperf3's sizes: a number with an optional K, M, G or T (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v) || v <= 0)
		return -EINVAL;
	double mult = 1;
	switch (*end) {
	case 'k': case 'K': mult = 1024.0; end++; break;
	case 'm': case 'M': mult = 1048576.0; end++; break;
	case 'g': case 'G': mult = 1073741824.0; end++; break;
	case 't': case 'T': mult = 1099511627776.0; end++; break;
	case '\0': break;
	default: return -EINVAL;
	}
	if (*end != '\0')
		return -EINVAL;
	v *= mult;
	if (v < 1 || v > 1e18)
		return -EINVAL;
	*out = (uint64_t)v;
	return 0;
}

/* "IPV4[,FLAG...]" with FLAG subflow, signal or backup. */
static int parse_endpoint(const char *arg, struct perf_endpoint *ep)
{
	char buf[64];
	if (strlen(arg) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", arg);
	char *save = NULL;
	char *tok = strtok_r(buf, ",", &save);
	if (tok == NULL || mpdk_parse_ipv4(tok, &ep->addr) < 0)
		return -EINVAL;
	ep->flags = 0;
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strcmp(tok, "subflow") == 0)
			ep->flags |= PERF_EP_SUBFLOW;
		else if (strcmp(tok, "signal") == 0)
			ep->flags |= PERF_EP_SIGNAL;
		else if (strcmp(tok, "backup") == 0)
			ep->flags |= PERF_EP_BACKUP;
		else
			return -EINVAL;
	}
	/* "1.2.3.4," leaves an empty flag: strtok_r skips it, refuse it */
	if (arg[strlen(arg) - 1] == ',' || strstr(arg, ",,") != NULL)
		return -EINVAL;
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

/* --app-keys "KEYA:KEYB": two non-zero, different 64-bit hex keys
 * (mpdk_mptcp_set_keys refuses zero or equal keys). */
static int parse_app_keys(const char *arg, struct perf_opts *o)
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

static int perf_handle(void *ctx, int key, const char *arg)
{
	struct perf_opts *o = ctx;
	unsigned long v;
	int rc;

	switch (key) {
	case KEY_SERVER:
		o->server = true;
		o->seen_server = true;
		return 0;
	case KEY_CLIENT:
		o->host = arg;
		return mpdk_parse_ipv4(arg, &o->host_addr);
	case KEY_PORT:
		o->seen_port = true;
		rc = parse_uint(arg, 1, 65535, &v);
		o->port = (unsigned)v;
		return rc;
	case KEY_TIME:
		o->seen_time = true;
		rc = parse_uint(arg, 1, 86400, &v);
		o->duration = (unsigned)v;
		return rc;
	case KEY_BYTES:
		o->seen_bytes = true;
		return parse_size(arg, &o->bytes);
	case KEY_PARALLEL:
		o->seen_streams = true;
		rc = parse_uint(arg, 1, IPERF_MAX_STREAMS, &v);
		o->streams = (unsigned)v;
		return rc;
	case KEY_REVERSE:
		o->reverse = true;
		o->seen_reverse = true;
		return 0;
	case KEY_INTERVAL: {
		char *end;
		if (arg == NULL || *arg < '0' || *arg > '9')
			return -EINVAL;
		double d = strtod(arg, &end);
		if (*end != '\0' || !isfinite(d) || (d != 0 && (d < 0.1 || d > 60)))
			return -EINVAL;
		o->interval = d;
		return 0;
	}
	case KEY_JSON:
		o->json = true;
		return 0;
	case KEY_ONE_OFF:
		o->one_off = true;
		return 0;
	case KEY_CONGESTION:
		o->seen_congestion = true;
		if (strcmp(arg, "newreno") != 0 && strcmp(arg, "reno") != 0 && strcmp(arg, "cubic") != 0)
			return -EINVAL;
		o->congestion = arg;
		return 0;
	case KEY_WINDOW: {
		uint64_t w;
		if (parse_size(arg, &w) < 0 || w < 4096 || w > (4u << 20))
			return -EINVAL;
		o->window = (uint32_t)w;
		return 0;
	}
	case KEY_TCP:
		o->tcp = true;
		return 0;
	case KEY_ENDPOINT:
		if (o->n_endpoints == PERF_MAX_ENDPOINTS)
			return -EINVAL;
		return parse_endpoint(arg, &o->endpoints[o->n_endpoints++]);
	case KEY_SCHEDULER:
		for (size_t i = 0; i < sizeof(schedulers) / sizeof(schedulers[0]); i++)
			if (strcmp(arg, schedulers[i]) == 0) {
				o->scheduler = arg;
				return 0;
			}
		return -EINVAL;
	case KEY_TIMEOUT:
		rc = parse_uint(arg, 1, 3600, &v);
		o->timeout_s = (unsigned)v;
		return rc;
	case KEY_COPY:
		o->copy = true;
		return 0;
	case KEY_CRR:
		o->crr = true;
		return 0;
	case KEY_CONNS:
		rc = parse_uint(arg, 1, PERF_MAX_CONNS, &v);
		o->conns = (unsigned)v;
		return rc;
	case KEY_APP_KEYS:
		return parse_app_keys(arg, o);
	}
	return -EINVAL;
}

static const struct mpdk_app_option perf_options[] = {
	{ "server", 's', false, KEY_SERVER, NULL, "run as the server (iperf3 -s)" },
	{ "client", 'c', true, KEY_CLIENT, "HOST",
	  "run as the client, connecting to the IPv4 address HOST" },
	{ "port", 'p', true, KEY_PORT, "PORT", "server port to listen on / connect to (default 5201)" },
	{ "time", 't', true, KEY_TIME, "SECONDS", "client: seconds to transmit (default 10)" },
	{ "bytes", 'n', true, KEY_BYTES, "BYTES",
	  "client: bytes to transmit instead of -t (K/M/G/T suffixes: powers of 1024)" },
	{ "parallel", 'P', true, KEY_PARALLEL, "STREAMS",
	  "client: parallel streams, 1..128 (default 1)" },
	{ "reverse", 'R', false, KEY_REVERSE, NULL, "client: the server sends, the client receives" },
	{ "interval", 'i', true, KEY_INTERVAL, "SECONDS",
	  "seconds between interval reports, 0.1..60; 0 = none (default 1)" },
	{ "json", 'J', false, KEY_JSON, NULL, "output JSON shaped like iperf3's, at the end of each test" },
	{ "one-off", '1', false, KEY_ONE_OFF, NULL,
	  "server: handle one test, then exit (0 only if it completed)" },
	{ "congestion", 'C', true, KEY_CONGESTION, "ALGO",
	  "client: congestion control of the sender, newreno (or reno) or cubic" },
	{ "window", 'w', true, KEY_WINDOW, "BYTES",
	  "send and receive buffer of every connection (TCP window, MPTCP data-level\n"
	  "                             window), 4K..4M (default 256K; K/M suffixes)" },
	{ "tcp", 0, false, KEY_TCP, NULL, "plain TCP: no MPTCP offered or accepted (MPTCP is the default)" },
	{ "endpoint", 0, true, KEY_ENDPOINT, "IPV4[,FLAGS]",
	  "MPTCP endpoint: an --addr with FLAGS subflow, signal, backup (comma-separated;\n"
	  "                             repeatable; default: every --addr, subflow as client, signal as server)" },
	{ "scheduler", 0, true, KEY_SCHEDULER, "NAME",
	  "MPTCP scheduler: default, roundrobin or redundant" },
	{ "timeout", 0, true, KEY_TIMEOUT, "SECONDS",
	  "give up when the peer makes no progress for SECONDS (default 30)" },
	{ "copy", 0, false, KEY_COPY, NULL,
	  "move data with mpdk_send/mpdk_recv (copies) instead of the zero-copy mbuf calls" },
	{ "crr", 0, false, KEY_CRR, NULL,
	  "connect, 64-byte request, 64-byte response, close, repeated (-t, -P at a time);\n"
	  "                             not iperf3's protocol: mpdk-perf --crr on both sides" },
	{ "conns", 0, true, KEY_CONNS, "N",
	  "open N idle connections (both sides give N): time to open them, memory per\n"
	  "                             connection; not iperf3's protocol" },
	{ "app-keys", 0, true, KEY_APP_KEYS, "KEYA:KEYB",
	  "with --key-mode app: the MPTCP keys (two non-zero, different 64-bit hex values;\n"
	  "                             KEYA = the client's) each test stream gets once established:\n"
	  "                             out-of-band pre-shared keys for tests (without it joins stay refused)" },
	{ 0 },
};

/* ------------------------------------------------------------------ checks */

/*
 * Options that only make sense together are checked before the EAL starts,
 * like every other command-line error: parse once with stdout and stderr
 * muted (when that parse fails or is --help, mpdk_app_init() repeats it
 * and reports in its usual words).
 */
static int check_combinations(void *ctx, const struct mpdk_args *args)
{
	struct perf_opts *o = ctx;

	const char *N = PERF_NAME;
	if (o->server && o->host != NULL) {
		fprintf(stderr, "%s: -s and -c are exclusive: a server or a client (see --help)\n", N);
		return -EINVAL;
	}
	if (!o->server && o->host == NULL) {
		fprintf(stderr, "%s: one of -s or -c HOST is required (see --help)\n", N);
		return -EINVAL;
	}
	if (args->conf.n_addrs == 0)
		return 0;  /* mpdk_app_init() says "no --addr given" */
	const char *bad = NULL;
	if (o->server) {
		if (o->seen_time)
			bad = "--time";
		else if (o->seen_bytes)
			bad = "--bytes";
		else if (o->seen_streams)
			bad = "--parallel";
		else if (o->seen_reverse)
			bad = "--reverse";
		else if (o->seen_congestion)
			bad = "--congestion";
		if (bad != NULL) {
			fprintf(stderr, "%s: %s is a client option: it needs -c HOST (see --help)\n", N, bad);
			return -EINVAL;
		}
	} else {
		if (o->one_off) {
			fprintf(stderr, "%s: --one-off is a server option: it needs -s (see --help)\n", N);
			return -EINVAL;
		}
		if (o->seen_time && o->seen_bytes) {
			fprintf(stderr, "%s: only one test end condition: -t SECONDS or -n BYTES (see --help)\n",
				N);
			return -EINVAL;
		}
	}
	o->app_mode = args->conf.tcp != NULL && args->conf.tcp->mptcp.key_mode == MPDK_KEY_APP;
	if (o->have_keys && !o->app_mode) {
		fprintf(stderr, "%s: --app-keys needs --key-mode app (see --help)\n", N);
		return -EINVAL;
	}
	if (o->have_keys && (o->tcp || o->crr || o->conns)) {
		fprintf(stderr, "%s: --app-keys is for iperf3 tests over MPTCP: not with --%s (see --help)\n",
			N, o->tcp ? "tcp" : o->crr ? "crr" : "conns");
		return -EINVAL;
	}
	if (o->app_mode && !o->have_keys && !o->tcp)
		fprintf(stderr, "%s: warning: --key-mode app without --app-keys: no keys are ever set, "
			"so joins and ADD_ADDR stay refused (one path per connection)\n", N);
	if (o->crr && o->conns) {
		fprintf(stderr, "%s: --crr and --conns are exclusive (see --help)\n", N);
		return -EINVAL;
	}
	if ((o->crr || o->conns) && (o->seen_bytes || o->seen_reverse || o->seen_congestion)) {
		fprintf(stderr, "%s: --%s does not take -n, -R or -C (see --help)\n", N,
			o->crr ? "crr" : "conns");
		return -EINVAL;
	}
	if (o->conns && o->seen_streams) {
		fprintf(stderr, "%s: --conns opens N connections: not with --parallel (see --help)\n", N);
		return -EINVAL;
	}
	if (o->tcp && (o->n_endpoints > 0 || o->scheduler != NULL)) {
		fprintf(stderr, "%s: %s is an MPTCP option: not with --tcp (see --help)\n", N,
			o->n_endpoints > 0 ? "--endpoint" : "--scheduler");
		return -EINVAL;
	}
	for (unsigned i = 0; i < o->n_endpoints; i++) {
		bool ours = false;
		for (uint16_t k = 0; k < args->conf.n_addrs; k++)
			ours |= args->conf.addrs[k].addr == o->endpoints[i].addr;
		if (!ours) {
			char ip[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &o->endpoints[i].addr, ip, sizeof(ip));
			fprintf(stderr, "%s: invalid --endpoint '%s': not one of the addresses given with --addr\n",
				N, ip);
			return -EINVAL;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ main */

/*
 * mpdk_app_init() creates the stack with the default TCP settings, and
 * ours (MPTCP off with --tcp, endpoints, scheduler) are stack settings: so
 * replace that stack by one made with them, keeping the ports and the
 * pool mpdk_app_init() opened. (A hook in mpdk_app_desc for the TCP
 * settings would make this unnecessary.)
 */
/* mpdk_app_desc.configure: TCP/MPTCP settings (endpoints, scheduler,
 * --tcp) derived from the options and the parsed --addr list. */
static int perf_configure(void *ctx, struct mpdk_stack_conf *conf)
{
	static struct mpdk_tcp_conf tc;
	const struct perf_opts *o = ctx;
	char why[160];
	int rc = perf_mptcp_tcp_conf(o, conf, &tc, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", PERF_NAME, why);
		return rc;
	}
	perf_conn_tcp_conf(o, conf, &tc);
	if (o->window != 0) {
		tc.sndbuf = o->window;
		tc.rcvbuf = o->window;
	}
	conf->tcp = &tc;
	return 0;
}

static volatile bool stop;
static volatile int stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
	stop = true;
}

int main(int argc, char **argv)
{
	struct perf_opts opts = opts_defaults;
	const struct mpdk_app_desc desc = {
		.name = PERF_NAME,
		.summary =
			"Throughput tests over the mpdk stack that speak iperf3's protocol: stock\n"
			"iperf3 can be its client (iperf3 -c ADDR against mpdk-perf -s) or its server\n"
			"(mpdk-perf -c ADDR against iperf3 -s). Options follow iperf3's names and\n"
			"meanings; --tcp, --endpoint, --scheduler and --timeout are mpdk's. Reports:\n"
			"per stream and interval, bytes, bitrate, retransmits and the congestion\n"
			"window, the MPTCP/TCP state of each connection, and a final summary with\n"
			"both sides' numbers. Exit status 0 when the test completed and the results\n"
			"were exchanged.",
		.opts = perf_options,
		.handle = perf_handle,
		.configure = perf_configure,
		.check = check_combinations,
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

	struct perf_ctx ctx = {
		.o = &opts,
		.stack = stack,
		.e = mpdk_stack_engine(stack, 0),
		.args = &args,
		.stop = &stop,
		.stop_signal = &stop_signal,
	};
	struct mpdk_tcp_conf tc;
	mpdk_tcp_conf_defaults(&tc);
	ctx.sndbuf = opts.window ? opts.window : tc.sndbuf;
	ctx.rcvbuf = opts.window ? opts.window : tc.rcvbuf;

	int status = 1;
	/* Enough payload mbufs for every stream's full send buffer in
	 * 16 KiB pieces, and then some. */
	unsigned n_mbufs = 4095;
	if (perf_payload_init(&ctx.pl, n_mbufs) < 0) {
		fprintf(stderr, "%s: cannot allocate the payload buffer (%u mbufs): more memory with EAL -m MB\n",
			PERF_NAME, n_mbufs);
	} else {
		status = opts.crr     ? perf_run_crr(&ctx)
			 : opts.conns ? perf_run_conns(&ctx)
			 : opts.server ? perf_run_server(&ctx)
				       : perf_run_client(&ctx);
	}

	if (args.stats && !opts.json) {
		printf("%s: counters:\n", PERF_NAME);
		mpdk_stats_print(stack, stdout, false);
	} else if (args.stats) {
		fprintf(stderr, "%s: counters:\n", PERF_NAME);
		mpdk_stats_print(stack, stderr, false);
	}
	fflush(stdout);

	/* The stack may still hold payload mbufs: free it first. */
	mpdk_stack_free(stack);
	perf_payload_fini(&ctx.pl);
	mpdk_app_fini(&args, NULL);
	return status;
}
