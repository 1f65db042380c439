/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mpdk-echo: the stack's smoke app and TCP echo server (RFC 862 over TCP).
 *
 * Server (default): answers ARP and ping on every --addr and echoes every
 * byte received on TCP port -p (default 7), on every address, to any number
 * of concurrent clients, until SIGINT/SIGTERM or --duration. The data path
 * is zero-copy: the chain taken with mpdk_recv_mbuf() is handed back with
 * mpdk_send_mbuf(); when the send buffer is full the chain is held (the
 * receive window then closes, which is the backpressure) and sending
 * resumes on the writable event. --copy uses mpdk_recv()/mpdk_send().
 *
 * Client (-c HOST): connects to HOST:PORT, sends -n BYTES of seeded
 * pseudo-random data and checks that every byte comes back in order, or
 * with --sink only sends them (to a server that does not echo). Exit 0 only
 * on complete success.
 *
 * Everything runs on the main lcore: one engine, run to completion; the
 * callbacks below are called from mpdk_engine_poll().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include "mpdk/mpdk.h"

enum {
	KEY_PORT = 1,
	KEY_DURATION,
	KEY_CONNECT,
	KEY_BYTES,
	KEY_SEED,
	KEY_TIMEOUT,
	KEY_SINK,
	KEY_COPY,
};

struct echo_opts {
	unsigned long tcp_port;
	unsigned long duration_s;
	const char *host;        /* -c: client mode */
	uint32_t host_addr;      /* network byte order */
	unsigned long bytes;
	unsigned long seed;
	unsigned long timeout_s;
	bool sink;
	bool copy;
	/* which options were given, for the cross-checks */
	bool seen_duration, seen_bytes, seen_seed, seen_timeout;
};

static const struct echo_opts opts_defaults = {
	.tcp_port = 7,
	.bytes = 1000000,
	.seed = 1,
	.timeout_s = 60,
};

static volatile bool stop;
static volatile sig_atomic_t stop_signal;
static int echo_logtype = -1;

#define ECHO_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, echo_logtype, "mpdk-echo: " fmt "\n", ##__VA_ARGS__)

static void on_signal(int sig)
{
	stop_signal = sig;
	stop = true;
}

static int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
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

static int echo_handle(void *ctx, int key, const char *arg)
{
	struct echo_opts *o = ctx;
	switch (key) {
	case KEY_PORT:
		return parse_ulong(arg, 1, 65535, &o->tcp_port);
	case KEY_DURATION:
		o->seen_duration = true;
		return parse_ulong(arg, 0, 365ul * 24 * 3600, &o->duration_s);
	case KEY_CONNECT:
		o->host = arg;
		return mpdk_parse_ipv4(arg, &o->host_addr);
	case KEY_BYTES:
		o->seen_bytes = true;
		return parse_ulong(arg, 0, 1000000000000000ul, &o->bytes);
	case KEY_SEED:
		o->seen_seed = true;
		return parse_ulong(arg, 0, ULONG_MAX, &o->seed);
	case KEY_TIMEOUT:
		o->seen_timeout = true;
		return parse_ulong(arg, 1, 365ul * 24 * 3600, &o->timeout_s);
	case KEY_SINK:
		o->sink = true;
		return 0;
	case KEY_COPY:
		o->copy = true;
		return 0;
	}
	return -EINVAL;
}

