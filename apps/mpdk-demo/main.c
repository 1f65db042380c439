/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpdk-demo: the README's main job on an embedded default. Two mpdk stacks,
 * A and B, live in this process and are joined by two emulated links
 * (simlinks) with different delay, loss and rate, on a real-time (TSC)
 * clock. The demo runs in phases:
 *
 *   1. ARP:  A resolves B's address on each path (and B learns A's).
 *   2. ping: A pings B on both paths at a fixed interval.
 *
 * then prints a report and a PASS/FAIL verdict (exit status 0/1). A phase is
 * a run function and a report function over struct demo, so the TCP/MPTCP
 * transfer joins the list in phases[] once those layers exist.
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
};

struct demo_opts {
	unsigned long count, interval_ms, size;
	unsigned long seed;
	bool quiet;
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
};

struct phase {
	const char *name;
	/* Run the phase; returns false when it cannot go on (a later phase
	 * would be meaningless). */
	bool (*run)(struct demo *d);
	/* Print the phase's part of the report; returns the phase's verdict
	 * and writes a one-line reason when it fails. */
	bool (*report)(struct demo *d, char *why, size_t why_len);
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
		struct mpdk_simlink_stats st[N_PATHS];
		for (unsigned k = 0; k < N_PATHS; k++)
			mpdk_simlink_stats(d->paths[k].a, dir == 0, &st[k]);
		printf("  %-34s", dir == 0 ? "frames A->B sent/delivered/lost" :
					     "frames B->A sent/delivered/lost");
		for (unsigned k = 0; k < N_PATHS; k++) {
			snprintf(cell[k], sizeof(cell[k]), "%" PRIu64 " / %" PRIu64 " / %" PRIu64,
				 st[k].sent, st[k].delivered, st[k].lost + st[k].overflow + st[k].down_drops);
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

static const struct phase phases[] = {
	{ "ARP", phase_arp_run, phase_arp_report },
	{ "ping", phase_ping_run, phase_ping_report },
	/* next: { "TCP/MPTCP transfer", phase_transfer_run, phase_transfer_report }, */
};
#define N_PHASES (sizeof(phases) / sizeof(phases[0]))

/* ---- options ----------------------------------------------------------- */

enum {
	KEY_COUNT = 1, KEY_INTERVAL, KEY_SIZE, KEY_SEED, KEY_QUIET,
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
	{ "seed", 0, true, KEY_SEED, "N", "random seed of the links' loss (default 1)" },
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
	struct mpdk_stack_conf ca = { .name = "A", .clock = d->clock, .pool = d->pool,
				      .on_ping_reply = on_ping_reply, .ping_arg = d,
				      .pcap_path = d->args.conf.pcap_path };
	struct mpdk_stack_conf cb = { .name = "B", .clock = d->clock, .pool = d->pool };
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
	d->o = (struct demo_opts){ .count = 50, .interval_ms = 100, .size = 56, .seed = 1 };
	path_defaults(d);
	const struct mpdk_app_desc desc = {
		.name = "mpdk-demo",
		.summary =
			"Two mpdk stacks, A and B, in one process, joined by two emulated links:\n"
			"path 1 (10 ms one-way, 1% loss, 100 Mbit/s) and path 2 (30 ms, 0%,\n"
			"50 Mbit/s). A resolves B with ARP and pings it over both paths; the\n"
			"report shows loss and round-trip times per path and ends with PASS or\n"
			"FAIL (exit status 0 or 1). Runs in about 6 s with the defaults.\n"
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
		for (unsigned i = 0; i < N_PHASES; i++) {
			ran++;
			if (!phases[i].run(d))
				break;
		}
		printf("\nReport\n");
		for (unsigned i = 0; i < ran; i++) {
			char w[256] = "";
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
		if (d->args.stats) {
			printf("\nCounters of stack A:\n");
			mpdk_stats_print(d->a, stdout, false);
			printf("\nCounters of stack B:\n");
			mpdk_stats_print(d->b, stdout, false);
		}
		if (pass)
			printf("\nPASS: ARP resolved and pings crossed both paths with the "
			       "configured delay and loss\n");
		else
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
