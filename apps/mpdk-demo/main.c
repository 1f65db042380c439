/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpdk-demo: the README's main job on an embedded default. Two mpdk stacks,
 * A and B, live in this process and are joined by two emulated links
 * (simlinks) with different delay, loss and rate, on a real-time (TSC)
 * clock. The demo runs in phases:
 *
 *   1. ARP:  A resolves B's address on each path (and B learns A's).
 *   2. ping: A pings B on both paths at a fixed interval.
 *   3. transfer: A sends --bytes of seeded pseudo-random data to B over one
 *      MPTCP connection; B signals its second address, A joins it, so both
 *      paths carry data; B checks every byte.
 *
 * then prints a report and a PASS/FAIL verdict (exit status 0/1). A phase is
 * a run function and a report function over struct demo (and optionally a
 * skip function), listed in phases[].
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "mpdk/mpdk.h"
#include "core/engine.h"
#include "net/arp.h"

#define N_PATHS 2
#define SEC_NS 1000000000ull
#define MSEC_NS 1000000ull
#define MAX_COUNT 100000
#define XFER_PORT 5001
#define XFER_MAX_SF 8
#define XFER_BUF (1u << 20)   /* send/receive buffers: both paths' BDPs and their skew */

/* One path: a simlink between A's port and B's port, and its ping tally. */
struct path {
	unsigned num;                   /* 1-based, for humans */
	struct mpdk_simlink_dir dir;    /* same impairments both ways */
	struct mpdk_port *a, *b;        /* A's end, B's end */
	uint32_t ip_a, ip_b;            /* network order */
	/* phase 1 */
	uint64_t arp_ns;                /* time to resolve, 0 = not yet */
	bool b_knows_a;
	struct rte_ether_addr mac_b;
	/* phase 2 */
	unsigned sent, send_errors, received, duplicates, unexpected;
	uint8_t *seen;                  /* by sequence number */
	uint64_t *sent_at;              /* clock reading just before mpdk_ping() */
	uint64_t rtt_min, rtt_max, rtt_sum;
	struct mpdk_simlink_stats frames[2];  /* A->B, B->A, at the end of phase 2 */
};

struct demo_opts {
	unsigned long count, interval_ms, size;
	unsigned long seed;
	unsigned long bytes;            /* phase 3 */
	bool quiet, no_transfer;
};

/* Phase 3: one MPTCP connection, A (client, sender) -> B (server). */
struct xfer {
	uint64_t total, sent, rcvd;
	mpdk_conn_t lst, cli, srv;      /* B's listener, A's connection, B's */
	bool connected, accepted, shut, eof, srv_close_called;
	bool cli_closed, srv_closed, timed_out, unexpected_rx;
	int cli_err, srv_err, send_err;
	uint64_t bad_bytes, first_bad;
	uint64_t t0, t_conn, t_eof, t_cli_closed;
	char setup_err[128];
	/* A's side, last seen */
	struct mpdk_conn_info ci;
	bool have_ci;
	int max_subflows, n_sf;
	struct mpdk_mptcp_subflow_info sf[XFER_MAX_SF];
	/* B's side at the end of the stream */
	struct mpdk_conn_info srv_ci;
	bool have_srv_ci;
	/* the chunk of the stream being queued */
	uint8_t chunk[65536];
	size_t chunk_len, chunk_pos;
};

struct demo {
	struct demo_opts o;
	struct mpdk_args args;          /* --pcap, --stats */
	struct mpdk_clock *clock;
	struct rte_mempool *pool;
	struct mpdk_stack *a, *b;
	struct mpdk_engine *ea, *eb;
	struct path paths[N_PATHS];
	uint64_t t_start;
	struct xfer x;
};

struct phase {
	const char *name;
	/* Run the phase; returns false when it cannot go on (a later phase
	 * would be meaningless). */
	bool (*run)(struct demo *d);
	/* Print the phase's part of the report; returns the phase's verdict
	 * and writes a one-line reason when it fails. */
	bool (*report)(struct demo *d, char *why, size_t why_len);
	/* Optional: true when the options leave the phase out. */
	bool (*skip)(const struct demo *d);
	/* What the phase showed, for the PASS line. */
	const char *passed;
};

static uint64_t now_ns(const struct demo *d)
{
	return mpdk_clock_now_ns(d->clock);
}

static void poll_both(struct demo *d)
{
	mpdk_engine_poll(d->ea);
	mpdk_engine_poll(d->eb);
}

/* Poll both stacks for @ns, or until @done returns true. */
static void poll_for(struct demo *d, uint64_t ns, bool (*done)(struct demo *))
{
	uint64_t end = now_ns(d) + ns;
	while (now_ns(d) < end) {
		poll_both(d);
		if (done && done(d))
			return;
	}
}

