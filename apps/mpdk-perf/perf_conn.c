/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection modes of mpdk-perf, for the benchmark driver
 * (tests/bench/run.sh); mpdk-perf on both sides, not iperf3's protocol.
 *
 * --crr (connect, request, response, close; netperf's TCP_CRR): the client
 * keeps -P connections going: connect, send PERF_CRR_SIZE bytes when
 * connected, read PERF_CRR_SIZE bytes of response, close (the client closes
 * first, as netperf), and again, for -t seconds. The server reads the
 * request, sends the response, and closes when it reads the client's FIN.
 * Reported: transactions per second, mean time of one, failures.
 *
 * --conns N: the client opens N connections to the server (at most
 * CONNS_IN_FLIGHT handshakes at a time, over enough server ports for the
 * ephemeral range: port, port+1, ...), keeps them idle, and reports the
 * time to open them all; each side reports its memory per connection: the
 * growth of its resident set (/proc/self/statm), of the DPDK heap
 * (rte_malloc) and of the mbufs in use, between before the first and after
 * the last connection, divided by N. Then the client aborts them all.
 *
 * Output: one line "key=value ..." on stdout (with -J, one JSON object).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "perf.h"

/* Handshakes in flight at once in --conns (bounded so that a SYN burst
 * does not overrun the link's rings: a lost SYN costs a 1 s RTO). */
#define CONNS_IN_FLIGHT 256u
/* Source ports a client uses towards one server port in the modes
 * (ephemeral range 1024..65535, less some slack). */
#define CONNS_PER_PORT 60000u
/* TIME_WAIT of the connection modes: the client closes first and would
 * otherwise hold every 4-tuple for 60 s (Linux's counterpart in the
 * benchmark is net.ipv4.tcp_tw_reuse=1, reuse after 1 s). */
#define CONN_MODE_TIME_WAIT_MS 1000u

static unsigned conns_ports(unsigned n)
{
	return (n + CONNS_PER_PORT - 1) / CONNS_PER_PORT;
}

void perf_conn_tcp_conf(const struct perf_opts *o, struct mpdk_stack_conf *sc,
			struct mpdk_tcp_conf *tc)
{
	if (!o->crr && o->conns == 0)
		return;
	tc->ephemeral_lo = 1024;
	tc->ephemeral_hi = 65535;
	tc->time_wait_ms = CONN_MODE_TIME_WAIT_MS;
	if (o->conns) {
		tc->max_conns = o->conns + 1024;
		sc->max_mptcp_conns = o->conns + 1024;
	} else {
		/* TIME_WAIT population: rate x 1 s */
		tc->max_conns = 262144;
		sc->max_mptcp_conns = 262144;
	}
}

/* ------------------------------------------------------------------ memory */

struct mem_snap {
	uint64_t rss;        /* bytes */
	uint64_t heap;       /* rte_malloc bytes allocated, all sockets */
	uint64_t mbufs;      /* in use in the stack's pool */
};

static void mem_snap(struct perf_ctx *ctx, struct mem_snap *m)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	memset(m, 0, sizeof(*m));
	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	m->rss = (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
	for (unsigned s = 0; s < rte_socket_count(); s++) {
		struct rte_malloc_socket_stats st;
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(s), &st) == 0)
			m->heap += st.heap_allocsz_bytes;
	}
	m->mbufs = rte_mempool_in_use_count(mpdk_stack_pool(ctx->stack));
}

