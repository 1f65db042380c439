/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Handshakes and joins per second per key mode, through the whole stack
 * (issue 5, docs/security.md "Performance"): two mpdk stacks in this
 * process joined by two zero-delay simlinks on a virtual clock, polled
 * from one thread, so every figure is the CPU time of BOTH ends (client
 * and server), TCP, IP and MPTCP included.
 *
 *  handshakes: connect .. both ends established, and for the EC modes
 *    until both have K (the ECDH the engine hook runs after MP_CAPABLE;
 *    key pairs come from the pools, refilled while idle, which is not
 *    timed); the teardown is not timed.
 *  joins: on one established connection, A opens an MP_JOIN from its
 *    second address, timed from the SYN to B's check of the third ACK;
 *    the subflow is then reset (not timed), so the next join reuses the
 *    Address ID (EC mode refuses an ID in use, draft 4.2). "K
 *    precomputed" is the normal EC path; "ECDH inline" recomputes ECDH
 *    + K before each join (ec_session_complete, what a stack without the
 *    idle-poll precomputation would pay per join it checks).
 *
 * Usage: bench_handshake [-n HANDSHAKES] [-j JOINS]   (defaults 300, 200)
 * Not a test: figures and the command are in docs/security.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "mpdk/mpdk.h"
#include "core/clock.h"
#include "core/engine.h"
#include "mptcp/mptcp_int.h"
#include "tcp/tcb.h"

#define PORT_SRV 5001

static struct rte_mempool *pool;

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t ip(const char *s)
{
	struct in_addr a;
	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_handshake: %s failed (%d)\n", what, rc);
	exit(1);
}

struct world {
	struct mpdk_clock *clock;
	struct mpdk_port *p[4];
	struct mpdk_stack *sa, *sb;
	struct mpdk_engine *ea, *eb;
	struct mpdk_tcp_conf ta, tb;
};

static void world_create(struct world *w, unsigned mode, const char *curve, unsigned variant)
{
	memset(w, 0, sizeof(*w));
	mpdk_tcp_conf_defaults(&w->ta);
	w->ta.time_wait_ms = 10;
	w->ta.mptcp.key_mode = (uint8_t)mode;
	w->ta.mptcp.ec_curve = curve;
	w->ta.mptcp.ec_variant = (uint8_t)variant;
	w->ta.mptcp.max_subflows = 250;
	w->ta.max_conns = 4096;
	w->tb = w->ta;
	w->clock = mpdk_clock_create_virtual(NS_PER_S);
	struct mpdk_simlink_dir d = { .delay_ns = 0 };
	struct mpdk_simlink_conf lc = { .a_to_b = d, .b_to_a = d, .seed = 1, .clock = w->clock,
					.pool = pool };
	if (mpdk_simlink_create(&lc, &w->p[0], &w->p[1]) < 0 ||
	    mpdk_simlink_create(&lc, &w->p[2], &w->p[3]) < 0)
		die("mpdk_simlink_create", -1);
	struct mpdk_stack_conf ca = { .name = "A", .pool = pool, .tcp = &w->ta, .clock = w->clock };
	struct mpdk_stack_conf cb = { .name = "B", .pool = pool, .tcp = &w->tb, .clock = w->clock };
	ca.ports[0] = w->p[0];
	ca.ports[1] = w->p[2];
	cb.ports[0] = w->p[1];
	cb.ports[1] = w->p[3];
	ca.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = ip("10.1.0.1"), .prefix_len = 24 };
	ca.addrs[1] = (struct mpdk_addr_conf){ .port = 1, .addr = ip("10.2.0.1"), .prefix_len = 24 };
	cb.addrs[0] = (struct mpdk_addr_conf){ .port = 0, .addr = ip("10.1.0.2"), .prefix_len = 24 };
	cb.addrs[1] = (struct mpdk_addr_conf){ .port = 1, .addr = ip("10.2.0.2"), .prefix_len = 24 };
	ca.n_ports = ca.n_addrs = cb.n_ports = cb.n_addrs = 2;
	if (mpdk_stack_create(&ca, &w->sa) < 0 || mpdk_stack_create(&cb, &w->sb) < 0)
		die("mpdk_stack_create", -1);
	w->ea = mpdk_stack_engine(w->sa, 0);
	w->eb = mpdk_stack_engine(w->sb, 0);
}