static const char *ip_str(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* Lower case, as ip(8) and tshark print MACs. */
static void format_mac(char *buf, size_t len, const struct rte_ether_addr *m)
{
	const uint8_t *b = m->addr_bytes;
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

/* Ping replies reach A through this callback. */
static void on_ping_reply(void *arg, const struct mpdk_ping_reply *r)
{
	struct demo *d = arg;
	for (unsigned k = 0; k < N_PATHS; k++) {
		struct path *p = &d->paths[k];
		if (r->from != p->ip_b)
			continue;
		if (r->id != p->num) /* phase 1's resolving pings use id 100 + num */
			return;
		if (r->seq >= d->o.count || r->len != d->o.size) {
			p->unexpected++;
			return;
		}
		if (p->seen[r->seq]) {
			p->duplicates++;
			return;
		}
		/* The demo times pings itself, from just before mpdk_ping() to
		 * this callback, both fresh clock readings: never less than the
		 * links' round trip. (r->rtt_ns is measured by the engine from
		 * the start of its poll iteration.) */
		uint64_t rtt = now_ns(d) - p->sent_at[r->seq];
		p->seen[r->seq] = 1;
		p->received++;
		p->rtt_sum += rtt;
		if (p->received == 1 || rtt < p->rtt_min)
			p->rtt_min = rtt;
		if (rtt > p->rtt_max)
			p->rtt_max = rtt;
		return;
	}
}

/* ---- phase 1: ARP ------------------------------------------------------ */

static bool arp_all_resolved(struct demo *d)
{
	bool all = true;
	for (unsigned k = 0; k < N_PATHS; k++) {
		struct path *p = &d->paths[k];
		if (p->arp_ns == 0 && arp_lookup(d->ea, (uint16_t)k, p->ip_b, &p->mac_b))
			p->arp_ns = now_ns(d) - d->t_start;
		if (!p->b_knows_a) {
			struct rte_ether_addr m;
			p->b_knows_a = arp_lookup(d->eb, (uint16_t)k, p->ip_a, &m);
		}
		all = all && p->arp_ns != 0 && p->b_knows_a;
	}
	return all;
}

static bool phase_arp_run(struct demo *d)
{
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	printf("\n[phase 1] ARP: A resolves B's address on each path\n");
	d->t_start = now_ns(d);
	/* A ping to B is what makes A ask; the ARP module retries on its own. */
	for (unsigned k = 0; k < N_PATHS; k++)
		mpdk_ping(d->ea, d->paths[k].ip_b, (uint16_t)(100 + d->paths[k].num), 0,
			  (uint16_t)d->o.size);
	poll_for(d, 5 * SEC_NS, arp_all_resolved);
	arp_all_resolved(d);
	bool ok = true;
	for (unsigned k = 0; k < N_PATHS; k++) {
		struct path *p = &d->paths[k];
		if (p->arp_ns) {
			format_mac(mac, sizeof(mac), &p->mac_b);
			printf("  path %u: %s is at %s (resolved in %.1f ms)%s\n", p->num,
			       ip_str(p->ip_b, ip), mac, ms(p->arp_ns),
			       p->b_knows_a ? ", and B learned A's MAC" : "");
		} else {
			printf("  path %u: %s did not resolve\n", p->num, ip_str(p->ip_b, ip));
			ok = false;
		}
	}
	/* Let the resolving pings' replies land before counting. */
	poll_for(d, 200 * MSEC_NS, NULL);
	return ok;
}

static bool phase_arp_report(struct demo *d, char *why, size_t why_len)
{
	uint64_t a_req = 0, a_rep = 0, b_req = 0, b_rep = 0, a_ann = 0, b_ann = 0;

	mpdk_stat_get(d->a, "arp_requests_sent", &a_req);
	mpdk_stat_get(d->a, "arp_replies_rx", &a_rep);
	mpdk_stat_get(d->a, "arp_announcements_sent", &a_ann);
	mpdk_stat_get(d->b, "arp_requests_rx", &b_req);
	mpdk_stat_get(d->b, "arp_replies_sent", &b_rep);
	mpdk_stat_get(d->b, "arp_announcements_sent", &b_ann);
	printf("  ARP: A sent %" PRIu64 " request(s) and got %" PRIu64 " reply(ies); B answered %"
	       PRIu64 " of %" PRIu64 " request(s)\n", a_req, a_rep, b_rep, b_req);
	printf("       gratuitous announcements at start-up: A %" PRIu64 ", B %" PRIu64 "\n",
	       a_ann, b_ann);
	for (unsigned k = 0; k < N_PATHS; k++) {
		const struct path *p = &d->paths[k];
		if (p->arp_ns == 0 || !p->b_knows_a) {
			snprintf(why, why_len, "ARP did not resolve on path %u", p->num);
			return false;
		}
	}
	return true;
}

/* ---- phase 2: ping ----------------------------------------------------- */

static bool all_replied(struct demo *d)
{
	for (unsigned k = 0; k < N_PATHS; k++)
		if (d->paths[k].received + d->paths[k].send_errors < d->paths[k].sent)
			return false;
	return true;
}

static bool phase_ping_run(struct demo *d)
{
	const uint64_t interval = d->o.interval_ms * MSEC_NS;
	uint64_t max_delay = 0;

	printf("\n[phase 2] ping: A pings B on both paths, %lu pings each, every %lu ms, "
	       "%lu bytes\n", d->o.count, d->o.interval_ms, d->o.size);
	for (unsigned k = 0; k < N_PATHS; k++)
		if (d->paths[k].dir.delay_ns > max_delay)
			max_delay = d->paths[k].dir.delay_ns;

	uint64_t t0 = now_ns(d), next_report = t0 + SEC_NS;
	unsigned i = 0;
	while (i < d->o.count) {
		if (now_ns(d) >= t0 + i * interval) {
			for (unsigned k = 0; k < N_PATHS; k++) {
				struct path *p = &d->paths[k];
				p->sent_at[i] = now_ns(d);
				int rc = mpdk_ping(d->ea, p->ip_b, (uint16_t)p->num, (uint16_t)i,
						   (uint16_t)d->o.size);
				p->sent++;
				if (rc < 0)
					p->send_errors++;
			}
			i++;
		}
		poll_both(d);
		if (!d->o.quiet && now_ns(d) >= next_report) {
			printf("  %4.1f s:", (double)(now_ns(d) - t0) / 1e9);
			for (unsigned k = 0; k < N_PATHS; k++)
				printf("  path %u %u/%u replies", d->paths[k].num,
				       d->paths[k].received, d->paths[k].sent);
			printf("\n");
			fflush(stdout);
			next_report += SEC_NS;
		}
	}
	/* Drain: the last replies need a round trip (plus some slack). */
	poll_for(d, 4 * max_delay + 500 * MSEC_NS, all_replied);
	poll_for(d, 2 * max_delay + 10 * MSEC_NS, NULL); /* late duplicates */
	/* the frames of phases 1 and 2 (phase 3 sends more on the same links) */
	for (unsigned k = 0; k < N_PATHS; k++)
		for (int dir = 0; dir < 2; dir++)
			mpdk_simlink_stats(d->paths[k].a, dir == 0, &d->paths[k].frames[dir]);
	return true;
}

/* Pings lost that the configured loss explains: mean + 4 sigma (+1 when
 * any loss is configured), for a round trip through two lossy directions. */
static unsigned loss_bound(const struct path *p)
{
	double l = p->dir.loss, q = 1.0 - (1.0 - l) * (1.0 - l);
	double n = p->sent;
	if (q <= 0.0)
		return 0;
	return (unsigned)(n * q + 4.0 * sqrt(n * q * (1.0 - q)) + 1.0);
}

static bool phase_ping_report(struct demo *d, char *why, size_t why_len)
{
	char cell[N_PATHS][48];
	bool ok = true;

	printf("  %-34s", "");
	for (unsigned k = 0; k < N_PATHS; k++)
		printf("  %-22s", k == 0 ? "path 1" : "path 2");
	printf("\n");
#define ROW(label, ...) do { \
		printf("  %-34s", label); \
		for (unsigned k = 0; k < N_PATHS; k++) { \
			const struct path *p = &d->paths[k]; \
			(void)p; \
			snprintf(cell[k], sizeof(cell[k]), __VA_ARGS__); \
			printf("  %-22s", cell[k]); \
		} \
		printf("\n"); \
	} while (0)
	ROW("pings sent / replies", "%u / %u", p->sent, p->received);
	ROW("ping loss", "%.1f%%", p->sent ? 100.0 * (p->sent - p->received) / p->sent : 0.0);
	ROW("RTT min / avg / max (ms)", "%.2f / %.2f / %.2f", ms(p->rtt_min),
	    p->received ? ms(p->rtt_sum / p->received) : 0.0, ms(p->rtt_max));
	ROW("expected RTT (2 x delay, ms)", "%.2f", ms(2 * p->dir.delay_ns));
	for (int dir = 0; dir < 2; dir++) {
		const struct mpdk_simlink_stats *st[N_PATHS];
		for (unsigned k = 0; k < N_PATHS; k++)
			st[k] = &d->paths[k].frames[dir];
		printf("  %-34s", dir == 0 ? "frames A->B sent/delivered/lost" :
					     "frames B->A sent/delivered/lost");
		for (unsigned k = 0; k < N_PATHS; k++) {
			snprintf(cell[k], sizeof(cell[k]), "%" PRIu64 " / %" PRIu64 " / %" PRIu64,
				 st[k]->sent, st[k]->delivered, st[k]->lost + st[k]->overflow + st[k]->down_drops);
			printf("  %-22s", cell[k]);
		}
		printf("\n");
	}
#undef ROW

	for (unsigned k = 0; k < N_PATHS && ok; k++) {
		const struct path *p = &d->paths[k];
		unsigned lost = p->sent - p->received;
		if (p->send_errors) {
			snprintf(why, why_len, "path %u: %u ping(s) could not be sent", p->num, p->send_errors);
			ok = false;
		} else if (p->received == 0) {
			snprintf(why, why_len, "path %u: no ping came back", p->num);
			ok = false;
		} else if (p->duplicates || p->unexpected) {
			snprintf(why, why_len, "path %u: %u duplicate and %u unexpected replies",
				 p->num, p->duplicates, p->unexpected);
			ok = false;
		} else if (lost > loss_bound(p)) {
			snprintf(why, why_len, "path %u: %u of %u pings lost, more than the "
				 "configured %.1f%% loss explains (at most %u)",
				 p->num, lost, p->sent, 100.0 * p->dir.loss, loss_bound(p));
			ok = false;
		} else if (p->rtt_min < 2 * p->dir.delay_ns) {
			snprintf(why, why_len, "path %u: RTT %.2f ms is below the emulated %.2f ms",
				 p->num, ms(p->rtt_min), ms(2 * p->dir.delay_ns));
			ok = false;
		}
	}
	return ok;
}

/* ---- phase 3: MPTCP transfer -------------------------------------------- */

/* The data A sends: byte p of the stream is byte (p mod 8) of
 * splitmix64(key + p / 8), with the key derived from --seed. B regenerates
 * it from the offset and compares every byte. */
static inline uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void xfer_fill(uint64_t key, uint64_t off, uint8_t *buf, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint64_t p = off + i, w = splitmix(key + (p >> 3));
		for (unsigned b = (unsigned)(p & 7); b < 8 && i < len; b++, i++)
			buf[i] = (uint8_t)(w >> (8 * b));
	}
}

