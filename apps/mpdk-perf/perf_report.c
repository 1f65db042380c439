/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reports: iperf3-style text on stdout, or with -J one JSON document per
 * test shaped like iperf3's (start / intervals / end, with sum_sent and
 * sum_received), printed when the test is over. mpdk's additions (MPTCP
 * state, subflows) are extra members that iperf3 readers ignore.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/utsname.h>
#include "perf.h"

#define SEPARATOR "- - - - - - - - - - - - - - - - - - - - - - - - -"

static bool text(const struct perf_test *t)
{
	return !t->o->json;
}

static const char *ip_str(uint32_t a, char *buf, size_t len)
{
	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
	return buf;
}

/* Three significant digits at most, like "941", "94.1", "9.41". */
static void fmt_scaled(char *buf, size_t len, double v, double base, const char *const units[],
		       unsigned n_units)
{
	unsigned u = 0;
	while (u + 1 < n_units && v >= base * 0.9995)
		v /= base, u++;
	if (v < 9.995)
		snprintf(buf, len, "%4.2f %s", v, units[u]);
	else if (v < 99.95)
		snprintf(buf, len, "%4.1f %s", v, units[u]);
	else
		snprintf(buf, len, "%4.0f %s", v, units[u]);
}

void fmt_bytes(char *buf, size_t len, double bytes)
{
	static const char *const u[] = { "Bytes", "KBytes", "MBytes", "GBytes", "TBytes" };
	fmt_scaled(buf, len, bytes, 1024.0, u, 5);
}

void fmt_bits(char *buf, size_t len, double bps)
{
	static const char *const u[] = { "bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec",
					 "Tbits/sec" };
	fmt_scaled(buf, len, bps, 1000.0, u, 5);
}

static void flush(void)
{
	fflush(stdout);
}

void report_note(struct perf_test *t, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (text(t)) {
		printf("%s\n", line);
		flush();
	} else {
		fprintf(stderr, "%s: %s\n", PERF_NAME, line);
	}
}

/* ------------------------------------------------------------------ start */