static void world_free(struct world *w)
{
	mpdk_stack_free(w->sa);
	mpdk_stack_free(w->sb);
	for (int i = 0; i < 4; i++)
		mpdk_port_close(w->p[i]);
	mpdk_clock_free(w->clock);
}

/* One poll of both, 10 us of virtual time. */
static int poll2(struct world *w)
{
	mpdk_clock_advance(w->clock, 10000);
	return mpdk_engine_poll(w->ea) + mpdk_engine_poll(w->eb);
}

static void settle(struct world *w)
{
	for (int i = 0; i < 100000; i++)
		if (poll2(w) == 0)
			return;
}

struct peer {
	mpdk_conn_t c;
	bool up, closed;
};

static void on_accept(void *arg, mpdk_conn_t l)
{
	struct peer *p = arg;
	if (mpdk_accept(l, &p->c) == 0)
		p->up = true;
}
static void on_connected(void *arg, mpdk_conn_t c) { struct peer *p = arg; (void)c; p->up = true; }
static void on_closed(void *arg, mpdk_conn_t c, int err) { struct peer *p = arg; (void)c; (void)err; p->closed = true; }
static void on_nop(void *arg, mpdk_conn_t c) { (void)arg; (void)c; }
static const struct mpdk_tcp_handler handler = {
	.accept_ready = on_accept, .connected = on_connected, .readable = on_nop,
	.writable = on_nop, .closed = on_closed,
};

static uint64_t ctr(struct mpdk_stack *s, const char *n)
{
	uint64_t v = 0;
	mpdk_stat_get(s, n, &v);
	return v;
}

static bool k_ready(mpdk_conn_t c, bool ec)
{
	struct mpdk_mptcp_key_info ki;
	if (mpdk_mptcp_key_info(c, &ki) < 0 || !ki.mptcp)
		return false;
	return !ec || ki.k_ready;
}

/* Handshakes per second (both ends' CPU), @n of them. */
static double bench_handshakes(unsigned mode, const char *curve, unsigned variant, unsigned n,
			       double *us_out, double *kg_out)
{
	struct world w;
	world_create(&w, mode, curve, variant);
	bool ec = mode != MPDK_KEY_RFC8684;
	struct peer srv = { 0 };
	mpdk_conn_t l;
	int rc = mpdk_listen(w.eb, 0, htons(PORT_SRV), 1024, &handler, &srv, &l);
	if (rc < 0)
		die("mpdk_listen", rc);
	settle(&w);   /* the pools fill while idle */
	double cpu = 0;
	uint64_t kg = 0;
	for (unsigned i = 0; i < n; i++) {
		struct peer cli = { 0 };
		uint64_t kg0 = ctr(w.sa, "ec_keygen") + ctr(w.sb, "ec_keygen") +
			       ctr(w.sa, "ec_pool_empty") + ctr(w.sb, "ec_pool_empty");
		srv.up = false;
		double t0 = cpu_now();
		rc = mpdk_connect(w.ea, ip("10.1.0.2"), htons(PORT_SRV), 0, 0, &handler, &cli, &cli.c);
		if (rc < 0)
			die("mpdk_connect", rc);
		for (int k = 0; k < 100000 && !(cli.up && srv.up && k_ready(cli.c, ec) &&
						 k_ready(srv.c, ec)); k++)
			poll2(&w);
		cpu += cpu_now() - t0;
		kg += ctr(w.sa, "ec_keygen") + ctr(w.sb, "ec_keygen") + ctr(w.sa, "ec_pool_empty") +
		      ctr(w.sb, "ec_pool_empty") - kg0;
		if (!(cli.up && srv.up))
			die("handshake", -ETIMEDOUT);
		mpdk_abort(cli.c);
		mpdk_abort(srv.c);
		settle(&w);
		mpdk_clock_advance(w.clock, 20 * 1000000ull);   /* TIME_WAIT etc. */
		settle(&w);
	}
	if (ec && ctr(w.sa, "ec_established") != n)
		die("EC on every handshake", (int)ctr(w.sa, "ec_established"));
	mpdk_close(l);
	settle(&w);
	world_free(&w);
	*us_out = cpu / n * 1e6;
	*kg_out = (double)kg / n;
	return n / cpu;
}