static uint64_t xfer_key(const struct demo *d)
{
	return splitmix(0x6d70646bull ^ ((uint64_t)d->o.seed << 32));
}

/* A: queue as much of the stream as the send buffer takes, then SHUT_WR. */
static void xfer_send_more(struct demo *d)
{
	struct xfer *x = &d->x;
	while (x->sent < x->total) {
		if (x->chunk_pos == x->chunk_len) {
			uint64_t left = x->total - x->sent;
			x->chunk_len = left < sizeof(x->chunk) ? (size_t)left : sizeof(x->chunk);
			x->chunk_pos = 0;
			xfer_fill(xfer_key(d), x->sent, x->chunk, x->chunk_len);
		}
		ssize_t k = mpdk_send(x->cli, x->chunk + x->chunk_pos, x->chunk_len - x->chunk_pos);
		if (k <= 0) {
			if (k != -EAGAIN && k != -ENOBUFS && x->send_err == 0)
				x->send_err = (int)k;
			return;
		}
		x->chunk_pos += (size_t)k;
		x->sent += (uint64_t)k;
	}
	if (!x->shut) {
		x->shut = true;
		int rc = mpdk_shutdown(x->cli, MPDK_SHUT_WR);
		if (rc < 0 && x->send_err == 0)
			x->send_err = rc;
	}
}

/* A's view of the connection, kept for the report: the connection and its
 * subflows are gone once it is closed. */
static void xfer_snapshot(struct demo *d)
{
	struct xfer *x = &d->x;
	struct mpdk_conn_info ci;
	struct mpdk_mptcp_subflow_info sf[XFER_MAX_SF];

	if (x->cli == MPDK_CONN_INVALID || mpdk_conn_info(x->cli, &ci) < 0)
		return;
	int n = mpdk_mptcp_subflows(x->cli, sf, XFER_MAX_SF);
	if (n < 0)
		return;
	x->ci = ci;
	x->have_ci = true;
	x->n_sf = n < XFER_MAX_SF ? n : XFER_MAX_SF;
	memcpy(x->sf, sf, sizeof(sf[0]) * (size_t)x->n_sf);
	if (ci.mptcp_subflows > x->max_subflows)
		x->max_subflows = ci.mptcp_subflows;
}

static void xfer_cli_connected(void *arg, mpdk_conn_t c)
{
	struct demo *d = arg;
	(void)c;
	d->x.connected = true;
	d->x.t_conn = now_ns(d);
	xfer_send_more(d);
}

static void xfer_cli_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
	xfer_send_more(arg);
}

static void xfer_cli_readable(void *arg, mpdk_conn_t c)
{
	struct demo *d = arg;
	uint8_t buf[2048];
	/* B sends nothing; drain whatever comes (its FIN). */
	while (mpdk_recv(c, buf, sizeof(buf)) > 0)
		d->x.unexpected_rx = true;
}

static void xfer_cli_closed(void *arg, mpdk_conn_t c, int err)
{
	struct demo *d = arg;
	(void)c;
	xfer_snapshot(d);
	d->x.cli_closed = true;
	d->x.cli_err = err;
	d->x.t_cli_closed = now_ns(d);
	d->x.cli = MPDK_CONN_INVALID;
}

