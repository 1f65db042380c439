/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server (-s): one test at a time, as iperf3. A connection that
 * arrives while idle is a control connection: read its cookie, send
 * PARAM_EXCHANGE, read the parameters, send CREATE_STREAMS. Connections
 * that arrive then are streams: each must start with the same cookie
 * (ACCESS_DENIED otherwise). With all streams in, send TEST_START and
 * TEST_RUNNING and move data until the client's TEST_END; then
 * EXCHANGE_RESULTS (the client's results, then ours), DISPLAY_RESULTS, and
 * the client's IPERF_DONE ends the test. A connection that arrives while a
 * test runs gets ACCESS_DENIED.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rte_mbuf.h>
#include "perf.h"

struct server;

/* A connection in the test's CREATE_STREAMS phase whose cookie is being read. */
struct candidate {
	struct server *srv;
	mpdk_conn_t c;
	char cookie[IPERF_COOKIE_SIZE];
	unsigned len;
	struct candidate *next;
};

struct server {
	struct perf_ctx *ctx;
	mpdk_conn_t listener;
	struct perf_test *t;        /* the test in progress, or NULL */
	struct candidate *cands;
	unsigned test_no;
	unsigned n_ok, n_failed;
};

/* ------------------------------------------------------------------ helpers */

static void deny(struct server *srv, mpdk_conn_t c)
{
	uint8_t b = (uint8_t)(int8_t)IPERF_ACCESS_DENIED;
	mpdk_send(c, &b, 1);
	perf_linger(srv->ctx, c, 1000);
}

static void cand_remove(struct server *srv, struct candidate *k)
{
	struct candidate **pp = &srv->cands;
	while (*pp != NULL && *pp != k)
		pp = &(*pp)->next;
	if (*pp == k)
		*pp = k->next;
	free(k);
}

static void cands_release(struct server *srv)
{
	while (srv->cands != NULL) {
		struct candidate *k = srv->cands;
		srv->cands = k->next;
		perf_linger(srv->ctx, k->c, 1000);
		free(k);
	}
}

/* Refuse a test we cannot run: SERVER_ERROR, iperf3's error number and an
 * errno (0), then end the test. */
static void server_error(struct perf_test *t, int32_t ie, const char *why)
{
	uint8_t b[9];
	b[0] = (uint8_t)(int8_t)IPERF_SERVER_ERROR;
	iperf_json_header(b + 1, (uint32_t)ie);
	iperf_json_header(b + 5, 0);
	perf_ctrl_send(t, b, sizeof(b));
	perf_test_fail(t, "refused the client's test: %s", why);
}

/* What we cannot do is refused up front, so that the client says why. */
static bool check_params(struct perf_test *t, const struct iperf_params *p)
{
	if (p->udp || p->sctp) {
		server_error(t, IPERF_IE_PROTOCOL, p->udp ? "UDP is not supported" : "SCTP is not supported");
		return false;
	}
	if (p->bidirectional) {
		server_error(t, IPERF_IE_UNIMP, "--bidir is not supported");
		return false;
	}
	if (p->parallel > IPERF_MAX_STREAMS) {
		server_error(t, 6, "too many parallel streams");
		return false;
	}
	if (p->omit > 0) {
		server_error(t, IPERF_IE_UNIMP, "--omit is not supported");
		return false;
	}
	if (p->reverse && p->bandwidth > 0) {
		server_error(t, IPERF_IE_UNIMP, "a bitrate limit (-b) on the server's sending is not supported");
		return false;
	}
	if ((p->window > 0 && (uint64_t)p->window != t->ctx->rcvbuf) || p->mss > 0 || p->tos > 0)
		report_note(t, "note: the client's -w/-M/-S settings are not applied (the server's "
			    "buffers are its own -w)");
	return true;
}

/* ------------------------------------------------------------------ control */

static void server_on_state(struct perf_test *t, int state)
{
	uint64_t now = perf_now_ns();
	switch (state) {
	case IPERF_TEST_START:
	case IPERF_TEST_RUNNING:
		return;  /* iperf3 clients do not send these; harmless */
	case IPERF_TEST_END:
		if (t->running) {
			perf_test_stop_running(t, now);
			double iv = t->o->interval;
			double last = (double)(now - t->iv_start_ns) / 1e9;
			if (iv > 0 && (last >= 0.1 * iv || t->n_intervals == 0))
				report_interval(t, t->iv_start_ns, now);
		}
		t->ended = true;
		/* iperf3 closes the streams here; we let them finish politely */
		for (unsigned i = 0; i < t->n_streams; i++) {
			struct perf_stream *s = &t->st[i];
			if (s->open) {
				s->open = false;
				perf_linger(t->ctx, s->c, 2000);
			}
		}
		if (perf_ctrl_send_state(t, IPERF_EXCHANGE_RESULTS) == 0) {
			t->expect = IPERF_EXPECT_JSON;
			perf_set_deadline(t, "the client's results");
		}
		return;
	case IPERF_IPERF_DONE:
		perf_set_deadline(t, NULL);
		if (t->have_peer) {
			t->ok = true;
			t->done = true;
		} else {
			perf_test_fail(t, "the client ended the test before the results were exchanged");
		}
		return;
	case IPERF_CLIENT_TERMINATE:
		if (t->running)
			perf_test_stop_running(t, now);
		report_end(t);
		perf_test_fail(t, "the client has terminated");
		return;
	default:
		perf_test_fail(t, "unexpected control message %d (%s) from the client", state,
			       iperf_state_name(state) ? iperf_state_name(state) : "unknown");
		return;
	}
}

static void server_on_json(struct perf_test *t, const char *json, size_t len)
{
	const char *why = NULL;
	t->expect = IPERF_EXPECT_STATE;
	if (t->state == IPERF_PARAM_EXCHANGE) {
		struct iperf_params p;
		if (iperf_params_decode(json, len, &p, &why) < 0) {
			server_error(t, IPERF_IE_RECVPARAMS, why);
			return;
		}
		if (!check_params(t, &p))
			return;
		if (perf_test_setup(t, &p) < 0) {
			perf_test_fail(t, "out of memory");
			return;
		}
		if (perf_ctrl_send_state(t, IPERF_CREATE_STREAMS) == 0)
			perf_set_deadline(t, "the client's streams");
		return;
	}
	if (t->state == IPERF_EXCHANGE_RESULTS) {
		iperf_results_clear(&t->peer);
		if (iperf_results_decode(json, len, &t->peer, &why) < 0) {
			perf_test_fail(t, "the client's results: %s", why);
			return;
		}
		t->have_peer = true;
		size_t n;
		char *text = perf_results_encode(t, &n);
		if (text == NULL) {
			perf_test_fail(t, "out of memory");
			return;
		}
		int rc = perf_ctrl_send_json(t, text, n);
		free(text);
		if (rc == 0 && perf_ctrl_send_state(t, IPERF_DISPLAY_RESULTS) == 0) {
			report_end(t);
			perf_set_deadline(t, "IPERF_DONE from the client");
		}
		return;
	}
	perf_test_fail(t, "unexpected JSON message in state %d", t->state);
}

static void server_ctrl_process(struct perf_test *t)
{
	if (t->ctrl_cookie_len < IPERF_COOKIE_SIZE) {
		ssize_t n = mpdk_recv(t->ctrl, t->cookie + t->ctrl_cookie_len,
				      IPERF_COOKIE_SIZE - t->ctrl_cookie_len);
		if (n == -EAGAIN)
			return;
		if (n <= 0) {
			perf_test_fail(t, "the client closed the connection before sending its cookie");
			return;
		}
		t->ctrl_cookie_len += (unsigned)n;
		if (t->ctrl_cookie_len < IPERF_COOKIE_SIZE)
			return;
		t->cookie[IPERF_COOKIE_SIZE - 1] = '\0';
		report_accepted(t);
		if (perf_ctrl_send_state(t, IPERF_PARAM_EXCHANGE) < 0)
			return;
		t->expect = IPERF_EXPECT_JSON;
		perf_set_deadline(t, "the test parameters");
	}
	struct iperf_ctrl_msg m;
	int rc = 0;
	bool alive = perf_ctrl_read(t);
	while (!t->done && (rc = iperf_ctrl_rx_next(&t->rx, t->expect, &m)) == 1) {
		if (m.kind == IPERF_EXPECT_JSON)
			server_on_json(t, m.json, m.json_len);
		else
			server_on_state(t, m.state);
	}
	if (rc < 0)
		perf_test_fail(t, "control connection: bad message length");
	if (!alive && !t->done) {
		if (t->state == IPERF_DISPLAY_RESULTS && t->have_peer) {
			/* results delivered; an early close is fine */
			t->ok = true;
			t->done = true;
		} else {
			perf_test_fail(t, "the client has unexpectedly closed the connection");
		}
	}
}

static void server_ctrl_readable(void *arg, mpdk_conn_t c)
{
	(void)c;
	server_ctrl_process(arg);
}

static void server_ctrl_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
	perf_ctrl_flush(arg);
}