static void mem_report(const struct perf_ctx *ctx, const char *role, unsigned n,
		       const struct mem_snap *a, const struct mem_snap *b, double open_s,
		       unsigned failed, unsigned mptcp)
{
	double rss = ((double)b->rss - (double)a->rss) / n;
	double heap = ((double)b->heap - (double)a->heap) / n;
	double mb = ((double)b->mbufs - (double)a->mbufs) / n;
	if (ctx->o->json) {
		printf("{\"mode\": \"conns\", \"role\": \"%s\", \"conns\": %u, \"failed\": %u, "
		       "\"mptcp\": %u, \"open_seconds\": %.6f, \"rss_bytes_per_conn\": %.1f, "
		       "\"heap_bytes_per_conn\": %.1f, \"mbufs_per_conn\": %.4f, "
		       "\"rss_before\": %" PRIu64 ", \"rss_after\": %" PRIu64 "}\n",
		       role, n, failed, mptcp, open_s, rss, heap, mb, a->rss, b->rss);
	} else {
		printf("conns role=%s conns=%u failed=%u mptcp=%u open_seconds=%.3f "
		       "rss_bytes_per_conn=%.0f heap_bytes_per_conn=%.0f mbufs_per_conn=%.3f "
		       "rss_before=%" PRIu64 " rss_after=%" PRIu64 "\n",
		       role, n, failed, mptcp, open_s, rss, heap, mb, a->rss, b->rss);
	}
	fflush(stdout);
}

/* ------------------------------------------------------------------ --crr */

struct crr;

struct crr_conn {
	struct crr *r;
	mpdk_conn_t c;
	bool busy;             /* client: a transaction is under way */
	uint32_t got;          /* bytes of the request / response read */
	bool replied;          /* server */
	uint64_t t0;
	struct crr_conn *next; /* server: the list of open connections */
};

struct crr {
	struct perf_ctx *ctx;
	struct crr_conn *slots;   /* client: -P of them */
	unsigned n_slots;
	struct crr_conn *open;    /* server */
	uint64_t done, failed, mptcp, connect_err;
	uint64_t lat_sum_ns;
	int last_err;
	bool running;
};

static uint8_t crr_buf[PERF_CRR_SIZE];

static void crr_slot_done(struct crr_conn *k, bool ok)
{
	struct crr *r = k->r;
	if (ok) {
		r->done++;
		r->lat_sum_ns += perf_now_ns() - k->t0;
	} else {
		r->failed++;
	}
	k->busy = false;
}

static void crr_cli_connected(void *arg, mpdk_conn_t c)
{
	struct crr_conn *k = arg;
	struct mpdk_conn_info ci;
	if (mpdk_conn_info(c, &ci) == 0 && ci.mptcp)
		k->r->mptcp++;
	if (mpdk_send(c, crr_buf, sizeof(crr_buf)) != (ssize_t)sizeof(crr_buf)) {
		mpdk_abort(c);
		crr_slot_done(k, false);
	}
}

static void crr_cli_readable(void *arg, mpdk_conn_t c)
{
	struct crr_conn *k = arg;
	uint8_t buf[PERF_CRR_SIZE];
	for (;;) {
		ssize_t n = mpdk_recv(c, buf, sizeof(buf));
		if (n > 0) {
			k->got += (uint32_t)n;
			if (k->got >= PERF_CRR_SIZE) {
				mpdk_close(c);
				crr_slot_done(k, k->got == PERF_CRR_SIZE);
				return;
			}
			continue;
		}
		if (n == -EAGAIN)
			return;
		/* EOF before the whole response, or an error */
		mpdk_abort(c);
		crr_slot_done(k, false);
		return;
	}
}

static void crr_cli_closed(void *arg, mpdk_conn_t c, int err)
{
	struct crr_conn *k = arg;
	(void)c;
	k->r->last_err = err;
	crr_slot_done(k, false);
}

static const struct mpdk_tcp_handler crr_cli_handler = {
	.connected = crr_cli_connected,
	.readable = crr_cli_readable,
	.closed = crr_cli_closed,
};

static void crr_cli_start(struct crr_conn *k)
{
	struct crr *r = k->r;
	const struct perf_opts *o = r->ctx->o;
	k->got = 0;
	k->t0 = perf_now_ns();
	int rc = mpdk_connect(r->ctx->e, o->host_addr, htons((uint16_t)o->port), 0, 0,
			      &crr_cli_handler, k, &k->c);
	if (rc < 0) {
		r->connect_err++;
		r->last_err = rc;
		return;
	}
	k->busy = true;
}

