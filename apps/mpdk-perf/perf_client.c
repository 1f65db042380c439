/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client (-c HOST): connect the control connection and send the
 * cookie; answer PARAM_EXCHANGE with our parameters and CREATE_STREAMS by
 * opening the streams (each starts with the cookie); move data from
 * TEST_RUNNING until -t or -n is reached, then send TEST_END; exchange
 * results; on DISPLAY_RESULTS print the summary and send IPERF_DONE.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_random.h>
#include "perf.h"

static void client_ctrl_process(struct perf_test *t);

static void client_create_streams(struct perf_test *t)
{
	const struct perf_opts *o = t->o;
	for (unsigned i = 0; i < t->n_streams && !t->done; i++) {
		struct perf_stream *s = &t->st[i];
		int rc = mpdk_connect(t->ctx->e, o->host_addr, htons((uint16_t)o->port), 0, 0,
				      &perf_stream_handler, s, &s->c);
		if (rc < 0) {
			perf_test_fail(t, "stream %d: cannot connect to %s port %u: %s", s->id, o->host,
				       o->port, mpdk_strerror(rc));
			return;
		}
		perf_stream_opened(s);
		t->n_created++;
		/* queued until the handshake completes; the buffer is empty */
		ssize_t n = mpdk_send(s->c, t->cookie, IPERF_COOKIE_SIZE);
		if (n != IPERF_COOKIE_SIZE) {
			perf_test_fail(t, "stream %d: cannot queue the cookie: %s", s->id,
				       n < 0 ? mpdk_strerror((int)n) : "short send");
			return;
		}
	}
}

static bool all_acked(const struct perf_test *t)
{
	for (unsigned i = 0; i < t->n_streams; i++) {
		struct mpdk_conn_info ci;
		if (t->st[i].open && mpdk_conn_info(t->st[i].c, &ci) == 0 && ci.snd_queued > 0)
			return false;
	}
	return true;
}

/* -t or -n reached: stop, report the last interval, send TEST_END. */
static void client_end_test(struct perf_test *t, uint64_t now)
{
	perf_test_stop_running(t, now);
	double iv = t->o->interval;
	double last = (double)(now - t->iv_start_ns) / 1e9;
	if (iv > 0 && (last >= 0.1 * iv || t->n_intervals == 0))
		report_interval(t, t->iv_start_ns, now);
	if (perf_ctrl_send_state(t, IPERF_TEST_END) == 0)
		perf_set_deadline(t, "EXCHANGE_RESULTS from the server");
}

static void client_on_state(struct perf_test *t, int state)
{
	uint64_t now = perf_now_ns();
	size_t len;
	char *text;

	switch (state) {
	case IPERF_PARAM_EXCHANGE:
		t->state = state;
		text = iperf_params_encode(&t->params, &len);
		if (text == NULL) {
			perf_test_fail(t, "out of memory");
			return;
		}
		perf_ctrl_send_json(t, text, len);
		free(text);
		perf_set_deadline(t, "CREATE_STREAMS from the server");
		return;
	case IPERF_CREATE_STREAMS:
		t->state = state;
		client_create_streams(t);
		perf_set_deadline(t, "TEST_START from the server");
		return;
	case IPERF_TEST_START:
		t->state = state;
		report_streams_connected(t);
		perf_set_deadline(t, "TEST_RUNNING from the server");
		return;
	case IPERF_TEST_RUNNING:
		t->state = state;
		perf_set_deadline(t, NULL);
		perf_test_start_running(t, now);
		return;
	case IPERF_EXCHANGE_RESULTS:
		t->state = state;
		if (t->running)
			client_end_test(t, now);
		/* what is still arriving no longer counts */
		for (unsigned i = 0; i < t->n_streams; i++)
			if (t->st[i].open && !t->st[i].sender)
				perf_stream_pump_recv(&t->st[i]);
		t->counting = false;
		text = perf_results_encode(t, &len);
		if (text == NULL) {
			perf_test_fail(t, "out of memory");
			return;
		}
		perf_ctrl_send_json(t, text, len);
		free(text);
		t->expect = IPERF_EXPECT_JSON;
		perf_set_deadline(t, "the server's results");
		return;
	case IPERF_DISPLAY_RESULTS:
		t->state = state;
		perf_set_deadline(t, NULL);
		report_end(t);
		perf_ctrl_send_state(t, IPERF_IPERF_DONE);
		if (!t->done) {
			t->ok = true;
			t->done = true;
		}
		return;
	case IPERF_IPERF_DONE:
		return;
	case IPERF_SERVER_TERMINATE:
		if (t->running)
			perf_test_stop_running(t, now);
		report_end(t);
		perf_test_fail(t, "the server has terminated");
		return;
	case IPERF_ACCESS_DENIED:
		perf_test_fail(t, "the server is busy running a test; try again later");
		return;
	case IPERF_SERVER_ERROR:
		t->expect = IPERF_EXPECT_ERROR;
		return;
	default:
		perf_test_fail(t, "unexpected control message %d (%s) from the server", state,
			       iperf_state_name(state) ? iperf_state_name(state) : "unknown");
		return;
	}
}

