/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MPTCP for mpdk-perf (mpdk_mptcp.h): the stack's settings from --tcp,
 * --endpoint and --scheduler, each connection's state (MPTCP, fallback to
 * TCP, plain TCP) and the per-subflow breakdown of the reports: bytes,
 * share of the connection's bytes, smoothed RTT and retransmits.
 *
 * The app's handle is the connection whatever runs underneath; only this
 * file looks at subflows.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "perf.h"

int perf_mptcp_tcp_conf(const struct perf_opts *o, const struct mpdk_stack_conf *sc,
			struct mpdk_tcp_conf *tc, char *why, size_t why_len)
{
	struct mpdk_mptcp_conf *m = &tc->mptcp;

	mpdk_tcp_conf_defaults(tc);
	if (o->tcp) {
		m->disabled = true;
		return 0;
	}
	if (o->scheduler != NULL)
		m->scheduler = o->scheduler;
	if (o->n_endpoints > 0) {
		for (unsigned i = 0; i < o->n_endpoints; i++) {
			bool ours = false;
			for (uint16_t k = 0; k < sc->n_addrs; k++)
				ours |= sc->addrs[k].addr == o->endpoints[i].addr;
			if (!ours) {
				char a[INET_ADDRSTRLEN];
				inet_ntop(AF_INET, &o->endpoints[i].addr, a, sizeof(a));
				snprintf(why, why_len, "--endpoint %s is not one of the addresses given with --addr", a);
				return -EINVAL;
			}
			m->endpoints[i].addr = o->endpoints[i].addr;
			m->endpoints[i].flags = (uint8_t)o->endpoints[i].flags;
			m->endpoints[i].id = 0;
		}
		m->n_endpoints = (uint8_t)o->n_endpoints;
		return 0;
	}
	/* By default every --addr is an endpoint: the client opens a subflow
	 * from each (but the first subflow's), the server announces each. */
	for (uint16_t k = 0; k < sc->n_addrs && m->n_endpoints < MPDK_MPTCP_MAX_ENDPOINTS; k++) {
		struct mpdk_mptcp_endpoint *ep = &m->endpoints[m->n_endpoints++];
		ep->addr = sc->addrs[k].addr;
		ep->flags = o->server ? MPDK_MPTCP_EP_SIGNAL : MPDK_MPTCP_EP_SUBFLOW;
		ep->id = 0;
	}
	return 0;
}

void perf_mptcp_app_keys(struct perf_stream *s)
{
	const struct perf_opts *o = s->t->o;
	if (!o->have_keys || s->app_keys != 0 || !s->open)
		return;
	int rc = mpdk_mptcp_set_keys(s->c, o->key_a, o->key_b);
	if (rc == 0)
		s->app_keys = 1;
	else if (rc != -ENOTCONN)   /* -ENOTCONN: handshake unfinished, again later */
		s->app_keys = rc;
}

void perf_mptcp_snapshot(struct perf_stream *s)
{
	perf_mptcp_app_keys(s);
	int n = mpdk_mptcp_subflows(s->c, s->sf_now.sf, PERF_MAX_SUBFLOWS);
	if (n >= 0)
		s->sf_now.n = n < PERF_MAX_SUBFLOWS ? (unsigned)n : PERF_MAX_SUBFLOWS;
}

void perf_mptcp_interval_done(struct perf_stream *s)
{
	s->sf_iv = s->sf_now;
}

static bool is_mptcp(const struct perf_stream *s)
{
	return s->have_info && s->info.mptcp;
}

const char *perf_mptcp_state(const struct perf_test *t, const struct perf_stream *s)
{
	if (is_mptcp(s))
		return "active";
	if (s->have_info && s->info.mptcp_fallback)
		return "fallback";
	if (t->o->tcp)
		return "off";
	return "tcp";
}

void perf_mptcp_describe(const struct perf_test *t, const struct perf_stream *s, char *buf,
			 size_t len)
{
	if (is_mptcp(s)) {
		unsigned n = s->info.mptcp_subflows;
		snprintf(buf, len, "MPTCP, %u subflow%s%s", n, n == 1 ? "" : "s",
			 s->info.mptcp_checksum ? ", DSS checksums" : "");
	} else if (s->have_info && s->info.mptcp_fallback) {
		snprintf(buf, len, "TCP: fell back from MPTCP (the peer did not take MP_CAPABLE)");
	} else if (t->o->tcp) {
		snprintf(buf, len, "TCP (--tcp)");
	} else {
		snprintf(buf, len, "TCP: the peer did not offer MPTCP");
	}
}

/* Bytes of subflow @sf as this side counts them: acknowledged when we
 * send, received in order when we receive. */