static void server_ctrl_closed(void *arg, mpdk_conn_t c, int err)
{
	struct perf_test *t = arg;
	(void)c;
	if (!t->done)
		server_ctrl_process(t);
	t->ctrl_open = false;
	if (!t->done)
		perf_test_fail(t, "control connection: %s", err ? mpdk_strerror(err) : "closed");
}

static const struct mpdk_tcp_handler server_ctrl_handler = {
	.readable = server_ctrl_readable,
	.writable = server_ctrl_writable,
	.closed = server_ctrl_closed,
};

/* ------------------------------------------------------------------ streams */

static void server_all_streams_in(struct perf_test *t)
{
	report_streams_connected(t);
	if (perf_ctrl_send_state(t, IPERF_TEST_START) < 0)
		return;
	if (perf_ctrl_send_state(t, IPERF_TEST_RUNNING) < 0)
		return;
	perf_set_deadline(t, NULL);
	perf_test_start_running(t, perf_now_ns());
}

static void cand_readable(void *arg, mpdk_conn_t c)
{
	struct candidate *k = arg;
	struct server *srv = k->srv;
	struct perf_test *t = srv->t;

	ssize_t n = mpdk_recv(c, k->cookie + k->len, IPERF_COOKIE_SIZE - k->len);
	if (n == -EAGAIN)
		return;
	if (n <= 0) {
		perf_linger(srv->ctx, c, 500);
		cand_remove(srv, k);
		return;
	}
	k->len += (unsigned)n;
	if (k->len < IPERF_COOKIE_SIZE)
		return;
	if (t == NULL || t->state != IPERF_CREATE_STREAMS || t->n_ready >= t->n_streams ||
	    memcmp(k->cookie, t->cookie, IPERF_COOKIE_SIZE) != 0) {
		deny(srv, c);
		cand_remove(srv, k);
		return;
	}
	struct perf_stream *s = &t->st[t->n_ready++];
	s->c = c;
	memcpy(s->cookie, k->cookie, IPERF_COOKIE_SIZE);
	s->cookie_len = IPERF_COOKIE_SIZE;
	s->established = true;
	cand_remove(srv, k);
	mpdk_conn_set_handler(c, &perf_stream_handler, s);
	perf_stream_opened(s);
	if (t->n_ready == t->n_streams)
		server_all_streams_in(t);
	/* data after the cookie is the test's (none before TEST_RUNNING) */
	perf_stream_pump_recv(s);
}