/* Joins per second on one connection. */
static double bench_joins(unsigned mode, const char *curve, unsigned variant, unsigned n,
			  bool ecdh_inline, double *us_out)
{
	struct world w;
	world_create(&w, mode, curve, variant);
	bool ec = mode != MPDK_KEY_RFC8684;
	struct peer srv = { 0 }, cli = { 0 };
	mpdk_conn_t l;
	int rc = mpdk_listen(w.eb, 0, htons(PORT_SRV), 16, &handler, &srv, &l);
	if (rc < 0)
		die("mpdk_listen", rc);
	rc = mpdk_connect(w.ea, ip("10.1.0.2"), htons(PORT_SRV), 0, 0, &handler, &cli, &cli.c);
	if (rc < 0)
		die("mpdk_connect", rc);
	for (int k = 0; k < 100000 && !(cli.up && srv.up && k_ready(cli.c, ec) && k_ready(srv.c, ec)); k++)
		poll2(&w);
	/* the client's DSS-confirmed state (joins wait for it) */
	mpdk_send(cli.c, "x", 1);
	mpdk_send(srv.c, "y", 1);
	settle(&w);
	struct tcb *ta = tcb_from_handle(cli.c), *tb = tcb_from_handle(srv.c);
	struct mptcp_meta *ma = ta->mp, *mb = tb->mp;
	struct ec_keypair kp, kp2;
	struct ec_ctx *ctx = ec_ctx_new();
	struct ec_point own_pt, peer_pt;
	if (ecdh_inline) {
		/* two key pairs of the curve to redo a real ECDH with */
		unsigned cv = (unsigned)mpdk_ec_curve_parse(curve);
		if (ec_keypair_generate(ctx, cv, &kp) < 0 || ec_keypair_generate(ctx, cv, &kp2) < 0)
			die("ec_keypair_generate", -1);
		ec_keypair_public(&kp, &own_pt);
		ec_keypair_public(&kp2, &peer_pt);
	}
	(void)mb;
	double cpu = 0;
	uint64_t acks0 = ctr(w.sb, "mptcp_join_ack_rx");
	for (unsigned i = 0; i < n; i++) {
		double t0 = cpu_now();
		if (ecdh_inline) {
			/* what B would pay without the precomputed K: ECDH, K
			 * and the keyed context for this join */
			struct ec_session s;
			if (ec_session_init(&s, &own_pt, peer_pt.x) < 0 ||
			    ec_session_complete(&s, ctx, &kp, &peer_pt) < 0)
				die("ec_session_complete", -1);
			ec_session_wipe(&s);
		}
		rc = mptcp_pm_join_connect(ma, ip("10.2.0.1"), ip("10.1.0.2"), htons(PORT_SRV), 0, false);
		if (rc < 0)
			die("mptcp_pm_join_connect", rc);
		for (int k = 0; k < 100000 && ctr(w.sb, "mptcp_join_ack_rx") == acks0 + i; k++)
			poll2(&w);
		cpu += cpu_now() - t0;
		if (ctr(w.sb, "mptcp_join_ack_rx") != acks0 + i + 1)
			die("join", (int)i);
		settle(&w);
		/* reset the joined subflow (not timed) */
		struct mptcp_subflow *sf;
		TAILQ_FOREACH(sf, &ma->sfs, link)
			if (sf->kind == SF_JOIN)
				break;
		if (sf != NULL)
			mptcp_sf_reset(sf->t, MPTCP_RST_UNSPEC);
		settle(&w);
		mpdk_clock_advance(w.clock, 20 * 1000000ull);
		settle(&w);
	}
	ec_ctx_free(ctx);
	mpdk_abort(cli.c);
	settle(&w);
	mpdk_close(l);
	settle(&w);
	world_free(&w);
	*us_out = cpu / n * 1e6;
	return n / cpu;
}