static void crr_srv_remove(struct crr_conn *k)
{
	struct crr_conn **pp = &k->r->open;
	while (*pp != NULL && *pp != k)
		pp = &(*pp)->next;
	if (*pp == k)
		*pp = k->next;
	free(k);
}

static void crr_srv_readable(void *arg, mpdk_conn_t c)
{
	struct crr_conn *k = arg;
	uint8_t buf[PERF_CRR_SIZE];
	for (;;) {
		ssize_t n = mpdk_recv(c, buf, sizeof(buf));
		if (n > 0) {
			k->got += (uint32_t)n;
			if (k->got >= PERF_CRR_SIZE && !k->replied) {
				k->replied = true;
				if (mpdk_send(c, crr_buf, sizeof(crr_buf)) != (ssize_t)sizeof(crr_buf)) {
					k->r->failed++;
					mpdk_abort(c);
					crr_srv_remove(k);
					return;
				}
			}
			continue;
		}
		if (n == -EAGAIN)
			return;
		/* the client's FIN after the response: a transaction done */
		if (n == 0 && k->replied && k->got == PERF_CRR_SIZE)
			k->r->done++;
		else
			k->r->failed++;
		mpdk_close(c);
		crr_srv_remove(k);
		return;
	}
}

static void crr_srv_closed(void *arg, mpdk_conn_t c, int err)
{
	struct crr_conn *k = arg;
	(void)c;
	k->r->failed++;
	k->r->last_err = err;
	crr_srv_remove(k);
}

static const struct mpdk_tcp_handler crr_srv_handler = {
	.readable = crr_srv_readable,
	.closed = crr_srv_closed,
};

static void crr_srv_accept(void *arg, mpdk_conn_t l)
{
	struct crr *r = arg;
	mpdk_conn_t c;
	while (mpdk_accept(l, &c) == 0) {
		struct crr_conn *k = calloc(1, sizeof(*k));
		if (k == NULL || mpdk_conn_set_handler(c, &crr_srv_handler, k) < 0) {
			free(k);
			mpdk_abort(c);
			r->failed++;
			continue;
		}
		struct mpdk_conn_info ci;
		if (mpdk_conn_info(c, &ci) == 0 && ci.mptcp)
			r->mptcp++;
		k->r = r;
		k->c = c;
		k->next = r->open;
		r->open = k;
		crr_srv_readable(k, c);  /* the request may be in already */
	}
}

static const struct mpdk_tcp_handler crr_listen_handler = {
	.accept_ready = crr_srv_accept,
};

static void crr_report(const struct crr *r, const char *role, double secs)
{
	const struct perf_opts *o = r->ctx->o;
	if (strcmp(role, "server") == 0) {
		/* the client's figures are the measure; these are for checking */
		if (o->json)
			printf("{\"mode\": \"crr\", \"role\": \"server\", \"transactions\": %" PRIu64
			       ", \"failed\": %" PRIu64 ", \"mptcp\": %" PRIu64 "}\n",
			       r->done, r->failed, r->mptcp);
		else
			printf("crr role=server transactions=%" PRIu64 " failed=%" PRIu64 " mptcp=%" PRIu64
			       "\n", r->done, r->failed, r->mptcp);
		fflush(stdout);
		return;
	}
	double rate = secs > 0 ? (double)r->done / secs : 0;
	double lat_us = r->done ? (double)r->lat_sum_ns / (double)r->done / 1e3 : 0;
	if (o->json)
		printf("{\"mode\": \"crr\", \"role\": \"%s\", \"transactions\": %" PRIu64
		       ", \"seconds\": %.6f, \"per_second\": %.1f, \"mean_us\": %.2f, \"failed\": %"
		       PRIu64 ", \"connect_errors\": %" PRIu64 ", \"mptcp\": %" PRIu64
		       ", \"parallel\": %u, \"size\": %u}\n",
		       role, r->done, secs, rate, lat_us, r->failed, r->connect_err, r->mptcp,
		       r->n_slots, PERF_CRR_SIZE);
	else
		printf("crr role=%s transactions=%" PRIu64 " seconds=%.3f per_second=%.0f mean_us=%.1f "
		       "failed=%" PRIu64 " connect_errors=%" PRIu64 " mptcp=%" PRIu64 " parallel=%u "
		       "size=%u\n",
		       role, r->done, secs, rate, lat_us, r->failed, r->connect_err, r->mptcp,
		       r->n_slots, PERF_CRR_SIZE);
	fflush(stdout);
}

