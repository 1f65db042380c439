/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpdk-echo's server: echoes every byte received on TCP port -p, on every
 * address, to any number of concurrent clients. The data path is
 * zero-copy: the chain taken with mpdk_recv_mbuf() is handed back with
 * mpdk_send_mbuf(); when the send buffer is full the chain is held (the
 * receive window then closes, which is the backpressure) and sending
 * resumes on the writable event. --copy uses mpdk_recv()/mpdk_send().
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include "mpdk/mpdk.h"
#include "echo.h"


struct server;

/* One accepted connection. */
struct echo_conn {
	struct server *srv;
	mpdk_conn_t c;
	struct rte_mbuf *pending;   /* received, not yet taken by the send buffer */
	uint8_t *buf;               /* --copy: bytes received, not yet sent */
	uint32_t buf_off, buf_len;
	uint64_t echoed;
	bool keys_pending;          /* --app-keys: not set yet, tried on every event */
	bool retry;                 /* on the retry list (a send failed with ENOBUFS) */
	struct echo_conn *retry_next;
};

struct server {
	struct mpdk_engine *e;
	mpdk_conn_t listener;
	bool copy;
	bool first;                 /* engine 0 */
	uint32_t sndbuf;            /* the stack's send buffer size (defaults) */
	uint64_t accepted, closed, errored, n_reset, n_timeout, n_other, active;
	uint64_t bytes_echoed;
	uint64_t keys_set, keys_failed;  /* --app-keys */
	struct echo_conn *retry_head;
	const struct echo_opts *o;
};

#define COPY_BUF 65536

static void conn_free(struct echo_conn *ec)
{
	struct server *s = ec->srv;
	if (ec->retry) {
		struct echo_conn **pp = &s->retry_head;
		while (*pp != ec)
			pp = &(*pp)->retry_next;
		*pp = ec->retry_next;
	}
	rte_pktmbuf_free(ec->pending);
	free(ec->buf);
	s->active--;
	free(ec);
}

/* The connection failed (an error from a call, or closed() with an error):
 * count it; @p from_cb is true when the engine reported it (the handle is
 * then released by the engine, otherwise we abort it). */
static void conn_fail(struct echo_conn *ec, int err, bool from_cb)
{
	struct server *s = ec->srv;
	struct mpdk_conn_info ci = { .state = MPDK_TCP_CLOSED };
	char ip[INET_ADDRSTRLEN] = "?";
	uint16_t port = 0;

	if (mpdk_conn_info(ec->c, &ci) == 0) {
		inet_ntop(AF_INET, &ci.remote_addr, ip, sizeof(ip));
		port = ntohs(ci.remote_port);
	}
	s->errored++;
	if (err == -ECONNRESET)
		s->n_reset++;
	else if (err == -ETIMEDOUT)
		s->n_timeout++;
	else
		s->n_other++;
	ECHO_LOG(DEBUG, "connection from %s:%u ended: %s (%" PRIu64 " bytes echoed)", ip, port,
		 mpdk_strerror(err), ec->echoed);
	if (!from_cb) {
		/* A call failed. When the connection is already over (reset,
		 * timed out) just let go of the handle; otherwise reset it. */
		if (ci.state == MPDK_TCP_CLOSED)
			mpdk_close(ec->c);
		else
			mpdk_abort(ec->c);
	}
	conn_free(ec);
}

/* Split @p m after the leading segments that fit in @p max bytes (at least
 * one segment). @return the rest, or NULL when all of @p m fits. */
static struct rte_mbuf *chain_split(struct rte_mbuf *m, uint32_t max)
{
	struct rte_mbuf *last = m, *rest;
	uint32_t bytes = m->data_len;
	uint16_t segs = 1;