static void xfer_check(struct demo *d, const uint8_t *data, size_t n)
{
	struct xfer *x = &d->x;
	uint8_t exp[4096];
	size_t done = 0;
	while (done < n) {
		size_t k = n - done < sizeof(exp) ? n - done : sizeof(exp);
		xfer_fill(xfer_key(d), x->rcvd + done, exp, k);
		if (memcmp(exp, data + done, k) != 0) {
			for (size_t i = 0; i < k; i++)
				if (exp[i] != data[done + i]) {
					if (x->bad_bytes == 0)
						x->first_bad = x->rcvd + done + i;
					x->bad_bytes++;
				}
		}
		done += k;
	}
	x->rcvd += n;
}

static void xfer_srv_readable(void *arg, mpdk_conn_t c)
{
	struct demo *d = arg;
	struct xfer *x = &d->x;
	for (;;) {
		struct rte_mbuf *m;
		ssize_t n = mpdk_recv_mbuf(c, &m);
		if (n > 0) {
			for (struct rte_mbuf *s = m; s != NULL; s = s->next)
				xfer_check(d, rte_pktmbuf_mtod(s, const uint8_t *), s->data_len);
			rte_pktmbuf_free(m);
			continue;
		}
		if (n == 0 && !x->eof) {
			x->eof = true;
			x->t_eof = now_ns(d);
		}
		break;
	}
	if (x->eof && !x->srv_close_called) {
		/* B's side of the report, before its connection goes */
		struct mpdk_conn_info ci;
		if (mpdk_conn_info(c, &ci) == 0) {
			x->srv_ci = ci;
			x->have_srv_ci = true;
		}
		xfer_snapshot(d);
		x->srv_close_called = true;
		mpdk_close(c);
		x->srv = MPDK_CONN_INVALID;
	}
}

static void xfer_srv_closed(void *arg, mpdk_conn_t c, int err)
{
	struct demo *d = arg;
	(void)c;
	d->x.srv_closed = true;
	d->x.srv_err = err;
	d->x.srv = MPDK_CONN_INVALID;
}

static void xfer_accept_ready(void *arg, mpdk_conn_t l)
{
	struct demo *d = arg;
	mpdk_conn_t c;
	while (mpdk_accept(l, &c) == 0) {
		if (d->x.srv != MPDK_CONN_INVALID || d->x.srv_close_called) {
			mpdk_abort(c); /* only one connection is expected */
			continue;
		}
		d->x.srv = c;
		d->x.accepted = true;
		xfer_srv_readable(d, c); /* data may have come with the handshake */
	}
}

static const struct mpdk_tcp_handler xfer_cli_handler = {
	.connected = xfer_cli_connected,
	.readable = xfer_cli_readable,
	.writable = xfer_cli_writable,
	.closed = xfer_cli_closed,
};

static const struct mpdk_tcp_handler xfer_srv_handler = {
	.accept_ready = xfer_accept_ready,
	.readable = xfer_srv_readable,
	.closed = xfer_srv_closed,
};

static bool xfer_done(struct demo *d)
{
	const struct xfer *x = &d->x;
	if (x->cli_closed && x->cli_err != 0)
		return true;
	if (x->srv_closed && x->srv_err != 0)
		return true;
	return x->eof && x->srv_close_called && x->cli_closed;
}

static double mbit_s(uint64_t bytes, uint64_t ns)
{
	return ns ? (double)bytes * 8.0 * 1e3 / (double)ns : 0.0;
}

static bool phase_xfer_skip(const struct demo *d)
{
	return d->o.no_transfer;
}

static bool phase_xfer_run(struct demo *d)
{
	struct xfer *x = &d->x;
	char ip1[INET_ADDRSTRLEN], ip2[INET_ADDRSTRLEN];
	int rc;

	x->total = d->o.bytes;
	printf("\n[phase 3] MPTCP transfer: A sends %.1f MB of seeded pseudo-random data to B\n"
	       "  A connects to %s:%u (path 1); B signals %s (ADD_ADDR) and A joins it\n"
	       "  over path 2; B checks every byte\n",
	       (double)x->total / 1e6, ip_str(d->paths[0].ip_b, ip1), XFER_PORT,
	       ip_str(d->paths[1].ip_b, ip2));
	fflush(stdout);
	rc = mpdk_listen(d->eb, 0, htons(XFER_PORT), 4, &xfer_srv_handler, d, &x->lst);
	if (rc < 0) {
		snprintf(x->setup_err, sizeof(x->setup_err), "B cannot listen: %s", mpdk_strerror(rc));
		printf("  %s\n", x->setup_err);
		return true;
	}
	x->t0 = now_ns(d);
	rc = mpdk_connect(d->ea, d->paths[0].ip_b, htons(XFER_PORT), 0, 0, &xfer_cli_handler, d,
			  &x->cli);
	if (rc < 0) {
		snprintf(x->setup_err, sizeof(x->setup_err), "A cannot connect: %s", mpdk_strerror(rc));
		printf("  %s\n", x->setup_err);
		mpdk_close(x->lst);
		return true;
	}
	/* Generous: 10 s plus the data at 10 Mbit/s. */
	uint64_t limit = x->t0 + 10 * SEC_NS + x->total * 8 * 100;
	uint64_t next_report = x->t0 + SEC_NS, next_snap = x->t0;
	while (!xfer_done(d)) {
		uint64_t t = now_ns(d);
		if (t >= limit) {
			x->timed_out = true;
			break;
		}
		poll_both(d);
		if (t >= next_snap) {
			xfer_snapshot(d);
			next_snap = t + 20 * MSEC_NS;
		}
		if (!d->o.quiet && t >= next_report) {
			uint64_t p1 = 0, p2 = 0;
			for (int i = 0; i < x->n_sf; i++) {
				if (x->sf[i].local_addr == d->paths[0].ip_a)
					p1 += x->sf[i].bytes_out;
				else if (x->sf[i].local_addr == d->paths[1].ip_a)
					p2 += x->sf[i].bytes_out;
			}
			printf("  %4.1f s: B received %5.1f MB (%.1f Mbit/s so far); %d subflow(s); "
			       "acked on path 1 %.1f MB, path 2 %.1f MB\n",
			       (double)(t - x->t0) / 1e9, (double)x->rcvd / 1e6,
			       mbit_s(x->rcvd, t - x->t0), x->ci.mptcp_subflows,
			       (double)p1 / 1e6, (double)p2 / 1e6);
			fflush(stdout);
			next_report += SEC_NS;
		}
	}
	if (x->cli != MPDK_CONN_INVALID) {
		xfer_snapshot(d);
		mpdk_abort(x->cli);
		x->cli = MPDK_CONN_INVALID;
	}
	if (x->srv != MPDK_CONN_INVALID) {
		mpdk_abort(x->srv);
		x->srv = MPDK_CONN_INVALID;
	}
	mpdk_close(x->lst);
	return true;
}