static void client_on_msg(struct perf_test *t, const struct iperf_ctrl_msg *m)
{
	const char *why = NULL;
	switch (m->kind) {
	case IPERF_EXPECT_STATE:
		client_on_state(t, m->state);
		return;
	case IPERF_EXPECT_ERROR:
		if (m->err_no != 0)
			perf_test_fail(t, "the server reported an error: %s (iperf3 error %d: %s)",
				       iperf_error_text(m->error), m->error, strerror(m->err_no));
		else
			perf_test_fail(t, "the server reported an error: %s (iperf3 error %d)",
				       iperf_error_text(m->error), m->error);
		return;
	case IPERF_EXPECT_JSON:
		iperf_results_clear(&t->peer);
		if (iperf_results_decode(m->json, m->json_len, &t->peer, &why) < 0) {
			perf_test_fail(t, "the server's results: %s", why);
			return;
		}
		t->have_peer = true;
		t->expect = IPERF_EXPECT_STATE;
		perf_set_deadline(t, "DISPLAY_RESULTS from the server");
		return;
	}
}

static void client_ctrl_process(struct perf_test *t)
{
	struct iperf_ctrl_msg m;
	int rc = 0;
	bool alive = perf_ctrl_read(t);

	while (!t->done && (rc = iperf_ctrl_rx_next(&t->rx, t->expect, &m)) == 1)
		client_on_msg(t, &m);
	if (rc < 0)
		perf_test_fail(t, "control connection: bad message length");
	if (!alive && !t->done)
		perf_test_fail(t, "the server closed the control connection unexpectedly (in %s)",
			       iperf_state_name(t->state) ? iperf_state_name(t->state) : "the handshake");
}

static void client_ctrl_connected(void *arg, mpdk_conn_t c)
{
	struct perf_test *t = arg;
	struct mpdk_conn_info ci;
	if (mpdk_conn_info(c, &ci) == 0) {
		t->ctrl_laddr = ci.local_addr;
		t->ctrl_raddr = ci.remote_addr;
		t->ctrl_lport = ntohs(ci.local_port);
		t->ctrl_rport = ntohs(ci.remote_port);
		t->ctrl_mss = ci.mss;
	}
	perf_set_deadline(t, "PARAM_EXCHANGE from the server");
}

static void client_ctrl_readable(void *arg, mpdk_conn_t c)
{
	(void)c;
	client_ctrl_process(arg);
}

static void client_ctrl_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
	perf_ctrl_flush(arg);
}

static void client_ctrl_closed(void *arg, mpdk_conn_t c, int err)
{
	struct perf_test *t = arg;
	(void)c;
	if (!t->done && err == -ECONNREFUSED)
		perf_test_fail(t, "unable to connect to server %s port %u: connection refused",
			       t->o->host, t->o->port);
	else if (!t->done && t->state == 0 && err == -ETIMEDOUT)
		perf_test_fail(t, "unable to connect to server %s port %u: connection timed out",
			       t->o->host, t->o->port);
	if (!t->done)
		client_ctrl_process(t);  /* messages still in the buffer */
	t->ctrl_open = false;
	if (!t->done)
		perf_test_fail(t, "control connection: %s", err ? mpdk_strerror(err) : "closed");
}