int perf_run_crr(struct perf_ctx *ctx)
{
	const struct perf_opts *o = ctx->o;
	struct crr r = { .ctx = ctx };
	int status = 0;

	memset(crr_buf, 'r', sizeof(crr_buf));
	if (o->server) {
		mpdk_conn_t l;
		int rc = mpdk_listen(ctx->e, 0, htons((uint16_t)o->port), 4096, &crr_listen_handler,
				     &r, &l);
		if (rc < 0) {
			fprintf(stderr, "%s: error - cannot listen on port %u: %s\n", PERF_NAME, o->port,
				mpdk_strerror(rc));
			return 1;
		}
		if (!o->json) {
			printf("crr server listening on port %u\n", o->port);
			fflush(stdout);
		}
		/* until SIGINT/SIGTERM */
		while (!*ctx->stop)
			mpdk_engine_poll(ctx->e);
		crr_report(&r, "server", 0);
		mpdk_close(l);
		while (r.open != NULL) {
			mpdk_abort(r.open->c);
			crr_srv_remove(r.open);
		}
		return 0;
	}

	r.n_slots = o->streams;
	r.slots = calloc(r.n_slots, sizeof(*r.slots));
	if (r.slots == NULL) {
		fprintf(stderr, "%s: out of memory\n", PERF_NAME);
		return 1;
	}
	for (unsigned i = 0; i < r.n_slots; i++)
		r.slots[i].r = &r;
	uint64_t t0 = perf_now_ns();
	uint64_t end = t0 + (uint64_t)o->duration * 1000000000ull;
	uint64_t now = t0, last_progress = t0, last_done = 0;
	r.running = true;
	while (!*ctx->stop) {
		for (unsigned i = 0; i < r.n_slots; i++)
			if (!r.slots[i].busy && now < end)
				crr_cli_start(&r.slots[i]);
		mpdk_engine_poll(ctx->e);
		now = perf_now_ns();
		if (r.done != last_done) {
			last_done = r.done;
			last_progress = now;
		}
		bool busy = false;
		for (unsigned i = 0; i < r.n_slots; i++)
			busy |= r.slots[i].busy;
		if (now >= end && !busy)
			break;
		if (now - last_progress > (uint64_t)o->timeout_s * 1000000000ull) {
			fprintf(stderr, "%s: error - no transaction completed for %u s (last error: %s)\n",
				PERF_NAME, o->timeout_s, mpdk_strerror(r.last_err));
			status = 1;
			break;
		}
	}
	double secs = (double)(now - t0) / 1e9;
	for (unsigned i = 0; i < r.n_slots; i++)
		if (r.slots[i].busy)
			mpdk_abort(r.slots[i].c);
	crr_report(&r, "client", secs);
	if (r.done == 0)
		status = 1;
	/* let the last FINs go out */
	uint64_t stop = perf_now_ns() + 200000000ull;
	while (perf_now_ns() < stop)
		mpdk_engine_poll(ctx->e);
	free(r.slots);
	return status;
}