static const char *sf_path(const struct demo *d, const struct mpdk_mptcp_subflow_info *s)
{
	if (s->local_addr == d->paths[0].ip_a && s->remote_addr == d->paths[0].ip_b)
		return "path 1";
	if (s->local_addr == d->paths[1].ip_a && s->remote_addr == d->paths[1].ip_b)
		return "path 2";
	return "other";
}

/* Why a lossy path carries little next to a clean one (docs/scheduler.md,
 * "A lossy path"): coupled congestion control (LIA, RFC 6356, the
 * default) moves traffic off the path that loses packets; the numbers are
 * the path's expected rates from its configured delay and loss. Printed
 * when both paths carried data and exactly one of them is lossy. */
static void xfer_explain_share(const struct demo *d)
{
	const struct xfer *x = &d->x;
	int lossy = -1, used = 0;

	for (unsigned k = 0; k < N_PATHS; k++)
		if (d->paths[k].dir.loss > 0)
			lossy = lossy < 0 ? (int)k : N_PATHS;
	for (int i = 0; i < x->n_sf; i++)
		if (x->sf[i].bytes_out > 0)
			used++;
	if (lossy < 0 || lossy >= N_PATHS || used < 2)
		return;
	const struct path *p = &d->paths[lossy], *o = &d->paths[lossy == 0 ? 1 : 0];
	double rtt = 2.0 * (double)p->dir.delay_ns / 1e9, mss_bits = 1448.0 * 8;
	if (rtt <= 0)
		return;
	double floor2 = 2 * mss_bits / rtt, mathis = mss_bits / rtt * 1.22 / sqrt(p->dir.loss);
	if (p->dir.rate_bps && mathis > (double)p->dir.rate_bps)
		mathis = (double)p->dir.rate_bps;
	printf("    why path %u carries little: the subflows' windows are coupled (LIA, RFC 6356),\n"
	       "      which moves traffic off a path that loses packets. Path %u loses none, so\n"
	       "      path %u's window stays near LIA's floor of 2 segments per round trip\n"
	       "      (%.1f Mbit/s at its %.0f ms RTT); TCP alone on path %u would get about\n"
	       "      %.1f Mbit/s (Mathis: MSS/RTT x 1.22/sqrt(%g%%)). Coupled MPTCP aims at\n"
	       "      what the best single path gives, not the sum (docs/scheduler.md).\n",
	       p->num, o->num, p->num, floor2 / 1e6, rtt * 1e3, p->num, mathis / 1e6,
	       100.0 * p->dir.loss);
}

static bool phase_xfer_report(struct demo *d, char *why, size_t why_len)
{
	const struct xfer *x = &d->x;
	char ip1[INET_ADDRSTRLEN], ip2[INET_ADDRSTRLEN];

	printf("  MPTCP transfer A -> B, %" PRIu64 " bytes:\n", x->total);
	if (x->setup_err[0]) {
		snprintf(why, why_len, "%s", x->setup_err);
		return false;
	}
	const struct mpdk_conn_info *ci = &x->ci;
	if (!x->have_ci)
		printf("    connection: never established\n");
	else if (ci->mptcp)
		printf("    connection: MPTCP established (MP_CAPABLE), %d subflow(s) at most, "
		       "DSS checksum %s\n", x->max_subflows, ci->mptcp_checksum ? "on" : "off");
	else
		printf("    connection: plain TCP (%s)\n",
		       ci->mptcp_fallback ? "MPTCP fell back to TCP" : "MPTCP not negotiated");
	if (x->n_sf > 0) {
		uint64_t sum = 0;
		for (int i = 0; i < x->n_sf; i++)
			sum += x->sf[i].bytes_out;
		printf("    %-8s %-29s %12s %7s %9s %8s\n", "subflow", "A -> B", "bytes acked",
		       "share", "RTT (ms)", "retrans");
		for (int i = 0; i < x->n_sf; i++) {
			const struct mpdk_mptcp_subflow_info *s = &x->sf[i];
			char ends[64];
			snprintf(ends, sizeof(ends), "%s -> %s", ip_str(s->local_addr, ip1),
				 ip_str(s->remote_addr, ip2));
			printf("    %-8s %-29s %12" PRIu64 " %6.1f%% %9.2f %8" PRIu64 "%s\n",
			       sf_path(d, s), ends, s->bytes_out,
			       sum ? 100.0 * (double)s->bytes_out / (double)sum : 0.0,
			       (double)s->srtt_us / 1e3, s->retransmits,
			       s->initial ? "  (initial)" : s->backup ? "  (backup)" : "");
		}
		xfer_explain_share(d);
	}
	printf("    frames A->B (data) sent / lost:");
	for (unsigned k = 0; k < N_PATHS; k++) {
		struct mpdk_simlink_stats st;
		const struct mpdk_simlink_stats *b = &d->paths[k].frames[0];
		mpdk_simlink_stats(d->paths[k].a, true, &st);
		printf("%s path %u %" PRIu64 " / %" PRIu64, k ? ";" : "", d->paths[k].num,
		       st.sent - b->sent,
		       (st.lost + st.overflow + st.down_drops) - (b->lost + b->overflow + b->down_drops));
	}
	printf("\n");
	uint64_t reinj = 0, data_rtx = 0;
	mpdk_stat_get(d->a, "mptcp_reinject_bytes", &reinj);
	mpdk_stat_get(d->a, "mptcp_data_rtx", &data_rtx);
	if (x->have_ci)
		printf("    retransmitted segments: %" PRIu64 " in all; data-level: %" PRIu64
		       " bytes reinjected, %" PRIu64 " retransmission timeout(s)\n",
		       ci->retransmits, reinj, data_rtx);
	uint64_t t_end = x->eof ? x->t_eof : now_ns(d);
	if (x->eof)
		printf("    time: %.2f s from connect to B reading the end of the stream "
		       "(handshake %.1f ms); goodput %.1f Mbit/s\n",
		       (double)(t_end - x->t0) / 1e9,
		       x->connected ? ms(x->t_conn - x->t0) : 0.0, mbit_s(x->rcvd, t_end - x->t0));
	bool identical = x->eof && x->rcvd == x->total && x->bad_bytes == 0;
	if (identical)
		printf("    data: B received all %" PRIu64 " bytes, identical to what A sent "
		       "(every byte checked)\n", x->rcvd);
	else if (x->bad_bytes)
		printf("    data: %" PRIu64 " byte(s) differ, the first at offset %" PRIu64 "\n",
		       x->bad_bytes, x->first_bad);
	else
		printf("    data: B received %" PRIu64 " of %" PRIu64 " bytes%s\n", x->rcvd, x->total,
		       x->eof ? ", then the end of the stream" : "");
	printf("    close: A %s, B %s\n",
	       x->cli_closed ? (x->cli_err ? mpdk_strerror(x->cli_err) : "closed cleanly") : "not closed",
	       x->srv_close_called ? "closed after the end of the stream" :
	       x->srv_closed ? mpdk_strerror(x->srv_err) : "not closed");

	if (!x->have_ci) {
		snprintf(why, why_len, "the connection was never established");
		return false;
	}
	if (x->bad_bytes) {
		snprintf(why, why_len, "%" PRIu64 " byte(s) arrived different from what A sent",
			 x->bad_bytes);
		return false;
	}
	if (x->send_err) {
		snprintf(why, why_len, "A could not send: %s", mpdk_strerror(x->send_err));
		return false;
	}
	if (x->timed_out && !x->eof) {
		snprintf(why, why_len, "timed out with %" PRIu64 " of %" PRIu64 " bytes received",
			 x->rcvd, x->total);
		return false;
	}
	if (x->cli_err || (x->srv_closed && x->srv_err)) {
		snprintf(why, why_len, "the connection failed: %s",
			 mpdk_strerror(x->cli_err ? x->cli_err : x->srv_err));
		return false;
	}
	if (!identical) {
		snprintf(why, why_len, "B received %" PRIu64 " of %" PRIu64 " bytes", x->rcvd, x->total);
		return false;
	}
	if (x->timed_out || !x->cli_closed) {
		snprintf(why, why_len, "the data arrived but the connection did not close");
		return false;
	}
	if (!ci->mptcp) {
		snprintf(why, why_len, "the data arrived, but over plain TCP, not MPTCP");
		return false;
	}
	/* The join needs B's ADD_ADDR (a path 1 round trip) and an MP_JOIN
	 * handshake on path 2: a transfer much longer than that must have
	 * used the second path; a tiny one may end before. */
	uint64_t join_ns = 0;
	for (unsigned k = 0; k < N_PATHS; k++)
		join_ns += 4 * d->paths[k].dir.delay_ns;
	if (x->max_subflows < N_PATHS) {
		if (x->t_eof - x->t0 > SEC_NS + 2 * join_ns) {
			snprintf(why, why_len, "the data arrived, but the second path never joined");
			return false;
		}
		printf("    (the transfer ended before the second path could join)\n");
	}
	if (x->unexpected_rx) {
		snprintf(why, why_len, "A received data it did not expect");
		return false;
	}
	return true;
}