static const struct mpdk_tcp_handler client_ctrl_handler = {
	.connected = client_ctrl_connected,
	.readable = client_ctrl_readable,
	.writable = client_ctrl_writable,
	.closed = client_ctrl_closed,
};

int perf_run_client(struct perf_ctx *ctx)
{
	const struct perf_opts *o = ctx->o;
	struct perf_test *t = perf_test_new(ctx, false, 1);
	struct iperf_params p;
	uint8_t rnd[IPERF_COOKIE_SIZE - 1];
	bool interrupted = false;

	if (t == NULL) {
		fprintf(stderr, "%s: out of memory\n", PERF_NAME);
		return 1;
	}
	iperf_params_defaults(&p);
	p.time = o->seen_bytes ? 0 : o->duration;
	p.num = (int64_t)o->bytes;
	p.parallel = o->streams;
	p.reverse = o->reverse;
	p.window = o->window;   /* iperf3 sends -w to the server too */
	if (o->congestion != NULL)
		snprintf(p.congestion, sizeof(p.congestion), "%s", o->congestion);
	snprintf(p.client_version, sizeof(p.client_version), "mpdk-perf %s", MPDK_VERSION);
	if (perf_test_setup(t, &p) < 0) {
		fprintf(stderr, "%s: out of memory\n", PERF_NAME);
		perf_test_free(t);
		return 1;
	}
	for (unsigned i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)rte_rand();
	iperf_cookie_make(t->cookie, rnd);

	report_connecting(t);
	int rc = mpdk_connect(ctx->e, o->host_addr, htons((uint16_t)o->port), 0, 0,
			      &client_ctrl_handler, t, &t->ctrl);
	if (rc < 0) {
		perf_test_fail(t, "unable to connect to server %s port %u: %s", o->host, o->port,
			       mpdk_strerror(rc));
	} else {
		t->ctrl_open = true;
		mpdk_conn_set_nodelay(t->ctrl, true);
		perf_ctrl_send(t, t->cookie, IPERF_COOKIE_SIZE);
		perf_set_deadline(t, "the connection to the server");
	}

	while (!t->done) {
		mpdk_engine_poll(ctx->e);
		uint64_t now = perf_now_ns();
		if (*ctx->stop) {
			interrupted = true;
			if (t->running)
				perf_test_stop_running(t, now);
			report_end(t);
			if (t->ctrl_open)
				perf_ctrl_send_state(t, IPERF_CLIENT_TERMINATE);
			perf_test_fail(t, "interrupted (%s): the client has terminated",
				       strsignal(*ctx->stop_signal));
			break;
		}
		perf_test_tick(t, now);
		if (t->running && !t->done) {
			bool end = false;
			if (t->duration > 0 && now >= t->t0_ns + (uint64_t)t->duration * 1000000000ull)
				end = true;
			if (t->bytes_limit > 0 && t->reverse && t->recv_total >= t->bytes_limit)
				end = true;
			/* -n as the sender: once all is queued and acknowledged,
			 * so that the receiver's count is complete too */
			if (t->bytes_limit > 0 && !t->reverse && t->sent_total >= t->bytes_limit &&
			    all_acked(t))
				end = true;
			if (end)
				client_end_test(t, now);
		}
		perf_linger_tick(ctx, now);
	}
	(void)interrupted;
	if (!t->ok) {
		/* what was measured before it went wrong */
		if (t->running)
			perf_test_stop_running(t, perf_now_ns());
		report_end(t);
	}
	if (t->ok && !o->json) {
		printf("\n%s Done.\n", PERF_NAME);
		fflush(stdout);
	}
	report_finish(t);
	int status = t->ok ? 0 : 1;
	perf_test_release(t, 1000);
	perf_linger_drain(ctx, 1000);
	perf_test_free(t);
	return status;
}