static void json_timestamp(struct json *o)
{
	char buf[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	struct json *ts = json_add_object(o, "timestamp");
	json_add_string(ts, "time", buf);
	json_add_int(ts, "timesecs", (int64_t)now);
}

void report_init(struct perf_test *t)
{
	if (!t->o->json)
		return;
	struct utsname un;
	char sys[512] = "";
	if (uname(&un) == 0)
		snprintf(sys, sizeof(sys), "%s %s %s %s %s", un.sysname, un.nodename, un.release,
			 un.version, un.machine);
	t->jtop = json_new(JSON_OBJECT);
	t->jstart = json_add_object(t->jtop, "start");
	t->jintervals = json_add_array(t->jtop, "intervals");
	t->jend = json_add_object(t->jtop, "end");
	json_add_array(t->jstart, "connected");
	json_add_string(t->jstart, "version", PERF_NAME " " MPDK_VERSION " (iperf3 protocol)");
	json_add_string(t->jstart, "system_info", sys);
	json_timestamp(t->jstart);
	/* mpdk's: what this side asked for (each connection says what it got) */
	struct json *m = json_add_object(t->jstart, "mptcp");
	json_add_bool(m, "available", true);
	json_add_bool(m, "requested", !t->o->tcp);
	if (!t->o->tcp) {
		json_add_string(m, "scheduler", t->o->scheduler ? t->o->scheduler : "default");
		struct json *eps = json_add_array(m, "endpoints");
		for (unsigned i = 0; i < t->o->n_endpoints; i++) {
			char a[INET_ADDRSTRLEN], fl[32] = "";
			unsigned f = t->o->endpoints[i].flags;
			snprintf(fl, sizeof(fl), "%s%s%s", f & PERF_EP_SUBFLOW ? "subflow," : "",
				 f & PERF_EP_SIGNAL ? "signal," : "", f & PERF_EP_BACKUP ? "backup," : "");
			if (fl[0])
				fl[strlen(fl) - 1] = '\0';
			struct json *e = json_push(eps, json_new(JSON_OBJECT));
			json_add_string(e, "address", ip_str(t->o->endpoints[i].addr, a, sizeof(a)));
			json_add_string(e, "flags", fl);
		}
	}
}

void report_server_listening(struct perf_ctx *ctx, unsigned test_no)
{
	if (ctx->o->json)
		return;
	printf("-----------------------------------------------------------\n");
	printf("Server listening on %u (test #%u)\n", ctx->o->port, test_no);
	printf("-----------------------------------------------------------\n");
	flush();
}

void report_connecting(struct perf_test *t)
{
	const struct perf_opts *o = t->o;
	if (t->jstart != NULL) {
		struct json *c = json_add_object(t->jstart, "connecting_to");
		json_add_string(c, "host", o->host);
		json_add_int(c, "port", o->port);
	}
	if (!text(t))
		return;
	printf("Connecting to host %s, port %u\n", o->host, o->port);
	if (o->reverse)
		printf("Reverse mode, remote host %s is sending\n", o->host);
	flush();
}

void report_accepted(struct perf_test *t)
{
	char ip[INET_ADDRSTRLEN];
	ip_str(t->ctrl_raddr, ip, sizeof(ip));
	if (t->jstart != NULL) {
		struct json *c = json_add_object(t->jstart, "accepted_connection");
		json_add_string(c, "host", ip);
		json_add_int(c, "port", t->ctrl_rport);
	}
	if (text(t)) {
		printf("Accepted connection from %s, port %u\n", ip, t->ctrl_rport);
		flush();
	}
}

static bool local_sends(const struct perf_test *t)
{
	return t->server ? t->reverse : !t->reverse;
}

/* The keying a stream's connection ended up with (docs/security.md):
 * "rfc8684", "ec-preferred secp224r1 ec-compressed", "rfc8684 (fell back
 * from ec-preferred)". Kept per stream for the end of the test, when the
 * connection may be gone. */
#define KEY_TEXT_STREAMS 128
static char key_text[KEY_TEXT_STREAMS][96];

/* Key mode app (--app-keys): whether the stream's keys were set. */
static const char *app_keys_text(const struct perf_stream *s)
{
	return s->app_keys > 0 ? "keys set (--app-keys)"
	       : !s->t->o->have_keys ? "no keys (no --app-keys): joins refused"
	       : s->app_keys == 0 ? "keys not set yet: joins refused"
				  : "keys refused by the stack";
}

static const char *key_describe(unsigned i, const struct perf_stream *s,
				struct mpdk_mptcp_key_info *ki)
{
	mpdk_conn_t c = s->c;
	if (i >= KEY_TEXT_STREAMS || !s->open)
		return NULL;
	if (mpdk_mptcp_key_info(c, ki) == 0) {
		const char *m = mpdk_key_mode_name(ki->mode);
		if (!ki->mptcp)
			snprintf(key_text[i], sizeof(key_text[i]), "none (plain TCP, %s configured)",
				 mpdk_key_mode_name(ki->conf_mode));
		else if (ki->ec)
			snprintf(key_text[i], sizeof(key_text[i]), "%s %s %s", m, ki->ec_curve_name,
				 mpdk_ec_variant_name(ki->ec_variant));
		else if (ki->fell_back)
			snprintf(key_text[i], sizeof(key_text[i]), "%s (fell back from %s%s)", m,
				 mpdk_key_mode_name(ki->conf_mode),
				 ki->peer_cached ? ", peer remembered" : "");
		else if (ki->mode == MPDK_KEY_APP)
			snprintf(key_text[i], sizeof(key_text[i]), "%s, %s", m, app_keys_text(s));
		else
			snprintf(key_text[i], sizeof(key_text[i]), "%s", m);
	}
	return key_text[i][0] ? key_text[i] : NULL;
}

void report_streams_connected(struct perf_test *t)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], mp[160];

	perf_stream_snapshot_all(t);
	for (unsigned i = 0; i < t->n_streams; i++) {
		struct perf_stream *s = &t->st[i];
		if (s->laddr == 0 && s->have_info) {
			s->laddr = s->info.local_addr;
			s->lport = ntohs(s->info.local_port);
		}
		ip_str(s->laddr, a, sizeof(a));
		ip_str(s->raddr, b, sizeof(b));
		if (text(t))
			printf("[%3d] local %s port %u connected to %s port %u\n", s->id, a, s->lport, b,
			       s->rport);
		struct mpdk_mptcp_key_info ki;
		if (i < KEY_TEXT_STREAMS)
			key_text[i][0] = '\0';
		bool have_ki = key_describe(i, s, &ki) != NULL;
		if (t->jstart != NULL) {
			struct json *c = json_push(json_get(t->jstart, "connected"), json_new(JSON_OBJECT));
			json_add_int(c, "socket", s->id);
			json_add_string(c, "local_host", a);
			json_add_int(c, "local_port", s->lport);
			json_add_string(c, "remote_host", b);
			json_add_int(c, "remote_port", s->rport);
			json_add_string(c, "mptcp", perf_mptcp_state(t, s));
			if (have_ki) {
				/* mpdk's: the keying this connection ended up with */
				json_add_string(c, "key_mode", mpdk_key_mode_name(ki.mode));
				json_add_string(c, "key_mode_configured", mpdk_key_mode_name(ki.conf_mode));
				json_add_string(c, "curve", ki.ec ? ki.ec_curve_name : "none");
				json_add_string(c, "ec_variant",
						ki.ec ? mpdk_ec_variant_name(ki.ec_variant) : "none");
				json_add_bool(c, "key_fell_back", ki.fell_back);
				if (ki.conf_mode == MPDK_KEY_APP)  /* --app-keys */
					json_add_bool(c, "app_keys_set", s->app_keys > 0);
			}
		}
	}
	if (text(t)) {
		for (unsigned i = 0; i < t->n_streams; i++) {
			perf_mptcp_describe(t, &t->st[i], mp, sizeof(mp));
			const char *k = i < KEY_TEXT_STREAMS && key_text[i][0] ? key_text[i] : NULL;
			printf("[%3d] %s%s%s\n", t->st[i].id, mp, k ? ", keys " : "", k ? k : "");
		}
		if (local_sends(t))
			printf("[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n");
		else
			printf("[ ID] Interval           Transfer     Bitrate\n");
		flush();
	}
	if (t->jstart != NULL) {
		json_add_string(t->jstart, "cookie", t->cookie);
		json_add_int(t->jstart, "tcp_mss_default", t->ctrl_mss);
		json_add_int(t->jstart, "target_bitrate", 0);
		json_add_int(t->jstart, "sock_bufsize", 0);
		json_add_int(t->jstart, "sndbuf_actual", t->ctx->sndbuf);
		json_add_int(t->jstart, "rcvbuf_actual", t->ctx->rcvbuf);
		struct json *ts = json_add_object(t->jstart, "test_start");
		json_add_string(ts, "protocol", "TCP");
		json_add_int(ts, "num_streams", t->n_streams);
		json_add_int(ts, "blksize", t->params.len ? t->params.len : IPERF_DEFAULT_BLKSIZE);
		json_add_int(ts, "omit", 0);
		json_add_int(ts, "duration", t->duration);
		json_add_int(ts, "bytes", (int64_t)t->bytes_limit);
		json_add_int(ts, "blocks", t->params.blockcount);
		json_add_int(ts, "reverse", t->reverse ? 1 : 0);
		json_add_int(ts, "tos", 0);
		json_add_int(ts, "target_bitrate", 0);
	}
}