static void cand_closed(void *arg, mpdk_conn_t c, int err)
{
	struct candidate *k = arg;
	(void)c;
	(void)err;
	cand_remove(k->srv, k);
}

static const struct mpdk_tcp_handler cand_handler = {
	.readable = cand_readable,
	.closed = cand_closed,
};

/* ------------------------------------------------------------------ listener */

static void server_new_test(struct server *srv, mpdk_conn_t c)
{
	struct perf_test *t = perf_test_new(srv->ctx, true, srv->test_no);
	if (t == NULL) {
		mpdk_abort(c);
		return;
	}
	srv->t = t;
	t->ctrl = c;
	t->ctrl_open = true;
	struct mpdk_conn_info ci;
	if (mpdk_conn_info(c, &ci) == 0) {
		t->ctrl_laddr = ci.local_addr;
		t->ctrl_raddr = ci.remote_addr;
		t->ctrl_lport = ntohs(ci.local_port);
		t->ctrl_rport = ntohs(ci.remote_port);
		t->ctrl_mss = ci.mss;
	}
	mpdk_conn_set_handler(c, &server_ctrl_handler, t);
	mpdk_conn_set_nodelay(c, true);
	perf_set_deadline(t, "the client's cookie");
	server_ctrl_process(t);   /* the cookie may be here already */
}