	while (last->next != NULL && bytes + last->next->data_len <= max) {
		last = last->next;
		bytes += last->data_len;
		segs++;
	}
	rest = last->next;
	if (rest == NULL)
		return NULL;
	uint16_t rest_segs = 0;
	for (const struct rte_mbuf *r = rest; r != NULL; r = r->next)
		rest_segs++;
	rest->nb_segs = rest_segs;
	rest->pkt_len = m->pkt_len - bytes;
	last->next = NULL;
	m->nb_segs = segs;
	m->pkt_len = bytes;
	return rest;
}

static void chain_join(struct rte_mbuf *head, struct rte_mbuf *rest)
{
	if (rest == NULL)
		return;
	struct rte_mbuf *last = rte_pktmbuf_lastseg(head);
	last->next = rest;
	head->nb_segs = (uint16_t)(head->nb_segs + rest->nb_segs);
	head->pkt_len += rest->pkt_len;
}

/* Hand the pending chain to the send buffer, as much as fits now.
 * @return 0 when all was taken, -EAGAIN (the writable event follows), or
 * another error. */
static int send_pending_mbuf(struct echo_conn *ec)
{
	while (ec->pending != NULL) {
		struct mpdk_conn_info ci;
		uint32_t space = 0;
		if (mpdk_conn_info(ec->c, &ci) == 0 && ci.snd_queued < ec->srv->sndbuf)
			space = ec->srv->sndbuf - ci.snd_queued;
		struct rte_mbuf *head = ec->pending;
		struct rte_mbuf *rest = chain_split(head, space);
		uint32_t len = head->pkt_len;
		int rc = mpdk_send_mbuf(ec->c, head);
		if (rc < 0) {
			/* the chain is still ours */
			chain_join(head, rest);
			return rc;
		}
		ec->echoed += len;
		ec->srv->bytes_echoed += len;
		ec->pending = rest;
	}
	return 0;
}

static int send_pending_copy(struct echo_conn *ec)
{
	while (ec->buf_off < ec->buf_len) {
		ssize_t n = mpdk_send(ec->c, ec->buf + ec->buf_off, ec->buf_len - ec->buf_off);
		if (n < 0)
			return (int)n;
		ec->buf_off += (uint32_t)n;
		ec->echoed += (uint64_t)n;
		ec->srv->bytes_echoed += (uint64_t)n;
	}
	ec->buf_off = ec->buf_len = 0;
	return 0;
}

/* Receive and echo until there is nothing to read or no room to send.
 * Never drops a byte: what the send buffer refuses is held and retried on
 * the writable event (or, after -ENOBUFS, from the main loop). */
static void conn_pump(struct echo_conn *ec)
{
	struct server *s = ec->srv;
	for (;;) {
		int rc = s->copy ? send_pending_copy(ec) : send_pending_mbuf(ec);
		if (rc == -EAGAIN)
			return;
		if (rc == -ENOBUFS) {
			if (!ec->retry) {
				ec->retry = true;
				ec->retry_next = s->retry_head;
				s->retry_head = ec;
			}
			return;
		}
		if (rc < 0) {
			conn_fail(ec, rc, false);
			return;
		}
		ssize_t n;
		if (s->copy) {
			if (ec->buf == NULL && (ec->buf = malloc(COPY_BUF)) == NULL) {
				conn_fail(ec, -ENOMEM, false);
				return;
			}
			n = mpdk_recv(ec->c, ec->buf, COPY_BUF);
			if (n > 0) {
				ec->buf_off = 0;
				ec->buf_len = (uint32_t)n;
			}
		} else {
			n = mpdk_recv_mbuf(ec->c, &ec->pending);
		}
		if (n > 0)
			continue;
		if (n == -EAGAIN)
			return;
		if (n == 0) {
			/* The peer closed and everything it sent is queued back:
			 * FIN after it. The engine finishes the close. */
			ECHO_LOG(DEBUG, "connection closed by the peer after %" PRIu64 " bytes",
				 ec->echoed);
			mpdk_close(ec->c);
			s->closed++;
			conn_free(ec);
			return;
		}
		conn_fail(ec, (int)n, false);
		return;
	}
}