/* ------------------------------------------------------------------ intervals */

static struct json *json_span(struct json *o, double start, double end, double secs, uint64_t bytes)
{
	json_add_double(o, "start", start);
	json_add_double(o, "end", end);
	json_add_double(o, "seconds", secs);
	json_add_int(o, "bytes", (int64_t)bytes);
	json_add_double(o, "bits_per_second", secs > 0 ? (double)bytes * 8 / secs : 0);
	return o;
}

static void text_line(const char *id, double start, double end, uint64_t bytes, double secs,
		      bool retr, uint64_t retrans, bool cwnd, uint32_t cwnd_bytes, const char *tail)
{
	char tb[32], bb[32], cb[32];
	fmt_bytes(tb, sizeof(tb), (double)bytes);
	fmt_bits(bb, sizeof(bb), secs > 0 ? (double)bytes * 8 / secs : 0);
	printf("[%s] %6.2f-%-6.2f sec  %11s  %14s", id, start, end, tb, bb);
	if (retr)
		printf("  %4" PRIu64, retrans);
	else if (tail[0] || cwnd)
		printf("      ");
	if (cwnd) {
		fmt_bytes(cb, sizeof(cb), cwnd_bytes);
		printf("  %11s", cb);
	}
	if (tail[0])
		printf("             %s", tail);
	printf("\n");
}