static const struct mpdk_app_option echo_options[] = {
	{ "port", 'p', true, KEY_PORT, "PORT",
	  "TCP port: the server listens on it, the client connects to it (default 7)" },
	{ "duration", 'd', true, KEY_DURATION, "SECONDS",
	  "server: stop after SECONDS (default 0: run until SIGINT or SIGTERM)" },
	{ "copy", 0, false, KEY_COPY, NULL,
	  "server: echo with the copying mpdk_recv/mpdk_send (default: zero-copy mbufs)" },
	{ "connect", 'c', true, KEY_CONNECT, "HOST",
	  "client mode: connect to the IPv4 address HOST, send, check the echo" },
	{ "bytes", 'n', true, KEY_BYTES, "BYTES",
	  "client: bytes to send (default 1000000)" },
	{ "seed", 0, true, KEY_SEED, "S",
	  "client: seed of the pseudo-random bytes (default 1)" },
	{ "sink", 0, false, KEY_SINK, NULL,
	  "client: only send (the server does not echo), then close" },
	{ "timeout", 0, true, KEY_TIMEOUT, "SECONDS",
	  "client: give up (exit 1) after SECONDS (default 60)" },
	{ 0 },
};

/* ------------------------------------------------------------------ helpers */

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Lower case, as ip(8) and tshark print MACs. */
static void format_mac(char *buf, size_t len, const struct rte_ether_addr *m)
{
	const uint8_t *b = m->addr_bytes;
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

/* "port 0 net_tap0 02:70:63:61:70:00 10.0.0.2/24 10.0.0.3/24; port 1 ..." */
static void print_startup(const struct mpdk_args *a, const struct echo_opts *o)
{
	const struct mpdk_stack_conf *c = &a->conf;
	char ip[INET_ADDRSTRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE];

	printf("mpdk-echo: up:");
	for (uint16_t p = 0; p < c->n_ports; p++) {
		const struct mpdk_port *port = c->ports[p];
		struct rte_ether_addr ea;
		mpdk_port_mac(port, ea.addr_bytes);
		format_mac(mac, sizeof(mac), &ea);
		printf("%s port %d %s mac %s link %s addrs", p ? ";" : "", mpdk_port_ethdev_id(port),
		       mpdk_port_name(port), mac, mpdk_port_link_up(port) ? "up" : "down");
		for (uint16_t i = 0; i < c->n_addrs; i++)
			if (c->addrs[i].port == p)
				printf(" %s/%u", inet_ntop(AF_INET, &c->addrs[i].addr, ip, sizeof(ip)),
				       c->addrs[i].prefix_len);
	}
	if (c->gateway)
		printf("; gw %s", inet_ntop(AF_INET, &c->gateway, ip, sizeof(ip)));
	printf("; answering ARP and ping");
	if (o->host != NULL) {
		printf("; connecting to %s port %lu to %s %lu bytes (seed %lu)", o->host, o->tcp_port,
		       o->sink ? "send" : "echo", o->bytes, o->seed);
	} else {
		printf(", echoing TCP port %lu%s", o->tcp_port, o->copy ? " (copying)" : "");
		if (o->duration_s)
			printf(" for %lu s", o->duration_s);
	}
	printf("\n");
	fflush(stdout);
}

/* ------------------------------------------------------------------ server */

struct server;

/* One accepted connection. */
struct echo_conn {
	struct server *srv;
	mpdk_conn_t c;
	struct rte_mbuf *pending;   /* received, not yet taken by the send buffer */
	uint8_t *buf;               /* --copy: bytes received, not yet sent */
	uint32_t buf_off, buf_len;
	uint64_t echoed;
	bool retry;                 /* on the retry list (a send failed with ENOBUFS) */
	struct echo_conn *retry_next;
};

struct server {
	struct mpdk_engine *e;
	mpdk_conn_t listener;
	bool copy;
	uint32_t sndbuf;            /* the stack's send buffer size (defaults) */
	uint64_t accepted, closed, errored, n_reset, n_timeout, n_other, active;
	uint64_t bytes_echoed;
	struct echo_conn *retry_head;
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

static void conn_readable(void *arg, mpdk_conn_t c)
{
	(void)c;
	conn_pump(arg);
}

static void conn_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
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

static int run_server(struct mpdk_engine *e, const struct echo_opts *o)
{
	struct server s = { .e = e, .copy = o->copy };
	struct mpdk_tcp_conf tc;

	mpdk_tcp_conf_defaults(&tc);
	s.sndbuf = tc.sndbuf;
	int rc = mpdk_listen(e, 0, htons((uint16_t)o->tcp_port), 1024, &listen_handler, &s,
			     &s.listener);
	if (rc < 0) {
		fprintf(stderr, "mpdk-echo: cannot listen on TCP port %lu: %s\n", o->tcp_port,
			mpdk_strerror(rc));
		return 1;
	}
	while (!stop) {
		mpdk_engine_poll(e);
		if (s.retry_head != NULL)
			server_retry(&s);
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
	mpdk_close(s.listener);
	/* Connections still open go with the stack. */
	return 0;
}

/* ------------------------------------------------------------------ client */

/* The byte stream of seed S: byte i is byte (i % 8) (little end first) of
 * splitmix64's output for counter i / 8. Random access, so the receiver can
 * check any offset without state. */
static inline uint64_t stream_word(uint64_t seed, uint64_t idx)
{
	uint64_t z = seed + (idx + 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void stream_fill(uint8_t *buf, uint64_t off, size_t len, uint64_t seed)
{
	size_t i = 0;
	while (i < len) {
		uint64_t w = stream_word(seed, (off + i) / 8);
		unsigned b = (unsigned)((off + i) % 8);
		for (; b < 8 && i < len; b++, i++)
			buf[i] = (uint8_t)(w >> (8 * b));
	}
}

#define CLIENT_BUF 65536

/* Why the client stopped, when not with success. */
enum client_fail {
	CF_NONE = 0,
	CF_CLOSED,     /* the engine ended the connection with an error */
	CF_CALL,       /* a send/receive/shutdown call failed */
	CF_MISMATCH,   /* the echo differs from what was sent */
	CF_TOO_LONG,   /* more bytes came back than were sent */
	CF_TIMEOUT,
	CF_SIGNAL,
};

struct client {
	mpdk_conn_t c;
	uint64_t n, seed;
	bool sink;
	uint64_t sent, rcvd, unexpected;
	uint8_t txbuf[CLIENT_BUF], rxbuf[CLIENT_BUF], want[CLIENT_BUF];
	uint32_t tx_off, tx_len;
	bool connected, fin_sent, eof, done, nobufs;
	enum client_fail why;
	int err;                 /* closed() error, or the failed call's */
	const char *call;        /* name of the failed call */
	uint64_t mismatch_at;
	uint8_t got_byte, want_byte;
	uint64_t t_start, t_connected, t_end;
	struct mpdk_conn_info info;
	bool have_info;
	EVP_MD_CTX *sha;         /* of the bytes the send buffer accepted */
};

/* Stop with @p why; reset the connection unless the engine already ended it. */
static void client_stop(struct client *cl, enum client_fail why, int err, bool from_closed)
{
	if (cl->done)
		return;
	cl->why = why;
	cl->err = err;
	cl->done = true;
	cl->t_end = mono_ns();
	if (mpdk_conn_info(cl->c, &cl->info) == 0)
		cl->have_info = true;
	if (!from_closed) {
		if (cl->have_info && cl->info.state == MPDK_TCP_CLOSED)
			mpdk_close(cl->c);
		else
			mpdk_abort(cl->c);
	}
}

static void client_call_failed(struct client *cl, const char *call, int err)
{
	cl->call = call;
	client_stop(cl, CF_CALL, err, false);
}

static void client_send(struct client *cl)
{
	cl->nobufs = false;
	while (!cl->done && cl->sent < cl->n) {
		if (cl->tx_off == cl->tx_len) {
			uint64_t left = cl->n - cl->sent;
			cl->tx_len = left < CLIENT_BUF ? (uint32_t)left : CLIENT_BUF;
			cl->tx_off = 0;
			stream_fill(cl->txbuf, cl->sent, cl->tx_len, cl->seed);
		}
		ssize_t k = mpdk_send(cl->c, cl->txbuf + cl->tx_off, cl->tx_len - cl->tx_off);
		if (k == -EAGAIN)
			return;  /* the writable event follows */
		if (k == -ENOBUFS) {
			cl->nobufs = true; /* no event follows: the main loop retries */
			return;
		}
		if (k < 0) {
			client_call_failed(cl, "mpdk_send", (int)k);
			return;
		}
		EVP_DigestUpdate(cl->sha, cl->txbuf + cl->tx_off, (size_t)k);
		cl->tx_off += (uint32_t)k;
		cl->sent += (uint64_t)k;
	}
	if (!cl->done && cl->sent == cl->n && !cl->fin_sent) {
		/* All queued: FIN after it. An echo server answers with the
		 * rest of the echo and its own FIN. */
		int rc = mpdk_shutdown(cl->c, MPDK_SHUT_WR);
		if (rc == 0)
			cl->fin_sent = true;
		else if (rc != -ENOTCONN) /* not connected yet: again on connected() */
			client_call_failed(cl, "mpdk_shutdown", rc);
	}
}

static void client_read(struct client *cl)
{
	while (!cl->done && !cl->eof) {
		ssize_t k = mpdk_recv(cl->c, cl->rxbuf, sizeof(cl->rxbuf));
		if (k == -EAGAIN)
			return;
		if (k == 0) {
			cl->eof = true;
			return;
		}
		if (k < 0) {
			client_call_failed(cl, "mpdk_recv", (int)k);
			return;
		}
		if (cl->sink) {
			cl->unexpected += (uint64_t)k;
			continue;
		}
		if (cl->rcvd + (uint64_t)k > cl->sent) {
			cl->rcvd += (uint64_t)k;
			client_stop(cl, CF_TOO_LONG, 0, false);
			return;
		}
		stream_fill(cl->want, cl->rcvd, (size_t)k, cl->seed);
		if (memcmp(cl->rxbuf, cl->want, (size_t)k) != 0) {
			size_t i = 0;
			while (cl->rxbuf[i] == cl->want[i])
				i++;
			cl->mismatch_at = cl->rcvd + i;
			cl->got_byte = cl->rxbuf[i];
			cl->want_byte = cl->want[i];
			cl->rcvd += i; /* the bytes that matched */
			client_stop(cl, CF_MISMATCH, 0, false);
			return;
		}
		cl->rcvd += (uint64_t)k;
	}
}

static void client_connected(void *arg, mpdk_conn_t c)
{
	struct client *cl = arg;
	(void)c;
	cl->connected = true;
	cl->t_connected = mono_ns();
	client_send(cl);
}

static void client_readable(void *arg, mpdk_conn_t c)
{
	(void)c;
	client_read(arg);
}

static void client_writable(void *arg, mpdk_conn_t c)
{
	(void)c;
	client_send(arg);
}

/* The end: 0 when both FINs were exchanged and acknowledged. */
static void client_closed(void *arg, mpdk_conn_t c, int err)
{
	struct client *cl = arg;
	(void)c;
	client_read(cl); /* what is left in the receive buffer */
	client_stop(cl, err ? CF_CLOSED : CF_NONE, err, true);
}

static const struct mpdk_tcp_handler client_handler = {
	.connected = client_connected,
	.readable = client_readable,
	.writable = client_writable,
	.closed = client_closed,
};

/* The verdict line; @return the exit status. */
static int client_verdict(const struct client *cl, const struct echo_opts *o)
{
	const char *what = cl->sink ? "sent" : "echoed";
	switch (cl->why) {
	case CF_MISMATCH:
		printf("mpdk-echo: FAIL: echo differs at byte %" PRIu64 ": got 0x%02x, want 0x%02x\n",
		       cl->mismatch_at, cl->got_byte, cl->want_byte);
		return 1;
	case CF_TOO_LONG:
		printf("mpdk-echo: FAIL: %" PRIu64 " bytes came back, more than the %" PRIu64
		       " sent\n", cl->rcvd, cl->sent);
		return 1;
	case CF_TIMEOUT:
		printf("mpdk-echo: FAIL: timed out after %lu s (%s)\n", o->timeout_s,
		       cl->have_info ? mpdk_tcp_state_name(cl->info.state) : "?");
		return 1;
	case CF_SIGNAL:
		printf("mpdk-echo: FAIL: %s\n", strsignal(stop_signal));
		return 1;
	case CF_CALL:
		printf("mpdk-echo: FAIL: %s: %s\n", cl->call, mpdk_strerror(cl->err));
		return 1;
	case CF_CLOSED:
		printf("mpdk-echo: FAIL: connection %s: %s\n",
		       cl->connected ? "ended" : "not established", mpdk_strerror(cl->err));
		return 1;
	case CF_NONE:
		break;
	}
	if (cl->sent != cl->n) {
		printf("mpdk-echo: FAIL: only %" PRIu64 " of %" PRIu64 " bytes sent\n", cl->sent,
		       cl->n);
		return 1;
	}
	if (!cl->sink && (cl->rcvd != cl->n || !cl->eof)) {
		printf("mpdk-echo: FAIL: %" PRIu64 " of %" PRIu64 " bytes came back\n", cl->rcvd,
		       cl->n);
		return 1;
	}
	printf("mpdk-echo: OK: %" PRIu64 " bytes %s%s, connection closed cleanly\n", cl->n, what,
	       cl->sink ? " and acknowledged" : " back identical");
	return 0;
}

static int run_client(struct mpdk_engine *e, const struct echo_opts *o)
{
	struct client *cl = calloc(1, sizeof(*cl));
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned dlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];

	if (cl == NULL || (cl->sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(cl->sha, EVP_sha256(), NULL) != 1) {
		fprintf(stderr, "mpdk-echo: out of memory\n");
		if (cl != NULL)
			EVP_MD_CTX_free(cl->sha);
		free(cl);
		return 1;
	}
	cl->n = o->bytes;
	cl->seed = o->seed;
	cl->sink = o->sink;
	cl->t_start = mono_ns();
	uint64_t deadline = cl->t_start + (uint64_t)o->timeout_s * 1000000000ull;

	int rc = mpdk_connect(e, o->host_addr, htons((uint16_t)o->tcp_port), 0, 0, &client_handler,
			      cl, &cl->c);
	if (rc < 0) {
		printf("mpdk-echo: FAIL: cannot connect to %s port %lu: %s\n", o->host, o->tcp_port,
		       mpdk_strerror(rc));
		EVP_MD_CTX_free(cl->sha);
		free(cl);
		return 1;
	}
	mpdk_conn_set_nodelay(cl->c, true);
	while (!cl->done) {
		mpdk_engine_poll(e);
		if (cl->nobufs)
			client_send(cl);
		if (stop)
			client_stop(cl, CF_SIGNAL, -EINTR, false);
		else if (mono_ns() > deadline)
			client_stop(cl, CF_TIMEOUT, -ETIMEDOUT, false);
	}
	/* Let the last ACK (of the server's FIN), or our RST, leave. */
	for (uint64_t end = mono_ns() + 50000000ull; mono_ns() < end;)
		mpdk_engine_poll(e);

	EVP_DigestFinal_ex(cl->sha, digest, &dlen);
	for (unsigned i = 0; i < dlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	hex[2 * dlen] = '\0';

	printf("mpdk-echo: sent %" PRIu64 " of %" PRIu64 " bytes", cl->sent, cl->n);
	if (!cl->sink)
		printf(", received %" PRIu64 " back", cl->rcvd);
	printf(" in %.3f s", (double)(cl->t_end - cl->t_start) / 1e9);
	if (cl->connected) {
		/* from the handshake's end to the last FIN's ACK */
		double s = (double)(cl->t_end - cl->t_connected) / 1e9;
		if (s > 0)
			printf(" (%.1f Mbit/s)", (double)cl->sent * 8 / s / 1e6);
		if (cl->have_info)
			printf("; retransmits %" PRIu64 ", srtt %.3f ms, cwnd %u, mss %u, sack %s, "
			       "timestamps %s, wscale %s",
			       cl->info.retransmits, cl->info.srtt_us / 1000.0, cl->info.cwnd,
			       cl->info.mss, cl->info.sack ? "on" : "off",
			       cl->info.timestamps ? "on" : "off", cl->info.wscale ? "on" : "off");
	}
	printf("\n");
	printf("mpdk-echo: sha256 of the bytes sent: %s\n", hex);
	if (cl->unexpected)
		printf("mpdk-echo: the server sent %" PRIu64 " bytes (ignored)\n", cl->unexpected);
	int status = client_verdict(cl, o);
	fflush(stdout);
	EVP_MD_CTX_free(cl->sha);
	free(cl);
	return status;
}

/* ------------------------------------------------------------------ main */

/*
 * Options that only make sense together are checked before the EAL starts,
 * like every other command-line error. mpdk_app_init() parses and starts
 * the EAL in one call, so parse once beforehand with stdout and stderr
 * muted: when that parse fails (or is --help) mpdk_app_init() repeats it and
 * reports in its usual words.
 */
static int check_combinations(void *ctx, const struct mpdk_args *args)
{
	struct echo_opts *o = ctx;
	(void)args;

	const char *bad = NULL;
	if (o->host == NULL) {
		if (o->seen_bytes)
			bad = "--bytes";
		else if (o->seen_seed)
			bad = "--seed";
		else if (o->sink)
			bad = "--sink";
		else if (o->seen_timeout)
			bad = "--timeout";
		if (bad != NULL) {
			fprintf(stderr, "mpdk-echo: %s is a client option: it needs --connect HOST "
				"(see --help)\n", bad);
			return -EINVAL;
		}
	} else {
		if (o->seen_duration)
			bad = "--duration";
		else if (o->copy)
			bad = "--copy";
		if (bad != NULL) {
			fprintf(stderr, "mpdk-echo: %s is a server option: not with --connect "
				"(see --help)\n", bad);
			return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct echo_opts opts = opts_defaults;
	const struct mpdk_app_desc desc = {
		.name = "mpdk-echo",
		.summary =
			"The mpdk TCP echo server and smoke app: brings up the DPDK ports named by\n"
			"--addr, answers ARP and ping (ICMP echo) on every address and echoes every\n"
			"byte received on TCP port -p (all addresses, any number of clients) until\n"
			"SIGINT/SIGTERM or --duration. With -c HOST it is the client instead: it\n"
			"sends -n BYTES of pseudo-random data to HOST port -p and checks the echo\n"
			"byte for byte (exit 0 only when all came back identical), or with --sink\n"
			"just sends them. EAL --log-level mpdk.echo:debug logs each connection.",
		.opts = echo_options,
		.handle = echo_handle,
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

	echo_logtype = rte_log_register_type_and_pick_level("mpdk.echo", RTE_LOG_INFO);
	if (echo_logtype < 0)
		echo_logtype = RTE_LOGTYPE_USER1;

	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);

	print_startup(&args, &opts);
	if (opts.duration_s && opts.host == NULL)
		alarm((unsigned)opts.duration_s);

	/* One engine per stack for now, run on the main lcore. */
	struct mpdk_engine *e = mpdk_stack_engine(stack, 0);
	int status = opts.host != NULL ? run_client(e, &opts) : run_server(e, &opts);

	if (args.stats) {
		printf("mpdk-echo: counters:\n");
		mpdk_stats_print(stack, stdout, false);
	}
	fflush(stdout);

	mpdk_app_fini(&args, stack);
	return status;
}