static void server_accept(void *arg, mpdk_conn_t l)
{
	struct server *srv = arg;
	mpdk_conn_t c;

	while (mpdk_accept(l, &c) == 0) {
		struct perf_test *t = srv->t;
		if (t == NULL) {
			server_new_test(srv, c);
		} else if (t->state == IPERF_CREATE_STREAMS && !t->done) {
			struct candidate *k = calloc(1, sizeof(*k));
			if (k == NULL) {
				mpdk_abort(c);
				continue;
			}
			k->srv = srv;
			k->c = c;
			k->next = srv->cands;
			srv->cands = k;
			mpdk_conn_set_handler(c, &cand_handler, k);
			cand_readable(k, c);
		} else {
			/* busy: do not read from it, as iperf3 */
			deny(srv, c);
		}
	}
}

static const struct mpdk_tcp_handler listen_handler = {
	.accept_ready = server_accept,
};

/* The test is over (either way): report, release, forget. */
static void server_end_test(struct server *srv)
{
	struct perf_test *t = srv->t;
	if (t->running)
		perf_test_stop_running(t, perf_now_ns());
	if (t->ok)
		srv->n_ok++;
	else
		srv->n_failed++;
	if (!t->ok && t->t0_ns != 0)
		report_end(t);
	report_finish(t);
	cands_release(srv);
	perf_test_release(t, 2000);
	perf_test_free(t);
	srv->t = NULL;
}

int perf_run_server(struct perf_ctx *ctx)
{
	const struct perf_opts *o = ctx->o;
	struct server srv = { .ctx = ctx, .test_no = 1 };

	int rc = mpdk_listen(ctx->e, 0, htons((uint16_t)o->port), 128, &listen_handler, &srv,
			     &srv.listener);
	if (rc < 0) {
		fprintf(stderr, "%s: cannot listen on TCP port %u: %s\n", PERF_NAME, o->port,
			mpdk_strerror(rc));
		return 1;
	}
	report_server_listening(ctx, srv.test_no);
	while (!*ctx->stop) {
		mpdk_engine_poll(ctx->e);
		uint64_t now = perf_now_ns();
		struct perf_test *t = srv.t;
		if (t != NULL) {
			perf_test_tick(t, now);
			if (t->running && t->duration > 0 && !t->done &&
			    now > t->t0_ns + ((uint64_t)t->duration + o->timeout_s) * 1000000000ull)
				perf_test_fail(t, "the client did not end the test %u s after its duration",
					       o->timeout_s);
			if (t->done) {
				server_end_test(&srv);
				if (o->one_off)
					break;
				srv.test_no++;
				report_server_listening(ctx, srv.test_no);
			}
		}
		perf_linger_tick(ctx, now);
	}
	if (*ctx->stop && srv.t != NULL) {
		struct perf_test *t = srv.t;
		if (t->state == IPERF_DISPLAY_RESULTS && t->have_peer) {
			/* only the client's IPERF_DONE was missing */
			t->ok = true;
			t->done = true;
		} else {
			if (t->running)
				perf_test_stop_running(t, perf_now_ns());
			if (t->ctrl_open)
				perf_ctrl_send_state(t, IPERF_SERVER_TERMINATE);
			perf_test_fail(t, "interrupted (%s): the server has terminated",
				       strsignal(*ctx->stop_signal));
		}
		server_end_test(&srv);
	}
	if (*ctx->stop && !o->json)
		printf("%s: %s, stopping after %u test(s): %u completed, %u failed\n", PERF_NAME,
		       strsignal(*ctx->stop_signal), srv.n_ok + srv.n_failed, srv.n_ok, srv.n_failed);
	mpdk_close(srv.listener);
	perf_linger_drain(ctx, 1000);
	if (o->one_off)
		return srv.n_ok == 1 && srv.n_failed == 0 ? 0 : 1;
	return 0;
}