/* ------------------------------------------------------------------ --conns */

struct cconn {
	struct conns *s;
	mpdk_conn_t c;
	uint8_t state;         /* 0 idle, 1 connecting, 2 established, 3 failed/closed */
};

struct conns {
	struct perf_ctx *ctx;
	struct cconn *k;       /* client: n of them */
	unsigned n, started, established, failed, closed, mptcp, accepted;
	int last_err;
};

static void conns_connected(void *arg, mpdk_conn_t c)
{
	struct cconn *k = arg;
	struct mpdk_conn_info ci;
	if (mpdk_conn_info(c, &ci) == 0 && ci.mptcp)
		k->s->mptcp++;
	k->state = 2;
	k->s->established++;
}

static void conns_drain(void *arg, mpdk_conn_t c)
{
	struct rte_mbuf *m;
	(void)arg;
	while (mpdk_recv_mbuf(c, &m) > 0)
		rte_pktmbuf_free(m);
}

static void conns_closed(void *arg, mpdk_conn_t c, int err)
{
	struct cconn *k = arg;
	(void)c;
	if (k->state == 1)
		k->s->failed++;
	else if (k->state == 2)
		k->s->closed++;
	k->s->last_err = err;
	k->state = 3;
}

static const struct mpdk_tcp_handler conns_cli_handler = {
	.connected = conns_connected,
	.readable = conns_drain,
	.closed = conns_closed,
};

/* Server: accepted connections are only counted; the handle's arg is the
 * struct conns (closed() counts through it). */
static void conns_srv_closed(void *arg, mpdk_conn_t c, int err)
{
	struct conns *s = arg;
	(void)c;
	s->closed++;
	s->last_err = err;
}

static const struct mpdk_tcp_handler conns_srv_handler = {
	.readable = conns_drain,
	.closed = conns_srv_closed,
};

static void conns_accept(void *arg, mpdk_conn_t l)
{
	struct conns *s = arg;
	mpdk_conn_t c;
	while (mpdk_accept(l, &c) == 0) {
		struct mpdk_conn_info ci;
		mpdk_conn_set_handler(c, &conns_srv_handler, s);
		if (mpdk_conn_info(c, &ci) == 0 && ci.mptcp)
			s->mptcp++;
		s->accepted++;
	}
}

static const struct mpdk_tcp_handler conns_listen_handler = {
	.accept_ready = conns_accept,
};

static int conns_server(struct perf_ctx *ctx)
{
	const struct perf_opts *o = ctx->o;
	struct conns s = { .ctx = ctx, .n = o->conns };
	unsigned np = conns_ports(o->conns);
	mpdk_conn_t l[(PERF_MAX_CONNS + CONNS_PER_PORT - 1) / CONNS_PER_PORT];
	struct mem_snap a, b;

	for (unsigned i = 0; i < np; i++) {
		int rc = mpdk_listen(ctx->e, 0, htons((uint16_t)(o->port + i)), 4096,
				     &conns_listen_handler, &s, &l[i]);
		if (rc < 0) {
			fprintf(stderr, "%s: error - cannot listen on port %u: %s\n", PERF_NAME,
				o->port + i, mpdk_strerror(rc));
			return 1;
		}
	}
	mem_snap(ctx, &a);
	if (!o->json) {
		printf("conns server listening on ports %u..%u for %u connections\n", o->port,
		       o->port + np - 1, o->conns);
		fflush(stdout);
	}
	uint64_t t0 = 0;
	bool reported = false;
	int status = 1;
	while (!*ctx->stop) {
		mpdk_engine_poll(ctx->e);
		if (s.accepted > 0 && t0 == 0)
			t0 = perf_now_ns();
		if (!reported && s.accepted >= s.n) {
			uint64_t t1 = perf_now_ns();
			mem_snap(ctx, &b);
			mem_report(ctx, "server", s.n, &a, &b, (double)(t1 - t0) / 1e9, 0, s.mptcp);
			reported = true;
			status = 0;
		}
		/* the client aborts them all once it has measured */
		if (reported && s.closed >= s.n)
			break;
	}
	if (!reported)
		fprintf(stderr, "%s: error - %u of %u connections accepted\n", PERF_NAME, s.accepted,
			s.n);
	for (unsigned i = 0; i < np; i++)
		mpdk_close(l[i]);
	return status;
}