void report_interval(struct perf_test *t, uint64_t from_ns, uint64_t to_ns)
{
	double start = perf_secs(t, from_ns), end = perf_secs(t, to_ns);
	double secs = end - start;
	bool sending = local_sends(t);
	uint64_t sum_bytes = 0, sum_retr = 0;
	struct json *jiv = NULL, *jst = NULL;

	perf_stream_snapshot_all(t);
	if (t->jintervals != NULL) {
		jiv = json_push(t->jintervals, json_new(JSON_OBJECT));
		jst = json_add_array(jiv, "streams");
	}
	for (unsigned i = 0; i < t->n_streams; i++) {
		struct perf_stream *s = &t->st[i];
		uint64_t bytes = s->bytes - s->iv_bytes;
		uint64_t retr_now = s->have_info ? s->info.retransmits - s->retrans_base : 0;
		uint64_t retr = retr_now - s->iv_retrans;
		s->iv_bytes = s->bytes;
		s->iv_retrans = retr_now;
		sum_bytes += bytes;
		sum_retr += retr;
		if (text(t)) {
			char id[8];
			snprintf(id, sizeof(id), "%3d", s->id);
			text_line(id, start, end, bytes, secs, sending, retr, sending && s->have_info,
				  s->info.cwnd, "");
			perf_mptcp_print_subflows(t, s, true);
		}
		if (jst != NULL) {
			struct json *o = json_push(jst, json_new(JSON_OBJECT));
			json_add_int(o, "socket", s->id);
			json_span(o, start, end, secs, bytes);
			if (sending) {
				json_add_int(o, "retransmits", (int64_t)retr);
				json_add_int(o, "snd_cwnd", s->info.cwnd);
				json_add_int(o, "snd_wnd", s->info.snd_wnd);
				json_add_int(o, "rtt", s->info.srtt_us);
				json_add_int(o, "rttvar", s->info.rttvar_us);
				json_add_int(o, "pmtu", s->info.mss ? s->info.mss + 40 : 0);
			}
			json_add_bool(o, "omitted", false);
			json_add_bool(o, "sender", sending);
			perf_mptcp_json(t, s, o, true);
		}
	}
	for (unsigned i = 0; i < t->n_streams; i++)
		perf_mptcp_interval_done(&t->st[i]);
	if (text(t)) {
		if (t->n_streams > 1) {
			text_line("SUM", start, end, sum_bytes, secs, sending, sum_retr, false, 0, "");
			printf("%s\n", SEPARATOR);
		}
		flush();
	}
	if (jiv != NULL) {
		struct json *sum = json_span(json_add_object(jiv, "sum"), start, end, secs, sum_bytes);
		if (sending)
			json_add_int(sum, "retransmits", (int64_t)sum_retr);
		json_add_bool(sum, "omitted", false);
		json_add_bool(sum, "sender", sending);
	}
	t->n_intervals++;
}

/* ------------------------------------------------------------------ the end */

struct side {
	bool known;
	uint64_t bytes;
	double secs;
	bool has_retr;
	uint64_t retr;
};