/* --app-keys: once the MPTCP handshake finished (the first events after
 * accept); a plain TCP connection (no flag G) cannot take keys. */
static void conn_keys(struct echo_conn *ec)
{
	if (!ec->keys_pending)
		return;
	int rc = echo_set_keys(ec->c, ec->srv->o);
	if (rc == 0)
		return;
	ec->keys_pending = false;
	if (rc > 0)
		ec->srv->keys_set++;
	else
		ec->srv->keys_failed++;
	ECHO_LOG(DEBUG, "app keys: %s", rc > 0 ? "set" : mpdk_strerror(rc));
}

static void conn_readable(void *arg, mpdk_conn_t c)
{
	(void)c;
	conn_keys(arg);
	conn_pump(arg);
}

static void conn_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
	conn_keys(arg);
	conn_pump(arg);
}

static void conn_closed(void *arg, mpdk_conn_t c, int err)
{
	struct echo_conn *ec = arg;
	(void)c;
	if (err == 0) {
		/* Both FINs exchanged while we held the handle: only possible
		 * after our own close, which releases it; count it anyway. */
		ec->srv->closed++;
		conn_free(ec);
		return;
	}
	conn_fail(ec, err, true);
}

static const struct mpdk_tcp_handler conn_handler = {
	.readable = conn_readable,
	.writable = conn_writable,
	.closed = conn_closed,
};

static void server_accept(void *arg, mpdk_conn_t l)
{
	struct server *s = arg;
	mpdk_conn_t c;

	while (mpdk_accept(l, &c) == 0) {
		struct echo_conn *ec = calloc(1, sizeof(*ec));
		if (ec == NULL) {
			mpdk_abort(c);
			s->errored++;
			s->n_other++;
			continue;
		}
		ec->srv = s;
		ec->c = c;
		s->accepted++;
		s->active++;
		mpdk_conn_set_handler(c, &conn_handler, ec);
		mpdk_conn_set_nodelay(c, true);
		ec->keys_pending = s->o->have_keys;
		conn_keys(ec);
		if (rte_log_can_log(echo_logtype, RTE_LOG_DEBUG)) {
			struct mpdk_conn_info ci;
			char ip[INET_ADDRSTRLEN] = "?";
			if (mpdk_conn_info(c, &ci) == 0)
				inet_ntop(AF_INET, &ci.remote_addr, ip, sizeof(ip));
			ECHO_LOG(DEBUG, "accepted %s:%u", ip, ntohs(ci.remote_port));
		}
		/* Data that came with the handshake is reported as readable. */
	}
}

static const struct mpdk_tcp_handler listen_handler = {
	.accept_ready = server_accept,
};

static void server_retry(struct server *s)
{
	struct echo_conn *list = s->retry_head;
	s->retry_head = NULL;
	while (list != NULL) {
		struct echo_conn *ec = list;
		list = ec->retry_next;
		ec->retry = false;
		conn_pump(ec);
	}
}

/* One thread's loop: the engines it polls (one lcore may poll several);
 * --remove-addr-after acts on engine 0. */
struct server_thread {
	struct server *s[MPDK_MAX_ENGINES];
	unsigned n;
};

static int server_loop(void *arg)
{
	struct server_thread *t = arg;
	bool removed = false;
	while (!stop) {
		for (unsigned i = 0; i < t->n; i++) {
			struct server *s = t->s[i];
			mpdk_engine_poll(s->e);
			if (s->retry_head != NULL)
				server_retry(s);
			if (s->first)
				echo_maybe_remove_addr(s->e, s->o, s->bytes_echoed, &removed);
		}
	}
	return 0;
}