static uint64_t sf_bytes(const struct perf_stream *s, const struct mpdk_mptcp_subflow_info *sf)
{
	return s->sender ? sf->bytes_out : sf->bytes_in;
}

static const struct mpdk_mptcp_subflow_info *sf_find(const struct perf_sf_snap *snap,
						     const struct mpdk_mptcp_subflow_info *sf)
{
	for (unsigned i = 0; snap != NULL && i < snap->n; i++) {
		const struct mpdk_mptcp_subflow_info *o = &snap->sf[i];
		if (o->local_addr == sf->local_addr && o->local_port == sf->local_port &&
		    o->remote_addr == sf->remote_addr && o->remote_port == sf->remote_port)
			return o;
	}
	return NULL;
}

struct sf_row {
	const struct mpdk_mptcp_subflow_info *sf;
	uint64_t bytes, retrans;
	double share;
};

/* Per-subflow numbers since the interval's start (or the connection's). */
static unsigned sf_rows(const struct perf_stream *s, bool interval, struct sf_row *rows)
{
	uint64_t total = 0;
	const struct perf_sf_snap *base = interval ? &s->sf_iv : NULL;
	for (unsigned i = 0; i < s->sf_now.n; i++) {
		const struct mpdk_mptcp_subflow_info *sf = &s->sf_now.sf[i];
		const struct mpdk_mptcp_subflow_info *b = sf_find(base, sf);
		rows[i].sf = sf;
		rows[i].bytes = sf_bytes(s, sf) - (b ? sf_bytes(s, b) : 0);
		rows[i].retrans = sf->retransmits - (b ? b->retransmits : 0);
		total += rows[i].bytes;
	}
	for (unsigned i = 0; i < s->sf_now.n; i++)
		rows[i].share = total ? 100.0 * (double)rows[i].bytes / (double)total : 0;
	return s->sf_now.n;
}

void perf_mptcp_print_subflows(const struct perf_test *t, const struct perf_stream *s,
			       bool interval)
{
	struct sf_row rows[PERF_MAX_SUBFLOWS];
	(void)t;
	if (!is_mptcp(s))
		return;
	unsigned n = sf_rows(s, interval, rows);
	for (unsigned i = 0; i < n; i++) {
		const struct mpdk_mptcp_subflow_info *sf = rows[i].sf;
		char la[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN], b[32], ep[64];
		inet_ntop(AF_INET, &sf->local_addr, la, sizeof(la));
		inet_ntop(AF_INET, &sf->remote_addr, ra, sizeof(ra));
		snprintf(ep, sizeof(ep), "%s:%u > %s:%u", la, ntohs(sf->local_port), ra,
			 ntohs(sf->remote_port));
		fmt_bytes(b, sizeof(b), (double)rows[i].bytes);
		printf("[%3d]   subflow %-43s %11s %5.1f%%  rtt %7.2f ms  retr %4" PRIu64 "%s%s%s\n",
		       s->id, ep, b, rows[i].share, sf->srtt_us / 1000.0, rows[i].retrans,
		       sf->initial ? "  initial" : "", sf->backup ? "  backup" : "",
		       sf->closed ? "  closed" : "");
	}
}

void perf_mptcp_json(const struct perf_test *t, const struct perf_stream *s, struct json *obj,
		     bool interval)
{
	struct sf_row rows[PERF_MAX_SUBFLOWS];
	json_add_string(obj, "mptcp", perf_mptcp_state(t, s));
	if (!is_mptcp(s))
		return;
	struct json *arr = json_add_array(obj, "subflows");
	unsigned n = sf_rows(s, interval, rows);
	for (unsigned i = 0; i < n; i++) {
		const struct mpdk_mptcp_subflow_info *sf = rows[i].sf;
		char la[INET_ADDRSTRLEN], ra[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &sf->local_addr, la, sizeof(la));
		inet_ntop(AF_INET, &sf->remote_addr, ra, sizeof(ra));
		struct json *o = json_push(arr, json_new(JSON_OBJECT));
		json_add_string(o, "local_host", la);
		json_add_int(o, "local_port", ntohs(sf->local_port));
		json_add_string(o, "remote_host", ra);
		json_add_int(o, "remote_port", ntohs(sf->remote_port));
		json_add_int(o, "bytes", (int64_t)rows[i].bytes);
		json_add_double(o, "share", rows[i].share);
		json_add_int(o, "rtt", sf->srtt_us);
		json_add_int(o, "retransmits", (int64_t)rows[i].retrans);
		json_add_int(o, "snd_cwnd", sf->cwnd);
		json_add_bool(o, "initial", sf->initial);
		json_add_bool(o, "backup", sf->backup);
		json_add_bool(o, "closed", sf->closed);
	}
}