int perf_run_conns(struct perf_ctx *ctx)
{
	const struct perf_opts *o = ctx->o;
	if (o->server)
		return conns_server(ctx);

	struct conns s = { .ctx = ctx, .n = o->conns };
	unsigned np = conns_ports(o->conns);
	struct mem_snap a, b;
	int status = 0;

	if (o->port + np - 1 > 65535) {
		fprintf(stderr, "%s: error - %u connections need server ports %u..%u\n", PERF_NAME,
			o->conns, o->port, o->port + np - 1);
		return 1;
	}
	s.k = calloc(s.n, sizeof(*s.k));
	if (s.k == NULL) {
		fprintf(stderr, "%s: out of memory\n", PERF_NAME);
		return 1;
	}
	mem_snap(ctx, &a);
	uint64_t t0 = perf_now_ns(), now = t0, last_progress = t0;
	unsigned last_count = 0;
	while (!*ctx->stop && s.established + s.failed < s.n) {
		/* one handshake alone first: it resolves the server's MAC (a
		 * burst of SYNs would overflow the ARP queue and wait 1 s RTOs) */
		unsigned window = s.established == 0 ? 1 : CONNS_IN_FLIGHT;
		while (s.started < s.n && s.started - s.established - s.failed < window) {
			struct cconn *k = &s.k[s.started];
			k->s = &s;
			uint16_t port = (uint16_t)(o->port + s.started % np);
			int rc = mpdk_connect(ctx->e, o->host_addr, htons(port), 0, 0, &conns_cli_handler,
					      k, &k->c);
			if (rc < 0) {
				k->state = 3;
				s.failed++;
				s.last_err = rc;
			} else {
				k->state = 1;
			}
			s.started++;
		}
		mpdk_engine_poll(ctx->e);
		now = perf_now_ns();
		if (s.established + s.failed != last_count) {
			last_count = s.established + s.failed;
			last_progress = now;
		}
		if (now - last_progress > (uint64_t)o->timeout_s * 1000000000ull) {
			fprintf(stderr, "%s: error - stuck at %u of %u connections for %u s\n", PERF_NAME,
				s.established, s.n, o->timeout_s);
			status = 1;
			break;
		}
	}
	double open_s = (double)(now - t0) / 1e9;
	mem_snap(ctx, &b);
	mem_report(ctx, "client", s.n, &a, &b, open_s, s.failed, s.mptcp);
	if (s.failed > 0) {
		fprintf(stderr, "%s: error - %u connections failed (last: %s)\n", PERF_NAME, s.failed,
			mpdk_strerror(s.last_err));
		status = 1;
	}
	/* Idle for a moment (the server takes its own measure), then abort
	 * them all: RSTs, no TIME_WAIT to wait for. */
	uint64_t hold = perf_now_ns() + 1000000000ull;
	while (!*ctx->stop && perf_now_ns() < hold)
		mpdk_engine_poll(ctx->e);
	for (unsigned i = 0; i < s.n; i++)
		if (s.k[i].state == 1 || s.k[i].state == 2) {
			mpdk_abort(s.k[i].c);
			s.k[i].state = 3;
			if ((i & 255) == 255)
				mpdk_engine_poll(ctx->e);  /* let the RSTs out in bursts */
		}
	uint64_t stop = perf_now_ns() + 300000000ull;
	while (perf_now_ns() < stop)
		mpdk_engine_poll(ctx->e);
	free(s.k);
	return status;
}