int run_server(struct mpdk_engine *e, const struct echo_opts *o)
{
	/* --engines N: one server per engine, each listening on the port
	 * (docs/api.md, "Threads"); engine k polled by thread k % T (echo.h). */
	struct mpdk_stack *st = mpdk_engine_stack(e);
	unsigned n = st != NULL ? mpdk_stack_n_engines(st) : 1, n_thr = 1, lc;
	static struct server srvs[MPDK_MAX_ENGINES];
	static struct server_thread thr[MPDK_MAX_ENGINES];
	unsigned lcores[MPDK_MAX_ENGINES];
	struct mpdk_tcp_conf tc;
	int rc = 0;

	RTE_LCORE_FOREACH_WORKER(lc) {
		if (n_thr < n)
			lcores[n_thr++] = lc;
	}
	memset(thr, 0, sizeof(thr));
	mpdk_tcp_conf_defaults(&tc);
	for (unsigned i = 0; i < n; i++) {
		struct server *si = &srvs[i];
		memset(si, 0, sizeof(*si));
		si->e = n > 1 ? mpdk_stack_engine(st, i) : e;
		si->first = i == 0;
		si->copy = o->copy;
		si->sndbuf = tc.sndbuf;
		si->o = o;
		rc = mpdk_listen(si->e, 0, htons((uint16_t)o->tcp_port), 1024, &listen_handler, si,
				 &si->listener);
		if (rc < 0) {
			fprintf(stderr, "mpdk-echo: cannot listen on TCP port %lu: %s\n", o->tcp_port,
				mpdk_strerror(rc));
			for (unsigned j = 0; j < i; j++)
				mpdk_close(srvs[j].listener);
			return 1;
		}
		struct server_thread *t = &thr[i % n_thr];
		t->s[t->n++] = si;
	}
	for (unsigned k = 1; k < n_thr; k++)
		if (rte_eal_remote_launch(server_loop, &thr[k], lcores[k]) != 0) {
			fprintf(stderr, "mpdk-echo: lcore %u is busy\n", lcores[k]);
			stop = true;
		}
	server_loop(&thr[0]);
	rte_eal_mp_wait_lcore();
	struct server s = srvs[0];
	for (unsigned i = 1; i < n; i++) {
		s.accepted += srvs[i].accepted;
		s.closed += srvs[i].closed;
		s.errored += srvs[i].errored;
		s.n_reset += srvs[i].n_reset;
		s.n_timeout += srvs[i].n_timeout;
		s.n_other += srvs[i].n_other;
		s.active += srvs[i].active;
		s.bytes_echoed += srvs[i].bytes_echoed;
		s.keys_set += srvs[i].keys_set;
		s.keys_failed += srvs[i].keys_failed;
	}
	if (stop_signal == SIGALRM)
		printf("mpdk-echo: %lu s elapsed, stopping\n", o->duration_s);
	else
		printf("mpdk-echo: %s, stopping\n", strsignal(stop_signal));
	printf("mpdk-echo: tcp: %" PRIu64 " accepted, %" PRIu64 " closed, %" PRIu64
	       " errored (%" PRIu64 " reset, %" PRIu64 " timed out, %" PRIu64 " other), %" PRIu64
	       " open; %" PRIu64 " bytes echoed\n",
	       s.accepted, s.closed, s.errored, s.n_reset, s.n_timeout, s.n_other, s.active,
	       s.bytes_echoed);
	if (n > 1) {
		/* where the connections lived: the engine their first SYN
		 * was steered to (their home, docs/architecture.md) */
		printf("mpdk-echo: accepted per engine:");
		for (unsigned i = 0; i < n; i++)
			printf("%s engine %u %" PRIu64, i ? "," : "", i, srvs[i].accepted);
		printf("\n");
	}
	if (o->app_mode)
		printf("mpdk-echo: keys: app, %s: set on %" PRIu64 " connection(s), not possible on %"
		       PRIu64 " (plain TCP)\n", o->have_keys ? "--app-keys" : "no --app-keys",
		       s.keys_set, s.keys_failed);
	for (unsigned i = 0; i < n; i++)
		mpdk_close(srvs[i].listener);
	/* Connections still open go with the stack. */
	return 0;
}