static const struct phase phases[] = {
	{ "ARP", phase_arp_run, phase_arp_report, NULL, "ARP resolved" },
	{ "ping", phase_ping_run, phase_ping_report, NULL,
	  "pings crossed both paths with the configured delay and loss" },
	{ "MPTCP transfer", phase_xfer_run, phase_xfer_report, phase_xfer_skip,
	  "the MPTCP transfer arrived intact" },
};
#define N_PHASES (sizeof(phases) / sizeof(phases[0]))

/* ---- options ----------------------------------------------------------- */

enum {
	KEY_COUNT = 1, KEY_INTERVAL, KEY_SIZE, KEY_SEED, KEY_QUIET, KEY_BYTES, KEY_NO_XFER,
	KEY_DELAY = 100, KEY_LOSS = 110, KEY_RATE = 120,  /* + path index */
	KEY_ADDR, KEY_GW,
};

static int parse_num(const char *s, double min, double max, double *out)
{
	char *end;
	if (s == NULL || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -EINVAL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_whole(const char *s, double min, double max, unsigned long *out)
{
	double v;
	if (parse_num(s, min, max, &v) < 0 || v != floor(v) || strchr(s, '.'))
		return -EINVAL;
	*out = (unsigned long)v;
	return 0;
}

static int demo_handle(void *ctx, int key, const char *arg)
{
	struct demo *d = ctx;
	double v;

	switch (key) {
	case KEY_COUNT:
		return parse_whole(arg, 1, MAX_COUNT, &d->o.count);
	case KEY_INTERVAL:
		return parse_whole(arg, 1, 60000, &d->o.interval_ms);
	case KEY_SIZE:
		return parse_whole(arg, 16, 1472, &d->o.size);
	case KEY_SEED:
		return parse_whole(arg, 0, 4294967295.0, &d->o.seed);
	case KEY_QUIET:
		d->o.quiet = true;
		return 0;
	case KEY_BYTES:
		return parse_whole(arg, 1, 1e11, &d->o.bytes);
	case KEY_NO_XFER:
		d->o.no_transfer = true;
		return 0;
	}
	if (key >= KEY_DELAY && key < KEY_DELAY + N_PATHS) {
		if (parse_num(arg, 0, 10000, &v) < 0)
			return -EINVAL;
		d->paths[key - KEY_DELAY].dir.delay_ns = (uint64_t)(v * 1e6);
		return 0;
	}
	if (key >= KEY_LOSS && key < KEY_LOSS + N_PATHS) {
		if (parse_num(arg, 0, 100, &v) < 0)
			return -EINVAL;
		d->paths[key - KEY_LOSS].dir.loss = v / 100.0;
		return 0;
	}
	if (key >= KEY_RATE && key < KEY_RATE + N_PATHS) {
		if (parse_num(arg, 0, 1e6, &v) < 0)
			return -EINVAL;
		d->paths[key - KEY_RATE].dir.rate_bps = (uint64_t)(v * 1e6);
		return 0;
	}
	return -EINVAL;
}

static const struct mpdk_app_option demo_options[] = {
	{ "count", 'c', true, KEY_COUNT, "N", "pings per path (default 50)" },
	{ "interval", 'i', true, KEY_INTERVAL, "MS", "time between pings (default 100)" },
	{ "size", 's', true, KEY_SIZE, "BYTES", "ICMP payload bytes, 16..1472 (default 56)" },
	{ "seed", 0, true, KEY_SEED, "N", "random seed of the links' loss and of the data (default 1)" },
	{ "bytes", 'b', true, KEY_BYTES, "N", "bytes A sends to B over MPTCP in phase 3 (default 20000000)" },
	{ "no-transfer", 0, false, KEY_NO_XFER, NULL, "skip phase 3, the MPTCP transfer" },
	{ "delay1", 0, true, KEY_DELAY + 0, "MS", "path 1 one-way delay (default 10)" },
	{ "loss1", 0, true, KEY_LOSS + 0, "PCT", "path 1 loss per direction, percent (default 1)" },
	{ "rate1", 0, true, KEY_RATE + 0, "MBIT", "path 1 rate in Mbit/s, 0 = unlimited (default 100)" },
	{ "delay2", 0, true, KEY_DELAY + 1, "MS", "path 2 one-way delay (default 30)" },
	{ "loss2", 0, true, KEY_LOSS + 1, "PCT", "path 2 loss per direction, percent (default 0)" },
	{ "rate2", 0, true, KEY_RATE + 1, "MBIT", "path 2 rate in Mbit/s, 0 = unlimited (default 50)" },
	{ "quiet", 'q', false, KEY_QUIET, NULL, "no progress lines" },
	{ 0 },
};

/* ---- set-up ------------------------------------------------------------ */

static void path_defaults(struct demo *d)
{
	static const struct { double delay_ms, loss_pct, rate_mbit; } def[N_PATHS] = {
		{ 10, 1, 100 },
		{ 30, 0, 50 },
	};
	for (unsigned k = 0; k < N_PATHS; k++) {
		struct path *p = &d->paths[k];
		p->num = k + 1;
		p->dir.delay_ns = (uint64_t)(def[k].delay_ms * 1e6);
		p->dir.loss = def[k].loss_pct / 100.0;
		p->dir.rate_bps = (uint64_t)(def[k].rate_mbit * 1e6);
		/* 10.<k+1>.0.1 is A, 10.<k+1>.0.2 is B */
		p->ip_a = htonl(0x0a000001u | (k + 1) << 16);
		p->ip_b = htonl(0x0a000002u | (k + 1) << 16);
	}
}

static int build(struct demo *d)
{
	char ip1[INET_ADDRSTRLEN], ip2[INET_ADDRSTRLEN];
	int rc;

	d->clock = mpdk_clock_create_tsc();
	d->pool = rte_pktmbuf_pool_create("demo_mbufs", 16383, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (d->clock == NULL || d->pool == NULL) {
		fprintf(stderr, "mpdk-demo: cannot create the clock or the mbuf pool: %s\n",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	/* TCP: buffers for both paths' bandwidth-delay products plus the
	 * reordering between them. MPTCP (on by default): B signals its path 2
	 * address (ADD_ADDR), A joins it with MP_JOIN, like Linux's
	 * `ip mptcp endpoint add 10.2.0.2 signal` on the server. */
	static struct mpdk_tcp_conf ta, tb;
	mpdk_tcp_conf_defaults(&ta);
	mpdk_tcp_conf_defaults(&tb);
	ta.sndbuf = ta.rcvbuf = tb.sndbuf = tb.rcvbuf = XFER_BUF;
	tb.mptcp.n_endpoints = 1;
	tb.mptcp.endpoints[0] = (struct mpdk_mptcp_endpoint){ .addr = d->paths[1].ip_b,
							       .flags = MPDK_MPTCP_EP_SIGNAL };
	struct mpdk_stack_conf ca = { .name = "A", .clock = d->clock, .pool = d->pool,
				      .on_ping_reply = on_ping_reply, .ping_arg = d,
				      .pcap_path = d->args.conf.pcap_path, .tcp = &ta };
	struct mpdk_stack_conf cb = { .name = "B", .clock = d->clock, .pool = d->pool, .tcp = &tb };
	for (unsigned k = 0; k < N_PATHS; k++) {
		struct path *p = &d->paths[k];
		char name[32];
		snprintf(name, sizeof(name), "path%u", p->num);
		struct mpdk_simlink_conf lc = {
			.a_to_b = p->dir, .b_to_a = p->dir,
			.seed = d->o.seed * 1000003u + p->num,
			.clock = d->clock, .pool = d->pool, .name = name,
		};
		rc = mpdk_simlink_create(&lc, &p->a, &p->b);
		if (rc < 0) {
			fprintf(stderr, "mpdk-demo: cannot create simlink %s: %s\n", name, mpdk_strerror(rc));
			return rc;
		}
		p->seen = calloc(d->o.count, 1);
		p->sent_at = calloc(d->o.count, sizeof(uint64_t));
		if (p->seen == NULL || p->sent_at == NULL)
			return -ENOMEM;
		ca.ports[k] = p->a;
		cb.ports[k] = p->b;
		ca.addrs[k] = (struct mpdk_addr_conf){ (uint16_t)k, p->ip_a, 24 };
		cb.addrs[k] = (struct mpdk_addr_conf){ (uint16_t)k, p->ip_b, 24 };
	}
	ca.n_ports = cb.n_ports = ca.n_addrs = cb.n_addrs = N_PATHS;
	rc = mpdk_stack_create(&ca, &d->a);
	if (rc == 0)
		rc = mpdk_stack_create(&cb, &d->b);
	if (rc < 0) {
		fprintf(stderr, "mpdk-demo: cannot create the stacks: %s\n", mpdk_strerror(rc));
		return rc;
	}
	d->ea = mpdk_stack_engine(d->a, 0);
	d->eb = mpdk_stack_engine(d->b, 0);

	printf("mpdk-demo: two mpdk stacks, A and B, in one process, joined by two emulated\n"
	       "links (simlink) on a real-time clock; seed %lu\n", d->o.seed);
	for (unsigned k = 0; k < N_PATHS; k++) {
		const struct path *p = &d->paths[k];
		char rate[32];
		if (p->dir.rate_bps)
			snprintf(rate, sizeof(rate), "%g Mbit/s", (double)p->dir.rate_bps / 1e6);
		else
			snprintf(rate, sizeof(rate), "unlimited");
		printf("  path %u: A %-10s <-> B %-10s  one-way delay %g ms, loss %g%%, rate %s\n",
		       p->num, ip_str(p->ip_a, ip1), ip_str(p->ip_b, ip2),
		       ms(p->dir.delay_ns), 100.0 * p->dir.loss, rate);
	}
	if (d->args.conf.pcap_path)
		printf("  writing A's frames (both paths) to %s\n", d->args.conf.pcap_path);
	fflush(stdout);

	/* Both stacks announced their addresses (gratuitous ARP) when they
	 * were created; let those cross first, so that phase 1 shows a plain
	 * request and reply. Nobody has asked for them yet, so they are not
	 * learned (RFC 826 merges only entries it already has). */
	uint64_t max_delay = 0;
	for (unsigned k = 0; k < N_PATHS; k++)
		if (d->paths[k].dir.delay_ns > max_delay)
			max_delay = d->paths[k].dir.delay_ns;
	poll_for(d, max_delay + 20 * MSEC_NS, NULL);
	return 0;
}

static void teardown(struct demo *d)
{
	mpdk_stack_free(d->a);
	mpdk_stack_free(d->b);
	for (unsigned k = 0; k < N_PATHS; k++) {
		if (d->paths[k].a)
			mpdk_port_close(d->paths[k].a);
		if (d->paths[k].b)
			mpdk_port_close(d->paths[k].b);
		free(d->paths[k].seen);
		free(d->paths[k].sent_at);
	}
	if (d->pool)
		rte_mempool_free(d->pool);
	mpdk_clock_free(d->clock);
}

/* The EAL leaves its runtime files (config, fbarrays) behind; a prefix
 * unique to one run would pile them up in /var/run/dpdk. */
static void remove_runtime_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	if (dp == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		unlinkat(dirfd(dp), de->d_name, 0);
	}
	closedir(dp);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	static struct demo demo;
	struct demo *d = &demo;
	d->o = (struct demo_opts){ .count = 50, .interval_ms = 100, .size = 56, .seed = 1,
				   .bytes = 20000000 };
	path_defaults(d);
	const struct mpdk_app_desc desc = {
		.name = "mpdk-demo",
		.summary =
			"Two mpdk stacks, A and B, in one process, joined by two emulated links:\n"
			"path 1 (10 ms one-way, 1% loss, 100 Mbit/s) and path 2 (30 ms, 0%,\n"
			"50 Mbit/s). A resolves B with ARP, pings it over both paths, then sends\n"
			"it --bytes of data over one MPTCP connection that uses both paths; the\n"
			"report shows loss and round-trip times per path, the subflows' share,\n"
			"goodput and whether the data arrived intact, and ends with PASS or FAIL\n"
			"(exit status 0 or 1). Runs in about 10 s with the defaults.\n"
			"--pcap FILE records stack A's frames; --stats prints both stacks'\n"
			"counters. --addr and --gw do not apply (the addresses are built in).\n"
			"Without EAL options the EAL runs without hugepages or PCI on lcore 0.",
		.opts = demo_options,
		.handle = demo_handle,
		.ctx = d,
	};

	/* Split at "--" like every mpdk app; the demo brings its own EAL
	 * defaults since it needs no NIC. */
	int dd = -1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dd = i;
			break;
		}
	char **opt_argv = calloc((size_t)argc + 1, sizeof(char *));
	if (opt_argv == NULL)
		return 1;
	int opt_argc = 1;
	opt_argv[0] = argv[0];
	for (int i = dd < 0 ? 1 : dd + 1; i < argc; i++)
		opt_argv[opt_argc++] = argv[i];
	int rc = mpdk_args_parse(opt_argc, opt_argv, &desc, &d->args);
	free(opt_argv);
	if (rc < 0)
		return 2;
	if (d->args.help)
		return 0;
	if (d->args.conf.n_addrs || d->args.conf.gateway) {
		fprintf(stderr, "mpdk-demo: --addr and --gw do not apply: the demo's addresses are "
				"built in (see --help)\n");
		return 2;
	}

	char prefix[64];
	snprintf(prefix, sizeof(prefix), "mpdk-demo-%d", (int)getpid());
	char *def_eal[] = { argv[0], "--no-huge", "--no-pci", "-m", "512", "--file-prefix", prefix,
			    "-l", "0", "--log-level", "lib.eal:warning", "--no-telemetry", NULL };
	rc = dd > 1 ? mpdk_eal_init(dd, argv)
		    : mpdk_eal_init((int)(sizeof(def_eal) / sizeof(def_eal[0])) - 1, def_eal);
	if (rc < 0)
		return 1;

	bool pass = true;
	char why[256] = "";
	rc = build(d);
	if (rc == 0) {
		unsigned ran = 0;
		bool skipped[N_PHASES] = { false };
		for (unsigned i = 0; i < N_PHASES; i++) {
			ran++;
			if (phases[i].skip && phases[i].skip(d)) {
				skipped[i] = true;
				continue;
			}
			if (!phases[i].run(d))
				break;
		}
		printf("\nReport\n");
		for (unsigned i = 0; i < ran; i++) {
			char w[256] = "";
			if (skipped[i])
				continue;
			bool ok = phases[i].report(d, w, sizeof(w));
			if (!ok && pass) {
				pass = false;
				snprintf(why, sizeof(why), "%s: %s", phases[i].name, w);
			}
		}
		if (ran < N_PHASES && pass) {
			pass = false;
			snprintf(why, sizeof(why), "stopped after phase %s", phases[ran - 1].name);
		}
		/* Two mpdk stacks must understand every option the other wrote;
		 * a malformed one between them is a bug (it once caught options
		 * read from a freed mbuf). */
		uint64_t bad_a = 0, bad_b = 0;
		mpdk_stat_get(d->a, "mptcp_opt_bad", &bad_a);
		mpdk_stat_get(d->b, "mptcp_opt_bad", &bad_b);
		if ((bad_a || bad_b) && pass) {
			pass = false;
			snprintf(why, sizeof(why), "malformed MPTCP options between the stacks "
				 "(A %" PRIu64 ", B %" PRIu64 ")", bad_a, bad_b);
		}
		if (d->args.stats) {
			printf("\nCounters of stack A:\n");
			mpdk_stats_print(d->a, stdout, false);
			printf("\nCounters of stack B:\n");
			mpdk_stats_print(d->b, stdout, false);
		}
		if (pass) {
			printf("\nPASS: ");
			unsigned shown = 0, n_shown = 0;
			for (unsigned i = 0; i < ran; i++)
				n_shown += !skipped[i];
			for (unsigned i = 0; i < ran; i++) {
				if (skipped[i])
					continue;
				shown++;
				printf("%s%s", shown == 1 ? "" : shown < n_shown ? ", " :
				       n_shown > 2 ? ", and " : " and ",
				       phases[i].passed);
			}
			printf("\n");
		} else
			printf("\nFAIL: %s\n", why);
	} else {
		pass = false;
	}
	fflush(stdout);
	teardown(d);
	char rundir[PATH_MAX];
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (dd <= 1)
		remove_runtime_dir(rundir); /* ours: the prefix was unique to this run */
	return pass ? 0 : 1;
}