static void stream_sides(const struct perf_test *t, const struct perf_stream *s, struct side *snd,
			 struct side *rcv)
{
	bool sending = local_sends(t);
	struct side local = {
		.known = true,
		.bytes = s->bytes,
		.secs = perf_secs(t, t->t_end_ns ? t->t_end_ns : perf_now_ns()),
		.has_retr = sending && s->have_info,
		.retr = s->have_info ? s->info.retransmits - s->retrans_base : 0,
	};
	struct side peer = { 0 };
	const struct iperf_stream_result *r = t->have_peer ? iperf_results_stream(&t->peer, s->id) : NULL;
	if (r != NULL) {
		peer.known = true;
		peer.bytes = r->bytes > 0 ? (uint64_t)r->bytes : 0;
		peer.secs = r->has_times ? r->end_time - r->start_time : local.secs;
		peer.has_retr = !sending && t->peer.sender_has_retransmits == 1 && r->retransmits >= 0;
		peer.retr = r->retransmits > 0 ? (uint64_t)r->retransmits : 0;
	}
	*snd = sending ? local : peer;
	*rcv = sending ? peer : local;
}

static struct json *json_side(struct json *parent, const char *key, int id, const struct side *sd,
			      bool sending_flag, const struct perf_stream *s, bool with_tcp)
{
	struct json *o = json_add_object(parent, key);
	json_add_int(o, "socket", id);
	json_span(o, 0, sd->secs, sd->secs, sd->bytes);
	if (sd->has_retr)
		json_add_int(o, "retransmits", (int64_t)sd->retr);
	if (with_tcp && s != NULL) {
		json_add_int(o, "max_snd_cwnd", s->max_cwnd);
		json_add_int(o, "max_snd_wnd", s->info.snd_wnd);
		json_add_int(o, "max_rtt", s->max_rtt);
		json_add_int(o, "min_rtt", s->min_rtt == UINT32_MAX ? 0 : s->min_rtt);
		json_add_int(o, "mean_rtt", s->n_rtt ? (int64_t)(s->sum_rtt / s->n_rtt) : 0);
	}
	json_add_bool(o, "sender", sending_flag);
	return o;
}