int main(int argc, char **argv)
{
	unsigned n_hs = 300, n_join = 200;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			n_hs = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "-j") && i + 1 < argc)
			n_join = (unsigned)atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [-n HANDSHAKES] [-j JOINS (<= 240)]\n", argv[0]);
			return 2;
		}
	}
	if (n_hs == 0 || n_join == 0 || n_join > 240)
		return 2;
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "bench-hs-%d", (int)getpid());
	char *eal[] = { "bench", "--no-huge", "--no-pci", "-m", "512", "--file-prefix", prefix,
			"--log-level", "lib.eal:error", "--no-telemetry", "-l", "0", NULL };
	if (mpdk_eal_init(12, eal) < 0)
		die("mpdk_eal_init", -1);
	pool = rte_pktmbuf_pool_create("bench_hs", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL)
		die("mbuf pool", -ENOMEM);

	static const struct {
		const char *name;
		unsigned mode;
		const char *curve;
		unsigned variant;
	} modes[] = {
		{ "rfc8684", MPDK_KEY_RFC8684, NULL, 0 },
		{ "ec-compressed secp224r1", MPDK_KEY_EC_REQUIRED, "secp224r1", MPDK_EC_COMPRESSED },
		{ "ec-draft secp224r1", MPDK_KEY_EC_REQUIRED, "secp224r1", MPDK_EC_DRAFT },
		{ "ec-compressed secp256r1", MPDK_KEY_EC_REQUIRED, "secp256r1", MPDK_EC_COMPRESSED },
		{ "ec-draft secp256r1", MPDK_KEY_EC_REQUIRED, "secp256r1", MPDK_EC_DRAFT },
		{ "ec-compressed secp160r1", MPDK_KEY_EC_REQUIRED, "secp160r1", MPDK_EC_COMPRESSED },
		{ "ec-compressed secp256k1", MPDK_KEY_EC_REQUIRED, "secp256k1", MPDK_EC_COMPRESSED },
	};
	printf("Handshakes through both stacks (CPU of client + server, one thread), %u each:\n\n", n_hs);
	printf("| mode | us/handshake | handshakes/s | vs rfc8684 | key pairs made in the window |\n"
	       "|---|---:|---:|---:|---:|\n");
	double base = 0;
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		double us, kg, r = bench_handshakes(modes[i].mode, modes[i].curve, modes[i].variant, n_hs,
						    &us, &kg);
		if (i == 0)
			base = us;
		printf("| %s | %.1f | %.0f | %.2f | %.2f |\n", modes[i].name, us, r, us / base, kg);
		fflush(stdout);
	}
	printf("\nJoins on one connection (SYN .. B checked the third ACK; CPU of both ends), %u each:\n\n",
	       n_join);
	printf("| mode | us/join | joins/s | vs rfc8684 |\n|---|---:|---:|---:|\n");
	double jbase = 0, us;
	double r = bench_joins(MPDK_KEY_RFC8684, NULL, 0, n_join, false, &us);
	jbase = us;
	printf("| rfc8684 | %.1f | %.0f | 1.00 |\n", us, r);
	static const char *const jc[] = { "secp224r1", "secp256r1", "secp160r1" };
	for (unsigned i = 0; i < 3; i++) {
		r = bench_joins(MPDK_KEY_EC_REQUIRED, jc[i], MPDK_EC_COMPRESSED, n_join, false, &us);
		printf("| EC %s, K precomputed | %.1f | %.0f | %.2f |\n", jc[i], us, r, us / jbase);
		r = bench_joins(MPDK_KEY_EC_REQUIRED, jc[i], MPDK_EC_COMPRESSED, n_join, true, &us);
		printf("| EC %s, ECDH inline | %.1f | %.0f | %.2f |\n", jc[i], us, r, us / jbase);
		fflush(stdout);
	}
	rte_mempool_free(pool);
	return 0;
}