void report_end(struct perf_test *t)
{
	bool sending = local_sends(t);
	struct side sum_s = { .known = true }, sum_r = { .known = true };
	bool any_peer = false;

	if (t->reported)
		return;
	t->reported = true;
	if (t->t0_ns == 0)
		return;   /* never started: nothing to report */
	perf_stream_snapshot_all(t);
	if (text(t)) {
		/* with several streams each interval ends with the separator */
		if (t->n_streams == 1 || t->n_intervals == 0)
			printf("%s\n", SEPARATOR);
		printf("[ ID] Interval           Transfer     Bitrate         Retr\n");
	}
	struct json *jst = t->jend ? json_add_array(t->jend, "streams") : NULL;
	for (unsigned i = 0; i < t->n_streams; i++) {
		const struct perf_stream *s = &t->st[i];
		struct side snd, rcv;
		stream_sides(t, s, &snd, &rcv);
		char id[8];
		snprintf(id, sizeof(id), "%3d", s->id);
		if (snd.known) {
			sum_s.bytes += snd.bytes;
			if (snd.secs > sum_s.secs)
				sum_s.secs = snd.secs;
			sum_s.has_retr |= snd.has_retr;
			sum_s.retr += snd.retr;
		} else {
			sum_s.known = false;
		}
		if (rcv.known) {
			sum_r.bytes += rcv.bytes;
			if (rcv.secs > sum_r.secs)
				sum_r.secs = rcv.secs;
		} else {
			sum_r.known = false;
		}
		any_peer |= sending ? rcv.known : snd.known;
		if (text(t)) {
			if (snd.known)
				text_line(id, 0, snd.secs, snd.bytes, snd.secs, snd.has_retr, snd.retr, false,
					  0, "sender");
			if (rcv.known)
				text_line(id, 0, rcv.secs, rcv.bytes, rcv.secs, false, 0, false, 0,
					  "receiver");
		}
		if (jst != NULL) {
			struct json *o = json_push(jst, json_new(JSON_OBJECT));
			if (snd.known)
				json_side(o, "sender", s->id, &snd, sending, s, sending);
			if (rcv.known)
				json_side(o, "receiver", s->id, &rcv, sending, s, false);
			perf_mptcp_json(t, s, o, false);
			if (t->o->app_mode) {  /* mpdk's: --key-mode app, --app-keys */
				json_add_string(o, "key_mode_configured", "app");
				json_add_bool(o, "app_keys_set", s->app_keys > 0);
			}
		}
	}
	if (text(t)) {
		if (t->n_streams > 1) {
			if (sum_s.known)
				text_line("SUM", 0, sum_s.secs, sum_s.bytes, sum_s.secs, sum_s.has_retr,
					  sum_s.retr, false, 0, "sender");
			if (sum_r.known)
				text_line("SUM", 0, sum_r.secs, sum_r.bytes, sum_r.secs, false, 0, false, 0,
					  "receiver");
		}
		for (unsigned i = 0; i < t->n_streams; i++) {
			char mp[160];
			struct mpdk_mptcp_key_info ki;
			key_describe(i, &t->st[i], &ki);  /* now: --app-keys may be set since */
			perf_mptcp_describe(t, &t->st[i], mp, sizeof(mp));
			const char *k = i < KEY_TEXT_STREAMS && key_text[i][0] ? key_text[i] : NULL;
			printf("[%3d] %s%s%s\n", t->st[i].id, mp, k ? ", keys " : "", k ? k : "");
			perf_mptcp_print_subflows(t, &t->st[i], false);
		}
		printf("CPU Utilization: local/%s %.1f%% (%.1f%%u/%.1f%%s)", sending ? "sender" : "receiver",
		       t->cpu[0], t->cpu[1], t->cpu[2]);
		if (t->have_peer)
			printf(", remote/%s %.1f%% (%.1f%%u/%.1f%%s)", sending ? "receiver" : "sender",
			       t->peer.cpu_total, t->peer.cpu_user, t->peer.cpu_system);
		printf("\n");
		if (t->have_peer && t->peer.server_output_text != NULL && !t->server)
			printf("\nServer output:\n%s", t->peer.server_output_text);
		flush();
	}
	if (t->jend != NULL) {
		if (sum_s.known) {
			struct json *o = json_span(json_add_object(t->jend, "sum_sent"), 0, sum_s.secs,
						   sum_s.secs, sum_s.bytes);
			if (sum_s.has_retr)
				json_add_int(o, "retransmits", (int64_t)sum_s.retr);
			json_add_bool(o, "sender", sending);
		}
		if (sum_r.known) {
			struct json *o = json_span(json_add_object(t->jend, "sum_received"), 0,
						   sum_r.secs, sum_r.secs, sum_r.bytes);
			json_add_bool(o, "sender", sending);
		}
		struct json *cpu = json_add_object(t->jend, "cpu_utilization_percent");
		json_add_double(cpu, "host_total", t->cpu[0]);
		json_add_double(cpu, "host_user", t->cpu[1]);
		json_add_double(cpu, "host_system", t->cpu[2]);
		json_add_double(cpu, "remote_total", t->have_peer ? t->peer.cpu_total : 0);
		json_add_double(cpu, "remote_user", t->have_peer ? t->peer.cpu_user : 0);
		json_add_double(cpu, "remote_system", t->have_peer ? t->peer.cpu_system : 0);
		const char *mine = t->n_streams && t->st[0].have_info && t->st[0].info.cc ? t->st[0].info.cc : NULL;
		const char *theirs = t->have_peer && t->peer.congestion_used[0] ? t->peer.congestion_used : NULL;
		const char *snd_cc = sending ? mine : theirs, *rcv_cc = sending ? theirs : mine;
		if (snd_cc)
			json_add_string(t->jend, "sender_tcp_congestion", snd_cc);
		if (rcv_cc)
			json_add_string(t->jend, "receiver_tcp_congestion", rcv_cc);
	}
	(void)any_peer;
}

void report_finish(struct perf_test *t)
{
	if (!t->ok && t->err[0] != '\0')
		fprintf(stderr, "%s: error - %s\n", PERF_NAME, t->err);
	if (t->jtop == NULL)
		return;
	if (!t->ok)
		json_add_string(t->jtop, "error", t->err[0] ? t->err : "the test did not finish");
	char *s = json_print(t->jtop, 2, NULL);
	if (s != NULL) {
		printf("%s\n", s);
		free(s);
	}
	flush();
}
